"""Runs the same app in Python Dash 4.4.1 (app.py) and in Rust (examples/parity_app.rs)
and checks that _dash-layout, _dash-dependencies and _dash-update-component agree.

Usage: python compare.py  (with dash==4.4.1 installed; DASH_EXAMPLES_DIR points at the built examples)
"""
import http.cookiejar
import json
import os
import re
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
    dup2_key = next(k for k in keys if k.startswith("dup2.children@"))
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
        ("Patch", single("patch-store.data", "patch-store", "data",
                         [{"id": "patch-btn", "property": "n_clicks", "value": 2}], changed=["patch-btn.n_clicks"])),
        ("on_error", single("err-out.children", "err-out", "children",
                            [{"id": "err-btn", "property": "n_clicks", "value": 1}], changed=["err-btn.n_clicks"])),
        ("initial_duplicate, page load", {
            "output": dup2_key, "outputs": {"id": "dup2", "property": "children" + dup2_key[len("dup2.children"):]},
            "inputs": [{"id": "in", "property": "value", "value": "a"}], "changedPropIds": []}),
        ("download", single("dl.data", "dl", "data",
                            [{"id": "dl-btn", "property": "n_clicks", "value": 1}], changed=["dl-btn.n_clicks"])),
    ]


class Page:
    """One page load of a browser: its cookies and the config's end_id, for
    the background protocol (protocol notes section 7)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with self.opener.open(base + "/", timeout=10) as r:
            html = r.read().decode()
        self.end_id = re.search(r'"end_id":"([^"]+)"', html).group(1)

    def post(self, body, query=""):
        url = f"{self.base}/_dash-update-component?endId={self.end_id}" + (f"&{query}" if query else "")
        req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with self.opener.open(req, timeout=20) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            return e.code, None


def bg_body(n):
    return {"output": "bg-out.children", "outputs": {"id": "bg-out", "property": "children"},
            "inputs": [{"id": "bg-run", "property": "n_clicks", "value": n}],
            "changedPropIds": ["bg-run.n_clicks"], "parsedChangedPropsIds": ["bg-run.n_clicks"]}


def blanked(body):
    """The body of a poll: the renderer sets each input value to null."""
    b = json.loads(json.dumps(body))
    for item in b["inputs"]:
        item["value"] = None
    return b


def handles(first):
    return f"cacheKey={first['cacheKey']}&job={first['job']}"


def first_answer_shape(first):
    """What must agree in the first answer: its fields and the cancel and
    progressDefault values; the handles are opaque (signed differently)."""
    if not isinstance(first, dict):
        return first
    shape = {k: v for k, v in first.items() if k not in ("cacheKey", "job")}
    for k in ("cacheKey", "job"):
        v = first.get(k)
        shape[k] = "url-safe handle" if isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9._~-]+", v) else v
    return shape


def run_job(page, n, query=""):
    """Starts the background job, polls every 100 ms until an answer ends
    it; returns the first answer and every poll's (status, body)."""
    status, first = page.post(bg_body(n), query)
    if status != 200 or "job" not in (first or {}):
        return (status, first), []
    polls = []
    deadline = time.time() + 30
    while time.time() < deadline:
        time.sleep(0.1)
        status, answer = page.post(blanked(bg_body(n)), handles(first))
        polls.append((status, answer))
        if status != 200 or "response" in answer:
            break
    return (status, first), polls


def summary(polls):
    """What must agree about a run's polls: every 200 answer is multi, the
    last answer, the sideUpdate values merged, the last progress value,
    and progress values only going up."""
    merged, progress, seen = {}, None, []
    for status, a in polls:
        if status == 200:
            for key, props in (a.get("sideUpdate") or {}).items():
                merged.setdefault(key, {}).update(props)
            if "progress" in a:
                progress = a["progress"]
                seen.append(a["progress"]["bg-bar.value"])
    last = polls[-1] if polls else None
    return {
        "all multi": all(a.get("multi") is True for s, a in polls if s == 200),
        "last status": last and last[0],
        "response": last and last[1] and last[1].get("response"),
        "sideUpdate": merged,
        "last progress": progress,
        "progress goes up": seen == sorted(seen) and set(seen) <= {1, 2, 3},
    }


def wait_progress(page, n, first):
    """Polls until the job reports progress."""
    for _ in range(100):
        time.sleep(0.1)
        status, answer = page.post(blanked(bg_body(n)), handles(first))
        if status != 200 or "progress" in answer:
            return status
    return None


def background_flows(py, rs, check):
    """The background protocol, side by side."""
    pages = Page(py), Page(rs)
    runs = [run_job(p, 1) for p in pages]
    (p_first, p_polls), (r_first, r_polls) = runs
    check("background: first answer", (p_first[0], first_answer_shape(p_first[1])) == (r_first[0], first_answer_shape(r_first[1])),
          f"python: {p_first}\nrust:   {r_first}")
    p_sum, r_sum = summary(p_polls), summary(r_polls)
    check("background: polls to the result", p_sum == r_sum, f"python: {p_polls}\nrust:   {r_polls}")
    r_seen = [a["progress"]["bg-bar.value"] for s, a in r_polls if s == 200 and "progress" in a]
    check("background: every progress step reaches the page (rust)", r_seen == [1, 2, 3], f"rust: {r_polls}")
    after = [p.post(blanked(bg_body(1)), handles(f[1])) for p, f in zip(pages, (p_first, r_first))]
    check("background: a poll after the result", after[0] == after[1] == (204, None), f"python: {after[0]}\nrust:   {after[1]}")

    # Cancel: the hidden callback of the cancel input carries cancelJob.
    starts = [p.post(bg_body(50)) for p in pages]
    progressed = [wait_progress(p, 50, f[1]) for p, f in zip(pages, starts)]
    check("background: slow run reports progress", progressed == [200, 200], f"{progressed}")
    cancel = {"output": "bg-stop.id", "outputs": {"id": "bg-stop", "property": "id"},
              "inputs": [{"id": "bg-stop", "property": "n_clicks", "value": 1}],
              "changedPropIds": ["bg-stop.n_clicks"], "parsedChangedPropsIds": ["bg-stop.n_clicks"]}
    cancels = [p.post(cancel, f"cancelJob={f[1]['job']}") for p, f in zip(pages, starts)]
    check("background: cancel callback", cancels[0] == cancels[1], f"python: {cancels[0]}\nrust:   {cancels[1]}")
    time.sleep(0.3)
    after = [p.post(blanked(bg_body(50)), handles(f[1])) for p, f in zip(pages, starts)]
    check("background: poll of a cancelled job", after[0] == after[1] == (204, None), f"python: {after[0]}\nrust:   {after[1]}")

    # A newer run of the same outputs supersedes the older (oldJob).
    olds = [p.post(bg_body(60)) for p in pages]
    [wait_progress(p, 60, f[1]) for p, f in zip(pages, olds)]
    news = [run_job(p, 2, f"oldJob={f[1]['job']}") for p, f in zip(pages, olds)]
    old_polls = [p.post(blanked(bg_body(60)), handles(f[1])) for p, f in zip(pages, olds)]
    check("background: the superseded run", old_polls[0] == old_polls[1] == (204, None),
          f"python: {old_polls[0]}\nrust:   {old_polls[1]}")
    check("background: the newer run's result", summary(news[0][1]) == summary(news[1][1]),
          f"python: {news[0]}\nrust:   {news[1]}")

    # A deliberate difference: Python 4.4.1 ignores a forged handle (204),
    # dash-rs refuses it (403) and touches nothing.
    forged = "job=" + "0" * 32 + "~" + "0" * 64 + "&cacheKey=" + "0" * 64 + "~" + "0" * 64
    answers = [p.post(blanked(bg_body(1)), forged)[0] for p in pages]
    check("background: forged handle (python ignores it, rust refuses it)", answers == [204, 403], f"{answers}")


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
        # The inline clientside function on the page, as Python writes it.
        def inline_scripts(base):
            with urllib.request.urlopen(base + "/", timeout=10) as r:
                html = r.read().decode()
            return [m for m in re.findall(r"<script>(.*?)</script>", html, re.S) if "_dashprivate_clientside_funcs" in m]
        p_scripts, r_scripts = inline_scripts(py), inline_scripts(rs)
        check("page: inline clientside script", p_scripts == r_scripts and len(p_scripts) == 1,
              f"python: {p_scripts}\nrust:   {r_scripts}")
        _, _, deps = get(py, "/_dash-dependencies")
        for name, body in requests_to_compare(deps):
            p = post(py, body)
            r = post(rs, body)
            check(f"update: {name}", p == r, f"request: {json.dumps(body)}\npython: {p}\nrust:   {r}")
        background_flows(py, rs, check)
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
