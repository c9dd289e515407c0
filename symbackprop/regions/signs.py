"""``prove_sign(e, strict, hyps)``: an exact certificate that e > 0 (or >= 0) wherever the hypotheses
hold — intervals, case splits of max/min/|.|/indicators, and emptiness of the negated claim; ``atom_facts``:
ranges and tangent lines of exp, log and tanh that every real point satisfies.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp
from sympy.core.relational import Relational
from sympy.core.sympify import _sympify      # strict: SymPy objects and numbers only, never a string
from sympy.polys.polyerrors import PolynomialError

from .cells import _rational_poly
from .constants import exact_sign
from .emptiness import region_empty
from .intervals import Interval, _INF, interval_of


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
    decided = _pos_by_cases(e, strict, hyps, state, depth)
    if decided is not None:
        return decided
    env = _env(hyps)
    iv = interval_of(e, env)
    if iv.positive(strict):
        return True
    if iv.negative(strict=not strict):
        return False                                   # never (not only sometimes) positive where defined
    if sp.count_ops(e) > _MAX_PROVE_OPS:
        return False
    decided = _pos_at_ends(e, strict, hyps, env, state, depth)
    if decided is not None:
        return decided
    # e^{-u} and e^{-2u} as T and T^2 (one positive symbol per exponent direction)
    e, hyps, env = _exp_powers(e, hyps, env)
    decided = _pos_by_denominator(e, strict, hyps, env, state, depth)
    if decided is not None:
        return decided
    if _pos_by_logarithm(e, strict, hyps, state, depth):
        return True
    neg = (e <= 0) if strict else (e < 0)
    if neg is sp.false:
        return True
    facts = _atom_facts([e] + list(hyps), hyps, env)
    return region_empty(sp.And(neg, *hyps, *facts))


def _pos_by_cases(e, strict, hyps, state, depth):
    """A constant's exact sign, every case of a disjunctive hypothesis, no point at all, or every branch of
    a splitting atom (max, |.|, an indicator): True/False, or None when none of these applies."""
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
    if atom is None:
        return None
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


def _pos_at_ends(e, strict, hyps, env, state, depth):
    """Affine in a variable confined to a closed interval: the end points decide (None: no such variable)."""
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
    return None


def _pos_by_denominator(e, strict, hyps, env, state, depth):
    """A zero numerator, or a denominator of known sign: the numerator decides (None: neither)."""
    n, den = sp.fraction(sp.together(e))
    if n == 0:
        return not strict
    if den != 1 and den.free_symbols:
        ivd = interval_of(den, env)
        if ivd.positive(strict=True):
            return _pos(sp.expand(n, power_exp=False), strict, hyps, state, depth + 1)
        if ivd.negative(strict=True):
            return _pos(-sp.expand(n, power_exp=False), strict, hyps, state, depth + 1)
    return None


def _pos_by_logarithm(e, strict, hyps, state, depth):
    """A single logarithm: c log X + R >= 0  <=>  X >= exp(-R/c) (c > 0), X <= exp(-R/c) (c < 0).  True
    when that is proved (False: not proved this way)."""
    logs = [a for a in e.atoms(sp.log) if a.free_symbols]
    if len(logs) != 1:
        return False
    t = sp.Dummy("t")
    et = sp.expand(e.xreplace({logs[0]: t}), power_exp=False, log=False)
    try:
        P = sp.Poly(et, t)
    except (PolynomialError, sp.GeneratorsNeeded):
        return False
    if P.degree() != 1:
        return False
    c, R = P.all_coeffs()
    sc = exact_sign(c) if not c.free_symbols else None
    if sc not in (1, -1):
        return False
    X = logs[0].args[0]
    bound = sp.expand(sp.exp(-R / c), power_exp=True, mul=False, multinomial=False, log=False)
    e2 = X - bound if sc > 0 else bound - X
    return _pos(e2, strict, hyps + (X > 0,), state, depth + 1)
