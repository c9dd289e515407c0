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

import sympy as sp
from sympy.core.relational import Relational
from sympy.polys.polyerrors import PolynomialError

__all__ = ["region_empty", "zero_on", "is_exact_zero", "exact_sign", "solve_real", "atoms_of"]

_MAX_CLAUSES = 64
_MAX_ATOMS = 16
_MAX_DEGREE = 16
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
        if a == b:
            roots.append(["point", a])
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
    polys = []
    for p, op in atoms:
        P = _rational_poly(p, [s])
        if P is None:
            return None
        polys.append((P, op))
    cells = _cells([P for P, _ in polys], s)
    if cells is None:
        return None
    return [(k, c) for k, c in enumerate(cells) if all(_OPS[op](_sign_at(P, c)) for P, op in polys)]


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


def _clauses(cond):
    if cond is sp.true or cond is True:
        return [[]]
    if cond is sp.false or cond is False:
        return []
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
        syms = sorted(syms, key=lambda t: t.name)
        try:
            if len(syms) == 1:
                sat = _univariate_sat(items, syms[0])
                if sat is not None and not sat:
                    return True
            elif _fm_empty(items, syms):
                return True
        except (ArithmeticError, PolynomialError, ValueError, TypeError, StopIteration):
            continue
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
    polys = []
    for p, op in items:
        P = _rational_poly(p, [s])
        if P is None:
            return None
        polys.append((P, op))
    cells = _cells([P for P, _ in polys], s)
    if cells is None:
        return None
    sat = [k for k, c in enumerate(cells) if all(_OPS[op](_sign_at(P, c)) for P, op in polys)]
    runs = []
    for k in sat:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
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
    return None


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
