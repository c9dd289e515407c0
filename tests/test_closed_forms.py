"""Closed forms are proved exactly, need their assumptions, and match an outside reference."""
import random

import mpmath
import pytest
import sympy as sp

from symbackprop import Network, derive, graph
from symbackprop.closed_forms import (
    closed_forms, prove_equal, prove_layer_symbolic_width, prove_softmax_ce_symbolic_C, prove_zero,
)
from symbackprop.rules import ACTIVATIONS, HEADS, ONEHOT_SUM, indicator, kinked_prime

PAIRS = list(HEADS)              # every supported (output, loss) pair
ACTS = list(ACTIVATIONS)


@pytest.mark.parametrize("sizes", [(2, 3), (2, 3, 2), (3, 2, 3, 2), (2, 16, 3)])
@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_every_closed_form_is_proved(sizes, act, pair, weights):
    net = Network(sizes, act, *pair, weights=weights)
    forms = closed_forms(net)
    assert all(f.proved for f in forms), [f.name for f in forms if not f.proved]
    names = {f.name for f in forms}
    labels = list(net.param_labels())
    assert {f"grad_W^({lab})" for lab in labels} <= names
    assert f"delta^({net.L})" in names


def test_softmax_ce_needs_the_target_assumption():
    net = Network((2, 3, 3))
    g, d = graph(net), derive(net)
    assert not prove_equal(d.delta[net.L], g.yhat - g.y, g, ())
    assert prove_equal(d.delta[net.L], g.yhat - g.y, g, (ONEHOT_SUM,))
    form = next(f for f in closed_forms(net) if f.name == f"delta^({net.L})")
    assert [a.name for a in form.assumptions] == ["target-sums-to-one"]


def test_assumption_is_not_needed_for_mse_and_bce():
    for out, loss in [("identity", "mse"), ("sigmoid", "bce")]:
        net = Network((2, 2), "relu", out, loss)
        g, d = graph(net), derive(net)
        assert prove_equal(d.delta[1], g.yhat - g.y, g, ())


@pytest.mark.parametrize("c, proved_gt, proved_ge", [(0, True, False), (1, False, True)])
def test_relu_indicator_form_depends_on_the_convention(c, proved_gt, proved_ge):
    net = Network((2, 3, 2), relu_prime_at_zero=c)
    g, d = graph(net), derive(net)
    wt = g.concretize(g.W[1].T * d.delta[2])
    derived = g.concretize(d.delta[1])
    gt = wt.multiply_elementwise(g.z[1].applyfunc(lambda u: indicator(u > 0)))
    ge = wt.multiply_elementwise(g.z[1].applyfunc(lambda u: indicator(u >= 0)))
    assert prove_equal(derived, gt, g) is proved_gt
    assert prove_equal(derived, ge, g) is proved_ge
    form = next(f for f in closed_forms(net) if f.name == "delta^(1) [relu]")
    assert form.proved and form.assumptions[0].name == "phi-prime-at-zero"


def test_kinked_prime_lemma_is_exact():
    u = sp.Symbol("u", real=True)
    assert prove_equal(kinked_prime(u, 0, 1, 0), indicator(u > 0), None)
    assert not prove_equal(kinked_prime(u, 0, 1, sp.Rational(1, 2)), indicator(u > 0), None)


def test_symbolic_number_of_classes():
    res = prove_softmax_ce_symbolic_C()
    assert res["proved"]
    # without Σ y = 1 the expression is ŷ_i Σ y_k − y_i, which is not ŷ_i − y_i
    expr = res["expression"]
    i = [s for s in expr.free_symbols if s.name == "i"][0]
    y, yh = sp.IndexedBase("y", real=True), sp.IndexedBase("yhat", positive=True)
    assert sp.simplify(expr - (yh[i] - y[i])) != 0


def test_layer_identities_at_symbolic_width():
    """∇W = δaᵀ, ∇b = δ and δ = Vᵀδ' ⊙ φ'(z) proved once for every width; instances match hand-typed entries."""
    res = prove_layer_symbolic_width()
    assert all(r["proved"] for r in res.values()), {k: r["proved"] for k, r in res.items()}
    assert all(r["assumptions"] for r in res.values())
    W, b = res["grad_W"]["expression"], res["grad_b"]["expression"]
    u, r, w = (sp.Symbol(n, integer=True, nonnegative=True) for n in "urw")
    a, d = sp.IndexedBase("a", real=True), sp.IndexedBase("delta", real=True)
    assert W.subs({u: 1, r: 2}) == d[2] * a[3]                   # ∂L/∂W_23 = δ_2 a_3
    assert b.subs(u, 4) == d[5]
    # the recursion at k = 2 next-layer units, j = 1: (V_11 D_1 + V_21 D_2) φ'(z_1)
    V, D, z = (sp.IndexedBase(n, real=True) for n in ("V", "D", "z"))
    phi = sp.Function("phi")
    rec = res["delta"]["expression"].subs({w: 1, r: 0}).doit()
    assert sp.expand(rec - (V[1, 1] * D[1] + V[2, 1] * D[2]) * sp.Derivative(phi(z[1]), z[1])) == 0


@pytest.mark.parametrize("wrong", ["transposed", "bias-times-input", "recursion-not-transposed"])
def test_symbolic_width_proof_refuses_wrong_forms(wrong):
    import importlib
    cf = importlib.import_module("symbackprop.closed_forms")
    S = cf._width_symbols()
    if wrong == "transposed":                      # ∇W = a δᵀ read as δ_j a_i
        res = cf._width_proof(*cf._affine_chain(lambda S, x: x["delta"][S["j"]] * x["a"][S["i"]], "W", S))
    elif wrong == "bias-times-input":
        res = cf._width_proof(*cf._affine_chain(lambda S, x: x["delta"][S["i"]] * x["a"][S["i"]], "b", S))
    else:                                          # δ = V δ' ⊙ φ'(z) instead of Vᵀ δ'
        def closed(S, x):
            j = S["j"]
            return sp.Sum(x["V"][j, x["p"]] * x["D"][x["p"]], (x["p"], 1, S["k"])) * \
                sp.Derivative(x["phi"](x["z"][j]), x["z"][j])
        res = cf._width_proof(*cf._recursion_chain(closed, S))
    assert not res["proved"]


def _fd(f, x0, h=mpmath.mpf("1e-20")):
    return (f(x0 + h) - f(x0 - h)) / (2 * h)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "relu"])
def test_closed_forms_match_high_precision_finite_differences(act):
    """Every closed form, evaluated through the forward pass, equals an mpmath central difference."""
    net = Network((2, 2, 3), act)
    g = graph(net)
    rng = random.Random(1)
    prims = g.primitives()
    point = {s: sp.Rational(rng.randint(-60, 60), 32) for s in prims}
    hot = rng.randrange(3)
    point.update({s: sp.Integer(int(k == hot)) for k, s in enumerate(g.y)})
    loss = g.to_primitives(g.loss)
    with mpmath.workdps(60):
        for form in closed_forms(net):
            kind = form.quantity[0]
            if kind not in ("grad_W", "grad_b"):
                continue
            k = net.edge(form.quantity[1])
            var = g.W[k] if kind == "grad_W" else g.b[k]
            closed = form.closed.applyfunc(g.to_primitives)
            for idx in range(len(var)):
                s = var[idx]
                rest = {t: v for t, v in point.items() if t != s}
                fl = sp.lambdify(s, loss.xreplace(rest), "mpmath")
                ref = _fd(fl, mpmath.mpf(point[s].p) / point[s].q)
                got = sp.N(closed[idx].xreplace(point), 40)
                assert abs(float(got) - float(ref)) <= 1e-15 * max(1.0, abs(float(ref))), (form.name, idx)


# ----------------------------------------------------------------------------------------------
# case splits: a branch is dropped only when its region is proved empty (issue 11, item 2)

_u, _v = sp.symbols("u v", real=True)


def _ind(cond):
    return sp.Piecewise((1, cond), (0, True))


@pytest.mark.parametrize("expr, zero", [
    (_ind((_u - 1) ** 2 <= 0), False),                                   # 1 at u = 1
    (_ind(_u ** 2 <= 0), False),                                         # 1 at u = 0
    (_ind(sp.And(_u - _v <= 0, _v - _u <= 0)), False),                   # 1 on the line u = v
    (_ind(_u ** 2 + _v ** 2 <= 0), False),                               # 1 at the origin
    (_ind(sp.And(_u ** 2 >= 2, _u ** 2 <= 2)), False),                   # 1 at u = +-sqrt(2)
    (_ind(_u ** 3 - _u - 1 >= 0) - _ind(_u ** 3 - _u - 1 > 0), False),    # 1 at the real root
    (_ind(_u > 0) - _ind(_u >= 0), False),                               # -1 at u = 0
    (_ind(sp.And(_u - _v < 0, _v - _u < 0)), True),                      # empty
    (_ind(sp.And(_u ** 2 < 2, _u ** 3 > 3)), True),                      # u < 1.414 and u > 1.442: empty
    (kinked_prime(_u, 0, 1, 1) - _ind(_u >= 0), True),                   # relu'(0) = 1 is 1{u >= 0}
    (sp.Piecewise((_u - 1, (_u - 1) ** 2 <= 0), (0, True)), True),        # u - 1 = 0 where it is taken
    (sp.Max(0, _u) - _u * _ind(_u > 0), True),                           # relu(u) = u 1{u > 0}
    (sp.Max(_u, _v) - _u - sp.Max(0, _v - _u), True),
    (sp.Max(_u, _v) - _u, False),
    (_ind(sp.Max(_u, _v) <= _u) - _ind(_v <= _u), True),                 # max(u, v) <= u iff v <= u
    (_ind(sp.Max(_u, _v) <= _u) - _ind(_v < _u), False),                 # differ at u = v
])
def test_case_splits_never_drop_a_branch_that_can_occur(expr, zero):
    assert prove_zero(expr) is zero


@pytest.mark.parametrize("region, zero", [(_u <= 1, True), (_u < 1, True), (_u <= 2, False), (None, False)])
def test_a_proof_within_a_region_needs_the_region(region, zero):
    assert prove_zero(_ind(_u > 1), region) is zero


@pytest.mark.parametrize("pair", PAIRS)
def test_output_error_by_class_symmetry(pair):
    """From 6 classes on δ^(L) is proved for class 1 and carried to the others by swapping two classes; the
    result agrees with proving every entry on its own, and a wrong entry anywhere is refused."""
    import importlib
    cf = importlib.import_module("symbackprop.closed_forms")
    net = Network((2, 3, 7), "tanh", *pair)
    d, g, rule = derive(net), graph(net), HEADS[pair]
    closed = rule.delta(g.yhat, g.y)
    form = next(f for f in closed_forms(net) if f.name == f"delta^({net.L})")
    assert form.proved and "images" in form.method
    assert prove_equal(d.delta[net.L], closed, g, rule.assumptions)            # every entry on its own
    for i in (1, 6):
        bad = d.delta[net.L].copy()
        bad[i] = bad[i] + g.y[0] * g.yhat[i] - g.y[1] * g.yhat[i]               # not symmetric, not zero
        assert not cf._by_class_symmetry(bad, closed, g, rule.assumptions)
        assert not prove_equal(bad, closed, g, rule.assumptions)
    swapped = d.delta[net.L].copy()                                             # entries 2 and 3 exchanged
    swapped[2], swapped[3] = swapped[3], swapped[2]
    assert not cf._by_class_symmetry(swapped, closed, g, rule.assumptions)


def test_class_symmetry_needs_symmetric_assumptions():
    import importlib
    from symbackprop.rules import Assumption
    cf = importlib.import_module("symbackprop.closed_forms")
    net = Network((2, 3, 7))
    d, g = derive(net), graph(net)
    first = Assumption("first-class-is-zero", "y_1 = 0", "y_1 = 0", lambda g: {g.y[0]: 0})
    assert not cf._by_class_symmetry(d.delta[net.L], g.yhat - g.y, g, (first,))
