"""Command line: ``symbackprop derive|check|export|grade|serve``. The only module that exits (it and
``terminal.py`` print).

Signals.  SIGINT (Ctrl-C), SIGTERM (``timeout``, CI cancellation) and SIGHUP (a closed terminal) all stop
the run the same way: the workers are killed, ``check`` prints the verdicts that finished and marks the
other claims "not checked", and one line on stderr says what happened; the exit code is 128 + the
signal's number (130, 143, 129).  A second signal while that is printed exits at once with that code.

Inputs.  ``check`` takes files, directories (every *.yaml/*.yml under them), quoted globs and ``-``
(standard input), with its options anywhere among them; a file that cannot be read is that file's error
entry (exit 1) and the others are still checked -- exit 2 is for usage errors only.

Presentation lives beside it: ``terminal.py`` (colour, progress lines, the streamed text of ``check``, with
rich) and ``outfiles.py`` (``-o``: never an input, written atomically).
"""
from __future__ import annotations

import argparse
import gc
import glob
import json
import os
import signal
import sys

from .errors import SymbackpropError
from .intake import display_name
from .outfiles import UsageError, check_output as _check_output, write_output as _write

__all__ = ["main", "run"]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message):
        raise _Usage(message)


_Usage = UsageError


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
    """--sizes and the network options (names and choices from the rule tables); unset options keep
    ``Network``'s defaults.  The output head is ``--head`` (``--output``, its old spelling, still works)."""
    from .rules import ACTIVATIONS, LOSSES, OUTPUTS
    p.add_argument("--sizes", required=required, help="layer widths d0,d1,...,dL, e.g. 3,4,4,3")
    p.add_argument("--activation", default=None, choices=sorted(ACTIVATIONS), metavar="NAME",
                   help="hidden activation (default relu): " + ", ".join(sorted(ACTIVATIONS)))
    p.add_argument("--head", "--output", dest="output", default=None, choices=sorted(OUTPUTS), metavar="NAME",
                   help="output head (default softmax): " + ", ".join(sorted(OUTPUTS)))
    p.add_argument("--loss", default=None, choices=sorted(LOSSES), metavar="NAME",
                   help="loss (default cross_entropy): " + ", ".join(sorted(LOSSES)))
    p.add_argument("--weights", default=None, choices=("outgoing", "incoming"),
                   help="W^(l) names the weights leaving layer l (outgoing, default) or entering it (incoming)")
    p.add_argument("--relu-prime-at-zero", default=None, metavar="VALUE",
                   help="the value of relu'(0) (default 0, as in the course)")
    p.add_argument("--negative-slope", default=None, metavar="VALUE", help="slope of leaky_relu below 0")
    p.add_argument("--batch", default=None, metavar="M", help="examples per mini-batch (default 1)")
    p.add_argument("--reduction", default=None, metavar="mean|sum", help="how a batch's losses are reduced (default mean)")
    p.add_argument("--layout", default=None, metavar="columns|rows",
                   help="examples as columns (default: z = W a + b) or as rows (Z = A W + 1 b)")
    p.add_argument("--l2", default=None, metavar="LAMBDA", help="L2 weight decay (lambda/2) sum ||W||_F^2 (default 0)")
    p.add_argument("--bias", default=None, metavar="true|false", help="whether the layers have biases (default true)")


def _network(a):
    from .network import Network
    try:
        sizes = tuple(int(s) for s in a.sizes.split(","))
    except ValueError:
        raise _Usage(f"--sizes must be comma-separated integers, got {a.sizes!r}") from None
    given = {k: getattr(a, k) for k in _NET_OPTIONS if getattr(a, k) is not None}
    given.update(_batch_options(a))
    return Network(sizes, **given)


_BATCH_OPTIONS = ("batch", "reduction", "layout", "l2", "bias")


def _batch_options(a) -> dict:
    """--batch M, --reduction, --layout, --l2 LAMBDA, --bias true|false (unset: Network's defaults)."""
    out = {k: getattr(a, k) for k in _BATCH_OPTIONS if getattr(a, k, None) is not None}
    if "batch" in out:
        if not out["batch"].isdigit():
            raise _Usage(f"--batch must be a whole number, got {out['batch']!r}")
        out["batch"] = int(out["batch"])
    if "bias" in out:
        if out["bias"] not in ("true", "false"):
            raise _Usage(f"--bias must be true or false, got {out['bias']!r}")
        out["bias"] = out["bias"] == "true"
    return out


def _bounded(func, job, a):
    """Run ``func(job)`` in a worker process under --timeout / --memory-mb (derive and export)."""
    from .runner import run_jobs
    res = run_jobs(func, [job], _limits(a))[0]
    if res.ok:
        return res.value
    what = {"timeout": "time limit", "memory": "memory limit"}.get(res.status, "worker failure")
    raise SymbackpropError(f"{what} ({res.detail}); give a smaller network or a larger --timeout/--memory-mb")


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
    from .terminal import color
    net = _network(a)
    if a.format == "tex":                 # the equations only (as export --fragment): no numeric work
        _write(_bounded(_export_job, (net, True, False), a), None)
        return 0
    records, ok = _bounded(_derive_job, (net, 0 if a.no_numeric else a.points, a.seed), a)
    if a.format == "json":
        print(json.dumps({"network": net.describe(), "closed_forms": records, "ok": ok}, indent=2))
    else:
        print(render_derive_text(net, records, color(sys.stdout)))
        print("all closed forms proved and verified" if ok else "SOME CLOSED FORMS FAILED")
    return 0 if ok else 1


_LIMIT_FLAGS = {"timeout": "--timeout", "memory_mb": "--memory-mb", "workers": "--jobs", "file_timeout": "--file-timeout"}


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


def _version() -> str | None:
    try:
        from importlib.metadata import version
        return version("symbackprop")
    except Exception:  # noqa: BLE001 - not installed (a source tree on sys.path)
        return None


def _inputs(names) -> list:
    """The files named on the command line, in order: a directory is every *.yaml/*.yml under it
    (recursively, sorted, links to directories not followed), ``-`` is standard input (once)."""
    from .spec import SUFFIXES
    out = []
    for name in names:
        if name != "-" and not os.path.lexists(name) and any(ch in name for ch in "*?["):
            matches = sorted(glob.glob(name, recursive=True))     # a quoted glob ('derivations/**/*.yaml')
            out += matches or [(name, "matches no file")]
            continue
        if name != "-" and os.path.isdir(name):
            found = []
            for root, dirs, files in os.walk(name):
                dirs.sort()
                found += [os.path.join(root, f) for f in sorted(files) if os.path.splitext(f)[1].lower() in SUFFIXES]
            out += found or [(name, "is a directory with no *.yaml/*.yml derivation files")]
        else:
            out.append(name)
    return list(dict.fromkeys(out))


def _load_all(names, notation, network=None, verbose=False):
    """A DerivationSpec or a report.FileError for each input: a file that cannot be read is reported
    as an error entry and the others are still checked.  Homework files (.tex .md .ipynb) take their network
    from a front matter or from ``network`` (the CLI's flags); with ``verbose`` what they skipped is listed
    on stderr."""
    from .homework import is_homework, load_homework
    from .report import FileError
    from .spec import MAX_BYTES, load_spec, load_spec_text
    inputs = _inputs(names)
    if network and not all(isinstance(n, str) and n != "-" and is_homework(n) for n in inputs):
        raise _Usage(f"--{next(iter(network)).replace('_', '-')} applies to homework files (.tex, .md, .ipynb); "
                     f"a derivation file declares its network")
    items = []
    for name in inputs:
        if isinstance(name, tuple):
            items.append(FileError(display_name(name[0]), f"{display_name(name[0])}: {name[1]}"))
            continue
        try:
            if name == "-":
                data = sys.stdin.buffer.read(MAX_BYTES + 1)
                items.append(load_spec_text(data, "<stdin>", notation=notation))
            elif is_homework(name):
                spec = load_homework(name, notation=notation, network=network or None)
                for where, what, why in spec.skipped if verbose else ():
                    print(f"{where}: skipped {what}: {why}", file=sys.stderr)
                items.append(spec)
            else:
                items.append(load_spec(name, notation=notation))
        except SymbackpropError as e:
            if str(e.message).startswith("--notation"):      # the flag is wrong, not the file
                raise _Usage(e.message) from None
            items.append(FileError.of(name if name != "-" else "<stdin>", e))
    return items


def _network_fields(a) -> dict:
    """The network flags of ``check`` (for homework files without a front matter)."""
    fields = {k: getattr(a, k) for k in _NET_OPTIONS if getattr(a, k) is not None}
    fields.update(_batch_options(a))
    if a.sizes is not None:
        try:
            fields["sizes"] = tuple(int(s) for s in a.sizes.split(","))
        except ValueError:
            raise _Usage(f"--sizes must be comma-separated integers, got {a.sizes!r}") from None
    return fields


def _cmd_check(a) -> int:
    from .report import FileError
    from .resultcache import open_cache
    from .suite import CheckInterrupted, check_specs, signal_name, unchecked_report
    from .terminal import CheckStream, print_check
    limits = _limits(a)
    items = _load_all(a.files, a.notation, _network_fields(a), a.verbose)   # every file is read before any is checked
    specs = [it for it in items if not isinstance(it, FileError)]
    only = set(a.only) if a.only else None
    if a.only:
        known = {c.id for spec in specs for c in spec.claims}
        unknown = [i for i in a.only if i not in known]
        if unknown and len(specs) == len(items):
            raise _Usage(f"--only {unknown[0]!r} names no claim of the given files")
    streamed = a.format in ("text", "short")
    stream = CheckStream(items, only, sys.stdout, sys.stderr, a.format == "short", a.verbose) if streamed else None

    def merged(reports):
        it = iter(reports)
        return [x if isinstance(x, FileError) else next(it) for x in items]

    def on_result(f, k, result):
        stream.add(slots[f], k, result)

    def emit(out):                          # the rest of the streamed text, or the whole output
        if stream is not None:
            return stream.finish(out)
        print_check(out, a.format, a.verbose, sys.stdout, _version())
    slots = [i for i, x in enumerate(items) if not isinstance(x, FileError)]
    try:
        if stream is not None:
            stream.start()
        reports = check_specs(specs, limits, only=only, on_result=on_result if stream is not None else None,
                              cache=open_cache(not a.no_cache))
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        _exit_on_next_signal()
        why = f"interrupted by {signal_name(signum)}"
        reports = e.reports if isinstance(e, CheckInterrupted) else [unchecked_report(s, why, only) for s in specs]
        try:
            emit(merged(reports))
            sys.stdout.flush()
        except OSError:                     # SIGHUP: the terminal may be gone
            pass
        results = [r for rep in reports for r in rep.results]
        skipped = sum(1 for r in results if r.verdict == "inconclusive" and r.message.startswith("not checked:"))
        raise _Stopped(signum, f"{why}: {skipped} of {len(results)} claims not checked "
                               f"(the verdicts that finished are printed)") from None
    out = merged(reports)
    emit(out)
    return 0 if all(r.ok for r in out) else 1


def _cmd_grade(a) -> int:
    from .grade import grade_dir
    limits = _limits(a)
    inputs = [("reference file", a.against)] + ([] if os.path.isdir(a.directory) else [("submissions zip", a.directory)])
    _check_output(a.output, "-o/--output", inputs, folder=a.directory if os.path.isdir(a.directory) else None)
    from .terminal import grade_progress
    progress = grade_progress(sys.stderr) if sys.stderr.isatty() else None
    table = grade_dir(a.directory, a.against, limits, progress=progress, notation=a.notation,
                      student_pattern=a.student_id, scheduler=a.scheduler)
    if a.format == "json":
        text = json.dumps(table.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = table.to_csv()
    _check_output(a.output, "-o/--output", inputs, folder=a.directory if os.path.isdir(a.directory) else None)
    _write(text, a.output)
    if a.feedback:
        from .feedback import write_feedback
        write_feedback(table, a.feedback)
    for r in table.rows:
        if r.unmatched:
            print(f"symbackprop: note: {r.submission}: claims that answer no reference claim: "
                  f"{', '.join(r.unmatched)}", file=sys.stderr)
    s = table.summary()
    print(f"symbackprop: graded {s['graded']} of {s['students']} submissions; {s['errors']} not graded; "
          f"{s['inconclusive']} inconclusive cell(s) after {s['retried']} retried claim(s)"
          + ("" if not s["inconclusive"] or a.allow_inconclusive else
             " (exit 1: regrade with a larger --timeout, or pass --allow-inconclusive)"), file=sys.stderr)
    if not table.ok or (s["inconclusive"] and not a.allow_inconclusive):
        return 1
    return 0


def _cmd_export(a) -> int:
    if bool(a.sizes) == bool(a.spec):
        raise _Usage("give either --sizes (and the other network options) or --from FILE")
    _check_output(a.outfile, "-o/--out-file", [("derivation file (--from)", a.spec)])
    if a.spec:
        from .spec import load_spec
        extra = [k for k in _NET_OPTIONS + _BATCH_OPTIONS if getattr(a, k) is not None]
        if extra:
            raise _Usage(f"--{extra[0].replace('_', '-')} cannot be combined with --from (the file gives the network)")
        spec = load_spec(a.spec)
        if a.no_claims:
            text = _bounded(_export_job, (spec.network, a.fragment, a.expanded), a)
        else:
            text = _export_claims(spec, a)
    else:
        text = _bounded(_export_job, (_network(a), a.fragment, a.expanded), a)
    _check_output(a.outfile, "-o/--out-file", [("derivation file (--from)", a.spec)])
    _write(text, a.outfile)
    return 0


def _export_claims(spec, a) -> str:
    """``export --from FILE``: the file's claims are checked (each under the per-claim limit of
    ``check``, all within --timeout), then written with their verdicts after the network's forms."""
    from .runner import Limits
    from .suite import check_specs
    limits = Limits(timeout=min(20.0, a.timeout), memory_mb=a.memory_mb, file_timeout=a.timeout)
    report = check_specs([spec], limits)[0]
    return _bounded(_export_claims_job, (report, a.fragment, a.expanded), a)


def _export_claims_job(job):
    from .export import export_with_claims
    report, fragment, expanded = job
    return export_with_claims(report, fragment=fragment, expanded=expanded)


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


_FORMAT_ALIASES = {"latex": "tex"}      # old spellings, accepted for one release


def _format(text):
    return _FORMAT_ALIASES.get(text, text)


def _format_arg(p, choices, default, what):
    p.add_argument("--format", type=_format, choices=choices, default=default,
                   help=f"{what} (default {default}; 'latex' is accepted for tex)")


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


def _export_parser(sub):
    e = sub.add_parser("export", help="write the closed-form gradients of a network as LaTeX",
                       description="A complete LaTeX document (article, amsmath/amssymb) of every layer's "
                                   "delta, gradient of W and of b, with shapes and assumptions.")
    _network_args(e, required=False)
    e.add_argument("--from", dest="spec", metavar="FILE",
                   help="the network of this derivation file, then its claims with their verdicts (checked here)")
    e.add_argument("--no-claims", action="store_true", help="with --from: only the network's closed forms")
    e.add_argument("--format", "--to", dest="to", type=_format, choices=("tex",), default="tex",
                   help="output format: tex (LaTeX; --to is the old spelling)")
    e.add_argument("-o", "--out-file", dest="outfile", metavar="FILE", help="write to FILE instead of stdout")
    e.add_argument("--fragment", action="store_true", help="only the equations, for pasting into notes")
    e.add_argument("--expanded", action="store_true",
                   help="also every entry, one chain-rule step at a time (small networks only)")
    _work_limits(e, 300.0)
    e.set_defaults(func=_cmd_export)


def _grade_parser(sub):
    g = sub.add_parser("grade", help="grade a directory of submissions against a reference derivation file",
                       description="One gradebook row per student (a folder of *.yaml files, of per-student folders, "
                                   "or a zip of either), one numeric column per reference claim. Exit 0 when every "
                                   "submission was graded, 1 when some row has an error (unreadable file, other "
                                   "network) or a cell stays inconclusive, 2 on usage errors.")
    g.add_argument("directory", help="folder (or .zip) of submissions")
    g.add_argument("--against", required=True, metavar="REFERENCE", help="the reference derivation file")
    g.add_argument("--format", choices=("csv", "json"), default="csv", help="table format (default csv)")
    g.add_argument("-o", "--out-file", "--output", dest="output", metavar="FILE",
                   help="write the table to FILE instead of stdout (--output is the old spelling)")
    _claim_limits(g)
    g.add_argument("--notation", default=None, metavar="PRESET|MAPPING",
                   help="notation of files that declare none (as check --notation)")
    g.add_argument("--feedback", metavar="DIR", help="write <student>.md and <student>.json feedback into DIR")
    g.add_argument("--student-id", metavar="REGEX", help="student id: this regex's first group in the file or "
                                                         "folder name (default: the name without .yaml)")
    g.add_argument("--allow-inconclusive", action="store_true",
                   help="exit 0 even when some cell stays inconclusive after the retry")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the claims on this dask.distributed scheduler (pip install 'symbackprop[distributed]')")
    g.set_defaults(func=_cmd_grade)


def build_parser():
    """The argument parser (public for docs and tests)."""
    p = _Parser(prog="symbackprop", description="Check backpropagation derivations symbolically.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version() or 'unknown'}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser, metavar="COMMAND",
                           help="derive, check, export or grade (COMMAND --help for its options)")
    d = sub.add_parser("derive", help="derive and prove the closed-form gradients of a network")
    _network_args(d)
    _format_arg(d, ("text", "json", "tex"), "text", "output format; tex is the equations only, as export --fragment")
    d.add_argument("--points", type=_bounded_arg("points"), default=3, help="numeric witness points (default 3)")
    d.add_argument("--seed", type=_bounded_arg("seed"), default=0, help="seed of the witness points (default 0)")
    d.add_argument("--no-numeric", action="store_true", help="skip the numeric witnesses")
    _work_limits(d, 300.0)
    d.set_defaults(func=_cmd_derive)
    c = sub.add_parser("check", help="check the claims of derivation files and homework files (.tex .md .ipynb)",
                       description="Check every claim of each file. Every file is reported, in the order given, "
                                   "even when another cannot be read (that file is an error entry). Exit 0 when "
                                   "every claim ends as expected, 1 otherwise, 2 on usage errors.")
    c.add_argument("files", nargs="+", metavar="FILE",
                   help="derivation files (*.yaml/*.yml), homework files (.tex .md .ipynb: every display equation is "
                        "a claim), directories (searched recursively for derivation files) or - for stdin")
    _format_arg(c, ("text", "short", "json", "tex"), "text",
                "text (streamed), short (file:line:col: id: verdict), json (schema 1), tex (a LaTeX report)")
    c.add_argument("-v", "--verbose", action="store_true",
                   help="text: print the complete point of each counterexample (x, y, every W and b); homework "
                        "files: list what was skipped (prose, inline math, code) and why, on stderr")
    _network_args(c, required=False)      # the network of homework files without a front matter
    _claim_limits(c)
    c.add_argument("--only", action="append", metavar="ID", help="check only this claim id (repeatable)")
    c.add_argument("--no-cache", action="store_true", help="check every claim again: no result cache (final "
                   "verdicts kept in ~/.cache/symbackprop; also SYMBACKPROP_NO_CACHE=1)")
    c.add_argument("--notation", default=None, metavar="PRESET|MAPPING",
                   help="notation of files that declare none: a preset (nielsen, cs231n, deeplearning-ai, d2l, bishop, "
                        "goodfellow, ufldl) or a JSON/YAML mapping of fields")
    c.set_defaults(func=_cmd_check)
    p.check_parser = c
    _export_parser(sub)
    _grade_parser(sub)
    _serve_parser(sub)
    return p


def _parse(argv):
    """The command line; ``check``'s files may come before, between or after its options, as linters take them."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["check"]:
        args = parser.check_parser.parse_intermixed_args(argv[1:])
        args.cmd = "check"
        return args
    return parser.parse_args(argv)


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
            args = _parse(argv)
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


def run():
    """The command: :func:`main`, then exit with the heap frozen (a last collection of it took 0.2 s a run)."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
