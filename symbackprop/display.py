"""Notebook presentation: ``_repr_latex_`` / ``_repr_html_`` and readable ``repr``/``str``, attached to the
data classes in one place.

The data classes (``Network``, ``Derivation``, ``ClaimResult``, ``FileReport``) know nothing of rendering;
importing the package (``__init__``) imports this module, which gives them their Jupyter displays.  A
derivation shows its closed forms as stated (``export.forms_math``): nothing is proved in the notebook
process.  ``repr`` is one line (a derivation's SymPy matrices were 25 KB of it); ``str`` of a claim or a
report is its ``check`` text.  Claims are typeset only as our canonical LaTeX of their parse
(``export.safe_math``), never as the user's text.
"""
from __future__ import annotations

from .check import ClaimResult
from .derive import Derivation
from .export import escape_math_text, forms_math, network_math, report_math, safe_math
from .network import Network
from .report import check_text_claim, check_text_width, network_line, render_check_html, render_check_text, terminal_safe
from .suite import FileReport
from .verdicts import VERDICTS

__all__ = ["attach"]


def _derivation_repr(self) -> str:
    net = self.net
    layers = f"δ^(1..{net.L})"
    labels = list(net.param_labels())
    params = f"∇W, ∇b for W^({labels[0]}..{labels[-1]})" if len(labels) > 1 else f"∇W, ∇b for W^({labels[0]})"
    return f"<Derivation of {network_line(net)}: {layers}, {params}>"


def _claim_repr(self) -> str:
    extra = [] if self.expect else ["expected to fail"]
    if self.step is not None and self.verdict == "refuted":
        extra.append(f"step {self.step}")
    if self.diagnosis:
        extra.append(f"diagnosis {self.diagnosis}")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"<ClaimResult {terminal_safe(self.id)}: {self.verdict}{tail}>"


def _claim_str(self) -> str:
    return "\n".join(check_text_claim(self, check_text_width([self.id])))


def _claim_latex(self) -> str:
    math = safe_math(self.read_as)
    claim = math if math is not None else r"\text{(the claim was not read)}"
    mark = "" if self.as_expected else r"\ (\text{not as expected})"
    verdict = self.verdict if self.verdict in VERDICTS else "unknown"
    return (rf"$${escape_math_text(self.id)}:\quad {claim}\qquad \textbf{{{verdict}}}"
            rf"{mark}$$")


def _report_repr(self) -> str:
    summ = ", ".join(f"{n} {v}" for v, n in self.summary().items())
    state = "all as expected" if self.ok else "some not as expected"
    n = len(self.results)
    return f"<FileReport {terminal_safe(self.spec.path)}: {n} claim{'s' if n != 1 else ''}, {summ} — {state}>"


def _typeset(result) -> str | None:
    return safe_math(result.read_as)


def attach() -> None:
    """Give the data classes their notebook displays and readable repr/str (idempotent)."""
    Network._repr_latex_ = lambda self: network_math(self)
    Derivation._repr_latex_ = lambda self: forms_math(self.net)
    Derivation.__repr__ = _derivation_repr
    Derivation.__str__ = _derivation_repr
    ClaimResult.__repr__ = _claim_repr
    ClaimResult.__str__ = _claim_str
    ClaimResult._repr_latex_ = _claim_latex
    FileReport.__repr__ = _report_repr
    FileReport.__str__ = lambda self: render_check_text(self)
    FileReport._repr_latex_ = lambda self: report_math(self)
    FileReport._repr_html_ = lambda self: render_check_html(self, math=_typeset)


attach()
