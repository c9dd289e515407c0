"""Command line: ``symbackprop derive|check|export|grade``. The only module that prints or exits."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .errors import SymbackpropError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message):
        raise _Usage(message)


class _Usage(Exception):
    pass


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
    if a.points < 1 or a.seed < 0:
        raise _Usage("--points must be at least 1 and --seed at least 0")
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


def _limits(a):
    from .runner import Limits
    for flag, value, low in (("--timeout", a.timeout, 0), ("--memory-mb", a.memory_mb, 0),
                             ("--jobs", getattr(a, "jobs", None), 0)):
        if value is not None and not value > low:
            raise _Usage(f"{flag} must be a positive number, got {value}")
    try:
        return Limits(timeout=a.timeout, memory_mb=a.memory_mb, workers=getattr(a, "jobs", None))
    except ValueError as e:
        raise _Usage(str(e)) from None


def _write(text, path):
    """Write ``text`` to ``path``, or to stdout when no path is given."""
    if not path:
        sys.stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as e:
        raise SymbackpropError(f"cannot write the output: {e.strerror or e}", file=path) from None


def _cmd_check(a) -> int:
    from .report import render_check_text
    from .spec import load_spec
    from .suite import check_spec
    limits = _limits(a)
    specs = [load_spec(path) for path in a.files]       # every file is read before any is checked
    if a.only:
        known = {c.id for spec in specs for c in spec.claims}
        unknown = [i for i in a.only if i not in known]
        if unknown:
            raise _Usage(f"--only {unknown[0]!r} names no claim of the given files")
    reports = [check_spec(spec, limits, only=set(a.only) if a.only else None) for spec in specs]
    if a.format == "json":
        docs = [r.to_dict() for r in reports]
        print(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2, ensure_ascii=False))
    elif a.format == "tex":
        from .export import export_report
        print(export_report(reports))
    else:
        print("\n\n".join(render_check_text(r, _color(sys.stdout)) for r in reports))
    return 0 if all(r.ok for r in reports) else 1


def _progress_bar(stream, width=20):
    """``progress(done, total, name)`` redrawing ``[####....] 3/10 name`` in place (after a carriage return)."""
    shown = [0]

    def show(done, total, name):
        filled = width * done // total if total else width
        line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:60]}".rstrip()
        stream.write("\r" + line.ljust(shown[0]) + ("\n" if done >= total else ""))
        stream.flush()
        shown[0] = len(line)
    return show


def _cell(value):
    """A CSV cell a spreadsheet will not run as a formula (file names and messages come from users)."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cmd_grade(a) -> int:
    import csv
    import io
    from .grade import grade_dir
    limits = _limits(a)
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
    _write(text, a.output)
    for r in table.rows:
        if r.ignored_ids:
            print(f"symbackprop: note: {r.submission}: ids not graded by the reference, ignored: "
                  f"{', '.join(r.ignored_ids)}", file=sys.stderr)
    return 0 if table.ok else 1


def _cmd_export(a) -> int:
    if bool(a.sizes) == bool(a.spec):
        raise _Usage("give either --sizes (and the other network options) or --from FILE")
    if a.spec:
        from .spec import load_spec
        extra = [k for k in _NET_OPTIONS if getattr(a, k) is not None]
        if extra:
            raise _Usage(f"--{extra[0].replace('_', '-')} cannot be combined with --from (the file gives the network)")
        net = load_spec(a.spec).network
    else:
        net = _network(a)
    _write(_bounded(_export_job, (net, a.fragment, a.expanded), a), a.outfile)
    return 0


def _work_limits(p, timeout):
    p.add_argument("--timeout", type=float, default=timeout, help=f"seconds for the whole job (default {timeout:g})")
    p.add_argument("--memory-mb", type=int, default=4096, help="memory cap of the job")


def build_parser():
    """The argument parser (public for docs and tests)."""
    p = _Parser(prog="symbackprop", description="Check backpropagation derivations symbolically.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    d = sub.add_parser("derive", help="derive and prove the closed-form gradients of a network")
    _network_args(d)
    d.add_argument("--format", choices=("text", "json", "latex"), default="text")
    d.add_argument("--points", type=int, default=3, help="numeric witness points")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--no-numeric", action="store_true", help="skip the numeric witnesses")
    _work_limits(d, 300.0)
    d.set_defaults(func=_cmd_derive)
    c = sub.add_parser("check", help="check the claims of derivation files")
    c.add_argument("files", nargs="+")
    c.add_argument("--format", choices=("text", "json", "tex"), default="text")
    c.add_argument("--timeout", type=float, default=20.0, help="seconds per claim")
    c.add_argument("--memory-mb", type=int, default=2048, help="memory cap per claim")
    c.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    c.add_argument("--only", action="append", help="check only this claim id (repeatable)")
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
    g.add_argument("--timeout", type=float, default=20.0, help="seconds per claim")
    g.add_argument("--memory-mb", type=int, default=2048, help="memory cap per claim")
    g.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    g.set_defaults(func=_cmd_grade)
    return p


def main(argv=None) -> int:
    """Entry point; returns the exit code (0 ok, 1 a claim/form failed, 2 usage error)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")          # ✓ ≈ on an ASCII terminal: replaced, not a crash
    try:
        args = build_parser().parse_args(argv)
        code = args.func(args)
    except _Usage as e:
        print(f"symbackprop: error: {e}", file=sys.stderr)
        code = 2
    except SymbackpropError as e:
        print(f"symbackprop: error: {e.one_line()}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("symbackprop: interrupted", file=sys.stderr)
        code = 130
    except BrokenPipeError:                                 # `symbackprop check … | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
