"""Decide one claim: proved / numerically-equal / refuted / error / inconclusive, with diagnoses.

The ladder is built so that no rung is reached by a guess:
- *proved* needs agreement at every numeric point (at 50 digits) first, then an exact symbolic zero
  (``closed_forms.prove_zero``) of every step's difference; a point where a denominator vanishes (0/0,
  even only up to rounding) is outside the domain, so an expression undefined everywhere is never proved.
- *refuted* needs a point where the sides differ at 50 digits, re-verified at 80 digits from the same
  exact rational inputs with the same difference (a difference that changes with the precision is
  rounding noise of an ill-conditioned expression: that point is unstable, not a counterexample).
  Exact rational values are compared exactly.
- *numerically-equal* needs agreement at >= ``points`` random points plus the kink points, at 50 and
  at 80 digits (a slip of 10^{-40} hides inside the 50-digit tolerance), and no stable nonzero value of
  the exactly expanded difference at 160 and 320 digits (a slip of 10^{-200} hides at 80 digits).
"""
from __future__ import annotations

import random
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction as _Fraction

import sympy as sp

from .closed_forms import prove_zero
from .derive import derive
from .errors import SymbackpropError
from .network import Network, graph
from .points import Point, force, node_values, sample_point
from .rules import ACTIVATIONS, HEADS, LOSSES, ONEHOT_SUM, kink_convention, phi_prime

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
    symbolic_seconds: float | None = None   # budget of the symbolic phase (worker processes only)
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
                "read_as_given": list(self.read_as_given)}


class _Budget(Exception):
    """The symbolic phase ran out of its time budget."""


@contextmanager
def _budget(seconds):
    """Bound the symbolic phase with an interval timer — only inside a worker process's main thread."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not _IN_WORKER[0]:
        yield
        return

    def _raise(signum, frame):
        raise _Budget()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


_IN_WORKER = [False]
_F0 = _Fraction(0)


def mark_worker():
    """Called in a worker process: the symbolic phase may then use an interval timer."""
    _IN_WORKER[0] = True


# ----------------------------------------------------------------------------------------------
# numeric evaluation


def _value(expr, vals, dps):
    """A SymPy number for ``expr`` at the point, or None outside its domain (nan, complex, inf).

    An exact rational value stays exact.  A 0/1 branch (indicator, φ') whose condition compares two
    inexact values that agree to the working precision cannot be decided at this point: None.
    """
    if expr.has(sp.Piecewise) and _undecidable_branch(expr, vals, dps):
        return None
    if _vanishing_denominator(expr, vals, dps):
        return None
    v = expr.xreplace(vals)
    if v.free_symbols:
        raise SymbackpropError(f"internal: symbols left after substitution: {sorted(map(str, v.free_symbols))}")
    if v.is_Rational:
        return v
    v = sp.N(v, dps)
    if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not v.is_real:
        return None
    return v


def _vanishing_denominator(expr, vals, dps):
    """Whether a denominator of ``expr`` is 0, or 0 up to rounding, at the point (0/0 noise is no value).

    "Up to rounding" is relative to the size of the denominator's terms: 10^{15}(ŷ_1 + ŷ_2 - 1) is as
    much noise as ŷ_1 + ŷ_2 - 1.
    """
    for pw in expr.atoms(sp.Pow):
        if pw.exp.is_negative:
            base = pw.base.xreplace(vals)
            if base.is_Rational:
                if base == 0:
                    return True
                continue
            value = sp.N(base, dps)
            if not value.is_number:
                continue
            terms = [sp.N(t.xreplace(vals), dps) for t in sp.Add.make_args(sp.expand(pw.base))]
            scale = max([abs(t) for t in terms if t.is_number and t.is_real] + [abs(value)])
            if abs(value) <= sp.Float(10, dps) ** (-(dps - 12)) * scale:
                return True
    return False


def _undecidable_branch(expr, vals, dps):
    """Whether a condition of a Piecewise in ``expr`` sits on its boundary within rounding (inexact values)."""
    for rel in expr.atoms(sp.core.relational.Relational):
        lhs, rhs = rel.lhs.xreplace(vals), rel.rhs.xreplace(vals)
        if lhs.is_Rational and rhs.is_Rational:
            continue
        lhs, rhs = sp.N(lhs, dps), sp.N(rhs, dps)
        if lhs.is_number and rhs.is_number and lhs.is_real and rhs.is_real and _close(lhs, rhs, dps):
            return True
    return False


def _close(a, b, dps):
    if a.is_Rational and b.is_Rational:
        return a == b
    tol = sp.Float(10) ** (-(dps - 12))
    return abs(a - b) <= tol * max(1, abs(a), abs(b))


@dataclass
class _Pt:
    point: Point
    vals: dict
    kink: bool = False


def _holds(op, lhs, rhs, vals, dps):
    """Compare two matrices at a point: (True|False|None, index of first differing entry, values)."""
    for idx in range(len(lhs)):
        a, b = _value(lhs[idx], vals, dps), _value(rhs[idx], vals, dps)
        if a is None or b is None:
            return None, idx, (a, b)
        ok = _close(a, b, dps) if op == "=" else _STRICT[op](a, b) or (op in ("<=", ">=") and _close(a, b, dps))
        if not ok:
            return False, idx, (a, b)
    return True, None, None


def _cond_ok(conds, vals, dps):
    """Whether every condition surely holds at the point (sides equal up to rounding decide nothing)."""
    for lhs, op, rhs in conds:
        a, b = _value(lhs, vals, dps), _value(rhs, vals, dps)
        if a is None or b is None:
            return False
        if not (a.is_Rational and b.is_Rational) and _close(a, b, dps):
            return False
        if not _RELATIONS[op](a, b):
            return False
    return True


# ----------------------------------------------------------------------------------------------
# point sets


def _z_index(g):
    """Map each pre-activation symbol (and ŷ of an identity head, which is z^(L)) to its (layer, unit)."""
    out = {s: (l, j) for l, vec in g.z.items() for j, s in enumerate(vec)}
    if g.net.output == "identity":
        out.update({s: (g.net.L, j) for j, s in enumerate(g.yhat)})
    return out


def _kink_points(net, g, base, rng, opts):
    """Points where hidden pre-activations are exactly at the kink (one unit, then a whole layer)."""
    if not ACTIVATIONS[net.activation].kinks:
        return []
    out = []
    for l in range(1, net.L):
        for p in base[:2]:
            j = rng.randrange(net.sizes[l])
            q = force(net, p, l, j, _F0)
            if q is not None:
                q.label = f"kink z^({l})_{j + 1} = 0"
                out.append(q)
        q = base[0]
        for j in range(net.sizes[l]):
            q = force(net, q, l, j, _F0) if q is not None else None
        if q is not None:
            q.label = f"kink z^({l}) = 0"
            out.append(q)
    return out




_MAX_BOUNDARY_INSTANCES = 256
_MAX_BOUNDARIES = 24


def _claim_boundaries(parsed, g, scalars):
    """(symbol, c) for each condition ``s op c`` inside the claim's indicators, s a pre-activation or scalar."""
    settable = set(_z_index(g)) | set(scalars) | set(_primitive_index(g))
    out = set()
    for n, inst in enumerate(parsed.instances()):
        if n >= _MAX_BOUNDARY_INSTANCES or len(out) >= _MAX_BOUNDARIES:
            break
        for side in inst.sides:
            if side.expr is None:
                continue
            pairs = [(rel.lhs, rel.rhs) for pw in side.expr.atoms(sp.Piecewise) for _, cond in pw.args
                     for rel in cond.atoms(sp.core.relational.Relational)]
            pairs += [(a, b) for m in side.expr.atoms(sp.Max) for a in m.args for b in m.args if a != b]
            for lhs, rhs in pairs:
                out.update(_solve_boundary(lhs - rhs, settable))
    return sorted(out, key=lambda t: (t[0].name, str(t[1])))[:_MAX_BOUNDARIES]


def _solve_boundary(d, settable):
    """(s, t) with d = 0 exactly when s = t, for each settable s in which d is affine with a rational slope.

    t is a number (z > 1: z = 1) or an expression of the other symbols (x_1 > x_2: x_1 = x_2), evaluated
    at each base point.
    """
    out = []
    for sym in sorted(d.free_symbols & settable, key=lambda s_: s_.name):
        slope = sp.diff(d, sym)
        if not (slope.is_Rational and slope != 0):
            continue
        rest = sp.expand(d - slope * sym)
        if sym not in rest.free_symbols and not rest.has(sp.Piecewise, sp.Max):
            out.append((sym, -rest / slope))
    return out


def _primitive_index(g):
    """x, W and b symbols -> where they live in a Point (the target y stays one-hot)."""
    out = {s: ("x", i) for i, s in enumerate(g.x)}
    for k, (W, b) in enumerate(zip(g.W, g.b)):
        out.update({W[i, j]: ("W", k, i, j) for i in range(W.rows) for j in range(W.cols)})
        out.update({s: ("b", k, i) for i, s in enumerate(b)})
    return out


def _set_primitive(p, where, value):
    """A copy of ``p`` with one input, weight or bias set to ``value``."""
    x, W, b = list(p.x), [[list(r) for r in Wk] for Wk in p.W], [list(r) for r in p.b]
    if where[0] == "x":
        x[where[1]] = value
    elif where[0] == "W":
        W[where[1]][where[2]][where[3]] = value
    else:
        b[where[1]][where[2]] = value
    return Point(x, list(p.y), W, b, dict(p.scalars), {}, p.label)


def _boundary_points(net, g, base, bounds, offset=0):
    """Points exactly on the claim's indicator and max boundaries (1{z > 1} and 1{z >= 1} differ only at
    z = 1), or at ``offset`` on either side of them (max(u, 3) = 3 fails only beyond u = 3)."""
    zi, prim = _z_index(g), _primitive_index(g)
    out = []
    for sym, c, side in [(s_, c_, d) for s_, c_ in bounds for d in ((-1, 1) if offset else (0,))]:
        for p in base[:2]:
            t = c if c.is_Rational else c.xreplace(node_values(g, p, 50))
            if not t.is_Rational:
                continue                    # the boundary is not at an exact value here
            value = _Fraction(int(t.p), int(t.q)) + side * offset
            if sym in zi:
                q = force(net, p, *zi[sym], value)
            elif sym in prim:
                q = _set_primitive(p, prim[sym], value)
            else:
                q = replace(p, scalars={**p.scalars, sym: value})
            if q is not None:
                q.label = f"boundary {sym.name} = {t}" if not side else f"near boundary {sym.name} = {value}"
                out.append(q)
    return out


def _scalar_kinks(base, scalars):
    """Points where a free scalar variable sits at the kink 0 (φ'(u), indicators and max of u break there)."""
    out = []
    for s in scalars:
        for p in base[:2]:
            out.append(replace(p, scalars={**p.scalars, s: _F0}, label=f"kink {s.name} = 0"))
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
    """Replace z-like symbols in simple sign conditions by fresh symbols carrying that sign."""
    subs = {}
    sign = {"<": "negative", "<=": "nonpositive", ">": "positive", ">=": "nonnegative"}
    for lhs, op, rhs in conds:
        if isinstance(lhs, sp.Symbol) and rhs == 0 and op in sign and lhs not in subs:
            subs[lhs] = sp.Symbol(lhs.name, real=True, **{sign[op]: True})
    return subs


def _try_prove(lhs, rhs, g, conds, opts):
    """Exact proof of lhs = rhs (generic, then concrete activation, then down to primitives)."""
    net = g.net
    head = HEADS[(net.output, net.loss)]
    cond_subs = _fresh_condition_symbols(conds)
    diff = (lhs - rhs)
    stages = [("generic", lambda e: e), ("concrete activation", g.concretize),
              ("forward pass substituted", g.to_primitives)]
    tried = []
    for stage, fn in stages:
        e = diff.applyfunc(fn)
        for used in ((), head.assumptions) if head.assumptions else ((),):
            cur = e
            for asm in used:
                cur = cur.applyfunc(lambda v, a=asm: a.apply(v, g))
            cur = cur.applyfunc(lambda v: v.xreplace(cond_subs)) if cond_subs else cur
            if cur in tried:                   # no φ to concretize, or no assumption to apply: same proof
                continue
            tried.append(cur)
            if prove_zero(cur):
                return stage, used
    return None, ()


_VIOLATED = {"=": lambda v: v != 0, "!=": lambda v: v != 0, "<=": lambda v: v > 0, "<": lambda v: v > 0,
             ">=": lambda v: v < 0, ">": lambda v: v < 0}


def _tiny_difference(ctx, A, B, pts, op="="):
    """A point where the *expanded* difference A - B is nonzero, stably at 2x and 4x the verify precision.

    Expanding cancels equal terms exactly, so a slip far below the working precision (ŷ(1 + 10^{-100}) - y
    against ŷ - y leaves 10^{-100} ŷ) is still seen; rounding noise of a true identity changes with the
    precision and is never taken.  Returns (point, entry, value) or None.
    """
    p1, p2 = 2 * ctx.opts.verify_dps, 4 * ctx.opts.verify_dps
    cands = [p for p in pts if not p.kink][:3]
    head = HEADS[(ctx.net.output, ctx.net.loss)]
    for idx, (a, b) in enumerate(zip(A, B)):
        e = a - b
        for asm in head.assumptions:            # the points satisfy them (one-hot targets)
            e = asm.apply(e, ctx.g)
        e = sp.expand(e)
        if e == 0:
            continue
        for p in cands:
            v1 = _value(e, node_values(ctx.g, p.point, p1), p1)
            v2 = _value(e, node_values(ctx.g, p.point, p2), p2)
            if v1 is not None and v2 is not None and v2 != 0 and abs(v1 - v2) <= abs(v2) * sp.Float(10) ** -6 \
                    and _VIOLATED[op](v2):
                return p, idx, v2
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
    for s in sorted(syms, key=lambda s: s.name)[:limit]:
        if s in vals:
            out[s.name] = _fmt(vals[s])
    return out


def _entry_name(shape, idx):
    r, c = divmod(idx, shape[1])
    return f"[{r + 1}]" if shape[1] == 1 else f"[{r + 1},{c + 1}]"


class _Ctx:
    """Shared state of one claim check: network, derivation, points."""

    def __init__(self, net, parsed, opts):
        self.net, self.parsed, self.opts = net, parsed, opts
        self.g, self.d = graph(net), derive(net)
        self.rng = random.Random(opts.seed)
        self.scalars = parsed.scalar_symbols()      # of the claim and its givens, in every instance
        self.base = [sample_point(net, self.rng, self.scalars) for _ in range(opts.points)]
        bounds = _claim_boundaries(parsed, self.g, self.scalars)
        self.kinks = (_kink_points(net, self.g, self.base, self.rng, opts) + _scalar_kinks(self.base, self.scalars)
                      + _boundary_points(net, self.g, self.base, bounds))
        self.base += _boundary_points(net, self.g, self.base, bounds, offset=_Fraction(1, 2))
        self._conc = {}
        self.kink_used = False

    def conc(self, M):
        """``M`` with the concrete activation (φ, φ' per convention), memoised per matrix."""
        key = id(M)
        if key not in self._conc:
            C = M.applyfunc(self.g.concretize)
            self.kink_used = self.kink_used or (C != M and C.has(sp.Piecewise, sp.Max)) or M.has(phi_prime)
            self._conc[key] = (M, C)
        return self._conc[key][1]

    def points_for(self, conds):
        """Random and kink points that satisfy ``conds`` (forced or rejection-sampled)."""
        dps = self.opts.dps
        out = []
        if not conds:
            out = [_Pt(p, node_values(self.g, p, dps)) for p in self.base]
            out += [_Pt(p, node_values(self.g, p, dps), True) for p in self.kinks]
            return out
        for p in self.base:
            q = _forced_for_conditions(self.net, self.g, conds, p, self.rng) or p
            v = node_values(self.g, q, dps)
            if _cond_ok(conds, v, dps):
                out.append(_Pt(q, v))
        tries = 0
        while len(out) < self.opts.points and tries < self.opts.max_candidates:
            tries += 1
            p = sample_point(self.net, self.rng, self.scalars)
            v = node_values(self.g, p, dps)
            if _cond_ok(conds, v, dps):
                out.append(_Pt(p, v))
        for p in self.base[:3] + self.kinks:
            q = _boundary_for_conditions(self.net, self.g, conds, p)
            if q is not None:
                v = node_values(self.g, q, dps)
                if _cond_ok(conds, v, dps):
                    out.append(_Pt(q, v, True))
        for p in self.kinks:
            v = node_values(self.g, p, dps)
            if _cond_ok(conds, v, dps):
                out.append(_Pt(p, v, True))
        return out


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
    (checked, domain, unstable, randoms), bad = _scan(ctx, cmp_op, A, B, pts, dps, hi)
    if bad is None and checked >= min(ctx.opts.points, 5):
        stage, used = _with_budget(ctx, a, b, inst) if op in ("=", "!=") else (None, ())
        if stage and stage != "budget":
            if op == "!=":
                return "refuted", {"message": "the two sides are identically equal", "used": used}
            return "proved", {"message": f"exact ({stage}); agrees at {checked} points", "used": used,
                              "stage": stage}
        # no proof: the sides must also agree at a finer precision (a 10^{-40} slip hides at 50 digits)
        (_, _, unstable2, _), bad = _scan(ctx, cmp_op, A, B, pts, hi, 2 * hi - dps, fine=True)
        unstable = max(unstable, unstable2)
        if bad is None:
            tiny = _bounded(ctx, lambda: _tiny_difference(ctx, A, B, pts, op))
            if tiny is not None:
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
    if op != "=":
        return "numerically-equal", {"message": f"holds at {checked} points (inequalities are checked numerically)"}
    if stage == "budget":
        return "numerically-equal", {"message": f"equal at {checked} points at {dps} and {hi} digits; the "
                                                f"symbolic proof ran out of its time budget"}
    return "numerically-equal", {"message": f"equal at {checked} points at {dps} and {hi} digits "
                                            f"(no exact proof found)", "used": used}


def _scan(ctx, cmp_op, A, B, pts, lo, hi, fine=False):
    """Compare the sides at every point at ``lo`` digits; a failure counts only once confirmed at ``hi``.

    Returns ((checked, outside the domain, unstable, checked away from kinks), witness) where the
    witness (point, entry, values at ``hi``, kink_only) is the first confirmed failure away from kinks,
    else the first at a kink.
    """
    checked = domain = unstable = randoms = 0
    bad_kink = None
    for p in pts:
        vals = node_values(ctx.g, p.point, lo) if fine else p.vals
        ok, _, _ = _holds(cmp_op, A, B, vals, lo)
        if ok is None:
            domain += 1
            continue
        if not ok:
            status, idx, hv = _confirm(cmp_op, A, B, ctx.g, p.point, vals, lo, hi)
            if status == "differs":
                if not p.kink:
                    return (checked, domain, unstable, randoms), (p, idx, hv, False)
                bad_kink = bad_kink or (p, idx, hv, True)
                continue
            if status == "unstable":
                unstable += 1
                continue
        checked += 1
        randoms += not p.kink
    return (checked, domain, unstable, randoms), bad_kink


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
    if a_lo is None or b_lo is None or (cmp_op in ("<", ">") and not exact and _close(vals[0], vals[1], hi)):
        return "unstable", None, None
    d_lo, d_hi = a_lo - b_lo, vals[0] - vals[1]
    if d_lo == d_hi or abs(d_lo - d_hi) <= abs(d_hi) * sp.Float(10) ** -6:
        return "differs", idx, vals
    return "unstable", None, None


def _with_budget(ctx, a, b, inst):
    try:
        with _budget(ctx.opts.symbolic_seconds):
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
    if p.point.forced:
        ce["forced"] = {f"z^({l})_{j + 1}": str(v) for (l, j), v in p.point.forced.items()}
    msg = f"at {p.point.label} point, entry {ce['entry']}: left = {ce['lhs']}, right = {ce['rhs']}"
    if ce["lhs"] == ce["rhs"]:
        msg += f" (left - right = {ce['difference']})"
    return {"message": msg, "diagnosis": diag, "counterexample": ce}


def _bounded(ctx, fn):
    """``fn()`` within the symbolic budget, or None when it runs out."""
    try:
        with _budget(ctx.opts.symbolic_seconds):
            return fn()
    except _Budget:
        return None


def _tiny_counter(ctx, a, b, pts, p, idx, diff):
    """The refutation of a difference too small to see side by side (found on the expanded difference)."""
    hi = 4 * ctx.opts.verify_dps
    hv = node_values(ctx.g, p.point, hi)
    A, B = ctx.conc(a.expr)[idx], ctx.conc(b.expr)[idx]
    entry = _entry_name(a.expr.shape, idx)
    ce = {"point": p.point.label, "entry": entry, "lhs": _fmt(_value(A, hv, hi)), "rhs": _fmt(_value(B, hv, hi)),
          "difference": sp.Float(diff, 12).__str__(), "values": _relevant([A, B], hv)}
    ref, other = _reference(a, b)
    return {"message": f"at {p.point.label} point, entry {entry}: left - right = {ce['difference']} (the expanded "
                       f"difference, evaluated at {2 * ctx.opts.verify_dps} and {hi} digits; too small to see "
                       f"side by side)", "diagnosis": _diagnose(ctx, ref, other, pts, False), "counterexample": ce}


_RANK = {"proved": 0, "numerically-equal": 1, "inconclusive": 2, "refuted": 3}


def decide(net: Network, parsed, opts: CheckOptions = CheckOptions()):
    """Verdict, step, message, diagnosis, counterexample and assumptions of a parsed claim."""
    ctx = _Ctx(net, parsed, opts)
    decide.last_ctx = ctx
    worst = ("proved", None, "", None, None)
    used_all, stages = set(), set()
    cache = {}
    for inst in parsed.instances():
        key = tuple(inst.conditions)
        if key not in cache:
            cache[key] = ctx.points_for(inst.conditions)
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
    if ACTIVATIONS[net.activation].kinks and ctx.kink_used:
        assumptions.append(kink_convention(net).text)
    return worst, tuple(assumptions)


def check_claim(net: Network, claim_id: str, text: str, given=(), expect=True,
                opts: CheckOptions = CheckOptions(), file=None, notation=None) -> ClaimResult:
    """Parse and decide one claim; every failure becomes a verdict, never an exception."""
    from .notation import parse_claim
    t0 = time.perf_counter()
    base = ClaimResult(claim_id, text, "error", expect=expect, given=tuple(given))
    try:
        parsed = parse_claim(text, net, given=tuple(given), claim_id=claim_id, file=file, notation=notation)
        base = replace(base, read_as=parsed.latex, read_as_given=parsed.given_latex)
        (verdict, step, msg, diag, ce), assumptions = decide(net, parsed, opts)
        msg += "".join(f"; note: {n}" for n in parsed.notes)      # instances skipped (a layer where it does not exist)
    except SymbackpropError as e:
        return replace(base, message=str(e.located(file=file, claim_id=claim_id)),
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
