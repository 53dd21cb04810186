#!/usr/bin/env bash
# Runs a command where Custodian has what a desktop gives it: a D-Bus session with an unlocked
# Secret Service (gnome-keyring) and, when there is no display, a virtual one (Xvfb).
#
#   tests/session.sh COMMAND [ARGS...]
#
# KEYRING_HOME keeps the keyring in a directory that outlives the session (used by `make run` on a
# headless machine, so the workspace key is still there next time); by default it is thrown away.
set -euo pipefail

if [ -z "${CUSTODIAN_IN_SESSION:-}" ]; then
  export CUSTODIAN_IN_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

# gnome-keyring-daemon exits with the D-Bus session; only Xvfb needs stopping here.
scratch=$(mktemp -d)
xvfb_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

export XDG_RUNTIME_DIR="$scratch/runtime"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
export XDG_DATA_HOME="${KEYRING_HOME:-$scratch/data}"
mkdir -m 700 -p "$XDG_DATA_HOME"
# The password only unlocks this private keyring; a real desktop unlocks its own at login.
printf %s "custodian-session" | gnome-keyring-daemon --unlock --components=secrets >/dev/null

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  Xvfb -displayfd 5 -screen 0 1400x900x24 -nolisten tcp 5>"$scratch/display" 2>"$scratch/xvfb.log" &
  xvfb_pid=$!
  for _ in $(seq 1 100); do [ -s "$scratch/display" ] && break; sleep 0.05; done
  [ -s "$scratch/display" ] || { echo "error: Xvfb did not start: $(cat "$scratch/xvfb.log")" >&2; exit 1; }
  export DISPLAY=":$(cat "$scratch/display")"
fi

"$@"
