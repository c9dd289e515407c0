"""One time allowance for the symbolic phase of a claim (``CheckOptions.symbolic_seconds``).

Every proof attempt of a claim (each step, each instance) gets what is left of the one allowance, never a
fresh timer; the interval timer is armed only in a worker process's main thread (``mark_worker``).

The allowance is counted in CPU seconds of the worker (``ITIMER_PROF``, ``time.process_time``), not on the
wall clock: a proof that fits on a quiet machine fits on a loaded one, so the verdict does not depend on what
else the machine runs (with the wall clock, two busy loops on a two-core machine halved the allowance and
turned proofs into numerically-equal or inconclusive).  The runner's CPU limit still bounds the whole job.
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager


class _Budget(Exception):
    """The symbolic phase ran out of its time budget."""


_RESOLUTION = 0.01    # CPU timers fire on the scheduler's tick (1-4 ms late): less than this left counts as spent


class _Clock:
    """One time allowance for a whole claim: each attempt gets what is left (not a fresh timer each time)."""

    def __init__(self, seconds):
        self.left = seconds

    @contextmanager
    def bound(self):
        """Run the block within what is left (CPU seconds) — an interval timer, only in a worker process's main
        thread."""
        if self.left is None or threading.current_thread() is not threading.main_thread() or not _IN_WORKER[0]:
            yield
            return
        if self.left < _RESOLUTION:
            raise _Budget()

        fired = []

        def _raise(signum, frame):
            fired.append(True)
            raise _Budget()

        t0 = time.process_time()
        old = signal.signal(signal.SIGPROF, _raise)
        signal.setitimer(signal.ITIMER_PROF, self.left)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, old)
            # the timer's tick-sampled CPU time can run a little ahead of process_time: once it fired, the
            # allowance is spent, whatever process_time says
            self.left = 0.0 if fired else self.left - (time.process_time() - t0)


_IN_WORKER = [False]


def mark_worker():
    """Called in a worker process: the symbolic phase may then use an interval timer."""
    _IN_WORKER[0] = True


def _bounded(clock, fn):
    """``fn()`` within what is left of ``clock`` (one allowance for the whole claim), or "budget"."""
    try:
        with clock.bound():
            return fn()
    except _Budget:
        return "budget"
