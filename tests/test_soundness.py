r"""Soundness regressions (issue 11): no false proved / numerically-equal, no true claim refuted.

Every expected verdict is written by hand from the mathematics, with the reason beside it.  Each row
failed on the code before the fix it pins (run this file against the previous commit to see it).

Networks (outgoing weights; z^(l) pre-activations, a^(l) activations, ŷ = a^(L)):

    RELU    [2, 3, 2]     ReLU hidden, softmax + cross-entropy, relu'(0) = 0
    RELU1   [2, 3, 2]     same with relu'(0) = 1
    RELU4   [3, 4, 4, 3]  ReLU, softmax + cross-entropy (L = 3)
    LEAKY   [2, 3, 2]     leaky ReLU (slope 1/100, phi'(0) = 1/100), softmax + cross-entropy
    TANH    [2, 3, 2]     tanh hidden, softmax + cross-entropy
    TANH4   [3, 4, 4, 3]  tanh hidden, softmax + cross-entropy
    SIG     [2, 3, 2]     sigmoid hidden, sigmoid + BCE
    SIG11   [2, 11, 1]    sigmoid hidden, sigmoid + BCE (one output)
    TMSE    [2, 3, 2]     tanh hidden, identity + MSE (ŷ = z^(2))
    RMSE11  [2, 11, 1]    ReLU hidden, identity + MSE

Expected verdicts: "proved" (an exact proof exists and must be found), "true" (proved or
numerically-equal), "refuted", and "not-true" (refuted or inconclusive: false, but the checker may be
unable to exhibit the point — it must never pass).
"""
import importlib
import inspect
import pkgutil
import time
from fractions import Fraction

import pytest
import sympy as sp

import symbackprop
from symbackprop.check import CheckOptions, check_claim
from symbackprop.network import Network

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RELU = Network((2, 3, 2))
RELU1 = Network((2, 3, 2), relu_prime_at_zero=1)
RELU4 = Network((3, 4, 4, 3))
LEAKY = Network((2, 3, 2), activation="leaky_relu")
TANH = Network((2, 3, 2), activation="tanh")
TANH4 = Network((3, 4, 4, 3), activation="tanh")
SIG = Network((2, 3, 2), activation="sigmoid", output="sigmoid", loss="bce")
SIG11 = Network((2, 11, 1), activation="sigmoid", output="sigmoid", loss="bce")
TMSE = Network((2, 3, 2), activation="tanh", output="identity", loss="mse")
RMSE11 = Network((2, 11, 1), output="identity", loss="mse")

ACCEPT = {"proved": {"proved"}, "true": {"proved", "numerically-equal"}, "refuted": {"refuted"},
          "not-true": {"refuted", "inconclusive"}}


def R(net, claim, expected, reason, given=(), id=None):
    return pytest.param(net, claim, tuple(given), expected, reason, id=id)


# 1. the generic φ is never evaluated by name (mpmath.phi is the golden ratio 1.618...)
NAMES = [
    R(RELU, r"\max(\varphi(0), 1) = 1", "proved", "relu(0) = 0, max(0, 1) = 1", id="relu-max-phi0-true"),
    R(RELU, r"\max(\varphi(0), 1) = 0", "refuted", "max(0, 1) = 1, not 0", id="relu-max-phi0-false"),
    R(RELU, r"\mathbb{1}\{\varphi(0) > 1\} = 1", "refuted", "0 > 1 is false", id="relu-ind-phi0-false"),
    R(RELU, r"\mathbb{1}\{\varphi(0) > 1\} = 0", "proved", "0 > 1 is false", id="relu-ind-phi0-true"),
    R(TANH, r"\mathbb{1}\{\varphi(0) > 1\} = 0", "proved", "tanh(0) = 0", id="tanh-ind-phi0"),
    R(SIG, r"\max(\varphi(0), \frac{1}{4}) = \frac{1}{2}", "proved", "sigma(0) = 1/2 > 1/4", id="sig-max-phi0"),
    R(SIG, r"\mathbb{1}\{\varphi(0) \ge \frac{1}{2}\} = 0", "refuted", "sigma(0) = 1/2 >= 1/2", id="sig-ind-phi0"),
    R(LEAKY, r"\max(\varphi'(0), \frac{1}{2}) = \frac{1}{2}", "proved", "phi'(0) = 1/100 < 1/2", id="leaky-max-phi-prime0"),
    R(RELU1, r"\mathbb{1}\{\varphi'(0) \ge 1\} = 1", "proved", "relu'(0) = 1 by convention", id="relu1-phi-prime0"),
    R(RELU, r"\mathbb{1}\{\varphi'(0) \ge 1\} = 1", "refuted", "relu'(0) = 0 by convention", id="relu0-phi-prime0"),
]

# 2. no proof drops a branch whose condition holds on a point, a line or a tie
MEASURE_ZERO = [
    R(TANH, r"\mathbb{1}\{(u-1)^2 \le 0\} = 0", "refuted", "1 at u = 1", id="point-u-1"),
    R(TANH, r"\mathbb{1}\{u^2 \le 0\} = 0", "refuted", "1 at u = 0", id="point-u-0"),
    R(TANH, r"\mathbb{1}\{u^2 < 0\} = 0", "proved", "u^2 < 0 never holds", id="empty-u2-lt-0"),
    R(TANH, r"\mathbb{1}\{u^2 + v^2 \le 0\} = 0", "refuted", "1 at u = v = 0", id="point-origin"),
    R(TANH, r"\mathbb{1}\{u^2 + v^2 < 0\} = 0", "proved", "never holds", id="empty-origin"),
    R(TANH, r"\mathbb{1}\{u - v \le 0\}\mathbb{1}\{v - u \le 0\} = 0", "refuted", "1 on the line u = v",
      id="line-tie"),
    R(TANH, r"\mathbb{1}\{u - v < 0\}\mathbb{1}\{v - u < 0\} = 0", "proved", "u < v < u is empty", id="empty-tie"),
    R(TANH, r"\mathbb{1}\{u \le v\} + \mathbb{1}\{v < u\} = 1", "proved", "exactly one holds", id="partition"),
    R(TANH, r"\mathbb{1}\{u \le v\} + \mathbb{1}\{v \le u\} = 1", "refuted", "2 at u = v", id="double-count-tie"),
    R(TANH, r"\mathbb{1}\{\max(u,v) \le u\} = \mathbb{1}\{v \le u\}", "proved", "max(u, v) <= u iff v <= u",
      id="max-tie-true"),
    R(TANH, r"\mathbb{1}\{\max(u,v) \le u\} = \mathbb{1}\{v < u\}", "refuted", "1 vs 0 at u = v", id="max-tie-false"),
    R(TANH, r"\mathbb{1}\{(z^{(1)}_1)^2 \le 0\} = 0", "refuted", "1 at z^(1)_1 = 0", id="point-z"),
    R(RELU4, r"\mathbb{1}\{(z^{(2)}_3 + 1)^2 \le 0\} = 0", "refuted", "1 at z^(2)_3 = -1", id="point-z-deep"),
    R(SIG, r"\mathbb{1}\{(x_1 - x_2)^2 \le 0\} = 0", "refuted", "1 on the line x_1 = x_2", id="line-inputs"),
    R(RELU, r"\mathbb{1}\{z^{(1)}_1 \ge 0\}\mathbb{1}\{z^{(1)}_1 \le 0\}\delta^{(1)}_1 = 0", "true",
      "only z^(1)_1 = 0 counts, where relu'(0) = 0 makes delta^(1)_1 = 0", id="kink-only-true"),
    R(RELU1, r"\mathbb{1}\{z^{(1)}_1 \ge 0\}\mathbb{1}\{z^{(1)}_1 \le 0\}\delta^{(1)}_1 = 0", "refuted",
      "relu'(0) = 1: delta^(1)_1 = [W^T delta^(2)]_1 at z^(1)_1 = 0", id="kink-only-false"),
]

# 3. every boundary the claim can express is sampled exactly (or the claim is not numerically-equal)
BOUNDARIES = [
    R(RELU, r"\varphi'(u-1) + \varphi'(1-u) = 1", "refuted", "0 + 0 at u = 1", id="shifted-kink"),
    R(RELU1, r"\varphi'(u-1) + \varphi'(1-u) = 1", "refuted", "1 + 1 at u = 1", id="shifted-kink-relu1"),
    R(LEAKY, r"\varphi'(u-1) + \varphi'(1-u) = 1 + \frac{1}{100}", "refuted", "2/100 at u = 1",
      id="shifted-kink-leaky"),
    R(RELU, r"\varphi'(u-1) + \varphi'(1-u) = \mathbb{1}\{u > 1\} + \mathbb{1}\{u < 1\}", "proved",
      "both are 0 at u = 1 and 1 elsewhere", id="shifted-kink-true"),
    R(RELU, r"\varphi'(u^2) = 1", "refuted", "relu'(0) = 0 at u = 0", id="kink-of-square"),
    R(RELU, r"\varphi'(u^2) = \mathbb{1}\{u^2 > 0\}", "proved", "the definition of relu'", id="kink-of-square-true"),
    R(RELU4, r"\varphi'(z^{(2)}_1 - 1) = \mathbb{1}\{z^{(2)}_1 \ge 1\}", "refuted", "0 vs 1 at z^(2)_1 = 1",
      id="shifted-kink-z"),
    R(RELU4, r"\varphi'(z^{(2)}_1 - 1) = \mathbb{1}\{z^{(2)}_1 > 1\}", "proved", "the definition of relu'",
      id="shifted-kink-z-true"),
    R(RELU, r"\varphi'(1 - x_1) = \mathbb{1}\{x_1 \le 1\}", "refuted", "0 vs 1 at x_1 = 1", id="kink-input"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 > \frac{1}{2}\} = \mathbb{1}\{a^{(1)}_1 \ge \frac{1}{2}\}", "refuted",
      "differ at z = atanh(1/2)", id="tanh-activation-level"),
    R(SIG, r"\mathbb{1}\{a^{(1)}_1 > \frac{1}{3}\} = \mathbb{1}\{a^{(1)}_1 \ge \frac{1}{3}\}", "refuted",
      "differ at z = -log 2", id="sigmoid-activation-level"),
    R(RELU, r"\mathbb{1}\{a^{(1)}_1 > 1\} = \mathbb{1}\{a^{(1)}_1 \ge 1\}", "refuted", "differ at z = 1",
      id="relu-activation-level"),
    R(RELU, r"\mathbb{1}\{a^{(1)}_1 > 0\} = \mathbb{1}\{a^{(1)}_1 \ge 0\}", "refuted", "relu: a = 0 on all of z <= 0",
      id="relu-activation-zero"),
    R(LEAKY, r"\mathbb{1}\{a^{(1)}_1 \ge 0\} = \mathbb{1}\{z^{(1)}_1 \ge 0\}", "true", "leaky relu keeps the sign",
      id="leaky-activation-sign"),
    R(LEAKY, r"\mathbb{1}\{a^{(1)}_1 > 0\} = \mathbb{1}\{z^{(1)}_1 \ge 0\}", "refuted", "0 vs 1 at z = 0",
      id="leaky-activation-sign-false"),
    R(TANH4, r"\mathbb{1}\{a^{(2)}_2 \ge \frac{1}{5}\} = \mathbb{1}\{a^{(2)}_2 > \frac{1}{5}\}", "refuted",
      "differ at z^(2)_2 = atanh(1/5)", id="tanh-deep-activation-level"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 > \frac{1}{2}\} = \mathbb{1}\{z^{(1)}_1 > \frac{1}{2}\}", "refuted",
      "differ for 1/2 < z <= atanh(1/2)", id="tanh-level-vs-z"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 > 0\} = \mathbb{1}\{z^{(1)}_1 > 0\}", "true", "tanh keeps the sign",
      id="tanh-sign-true"),
    R(RELU, r"\mathbb{1}\{\hat{y}_1 \ge \hat{y}_2\} = \mathbb{1}\{\hat{y}_1 > \hat{y}_2\}", "refuted",
      "differ at the tie z^(2)_1 = z^(2)_2", id="softmax-tie"),
    R(RELU4, r"\mathbb{1}\{\hat{y}_1 \ge \hat{y}_3\} = \mathbb{1}\{\hat{y}_1 > \hat{y}_3\}", "refuted",
      "differ at the tie z^(3)_1 = z^(3)_3", id="softmax-tie-deep"),
    R(TANH4, r"\mathbb{1}\{\hat{y}_2 \ge \hat{y}_3\} = \mathbb{1}\{\hat{y}_2 > \hat{y}_3\}", "refuted",
      "differ at the tie (pre-activations above a smooth layer)", id="softmax-tie-tanh"),
    R(RELU, r"\mathbb{1}\{\hat{y}_1 \ge \hat{y}_2\} = \mathbb{1}\{z^{(2)}_1 \ge z^{(2)}_2\}", "true",
      "softmax is monotone", id="softmax-tie-true"),
    R(RELU, r"\mathbb{1}\{\hat{y}_1 \ge \hat{y}_2\} = \mathbb{1}\{z^{(2)}_1 > z^{(2)}_2\}", "refuted",
      "1 vs 0 at the tie", id="softmax-tie-strict"),
    R(SIG11, r"\mathbb{1}\{\hat{y}_1 \ge \frac{1}{2}\} = \mathbb{1}\{z^{(2)}_1 > 0\}", "refuted",
      "differ at z^(2)_1 = 0", id="sigmoid-head-level"),
    R(SIG11, r"\mathbb{1}\{\hat{y}_1 \ge \frac{1}{2}\} = \mathbb{1}\{z^{(2)}_1 \ge 0\}", "true",
      "sigma(z) >= 1/2 iff z >= 0", id="sigmoid-head-level-true"),
    R(TMSE, r"\mathbb{1}\{\hat{y}_1 > 1\} = \mathbb{1}\{\hat{y}_1 \ge 1\}", "refuted", "differ at yhat_1 = 1",
      id="identity-head-level"),
    R(RMSE11, r"\mathbb{1}\{\hat{y}_1 > \frac{1}{3}\} = \mathbb{1}\{\hat{y}_1 \ge \frac{1}{3}\}", "refuted",
      "differ at yhat_1 = 1/3", id="identity-head-level-wide"),
    R(TANH, r"\mathbb{1}\{u^2 \ge 1\} = \mathbb{1}\{u^2 > 1\}", "refuted", "differ at u = +-1", id="square-level"),
    R(TANH, r"\mathbb{1}\{u^2 \ge 1\} = \mathbb{1}\{u \ge 1\} + \mathbb{1}\{u \le -1\}", "proved",
      "u^2 >= 1 iff u >= 1 or u <= -1", id="square-level-true"),
    R(TANH, r"\mathbb{1}\{u^2 \ge 1\} = \mathbb{1}\{u > 1\} + \mathbb{1}\{u \le -1\}", "refuted",
      "1 vs 0 at u = 1 only", id="square-level-one-root"),
    R(TANH, r"\mathbb{1}\{u^2 \ge 2\} = \mathbb{1}\{u^2 > 2\}", "refuted", "differ at u = +-sqrt(2)",
      id="algebraic-level"),
    R(TANH, r"\mathbb{1}\{u^3 - u - 1 \ge 0\} = \mathbb{1}\{u^3 - u - 1 > 0\}", "refuted",
      "differ at the real root of u^3 - u - 1", id="cubic-level"),
    R(TANH, r"\mathbb{1}\{u \ge \exp(-u)\} = \mathbb{1}\{u > \exp(-u)\}", "not-true",
      "differ at u = W(1) (no closed form the checker builds)", id="transcendental-level"),
    R(TANH, r"\mathbb{1}\{u - \exp(-u) \ge 0\} = \mathbb{1}\{u \ge \exp(-u)\}", "proved", "the same condition",
      id="transcendental-level-true"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 > \frac{1}{2}\} = \mathbb{1}\{z^{(1)}_1 \ge \frac{1}{2}\log(3)\}", "refuted",
      "atanh(1/2) = log(3)/2: 0 vs 1 there", id="closed-form-level"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 \ge \frac{1}{2}\} = \mathbb{1}\{z^{(1)}_1 \ge \frac{1}{2}\log(3)\}", "true",
      "atanh(1/2) = log(3)/2", id="closed-form-level-true"),
    # false only where two boundaries cross
    R(TANH, r"\mathbb{1}\{u \ge 0\}\mathbb{1}\{v \ge 0\} = \mathbb{1}\{u > 0\}\mathbb{1}\{v \ge 0\} + "
            r"\mathbb{1}\{u \ge 0\}\mathbb{1}\{v > 0\} - \mathbb{1}\{u > 0\}\mathbb{1}\{v > 0\}", "refuted",
      "1 vs 0 at u = v = 0 only", id="crossing-scalars"),
    R(RELU4, r"\varphi'(z^{(1)}_1)\varphi'(z^{(2)}_1) = \mathbb{1}\{z^{(1)}_1 \ge 0\}\mathbb{1}\{z^{(2)}_1 > 0\} + "
             r"\mathbb{1}\{z^{(1)}_1 > 0\}\mathbb{1}\{z^{(2)}_1 \ge 0\} - \mathbb{1}\{z^{(1)}_1 \ge 0\}\mathbb{1}\{z^{(2)}_1 \ge 0\}",
      "refuted", "0 vs -1 where both pre-activations are 0", id="crossing-kinks"),
    R(RELU4, r"\varphi'(z^{(1)}_1)\varphi'(z^{(2)}_1) = \mathbb{1}\{z^{(1)}_1 > 0\}\mathbb{1}\{z^{(2)}_1 > 0\}", "proved",
      "relu'(0) = 0", id="crossing-kinks-true"),
    R(RELU, r"\mathbb{1}\{x_1 \ge 0\}\mathbb{1}\{u \ge 1\} = \mathbb{1}\{x_1 > 0\}\mathbb{1}\{u \ge 1\} + "
            r"\mathbb{1}\{x_1 \ge 0\}\mathbb{1}\{u > 1\} - \mathbb{1}\{x_1 > 0\}\mathbb{1}\{u > 1\}", "refuted",
      "1 vs 0 at x_1 = 0, u = 1 only", id="crossing-input-scalar"),
    # targets and ranges
    R(SIG, r"\mathbb{1}\{y_1 > \frac{1}{3}\} = \mathbb{1}\{y_1 \ge \frac{1}{3}\}", "refuted",
      "a probability target can be 1/3", id="target-level"),
    R(TMSE, r"\mathbb{1}\{y_1 > \hat{y}_1\} = \mathbb{1}\{y_1 \ge \hat{y}_1\}", "refuted",
      "a real target can equal the output", id="target-output-tie"),
    R(SIG, r"\mathbb{1}\{y_1 > 2\} = \mathbb{1}\{y_1 \ge 2\}", "true", "a probability target is never 2",
      id="target-out-of-range"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 \ge 1\} = 0", "proved", "tanh < 1", id="tanh-range"),
    R(RELU, r"\mathbb{1}\{\hat{y}_1 \ge 1\} = 0", "proved", "softmax < 1", id="softmax-range"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 > 0\} = 0", "refuted", "tanh(z) > 0 for z > 0", id="tanh-range-false"),
    # inequalities decided exactly at a tie
    R(RELU, r"\max(\hat{y}_1, \hat{y}_2) > \frac{1}{2}", "refuted", "= 1/2 at the tie", id="strict-at-tie"),
    R(RELU, r"\max(\hat{y}_1, \hat{y}_2) \ge \frac{1}{2}", "true", "two classes: the larger is >= 1/2",
      id="nonstrict-at-tie"),
    R(RELU, r"\hat{y}_1 > \hat{y}_2", "refuted", "equal at z^(2)_1 = z^(2)_2", given=[r"z^{(2)}_1 \ge z^{(2)}_2"],
      id="strict-at-given-tie"),
    R(RELU, r"\hat{y}_1 \ge \hat{y}_2", "true", "softmax is monotone", given=[r"z^{(2)}_1 \ge z^{(2)}_2"],
      id="nonstrict-at-given-tie"),
]

# 3b. boundaries of givens
GIVENS = [
    R(RELU, r"\mathbb{1}\{z^{(1)}_1 < 1\} = 1", "refuted", "z^(1)_1 = 1 satisfies the given",
      given=[r"z^{(1)}_1 \le 1"], id="given-le"),
    R(RELU, r"\mathbb{1}\{z^{(1)}_1 < 1\} = 1", "proved", "exactly the given", given=[r"z^{(1)}_1 < 1"],
      id="given-lt"),
    R(RELU, r"\mathbb{1}\{z^{(1)}_1 < 1\}\mathbb{1}\{z^{(1)}_1 > -1\} = 1", "refuted",
      "z^(1)_1 = +-1 satisfy the given", given=[r"(z^{(1)}_1)^2 \le 1"], id="given-square"),
    R(TANH, r"\mathbb{1}\{u > 0\} + \mathbb{1}\{u < 0\} = 1", "true", "u = 0 is excluded by the given",
      given=[r"u^2 > 0"], id="given-excludes-boundary"),
    R(TANH, r"\mathbb{1}\{a^{(1)}_1 < \frac{1}{2}\} = 1", "refuted", "a^(1)_1 = 1/2 satisfies the given",
      given=[r"a^{(1)}_1 \le \frac{1}{2}"], id="given-activation-level"),
    R(SIG11, r"\mathbb{1}\{\hat{y}_1 > \frac{1}{2}\} = 1", "refuted", "yhat_1 = 1/2 satisfies the given",
      given=[r"\hat{y}_1 \ge \frac{1}{2}"], id="given-head-level"),
    R(TANH, r"\max(u, 1) = u", "proved", "u >= 1", given=[r"u \ge 1"], id="given-region-proof"),
]

# 4. slips far below the working precision, wherever they stand
TINY = [
    R(RELU, r"\sum_{k=1}^{C} \hat{y}_k = 1 + 10^{-200}", "refuted", "the sum is exactly 1", id="sum-200"),
    R(RELU, r"\sum_{k=1}^{C} \hat{y}_k = 1 + 10^{-400}", "refuted", "the sum is exactly 1", id="sum-400"),
    R(RELU, r"\sum_{k=1}^{C} \hat{y}_k = 1 + 10^{-500} \cdot 10^{-500}", "refuted", "the sum is exactly 1",
      id="sum-1000"),
    R(TANH, r"a^{(1)}_1 = \tanh(z^{(1)}_1) + 10^{-200}", "refuted", "a = tanh z exactly", id="tanh-200"),
    R(SIG, r"a^{(1)}_1 = \sigma(z^{(1)}_1) + 10^{-300}", "refuted", "a = sigma(z) exactly", id="sigmoid-300"),
    R(SIG, r"\hat{y}_1 = \sigma(z^{(2)}_1)(1 + 10^{-250})", "refuted", "relative slip of 10^-250", id="head-250"),
    R(TANH4, r"\hat{y}_1 + \hat{y}_2 + \hat{y}_3 = 1 + 10^{-300}", "refuted", "the sum is exactly 1",
      id="deep-sum-300"),
    R(TANH, r"a^{(1)}_1 = \tanh(z^{(1)}_1 + 10^{-400})", "refuted", "a slip inside tanh", id="inside-tanh"),
    R(RELU, r"\hat{y}_1 = \hat{y}_1 + \exp(-10^{4})", "refuted", "e^{-10000} is not 0", id="exp-tiny"),
    R(RELU, r"\mathbb{1}\{\hat{y}_1 > \hat{y}_1 - 10^{-300}\} = 0", "refuted", "the condition holds",
      id="inside-condition"),
    R(RELU, r"\hat{y}_1 + \hat{y}_2 = 1 + \exp(-10^{5})", "not-true", "10^-43430 is below every precision cap",
      id="beyond-cap"),
    R(RELU, r"\sum_{k=1}^{C} \hat{y}_k = 1", "proved", "softmax sums to 1", id="sum-true"),
    R(TANH, r"a^{(1)}_1 = \tanh(z^{(1)}_1)", "proved", "the forward pass", id="tanh-true"),
    R(SIG, r"\hat{y}_1 = \frac{1}{1 + \exp(-z^{(2)}_1)}", "proved", "the sigmoid head", id="head-true"),
    R(TANH4, r"\hat{y}_1 + \hat{y}_2 + \hat{y}_3 = 1", "proved", "softmax sums to 1", id="deep-sum-true"),
    R(SIG11, r"\hat{y}_1 = \sigma(z^{(2)}_1)", "proved", "the sigmoid head", id="wide-head-true"),
]


@pytest.mark.parametrize("net, claim, given, expected, reason", NAMES + MEASURE_ZERO + BOUNDARIES + GIVENS + TINY)
def test_soundness_table(net, claim, given, expected, reason):
    r = check_claim(net, "c", claim, given, notation={"scalars": ["u", "v"]})
    assert r.verdict in ACCEPT[expected], (reason, r.verdict, r.message)
    if expected == "not-true" and r.verdict == "inconclusive":
        assert r.message                       # says why (a boundary it cannot build, a precision cap)


# ----------------------------------------------------------------------------------------------
# 1. every SymPy function the package defines


def _package_functions():
    out = []
    for info in pkgutil.walk_packages(symbackprop.__path__, "symbackprop."):
        mod = importlib.import_module(info.name)
        for obj in vars(mod).values():
            if inspect.isclass(obj) and issubclass(obj, sp.Function) and obj.__module__ == mod.__name__:
                out.append(obj)
    return out


# numeric definitions of package functions that have one (written here by hand); all others must refuse
DEFINITIONS = {}
LATEX = {"phi": r"\varphi\left(", "phi_prime": r"\varphi'\left("}


@pytest.mark.parametrize("arg", [sp.Integer(0), sp.Rational(1, 2), sp.Integer(-3), sp.Rational(7, 3)])
def test_every_package_function_refuses_numeric_evaluation_or_matches_its_definition(arg):
    funcs = _package_functions()
    assert {"phi", "phi_prime"} <= {f.__name__ for f in funcs}      # the walk finds them
    for F in funcs:
        v = F(arg)
        if F.__name__ in DEFINITIONS:
            assert abs(sp.N(v, 30) - DEFINITIONS[F.__name__](arg)) < sp.Float(10) ** -25
            continue
        # no value by name lookup (mpmath.phi is the golden ratio): evaluation leaves it unevaluated ...
        assert sp.N(v, 30).has(F) and v.evalf(50).has(F), F
        assert not v.is_comparable
        # ... and nothing decides a branch on it while a claim is being read
        assert (v > 1) not in (sp.true, sp.false) and (v < 1) not in (sp.true, sp.false)
        assert sp.Max(v, 1).has(F) and sp.Min(v, 1).has(F)
        assert isinstance(sp.Piecewise((1, v > 1), (0, True)), sp.Piecewise)
        if F.__name__ in LATEX:               # the textbook symbols still print as such
            assert sp.latex(v).startswith(LATEX[F.__name__])


# ----------------------------------------------------------------------------------------------
# 3. the general guard: no point on a boundary, no numerically-equal


@pytest.mark.parametrize("net, claim", [
    (TANH, r"\mathbb{1}\{u^2 \ge 2\} = \mathbb{1}\{u^2 > 2\}"),
    (RELU, r"\mathbb{1}\{\hat{y}_1 \ge \hat{y}_2\} = \mathbb{1}\{\hat{y}_1 > \hat{y}_2\}"),
    (TANH, r"\mathbb{1}\{a^{(1)}_1 > \frac{1}{2}\} = \mathbb{1}\{a^{(1)}_1 \ge \frac{1}{2}\}"),
    (RELU, r"\varphi'(u-1) + \varphi'(1-u) = 1"),
])
def test_a_boundary_without_an_exact_point_is_inconclusive(monkeypatch, net, claim):
    """With the boundary search switched off, the claims (false only on their boundary) agree at every
    point evaluated: the guard must say inconclusive, naming the boundary, never numerically-equal."""
    import symbackprop.samples as S
    monkeypatch.setattr(S, "_points_on", lambda *a, **k: [])
    monkeypatch.setattr(S, "_near_points", lambda *a, **k: [])
    r = check_claim(net, "c", claim)
    assert r.verdict == "inconclusive", r.message
    assert "boundary" in r.message


def test_a_boundary_outside_the_givens_needs_no_point(monkeypatch):
    import symbackprop.samples as S
    monkeypatch.setattr(S, "_points_on", lambda *a, **k: [])
    # u = 0 cannot meet u > 1 (decided exactly): nothing is missing; tanh(u) = exp(2u)-form is not provable
    r = check_claim(TANH, "c", r"\mathbb{1}\{u > 0\}\tanh(u) = \frac{\exp(2u) - 1}{\exp(2u) + 1}", (r"u > 1",))
    assert r.verdict == "numerically-equal", r.message


# ----------------------------------------------------------------------------------------------
# exact machinery (regions/, points.py)


@pytest.mark.parametrize("cond, empty", [
    ("(u - 1)**2 <= 0", False),                  # the point u = 1
    ("u**2 < 0", True),
    ("(u**2 < 2) & (u**3 > 3)", True),           # u < 1.414 and u > 1.442
    ("(u**2 >= 2) & (u**2 <= 2)", False),        # u = +-sqrt(2)
    ("(u > 1) & (u < 1)", True),
    ("(u - v <= 0) & (v - u <= 0)", False),      # the line u = v
    ("(u > v) & (v > u)", True),
    ("(u >= v) & (v >= w) & (w > u)", True),     # u >= v >= w > u
    ("(u >= v) & (v >= w) & (w >= u)", False),   # u = v = w
    ("u**2 + v**2 <= 0", False),                 # the origin (not decided: never "empty")
    ("(tanh(u) > 1) & (tanh(u) < 1)", True),     # contradictory whatever tanh(u) is
    ("Ne(u, 0) & (u**2 <= 0)", True),
])
def test_region_emptiness_is_exact(cond, empty):
    from symbackprop.regions import region_empty
    u, v, w = sp.symbols("u v w", real=True)
    expr = eval(cond, {"u": u, "v": v, "w": w, "tanh": sp.tanh, "Ne": sp.Ne})   # our own literal, not user text
    assert region_empty(expr) is empty


def test_exact_solutions_are_exact_and_verified():
    from symbackprop.regions import solve_real
    s = sp.Symbol("s", real=True)
    c = sp.Rational(3, 64)
    assert solve_real(sp.tanh(s) - sp.Rational(1, 2), s) == [sp.atanh(sp.Rational(1, 2))]
    assert solve_real(1 / (1 + sp.exp(-s)) - sp.Rational(1, 3), s) == [-sp.log(2)]
    assert solve_real(sp.exp(s) / (sp.exp(s) + sp.exp(c)) - sp.exp(c) / (sp.exp(s) + sp.exp(c)), s) == [c]
    assert set(solve_real(s ** 2 - 2, s)) == {sp.sqrt(2), -sp.sqrt(2)}
    assert solve_real(sp.Max(0, s) - 1, s) == [1]
    assert solve_real(s ** 2 + 1, s) == []


def test_exact_signs_decide_ties_and_tiny_differences():
    from symbackprop.regions import exact_sign
    a, b = sp.Rational(3, 64), sp.Rational(5, 64)
    softmax_sum = sp.exp(a) / (sp.exp(a) + sp.exp(b)) + sp.exp(b) / (sp.exp(a) + sp.exp(b))
    assert exact_sign(softmax_sum - 1) == 0
    assert exact_sign(softmax_sum - 1 - sp.Rational(1, 10 ** 200)) == -1
    assert exact_sign(sp.tanh(sp.atanh(sp.Rational(1, 2))) - sp.Rational(1, 2)) == 0
    r = sp.CRootOf(sp.Symbol("x") ** 3 - sp.Symbol("x") - 1, 0)
    assert exact_sign(r ** 3 - r - 1) == 0 and exact_sign(r - sp.Rational(4, 3)) == -1


def test_a_point_on_an_irrational_boundary_is_exact():
    from symbackprop.points import exact_values, force, node_values, sample_point
    from symbackprop.network import graph
    import random
    g = graph(TANH)
    p = force(TANH, sample_point(TANH, random.Random(1)), 1, 0, sp.atanh(sp.Rational(1, 2)))
    assert exact_values(g, p)[g.a[1][0]] == sp.Rational(1, 2)            # tanh(atanh(1/2)), exactly
    assert abs(node_values(g, p, 60)[g.a[1][0]] - sp.Rational(1, 2)) < sp.Float(10) ** -55
    q = force(TANH, sample_point(TANH, random.Random(2)), 2, 0, Fraction(1, 3))
    q = force(TANH, q, 2, 1, Fraction(1, 3))
    assert exact_values(g, q)[g.yhat[0]] == sp.Rational(1, 2)            # a softmax tie, exactly


# ----------------------------------------------------------------------------------------------
# 5. one symbolic budget per claim


def _spin(cpu_seconds):
    """Busy for ``cpu_seconds`` of this process's CPU time (the symbolic clock counts CPU, not the wall)."""
    end = time.process_time() + cpu_seconds
    while time.process_time() < end:
        pass


def test_the_symbolic_clock_is_shared_by_every_attempt_of_a_claim(monkeypatch):
    import symbackprop.budget as C
    monkeypatch.setattr(C, "_IN_WORKER", [True])
    clock = C._Clock(0.6)
    with clock.bound():
        _spin(0.3)
    assert 0.15 < clock.left < 0.35
    c0 = time.process_time()
    with pytest.raises(C._Budget):
        with clock.bound():
            _spin(2.0)                        # interrupted when what is left runs out
    assert time.process_time() - c0 < 1.0
    with pytest.raises(C._Budget):
        with clock.bound():
            pass                              # nothing left: no fresh timer


def test_the_symbolic_clock_counts_cpu_time_not_the_wall_clock(monkeypatch):
    """A sleep (the machine busy with others) uses none of the allowance: verdicts do not depend on load."""
    import symbackprop.budget as C
    monkeypatch.setattr(C, "_IN_WORKER", [True])
    clock = C._Clock(0.3)
    with clock.bound():
        time.sleep(0.6)                       # twice the allowance of wall time, almost no CPU
    assert clock.left > 0.2


def test_a_claim_with_many_instances_stays_within_one_symbolic_budget():
    """8 instances, each proof attempt slower than the budget: one budget for all (was 8 x budget)."""
    from symbackprop.runner import Limits
    from symbackprop.spec import ClaimSpec, DerivationSpec
    from symbackprop.suite import check_spec
    net = Network((2, 3, 8), output="identity", loss="mse")
    text = r"\hat{y}_i (x_1 + x_2)^{200} (x_1 - x_2)^{200} = \hat{y}_i (x_1^2 - x_2^2)^{200}"
    t0 = time.monotonic()
    r = check_spec(DerivationSpec("x.yaml", None, net, (ClaimSpec("c", text),)), Limits(timeout=60, workers=1),
                   CheckOptions(symbolic_seconds=1.0)).results[0]
    elapsed = time.monotonic() - t0
    assert r.verdict == "numerically-equal" and "time budget" in r.message, r.message
    assert elapsed < 60, elapsed        # the one-budget property itself: test_one_clock_bounds_every_attempt


def test_one_clock_bounds_every_attempt(monkeypatch):
    """The claim's symbolic clock: 8 attempts of 5 CPU seconds each under a 0.5 s allowance stop after 0.5 s
    of CPU in all (re-armed per attempt they would take 4 s), however loaded the machine."""
    import symbackprop.budget as C
    monkeypatch.setattr(C, "_IN_WORKER", [True])
    clock = C._Clock(0.5)
    c0 = time.process_time()
    stopped = 0
    for _ in range(8):
        try:
            with clock.bound():
                _spin(5)
        except C._Budget:
            stopped += 1
    assert stopped == 8 and time.process_time() - c0 < 2.5


DETERMINISM_SCRIPT = r"""
import json
from symbackprop import Network, check_claim
out = []
for net, claim in [(Network((3, 4, 4, 3)), r"\varphi'(z^{(1)}_1)\varphi'(z^{(2)}_1) = \mathbb{1}\{z^{(1)}_1 \ge 0\}\mathbb{1}\{z^{(2)}_1 > 0\} + \mathbb{1}\{z^{(1)}_1 > 0\}\mathbb{1}\{z^{(2)}_1 \ge 0\} - \mathbb{1}\{z^{(1)}_1 \ge 0\}\mathbb{1}\{z^{(2)}_1 \ge 0\}"),
                   (Network((2, 3, 2)), r"\mathbb{1}\{\hat{y}_1 \ge \hat{y}_2\} = \mathbb{1}\{\hat{y}_1 > \hat{y}_2\}")]:
    d = check_claim(net, "c", claim).to_dict()
    d.pop("seconds")
    out.append(d)
print(json.dumps(out, sort_keys=True))
"""


def test_boundary_points_do_not_depend_on_the_hash_seed():
    import os
    import subprocess
    import sys
    from pathlib import Path
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).resolve().parents[1])
        assert done.returncode == 0, done.stderr[-2000:]
        runs.append(done.stdout.strip().splitlines()[-1])
    assert runs[0] == runs[1]


# exact sample points carry exponentials such as exp(70706321/16777216): exact rewriting of those would build a
# polynomial of degree 70 million in exp(1/16777216) (minutes, gigabytes); the solver and the zero test refuse them
# ("not shown") and the claim is still decided from its other evidence
def test_exponentials_of_exact_points_are_not_rewritten_as_huge_polynomials():
    from symbackprop.regions import is_exact_zero, small_exp_degree, solve_real
    T = sp.Symbol("T")
    big = sp.exp(sp.Rational(70706321, 16777216))
    assert not small_exp_degree(big - 1) and small_exp_degree(sp.exp(sp.Rational(21, 64)) - 1)
    # plain cancellation keeps such atoms apart: a softmax of an exact point still sums to exactly 1
    e1, e2 = sp.exp(sp.Rational(70706321, 16777216)), sp.exp(sp.Rational(-177794059, 8388608))
    assert is_exact_zero(e1 / (e1 + e2) + e2 / (e1 + e2) - 1) and not is_exact_zero(big - 2)
    assert solve_real(T ** 2 * big - 2 * T * sp.exp(sp.Rational(177794059, 16777216)) - 1, T) is None


@pytest.mark.parametrize("claim, verdict", [
    (r"\|\hat{y} - y\|_2 \ge 0", "proved"),
    (r"\|\hat{y} - y\|^2 \le 1", "refuted"),       # ŷ far from the one-hot y: up to 2
])
def test_norm_inequalities_over_the_softmax_are_decided(claim, verdict):
    from symbackprop.runner import Limits
    from symbackprop.spec import ClaimSpec, DerivationSpec
    from symbackprop.suite import check_spec
    spec = DerivationSpec("n.yaml", None, Network((3, 4, 4, 3)), (ClaimSpec("c", claim),))
    (r,) = check_spec(spec, Limits(timeout=120, memory_mb=2048, workers=1)).results
    assert r.verdict == verdict, r.message


# ----------------------------------------------------------------------------------------------
# 5. a one-hot target: proved class by class (only the classes the givens allow), log softmax split exactly.
#    Each expectation by hand: y is one of e_1, e_2, e_3 (cross-entropy's target), ŷ = softmax(z^(3)).

_ONEHOT = "the target is one-hot: y is one of the C unit vectors (each proved in turn)"
ONEHOT = [
    R(RELU4, r"\mathcal{L} = -\log \hat{y}_2", "proved", "y = e_2: L = -log yhat_2", given=[r"y_2 = 1"],
      id="onehot-given-class"),
    R(RELU4, r"\mathcal{L} = -\log \hat{y}_2", "refuted", "y = e_1: L = -log yhat_1", given=[r"y_1 = 1"],
      id="onehot-given-other-class"),
    R(RELU4, r"y_1^2 = y_1", "proved", "y_1 is 0 or 1", id="onehot-idempotent"),
    R(RELU4, r"y_1 y_2 = 0", "proved", "one class only", id="onehot-disjoint"),
    R(RELU4, r"y_1^2 = y_1 y_2", "refuted", "y = e_1: 1 against 0", id="onehot-idempotent-wrong"),
    R(RELU4, r"y_1 + y_2 = 1", "refuted", "y = e_3", id="onehot-two-classes-sum"),
    R(RELU4, r"\mathcal{L} = -y_1 \log \hat{y}_1 - y_2 \log \hat{y}_2", "proved", "the given rules out e_3",
      given=[r"y_1 + y_2 = 1"], id="onehot-given-two-classes"),
    R(RELU4, r"\mathcal{L} = -y_1 \log \hat{y}_1 - y_2 \log \hat{y}_2", "refuted", "y = e_3: -log yhat_3 vs 0",
      id="onehot-two-classes-no-given"),
    R(RELU4, r"\mathcal{L} = -\log \hat{y}_1", "refuted", "y_2 = 0 still allows e_3", given=[r"y_2 = 0"],
      id="onehot-given-zero-wrong"),
    R(RELU4, r"\log \hat{y}_k = z^{(3)}_k - \log\sum_j e^{z^{(3)}_j}", "proved", "log softmax", id="log-softmax"),
    R(RELU4, r"\log \hat{y}_1 = z^{(3)}_2 - \log\sum_j e^{z^{(3)}_j}", "refuted", "another class's score",
      id="log-softmax-index"),
    R(RELU4, r"\log \hat{y}_1 = z^{(3)}_1 - \sum_j z^{(3)}_j", "refuted", "no log-sum-exp",
      id="log-softmax-no-lse"),
    R(RELU4, r"\mathcal{L} = -z^{(3)}_2 + \log\sum_j e^{z^{(3)}_j}", "proved", "y = e_2", given=[r"y_2 = 1"],
      id="lse-loss-given"),
    R(RELU4, r"\mathcal{L} = -z^{(3)}_2 + \log\sum_j e^{z^{(3)}_j}", "refuted", "y = e_3", given=[r"y_3 = 1"],
      id="lse-loss-given-other"),
    R(RELU4, r"\mathcal{L} = -\sum_k y_k z^{(3)}_k + \log\sum_j e^{z^{(3)}_j}", "proved", "sum_k y_k = 1",
      id="lse-loss-sum"),
]


@pytest.mark.parametrize("net, claim, given, expected, reason", ONEHOT)
def test_onehot_targets(net, claim, given, expected, reason):
    r = check_claim(net, "c", claim, given)
    assert r.verdict in ACCEPT[expected], (reason, r.verdict, r.message)
    if r.verdict == "proved" and "y" in claim.replace("\\hat{y}", ""):
        assert r.assumptions, r.message            # says which assumption the proof used


def test_the_target_case_split_is_an_exact_proof_for_each_allowed_class():
    """The exact proof alone (no sampled point can hide a wrong case): true claims proved with the one-hot
    assumption named, false ones never, whichever classes the givens leave."""
    from symbackprop.network import graph
    from symbackprop.proofs import ONEHOT_CASES, _prove_by_target_cases, _try_prove
    g, one = graph(RELU4), sp.Integer(1)

    def cases(a, b, conds=()):                # the case split alone, on the node symbols
        return _prove_by_target_cases(sp.Matrix([a - b]), g, conds, lambda e: e, {})

    y, yh = list(g.y), list(g.yhat)
    L = -sp.Add(*[a * sp.log(b) for a, b in zip(y, yh)])
    assert _try_prove(sp.Matrix([L]), sp.Matrix([-sp.log(yh[1])]), g, ((y[1], "=", one),)) == \
        ("generic", (ONEHOT_CASES,))
    assert _try_prove(sp.Matrix([y[0] ** 2]), sp.Matrix([y[0]]), g, ()) == ("generic", (ONEHOT_CASES,))
    assert cases(L, -sp.log(yh[1]), ((y[1], "=", one),))
    assert not cases(L, -sp.log(yh[1]), ((y[0], "=", one),))          # y = e_1
    assert not cases(L, -sp.log(yh[1]))
    assert cases(y[0] ** 2, y[0]) and cases(y[0] * y[2], 0)
    assert not cases(y[0] ** 2, y[0] * y[1])
    two = -y[0] * sp.log(yh[0]) - y[1] * sp.log(yh[1])
    assert cases(L, two, ((y[0] + y[1], "=", one),))                  # e_3 ruled out
    assert not cases(L, two, ((y[0] + y[1], "<=", one),))             # e_3 allowed
    assert not cases(L, two, ((y[0], "=", one), (y[1], "=", one)))    # no class left: no vacuous proof
    assert ONEHOT_CASES.text == _ONEHOT
