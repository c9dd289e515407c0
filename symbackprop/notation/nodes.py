r"""The parse tree's leaves: layers, indices, network quantities, numbers, widths, scalar variables.

Every node knows its source span (``pos``, ``token``), evaluates to a Matrix (``ev(ctx)``), prints our canonical
LaTeX of what was parsed (``tex()``: from the tree only, never from the user's text, in the default dialect —
layers ``^{(…)}`` numbered from the input layer 0 — with grouping explicit wherever precedence could mislead),
says statically what kind of value it is (``shape_kind``: 'scalar', 'col', 'row', 'matrix', or None when only the
sizes could tell) and lists its sub-nodes (``children``) for the checks that walk the tree.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .context import OutOfRange, layer_in

__all__ = ["SUM", "HAD", "OUTER", "PROD", "POST", "ATOM", "Node", "LayerExpr", "Index", "Quantity", "Const",
           "Width", "Var", "Kronecker", "Bracketed", "CWidth", "bare", "paren", "at", "kind", "combine",
           "idx_tex", "SizeShift", "split_digits", "component", "dims", "unwrap", "walk", "WIDTH_TYPES"]

SUM, HAD, OUTER, PROD, POST, ATOM = range(1, 7)      # precedence of printed nodes (``level``)


def bare(node):
    while isinstance(node, Bracketed):
        node = node.inner
    return node


def unwrap(node):
    return node.inner if isinstance(node, Bracketed) else node


def paren(s: str) -> str:
    return "\\left(" + s + "\\right)"


def at(node, level: int) -> str:
    """The canonical LaTeX of ``node``, parenthesized when it binds more loosely than ``level``."""
    node = bare(node)
    s = node.tex()
    return paren(s) if node.level < level else s


def kind(node):
    return bare(node).shape_kind()


def combine(kinds):
    """The kind of an elementwise combination (a scalar broadcasts); None if the kinds disagree."""
    kinds = set(kinds) - {"scalar"}
    if not kinds:
        return "scalar"
    return kinds.pop() if len(kinds) == 1 else None


def idx_tex(idx) -> str:
    return "_{" + ",".join(ix.tex() for ix in idx) + "}"


def dims(M):
    return f"{M.rows}x{M.cols}"


def walk(node):
    """Every node of the tree under ``node`` (depth first)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n is None:
            continue
        yield n
        stack.extend(reversed(n.children()))


@dataclass
class Node:
    pos: int
    token: str

    def children(self):
        return []


@dataclass
class LayerExpr(Node):
    """c + [L] + [l] as written in a layer script; ``offset`` is the written number of the input layer.

    The engine's layer is (c + coef_L·(L + offset) + coef_l·l) - offset with l as written."""
    const: int = 0
    coef_L: int = 0
    coef_l: int = 0
    offset: int = 0

    def value(self, ctx):
        if self.coef_l and ctx.layer is None:
            raise ctx.error("the layer symbol has no value here", self)
        written = self.const + self.coef_L * (ctx.net.L + self.offset) + self.coef_l * (ctx.layer or 0)
        return written - self.offset

    def engine_const(self):
        """The constant of the same layer written in the engine's numbering (l then counted from 0)."""
        return self.const + self.offset * (self.coef_L + self.coef_l - 1)

    def tex(self):
        const = self.engine_const()
        names = [n for n, c in (("L", self.coef_L), ("l", self.coef_l)) if c]
        if not names:
            return str(const) if const >= 0 else f"0-{-const}"
        tail = "" if const == 0 else f"+{const}" if const > 0 else f"-{-const}"
        return "+".join(names) + tail


@dataclass
class Index(Node):
    """One component index: a 1-based literal or a letter."""
    literal: int | None = None
    name: str | None = None

    def value(self, ctx, size):
        if self.name is None:
            if not 1 <= self.literal <= size:
                raise ctx.error(f"index {self.literal} is outside 1..{size}", self, OutOfRange)
            return self.literal
        return ctx.index_value(self.name, size, self)

    def tex(self):
        return str(self.literal) if self.name is None else self.name


def split_digits(idx):
    """A two-digit literal subscript of a matrix (W_{12}) as two one-digit indices."""
    if len(idx) == 1 and idx[0].literal is not None and len(idx[0].token) == 2:
        t = idx[0]
        return (Index(t.pos, t.token[0], literal=int(t.token[0])),
                Index(t.pos + 1, t.token[1], literal=int(t.token[1])))
    return idx


def component(M, idx, ctx, node, kind):
    """Entry of M picked by 1-based indices; returns (1x1 Matrix, 0-based tuple).

    ``kind`` is what the indexed thing IS, never what its current shape happens to be: a 'matrix' (W, ∇_W,
    an outer product) takes two indices (``_{12}`` is row 1, column 2) even with one row or one column; a
    vector ('col'/'row': z, a, b, δ, x, y, ŷ) takes one (``_{12}`` is entry 12); a 'scalar' takes ``_1``.
    ``None`` (a bracketed expression whose kind is not known statically) goes by the shape, and a
    two-digit literal on a vector shape is then ambiguous.
    """
    if kind is None:
        kind = "matrix" if M.rows > 1 and M.cols > 1 else "col"
        if len(idx) == 1 and idx[0].literal is not None and len(idx[0].token) == 2 and M.shape != (1, 1):
            a, b = idx[0].token
            raise ctx.error(f"the subscript {idx[0].token} of a {dims(M)} expression is ambiguous (entry "
                            f"{idx[0].token}, or row {a}, column {b}): write _{{{a},{b}}} for row {a}, column {b}, "
                            f"or index the quantities", idx[0])
    if kind != "matrix":
        if len(idx) != 1:
            raise ctx.error(f"a {'vector' if kind != 'scalar' else 'scalar'} takes one index, got {len(idx)}", node)
        i = idx[0].value(ctx, len(M)) - 1
        return sp.Matrix([[M[i]]]), (i,)
    idx = split_digits(idx)
    if len(idx) != 2:
        raise ctx.error(f"a {M.rows}x{M.cols} matrix takes two indices, got {len(idx)}", node)
    i, j = idx[0].value(ctx, M.rows) - 1, idx[1].value(ctx, M.cols) - 1
    return sp.Matrix([[M[i, j]]]), (i, j)


QUANTITY_TEX = {"z": "z", "a": "a", "delta": r"\delta", "W": "W", "b": "b", "x": "x", "y": "y",
                "yhat": r"\hat{y}", "loss": r"\mathcal{L}"}
BATCH_TEX = {"z": "Z", "a": "A", "delta": r"\Delta", "x": "X", "y": "Y", "yhat": r"\hat{Y}"}


def _w(ctx, node, l, what):
    return ctx.g.W[ctx.net.edge(layer_in(ctx, node, l, ctx.net.param_labels(), what))]


def _b(ctx, node, l, what):
    return ctx.g.b[ctx.net.edge(layer_in(ctx, node, l, ctx.net.param_labels(), what))]


_QUANTITY = {
    # kind: (value(ctx, node, layer, shown), quantity tuple(ctx, layer))
    "z": (lambda c, n, l, w: c.g.z[layer_in(c, n, l, range(1, c.net.L + 1), w)], lambda c, l: ("z", l)),
    "a": (lambda c, n, l, w: c.g.a[layer_in(c, n, l, range(0, c.net.L + 1), w)],
          lambda c, l: ("yhat",) if l == c.net.L else ("a", l)),
    "delta": (lambda c, n, l, w: c.d.delta[layer_in(c, n, l, range(1, c.net.L + 1), w)], lambda c, l: ("delta", l)),
    "W": (_w, lambda c, l: ("W", l)),
    "b": (_b, lambda c, l: ("b", l)),
    "x": (lambda c, n, l, w: c.g.x, lambda c, l: ("a", 0)),
    "y": (lambda c, n, l, w: c.g.y, lambda c, l: ("y",)),
    "yhat": (lambda c, n, l, w: c.g.yhat, lambda c, l: ("yhat",)),
    "loss": (lambda c, n, l, w: sp.Matrix([[c.g.loss]]), lambda c, l: ("loss",)),
}


@dataclass
class Quantity(Node):
    """A network quantity: kind, layer (for z, a, W, b, δ) and optional component indices.

    ``transposed``: a weight matrix written d_prev × d_next (``weight_index: from-to``): its value is the
    engine's W transposed, and W_{jk} is the engine's W_{kj}."""
    kind: str = ""
    layer: LayerExpr | None = None
    idx: tuple | None = None
    transposed: bool = False
    implied: bool = False        # the layer is the name's, not a written script (d2l's o, Bishop's a_j)
    shape: str = ""              # "matrix" (a batch quantity), "row" (rows layout: b, one example): else by kind
    level = ATOM

    def layer_value(self, ctx):
        return None if self.layer is None else self.layer.value(ctx)

    def shown(self, ctx, l):
        """How the quantity's layer reads in a message (as written)."""
        return f"{QUANTITY_TEX[self.kind].lstrip(chr(92))}^({l + ctx.offset})"

    def engine_full(self, ctx):
        l = self.layer_value(ctx)
        return _QUANTITY[self.kind][0](ctx, self, l, self.shown(ctx, l) if l is not None else self.token)

    def full(self, ctx):
        M = self.engine_full(ctx)
        return M.T if self.transposed else M

    def index_kind(self):
        """What the whole quantity is, whatever the network's sizes: W a matrix, the loss a scalar, else a vector."""
        if self.shape:
            return self.shape
        return "matrix" if self.kind == "W" else "scalar" if self.kind == "loss" else "col"

    def ev(self, ctx):
        M = self.full(ctx)
        return M if self.idx is None else component(M, self.idx, ctx, self, self.index_kind())[0]

    def quantity(self, ctx):
        q = _QUANTITY[self.kind][1](ctx, self.layer_value(ctx))
        if self.idx is None:
            return None if self.transposed else q
        comp = component(self.full(ctx), self.idx, ctx, self, self.index_kind())[1]
        return q + (tuple(reversed(comp)) if self.transposed else comp,)

    def shape_kind(self):
        return "scalar" if self.idx is not None else self.index_kind()

    def engine_tex(self):
        out = BATCH_TEX[self.kind] if self.shape == "matrix" and self.kind in BATCH_TEX else QUANTITY_TEX[self.kind]
        if self.layer is not None:
            out += "^{(" + self.layer.tex() + ")}"
        return out

    def tex(self):
        out = self.engine_tex()
        if self.idx is None:
            return paren(out) + r"^{\top}" if self.transposed else out
        idx = split_digits(self.idx) if self.index_kind() == "matrix" else self.idx
        return out + idx_tex(tuple(reversed(idx)) if self.transposed else idx)


@dataclass
class Const(Node):
    """A number, a width (d_l, C) or an already built scalar."""
    value: object = None
    literal: bool = False
    level = ATOM

    def ev(self, ctx):
        return sp.Matrix([[self.value]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        v = sp.Rational(self.value)
        return str(v.p) if v.q == 1 else r"\frac{%d}{%d}" % (v.p, v.q)


@dataclass
class Named(Node):
    """A network constant written by its name: the batch size m, the weight decay \\lambda (read as its value,
    printed as its name)."""
    value: object = None
    name: str = ""
    level = ATOM

    def ev(self, ctx):
        return sp.Matrix([[self.value]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return self.name


@dataclass
class Ones(Node):
    r"""\mathbf{1} in a batch network: the all-ones column of length m (Z = W A + b 1ᵀ, ∇_b L = Δ 1)."""
    level = ATOM

    def ev(self, ctx):
        return sp.ones(ctx.net.batch, 1)

    def shape_kind(self):
        return "col"

    def tex(self):
        return r"\mathbf{1}"


@dataclass
class Width(Node):
    """d_{layer}: the width of a layer, as an integer."""
    layer: LayerExpr | None = None
    level = ATOM

    def size(self, ctx):
        l = self.layer.value(ctx)
        layer_in(ctx, self, l, range(0, ctx.net.L + 1), f"d_{l + ctx.offset}")
        return ctx.net.sizes[l]

    def ev(self, ctx):
        opaque = getattr(ctx, "opaque_width", None)         # symbackprop.trivial: the width as a symbol
        return opaque(self) if opaque is not None else sp.Matrix([[sp.Integer(self.size(ctx))]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return "d_{" + self.layer.tex() + "}"


@dataclass
class CWidth(Node):
    """C = d_L, the number of classes."""
    level = ATOM

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return "C"

    def size(self, ctx):
        return ctx.net.C

    def ev(self, ctx):
        opaque = getattr(ctx, "opaque_width", None)
        return opaque(self) if opaque is not None else sp.Matrix([[sp.Integer(ctx.net.C)]])


@dataclass
class SizeShift(Node):
    """A bound written as a size plus or minus an integer: C-1, d_l - 1 (read only as a bound)."""
    base: object = None
    shift: int = 0
    level = SUM

    def shape_kind(self):
        return "scalar"

    def tex(self):
        b = self.base.tex() if hasattr(self.base, "size") else str(int(self.base.value))
        return f"{b} {'-' if self.shift < 0 else '+'} {abs(self.shift)}"

    def size(self, ctx):
        b = self.base.size(ctx) if hasattr(self.base, "size") else int(self.base.value)
        return b + self.shift

    def ev(self, ctx):
        return sp.Matrix([[sp.Integer(self.size(ctx))]])


WIDTH_TYPES = (Width, CWidth, SizeShift)


@dataclass
class Var(Node):
    """A real scalar variable: a single letter (or a declared name such as \\lambda)."""
    name: str = ""
    level = ATOM

    def ev(self, ctx):
        return sp.Matrix([[sp.Symbol(self.name, real=True)]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return self.name if len(self.name) == 1 else "\\" + self.name


@dataclass
class Kronecker(Node):
    """δ_{ik} without a layer superscript."""
    idx: tuple = ()
    level = ATOM

    def ev(self, ctx):
        vals = [ix.literal if ix.name is None else ctx.env.get(ix.name, 1) for ix in self.idx]
        return sp.Matrix([[sp.KroneckerDelta(*vals)]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return r"\delta" + idx_tex(self.idx)


@dataclass
class Bracketed(Node):
    """(E) or [E]: kept as a node so that a following _i picks a component (transparent in print)."""
    inner: object = None

    def ev(self, ctx):
        return self.inner.ev(ctx)

    @property
    def level(self):
        return bare(self).level

    def shape_kind(self):
        return kind(self.inner)

    def tex(self):
        return bare(self).tex()

    def children(self):
        return [self.inner]
