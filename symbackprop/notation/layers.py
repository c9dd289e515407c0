r"""The parser's layer scripts: a layer written in the profile's style (``^{(l)}``, ``^l``, ``^{[l]}``, ``W_1``), the
layer expression inside (integers, the last layer's symbol, the layer symbol, ±), Bishop's layers by index letter,
and the error that says how to write a layer the profile does not read (with the rewrite when it is certain)."""
from __future__ import annotations

from .nodes import Index, LayerExpr, Quantity
from .normalize import normalize

__all__ = ["LayersMixin", "canonical"]


def canonical(toks, i, stop):
    """(canonical (kind, value) items from ``i``, index after each): {x} around one token is x."""
    out, after, j = [], [], i
    while j < min(len(toks), stop) and toks[j].kind != "end":
        t = toks[j]
        if (t.kind == "sym" and t.value == "{" and j + 2 < min(len(toks), stop) and toks[j + 2].kind == "sym"
                and toks[j + 2].value == "}" and toks[j + 1].kind != "sym"):
            out.append((toks[j + 1].kind, toks[j + 1].value))
            j += 3
        else:
            out.append((t.kind, t.value))
            j += 1
        after.append(j)
    return out, after



class LayersMixin:
    """Layer productions of :class:`~symbackprop.notation.parser.Parser`."""

    def layer_follows(self) -> bool:
        """Whether the ^ at the current token starts a layer script in the profile's style."""
        nxt, style = self.peek(), self.p.layers
        if style in ("paren", "bracket"):
            return self.at("sym", "{", nxt) and self.at("sym", "(" if style == "paren" else "[", self.peek(2))
        if style == "bare":
            return not self._is_T(nxt) and (nxt.kind in ("letter", "num") or self.at("sym", "{", nxt)
                                             and not self._is_T(self.peek(2)))
        return False

    def layer_script(self, t):
        """(LayerExpr, transposed?) of the layer superscript at the current ^ (profile's style)."""
        caret = self.next()
        if self.p.layers == "bare":
            grouped = self.script_group(caret, "layer")
            return self.layer_expr(closing="}" if grouped else None), False
        close = ")" if self.p.layers == "paren" else "]"
        self.i += 2
        layer = self.layer_expr(closing=close)
        transpose = False
        if self._is_T(self.tok):
            if not self.p.transpose_in_layer:
                raise self.error(f"a transpose inside the layer superscript prints as {self.span(t)}T… (TeX) but "
                                 f"is not read in this notation", fix=f"({self.span(t)}}})^T")
            self.next()
            transpose = True
        if self.at("sym", "(") and self.p.gradient_prefix:
            raise self.error("the example superscript (i) is a batch quantity: batches need network: {batch: m} "
                             "(not supported yet)")
        self.expect("sym", "}", "} after the layer")
        return layer, transpose

    def layer_expr(self, closing=None):
        """c, the last layer's symbol, the layer symbol and ± of them, up to ``closing`` (consumed), or one token."""
        start = self.tok
        node = LayerExpr(start.pos, "", offset=self.p.input_layer)
        sign, any_ = 1, False
        while True:
            if closing is None and any_:
                break
            self.layer_item(node, sign)
            any_ = True
            if closing is None:
                break
            if closing == "end" and self.at("end"):
                break
            if self.at("sym", closing):
                self.next()
                break
            if not (self.at("sym", "+") or self.at("sym", "-")):
                raise self.error(f"expected + - or {closing} in a layer")
            sign = -1 if self.next().value == "-" else 1
        if node.coef_l not in (0, 1) or node.coef_L not in (0, 1):
            raise self.error("a layer may use the last layer's symbol and the layer symbol at most once each, with "
                             "a + sign", tok=start)
        node.token = self.span(start)
        return node

    def layer_item(self, node, sign):
        t, p = self.tok, self.p
        last = canonical(normalize(p.last_layer).tokens, 0, 99)[0] if p.last_layer else None
        here = canonical(self.toks, self.i, self.stop if self.stop is not None else len(self.toks))
        if last and tuple(here[0][:len(last)]) == tuple(last):
            node.coef_L += sign
            self.i = here[1][len(last) - 1]
            return
        if t.kind == "num" and "." not in t.value:
            node.const += sign * int(t.value)
        elif t.kind == "letter" and t.value == p.layer_symbol:
            node.coef_l += sign
            self.layer_used = True
        else:
            names = ", ".join(x for x in (p.last_layer, p.layer_symbol) if x)
            raise self.error(f"a layer must be an integer, {names}, or a sum/difference of them")
        self.next()

    def implied_layer(self, t, kind, idx):
        """The layer of an unscripted quantity: Bishop's index letters, else an error saying how to write it."""
        if self.p.units_by_index and idx:
            return self.unit_layer(t, kind, idx)
        raise self.missing_layer(t, kind)

    def unit_layer(self, t, kind, idx):
        units = {"i": 0, "j": 1, "k": 2}
        names = [ix.name for ix in idx]
        if any(n not in units for n in names):
            raise self.error(f"{self.span(t)}: Bishop names a unit's layer by its index letter (i input, j hidden, "
                             f"k output); write the layer, as in w^{{(1)}}_{{ji}}", tok=t, token=self.span(t))
        if kind == "W":
            if len(names) != 2 or units[names[0]] != units[names[1]] + 1:
                raise self.error(f"{self.span(t)}: a weight w_{{ji}} connects unit i of one layer to unit j of the next",
                                 tok=t, token=self.span(t))
            layer = units[names[0]]
        else:
            layer = units[names[0]]
        for n in names:
            self.readings[n] = f"a unit of layer {units[n]}"
        self.unit_uses.append((kind, layer, tuple(names), t, self.span(t)))
        return LayerExpr(t.pos, str(layer), layer, 0, 0, 0)

    def unit_bias(self, t, kind):
        """Bishop's w_{j0}: the bias of unit j, folded into the weights."""
        if not (self.p.units_by_index and kind == "W"):
            return None
        tk = self.toks[self.i:self.i + 5]
        if [(x.kind, x.value) for x in tk[:2]] == [("sym", "_"), ("sym", "{")] and tk[2].kind == "letter" and \
                [(x.kind, x.value) for x in tk[3:5]] == [("num", "0"), ("sym", "}")]:
            unit = tk[2]
            self.i += 5
            idx = (Index(unit.pos, unit.value, name=unit.value),)
            if unit.value not in self.active:
                self.index_names.setdefault(unit.value, unit.pos)
            self.network(t)
            return Quantity(t.pos, self.span(t), "b", self.unit_layer(t, "b", idx), idx, False, True)
        return None

    def missing_layer(self, t, kind):
        name = self.span(t)
        style = {"paren": "^{(l)}", "bracket": "^{[l]}", "bare": "^l", "subscript": "_1"}[self.p.layers]
        fix = hint = None
        if self.at("sym", "^"):
            nxt = self.peek()
            if nxt.kind in ("letter", "num") and not self._is_T(nxt):
                fix = self.restyled(name, nxt.value)
                hint = "bare layers a^l are Nielsen's: notation: {preset: nielsen}"
            elif self.at("sym", "{", nxt) and self.at("sym", "[", self.peek(2)):
                hint = "bracketed layers a^{[l]} are deeplearning.ai's: notation: {preset: deeplearning-ai}"
            elif self.at("sym", "{", nxt) and self.at("sym", "(", self.peek(2)):
                hint = "layers ^{(l)} are the default notation's"
        message = f"{name} needs a layer superscript {style}" if self.p.layers != "subscript" else \
            f"{name} has no layer in this notation (only W_1, b_1 … carry one)"
        return self.error(message + (f" ({hint})" if hint else ""), tok=t, token=name, fix=fix)

    def restyled(self, name, layer):
        return {"paren": f"{name}^{{({layer})}}", "bracket": f"{name}^{{[{layer}]}}", "bare": f"{name}^{{{layer}}}",
                "subscript": None}[self.p.layers]
