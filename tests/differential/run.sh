#!/usr/bin/env bash
# The differential test: the same app in Python Dash 4.4.1 and in Rust must agree on the wire.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
venv=${DASH_VENV:-$root/.venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
# dash 4.4.1 with DiskcacheManager's packages (the background callback).
if ! "$venv/bin/python" -c 'import dash, diskcache, multiprocess, psutil, sys; sys.exit(dash.__version__ != "4.4.1")' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements.txt
fi
DASH_VENV=$venv "$venv/bin/python" compare.py
