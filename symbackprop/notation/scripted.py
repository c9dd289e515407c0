r"""Commands read with a script: a logarithm's base (``\log_2 u``), a maximum or minimum over an index (``\max_k z_k``,
``\min_k``), and a size moved by an integer as a bound (``\sum_{k=1}^{C-1}``, ``\text{for } k = 1, \dots, d_l - 1``).

Each is read only when its meaning is certain: an integer base (or e), one index letter whose range its uses
imply, a size plus or minus one integer; anything else is an error naming the token and how to write it.
Methods of :class:`~symbackprop.notation.commands.CommandsMixin` (and so of the parser).
"""
from __future__ import annotations

from .functions import LogBase, MaxOver, MinOver
from .nodes import SizeShift

__all__ = ["ScriptedMixin"]


class ScriptedMixin:
    """\\log_b, \\max_k / \\min_k and size bounds ± an integer."""

    def log_base(self, t, shown, prime, power):
        """\\log_2 u, \\log_{10} u: the logarithm to an integer base (ln u / ln b); \\log_e u is \\ln u."""
        caret = self.next()
        braced = self.script_group(caret, "base")
        b = self.tok
        if b.kind == "num" and "." not in b.value and int(b.value) >= 2:
            base = int(b.value)
        elif b.kind == "letter" and b.value == "e":
            base = None
        else:
            raise self.error(f"the base of {shown}_… must be an integer of at least 2 or e (\\log_2, \\log_{{10}}, "
                             f"\\log_e); write any other base as \\frac{{\\log u}}{{\\log b}}", tok=b)
        self.next()
        if braced:
            self.expect("sym", "}", "} closing the base of the logarithm")
        if prime or power != 1 or self.at("sym", "^") or self.at("sym", "'"):
            raise self.error(f"a power or prime of {shown} with a base is ambiguous: write (\\log_b u)^2", tok=t)
        arg = self.function_argument(shown)
        node = self.bind_function(t, "log", False, 1, arg)
        self.readings[f"\\log_{b.value}"] = "the natural logarithm" if base is None else f"ln(u)/ln({base})"
        return node if base is None else LogBase(t.pos, self.span(t), node, base)


    def max_over(self, t, node=MaxOver):
        """\\max_k u_k, \\max_{k} (…): the largest value over the range of k that its uses imply (``node``
        MinOver: \\min_k, the smallest)."""
        name = f"\\{node.NAME}"
        caret = self.next()
        braced = self.script_group(caret, "index")
        v = self.tok
        if not (v.kind == "letter" and v.value.islower() and v.value not in self.index_excluded()):
            raise self.error(f"the index of {name}_… must be a single lowercase letter (not "
                             f"{', '.join(sorted(self.index_excluded()))}); write {name}(u, v) for the "
                             f"{'larger' if node is MaxOver else 'smaller'} of two", tok=v)
        self.next()
        if braced and not self.at("sym", "}"):
            raise self.error(f"{name}_{{…}} takes one index letter, its range implied by what it indexes "
                             f"(write {name}_k z_k)")
        if braced:
            self.next()
        if v.value in self.active:
            raise self.error(f"index {v.value} is already bound by an enclosing sum", tok=v, token=v.value)
        self.bound_names.setdefault(v.value, v.pos)
        self.active.append(v.value)
        try:
            body = self.function_argument(f"{name}_{v.value}")
        finally:
            self.active.pop()
        return node(t.pos, self.span(t), v.value, 1, None, body)


    def size_shift(self, node):
        """A size and ± an integer (C-1, d_l - 1, d_{l}+1): a bound of a sum or of a range statement."""
        sign = -1 if self.next().value == "-" else 1
        n = self.tok
        if not (n.kind == "num" and "." not in n.value):
            raise self.error("a bound is a size plus or minus an integer (C-1, d_l - 1): no other expression is read",
                             tok=n)
        self.next()
        if self.at("sym", "-") or self.at("sym", "+"):
            raise self.error("a bound is a size plus or minus one integer (C-1, d_l - 1)")
        return SizeShift(node.pos, self.src[node.pos:n.end], node, sign * int(n.value))
