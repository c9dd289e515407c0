"""Check every claim of derivation files, one bounded worker process per claim.

Workers are forked from a warm parent: :func:`prepare_workers` imports here everything a claim's
worker imports (the notation layer, latex2sympy2, SymPy's lazily imported modules) and derives each
network once, under the per-claim limits (:func:`~symbackprop.runner.run_here`), so that each forked
worker starts with the derivation in memory (shared copy-on-write) instead of importing and deriving
again.  A warm-up that runs out of its limits is dropped: the workers then derive for themselves, under
their own limits, as they would without it.

:func:`check_specs` runs the claims of several files as one queue of workers (every core busy until the
last claim) and reports each claim as it is decided (``on_result``); :func:`check_spec` is one file.

A file's time budget (``Limits.file_timeout``) counts from the start of its first claim (the warm-up
before it is bounded by the budget too): claims still running when it runs out are stopped, claims not
started are not started, and both end ``inconclusive`` with the message "file time budget exhausted";
the other results are kept.  An interrupt (Ctrl-C, or SIGTERM/SIGHUP turned into
:class:`~symbackprop.runner.Interrupted` by the CLI) stops the workers and raises
:class:`CheckInterrupted`, a KeyboardInterrupt carrying the partial reports: the claims that finished,
and the others ``inconclusive`` with "not checked: interrupted by SIG...".
"""
from __future__ import annotations

import functools
import importlib
import signal
import time
import warnings
from dataclasses import dataclass, replace

from .check import CheckOptions, ClaimResult, check_claim, mark_worker
from .derive import derive
from .resultcache import claim_key
from .runner import BUDGET_MESSAGE, Limits, run_here, run_inline, run_jobs, will_fork
from .samples import warm_points
from .spec import DerivationSpec

__all__ = ["FileReport", "CheckInterrupted", "check_spec", "check_specs", "prepare_workers", "failed_run",
           "default_options", "not_checked", "selected_claims", "unchecked_report", "signal_name", "WORKER_MODULES"]


@dataclass(frozen=True)
class FileReport:
    """The results of one derivation file."""
    spec: DerivationSpec
    results: tuple

    @property
    def ok(self) -> bool:
        """Every claim ended as the file expects."""
        return all(r.as_expected for r in self.results)

    def summary(self) -> dict:
        """Count of each verdict."""
        out = {}
        for r in self.results:
            out[r.verdict] = out.get(r.verdict, 0) + 1
        return out

    def to_dict(self) -> dict:
        """The ``--format json`` document of this file."""
        return {"file": str(self.spec.path), "title": self.spec.title, "network": self.spec.network.describe(),
                "claims": [r.to_dict() for r in self.results], "summary": self.summary(), "ok": self.ok}


def _job(job):
    """Worker entry point: check one claim (runs in a child process)."""
    net, claim, opts, path = job
    mark_worker()
    return check_claim(net, claim.id, claim.claim, claim.given, claim.expect, opts, file=path, notation=claim.notation,
                       origin=claim.origin)


def failed_run(res) -> tuple:
    """(verdict, message) of a worker that returned nothing: a limit is inconclusive, a crash an error."""
    if res.status == "budget":
        return "inconclusive", BUDGET_MESSAGE
    verdict = "inconclusive" if res.status in ("timeout", "memory") else "error"
    what = {"timeout": "time limit", "memory": "memory limit"}.get(res.status, "worker failure")
    return verdict, f"{what}: {res.detail}"


def default_options(limits: Limits) -> CheckOptions:
    """Checker options under ``limits``: half of the time limit for the symbolic phase."""
    return CheckOptions(symbolic_seconds=limits.timeout * 0.5)


def signal_name(signum) -> str:
    """'SIGTERM' for 15."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class CheckInterrupted(KeyboardInterrupt):
    """Checking was interrupted; ``report`` holds what finished of the (first) file (the rest: not
    checked), ``reports`` that of every file given, ``signum`` why."""

    def __init__(self, report, signum, reports=None):
        super().__init__(signal_name(signum))
        self.report = report
        self.reports = list(reports) if reports is not None else [report]
        self.signum = signum


# What a claim's worker imports beyond the checker itself (found by listing sys.modules in a worker
# after checking the course files): imported once in the parent, the forked workers inherit them.
WORKER_MODULES = ("symbackprop.notation", "symbackprop.trivial", "sympy.assumptions.wrapper",
                  "sympy.sets.handlers.issubset", "sympy.sets.setexpr")
# Imported while the first workers run (``import_late``): latex2sympy2 (about 80 ms, two parses at its import)
# reads only numeric literals, which the first claims may not have; a worker that meets one before the parent
# has it imports it itself.
LATE_MODULES = ("latex2sympy2",)
_COLD = set()       # networks whose warm-up ran out of its limits in this process: not tried again


def _import(names):
    with warnings.catch_warnings():         # latex2sympy2's antlr4 imports typing.io (deprecated)
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in names:
            try:
                importlib.import_module(name)
            except ImportError:
                pass


def import_late() -> None:
    """Import :data:`LATE_MODULES` here (``run_jobs(after_first=...)``: while the first workers run)."""
    if will_fork():
        _import(LATE_MODULES)


def prepare_workers(networks, limits: Limits = Limits(), deadline=None, opts: CheckOptions | None = None,
                    late: bool = True) -> None:
    """Warm this process for the workers it will fork: import :data:`WORKER_MODULES` (and :data:`LATE_MODULES`
    unless ``late`` is False: the caller then runs :func:`import_late` once its first workers started), derive
    each network once and draw and evaluate its claims' random and kink points (``check.warm_points`` with
    ``opts``), bounded by ``limits`` (and ``deadline``).  Nothing to do where workers are not forked."""
    if not will_fork():
        return
    _import(WORKER_MODULES + (LATE_MODULES if late else ()))
    for net in dict.fromkeys(networks):
        if net not in _COLD:
            res = run_here(derive, net, limits, deadline)
            if res is not None and res.status in ("timeout", "memory", "crashed"):
                _COLD.add(net)
                continue
            res = run_here(functools.partial(warm_points, opts=opts or default_options(limits)), net, limits,
                           deadline)
            if res is not None and res.status in ("timeout", "memory", "crashed"):
                _COLD.add(net)


def not_checked(claim, why: str) -> ClaimResult:
    """The result of a claim that was never checked (interrupted): ``inconclusive``, 'not checked: why'."""
    return ClaimResult(claim.id, claim.claim, "inconclusive", message=f"not checked: {why}",
                       expect=claim.expect, given=claim.given)


def _from_job(claim, res) -> ClaimResult:
    if claim.error is not None:     # a malformed entry (spec.py): its error, no worker was run
        return ClaimResult(claim.id, claim.claim, "error", message=claim.error, expect=claim.expect)
    if res.status == "ok":
        return res.value
    verdict, message = failed_run(res)
    return ClaimResult(claim.id, claim.claim, verdict, message=message,
                       seconds=res.seconds, expect=claim.expect, given=claim.given)


def selected_claims(spec, only=None) -> list:
    """The claims of ``spec`` that are checked: all, or those whose id is in ``only``."""
    return [c for c in spec.claims if only is None or c.id in only]


_selected = selected_claims


def unchecked_report(spec: DerivationSpec, why: str, only=None) -> FileReport:
    """A report of ``spec`` in which no claim was checked (malformed entries keep their error)."""
    return FileReport(spec, tuple(_from_job(c, None) if c.error is not None else not_checked(c, why)
                                  for c in _selected(spec, only)))


def _plan(specs, selected, opts, cache, decided) -> tuple:
    """(jobs, where, keys) of the claims a worker must check: a malformed entry is decided at once (its
    error), as is a claim the cache holds; ``where[i]`` is job i's (file, claim) and ``keys[i]`` its cache key."""
    jobs, where, keys = [], [], []
    for f, (spec, claims) in enumerate(zip(specs, selected)):
        for k, c in enumerate(claims):
            if c.error is not None:     # a malformed entry (spec.py): its error, no worker is run
                decided(f, k, _from_job(c, None))
                continue
            job = (spec.network, c, opts, str(spec.path))
            if cache is not None:
                t0 = time.perf_counter()
                key = claim_key(*job)
                hit = cache.get(key)
                if hit is not None:
                    decided(f, k, replace(hit, seconds=time.perf_counter() - t0, cached=True))
                    continue
                keys.append(key)
            jobs.append(job)
            where.append((f, k))
    return jobs, where, keys


def check_specs(specs, limits: Limits = Limits(), opts: CheckOptions | None = None, inline: bool = False,
                only=None, on_result=None, cache=None) -> list:
    """Check the claims of every spec (all, or the ids in ``only``) as one queue of workers; one
    :class:`FileReport` per spec, in order.

    ``cache`` (a :class:`~symbackprop.resultcache.ResultCache`, optional) answers the claims it holds a final
    verdict for (no worker is run for them: ``cached`` is set) and keeps the final verdicts decided here.

    ``on_result(file_index, claim_index, result)`` (optional) is called as each claim is decided, in the
    order they finish (a malformed entry at once).  Raises :class:`CheckInterrupted` (with the partial
    reports of every file) when interrupted.
    """
    specs = list(specs)
    opts = opts or default_options(limits)
    selected = [_selected(spec, only) for spec in specs]
    results = [[None] * len(claims) for claims in selected]

    def decided(f, k, result):
        results[f][k] = result
        if on_result is not None:
            on_result(f, k, result)

    jobs, where, keys = _plan(specs, selected, opts, cache, decided)

    def finished(i, res):
        f, k = where[i]
        result = _from_job(selected[f][k], res)
        if cache is not None and res.status == "ok":
            cache.put(keys[i], result)
        decided(f, k, result)

    try:
        if inline:
            for i, job in enumerate(jobs):
                finished(i, run_inline(_job, [job])[0])
        elif jobs:
            budget = limits.file_timeout
            prepare_workers([j[0] for j in jobs], limits,
                            deadline=time.monotonic() + budget if budget else None, opts=opts, late=False)
            run_jobs(_job, jobs, limits, on_result=finished, groups=[(f,) for f, _ in where] if budget else None,
                     group_budget=budget, after_first=import_late)
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        why = f"interrupted by {signal_name(signum)}"
        reports = [FileReport(spec, tuple(r if r is not None else not_checked(c, why)
                                          for c, r in zip(claims, rs)))
                   for spec, claims, rs in zip(specs, selected, results)]
        raise CheckInterrupted(reports[0] if reports else None, signum, reports) from e
    return [FileReport(spec, tuple(rs)) for spec, rs in zip(specs, results)]


def check_spec(spec: DerivationSpec, limits: Limits = Limits(), opts: CheckOptions | None = None,
               inline: bool = False, only=None) -> FileReport:
    """Check the claims of ``spec`` (all, or the ids in ``only``) under ``limits``.

    Raises :class:`CheckInterrupted` (a KeyboardInterrupt, with the partial report) when interrupted.
    """
    return check_specs([spec], limits, opts, inline=inline, only=only)[0]
