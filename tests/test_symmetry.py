r"""Entry-wise claims proved as images of one proved instance under a permutation of units, the one-formula
shortcut and the Σ_k y_k = 1 collection (``symmetry.carried_by_symmetry``, ``proofs.same_total_formula``,
``proofs._collect_simplex``): true rows proved at a width where instance-by-instance checking was slow, and
rows that are false only for *some* index values (a swapped index order seen on the diagonal, a given that
singles out one unit, a literal index, a layer off by one) refuted.  Every expectation is written by hand
from the mathematics; no timing is asserted (speed: benchmarks/).
"""
import pytest
import sympy as sp

from symbackprop.check import check_claim
from symbackprop.network import Network, graph
from symbackprop.notation import parse_claim
from symbackprop.proofs import same_total_formula
from symbackprop.symmetry import _network_symmetric, carried_by_symmetry

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

W6 = Network((6, 6, 6), activation="relu", output="softmax", loss="cross_entropy")
W66 = Network((6, 6, 6, 6), activation="relu", output="softmax", loss="cross_entropy")
W8 = Network((8, 8, 8), activation="relu", output="softmax", loss="cross_entropy")
W44 = Network((8, 8, 8, 8), activation="relu", output="softmax", loss="cross_entropy")
S8 = Network((8, 8, 8), activation="sigmoid", output="softmax", loss="cross_entropy")
CARRIED = "images of a proved instance under a permutation of units"

TRUE_ROWS = [
    (W8, "grad-W-entry", r"\frac{\partial \mathcal{L}}{\partial W^{(L-1)}_{ij}} = \sum_{k=1}^{C} \delta^{(L)}_k "
                         r"\frac{\partial z^{(L)}_k}{\partial W^{(L-1)}_{ij}} = \delta^{(L)}_i a^{(L-1)}_j", ()),
    (W8, "hidden-error-entry",
     r"\delta^{(L-1)}_i = \left[(W^{(L-1)})^T (\hat{y} - y)\right]_i \mathbb{1}\{z^{(L-1)}_i > 0\}", ()),
    (W8, "dead-neuron-weights", r"\frac{\partial \mathcal{L}}{\partial W^{(L-2)}_{ij}} = 0",
     (r"z^{(L-1)}_i \le 0",)),
    (W8, "dead-neuron-bias", r"\frac{\partial \mathcal{L}}{\partial b^{(L-2)}_i} = 0", (r"z^{(L-1)}_i \le 0",)),
    (W8, "softmax-jacobian", r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_k(\delta_{ik} - \hat{y}_i)", ()),
    (S8, "sigmoid-bp2-entry",
     r"\delta^{(L-1)}_i = \left[(W^{(L-1)})^T (\hat{y} - y)\right]_i a^{(L-1)}_i (1 - a^{(L-1)}_i)", ()),
]


@pytest.mark.parametrize("net,cid,text,given", TRUE_ROWS, ids=[r[1] for r in TRUE_ROWS])
def test_true_entrywise_claims_are_proved_through_the_permutation_of_units(net, cid, text, given):
    r = check_claim(net, cid, text, given=given)
    assert r.verdict == "proved", r.message
    assert CARRIED in r.message, r.message          # the instances were carried, not each proved again


VECTOR_ROWS = [
    (W8, r"\delta^{(L-1)} = (W^{(L-1)})^T (\hat{y} - y) \odot \varphi'(z^{(L-1)})", "sum_k y_k = 1"),
    (S8, r"\delta^{(L-1)} = ((W^{(L-1)})^T (\hat{y} - y)) \odot a^{(L-1)} \odot (1 - a^{(L-1)})", "sum_k y_k = 1"),
    (W44, r"\delta^{(L-2)} = (W^{(L-2)})^T \delta^{(L-1)} \odot \varphi'(z^{(L-2)})", None),
]


@pytest.mark.parametrize("net,text,assumption", VECTOR_ROWS)
def test_vector_bp2_is_proved_with_the_assumption_it_needs(net, text, assumption):
    r = check_claim(net, "bp2", text)
    assert r.verdict == "proved", r.message
    if assumption:
        assert any(assumption in a for a in r.assumptions), r.assumptions


FALSE_ROWS = [
    # true on the diagonal i = j (the first instance), false off it: the diagonal's proof must not carry over
    (W6, "swapped-index-order", r"\frac{\partial \mathcal{L}}{\partial W^{(L-1)}_{ij}} = \delta^{(L)}_j a^{(L-1)}_i", ()),
    # the given singles out unit 1: true for i = 1 (the first instance), false for i = 2
    (W6, "given-singles-out-a-unit", r"\frac{\partial \mathcal{L}}{\partial b^{(L-2)}_i} = 0", (r"z^{(L-1)}_1 \le 0",)),
    # a literal index: true for i = 1 only
    (W6, "literal-index", r"\delta^{(L-1)}_i = \delta^{(L-1)}_1", ()),
    # an entry of the wrong layer's pre-activation in the indicator
    (W66, "indicator-of-another-layer",
     r"\delta^{(L-1)}_i = \left[(W^{(L-1)})^T (\hat{y} - y)\right]_i \mathbb{1}\{z^{(L-2)}_i > 0\}", ()),
    # the sum of the target misses one class: the collection Σ_k y_k X = X must not apply
    (W6, "sum-misses-a-class", r"\delta^{(L)} = \hat{y} \sum_{k=2}^{C} y_k - y", ()),
    # a dead unit's own weights, but the gradient of the row of another unit
    (W6, "dead-neuron-other-row", r"\frac{\partial \mathcal{L}}{\partial W^{(L-2)}_{ji}} = 0",
     (r"z^{(L-1)}_i \le 0",)),
]


@pytest.mark.parametrize("net,cid,text,given", FALSE_ROWS, ids=[r[1] for r in FALSE_ROWS])
def test_entrywise_claims_false_for_some_indices_are_refuted(net, cid, text, given):
    r = check_claim(net, cid, text, given=given)
    assert r.verdict == "refuted", r.message


def _inst(net, text, given=(), **assignment):
    return parse_claim(text, net, given=given).instance(**assignment)


def test_the_symmetry_maps_an_instance_only_onto_its_true_images():
    g = graph(W6)
    grad = r"\frac{\partial \mathcal{L}}{\partial W^{(L-1)}_{ij}} = \delta^{(L)}_i a^{(L-1)}_j"
    assert carried_by_symmetry(g, _inst(W6, grad, i=1, j=2), _inst(W6, grad, i=5, j=3), None)
    assert carried_by_symmetry(g, _inst(W6, grad, i=1, j=1), _inst(W6, grad, i=4, j=4), None)
    assert not carried_by_symmetry(g, _inst(W6, grad, i=1, j=1), _inst(W6, grad, i=1, j=2), None)
    bias, given = r"\frac{\partial \mathcal{L}}{\partial b^{(L-2)}_i} = 0", (r"z^{(L-1)}_1 \le 0",)
    assert not carried_by_symmetry(g, _inst(W6, bias, given, i=1), _inst(W6, bias, given, i=2), None)
    own = (r"z^{(L-1)}_i \le 0",)
    assert carried_by_symmetry(g, _inst(W6, bias, own, i=1), _inst(W6, bias, own, i=6), None)
    lit = r"\delta^{(L-1)}_i = \delta^{(L-1)}_1"
    assert not carried_by_symmetry(g, _inst(W6, lit, i=1), _inst(W6, lit, i=3), None)


def test_every_plain_network_is_invariant_under_permutations_of_units():
    for net in (W6, S8, Network((3, 4, 4, 3)), Network((2, 3, 2), activation="tanh", output="identity", loss="mse"),
                Network((3, 2, 1), activation="sigmoid", output="sigmoid", loss="bce")):
        assert _network_symmetric(net)


def test_one_formula_shortcut_only_for_formulas_defined_everywhere():
    x, y = sp.symbols("x y", real=True)
    one = sp.Matrix([[x * y + sp.exp(x) + sp.Max(0, y) ** 2]])
    assert same_total_formula(one, one)
    assert not same_total_formula(one, one + sp.Matrix([[1]]))
    for partial in (sp.log(x), 1 / x, sp.sqrt(x), x ** sp.Rational(1, 3)):
        assert not same_total_formula(sp.Matrix([[partial]]), sp.Matrix([[partial]]))


def test_a_claim_defined_nowhere_is_not_proved_by_being_one_formula():
    r = check_claim(W6, "nowhere", r"\log(-\hat{y}_1) = \log(-\hat{y}_1)")      # 0 < ŷ_1 < 1
    assert r.verdict != "proved", r.message
