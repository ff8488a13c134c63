"""The Python twin of the ServerStore rows of examples/bench_app.rs: dash-extensions'
Serverside output (pinned in requirements.txt), with its default file-system backend.

`nrec` -> `sstore` (a Serverside value of that many records), `unit` + `sstore` -> `sunit`.
Run under gunicorn, e.g. gunicorn -w 2 -b 127.0.0.1:8050 'python_serverside_app:server'
"""
import os

from dash import dcc, html
from dash_extensions.enrich import (DashProxy, FileSystemBackend, Input, Output, Serverside,
                                    ServersideOutputTransform)

import json_decoding

backend = FileSystemBackend(cache_dir=os.environ.get("BENCH_CACHE_DIR", ".bench-serverside"))
app = DashProxy(__name__, title="dash-rs benchmark app (dash-extensions twin)",
                transforms=[ServersideOutputTransform(backends=[backend])])
server = app.server
json_decoding.configure(server)

app.layout = html.Div([
    dcc.Input(id="nrec"),
    dcc.Input(id="unit"),
    dcc.Store(id="sstore"),
    html.Div(id="sunit"),
])


def dataset(count):
    return [{"x": ((i * 7919) % 100000) / 100.0 + 0.125, "y": float(i % 97), "label": f"row-{i:07d}"}
            for i in range(count)]


@app.callback(Output("sstore", "data"), Input("nrec", "value"))
def expensive(n):
    return Serverside(dataset(int(n or 0)))


@app.callback(Output("sunit", "children"), Input("unit", "value"), Input("sstore", "data"))
def unit_change(_unit, rows):
    rows = rows or []
    return f"count={len(rows)} sum_x={sum(r['x'] for r in rows)}"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)
