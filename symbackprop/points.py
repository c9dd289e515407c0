"""Sample points for the checker: exact rational inputs, high-precision forward pass, forced kinks.

Inputs x, W, b are exact rationals, so every pre-activation of a piecewise-linear network is exact
and a kink z = 0 is hit exactly (never 1e-50).  Smooth layers and the output head are evaluated
with mpmath at ``dps`` digits from those exact inputs, so a point can be re-evaluated at a higher
precision and give the same point.

A point on a boundary that no rational reaches (tanh(z) = 1/2 at z = atanh(1/2), u^2 = 2) holds an
exact SymPy number there (a bias or a scalar); the forward pass evaluates it numerically and
``exact_values`` gives every node as an exact SymPy expression, so a comparison that rounding cannot
decide (a tie) is decided exactly.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import sympy as sp

from .network import Graph, Network
from .rules import ACTIVATIONS, LOSSES, OUTPUTS

__all__ = ["Point", "sample_point", "forward", "node_values", "exact_values", "force", "force_layer", "NodeValues",
           "DENOM"]

DENOM = 64          # inputs are k/64 with |k| <= 128: exact, readable, well conditioned


@dataclass
class Point:
    """One assignment of every primitive (exact) plus the free scalar variables of a claim.

    Never changed in place once built: its forward pass and node values are cached on it (``_exact``,
    ``_values``), so a changed W or b would be read with the values of the old point. Make a new Point
    (``force`` does)."""
    x: list
    y: list
    W: list            # per edge: list of rows of Fractions
    b: list            # per edge: list of Fractions
    scalars: dict = field(default_factory=dict)   # Symbol -> Fraction
    forced: dict = field(default_factory=dict)    # (l, j) -> Fraction value forced on z^(l)_j
    label: str = "random"
    surface: object = None    # the boundary this point was built on (samples.py), if any
    _exact: dict | None = field(default=None, init=False, repr=False, compare=False)
    _values: dict | None = field(default=None, init=False, repr=False, compare=False)   # dps -> NodeValues
    # (parent point, l): made from the parent by changing only W^(l-1) and b^(l-1) (``force``), so every layer
    # below l has the parent's values (the forward pass starts at layer l)
    _derived: tuple | None = field(default=None, init=False, repr=False, compare=False)


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
    if not net.plain:
        return _sample_general(net, rng, scalars)
    d = net.sizes
    W = [[[_r(rng) for _ in range(d[k])] for _ in range(d[k + 1])] for k in range(net.L)]
    b = [[_r(rng) for _ in range(d[k + 1])] for k in range(net.L)]
    return Point([_r(rng) for _ in range(d[0])], _target(net, rng), W, b,
                 {s: _r(rng) for s in scalars})


def _fraction(v):
    """``v`` as a Fraction when it is an exact rational (Fraction or SymPy Rational), else None."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, sp.Basic) and v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return None


def _act(net, name, u, dps):
    """φ(u) of the activation ``name`` (its rule's ``mp``): an exact Fraction for a rational u when the rule
    maps rationals to rationals (piecewise linear), else an mpf at ``dps`` digits."""
    rule = ACTIVATIONS[name]
    if isinstance(u, sp.Basic):
        u = _fraction(u) if _fraction(u) is not None else _mp(u, dps)
    if rule.exact_on_rationals and isinstance(u, Fraction):
        r = rule.mp(u, net)
        if isinstance(r, Fraction):
            return r                       # rational arithmetic: no working precision to set
    u = _mp(u, dps) if not isinstance(u, Fraction) or not rule.exact_on_rationals else u
    with mpmath.workdps(dps):
        return rule.mp(u, net)


def _mp(v, dps):
    with mpmath.workdps(dps):
        if isinstance(v, Fraction):
            return mpmath.mpf(v.numerator) / v.denominator
        if isinstance(v, sp.Basic):            # an exact SymPy number (atanh(1/2), sqrt(2), CRootOf)
            return mpmath.mpf(sp.Float(sp.N(v, dps + 10), dps + 10)._mpf_)
        return mpmath.mpf(v)


def _head(net, z, dps):
    """ŷ = head(z^(L)) (its rule's ``mp``): exact where z is exact for a linear head, else mpf."""
    rule = OUTPUTS[net.output]
    if rule.linear:
        return list(z)                  # exact where z is exact (piecewise-linear networks)
    with mpmath.workdps(dps):
        return rule.mp([_mp(v, dps) for v in z])


def forward(net: Network, p: Point, dps: int = 50) -> dict:
    """z^(l), a^(l) and ŷ at ``p``: exact Fractions where the arithmetic is rational, else mpf (computed once
    per point, network and precision: read-only)."""
    key = ("forward", net, dps)
    if p._values is not None and key in p._values:
        return p._values[key]
    out = _forward_general(net, p, dps) if not net.plain else _forward_plain(net, p, dps)
    if p._values is None:
        p._values = {}
    p._values[key] = out
    return out


def _reused_layers(net, p, dps):
    """(a finished pass to take layers from, first layer to compute): the parent's pass at ``dps`` below the
    layer a ``force`` changed, else the exact layers (every z and a a Fraction: the same at every precision) of
    this point's pass at another precision, else (None, 1)."""
    if p._derived is not None:
        parent, l = p._derived
        src = parent._values.get(("forward", net, dps)) if parent._values else None
        if src is not None:
            return src, l
    for key, src in (p._values or {}).items():
        if type(key) is tuple and key[0] == "forward" and key[1] is net:
            l = 1
            while l < net.L and all(type(v) is Fraction for v in src["z"][l]) and \
                    all(type(v) is Fraction for v in src["a"][l]):
                l += 1
            if l > 1:
                return src, l
    return None, 1


def _forward_plain(net, p, dps):
    a = list(p.x)
    zs, acts = {}, {0: a}
    src, start = _reused_layers(net, p, dps)
    for l in range(1, start):
        zs[l], acts[l] = src["z"][l], src["a"][l]
    if start > 1:
        a = acts[start - 1]
    for k in range(start - 1, net.L):
        l = k + 1
        z = [_affine(row, a, bi, dps) for row, bi in zip(p.W[k], p.b[k])]
        zs[l] = z
        if l < net.L:
            a = [_act(net, net.activation_of(l), v, dps) for v in z]
            acts[l] = a
    acts[net.L] = _head(net, zs[net.L], dps)
    return {"z": zs, "a": acts}


def _affine(row, a, bi, dps):
    """w·a + b: an exact Fraction when every term with a nonzero weight is exact, else an mpf."""
    if type(bi) is Fraction and all(type(w) is Fraction for w in row) and all(type(v) is Fraction for v in a):
        return _exact_sum([(w._numerator * v._numerator, w._denominator * v._denominator)
                           for w, v in zip(row, a) if w._numerator] + [(bi._numerator, bi._denominator)])
    terms = [(w, v) for w, v in zip(row, a) if not (isinstance(w, Fraction) and w == 0)]
    exact = [(_fraction(w), _fraction(v)) for w, v in terms]
    fb = _fraction(bi)
    if fb is not None and all(fw is not None and fv is not None for fw, fv in exact):
        return _exact_sum([(fw.numerator * fv.numerator, fw.denominator * fv.denominator) for fw, fv in exact]
                          + [(fb.numerator, fb.denominator)])
    with mpmath.workdps(dps):
        return mpmath.fsum([_mp(w, dps) * _mp(v, dps) for w, v in terms]) + _mp(bi, dps)


def _exact_sum(pairs):
    """Σ n_i/d_i as a Fraction, over one common denominator (the same value as adding Fractions one by one,
    which reduces by a gcd at every step)."""
    den = math.lcm(*[d for _, d in pairs]) if pairs else 1
    return Fraction(sum(n * (den // d) for n, d in pairs), den)


def _plus(b, value, cur):
    """b + value - cur, exact (a Fraction when rational, else a SymPy number)."""
    if isinstance(value, Fraction):
        return b + value - cur
    out = sp.Rational(b.numerator, b.denominator) + value - sp.Rational(cur.numerator, cur.denominator) \
        if isinstance(b, Fraction) else b + value - sp.Rational(cur.numerator, cur.denominator)
    return _fraction(out) if _fraction(out) is not None else out


def force(net: Network, p: Point, l: int, j: int, value: Fraction) -> Point:
    """A copy of ``p`` whose pre-activation z^(l)_j is exactly ``value`` (by shifting b_j of edge l-1, or,
    above a smooth layer, by cutting unit j off its inputs)."""
    if not net.plain:
        return _force_general(net, p, l, j, value)
    fw = forward(net, p)
    cur = fw["z"][l][j]
    W, b = p.W, [list(r) for r in p.b]
    if isinstance(value, sp.Basic) and _fraction(value) is not None:
        value = _fraction(value)
    if isinstance(cur, Fraction):
        b[l - 1][j] = _plus(b[l - 1][j], value, cur)
    else:
        # smooth layers below make z inexact: cut unit j off its inputs (row j of W = 0), then z = b_j exactly
        W = [[list(r) for r in Wk] for Wk in p.W]
        W[l - 1][j] = [Fraction(0)] * len(W[l - 1][j])
        b[l - 1][j] = value
    forced = dict(p.forced)
    forced[(l, j)] = value
    q = Point(p.x, p.y, W, b, dict(p.scalars), forced, p.label, p.surface)
    q._derived = (p, l)                 # only W^(l-1), b^(l-1) changed
    return q


def force_layer(net: Network, p: Point, l: int, value) -> Point | None:
    """``p`` with every pre-activation of layer ``l`` forced to ``value``: the point that ``force`` gives
    unit by unit (0, 1, ...), from one forward pass (forcing unit j changes only its own bias or row, so
    the other units' z^(l) stay what they were)."""
    if not net.plain:
        q = p
        for j in range(net.sizes[l]):
            q = force(net, q, l, j, value) if q is not None else None
        return q
    if isinstance(value, sp.Basic) and _fraction(value) is not None:
        value = _fraction(value)
    zs = forward(net, p)["z"][l]
    W, b = p.W, [list(r) for r in p.b]
    forced = dict(p.forced)
    for j, cur in enumerate(zs):
        if isinstance(cur, Fraction):
            b[l - 1][j] = _plus(b[l - 1][j], value, cur)
        else:
            if W is p.W:
                W = [[list(r) for r in Wk] for Wk in p.W]
            W[l - 1][j] = [Fraction(0)] * len(W[l - 1][j])
            b[l - 1][j] = value
        forced[(l, j)] = value
    q = Point(p.x, p.y, W, b, dict(p.scalars), forced, p.label, p.surface)
    q._derived = (p, l)                 # only W^(l-1), b^(l-1) changed
    return q


class NodeValues(dict):
    """Symbol -> SymPy number at a point (``node_values``), with the way back to exact values.

    Read-only once built (``node_values`` shares one per point and precision): ``subst`` and ``memo``
    remember results computed from these values."""

    def __init__(self, g, point, dps):
        super().__init__()
        self.graph, self.point, self.dps = g, point, dps
        self._subst = {}
        self.memo = {}          # results of deterministic functions of (expression, these values), by callers

    def exact(self) -> dict:
        """Every symbol as an exact SymPy number (see ``exact_values``)."""
        return exact_values(self.graph, self.point)

    def copy_for(self, point):
        """The same values for a copy of the point, with nothing remembered yet."""
        out = NodeValues(self.graph, point, self.dps)
        out.update(self)
        return out

    def subst(self, expr):
        """``expr.xreplace(self)``, the same result, with every subexpression substituted once per point:
        the entries of a matrix (and the two sides of a claim) share most of their subtrees."""
        return _subst(expr, self, self._subst)[0]


def _subst(e, rule, memo):
    """Basic._xreplace with a memo: (result, changed).  ``e.func(*args)`` is a function of the arguments, so
    a subtree met again gives what substituting it again would give."""
    hit = memo.get(e)
    if hit is not None:
        return hit
    if e in rule:
        out = rule[e], True
    else:
        args, changed = [], False
        for a in e.args:
            if getattr(a, "_xreplace", None) is not None:
                r, c = _subst(a, rule, memo)
                args.append(r)
                changed |= c
            else:
                args.append(a)
        out = (e.func(*args), True) if changed else (e, False)
    memo[e] = out
    return out


_RATIONALS: dict = {}        # (numerator, denominator) -> sp.Rational (the inputs k/64 recur at every point)
_PRIMITIVES: dict = {}       # id(graph) -> (graph, symbols of x, y, W (rows), b, z and a by layer)


def _primitive_symbols(g):
    """The symbols of x, y, every W^(k) (as rows) and b^(k) in the order of a point's lists, and of z^(l), a^(l)
    (once per graph: indexing a SymPy matrix costs microseconds)."""
    hit = _PRIMITIVES.get(id(g))
    if hit is None or hit[0] is not g:
        W = [[[Wk[i, j] for j in range(Wk.shape[1])] for i in range(Wk.shape[0])] for Wk in g.W[:g.net.L]]
        b = [[g.b[k][i] for i in range(len(g.b[k]))] for k in range(g.net.L)]
        z = {l: list(g.z[l]) for l in range(1, g.net.L + 1)}
        a = {l: list(g.a[l]) for l in range(1, g.net.L + 1)}
        hit = _PRIMITIVES[id(g)] = (g, list(g.x), list(g.y), W, b, z, a)
    return hit[1:]


def node_values(g: Graph, p: Point, dps: int = 50) -> dict:
    """Every graph symbol (primitives and nodes) and claim scalar -> SymPy number at ``p``.

    Exact rationals stay Rational; everything else is a Float of ``dps`` digits (an exact irrational
    input such as atanh(1/2) too: ``.exact()`` has it exactly).
    """
    cached = p._values.get((id(g), dps)) if p._values is not None else None
    if cached is not None and cached.graph is g:
        return cached
    net = g.net
    fw = forward(net, p, dps)
    vals = NodeValues(g, p, dps)

    def num(v):
        if isinstance(v, Fraction):
            key = (v._numerator, v._denominator)       # hashing a Fraction costs a modular inverse
            r = _RATIONALS.get(key)
            if r is None:
                if len(_RATIONALS) > 100_000:
                    _RATIONALS.clear()
                r = _RATIONALS[key] = sp.Rational(*key)
            return r
        f = _fraction(v)
        if f is not None:
            return sp.Rational(f.numerator, f.denominator)
        if isinstance(v, sp.Basic):
            return sp.Float(sp.N(v, dps), dps)
        return sp.Float(v, dps)

    x_syms, y_syms, W_syms, b_syms, z_syms, a_syms = _primitive_symbols(g)
    for sym, v in zip(x_syms, p.x):
        vals[sym] = num(v)
    for sym, v in zip(y_syms, p.y):
        vals[sym] = num(v)
    for k in range(net.L):
        for sym_row, row in zip(W_syms[k], p.W[k]):
            for sym, v in zip(sym_row, row):
                vals[sym] = num(v)
        for sym, v in zip(b_syms[k], p.b[k]):   # b^(k) in the order of its symbols (none without biases)
            vals[sym] = num(v)
    for l in range(1, net.L + 1):
        for sym, v in zip(z_syms[l], fw["z"][l]):
            vals[sym] = num(v)
        for sym, v in zip(a_syms[l], fw["a"][l]):
            vals[sym] = num(v)
    for sym, v in p.scalars.items():
        vals[sym] = num(v)
    if p._values is None:
        p._values = {}
    p._values[(id(g), dps)] = vals
    return vals


def exact_values(g: Graph, p: Point) -> dict:
    """Every graph symbol and claim scalar at ``p`` as an exact SymPy number (cached on the point).

    Nodes are built from the exact inputs with the network's concrete activation and head: a ReLU
    network gives rationals; a tanh layer gives tanh(3/64) and sums of such; a softmax of two equal
    pre-activations gives exactly 1/2.  Only for decisions that rounding cannot make (ties, boundaries).
    """
    if p._exact is not None:
        return p._exact
    net = g.net
    if not net.plain:
        p._exact = _exact_general(g, p)
        return p._exact

    def ex(v):
        f = _fraction(v)
        return sp.Rational(f.numerator, f.denominator) if f is not None else v

    vals = {}
    vals.update({s_: ex(v) for s_, v in zip(g.x, p.x)})
    vals.update({s_: ex(v) for s_, v in zip(g.y, p.y)})
    a = [ex(v) for v in p.x]
    for k in range(net.L):
        l = k + 1
        W, b = p.W[k], p.b[k]
        z = []
        for i, (row, bi) in enumerate(zip(W, b)):
            for jj, w in enumerate(row):
                vals[g.W[k][i, jj]] = ex(w)
            vals[g.b[k][i]] = ex(bi)
            z.append(sp.Add(*[ex(w) * v for w, v in zip(row, a) if ex(w) != 0]) + ex(bi))
        vals.update(dict(zip(g.z[l], z)))
        if l < net.L:
            a = [net.rule_of(l).f(v, net) for v in z]
            vals.update(dict(zip(g.a[l], a)))
    yhat = OUTPUTS[net.output].f(sp.Matrix(z))
    vals.update(dict(zip(g.yhat, yhat)))
    vals.update({s_: ex(v) for s_, v in p.scalars.items()})
    p._exact = vals
    return vals


# ----------------------------------------------------------------------------------------------
# batches (columns d x m, rows m x d), no-bias networks: x, y and every node are flat lists in the row-major
# order of their symbol matrices; W[k] has the shape of its symbols; b[k] is flat (empty without biases)


def _ix(net, width, i, n):
    """Flat index of unit i of example n in a batch quantity of ``width`` units."""
    return n * width + i if net.rows else i * net.batch + n


def _sample_general(net, rng, scalars):
    d, m = net.sizes, net.batch
    X = [_r(rng) for _ in range(d[0] * m)]
    Y = [None] * (net.C * m)
    for n in range(m):
        for i, v in enumerate(_target(net, rng)):
            Y[_ix(net, net.C, i, n)] = v
    shape = (lambda k: (d[k], d[k + 1])) if net.rows else (lambda k: (d[k + 1], d[k]))
    W = [[[_r(rng) for _ in range(shape(k)[1])] for _ in range(shape(k)[0])] for k in range(net.L)]
    b = [[_r(rng) for _ in range(d[k + 1])] if net.bias else [] for k in range(net.L)]
    return Point(X, Y, W, b, {s: _r(rng) for s in scalars})


def _unit_weights(net, Wk, i):
    """The weights into unit i (a row of W in columns, a column of W in rows)."""
    return [r[i] for r in Wk] if net.rows else list(Wk[i])


def _forward_general(net, p, dps):
    d, m = net.sizes, net.batch
    a = list(p.x)
    zs, acts = {}, {0: a}
    for k in range(net.L):
        l = k + 1
        z = [None] * (d[l] * m)
        for n in range(m):
            av = [a[_ix(net, d[k], j, n)] for j in range(d[k])]
            for i in range(d[l]):
                bi = p.b[k][i] if net.bias else Fraction(0)
                z[_ix(net, d[l], i, n)] = _affine(_unit_weights(net, p.W[k], i), av, bi, dps)
        zs[l] = z
        if l < net.L:
            a = [_act(net, net.activation_of(l), v, dps) for v in z]
            acts[l] = a
    out = [None] * (net.C * m)
    for n in range(m):
        for i, v in enumerate(_head(net, [zs[net.L][_ix(net, net.C, c, n)] for c in range(net.C)], dps)):
            out[_ix(net, net.C, i, n)] = v
    acts[net.L] = out
    return {"z": zs, "a": acts}


def _force_general(net, p, l, j, value):
    """``force`` in a batch: z^(l) at flat index j set exactly by its unit's bias (shifted, or — when z is
    inexact — the unit cut off its inputs, so every example's z of that unit is the bias); None without biases."""
    if not net.bias:
        return None
    width, m = net.sizes[l], net.batch
    i = j % width if net.rows else j // m
    cur = forward(net, p)["z"][l][j]
    W, b = p.W, [list(r) for r in p.b]
    if isinstance(value, sp.Basic) and _fraction(value) is not None:
        value = _fraction(value)
    if isinstance(cur, Fraction):
        b[l - 1][i] = _plus(b[l - 1][i], value, cur)
    else:
        W = [[list(r) for r in Wk] for Wk in p.W]
        if net.rows:
            for r in W[l - 1]:
                r[i] = Fraction(0)
        else:
            W[l - 1][i] = [Fraction(0)] * len(W[l - 1][i])
        b[l - 1][i] = value
    forced = dict(p.forced)
    forced[(l, j)] = value
    return Point(p.x, p.y, W, b, dict(p.scalars), forced, p.label, p.surface)


def _exact_general(g, p):
    net = g.net

    def ex(v):
        f = _fraction(v)
        return sp.Rational(f.numerator, f.denominator) if f is not None else v

    vals = {s_: ex(v) for s_, v in zip(g.x, p.x)}
    vals.update({s_: ex(v) for s_, v in zip(g.y, p.y)})
    for k in range(net.L):
        vals.update({g.W[k][i, j]: ex(w) for i, row in enumerate(p.W[k]) for j, w in enumerate(row)})
        vals.update({g.b[k][i]: ex(v) for i, v in enumerate(p.b[k])})
    a = g.x
    for l in range(1, net.L + 1):
        z = g.z_def[l].xreplace({**vals, **dict(zip(g.a[l - 1], [vals[s_] for s_ in a]))}) if l > 1 else \
            g.z_def[l].xreplace(vals)
        vals.update(dict(zip(g.z[l], z)))
        if l < net.L:
            vals.update({s_: net.rule_of(l).f(v, net) for s_, v in zip(g.a[l], z)})
            a = g.a[l]
    head = OUTPUTS[net.output].f
    yhat = g.from_examples([head(zc) for zc in g.examples(sp.Matrix(*g.z[net.L].shape, [vals[s_] for s_ in g.z[net.L]]))])
    vals.update(dict(zip(g.yhat, yhat)))
    vals.update({s_: ex(v) for s_, v in p.scalars.items()})
    return vals
