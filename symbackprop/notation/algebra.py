"""Operations of the parse tree: sums, products (matrix, elementwise, outer), fractions, powers, transposes and
components, with the broadcasting rules of the notation (a 1x1 operand broadcasts; a whole quantity that is 1x1
only by the network's sizes never does)."""
from __future__ import annotations

from dataclasses import dataclass, field

import math

import sympy as sp

from .nodes import (ATOM, HAD, OUTER, POST, PROD, SUM, Bracketed, Const, Node, Quantity, Var, at, bare, combine,
                    component, dims, idx_tex, kind, paren, split_digits)

__all__ = ["Sum", "Neg", "Product", "Hadamard", "Outer", "Frac", "Power", "Transpose", "Pick", "Bars", "pairs",
           "broadcast", "is_bare_array", "script_base", "MAX_EXPONENT", "MAX_NUMBER_DIGITS"]

MAX_EXPONENT = 1000
MAX_NUMBER_DIGITS = 2000          # digits of a numeric power (base digits x exponent)
_PRODUCT_KIND = {("col", "row"): "matrix", ("row", "col"): "scalar", ("matrix", "col"): "col",
                 ("row", "matrix"): "row", ("matrix", "matrix"): "matrix"}


def pairs(A, B, ctx, node, what, stretch=(True, True)):
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
    raise ctx.error(f"dimension mismatch: {what} of {dims(A)} and {dims(B)}", node)


def broadcast(A, B, fn, ctx, node, what, stretch=(True, True)):
    """Elementwise fn over A, B of equal shape, or with a 1x1 operand broadcast (see ``_pairs``)."""
    entries = pairs(A, B, ctx, node, what, stretch)
    shape = B.shape if A.shape == (1, 1) else A.shape
    return sp.Matrix(*shape, [fn(a, b) for a, b in entries])


@dataclass
class Sum(Node):
    """± t1 ± t2 …: addition with scalar broadcasting."""
    terms: list = field(default_factory=list)      # (sign, node)

    def ev(self, ctx):
        out, scalar = None, True
        for sign, t in self.terms:
            v = t.ev(ctx)
            v = -v if sign < 0 else v
            if out is None:
                out, scalar = v, not is_bare_array(t)
                continue
            out = broadcast(out, v, lambda a, b: a + b, ctx, t, "a sum", (scalar, not is_bare_array(t)))
            scalar = scalar and out.shape == (1, 1)
        return out

    level = SUM

    def shape_kind(self):
        return combine(kind(t) for _, t in self.terms)

    def children(self):
        return [t for _, t in self.terms]

    def tex(self):
        if len(self.terms) == 1:            # -X: a sum over k may follow the sign unparenthesized
            sign, t = self.terms[0]
            body = t.tex() if getattr(bare(t), 'open_body', False) else at(t, PROD)
            return ("-" if sign < 0 else "") + body
        out = []
        for n, (sign, t) in enumerate(self.terms):
            op = ("-" if sign < 0 else "") if n == 0 else (" - " if sign < 0 else " + ")
            out.append(op + at(t, PROD))
        return "".join(out)


@dataclass
class Neg(Node):
    arg: object = None
    level = SUM

    def ev(self, ctx):
        return -self.arg.ev(ctx)

    def shape_kind(self):
        return kind(self.arg)

    def children(self):
        return [self.arg]

    def tex(self):
        return "-" + at(self.arg, PROD)


@dataclass
class Product(Node):
    """Juxtaposition / \\cdot: matrix product in the written order (a 1x1 factor scales)."""
    factors: list = field(default_factory=list)

    def ev(self, ctx):
        out, scalar = self.factors[0].ev(ctx), not is_bare_array(self.factors[0])
        for f in self.factors[1:]:
            v = f.ev(ctx)
            if out.shape == (1, 1) and scalar:
                out = v * out[0]
            elif v.shape == (1, 1) and not is_bare_array(f):
                out = out * v[0]
            elif out.cols == v.rows:
                out = out * v
            else:
                raise ctx.error(f"dimension mismatch: matrix product {dims(out)} times {dims(v)}", f)
            scalar = scalar and out.shape == (1, 1)
        return out

    level = PROD

    def shape_kind(self):
        out = kind(self.factors[0])
        for f in self.factors[1:]:
            k = kind(f)
            if out is None or k is None:
                return None
            out = k if out == "scalar" else out if k == "scalar" else _PRODUCT_KIND.get((out, k))
        return out

    def children(self):
        return list(self.factors)

    def tex(self):
        texts = [at(f, POST) for f in self.factors]
        out = texts[0]
        for prev, p, s in zip(self.factors, texts, texts[1:]):
            prev = bare(prev)
            dot = (s[0].isdigit() or isinstance(prev, Const) and s.startswith("\\frac")     # v2, 2\frac12
                   or s.startswith("\\left(") and (isinstance(prev, Var) or p.endswith("{L}")))  # u(v), L(v)
            out += (" \\cdot " if dot else " ") + s
        return out


def is_bare_array(node) -> bool:
    """A whole vector/matrix quantity (ŷ, W^{(l)}, …): 1x1 only by the network's sizes, never a scalar factor."""
    while isinstance(node, Bracketed):
        node = node.inner
    return isinstance(node, Quantity) and node.idx is None and node.kind != "loss"


@dataclass
class Hadamard(Node):
    """A ⊙ B: elementwise product of equal shapes (a 1x1 operand is broadcast)."""
    operands: list = field(default_factory=list)

    def ev(self, ctx):
        out = self.operands[0].ev(ctx)
        for f in self.operands[1:]:
            out = broadcast(out, f.ev(ctx), lambda a, b: a * b, ctx, f, "⊙",
                             (out.shape != (1, 1) or not is_bare_array(self.operands[0]), not is_bare_array(f)))
        return out

    level = HAD

    def shape_kind(self):
        return combine(kind(o) for o in self.operands)

    def children(self):
        return list(self.operands)

    def tex(self):
        return " \\odot ".join(at(o, POST) for o in self.operands)


@dataclass
class Outer(Node):
    """u ⊗ v (\\otimes): the outer product u vᵀ of two column vectors."""
    left: object = None
    right: object = None

    def ev(self, ctx):
        u, v = self.left.ev(ctx), self.right.ev(ctx)
        for M, node in ((u, self.left), (v, self.right)):
            if M.cols != 1:
                raise ctx.error(f"\\otimes needs column vectors, got {dims(M)}", node)
        return u * v.T

    level = OUTER

    def shape_kind(self):
        return "matrix"

    def children(self):
        return [self.left, self.right]

    def tex(self):
        return at(self.left, POST) + " \\otimes " + at(self.right, POST)


@dataclass
class Frac(Node):
    """\\frac{A}{B} with a scalar B (divides every entry of A)."""
    num: object = None
    den: object = None

    def ev(self, ctx):
        A, B = self.num.ev(ctx), self.den.ev(ctx)
        if B.shape != (1, 1) or A.shape != (1, 1) and is_bare_array(self.den):
            raise ctx.error(f"dimension mismatch: \\frac with a {dims(B)} denominator", self.den)
        if B[0] == 0:
            raise ctx.error("division by zero", self.den)
        return A.applyfunc(lambda e: e / B[0])

    level = ATOM

    def shape_kind(self):
        return kind(self.num)

    def children(self):
        return [self.num, self.den]

    def tex(self):
        return r"\frac{" + self.num.tex() + "}{" + self.den.tex() + "}"


@dataclass
class Power(Node):
    """A scalar to an integer power (|exponent| <= MAX_EXPONENT)."""
    base: object = None
    exp: int = 1

    def ev(self, ctx):
        B = self.base.ev(ctx)
        if B.shape != (1, 1):
            hint = (": for the elementwise square write v \\odot v; for the squared norm \\|v\\|^2"
                    if 1 in B.shape and self.exp == 2 else "")
            raise ctx.error(f"power of a {dims(B)} matrix (only scalars take powers){hint}", self)
        b = B[0]
        if b.is_Rational and b != 0 and abs(self.exp) * (math.log10(abs(b.p)) + math.log10(b.q)) > MAX_NUMBER_DIGITS:
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

    def children(self):
        return [self.base]

    def tex(self):
        return script_base(self.base) + "^{" + str(self.exp) + "}"


def script_base(node) -> str:
    """A base for ^: a letter, an integer or an unscripted quantity (x, y, ŷ) as is, anything else in parentheses."""
    b = bare(node)
    if (isinstance(b, Var) or isinstance(b, Const) and sp.Rational(b.value).q == 1
            or isinstance(b, Quantity) and b.layer is None and b.idx is None):
        return b.tex()
    return paren(b.tex())


@dataclass
class Transpose(Node):
    arg: object = None
    level = POST

    def ev(self, ctx):
        return self.arg.ev(ctx).T

    def shape_kind(self):
        return {"col": "row", "row": "col"}.get(kind(self.arg), kind(self.arg))

    def children(self):
        return [self.arg]

    def tex(self):
        return script_base(self.arg) + r"^{\top}"


@dataclass
class Pick(Node):
    """(E)_i, [E]_{ij}: a component of a bracketed expression."""
    arg: object = None
    idx: tuple = ()
    level = POST

    def ev(self, ctx):
        return component(self.arg.ev(ctx), self.idx, ctx, self, kind(self.arg))[0]

    def shape_kind(self):
        return "scalar"

    def children(self):
        return [self.arg]

    def tex(self):
        return paren(self.arg.tex()) + idx_tex(split_digits(self.idx) if kind(self.arg) == "matrix" else self.idx)


@dataclass
class Bars(Node):
    """``|E|`` (a scalar's absolute value) or ``\\|E\\|`` with an optional ``_2`` / ``_F`` subscript (a vector's
    Euclidean norm, a matrix's Frobenius norm).  Only readings that are certain are evaluated: ``|v|`` of a
    vector (absolute value entrywise, or a norm?) and ``\\|W\\|`` of a matrix without ``_F`` (Frobenius or
    spectral?) are errors saying what to write; the spectral norm ``\\|W\\|_2`` is not evaluated."""
    inner: object = None
    norm: bool = False
    sub: str | None = None          # None, "2" or "F"
    level = ATOM

    def ev(self, ctx):
        A = self.inner.ev(ctx)
        if not self.norm:
            if A.shape != (1, 1):
                raise ctx.error(f"|…| of a {dims(A)} matrix: write \\|…\\| for its norm (|…| is read as the absolute "
                                f"value of a scalar)", self)
            return sp.Matrix([[sp.Abs(A[0])]])
        if min(A.shape) > 1 and self.sub != "F":
            what = ("the spectral norm, which is not evaluated here" if self.sub == "2" else
                    "the Frobenius or the spectral norm")
            raise ctx.error(f"the norm of a {dims(A)} matrix is {what}: write \\|…\\|_F for the Frobenius norm", self)
        return sp.Matrix([[sp.sqrt(sp.Add(*[e ** 2 for e in A]))]])   # a vector's _F and _2 norms agree

    def shape_kind(self):
        return "scalar"

    def children(self):
        return [self.inner]

    def tex(self):
        o, c = (r"\left\|", r"\right\|") if self.norm else (r"\left|", r"\right|")
        return f"{o} {self.inner.tex()} {c}" + (f"_{{{self.sub}}}" if self.sub else "")
