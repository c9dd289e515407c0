"""Command line: ``symbackprop derive|check|export|grade|serve``. The only module that prints or exits.

Signals.  SIGINT (Ctrl-C), SIGTERM (``timeout``, CI cancellation) and SIGHUP (a closed terminal) all stop
the run the same way: the workers are killed, ``check`` prints the verdicts that finished and marks the
other claims "not checked", and one line on stderr says what happened; the exit code is 128 + the
signal's number (130, 143, 129).  A second signal while that is printed exits at once with that code.

Output files.  ``-o`` never names an input (the derivation file, the reference, a submission, anything
in the submissions folder; compared by resolved path and by inode, so hard links count) -- a usage
error -- and is written atomically: a temporary file in the same directory, then ``os.replace``, so an
error or an interrupt leaves the old file (or none), never a half-written one.  An existing non-regular
target (``/dev/stdout``, a FIFO) is written in place.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import stat
import sys

from .errors import SymbackpropError
from .intake import display_name

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message):
        raise _Usage(message)


class _Usage(Exception):
    pass


class _Stopped(Exception):
    """A run stopped by a signal after printing what finished: one stderr line, exit 128 + signum."""

    def __init__(self, signum, message):
        super().__init__(message)
        self.signum = signum


def _bounded_arg(name):
    """An argparse type for the numeric limit ``name`` of ``runner.BOUNDS`` (range errors name the flag)."""
    from .runner import BOUNDS, bound_text, check_bound
    kind = BOUNDS[name][0]

    def parse(text):
        try:
            value = kind(text)
            return check_bound(name, value)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"must be {bound_text(name)}, got {text!r}") from None
    parse.__name__ = name
    return parse


_NET_OPTIONS = ("activation", "output", "loss", "weights", "relu_prime_at_zero", "negative_slope")


def _network_args(p, required=True):
    """--sizes and the network options; unset options keep ``Network``'s defaults."""
    p.add_argument("--sizes", required=required, help="layer widths d0,d1,...,dL, e.g. 3,4,4,3")
    for name in _NET_OPTIONS:
        p.add_argument("--" + name.replace("_", "-"), default=None)


def _network(a):
    from .network import Network
    try:
        sizes = tuple(int(s) for s in a.sizes.split(","))
    except ValueError:
        raise _Usage(f"--sizes must be comma-separated integers, got {a.sizes!r}") from None
    given = {k: getattr(a, k) for k in _NET_OPTIONS if getattr(a, k) is not None}
    return Network(sizes, **given)


def _bounded(func, job, a):
    """Run ``func(job)`` in a worker process under --timeout / --memory-mb (derive and export)."""
    from .runner import run_jobs
    res = run_jobs(func, [job], _limits(a))[0]
    if res.ok:
        return res.value
    what = {"timeout": "time limit", "memory": "memory limit"}.get(res.status, "worker failure")
    raise SymbackpropError(f"{what} ({res.detail}); give a smaller network or a larger --timeout/--memory-mb")


def _color(stream) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _derive_job(job):
    """Worker: the closed forms of a network as JSON-ready records (with the numeric witnesses)."""
    from .closed_forms import closed_forms
    from .report import derive_record
    net, points, seed = job
    numeric = None
    if points:
        from .numeric import verify
        numeric = verify(net, n_points=points, seed=seed)
    records = [derive_record(f, numeric.get(f.name.split(" ")[0]) if numeric else None) for f in closed_forms(net)]
    return records, all(r["proved"] for r in records) and (numeric is None or numeric.get("passed", True))


def _export_job(job):
    from .export import export_document
    net, fragment, expanded = job
    return export_document(net, fragment=fragment, expanded=expanded)


def _cmd_derive(a) -> int:
    from .report import render_derive_text
    net = _network(a)
    if a.format == "latex":               # the equations only (as export --fragment): no numeric work
        _write(_bounded(_export_job, (net, True, False), a), None)
        return 0
    records, ok = _bounded(_derive_job, (net, 0 if a.no_numeric else a.points, a.seed), a)
    if a.format == "json":
        print(json.dumps({"network": net.describe(), "closed_forms": records, "ok": ok}, indent=2))
    else:
        print(render_derive_text(net, records, _color(sys.stdout)))
        print("all closed forms proved and verified" if ok else "SOME CLOSED FORMS FAILED")
    return 0 if ok else 1


_LIMIT_FLAGS = {"timeout": "--timeout", "memory_mb": "--memory-mb", "workers": "--jobs",
                "file_timeout": "--file-timeout"}


def _limits(a):
    """The Limits of the command line (the flags' types already range-checked them)."""
    from .runner import Limits, check_bound
    given = {"timeout": a.timeout, "memory_mb": a.memory_mb, "workers": getattr(a, "jobs", None),
             "file_timeout": getattr(a, "file_timeout", None)}
    for name, value in given.items():
        if value is not None:
            try:
                check_bound(name, value, _LIMIT_FLAGS[name])
            except ValueError as e:
                raise _Usage(str(e)) from None
    return Limits(**given)


def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _inside(path, folder) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:
        return False


def _check_output(path, flag, inputs=(), folder=None):
    """Usage error if the output ``path`` is (or is a link to, or a hard link of) an input file: one of
    ``inputs`` ((kind, path) pairs) or a file in the submissions ``folder`` (an existing file anywhere
    under it, or a new *.yaml/*.yml there, which would become a submission). Nothing is written here."""
    if not path:
        return
    out = os.path.realpath(path)
    for kind, f in inputs:
        if f and (os.path.realpath(f) == out or _same_file(path, f)):
            raise _Usage(f"{flag} {display_name(path)} is the {kind} {display_name(f)}; refusing to overwrite "
                         f"an input, give another output file")
    if folder:
        from .spec import SUFFIXES
        where = f"the submissions folder {display_name(folder)}"
        if _inside(out, os.path.realpath(folder)):
            if os.path.lexists(out) or os.path.lexists(path):
                raise _Usage(f"{flag} {display_name(path)} is a file in {where}; refusing to overwrite it, "
                             f"write the output outside the folder")
            if os.path.splitext(out)[1].lower() in SUFFIXES:
                raise _Usage(f"{flag} {display_name(path)} would be a new submission in {where}; "
                             f"write the output outside the folder")
        try:
            entries = [e.path for e in os.scandir(folder)]
        except OSError:
            entries = []
        for e in entries:
            if _same_file(path, e):
                raise _Usage(f"{flag} {display_name(path)} is the same file as {display_name(e)} in the "
                             f"submissions folder; refusing to overwrite an input, give another output file")


def _write(text, path):
    """Write ``text`` to ``path`` atomically (temporary file + os.replace), or to stdout without a path."""
    if not path:
        sys.stdout.write(text)
        return
    name = display_name(path)
    target = os.path.realpath(path)           # through a link, as open() would
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise SymbackpropError(f"cannot write the output: {e.strerror or e}", file=name) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _Usage(f"{name}: is a directory; give the output file's name")
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):     # /dev/stdout, /dev/null, a FIFO
            with open(target, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            return
        _replace_atomically(target, text.encode("utf-8"), st)
    except OSError as e:
        raise SymbackpropError(f"cannot write the output: {e.strerror or e}", file=name) from None


def _replace_atomically(target, data: bytes, st):
    """A temporary file beside ``target`` with ``data`` (and the old file's mode), then os.replace."""
    folder = os.path.dirname(target) or "."
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".symbackprop-{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name in {folder}")
    try:
        try:
            if st is not None:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _print_check(reports, a):
    from .report import render_check_text
    if a.format == "json":
        docs = [r.to_dict() for r in reports]
        print(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False))
    elif a.format == "tex":
        from .export import export_report
        print(export_report(reports))
    else:
        print("\n\n".join(render_check_text(r, _color(sys.stdout)) for r in reports))


class _CheckStream:
    """``check``'s text output as the claims are decided: each claim is printed once every claim before
    it (in file order) is printed, so the text is the same as printed at the end, only sooner.  On a
    terminal's stderr a progress line (claims decided / claims) is redrawn in place and cleared before
    anything is printed on stdout, and at the end.  A terminal that went away (SIGHUP) ends the
    progress line, never the run."""

    def __init__(self, specs, only, out, err):
        from .suite import selected_claims
        self.specs, self.out, self.color = specs, out, _color(out)
        self.claims = [selected_claims(spec, only) for spec in specs]
        self.results = [[None] * len(c) for c in self.claims]
        self.total, self.decided = sum(len(c) for c in self.claims), 0
        self.file, self.claim, self.width = 0, 0, None
        self.bar = _progress_bar(err, clear=True) if err.isatty() else None

    def start(self):
        self._flush()

    def add(self, f, k, result):
        """A decided claim (``on_result`` of check_specs)."""
        if self.results[f][k] is None:
            self.decided += 1
        self.results[f][k] = result
        self._flush()

    def finish(self, reports):
        """Print what is left, taking the results still missing from ``reports`` (an interrupted run);
        the reports as printed."""
        for f, rep in enumerate(reports):
            for k, r in enumerate(rep.results):
                if self.results[f][k] is None:
                    self.results[f][k] = r
        self.decided = self.total
        self._flush(end=True)
        from .suite import FileReport
        return [FileReport(spec, tuple(rs)) for spec, rs in zip(self.specs, self.results)]

    def _flush(self, end=False):
        from .report import check_text_claim, check_text_head, check_text_summary, check_text_width
        from .suite import FileReport
        lines = []
        while self.file < len(self.specs):
            f = self.file
            if self.width is None:
                self.width = check_text_width(c.id for c in self.claims[f])
                lines += check_text_head(self.specs[f], self.color)
            while self.claim < len(self.claims[f]) and self.results[f][self.claim] is not None:
                lines += check_text_claim(self.results[f][self.claim], self.width, self.color)
                self.claim += 1
            if self.claim < len(self.claims[f]):
                break
            lines.append(check_text_summary(FileReport(self.specs[f], tuple(self.results[f])), self.color))
            self.file, self.claim, self.width = f + 1, 0, None
            if self.file < len(self.specs):
                lines.append("")
        if self.bar is not None and (lines or end):
            self.bar = self.bar.clear()
        if lines:
            self.out.write("\n".join(lines) + "\n")
            self.out.flush()
        if self.bar is not None and not end:
            self.bar = self.bar.show(self.decided, self.total, "claims decided")


def _cmd_check(a) -> int:
    from .spec import load_spec
    from .suite import CheckInterrupted, check_specs, signal_name, unchecked_report
    limits = _limits(a)
    specs = [load_spec(path, notation=a.notation) for path in a.files]   # every file is read before any is checked
    only = set(a.only) if a.only else None
    if a.only:
        known = {c.id for spec in specs for c in spec.claims}
        unknown = [i for i in a.only if i not in known]
        if unknown:
            raise _Usage(f"--only {unknown[0]!r} names no claim of the given files")
    stream = _CheckStream(specs, only, sys.stdout, sys.stderr) if a.format == "text" else None
    try:
        if stream is not None:
            stream.start()
        reports = check_specs(specs, limits, only=only, on_result=stream.add if stream is not None else None)
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        _exit_on_next_signal()
        why = f"interrupted by {signal_name(signum)}"
        reports = e.reports if isinstance(e, CheckInterrupted) else [unchecked_report(s, why, only) for s in specs]
        try:
            if stream is not None:
                reports = stream.finish(reports)
            else:
                _print_check(reports, a)
            sys.stdout.flush()
        except OSError:                     # SIGHUP: the terminal may be gone
            pass
        results = [r for rep in reports for r in rep.results]
        skipped = sum(1 for r in results if r.verdict == "inconclusive" and r.message.startswith("not checked:"))
        raise _Stopped(signum, f"{why}: {skipped} of {len(results)} claims not checked "
                               f"(the verdicts that finished are printed)") from None
    if stream is not None:
        stream.finish(reports)
    else:
        _print_check(reports, a)
    return 0 if all(r.ok for r in reports) else 1


class _Bar:
    """A progress line redrawn in place on a terminal (``[####....] 3/10 what``, after a carriage return);
    an error writing it (the terminal is gone) turns it off: the methods then return None."""

    def __init__(self, stream, width=20):
        self.stream, self.width, self.shown = stream, width, 0

    def _write(self, text):
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            return None
        return self

    def show(self, done, total, name):
        from .report import terminal_safe
        filled = self.width * done // total if total else self.width
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {terminal_safe(name)[:60]}".rstrip()
        text = "\r" + line.ljust(self.shown)
        self.shown = len(line)
        return self._write(text)

    def clear(self):
        """Blank the line (spaces, no escape sequence) and return to its start."""
        if not self.shown:
            return self
        text, self.shown = "\r" + " " * self.shown + "\r", 0
        return self._write(text)


def _progress_bar(stream, width=20, clear=False):
    """``progress(done, total, name)`` redrawing ``[####....] 3/10 name`` in place (after a carriage return);
    at ``done == total`` it ends the line (or, with ``clear``, blanks it).  With ``clear`` the bar itself
    is returned (``show``/``clear``) for callers that print between updates."""
    bar = _Bar(stream, width)
    if clear:
        return bar

    def show(done, total, name):
        bar.show(done, total, name)
        if done >= total:
            bar._write("\n")
    return show


def _cell(value):
    """A CSV cell a spreadsheet will not run as a formula (file names and messages come from users)."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cmd_grade(a) -> int:
    import csv
    import io
    from .grade import grade_dir
    limits = _limits(a)
    _check_output(a.output, "-o/--output", [("reference file", a.against)], folder=a.directory)
    progress = _progress_bar(sys.stderr) if sys.stderr.isatty() else None
    table = grade_dir(a.directory, a.against, limits, progress=progress)
    if a.format == "json":
        text = json.dumps(table.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(table.header())
        writer.writerows([[_cell(v) for v in row] for row in table.records()])
        text = buf.getvalue()
    _check_output(a.output, "-o/--output", [("reference file", a.against)], folder=a.directory)
    _write(text, a.output)
    for r in table.rows:
        if r.ignored_ids:
            print(f"symbackprop: note: {r.submission}: ids not graded by the reference, ignored: "
                  f"{', '.join(r.ignored_ids)}", file=sys.stderr)
    return 0 if table.ok else 1


def _cmd_export(a) -> int:
    if bool(a.sizes) == bool(a.spec):
        raise _Usage("give either --sizes (and the other network options) or --from FILE")
    _check_output(a.outfile, "-o/--out-file", [("derivation file (--from)", a.spec)])
    if a.spec:
        from .spec import load_spec
        extra = [k for k in _NET_OPTIONS if getattr(a, k) is not None]
        if extra:
            raise _Usage(f"--{extra[0].replace('_', '-')} cannot be combined with --from (the file gives the network)")
        net = load_spec(a.spec).network
    else:
        net = _network(a)
    text = _bounded(_export_job, (net, a.fragment, a.expanded), a)
    _check_output(a.outfile, "-o/--out-file", [("derivation file (--from)", a.spec)])
    _write(text, a.outfile)
    return 0


def _work_limits(p, timeout):
    p.add_argument("--timeout", type=_bounded_arg("timeout"), default=timeout,
                   help=f"seconds for the whole job (default {timeout:g})")
    p.add_argument("--memory-mb", type=_bounded_arg("memory_mb"), default=4096, help="memory cap of the job (MiB)")


def _claim_limits(p):
    """--timeout, --memory-mb, --jobs and --file-timeout of check and grade."""
    p.add_argument("--timeout", type=_bounded_arg("timeout"), default=20.0, help="seconds per claim")
    p.add_argument("--memory-mb", type=_bounded_arg("memory_mb"), default=2048, help="memory cap per claim (MiB)")
    p.add_argument("--jobs", type=_bounded_arg("workers"), default=None, help="parallel workers (default: cores)")
    p.add_argument("--file-timeout", type=_bounded_arg("file_timeout"), default=None, metavar="SECONDS",
                   help="time budget of each file: claims not finished by then end inconclusive "
                        "('file time budget exhausted')")


# ---- serve (issue 14): a local page and JSON API; the server itself lives in serve.py
def _cmd_serve(a) -> int:
    from .runner import Limits
    from .serve import ServeOptions, is_loopback, make_server
    if not is_loopback(a.host):
        print(f"symbackprop: warning: serving on {a.host}, not loopback: anyone who can reach this address can "
              f"make this machine check claims (each bounded by --timeout/--memory-mb)", file=sys.stderr)
    opts = ServeOptions(a.host, a.port, Limits(timeout=a.timeout, memory_mb=a.memory_mb, workers=a.jobs),
                        a.concurrency)
    try:
        server = make_server(opts, log=(lambda line: print(line, file=sys.stderr)) if a.verbose else None)
    except OSError as e:
        raise SymbackpropError(f"cannot listen on {a.host}:{a.port}: {e.strerror or e}", key="--port") from None
    print(f"symbackprop: serving {server.url} (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("symbackprop: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def _serve_parser(sub):
    s = sub.add_parser("serve", help="a local web page: type claims, see how each was read and its verdict",
                       description="Serves a page and a JSON API (POST /api/check, /api/derive, GET /api/health) "
                                   "on loopback; every claim runs in a bounded worker as with check.")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others warn)")
    s.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    s.add_argument("--timeout", type=_bounded_arg("timeout"), default=10.0, help="seconds per claim")
    s.add_argument("--memory-mb", type=_bounded_arg("memory_mb"), default=2048, help="memory cap per claim (MiB)")
    s.add_argument("--jobs", type=_bounded_arg("workers"), default=None, help="parallel workers per request")
    s.add_argument("--concurrency", type=_bounded_arg("workers"), default=2,
                   help="requests checked at once (checker processes)")
    s.add_argument("--verbose", action="store_true", help="log each request on stderr")
    s.set_defaults(func=_cmd_serve)
# ---- end serve


def build_parser():
    """The argument parser (public for docs and tests)."""
    p = _Parser(prog="symbackprop", description="Check backpropagation derivations symbolically.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    d = sub.add_parser("derive", help="derive and prove the closed-form gradients of a network")
    _network_args(d)
    d.add_argument("--format", choices=("text", "json", "latex"), default="text")
    d.add_argument("--points", type=_bounded_arg("points"), default=3, help="numeric witness points")
    d.add_argument("--seed", type=_bounded_arg("seed"), default=0)
    d.add_argument("--no-numeric", action="store_true", help="skip the numeric witnesses")
    _work_limits(d, 300.0)
    d.set_defaults(func=_cmd_derive)
    c = sub.add_parser("check", help="check the claims of derivation files")
    c.add_argument("files", nargs="+")
    c.add_argument("--format", choices=("text", "json", "tex"), default="text")
    _claim_limits(c)
    c.add_argument("--only", action="append", help="check only this claim id (repeatable)")
    c.add_argument("--notation", default=None, metavar="PRESET|MAPPING",
                   help="notation of files that declare none: a preset (nielsen, cs231n, deeplearning-ai, d2l, bishop, "
                        "goodfellow, ufldl) or a JSON/YAML mapping of fields")
    c.set_defaults(func=_cmd_check)
    e = sub.add_parser("export", help="write the closed-form gradients of a network as LaTeX",
                       description="A complete LaTeX document (article, amsmath/amssymb) of every layer's "
                                   "delta, gradient of W and of b, with shapes and assumptions.")
    _network_args(e, required=False)
    e.add_argument("--from", dest="spec", metavar="FILE", help="take the network of this derivation file")
    e.add_argument("--to", choices=("tex",), default="tex", help="output format (LaTeX)")
    e.add_argument("-o", "--out-file", dest="outfile", metavar="FILE", help="write to FILE instead of stdout")
    e.add_argument("--fragment", action="store_true", help="only the equations, for pasting into notes")
    e.add_argument("--expanded", action="store_true",
                   help="also every entry, one chain-rule step at a time (small networks only)")
    _work_limits(e, 300.0)
    e.set_defaults(func=_cmd_export)
    g = sub.add_parser("grade", help="grade a directory of submissions against a reference derivation file",
                       description="One row per submission (*.yaml/*.yml directly in DIRECTORY), one column per "
                                   "reference claim. Exit 0 when every submission was graded, 1 when some row "
                                   "has an error (unreadable file, other network), 2 on usage errors.")
    g.add_argument("directory", help="directory of submissions (not searched recursively)")
    g.add_argument("--against", required=True, metavar="REFERENCE", help="the reference derivation file")
    g.add_argument("--format", choices=("csv", "json"), default="csv")
    g.add_argument("-o", "--output", metavar="FILE", help="write the table to FILE instead of stdout")
    _claim_limits(g)
    g.set_defaults(func=_cmd_grade)
    _serve_parser(sub)
    return p


def _exit_on_next_signal():
    """After the first interrupt: a second SIGINT/SIGTERM/SIGHUP ends the process at once (128 + number)."""
    import threading
    from .runner import interrupt_on_signals
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in interrupt_on_signals.SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, lambda signum, frame: os._exit(128 + signum))


def main(argv=None) -> int:
    """Entry point; returns the exit code (0 ok, 1 a claim/form failed, 2 usage error, 128 + N on signal N)."""
    from .runner import interrupt_on_signals
    from .suite import signal_name
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")          # ✓ ≈ on an ASCII terminal: replaced, not a crash
    with interrupt_on_signals():                          # SIGTERM and SIGHUP stop the run like Ctrl-C
        try:
            args = build_parser().parse_args(argv)
            code = args.func(args)
        except _Usage as e:
            print(f"symbackprop: error: {e}", file=sys.stderr)
            code = 2
        except SymbackpropError as e:
            print(f"symbackprop: error: {e.one_line()}", file=sys.stderr)
            code = 2
        except _Stopped as e:
            print(f"symbackprop: {e}", file=sys.stderr)
            code = 128 + e.signum
        except KeyboardInterrupt as e:
            _exit_on_next_signal()
            signum = getattr(e, "signum", signal.SIGINT)
            print(f"symbackprop: interrupted by {signal_name(signum)}", file=sys.stderr)
            code = 128 + signum
        except BrokenPipeError:                                 # `symbackprop check … | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
