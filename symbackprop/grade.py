r"""Grade a directory of submissions against a reference derivation file: one row per submission.

``grade_dir(submissions_dir, reference_path, limits)`` returns a :class:`GradeTable` (pure data; the CLI
prints it as CSV or JSON). Each submission is a derivation file whose claims carry the reference's ids.

Decisions
---------
Submissions.  Every ``*.yaml``/``*.yml`` file directly in the directory (NOT recursive: one file per
student; subdirectories and dot-files are ignored), sorted by file name; the reference file itself is
skipped if it lives there. A file that cannot be read (invalid YAML, missing ``network:``, ...) gets a
row with its error and 0 points; the other files are still graded. A malformed claim entry is only that
claim's ``error`` cell (its id, when readable, still names the column).

Files, not links.  Only regular files are read (:mod:`symbackprop.intake`). A symbolic link in the
submissions folder is refused with an error row (``is a symbolic link; links are not followed ...``)
whether it points inside the folder or out of it: a link is never opened, so neither its target's
content nor its target's name can reach the CSV, the JSON or a message (a link to ``/etc/shadow`` or to
another student's file scores nothing). FIFOs, devices and sockets named ``*.yaml`` get an error row
the same way, without being opened (no hang). Files over 1 MiB are refused before they are read.

Names and cells.  File names are rendered printable (:func:`~symbackprop.intake.display_name`: bytes
that are not UTF-8 become ``\xNN``, CR, LF and other control characters ``\xNN``), in rows, JSON and
messages alike. Every CSV cell, headers included, goes through :func:`csv_cell`: control characters are
escaped the same way and a cell that a spreadsheet would run as a formula (leading ``= + - @``, tab,
CR) is prefixed with ``'``. Use :meth:`GradeTable.to_csv` for the CSV text.

Network.  A submission's ``network:`` must equal the reference network field by field (sizes,
activation, output, loss, weight convention, φ'(0), slope). Otherwise the row gets an error such as
``network differs from the reference: sizes 2-3-2 vs 3-4-4-3`` and 0 points: the task fixes the network,
a claim such as ``\delta^{(L-1)} = ...`` means something else on another network, and grading against
the submission's own network would reward solving an easier problem. This is the stricter choice.

Columns.  One per reference claim with ``expect: true``, in file order. Reference claims with
``expect: false`` (a deliberate mistake in the reference) are not scoring columns; they are listed in
``GradeTable.skipped``. ``max`` is the number of columns; ``score = points / max``.

Scoring a column.  The submission's claim with the same id scores 1 point when
 1. it states the same relation as the reference's claim (below), and
 2. its verdict (by the same checker as ``symbackprop check``, under the same per-claim limits) is
    ``proved`` or ``numerically-equal``.
Otherwise 0, with a cell verdict: ``missing`` (no claim with that id), ``different-relation`` (condition
1 fails; reason "states a different relation: ..."), or the checker's ``refuted`` / ``error`` /
``inconclusive`` (timeouts and memory limits are ``inconclusive``, worker crashes ``error``). A
submission claim marked ``expect: false`` denies the relation, so it is ``different-relation`` too.
Submission ids that are not columns are ignored and reported in ``GradeRow.ignored_ids``.

Same relation.  Both claims are parsed by the notation layer (never eval/sympify) on the common network
and expanded into their instances (every value of the free indices and of the layer symbol ``l``). For
each instance we take the *left side of the first relation* and its ``given`` conditions; the claims
state the same relation when
 - their first relation symbol is the same (``=`` is not ``\in``: the shape claim of ∇W L does not
   answer the claim about its value), and
 - the sets of (left side, conditions) over all instances are equal.
A left side that names a network quantity compares by that quantity, i.e. structurally after parsing:
``\delta^{(L-1)}``, ``\delta^{(1)}`` (when L-1 = 1) and ``\frac{\partial \mathcal{L}}{\partial
z^{(1)}}`` are all ("delta", 1); ``\nabla_{W^{(L-1)}}\mathcal{L}`` and ``\frac{\partial\mathcal{L}}
{\partial W^{(L-1)}}`` are ("grad_W", L-1); a component ``\delta^{(L)}_i`` or ``\delta^{(L)}_j`` is the
same set of entries whatever the index letter. Any other left side (``\varphi'(0)``, a Jacobian
entry) compares by SymPy structural equality of its matrix, with scalar variables renamed in order of
first appearance (``\varphi(u)`` and ``\varphi(t)`` agree). Mathematical equality is deliberately NOT
used: ``\hat{y} - y`` equals δ^(L), and a submission "proving" ``\hat{y} - y = \hat{y} - y`` under the
id of ``\delta^{(L)} = \hat{y} - y`` must not score. Conditions compare as normalized inequalities
(``a \le b`` and ``b \ge a`` agree) so that a submission cannot score by adding a ``given`` that
narrows the claim (``\varphi'(u) = 1`` given ``u > 0`` is not ``\varphi'(u) = \mathbb{1}\{u > 0\}``).

Work on submission text (parsing, the relation comparison, the check) runs in the bounded worker
processes of :mod:`symbackprop.runner`, one job per claim, the claims of all submissions in one queue
(every core busy until the last claim), forked from a parent that has read the reference once and
derived its network once (:func:`~symbackprop.suite.prepare_workers`). A claim stated identically in
several submissions (same id, text, givens and expect on the same network) is checked once and its cell
given to each (a message that names the file names each submission's own), so identical submissions
cost one. ``Limits.file_timeout`` (``--file-timeout``) is the time budget of each submission, counted
from the start of its first claim: its claims not finished by then are ``inconclusive`` cells ("file
time budget exhausted"); a claim shared by several submissions runs while one of them has time left.
The reference's relation keys are computed once, in bounded workers too (a huge network must not hang
the grader), and a reference claim that cannot be parsed is a :class:`SpecError`.
"""
from __future__ import annotations

import csv
import io
import os
import stat
import time
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

import sympy as sp

from .check import CheckOptions, ClaimResult, check_claim, mark_worker
from .errors import SpecError, SymbackpropError
from .intake import display_name
from .network import Network, graph
from .runner import Limits, run_inline, run_jobs
from .spec import SUFFIXES, ClaimSpec, DerivationSpec, load_spec
from .suite import default_options, failed_run, prepare_workers

__all__ = ["Cell", "GradeRow", "GradeTable", "grade_dir", "grade_spec", "find_submissions", "reference_keys",
           "relation_key", "network_difference", "csv_cell", "SCORING", "CELL_VERDICTS"]

SCORING = ("proved", "numerically-equal")
CELL_VERDICTS = ("proved", "numerically-equal", "refuted", "error", "inconclusive", "missing",
                 "different-relation")


# ----------------------------------------------------------------------------------------------
# CSV cells

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value):
    """One CSV cell that stays one cell and is never run as a spreadsheet formula (the only CSV sanitiser).

    Strings (file names, ids, messages: they come from users) get control characters and non-UTF-8
    bytes escaped as in :func:`display_name`, then a leading ``'`` when they start like a formula.
    Numbers pass unchanged (a score of -1 cannot occur; 0.5 must stay a number).
    """
    if not isinstance(value, str):
        return value
    text = display_name(value)
    return "'" + text if text[:1] in FORMULA_LEADS else text

# ----------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Cell:
    """One (submission, reference claim) cell: verdict, whether it scored, and why."""
    verdict: str
    scored: bool = False
    message: str = ""
    diagnosis: str | None = None

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "scored": self.scored, "message": self.message,
                "diagnosis": self.diagnosis}


@dataclass(frozen=True)
class GradeRow:
    """One submission: its cells by reference id (empty when it could not be graded) or its error."""
    submission: str
    path: str
    max: int
    cells: dict = field(default_factory=dict)
    error: str | None = None
    ignored_ids: tuple = ()

    @property
    def points(self) -> int:
        return sum(1 for c in self.cells.values() if c.scored)

    @property
    def score(self) -> float:
        return round(self.points / self.max, 4) if self.max else 0.0

    def verdict(self, claim_id) -> str | None:
        """The cell verdict of one column (None when the row has an error)."""
        cell = self.cells.get(claim_id)
        return cell.verdict if cell else None

    def to_dict(self, columns) -> dict:
        return {"submission": self.submission, "file": self.path, "score": self.score, "points": self.points,
                "max": self.max, "error": self.error,
                "verdicts": {cid: self.verdict(cid) for cid in columns},
                "claims": {cid: self.cells[cid].to_dict() for cid in columns if cid in self.cells},
                "ignored_ids": list(self.ignored_ids)}


@dataclass(frozen=True)
class GradeTable:
    """All rows, with the reference's scoring columns (claim ids) and skipped (expect: false) ids."""
    reference: str
    title: str | None
    network: dict
    columns: tuple
    skipped: tuple
    rows: tuple

    @property
    def max(self) -> int:
        return len(self.columns)

    @property
    def ok(self) -> bool:
        """Every submission could be graded (no row has an error)."""
        return all(r.error is None for r in self.rows)

    def header(self) -> list:
        """CSV header: submission, score, points, max, error, then one column per claim id."""
        return ["submission", "score", "points", "max", "error", *self.columns]

    def records(self) -> list:
        """CSV records (lists of str/int/float, '' for none), one per row, matching ``header()``."""
        return [[r.submission, r.score, r.points, r.max, r.error or "",
                 *[r.verdict(cid) or "" for cid in self.columns]] for r in self.rows]

    def csv_rows(self) -> list:
        """Header and records with every cell through :func:`csv_cell`."""
        return [[csv_cell(v) for v in row] for row in (self.header(), *self.records())]

    def to_csv(self) -> str:
        """The ``--format csv`` text (one line per row: no cell holds a line break)."""
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(self.csv_rows())
        return buf.getvalue()

    def to_dict(self) -> dict:
        """The ``--format json`` document."""
        return {"reference": self.reference, "title": self.title, "network": self.network,
                "columns": list(self.columns), "skipped": list(self.skipped), "max": self.max,
                "rows": [r.to_dict(self.columns) for r in self.rows]}


# ----------------------------------------------------------------------------------------------
# network and submissions


def _field_text(name, value) -> str:
    if name == "sizes":
        return "-".join(map(str, value))
    return str(value)


def network_difference(net: Network, ref: Network) -> str | None:
    """None if the networks are equal, else 'sizes 2-3-2 vs 3-4-4-3; activation ...' (submission first)."""
    parts = [f"{f.name} {_field_text(f.name, getattr(net, f.name))} vs {_field_text(f.name, getattr(ref, f.name))}"
             for f in fields(Network) if getattr(net, f.name) != getattr(ref, f.name)]
    return "; ".join(parts) or None


def find_submissions(directory, reference=None) -> list:
    """The submission entries of ``directory`` (non-recursive *.yaml/*.yml, sorted, reference excluded).

    Subdirectories are skipped; every other entry with the suffix is listed, links, FIFOs and devices
    included, so that each gets its own error row (grade_dir reads them without following links).
    Nothing here opens an entry.
    """
    d = Path(directory)
    if not d.exists():
        raise SymbackpropError("no such directory", file=str(directory))
    if not d.is_dir():
        raise SymbackpropError("is not a directory; give the directory of submissions", file=str(directory))
    try:
        entries = sorted(d.iterdir(), key=lambda p: p.name)
    except OSError as e:
        raise SymbackpropError(f"cannot list the directory: {e.strerror or e}", file=str(directory)) from None
    out = []
    for p in entries:
        if p.name.startswith(".") or p.suffix.lower() not in SUFFIXES or _is_real_dir(p):
            continue
        if reference is not None and _same_file(p, reference):
            continue
        out.append(p)
    return out


def _is_real_dir(p) -> bool:
    """A subdirectory itself (not a link to one: that gets an error row)."""
    try:
        return stat.S_ISDIR(os.lstat(p).st_mode)
    except OSError:
        return False


def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# ----------------------------------------------------------------------------------------------
# relation keys


@dataclass(frozen=True)
class _RelKey:
    """What a claim asserts, for comparison: first relation symbol and (left side, conditions) per instance."""
    op: str
    lhs: frozenset
    pairs: frozenset
    latex: str = field(default="", compare=False)


def _scalar_vars(net, exprs) -> set:
    g = graph(net)
    known = set(g.primitives()) | set(g.node_symbols()) | set(g.yhat)
    out = set()
    for e in exprs:
        out |= {s for s in e.free_symbols if s not in known}
    return out


def _var_order(texts, names) -> list:
    """Scalar variable names in order of first appearance as a letter token in ``texts``."""
    from .notation.lexer import tokenize
    order = []
    for text in texts:
        try:
            toks = tokenize(text)
        except SymbackpropError:
            continue
        for t in toks:
            if t.kind == "letter" and t.value in names and t.value not in order:
                order.append(t.value)
    return order + sorted(n for n in names if n not in order)


def _cond_key(cond):
    """A normalized condition: (a - b, op) with > and >= turned around; = and != unordered."""
    a, op, b = cond
    if op in (">", ">="):
        return (sp.expand(b - a), {">": "<", ">=": "<="}[op])
    if op in ("<", "<="):
        return (sp.expand(a - b), op)
    return (frozenset({sp.expand(a - b), sp.expand(b - a)}), op)


def relation_key(parsed, net, given=()) -> _RelKey:
    """The _RelKey of a parsed claim (its instances are built here)."""
    insts = list(parsed.instances())
    first = insts[0]
    lhs_latex = first.sides[0].latex
    exprs = [i.sides[0].expr for i in insts if i.sides[0].expr is not None]
    exprs += [e for i in insts for (a, _, b) in i.conditions for e in (a, b)]
    names = {s.name for s in _scalar_vars(net, exprs)}
    order = _var_order([lhs_latex, *given], names)
    rename = {sp.Symbol(n, real=True): sp.Symbol(f"_v{k + 1}", real=True) for k, n in enumerate(order)}
    lhs_keys, pairs = [], []
    for inst in insts:
        side = inst.sides[0]
        if side.quantity is not None:
            key = ("quantity", side.quantity)
        elif side.expr is None:
            key = ("text", side.latex)
        else:
            key = ("expr", sp.ImmutableMatrix(side.expr).xreplace(rename))
        conds = frozenset(_cond_key((a.xreplace(rename), op, b.xreplace(rename)))
                          for a, op, b in inst.conditions)
        lhs_keys.append(key)
        pairs.append((key, conds))
    return _RelKey(first.ops[0], frozenset(lhs_keys), frozenset(pairs), lhs_latex)


def _claim_key(net, claim: ClaimSpec, path) -> _RelKey:
    from .notation import parse_claim
    parsed = parse_claim(claim.claim, net, given=claim.given, claim_id=claim.id, file=path, notation=claim.notation)
    return relation_key(parsed, net, claim.given)


def _difference(sub: _RelKey, ref: _RelKey) -> str:
    """Why two relation keys differ, for the cell message."""
    if sub.lhs != ref.lhs:
        if sub.lhs & ref.lhs:
            return (f"states a different relation: its left side {sub.latex!r} covers other layers or "
                    f"entries ({len(sub.lhs)}) than the reference's {ref.latex!r} ({len(ref.lhs)})")
        return (f"states a different relation: its left side {sub.latex!r} is not the reference's "
                f"{ref.latex!r}")
    if sub.op != ref.op:
        return f"states a different relation: {sub.op!r} instead of the reference's {ref.op!r}"
    return "states a different relation: its conditions (given) differ from the reference's"


# ----------------------------------------------------------------------------------------------
# grading one submission


def _job(job):
    """Worker entry point: compare the relation with the reference's, then check the claim."""
    net, claim, ref_key, opts, path = job
    mark_worker()
    try:
        key = _claim_key(net, claim, path)
    except (SymbackpropError, RecursionError, MemoryError):
        key = None       # check_claim reports the same failure as a located error verdict
    if key is not None and key != ref_key:
        return ("relation", _difference(key, ref_key))
    return ("checked", check_claim(net, claim.id, claim.claim, claim.given, claim.expect, opts, file=path,
                                   notation=claim.notation))


def _cell(res, path=None, as_path=None) -> Cell:
    """The Cell of one runner result; a checker message located in ``path`` is told of ``as_path``
    instead (a claim checked once for several submissions names each its own file)."""
    if res.status != "ok":
        verdict, message = failed_run(res)
        return Cell(verdict, False, message)
    kind, value = res.value
    if kind == "relation":
        return Cell("different-relation", False, value)
    r: ClaimResult = value
    message = r.message
    if as_path is not None and as_path != path and message.startswith(f"{path}: "):
        message = f"{as_path}: " + message[len(path) + 2:]
    return Cell(r.verdict, r.verdict in SCORING, message, r.diagnosis)


def _error_text(e: SymbackpropError) -> str:
    """The one-line message without the file name (the row already names the submission)."""
    e.file = None
    return e.one_line()


@dataclass
class _Entry:
    """One submission on its way to a row: its loaded spec (or the row's error) and the cells so far."""
    name: str
    path: str
    spec: DerivationSpec | None = None
    error: str | None = None
    cells: dict = field(default_factory=dict)
    pending: int = 0


def _plan(entry: _Entry, reference: DerivationSpec, ref_keys: dict, opts, jobs: list, owners: list, index: dict,
          sub: int):
    """Fill the cells of ``entry`` that need no checking and queue a job for each of the others; a job
    already queued for the same claim (same network, id, text, givens and expect) is shared."""
    spec = entry.spec
    diff = network_difference(spec.network, reference.network)
    if diff:
        entry.error = f"network differs from the reference: {diff}"
        return
    by_id = {c.id: c for c in spec.claims}
    for cid in ref_keys:
        claim = by_id.get(cid)
        if claim is None:
            entry.cells[cid] = Cell("missing", False, "no claim with this id")
        elif claim.error is not None:
            entry.cells[cid] = Cell("error", False, claim.error)
        elif not claim.expect:
            entry.cells[cid] = Cell("different-relation", False, "states a different relation: the submission marks "
                                                                 "it expect: false (it does not assert it)")
        else:
            key = (spec.network, cid, claim.claim, tuple(claim.given), claim.expect)
            if key not in index:
                index[key] = len(jobs)
                jobs.append((spec.network, claim, ref_keys[cid], opts, str(spec.path)))
                owners.append([])
            owners[index[key]].append((sub, cid, str(spec.path)))
            entry.pending += 1


def _grade_entries(entries, reference, ref_keys, limits, opts, inline=False, progress=None) -> tuple:
    """The rows of loaded submissions: every claim to check of every submission in one queue of
    workers (each distinct claim once), each submission's ``file_timeout`` budget its own."""
    columns = tuple(ref_keys)
    jobs, owners, index = [], [], {}
    for sub, entry in enumerate(entries):
        if entry.spec is not None and entry.error is None:
            _plan(entry, reference, ref_keys, opts, jobs, owners, index, sub)
    shown = [0]

    def report_progress():
        """progress(i, n, name of submission i) once submissions 0..i-1 are graded; (n, n, "") at the end."""
        while shown[0] < len(entries) and entries[shown[0]].pending == 0:
            shown[0] += 1
            if progress:
                progress(shown[0], len(entries), entries[shown[0]].name if shown[0] < len(entries) else "")

    def finished(i, res):
        path = jobs[i][4]
        for sub, cid, as_path in owners[i]:
            entries[sub].cells[cid] = _cell(res, path, as_path)
            entries[sub].pending -= 1
        report_progress()

    if progress and entries:
        progress(0, len(entries), entries[0].name)
    report_progress()
    if inline:
        for i, job in enumerate(jobs):
            finished(i, run_inline(_job, [job])[0])
    elif jobs:
        budget = limits.file_timeout
        groups = [tuple(dict.fromkeys(sub for sub, _, _ in own)) for own in owners] if budget else None
        run_jobs(_job, jobs, limits, on_result=finished, groups=groups, group_budget=budget)
    rows = []
    for e in entries:
        if e.spec is None or e.error is not None:
            rows.append(GradeRow(e.name, e.path if e.spec is None else str(e.spec.path), len(columns), error=e.error))
            continue
        ignored = tuple(c.id for c in e.spec.claims if c.id not in ref_keys)
        rows.append(GradeRow(e.name, str(e.spec.path), len(columns), {cid: e.cells[cid] for cid in columns}, None,
                             ignored))
    return tuple(rows)


def grade_spec(spec: DerivationSpec, reference: DerivationSpec, ref_keys: dict, limits: Limits,
               opts: CheckOptions, name: str, inline: bool = False) -> GradeRow:
    """Grade one loaded submission against the reference (``ref_keys``: id -> relation key)."""
    return _grade_entries([_Entry(name, str(spec.path), spec)], reference, ref_keys, limits, opts, inline)[0]


def _ref_key_job(job):
    """Worker: ("ok", relation key) of one reference claim, or ("error", why)."""
    net, claim, path = job
    mark_worker()
    try:
        with warnings.catch_warnings():   # SymPy deprecation notes from the notation layer's givens
            warnings.simplefilter("ignore", DeprecationWarning)
            return "ok", _claim_key(net, claim, path)
    except (SymbackpropError, RecursionError) as e:
        return "error", e.message if isinstance(e, SymbackpropError) else "the claim is nested too deeply"


def reference_keys(reference: DerivationSpec, limits: Limits = Limits(), inline: bool = False) -> dict:
    """id -> relation key of every expect: true claim of the reference (SpecError if one cannot be read).

    The reference is read in bounded workers too: a huge network there must not hang the grader.
    """
    broken = next((c for c in reference.claims if c.error is not None), None)
    if broken is not None:                  # its message already names the file, claim, key and line
        raise SpecError(broken.error)
    claims = [c for c in reference.claims if c.expect]
    jobs = [(reference.network, c, str(reference.path)) for c in claims]
    out = {}
    for c, res in zip(claims, run_inline(_ref_key_job, jobs) if inline else run_jobs(_ref_key_job, jobs, limits)):
        kind, value = res.value if res.ok else ("error", failed_run(res)[1])
        if kind != "ok":
            raise SpecError(f"the reference claim cannot be graded against: {value}", file=str(reference.path),
                            claim_id=c.id)
        out[c.id] = value
    if not out:
        raise SpecError("the reference has no claim to grade (every claim is expect: false)",
                        file=str(reference.path))
    return out


def grade_dir(submissions_dir, reference_path, limits: Limits = Limits(), progress=None,
              opts: CheckOptions | None = None, inline: bool = False) -> GradeTable:
    """Grade every submission of ``submissions_dir`` against the reference derivation file.

    The reference is read once; the claims of all submissions then run as one queue of workers (both
    cores busy across submissions), a claim stated identically (same id, text, givens and expect) in
    several submissions -- identical submissions above all -- is checked once for all of them.
    ``progress(done, total, name)`` (optional) is called with ``done`` = 0 first and each time the
    leading submissions are graded (``name``: the next one), in file order, and once at the end
    (``done == total``, name ``""``). Errors about the directory or the reference raise
    SymbackpropError; a submission's own errors go into its row.
    """
    reference = load_spec(reference_path)
    files = find_submissions(submissions_dir, reference_path)
    if not files:
        raise SymbackpropError("no submissions (*.yaml or *.yml files) in the directory", file=str(submissions_dir))
    if not inline:
        budget = limits.file_timeout
        prepare_workers([reference.network], limits, deadline=time.monotonic() + budget if budget else None)
    ref_keys = reference_keys(reference, limits, inline=inline)
    opts = opts or default_options(limits)
    entries = []
    for p in files:
        name = display_name(p.name)
        try:
            entries.append(_Entry(name, display_name(p), load_spec(p, follow_links=False)))
        except SymbackpropError as e:
            entries.append(_Entry(name, display_name(p), error=_error_text(e)))
    rows = _grade_entries(entries, reference, ref_keys, limits, opts, inline, progress)
    skipped = tuple(c.id for c in reference.claims if not c.expect)
    return GradeTable(display_name(reference_path), reference.title, reference.network.describe(),
                      tuple(ref_keys), skipped, rows)
