"""Atoms and normal forms of conditions, exact cells of univariate polynomials (Sturm counts, isolating
intervals), Fourier-Motzkin elimination of affine conditions over the rationals, and ``univariate_region``:
the set where univariate conditions hold, as simple bounds.
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.core.relational import Relational
from sympy.polys.polyerrors import PolynomialError

from .constants import _consecutive_runs, _sign


_MAX_DEGREE = 16
_MAX_FM = 300


def atoms_of(cond):
    """The relational atoms of a boolean condition."""
    return sorted(cond.atoms(Relational), key=sp.default_sort_key)


def _poly_atom(rel, relax):
    """(p, op) with ``p op 0`` equivalent to ``rel``; non-polynomial subterms replaced by ``relax`` symbols."""
    d = rel.lhs - rel.rhs
    d = relax(d)
    return sp.expand(d), rel.rel_op


class _Relaxer:
    """Replaces each non-polynomial subterm (tanh(z), exp(z), φ(z), max(...)) by one fresh real symbol.

    Dropping what ties the fresh symbol to its arguments enlarges the region, so a region proved empty
    after relaxing is empty before.
    """

    def __init__(self):
        self.map = {}

    def __call__(self, d):
        def walk(e):
            if e.is_Symbol or e.is_Number:
                return e
            if e.is_Add or e.is_Mul:
                return e.func(*[walk(a) for a in e.args])
            if e.is_Pow and e.exp.is_Integer and e.exp > 0:
                return walk(e.base) ** e.exp
            if not e.free_symbols:
                return e
            if e not in self.map:
                self.map[e] = sp.Dummy("r", real=True)
            return self.map[e]
        return walk(d)


def _rational_poly(p, syms):
    try:
        P = sp.Poly(p, *syms)
    except (PolynomialError, sp.GeneratorsNeeded, ValueError):
        return None
    if not all(c.is_Rational for c in P.coeffs()):
        return None
    return P


def _cells(polys, s):
    """Exact sample points of the sign-invariant cells of univariate rational polynomials, in order.

    Each entry is ('point', Rational) or ('root', (a, b), f, P) — the one root of the irreducible factor f
    of the squarefree product P inside the rational isolating interval (a, b).
    """
    factors = []
    for p in polys:
        if p.degree() <= 0:
            continue
        if p.degree() > _MAX_DEGREE:
            return None
        for f, _m in p.factor_list()[1]:
            f = f.monic()
            if f not in factors:
                factors.append(f)
    if not factors:
        return [("point", sp.Integer(0))]
    P = factors[0]
    for f in factors[1:]:
        P = P * f
    roots = []
    for (a, b), _m in P.intervals():
        a, b = sp.Rational(a), sp.Rational(b)
        linear = [f for f in factors if f.degree() == 1 and a < -f.nth(0) / f.nth(1) < b]
        if a == b:
            roots.append(["point", a])
        elif linear:                     # a rational root isolated by an interval: the root itself
            roots.append(["point", sp.Rational(-linear[0].nth(0) / linear[0].nth(1))])
        else:
            f = next(f for f in factors if f.degree() > 1 and _sign(f.eval(a)) * _sign(f.eval(b)) < 0)
            roots.append(["root", (a, b), f, P])
    if not _separate(roots, P):
        return None
    if not roots:
        return [("point", sp.Integer(0))]          # no real root: one cell, the whole line
    out = []
    first = roots[0][1] if roots[0][0] == "point" else roots[0][1][0]
    out.append(("point", sp.floor(first) - 1))
    for k, r in enumerate(roots):
        out.append(tuple(r))
        if k + 1 < len(roots):
            hi = r[1] if r[0] == "point" else r[1][1]
            lo = roots[k + 1][1] if roots[k + 1][0] == "point" else roots[k + 1][1][0]
            out.append(("point", (hi + lo) / 2))
    last = roots[-1][1] if roots[-1][0] == "point" else roots[-1][1][1]
    out.append(("point", sp.floor(last) + 2))
    return out


def _separate(roots, P):
    """Refine touching isolating intervals (in place) so that a rational lies strictly between neighbours;
    False when 60 rounds of refinement do not separate them."""
    for _ in range(60):
        touching = False
        for k in range(len(roots) - 1):
            hi = roots[k][1] if roots[k][0] == "point" else roots[k][1][1]
            lo = roots[k + 1][1] if roots[k + 1][0] == "point" else roots[k + 1][1][0]
            if hi >= lo:
                touching = True
                for r in (roots[k], roots[k + 1]):
                    if r[0] == "root":
                        a, b = r[1]
                        r[1] = tuple(sp.Rational(v) for v in P.refine_root(a, b, eps=(b - a) / 4))
        if not touching:
            return True
    return False


def _sign_at(q, cell):
    """Exact sign of the rational polynomial q at a cell's sample point."""
    if cell[0] == "point":
        return _sign(q.eval(cell[1]))
    _, (a, b), f, P = cell
    if q.degree() <= 0:
        return _sign(q.LC()) if not q.is_zero else 0
    if q.rem(f).is_zero:
        return 0
    for _ in range(200):
        if q.count_roots(a, b) == 0:
            return _sign(q.eval(a))
        a, b = (sp.Rational(v) for v in P.refine_root(a, b, eps=(b - a) / 4))
    raise ArithmeticError("could not separate a root")


def _cell_value(cell):
    """The exact SymPy number of a cell's sample point (a rational, or CRootOf of its factor)."""
    if cell[0] == "point":
        return cell[1]
    _, (a, _b), f, _P = cell
    return sp.CRootOf(f.as_expr(), int(f.count_roots(None, a)))


_OPS = {"<": lambda v: v < 0, "<=": lambda v: v <= 0, ">": lambda v: v > 0, ">=": lambda v: v >= 0,
        "==": lambda v: v == 0, "!=": lambda v: v != 0}


def _univariate_sat(atoms, s):
    """The cells (in order) where every atom (poly, op) holds; None if undecidable here."""
    found = _sat_cells(atoms, s)
    return None if found is None else [(k, found[0][k]) for k in found[1]]


def _sat_cells(atoms, s):
    """(all cells of the atoms' polynomials, indices of those where every atom holds); None if undecidable."""
    polys = []
    for p, op in atoms:
        P = _rational_poly(p, [s])
        if P is None:
            return None
        polys.append((P, op))
    cells = _cells([P for P, _ in polys], s)
    if cells is None:
        return None
    return cells, [k for k, c in enumerate(cells) if all(_OPS[op](_sign_at(P, c)) for P, op in polys)]


def _affine(p, syms):
    P = _rational_poly(p, syms) if syms else None
    if syms and (P is None or P.total_degree() > 1):
        return None
    if not syms:
        return ({}, sp.Rational(p)) if p.is_Rational else None
    coeffs = {s: P.coeff_monomial(s) for s in syms}
    return {s: c for s, c in coeffs.items() if c != 0}, P.coeff_monomial(1)


def _fm_empty(atoms, syms):
    """Fourier-Motzkin: whether the affine system (p op 0) has no real solution (Ne atoms are dropped)."""
    cons = []          # (coeffs, const, strict): sum coeffs*s + const > 0 (strict) or >= 0
    for p, op in atoms:
        a = _affine(p, syms)
        if a is None:
            return False
        c, k = a
        if op in (">", ">="):
            cons.append((c, k, op == ">"))
        elif op in ("<", "<="):
            cons.append(({s: -v for s, v in c.items()}, -k, op == "<"))
        elif op == "==":
            cons.append((c, k, False))
            cons.append(({s: -v for s, v in c.items()}, -k, False))
    for s in syms:
        pos, neg, rest = [], [], []
        for c, k, st in cons:
            v = c.get(s, 0)
            (pos if v > 0 else neg if v < 0 else rest).append((c, k, st))
        for (c1, k1, s1), (c2, k2, s2) in itertools.product(pos, neg):
            a1, a2 = c1[s], -c2[s]
            c = {t: c1.get(t, 0) * a2 + c2.get(t, 0) * a1 for t in set(c1) | set(c2) if t != s}
            rest.append(({t: v for t, v in c.items() if v != 0}, k1 * a2 + k2 * a1, s1 or s2))
        cons = rest
        if len(cons) > _MAX_FM:
            return False
    return any((k < 0) or (k == 0 and st) for c, k, st in cons if not c)


def univariate_region(atoms, s):
    """The set of real s where every atom (p, op) holds (p a polynomial in s with rational coefficients),
    as ("empty",), ("points", [values]), ("interval", lo, lo_closed, hi, hi_closed) with None for an
    unbounded side, or ("union",) for several pieces; None when undecidable.  Values are exact (rationals,
    or CRootOf of an irreducible factor)."""
    polys = []
    for p, op in atoms:
        P = _rational_poly(sp.expand(p), [s])
        if P is None:
            return None
        polys.append((P, op))
    try:
        cells = _cells([P for P, _ in polys], s)
        if cells is None:
            return None
        sat = [k for k, c in enumerate(cells) if all(_OPS[op](_sign_at(P, c)) for P, op in polys)]
    except (ArithmeticError, PolynomialError, ValueError, TypeError, StopIteration):
        return None
    if not sat:
        return ("empty",)
    runs = _consecutive_runs(sat)
    if all(len(r) == 1 and r[0] % 2 == 1 for r in runs):
        return ("points", [_cell_value(cells[r[0]]) for r in runs])
    if len(runs) > 1:
        return ("union",)
    lo, hi, last = runs[0][0], runs[0][-1], len(cells) - 1
    left = (None, False) if lo == 0 else \
        ((_cell_value(cells[lo]), True) if lo % 2 == 1 else (_cell_value(cells[lo - 1]), False))
    right = (None, False) if hi == last else \
        ((_cell_value(cells[hi]), True) if hi % 2 == 1 else (_cell_value(cells[hi + 1]), False))
    return ("interval", left[0], left[1], right[0], right[1])
