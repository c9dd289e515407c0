r"""The verdict ladder of one claim: every verdict and diagnosis on purpose, and no rung reached wrongly.

Ground truth is written here by hand from the math, never produced by the code under test.  The
networks are tiny.  Shorthand used in the comments (outgoing weights unless said otherwise):

    SM   sizes [2, 3, 2], ReLU hidden, softmax + cross-entropy (one-hot y), relu'(0) = 0, L = 2:
         z1 = W0 x + b0 (3), a1 = relu(z1), z2 = W1 a1 + b1 (2), yhat = softmax(z2)
         delta2 = yhat - y (uses sum_k y_k = 1), delta1 = W1^T delta2 * 1{z1 > 0}
         grad W1 = delta2 a1^T (2x3), grad W0 = delta1 x^T (3x2), grad b_l = delta_{l+1}
    SM4  sizes [2, 3, 3, 2], same head: W0 3x2, W1 3x3 (square), W2 2x3, L = 3
    MSE  sizes [2, 3, 2], tanh hidden, identity output, L = 1/2 sum (yhat - y)^2 (y real): delta2 = yhat - y
    PL   sizes [2, 3, 2], ReLU hidden, identity + MSE: piecewise linear, so every value is an exact rational
    INC  sizes [2, 3, 2], incoming weights: z^(l) = W^(l) a^(l-1) + b^(l); W1 3x2, W2 2x3, b1, b2
"""
import json
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

from symbackprop.check import DIAGNOSES, VERDICTS, CheckOptions, check_claim
from symbackprop.network import Network
from symbackprop.runner import Limits
from symbackprop.spec import ClaimSpec, DerivationSpec, load_spec_text
from symbackprop.suite import check_spec

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SM = Network((2, 3, 2))
SM4 = Network((2, 3, 3, 2))
MSE = Network((2, 3, 2), activation="tanh", output="identity", loss="mse")
PL = Network((2, 3, 2), output="identity", loss="mse")
INC = Network((2, 3, 2), weights="incoming")
LEAKY = Network((2, 3, 2), activation="leaky_relu")            # negative slope 1/100, so phi'(0) = 1/100
RELU1 = Network((2, 3, 2), relu_prime_at_zero=1)               # the other ReLU convention: relu'(0) = 1
SIGBCE = Network((2, 3, 2), activation="sigmoid", output="sigmoid", loss="bce")

SOFTMAX_1 = r"\frac{\exp(z^{(L)}_1)}{\exp(z^{(L)}_1) + \exp(z^{(L)}_2)}"   # = yhat_1 for C = 2
SUM_ONE = "sum_k y_k = 1"
KINK0 = "phi'(0) = 0"


UV = {"scalars": ["u", "v"]}      # u, v are real scalars, declared (an undeclared letter beside network quantities is an error)


def check(net, text, given=(), **opts):
    return check_claim(net, "c", text, tuple(given), opts=CheckOptions(**opts), notation=UV)


def P(net, claim, verdict, diagnosis=None, given=(), id=None):
    return pytest.param(net, claim, tuple(given), verdict, diagnosis, id=id)


# ----------------------------------------------------------------------------------------------
# the table: claim -> verdict and diagnosis (Math-Verify style), all hand-derived

TABLE = [
    # --- proved: exact identities of the SM network
    P(SM, r"\delta^{(L)} = \hat{y} - y", "proved", id="output-error"),
    P(SM, r"\mathcal{L} = -\sum_{k=1}^{C} y_k \log \hat{y}_k", "proved", id="ce-loss"),
    P(SM, r"\frac{\partial \mathcal{L}}{\partial \hat{y}_k} = -\frac{y_k}{\hat{y}_k}", "proved", id="dL-dyhat"),
    P(SM, r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_k(\delta_{ik} - \hat{y}_i)", "proved",
      id="softmax-jacobian"),
    P(SM, r"\nabla_{W^{(1)}}\mathcal{L} = \delta^{(2)} (a^{(1)})^T", "proved", id="grad-W1"),
    P(SM, r"\nabla_{W^{(0)}}\mathcal{L} = \delta^{(1)} x^T", "proved", id="grad-W0"),
    P(SM, r"\nabla_{b^{(0)}}\mathcal{L} = \delta^{(1)}", "proved", id="grad-b0"),
    P(SM, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi'(z^{(1)})", "proved", id="hidden-error"),
    P(SM, r"\nabla_{W^{(1)}}\mathcal{L} \in \mathbb{R}^{C \times d_1}", "proved", id="shape-2x3"),
    P(SM, r"\hat{y}_1 + \hat{y}_2 = 1", "proved", id="softmax-sums-to-1"),
    P(SM, r"\hat{y}_1 = " + SOFTMAX_1, "proved", id="softmax-definition"),
    P(SIGBCE, r"\delta^{(L)} = \hat{y} - y", "proved", id="sigmoid-bce-output-error"),
    P(SIGBCE, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi(z^{(1)}) \odot (1 - \varphi(z^{(1)}))",
      "proved", id="sigmoid-hidden-error"),
    P(SM, r"\delta^{(L)} \neq y - \hat{y}", "proved", id="neq-holds"),
    # --- numerically-equal: true, but SymPy does not rewrite tanh into exp
    P(SM, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}", "numerically-equal", id="tanh-as-exp"),
    # --- inequalities: proved by sign certification over the ranges (0 < yhat < 1, y one-hot)
    P(SM, r"\hat{y}_1 > 0", "proved", id="softmax-positive"),
    P(SM, r"\mathcal{L} \ge 0", "proved", id="loss-nonnegative"),
    # --- refuted, one per diagnosis
    P(SM, r"\delta^{(L)} = y - \hat{y}", "refuted", "sign", id="sign"),
    # W1 of SM4 is 3x3, so a1 delta2^T = (grad W1)^T has the same shape
    P(SM4, r"\nabla_{W^{(1)}}\mathcal{L} = a^{(1)} (\delta^{(2)})^T", "refuted", "transpose", id="transpose-square"),
    # W1 of SM is 2x3; a1 delta2^T is 3x2
    P(SM, r"\nabla_{W^{(1)}}\mathcal{L} = a^{(1)} (\delta^{(2)})^T", "refuted", "transpose", id="transpose-shape"),
    P(SM, r"\nabla_{W^{(1)}}\mathcal{L} \in \mathbb{R}^{d_1 \times C}", "refuted", "transpose", id="shape-transposed"),
    P(SM, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y)", "refuted", "missing-activation-derivative",
      id="forgot-relu-prime"),
    # the right side is delta^(1) of SM4 (same 3x1 shape as delta^(2))
    P(SM4, r"\delta^{(2)} = (W^{(1)})^T \delta^{(2)} \odot \varphi'(z^{(1)})", "refuted", "wrong-layer",
      id="wrong-layer-delta"),
    # incoming: grad b^(2) = delta^(2) (2x1), delta^(1) = grad b^(1) (3x1)
    P(INC, r"\nabla_{b^{(2)}}\mathcal{L} = \delta^{(1)}", "refuted", "wrong-layer", id="wrong-layer-incoming"),
    P(MSE, r"\delta^{(L)} = 2(\hat{y} - y)", "refuted", "constant-factor", id="forgot-the-half"),
    # relu'(0) = 0 but 1{z >= 0} is 1 at z = 0: differs only at the kink
    P(SM, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \mathbb{1}\{z^{(1)} \ge 0\}", "refuted",
      "kink-convention", id="kink-ge"),
    P(RELU1, r"\varphi'(u) = \mathbb{1}\{u > 0\}", "refuted", "kink-convention", id="kink-scalar-u"),
    P(SM, r"\delta^{(L)} = a^{(1)}", "refuted", "shape-mismatch", id="shape-2-vs-3"),
    P(SM, r"\delta^{(L)} \in \mathbb{R}^{3}", "refuted", "shape-mismatch", id="shape-in-R3"),
    # MSE targets are real: sum_k y_k = 1 is not available
    P(MSE, r"\delta^{(L)} = \hat{y} \sum_{k=1}^{C} y_k - y", "refuted", "missing-assumption",
      id="missing-assumption"),
    # BCE targets are probabilities, not one-hot
    P(SIGBCE, r"\delta^{(L)} = \hat{y} \sum_{k=1}^{C} y_k - y", "refuted", "missing-assumption",
      id="missing-assumption-bce"),
    P(SIGBCE, r"\frac{\partial \mathcal{L}}{\partial \hat{y}_k} = -\frac{y_k}{\hat{y}_k} + \frac{1 - y_k}{1 - \hat{y}_k}",
      "proved", id="bce-dL-dyhat"),
    P(SM, r"\delta^{(L)} = \hat{y}", "refuted", None, id="no-known-mistake"),
    P(SM, r"\delta^{(L)} \neq \hat{y} - y", "refuted", None, id="neq-identically-equal"),
    # --- error: unreadable or out of range
    P(SM, r"\delta^{(L)} = \hat{y} - y + \foo", "error", id="unknown-command"),
    P(SM, r"\delta^{(5)} = 0", "error", id="no-delta5"),
    P(SM, r"\delta^{(L)}_3 = 0", "error", id="index-out-of-range"),
    P(SM, r"W^{(2)} = 0", "error", id="no-W2-outgoing"),
    P(INC, r"z^{(1)} = W^{(0)} x + b^{(0)}", "error", id="no-W0-incoming"),
    P(SM, r"\delta^{(L)} = W^{(1)} x", "error", id="product-dimension"),
    P(SM, r"\text{hello} = 0", "error", id="text"),
    P(SM, "δ = 0", "error", id="unicode"),
    P(SM, r"\delta^{(L)}", "error", id="no-relation"),
    # --- inconclusive: no point satisfies contradictory conditions
    P(SM, r"\delta^{(1)}_1 = 0", "inconclusive", given=[r"z^{(1)}_1 > 0", r"z^{(1)}_1 < 0"],
      id="contradictory-given"),
]

# both weight conventions
CONVENTIONS = [
    P(INC, r"z^{(1)} = W^{(1)} x + b^{(1)}", "proved", id="inc-z1"),
    P(INC, r"z^{(2)} = W^{(2)} a^{(1)} + b^{(2)}", "proved", id="inc-z2"),
    P(INC, r"\nabla_{W^{(2)}}\mathcal{L} = \delta^{(2)} (a^{(1)})^T", "proved", id="inc-grad-W2"),
    P(INC, r"\nabla_{W^{(1)}}\mathcal{L} = \delta^{(1)} x^T", "proved", id="inc-grad-W1"),
    P(INC, r"\delta^{(1)} = (W^{(2)})^T \delta^{(2)} \odot \varphi'(z^{(1)})", "proved", id="inc-hidden-error"),
    # the outgoing habit delta^(l+1) a^(l)^T in an incoming network is grad W^(2), 2x3, not 3x2
    P(INC, r"\nabla_{W^{(1)}}\mathcal{L} = \delta^{(2)} (a^{(1)})^T", "refuted", "wrong-layer",
      id="inc-outgoing-habit"),
    P(SM, r"z^{(1)} = W^{(0)} x + b^{(0)}", "proved", id="out-z1"),
    P(SM, r"z^{(2)} = W^{(1)} a^{(1)} + b^{(1)}", "proved", id="out-z2"),
    # W^(1) of the outgoing SM is 2x3 and cannot multiply x (2x1)
    P(SM, r"z^{(1)} = W^{(1)} x + b^{(1)}", "error", id="out-incoming-habit"),
]

# given conditions (dead neurons)
GIVENS = [
    # relu'(z) = 0 for z <= 0 (convention at 0), so the error of a dead unit vanishes
    P(SM, r"\delta^{(1)}_i = 0", "proved", given=[r"z^{(1)}_i \le 0"], id="dead-neuron"),
    P(SM, r"\delta^{(1)}_i = 0", "refuted", id="dead-neuron-without-given"),
    P(SM, r"\frac{\partial \mathcal{L}}{\partial W^{(0)}_{ij}} = 0", "proved", given=[r"z^{(1)}_i \le 0"],
      id="dead-neuron-weights"),
    P(SM, r"\frac{\partial \mathcal{L}}{\partial b^{(0)}_i} = 0", "proved", given=[r"z^{(1)}_i < 0"],
      id="dead-neuron-bias"),
    P(SM, r"\delta^{(1)}_i = \left[(W^{(1)})^T (\hat{y} - y)\right]_i", "proved", given=[r"z^{(1)}_i > 0"],
      id="live-neuron"),
    P(SM, r"\delta^{(1)}_1 = 0", "proved", given=[r"z^{(1)}_1 \le 0", r"z^{(1)}_1 \ge 0"], id="exactly-at-kink"),
    # a dead unit of layer 2 removes only the paths through it
    P(SM4, r"\delta^{(1)} = 0", "refuted", given=[r"z^{(2)}_1 \le 0"], id="dead-unit-does-not-kill-layer-1"),
    # leaky ReLU has slope 1/100 left of 0: no dead neurons
    P(LEAKY, r"\delta^{(1)}_i = 0", "refuted", given=[r"z^{(1)}_i \le 0"], id="leaky-not-dead"),
    P(LEAKY, r"\delta^{(1)}_i = \frac{1}{100} \left[(W^{(1)})^T \delta^{(2)}\right]_i", "proved",
      given=[r"z^{(1)}_i < 0"], id="leaky-left-slope"),
]

# free indices and the free layer symbol
INDICES = [
    P(SM4, r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})", "proved", id="any-layer-delta"),
    P(SM4, r"\frac{\partial \mathcal{L}}{\partial W^{(l)}_{ij}} = \delta^{(l+1)}_i a^{(l)}_j", "proved",
      id="any-layer-entry"),
    P(SM4, r"\nabla_{b^{(l)}}\mathcal{L} = \delta^{(l+1)}", "proved", id="any-layer-bias"),
    P(SM4, r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)}", "refuted", "missing-activation-derivative",
      id="any-layer-missing-prime"),
    P(INC, r"\nabla_{W^{(l)}}\mathcal{L} = \delta^{(l)} (a^{(l-1)})^T", "proved", id="inc-any-layer"),
    P(INC, r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})", "proved", id="inc-any-delta"),
    P(SM, r"\delta^{(1)}_i = \sum_{k=1}^{C} W^{(1)}_{ki} \delta^{(2)}_k \varphi'(z^{(1)}_i)", "proved",
      id="entry-sum"),
    P(SM, r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{ij}} = \delta^{(2)}_i a^{(1)}_j", "proved",
      id="entry-W1"),
    # swapped indices: in SM4 (W1 square) that is the transpose entry, false off the diagonal
    P(SM4, r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{ij}} = \delta^{(2)}_j a^{(1)}_i", "refuted",
      id="entry-swapped-square"),
    # in SM, j would range over 1..3 on the left and 1..2 on the right
    P(SM, r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{ij}} = \delta^{(2)}_j a^{(1)}_i", "error",
      id="entry-swapped-ranges"),
]


@pytest.mark.parametrize("net, claim, given, verdict, diagnosis", TABLE + CONVENTIONS + GIVENS + INDICES)
def test_claim_table(net, claim, given, verdict, diagnosis):
    r = check(net, claim, given)
    assert (r.verdict, r.diagnosis) == (verdict, diagnosis), r.message
    if verdict == "refuted":
        assert r.step == 1 and r.message
    if verdict in ("proved", "numerically-equal"):
        assert r.counterexample is None and r.diagnosis is None
    if verdict in ("error", "inconclusive"):
        assert r.message and r.counterexample is None


def test_the_table_reaches_every_verdict_and_every_diagnosis():
    rows = [p.values for p in TABLE + CONVENTIONS + GIVENS + INDICES]
    assert {v for *_, v, _ in rows} == set(VERDICTS)
    assert {d for *_, d in rows} - {None} == set(DIAGNOSES)


@pytest.mark.parametrize("claim, token", [
    (r"\delta^{(L)} = \hat{y} - y + \foo", r"\foo"),
    (r"\operatorname{foo}(u) = 0", r"\operatorname"),
    (r"\text{hello} = 0", r"\text"),
    (r"\delta^{(5)} = 0", "delta^(5)"),
    (r"W^{(2)} = 0", "W^(2)"),
    (r"\delta^{(L)}_3 = 0", "3"),
    ("δ = 0", "δ"),
])
def test_error_message_names_the_token(claim, token):
    r = check(SM, claim)
    assert r.verdict == "error"
    assert token in r.message
    assert "Traceback" not in r.message


# ----------------------------------------------------------------------------------------------
# instances: free indices and the free layer symbol range over everything that exists


@pytest.mark.parametrize("net, claim, given, instances", [
    (SM, r"\frac{\partial \mathcal{L}}{\partial \hat{y}_k} = -\frac{y_k}{\hat{y}_k}", (), 2),        # k = 1..C
    (SM, r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_k(\delta_{ik} - \hat{y}_i)", (), 4),
    (SM, r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{ij}} = \delta^{(2)}_i a^{(1)}_j", (), 6),  # 2 x 3
    (SM, r"\delta^{(1)}_i = 0", (r"z^{(1)}_i \le 0",), 3),
    # delta^(l) needs 1 <= l, delta^(l+1) needs l + 1 <= 3, W^(l) needs l <= 2: l in {1, 2}
    (SM4, r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})", (), 2),
    # l = 0, 1, 2 with W^(l) of 3x2, 3x3, 2x3 entries: 6 + 9 + 6
    (SM4, r"\frac{\partial \mathcal{L}}{\partial W^{(l)}_{ij}} = \delta^{(l+1)}_i a^{(l)}_j", (), 21),
    # incoming: W^(l) for l = 1, 2 and a^(l-1)
    (INC, r"\nabla_{W^{(l)}}\mathcal{L} = \delta^{(l)} (a^{(l-1)})^T", (), 2),
    # incoming: W^(l+1) needs l + 1 <= 2 and phi'(z^(l)) needs l >= 1: l = 1 only
    (INC, r"\delta^{(l)} = (W^{(l+1)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})", (), 1),
])
def test_every_instance_is_checked(net, claim, given, instances):
    r = check(net, claim, given)
    assert r.verdict == "proved"
    assert r.message.startswith(f"holds for every instance ({instances}); exact proof (")


def test_a_failing_instance_is_named():
    # l = 1 is the first layer where the claim exists; phi' is missing there
    r = check(SM4, r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)}")
    assert r.verdict == "refuted" and r.counterexample["assignment"] == {"l": 1}
    assert r.message.startswith("with l = 1:")
    # only i = 2 is off
    r = check(SM, r"\delta^{(L)}_i = \hat{y}_i - y_i + 10^{-3}\delta_{i2}")
    assert r.verdict == "refuted" and r.counterexample["assignment"] == {"i": 2}


# ----------------------------------------------------------------------------------------------
# every hidden activation

ACTS = ["relu", "leaky_relu", "sigmoid", "tanh", "identity"]
PHI = {"relu": r"\max(0, u)", "leaky_relu": r"\max(u, \frac{1}{100} u)", "sigmoid": r"\frac{1}{1 + \exp(-u)}",
       "tanh": r"\tanh(u)", "identity": "u"}
PHI_PRIME = {"relu": r"\mathbb{1}\{u > 0\}",                                    # relu'(0) = 0
             "leaky_relu": r"\mathbb{1}\{u > 0\} + \frac{1}{100}\mathbb{1}\{u \le 0\}",  # phi'(0) = slope
             "sigmoid": r"\varphi(u)(1 - \varphi(u))", "tanh": r"1 - \tanh^2(u)", "identity": "1"}
WRONG_PHI = {"relu": "u", "leaky_relu": r"\max(0, u)", "sigmoid": r"\frac{1}{1 + \exp(u)}",
             "tanh": r"\frac{1}{1 + \exp(-u)}", "identity": r"\max(0, u)"}


@pytest.mark.parametrize("act", ACTS)
def test_every_activation(act):
    net = Network((2, 3, 2), activation=act)
    assert check(net, r"\varphi(u) = " + PHI[act]).verdict == "proved"
    assert check(net, r"\varphi'(u) = " + PHI_PRIME[act]).verdict == "proved"
    assert check(net, r"\varphi(u) = " + WRONG_PHI[act]).verdict == "refuted"
    assert check(net, r"a^{(1)} = \varphi(z^{(1)})").verdict == "proved"
    assert check(net, r"\delta^{(1)} = (W^{(1)})^T \delta^{(2)} \odot \varphi'(z^{(1)})").verdict == "proved"
    forgot = check(net, r"\delta^{(1)} = (W^{(1)})^T \delta^{(2)}")
    if act == "identity":                        # phi' = 1: nothing was forgotten
        assert forgot.verdict == "proved"
    else:
        assert (forgot.verdict, forgot.diagnosis) == ("refuted", "missing-activation-derivative")
    dead = check(net, r"\delta^{(1)}_i = 0", [r"z^{(1)}_i \le 0"])
    assert dead.verdict == ("proved" if act == "relu" else "refuted")


@pytest.mark.parametrize("net, claim, kinked", [
    (SM, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi'(z^{(1)})", True),
    (SM, r"\varphi'(0) = 0", True),                       # the convention itself
    (SM, r"\delta^{(L)} = \hat{y} - y", False),
    # the chain-rule form itself holds for every y: no sum_k y_k = 1 is used, none is reported
    (SM, r"\delta^{(L)} = \hat{y} \sum_{k=1}^{C} y_k - y", False),
    (MSE, r"\delta^{(1)} = (W^{(1)})^T \delta^{(2)} \odot (1 - \tanh^2(z^{(1)}))", False),
])
def test_proofs_report_their_assumptions(net, claim, kinked):
    r = check(net, claim)
    assert r.verdict == "proved"
    assert any(KINK0 in a for a in r.assumptions) == kinked
    if net is SM and "hat{y} - y" in claim:
        assert any(SUM_ONE in a for a in r.assumptions)    # softmax + CE needs sum_k y_k = 1
    if "sum_{k=1}^{C} y_k - y" in claim:
        assert not any(SUM_ONE in a for a in r.assumptions)
    if net is MSE:
        assert not any(SUM_ONE in a for a in r.assumptions)


def test_the_kink_convention_decides_relu_prime_at_zero():
    assert check(SM, r"\varphi'(0) = 0").verdict == "proved"
    assert check(SM, r"\varphi'(0) = 1").verdict == "refuted"
    assert check(RELU1, r"\varphi'(0) = 1").verdict == "proved"
    assert check(RELU1, r"\varphi'(u) = \mathbb{1}\{u \ge 0\}").verdict == "proved"
    r = check(SM, r"\varphi'(u) = \mathbb{1}\{u \ge 0\}")
    assert (r.verdict, r.diagnosis) == ("refuted", "kink-convention")
    assert r.counterexample["point"] == "kink u = 0"
    assert (r.counterexample["lhs"], r.counterexample["rhs"]) == ("0", "1")


# ----------------------------------------------------------------------------------------------
# chains E0 = E1 = E2 = E3: the first failing step (1-based)

# MSE: delta^(L)_i = yhat_i - y_i
CHAINS = [
    (MSE, r"\delta^{(L)}_i = \hat{y}_i - y_i = -(y_i - \hat{y}_i) = \frac{1}{2}(2\hat{y}_i - 2y_i)", "proved",
     None, None),
    (MSE, r"\delta^{(L)}_i = y_i - \hat{y}_i = -(\hat{y}_i - y_i) = -\hat{y}_i + y_i", "refuted", 1, "sign"),
    (MSE, r"\delta^{(L)}_i = \hat{y}_i - y_i = 2(\hat{y}_i - y_i) = 2\hat{y}_i - 2y_i", "refuted", 2,
     "constant-factor"),
    (MSE, r"\delta^{(L)}_i = \hat{y}_i - y_i = -(y_i - \hat{y}_i) = y_i - \hat{y}_i", "refuted", 3, "sign"),
    # steps 1 and 3 are wrong: the first one is reported
    (MSE, r"\delta^{(L)}_i = y_i - \hat{y}_i = y_i - \hat{y}_i = 3(\hat{y}_i - y_i)", "refuted", 1, "sign"),
    # the course chain (derivations/mle_ex4_task1.yaml) and its slip at step 3
    (SM, r"\delta^{(L)}_i = \sum_{k=1}^{C} \frac{\partial \mathcal{L}}{\partial \hat{y}_k} "
         r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \sum_{k=1}^{C} -\frac{y_k}{\hat{y}_k} \hat{y}_k "
         r"(\delta_{ik} - \hat{y}_i) = \hat{y}_i \sum_{k=1}^{C} y_k - y_i = \hat{y}_i - y_i", "proved", None, None),
    (SM, r"\delta^{(L)}_i = \sum_{k=1}^{C} \frac{\partial \mathcal{L}}{\partial \hat{y}_k} "
         r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = -\sum_{k=1}^{C} y_k (\delta_{ik} - \hat{y}_i) "
         r"= y_i - \hat{y}_i \sum_{k=1}^{C} y_k = y_i - \hat{y}_i", "refuted", 3, "sign"),
]


@pytest.mark.parametrize("net, claim, verdict, step, diagnosis", CHAINS)
def test_chains_report_the_first_failing_step(net, claim, verdict, step, diagnosis):
    r = check(net, claim)
    assert (r.verdict, r.step, r.diagnosis) == (verdict, step, diagnosis), r.message


def test_the_course_chain_uses_the_one_hot_assumption():
    r = check(SM, CHAINS[5][1])
    assert any(SUM_ONE in a for a in r.assumptions)


# ----------------------------------------------------------------------------------------------
# no rung is reached wrongly: subtly false claims are refuted, true claims are never refuted

SUBTLY_FALSE = [
    # yhat is an inexact (50-digit) value: the 1e-40 hides inside the 50-digit tolerance
    (SM, r"\delta^{(L)} = \hat{y} - y + 10^{-40}", ()),
    (SM, r"\hat{y}_1 = \hat{y}_1 - 10^{-45}", ()),
    (SM, r"\hat{y}_1 \le \hat{y}_1 - 10^{-45}", ()),
    (MSE, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1} + 10^{-40}", ()),
    # far below every working precision: seen on the expanded difference at 160 and 320 digits
    (SM, r"\delta^{(L)} = \hat{y} - y + 10^{-200}", ()),
    (SM, r"\delta^{(L)} = \hat{y}(1 + 10^{-100}) - y", ()),
    (MSE, r"\delta^{(L)} = \hat{y} - y - 10^{-150}", ()),
    (SIGBCE, r"\delta^{(L)} = \hat{y} - y + 10^{-100}\hat{y}", ()),
    # inequalities with a slip below the working precision (review)
    (SM, r"\hat{y}_1 + 10^{-100} \le \hat{y}_1", ()),
    (SM, r"10^{100}\hat{y}_1 + 1 \le 10^{100}\hat{y}_1", ()),
    (SM, r"\hat{y}_1+\hat{y}_2 \ge 1+10^{-100}", ()),
    (PL, r"\hat{y}_1 \le z^{(2)}_1 - 10^{-100}", ()),
    # boundaries of indicators and max on an identity head, a weight, beyond a max's corner (review)
    (PL, r"\mathbb{1}\{\hat{y}_1 > 0\} = \mathbb{1}\{\hat{y}_1 \ge 0\}", ()),
    (SM, r"\mathbb{1}\{W^{(0)}_{11} > 0\} = \mathbb{1}\{W^{(0)}_{11} \ge 0\}", ()),
    (SM, r"\max(u, 3) = 3", ()),
    # a scalar that appears only in some instances
    (SM, r"\delta_{i2} u \hat{y}_i = 0 \quad \text{for all } i", ()),    # 'for all i', not Einstein's sum
    # boundaries between two variables, of a sum, above a smooth layer (second review)
    (SM, r"\mathbb{1}\{x_1 > x_2\} = \mathbb{1}\{x_1 \ge x_2\}", ()),
    (SM, r"\max(u, v) = u \mathbb{1}\{u > v\} + v \mathbb{1}\{v > u\}", ()),
    (SM, r"\varphi'(u - v) = \mathbb{1}\{u \ge v\}", ()),
    (SM, r"\mathbb{1}\{z^{(1)}_1 + z^{(1)}_2 > 1\} = \mathbb{1}\{z^{(1)}_1 + z^{(1)}_2 \ge 1\}", ()),
    (SM, r"\mathbb{1}\{u > v\} = 1", (r"u \ge v",)),
    (MSE, r"\mathbb{1}\{z^{(2)}_1 > 0\} = \mathbb{1}\{z^{(2)}_1 \ge 0\}", ()),
    # one entry only
    (SM, r"\delta^{(L)}_i = \hat{y}_i - y_i + 10^{-40}\delta_{i2}", ()),
    (SM, r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{ij}} = \delta^{(2)}_i a^{(1)}_j + 10^{-30}\delta_{i2}\delta_{j3}",
     ()),
    # exact rationals (piecewise-linear network): even 1e-45 and 1e-60 are seen exactly
    (PL, r"\mathcal{L} = \frac{1}{2}\sum_{k=1}^{C} (\hat{y}_k - y_k)^2 + 10^{-45}", ()),
    (PL, r"\delta^{(L)} = \hat{y} - y + 10^{-60}", ()),
    (PL, r"z^{(1)} = W^{(0)} x + b^{(0)} + 10^{-100}", ()),
    # false only at the kink of a free scalar (relu'(0) = 1 in RELU1)
    (RELU1, r"\varphi'(u) = \mathbb{1}\{u > 0\}", ()),
    (SM, r"\mathbb{1}\{u > 0\} = \mathbb{1}\{u \ge 0\}", ()),
    # false only where the given does not hold
    (SM, r"\delta^{(1)}_i = 0", ()),
    (SM, r"\delta^{(1)}_1 = 0", (r"z^{(1)}_1 \ge 0",)),
    # an inequality between shapes that do not match
    (SM, r"\hat{y} \le 5 + W^{(0)}", ()),
    (SM, r"W^{(0)} \le 5 + \hat{y}", ()),
    # equal sides and a strict inequality
    (SM, r"\hat{y}_1 < \hat{y}_1", ()),
    (PL, r"\varphi(u) > 0", ()),
]


@pytest.mark.parametrize("net, claim, given", SUBTLY_FALSE)
def test_subtly_false_claims_are_refuted(net, claim, given):
    r = check(net, claim, given)
    assert r.verdict == "refuted", r.message


def test_a_tiny_difference_is_reported_with_its_size():
    r = check(SM, r"\delta^{(L)} = \hat{y} - y + 10^{-40}")
    assert r.verdict == "refuted"
    ce = r.counterexample
    assert ce["lhs"] == ce["rhs"]                      # equal to the 12 digits shown...
    assert mpmath.almosteq(mpmath.mpf(ce["difference"]), mpmath.mpf("-1e-40"), rel_eps=1e-9)   # ...but not
    assert "left - right = -1.0" in r.message


TRUE_BUT_HARD = [
    # ill-conditioned: the 50-digit rounding of yhat is amplified by 1e30
    (SM, r"\exp(10^{30}\hat{y}_1) = \exp(10^{30}" + SOFTMAX_1 + ")"),
    # catastrophic cancellation of 40 digits
    (SM, r"(\hat{y}_1 + 10^{20})^2 - 10^{40} - 2 \cdot 10^{20} \hat{y}_1 = \hat{y}_1^2"),
    # an indicator of two equal inexact values: its branch is decided by rounding noise
    (SM, r"\mathbb{1}\{\hat{y}_1 > " + SOFTMAX_1 + r"\} = 0"),
    (SM, r"\mathbb{1}\{\hat{y}_1 \ge " + SOFTMAX_1 + r"\} = 1"),
    # true strict inequality below the working precision
    (SM, r"\hat{y}_1 < \hat{y}_1 + 10^{-90}"),
    (SM, r"\hat{y}_1 \le " + SOFTMAX_1),
    # true (the sides differ by 1e-200) but no point at 50 or 80 digits can show it
    (SM, r"\hat{y}_1 \neq \hat{y}_1 + 10^{-200}"),
    # identities whose expanded difference is rounding noise, never a stable nonzero value
    (SM, r"\hat{y}_1 + \hat{y}_2 = 1"),
    (MSE, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}"),
    (MSE, r"1 - \tanh^2(u) = \frac{4}{(\exp(u) + \exp(-u))^2}"),
    (SIGBCE, r"\sigma(u)(1 - \sigma(u)) = \frac{\exp(-u)}{(1 + \exp(-u))^2}"),
]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("net, claim", TRUE_BUT_HARD)
def test_true_claims_are_never_refuted(net, claim, seed):
    r = check(net, claim, seed=seed)
    assert r.verdict in ("proved", "numerically-equal", "inconclusive"), r.message


def test_a_true_claim_the_prover_cannot_do_is_numerically_equal():
    r = check(SM, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}")
    assert r.verdict == "numerically-equal"
    assert "no exact proof" in r.message


def test_numerically_equal_needs_the_full_number_of_random_points():
    # u is drawn in [-2, 2] and tanh(u) + u^3 > 7.9 only for u > 1.95 (a root no closed form gives, so no
    # point is built on the given's side): fewer than 20 random points satisfy the given
    r = check(SM, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}", [r"\tanh(u) + u^3 > 7.9"])
    assert r.verdict == "inconclusive"
    assert "20 random points" in r.message
    assert check(SM, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}", [r"u > 0"]).verdict == "numerically-equal"


def test_points_inside_a_given_are_built_not_drawn():
    # u > 1.9 is solved for u: all 20 random points are built inside it (rejection sampling found ~1 in 40)
    r = check(SM, r"\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}", [r"u > 1.9"])
    assert r.verdict == "numerically-equal", r.message


def test_neq_is_decided_by_a_witness_or_a_proof():
    # the sides differ by 1e-45: a witness at 80 digits
    assert check(SM, r"\hat{y}_1 \neq \hat{y}_1 + 10^{-45}").verdict == "proved"
    # different shapes are never equal
    assert check(SM, r"\delta^{(L)} \neq a^{(1)}").verdict == "proved"


def test_a_refutation_is_the_same_for_every_seed():
    for seed in range(4):
        r = check(SM, r"\delta^{(L)} = y - \hat{y}", seed=seed)
        assert (r.verdict, r.diagnosis) == ("refuted", "sign")


def test_results_are_deterministic_and_json_ready():
    a, b = (check(SM4, r"\nabla_{W^{(1)}}\mathcal{L} = a^{(1)} (\delta^{(2)})^T").to_dict() for _ in range(2))
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    doc = json.loads(json.dumps(a))
    assert {"id", "claim", "verdict", "step", "message", "diagnosis", "counterexample", "assumptions"} <= set(doc)
    assert doc["verdict"] == "refuted" and doc["step"] == 1 and doc["diagnosis"] == "transpose"
    assert {"point", "entry", "lhs", "rhs", "values"} <= set(doc["counterexample"])


# ----------------------------------------------------------------------------------------------
# counterexamples re-evaluated here, from the reported point, with our own formulas


def num(text):
    """A reported value: an exact rational ('-3/32', '0') or a decimal ('0.655511767483', '1.0e-40')."""
    if "." in text or "e" in text:
        return mpmath.mpf(text)
    q = Fraction(text)
    return mpmath.mpf(q.numerator) / q.denominator


def entry(ce):
    """The 1-based row of the reported entry ('[2]' or '[2,3]')."""
    return int(ce["entry"].strip("[]").split(",")[0])


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1, abs(a), abs(b))


def test_counterexample_missing_bias_is_exact():
    r = check(PL, r"z^{(1)} = W^{(0)} x")
    ce, i = r.counterexample, entry(r.counterexample)
    v = {k: Fraction(s) for k, s in ce["values"].items()}
    rhs = sum(v[f"W0_{i}_{j}"] * v[f"x_{j}"] for j in (1, 2))
    assert Fraction(ce["rhs"]) == rhs                       # (W0 x)_i, exactly
    assert Fraction(ce["lhs"]) == v[f"z1_{i}"] != rhs       # z1_i = (W0 x)_i + b0_i, and b0_i != 0


def test_counterexample_missing_relu_derivative():
    r = check(PL, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y)")
    assert r.diagnosis == "missing-activation-derivative"
    ce, i = r.counterexample, entry(r.counterexample)
    v = {k: num(s) for k, s in ce["values"].items()}
    back = sum(v[f"W1_{k}_{i}"] * (v[f"yhat_{k}"] - v[f"y_{k}"]) for k in (1, 2))   # [W1^T (yhat - y)]_i
    true = back if v[f"z1_{i}"] > 0 else 0                                          # times relu'(z1_i)
    assert close(true, num(ce["lhs"])) and close(back, num(ce["rhs"]))
    assert v[f"z1_{i}"] <= 0 and not close(true, back)


def test_counterexample_sign():
    r = check(SM, r"\delta^{(L)} = y - \hat{y}")
    ce, i = r.counterexample, entry(r.counterexample)
    v = {k: num(s) for k, s in ce["values"].items()}
    assert sorted(v[f"y_{k}"] for k in (1, 2)) == [0, 1]                     # one-hot target
    assert close(v[f"yhat_{i}"] - v[f"y_{i}"], num(ce["lhs"]))
    assert close(v[f"y_{i}"] - v[f"yhat_{i}"], num(ce["rhs"]))
    assert not close(num(ce["lhs"]), num(ce["rhs"]))


def test_counterexample_loss():
    # -log yhat_1 is the loss only when y = e_1
    r = check(SM, r"\mathcal{L} = -\log(\hat{y}_1)")
    v = {k: num(s) for k, s in r.counterexample["values"].items()}
    assert close(v["yhat_1"] + v["yhat_2"], 1)
    loss = -(v["y_1"] * mpmath.log(v["yhat_1"]) + v["y_2"] * mpmath.log(v["yhat_2"]))
    assert close(loss, num(r.counterexample["lhs"]))
    assert close(-mpmath.log(v["yhat_1"]), num(r.counterexample["rhs"]))
    assert v["y_2"] == 1 and not close(loss, -mpmath.log(v["yhat_1"]))


def test_counterexample_constant_factor():
    r = check(MSE, r"\delta^{(L)} = 2(\hat{y} - y)")
    ce, i = r.counterexample, entry(r.counterexample)
    v = {k: num(s) for k, s in ce["values"].items()}
    d = v[f"yhat_{i}"] - v[f"y_{i}"]
    assert close(d, num(ce["lhs"])) and close(2 * d, num(ce["rhs"])) and d != 0


def test_counterexample_at_the_kink():
    r = check(SM, r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \mathbb{1}\{z^{(1)} \ge 0\}")
    ce, i = r.counterexample, entry(r.counterexample)
    v = {k: num(s) for k, s in ce["values"].items()}
    assert ce["values"][f"z1_{i}"] == "0" and ce["forced"] == {f"z^(1)_{i}": "0"}
    back = sum(v[f"W1_{k}_{i}"] * (v[f"yhat_{k}"] - v[f"y_{k}"]) for k in (1, 2))
    assert num(ce["lhs"]) == 0                              # relu'(0) = 0
    assert close(back, num(ce["rhs"])) and back != 0        # 1{0 >= 0} = 1


@pytest.mark.parametrize("net, claim, where", [
    (SM, r"\mathbb{1}\{z^{(1)}_1 > 1\} = \mathbb{1}\{z^{(1)}_1 \ge 1\}", ("z1_1", "1")),
    (MSE, r"\mathbb{1}\{z^{(1)} > \frac{1}{2}\} \odot z^{(1)} = \mathbb{1}\{z^{(1)} \ge \frac{1}{2}\} \odot z^{(1)}",
     None),
    (SM, r"\mathbb{1}\{u > 1\} = \mathbb{1}\{u \ge 1\}", ("u", "1")),
])
def test_indicators_that_differ_only_on_their_boundary_are_refuted_there(net, claim, where):
    """Random points never land on z = 1; the checker adds points exactly on every indicator boundary."""
    res = check_claim(net, "boundary", claim)
    assert res.verdict == "refuted", (res.verdict, res.message)
    assert res.diagnosis == "kink-convention"
    if where:
        name, value = where
        assert res.counterexample["values"][name] == value


def test_indicators_equal_on_their_boundary_are_not_refuted():
    res = check_claim(SM, "boundary", r"\mathbb{1}\{z^{(1)} > 0\} \odot z^{(1)} = \mathbb{1}\{z^{(1)} \ge 0\} \odot z^{(1)}")
    assert res.verdict in ("proved", "numerically-equal"), res.message


def test_counterexample_of_a_tiny_constant_in_exact_arithmetic():
    r = check(PL, r"\mathcal{L} = \frac{1}{2}\sum_{k=1}^{C} (\hat{y}_k - y_k)^2 + 10^{-45}")
    v = {k: num(s) for k, s in r.counterexample["values"].items()}
    loss = sum((v[f"yhat_{k}"] - v[f"y_{k}"]) ** 2 for k in (1, 2)) / 2
    assert close(loss, num(r.counterexample["lhs"]))
    with mpmath.workdps(60):      # left - right = L - (L + 10^-45)
        assert mpmath.almosteq(num(r.counterexample["difference"]), -mpmath.mpf(10) ** -45, rel_eps=1e-9)


# ----------------------------------------------------------------------------------------------
# hostile claims, limits and process isolation


def _spec(net, claims, path="hostile.yaml"):
    """A DerivationSpec built directly (the loader refuses texts over 10 000 characters)."""
    return DerivationSpec(path, "hostile", net,
                          tuple(ClaimSpec(cid, text, given, expect) for cid, text, given, expect in claims))


def test_hostile_claims_end_as_error_or_inconclusive_and_the_others_are_still_checked(tmp_path):
    pwned = tmp_path / "pwned"
    hostile = {
        "huge-power": r"10^{10^{10}} = 0",
        "power-tower": r"9^{9^{9^9}} = 0",
        "exp-tower": r"\exp(\exp(\exp(\exp(10)))) = 0",
        "deep-nesting": "(" * 5000 + "x_1" + ")" * 5000 + " = 0",        # over the length limit
        "deep-nesting-1000": "(" * 1000 + "x_1" + ")" * 1000 + " = 0",   # under it, over the depth limit
        "deep-braces": "{" * 3000 + "x_1" + "}" * 3000 + " = 0",
        "megabyte": r"x_1 + " * 170_000 + "x_1 = 0",
        "operatorname": r"\operatorname{__import__('os').system('touch " + str(pwned) + r"')} = 0",
        "text": r"\text{__import__('os').system('touch " + str(pwned) + r"')} = 0",
        "input": r"\input{/etc/passwd} = 0",
        "def": r"\def\x{1} \x = 0",
        "python": "__import__('os').system('touch " + str(pwned) + "') = 0",
    }
    claims = [("ok", r"\delta^{(L)} = \hat{y} - y", (), True),
              ("mistake", r"\delta^{(L)} = y - \hat{y}", (), False)]
    claims += [(cid, text, (), True) for cid, text in hostile.items()]
    claims += [("ok-after", r"\nabla_{W^{(1)}}\mathcal{L} = \delta^{(2)} (a^{(1)})^T", (), True)]
    t0 = time.monotonic()
    report = check_spec(_spec(SM, claims), Limits(timeout=5, memory_mb=512, workers=2))
    elapsed = time.monotonic() - t0
    got = {r.id: r for r in report.results}
    assert [r.id for r in report.results] == [c[0] for c in claims]
    assert got["ok"].verdict == "proved" and got["ok-after"].verdict == "proved"
    assert got["mistake"].verdict == "refuted" and got["mistake"].as_expected
    for cid in hostile:
        assert got[cid].verdict in ("error", "inconclusive"), (cid, got[cid].message)
        assert got[cid].seconds < 5 + 2
        assert "Traceback" not in got[cid].message
    assert "characters" in got["megabyte"].message
    assert "nested" in got["deep-nesting-1000"].message
    assert not pwned.exists()
    assert elapsed < 30


def test_a_claim_over_the_time_limit_is_inconclusive_and_the_rest_are_checked():
    # expanding 1001 x 1001 terms takes far longer than 3 s; no symbolic budget, so the wall clock stops it
    claims = [("slow", r"(x_1 + x_2)^{1000} (x_1 - x_2)^{1000} = (x_1^2 - x_2^2)^{1000}", (), True),
              ("ok", r"\delta^{(L)} = \hat{y} - y", (), True),
              ("mistake", r"\delta^{(L)} = y - \hat{y}", (), False)]
    report = check_spec(_spec(SM, claims), Limits(timeout=3, workers=2), CheckOptions(symbolic_seconds=None))
    slow, ok, mistake = report.results
    assert slow.verdict == "inconclusive" and "time limit" in slow.message
    assert ok.verdict == "proved" and mistake.verdict == "refuted"


def test_a_forced_timeout_is_inconclusive_saying_time_limit():
    claims = [("a", r"\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi'(z^{(1)})", (), True),
              ("b", r"\frac{\partial \mathcal{L}}{\partial W^{(0)}_{ij}} = 0", (r"z^{(1)}_i \le 0",), True)]
    report = check_spec(_spec(SM, claims), Limits(timeout=0.01, workers=2))
    for r in report.results:
        assert r.verdict == "inconclusive" and "time limit" in r.message
    assert not report.ok


MEMORY_SCRIPT = r"""
import json
from symbackprop.check import CheckOptions
from symbackprop.network import Network
from symbackprop.runner import Limits
from symbackprop.spec import ClaimSpec, DerivationSpec
from symbackprop.suite import check_spec
claims = (ClaimSpec("hog", r"(x_1 + x_2 + y_1)^{1000} (x_1 - x_2 + y_1)^{1000} = ((x_1 + y_1)^2 - x_2^2)^{1000}"),
          ClaimSpec("ok", r"\delta^{(L)} = \hat{y} - y"))
report = check_spec(DerivationSpec("m.yaml", None, Network((2, 3, 2)), claims),
                    Limits(timeout=30, memory_mb=32, workers=2), CheckOptions(symbolic_seconds=None))
print(json.dumps([[r.id, r.verdict, r.message] for r in report.results]))
"""


def test_the_memory_limit_is_inconclusive_saying_memory():
    # The expansion needs hundreds of MB; 32 MB of extra address space runs out first.  Run in a fresh
    # interpreter: a forked worker may also fill memory that its (long-lived) parent freed but still maps.
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    (hog_id, hog, hog_msg), (ok_id, ok, _) = json.loads(done.stdout.strip().splitlines()[-1])
    assert hog == "inconclusive" and "memory" in hog_msg.lower(), hog_msg
    assert ok == "proved"


def test_the_symbolic_budget_gives_numerically_equal_never_a_guess():
    # a 0.1 ms budget for the symbolic phase: no proof can finish
    spec = load_spec_text(r"""
network:
  sizes: [2, 3, 2]
claims:
  - id: true-needs-proof
    claim: '\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi''(z^{(1)})'
  - id: neq-too-small-to-see
    claim: '\hat{y}_1 \neq \hat{y}_1 (1 + 10^{-200})'
  - id: flipped-sign
    expect: false
    claim: '\delta^{(L)} = y - \hat{y}'
""")
    report = check_spec(spec, Limits(timeout=10, workers=2), CheckOptions(symbolic_seconds=1e-4))
    hard, neq, false = report.results
    assert hard.verdict == "numerically-equal" and "time budget" in hard.message
    # regression: a budget that ran out used to count as a proof that the sides are identical.  A ≠ B holds at
    # every point (ŷ_1 > 0): true, with its equality surface ŷ_1 = 0 proved unreachable (never refuted)
    assert neq.verdict == "numerically-equal", neq.message
    assert false.verdict == "refuted" and false.diagnosis == "sign"


def test_inline_and_worker_runs_agree():
    spec = _spec(MSE, [("ok", r"\delta^{(L)} = \hat{y} - y", (), True),
                       ("half", r"\delta^{(L)} = 2(\hat{y} - y)", (), False)])
    inline = check_spec(spec, inline=True)
    worker = check_spec(spec, Limits(timeout=10, workers=2))
    strip = [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in inline.results]
    assert strip == [{k: v for k, v in r.to_dict().items() if k != "seconds"} for r in worker.results]
    assert inline.summary() == {"proved": 1, "refuted": 1} and inline.ok


def test_check_claim_never_raises():
    for text in ("", "   ", "=", "= =", r"\frac{1}{0} = 0", "x_1 = ", r"\sum_{k=1}^{0} y_k = 0", None):
        r = check_claim(SM, "c", text)
        assert r.verdict == "error" and r.message


MISTAKE_FILES = sorted((Path(__file__).resolve().parent.parent / "derivations" / "mistakes").glob("*.yaml"))


@pytest.mark.parametrize("path", MISTAKE_FILES, ids=lambda p: p.name)
def test_course_mistakes_get_the_diagnosis_their_note_names(path):
    """Each known mistake whose note says "diagnosis X" (written by hand) is refuted with diagnosis X."""
    from symbackprop.spec import load_spec
    spec = load_spec(path)
    rep = check_spec(spec, inline=True)
    named = 0
    for claim, res in zip(spec.claims, rep.results):
        if claim.note and claim.note.startswith("diagnosis "):
            named += 1
            assert (res.verdict, res.diagnosis) == ("refuted", claim.note.split()[1]), (claim.id, res.message)
    assert named >= 2


def test_a_scalar_that_appears_only_in_a_given_is_a_free_variable():
    res = check_claim(SM, "g", r"\delta^{(L)} = \hat{y} - y", given=("u > 0",), notation=UV)
    assert res.verdict == "proved", res.message
    res = check_claim(SM, "g", r"\delta^{(L)} = u \cdot (\hat{y} - y)", given=("u > 0",), notation=UV)
    assert res.verdict == "refuted"


@pytest.mark.parametrize("net, claim", [
    (SM, r"\frac{\hat{y}_1 + \hat{y}_2 - 1}{2\hat{y}_1 + 2\hat{y}_2 - 2} = \frac{1}{2}"),
    (SM, r"\frac{\hat{y}_1 + \hat{y}_2 - 1}{2\hat{y}_1 + 2\hat{y}_2 - 2} = \frac{1}{3}"),
    (MSE, r"\frac{a^{(1)}_1 - \tanh(z^{(1)}_1)}{2 a^{(1)}_1 - 2\tanh(z^{(1)}_1)} = \frac{1}{2}"),
    # scaled noise is still noise (second review)
    (SM, r"\frac{10^{15}(\hat{y}_1 + \hat{y}_2 - 1)}{10^{15}(2\hat{y}_1 + 2\hat{y}_2 - 2)} = \frac{1}{2}"),
    (SM, r"\frac{10^{20}\log(\hat{y}_1+\hat{y}_2)}{10^{20}\log(\hat{y}_1+\hat{y}_2)+10^{20}(\hat{y}_1+\hat{y}_2-1)} = "
         r"\frac{1}{2}"),
])
def test_an_expression_undefined_everywhere_is_never_proved_or_refuted(net, claim):
    """0/0 at every point (ŷ_1 + ŷ_2 = 1): rounding noise over rounding noise is no value."""
    res = check_claim(net, "zero-over-zero", claim)
    assert res.verdict == "inconclusive", (res.verdict, res.message)
    assert "outside the domain" in res.message


def test_a_given_that_holds_only_up_to_rounding_selects_no_point():
    res = check_claim(SM, "g", "1 = 0", given=(r"\hat{y}_1 = \hat{y}_1 + 10^{-60}",))
    assert res.verdict == "inconclusive"


def test_an_equality_given_on_a_pre_activation_is_forced_exactly():
    res = check_claim(SM, "g", r"\delta^{(1)}_1 = 0", given=(r"z^{(1)}_1 = 0",))
    assert res.verdict in ("proved", "numerically-equal"), res.message


def test_a_log_that_is_real_nowhere_is_never_proved():
    """SymPy rewrites e^{log w} to w for any w; the notation layer keeps log undefined where w <= 0."""
    res = check_claim(SM, "log", r"\exp(\frac{1}{2}\log(-1 - x_1^2))^2 = -1 - x_1^2")
    assert res.verdict in ("error", "inconclusive"), (res.verdict, res.message)
    res = check_claim(SM, "log", r"\exp(\log(u)) = u + 1")
    assert res.verdict == "refuted"
    assert float(Fraction(res.counterexample["values"]["u"])) > 0      # the witness is inside the domain
