"""``region_empty(cond)``: True only when the real points where ``cond`` holds are *proved* to be none
(clauses of the condition, independent components, exact cells or Fourier-Motzkin); ``zero_on(expr, cond,
prove)``: ``expr = 0`` on the region by substituting exact descriptions of its univariate pieces.
"""
from __future__ import annotations

import itertools

import sympy as sp
from sympy.core.relational import Relational
from sympy.polys.polyerrors import PolynomialError

from .cells import _OPS, _Relaxer, _affine, _cell_value, _fm_empty, _poly_atom, _sat_cells, _univariate_sat
from .constants import _consecutive_runs, exact_sign


_MAX_CLAUSES = 64
_MAX_ATOMS = 16
_MAX_SUBST = 16
_MAX_CONJUNCTION = 400


def _clauses_or_none(cond):
    """The clauses of ``cond`` in disjunctive normal form, or None when it is too large or not a formula
    of relations (then nothing is proved about it)."""
    try:
        return _clauses(cond)
    except (TypeError, ValueError, RecursionError):
        return None


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
    clauses = _clauses_or_none(cond)
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
    clauses = _clauses_or_none(cond)
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
