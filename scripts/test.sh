#!/usr/bin/env bash
# Runs every test of dash-rs on a fresh Debian machine: installs what the
# tests need (Chromium, Python Dash 4.4.1 in a virtualenv, npm packages),
# builds the workspace and the examples, then runs the unit and HTTP tests,
# the generated-code check, the differential test against Python Dash, and
# the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "python venv with dash==4.4.1 (differential test)"
venv=${DASH_VENV:-$root/.venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import dash, sys; sys.exit(dash.__version__ != "4.4.1")' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check dash==4.4.1
fi
export DASH_VENV=$venv

step "generated components are current"
cargo run -q -p xtask -- codegen --check

step "unit, HTTP and doc tests"
cargo test --workspace --all-targets -q 2>&1 | tee target/cargo-test.log
cargo test --workspace --doc -q 2>&1 | tee -a target/cargo-test.log

step "build examples"
cargo build -q --examples -p dash
export DASH_EXAMPLES_DIR=$root/target/debug/examples

step "differential test against Python Dash 4.4.1"
bash tests/differential/run.sh

step "end-to-end tests in headless Chromium"
bash e2e/run.sh

step "all tests passed"
