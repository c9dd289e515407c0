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
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbackprop import Network, derive
from symbackprop.notation.lexer import _raw_tokens
from symbackprop.errors import SymbackpropError
from symbackprop.export import safe_math
from symbackprop.notation import parse_claim

LONG = os.environ.get("SYMBACKPROP_FUZZ") == "long"
EXAMPLES = int(os.environ.get("SYMBACKPROP_FUZZ_EXAMPLES") or (5000 if LONG else 200))
FUZZ = settings(max_examples=EXAMPLES, derandomize=not LONG, database=None, deadline=timedelta(seconds=60),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

NETS = [Network((3, 4, 4, 3)),                                  # the course network, softmax + CE
        Network((2, 11, 1), "tanh", "identity", "mse"),          # W^(1) has one row, width 11
        Network((1, 3, 1), "sigmoid", "sigmoid", "bce", weights="incoming"),   # W^(1) one column
        Network((1, 1, 1), "relu", "identity", "mse")]           # 1x1 weights, width-1 layers
MAX_INSTANCES = 6           # instances compared per round trip (the first ones, in the deterministic order)
SC = {"scalars": ["u", "v", "w"]}   # the grammar's real scalars, declared (undeclared letters are errors)


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


# well-typed claims on the course network (widths 3, 4, 4, 3): i, j range over 4 entries, k over C = 3, so
# that most of them are accepted and their reading is exercised

S_ATOMS = ["u", "v", "w", "2", "3", r"\frac12", "0.5", "C", "d_1", "d_{L-1}", r"\hat y_k", r"\hat{y}_1", "y_k", "x_2",
           "z^{(1)}_i", "z_i^{(2)}", "a^{(L-1)}_j", "W^{(1)}_{ij}", "W^{(0)}_{12}", "W^{(L-1)}_{k,j}", "b^{(1)}_i",
           r"\delta^{(2)}_i", r"\delta_{ik}", r"\delta_{12}", r"\mathcal{L}", r"\frac{\partial L}{\partial z^{(2)}_i}",
           r"\frac{\partial \mathcal{L}}{\partial W^{(1)}_{ij}}", r"\frac{\partial z^{(2)}_i}{\partial a^{(1)}_j}",
           r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_k}", r"(\hat y - y)_k", r"\left[W^{(1)} a^{(1)}\right]_i",
           r"(\nabla_{W^{(2)}} \mathcal{L})_{k,i}",
           r"\sum_{k=1}^{C} y_k", r"\sum_{j=1}^{d_1} W^{(1)}_{ij} a^{(1)}_j"]
S_WRAPS = [r"\varphi(%s)", r"\varphi'(%s)", r"\sigma(%s)", r"\sigma'(%s)", r"\tanh^2(%s)", r"\exp(%s)", "e^{%s}",
           r"\log(%s)", r"\ln %s", r"\max(0, %s)", r"\mathbb{1}\{%s > 0\}", r"\mathbf{1}_{%s \le 1}", "(%s)^2",
           "(%s)^{-1}", "-%s", "(%s)", r"\left(%s\right)", r"2 \cdot %s", r"\frac{%s}{2}", r"\frac{1}{%s}",
           r"\sum_{k=1}^{C} %s", r"\left[%s\right]_1", "{%s}"]
S_BINS = [" + ", " - ", " ", r" \cdot ", r" \odot ", r"\,"]
V_ATOMS = ["z^{(1)}", "z^{(2)}", "a^{(1)}", "a^{(L-1)}", "b^{(0)}", "b^{(1)}", r"\delta^{(1)}", r"\delta^{(2)}",
           "W^{(1)} a^{(1)}", r"(W^{(2)})^T \delta^{(3)}", r"{W^{(2)}}^T(\hat y - y)", r"\frac{\partial L}{\partial z^{(1)}}",
           r"\nabla_{b^{(1)}} \mathcal{L}", r"\frac{\partial \mathcal{L}}{\partial a^{(2)}}", r"\left(W^{(1)}\right)^{\top} z^{(2)}"]
V_WRAPS = [r"\varphi'(%s)", r"\sigma(%s)", r"\mathbb{1}\{%s > 0\}", r"\max(0, %s)", "(%s)", r"\left(%s\right)",
           r"W^{(1)} %s", r"(W^{(1)})^T %s", "e^{%s}", r"\tanh^2 %s", "-%s", r"\frac{%s}{2}", r"\frac12 %s"]
V_BINS = [" + ", " - ", r" \odot ", r" \circ "]


def _typed(atoms, wraps, bins, scalar=None):
    def extend(inner):
        options = [st.tuples(st.sampled_from(wraps), inner).map(lambda t: t[0] % t[1]),
                   st.tuples(inner, st.sampled_from(bins), inner).map("".join)]
        if scalar is not None:
            options.append(st.tuples(scalar, inner).map(lambda t: "(%s) %s" % t))
        return st.one_of(*options)
    return st.recursive(st.sampled_from(atoms), extend, max_leaves=4)


SCALAR = _typed(S_ATOMS, S_WRAPS, S_BINS)
VECTOR = _typed(V_ATOMS, V_WRAPS, V_BINS, SCALAR)
L_ATOMS = ["z^{(l)}", r"\delta^{(l)}", r"(W^{(l)})^T \delta^{(l+1)}", r"\varphi'(z^{(l)})", "b^{(l-1)}",
           r"\frac{\partial \mathcal{L}}{\partial z^{(l)}}", r"\nabla_{b^{(l-1)}} L", r"W^{(l-1)} a^{(l-1)}"]
LAYERED_VECTOR = _typed(L_ATOMS, [r"\varphi'(%s)", "(%s)", r"\mathbb{1}\{%s > 0\}", r"\frac{1}{2} %s", "-%s",
                                  r"\left[%s\right]_i"], V_BINS, SCALAR)
MATRIX = st.one_of(st.sampled_from([r"\nabla_{W^{(1)}}\mathcal{L}", r"\delta^{(2)} (a^{(1)})^T",
                                    r"\delta^{(2)} \otimes a^{(1)}", "W^{(1)}", r"\frac{\partial z^{(2)}}{\partial a^{(1)}}"]),
                   st.tuples(VECTOR, VECTOR).map(lambda t: r"(%s) \otimes (%s)" % t),
                   st.tuples(VECTOR, VECTOR).map(lambda t: r"(%s)(%s)^T" % t))


@st.composite
def typed_claim(draw):
    kind = draw(st.sampled_from(["s", "s", "v", "v", "l", "m", "shape"]))
    if kind == "shape":
        side = draw(st.one_of(VECTOR, MATRIX))
        text = side + r" \in \mathbb{R}^{" + draw(st.sampled_from(["d_1", "4", "d_2 \times d_1", "4 \times 4"])) + "}"
    else:
        side = {"s": SCALAR, "v": VECTOR, "l": LAYERED_VECTOR, "m": MATRIX}[kind]
        text = draw(side)
        for _ in range(draw(st.integers(1, 2))):
            text += draw(st.sampled_from(RELS if kind == "s" else [" = ", r" \neq "])) + draw(side)
    if draw(st.integers(0, 3)) == 0:                                     # one mutation
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from(JUNK)) + text[pos:]
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
        return parse_claim(text, net, given=given, notation=SC)
    except SymbackpropError as e:
        assert e.message and "\n" not in e.one_line(), repr(e.one_line())
        return None


def _spaced(text):
    """``text`` with a space between every two tokens: TeX ignores spaces in math, so must the reading."""
    try:
        toks = _raw_tokens(text)
    except SymbackpropError:
        return None
    spans = []
    for t in toks:                        # a Unicode character (ŷ, ⁽²⁾) is several tokens over one span
        if not spans or (t.pos, t.end) != spans[-1] and not (spans[-1][0] <= t.pos and t.end <= spans[-1][1]):
            spans.append((t.pos, t.end))
    return " ".join(text[a:b] for a, b in spans)


TOLERATED = re.compile(r"[$&%]|\\\\|\\(big|Big|bigg|Bigg|left\.|right\.|color|text|operatorname|mathrm|mathbf|bm"
                       r"|boldsymbol|vec|dfrac|tfrac|intercal|prime|begin|end|displaystyle)")


def _plain(text):
    """Text without the tolerance stage's material: what safe_math must vouch for as TeX."""
    return text.isascii() and not TOLERATED.search(text)


def check_text(text, net, given=()):
    """The fuzz oracle for one text (also used by the regression tests below)."""
    p = _read(text, net, given)
    spaced = _spaced(text)
    if spaced is not None and spaced != text:
        s = _read(spaced, net, given)
        assert (s is None) == (p is None) and (s is None or s.latex == p.latex), (text, spaced)
    if p is None:
        return None
    if _plain(text):        # the tolerance stage accepts what safe_math does not vouch for ($, Unicode, \big …)
        assert safe_math(re.sub(r"[ \t\r\n]+", " ", text)) is not None, f"accepted text TeX would not typeset: {text!r}"
    assert safe_math(p.latex) is not None, (text, p.latex)
    assert len(p.given_latex) == len(given) and all(safe_math(g) is not None for g in p.given_latex), p.given_latex
    try:
        q = parse_claim(p.latex, net, given=p.given_latex, notation=SC)
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
@given(typed_claim(), st.lists(st.sampled_from([r"0 < u \leq 1", r"u \ge v", r"z^{(1)} > 0", r"w \neq 0"]),
                               max_size=1))
def test_fuzz_typed_claims_read_as_round_trips(text, givens):
    check_text(text, NETS[0], tuple(givens))


@FUZZ
@given(st.lists(st.sampled_from(list("^_{}()[]'+-=,<>\\ uvxyzWabLCdeTlik0123456789.")
                                 + ["\\left", "\\right", "\\,", "\\hat", "\\frac", "\\delta", "\\sum", "\\mathbb",
                                    "\\mathcal", "\\varphi", "\\top", "\\odot", "\\partial", "\\{", "\\}", "\\quad"]),
                max_size=40).map("".join), st.sampled_from(range(len(NETS))))
def test_fuzz_token_soup_only_our_errors(text, k):
    check_text(text + " = 0", NETS[k])


# regressions found by the fuzzer: (text, network, accepted?). Each was accepted, crashed or failed to round-trip
FOUND = [
    (r"u = (x)", 0, True),                                          # a bracketed side lost its quantity
    (r"\ \nabla_{b^{(l+1)}} L \, \cdot \left[d_1\right]_{i} = w", 0, True),   # read_as printed L(…), a call
    (r"x = \frac{2}{\mathbb{1}\{x_i > 0\}}", 0, False),               # i free on the right only: 'for all i'?
    (r"x = u = \frac{0}{(1)}", 0, True),                            # read_as not a fixpoint (\frac{0}{1} -> 0)
    (r"u = 2 \cdot 0.5", 0, True),                                  # read_as 2 \cdot \frac{1}{2} was refused
    (r"x = \log \log u", 0, False),                                # SymPy's ValueError escaped
    (r"x = \log \log \mathcal{L}", 0, False),                       # SymPy's NotImplementedError escaped
    (r"u = \mathbb{1}\{\log z^{(1)} > 0\}", 0, False),              # ValueError (test_notation's property test)
    ("\x850u = u", 0, False),                                       # NEL and \x1f were skipped as white space
    ("\x1fu = x", 0, False),
    ("u =\n \n u", 0, False),                                       # an empty line ends a TeX formula
]


@pytest.mark.parametrize("text,k,accepted", FOUND, ids=[repr(f[0])[:50] for f in FOUND])
def test_fuzz_findings(text, k, accepted):
    assert (check_text(text, NETS[k]) is not None) == accepted


# ----------------------------------------------------------------------------------------------
# the round trip on every claim we know to be accepted: the derivation files and test_notation's tables


def _corpus():
    import glob

    import test_notation as T
    from symbackprop.spec import load_spec
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = []
    for path in sorted(glob.glob(os.path.join(root, "derivations", "*.yaml"))
                       + glob.glob(os.path.join(root, "derivations", "mistakes", "*.yaml"))):
        spec = load_spec(path)
        out += [(f"{os.path.basename(path)}::{c.id}", spec.network, c.claim, tuple(c.given)) for c in spec.claims]
    out += [(f"construct::{name}", net, text + " = 0", ()) for name, net, text, _ in T.CONSTRUCTS]
    out += [(f"exported::{n}", net, text, ()) for n, (text, net, _) in enumerate(T.EXPORTED)]
    out += [(f"tex-reading::{text}", T.OUT, text + " = 0", ()) for text, _, _ in T.TEX_READINGS]
    out += [(f"kind::{text}", net, text + " = 0", ()) for net, text, _ in T.KINDS]
    out += [(f"read-as::{claim}", T.OUT, claim, given) for claim, given, _, _ in T.READ_AS]
    sheet = [r"\delta^{(L)} = \hat{y} - y", r"\varphi'(x) = \mathbb{1}\{x > 0\}",
             r"\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)}(a^{(L-1)})^T", r"\nabla_{b^{(L-1)}}\mathcal{L} = \delta^{(L)}",
             r"\delta^{(L-1)} = (W^{(L-1)})^T(\hat y - y) \odot \varphi'(z^{(L-1)})",
             r"\frac{\partial \mathcal{L}}{\partial \hat{y}_k} = -\frac{y_k}{\hat{y}_k}",
             r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_k(\delta_{ik} - \hat{y}_i)",
             r"\nabla_{b^{(L-1)}}\mathcal{L} \in \mathbb{R}^{C}", r"z^{(1)} \in \mathbb{R}^4",
             r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})",
             r"\nabla_{W^{(l)}}\mathcal{L} = \delta^{(l+1)} (a^{(l)})^T", r"\delta^{(L-2)} \neq 0",
             r"\delta^{(L)}_i = \sum_{k=1}^{C} \frac{\partial \mathcal{L}}{\partial \hat{y}_k}"
             r" \frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_i \sum_{k=1}^{C} y_k - y_i = \hat{y}_i - y_i"]
    out += [(f"sheet::{text}", T.OUT, text, ()) for text in sheet]
    out += [("given::dead", T.OUT, r"\delta^{(L-1)}_i = 0", (r"z^{(L-1)}_i \le 0",)),
            ("given::chain", T.OUT, r"u = u", (r"0 < u \leq 1",)),
            ("given::vector", T.OUT, r"\max(0, z^{(1)}_i) = 0", (r"z^{(1)} \le 0",))]
    return out


CORPUS = _corpus()
assert len(CORPUS) >= 200 and sum(name.startswith(("mle_", "mse_")) for name, *_ in CORPUS) >= 30, len(CORPUS)


@pytest.mark.parametrize("name,net,text,givens", CORPUS, ids=[c[0][:60] for c in CORPUS])
def test_read_as_round_trips_on_every_accepted_claim(name, net, text, givens):
    p = check_text(text, net, givens)
    assert p is not None, f"{name} is no longer accepted"


# ----------------------------------------------------------------------------------------------
# the tolerance stage: noise that TeX does not print (or prints identically) never changes a reading


def _swap(text, pairs):
    for a, b in pairs:
        text = text.replace(a, b)
    return text


DELIMITERS = [lambda t: t, lambda t: "$" + t + "$", lambda t: "$$" + t + "$$", lambda t: r"\[" + t + r"\]",
              lambda t: r"\(" + t + r"\)", lambda t: "$" + t + "$."]
NOISE = [
    lambda t: t + ".",
    lambda t: t + " ,",
    lambda t: r"\begin{aligned} " + t.replace(" = ", " &= ", 1) + r" \end{aligned}",
    lambda t: r"\displaystyle " + t,
    lambda t: re.sub(r"(?<![\\a-zA-Z])\(", r"\\bigl(", re.sub(r"(?<![\\a-zA-Z])\)", r"\\bigr)", t)),
    lambda t: _swap(t, [(r"\delta", "δ"), (r"\odot", "⊙"), (r"\hat y", "ŷ"), (r"\hat{y}", "ŷ"), (r"\varphi", "φ"),
                        (r"\cdot", "·"), (r"\sum", "∑"), (r"\partial", "∂"), (r"\nabla", "∇")]),
    lambda t: _swap(t, [(" - ", " − "), ("'", "′")]),
    lambda t: _swap(t, [("^T", r"^\intercal"), ("^{\\top}", "^{\\mathrm{T}}"), ("'", r"^\prime")]),
    lambda t: _swap(t, [(r"\frac", r"\dfrac")]),
    lambda t: re.sub(r"(?<![\\a-zA-Z])([zaWbx])(?=\^\{\()", r"\\mathbf{\1}", t),
    lambda t: re.sub(r"(?<![\\a-zA-Z])([zaWbx])(?=\^\{\()", r"\\boldsymbol{\1}", t),
]


def _reading(text, net):
    try:
        return ("ok", parse_claim(text, net, notation=SC).latex)
    except SymbackpropError:
        return ("error",)


@FUZZ
@given(typed_claim(), st.lists(st.sampled_from(range(len(NOISE))), min_size=1, max_size=3, unique=True),
       st.sampled_from(range(len(DELIMITERS))))
def test_fuzz_tolerated_noise_never_changes_the_reading(text, noise, delimiter):
    noisy = text
    for k in sorted(noise):
        noisy = NOISE[k](noisy)
    noisy = DELIMITERS[delimiter](noisy) + (" % a comment" if delimiter == 0 else "")
    assert _reading(noisy, NETS[0]) == _reading(text, NETS[0]), (text, noisy)


UNDECLARED = list("tqrohpfgnmscijkw") + ["J", "E", "N"]


@FUZZ
@given(st.one_of(VECTOR, LAYERED_VECTOR, MATRIX), st.sampled_from(UNDECLARED), st.sampled_from(["left", "right", "given"]))
def test_fuzz_an_undeclared_letter_beside_network_quantities_is_an_error(side, letter, where):
    """Whatever the claim, a letter the profile does not declare is never read as a scalar next to quantities."""
    claim = f"{letter} \\cdot \\left({side}\\right) = {side}" if where == "left" else \
        f"{side} = \\left({side}\\right) \\cdot {letter}" if where == "right" else f"{side} = {side}"
    given = (f"{letter} > 0",) if where == "given" else ()
    with pytest.raises(SymbackpropError):
        parse_claim(claim, NETS[0], given=given)


# ----------------------------------------------------------------------------------------------
# presets: spellings of each source, only our errors, and a canonical reading that re-reads the same


PRESET_NETS = {"nielsen": Network((3, 3, 3, 3), "sigmoid", "sigmoid", "bce", weights="incoming"),
               "cs231n": Network((3, 4, 3), weights="incoming"), "d2l": Network((3, 3, 3), weights="incoming"),
               "deeplearning-ai": Network((2, 4, 4, 1), "tanh", "sigmoid", "bce", weights="incoming"),
               "bishop": Network((2, 3, 2), "tanh", "identity", "mse", weights="incoming"),
               "goodfellow": Network((4, 4, 4, 4), weights="incoming"),
               "ufldl": Network((3, 3, 3, 3), "sigmoid", "identity", "mse")}
PRESET_ATOMS = {
    "nielsen": [r"\delta^L", r"\delta^l", r"\delta^{l+1}", r"(w^{l+1})^T", r"w^l", r"a^{l-1}", r"a^L", r"z^l", r"b^l",
                r"\sigma'(z^l)", r"\nabla_a C", r"\frac{\partial C}{\partial b^l_j}", r"\delta^l_j", r"a^{l-1}_k",
                r"\Sigma'(z^L)", "y", "C"],
    "cs231n": ["p_k", "f_k", r"f_{y_i}", r"(W_2)_{jk}", "h_j", r"\mathbb{1}(y_i = k)", r"\frac{\partial L_i}{\partial f_k}",
               r"\sum_j e^{f_j}", "L_i", r"(b_2)_k"],
    "d2l": [r"\mathbf{o}", r"\mathbf{h}", r"\mathbf{z}", r"\mathbf{W}^{(2)}", r"{\mathbf{W}^{(1)}}^\top", r"\phi'(\mathbf{z})",
            r"\frac{\partial L}{\partial \mathbf{o}}", r"\mathbf{x}^\top", "L", "J"],
    "deeplearning-ai": [r"dz^{[2]}", r"dz^{[l]}", r"W^{[l+1]T}", r"a^{[l-1]T}", r"g^{[l]\prime}(z^{[l]})", r"dW^{[l]}",
                        r"db^{[l]}", r"a^{[L]}", "y", r"\hat{y}", r"\sigma(z^{[L]})", "m", "A^{[1]}"],
    "bishop": [r"\delta_j", r"\delta_k", "w_{kj}", "w_{ji}", "a_j", "z_j", "z_i", "x_i", "y_k", "t_k", "h'(a_j)",
               r"\sum_k w_{kj} \delta_k", "E_n", r"w_{j0}", "y_{nk}"],
    "goodfellow": [r"\nabla_{\boldsymbol{a}^{(k)}} J", r"\boldsymbol{h}^{(k-1)\top}", r"\boldsymbol{W}^{(k)\top}",
                   r"f'(\boldsymbol{a}^{(k)})", r"\boldsymbol{h}^{(k)}", r"\boldsymbol{a}^{(k)}", r"\hat{\boldsymbol{y}}",
                   r"\boldsymbol{b}^{(k)}", r"\va^{(k)}", "g", "J"],
    "ufldl": [r"\delta^{(n_l)}", r"a^{(n_l)}", r"\delta^{(l+1)}", r"W^{(l)}", r"(W^{(l)})^T", r"f'(z^{(l)})",
              r"h_{W,b}(x)", "J(W,b;x,y)", r"\sum_{j=1}^{s_{l+1}} W^{(l)}_{ji} \delta^{(l+1)}_j", "a^{(l)}_j", "y"],
}
PRESET_OPS = [" + ", " - ", " ", r" \odot ", " * ", r" \bullet ", r" \cdot "]


@st.composite
def preset_claim(draw):
    name = draw(st.sampled_from(sorted(PRESET_ATOMS)))
    side = lambda: draw(st.sampled_from(PRESET_ATOMS[name])) + "".join(  # noqa: E731
        draw(st.sampled_from(PRESET_OPS)) + draw(st.sampled_from(PRESET_ATOMS[name]))
        for _ in range(draw(st.integers(0, 2))))
    return name, side() + " = " + side()


@FUZZ
@given(preset_claim())
def test_fuzz_presets_only_our_errors_and_the_reading_re_reads(case):
    name, text = case
    net = PRESET_NETS[name]
    prof = {"preset": name, "cost": ["J", r"L(\hat{y}, y)"]} if name == "goodfellow" else name
    try:
        p = parse_claim(text, net, notation=prof)
    except SymbackpropError as e:
        assert e.message and "\n" not in e.one_line()
        return
    assert safe_math(p.latex) is not None, (text, p.latex)
    q = parse_claim(p.latex, net, notation=SC)               # the canonical reading is in the default notation
    assert q.latex == p.latex, (text, p.latex, q.latex)
    first = lambda c: [tuple((s.expr, s.ops) if False else (s.expr,) for s in i.sides)  # noqa: E731
                       for _, i in zip(range(MAX_INSTANCES), c.instances())]
    assert first(q) == first(p), (text, p.latex)
