r"""Trivial claims: sides that are the same quantity once δ ≡ ∂L/∂z, ∇ ≡ ∂, ŷ ≡ a^(L) are unfolded.

The tables are written by hand: each TRIVIAL row holds on every network by definition alone; each
NOT_TRIVIAL row is true on the course network but needs a fact of it (the derived δ, a forward definition,
the chain rule through the graph, the head's Jacobian) -- so a decision made on the evaluated sides
(where δ^(L-1) and (W^(L-1))ᵀδ^(L) ⊙ φ'(z^(L-1)) are the same matrix) would wrongly call them trivial.
"""
import pytest

from symbackprop.check import check_claim
from symbackprop.network import Network
from symbackprop.notation import parse_claim
from symbackprop.trivial import trivial_reason

NET = Network((3, 4, 4, 3))          # relu hidden, softmax + cross-entropy, L = 3

TRIVIAL = [
    r"\delta^{(L)} = \delta^{(L)}",
    r"\mathcal{L} = \mathcal{L}",
    r"\delta^{(L)} = \frac{\partial \mathcal{L}}{\partial z^{(L)}}",
    r"\delta^{(L)}_i = \frac{\partial \mathcal{L}}{\partial z^{(L)}_i}",
    r"\delta^{(L)}_i = \left[\delta^{(L)}\right]_i",
    r"\nabla_{W^{(1)}} \mathcal{L} = \frac{\partial \mathcal{L}}{\partial W^{(1)}}",
    r"\nabla_{b^{(l)}} \mathcal{L} = \frac{\partial \mathcal{L}}{\partial b^{(l)}}",
    r"\hat{y} = a^{(L)}",
    r"a^{(0)} = x",
    r"\hat{y} - y = -(y - \hat{y})",
    r"\delta^{(l)} = \delta^{(l)}",
    r"2 \delta^{(L)} = \delta^{(L)} + \frac{\partial \mathcal{L}}{\partial z^{(L)}}",
    r"\delta^{(L)} = \hat{y} - y = \delta^{(L)}",                       # a chain: its first and last sides
    r"\sum_{k=1}^{C} y_k = y_1 + y_2 + y_3",
    r"d_L = d_3",
]

NOT_TRIVIAL = [
    r"\delta^{(L)} = \hat{y} - y",
    r"\hat{y} - y = \delta^{(L)}",
    r"\delta^{(L-1)} = (W^{(L-1)})^T \delta^{(L)} \odot \varphi'(z^{(L-1)})",
    r"\nabla_{b^{(1)}} \mathcal{L} = \delta^{(2)}",
    r"\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)} (a^{(L-1)})^T",
    r"\frac{\partial z^{(L)}}{\partial a^{(L-1)}} = W^{(L-1)}",
    r"\frac{\partial \mathcal{L}}{\partial x} = (W^{(0)})^T \delta^{(1)}",
    r"\mathcal{L} = -\sum_{k=1}^{C} y_k \log \hat{y}_k",
    r"\varphi(u) = \max(0, u)",
    r"\varphi'(0) = 0",
    r"\hat{y} = \operatorname{softmax}(z^{(L)})",
    r"z^{(L)} = W^{(L-1)} a^{(L-1)} + b^{(L-1)}",
    r"a^{(1)} = \varphi(z^{(1)})",
    r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_k(\delta_{ik} - \hat{y}_i)",
    r"\delta^{(L)}_i = \sum_{k=1}^{C} \frac{\partial \mathcal{L}}{\partial \hat{y}_k} \frac{\partial \hat{y}_k}{\partial z^{(L)}_i}",
    r"\delta^{(L)} = \delta^{(L)} = \hat{y} - y",                       # first vs last side: not trivial
    r"\delta^{(L)} \neq 0",
    r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})",
    r"d_1 = 4",                                                         # the network's width: read off it
]


@pytest.mark.parametrize("text", TRIVIAL)
def test_trivial(text):
    assert trivial_reason(parse_claim(text, NET), NET) is not None


@pytest.mark.parametrize("text", NOT_TRIVIAL)
def test_not_trivial(text):
    assert trivial_reason(parse_claim(text, NET), NET) is None


def test_check_notes_a_trivial_claim_and_only_that():
    r = check_claim(NET, "t", r"\delta^{(L)} = \frac{\partial \mathcal{L}}{\partial z^{(L)}}")
    assert r.verdict == "proved" and "note: trivial" in r.message
    r = check_claim(NET, "n", r"\delta^{(L)} = \hat{y} - y")
    assert r.verdict == "proved" and "trivial" not in r.message
    r = check_claim(NET, "f", r"\delta^{(L)} = y - \hat{y}")         # refuted: no note about triviality
    assert r.verdict == "refuted" and "trivial" not in r.message
