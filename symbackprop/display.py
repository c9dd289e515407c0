"""Notebook presentation: ``_repr_latex_`` / ``_repr_html_`` attached to the data classes, in one place.

The data classes (``Network``, ``Derivation``, ``FileReport``) know nothing of rendering; importing the
package (``__init__``) imports this module, which gives them their Jupyter displays.  A derivation shows
its closed forms as stated (``export.forms_math``): nothing is proved in the notebook process.
"""
from __future__ import annotations

from .derive import Derivation
from .export import forms_math, network_math, report_math
from .network import Network
from .report import render_check_html
from .suite import FileReport

__all__ = ["attach"]


def attach() -> None:
    """Give the data classes their notebook displays (idempotent)."""
    Network._repr_latex_ = lambda self: network_math(self)
    Derivation._repr_latex_ = lambda self: forms_math(self.net)
    FileReport._repr_latex_ = lambda self: report_math(self)
    FileReport._repr_html_ = lambda self: render_check_html(self)


attach()
