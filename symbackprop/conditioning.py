"""Well-conditioned counterexample points: presentation only, after a refutation is confirmed.

The checker refutes a claim at the first confirmed point, which is often degenerate: a saturated softmax
(ŷ₁ = 1.7e-7) or dead ReLU units, values that look like rounding noise to a student.  Once a counterexample
is confirmed, :func:`better_point` draws points with moderate inputs and weights (x and the target kept,
|x_i| <= 1, weights ~ 1/sqrt(fan-in), small hidden biases, half of them with every hidden unit turned to
its active side, the claim's scalars and forced pre-activations kept), orders them by how degenerate they are (saturated head outputs, then hidden units
where φ' is nearly 0 -- dead, saturated or at a kink --, then the largest |z|) and asks the caller whether
each *also* refutes the claim, by the caller's own confirmation path (the same exact/high-precision
comparison as the original point, givens and domain included).  The first strictly less degenerate point
that does is shown instead; else the original stays.  A claim that fails only where a unit is dead or
saturated keeps such a point: no better one refutes it.

Soundness: the verdict is decided before this runs and never depends on it; only which confirmed
point is reported changes.  The search is bounded by counts (32 candidates, 8 confirmations), so the
point shown is the same on a loaded machine; the checker adds a time limit as a safety net.
"""
from __future__ import annotations

import math
import random
from fractions import Fraction

import sympy as sp

from .points import Point, force, forward, node_values
from .rules import ACTIVATIONS, OUTPUTS

__all__ = ["degeneracy", "moderate_points", "better_point", "LABEL"]

LABEL = "well-conditioned random"
_HEAD_EDGE = 0.01          # an output within 0.01 of its range's end counts as saturated
_FLAT = 0.05               # a hidden unit with |φ'(z)| below this is dead or saturated


def _float(v):
    try:
        return float(v)
    except (TypeError, ValueError, OverflowError):
        return math.nan


def _prime(net, name, z, cache):
    """|φ'(z)| of the activation ``name`` at the float z (SymPy's φ' with the kink conventions)."""
    key = (name, z)
    if key not in cache:
        u = sp.Rational(z) if z == 0 else sp.Float(z, 15)
        cache[key] = abs(_float(ACTIVATIONS[name].prime(u, net)))
    return cache[key]


def degeneracy(g, vals, cache=None) -> tuple:
    """(saturated head outputs, flat hidden units, largest |z| rounded) at a point's node values: lower is
    better conditioned; only the first two count as degenerate."""
    net, cache = g.net, {} if cache is None else cache
    lo, hi = OUTPUTS[net.output].range
    head = 0
    for s_ in g.yhat:
        v = _float(vals.get(s_))
        if math.isnan(v):
            continue
        if lo != -sp.oo and v - float(lo) < _HEAD_EDGE * (float(hi) - float(lo) if hi != sp.oo else 1):
            head += 1
        elif hi != sp.oo and float(hi) - v < _HEAD_EDGE * (float(hi) - float(lo) if lo != -sp.oo else 1):
            head += 1
    flat, largest = 0, 0.0
    for l in range(1, net.L + 1):
        name = net.activation_of(l) if l < net.L else None
        for s_ in g.z[l]:
            z = _float(vals.get(s_))
            if math.isnan(z):
                continue
            largest = max(largest, abs(z))
            if name is not None and _prime(net, name, z, cache) < _FLAT:
                flat += 1
    return head, flat, round(largest, 1)


def _draw(rng, bound, denom, nonzero=False):
    """k/denom with |k/denom| <= bound (not 0 with ``nonzero``: a zero weight or input looks special)."""
    k = max(1, int(bound * denom))
    v = rng.randint(-k, k - 1) if nonzero else rng.randint(-k, k)
    return Fraction(v + 1 if nonzero and v >= 0 else v, denom)


def _active(net, q: Point) -> Point:
    """``q`` with every hidden unit on the active side: where a pre-activation is negative, the unit's
    weights change sign and its bias becomes non-negative (then z = -(W a) + |b| > 0); magnitudes stay."""
    if not net.plain:
        return q
    for k in range(net.L - 1):
        z = forward(net, q, 15)["z"][k + 1]
        if all(float(v) >= 0 for v in z):
            continue
        W, b = [list(Wk) for Wk in q.W], [list(bk) for bk in q.b]      # a new point: q's values are cached on q
        for j, v in enumerate(z):
            if float(v) < 0:
                W[k][j] = [-w for w in W[k][j]]
                b[k][j] = abs(b[k][j])
        q = Point(q.x, q.y, W, b, dict(q.scalars), dict(q.forced), q.label, q.surface)
    return q


def moderate_points(net, point: Point, rng: random.Random, n: int) -> list:
    """``n`` points shaped like ``point`` with moderate x, W, b (exact rationals k/16), the same target y,
    scalars and forced pre-activations."""
    out = []
    for t in range(n):
        x = [_draw(rng, 1, 8, nonzero=True) for _ in point.x]
        W, b = [], []
        for k, Wk in enumerate(point.W):
            scale = 1.5 / math.sqrt(max(1, net.sizes[k]))
            W.append([[_draw(rng, scale, 16, nonzero=True) for _ in row] for row in Wk])
            hidden = k + 1 < net.L
            b.append([Fraction(rng.randint(2 if t % 2 == 0 else -2, 8), 16) if hidden else _draw(rng, 0.25, 16)
                      for _ in point.b[k]])
        q = Point(x, list(point.y), W, b, dict(point.scalars), {}, LABEL, None)
        if t % 2 == 0:
            q = _active(net, q)
        try:
            for (l, j), value in point.forced.items():
                q = force(net, q, l, j, value)
        except (ArithmeticError, ValueError, IndexError, KeyError):
            continue
        q.label = LABEL if not point.forced else f"{LABEL} (" + ", ".join(
            f"z^({l})_{j + 1} = {v}" for (l, j), v in point.forced.items()) + ")"
        out.append(q)
    return out


def better_point(g, point: Point, refutes, seed=0, candidates=32, tries=8, prepare=None):
    """A better-conditioned point that also refutes the claim, or None (keep ``point``).

    ``prepare(q)`` (optional) returns ``q``, a copy of it moved into the claim's givens, or None (drop it).
    ``refutes(q)`` is the caller's confirmation (givens, domain, the same exact/high-precision comparison
    as the original): whatever it returns for a point that refutes, else None.  Returns (q, that) for the
    first of the candidates, least degenerate first (two of each degree), that refutes and is less
    degenerate than ``point`` (at most ``tries`` confirmations).  Counts, not time, bound the search, so
    the point shown does not depend on the machine's load (the caller adds a time limit as a safety net)."""
    cache = {}
    here = degeneracy(g, node_values(g, point, 15), cache)
    if here[:2] == (0, 0):
        return None                            # nothing to improve
    rng = random.Random(f"conditioning:{seed}")
    scored = []
    for q in moderate_points(g.net, point, rng, candidates):
        if prepare is not None:                # the caller moves a point into the claim's givens
            moved = prepare(q)
            if moved is None:
                continue
            if moved is not q:
                moved.label = f"{LABEL} (moved into the givens)"
            q = moved
        try:
            score = degeneracy(g, node_values(g, q, 15), cache)
        except (ArithmeticError, ValueError, TypeError):
            continue
        if score[0] <= here[0] and score[1] <= here[1] and score[:2] != here[:2]:    # better on one, worse on none
            scored.append(((score[0] + score[1],) + score, len(scored), q))
    per_class = {}
    for score, _, q in sorted(scored, key=lambda s: (s[0], s[1])):
        if tries <= 0:
            break
        per_class[score[1:3]] = per_class.get(score[1:3], 0) + 1
        if per_class[score[1:3]] > 2:        # two of each degree of degeneracy: a claim that needs a dead
            continue                         # unit is still tried on points with one
        tries -= 1
        found = refutes(q)
        if found is not None:
            return q, found
    return None
