r"""Derivatives between network quantities, built from the derivation's own quantities and the graph's local
derivatives (never by differentiating the composed loss).

- Of the loss: ∂L/∂z^(l) = δ^(l), ∂L/∂W, ∂L/∂b (``derive``), ∂L/∂ŷ, and ∂L/∂a^(l) for every layer: the input
  (∂L/∂x = (W^(first))ᵀ δ^(first layer), from the local derivative ∂z/∂x = W), the hidden layers (``dL_da``) and
  the output (∂L/∂ŷ).
- Between nodes of the forward chain x = a^(0) → z^(1) → a^(1) → … → z^(L) → ŷ: the product of the local Jacobians
  along the chain (∂z^(l)/∂a^(l-1) = W, ∂a^(l)/∂z^(l) = diag φ'(z^(l)), ∂ŷ/∂z^(L) the output head's Jacobian), so
  ``\frac{\partial z^{(l+1)}_k}{\partial z^{(l)}_j}`` = W_{kj} φ'(z^{(l)}_j); with respect to a weight or bias entry
  through the pre-activation it feeds (∂A/∂W_{ij} = (∂A/∂z)_{·i} a_j).

Shapes: the derivative of a scalar (the loss, or one entry) has the shape of the variable; a whole
vector-by-vector Jacobian is len(A) × len(B) in numerator layout and its transpose in denominator layout
(the profile's ``jacobian``).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..rules import phi_prime
from .context import layer_in
from .nodes import ATOM, Node, Quantity, component

__all__ = ["Derivative"]


def _chain_pos(ctx, q):
    """The position of a node quantity on the forward chain (a^(l) = 2l, z^(l) = 2l-1), or None."""
    l = q.layer_value(ctx)
    if q.kind in ("a", "x", "yhat"):
        l = 0 if q.kind == "x" else ctx.net.L if q.kind == "yhat" else l
        return 2 * layer_in(ctx, q, l, range(0, ctx.net.L + 1), q.shown(ctx, l) if q.kind == "a" else q.token)
    if q.kind == "z":
        return 2 * layer_in(ctx, q, l, range(1, ctx.net.L + 1), q.shown(ctx, l)) - 1
    return None


def _local(ctx, p):
    """The local Jacobian of chain node ``p`` with respect to node ``p - 1``."""
    g, L = ctx.g, ctx.net.L
    if p % 2:                                         # z^(l) over a^(l-1)
        return g.W[(p + 1) // 2 - 1]
    l = p // 2
    if l == L:
        return ctx.d.dyhat_dz
    return sp.diag(*[phi_prime(s) for s in g.z[l]])


class _Identity:
    """The Jacobian of a node by itself, read entry by entry (an entry-wise claim reads one entry of it per
    term: building a width × width identity Matrix each time cost O(width²))."""

    def __init__(self, size):
        self.size = size

    def __getitem__(self, key):
        r, c = key
        if isinstance(r, int) and isinstance(c, int):
            return sp.Integer(int(r == c))
        return sp.eye(self.size)[key]


def _jacobian(ctx, hi, lo, entry=False):
    """∂(node hi)/∂(node lo) in numerator layout, or None if hi does not depend on lo (``entry``: the caller
    only reads entries or slices of it, so the identity may be the cheap :class:`_Identity`)."""
    if hi == lo:
        size = len(ctx.g.a[hi // 2]) if hi % 2 == 0 else len(ctx.g.z[(hi + 1) // 2])
        return _Identity(size) if entry else sp.eye(size)
    if hi < lo:
        return None
    J = _local(ctx, hi)
    for p in range(hi - 1, lo, -1):
        J = J * _local(ctx, p)
    return J


def _engine_comp(ctx, q):
    """The 0-based component of quantity ``q`` in the engine's orientation (W_{jk} from-to is W_{kj})."""
    comp = component(q.full(ctx), q.idx, ctx, q, q.index_kind())[1]
    return tuple(reversed(comp)) if q.transposed else comp


@dataclass
class Derivative(Node):
    """∂A/∂B (also written ∇_B A, dB, d A/d B, ∂/∂B A) between network quantities."""
    num: Quantity = None
    den: Quantity = None
    nabla: bool = False
    layout: str = "numerator"
    level = ATOM

    def shape_kind(self):
        if self.num.kind == "loss" or self.num.idx is not None:
            return self.den.shape_kind()
        return "col" if self.den.idx is not None else "matrix"

    def children(self):
        return [self.num, self.den]

    def tex(self):
        if self.nabla:
            return r"\nabla_{" + self.den.engine_tex() + "} " + self.num.tex() if self.den.idx is None and \
                not self.den.transposed else self._frac_tex()
        return self._frac_tex()

    def _frac_tex(self):
        den = self.den
        if den.transposed and den.idx is None:
            inner = r"\frac{\partial " + self.num.tex() + r"}{\partial " + den.engine_tex() + "}"
            return r"\left(" + inner + r"\right)^{\top}"
        return r"\frac{\partial " + self.num.tex() + r"}{\partial " + den.tex() + "}"

    def unsupported(self, ctx):
        return ctx.error(f"unsupported derivative of {self.num.token} with respect to {self.den.token}", self)

    def ev(self, ctx):
        return self.value(ctx)[0]

    def quantity(self, ctx):
        return self.value(ctx)[1]

    def value(self, ctx):
        """(Matrix, quantity tuple or None)."""
        opaque = getattr(ctx, "opaque_derivative", None)   # symbackprop.trivial: a symbol, never the chain rule
        if opaque is not None:
            return opaque(self)
        A, B = self.num, self.den
        B.full(ctx)   # existence check of B with its own error
        if A.kind == "loss":
            return self._of_loss(ctx, B)
        if ctx.net.batched:
            raise ctx.error(f"derivatives between batch quantities ({self.num.token} by {self.den.token}) are "
                            f"tensors: write the gradient of the loss, or one example's entries", self)
        A.full(ctx)
        return self._of_node(ctx, A, B), None

    # of the loss ---------------------------------------------------------------------------------

    def _loss_gradient(self, ctx, B):
        """(engine gradient of the loss for B's quantity, quantity tuple)."""
        L, d = ctx.net.L, ctx.d
        l = B.layer_value(ctx)
        kind = "a" if B.kind in ("x", "yhat") else B.kind
        l = 0 if B.kind == "x" else L if B.kind == "yhat" else l
        if kind == "z":
            return d.delta[layer_in(ctx, B, l, range(1, L + 1), B.shown(ctx, l))], ("delta", l)
        if kind in ("W", "b"):
            lab = layer_in(ctx, B, l, ctx.net.param_labels(), B.shown(ctx, l))
            return (d.grad_W_label(lab), ("grad_W", lab)) if kind == "W" else (d.grad_b_label(lab), ("grad_b", lab))
        if kind == "a":
            if l == L:
                return d.dL_dyhat, ("dL_dyhat",)
            if l == 0:             # ∂L/∂x: the local derivative ∂z^(1)/∂x is W of the first edge
                W0 = ctx.g.W[0]
                return (d.delta[1] * W0.T if ctx.net.rows else W0.T * d.delta[1]), ("dL_da", 0)
            return d.dL_da[l], ("dL_da", l)
        raise self.unsupported(ctx)

    def _of_loss(self, ctx, B):
        G, q = self._loss_gradient(ctx, B)
        if B.idx is None:
            return (G.T, None) if B.transposed else (G, q)
        comp = _engine_comp(ctx, B)
        entry = G[comp] if len(comp) == 2 else G[comp[0]]
        return sp.Matrix([[entry]]), q + (comp,)

    # between nodes -------------------------------------------------------------------------------

    def _wrt_param(self, ctx, A, B, pa):
        """∂A/∂(W or b entry or vector): through the pre-activation z^(k+1) the parameter feeds."""
        lab = layer_in(ctx, B, B.layer_value(ctx), ctx.net.param_labels(), B.shown(ctx, B.layer_value(ctx)))
        k = ctx.net.edge(lab)
        J = _jacobian(ctx, pa, 2 * (k + 1) - 1, entry=B.kind == "W" and B.idx is not None)
        if J is None:
            raise self.unsupported(ctx)
        a = ctx.g.a[k]
        if B.kind == "b":
            return J, None                                  # ∂A/∂b^(k) = ∂A/∂z^(k+1)
        return J, a

    def _of_node(self, ctx, A, B):
        pa = _chain_pos(ctx, A)
        if pa is None or A.transposed:
            raise self.unsupported(ctx)
        r = _engine_comp(ctx, A)[0] if A.idx is not None else None
        if B.kind in ("W", "b"):
            return self._param_derivative(ctx, A, B, pa, r)
        pb = _chain_pos(ctx, B)
        J = _jacobian(ctx, pa, pb) if pb is not None else None
        if J is None:
            raise self.unsupported(ctx)
        f = _engine_comp(ctx, B)[0] if B.idx is not None else None
        if r is not None and f is not None:
            return sp.Matrix([[J[r, f]]])
        if r is not None:
            return J[r, :].T
        if f is not None:
            return J[:, f]
        return J.T if self.layout == "denominator" else J

    def _param_derivative(self, ctx, A, B, pa, r):
        J, a = self._wrt_param(ctx, A, B, pa)
        if B.kind == "b":
            if B.idx is not None:
                f = _engine_comp(ctx, B)[0]
                return sp.Matrix([[J[r, f]]]) if r is not None else J[:, f]
            if r is not None:
                return J[r, :].T
            return J.T if self.layout == "denominator" else J
        rows, cols = ctx.g.W[ctx.net.edge(B.layer_value(ctx))].shape
        if B.idx is not None:
            i, j = _engine_comp(ctx, B)
            if r is not None:                      # one entry: not the whole column (O(width) per entry)
                return sp.Matrix([[J[r, i] * a[j]]])
            return J[:, i] * a[j]
        if r is None:
            raise self.unsupported(ctx)          # a vector by a matrix: a third-order tensor
        G = sp.Matrix(rows, cols, lambda i, j: J[r, i] * a[j])
        return G.T if B.transposed else G
