"""The background-callback twin of the benchmark in Python Dash 4.4.1
(examples/bench_jobs_app.rs is the same app in Rust): DiskcacheManager, its
default poll interval (1000 ms) unless BENCH_JOB_INTERVAL is set."""
import os
import tempfile
import time

import diskcache
from dash import Dash, DiskcacheManager, Input, Output, State, dcc, html

jobs_dir = os.environ.get("BENCH_JOBS_DIR") or tempfile.mkdtemp(prefix="bench-jobs-")
app = Dash(__name__, background_callback_manager=DiskcacheManager(diskcache.Cache(jobs_dir)))
server = app.server
app.layout = html.Div(
    [
        html.Button("Run", id="job-run"),
        dcc.Input(id="job-ms", value=0),
        html.Progress(id="job-bar"),
        html.Div(id="job-out"),
    ]
)

interval = {"interval": int(os.environ["BENCH_JOB_INTERVAL"])} if os.environ.get("BENCH_JOB_INTERVAL") else {}


@app.callback(
    Output("job-out", "children"),
    Input("job-run", "n_clicks"),
    State("job-ms", "value"),
    background=True,
    progress=[Output("job-bar", "value")],
    prevent_initial_call=True,
    **interval,
)
def job(set_progress, n, ms):
    set_progress(("1",))
    if ms:
        time.sleep(ms / 1000)
    return f"done {n}"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8050")), debug=False)
