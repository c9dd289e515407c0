"""Benchmark: derive + prove every closed form of a [64, 64, 64] network with a batch of 8 in the rows layout
with L2 weight decay (issue 12), as a ratio to ``python -c "import sympy, numpy"`` measured in the same run.

    python benchmarks/bench_batches.py            # [64, 64, 64], batch 8, rows, l2 = 0.01
    python benchmarks/bench_batches.py --quick    # [16, 16, 16], batch 4

Each run is a fresh interpreter (no cache shared with the baseline); the best of ``--repeat`` runs is shown.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

JOB = """
import time, sys
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from fractions import Fraction
from symbackprop import Network
from symbackprop.derive import derive
from symbackprop.closed_forms import closed_forms
net = Network(({n}, {n}, {n}), "relu", "softmax", "cross_entropy", weights="incoming", batch={m}, layout="rows",
              l2=Fraction(1, 100))
t1 = time.perf_counter()
derive(net)
t2 = time.perf_counter()
forms = closed_forms(net)
t3 = time.perf_counter()
assert all(f.proved for f in forms), [f.name for f in forms if not f.proved]
print(t1 - t0, t2 - t1, t3 - t2)
"""


def _wall(code):
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    return time.perf_counter() - t, out.stdout


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args(argv)
    n, m = (16, 4) if a.quick else (64, 8)
    base = min(_wall("import sympy, numpy")[0] for _ in range(3))
    best = None
    for _ in range(a.repeat):
        wall, out = _wall(JOB.format(root=ROOT, n=n, m=m))
        imp, der, prove = map(float, out.split())
        if best is None or wall < best[0]:
            best = (wall, imp, der, prove)
    wall, imp, der, prove = best
    print(f"[{n},{n},{n}] batch {m}, rows layout, l2 = 0.01, relu, softmax + cross_entropy")
    print(f"  import sympy, numpy (baseline)   {base:8.2f} s   1.0x")
    print(f"  derive                           {der:8.2f} s   {der / base:.1f}x")
    print(f"  prove every closed form          {prove:8.2f} s   {prove / base:.1f}x")
    print(f"  whole run (fresh interpreter)    {wall:8.2f} s   {wall / base:.1f}x")


if __name__ == "__main__":
    main()
