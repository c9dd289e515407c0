"""Design check: forked worker per claim (what the runner does) vs. a warm pool of reused workers.

    python benchmarks/bench_pool.py [--runs 3] [--quick]

Both start from the same warm parent (suite.prepare_workers: worker imports done, network derived).
"fork" is ``runner.run_jobs`` (a child per claim, each under its own CPU/wall/address-space limits);
"pool" is ``multiprocessing.Pool`` with fork, reusing two workers and enforcing no limit at all -- an
upper bound on what any bounded pool could gain.  Jobs: the 22 claims of derivations/mle_ex4_task1.yaml,
and (grade) the distinct claims of 30 generated submissions.  Figures: CPU seconds of the workers and
wall seconds, as ratios to ``python -c "import sympy, numpy"`` timed in the same run, and pool/fork.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, ".."))
sys.path[:0] = [ROOT, HERE]
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from submissions import write as write_submissions  # noqa: E402

from symbackprop import grade, suite  # noqa: E402
from symbackprop.runner import Limits, run_jobs  # noqa: E402
from symbackprop.spec import load_spec  # noqa: E402

REFERENCE = os.path.join(ROOT, "derivations", "mle_ex4_task1.yaml")


def _children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def _yardstick():
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sympy, numpy"], check=True)
    return time.perf_counter() - t


def _measure(kind, func, jobs, workers):
    c0, t0 = _children_cpu(), time.perf_counter()
    if kind == "fork":
        res = [r.value for r in run_jobs(func, jobs, Limits(workers=workers))]
    else:
        with mp.get_context("fork").Pool(workers) as pool:
            res = pool.map(func, jobs, chunksize=1)
    return time.perf_counter() - t0, _children_cpu() - c0, res


def _check_jobs():
    spec = load_spec(REFERENCE)
    opts = suite.default_options(Limits())
    return suite._job, [(spec.network, c, opts, str(spec.path)) for c in spec.claims], spec.network


def _grade_jobs(n):
    reference = load_spec(REFERENCE)
    keys = grade.reference_keys(reference, Limits(), inline=True)
    opts = suite.default_options(Limits())
    from symbackprop.submissions import Submission
    with tempfile.TemporaryDirectory() as tmp:
        entries = [grade._Entry(Submission(os.path.basename(p), os.path.basename(p), p), load_spec(p))
                   for p in write_submissions(tmp, n)]
    jobs, owners, index = [], [], {}
    for i, e in enumerate(entries):
        grade._plan(e, reference, opts, jobs, owners, index, i)
    return grade._job, [(*j, keys) for j in jobs], reference.network


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="one run, 10 submissions")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    runs = 1 if a.quick else a.runs
    sets = {"check (22 claims)": _check_jobs(), "grade (distinct claims)": _grade_jobs(10 if a.quick else 30)}
    for _, _, net in sets.values():
        suite.prepare_workers([net], Limits())
    print(f"{runs} run(s), {a.workers} workers; ratios to `python -c \"import sympy, numpy\"` (median, min-max)")
    for name, (func, jobs, _) in sets.items():
        rows = {"fork": [], "pool": []}
        for _ in range(runs):
            for kind in ("fork", "pool"):
                base = _yardstick()
                wall, cpu, res = _measure(kind, func, jobs, a.workers)
                rows[kind].append((wall / base, cpu / base, cpu))
        print(f"{name}: {len(jobs)} jobs")
        for kind, v in rows.items():
            print(f"  {kind:<5} wall x{statistics.median(r[0] for r in v):6.2f}  CPU x{statistics.median(r[1] for r in v):6.2f}"
                  f"  ({statistics.median(r[2] for r in v):.2f} CPU s)")
        ratio = [p[2] / f[2] for p, f in zip(rows["pool"], rows["fork"])]
        print(f"  pool/fork CPU {statistics.median(ratio):.2f} ({min(ratio):.2f}-{max(ratio):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
