"""One error hierarchy: every message names the file, claim id and the token at fault."""
from __future__ import annotations

__all__ = ["SymbackpropError", "ConfigError", "NotationError", "SpecError"]


class SymbackpropError(Exception):
    """Base error: a one-line message plus where it came from (file, claim, token, position)."""

    def __init__(self, message, *, file=None, claim_id=None, key=None, token=None,
                 position=None, text=None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.claim_id = claim_id
        self.key = key
        self.token = token
        self.position = position
        self.text = text

    def located(self, *, file=None, claim_id=None, key=None):
        """Fill in location fields that are not set yet; return self."""
        self.file = self.file or file
        self.claim_id = self.claim_id or claim_id
        self.key = self.key or key
        return self

    def where(self) -> str:
        """'file: claim <id>: key <k>: ' prefix (only the parts that are known)."""
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.claim_id:
            parts.append(f"claim {self.claim_id!r}")
        if self.key:
            parts.append(f"key {self.key!r}")
        return "".join(p + ": " for p in parts)

    def at_source(self, where: str, line_text: str, column: int):
        """Place the error in a source file: ``where`` is 'file:line:column' (it replaces the file), the caret marks
        ``column`` (0-based) on ``line_text``, the line as written; the message no longer counts positions in the
        claim's text. Returns self."""
        self.file, self.text, self.position, self.in_source = where, line_text, column, True
        return self

    def one_line(self) -> str:
        """The message on one line, with its location and the offending token."""
        placed = self.position is not None and not getattr(self, "in_source", False)
        tok = f" (at {self.token!r}, position {self.position})" if self.token is not None and placed else (
            f" (at {self.token!r})" if self.token is not None else "")
        return f"{self.where()}{self.message}{tok}"

    def __str__(self) -> str:
        s = self.one_line()
        if self.text is not None and self.position is not None and len(self.text) <= 200:
            s += f"\n  {self.text}\n  {' ' * self.position}^"
        return s


class ConfigError(SymbackpropError):
    """A network description that is contradictory or unsupported."""


class NotationError(SymbackpropError):
    """LaTeX that the notation layer cannot read without guessing.

    ``fix`` is the rewrite that reads as intended when it is certain (``\\delta^L`` -> ``\\delta^{(L)}``); it is
    shown in the one-line message."""

    def __init__(self, message, *, fix=None, **kwargs):
        super().__init__(message, **kwargs)
        self.fix = fix

    def one_line(self) -> str:
        """The message on one line, with its location, the offending token and the fix when one is certain."""
        line = super().one_line()
        return line + (f"; write {self.fix}" if self.fix else "")


class SpecError(SymbackpropError):
    """A derivation file that is malformed (YAML, keys, values)."""
