#!/usr/bin/env bash
# `make bench`'s sync benchmark: the Graph API simulator of the tests in a process of its own,
# serving LEADS leads in pages of 100, and `custodian bench sync` against it, so that the CPU time
# measured is Custodian's alone. Usage: tests/bench-sync.sh BINARY SIMULATOR LEADS...
set -euo pipefail
binary=$1 simulator=$2
shift 2
for leads in "$@"; do
	out=$(mktemp)
	"$simulator" --leads "$leads" --page-size 100 >"$out" &
	sim=$!
	trap 'kill $sim 2>/dev/null || true; rm -f "$out"' EXIT
	for _ in $(seq 1 600); do [ -s "$out" ] && break; sleep 0.1; done
	read -r url token app_id _ <"$out"
	echo "== sync of $leads leads from the simulator at $url"
	printf '%s' "$token" | "$binary" bench sync --graph-url "$url" --app-id "$app_id" --token-stdin
	kill "$sim" 2>/dev/null || true
	wait "$sim" 2>/dev/null || true
	rm -f "$out"
	trap - EXIT
	echo
done
