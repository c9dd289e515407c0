"""Bounded workers: one child process per job, with memory, CPU and wall-clock limits, run in parallel.

Start method.  Where ``fork`` exists (Linux) and the parent runs a single Python thread, each job runs
in a forked child: forking costs about a millisecond (an empty job costs 3-5 ms in all), the child
inherits the imported modules and whatever SymPy/lru caches the parent has warmed (e.g. ``graph(net)``),
shared copy-on-write, and neither ``func`` nor the job is pickled.  Forking while other threads run can
deadlock the child on a lock one of them holds, so with more than one thread the runner uses
``forkserver`` (a clean single-threaded server, preloaded with ``func``'s module), else ``spawn``.
Only the result crosses a pipe, pickled in the child (at most MAX_RESULT_BYTES).

Limits are set inside the child; the parent never uses signals or timers (the CLI may turn SIGTERM and
SIGHUP into :class:`Interrupted`, a KeyboardInterrupt: either way ``run_jobs`` kills its children on the
way out).  RLIMIT_AS caps the address
space at what the child inherited plus ``memory_mb`` (a forked child already maps the parent's pages,
which are shared and are not the job's cost).  RLIMIT_CPU is ``timeout`` plus CPU_SLACK seconds: SIGXCPU
becomes a "timeout" report, and a child deaf to it is killed a second later.  The parent keeps the
wall-clock deadline and kills the child's whole process group.  A forked child's stdout and stderr go
to a pipe the parent drains; their last line explains a crash (use ``run_inline`` to see the output).

Workers die with the parent.  A parent that is killed outright (SIGKILL, or a signal it does not handle)
runs no cleanup, so each child also watches its parent itself, twice over:

* PR_SET_PDEATHSIG (Linux, through ``prctl``): the kernel sends the child SIGKILL when its parent exits.
* A watchdog pipe (POSIX): the parent holds the write end of one pipe per child and never writes to it;
  the child holds the read end with ``O_ASYNC`` and ``F_SETOWN`` set to its own process group, so when
  the parent is gone (its descriptors closed by the kernel: EOF) the kernel sends SIGIO (default
  action: terminate) to the child *and to whatever it started* -- without the child running a line of
  Python, so a job stuck inside one long C call still goes.  Where ``O_ASYNC`` is missing a daemon
  thread blocks on the read end instead.  A forked child first releases the write ends of its siblings'
  pipes that it inherited (else siblings would keep each other alive), and after arming it checks that
  the parent has not already gone.

Budgets.  ``Limits`` checks every limit against one table of ranges (:data:`BOUNDS`; the CLI and the
pytest plugin use the same table for their flags).  ``run_jobs(..., deadline=...)`` also takes a
deadline for the whole batch (``time.monotonic()`` seconds): jobs still running then are killed and
jobs not started are not started; both end with status ``budget``.  ``groups``/``group_budget`` give
the same per group of jobs (a file's time budget when the claims of many files share one queue), each
group's clock starting with its first job.

A worker per job, not a pool.  A pool of reused workers was measured against this design
(benchmarks/bench_pool.py): even with no limits at all it saves about a tenth of the workers' CPU on the
course files, and reuse would cost bounds -- the kernel's hard CPU limit cannot be raised again for
the next job, the address-space limit would shrink as a worker's caches grow, and state left by one
claim (SymPy's caches, the global random state its assumption system shuffles with, a job cut short
by a signal) would reach the next.  Forked from a warm parent (see ``suite.prepare_workers``) every job
starts from the same state instead, shared copy-on-write; the warm-up itself runs here under the same
limits (:func:`run_here`).

Why one module of ~850 lines: the child's half (limits set inside it, the watchdog it arms, the result it
packs) and the parent's half (start, drain, the deadline, the kill of a process group) are two ends of one
protocol over the same pipes, signals and process-global state (the held watchdog ends, ``PDEATHSIG``,
which tests set on this module); split, each half could be read only with the other open.  ``run_here``
stays beside them because it sets the same limits on this very process.
"""
from __future__ import annotations

import faulthandler
import gc
import math
import multiprocessing as mp
import os
import pickle
import resource
import select
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait

__all__ = ["Limits", "JobResult", "run_jobs", "run_inline", "run_here", "will_fork", "STATUSES", "BOUNDS", "bound_text", "check_bound", "Interrupted",
           "interrupt_on_signals", "BUDGET_MESSAGE"]

STATUSES = ("ok", "timeout", "memory", "crashed", "budget")
BUDGET_MESSAGE = "file time budget exhausted"
MAX_RESULT_BYTES = 64 << 20
CPU_SLACK = 1.0
OUTPUT_TAIL = 4096
BLIND_POLL = 0.05
DRAIN_CHUNKS = 16
MEMORY_WORDS = ("memoryerror", "cannot allocate memory", "out of memory", "bad_alloc", "memory exhausted",
                "failed to allocate")


# The allowed range of every numeric limit, in one place: (kind, lowest, highest, unit).  A float's lowest
# bound is exclusive (a time must be positive), an int's inclusive.  Far beyond these the C calls behind
# them overflow (selectors' poll timeout, setrlimit) or no machine could honour them.
MAX_TIMEOUT = 86_400.0              # one day per job
MAX_FILE_TIMEOUT = 7 * 86_400.0     # one week per file
MAX_MEMORY_MB = 1 << 20             # 1 TiB of address space per job
MAX_WORKERS = 256
BOUNDS = {
    "timeout": (float, 0.0, MAX_TIMEOUT, "seconds", "1 day"),
    "file_timeout": (float, 0.0, MAX_FILE_TIMEOUT, "seconds", "7 days"),
    "memory_mb": (int, 1, MAX_MEMORY_MB, "MiB", "1 TiB"),
    "workers": (int, 1, MAX_WORKERS, "processes", ""),
    "points": (int, 1, 10_000, "points", ""),
    "seed": (int, 0, 2**32 - 1, "", "2**32 - 1"),
}


def bound_text(name) -> str:
    """The allowed range of ``name`` in words, e.g. 'a positive number of seconds, at most 86400 (1 day)'."""
    kind, low, high, unit, hint = BOUNDS[name]
    most = f"at most {high:g}" if kind is float else f"at most {high}"
    most += f" ({hint})" if hint else ""
    if kind is float:
        return f"a positive number of {unit}, {most}"
    if low == 1:
        return f"a positive integer{' number of ' + unit if unit else ''}, {most}"
    return f"an integer from {low} to {high}" + (f" ({hint})" if hint else "")


def check_bound(name, value, what=None):
    """``value`` if it is within ``BOUNDS[name]``, else ValueError '<what> must be ..., got <value>'."""
    kind, low, high = BOUNDS[name][:3]
    what = what or name
    if kind is float:
        good = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
                and low < value <= high)
    else:
        good = not isinstance(value, bool) and isinstance(value, int) and low <= value <= high
    if not good:
        raise ValueError(f"{what} must be {bound_text(name)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """Per-job limits: wall/CPU seconds, extra address space in MiB, parallel workers; and the time
    budget of a whole file (``file_timeout``, used by ``suite.check_spec`` and ``grade``; None: none)."""
    timeout: float = 20.0
    memory_mb: int = 2048
    workers: int | None = None
    file_timeout: float | None = None

    def __post_init__(self):
        """ValueError unless every limit is within its range of :data:`BOUNDS`."""
        check_bound("timeout", self.timeout)
        check_bound("memory_mb", self.memory_mb)
        if self.workers is not None:
            check_bound("workers", self.workers)
        if self.file_timeout is not None:
            check_bound("file_timeout", self.file_timeout)


class Interrupted(KeyboardInterrupt):
    """A signal that stops the run (SIGINT, SIGTERM, SIGHUP) as a KeyboardInterrupt; ``signum`` says which."""

    def __init__(self, signum=signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


class interrupt_on_signals:
    """Context manager (main thread): SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted`, so the
    runner's cleanup (killing its workers) runs and the caller can report what finished."""

    SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))

    def __enter__(self):
        self.saved = {}
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:       # nohup: stay deaf to SIGHUP
                    self.saved[sig] = signal.signal(sig, _raise_interrupted)
        return self

    def __exit__(self, *exc):
        for sig, old in self.saved.items():
            signal.signal(sig, old)
        return False


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


STALLED_MESSAGE = "address-space limit reached (the worker stalled there until the wall-clock limit)"
_STALL_MARGIN = 4 << 20     # bytes below RLIMIT_AS that count as "at the limit" (one failed allocation's size)


def _at_memory_limit(pid: int) -> bool:
    """Whether the child ``pid`` has mapped (nearly) all the address space its RLIMIT_AS allows.

    A child at that limit sometimes does not raise MemoryError but retries failing allocations inside C
    code (seen with a large polynomial expansion: hundreds of thousands of failed mmap calls) until the
    wall clock ends it; its verdict is then the memory limit's, not the time limit's.  False where /proc
    is missing or unreadable."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            size = int(f.read().split()[0]) * resource.getpagesize()
        with open(f"/proc/{pid}/limits") as f:
            line = next((ln for ln in f if ln.startswith("Max address space")), "")
        soft = line.split()[3] if line else "unlimited"
    except (OSError, ValueError, IndexError):
        return False
    return soft.isdigit() and size >= int(soft) - _STALL_MARGIN


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


PDEATHSIG = True            # PR_SET_PDEATHSIG where available (tests turn it off to test the pipe alone)
_PR_SET_PDEATHSIG = 1
_HELD_WATCHDOGS = set()     # in the parent: the write ends of the running children's watchdog pipes
_HELD_SIGNALS = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}


_LIBC = []


def _prctl():
    """libc's prctl (Linux), loaded once (in the parent, so forked children inherit it), else None."""
    if not _LIBC:
        func = None
        if sys.platform.startswith("linux"):
            try:
                import ctypes
                func = ctypes.CDLL(None, use_errno=True).prctl
            except (OSError, AttributeError, ImportError):
                func = None
        _LIBC.append(func)
    return _LIBC[0]


def _set_pdeathsig() -> bool:
    """Ask the kernel (Linux) for SIGKILL when the parent exits; False where it cannot be done."""
    prctl = _prctl() if PDEATHSIG else None
    try:
        return prctl is not None and prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except OSError:
        return False


def _parent_gone(fd) -> bool:
    """Whether the watchdog pipe is at EOF (readable: the parent never writes)."""
    try:
        if hasattr(select, "poll"):
            p = select.poll()
            p.register(fd, select.POLLIN)
            return bool(p.poll(0))
        return bool(select.select([fd], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def _release_siblings():
    """A forked child: let go of the watchdog write ends of its siblings that it inherited."""
    if not _HELD_WATCHDOGS:
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        for fd in list(_HELD_WATCHDOGS):
            try:
                os.dup2(null, fd)       # not close(): the number stays taken (stale objects may close it)
            except OSError:
                pass
    finally:
        os.close(null)
    _HELD_WATCHDOGS.clear()


def _die_with_group():
    """The parent is gone: end this child and what it started."""
    try:
        if os.getpgrp() == os.getpid():
            os.killpg(0, signal.SIGKILL)
    finally:
        os._exit(1)


def _watch_thread(fd):
    def watch():
        try:
            while os.read(fd, 1):
                pass
        except OSError:
            return
        _die_with_group()
    threading.Thread(target=watch, name="symbackprop-watchdog", daemon=True).start()


def _watch_parent(watchdog):
    """Die with the parent: PR_SET_PDEATHSIG, and SIGIO to our process group at EOF of the watchdog pipe."""
    for sig in ("SIGTERM", "SIGHUP"):          # the parent's handlers (if any) are not the child's business
        if hasattr(signal, sig):
            signal.signal(getattr(signal, sig), signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):     # held by the parent while it started us
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)
    _release_siblings()
    _set_pdeathsig()
    if watchdog is None:
        return
    fd = watchdog.fileno()
    try:
        import fcntl
        signal.signal(signal.SIGIO, signal.SIG_DFL)            # default action: terminate
        owner = -os.getpgrp() if os.getpgrp() == os.getpid() else os.getpid()   # never the parent's group
        fcntl.fcntl(fd, fcntl.F_SETOWN, owner)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_ASYNC)
    except (ImportError, AttributeError, OSError, ValueError):
        _watch_thread(fd)
    if _parent_gone(fd):                       # the parent went before we were watching
        _die_with_group()


def _child(func, job, conn, limits, out_fd, watchdog=None):
    """Child entry point: watch the parent, confine, run ``func(job)``, send exactly one message.

    The objects the child inherited (a forked child: the warm parent's imports, derivations and points) are
    moved out of reach of its garbage collector (``gc.freeze``): a full collection over them cost about
    65 ms of every claim, and they stay alive in the parent anyway."""
    gc.freeze()
    memory_msg = pickle.dumps(("memory", None, "MemoryError (address-space limit reached)"))
    ballast = bytearray(64 << 10)  # freed on MemoryError so the report can be sent
    _confine(limits, out_fd)
    _watch_parent(watchdog)
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


def will_fork() -> bool:
    """Whether :func:`run_jobs` forks its workers now (they then inherit what this process has loaded)."""
    return _start_method() == "fork"


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
    deadline: float             # its own limit, or the batch's deadline if that comes first
    watchdog: object = None     # the write end of its watchdog pipe (closing it tells the child to go)
    cut: bool = False           # the deadline is the batch's (a file budget), not the job's own limit
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


def _start(ctx, func, job, index, limits, deadline=None) -> _Running:
    """Fork/spawn the child of one job with its result pipe, watchdog pipe and (fork only) output capture."""
    recv, send = ctx.Pipe(duplex=False)
    wd_recv, wd_send = ctx.Pipe(duplex=False)
    out_r, out_w = os.pipe() if ctx.get_start_method() == "fork" else (None, None)
    _HELD_WATCHDOGS.add(wd_send.fileno())
    proc = ctx.Process(target=_child, args=(func, job, send, limits, out_w, wd_recv), daemon=True)
    try:
        proc.start()
    except BaseException:
        _HELD_WATCHDOGS.discard(wd_send.fileno())
        for c in (recv, send, wd_recv, wd_send):
            c.close()
        for fd in (out_r, out_w):
            if fd is not None:
                os.close(fd)
        raise
    send.close()
    wd_recv.close()
    if out_w is not None:
        os.close(out_w)
        os.set_blocking(out_r, False)
    try:
        os.setpgid(proc.pid, proc.pid)
    except OSError:
        pass
    now = time.monotonic()
    own = now + limits.timeout
    cut = deadline is not None and deadline < own
    return _Running(index, proc, recv, out_r, now, deadline if cut else own, wd_send, cut)


def _signal_child(run: _Running):
    """SIGKILL to the child's process group (or the child alone); never raises."""
    for kill in (lambda: os.killpg(run.process.pid, signal.SIGKILL), run.process.kill):
        try:
            kill()
            return
        except (OSError, ValueError, AttributeError):
            continue


def _kill(run: _Running):
    """Kill the child and its process group, and reap it."""
    _signal_child(run)
    run.process.join()


def _finish(run: _Running, result: JobResult) -> JobResult:
    """Close the child's pipes (the watchdog last: the child is gone by now) and return ``result``."""
    run.conn.close()
    if run.out_fd is not None:
        os.close(run.out_fd)
    if run.watchdog is not None:
        _HELD_WATCHDOGS.discard(run.watchdog.fileno())
        run.watchdog.close()
        run.watchdog = None
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


def _step(running: dict, limits: Limits, done):
    """Wait for the next message, exit or deadline; hand each finished job to ``done(index, result)``."""
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
            stalled = _at_memory_limit(run.process.pid)      # read before the kill: /proc goes with the child
            _kill(run)
            res = (JobResult("budget", None, now - run.started, BUDGET_MESSAGE) if run.cut else
                   JobResult("memory", None, now - run.started, STALLED_MESSAGE) if stalled else
                   JobResult("timeout", None, now - run.started, f"wall-clock limit of {limits.timeout:g} s exceeded"))
        if res is None:
            continue
        del running[key]
        done(run.index, _finish(run, res))


def _workers(limits: Limits, n: int) -> int:
    """How many children run at once."""
    if limits.workers:
        return max(1, min(limits.workers, n))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, n))


class _signals_held:
    """Block SIGINT/SIGTERM/SIGHUP for a moment (delivered on exit); children unblock them themselves."""

    def __enter__(self):
        self.old = None
        if hasattr(signal, "pthread_sigmask"):
            self.old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
        return self

    def __exit__(self, *exc):
        if self.old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.old)
        return False


def _cleanup(running: dict):
    """Kill every child still running (all signals first, then reap), close their pipes."""
    for run in running.values():
        _signal_child(run)
    for run in list(running.values()):
        try:
            run.process.join()
        finally:
            _finish(run, None)
    running.clear()


class _Budgets:
    """Time budgets of groups of jobs (e.g. one per file): a group's clock starts when its first job
    starts; a job's budget ends at the latest deadline of its groups (a job shared by several files runs
    while one of them still has time), and never after the batch's own ``deadline``."""

    def __init__(self, groups, seconds, deadline):
        self.groups, self.seconds, self.deadline, self.opened = groups, seconds, deadline, {}

    def expired(self, index, now) -> bool:
        """Whether job ``index`` may no longer start (the batch's deadline, or all of its groups')."""
        if self.deadline is not None and now >= self.deadline:
            return True
        if self.groups is None:
            return False
        keys = self.groups[index]
        return bool(keys) and all(k in self.opened and now >= self.opened[k] for k in keys)

    def start(self, index, now):
        """The deadline of job ``index`` starting now (opening the clocks of its groups), or None."""
        if self.groups is None or not self.groups[index]:
            return self.deadline
        for k in self.groups[index]:
            self.opened.setdefault(k, now + self.seconds)
        end = max(self.opened[k] for k in self.groups[index])
        return end if self.deadline is None else min(end, self.deadline)


def run_jobs(func, jobs, limits: Limits = Limits(), *, start_method: str | None = None, deadline=None,
             on_result=None, groups=None, group_budget=None, after_first=None) -> list:
    """Run ``func(job)`` for every job, each in its own limited child process; results in job order.

    ``deadline`` (a ``time.monotonic()`` time, optional) bounds the whole batch: what is still running
    then is killed, what has not started never starts; both get status ``budget``.  ``groups`` and
    ``group_budget`` (optional, together) give budgets per group of jobs: ``groups[i]`` is the
    collection of group keys of job ``i`` (e.g. ``(file,)``); each group's clock starts when its first
    job starts and lasts ``group_budget`` seconds, after which its jobs are stopped and not started
    (status ``budget``; a job of several groups lasts until the latest of their deadlines).
    ``after_first()`` (optional) is called once the first jobs are started (as many as run at once): work of
    this process that only later children need overlaps with the first ones instead of delaying them.
    ``on_result(index, result)`` (optional) is called as each job finishes, so a caller interrupted
    (KeyboardInterrupt, :class:`Interrupted`) still knows what finished; the children are killed before
    the exception leaves.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    if (groups is None) != (group_budget is None):
        raise ValueError("groups and group_budget go together")
    if groups is not None:
        groups = [tuple(g) for g in groups]
        if len(groups) != len(jobs):
            raise ValueError(f"{len(groups)} groups for {len(jobs)} jobs")
        check_bound("file_timeout", group_budget, "group_budget")
    budgets = _Budgets(groups, group_budget, deadline)
    ctx = mp.get_context(_start_method(start_method))
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload([getattr(func, "__module__", None) or "__main__"])
    _prctl()
    results, pending, running = [None] * len(jobs), deque(enumerate(jobs)), {}

    def done(index, result):
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    cap = _workers(limits, len(jobs))
    try:
        while pending or running:
            while pending and len(running) < cap:
                i, job = pending.popleft()
                now = time.monotonic()
                if budgets.expired(i, now):
                    done(i, JobResult("budget", None, 0.0, BUDGET_MESSAGE))
                    continue
                with _signals_held():       # a started child is always in ``running`` (cleanup sees it)
                    running[i] = _start(ctx, func, job, i, limits, budgets.start(i, now))
            if after_first is not None:
                after_first, first = None, after_first
                first()
            if running:
                _step(running, limits, done)
    finally:
        _cleanup(running)
    return results


ALARM_REPEAT = 0.25


class _WallLimit(BaseException):
    """Raised by SIGALRM in :func:`run_here`."""


def _settle():
    """A few bytecodes: Python runs the handler of a signal that arrived during the last system call."""
    return sum(range(8))


def run_here(func, arg, limits: Limits = Limits(), deadline=None):
    """``func(arg)`` in this process, bounded like a job: a JobResult, or None where it cannot be bounded.

    For work whose result should stay in this process (warming caches that forked workers then share),
    not for untrusted input: the limits are soft limits of this very process, set for the call and put
    back after it -- RLIMIT_AS at what is mapped now plus ``memory_mb`` (MemoryError: ``memory``),
    RLIMIT_CPU at the CPU used so far plus ``timeout`` + CPU_SLACK (SIGXCPU: ``timeout``), and the wall
    clock (``timeout``, or ``deadline`` if sooner) by SIGALRM when no one else uses it.  Those interrupts
    are Python exceptions: the call is stopped at its next bytecode (both signals repeat until the call
    has ended, so one that lands where Python ignores exceptions is not the last), and a caller must not
    rely on anything the interrupted call left half done.  A ``deadline`` already past: ``budget``, not run.
    None (nothing run) outside the main thread, where signal handlers cannot be set.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    t0 = time.monotonic()
    seconds = limits.timeout if deadline is None else min(limits.timeout, deadline - t0)
    if seconds <= 0:
        return JobResult("budget", None, 0.0, BUDGET_MESSAGE)
    armed = [True]
    on_cpu, on_alarm = _limit_handlers(armed)
    use_alarm = signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None) and \
        signal.getitimer(signal.ITIMER_REAL)[0] == 0
    old_cpu, old_as = resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_AS)
    old_xcpu = signal.signal(signal.SIGXCPU, on_cpu)
    old_xcpu = signal.SIG_DFL if old_xcpu is None else old_xcpu      # None: not set from Python
    if use_alarm:
        signal.signal(signal.SIGALRM, on_alarm)

    def disarm():
        armed[0] = False
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, old_as)
        resource.setrlimit(resource.RLIMIT_CPU, old_cpu)

    try:
        try:
            _cap_this_process(seconds, limits.memory_mb, old_cpu, old_as)
            if use_alarm:               # again every ALARM_REPEAT s: an exception raised where Python
                signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT)   # ignores it (a gc callback, a
            outcome = ("ok", func(arg), "")                                   # __del__) is raised anew
        finally:
            disarm()
    except MemoryError:
        outcome = ("memory", None, "MemoryError (address-space limit reached)")
    except _CpuLimit:
        outcome = ("timeout", None, f"CPU time limit exceeded ({seconds + CPU_SLACK:g} s)")
    except _WallLimit:
        outcome = ("timeout", None, f"wall-clock limit of {seconds:g} s exceeded")
    except Exception as e:  # noqa: BLE001 - reported like a crashed worker
        outcome = ("crashed", None, _one_line(e))
    finally:
        disarm()                        # again: an interrupt may have cut the first one short
        _settle()                       # a signal already on its way runs the disarmed handler here
        signal.signal(signal.SIGXCPU, old_xcpu)
        if use_alarm:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
    status, value, detail = outcome
    return JobResult(status, value, time.monotonic() - t0, detail)


def _limit_handlers(armed):
    """SIGXCPU and SIGALRM handlers of ``run_here``: they raise only while ``armed[0]`` (a signal that lands
    after the call has ended runs a disarmed handler)."""
    def on_cpu(signum, frame):
        if armed[0]:
            raise _CpuLimit()

    def on_alarm(signum, frame):
        if armed[0]:
            raise _WallLimit()
    return on_cpu, on_alarm


def _cap_this_process(seconds, memory_mb, old_cpu, old_as):
    """Soft limits of this process for ``run_here``: RLIMIT_CPU at the CPU used so far plus ``seconds`` +
    CPU_SLACK, RLIMIT_AS at what is mapped now plus ``memory_mb``; never above a limit already set."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime + seconds + CPU_SLACK)
    mapped = _mapped_bytes()
    caps = [(resource.RLIMIT_CPU, old_cpu, cpu)]
    if mapped:                  # without /proc the current size is unknown: no address-space cap
        caps.append((resource.RLIMIT_AS, old_as, mapped + (memory_mb << 20)))
    for which, old, soft in caps:
        for bound in old:
            if bound != resource.RLIM_INFINITY:
                soft = min(soft, bound)
        resource.setrlimit(which, (soft, old[1]))


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
