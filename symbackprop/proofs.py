"""Exact proofs: an equality step's difference is zero (``closed_forms.prove_zero``, generic then concrete,
within the givens' region), an inequality step's sign is certified over the ranges the network guarantees
(``regions.prove_sign``), and a boundary that provably never meets the givens needs no point.
"""
from __future__ import annotations

import random
from fractions import Fraction as _Fraction

import sympy as sp

from .budget import _Budget
from .closed_forms import prove_zero
from .regions import atom_facts, prove_sign, region_empty
from .rules import HEADS, LOSSES, ONEHOT_SUM, OUTPUTS, Assumption, in_interval, phi, phi_prime


_TOTAL_FUNCS = (sp.exp, sp.tanh, sp.Max, sp.Min, sp.Abs, phi, phi_prime)


def same_total_formula(A, B) -> bool:
    """Whether the matrices ``A`` and ``B`` are entry by entry the same formula *and* that formula is defined at
    every real point: built only from real symbols, finite numbers, sums, products, powers with a natural
    exponent, exp, tanh, max, min, |·| and the activation φ, φ' (total functions, φ' at a kink by its
    convention).  Then A = B holds at every point of the network, givens or not: an exact proof that needs no
    evaluated point (no denominator or logarithm can make the claim undefined somewhere, or everywhere)."""
    if A.shape != B.shape or any(x != y for x, y in zip(A, B)):
        return False
    seen, stack = set(), list(A)
    while stack:                                   # every distinct subtree once (a wide δ shares many)
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(node.args)
        if node.is_Symbol:
            if node.is_real is not True:
                return False
        elif node.is_Number:
            if node.is_finite is not True:
                return False
        elif node.is_Pow:
            if not (node.exp.is_Integer and node.exp >= 0):
                return False
        elif not isinstance(node, (sp.Add, sp.Mul) + _TOTAL_FUNCS):
            return False
    return True


def same_formula_on_targets(g, A, B):
    """The assumptions under which ``A`` and ``B`` are one formula defined everywhere (``same_total_formula``):
    () when they are so as written; (Σ_k y_k = 1,) when they become so once every y_1·X + … + y_C·X is
    collected to X (a softmax + cross-entropy network, whose targets are one-hot) and they differ without it
    (nonzero at an exact point); None otherwise (the step is then checked the long way)."""
    if same_total_formula(A, B):
        return ()
    if ONEHOT_SUM not in HEADS[(g.net.output, g.net.loss)].assumptions or A.shape != B.shape:
        return None
    memo, ys = {}, [list(y) for y in g.examples(g.y)]
    A2 = A.applyfunc(lambda v: _collect_simplex(v, ys, memo))
    B2 = B.applyfunc(lambda v: _collect_simplex(v, ys, memo))
    if same_total_formula(A2, B2) and _surely_nonzero(A - B):
        return (ONEHOT_SUM,)
    return None


def _fresh_condition_symbols(conds):
    """Replace z-like symbols in simple sign conditions by fresh symbols carrying that sign, and a symbol
    a given pins to one value (z = 0, u = 0 from u <= 0 and u >= 0) by that value."""
    subs = {}
    sign = {"<": "negative", "<=": "nonpositive", ">": "positive", ">=": "nonnegative"}
    for lhs, op, rhs in conds:
        if isinstance(lhs, sp.Symbol) and op == "=" and lhs not in subs and lhs not in rhs.free_symbols and \
                (rhs.is_number or isinstance(rhs, sp.Symbol) and rhs not in subs):
            subs[lhs] = rhs
        elif isinstance(lhs, sp.Symbol) and rhs == 0 and op in sign and lhs not in subs:
            subs[lhs] = sp.Symbol(lhs.name, real=True, **{sign[op]: True})
    return subs


def _try_prove(lhs, rhs, g, conds):
    """Exact proof of lhs = rhs (generic, then concrete activation, then down to primitives).

    The givens bound the proof twice: sign conditions on a symbol become a symbol with that sign, and the
    whole conjunction is the region where a case split must vanish (``prove_zero(region=...)``).
    """
    net = g.net
    head = HEADS[(net.output, net.loss)]
    cond_subs = _fresh_condition_symbols(conds)
    diff = (lhs - rhs)
    hidden = {s_: g.concretize(phi(z)) for l in range(1, net.L) for s_, z in zip(g.a[l], g.z[l])}
    if OUTPUTS[net.output].elementwise:          # ŷ = σ(z^(L)) entry by entry: a(1 − a) for σ' at the output too
        hidden.update(zip(g.yhat, g.concretize(g.yhat_def)))
    stages = [("generic", lambda e: e), ("concrete activation", g.concretize),
              # a^(l) = φ(z^(l)): a claim written with a(1 - a) for σ' meets the derivation's σ'(z) here, before
              # the whole forward pass is substituted
              ("activations as functions of z", lambda e: g.concretize(e).xreplace(hidden)),
              ("forward pass substituted", g.to_primitives)]
    if diff.free_symbols & set(g.z[net.L]):
        diff = diff.applyfunc(lambda v: v.xreplace(_log_softmax(g)))   # log ŷ_k = z_k − log Σ_j e^{z_j}
    onehot = LOSSES[net.loss].target == "one-hot"
    if ONEHOT_SUM in head.assumptions:
        # structure before expansion: Σ_k y_k X = X wherever a sum holds every y_k X (the derivation's
        # δ^(L) = ŷ Σ_k y_k − y), then the sides are often the same formula — no expansion of a wide layer
        memo = {}
        ys = [list(y) for y in g.examples(g.y)]
        A = lhs.applyfunc(lambda v: _collect_simplex(v, ys, memo))
        B = rhs.applyfunc(lambda v: _collect_simplex(v, ys, memo))
        if A.shape == B.shape and all(x == y for x, y in zip(A, B)) and _surely_nonzero(lhs - rhs):
            # equal where Σ_k y_k = 1 and not without it (nonzero at an exact point): what the expansion below
            # finds at its first stage with that assumption; otherwise the stages below decide as before
            return "generic", (ONEHOT_SUM,)
    tried, tried_cases = [], []    # two lists: a Matrix compared with a tuple would sympify the tuple's string
    for stage, fn in stages:
        e = diff.applyfunc(fn)
        region = _given_region(conds, fn, cond_subs)
        free = e.free_symbols                                           # once: a matrix walks every entry
        facts = [r for s_, r in _ranges(g) if s_ in free]               # 0 < ŷ < 1, -1 < tanh < 1, ...
        if facts:
            region = sp.And(*facts, *([region] if region is not None else []))
        for used in ((), head.assumptions) if head.assumptions else ((),):
            cur = e
            for asm in used:
                cur = cur.applyfunc(lambda v, a=asm: a.apply(v, g))
            cur = cur.applyfunc(lambda v: v.xreplace(cond_subs)) if cond_subs else cur
            if cur in tried:                   # no φ to concretize, or no assumption to apply: same proof
                continue
            tried.append(cur)
            if not _surely_nonzero(cur, region) and prove_zero(cur, region):
                return stage, used
        if onehot and set(g.y) & e.free_symbols and e not in tried_cases:
            tried_cases.append(e)
            if _prove_by_target_cases(e, g, conds, fn, cond_subs):
                return stage, (ONEHOT_CASES,)
    return None, ()


def _collect_simplex(e, ys, memo):
    """``e`` with every group y_1·X + … + y_C·X inside a sum (all C entries of one example's target, the same
    cofactor X, each once) replaced by X: exact where Σ_k y_k = 1 (``ONEHOT_SUM``).  Nothing else changes."""
    got = memo.get(e)
    if got is not None:
        return got
    if not e.args or e.is_Atom:
        out = e
    else:
        args = [_collect_simplex(a, ys, memo) for a in e.args]
        out = e.func(*args) if any(a is not b for a, b in zip(args, e.args)) else e
        if out.is_Add:
            out = _collect_in_sum(out, ys)
    memo[e] = out
    return out


def _collect_in_sum(e, ys):
    """One sum's groups y_1·X + … + y_C·X (one example's whole target, one cofactor) as X."""
    where = {s_: n for n, y in enumerate(ys) for s_ in y}
    groups = {}
    for t in e.args:
        factors = t.args if t.is_Mul else (t,)
        hits = [f for f in factors if f in where]
        if len(hits) != 1:
            continue
        y = hits[0]
        rest = sp.Mul(*[f for f in factors if f is not y]) if t.is_Mul else sp.Integer(1)
        groups.setdefault((where[y], rest), {}).setdefault(y, []).append(t)
    done, new = set(), []
    for (n, rest), by_y in groups.items():
        if set(by_y) == set(ys[n]) and all(len(v) == 1 for v in by_y.values()):
            done.update(v[0] for v in by_y.values())
            new.append(rest)
    if not new:
        return e
    return sp.Add(*[t for t in e.args if t not in done], *new)


ONEHOT_CASES = Assumption(
    "target-one-hot",
    "the target is one-hot: y is one of the C unit vectors (each proved in turn)",
    r"y \in \{e_1, \dots, e_C\}",
)


def _log_softmax(g):
    """{log ŷ_k: z_k − log Σ_j e^{z_j}} of a softmax head (every example of a batch), else {}.

    Exact: ŷ_k = e^{z_k} / Σ_j e^{z_j} with z real, so both factors are positive and the logarithm splits.
    Only when the forward pass defines ŷ exactly so (checked structurally, never assumed)."""
    if g.net.output != "softmax":
        return {}
    out = {}
    defs = dict(zip(g.yhat, g.yhat_def))
    for yh, z in zip(g.examples(g.yhat), g.examples(g.z[g.net.L])):
        zs = list(z)
        if not all(v.is_Symbol and v.is_real for v in zs):
            return {}
        total = sp.Add(*[sp.exp(v) for v in zs])
        for s_, v in zip(yh, zs):
            if defs.get(s_) != sp.exp(v) / total:
                return {}
            out[sp.log(s_)] = out[sp.log(sp.exp(v) / total)] = v - sp.log(total)   # ŷ_k or its definition
    return out


def _prove_by_target_cases(e, g, conds, fn, cond_subs) -> bool:
    """``e`` is zero at every one-hot target the givens allow: each combination of unit vectors of the
    examples whose y occurs (``Graph.onehot_cases``) substituted in turn, a case the givens exclude
    outright (they become false) skipped, each other case proved by ``prove_zero`` within the givens.
    False when there are too many cases or no case is left (never a vacuous proof)."""
    region_raw = _given_region(conds, fn, {})
    involved = set(e.free_symbols) | (region_raw.free_symbols if region_raw is not None else set())
    cases = g.onehot_cases([s_ for s_ in g.y if s_ in involved], _MAX_TARGET_CASES)
    if not cases or len(cases) > _MAX_TARGET_CASES:
        return False
    done = 0
    for case in cases:
        given = region_raw.xreplace(case) if region_raw is not None else None
        if given is sp.false:
            continue                               # a target the givens rule out
        subs = {k: v.xreplace(case) for k, v in cond_subs.items() if k not in case}
        cur = e.applyfunc(lambda v: v.xreplace(case).xreplace(subs) if subs else v.xreplace(case))
        if given is not None and subs:
            given = given.xreplace(subs)
        facts = [r for s_, r in _ranges(g) if s_ in cur.free_symbols]
        region = sp.And(*facts, *([given] if given is not None else [])) if facts or given is not None else None
        if region is sp.false:
            continue
        if _surely_nonzero(cur, region) or not prove_zero(cur, region):
            return False
        done += 1
    return done > 0


def _surely_nonzero(M, region=None):
    """True when an entry of ``M`` is certainly not zero everywhere on ``region``, so a sound ``prove_zero``
    cannot succeed: at one exact rational point that satisfies ``region`` (and every symbol's sign), with φ
    and φ' read as some real functions (a value drawn from the exact value of the argument), the entry is
    exactly nonzero.  Only rationals, symbols, sums, products, integer powers, φ, φ', max/min and
    case splits on comparisons are read; anything else (exp, a float, a vanishing denominator, a symbol with
    other assumptions, a point outside the region) decides nothing, and the proof is attempted as before."""
    entries = list(M) if isinstance(M, sp.MatrixBase) else [M]
    bounds = _simple_bounds(region)
    for salt in range(4):                    # a few points: one may miss the region (a given on two symbols)
        vals = {"salt": salt, "bounds": bounds}
        try:
            if region is not None and _opaque_value(region, vals) is not True:
                continue
        except (_Unknown, RecursionError):
            return False
        for e in entries:
            try:
                v = _opaque_value(e, vals)
            except (_Unknown, RecursionError):
                continue
            if v is not True and v is not False and v != 0:
                return True
    return False


class _Unknown(Exception):
    pass


def _simple_bounds(region):
    """{symbol: (low, high)} from the comparisons of a symbol with a rational at the top of ``region`` (the
    ranges 0 < ŷ < 1, 0 <= y <= 1, a given z <= 0): where ``_opaque_value`` draws that symbol.  A hint only:
    the region itself is still evaluated at the point."""
    out = {}
    for rel in (region.args if isinstance(region, sp.And) else (region,)) if region is not None else ():
        if not isinstance(rel, sp.core.relational.Relational) or rel.rel_op not in ("<", "<=", ">", ">="):
            continue
        lhs, rhs, op = rel.lhs, rel.rhs, rel.rel_op
        if lhs.is_Rational and rhs.is_Symbol:
            lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
        if not (lhs.is_Symbol and rhs.is_Rational):
            continue
        lo, hi = out.get(lhs, (None, None))
        c = _Fraction(int(rhs.p), int(rhs.q))
        if op in (">", ">="):
            lo = c if lo is None else max(lo, c)
        else:
            hi = c if hi is None else min(hi, c)
        out[lhs] = (lo, hi)
    return out


_CMP = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _opaque_value(e, vals):
    """The exact value (a Fraction, or a bool for a condition) of ``e`` at the point of ``vals`` (see
    ``_surely_nonzero``); _Unknown for anything outside that vocabulary."""
    if e in vals:
        return vals[e]
    if e is sp.true or e is sp.false or isinstance(e, (sp.core.relational.Relational, sp.And, sp.Or, sp.Not)):
        v = _opaque_condition(e, vals)
    elif isinstance(e, sp.Piecewise):
        for expr, cond in e.args:
            if _opaque_value(cond, vals) is True:
                v = _opaque_value(expr, vals)
                break
        else:
            raise _Unknown()                 # no branch holds: undefined here
    elif isinstance(e, (sp.Max, sp.Min)):
        parts = [_opaque_value(a, vals) for a in e.args]
        v = max(parts) if isinstance(e, sp.Max) else min(parts)
    elif e.is_Rational:
        v = _Fraction(int(e.p), int(e.q))
    elif e.is_Symbol:
        v = _opaque_symbol(e, vals)
    elif e.is_Add:
        v = sum((_opaque_value(a, vals) for a in e.args), _Fraction(0))
    elif e.is_Mul:
        v = _Fraction(1)
        for a in e.args:
            v *= _opaque_value(a, vals)
    elif e.is_Pow and e.exp.is_Integer and abs(e.exp) <= 64:
        b = _opaque_value(e.base, vals)
        if b == 0 and e.exp < 0:
            raise _Unknown()
        v = b ** int(e.exp)
    elif isinstance(e, (phi, phi_prime)):
        u = _opaque_value(e.args[0], vals)
        rng = random.Random(f"{type(e).__name__}:{u.numerator}/{u.denominator}:{vals['salt']}")
        v = _Fraction(rng.randint(-10 ** 6, 10 ** 6), rng.randint(1, 997))
    else:
        raise _Unknown()
    if isinstance(v, bool) != (e.is_Boolean or isinstance(e, sp.core.relational.Relational)):
        raise _Unknown()                     # a number where a condition belongs, or the reverse
    vals[e] = v
    return v


def _opaque_condition(e, vals):
    """The truth of a comparison or a conjunction/disjunction/negation of comparisons (``_opaque_value``)."""
    if e is sp.true or e is sp.false:
        return bool(e)
    if isinstance(e, sp.core.relational.Relational):
        if e.rel_op not in _CMP:
            raise _Unknown()
        return _CMP[e.rel_op](_opaque_value(e.lhs, vals), _opaque_value(e.rhs, vals))
    if isinstance(e, sp.Not):
        return not _opaque_value(e.args[0], vals)
    parts = [_opaque_value(a, vals) for a in e.args]
    return all(parts) if isinstance(e, sp.And) else any(parts)


def _opaque_symbol(e, vals):
    """A real symbol's value: inside its simple bounds of the region when it has some, else in (-1, 1) with
    its sign; _Unknown for an integer, zero or irrational symbol."""
    if e.is_integer is not None or e.is_zero is not None and e.is_zero or e.is_rational is False:
        raise _Unknown()
    draw = random.Random(f"{e.name}:{vals['salt']}")
    v = _Fraction(draw.randint(1, 999), draw.randint(1000, 1999))        # in (0, 1)
    lo, hi = vals["bounds"].get(e, (None, None))
    if lo is not None and hi is not None:
        return lo + (hi - lo) * v
    if lo is not None:
        return lo + v
    if hi is not None:
        return hi - v
    if e.is_negative or e.is_nonpositive or not (e.is_positive or e.is_nonnegative) and draw.random() < 0.5:
        return -v
    return v


def _given_region(conds, fn, cond_subs):
    """The conjunction of the givens at one proof stage (None without givens or when one cannot be built)."""
    if not conds:
        return None
    try:
        rels = [_REL[op](fn(lhs), fn(rhs)) for lhs, op, rhs in conds]
        region = sp.And(*rels)
        return region.xreplace(cond_subs) if cond_subs else region
    except (TypeError, ValueError, KeyError):
        return None


def _uncovered(ctx, surfaces, covered, conds):
    """The surfaces with no evaluated point exactly on them that can meet the region of the givens."""
    out = []
    for S in surfaces:
        if any(ctx.on(S, p) for p in covered):
            continue
        if _misses_region(S, conds, ctx.g):
            continue
        out.append(S)
    return out


_REL = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "=": sp.Eq, "!=": sp.Ne}


def _misses_region(S, conds, g):
    """Whether d = 0 and the givens provably never hold together (node symbols taken as free reals within
    the ranges the network guarantees — a superset of what it can reach, so an empty answer is exact)."""
    try:
        base = [sp.Eq(S.d, 0)] + [_REL[op](g.concretize(lhs), g.concretize(rhs)) for lhs, op, rhs in conds]
        cases = [{}]
        used = set().union(*[r.free_symbols for r in base])
        if LOSSES[g.net.loss].target == "one-hot" and set(g.y) & used:
            cases = g.onehot_cases(used)         # each example's unit vectors (a batch: their combinations)
            if cases is None:
                return False
        for case in cases:                                # a one-hot target: each unit vector in turn
            rels = [r.xreplace(case) for r in base] if case else list(base)
            if any(r is sp.false for r in rels):
                continue
            rels = [r for r in rels if r is not sp.true]
            rels += _facts_for(g, rels[0] if rels else sp.Integer(0), rels[1:])
            if not (region_empty(sp.And(*rels)) or
                    region_empty(sp.And(*rels, *atom_facts(rels)))):    # ranges and tangents of exp, log, tanh
                return False
        return True
    except (TypeError, ValueError, RecursionError):
        return False


def _ranges(g):
    """(symbol, relation) facts every point satisfies: 0 < ŷ < 1 for softmax and sigmoid heads, the range
    of the hidden activation, 0 <= y <= 1 for one-hot and probability targets."""
    net = g.net
    out = []
    out += [(s_, r) for s_ in g.yhat if (r := in_interval(s_, OUTPUTS[net.output].range)) is not None]
    if LOSSES[net.loss].target in ("one-hot", "probability"):
        out += [(s_, sp.And(s_ >= 0, s_ <= 1)) for s_ in g.y]
    for l in range(1, net.L):
        out += [(s_, r) for s_ in g.a[l] if (r := net.rule_of(l).range(s_, net)) is not None]
    return out


_MAX_TARGET_CASES = 16


def _prove_inequality(ctx, A, B, op, conds):
    """An exact proof that every entry satisfies ``A op B`` (``regions.prove_sign``), or None.

    The difference is taken at node level, where every symbol ranges over a superset of what the network
    reaches (0 < ŷ < 1 and Σŷ = 1 for softmax, the hidden activation's range, 0 <= y <= 1 for probability
    targets, the givens), so a proof there holds at every point.  A one-hot target is each of the C unit
    vectors in turn; hidden ReLU-type activations are also tried as max(0, z) of their pre-activation and the
    output as the head of z^(L).  Returns a short description of how, or None.
    """
    g, net = ctx.g, ctx.net
    strict = op in ("<", ">")
    onehot = LOSSES[net.loss].target == "one-hot"
    given = [_REL[o](g.concretize(l), g.concretize(r)) for l, o, r in conds]
    views = ("node values", "activations as functions of z", "output as a function of z")
    for idx in range(len(A)):
        d = (B[idx] - A[idx]) if op in ("<", "<=") else (A[idx] - B[idx])
        if d.has(phi, phi_prime):
            return None
        ok = False
        for view in views:
            e = _view(g, d, view)
            if e is None:
                continue
            cases = [{}]
            ys = [s_ for s_ in g.y if s_ in e.free_symbols or any(s_ in h.free_symbols for h in given)]
            if onehot and ys:
                cases = g.onehot_cases(ys, _MAX_TARGET_CASES)
            if cases is None or len(cases) > _MAX_TARGET_CASES:
                continue
            ok = True
            for case in cases:
                ec = e.xreplace(case) if case else e
                hyps = [h.xreplace(case) if case else h for h in given]
                hyps += _facts_for(g, ec, hyps)
                if not prove_sign(ec, strict, hyps):
                    ok = False
                    break
            if ok:
                break
            if d.free_symbols.isdisjoint(set(g.yhat)) and view == views[1]:
                break
        if not ok:
            return None
    return "sign certified over the ranges of the network"


def _view(g, d, view):
    """``d`` with node symbols kept, hidden activations replaced by φ(z), or also ŷ by the head of z^(L)."""
    if view == "node values":
        return d
    hidden = {s_: g.concretize(phi(z)) for l in range(1, g.net.L) for s_, z in zip(g.a[l], g.z[l])}
    if view == "activations as functions of z":
        return d.xreplace(hidden) if d.free_symbols & set(hidden) else None
    if not d.free_symbols & set(g.yhat):
        return None
    return d.xreplace(hidden).xreplace(dict(zip(g.yhat, g.yhat_def)))


def _facts_for(g, e, hyps):
    """The ranges of the node symbols in ``e`` and the hypotheses, and Σŷ = 1 for a softmax head (with the
    ranges of every ŷ it brings in)."""
    syms = set(e.free_symbols).union(*[h.free_symbols for h in hyps]) if hyps else set(e.free_symbols)
    out = []
    if g.net.output == "softmax" and syms & set(g.yhat):
        for yh, total in zip(g.examples(g.yhat), g.simplex_sums()):
            if syms & set(yh):                   # each example's ŷ sums to 1 (a batch: column by column)
                out.append(sp.Eq(total, 1))
                syms |= set(yh)
    return [r for s_, r in _ranges(g) if s_ in syms] + out


def _with_budget(ctx, a, b, inst):
    """The exact proof within what is left of the claim's symbolic budget ("budget" when it ran out)."""
    try:
        with ctx.symbolic.bound():
            return _try_prove(a.expr, b.expr, ctx.g, inst.conditions)
    except _Budget:
        return "budget", ()
