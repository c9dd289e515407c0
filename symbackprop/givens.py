"""The givens of a claim as the checker uses them: rewritten into an equivalent simpler form (one region,
every writing alike), equalities implied through injective maps, and the claim's own domain (logarithms'
arguments positive, guarded pieces) as conditions for building points.
"""
from __future__ import annotations

import sympy as sp

from .precision import _expanded_size, atoms_of
from .regions import univariate_region
from .rules import OUTPUTS


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
            for a in atoms_of(e, sp.log):
                if a.free_symbols and len(a.args) == 1:
                    c = (a.args[0], ">", sp.Integer(0))
                    if c not in out:
                        out.append(c)
            for pw in atoms_of(e, sp.Piecewise):
                if len(pw.args) == 1 and isinstance(pw.args[0][1], sp.core.relational.Relational):
                    rel = pw.args[0][1]
                    op = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}.get(rel.rel_op)
                    if op and rel.free_symbols and (rel.lhs, op, rel.rhs) not in out:
                        out.append((rel.lhs, op, rel.rhs))
    return tuple(out[:8])
