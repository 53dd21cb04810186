#!/usr/bin/env bash
# Measures the idle memory of the running desktop app: the app process and the WebKit processes it
# starts, as proportional set size (PSS), which shares common libraries fairly between processes.
#
#   tests/session.sh tests/idle-memory.sh [APP_BINARY] [SECONDS_TO_SETTLE]
set -euo pipefail
app=${1:-target/debug/custodian}
settle=${2:-10}
data=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT

CUSTODIAN_DATA_DIR=$data "$app" & pid=$!
for _ in $(seq 1 200); do xwininfo -name Custodian >/dev/null 2>&1 && break; sleep 0.1; done
sleep "$settle"

pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
total=0
printf '%-28s %8s\n' process "PSS MiB"
for p in $pid $(pgrep -P "$pid" || true); do
  name=$(cat "/proc/$p/comm" 2>/dev/null || echo "?")
  kb=$(pss "$p")
  total=$((total + kb))
  awk -v n="$name ($p)" -v kb="$kb" 'BEGIN { printf "%-28s %8.1f\n", n, kb / 1024 }'
done
awk -v kb="$total" 'BEGIN { printf "%-28s %8.1f\n", "total", kb / 1024 }'
