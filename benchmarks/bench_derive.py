"""Benchmark on [n, n, n]: derive + prove, the naive way, and compiled evaluation vs plain NumPy.

    python benchmarks/bench_derive.py            # n = 2, 4, 8, 16, 32, 64
    python benchmarks/bench_derive.py --quick    # n = 2, 4, 8
    python benchmarks/bench_derive.py --sizes 64,128,256 --naive-cutoff 0    # wide networks, no naive column
    python benchmarks/bench_derive.py --depths 2,3,4,6 --width 32            # [32]*(L+1) for L = 2, 3, 4, 6
    python benchmarks/bench_derive.py --symbolic-width                       # vs tensorgrad (extra [bench])

Columns: derive (reverse mode over the graph), prove (every closed form, exact), naive (compose the
loss in primitives, diff w.r.t. every parameter, simplify; in a subprocess with a cut-off, skipped
for larger n once the cut-off is hit), compile (lambdify of the derivation), and the evaluation of
all gradients at 1000 points (one set of weights, 1000 inputs) compiled vs ``numpy_backprop``, then the
growth exponent of derive + prove (least-squares slope of log time against log width, or against depth).

``--symbolic-width``: the layer identities proved once for symbolic widths (``prove_layer_symbolic_width``:
∇W = δaᵀ, ∇b = δ, the δ recursion, and δ^(L) = ŷ − y for symbolic C), each in a fresh process after its
imports, beside tensorgrad (``pip install -e '.[bench]'``) deriving and simplifying ∂L/∂W^(1), ∂L/∂W^(2),
∂L/∂b^(1) of the same ReLU / softmax + cross-entropy network for symbolic widths (derivation only: tensorgrad
states no closed form to prove).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

# one BLAS thread: on a small shared machine threaded BLAS spins and makes both sides noisy
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402

SIZES = (2, 4, 8, 16, 32, 64)
QUICK = (2, 4, 8)
POINTS = 1000


def _clear_caches():
    """Forget every cached graph, derivation, proof and compiled function."""
    import importlib
    mods = {m: importlib.import_module(f"symbackprop.{m}") for m in ("network", "derive", "closed_forms", "numeric")}
    for m, f in (("network", "graph"), ("derive", "derive"), ("closed_forms", "closed_forms"),
                 ("numeric", "_compiled")):
        getattr(mods[m], f).cache_clear()


def _net(n, depth=2):
    from symbackprop import Network
    return Network((n,) * (depth + 1), "relu", "softmax", "cross_entropy")


def _timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def _best(fn, repeat=3):
    """Best wall time of ``repeat`` calls (the machine is shared)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def naive(n) -> float:
    """Compose the loss in primitives, diff w.r.t. every W and b entry, simplify each (seconds)."""
    import sympy as sp
    from symbackprop import graph
    t = time.perf_counter()
    g = graph(_net(n))
    loss = g.to_primitives(g.loss)
    params = [s for W, b in zip(g.W, g.b) for s in list(W) + list(b)]
    for p in params:
        sp.simplify(sp.diff(loss, p))
    return time.perf_counter() - t


def _naive_subprocess(n, cutoff):
    """Seconds for the naive way, or None if it did not finish within ``cutoff``."""
    try:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--naive-only", str(n)],
                             capture_output=True, text=True, timeout=cutoff, check=True)
    except subprocess.TimeoutExpired:
        return None
    return float(out.stdout.strip().splitlines()[-1])


def row(n, naive_cutoff, do_naive, depth=2):
    """One table row for [n] * (depth + 1)."""
    from symbackprop.closed_forms import closed_forms
    from symbackprop.derive import derive
    from symbackprop.numeric import lambdify_gradients, numpy_backprop, rel_err, sample_params
    _clear_caches()
    net = _net(n, depth)
    d, t_derive = _timed(derive, net)
    forms, t_prove = _timed(closed_forms, net)
    f, t_compile = _timed(lambdify_gradients, d)
    rng = np.random.default_rng(n)
    p = sample_params(net, rng)
    X = rng.normal(size=(n, POINTS))
    Y = np.eye(n)[:, rng.integers(n, size=POINTS)]
    sym, ref = f(X, Y, p.Ws, p.bs), numpy_backprop(net, X, Y, p.Ws, p.bs)
    err = max(rel_err(a, b, 1e-12) for a, b in zip(sym["grad_W"] + sym["grad_b"], ref["grad_W"] + ref["grad_b"]))
    t_sym = _best(lambda: f(X, Y, p.Ws, p.bs))
    t_np = _best(lambda: numpy_backprop(net, X, Y, p.Ws, p.bs))
    t_naive = _naive_subprocess(n, naive_cutoff) if do_naive else None
    return dict(n=n, depth=depth, derive=t_derive, prove=t_prove, proved=all(c.proved for c in forms), naive=t_naive,
                naive_run=do_naive, compile=t_compile, eval=t_sym, numpy=t_np, err=err)


def _fmt(r, cutoff):
    naive = f"{r['naive']:8.2f}" if r["naive"] is not None else (f"  >{cutoff:g} s " if r["naive_run"] else "  skipped")
    return (("[" + ",".join([str(r["n"])] * (r["depth"] + 1)) + "]").ljust(13) + f"{r['derive']:8.2f} {r['prove']:8.2f} "
            f"{r['derive'] + r['prove']:8.2f} {'yes' if r['proved'] else 'NO':>6} {naive:>9} "
            f"{r['compile']:8.2f} {r['eval'] * 1e3:9.2f} {r['numpy'] * 1e3:9.2f} "
            f"{r['eval'] / r['numpy']:6.2f} {r['err']:9.1e}")


_TENSORGRAD = """
import time
import tensorgrad as tg
import tensorgrad.functions as F
from sympy import symbols
t = time.perf_counter()
d0, d1, C = symbols("d0 d1 C")
x, y = tg.Variable("x", d0), tg.Variable("y", C)
W1, b1, W2, b2 = tg.Variable("W1", d1, d0), tg.Variable("b1", d1), tg.Variable("W2", C, d1), tg.Variable("b2", C)
loss = F.cross_entropy(W2 @ F.relu(W1 @ x + b1) + b2, y, dim="C")
for v in (W1, W2, b1):
    loss.grad(v).full_simplify()
print(time.perf_counter() - t)
"""

_OURS = """
import time
import sympy
from symbackprop.closed_forms import prove_layer_symbolic_width
t = time.perf_counter()
res = prove_layer_symbolic_width()
dt = time.perf_counter() - t
assert all(r["proved"] for r in res.values()), res
print(dt)
"""


def _fresh(code):
    """Seconds printed by ``code`` in a fresh interpreter (imports outside its timer), or None if it failed."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        return None, (out.stderr.strip().splitlines() or ["failed"])[-1]
    return float(out.stdout.strip().splitlines()[-1]), ""


def symbolic_width(repeat=3):
    """Best of ``repeat`` fresh-process timings of our symbolic-width proofs and of tensorgrad's derivation."""
    print("symbolic widths (seconds after imports, best of %d fresh processes)" % repeat)
    for name, code in (("symbackprop: prove ∇W, ∇b, δ recursion, δ^(L) (symbolic widths, exact)", _OURS),
                       ("tensorgrad: derive + simplify ∂L/∂W1, ∂L/∂W2, ∂L/∂b1 (symbolic widths)", _TENSORGRAD)):
        runs = [_fresh(code) for _ in range(repeat)]
        ok = [t for t, _ in runs if t is not None]
        print(f"  {name}: " + (f"{min(ok):.3f} s" if ok else f"not run ({runs[0][1]})"), flush=True)


def exponent(xs, ts):
    """Least-squares slope of log t against log x."""
    lx, lt = np.log(np.asarray(xs, float)), np.log(np.asarray(ts, float))
    return float(np.polyfit(lx, lt, 1)[0]) if len(xs) >= 2 else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 2, 4, 8 only")
    ap.add_argument("--sizes", type=lambda s: tuple(int(v) for v in s.split(",")), default=None)
    ap.add_argument("--naive-cutoff", type=float, default=20.0, help="seconds per n for the naive way")
    ap.add_argument("--naive-only", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--depths", type=lambda s: tuple(int(v) for v in s.split(",")), default=None,
                    help="numbers of weight layers L for [w]*(L+1) networks (with --width)")
    ap.add_argument("--width", type=int, default=32, help="the width of --depths networks")
    ap.add_argument("--symbolic-width", action="store_true", help="symbolic-width proofs beside tensorgrad")
    a = ap.parse_args(argv)
    if a.naive_only is not None:
        print(naive(a.naive_only))
        return 0
    if a.symbolic_width:
        symbolic_width()
        return 0
    cases = [(a.width, L) for L in a.depths] if a.depths else [(n, 2) for n in (a.sizes or (QUICK if a.quick else SIZES))]
    print(f"network [n]*(L+1), relu, softmax + cross-entropy; evaluation at {POINTS} points (seconds, ms)")
    print(f"{'sizes':<13}{'derive':>8} {'prove':>8} {'d+p':>8} {'proved':>6} {'naive':>9} {'compile':>8} "
          f"{'eval ms':>9} {'numpy ms':>9} {'ratio':>6} {'max rel':>9}")
    do_naive = a.naive_cutoff > 0
    rows = []
    for n, L in cases:
        r = row(n, a.naive_cutoff, do_naive, L)
        rows.append(r)
        print(_fmt(r, a.naive_cutoff), flush=True)
        do_naive = do_naive and r["naive"] is not None
    big = [r for r in rows if r["n"] >= 16] if not a.depths else rows
    if len(big) >= 2:
        xs = [r["depth"] if a.depths else r["n"] for r in big]
        for col in ("derive", "prove", "compile"):
            print(f"growth exponent of {col} in {'depth' if a.depths else 'width'} "
                  f"({min(xs)}..{max(xs)}): {exponent(xs, [r[col] for r in big]):.2f}")
        print(f"growth exponent of derive + prove: {exponent(xs, [r['derive'] + r['prove'] for r in big]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
