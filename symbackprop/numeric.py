"""Numeric witnesses for the derivation: an independent NumPy backprop and central finite differences.

The NumPy side reads no ``rules`` row: the reference forward/backward pass is written from the
literature with its own tables of activations, heads and losses (``_ACT``, ``_HEAD``, ``_LOSS``; a
contract test pins that they have the same keys as the rules), so it shares no formula with the
symbolic engine.  Only the sampling policy (the kind of target, where the kinks are) reads the rules.  ``lambdify_gradients`` compiles the *derived* node-level expressions (only over
symbols the library created) and evaluates them, one point or a batch of points at a time.

Mini-batch, rows-layout, weight-decay and no-bias networks have their own textbook path at the end
(``_general_backprop``: Δ^(l) = Wᵀ Δ ⊙ φ'(Z), ∇W = Δ Aᵀ + λW, or the row forms), their own finite differences
of the reduced loss and a node-by-node evaluation of their derivation; it lives here, beside the single-example
witness it must stay independent of, which is why the module is longer than most.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple

import numpy as np
import sympy as sp

from .derive import Derivation, derive
from .errors import ConfigError
from .network import Network
from .rules import LOSSES, OUTPUTS

__all__ = [
    "Tolerance", "TOLERANCES", "TINY", "fd_step", "rel_err", "Params", "sample_params", "stack_params",
    "numpy_backprop", "stable_loss", "finite_differences", "lambdify_gradients", "mp_function", "verify",
]

TINY = float(np.finfo(np.float64).tiny)


@dataclass(frozen=True)
class Tolerance:
    """Pass if |a-b| / max(|a|+|b|, floor) <= rtol for every entry (float64)."""
    rtol: float
    floor: float


# witness name -> tolerance of the symbolic (lambdified) gradients against it, in float64.
# The finite-difference floor 1e-4 makes the bound an absolute 1e-9 on entries near zero, which is
# ~10x the rounding noise of a central difference of an O(1) loss with step cbrt(eps).
TOLERANCES = {
    "numpy_backprop": Tolerance(rtol=1e-9, floor=1e-12),
    "finite_differences": Tolerance(rtol=1e-5, floor=1e-4),
}


def fd_step(dtype=np.float64) -> float:
    """Central-difference step for a dtype: cbrt(eps) balances truncation and rounding error."""
    return float(np.finfo(dtype).eps) ** (1.0 / 3.0)


def rel_err(a, b, floor: float = TINY) -> float:
    """max over entries of |a-b| / max(|a|+|b|, floor); inf if any entry is not finite."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shape mismatch {a.shape} vs {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


# ----------------------------------------------------------------------------------------------
# sampling


class Params(NamedTuple):
    """One point: input x, target y, and W, b listed by edge (edge k: layer k -> k+1)."""
    x: np.ndarray
    y: np.ndarray
    Ws: list
    bs: list


_TARGETS = {
    "one-hot": lambda rng, C: np.eye(C)[rng.integers(C)],
    "probability": lambda rng, C: rng.uniform(0.05, 0.95, size=C),
    "real": lambda rng, C: rng.normal(size=C),
}


def sample_params(net: Network, rng: np.random.Generator, *, away_from_kinks: bool = True,
                  margin: float = 1e-2) -> Params:
    """Seeded random x, y, W, b (float64); hidden z farther than margin from every kink if asked."""
    if not net.plain:
        return _sample_general(net, rng, away_from_kinks, margin)
    d = net.sizes
    x = rng.normal(size=d[0])
    y = _TARGETS[LOSSES[net.loss].target](rng, net.C)
    Ws = [rng.normal(size=(d[k + 1], d[k])) / np.sqrt(d[k]) for k in range(net.L)]
    bs = [rng.normal(scale=0.5, size=d[k + 1]) for k in range(net.L)]
    if away_from_kinks and net.kinked:
        _push_off_kinks(net, x, Ws, bs, rng, margin)
    return Params(x, y, Ws, bs)


def _push_off_kinks(net, x, Ws, bs, rng, margin):
    """Resample hidden biases (in place, layer by layer) until every hidden z is farther than margin from
    each kink of its layer's activation (``ActivationRule.kinks``)."""
    a = x
    for k in range(net.L - 1):
        z = Ws[k] @ a + bs[k]
        kinks = [float(c) for c in net.rule_of(k + 1).kinks]
        near = lambda v: any(abs(v - c) <= margin for c in kinks)     # noqa: E731
        for i in range(len(z)):
            while near(z[i]):
                bs[k][i] = rng.normal(scale=0.5)
                z[i] = Ws[k][i] @ a + bs[k][i]
        a = _ACT[net.activation_of(k + 1)][0](z, net)


def stack_params(points) -> Params:
    """Stack points along a trailing batch axis: x (d0, n), y (C, n), W (out, in, n), b (out, n)."""
    pts = list(points)
    return Params(np.stack([p.x for p in pts], axis=-1), np.stack([p.y for p in pts], axis=-1),
                  [np.stack(ws, axis=-1) for ws in zip(*[p.Ws for p in pts])],
                  [np.stack(bs, axis=-1) for bs in zip(*[p.bs for p in pts])])


# ----------------------------------------------------------------------------------------------
# independent NumPy reference (textbook forward/backward, its own tables)


def _sigmoid(u):
    return np.exp(-np.logaddexp(0.0, -u))       # σ(u) = e^{-softplus(-u)}: no overflow, no cancellation


_erfc = np.vectorize(math.erfc, otypes=[float])
_erf = np.vectorize(math.erf, otypes=[float])


def _relu_prime(u, net):
    return np.where(u > 0, 1.0, np.where(u < 0, 0.0, float(net.relu_prime_at_zero)))


def _leaky_prime(u, net):
    s = float(net.negative_slope)
    return np.where(u > 0, 1.0, s)           # φ'(0) = the left slope by convention


def _gelu_cdf(u):
    return 0.5 * _erfc(-u / math.sqrt(2.0))  # Φ(u) (Hendrycks & Gimpel 2016), accurate for u << 0


def _inside(u, lo, hi):
    return ((u > lo) & (u < hi)).astype(float)   # hardtanh'(u): 0 at both kinks (PyTorch's convention)


# name -> (φ(u, net), φ'(u, net))
_ACT = {
    "relu": (lambda u, net: np.maximum(u, 0.0), _relu_prime),
    "leaky_relu": (lambda u, net: np.where(u > 0, u, float(net.negative_slope) * u), _leaky_prime),
    "sigmoid": (lambda u, net: _sigmoid(u), lambda u, net: _sigmoid(u) * (1.0 - _sigmoid(u))),
    "tanh": (lambda u, net: np.tanh(u), lambda u, net: 1.0 - np.tanh(u) ** 2),
    "identity": (lambda u, net: u, lambda u, net: np.ones_like(u)),
    "softplus": (lambda u, net: np.logaddexp(0.0, u), lambda u, net: _sigmoid(u)),
    # ELU (Clevert et al. 2016): α(e^u − 1) for u <= 0; φ'(0) = α, the left value (PyTorch)
    "elu": (lambda u, net: np.where(u > 0, u, float(net.alpha) * np.expm1(np.minimum(u, 0.0))),
            lambda u, net: np.where(u > 0, 1.0, float(net.alpha) * np.exp(np.minimum(u, 0.0)))),
    "gelu": (lambda u, net: u * _gelu_cdf(u),
             lambda u, net: _gelu_cdf(u) + u * np.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi)),
    # SiLU / swish (Elfwing et al. 2018; Ramachandran et al. 2017): u σ(u), φʹ = σ(u) + u σ(u)(1 − σ(u))
    "silu": (lambda u, net: u * _sigmoid(u), lambda u, net: _sigmoid(u) * (1.0 + u * (1.0 - _sigmoid(u)))),
    "relu6": (lambda u, net: np.clip(u, 0.0, 6.0), lambda u, net: _inside(u, 0.0, 6.0)),
    "hard_tanh": (lambda u, net: np.clip(u, -1.0, 1.0), lambda u, net: _inside(u, -1.0, 1.0)),
}


def _softmax(z):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def _logsumexp(z):
    m = np.max(z, axis=0, keepdims=True)
    return (m + np.log(np.sum(np.exp(z - m), axis=0, keepdims=True)))[0]


def _softplus(z):
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


# output name -> (ŷ(z), Jᵀg: the vector-Jacobian product of the head at ŷ)
_HEAD = {
    "softmax": (_softmax, lambda yh, g: yh * (g - np.sum(yh * g, axis=0, keepdims=True))),
    "sigmoid": (_sigmoid, lambda yh, g: yh * (1.0 - yh) * g),
    "tanh": (np.tanh, lambda yh, g: (1.0 - yh * yh) * g),
    "identity": (lambda z: z, lambda yh, g: g),
}
# loss name -> (L(ŷ, y), ∇_ŷ L)
_LOSS = {
    "cross_entropy": (lambda yh, y: -np.sum(y * np.log(yh), axis=0), lambda yh, y: -y / yh),
    "bce": (lambda yh, y: -np.sum(y * np.log(yh) + (1.0 - y) * np.log1p(-yh), axis=0),
            lambda yh, y: (yh - y) / (yh * (1.0 - yh))),
    "mse": (lambda yh, y: 0.5 * np.sum((yh - y) ** 2, axis=0), lambda yh, y: yh - y),
}
# the canonical pairs, from the logits (log-sum-exp, softplus): (L(z, y), δ^(L)(z, y)); no Σy = 1 assumed
_FUSED = {
    ("softmax", "cross_entropy"): (lambda z, y: np.sum(y, axis=0) * _logsumexp(z) - np.sum(y * z, axis=0),
                                   lambda z, y: _softmax(z) * np.sum(y, axis=0, keepdims=True) - y),
    ("sigmoid", "bce"): (lambda z, y: np.sum(_softplus(z) - y * z, axis=0), lambda z, y: _sigmoid(z) - y),
}


def _output_loss(net, z, y):
    """L at the logits z (fused and overflow-free for the canonical pairs)."""
    if (net.output, net.loss) in _FUSED:
        return _FUSED[net.output, net.loss][0](z, y)
    return _LOSS[net.loss][0](_HEAD[net.output][0](z), y)


def _output_delta(net, z, y):
    """δ^(L) = J_head(ŷ)ᵀ ∇_ŷ L (fused for the canonical pairs)."""
    if (net.output, net.loss) in _FUSED:
        return _FUSED[net.output, net.loss][1](z, y)
    head, jt = _HEAD[net.output]
    yh = head(z)
    return jt(yh, _LOSS[net.loss][1](yh, y))


def _batched(net, x, y, Ws, bs):
    """Arrays with the same number of trailing batch axes (size n or 1) on every input."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    Ws, bs = [np.asarray(W, float) for W in Ws], [np.asarray(b, float) for b in bs]
    if len(Ws) != net.L or len(bs) != net.L:
        raise ConfigError(f"expected {net.L} weight matrices and bias vectors, got {len(Ws)} and {len(bs)}")
    nb = max([x.ndim - 1, y.ndim - 1] + [W.ndim - 2 for W in Ws] + [b.ndim - 1 for b in bs])

    def pad(v, base):
        return v.reshape(v.shape + (1,) * (nb - (v.ndim - base)))
    return pad(x, 1), pad(y, 1), [pad(W, 2) for W in Ws], [pad(b, 1) for b in bs]


def _matvec(W, a):
    """W a over the leading axes (W may carry batch axes)."""
    if W.ndim == 2 or all(s == 1 for s in W.shape[2:]):
        return np.tensordot(W.reshape(W.shape[:2]), a, axes=(1, 0))
    return np.sum(W * a[None], axis=1)


def _rmatvec(W, v):
    """Wᵀ v over the leading axes."""
    if W.ndim == 2 or all(s == 1 for s in W.shape[2:]):
        return np.tensordot(W.reshape(W.shape[:2]), v, axes=(0, 0))
    return np.sum(W * v[:, None], axis=0)


def _forward(net, x, Ws, bs):
    """Pre-activations z[1..L] and activations a[0..L-1] (a[0] = x)."""
    a, z = {0: x}, {}
    for k in range(net.L):
        z[k + 1] = _matvec(Ws[k], a[k]) + bs[k]
        if k + 1 < net.L:
            a[k + 1] = _ACT[net.activation_of(k + 1)][0](z[k + 1], net)
    return z, a


def numpy_backprop(net: Network, x, y, Ws, bs) -> dict:
    """Textbook backprop in plain NumPy: δ^(L) from logits, δ^(l) = Wᵀδ ⊙ φ'(z), ∇W = δ aᵀ, ∇b = δ.

    Inputs may carry one trailing batch axis; outputs then carry it too.  A batch, rows layout, weight decay
    or no-bias network takes its own textbook path (``_general_backprop``).
    """
    if not net.plain:
        return _general_backprop(net, x, y, Ws, bs)
    x, y, Ws, bs = _batched(net, x, y, Ws, bs)
    z, a = _forward(net, x, Ws, bs)
    L = net.L
    delta = {L: _output_delta(net, z[L], y)}
    for l in range(L - 1, 0, -1):
        delta[l] = _rmatvec(Ws[l], delta[l + 1]) * _ACT[net.activation_of(l)][1](z[l], net)
    grad_W = [delta[k + 1][:, None] * a[k][None, :] for k in range(L)]
    grad_b = [delta[k + 1] for k in range(L)]
    loss = _output_loss(net, z[L], y)
    return {"delta": delta, "grad_W": grad_W, "grad_b": grad_b, "yhat": _HEAD[net.output][0](z[L]),
            "loss": float(loss) if np.ndim(loss) == 0 else loss}


def stable_loss(net: Network, x, y, Ws, bs) -> float:
    """The loss of one point computed from the logits (log-sum-exp, softplus): never overflows."""
    if not net.plain:
        return _general_loss(net, x, y, Ws, bs)
    x, y, Ws, bs = _batched(net, x, y, Ws, bs)
    z, _ = _forward(net, x, Ws, bs)
    return _output_loss(net, z[net.L], y)


def finite_differences(net: Network, x, y, Ws, bs, h: float | None = None) -> dict:
    """Central differences of ``stable_loss`` for every W and b entry: {"grad_W": [...], "grad_b": [...]}.

    The step is h·max(1, |θ|) with h = cbrt(eps) of float64 unless given.
    """
    h = fd_step() if h is None else h
    Ws = [np.array(W, dtype=np.float64) for W in Ws]
    bs = [np.array(b, dtype=np.float64) for b in bs]
    loss = lambda: float(stable_loss(net, x, y, Ws, bs))   # noqa: E731  (reads the arrays in place)
    return {"grad_W": [_central(W, loss, h) for W in Ws], "grad_b": [_central(b, loss, h) for b in bs]}


def _central(theta, loss, h):
    """∂loss/∂θ entrywise by (L(θ+s) − L(θ−s)) / 2s, perturbing ``theta`` in place."""
    out = np.empty_like(theta)
    for idx in np.ndindex(theta.shape):
        t = theta[idx]
        s = h * max(1.0, abs(t))
        theta[idx] = t + s
        up = loss()
        theta[idx] = t - s
        down = loss()
        theta[idx] = t
        out[idx] = (up - down) / ((t + s) - (t - s))
    return out


# ----------------------------------------------------------------------------------------------
# compiled symbolic gradients
#
# Strategy (all rewrites are exact; what runs is the derivation's own expressions):
# 1. node level: the derivation's δ^(l) contains δ^(l+1) inlined; each quantity is rewritten over
#    δ^(l+1) node symbols, checked by substituting back (else the inlined form is kept);
# 2. templates: entries equal up to renaming of symbols (z_i = Σ_j W_ij a_j + b_i for every i,
#    ∇W_ij = δ_i a_j for every i, j) share one lambdified template, evaluated once on arrays gathered
#    from a value table, broadcast along the axes an index does not depend on (outer products);
# 3. contractions: a sum of many same-shaped products inside a template (Σ_j W_ij a_j) is evaluated
#    by einsum over the gathered arrays (BLAS), the rest of the template by lambdify;
# 4. shared subexpressions (softmax: max and Σ exp; ŷ_i·Σ_k y_k after collecting ŷ_i) make a
#    quantity a flat lambdified list with exact-subtree CSE instead.


def _factor_out(expr, ups, syms):
    """``expr`` with each occurrence of ups[i] (a subtree, or a sub-product of a product) as syms[i]."""
    exact = dict(zip(ups, syms))
    by_factor = {}
    for u, s in zip(ups, syms):
        if isinstance(u, sp.Mul):
            by_factor.setdefault(u.args[-1], []).append((u, s))
    memo = {}

    def rw(e):
        if e in exact:
            return exact[e]
        if not e.args:
            return e
        if e not in memo:
            memo[e] = _factor_mul(e, by_factor, rw) or e.func(*[rw(r) for r in e.args])
        return memo[e]
    return rw(expr)


def _factor_mul(e, by_factor, rw):
    """s·(rest) if the product ``e`` contains all factors of some indexed product u (else None)."""
    if not isinstance(e, sp.Mul):
        return None
    args = set(e.args)
    for f in e.args:
        for u, s in by_factor.get(f, ()):
            if args.issuperset(u.args):
                return sp.Mul(s, *[rw(r) for r in e.args if r not in u.args])
    return None


def _node_level(entries, ups, syms):
    """Rewrite each entry over syms where that is exact (checked by substituting back), else keep it."""
    if ups is None:
        return list(entries), True
    back = dict(zip(syms, ups))
    out, all_ok = [], True
    for e in entries:
        r = _factor_out(e, ups, syms)
        ok = r.xreplace(back) == e
        out.append(r if ok else e)
        all_ok = all_ok and ok
    return out, all_ok


def _collect_common(e):
    """``e`` with the symbol shared by most of its terms factored out (exact), if >= 3 terms share one.

    ŷ_i·y_1 + … + ŷ_i·y_C − y_i becomes ŷ_i·(y_1 + … + y_C) − y_i, whose inner sum is then common
    to every entry and computed once.
    """
    if not isinstance(e, sp.Add):
        return e
    counts = {}
    for t in e.args:
        for f in sp.Mul.make_args(t):
            if isinstance(f, sp.Symbol):
                counts[f] = counts.get(f, 0) + 1
    best = max(counts, key=lambda f: (counts[f], str(f)), default=None)
    if best is None or counts[best] < REDUCE_MIN:
        return e
    inside = [t for t in e.args if best in sp.Mul.make_args(t)]
    rest = [t for t in e.args if best not in sp.Mul.make_args(t)]
    return sp.Add(sp.Mul(best, sp.Add(*[t / best for t in inside])), *rest)


def _subexpressions(e):
    """Every non-constant compound subexpression of ``e`` (each once)."""
    seen, stack = set(), [e]
    while stack:
        t = stack.pop()
        if t in seen or not t.args or not t.free_symbols:
            continue
        seen.add(t)
        stack.extend(t.args)
    return seen


def _shares(entries) -> bool:
    """Whether two entries have a compound subexpression in common (then a flat CSE wins)."""
    owner = {}
    for i, e in enumerate(entries):
        for t in _subexpressions(e):
            if owner.setdefault(t, i) != i:
                return True
    return False


def _first_symbols(e):
    """Free symbols of ``e`` in order of first appearance (preorder, SymPy's argument order)."""
    out, seen = [], set()
    for t in sp.preorder_traversal(e):
        if isinstance(t, sp.Symbol) and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _placeholders(n):
    return [sp.Symbol(f"p{k}", real=True) for k in range(n)]


def _templates(entries):
    """Group entries equal up to renaming: {template: (placeholders, [(position, symbols), ...])}."""
    groups = {}
    for pos, e in enumerate(entries):
        syms = _first_symbols(e)
        ph = _placeholders(len(syms))
        t = e.xreplace(dict(zip(syms, ph)))
        groups.setdefault(t, (ph, []))[1].append((pos, syms))
    return groups


class _Gather:
    """Values of one placeholder over a grid of (member[, term]) positions, from the value table.

    The index array is shaped like the grid, with size 1 along every axis it does not depend on
    (so ∇W_ij = δ_i a_j broadcasts like an outer product instead of copying δ and a per entry);
    a run of consecutive indices is read as a view.
    """

    def __init__(self, locs, grid):
        keys = {k for k, _ in locs}
        self.key = keys.pop() if len(keys) == 1 else None
        self.locs, self.grid = locs, tuple(grid)
        if self.key is None:
            return
        idx = np.array([i for _, i in locs]).reshape(grid)
        for ax in range(idx.ndim):
            if np.all(idx == idx.take([0], axis=ax)):
                idx = idx.take([0], axis=ax)
        flat = idx.ravel()
        run = flat.size > 0 and np.array_equal(flat, np.arange(flat[0], flat[0] + flat.size))
        self.idx = slice(int(flat[0]), int(flat[0]) + flat.size) if run else idx
        self.idx_shape = idx.shape

    def __call__(self, table, batch):
        if self.key is None:
            out = np.empty((len(self.locs),) + batch)
            for m, (k, i) in enumerate(self.locs):
                out[m] = table[k][i]
            return out.reshape(self.grid + batch)
        v = table[self.key][self.idx]
        return v.reshape(self.idx_shape + v.shape[1:]) if isinstance(self.idx, slice) else v


# lambdify's NumPy printer has no erf/erfc (SciPy's has): the standard library's, elementwise
_MODULES = [{"erf": _erf, "erfc": _erfc}, "numpy"]

REDUCE_MIN = 3      # an Add with at least this many terms of one product shape is a contraction


def _product(q):
    """(coefficient, factors) if q = c·r_a·r_b·… with distinct symbols to the first power, else None."""
    c, factors = q.as_coeff_mul()
    if c.is_Number and all(isinstance(f, sp.Symbol) for f in factors) and len(set(factors)) == len(factors):
        return float(c), factors
    return None


def _term_groups(add, role):
    """Terms of an Add grouped by shape: {term template: [placeholders of each term, by role]}."""
    groups = {}
    for t in add.args:
        ps = sorted(_first_symbols(t), key=role)          # stable: role (value-table key), then occurrence
        rs = [sp.Symbol(f"r{j}", real=True) for j in range(len(ps))]
        groups.setdefault(t.xreplace(dict(zip(ps, rs))), []).append(ps)
    return groups


def _sums(template, role):
    """Outermost Add nodes of ``template`` that contain a large group of same-shaped product terms."""
    found = []

    def walk(e):
        if isinstance(e, sp.Add) and any(len(v) >= REDUCE_MIN and _product(q)
                                         for q, v in _term_groups(e, role).items()):
            found.append(e)
            return
        for a in e.args:
            walk(a)
    walk(template)
    return list(dict.fromkeys(found))


def _contract(ops, kax, coeff):
    """coeff · Σ_k Π_j ops[j] over axis ``kax``, by einsum over the axes of size > 1 (BLAS when it can)."""
    nd = ops[0].ndim
    letters = "abcdefghijklmnopqrstuvwxyz"[:nd]
    if all(o.shape[kax] == 1 for o in ops):
        raise ValueError("internal: contraction over an axis of size 1")
    keep = [ax for ax in range(nd) if ax != kax and any(o.shape[ax] > 1 for o in ops)]
    subs, arrays = [], []
    for o in ops:
        axes = [ax for ax in range(nd) if o.shape[ax] > 1]
        subs.append("".join(letters[ax] for ax in axes))
        arrays.append(o.reshape([o.shape[ax] for ax in axes]))
    out = "".join(letters[ax] for ax in keep)
    for j, s in enumerate(subs):                 # sum first over letters no one else needs
        alone = [c for c in s if c not in out and all(c not in t for i, t in enumerate(subs) if i != j)]
        if alone:
            arrays[j] = np.einsum(f"{s}->{''.join(c for c in s if c not in alone)}", arrays[j])
            subs[j] = "".join(c for c in s if c not in alone)
    res = np.einsum(",".join(subs) + "->" + out, *arrays, optimize=True)
    shape = [max(o.shape[ax] for o in ops) if ax in keep else 1 for ax in range(nd) if ax != kax]
    return coeff * res.reshape(shape)


class _Sum:
    """One Add node of a template: large groups of product terms contracted, the rest lambdified."""

    def __init__(self, add, members, loc, grid, role):
        self.kax = len(grid)
        self.parts, rest = [], []
        for q, terms in _term_groups(add, role).items():
            prod = _product(q)
            if len(terms) < REDUCE_MIN or prod is None:
                rest += [q.xreplace(dict(zip([sp.Symbol(f"r{j}", real=True) for j in range(len(ps))], ps)))
                         for ps in terms]
                continue
            c, factors = prod
            idx = {f: int(f.name[1:]) for f in factors}
            gathers = [_Gather([loc[syms[int(ps[idx[f]].name[1:])]] for _, syms in members for ps in terms],
                               tuple(grid) + (len(terms),)) for f in factors]
            self.parts.append((c, gathers))
        self.rest = sp.Add(*rest)
        self.rest_args = sorted(self.rest.free_symbols, key=lambda s: int(s.name[1:]))
        self.rest_fn = sp.lambdify(self.rest_args, self.rest, modules=_MODULES)

    def __call__(self, table, batch, pvals):
        val = self.rest_fn(*[pvals[int(p.name[1:])] for p in self.rest_args])
        for c, gathers in self.parts:
            val = val + _contract([g(table, batch) for g in gathers], self.kax, c)
        return val


class _Template:
    """One lambdified template evaluated at once for all entries of its group."""

    def __init__(self, template, ph, members, loc, shape):
        positions = np.array([p for p, _ in members])
        whole = len(positions) == int(np.prod(shape)) and np.array_equal(positions, np.arange(len(positions)))
        self.shape = tuple(shape) if whole else None
        self.positions = positions
        grid = self.shape if whole else (len(members),)
        first = members[0][1]
        role = lambda p: str(loc[first[int(p.name[1:])]][0])           # noqa: E731
        sums = _sums(template, role)
        svars = [sp.Symbol(f"s{j}", real=True) for j in range(len(sums))]
        self.sums = [_Sum(s, members, loc, grid, role) for s in sums]
        main = template.xreplace(dict(zip(sums, svars)))
        used = set(main.free_symbols).union(*[s.rest.free_symbols for s in self.sums])
        self.gathers = {k: _Gather([loc[syms[k]] for _, syms in members], grid)
                        for k in range(len(ph)) if ph[k] in used}
        self.main_args = [p for p in ph if p in main.free_symbols]
        self.fn = sp.lambdify(self.main_args + svars, main, modules=_MODULES)

    def value(self, table, batch):
        """The template's values, broadcastable to the group's grid + batch."""
        pvals = {k: g(table, batch) for k, g in self.gathers.items()}
        svals = [s(table, batch, pvals) for s in self.sums]
        return self.fn(*[pvals[int(p.name[1:])] for p in self.main_args], *svals)

    def fill(self, out, table, batch):
        val = self.value(table, batch)
        if self.shape is None:
            out[self.positions] = val
        else:
            out.reshape(self.shape + batch)[...] = val


def _hoist(exprs):
    """CSE by exact subtrees only: every compound subexpression shared by two entries becomes a temporary.

    Same output format as ``sympy.cse`` (so lambdify accepts it), but it never rebuilds a node whose
    arguments did not change (SymPy's ``cse`` rebuilds Max(z_1, ..., z_C) at O(C²) cost each time).
    """
    count = {}
    for e in exprs:
        for t in _subexpressions(e):
            count[t] = count.get(t, 0) + 1
    shared = sorted((t for t, c in count.items() if c > 1), key=lambda t: (len(_subexpressions(t)), str(t)))
    temps, subs = [], {}
    for k, t in enumerate(shared):
        sym = sp.Symbol(f"cse{k}", real=True)
        temps.append((sym, t.xreplace(subs)))
        subs[t] = sym
    return temps, [e.xreplace(subs) for e in exprs]


class _Flat:
    """A flat lambdified list (with exact-subtree CSE), for entries that share subexpressions."""

    def __init__(self, entries, loc):
        free = sorted(set().union(*[e.free_symbols for e in entries]), key=str)
        self.args = [loc[s] for s in free]
        self.fn = sp.lambdify(free, entries, modules=_MODULES, cse=_hoist)

    def fill(self, out, table, batch):
        for i, v in enumerate(self.fn(*[table[k][i] for k, i in self.args])):
            out[i] = v


class _Quantity:
    """A matrix of library expressions compiled for evaluation from the value table."""

    def __init__(self, exprs, shape, loc):
        if not all(isinstance(e, sp.Basic) for e in exprs):
            raise ConfigError("internal: only SymPy expressions built by the library can be compiled")
        stray = set().union(*[e.free_symbols for e in exprs]) - set(loc)
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


# ----------------------------------------------------------------------------------------------
# batches (columns d x m or rows m x d), weight decay and no-bias networks: an independent textbook path


def _sample_general(net, rng, away_from_kinks, margin):
    """X, Y in the layout's shape (columns d x m, rows m x d), W in its shape, b a 1-D vector (empty without)."""
    d, m, rows = net.sizes, net.batch, net.rows
    X = rng.normal(size=(m, d[0]) if rows else (d[0], m))
    Y = np.stack([_TARGETS[LOSSES[net.loss].target](rng, net.C) for _ in range(m)], axis=0 if rows else 1)
    Ws = [rng.normal(size=(d[k], d[k + 1]) if rows else (d[k + 1], d[k])) / np.sqrt(d[k]) for k in range(net.L)]
    bs = [rng.normal(scale=0.5, size=d[k + 1]) if net.bias else np.zeros(0) for k in range(net.L)]
    if away_from_kinks and net.kinked:
        for _ in range(100):
            z, _a = _general_forward(net, X, Ws, bs)
            near = [l for l in range(1, net.L) for c in net.rule_of(l).kinks
                    if np.any(np.abs(z[l] - float(c)) <= margin)]
            if not near:
                break
            X = rng.normal(size=X.shape)
    return Params(X, Y, Ws, bs)


def _general_forward(net, X, Ws, bs):
    """Z^(l) = A W + 1 b (rows) or W A + b 1ᵀ (columns), A^(l) = φ(Z^(l))."""
    A, Z = {0: np.asarray(X, float)}, {}
    for k in range(net.L):
        W = np.asarray(Ws[k], float)
        Z[k + 1] = A[k] @ W if net.rows else W @ A[k]
        if net.bias:
            b = np.asarray(bs[k], float).reshape(-1)
            Z[k + 1] = Z[k + 1] + (b[None, :] if net.rows else b[:, None])
        if k + 1 < net.L:
            A[k + 1] = _ACT[net.activation_of(k + 1)][0](Z[k + 1], net)
    return Z, A


def _by_class(net, M):
    """A batch quantity with the classes on axis 0 (what the head and loss tables expect)."""
    return np.asarray(M, float).T if net.rows else np.asarray(M, float)


def _general_backprop(net, X, Y, Ws, bs):
    """Δ^(L) = scale·J_headᵀ∇L per example; columns: Δ^(l) = Wᵀ Δ ⊙ φ'(Z), ∇W = Δ Aᵀ + λW, ∇b = Δ 1;
    rows: Δ^(l) = Δ Wᵀ ⊙ φ'(Z), ∇W = Aᵀ Δ + λW, ∇b = 1ᵀ Δ."""
    Z, A = _general_forward(net, X, Ws, bs)
    L, lam = net.L, float(net.l2)
    scale = 1.0 / net.batch if net.reduction == "mean" else 1.0
    out = scale * _output_delta(net, _by_class(net, Z[L]), _by_class(net, Y))
    D = {L: out.T if net.rows else out}
    for l in range(L - 1, 0, -1):
        W = np.asarray(Ws[l], float)
        D[l] = (D[l + 1] @ W.T if net.rows else W.T @ D[l + 1]) * _ACT[net.activation_of(l)][1](Z[l], net)
    gW = [(A[k].T @ D[k + 1] if net.rows else D[k + 1] @ A[k].T) + lam * np.asarray(Ws[k], float) for k in range(L)]
    gb = [(D[k + 1].sum(axis=0) if net.rows else D[k + 1].sum(axis=1)) if net.bias else np.zeros(0)
          for k in range(L)]
    return {"delta": D, "grad_W": gW, "grad_b": gb, "yhat": _HEAD[net.output][0](_by_class(net, Z[L])),
            "loss": float(_general_loss(net, X, Y, Ws, bs))}


def _general_loss(net, X, Y, Ws, bs):
    """scale · Σ_n L(ŷ_n, y_n) + (λ/2) Σ ‖W‖_F², from the logits."""
    Z, _ = _general_forward(net, X, Ws, bs)
    scale = 1.0 / net.batch if net.reduction == "mean" else 1.0
    per = _output_loss(net, _by_class(net, Z[net.L]), _by_class(net, Y))
    return scale * float(np.sum(per)) + float(net.l2) / 2 * sum(float(np.sum(np.asarray(W) ** 2)) for W in Ws)


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
