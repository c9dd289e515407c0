r"""Notation profiles and presets, the rule that nothing undeclared is guessed, the tolerances, the new derivative
forms, the words form of a reading and the fixes in error messages.

Every preset has a table of equations typed the way its source writes them (BP equations, key gradients), each
with the verdict worked out by hand on a network the source describes; a few slipped ones are refuted.
"""
import pytest
import sympy as sp

from symbackprop import Network, derive, graph
from symbackprop.check import check_claim
from symbackprop.errors import NotationError, SpecError
from symbackprop.notation import PRESETS, Profile, load_profile, parse_claim, parse_expression, parse_preamble, profile
from symbackprop.rules import phi_prime
from symbackprop.spec import load_spec_text

OUT = Network((3, 4, 4, 3))                                               # the course network (outgoing)
NIELSEN_NET = Network((3, 3, 3, 3), "sigmoid", "sigmoid", "bce", weights="incoming")   # σ everywhere, square
CS_NET = Network((3, 4, 3), "relu", "softmax", "cross_entropy", weights="incoming")    # the two-layer case study
DLAI_NET = Network((2, 4, 1), "tanh", "sigmoid", "bce", weights="incoming")            # course 1, week 3
D2L_NET = Network((3, 3, 3), "relu", "softmax", "cross_entropy", weights="incoming")   # one hidden layer, square
BISHOP_NET = Network((2, 3, 2), "tanh", "identity", "mse", weights="incoming")         # §5.3.2
GF_NET = Network((4, 4, 4, 4), "relu", "softmax", "cross_entropy", weights="incoming")
UF_NET = Network((3, 3, 3, 3), "sigmoid", "identity", "mse")                           # outgoing, input layer 1
GF = {"preset": "goodfellow", "cost": ["J", r"L(\hat{y}, y)"]}          # λ = 0: J is the loss (declared)

PRESET_TABLE = [
    # Nielsen ch. 2: BP1-BP4, the Σ' forms (problem in 2.4), eq. (25), cross-entropy output error (ch. 3)
    ("nielsen", NIELSEN_NET, r"\delta^L = \nabla_a C \odot \sigma'(z^L)", "proved"),
    ("nielsen", NIELSEN_NET, r"\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j)", "proved"),
    ("nielsen", NIELSEN_NET, r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)", "proved"),
    ("nielsen", NIELSEN_NET, r"\frac{\partial C}{\partial b^l_j} = \delta^l_j", "proved"),
    ("nielsen", NIELSEN_NET, r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j", "proved"),
    ("nielsen", NIELSEN_NET, r"\delta^L = \Sigma'(z^L) \nabla_a C", "proved"),
    ("nielsen", NIELSEN_NET, r"\delta^l = \Sigma'(z^l) (w^{l+1})^T \delta^{l+1}", "proved"),
    ("nielsen", NIELSEN_NET, r"z^l = w^l a^{l-1} + b^l", "proved"),
    ("nielsen", NIELSEN_NET, r"\delta^L = a^L - y", "proved"),
    ("nielsen", NIELSEN_NET, r"\delta^l = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^l)", "refuted"),        # no transpose
    ("nielsen", NIELSEN_NET, r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_j \delta^l_k", "refuted"),  # j, k swapped
    # CS231n: softmax gradient with the class index y_i, the case study's W2/b2/hidden gradients (entrywise)
    ("cs231n", CS_NET, r"\frac{\partial L_i}{\partial f_k} = p_k - \mathbb{1}(y_i = k)", "proved"),
    ("cs231n", CS_NET, r"L_i = -\log\left(\frac{e^{f_{y_i}}}{\sum_j e^{f_j}}\right)", "proved"),
    ("cs231n", CS_NET, r"p_k = \frac{e^{f_k}}{\sum_j e^{f_j}}", "proved"),
    ("cs231n", CS_NET, r"\frac{\partial L_i}{\partial (W_2)_{jk}} = h_j (p_k - \mathbb{1}(y_i = k))", "proved"),
    ("cs231n", CS_NET, r"\frac{\partial L_i}{\partial (b_2)_k} = p_k - \mathbb{1}(y_i = k)", "proved"),
    ("cs231n", CS_NET, r"\frac{\partial L_i}{\partial h_j} = \sum_k (W_2)_{jk} (p_k - \mathbb{1}(y_i = k))", "proved"),
    ("cs231n", CS_NET, r"\frac{\partial L_i}{\partial f_k} = \mathbb{1}(y_i = k) - p_k", "refuted"),
    ("cs231n", CS_NET, r"\frac{\partial L_i}{\partial W_2} = h^T \frac{\partial L_i}{\partial f}", "error"),   # rows
    # deeplearning.ai course 1 week 3 (single example): dz, dW, db with ^{[l]}, W^{[2]T}, * and g^{[1]\prime}
    ("deeplearning-ai", DLAI_NET, r"dz^{[2]} = a^{[2]} - y", "proved"),
    ("deeplearning-ai", DLAI_NET, r"dW^{[2]} = dz^{[2]} a^{[1]T}", "proved"),
    ("deeplearning-ai", DLAI_NET, r"db^{[2]} = dz^{[2]}", "proved"),
    ("deeplearning-ai", DLAI_NET, r"dz^{[1]} = W^{[2]T} dz^{[2]} * g^{[1]\prime}(z^{[1]})", "proved"),
    ("deeplearning-ai", DLAI_NET, r"dW^{[1]} = dz^{[1]} x^T", "proved"),
    ("deeplearning-ai", DLAI_NET, r"z^{[1]} = W^{[1]} x + b^{[1]}", "proved"),
    ("deeplearning-ai", DLAI_NET, r"a^{[2]} = \sigma(z^{[2]}) = g^{[2]}(z^{[2]}) = \hat{y}", "proved"),
    ("deeplearning-ai", DLAI_NET, r"\mathcal{L}(\hat{y}, y) = -(y \log \hat{y} + (1 - y) \log(1 - \hat{y}))", "proved"),
    ("deeplearning-ai", DLAI_NET, r"dz^{[2]} = y - a^{[2]}", "refuted"),
    ("deeplearning-ai", DLAI_NET, r"dZ^{[2]} = A^{[2]} - Y", "error"),                          # a batch
    # d2l §5.3: z, h, o of the one-hidden-layer MLP, L the loss, φ the activation, bold vectors
    ("d2l", D2L_NET, r"\frac{\partial L}{\partial \mathbf{W}^{(2)}} = \frac{\partial L}{\partial \mathbf{o}} \mathbf{h}^\top",
     "proved"),
    ("d2l", D2L_NET, r"\frac{\partial L}{\partial \mathbf{h}} = {\mathbf{W}^{(2)}}^\top \frac{\partial L}{\partial \mathbf{o}}",
     "proved"),
    ("d2l", D2L_NET, r"\frac{\partial L}{\partial \mathbf{z}} = \frac{\partial L}{\partial \mathbf{h}} \odot \phi'\left(\mathbf{z}\right)",
     "proved"),
    ("d2l", D2L_NET, r"\frac{\partial L}{\partial \mathbf{W}^{(1)}} = \frac{\partial L}{\partial \mathbf{z}} \mathbf{x}^\top",
     "proved"),
    ("d2l", D2L_NET, r"\mathbf{h} = \phi(\mathbf{z})", "proved"),
    ("d2l", D2L_NET, r"\frac{\partial L}{\partial \mathbf{h}} = \mathbf{W}^{(2)} \frac{\partial L}{\partial \mathbf{o}}",
     "refuted"),
    ("d2l", D2L_NET, r"\frac{\partial J}{\partial \mathbf{W}^{(2)}} = \frac{\partial J}{\partial \mathbf{o}} \mathbf{h}^\top"
                     r" + \lambda \mathbf{W}^{(2)}", "error"),                                  # J = L + s
    # Bishop §5.3: a/z swapped, units by index letter, E_n, t_k, w_{j0} the bias
    ("bishop", BISHOP_NET, r"\delta_k = y_k - t_k", "proved"),
    ("bishop", BISHOP_NET, r"\delta_j = h'(a_j) \sum_k w_{kj} \delta_k", "proved"),
    ("bishop", BISHOP_NET, r"\frac{\partial E_n}{\partial w_{ji}} = \delta_j z_i", "proved"),
    ("bishop", BISHOP_NET, r"\frac{\partial E_n}{\partial w_{kj}} = \delta_k z_j", "proved"),
    ("bishop", BISHOP_NET, r"E_n = \frac{1}{2} \sum_k (y_{nk} - t_{nk})^2", "proved"),
    ("bishop", BISHOP_NET, r"a_j = \sum_i w_{ji} x_i + w_{j0}", "proved"),
    ("bishop", BISHOP_NET, r"z_j = h(a_j)", "proved"),
    ("bishop", BISHOP_NET, r"\delta_k = t_k - y_k", "refuted"),
    ("bishop", BISHOP_NET, r"\delta_j = h(a_j) \sum_k w_{kj} \delta_k", "refuted"),              # h, not h'
    # Goodfellow Algorithm 6.4 with J declared (λ = 0); the book's macros \va, \vh
    (GF, GF_NET, r"\nabla_{\hat{\boldsymbol{y}}} J = \nabla_{\hat{\boldsymbol{y}}} L(\hat{\boldsymbol{y}}, \boldsymbol{y})",
     "proved"),
    (GF, GF_NET, r"\nabla_{\boldsymbol{a}^{(k)}} J = \nabla_{\boldsymbol{h}^{(k)}} J \odot f'(\boldsymbol{a}^{(k)})", "proved"),
    (GF, GF_NET, r"\nabla_{\boldsymbol{W}^{(k)}} J = \nabla_{\boldsymbol{a}^{(k)}} J \, \boldsymbol{h}^{(k-1)\top}", "proved"),
    (GF, GF_NET, r"\nabla_{\boldsymbol{b}^{(k)}} J = \nabla_{\boldsymbol{a}^{(k)}} J", "proved"),
    (GF, GF_NET, r"\nabla_{\boldsymbol{h}^{(k-1)}} J = \boldsymbol{W}^{(k)\top} \nabla_{\boldsymbol{a}^{(k)}} J", "proved"),
    (GF, GF_NET, r"\boldsymbol{a}^{(k)} = \boldsymbol{b}^{(k)} + \boldsymbol{W}^{(k)} \boldsymbol{h}^{(k-1)}", "proved"),
    (GF, GF_NET, r"\nabla_{\va^{(k)}} J = \nabla_{\vh^{(k)}} J \odot f'(\va^{(k)})", "proved"),
    (GF, GF_NET, r"\hat{\boldsymbol{y}} = \boldsymbol{h}^{(l)}", "proved"),
    (GF, GF_NET, r"\nabla_{\boldsymbol{h}^{(k-1)}} J = \boldsymbol{W}^{(k)} \nabla_{\boldsymbol{a}^{(k)}} J", "refuted"),
    ("goodfellow", GF_NET, r"\nabla_{\boldsymbol{b}^{(k)}} J = \nabla_{\boldsymbol{a}^{(k)}} J", "error"),   # J = L + λΩ
    (GF, GF_NET, r"\nabla_{\boldsymbol{W}^{(k)}} J = g \, \boldsymbol{h}^{(k-1)\top}", "error"),         # the accumulator
    # UFLDL Backpropagation Algorithm: input layer 1, n_l the output, s_l widths, • elementwise, ∂/∂W J(W,b;x,y)
    ("ufldl", UF_NET, r"\delta^{(n_l)} = -(y - a^{(n_l)})", "proved"),
    ("ufldl", UF_NET, r"\delta^{(l)}_i = \left( \sum_{j=1}^{s_{l+1}} W^{(l)}_{ji} \delta^{(l+1)}_j \right) f'(z^{(l)}_i)",
     "proved"),
    ("ufldl", UF_NET, r"\delta^{(l)} = \left((W^{(l)})^T \delta^{(l+1)}\right) \bullet f'(z^{(l)})", "proved"),
    ("ufldl", UF_NET, r"\frac{\partial}{\partial W_{ij}^{(l)}} J(W,b;x,y) = a^{(l)}_j \delta_i^{(l+1)}", "proved"),
    ("ufldl", UF_NET, r"\frac{\partial}{\partial b_{i}^{(l)}} J(W,b;x,y) = \delta_i^{(l+1)}", "proved"),
    ("ufldl", UF_NET, r"z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}", "proved"),
    ("ufldl", UF_NET, r"h_{W,b}(x) = a^{(n_l)}", "proved"),
    ("ufldl", UF_NET, r"J(W,b;x,y) = \frac{1}{2} \sum_{i=1}^{s_{n_l}} \left(a^{(n_l)}_i - y_i\right)^2", "proved"),
    ("ufldl", UF_NET, r"\delta^{(l)} = \left(W^{(l)} \delta^{(l+1)}\right) \bullet f'(z^{(l)})", "refuted"),
    ("ufldl", UF_NET, r"\delta^{(n_l)} = -(y - a^{(n_l)}) \bullet f'(z^{(n_l)})", "error"),   # f at the output
    ("ufldl", UF_NET, r"\frac{\partial}{\partial W_{ij}^{(l)}} J(W,b) = a^{(l)}_j \delta_i^{(l+1)}", "error"),  # J(W,b)
]


def _name(prof):
    return prof if isinstance(prof, str) else prof["preset"]


@pytest.mark.parametrize("prof,net,text,verdict", PRESET_TABLE,
                         ids=[f"{_name(r[0])}:{r[2][:40]}" for r in PRESET_TABLE])
def test_preset_reads_its_source(prof, net, text, verdict):
    res = check_claim(net, "c", text, notation=prof)
    assert res.verdict == verdict or verdict == "proved" and res.verdict == "numerically-equal", res.message


def test_every_preset_has_a_table():
    assert {_name(r[0]) for r in PRESET_TABLE} == set(PRESETS) - {"default", "deeplearning.ai"}
    for name in set(PRESETS) - {"default", "deeplearning.ai"}:
        rows = [r for r in PRESET_TABLE if _name(r[0]) == name]
        assert {r[3] for r in rows} >= {"proved", "refuted"}, name
    assert all(PRESETS[n].sources for n in PRESETS)           # each says what it was checked against


def test_the_same_equations_are_errors_in_the_default_notation():
    """The presets' spellings are not read without the preset: never guessed."""
    for prof, net, text, verdict in PRESET_TABLE:
        if verdict != "proved" or _name(prof) == "ufldl" and text.startswith(("z^{(l+1)}", r"\delta^{(l)}")):
            continue                                       # UFLDL's ^{(l)} spelling is the default's too
        if text.startswith(r"\mathcal{L}(\hat{y}, y)"):
            continue                                       # the loss of (ŷ, y) is the default's spelling too
        res = check_claim(Network(net.sizes, net.activation, net.output, net.loss, weights=net.weights), "c", text)
        assert res.verdict == "error", (text, res.verdict)


# ----------------------------------------------------------------------------------------------
# profile fields: validated strictly, did-you-mean, and what they bind


def test_profile_fields_are_validated():
    with pytest.raises(NotationError, match="did you mean 'scalars'") as e:
        profile({"scalar": ["u"]})
    assert e.value.key == "notation.scalar"
    with pytest.raises(NotationError, match="did you mean 'nielsen'"):
        profile({"preset": "nielson"})
    with pytest.raises(NotationError, match="layers must be one of"):
        profile({"layers": "round"})
    with pytest.raises(NotationError, match="input_layer must be an integer from 0 to 1"):
        profile({"input_layer": 2})
    with pytest.raises(NotationError, match="two meanings"):
        profile({"target": "t", "scalars": ["t"]})
    assert profile("nielsen") is PRESETS["nielsen"]
    assert load_profile('{"preset": "bishop", "scalars": ["u"]}').scalars == ("u",)
    assert load_profile("{preset: d2l, scalars: [q]}").preset == "d2l"
    assert isinstance(profile(None), Profile) and profile(None) == PRESETS["default"]


@pytest.mark.parametrize("fields,text,want", [
    ({"cost": ["J"]}, r"\frac{\partial J}{\partial z^{(2)}} = \delta^{(2)}", "proved"),
    ({"cost": ["C"], "classes": None}, r"\frac{\partial C}{\partial z^{(3)}} = \hat y - y", "proved"),
    ({"target": "t"}, r"\delta^{(3)} = \hat y - t", "proved"),
    ({"output": ["o"]}, r"\delta^{(3)} = o - y", "proved"),
    ({"preactivation": "a", "activation": "h"}, r"h^{(1)} = \varphi(a^{(1)})", "proved"),
    ({"activation_function": ["f"]}, r"a^{(1)} = f(z^{(1)})", "proved"),
    ({"layers": "bare"}, r"\delta^3 = \hat y - y", "proved"),
    ({"layers": "bracket"}, r"\delta^{[3]} = \hat y - y", "proved"),
    ({"input_layer": 1}, r"\delta^{(4)} = \hat y - y = a^{(4)} - y", "proved"),
    ({"weight_index": "from-to"}, r"z^{(1)} = (W^{(0)})^T x + b^{(0)}", "proved"),
    ({"weight_index": "from-to"}, r"\frac{\partial \mathcal{L}}{\partial W^{(2)}_{jk}} = a^{(2)}_j \delta^{(3)}_k", "proved"),
    ({"scalars": ["u"]}, r"\delta^{(3)} = u \cdot (\hat y - y)", "refuted"),
    ({"scalars": [r"\lambda"]}, r"\lambda \delta^{(3)} = \lambda (\hat y - y)", "proved"),
    ({"macros": {r"\Vx": "x", r"\MW": "W"}}, r"z^{(1)} = \MW^{(0)} \Vx + b^{(0)}", "proved"),
    ({"preamble": "\\newcommand{\\Vx}{\\boldsymbol{x}}\n\\def\\vz{{\\bm{z}}}\n\\newcommand{\\f}[1]{#1}"},
     r"\vz^{(1)} = W^{(0)} \Vx + b^{(0)}", "proved"),
    ({"sigma": "activation"}, r"a^{(1)} = \sigma(z^{(1)})", "proved"),
    ({"sigma": "logistic"}, r"\sigma(z^{(1)}_1) = \frac{1}{1 + e^{-z^{(1)}_1}}", "proved"),
])
def test_each_field_binds_what_it_says(fields, text, want):
    assert check_claim(OUT, "c", text, notation=fields).verdict == want


def test_jacobian_layout_field():
    g = graph(OUT)
    num = next(parse_claim(r"\frac{\partial z^{(2)}}{\partial a^{(1)}} = W^{(1)}", OUT).instances())
    assert num.sides[0].expr == g.W[1]
    den = next(parse_claim(r"\frac{\partial z^{(2)}}{\partial a^{(1)}} = (W^{(1)})^T", OUT,
                           notation={"jacobian": "denominator"}).instances())
    assert den.sides[0].expr == g.W[1].T
    # gradients of the loss keep the shape of their variable in both layouts
    grad = next(parse_claim(r"\frac{\partial \mathcal{L}}{\partial W^{(1)}} = 0", OUT,
                            notation={"jacobian": "denominator"}).instances())
    assert grad.sides[0].expr.shape == (4, 4)


def test_preamble_reads_argument_free_definitions_only():
    defs = parse_preamble(r"""\documentclass{article}
\newcommand{\Vx}{\boldsymbol{x}}  % a vector
\renewcommand\MW{\mathbf{W}}
\def\vh{{\bm{h}}}
\newcommand{\norm}[1]{\left\|#1\right\|}
\def\pair#1#2{(#1,#2)}
\DeclareMathOperator{\diag}{diag}
\input{evil}""")
    assert defs == ((r"\Vx", r"\boldsymbol{x}"), (r"\MW", r"\mathbf{W}"), (r"\vh", r"{\bm{h}}"),
                    (r"\diag", r"\operatorname{diag}"))


def test_macro_expansion_is_bounded():
    bomb = {"macros": {r"\a": r"\b\b", r"\b": r"\c\c", r"\c": r"\d\d", r"\d": r"\e\e", r"\e": r"\f\f",
                       r"\f": r"\g\g", r"\g": r"\h\h", r"\h": r"\i\i", r"\i": r"\j\j", r"\j": r"\k\k",
                       r"\k": r"\l\l", r"\l": r"\m\m", r"\m": r"\n\n", r"\n": "xx"}}
    with pytest.raises(NotationError, match="expansion exceeds"):
        parse_claim(r"\a = 0", OUT, notation=bomb)
    with pytest.raises(NotationError, match="levels deep"):
        parse_claim(r"\r = 0", OUT, notation={"macros": {r"\r": r"\s", r"\s": r"\r"}})


def test_network_conventions_are_checked_against_the_profile():
    with pytest.raises(NotationError, match="weights: incoming"):
        parse_claim(r"\delta^L = a^L - y", OUT, notation="nielsen")
    with pytest.raises(NotationError, match="L = 2"):
        parse_claim(r"\mathbf{h} = \phi(\mathbf{z})", Network((3, 4, 4, 3), weights="incoming"), notation="d2l")


# ----------------------------------------------------------------------------------------------
# nothing undeclared is guessed


@pytest.mark.parametrize("text,given,token,fragment", [
    (r"\delta^{(L)} = u \cdot (\hat y - y)", (), "u", "scalars: [u]"),
    (r"\delta^{(L)} = \hat y - t", (), "t", "target: t"),
    (r"\delta^{(L)} = o - y", (), "o", "logits: [o]"),
    (r"\delta^{(L)} = p - y", (), "p", "output: [p]"),
    (r"a^{(1)} = f(z^{(1)})", (), "f", "function call"),
    (r"J = \mathcal{L}", (), "J", "cost: [J]"),
    (r"E = \mathcal{L}", (), "E", "cost: [E]"),
    (r"C = -\sum_{k=1}^{C} y_k \log \hat y_k", (), "C", "cost: [C]"),
    (r"\delta^{(L)} = \hat y - y", (r"u > 0", r"z^{(1)} > 0"), "u", "scalars: [u]"),
    (r"E = \frac{1}{2} (o - t)^2", (), "E", "cost: [E]"),                    # not a scalar identity
    (r"e_n = \frac{1}{2} (o - t)^2", (), "e", "e^{"),
    (r"s = \frac{1}{2} h^2", (), "s", "widths: s"),
    (r"\frac{1}{2} n = m", (), "n", "widths: n"),
])
def test_an_unknown_letter_is_an_error_naming_the_field_that_binds_it(text, given, token, fragment):
    with pytest.raises(NotationError) as e:
        parse_claim(text, OUT, given=given)
    assert e.value.token == token and fragment in e.value.message, e.value.one_line()


@pytest.mark.parametrize("text,given", [
    (r"\varphi'(u) = \mathbb{1}\{u > 0\}", ()),
    (r"\sigma(u)(1 - \sigma(u)) = \sigma'(u)", ()),
    (r"\varphi'(t) = \mathbb{1}\{t > 0\}", ()),                 # a role letter as a function's dummy variable
    (r"\tanh'(q) = 1 - \tanh^2(q)" if False else r"1 - \tanh^2(r) = 1 - \tanh(r)^2", ()),
    (r"\max(0, v) = v \mathbb{1}\{v > 0\}", (r"u > 0",)),
])
def test_a_claim_about_scalars_only_keeps_its_variables(text, given):
    parse_claim(text, OUT, given=given)


def test_sigma_with_two_readings_is_an_error_unless_settled():
    text = r"\delta^{(1)} = (W^{(1)})^T \delta^{(2)} \odot \sigma'(z^{(1)})"
    with pytest.raises(NotationError, match="two readings") as e:
        parse_claim(text, OUT)
    assert "sigma: activation" in e.value.message and e.value.token == r"\sigma"
    assert check_claim(OUT, "c", text, notation={"sigma": "activation"}).verdict == "proved"
    assert check_claim(OUT, "c", text, notation={"sigma": "logistic"}).verdict == "refuted"
    sig = Network((3, 4, 4, 3), "sigmoid")                 # both readings agree: read, as logistic
    assert parse_claim(text, sig).words.endswith("σ = logistic")
    assert check_claim(OUT, "c", r"\sigma'(u) = \sigma(u)(1 - \sigma(u))").verdict == "proved"


def test_delta_with_one_index_and_no_layer_names_both_readings():
    with pytest.raises(NotationError, match="two readings") as e:
        parse_claim(r"\delta_j = 0", OUT)
    assert "Kronecker" in e.value.message and "bishop" in e.value.message


def test_C_is_the_class_count_where_it_bounds_a_sum_or_a_dimension():
    assert next(parse_claim(r"\sum_{k=1}^{C} y_k = 1", OUT).instances()).sides[0].expr == sp.Matrix([[sum(graph(OUT).y)]])
    assert next(parse_claim(r"\nabla_{b^{(2)}} \mathcal{L} \in \mathbb{R}^{C}", OUT).instances()).shape == (3, 1)
    with pytest.raises(NotationError, match="number of classes"):
        parse_claim(r"\frac{1}{C} = u", OUT)


# ----------------------------------------------------------------------------------------------
# a preset named in the default notation's error when it would read the claim


def test_default_errors_suggest_the_preset_that_reads_the_claim():
    inc = Network((3, 3, 3, 3), "sigmoid", "sigmoid", "bce", weights="incoming")
    with pytest.raises(NotationError) as e:
        parse_claim(r"\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j", inc)
    assert "notation: {preset: nielsen} reads it as" in e.value.message
    assert "∂ℒ/∂W^(l)_(j,k) = a^(l-1)_k δ^(l)_j" in e.value.message
    with pytest.raises(NotationError) as e:
        parse_claim(r"\delta_k = y_k - t_k", BISHOP_NET)
    assert "preset: bishop" in e.value.message
    with pytest.raises(NotationError) as e:                 # nothing reads it: no suggestion
        parse_claim(r"\delta^{(L)} = \bogus", OUT)
    assert "preset" not in e.value.message


# ----------------------------------------------------------------------------------------------
# tolerances: each removes only what cannot change the reading


BASE = r"\delta^{(L-1)} = (W^{(L-1)})^T (\hat y - y) \odot \varphi'(z^{(L-1)})"
NOISY = [
    "$" + BASE + "$", "$" + BASE + "$.", "$$" + BASE + "$$", r"\[" + BASE + r"\]", r"\(" + BASE + r"\)", BASE + ".", BASE + " ,",
    r"\begin{aligned} \delta^{(L-1)} &= (W^{(L-1)})^T (\hat y - y) \\ &\quad \odot \varphi'(z^{(L-1)}) \end{aligned}",
    r"\begin{align*} \delta^{(L-1)} &= (W^{(L-1)})^T (\hat y - y) \odot \varphi'(z^{(L-1)}). \end{align*}",
    r"\delta^{(L-1)} = \big(W^{(L-1)}\big)^T \Big(\hat y - y\Big) \odot \varphi'\bigl(z^{(L-1)}\bigr)",
    r"\boldsymbol{\delta}^{(L-1)} = (\mathbf{W}^{(L-1)})^\intercal (\hat{\mathbf{y}} - \bm{y}) \odot \varphi^\prime(\vec{z}^{(L-1)})",
    "δ^{(L-1)} = (W^{(L-1)})ᵀ (ŷ − y) ⊙ φ′(z^{(L-1)})",
    "δ⁽ᴸ⁻¹⁾ = (W^{(L-1)})ᵀ (ŷ − y) ⊙ φ′(z^{(L-1)})",
    r"\delta^{(L-1)} = (W^{(L-1)})^{\mathrm{T}} (\hat y - y) \odot {\color{red} \varphi'(z^{(L-1)})}",
    r"\displaystyle \delta^{(L-1)} = \left(W^{(L-1)}\right)^T \left(\hat y - y\right) \odot \varphi'\left(z^{(L-1)}\right)",
    BASE + r" % the hidden error",
]


@pytest.mark.parametrize("noisy", NOISY)
def test_tolerated_noise_does_not_change_the_reading(noisy):
    assert parse_claim(noisy, OUT).latex == parse_claim(BASE, OUT).latex


@pytest.mark.parametrize("clean,noisy", [
    (r"\frac{\partial L}{\partial W^{(1)}} = \delta^{(2)} (a^{(1)})^T", r"\partial L / \partial W^{(1)} = \delta^{(2)} (a^{(1)})^T"),
    (r"\frac{\partial L}{\partial W^{(1)}} = \delta^{(2)} (a^{(1)})^T",
     r"\frac{\partial{\mathcal{L}}}{\partial{W^{(1)}}} = \delta^{(2)} (a^{(1)})^T"),
    (r"\frac{\partial L}{\partial W^{(1)}} = \delta^{(2)} (a^{(1)})^T",
     r"\frac{\mathrm{d} L}{\mathrm{d} W^{(1)}} = \delta^{(2)} (a^{(1)})^T"),
    (r"\frac{\partial L}{\partial W^{(1)}} = \delta^{(2)} (a^{(1)})^T", r"\dfrac{\partial L}{\partial W^{(1)}} = \delta^{(2)} \, {a^{(1)}}^T"),
    (r"\varphi'(z^{(1)}) = \mathbb{1}\{z^{(1)} > 0\}", r"\varphi'(z^{(1)}) = [z^{(1)} > 0]"),
    (r"\varphi'(z^{(1)}) = \varphi'(z^{(1)})", r"\varphi'(z^{(1)}) = \operatorname{ReLU}'(z^{(1)})"),
    (r"\hat y = \operatorname{softmax}(z^{(L)})", r"\hat y = \mathrm{softmax}(z^{(L)})"),
    (r"\nabla_{x} \mathcal{L} = \frac{\partial L}{\partial x}", r"\nabla_x \mathcal{L} = \partial_x \mathcal{L}"),
    (r"u \cdot (-v) = 0", r"u \cdot -v = 0"),
])
def test_tolerated_spellings_read_the_same(clean, noisy):
    a, b = parse_claim(clean, OUT, notation={"scalars": ["u", "v"]}), parse_claim(noisy, OUT, notation={"scalars": ["u", "v"]})
    assert [tuple(s.expr) for s in next(a.instances()).sides] == [tuple(s.expr) for s in next(b.instances()).sides]


@pytest.mark.parametrize("text,token,fragment", [
    (r"$\delta^{(L)}$ = \hat y - y", "$", "not closed"),
    (r"\delta^{(L)} = $\hat y - y$", "$", "inside the formula"),
    (r"\begin{aligned} \delta^{(L)} &= \hat y - y \\ \delta^{(L-1)} &= 0 \end{aligned}", r"\delta", "new equation"),
    (r"\begin{tabular} x \end{tabular}", r"\begin", "only equation"),
    (r"\left. \frac{\partial \mathcal{L}}{\partial z^{(2)}} \right|_{z = 0} = 0", r"\left.", "evaluation"),
    (r"\delta^{(L)} = \hat y - y \text{ where } y \text{ is one-hot}", r"\text", "prose"),
    (r"\delta^{(L)} = \text{grad} \hat y", r"\text", "prose"),
    (r"\operatorname{foo}(z^{(1)}) = 0", r"\operatorname", "unknown function"),
    (r"\big \delta^{(L)} = 0", r"\big", "delimiter"),
    (r"u / v = 0", "/", "slash"),
    (r"\delta^{(L)} = \hat y - y \quad \text{for } k = 1, \dots, 3", "k", "not a free index"),
])
def test_what_is_not_certain_stays_an_error(text, token, fragment):
    with pytest.raises(NotationError) as e:
        parse_claim(text, OUT, notation={"scalars": ["u", "v"]})
    assert e.value.token == token and fragment in e.value.message, e.value.one_line()


def test_a_range_statement_restricts_the_layer_or_restates_an_index():
    full = parse_claim(r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)})", OUT)
    assert full.layers == (1, 2)
    some = parse_claim(r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)}) \quad \text{for } l = 2, "
                       r"\dots, L-1", OUT)
    assert some.layers == (2,)
    assert parse_claim(r"\hat y_k = \hat y_k \quad \text{for all } k", OUT).free_indices == {"k": 3}
    assert parse_claim(r"\hat y_k = \hat y_k, \quad \text{for } k = 1, \dots, 3", OUT).free_indices == {"k": 3}
    with pytest.raises(NotationError, match="in the stated range"):
        parse_claim(r"\delta^{(l)} = (W^{(l)})^T \delta^{(l+1)} \odot \varphi'(z^{(l)}) \text{ for } l = 0, \dots, L-1",
                    OUT)
    with pytest.raises(NotationError, match="only the whole range"):
        parse_claim(r"\hat y_k = \hat y_k \quad \text{for } k = 1, \dots, 2", OUT)


def test_an_index_repeated_on_one_side_only_is_not_for_all():
    """Einstein's convention (a repeated index summed) is never guessed: δ_j = W_{kj} δ_k φ'(z_j) is not 'for all k'."""
    with pytest.raises(NotationError, match="Einstein") as e:
        parse_claim(r"\delta^{(2)}_j = W^{(2)}_{kj} \delta^{(3)}_k \varphi'(z^{(2)}_j)", OUT)
    assert e.value.token == "k"
    assert check_claim(OUT, "c", r"\delta^{(2)}_j = \sum_k W^{(2)}_{kj} \delta^{(3)}_k \varphi'(z^{(2)}_j)").verdict == "proved"
    parse_claim(r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = \hat{y}_k(\delta_{ik} - \hat{y}_i)", OUT)   # k on both sides
    with pytest.raises(NotationError, match="for all"):                       # elementwise, or a sum over i?
        parse_claim(r"\max(0, z^{(1)}_i) \mathbb{1}\{z^{(1)}_i \le 0\} = 0", OUT)
    assert check_claim(OUT, "c", r"\max(0, z^{(1)}_i) \mathbb{1}\{z^{(1)}_i \le 0\} = 0 \quad \text{for all } i").verdict in \
        ("proved", "numerically-equal")


def test_implied_sum_ranges():
    g = graph(OUT)
    inst = next(parse_claim(r"\sum_k y_k = 1", OUT).instances())
    assert inst.sides[0].expr == sp.Matrix([[sum(g.y)]])
    c = parse_claim(r"\delta^{(2)}_j = \sum_k W^{(2)}_{kj} \delta^{(3)}_k \varphi'(z^{(2)}_j)", OUT)
    assert check_claim(OUT, "c", c.text).verdict == "proved"
    with pytest.raises(NotationError, match="not implied"):             # k indexes 3 and 4 entries
        parse_claim(r"\sum_k \hat y_k a^{(1)}_k = 0", OUT)
    with pytest.raises(NotationError, match="indexes no quantity"):
        parse_claim(r"\sum_k 1 = 3", OUT)


# ----------------------------------------------------------------------------------------------
# derivatives people write


@pytest.mark.parametrize("text,verdict", [
    (r"\frac{\partial \mathcal{L}}{\partial x} = (W^{(0)})^T \delta^{(1)}", "proved"),
    (r"\frac{\partial \mathcal{L}}{\partial x} = W^{(0)} \delta^{(1)}", "error"),      # 4x3 times 4x1
    (r"\frac{\partial z^{(l+1)}_k}{\partial z^{(l)}_j} = W^{(l)}_{kj} \varphi'(z^{(l)}_j)", "proved"),
    (r"\frac{\partial z^{(l+1)}}{\partial z^{(l)}} = W^{(l)} \operatorname{diag}(\varphi'(z^{(l)}))", "proved"),
    (r"\frac{\partial z^{(l+1)}}{\partial z^{(l)}} = \operatorname{diag}(\varphi'(z^{(l)})) W^{(l)}", "error"),  # 4x4 only at l=1
    (r"\delta^{(l)} = \left(\frac{\partial z^{(l+1)}}{\partial z^{(l)}}\right)^T \delta^{(l+1)}", "proved"),
    (r"\frac{\partial \mathcal{L}}{\partial a^{(l)}} = (W^{(l)})^T \delta^{(l+1)}", "proved"),   # l = 0, 1, 2
    (r"\frac{\partial \hat y_k}{\partial z^{(2)}_j} = \sum_i \hat y_k (\delta_{ki} - \hat y_i) W^{(2)}_{ij} \varphi'(z^{(2)}_j)",
     "proved"),
])
def test_derivative_forms(text, verdict):
    assert check_claim(OUT, "c", text).verdict == verdict


def test_every_layer_of_a_free_l_including_the_input():
    c = parse_claim(r"\frac{\partial \mathcal{L}}{\partial a^{(l)}} = (W^{(l)})^T \delta^{(l+1)}", OUT)
    assert c.layers == (0, 1, 2) and c.notes == ("l = 3 skipped: W^(3) does not exist in this network (valid: 0..2)",)
    d = derive(OUT)
    assert c.instance(l=0).sides[0].expr == graph(OUT).W[0].T * d.delta[1]
    skipped = parse_claim(r"\delta^{(l)} = \frac{\partial \mathcal{L}}{\partial z^{(l)}}", OUT)
    assert skipped.layers == (1, 2, 3) and skipped.notes[0].startswith("l = 0 skipped")


# ----------------------------------------------------------------------------------------------
# read as: the words form, and fixes in error messages


def test_words_form_of_a_reading():
    p = parse_claim(r"\delta^{(2)} = (W^{(2)})^T \delta^{(3)} \odot \sigma'(z^{(2)})", Network((3, 4, 4, 3), "sigmoid"))
    assert p.words == "δ^(2) = ((W^(2))ᵀ δ^(3)) ⊙ σ'(z^(2)), σ = logistic"
    q = parse_claim(r"\delta_j = h'(a_j) \sum_k w_{kj} \delta_k", BISHOP_NET, notation="bishop")
    assert q.words.startswith("δ^(1)_j = φ'(z^(1)_j) (Σ_k W^(2)_(k,j) δ^(2)_k)")
    assert "h = the activation (tanh)" in q.words and "k = a unit of layer 2" in q.words


@pytest.mark.parametrize("text,fix", [
    (r"\delta^L = \hat y - y", r"\delta^{(L)}"),
    (r"\delta^{(L-1)} = W^{(L-1)T} \delta^{(L)}", r"(W^{(L-1)})^T"),
    (r"\delta^{(L-1)} = W^{(L-1)}^T \delta^{(L)}", r"(W^{(L-1)})^T"),
    (r"u^{23} = u^23", "^{23}"),
])
def test_errors_carry_the_fix_when_it_is_certain(text, fix):
    with pytest.raises(NotationError) as e:
        parse_claim(text, OUT, notation={"scalars": ["u"]})
    assert e.value.fix == fix and e.value.one_line().endswith(f"; write {fix}")


def test_yaml_errors_say_how_to_quote_latex():
    with pytest.raises(SpecError) as e:
        load_spec_text("network: {sizes: [2, 3, 2]}\nclaims:\n  - id: c\n    claim: '\\varphi'(u) = 0'\n")
    assert "| block scalar" in e.value.message and "''" in e.value.message


# ----------------------------------------------------------------------------------------------
# derivation files and the CLI


NIELSEN_FILE = r"""title: Nielsen
network: {sizes: [3, 3, 3, 3], activation: sigmoid, output: sigmoid, loss: bce}
notation: {preset: nielsen}
claims:
  - id: bp2
    claim: |
      \delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)
  - id: slip
    expect: false
    claim: \delta^l = (w^{l+1} \delta^{l+1}) \odot \sigma'(z^l)
"""


def test_a_file_declares_its_notation():
    from symbackprop.suite import check_spec
    spec = load_spec_text(NIELSEN_FILE, "n.yaml")
    assert spec.network.weights == "incoming"                  # filled from the preset
    assert spec.notation == PRESETS["nielsen"] and all(c.notation == PRESETS["nielsen"] for c in spec.claims)
    rep = check_spec(spec, inline=True)
    assert [r.verdict for r in rep.results] == ["proved", "refuted"]


@pytest.mark.parametrize("section,key,fragment,line", [
    ("notation: {preset: nielsen, scalar: [u]}", "notation.scalar", "did you mean 'scalars'", 3),
    ("notation:\n  preset: nielsen\n  layers: round", "notation.layers", "must be one of", 5),
    ("notation: [nielsen]", "notation", "preset name or a mapping", 3),
    ("notation: nielsen", "network.weights", "weights: incoming", 2),
])
def test_notation_section_errors_name_the_field_and_line(section, key, fragment, line):
    net = "network: {sizes: [3, 3, 3], weights: outgoing}\n" if key == "network.weights" else \
        "network: {sizes: [3, 3, 3]}\n"
    text = "title: t\n" + net + section + "\nclaims:\n  - id: c\n    claim: 'u = u'\n"
    with pytest.raises(SpecError) as e:
        load_spec_text(text, "f.yaml")
    assert e.value.key == key and fragment in e.value.message and f"(line {line})" in e.value.message, str(e.value)


def test_cli_notation_flag(tmp_path, capsys):
    from symbackprop.cli import main
    f = tmp_path / "b.yaml"
    f.write_text("network: {sizes: [2, 3, 2], activation: tanh, output: identity, loss: mse, weights: incoming}\n"
                 "claims:\n  - id: out\n    claim: \\delta_k = y_k - t_k\n")
    assert main(["check", str(f), "--notation", "bishop"]) == 0
    assert main(["check", str(f)]) == 1                        # t is not read without the notation
    assert "preset: bishop" in capsys.readouterr().out


def test_sigma_has_one_reading_in_a_network_without_hidden_layers():
    # no hidden layer, no activation: σ can only be the logistic function (a relu net with hidden layers
    # keeps the two-readings error)
    from symbackprop import Network, check_claim
    assert check_claim(Network((3, 2)), "s", r"\hat{y}_1 = \sigma(z^{(1)}_1 - z^{(1)}_2)").verdict == "proved"
    assert check_claim(Network((3, 2)), "s", r"\hat{y}_1 = \sigma(z^{(1)}_2 - z^{(1)}_1)").verdict == "refuted"
    assert check_claim(Network((3, 4, 2)), "s", r"\hat{y}_1 = \sigma(z^{(2)}_1 - z^{(2)}_2)").verdict == "error"
