"""Independent numeric witnesses: a textbook NumPy backprop and central finite differences, the sampling of
points and the tolerance table of the symbolic gradients against each witness.

The NumPy side reads no ``rules`` row for its formulas: the reference forward/backward pass is written from
the literature with its own tables of activations, heads and losses (``_ACT``, ``_HEAD``, ``_LOSS``; a contract
test pins that they have the same keys as the rules), so it shares no formula with the symbolic engine.  Only
the sampling policy (the kind of target, where the kinks are) reads the rules.  Mini-batch, rows-layout,
weight-decay and no-bias networks have their own textbook path at the end (``_general_backprop``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .errors import ConfigError
from .network import Network
from .rules import LOSSES

__all__ = [
    "Tolerance", "TOLERANCES", "TINY", "fd_step", "rel_err", "Params", "sample_params", "stack_params",
    "numpy_backprop", "stable_loss", "finite_differences", "entrywise_differences",
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
    if net.plain and np.ndim(x) == 1 and np.ndim(y) == 1 and all(W.ndim == 2 for W in Ws) \
            and all(b.ndim == 1 for b in bs):
        return _rank_one_differences(net, np.asarray(x, float), np.asarray(y, float), Ws, bs, h)
    return entrywise_differences(net, x, y, Ws, bs, h)


def entrywise_differences(net: Network, x, y, Ws, bs, h: float | None = None) -> dict:
    """The central differences of ``finite_differences``, one whole forward pass of ``stable_loss`` per
    perturbation (two per parameter): the direct way, for any network (the reference of the batched one)."""
    h = fd_step() if h is None else h
    Ws = [np.array(W, dtype=np.float64) for W in Ws]
    bs = [np.array(b, dtype=np.float64) for b in bs]
    loss = lambda: float(stable_loss(net, x, y, Ws, bs))   # noqa: E731  (reads the arrays in place)
    return {"grad_W": [_central(W, loss, h) for W in Ws], "grad_b": [_central(b, loss, h) for b in bs]}


def _rank_one_differences(net: Network, x, y, Ws, bs, h) -> dict:
    """The same central differences (same steps, same quotient), the perturbations of one row of W^(k) and of
    b^(k)_i evaluated as one batch.

    Perturbing W^(k)_ij by s changes only z^(k+1)_i, by s·a^(k)_j (b^(k)_i: by s), since z^(k+1) = W a^(k) + b;
    so each perturbed network differs from the unperturbed one in one entry of z^(k+1).  Its loss is computed
    from there on: a^(k+1)_i = φ(z^(k+1)_i) moves, z^(k+2) moves by W^(k+1)[:, i]·Δa_i (a rank-one update), and
    the layers above are recomputed in full on the batch.  No derivative is used: every column is the loss of
    one perturbed network, as in ``entrywise_differences`` (O(w³) instead of O(w⁴) for one hidden layer).
    """
    z, a = _forward(net, x, Ws, bs)
    grad_W, grad_b = [], []
    for k in range(net.L):
        W, b = Ws[k], bs[k]
        gW, gb = np.empty_like(W), np.empty_like(b)
        mult = np.append(a[k], 1.0)                       # z_i moves by step·a_j for W_ij, by step for b_i
        for i in range(W.shape[0]):
            theta = np.append(W[i], b[i])
            s = h * np.maximum(1.0, np.abs(theta))
            up, down = theta + s, theta - s
            shifts = np.concatenate([(up - theta) * mult, (down - theta) * mult])
            losses = _tail_losses(net, k + 1, i, z[k + 1][i] + shifts, z, a, Ws, bs, y)
            n = theta.size
            g = (losses[:n] - losses[n:]) / (up - down)
            gW[i], gb[i] = g[:-1], g[-1]
        grad_W.append(gW)
        grad_b.append(gb)
    return {"grad_W": grad_W, "grad_b": grad_b}


def _tail_losses(net, l, i, zi, z, a, Ws, bs, y):
    """The loss of each network whose z^(l)_i is one of the values ``zi`` (everything below layer l unchanged)."""
    if l == net.L:
        Z = np.repeat(z[l][:, None], zi.size, axis=1)
        Z[i] = zi
        return _output_loss(net, Z, y[:, None])
    da = _ACT[net.activation_of(l)][0](zi, net) - a[l][i]          # only a^(l)_i moves
    Z = z[l + 1][:, None] + Ws[l][:, i:i + 1] * da[None, :]           # z^(l+1) + W[:, i] Δa_i
    for m in range(l + 1, net.L):
        Z = Ws[m] @ _ACT[net.activation_of(m)][0](Z, net) + bs[m][:, None]
    return _output_loss(net, Z, y[:, None])


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
