#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run-fuzzer.sh FUZZER OUTDIR SEEDDIR SECONDS: a bounded libFuzzer run.
# New inputs go to OUTDIR (in the build directory), crashes beside it; the
# run fails on the first crash, leak, sanitizer report or timeout.
set -eu
fuzzer=$1 out=$2 seeds=$3 seconds=$4
mkdir -p "$out"
exec "$fuzzer" "$out" "$seeds" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$out/" -print_final_stats=1
