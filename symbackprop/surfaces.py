"""Boundaries: every surface d = 0 where a side of a claim can jump or bend (a condition's sides meet, the
arguments of a max meet, an argument of φ/φ' sits at a kink, a non-strict given is tight, an inequality's
sides meet), in a fixed order, and whether a point lies exactly on one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .network import graph
from .precision import (SURFACE_GUARD_DIGITS, _EXPAND_TERMS, _MAX_BOUNDARY_INSTANCES, _STRICT, _exact_sign,
                        _expanded_size, _sub, atoms_of)
from .rules import ACTIVATIONS, OUTPUTS, phi, phi_prime


@lru_cache(maxsize=64)
def _z_index(g):
    """Map each pre-activation symbol (and ŷ of an identity head, which is z^(L)) to its (layer, unit)."""
    out = {s: (l, j) for l, vec in g.z.items() for j, s in enumerate(vec)}
    if OUTPUTS[g.net.output].linear:
        out.update({s: (g.net.L, j) for j, s in enumerate(g.yhat)})
    return out


_MAX_BOUNDARIES = 32
_POINTS_PER_BOUNDARY = 2
_MAX_CROSSINGS = 12       # points on two boundaries at once
_MAX_NEAR = 24            # points beside boundaries (beyond the random range: max(u, 3) = 3 fails for u > 3)


@dataclass(frozen=True)
class _Surface:
    """The set d = 0 where a claim can change: a condition's two sides meet (jump), the arguments of a
    max meet (corner), an argument of φ/φ' sits at a kink of the activation, or a non-strict given is tight."""
    key: object       # canonical form of d (the same surface written u - 1 or 1 - u)
    d: object         # node-level expression
    kind: str
    parts: tuple = ()  # d = Σ c_k f_k^2 (c_k > 0): the surface is where every f_k = 0 (an MSE loss of 0)

    @property
    def text(self):
        return f"{sp.sstr(self.d)} = 0"


def _canon(d):
    """A canonical form of the surface d = 0 (None for a constant: no surface)."""
    try:
        d = sp.expand(d) if _expanded_size(d) <= _EXPAND_TERMS else d
    except (TypeError, ValueError, RecursionError):
        return None
    if not d.free_symbols or d.has(sp.nan, sp.zoo):
        return None
    _, d = d.as_content_primitive()
    if d.could_extract_minus_sign():
        d = -d
    return d


def _surfaces_in(expr, generic, net):
    """The surfaces of one (concretized) expression and its generic form: [(d, kind)]."""
    out = []
    found = atoms_of(expr, sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)   # one walk
    for pw in (f for f in found if isinstance(f, sp.Piecewise)):
        for _, cond in pw.args:
            out += [(rel.lhs - rel.rhs, "jump") for rel in atoms_of(cond, sp.core.relational.Relational)]
    for m in (f for f in found if isinstance(f, (sp.Max, sp.Min))):
        args = list(m.args)
        out += [(a - b, "corner") for i, a in enumerate(args) for b in args[i + 1:]]
    out += [(f.args[0], "corner") for f in found if isinstance(f, (sp.Abs, sp.sign, sp.Heaviside))]
    if generic is not None:
        layer = _hidden_layers(graph(net))
        every = {c for name in net.activation_names for c in ACTIVATIONS[name].kinks}
        for f in atoms_of(generic, phi, phi_prime):     # the argument's layer's kinks (every kink if it is not a z)
            kinks = net.rule_of(layer[f.args[0]]).kinks if f.args[0] in layer else sorted(every)
            out += [(f.args[0] - c, "jump") for c in kinks]
    return out


@lru_cache(maxsize=64)
def _hidden_layers(g):
    """Each hidden pre-activation symbol -> its layer."""
    return {s: l for l in range(1, g.net.L) for s in g.z[l]}


def _add_surfaces(out, pairs):
    for d, kind, *parts in sorted(pairs, key=lambda t: (t[1], sp.default_sort_key(t[0]))):   # a fixed order
        key = _canon(d)
        if key is not None and key not in out:
            out[key] = _Surface(key, key, kind, tuple(parts[0]) if parts else ())


def _square_parts(e):
    """(f_1, ..., f_n) when e = k Σ c_i f_i^{2m_i} with constants c_i of one sign (n >= 2), else ()."""
    k, inner = e.as_coeff_Mul()
    if not inner.is_Add or len(inner.args) > 16:
        return ()
    parts, signs = [], set()
    for t in inner.args:
        c, f = t.as_coeff_Mul()
        if not (f.is_Pow and f.exp.is_Integer and f.exp > 0 and f.exp % 2 == 0 and f.base.free_symbols):
            return ()
        signs.add(c > 0)
        parts.append(f.base)
    return tuple(parts) if len(signs) == 1 and len(parts) >= 2 else ()


def _relation_pairs(ctx, a, b):
    """[(A_i - B_i, "relation")] for every entry of an inequality step (same shapes only)."""
    if a.expr is None or b.expr is None or a.expr.shape != b.expr.shape:
        return []
    A, B = ctx.conc(a.expr), ctx.conc(b.expr)
    return [(A[i] - B[i], "relation", _square_parts(A[i] - B[i])) for i in range(len(A))]


def _given_surfaces(conds, conc):
    """The boundary of each non-strict given (lhs <= rhs is tight on lhs = rhs), and the surfaces inside it."""
    out = []
    for lhs, op, rhs in conds:
        L, R = conc(lhs), conc(rhs)
        if op in ("<=", ">=", "="):
            out.append((L - R, "given"))
        out += _surfaces_in(L, None, None) + _surfaces_in(R, None, None)
    return out


@lru_cache(maxsize=4096)
def _pullback(g, d):
    """d over pre-activations: ŷ = head(z^(L)) and a^(l) = φ(z^(l)) with the concrete activation."""
    if d.free_symbols & set(g.yhat):
        d = d.xreplace(dict(zip(g.yhat, g.yhat_def)))
    for l in range(g.net.L - 1, 0, -1):
        if d.free_symbols & set(g.a[l]):
            d = d.xreplace({a: g.concretize(phi(z)) for a, z in zip(g.a[l], g.z[l])})
    return d


@lru_cache(maxsize=64)
def _z_nodes(g):
    return {s: (l, j) for l, vec in g.z.items() for j, s in enumerate(vec)}


def _on_surface(d, vals, dps):
    """Whether the point of ``vals`` lies exactly on d = 0."""
    v = _sub(d, vals)
    if v.is_Rational:
        return v == 0
    try:
        v = sp.N(v, dps)
    except (TypeError, ValueError):
        return False
    if not (v.is_number and v.is_real) or abs(v) > sp.Float(10) ** (-(dps - SURFACE_GUARD_DIGITS)):
        return False
    return _exact_sign(d, vals) == 0


def relation_surfaces(ctx, instances):
    """The equality surface A_i - B_i = 0 of every entry of every inequality step (first instances):
    where an inequality can turn, so a boundary like any other, and the one a strict inequality fails on."""
    out = {}
    for inst in instances[:_MAX_BOUNDARY_INSTANCES]:
        for k, op in enumerate(inst.ops):
            if op in _STRICT and len(out) < _MAX_BOUNDARIES:
                _add_surfaces(out, _relation_pairs(ctx, inst.sides[k], inst.sides[k + 1]))
    return list(out.values())[:_MAX_BOUNDARIES]


def claim_surfaces(ctx, instances):
    """Every surface of every (first ``_MAX_BOUNDARY_INSTANCES``) instance's sides, in a fixed order
    (the equality surfaces of inequalities first)."""
    out = {S.key: S for S in ctx.relations}
    for inst in instances[:_MAX_BOUNDARY_INSTANCES]:
        for side in inst.sides:
            if side.expr is not None and len(out) < _MAX_BOUNDARIES:
                _add_surfaces(out, _side_surfaces(ctx, side.expr))
    return list(out.values())[:_MAX_BOUNDARIES]


def _side_surfaces(ctx, M):
    """``_surfaces_in`` of a side (concretized) and its generic form, once per side and claim (the claim's
    surfaces and each step's read the same sides)."""
    memo = ctx.__dict__.setdefault("_side_surfaces", {})
    if id(M) not in memo:              # the side is kept with its answer: its id is never reused
        memo[id(M)] = (M, _surfaces_in(ctx.conc(M), M, ctx.net))
    return memo[id(M)][1]


def step_surfaces(ctx, a, b, conds, op="="):
    """The surfaces of one step (both sides, the equality surface of an inequality) and of its givens."""
    key = (id(a.expr), id(b.expr), tuple(conds), op)
    if key not in ctx._step_surfaces:
        out = {}
        if op in _STRICT:
            _add_surfaces(out, _relation_pairs(ctx, a, b))
        for side in (a, b):
            _add_surfaces(out, _side_surfaces(ctx, side.expr))
        _add_surfaces(out, _given_surfaces(conds, ctx.g.concretize))
        ctx._step_surfaces[key] = list(out.values())
    return ctx._step_surfaces[key]


@lru_cache(maxsize=4096)
def _is_kink_of_unit(S, g):
    """Whether S is z^(l)_j = c for one hidden pre-activation (random points lie on both sides of it)."""
    zn = _z_nodes(g)
    free = S.d.free_symbols
    return len(free) == 1 and next(iter(free)) in zn and sp.diff(S.d, next(iter(free))).is_Rational
