#!/usr/bin/env bash
# Runs a command where Custodian has what a desktop gives it: a D-Bus session with an unlocked
# Secret Service (gnome-keyring) and, when there is no display, a virtual one (Xvfb).
#
#   tests/session.sh COMMAND [ARGS...]
#
# KEYRING_HOME keeps the keyring in a directory that outlives the session (used by `make run` on a
# headless machine, so the workspace key is still there next time); by default it is thrown away.
#
# The keyring daemon is started by the session bus itself, from a service file of this session's own
# that unlocks it: should the daemon ever exit mid-run, the next call starts it again unlocked on the
# same keyring, instead of the system's service file starting a locked one somewhere else. Each start
# is logged, and a daemon that had to be started again is reported at the end.
set -euo pipefail

if [ -z "${CUSTODIAN_IN_SESSION:-}" ]; then
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

  keyring_log="$scratch/keyring.log"
  mkdir -p "$scratch/services"
  # The password only unlocks this private keyring; a real desktop unlocks its own at login.
  cat >"$scratch/keyring-daemon" <<DAEMON
#!/bin/sh
echo "\$(date '+%F %T') gnome-keyring-daemon starting" >>"$keyring_log"
printf %s "custodian-session" | exec gnome-keyring-daemon --unlock --foreground --components=secrets >>"$keyring_log" 2>&1
DAEMON
  chmod +x "$scratch/keyring-daemon"
  printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=%s\n' "$scratch/keyring-daemon" \
    >"$scratch/services/org.freedesktop.secrets.service"
  # This session's service directory comes first, so its keyring service is the one started.
  cat >"$scratch/session.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <servicedir>$scratch/services</servicedir>
  <include>/usr/share/dbus-1/session.conf</include>
</busconfig>
CONF

  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    Xvfb -displayfd 5 -screen 0 1400x900x24 -nolisten tcp 5>"$scratch/display" 2>"$scratch/xvfb.log" &
    xvfb_pid=$!
    for _ in $(seq 1 100); do [ -s "$scratch/display" ] && break; sleep 0.05; done
    [ -s "$scratch/display" ] || { echo "error: Xvfb did not start: $(cat "$scratch/xvfb.log")" >&2; exit 1; }
    export DISPLAY=":$(cat "$scratch/display")"
  fi

  status=0
  CUSTODIAN_IN_SESSION=1 dbus-run-session --config-file="$scratch/session.conf" -- "$0" "$@" || status=$?
  starts=$(grep -c "gnome-keyring-daemon starting" "$keyring_log" 2>/dev/null || true)
  if [ "${starts:-0}" -gt 1 ]; then
    echo "warning: the keyring daemon exited during the run and was started again $((starts - 1)) time(s); its log:" >&2
    cat "$keyring_log" >&2
  fi
  exit $status
fi

# Start the keyring now (and fail here, clearly, if it cannot start) rather than at the first call.
if ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null; then
  echo "error: the keyring daemon (gnome-keyring) did not start" >&2
  exit 1
fi

"$@"
