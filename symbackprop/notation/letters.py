r"""The parser's letters: names of quantities through the notation profile, layer scripts in the profile's style,
indices, widths, and the refusal of every letter the profile does not bind.

Order of reading at a letter or name: the profile's spellings (``\mathcal{L}``, ``C``, ``E_n``, ``\hat{y}``, ``o`` …,
longest first), then the profile's single letters (pre-activation, activation, weight, bias, input, target, width),
then ``e`` (the exponential), the activation-function letters (``f``, ``g``, ``h``) and declared scalars. A letter
that names a role in some textbook (t, h, o, p, f, g, J, E, C, n, m, s, w, …) is an error naming the profile field
that would bind it; any other lowercase letter is a tentative real scalar, kept only if the claim and its givens
mention no network quantity at all (checked in :mod:`.program`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .algebra import Transpose
from .functions import Apply, ClassPick, Softmax
from .layers import LayersMixin, canonical
from .lexer import Token
from .nodes import Index, LayerExpr, Named, Quantity, Var, Width, kind, unwrap
from .normalize import normalize
from .profiles import PRESETS

__all__ = ["LettersMixin", "ROLE_LETTERS", "FREE_LETTERS", "INDEX_LETTERS", "role_message"]

INDEX_LETTERS_EXCLUDED = frozenset("lxyzabde")
FREE_LETTERS = frozenset("qruv")          # letters no textbook of backprop gives a role: scalars in scalar claims
INDEX_LETTERS = frozenset("ijk")
_CLASS_LABEL, _EXAMPLE = "@y", "@n"

# letter -> (what it names in some source, the field that binds it, presets that bind it)
ROLE_LETTERS = {
    "t": ("the target (Bishop)", "target: t", "bishop"),
    "h": ("an activation (Goodfellow, d2l) or the activation function (Bishop)", "activation: h", "goodfellow, d2l, bishop"),
    "o": ("the output layer (d2l)", "logits: [o]", "d2l"),
    "p": ("the predicted probabilities (CS231n)", "output: [p]", "cs231n"),
    "f": ("the activation function (UFLDL, Goodfellow) or the scores (CS231n)", "activation_function: [f]",
          "ufldl, goodfellow, cs231n"),
    "g": ("the activation function (deeplearning.ai) or Goodfellow's gradient accumulator",
          "activation_function: [g]", "deeplearning-ai"),
    "J": ("the cost", "cost: [J]", "deeplearning-ai"), "E": ("the error function (Bishop)", "cost: [E]", "bishop"),
    "C": ("the cost (Nielsen) or the number of classes", "cost: [C]", "nielsen"),
    "n": ("a layer width (deeplearning.ai n^{[l]}) or the pattern index (Bishop)", "widths: n",
          "deeplearning-ai, bishop"),
    "m": ("the number of examples (a batch)", None, None), "N": ("the number of examples (a batch)", None, None),
    "s": ("a layer width (UFLDL s_l) or d2l's regularizer", "widths: s", "ufldl"),
    "w": ("a weight (Nielsen, Bishop)", "weight: w", "nielsen, bishop"),
    "c": ("a class index", None, None), "i": ("an index", None, None), "j": ("an index", None, None),
    "k": ("an index or Goodfellow's layer variable", "layer_symbol: k", "goodfellow"),
    "K": ("the number of classes (Bishop)", "size_names: {K: L}", "bishop"),
    "D": ("the input width (Bishop)", "size_names: {D: 0}", "bishop"),
    "M": ("the hidden width (Bishop)", "size_names: {M: 1}", "bishop"),
    "A": ("a batch of activations (deeplearning.ai)", None, None), "Z": ("a batch of pre-activations", None, None),
    "X": ("the input batch", None, None), "Y": ("the target batch", None, None),
}
BATCH_LETTERS = frozenset("AZXYm")
# the spellings of the cost that name the reduced loss of a whole batch, by preset (every other cost spelling names
# one example's loss: L_i, C_x, E_n, deeplearning.ai's \mathcal{L}, J(W,b;x,y), ...; in a batch they are errors)
BATCH_COSTS = {"default": (r"\mathcal{L}",), "deeplearning-ai": ("J",), "nielsen": ("C",), "bishop": ("E",)}


@lru_cache(maxsize=64)
def spellings(profile) -> tuple:
    """((canonical tokens, role, text), …) of the profile's names, longest first."""
    items = [("loss", s) for s in profile.cost] + [("yhat", s) for s in profile.output]
    items += [("logits", s) for s in profile.logits] + [("alias", a) for a, _ in profile.aliases]
    items += [("regularized", s) for s in profile.regularized]
    out, seen = [], set()
    for role, text in items:
        canon = tuple(canonical(normalize(text).tokens + [Token("end", "", 0, 0)], 0, 10 ** 6)[0])
        if role == "regularized" and canon in seen:        # declared as the cost: λ = 0 in the user's notes
            continue
        seen.add(canon)
        out.append((canon, role, text))
    return tuple(sorted(out, key=lambda x: -len(x[0])))


def role_message(c, prof=None) -> str:
    """Why the letter ``c`` is not read, and the profile field that would bind it."""
    if prof is not None and prof.preset == "goodfellow" and c == "g":
        return ("'g' is the gradient accumulator of Goodfellow's Algorithm 6.4: its value changes at every step, so "
                "it is not one quantity; write the gradient it holds, \\nabla_{a^{(k)}} J")
    what, field, presets = ROLE_LETTERS.get(c, (None, None, None))
    if what is None:
        return (f"'{c}' is not a network quantity in this notation: declare it as a real scalar "
                f"(notation: {{scalars: [{c}]}}) — an unknown letter is never silently a scalar")
    bind = (f"; if it is {what}, declare notation: {{{field}}}" + (f" (preset {presets})" if presets else "")
            if field else f" ({what})")
    return (f"'{c}' is not a network quantity in this notation{bind}; a real scalar is declared as "
            f"notation: {{scalars: [{c}]}}")


class LettersMixin(LayersMixin):
    """Letter and name productions of :class:`~symbackprop.notation.parser.Parser`."""

    # spellings -----------------------------------------------------------------------------------

    def spelled(self):
        """The node of a profile spelling at the current token (longest first), or None."""
        table = spellings(self.p)
        if not table:
            return None
        stop = self.stop if self.stop is not None else len(self.toks)
        items, after = canonical(self.toks, self.i, stop)
        for canon, role, text in table:
            if tuple(items[:len(canon)]) == canon:
                t = self.tok
                self.i = after[len(canon) - 1]
                return self.spelled_node(t, role, text)
        return None

    def spelled_node(self, t, role, text):
        span = self.span(t)
        if role == "regularized" and self.net is not None and self.net.l2 and \
                (self.net.batch == 1 or self.net.reduction == "mean"):
            # the network's loss includes its weight decay (and is a batch's mean): J is that very objective
            self.network(t)
            self.readings.setdefault(text, "the loss with its weight decay")
            return self.loss_quantity(t, span, text)
        if role == "regularized":
            raise self.error(f"{text} is a regularized objective in this notation (it includes weight decay, which "
                             f"the network has no term for): write the data loss ({self.p.cost[0] if self.p.cost else 'L'}), "
                             f"or declare notation: {{cost: [{', '.join(self.p.cost + (text,))}]}} if λ = 0 in your notes",
                             tok=t, token=span)
        self.network(t)
        if role == "loss":
            return self.loss_node(t, span, text)
        if role == "alias":
            body = dict(self.p.aliases)[text]
            sub = type(self)(body, self.net, PRESETS["default"])
            q = sub.primary()
            self.readings[text] = q.tex()
            return self.indexed(t, Quantity(t.pos, span, q.kind, q.layer, None, False, True, self.batch_shape(t, q.kind)))
        if role == "logits":
            self.readings[text] = "z^{(L)}"
            return self.indexed(t, Quantity(t.pos, span, "z", LayerExpr(t.pos, "L", 0, 1, 0, 0), None, False, True,
                                            self.batch_shape(t, "z")))
        if text != r"\hat{y}":
            self.readings.setdefault(text, "ŷ")
        return self.indexed(t, Quantity(t.pos, span, "yhat", None, None, shape=self.batch_shape(t, "yhat")))

    def loss_node(self, t, span, text):
        net = self.net
        if net is not None and (net.batch > 1 or net.l2):
            ok = BATCH_COSTS.get(self.p.preset, ()) if not net.l2 or self.p.preset == "default" else ()
            if text not in ok:
                what = (f"reduces a batch of m = {net.batch} ({net.reduction})" if net.batch > 1 else "") + \
                    (" and " if net.batch > 1 and net.l2 else "") + ("adds weight decay" if net.l2 else "")
                fix = " or ".join(ok) if ok else "\\mathcal{L} in the default notation"
                raise self.error(f"{text} names the data loss (one example's, or without weight decay) in this notation, "
                                 f"but this network {what}: write the loss it checks as {fix}", tok=t, token=span)
        return self.loss_quantity(t, span, text)

    def loss_quantity(self, t, span, text):
        """The loss quantity after its name: no index or layer; (ŷ, y) arguments are read (``loss_arguments``)."""
        if self.at("sym", "_") or self.at("sym", "^") and self.layer_follows():
            raise self.error(f"the loss {span} takes no index or layer")
        if self.tok.kind == "sym" and self.tok.value in ("(", "\\left(") and not self.spaced(t, self.tok):
            self.loss_arguments(span)       # L(ŷ, y); a spacing command before ( (J \, (h)^T) prints a product
            span = self.span(t)
        if text != r"\mathcal{L}":
            self.readings.setdefault(text, "the loss")
        return Quantity(t.pos, span, "loss")

    def spaced(self, before, after) -> bool:
        """Whether a spacing command (\\, \\; \\quad …) stands between two tokens in the user's text."""
        gap = self.src[before.end:after.pos]
        return any(cmd in gap for cmd in ("\\,", "\\;", "\\:", "\\!", "\\>", "\\ ", "\\quad", "\\qquad", "~"))

    def loss_arguments(self, span):
        """``L(ŷ, y)``: the loss written as a function of the network's output and the target, in that order
        (Ng, Goodfellow); any other arguments (a component, another layer, the swapped order, which for
        cross-entropy is another function) are an error."""
        open_ = self.next()
        close = ")" if open_.value == "(" else "\\right)"
        args = [self.expr()]
        while self.at("sym", ","):
            self.next()
            args.append(self.expr())
        self.expect("sym", close, f"{close} closing the arguments of {span}")
        if self.net is not None and self.net.l2:
            raise self.error(f"{span}(…) of the output and the target is the data loss alone, but this network's loss "
                             f"includes its weight decay: write {span} for the whole objective", tok=open_)
        if len(args) != 2 or not self.is_output(args[0]) or not self.is_target(args[1]):
            raise self.error(f"{span}(…) is read only as the loss of the network's output and the target, in that "
                             f"order: the loss is {span} alone or {span}(\\hat{{y}}, y)", tok=open_)

    def is_output(self, node) -> bool:
        """The whole output vector: ŷ (or its profile spelling), or the activation of the last layer."""
        q = unwrap(node)
        if not isinstance(q, Quantity) or q.idx is not None or q.transposed:
            return False
        if q.kind == "yhat":
            return True
        lay = q.layer
        return (q.kind == "a" and self.net is not None and isinstance(lay, LayerExpr) and not lay.coef_l
                and lay.const + lay.coef_L * (self.net.L + lay.offset) - lay.offset == self.net.L)

    @staticmethod
    def is_target(node) -> bool:
        q = unwrap(node)
        return isinstance(q, Quantity) and q.kind == "y" and q.idx is None and not q.transposed

    def indexed(self, t, q):
        """An index subscript after a vector name (ŷ_k, o_k), and no layer superscript."""
        if self.at("sym", "_"):
            q.idx = self.index_list(self.next())
            q.token = self.span(t)
        if self.at("sym", "^") and self.layer_follows():
            raise self.error(f"{q.token} takes no layer superscript")
        return self.finish_index(t, q)

    def finish_index(self, t, q):
        """Drop Bishop's pattern index (y_{nk} = y_k); CS231n's f_{y_i} is the entry at the correct class."""
        if q.idx and q.idx[0].name == _EXAMPLE:
            q.idx = q.idx[1:] or None
        if q.idx and len(q.idx) == 1 and q.idx[0].name == _CLASS_LABEL:
            q.idx = None
            self.readings["y_i"] = "the correct class (one-hot y)"
            return ClassPick(t.pos, self.span(t), q)
        return q

    # letters -------------------------------------------------------------------------------------

    def letter(self):
        t = self.tok
        c, p = t.value, self.p
        if p.gradient_prefix and c == "d" and self.peek().kind == "letter":
            return self.d_gradient(t)
        kinds = {p.preactivation: "z", p.activation: "a", p.weight: "W", p.bias: "b"}
        if c in kinds:
            return self.layered(t, kinds[c])
        if c in (p.input, p.target):
            return self.plain(t, "x" if c == p.input else "y")
        batch = self.batch_letter(t)
        if batch is not None:
            return batch
        if c == p.widths:
            self.network(t)
            return self.width()
        if c in dict(p.size_names):
            return self.named_size()
        if c == "e":
            return self.letter_e()
        if c in p.activation_function:
            return self.function_letter()
        if c in p.scalars:
            self.declared.add(c)
            return self.variable()
        return self.unbound_letter(t)

    # batches (network: {batch: m} or layout: rows) ---------------------------------------------------

    def batch_letter(self, t):
        """Z, A (with a layer), X, Y: the batch quantities; m: the batch size — in a batch network only."""
        c, p, net = t.value, self.p, self.net
        if net is None or not net.batched:
            return None
        if c == "m":
            self.next()
            self.network(t)
            self.readings["m"] = f"the batch size {net.batch}"
            return Named(t.pos, "m", sp.Integer(net.batch), "m")
        kinds = {(p.preactivation or "").upper(): "z", (p.activation or "").upper(): "a"}
        plain = {(p.input or "").upper(): "x", (p.target or "").upper(): "y"}
        if not c.isupper() or c not in kinds and c not in plain:
            return None
        self.capital = True
        try:
            return self.layered(t, kinds[c]) if c in kinds else self.plain(t, plain[c])
        finally:
            self.capital = False

    def batch_shape(self, t, kind):
        """The shape of a quantity in a batch network ("" elsewhere): a batch of m > 1 refuses the
        single-example letters (z, a, x, y, ŷ, δ), which would name one example; b is a row in rows layout."""
        net = self.net
        if net is None or net.plain:
            return ""
        if kind == "b":
            if not net.bias:
                raise self.error(f"{self.span(t)}: this network has no biases (network: {{bias: false}}); drop the "
                                 f"bias, or set bias: true", tok=t, token=self.span(t))
            return "row" if net.rows else ""
        if kind in ("W", "loss") or not net.batched:
            return ""
        if not getattr(self, "capital", False) and net.batch > 1:
            cap = {"z": "Z^{(l)}", "a": "A^{(l)}", "x": "X", "y": "Y", "yhat": "\\hat{Y}", "delta": "\\Delta^{(l)}"}
            raise self.error(f"{self.span(t)} is one example's quantity, but this network has a batch of m = "
                             f"{net.batch} examples: write the batch quantity {cap[kind]}", tok=t, token=self.span(t))
        return "matrix" if getattr(self, "capital", False) or net.batch > 1 else "row"

    def unbound_letter(self, t):
        c, p = t.value, self.p
        if c == p.classes:
            raise self.error(f"{c} stands as a quantity here, but in this notation {c} is the number of classes (it "
                             f"bounds sums and dimensions: \\sum_{{k=1}}^{{{c}}}); if {c} is the cost, declare "
                             f"notation: {{cost: [{c}]}} (preset nielsen)", tok=t, token=c)
        if c == "L" or c == p.last_layer:
            raise self.error(f"bare {c} is ambiguous here: write \\mathcal{{L}} for the loss ({c} is the output layer's "
                             f"number only inside a layer superscript or a width)", tok=t, token=c)
        if c == p.layer_symbol:
            raise self.error(f"the layer symbol {c} is used only in layer superscripts and widths", tok=t, token=c)
        if c == p.example_index:
            raise self.error(f"{c} is the pattern index in this notation (one example: E_{c}, y_{{{c}k}})", tok=t, token=c)
        if p.gradient_prefix and c in BATCH_LETTERS:
            raise self.error(f"{c}: batch quantities (capital A, Z, X, Y, dZ and the batch size m: examples as "
                             f"columns) need network: {{batch: m}}: write the single-example "
                             f"form (a, z, x, y)", tok=t, token=c)
        if c.islower():
            return self.variable()            # tentative: the scalar rule (program.py) decides
        what, field, _ = ROLE_LETTERS.get(c, (None, None, None))
        if field:
            raise self.error(role_message(c), tok=t, token=c)
        raise self.error(f"unknown quantity {c}" + (f" ({what}: not supported here)" if what else ""), tok=t, token=c)

    def variable(self):
        t = self.next()
        if self.tok.kind == "sym" and self.tok.value in ("(", "\\left("):
            raise self.error(f"{t.value}(…) could be a function call or a product: write {t.value} \\cdot (…) "
                             f"for a product", tok=t, token=t.value)
        if self.at("sym", "^") and self.layer_follows():
            raise self.error(f"{t.value}^{{(…)}}: unknown quantity {t.value}", tok=t, token=t.value)
        if self.at("sym", "_"):
            raise self.error(f"unknown quantity {t.value} (a scalar variable takes no subscript)", tok=t,
                             token=t.value)
        self.var_names.setdefault(t.value, t.pos)
        if not self.fn_depth:
            self.var_outside.add(t.value)
        return Var(t.pos, t.value, t.value)

    def letter_e(self):
        t = self.next()
        if not self.at("sym", "^"):
            raise self.error("e is read only as e^{…} (the exponential)", tok=t, token="e")
        if self.at("sym", "{", self.peek()) and self.at("sym", "(", self.peek(2)):
            raise self.error("e^{(…)} looks like a layer superscript: e is the exponential; write e^{…} without "
                             "the parentheses", tok=t, token="e")
        caret = self.next()
        self.fn_depth += 1
        if self.script_group(caret, "exponent"):
            arg = self.expr()
            self.expect("sym", "}")
        elif self.at("letter", "e") and self.at("sym", "^", self.peek()):
            raise self.error("double superscript (TeX rejects e^e^u): write e^{e^{u}}", tok=self.peek())
        else:
            arg = self.one_token(self.primary)
        self.fn_depth -= 1
        if self.at("sym", "_"):
            raise self.error("TeX puts this subscript on e, not in the exponent (e^u_1 prints as e with u above and 1 "
                             "below): write the index inside e^{…}")
        node = Apply(t.pos, self.span(t), "exp", arg)
        node.scripted = True
        return node

    # quantities with layers ----------------------------------------------------------------------

    def layered(self, t, kind):
        self.next()
        return self.quantity_scripts(t, kind)

    def layered_command(self, t, kind):
        self.next()
        return self.quantity_scripts(t, kind)

    def quantity_scripts(self, t, kind):
        """Layer script and index subscript (either order) of a quantity token ``t``."""
        layer = idx = None
        transpose = False
        while True:
            if self.at("sym", "_") and self.p.layers == "subscript" and kind in ("W", "b") and layer is None:
                caret = self.next()
                layer = self.layer_expr(closing="}" if self.script_group(caret, "layer") else None)
            elif self.at("sym", "_") and idx is None:
                idx = self.unit_bias(t, kind) or self.index_list(self.next())
                if isinstance(idx, Quantity):
                    return idx
            elif self.at("sym", "^") and layer is None and self.layer_follows():
                layer, transpose = self.layer_script(t)
            elif layer is None and self.at("sym", "^") and self.at("sym", "(", self.peek()) and \
                    self.p.layers == "paren":
                raise self.error("TeX prints ^(…) as ^( followed by the rest: write the layer as ^{(…)}",
                                 tok=self.peek(), fix=f"{self.span(t)}^{{(…)}}")
            else:
                break
        implied = layer is None
        if layer is None:
            layer = self.implied_layer(t, kind, idx)
        self.network(t)
        q = Quantity(t.pos, self.span(t), kind, layer, idx, kind == "W" and self.p.weight_index == "from-to", implied,
                     self.batch_shape(t, kind))
        q = self.finish_index(t, q)
        if transpose:
            q = Transpose(t.pos, self.span(t), q)
            self.rows_check(q, t)
        return q

    # plain quantities, widths, functions ---------------------------------------------------------

    def plain(self, t, kind):
        """x, y (and Bishop's t): an optional index, never a layer."""
        self.next()
        self.network(t)
        q = Quantity(t.pos, t.value, kind, None, None, shape=self.batch_shape(t, kind))
        if kind == "y" and self.p.class_index_target and self.at("sym", "_") and self.at("letter", "i", self.peek()):
            raise self.error(f"{t.value}_i is the correct class of example i in this notation: it is read in "
                             f"f_{{{t.value}_i}} and \\mathbb{{1}}({t.value}_i = k)", tok=t, token=t.value)
        if self.p.target != "y" and kind == "y":
            self.readings[t.value] = "the target y"
        return self.indexed(t, q)

    def width(self):
        """d_l (or the profile's width letter with its layer: n^{[l]}, s_l)."""
        t = self.next()
        if self.at("sym", "_"):
            caret = self.next()
            layer = self.layer_expr(closing="}" if self.script_group(caret, "subscript") else None)
        elif self.at("sym", "^") and self.layer_follows():
            layer, _ = self.layer_script(t)
        else:
            raise self.error(f"{t.value} is a layer width and needs a subscript {t.value}_l", tok=t, token=t.value)
        return Width(t.pos, self.span(t), layer)

    def named_size(self):
        t = self.next()
        spec = dict(self.p.size_names)[t.value]
        self.network(t)
        tokens = normalize(spec).tokens
        const = int(spec) if spec.isdigit() else 0
        coef = 0 if spec.isdigit() else 1
        if not spec.isdigit() and [(x.kind, x.value) for x in tokens] != [("letter", "L")]:
            raise self.error(f"size name {t.value}: {spec!r} must be a layer number or L", tok=t)
        return Width(t.pos, t.value, LayerExpr(t.pos, spec, const, coef, 0, 0))

    def function_letter(self):
        """f(…), f'(…), g^{[l]}(…), g^{[l]'}(…): the activation function spelled by a letter."""
        t = self.next()
        prime = self.function_prime(t.value)
        layer = None
        if self.at("sym", "^") and self.layer_follows() and self.p.layers in ("paren", "bracket"):
            self.i += 3
            layer = self.layer_expr(closing=")" if self.p.layers == "paren" else "]")
            if self.at("sym", "'") and not prime:
                self.next()
                prime = True
            self.expect("sym", "}", "} after the layer")
        if not prime:
            prime = self.function_prime(t.value)
        arg = self.function_argument(t.value)
        return self.layer_function(t, layer, prime, arg)

    def layer_function(self, t, layer, prime, arg):
        span = self.span(t)
        if layer is None:
            self.readings[t.value] = "the activation"
            return Apply(t.pos, span, "act'" if prime else "act", arg, 1, self.p.activation_at_output)
        engine = None
        if self.net is not None and not layer.coef_l:
            engine = layer.const + layer.coef_L * (self.net.L + layer.offset) - layer.offset
        if engine is not None and self.net is not None and engine == self.net.L:
            return self.output_function(t, prime, arg)
        self.readings[t.value] = "the activation (hidden layers)"
        return Apply(t.pos, span, "act'" if prime else "act", arg, 1, False, layer)

    def output_function(self, t, prime, arg):
        out = self.net.output
        if out == "sigmoid":
            self.readings[t.value + "^{[L]}"] = "the output's sigmoid"
            return Apply(t.pos, self.span(t), "logistic'" if prime else "logistic", arg)
        if out == "softmax" and not prime:
            return Softmax(t.pos, self.span(t), arg)
        if out == "identity" and not prime:
            return arg
        raise self.error(f"{self.span(t)}' at the output layer: the derivative of the {out} output is not elementwise "
                         f"here; write the Jacobian \\frac{{\\partial \\hat{{y}}}}{{\\partial z^{{[L]}}}}", tok=t,
                         token=self.span(t))

    def d_gradient(self, t):
        """deeplearning.ai's dz^{[l]}, dW^{[l]}, db^{[l]}, da^{[l]}: ∂J/∂ of the quantity."""
        self.next()
        q = self.tok
        if q.value in BATCH_LETTERS and self.net is not None and self.net.batched:
            raise self.error(f"d{q.value} has two readings in batch notes: deeplearning.ai writes dZ^{{[L]}} = A^{{[L]}} "
                             f"- Y (m times the gradient of the mean cost J) beside dW = ∂J/∂W; write the batch error "
                             f"\\Delta (= ∂J/∂Z) or \\frac{{\\partial J}}{{\\partial {q.value}}} instead",
                             tok=t, token="d" + q.value)
        if q.value in BATCH_LETTERS:
            raise self.error(f"d{q.value}: batch quantities (capital A, Z, X, Y, dZ and the batch size m: examples as "
                             f"columns) need network: {{batch: m}}: write d{q.value.lower()} for one example",
                             tok=t, token="d" + q.value)
        den = self.primary()
        if not isinstance(den, Quantity):
            raise self.error(f"d{q.value} is not the gradient of a network quantity", tok=t, token="d" + q.value)
        self.readings["d" + q.value] = "∂J/∂" + q.value
        loss = Quantity(t.pos, "J", "loss")
        return self.make_derivative(t, loss, den)

    # indices -------------------------------------------------------------------------------------

    def index_excluded(self):
        p = self.p
        names = {p.layer_symbol, p.input, p.target, p.preactivation, p.activation, p.weight, p.bias, p.widths, "e"}
        return INDEX_LETTERS_EXCLUDED | {n for n in names if n and len(n) == 1 and n.islower()}

    def index_list(self, caret):
        """Indices after the _ ``caret`` (consumed): a letter, a number, or a braced list (i j, i,j, 12)."""
        if not self.script_group(caret, "subscript"):
            return (self.index_item(),)
        items = []
        while not self.at("sym", "}"):
            if items and self.at("sym", ","):
                self.next()
            items.append(self.index_item())
            if self.at("end"):
                raise self.error("expected } closing the subscript")
        self.next()
        if not items:
            raise self.error("empty subscript")
        return tuple(items)

    def index_item(self):
        t, p = self.tok, self.p
        if t.kind == "num" and "." not in t.value:
            self.next()
            if int(t.value) == 0:
                raise self.error("indices are 1-based: 0 is not an index", tok=t)
            return Index(t.pos, t.value, literal=int(t.value))
        if p.class_index_target and self.at("letter", p.target) and self.at("sym", "_", self.peek()) and \
                self.at("letter", "i", self.peek(2)):
            self.i += 3
            return Index(t.pos, "y_i", name=_CLASS_LABEL)
        if p.example_index and self.at("letter", p.example_index):
            self.next()
            return Index(t.pos, t.value, name=_EXAMPLE)
        if t.kind == "letter" and t.value.islower() and t.value not in self.index_excluded():
            self.next()
            if t.value not in self.active:
                self.index_names.setdefault(t.value, t.pos)
            return Index(t.pos, t.value, name=t.value)
        raise self.error(f"an index must be a single lowercase letter (not {', '.join(sorted(self.index_excluded()))}) "
                         f"or a positive integer")

    # the hat and the calligraphic L when the profile does not spell them -------------------------

    def cmd_hat(self):
        t = self.next()
        if self.net is not None and self.net.batched and self.command_arg("letter", "Y"):
            self.network(t)
            self.capital = True
            try:
                shape = self.batch_shape(t, "yhat")
            finally:
                self.capital = False
            return self.indexed(t, Quantity(t.pos, self.span(t), "yhat", None, None, shape=shape))
        hats = [s for s in self.p.output if s.startswith("\\hat")]
        raise self.error(f"only {' or '.join(hats)} is known" if hats else
                         "\\hat{…} is not a quantity in this notation", tok=t, token="\\hat")

    def cmd_mathcal(self):
        t = self.next()
        cal = [s for s in self.p.cost if s.startswith("\\mathcal")]
        raise self.error(f"only {' or '.join(cal)} (the loss) is known" if cal else
                         "\\mathcal{…} is not a quantity in this notation", tok=t, token="\\mathcal")

    # CS231n's row layout --------------------------------------------------------------------------

    def rows_check(self, node, start):
        """Products and transposes of vectors follow the row layout in CS231n: refused until it is supported."""
        if not self.p.rows:
            return
        kinds = [kind(f) for f in getattr(node, "factors", [])] or [kind(n) for n in node.children()]
        vectors = [k for k in kinds if k in ("col", "row")]
        others = [k for k in kinds if k != "scalar"]
        if vectors and (len(others) >= 2 or type(node).__name__ in ("Transpose", "Outer")):
            raise self.error("CS231n writes examples as rows (h W_2 + b_2): products and transposes of vectors follow "
                             "the row layout, which is not supported yet; write the claim entrywise, e.g. "
                             "\\frac{\\partial L_i}{\\partial (W_2)_{jk}} = h_j (p_k - \\mathbb{1}(y_i = k))",
                             tok=start, token=self.span(start))

