"""Rule tables keyed by name: hidden activations, output heads, losses, and the output error of each pair.

Every consumer (network, derive, closed forms, points, numeric, check, export) reads these rows; none
switches on a rule's name, and an unknown name is a KeyError naming the table and its keys.  Adding an
activation is adding one row to ``ACTIVATIONS`` (``tests/test_rules.py`` checks every row against SymPy,
mpmath and the independent NumPy witness, which keeps its own table in ``numeric.py``).

A row's callables take the network as their second argument (``f(u, net)``) and read only the parameters
the row lists in ``params`` (``relu_prime_at_zero``, ``negative_slope``, ``alpha``).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import mpmath
import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

__all__ = [
    "phi", "phi_prime", "indicator", "kinked_prime", "Assumption", "ONEHOT_SUM", "kink_conventions",
    "Parameter", "ActivationRule", "OutputRule", "LossRule", "OutputError",
    "PARAMETERS", "ACTIVATIONS", "OUTPUTS", "LOSSES", "HEADS", "defined_on", "interval_text", "in_interval",
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


class _Table(dict):
    """A rule table: a missing key is a KeyError naming the table and every known key (never a fallback)."""

    def __init__(self, what: str, rows: dict):
        super().__init__(rows)
        self.what = what

    def __missing__(self, key):
        raise KeyError(f"unknown {self.what} {key!r}; known: {', '.join(map(str, self))}")


def indicator(cond) -> sp.Expr:
    """1{cond} as a Piecewise that is exactly 0 or 1 (no Heaviside, no H(0)=1/2)."""
    return sp.Piecewise((sp.Integer(1), cond), (sp.Integer(0), True))


def kinked_prime(u, left, right, at_zero) -> sp.Expr:
    """Derivative of a piecewise-linear function with a kink at 0 and an explicit value there."""
    return sp.Piecewise((right, u > 0), (left, u < 0), (at_zero, True))


def _q(v) -> sp.Rational:
    """A Fraction (a network parameter) as an exact SymPy Rational."""
    v = Fraction(v)
    return sp.Rational(v.numerator, v.denominator)


def _tex(v) -> str:
    return sp.latex(_q(v))


# ----------------------------------------------------------------------------------------------
# assumptions


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
    out = {}
    for y in graph.examples(graph.y):           # every example of a batch: its own one-hot column
        ys = list(y)
        out[ys[-1]] = 1 - sp.Add(*ys[:-1])
    return out


ONEHOT_SUM = Assumption(
    "target-sums-to-one",
    "the target is one-hot: sum_k y_k = 1",
    r"\sum_{k=1}^{C} y_k = 1",
    _onehot_sum,
)


def kink_conventions(net, names=None) -> tuple:
    """The φ'(kink) conventions of the network's kinked activations (or of ``names``), as stated assumptions.

    With one activation for every hidden layer they read φ'(0) = c; with one per layer they name it
    (relu'(0) = c), since φ is then not one function.
    """
    mixed = net.uniform_activation is None
    names = names if names is not None else net.activation_names
    out = []
    for name in dict.fromkeys(names):
        for kink, value in ACTIVATIONS[name].conventions(net):
            fn, tex = (f"{name}'", r"\mathrm{%s}'" % name.replace("_", r"\_")) if mixed else ("phi'", r"\varphi'")
            where = "zero" if kink == 0 else str(kink)
            out.append(Assumption(f"{name + '-' if mixed else 'phi-'}prime-at-{where}",
                                  f"{fn}({kink}) = {_q(value)} (convention at the kink)",
                                  rf"{tex}({_tex(kink)}) = {_tex(value)}"))
    return tuple(out)


# ----------------------------------------------------------------------------------------------
# network parameters read by the rows


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """A network parameter of some activations: its default and its valid range."""
    name: str
    default: Fraction
    valid: Callable           # Fraction -> bool
    valid_text: str           # "in [0, 1]", shown when ``valid`` fails
    described: bool = True    # shown with the activation (False: its value is stated as a kink convention)


PARAMETERS = _Table("parameter", {p.name: p for p in (
    Parameter(name="relu_prime_at_zero", default=Fraction(0), valid=lambda v: 0 <= v <= 1,
              valid_text="in [0, 1] (a subgradient of max(0, u) at 0)", described=False),
    Parameter(name="negative_slope", default=Fraction(1, 100), valid=lambda v: 0 <= v < 1, valid_text="in [0, 1)"),
    Parameter(name="alpha", default=Fraction(1), valid=lambda v: v > 0, valid_text="positive"),
)})


# ----------------------------------------------------------------------------------------------
# hidden activations


@dataclass(frozen=True, kw_only=True)
class ActivationRule:
    """Everything a consumer needs about one hidden activation φ.

    ``f``, ``prime`` and ``textbook_prime`` are SymPy (``(u, net) -> expr``): φ, φ' with the convention
    at the kinks, and φ' as a course writes it (an indicator, σ(1 - σ), ...); ``prime_latex(z, net)``
    is that textbook form in course LaTeX for the argument ``z`` (it reads back through the notation
    layer), or None where the notation has no words for it (then φ'(z) is written).  ``f_stable`` and
    ``prime_stable`` are the same functions written so that float evaluation neither overflows nor
    cancels (None: the exact form is already).  ``mp(u, net)`` is the high-precision forward value of an
    mpf (for ``exact_on_rationals`` rows also of a Fraction, exactly; a constant piece is an exact Fraction).  ``kinks`` are the points where
    φ' may jump and ``conventions(net)`` the value φ' takes at each; ``params`` the network parameters
    the row reads; ``range(v, net)`` a true fact about v = φ(u) for every real u (or None);
    ``injective(net)`` whether φ is one-to-one (then a^(l)_i = a^(l)_j gives z^(l)_i = z^(l)_j).
    """
    name: str
    f: Callable
    prime: Callable
    textbook_prime: Callable
    prime_latex: Callable
    mp: Callable
    f_stable: Callable | None = None
    prime_stable: Callable | None = None
    kinks: tuple = ()
    conventions: Callable = lambda net: ()
    params: tuple = ()
    exact_on_rationals: bool = False
    range: Callable = lambda v, net: None
    injective: Callable = lambda net: False

    def stable(self, u, net):
        """(φ, φ') in their float-evaluation forms."""
        return ((self.f_stable or self.f)(u, net), (self.prime_stable or self.prime)(u, net))


def _sig(u):
    return 1 / (1 + sp.exp(-u))


def _sig_stable(u):
    # exp(min(u, 0)) / (1 + exp(-|u|)): no overflow, and no cancellation for u << 0 either
    return sp.exp(sp.Min(u, 0)) / (1 + sp.exp(-sp.Abs(u)))


def _sig_prime_stable(u):
    # σ' is even: e^{-|u|} / (1 + e^{-|u|})²
    return sp.exp(-sp.Abs(u)) / (1 + sp.exp(-sp.Abs(u))) ** 2


def _mp_sig(u):
    return 1 / (1 + mpmath.exp(-u))


def _ind_tex(z, op, c) -> str:
    return r"\mathbb{1}\{%s %s %s\}" % (z, op, c)


def _relu_textbook(u, net):
    c = _q(net.relu_prime_at_zero)
    if c in (0, 1):
        return indicator(u > 0) if c == 0 else indicator(u >= 0)
    return c * indicator(u >= 0) + (1 - c) * indicator(u > 0)


def _relu_latex(z, net):
    c = _q(net.relu_prime_at_zero)
    if c in (0, 1):
        return _ind_tex(z, ">" if c == 0 else r"\ge", 0)
    ge, gt = _ind_tex(z, r"\ge", 0), _ind_tex(z, ">", 0)
    return rf"\left({sp.latex(c)}\,{ge} + {sp.latex(1 - c)}\,{gt}\right)"


def _leaky_latex(z, net):
    gt, le = _ind_tex(z, ">", 0), _ind_tex(z, r"\le", 0)
    return rf"\left({gt} + {_tex(net.negative_slope)}\,{le}\right)"


def _elu_prime(u, net):
    return sp.Piecewise((sp.Integer(1), u > 0), (_q(net.alpha) * sp.exp(u), True))   # φ'(0) = α, the left value


def _elu_latex(z, net):
    a = "" if net.alpha == 1 else _tex(net.alpha) + r"\,"
    gt, le = _ind_tex(z, ">", 0), _ind_tex(z, r"\le", 0)
    return rf"\left({gt} + {a}\exp({z}) \odot {le}\right)"


def _gelu_cdf(u):
    return (1 + sp.erf(u / sp.sqrt(2))) / 2


def _gelu_cdf_stable(u):
    # Φ(u) without cancellation for u << 0: erfc(|u|/√2)/2 = Φ(-|u|) (SymPy rewrites erfc(-v) as 2 - erfc(v))
    tail = sp.erfc(sp.Abs(u) / sp.sqrt(2)) / 2
    return sp.Piecewise((tail, u < 0), (1 - tail, True))


def _normal_pdf(u):
    return sp.exp(-u ** 2 / 2) / sp.sqrt(2 * sp.pi)


def _swish_prime(u):
    return _sig(u) * (1 + u * (1 - _sig(u)))


def _clip_prime(lo, hi):
    """φ' of min(max(u, lo), hi): 1 strictly inside, 0 outside and (convention) at both kinks."""
    return lambda u, net: sp.Piecewise((sp.Integer(0), u <= lo), (sp.Integer(1), u < hi), (sp.Integer(0), True))


def _clip_mp(lo, hi):
    return lambda u, net: Fraction(lo) if u <= lo else (Fraction(hi) if u >= hi else u)


def _clip_latex(lo, hi):
    return lambda z, net: _ind_tex(z, ">", lo) + r" \odot " + _ind_tex(z, "<", hi)


def _between(lo, hi):
    return lambda v, net: sp.And(v >= lo, v <= hi)


ACTIVATIONS = _Table("activation", {r.name: r for r in (
    ActivationRule(
        name="relu", f=lambda u, net: sp.Max(0, u),
        prime=lambda u, net: kinked_prime(u, 0, 1, _q(net.relu_prime_at_zero)),
        textbook_prime=_relu_textbook, prime_latex=_relu_latex,
        mp=lambda u, net: u if u > 0 else Fraction(0),
        kinks=(0,), conventions=lambda net: ((0, net.relu_prime_at_zero),), params=("relu_prime_at_zero",),
        exact_on_rationals=True, range=lambda v, net: v >= 0),
    ActivationRule(
        name="leaky_relu", f=lambda u, net: sp.Max(u, _q(net.negative_slope) * u),
        prime=lambda u, net: kinked_prime(u, _q(net.negative_slope), 1, _q(net.negative_slope)),
        textbook_prime=lambda u, net: indicator(u > 0) + _q(net.negative_slope) * indicator(u <= 0),
        prime_latex=_leaky_latex,
        mp=lambda u, net: u if u > 0 else net.negative_slope * u,
        kinks=(0,), conventions=lambda net: ((0, net.negative_slope),), params=("negative_slope",),
        exact_on_rationals=True,
        injective=lambda net: net.negative_slope > 0),
    ActivationRule(
        name="sigmoid", f=lambda u, net: _sig(u),
        # σ' written σ(1 - σ), as the notation's \sigma' is: both sides of a claim then share σ's subterms
        prime=lambda u, net: _sig(u) * (1 - _sig(u)),
        textbook_prime=lambda u, net: _sig(u) * (1 - _sig(u)),
        prime_latex=lambda z, net: rf"\sigma({z}) \odot (1 - \sigma({z}))",
        mp=lambda u, net: _mp_sig(u),
        f_stable=lambda u, net: _sig_stable(u), prime_stable=lambda u, net: _sig_prime_stable(u),
        range=lambda v, net: sp.And(v > 0, v < 1),
        injective=lambda net: True),
    ActivationRule(
        name="tanh", f=lambda u, net: sp.tanh(u),
        prime=lambda u, net: 1 - sp.tanh(u) ** 2,
        textbook_prime=lambda u, net: 1 - sp.tanh(u) ** 2,
        prime_latex=lambda z, net: rf"(1 - \tanh^2({z}))",
        mp=lambda u, net: mpmath.tanh(u),
        # 1 - tanh² = sech² = 4e^{-2|u|} / (1 + e^{-2|u|})²: 1 - tanh² cancels to 0 for |u| > 19
        prime_stable=lambda u, net: 4 * sp.exp(-2 * sp.Abs(u)) / (1 + sp.exp(-2 * sp.Abs(u))) ** 2,
        range=lambda v, net: sp.And(v > -1, v < 1),
        injective=lambda net: True),
    ActivationRule(
        name="identity", f=lambda u, net: u,
        prime=lambda u, net: sp.Integer(1), textbook_prime=lambda u, net: sp.Integer(1),
        prime_latex=lambda z, net: "1", mp=lambda u, net: u, exact_on_rationals=True,
        injective=lambda net: True),
    ActivationRule(
        name="softplus", f=lambda u, net: sp.log(1 + sp.exp(u)),
        prime=lambda u, net: 1 / (1 + sp.exp(-u)),
        textbook_prime=lambda u, net: _sig(u),                      # softplus' = σ
        prime_latex=lambda z, net: rf"\sigma({z})",
        mp=lambda u, net: mpmath.log1p(mpmath.exp(u)),
        f_stable=lambda u, net: sp.Max(u, 0) + log1p(sp.exp(-sp.Abs(u))),
        prime_stable=lambda u, net: _sig_stable(u),
        range=lambda v, net: v > 0,
        injective=lambda net: True),
    ActivationRule(
        name="elu", f=lambda u, net: sp.Piecewise((u, u > 0), (_q(net.alpha) * (sp.exp(u) - 1), True)),
        prime=_elu_prime, textbook_prime=_elu_prime, prime_latex=_elu_latex,
        mp=lambda u, net: u if u > 0 else net.alpha * mpmath.expm1(u),
        f_stable=lambda u, net: sp.Piecewise((u, u > 0), (_q(net.alpha) * expm1(sp.Min(u, 0)), True)),
        prime_stable=lambda u, net: sp.Piecewise((sp.Integer(1), u > 0), (_q(net.alpha) * sp.exp(sp.Min(u, 0)), True)),
        kinks=(0,), conventions=lambda net: ((0, net.alpha),), params=("alpha",),
        range=lambda v, net: v > -_q(net.alpha),
        injective=lambda net: True),
    ActivationRule(
        name="gelu", f=lambda u, net: u * _gelu_cdf(u),             # exact GELU: u Φ(u)
        prime=lambda u, net: _gelu_cdf(u) + u * _normal_pdf(u),
        textbook_prime=lambda u, net: _gelu_cdf(u) + u * _normal_pdf(u),
        prime_latex=lambda z, net: None,
        mp=lambda u, net: u * mpmath.erfc(-u / mpmath.sqrt(2)) / 2,
        f_stable=lambda u, net: u * _gelu_cdf_stable(u),
        prime_stable=lambda u, net: _gelu_cdf_stable(u) + u * _normal_pdf(u)),
    ActivationRule(
        name="silu", f=lambda u, net: u * _sig(u),                  # SiLU (swish): u σ(u)
        prime=lambda u, net: _swish_prime(u), textbook_prime=lambda u, net: _swish_prime(u),
        prime_latex=lambda z, net: rf"\sigma({z}) \odot (1 + {z} \odot (1 - \sigma({z})))",
        mp=lambda u, net: u * _mp_sig(u),
        f_stable=lambda u, net: u * _sig_stable(u),
        prime_stable=lambda u, net: _sig_stable(u) * (1 + u * _sig_stable(-u))),
    ActivationRule(
        name="relu6", f=lambda u, net: sp.Min(sp.Max(0, u), 6),
        prime=_clip_prime(0, 6), textbook_prime=lambda u, net: indicator(u > 0) * indicator(u < 6),
        prime_latex=_clip_latex(0, 6), mp=_clip_mp(0, 6),
        kinks=(0, 6), conventions=lambda net: ((0, 0), (6, 0)), exact_on_rationals=True,
        range=_between(0, 6)),
    ActivationRule(
        name="hard_tanh", f=lambda u, net: sp.Min(sp.Max(-1, u), 1),
        prime=_clip_prime(-1, 1), textbook_prime=lambda u, net: indicator(u > -1) * indicator(u < 1),
        prime_latex=_clip_latex(-1, 1), mp=_clip_mp(-1, 1),
        kinks=(-1, 1), conventions=lambda net: ((-1, 0), (1, 0)), exact_on_rationals=True,
        range=_between(-1, 1)),
)})


# ----------------------------------------------------------------------------------------------
# output heads


def interval_text(iv) -> str:
    lo, hi = iv
    return "the reals" if (lo, hi) == (-sp.oo, sp.oo) else f"({sp.sstr(lo)}, {sp.sstr(hi)})".replace("oo", "inf")


def in_interval(v, iv):
    """lo < v < hi (the finite ends only), or None for the whole real line."""
    lo, hi = iv
    parts = ([v > lo] if lo != -sp.oo else []) + ([v < hi] if hi != sp.oo else [])
    return sp.And(*parts) if parts else None


@dataclass(frozen=True, kw_only=True)
class OutputRule:
    """An output head ŷ = f(z^(L)).

    ``jacobian(ŷ)`` is ∂ŷ_k/∂z_i written in ŷ (row k, column i), ``jacobian_latex`` its entry in course
    LaTeX and ``jacobian_sympy`` over ``yhat[k]``; ``range`` the open interval every ŷ_k lies in (softmax:
    also Σ_k ŷ_k = 1, the open simplex); ``mp(z)`` the high-precision forward pass of a list of mpf;
    ``linear`` means ŷ = z^(L) exactly (then points keep exact rationals); ``injective`` that ŷ_i = ŷ_j
    gives z^(L)_i = z^(L)_j (softmax: the ratio ŷ_i/ŷ_j is e^{z_i - z_j}; an elementwise one-to-one head);
    ``elementwise`` that ŷ_k is a function of z^(L)_k alone (every head but softmax).
    """
    name: str
    f: Callable            # Matrix z -> Matrix ŷ (exact form)
    f_stable: Callable     # same function, written so that lambdify does not overflow
    jacobian: Callable     # Matrix ŷ -> C×C Matrix
    jacobian_latex: str
    jacobian_sympy: str
    range: tuple
    mp: Callable
    min_classes: int = 1
    linear: bool = False
    injective: bool = True
    elementwise: bool = True


def _softmax(z):
    e = [sp.exp(v) for v in z]
    s = sp.Add(*e)
    return sp.Matrix([v / s for v in e])


def _softmax_stable(z):
    m = sp.Max(*z, evaluate=False)   # unevaluated: evaluating compares every pair (slow for large C)
    e = [sp.exp(v - m) for v in z]
    s = sp.Add(*e)
    return sp.Matrix([v / s for v in e])


def _mp_softmax(z):
    m = max(z)
    e = [mpmath.exp(v - m) for v in z]
    s = mpmath.fsum(e)
    return [v / s for v in e]


OUTPUTS = _Table("output", {r.name: r for r in (
    OutputRule(
        name="softmax", f=_softmax, f_stable=_softmax_stable,
        jacobian=lambda yh: sp.Matrix(len(yh), len(yh), lambda k, i: yh[k] * (sp.KroneckerDelta(i, k) - yh[i])),
        jacobian_latex=r"\hat{y}_k(\delta_{ik} - \hat{y}_i)", jacobian_sympy="yhat[k]*(KroneckerDelta(i, k) - yhat[i])",
        range=(sp.Integer(0), sp.Integer(1)), mp=_mp_softmax, min_classes=2, elementwise=False),
    OutputRule(
        name="sigmoid", f=lambda z: z.applyfunc(_sig), f_stable=lambda z: z.applyfunc(_sig_stable),
        jacobian=lambda yh: sp.diag(*[v * (1 - v) for v in yh]),
        jacobian_latex=r"\delta_{ik}\,\hat{y}_k(1 - \hat{y}_k)", jacobian_sympy="KroneckerDelta(i, k)*yhat[k]*(1 - yhat[k])",
        range=(sp.Integer(0), sp.Integer(1)), mp=lambda z: [_mp_sig(v) for v in z]),
    OutputRule(
        name="tanh", f=lambda z: z.applyfunc(sp.tanh), f_stable=lambda z: z.applyfunc(sp.tanh),
        jacobian=lambda yh: sp.diag(*[1 - v ** 2 for v in yh]),
        jacobian_latex=r"\delta_{ik}(1 - \hat{y}_k^2)", jacobian_sympy="KroneckerDelta(i, k)*(1 - yhat[k]**2)",
        range=(sp.Integer(-1), sp.Integer(1)), mp=lambda z: [mpmath.tanh(v) for v in z]),
    OutputRule(
        name="identity", f=lambda z: sp.Matrix(z), f_stable=lambda z: sp.Matrix(z),
        jacobian=lambda yh: sp.eye(len(yh)), jacobian_latex=r"\delta_{ik}", jacobian_sympy="KroneckerDelta(i, k)",
        range=(-sp.oo, sp.oo), mp=lambda z: list(z), linear=True),
)})


# ----------------------------------------------------------------------------------------------
# losses


@dataclass(frozen=True, kw_only=True)
class LossRule:
    """A loss L(ŷ, y): the kind of target it expects and the open interval each ŷ_k must lie in."""
    name: str
    f: Callable            # (Matrix ŷ, Matrix y) -> expr
    target: str            # "one-hot" | "probability" | "real"
    domain: tuple


LOSSES = _Table("loss", {r.name: r for r in (
    LossRule(name="cross_entropy", f=lambda yh, y: -sp.Add(*[yk * sp.log(hk) for yk, hk in zip(y, yh)]),
             target="one-hot", domain=(sp.Integer(0), sp.oo)),
    LossRule(name="bce",
             f=lambda yh, y: -sp.Add(*[yk * sp.log(hk) + (1 - yk) * sp.log(1 - hk) for yk, hk in zip(y, yh)]),
             target="probability", domain=(sp.Integer(0), sp.Integer(1))),
    LossRule(name="mse", f=lambda yh, y: sp.Rational(1, 2) * sp.Add(*[(hk - yk) ** 2 for yk, hk in zip(y, yh)]),
             target="real", domain=(-sp.oo, sp.oo)),
)})


def defined_on(output: str, loss: str) -> bool:
    """Whether the loss is defined on the head's whole range (the pair is then supported)."""
    (lo, hi), (dlo, dhi) = OUTPUTS[output].range, LOSSES[loss].domain
    return bool(dlo <= lo and hi <= dhi)


# ----------------------------------------------------------------------------------------------
# the output error δ^(L) = J_head(ŷ)ᵀ ∇_ŷ L of each supported (output, loss) pair, simplified


@dataclass(frozen=True, kw_only=True)
class OutputError:
    """δ^(L) of one (output, loss) pair as the textbook writes it: ``delta(ŷ, y)`` (SymPy Matrix),
    ``latex`` (the whole identity in course notation), ``sympy`` (over matrix names) and the assumptions
    the proof that it equals Jᵀ∇L needs."""
    delta: Callable
    latex: str
    sympy: str
    assumptions: tuple = ()


def _hadamard(*ms):
    out = ms[0]
    for m in ms[1:]:
        out = out.multiply_elementwise(m)
    return out


def _ones(yh):
    return sp.ones(len(yh), 1)


def _softmax_mse(yh, y):
    r = yh - y
    s = sp.Add(*[a * b for a, b in zip(yh, r)])
    return sp.Matrix([yh[i] * (r[i] - s) for i in range(len(yh))])


def _softmax_bce(yh, y):
    g = [(a - b) / (1 - a) for a, b in zip(yh, y)]
    s = sp.Add(*g)
    return sp.Matrix([g[i] - yh[i] * s for i in range(len(yh))])


_YMY = r"\delta^{(L)} = \hat{y} - y"

HEADS = _Table("output and loss pair", {
    ("softmax", "cross_entropy"): OutputError(delta=lambda yh, y: yh - y, latex=_YMY, sympy="yhat - y",
                                              assumptions=(ONEHOT_SUM,)),
    ("sigmoid", "bce"): OutputError(delta=lambda yh, y: yh - y, latex=_YMY, sympy="yhat - y"),
    ("identity", "mse"): OutputError(delta=lambda yh, y: yh - y, latex=_YMY, sympy="yhat - y"),
    ("sigmoid", "mse"): OutputError(
        delta=lambda yh, y: _hadamard(yh - y, yh, _ones(yh) - yh),
        latex=r"\delta^{(L)} = (\hat{y} - y) \odot \hat{y} \odot (1 - \hat{y})",
        sympy="HadamardProduct(yhat - y, yhat, 1 - yhat)"),
    ("tanh", "mse"): OutputError(
        delta=lambda yh, y: _hadamard(yh - y, _ones(yh) - _hadamard(yh, yh)),
        latex=r"\delta^{(L)} = (\hat{y} - y) \odot (1 - \hat{y} \odot \hat{y})",
        sympy="HadamardProduct(yhat - y, 1 - HadamardProduct(yhat, yhat))"),
    ("softmax", "mse"): OutputError(
        delta=_softmax_mse,
        latex=r"\delta^{(L)} = \hat{y} \odot \left((\hat{y} - y) - \hat{y}^{\top}(\hat{y} - y)\right)",
        sympy="HadamardProduct(yhat, (yhat - y) - yhat.T*(yhat - y))"),
    ("sigmoid", "cross_entropy"): OutputError(
        delta=lambda yh, y: _hadamard(y, yh - _ones(yh)),
        latex=r"\delta^{(L)} = y \odot (\hat{y} - 1)", sympy="HadamardProduct(y, yhat - 1)"),
    ("softmax", "bce"): OutputError(
        delta=_softmax_bce,
        latex=r"\delta^{(L)}_i = \frac{\hat{y}_i - y_i}{1 - \hat{y}_i} - \hat{y}_i \sum_{k=1}^{C} "
              r"\frac{\hat{y}_k - y_k}{1 - \hat{y}_k}",
        sympy="(yhat[i] - y[i])/(1 - yhat[i]) - yhat[i]*Sum((yhat[k] - y[k])/(1 - yhat[k]), k)"),
})
