"""The five verdicts in one table: how bad each is (rank), whether it says the claim holds, and how each
report shows it (text mark and colour, HTML colour, LaTeX word).

Results carry the verdict as its plain string (JSON, worker pipes and tests see ``"proved"``); ``Verdict``
names the same strings, and ``style(v)`` gives a verdict's row (None for a string that is no verdict).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["Verdict", "VerdictStyle", "VERDICTS", "style", "holds", "worse"]


class Verdict(str, Enum):
    """A verdict; equal to its string (``Verdict.PROVED == "proved"``)."""
    PROVED = "proved"
    NUMERICALLY_EQUAL = "numerically-equal"
    REFUTED = "refuted"
    ERROR = "error"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class VerdictStyle:
    """One verdict's row."""
    rank: int         # the worst step decides a claim: the higher rank wins
    holds: bool       # the claim holds (proved, numerically-equal): it scores, its assumptions are shown
    mark: str         # text report
    colour: str       # text report (terminal colour name)
    html: str         # HTML report colour
    tex: str          # LaTeX report


_STYLES = {
    Verdict.PROVED: VerdictStyle(0, True, "✓", "green", "#1a7f37", r"\textbf{proved}"),
    Verdict.NUMERICALLY_EQUAL: VerdictStyle(1, True, "≈", "green", "#1a7f37", r"\textbf{numerically equal}"),
    Verdict.INCONCLUSIVE: VerdictStyle(2, False, "?", "yellow", "#9a6700", r"\textbf{inconclusive}"),
    Verdict.REFUTED: VerdictStyle(3, False, "✗", "red", "#cf222e", r"\textbf{refuted}"),
    Verdict.ERROR: VerdictStyle(4, False, "!", "magenta", "#8250df", r"\textbf{error}"),
}
VERDICTS = tuple(v.value for v in Verdict)      # ("proved", "numerically-equal", "refuted", "error", "inconclusive")


def style(verdict) -> VerdictStyle | None:
    """The row of ``verdict`` (a Verdict or its string), None for anything else."""
    try:
        return _STYLES[Verdict(verdict)]
    except ValueError:
        return None


def holds(verdict) -> bool:
    """Whether ``verdict`` says the claim holds (proved or numerically-equal)."""
    row = style(verdict)
    return row is not None and row.holds


def worse(a, b) -> bool:
    """Whether verdict ``a`` is worse than ``b`` (the one a claim with both steps gets)."""
    return _STYLES[Verdict(a)].rank > _STYLES[Verdict(b)].rank
