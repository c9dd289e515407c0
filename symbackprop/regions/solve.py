"""``solve_real(d, s)``: exact real solutions of d(s) = 0 (rational, algebraic, or closed forms such as
atanh(1/2) and log(3) through the inverses of exp, log and tanh), each verified by substituting it back.
"""
from __future__ import annotations

import sympy as sp
from sympy.core.relational import Relational
from sympy.polys.polyerrors import PolynomialError

from .cells import _MAX_DEGREE
from .constants import is_exact_zero, small_exp_degree


_ROOT_LIMIT = 6
_INVERSES = {sp.exp: (lambda t: sp.log(t) if t.is_positive else None),
             sp.tanh: (lambda t: sp.atanh(t) if t.is_real and (abs(t) < 1) == sp.true else None),
             sp.log: (lambda t: sp.exp(t) if t.is_real else None)}


def _poly_roots(n, s):
    """Exact real roots of an expression polynomial in s (rational coefficients, or degree 1)."""
    try:
        P = sp.Poly(n, s)
    except (PolynomialError, sp.GeneratorsNeeded, ValueError):
        return None
    if P.degree() <= 0:
        return []
    if all(c.is_Rational for c in P.coeffs()):
        if P.degree() > _MAX_DEGREE:
            return None
        return list(dict.fromkeys(P.real_roots()))
    if P.degree() == 1:
        a, b = P.all_coeffs()
        return [-b / a]
    if P.degree() > 4 or not small_exp_degree(n):
        return None
    # constant coefficients such as e, e^2 (σ'(u - 1) = 1/4 at T = e^{1-u} = 1): the roots of each factor of
    # degree <= 2 (candidates only: solve_real keeps those that verify exactly)
    try:
        _c, factors = sp.factor_list(P.as_expr(), s)
    except (PolynomialError, NotImplementedError, ValueError, TypeError):
        return None
    out = []
    for f, _m in factors:
        F = sp.Poly(f, s)
        if F.degree() <= 0:
            continue
        if F.degree() > 2:
            return None
        for r in sp.roots(F, filter=None, multiple=True):
            if r.has(sp.Float) or r.is_real is False:
                continue
            out.append(sp.simplify(r) if sp.count_ops(r) < 40 else r)
    return list(dict.fromkeys(out))


def _generators(n, s):
    """Outermost non-polynomial subterms of n that depend on s (exp(s), tanh(s - 1), sqrt(s), ...)."""
    out = []

    def walk(e):
        if s not in e.free_symbols:
            return
        if isinstance(e, sp.Function) or (e.is_Pow and not e.exp.is_Integer):
            if e not in out:
                out.append(e)
            return
        for a in e.args:
            walk(a)
    walk(n)
    return out


def _solve(e, s, depth):
    """Exact real candidates for e(s) = 0 (unverified), or None when the form is not handled."""
    if depth > 6:
        return None
    n, _den = sp.fraction(sp.together(e))
    n = sp.expand(n, log=False)
    if s not in n.free_symbols:
        return []
    gens = _generators(n, s)
    if not gens:
        return _poly_roots(n, s)
    if len(gens) > 1 and all(isinstance(G, sp.exp) for G in gens):
        return _solve_exponentials(n, s, gens)
    if len(gens) != 1:
        return None
    G = gens[0]
    t = sp.Dummy("t", real=True)
    m = n.xreplace({G: t})
    if s in m.free_symbols:
        return None
    ts = _poly_roots(m, t)
    if ts is None:
        return None
    out = []
    for v in ts:
        if G.is_Pow:
            q = G.exp
            if not q.is_Rational or v.is_negative is not False and q.q % 2 == 0:
                continue                           # an even root is never negative
            inner = [v ** (1 / q)]
        else:
            inv = _INVERSES.get(G.func)
            if inv is None or len(G.args) != 1:
                return None
            w = inv(v)
            if w is None:
                continue
            inner = [w]
        for w in inner:
            sub = _solve((G.base if G.is_Pow else G.args[0]) - w, s, depth + 1)
            if sub is None:
                return None
            out += sub
    return out


def _solve_exponentials(n, s, gens):
    """Candidates for n(s) = 0 where n is polynomial in several exponentials of s: exp(k s + b) = e^b T^k
    with T = e^s (k an integer) makes it a rational function of T (None when some k is not an integer)."""
    T = sp.Dummy("T", positive=True)
    subs = {}
    for G in gens:
        arg = sp.expand(G.args[0])
        k = arg.coeff(s)
        if not (k.is_Integer and s not in (arg - k * s).free_symbols):
            return None
        subs[G] = sp.exp(arg - k * s) * T ** k
    m, _ = sp.fraction(sp.together(n.xreplace(subs)))
    if s in m.free_symbols:
        return None
    ts = _poly_roots(sp.expand(m), T)
    if ts is None:
        return None
    out = []
    for v in ts:
        if v.is_positive:
            out.append(sp.log(v))
    return out


def solve_real(d, s, limit: int = _ROOT_LIMIT):
    """Exact real solutions r of d(s) = 0 (d has no other free symbol), each verified by substitution.

    Max/Min are split into their branches; a branch that vanishes on a whole interval contributes the
    interval's exact end points.  Returns at most ``limit`` solutions (None: not solvable here).
    """
    if d.free_symbols - {s}:
        return None
    if d.has(sp.Max, sp.Min):
        d = d.replace(lambda x: isinstance(x, (sp.Max, sp.Min)), lambda x: x.rewrite(sp.Piecewise))
    cands = []
    if d.has(sp.Piecewise):
        f = sp.piecewise_fold(d)
        if not isinstance(f, sp.Piecewise):
            return None
        for expr, cond in f.args:
            if expr.has(sp.Piecewise):
                return None
            sub = _solve(expr, s, 0) if s in expr.free_symbols else ([] if expr != 0 else None)
            if sub is None and expr == 0:
                # zero on a whole region: its boundary points
                sub = []
                for rel in cond.atoms(Relational):
                    b = _solve(rel.lhs - rel.rhs, s, 0)
                    sub += b or []
            if sub is None:
                return None
            cands += sub
    else:
        sub = _solve(d, s, 0)
        if sub is None:
            return None
        cands = sub
    out = []
    for r in cands:
        if r in out or not (r.is_real or r.is_real is None):
            continue
        try:
            v = d.xreplace({s: r})
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if v.has(sp.nan, sp.zoo) or not is_exact_zero(v):
            continue
        out.append(r)
        if len(out) >= limit:
            break
    return out
