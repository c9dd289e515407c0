r"""What a claim asserts, for matching a student's claim to a reference claim by content (``grade``).

A claim's relation key (:class:`RelKey`) is its first relation symbol and, over all its instances (every
value of the free indices and of the layer symbol), the set of (left side, conditions) pairs. A left side
that names a network quantity compares by that quantity, structurally after parsing: ``\delta^{(L-1)}``,
``\delta^{(1)}`` (when L-1 = 1) and ``\frac{\partial \mathcal{L}}{\partial z^{(1)}}`` are all ("delta", 1);
``\nabla_{W^{(L-1)}}\mathcal{L}`` and ``\frac{\partial\mathcal{L}}{\partial W^{(L-1)}}`` are ("grad_W", L-1); a
component ``\delta^{(L)}_i`` or ``\delta^{(L)}_j`` is the same set of entries whatever the index letter. Any
other left side (``\varphi'(0)``, a Jacobian entry) compares by SymPy structural equality of its matrix, with
scalar variables renamed in order of first appearance (``\varphi(u)`` and ``\varphi(t)`` agree).
Mathematical equality is deliberately NOT used here: that is the checker's job, and triviality
(:mod:`symbackprop.trivial`) keeps a student from scoring with ``\hat{y} - y = \hat{y} - y``. Conditions
compare as normalized inequalities (``a \le b`` and ``b \ge a`` agree), so that a submission cannot score
by adding a ``given`` that narrows the claim.

Orientation.  :func:`claim_keys` gives the key of the claim as written and, when every relation of it
is ``=``, the key of its reverse (last side on the left): ``\hat{y} - y = \delta^{(L)}`` states the same
relation as ``\delta^{(L)} = \hat{y} - y``, and a chain ``E_0 = \dots = E_n`` is matched by ``E_0 = E_n``
(its last step against the reference; the checker requires every step to hold). Only the reference's
key as written is matched against (its left side is the quantity the task asks for).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .errors import SymbackpropError
from .network import graph

__all__ = ["RelKey", "relation_key", "claim_keys", "difference"]



@dataclass(frozen=True)
class RelKey:
    """What a claim asserts, for comparison: first relation symbol and (left side, conditions) per instance."""
    op: str
    lhs: frozenset
    pairs: frozenset
    latex: str = field(default="", compare=False)


def _scalar_vars(net, exprs) -> set:
    g = graph(net)
    known = set(g.primitives()) | set(g.node_symbols()) | set(g.yhat)
    out = set()
    for e in exprs:
        out |= {s for s in e.free_symbols if s not in known}
    return out


def _var_order(texts, names) -> list:
    """Scalar variable names in order of first appearance as a letter token in ``texts``."""
    from .notation.lexer import tokenize
    order = []
    for text in texts:
        try:
            toks = tokenize(text)
        except SymbackpropError:
            continue
        for t in toks:
            if t.kind == "letter" and t.value in names and t.value not in order:
                order.append(t.value)
    return order + sorted(n for n in names if n not in order)


def _cond_key(cond):
    """A normalized condition: (a - b, op) with > and >= turned around; = and != unordered."""
    a, op, b = cond
    if op in (">", ">="):
        return (sp.expand(b - a), {">": "<", ">=": "<="}[op])
    if op in ("<", "<="):
        return (sp.expand(a - b), op)
    return (frozenset({sp.expand(a - b), sp.expand(b - a)}), op)


def relation_key(parsed, net, given=(), side: int = 0) -> RelKey:
    """The RelKey of a parsed claim with its side number ``side`` on the left (0: as written, -1: reversed)."""
    insts = list(parsed.instances())
    first = insts[0]
    lhs_latex = first.sides[side].latex
    exprs = [i.sides[side].expr for i in insts if i.sides[side].expr is not None]
    exprs += [e for i in insts for (a, _, b) in i.conditions for e in (a, b)]
    names = {s.name for s in _scalar_vars(net, exprs)}
    order = _var_order([lhs_latex, *given], names)
    rename = {sp.Symbol(n, real=True): sp.Symbol(f"_v{k + 1}", real=True) for k, n in enumerate(order)}
    lhs_keys, pairs = [], []
    for inst in insts:
        left = inst.sides[side]
        if left.quantity is not None:
            key = ("quantity", left.quantity)
        elif left.expr is None:
            key = ("text", left.latex)
        else:
            key = ("expr", sp.ImmutableMatrix(left.expr).xreplace(rename))
        conds = frozenset(_cond_key((a.xreplace(rename), op, b.xreplace(rename)))
                          for a, op, b in inst.conditions)
        lhs_keys.append(key)
        pairs.append((key, conds))
    return RelKey(first.ops[0], frozenset(lhs_keys), frozenset(pairs), lhs_latex)


def claim_keys(parsed, net, given=()) -> tuple:
    """The keys of the claim as written and, when all its relations are ``=``, reversed (module doc)."""
    keys = [relation_key(parsed, net, given)]
    first = next(iter(parsed.instances()))
    if all(op == "=" for op in first.ops) and len(first.sides) > 1 and first.sides[-1].expr is not None:
        keys.append(relation_key(parsed, net, given, side=-1))
    return tuple(keys)


def difference(sub: RelKey, ref: RelKey) -> str:
    """Why two relation keys differ, for the cell message."""
    if sub.lhs != ref.lhs:
        if sub.lhs & ref.lhs:
            return (f"states a different relation: its left side {sub.latex!r} covers other layers or "
                    f"entries ({len(sub.lhs)}) than the reference's {ref.latex!r} ({len(ref.lhs)})")
        return (f"states a different relation: its left side {sub.latex!r} is not the reference's "
                f"{ref.latex!r}")
    if sub.op != ref.op:
        return f"states a different relation: {sub.op!r} instead of the reference's {ref.op!r}"
    return "states a different relation: its conditions (given) differ from the reference's"


