"""Mini-batches, the rows layout, L2 weight decay and no-bias networks (issue 12, items 3-6).

References outside the code under test: the batch gradient is the reduction of the per-example gradients of
the plain single-example network (its own NumPy path) plus λW, recomputed here with per-example loops;
central finite differences of the batch loss; closed forms typed in by hand as matrix products.
"""
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import sympy as sp

from symbackprop.closed_forms import closed_forms
from symbackprop.derive import derive
from symbackprop.errors import ConfigError, SpecError
from symbackprop.network import Network, graph
from symbackprop.numeric import finite_differences, lambdify_gradients, numpy_backprop, sample_params, verify
from symbackprop.rules import ACTIVATIONS, HEADS
from symbackprop.spec import load_spec_text

PAIRS = sorted(HEADS)
SHAPES = [dict(layout=lo, reduction=r, l2=l2) for lo, r, l2 in product(("columns", "rows"), ("mean", "sum"),
                                                                        (0, Fraction(1, 10)))]


def _net(out, loss, act="relu", sizes=(2, 2, 2), **kw):
    kw.setdefault("batch", 2)
    return Network(sizes, act, out, loss, **kw)


def _check_grid(net):
    forms = closed_forms(net)
    assert forms and all(f.proved for f in forms), [f.name for f in forms if not f.proved]
    res = verify(net, n_points=1, seed=3)
    assert res["passed"], res


# the default grid: every head x loss x layout x reduction x l2 with ReLU; every activation at one shape
@pytest.mark.parametrize("pair,shape", list(product(PAIRS, SHAPES)),
                         ids=[f"{o}-{l}-{s['layout']}-{s['reduction']}-l2={s['l2']}" for (o, l), s in product(PAIRS, SHAPES)])
def test_grid_heads_losses_layouts(pair, shape):
    _check_grid(_net(*pair, **shape))


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_grid_activations(act):
    _check_grid(_net("softmax", "cross_entropy", act, layout="rows", l2=Fraction(1, 10)))


# the whole grid: every head x loss x activation x layout x reduction x l2 (and without biases)
@pytest.mark.slow
@pytest.mark.parametrize("pair,act,shape", list(product(PAIRS, sorted(ACTIVATIONS), SHAPES)))
def test_grid_full(pair, act, shape):
    _check_grid(_net(*pair, act, **shape))
    _check_grid(_net(*pair, act, bias=False, **shape))


# ----------------------------------------------------------------------------------------------
# the NumPy witness against per-example loops over the plain network (a separate code path)


def _per_example_reference(net, p):
    """scale · Σ_n (plain gradients of example n) + λW, by a loop over the examples."""
    plain = Network(net.sizes, net.activation, net.output, net.loss, weights=net.weights)
    m = net.batch
    X, Y = (p.x.T, p.y.T) if net.rows else (p.x, p.y)
    Ws = [W.T for W in p.Ws] if net.rows else list(p.Ws)
    bs = list(p.bs) if net.bias else [np.zeros(W.shape[0]) for W in Ws]
    scale = 1.0 / m if net.reduction == "mean" else 1.0
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bs]
    deltas = {l: [] for l in range(1, net.L + 1)}
    for n in range(m):
        r = numpy_backprop(plain, X[:, n], Y[:, n], Ws, bs)
        for k in range(net.L):
            gW[k] += scale * r["grad_W"][k]
            gb[k] += scale * r["grad_b"][k]
        for l in deltas:
            deltas[l].append(scale * r["delta"][l])
    gW = [g + float(net.l2) * W for g, W in zip(gW, Ws)]
    D = {l: np.stack(v, axis=1) for l, v in deltas.items()}
    if net.rows:
        gW, D = [g.T for g in gW], {l: v.T for l, v in D.items()}
    return gW, gb, D


@pytest.mark.parametrize("layout,reduction,l2,bias,act", [
    ("columns", "mean", 0, True, "relu"), ("rows", "mean", Fraction(1, 10), True, "tanh"),
    ("rows", "sum", 0, False, "sigmoid"), ("columns", "sum", Fraction(1, 2), False, "elu"),
    ("rows", "mean", Fraction(1, 100), True, "gelu")])
def test_numpy_witness_is_the_reduction_of_per_example_gradients(rng, tol, layout, reduction, l2, bias, act):
    net = Network((3, 4, 2), act, "softmax", "cross_entropy", batch=3, layout=layout, reduction=reduction, l2=l2,
                  bias=bias)
    p = sample_params(net, rng)
    assert p.x.shape == ((3, 3) if layout == "rows" else (3, 3)) and p.Ws[0].shape == ((3, 4) if layout == "rows" else (4, 3))
    got = numpy_backprop(net, *p)
    gW, gb, D = _per_example_reference(net, p)
    t = tol["numpy"]
    for k in range(net.L):
        assert got["grad_W"][k].shape == p.Ws[k].shape
        np.testing.assert_allclose(got["grad_W"][k], gW[k], rtol=t["rtol"], atol=t["floor"])
        if bias:
            np.testing.assert_allclose(got["grad_b"][k], gb[k], rtol=t["rtol"], atol=t["floor"])
    for l in D:
        np.testing.assert_allclose(got["delta"][l], D[l], rtol=t["rtol"], atol=t["floor"])
    sym = lambdify_gradients(derive(net))(*p)
    fd = finite_differences(net, *p)
    for k in range(net.L):
        np.testing.assert_allclose(sym["grad_W"][k], gW[k], rtol=t["rtol"], atol=t["floor"])
        np.testing.assert_allclose(fd["grad_W"][k], gW[k], rtol=tol["fd"]["rtol"], atol=tol["fd"]["floor"])


def test_shapes_follow_the_layout():
    g = graph(Network((3, 4, 2), batch=5, layout="rows"))
    assert g.x.shape == (5, 3) and g.W[0].shape == (3, 4) and g.b[0].shape == (1, 4) and g.z[1].shape == (5, 4)
    d = derive(g.net)
    assert d.grad_W[0].shape == (3, 4) and d.grad_b[0].shape == (1, 4) and d.delta[2].shape == (5, 2)
    g = graph(Network((3, 4, 2), batch=5))
    assert g.x.shape == (3, 5) and g.W[0].shape == (4, 3) and g.b[0].shape == (4, 1) and g.z[1].shape == (4, 5)
    g1 = graph(Network((3, 4, 2), layout="rows"))          # one example in rows: a 1 x d row
    assert g1.x.shape == (1, 3)


def test_hand_typed_closed_forms_columns_mean():
    """Δ^(L) = (Ŷ − Y)/m, ∇W = Δ Aᵀ + λW, ∇b = Δ 1 — typed here as matrix products, compared exactly."""
    net = Network((2, 2, 2), "identity", "identity", "mse", batch=3, l2=Fraction(1, 4))
    g, d = graph(net), derive(net)
    to = g.to_primitives
    D2 = (g.yhat - g.y) / 3
    assert sp.expand(to(d.delta[2] - D2)) == sp.zeros(2, 3)
    gw1 = D2 * g.a[1].T + sp.Rational(1, 4) * g.W[1]
    assert sp.expand(to(d.grad_W[1] - gw1)) == sp.zeros(2, 2)
    assert sp.expand(to(d.grad_b[1] - D2 * sp.ones(3, 1))) == sp.zeros(2, 1)
    # subtly wrong forms are not equal: no 1/m, no λW, transposed product
    assert sp.expand(to(d.delta[2] - (g.yhat - g.y))) != sp.zeros(2, 3)
    assert sp.expand(to(d.grad_W[1] - D2 * g.a[1].T)) != sp.zeros(2, 2)


def test_plain_networks_are_unchanged():
    net = Network((3, 4, 3))
    assert net.plain and Network((3, 4, 3), batch=1, reduction="sum").plain
    assert not Network((3, 4, 3), bias=False).plain and not Network((3, 4, 3), layout="rows").plain
    assert "batch" not in net.describe() and str(graph(net).x[0]) == "x_1"


# ----------------------------------------------------------------------------------------------
# bad keys: one-line errors naming the key

NET = "network:\n  sizes: [2, 3, 2]\n  {}\nclaims:\n  - {{id: a, claim: 'x = 1'}}\n"


@pytest.mark.parametrize("line,key,fragment", [
    ("batch: 0", "network.batch", "batch must be an integer from 1"),
    ("batch: 2.5", "network.batch", "batch must be a whole number"),
    ("batch: true", "network.batch", "batch must be a whole number"),
    ("reduction: avg", "network.reduction", "unknown reduction 'avg'"),
    ("layout: row", "network.layout", "unknown layout 'row'; choose one of: columns, rows"),
    ("l2: -1", "network.l2", "l2 must be a non-negative number"),
    ("l2: lots", "network.l2", "l2 must be a number"),
    ("bias: no_bias", "network.bias", "bias must be true or false"),
    ("bias: 0", "network.bias", "bias must be true or false"),
    ("batches: 2", "network.batches", "batches"),
])
def test_bad_batch_keys(line, key, fragment):
    with pytest.raises(SpecError) as info:
        load_spec_text(NET.format(line), "f.yaml")
    assert info.value.key == key and fragment in str(info.value) and "\n" not in str(info.value)


def test_good_batch_keys():
    s = load_spec_text(NET.format("batch: 4\n  reduction: sum\n  layout: rows\n  l2: 0.01\n  bias: false"), "f.yaml")
    n = s.network
    assert (n.batch, n.reduction, n.layout, n.l2, n.bias) == (4, "sum", "rows", Fraction(1, 100), False)


def test_network_refuses_bad_values_directly():
    with pytest.raises(ConfigError) as info:
        Network((2, 2), batch=1000)
    assert info.value.key == "batch"


# ----------------------------------------------------------------------------------------------
# the command line and the derivation file


def test_cli_derive_with_batch_flags(capsys):
    import json
    from symbackprop.cli import main
    assert main(["derive", "--sizes", "2,3,2", "--batch", "3", "--layout", "rows", "--l2", "0.1",
                 "--weights", "incoming", "--format", "json", "--points", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["network"]["batch"] == 3 and doc["network"]["layout"] == "rows"
    by_name = {r["name"]: r for r in doc["closed_forms"]}
    grad = by_name["grad_W^(2)"]
    assert grad["shape"] == [3, 2] and grad["proved"] is True
    assert grad["closed_form"]["latex"] == r"\nabla_{W^{(2)}}\mathcal{L} = (A^{(1)})^{\top} \Delta^{(2)} + \lambda W^{(2)}"
    assert by_name["grad_b^(2)"]["shape"] == [1, 2]


@pytest.mark.parametrize("flag,value,fragment", [("--batch", "two", "--batch must be a whole number"),
                                                 ("--bias", "no", "--bias must be true or false"),
                                                 ("--layout", "row", "unknown layout 'row'")])
def test_cli_bad_batch_flags(capsys, flag, value, fragment):
    from symbackprop.cli import main
    assert main(["derive", "--sizes", "2,2", flag, value]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_no_bias_claim_error_names_the_key():
    from symbackprop import check_claim
    r = check_claim(Network((2, 2, 2), bias=False), "c", r"\nabla_{b^{(1)}} \mathcal{L} = \delta^{(2)}")
    assert r.verdict == "error" and "bias: false" in r.message
