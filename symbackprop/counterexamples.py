"""Counterexamples as reported: the failing entry, both sides and their difference at the verification
precision, the values the claim mentions, the complete point, and the diagnosis of the mistake.
"""
from __future__ import annotations

import re

import sympy as sp

from .diagnoses import _diagnose
from .points import node_values
from .precision import _EXACT_DIGITS, _TINY_MAX_DPS, _value


def _fmt(v):
    if v is None:
        return None
    if isinstance(v, sp.Rational):
        return str(v)
    return sp.Float(v, 12).__str__()


def _relevant(expr_mats, vals, limit=12):
    syms = set()
    for M in expr_mats:
        syms |= M.free_symbols
    out = {}
    for s in sorted((s for s in syms if s in vals), key=_value_order)[:limit]:
        if s in vals:
            out[s.name] = _fmt(vals[s])
    return out


_VALUE_ORDER = ("yhat", "y", "z", "a", "delta", "x", "b", "W")


def _value_order(s):
    """Order of a counterexample's values (presentation): the intermediate values a claim mentions (ŷ, y, z,
    a) before the parameters, which the complete point lists anyway; a claim's own scalars first."""
    m = re.match(r"([A-Za-z]+?)(\d*)_", s.name)
    kind = _VALUE_ORDER.index(m.group(1)) if m and m.group(1) in _VALUE_ORDER else -1
    return kind, s.name


def _with_point(ce, g, vals, expr_mats):
    """``ce`` with the complete point (x, y, every W and b, the claim's scalars; presentation only: the
    point is the one already decided) and how many values the claim mentions (``values`` is cut at 12)."""
    syms = set()
    for M in expr_mats:
        syms |= M.free_symbols
    net = g.net
    ce["values_total"] = sum(1 for s in syms if s in vals)
    ce["point_values"] = {
        "x": [_fmt(vals[s]) for s in g.x], "y": [_fmt(vals[s]) for s in g.y],
        "W": {str(net.param_label(k)): [[_fmt(vals[W[i, j]]) for j in range(W.cols)] for i in range(W.rows)]
              for k, W in enumerate(g.W)},
        "b": {str(net.param_label(k)): [_fmt(vals[s]) for s in b] for k, b in enumerate(g.b)},
        "scalars": {s.name: _fmt(vals[s]) for s in sorted(vals.point.scalars, key=lambda s: s.name)
                    if s in vals} if hasattr(vals, "point") else {}}
    if net.batch > 1:       # X and Y shaped as the course writes them (columns: d0 × m, rows: m × d0)
        for key, M in (("X", g.x), ("Y", g.y)):
            ce["point_values"][key] = [[_fmt(vals[M[i, j]]) for j in range(M.cols)] for i in range(M.rows)]
    return ce


def _entry_name(shape, idx):
    r, c = divmod(idx, shape[1])
    return f"[{r + 1}]" if shape[1] == 1 else f"[{r + 1},{c + 1}]"


def _reference(a, b):
    """Which side is the reference (a bare quantity) for diagnoses: (ref, other)."""
    if b.quantity and not a.quantity:
        return b, a
    return a, b


def _certified_value(c):
    """A constant to 12 digits from a certified evaluation (its exact form if rational and short)."""
    try:
        if c.is_Rational:
            return str(c) if max(len(str(abs(c.p))), len(str(c.q))) <= 12 else sp.Float(c, 12).__str__()
        v = c.evalf(12, strict=True, maxn=_TINY_MAX_DPS)
        return sp.Float(v, 12).__str__()
    except (sp.core.evalf.PrecisionExhausted, TypeError, ValueError, AttributeError, ZeroDivisionError):
        return sp.sstr(c)[:60]


def _counter(ctx, a, b, p, idx, vals, pts, kink_only):
    ref, other = _reference(a, b)
    diag = _diagnose(ctx, ref, other, pts, kink_only)
    hv = node_values(ctx.g, p.point, ctx.opts.verify_dps)
    ce = {"point": p.point.label, "entry": _entry_name(a.expr.shape, idx),
          "lhs": _fmt(vals[0]), "rhs": _fmt(vals[1]), "difference": _fmt(vals[0] - vals[1]),
          "values": _relevant([ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]], hv)}
    _with_point(ce, ctx.g, hv, [ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]])
    if p.point.forced:
        ce["forced"] = {f"z^({l})_{j + 1}": str(v) for (l, j), v in p.point.forced.items()}
    msg = f"at {p.point.label} point, entry {ce['entry']}: left = {ce['lhs']}, right = {ce['rhs']}"
    if ce["lhs"] == ce["rhs"]:
        exact = _exact_difference(ctx.conc(a.expr)[idx] - ctx.conc(b.expr)[idx], hv)
        if exact is not None:
            ce["difference"] = exact
            msg += f" (left - right = {exact}, exactly at this point)"
        else:
            msg += f" (left - right = {ce['difference']})"
    return {"message": msg, "diagnosis": diag, "counterexample": ce}


def _exact_difference(d, vals):
    """The exact difference at the exact point to 12 digits (certified by evalf), or None."""
    try:
        v = d.xreplace(vals.exact())
        if v.is_Rational and max(len(str(abs(v.p))), len(str(v.q))) <= 12:
            return str(v)
        v = v.evalf(12, strict=True, maxn=_EXACT_DIGITS[0]) if not v.is_Rational else sp.Float(v, 12)
        return sp.Float(v, 12).__str__() if v.is_Number else None
    except (sp.core.evalf.PrecisionExhausted, TypeError, ValueError, AttributeError, ZeroDivisionError):
        return None


def _tiny_counter(ctx, a, b, pts, p, idx, diff, lo, hi):
    """The refutation of a difference too small to see side by side (found on the expanded difference)."""
    how = f"evaluated at {lo} and {hi} digits" if lo else "evaluated exactly at the exact point"
    hi = hi or 4 * ctx.opts.verify_dps
    hv = node_values(ctx.g, p.point, hi)
    A, B = ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]
    entry = _entry_name(a.expr.shape, idx)
    ce = {"point": p.point.label, "entry": entry, "lhs": _fmt(_value(A, hv, hi)), "rhs": _fmt(_value(B, hv, hi)),
          "difference": sp.Float(diff, 12).__str__(), "values": _relevant([A, B], hv)}
    _with_point(ce, ctx.g, hv, [A, B])
    ref, other = _reference(a, b)
    return {"message": f"at {p.point.label} point, entry {entry}: left - right = {ce['difference']} (the expanded "
                       f"difference, {how}; too small to see "
                       f"side by side)", "diagnosis": _diagnose(ctx, ref, other, pts, False), "counterexample": ce}
