"""Exact real algebra for the prover and the boundary search: empty regions, exact signs, exact roots.

Every answer here is exact or a refusal, never a float guess:

- ``region_empty(cond)`` is True only when the set of real points where ``cond`` holds is *proved* empty
  (univariate polynomial conditions by an exact cell decomposition — Sturm counts and isolating intervals —,
  affine conditions by Fourier-Motzkin elimination over the rationals); a condition it cannot decide is
  "not proved empty".  A condition that holds on a single point (``(u-1)^2 <= 0``) or a line
  (``u - v <= 0 and v - u <= 0``) is not empty.
- ``zero_on(expr, cond, prove)`` proves ``expr = 0`` on the region ``cond`` by substituting exact
  descriptions of its univariate pieces (a point ``u = 1``, a half-line ``u = c + t`` with ``t > 0``).
- ``is_exact_zero(c)`` / ``exact_sign(c)`` decide a constant: exact rewriting (and the minimal polynomial of
  an algebraic number) for 0, SymPy's accuracy-tracking evalf (``strict``) for a nonzero sign.
- ``solve_real(d, s)`` gives exact real solutions of d(s) = 0 (rational, algebraic or closed forms such as
  atanh(1/2) and log(3)), each verified by substituting it back exactly.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.relational import Relational
from sympy.core.sympify import _sympify      # strict: SymPy objects and numbers only, never a string
from sympy.polys.polyerrors import PolynomialError

__all__ = ["region_empty", "zero_on", "is_exact_zero", "exact_sign", "solve_real", "atoms_of", "prove_sign",
           "atom_facts", "interval_of", "Interval", "univariate_region"]

_MAX_CLAUSES = 64
_MAX_ATOMS = 16
_MAX_DEGREE = 16
_MAX_EXP_DEGREE = 4096      # degree of the polynomial in exp(1/Q) that exact rewriting may build
_MAX_SOLVE_NODES = 600      # nodes of an expression solve_real takes on (larger: "not solvable here")


def _tree_size(e, cap=_MAX_SOLVE_NODES + 1) -> int:
    """The number of nodes of ``e`` (counting stops at ``cap``)."""
    n = 0
    for _ in sp.preorder_traversal(e):
        n += 1
        if n >= cap:
            break
    return n
_MAX_FM = 300
_MAX_SUBST = 16
_X = sp.Dummy("x")
_ROOT_LIMIT = 6


def _sign(v) -> int:
    return 1 if v > 0 else -1 if v < 0 else 0


# ----------------------------------------------------------------------------------------------
# constants


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


# ----------------------------------------------------------------------------------------------
# atoms and normal forms


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


# ----------------------------------------------------------------------------------------------
# univariate: exact cells


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
    # separate touching isolating intervals so that a rational lies strictly between neighbours
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
            break
    else:
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


# ----------------------------------------------------------------------------------------------
# affine: Fourier-Motzkin over the rationals


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


# ----------------------------------------------------------------------------------------------
# regions


_MAX_CONJUNCTION = 400


def _clauses(cond):
    if cond is sp.true or cond is True:
        return [[]]
    if cond is sp.false or cond is False:
        return []
    lits = cond.args if isinstance(cond, sp.And) else (cond,)
    if all(isinstance(lit, Relational) or lit is sp.true for lit in lits):
        # a plain conjunction (facts and hypotheses): one clause, however many atoms
        if len(lits) > _MAX_CONJUNCTION:
            return None
        return [[lit for lit in lits if lit is not sp.true]]
    if len(cond.atoms(Relational)) > _MAX_ATOMS:
        return None
    dnf = sp.to_dnf(cond, simplify=False)
    clauses = dnf.args if isinstance(dnf, sp.Or) else (dnf,)
    if len(clauses) > _MAX_CLAUSES:
        return None
    out = []
    for cl in clauses:
        lits = cl.args if isinstance(cl, sp.And) else (cl,)
        if any(lit is sp.false for lit in lits):
            continue
        lits = [lit for lit in lits if lit is not sp.true]
        if not all(isinstance(lit, Relational) for lit in lits):
            return None
        out.append(lits)
    return out


def _components(atoms):
    """Group (poly, op) atoms into classes that share free symbols."""
    groups = []
    for p, op in atoms:
        syms = set(p.free_symbols)
        merged = [g for g in groups if g[0] & syms]
        for g in merged:
            groups.remove(g)
            syms |= g[0]
        items = [(p, op)] + [a for g in merged for a in g[1]]
        groups.append((syms, items))
    return groups


def _clause_empty(lits) -> bool:
    relax = _Relaxer()
    atoms = [_poly_atom(lit, relax) for lit in lits]
    for syms, items in _components(atoms):
        if not syms:
            for p, op in items:
                sg = exact_sign(p, 200)
                if sg is not None and not _OPS[op](sg):
                    return True
            continue
        if _component_empty(sorted(syms, key=lambda t: t.name), items):
            return True
    return False


def _component_empty(syms, items) -> bool:
    """Whether atoms (p op 0) over ``syms`` have no common real solution (False: not shown).

    Univariate polynomial atoms by exact cells, affine ones by Fourier-Motzkin.  When the whole set is
    neither, a subset is tried (the atoms in one symbol; the affine atoms): fewer constraints describe a
    larger region, so a subset proved empty proves the whole empty.
    """
    try:
        if len(syms) == 1:
            sat = _univariate_sat(items, syms[0])
            return sat is not None and not sat
        if _fm_empty(items, syms):
            return True
        affine = [(p, op) for p, op in items if _affine(p, sorted(p.free_symbols, key=lambda t: t.name)) is not None]
        if 0 < len(affine) < len(items):
            used = sorted(set().union(*[p.free_symbols for p, _ in affine]), key=lambda t: t.name)
            if used and _fm_empty(affine, used):
                return True
        for s in syms:
            only = [(p, op) for p, op in items if p.free_symbols == {s}]
            if only and len(only) < len(items):
                sat = _univariate_sat(only, s)
                if sat is not None and not sat:
                    return True
    except (ArithmeticError, PolynomialError, ValueError, TypeError, StopIteration):
        return False
    return False


def region_empty(cond) -> bool:
    """True only if no real point satisfies ``cond`` (proved exactly); False when not proved."""
    if cond is sp.false or cond is False:
        return True
    try:
        clauses = _clauses(cond)
    except (TypeError, ValueError, RecursionError):
        return False
    if clauses is None:
        return False
    return all(_clause_empty(cl) for cl in clauses)


def _pieces(items, s):
    """Exact substitutions for s whose union covers the region of univariate atoms (None: undecidable).

    Cells alternate gap, root, gap, ..., root, gap (roots at odd positions).  An isolated root is
    substituted as itself; a run of cells by its left bound r as s = r (if included) and s = r + t with
    t > 0, else by its right bound; the whole line by no substitution (None).
    """
    found = _sat_cells(items, s)
    if found is None:
        return None
    cells, sat = found
    runs = _consecutive_runs(sat)
    out = []
    last = len(cells) - 1
    for run in runs:
        lo, hi = run[0], run[-1]
        if lo == hi and lo % 2 == 1:
            out.append(_cell_value(cells[lo]))
            continue
        t = sp.Dummy("t", positive=True)
        if lo > 0:
            r = _cell_value(cells[lo if lo % 2 == 1 else lo - 1])
            if lo % 2 == 1:
                out.append(r)
            out.append(r + t)
        elif hi < last:
            r = _cell_value(cells[hi if hi % 2 == 1 else hi + 1])
            if hi % 2 == 1:
                out.append(r)
            out.append(r - t)
        else:
            out.append(None)
    return out


def zero_on(expr, cond, prove) -> bool:
    """Whether ``expr`` = 0 on the region ``cond``, by exact substitutions of its univariate pieces.

    ``prove`` proves an expression identically zero.  Sound by construction: each substitution
    describes a superset of a piece of the region, and every piece gets one.
    """
    try:
        clauses = _clauses(cond)
    except (TypeError, ValueError, RecursionError):
        return False
    if clauses is None:
        return False
    for lits in clauses:
        relax = _Relaxer()
        atoms = [_poly_atom(lit, relax) for lit in lits]
        if relax.map:
            atoms = [(p, op) for p, op in atoms if not (p.free_symbols & set(relax.map.values()))]
        options = []
        try:
            for syms, items in _components(atoms):
                if len(syms) != 1:
                    continue
                s = next(iter(syms))
                pcs = _pieces(items, s)
                if pcs is None:
                    continue
                if not pcs:
                    options = None            # this clause is empty
                    break
                options.append([(s, v) for v in pcs])
        except (ArithmeticError, PolynomialError, ValueError, TypeError, StopIteration):
            return False
        if options is None:
            continue
        combos = list(itertools.islice(itertools.product(*options), _MAX_SUBST + 1))
        if len(combos) > _MAX_SUBST:
            return False
        for combo in combos:
            subs = {s: v for s, v in combo if v is not None}
            if not prove(expr.xreplace(subs) if subs else expr):
                return False
    return True


# ----------------------------------------------------------------------------------------------
# exact real solutions of d(s) = 0


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
        # exp(k s + b) = e^b T^k with T = e^s (k an integer): a rational function of T
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


# ----------------------------------------------------------------------------------------------
# exact sign certification: intervals, case splits and emptiness of the negated claim

_INF = float("inf")
_PREC_DIGITS = 60          # mpmath digits of a transcendental end point (widened outward by _WIDEN)
_WIDEN = Fraction(1, 10 ** 40)
_BIG = Fraction(10) ** 60  # end points beyond are replaced by a looser bound (keeps the fractions small)


@dataclass(frozen=True)
class Interval:
    """A set {lo <(=) v <(=) hi} of reals: end points are Fractions or ±inf; ``*_open`` says strict.

    Every operation returns a superset of the true image (end points are rounded outward), so a sign read
    from an interval is certain.  An open end point claims only "strictly beyond it", which stays true
    when the end point was rounded outward.
    """
    lo: object = -_INF
    hi: object = _INF
    lo_open: bool = True
    hi_open: bool = True

    def positive(self, strict=True) -> bool:
        """Whether every value is > 0 (``strict``) or >= 0."""
        return self.lo > 0 or (self.lo == 0 and (self.lo_open or not strict))

    def negative(self, strict=True) -> bool:
        return self.hi < 0 or (self.hi == 0 and (self.hi_open or not strict))

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def meet(self, other):
        lo, lo_open = max((self.lo, self.lo_open), (other.lo, other.lo_open), key=lambda t: (t[0], t[1]))
        hi, hi_open = min((self.hi, not self.hi_open), (other.hi, not other.hi_open), key=lambda t: (t[0], t[1]))
        return Interval(lo, hi, lo_open, not hi_open)


_REALS = Interval()


def _mpf_fraction(v):
    """The exact rational value of a finite mpf."""
    sign, man, exp, _bc = mpmath.mpf(v)._mpf_
    f = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -f if sign else f


def _frac_down(v):
    """A Fraction <= the mpf ``v`` (which approximates a value to far better than ``_WIDEN``)."""
    if mpmath.isinf(v):
        return -_INF if v < 0 else _BIG
    f = _mpf_fraction(v)
    f = f - abs(f) * _WIDEN
    if f > _BIG:
        return _BIG
    if f < -_BIG:
        return -_INF
    return _round(f, down=True)


def _frac_up(v):
    if mpmath.isinf(v):
        return _INF if v > 0 else -_BIG
    f = _mpf_fraction(v)
    f = f + abs(f) * _WIDEN
    if f < -_BIG:
        return -_BIG
    if f > _BIG:
        return _INF
    return _round(f, down=False)


def _round(f, down):
    """``f`` rounded outward to a Fraction with a denominator of at most 2^200 (exact values stay)."""
    if f.denominator <= 2 ** 200:
        return f
    scale = 2 ** 200
    n = (f.numerator * scale) // f.denominator
    if not down and Fraction(n, scale) < f:
        n += 1
    return Fraction(n, scale)


def _exact_point(v):
    """A rational SymPy number as a Fraction, else None."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, sp.Basic) and v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return None


def _number_interval(c):
    """A tight interval around a real constant (a point for a rational), from certified evaluation."""
    f = _exact_point(c)
    if f is not None:
        return Interval(f, f, False, False)
    if c in (sp.oo, -sp.oo, sp.zoo, sp.nan) or c.has(sp.I):
        return None
    try:
        v = c.evalf(_PREC_DIGITS, strict=True, maxn=400)
    except (sp.core.evalf.PrecisionExhausted, ValueError, TypeError, ZeroDivisionError, AttributeError):
        return None
    if not (v.is_Number and v.is_real) or v == 0:
        return None                        # 0 only by an exact proof: not from a float
    m = mpmath.mpf(v._mpf_)
    lo, hi = _frac_down(m), _frac_up(m)
    # a nonzero value keeps its sign: (0, hi) rather than a widened end point across 0
    if v > 0 and lo <= 0:
        return Interval(Fraction(0), hi, True, False)
    if v < 0 and hi >= 0:
        return Interval(lo, Fraction(0), False, True)
    return Interval(lo, hi, False, False)


def _add(a, b):
    return Interval(a.lo + b.lo, a.hi + b.hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)


def _neg(a):
    return Interval(-a.hi, -a.lo, a.hi_open, a.lo_open)


def _times(x, y):
    if x == 0 or y == 0:
        return Fraction(0)
    return x * y


def _mul(a, b):
    cands = []
    for x, xo in ((a.lo, a.lo_open), (a.hi, a.hi_open)):
        for y, yo in ((b.lo, b.lo_open), (b.hi, b.hi_open)):
            # a product at an infinite or open end point is approached, never attained -- except 0 times
            # anything, attained wherever the attained factor 0 is
            attained_zero = (x == 0 and not xo) or (y == 0 and not yo)
            cands.append((_times(x, y), not attained_zero and (xo or yo or abs(x) == _INF or abs(y) == _INF)))
    lo = min(v for v, _ in cands)
    hi = max(v for v, _ in cands)
    # an end point is closed when some corner attaining it is closed; 0 is attained inside when 0 is
    lo_open = all(o for v, o in cands if v == lo)
    hi_open = all(o for v, o in cands if v == hi)
    return Interval(lo, hi, lo_open, hi_open)


def _contains_zero(a):
    return (a.lo < 0 or (a.lo == 0 and not a.lo_open)) and (a.hi > 0 or (a.hi == 0 and not a.hi_open))


def _inv(a):
    """1/a (defined only where a != 0)."""
    if a.positive(strict=True):
        lo = Fraction(0) if a.hi == _INF else 1 / a.hi
        hi = _INF if a.lo == 0 else 1 / a.lo
        return Interval(lo, hi, a.hi_open or a.hi == _INF, a.lo_open or a.lo == 0)
    if a.negative(strict=True):
        return _neg(_inv(_neg(a)))
    return _REALS


def _pow_int(a, n):
    if n == 0:
        return Interval(Fraction(1), Fraction(1), False, False)
    if n < 0:
        return _inv(_pow_int(a, -n))
    if n % 2 == 1:
        return Interval(a.lo ** n if abs(a.lo) != _INF else a.lo, a.hi ** n if abs(a.hi) != _INF else a.hi,
                        a.lo_open, a.hi_open)
    # even power: |a|^n
    if a.lo >= 0:
        return Interval(a.lo ** n, a.hi ** n if a.hi != _INF else _INF, a.lo_open, a.hi_open)
    if a.hi <= 0:
        return _pow_int(_neg(a), n)
    top, top_open = max((abs(a.lo), a.lo_open), (abs(a.hi), a.hi_open), key=lambda t: (t[0], not t[1]))
    return Interval(Fraction(0), top ** n if top != _INF else _INF, False, top_open)


def _monotone(a, f, lo_limit, hi_limit):
    """f(a) for an increasing f given by mpmath (``f(±inf)`` as the limits)."""
    def at(x, down):
        if x == -_INF:
            return lo_limit, True
        if x == _INF:
            return hi_limit, True
        exact = f(x, None)
        if exact is not None:
            return exact, False
        with mpmath.workdps(_PREC_DIGITS):
            v = f(x, mpmath.mpf(x.numerator) / x.denominator)
        return (_frac_down(v) if down else _frac_up(v)), False
    lo, lo_lim = at(a.lo, True)
    hi, hi_lim = at(a.hi, False)
    return Interval(lo, hi, a.lo_open or lo_lim, a.hi_open or hi_lim)


def _exp_at(x, m):
    if m is None:
        return Fraction(1) if x == 0 else None
    if x > 10 ** 5:
        return mpmath.inf
    if x < -10 ** 5:
        return mpmath.mpf(0)
    return mpmath.exp(m)


def _log_at(x, m):
    if m is None:
        return Fraction(0) if x == 1 else (None if x > 0 else -_INF)
    return mpmath.log(m)


def _tanh_at(x, m):
    if m is None:
        return Fraction(0) if x == 0 else None
    return mpmath.tanh(m)


def _exp_iv(a):
    r = _monotone(a, _exp_at, Fraction(0), _INF)
    return Interval(max(r.lo, Fraction(0)), r.hi, r.lo_open if r.lo > 0 else True, r.hi_open)


def _log_iv(a):
    a = a.meet(Interval(Fraction(0), _INF, True, True))      # judged only where log is defined
    if a.empty:
        return None
    return _monotone(a, _log_at, -_INF, _INF)


def _tanh_iv(a):
    r = _monotone(a, _tanh_at, Fraction(-1), Fraction(1))
    lo, lo_open = (Fraction(-1), True) if r.lo < -1 else (r.lo, r.lo_open)
    hi, hi_open = (Fraction(1), True) if r.hi > 1 else (r.hi, r.hi_open)
    return Interval(lo, hi, lo_open, hi_open)


def interval_of(e, env, depth=0):
    """An Interval containing every value of ``e`` where it is defined, the symbols ranging over ``env``
    (Symbol -> Interval; missing symbols range over all reals).  Never narrower than the truth."""
    if depth > 60:
        return _REALS
    if not e.free_symbols:
        return _number_interval(e) or _REALS
    if e.is_Symbol:
        out = env.get(e, _REALS)
        if e.is_positive:
            out = out.meet(Interval(Fraction(0), _INF, True, True))
        elif e.is_nonnegative:
            out = out.meet(Interval(Fraction(0), _INF, False, True))
        elif e.is_negative:
            out = out.meet(Interval(-_INF, Fraction(0), True, True))
        elif e.is_nonpositive:
            out = out.meet(Interval(-_INF, Fraction(0), True, False))
        return out
    rec = lambda x: interval_of(x, env, depth + 1)   # noqa: E731
    if e.is_Add:
        out = None
        for a in e.args:
            out = rec(a) if out is None else _add(out, rec(a))
        return out
    if e.is_Mul:
        out = None
        for a in e.args:
            out = rec(a) if out is None else _mul(out, rec(a))
        return out
    if e.is_Pow:
        if e.exp.is_Integer:
            return _pow_int(rec(e.base), int(e.exp))
        if e.exp.is_Rational and e.exp.q % 2 == 0:
            base = rec(e.base)             # an even root is >= 0 (> 0 where the base is)
            return Interval(Fraction(0), _INF, base.positive(strict=True) or e.exp < 0, True)
        if e.base == sp.E:
            return _exp_iv(rec(e.exp))
        return _REALS
    if isinstance(e, sp.exp):
        return _exp_iv(rec(e.args[0]))
    if isinstance(e, sp.log) and len(e.args) == 1:
        return _log_iv(rec(e.args[0])) or _REALS
    if isinstance(e, sp.tanh):
        return _tanh_iv(rec(e.args[0]))
    if isinstance(e, (sp.Max, sp.Min)):
        parts = [rec(a) for a in e.args]
        if isinstance(e, sp.Max):
            lo, lo_open = max(((p.lo, p.lo_open) for p in parts), key=lambda t: (t[0], not t[1]))
            hi, hi_open = max(((p.hi, p.hi_open) for p in parts), key=lambda t: (t[0], not t[1]))
        else:
            lo, lo_open = min(((p.lo, p.lo_open) for p in parts), key=lambda t: (t[0], t[1]))
            hi, hi_open = min(((p.hi, p.hi_open) for p in parts), key=lambda t: (t[0], t[1]))
        return Interval(lo, hi, lo_open, hi_open)
    if isinstance(e, sp.Abs):
        return _abs_iv(rec(e.args[0]))
    if isinstance(e, sp.Piecewise):
        out = None
        for value, _cond in e.args:
            part = rec(value)
            out = part if out is None else Interval(min(out.lo, part.lo), max(out.hi, part.hi),
                                                    out.lo_open and part.lo_open if out.lo == part.lo else
                                                    (out.lo_open if out.lo < part.lo else part.lo_open),
                                                    out.hi_open and part.hi_open if out.hi == part.hi else
                                                    (out.hi_open if out.hi > part.hi else part.hi_open))
        return out or _REALS
    return _REALS


def _abs_iv(a):
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return _neg(a)
    top, top_open = max((abs(a.lo), a.lo_open), (abs(a.hi), a.hi_open), key=lambda t: (t[0], not t[1]))
    return Interval(Fraction(0), top, False, top_open)


_SPLITTERS = (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.sign, sp.Heaviside)
_MAX_PROVE_STEPS = 300
_MAX_PROVE_OPS = 600
_MAX_PAIRS = 12


def _bound_from(rel):
    """(symbol, Interval) when ``rel`` is a bound c1 s + c0 op 0 on one symbol with rational c0, c1."""
    if not isinstance(rel, Relational) or rel.rel_op not in ("<", "<=", ">", ">=", "=="):
        return None
    d = sp.expand(rel.lhs - rel.rhs)
    syms = d.free_symbols
    if len(syms) != 1:
        return None
    s = next(iter(syms))
    P = _rational_poly(d, [s])
    if P is None or P.degree() != 1:
        return None
    c1, c0 = P.all_coeffs()
    v = Fraction(int((-c0 / c1).p), int((-c0 / c1).q))
    op = rel.rel_op
    if c1 < 0:
        op = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}[op]
    if op == "==":
        return s, Interval(v, v, False, False)
    if op in ("<", "<="):
        return s, Interval(-_INF, v, True, op == "<")
    return s, Interval(v, _INF, op == ">", True)


def _env(hyps):
    env = {}
    for h in hyps:
        b = _bound_from(h)
        if b is not None:
            s, iv = b
            env[s] = env[s].meet(iv) if s in env else iv
    return env


def _split_atom(e):
    """The innermost case-split atom of ``e`` with free symbols (a Piecewise, max, min, |.|, ...), or None."""
    found = None
    for a in sp.preorder_traversal(e):
        if isinstance(a, _SPLITTERS) and a.free_symbols:
            if not any(isinstance(b, _SPLITTERS) and b.free_symbols for b in a.args for b in sp.preorder_traversal(b)):
                return a
            found = found or a
    return found


def _branches(a):
    """[(value, condition)] covering every point where ``a`` is defined (each condition exact)."""
    if isinstance(a, sp.Piecewise):
        out, before = [], []
        for value, cond in a.args:
            here = sp.And(cond, *[sp.to_nnf(sp.Not(c)) for c in before]) if before else cond
            out.append((value, here))
            before.append(cond)
            if cond is sp.true:
                break
        return out                         # no default branch: undefined (outside the domain) elsewhere
    if isinstance(a, (sp.Max, sp.Min)):
        args = list(a.args)
        rel = sp.Ge if isinstance(a, sp.Max) else sp.Le
        return [(x, sp.And(*[rel(x, y) for y in args if y is not x])) for x in args]
    x = a.args[0]
    if isinstance(a, sp.Abs):
        return [(x, x >= 0), (-x, x < 0)]
    if isinstance(a, sp.sign):
        return [(sp.Integer(1), x > 0), (sp.Integer(0), sp.Eq(x, 0)), (sp.Integer(-1), x < 0)]
    if isinstance(a, sp.Heaviside):
        h0 = a.args[1] if len(a.args) > 1 else sp.Rational(1, 2)
        return [(sp.Integer(1), x > 0), (h0, sp.Eq(x, 0)), (sp.Integer(0), x < 0)]
    return None


def _flat(hyps):
    out = []
    for h in hyps:
        if isinstance(h, sp.And):
            out += _flat(h.args)
        elif h is not sp.true and h is not True:
            out.append(h)
    return out


def _rel_facts(a, iv):
    out = []
    if iv.lo != -_INF and abs(iv.lo) != _INF:
        out.append(a > sp.Rational(iv.lo.numerator, iv.lo.denominator) if iv.lo_open
                   else a >= sp.Rational(iv.lo.numerator, iv.lo.denominator))
    if iv.hi != _INF and abs(iv.hi) != _INF:
        out.append(a < sp.Rational(iv.hi.numerator, iv.hi.denominator) if iv.hi_open
                   else a <= sp.Rational(iv.hi.numerator, iv.hi.denominator))
    return out


def _atom_facts(exprs, hyps, env):
    """Facts true at every point where the atoms are defined: ranges of exp, log, tanh (and of the
    argument a log needs), the tangent lines e^t >= 1 + t and log t <= t - 1, tanh t between 0 and t,
    and monotonicity between two atoms of one increasing function whose arguments are ordered."""
    atoms = []
    for e in exprs:
        for a in sp.preorder_traversal(e):
            if isinstance(a, (sp.exp, sp.log, sp.tanh)) and a.free_symbols and a not in atoms:
                atoms.append(a)
    facts = []
    for a in atoms:
        t = a.args[0]
        if isinstance(a, sp.log):
            facts.append(t > 0)
        facts += _rel_facts(a, interval_of(a, env))
        if isinstance(a, sp.exp):
            facts.append(a - 1 - t >= 0)
        elif isinstance(a, sp.log):
            facts.append(a - t + 1 <= 0)
        else:
            it = interval_of(t, env)
            if it.positive(strict=False):
                facts += [a >= 0, a - t < 0 if it.positive(strict=True) else a - t <= 0]
            elif it.negative(strict=False):
                facts += [a <= 0, a - t > 0 if it.negative(strict=True) else a - t >= 0]
    pairs = 0
    for f in (sp.exp, sp.log, sp.tanh):
        same = [a for a in atoms if isinstance(a, f)]
        for i, a1 in enumerate(same):
            for a2 in same[i + 1:]:
                if pairs >= _MAX_PAIRS:
                    break
                pairs += 1
                d = a1.args[0] - a2.args[0]
                iv = interval_of(d, env)
                if iv.positive(strict=False) or region_empty(sp.And(d < 0, *hyps)):
                    strict = iv.positive(strict=True) or region_empty(sp.And(d <= 0, *hyps))
                    facts.append(a1 - a2 > 0 if strict else a1 - a2 >= 0)
                elif iv.negative(strict=False) or region_empty(sp.And(d > 0, *hyps)):
                    strict = iv.negative(strict=True) or region_empty(sp.And(d >= 0, *hyps))
                    facts.append(a1 - a2 < 0 if strict else a1 - a2 <= 0)
    return [f for f in facts if f is not sp.true]


def _exp_powers(e, hyps, env):
    """Exponentials of rational multiples of one argument written as powers of one positive symbol T:
    e^{-2u} = T^2 with T = e^{-u} (SymPy writes (e^{-u})^2 as e^{-2u}, which hides the polynomial).
    T carries the facts of its exponential (T > 0, T >= 1 + its exponent)."""
    groups = {}
    for a in e.atoms(sp.exp):
        if not a.free_symbols:
            continue
        c, m = sp.expand(a.args[0]).as_content_primitive()
        if not c.is_Rational:
            continue
        if m.could_extract_minus_sign():
            c, m = -c, -m
        groups.setdefault(m, {})[a] = c
    subs, new = {}, []
    for m, members in sorted(groups.items(), key=lambda kv: sp.default_sort_key(kv[0])):
        cs = set(members.values())
        if len(cs) < 2:
            continue
        g = None
        for c in cs:
            g = c if g is None else sp.gcd(g, c)
        T = sp.Dummy("T", positive=True)
        for a, c in members.items():
            subs[a] = T ** int(c / g)
        base = sp.exp(g * m)
        new += [T > 0, T - 1 - g * m >= 0] + _rel_facts(T, interval_of(base, env))
    if not subs:
        return e, hyps, env
    e = e.xreplace(subs)
    if e.has(sp.exp):
        e = e.replace(lambda x: isinstance(x, sp.exp) and x in subs, lambda x: subs[x])
    hyps = hyps + tuple(h for h in new if h is not sp.true)
    return e, hyps, _env(hyps)


def atom_facts(rels):
    """Facts about the exp, log and tanh atoms of the relations ``rels`` that hold wherever they are defined
    (``_atom_facts``), for the emptiness of a region that involves them."""
    try:
        rels = _flat(rels)
        return _atom_facts(rels, tuple(rels), _env(rels))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, PolynomialError, RecursionError):
        return []


def prove_sign(e, strict: bool, hyps=(), steps: int = _MAX_PROVE_STEPS) -> bool:
    """True only if ``e > 0`` (``strict``) or ``e >= 0`` holds at every real point where the hypotheses
    hold and ``e`` is defined (proved exactly; False: not proved, never "false").

    Tried in turn, each step exact or a relaxation that only enlarges the set of points considered:
    case splits of piecewise pieces (max, min, |.|, indicators, each branch under its condition, branches
    outside the hypotheses dropped only when proved empty), interval bounds over the hypotheses' ranges
    (ŷ in (0, 1), tanh in (-1, 1), exp > 0, even powers >= 0, ...), the two end points of a closed range
    of a variable the expression is affine in (a probability target), clearing a denominator of known
    sign, isolating a single logarithm (log X >= R iff X >= e^R), and finally the emptiness of
    {e <= 0 (or < 0)} with the hypotheses and facts about its exp, log and tanh atoms (``region_empty``).
    """
    state = [steps]
    try:
        return _pos(_sympify(e), strict, tuple(_flat(hyps)), state, 0)
    except (RecursionError, TypeError, ValueError, ZeroDivisionError, ArithmeticError, PolynomialError,
            NotImplementedError, AttributeError):
        return False


def _pos(e, strict, hyps, state, depth):
    state[0] -= 1
    if state[0] < 0 or depth > 12:
        return False
    if e.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.I):
        return False
    if not e.free_symbols:
        sg = exact_sign(e, 400)
        return sg is not None and (sg > 0 or (sg == 0 and not strict))
    for k, h in enumerate(hyps):                       # a disjunctive hypothesis: every case
        if isinstance(h, sp.Or):
            rest = hyps[:k] + hyps[k + 1:]
            return all(_pos(e, strict, rest + tuple(_flat([c])), state, depth + 1) for c in h.args)
    if any(h is sp.false or h is False for h in hyps):
        return True                                    # no point at all
    atom = _split_atom(e)
    if atom is not None:
        branches = _branches(atom)
        if branches is None:
            return False
        for value, cond in branches:
            h2 = hyps + tuple(_flat([cond]))
            if cond is sp.false or region_empty(sp.And(*h2)):
                continue
            if not _pos(e.xreplace({atom: value}), strict, h2, state, depth + 1):
                return False
        return True
    env = _env(hyps)
    iv = interval_of(e, env)
    if iv.positive(strict):
        return True
    if iv.negative(strict=not strict):
        return False                                   # never (not only sometimes) positive where defined
    if sp.count_ops(e) > _MAX_PROVE_OPS:
        return False
    # affine in a variable confined to a closed interval: the end points decide
    for s in sorted(e.free_symbols, key=lambda t: t.name):
        r = env.get(s)
        if r is None or r.lo_open or r.hi_open or abs(r.lo) == _INF or abs(r.hi) == _INF or r.lo == r.hi:
            continue
        if any(s in f.free_symbols for f in e.atoms(sp.Function, sp.Pow) if not (f.is_Pow and f.exp.is_Integer
                                                                                and f.exp > 0)):
            continue
        try:
            P = sp.Poly(e, s)
        except (PolynomialError, sp.GeneratorsNeeded):
            continue
        if P.degree() != 1 or s in P.coeffs()[0].free_symbols:
            continue
        rest = tuple(h for h in hyps if s not in h.free_symbols)
        ends = [sp.Rational(r.lo.numerator, r.lo.denominator), sp.Rational(r.hi.numerator, r.hi.denominator)]
        return all(_pos(e.xreplace({s: v}), strict, rest, state, depth + 1) for v in ends)
    # e^{-u} and e^{-2u} as T and T^2 (one positive symbol per exponent direction)
    e, hyps, env = _exp_powers(e, hyps, env)
    # a denominator of known sign
    n, den = sp.fraction(sp.together(e))
    if n == 0:
        return not strict
    if den != 1 and den.free_symbols:
        ivd = interval_of(den, env)
        if ivd.positive(strict=True):
            return _pos(sp.expand(n, power_exp=False), strict, hyps, state, depth + 1)
        if ivd.negative(strict=True):
            return _pos(-sp.expand(n, power_exp=False), strict, hyps, state, depth + 1)
    # a single logarithm: c log X + R >= 0  <=>  X >= exp(-R/c) (c > 0), X <= exp(-R/c) (c < 0)
    logs = [a for a in e.atoms(sp.log) if a.free_symbols]
    if len(logs) == 1:
        t = sp.Dummy("t")
        et = sp.expand(e.xreplace({logs[0]: t}), power_exp=False, log=False)
        try:
            P = sp.Poly(et, t)
        except (PolynomialError, sp.GeneratorsNeeded):
            P = None
        if P is not None and P.degree() == 1:
            c, R = P.all_coeffs()
            sc = exact_sign(c) if not c.free_symbols else None
            if sc in (1, -1):
                X = logs[0].args[0]
                bound = sp.expand(sp.exp(-R / c), power_exp=True, mul=False, multinomial=False, log=False)
                e2 = X - bound if sc > 0 else bound - X
                if _pos(e2, strict, hyps + (X > 0,), state, depth + 1):
                    return True
    neg = (e <= 0) if strict else (e < 0)
    if neg is sp.false:
        return True
    facts = _atom_facts([e] + list(hyps), hyps, env)
    return region_empty(sp.And(neg, *hyps, *facts))


# ----------------------------------------------------------------------------------------------
# the set where univariate conditions hold, as simple bounds


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
