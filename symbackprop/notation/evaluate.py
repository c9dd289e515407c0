"""Instances: a parsed claim with its givens evaluated at one assignment of the layer symbol and free indices,
every result walked against an allow-list of what the layer itself creates."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp

from ..errors import NotationError
from ..network import graph
from ..rules import phi, phi_prime
from .context import Ctx
from .nodes import WIDTH_TYPES, bare

__all__ = ["Side", "Instance", "Relation", "Names", "Program", "evaluate", "check_tree", "shape_value"]


@dataclass(frozen=True)
class Side:
    """One side of a relation: its matrix (scalars are 1x1), source text, and bare quantity if any."""
    expr: sp.Matrix | None
    latex: str
    quantity: tuple | None = None


@dataclass(frozen=True)
class Instance:
    """A claim with every free index and the layer symbol given a value."""
    assignment: dict
    sides: tuple
    ops: tuple
    shape: tuple | None
    conditions: tuple


@dataclass(frozen=True)
class Names:
    """The names one relation used: what the checks across the claim and its givens need of its parse."""
    index_names: dict
    var_names: dict
    var_outside: frozenset
    bound_names: dict
    declared: frozenset
    layer_used: bool
    network_pos: int | None
    readings: dict


@dataclass
class Relation:
    """One parsed text (the claim or one `given`): sides, relations, shape, the names it used, its range tail."""
    src: str
    sides: list
    ops: list
    shape: tuple | None
    names: Names
    offset: int = 0
    tail: object = None


_ALLOWED_FUNCS = (phi, phi_prime, sp.exp, sp.log, sp.tanh, sp.Max, sp.Abs, sp.Piecewise, sp.KroneckerDelta)
_ALLOWED_NODES = (sp.Add, sp.Mul, sp.Pow, sp.Rational, sp.core.relational.Relational,
                  sp.logic.boolalg.BooleanAtom, sp.functions.elementary.piecewise.ExprCondPair)


def _check_entry(e, allowed_symbols, ctx, node):
    """One node of an entry's tree: allowed symbol, allowed function/operation, or an error."""
    if isinstance(e, sp.Symbol):
        if e not in allowed_symbols:
            raise ctx.error(f"internal: unexpected symbol {e.name}", node)
        return
    if e is sp.E or isinstance(e, _ALLOWED_FUNCS + _ALLOWED_NODES):
        return
    raise ctx.error(f"the expression evaluates to {e}, which is not a real quantity of the vocabulary", node)


def check_tree(M, allowed_symbols, ctx, node):
    """Reject anything in the matrix ``M`` that the layer did not create (symbols, functions, ∞, i, ...)."""
    seen = set()
    for entry in M:
        stack = [entry]
        while stack:                     # preorder, each distinct subtree once (a wide δ repeats many)
            e = stack.pop()
            if e in seen:
                continue
            seen.add(e)
            _check_entry(e, allowed_symbols, ctx, node)
            stack.extend(reversed(e.args))


def evaluate(node, ctx, quantity=False):
    """``node.ev(ctx)`` (or its bare quantity tuple, None if it is not one); SymPy failing with a TypeError is
    an error naming the node, never a crash: SymPy evaluates the generic φ at a number (``rules.phi``) as
    ``mpmath.phi``, the golden ratio, called with the argument, and fails depending on its caches."""
    try:
        if quantity:
            b = bare(node)                       # (x) is x
            return b.quantity(ctx) if hasattr(b, "quantity") else None
        return node.ev(ctx)
    except TypeError as e:
        raise ctx.error(f"SymPy failed to evaluate this expression (TypeError: {e})"[:300], node) from None


def _broadcast_constants(sides):
    """A numeric scalar side (``\\delta^{(l)} = 0``) next to matrix sides of one shape becomes that matrix."""
    shapes = {s.expr.shape for s in sides if s.expr is not None and s.expr.shape != (1, 1)}
    if len(shapes) != 1:
        return sides
    (shape,) = shapes
    return tuple(Side(sp.Matrix(*shape, [s.expr[0]] * (shape[0] * shape[1])), s.latex, s.quantity)
                 if s.expr is not None and s.expr.shape == (1, 1) and s.expr[0].is_Number else s
                 for s in sides)


def shape_value(shape, ctx):
    m, n, _ = shape
    size = lambda d: d.size(ctx) if isinstance(d, WIDTH_TYPES) else int(d.value)  # noqa: E731
    return (size(m), 1 if n is None else size(n))


def _symbols(rel):
    return {sp.Symbol(n, real=True) for n in rel.names.var_names}


def _conditions(rel, ctx, allowed):
    """Scalar (lhs, op, rhs) conditions of one `given` relation (vectors split elementwise)."""
    from .algebra import pairs
    out = []
    allowed = allowed | _symbols(rel)
    values = []
    for node, _, _ in rel.sides:
        M = evaluate(node, ctx)
        check_tree(M, allowed, ctx, node)
        values.append((node, M))
    for (na, A), op, (nb, B) in zip(values, rel.ops, values[1:]):
        out += [(a, op, b) for a, b in pairs(A, B, ctx, nb, "a condition")]
    return out


class Program:
    """Everything needed to produce instances of one claim."""

    def __init__(self, net, claim, givens, layers, ranges, order, layer_symbol):
        self.net, self.claim, self.givens = net, claim, givens
        self.layers, self.ranges, self.order, self.layer_symbol = layers, ranges, order, layer_symbol
        self.g = graph(net)
        self.allowed = set(self.g.primitives()) | set(self.g.node_symbols()) | set(self.g.yhat)
        self._cache = {}

    def assignments(self):
        """Assignments in order: layer value outermost, then indices in order of first use."""
        for lv in (self.layers if self.layer_symbol else (None,)):
            sizes = self.ranges[lv]
            for values in itertools.product(*[range(1, sizes[n] + 1) for n in self.order]):
                a = dict(zip(self.order, values))
                if self.layer_symbol:
                    a[self.layer_symbol] = lv
                yield a

    def check_assignment(self, assignment):
        want = set(self.order) | ({self.layer_symbol} if self.layer_symbol else set())
        if set(assignment) != want:
            raise NotationError(f"an instance needs values for exactly {sorted(want)}, got {sorted(assignment)}")
        lv = assignment.get(self.layer_symbol) if self.layer_symbol else None
        if self.layer_symbol and lv not in self.layers:
            raise NotationError(f"layer {lv} is not one of {list(self.layers)}")
        for n in self.order:
            if not 1 <= assignment[n] <= self.ranges[lv][n]:
                raise NotationError(f"index {n} = {assignment[n]} is outside 1..{self.ranges[lv][n]}")
        return {n: assignment[n] for n in self.order} | ({self.layer_symbol: lv} if self.layer_symbol else {})

    def instance(self, assignment):
        key = tuple(sorted(assignment.items()))
        if key not in self._cache:
            self._cache[key] = self._build(assignment)
        return self._cache[key]

    def ctx(self, rel, assignment):
        env = {k: v for k, v in assignment.items() if k != self.layer_symbol}
        layer = assignment.get(self.layer_symbol) if self.layer_symbol else None
        return Ctx(rel.src, self.net, layer, env, offset=rel.offset)

    def _build(self, assignment):
        rel = self.claim
        ctx = self.ctx(rel, assignment)
        sides = _broadcast_constants(tuple(self._side(ctx, node, latex) for node, latex, _ in rel.sides))
        shape = shape_value(rel.shape, ctx) if rel.shape else None
        conds = []
        for g in self.givens:
            conds += _conditions(g, self.ctx(g, assignment), self.allowed)
        return Instance(dict(assignment), sides, tuple(rel.ops), shape, tuple(conds))

    def _side(self, ctx, node, latex):
        if node is None:
            return Side(None, latex, None)
        M = evaluate(node, ctx)
        check_tree(M, self.allowed | _symbols(self.claim), ctx, node)
        q = evaluate(node, ctx, quantity=True)
        return Side(M, latex, q)
