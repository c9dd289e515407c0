"""Decide one claim: proved / numerically-equal / refuted / error / inconclusive, with diagnoses.

The ladder is built so that no rung is reached by a guess:
- *proved* needs agreement at every numeric point (at 50 digits) first, then an exact symbolic zero
  (``closed_forms.prove_zero``) of every step's difference; a point where a denominator vanishes (0/0,
  even only up to rounding) is outside the domain, so an expression undefined everywhere is never proved.
- *refuted* needs a point where the sides differ at 50 digits, re-verified at 80 digits from the same
  exact rational inputs with the same difference (a difference that changes with the precision is
  rounding noise of an ill-conditioned expression: that point is unstable, not a counterexample).
  Exact rational values are compared exactly.
- *numerically-equal* needs agreement at >= ``points`` random points plus the kink and boundary points, at
  50 and at 80 digits (a slip of 10^{-40} hides inside the 50-digit tolerance), no stable nonzero value of
  the difference at two precisions chosen from the claim's constants (a slip of 10^{-200} hides at 80
  digits; beyond ``_TINY_MAX_DPS`` digits the claim is inconclusive), and an evaluated point exactly on
  every boundary of the claim: each condition of an indicator or φ', each argument of φ/φ' at a kink of
  the activation (``ActivationRule.kinks``), each corner of a max, each non-strict given.  Points on a
  boundary are solved exactly (rational, algebraic or closed-form values such as z = atanh(1/2)) and a
  comparison that rounding cannot decide there (a tie ŷ_1 = ŷ_2) is decided at the exact level.  A
  boundary with no such point makes the claim inconclusive, saying which.
"""
from __future__ import annotations

import itertools
import math
import random
import re
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction as _Fraction
from functools import lru_cache

import mpmath
import sympy as sp

from .closed_forms import prove_zero
from .derive import derive
from .errors import SymbackpropError
from .network import Network, graph
from .numeric import mp_function
from .points import NodeValues, Point, exact_values, force, force_layer, node_values, sample_point
from .regions import (atom_facts, exact_sign, is_exact_zero, prove_sign, region_empty, small_exp_degree, solve_real,
                      univariate_region)
from .rules import (ACTIVATIONS, HEADS, LOSSES, ONEHOT_SUM, OUTPUTS, in_interval, kink_conventions, phi,
                    phi_prime)

__all__ = ["CheckOptions", "ClaimResult", "check_claim", "VERDICTS", "DIAGNOSES"]

VERDICTS = ("proved", "numerically-equal", "refuted", "error", "inconclusive")
DIAGNOSES = {
    "sign": "The claim is the negative of the true value: a sign was flipped (e.g. y - ŷ instead of ŷ - y).",
    "transpose": "The claim equals the transpose of the true value: the factors are in the wrong order or a ^T is missing.",
    "missing-activation-derivative": "The claim is right without the factor ⊙ φ'(z): the activation's derivative was forgotten.",
    "wrong-layer": "The claim is the right formula for another layer: a layer index is off.",
    "constant-factor": "The claim is off by a constant factor (e.g. 2(ŷ - y) for the ½-scaled squared error).",
    "kink-convention": "The claim differs only exactly at a kink or indicator boundary (e.g. a pre-activation equal to 0): it uses another value there, such as φ'(0) = 1 or ≥ instead of >, than the convention.",
    "shape-mismatch": "The two sides have different shapes, so they cannot be equal.",
    "missing-assumption": "The claim holds only if the target sums to 1, which this loss does not assume.",
}
_RELATIONS = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b}
_STRICT = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
           ">=": lambda a, b: a >= b}
_RELATIONS.update(_STRICT)


@dataclass(frozen=True)
class CheckOptions:
    """Numeric effort and precision of a check."""
    points: int = 20          # random points (plus kink points)
    dps: int = 50             # working precision (digits)
    verify_dps: int = 80      # re-verification precision of a counterexample
    seed: int = 0
    symbolic_seconds: float | None = None   # one budget for the whole symbolic phase of a claim (workers only)
    max_candidates: int = 400  # random draws allowed to find points that satisfy `given`


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim and everything a student needs to act on it."""
    id: str
    claim: str
    verdict: str
    step: int | None = None
    message: str = ""
    diagnosis: str | None = None
    counterexample: dict | None = None
    assumptions: tuple = ()
    seconds: float = 0.0
    expect: bool = True
    given: tuple = ()
    read_as: str | None = None       # canonical LaTeX of the claim as parsed (ours, never the user's TeX)
    read_as_given: tuple = ()        # canonical LaTeX of each given, as parsed
    location: dict | None = None     # an error's token, its offset in the claim, the key and a certain fix

    @property
    def as_expected(self) -> bool:
        """Whether the verdict is what the file expects (proved/numerically-equal, or refuted)."""
        return self.verdict in ("proved", "numerically-equal") if self.expect else self.verdict == "refuted"

    def to_dict(self) -> dict:
        """JSON-ready dict (the ``--format json`` claim record)."""
        return {"id": self.id, "claim": self.claim, "given": list(self.given), "expect": self.expect,
                "verdict": self.verdict, "step": self.step, "message": self.message,
                "diagnosis": self.diagnosis, "counterexample": self.counterexample,
                "assumptions": list(self.assumptions), "seconds": round(self.seconds, 3),
                "as_expected": self.as_expected, "read_as": self.read_as,
                "read_as_given": list(self.read_as_given), "location": self.location}


class _Budget(Exception):
    """The symbolic phase ran out of its time budget."""


class _Clock:
    """One time allowance for a whole claim: each attempt gets what is left (not a fresh timer each time)."""

    def __init__(self, seconds):
        self.left = seconds

    @contextmanager
    def bound(self):
        """Run the block within what is left — an interval timer, only in a worker process's main thread."""
        if self.left is None or threading.current_thread() is not threading.main_thread() or not _IN_WORKER[0]:
            yield
            return
        if self.left <= 0:
            raise _Budget()

        def _raise(signum, frame):
            raise _Budget()

        t0 = time.monotonic()
        old = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, self.left)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
            self.left -= time.monotonic() - t0


_IN_WORKER = [False]
_F0 = _Fraction(0)
_EXACT_DIGITS = [400]      # precision cap of exact decisions (ties) for the claim being checked


def mark_worker():
    """Called in a worker process: the symbolic phase may then use an interval timer."""
    _IN_WORKER[0] = True


# ----------------------------------------------------------------------------------------------
# numeric evaluation


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
    """
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


@lru_cache(maxsize=4096)
def _relations(expr):
    """The conditions inside ``expr`` (memoised: the same sides are evaluated at many points)."""
    return tuple(expr.atoms(sp.core.relational.Relational))


@lru_cache(maxsize=4096)
def _denominators(expr):
    """(denominator, its expanded terms) for every negative power in ``expr`` (memoised)."""
    return tuple((pw.base, sp.Add.make_args(sp.expand(pw.base))) for pw in expr.atoms(sp.Pow) if pw.exp.is_negative)


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
        if abs(value) <= sp.Float(10, dps) ** (-(dps - 12)) * scale:
            return "domain" if _exact_sign(den, vals) == 0 else "undecided"
    return None


@lru_cache(maxsize=64)
def _tolerance(dps):
    return sp.Float(10) ** (-(dps - 12))


def _close(a, b, dps):
    if a.is_Rational and b.is_Rational:
        return a == b
    return abs(a - b) <= _tolerance(dps) * max(1, abs(a), abs(b))


@dataclass
class _Pt:
    point: Point
    vals: dict
    kink: bool = False
    probe: bool = False       # a scale probe: evidence when it decides, nothing when rounding cannot


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


# ----------------------------------------------------------------------------------------------
# point sets


def _z_index(g):
    """Map each pre-activation symbol (and ŷ of an identity head, which is z^(L)) to its (layer, unit)."""
    out = {s: (l, j) for l, vec in g.z.items() for j, s in enumerate(vec)}
    if OUTPUTS[g.net.output].linear:
        out.update({s: (g.net.L, j) for j, s in enumerate(g.yhat)})
    return out


def _kink_points(net, g, base):
    """Points where a whole hidden layer sits exactly at a kink of the activation (``ActivationRule.kinks``).

    One unit at a time is the boundary search's job (every φ'(z^(l)_j) of a claim is one of its boundaries).
    """
    out = []
    for l in range(1, net.L):
        for c in net.rule_of(l).kinks:
            value = _Fraction(sp.Rational(c).p, sp.Rational(c).q)
            q = force_layer(net, base[0], l, value)
            if q is not None:
                q.label = f"kink z^({l}) = {c}"
                out.append(q)
    return out


# ----------------------------------------------------------------------------------------------
# boundaries: every surface where a side of the claim can jump or bend, and points exactly on it

_MAX_BOUNDARY_INSTANCES = 256
_MAX_BOUNDARIES = 32
_POINTS_PER_BOUNDARY = 2
_MAX_CROSSINGS = 12       # points on two boundaries at once
_MAX_NEAR = 24            # points beside boundaries (beyond the random range: max(u, 3) = 3 fails for u > 3)


@dataclass(frozen=True)
class _Surface:
    """The set d = 0 where a claim can change: a condition's two sides meet (jump), the arguments of a
    max meet (corner), an argument of φ/φ' sits at a kink of the activation, or a non-strict given is tight."""
    key: object       # canonical form of d (the same surface written u - 1 or 1 - u)
    d: object         # node-level expression
    kind: str
    parts: tuple = ()  # d = Σ c_k f_k^2 (c_k > 0): the surface is where every f_k = 0 (an MSE loss of 0)

    @property
    def text(self):
        return f"{sp.sstr(self.d)} = 0"


def _canon(d):
    """A canonical form of the surface d = 0 (None for a constant: no surface)."""
    try:
        d = sp.expand(d) if _expanded_size(d) <= _EXPAND_TERMS else d
    except (TypeError, ValueError, RecursionError):
        return None
    if not d.free_symbols or d.has(sp.nan, sp.zoo):
        return None
    _, d = d.as_content_primitive()
    if d.could_extract_minus_sign():
        d = -d
    return d


def _surfaces_in(expr, generic, net, kind_jump="jump"):
    """The surfaces of one (concretized) expression and its generic form: [(d, kind)]."""
    out = []
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            out += [(rel.lhs - rel.rhs, kind_jump) for rel in cond.atoms(sp.core.relational.Relational)]
    for m in expr.atoms(sp.Max, sp.Min):
        args = list(m.args)
        out += [(a - b, "corner") for i, a in enumerate(args) for b in args[i + 1:]]
    out += [(f.args[0], "corner") for f in expr.atoms(sp.Abs, sp.sign, sp.Heaviside)]
    if generic is not None:
        layer = {s: l for l in range(1, net.L) for s in graph(net).z[l]}
        every = {c for name in net.activation_names for c in ACTIVATIONS[name].kinks}
        for f in generic.atoms(phi, phi_prime):     # the argument's layer's kinks (every kink if it is not a z)
            kinks = net.rule_of(layer[f.args[0]]).kinks if f.args[0] in layer else sorted(every)
            out += [(f.args[0] - c, "jump") for c in kinks]
    return out


def _add_surfaces(out, pairs):
    for d, kind, *parts in sorted(pairs, key=lambda t: (t[1], sp.default_sort_key(t[0]))):   # a fixed order
        key = _canon(d)
        if key is not None and key not in out:
            out[key] = _Surface(key, key, kind, tuple(parts[0]) if parts else ())


def _square_parts(e):
    """(f_1, ..., f_n) when e = k Σ c_i f_i^{2m_i} with constants c_i of one sign (n >= 2), else ()."""
    k, inner = e.as_coeff_Mul()
    if not inner.is_Add or len(inner.args) > 16:
        return ()
    parts, signs = [], set()
    for t in inner.args:
        c, f = t.as_coeff_Mul()
        if not (f.is_Pow and f.exp.is_Integer and f.exp > 0 and f.exp % 2 == 0 and f.base.free_symbols):
            return ()
        signs.add(c > 0)
        parts.append(f.base)
    return tuple(parts) if len(signs) == 1 and len(parts) >= 2 else ()


def _relation_pairs(ctx, a, b):
    """[(A_i - B_i, "relation")] for every entry of an inequality step (same shapes only)."""
    if a.expr is None or b.expr is None or a.expr.shape != b.expr.shape:
        return []
    A, B = ctx.conc(a.expr), ctx.conc(b.expr)
    return [(A[i] - B[i], "relation", _square_parts(A[i] - B[i])) for i in range(len(A))]


def _given_surfaces(conds, conc):
    """The boundary of each non-strict given (lhs <= rhs is tight on lhs = rhs), and the surfaces inside it."""
    out = []
    for lhs, op, rhs in conds:
        L, R = conc(lhs), conc(rhs)
        if op in ("<=", ">=", "="):
            out.append((L - R, "given"))
        out += _surfaces_in(L, None, None) + _surfaces_in(R, None, None)
    return out


def _pullback(g, d):
    """d over pre-activations: ŷ = head(z^(L)) and a^(l) = φ(z^(l)) with the concrete activation."""
    if d.free_symbols & set(g.yhat):
        d = d.xreplace(dict(zip(g.yhat, g.yhat_def)))
    for l in range(g.net.L - 1, 0, -1):
        if d.free_symbols & set(g.a[l]):
            d = d.xreplace({a: g.concretize(phi(z)) for a, z in zip(g.a[l], g.z[l])})
    return d


def _z_nodes(g):
    return {s: (l, j) for l, vec in g.z.items() for j, s in enumerate(vec)}


def _exact_value(v):
    """A Fraction for a rational SymPy number, else the exact SymPy number itself."""
    return _Fraction(int(v.p), int(v.q)) if v.is_Rational else v


def _on_surface(d, vals, dps):
    """Whether the point of ``vals`` lies exactly on d = 0."""
    v = _sub(d, vals)
    if v.is_Rational:
        return v == 0
    try:
        v = sp.N(v, dps)
    except (TypeError, ValueError):
        return False
    if not (v.is_number and v.is_real) or abs(v) > sp.Float(10) ** (-(dps - 15)):
        return False
    return _exact_sign(d, vals) == 0


def _set_variable(ctx, q, s_, value):
    """A copy of ``q`` with the settable variable ``s_`` set exactly to ``value`` (None if impossible)."""
    zn = _z_nodes(ctx.g)
    if s_ in zn:
        return force(ctx.net, q, *zn[s_], value)
    if s_ in ctx.scalars:
        return replace(q, scalars={**q.scalars, s_: value})
    where = _primitive_index(ctx.g)[s_]
    if where[0] == "y" and LOSSES[ctx.net.loss].target == "probability":
        v = sp.Rational(value.numerator, value.denominator) if isinstance(value, _Fraction) else value
        if exact_sign(v) not in (0, 1) or exact_sign(v - 1) not in (0, -1):
            return None                          # a probability target (BCE) stays in [0, 1]
    return _set_primitive(q, where, value)


def _solutions_on(ctx, S, p, limit=3, avoid=(), only=None):
    """[(point before, variable, exact value)] that put ``p`` exactly on the surface S: solve d = 0 for one
    settable variable (a pre-activation — forced —, a scalar, an input, weight or bias; ``only``: that one)
    with the others held at exact values (other pre-activations first made exact rationals), each solution
    exact (``regions.solve_real``: rational, algebraic or a closed form such as atanh(1/2); else a root found
    numerically and recognised as a short rational or quadratic irrational, verified exactly)."""
    g = ctx.g
    d = _pullback(g, S.d)
    zn = _z_nodes(g)
    free = d.free_symbols
    order = _settable(ctx, free)
    order = [v for v in order if v not in avoid] + [v for v in order if v in avoid]
    if only is not None:
        order = [only] if only in order else []
    for s_ in order[:3]:
        q = p
        for v in sorted(free & set(zn), key=lambda v: zn[v]):       # decouple the other pre-activations
            if v == s_:
                continue
            cur = node_values(g, q, 30)[v]
            if not cur.is_Rational:
                q = force(ctx.net, q, *zn[v], _Fraction(int(sp.floor(cur * 4096)), 4096))
                if q is None:                    # no bias to set it with (bias: false)
                    break
        if q is None:
            continue
        ex = exact_values(g, q)
        try:
            d1 = d.xreplace({v: ex[v] for v in free if v != s_ and v in ex})
            roots = solve_real(d1, s_) if d1.free_symbols == {s_} else None
            if roots is None and d1.free_symbols == {s_}:
                roots = _recognised_roots(d1, s_)
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError, NotImplementedError):
            roots = None
        if roots:
            return [(q, s_, r) for r in roots[:limit]]
    return []


_ROOT_GRID = [sp.Rational(k, 8) for k in range(-64, 65)]


def _recognised_roots(d, s_, limit=3):
    """Roots of d(s) = 0 that no closed form gives (log(u) = u - 1 touches at u = 1): sign changes and
    local minima of |d| on a grid over [-8, 8], refined at 40 digits and recognised as a rational with a
    small denominator or a quadratic irrational; only those that make d exactly 0 (``is_exact_zero``)."""
    if not small_exp_degree(d):         # verifying a candidate exactly would build a huge polynomial
        return None
    try:
        f = mp_function(s_, d)
    except (TypeError, ValueError, SyntaxError, NameError, RecursionError):
        return None
    with mpmath.workdps(40):
        def val(x):
            try:
                v = f(mpmath.mpf(x.p) / x.q if isinstance(x, sp.Rational) else x)
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                return None
            return v if isinstance(v, mpmath.mpf) and mpmath.isfinite(v) else None
        vals = [(x, val(x)) for x in _ROOT_GRID]
        cands = []
        for (x0, v0), (x1, v1), (x2, v2) in zip(vals, vals[1:], vals[2:]):
            if v1 is None:
                continue
            if v1 == 0:
                cands.append(mpmath.mpf(x1.p) / x1.q)
            elif v0 is not None and v2 is not None and abs(v1) <= abs(v0) and abs(v1) <= abs(v2):
                cands.append(_golden_min(lambda t: abs(val(t)) if val(t) is not None else mpmath.inf,
                                         mpmath.mpf(x0.p) / x0.q, mpmath.mpf(x2.p) / x2.q))
            if v0 is not None and v0 * v1 < 0:
                try:
                    cands.append(mpmath.findroot(lambda t: f(t), (mpmath.mpf(x0.p) / x0.q, mpmath.mpf(x1.p) / x1.q),
                                                 solver="anderson"))
                except (ValueError, ZeroDivisionError, TypeError):
                    pass
        out = []
        for c in cands[:16]:
            if c is None or not mpmath.isfinite(c):
                continue
            guesses = [sp.Rational(*_Fraction(mpmath.nstr(c, 30)).limit_denominator(1000).as_integer_ratio())]
            try:
                guesses.append(sp.nsimplify(sp.Float(mpmath.nstr(c, 30), 30), tolerance=sp.Float(10) ** -15))
            except (TypeError, ValueError, ZeroDivisionError):
                pass
            for r in guesses:
                if r in out or abs(float(r) - float(c)) > 1e-9:
                    continue
                try:
                    if is_exact_zero(d.xreplace({s_: r})):
                        out.append(r)
                except (TypeError, ValueError, ZeroDivisionError, RecursionError):
                    pass
            if len(out) >= limit:
                break
        return out


def _golden_min(fn, a, b, steps=120):
    """The minimiser of a unimodal ``fn`` on [a, b] (golden section)."""
    g = (mpmath.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = fn(c), fn(d)
    for _ in range(steps):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = fn(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = fn(d)
    return (a + b) / 2


def _settable(ctx, free):
    """The variables among ``free`` a point can be given any value of, in the order they are tried:
    pre-activations (top layer first: forced exactly), the claim's scalars, then targets (where the loss
    allows real ones), inputs, biases and weights."""
    zn, prim = _z_nodes(ctx.g), _primitive_index(ctx.g)
    return sorted(free & set(zn), key=lambda v: (-zn[v][0], zn[v][1])) + \
        sorted(free & set(ctx.scalars), key=lambda v: v.name) + \
        sorted(free & set(prim), key=lambda v: ("yxbW".index(prim[v][0]), prim[v][1:]))


_PROBE_VALUES = (16, 128)                     # e^{-128} is still seen at the 80-digit re-verification
_PROBE_VALUES_ALGEBRAIC = (16, 128, 1024, 2 ** 20)
_MAX_PROBE_VARS = 8


def _probe_points(ctx, ok):
    """Scale probes for inequalities: each settable variable of an equality surface (pulled back to
    pre-activations) set alone to ±16 and ±128, and, where the surface is algebraic (no exp, log or tanh
    that large values would saturate), to ±1024 and ±2^20 too: a bound such as L < 100 or u^2 <= 10^6
    fails only far from the random points.  Probes rounding cannot decide are dropped, never counted."""
    found = {}
    for S in ctx.relations:
        d = _pullback(ctx.g, S.d)
        algebraic = not d.has(sp.exp, sp.log, sp.tanh)
        for v in _settable(ctx, d.free_symbols):
            found[v] = found.get(v, True) and algebraic
    out = []
    for v in list(found)[:_MAX_PROBE_VARS]:
        for mag in (_PROBE_VALUES_ALGEBRAIC if found[v] else _PROBE_VALUES):
            for sign in (1, -1):
                q = _set_variable(ctx, ctx.base[0], v, _Fraction(sign * mag))
                val = ok(q) if q is not None else None
                if val is not None:
                    q.label, q.surface = f"probe {v.name} = {sign * mag}", None
                    out.append(_Pt(q, val, probe=True))
    return out


def _points_on(ctx, S, p, limit=3, avoid=()):
    """Points exactly on the surface S built from ``p``, each verified on S at the exact level.

    A sum of squares is 0 where each square is: its parts are solved one after another, each for a
    variable the earlier ones do not use."""
    if S.parts:
        q, used = p, set(avoid)
        for f in S.parts:
            key = _canon(f)
            if key is None:
                return []
            found = _points_on(ctx, _Surface(key, key, S.kind), q, 1, used)
            if not found:
                return []
            q = found[0]
            used |= _pullback(ctx.g, key).free_symbols
        if not _on_surface(S.d, node_values(ctx.g, q, ctx.opts.dps), ctx.opts.dps):
            return []
        q.label, q.surface = f"boundary {S.text} (each square 0)", (S.key,)
        return [q]
    out = []
    for q, s_, r in _solutions_on(ctx, S, p, limit, avoid):
        q2 = _set_variable(ctx, q, s_, _exact_value(r))
        if q2 is None or not _on_surface(S.d, node_values(ctx.g, q2, ctx.opts.dps), ctx.opts.dps):
            continue
        q2.label, q2.surface = f"boundary {S.text} ({s_.name} = {sp.sstr(r)})", (S.key,)
        out.append(q2)
    return out


def _near_points(ctx, S, p, offset):
    """Points at ``offset`` on either side of a boundary (max(u, 3) = 3 fails only beyond u = 3)."""
    out = []
    for q, s_, r in _solutions_on(ctx, S, p, 2):
        if not r.is_Rational:
            r = sp.Rational(sp.floor(r * 64), 64)
        for side in (-1, 1):
            value = _exact_value(r) + side * offset
            q2 = _set_variable(ctx, q, s_, value)
            if q2 is not None:
                q2.label, q2.surface = f"near {S.text} ({s_.name} = {value})", None
                out.append(q2)
    return out


def _primitive_index(g):
    """x, W, b (and y unless the target is one-hot) symbols -> where they live in a Point."""
    out = {s: ("x", i) for i, s in enumerate(g.x)}
    if LOSSES[g.net.loss].target != "one-hot":
        out.update({s: ("y", i) for i, s in enumerate(g.y)})
    for k, (W, b) in enumerate(zip(g.W, g.b)):
        out.update({W[i, j]: ("W", k, i, j) for i in range(W.rows) for j in range(W.cols)})
        out.update({s: ("b", k, i) for i, s in enumerate(b)})
    return out


def _set_primitive(p, where, value):
    """A copy of ``p`` with one input, target, weight or bias set to ``value``."""
    x, W, b, y = list(p.x), [[list(r) for r in Wk] for Wk in p.W], [list(r) for r in p.b], list(p.y)
    if where[0] == "y":
        y[where[1]] = value
        return Point(x, y, W, b, dict(p.scalars), dict(p.forced), p.label)
    if where[0] == "x":
        x[where[1]] = value
    elif where[0] == "W":
        W[where[1]][where[2]][where[3]] = value
    else:
        b[where[1]][where[2]] = value
    return Point(x, list(p.y), W, b, dict(p.scalars), {}, p.label)


def _scalar_kinks(net, base, scalars):
    """Points where a free scalar variable sits at 0 or at a kink of a hidden activation (``ActivationRule.kinks``):
    φ'(u), indicators and max of u break there."""
    values = sorted({_F0} | {_Fraction(sp.Rational(c).p, sp.Rational(c).q)
                             for name in net.activation_names for c in ACTIVATIONS[name].kinks})
    out = []
    for s in scalars:
        for c in values:
            for p in base[:2]:
                out.append(replace(p, scalars={**p.scalars, s: c}, label=f"kink {s.name} = {c}"))
    return out


def _forced_for_conditions(net, g, conds, p, rng):
    """Shift biases so that simple conditions on pre-activations (z^(l)_j op c) hold at ``p``."""
    zi = _z_index(g)
    q = p
    for lhs, op, rhs in conds:
        if lhs in zi and rhs.is_Rational and (op in _STRICT or op == "="):
            l, j = zi[lhs]
            c = _Fraction(int(rhs.p), int(rhs.q))
            delta = _Fraction(rng.randint(1, 128), 64)
            target = {"<": c - delta, "<=": c - delta, ">": c + delta, ">=": c + delta, "=": c}[op]
            q = force(net, q, l, j, target)
            if q is None:
                return None
    return q


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
_ATOM_OP = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}


def _injective_pullback(g, conds):
    """Equalities implied by equality givens through injective maps: ŷ_i = ŷ_j gives z^(L)_i = z^(L)_j (a
    softmax's ratio is e^{z_i - z_j}, a sigmoid or identity head is injective), a^(l)_i = a^(l)_j gives
    z^(l)_i = z^(l)_j for an injective activation (tanh, sigmoid, leaky ReLU; not ReLU).  Added beside the
    given (the region is unchanged), they let a proof substitute one pre-activation for the other."""
    net = g.net
    pairs = list(zip(g.examples(g.yhat), g.examples(g.z[net.L]))) if OUTPUTS[net.output].injective else []
    pairs += [(g.a[l], g.z[l]) for l in range(1, net.L) if net.rule_of(l).injective(net)]
    out = []
    for lhs, op, rhs in conds:
        if op != "=":
            continue
        for outs, pre in pairs:
            index = {s_: k for k, s_ in enumerate(outs)}
            if lhs in index and rhs in index and lhs != rhs:
                c = (pre[index[lhs]], "=", pre[index[rhs]])
                if c not in conds and c not in out:
                    out.append(c)
    return out


def _normalize_conditions(conds, g=None):
    """The givens rewritten into an equivalent simpler form, so that every writing of one region behaves
    alike: the conditions on one variable alone (a polynomial with rational coefficients in it: ``0 >= z``,
    ``-z >= 0``, ``z^2 <= 0``, two givens ``u <= 0, u >= 0``) are replaced by the exact set they describe —
    ``z <= 0``, ``z = 0``, ``u = 0``, a pair of bounds — or kept as written when that set is several pieces.
    An empty set keeps the givens as written (no point satisfies them: the claim is never proved).  Exact:
    the cells of the polynomials (``regions.univariate_region``)."""
    by_sym, order, rest = {}, [], []
    for lhs, op, rhs in conds:
        try:
            d = sp.expand(lhs - rhs) if _expanded_size(lhs - rhs) <= 64 else None
        except (TypeError, ValueError, RecursionError):
            d = None
        syms = d.free_symbols if d is not None else set()
        if d is not None and len(syms) == 1 and op in _ATOM_OP and not d.has(sp.Piecewise, sp.Max, sp.Min) \
                and d.is_polynomial(*syms):
            s_ = next(iter(syms))
            if s_ not in by_sym:
                by_sym[s_] = []
                order.append(s_)
            by_sym[s_].append(((lhs, op, rhs), (d, _ATOM_OP[op])))
        else:
            rest.append((lhs, op, rhs))
    out = []
    for s_ in order:
        items = by_sym[s_]
        desc = univariate_region([atom for _, atom in items], s_)
        if desc is None or desc[0] in ("empty", "union") or (desc[0] == "points" and len(desc[1]) > 1):
            out += [c for c, _ in items]
        elif desc[0] == "points":
            out.append((s_, "=", desc[1][0]))
        else:
            _, lo, lo_closed, hi, hi_closed = desc
            if lo is not None:
                out.append((s_, ">=" if lo_closed else ">", lo))
            if hi is not None:
                out.append((s_, "<=" if hi_closed else "<", hi))
    out = out + rest
    return tuple(out + (_injective_pullback(g, out) if g is not None else []))


def _domain_conditions(ctx, inst):
    """Where the claim is defined, as conditions for building points (never for the verdict): every
    logarithm's argument is positive, and a guarded piece (log of 1 - σ, written only where σ < 1) holds
    its guard.  Points are then drawn inside the domain instead of counted as rejected."""
    out = []
    for side in inst.sides:
        if side.expr is None:
            continue
        for e in ctx.conc(side.expr):
            for a in e.atoms(sp.log):
                if a.free_symbols and len(a.args) == 1:
                    c = (a.args[0], ">", sp.Integer(0))
                    if c not in out:
                        out.append(c)
            for pw in e.atoms(sp.Piecewise):
                if len(pw.args) == 1 and isinstance(pw.args[0][1], sp.core.relational.Relational):
                    rel = pw.args[0][1]
                    op = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}.get(rel.rel_op)
                    if op and rel.free_symbols and (rel.lhs, op, rel.rhs) not in out:
                        out.append((rel.lhs, op, rel.rhs))
    return tuple(out[:8])


def _constructed(ctx, conds, p, rng):
    """A copy of ``p`` moved into the region of ``conds`` by construction, or None: each condition that
    does not hold is solved for a settable variable (``_solutions_on``) and the variable is put exactly on
    it (an equality: ŷ_1 = ŷ_2 by z^(L)_1) or a random step to the side where it holds."""
    q = p
    for cond in conds:
        lhs, op, rhs = cond
        if _cond_ok((cond,), node_values(ctx.g, q, ctx.opts.dps), ctx.opts.dps):
            continue
        key = _canon(lhs - rhs)
        if key is None or op == "!=":
            return None
        placed = False
        for q0, s_, r in _solutions_on(ctx, _Surface(key, key, "given"), q, 3):
            if op == "=":
                cands = [r]
            else:
                base = r if r.is_Rational else sp.Rational(int(sp.floor(r * 64)), 64)
                step = sp.Rational(rng.randint(1, 128), 64)
                cands = [base - step, base + step, r - step, r + step]
            for c in cands:
                q2 = _set_variable(ctx, q0, s_, _exact_value(c))
                if q2 is not None and _cond_ok((cond,), node_values(ctx.g, q2, ctx.opts.dps), ctx.opts.dps):
                    q, placed = q2, True
                    break
            if placed:
                break
        if not placed:
            return None
    q.label = "random (moved into the givens)"
    return q


def _cell_points(ctx, conds, surfaces, seed, ok, limit):
    """Points between a given's bound and a boundary of the claim on the same variable (z < 10^{-30} with
    the kink z = 0: the cell 0 < z < 10^{-30} holds a false claim), at the exact midpoint."""
    out = []
    simple = [(lhs, op, rhs) for lhs, op, rhs in conds if isinstance(lhs, sp.Symbol) and op in _STRICT and
              not rhs.free_symbols and lhs in set(_settable(ctx, {lhs}))]
    for lhs, op, rhs in simple:
        for S in surfaces:
            if len(out) >= limit:
                return out
            if S.kind == "given" or lhs not in _pullback(ctx.g, S.d).free_symbols:
                continue
            for q0, s_, r in _solutions_on(ctx, S, seed, 4, only=lhs):
                if r == rhs:
                    continue
                m = (r + rhs) / 2
                q = _set_variable(ctx, q0, s_, _exact_value(m))
                v = ok(q) if q is not None else None
                if v is not None:
                    q.label, q.surface = f"between {S.text} and the given {lhs.name} {op} {rhs}", None
                    out.append(_Pt(q, v))
    return out


def _boundary_for_conditions(net, g, conds, p):
    """The boundary point (z^(l)_j = c exactly) of non-strict simple conditions, if any."""
    zi = _z_index(g)
    q, hit = p, False
    for lhs, op, rhs in conds:
        if lhs in zi and rhs.is_Rational and op in ("<=", ">="):
            l, j = zi[lhs]
            q = force(net, q, l, j, _Fraction(int(rhs.p), int(rhs.q)))
            hit = True
            if q is None:
                return None
            q.label = f"boundary of the given ({lhs.name} = {rhs})"
    return q if hit else None


# ----------------------------------------------------------------------------------------------
# symbolic phase


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


def _try_prove(lhs, rhs, g, conds, opts):
    """Exact proof of lhs = rhs (generic, then concrete activation, then down to primitives).

    The givens bound the proof twice: sign conditions on a symbol become a symbol with that sign, and the
    whole conjunction is the region where a case split must vanish (``prove_zero(region=...)``).
    """
    net = g.net
    head = HEADS[(net.output, net.loss)]
    cond_subs = _fresh_condition_symbols(conds)
    diff = (lhs - rhs)
    stages = [("generic", lambda e: e), ("concrete activation", g.concretize),
              ("forward pass substituted", g.to_primitives)]
    tried = []
    for stage, fn in stages:
        e = diff.applyfunc(fn)
        region = _given_region(conds, fn, cond_subs)
        facts = [r for s_, r in _ranges(g) if s_ in e.free_symbols]    # 0 < ŷ < 1, -1 < tanh < 1, ...
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
    return None, ()


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
    if e is sp.true or e is sp.false:
        v = bool(e)
    elif isinstance(e, sp.core.relational.Relational):
        if e.rel_op not in _CMP:
            raise _Unknown()
        v = _CMP[e.rel_op](_opaque_value(e.lhs, vals), _opaque_value(e.rhs, vals))
    elif isinstance(e, (sp.And, sp.Or)):
        parts = [_opaque_value(a, vals) for a in e.args]
        v = all(parts) if isinstance(e, sp.And) else any(parts)
    elif isinstance(e, sp.Not):
        v = not _opaque_value(e.args[0], vals)
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
        if e.is_integer is not None or e.is_zero is not None and e.is_zero or e.is_rational is False:
            raise _Unknown()                 # only real symbols (with or without a sign) get a value here
        draw = random.Random(f"{e.name}:{vals['salt']}")
        v = _Fraction(draw.randint(1, 999), draw.randint(1000, 1999))        # in (0, 1)
        lo, hi = vals["bounds"].get(e, (None, None))
        if lo is not None and hi is not None:
            v = lo + (hi - lo) * v
        elif lo is not None:
            v = lo + v
        elif hi is not None:
            v = hi - v
        elif e.is_negative or e.is_nonpositive or not (e.is_positive or e.is_nonnegative) and draw.random() < 0.5:
            v = -v
    elif e.is_Add:
        v = sum((_opaque_value(a, vals) for a in e.args), _F0)
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


def _constant_scale(e):
    """Digits that a constant written in ``e`` carries: |log10| of its size (10^{-200}: 200; e^{-10^4}:
    4343), for a rational the size of its numerator and denominator (1 + 10^{-200}: 200), and for an
    exponential of a large constant the digits it can hide beside 1 (σ(1000) = 1/(1 + e^{-1000}) differs
    from 1 by 10^{-435}: |argument| / ln 10, twice that for tanh)."""
    out = 0.0
    stack = [e]
    while stack:
        x = stack.pop()
        if x.is_Rational:
            out = max(out, len(str(abs(x.p))) - 1, len(str(x.q)) - 1)
            continue
        if not x.free_symbols and x.is_number and not x.is_Atom:
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


def _claim_digits(instances, given_exprs=()):
    """Digits for exact decisions of this claim: enough to see its smallest constant, with margin."""
    scale = 0.0
    for inst in instances[:_MAX_BOUNDARY_INSTANCES]:
        for side in inst.sides:
            if side.expr is not None:
                scale = max([scale] + [_constant_scale(e) for e in side.expr])
        for lhs, _, rhs in inst.conditions:
            scale = max(scale, _constant_scale(lhs), _constant_scale(rhs))
    return int(min(_TINY_MAX_DPS, max(400, 2 * scale + 100)))


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
            if v1 is not None and v2 is not None and _nonzero(v2) and abs(v1 - v2) <= abs(v2) * sp.Float(10) ** -6 \
                    and _VIOLATED[op](v2):
                return p, idx, v2, p1, p2
    return None


# ----------------------------------------------------------------------------------------------
# diagnoses


def _alternatives(side, d, net):
    """Values the reference side could be confused with, keyed by diagnosis."""
    q = side.quantity
    alts = []
    if not q:
        return alts
    kind, rest = q[0], q[1:]
    comp = rest[-1] if rest and isinstance(rest[-1], tuple) else None
    layer = rest[0] if rest and not isinstance(rest[0], tuple) else None

    def pick(M):
        if comp is None:
            return M
        return sp.Matrix([[M[comp] if len(comp) == 2 else M[comp[0]]]])

    if kind == "delta" and layer is not None and layer in d.dL_da:
        alts.append(("missing-activation-derivative", pick(d.dL_da[layer])))
    table = {"delta": (lambda l: d.delta[l], list(d.delta)),
             "grad_W": (d.grad_W_label, list(net.param_labels())),
             "grad_b": (d.grad_b_label, list(net.param_labels()))}
    if kind in table and layer is not None:
        get, layers = table[kind]
        for other in layers:
            if other != layer:
                try:
                    alts.append(("wrong-layer", pick(get(other))))
                except (IndexError, ValueError):
                    pass
    return alts


def _diagnose(ctx, ref_side, other_side, pts, kink_only):
    """The known mistake that explains a refutation, or None."""
    if kink_only:
        return "kink-convention"
    g, d, net, dps = ctx.g, ctx.d, ctx.net, ctx.opts.dps
    ref, other = ctx.conc(ref_side.expr), ctx.conc(other_side.expr)
    rand = [p for p in pts if not p.kink][:6]
    if ref.shape != other.shape:
        if ref.shape == other.shape[::-1] and all(_holds("=", ref.T, other, p.vals, dps)[0] for p in rand):
            return "transpose"
        return _match_alternative(ctx, ref_side, other, rand) or "shape-mismatch"
    if all(_holds("=", -ref, other, p.vals, dps)[0] for p in rand):
        return "sign"
    if ref.shape[0] == ref.shape[1] and ref.shape[0] > 1 and \
            all(_holds("=", ref.T, other, p.vals, dps)[0] for p in rand):
        return "transpose"
    found = _match_alternative(ctx, ref_side, other, rand) or _layer_shift(ctx, ref, other_side, rand)
    if found:
        return found
    ratio = _constant_ratio(ref, other, rand, dps)
    if ratio is not None:
        return "constant-factor"
    if LOSSES[net.loss].target != "one-hot":
        diff = (ref - other).applyfunc(lambda e: ONEHOT_SUM.apply(e, g))
        if all(_holds("=", diff, sp.zeros(*diff.shape), p.vals, dps)[0] for p in rand):
            return "missing-assumption"
    return None


def _match_alternative(ctx, ref_side, other, rand):
    """The diagnosis of the first known confusion (other layer, no φ') that equals ``other``."""
    for name, alt in _alternatives(ref_side, ctx.d, ctx.net):
        alt = ctx.conc(alt)
        if alt.shape == other.shape and all(_holds("=", alt, other, p.vals, ctx.opts.dps)[0] for p in rand):
            return name
    return None


def _layer_families(g):
    """Per family (a, z, W, b): layer -> the flat list of its symbols (a^(0) is x)."""
    L = g.net.L
    return [{m: list(g.a[m]) for m in range(L)}, {m: list(g.z[m]) for m in range(1, L + 1)},
            {k: list(W) for k, W in enumerate(g.W)}, {k: list(b) for k, b in enumerate(g.b)}]


def _layer_shift(ctx, ref, other_side, rand):
    """"wrong-layer" when ``other`` equals ``ref`` once one quantity's layer index is moved (a^(L-2) -> a^(L-1))."""
    used = other_side.expr.free_symbols
    for family in _layer_families(ctx.g):
        present = [m for m, syms in family.items() if used & set(syms)]
        for m in present:
            for m2, syms2 in family.items():
                if m2 == m or len(syms2) != len(family[m]):
                    continue
                shifted = ctx.conc(other_side.expr.xreplace(dict(zip(family[m], syms2))))
                if shifted.shape == ref.shape and \
                        all(_holds("=", ref, shifted, p.vals, ctx.opts.dps)[0] for p in rand):
                    return "wrong-layer"
    return None


def _constant_ratio(ref, other, pts, dps):
    ratio = None
    for p in pts:
        for idx in range(len(ref)):
            a, b = _value(ref[idx], p.vals, dps), _value(other[idx], p.vals, dps)
            if a is None or b is None:
                return None
            if abs(a) < sp.Float(10) ** -20:
                if abs(b) > sp.Float(10) ** -20:
                    return None
                continue
            r = b / a
            if ratio is None:
                ratio = r
            elif not _close(r, ratio, dps):
                return None
    if ratio is None or _close(ratio, sp.Integer(1), dps) or abs(ratio) < sp.Float(10) ** -20:
        return None
    return ratio


# ----------------------------------------------------------------------------------------------
# the claim


def _fmt(v):
    if v is None:
        return None
    if isinstance(v, sp.Rational):
        return str(v)
    return sp.Float(v, 12).__str__()


def _relevant(expr_mats, vals, limit=12):
    syms = set()
    for M in expr_mats:
        syms |= M.free_symbols
    out = {}
    for s in sorted((s for s in syms if s in vals), key=_value_order)[:limit]:
        if s in vals:
            out[s.name] = _fmt(vals[s])
    return out


_VALUE_ORDER = ("yhat", "y", "z", "a", "delta", "x", "b", "W")


def _value_order(s):
    """Order of a counterexample's values (presentation): the intermediate values a claim mentions (ŷ, y, z,
    a) before the parameters, which the complete point lists anyway; a claim's own scalars first."""
    m = re.match(r"([A-Za-z]+?)(\d*)_", s.name)
    kind = _VALUE_ORDER.index(m.group(1)) if m and m.group(1) in _VALUE_ORDER else -1
    return kind, s.name


def _with_point(ce, g, vals, expr_mats):
    """``ce`` with the complete point (x, y, every W and b, the claim's scalars; presentation only: the
    point is the one already decided) and how many values the claim mentions (``values`` is cut at 12)."""
    syms = set()
    for M in expr_mats:
        syms |= M.free_symbols
    net = g.net
    ce["values_total"] = sum(1 for s in syms if s in vals)
    ce["point_values"] = {
        "x": [_fmt(vals[s]) for s in g.x], "y": [_fmt(vals[s]) for s in g.y],
        "W": {str(net.param_label(k)): [[_fmt(vals[W[i, j]]) for j in range(W.cols)] for i in range(W.rows)]
              for k, W in enumerate(g.W)},
        "b": {str(net.param_label(k)): [_fmt(vals[s]) for s in b] for k, b in enumerate(g.b)},
        "scalars": {s.name: _fmt(vals[s]) for s in sorted(vals.point.scalars, key=lambda s: s.name)
                    if s in vals} if hasattr(vals, "point") else {}}
    return ce


def _entry_name(shape, idx):
    r, c = divmod(idx, shape[1])
    return f"[{r + 1}]" if shape[1] == 1 else f"[{r + 1},{c + 1}]"


class _Ctx:
    """Shared state of one claim check: network, derivation, points."""

    def __init__(self, net, parsed, opts, instances=()):
        self.net, self.parsed, self.opts = net, parsed, opts
        self.g, self.d = graph(net), derive(net)
        self.rng = random.Random(opts.seed)
        self.scalars = parsed.scalar_symbols()      # of the claim and its givens, in every instance
        self._sampled = None           # (base, kinks): drawn on first use (a shape claim needs no points)
        self._conc = {}
        self.kink_used = False
        self.symbolic = _Clock(opts.symbolic_seconds)
        # the exact-difference check is numeric work with its own allowance; running out is inconclusive
        self.tiny_clock = _Clock(None if opts.symbolic_seconds is None else max(2.0, 0.5 * opts.symbolic_seconds))
        self._step_surfaces, self._on = {}, {}
        self.relations = self._relation_surfaces(instances)
        self.surfaces = self._claim_surfaces(instances)
        self.digits = _claim_digits(instances, given_exprs=())

    @property
    def base(self):
        """The random points (the first draws of ``rng``)."""
        return self._sample()[0]

    @property
    def kinks(self):
        """Points with a whole hidden layer at a kink, and free scalars at 0 or a kink."""
        return self._sample()[1]

    def _sample(self):
        if self._sampled is None:
            key = (self.net, self.opts.seed, self.opts.points, self.opts.dps)
            if not self.scalars and key in _SAMPLED:            # drawn before in this process (or its parent)
                base, kinks, state = _SAMPLED[key]
                self.rng.setstate(state)
                self._sampled = ([_copy_point(p) for p in base], [_copy_point(p) for p in kinks])
            else:
                base = [sample_point(self.net, self.rng, self.scalars) for _ in range(self.opts.points)]
                self._sampled = (base, _kink_points(self.net, self.g, base) + _scalar_kinks(self.net, base, self.scalars))
                if not self.scalars:
                    _SAMPLED[key] = tuple([_copy_point(p) for p in pts] for pts in self._sampled) + \
                        (self.rng.getstate(),)
        return self._sampled

    def _relation_surfaces(self, instances):
        """The equality surface A_i - B_i = 0 of every entry of every inequality step (first instances):
        where an inequality can turn, so a boundary like any other, and the one a strict inequality fails on."""
        out = {}
        for inst in instances[:_MAX_BOUNDARY_INSTANCES]:
            for k, op in enumerate(inst.ops):
                if op in _STRICT and len(out) < _MAX_BOUNDARIES:
                    _add_surfaces(out, _relation_pairs(self, inst.sides[k], inst.sides[k + 1]))
        return list(out.values())[:_MAX_BOUNDARIES]

    def _claim_surfaces(self, instances):
        """Every surface of every (first ``_MAX_BOUNDARY_INSTANCES``) instance's sides, in a fixed order
        (the equality surfaces of inequalities first)."""
        out = {S.key: S for S in self.relations}
        for inst in instances[:_MAX_BOUNDARY_INSTANCES]:
            for side in inst.sides:
                if side.expr is not None and len(out) < _MAX_BOUNDARIES:
                    _add_surfaces(out, _surfaces_in(self.conc(side.expr), side.expr, self.net))
        return list(out.values())[:_MAX_BOUNDARIES]

    def step_surfaces(self, a, b, conds, op="="):
        """The surfaces of one step (both sides, the equality surface of an inequality) and of its givens."""
        key = (id(a.expr), id(b.expr), tuple(conds), op)
        if key not in self._step_surfaces:
            out = {}
            if op in _STRICT:
                _add_surfaces(out, _relation_pairs(self, a, b))
            for side in (a, b):
                _add_surfaces(out, _surfaces_in(self.conc(side.expr), side.expr, self.net))
            _add_surfaces(out, _given_surfaces(conds, self.g.concretize))
            self._step_surfaces[key] = list(out.values())
        return self._step_surfaces[key]

    def on(self, S, p):
        """Whether the evaluated point ``p`` lies exactly on the surface S (memoised)."""
        key = (S.key, id(p))
        if key not in self._on:            # the point is kept with its answer: its id is never reused
            self._on[key] = (p, _on_surface(S.d, p.vals, self.opts.dps))
        return self._on[key][1]

    def conc(self, M):
        """``M`` with the concrete activation (φ, φ' per convention), memoised per matrix."""
        key = id(M)
        if key not in self._conc:
            C = M.applyfunc(self.g.concretize)
            self.kink_used = self.kink_used or (C != M and C.has(sp.Piecewise, sp.Max)) or M.has(phi_prime)
            self._conc[key] = (M, C)
        return self._conc[key][1]

    def _add_on(self, S, p, ok, kinks):
        n = 0
        for q in _points_on(self, S, p):
            v = ok(q)
            if v is not None:
                kinks.append(_Pt(q, v, True))
                n += 1
        return n

    def points_for(self, conds, domain=()):
        """Random points and kink and boundary points that satisfy ``conds`` and lie in the claim's
        ``domain`` (forced, constructed, else rejection-sampled).

        Boundary points: for every surface of the claim and every non-strict given, points exactly on it
        (``_points_on``) from two seed points (then from the kink points), until it has two.
        """
        dps = self.opts.dps
        givens = tuple((self.g.concretize(lhs), op, self.g.concretize(rhs)) for lhs, op, rhs in conds)
        conds = givens + tuple(c for c in domain if c not in givens)
        surfaces = dict((S.key, S) for S in self.surfaces)
        _add_surfaces(surfaces, _given_surfaces(givens, self.g.concretize))
        surfaces = list(surfaces.values())[:_MAX_BOUNDARIES + 8]

        def ok(q):                     # the givens (boundary, near and kink points)
            v = node_values(self.g, q, dps)
            return v if _cond_ok(givens, v, dps) else None

        def ok_in(q):                  # the givens and the claim's domain (random points)
            v = node_values(self.g, q, dps)
            return v if _cond_ok(conds, v, dps) else None

        out, kinks = [], []
        if not conds:
            out = [_Pt(p, node_values(self.g, p, dps)) for p in self.base]
            kinks = [_Pt(p, node_values(self.g, p, dps), True) for p in self.kinks]
        else:
            for p in self.base:
                q = _forced_for_conditions(self.net, self.g, conds, p, self.rng) or p
                v = ok_in(q)
                if v is None:                  # built, not rejection-sampled: ŷ_1 = ŷ_2 is never drawn
                    q = _constructed(self, conds, q, self.rng)
                    v = ok_in(q) if q is not None else None
                if v is not None:
                    out.append(_Pt(q, v))
            tries = 0
            while len(out) < self.opts.points and tries < self.opts.max_candidates:
                tries += 1
                p = sample_point(self.net, self.rng, self.scalars)
                v = ok_in(p)
                if v is not None:
                    out.append(_Pt(p, v))
            for p in self.base[:3] + self.kinks:
                q = _boundary_for_conditions(self.net, self.g, givens, p)
                v = ok(q) if q is not None else None
                if v is not None:
                    kinks.append(_Pt(q, v, True))
            for p in self.kinks:
                v = ok(p)
                if v is not None:
                    kinks.append(_Pt(p, v, True))
        seeds = [p.point for p in out[:2]]
        fallback = [p.point for p in kinks]
        on, near = [], []               # boundary points first: the simplest witness of a boundary slip
        for S in surfaces:
            have = sum(1 for p in kinks + on if self.on(S, p))
            for p in seeds:
                if have >= _POINTS_PER_BOUNDARY:
                    break
                have += self._add_on(S, p, ok, on)
            for p in fallback:          # e.g. u^2 + v^2 = 0 is reached only from v = 0
                if have:
                    break
                have += self._add_on(S, p, ok, on)
            if not _is_kink_of_unit(S, self.g) and len(near) < _MAX_NEAR:
                for q in _near_points(self, S, self.base[0] if not seeds else seeds[0], _Fraction(1, 2)):
                    v = ok(q)
                    if v is not None:
                        q.surface = (S.key,)
                        near.append(_Pt(q, v))
        if givens:
            near += _cell_points(self, givens, surfaces, self.base[0] if not seeds else seeds[0], ok, _MAX_NEAR)
        probes = _probe_points(self, ok) if self.relations else []
        return out + near + on + self._crossings(surfaces, on + kinks, ok) + kinks + probes

    def _crossings(self, surfaces, on, ok):
        """Points on two boundaries at once (1{u >= 0}1{v >= 0} can be misread only at u = v = 0): from a
        point on one, solve the other for a variable the first does not use; verified on both."""
        out = []
        pairs = sorted(((S1, S2) for i, S1 in enumerate(surfaces) for S2 in surfaces[i + 1:]),
                       key=lambda pr: _is_kink_of_unit(pr[0], self.g) + _is_kink_of_unit(pr[1], self.g))
        dps = self.opts.dps
        for pair in pairs:
            if len(out) >= _MAX_CROSSINGS:
                break
            for S1, S2 in (pair, pair[::-1]):     # moving onto the lower layer's boundary first keeps the other
                start = next((p.point for p in on if p.point.surface == (S1.key,)), None) or \
                    next((p.point for p in on if self.on(S1, p)), None)
                if start is None:
                    continue
                avoid = _pullback(self.g, S1.d).free_symbols
                found = False
                for q in _points_on(self, S2, start, limit=1, avoid=avoid):
                    v = ok(q)
                    if v is not None and _on_surface(S1.d, v, dps):
                        q.label = f"crossing of {S1.text} and {S2.text}"
                        q.surface = (S1.key, S2.key)
                        out.append(_Pt(q, v, True))
                        found = True
                if found:
                    break
        return out


_SAMPLED = {}      # (network, seed, points, dps) -> (random points, kink points, rng state after them): claims without scalars


def _copy_point(p):
    """A fresh copy of a point (its labels are the claim's to change) that keeps its forward passes and node
    values, without what earlier claims remembered at it."""
    q = replace(p, scalars=dict(p.scalars), forced=dict(p.forced))
    q._exact = p._exact
    q._values = {k: v.copy_for(q) if isinstance(v, NodeValues) else v for k, v in (p._values or {}).items()}
    return q


def warm_points(net: Network, opts: CheckOptions = CheckOptions()):
    """Draw the random and kink points of a claim without scalars on ``net`` and evaluate them, once per process:
    every claim starts from copies (a parent that calls this hands them to the workers it forks).  The same
    points as drawing them in each claim: the generator continues from the state it had after them."""
    key = (net, opts.seed, opts.points, opts.dps)
    if key not in _SAMPLED:
        rng = random.Random(opts.seed)
        base = [sample_point(net, rng, ()) for _ in range(opts.points)]
        kinks = _kink_points(net, graph(net), base) + _scalar_kinks(net, base, ())
        for p in base + kinks:
            node_values(graph(net), p, opts.dps)
        _SAMPLED[key] = (base, kinks, rng.getstate())


def _is_kink_of_unit(S, g):
    """Whether S is z^(l)_j = c for one hidden pre-activation (random points lie on both sides of it)."""
    zn = _z_nodes(g)
    free = S.d.free_symbols
    return len(free) == 1 and next(iter(free)) in zn and sp.diff(S.d, next(iter(free))).is_Rational


def _reference(a, b):
    """Which side is the reference (a bare quantity) for diagnoses: (ref, other)."""
    if b.quantity and not a.quantity:
        return b, a
    return a, b


def _check_step(ctx, inst, k, pts):
    """Decide step k of one instance: (status, detail dict)."""
    a, b, op = inst.sides[k], inst.sides[k + 1], inst.ops[k]
    dps = ctx.opts.dps
    if op == "in":
        shape = tuple(inst.shape)
        if tuple(a.expr.shape) == shape:
            return "proved", {"message": f"shape {shape[0]}×{shape[1]}"}
        diag = "transpose" if tuple(a.expr.shape) == shape[::-1] else "shape-mismatch"
        return "refuted", {"message": f"the left side has shape {a.expr.shape[0]}×{a.expr.shape[1]}, "
                                      f"not {shape[0]}×{shape[1]}", "diagnosis": diag}
    if a.expr.shape != b.expr.shape:
        ref, other = _reference(a, b)
        diag = _diagnose(ctx, ref, other, pts, False)
        if op == "!=":
            return "proved", {"message": "the sides have different shapes"}
        return "refuted", {"message": f"shapes differ: {a.expr.shape[0]}×{a.expr.shape[1]} vs "
                                      f"{b.expr.shape[0]}×{b.expr.shape[1]}", "diagnosis": diag}
    cmp_op = "=" if op in ("=", "!=") else op
    A, B = ctx.conc(a.expr), ctx.conc(b.expr)
    hi = ctx.opts.verify_dps
    surfaces = ctx.step_surfaces(a, b, inst.conditions, op)
    keys = {S.key for S in surfaces}
    pts = [p for p in pts if p.point.surface is None or all(k in keys for k in p.point.surface)]
    (checked, domain, unstable, randoms), bad, covered = _scan(ctx, cmp_op, A, B, pts, dps, hi)
    tiny = None
    ineq_budget = False
    if bad is None and checked:
        # a constant difference (σ(1000) = 1) is decided by certified evaluation, once a point where the
        # givens hold and the sides are defined exists
        witness = next((p for p in pts if _holds(cmp_op, A, B, p.vals, dps)[0] is not None), None)
        const = _constant_step(ctx, a, b, A, B, op, witness) if witness is not None else None
        if const is not None:
            return const
    if bad is None and checked >= min(ctx.opts.points, 5) and op in _STRICT:
        how = _bounded(ctx.symbolic, lambda: _prove_inequality(ctx, A, B, op, inst.conditions))
        if how not in (None, "budget"):
            return "proved", {"message": f"exact ({how}); holds at {checked} points", "stage": how}
        ineq_budget = how == "budget"
    if bad is None and checked >= min(ctx.opts.points, 5):
        stage, used = _with_budget(ctx, a, b, inst) if op in ("=", "!=") else (None, ())
        if stage and stage != "budget":
            if op == "!=":
                return "refuted", {"message": "the two sides are identically equal", "used": used}
            return "proved", {"message": f"exact ({stage}); agrees at {checked} points", "used": used,
                              "stage": stage}
        # no proof: the sides must also agree at a finer precision (a 10^{-40} slip hides at 50 digits)
        (_, _, unstable2, _), bad, _ = _scan(ctx, cmp_op, A, B, pts, hi, 2 * hi - dps, fine=True)
        unstable = max(unstable, unstable2)
        if bad is None:
            # for != a witness is a proof (symbolic budget); for = and <= it guards numerically-equal (own allowance)
            clock = ctx.symbolic if op == "!=" else ctx.tiny_clock
            tiny = _bounded(clock, lambda: _tiny_difference(ctx, A, B, pts, op))
            if isinstance(tiny, tuple):
                if op == "!=":
                    return "proved", {"message": f"the sides differ at a point ({tiny[0].point.label})"}
                return "refuted", _tiny_counter(ctx, a, b, pts, *tiny)
    if bad is not None:
        p, idx, vals, kink_only = bad
        if op == "!=":
            return "proved", {"message": f"the sides differ at a point ({p.point.label})"}
        return "refuted", _counter(ctx, a, b, p, idx, vals, pts, kink_only=kink_only)
    shaky = f"; {unstable} points were numerically unstable (the difference changed with the precision)" \
        if unstable else ""
    if checked < min(ctx.opts.points, 5):
        if op in ("<", ">") and unstable and _with_budget(ctx, a, b, inst)[0] not in (None, "budget"):
            return "refuted", {"message": f"the two sides are identically equal, so {op} never holds"}
        return "inconclusive", {"message": f"only {checked} points satisfy the conditions and the domain "
                                           f"({domain} outside the domain){shaky}"}
    if unstable:
        return "inconclusive", {"message": f"holds at {checked} points, but {unstable} points were numerically "
                                           f"unstable (the difference changed with the precision)"}
    if op == "!=":
        why = "; the symbolic phase ran out of its time budget" if stage == "budget" else ""
        return "inconclusive", {"message": f"no point among {checked} distinguishes the sides{why}"}
    if randoms < ctx.opts.points:
        return "inconclusive", {"message": f"holds at the {checked} points that satisfy the conditions and the "
                                           f"domain, but numerically-equal needs {ctx.opts.points} random points "
                                           f"({randoms} found)"}
    # numerically-equal only if nothing the checker did not look at can decide the claim
    if tiny == "budget":
        return "inconclusive", {"message": f"holds at {checked} points, but the check of the exactly expanded "
                                           f"difference ran out of its time budget"}
    if isinstance(tiny, str) and tiny.startswith("precision"):
        return "inconclusive", {"message": f"holds at {checked} points, but a difference as small as the claim's "
                                           f"constants ({tiny.split(':', 1)[1]}) needs more digits than the cap of "
                                           f"{_TINY_MAX_DPS}"}
    missing = _uncovered(ctx, surfaces, covered, inst.conditions)
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        if missing[0].kind == "relation":
            return "inconclusive", {"message": f"holds at {checked} points, but no point exactly on its equality "
                                               f"surface {missing[0].text}{more}, where the inequality can turn, "
                                               f"could be constructed and evaluated, nor is that surface proved "
                                               f"unreachable; an inequality is numerically-equal only then"}
        return "inconclusive", {"message": f"holds at {checked} points, but no point exactly on the boundary "
                                           f"{missing[0].text}{more}, where the claim can change, could be "
                                           f"constructed and evaluated; numerically-equal needs one"}
    if ineq_budget:
        return "numerically-equal", {"message": f"holds at {checked} points, on both sides of and on its equality "
                                                f"surface; the exact proof ran out of its time budget"}
    if op != "=":
        return "numerically-equal", {"message": f"holds at {checked} points, including points on its equality "
                                                f"surface or with that surface proved unreachable (no exact proof "
                                                f"found)"}
    if stage == "budget":
        return "numerically-equal", {"message": f"equal at {checked} points at {dps} and {hi} digits; the "
                                                f"symbolic proof ran out of its time budget"}
    return "numerically-equal", {"message": f"equal at {checked} points at {dps} and {hi} digits "
                                            f"(no exact proof found)", "used": used}


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
    if d_lo == d_hi or abs(d_lo - d_hi) <= abs(d_hi) * sp.Float(10) ** -6:
        return "differs", idx, vals
    return "unstable", None, None


def _constant_step(ctx, a, b, A, B, op, p):
    """A step whose every difference is a constant, decided by certified evaluation: the exact sign of each
    difference (0 only by exact rewriting, a nonzero sign from evaluations whose accuracy SymPy certifies,
    with the precision raised up to the claim's digit cap).  ``p`` is a point where the givens hold and the
    sides are defined (the witness).  None when some sign stays undecided."""
    signs = []
    for idx in range(len(A)):
        d = A[idx] - B[idx]
        if d.free_symbols or A[idx].has(phi, phi_prime) or B[idx].has(phi, phi_prime):
            return None
        try:
            sign = exact_sign(d, max(ctx.digits, 400))
        except (TypeError, ValueError, ZeroDivisionError, ArithmeticError, RecursionError):
            sign = None
        if sign is None:
            return None
        signs.append(sign)
    want = "==" if op == "=" else op
    if op == "!=":
        if any(sg != 0 for sg in signs):
            return "proved", {"message": "the constant sides differ (certified evaluation)"}
        return "refuted", {"message": "the constant sides are exactly equal"}
    bad = next((k for k, sg in enumerate(signs) if not _TRUTH[want](sg)), None)
    if bad is None:
        how = "the difference is exactly 0" if op == "=" else "certified evaluation of constants"
        return "proved", {"message": f"exact ({how})", "stage": how}
    lhs, rhs = A[bad], B[bad]
    diff = _certified_value(lhs - rhs)
    entry = _entry_name(a.expr.shape, bad)
    hv = node_values(ctx.g, p.point, ctx.opts.verify_dps)
    ce = {"point": p.point.label, "entry": entry, "lhs": _fmt(_value(lhs, hv, ctx.opts.verify_dps)),
          "rhs": _fmt(_value(rhs, hv, ctx.opts.verify_dps)), "difference": diff,
          "values": _relevant([lhs, rhs], hv)}
    _with_point(ce, ctx.g, hv, [lhs, rhs])
    where = f"at {p.point.label} point (and every other), " if lhs.free_symbols or rhs.free_symbols else \
        "the sides are constants, "
    return "refuted", {"message": f"{where}entry {entry}: left - right = {diff}, a constant (certified "
                                  f"evaluation), so {op} does not hold", "counterexample": ce}


def _certified_value(c):
    """A constant to 12 digits from a certified evaluation (its exact form if rational and short)."""
    try:
        if c.is_Rational:
            return str(c) if max(len(str(abs(c.p))), len(str(c.q))) <= 12 else sp.Float(c, 12).__str__()
        v = c.evalf(12, strict=True, maxn=_TINY_MAX_DPS)
        return sp.Float(v, 12).__str__()
    except (sp.core.evalf.PrecisionExhausted, TypeError, ValueError, AttributeError, ZeroDivisionError):
        return sp.sstr(c)[:60]


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
            return _try_prove(a.expr, b.expr, ctx.g, inst.conditions, ctx.opts)
    except _Budget:
        return "budget", ()


def _counter(ctx, a, b, p, idx, vals, pts, kink_only):
    ref, other = _reference(a, b)
    diag = _diagnose(ctx, ref, other, pts, kink_only)
    hv = node_values(ctx.g, p.point, ctx.opts.verify_dps)
    ce = {"point": p.point.label, "entry": _entry_name(a.expr.shape, idx),
          "lhs": _fmt(vals[0]), "rhs": _fmt(vals[1]), "difference": _fmt(vals[0] - vals[1]),
          "values": _relevant([ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]], hv)}
    _with_point(ce, ctx.g, hv, [ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]])
    if p.point.forced:
        ce["forced"] = {f"z^({l})_{j + 1}": str(v) for (l, j), v in p.point.forced.items()}
    msg = f"at {p.point.label} point, entry {ce['entry']}: left = {ce['lhs']}, right = {ce['rhs']}"
    if ce["lhs"] == ce["rhs"]:
        exact = _exact_difference(ctx.conc(a.expr)[idx] - ctx.conc(b.expr)[idx], hv)
        if exact is not None:
            ce["difference"] = exact
            msg += f" (left - right = {exact}, exactly at this point)"
        else:
            msg += f" (left - right = {ce['difference']})"
    return {"message": msg, "diagnosis": diag, "counterexample": ce}


def _exact_difference(d, vals):
    """The exact difference at the exact point to 12 digits (certified by evalf), or None."""
    try:
        v = d.xreplace(vals.exact())
        if v.is_Rational and max(len(str(abs(v.p))), len(str(v.q))) <= 12:
            return str(v)
        v = v.evalf(12, strict=True, maxn=_EXACT_DIGITS[0]) if not v.is_Rational else sp.Float(v, 12)
        return sp.Float(v, 12).__str__() if v.is_Number else None
    except (sp.core.evalf.PrecisionExhausted, TypeError, ValueError, AttributeError, ZeroDivisionError):
        return None


def _bounded(clock, fn):
    """``fn()`` within what is left of ``clock`` (one allowance for the whole claim), or "budget"."""
    try:
        with clock.bound():
            return fn()
    except _Budget:
        return "budget"


def _tiny_counter(ctx, a, b, pts, p, idx, diff, lo, hi):
    """The refutation of a difference too small to see side by side (found on the expanded difference)."""
    how = f"evaluated at {lo} and {hi} digits" if lo else "evaluated exactly at the exact point"
    hi = hi or 4 * ctx.opts.verify_dps
    hv = node_values(ctx.g, p.point, hi)
    A, B = ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]
    entry = _entry_name(a.expr.shape, idx)
    ce = {"point": p.point.label, "entry": entry, "lhs": _fmt(_value(A, hv, hi)), "rhs": _fmt(_value(B, hv, hi)),
          "difference": sp.Float(diff, 12).__str__(), "values": _relevant([A, B], hv)}
    _with_point(ce, ctx.g, hv, [A, B])
    ref, other = _reference(a, b)
    return {"message": f"at {p.point.label} point, entry {entry}: left - right = {ce['difference']} (the expanded "
                       f"difference, {how}; too small to see "
                       f"side by side)", "diagnosis": _diagnose(ctx, ref, other, pts, False), "counterexample": ce}


_RANK = {"proved": 0, "numerically-equal": 1, "inconclusive": 2, "refuted": 3}


def decide(net: Network, parsed, opts: CheckOptions = CheckOptions()):
    """Verdict, step, message, diagnosis, counterexample and assumptions of a parsed claim."""
    instances = parsed.instances()
    first = list(itertools.islice(instances, _MAX_BOUNDARY_INSTANCES))
    ctx = _Ctx(net, parsed, opts, first)
    decide.last_ctx = ctx
    _EXACT_DIGITS[0] = ctx.digits
    worst = ("proved", None, "", None, None)
    used_all, stages = set(), set()
    cache = {}
    norm = {}
    for inst in itertools.chain(first, instances):
        if inst.conditions:
            if inst.conditions not in norm:
                norm[inst.conditions] = _normalize_conditions(
                    tuple((ctx.g.concretize(l_), o, ctx.g.concretize(r_)) for l_, o, r_ in inst.conditions), ctx.g)
            inst = replace(inst, conditions=norm[inst.conditions])
        domain = _domain_conditions(ctx, inst)
        key = (tuple(inst.conditions), domain)
        if all(op == "in" for op in inst.ops):
            pts = []                    # a shape is decided without points
        else:
            if key not in cache:
                cache[key] = ctx.points_for(inst.conditions, domain)
            pts = cache[key]
        for k in range(len(inst.ops)):
            status, info = _check_step(ctx, inst, k, pts)
            used_all.update(a.text for a in info.get("used", ()))
            if info.get("stage"):
                stages.add(info["stage"])
            if _RANK[status] > _RANK[worst[0]]:
                ce = info.get("counterexample")
                if ce is not None and inst.assignment:
                    ce = dict(ce, assignment=dict(inst.assignment))
                msg = info.get("message", "")
                if inst.assignment:
                    msg = "with " + ", ".join(f"{k2} = {v}" for k2, v in inst.assignment.items()) + ": " + msg
                worst = (status, k + 1 if len(inst.ops) > 1 or status == "refuted" else None,
                         msg, info.get("diagnosis"), ce)
            if status == "refuted":
                break
        if worst[0] == "refuted":
            break
    if worst[0] in ("proved", "numerically-equal") and not worst[2]:
        how = f"; exact proof ({', '.join(sorted(stages))})" if worst[0] == "proved" and stages else ""
        worst = (worst[0], None, f"holds for every instance ({sum(1 for _ in parsed.instances())}){how}", None,
                 None)
    assumptions = sorted(used_all)
    if ctx.kink_used:
        assumptions += [a.text for a in kink_conventions(net)]
    return worst, tuple(assumptions)


def check_claim(net: Network, claim_id: str, text: str, given=(), expect=True,
                opts: CheckOptions = CheckOptions(), file=None, notation=None, origin=None) -> ClaimResult:
    """Parse and decide one claim; every failure becomes a verdict, never an exception.

    ``origin`` (homework files, :class:`~symbackprop.spec.Origin`) places an error of the claim's text, or of a
    given's, at its line and column in the file the text was cut from."""
    from .notation import parse_claim
    t0 = time.perf_counter()
    base = ClaimResult(claim_id, text, "error", expect=expect, given=tuple(given))
    try:
        parsed = parse_claim(text, net, given=tuple(given), claim_id=claim_id, file=file, notation=notation)
        base = replace(base, read_as=parsed.latex, read_as_given=parsed.given_latex)
        (verdict, step, msg, diag, ce), assumptions = decide(net, parsed, opts)
        msg += "".join(f"; note: {n}" for n in parsed.notes)      # instances skipped (a layer where it does not exist)
        if verdict in ("proved", "numerically-equal"):
            from .trivial import trivial_reason                     # holds on every network: says so
            trivial = trivial_reason(parsed, net)
            msg += f"; note: {trivial}" if trivial and msg else f"note: {trivial}" if trivial else ""
    except SymbackpropError as e:
        if origin is not None:
            origin.place(e, text, tuple(given))
        return replace(base, message=str(e.located(file=file, claim_id=claim_id)),
                       location={"token": e.token, "offset": e.position, "key": e.key,
                                 "fix": getattr(e, "fix", None)},
                       seconds=time.perf_counter() - t0)
    except (RecursionError, MemoryError) as e:
        return replace(base, verdict="inconclusive" if isinstance(e, MemoryError) else "error",
                       message="memory limit: MemoryError, the claim is too large" if isinstance(e, MemoryError)
                       else "RecursionError: the claim is too deeply nested",
                       seconds=time.perf_counter() - t0)
    except SystemError as e:   # a C extension (gmpy2, CPython int) that could not allocate under the cap
        return replace(base, verdict="inconclusive",
                       message=f"memory limit? SystemError in a C extension, usually a failed allocation ({e})",
                       seconds=time.perf_counter() - t0)
    except OverflowError as e:
        return replace(base, message=f"a value of the claim is too large to evaluate ({e})"[:500],
                       seconds=time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - an internal failure is an error verdict, never a crash
        return replace(base, message=f"internal error while checking: {type(e).__name__}: {e}"[:500],
                       seconds=time.perf_counter() - t0)
    return replace(base, verdict=verdict, step=step, message=msg, diagnosis=diag,
                   counterexample=ce, assumptions=assumptions, seconds=time.perf_counter() - t0)
