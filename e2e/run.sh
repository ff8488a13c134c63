#!/usr/bin/env bash
# End-to-end tests with the real Dash renderer in headless Chromium.
# Expects the examples to be built (scripts/test.sh does it).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
node --test --test-concurrency=1 *.test.js
