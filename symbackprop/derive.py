"""Reverse mode over the symbolic graph: δ^(l), ∇_W L, ∇_b L from local derivatives only."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .network import Graph, Network, graph
from .rules import OUTPUTS

__all__ = ["Derivation", "derive"]


@dataclass(frozen=True)
class Derivation:
    """Gradients at node level (over z, a, ŷ, y, W, b and the generic φ'), shaped like their variables.

    ``delta[l]`` = ∂L/∂z^(l) (l = 1..L), ``grad_W[k]``/``grad_b[k]`` for edge k (label via
    ``net.param_label(k)``), ``dL_dyhat`` = ∂L/∂ŷ, ``dyhat_dz[k, i]`` = ∂ŷ_k/∂z^(L)_i written in ŷ,
    ``dL_da[l]`` = ∂L/∂a^(l) for hidden l.  No assumption is used here: δ^(L) for softmax + CE is
    ŷ Σy − y until a proof applies Σy = 1.
    """
    net: Network
    graph: Graph
    dL_dyhat: sp.Matrix
    dyhat_dz: sp.Matrix
    delta: dict
    dL_da: dict
    grad_W: list
    grad_b: list

    def grad_W_label(self, label: int) -> sp.Matrix:
        """∇_{W^(label)} L."""
        return self.grad_W[self.net.edge(label)]

    def grad_b_label(self, label: int) -> sp.Matrix:
        """∇_{b^(label)} L."""
        return self.grad_b[self.net.edge(label)]


class _Local:
    """Local partial derivatives of one node's definition, by linearity over its terms.

    d/dv Σ_t t = Σ_{t containing v} dt/dv: only the terms where v occurs are differentiated,
    and a variable that does not occur gives an exact 0 without differentiating.
    """

    def __init__(self, expr):
        self.expr = expr
        self.terms = {}
        for t in sp.Add.make_args(expr):
            for s in t.free_symbols:
                self.terms.setdefault(s, []).append(t)

    def __call__(self, var):
        return sp.Add(*[_diff_term(t, var) for t in self.terms.get(var, ())])


def _diff_term(t, var):
    """d t / d var; a product with ``var`` as one plain factor (W_ij a_j) is differentiated by dropping it."""
    if t == var:
        return sp.Integer(1)
    if isinstance(t, sp.Mul):
        args = t.args
        if args.count(var) == 1 and not any(var in a.free_symbols for a in args if a != var):
            return sp.Mul(*[a for a in args if a != var])
    return sp.diff(t, var)


def _local(expr, var):
    """∂expr/∂var for a one-off local derivative."""
    return _Local(expr)(var)


def _chain(dL_dyhat, column):
    """Σ_k ∂L/∂ŷ_k · ∂ŷ_k/∂z_i, each term multiplied out on its own.

    Multiplying term by term lets a factor of the head's Jacobian cancel the loss's denominator where it
    occurs (sigmoid + BCE: (1 - y)/(1 - ŷ) · ŷ(1 - ŷ) = (1 - y) ŷ), instead of expanding it into 0/0-prone sums.
    """
    return sp.Add(*[_expand(t * J) for g, J in zip(dL_dyhat, column) if J != 0 for t in sp.Add.make_args(g)])


def _expand(p):
    """``sp.expand(p)``, skipped where it is the identity: a product of symbols and numbers (y_k ŷ_i, the
    off-diagonal terms of softmax's δ^(L), C² - C of its C² terms)."""
    if p.is_Atom or p.is_Mul and all(a.is_Symbol or a.is_Number for a in p.args):
        return p
    return sp.expand(p)


@lru_cache(maxsize=32)
def derive(net: Network) -> Derivation:
    """Derive every gradient of ``net`` by the chain rule over local derivatives."""
    g = graph(net)
    if not net.plain:
        return _derive_general(net, g)
    L, d = net.L, net.sizes
    dL_dyhat = sp.Matrix([_local(g.loss, v) for v in g.yhat])
    J = OUTPUTS[net.output].jacobian(g.yhat)                  # ∂ŷ_k/∂z_i, written in ŷ
    delta = {L: sp.Matrix([_chain(dL_dyhat, J[:, i]) for i in range(d[L])])}   # δ^(L) = Jᵀ ∇_ŷ L
    dL_da = {}
    local = {l: [_Local(e) for e in g.z_def[l]] for l in range(1, L + 1)}     # ∂z^(l)/∂(its inputs)
    for l in range(L - 1, 0, -1):
        up, zdef = delta[l + 1], local[l + 1]
        # ∂L/∂a^(l)_j = Σ_i δ^(l+1)_i ∂z^(l+1)_i/∂a^(l)_j
        dL_da[l] = sp.Matrix([sp.Add(*[up[i] * zdef[i](g.a[l][j]) for i in range(d[l + 1])])
                              for j in range(d[l])])
        # δ^(l)_j = ∂L/∂a^(l)_j · ∂a^(l)_j/∂z^(l)_j   (a^(l)_j depends on z^(l)_j only)
        delta[l] = sp.Matrix([dL_da[l][j] * _local(g.a_def[l][j], g.z[l][j]) for j in range(d[l])])
    grad_W, grad_b = [], []
    for k in range(L):
        dz, zdef = delta[k + 1], local[k + 1]
        # z^(k+1)_m contains W_ij and b_i only for m = i, so the sum over m has one term
        grad_W.append(sp.Matrix(d[k + 1], d[k], lambda i, j: dz[i] * zdef[i](g.W[k][i, j])))
        grad_b.append(sp.Matrix([dz[i] * zdef[i](g.b[k][i]) for i in range(d[k + 1])]))
    return Derivation(net, g, dL_dyhat, J, delta, dL_da, grad_W, grad_b)


def _adjoints(nodes, up, variables, direct=None):
    """Σ over the entries e of ``nodes`` (definitions, as _Local) that contain v: up[e] · ∂nodes[e]/∂v,
    for each v of ``variables`` — the reverse-mode step of one layer, for any layout or batch — plus
    ``direct(v)``, the loss's own local derivative in v (the weight decay), in the same sum."""
    users = {}
    for e, loc in enumerate(nodes):
        for s in loc.terms:
            users.setdefault(s, []).append(e)
    extra = (lambda v: [direct(v)]) if direct is not None else (lambda v: [])     # noqa: E731
    return [sp.Add(*[up[e] * nodes[e](v) for e in users.get(v, ())], *extra(v)) for v in variables]


def _derive_general(net: Network, g: Graph) -> Derivation:
    """Reverse mode for a batch (columns or rows), weight decay or no biases: the same local derivatives, with
    the reduction node (mean: 1/m) and the decay term (λ/2)‖W‖² as nodes of the graph."""
    L = net.L
    head = OUTPUTS[net.output]
    cols, deltas = [], []
    for yh, y, loss in zip(g.examples(g.yhat), g.examples(g.y), g.example_losses):
        # ∂L/∂ŷ_n = scale · ∂loss_n/∂ŷ_n  (the reduction's local derivative times the example's loss's)
        dyh = sp.Matrix([g.scale * _local(loss, v) for v in yh])
        J = head.jacobian(yh)
        cols.append(dyh)
        deltas.append(sp.Matrix([_chain(dyh, J[:, i]) for i in range(len(yh))]))
    dL_dyhat = g.from_examples(cols)
    J1 = head.jacobian(g.examples(g.yhat)[0])
    delta = {L: g.from_examples(deltas)}
    dL_da = {}
    local = {l: [_Local(e) for e in g.z_def[l]] for l in range(1, L + 1)}
    for l in range(L - 1, 0, -1):
        shape = g.a[l].shape
        dL_da[l] = sp.Matrix(*shape, _adjoints(local[l + 1], list(delta[l + 1]), list(g.a[l])))
        delta[l] = sp.Matrix(*shape, [u * _local(ad, z) for u, ad, z in zip(dL_da[l], g.a_def[l], g.z[l])])
    decay = _Local(g.l2_term)
    grad_W, grad_b = [], []
    for k in range(L):
        up, W, b = list(delta[k + 1]), g.W[k], g.b[k]
        grad_W.append(sp.Matrix(*W.shape, _adjoints(local[k + 1], up, list(W), decay)))
        grad_b.append(sp.Matrix(*b.shape, _adjoints(local[k + 1], up, list(b))) if b.rows else sp.zeros(0, 1))
    return Derivation(net, g, dL_dyhat, J1, delta, dL_da, grad_W, grad_b)
