"""Benchmark of the search for well-conditioned counterexample points (conditioning.py).

    python benchmarks/bench_conditioning.py

Every claim of derivations/ is checked inline twice, with the search and with it turned off; the report
gives the CPU seconds of the refuted claims each way, the extra cost as a ratio to the baseline
``python -c "import sympy, numpy"`` measured in the same run, how many counterexamples are shown at a
well-conditioned point, and asserts that no verdict, step or diagnosis differs.
"""
from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

import symbackprop.conditioning as conditioning  # noqa: E402
from symbackprop.check import check_claim  # noqa: E402
from symbackprop.spec import load_spec  # noqa: E402


def _baseline() -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sympy, numpy"], check=True)
    return time.perf_counter() - t


def _run(search: bool):
    original = conditioning.better_point
    if not search:
        conditioning.better_point = lambda *a, **k: None
    rows = []
    try:
        for path in sorted(glob.glob(os.path.join(ROOT, "derivations", "**", "*.yaml"), recursive=True)):
            spec = load_spec(path)
            for c in spec.claims:
                t = time.process_time()
                r = check_claim(spec.network, c.id, c.claim, c.given, c.expect)
                rows.append((c.id, r.verdict, r.step, r.diagnosis, time.process_time() - t,
                             (r.counterexample or {}).get("point", "")))
    finally:
        conditioning.better_point = original
    return rows


def main():
    base = _baseline()
    _run(False)                                   # warm the caches (derivations, parsers) once
    off, on = _run(False), _run(True)
    assert [r[:4] for r in off] == [r[:4] for r in on], "the search changed a verdict, step or diagnosis"
    refuted = [i for i, r in enumerate(on) if r[1] == "refuted"]
    cpu_off = sum(off[i][4] for i in refuted)
    cpu_on = sum(on[i][4] for i in refuted)
    shown = sum(1 for i in refuted if str(on[i][5]).startswith(conditioning.LABEL))
    with_point = sum(1 for i in refuted if on[i][5])
    print(f"baseline (import sympy, numpy): {base:.2f} s")
    print(f"claims {len(on)}, refuted {len(refuted)} ({with_point} with a counterexample point); "
          f"shown at a well-conditioned point: {shown}")
    print(f"CPU of the refuted claims: {cpu_off:.2f} s without the search, {cpu_on:.2f} s with it; "
          f"extra {cpu_on - cpu_off:.2f} s = {(cpu_on - cpu_off) / base:.2f} x baseline "
          f"({(cpu_on - cpu_off) / max(1, len(refuted)) * 1000:.0f} ms per refuted claim)")
    worst = max(refuted, key=lambda i: on[i][4] - off[i][4]) if refuted else None
    if worst is not None:
        print(f"largest extra: {on[worst][0]} {on[worst][4] - off[worst][4]:.2f} s")
    print("verdicts, steps and diagnoses identical with and without the search")


if __name__ == "__main__":
    main()
