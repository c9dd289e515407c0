r"""display.py: readable repr/str of the data classes and typeset claims in notebooks (never the user's TeX)."""
import re

import pytest

from symbackprop import Network, check_claim, derive
from symbackprop.spec import load_spec_text
from symbackprop.suite import check_spec

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPEC = r"""
network: {sizes: [2, 3, 2]}
title: notebook
claims:
  - id: output-error
    claim: \delta^{(L)} = \hat{y} - y
  - id: flipped
    expect: false
    claim: \delta^{(L)} = y - \hat{y}
  - id: html
    claim: <script>alert(1)</script> \catcode
"""


def test_a_derivation_repr_is_one_short_line():
    d = derive(Network((3, 4, 4, 3)))
    text = repr(d)
    assert text == ("<Derivation of sizes 3-4-4-3, relu hidden, softmax + cross_entropy, outgoing weights, "
                    "relu'(0) = 0: δ^(1..3), ∇W, ∇b for W^(0..2)>")
    assert str(d) == text and "Matrix" not in text


def test_a_claim_result_repr_str_and_latex():
    r = check_claim(Network((2, 3, 2)), "c1", r"\delta^{(L)} = y - \hat{y}")
    assert repr(r) == "<ClaimResult c1: refuted (step 1, diagnosis sign)>"
    text = str(r)
    assert text.splitlines()[0].startswith("  ✗ c1") and "diagnosis: sign" in text and "ŷ_" in text
    assert r._repr_latex_() == (r"$$\mathrm{c1}:\quad \delta^{(L)} = y - \hat{y}\qquad \textbf{refuted}"
                                r"\ (\text{not as expected})$$")


@pytest.fixture(scope="module")
def report():
    return check_spec(load_spec_text(SPEC, "notebook.yaml"), inline=True)


def test_a_report_repr_and_str(report):
    assert repr(report) == "<FileReport notebook.yaml: 3 claims, 1 proved, 1 refuted, 1 error — some not as expected>"
    assert str(report).splitlines()[0] == "notebook.yaml — notebook"


def test_the_html_report_typesets_read_claims_and_escapes_the_rest(report):
    page = report._repr_html_()
    assert r"\(\delta^{(L)} = \hat{y} - y\)" in page and r"\(\delta^{(L)} = y - \hat{y}\)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    # the unread claim is source text in <code>, never inside \( \)
    unread = re.search(r"<code>([^<]*catcode[^<]*)</code>", page)
    assert unread and "\\(" not in unread.group(1)
    assert page.count("\\(") == 2
