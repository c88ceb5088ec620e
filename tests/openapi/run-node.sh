#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a node script of tests/openapi with its npm packages in place:
# `npm ci` (pinned by package-lock.json) when node_modules is missing or
# older than the lock file. CI installs them in .ci/run; on a developer's
# machine the first test run does. One install at a time (flock).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/openapi needs node and npm: install Debian's nodejs and npm (see .ci/run)" >&2
  exit 1
fi

stale() {
  [ ! -f "$here/node_modules/.package-lock.json" ] ||
    [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]
}

if stale; then
  exec 9>"$here/.npm-ci.lock"
  flock 9
  if stale; then
    echo "Installing tests/openapi's npm packages (npm ci)..." >&2
    (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund >&2) || {
      echo "npm ci in tests/openapi failed: the OpenAPI checks cannot run" >&2
      exit 1
    }
  fi
  exec 9>&-
fi

exec node "$@"
