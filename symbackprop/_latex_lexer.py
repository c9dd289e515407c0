"""Tokenizer of the notation layer: LaTeX text -> tokens with positions, input limits enforced first."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import NotationError

__all__ = ["Token", "tokenize", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS"]

MAX_LENGTH = 10_000      # characters of one relation
MAX_DEPTH = 100          # nesting of { ( [ \{ (at least 64 must be allowed)
MAX_DIGITS = 30          # digits of one number literal

# commands that are pure spacing/sizing and carry no meaning here
IGNORED = frozenset({"left", "right", ",", ";", "!", "quad", "qquad", " "})
SYMBOLS = frozenset("^_{}()[]+-=,'<>")
OPENERS = {"{": "}", "(": ")", "[": "]", "\\{": "\\}"}
CLOSERS = frozenset(OPENERS.values())


@dataclass(frozen=True)
class Token:
    """One token: kind ('cmd', 'letter', 'num', 'sym', 'end'), its value, and its span in the text."""
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


def _lex_one(text, i):
    """The token at ``i`` (None for ignored spacing) and the position after it."""
    c = text[i]
    if c == "\\":
        name, j = _command(text, i)
        if name in IGNORED:
            return None, j
        if name in ("{", "}"):
            return Token("sym", "\\" + name, i, j), j
        if not (name.isascii() and name.isalpha()):
            _fail(f"unknown command \\{name}", text, i, "\\" + name)
        return Token("cmd", name, i, j), j
    if c.isascii() and c.isdigit():
        lit, j = _number(text, i)
        return Token("num", lit, i, j), j
    if c.isascii() and c.isalpha():
        return Token("letter", c, i, i + 1), i + 1
    if c in SYMBOLS:
        return Token("sym", c, i, i + 1), i + 1
    _fail(f"unexpected character {c!r}", text, i, c)


def tokenize(text: str) -> list:
    """Tokens of ``text`` ending with an 'end' token; NotationError on any character outside the vocabulary."""
    _check_limits(text)
    out, i, depth = [], 0, 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        tok, i = _lex_one(text, i)
        if tok is None:
            continue
        if tok.kind == "sym" and tok.value in OPENERS:
            depth += 1
            if depth > MAX_DEPTH:
                _fail(f"brackets nested deeper than {MAX_DEPTH}", text, tok.pos, tok.value)
        elif tok.kind == "sym" and tok.value in CLOSERS:
            depth -= 1
        out.append(tok)
    out.append(Token("end", "", len(text), len(text)))
    return out
