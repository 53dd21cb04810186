# Custodian: `make run` starts the desktop app, `make test` runs every test.
# Both install what is missing first (Debian packages, npm packages, cargo tools) and are quick
# when everything is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

APP := target/debug/custodian
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := build-essential pkg-config libwebkit2gtk-4.1-dev libdbus-1-dev libssl-dev \
	xvfb xauth x11-utils dbus dbus-x11 gnome-keyring libsecret-tools imagemagick webkit2gtk-driver sqlite3 faketime \
	desktop-file-utils rpm2cpio cpio rpm
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/vite.config.ts ui/tsconfig.json

.PHONY: help run test bench setup prerequisites apt-packages rust-tools tauri-driver ui-build app \
	check-format lint ui-tests rust-tests rust-tests-later e2e-tests package package-test

help:
	@echo "make run    set up what is missing, build, and start the desktop app"
	@echo "make test   set up what is missing, then run every test: Rust, UI, end to end"
	@echo "make bench  build for release and run the benchmarks (BENCH_ROWS=1000000)"
	@echo "make package  build the .deb and .rpm packages into target/release/bundle/"

## ---- the two commands -------------------------------------------------------------------------

run: setup app
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		exec $(APP); \
	else \
		mkdir -p target/headless; \
		echo "No display: starting Custodian under a virtual display (Xvfb) with a private keyring."; \
		echo "Its workspace is target/headless/data; its keyring target/headless/keyring."; \
		KEYRING_HOME=$$PWD/target/headless/keyring CUSTODIAN_DATA_DIR=$$PWD/target/headless/data \
			tests/session.sh bash -c '\
				$(APP) & app=$$!; \
				for _ in $$(seq 1 200); do xwininfo -name Custodian >/dev/null 2>&1 && break; sleep 0.1; done; \
				sleep 3; import -window root target/screenshot.png; \
				echo "Custodian is running (pid $$app). Screenshot saved: target/screenshot.png"; \
				echo "Press Ctrl+C to stop it."; \
				wait $$app'; \
	fi

test: setup app check-format lint ui-tests rust-tests rust-tests-later e2e-tests package-test
	@echo "All tests passed."

BENCH_ROWS ?= 1000000

# Benchmarks run the release build in a throwaway workspace, with the real keychain.
bench: setup ui-build
	cargo build --release
	tests/session.sh target/release/custodian bench import --rows $(BENCH_ROWS)
	tests/session.sh target/release/custodian bench requests --rows $(BENCH_ROWS)
	tests/session.sh target/release/custodian bench retention --rows $$(( $(BENCH_ROWS) * 2 ))
	cargo build --release --example graph-sim --example crm-sim
	tests/session.sh tests/bench-sync.sh target/release/custodian target/release/examples/graph-sim 10000 100000
	tests/session.sh tests/bench-push.sh target/release/custodian target/release/examples/crm-sim 10000 100000
	tests/session.sh tests/bench-capi.sh target/release/custodian target/release/examples/graph-sim 10000 100000
	tests/session.sh target/release/custodian bench chat --messages $(BENCH_ROWS)

## ---- setup (idempotent) -----------------------------------------------------------------------

setup: prerequisites apt-packages rust-tools tauri-driver ui/node_modules/.installed

prerequisites:
	@command -v cargo >/dev/null || { echo "error: Rust is needed: install it from https://rustup.rs, then run make again." >&2; exit 1; }
	@command -v node >/dev/null || { echo "error: Node.js 20 or newer is needed (apt install nodejs npm, or nodesource)." >&2; exit 1; }
	@[ "$$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || { echo "error: Node.js 20 or newer is needed; this is $$(node --version)." >&2; exit 1; }

apt-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

rust-tools:
	@installed=$$(rustup component list --installed 2>/dev/null || true); \
	for c in rustfmt clippy; do grep -q "^$$c" <<<"$$installed" || rustup component add $$c; done

tauri-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --version '^2' --locked

ui/node_modules/.installed: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

## ---- build ------------------------------------------------------------------------------------

ui/dist/index.html: ui/node_modules/.installed $(UI_SOURCES)
	cd ui && npm run build

ui-build: ui/dist/index.html

# The app embeds ui/dist, so the UI is built first.
app: ui-build
	cargo build

## ---- tests ------------------------------------------------------------------------------------

check-format:
	cargo fmt --check

lint: ui/node_modules/.installed
	cargo clippy --all-targets -- -D warnings
	cd ui && npm run typecheck && npm run lint

ui-tests: ui/node_modules/.installed
	cd ui && npm test

rust-tests: app
	tests/session.sh cargo test

# The integration tests again with every clock three years ahead (faketime, through cargo's test
# runner so that cargo itself keeps the real time): a test that depends on the day it runs fails here.
# libfaketime's own locks can deadlock a process talking to D-Bus (seen once in a child process,
# which now runs without it): a run that hangs is stopped after 15 minutes and run once more; any
# other failure fails at once.
rust-tests-later: app
	@for attempt in 1 2; do \
		status=0; \
		FAKETIME_DONT_FAKE_MONOTONIC=1 CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER='timeout -s KILL 900 faketime -f +3y' \
			tests/session.sh cargo test --test integration 2>&1 | tee target/tests-later.log || status=$$?; \
		[ $$status -eq 0 ] && exit 0; \
		grep -qE 'exit status: 137|signal: 9' target/tests-later.log || exit $$status; \
		echo "The clock-moved run hung in libfaketime; running it once more."; \
	done; exit 1

e2e-tests: app
	cargo build --example graph-sim --example crm-sim
	tests/session.sh bash -c 'cd ui && CUSTODIAN_APP=$$PWD/../$(APP) CUSTODIAN_GRAPH_SIM=$$PWD/../target/debug/examples/graph-sim CUSTODIAN_CRM_SIM=$$PWD/../target/debug/examples/crm-sim npm run e2e'

## ---- packages ----------------------------------------------------------------------------------

# The Debian and RPM packages, with Tauri's own bundlers (the npm package @tauri-apps/cli, which
# builds the UI and the release binary first). AppImage is not built: its tools are downloaded at
# build time.
package: setup
	ui/node_modules/.bin/tauri build --bundles deb,rpm

package-test: package
	tests/session.sh tests/package.sh
