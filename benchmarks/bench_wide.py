"""The course file's claims on a wide network: every verdict and its seconds, on a quiet and a loaded machine.

    python benchmarks/bench_wide.py                    # [32, 32, 32, 32], quiet, then with 2 busy loops
    python benchmarks/bench_wide.py --sizes 16,16,16,16 --load 0
    python benchmarks/bench_wide.py --load 4           # only the loaded run, 4 busy loops

The claims of ``derivations/mle_ex4_task1.yaml`` (the course exercise: 22 claims, one expected false) are
checked by ``python -m symbackprop.cli check --format json`` on the same network made wider (only the
``sizes`` entry changes), with the default limits, once on the machine as it is and once while ``--load``
processes spin on the CPU (started before and killed after the run).  Issue 16 asks every claim to end as
expected (proved; the one false claim refuted) within the default limit in both runs: a verdict that
depends on the machine's load is a defect.  Seconds are also given as ratios to ``python -c "import sympy,
numpy"`` timed before each run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
REFERENCE = os.path.join(ROOT, "derivations", "mle_ex4_task1.yaml")
YARDSTICK = [sys.executable, "-c", "import sympy, numpy"]
_SIZES = re.compile(r"^(\s*sizes:\s*)\[[^\]]*\]", re.M)


def _wide_copy(sizes, folder) -> str:
    with open(REFERENCE, encoding="utf-8") as f:
        text = f.read()
    text, n = _SIZES.subn(lambda m: m.group(1) + "[" + ", ".join(map(str, sizes)) + "]", text, count=1)
    if n != 1:
        raise SystemExit(f"no sizes entry in {REFERENCE}")
    path = os.path.join(folder, "wide.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _yardstick() -> float:
    t = time.perf_counter()
    subprocess.run(YARDSTICK, check=True)
    return time.perf_counter() - t


def _spinners(n):
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def _run(path, load):
    unit = _yardstick()
    spin = _spinners(load)
    try:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "symbackprop.cli", "check", path, "--format", "json", "--no-cache"],
                              capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
    finally:
        for p in spin:
            p.kill()
            p.wait()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check exited with {proc.returncode}: {proc.stderr.strip()[-400:]}")
    claims = json.loads(proc.stdout)["files"][0]["claims"]
    return unit, wall, claims


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="32,32,32,32", help="layer widths (default 32,32,32,32)")
    ap.add_argument("--load", type=int, default=None,
                    help="busy loops during a second run (default: a quiet run, then one with 2); 0: quiet only")
    a = ap.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    loads = [0, 2] if a.load is None else [a.load]
    runs = {}
    with tempfile.TemporaryDirectory(prefix="symbackprop-wide-") as tmp:
        path = _wide_copy(sizes, tmp)
        for load in loads:
            runs[load] = _run(path, load)
            unit, wall, _ = runs[load]
            print(f"load {load}: {wall:.1f} s wall = {wall / unit:.1f}x the import ({unit:.2f} s)",
                  file=sys.stderr, flush=True)
    ids = [c["id"] for c in runs[loads[0]][2]]
    head = "".join(f"{'load ' + str(k):>27}" for k in loads)
    print(f"sizes {sizes}: verdict and seconds per claim; '!' marks a claim not ending as expected")
    print(f"{'claim':<34}{head}")
    bad = {k: 0 for k in loads}
    for i, cid in enumerate(ids):
        cells = []
        for k in loads:
            unit, _, claims = runs[k]
            c = claims[i]
            ok = c.get("as_expected", c["verdict"] == "proved")
            bad[k] += not ok
            cells.append(f"{('' if ok else '!') + c['verdict']:>18} {c['seconds']:6.2f} s")
        print(f"{cid:<34}" + "".join(f"{x:>27}" for x in cells))
    for k in loads:
        unit, wall, _ = runs[k]
        print(f"load {k}: {len(ids) - bad[k]}/{len(ids)} as expected; {wall:.1f} s wall = {wall / unit:.1f}x the import")
    return 0 if not any(bad.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
