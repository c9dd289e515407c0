r"""conditioning.py: a refuted claim is shown at a well-conditioned point when one also refutes it.

References are independent of the checker: a plain NumPy forward pass and backprop from the reported point
(x, y, every W and b of the JSON), hand-typed thresholds (no softmax output below 0.01, ReLU units alive),
and the checker with the search turned off for the verdicts.
"""
import random
from fractions import Fraction

import numpy as np
import pytest

import symbackprop.conditioning as conditioning
from symbackprop.check import check_claim
from symbackprop.network import Network, graph
from symbackprop.points import Point, node_values

NET = Network((3, 4, 4, 3))            # relu hidden, softmax + cross-entropy, outgoing weights
MISTAKES = {                            # derivations/mistakes/mle_ex4_common_mistakes.yaml
    "flipped-sign": (r"\delta^{(L)} = y - \hat{y}", ()),
    "transposed-gradient": (r"\nabla_{W^{(L-2)}}\mathcal{L} = a^{(L-2)} (\delta^{(L-1)})^T", ()),
    "forgot-relu-derivative": (r"\delta^{(L-1)} = (W^{(L-1)})^T (\hat{y} - y)", ()),
    "off-by-one-layer": (r"\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)} (a^{(L-2)})^T", ()),
    "relu-prime-at-zero-is-one": (r"\delta^{(L-1)} = (W^{(L-1)})^T (\hat{y} - y) \odot \mathbb{1}\{z^{(L-1)} \ge 0\}",
                                  ()),
    "dead-neuron-kills-earlier-layers": (r"\delta^{(L-2)} = 0", (r"z^{(L-1)}_1 \le 0",)),
    "wrong-layer-sign": (r"\delta^{(L)}_2 = y_2 - \hat{y}_2", ()),
    "sign-given-order": (r"\delta^{(L)} = y - \hat{y}", (r"\hat{y}_1 \le \hat{y}_2",)),
    "sign-given-gap": (r"\delta^{(L)} = y - \hat{y}", (r"\hat{y}_2 \ge \hat{y}_3 + \frac{1}{10}",)),
    "sign-given-input": (r"\delta^{(L)} = y - \hat{y}", (r"x_1 \ge 1",)),
}


def arr(v):
    """Exact strings of the result ('-3/8') or JSON numbers as a float64 array."""
    return np.vectorize(lambda e: float(Fraction(e)) if isinstance(e, str) else float(e), otypes=[float])(
        np.array(v, dtype=object))


def entry(ce):
    """The entry '[i]' or '[i,j]' as 0-based indices."""
    return [int(t) - 1 for t in ce["entry"].strip("[]").split(",")]


def forward(pv):
    """z^(l), a^(l) of the reported point by plain NumPy (float64): relu hidden, softmax head."""
    a, zs, acts = arr(pv["x"]), {}, {0: arr(pv["x"])}
    for k in range(3):
        z = arr(pv["W"][str(k)]) @ a + arr(pv["b"][str(k)])
        zs[k + 1] = z
        a = np.maximum(z, 0) if k < 2 else np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        acts[k + 1] = a
    return zs, acts


def backprop(pv):
    """δ^(l) of the reported point by plain NumPy (relu'(0) = 0)."""
    zs, acts = forward(pv)
    W = {k: arr(pv["W"][str(k)]) for k in range(3)}
    d = {3: acts[3] - arr(pv["y"])}
    for l in (2, 1):
        d[l] = (W[l].T @ d[l + 1]) * (zs[l] > 0)
    return zs, acts, d


_CHECKED = {}       # claim id -> its result with the search on, checked once for the module


def check(cid, search=True, monkeypatch=None):
    """The claim's result: with the search on, one check shared by every test of the module (a claim's verdict
    and points are deterministic, and the tests only read the result); with it off, a fresh check."""
    text, given = MISTAKES[cid]
    if not search:
        monkeypatch.setattr(conditioning, "better_point", lambda *a, **k: None)
        return check_claim(NET, cid, text, given=given, expect=False)
    if cid not in _CHECKED:
        _CHECKED[cid] = check_claim(NET, cid, text, given=given, expect=False)
    return _CHECKED[cid]


@pytest.mark.parametrize("cid", ["flipped-sign", "transposed-gradient", "off-by-one-layer", "wrong-layer-sign"])
def test_a_refuted_claim_is_shown_at_a_point_without_saturation_or_dead_units(cid):
    r = check(cid)
    assert r.verdict == "refuted"
    ce = r.counterexample
    assert ce["point"].startswith(conditioning.LABEL), ce["point"]
    zs, acts, d = backprop(ce["point_values"])
    assert acts[3].min() >= 0.01 and acts[3].max() <= 0.99, acts[3]           # no saturated softmax output
    assert all((zs[l] > 0).all() for l in (1, 2)), zs                          # no dead ReLU unit
    params = [arr(m).ravel() for k in "Wb" for m in ce["point_values"][k].values()] + [arr(ce["point_values"]["x"])]
    assert max(np.abs(v).max() for v in params) <= 1.5                           # moderate weights and inputs
    shown = {name: float(Fraction(v)) for name, v in ce["values"].items()}      # internal names: yhat_1, ...
    assert any(f"yhat_{i + 1}" in shown for i in range(3))
    for i in range(3):
        if f"yhat_{i + 1}" in shown:
            assert shown[f"yhat_{i + 1}"] == pytest.approx(acts[3][i], rel=1e-9)


def test_the_reported_point_refutes_the_claim_by_an_independent_backprop():
    ce = check("flipped-sign").counterexample
    zs, acts, d = backprop(ce["point_values"])
    i = entry(ce)[0]
    y = arr(ce["point_values"]["y"])
    assert float(Fraction(ce["lhs"])) == pytest.approx(d[3][i], rel=1e-9)           # δ^(L) = ŷ - y, the truth
    assert float(Fraction(ce["rhs"])) == pytest.approx(y[i] - acts[3][i], rel=1e-9)  # y - ŷ, the claim
    assert abs(d[3][i] - (y[i] - acts[3][i])) > 0.05                       # far from rounding noise


def test_a_claim_that_needs_a_dead_unit_keeps_one_and_still_fails_there():
    ce = check("forgot-relu-derivative").counterexample
    zs, acts, d = backprop(ce["point_values"])
    j = entry(ce)[0]
    W2 = arr(ce["point_values"]["W"]["2"])
    claimed = (W2.T @ (acts[3] - arr(ce["point_values"]["y"])))[j]
    assert zs[2][j] <= 0 and d[2][j] == 0 and abs(claimed) > 1e-3           # dead unit j: the claim needs it
    assert acts[3].min() >= 0.01                                            # but the head is not saturated
    assert float(Fraction(ce["rhs"])) == pytest.approx(claimed, rel=1e-9)


def test_the_givens_hold_at_the_reported_point():
    ce = check("sign-given-order").counterexample
    assert ce["point"].startswith(conditioning.LABEL)
    _, acts, _ = backprop(ce["point_values"])
    assert acts[3][0] <= acts[3][1] and acts[3].min() >= 0.01, acts[3]
    ce = check("sign-given-gap").counterexample               # few moderate points satisfy this given
    _, acts, _ = backprop(ce["point_values"])
    assert acts[3][1] >= acts[3][2] + 0.1, (ce["point"], acts[3])
    ce = check("sign-given-input").counterexample             # moved into the given, as the checker's points
    _, acts, _ = backprop(ce["point_values"])
    assert ce["point"] == conditioning.LABEL + " (moved into the givens)"
    assert arr(ce["point_values"]["x"])[0] >= 1 and acts[3].min() >= 0.01, (ce["point_values"]["x"], acts[3])


def test_a_given_and_a_kink_stay_true_at_the_reported_point():
    ce = check("dead-neuron-kills-earlier-layers").counterexample
    zs, _, d = backprop(ce["point_values"])
    assert zs[2][0] <= 0                                                    # given z^(2)_1 <= 0
    assert abs(d[1][entry(ce)[0]]) > 1e-3
    ce = check("relu-prime-at-zero-is-one").counterexample
    zs, acts, _ = backprop(ce["point_values"])
    assert ce["forced"] == {"z^(2)_1": "0"} and zs[2][0] == 0               # still exactly at the kink
    assert acts[3].min() >= 0.01


@pytest.mark.parametrize("cid", sorted(MISTAKES))
def test_the_search_never_changes_the_verdict_step_or_diagnosis(cid, monkeypatch):
    on = check(cid)
    off = check(cid, search=False, monkeypatch=monkeypatch)
    assert (on.verdict, on.step, on.diagnosis) == (off.verdict, off.step, off.diagnosis)
    assert on.verdict == "refuted"
    assert not str((off.counterexample or {}).get("point")).startswith(conditioning.LABEL)   # the search was off


def _point(W_scale=Fraction(2), b_hidden=Fraction(-1)):
    """A hand-made point of a 2-2-2 relu/softmax network."""
    return Point([Fraction(1), Fraction(-1)], [Fraction(1), Fraction(0)],
                 [[[W_scale, -W_scale], [-W_scale, W_scale]], [[W_scale * 4, 0], [0, -W_scale * 4]]],
                 [[b_hidden, b_hidden], [Fraction(0), Fraction(0)]])


def test_degeneracy_counts_saturated_outputs_and_dead_units_as_numpy_does():
    net = Network((2, 2, 2))
    g = graph(net)
    p = _point()
    z1 = np.array([[2, -2], [-2, 2]]) @ np.array([1, -1]) - 1            # [3, -5]: one dead unit
    a1 = np.maximum(z1, 0)
    z2 = np.array([[8, 0], [0, -8]]) @ a1                                # [24, 0]
    yhat = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()           # [1 - 4e-11, 4e-11]: both saturated
    expected = (int(((yhat < 0.01) | (yhat > 0.99)).sum()), int((z1 <= 0).sum()), round(float(np.abs(np.r_[z1, z2]).max()), 1))
    assert conditioning.degeneracy(g, node_values(g, p, 15)) == expected == (2, 1, 24.0)


def test_better_point_keeps_the_original_unless_a_better_point_refutes():
    g = graph(Network((2, 2, 2)))
    p = _point()
    calls = []
    assert conditioning.better_point(g, p, lambda q: calls.append(q)) is None      # nothing refutes: keep
    assert 0 < len(calls) <= 8                                                       # bounded confirmations
    q, found = conditioning.better_point(g, p, lambda q: "refutes")
    assert found == "refutes" and q.label == conditioning.LABEL
    here = conditioning.degeneracy(g, node_values(g, p, 15))
    there = conditioning.degeneracy(g, node_values(g, q, 15))
    assert there[0] <= here[0] and there[1] <= here[1] and there[:2] != here[:2]
    fine = Point([Fraction(1, 2), Fraction(1, 4)], [Fraction(1), Fraction(0)],
                 [[[Fraction(1, 2), Fraction(1, 4)], [Fraction(1, 4), Fraction(1, 2)]],
                  [[Fraction(1, 2), 0], [0, Fraction(1, 4)]]], [[Fraction(1, 8)] * 2, [Fraction(0)] * 2])
    assert conditioning.better_point(g, fine, lambda q: pytest.fail("no search at a fine point")) is None


def test_the_moderate_points_are_seeded_and_exact():
    from symbackprop.points import sample_point
    net = Network((3, 4, 4, 3))
    p = sample_point(net, random.Random(0))
    a = conditioning.moderate_points(net, p, random.Random(5), 3)
    b = conditioning.moderate_points(net, p, random.Random(5), 3)
    assert [(q.x, q.W, q.b) for q in a] == [(q.x, q.W, q.b) for q in b]
    assert all(isinstance(v, Fraction) for q in a for v in q.x + [w for Wk in q.W for r in Wk for w in r])
    assert all(q.y == p.y for q in a)
