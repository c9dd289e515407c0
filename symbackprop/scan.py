"""Numeric evidence of a step: both sides at every point at the working precision, a failure counted only
once confirmed at the verification precision with the same difference, and the search for a difference too
small to see side by side (the exactly expanded difference at precisions chosen from the claim).
"""
from __future__ import annotations

import sympy as sp

from .points import node_values
from .precision import (STABLE_RELATIVE, _EXPAND_TERMS, _TINY_MARGIN, _TINY_MAX_DPS, _VIOLATED, _close,
                        _constant_scale, _exact_sign, _expanded_size, _holds, _nonzero, _term_spread, _value)
from .rules import HEADS


def _tiny_difference(ctx, A, B, pts, op="="):
    """A point where the difference A - B is nonzero, stably at two precisions chosen from the claim.

    The difference is expanded when that stays small (equal terms cancel exactly), else evaluated as
    written.  The precision is chosen so that the claim's smallest constant and the spread of the terms
    of its sums at the point both sit well above the rounding (10^{-200} needs more than 200 digits),
    recomputed from the exact rational point; rounding noise of a true identity changes with the
    precision and is never taken.  Beyond ``_TINY_MAX_DPS`` digits the exact difference at the exact
    point is tried (SymPy's certified evalf), else the answer is "precision:<size>" (the caller is then
    inconclusive).  Returns (point, entry, value, digits, digits), None or that string.
    """
    cands = [p for p in pts if not p.kink][:3]
    head = HEADS[(ctx.net.output, ctx.net.loss)]
    for idx, (a, b) in enumerate(zip(A, B)):
        e = a - b
        for asm in head.assumptions:            # the points satisfy them (one-hot targets)
            e = asm.apply(e, ctx.g)
        if _expanded_size(e) <= _EXPAND_TERMS:
            e = sp.expand(e)
        if e == 0:
            continue
        scale = _constant_scale(e)
        for p in cands:
            need = scale + _term_spread(e, p.vals) + _TINY_MARGIN
            if need > _TINY_MAX_DPS:
                # too fine for the node values: the exact difference at the exact point, if evalf can certify it
                sign = _exact_sign(e, p.vals)
                if sign is None:
                    return f"precision:10^-{int(need - _TINY_MARGIN)}"
                if sign != 0 and _VIOLATED[op](sign):
                    return p, idx, e.xreplace(p.vals.exact()).evalf(15, maxn=_TINY_MAX_DPS), 0, 0
                continue
            p1 = int(max(2 * ctx.opts.verify_dps, need))
            p2 = int(max(4 * ctx.opts.verify_dps, p1 + max(_TINY_MARGIN, p1 // 2)))
            v1 = _value(e, node_values(ctx.g, p.point, p1), p1)
            v2 = _value(e, node_values(ctx.g, p.point, p2), p2)
            if v1 is not None and v2 is not None and _nonzero(v2) and \
                    abs(v1 - v2) <= abs(v2) * sp.Float(10) ** -STABLE_RELATIVE and _VIOLATED[op](v2):
                return p, idx, v2, p1, p2
    return None


def _scan(ctx, cmp_op, A, B, pts, lo, hi, fine=False):
    """Compare the sides at every point at ``lo`` digits; a failure counts only once confirmed at ``hi``.

    Returns ((checked, outside the domain, unstable, checked away from kinks), witness, covered) where the
    witness (point, entry, values at ``hi``, kink_only) is the first confirmed failure away from kinks,
    else the first at a kink, and ``covered`` lists the points where the claim was decided or is exactly
    outside its domain (a point that rounding could not decide covers nothing).
    """
    checked = domain = unstable = randoms = 0
    bad_kink = None
    covered = []
    for p in pts:
        vals = node_values(ctx.g, p.point, lo) if fine else p.vals
        ok, _, why = _holds(cmp_op, A, B, vals, lo)
        if ok is None:
            if p.probe:
                continue
            domain += 1
            if why == "domain":
                covered.append(p)
            continue
        if not ok:
            status, idx, hv = _confirm(cmp_op, A, B, ctx.g, p.point, vals, lo, hi)
            if status == "differs":
                if not p.kink:
                    return (checked, domain, unstable, randoms), (p, idx, hv, False), covered
                bad_kink = bad_kink or (p, idx, hv, True)
                continue
            if status == "unstable":
                unstable += not p.probe
                continue
        checked += 1
        covered.append(p)
        randoms += not p.kink and not p.probe
    return (checked, domain, unstable, randoms), bad_kink, covered


def _confirm(cmp_op, A, B, g, point, lo_vals, lo, hi):
    """Re-evaluate a failure seen at ``lo`` digits at ``hi`` digits from the same exact inputs.

    'differs' when it is still there and both precisions give the same difference (to 6 digits, so
    it is not the rounding noise of an ill-conditioned expression, which shrinks with the precision);
    'equal' when it vanished; 'unstable' otherwise (also a strict inequality between sides that agree
    to the working precision).  Returns (status, entry, values at ``hi``).
    """
    hv = node_values(g, point, hi)
    ok, idx, vals = _holds(cmp_op, A, B, hv, hi)
    if ok:
        return "equal", None, None
    if ok is None:
        return "unstable", None, None
    a_lo, b_lo = _value(A[idx], lo_vals, lo), _value(B[idx], lo_vals, lo)
    exact = vals[0].is_Rational and vals[1].is_Rational
    if cmp_op != "=" and not exact and _close(vals[0], vals[1], hi) and _exact_sign(A[idx] - B[idx], hv) is not None:
        return "differs", idx, vals           # the tie was decided exactly (sign of the exact difference)
    if a_lo is None or b_lo is None or (cmp_op in ("<", ">") and not exact and _close(vals[0], vals[1], hi)):
        return "unstable", None, None
    d_lo, d_hi = a_lo - b_lo, vals[0] - vals[1]
    if d_lo == d_hi or abs(d_lo - d_hi) <= abs(d_hi) * sp.Float(10) ** -STABLE_RELATIVE:
        return "differs", idx, vals
    return "unstable", None, None
