"""latex2sympy2 for numeric literals only, behind our own layer, with its module state isolated.

The string handed to latex2sympy2 is assembled by us from already validated digit tokens (never user text
as such); the call runs under a lock with its module state (``var``, ``variances``, ``VARIABLE_VALUES``,
``is_real``, ``frac_type``) reset before and restored after; its output is walked (only Integer/Rational
leaves, Mul, and Pow with exponent -1 are accepted) and the value is cross-checked against an exact
``Fraction`` read of the same digits: any disagreement is a NotationError.
"""
from __future__ import annotations

import threading
from fractions import Fraction

import sympy as sp

from ..errors import NotationError

__all__ = ["numeric_literal"]


_L2S_LOCK = threading.Lock()
_L2S_STATE = ("var", "variances", "VARIABLE_VALUES", "is_real", "frac_type")


def _l2s_call(source: str):
    """latex2sympy2 on a string we assembled, with its module state reset and restored."""
    import latex2sympy2
    with _L2S_LOCK:
        saved = {k: getattr(latex2sympy2, k) for k in _L2S_STATE}
        fresh = {"var": {}, "variances": {}, "VARIABLE_VALUES": {}, "is_real": None, "frac_type": r"\frac"}
        try:
            for k, v in fresh.items():
                setattr(latex2sympy2, k, v)
            return latex2sympy2.latex2sympy(source)
        finally:
            for k, v in saved.items():
                setattr(latex2sympy2, k, v)


def _walk_number(e) -> Fraction:
    """The exact value of latex2sympy2's output for a numeric literal; ValueError on anything else."""
    if isinstance(e, (sp.Integer, sp.Rational)):
        return Fraction(int(e.p), int(e.q))
    if isinstance(e, sp.Mul):
        out = Fraction(1)
        for a in e.args:
            out *= _walk_number(a)
        return out
    if isinstance(e, sp.Pow) and e.exp == -1:
        base = _walk_number(e.base)
        if base == 0:
            raise ValueError("division by zero")
        return 1 / base
    raise ValueError(f"unexpected {type(e).__name__}")


def numeric_literal(num: str, den: str | None = None) -> sp.Rational:
    """The exact value of a number token (or \\frac of two), read by latex2sympy2 and cross-checked."""
    ours = Fraction(num) if den is None else Fraction(num) / Fraction(den)
    source = num if den is None else r"\frac{%s}{%s}" % (num, den)
    try:
        theirs = _walk_number(_l2s_call(source))
    except Exception as exc:   # latex2sympy2 raises its own error types
        raise NotationError(f"latex2sympy2 could not read the number {source}: {exc}") from None
    if theirs != ours:
        raise NotationError(f"latex2sympy2 read {source} as {theirs}, not {ours}")
    return sp.Rational(ours.numerator, ours.denominator)
