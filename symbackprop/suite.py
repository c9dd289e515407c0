"""Check every claim of a derivation file, one bounded worker process per claim.

A file's time budget (``Limits.file_timeout``) counts from the start of :func:`check_spec`: claims still
running when it runs out are stopped, claims not started are not started, and both end ``inconclusive``
with the message "file time budget exhausted"; the other results are kept.  An interrupt (Ctrl-C, or
SIGTERM/SIGHUP turned into :class:`~symbackprop.runner.Interrupted` by the CLI) stops the workers and
raises :class:`CheckInterrupted`, a KeyboardInterrupt carrying the partial report: the claims that
finished, and the others ``inconclusive`` with "not checked: interrupted by SIG...".
"""
from __future__ import annotations

import signal
import time
from dataclasses import dataclass

from .check import CheckOptions, ClaimResult, check_claim, mark_worker
from .derive import derive
from .runner import BUDGET_MESSAGE, Limits, run_inline, run_jobs
from .spec import DerivationSpec

__all__ = ["FileReport", "CheckInterrupted", "check_spec", "failed_run", "default_options", "not_checked",
           "unchecked_report", "signal_name"]


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


_WARM_MAX_PARAMS = 2000     # larger networks are derived inside the bounded workers only


def _small(net) -> bool:
    return sum(a * b + b for a, b in zip(net.sizes, net.sizes[1:])) <= _WARM_MAX_PARAMS


def _job(job):
    """Worker entry point: check one claim (runs in a child process)."""
    net, claim, opts, path = job
    mark_worker()
    return check_claim(net, claim.id, claim.claim, claim.given, claim.expect, opts, file=path, notation=claim.notation)


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
    """Checking was interrupted; ``report`` holds what finished (the rest: not checked), ``signum`` why."""

    def __init__(self, report, signum):
        super().__init__(signal_name(signum))
        self.report = report
        self.signum = signum


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


def _selected(spec, only) -> list:
    return [c for c in spec.claims if only is None or c.id in only]


def unchecked_report(spec: DerivationSpec, why: str, only=None) -> FileReport:
    """A report of ``spec`` in which no claim was checked (malformed entries keep their error)."""
    return FileReport(spec, tuple(_from_job(c, None) if c.error is not None else not_checked(c, why)
                                  for c in _selected(spec, only)))


def check_spec(spec: DerivationSpec, limits: Limits = Limits(), opts: CheckOptions | None = None,
               inline: bool = False, only=None) -> FileReport:
    """Check the claims of ``spec`` (all, or the ids in ``only``) under ``limits``.

    Raises :class:`CheckInterrupted` (a KeyboardInterrupt, with the partial report) when interrupted.
    """
    deadline = time.monotonic() + limits.file_timeout if limits.file_timeout else None
    opts = opts or default_options(limits)
    claims = _selected(spec, only)
    checked = [c for c in claims if c.error is None]
    jobs = [(spec.network, c, opts, str(spec.path)) for c in checked]
    done = {}
    try:
        if jobs and not inline and _small(spec.network):
            derive(spec.network)        # warm the caches once: forked workers inherit them
        if inline:
            runs = run_inline(_job, jobs)
        else:
            runs = run_jobs(_job, jobs, limits, deadline=deadline, on_result=done.__setitem__)
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        by_id = {c.id: _from_job(c, done[i]) for i, c in enumerate(checked) if i in done}
        why = f"interrupted by {signal_name(signum)}"
        results = tuple(_from_job(c, None) if c.error is not None else by_id.get(c.id) or not_checked(c, why)
                        for c in claims)
        raise CheckInterrupted(FileReport(spec, results), signum) from e
    runs = iter(runs)
    results = tuple(_from_job(c, None if c.error is not None else next(runs)) for c in claims)
    return FileReport(spec, results)
