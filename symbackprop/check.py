"""Decide one claim: proved / numerically-equal / refuted / error / inconclusive, with diagnoses.

The ladder is built so that no rung is reached by a guess:
- *proved* needs agreement at every numeric point (at 50 digits) first, then an exact symbolic zero
  (``closed_forms.prove_zero``) of every step's difference; a point where a denominator vanishes (0/0,
  even only up to rounding) is outside the domain, so an expression undefined everywhere is never proved.
- *refuted* needs a point where the sides differ at 50 digits, re-verified at 80 digits from the same
  exact rational inputs with the same difference (a difference that changes with the precision is
  rounding noise of an ill-conditioned expression: that point is unstable, not a counterexample).
  Exact rational values are compared exactly.  Once refuted, the point shown may be a better-conditioned
  one (``conditioning.py``: no saturated output or dead unit the claim does not need) that refutes by this
  same confirmation; the verdict is decided before that search and never depends on it.
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
import random
import time
from dataclasses import dataclass, replace
from functools import lru_cache

import sympy as sp

from .budget import _Clock, _bounded, mark_worker  # noqa: F401 - mark_worker is public here
from . import conditioning
from .counterexamples import (_certified_value, _counter, _entry_name, _fmt, _reference, _relevant, _tiny_counter,
                              _with_point)
from .derive import derive
from .diagnoses import DIAGNOSES, _diagnose  # noqa: F401 - DIAGNOSES is public here
from .errors import SymbackpropError
from .givens import _domain_conditions, _normalize_conditions
from .network import Network, graph
from .points import node_values
from .precision import (MIN_EXACT_DIGITS, _EXACT_DIGITS, _MAX_BOUNDARY_INSTANCES, _STRICT, _TINY_MAX_DPS, _TRUTH,
                        _claim_digits, _cond_ok, _holds, _value)
from .proofs import _prove_inequality, _uncovered, _with_budget, same_formula_on_targets
from .regions import exact_sign
from .rules import kink_conventions, phi, phi_prime
from .samples import _Pt, _constructed, points_for, random_and_kink_points
from .scan import _confirm, _scan, _tiny_difference
from .verdicts import VERDICTS, holds, worse  # noqa: F401 - VERDICTS is public here
from .surfaces import _on_surface, claim_surfaces, relation_surfaces, step_surfaces
from .symmetry import carried_by_symmetry, index_pattern


__all__ = ["CheckOptions", "ClaimResult", "check_claim", "decide", "mark_worker", "VERDICTS", "DIAGNOSES"]



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
    cached: bool = False             # answered from the result cache (resultcache.py), not checked again

    @property
    def as_expected(self) -> bool:
        """Whether the verdict is what the file expects (proved/numerically-equal, or refuted)."""
        return holds(self.verdict) if self.expect else self.verdict == "refuted"

    def to_dict(self) -> dict:
        """JSON-ready dict (the ``--format json`` claim record)."""
        return {"id": self.id, "claim": self.claim, "given": list(self.given), "expect": self.expect,
                "verdict": self.verdict, "step": self.step, "message": self.message,
                "diagnosis": self.diagnosis, "counterexample": self.counterexample,
                "assumptions": list(self.assumptions), "seconds": round(self.seconds, 3),
                "as_expected": self.as_expected, "read_as": self.read_as,
                "read_as_given": list(self.read_as_given), "location": self.location,
                **({"cached": True} if self.cached else {})}


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
        # the boundaries and digits of the first instances, found on first use (a step proved as one formula
        # defined everywhere needs neither); ``numeric`` makes the digits the cap of exact decisions
        self._instances, self._lazy = instances, {}

    @property
    def relations(self):
        """The equality surfaces of the inequality steps of the first instances (``relation_surfaces``)."""
        if "relations" not in self._lazy:
            self._lazy["relations"] = relation_surfaces(self, self._instances)
        return self._lazy["relations"]

    @property
    def surfaces(self):
        """Every boundary of the first instances' sides (``claim_surfaces``)."""
        if "surfaces" not in self._lazy:
            self._lazy["surfaces"] = claim_surfaces(self, self._instances)
        return self._lazy["surfaces"]

    @property
    def digits(self):
        """The digits the claim's constants need (``precision._claim_digits``)."""
        if "digits" not in self._lazy:
            self._lazy["digits"] = _claim_digits(self._instances)
        return self._lazy["digits"]

    def numeric(self):
        """Before the first evaluation at a point: the claim's digit cap for exact decisions (ties)."""
        _EXACT_DIGITS[0] = self.digits

    def kinks_of(self, M):
        """Mark the kink convention as used when ``M`` (generic φ, φ') has φ' or a kinked φ (as ``conc`` does,
        without concretizing a whole matrix)."""
        if not self.kink_used and M.has(phi, phi_prime):      # then conc(M) != M
            self.kink_used = M.has(phi_prime, sp.Piecewise, sp.Max) or any(
                self.g.concretize(f).has(sp.Piecewise, sp.Max) for e in M for f in e.atoms(phi))

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
            self._sampled = random_and_kink_points(self.net, self.g, self.rng, self.scalars, self.opts)
        return self._sampled

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


@dataclass
class _Evidence:
    """What the checks of one step established when none of them decided it (the ladder's last rungs)."""
    checked: int          # points where the step was decided and holds
    domain: int           # points outside the domain or undecidable there
    unstable: int         # points whose difference changed with the precision
    randoms: int          # decided points away from kinks and probes
    covered: list         # points that decided the step or are exactly outside its domain
    surfaces: list        # the step's boundaries
    stage: str | None = None    # the exact proof's stage ("budget": it ran out; None: none found or none tried)
    used: tuple = ()            # the assumptions of the exact proof
    tiny: object = None         # the tiny-difference search: None, "budget" or "precision:<size>"
    ineq_budget: bool = False   # the exact inequality proof ran out of its time budget


def _check_step(ctx, inst, k, pts):
    """Decide step k of one instance: (status, detail dict)."""
    a, b, op = inst.sides[k], inst.sides[k + 1], inst.ops[k]
    found = _shape_step(ctx, inst, a, b, op, pts) or _evidence(ctx, inst, a, b, op, pts)
    return _ladder(ctx, inst, a, b, op, found) if isinstance(found, _Evidence) else found


def _same_formula_step(ctx, inst, k):
    """Step k proved without points when its sides are one formula defined at every point (no givens):
    nothing a point could show (a wide layer's δ written as the derivation computes it was evaluated at ~50
    points, entry by entry, to learn that).  (status, detail dict), else None."""
    a, b, op = inst.sides[k], inst.sides[k + 1], inst.ops[k]
    if op != "=" or inst.conditions or a.expr is None or b.expr is None:
        return None
    used = _bounded(ctx.symbolic, lambda: same_formula_on_targets(ctx.g, a.expr, b.expr))   # symbolic work
    if used is None or used == "budget":
        return None
    ctx.kinks_of(a.expr)
    if used:       # what the exact proof finds at its first (generic) stage with Σ_k y_k = 1
        return "proved", {"message": "exact (generic); the sides are one formula once Σ_k y_k X = X, defined at "
                                     "every point", "used": used, "stage": "generic"}
    return "proved", {"message": "exact (the difference is exactly 0; the sides are one formula, defined at every "
                                 "point)", "stage": "the difference is exactly 0"}


def _shape_step(ctx, inst, a, b, op, pts):
    """A step that shapes decide (``in`` a shape, sides of different shapes): (status, detail dict), else None."""
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
    return None


def _evidence(ctx, inst, a, b, op, pts):
    """The scan, the exact proofs and the search for a tiny difference of a step whose sides have one shape:
    (status, detail dict) as soon as one decides the step, else the ``_Evidence`` for the ladder."""
    dps = ctx.opts.dps
    ctx.numeric()
    cmp_op = "=" if op in ("=", "!=") else op
    A, B = ctx.conc(a.expr), ctx.conc(b.expr)
    hi = ctx.opts.verify_dps
    surfaces = step_surfaces(ctx, a, b, inst.conditions, op)
    keys = {S.key for S in surfaces}
    pts = [p for p in pts if p.point.surface is None or all(k in keys for k in p.point.surface)]
    (checked, domain, unstable, randoms), bad, covered = _scan(ctx, cmp_op, A, B, pts, dps, hi)
    ev = _Evidence(checked, domain, unstable, randoms, covered, surfaces)
    enough = checked >= min(ctx.opts.points, 5)
    if bad is None and checked:
        # a constant difference (σ(1000) = 1) is decided by certified evaluation, once a point where the
        # givens hold and the sides are defined exists
        witness = next((p for p in pts if _holds(cmp_op, A, B, p.vals, dps)[0] is not None), None)
        const = _constant_step(ctx, a, b, A, B, op, witness) if witness is not None else None
        if const is not None:
            return const
    if bad is None and enough and op in _STRICT:
        how = _bounded(ctx.symbolic, lambda: _prove_inequality(ctx, A, B, op, inst.conditions))
        if how not in (None, "budget"):
            return "proved", {"message": f"exact ({how}); holds at {checked} points", "stage": how}
        ev.ineq_budget = how == "budget"
    if bad is None and enough:
        ev.stage, ev.used = _with_budget(ctx, a, b, inst) if op in ("=", "!=") else (None, ())
        if ev.stage and ev.stage != "budget":
            if op == "!=":
                return "refuted", {"message": "the two sides are identically equal", "used": ev.used}
            return "proved", {"message": f"exact ({ev.stage}); agrees at {checked} points", "used": ev.used,
                              "stage": ev.stage}
        # no proof: the sides must also agree at a finer precision (a 10^{-40} slip hides at 50 digits)
        (_, _, unstable2, _), bad, _ = _scan(ctx, cmp_op, A, B, pts, hi, 2 * hi - dps, fine=True)
        ev.unstable = max(ev.unstable, unstable2)
        if bad is None:
            # for != a witness is a proof (symbolic budget); for = and <= it guards numerically-equal (own allowance)
            clock = ctx.symbolic if op == "!=" else ctx.tiny_clock
            ev.tiny = _bounded(clock, lambda: _tiny_difference(ctx, A, B, pts, op))
            if isinstance(ev.tiny, tuple):
                if op == "!=":
                    return "proved", {"message": f"the sides differ at a point ({ev.tiny[0].point.label})"}
                return "refuted", _tiny_counter(ctx, a, b, pts, *ev.tiny)
    if bad is not None:
        p, idx, vals, kink_only = bad
        if op == "!=":
            return "proved", {"message": f"the sides differ at a point ({p.point.label})"}
        if not kink_only or p.point.forced:       # a better-conditioned point: presentation only, decided
            p, idx, vals = _well_conditioned(ctx, inst, cmp_op, A, B, p, idx, vals)
        return "refuted", _counter(ctx, a, b, p, idx, vals, pts, kink_only=kink_only)
    return ev


def _well_conditioned(ctx, inst, cmp_op, A, B, p, idx, vals):
    """The counterexample to show: a point of conditioning.better_point that refutes the step by the same
    path as ``p`` (givens, domain, the comparison at ``dps`` confirmed at ``verify_dps``; candidates outside
    the givens are moved into them as ``points_for`` does), else ``p``;
    within 5 s of its own, a safety net (the verdict is already decided and does not depend on this)."""
    conds = tuple(inst.conditions) + tuple(_domain_conditions(ctx, inst))
    dps, rng = ctx.opts.dps, random.Random(ctx.opts.seed)

    def into_givens(q):            # as points_for builds its points: forced, else constructed
        if not inst.conditions or _cond_ok(conds, node_values(ctx.g, q, dps), dps):
            return q
        return _constructed(ctx, conds, q, rng)
    better = _bounded(_Clock(5.0), lambda: conditioning.better_point(
        ctx.g, p.point, lambda q: _refutes_at(ctx, cmp_op, A, B, conds, q), ctx.opts.seed, prepare=into_givens))
    if better is None or better == "budget":
        return p, idx, vals
    q, (idx, vals) = better
    kind = p.kind if q.forced and p.kink else "random"      # still on the kink it was forced onto, or random
    return _Pt(q, node_values(ctx.g, q, ctx.opts.dps), kind), idx, vals


def _refutes_at(ctx, cmp_op, A, B, conds, q):
    """(entry, values at verify_dps) when the sides of a step surely differ at ``q`` (where the givens and
    the domain hold), confirmed as the checker confirms any counterexample; else None."""
    dps, hi = ctx.opts.dps, ctx.opts.verify_dps
    v = node_values(ctx.g, q, dps)
    if not _cond_ok(conds, v, dps):
        return None
    ok, _, _ = _holds(cmp_op, A, B, v, dps)
    if ok is not False:
        return None
    status, idx, hv = _confirm(cmp_op, A, B, ctx.g, q, v, dps, hi)
    return (idx, hv) if status == "differs" else None


def _ladder(ctx, inst, a, b, op, ev):
    """The last rungs of a step that nothing refuted or proved: inconclusive (too few points, unstable
    points, a search out of budget or precision, a boundary without an evaluated point), else
    numerically-equal."""
    checked, unstable, dps, hi = ev.checked, ev.unstable, ctx.opts.dps, ctx.opts.verify_dps
    shaky = f"; {unstable} points were numerically unstable (the difference changed with the precision)" \
        if unstable else ""
    if checked < min(ctx.opts.points, 5):
        if op in ("<", ">") and unstable and _with_budget(ctx, a, b, inst)[0] not in (None, "budget"):
            return "refuted", {"message": f"the two sides are identically equal, so {op} never holds"}
        return "inconclusive", {"message": f"only {checked} points satisfy the conditions and the domain "
                                           f"({ev.domain} outside the domain){shaky}"}
    if unstable:
        return "inconclusive", {"message": f"holds at {checked} points, but {unstable} points were numerically "
                                           f"unstable (the difference changed with the precision)"}
    if op == "!=":
        why = "; the symbolic phase ran out of its time budget" if ev.stage == "budget" else ""
        return "inconclusive", {"message": f"no point among {checked} distinguishes the sides{why}"}
    if ev.randoms < ctx.opts.points:
        return "inconclusive", {"message": f"holds at the {checked} points that satisfy the conditions and the "
                                           f"domain, but numerically-equal needs {ctx.opts.points} random points "
                                           f"({ev.randoms} found)"}
    # numerically-equal only if nothing the checker did not look at can decide the claim
    if ev.tiny == "budget":
        return "inconclusive", {"message": f"holds at {checked} points, but the check of the exactly expanded "
                                           f"difference ran out of its time budget"}
    if isinstance(ev.tiny, str) and ev.tiny.startswith("precision"):
        return "inconclusive", {"message": f"holds at {checked} points, but a difference as small as the claim's "
                                           f"constants ({ev.tiny.split(':', 1)[1]}) needs more digits than the cap "
                                           f"of {_TINY_MAX_DPS}"}
    missing = _uncovered(ctx, ev.surfaces, ev.covered, inst.conditions)
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
    if ev.ineq_budget:
        return "numerically-equal", {"message": f"holds at {checked} points, on both sides of and on its equality "
                                                f"surface; the exact proof ran out of its time budget"}
    if op != "=":
        return "numerically-equal", {"message": f"holds at {checked} points, including points on its equality "
                                                f"surface or with that surface proved unreachable (no exact proof "
                                                f"found)"}
    if ev.stage == "budget":
        return "numerically-equal", {"message": f"equal at {checked} points at {dps} and {hi} digits; the "
                                                f"symbolic proof ran out of its time budget"}
    return "numerically-equal", {"message": f"equal at {checked} points at {dps} and {hi} digits "
                                            f"(no exact proof found)", "used": ev.used}


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
            sign = exact_sign(d, max(ctx.digits, MIN_EXACT_DIGITS))
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


def _neq_everywhere(inst):
    """A ≠ B read as "A and B differ at every point" (as a given is read): ‖A − B‖² > 0."""
    if "!=" not in inst.ops or len(inst.ops) != 1 or inst.sides[0].expr.shape != inst.sides[1].expr.shape:
        return inst
    a, b = inst.sides
    sq = sp.Matrix([[sp.Add(*[e ** 2 for e in a.expr - b.expr])]])
    side = _neq_side(type(a))(sq, r"\left\|" + a.latex + " - " + b.latex + r"\right\|^2")
    return replace(inst, sides=(side, type(a)(sp.zeros(1, 1), "0")), ops=(">",))


@lru_cache(maxsize=None)
def _neq_side(side_type):
    """The side ‖A − B‖² of a claim A ≠ B, a subclass of the notation's side made here (no diagnosis compares
    it with the sides of a mistake); the notation layer is not imported by this module (workers import it)."""
    return dataclass(frozen=True)(type("_NeqSide", (side_type,), {"__doc__": _neq_side.__doc__}))


def decide(net: Network, parsed, opts: CheckOptions = CheckOptions()):
    """Verdict, step, message, diagnosis, counterexample and assumptions of a parsed claim.

    A ≠ B has two readings: "the identity A = B fails" (the sides differ somewhere: ``\\delta^{(L-2)} \\neq 0``
    after a dead neuron, as functions) and "A and B differ at every point" (``x_1 \\neq 0``, as a given).  Both are
    decided; where they disagree the claim is an error saying how to state each, never one of them guessed."""
    first = next(iter(parsed.instances()), None)
    if first is None or "!=" not in first.ops:
        return _decide(net, parsed, opts, lambda inst: inst)
    some = _decide(net, parsed, opts, lambda inst: inst)
    every = _decide(net, parsed, opts, _neq_everywhere)
    (s_, e_) = (some[0][0], every[0][0])
    if s_ == "refuted":                      # identically equal: false in both readings
        return some
    if e_ != "refuted":                      # differ everywhere (then somewhere too), or undecided
        return every
    if s_ == "inconclusive":
        return some
    ce = every[0][4] or {}                   # the sides differ somewhere, and are equal somewhere else
    where = f" ({ce.get('point')} point)" if ce.get("point") else ""
    raise SymbackpropError(
        "\\neq has two readings that disagree here: the sides are not identically equal, so the identity "
        f"A = B fails, but they are equal at some points{where}; for 'the identity fails' write the claim "
        "A = B with expect: false, for 'never equal' write \\|A - B\\| > 0 (or (A - B)^2 > 0 for scalars)",
        token="\\neq")


def _instance_steps(ctx, inst, cache, norm):
    """(k, status, detail) of each step of one instance in turn (none after a refutation); the givens
    normalised once per claim (``norm``), the points drawn once per givens and domain (``cache``) and only for
    a step that needs them."""
    if inst.conditions:
        if inst.conditions not in norm:
            norm[inst.conditions] = _normalize_conditions(
                tuple((ctx.g.concretize(l_), o, ctx.g.concretize(r_)) for l_, o, r_ in inst.conditions), ctx.g)
        inst = replace(inst, conditions=norm[inst.conditions])
    pts = None
    for k in range(len(inst.ops)):
        found = _same_formula_step(ctx, inst, k)
        if found is None and pts is None:
            domain = _domain_conditions(ctx, inst)
            key = (tuple(inst.conditions), domain)
            if all(op == "in" for op in inst.ops):
                pts = []                    # a shape is decided without points
            else:
                if key not in cache:
                    ctx.numeric()
                    cache[key] = points_for(ctx, inst.conditions, domain)
                pts = cache[key]
        status, info = found or _check_step(ctx, inst, k, pts)
        if type(inst.sides[0]).__name__ == "_NeqSide":
            info = dict(info, diagnosis=None)
        yield k, status, info
        if status == "refuted":
            return


def _decide(net, parsed, opts, reading):
    """:func:`decide` of the claim's instances as ``reading`` maps them."""
    instances = map(reading, parsed.instances())
    first = list(itertools.islice(instances, _MAX_BOUNDARY_INSTANCES))
    ctx = _Ctx(net, parsed, opts, first)
    _EXACT_DIGITS[0] = MIN_EXACT_DIGITS        # until the claim's own digits are needed (``_Ctx.numeric``)
    worst = ("proved", None, "", None, None)
    used_all, stages = set(), set()
    cache = {}
    norm = {}
    reps = {}                 # an instance class's proved representative (``symmetry.carried_by_symmetry``)
    carried, symmetry = 0, {}
    for inst in itertools.chain(first, instances):
        raw = inst
        pattern = index_pattern(inst.assignment, parsed.layer_symbol) if inst.assignment else None
        rep = reps.get(pattern)
        if rep is not None and carried_by_symmetry(ctx.g, rep, inst, parsed.layer_symbol, symmetry):
            carried += 1      # the image of a proved instance under a symmetry of the network: proved
            continue
        statuses = []
        for k, status, info in _instance_steps(ctx, inst, cache, norm):
            statuses.append(status)
            used_all.update(a.text for a in info.get("used", ()))
            if info.get("stage"):
                stages.add(info["stage"])
            if worse(status, worst[0]):
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
        if pattern is not None and pattern not in reps and statuses and all(st == "proved" for st in statuses):
            reps[pattern] = raw
    if worst[0] in ("proved", "numerically-equal") and not worst[2]:
        how = f"; exact proof ({', '.join(sorted(stages))})" if worst[0] == "proved" and stages else ""
        if carried:
            how += f"; {carried} of them as images of a proved instance under a permutation of units (checked)"
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
        if holds(verdict):
            from .trivial import trivial_reason                     # holds on every network: says so
            trivial = trivial_reason(parsed, net)
            msg += f"; note: {trivial}" if trivial and msg else f"note: {trivial}" if trivial else ""
    except SymbackpropError as e:
        offset = e.position
        at = origin.place(e, text, tuple(given)) if origin is not None else None
        return replace(base, message=str(e.located(file=file, claim_id=claim_id)),
                       location={"token": e.token, "offset": offset, "key": e.key,
                                 "fix": getattr(e, "fix", None), **(dict(zip(("line", "col"), at)) if at else {})},
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
