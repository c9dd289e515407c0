"""The network: a frozen description, and its symbolic graph (symbols, forward pass, loss)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from .errors import ConfigError
from .rules import ACTIVATIONS, LOSSES, OUTPUTS, PARAMETERS, defined_on, interval_text, phi, phi_prime

__all__ = ["Network", "Graph", "graph", "MAX_WIDTH", "MAX_DEPTH"]

MAX_WIDTH = 256
MAX_DEPTH = 16
WEIGHT_CONVENTIONS = ("outgoing", "incoming")
LAYOUTS = ("columns", "rows")
REDUCTIONS = ("mean", "sum")
MAX_BATCH = 64


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
    """Layer sizes [d0..dL], hidden activation(s), output head, loss and conventions.

    ``activation`` is one name for every hidden layer, or a list with one name per hidden layer (layer 1
    first); a list of equal names is stored as that one name.  The parameters (``relu_prime_at_zero``,
    ``negative_slope``, ``alpha``) apply to the activations whose rule lists them.
    """
    sizes: tuple
    activation: str = "relu"
    output: str = "softmax"
    loss: str = "cross_entropy"
    weights: str = "outgoing"
    relu_prime_at_zero: Fraction = PARAMETERS["relu_prime_at_zero"].default
    negative_slope: Fraction = PARAMETERS["negative_slope"].default
    alpha: Fraction = PARAMETERS["alpha"].default
    batch: int = 1
    reduction: str = "mean"
    layout: str = "columns"
    l2: Fraction = Fraction(0)
    bias: bool = True

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
        object.__setattr__(self, "activation", _activations(self.activation, len(sizes) - 2))
        for name in self.activation_names:
            _choice(name, tuple(ACTIVATIONS), "activation")
        _choice(self.output, tuple(OUTPUTS), "output")
        _choice(self.loss, tuple(LOSSES), "loss")
        _choice(self.weights, WEIGHT_CONVENTIONS, "weights")
        if not defined_on(self.output, self.loss):
            (lo, hi), (dlo, dhi) = OUTPUTS[self.output].range, LOSSES[self.loss].domain
            raise ConfigError(
                f"output {self.output!r} with loss {self.loss!r} is not supported: {self.loss} needs every output "
                f"in {interval_text((dlo, dhi))}, but {self.output} ranges over {interval_text((lo, hi))}",
                key="loss")
        if sizes[-1] < OUTPUTS[self.output].min_classes:
            raise ConfigError(f"{self.output} output needs at least {OUTPUTS[self.output].min_classes} classes, "
                              f"got C = {sizes[-1]}", key="sizes")
        for p in PARAMETERS.values():
            object.__setattr__(self, p.name, _exact(getattr(self, p.name), p.name))
        for p in PARAMETERS.values():
            users = [a for a in ACTIVATIONS if p.name in ACTIVATIONS[a].params]
            if getattr(self, p.name) != p.default and not set(users) & set(self.activation_names):
                shown = self.activation if isinstance(self.activation, str) else list(self.activation)
                raise ConfigError(f"{p.name} applies to {', '.join(users)} only, not {shown!r}", key=p.name)
        for p in PARAMETERS.values():
            if not p.valid(getattr(self, p.name)):
                raise ConfigError(f"{p.name} must be {p.valid_text}, got {getattr(self, p.name)}", key=p.name)
        self._check_batch_keys()

    def _check_batch_keys(self):
        """batch (examples per step), reduction, layout, l2 (weight decay) and bias."""
        m = self.batch
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= MAX_BATCH:
            raise ConfigError(f"batch must be an integer from 1 to {MAX_BATCH} (examples per step), got {m!r}",
                              key="batch")
        _choice(self.reduction, REDUCTIONS, "reduction")
        _choice(self.layout, LAYOUTS, "layout")
        object.__setattr__(self, "l2", _exact(self.l2, "l2"))
        if self.l2 < 0:
            raise ConfigError(f"l2 must be a non-negative number (the weight decay lambda), got {self.l2}", key="l2")
        if not isinstance(self.bias, bool):
            raise ConfigError(f"bias must be true or false, got {self.bias!r}", key="bias")

    @property
    def plain(self) -> bool:
        """One example in columns, with biases and no weight decay: the original single-example network."""
        return self.batch == 1 and self.layout == "columns" and self.l2 == 0 and self.bias

    @property
    def rows(self) -> bool:
        """Row-vector layout: examples are rows, Z = A W + 1 b."""
        return self.layout == "rows"

    @property
    def batched(self) -> bool:
        """Whether quantities are matrices of examples (a batch, or the rows layout, where x is 1 x d)."""
        return self.batch > 1 or self.layout == "rows"

    @property
    def L(self) -> int:
        """Number of layers with weights (the output layer's index)."""
        return len(self.sizes) - 1

    @property
    def C(self) -> int:
        """Number of outputs d_L."""
        return self.sizes[-1]

    @property
    def uniform_activation(self) -> str | None:
        """The one activation of every hidden layer, or None when the layers differ (φ is then ambiguous)."""
        return self.activation if isinstance(self.activation, str) else None

    @property
    def activation_text(self) -> str:
        """The hidden activation(s) for messages: ``relu``, or ``tanh/relu`` layer by layer."""
        return self.activation if isinstance(self.activation, str) else "/".join(self.activation)

    @property
    def activation_names(self) -> tuple:
        """The distinct hidden activations, in layer order."""
        return (self.activation,) if isinstance(self.activation, str) else tuple(dict.fromkeys(self.activation))

    def activation_of(self, l: int) -> str:
        """The activation of hidden layer ``l`` (1 <= l <= L-1)."""
        if isinstance(l, bool) or not isinstance(l, int) or not 1 <= l < self.L:
            raise ConfigError(f"layer {l!r} is not a hidden layer (hidden layers are 1..{self.L - 1})")
        return self.activation if isinstance(self.activation, str) else self.activation[l - 1]

    def rule_of(self, l: int):
        """The ``ActivationRule`` of hidden layer ``l``."""
        return ACTIVATIONS[self.activation_of(l)]

    @property
    def kink_value(self) -> Fraction | None:
        """φ'(0) of the (one) activation when it has a kink at 0 (ReLU: the convention; leaky: its left slope)."""
        name = self.uniform_activation
        values = dict(ACTIVATIONS[name].conventions(self)) if name else {}
        return values.get(0)

    @property
    def kinked(self) -> bool:
        """Whether some hidden activation has a kink (so φ' there is a convention)."""
        return any(ACTIVATIONS[a].kinks for a in self.activation_names)

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
        act = self.activation if isinstance(self.activation, str) else list(self.activation)
        out = {"sizes": list(self.sizes), "activation": act, "output": self.output,
               "loss": self.loss, "weights": self.weights,
               **{p: str(getattr(self, p)) for p in PARAMETERS}}
        if not self.plain:
            out.update(batch=self.batch, reduction=self.reduction, layout=self.layout, l2=str(self.l2),
                       bias=self.bias)
        return out


def _activations(value, hidden: int):
    """One name, or a list of one name per hidden layer (a list of equal names becomes that name)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        if len(value) != hidden or hidden == 0:
            raise ConfigError(f"activation lists one name per hidden layer: this network has {hidden} hidden "
                              f"layer{'s' if hidden != 1 else ''}, the list has {len(value)}"
                              + ("; give a single name" if hidden == 0 else ""), key="activation")
        return value[0] if len(set(value)) == 1 else tuple(value)
    raise ConfigError(f"activation must be a name or a list of names (one per hidden layer), got {value!r}",
                      key="activation")


def _vec(name, n):
    return sp.Matrix(n, 1, [sp.Symbol(f"{name}_{i + 1}", real=True) for i in range(n)])


def _affine_entries(W, a, b):
    """W a + b entry by entry (z_i = Σ_j W_ij a_j + b_i): the same expressions as the Matrix product, without
    SymPy's EXRAW matrix multiplication (10x slower for a 64 x 64 layer)."""
    return sp.Matrix(W.rows, 1, [sp.Add(*[W[i, j] * a[j] for j in range(W.cols)], b[i]) for i in range(W.rows)])


class Graph:
    """The library's symbols and forward definitions for one network (all entries real).

    Primitive symbols: x (a^(0)), y, W[k], b[k] for edge k.  Node symbols: z[l] (l = 1..L),
    a[l] (l = 0..L-1; a[0] is x) and yhat (= a^(L)).  Definitions: ``z_def[l]`` in terms of
    a[l-1], ``a_def[l]`` = φ(z[l]) with the generic φ, ``yhat_def`` = out(z[L]), ``loss``.
    """

    def __init__(self, net: Network):
        self.net = net
        if not net.plain:
            self._init_general(net)
            return
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
        self.z_def = {l: _affine_entries(self.W[l - 1], self.a[l - 1], self.b[l - 1]) for l in range(1, L + 1)}
        self.a_def = {l: self.z[l].applyfunc(phi) for l in range(1, L)}
        self.yhat_def = OUTPUTS[net.output].f(self.z[L])
        self.loss = LOSSES[net.loss].f(self.yhat, self.y)
        self.example_losses, self.scale, self.l2_term = [self.loss], sp.Integer(1), sp.Integer(0)
        self.ones = sp.ones(1, 1)
        self._node_concrete = {}

    def _init_general(self, net: Network):
        """A batch of m examples (columns d x m, or rows m x d), weight decay, or no biases.

        Columns: Z^(l) = W A^(l-1) + b 1^T with W d_l x d_(l-1); rows: Z^(l) = A^(l-1) W + 1 b with W d_(l-1) x d_l
        and b a 1 x d_l row.  The loss is the mean (or sum) over the examples of the per-example loss, plus
        (lambda/2) sum ||W||_F^2; biases are not decayed.
        """
        L, d, m = net.L, net.sizes, net.batch
        self.x, self.y, self.yhat = self.node("x", d[0]), self.node("y", d[L]), self.node("yhat", d[L])
        self.W, self.b = [], []
        for k in range(L):
            lab = net.param_label(k)
            rows, cols = (d[k], d[k + 1]) if net.rows else (d[k + 1], d[k])
            self.W.append(sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"W{lab}_{i + 1}_{j + 1}", real=True)))
            if not net.bias:
                self.b.append(sp.zeros(0, 1))
            elif net.rows:
                self.b.append(sp.Matrix(1, d[k + 1], [sp.Symbol(f"b{lab}_{i + 1}", real=True) for i in range(d[k + 1])]))
            else:
                self.b.append(_vec(f"b{lab}", d[k + 1]))
        self.z = {l: self.node(f"z{l}", d[l]) for l in range(1, L + 1)}
        self.a = {0: self.x}
        self.a.update({l: self.node(f"a{l}", d[l]) for l in range(1, L)})
        self.a[L] = self.yhat
        self.ones = sp.ones(m, 1)
        self.z_def = {l: self._affine(l - 1) for l in range(1, L + 1)}
        self.a_def = {l: self.z[l].applyfunc(phi) for l in range(1, L)}
        head = OUTPUTS[net.output].f
        self.yhat_def = self.from_examples([head(z) for z in self.examples(self.z[L])])
        loss = LOSSES[net.loss].f
        self.example_losses = [loss(yh, y) for yh, y in zip(self.examples(self.yhat), self.examples(self.y))]
        self.scale = sp.Rational(1, m) if net.reduction == "mean" else sp.Integer(1)
        lam = sp.Rational(net.l2.numerator, net.l2.denominator)
        self.l2_term = sp.Add(*[lam / 2 * w ** 2 for W in self.W for w in W]) if lam else sp.Integer(0)
        self.loss = sp.Add(*[self.scale * t for t in self.example_losses]) + self.l2_term
        self._node_concrete = {}

    @property
    def lam(self):
        """The weight decay lambda as an exact Rational."""
        return sp.Rational(self.net.l2.numerator, self.net.l2.denominator)

    def node(self, name: str, width: int) -> sp.Matrix:
        """The symbols of one batch quantity: d x m (columns) or m x d (rows); a vector without a batch."""
        net, m = self.net, self.net.batch
        if not net.batched:
            return _vec(name, width)
        big = name[0].upper() + name[1:]
        sym = lambda i, n: sp.Symbol(f"{big}_{i + 1}_{n + 1}", real=True)     # noqa: E731  (unit i, example n)
        if net.rows:
            return sp.Matrix(m, width, lambda n, i: sym(i, n))
        return sp.Matrix(width, m, sym)

    def _affine(self, k: int) -> sp.Matrix:
        W, A, b, net = self.W[k], self.a[k], self.b[k], self.net
        Z = A * W if net.rows else W * A
        if not net.bias:
            return Z
        return Z + (self.ones * b if net.rows else b * self.ones.T)

    def examples(self, M) -> list:
        """The per-example column vectors of a batch quantity (its columns, or its rows transposed)."""
        if self.net.rows:
            return [M[n, :].T for n in range(M.rows)]
        return [M[:, n] for n in range(M.cols)]

    def from_examples(self, cols) -> sp.Matrix:
        """The batch quantity of per-example column vectors (the inverse of ``examples``)."""
        M = sp.Matrix.hstack(*cols)
        return M.T if self.net.rows else M

    def onehot_cases(self, involved=None, limit: int = 64):
        """Substitutions of a one-hot target, one per combination of classes of the examples whose y occurs
        in ``involved`` (all examples when None): one example gives its C unit vectors, in class order.
        None when there would be more than ``limit`` combinations."""
        ys = self.examples(self.y)
        limit = max(limit, self.net.C)           # one example's unit vectors are always listed
        if involved is not None:
            ys = [y for y in ys if set(y) & set(involved)] or ys[:1]
        count = 1
        for _ in ys:
            count *= self.net.C
        if count > limit:
            return None
        cases = [{}]
        for y in ys:
            cases = [{**c, **{s: sp.Integer(int(k == hot)) for k, s in enumerate(y)}}
                     for c in cases for hot in range(self.net.C)]
        return cases

    def simplex_sums(self):
        """Σ_k ŷ_k of each example (each is 1 for a softmax head)."""
        return [sp.Add(*yh) for yh in self.examples(self.yhat)]

    def unit(self, l: int, j: int) -> tuple:
        """(unit, example) of the flat index ``j`` of z^(l) (row-major order of the matrix)."""
        if not self.net.batched:
            return j, 0
        m, width = self.net.batch, self.net.sizes[l]
        return (j % width, j // width) if self.net.rows else (j // m, j % m)

    def delta_symbols(self, l: int) -> list:
        """Placeholder symbols δ^(l)_i (to write or evaluate a gradient one chain-rule step at a time), in the
        row-major order of z^(l)."""
        if self.net.batched:
            return list(self.node(f"delta{l}", self.net.sizes[l]))
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

        With ``concrete`` the generic φ, φ' become each layer's activation (φ' at a kink per convention):
        first at node level, where the layer of every φ(z^(l)_j) is known, then in the definitions.
        """
        net = self.net
        a_def = self.a_def
        if concrete:
            expr = self.concretize(expr)
            a_def = {l: self.concretize(a) for l, a in a_def.items()}
        expr = expr.xreplace(dict(zip(self.yhat, self.yhat_def)))
        for l in range(net.L, 0, -1):
            expr = expr.xreplace(dict(zip(self.z[l], self.z_def[l])))
            if l > 1:
                expr = expr.xreplace(dict(zip(self.a[l - 1], a_def[l - 1])))
        return expr

    def concretize(self, expr, stable: bool = False):
        """Replace generic φ and φ' by each hidden layer's activation and its conventional derivative.

        φ(z^(l)_j) and φ'(z^(l)_j) take layer l's rule; φ of anything else takes the network's one
        activation (a ConfigError when the layers differ: φ is then not one function).  With ``stable``
        the rule's float-evaluation forms are used (for float evaluation only).
        """
        net = self.net
        if stable not in self._node_concrete:  # φ(z), φ'(z) of node symbols: one exact mapping, no tree search
            mapping = {}
            for l in range(1, net.L):
                rule = net.rule_of(l)
                for s in self.z[l]:
                    f, prime = rule.stable(s, net) if stable else (rule.f(s, net), rule.prime(s, net))
                    mapping[phi(s)], mapping[phi_prime(s)] = f, prime
            self._node_concrete[stable] = mapping
        expr = expr.xreplace(self._node_concrete[stable])
        if not expr.has(phi, phi_prime):
            return expr
        name = net.uniform_activation
        if name is None:
            layers = ", ".join(f"{net.activation_of(l)} (layer {l})" for l in range(1, net.L))
            raise ConfigError(f"the generic activation is ambiguous here: the hidden layers use {layers}")
        rule = ACTIVATIONS[name]
        if stable:
            expr = expr.replace(phi_prime, lambda u: rule.stable(u, net)[1])
            return expr.replace(phi, lambda u: rule.stable(u, net)[0])
        expr = expr.replace(phi_prime, lambda u: rule.prime(u, net))
        return expr.replace(phi, lambda u: rule.f(u, net))


@lru_cache(maxsize=64)
def graph(net: Network) -> Graph:
    """The (cached) symbolic graph of a network."""
    return Graph(net)
