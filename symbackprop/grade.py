r"""Grade a course's submissions against a reference derivation file: points per claim, feedback per student.

``grade_dir(source, reference_path, limits)`` returns a :class:`GradeTable` (pure data; the CLI writes it
as a gradebook CSV or JSON, and :mod:`symbackprop.feedback` writes one feedback file per student).

Decisions
---------
Submissions.  A folder of files, a folder of per-student folders, or a zip of either
(:mod:`symbackprop.submissions`: regular files only, links never followed, zips read in memory with caps);
one row per student, in name order. A file that cannot be read (invalid YAML, missing ``network:``, a
link, ...) gets a row with its error and 0 points; the others are still graded.

Network.  A submission's ``network:`` must equal the reference network field by field, else its row gets
an error such as ``network differs from the reference: sizes 2-3-2 vs 3-4-4-3``: the task fixes the
network, and grading against the submission's own network would reward solving an easier problem.

Columns and points.  One column per reference claim with ``expect: true``, in file order, worth its
``points:`` (default 1); ``expect: false`` reference claims are listed in ``GradeTable.skipped``.

Matching by content.  A student's claim answers a reference claim when it states the same relation
(:mod:`symbackprop.relations`: the same left quantity over the same layers/entries and conditions, in
either orientation, a chain by its first and last sides), whatever its id. Among several claims answering
one column the best counts (earned > inconclusive > refuted > error > trivial), ids equal to the
column's first, then file order. A claim with the column's id that states another relation makes the
cell ``different-relation`` (with why) when nothing else answers it; no answer at all is ``missing``.
Student claims that answer no column are listed in ``GradeRow.unmatched`` (not checked: they earn nothing).

Sound credit.  A cell earns its points when the answering claim is ``proved`` or ``numerically-equal``
by the same checker as ``symbackprop check`` (a chain: every step) and is not trivial
(:mod:`symbackprop.trivial`: its sides are the same quantity once δ ≡ ∂L/∂z, ∇ ≡ ∂, ŷ ≡ a^(L) are
unfolded); a trivial claim is the cell verdict ``trivial`` and earns nothing.

Inconclusive is never silent.  A claim that ends ``inconclusive`` by a time or memory limit (or the
checker's own budget) is checked once more with :data:`RETRY_FACTOR` times the time limit; a cell still
inconclusive is counted in ``GradeRow.inconclusive`` (a gradebook column and the feedback text) and in
``GradeTable.inconclusive``; the CLI exits 1 unless ``--allow-inconclusive``. A claim cut by the file
budget (``--file-timeout``) is not retried (the budget is the TA's) but flagged the same way.

Work.  Parsing, matching and checking of submission text run in the bounded workers of
:mod:`symbackprop.runner` (or, with ``scheduler=``, as tasks of a dask cluster that run the same bounded
workers: :mod:`symbackprop.cluster`), one job per distinct claim: a claim stated identically in several
submissions (same id, text, givens, network) is checked once, and a message naming the file names each
submission's own. The reference's keys are computed once, in bounded workers too, and shipped to every
job; a reference claim that cannot be parsed is a :class:`SpecError`.
"""
from __future__ import annotations

import csv
import io
import time
import warnings
from dataclasses import dataclass, field, fields, replace

from .check import CheckOptions, ClaimResult, check_claim, mark_worker
from .errors import SpecError, SymbackpropError
from .intake import display_name
from .network import Network
from .relations import claim_keys, difference
from .runner import BOUNDS, Limits, run_inline, run_jobs
from .spec import DerivationSpec, load_spec, load_spec_text
from .submissions import Submission, collect
from .suite import default_options, failed_run, prepare_workers
from .trivial import trivial_reason
from .verdicts import VERDICTS, holds

__all__ = ["Cell", "GradeRow", "GradeTable", "grade_dir", "reference_keys", "network_difference", "csv_cell",
           "SCORING", "CELL_VERDICTS", "RETRY_FACTOR"]

SCORING = tuple(v for v in VERDICTS if holds(v))     # ("proved", "numerically-equal")
CELL_VERDICTS = ("proved", "numerically-equal", "trivial", "refuted", "error", "inconclusive", "missing",
                 "different-relation")
RETRY_FACTOR = 3
_RANK = {"earned": 0, "inconclusive": 1, "refuted": 2, "error": 3, "trivial": 4}

# ----------------------------------------------------------------------------------------------
# CSV cells

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value):
    """One CSV cell that stays one cell and is never run as a spreadsheet formula (the only CSV sanitiser).

    Strings (file names, ids, messages: they come from users) get control characters and non-UTF-8
    bytes escaped as in :func:`display_name`, then a leading ``'`` when they start like a formula.
    Numbers pass unchanged.
    """
    if not isinstance(value, str):
        return value
    text = display_name(value)
    return "'" + text if text[:1] in FORMULA_LEADS else text


def _num(x):
    """A point count as an int when whole (2, not 2.0), else rounded to 4 decimals."""
    return int(x) if float(x).is_integer() else round(float(x), 4)

# ----------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class Cell:
    """One (student, reference claim) cell: verdict, points, why, and what answered it."""
    verdict: str
    scored: bool = False
    message: str = ""
    diagnosis: str | None = None
    points: float = 0
    max_points: float = 1
    answered_by: str | None = None       # the student's claim id that answered the column
    claim: str = ""                      # its text
    step: int | None = None
    step_sides: tuple = ()               # the failing step's two sides, as the student wrote them
    counterexample: dict | None = None
    expected: str = ""                   # the reference claim's text
    retried: bool = False

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "scored": self.scored, "points": _num(self.points),
                "max_points": _num(self.max_points), "message": self.message, "diagnosis": self.diagnosis,
                "answered_by": self.answered_by, "claim": self.claim, "step": self.step,
                "step_sides": list(self.step_sides), "counterexample": self.counterexample,
                "expected": self.expected, "retried": self.retried}


@dataclass(frozen=True)
class GradeRow:
    """One student: cells by reference id (empty when it could not be graded) or its error."""
    submission: str
    path: str
    max: float
    cells: dict = field(default_factory=dict)
    error: str | None = None
    unmatched: tuple = ()
    student: str = ""
    duplicate_of: str | None = None
    sha256: str | None = None

    @property
    def ignored_ids(self) -> tuple:
        return self.unmatched

    @property
    def points(self):
        return _num(sum(c.points for c in self.cells.values()))

    @property
    def score(self) -> float:
        return round(self.points / self.max, 4) if self.max else 0.0

    @property
    def inconclusive(self) -> tuple:
        """Ids of the cells that stayed inconclusive (after the retry)."""
        return tuple(cid for cid, c in self.cells.items() if c.verdict == "inconclusive")

    def verdict(self, claim_id) -> str | None:
        cell = self.cells.get(claim_id)
        return cell.verdict if cell else None

    def feedback(self) -> str:
        """One short line for the gradebook: what did not earn, by verdict."""
        if self.error:
            return f"not graded: {self.error}"
        groups = {}
        for cid, c in self.cells.items():
            if not c.scored:
                groups.setdefault(c.verdict, []).append(cid + (f" ({c.diagnosis})" if c.diagnosis else ""))
        parts = [f"{v.upper() if v == 'inconclusive' else v}: {', '.join(ids)}" for v, ids in groups.items()]
        if self.inconclusive:
            parts.append("inconclusive cells need a regrade with a larger --timeout")
        return "; ".join(parts) or "all claims earned"

    def to_dict(self, columns) -> dict:
        return {"student": self.student, "submission": self.submission, "file": self.path, "score": self.score,
                "points": self.points, "max": _num(self.max), "error": self.error,
                "verdicts": {cid: self.verdict(cid) for cid in columns},
                "claims": {cid: self.cells[cid].to_dict() for cid in columns if cid in self.cells},
                "unmatched": list(self.unmatched), "ignored_ids": list(self.unmatched),
                "inconclusive": list(self.inconclusive), "duplicate_of": self.duplicate_of, "sha256": self.sha256}


@dataclass(frozen=True)
class GradeTable:
    """All rows, the reference's scoring columns (claim ids) with their points, and skipped ids."""
    reference: str
    title: str | None
    network: dict
    columns: tuple
    skipped: tuple
    rows: tuple
    points: dict = field(default_factory=dict)       # column -> points
    expected: dict = field(default_factory=dict)     # column -> the reference claim's text
    retried: int = 0                                 # claims checked a second time after an inconclusive

    @property
    def max(self):
        return _num(sum(self.points.get(c, 1) for c in self.columns))

    @property
    def ok(self) -> bool:
        """Every submission could be graded (no row has an error)."""
        return all(r.error is None for r in self.rows)

    @property
    def inconclusive(self) -> int:
        """Cells that stayed inconclusive over all rows."""
        return sum(len(r.inconclusive) for r in self.rows)

    def header(self) -> list:
        """Gradebook header: student, submission, one numeric column per claim, total, max, flags, feedback."""
        return ["student", "submission", *self.columns, "total", "max", "inconclusive", "error", "feedback"]

    def records(self) -> list:
        """Gradebook records matching ``header()``: points as numbers ('' where the row has an error)."""
        return [[r.student or r.submission, r.submission,
                 *[_num(r.cells[c].points) if c in r.cells else "" for c in self.columns],
                 r.points, _num(r.max), len(r.inconclusive), r.error or "", r.feedback()] for r in self.rows]

    def csv_rows(self) -> list:
        """Header and records with every cell through :func:`csv_cell`."""
        return [[csv_cell(v) for v in row] for row in (self.header(), *self.records())]

    def to_csv(self) -> str:
        """The gradebook CSV text (one line per row: no cell holds a line break)."""
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(self.csv_rows())
        return buf.getvalue()

    def summary(self) -> dict:
        """Counts for the end of a run: students, graded, errors, inconclusive cells, retried claims."""
        return {"students": len(self.rows), "graded": sum(r.error is None for r in self.rows),
                "errors": sum(r.error is not None for r in self.rows), "inconclusive": self.inconclusive,
                "retried": self.retried}

    def to_dict(self) -> dict:
        """The ``--format json`` document."""
        return {"reference": self.reference, "title": self.title, "network": self.network,
                "columns": list(self.columns), "points": {c: _num(self.points.get(c, 1)) for c in self.columns},
                "skipped": list(self.skipped), "max": self.max, "summary": self.summary(),
                "rows": [r.to_dict(self.columns) for r in self.rows]}


# ----------------------------------------------------------------------------------------------
# network


def _field_text(name, value) -> str:
    return "-".join(map(str, value)) if name == "sizes" else str(value)


def network_difference(net: Network, ref: Network) -> str | None:
    """None if the networks are equal, else 'sizes 2-3-2 vs 3-4-4-3; activation ...' (submission first)."""
    parts = [f"{f.name} {_field_text(f.name, getattr(net, f.name))} vs {_field_text(f.name, getattr(ref, f.name))}"
             for f in fields(Network) if getattr(net, f.name) != getattr(ref, f.name)]
    return "; ".join(parts) or None


# ----------------------------------------------------------------------------------------------
# one claim's job (in a bounded worker)


@dataclass(frozen=True)
class Answer:
    """What a worker found about one student claim: the columns it answers, the check, triviality."""
    matches: tuple = ()
    same_id: str | None = None           # why it does not answer the column of its own id (if it does not)
    result: ClaimResult | None = None    # None: not checked (it answers no column)
    trivial: str | None = None
    step_sides: tuple = ()
    lhs: str = ""
    retried: bool = False


def _parsed_keys(net, claim, path):
    from .notation import parse_claim
    parsed = parse_claim(claim.claim, net, given=claim.given, claim_id=claim.id, file=path, notation=claim.notation)
    return parsed, claim_keys(parsed, net, claim.given)


def _step_sides(parsed, step) -> tuple:
    """The two sides of a chain's failing step (1-based), as written."""
    try:
        sides = next(iter(parsed.instances())).sides
        return (sides[step - 1].latex, sides[step].latex) if step and step < len(sides) else ()
    except (SymbackpropError, StopIteration, IndexError):
        return ()


def _job(job) -> Answer:
    """Worker entry point: match the claim against the reference's keys, then check it if it answers one."""
    net, claim, opts, path, ref_keys = job
    mark_worker()
    parsed = keys = None
    try:
        parsed, keys = _parsed_keys(net, claim, path)
    except (SymbackpropError, RecursionError, MemoryError):
        pass                    # check_claim reports the same failure as a located error verdict
    same_id = None
    if keys is not None:
        matches = tuple(rid for rid, rk in ref_keys.items() if rk in keys)
        if claim.id in ref_keys and claim.id not in matches:
            same_id = difference(keys[0], ref_keys[claim.id])
        if not matches:
            return Answer((), same_id, None, None, (), keys[0].latex)
    else:
        matches = ()
    r = check_claim(net, claim.id, claim.claim, claim.given, claim.expect, opts, file=path, notation=claim.notation)
    trivial = trivial_reason(parsed, net) if parsed is not None and r.verdict in SCORING else None
    sides = _step_sides(parsed, r.step) if parsed is not None and r.step else ()
    return Answer(matches, same_id, r, trivial, sides, keys[0].latex if keys else "")


# ----------------------------------------------------------------------------------------------
# cells of one submission


def _kind(a: Answer) -> str:
    v = a.result.verdict
    if v in SCORING:
        return "trivial" if a.trivial else "earned"
    return v if v in _RANK else "error"


def _cell(cid, ref_claim, answers, spec) -> Cell:
    """The cell of column ``cid`` from the submission's answered claims (list of (claim, Answer))."""
    pts = ref_claim.points
    base = Cell("missing", False, "", max_points=pts, expected=ref_claim.claim)
    cands = [(c, a) for c, a in answers if a.result is not None and (cid in a.matches or "*" in a.matches
                                                                      and c.id == cid)]
    if cands:
        order = {c.id: i for i, c in enumerate(spec.claims)}
        c, a = min(cands, key=lambda ca: (_RANK[_kind(ca[1])], ca[0].id != cid, order[ca[0].id]))
        r, kind = a.result, _kind(a)
        verdict = "trivial" if kind == "trivial" else r.verdict
        message = (a.trivial + "; the reference expects: " + ref_claim.claim) if kind == "trivial" else r.message
        return replace(base, verdict=verdict, scored=kind == "earned", message=message, diagnosis=r.diagnosis,
                       points=pts if kind == "earned" else 0, answered_by=c.id, claim=c.claim, step=r.step,
                       step_sides=a.step_sides, counterexample=r.counterexample,
                       retried=a.retried)
    own = next((c for c in spec.claims if c.id == cid), None)
    if own is None:
        return replace(base, message="no claim of the submission states this relation (same left side, layers, "
                                     "entries and conditions, in either orientation)")
    if own.error is not None:
        return replace(base, verdict="error", message=own.error, answered_by=own.id, claim=own.claim)
    if not own.expect:
        return replace(base, verdict="different-relation", answered_by=own.id, claim=own.claim,
                       message="states a different relation: the submission marks it expect: false (it does not "
                               "assert it)")
    a = next((a for c, a in answers if c.id == cid), None)
    if a is not None and a.result is not None and a.same_id is None:       # unreadable: the checker's error
        return replace(base, verdict=a.result.verdict, message=a.result.message, answered_by=own.id,
                       claim=own.claim)
    why = a.same_id if a is not None and a.same_id else "states a different relation"
    return replace(base, verdict="different-relation", message=f"{why}; the reference expects: {ref_claim.claim}",
                   answered_by=own.id, claim=own.claim)


@dataclass
class _Entry:
    """One submission on its way to a row: its loaded spec (or the row's error) and its answers so far."""
    sub: Submission
    spec: DerivationSpec | None = None
    error: str | None = None
    answers: dict = field(default_factory=dict)      # claim id -> Answer
    pending: int = 0


def _plan(entry, reference, opts, jobs, owners, index, n):
    """Queue a job for each asserted, readable claim of ``entry``; one job per distinct claim."""
    diff = network_difference(entry.spec.network, reference.network)
    if diff:
        entry.error = f"network differs from the reference: {diff}"
        return
    for claim in entry.spec.claims:
        if claim.error is not None or not claim.expect:
            continue
        key = (entry.spec.network, claim.id, claim.claim, tuple(claim.given), claim.notation)
        if key not in index:
            index[key] = len(jobs)
            jobs.append((entry.spec.network, claim, opts, str(entry.spec.path)))
            owners.append([])
        owners[index[key]].append((n, claim.id, str(entry.spec.path)))
        entry.pending += 1


def _row(e: _Entry, reference, columns) -> GradeRow:
    total = sum(c.points for c in reference.claims if c.id in columns)
    common = dict(student=e.sub.student, duplicate_of=e.sub.duplicate_of, sha256=e.sub.sha256)
    if e.spec is None or e.error is not None:
        return GradeRow(e.sub.name, e.sub.path, total, error=e.error, **common)
    by_id = {c.id: c for c in e.spec.claims}
    answers = [(by_id[cid], a) for cid, a in e.answers.items()]
    refs = {c.id: c for c in reference.claims}
    cells = {cid: _cell(cid, refs[cid], answers, e.spec) for cid in columns}
    used = {c.answered_by for c in cells.values()}
    unmatched = tuple(c.id for c in e.spec.claims if c.id not in used and
                      (c.id not in e.answers or not e.answers[c.id].matches))
    return GradeRow(e.sub.name, e.sub.path, total, cells, None, unmatched, **common)


# ----------------------------------------------------------------------------------------------
# running the jobs


def _retry_limits(limits: Limits) -> Limits:
    """The second attempt's limits: RETRY_FACTOR times the time (within its bound), no file budget."""
    return replace(limits, timeout=min(limits.timeout * RETRY_FACTOR, BOUNDS["timeout"][2]), file_timeout=None)


def _needs_retry(res) -> bool:
    if res.status in ("timeout", "memory"):
        return True
    return res.status == "ok" and res.value.result is not None and res.value.result.verdict == "inconclusive" \
        and "file time budget" not in res.value.result.message


def _match_job(job) -> Answer:
    """Worker: only the columns a claim answers (for a claim whose check ended without a result)."""
    net, claim, _, path, ref_keys = job
    mark_worker()
    try:
        keys = _parsed_keys(net, claim, path)[1]
    except (SymbackpropError, RecursionError, MemoryError):
        return Answer(("*",))
    same = difference(keys[0], ref_keys[claim.id]) if claim.id in ref_keys and ref_keys[claim.id] not in keys \
        else None
    return Answer(tuple(rid for rid, rk in ref_keys.items() if rk in keys) or ("*",), same, lhs=keys[0].latex)


def _run(func, jobs, limits, on_result, groups, inline, scheduler):
    budget = limits.file_timeout
    if inline:
        for i, job in enumerate(jobs):
            on_result(i, run_inline(func, [job])[0])
    elif scheduler is not None:
        from .cluster import run_on_cluster
        run_on_cluster(func, jobs, limits, scheduler, on_result=on_result)
    elif jobs:
        run_jobs(func, jobs, limits, on_result=on_result, groups=groups if budget and groups else None,
                 group_budget=budget if groups else None)


class _Queue:
    """The jobs of all submissions and who owns each; answers delivered to entries as they come."""

    def __init__(self, entries, progress):
        self.entries, self.progress, self.shown = entries, progress, 0
        self.jobs, self.owners, self.index = [], [], {}

    def report(self):
        while self.shown < len(self.entries) and self.entries[self.shown].pending == 0:
            self.shown += 1
            if self.progress:
                n = self.shown
                self.progress(n, len(self.entries), self.entries[n].sub.name if n < len(self.entries) else "")

    def deliver(self, i, a: Answer):
        path = self.jobs[i][3]
        for n, cid, as_path in self.owners[i]:
            self.entries[n].answers[cid] = _located(a, path, as_path)
            self.entries[n].pending -= 1
        self.report()


def _located(a: Answer, path, as_path) -> Answer:
    r = a.result
    if r is not None and as_path not in (None, path) and r.message.startswith(f"{path}: "):
        return replace(a, result=replace(r, message=f"{as_path}: " + r.message[len(path) + 2:]))
    return a


def _grade_entries(entries, reference, ref_keys, limits, opts, inline=False, progress=None, scheduler=None):
    """Rows of the submissions: every distinct claim in one queue, retried once if inconclusive; a claim
    whose check returned nothing is matched on its own (cheap) so that its cell still shows it."""
    q = _Queue(entries, progress)
    for n, entry in enumerate(entries):
        if entry.spec is not None and entry.error is None:
            _plan(entry, reference, opts, q.jobs, q.owners, q.index, n)
    jobs = q.jobs = [(*j, ref_keys) for j in q.jobs]
    failed = {}

    def finished(i, res, retried=False):
        if not retried and _needs_retry(res):
            failed[i] = res
        elif res.status != "ok":
            failed[i] = res
        else:
            failed.pop(i, None)
            q.deliver(i, replace(res.value, retried=retried))

    if progress and entries:
        progress(0, len(entries), entries[0].sub.name)
    q.report()
    groups = [tuple(dict.fromkeys(n for n, _, _ in own)) for own in q.owners]
    _run(_job, jobs, limits, finished, groups, inline, scheduler)
    again = [i for i, res in failed.items() if _needs_retry(res)]
    if again:
        more = replace(opts, symbolic_seconds=opts.symbolic_seconds * RETRY_FACTOR) if opts.symbolic_seconds else opts
        _run(_job, [(*jobs[i][:2], more, *jobs[i][3:]) for i in again], _retry_limits(limits),
             lambda k, res: finished(again[k], res, True), None, inline, scheduler)
    lost = sorted(failed)
    if lost:
        def matched(k, res):
            verdict, message = failed_run(failed[lost[k]])
            a = res.value if res.ok else Answer(("*",))
            claim = jobs[lost[k]][1]
            q.deliver(lost[k], replace(a, result=ClaimResult(claim.id, claim.claim, verdict, message=message),
                                       retried=lost[k] in again))
        _run(_match_job, [jobs[i] for i in lost], replace(limits, file_timeout=None), matched, None, inline,
             scheduler)
    return tuple(_row(e, reference, tuple(ref_keys)) for e in entries), len(again)


# ----------------------------------------------------------------------------------------------
# the reference, and the whole run


def _ref_key_job(job):
    """Worker: ("ok", relation key as written) of one reference claim, or ("error", why)."""
    net, claim, path = job
    mark_worker()
    try:
        with warnings.catch_warnings():   # SymPy deprecation notes from the notation layer's givens
            warnings.simplefilter("ignore", DeprecationWarning)
            return "ok", _parsed_keys(net, claim, path)[1][0]
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


def _load(sub: Submission, notation) -> _Entry:
    if sub.error is not None:
        return _Entry(sub, error=sub.error)
    try:
        return _Entry(sub, load_spec_text(sub.data, sub.path, notation=notation))
    except SymbackpropError as e:
        e.file = None
        return _Entry(sub, error=e.one_line())


def grade_dir(source, reference_path, limits: Limits = Limits(), progress=None, opts: CheckOptions | None = None,
              inline: bool = False, *, notation=None, student_pattern=None, scheduler=None) -> GradeTable:
    """Grade every submission of ``source`` (a folder or zip) against the reference derivation file.

    ``notation``: the notation of files (reference and submissions) that declare none, as ``check
    --notation``. ``student_pattern``: a regular expression whose first group is the student id in a
    file or folder name. ``scheduler``: the address of a dask.distributed scheduler to run the claims on.
    ``progress(done, total, name)`` is called with ``done`` = 0 first, each time the leading submissions
    are graded, and once at the end (``done == total``, name ``""``). Errors about the source or the
    reference raise SymbackpropError; a submission's own errors go into its row.
    """
    if scheduler is not None and limits.file_timeout:
        raise SymbackpropError("--file-timeout is not supported with --scheduler (each claim keeps its --timeout)")
    reference = load_spec(reference_path, notation=notation)
    subs = collect(source, reference_path, student_pattern)
    if not inline and scheduler is None:
        budget = limits.file_timeout
        prepare_workers([reference.network], limits, deadline=time.monotonic() + budget if budget else None)
    ref_keys = reference_keys(reference, limits, inline=inline)
    opts = opts or default_options(limits)
    entries = [_load(s, notation) for s in subs]
    rows, retried = _grade_entries(entries, reference, ref_keys, limits, opts, inline, progress, scheduler)
    skipped = tuple(c.id for c in reference.claims if not c.expect)
    refs = {c.id: c for c in reference.claims}
    return GradeTable(display_name(reference_path), reference.title, reference.network.describe(), tuple(ref_keys),
                      skipped, rows, {c: refs[c].points for c in ref_keys}, {c: refs[c].claim for c in ref_keys},
                      retried)
