"""``symbackprop serve``: a local web page and JSON API over the same bounded checker as ``check``.

Server.  The standard library's ``ThreadingHTTPServer``: the API is four routes of JSON in, JSON out,
so a framework would add a dependency (and its own request parsing to audit) for nothing the page
needs.  The page and KaTeX are static files shipped in ``symbackprop/web`` (package data), served from
a table read at start-up: a path not in the table is a 404, never a file-system lookup.

Checking.  A request never runs in the server's threads.  ``concurrency`` checker processes (spawned:
single-threaded, so each forks its claim workers exactly as ``check`` does) take one request each: the
network and claims of the JSON body become a :class:`~symbackprop.spec.DerivationSpec` through
:func:`~symbackprop.spec.load_spec_data` (the strict loader of derivation files: same keys, same
messages), and :func:`~symbackprop.suite.check_specs` runs every claim in its own worker under the
per-claim time and memory limits, with the request's time budget as the file budget.  A request
waits at most ``QUEUE_SECONDS`` for a free checker (else 503).  A client that goes away (the page
aborts a stale request while one types) cancels its request: the checker gets SIGUSR1, which raises
:class:`~symbackprop.runner.Interrupted` inside ``check_specs`` -- the runner kills the claim workers
on the way out -- and the checker is free for the next request.  A checker that dies is replaced.

Bounds.  Bodies over ``MAX_BODY_BYTES`` (413), more than ``MAX_REQUEST_CLAIMS`` claims, JSON nested
deeper than the loader allows, duplicate keys, NaN: errors before any checker is involved; at most
``MAX_CONNECTIONS`` connections are served at once (503 beyond).  Nothing in a request is executed.
Errors are JSON ``{"error": <the one-line message the CLI prints>, "status": <code>}``.

Exposure.  Loopback by default; another ``--host`` is allowed with a warning (the CLI prints it).
Requests whose ``Host`` is not the address served (DNS rebinding) or whose ``Origin`` is another site
are refused, and every response forbids framing and inline scripts (Content-Security-Policy).

One module of about 600 lines: the HTTP handler and the checker processes share the request protocol
(kinds, replies, cancellation), which stays private this way.
"""
from __future__ import annotations

import atexit
import ipaddress
import json
import multiprocessing as mp
import os
import queue
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

from .errors import SpecError, SymbackpropError
from .runner import Limits

__all__ = ["ServeOptions", "Server", "make_server", "derivation_yaml", "is_loopback", "options_record",
           "MAX_BODY_BYTES", "MAX_REQUEST_CLAIMS"]

MAX_BODY_BYTES = 256 << 10          # a request of 100 claims of 2,000 characters fits
MAX_REQUEST_CLAIMS = 100
MAX_CONNECTIONS = 32
QUEUE_SECONDS = 20.0                # how long a request waits for a free checker
REQUEST_BUDGET = 120.0              # seconds for all claims of one request (the file budget of check)
DERIVE_SECONDS = 120.0
READY_SECONDS = 120.0               # start-up waits this long at most for the checkers' warm-up
REPLY_GRACE = 15.0                  # beyond the budget: a checker silent this long is replaced
SOURCE = "request"                  # the 'file' of a request's messages
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".woff2": "font/woff2", ".png": "image/png", "": "text/plain"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class ServeOptions:
    """The server's settings: per-claim limits (as ``check``), checker processes, bind address."""

    def __init__(self, host="127.0.0.1", port=8000, limits: Limits | None = None, concurrency=2):
        self.host, self.port, self.concurrency = host, port, concurrency
        self.limits = limits or Limits(timeout=10.0, memory_mb=2048, workers=None)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address) is this machine only."""
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ----------------------------------------------------------------------------------------------
# the request body -> specs (in the server, before any checker is used)


class RequestError(SymbackpropError):
    """A request that cannot be served; ``status`` is its HTTP status."""

    def __init__(self, message, status=400, **where):
        super().__init__(message, **where)
        self.status = status


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    for k in keys:
        if keys.count(k) > 1:
            raise RequestError(f"duplicate key {k!r} in the JSON body")
    return dict(pairs)


def _no_constant(name):
    raise RequestError(f"{name} is not a number here; give a finite number")


def parse_body(data: bytes) -> dict:
    """The JSON object of a request body (UTF-8, no duplicate keys, no NaN/Infinity, bounded depth)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError(f"the body is not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise RequestError(f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise RequestError("invalid JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise RequestError("the body must be a JSON object with keys network, notation, claims")
    from .spec import MAX_NESTING
    level = [doc]
    for _ in range(MAX_NESTING):            # as a derivation file's YAML: at most MAX_NESTING levels
        level = [v for x in level for v in (x.values() if isinstance(x, dict) else x)
                 if isinstance(v, (dict, list))]
        if not level:
            return doc
    raise RequestError(f"the JSON body is nested deeper than {MAX_NESTING} levels")


def request_spec(doc: dict):
    """The DerivationSpec of a check request (``title``, ``network``, ``notation``, ``claims``): the keys and
    messages of a derivation file (:func:`spec.load_spec_data`); at most MAX_REQUEST_CLAIMS claims."""
    from .spec import load_spec_data
    claims = doc.get("claims")
    if isinstance(claims, list) and len(claims) > MAX_REQUEST_CLAIMS:
        raise RequestError(f"{len(claims)} claims; a request is limited to {MAX_REQUEST_CLAIMS} (send them in parts)",
                           file=SOURCE, key="claims")
    return load_spec_data(doc, SOURCE)


def request_network(doc: dict):
    """The Network of a derive request ``{"network": {...}}`` (the keys and messages of a file's network)."""
    from .spec import load_spec_data
    extra = [k for k in doc if k != "network"]
    if extra:
        raise RequestError(f"unknown key {extra[0]!r}; a derive request has only 'network'", file=SOURCE, key=extra[0])
    probe = {"network": doc.get("network"), "claims": [{"id": "x", "claim": "x"}]}
    if "network" not in doc:
        raise RequestError("missing required key 'network'", file=SOURCE, key="network")
    return load_spec_data(probe, SOURCE).network


def derivation_yaml(spec, notation=None) -> str:
    """A derivation file (YAML) of a request's spec (and its ``notation`` section as sent): claims with a
    prime or backslash as ``|`` blocks, so primes need no quoting.
    It reads back (``load_spec_text``) to the same network and claims; the tests hold it to that."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):
        style = "|" if ("'" in value or "\\" in value or "\n" in value) and value == value.strip() else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)
    _Dumper.add_representer(str, text)
    from .rules import ACTIVATIONS
    used = {p for name in spec.network.activation_names for p in ACTIVATIONS[name].params}
    net = {k: (_number(v) if k in used else v) for k, v in spec.network.describe().items()
           if k in used or k in ("sizes", "activation", "output", "loss", "weights")}
    doc = {}
    if spec.title:
        doc["title"] = spec.title
    doc["network"] = net
    if notation is not None:
        doc["notation"] = notation
    claims = []
    for c in spec.claims:
        item = {"id": c.id, "claim": c.claim}
        if c.given:
            item["given"] = list(c.given) if len(c.given) > 1 else c.given[0]
        if not c.expect:
            item["expect"] = False
        claims.append(item)
    doc["claims"] = claims
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=None)


def _number(text):
    """'1/100' -> 0.01 where that is exact, else the string (the loader reads '1/3' as a fraction)."""
    from fractions import Fraction
    f = Fraction(str(text))
    return int(f) if f.denominator == 1 else (float(f) if Fraction(float(f)) == f else str(f))


def options_record() -> dict:
    """The choices of the page's controls, from the rule tables (a new row shows up on the page)."""
    from .notation.profiles import PRESETS
    from .rules import ACTIVATIONS, LOSSES, OUTPUTS, PARAMETERS, defined_on
    return {"activations": list(ACTIVATIONS), "outputs": list(OUTPUTS), "losses": list(LOSSES),
            "pairs": [[o, loss] for o in OUTPUTS for loss in LOSSES if defined_on(o, loss)],
            "weights": ["outgoing", "incoming"], "presets": [p for p in PRESETS if p != "deeplearning.ai"],
            "parameters": {p.name: str(p.default) for p in PARAMETERS.values()},
            "limits": {"claims": MAX_REQUEST_CLAIMS, "bytes": MAX_BODY_BYTES}}


# ----------------------------------------------------------------------------------------------
# checker processes (single-threaded, so check_specs forks its workers as ``check`` does)


def _derive_job(net):
    """Worker: the closed forms of ``net`` as ``derive --format json --no-numeric`` records."""
    from .closed_forms import closed_forms
    from .report import derive_record
    records = [derive_record(f) for f in closed_forms(net)]
    return records, all(r["proved"] for r in records)


def _work(kind, payload, limits: Limits):
    """One request in a checker: ('check', spec) -> check --format json's document (schema 1); ('tex', spec) -> LaTeX report;
    ('derive', net) -> the derive document."""
    from dataclasses import replace
    from .resultcache import open_cache
    from .runner import run_jobs
    from .suite import check_specs
    if kind in ("check", "tex"):
        cache = open_cache()          # as one types, the claims not edited are answered from it
        try:
            report = check_specs([payload], replace(limits, file_timeout=REQUEST_BUDGET), cache=cache)[0]
        finally:
            if cache is not None:
                cache.close()
        if kind == "tex":
            from .export import export_report
            return export_report([report])
        from importlib.metadata import PackageNotFoundError, version
        from .report import check_document
        try:
            ver = version("symbackprop")
        except PackageNotFoundError:
            ver = None
        return check_document([report], ver)          # the very document of check --format json (schema 1)
    res = run_jobs(_derive_job, [payload], replace(limits, timeout=DERIVE_SECONDS))[0]
    if not res.ok:
        what = {"timeout": "time limit", "memory": "memory limit"}.get(res.status, "worker failure")
        raise SymbackpropError(f"{what} ({res.detail}); give a smaller network")
    records, ok = res.value
    return {"network": payload.describe(), "closed_forms": records, "ok": ok}


def _checker_main(conn, cancel, limits, warm):
    """A checker process: answer requests from ``conn`` until the server closes it (EOF)."""
    from .runner import Interrupted
    from .suite import prepare_workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # Ctrl-C reaches the server, which closes us
    busy = [None]

    def on_cancel(signum, frame):
        if busy[0] is not None and busy[0] == cancel.value:
            raise Interrupted(signal.SIGUSR1)
    signal.signal(signal.SIGUSR1, on_cancel)
    try:
        prepare_workers(warm, limits)
    except Exception:       # noqa: BLE001 - a failed warm-up only costs time later
        pass
    try:
        conn.send(("ready", None))
    except (OSError, ValueError):
        return
    while True:
        busy[0] = None
        try:
            rid, kind, payload = conn.recv()
        except (EOFError, OSError):
            return
        except KeyboardInterrupt:
            continue
        try:
            busy[0] = rid
            try:
                reply = ("ok", _work(kind, payload, limits))
            finally:
                busy[0] = None
        except KeyboardInterrupt:
            reply = ("cancelled", None)
        except SymbackpropError as e:
            reply = ("error", e.one_line())
        except Exception as e:  # noqa: BLE001 - a bug answers 500, the checker goes on
            reply = ("crashed", f"{type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Checker:
    """The server's end of one checker process."""

    def __init__(self, ctx, limits, warm):
        self.conn, child = ctx.Pipe()
        self.cancel = ctx.Value("q", 0, lock=False)
        self.process = ctx.Process(target=_checker_main, args=(child, self.cancel, limits, warm),
                                   name="symbackprop-checker")     # not daemonic: it forks workers
        self.process.start()
        child.close()
        self.warming = True

    def ready(self, seconds):
        """Wait (at most ``seconds``) for the checker's 'ready' after its warm-up."""
        if self.warming and self.conn.poll(seconds):
            try:
                self.conn.recv()
            except (EOFError, OSError):
                pass
            self.warming = False

    def stop(self):
        try:
            self.conn.close()
        except OSError:
            pass
        self.process.join(2.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2.0)


class _Pool:
    """``size`` checkers; a request takes one (waiting at most QUEUE_SECONDS) and gives it back."""

    def __init__(self, size, limits, warm=()):
        self.ctx = mp.get_context("spawn")      # a clean single-threaded process, whatever our threads do
        self.limits, self.warm = limits, tuple(warm)
        self.free = queue.Queue()
        self.all = []
        self.lock = threading.Lock()
        self.next_id = 0
        for _ in range(size):
            self._add()
        atexit.register(self.close)     # before multiprocessing joins its children at exit
        for checker in list(self.all):  # warm before the first request (else it waits for the warm-up)
            checker.ready(READY_SECONDS)

    def _add(self):
        checker = _Checker(self.ctx, self.limits, self.warm)
        with self.lock:
            self.all.append(checker)
        self.free.put(checker)

    def _replace(self, checker):
        with self.lock:
            if checker in self.all:
                self.all.remove(checker)
        threading.Thread(target=checker.stop, daemon=True).start()
        self._add()

    def run(self, kind, payload, gone, budget):
        """The checker's reply ('ok'|'error'|'crashed'|'cancelled', value); ``gone()`` says the client left."""
        try:
            checker = self.free.get(timeout=QUEUE_SECONDS)
        except queue.Empty:
            raise RequestError(f"the server is busy ({len(self.all)} requests being checked); try again",
                               status=503) from None
        with self.lock:
            self.next_id += 1
            rid = self.next_id
        try:
            checker.ready(QUEUE_SECONDS)
            checker.conn.send((rid, kind, payload))
            reply = self._wait(checker, rid, gone, budget)
        except (EOFError, OSError, ValueError):
            reply = None
        if reply is None:
            self._replace(checker)
            return "crashed", "the checker process ended; it has been restarted, send the request again"
        self.free.put(checker)
        return reply

    def _wait(self, checker, rid, gone, budget):
        end, cancelled = time.monotonic() + budget + REPLY_GRACE, False
        while True:
            if checker.conn.poll(0.05):
                reply = checker.conn.recv()
                if reply[0] != "ready":         # a warm-up that outlasted ready(): its late notice
                    return reply
                checker.warming = False
                continue
            if time.monotonic() > end or not checker.process.is_alive():
                return None
            if not cancelled and gone():
                checker.cancel.value = rid
                os.kill(checker.process.pid, signal.SIGUSR1)
                cancelled, end = True, time.monotonic() + REPLY_GRACE

    def close(self):
        for checker in list(self.all):
            checker.stop()


# ----------------------------------------------------------------------------------------------
# HTTP


def _static_files() -> dict:
    """URL path -> (bytes, content type) of every file under symbackprop/web (read once)."""
    root = resources.files("symbackprop") / "web"
    out = {}

    def walk(node, prefix):
        for entry in node.iterdir():
            name = prefix + entry.name
            if entry.is_dir():
                walk(entry, name + "/")
            elif not entry.name.startswith("."):
                ext = os.path.splitext(entry.name)[1]
                out["/static/" + name] = (entry.read_bytes(), _TYPES.get(ext, "application/octet-stream"))
    walk(root, "")
    out["/"] = out["/static/index.html"]
    return out


class _Handler(BaseHTTPRequestHandler):
    server_version = "symbackprop"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30                        # a client that sends nothing for 30 s is dropped

    def log_message(self, format, *args):       # noqa: A002 - the base class's name
        log = self.server.log
        if log is not None:
            log(f"{self.address_string()} {format % args}")

    # -- responses

    def _send(self, status, body: bytes, ctype, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", CSP)
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, doc):
        self._send(status, json.dumps(doc, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _error(self, status, message):
        self._json(status, {"error": message, "status": status})

    # -- checks common to every request

    def _host_ok(self) -> bool:
        """The Host header names the address served (no DNS rebinding); any host if bound elsewhere."""
        if not self.server.loopback:
            return True
        host = (self.headers.get("Host") or "").strip()
        name = urlsplit("//" + host).hostname or ""
        return is_loopback(name)

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is None:
            return True
        return urlsplit(origin).netloc == (self.headers.get("Host") or "")

    def _guard(self) -> bool:
        if not self._host_ok():
            self._error(421, "the Host header does not name this server (serve binds to loopback)")
            return False
        return True

    # -- routes

    def do_GET(self):                   # noqa: N802 - http.server's name
        if not self._guard():
            return
        path = urlsplit(self.path).path
        if path == "/api/health":
            self._json(200, {"ok": True, "checkers": self.server.options.concurrency,
                             "timeout": self.server.options.limits.timeout,
                             "memory_mb": self.server.options.limits.memory_mb})
        elif path == "/api/options":
            self._json(200, options_record())
        elif path in self.server.static:
            body, ctype = self.server.static[path]
            self._send(200, body, ctype)
        else:
            self._error(404, f"no such page: {path[:200]}")

    do_HEAD = do_GET

    def do_POST(self):                  # noqa: N802
        if not self._guard():
            return
        if not self._origin_ok():
            self._error(403, "cross-origin requests are refused")
            return
        path, query = urlsplit(self.path).path, urlsplit(self.path).query
        routes = {"/api/check": self._check, "/api/derive": self._derive, "/api/derivation": self._yaml}
        if path not in routes:
            self._error(404, f"no such API: {path[:200]}")
            return
        try:
            doc = parse_body(self._body())
            routes[path](doc, query)
        except RequestError as e:
            self.close_connection = self.close_connection or e.status in (411, 413)
            self._error(e.status, e.one_line())
        except SymbackpropError as e:
            self._error(400, e.one_line())

    def _body(self) -> bytes:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise RequestError("send the request as Content-Type: application/json", status=415)
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise RequestError("a Content-Length header is required", status=411)
        if int(length) > MAX_BODY_BYTES:
            raise RequestError(f"the request is {int(length)} bytes; the limit is {MAX_BODY_BYTES}", status=413)
        return self.rfile.read(int(length))

    def _gone(self) -> bool:
        """Whether the client closed the connection (the page aborted a stale request)."""
        sock = self.connection
        try:
            timeout = sock.gettimeout()     # the idle timeout of the connection, kept
            sock.settimeout(0)              # (with a timeout, recv would first wait that long)
            try:
                return sock.recv(1, socket.MSG_PEEK) == b""
            finally:
                sock.settimeout(timeout)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True

    def _run(self, kind, payload, budget):
        status, value = self.server.pool.run(kind, payload, self._gone, budget)
        if status == "ok":
            return value
        if status == "cancelled":
            self.close_connection = True
            raise RequestError("cancelled: the client closed the connection", status=499)
        raise RequestError(value, status=400 if status == "error" else 500)

    def _check(self, doc, query):
        spec = request_spec(doc)
        if query == "format=tex":
            text = self._run("tex", spec, REQUEST_BUDGET)
            self._send(200, text.encode("utf-8"), "application/x-tex; charset=utf-8",
                       [("Content-Disposition", 'attachment; filename="report.tex"')])
        elif query in ("", "format=json"):
            self._json(200, self._run("check", spec, REQUEST_BUDGET))
        else:
            raise RequestError(f"unknown query {query[:100]!r}; use format=json or format=tex")

    def _derive(self, doc, query):
        self._json(200, self._run("derive", request_network(doc), DERIVE_SECONDS))

    def _yaml(self, doc, query):
        text = derivation_yaml(request_spec(doc), doc.get("notation"))
        self._send(200, text.encode("utf-8"), "application/yaml; charset=utf-8",
                   [("Content-Disposition", 'attachment; filename="derivation.yaml"')])


class Server(ThreadingHTTPServer):
    """The HTTP server with its checker pool; at most MAX_CONNECTIONS requests are handled at once."""
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, options: ServeOptions, log=None, warm=()):
        self.options, self.log, self.loopback = options, log, is_loopback(options.host)
        self.static = _static_files()
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        if ":" in options.host:
            self.address_family = socket.AF_INET6
        super().__init__((options.host, options.port), _Handler)
        self.pool = _Pool(options.concurrency, options.limits, warm)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            try:
                body = b'{"error": "too many connections; try again", "status": 503}'
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                                b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def server_close(self):
        super().server_close()
        self.pool.close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def make_server(options: ServeOptions, log=None, warm=None) -> Server:
    """A bound server (port 0: a free port) with its checkers started and warmed for ``warm`` networks
    (default: the page's first network); ``serve_forever()`` serves it, ``server_close()`` ends it."""
    if warm is None:
        from .network import Network
        warm = (Network((3, 4, 4, 3)),)
    return Server(options, log, warm)
