"""What evaluating a parsed claim needs: the network, its derivation, the layer value, index values, ranges."""
from __future__ import annotations

from ..derive import derive
from ..errors import NotationError
from ..network import graph

__all__ = ["Ctx", "OutOfRange", "layer_in"]


class OutOfRange(NotationError):
    """A quantity, width or literal index that does not exist (excludes a value of the layer symbol)."""


class Ctx:
    """The network, the layer value (as written), index values, the range record of a probe and work counters.

    ``offset`` is the input layer's written number (0, or 1 for Nielsen and UFLDL): a written layer w is the
    engine's layer w - offset, and the last layer's symbol is written L + offset.
    """

    def __init__(self, src, net, layer=None, env=None, probe=False, offset=0):
        self.src, self.net, self.g = src, net, graph(net)
        self.layer, self.env, self.probe, self.offset = layer, dict(env or {}), probe, offset
        self.bound = set()
        self.ranges = {}
        self.implied = None         # while probing an implied sum's index: {name: (size, pos)}
        self.sum_terms = 0

    @property
    def d(self):
        return derive(self.net)

    def error(self, message, node, cls=NotationError):
        return cls(message, token=node.token, position=node.pos, text=self.src)

    def index_value(self, name, size, node):
        """The value of index ``name`` used where it ranges over 1..size (recording it when probing)."""
        if self.implied is not None and name in self.implied:
            seen = self.implied[name]
            if seen and seen[0] != size:
                raise self.error(f"the range of {name} is not implied: it indexes 1..{size} here but 1..{seen[0]} "
                                 f"at position {seen[1]}: write the bounds \\sum_{{{name}=1}}^{{…}}", node)
            self.implied[name] = (size, node.pos)
            return 1
        if name in self.bound:
            v = self.env[name]
            if not 1 <= v <= size:
                raise self.error(f"index {name} = {v} is outside 1..{size}", node)
            return v
        if self.probe:
            seen = self.ranges.get(name)
            if seen is not None and seen[0] != size:
                raise self.error(f"dimension mismatch: free index {name} ranges over 1..{size} here but "
                                 f"over 1..{seen[0]} at position {seen[1]}", node)
            self.ranges.setdefault(name, (size, node.pos))
            return 1
        return self.env[name]


def layer_in(ctx, node, l, valid, what):
    """``l`` (an engine layer) if it is in ``valid``; else OutOfRange naming the written layers that exist."""
    if l not in valid:
        off = ctx.offset
        raise ctx.error(f"{what} does not exist in this network (valid: {valid.start + off}..{valid.stop - 1 + off})",
                        node, OutOfRange)
    return l
