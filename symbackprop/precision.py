"""Numbers at a point: evaluation at a working precision, the tolerance of a comparison, exact decisions
of ties, and the digits a claim needs.

- ``_eval``/``_value``: a side at a point, or why not (outside the domain, undecidable by rounding);
- ``_close``/``_holds``/``_cond_ok``: comparisons up to the working precision, ties decided exactly
  (``_exact_sign``, at most ``_EXACT_DIGITS[0]`` digits: the cap of the claim being checked);
- ``_claim_digits``/``_constant_scale``/``_term_spread``: the digits that the claim's constants and the
  cancellation inside its sums can hide (the tiny-difference check, ``scan.py``).
"""
from __future__ import annotations

import math
from fractions import Fraction as _Fraction
from functools import lru_cache

import mpmath
import sympy as sp
from mpmath import libmp

from .errors import SymbackpropError
from .fasteval import compile_expr, evaluate
from .regions import exact_sign


_RELATIONS = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b}
_STRICT = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
           ">=": lambda a, b: a >= b}


_RELATIONS.update(_STRICT)


_F0 = _Fraction(0)
# named precision rules (every tolerance of the checker is one of these)
GUARD_DIGITS = 12          # the last digits of the working precision that rounding may spoil: two values
                           # are equal when they agree to 10^-(dps - GUARD_DIGITS), relative to their size
SURFACE_GUARD_DIGITS = 15  # a point is a candidate on a surface d = 0 when |d| <= 10^-(dps - 15) (then exactly)
STABLE_RELATIVE = 6        # a difference seen at two precisions is stable when both agree to 10^-6 relatively
NEGLIGIBLE = 20            # |v| < 10^-20: a zero entry of a constant-factor diagnosis
MIN_EXACT_DIGITS = 400     # digits of exact decisions (ties, constants) at least, whatever the claim
_EXACT_DIGITS = [MIN_EXACT_DIGITS]   # precision cap of exact decisions (ties) for the claim being checked


def _sub(expr, vals):
    """``expr.xreplace(vals)`` (memoised per point for ``NodeValues``: the same result)."""
    subst = getattr(vals, "subst", None)
    return subst(expr) if subst is not None else expr.xreplace(vals)


def _eval(expr, vals, dps):
    """``_eval_at``, remembered per point (a function of the expression, the values and ``dps``)."""
    memo = getattr(vals, "memo", None)
    if memo is None:
        return _eval_at(expr, vals, dps)
    key = ("eval", expr, dps)
    if key not in memo:
        memo[key] = _eval_at(expr, vals, dps)
    return memo[key]


def _eval_at(expr, vals, dps):
    """(SymPy number, None) for ``expr`` at the point, or (None, why) outside its domain or undecidable.

    ``why`` is "domain" when the point is exactly outside the domain (nan, complex, inf, a denominator
    that is exactly 0) and "undecided" when only rounding says so.  An exact rational value stays exact.
    A 0/1 branch (indicator, φ') whose condition compares two inexact values that agree to the working
    precision is decided at the exact level (``points.exact_values``: the tie ŷ_1 = ŷ_2 of two equal
    pre-activations is exactly 0); when that cannot be decided either, the point decides nothing.

    The common case (no tie, no domain question, no cancellation beyond the guard bits) is evaluated by
    ``fasteval`` from the expression compiled once; everything else by substitution and ``sp.N`` below.
    """
    comp = compile_expr(expr, _relations, _denominators)
    if comp is not None:
        memo = getattr(vals, "memo", None)
        out = evaluate(comp, vals, dps, None if memo is None else memo.setdefault(("fasteval", dps), {}))
        if out is not None:
            return out
    return _eval_sympy(expr, vals, dps)


def _eval_sympy(expr, vals, dps):
    """``_eval_at`` by substitution and ``sp.N`` (every case; the reference of ``fasteval``)."""
    if expr.has(sp.Piecewise):
        expr = _decide_branches(expr, vals, dps)
        if expr is None:
            return None, "undecided"
    den = _vanishing_denominator(expr, vals, dps)
    if den:
        return None, den
    v = _sub(expr, vals)
    if v.free_symbols:
        raise SymbackpropError(f"internal: symbols left after substitution: {sorted(map(str, v.free_symbols))}")
    if v.is_Rational:
        if all(vals[s_].is_Rational for s_ in expr.free_symbols):
            return v, None
        # an exact-looking value from inexact inputs is not exact: log(1.0) is 0 to SymPy although the
        # value rounded to 1.0 was 1 - 10^{-445}
        return sp.Float(v, dps), None
    v = sp.N(v, dps)
    if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not v.is_real:
        return None, "domain"
    return v, None


def _value(expr, vals, dps):
    """A SymPy number for ``expr`` at the point, or None outside its domain (see ``_eval``)."""
    return _eval(expr, vals, dps)[0]


_TRUTH = {"<": lambda s: s < 0, "<=": lambda s: s <= 0, ">": lambda s: s > 0, ">=": lambda s: s >= 0,
          "==": lambda s: s == 0, "!=": lambda s: s != 0}


def _exact_sign(d, vals):
    """The exact sign of the node-level expression ``d`` at the point of ``vals`` (None: undecidable)."""
    exact = getattr(vals, "exact", None)
    if exact is None:
        return None
    try:
        return exact_sign(d.xreplace(exact()), _EXACT_DIGITS[0])
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None


def atoms_of(obj, *types):
    """``obj.atoms(*types)`` of an expression or of every entry of a matrix, walking each distinct subtree
    once (the entries of a side share most of their subtrees; SymPy's preorder walk visits a shared subtree
    once per occurrence)."""
    roots = list(obj) if isinstance(obj, sp.MatrixBase) else [obj]
    seen, out, stack = set(), set(), roots
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, types):
            out.add(x)
        stack.extend(x.args)
    return out


@lru_cache(maxsize=4096)
def _relations(expr):
    """The conditions inside ``expr`` (memoised: the same sides are evaluated at many points)."""
    return tuple(atoms_of(expr, sp.core.relational.Relational))


@lru_cache(maxsize=4096)
def _denominators(expr):
    """(denominator, its expanded terms) for every negative power in ``expr`` (memoised)."""
    return tuple((pw.base, sp.Add.make_args(sp.expand(pw.base))) for pw in atoms_of(expr, sp.Pow) if pw.exp.is_negative)


def _decide_branches(expr, vals, dps):
    """``expr`` with each condition that rounding cannot decide replaced by its exact truth value."""
    subs = {}
    for rel in _relations(expr):
        lhs, rhs = _sub(rel.lhs, vals), _sub(rel.rhs, vals)
        if lhs.is_Rational and rhs.is_Rational:
            continue
        lhs, rhs = sp.N(lhs, dps), sp.N(rhs, dps)
        if not (lhs.is_number and rhs.is_number and lhs.is_real and rhs.is_real and _close(lhs, rhs, dps)):
            continue
        sign = _exact_sign(rel.lhs - rel.rhs, vals)
        if sign is None:
            return None
        subs[rel] = sp.true if _TRUTH[rel.rel_op](sign) else sp.false
    return expr.xreplace(subs) if subs else expr


def _vanishing_denominator(expr, vals, dps):
    """"domain" if a denominator of ``expr`` is 0 at the point, "undecided" if 0 only up to rounding
    (0/0 noise is no value either way), else None.

    "Up to rounding" is relative to the size of the denominator's terms: 10^{15}(ŷ_1 + ŷ_2 - 1) is as
    much noise as ŷ_1 + ŷ_2 - 1.
    """
    for den, expanded in _denominators(expr):
        base = _sub(den, vals)
        if base.is_Rational:
            if base == 0:
                return "domain"
            continue
        value = sp.N(base, dps)
        if not value.is_number:
            continue
        terms = [sp.N(_sub(t, vals), dps) for t in expanded]
        scale = max([abs(t) for t in terms if t.is_number and t.is_real] + [abs(value)])
        if abs(value) <= sp.Float(10, dps) ** (-(dps - GUARD_DIGITS)) * scale:
            return "domain" if _exact_sign(den, vals) == 0 else "undecided"
    return None


@lru_cache(maxsize=64)
def _tolerance(dps):
    return sp.Float(10) ** (-(dps - GUARD_DIGITS))


def _close(a, b, dps):
    if a.is_Rational and b.is_Rational:
        return a == b
    if a.is_Float and b.is_Float:
        return _close_floats(a, b, dps)
    return _close_sympy(a, b, dps)


def _close_sympy(a, b, dps):
    return abs(a - b) <= _tolerance(dps) * max(1, abs(a), abs(b))


def _close_floats(a, b, dps):
    """``_close_sympy`` of two Floats, the same SymPy Float operations (precision and rounding of each)
    done on their binary values directly."""
    ma, mb = a._mpf_, b._mpf_
    d = libmp.mpf_abs(libmp.mpf_sub(ma, mb, max(a._prec, b._prec), libmp.round_nearest))
    tol = _tolerance(dps)
    big, big_prec = None, None            # max(1, |a|, |b|): the first strictly largest, 1 if none is > 1
    for m, prec in ((libmp.mpf_abs(ma), a._prec), (libmp.mpf_abs(mb), b._prec)):
        if libmp.mpf_gt(m, libmp.fone if big is None else big):
            big, big_prec = m, prec
    if big is None:
        bound = libmp.mpf_mul(tol._mpf_, libmp.fone, tol._prec, libmp.round_nearest)
    else:
        bound = libmp.mpf_mul(tol._mpf_, big, max(tol._prec, big_prec), libmp.round_nearest)
    return libmp.mpf_le(d, bound)


def _holds(op, lhs, rhs, vals, dps):
    """Compare two matrices at a point: (True|False|None, index of first differing entry, values).

    With None (an entry outside the domain or undecidable) the third item is "domain" or "undecided".
    """
    for idx in range(len(lhs)):
        (a, why_a), (b, why_b) = _eval(lhs[idx], vals, dps), _eval(rhs[idx], vals, dps)
        if a is None or b is None:
            return None, idx, "undecided" if "undecided" in (why_a, why_b) else "domain"
        ok = _close(a, b, dps) if op == "=" else _STRICT[op](a, b) or (op in ("<=", ">=") and _close(a, b, dps))
        if op != "=" and not (a.is_Rational and b.is_Rational) and _close(a, b, dps):
            sign = _exact_sign(lhs[idx] - rhs[idx], vals)    # a tie (max(ŷ_1, ŷ_2) = 1/2) decided exactly
            if sign is not None:
                ok = _TRUTH[op](sign)
        if not ok:
            return False, idx, (a, b)
    return True, None, None


def _cond_ok(conds, vals, dps):
    """Whether every condition surely holds at the point (sides equal up to rounding are decided exactly,
    or decide nothing)."""
    for lhs, op, rhs in conds:
        a, b = _value(lhs, vals, dps), _value(rhs, vals, dps)
        if a is None or b is None:
            return False
        if not (a.is_Rational and b.is_Rational) and _close(a, b, dps):
            sign = _exact_sign(lhs - rhs, vals)
            if sign is None or not _TRUTH["==" if op == "=" else op](sign):
                return False
            continue
        if not _RELATIONS[op](a, b):
            return False
    return True


_MAX_BOUNDARY_INSTANCES = 256


def _nonzero(v):
    """v != 0 for an int sign or a SymPy number (Float(0.0) != 0 is True in SymPy: it is still zero)."""
    return v != 0 and not getattr(v, "is_zero", False)


_VIOLATED = {"=": _nonzero, "!=": _nonzero, "<=": lambda v: v > 0, "<": lambda v: v > 0,
             ">=": lambda v: v < 0, ">": lambda v: v < 0}
_TINY_MAX_DPS = 4000      # beyond this a difference the claim's constants could make is not looked for
_TINY_MARGIN = 40


def _magnitude(c):
    """|log10 |c|| of a nonzero constant, from a value whose accuracy SymPy certifies (0 when it cannot be
    evaluated or is 0: a cancellation such as 1/(1 + e^{-1000}) - 1 is evaluated at the precision it needs)."""
    try:
        v = c.evalf(15, strict=True, maxn=_TINY_MAX_DPS)
        if not (v.is_number and v.is_real) or v == 0:
            return 0
        return abs(float(mpmath.log10(abs(mpmath.mpf(v._mpf_)))))
    except (sp.core.evalf.PrecisionExhausted, TypeError, ValueError, AttributeError, OverflowError,
            ZeroDivisionError):
        return 0


_LN10 = math.log(10)
_DOUBLE_RATE = (sp.tanh, sp.coth, sp.sech, sp.csch)    # 1 - tanh(c) ~ 2 e^{-2c}


_PLAIN = (sp.Function, sp.Piecewise, sp.core.relational.Relational, sp.logic.boolalg.BooleanFunction,
          sp.functions.elementary.piecewise.ExprCondPair)


def _has_free(x, memo):
    """Whether ``x`` has a free symbol (``bool(x.free_symbols)``), memoised by node for a whole walk."""
    hit = memo.get(id(x))
    if hit is None:
        plain = x.is_Add or x.is_Mul or x.is_Pow or isinstance(x, _PLAIN)   # no bound variables
        hit = memo[id(x)] = (x, any(_has_free(a, memo)[1] for a in x.args) if plain and x.args
                             else bool(x.free_symbols))
    return hit


def _constant_scale(e, seen=None, free=None):
    """Digits that a constant written in ``e`` carries: |log10| of its size (10^{-200}: 200; e^{-10^4}:
    4343), for a rational the size of its numerator and denominator (1 + 10^{-200}: 200), and for an
    exponential of a large constant the digits it can hide beside 1 (σ(1000) = 1/(1 + e^{-1000}) differs
    from 1 by 10^{-435}: |argument| / ln 10, twice that for tanh).

    Each distinct subtree is read once (``seen``, ``free``: shared by the caller across the entries of a
    claim; a subtree already read adds nothing to the maximum)."""
    out = 0.0
    seen = set() if seen is None else seen
    free = {} if free is None else free
    stack = [e]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if x.is_Rational:
            out = max(out, len(str(abs(x.p))) - 1, len(str(x.q)) - 1)
            continue
        if not _has_free(x, free)[1] and x.is_number and not x.is_Atom:
            out = max(out, _magnitude(x))
        if isinstance(x, (sp.exp,) + _DOUBLE_RATE) or (x.is_Pow and x.base == sp.E):
            arg = x.exp if x.is_Pow else x.args[0]
            if not arg.free_symbols:        # at a point, a free argument's size is the term spread's job
                try:
                    out = max(out, (2 if isinstance(x, _DOUBLE_RATE) else 1) * abs(float(sp.N(arg, 15))) / _LN10)
                except (TypeError, ValueError, OverflowError):
                    pass
        stack.extend(x.args)
    return out


def _claim_digits(instances):
    """Digits for exact decisions of this claim: enough to see its smallest constant, with margin."""
    scale = 0.0
    seen, free = set(), {}          # one walk over the shared subtrees of every side
    for inst in instances[:_MAX_BOUNDARY_INSTANCES]:
        for side in inst.sides:
            if side.expr is not None:
                scale = max([scale] + [_constant_scale(e, seen, free) for e in side.expr])
        for lhs, _, rhs in inst.conditions:
            scale = max(scale, _constant_scale(lhs, seen, free), _constant_scale(rhs, seen, free))
    return int(min(_TINY_MAX_DPS, max(MIN_EXACT_DIGITS, 2 * scale + 100)))


_EXPAND_TERMS = 4000      # a larger expansion is not built: the difference is evaluated as written
_SPREAD_NODES = 200


def _expanded_size(e, cap=_EXPAND_TERMS):
    """An estimate of the number of terms of ``sp.expand(e)`` (stops counting beyond ``cap``)."""
    if e.is_Add:
        n = 0
        for a in e.args:
            n += _expanded_size(a, cap)
            if n > cap:
                return cap + 1
        return n
    if e.is_Mul:
        n = 1
        for a in e.args:
            n *= _expanded_size(a, cap)
            if n > cap:
                return cap + 1
        return n
    if e.is_Pow and e.exp.is_Integer and e.exp > 0 and e.base.is_Add:
        return min(cap + 1, math.comb(_expanded_size(e.base, cap) + int(e.exp) - 1, int(e.exp)))
    return 1


def _log10_abs(x, vals, memo):
    """log10 |x| at the point (-inf for 0, None when undefined), product by product, memoised."""
    if x in memo:
        return memo[x]
    r = None
    try:
        if x.is_Mul:
            parts = [_log10_abs(f, vals, memo) for f in x.args]
            r = None if any(q is None for q in parts) else sum(parts)
        elif x.is_Pow and x.exp.is_Rational and not x.base.is_number:
            b = _log10_abs(x.base, vals, memo)
            r = None if b is None else (b * float(x.exp) if b != -math.inf else (-math.inf if x.exp > 0 else None))
        else:
            v = _value(x, vals, 30)
            if v is not None:
                r = -math.inf if not _nonzero(v) else float(mpmath.log10(abs(mpmath.mpf(sp.Float(v, 30)._mpf_))))
    except (TypeError, ValueError, OverflowError, SymbackpropError):
        r = None
    memo[x] = r
    return r


def _term_spread(e, vals):
    """log10(largest |term| / smallest nonzero |term|) over the sums in ``e`` at a point: the digits that
    cancellation can take away (ŷ^{100} 10^{-50} beside ŷ needs ~80 more digits)."""
    memo, spread, seen = {}, 0.0, 0
    stack = [e]
    while stack and seen < _SPREAD_NODES:
        x = stack.pop()
        if not x.is_Add:
            stack.extend(a for a in x.args if a.free_symbols)
            continue
        seen += 1
        mags = [m for m in (_log10_abs(t, vals, memo) for t in x.args) if m is not None and m != -math.inf]
        if len(mags) > 1:
            spread = max(spread, max(mags) - min(mags))
        stack.extend(a for a in x.args if a.free_symbols)
    return spread
