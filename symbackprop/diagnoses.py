"""Diagnoses: the known mistake that explains a refutation (sign, transpose, a missing φ', another layer,
a constant factor, a kink convention, a shape, a missing assumption), each with its text for students.
"""
from __future__ import annotations

import sympy as sp

from .precision import NEGLIGIBLE, _close, _holds, _value
from .rules import LOSSES, ONEHOT_SUM


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
            if abs(a) < sp.Float(10) ** -NEGLIGIBLE:
                if abs(b) > sp.Float(10) ** -NEGLIGIBLE:
                    return None
                continue
            r = b / a
            if ratio is None:
                ratio = r
            elif not _close(r, ratio, dps):
                return None
    if ratio is None or _close(ratio, sp.Integer(1), dps) or abs(ratio) < sp.Float(10) ** -NEGLIGIBLE:
        return None
    return ratio
