"""Whole-command benchmark of the infrastructure: every figure is a ratio to ``python -c "import sympy,
numpy"`` timed in the same run (the machine is shared: absolute seconds drift, ratios much less).

    python benchmarks/bench_infra.py            # 3 runs: check, grade of 100 submissions, derive 64,64,64
    python benchmarks/bench_infra.py --quick    # 1 run: grade of 20 submissions, derive 32,32,32

Each command runs in turn with the import yardstick right before it (I A I B ...) and each ratio is
taken against its own yardstick run; the table gives the median over the runs (min-max beside it).
Commands run ``python -m symbackprop.cli`` of the checkout this script lives in, so a copy of this
script in another checkout measures that one.  Figures:

* check: ``check derivations/mle_ex4_task1.yaml --no-cache`` (22 claims, every one checked), wall and CPU
  (the workers' included), and the per-claim seconds of its JSON report (p50, p95, max);
* check-warm: the same command with the result cache (resultcache.py) filled by one run before: every
  claim is answered from it (a file re-checked unchanged; a claim edited is checked as in ``check``);
* grade: ``grade`` of generated submissions (benchmarks/submissions.py: copies of the reference with
  small variations), wall, CPU and submissions per second; ``--distinct``: submissions that share no
  claim text, so that grade cannot check any claim once for several submissions;
* grade-dask: the same ``grade`` with ``--scheduler`` on a 2-worker dask LocalCluster started by this
  script before the runs (outside the timed region; needs ``pip install -e '.[distributed]'``);
  submissions per second as for grade;
* derive: ``derive --sizes 64,64,64``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from submissions import write as write_submissions  # noqa: E402

REFERENCE = os.path.join("derivations", "mle_ex4_task1.yaml")
YARDSTICK = [sys.executable, "-c", "import sympy, numpy"]


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.pop("NO_COLOR", None)
    return env


def timed(argv, timeout=3600):
    """(wall seconds, CPU seconds of the process and everything it waited for, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited with {proc.returncode}")
    return wall, cpu, proc.stdout


def _quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def _cli(*args):
    return [sys.executable, "-m", "symbackprop.cli", *args]


def _has_distributed() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _cluster():
    sys.path.insert(0, ROOT)
    from symbackprop.cluster import local_cluster
    return local_cluster(2)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one run, 20 submissions, derive 32,32,32")
    ap.add_argument("--runs", type=int, default=None, help="runs of each command (default 3, quick 1)")
    ap.add_argument("--submissions", type=int, default=None, help="submissions to grade (default 100, quick 20)")
    ap.add_argument("--sizes", default=None, help="derive --sizes (default 64,64,64, quick 32,32,32)")
    ap.add_argument("--distinct", action="store_true",
                    help="submissions that share no claim text (nothing for grade to check once for several)")
    ap.add_argument("--only", action="append", choices=("check", "check-warm", "grade", "grade-dask", "derive"),
                    help="measure only these (default: all; grade-dask where distributed is installed)")
    a = ap.parse_args(argv)
    runs = a.runs or (1 if a.quick else 3)
    n_subs = a.submissions or (20 if a.quick else 100)
    sizes = a.sizes or ("32,32,32" if a.quick else "64,64,64")
    only = a.only or ["check", "check-warm", "grade", *(["grade-dask"] if _has_distributed() else []), "derive"]
    cluster = _cluster() if "grade-dask" in only else None
    with tempfile.TemporaryDirectory(prefix="symbackprop-bench-") as tmp:
        subs = os.path.join(tmp, "submissions")
        write_submissions(subs, n_subs, distinct=a.distinct)
        os.environ["SYMBACKPROP_CACHE_DIR"] = os.path.join(tmp, "cache")   # never the user's own cache
        os.environ.pop("SYMBACKPROP_NO_CACHE", None)
        commands = {
            "check": _cli("check", REFERENCE, "--format", "json", "--no-cache"),
            "check-warm": _cli("check", REFERENCE, "--format", "json"),
            "grade": _cli("grade", subs, "--against", REFERENCE, "--format", "csv", "-o", os.path.join(tmp, "g.csv")),
            "derive": _cli("derive", "--sizes", sizes),
        }
        if cluster is not None:
            commands["grade-dask"] = _cli("grade", subs, "--against", REFERENCE, "--format", "csv", "-o",
                                          os.path.join(tmp, "gd.csv"), "--scheduler", cluster.scheduler_address)
        rows = {k: [] for k in only}
        claims = []
        timed(YARDSTICK)                                       # warm the file cache
        if "check-warm" in only:
            timed(commands["check-warm"])                      # fill the result cache
        for r in range(runs):
            for name in only:
                base_wall, base_cpu, _ = timed(YARDSTICK)
                wall, cpu, out = timed(commands[name])
                rows[name].append((wall, cpu, base_wall, base_cpu))
                if name == "check":
                    secs = [c["seconds"] for c in json.loads(out)["files"][0]["claims"]]
                    claims.append([_quantile(secs, 0.5) / base_wall, _quantile(secs, 0.95) / base_wall,
                                   max(secs) / base_wall])
                print(f"run {r + 1}/{runs} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU; import {base_wall:.2f} s",
                      file=sys.stderr, flush=True)

    if cluster is not None:
        cluster.close()

    def fig(values):
        return f"{statistics.median(values):8.2f}  ({min(values):.2f}-{max(values):.2f})"

    print(f"{runs} run(s); ratios to `python -c \"import sympy, numpy\"` timed beside each command "
          f"(median, min-max)")
    base = [b for v in rows.values() for (_, _, b, _) in v]
    print(f"{'import sympy, numpy':<34} wall {statistics.median(base):.2f} s (the yardstick)")
    labels = {"check": "check mle_ex4_task1 (22 claims)", "check-warm": "  the same, every claim cached",
              "grade": f"grade {n_subs} {'distinct ' if a.distinct else ''}submissions",
              "grade-dask": f"grade {n_subs} on 2 dask workers",
              "derive": f"derive --sizes {sizes}"}
    for name, v in rows.items():
        print(f"{labels[name]:<34} wall x{fig([w / bw for w, _, bw, _ in v])}   "
              f"CPU x{fig([c / bc for _, c, _, bc in v])}")
        if name == "check" and claims:
            for i, q in enumerate(("p50", "p95", "max")):
                print(f"{'  per claim ' + q:<34} wall x{fig([c[i] for c in claims])}")
        if name in ("grade", "grade-dask"):
            per_s = [n_subs / w for w, _, _, _ in v]
            per_import = [n_subs * bw / w for w, _, bw, _ in v]
            print(f"{'  throughput':<34} {statistics.median(per_s):.2f} submissions/s = "
                  f"{statistics.median(per_import):.2f} submissions per import time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
