"""``symbackprop serve``: the JSON API of a real server (a subprocess on a free loopback port).

References: verdicts typed in by hand (the true output error is proved, the sign slip refuted with
diagnosis ``sign``), the CLI's own ``check --format json`` and error line for the same file, and
``load_spec_text`` reading the downloaded derivation back.  The server runs as ``symbackprop serve
--port 0`` in its own process, so no server thread lives in the test process (the runner forks only
from a single-threaded process).
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from symbackprop.serve import MAX_BODY_BYTES, MAX_REQUEST_CLAIMS, derivation_yaml, is_loopback
from symbackprop.spec import load_spec_data, load_spec_text
from test_cli import _stat          # (state, ppid, cpu seconds) of a process from /proc

NET = {"sizes": [3, 4, 4, 3], "activation": "relu", "output": "softmax", "loss": "cross_entropy"}
TRUE = r"\delta^{(L)} = \hat{y} - y"
SLIP = r"\delta^{(L)} = y - \hat{y}"
SLOW = r"(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}"     # minutes of CPU (see test_cli.py)


def start_server(*extra):
    """(process, base url) of ``symbackprop serve --port 0`` (its first stderr line names the url)."""
    proc = subprocess.Popen([sys.executable, "-m", "symbackprop.cli", "serve", "--port", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    lines = []
    while True:
        line = proc.stderr.readline()
        if not line:
            proc.wait(30)
            raise AssertionError(f"serve exited {proc.returncode}: {''.join(lines)}")
        lines.append(line)
        m = re.search(r"serving (http://\S+)", line)
        if m:
            return proc, m.group(1), lines


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server():
    proc, url, _ = start_server("--timeout", "60", "--concurrency", "2")
    try:
        yield url
    finally:
        stop_server(proc)


def request(url, method, path, body=None, headers=None, timeout=300):
    """(status, headers, body bytes); a dict body is sent as JSON."""
    host = url.split("//", 1)[1].rstrip("/")
    conn = http.client.HTTPConnection(host, timeout=timeout)
    hdrs = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    try:
        conn.request(method, path, body=body, headers=hdrs)
        res = conn.getresponse()
        return res.status, dict(res.getheaders()), res.read()
    finally:
        conn.close()


def check_doc(url, claims, network=NET, **extra):
    """The response: check --format json's document (schema 1), or an error document."""
    status, _, body = request(url, "POST", "/api/check", {"network": network, "claims": claims, **extra})
    return status, json.loads(body)


def check(url, claims, network=NET, **extra):
    """The request's one file report (its claims, summary, ok), or the error document."""
    status, doc = check_doc(url, claims, network, **extra)
    if "files" in doc:
        assert doc["schema"] == 1 and len(doc["files"]) == 1
        return status, doc["files"][0]
    return status, doc


def test_health_and_page(server):
    status, _, body = request(server, "GET", "/api/health")
    assert status == 200 and json.loads(body)["ok"] is True
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and b"<textarea" in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]      # no inline script can run
    assert headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/static/app.js", "/static/katex/katex.min.js", "/static/katex/katex.min.css",
                 "/static/katex/LICENSE", "/static/katex/fonts/KaTeX_Main-Regular.woff2"):
        assert request(server, "GET", path)[0] == 200, path
    for path in ("/static/../serve.py", "/static/%2e%2e/serve.py", "/etc/passwd", "/static/"):
        assert request(server, "GET", path)[0] == 404, path


def test_a_true_claim_is_proved_and_a_sign_slip_refuted_with_diagnosis_sign(server):
    status, doc = check(server, [{"id": "true", "claim": TRUE}, {"id": "slip", "claim": SLIP}])
    assert status == 200
    by_id = {c["id"]: c for c in doc["claims"]}
    assert by_id["true"]["verdict"] == "proved"
    assert by_id["true"]["read_as"] == TRUE
    assert by_id["slip"]["verdict"] == "refuted" and by_id["slip"]["diagnosis"]["code"] == "sign"
    assert doc["summary"] == {"proved": 1, "refuted": 1} and doc["ok"] is False


def test_the_response_is_the_json_of_check_for_the_same_file(server, tmp_path):
    claims = [{"id": "a", "claim": TRUE}, {"id": "b", "claim": SLIP, "expect": False},
              {"id": "c", "claim": r"\delta^{(L-1)}_i = 0", "given": r"z^{(L-1)}_i \le 0"}, {"id": "d"}]
    path = tmp_path / "same.yaml"
    path.write_text(derivation_yaml(load_spec_data({"network": NET, "claims": claims[:3]})) +
                    "- id: d\n", encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "symbackprop.cli", "check", str(path), "--format", "json"],
                         capture_output=True, text=True, encoding="utf-8", timeout=600)
    want_doc = json.loads(cli.stdout)
    status, got_doc = check_doc(server, claims)
    assert status == 200
    assert set(got_doc) == set(want_doc) and got_doc["schema"] == want_doc["schema"] == 1
    assert got_doc["summary"] == want_doc["summary"] and got_doc["ok"] == want_doc["ok"]
    (got,), (want,) = got_doc["files"], want_doc["files"]
    assert got["network"] == want["network"] and got["summary"] == want["summary"] and got["ok"] == want["ok"]
    drop = ("seconds", "message", "location")
    for g, w in zip(got["claims"], want["claims"]):
        assert {k: v for k, v in g.items() if k not in drop} == {k: v for k, v in w.items() if k not in drop}
    # the malformed entry's message is the CLI's, but for the file name and line
    assert got["claims"][3]["message"].startswith("request: claim 'd': ")
    assert got["claims"][3]["message"].split(": ", 1)[1] == \
        re.sub(r" \(line \d+\)$", "", want["claims"][3]["message"].split(": ", 1)[1])


@pytest.mark.parametrize("network, key", [
    ({"sizes": [3, 4, 3], "activtion": "relu"}, "network.activtion"),
    ({"sizes": "3,4,3"}, "network.sizes"),
    ({"sizes": [3, 4, 3], "activation": "reLu"}, "network.activation"),
    ({"sizes": [3, 4, 3], "relu_prime_at_zero": 2}, "network.relu_prime_at_zero"),
])
def test_errors_are_json_with_the_message_the_cli_prints(server, tmp_path, network, key):
    path = tmp_path / "bad.json"            # JSON is YAML: the CLI reads the very same document
    path.write_text(json.dumps({"network": network, "claims": [{"id": "a", "claim": TRUE}]}), encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "symbackprop.cli", "check", str(path)], capture_output=True,
                         text=True, encoding="utf-8", timeout=600)
    assert cli.returncode == 1                     # the file is an error entry of the report
    line = next(ln for ln in cli.stdout.splitlines() if f"key '{key}'" in ln).strip().removeprefix("! ")
    assert line.startswith(f"{path}: key '{key}': "), line
    status, doc = check(server, [{"id": "a", "claim": TRUE}], network=network)
    assert status == 400 and doc["status"] == 400
    assert doc["error"] == "request: " + re.sub(r" \(line \d+\)$", "", line.split(f"{path}: ", 1)[1])


def test_hostile_claims_end_as_errors_and_the_server_stays_responsive(server):
    hostile = [{"id": "tower", "claim": "10^{10^{10}}"},
               {"id": "nested", "claim": "(" * 4990 + "u" + ")" * 4990 + " = u"},
               {"id": "nested5000", "claim": "(" * 5000 + "u" + ")" * 5000}]
    status, doc = check(server, hostile)
    assert status == 200
    assert [c["verdict"] for c in doc["claims"]] == ["error"] * 3
    assert "nested exponents" in doc["claims"][0]["message"]
    assert "nested deeper" in doc["claims"][1]["message"]
    assert "limit is 10000" in doc["claims"][2]["message"]
    assert check(server, [{"id": "a", "claim": TRUE}])[1]["claims"][0]["verdict"] == "proved"


@pytest.mark.parametrize("body, headers, status, words", [
    (b"{", {"Content-Type": "application/json"}, 400, "invalid JSON"),
    (b'{"network": {}, "network": {}}', {"Content-Type": "application/json"}, 400, "duplicate key 'network'"),
    (b'{"network": {"sizes": [3, 4], "alpha": NaN}, "claims": []}', {"Content-Type": "application/json"}, 400,
     "NaN is not a number"),
    (b"[" * 50_000 + b"]" * 50_000, {"Content-Type": "application/json"}, 400, "nested too deeply"),
    (b'{"a": ' + b"[" * 900 + b"]" * 900 + b"}", {"Content-Type": "application/json"}, 400, "deeper than 32 levels"),
    (b"\xff{}", {"Content-Type": "application/json"}, 400, "not UTF-8"),
    (b"[]", {"Content-Type": "application/json"}, 400, "must be a JSON object"),
    (b"{}", {"Content-Type": "text/plain"}, 415, "application/json"),
    (b"{}", {"Content-Type": "application/json", "Origin": "http://evil.example"}, 403, "cross-origin"),
    (b"{}", {"Content-Type": "application/json", "Host": "evil.example"}, 421, "Host header"),
])
def test_malformed_requests_are_refused_with_a_json_error(server, body, headers, status, words):
    got, _, raw = request(server, "POST", "/api/check", body, headers)
    doc = json.loads(raw)
    assert got == status and doc["status"] == status and words in doc["error"], doc


def test_a_repeated_id_is_that_claims_error(server):
    status, doc = check(server, [{"id": "a", "claim": TRUE}, {"id": "a", "claim": SLIP}])
    assert status == 200 and doc["claims"][0]["verdict"] == "proved"
    assert doc["claims"][1]["verdict"] == "error" and doc["claims"][1]["id"] == "#2"
    assert "duplicate claim id 'a' (used by an earlier claim)" in doc["claims"][1]["message"]


def test_request_size_and_claim_count_are_limited(server):
    big = b'{"x": "' + b"a" * MAX_BODY_BYTES + b'"}'
    status, _, raw = request(server, "POST", "/api/check", big, {"Content-Type": "application/json"})
    assert status == 413 and "the limit is" in json.loads(raw)["error"]
    claims = [{"id": f"c{i}", "claim": TRUE} for i in range(MAX_REQUEST_CLAIMS + 1)]
    status, doc = check(server, claims)
    assert status == 400 and f"limited to {MAX_REQUEST_CLAIMS}" in doc["error"]


def test_derive_returns_the_closed_forms(server):
    status, _, raw = request(server, "POST", "/api/derive", {"network": {"sizes": [2, 3, 2]}})
    assert status == 200
    doc = json.loads(raw)
    assert doc["ok"] is True and all(f["proved"] for f in doc["closed_forms"])
    by_name = {f["name"]: f for f in doc["closed_forms"]}
    assert by_name["delta^(2)"]["closed_form"]["latex"] == r"\delta^{(L)} = \hat{y} - y"      # typed by hand
    assert by_name["grad_W^(0)"]["shape"] == [3, 2]          # shaped like W^(0): d_1 x d_0
    status, _, raw = request(server, "POST", "/api/derive", {"network": {"sizes": [2, 3]}, "claims": []})
    assert status == 400 and "unknown key 'claims'" in json.loads(raw)["error"]


def test_the_downloaded_derivation_reads_back_to_the_same_claims(server):
    claims = [{"id": "prime", "claim": r"\varphi'(u) = \mathbb{1}\{u > 0\}"},
              {"id": "slip", "claim": SLIP, "expect": False},
              {"id": "dead", "claim": r"\delta^{(L-1)}_i = 0", "given": [r"z^{(L-1)}_i \le 0", "u' > 0"]},
              {"id": "quote", "claim": "'a' = \"b\" # not a comment"}]
    net = {"sizes": [3, 4, 3], "activation": "leaky_relu", "negative_slope": 0.2}
    status, headers, raw = request(server, "POST", "/api/derivation",
                                   {"title": "mine", "network": net, "notation": {"scalars": ["u"]}, "claims": claims})
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    text = raw.decode()
    assert "|" in text                                  # primes in block scalars, not quoted
    spec = load_spec_text(text)
    assert spec.title == "mine" and spec.network.sizes == (3, 4, 3)
    assert str(spec.network.negative_slope) == "1/5"
    assert [(c.id, c.claim, c.given, c.expect) for c in spec.claims] == [
        (c["id"], c["claim"], tuple([c["given"]] if isinstance(c.get("given"), str) else c.get("given", ())),
         c.get("expect", True)) for c in claims]
    assert spec.notation.scalars and "u" in str(spec.notation.scalars)


def test_the_latex_report_download(server):
    status, headers, raw = request(server, "POST", "/api/check?format=tex",
                                   {"network": NET, "claims": [{"id": "slip", "claim": SLIP}]})
    assert status == 200 and headers["Content-Type"].startswith("application/x-tex")
    tex = raw.decode()
    assert tex.startswith("\\documentclass") and "refuted" in tex and tex.rstrip().endswith("\\end{document}")


# ----------------------------------------------------------------------------------------------
# bounds: a stale request is cancelled (its worker killed); binding elsewhere warns; the server's
# processes end with it




def _descendants(pid) -> list:
    stats = {int(d): _stat(int(d)) for d in os.listdir("/proc") if d.isdigit()}
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [q for q, st in stats.items() if st and st[1] == p and st[0] not in ("Z", "X")]
        out += kids
        todo += kids
    return out


def _wait(predicate, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_client_that_goes_away_cancels_its_claims_and_frees_the_checker():
    proc, url, _ = start_server("--timeout", "300", "--concurrency", "1", "--jobs", "1")
    seen = []
    try:
        host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
        body = json.dumps({"network": NET, "claims": [{"id": "slow", "claim": SLOW}]}).encode()
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"POST /api/check HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (host.encode(), port.encode(), len(body), body))

        def busy_worker():          # the slow claim's worker: a descendant past 1 s of CPU
            for p in _descendants(proc.pid):
                if p not in seen:
                    seen.append(p)
                st = _stat(p)
                if st and st[2] >= 1.0:
                    return p
            return None
        worker = _wait(busy_worker, 180)
        assert worker is not None, "the slow claim never ran"
        checker = _stat(worker)[1]          # the worker's parent: the checker process
        sock.close()                # the page aborts the stale request
        assert _wait(lambda: _stat(worker) is None or _stat(worker)[0] in ("Z", "X"), 60), \
            "the cancelled claim's worker is still running"
        status, doc = check(url, [{"id": "a", "claim": TRUE}])     # the only checker is free again
        assert status == 200 and doc["claims"][0]["verdict"] == "proved"
        # cancelled, not replaced: the same checker process lives on (replacing it is the fallback for a
        # checker that does not answer)
        assert _stat(checker) is not None and _stat(checker)[0] not in ("Z", "X") and _stat(checker)[1] == proc.pid
    finally:
        stop_server(proc)
        for p in seen:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_the_server_and_its_checkers():
    proc, url, _ = start_server()
    kids = _wait(lambda: _descendants(proc.pid), 30)
    assert kids, "no checker processes"
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    assert "Traceback" not in proc.stderr.read()
    assert _wait(lambda: all(_stat(p) is None or _stat(p)[0] in ("Z", "X") for p in kids), 30)


def test_binding_beyond_loopback_warns():
    proc, url, lines = start_server("--host", "0.0.0.0")
    try:
        assert any("warning" in ln and "not loopback" in ln for ln in lines), lines
        status, _, _ = request(url.replace("0.0.0.0", "127.0.0.1"), "GET", "/api/health")
        assert status == 200
    finally:
        stop_server(proc)


def test_loopback_names():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.org")


def test_cli_usage_errors_name_the_flag():
    out = subprocess.run([sys.executable, "-m", "symbackprop.cli", "serve", "--timeout", "0"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2 and "--timeout" in out.stderr and "Traceback" not in out.stderr


def test_every_file_of_the_page_is_package_data():
    """A non-editable install must serve the page: each file under symbackprop/web matches a package-data glob
    of pyproject.toml (a wheel built from it was checked to hold them), and KaTeX's licence ships with it."""
    import fnmatch
    tomllib = pytest.importorskip("tomllib")        # Python 3.11+
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "pyproject.toml"), "rb") as f:
        globs = tomllib.load(f)["tool"]["setuptools"]["package-data"]["symbackprop"]
    pkg = os.path.join(root, "symbackprop")
    files = [os.path.relpath(os.path.join(d, n), pkg) for d, _, names in os.walk(os.path.join(pkg, "web"))
             for n in names]
    assert "web/katex/LICENSE" in files and "web/index.html" in files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, g) and f.count("/") == g.count("/") for g in globs)]
    assert not missing, missing
