#!/usr/bin/env bash
# The side-by-side benchmark of dash-rs and Python Dash (bench/README.md).
#   bash bench/run.sh            full run: release build, 5 s per row and server, writes bench/RESULTS.md
#   bash bench/run.sh --smoke    CI: the same rows, about a second each, debug build, nothing judged
#   bash bench/run.sh --jobs     only the background-callback rows (dash-bench jobs), writes bench/RESULTS-jobs.md
# Other options go to `dash-bench run` (e.g. --only "echo", --secs 10, --rust-workers 2).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

smoke=0
for a in "$@"; do [ "$a" = --smoke ] && smoke=1; done

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

venv=${DASH_VENV:-$root/.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! "$venv/bin/python" - <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
want = {l.split("==")[0]: l.split("==")[1] for l in open("bench/requirements.txt").read().split()
        if "==" in l}
sys.exit(any(version(p) != v for p, v in want.items()))
PY
then
  "$venv/bin/pip" install -q --disable-pip-version-check -r bench/requirements.txt
fi

jobs_only=0
args=()
for a in "$@"; do
  if [ "$a" = --jobs ]; then jobs_only=1; elif [ "$a" != --smoke ]; then args+=("$a"); fi
done

if [ $smoke = 1 ]; then
  cargo build -q -p plotly-dash --example bench_app --example bench_jobs_app
  cargo build -q -p dash-bench
  bin=$root/target/debug
  [ $jobs_only = 1 ] || "$bin/dash-bench" run --smoke --venv "$venv" --app "$bin/examples/bench_app" ${args[@]+"${args[@]}"}
  "$bin/dash-bench" jobs --smoke --venv "$venv" --app "$bin/examples/bench_jobs_app"
else
  cargo build -q --release -p plotly-dash --example bench_app --example bench_jobs_app
  cargo build -q --release -p dash-bench
  bin=$root/target/release
  [ $jobs_only = 1 ] || "$bin/dash-bench" run --venv "$venv" --app "$bin/examples/bench_app" \
    --out "$root/bench/RESULTS.md" ${args[@]+"${args[@]}"}
  "$bin/dash-bench" jobs --venv "$venv" --app "$bin/examples/bench_jobs_app" --out "$root/bench/RESULTS-jobs.md"
fi
