"""Point sets of a claim: random points inside the givens and the domain (forced, constructed, else
rejection-sampled), kink points, points exactly on every boundary (solved exactly: rational, algebraic or
closed-form values), points beside a boundary, between a given's bound and a boundary, on two boundaries at
once, and scale probes for inequalities.  ``points_for`` gathers them for one set of conditions.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from functools import lru_cache
from fractions import Fraction as _Fraction

import mpmath
import sympy as sp

from .network import graph
from .numeric import mp_function
from .points import NodeValues, Point, exact_values, force, force_layer, node_values, sample_point
from .precision import _F0, _STRICT, _cond_ok
from .regions import exact_sign, is_exact_zero, small_exp_degree, solve_real
from .rules import ACTIVATIONS, LOSSES
from .surfaces import (_MAX_BOUNDARIES, _MAX_CROSSINGS, _MAX_NEAR, _POINTS_PER_BOUNDARY, _Surface, _add_surfaces,
                       _canon, _given_surfaces, _is_kink_of_unit, _on_surface, _pullback, _z_index, _z_nodes)


# what a point is for: where it sits decides how it counts (see ``_Pt``)
POINT_KINDS = ("random", "kink", "given-boundary", "boundary", "crossing", "near-boundary", "between", "probe")
_ON_A_BOUNDARY = ("kink", "given-boundary", "boundary", "crossing")


@dataclass
class _Pt:
    """An evaluated point and its kind (``POINT_KINDS``): a random point (moved into the givens if need be), a
    kink point of the activation or a scalar, a point exactly on a given's bound, on a boundary of the claim,
    on two boundaries at once, beside a boundary, between a given's bound and a boundary, or a scale probe."""
    point: Point
    vals: dict
    kind: str = "random"

    @property
    def kink(self) -> bool:
        """On a kink or boundary: a failure only there is a kink-convention slip, and the point is no random one."""
        return self.kind in _ON_A_BOUNDARY

    @property
    def probe(self) -> bool:
        """A scale probe: evidence when it decides, nothing when rounding cannot."""
        return self.kind == "probe"


def _kink_points(net, g, base):
    """Points where a whole hidden layer sits exactly at a kink of the activation (``ActivationRule.kinks``).

    One unit at a time is the boundary search's job (every φ'(z^(l)_j) of a claim is one of its boundaries).
    """
    out = []
    for l in range(1, net.L):
        for c in net.rule_of(l).kinks:
            value = _Fraction(sp.Rational(c).p, sp.Rational(c).q)
            q = force_layer(net, base[0], l, value)
            if q is not None:
                q.label = f"kink z^({l}) = {c}"
                out.append(q)
    return out


_SAMPLED = {}      # (network, seed, points, dps) -> (random points, kink points, rng state after them): claims without scalars


def random_and_kink_points(net, g, rng, scalars, opts):
    """The random points of a claim (the first ``opts.points`` draws of ``rng``) and its kink points.  Without
    scalars they are drawn once per process and network (``warm_points``, or the first claim) and each claim
    gets copies, with ``rng`` set to the state it has after drawing them: the same points either way."""
    key = (net, opts.seed, opts.points, opts.dps)
    if not scalars and key in _SAMPLED:
        base, kinks, state = _SAMPLED[key]
        rng.setstate(state)
        return [_copy_point(p) for p in base], [_copy_point(p) for p in kinks]
    base = [sample_point(net, rng, scalars) for _ in range(opts.points)]
    kinks = _kink_points(net, g, base) + _scalar_kinks(net, base, scalars)
    if not scalars:
        _SAMPLED[key] = ([_copy_point(p) for p in base], [_copy_point(p) for p in kinks], rng.getstate())
    return base, kinks


def _copy_point(p):
    """A fresh copy of a point (its labels are the claim's to change) that keeps its forward passes and node
    values, without what earlier claims remembered at it."""
    q = replace(p, scalars=dict(p.scalars), forced=dict(p.forced))
    q._exact = p._exact
    q._values = {k: v.copy_for(q) if isinstance(v, NodeValues) else v for k, v in (p._values or {}).items()}
    return q


def warm_points(net, opts):
    """Draw and evaluate the random and kink points of ``net``'s claims without scalars, once per process: a
    parent that calls this hands them to the workers it forks (``suite.prepare_workers``)."""
    key = (net, opts.seed, opts.points, opts.dps)
    if key not in _SAMPLED:
        g = graph(net)
        rng = random.Random(opts.seed)
        base = [sample_point(net, rng, ()) for _ in range(opts.points)]
        kinks = _kink_points(net, g, base) + _scalar_kinks(net, base, ())
        for p in base + kinks:
            node_values(g, p, opts.dps)
        _SAMPLED[key] = (base, kinks, rng.getstate())
        g.concretize(sp.Integer(0))          # the node -> concrete φ, φ' mapping every claim's sides go through


def _exact_value(v):
    """A Fraction for a rational SymPy number, else the exact SymPy number itself."""
    return _Fraction(int(v.p), int(v.q)) if v.is_Rational else v


def _set_variable(ctx, q, s_, value):
    """A copy of ``q`` with the settable variable ``s_`` set exactly to ``value`` (None if impossible)."""
    zn = _z_nodes(ctx.g)
    if s_ in zn:
        return force(ctx.net, q, *zn[s_], value)
    if s_ in ctx.scalars:
        return replace(q, scalars={**q.scalars, s_: value})
    where = _primitive_index(ctx.g)[s_]
    if where[0] == "y" and LOSSES[ctx.net.loss].target == "probability":
        v = sp.Rational(value.numerator, value.denominator) if isinstance(value, _Fraction) else value
        if exact_sign(v) not in (0, 1) or exact_sign(v - 1) not in (0, -1):
            return None                          # a probability target (BCE) stays in [0, 1]
    return _set_primitive(q, where, value)


def _solutions_on(ctx, S, p, limit=3, avoid=(), only=None):
    """[(point before, variable, exact value)] that put ``p`` exactly on the surface S: solve d = 0 for one
    settable variable (a pre-activation — forced —, a scalar, an input, weight or bias; ``only``: that one)
    with the others held at exact values (other pre-activations first made exact rationals), each solution
    exact (``regions.solve_real``: rational, algebraic or a closed form such as atanh(1/2); else a root found
    numerically and recognised as a short rational or quadratic irrational, verified exactly)."""
    g = ctx.g
    d = _pullback(g, S.d)
    zn = _z_nodes(g)
    free = d.free_symbols
    order = _settable(ctx, free)
    order = [v for v in order if v not in avoid] + [v for v in order if v in avoid]
    if only is not None:
        order = [only] if only in order else []
    for s_ in order[:3]:
        q = p
        for v in sorted(free & set(zn), key=lambda v: zn[v]):       # decouple the other pre-activations
            if v == s_:
                continue
            cur = node_values(g, q, 30)[v]
            if not cur.is_Rational:
                q = force(ctx.net, q, *zn[v], _Fraction(int(sp.floor(cur * 4096)), 4096))
                if q is None:                    # no bias to set it with (bias: false)
                    break
        if q is None:
            continue
        # the others' exact values: a rational node value is exact (the forward pass is exact where the
        # arithmetic is rational); only an irrational one needs the exact SymPy pass
        nv = node_values(g, q, 30)
        known = {v: nv[v] for v in free if v != s_ and v in nv}
        if not all(val.is_Rational for val in known.values()):
            ex = exact_values(g, q)
            known = {v: ex[v] for v in free if v != s_ and v in ex}
        try:
            d1 = d.xreplace(known)
            roots = (_linear_root(d1, s_) or solve_real(d1, s_)) if d1.free_symbols == {s_} else None
            if roots is None and d1.free_symbols == {s_}:
                roots = _recognised_roots(d1, s_)
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError, NotImplementedError):
            roots = None
        if roots:
            return [(q, s_, r) for r in roots[:limit]]
    return []


def _linear_root(d, s_):
    """[-c/k] when d = c + k s_ with rationals c, k != 0 (the one root ``solve_real`` finds and verifies, without
    building a polynomial), else None."""
    c, rest = d.as_coeff_Add()
    k, sym = rest.as_coeff_Mul()
    if sym == s_ and c.is_Rational and k.is_Rational and k != 0:
        return [-c / k]
    return None


_ROOT_GRID = [sp.Rational(k, 8) for k in range(-64, 65)]


def _recognised_roots(d, s_, limit=3):
    """Roots of d(s) = 0 that no closed form gives (log(u) = u - 1 touches at u = 1): sign changes and
    local minima of |d| on a grid over [-8, 8], refined at 40 digits and recognised as a rational with a
    small denominator or a quadratic irrational; only those that make d exactly 0 (``is_exact_zero``)."""
    if not small_exp_degree(d):         # verifying a candidate exactly would build a huge polynomial
        return None
    try:
        f = mp_function(s_, d)
    except (TypeError, ValueError, SyntaxError, NameError, RecursionError):
        return None
    with mpmath.workdps(40):
        def val(x):
            try:
                v = f(mpmath.mpf(x.p) / x.q if isinstance(x, sp.Rational) else x)
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                return None
            return v if isinstance(v, mpmath.mpf) and mpmath.isfinite(v) else None
        vals = [(x, val(x)) for x in _ROOT_GRID]
        cands = []
        for (x0, v0), (x1, v1), (x2, v2) in zip(vals, vals[1:], vals[2:]):
            if v1 is None:
                continue
            if v1 == 0:
                cands.append(mpmath.mpf(x1.p) / x1.q)
            elif v0 is not None and v2 is not None and abs(v1) <= abs(v0) and abs(v1) <= abs(v2):
                cands.append(_golden_min(lambda t: abs(val(t)) if val(t) is not None else mpmath.inf,
                                         mpmath.mpf(x0.p) / x0.q, mpmath.mpf(x2.p) / x2.q))
            if v0 is not None and v0 * v1 < 0:
                try:
                    cands.append(mpmath.findroot(lambda t: f(t), (mpmath.mpf(x0.p) / x0.q, mpmath.mpf(x1.p) / x1.q),
                                                 solver="anderson"))
                except (ValueError, ZeroDivisionError, TypeError):
                    pass
        out = []
        for c in cands[:16]:
            if c is None or not mpmath.isfinite(c):
                continue
            guesses = [sp.Rational(*_Fraction(mpmath.nstr(c, 30)).limit_denominator(1000).as_integer_ratio())]
            try:
                guesses.append(sp.nsimplify(sp.Float(mpmath.nstr(c, 30), 30), tolerance=sp.Float(10) ** -15))
            except (TypeError, ValueError, ZeroDivisionError):
                pass
            for r in guesses:
                if r in out or abs(float(r) - float(c)) > 1e-9:
                    continue
                try:
                    if is_exact_zero(d.xreplace({s_: r})):
                        out.append(r)
                except (TypeError, ValueError, ZeroDivisionError, RecursionError):
                    pass
            if len(out) >= limit:
                break
        return out


def _golden_min(fn, a, b, steps=120):
    """The minimiser of a unimodal ``fn`` on [a, b] (golden section)."""
    g = (mpmath.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = fn(c), fn(d)
    for _ in range(steps):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = fn(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = fn(d)
    return (a + b) / 2


def _settable(ctx, free):
    """The variables among ``free`` a point can be given any value of, in the order they are tried:
    pre-activations (top layer first: forced exactly), the claim's scalars, then targets (where the loss
    allows real ones), inputs, biases and weights."""
    zn, prim = _z_nodes(ctx.g), _primitive_index(ctx.g)
    return sorted(free & set(zn), key=lambda v: (-zn[v][0], zn[v][1])) + \
        sorted(free & set(ctx.scalars), key=lambda v: v.name) + \
        sorted(free & set(prim), key=lambda v: ("yxbW".index(prim[v][0]), prim[v][1:]))


_PROBE_VALUES = (16, 128)                     # e^{-128} is still seen at the 80-digit re-verification
_PROBE_VALUES_ALGEBRAIC = (16, 128, 1024, 2 ** 20)
_MAX_PROBE_VARS = 8


def _probe_points(ctx, ok):
    """Scale probes for inequalities: each settable variable of an equality surface (pulled back to
    pre-activations) set alone to ±16 and ±128, and, where the surface is algebraic (no exp, log or tanh
    that large values would saturate), to ±1024 and ±2^20 too: a bound such as L < 100 or u^2 <= 10^6
    fails only far from the random points.  Probes rounding cannot decide are dropped, never counted."""
    found = {}
    for S in ctx.relations:
        d = _pullback(ctx.g, S.d)
        algebraic = not d.has(sp.exp, sp.log, sp.tanh)
        for v in _settable(ctx, d.free_symbols):
            found[v] = found.get(v, True) and algebraic
    out = []
    for v in list(found)[:_MAX_PROBE_VARS]:
        for mag in (_PROBE_VALUES_ALGEBRAIC if found[v] else _PROBE_VALUES):
            for sign in (1, -1):
                q = _set_variable(ctx, ctx.base[0], v, _Fraction(sign * mag))
                val = ok(q) if q is not None else None
                if val is not None:
                    q.label, q.surface = f"probe {v.name} = {sign * mag}", None
                    out.append(_Pt(q, val, "probe"))
    return out


def _points_on(ctx, S, p, limit=3, avoid=()):
    """Points exactly on the surface S built from ``p``, each verified on S at the exact level.

    A sum of squares is 0 where each square is: its parts are solved one after another, each for a
    variable the earlier ones do not use."""
    if S.parts:
        q, used = p, set(avoid)
        for f in S.parts:
            key = _canon(f)
            if key is None:
                return []
            found = _points_on(ctx, _Surface(key, key, S.kind), q, 1, used)
            if not found:
                return []
            q = found[0]
            used |= _pullback(ctx.g, key).free_symbols
        if not _on_surface(S.d, node_values(ctx.g, q, ctx.opts.dps), ctx.opts.dps):
            return []
        q.label, q.surface = f"boundary {S.text} (each square 0)", (S.key,)
        return [q]
    out = []
    for q, s_, r in _solutions_on(ctx, S, p, limit, avoid):
        q2 = _set_variable(ctx, q, s_, _exact_value(r))
        if q2 is None or not _on_surface(S.d, node_values(ctx.g, q2, ctx.opts.dps), ctx.opts.dps):
            continue
        q2.label, q2.surface = f"boundary {S.text} ({s_.name} = {sp.sstr(r)})", (S.key,)
        out.append(q2)
    return out


def _near_points(ctx, S, p, offset):
    """Points at ``offset`` on either side of a boundary (max(u, 3) = 3 fails only beyond u = 3)."""
    out = []
    for q, s_, r in _solutions_on(ctx, S, p, 2):
        if not r.is_Rational:
            r = sp.Rational(sp.floor(r * 64), 64)
        for side in (-1, 1):
            value = _exact_value(r) + side * offset
            q2 = _set_variable(ctx, q, s_, value)
            if q2 is not None:
                q2.label, q2.surface = f"near {S.text} ({s_.name} = {value})", None
                out.append(q2)
    return out


@lru_cache(maxsize=64)
def _primitive_index(g):
    """x, W, b (and y unless the target is one-hot) symbols -> where they live in a Point."""
    out = {s: ("x", i) for i, s in enumerate(g.x)}
    if LOSSES[g.net.loss].target != "one-hot":
        out.update({s: ("y", i) for i, s in enumerate(g.y)})
    for k, (W, b) in enumerate(zip(g.W, g.b)):
        out.update({W[i, j]: ("W", k, i, j) for i in range(W.rows) for j in range(W.cols)})
        out.update({s: ("b", k, i) for i, s in enumerate(b)})
    return out


def _set_primitive(p, where, value):
    """A copy of ``p`` with one input, target, weight or bias set to ``value``."""
    x, W, b, y = list(p.x), [[list(r) for r in Wk] for Wk in p.W], [list(r) for r in p.b], list(p.y)
    if where[0] == "y":
        y[where[1]] = value
        return Point(x, y, W, b, dict(p.scalars), dict(p.forced), p.label)
    if where[0] == "x":
        x[where[1]] = value
    elif where[0] == "W":
        W[where[1]][where[2]][where[3]] = value
    else:
        b[where[1]][where[2]] = value
    return Point(x, list(p.y), W, b, dict(p.scalars), {}, p.label)


def _scalar_kinks(net, base, scalars):
    """Points where a free scalar variable sits at 0 or at a kink of a hidden activation (``ActivationRule.kinks``):
    φ'(u), indicators and max of u break there."""
    values = sorted({_F0} | {_Fraction(sp.Rational(c).p, sp.Rational(c).q)
                             for name in net.activation_names for c in ACTIVATIONS[name].kinks})
    out = []
    for s in scalars:
        for c in values:
            for p in base[:2]:
                out.append(replace(p, scalars={**p.scalars, s: c}, label=f"kink {s.name} = {c}"))
    return out


def _forced_for_conditions(net, g, conds, p, rng):
    """Shift biases so that simple conditions on pre-activations (z^(l)_j op c) hold at ``p``."""
    zi = _z_index(g)
    q = p
    for lhs, op, rhs in conds:
        if lhs in zi and rhs.is_Rational and (op in _STRICT or op == "="):
            l, j = zi[lhs]
            c = _Fraction(int(rhs.p), int(rhs.q))
            delta = _Fraction(rng.randint(1, 128), 64)
            target = {"<": c - delta, "<=": c - delta, ">": c + delta, ">=": c + delta, "=": c}[op]
            q = force(net, q, l, j, target)
            if q is None:
                return None
    return q


def _constructed(ctx, conds, p, rng):
    """A copy of ``p`` moved into the region of ``conds`` by construction, or None: each condition that
    does not hold is solved for a settable variable (``_solutions_on``) and the variable is put exactly on
    it (an equality: ŷ_1 = ŷ_2 by z^(L)_1) or a random step to the side where it holds."""
    q = p
    for cond in conds:
        lhs, op, rhs = cond
        if _cond_ok((cond,), node_values(ctx.g, q, ctx.opts.dps), ctx.opts.dps):
            continue
        key = _canon(lhs - rhs)
        if key is None or op == "!=":
            return None
        placed = False
        for q0, s_, r in _solutions_on(ctx, _Surface(key, key, "given"), q, 3):
            if op == "=":
                cands = [r]
            else:
                base = r if r.is_Rational else sp.Rational(int(sp.floor(r * 64)), 64)
                step = sp.Rational(rng.randint(1, 128), 64)
                cands = [base - step, base + step, r - step, r + step]
            for c in cands:
                q2 = _set_variable(ctx, q0, s_, _exact_value(c))
                if q2 is not None and _cond_ok((cond,), node_values(ctx.g, q2, ctx.opts.dps), ctx.opts.dps):
                    q, placed = q2, True
                    break
            if placed:
                break
        if not placed:
            return None
    q.label = "random (moved into the givens)"
    return q


def _cell_points(ctx, conds, surfaces, seed, ok, limit):
    """Points between a given's bound and a boundary of the claim on the same variable (z < 10^{-30} with
    the kink z = 0: the cell 0 < z < 10^{-30} holds a false claim), at the exact midpoint."""
    out = []
    simple = [(lhs, op, rhs) for lhs, op, rhs in conds if isinstance(lhs, sp.Symbol) and op in _STRICT and
              not rhs.free_symbols and lhs in set(_settable(ctx, {lhs}))]
    for lhs, op, rhs in simple:
        for S in surfaces:
            if len(out) >= limit:
                return out
            if S.kind == "given" or lhs not in _pullback(ctx.g, S.d).free_symbols:
                continue
            for q0, s_, r in _solutions_on(ctx, S, seed, 4, only=lhs):
                if r == rhs:
                    continue
                m = (r + rhs) / 2
                q = _set_variable(ctx, q0, s_, _exact_value(m))
                v = ok(q) if q is not None else None
                if v is not None:
                    q.label, q.surface = f"between {S.text} and the given {lhs.name} {op} {rhs}", None
                    out.append(_Pt(q, v, "between"))
    return out


def _boundary_for_conditions(net, g, conds, p):
    """The boundary point (z^(l)_j = c exactly) of non-strict simple conditions, if any."""
    zi = _z_index(g)
    q, hit = p, False
    for lhs, op, rhs in conds:
        if lhs in zi and rhs.is_Rational and op in ("<=", ">="):
            l, j = zi[lhs]
            q = force(net, q, l, j, _Fraction(int(rhs.p), int(rhs.q)))
            hit = True
            if q is None:
                return None
            q.label = f"boundary of the given ({lhs.name} = {rhs})"
    return q if hit else None


def _add_on(ctx, S, p, ok, kinks):
    n = 0
    for q in _points_on(ctx, S, p):
        v = ok(q)
        if v is not None:
            kinks.append(_Pt(q, v, "boundary"))
            n += 1
    return n


def points_for(ctx, conds, domain=()):
    """Random points and kink and boundary points that satisfy ``conds`` and lie in the claim's
    ``domain`` (forced, constructed, else rejection-sampled).

    Boundary points: for every surface of the claim and every non-strict given, points exactly on it
    (``_points_on``) from two seed points (then from the kink points), until it has two.
    """
    dps = ctx.opts.dps
    givens = tuple((ctx.g.concretize(lhs), op, ctx.g.concretize(rhs)) for lhs, op, rhs in conds)
    conds = givens + tuple(c for c in domain if c not in givens)
    surfaces = dict((S.key, S) for S in ctx.surfaces)
    _add_surfaces(surfaces, _given_surfaces(givens, ctx.g.concretize))
    surfaces = list(surfaces.values())[:_MAX_BOUNDARIES + 8]

    def ok(q):                     # the givens (boundary, near and kink points)
        v = node_values(ctx.g, q, dps)
        return v if _cond_ok(givens, v, dps) else None

    def ok_in(q):                  # the givens and the claim's domain (random points)
        v = node_values(ctx.g, q, dps)
        return v if _cond_ok(conds, v, dps) else None

    out, kinks = _random_and_kink_points(ctx, givens, conds, ok, ok_in)
    seeds = [p.point for p in out[:2]]
    on, near = _boundary_points(ctx, surfaces, seeds, [p.point for p in kinks], kinks, ok)
    if givens:
        near += _cell_points(ctx, givens, surfaces, ctx.base[0] if not seeds else seeds[0], ok, _MAX_NEAR)
    probes = _probe_points(ctx, ok) if ctx.relations else []
    return out + near + on + _crossings(ctx, surfaces, on + kinks, ok) + kinks + probes


def _random_and_kink_points(ctx, givens, conds, ok, ok_in):
    """(random points, kink points) inside the conditions: the base points (forced onto simple conditions,
    else moved in by construction), more random draws until there are enough, the given's boundary points
    and the kink points that satisfy the givens."""
    dps = ctx.opts.dps
    if not conds:
        return [_Pt(p, node_values(ctx.g, p, dps)) for p in ctx.base], \
            [_Pt(p, node_values(ctx.g, p, dps), "kink") for p in ctx.kinks]
    out, kinks = [], []
    for p in ctx.base:
        q = _forced_for_conditions(ctx.net, ctx.g, conds, p, ctx.rng) or p
        v = ok_in(q)
        if v is None:                  # built, not rejection-sampled: ŷ_1 = ŷ_2 is never drawn
            q = _constructed(ctx, conds, q, ctx.rng)
            v = ok_in(q) if q is not None else None
        if v is not None:
            out.append(_Pt(q, v))
    tries = 0
    while len(out) < ctx.opts.points and tries < ctx.opts.max_candidates:
        tries += 1
        p = sample_point(ctx.net, ctx.rng, ctx.scalars)
        v = ok_in(p)
        if v is not None:
            out.append(_Pt(p, v))
    for p in ctx.base[:3] + ctx.kinks:
        q = _boundary_for_conditions(ctx.net, ctx.g, givens, p)
        v = ok(q) if q is not None else None
        if v is not None:
            kinks.append(_Pt(q, v, "given-boundary"))
    for p in ctx.kinks:
        v = ok(p)
        if v is not None:
            kinks.append(_Pt(p, v, "kink"))
    return out, kinks


def _boundary_points(ctx, surfaces, seeds, fallback, kinks, ok):
    """(points exactly on each surface, points beside it): up to ``_POINTS_PER_BOUNDARY`` on each (counting
    the kink points already on it) from the seed points, else from the fallback points; near points at
    ±1/2 of every boundary that is not a single unit's kink."""
    on, near = [], []               # boundary points first: the simplest witness of a boundary slip
    for S in surfaces:
        have = sum(1 for p in kinks + on if ctx.on(S, p))
        for p in seeds:
            if have >= _POINTS_PER_BOUNDARY:
                break
            have += _add_on(ctx, S, p, ok, on)
        for p in fallback:          # e.g. u^2 + v^2 = 0 is reached only from v = 0
            if have:
                break
            have += _add_on(ctx, S, p, ok, on)
        if not _is_kink_of_unit(S, ctx.g) and len(near) < _MAX_NEAR:
            for q in _near_points(ctx, S, ctx.base[0] if not seeds else seeds[0], _Fraction(1, 2)):
                v = ok(q)
                if v is not None:
                    q.surface = (S.key,)
                    near.append(_Pt(q, v, "near-boundary"))
    return on, near


def _crossings(ctx, surfaces, on, ok):
    """Points on two boundaries at once (1{u >= 0}1{v >= 0} can be misread only at u = v = 0): from a
    point on one, solve the other for a variable the first does not use; verified on both."""
    out = []
    pairs = sorted(((S1, S2) for i, S1 in enumerate(surfaces) for S2 in surfaces[i + 1:]),
                   key=lambda pr: _is_kink_of_unit(pr[0], ctx.g) + _is_kink_of_unit(pr[1], ctx.g))
    dps = ctx.opts.dps
    for pair in pairs:
        if len(out) >= _MAX_CROSSINGS:
            break
        for S1, S2 in (pair, pair[::-1]):     # moving onto the lower layer's boundary first keeps the other
            start = next((p.point for p in on if p.point.surface == (S1.key,)), None) or \
                next((p.point for p in on if ctx.on(S1, p)), None)
            if start is None:
                continue
            avoid = _pullback(ctx.g, S1.d).free_symbols
            found = False
            for q in _points_on(ctx, S2, start, limit=1, avoid=avoid):
                v = ok(q)
                if v is not None and _on_surface(S1.d, v, dps):
                    q.label = f"crossing of {S1.text} and {S2.text}"
                    q.surface = (S1.key, S2.key)
                    out.append(_Pt(q, v, "crossing"))
                    found = True
            if found:
                break
    return out
