"""Diagnoses: the known mistake that explains a refutation (sign, transpose, a missing φ', another layer,
a constant factor, a kink convention, a shape, a missing assumption), each with its text for students.

``DIAGNOSIS_TABLE`` holds one row per mistake (name, text, detector) in the order they are tried; adding a
diagnosis is adding a row there (``DIAGNOSES``, name -> text, is read off it).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import sympy as sp

from .precision import NEGLIGIBLE, _close, _holds, _value
from .rules import LOSSES, ONEHOT_SUM


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


class _Case:
    """One refutation to explain: the two sides (the reference one a bare quantity), concretized on demand,
    compared at up to six random points."""

    def __init__(self, ctx, ref_side, other_side, pts, kink_only):
        self.ctx, self.ref_side, self.other_side = ctx, ref_side, other_side
        self.pts, self.kink_only = pts, kink_only

    @cached_property
    def ref(self):
        return self.ctx.conc(self.ref_side.expr)

    @cached_property
    def other(self):
        return self.ctx.conc(self.other_side.expr)

    @cached_property
    def rand(self):
        return [p for p in self.pts if not p.kink][:6]

    @cached_property
    def alternatives(self):
        return _alternatives(self.ref_side, self.ctx.d, self.ctx.net)

    @property
    def same_shape(self):
        return self.ref.shape == self.other.shape

    def equals(self, M):
        """Whether ``M`` equals the other side at every random point."""
        return all(_holds("=", M, self.other, p.vals, self.ctx.opts.dps)[0] for p in self.rand)

    def alternative(self, name):
        """Whether a known confusion called ``name`` (``_alternatives``) equals the other side."""
        for alt_name, alt in self.alternatives:
            if alt_name == name:
                alt = self.ctx.conc(alt)
                if alt.shape == self.other.shape and self.equals(alt):
                    return True
        return False


def _transposed(c):
    ref, other = c.ref, c.other
    if not c.same_shape:
        return ref.shape == other.shape[::-1] and c.equals(ref.T)
    return ref.shape[0] == ref.shape[1] and ref.shape[0] > 1 and c.equals(ref.T)


def _target_sum(c):
    ctx = c.ctx
    if LOSSES[ctx.net.loss].target == "one-hot":
        return False
    diff = (c.ref - c.other).applyfunc(lambda e: ONEHOT_SUM.apply(e, ctx.g))
    return all(_holds("=", diff, sp.zeros(*diff.shape), p.vals, ctx.opts.dps)[0] for p in c.rand)


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake: its name, the text students read, and whether it explains a refutation."""
    name: str
    text: str
    detect: Callable      # _Case -> bool


# in the order they are tried: the first that explains the refutation is the diagnosis
DIAGNOSIS_TABLE = (
    Diagnosis("kink-convention",
              "The claim differs only exactly at a kink or indicator boundary (e.g. a pre-activation equal to 0): it "
              "uses another value there, such as φ'(0) = 1 or ≥ instead of >, than the convention.",
              lambda c: c.kink_only),
    Diagnosis("sign", "The claim is the negative of the true value: a sign was flipped (e.g. y - ŷ instead of ŷ - y).",
              lambda c: c.same_shape and c.equals(-c.ref)),
    Diagnosis("transpose", "The claim equals the transpose of the true value: the factors are in the wrong order or "
              "a ^T is missing.", _transposed),
    Diagnosis("missing-activation-derivative", "The claim is right without the factor ⊙ φ'(z): the activation's "
              "derivative was forgotten.", lambda c: c.alternative("missing-activation-derivative")),
    Diagnosis("wrong-layer", "The claim is the right formula for another layer: a layer index is off.",
              lambda c: c.alternative("wrong-layer") or (c.same_shape and _layer_shift(c.ctx, c.ref, c.other_side,
                                                                                       c.rand) is not None)),
    Diagnosis("shape-mismatch", "The two sides have different shapes, so they cannot be equal.",
              lambda c: not c.same_shape),
    Diagnosis("constant-factor", "The claim is off by a constant factor (e.g. 2(ŷ - y) for the ½-scaled squared "
              "error).", lambda c: _constant_ratio(c.ref, c.other, c.rand, c.ctx.opts.dps) is not None),
    Diagnosis("missing-assumption", "The claim holds only if the target sums to 1, which this loss does not assume.",
              _target_sum),
)
DIAGNOSES = {d.name: d.text for d in DIAGNOSIS_TABLE}


def _diagnose(ctx, ref_side, other_side, pts, kink_only):
    """The known mistake that explains a refutation (the first of ``DIAGNOSIS_TABLE``), or None."""
    case = _Case(ctx, ref_side, other_side, pts, kink_only)
    return next((d.name for d in DIAGNOSIS_TABLE if d.detect(case)), None)


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
            if abs(a) < sp.Float(10) ** -NEGLIGIBLE:
                if abs(b) > sp.Float(10) ** -NEGLIGIBLE:
                    return None
                continue
            r = b / a
            if ratio is None:
                ratio = r
                if abs(ratio) < sp.Float(10) ** -NEGLIGIBLE:
                    return None          # what the end decides anyway (a zero side: no factor), without the rest
            elif not _close(r, ratio, dps):
                return None
    if ratio is None or _close(ratio, sp.Integer(1), dps) or abs(ratio) < sp.Float(10) ** -NEGLIGIBLE:
        return None
    return ratio
