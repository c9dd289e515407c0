"""Network validation, weight conventions and the graph's symbols."""
from fractions import Fraction

import pytest
import sympy as sp

from symbackprop import ConfigError, Network, SymbackpropError, graph


@pytest.mark.parametrize("kwargs, words", [
    # a loss undefined on the head's range (softmax + bce and sigmoid + cross_entropy are defined: issue 12)
    (dict(sizes=(3, 4, 2), output="tanh", loss="bce"), ["tanh", "bce", "not supported", "(0, 1)", "(-1, 1)"]),
    (dict(sizes=(3, 4, 2), output="tanh", loss="cross_entropy"), ["tanh", "cross_entropy", "not supported"]),
    (dict(sizes=(3, 4, 2), output="identity", loss="cross_entropy"), ["identity", "cross_entropy", "the reals"]),
    (dict(sizes=(3, 4, 2), output="identity", loss="bce"), ["identity", "bce"]),
    (dict(sizes=(3, 4, 2), activation="mish"), ["unknown activation", "'mish'", "relu", "silu"]),
    (dict(sizes=(3, 4, 2), output="softplus"), ["unknown output", "softplus"]),
    (dict(sizes=(3, 4, 2), loss="hinge"), ["unknown loss", "hinge"]),
    (dict(sizes=(3, 4, 2), weights="sideways"), ["unknown weights", "outgoing", "incoming"]),
    (dict(sizes=(3,)), ["at least two entries", "[3]"]),
    (dict(sizes=()), ["at least two entries"]),
    (dict(sizes=(3, 0, 2)), ["positive integer", "0"]),
    (dict(sizes=(3, -1, 2)), ["positive integer", "-1"]),
    (dict(sizes=(3, True, 2)), ["positive integer", "True"]),
    (dict(sizes=(3, 2.0, 2)), ["positive integer", "2.0"]),
    (dict(sizes="3,4"), ["list of layer widths"]),
    (dict(sizes=(3, 4, 1)), ["softmax", "at least 2 classes", "C = 1"]),
    (dict(sizes=(3, 4, 2), activation="tanh", relu_prime_at_zero=1), ["relu_prime_at_zero", "relu only", "tanh"]),
    (dict(sizes=(3, 4, 2), activation="relu", negative_slope=Fraction(1, 5)), ["negative_slope", "leaky_relu"]),
    (dict(sizes=(3, 4, 2), activation="leaky_relu", negative_slope=1), ["negative_slope", "[0, 1)"]),
    (dict(sizes=(3, 4, 2), relu_prime_at_zero=True), ["relu_prime_at_zero", "number"]),
    (dict(sizes=(3, 4, 2), relu_prime_at_zero="half"), ["relu_prime_at_zero", "number"]),
    (dict(sizes=(3, 4, 2), relu_prime_at_zero=-7), ["relu_prime_at_zero", "[0, 1]", "-7"]),
    (dict(sizes=(3, 4, 2), relu_prime_at_zero="1e999999"), ["relu_prime_at_zero", "short"]),
    (dict(sizes=(3, 4, 2), relu_prime_at_zero=1e300), ["relu_prime_at_zero", "short"]),
    (dict(sizes=(3, 4, 2), activation="leaky_relu", negative_slope="1/" + "3" * 50), ["negative_slope", "short"]),
])
def test_bad_configurations_raise_config_error_with_a_clear_message(kwargs, words):
    with pytest.raises(ConfigError) as info:
        Network(**kwargs)
    msg = str(info.value)
    assert isinstance(info.value, SymbackpropError)
    for w in words:
        assert w in msg, (w, msg)
    assert "\n" not in info.value.one_line()


def test_width_and_depth_limits():
    with pytest.raises(ConfigError, match="exceeds the limit"):
        Network((3, 10_000, 2))
    with pytest.raises(ConfigError, match="at most"):
        Network((2,) * 40)


def test_network_is_frozen_hashable_and_normalized():
    a = Network([3, 4, 2], relu_prime_at_zero=0.5)
    b = Network((3, 4, 2), relu_prime_at_zero=Fraction(1, 2))
    assert a == b and hash(a) == hash(b)
    assert a.sizes == (3, 4, 2)
    assert a.relu_prime_at_zero == Fraction(1, 2)
    assert Network((2, 2), activation="leaky_relu", negative_slope=0.01).negative_slope == Fraction(1, 100)
    with pytest.raises(AttributeError):
        a.sizes = (1, 2)          # frozen dataclass
    assert (a.L, a.C) == (2, 2)


@pytest.mark.parametrize("weights, labels", [("outgoing", [0, 1, 2]), ("incoming", [1, 2, 3])])
def test_weight_conventions_label_edges(weights, labels):
    net = Network((2, 3, 3, 2), weights=weights)
    assert [net.param_label(k) for k in range(net.L)] == labels
    assert list(net.param_labels()) == labels
    assert [net.edge(lab) for lab in labels] == [0, 1, 2]
    bad = labels[0] - 1
    with pytest.raises(ConfigError, match=rf"W\^\({bad}\) does not exist"):
        net.edge(bad)
    with pytest.raises(ConfigError):
        net.edge(labels[-1] + 1)


def test_kink_value_follows_the_convention():
    assert Network((2, 2), relu_prime_at_zero=1).kink_value == 1
    assert Network((2, 2)).kink_value == 0
    leaky = Network((2, 2), activation="leaky_relu", negative_slope=Fraction(1, 10))
    assert leaky.kink_value == Fraction(1, 10)
    assert Network((2, 2)).kinked and leaky.kinked
    assert not Network((2, 2), activation="tanh").kinked


@pytest.mark.parametrize("weights", ["outgoing", "incoming"])
def test_graph_symbol_names_shapes_and_realness(weights):
    net = Network((2, 3, 2), weights=weights)
    g = graph(net)
    first = 0 if weights == "outgoing" else 1
    assert [s.name for s in g.x] == ["x_1", "x_2"]
    assert [s.name for s in g.y] == ["y_1", "y_2"]
    assert [s.name for s in g.yhat] == ["yhat_1", "yhat_2"]
    assert g.W[0].shape == (3, 2) and g.W[1].shape == (2, 3)
    assert g.W[0][0, 1].name == f"W{first}_1_2"       # row 1, column 2
    assert g.W[1][1, 2].name == f"W{first + 1}_2_3"
    assert [s.name for s in g.b[1]] == [f"b{first + 1}_1", f"b{first + 1}_2"]
    assert [s.name for s in g.z[1]] == ["z1_1", "z1_2", "z1_3"]
    assert [s.name for s in g.a[1]] == ["a1_1", "a1_2", "a1_3"]
    assert g.a[0] == g.x and g.a[net.L] == g.yhat
    every = g.primitives() + g.node_symbols()
    assert all(s.is_real for s in every)
    assert len(set(every)) == len(every)
    assert len(g.primitives()) == 2 + 2 + (6 + 3) + (6 + 2)


def test_graph_definitions_are_the_textbook_forward_pass():
    net = Network((2, 2, 2), activation="tanh", output="identity", loss="mse")
    g = graph(net)
    W, b, x = g.W[0], g.b[0], g.x
    assert g.z_def[1][0] == W[0, 0] * x[0] + W[0, 1] * x[1] + b[0]
    loss = g.to_primitives(g.loss)
    vals = {x[0]: sp.Rational(1, 2), x[1]: -1, g.y[0]: 1, g.y[1]: 0}
    vals.update({s: sp.Rational(1, 4) for s in list(g.W[0]) + list(g.W[1])})
    vals.update({s: 0 for s in list(g.b[0]) + list(g.b[1])})
    # by hand: z1 = (1/8 - 1/4) = -1/8 per unit, a1 = tanh(-1/8), z2 = 2·(1/4)·tanh(-1/8) per unit
    t = sp.tanh(sp.Rational(-1, 8))
    expected = sp.Rational(1, 2) * ((t / 2 - 1) ** 2 + (t / 2) ** 2)
    assert sp.N(loss.xreplace(vals) - expected, 30) == 0
    assert not loss.free_symbols - set(g.primitives())


def test_concretize_relu_prime_is_piecewise_without_heaviside():
    for c in (0, 1, Fraction(1, 2)):
        g = graph(Network((2, 2, 2), relu_prime_at_zero=c))
        from symbackprop.rules import phi_prime
        e = g.concretize(phi_prime(g.z[1][0]))
        assert not e.has(sp.Heaviside) and not e.has(sp.DiracDelta)
        assert e.xreplace({g.z[1][0]: 0}) == sp.nsimplify(c)
        assert e.xreplace({g.z[1][0]: sp.Rational(1, 3)}) == 1
        assert e.xreplace({g.z[1][0]: sp.Rational(-1, 3)}) == 0
