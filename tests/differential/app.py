"""The differential app in Python Dash 4.4.1; examples/parity_app.rs is the same app in Rust."""
import os
import tempfile
import time

import diskcache
from dash import ALL, MATCH, Dash, DiskcacheManager, Input, Output, Patch, State, dcc, html, no_update, set_props
from dash.exceptions import PreventUpdate

background = DiskcacheManager(diskcache.Cache(tempfile.mkdtemp(prefix="dash-differential-")))
app = Dash(__name__, background_callback_manager=background)
app.layout = html.Div(
    [
        html.H1("Parity"),
        dcc.Input(id="in", value="a"),
        html.Div(id="out"),
        dcc.Dropdown(id="dd", options=[{"label": "One", "value": "1"}, {"label": "Two", "value": "2"}], value="1"),
        dcc.Dropdown(id="dd2", options=["x", "y"]),
        dcc.Store(id="store", data={"n": 1}),
        html.Button("Go", id="btn", n_clicks=0),
        html.Div(id="multi-a"),
        html.Div(id="multi-b"),
        html.Div(id="state-out"),
        html.Div(id="dup"),
        html.Div(id="made"),
        html.Button("P1", id={"type": "pbtn", "index": 1}),
        html.Button("P2", id={"type": "pbtn", "index": 2}),
        html.Div(id={"type": "pout", "index": 1}),
        html.Div(id={"type": "pout", "index": 2}),
        html.Div(id="pattern-total"),
        dcc.Graph(id="graph"),
        html.Button("Run", id="bg-run"),
        html.Button("Stop", id="bg-stop"),
        html.Progress(id="bg-bar"),
        html.Div(id="bg-status"),
        html.Div(id="bg-out"),
        html.Div(id="cs-out"),
        html.Button("Patch", id="patch-btn"),
        dcc.Store(id="patch-store", data={"a": [1], "c": 1, "d": 0}),
        html.Button("Fail", id="err-btn"),
        html.Div(id="err-out"),
        html.Div(id="dup2"),
        dcc.Download(id="dl"),
        html.Button("Download", id="dl-btn"),
    ],
    id="page",
)


# The callback toolbox (issue 12): clientside, Patch, on_error,
# initial_duplicate, a download.
app.clientside_callback("function(v) { return 'cs ' + v; }", Output("cs-out", "children"), Input("in", "value"))


@app.callback(Output("patch-store", "data"), Input("patch-btn", "n_clicks"), prevent_initial_call=True)
def patch(n):
    p = Patch()
    p["a"].append(n)
    p["b"] = "x"
    p["c"] += 1
    del p["d"]
    return p


@app.callback(Output("err-out", "children"), Input("err-btn", "n_clicks"), prevent_initial_call=True,
              on_error=lambda e: f"handled: {e}")
def fails(n):
    raise ValueError(f"boom {n}")


@app.callback(Output("dup2", "children", allow_duplicate=True), Input("in", "value"),
              prevent_initial_call="initial_duplicate")
def dup2(value):
    return f"dup2 {value}"


@app.callback(Output("dl", "data"), Input("dl-btn", "n_clicks"), prevent_initial_call=True)
def download(_n):
    return dcc.send_string("hello", "hello.txt")


@app.callback(Output("out", "children"), Input("in", "value"))
def echo(value):
    return f"echo {value}"


@app.callback(Output("multi-a", "children"), Output("multi-b", "children"), Input("dd", "value"))
def multi(value):
    if value is None:
        raise PreventUpdate
    return no_update, f"dd={value}"


@app.callback(Output("state-out", "children"), Input("btn", "n_clicks"), State("in", "value"), prevent_initial_call=True)
def with_state(n, value):
    return f"{n}:{value}"


@app.callback(Output("dup", "children", allow_duplicate=True), Input("btn", "n_clicks"), prevent_initial_call=True)
def dup_from_button(n):
    return "from btn"


@app.callback(Output("dup", "children", allow_duplicate=True), Input("dd2", "value"), prevent_initial_call=True)
def dup_from_dropdown(value):
    return f"from dd2 {value}"


@app.callback(Output("pattern-total", "children"), Input({"type": "pbtn", "index": ALL}, "n_clicks"))
def total(clicks):
    return str(sum(c or 0 for c in clicks))


@app.callback(Output({"type": "pout", "index": MATCH}, "children"), Input({"type": "pbtn", "index": MATCH}, "n_clicks"))
def each(n):
    return f"clicked {n}"


@app.callback(Output("made", "children"), Input("store", "data"))
def made(data):
    return html.Span(f"n={data['n']}", id="made-span")


@app.callback(Output("graph", "figure"), Input("dd", "value"))
def graph(value):
    return {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {"title": {"text": f"dd {value}"}}}


@app.callback(
    Output("bg-out", "children"),
    Input("bg-run", "n_clicks"),
    background=True,
    progress=[Output("bg-bar", "value"), Output("bg-bar", "max")],
    progress_default=[0, 3],
    cancel=[Input("bg-stop", "n_clicks")],
    running=[(Output("bg-run", "disabled"), True, False)],
    interval=200,
    prevent_initial_call=True,
)
def job(set_progress, n):
    # n >= 50: a slow run, to be cancelled or superseded.
    pause = 1.0 if n >= 50 else 0.15
    for i in range(1, 4):
        time.sleep(pause)
        set_progress((i, 3))
    set_props("bg-status", {"children": f"ran {n}"})
    return f"done {n}"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]), debug=False)
