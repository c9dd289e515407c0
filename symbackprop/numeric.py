"""The derivation's gradients compiled for evaluation, and their verification against the numeric witnesses.

``lambdify_gradients`` compiles the *derived* node-level expressions (only over symbols the library created)
and evaluates them, one point or a batch of points at a time; ``verify`` compares them with the independent
witnesses of ``witness.py`` (a textbook NumPy backprop and finite differences) at seeded points.  Mini-batch,
rows-layout, weight-decay and no-bias networks are evaluated node by node (``_GeneralGradients``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from .derive import Derivation, derive
from .errors import ConfigError
from .network import Network
from .rules import OUTPUTS
from .compiling import _MODULES, _Flat, _Template, _collect_common, _node_level, _shares, _symbols, _templates
from .witness import (  # noqa: F401  (re-exported: the witnesses' public names and the reference tables)
    _ACT, _FUSED, _HEAD, _LOSS, TINY, _batched, TOLERANCES, Params, Tolerance, _erf, _erfc, fd_step, finite_differences,
    numpy_backprop, rel_err, sample_params, stable_loss, stack_params,
)

__all__ = [
    "Tolerance", "TOLERANCES", "TINY", "fd_step", "rel_err", "Params", "sample_params", "stack_params",
    "numpy_backprop", "stable_loss", "finite_differences", "lambdify_gradients", "mp_function", "verify",
]
class _Quantity:
    """A matrix of library expressions compiled for evaluation from the value table."""

    def __init__(self, exprs, shape, loc):
        if not all(isinstance(e, sp.Basic) for e in exprs):
            raise ConfigError("internal: only SymPy expressions built by the library can be compiled")
        stray = _symbols(exprs) - set(loc)
        if stray:
            raise ConfigError("internal: expression has symbols the library did not create: "
                              f"{sorted(map(str, stray))}")
        self.shape, self.size = tuple(shape), len(exprs)
        self.flat = _shares(exprs)
        self.parts = [_Flat(exprs, loc)] if self.flat else \
            [_Template(t, ph, m, loc, self.shape or (1,)) for t, (ph, m) in _templates(exprs).items()]

    def __call__(self, table, batch):
        """Values as an array of shape (size,) + batch."""
        if len(self.parts) == 1 and getattr(self.parts[0], "shape", None) is not None:
            val = self.parts[0].value(table, batch)          # one template for the whole matrix:
            full = self.parts[0].shape + batch               # use its result, no copy if full-sized
            if isinstance(val, np.ndarray) and val.shape == full and val.dtype == np.float64:
                return np.ascontiguousarray(val).reshape((self.size,) + batch)
        out = np.empty((self.size,) + batch)
        for p in self.parts:
            p.fill(out, table, batch)
        return out


def _table_keys(g, deltas):
    """Symbol -> (table key, flat index) for every symbol the evaluator knows."""
    vectors = {("x",): g.x, ("y",): g.y, ("yhat",): g.yhat}
    vectors.update({("W", k): W for k, W in enumerate(g.W)})
    vectors.update({("b", k): b for k, b in enumerate(g.b)})
    vectors.update({("z", l): v for l, v in g.z.items()})
    vectors.update({("a", l): v for l, v in g.a.items() if 0 < l < g.net.L})
    vectors.update({("delta", l): v for l, v in deltas.items()})
    return {s: (key, i) for key, vec in vectors.items() for i, s in enumerate(vec)}


class _Gradients:
    """Callable (x, y, Ws, bs) -> dict of the derivation's gradients, evaluated node by node.

    Node values come from a lambdified forward pass per layer (ŷ through the head's overflow-free
    form); "loss" is the library's loss in ŷ, so it may be nan where ŷ underflows to 0 or rounds to 1.
    """

    def __init__(self, d: Derivation):
        self.net, g = d.net, d.graph
        net, L = self.net, self.net.L
        self.g = g
        self.deltas = {l: g.delta_symbols(l) for l in range(1, L + 1)}
        loc = _table_keys(g, self.deltas)
        self.node_level = True
        self.z = {l: _Quantity(list(g.z_def[l]), (net.sizes[l],), loc) for l in range(1, L + 1)}
        self.a = {l: _Quantity(list(g.concretize(g.a_def[l], stable=True)), (net.sizes[l],), loc)
                  for l in range(1, L)}
        self.yhat = _Quantity(list(OUTPUTS[net.output].f_stable(g.z[L])), (net.C,), loc)
        self.loss = _Quantity([g.loss], (), loc)
        self.delta = {l: self._quantity(d.delta[l], d.delta[l + 1] if l < L else None, l + 1, loc)
                      for l in range(L, 0, -1)}
        self.grad_W = [self._quantity(d.grad_W[k], d.delta[k + 1], k + 1, loc) for k in range(L)]
        self.grad_b = [self._quantity(d.grad_b[k], d.delta[k + 1], k + 1, loc) for k in range(L)]

    def _quantity(self, M, up, l_up, loc):
        """Compile one derived matrix at node level (over δ^(l_up) symbols where that is exact)."""
        entries, ok = _node_level(list(M), list(up) if up is not None else None, self.deltas.get(l_up))
        self.node_level = self.node_level and ok
        shape = (M.rows,) if M.cols == 1 else M.shape      # vectors are 1-D, like the NumPy inputs
        return _Quantity([_collect_common(self.g.concretize(e, stable=True)) for e in entries], shape, loc)

    def _table(self, x, y, Ws, bs):
        """The value table of the primitives (trailing batch axes padded to size 1) and the batch shape."""
        x, y, Ws, bs = _batched(self.net, x, y, Ws, bs)
        batch = np.broadcast_shapes(x.shape[1:], y.shape[1:], *[W.shape[2:] for W in Ws],
                                    *[b.shape[1:] for b in bs])
        table = {("x",): x, ("y",): y}
        for k in range(self.net.L):
            table["W", k] = Ws[k].reshape((-1,) + Ws[k].shape[2:])
            table["b", k] = bs[k]
        return table, tuple(batch)

    def __call__(self, x, y, Ws, bs) -> dict:
        L = self.net.L
        table, batch = self._table(x, y, Ws, bs)
        for l in range(1, L + 1):
            table["z", l] = self.z[l](table, batch)
            if l < L:
                table["a", l] = self.a[l](table, batch)
        table["yhat",] = self.yhat(table, batch)
        for l in range(L, 0, -1):
            table["delta", l] = self.delta[l](table, batch)
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = self.loss(table, batch)[0]
        shaped = lambda q, v: v.reshape(q.shape + batch)     # noqa: E731
        return {"delta": {l: table["delta", l] for l in range(L, 0, -1)},
                "grad_W": [shaped(q, q(table, batch)) for q in self.grad_W],
                "grad_b": [q(table, batch) for q in self.grad_b], "yhat": table["yhat",],
                "loss": float(loss) if loss.ndim == 0 else loss}


def mp_function(args, expr: sp.Expr) -> Callable:
    """``expr`` (built over our own symbols) as an mpmath function of ``args``, for high-precision root
    refinement; every lambdify of the package lives in this module."""
    return sp.lambdify(args, expr, modules="mpmath")


def lambdify_gradients(derivation: Derivation) -> Callable:
    """Compile the derivation's gradients: a callable (x, y, Ws, bs) -> dict like ``numpy_backprop``."""
    return _Gradients(derivation) if derivation.net.plain else _GeneralGradients(derivation)


@lru_cache(maxsize=16)
def _compiled(net: Network):
    return lambdify_gradients(derive(net))


# ----------------------------------------------------------------------------------------------
# verification


def _names(net):
    """(name, kind, index) of every checked quantity, with the course's labels."""
    out = [(f"delta^({l})", "delta", l) for l in range(net.L, 0, -1)]
    for k in range(net.L):
        lab = net.param_label(k)
        out += [(f"grad_W^({lab})", "grad_W", k), (f"grad_b^({lab})", "grad_b", k)]
    return out


def _witness_values(kind, idx, res):
    """The value of one quantity in a result dict (FD gives δ^(l) as ∂L/∂b of the edge into l)."""
    if kind == "delta":
        return res["delta"][idx] if "delta" in res else res["grad_b"][idx - 1]
    return res[kind][idx]


def _flat(v):
    return np.asarray(v, dtype=float).reshape(-1)


def verify(net: Network, n_points: int = 5, seed: int = 0) -> dict:
    """Max relative error of each symbolic gradient against both witnesses at seeded points."""
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1:
        raise ConfigError(f"n_points must be a positive integer, got {n_points!r}", key="points")
    rng = np.random.default_rng(seed)
    f = _compiled(net)
    names = _names(net)
    errs = {name: {w: 0.0 for w in TOLERANCES} for name, _, _ in names}
    for _ in range(n_points):
        p = sample_params(net, rng)
        sym = f(*p)
        witness = {"numpy_backprop": numpy_backprop(net, *p), "finite_differences": finite_differences(net, *p)}
        for name, kind, idx in names:
            for w, res in witness.items():
                if not net.bias and kind == "grad_b" or not net.bias and kind == "delta" and "delta" not in res:
                    continue       # no biases: no ∇b, and finite differences give δ only through ∇b
                mine = _witness_values(kind, idx, sym)
                if kind == "delta" and "delta" not in res and net.batched:
                    mine = np.sum(mine, axis=0 if net.rows else 1)      # ∂L/∂b = Δ 1 (columns) or 1ᵀ Δ (rows)
                e = rel_err(_flat(mine), _flat(_witness_values(kind, idx, res)), TOLERANCES[w].floor)
                errs[name][w] = max(errs[name][w], e)
    passed = all(errs[n][w] <= TOLERANCES[w].rtol for n in errs for w in TOLERANCES)
    return {**errs, "passed": bool(passed)}


class _GeneralGradients:
    """The derivation of a batch / rows / decay / no-bias network evaluated node by node: a lambdified forward
    pass (concrete, overflow-free activations and head), then every derived entry over the node values."""

    def __init__(self, d: Derivation):
        self.net, self.d, g = d.net, d, d.graph
        net, L = self.net, self.net.L
        self.g = g
        self.prims = list(g.x) + list(g.y) + [w for W in g.W for w in W] + [v for b in g.b for v in b]
        self.z = {l: self._fn(list(g.z_def[l])) for l in range(1, L + 1)}
        self.a = {l: self._fn(list(g.concretize(g.a_def[l], stable=True))) for l in range(1, L)}
        head = OUTPUTS[net.output].f_stable
        self.yhat = self._fn(list(g.from_examples([head(z) for z in g.examples(g.z[L])])))
        stable = lambda M: [g.concretize(e, stable=True) for e in M]     # noqa: E731
        self.delta = {l: (d.delta[l].shape, self._fn(stable(d.delta[l]))) for l in range(1, L + 1)}
        self.grad_W = [(M.shape, self._fn(stable(M))) for M in d.grad_W]
        self.grad_b = [(M.shape, self._fn(stable(M))) for M in d.grad_b]

    def _fn(self, exprs):
        free = sorted(set().union(set(), *[e.free_symbols for e in exprs]), key=str)
        fn = sp.lambdify(free, exprs, modules=_MODULES)
        return lambda vals: np.array(fn(*[vals[s] for s in free]), dtype=float) if exprs else np.zeros(0)

    def __call__(self, x, y, Ws, bs) -> dict:
        g, L = self.g, self.net.L
        arrays = [x, y] + list(Ws) + list(bs)
        vals = dict(zip(self.prims, np.concatenate([np.asarray(v, float).reshape(-1) for v in arrays])))
        for l in range(1, L + 1):
            vals.update(zip(g.z[l], self.z[l](vals)))
            if l < L:
                vals.update(zip(g.a[l], self.a[l](vals)))
        vals.update(zip(g.yhat, self.yhat(vals)))
        shaped = lambda sf: sf[1](vals).reshape(sf[0])      # noqa: E731
        return {"delta": {l: shaped(self.delta[l]) for l in range(L, 0, -1)},
                "grad_W": [shaped(q) for q in self.grad_W], "grad_b": [shaped(q) for q in self.grad_b],
                "yhat": self.yhat(vals)}
