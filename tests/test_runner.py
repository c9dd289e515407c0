"""Bounded workers: values come back in order; hostile jobs end as timeout/memory/crashed alone."""
import mmap
import os
import random
import resource
import signal
import sys
import time

import pytest
import sympy as sp

from symbackprop import runner
from symbackprop.errors import NotationError
from symbackprop.runner import JobResult, Limits, run_inline, run_jobs

FAST = Limits(timeout=10, memory_mb=512, workers=2)
SHORT = Limits(timeout=1, memory_mb=512, workers=2)
MIXED = Limits(timeout=2, memory_mb=512, workers=2)  # the well-behaved jobs in a mix get ample time


# jobs (top level, so any start method can use them)

def square(x):
    return x * x


def nap_then_square(job):
    seconds, x = job
    time.sleep(seconds)
    return x * x


def fail(message):
    raise ValueError(message)


def sleep_forever(_):
    time.sleep(3600)


def busy_loop(_):
    while True:
        pass


def allocate_4gib(_):
    return len(bytearray(4 << 30))


def cpu_limit_then_busy(_):
    resource.setrlimit(resource.RLIMIT_CPU, (1, 3))
    while True:
        pass


def segfault(_):
    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(60)


def exit_3(_):
    os._exit(3)


def gmp_abort(_):
    os.write(2, b"GNU MP: Cannot allocate memory (size=4294967304)\n")
    os.abort()


def return_lambda(_):
    return lambda: 1


def return_bytes(n):
    return b"x" * n


def _boom():
    raise RuntimeError("cannot rebuild")


class Unloadable:
    """Pickles fine in the child, fails to unpickle in the parent."""

    def __reduce__(self):
        return (_boom, ())


def return_unloadable(_):
    return Unloadable()


def system_exit(_):
    raise SystemExit(7)


def notation_error(_):
    raise NotationError("unknown command \\frob", token="\\frob", position=3)


def close_fds_then(action):
    os.closerange(3, 4096)
    if action == "sleep":
        time.sleep(3600)
    return 1


class BadStr(Exception):
    """An exception whose message cannot be formatted."""

    def __str__(self):
        raise RuntimeError("no message")


def raise_bad_str(_):
    raise BadStr()


def print_then_exit(code):
    print("chatty job output")
    print("last words before exit", flush=True)
    os._exit(code)


def print_then_return(x):
    print("noise on stdout")
    print("noise on stderr", file=sys.stderr)
    return x


def spawn_grandchild(pid_file):
    import subprocess
    proc = subprocess.Popen(["sleep", "300"])
    with open(pid_file, "w") as f:
        f.write(str(proc.pid))
    time.sleep(3600)


def factor_poly(seed):
    rng = random.Random(seed)
    x = sp.Symbol("x")
    roots = [rng.randint(-5, 5) for _ in range(4)]
    return sp.expand(sp.Mul(*[x - r for r in roots])), sorted(roots)


def dispatch(job):
    name, arg = job
    return MIX_FUNCS[name](arg)


MIX_FUNCS = {"square": square, "fail": fail, "sleep": sleep_forever, "alloc": allocate_4gib, "busy": busy_loop,
             "segv": segfault}


# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [
    {"timeout": 0}, {"timeout": -1}, {"timeout": float("inf")}, {"timeout": float("nan")}, {"timeout": "1"},
    {"timeout": True}, {"memory_mb": 0}, {"memory_mb": 1.5}, {"memory_mb": True}, {"workers": 0},
    {"workers": -2}, {"workers": 1.0},
])
def test_limits_are_validated(kwargs):
    with pytest.raises(ValueError):
        Limits(**kwargs)


def test_limits_defaults():
    assert Limits() == Limits(20.0, 2048, None)
    assert Limits(timeout=1).timeout == 1


def test_values_come_back_in_job_order():
    jobs = [((9 - i) * 0.02, i) for i in range(10)]
    results = run_jobs(nap_then_square, jobs, FAST)
    assert [r.status for r in results] == ["ok"] * 10
    assert [r.value for r in results] == [i * i for i in range(10)]
    assert all(r.detail == "" and r.seconds >= 0 for r in results)


def test_no_jobs():
    assert run_jobs(square, [], FAST) == [] and run_inline(square, []) == []


def test_more_jobs_than_workers_with_one_worker():
    results = run_jobs(square, range(7), Limits(timeout=10, memory_mb=512, workers=1))
    assert [r.value for r in results] == [i * i for i in range(7)]


def test_exception_is_crashed_with_one_line_message():
    (res,) = run_jobs(fail, ["bad value\nsecond line"], FAST)
    assert res.status == "crashed" and res.value is None
    assert res.detail == "ValueError: bad value"


def test_library_error_keeps_its_location():
    (res,) = run_jobs(notation_error, [None], FAST)
    assert res.status == "crashed" and res.detail.startswith("NotationError: unknown command")
    assert "'\\\\frob'" in res.detail and "\n" not in res.detail


def test_sleep_past_the_wall_clock_is_a_timeout():
    (res,) = run_jobs(sleep_forever, [None], SHORT)
    assert res.status == "timeout" and "wall-clock" in res.detail


def test_busy_loop_is_a_timeout():
    (res,) = run_jobs(busy_loop, [None], SHORT)
    assert res.status == "timeout"


def test_cpu_limit_is_a_timeout_and_says_cpu():
    (res,) = run_jobs(cpu_limit_then_busy, [None], Limits(timeout=30, memory_mb=512))
    assert res.status == "timeout" and "CPU" in res.detail


def test_allocation_past_the_memory_limit():
    (res,) = run_jobs(allocate_4gib, [None], FAST)
    assert res.status == "memory" and "MemoryError" in res.detail


def allocate(n):
    return len(bytearray(n))


def fill_then_retry(_):
    """Map the address space up to the limit, then retry failing allocations forever (as C code that does
    not give up on a failed malloc does) without raising."""
    hold = []
    size = 64 << 20
    while size >= 4096:
        try:
            hold.append(bytearray(size))
        except MemoryError:
            size //= 2
    while True:
        try:
            hold.append(bytearray(8 << 20))
        except MemoryError:
            pass


def test_a_worker_stalled_at_the_memory_limit_is_memory_not_time():
    (res,) = run_jobs(fill_then_retry, [None], Limits(timeout=2, memory_mb=64, workers=1))
    assert res.status == "memory" and "address-space limit" in res.detail, res
    # and a worker far below its limit at the deadline stays a timeout (above: sleep_forever, busy_loop)


def test_memory_limit_is_relative_to_what_the_child_inherits():
    ballast = mmap.mmap(-1, 600 << 20)  # the parent maps more than memory_mb; the job still gets its budget
    try:
        fits, too_big = run_jobs(allocate, [300 << 20, 700 << 20], FAST)
    finally:
        ballast.close()
    assert (fits.status, fits.value) == ("ok", 300 << 20), fits
    assert too_big.status == "memory", too_big


def test_death_by_signal_is_crashed_and_named():
    (res,) = run_jobs(segfault, [None], FAST)
    assert res.status == "crashed" and "SIGSEGV" in res.detail


def test_exit_without_result_is_crashed():
    (res,) = run_jobs(exit_3, [None], FAST)
    assert res.status == "crashed" and "status 3" in res.detail


def test_abort_after_allocation_failure_is_memory():
    (res,) = run_jobs(gmp_abort, [None], FAST)
    assert res.status == "memory" and "SIGABRT" in res.detail and "Cannot allocate memory" in res.detail


def test_exception_with_broken_message_is_crashed():
    (res,) = run_jobs(raise_bad_str, [None], FAST)
    assert (res.status, res.detail) == ("crashed", "BadStr")


def test_last_output_line_explains_an_abnormal_exit():
    (res,) = run_jobs(print_then_exit, [5], FAST)
    assert res.status == "crashed" and res.detail.endswith("status 5 without a result: last words before exit")


def test_job_output_does_not_reach_the_parent(capfd):
    results = run_jobs(print_then_return, [1, 2], FAST)
    assert [r.value for r in results] == [1, 2]
    out, err = capfd.readouterr()
    assert "noise" not in out + err


def test_system_exit_is_crashed():
    (res,) = run_jobs(system_exit, [None], FAST)
    assert res.status == "crashed" and res.detail == "SystemExit: 7"


def test_unpicklable_result_is_crashed():
    (res,) = run_jobs(return_lambda, [None], FAST)
    assert res.status == "crashed" and "could not be pickled" in res.detail


def test_too_large_result_is_crashed(monkeypatch):
    monkeypatch.setattr(runner, "MAX_RESULT_BYTES", 10_000)
    small, large = run_jobs(return_bytes, [100, 20_000], FAST, start_method="fork")
    assert small.status == "ok" and small.value == b"x" * 100
    assert large.status == "crashed" and "too large" in large.detail


def test_result_that_fails_to_unpickle_is_crashed():
    (res,) = run_jobs(return_unloadable, [None], FAST)
    assert res.status == "crashed" and "could not read the result" in res.detail and "cannot rebuild" in res.detail


def test_job_that_closes_its_pipe_is_crashed_or_timed_out():
    done, slept = run_jobs(close_fds_then, ["return", "sleep"], MIXED)
    assert done.status == "crashed" and "status 1" in done.detail
    assert slept.status == "timeout"


def test_timeout_kills_grandchildren(tmp_path):
    pid_file = tmp_path / "pid"
    (res,) = run_jobs(spawn_grandchild, [str(pid_file)], SHORT)
    assert res.status == "timeout"
    pid = int(pid_file.read_text())
    for _ in range(500):  # wait (not a timing assertion) for the kernel to finish the killed grandchild
        try:
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            break
        if state in ("Z", "X"):
            break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail(f"grandchild {pid} survived the timeout (state {state})")


def test_hostile_jobs_do_not_affect_the_others():
    jobs = [("square", 2), ("fail", "no"), ("sleep", None), ("square", 3), ("alloc", None), ("busy", None),
            ("square", 4), ("segv", None), ("square", 5)]
    results = run_jobs(dispatch, jobs, MIXED)
    assert [r.status for r in results] == ["ok", "crashed", "timeout", "ok", "memory", "timeout", "ok",
                                           "crashed", "ok"]
    assert [r.value for r in results] == [4, None, None, 9, None, None, 16, None, 25]


def test_parallel_matches_inline():
    seeds = list(range(6))
    parallel = run_jobs(factor_poly, seeds, FAST)
    inline = run_inline(factor_poly, seeds)
    assert [r.status for r in parallel] == [r.status for r in inline] == ["ok"] * 6
    assert [r.value for r in parallel] == [r.value for r in inline]


def test_inline_reports_like_the_workers():
    results = run_inline(dispatch, [("square", 3), ("fail", "bad\nmore")])
    assert results[0] == JobResult("ok", 9, results[0].seconds, "")
    assert results[1].status == "crashed" and results[1].detail == "ValueError: bad"


def test_inline_memory_error():
    def raise_memory(_):
        raise MemoryError()
    (res,) = run_inline(raise_memory, [None])
    assert res.status == "memory"


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_other_start_methods(method):
    results = run_jobs(dispatch, [("square", 3), ("fail", "x"), ("alloc", None)],
                       Limits(timeout=20, memory_mb=512), start_method=method)
    assert [(r.status, r.value) for r in results] == [("ok", 9), ("crashed", None), ("memory", None)]


def test_fork_is_chosen_without_threads_and_avoided_with_threads():
    import threading
    assert runner._start_method() == "fork"
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert runner._start_method() == "forkserver"
    finally:
        stop.set()
        t.join()


# ----------------------------------------------------------------------------------------------
# limits have ranges; a batch deadline (a file's time budget); workers die with the parent


@pytest.mark.parametrize("kwargs, words", [
    ({"timeout": 1e10}, ["timeout", "at most 86400"]),
    ({"timeout": 86_400.5}, ["timeout", "at most 86400"]),
    ({"memory_mb": 99_999_999_999_999}, ["memory_mb", "at most 1048576"]),
    ({"workers": 100_000}, ["workers", "at most 256"]),
    ({"file_timeout": 0}, ["file_timeout", "positive"]),
    ({"file_timeout": float("nan")}, ["file_timeout"]),
    ({"file_timeout": 1e9}, ["file_timeout", "at most 604800"]),
])
def test_limits_have_upper_bounds_and_say_which(kwargs, words):
    with pytest.raises((ValueError, TypeError)) as info:
        Limits(**kwargs)
    assert info.type is ValueError, info.value
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_the_largest_limits_are_accepted():
    limits = Limits(timeout=86_400, memory_mb=1 << 20, workers=256, file_timeout=604_800)
    (res,) = run_jobs(square, [7], limits)
    assert (res.status, res.value) == ("ok", 49)


def test_a_batch_deadline_stops_running_jobs_and_skips_the_rest():
    jobs = [("square", 2), ("sleep", None), ("sleep", None), ("square", 3)]
    finished = []
    t0 = time.monotonic()
    results = run_jobs(dispatch, jobs, Limits(timeout=60, memory_mb=512, workers=2),
                       deadline=t0 + 3, on_result=lambda i, r: finished.append(i))
    elapsed = time.monotonic() - t0
    assert [r.status for r in results] == ["ok", "budget", "budget", "budget"], results
    assert results[0].value == 4
    assert all(r.detail == "file time budget exhausted" for r in results[1:])
    assert sorted(finished) == [0, 1, 2, 3]
    assert elapsed < 30, elapsed      # the budget (3 s), not the job limit (60 s); generous for a loaded host


def test_a_job_limit_before_the_deadline_is_still_a_timeout():
    (res,) = run_jobs(sleep_forever, [None], SHORT, deadline=time.monotonic() + 600)
    assert res.status == "timeout" and "wall-clock" in res.detail


def _state(pid):
    """The /proc state letter of ``pid`` ('Z' zombie), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _wait_gone(pids, seconds):
    """Poll until every pid is gone or a zombie; the survivors (killed here, never left behind)."""
    end = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < end:
        alive = {p for p in alive if _state(p) not in (None, "Z", "X")}
        if alive:
            time.sleep(0.05)
    for p in alive:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return alive


PARENT_SCRIPT = r"""
import os, subprocess, sys, time
from symbackprop import runner
runner.PDEATHSIG = sys.argv[2] == "pdeathsig"

def job(pid_file):
    child = subprocess.Popen(["sleep", "300"])
    with open(pid_file + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    os.replace(pid_file + ".tmp", pid_file)
    time.sleep(300)

if __name__ == "__main__":
    runner.run_jobs(job, [sys.argv[1]], runner.Limits(timeout=250, memory_mb=512), start_method=sys.argv[3])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("guard, method", [("pdeathsig", "fork"), ("pipe-only", "fork"),
                                           ("pipe-only", "forkserver")])
def test_workers_and_what_they_started_die_when_the_parent_is_killed(tmp_path, guard, method):
    import subprocess
    script = tmp_path / "parent.py"
    script.write_text(PARENT_SCRIPT)
    pid_file = tmp_path / "pids"
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file), guard, method])
    pids = []
    try:
        end = time.monotonic() + 120
        while not pid_file.exists() and time.monotonic() < end and parent.poll() is None:
            time.sleep(0.05)
        assert pid_file.exists(), "the job never started"
        pids = [int(p) for p in pid_file.read_text().split()]
        parent.kill()                                  # SIGKILL: no cleanup runs in the parent
        parent.wait(60)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(60)
        survivors = _wait_gone(pids, 20)
    assert not survivors, f"worker/grandchild {survivors} outlived the killed parent ({guard}, {method})"


# ----------------------------------------------------------------------------------------------
# budgets per group of jobs (one per file): a group's clock starts with its first job


def test_group_budgets_are_per_group_and_start_with_the_groups_first_job():
    # one worker: group "a" (a sleeper, then a quick job) uses up its 1 s; group "b" starts only after
    # that and still gets its own 1 s, so its jobs finish; a batch-wide deadline would have cut them
    jobs = [("sleep", None), ("square", 2), ("square", 3), ("square", 4)]
    groups = [("a",), ("a",), ("b",), ("b",)]
    t0 = time.monotonic()
    results = run_jobs(dispatch, jobs, Limits(timeout=60, memory_mb=512, workers=1), groups=groups,
                       group_budget=1.0)
    assert [r.status for r in results] == ["budget", "budget", "ok", "ok"], results
    assert [r.value for r in results[2:]] == [9, 16]
    assert results[0].detail == "file time budget exhausted"
    assert time.monotonic() - t0 < 30         # the budget (1 s), not the job limit (60 s)


def test_a_job_of_several_groups_runs_until_the_latest_of_their_budgets():
    # one worker: the sleeper of "b" uses up b's 1 s; the job of "a" and "b" then starts (a's clock
    # opens with it) and runs until a's budget ends 1 s later; the last job of "b" alone never starts
    jobs = [("sleep", None), ("sleep", None), ("square", 2)]
    results = run_jobs(dispatch, jobs, Limits(timeout=60, memory_mb=512, workers=1),
                       groups=[("b",), ("a", "b"), ("b",)], group_budget=1.0)
    assert [r.status for r in results] == ["budget", "budget", "budget"], results
    assert results[1].seconds >= 0.9, results        # cut by a's deadline, not at once by b's
    assert results[2].seconds == 0.0                 # not started


def test_groups_need_a_budget_and_one_entry_per_job():
    with pytest.raises(ValueError):
        run_jobs(square, [1], FAST, groups=[("a",)])
    with pytest.raises(ValueError):
        run_jobs(square, [1, 2], FAST, groups=[("a",)], group_budget=1.0)


# ----------------------------------------------------------------------------------------------
# run_here: a bounded call in this process (the warm-up before forking), every limit put back after


def _limits_now():
    return (resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU),
            signal.getsignal(signal.SIGXCPU), signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL))


def test_run_here_returns_the_value_and_puts_every_limit_back():
    before = _limits_now()
    res = runner.run_here(square, 7, SHORT)
    assert (res.status, res.value) == ("ok", 49)
    assert _limits_now() == before


def test_run_here_stops_a_busy_loop_at_the_wall_clock_and_puts_the_limits_back(monkeypatch):
    # the CPU cap counts every thread of this process: threads other tests left running could reach a cap of
    # 1 s + 1 s slack before the wall clock does (seen under load); a wide slack leaves the wall clock first
    monkeypatch.setattr(runner, "CPU_SLACK", 60)
    before = _limits_now()
    t0 = time.monotonic()
    res = runner.run_here(busy_loop, None, SHORT)
    assert res.status == "timeout" and "wall-clock" in res.detail, res
    assert time.monotonic() - t0 < 15
    assert _limits_now() == before


def busy_for(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "finished"


def test_run_here_uses_the_cpu_limit_when_sigalrm_is_taken():
    old = signal.signal(signal.SIGALRM, lambda *a: None)     # someone else's alarm (pytest-timeout, say)
    try:
        res = runner.run_here(busy_for, 60, Limits(timeout=0.5, memory_mb=512))
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, old)
    assert res.status == "timeout" and "CPU" in res.detail, res


def test_run_here_stops_an_allocation_past_the_memory_limit_and_then_allows_it():
    res = runner.run_here(allocate, 256 << 20, Limits(timeout=10, memory_mb=64))
    assert res.status == "memory", res
    assert allocate(256 << 20) == 256 << 20       # the address-space limit is lifted again


def swallow_once(seconds):
    """Busy; the first exception that arrives is swallowed (as in a gc callback), the next is not."""
    try:
        busy_for(seconds)
    except BaseException:
        pass
    return busy_for(seconds)


def test_run_here_interrupts_again_after_an_interrupt_was_swallowed():
    t0 = time.monotonic()
    res = runner.run_here(swallow_once, 60, Limits(timeout=1, memory_mb=512))
    assert res.status == "timeout" and "wall-clock" in res.detail, res     # not the CPU limit's later signal
    assert time.monotonic() - t0 < 15


def test_run_here_with_its_deadline_past_runs_nothing():
    calls = []
    res = runner.run_here(calls.append, 1, FAST, deadline=time.monotonic() - 1)
    assert res.status == "budget" and calls == []


def test_run_here_reports_an_exception_as_crashed():
    res = runner.run_here(fail, "bad\nmore", FAST)
    assert (res.status, res.detail) == ("crashed", "ValueError: bad")


def test_run_here_outside_the_main_thread_runs_nothing():
    import threading
    box, calls = [], []
    t = threading.Thread(target=lambda: box.append(runner.run_here(calls.append, 1, FAST)))
    t.start()
    t.join()
    assert box == [None] and calls == []


def test_after_first_runs_once_when_the_first_jobs_are_started_and_before_any_result():
    events = []
    results = run_jobs(nap_then_square, [(0.2, 2), (0.2, 3), (0.0, 4), (0.0, 5)], Limits(timeout=20, workers=2),
                       on_result=lambda i, res: events.append(("result", i)),
                       after_first=lambda: events.append(("after_first", len(events))))
    assert [r.value for r in results] == [4, 9, 16, 25]
    assert events[0] == ("after_first", 0)
    assert [e for e in events if e[0] == "after_first"] == [("after_first", 0)]
