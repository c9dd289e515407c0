"""Compatibility: the lexer now lives in :mod:`symbackprop.notation.lexer`."""
from .notation.lexer import (ARITY, MAX_DEPTH, MAX_DIGITS, MAX_LENGTH, SPACING, Token, _raw_tokens,  # noqa: F401
                             raw_tokens, tokenize)

__all__ = ["Token", "tokenize", "raw_tokens", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS", "SPACING", "ARITY"]
