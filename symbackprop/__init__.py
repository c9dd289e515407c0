"""symbackprop: check backpropagation derivations symbolically and numerically.

The public API is the names in ``__all__`` (pinned by a test).
"""
from .errors import ConfigError, NotationError, SpecError, SymbackpropError
from .network import Network, graph
from .derive import Derivation, derive
from .closed_forms import ClosedForm, closed_forms
from .numeric import verify
from .check import CheckOptions, ClaimResult, check_claim
from .spec import load_spec, load_spec_text
from .runner import Limits
from .suite import FileReport, check_spec
from .export import export_document, export_report
from . import display  # noqa: F401  (notebook displays of Network, Derivation, FileReport)

__all__ = [
    "Network", "graph", "Derivation", "derive", "ClosedForm", "closed_forms", "verify",
    "CheckOptions", "ClaimResult", "check_claim", "load_spec", "load_spec_text", "Limits",
    "FileReport", "check_spec", "export_document", "export_report",
    "SymbackpropError", "ConfigError", "NotationError", "SpecError",
]
__version__ = "0.1.0"
