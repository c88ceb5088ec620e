#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs "$@" inside a private D-Bus session with an unlocked gnome-keyring,
# in a throwaway HOME, so the Secret Service path of bb-secret is real.
set -eu
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring: $tool is not installed (Debian: dbus, gnome-keyring)" >&2
    exit 1
  fi
done
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -m 0700 "$home/run"
export HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/data"
unset BEATBOOK_NO_KEYRING
exec dbus-run-session -- sh -c '
  printf "keyring-test-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
