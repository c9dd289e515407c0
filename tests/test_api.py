"""The public API is pinned, and results render in notebooks (LaTeX and escaped HTML)."""
import re

import symbackprop
from symbackprop import Network, check_spec, derive, load_spec_text

PUBLIC = [
    "Network", "graph", "Derivation", "derive", "ClosedForm", "closed_forms", "verify",
    "CheckOptions", "ClaimResult", "check_claim", "load_spec", "load_spec_text", "Limits",
    "FileReport", "check_spec", "export_document", "export_report",
    "SymbackpropError", "ConfigError", "NotationError", "SpecError",
]


def test_all_is_pinned_and_importable():
    assert symbackprop.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(symbackprop, name) is not None, name
    assert callable(symbackprop.derive) and callable(symbackprop.check_claim)


def test_python_api_end_to_end():
    """Build a network, derive, check a claim, export: the four jobs in a few lines."""
    net = Network((2, 3, 2))
    d = derive(net)
    assert d.grad_W[0].shape == (3, 2)
    assert symbackprop.check_claim(net, "out", r"\delta^{(L)} = \hat{y} - y").verdict == "proved"
    assert symbackprop.check_claim(net, "out", r"\delta^{(L)} = y - \hat{y}").diagnosis == "sign"
    assert symbackprop.export_document(net).startswith("\\documentclass")


def test_network_and_derivation_render_as_latex():
    net = Network((3, 4, 3), weights="incoming")
    tex = net._repr_latex_()
    assert tex.startswith("$$") and tex.endswith("$$") and r"3 \to 4 \to 3" in tex
    assert r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}" in tex and r"\mathrm{cross\_entropy}" in tex
    forms = derive(net)._repr_latex_()
    assert r"\delta^{(2)} &= \hat{y} - y" in forms and r"\delta^{(L)}" not in forms    # one labelling
    assert r"\nabla_{W^{(2)}}\mathcal{L} &= \delta^{(2)}\,(a^{(1)})^{\top}" in forms
    assert forms.count(r"\\") == forms.count("&=") - 1


SPEC = r"""
network: {sizes: [2, 3, 2]}
title: <b>bold</b> & co
claims:
  - id: output-error
    claim: \delta^{(L)} = \hat{y} - y
  - id: flipped
    claim: \delta^{(L)} = y - \hat{y}
  - id: html
    claim: <script>alert(1)</script>
"""


def test_report_renders_as_escaped_html_and_latex():
    rep = check_spec(load_spec_text(SPEC, "notebook.yaml"), inline=True)
    assert [r.verdict for r in rep.results] == ["proved", "refuted", "error"]
    page = rep._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>bold</b>" not in page
    assert len(re.findall(r"<tr>", page)) == 1 + 3
    assert "diagnosis: sign" in page and "fails at step 1" in page
    tex = rep._repr_latex_()
    assert r"\textbf{proved}" in tex and r"\textbf{refuted}" in tex
    assert "script" not in tex                           # unreadable claims are never typeset


def test_readme_derivation_example_checks_as_documented():
    """The YAML example in the README is a valid file and ends as its comments say."""
    import os
    readme = open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "README.md"), encoding="utf-8").read()
    example = readme.split("```yaml", 1)[1].split("```", 1)[0]
    rep = check_spec(load_spec_text(example, "README.md"), inline=True)
    assert [(r.id, r.verdict) for r in rep.results] == [
        ("output-error", "proved"), ("dead-neuron", "proved"), ("flipped-sign", "refuted")]
    assert rep.ok and rep.results[2].diagnosis == "sign"
