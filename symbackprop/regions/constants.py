"""Exact decisions of constants: ``is_exact_zero`` (exact rewriting, the minimal polynomial of an algebraic
number), ``exact_sign`` (0 only by exact rewriting, a nonzero sign from SymPy's accuracy-tracking evalf), and
the size limits of that rewriting (``tame``, ``small_exp_degree``).
"""
from __future__ import annotations

import math

import sympy as sp
from sympy.polys.polyerrors import PolynomialError


_MAX_EXP_DEGREE = 4096      # degree of the polynomial in exp(1/Q) that exact rewriting may build
_X = sp.Dummy("x")


def _sign(v) -> int:
    return 1 if v > 0 else -1 if v < 0 else 0


def _is_algebraic_constant(c) -> bool:
    """Whether a constant is built from rationals, rational powers and CRootOf only."""
    if isinstance(c, sp.CRootOf) or c.is_Rational:
        return True
    if isinstance(c, (sp.Symbol, sp.Function)) or c.is_Float or c.is_NumberSymbol:
        return False
    if c.is_Pow:
        return c.exp.is_Rational and _is_algebraic_constant(c.base)
    if c.is_Add or c.is_Mul:
        return all(_is_algebraic_constant(a) for a in c.args)
    return False


_MAX_INT_EXP = 200


def _consecutive_runs(ks) -> list:
    """[1, 2, 3, 5, 6] -> [[1, 2, 3], [5, 6]] (runs of adjacent cells)."""
    runs = []
    for k in ks:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def tame(e) -> bool:
    """Whether exact rewriting of ``e`` stays small: SymPy's polynomials read exp(-10^5) as E^(-100000)
    (a polynomial of degree 10^5), and x^1000 expands into many terms."""
    for a in e.atoms(sp.exp):
        arg = a.args[0]
        if arg.is_number and arg.is_Rational and abs(arg) > _MAX_INT_EXP:
            return False
        k = arg.as_coeff_Mul()[0]
        if k.is_Rational and abs(k) > _MAX_INT_EXP:
            return False
    for a in e.atoms(sp.Pow):
        if a.exp.is_Rational and abs(a.exp) > _MAX_INT_EXP * 5:
            return False
    return True


def small_exp_degree(e) -> bool:
    """Whether the exponentials of ``e`` stay a small polynomial when SymPy writes them as powers of exp(1/Q), Q
    the common denominator of their rational exponents: exp(70706321/16777216) is a power of degree 70706321
    (exact sample points carry such exponents), and factoring or solving over it takes minutes and gigabytes.
    (Plain expansion and cancellation keep such atoms apart and stay cheap: ``is_exact_zero`` needs no bound.)"""
    ks = [a.args[0].as_coeff_Mul()[0] for a in e.atoms(sp.exp)]
    ks = [k for k in ks if k.is_Rational and k != 0]
    if not ks:
        return True
    Q = math.lcm(*(int(k.q) for k in ks))
    return Q <= _MAX_EXP_DEGREE and max(abs(int(k.p)) * (Q // int(k.q)) for k in ks) <= _MAX_EXP_DEGREE


def is_exact_zero(c) -> bool:
    """Whether the constant ``c`` is exactly 0, shown by exact rewriting only (False: not shown).

    Tried in turn: expansion and cancellation; the same after writing tanh and friends with exp
    (tanh(log(3)/2) = (3 - 1)/(3 + 1)); the minimal polynomial of an algebraic number.
    """
    if c == 0:
        return True
    if c.is_Rational or c.free_symbols or c.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.Float) or not tame(c):
        return False
    forms = [c]
    if c.has(sp.tanh, sp.sinh, sp.cosh, sp.coth, sp.sech, sp.csch):
        forms.append(c.rewrite(sp.exp))
    for f in forms:
        try:
            e = sp.expand(f)
            if e == 0 or sp.cancel(sp.together(e)) == 0:
                return True
        except (PolynomialError, TypeError, ValueError, ZeroDivisionError):
            continue
        if _is_algebraic_constant(e) and sp.count_ops(e) <= 200:
            try:
                if sp.minimal_polynomial(e, _X) == _X:
                    return True
            except (NotImplementedError, ValueError, PolynomialError, TypeError):
                pass
    return False


def _certified_sign(c, maxn):
    """The sign of c from two evalf results whose accuracy SymPy certifies (``strict``), or None."""
    try:
        v1 = c.evalf(30, strict=True, maxn=maxn)
        v2 = c.evalf(45, strict=True, maxn=maxn + 30)
    except (sp.core.evalf.PrecisionExhausted, ValueError, TypeError, ZeroDivisionError):
        return None
    if not (v1.is_Number and v2.is_Number and v1.is_real and v2.is_real) or v1 == 0:
        return None
    if _sign(v1) == _sign(v2) and abs(v1 - v2) <= abs(v2) * sp.Float(10) ** -20:
        return _sign(v1)
    return None


def exact_sign(c, max_digits: int = 400):
    """-1, 0 or 1 for the constant ``c``, or None when it cannot be decided within ``max_digits``.

    0 only by an exact proof (``is_exact_zero``); a nonzero sign only from values whose accuracy SymPy's
    evalf certifies (``strict``) at two working precisions that agree.  The cheap certified evaluation
    comes first (a value that is certainly nonzero needs no proof attempt).
    """
    if c.is_Rational:
        return _sign(c)
    if c.free_symbols or c.has(sp.nan, sp.zoo):
        return None
    sign = _certified_sign(c, 100)
    if sign is not None:
        return sign
    if is_exact_zero(c):
        return 0
    maxn = 100
    while maxn < max_digits:
        maxn = min(4 * maxn, max_digits)
        sign = _certified_sign(c, maxn)
        if sign is not None:
            return sign
    return None
