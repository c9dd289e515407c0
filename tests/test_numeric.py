"""Compiled symbolic gradients against two independent witnesses: NumPy backprop and finite differences."""
import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from symbackprop import ConfigError, Network, derive
from symbackprop.numeric import (
    TOLERANCES, Params, finite_differences, lambdify_gradients, numpy_backprop, rel_err, sample_params,
    stable_loss, stack_params, verify,
)
from symbackprop.rules import ACTIVATIONS, HEADS

PAIRS = list(HEADS)              # every supported (output, loss) pair
ACTS = list(ACTIVATIONS)


def close(a, b, t):
    """Relative error within a tolerance entry of the conftest table (computed here, not by the code)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    err = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), t["floor"])
    return float(err.max(initial=0.0)) <= t["rtol"]


def _check_all(net, p, tol):
    """Symbolic = NumPy backprop = central differences for every δ, ∇W, ∇b at point p."""
    sym = lambdify_gradients(derive(net))(*p)
    ref = numpy_backprop(net, *p)
    fd = finite_differences(net, *p)
    for k in range(net.L):
        assert sym["grad_W"][k].shape == p.Ws[k].shape and sym["grad_b"][k].shape == p.bs[k].shape
        assert close(sym["grad_W"][k], ref["grad_W"][k], tol["numpy"]), ("W", k)
        assert close(sym["grad_b"][k], ref["grad_b"][k], tol["numpy"]), ("b", k)
        assert close(sym["grad_W"][k], fd["grad_W"][k], tol["fd"]), ("W fd", k)
        assert close(sym["grad_b"][k], fd["grad_b"][k], tol["fd"]), ("b fd", k)
        assert close(ref["grad_W"][k], fd["grad_W"][k], tol["fd"]), ("witnesses disagree", k)
    for l in range(1, net.L + 1):
        assert sym["delta"][l].shape == (net.sizes[l],)
        assert close(sym["delta"][l], ref["delta"][l], tol["numpy"]), ("delta", l)
        assert close(sym["delta"][l], fd["grad_b"][l - 1], tol["fd"]), ("delta fd", l)
    assert close(sym["loss"], stable_loss(net, *p), tol["numpy"])


@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("act", ACTS)
def test_every_activation_and_head_depth_two(act, pair, weights, rng, tol):
    net = Network((2, 3, 2), act, *pair, weights=weights)
    for _ in range(2):
        _check_all(net, sample_params(net, rng), tol)


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_depth_one(pair, weights, rng, tol):
    net = Network((3, 2), "tanh", *pair, weights=weights)
    _check_all(net, sample_params(net, rng), tol)


@pytest.mark.parametrize("act, pair, weights", [
    (act, PAIRS[i % len(PAIRS)], ("outgoing", "incoming")[i % 2]) for i, act in enumerate(ACTS)])
def test_depth_three(act, pair, weights, rng, tol):
    net = Network((3, 3, 2, 2), act, *pair, weights=weights)
    _check_all(net, sample_params(net, rng), tol)


@pytest.mark.parametrize("net", [
    Network((4, 16, 3), "relu", "softmax", "cross_entropy"),
    Network((16, 16, 2), "tanh", "sigmoid", "bce", weights="incoming"),
], ids=["relu-16-softmax", "tanh-16-bce"])
def test_width_sixteen(net, rng, tol):
    _check_all(net, sample_params(net, rng), tol)


# ----------------------------------------------------------------------------------------------
# hand-worked values (independent of both witnesses)

# x = (1, 2); W_first = [[2, -1], [1, 1]], b_first = (0, -1) -> z1 = (0, 2) (unit 1 exactly at the kink)
# W_second = [[1, 2], [3, -1]], b_second = (0, 1) -> z2 = ŷ = (4, -1);  y = (1, 1);  identity head, MSE
# δ2 = (3, -2);  W_secondᵀ δ2 = (-3, 8);  δ1 = (-3c, 8) with c = φ'(0);  loss = (9 + 4) / 2
KINK = Params(np.array([1.0, 2.0]), np.array([1.0, 1.0]),
              [np.array([[2.0, -1.0], [1.0, 1.0]]), np.array([[1.0, 2.0], [3.0, -1.0]])],
              [np.array([0.0, -1.0]), np.array([0.0, 1.0])])


@pytest.mark.parametrize("act, conv, c", [
    ("relu", dict(relu_prime_at_zero=0), 0.0),
    ("relu", dict(relu_prime_at_zero=1), 1.0),
    ("leaky_relu", dict(negative_slope=Fraction(1, 4)), 0.25),
])
@pytest.mark.parametrize("which", ["symbolic", "numpy"])
def test_kink_at_exactly_zero_follows_the_convention(act, conv, c, which, tol):
    net = Network((2, 2, 2), act, "identity", "mse", **conv)
    res = lambdify_gradients(derive(net))(*KINK) if which == "symbolic" else numpy_backprop(net, *KINK)
    t = tol["exact"]
    assert close(res["delta"][2], [3, -2], t)
    assert close(res["delta"][1], [-3 * c, 8], t)
    assert close(res["grad_W"][0], [[-3 * c, -6 * c], [8, 16]], t)
    assert close(res["grad_b"][0], [-3 * c, 8], t)
    assert close(res["grad_W"][1], [[0, 6], [0, -4]], t)
    assert close(res["grad_b"][1], [3, -2], t)
    assert close(res["loss"], 6.5, t)


def test_finite_differences_match_a_hand_worked_gradient(tol):
    # one linear layer, MSE: L = ½‖Wx + b − y‖², ∇W = (Wx + b − y) xᵀ, ∇b = Wx + b − y
    net = Network((2, 2), output="identity", loss="mse")
    x, y = np.array([1.0, -2.0]), np.array([0.5, 0.0])
    W, b = np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([0.5, 1.0])
    r = np.array([1 - 4 + 0.5 - 0.5, 2 + 1 - 0.0])          # (-3, 3)
    fd = finite_differences(net, x, y, [W], [b])
    assert close(fd["grad_b"][0], r, tol["fd"])
    assert close(fd["grad_W"][0], [[-3, 6], [3, -6]], tol["fd"])
    assert close(stable_loss(net, x, y, [W], [b]), 9.0, tol["exact"])


def test_softmax_at_logits_of_800_is_finite(tol):
    # depth 1: z = W x + b with x = (1, 0) gives logits (800, 0, -800)
    net = Network((2, 3))
    x, W, b = np.array([1.0, 0.0]), np.array([[800.0, 1.0], [0.0, 1.0], [-800.0, 1.0]]), np.zeros(3)
    f = lambdify_gradients(derive(net))
    for hot, expected in [(0, [0.0, 0.0, 0.0]), (1, [1.0, -1.0, 0.0]), (2, [1.0, 0.0, -1.0])]:
        y = np.eye(3)[hot]
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            res = numpy_backprop(net, x, y, [W], [b])
        sym = f(x, y, [W], [b])
        for r in (res, sym):
            assert np.all(np.isfinite(r["yhat"])) and np.all(np.isfinite(r["grad_W"][0]))
            assert close(r["yhat"], [1.0, 0.0, 0.0], tol["exact"])
            assert np.allclose(r["delta"][1], expected, rtol=0, atol=1e-300)
            assert close(r["grad_W"][0], np.outer(expected, x), tol["exact"])
        assert close(res["loss"], [0.0, 800.0, 1600.0][hot], tol["exact"])
        assert np.isfinite(stable_loss(net, x, y, [W], [b]))


SIGMOID_800 = dict(x=np.array([1.0]), W=np.array([[800.0], [-800.0]]), b=np.zeros(2), y=np.array([0.25, 0.75]))


def test_numpy_sigmoid_head_at_logits_of_800_is_finite():
    net = Network((1, 2), output="sigmoid", loss="bce")
    s = SIGMOID_800
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ref = numpy_backprop(net, s["x"], s["y"], [s["W"]], [s["b"]])
    assert np.allclose(ref["delta"][1], [0.75, -0.75], rtol=1e-15, atol=0)     # σ(±800) − y
    # softplus(800) − 0.25·800 + softplus(−800) + 0.75·800, by hand
    assert abs(ref["loss"] - (800 - 200 + 600)) <= 1e-9


def test_symbolic_sigmoid_head_at_logits_of_800_is_finite():
    net = Network((1, 2), output="sigmoid", loss="bce")
    s = SIGMOID_800
    with np.errstate(all="ignore"):
        sym = lambdify_gradients(derive(net))(s["x"], s["y"], [s["W"]], [s["b"]])
    assert np.allclose(sym["delta"][1], [0.75, -0.75], rtol=1e-15, atol=0)



def test_hidden_sigmoid_at_pre_activations_of_800_is_finite():
    """σ'(z) at z = ±800: the compiled gradient uses e^{-|z|}/(1 + e^{-|z|})², never inf/inf = nan."""
    net = Network((1, 2, 2), "sigmoid", "identity", "mse")
    x, y = np.array([1.0]), np.array([0.5, -0.5])
    Ws = [np.array([[800.0], [-800.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])]
    bs = [np.zeros(2), np.zeros(2)]
    with np.errstate(over="raise", invalid="raise"):
        sym = lambdify_gradients(derive(net))(x, y, Ws, bs)
    for k in range(2):
        assert np.all(np.isfinite(sym["grad_W"][k]))
    # by hand: a1 = (1, 0) up to e^-800, so δ2 = W1 a1 - y = (0.5, 3.5), δ1 = σ'(z1) ⊙ W1ᵀδ2 ≈ 0 (σ' ~ e^-800)
    assert np.allclose(sym["delta"][2], [0.5, 3.5], rtol=1e-15, atol=0)
    assert np.all(np.abs(sym["delta"][1]) < 1e-300)


# ----------------------------------------------------------------------------------------------
# batching, sampling, tolerances


@pytest.mark.parametrize("net", [Network((3, 4, 3)), Network((2, 3, 2), "sigmoid", "identity", "mse")],
                         ids=["relu-softmax", "sigmoid-mse"])
def test_batched_evaluation_equals_point_by_point(net, rng, tol):
    pts = [sample_params(net, rng) for _ in range(5)]
    f = lambdify_gradients(derive(net))
    batch = stack_params(pts)
    sym, ref = f(*batch), numpy_backprop(net, *batch)
    shared = f(batch.x, batch.y, pts[0].Ws, pts[0].bs)            # one set of weights, many inputs
    for i, p in enumerate(pts):
        one = numpy_backprop(net, *p)
        one_shared = numpy_backprop(net, p.x, p.y, pts[0].Ws, pts[0].bs)
        for k in range(net.L):
            assert sym["grad_W"][k].shape == p.Ws[k].shape + (5,)
            assert close(sym["grad_W"][k][..., i], one["grad_W"][k], tol["numpy"])
            assert close(ref["grad_W"][k][..., i], one["grad_W"][k], tol["numpy"])
            assert close(shared["grad_W"][k][..., i], one_shared["grad_W"][k], tol["numpy"])
            assert close(sym["grad_b"][k][..., i], one["grad_b"][k], tol["numpy"])
        assert close(sym["loss"][i], one["loss"], tol["numpy"])


@pytest.mark.parametrize("loss, output", [("cross_entropy", "softmax"), ("bce", "sigmoid"), ("mse", "identity")])
def test_sample_params_shapes_targets_and_seed(loss, output):
    net = Network((3, 5, 4), "relu", output, loss)
    p = sample_params(net, np.random.default_rng(3))
    q = sample_params(net, np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip([p.x, p.y, *p.Ws, *p.bs], [q.x, q.y, *q.Ws, *q.bs]))
    assert p.x.shape == (3,) and p.y.shape == (4,)
    assert [W.shape for W in p.Ws] == [(5, 3), (4, 5)] and [b.shape for b in p.bs] == [(5,), (4,)]
    assert all(a.dtype == np.float64 for a in [p.x, p.y, *p.Ws, *p.bs])
    if loss == "cross_entropy":
        assert sorted(p.y.tolist()) == [0.0, 0.0, 0.0, 1.0]
    elif loss == "bce":
        assert np.all((p.y > 0) & (p.y < 1))


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_sample_params_keeps_hidden_preactivations_off_the_kink(act):
    net = Network((2, 6, 6, 6, 2), act)
    margin = 0.3                                    # large, so the resampling is actually exercised
    for seed in range(5):
        p = sample_params(net, np.random.default_rng(seed), margin=margin)
        a = p.x
        for k in range(net.L - 1):
            z = p.Ws[k] @ a + p.bs[k]
            assert np.all(np.abs(z) > margin)
            a = np.maximum(z, 0) if act == "relu" else np.where(z > 0, z, 0.01 * z)


def test_rel_err_by_hand():
    assert rel_err([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_err([1.0], [3.0]) == pytest.approx(0.5, rel=1e-15)            # 2 / 4
    assert rel_err([0.0, 1.0], [0.0, 1.0 + 1e-8]) == pytest.approx(1e-8 / (2 + 1e-8), rel=1e-6)
    assert rel_err([1e-20], [0.0], floor=1e-4) == pytest.approx(1e-16, rel=1e-12)
    assert rel_err([np.nan], [0.0]) == float("inf")
    with pytest.raises(ValueError):
        rel_err([1.0, 2.0], [1.0])


# ----------------------------------------------------------------------------------------------
# verify(): the JSON-ready summary, and that it fails on a wrong derivation


@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_verify_reports_every_quantity_against_both_witnesses(weights):
    net = Network((2, 3, 3, 2), "tanh", weights=weights)
    res = verify(net, n_points=2, seed=1)
    labels = list(net.param_labels())
    names = {f"delta^({l})" for l in (1, 2, 3)} | {f"grad_{w}^({lab})" for w in "Wb" for lab in labels}
    assert set(res) == names | {"passed"}
    assert res["passed"] is True
    for n in names:
        assert set(res[n]) == {"numpy_backprop", "finite_differences"}
        assert all(isinstance(v, float) and 0.0 <= v for v in res[n].values())
        assert res[n]["numpy_backprop"] <= 1e-9 and res[n]["finite_differences"] <= 1e-5
    assert verify(net, n_points=2, seed=1) == res                       # seeded
    assert TOLERANCES["numpy_backprop"].rtol <= 1e-9 and TOLERANCES["finite_differences"].rtol <= 1e-5


def test_verify_rejects_bad_point_counts():
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ConfigError, match="n_points"):
            verify(Network((2, 2)), n_points=bad)


def test_a_wrong_derivation_is_caught_by_both_witnesses(rng, tol):
    net = Network((2, 3, 2), "sigmoid")
    d = derive(net)
    wrong = dataclasses.replace(d, grad_W=[d.grad_W[0], d.grad_W[1].applyfunc(lambda e: 2 * e)])
    p = sample_params(net, rng)
    sym = lambdify_gradients(wrong)(*p)
    assert not close(sym["grad_W"][1], numpy_backprop(net, *p)["grad_W"][1], tol["numpy"])
    assert not close(sym["grad_W"][1], finite_differences(net, *p)["grad_W"][1], tol["fd"])
    assert close(sym["grad_W"][0], numpy_backprop(net, *p)["grad_W"][0], tol["numpy"])


def test_lambdify_refuses_symbols_the_library_did_not_create():
    net = Network((2, 2))
    d = derive(net)
    foreign = sp.Symbol("__import__('os')", real=True)
    bad = dataclasses.replace(d, grad_b=[d.grad_b[0] + sp.Matrix([foreign, 0])])
    with pytest.raises(ConfigError, match="did not create"):
        lambdify_gradients(bad)


@pytest.mark.parametrize("net", [Network((3, 4, 4, 3), "relu"), Network((2, 3, 3, 2), "sigmoid", "sigmoid", "bce"),
                                 Network((2, 3, 2), "tanh", "identity", "mse", weights="incoming")],
                         ids=["relu", "sigmoid-bce", "tanh-mse"])
def test_compiled_gradients_run_at_node_level(net):
    # every δ^(l) is evaluated from δ^(l+1) values (not re-expanded from the output layer)
    assert lambdify_gradients(derive(net)).node_level is True


def test_template_contraction_and_mixed_gathers_by_hand(rng, tol):
    # engine internals on hand-built library expressions, checked against NumPy written here
    from symbackprop import graph
    from symbackprop.numeric import _Quantity, _table_keys
    net = Network((4, 3), output="identity", loss="mse")
    g = graph(net)
    W, x, b, y = g.W[0], g.x, g.b[0], g.y
    loc = _table_keys(g, {})
    Wv, xv, bv, yv = rng.normal(size=(3, 4)), rng.normal(size=(4, 7)), rng.normal(size=3), rng.normal(size=(3, 7))
    table = {("W", 0): Wv.reshape(12, 1), ("x",): xv, ("b", 0): bv.reshape(3, 1), ("y",): yv}
    contraction = [sum(-2 * W[i, j] * x[j] for j in range(4)) + 5 * b[i] for i in range(3)]
    q = _Quantity(contraction, (3,), loc)
    assert close(q(table, (7,)), -2 * Wv @ xv + 5 * bv[:, None], tol["numpy"])
    mixed = [x[0] + b[0], y[0] + b[1], x[3] * y[2] - b[2]]          # one placeholder reads x, then y
    q = _Quantity(mixed, (3,), loc)
    expected = np.stack([xv[0] + bv[0], yv[0] + bv[1], xv[3] * yv[2] - bv[2]])
    assert close(q(table, (7,)), expected, tol["numpy"])
    outer = sp.Matrix(3, 4, lambda i, j: 3 * y[i] * x[j] * W[i, j])
    q = _Quantity(list(outer), (3, 4), loc)
    assert close(q(table, (7,)).reshape(3, 4, 7), 3 * yv[:, None, :] * xv[None, :, :] * Wv[:, :, None],
                 tol["numpy"])


@pytest.mark.parametrize("act", ACTS)
def test_overflow_free_activation_forms_equal_the_exact_ones(act):
    """The float-evaluation forms (rules' f_stable/prime_stable) are the same functions, to 30 digits."""
    rule, net = ACTIVATIONS[act], Network((2, 2, 2), act)
    u = sp.Symbol("u", real=True)
    for stable, exact in ((rule.f_stable, rule.f), (rule.prime_stable, rule.prime)):
        if stable is None:
            continue
        for v in (sp.Rational(-61, 2), sp.Rational(-3, 2), sp.Rational(3, 10), 20):
            a, b = sp.N(stable(u, net).subs(u, v), 40), sp.N(exact(u, net).subs(u, v), 40)
            assert abs(a - b) <= sp.Float("1e-30", 40) * max(1, abs(b)), (act, v, a, b)


@pytest.mark.parametrize("act", [a for a in ACTS if ACTIVATIONS[a].kinks])
def test_sample_params_keeps_hidden_preactivations_off_every_kink(act):
    """Every kink of the row (relu6: 0 and 6, hard_tanh: -1 and 1), not only 0."""
    from symbackprop.numeric import _ACT
    kinks = [float(c) for c in ACTIVATIONS[act].kinks]
    net = Network((2, 6, 6, 6, 2), act)
    margin = 0.3                                    # large, so the resampling is actually exercised
    for seed in range(5):
        p = sample_params(net, np.random.default_rng(seed), margin=margin)
        a = p.x
        for k in range(net.L - 1):
            z = p.Ws[k] @ a + p.bs[k]
            assert all(abs(v - c) > margin for v in z for c in kinks), (act, z)
            a = _ACT[act][0](z, net)


@pytest.mark.parametrize("net", [Network((3, 4, 4, 3), "relu"), Network((3, 4, 2), "sigmoid", "sigmoid", "bce"),
                                 Network((2, 5, 3, 3), "gelu", "identity", "mse"),
                                 Network((4, 3, 3, 3, 2), "elu", "tanh", "mse", weights="incoming"),
                                 Network((3, 6, 6, 4), "leaky_relu", "softmax", "bce"),
                                 Network((2, 3), "identity", "softmax", "cross_entropy")],
                         ids=["relu", "sigmoid-bce", "gelu", "elu-deep", "leaky", "no-hidden"])
def test_batched_finite_differences_equal_the_direct_loop(net):
    """The rank-one batched differences are the same central differences as one full forward pass per
    perturbation (``entrywise_differences``): equal to rounding (1e-9 absolute, far below FD's own error)."""
    from symbackprop.witness import entrywise_differences
    for seed in range(2):
        p = sample_params(net, np.random.default_rng(seed))
        fast, slow = finite_differences(net, *p), entrywise_differences(net, *p)
        for kind in ("grad_W", "grad_b"):
            for a, b in zip(fast[kind], slow[kind]):
                assert a.shape == b.shape
                assert np.max(np.abs(a - b)) <= 1e-9, (kind, np.max(np.abs(a - b)))


def test_hoisted_subexpressions_are_exact_and_shared():
    """The CSE of the compiled head: substituting the temporaries back gives the entries exactly; the max and
    each e^{z_k - max} are computed once; the values equal a softmax written here."""
    from symbackprop import graph
    from symbackprop.compiling import _hoist, _MODULES
    from symbackprop.rules import OUTPUTS
    C = 7
    z = graph(Network((2, C))).z[1]
    entries = list(OUTPUTS["softmax"].f_stable(z))
    temps, reduced = _hoist(entries)
    back = {}
    for s, t in temps:
        back[s] = t.xreplace(back)
    assert [r.xreplace(back) for r in reduced] == entries
    assert sum(1 for _, t in temps if t.has(sp.Max)) == 1               # the max once, then by name
    assert sum(1 for _, t in temps if isinstance(t, sp.exp)) == C
    fn = sp.lambdify(list(z), entries, modules=_MODULES, cse=_hoist, use_imps=False)
    v = np.random.default_rng(0).normal(size=C) * 30
    e = np.exp(v - v.max())
    assert np.max(np.abs(np.array(fn(*v)) - e / e.sum())) <= 1e-15
