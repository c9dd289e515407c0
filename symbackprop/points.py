"""Sample points for the checker: exact rational inputs, high-precision forward pass, forced kinks.

Inputs x, W, b are exact rationals, so every pre-activation of a piecewise-linear network is exact
and a kink z = 0 is hit exactly (never 1e-50).  Smooth layers and the output head are evaluated
with mpmath at ``dps`` digits from those exact inputs, so a point can be re-evaluated at a higher
precision and give the same point.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp

from .network import Graph, Network
from .rules import LOSSES

__all__ = ["Point", "sample_point", "forward", "node_values", "DENOM"]

DENOM = 64          # inputs are k/64 with |k| <= 128: exact, readable, well conditioned
_PIECEWISE_LINEAR = {"relu", "leaky_relu", "identity"}


@dataclass
class Point:
    """One assignment of every primitive (exact) plus the free scalar variables of a claim."""
    x: list
    y: list
    W: list            # per edge: list of rows of Fractions
    b: list            # per edge: list of Fractions
    scalars: dict = field(default_factory=dict)   # Symbol -> Fraction
    forced: dict = field(default_factory=dict)    # (l, j) -> Fraction value forced on z^(l)_j
    label: str = "random"


def _r(rng):
    return Fraction(rng.randint(-2 * DENOM, 2 * DENOM), DENOM)


def _target(net: Network, rng):
    C = net.C
    kind = LOSSES[net.loss].target
    if kind == "one-hot":
        hot = rng.randrange(C)
        return [Fraction(int(k == hot)) for k in range(C)]
    if kind == "probability":
        return [Fraction(rng.randint(1, DENOM - 1), DENOM) for _ in range(C)]
    return [_r(rng) for _ in range(C)]


def sample_point(net: Network, rng: random.Random, scalars=()) -> Point:
    """A random point with exact rational primitives (seeded by ``rng``)."""
    d = net.sizes
    W = [[[_r(rng) for _ in range(d[k])] for _ in range(d[k + 1])] for k in range(net.L)]
    b = [[_r(rng) for _ in range(d[k + 1])] for k in range(net.L)]
    return Point([_r(rng) for _ in range(d[0])], _target(net, rng), W, b,
                 {s: _r(rng) for s in scalars})


def _act(net, name, u, dps):
    if name == "relu":
        return u if u > 0 else Fraction(0)
    if name == "leaky_relu":
        return u if u > 0 else net.negative_slope * u
    if name == "identity":
        return u
    with mpmath.workdps(dps):
        v = mpmath.mpf(u.numerator) / u.denominator if isinstance(u, Fraction) else mpmath.mpf(u)
        return 1 / (1 + mpmath.exp(-v)) if name == "sigmoid" else mpmath.tanh(v)


def _mp(v, dps):
    with mpmath.workdps(dps):
        return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mpmath.mpf(v)


def _head(net, z, dps):
    if net.output == "identity":
        return list(z)                  # exact where z is exact (piecewise-linear networks)
    with mpmath.workdps(dps):
        zz = [_mp(v, dps) for v in z]
        if net.output == "softmax":
            m = max(zz)
            e = [mpmath.exp(v - m) for v in zz]
            s = mpmath.fsum(e)
            return [v / s for v in e]
        if net.output == "sigmoid":
            return [1 / (1 + mpmath.exp(-v)) for v in zz]
        return zz


def forward(net: Network, p: Point, dps: int = 50) -> dict:
    """z^(l), a^(l) and ŷ at ``p``: exact Fractions where the arithmetic is rational, else mpf."""
    a = list(p.x)
    zs, acts = {}, {0: a}
    for k in range(net.L):
        l = k + 1
        with mpmath.workdps(dps):
            z = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + bi
                 if all(isinstance(v, Fraction) for v in a) else
                 mpmath.fsum([_mp(w, dps) * _mp(v, dps) for w, v in zip(row, a)]) + _mp(bi, dps)
                 for row, bi in zip(p.W[k], p.b[k])]
        zs[l] = z
        if l < net.L:
            a = [_act(net, net.activation, v, dps) for v in z]
            acts[l] = a
    acts[net.L] = _head(net, zs[net.L], dps)
    return {"z": zs, "a": acts}


def force(net: Network, p: Point, l: int, j: int, value: Fraction) -> Point:
    """A copy of ``p`` whose pre-activation z^(l)_j is exactly ``value`` (by shifting b_j of edge l-1, or,
    above a smooth layer, by cutting unit j off its inputs)."""
    fw = forward(net, p)
    cur = fw["z"][l][j]
    W, b = p.W, [list(r) for r in p.b]
    if isinstance(cur, Fraction):
        b[l - 1][j] += value - cur
    else:
        # smooth layers below make z inexact: cut unit j off its inputs (row j of W = 0), then z = b_j exactly
        W = [[list(r) for r in Wk] for Wk in p.W]
        W[l - 1][j] = [Fraction(0)] * len(W[l - 1][j])
        b[l - 1][j] = value
    forced = dict(p.forced)
    forced[(l, j)] = value
    return Point(p.x, p.y, W, b, dict(p.scalars), forced, p.label)


def node_values(g: Graph, p: Point, dps: int = 50) -> dict:
    """Every graph symbol (primitives and nodes) and claim scalar -> SymPy number at ``p``."""
    net = g.net
    fw = forward(net, p, dps)
    vals = {}

    def num(v):
        return sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Float(v, dps)

    for sym, v in zip(g.x, p.x):
        vals[sym] = num(v)
    for sym, v in zip(g.y, p.y):
        vals[sym] = num(v)
    for k in range(net.L):
        for i, row in enumerate(p.W[k]):
            for j, v in enumerate(row):
                vals[g.W[k][i, j]] = num(v)
            vals[g.b[k][i]] = num(p.b[k][i])
    for l in range(1, net.L + 1):
        for sym, v in zip(g.z[l], fw["z"][l]):
            vals[sym] = num(v)
        for sym, v in zip(g.a[l], fw["a"][l]):
            vals[sym] = num(v)
    for sym, v in p.scalars.items():
        vals[sym] = num(v)
    return vals
