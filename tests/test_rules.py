"""Contract of the rule tables: every row is checked against outside references, and a consumer of a row
needs nothing but the row (issue 15).

References: SymPy's own ``diff`` of the row's function, mpmath at high precision (1000 digits for the
overflow-free forms), the independent NumPy witness (``numeric``'s own tables, typed from the literature),
and end-to-end claims.  ``test_the_contract_fails_on_a_broken_row`` runs the same checks on deliberately
broken rows: each must fail.
"""
import dataclasses
import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from symbackprop import ConfigError, Network, check_claim, derive, graph
from symbackprop import numeric, points
from symbackprop.closed_forms import prove_equal, prove_zero
from symbackprop.rules import (
    ACTIVATIONS, HEADS, LOSSES, OUTPUTS, PARAMETERS, ActivationRule, defined_on, indicator,
)

u = sp.Symbol("u", real=True)

# every row with its default parameters, and the parameters that change a row
VARIANTS = [(name, {}) for name in ACTIVATIONS] + [
    ("relu", {"relu_prime_at_zero": 1}), ("relu", {"relu_prime_at_zero": Fraction(1, 2)}),
    ("leaky_relu", {"negative_slope": Fraction(1, 10)}), ("leaky_relu", {"negative_slope": 0}),
    ("elu", {"alpha": Fraction(1, 2)}), ("elu", {"alpha": 3}),
]
IDS = [f"{n}-" + "-".join(f"{k}={v}" for k, v in p.items()) if p else n for n, p in VARIANTS]

U = [sp.Rational(v) for v in ("-30", "-7/2", "-1", "-1/3", "1/5", "1", "5/2", "7", "30")]
LARGE = [-800.0, -300.0, -40.0, -5.0, -0.5, 0.5, 5.0, 40.0, 300.0, 800.0]


def _net(name, params):
    return Network((2, 3, 2), name, **params)


def _points(rule):
    """Sample arguments: spread out, beside every kink, and the kinks themselves (kink=True)."""
    near = [sp.Rational(c) + s * sp.Rational(1, 1000) for c in rule.kinks for s in (-1, 1)]
    return [(v, False) for v in U + near if v not in rule.kinks] + [(sp.Rational(c), True) for c in rule.kinks]


def _n(e, dps=60):
    return sp.N(e, dps)


def _close(a, b, rel):
    a, b = sp.Float(a, 70), sp.Float(b, 70)
    return abs(a - b) <= rel * max(abs(b), sp.Float(1))


# ----------------------------------------------------------------------------------------------
# the contract of one activation row (each helper fails with AssertionError)


def contract_derivative(rule, net):
    """φ' equals SymPy's diff of φ away from the kinks, and takes the stated convention at each kink."""
    d = sp.diff(rule.f(u, net), u)
    conventions = dict(rule.conventions(net))
    assert set(conventions) == set(rule.kinks), (rule.name, conventions, rule.kinks)
    for v, kink in _points(rule):
        got = rule.prime(u, net).xreplace({u: v})
        if kink:
            assert got == sp.Rational(conventions[int(v)]), (rule.name, v, got)
        else:
            assert _close(_n(got), _n(d.xreplace({u: v})), sp.Float("1e-50")), (rule.name, v)


def contract_textbook(rule, net):
    """The textbook φ' is the same function as the exact one, proved for every real u (kinks included)."""
    assert prove_zero(rule.prime(u, net) - rule.textbook_prime(u, net)), rule.name
    for c in rule.kinks:
        assert rule.textbook_prime(u, net).xreplace({u: c}) == rule.prime(u, net).xreplace({u: c}), (rule.name, c)


def contract_stable(rule, net):
    """The float forms, compiled like ``numeric`` does, are finite and equal the exact forms (mpmath at
    1000 digits) at large |u|: nothing overflows and nothing cancels."""
    stable = rule.stable(u, net)
    for k, exact in enumerate((rule.f(u, net), rule.prime(u, net))):
        fn = sp.lambdify(u, stable[k], modules=numeric._MODULES)
        ref = sp.lambdify(u, exact, modules="mpmath")
        with np.errstate(all="ignore"):  # an overflow shows as inf below
            got = [float(fn(np.float64(v))) for v in LARGE]
        with mpmath.workdps(1000):
            want = [ref(mpmath.mpf(v)) for v in LARGE]
        for v, a, b in zip(LARGE, got, want):
            assert np.isfinite(a), (rule.name, k, v, a)
            assert abs(a - b) <= 1e-12 * abs(b) + mpmath.mpf("1e-300"), (rule.name, k, v, a, b)


def contract_forward(rule, net):
    """The high-precision forward pass (``points._act``, the row's ``mp``) equals SymPy's evaluation of φ;
    exact (a Fraction) where the row says it maps rationals to rationals."""
    for v, _ in _points(rule):
        want = rule.f(u, net).xreplace({u: v})
        got = points._act(net, rule.name, Fraction(int(v.p), int(v.q)), 50)
        if rule.exact_on_rationals:
            assert isinstance(got, Fraction) and sp.Rational(got.numerator, got.denominator) == want, \
                (rule.name, v, got, want)
        else:
            assert _close(sp.Float(mpmath.nstr(got, 50), 50), _n(want), sp.Float("1e-45")), (rule.name, v, got)
    for v in LARGE:                     # an mpf input (after a smooth layer) gives the same value
        got = points._act(net, rule.name, mpmath.mpf(v), 50)
        assert _close(sp.Float(mpmath.nstr(got, 50), 50), _n(rule.f(u, net).xreplace({u: sp.Rational(v)}), 80),
                      sp.Float("1e-40")), (rule.name, v, got)


def contract_witness(rule, net):
    """The independent NumPy witness computes the same φ and φ' (its own formulas), kinks included."""
    phi, dphi = numeric._ACT[rule.name]
    for v, kink in _points(rule):
        x = np.array([float(v)])
        for fn, e in ((phi, rule.f(u, net)), (dphi, rule.prime(u, net))):
            want = float(_n(e.xreplace({u: v})))
            got = float(fn(x, net)[0])
            assert abs(got - want) <= 1e-12 * max(1.0, abs(want)), (rule.name, v, kink, got, want)


def contract_range(rule, net):
    """The stated range of φ (a fact proofs may use) holds at every sample, and at large |u|."""
    for v in [p for p, _ in _points(rule)] + [sp.Rational(int(x)) for x in LARGE]:
        fact = rule.range(u, net)
        if fact is None:
            return
        val = rule.f(u, net).xreplace({u: v})
        holds = fact.xreplace({u: val}) if val.is_Rational else fact.xreplace({u: sp.Float(_n(val, 1000), 1000)})
        assert holds is sp.true, (rule.name, v, val)


def contract_latex(rule, net):
    """The textbook φ' in LaTeX reads back through the notation layer and is proved equal to φ'."""
    tex = rule.prime_latex("u", net)
    if tex is None:
        return
    res = check_claim(net, "prime", r"\varphi'(u) = " + tex)
    assert res.verdict == "proved", (rule.name, tex, res.verdict, res.message)


CONTRACT = [contract_derivative, contract_textbook, contract_stable, contract_forward, contract_witness,
            contract_range, contract_latex]


@pytest.mark.parametrize("check", CONTRACT, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name, params", VARIANTS, ids=IDS)
def test_activation_row_contract(name, params, check):
    net = _net(name, params)
    check(ACTIVATIONS[name], net)


def test_row_parameters_are_network_parameters():
    for rule in ACTIVATIONS.values():
        assert set(rule.params) <= set(PARAMETERS), rule.name
        assert all(isinstance(c, int) for c in rule.kinks), rule.name
        assert isinstance(rule, ActivationRule) and dataclasses.is_dataclass(rule)


# ----------------------------------------------------------------------------------------------
# output heads, losses, pairs

Z3 = sp.Matrix(sp.symbols("z1:4", real=True))
YH3 = sp.Matrix(sp.symbols("h1:4", real=True))


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_head_jacobian_is_the_derivative_of_the_head(name):
    rule = OUTPUTS[name]
    f = rule.f(Z3)
    J = rule.jacobian(YH3).xreplace(dict(zip(YH3, f)))
    assert prove_zero(J - f.jacobian(Z3)), name


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_head_forward_stable_range_and_witness(name):
    rule = OUTPUTS[name]
    rng = np.random.default_rng(5)
    for scale in (0.5, 3.0, 400.0):
        z = [sp.Rational(int(v * 64), 64) for v in rng.normal(scale=scale, size=3)]
        exact = rule.f(sp.Matrix(z))
        with mpmath.workdps(1000):
            want = [mpmath.mpf(str(_n(e, 1000))) for e in exact]
            mp_ref = [float(v) for v in want]
        # overflow-free float form, compiled like numeric does
        fn = sp.lambdify(list(Z3), list(rule.f_stable(Z3)), modules=numeric._MODULES)
        with np.errstate(all="ignore"):  # an overflow shows as inf below
            got = [float(v) for v in fn(*[float(v) for v in z])]
        assert all(abs(a - b) <= 1e-12 * abs(b) + 1e-300 for a, b in zip(got, mp_ref)), (name, z, got)
        # high-precision forward pass
        hp = points._head(Network((2, 3), "relu", name, "mse"), [Fraction(int(v.p), int(v.q)) for v in z], 50)
        assert all(abs(points._mp(a, 50) - b) <= mpmath.mpf("1e-45") * max(1, abs(b)) for a, b in zip(hp, want))
        # range: strictly inside the open interval (checked at 60 digits)
        lo, hi = rule.range
        if scale < 100:
            assert all(lo < _n(e) < hi for e in exact), (name, z)
        # the NumPy witness's own head and its vector-Jacobian product
        head, jt = numeric._HEAD[name]
        zf = np.array([float(v) for v in z])
        assert np.allclose(head(zf), mp_ref, rtol=1e-12, atol=1e-300)
        g = rng.normal(size=3)
        yh = head(zf)
        J = np.array(rule.jacobian(sp.Matrix(yh.tolist())).tolist(), dtype=float)
        assert np.allclose(jt(yh, g), J.T @ g, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_witness_matches_the_row(name):
    rule = LOSSES[name]
    y = sp.Matrix([0, 1, 0]) if rule.target == "one-hot" else sp.Matrix([sp.Rational(1, 4), sp.Rational(2, 3), 0])
    yh = sp.Matrix([sp.Rational(1, 5), sp.Rational(7, 10), sp.Rational(1, 10)])      # inside every domain
    loss, grad = numeric._LOSS[name]
    yf, hf = np.array(y.tolist(), float)[:, 0], np.array(yh.tolist(), float)[:, 0]
    assert abs(float(loss(hf, yf)) - float(rule.f(yh, y))) <= 1e-13
    exact_grad = [sp.diff(rule.f(YH3, y), v).xreplace(dict(zip(YH3, yh))) for v in YH3]
    assert np.allclose(grad(hf, yf), [float(e) for e in exact_grad], rtol=1e-13)


def test_supported_pairs_are_exactly_those_whose_loss_is_defined_on_the_head_range():
    valid = {(o, l) for o, l in itertools.product(OUTPUTS, LOSSES) if defined_on(o, l)}
    assert set(HEADS) == valid
    # by hand: cross-entropy needs ŷ > 0, BCE needs 0 < ŷ < 1, MSE is defined everywhere
    assert valid == {("softmax", "cross_entropy"), ("softmax", "bce"), ("softmax", "mse"),
                     ("sigmoid", "cross_entropy"), ("sigmoid", "bce"), ("sigmoid", "mse"),
                     ("tanh", "mse"), ("identity", "mse")}
    for o, l in set(itertools.product(OUTPUTS, LOSSES)) - valid:
        with pytest.raises(ConfigError) as info:
            Network((2, 3), output=o, loss=l)
        msg = info.value.one_line()
        assert o in msg and l in msg and "\n" not in msg


@pytest.mark.parametrize("pair", list(HEADS), ids=lambda p: "+".join(p))
@pytest.mark.parametrize("C", [2, 3])
def test_output_error_row_is_the_chain_rule_and_each_assumption_is_needed(pair, C):
    net = Network((2, C), "relu", *pair)
    g, d, row = graph(net), derive(net), HEADS[pair]
    typed = row.delta(g.yhat, g.y)
    assert prove_equal(d.delta[1], typed, g, row.assumptions)
    for k in range(len(row.assumptions)):
        assert not prove_equal(d.delta[1], typed, g, row.assumptions[:k] + row.assumptions[k + 1:])


@pytest.mark.parametrize("pair", list(HEADS), ids=lambda p: "+".join(p))
def test_output_error_row_matches_the_witness(pair, rng):
    net = Network((2, 3), "relu", *pair)
    g, row = graph(net), HEADS[pair]
    for _ in range(3):
        p = numeric.sample_params(net, rng)
        z = p.Ws[0] @ p.x + p.bs[0]
        yh = numeric._HEAD[net.output][0](z)
        want = row.delta(sp.Matrix(yh.tolist()), sp.Matrix(p.y.tolist()))
        got = numeric.numpy_backprop(net, *p)["delta"][1]
        assert np.allclose(got, np.array(want.tolist(), float)[:, 0], rtol=1e-9, atol=1e-12), pair


def test_the_witness_tables_have_the_same_keys_as_the_rules():
    assert set(numeric._ACT) == set(ACTIVATIONS)
    assert set(numeric._HEAD) == set(OUTPUTS)
    assert set(numeric._LOSS) == set(LOSSES)
    assert set(numeric._FUSED) <= set(HEADS)


def test_unknown_names_fail_loudly_and_never_fall_through():
    for table, key, words in ((ACTIVATIONS, "mish", ["unknown activation 'mish'", "relu", "silu"]),
                              (OUTPUTS, "softsign", ["unknown output", "softmax"]),
                              (LOSSES, "hinge", ["unknown loss", "mse"]),
                              (HEADS, ("tanh", "bce"), ["unknown output and loss pair", "('tanh', 'bce')"]),
                              (PARAMETERS, "beta", ["unknown parameter", "alpha"])):
        with pytest.raises(KeyError) as info:
            table[key]
        assert all(w in str(info.value) for w in words), (key, str(info.value))
    with pytest.raises(KeyError, match="unknown activation 'mish'"):
        points._act(Network((2, 2)), "mish", Fraction(1, 2), 50)      # once fell through to tanh


# ----------------------------------------------------------------------------------------------
# one new row is all a consumer needs: a throwaway activation, end to end


@pytest.fixture
def throwaway(monkeypatch):
    """softplus under a new name, added to ACTIVATIONS only (no consumer is told about it)."""
    row = ActivationRule(
        name="throwaway_softplus", f=lambda v, net: sp.log(1 + sp.exp(v)),
        prime=lambda v, net: 1 / (1 + sp.exp(-v)), textbook_prime=lambda v, net: 1 / (1 + sp.exp(-v)),
        prime_latex=lambda z, net: rf"\sigma({z})", mp=lambda v, net: mpmath.log1p(mpmath.exp(v)),
        range=lambda v, net: v > 0)
    monkeypatch.setitem(ACTIVATIONS, row.name, row)
    return row.name


def test_a_new_row_checks_true_and_false_claims_end_to_end(throwaway):
    net = Network((2, 3, 2), throwaway)
    true = check_claim(net, "true", r"a^{(1)} = \log(1 + \exp(z^{(1)}))")
    false = check_claim(net, "false", r"a^{(1)} = \tanh(z^{(1)})")
    assert true.verdict == "proved", true.message
    assert false.verdict == "refuted", false.message
    # σ is the logistic here only once declared: in a softplus network it could also name the activation
    assert check_claim(net, "prime", r"\delta^{(1)} = (W^{(1)})^{\top}\delta^{(2)} \odot \sigma(z^{(1)})",
                       notation={"sigma": "logistic"}).verdict == "proved"
    from symbackprop.closed_forms import closed_forms
    from symbackprop.export import export_fragment
    assert all(f.proved for f in closed_forms(net))
    assert r"\odot \sigma(z^{(1)})" in export_fragment(net)


# ----------------------------------------------------------------------------------------------
# the contract is not vacuous: each check fails on a row broken in its own way


def _broken(name, **changes):
    return dataclasses.replace(ACTIVATIONS[name], **changes)


BROKEN = [
    ("derivative", contract_derivative, _broken("tanh", prime=lambda v, net: 1 - sp.tanh(v))),
    ("kink-convention", contract_derivative,
     _broken("relu6", prime=lambda v, net: sp.Piecewise((0, v < 0), (1, v <= 6), (0, True)))),
    ("textbook", contract_textbook, _broken("sigmoid", textbook_prime=lambda v, net: sp.exp(-v) / (1 + sp.exp(-v)))),
    ("textbook-at-kink", contract_textbook, _broken("relu", textbook_prime=lambda v, net: indicator(v >= 0))),
    ("overflow", contract_stable, _broken("softplus", f_stable=None)),
    ("cancellation", contract_stable, _broken("sigmoid", f_stable=lambda v, net: (1 + sp.tanh(v / 2)) / 2)),
    ("forward-falls-through-to-tanh", contract_forward, _broken("silu", mp=lambda v, net: mpmath.tanh(v))),
    ("forward-inexact", contract_forward, _broken("relu", mp=lambda v, net: mpmath.mpf(v) if v > 0 else 0 * v + 0.0)),
    # the sigmoid approximation of GELU in the row, the exact one in the witness
    ("witness", contract_witness, _broken("gelu", f=lambda v, net: v / (1 + sp.exp(-sp.Rational(1702, 1000) * v)))),
    ("range", contract_range, _broken("tanh", range=lambda v, net: v > 0)),
    ("latex", contract_latex, _broken("tanh", prime_latex=lambda z, net: rf"(1 - \tanh({z}))")),
]


@pytest.mark.parametrize("what, check, row", BROKEN, ids=[b[0] for b in BROKEN])
def test_the_contract_fails_on_a_broken_row(what, check, row, monkeypatch):
    monkeypatch.setitem(ACTIVATIONS, row.name, row)
    with pytest.raises(AssertionError):
        check(row, _net(row.name, {}))
