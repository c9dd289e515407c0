"""The test suite's wall and CPU time, as ratios to ``python -c "import sympy, numpy"`` timed in the same run.

    python benchmarks/bench_suite.py            # the README's test command (the default tier)
    python benchmarks/bench_suite.py --heavy    # and CI's second step (-m heavy)
    python benchmarks/bench_suite.py --serial   # and the default tier without xdist (one process)

The yardstick runs three times before each command (median taken).  CPU is the command's own and its
descendants' (xdist workers and claim workers are waited for, so their time is included): on a shared
machine the CPU seconds drift less than the wall time, and wall / (CPU / cores) shows how well the run
uses the cores.  Nothing here is asserted in a test.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
YARDSTICK = [sys.executable, "-c", "import sympy, numpy"]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
COMMANDS = {
    "default (README)": PYTEST + ["-n", "auto", "--dist", "loadscope"],
    "heavy (CI step 2)": PYTEST + ["-n", "auto", "--dist", "loadscope", "-m", "heavy"],
    "default, one process": PYTEST,
}


def timed(argv):
    """(wall seconds, CPU seconds of the child and its descendants, last output line)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    return wall, cpu, (lines[-1] if lines else f"exit {proc.returncode}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--heavy", action="store_true", help="also time CI's second step (-m heavy)")
    ap.add_argument("--serial", action="store_true", help="also time the default tier in one process")
    args = ap.parse_args()
    names = ["default (README)"] + (["heavy (CI step 2)"] if args.heavy else []) + (
        ["default, one process"] if args.serial else [])
    cores = os.cpu_count() or 1
    print(f"{cores} cores, load average {os.getloadavg()[0]:.1f}")
    for name in names:
        yard = statistics.median(timed(YARDSTICK)[0] for _ in range(3))
        wall, cpu, last = timed(COMMANDS[name])
        print(f"{name:22s} wall {wall:7.1f} s = {wall / yard:6.0f}x import ({yard:.2f} s)   CPU {cpu:7.1f} s"
              f" = {cpu / yard:6.0f}x import   wall/(CPU/cores) {wall / (cpu / cores):.2f}   [{last}]")


if __name__ == "__main__":
    main()
