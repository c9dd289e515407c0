r"""The words form of a reading: our canonical LaTeX printed in Unicode, with the readings of ambiguous spellings.

``δ^(2) = ((W^(2))ᵀ δ^(3)) ⊙ σ'(z^(2)), σ = logistic``: it is made from our own canonical LaTeX (a closed
vocabulary, see :mod:`.nodes`), never from the user's text.
"""
from __future__ import annotations

from .lexer import _GREEK, raw_tokens

__all__ = ["words"]

_CMDS = {v: k for k, v in _GREEK.items()}
_CMDS.update({"varphi": "φ", "phi": "φ", "odot": "⊙", "otimes": "⊗", "cdot": "·", "times": "×", "neq": "≠",
              "le": "≤", "ge": "≥", "in": "∈", "nabla": "∇", "sum": "Σ", "partial": "∂", "log": "log", "exp": "exp",
              "tanh": "tanh", "max": "max", "min": "min", "top": "ᵀ", "lambda": "λ", "quad": ","})
_OPERATORS = {"sigmoid": "σ", "ReLU": "ReLU", "softmax": "softmax", "diag": "diag", "tr": "tr"}


class _Words:
    def __init__(self, tex):
        self.t = raw_tokens(tex)
        self.i = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self):
        tok = self.t[self.i]
        self.i += 1
        return tok

    def group(self):
        """The words of one argument: a {group} or one token."""
        tok = self.peek()
        if tok is not None and tok.kind == "sym" and tok.value == "{":
            self.take()
            out = self.items("}")
            return out
        return self.items(None, one=True)

    def items(self, end, one=False):
        out, prev = [], None
        while self.peek() is not None:
            tok = self.peek()
            if end is not None and tok.kind == "sym" and tok.value == end:
                self.take()
                break
            if prev is not None and tok.pos > prev.end and out and not out[-1].endswith(" "):
                out.append(" ")
            prev = tok
            out.append(self.item())
            prev = self.t[self.i - 1]
            if one:
                break
        return "".join(out)

    def item(self):
        tok = self.take()
        if tok.kind == "sym":
            return self.symbol(tok)
        if tok.kind != "cmd":
            return tok.value
        v = tok.value
        if v == "frac":
            num, den = self.group(), self.group()
            if num.startswith("∂") and den.startswith("∂"):
                num, den = "∂" + num[1:].strip(), "∂" + den[1:].strip()
                return f"{num}/{den}"
            return f"{_wrap(num)}/{_wrap(den)}"
        if v in ("left", "right"):
            d = self.take()
            return {"\\{": "{", "\\}": "}"}.get(d.value, d.value)
        if v == "hat":
            return self.group() + "\u0302"
        if v == "mathcal":
            return "ℒ" if self.group() == "L" else "?"
        if v == "mathbb":
            arg = self.group()
            return {"1": "𝟙", "R": "ℝ"}.get(arg, arg)
        if v == "operatorname":
            name = self.group()
            return _OPERATORS.get(name, name)
        if v in ("text", "mathrm"):
            return self.group() + " "
        if v in ("dots", "ldots", "cdots"):
            return "…"
        return _CMDS.get(v, v)

    def symbol(self, tok):
        v = tok.value
        if v in ("^", "_"):
            arg = self.group()
            if v == "^" and arg == "ᵀ":
                return "ᵀ"
            return v + (arg if len(arg) == 1 or arg.startswith("(") and arg.endswith(")") and arg.count("(") == 1
                        else "(" + arg + ")")
        if v in ("\\{", "\\}"):
            return v[1]
        return v


def _wrap(s):
    s = s.strip()
    return s if not any(c in s for c in " +-⊙⊗·") else "(" + s + ")"


def _phrase(text: str) -> str:
    """A reading's name or value in words when it is LaTeX (a spelling such as E_n or z^{(L)})."""
    if not any(c in text for c in "\\^_{"):
        return text
    try:
        return " ".join(_Words(text).items(None).split())
    except Exception:   # noqa: BLE001 - a spelling the printer does not know is shown as written
        return text


def words(tex: str, readings=None) -> str:
    """The Unicode words of our canonical LaTeX ``tex``, then ', what = reading' for each spelling read."""
    out = " ".join(_Words(tex).items(None).split())
    tail = ", ".join(f"{_phrase(k)} = {_phrase(v)}" for k, v in (readings or {}).items())
    return out + (", " + tail if tail else "")
