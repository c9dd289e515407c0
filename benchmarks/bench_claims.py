"""What one claim costs a worker: CPU seconds of ``check_claim`` per claim, each in a forked child of a warmed
parent (as ``runner`` runs it, after ``gc.freeze()``), the best of ``--rounds``.

    python benchmarks/bench_claims.py [derivations/mle_ex4_task1.yaml] [--rounds 3]

Prints each claim's verdict and CPU seconds, the total and the 95th percentile, and the total as a ratio to
``python -c "import sympy, numpy"`` timed in the same run (the machine is shared: ratios drift less than seconds).
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

from symbackprop import load_spec  # noqa: E402
from symbackprop.check import check_claim  # noqa: E402
from symbackprop.runner import Limits  # noqa: E402
from symbackprop.suite import default_options, prepare_workers  # noqa: E402


def _yardstick(runs=3):
    best = math.inf
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import sympy, numpy"], check=True)
        best = min(best, time.perf_counter() - t)
    return best


def _claim_cpu(spec, claim, opts):
    """(verdict, CPU seconds) of one claim in a forked child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        gc.freeze()
        t = time.process_time()
        res = check_claim(spec.network, claim.id, claim.claim, claim.given, claim.expect, opts,
                          notation=getattr(spec, "notation", None))
        os.write(w, f"{res.verdict} {time.process_time() - t}".encode())
        os._exit(0)
    os.close(w)
    out = b""
    while chunk := os.read(r, 1024):
        out += chunk
    os.close(r)
    os.waitpid(pid, 0)
    verdict, seconds = out.decode().split()
    return verdict, float(seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=os.path.join(ROOT, "derivations", "mle_ex4_task1.yaml"))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    spec = load_spec(args.file)
    limits = Limits()
    prepare_workers([spec.network], limits)
    opts = default_options(limits)
    yard = _yardstick()
    rows = []
    for claim in spec.claims:
        runs = [_claim_cpu(spec, claim, opts) for _ in range(args.rounds)]
        rows.append((claim.id, runs[0][0], min(s for _, s in runs)))
    print(f"yardstick: python -c 'import sympy, numpy' = {yard:.2f} s")
    for cid, verdict, s in rows:
        print(f"{cid:40s} {verdict:18s} {s:7.3f}")
    secs = sorted(s for *_, s in rows)
    total = sum(secs)
    p95 = secs[max(0, math.ceil(0.95 * len(secs)) - 1)]
    print(f"{'total CPU':40s} {'':18s} {total:7.3f}  = {total / yard:.2f} x the import")
    print(f"{'p95 per claim':40s} {'':18s} {p95:7.3f}  = {p95 / yard:.2f} x the import")


if __name__ == "__main__":
    main()
