r"""Tokenizer of the notation layer: LaTeX text -> tokens with positions, input limits and TeX's rules first.

:func:`raw_tokens` splits the text; :mod:`.normalize` then removes what is certain to carry no meaning
(delimiters, alignment, sizing, styles, macros: the tolerance stage) and :func:`grouped` enforces the rules
by which TeX itself groups tokens, each in one helper, so that nothing is read differently from how it prints:

- ``{`` and ``}`` balance, ``\left``/``\right`` pair up inside one group, each with a delimiter
  (``\left( … \right)``, ``\left[ … \right]``, ``\left\{ … \right\}``): :func:`_pair_groups`. A pair becomes
  two tokens ``\left(`` / ``\right)`` of their own, which only the parser's bracket rules accept, so a
  ``\left(`` is never closed by a plain ``)``.
- spacing commands (``\, \; \! \: \> \quad \qquad ~``, control space) stand only between atoms: never as the
  argument of ``^``/``_``/``\frac``/``\hat``/…, never before ``^``, ``_`` or ``'`` (that would detach the
  script from its base): :func:`_check_spacing`. They carry no meaning and are then dropped.

White space is what TeX reads as a space: ASCII space, tab and line ends (an empty line, which ends a TeX
formula, is an error); other "space" characters (``\x0b \x0c \x1f \x85 \xa0`` …) are unexpected characters.
``%`` starts a comment up to the end of the line, as in TeX.

Unicode math characters pasted from PDFs and word processors are mapped to the commands they print as
(``δ`` -> ``\delta``, ``ŷ`` -> ``\hat y``, ``ᵀ`` -> ``^{T}``, ``⁽²⁾`` -> ``^{(2)}``, ``−`` -> ``-``, ``′`` -> ``'`` …,
:data:`UNICODE`); each mapped token spans its character, so errors point at what was typed.

What TeX takes as one argument after an unbraced ``^``, ``_`` or ``\frac`` is decided by the parser
(``_Parser.script_group`` / ``_Parser.command_arg``), which knows what each token means.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotationError

__all__ = ["Token", "tokenize", "raw_tokens", "grouped", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS", "SPACING",
           "ARITY", "UNICODE"]

MAX_LENGTH = 10_000      # characters of one relation
MAX_DEPTH = 100          # nesting of { ( [ \{ (at least 64 must be allowed)
MAX_DIGITS = 30          # digits of one number literal

# commands that are pure spacing and carry no meaning here (allowed only between atoms)
SPACING = frozenset({",", ";", "!", ":", ">", "quad", "qquad", " "})
# commands of the vocabulary that take arguments (TeX reads each as one token or one {group})
ARITY = {"frac": 2, "hat": 1, "mathcal": 1, "mathbb": 1, "mathbf": 1}
SYMBOLS = frozenset("^_{}()[]+-=,'<>./*|&$;:")
CONTROL_SYMBOLS = {"{": "\\{", "}": "\\}", "\\": "\\\\", "[": "\\[", "]": "\\]", "(": "\\(", ")": "\\)",
                   "|": "\\|"}
LEFT = {"(": "\\left(", "[": "\\left[", "\\{": "\\left\\{", ".": "\\left.", "|": "\\left|", "\\|": "\\left\\|"}
RIGHT = {")": "\\right)", "]": "\\right]", "\\}": "\\right\\}", ".": "\\right.", "|": "\\right|",
         "\\|": "\\right\\|"}
# \left| … \right| and \left\| … \right\| pair like brackets (an absolute value, a norm); \left. does not pair
PARTNER = {"\\left(": "\\right)", "\\left[": "\\right]", "\\left\\{": "\\right\\}", "\\left|": "\\right|",
           "\\left\\|": "\\right\\|"}
OPENERS = {"{": "}", "(": ")", "[": "]", "\\{": "\\}", **PARTNER}
CLOSERS = frozenset(OPENERS.values())

# Unicode -> the tokens TeX would read for it: (kind, value) pairs
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
          "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
          "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi",
          "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Π": "Pi",
          "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega"}
UNICODE = {c: (("cmd", name),) for c, name in _GREEK.items()}
UNICODE.update({
    "∂": (("cmd", "partial"),), "∇": (("cmd", "nabla"),), "∑": (("cmd", "sum"),), "⊙": (("cmd", "odot"),),
    "∘": (("cmd", "circ"),), "⊗": (("cmd", "otimes"),), "·": (("cmd", "cdot"),), "⋅": (("cmd", "cdot"),),
    "×": (("cmd", "times"),), "≤": (("cmd", "le"),), "≥": (("cmd", "ge"),), "≠": (("cmd", "neq"),),
    "∈": (("cmd", "in"),), "⊤": (("cmd", "top"),), "−": (("sym", "-"),), "′": (("sym", "'"),),
    "″": (("sym", "'"), ("sym", "'")), "’": (("sym", "'"),), "ŷ": (("cmd", "hat"), ("letter", "y")),
    "ℓ": (("cmd", "ell"),), "ℒ": (("cmd", "mathcal"), ("letter", "L")),
    "ℝ": (("cmd", "mathbb"), ("letter", "R")), "𝟙": (("cmd", "mathbb"), ("num", "1")),
    "‖": (("sym", "\\|"),), "∥": (("sym", "\\|"),), "∣": (("sym", "|"),),
    "∀": (("cmd", "forall"),), "…": (("cmd", "dots"),), "⋯": (("cmd", "cdots"),), "∗": (("sym", "*"),),
})
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁱʲᵏˡⁿᵀᴸ", "0123456789+-()ijklnTL"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎ᵢⱼₖₗₙ", "0123456789+-()ijkln"))
_COMBINING_HAT = "\u0302"


@dataclass(frozen=True)
class Token:
    """One token: kind ('cmd', 'letter', 'num', 'sym', 'space', 'end'), its value, and its span in the text.

    ``\\left(`` and ``\\right)`` are single 'sym' tokens (value ``\\left(``) spanning both parts; a token made
    by the tolerance stage (a macro's expansion, a Unicode character's commands) spans what was typed."""
    kind: str
    value: str
    pos: int
    end: int


def _fail(message, text, pos, token):
    raise NotationError(message, token=token, position=pos, text=text)


def _check_limits(text):
    if not isinstance(text, str):
        raise NotationError(f"expected a LaTeX string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise NotationError(f"the text has {len(text)} characters (limit {MAX_LENGTH})",
                            token=text[:20], position=0)


def _command(text, i):
    """(name, end) of the command starting at the backslash at ``i``."""
    j = i + 1
    if j >= len(text):
        _fail("a lone backslash", text, i, "\\")
    if not text[j].isalpha():
        return text[j], j + 1
    while j < len(text) and text[j].isascii() and text[j].isalpha():
        j += 1
    return text[i + 1:j], j


def _number(text, i):
    """(literal, end) of the number starting at ``i`` (digits, optionally one decimal point)."""
    j = i
    while j < len(text) and text[j].isdigit() and text[j].isascii():
        j += 1
    if j + 1 < len(text) and text[j] == "." and text[j + 1].isdigit() and text[j + 1].isascii():
        j += 1
        while j < len(text) and text[j].isdigit() and text[j].isascii():
            j += 1
    lit = text[i:j]
    if sum(c.isdigit() for c in lit) > MAX_DIGITS:
        _fail(f"number literal with more than {MAX_DIGITS} digits", text, i, lit[:40])
    return lit, j


def _script_run(text, i, table, caret):
    """Tokens of a run of Unicode super- or subscript characters (``⁽²⁾`` -> ``^{(2)}``) and the end."""
    out, j = [Token("sym", caret, i, i + 1), Token("sym", "{", i, i + 1)], i
    while j < len(text) and text[j] in table:
        c = table[text[j]]
        if c.isdigit():
            k = j
            while k < len(text) and text[k] in table and table[text[k]].isdigit():
                k += 1
            out.append(Token("num", "".join(table[ch] for ch in text[j:k]), j, k))
            j = k
            continue
        out.append(Token("letter" if c.isalpha() else "sym", c, j, j + 1))
        j += 1
    out.append(Token("sym", "}", j - 1, j))
    return out, j


def _unicode(text, i):
    """The tokens of the Unicode character at ``i`` (and the position after it), or None."""
    c = text[i]
    if c in _SUPER:
        return _script_run(text, i, _SUPER, "^")
    if c in _SUB:
        return _script_run(text, i, _SUB, "_")
    if c in UNICODE:
        return [Token(k, v, i, i + 1) for k, v in UNICODE[c]], i + 1
    return None


def _lex_one(text, i):
    """The tokens at ``i`` and the position after them."""
    c = text[i]
    if c == "\\":
        name, j = _command(text, i)
        if name in SPACING:
            return [Token("space", "\\" + name, i, j)], j
        if name in CONTROL_SYMBOLS:
            return [Token("sym", CONTROL_SYMBOLS[name], i, j)], j
        if not (name.isascii() and name.isalpha()):
            _fail(f"unknown command \\{name}", text, i, "\\" + name)
        return [Token("cmd", name, i, j)], j
    if c.isascii() and c.isdigit():
        lit, j = _number(text, i)
        return [Token("num", lit, i, j)], j
    if c.isascii() and c.isalpha():
        if i + 1 < len(text) and text[i + 1] == _COMBINING_HAT:         # y + U+0302 prints as \hat y
            return [Token("cmd", "hat", i, i + 2), Token("letter", c, i, i + 2)], i + 2
        return [Token("letter", c, i, i + 1)], i + 1
    if c in SYMBOLS:
        return [Token("sym", c, i, i + 1)], i + 1
    if c == "~":                                                      # a tie: a space in math
        return [Token("space", "~", i, i + 1)], i + 1
    mapped = _unicode(text, i)
    if mapped is not None:
        return mapped
    _fail(f"unexpected character {c!r}", text, i, c)


WHITESPACE = " \t\r\n"       # what TeX reads as a space; other "spaces" (\x0b \x0c \x1f \x85 \xa0 …) are errors


def _raw_tokens(text):
    out, i = [], 0
    while i < len(text):
        if text[i] in WHITESPACE:
            if text[i] == "\n":
                j = i + 1
                while j < len(text) and text[j] in " \t\r":
                    j += 1
                if j < len(text) and text[j] == "\n":
                    _fail("an empty line ends a formula in TeX: remove it", text, i, "\n")
            i += 1
            continue
        if text[i] == "%":                                            # a TeX comment: to the end of the line
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        toks, i = _lex_one(text, i)
        out += toks
    return out


def raw_tokens(text: str) -> list:
    """The tokens of ``text`` before any TeX grouping rule is applied (NotationError on unknown characters)."""
    _check_limits(text)
    return _raw_tokens(text)


def _sized(toks, text):
    """``\\left`` / ``\\right`` merged with their delimiter into one token (the delimiter must follow)."""
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if t.kind == "cmd" and t.value in ("left", "right"):
            table = LEFT if t.value == "left" else RIGHT
            d = toks[k + 1] if k + 1 < len(toks) else None
            if d is None or d.kind != "sym" or d.value not in table:
                shown = "end of input" if d is None else d.value if d.kind != "cmd" else "\\" + d.value
                _fail(f"\\{t.value} must be followed by one of {' '.join(table)} (as in \\left( … \\right))",
                      text, len(text) if d is None else d.pos, shown)
            out.append(Token("sym", table[d.value], t.pos, d.end))
            k += 2
            continue
        out.append(t)
        k += 1
    return out


def _pair_groups(toks, text):
    """TeX's grouping: braces balance, ``\\left``/``\\right`` pair inside one group; nesting depth is bounded.

    Returns {index of '{': index of its '}'} for the argument rules.
    """
    stack, partner, depth = [], {}, 0
    for k, t in enumerate(toks):
        if t.kind != "sym":
            continue
        if t.value in OPENERS:
            depth += 1
            if depth > MAX_DEPTH:
                _fail(f"brackets nested deeper than {MAX_DEPTH}", text, t.pos, t.value)
        elif t.value in CLOSERS:
            depth -= 1
        if t.value in ("{",) or t.value in PARTNER:
            stack.append(k)
        elif t.value == "}" or t.value in RIGHT.values():
            if not stack:
                what = "{" if t.value == "}" else "\\left"
                _fail(f"{t.value} without a matching {what}", text, t.pos, t.value)
            o = toks[stack[-1]]
            want = "}" if o.value == "{" else PARTNER[o.value]
            if t.value != want:
                if want == "}" or t.value == "}":
                    _fail(f"expected {want} closing the {o.value} at position {o.pos} before {t.value} "
                          f"(\\left … \\right must pair inside one {{…}} group)", text, t.pos, t.value)
                _fail(f"{t.value} closes the {o.value} at position {o.pos}: write {want}", text, t.pos, t.value)
            partner[stack.pop()] = k
    if stack:
        o = toks[stack[-1]]
        want = "}" if o.value == "{" else PARTNER[o.value]
        _fail(f"expected {want} closing the {o.value} at position {o.pos}", text, len(text), "end of input")
    return partner


def _check_spacing(toks, text, partner):
    """Spacing commands only between atoms: not a script or command argument, not before ^ _ '."""
    for k, t in enumerate(toks):
        if t.kind != "space":
            continue
        prev = toks[k - 1] if k else None
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if prev is not None and prev.kind == "sym" and prev.value in "^_":
            _fail(f"{t.value} after {prev.value} would be the {'super' if prev.value == '^' else 'sub'}script "
                  f"(TeX takes the next token): remove it", text, t.pos, t.value)
        if nxt is not None and nxt.kind == "sym" and nxt.value in "^_'":
            _fail(f"{t.value} before {nxt.value} detaches the script from its base (TeX prints it on an empty "
                  f"atom): remove it", text, t.pos, t.value)
    for k, t in enumerate(toks):
        if t.kind == "cmd" and t.value in ARITY:
            _check_arguments(toks, text, partner, k)
    for k, t in enumerate(toks):
        prev, nxt = toks[k - 1] if k else None, toks[k + 1] if k + 1 < len(toks) else None
        if t.kind == "space" and nxt is not None and nxt.kind == "space":
            continue                          # a run of spaces is judged at its last one, as a wide space
        run = t.kind == "space" and prev is not None and prev.kind == "space"
        while prev is not None and prev.kind == "space":
            k -= 1
            prev = toks[k - 1] if k else None
        if (t.value in WIDE_SPACES or run) and not (_separates(prev, True) or _separates(nxt, False)):
            _fail(f"{t.value} between two expressions prints a gap, not a product, and the parser would multiply "
                  f"them (a = b {t.value} c = d reads a = b·c = d): state one relation per claim, write \\cdot for a "
                  f"product, or end with \\quad\\text{{for }} … for a range", text, t.pos, t.value)


# a gap between two operands, not a product: the thick and medium spaces \; \: \> as well (a product's space is the
# thin \, as in Goodfellow's J \, h^T; a = 0 \; b = 0 is two equations side by side), and any run of spacing commands
WIDE_SPACES = frozenset({"\\quad", "\\qquad", "~", "\\ ", "\\;", "\\:", "\\>"})
_OPERATOR_SYMS = frozenset("=<>+-*/,.;:&!") | {"\\\\"}
_OPERATOR_CMDS = frozenset({"odot", "circ", "otimes", "cdot", "times", "bullet", "ast", "neq", "ne", "le", "leq", "ge",
                            "geq", "in", "text", "mathrm", "operatorname"})


def _separates(t, before) -> bool:
    """Whether ``t`` (the token before a wide space when ``before``, else after it) keeps the space from standing
    between two operands: an end of the claim, an operator or relation, a bracket opening before / closing after."""
    if t is None or t.kind in ("space", "end"):
        return True
    if t.kind == "cmd":
        return t.value in _OPERATOR_CMDS
    if t.kind != "sym":
        return False
    if t.value in _OPERATOR_SYMS:
        return True
    opening = t.value in ("(", "[", "{") or t.value.startswith("\\left")
    closing = t.value in (")", "]", "}") or t.value.startswith("\\right")
    return opening if before else closing


def _check_arguments(toks, text, partner, k):
    """No spacing command among the arguments of the command at ``k`` (TeX would take it as an argument)."""
    cmd, j, need = toks[k], k + 1, ARITY[toks[k].value]
    while need > 0 and j < len(toks):
        a = toks[j]
        if a.kind == "space":
            _fail(f"{a.value} between \\{cmd.value} and its argument would be the argument (TeX takes the next "
                  f"token): remove it", text, a.pos, a.value)
        if a.kind == "sym" and a.value == "{" and j in partner:
            j, need = partner[j] + 1, need - 1
        else:
            need -= len(a.value) if a.kind == "num" else 1       # \frac12: each digit is one TeX token
            j += 1


def sized(toks, text) -> list:
    """``\\left``/``\\right`` merged with their delimiters (see :func:`_sized`)."""
    return _sized(toks, text)


def grouped(toks, text) -> list:
    """TeX's grouping and spacing rules over already sized tokens; spacing dropped, an 'end' token appended."""
    partner = _pair_groups(toks, text)
    _check_spacing(toks, text, partner)
    out = [t for t in toks if t.kind != "space"]
    out.append(Token("end", "", len(text), len(text)))
    return out


def tokenize(text: str) -> list:
    """Tokens of ``text`` ending with an 'end' token, without the tolerance stage; NotationError on any character
    outside the vocabulary and on text that breaks TeX's grouping rules (see the module docstring)."""
    return grouped(_sized(raw_tokens(text), text), text)
