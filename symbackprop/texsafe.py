"""User text in LaTeX: the one rendering path of anything from a derivation file (export and reports).

Anything from a derivation file (title, ids, path, claims, givens, messages, values) is either our own
canonical LaTeX of the parsed claim (``ClaimResult.read_as``), re-checked by :func:`safe_math` against a
closed vocabulary, or printed as escaped text (:func:`escape_text`, :func:`escape_math_text`); numbers of
a counterexample are :func:`math_number`.  Raw user TeX never reaches a document: pdflatex
-no-shell-escape still runs \\input, \\openin, \\catcode and ^^ escapes.  (Split from export.py,
which re-exports these names.)
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["escape_text", "escape_tt", "escape_math_text", "safe_math", "math_number", "tex_tokens", "MATH_OPERATORS"]

# ---------------------------------------------------------------------------------------------
# user text: one rendering path. Anything from a derivation file (title, ids, path, claims, givens,
# messages, values) is either our own canonical LaTeX of the parsed claim (``ClaimResult.read_as``),
# re-checked below against a closed vocabulary, or printed as escaped text. Raw user TeX never reaches
# the document: pdflatex -no-shell-escape still runs \input, \openin, \catcode and ^^ escapes.

# OT1 text fonts have no \\ { } < > | ^ ~ (LaTeX substitutes another font's glyph, or an accent: ^ printed
# as a circumflex over the next letter); they are taken from the math fonts, which have them in every shape
_ESCAPES = {"\\": r"\ensuremath{\backslash}", "{": r"\ensuremath{\{}", "}": r"\ensuremath{\}}", "$": r"\$",
            "&": r"\&", "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\ensuremath{{}^{\wedge}}",
            "~": r"\ensuremath{\sim}", "<": r"\ensuremath{<}", ">": r"\ensuremath{>}", "|": r"\ensuremath{|}"}
_MATH_ESCAPES = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "%": r"\%", "_": r"\_", "^": r"{}^{\wedge}", "~": r"\sim ", "'": "{'}", " ": r"\ "}
_GREEK = ("alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma "
          "tau upsilon varphi chi psi omega").split()
_GREEK_UPPER = "A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X Psi Omega".split()
# characters with a math-mode meaning: typeset as that symbol (text mode wraps it in \ensuremath)
_MATH_CHARS = {
    **{chr(0x3B1 + i): ("\\" + g if len(g) > 1 else g) for i, g in enumerate(_GREEK)},
    **{chr(0x391 + i): ("\\" + g if len(g) > 1 else g) for i, g in enumerate(_GREEK_UPPER) if g != "-"},
    "ϕ": r"\phi", "ϑ": r"\vartheta", "ϵ": r"\epsilon", "ϱ": r"\varrho", "ϖ": r"\varpi", "µ": r"\mu",
    "∂": r"\partial", "∇": r"\nabla", "⊙": r"\odot", "∘": r"\circ", "⊗": r"\otimes", "⊕": r"\oplus",
    "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∑": r"\sum", "∏": r"\prod", "∫": r"\int",
    "≤": r"\le", "≥": r"\ge", "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∈": r"\in", "∉": r"\notin",
    "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "↦": r"\mapsto",
    "∞": r"\infty", "±": r"\pm", "∓": r"\mp", "√": r"\surd", "⊤": r"\top", "ᵀ": r"^{\top}", "⟨": r"\langle",
    "⟩": r"\rangle", "‖": r"\|", "∀": r"\forall", "∃": r"\exists", "∧": r"\wedge", "∨": r"\vee",
    "¬": r"\neg", "∪": r"\cup", "∩": r"\cap", "⊂": r"\subset", "⊆": r"\subseteq", "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "ℚ": r"\mathbb{Q}", "ℓ": r"\ell", "÷": r"\div",
    "′": r"^{\prime}", "″": r"^{\prime\prime}", "°": r"^{\circ}", "−": "-", "∗": r"\ast", "…": r"\ldots",
    "⋯": r"\cdots", "∅": r"\emptyset", "⊥": r"\perp", "∝": r"\propto", "∼": r"\sim", "≃": r"\simeq",
    **{ch: f"^{{{d}}}" for d, ch in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}, "²": "^{2}", "³": "^{3}", "¹": "^{1}",
    **{chr(0x2080 + d): f"_{{{d}}}" for d in range(10)}}
# text-only characters that exist in OT1 fonts (anything else prints as [U+XXXX])
_TEXT_CHARS = {"–": "-", "—": "-", "‘": "`", "’": "'", "“": "``", "”": "''", "„": ",,", "ß": r"\ss{}",
               "æ": r"\ae{}", "Æ": r"\AE{}", "œ": r"\oe{}", "Œ": r"\OE{}", "ø": r"\o{}", "Ø": r"\O{}",
               "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}", "§": r"\S{}", "¶": r"\P{}", "©": r"\copyright{}",
               "£": r"\pounds{}", "¿": r"?`", "¡": r"!`", "½": "1/2", "¼": "1/4", "¾": "3/4"}
# combining accents (after NFD) with an OT1 text command and a math accent
_ACCENTS = {"\u0300": ("`", r"\grave"), "\u0301": ("'", r"\acute"), "\u0302": ("^", r"\hat"),
            "\u0303": ("~", r"\tilde"), "\u0304": ("=", r"\bar"), "\u0306": ("u", r"\breve"),
            "\u0307": (".", r"\dot"), "\u0308": ('"', r"\ddot"), "\u030c": ("v", r"\check"),
            "\u030a": ("r", r"\mathring")}
_BREAK_AFTER = "/_,-.=+"        # long paths, identifiers, numbers and claims may break after these
_RUN_MAX = 12                  # characters without a break opportunity before one is forced


def _accented(ch: str, math: bool):
    """``ch`` as an ASCII letter with one accent (ŷ → \\^{y} or \\hat{y}), or None."""
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in _ACCENTS:
        text, accent = _ACCENTS[parts[1]]
        base = r"\i" if parts[0] == "i" and not math else r"\imath" if parts[0] == "i" else parts[0]
        return f"{accent}{{{base}}}" if math else f"\\{text}{{{base}}}"
    return None


def _codepoint(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def _normalized(text) -> str:
    """NFC text with control characters removed and every kind of white space made a plain space."""
    text = unicodedata.normalize("NFC", str(text))
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\v\f" or cat in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif cat != "Cc":
            out.append(ch)
    return "".join(out)


# the typewriter font (OT1 cmtt) has every printable ASCII character at its ASCII code: in \texttt and
# \ttfamily the specials are that glyph (\char94 is ^), not a math symbol (^ would print as ∧)
_TT_CHARS = "\\{}^~<>|_$&#%"


def _text_char(ch: str, tt: bool = False) -> str:
    if tt and ch in _TT_CHARS:
        return rf"\char{ord(ch)}{{}}"
    if ch.isascii():
        return _ESCAPES.get(ch, ch)
    if ch in _MATH_CHARS:
        return rf"\ensuremath{{{_MATH_CHARS[ch]}}}"
    return _TEXT_CHARS.get(ch) or _accented(ch, False) or _codepoint(ch)


_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?:/\d+)?(?![\w.]*\d)")
_NUMBER_MAX = 30               # a number up to this long is never broken across lines


def escape_text(text, tt: bool = False) -> str:
    """``text`` for LaTeX text mode: nothing in it is interpreted, any Unicode compiles, long runs break.

    Control characters are dropped, white space becomes a space, TeX specials and common math characters
    (δ ∂ ⊙ ᵀ − ′) become their commands, accented letters OT1 accents, and anything else ``[U+XXXX]``.
    A line break is allowed after / _ , - . = + and at least every _RUN_MAX characters, but never inside
    a number (``-1.70019917003e-7``, ``-65/64``: kept whole in an ``\\mbox`` up to _NUMBER_MAX characters).
    ``tt``: the text is set in the typewriter font (see :func:`escape_tt`).
    """
    out, run, pos = [], 0, 0
    text = _normalized(text)
    for m in list(_NUMBER.finditer(text)) + [None]:
        for ch in text[pos:m.start() if m else len(text)]:
            out.append(_text_char(ch, tt))
            run = 0 if ch == " " else run + 1
            if ch in _BREAK_AFTER or run >= _RUN_MAX:
                out.append(r"\allowbreak{}")
                run = 0
        if m is None:
            break
        num, pos = m.group(0), m.end()
        if len(num) <= _NUMBER_MAX:
            out.append(r"\mbox{" + num + "}")
            run = 0
        else:                          # digits, signs, '.', 'e', '/': nothing to escape
            for k in range(0, len(num), _RUN_MAX):
                out.append(num[k:k + _RUN_MAX] + r"\allowbreak{}")
            run = 0
    return "".join(out)


def escape_tt(text) -> str:
    """``text`` for ``\\texttt``/``\\ttfamily``: as :func:`escape_text`, but ASCII specials print as
    themselves (``a^{(1)}`` reads ``a^{(1)}`` in the PDF, not ``a∧\\{(1)\\}``)."""
    return escape_text(text, tt=True)


def math_number(value) -> str:
    """A value of a counterexample as unbreakable math: ``-65/64`` -> ``{-\\tfrac{65}{64}}``,
    ``1.7e-7`` -> ``{1.7 \\times 10^{-7}}``; anything else as upright escaped text."""
    text = str(value).strip()
    m = re.fullmatch(r"(-?)(\d+)/(\d+)", text)
    if m:
        return rf"{{{m.group(1)}\tfrac{{{m.group(2)}}}{{{m.group(3)}}}}}"
    m = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?:[eE]([-+]?)0*(\d+))?", text)
    if m and len(text) <= _NUMBER_MAX:
        exp = "" if m.group(3) is None else rf" \times 10^{{{'-' if m.group(2) == '-' else ''}{m.group(3)}}}"
        return "{" + m.group(1) + exp + "}"
    return "{" + escape_math_text(text) + "}"


def escape_math_text(text) -> str:
    """``text`` as upright characters for math mode (LaTeX and MathJax), nothing in it interpreted."""
    out = []
    for ch in _normalized(text):
        if ch.isascii():
            out.append(_MATH_ESCAPES.get(ch, ch))
        else:
            sym = _MATH_CHARS.get(ch) or _accented(ch, True) or _codepoint(ch)
            out.append("{}" + sym if sym[0] in "^_" else sym)      # x²³ must not be a double superscript
    return r"\mathrm{" + "".join(out) + "}"


# the canonical LaTeX of a parsed claim is re-read here against a closed vocabulary: if our generator
# ever emitted something TeX cannot typeset (or something unsafe), the claim is printed as text instead

_ARGS = {"frac": 2, "dfrac": 2, "tfrac": 2, "hat": 1, "widehat": 1, "bar": 1, "tilde": 1, "vec": 1,
         "overline": 1, "mathcal": 1, "mathbb": 1, "mathbf": 1, "mathrm": 1, "operatorname": 1, "sqrt": 1,
         "boldsymbol": 1}
_DELIMITED = {"bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big"}
_SYMBOLS = set("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
    pi rho varrho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
    Psi Omega top intercal prime infty partial nabla ast star ell imath""".split())
_OPERATORS = set("""odot circ otimes oplus cdot times div pm mp le leq ge geq ne neq in notin approx
    equiv to mapsto sum prod log ln exp tanh sinh cosh sin cos max min quad qquad ldots cdots dots
    langle rangle lvert rvert lVert rVert""".split())
_DELIMS = set("()[]|./")
_DELIM_CMDS = {"langle", "rangle", "lvert", "rvert", "lVert", "rVert", "{", "}", "|"}
_SPACES = {",", ";", "!", ":", " ", "{", "}", "|"}       # control symbols allowed as atoms
_SCRIPT_CHARS = set("+-*/=<>()[]|.,;:!?")
_MAX_NESTING = 40


def tex_tokens(tex: str):
    """(kind, value, start) tokens of ``tex``: 'cs' control word, 'sym' control symbol, 'ch' character;
    None if anything outside printable ASCII or a TeX special that must not appear (% # & $ ~ ^^) is in it."""
    if not tex or not all(" " <= c <= "~" for c in tex) or any(c in tex for c in "%#&$~") or "^^" in tex:
        return None
    toks, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            if j == i + 1:
                if j >= len(tex):
                    return None
                toks.append(("sym", tex[j], i))
                i = j + 1
            else:
                toks.append(("cs", tex[i + 1:j], i))
                i = j
        elif c != " ":
            toks.append(("ch", c, i))
            i += 1
        else:
            i += 1
    return toks


class _Unsafe(Exception):
    """The canonical LaTeX is outside the vocabulary this renderer can vouch for."""


class _MathReader:
    """Re-reads math against TeX's rules for what it typesets without error (groups, \\left/\\right pairs,
    one superscript and one subscript per atom, what an unbraced argument may be)."""

    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self):
        return self.toks[self.i][:2] if self.i < len(self.toks) else (None, None)

    def take(self):
        tok = self.peek()
        if tok[0] is None:
            raise _Unsafe("unexpected end")
        self.i += 1
        return tok

    def arg(self, depth, script=False):
        """One argument: a braced group, a letter or digit, a symbol (or, after ^ and _, one sign)."""
        kind, val = self.take()
        if (kind, val) == ("ch", "{"):
            self.items(depth + 1, "}")
        elif kind == "ch" and (val.isalnum() or script and val in _SCRIPT_CHARS):
            pass
        elif not (kind == "cs" and val in _SYMBOLS):
            raise _Unsafe(f"argument {val!r}")

    def delimiter(self):
        kind, val = self.take()
        if not (kind == "ch" and val in _DELIMS or kind in ("cs", "sym") and val in _DELIM_CMDS):
            raise _Unsafe(f"delimiter {val!r}")

    def items(self, depth, end):
        """A math list up to ``end`` ('}' or 'right' or None for the end of input)."""
        if depth > _MAX_NESTING:
            raise _Unsafe("nesting")
        sup = sub = prime = False
        while True:
            kind, val = self.peek()
            if kind is None or (kind, val) in (("ch", "}"), ("cs", "right")):
                if (end is None) != (kind is None) or kind is not None and val != end:
                    raise _Unsafe(f"unbalanced {val!r}")
                self.i += kind is not None
                return
            self.i += 1
            if kind == "ch" and val in "^_":
                if (sup and not prime) if val == "^" else sub:
                    raise _Unsafe("double script")
                self.arg(depth, script=True)
                sup, sub, prime = sup or val == "^", sub or val == "_", False
                continue
            if (kind, val) == ("ch", "'"):
                if sup and not prime:
                    raise _Unsafe("prime after a superscript")
                sup = prime = True
                continue
            sup = sub = prime = False          # anything else starts a new atom
            self.atom(kind, val, depth)

    def atom(self, kind, val, depth):
        if kind == "ch":
            if val == "{":
                self.items(depth + 1, "}")
            elif not (val.isalnum() or val in _SCRIPT_CHARS):
                raise _Unsafe(f"character {val!r}")
        elif kind == "sym":
            if val not in _SPACES:
                raise _Unsafe(f"control symbol {val!r}")
        elif val == "left":
            self.delimiter()
            self.items(depth + 1, "right")
            self.delimiter()
        elif val in _DELIMITED:
            self.delimiter()
        elif val in _ARGS:
            if val == "sqrt" and self.peek() == ("ch", "["):
                raise _Unsafe("optional argument")
            for _ in range(_ARGS[val]):
                self.arg(depth)
        elif val not in _SYMBOLS and val not in _OPERATORS:
            raise _Unsafe(f"command {val!r}")


def safe_math(tex) -> str | None:
    """``tex`` (our canonical LaTeX of a parsed claim) when it is in the vocabulary and TeX typesets it
    without error; otherwise None (the caller then prints the user's text escaped)."""
    toks = tex_tokens(tex) if isinstance(tex, str) else None
    if toks is None:
        return None
    try:
        _MathReader(toks).items(0, None)
    except _Unsafe:
        return None
    return " ".join(tex.split())



MATH_OPERATORS = _OPERATORS
