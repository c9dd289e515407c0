r"""Trivial claims: relations whose sides are the same quantity once the course's definitions are unfolded.

A claim such as ``\delta^{(L)} = \delta^{(L)}``, ``\mathcal{L} = \mathcal{L}`` or the restated definition
``\delta^{(L)} = \frac{\partial \mathcal{L}}{\partial z^{(L)}}`` is true on every network: it proves
nothing about backpropagation. ``grade`` gives such a claim no credit (cell ``trivial``) and ``check``
adds a note to its verdict.

The decision is made on the notation layer's parse of each side, evaluated in an *opaque* reading
(:class:`OpaqueCtx`) where nothing the network knows is substituted:

- δ^(l), the loss, every loss gradient (∂L/∂z, ∂L/∂W, ∇_b L, ∂L/∂ŷ, ∂L/∂a, ∂L/∂x) and every derivative
  between forward quantities (∂ŷ_k/∂z_i, ∂z^(l+1)/∂a^(l), ...) are fresh symbols, one per quantity and
  entry; a^(l), z^(l), W, b, x, y, ŷ are the graph's own independent symbols (their forward definitions
  z = Wa + b, a = φ(z), ŷ = softmax(z) are *not* substituted);
- the only identifications are the definitions every notation makes: δ^(l) ≡ ∂L/∂z^(l) (the same
  symbols, by the quantity tuple the notation layer gives both), ∇ ≡ ∂ (one node class), ŷ ≡ a^(L),
  x ≡ a^(0), an entry of a vector ≡ that component (``\delta^{(L)}_i`` and ``[\delta^{(L)}]_i``).

A claim is trivial when every relation of it is ``=`` and, at every instance (each value of the layer
symbol and free indices), its first and last sides have the same shape and their difference is exactly
0: in SymPy's automatic canonical form, or after ``sp.expand`` (an exact rewrite) when the difference is
small (bounded work: a difference with a power above 8 or over 200 operations is not expanded, and the
claim is then not trivial -- the cheap direction, its verdict rests with the checker). Sound in one direction by construction: a difference
that is 0 for independent symbols is 0 whatever the network, so the claim used no fact about it; any
fact of the network (a forward definition, the chain rule through the graph, the derived δ, the head's
Jacobian, ∇_b L = δ) keeps the sides apart and the claim is not trivial. Functions of the notation
(φ, φ', softmax, max, log, indicators) keep their meaning as functions of their arguments. Widths
(d_l, C) as values are symbols too (``d_1 = 4`` reads the network, it is not trivial; C ≡ d_L); as the
bounds of a sum they are the file's numbers, so ``\sum_{k=1}^{C} y_k = y_1 + y_2 + y_3`` on 3 classes
counts as trivial. Any failure of the opaque reading (an unsupported derivative, a shape mismatch) means "not
trivial": the claim's verdict then rests with the checker alone.
"""
from __future__ import annotations

import sympy as sp

from .notation.context import Ctx

__all__ = ["OpaqueCtx", "trivial_reason", "TRIVIAL_NOTE"]

TRIVIAL_NOTE = ("trivial: its sides are the same quantity once the definitions (δ = ∂L/∂z, ∇ = ∂, ŷ = a^(L)) are "
                "unfolded, so it holds on every network and proves nothing about this one")


def _opaque(base, shape, comp=None) -> sp.Matrix:
    """Fresh symbols named by ``base`` and entry (the same names for a whole quantity and its component)."""
    rows, cols = shape
    if comp is not None:            # one entry of the quantity: its (row, col) in the whole one
        i, j = (comp[0], 0) if len(comp) == 1 else comp
        return sp.Matrix([[sp.Symbol(f"⟦{base}⟧_{i}_{j}")]])
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"⟦{base}⟧_{i}_{j}"))


class _Layers(dict):
    """δ^(l) by layer, opaque, built on demand with the real one's shape."""

    def __init__(self, real):
        super().__init__()
        self.real = real

    def __missing__(self, layer):
        self[layer] = _opaque(("delta", layer), self.real.delta[layer].shape)
        return self[layer]


class _Derivation:
    def __init__(self, real):
        self.delta = _Layers(real)


class _Graph:
    """The network's graph, but the loss is a symbol (its definition is not unfolded)."""

    loss = sp.Symbol("⟦loss⟧")

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)


class OpaqueCtx(Ctx):
    """A notation context that evaluates δ, the loss and every derivative as fresh symbols (see module doc)."""

    def __init__(self, src, net, layer=None, env=None, offset=0):
        super().__init__(src, net, layer, env, offset=offset)
        self.real = Ctx(src, net, layer, env, offset=offset)
        self.bound, self.real.bound = set(), set()
        self.g = _Graph(self.g)
        self._d = None

    @property
    def d(self):
        if self._d is None:
            self._d = _Derivation(self.real.d)
        return self._d

    def opaque_width(self, node):
        """A width (d_l, C) as a symbol named by the layer it measures: ``d_2 = 4`` reads the network."""
        layer = self.net.L if not hasattr(node, "layer") else node.layer.value(self)
        node.size(self)                     # the real width exists (its own error otherwise)
        return sp.Matrix([[sp.Symbol(f"⟦d⟧_{layer}")]])

    def opaque_derivative(self, node):
        """(Matrix of symbols, quantity) for a derivative node: the loss's gradients by their quantity, so
        ∂L/∂z^(l) is δ^(l)'s symbols; a derivative between forward quantities by its two quantities."""
        self.real.bound = set(self.bound)
        self.real.env = dict(self.env)
        M, q = node.value(self.real)
        if q is not None:
            base = tuple(x for x in q if not isinstance(x, tuple))
            comp = q[-1] if isinstance(q[-1], tuple) else None
            return _opaque(base, M.shape, comp), q
        ends = tuple(_quantity_key(n, self.real) for n in (node.num, node.den))
        return _opaque(("d", *ends, node.layout), M.shape), None


def _quantity_key(q, ctx):
    key = q.quantity(ctx)
    return key if key is not None else (q.kind, q.layer_value(ctx), q.transposed)


MAX_EXPAND_OPS = 200       # a difference larger than this is not expanded (bounded work): "not trivial"
MAX_EXPAND_POWER = 8


def _zero(d) -> bool:
    """Whether ``d`` is exactly 0: SymPy's automatic canonical form first, then ``expand`` only on a small
    difference (no power above MAX_EXPAND_POWER, at most MAX_EXPAND_OPS operations)."""
    if d == 0:
        return True
    if any(p.exp.is_Number and abs(p.exp) > MAX_EXPAND_POWER for p in d.atoms(sp.Pow)):
        return False
    return sp.count_ops(d) <= MAX_EXPAND_OPS and sp.expand(d) == 0


def _same(A, B) -> bool:
    if A.shape != B.shape:
        return False
    return all(_zero(a - b) for a, b in zip(A, B))


def trivial_reason(parsed, net) -> str | None:
    """:data:`TRIVIAL_NOTE` when the parsed claim is trivial (module doc), else None (also when unsure)."""
    prog = getattr(parsed, "_program", None)
    rel = getattr(prog, "claim", None)
    if rel is None or not rel.ops or any(op != "=" for op in rel.ops) or len(rel.sides) < 2:
        return None
    first, last = rel.sides[0][0], rel.sides[-1][0]
    if first is None or last is None:
        return None
    try:
        for assignment in prog.assignments():
            env = {k: v for k, v in assignment.items() if k != prog.layer_symbol}
            layer = assignment.get(prog.layer_symbol) if prog.layer_symbol else None
            ctx = OpaqueCtx(rel.src, net, layer, env, offset=rel.offset)
            if not _same(first.ev(ctx), last.ev(ctx)):
                return None
    except (Exception, RecursionError):     # noqa: BLE001 - unsure: not trivial (the checker decides alone)
        return None
    return TRIVIAL_NOTE
