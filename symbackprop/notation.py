r"""Course LaTeX -> SymPy over the engine's symbols, with no silent misreads.

One relation about a network (``\delta^{(L-1)} = (W^{(L-1)})^T(\hat y - y) \odot \varphi'(z^{(L-1)})``)
is read into SymPy matrices built from :func:`symbackprop.network.graph` symbols. Anything outside the
vocabulary is a :class:`~symbackprop.errors.NotationError` naming the token and its position.

What is ours and what goes through latex2sympy2
-----------------------------------------------
*Ours* (``_latex_lexer.tokenize`` + the recursive-descent ``_Parser`` below): every piece of structure —
quantities and their layer superscripts ``^{(…)}`` (never powers), subscripts (component indices),
transposes, matrix products with the factor order preserved, ``\odot``/``\circ``, brackets, ``\frac``
of non-numbers, derivatives, sums, indicators, functions (``\log`` is the NATURAL log), relations and
shapes. latex2sympy2 1.9.1 misreads exactly these constructs (``A^T`` -> ``A``, ``z^{(L)}_i`` ->
``z_i**L``, ``\varphi'(z)`` -> ``varphi*z``, ``\log`` base 10, trailing text dropped, ``a = b`` as an
assignment, ``i``/``j`` as the imaginary unit, state kept between calls), so it never sees them.

*latex2sympy2*: only numeric literals — a number token (``3``, ``0.25``) and ``\frac{N}{M}`` whose
arguments are both number tokens. The string handed to it is assembled by us from already validated
digit tokens (never user text as such), the call runs under a lock with its module state (``var``,
``variances``, ``VARIABLE_VALUES``, ``is_real``, ``frac_type``) reset before and restored after, its
output is walked (only Integer/Rational leaves, Mul, and Pow with exponent -1 are accepted) and the
value is cross-checked against an exact ``Fraction`` read of the same digits; any disagreement is a
NotationError. This is a deliberately small use: latex2sympy2 cannot be trusted with anything that
has structure.

No eval/exec/sympify/parse_expr is applied to user text; Symbols are only the graph's and single-letter
scalar variables whose names we build ourselves. Every result is walked against an allow-list.

Readings fixed here (each pinned by tests/test_notation.py)
-----------------------------------------------------------
- Precedence: relation < ``+ -`` < ``\odot``/``\circ`` < juxtaposition/``\cdot`` (matrix product, order
  kept; a 1x1 factor scales) < postfix ``^T``/``^n``/``_i`` < primary. So ``(W)^T \delta \odot \varphi'(z)``
  is ``((W)^T \delta) \odot \varphi'(z)`` and ``-\frac{y_k}{\hat y_k}`` negates the fraction. A ``\sum`` body is
  one optionally signed product: ``\hat y_i \sum_k y_k - y_i`` is ``\hat y_i (\sum_k y_k) - y_i``.
- ``^{(…)}`` is always a layer; ``^T``, ``^\top``, ``^{T}``, ``^{\top}`` a transpose; any other exponent must be
  an integer literal (|n| <= 1000, no nesting) on a scalar. Functions apply elementwise to scalars and
  vectors only; on a non-vector matrix (``e^{W}``: matrix exponential?) they are an error.
- ``+``, ``-``, ``\odot``, ``\max`` and indicators broadcast a 1x1 operand; other shape clashes are
  "dimension mismatch" errors. In a relation, a side that is a bare number next to matrix sides of one
  shape is read as that constant matrix (``\delta^{(l)} = 0`` is the zero vector).
- Indices go by what a quantity IS, never by the network's sizes: a weight matrix (``W``, ``\nabla_W``, an
  outer product) always takes two indices, a vector (``z a b \delta x y \hat y``) one. ``W_{12}`` (one two-digit
  literal on a matrix) is row 1, column 2, as the LaTeX export writes it, also for a matrix with one row or
  column; ``z_{12}`` is entry 12. A bracketed expression whose kind only its sizes could tell makes a
  two-digit literal on a vector shape an error.
- TeX's own rules (``_latex_lexer`` and ``_Parser.script_group``/``command_arg``/``factor``): after an unbraced
  ``^``/``_`` only one token is the script (``e^(u)``, ``e^\varphi(u)``, ``u^23`` are errors; ``e^u``, ``^T``,
  ``\hat y``, ``\mathcal L`` and ``\frac12`` = ½ are read as TeX reads them); one superscript and one subscript
  per atom (``W^{(1)}^T``, ``\hat y_1_2`` are errors, ``{W^{(1)}}^T`` and ``(W^{(1)})^T`` are fine; a transpose
  after a subscript is an error since TeX prints both orders alike); ``\left``/``\right`` pair with a delimiter
  each and ``\left(`` is closed only by ``\right)``; spacing commands only between atoms; a number right
  after a fraction (``\frac{1}{2}3`` prints ½3) needs ``\cdot``.
- Canonical reading: every node prints our own LaTeX of what was parsed (``tex``), from the tree only, with
  ``\left( … \right)`` wherever precedence could mislead (operands of ⊙ and ⊗ that are products, a sum over
  k inside a product, every function argument and transposed quantity); layers as written (``L-1``,
  ``l+1``: constants folded), ``\ln`` as ``\log``, ``\circ`` as ``\odot``, ``e^{u}`` as ``\exp(u)``, indicators as
  ``\mathbb{1}\{…\}``, numbers as integers or ``\frac{p}{q}``, matrix indices split (``W_{1,2}``).
  ``ParsedClaim.latex``/``given_latex`` hold it; it re-parses to the same claim (tests/test_fuzz_notation.py).
- Letters: ``x y z a W b`` quantities, ``L`` the layer count (or the loss right after ``\partial``/in
  ``\nabla``), ``C``/``d_l`` widths, ``e`` only as ``e^{…}``, ``l`` the layer symbol; a subscript letter is
  an index (free unless bound by an enclosing ``\sum``), any other lowercase letter a real scalar
  variable ``Symbol(letter, real=True)``; other capitals are unknown quantities.
- Work limits: text length, bracket depth and literal size (lexer), exponent size, the combined exponent
  of nested powers, and the number of ``\sum`` terms evaluated (``MAX_SUM_TERMS``).

Conventions: component indices in ``Side.quantity`` are 0-based (ready for ``Matrix[...]``), the
``assignment`` of an ``Instance`` is 1-based as written. Free-index ranges may depend on the layer
symbol; ``ParsedClaim.free_indices`` reports the ranges at the first valid layer. ``layers`` holds every
value of ``l`` in 0..L at which every quantity, width and literal index of the claim and its givens
exists (empty when ``l`` is not used).
"""
from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator

import sympy as sp

from ._latex_lexer import Token, tokenize
from .derive import derive
from .errors import NotationError
from .network import Network, graph
from .rules import indicator, phi, phi_prime

__all__ = ["Side", "Instance", "ParsedClaim", "parse_claim", "parse_expression", "MAX_EXPONENT"]

MAX_EXPONENT = 1000
MAX_SUM_TERMS = 50_000            # body evaluations of all sums in one evaluation
MAX_NUMBER_DIGITS = 2000          # digits of a numeric power (base digits x exponent)
INDEX_LETTERS_EXCLUDED = frozenset("lxyzabde")
RESERVED_LETTERS = frozenset("xyzaWbLCdelT")
SYM_RELOPS = {"=": "=", "<": "<", ">": ">"}
CMD_RELOPS = {"neq": "!=", "ne": "!=", "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "in": "in"}
_RELOP_TEX = {"=": "=", "!=": r"\neq", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "in": r"\in"}
COND_OPS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b}


# ----------------------------------------------------------------------------------------------
# public data


@dataclass(frozen=True)
class Side:
    """One side of a relation: its matrix (scalars are 1x1), source text, and bare quantity if any."""
    expr: sp.Matrix | None
    latex: str
    quantity: tuple | None = None


@dataclass(frozen=True)
class Instance:
    """A claim with every free index and the layer symbol given a value."""
    assignment: dict
    sides: tuple
    ops: tuple
    shape: tuple | None
    conditions: tuple


@dataclass(frozen=True)
class ParsedClaim:
    """A parsed claim: its free indices and layer values, expanded into instances on demand."""
    text: str
    free_indices: dict
    layer_symbol: str | None
    layers: tuple
    _program: object = field(default=None, repr=False, compare=False)
    latex: str = ""                 # our canonical LaTeX of the claim as parsed (never the user's text)
    given_latex: tuple = ()         # … and of each given

    def instances(self) -> Iterator[Instance]:
        """Every assignment of the layer symbol and free indices, in a deterministic order."""
        for assignment in self._program.assignments():
            yield self._program.instance(assignment)

    def instance(self, **assignment) -> Instance:
        """The instance at one assignment (every free index and the layer symbol must be given)."""
        return self._program.instance(self._program.check_assignment(assignment))

    def scalar_symbols(self) -> list:
        """The real scalar variables (u, v, …) of the claim and its givens, sorted by name."""
        names = set(self._program.claim.parser.var_names)
        for g in self._program.givens:
            names |= set(g.parser.var_names)
        return [sp.Symbol(n, real=True) for n in sorted(names)]


# ----------------------------------------------------------------------------------------------
# latex2sympy2: numeric literals only, state isolated


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


# ----------------------------------------------------------------------------------------------
# evaluation context


class _OutOfRange(NotationError):
    """A quantity, width or literal index that does not exist (excludes a value of the layer symbol)."""


class _Ctx:
    """What evaluation needs: the network, the layer value, index values and the range record."""

    def __init__(self, src, net, layer=None, env=None, probe=False):
        self.src, self.net, self.g = src, net, graph(net)
        self.layer, self.env, self.probe = layer, dict(env or {}), probe
        self.bound = set()
        self.ranges = {}
        self.sum_terms = 0

    @property
    def d(self):
        return derive(self.net)

    def error(self, message, node, cls=NotationError):
        return cls(message, token=node.token, position=node.pos, text=self.src)

    def index_value(self, name, size, node):
        """The value of index ``name`` used where it ranges over 1..size (recording it when probing)."""
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


# ----------------------------------------------------------------------------------------------
# AST: every node knows its source span, evaluates to a Matrix (``ev``), prints our canonical LaTeX of
# what was parsed (``tex``: from the tree only, never from the user's text; grouping explicit wherever
# precedence could mislead, layers as written: L, l+1) and says statically what kind of value it is
# (``shape_kind``: 'scalar', 'col', 'row', 'matrix', or None when only the sizes could tell)

SUM, HAD, OUTER, PROD, POST, ATOM = range(1, 7)      # precedence of printed nodes (``level``)


def _bare(node):
    while isinstance(node, _Bracketed):
        node = node.inner
    return node


def _paren(s: str) -> str:
    return "\\left(" + s + "\\right)"


def _at(node, level: int) -> str:
    """The canonical LaTeX of ``node``, parenthesized when it binds more loosely than ``level``."""
    node = _bare(node)
    s = node.tex()
    return _paren(s) if node.level < level else s


def _kind(node):
    return _bare(node).shape_kind()


def _combine(kinds):
    """The kind of an elementwise combination (a scalar broadcasts); None if the kinds disagree."""
    kinds = set(kinds) - {"scalar"}
    if not kinds:
        return "scalar"
    return kinds.pop() if len(kinds) == 1 else None


_PRODUCT_KIND = {("col", "row"): "matrix", ("row", "col"): "scalar", ("matrix", "col"): "col",
                 ("row", "matrix"): "row", ("matrix", "matrix"): "matrix"}


def _idx_tex(idx) -> str:
    return "_{" + ",".join(ix.tex() for ix in idx) + "}"


@dataclass
class _Node:
    pos: int
    token: str


@dataclass
class _LayerExpr(_Node):
    """c + [L] + [l], the layer written in a superscript ``^{(…)}`` or in ``d_{…}``."""
    const: int = 0
    coef_L: int = 0
    coef_l: int = 0

    def value(self, ctx):
        if self.coef_l and ctx.layer is None:
            raise ctx.error("the layer symbol l has no value here", self)
        return self.const + self.coef_L * ctx.net.L + self.coef_l * (ctx.layer or 0)

    def tex(self):
        names = [n for n, c in (("L", self.coef_L), ("l", self.coef_l)) if c]
        if not names:
            return str(self.const) if self.const >= 0 else f"0-{-self.const}"
        const = "" if self.const == 0 else f"+{self.const}" if self.const > 0 else f"-{-self.const}"
        return "+".join(names) + const


@dataclass
class _Index(_Node):
    """One component index: a 1-based literal or a letter."""
    literal: int | None = None
    name: str | None = None

    def value(self, ctx, size):
        if self.name is None:
            if not 1 <= self.literal <= size:
                raise ctx.error(f"index {self.literal} is outside 1..{size}", self, _OutOfRange)
            return self.literal
        return ctx.index_value(self.name, size, self)

    def tex(self):
        return str(self.literal) if self.name is None else self.name


def _split_digits(idx):
    """A two-digit literal subscript of a matrix (W_{12}) as two one-digit indices."""
    if len(idx) == 1 and idx[0].literal is not None and len(idx[0].token) == 2:
        t = idx[0]
        return (_Index(t.pos, t.token[0], literal=int(t.token[0])),
                _Index(t.pos + 1, t.token[1], literal=int(t.token[1])))
    return idx


def _component(M, idx, ctx, node, kind):
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
            raise ctx.error(f"the subscript {idx[0].token} of a {_dims(M)} expression is ambiguous (entry "
                            f"{idx[0].token}, or row {idx[0].token[0]}, column {idx[0].token[1]}): write "
                            f"_{{{idx[0].token[0]},{idx[0].token[1]}}} for row {idx[0].token[0]}, column "
                            f"{idx[0].token[1]}, or index the quantities", idx[0])
    if kind != "matrix":
        if len(idx) != 1:
            raise ctx.error(f"a {'vector' if kind != 'scalar' else 'scalar'} takes one index, got {len(idx)}", node)
        i = idx[0].value(ctx, len(M)) - 1
        return sp.Matrix([[M[i]]]), (i,)
    idx = _split_digits(idx)
    if len(idx) != 2:
        raise ctx.error(f"a {M.rows}x{M.cols} matrix takes two indices, got {len(idx)}", node)
    i, j = idx[0].value(ctx, M.rows) - 1, idx[1].value(ctx, M.cols) - 1
    return sp.Matrix([[M[i, j]]]), (i, j)


def _layer_in(ctx, node, l, valid, what):
    if l not in valid:
        raise ctx.error(f"{what} does not exist in this network (valid: {valid.start}..{valid.stop - 1})",
                        node, _OutOfRange)
    return l


_QUANTITY_TEX = {"z": "z", "a": "a", "delta": r"\delta", "W": "W", "b": "b", "x": "x", "y": "y",
                 "yhat": r"\hat{y}", "loss": r"\mathcal{L}"}

_QUANTITY = {
    # kind: (value(ctx, node, layer), quantity tuple(ctx, layer))
    "z": (lambda c, n, l: c.g.z[_layer_in(c, n, l, range(1, c.net.L + 1), f"z^({l})")],
          lambda c, l: ("z", l)),
    "a": (lambda c, n, l: c.g.a[_layer_in(c, n, l, range(0, c.net.L + 1), f"a^({l})")],
          lambda c, l: ("yhat",) if l == c.net.L else ("a", l)),
    "delta": (lambda c, n, l: c.d.delta[_layer_in(c, n, l, range(1, c.net.L + 1), f"delta^({l})")],
              lambda c, l: ("delta", l)),
    "W": (lambda c, n, l: c.g.W[c.net.edge(_layer_in(c, n, l, c.net.param_labels(), f"W^({l})"))],
          lambda c, l: ("W", l)),
    "b": (lambda c, n, l: c.g.b[c.net.edge(_layer_in(c, n, l, c.net.param_labels(), f"b^({l})"))],
          lambda c, l: ("b", l)),
    "x": (lambda c, n, l: c.g.x, lambda c, l: ("a", 0)),
    "y": (lambda c, n, l: c.g.y, lambda c, l: ("y",)),
    "yhat": (lambda c, n, l: c.g.yhat, lambda c, l: ("yhat",)),
    "loss": (lambda c, n, l: sp.Matrix([[c.g.loss]]), lambda c, l: ("loss",)),
}


@dataclass
class _Quantity(_Node):
    """A network quantity: kind, layer (for z, a, W, b, δ) and optional component indices."""
    kind: str = ""
    layer: _LayerExpr | None = None
    idx: tuple | None = None
    level = ATOM

    def layer_value(self, ctx):
        return None if self.layer is None else self.layer.value(ctx)

    def full(self, ctx):
        return _QUANTITY[self.kind][0](ctx, self, self.layer_value(ctx))

    def index_kind(self):
        """What the whole quantity is, whatever the network's sizes: W a matrix, the loss a scalar, else a vector."""
        return "matrix" if self.kind == "W" else "scalar" if self.kind == "loss" else "col"

    def ev(self, ctx):
        M = self.full(ctx)
        return M if self.idx is None else _component(M, self.idx, ctx, self, self.index_kind())[0]

    def quantity(self, ctx):
        q = _QUANTITY[self.kind][1](ctx, self.layer_value(ctx))
        if self.idx is None:
            return q
        return q + (_component(self.full(ctx), self.idx, ctx, self, self.index_kind())[1],)

    def shape_kind(self):
        return "scalar" if self.idx is not None else self.index_kind()

    def tex(self):
        out = _QUANTITY_TEX[self.kind]
        if self.layer is not None:
            out += "^{(" + self.layer.tex() + ")}"
        if self.idx is not None:
            out += _idx_tex(_split_digits(self.idx) if self.index_kind() == "matrix" else self.idx)
        return out


@dataclass
class _Const(_Node):
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
class _Width(_Node):
    """d_{layer}: the width of a layer, as an integer."""
    layer: _LayerExpr | None = None

    def size(self, ctx):
        l = self.layer.value(ctx)
        _layer_in(ctx, self, l, range(0, ctx.net.L + 1), f"d_{l}")
        return ctx.net.sizes[l]

    def ev(self, ctx):
        return sp.Matrix([[sp.Integer(self.size(ctx))]])

    level = ATOM

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return "d_{" + self.layer.tex() + "}"


@dataclass
class _Var(_Node):
    """A real scalar variable (a single lowercase letter outside the reserved ones)."""
    name: str = ""
    level = ATOM

    def ev(self, ctx):
        return sp.Matrix([[sp.Symbol(self.name, real=True)]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return self.name


@dataclass
class _Kronecker(_Node):
    """δ_{ik} without a layer superscript."""
    idx: tuple = ()

    level = ATOM

    def ev(self, ctx):
        vals = [ix.literal if ix.name is None else ctx.env.get(ix.name, 1) for ix in self.idx]
        return sp.Matrix([[sp.KroneckerDelta(*vals)]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return r"\delta" + _idx_tex(self.idx)


def _dims(M):
    return f"{M.rows}x{M.cols}"


def _pairs(A, B, ctx, node, what, stretch=(True, True)):
    """Entry pairs (row-major) of A, B of equal shape, or with a 1x1 operand broadcast.

    ``stretch`` says which operand may be broadcast: a whole quantity that is 1x1 only by the network's
    sizes (ŷ with C = 1) is a vector, never a scalar.
    """
    if A.shape == B.shape:
        return list(zip(A, B))
    if A.shape == (1, 1) and stretch[0]:
        return [(A[0], e) for e in B]
    if B.shape == (1, 1) and stretch[1]:
        return [(e, B[0]) for e in A]
    raise ctx.error(f"dimension mismatch: {what} of {_dims(A)} and {_dims(B)}", node)


def _broadcast(A, B, fn, ctx, node, what, stretch=(True, True)):
    """Elementwise fn over A, B of equal shape, or with a 1x1 operand broadcast (see ``_pairs``)."""
    pairs = _pairs(A, B, ctx, node, what, stretch)
    shape = B.shape if A.shape == (1, 1) else A.shape
    return sp.Matrix(*shape, [fn(a, b) for a, b in pairs])


@dataclass
class _Sum(_Node):
    """± t1 ± t2 …: addition with scalar broadcasting."""
    terms: list = field(default_factory=list)      # (sign, node)

    def ev(self, ctx):
        out, scalar = None, True
        for sign, t in self.terms:
            v = t.ev(ctx)
            v = -v if sign < 0 else v
            if out is None:
                out, scalar = v, not _is_bare_array(t)
                continue
            out = _broadcast(out, v, lambda a, b: a + b, ctx, t, "a sum", (scalar, not _is_bare_array(t)))
            scalar = scalar and out.shape == (1, 1)
        return out

    level = SUM

    def shape_kind(self):
        return _combine(_kind(t) for _, t in self.terms)

    def tex(self):
        if len(self.terms) == 1:            # -X: a sum over k may follow the sign unparenthesized
            sign, t = self.terms[0]
            body = t.tex() if isinstance(_bare(t), _SumOver) else _at(t, PROD)
            return ("-" if sign < 0 else "") + body
        out = []
        for n, (sign, t) in enumerate(self.terms):
            op = ("-" if sign < 0 else "") if n == 0 else (" - " if sign < 0 else " + ")
            out.append(op + _at(t, PROD))
        return "".join(out)


@dataclass
class _Neg(_Node):
    arg: object = None
    level = SUM

    def ev(self, ctx):
        return -self.arg.ev(ctx)

    def shape_kind(self):
        return _kind(self.arg)

    def tex(self):
        return "-" + _at(self.arg, PROD)


@dataclass
class _Product(_Node):
    """Juxtaposition / \\cdot: matrix product in the written order (a 1x1 factor scales)."""
    factors: list = field(default_factory=list)

    def ev(self, ctx):
        out, scalar = self.factors[0].ev(ctx), not _is_bare_array(self.factors[0])
        for f in self.factors[1:]:
            v = f.ev(ctx)
            if out.shape == (1, 1) and scalar:
                out = v * out[0]
            elif v.shape == (1, 1) and not _is_bare_array(f):
                out = out * v[0]
            elif out.cols == v.rows:
                out = out * v
            else:
                raise ctx.error(f"dimension mismatch: matrix product {_dims(out)} times {_dims(v)}", f)
            scalar = scalar and out.shape == (1, 1)
        return out

    level = PROD

    def shape_kind(self):
        kind = _kind(self.factors[0])
        for f in self.factors[1:]:
            k = _kind(f)
            if kind is None or k is None:
                return None
            kind = k if kind == "scalar" else kind if k == "scalar" else _PRODUCT_KIND.get((kind, k))
        return kind

    def tex(self):
        texts = [_at(f, POST) for f in self.factors]
        out = texts[0]
        for prev, p, s in zip(self.factors, texts, texts[1:]):
            prev = _bare(prev)
            dot = (s[0].isdigit() or isinstance(prev, _Const) and s.startswith("\\frac")     # v2, 2\frac12
                   or s.startswith("\\left(") and (isinstance(prev, _Var) or p.endswith("{L}")))  # u(v), L(v)
            out += (" \\cdot " if dot else " ") + s
        return out


def _is_bare_array(node) -> bool:
    """A whole vector/matrix quantity (ŷ, W^{(l)}, …): 1x1 only by the network's sizes, never a scalar factor."""
    while isinstance(node, _Bracketed):
        node = node.inner
    return isinstance(node, _Quantity) and node.idx is None and node.kind != "loss"


@dataclass
class _Hadamard(_Node):
    """A ⊙ B: elementwise product of equal shapes (a 1x1 operand is broadcast)."""
    operands: list = field(default_factory=list)

    def ev(self, ctx):
        out = self.operands[0].ev(ctx)
        for f in self.operands[1:]:
            out = _broadcast(out, f.ev(ctx), lambda a, b: a * b, ctx, f, "⊙",
                             (out.shape != (1, 1) or not _is_bare_array(self.operands[0]), not _is_bare_array(f)))
        return out

    level = HAD

    def shape_kind(self):
        return _combine(_kind(o) for o in self.operands)

    def tex(self):
        return " \\odot ".join(_at(o, POST) for o in self.operands)


@dataclass
class _Outer(_Node):
    """u ⊗ v (\\otimes): the outer product u vᵀ of two column vectors."""
    left: object = None
    right: object = None

    def ev(self, ctx):
        u, v = self.left.ev(ctx), self.right.ev(ctx)
        for M, node in ((u, self.left), (v, self.right)):
            if M.cols != 1:
                raise ctx.error(f"\\otimes needs column vectors, got {_dims(M)}", node)
        return u * v.T

    level = OUTER

    def shape_kind(self):
        return "matrix"

    def tex(self):
        return _at(self.left, POST) + " \\otimes " + _at(self.right, POST)


@dataclass
class _Frac(_Node):
    """\\frac{A}{B} with a scalar B (divides every entry of A)."""
    num: object = None
    den: object = None

    def ev(self, ctx):
        A, B = self.num.ev(ctx), self.den.ev(ctx)
        if B.shape != (1, 1) or A.shape != (1, 1) and _is_bare_array(self.den):
            raise ctx.error(f"dimension mismatch: \\frac with a {_dims(B)} denominator", self.den)
        if B[0] == 0:
            raise ctx.error("division by zero", self.den)
        return A.applyfunc(lambda e: e / B[0])

    level = ATOM

    def shape_kind(self):
        return _kind(self.num)

    def tex(self):
        return r"\frac{" + self.num.tex() + "}{" + self.den.tex() + "}"


@dataclass
class _Power(_Node):
    """A scalar to an integer power (|exponent| <= MAX_EXPONENT)."""
    base: object = None
    exp: int = 1

    def ev(self, ctx):
        B = self.base.ev(ctx)
        if B.shape != (1, 1):
            raise ctx.error(f"power of a {_dims(B)} matrix (only scalars take powers)", self)
        b = B[0]
        if b.is_Rational and b != 0 and abs(self.exp) * (len(str(abs(b.p))) + len(str(b.q))) > MAX_NUMBER_DIGITS:
            raise ctx.error("the power is too large to evaluate", self)
        if b == 0 and self.exp < 0:
            raise ctx.error("division by zero", self)
        out = b ** self.exp
        if out.is_Pow and out.exp.is_Number and abs(out.exp) > MAX_EXPONENT:
            raise ctx.error(f"the combined exponent {out.exp} exceeds {MAX_EXPONENT} in size", self)
        return sp.Matrix([[out]])

    level = POST

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return _script_base(self.base) + "^{" + str(self.exp) + "}"


def _script_base(node) -> str:
    """A base for ^: a letter, an integer or an unscripted quantity (x, y, ŷ) as is, anything else in parentheses."""
    b = _bare(node)
    if (isinstance(b, _Var) or isinstance(b, _Const) and sp.Rational(b.value).q == 1
            or isinstance(b, _Quantity) and b.layer is None and b.idx is None):
        return b.tex()
    return _paren(b.tex())


@dataclass
class _Transpose(_Node):
    arg: object = None
    level = POST

    def ev(self, ctx):
        return self.arg.ev(ctx).T

    def shape_kind(self):
        return {"col": "row", "row": "col"}.get(_kind(self.arg), _kind(self.arg))

    def tex(self):
        return _script_base(self.arg) + r"^{\top}"


@dataclass
class _Pick(_Node):
    """(E)_i, [E]_{ij}: a component of a bracketed expression."""
    arg: object = None
    idx: tuple = ()
    level = POST

    def ev(self, ctx):
        return _component(self.arg.ev(ctx), self.idx, ctx, self, _kind(self.arg))[0]

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return _paren(self.arg.tex()) + _idx_tex(_split_digits(self.idx) if _kind(self.arg) == "matrix" else self.idx)


def _sigma(u):
    return 1 / (1 + sp.exp(-u))


_FUNCTION_TEX = {"varphi": r"\varphi", "phi": r"\varphi", "varphi'": r"\varphi'", "phi'": r"\varphi'",
                 "sigma": r"\sigma", "sigma'": r"\sigma'", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log",
                 "ln": r"\log"}

FUNCTIONS = {
    # name as written (with ' for the derivative) -> elementwise SymPy function
    "varphi": phi, "phi": phi, "varphi'": phi_prime, "phi'": phi_prime,
    "sigma": _sigma, "sigma'": lambda u: _sigma(u) * (1 - _sigma(u)),
    "tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "ln": sp.log,
}


def _build(ctx, node, make):
    """``make()``, a SymPy construction over the claim's values; SymPy refusing it is an error naming the node.

    SymPy cannot form a function of a partial expression (``\\log \\log u``, ``1\\{\\log u > 0\\}``: the inner log is
    undefined for u <= 0, a Piecewise without a default) and raises ValueError/NotImplementedError.
    """
    try:
        return make()
    except (ValueError, NotImplementedError) as e:
        raise ctx.error(f"SymPy cannot form this for every value (a function of something undefined somewhere, "
                        f"such as \\log of a value that may be <= 0): {type(e).__name__}", node) from None


def _real_log(u, ctx):
    """log u, undefined (nan) where u <= 0 unless u is positive by construction (ŷ of softmax, e^…).

    Without the guard SymPy would rewrite e^{log w} to w for any w, so a claim that is real nowhere
    could be proved.
    """
    positive = {s: sp.Dummy(positive=True) for s in ctx.g.yhat} if ctx.net.output in ("softmax", "sigmoid") else {}
    if u.xreplace(positive).is_positive:
        return sp.log(u)
    return sp.Piecewise((sp.log(u), u > 0))          # undefined (nan) elsewhere: outside the domain


@dataclass
class _Apply(_Node):
    """f(E) applied elementwise, optionally raised to a power (\\tanh^2)."""
    name: str = ""
    arg: object = None
    power: int = 1

    def ev(self, ctx):
        fn = FUNCTIONS[self.name]
        A = self.arg.ev(ctx)
        if self.name in ("log", "ln"):
            if any(u.is_number and not u.is_positive for u in A):
                raise ctx.error(f"\\{self.name} of a number that is not positive is not a real number", self)
            fn = lambda u: _real_log(u, ctx)  # noqa: E731
        if A.rows > 1 and A.cols > 1:
            raise ctx.error(f"\\{self.name.rstrip(chr(39))} of a {_dims(A)} matrix is ambiguous (elementwise or "
                            f"matrix function); apply it to a vector or a scalar", self)
        return A.applyfunc(lambda u: _build(ctx, self, lambda: fn(u) ** self.power))

    level = ATOM

    def shape_kind(self):
        return _kind(self.arg)

    def tex(self):
        power = "" if self.power == 1 else "^{%d}" % self.power
        return _FUNCTION_TEX[self.name] + power + _paren(self.arg.tex())


@dataclass
class _Max(_Node):
    args: list = field(default_factory=list)

    def ev(self, ctx):
        out = self.args[0].ev(ctx)
        for a in self.args[1:]:
            out = _broadcast(out, a.ev(ctx), lambda u, v: _build(ctx, self, lambda: sp.Max(u, v)), ctx, a, "\\max",
                             (not _is_bare_array(self.args[0]), not _is_bare_array(a)))
        return out

    level = ATOM

    def shape_kind(self):
        return _combine(_kind(a) for a in self.args)

    def tex(self):
        return r"\max" + _paren(", ".join(a.tex() for a in self.args))


@dataclass
class _Indicator(_Node):
    """1{lhs op rhs}, elementwise, as a 0/1 Piecewise."""
    lhs: object = None
    op: str = ""
    rhs: object = None

    def ev(self, ctx):
        fn = COND_OPS[self.op]

        return _broadcast(self.lhs.ev(ctx), self.rhs.ev(ctx), lambda a, b: _build(ctx, self, lambda: indicator(fn(a, b))),
                          ctx, self,
                          "an indicator", (not _is_bare_array(self.lhs), not _is_bare_array(self.rhs)))

    level = ATOM

    def shape_kind(self):
        return _combine((_kind(self.lhs), _kind(self.rhs)))

    def tex(self):
        return r"\mathbb{1}\{" + self.lhs.tex() + " " + _RELOP_TEX[self.op] + " " + self.rhs.tex() + r"\}"


@dataclass
class _SumOver(_Node):
    """\\sum_{k=lo}^{hi} body."""
    var: str = ""
    lo: int = 1
    hi: object = None
    body: object = None

    def ev(self, ctx):
        hi = self.hi.size(ctx) if isinstance(self.hi, _Width_types) else int(self.hi.value)
        if hi < self.lo:
            raise ctx.error(f"empty sum ({self.var} from {self.lo} to {hi})", self)
        terms, saved = [], ctx.env.get(self.var)
        ctx.bound.add(self.var)
        try:
            for v in range(self.lo, hi + 1):
                ctx.sum_terms += 1
                if ctx.sum_terms > MAX_SUM_TERMS:
                    raise ctx.error(f"the sums have more than {MAX_SUM_TERMS} terms", self)
                ctx.env[self.var] = v
                terms.append(self.body.ev(ctx))
        finally:
            ctx.bound.discard(self.var)
            ctx.env.pop(self.var, None)
            if saved is not None:
                ctx.env[self.var] = saved
        # shapes never depend on index values, so every term has the first term's shape
        return sp.Matrix(*terms[0].shape, lambda i, j: sp.Add(*[t[i, j] for t in terms]))

    level = SUM       # its body extends to the end of the product: parenthesized inside anything larger

    def shape_kind(self):
        return _kind(self.body)

    def tex(self):
        b = _bare(self.body)
        body = b.tex() if isinstance(b, (_SumOver, _Neg)) else _at(b, PROD)
        return r"\sum_{%s=%d}^{%s} " % (self.var, self.lo, _dim_tex(self.hi)) + body


def _dim_tex(d) -> str:
    return d.tex() if isinstance(d, _Width_types) else str(int(d.value))


# derivatives ---------------------------------------------------------------------------------


def _loss_gradient(ctx, B):
    """(full gradient shaped like B's quantity, quantity tuple) of ∂L/∂B, or None."""
    L, l = ctx.net.L, B.layer_value(ctx)
    kind = "yhat" if B.kind == "a" and l == L else B.kind
    d = ctx.d
    table = {
        "z": lambda: (d.delta[_layer_in(ctx, B, l, range(1, L + 1), f"z^({l})")], ("delta", l)),
        "W": lambda: (d.grad_W_label(_layer_in(ctx, B, l, ctx.net.param_labels(), f"W^({l})")), ("grad_W", l)),
        "b": lambda: (d.grad_b_label(_layer_in(ctx, B, l, ctx.net.param_labels(), f"b^({l})")), ("grad_b", l)),
        "yhat": lambda: (d.dL_dyhat, ("dL_dyhat",)),
        "a": lambda: (d.dL_da[l], ("dL_da", l)) if l in d.dL_da else None,
    }
    return table[kind]() if kind in table else None


def _direct_definition(ctx, A, B):
    """The one-step definition of A's quantity if B is one of its direct inputs, else None."""
    g, L = ctx.g, ctx.net.L
    la, lb = A.layer_value(ctx), B.layer_value(ctx)
    a_kind = "yhat" if A.kind == "a" and la == L else A.kind
    b_kind = "yhat" if B.kind == "a" and lb == L else ("a" if B.kind == "x" else B.kind)
    lb = 0 if B.kind == "x" else lb
    if a_kind == "yhat" and b_kind == "z" and lb == L:
        return ctx.d.dyhat_dz, "jacobian"
    if a_kind == "z" and la in g.z_def:
        inputs = {"W": la - 1, "b": la - 1}
        if b_kind in inputs and ctx.net.edge(lb) == inputs[b_kind]:
            return g.z_def[la], "diff"
        if b_kind == "a" and lb == la - 1:
            return g.z_def[la], "diff"
    if a_kind == "a" and la in g.a_def and b_kind == "z" and lb == la:
        return g.a_def[la], "diff"
    return None


@dataclass
class _Derivative(_Node):
    """∂A/∂B or ∇_B A between network quantities."""
    num: _Quantity = None
    den: _Quantity = None
    nabla: bool = False
    level = ATOM

    def shape_kind(self):
        if self.num.kind == "loss":
            return self.den.shape_kind()
        if self.num.idx is not None:
            return self.den.shape_kind()
        return "col" if self.den.idx is not None else "matrix"

    def tex(self):
        if self.nabla:
            return r"\nabla_{" + self.den.tex() + "} " + self.num.tex()
        return r"\frac{\partial " + self.num.tex() + r"}{\partial " + self.den.tex() + "}"

    def _unsupported(self, ctx):
        return ctx.error(f"unsupported derivative of {self.num.token} with respect to {self.den.token}", self)

    def ev(self, ctx):
        return self.value(ctx)[0]

    def quantity(self, ctx):
        return self.value(ctx)[1]

    def value(self, ctx):
        """(Matrix, quantity tuple or None)."""
        A, B = self.num, self.den
        B.full(ctx)   # existence check of B with its own error
        if A.kind == "loss":
            return self._of_loss(ctx, B)
        A.full(ctx)
        return self._of_node(ctx, A, B)

    def _of_loss(self, ctx, B):
        got = _loss_gradient(ctx, B) if B.kind in ("z", "W", "b", "yhat", "a") else None
        if got is None:
            raise self._unsupported(ctx)
        G, q = got
        if B.idx is None:
            return G, q
        M, comp = _component(G, B.idx, ctx, B, B.index_kind())
        return M, q + (comp,)

    def _of_node(self, ctx, A, B):
        found = _direct_definition(ctx, A, B)
        if found is None:
            raise self._unsupported(ctx)
        defn, how = found
        Afull, Bfull = A.full(ctx), B.full(ctx)
        if how == "jacobian":
            entry = lambda r, f: defn[r, f]
        else:
            entry = lambda r, f: sp.diff(defn[r], Bfull[f])
        flat = lambda comp: comp[0] * Bfull.cols + comp[1] if len(comp) == 2 else comp[0]
        r = _component(Afull, A.idx, ctx, A, A.index_kind())[1][0] if A.idx is not None else None
        f = flat(_component(Bfull, B.idx, ctx, B, B.index_kind())[1]) if B.idx is not None else None
        if r is not None and f is not None:
            return sp.Matrix([[entry(r, f)]]), None
        if r is not None:
            return sp.Matrix(Bfull.rows, Bfull.cols, lambda i, j: entry(r, i * Bfull.cols + j)), None
        if f is not None:
            return sp.Matrix(len(Afull), 1, lambda i, _: entry(i, f)), None
        if Bfull.cols != 1:
            raise self._unsupported(ctx)
        return sp.Matrix(len(Afull), len(Bfull), lambda i, j: entry(i, j)), None


# ----------------------------------------------------------------------------------------------
# parser


_FUNC_CMDS = frozenset({"varphi", "phi", "sigma", "tanh", "exp", "log", "ln"})
_FACTOR_CMDS = _FUNC_CMDS | {"frac", "hat", "mathcal", "delta", "max", "mathbb", "mathbf", "sum", "nabla"}
_KNOWN_CMDS = _FACTOR_CMDS | {"odot", "circ", "otimes", "cdot", "partial", "times", "top"} | set(CMD_RELOPS)
_BRACKETS = {"(": ")", "[": "]", "{": "}", "\\left(": "\\right)", "\\left[": "\\right]"}
_PARENS = ("(", "\\left(")                 # what may open a function's argument
_END = "end of input"


def _scripts_of(node):
    """(superscript, subscript) already attached to the atom ``node`` by its own syntax (z^{(l)}_i, e^{u}, d_l)."""
    if isinstance(node, _Quantity):
        return node.layer is not None, node.idx is not None
    if isinstance(node, (_Kronecker, _Width)):
        return False, True
    if isinstance(node, _Apply) and node.token.startswith("e^"):
        return True, False
    return False, False


class _Parser:
    """Recursive descent over tokens: relation > sum > ⊙ > product > factor > primary.

    TeX's rules for what one argument is are enforced in two helpers: :meth:`script_group` (after ``^`` and
    ``_``: a braced group or exactly one token) and :meth:`command_arg` / :meth:`frac_arg` (the arguments of
    ``\\hat``, ``\\mathcal``, ``\\mathbb``, ``\\mathbf``, ``\\frac``); one superscript and one subscript per atom
    in :meth:`factor`. Braces, ``\\left``/``\\right`` and spacing are checked by the lexer.
    """

    def __init__(self, text: str):
        self.src = text
        self.toks = tokenize(text)
        self.i = 0
        self.stop = None           # index of a token the parse may not reach (one-token arguments)
        self.index_names = {}      # letter -> first position used as an index
        self.var_names = {}        # letter -> first position used as a scalar variable
        self.bound_names = {}      # letter -> position of a \sum binding it
        self.active = []           # indices bound by the enclosing sums
        self.layer_used = False

    # token helpers
    def _token_at(self, j) -> Token:
        if self.stop is not None and j >= self.stop:
            t = self.toks[self.stop]
            return Token("end", "", t.pos, t.pos)
        return self.toks[min(j, len(self.toks) - 1)]

    @property
    def tok(self) -> Token:
        return self._token_at(self.i)

    def peek(self, k=1) -> Token:
        return self._token_at(self.i + k)

    def next(self) -> Token:
        t = self.tok
        if t.kind != "end":
            self.i += 1
        return t

    def at(self, kind, value=None, tok=None) -> bool:
        t = tok or self.tok
        return t.kind == kind and (value is None or t.value == value)

    def error(self, message, tok=None, token=None):
        t = tok or self.tok
        shown = token if token is not None else (("\\" + t.value) if t.kind == "cmd" else t.value or _END)
        return NotationError(message, token=shown, position=t.pos, text=self.src)

    def unexpected(self, message):
        """``message``, unless the token is a command outside the vocabulary (then: unknown command)."""
        t = self.tok
        if t.kind == "cmd" and t.value not in _KNOWN_CMDS:
            return self.error(f"unknown command \\{t.value}")
        return self.error(message)

    def expect(self, kind, value, what=None):
        if not self.at(kind, value):
            raise self.error(f"expected {what or value}")
        return self.next()

    def span(self, start: Token) -> str:
        end = self.toks[self.i - 1].end if self.i > 0 else start.end
        return self.src[start.pos:max(end, start.end)]

    def one_token(self, parse):
        """``parse()`` confined to the current token (TeX's unbraced argument), which it must consume."""
        saved, self.stop = self.stop, self.i + 1
        try:
            node = parse()
        finally:
            self.stop = saved
        return node

    # TeX's argument rules
    def script_group(self, caret: Token, what: str) -> bool:
        """After ``^``/``_`` (``caret``, consumed): True, with ``{`` consumed, when a braced group follows; False
        when the next token is one TeX takes whole as the script (a letter, one digit, ``\\top``). Anything
        else is an error naming it, because TeX would print only that token in the script."""
        c, t = caret.value, self.tok
        if self.at("sym", "{"):
            self.next()
            return True
        if t.kind == "letter" or t.kind == "num" and len(t.value) == 1 or self.at("cmd", "top"):
            return False
        if t.kind == "num":
            raise self.error(f"write a multi-character {what} in braces (TeX reads {c}{t.value} as "
                             f"{c}{t.value[0]} followed by {t.value[1:]})", tok=t)
        if t.kind == "end":
            raise self.error(f"{c} needs a {what}")
        shown = ("\\" + t.value) if t.kind == "cmd" else t.value
        raise self.error(f"after an unbraced {c} TeX takes only the next token, {shown}, as the {what} (the rest "
                         f"prints after it): write {c}{{…}}", tok=t)

    def command_arg(self, kind, value) -> bool:
        """The argument of ``\\hat``/``\\mathcal``/``\\mathbb``/``\\mathbf`` (consumed): True (and consumed) when it
        is exactly the token ``value``, braced (``\\hat{y}``) or as TeX's single-token argument (``\\hat y``)."""
        if self.at("sym", "{") and self.at(kind, value, self.peek()) and self.at("sym", "}", self.peek(2)):
            self.i += 3
            return True
        if self.at(kind, value):
            self.next()
            return True
        return False

    def frac_arg(self, cmd: Token):
        """One argument of ``\\frac``: a braced group, or one letter or digit (TeX reads ``\\frac12`` as ½)."""
        if self.at("sym", "{"):
            self.next()
            inner = self.expr()
            self.expect("sym", "}", "} closing the argument of \\frac")
            return inner
        t = self.tok
        if t.kind == "letter" or t.kind == "num" and len(t.value) == 1:
            return self.one_token(self.primary)
        if t.kind == "num":
            raise self.error(f"TeX takes one digit, {t.value[0]}, as an argument of \\frac and prints the rest after "
                             f"the fraction: write the arguments in braces", tok=t)
        raise self.error("\\frac needs braced arguments (or single letters or digits, as in \\frac12)", tok=t)

    # relations
    def relation(self):
        """[(side_node, latex)], [ops], shape-node or None."""
        sides, ops, shape = [self.side()], [], None
        while not self.at("end"):
            op = self.relop()
            if op is None:
                raise self.unexpected("unexpected token after a complete expression")
            self.next()
            if op == "in":
                shape = self.shape()
                ops.append("in")
                sides.append((None, self.span(shape[2]), None))
                break
            ops.append(op)
            sides.append(self.side())
        if not self.at("end"):
            raise self.error("nothing may follow a shape \\mathbb{R}^{…}")
        if "in" in ops and len(ops) > 1:
            raise self.error("\\in must be the only relation of a claim", tok=self.toks[0])
        return sides, ops, shape

    def relop(self):
        """The relation written at the current token ('=', '!=', '<=', …, 'in') or None."""
        return {"sym": SYM_RELOPS, "cmd": CMD_RELOPS}.get(self.tok.kind, {}).get(self.tok.value)

    def side(self):
        start = self.tok
        if self.at("end") or self.relop():
            raise self.error("missing expression")
        node = self.expr()
        return node, self.span(start), start

    # expressions
    def expr(self):
        start, terms = self.tok, []
        sign = 1
        if self.at("sym", "+") or self.at("sym", "-"):
            sign = -1 if self.next().value == "-" else 1
        terms.append((sign, self.hadamard()))
        while self.at("sym", "+") or self.at("sym", "-"):
            sign = -1 if self.next().value == "-" else 1
            terms.append((sign, self.hadamard()))
        if len(terms) == 1 and terms[0][0] == 1:
            return terms[0][1]
        return _Sum(start.pos, self.span(start), terms)

    def hadamard(self):
        start, ops = self.tok, [self.outer()]
        while self.at("cmd", "odot") or self.at("cmd", "circ"):
            self.next()
            ops.append(self.outer())
        return ops[0] if len(ops) == 1 else _Hadamard(start.pos, self.span(start), ops)

    def outer(self):
        """product (⊗ product)?: one outer product of two column vectors (not chained)."""
        start, left = self.tok, self.product()
        if not self.at("cmd", "otimes"):
            return left
        self.next()
        right = self.product()
        node = _Outer(start.pos, self.span(start), left, right)
        if self.at("cmd", "otimes"):
            raise self.error("a chain of \\otimes is ambiguous: use parentheses")
        return node

    def starts_factor(self) -> bool:
        t = self.tok
        return (t.kind in ("letter", "num") or t.kind == "sym" and t.value in _BRACKETS
                or t.kind == "cmd" and t.value in _FACTOR_CMDS)

    def product(self):
        start = self.tok
        if not self.starts_factor():
            raise self.unexpected("expected an expression")
        factors = [self.factor()]
        while self.starts_factor() or self.at("cmd", "cdot"):
            last, dotted = factors[-1], self.at("cmd", "cdot")
            if dotted:
                self.next()
                if not self.starts_factor():
                    raise self.error("expected a factor after \\cdot")
            elif isinstance(last, _Const) and last.literal and self.at("num"):
                raise self.error("two numbers side by side (write \\cdot)")
            elif isinstance(last, _Const) and self.at("num"):
                raise self.error("a number right after a fraction (\\frac{1}{2}3 prints as ½3, like a mixed number): "
                                 "write \\cdot")
            elif self.at("num") and not isinstance(last, _Const):
                raise self.error("a number after a letter or quantity (v2) reads like v_2: write the number first "
                                 "or use \\cdot")
            factors.append(self.factor())
            if (not dotted and isinstance(factors[-2], _Const) and factors[-2].literal
                    and isinstance(factors[-1], _Const) and not factors[-1].literal):
                raise self.error("a number before a numeric fraction reads as a mixed number (2\\frac{1}{2}): "
                                 "write \\cdot", tok=start, token=self.span(start))
        return factors[0] if len(factors) == 1 else _Product(start.pos, self.span(start), factors)

    def signed_product(self):
        """A sum body: an optional sign and one product."""
        start = self.tok
        if self.at("sym", "-"):
            self.next()
            return _Neg(start.pos, "-", self.product())
        if self.at("sym", "+"):
            self.next()
        return self.product()

    def factor(self):
        """A primary and its scripts: TeX allows one superscript and one subscript per atom."""
        start = self.tok
        node = self.primary()
        sup, sub = _scripts_of(node)
        while self.at("sym", "^") or self.at("sym", "_"):
            c = self.tok
            if c.value == "^" and sup:
                raise self.error("double superscript (TeX rejects x^{a}^{b}): use parentheses, as in (W^{(l)})^T "
                                 "or {W^{(l)}}^T")
            if c.value == "_" and sub:
                raise self.error("double subscript (TeX rejects x_{a}_{b}): use parentheses")
            node = self.postfix(node, start, sub)
            sup, sub = sup or c.value == "^", sub or c.value == "_"
        return node

    def postfix(self, node, start, after_sub):
        caret = self.tok
        if self.at("sym", "_"):
            if not isinstance(node, _Bracketed):
                raise self.error("a subscript here is not an index of a bracketed expression")
            self.next()
            idx = self.index_list(caret)
            return _Pick(start.pos, self.span(start), node.inner, idx)
        self.next()
        if self.transpose_follows(caret):
            if after_sub:
                raise self.error("a transpose after a subscript prints as (E)^T_{ij} (entry of the transpose?): "
                                 "write ((E)_{ij})^T or ((E)^T)_{ij}", tok=caret)
            return _Transpose(start.pos, self.span(start), _unwrap(node))
        exp = self.exponent(caret)
        return _Power(start.pos, self.span(start), _unwrap(node), exp)

    def transpose_follows(self, caret) -> bool:
        """Consume T / \\top / {T} / {\\top} after the ^ ``caret`` if present."""
        if self._is_T(self.tok):
            self.next()
            return True
        if self.at("sym", "{") and self._is_T(self.peek()) and self.at("sym", "}", self.peek(2)):
            self.i += 3
            return True
        return False

    @staticmethod
    def _is_T(t):
        return t.kind == "letter" and t.value == "T" or t.kind == "cmd" and t.value == "top"

    def exponent(self, caret) -> int:
        """An integer exponent after the ^ ``caret`` (optionally signed, braced); nested or symbolic exponents
        are errors."""
        start = self.tok
        if not self.script_group(caret, "exponent"):
            if not self.at("num"):
                raise self.error("an exponent must be an integer (or T for a transpose)")
            return self._exp_value(self.next())
        sign = 1
        if self.at("sym", "-") or self.at("sym", "+"):
            sign = -1 if self.next().value == "-" else 1
        if not self.at("num"):
            raise self.error("an exponent must be an integer (or T for a transpose)")
        value = sign * self._exp_value(self.next())
        if self.at("sym", "^"):
            raise self.error("nested exponents are not evaluated")
        self.expect("sym", "}", "} closing the exponent")
        if abs(value) > MAX_EXPONENT:
            raise self.error(f"exponent {value} exceeds {MAX_EXPONENT} in size", tok=start)
        return value

    def _exp_value(self, t) -> int:
        if "." in t.value:
            raise self.error("an exponent must be an integer", tok=t)
        v = int(t.value)
        if v > MAX_EXPONENT:
            raise self.error(f"exponent {v} exceeds {MAX_EXPONENT}", tok=t)
        if self.at("sym", "^"):
            raise self.error("nested exponents are not evaluated")
        return v

    # primaries
    def primary(self):
        t = self.tok
        handlers = {"num": self.number, "letter": self.letter}
        if t.kind in handlers:
            return handlers[t.kind]()
        if t.kind == "sym" and t.value in _BRACKETS:      # {…} groups like (…): {a^{(l)}}^T
            return self.bracketed()
        if t.kind == "cmd":
            method = getattr(self, "cmd_" + t.value, None) if t.value in _FACTOR_CMDS else None
            if method is not None:
                return method()
        raise self.unexpected("unexpected token")

    def number(self):
        t = self.next()
        return _Const(t.pos, t.value, numeric_literal(t.value), True)

    def bracketed(self):
        open_ = self.next()
        close = _BRACKETS[open_.value]
        inner = self.expr()
        self.expect("sym", close, f"{close} closing the {open_.value} at position {open_.pos}")
        if open_.value == "{" and not isinstance(inner, (_Quantity, _Apply, _Bracketed)):
            # {u + v}^2 prints as u + v^2: braces may only wrap one quantity, as in {a^{(l)}}^T
            raise self.error("braces are invisible in print: {…} may wrap only one quantity; use (…) to group",
                             tok=open_, token=self.span(open_))
        return _Bracketed(open_.pos, self.span(open_), inner)

    def letter(self):
        t = self.tok
        c = t.value
        table = {"z": "z", "a": "a", "W": "W", "b": "b"}
        if c in table:
            return self.quantity(table[c])
        if c in ("x", "y"):
            return self.quantity(c, layered=False)
        special = {"L": self.letter_L, "C": self.letter_C, "d": self.letter_d, "e": self.letter_e,
                   "l": self.letter_l}
        if c in special:
            return special[c]()
        if c.isupper() or c in RESERVED_LETTERS:
            raise self.error(f"unknown quantity {c}")
        return self.variable()

    def variable(self):
        t = self.next()
        if self.tok.kind == "sym" and self.tok.value in _PARENS:
            raise self.error(f"{t.value}(…) could be a function call or a product: write {t.value} \\cdot (…) "
                             f"for a product", tok=t, token=t.value)
        if self.at("sym", "^") and self.at("sym", "{", self.peek()) and self.at("sym", "(", self.peek(2)):
            raise self.error(f"{t.value}^{{(…)}}: unknown quantity {t.value}", tok=t, token=t.value)
        if self.at("sym", "_"):
            raise self.error(f"unknown quantity {t.value} (a scalar variable takes no subscript)", tok=t,
                             token=t.value)
        self.var_names.setdefault(t.value, t.pos)
        return _Var(t.pos, t.value, t.value)

    def letter_L(self):
        raise self.error("bare L is ambiguous here: write \\mathcal{L} for the loss (L is the layer count "
                         "only inside a layer superscript or d_{…})")

    def letter_C(self):
        t = self.next()
        return _CWidth(t.pos, "C")

    def letter_d(self):
        t = self.next()
        if not self.at("sym", "_"):
            raise self.error("d is a layer width and needs a subscript d_l", tok=t, token="d")
        caret = self.next()
        layer = self.layer_expr(closing="}" if self.script_group(caret, "subscript") else None)
        return _Width(t.pos, self.span(t), layer)

    def letter_e(self):
        t = self.next()
        if not self.at("sym", "^"):
            raise self.error("e is read only as e^{…} (the exponential)", tok=t, token="e")
        if self.at("sym", "{", self.peek()) and self.at("sym", "(", self.peek(2)):
            raise self.error("e^{(…)} looks like a layer superscript: e is the exponential; write e^{…} without "
                             "the parentheses", tok=t, token="e")
        caret = self.next()
        if self.script_group(caret, "exponent"):
            arg = self.expr()
            self.expect("sym", "}")
        elif self.at("letter", "e") and self.at("sym", "^", self.peek()):
            raise self.error("double superscript (TeX rejects e^e^u): write e^{e^{u}}", tok=self.peek())
        else:
            arg = self.one_token(self.primary)
        if self.at("sym", "_"):
            raise self.error("TeX puts this subscript on e, not in the exponent (e^u_1 prints as e with u above and 1 "
                             "below): write the index inside e^{…}")
        return _Apply(t.pos, self.span(t), "exp", arg)

    def letter_l(self):
        raise self.error("the layer symbol l is used only in layer superscripts and d_l")

    # quantities
    def quantity(self, kind, layered=True):
        t = self.next()
        return self.scripts(t, kind, layered)

    def scripts(self, t, kind, layered):
        """Layer superscript and index subscript (either order) of a quantity token ``t``."""
        layer = idx = None
        while True:
            if self.at("sym", "_") and idx is None:
                idx = self.index_list(self.next())
            elif (self.at("sym", "^") and layer is None and self.at("sym", "{", self.peek())
                  and self.at("sym", "(", self.peek(2))):
                if not layered:
                    raise self.error(f"{t.value if t.kind == 'letter' else kind} takes no layer superscript")
                self.i += 3
                layer = self.layer_expr(closing=")")
                self.expect("sym", "}", "} after the layer")
            elif layered and layer is None and self.at("sym", "^") and self.at("sym", "(", self.peek()):
                raise self.error("TeX prints ^(…) as ^( followed by the rest: write the layer as ^{(…)}",
                                 tok=self.peek())
            else:
                break
        if layered and layer is None:
            raise self.error(f"{self.span(t)} needs a layer superscript ^{{(l)}}", tok=t, token=self.span(t))
        return _Quantity(t.pos, self.span(t), kind, layer, idx)

    def layer_expr(self, closing=None):
        """c, L, l and ± of them, up to ``closing`` (consumed), or one token when ``closing`` is None."""
        start = self.tok
        node = _LayerExpr(start.pos, "")
        sign, any_ = 1, False
        while True:
            t = self.tok
            if closing is None and any_:
                break
            if t.kind == "num" and "." not in t.value:
                node.const += sign * int(t.value)
            elif t.kind == "letter" and t.value == "L":
                node.coef_L += sign
            elif t.kind == "letter" and t.value == "l":
                node.coef_l += sign
                self.layer_used = True
            else:
                raise self.error("a layer must be an integer, L, l, or a sum/difference of them")
            self.next()
            any_ = True
            if closing is None:
                break
            if self.at("sym", closing):
                self.next()
                break
            if not (self.at("sym", "+") or self.at("sym", "-")):
                raise self.error(f"expected + - or {closing} in a layer")
            sign = -1 if self.next().value == "-" else 1
        if node.coef_l not in (0, 1) or node.coef_L not in (0, 1):
            raise self.error("a layer may use L and l at most once each, with a + sign", tok=start)
        node.token = self.span(start)
        return node

    def index_list(self, caret):
        """Indices after the _ ``caret`` (consumed): a letter, a number, or a braced list (i j, i,j, 12)."""
        if not self.script_group(caret, "subscript"):
            return (self.index_item(),)
        items = []
        while not self.at("sym", "}"):
            if items and self.at("sym", ","):
                self.next()
            items.append(self.index_item())
            if self.at("end"):
                raise self.error("expected } closing the subscript")
        self.next()
        if not items:
            raise self.error("empty subscript")
        return tuple(items)

    def index_item(self):
        t = self.tok
        if t.kind == "num" and "." not in t.value:
            self.next()
            if int(t.value) == 0:
                raise self.error("indices are 1-based: 0 is not an index", tok=t)
            return _Index(t.pos, t.value, literal=int(t.value))
        if t.kind == "letter" and t.value.islower() and t.value not in INDEX_LETTERS_EXCLUDED:
            self.next()
            if t.value not in self.active:
                self.index_names.setdefault(t.value, t.pos)
            return _Index(t.pos, t.value, name=t.value)
        raise self.error("an index must be a single lowercase letter (not l, x, y, z, a, b, d, e) or a positive integer")

    # commands
    def cmd_hat(self):
        t = self.next()
        if not self.command_arg("letter", "y"):
            raise self.error("only \\hat{y} is known", tok=t, token="\\hat")
        return self.scripts(t, "yhat", False)

    def cmd_mathcal(self):
        t = self.next()
        if not self.command_arg("letter", "L"):
            raise self.error("only \\mathcal{L} (the loss) is known", tok=t, token="\\mathcal")
        if self.at("sym", "_") or self.at("sym", "^") and self.at("sym", "{", self.peek()) \
                and self.at("sym", "(", self.peek(2)):
            raise self.error("the loss \\mathcal{L} takes no index or layer")
        if self.tok.kind == "sym" and self.tok.value in _PARENS:
            raise self.error("\\mathcal{L}(…) is not in the vocabulary: the loss is \\mathcal{L} alone")
        return _Quantity(t.pos, self.span(t), "loss")

    def cmd_delta(self):
        t = self.tok
        if self.at("sym", "_", self.peek()) and not self._layer_after_sub():
            self.next()
            idx = _split_digits(self.index_list(self.next()))
            if len(idx) != 2:
                raise self.error("the Kronecker delta \\delta_{ik} takes two indices", tok=t, token=self.span(t))
            return _Kronecker(t.pos, self.span(t), idx)
        return self.quantity("delta")

    def _layer_after_sub(self) -> bool:
        """Whether \\delta_{…} is followed by a layer superscript ^{(…)} (then it is δ^{(l)})."""
        j = self.i + 2
        if self.toks[j].kind == "sym" and self.toks[j].value == "{":
            depth = 0
            while j < len(self.toks) - 1:
                v = self.toks[j]
                depth += (v.kind == "sym" and v.value == "{") - (v.kind == "sym" and v.value == "}")
                j += 1
                if depth == 0:
                    break
        else:
            j += 1
        tk = self.toks
        return (j + 2 < len(tk) and tk[j].value == "^" and tk[j + 1].value == "{" and tk[j + 2].value == "(")

    def function(self):
        t = self.next()
        name = t.value
        if self.at("sym", "'"):
            if name not in ("varphi", "phi", "sigma"):
                raise self.error(f"\\{name}' is not known")
            self.next()
            name += "'"
            if self.at("sym", "'"):
                raise self.error("second derivatives are not in the vocabulary")
        power = 1
        if self.at("sym", "^"):
            caret = self.next()
            pt = self.tok
            power = self.exponent(caret)
            if power < 1:
                raise self.error(f"\\{name}^{{{power}}} could mean the inverse function or a reciprocal: "
                                 f"write 1/… with \\frac", tok=pt)
        if self.at("sym", "_"):
            raise self.error(f"\\{t.value} takes no subscript")
        if self.tok.kind == "sym" and self.tok.value in _PARENS:
            arg = _unwrap(self.bracketed())
        elif self.starts_factor():
            arg = self.factor()
            if self.starts_factor():
                raise self.error(f"\\{name} without parentheses is ambiguous here (\\{name} 2u): "
                                 f"write \\{name}(…)")
        else:
            raise self.error(f"\\{name} needs an argument")
        return _Apply(t.pos, self.span(t), name, arg, power)

    cmd_varphi = cmd_phi = cmd_sigma = cmd_tanh = cmd_exp = cmd_log = cmd_ln = function

    def cmd_max(self):
        t = self.next()
        if not (self.tok.kind == "sym" and self.tok.value in _PARENS):
            raise self.error("expected ( after \\max")
        close = _BRACKETS[self.next().value]
        args = [self.expr()]
        while self.at("sym", ","):
            self.next()
            args.append(self.expr())
        self.expect("sym", close, f"{close} closing \\max")
        if len(args) < 2:
            raise self.error("\\max needs at least two arguments", tok=t, token="\\max")
        return _Max(t.pos, self.span(t), args)

    def cmd_frac(self):
        t = self.next()
        if self.at("sym", "{") and self.at("cmd", "partial", self.peek()):
            return self.partial_fraction(t)
        d = self.tok
        if d.kind == "num" and len(d.value) == 2 and d.value.isdigit():       # \frac12: TeX's two one-digit args
            self.next()
            if d.value[1] == "0":
                raise self.error("division by zero", tok=t, token=self.span(t))
            return _Const(t.pos, self.span(t), numeric_literal(d.value[0], d.value[1]), False)
        num, den = _bare(self.frac_arg(t)), _bare(self.frac_arg(t))
        if all(isinstance(n, _Const) and n.literal for n in (num, den)):
            if den.value == 0:
                raise self.error("division by zero", tok=t, token=self.span(t))
            return _Const(t.pos, self.span(t), numeric_literal(num.token, den.token), False)
        return _Frac(t.pos, self.span(t), num, den)

    def partial_fraction(self, t):
        self.next()
        self.next()
        num = self.diff_quantity(loss_ok=True)
        self.expect("sym", "}", "} closing the numerator of the derivative")
        self.expect("sym", "{", "{\\partial …} as the denominator")
        self.expect("cmd", "partial", "\\partial in the denominator")
        den = self.diff_quantity(loss_ok=False)
        self.expect("sym", "}", "} closing the denominator of the derivative")
        return _Derivative(t.pos, self.span(t), num, den)

    def diff_quantity(self, loss_ok):
        """A network quantity after ∂ (or under ∇); bare L is the loss when ``loss_ok``."""
        t = self.tok
        if loss_ok and self.at("letter", "L") and not self.at("sym", "_", self.peek()):
            self.next()
            return _Quantity(t.pos, "L", "loss")
        node = self.primary()
        if not isinstance(node, _Quantity) or node.kind == "loss" and not loss_ok:
            raise self.error("unsupported derivative: ∂ must be followed by a network quantity", tok=t,
                             token=self.src[t.pos:self.toks[self.i - 1].end])
        return node

    def cmd_nabla(self):
        t = self.next()
        self.expect("sym", "_", "_{…} after \\nabla")
        self.expect("sym", "{", "{…} after \\nabla_")
        den = self.diff_quantity(loss_ok=False)
        self.expect("sym", "}", "} closing the subscript of \\nabla")
        num = self.diff_quantity(loss_ok=True)
        if num.kind != "loss":
            raise self.error("\\nabla_{…} is read only for the loss (\\nabla_{W}\\mathcal{L}); write a Jacobian as "
                             "\\frac{\\partial …}{\\partial …}", tok=t, token=self.span(t))
        if self.at("sym", "^"):
            raise self.error("a power or transpose after \\nabla_{…}\\mathcal{L} is ambiguous: use parentheses")
        return _Derivative(t.pos, self.span(t), num, den, nabla=True)

    def cmd_sum(self):
        t = self.next()
        self.expect("sym", "_", "bounds after \\sum: write \\sum_{k=1}^{C} (the range is never guessed)")
        self.expect("sym", "{", "bounds after \\sum_: write \\sum_{k=1}^{C} (the range is never guessed)")
        v = self.tok
        if not (v.kind == "letter" and v.value.islower() and v.value not in INDEX_LETTERS_EXCLUDED):
            raise self.error("a sum index must be a single lowercase letter (not l, x, y, z, a, b, d, e)")
        self.next()
        if v.value in self.active:
            raise self.error(f"index {v.value} is already bound by an enclosing sum", tok=v, token=v.value)
        self.expect("sym", "=", "= in the sum's lower bound")
        lo = self.tok
        if not (lo.kind == "num" and "." not in lo.value and int(lo.value) >= 1):
            raise self.error("the lower bound of a sum must be a positive integer")
        self.next()
        self.expect("sym", "}", "} after the lower bound")
        caret = self.expect("sym", "^", "^{upper bound} of the sum")
        hi = self.size_script(caret)
        self.bound_names.setdefault(v.value, v.pos)
        self.active.append(v.value)
        body = self.signed_product()
        self.active.pop()
        return _SumOver(t.pos, self.span(t), v.value, int(lo.value), hi, body)

    def size_script(self, caret):
        """A size after the ^ ``caret``: ^3, ^C or ^{…} with one size inside."""
        if not self.script_group(caret, "size"):
            return self.dimension(grouped=False)
        node = self.dimension(grouped=True)
        self.expect("sym", "}", "} closing the size")
        return node

    def dimension(self, grouped):
        """A size: an integer, C, or d_{layer}; inside a group (``grouped``) or as TeX's one token."""
        braced = grouped and self.at("sym", "{")
        if braced:
            self.next()
        t = self.tok
        if t.kind == "num" and "." not in t.value:
            self.next()
            node = _Const(t.pos, t.value, int(t.value))
        elif self.at("letter", "C"):
            self.next()
            node = _CWidth(t.pos, "C")
        elif self.at("letter", "d"):
            if not grouped:
                raise self.error("write the size in braces: \\mathbb{R}^{d_l} (TeX reads ^d_l as ^d then _l)")
            node = self.letter_d()
        else:
            raise self.error("a size must be an integer, C or d_l")
        if braced:
            self.expect("sym", "}", "} closing the size")
        return node

    def cmd_mathbb(self):
        t = self.next()
        if self.command_arg("num", "1"):
            return self.indicator(t, ("\\{", "[", "\\left\\{", "\\left["))
        raise self.error("only \\mathbb{1} (indicator) and \\mathbb{R} (after \\in) are known", tok=t,
                         token="\\mathbb")

    def cmd_mathbf(self):
        t = self.next()
        if self.command_arg("num", "1"):
            return self.indicator(t, ("_",))
        raise self.error("only \\mathbf{1} (indicator) is known", tok=t, token="\\mathbf")

    def indicator(self, t, openers):
        closers = {"\\{": "\\}", "[": "]", "_": "}", "\\left\\{": "\\right\\}", "\\left[": "\\right]"}
        o = self.tok
        if not (o.kind == "sym" and o.value in openers):
            raise self.error(f"the indicator needs its condition in {' or '.join(openers[:2])}")
        self.next()
        if o.value == "_":
            self.expect("sym", "{", "{ after \\mathbf{1}_")
        lhs = self.expr()
        op = self.relop()
        if op not in COND_OPS:
            raise self.error("an indicator condition needs one of > < \\ge \\le \\geq \\leq")
        self.next()
        rhs = self.expr()
        self.expect("sym", closers[o.value], f"{closers[o.value]} closing the indicator")
        return _Indicator(t.pos, self.span(t), lhs, op, rhs)

    def shape(self):
        """\\mathbb{R}^{m \\times n} or \\mathbb{R}^{m}: (dim nodes, start token)."""
        t = self.tok
        if not self.at("cmd", "mathbb"):
            raise self.error("\\in must be followed by \\mathbb{R}^{…}")
        self.next()
        if not self.command_arg("letter", "R"):
            raise self.error("\\in must be followed by \\mathbb{R}^{…}", tok=t, token="\\mathbb")
        caret = self.expect("sym", "^", "^{m \\times n} after \\mathbb{R}")
        if not self.script_group(caret, "size"):
            return (self.dimension(grouped=False), None, t)
        m = self.dimension(grouped=True)
        n = None
        if self.at("cmd", "times"):
            self.next()
            n = self.dimension(grouped=True)
        self.expect("sym", "}", "} closing the shape")
        return (m, n, t)


def _relation_tex(rel) -> str:
    """The canonical LaTeX of one parsed relation (claim or given): from the tree only."""
    out = [rel.sides[0][0].tex()]
    for (node, _, _), op in zip(rel.sides[1:], rel.ops):
        out.append(r"\in " + _shape_tex(rel.shape) if op == "in" else _RELOP_TEX[op] + " " + node.tex())
    return " ".join(out)


def _shape_tex(shape) -> str:
    m, n, _ = shape
    return r"\mathbb{R}^{" + _dim_tex(m) + ("" if n is None else r" \times " + _dim_tex(n)) + "}"


@dataclass
class _Bracketed(_Node):
    """(E) or [E]: kept as a node so that a following _i picks a component (transparent in print)."""
    inner: object = None

    def ev(self, ctx):
        return self.inner.ev(ctx)

    @property
    def level(self):
        return _bare(self).level

    def shape_kind(self):
        return _kind(self.inner)

    def tex(self):
        return _bare(self).tex()


@dataclass
class _CWidth(_Node):
    """C = d_L."""
    level = ATOM

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return "C"

    def size(self, ctx):
        return ctx.net.C

    def ev(self, ctx):
        return sp.Matrix([[sp.Integer(ctx.net.C)]])


_Width_types = (_Width, _CWidth)


def _unwrap(node):
    return node.inner if isinstance(node, _Bracketed) else node


# ----------------------------------------------------------------------------------------------
# allow-list walk


_ALLOWED_FUNCS = (phi, phi_prime, sp.exp, sp.log, sp.tanh, sp.Max, sp.Piecewise, sp.KroneckerDelta)
_ALLOWED_NODES = (sp.Add, sp.Mul, sp.Pow, sp.Rational, sp.core.relational.Relational,
                  sp.logic.boolalg.BooleanAtom, sp.functions.elementary.piecewise.ExprCondPair)


def _check_entry(e, allowed_symbols, ctx, node):
    """One node of an entry's tree: allowed symbol, allowed function/operation, or an error."""
    if isinstance(e, sp.Symbol):
        if e not in allowed_symbols:
            raise ctx.error(f"internal: unexpected symbol {e.name}", node)
        return
    if e is sp.E or isinstance(e, _ALLOWED_FUNCS + _ALLOWED_NODES):
        return
    raise ctx.error(f"the expression evaluates to {e}, which is not a real quantity of the vocabulary", node)


def _check_tree(M, allowed_symbols, ctx, node):
    """Reject anything in the matrix ``M`` that the layer did not create (symbols, functions, ∞, i, ...)."""
    for entry in M:
        for e in sp.preorder_traversal(entry):
            _check_entry(e, allowed_symbols, ctx, node)


# ----------------------------------------------------------------------------------------------
# programs: a parsed claim with its givens, evaluated per assignment


@dataclass
class _Relation:
    """One parsed text (the claim or one `given`)."""
    src: str
    sides: list
    ops: list
    shape: tuple | None
    parser: _Parser


class _Program:
    """Everything needed to produce instances of one claim."""

    def __init__(self, net, claim, givens, layers, ranges, order, layer_symbol):
        self.net, self.claim, self.givens = net, claim, givens
        self.layers, self.ranges, self.order, self.layer_symbol = layers, ranges, order, layer_symbol
        self.g = graph(net)
        self.allowed = set(self.g.primitives()) | set(self.g.node_symbols()) | set(self.g.yhat)
        self._cache = {}

    def assignments(self):
        """Assignments in order: layer value outermost, then indices in order of first use."""
        for lv in (self.layers if self.layer_symbol else (None,)):
            sizes = self.ranges[lv]
            for values in itertools.product(*[range(1, sizes[n] + 1) for n in self.order]):
                a = dict(zip(self.order, values))
                if self.layer_symbol:
                    a[self.layer_symbol] = lv
                yield a

    def check_assignment(self, assignment):
        want = set(self.order) | ({self.layer_symbol} if self.layer_symbol else set())
        if set(assignment) != want:
            raise NotationError(f"an instance needs values for exactly {sorted(want)}, got {sorted(assignment)}")
        lv = assignment.get(self.layer_symbol) if self.layer_symbol else None
        if self.layer_symbol and lv not in self.layers:
            raise NotationError(f"layer {lv} is not one of {list(self.layers)}")
        for n in self.order:
            if not 1 <= assignment[n] <= self.ranges[lv][n]:
                raise NotationError(f"index {n} = {assignment[n]} is outside 1..{self.ranges[lv][n]}")
        return {n: assignment[n] for n in self.order} | ({self.layer_symbol: lv} if self.layer_symbol else {})

    def instance(self, assignment):
        key = tuple(sorted(assignment.items()))
        if key not in self._cache:
            self._cache[key] = self._build(assignment)
        return self._cache[key]

    def _ctx(self, rel, assignment):
        env = {k: v for k, v in assignment.items() if k != self.layer_symbol}
        return _Ctx(rel.src, self.net, assignment.get(self.layer_symbol) if self.layer_symbol else None, env)

    def _build(self, assignment):
        rel = self.claim
        ctx = self._ctx(rel, assignment)
        sides = _broadcast_constants(tuple(self._side(ctx, node, latex) for node, latex, _ in rel.sides))
        shape = _shape_value(rel.shape, ctx) if rel.shape else None
        conds = []
        for g in self.givens:
            conds += _conditions(g, self._ctx(g, assignment), self.allowed)
        return Instance(dict(assignment), sides, tuple(rel.ops), shape, tuple(conds))

    def _side(self, ctx, node, latex):
        if node is None:
            return Side(None, latex, None)
        M = _evaluate(node, ctx)
        allowed = self.allowed | {sp.Symbol(n, real=True) for n in self.claim.parser.var_names}
        _check_tree(M, allowed, ctx, node)
        q = _evaluate(node, ctx, quantity=True)
        return Side(M, latex, q)


def _evaluate(node, ctx, quantity=False):
    """``node.ev(ctx)`` (or its bare quantity tuple, None if it is not one); SymPy failing with a TypeError is
    an error naming the node, never a crash: SymPy evaluates the generic φ at a number (``rules.phi``) as
    ``mpmath.phi``, the golden ratio, called with the argument, and fails depending on its caches."""
    try:
        if quantity:
            bare = _bare(node)                       # (x) is x
            return bare.quantity(ctx) if hasattr(bare, "quantity") else None
        return node.ev(ctx)
    except TypeError as e:
        raise ctx.error(f"SymPy failed to evaluate this expression (TypeError: {e})"[:300], node) from None


def _broadcast_constants(sides):
    """A numeric scalar side (``\\delta^{(l)} = 0``) next to matrix sides of one shape becomes that matrix."""
    shapes = {s.expr.shape for s in sides if s.expr is not None and s.expr.shape != (1, 1)}
    if len(shapes) != 1:
        return sides
    (shape,) = shapes
    return tuple(Side(sp.Matrix(*shape, [s.expr[0]] * (shape[0] * shape[1])), s.latex, s.quantity)
                 if s.expr is not None and s.expr.shape == (1, 1) and s.expr[0].is_Number else s
                 for s in sides)


def _shape_value(shape, ctx):
    m, n, _ = shape
    size = lambda d: d.size(ctx) if isinstance(d, _Width_types) else int(d.value)
    return (size(m), 1 if n is None else size(n))


def _conditions(rel, ctx, allowed):
    """Scalar (lhs, op, rhs) conditions of one `given` relation (vectors split elementwise)."""
    out = []
    allowed = allowed | {sp.Symbol(n, real=True) for n in rel.parser.var_names}
    values = []
    for node, _, _ in rel.sides:
        M = _evaluate(node, ctx)
        _check_tree(M, allowed, ctx, node)
        values.append((node, M))
    for (na, A), op, (nb, B) in zip(values, rel.ops, values[1:]):
        out += [(a, op, b) for a, b in _pairs(A, B, ctx, nb, "a condition")]
    return out


def _parse_relation(text, what, claim_id, file):
    """Tokens -> sides/ops/shape of one relation text (errors located)."""
    try:
        p = _Parser(text)
        sides, ops, shape = p.relation()
    except NotationError as e:
        raise e.located(file=file, claim_id=claim_id)
    if not ops:
        raise NotationError(f"{what} has no relation (=, \\neq, <, \\le, \\in, …)", token=text[:40],
                            position=0, text=text, file=file, claim_id=claim_id)
    return _Relation(text, sides, ops, shape, p)


def _names_check(rels):
    """Index letters, scalar variables and sum indices must not collide across the claim and givens."""
    index, var, bound = {}, {}, {}
    for r in rels:
        for n, pos in r.parser.index_names.items():
            index.setdefault(n, (pos, r.src))
        for n, pos in r.parser.var_names.items():
            var.setdefault(n, (pos, r.src))
        for n, pos in r.parser.bound_names.items():
            bound.setdefault(n, (pos, r.src))
    for n, (pos, src) in var.items():
        if n in index or n in bound:
            raise NotationError(f"{n} is used both as an index and as a scalar variable", token=n,
                                position=pos, text=src)
    for n, (pos, src) in index.items():
        if n in bound:
            raise NotationError(f"index {n} is used both free and bound by a sum", token=n,
                                position=pos, text=src)
    return list(index), bound


def _probe(rels, net, layer):
    """Evaluate every side once at ``layer`` recording free-index ranges (errors surface here)."""
    ranges = {}
    for r in rels:
        ctx = _Ctx(r.src, net, layer, probe=True)
        ctx.ranges = ranges
        for node, _, _ in r.sides:
            if node is not None:
                _evaluate(node, ctx)
                _evaluate(node, ctx, quantity=True)
        if r.shape:
            _shape_value(r.shape, ctx)
    return {n: size for n, (size, _) in ranges.items()}


def _layers_and_ranges(rels, net, layer_symbol):
    """Valid layer values (where every quantity exists) and free-index ranges at each."""
    if not layer_symbol:
        return (), {None: _probe(rels, net, None)}
    layers, ranges, first_error = [], {}, None
    for lv in range(0, net.L + 1):
        try:
            ranges[lv] = _probe(rels, net, lv)
            layers.append(lv)
        except _OutOfRange as e:
            first_error = first_error or e
    if not layers:
        raise first_error
    return tuple(layers), ranges


def parse_claim(text: str, net: Network, *, given=(), claim_id=None, file=None) -> ParsedClaim:
    """Read a claim (a relation chain) and its `given` conditions about ``net``."""
    if isinstance(given, str):
        given = (given,)
    try:
        claim = _parse_relation(text, "the claim", claim_id, file)
        givens = [_parse_relation(g, "a `given` condition", claim_id, file) for g in given]
        for g in givens:
            if "in" in g.ops:
                raise NotationError("a `given` condition cannot be a shape (\\in)", token="\\in", text=g.src)
        rels = [claim] + givens
        free, _ = _names_check(rels)
        layer_symbol = "l" if any(r.parser.layer_used for r in rels) else None
        layers, ranges = _layers_and_ranges(rels, net, layer_symbol)
        first = ranges[layers[0] if layer_symbol else None]
        for n in free:
            if n not in first:
                pos = next(r.parser.index_names[n] for r in rels if n in r.parser.index_names)
                src = next(r.src for r in rels if n in r.parser.index_names)
                raise NotationError(f"free index {n} indexes no quantity, so its range is unknown", token=n,
                                    position=pos, text=src)
        for n in free:
            if n not in claim.parser.index_names:
                r = next(r for r in givens if n in r.parser.index_names)
                raise NotationError(f"index {n} appears only in a `given`: it would be one fixed entry per instance, "
                                    f"not 'for all {n}'; write the condition as a vector (z^{{(l)}} \\le 0) or use "
                                    f"the claim's index", token=n, position=r.parser.index_names[n], text=r.src)
        if layer_symbol and not claim.parser.layer_used:
            raise NotationError("the layer symbol l appears only in a `given`", token="l", text=given[0])
        order = [n for n in free]
        program = _Program(net, claim, givens, layers, ranges, order, layer_symbol)
        return ParsedClaim(text, dict(first), layer_symbol, layers, program, _relation_tex(claim),
                           tuple(_relation_tex(g) for g in givens))
    except NotationError as e:
        raise e.located(file=file, claim_id=claim_id)
    except RecursionError:
        raise NotationError("the text is nested too deeply to read", token=text[:20], position=0, text=text,
                            file=file, claim_id=claim_id) from None


def parse_expression(text: str, net: Network) -> sp.Matrix:
    """One expression (no relation, no free index, no layer symbol) as a Matrix."""
    try:
        p = _Parser(text)
        node, latex, _ = p.side()
        if not p.at("end"):
            raise p.unexpected("unexpected token after a complete expression")
    except RecursionError:
        raise NotationError("the text is nested too deeply to read", token=text[:20], position=0,
                            text=text) from None
    rel = _Relation(text, [(node, latex, None)], [], None, p)
    free, _ = _names_check([rel])
    if p.layer_used:
        raise NotationError("an expression may not use the layer symbol l", token="l", text=text)
    if free:
        n = free[0]
        raise NotationError(f"free index {n} in a single expression", token=n,
                            position=p.index_names[n], text=text)
    ctx = _Ctx(text, net, None, probe=True)
    try:
        M = _evaluate(node, ctx)
    except RecursionError:
        raise NotationError("the text is nested too deeply to evaluate", token=text[:20], position=0,
                            text=text) from None
    g = graph(net)
    allowed = set(g.primitives()) | set(g.node_symbols()) | {sp.Symbol(n, real=True) for n in p.var_names}
    _check_tree(M, allowed, ctx, node)
    return M
