r"""Adversarial claims on mini-batch, rows-layout, weight-decay and no-bias networks (issue 12, items 3-6).

Every expectation is written by hand from the mathematics, never computed with the code under test:
true closed forms must be ``proved``; the slips courses see (a missing 1/m, W A for A W, a missing λW,
a transposed all-ones vector, decay on a bias, lower-case one-example letters in a batch) must be
``refuted`` or a clear ``error`` — never ``proved``.

Networks:

    BR   sizes 2-3-2, ReLU, softmax + CE, incoming weights, batch 3 (mean), rows layout, l2 = 1/10:
         Z^(l) = A^(l-1) W^(l) + 1 b^(l), L = (1/3) Σ_n CE_n + (1/20) Σ ||W||².
    BC   sizes 2-2-2, tanh, sigmoid + mse, incoming weights, batch 2 (sum), columns:
         Z^(l) = W^(l) A^(l-1) + b^(l) 1ᵀ, L = Σ_n ½||ŷ_n − y_n||².
    NB   sizes 2-3-2, sigmoid, identity + mse, outgoing weights, one example, no biases, l2 = 1/2.
    B1   sizes 2-2-2, ReLU, identity + mse, outgoing weights, batch 1 in rows layout (x is a 1 x 2 row).
    NL   as NG with one example and l2 = 1 (deeplearning.ai writes λ/(2m) Σ‖W‖²: its λ is refused).
    CS   sizes 2-3-2, softmax + CE, batch 2 in rows, read in the cs231n preset (L_i is one example's loss).
    NG   sizes 2-3-2, ReLU, sigmoid + BCE, incoming weights, batch 2 (mean), columns, read in the deeplearning-ai
         preset: J is the mean cost, dW = ∂J/∂W; its dZ^{[L]} = A^{[L]} − Y is m·∂J/∂Z, so dZ is refused.
"""
from __future__ import annotations

from fractions import Fraction

import pytest

from symbackprop import Limits, Network, check_spec
from symbackprop.spec import ClaimSpec, DerivationSpec

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NETS = {
    "BR": Network((2, 3, 2), weights="incoming", batch=3, layout="rows", l2=Fraction(1, 10)),
    "BC": Network((2, 2, 2), "tanh", "sigmoid", "mse", weights="incoming", batch=2, reduction="sum"),
    "NB": Network((2, 3, 2), "sigmoid", "identity", "mse", bias=False, l2=Fraction(1, 2)),
    "B1": Network((2, 2, 2), "relu", "identity", "mse", layout="rows"),
    "NG": Network((2, 3, 2), "relu", "sigmoid", "bce", weights="incoming", batch=2),
    "NL": Network((2, 3, 2), "relu", "sigmoid", "bce", weights="incoming", l2=1),
    "CS": Network((2, 3, 2), "relu", "softmax", "cross_entropy", weights="incoming", batch=2, layout="rows"),
    "GF": Network((3, 4, 2), "relu", "softmax", "cross_entropy", weights="incoming", l2=Fraction(1, 100)),
    "DL": Network((3, 4, 2), "relu", "softmax", "cross_entropy", l2=Fraction(1, 100)),
}
NOTATION = {"NG": "deeplearning-ai", "NL": "deeplearning-ai", "CS": "cs231n", "GF": "goodfellow"}
ACCEPT = {"proved": {"proved"}, "false": {"refuted"}, "error": {"error"}, "false|error": {"refuted", "error"}}
P, F, E, FE = "proved", "false", "error", "false|error"

ROWS = [
    # GF: Goodfellow's J is the regularized objective: with weight decay in the network it is the network's loss
    ("GF", "J-grad-b", P, r"\nabla_{b^{(2)}} J = \nabla_{a^{(2)}} J", "biases are not decayed"),
    ("GF", "J-out", P, r"\nabla_{a^{(2)}} J = \hat{y} - y", "the decay does not touch a"),
    ("GF", "J-grad-W-spaced", P, r"\nabla_{W^{(2)}} J = \nabla_{a^{(2)}} J \, (h^{(1)})^\top + \frac{1}{100} W^{(2)}",
     "the spacing makes J \\, (h)^T a product, not J of h"),
    ("GF", "J-grad-W-no-decay", F, r"\nabla_{W^{(2)}} J = \nabla_{a^{(2)}} J \, (h^{(1)})^\top", "missing λW"),
    ("GF", "L-data-loss", E, r"L(\hat{y}, y) = -\sum_{k=1}^{2} y_k \log \hat{y}_k", "the data loss is not a quantity here"),
    # DL: the default notation with weight decay: L(ŷ, y) would be the data loss, \mathcal{L} is the whole objective
    ("DL", "loss-call", E, r"\mathcal{L}(\hat{y}, y) = -\sum_{k=1}^{2} y_k \log \hat{y}_k", "the data loss alone"),
    ("DL", "grad-W", P, r"\nabla_{W^{(1)}} \mathcal{L} = \delta^{(2)} (a^{(1)})^T + \lambda W^{(1)}", "δ aᵀ + λW"),
    # BR: rows layout, mean over 3 examples, weight decay 1/10
    ("BR", "forward", P, r"Z^{(1)} = X W^{(1)} + \mathbf{1} b^{(1)}", "the rows-layout forward pass"),
    ("BR", "forward-WX", FE, r"Z^{(1)} = (W^{(1)})^{\top} X^{\top} + \mathbf{1} b^{(1)}", "columns order in rows: 3x3 vs 3x2"),
    ("BR", "out", P, r"\Delta^{(2)} = \frac{1}{m}(\hat{Y} - Y)", "mean over m = 3, Σ_k y_k = 1 per example"),
    ("BR", "out-3", P, r"\Delta^{(2)} = \frac{1}{3}(\hat{Y} - Y)", "m is 3"),
    ("BR", "out-no-m", F, r"\Delta^{(2)} = \hat{Y} - Y", "missing 1/m"),
    ("BR", "out-m", F, r"\Delta^{(2)} = m(\hat{Y} - Y)", "m instead of 1/m"),
    ("BR", "out-entry", P, r"\Delta^{(2)}_{31} = \frac{1}{3}(\hat{Y}_{31} - Y_{31})", "example 3, class 1"),
    ("BR", "out-entry-swapped", F, r"\Delta^{(2)}_{31} = \frac{1}{3}(\hat{Y}_{32} - Y_{32})", "another class"),
    ("BR", "gW2", P, r"\nabla_{W^{(2)}} \mathcal{L} = (A^{(1)})^{\top} \Delta^{(2)} + \lambda W^{(2)}", "rows: Aᵀ Δ + λW"),
    ("BR", "gW2-no-decay", F, r"\nabla_{W^{(2)}} \mathcal{L} = (A^{(1)})^{\top} \Delta^{(2)}", "missing λW"),
    ("BR", "gW2-double-decay", F, r"\nabla_{W^{(2)}} \mathcal{L} = (A^{(1)})^{\top} \Delta^{(2)} + 2 \lambda W^{(2)}",
     "λW, not 2λW: the decay is λ/2 ||W||²"),
    ("BR", "gW2-columns-order", FE, r"\nabla_{W^{(2)}} \mathcal{L} = \Delta^{(2)} (A^{(1)})^{\top} + \lambda W^{(2)}",
     "columns form in rows layout: 3x2 · 3x3 mismatch"),
    ("BR", "gW1", P, r"\nabla_{W^{(1)}} \mathcal{L} = X^{\top} \Delta^{(1)} + \lambda W^{(1)}", "input layer"),
    ("BR", "gW1-lambda-value", P, r"\nabla_{W^{(1)}} \mathcal{L} = X^{\top} \Delta^{(1)} + \frac{1}{10} W^{(1)}",
     "λ = 1/10"),
    ("BR", "gb2", P, r"\nabla_{b^{(2)}} \mathcal{L} = \mathbf{1}^{\top} \Delta^{(2)}", "1ᵀ Δ sums the examples"),
    ("BR", "gb2-not-transposed", E, r"\nabla_{b^{(2)}} \mathcal{L} = \mathbf{1} \Delta^{(2)}", "3x1 times 3x2"),
    ("BR", "gb2-decayed", F, r"\nabla_{b^{(2)}} \mathcal{L} = \mathbf{1}^{\top} \Delta^{(2)} + \lambda b^{(2)}",
     "biases are not decayed"),
    ("BR", "gb2-mean-twice", F, r"\nabla_{b^{(2)}} \mathcal{L} = \frac{1}{m} \mathbf{1}^{\top} \Delta^{(2)}",
     "Δ already holds 1/m"),
    ("BR", "hidden", P, r"\Delta^{(1)} = \Delta^{(2)} (W^{(2)})^{\top} \odot \mathbb{1}\{Z^{(1)} > 0\}", "rows: Δ Wᵀ"),
    ("BR", "hidden-no-prime", F, r"\Delta^{(1)} = \Delta^{(2)} (W^{(2)})^{\top}", "missing φ'"),
    ("BR", "dX", P, r"\frac{\partial \mathcal{L}}{\partial X} = \Delta^{(1)} (W^{(1)})^{\top}", "∂L/∂X in rows"),
    ("BR", "one-example-letter", E, r"\delta^{(2)} = \hat{y} - y", "δ names one example in a batch of 3"),
    ("BR", "lower-z", E, r"z^{(1)} = X W^{(1)} + \mathbf{1} b^{(1)}", "z is one example's"),
    ("BR", "ones-sum", P, r"\mathbf{1}^{\top} \mathbf{1} = m", "1ᵀ1 = m"),
    ("BR", "softmax-rows-sum", P, r"\hat{Y}_{21} + \hat{Y}_{22} = 1", "each example's ŷ sums to 1"),
    ("BR", "softmax-column-sum", F, r"\hat{Y}_{11} + \hat{Y}_{21} = 1", "two examples' first class"),
    # BC: columns, sum over 2 examples, sigmoid + mse, tanh hidden
    ("BC", "out", P, r"\Delta^{(2)} = (\hat{Y} - Y) \odot \hat{Y} \odot (1 - \hat{Y})", "sum: no 1/m"),
    ("BC", "out-mean", F, r"\Delta^{(2)} = \frac{1}{m}(\hat{Y} - Y) \odot \hat{Y} \odot (1 - \hat{Y})", "sum, not mean"),
    ("BC", "gW2", P, r"\nabla_{W^{(2)}} \mathcal{L} = \Delta^{(2)} (A^{(1)})^{\top}", "columns: Δ Aᵀ, no decay"),
    ("BC", "gW2-swapped", F, r"\nabla_{W^{(2)}} \mathcal{L} = A^{(1)} (\Delta^{(2)})^{\top}", "the transpose (2x2)"),
    ("BC", "gb2", P, r"\nabla_{b^{(2)}} \mathcal{L} = \Delta^{(2)} \mathbf{1}", "columns: Δ 1"),
    ("BC", "gb2-row-ones", E, r"\nabla_{b^{(2)}} \mathcal{L} = \Delta^{(2)} \mathbf{1}^{\top}", "2x2 times 1x2"),
    ("BC", "gb2-first-example", F, r"\nabla_{b^{(2)}_1} \mathcal{L} = \Delta^{(2)}_{11}", "one example only"),
    ("BC", "gb2-entry", P, r"\nabla_{b^{(2)}_1} \mathcal{L} = \Delta^{(2)}_{11} + \Delta^{(2)}_{12}", "both examples"),
    ("BC", "forward", P, r"Z^{(1)} = W^{(1)} X + b^{(1)} \mathbf{1}^{\top}", "b 1ᵀ"),
    ("BC", "forward-broadcast", E, r"Z^{(1)} = W^{(1)} X + b^{(1)}", "NumPy broadcasting is not a sum of 2x2 and 2x1"),
    ("BC", "lambda-without-l2", E, r"\nabla_{W^{(2)}} \mathcal{L} = \Delta^{(2)} (A^{(1)})^{\top} + \lambda W^{(2)}",
     "no weight decay declared"),
    # NB: no biases, weight decay 1/2, one example
    ("NB", "gW", P, r"\nabla_{W^{(1)}} \mathcal{L} = \delta^{(2)} (a^{(1)})^{\top} + \lambda W^{(1)}", "δ aᵀ + λW"),
    ("NB", "gW-half", P, r"\nabla_{W^{(1)}} \mathcal{L} = \delta^{(2)} (a^{(1)})^{\top} + \frac{1}{2} W^{(1)}", "λ = 1/2"),
    ("NB", "gW-no-decay", F, r"\nabla_{W^{(0)}} \mathcal{L} = \delta^{(1)} x^{\top}", "missing λW"),
    ("NB", "forward", P, r"z^{(1)} = W^{(0)} x", "no bias"),
    ("NB", "bias", E, r"\nabla_{b^{(1)}} \mathcal{L} = \delta^{(2)}", "b does not exist: names the bias key"),
    ("NB", "out", P, r"\delta^{(2)} = \hat{y} - y", "identity + mse, decay does not touch δ"),
    ("NB", "loss", P, r"\mathcal{L} = \frac{1}{2} \sum_{k=1}^{2} (\hat{y}_k - y_k)^2 + \frac{\lambda}{2} "
     r"\sum_{i=1}^{3} \sum_{j=1}^{2} (W^{(0)}_{ij})^2 + \frac{\lambda}{2} \sum_{i=1}^{2} \sum_{j=1}^{3} (W^{(1)}_{ij})^2",
     "the decayed loss"),
    ("NB", "loss-no-decay", F, r"\mathcal{L} = \frac{1}{2} \sum_{k=1}^{2} (\hat{y}_k - y_k)^2", "decay is in the loss"),
    # B1: one example in rows layout: x is a 1 x 2 row
    ("B1", "forward", P, r"z^{(1)} = x W^{(0)} + b^{(0)}", "a row: x W + b"),
    ("B1", "forward-columns", FE, r"z^{(1)} = (W^{(0)})^{\top} x^{\top} + b^{(0)}", "a column plus a row"),
    ("B1", "gW", P, r"\nabla_{W^{(1)}} \mathcal{L} = (a^{(1)})^{\top} \delta^{(2)}", "aᵀ δ, W is 2x2 (d_in x d_out)"),
    ("B1", "gW-columns", F, r"\nabla_{W^{(1)}} \mathcal{L} = (\delta^{(2)})^{\top} a^{(1)}", "the transpose"),
    ("B1", "gb", P, r"\nabla_{b^{(1)}} \mathcal{L} = \delta^{(2)}", "a row, like b"),
    # NG: deeplearning.ai's batch notation
    ("NG", "forward", P, r"Z^{[1]} = W^{[1]} X + b^{[1]} \mathbf{1}^T", "Z = W X + b 1ᵀ"),
    ("NG", "dZ", E, r"dZ^{[2]} = A^{[2]} - Y", "dZ is m·∂J/∂Z in the course, ∂J/∂Z by the d-prefix: ambiguous"),
    ("NG", "dJdZ", P, r"\frac{\partial J}{\partial Z^{[2]}} = \frac{1}{m} (A^{[2]} - Y)", "∂J/∂Z of the mean"),
    ("NG", "dW", P, r"dW^{[2]} = \frac{1}{m} (A^{[2]} - Y) A^{[1]T}", "the course's dW"),
    ("NG", "dW-no-m", F, r"dW^{[2]} = (A^{[2]} - Y) A^{[1]T}", "missing 1/m"),
    ("NG", "db-sum-m", P, r"db^{[2]}_1 = \frac{1}{m} \sum_{i=1}^{m} (A^{[2]} - Y)_{1i}", "the sum over examples runs to m"),
    ("NG", "db-sum-m-no-mean", F, r"db^{[2]}_1 = \sum_{i=1}^{m} (A^{[2]} - Y)_{1i}", "missing 1/m"),
    ("NG", "db-sum-m-short", F, r"db^{[2]}_1 = \frac{1}{m} \sum_{i=1}^{1} (A^{[2]} - Y)_{1i}", "one example of two"),
    ("NG", "per-example-loss", E, r"\mathcal{L} = J", "the course's \\mathcal{L} is one example's loss"),
    ("NG", "cost", P, r"J = J", "J is the batch cost"),
    # NL: deeplearning.ai with weight decay: its λ multiplies 1/(2m), and its \mathcal{L}, J have no decay
    ("NL", "lambda", E, r"dW^{[1]} = dz^{[1]} x^T + \lambda W^{[1]}", "λ/(2m) in the course vs λ/2"),
    ("NL", "data-loss", E, r"\mathcal{L} = J", "the course's losses have no decay term"),
    ("NL", "dW-number", P, r"dW^{[1]} = dz^{[1]} x^T + W^{[1]}", "λ = 1 written as a number"),
    # CS: CS231n's per-example L_i in a batch
    ("CS", "L_i", E, r"\frac{\partial L_i}{\partial f_k} = p_k - \mathbb{1}(y_i = k)", "L_i is one example's loss"),
    ("B1", "gb-column", FE, r"\nabla_{b^{(1)}} \mathcal{L} = (\delta^{(2)})^{\top}", "1x2 vs 2x1"),
]


def _profile(name):
    from symbackprop.notation import profile
    return None if name is None else profile(name)


@pytest.fixture(scope="module")
def verdicts():
    out = {}
    for net in NETS:
        prof = _profile(NOTATION.get(net))
        claims = tuple(ClaimSpec(f"{net}-{rid}", claim, (), notation=prof) for n, rid, _, claim, _ in ROWS if n == net)
        spec = DerivationSpec("batches.yaml", net, NETS[net], claims, notation=prof)
        report = check_spec(spec, Limits(timeout=120, workers=2))
        out.update({r.id: r for r in report.results})
    return out


def test_ids_are_unique():
    ids = [(r[0], r[1]) for r in ROWS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("net, rid, expect, claim, why", ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
def test_batch_adversarial(net, rid, expect, claim, why, verdicts):
    r = verdicts[f"{net}-{rid}"]
    assert r.verdict in ACCEPT[expect], f"expected {expect} ({why}); got {r.verdict}: {(r.message or '')[:300]}"
    if r.verdict == "error" and rid == "bias":
        assert "bias" in r.message
