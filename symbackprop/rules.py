"""Rule tables keyed by name: hidden activations, output heads, losses and their textbook forms.

Adding an activation is adding one row to ``ACTIVATIONS``.  Every entry is SymPy only; the
independent NumPy reference lives in ``numeric.py`` and shares no code with this table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

__all__ = [
    "phi", "phi_prime", "indicator", "Assumption", "ONEHOT_SUM",
    "ActivationRule", "OutputRule", "LossRule", "HeadRule",
    "ACTIVATIONS", "OUTPUTS", "LOSSES", "HEADS",
]


class _Opaque(sp.Function):
    """A generic real function of the textbook (φ, φ'): an unknown real value, never a number.

    SymPy's ``Function._eval_evalf`` looks a function's class name up in mpmath, and ``mpmath.phi`` is the
    golden ratio: N(φ(0)) would be 1.618..., and max(φ(0), 1) or 1{φ(0) > 1} would pick a branch from it
    while the claim is parsed.  Here evaluation is refused and φ(c) is not a number (like a symbol), so
    comparisons and max stay unevaluated until the network's concrete activation replaces φ.
    """
    nargs = 1
    is_number = False

    def _eval_evalf(self, prec):
        return None

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_finite(self):
        return True if self.args[0].is_extended_real else None


class phi(_Opaque):
    """The generic hidden activation φ, kept unevaluated so results read like the textbook."""

    def fdiff(self, argindex=1):
        return phi_prime(self.args[0])

    def _latex(self, printer):
        return r"\varphi\left(%s\right)" % printer._print(self.args[0])


class phi_prime(_Opaque):
    """φ', the derivative of the generic hidden activation (its kink value is a convention)."""

    def _latex(self, printer):
        return r"\varphi'\left(%s\right)" % printer._print(self.args[0])


def indicator(cond) -> sp.Expr:
    """1{cond} as a Piecewise that is exactly 0 or 1 (no Heaviside, no H(0)=1/2)."""
    return sp.Piecewise((sp.Integer(1), cond), (sp.Integer(0), True))


def kinked_prime(u, left, right, at_zero) -> sp.Expr:
    """Derivative of a piecewise-linear function with a kink at 0 and an explicit value there."""
    return sp.Piecewise((right, u > 0), (left, u < 0), (at_zero, True))


@dataclass(frozen=True)
class Assumption:
    """A fact a proof may use; ``substitution`` maps the graph to the replacement it licenses."""
    name: str
    text: str
    latex: str
    substitution: Callable | None = None   # graph -> {symbol: expr}

    def apply(self, expr, graph):
        """Rewrite ``expr`` using this assumption (identity for pure conventions)."""
        if self.substitution is None:
            return expr
        return expr.xreplace(self.substitution(graph))


def _onehot_sum(graph):
    ys = list(graph.y)
    return {ys[-1]: 1 - sp.Add(*ys[:-1])}


ONEHOT_SUM = Assumption(
    "target-sums-to-one",
    "the target is one-hot: sum_k y_k = 1",
    r"\sum_{k=1}^{C} y_k = 1",
    _onehot_sum,
)


def kink_convention(net) -> Assumption:
    """The φ'(0) convention of a network with a kinked activation, as a stated assumption."""
    c = sp.nsimplify(net.kink_value)
    return Assumption("phi-prime-at-zero", f"phi'(0) = {c} (convention at the kink)", r"\varphi'(0) = %s" % sp.latex(c))


@dataclass(frozen=True)
class ActivationRule:
    """φ, φ' (with the kink convention) and the textbook form of φ' for one activation."""
    name: str
    f: Callable            # (u, net) -> expr
    prime: Callable        # (u, net) -> expr, exact convention at kinks
    textbook_prime: Callable  # (u, net) -> expr written as in the course (indicator, σ(1-σ), ...)
    kinks: tuple = ()
    latex: str = ""
    f_stable: Callable | None = None      # same function, overflow-free for float evaluation
    prime_stable: Callable | None = None  # same derivative, overflow-free for float evaluation


def _sig(u):
    return 1 / (1 + sp.exp(-u))


def _relu_textbook(u, net):
    c = sp.nsimplify(net.relu_prime_at_zero)
    if c == 0:
        return indicator(u > 0)
    if c == 1:
        return indicator(u >= 0)
    return kinked_prime(u, 0, 1, c)


ACTIVATIONS = {
    "relu": ActivationRule(
        "relu", lambda u, net: sp.Max(0, u),
        lambda u, net: kinked_prime(u, 0, 1, sp.nsimplify(net.relu_prime_at_zero)),
        _relu_textbook, (0,), r"\max(0, u)"),
    "leaky_relu": ActivationRule(
        "leaky_relu", lambda u, net: sp.Max(u, sp.nsimplify(net.negative_slope) * u),
        lambda u, net: kinked_prime(u, sp.nsimplify(net.negative_slope), 1, sp.nsimplify(net.kink_value)),
        lambda u, net: kinked_prime(u, sp.nsimplify(net.negative_slope), 1, sp.nsimplify(net.kink_value)),
        (0,), r"\max(u, \alpha u)"),
    "sigmoid": ActivationRule(
        "sigmoid", lambda u, net: _sig(u),
        lambda u, net: sp.exp(-u) / (1 + sp.exp(-u)) ** 2,
        lambda u, net: _sig(u) * (1 - _sig(u)), (), r"\sigma(u)",
        # σ(u) = (1 + tanh(u/2))/2 and σ'(u) = e^{-|u|}/(1 + e^{-|u|})² (σ' is even): nothing overflows
        lambda u, net: (1 + sp.tanh(u / 2)) / 2,
        lambda u, net: sp.exp(-sp.Abs(u)) / (1 + sp.exp(-sp.Abs(u))) ** 2),
    "tanh": ActivationRule(
        "tanh", lambda u, net: sp.tanh(u),
        lambda u, net: 1 - sp.tanh(u) ** 2,
        lambda u, net: 1 - sp.tanh(u) ** 2, (), r"\tanh(u)"),
    "identity": ActivationRule(
        "identity", lambda u, net: u, lambda u, net: sp.Integer(1), lambda u, net: sp.Integer(1), (), "u"),
}


@dataclass(frozen=True)
class OutputRule:
    """An output head ŷ = f(z^(L)); ``jacobian`` gives ∂ŷ_k/∂z_i written in ŷ (row k, column i)."""
    name: str
    f: Callable            # Matrix z -> Matrix ŷ (exact form)
    f_stable: Callable     # same function, written so that lambdify does not overflow
    jacobian: Callable     # Matrix ŷ -> C×C Matrix
    min_classes: int = 1
    latex: str = ""


def _softmax(z):
    e = [sp.exp(v) for v in z]
    s = sp.Add(*e)
    return sp.Matrix([v / s for v in e])


def _softmax_stable(z):
    m = sp.Max(*z, evaluate=False)   # unevaluated: evaluating compares every pair (slow for large C)
    e = [sp.exp(v - m) for v in z]
    s = sp.Add(*e)
    return sp.Matrix([v / s for v in e])


def _sigmoid_stable(z):
    # σ(u) = (1 + tanh(u/2)) / 2 never overflows
    return z.applyfunc(lambda u: (1 + sp.tanh(u / 2)) / 2)


OUTPUTS = {
    "softmax": OutputRule(
        "softmax", _softmax, _softmax_stable,
        lambda yh: sp.Matrix(len(yh), len(yh), lambda k, i: yh[k] * (sp.KroneckerDelta(i, k) - yh[i])),
        2, r"\operatorname{softmax}"),
    "sigmoid": OutputRule(
        "sigmoid", lambda z: z.applyfunc(_sig), _sigmoid_stable,
        lambda yh: sp.diag(*[v * (1 - v) for v in yh]), 1, r"\sigma"),
    "identity": OutputRule(
        "identity", lambda z: sp.Matrix(z), lambda z: sp.Matrix(z),
        lambda yh: sp.eye(len(yh)), 1, ""),
}


@dataclass(frozen=True)
class LossRule:
    """A loss L(ŷ, y) and the kind of target it expects."""
    name: str
    f: Callable            # (Matrix ŷ, Matrix y) -> expr
    target: str            # "one-hot" | "probability" | "real"
    latex: str = ""


LOSSES = {
    "cross_entropy": LossRule(
        "cross_entropy", lambda yh, y: -sp.Add(*[yk * sp.log(hk) for yk, hk in zip(y, yh)]),
        "one-hot", r"-\sum_{k=1}^{C} y_k \ln \hat{y}_k"),
    "bce": LossRule(
        "bce", lambda yh, y: -sp.Add(*[yk * sp.log(hk) + (1 - yk) * sp.log(1 - hk) for yk, hk in zip(y, yh)]),
        "probability", r"-\sum_{k=1}^{C} \left[y_k \ln \hat{y}_k + (1 - y_k)\ln(1 - \hat{y}_k)\right]"),
    "mse": LossRule(
        "mse", lambda yh, y: sp.Rational(1, 2) * sp.Add(*[(hk - yk) ** 2 for yk, hk in zip(y, yh)]),
        "real", r"\frac{1}{2}\sum_{k=1}^{C} (\hat{y}_k - y_k)^2"),
}


@dataclass(frozen=True)
class HeadRule:
    """A supported (output, loss) pair with the textbook output error δ^(L) and what it assumes."""
    delta: Callable        # (ŷ, y) -> Matrix
    assumptions: tuple = ()
    latex: str = r"\hat{y} - y"


HEADS = {
    ("softmax", "cross_entropy"): HeadRule(lambda yh, y: yh - y, (ONEHOT_SUM,)),
    ("sigmoid", "bce"): HeadRule(lambda yh, y: yh - y),
    ("identity", "mse"): HeadRule(lambda yh, y: yh - y),
}
