"""symbackprop: check backpropagation derivations symbolically and numerically."""
from .errors import ConfigError, NotationError, SpecError, SymbackpropError
from .network import Network, graph
from .derive import Derivation, derive

__all__ = [
    "Network", "graph", "Derivation", "derive",
    "SymbackpropError", "ConfigError", "NotationError", "SpecError",
]
__version__ = "0.1.0"
