#!/usr/bin/env bash
# Runs every test of dash-rs on a fresh Debian machine: installs what the
# tests need (Chromium, Python Dash 4.4.1 in a virtualenv, npm packages),
# builds the workspace and the examples, then runs the unit and HTTP tests,
# the generated-code check, the storage tests against real SQLite files and
# redis-server, the multi-process tests, the differential test against
# Python Dash, and the end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

step "generated components are current"
cargo run -q -p xtask -- codegen --check

step "build the examples (the multi-process, differential and browser tests run them)"
cargo build --examples -p plotly-dash
# With the component suites (dbc, dag, dmc), for the browser test.
cargo build -p plotly-dash --example component_libraries --example component_props --features dbc,dag,dmc

step "unit, HTTP, storage, multi-process and doc tests"
cargo test --workspace --all-targets --no-fail-fast
cargo test --workspace --doc

step "component suites (features dbc, dag, dmc): builders, embedded files, HTTP"
cargo test -p plotly-dash-components --features dbc,dag,dmc --no-fail-fast
cargo test -p plotly-dash-assets --features dbc,dag,dmc --no-fail-fast
cargo test -p plotly-dash --features dbc,dag,dmc --test suites
export DASH_EXAMPLES_DIR=$root/target/debug/examples

step "publishable: cargo package, an app outside the workspace from the packaged crates, cargo doc"
bash scripts/publish_check.sh

step "differential test against Python Dash 4.4.1"
bash tests/differential/run.sh

step "end-to-end tests in headless Chromium"
bash e2e/run.sh

step "benchmark smoke run (bench/README.md; the full run is: bash bench/run.sh)"
bash bench/run.sh --smoke

step "all tests passed"
