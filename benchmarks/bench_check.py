"""Benchmark of the checker: the course files claim by claim, and how fast hostile claims are cut off.

    python benchmarks/bench_check.py

Columns: claims, wall seconds of ``check_spec`` in worker processes (the CLI's path), the same inline
(no isolation: the cost of the checking itself), and the slowest claim; then the same figures as ratios to
``python -c "import sympy, numpy"`` timed at the start (the machine is shared: ratios drift less than
seconds), with the 95th percentile of the per-claim seconds and the claims over 1 s. Then the time a
hostile claim takes to end as error/inconclusive under a 5 s limit.
"""
from __future__ import annotations

import glob
import math
import os
import subprocess
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

from symbackprop import Limits, SpecError, check_spec, load_spec, load_spec_text  # noqa: E402

HOSTILE = {
    "power tower": r"\delta^{(L)} = 9^{9^{9^{9}}}",
    "huge integer": r"\delta^{(L)} = " + "9" * 5000,
    "deep nesting": r"\delta^{(L)} = " + "(" * 3000 + "y" + ")" * 3000,
    "megabyte claim": r"\delta^{(L)} = " + "+".join(["y"] * 350_000),
    "injection": r"\operatorname{__import__('os').system('true')}(y)",
}


def _files():
    return sorted(glob.glob(os.path.join(ROOT, "derivations", "**", "*.yaml"), recursive=True))


def _yardstick():
    """Wall seconds of ``python -c "import sympy, numpy"`` (the smallest of three)."""
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sympy, numpy"], check=True)
        runs.append(time.perf_counter() - t)
    return min(runs)


def _p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(0.95 * len(xs)) - 1)]


def main():
    unit = _yardstick()
    print(f"yardstick: python -c 'import sympy, numpy' = {unit:.2f} s")
    print(f"{'file':<48} {'claims':>6} {'workers s':>10} {'inline s':>9} {'slowest':>22}"
          f" {'workers x':>10} {'p95 x':>6} {'>1s':>4}")
    for path in _files():
        spec = load_spec(path)
        t = time.perf_counter()
        rep = check_spec(spec, Limits(timeout=20))
        workers = time.perf_counter() - t
        t = time.perf_counter()
        check_spec(spec, inline=True)
        inline = time.perf_counter() - t
        slow = max(rep.results, key=lambda r: r.seconds)
        name = os.path.relpath(path, ROOT)
        secs = [r.seconds for r in rep.results]
        print(f"{name:<48} {len(rep.results):>6} {workers:>10.2f} {inline:>9.2f} "
              f"{slow.id[:14]:>15} {slow.seconds:5.2f}s {workers / unit:>10.2f} {_p95(secs) / unit:>6.2f} "
              f"{sum(x > 1 for x in secs):>4}")
    print()
    print(f"{'hostile claim (limit 5 s)':<30} {'verdict':<13} {'seconds':>8}")
    for name, claim in HOSTILE.items():
        text = "network: {sizes: [2, 3, 2]}\nclaims:\n  - id: h\n    claim: '" + claim.replace("'", "''") + "'\n"
        t = time.perf_counter()
        try:
            verdict = check_spec(load_spec_text(text, "hostile.yaml"), Limits(timeout=5)).results[0].verdict
        except SpecError:
            verdict = "file refused"         # e.g. over the claim length limit, before any parse
        print(f"{name:<30} {verdict:<13} {time.perf_counter() - t:>8.2f}")


if __name__ == "__main__":
    main()
