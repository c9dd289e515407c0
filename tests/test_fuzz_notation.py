r"""Grammar-based fuzzing of the notation layer: only our errors escape, nothing hangs, and every accepted claim
has a canonical reading (``ParsedClaim.latex``) that safe_math vouches for and that re-parses to the same claim.

Claims are built from the notation's vocabulary (quantities with layers and indices, functions, \frac, sums,
indicators, scripts, braces, \left…\right, spacing), then some are mutated with junk tokens, stray scripts,
braces and Unicode. For each text, on a few networks (including 1-row/1-column weight matrices):

- ``parse_claim`` returns or raises a :class:`SymbackpropError` (never another exception, never a
  RecursionError, never a hang: each example has a deadline);
- an accepted claim's user text is TeX that typesets (``safe_math``: braces, \left/\right, one superscript and
  one subscript per atom);
- its ``latex`` and every ``given_latex`` pass ``safe_math`` and re-parse to the same reading: the same
  canonical LaTeX, layers, free-index ranges and the same instances (sides, quantities, ops, shapes,
  conditions) at the first assignments.

Profiles: by default ``max_examples=200`` per test, derandomized (the same examples on every run, so CI is
deterministic; < 20 s). ``SYMBACKPROP_FUZZ=long`` runs 5000 examples per test with a random seed (print the
seed with ``--hypothesis-show-statistics``/``--hypothesis-seed`` to reproduce);
``SYMBACKPROP_FUZZ_EXAMPLES=N`` sets the number of examples of either profile.
"""
import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import Network, derive
from symbackprop.errors import SymbackpropError
from symbackprop.export import safe_math
from symbackprop.notation import parse_claim

LONG = os.environ.get("SYMBACKPROP_FUZZ") == "long"
EXAMPLES = int(os.environ.get("SYMBACKPROP_FUZZ_EXAMPLES") or (5000 if LONG else 200))
FUZZ = settings(max_examples=EXAMPLES, derandomize=not LONG, database=None, deadline=timedelta(seconds=30),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

NETS = [Network((3, 4, 4, 3)),                                  # the course network, softmax + CE
        Network((2, 11, 1), "tanh", "identity", "mse"),          # W^(1) has one row, width 11
        Network((1, 3, 1), "sigmoid", "sigmoid", "bce", weights="incoming"),   # W^(1) one column
        Network((1, 1, 1), "relu", "identity", "mse")]           # 1x1 weights, width-1 layers
MAX_INSTANCES = 12          # instances compared per round trip (the first ones, in the deterministic order)


@pytest.fixture(scope="module", autouse=True)
def _warm():
    for net in NETS:        # derivations are cached: no example pays for them (deadline)
        derive(net)


# ----------------------------------------------------------------------------------------------
# the grammar

LAYERS = ["0", "1", "2", "L", "L-1", "l", "l+1", "l-1", "L-2", "1+1"]
INDICES = ["", "", "_i", "_j", "_1", "_2", "_{11}", "_{12}", "_{ij}", "_{i,j}", "_{1j}", "_{i1}", "_{k}", "_3"]
LAYERED = ["z", "a", "W", "b", r"\delta"]
PLAIN = ["x", "y", r"\hat{y}", r"\hat y"]
SCALARS = ["u", "v", "w", "0", "1", "2", "0.5", "12", "C", "d_1", "d_{L-1}", "d_l", r"\mathcal{L}", r"\mathcal L",
           r"\delta_{ik}", r"\delta_{12}", r"\frac12", r"\frac{1}{2}"]
JUNK = ["^", "_", "{", "}", "(", ")", "[", "]", r"\left", r"\right", r"\left(", r"\right)", r"\,", r"\quad", r"\!",
        "'", r"\{", r"\}", "^T", "^{(1)}", "_1", "^2", r"\top", r"\cdot", "=", "-", "+", r"\odot", "e", "e^",
        r"\frac", r"\hat", r"\mathcal", r"\sum_{k=1}^{C}", "δ", "ŷ", "\u202e", "—", "%", "&", "\\", "  ", r"\alpha",
        r"\left.", r"\right|", "0", "l", "L", "T"]


@st.composite
def quantity(draw):
    idx = draw(st.sampled_from(INDICES))
    if draw(st.booleans()):
        name, layer = draw(st.sampled_from(LAYERED)), "^{(" + draw(st.sampled_from(LAYERS)) + ")}"
        return name + layer + idx if draw(st.booleans()) else name + idx + layer      # either script order
    return draw(st.sampled_from(PLAIN)) + idx


def atom():
    return st.one_of(quantity(), st.sampled_from(SCALARS),
                     st.sampled_from([r"\frac{\partial \mathcal{L}}{\partial z^{(%s)}}",
                                      r"\frac{\partial L}{\partial W^{(%s)}_{ij}}",
                                      r"\nabla_{W^{(%s)}}\mathcal{L}", r"\nabla_{b^{(%s)}} L",
                                      r"\frac{\partial z^{(%s)}_i}{\partial a^{(1)}_j}",
                                      r"\frac{\partial \hat{y}_k}{\partial z^{(%s)}_i}"]).flatmap(
                         lambda f: st.sampled_from(LAYERS).map(lambda lay: f % lay)))


WRAPS = ["(%s)", "{%s}", r"\left(%s\right)", r"\left[%s\right]", r"\varphi(%s)", r"\varphi'(%s)", r"\sigma(%s)",
         r"\sigma'(%s)", r"\tanh^2(%s)", r"\tanh(%s)", r"\exp(%s)", r"e^{%s}", r"\log %s", r"\ln(%s)",
         r"\max(0, %s)", r"\max\left(%s, 0\right)", r"\mathbb{1}\{%s > 0\}", r"\mathbb{1}\left\{%s \le 0\right\}",
         r"\mathbb{1}[%s \ge 0]", r"\mathbf{1}_{%s < 0}", r"\sum_{k=1}^{C} %s", r"\sum_{j=1}^{d_1} %s",
         "(%s)^T", "(%s)^{\\top}", "{%s}^T", "(%s)_1", "(%s)_{12}", r"\left[%s\right]_{i}", "(%s)^2", "%s^2",
         "-%s", r"\frac{%s}{2}", r"\frac{1}{%s}", r"2 \cdot %s", r"\, %s \,", "%s^T", "%s_1", "e^%s"]
BINS = [" + ", " - ", " ", r" \odot ", r" \circ ", r" \otimes ", r" \cdot ", r"\,", ""]
RELS = [" = ", " = ", r" \neq ", r" \le ", " < "]


def expression():
    return st.recursive(
        atom(),
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(WRAPS), inner).map(lambda t: t[0] % t[1]),
            st.tuples(inner, st.sampled_from(BINS), inner).map("".join),
            st.tuples(inner, inner).map(lambda t: r"\frac{%s}{%s}" % t)),
        max_leaves=5)


@st.composite
def claim(draw):
    sides = [draw(expression()) for _ in range(draw(st.integers(2, 3)))]
    text = sides[0]
    for s in sides[1:]:
        text += draw(st.sampled_from(RELS)) + s
    if draw(st.integers(0, 9)) == 0:
        text = sides[0] + r" \in \mathbb{R}^{" + draw(st.sampled_from(["C", "3", "d_1 \\times d_0", "C \\times d_{L-1}",
                                                                     "d_{l+1} \\times d_l"])) + "}"
    for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0):     # mutations
        pos = draw(st.integers(0, len(text)))
        junk = draw(st.one_of(st.sampled_from(JUNK), st.characters(blacklist_categories=("Cs",)).map(str)))
        text = text[:pos] + junk + text[pos:]
    if draw(st.integers(0, 9)) == 0 and text:                           # a deletion
        pos = draw(st.integers(0, len(text) - 1))
        text = text[:pos] + text[pos + 1:]
    return text


GIVENS = st.lists(st.sampled_from([r"z^{(1)}_i \le 0", r"z^{(1)} > 0", r"0 < u \leq 1", r"u \ge v",
                                   r"z^{(l)}_i > 0", r"a^{(1)}_j \neq 0", r"z^{(L)} \le 0"]), max_size=1)


# ----------------------------------------------------------------------------------------------
# the properties


def _instances(parsed):
    """The first instances, or the error that building them raised (a claim may be undefined at an entry)."""
    out = {}
    try:
        for n, inst in enumerate(parsed.instances()):
            if n >= MAX_INSTANCES:
                break
            out[tuple(sorted(inst.assignment.items()))] = (
                tuple((s.expr, s.quantity) for s in inst.sides), inst.ops, inst.shape, inst.conditions)
    except SymbackpropError as e:
        return ("error", e.message)
    return out


def _read(text, net, given=()):
    """The parse, or None for one of our errors; any other exception fails the test."""
    try:
        return parse_claim(text, net, given=given)
    except SymbackpropError as e:
        assert e.message and "\n" not in e.one_line(), repr(e.one_line())
        return None


def check_text(text, net, given=()):
    """The fuzz oracle for one text (also used by the regression tests below)."""
    p = _read(text, net, given)
    if p is None:
        return None
    assert safe_math(text) is not None, f"accepted text TeX would not typeset as read: {text!r}"
    assert safe_math(p.latex) is not None, (text, p.latex)
    assert len(p.given_latex) == len(given) and all(safe_math(g) is not None for g in p.given_latex), p.given_latex
    try:
        q = parse_claim(p.latex, net, given=p.given_latex)
    except SymbackpropError as e:
        raise AssertionError(f"read_as of {text!r} does not re-parse: {p.latex!r}: {e.one_line()}") from None
    assert (q.latex, q.given_latex) == (p.latex, p.given_latex), (text, p.latex, q.latex)
    assert (q.layers, q.layer_symbol, q.free_indices) == (p.layers, p.layer_symbol, p.free_indices), text
    assert _instances(q) == _instances(p), (text, p.latex)
    return p


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")    # the grammar's repr is long
@FUZZ
@given(claim(), st.sampled_from(range(len(NETS))), GIVENS)
def test_fuzz_claims_only_our_errors_and_read_as_round_trips(text, k, givens):
    check_text(text, NETS[k], tuple(givens))


@FUZZ
@given(st.lists(st.sampled_from(list("^_{}()[]'+-=,<>\\ uvxyzWabLCdeTlik0123456789.")
                                 + ["\\left", "\\right", "\\,", "\\hat", "\\frac", "\\delta", "\\sum", "\\mathbb",
                                    "\\mathcal", "\\varphi", "\\top", "\\odot", "\\partial", "\\{", "\\}", "\\quad"]),
                max_size=40).map("".join), st.sampled_from(range(len(NETS))))
def test_fuzz_token_soup_only_our_errors(text, k):
    check_text(text + " = 0", NETS[k])


# regressions found by the fuzzer (each was accepted, crashed or failed to round-trip before it was fixed)
FOUND = [
    (r"u = (x)", 0),                                               # a bracketed side lost its quantity
    (r"\ \nabla_{b^{(l+1)}} L \, \cdot \left[d_1\right]_{i} = w", 0),   # printed L(…), a call
    (r"x = \frac{2}{\mathbb{1}\{x_i > 0\}}", 0),                      # an instance undefined (oracle fixed)
    (r"x = \log \log u", 0),                                       # SymPy ValueError escaped
    (r"x = \log \log \mathcal{L}", 0),                              # SymPy NotImplementedError escaped
    (r"u = \mathbb{1}\{\log z^{(1)} > 0\}", 0),                      # ValueError (found by test_notation's property)
]


@pytest.mark.parametrize("text,k", FOUND)
def test_fuzz_findings(text, k):
    check_text(text, NETS[k])
