"""Runs the same app in Python Dash 4.4.1 (app.py) and in Rust (examples/parity_app.rs)
and checks that _dash-layout, _dash-dependencies and _dash-update-component agree.

Usage: python compare.py  (with dash==4.4.1 installed; DASH_EXAMPLES_DIR points at the built examples)
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.environ.get("DASH_EXAMPLES_DIR", os.path.join(ROOT, "target", "debug", "examples"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, env_extra):
    port = free_port()
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", RUST_LOG="warn", **env_extra)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/_dash-layout", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{cmd} did not start: {proc.stderr.read().decode()[-2000:]}")


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, r.headers.get("Content-Type"), json.loads(r.read())


def post(base, body):
    req = urllib.request.Request(
        base + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        return e.code, None


def drop_nulls(node):
    """Python html components carry "children": null when none were given; the
    renderer treats an absent prop the same, so nulls are dropped on both sides."""
    if isinstance(node, dict):
        return {k: drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [drop_nulls(v) for v in node]
    return node


def single(output, id_, prop, inputs, state=None, changed=None):
    body = {"output": output, "outputs": {"id": id_, "property": prop}, "inputs": inputs,
            "changedPropIds": changed or [], "parsedChangedPropsIds": changed or []}
    if state is not None:
        body["state"] = state
    return body


def requests_to_compare(deps):
    keys = [d["output"] for d in deps]
    dup_keys = [k for k in keys if k.startswith("dup.children@")]
    match_key = next(k for k in keys if "MATCH" in k)
    total_key = "pattern-total.children"
    pbtn = lambda i: {"index": i, "type": "pbtn"}  # noqa: E731
    return [
        ("echo, initial call", single("out.children", "out", "children",
                                      [{"id": "in", "property": "value", "value": "a"}])),
        ("echo, typed", single("out.children", "out", "children",
                               [{"id": "in", "property": "value", "value": "xyz"}], changed=["in.value"])),
        ("echo, value undefined", single("out.children", "out", "children", [{"id": "in", "property": "value"}])),
        ("multi-output with no_update", {
            "output": "..multi-a.children...multi-b.children..",
            "outputs": [{"id": "multi-a", "property": "children"}, {"id": "multi-b", "property": "children"}],
            "inputs": [{"id": "dd", "property": "value", "value": "2"}], "changedPropIds": ["dd.value"]}),
        ("PreventUpdate", {
            "output": "..multi-a.children...multi-b.children..",
            "outputs": [{"id": "multi-a", "property": "children"}, {"id": "multi-b", "property": "children"}],
            "inputs": [{"id": "dd", "property": "value", "value": None}], "changedPropIds": ["dd.value"]}),
        ("State", single("state-out.children", "state-out", "children",
                         [{"id": "btn", "property": "n_clicks", "value": 3}],
                         state=[{"id": "in", "property": "value", "value": "q"}], changed=["btn.n_clicks"])),
        ("allow_duplicate, first", {
            "output": dup_keys[0], "outputs": {"id": "dup", "property": "children" + dup_keys[0][len("dup.children"):]},
            "inputs": [{"id": "btn", "property": "n_clicks", "value": 1}], "changedPropIds": ["btn.n_clicks"]}),
        ("allow_duplicate, second", {
            "output": dup_keys[1], "outputs": {"id": "dup", "property": "children" + dup_keys[1][len("dup.children"):]},
            "inputs": [{"id": "dd2", "property": "value", "value": "y"}], "changedPropIds": ["dd2.value"]}),
        ("ALL input", single(total_key, "pattern-total", "children",
                             [[{"id": pbtn(1), "property": "n_clicks", "value": 2},
                               {"id": pbtn(2), "property": "n_clicks"}]],
                             changed=['{"index":1,"type":"pbtn"}.n_clicks'])),
        ("ALL input, no matches", single(total_key, "pattern-total", "children", [[]])),
        ("MATCH", {"output": match_key, "outputs": {"id": {"index": 2, "type": "pout"}, "property": "children"},
                   "inputs": [{"id": pbtn(2), "property": "n_clicks", "value": 5}],
                   "changedPropIds": ['{"index":2,"type":"pbtn"}.n_clicks']}),
        ("MATCH, initial (undefined)", {"output": match_key, "outputs": {"id": {"index": 1, "type": "pout"}, "property": "children"},
                                        "inputs": [{"id": pbtn(1), "property": "n_clicks"}], "changedPropIds": []}),
        ("component as children", single("made.children", "made", "children",
                                          [{"id": "store", "property": "data", "value": {"n": 7}}])),
        ("figure", single("graph.figure", "graph", "figure", [{"id": "dd", "property": "value", "value": "2"}])),
    ]


def main():
    venv = os.environ.get("DASH_VENV", os.path.join(ROOT, ".venv"))
    python = os.path.join(venv, "bin", "python") if os.path.exists(os.path.join(venv, "bin", "python")) else sys.executable
    py_proc, py = start([python, os.path.join(HERE, "app.py")], {})
    rs_proc, rs = start([os.path.join(EXAMPLES, "parity_app")], {})
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}\n{detail}")

    try:
        for path in ["/_dash-layout", "/_dash-dependencies"]:
            ps, pct, pbody = get(py, path)
            rs_s, rct, rbody = get(rs, path)
            check(f"{path} content type", pct == rct == "application/json", f"python {pct!r}, rust {rct!r}")
            if path == "/_dash-layout":
                pbody, rbody = drop_nulls(pbody), drop_nulls(rbody)
            check(f"{path} body", pbody == rbody,
                  f"python: {json.dumps(pbody, sort_keys=True)[:3000]}\nrust:   {json.dumps(rbody, sort_keys=True)[:3000]}")
        _, _, deps = get(py, "/_dash-dependencies")
        for name, body in requests_to_compare(deps):
            p = post(py, body)
            r = post(rs, body)
            check(f"update: {name}", p == r, f"request: {json.dumps(body)}\npython: {p}\nrust:   {r}")
    finally:
        for proc in (py_proc, rs_proc):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
