"""Bounded workers: one child process per job, with memory, CPU and wall-clock limits, run in parallel.

Start method.  Where ``fork`` exists (Linux) and the parent runs a single Python thread, each job runs
in a forked child: forking costs about a millisecond (an empty job costs 3-5 ms in all), the child
inherits the imported modules and whatever SymPy/lru caches the parent has warmed (e.g. ``graph(net)``),
shared copy-on-write, and neither ``func`` nor the job is pickled.  Forking while other threads run can
deadlock the child on a lock one of them holds, so with more than one thread the runner uses
``forkserver`` (a clean single-threaded server, preloaded with ``func``'s module), else ``spawn``.
Only the result crosses a pipe, pickled in the child (at most MAX_RESULT_BYTES).

Limits are set inside the child; the parent never uses signals or timers.  RLIMIT_AS caps the address
space at what the child inherited plus ``memory_mb`` (a forked child already maps the parent's pages,
which are shared and are not the job's cost).  RLIMIT_CPU is ``timeout`` plus CPU_SLACK seconds: SIGXCPU
becomes a "timeout" report, and a child deaf to it is killed a second later.  The parent keeps the
wall-clock deadline and kills the child's whole process group.  A forked child's stdout and stderr go
to a pipe the parent drains; their last line explains a crash (use ``run_inline`` to see the output).
"""
from __future__ import annotations

import faulthandler
import math
import multiprocessing as mp
import os
import pickle
import resource
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait

__all__ = ["Limits", "JobResult", "run_jobs", "run_inline", "STATUSES"]

STATUSES = ("ok", "timeout", "memory", "crashed")
MAX_RESULT_BYTES = 64 << 20
CPU_SLACK = 1.0
OUTPUT_TAIL = 4096
BLIND_POLL = 0.05
DRAIN_CHUNKS = 16
MEMORY_WORDS = ("memoryerror", "cannot allocate memory", "out of memory", "bad_alloc", "memory exhausted",
                "failed to allocate")


@dataclass(frozen=True)
class Limits:
    """Per-job limits: wall/CPU seconds, extra address space in MiB, and parallel workers."""
    timeout: float = 20.0
    memory_mb: int = 2048
    workers: int | None = None

    def __post_init__(self):
        """ValueError unless every limit is positive (and finite)."""
        t = self.timeout
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {t!r}")
        if isinstance(self.memory_mb, bool) or not isinstance(self.memory_mb, int) or self.memory_mb <= 0:
            raise ValueError(f"memory_mb must be a positive integer, got {self.memory_mb!r}")
        w = self.workers
        if w is not None and (isinstance(w, bool) or not isinstance(w, int) or w <= 0):
            raise ValueError(f"workers must be a positive integer or None, got {w!r}")


@dataclass(frozen=True)
class JobResult:
    """The outcome of one job: status (ok/timeout/memory/crashed), value, wall seconds, one-line detail."""
    status: str
    value: object = None
    seconds: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        """The job returned a value."""
        return self.status == "ok"


def _one_line(exc: BaseException) -> str:
    """'Type: first line of the message' (SymbackpropError: its located one-line form)."""
    try:
        text = exc.one_line() if hasattr(exc, "one_line") else str(exc)
    except Exception:  # noqa: BLE001 - an exception whose message itself fails
        text = ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    first = first if len(first) <= 300 else first[:297] + "..."
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


# ----------------------------------------------------------------------------------------------
# inside the child


class _CpuLimit(BaseException):
    """Raised in the child by SIGXCPU (the soft RLIMIT_CPU)."""


def _on_sigxcpu(signum, frame):
    """SIGXCPU handler in the child: unwind the job."""
    raise _CpuLimit()


def _mapped_bytes() -> int:
    """The process's current address-space size (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _lower(which, soft):
    """Lower a resource limit (soft and hard) to ``soft``, keeping a smaller existing hard limit."""
    _, hard = resource.getrlimit(which)
    new = soft if hard == resource.RLIM_INFINITY else min(soft, hard)
    resource.setrlimit(which, (new, new))


def _confine(limits: Limits, out_fd):
    """Own process group, output to the capture pipe, SIGXCPU handler, CPU and address-space limits."""
    try:
        os.setpgid(0, 0)
    except OSError:
        pass
    if out_fd is not None:
        faulthandler.disable()
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        sys.stdout = open(1, "w", buffering=1, closefd=False, errors="replace")
        sys.stderr = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")
    signal.signal(signal.SIGXCPU, _on_sigxcpu)
    cpu = math.ceil(limits.timeout + CPU_SLACK)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    hard_new = cpu + 1 if hard == resource.RLIM_INFINITY else min(cpu + 1, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu, hard_new), hard_new))
    _lower(resource.RLIMIT_AS, _mapped_bytes() + (limits.memory_mb << 20))


def _pack(status, value, detail) -> bytes:
    """The pickled (status, value, detail) message; a result that cannot be sent becomes 'crashed'."""
    try:
        data = pickle.dumps((status, value, detail), protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return pickle.dumps(("memory", None, "MemoryError while pickling the result"))
    except Exception as e:  # noqa: BLE001 - any pickling failure is reported, not raised
        return pickle.dumps(("crashed", None, f"result could not be pickled: {_one_line(e)}"))
    if len(data) > MAX_RESULT_BYTES:
        return pickle.dumps(("crashed", None, f"result too large to return ({len(data)} bytes pickled; "
                                              f"the limit is {MAX_RESULT_BYTES})"))
    return data


def _child(func, job, conn, limits, out_fd):
    """Child entry point: confine, run ``func(job)``, send exactly one message."""
    memory_msg = pickle.dumps(("memory", None, "MemoryError (address-space limit reached)"))
    ballast = bytearray(64 << 10)  # freed on MemoryError so the report can be sent
    _confine(limits, out_fd)
    outcome = None
    try:
        outcome = ("ok", func(job), "")
    except MemoryError:
        del ballast
    except _CpuLimit:
        outcome = ("timeout", None, f"CPU time limit exceeded ({resource.getrlimit(resource.RLIMIT_CPU)[0]} s)")
    except BaseException as e:  # noqa: BLE001 - a job may raise anything, SystemExit included
        outcome = ("crashed", None, _one_line(e))
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    conn.send_bytes(memory_msg if outcome is None else _pack(*outcome))
    conn.close()


# ----------------------------------------------------------------------------------------------
# in the parent


SIGNAL_OUTCOMES = {
    signal.SIGXCPU: ("timeout", "CPU time limit exceeded (killed by SIGXCPU)"),
    signal.SIGKILL: ("crashed", "killed by SIGKILL (the CPU hard limit or the system's out-of-memory killer)"),
}


def _signal_name(number: int) -> str:
    """SIGSEGV for 11, or 'signal N' when the number has no name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _start_method(requested=None) -> str:
    """fork when it is safe (one thread), else forkserver, else spawn."""
    if requested:
        return requested
    methods = mp.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


@dataclass
class _Running:
    """A started child and what the parent tracks about it."""
    index: int
    process: object
    conn: object
    out_fd: int | None
    started: float
    deadline: float
    tail: bytes = b""
    eof: bool = False
    blind: bool = False


def _drain(run: _Running):
    """Read what the child printed so far (keep the last OUTPUT_TAIL bytes)."""
    if run.out_fd is None:
        return
    for _ in range(DRAIN_CHUNKS):
        try:
            chunk = os.read(run.out_fd, 65536)
        except (BlockingIOError, InterruptedError):
            return
        if not chunk:
            return
        run.tail = (run.tail + chunk)[-OUTPUT_TAIL:]


def _last_words(run: _Running) -> str:
    """The child's last non-empty output line, if any."""
    lines = [ln.strip() for ln in run.tail.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def _start(ctx, func, job, index, limits) -> _Running:
    """Fork/spawn the child of one job with its result pipe and (fork only) output capture."""
    recv, send = ctx.Pipe(duplex=False)
    out_r, out_w = os.pipe() if ctx.get_start_method() == "fork" else (None, None)
    proc = ctx.Process(target=_child, args=(func, job, send, limits, out_w), daemon=True)
    proc.start()
    send.close()
    if out_w is not None:
        os.close(out_w)
        os.set_blocking(out_r, False)
    try:
        os.setpgid(proc.pid, proc.pid)
    except OSError:
        pass
    now = time.monotonic()
    return _Running(index, proc, recv, out_r, now, now + limits.timeout)


def _kill(run: _Running):
    """Kill the child and its process group, and reap it."""
    for kill in (lambda: os.killpg(run.process.pid, signal.SIGKILL), run.process.kill):
        try:
            kill()
            break
        except OSError:
            continue
    run.process.join()


def _finish(run: _Running, result: JobResult) -> JobResult:
    """Close the child's pipes and return ``result``."""
    run.conn.close()
    if run.out_fd is not None:
        os.close(run.out_fd)
    return result


def _received(run: _Running) -> JobResult | None:
    """The result message of a child whose pipe is readable (None, and ``eof`` set, if it closed empty)."""
    seconds = time.monotonic() - run.started
    try:
        status, value, detail = pickle.loads(run.conn.recv_bytes(MAX_RESULT_BYTES + 4096))
    except EOFError:
        run.eof = True
        return None
    except Exception as e:  # noqa: BLE001 - a torn or unreadable message is a crash of that job
        status, value, detail = "crashed", None, f"could not read the result: {_one_line(e)}"
    run.process.join(0.5)
    if run.process.is_alive():
        _kill(run)
    return JobResult(status, value, seconds, detail)


def _died(run: _Running) -> JobResult:
    """The result of a child that exited without a message: classify by exit code and output."""
    run.process.join()
    seconds = time.monotonic() - run.started
    _drain(run)
    code, words = run.process.exitcode, _last_words(run)
    if code is not None and code < 0:
        status, detail = SIGNAL_OUTCOMES.get(-code, ("crashed", f"killed by {_signal_name(-code)}"))
        if -code == signal.SIGKILL and seconds >= run.deadline - run.started:
            status = "timeout"
    else:
        status, detail = "crashed", f"worker exited with status {code} without a result"
    said = run.tail.decode("utf-8", "replace").lower()
    if status == "crashed" and any(w in said for w in MEMORY_WORDS):
        status = "memory"
    return JobResult(status, None, seconds, detail + (f": {words}" if words else ""))


def _exited(run: _Running, ready: set) -> bool:
    """Whether the child is gone (its sentinel also fires if it merely closed inherited descriptors)."""
    if run.process.sentinel not in ready and not run.blind:
        return False
    if run.process.is_alive():
        run.blind = True
        return False
    return True


def _step(running: dict, results: list, limits: Limits):
    """Wait for the next message, exit or deadline; move finished jobs into ``results``."""
    now = time.monotonic()
    timeout = max(0.0, min(r.deadline for r in running.values()) - now)
    if any(r.blind for r in running.values()):
        timeout = min(timeout, BLIND_POLL)
    handles = [r.process.sentinel for r in running.values() if not r.blind]
    handles += [r.conn for r in running.values() if not r.eof]
    handles += [r.out_fd for r in running.values() if r.out_fd is not None]
    ready = set(wait(handles, timeout))
    now = time.monotonic()
    for key, run in list(running.items()):
        if run.out_fd is not None and run.out_fd in ready:
            _drain(run)
        res = None
        if not run.eof and (run.conn in ready or run.conn.poll()):
            res = _received(run)
        if res is None and (_exited(run, ready) or (run.eof and not run.process.is_alive())):
            res = _died(run)
        if res is None and now >= run.deadline:
            _kill(run)
            res = JobResult("timeout", None, now - run.started,
                            f"wall-clock limit of {limits.timeout:g} s exceeded")
        if res is None:
            continue
        results[run.index] = _finish(run, res)
        del running[key]


def _workers(limits: Limits, n: int) -> int:
    """How many children run at once."""
    if limits.workers:
        return max(1, min(limits.workers, n))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, n))


def run_jobs(func, jobs, limits: Limits = Limits(), *, start_method: str | None = None) -> list:
    """Run ``func(job)`` for every job, each in its own limited child process; results in job order."""
    jobs = list(jobs)
    if not jobs:
        return []
    ctx = mp.get_context(_start_method(start_method))
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload([getattr(func, "__module__", None) or "__main__"])
    results, pending, running = [None] * len(jobs), deque(enumerate(jobs)), {}
    cap = _workers(limits, len(jobs))
    try:
        while pending or running:
            while pending and len(running) < cap:
                i, job = pending.popleft()
                running[i] = _start(ctx, func, job, i, limits)
            _step(running, results, limits)
    finally:
        for run in running.values():
            _kill(run)
            _finish(run, None)
    return results


def run_inline(func, jobs) -> list:
    """Run ``func(job)`` for every job in this process (debugging: no limits, no isolation)."""
    out = []
    for job in jobs:
        t0 = time.monotonic()
        try:
            value = func(job)
        except MemoryError:
            out.append(JobResult("memory", None, time.monotonic() - t0, "MemoryError"))
            continue
        except Exception as e:  # noqa: BLE001 - reported like a crashed worker
            out.append(JobResult("crashed", None, time.monotonic() - t0, _one_line(e)))
            continue
        out.append(JobResult("ok", value, time.monotonic() - t0, ""))
    return out
