r"""Notation profiles: which letters name which quantity, how layers are written, and the presets of the sources.

A :class:`Profile` binds the notation of one source to the engine's quantities. A derivation file declares it
(``notation: {preset: nielsen, scalars: [u]}``), the CLI passes ``--notation``, the API ``notation=``. Every
profile starts from a preset (``default`` unless named) and overrides fields; unknown fields and bad values are
a :class:`~symbackprop.errors.NotationError` naming the field (with a did-you-mean). Nothing undeclared is
guessed: a letter the profile does not bind is an error naming the field that would bind it.

Fields (YAML names):

========================  ===========================================================================
``cost``                  spellings of the loss: ``\mathcal{L}``, ``C``, ``J``, ``E_n``, ``L_i``, ``J(W,b;x,y)``
``output``                spellings of the network's output ŷ (besides the last layer's activation)
``logits``                spellings of the output layer's pre-activation z^(L) (d2l ``o``, CS231n ``f``)
``target``                the target's letter (``y``; Bishop ``t``)
``input``                 the input's letter (``x``)
``preactivation``         letter of the weighted input z (Bishop and Goodfellow: ``a``)
``activation``            letter of the activation a (Bishop ``z``, Goodfellow ``h``)
``error``                 the error δ = ∂L/∂z (``\delta``)
``weight`` / ``bias``     letters of the weights and biases (``W``/``b``; Nielsen, Bishop ``w``)
``activation_function``   spellings of the generic hidden activation (``\varphi``, ``\sigma``, ``f``, ``g``, ``h``)
``sigma``                 what ``\sigma`` is: ``logistic``, ``activation`` (Nielsen's BP1–BP4) or ``auto`` (logistic
                          where both readings agree, an error naming both where they differ)
``layers``                how a layer is written: ``paren`` ``^{(l)}``, ``bare`` ``^l``, ``bracket`` ``^{[l]}``,
                          ``subscript`` ``W_1`` (weights and biases only)
``input_layer``           the input layer's number (0, or 1 for Nielsen and UFLDL)
``last_layer``            the symbol of the output layer (``L``; UFLDL ``n_l``; Goodfellow ``l``), or null
``layer_symbol``          the free layer variable (``l``; Goodfellow ``k``)
``weight_index``          ``to-from``: W_{jk} connects unit k of the previous layer to unit j (the default);
                          ``from-to``: W_{jk} connects j to k, and W is written d_prev × d_next (z = Wᵀa + b)
``weights``               ``outgoing``/``incoming``: how the source labels W (checked against the network)
``widths``                letter of the layer widths (``d_l``; deeplearning.ai ``n^{[l]}``; UFLDL ``s_l``)
``classes``               letter of the number of classes (``C``), or null
``size_names``            letters naming one layer's width: ``{D: 0, M: 1, K: L}`` (Bishop)
``jacobian``              layout of vector-by-vector derivatives: ``numerator`` (rows follow the numerator) or
                          ``denominator``; gradients of the loss always have the shape of their variable
``scalars``               extra real scalar variables (``[u, v, \lambda]``)
``macros``                ``{\Vx: x}``: macros without arguments, expanded token by token
``preamble``              a ``.tex`` preamble: its ``\newcommand``/``\def`` without arguments become macros
========================  ===========================================================================

Source habits (set by the presets, may be set by hand): ``hadamard`` (extra spellings of ⊙: ``*``,
``\bullet``), ``gradient_prefix`` (``dW``, ``dz``, ``db``, ``da`` = ∂J/∂…), ``transpose_in_layer``
(``W^{[l]T}``), ``units_by_index`` (Bishop: an unscripted quantity's layer is given by its index letter
i → j → k), ``example_index`` (Bishop's ``n`` in ``E_n``, ``y_{nk}``), ``nabla_a_output`` (Nielsen's ``\nabla_a C``),
``activation_at_output`` (the activation letter also names the output layer's function), ``rows`` (CS231n:
examples are row vectors), ``class_index_target`` (CS231n: ``y_i`` is the correct class), ``depth`` (the number
of weight layers the source's names presuppose), ``aliases`` (a name for one quantity, in the default dialect:
``{o: z^{(L)}}``), ``regularized`` (names of a regularized objective, refused with a message).
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

from ..errors import NotationError

__all__ = ["Profile", "PRESETS", "profile", "load_profile", "parse_preamble", "FIELDS"]

MAX_MACROS = 500
MAX_PREAMBLE = 200_000
MAX_SPELLING = 80


@dataclass(frozen=True)
class Profile:
    """A notation: the spellings of the engine's quantities and the source's habits (see the module doc)."""
    preset: str = "default"
    cost: tuple = (r"\mathcal{L}",)
    output: tuple = (r"\hat{y}",)
    logits: tuple = ()
    target: str = "y"
    input: str = "x"
    preactivation: str = "z"
    activation: str = "a"
    error: str = r"\delta"
    weight: str = "W"
    bias: str = "b"
    activation_function: tuple = (r"\varphi", r"\phi")
    sigma: str = "auto"
    layers: str = "paren"
    input_layer: int = 0
    last_layer: str | None = "L"
    layer_symbol: str = "l"
    weight_index: str = "to-from"
    weights: str | None = None
    widths: str = "d"
    classes: str | None = "C"
    size_names: tuple = ()
    jacobian: str = "numerator"
    scalars: tuple = ()
    macros: tuple = ()
    hadamard: tuple = ()
    gradient_prefix: bool = False
    transpose_in_layer: bool = False
    units_by_index: bool = False
    example_index: str | None = None
    nabla_a_output: bool = False
    activation_at_output: bool = False
    rows: bool = False
    class_index_target: bool = False
    depth: int | None = None
    aliases: tuple = ()
    regularized: tuple = ()
    sources: str = field(default="", compare=False)

    def describe(self) -> dict:
        """A JSON-ready description (the fields that differ from the default preset, and the preset)."""
        base = PRESETS["default"]
        out = {"preset": self.preset}
        for f in fields(self):
            if f.name in ("preset", "sources"):
                continue
            v = getattr(self, f.name)
            if v != getattr(base, f.name):
                out[f.name] = [list(x) if isinstance(x, tuple) else x for x in v] if isinstance(v, tuple) else v
        return out


# ----------------------------------------------------------------------------------------------
# presets: each docstring says what it was checked against and where the source is inconsistent

_DEFAULT_DOC = """The course's dialect (MLE Ex 4): layers ^{(l)} with the input a^{(0)} = x, ŷ = a^{(L)}, φ the
hidden activation, \\mathcal{L} the loss, C the number of classes (where it bounds a sum or a dimension)."""

_NIELSEN_DOC = """Nielsen, Neural Networks and Deep Learning, ch. 2 (neuralnetworksanddeeplearning.com/chap2.html):
bare layer superscripts a^l, z^l, δ^l, b^l_j, w^l_{jk} (weight from neuron k in layer l-1 to neuron j in layer l:
incoming, to-from), the input is layer 1, L the last layer, cost C (C_x per example), σ the activation of every
layer (sigmoid in the examples, generic in BP1–BP4), ⊙ Hadamard, ∇_a C = (∂C/∂a^L_j)_j. Checked against ch. 2
as quoted in course material: z^l = w^l a^{l-1} + b^l, BP1 δ^L = ∇_a C ⊙ σ'(z^L), BP2 δ^l = ((w^{l+1})^T δ^{l+1}) ⊙
σ'(z^l), BP3 ∂C/∂b^l_j = δ^l_j, BP4 ∂C/∂w^l_{jk} = a^{l-1}_k δ^l_j. Inconsistency: σ is the logistic function in
ch. 1 and the examples but a generic activation in BP1–BP4 (and applies at the output layer too): here σ is the
network's activation, and σ at the output layer is refused unless the output head is that same function (sigmoid
hidden + sigmoid output). The quadratic cost with a sigmoid output is not supported by the engine yet; use
sigmoid + bce (ch. 3's cross-entropy, δ^L = a^L - y)."""

_CS231N_DOC = """CS231n notes (cs231n.github.io: linear classification, neural-networks-case-study): W1, W2, b1, b2
(here W_1, W_2, b_1, b_2: the layer as a subscript of weights and biases only), the single hidden layer h, class
scores f (the logits), probabilities p (the softmax output), per-example loss L_i = -\\log(e^{f_{y_i}}/\\sum_j
e^{f_j}) with y_i the index of the correct class, ∂L_i/∂f_k = p_k - 1(y_i = k). Inconsistency: the linear
classification notes write column vectors f(x_i; W, b) = W x_i + b (W is K×D), the case study's code writes rows
X W + b (W is D×H): this preset follows the case study (from-to weights, rows), so products and transposes of
vectors are refused (row layout is not supported yet) while elementwise and entrywise claims are read. The full
loss L = (1/N) Σ L_i + λ R(W) is refused (batch and regularization); write L_i."""

_DLAI_DOC = """deeplearning.ai (Ng) notation sheet and course 1: ^{[l]} layers with a^{[0]} = x and ŷ = a^{[L]},
z^{[l]} = W^{[l]} a^{[l-1]} + b^{[l]} with W^{[l]} of shape (n^{[l]}, n^{[l-1]}) (incoming, to-from: a_j^{[l]} =
g^{[l]}(Σ_k w_{jk}^{[l]} a_k^{[l-1]} + b_j^{[l]})), widths n^{[l]}, g^{[l]} the activation of layer l (g^{[L]} the
output's), cost J and loss \\mathcal{L}(ŷ, y), gradients dz^{[l]}, dW^{[l]}, db^{[l]}, da^{[l]} (= ∂J/∂…), * for the
elementwise product, transposes written inside the layer superscript (W^{[2]T}, a^{[1]T}). Single-example
forms only: capital batch matrices (A, Z, X, Y, dZ), the example superscript (i) and the batch size m are refused
with a message (batch quantities are not supported yet)."""

_D2L_DOC = """Dive into Deep Learning §5.3 (forward/backward propagation): one hidden layer without bias,
z = W^{(1)} x, h = φ(z), o = W^{(2)} h, loss L = l(o, y), regularization s = λ/2(‖W^{(1)}‖² + ‖W^{(2)}‖²), objective
J = L + s; bold vectors. Here z, h, o name the layers of a network with one hidden layer (depth 2): z = z^{(1)},
h = a^{(1)}, o = z^{(2)}; L is the loss. J and s are refused (the network has no weight decay): declare
notation: {cost: [L, J]} if λ = 0 in your notes. prod(·) ("multiply after the necessary transpositions") is
refused: write the product. Difference: the engine's layers have biases, so a definition z = W^{(1)} x without
b^{(1)} is refuted."""

_BISHOP_DOC = """Bishop, PRML §5.1–5.3: a_j = Σ_i w_{ji} z_i (a the pre-activation, z the activation: swapped
letters), z_j = h(a_j), outputs y_k, targets t_k, E_n = ½ Σ_k (y_{nk} - t_{nk})² for pattern n, δ_j ≡ ∂E_n/∂a_j,
δ_k = y_k - t_k, δ_j = h'(a_j) Σ_k w_{kj} δ_k, ∂E_n/∂w_{ji} = δ_j z_i; w^{(1)}_{ji}, w^{(2)}_{kj} for the two layers
(§5.1), D inputs, M hidden units, K outputs, σ the logistic sigmoid. Unscripted quantities take their layer from
the index letter (i input, j hidden, k output: a network with one hidden layer); the pattern index n is dropped
(y_{nk} = y_k: one example). The bias folded in as w_{j0} is read as b_j. Bishop's §5.3.1 is general (any
feed-forward topology); the index-letter reading is certain only for the two-layer network of §5.3.2. Bishop's
softmax y_k = exp(a_k)/Σ_j exp(a_j) (eq. 5.25) sums over output units with j: a sum whose only letter would put a
quantity in another layer than the same quantity beside it is refused (write a^{(2)}_j)."""

_GOODFELLOW_DOC = """Goodfellow, Bengio, Courville, Deep Learning §6.5.4, Algorithms 6.3/6.4: a^{(k)} = b^{(k)} +
W^{(k)} h^{(k-1)}, h^{(k)} = f(a^{(k)}), h^{(0)} = x, ŷ = h^{(l)} (l the depth, k the layer variable), J = L(ŷ, y) +
λΩ(θ), g ← ∇_{a^{(k)}} J = g ⊙ f'(a^{(k)}), ∇_{W^{(k)}} J = g h^{(k-1)⊤} + λ∇_{W^{(k)}}Ω(θ), g ← ∇_{h^{(k-1)}} J =
W^{(k)⊤} g; bold vectors through the book's macros (math_commands.tex: \\vx, \\vh, \\va, \\vb, \\vy, \\mW …). J is
refused (it includes λΩ(θ), which the network has no term for): declare notation: {cost: [J]} if λ = 0. g, the
algorithm's accumulator, is refused (its value changes at every step): write ∇_{a^{(k)}} J. f applies at the output
layer too (ŷ = h^{(l)} = f(a^{(l)})): refused unless the output head is the hidden activation."""

_UFLDL_DOC = """UFLDL tutorial (ufldl.stanford.edu, Neural Networks / Backpropagation Algorithm): layers ^{(l)} with
the input layer 1 (a^{(1)} = x) and n_l the output layer, s_l units in layer l, z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}
with W^{(l)}_{ij} from unit j in layer l to unit i in layer l+1 (outgoing, to-from), f the activation of every
layer, h_{W,b}(x) the output, J(W,b;x,y) = ½‖h_{W,b}(x) - y‖² one example's cost, δ^{(n_l)} = -(y - a^{(n_l)}) •
f'(z^{(n_l)}), δ^{(l)}_i = (Σ_j W^{(l)}_{ji} δ^{(l+1)}_j) f'(z^{(l)}_i), ∂J(W,b;x,y)/∂W^{(l)}_{ij} = a^{(l)}_j δ^{(l+1)}_i,
• elementwise. J(W,b) (mean over m examples plus weight decay) and bare J are refused. Inconsistency: UFLDL's
output layer applies f (sigmoid with squared error), which the engine does not support yet; f at the output layer
is refused unless the output head is the hidden activation."""

_BOOK_MACROS = ((r"\vx", r"{\bm{x}}"), (r"\vy", r"{\bm{y}}"), (r"\vh", r"{\bm{h}}"), (r"\va", r"{\bm{a}}"),
                (r"\vb", r"{\bm{b}}"), (r"\vz", r"{\bm{z}}"), (r"\vg", r"{\bm{g}}"), (r"\mW", r"{\bm{W}}"),
                (r"\sigmoid", r"\sigma"), (r"\softmax", r"\mathrm{softmax}"), (r"\R", r"\mathbb{R}"))

PRESETS = {
    "default": Profile(sources=_DEFAULT_DOC),
    "nielsen": Profile(
        preset="nielsen", cost=("C", "C_x"), output=(), weight="w", activation_function=(r"\sigma", r"\varphi"),
        sigma="activation", layers="bare", input_layer=1, weights="incoming", classes=None,
        nabla_a_output=True, activation_at_output=True, sources=_NIELSEN_DOC),
    "cs231n": Profile(
        preset="cs231n", cost=("L_i",), output=("p",), logits=("f",), layers="subscript", weights="incoming",
        weight_index="from-to", sigma="logistic", rows=True, class_index_target=True, depth=2,
        aliases=(("h", "a^{(1)}"),), classes="C", regularized=("L",), sources=_CS231N_DOC),
    "deeplearning-ai": Profile(
        preset="deeplearning-ai", cost=("J", r"\mathcal{L}", r"\mathcal{L}(\hat{y}, y)", r"\mathcal{L}(a^{[L]}, y)"),
        activation_function=("g", r"\varphi"), sigma="logistic", layers="bracket", weights="incoming",
        widths="n", classes=None, hadamard=("*",), gradient_prefix=True, transpose_in_layer=True,
        activation_at_output=True, sources=_DLAI_DOC),
    "d2l": Profile(
        preset="d2l", cost=("L", "l(o, y)"), output=(), activation_function=(r"\phi", r"\varphi"),
        sigma="logistic", weights="incoming", last_layer=None, classes=None, depth=2,
        aliases=(("z", "z^{(1)}"), ("h", "a^{(1)}"), ("o", "z^{(2)}")), regularized=("J", "s"),
        sources=_D2L_DOC),
    "bishop": Profile(
        preset="bishop", cost=("E_n", "E"), output=("y",), target="t", preactivation="a", activation="z",
        weight="w", activation_function=("h", r"\varphi"), sigma="logistic", weights="incoming", classes=None,
        size_names=(("D", "0"), ("M", "1"), ("K", "L")), units_by_index=True, example_index="n", depth=2,
        sources=_BISHOP_DOC),
    "goodfellow": Profile(
        preset="goodfellow", cost=("L(\\hat{y}, y)",), preactivation="a", activation="h",
        activation_function=("f", r"\varphi"), sigma="logistic", weights="incoming", last_layer="l",
        layer_symbol="k", transpose_in_layer=True, activation_at_output=True, macros=_BOOK_MACROS,
        regularized=("J",), sources=_GOODFELLOW_DOC),
    "ufldl": Profile(
        preset="ufldl", cost=("J(W,b;x,y)",), output=("h_{W,b}(x)",), activation_function=("f", r"\varphi"),
        input_layer=1, last_layer="n_l", weights="outgoing", widths="s", classes=None, hadamard=(r"\bullet",),
        activation_at_output=True, regularized=("J", "J(W,b)"), sources=_UFLDL_DOC),
}
PRESETS["deeplearning.ai"] = PRESETS["deeplearning-ai"]
PRESET_NAMES = ("default", "nielsen", "cs231n", "deeplearning-ai", "d2l", "bishop", "goodfellow", "ufldl")


# ----------------------------------------------------------------------------------------------
# reading a mapping into a Profile


def _fail(message, key=None):
    raise NotationError(message, key=f"notation.{key}" if key else "notation")


def _name(value, key, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        _fail(f"{key} must be a LaTeX name such as 'x' or '\\hat{{y}}', got {value!r}", key)
    text = str(value).strip()
    if len(text) > MAX_SPELLING:
        _fail(f"{key}: a name of at most {MAX_SPELLING} characters, got {len(text)}", key)
    from .lexer import raw_tokens
    try:
        raw_tokens(text)
    except NotationError as e:
        _fail(f"{key}: {text!r} is not LaTeX this layer reads: {e.message}", key)
    return text


def _names(value, key):
    items = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)):
        _fail(f"{key} must be a name or a list of names, got {value!r}", key)
    return tuple(_name(v, key) for v in items)


def _choice(options, allow_none=False):
    def read(value, key):
        if value is None and allow_none:
            return None
        if value not in options:
            _fail(f"{key} must be one of {', '.join(map(str, options))}, got {value!r}", key)
        return value
    return read


def _flag(value, key):
    if not isinstance(value, bool):
        _fail(f"{key} must be true or false, got {value!r}", key)
    return value


def _int(lo, hi, allow_none=False):
    def read(value, key):
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            _fail(f"{key} must be an integer from {lo} to {hi}, got {value!r}", key)
        return value
    return read


def _pairs(value, key):
    if not isinstance(value, dict):
        _fail(f"{key} must be a mapping such as {{\\Vx: x}}, got {value!r}", key)
    return tuple((_name(k, key), _name(v, key)) for k, v in value.items())


def _macros(value, key):
    pairs = _pairs(value, key)
    for name, _ in pairs:
        if not (name.startswith("\\") and name[1:].isascii() and name[1:].isalpha()) and name != "\\1":
            _fail(f"{key}: a macro name is a command such as \\Vx, got {name!r}", key)
    if len(pairs) > MAX_MACROS:
        _fail(f"{key}: at most {MAX_MACROS} macros", key)
    return pairs


READERS = {
    "cost": _names, "output": _names, "logits": _names, "target": _name, "input": _name,
    "preactivation": _name, "activation": _name, "error": _name, "weight": _name, "bias": _name,
    "activation_function": _names, "sigma": _choice(("auto", "logistic", "activation")),
    "layers": _choice(("paren", "bare", "bracket", "subscript")), "input_layer": _int(0, 1),
    "last_layer": lambda v, k: _name(v, k, allow_none=True), "layer_symbol": _name,
    "weight_index": _choice(("to-from", "from-to")), "weights": _choice(("outgoing", "incoming"), True),
    "widths": _name, "classes": lambda v, k: _name(v, k, allow_none=True), "size_names": _pairs,
    "jacobian": _choice(("numerator", "denominator")), "scalars": _names, "macros": _macros,
    "hadamard": _names, "gradient_prefix": _flag, "transpose_in_layer": _flag, "units_by_index": _flag,
    "example_index": lambda v, k: _name(v, k, allow_none=True), "nabla_a_output": _flag,
    "activation_at_output": _flag, "rows": _flag, "class_index_target": _flag,
    "depth": _int(1, 16, allow_none=True), "aliases": _pairs, "regularized": _names,
}
FIELDS = ("preset", "preamble") + tuple(READERS)


def _unknown(key):
    close = difflib.get_close_matches(str(key), FIELDS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; fields: {', '.join(FIELDS)}"
    _fail(f"unknown notation field {key!r}{hint}", str(key))


def _preset(name):
    if not isinstance(name, str) or name not in PRESETS:
        close = difflib.get_close_matches(str(name), PRESET_NAMES, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        _fail(f"unknown notation preset {name!r}; presets: {', '.join(PRESET_NAMES)}{hint}", "preset")
    return PRESETS[name]


def profile(spec=None) -> Profile:
    """The Profile of ``spec``: None (default), a preset name, a Profile, or a mapping of fields."""
    if spec is None:
        return PRESETS["default"]
    if isinstance(spec, Profile):
        return spec
    if isinstance(spec, str):
        return _preset(spec.strip())
    if not isinstance(spec, dict):
        _fail(f"notation must be a preset name or a mapping of fields, got {type(spec).__name__}")
    for key in spec:
        if key not in FIELDS:
            _unknown(key)
    base = _preset(spec.get("preset", "default"))
    changes = {k: READERS[k](v, k) for k, v in spec.items() if k in READERS}
    if "preamble" in spec:
        changes["macros"] = changes.get("macros", base.macros) + parse_preamble(spec["preamble"])
    out = replace(base, **changes)
    _validate(out)
    return out


def load_profile(text: str) -> Profile:
    """The Profile of a CLI argument: a preset name, or a JSON/YAML mapping of fields (read as data, never run)."""
    text = text.strip()
    if text in PRESETS:
        return PRESETS[text]
    if not text.startswith("{"):
        return _preset(text)
    try:
        data = json.loads(text)
    except ValueError:
        import yaml
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            _fail(f"--notation is neither a preset nor a JSON/YAML mapping: {' '.join(str(e).split())[:200]}")
    return profile(data)


def _validate(p: Profile):
    """Spellings must not name two things; a letter cannot be two quantities."""
    seen = {}
    roles = [("cost", s) for s in p.cost] + [("output", s) for s in p.output] + [("logits", s) for s in p.logits]
    roles += [(k, getattr(p, k)) for k in ("target", "input", "preactivation", "activation", "weight", "bias",
                                           "widths")]
    roles += [("classes", p.classes)] if p.classes else []
    roles += [("scalars", s) for s in p.scalars]        # aliases name a quantity over a letter's role (d2l's z)
    for role, spelling in roles:
        key = _canon_text(spelling)
        if key in seen and seen[key] != role:
            _fail(f"{spelling!r} is given two meanings: {seen[key]} and {role}", role)
        seen[key] = role


@lru_cache(maxsize=512)
def _canon_text(text):
    return " ".join(text.split()).replace("{", " { ").replace("}", " } ")


# ----------------------------------------------------------------------------------------------
# a .tex preamble: \newcommand / \renewcommand / \providecommand / \def without arguments (nothing else)


_DEFINERS = ("newcommand", "renewcommand", "providecommand", "def", "DeclareMathOperator")


def _skip_space(s, i):
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def _group(s, i):
    """(content, end) of the balanced {…} at ``i``, or None."""
    if i >= len(s) or s[i] != "{":
        return None
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        depth += (c == "{") - (c == "}")
        j += 1
        if depth == 0:
            return s[i + 1:j - 1], j
    return None


def _macro_name(s, i):
    """(\\name, end) at ``i`` (braced or not), or None."""
    braced = _group(s, i)
    inner = braced[0].strip() if braced else None
    text, end = (inner, braced[1]) if braced else (s[i:], None)
    if not text or text[0] != "\\":
        return None
    j = 1
    while j < len(text) and text[j].isascii() and text[j].isalpha():
        j += 1
    if j == 1:
        j = 2
    name = text[:j]
    if braced and name != inner:
        return None
    return name, end if braced else i + j


def _definition(s, i, definer):
    """(name, body, end) of the definition whose command ends at ``i``, body None when it has arguments."""
    i = _skip_space(s, i)
    if i < len(s) and s[i] == "*":
        i = _skip_space(s, i + 1)
    got = _macro_name(s, i)
    if got is None:
        return None, None, i
    name, i = got
    i = _skip_space(s, i)
    if i < len(s) and s[i] in "[#":                   # arguments ([n] or #1): not read
        return name, None, i
    body = _group(s, i)
    if body is None:
        return name, None, i
    text, end = body
    if definer == "DeclareMathOperator":
        text = r"\operatorname{%s}" % text.strip()
    return name, text, end


def parse_preamble(text) -> tuple:
    """((\\name, body), …) of the argument-free definitions in a preamble; everything else is ignored."""
    if not isinstance(text, str):
        _fail(f"preamble must be a string of LaTeX, got {type(text).__name__}", "preamble")
    if len(text) > MAX_PREAMBLE:
        _fail(f"preamble of {len(text)} characters (limit {MAX_PREAMBLE})", "preamble")
    out, i = [], 0
    lines = [ln.split("%", 1)[0] if "\\%" not in ln else ln for ln in text.split("\n")]
    s = "\n".join(lines)
    while True:
        i = s.find("\\", i)
        if i < 0:
            break
        j = i + 1
        while j < len(s) and s[j].isascii() and s[j].isalpha():
            j += 1
        word = s[i + 1:j]
        if word not in _DEFINERS:
            i = max(j, i + 2)
            continue
        name, body, i = _definition(s, j, word)
        if name and body is not None:
            out.append((name, body.strip()))
            if len(out) > MAX_MACROS:
                _fail(f"preamble: more than {MAX_MACROS} definitions", "preamble")
    return tuple(out)
