"""points.forward reuses layers it need not recompute (the parent's layers below a forced layer, the exact
layers of the same point's pass at another precision): every value must be what a pass from scratch over the
same inputs gives (a fresh Point with the same lists has nothing to reuse), and so must the node values."""
import random
from fractions import Fraction

import pytest
import sympy as sp

from symbackprop.network import Network, graph
from symbackprop.points import Point, force, force_layer, forward, node_values, sample_point

NETS = [Network((2, 3, 3, 2)), Network((3, 4, 4, 3), output="softmax", loss="cross_entropy"),
        Network((2, 3, 3, 2), activation="tanh"), Network((2, 3, 3, 3, 2), activation="sigmoid")]


def _fresh(p):
    return Point(p.x, p.y, p.W, p.b, dict(p.scalars), dict(p.forced), p.label)


def _same(a, b):
    """Equal pass values: Fractions exactly, mpf to the last bit."""
    assert a.keys() == b.keys()
    for part in ("z", "a"):
        assert a[part].keys() == b[part].keys()
        for l in a[part]:
            assert [type(v) for v in a[part][l]] == [type(v) for v in b[part][l]]
            assert list(a[part][l]) == list(b[part][l])


@pytest.mark.parametrize("net", NETS, ids=lambda n: f"{n.activation}-{len(n.sizes)}")
def test_forced_points_and_other_precisions_give_the_pass_from_scratch(net):
    rng = random.Random(11)
    g = graph(net)
    reused = 0
    for _ in range(3):
        p = sample_point(net, rng)
        for dps in (50, 30, 80):
            forward(net, p, dps)
        for l in range(1, net.L):
            for value in (Fraction(0), Fraction(-3, 8), sp.atanh(sp.Rational(1, 2))):
                q = force(net, force(net, p, l, 0, value), l, 1, Fraction(5, 16))
                r = force_layer(net, p, l, value)
                for pt in (q, r):
                    for dps in (50, 30, 80):
                        reused += pt._derived is not None
                        _same(forward(net, pt, dps), forward(net, _fresh(pt), dps))
                        assert dict(node_values(g, pt, dps)) == dict(node_values(g, _fresh(pt), dps))
    assert reused > 0
