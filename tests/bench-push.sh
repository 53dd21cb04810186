#!/usr/bin/env bash
# `make bench`'s push benchmark: the CRM simulator of the tests in a process of its own, and
# `custodian bench push` against its HubSpot API, so that the CPU time measured is Custodian's
# alone. Usage: tests/bench-push.sh BINARY SIMULATOR LEADS...
set -euo pipefail
binary=$1 simulator=$2
shift 2
for leads in "$@"; do
	out=$(mktemp)
	"$simulator" >"$out" &
	sim=$!
	trap 'kill $sim 2>/dev/null || true; rm -f "$out"' EXIT
	for _ in $(seq 1 600); do [ -s "$out" ] && break; sleep 0.1; done
	read -r url token <"$out"
	echo "== push of $leads leads to the HubSpot simulator at $url"
	printf '%s' "$token" | "$binary" bench push --crm-url "$url" --token-stdin --rows "$leads"
	kill "$sim" 2>/dev/null || true
	wait "$sim" 2>/dev/null || true
	rm -f "$out"
	trap - EXIT
	echo
done
