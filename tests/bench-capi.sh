#!/usr/bin/env bash
# `make bench`'s Conversions API benchmark: the Graph API simulator of the tests in a process of
# its own, its clock at this moment so that the events are fresh, and `custodian bench capi`
# against its dataset, so that the CPU time measured is Custodian's alone.
# Usage: tests/bench-capi.sh BINARY SIMULATOR EVENTS...
set -euo pipefail
binary=$1 simulator=$2
shift 2
for events in "$@"; do
	out=$(mktemp)
	"$simulator" --leads 0 --newest "$(date +%s)" >"$out" &
	sim=$!
	trap 'kill $sim 2>/dev/null || true; rm -f "$out"' EXIT
	for _ in $(seq 1 600); do [ -s "$out" ] && break; sleep 0.1; done
	read -r url token app_id _ dataset <"$out"
	echo "== $events conversion events queued and sent to the simulator at $url"
	printf '%s' "$token" | "$binary" bench capi --graph-url "$url" --app-id "$app_id" --dataset "$dataset" \
		--token-stdin --rows "$events"
	kill "$sim" 2>/dev/null || true
	wait "$sim" 2>/dev/null || true
	rm -f "$out"
	trap - EXIT
	echo
done
