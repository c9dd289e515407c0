"""The network: a frozen description, and its symbolic graph (symbols, forward pass, loss)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from .errors import ConfigError
from .rules import ACTIVATIONS, HEADS, LOSSES, OUTPUTS, phi

__all__ = ["Network", "Graph", "graph", "MAX_WIDTH", "MAX_DEPTH"]

MAX_WIDTH = 256
MAX_DEPTH = 16
WEIGHT_CONVENTIONS = ("outgoing", "incoming")


_MAX_NUMBER_CHARS = 40     # a convention or slope is a short number; 1e999999 is refused before it is built


def _exact(value, field):
    """A number as an exact Fraction (decimals are read as written: 0.01 -> 1/100)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction, str)):
        raise ConfigError(f"{field} must be a number, got {value!r}", key=field)
    text = str(value)
    exponent = re.search(r"[eE]([+-]?\d+)", text)
    if len(text) > _MAX_NUMBER_CHARS or exponent and abs(int(exponent.group(1))) > 30:
        raise ConfigError(f"{field} must be a short decimal or fraction like 0, 1, 0.5 or 1/2, got {text[:40]!r}",
                          key=field)
    try:
        out = Fraction(text) if not isinstance(value, Fraction) else value
    except (ValueError, ZeroDivisionError, OverflowError):
        raise ConfigError(f"{field} must be a number, got {value!r}", key=field) from None
    if max(abs(out.numerator), out.denominator) > 10 ** 30:
        raise ConfigError(f"{field} must be a short decimal or fraction, got {text[:40]!r}", key=field)
    return out


def _choice(value, options, field):
    if value not in options:
        raise ConfigError(f"unknown {field} {value!r}; choose one of: {', '.join(options)}", key=field)


@dataclass(frozen=True)
class Network:
    """Layer sizes [d0..dL], hidden activation, output head, loss and conventions."""
    sizes: tuple
    activation: str = "relu"
    output: str = "softmax"
    loss: str = "cross_entropy"
    weights: str = "outgoing"
    relu_prime_at_zero: Fraction = Fraction(0)
    negative_slope: Fraction = Fraction(1, 100)

    def _repr_latex_(self) -> str:
        from .export import network_math
        return network_math(self)

    def __post_init__(self):
        sizes = self.sizes
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise ConfigError(f"sizes must be a list of layer widths [d0, ..., dL], got {sizes!r}", key="sizes")
        sizes = tuple(sizes)
        if len(sizes) < 2:
            raise ConfigError(f"sizes needs at least two entries (input and output), got {list(sizes)}", key="sizes")
        if len(sizes) - 1 > MAX_DEPTH:
            raise ConfigError(f"at most {MAX_DEPTH} layers are supported, got {len(sizes) - 1}", key="sizes")
        for d in sizes:
            if isinstance(d, bool) or not isinstance(d, int) or d < 1:
                raise ConfigError(f"every layer width must be a positive integer, got {d!r}", key="sizes")
            if d > MAX_WIDTH:
                raise ConfigError(f"layer width {d} exceeds the limit of {MAX_WIDTH}", key="sizes")
        object.__setattr__(self, "sizes", sizes)
        _choice(self.activation, tuple(ACTIVATIONS), "activation")
        _choice(self.output, tuple(OUTPUTS), "output")
        _choice(self.loss, tuple(LOSSES), "loss")
        _choice(self.weights, WEIGHT_CONVENTIONS, "weights")
        object.__setattr__(self, "relu_prime_at_zero", _exact(self.relu_prime_at_zero, "relu_prime_at_zero"))
        object.__setattr__(self, "negative_slope", _exact(self.negative_slope, "negative_slope"))
        if (self.output, self.loss) not in HEADS:
            pairs = ", ".join(f"{o} + {l}" for o, l in HEADS)
            raise ConfigError(
                f"output {self.output!r} with loss {self.loss!r} is not supported; supported pairs: {pairs}",
                key="loss")
        if sizes[-1] < OUTPUTS[self.output].min_classes:
            raise ConfigError(f"{self.output} output needs at least {OUTPUTS[self.output].min_classes} classes, "
                              f"got C = {sizes[-1]}", key="sizes")
        if self.activation != "relu" and self.relu_prime_at_zero != 0:
            raise ConfigError(f"relu_prime_at_zero applies to relu only, not {self.activation!r}",
                              key="relu_prime_at_zero")
        if self.activation != "leaky_relu" and self.negative_slope != Fraction(1, 100):
            raise ConfigError(f"negative_slope applies to leaky_relu only, not {self.activation!r}",
                              key="negative_slope")
        if not 0 <= self.relu_prime_at_zero <= 1:
            raise ConfigError(f"relu_prime_at_zero must be in [0, 1] (a subgradient of max(0, u) at 0), got "
                              f"{self.relu_prime_at_zero}", key="relu_prime_at_zero")
        if not 0 <= self.negative_slope < 1:
            raise ConfigError(f"negative_slope must be in [0, 1), got {self.negative_slope}", key="negative_slope")

    @property
    def L(self) -> int:
        """Number of layers with weights (the output layer's index)."""
        return len(self.sizes) - 1

    @property
    def C(self) -> int:
        """Number of outputs d_L."""
        return self.sizes[-1]

    @property
    def kink_value(self) -> Fraction:
        """φ'(0) for a kinked activation (ReLU: the configured convention; leaky: its left slope)."""
        return self.negative_slope if self.activation == "leaky_relu" else self.relu_prime_at_zero

    @property
    def kinked(self) -> bool:
        """Whether φ has a kink (so φ'(0) is a convention)."""
        return bool(ACTIVATIONS[self.activation].kinks)

    def param_label(self, k: int) -> int:
        """The course's superscript of the weights of edge k (layer k -> layer k+1)."""
        return k if self.weights == "outgoing" else k + 1

    def param_labels(self) -> range:
        """All valid superscripts of W and b in this convention."""
        return range(0, self.L) if self.weights == "outgoing" else range(1, self.L + 1)

    def edge(self, label: int) -> int:
        """Edge index k of the weights written W^(label); ConfigError if there is none."""
        k = label if self.weights == "outgoing" else label - 1
        if not 0 <= k < self.L:
            labels = self.param_labels()
            raise ConfigError(f"W^({label}) does not exist: with {self.weights} weights the layers are "
                              f"{labels.start}..{labels.stop - 1}")
        return k

    def describe(self) -> dict:
        """A JSON-ready description."""
        return {"sizes": list(self.sizes), "activation": self.activation, "output": self.output,
                "loss": self.loss, "weights": self.weights,
                "relu_prime_at_zero": str(self.relu_prime_at_zero), "negative_slope": str(self.negative_slope)}


def _vec(name, n):
    return sp.Matrix(n, 1, [sp.Symbol(f"{name}_{i + 1}", real=True) for i in range(n)])


class Graph:
    """The library's symbols and forward definitions for one network (all entries real).

    Primitive symbols: x (a^(0)), y, W[k], b[k] for edge k.  Node symbols: z[l] (l = 1..L),
    a[l] (l = 0..L-1; a[0] is x) and yhat (= a^(L)).  Definitions: ``z_def[l]`` in terms of
    a[l-1], ``a_def[l]`` = φ(z[l]) with the generic φ, ``yhat_def`` = out(z[L]), ``loss``.
    """

    def __init__(self, net: Network):
        self.net = net
        L, d = net.L, net.sizes
        self.x = _vec("x", d[0])
        self.y = _vec("y", d[L])
        self.yhat = _vec("yhat", d[L])
        self.W, self.b = [], []
        for k in range(L):
            lab = net.param_label(k)
            self.W.append(sp.Matrix(d[k + 1], d[k],
                                    lambda i, j: sp.Symbol(f"W{lab}_{i + 1}_{j + 1}", real=True)))
            self.b.append(_vec(f"b{lab}", d[k + 1]))
        self.z = {l: _vec(f"z{l}", d[l]) for l in range(1, L + 1)}
        self.a = {0: self.x}
        self.a.update({l: _vec(f"a{l}", d[l]) for l in range(1, L)})
        self.a[L] = self.yhat
        self.z_def = {l: self.W[l - 1] * self.a[l - 1] + self.b[l - 1] for l in range(1, L + 1)}
        self.a_def = {l: self.z[l].applyfunc(phi) for l in range(1, L)}
        self.yhat_def = OUTPUTS[net.output].f(self.z[L])
        self.loss = LOSSES[net.loss].f(self.yhat, self.y)
        self._node_concrete = {}

    def delta_symbols(self, l: int) -> list:
        """Placeholder symbols δ^(l)_i (to write or evaluate a gradient one chain-rule step at a time)."""
        return [sp.Symbol(f"delta{l}_{i + 1}", real=True) for i in range(self.net.sizes[l])]

    def primitives(self) -> list:
        """Every free input of the network: x, y, then W and b of each edge, in a fixed order."""
        out = list(self.x) + list(self.y)
        for W, b in zip(self.W, self.b):
            out += list(W) + list(b)
        return out

    def node_symbols(self) -> list:
        """Intermediate node symbols z, a (hidden) and ŷ."""
        out = []
        for l in range(1, self.net.L + 1):
            out += list(self.z[l])
            out += list(self.a[l])
        return out

    def to_primitives(self, expr, concrete: bool = True):
        """Replace node symbols by their forward definitions, top layer first, down to x, W, b, y.

        With ``concrete`` the generic φ, φ' become the network's activation (φ'(0) per convention).
        """
        net = self.net
        expr = expr.xreplace(dict(zip(self.yhat, self.yhat_def)))
        for l in range(net.L, 0, -1):
            expr = expr.xreplace(dict(zip(self.z[l], self.z_def[l])))
            if l > 1:
                expr = expr.xreplace(dict(zip(self.a[l - 1], self.a_def[l - 1])))
        return self.concretize(expr) if concrete else expr

    def concretize(self, expr, stable: bool = False):
        """Replace generic φ and φ' by the network's activation and its conventional derivative.

        With ``stable`` the overflow-free forms of the rule are used (for float evaluation only).
        """
        from .rules import phi_prime
        rule = ACTIVATIONS[self.net.activation]
        net = self.net
        f = (stable and rule.f_stable) or rule.f
        prime = (stable and rule.prime_stable) or rule.prime
        if stable not in self._node_concrete:  # φ(z), φ'(z) of node symbols: one exact mapping, no tree search
            zs = [s for l in range(1, net.L) for s in self.z[l]]
            self._node_concrete[stable] = {**{phi_prime(s): prime(s, net) for s in zs},
                                           **{phi(s): f(s, net) for s in zs}}
        expr = expr.xreplace(self._node_concrete[stable])
        if not expr.has(phi, phi_prime):
            return expr
        expr = expr.replace(phi_prime, lambda u: prime(u, net))
        return expr.replace(phi, lambda u: f(u, net))


@lru_cache(maxsize=64)
def graph(net: Network) -> Graph:
    """The (cached) symbolic graph of a network."""
    return Graph(net)
