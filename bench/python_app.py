"""The Python Dash 4.4.1 twin of examples/bench_app.rs, for the side-by-side benchmark.

Same ids and answers. The cache is Flask-Caching: filesystem by default, Redis when
BENCH_CACHE=redis (BENCH_REDIS_URL).
With BENCH_ORJSON=1 request JSON is decoded with orjson (json_decoding.py). Run under gunicorn, e.g.
    gunicorn -w 2 -b 127.0.0.1:8050 'python_app:server'
    gunicorn -w 2 --threads 4 -k gthread -b 127.0.0.1:8050 'python_app:server'
"""
import os

from dash import Dash, Input, Output, State, dcc, html
from flask_caching import Cache

import json_decoding

app = Dash(__name__, title="dash-rs benchmark app (Python twin)")
server = app.server
json_decoding.configure(server)

if os.environ.get("BENCH_CACHE") == "redis":
    cache = Cache(server, config={"CACHE_TYPE": "RedisCache",
                                  "CACHE_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")})
else:
    cache = Cache(server, config={"CACHE_TYPE": "FileSystemCache",
                                  "CACHE_DIR": os.environ.get("BENCH_CACHE_DIR", ".bench-cache")})

app.layout = html.Div([
    dcc.Input(id="in", value="x"),
    html.Div(id="out"),
    html.Div(id="m1"), html.Div(id="m2"), html.Div(id="m3"), html.Div(id="m4"),
    dcc.Store(id="store"),
    dcc.Input(id="n"),
    html.Div(id="agg"),
    dcc.Input(id="key", value="k"),
    html.Div(id="cached"),
    dcc.Input(id="unit"),
    dcc.Store(id="bstore"),
    html.Div(id="bunit"),
])


@cache.memoize(timeout=3600)
def load(key):
    seed = 17
    for b in key.encode():
        seed = (seed * 31 + b) % (1 << 64)
    return [{"x": ((seed + i) % 1000) / 10.0, "y": float(i % 97), "label": f"{key}-{i:06d}"}
            for i in range(23000)]


@app.callback(Output("out", "children"), Input("in", "value"))
def echo(value):
    return value or ""


@app.callback(Output("m1", "children"), Output("m2", "children"), Output("m3", "children"),
              Output("m4", "children"), Input("in", "value"))
def four(value):
    v = value or ""
    return f"1:{v}", f"2:{v}", f"3:{v}", f"4:{v}"


@app.callback(Output("agg", "children"), Input("n", "value"), State("store", "data"))
def agg(_n, rows):
    rows = rows or []
    return f"count={len(rows)} sum_x={sum(r['x'] for r in rows)}"


@app.callback(Output("bunit", "children"), Input("unit", "value"), Input("bstore", "data"))
def unit_change(_unit, rows):
    rows = rows or []
    return f"count={len(rows)} sum_x={sum(r['x'] for r in rows)}"


@app.callback(Output("cached", "children"), Input("key", "value"))
def cached(key):
    key = key or ""
    rows = load(key)
    return f"{key}: {len(rows)} records, first {rows[0]['label'] if rows else '-'}"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)
