"""The reverse-mode derivation: shapes, no distributions, naive-diff agreement, the ReLU kink convention."""
import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from symbackprop import Network, derive, graph
from symbackprop.rules import ACTIVATIONS, HEADS

PAIRS = list(HEADS)              # every supported (output, loss) pair
ACTS = list(ACTIVATIONS)


def _quantities(d):
    """Every derived matrix with a readable name."""
    out = {f"delta^({l})": m for l, m in d.delta.items()}
    out.update({f"dL_da^({l})": m for l, m in d.dL_da.items()})
    out.update({f"grad_W[{k}]": m for k, m in enumerate(d.grad_W)})
    out.update({f"grad_b[{k}]": m for k, m in enumerate(d.grad_b)})
    out["dL_dyhat"], out["dyhat_dz"] = d.dL_dyhat, d.dyhat_dz
    return out


@pytest.mark.parametrize("sizes", [(3, 2), (2, 3, 2), (2, 3, 4, 2)])
@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_gradient_shapes_match_their_variables(sizes, weights):
    net = Network(sizes, "tanh", weights=weights)
    d, g = derive(net), graph(net)
    assert len(d.grad_W) == len(d.grad_b) == net.L == len(sizes) - 1
    for k in range(net.L):
        assert d.grad_W[k].shape == g.W[k].shape == (sizes[k + 1], sizes[k])
        assert d.grad_b[k].shape == g.b[k].shape == (sizes[k + 1], 1)
        lab = net.param_label(k)
        assert d.grad_W_label(lab) is d.grad_W[k] and d.grad_b_label(lab) is d.grad_b[k]
    assert sorted(d.delta) == list(range(1, net.L + 1))
    for l, m in d.delta.items():
        assert m.shape == (sizes[l], 1)
    assert sorted(d.dL_da) == list(range(1, net.L))
    assert d.dL_dyhat.shape == (net.C, 1) and d.dyhat_dz.shape == (net.C, net.C)


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("act", ACTS)
def test_derivation_has_no_heaviside_dirac_or_unevaluated_derivative(act, pair):
    net = Network((2, 3, 2, 2), act, *pair)
    d, g = derive(net), graph(net)
    bad = (sp.Heaviside, sp.DiracDelta, sp.Derivative, sp.Subs)
    for name, m in _quantities(d).items():
        for e in list(m) + [g.concretize(e) for e in m]:
            assert not e.has(*bad), (name, e)
    # and the symbols are the library's own, all real
    allowed = set(g.primitives()) | set(g.node_symbols())
    for name, m in _quantities(d).items():
        assert m.free_symbols <= allowed, name


def test_no_assumption_in_softmax_cross_entropy_output_error():
    net = Network((2, 3))
    d, g = derive(net), graph(net)
    # textbook, by hand: ∂/∂z_i [ -Σ_k y_k log softmax_k ] = ŷ_i Σ_k y_k − y_i for any y
    for i in range(3):
        assert sp.expand(d.delta[1][i] - (g.yhat[i] * sum(g.y) - g.y[i])) == 0


def _point(g, rnd):
    """Small rationals for every primitive (y in (0, 1), so it suits every loss), as mpmath numbers."""
    vals = {s: mpmath.mpf(rnd.randint(-12, 12)) / 8 for s in g.primitives()}
    vals.update({s: mpmath.mpf(rnd.randint(1, 7)) / 8 for s in g.y})
    return vals


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_derived_gradients_equal_naive_diff_of_the_composed_loss(act, pair, weights):
    net = Network((2, 2, 2), act, *pair, weights=weights)
    d, g = derive(net), graph(net)
    loss = g.to_primitives(g.loss)                      # the whole loss in x, y, W, b
    prims = g.primitives()
    rnd = random.Random(7)
    points = [_point(g, rnd) for _ in range(3)]
    for k in range(net.L):
        params = list(g.W[k]) + list(g.b[k])
        derived = list(d.grad_W[k]) + list(d.grad_b[k])
        # common subexpressions printed once (an exact rewrite; printing the expanded code was 2/3 of the time)
        naive = sp.lambdify(prims, [sp.diff(loss, p) for p in params], "mpmath", cse=True)
        mine = sp.lambdify(prims, [g.to_primitives(e) for e in derived], "mpmath", cse=True)
        with mpmath.workdps(30):
            for vals in points:
                args = [vals[s] for s in prims]
                for p, a, b in zip(params, mine(*args), naive(*args)):
                    assert abs(a - b) <= mpmath.mpf("1e-25") * (1 + abs(b)), (p, a, b)


# A point with a pre-activation exactly at the kink, worked by hand (identity head, MSE):
#   x = (1, 2); W_first = [[2, -1], [1, 1]], b_first = (0, -1)  ->  z1 = (0, 2), a1 = (relu: 0, 2)
#   W_second = [[1, 2], [3, -1]], b_second = (0, 1)             ->  z2 = ŷ = (4, -1)
#   y = (1, 1)  ->  δ2 = ŷ − y = (3, −2);  W_secondᵀ δ2 = (−3, 8);  δ1 = (−3c, 8) with c = φ'(0)
KINK = dict(x=[1, 2], y=[1, 1], W=[[[2, -1], [1, 1]], [[1, 2], [3, -1]]], b=[[0, -1], [0, 1]])


def _kink_values(g):
    vals = dict(zip(g.x, KINK["x"])) | dict(zip(g.y, KINK["y"]))
    for k in range(2):
        vals.update(zip(g.W[k], [v for row in KINK["W"][k] for v in row]))
        vals.update(zip(g.b[k], KINK["b"][k]))
    return {s: sp.Integer(v) for s, v in vals.items()}


@pytest.mark.parametrize("act, conv, c", [
    ("relu", dict(relu_prime_at_zero=0), 0),
    ("relu", dict(relu_prime_at_zero=1), 1),
    ("relu", dict(relu_prime_at_zero=Fraction(1, 2)), Fraction(1, 2)),
    ("leaky_relu", dict(negative_slope=Fraction(1, 10)), Fraction(1, 10)),
])
@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_kink_convention_is_followed_at_exactly_zero(act, conv, c, weights):
    net = Network((2, 2, 2), act, "identity", "mse", weights=weights, **conv)
    d, g = derive(net), graph(net)
    vals = _kink_values(g)
    exact = lambda m: [sp.nsimplify(g.to_primitives(e).xreplace(vals)) for e in m]   # noqa: E731
    c = sp.nsimplify(c)
    assert exact(d.delta[1]) == [-3 * c, 8]
    assert exact(d.delta[2]) == [3, -2]
    assert exact(d.grad_W[0]) == [-3 * c, -6 * c, 8, 16]          # δ1 xᵀ, row-major
    assert exact(d.grad_b[0]) == [-3 * c, 8]
    assert exact(d.grad_W[1]) == [0, 6, 0, -4]                     # δ2 a1ᵀ with a1 = (φ(0), 2) = (0, 2)
    assert exact(d.grad_b[1]) == [3, -2]


@pytest.mark.parametrize("pair", list(HEADS))
def test_fast_constructions_build_the_same_expressions(pair):
    """The entrywise W a + b, δaᵀ, Wᵀδ and the skipped expand of plain products give exactly the expressions of
    SymPy's Matrix products and of sp.expand (same trees, so every later proof and verdict is unchanged)."""
    import importlib
    cf, dv = importlib.import_module("symbackprop.closed_forms"), importlib.import_module("symbackprop.derive")
    net = Network((3, 4, 5), "sigmoid", *pair)
    d, g = derive(net), graph(net)
    for l in range(1, net.L + 1):
        assert list(g.z_def[l]) == list(g.W[l - 1] * g.a[l - 1] + g.b[l - 1])
        assert all(sp.srepr(u) == sp.srepr(v) for u, v in zip(g.z_def[l], g.W[l - 1] * g.a[l - 1] + g.b[l - 1]))
    for k in range(net.L):
        D, A, W = d.delta[k + 1], g.a[k], g.W[k]
        assert cf._matmul(D, A.T) == D * A.T and cf._matmul(W.T, D) == W.T * D
    J = d.dyhat_dz
    for g_k, col in zip(d.dL_dyhat, [J[:, i] for i in range(J.cols)]):
        for t in sp.Add.make_args(g_k):
            for Jk in col:
                p = t * Jk
                assert sp.srepr(dv._expand(p)) == sp.srepr(sp.expand(p))
