r"""Functions of the parse tree: elementwise functions, \max, indicators, sums, diag/softmax/trace and CS231n's
class-index forms.

Every function is named by what it IS (``act`` the network's generic hidden activation φ, ``logistic``, ``relu``
…), never by how it was written: the parser binds the spelling (``\sigma``, ``f``, ``g^{[l]}``, ``\operatorname{ReLU}``)
through the notation profile, and the canonical LaTeX prints the reading (``\varphi``, ``\operatorname{sigmoid}``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..rules import indicator, phi, phi_prime
from .algebra import broadcast, is_bare_array
from .context import OutOfRange
from .nodes import ATOM, POST, PROD, SUM, WIDTH_TYPES, Named, Node, at, bare, combine, dims, kind, paren

__all__ = ["Cases", "Apply", "Max", "Min", "Indicator", "IndicatorChain", "chain_condition", "SumOver", "MaxOver", "MinOver", "LogBase", "Diag", "Softmax", "Trace", "ClassPick", "ClassIndicator",
           "FUNCTIONS", "FUNCTION_TEX", "COND_OPS", "RELOP_TEX", "MAX_SUM_TERMS", "build"]

MAX_SUM_TERMS = 50_000            # body evaluations of all sums in one evaluation
RELOP_TEX = {"=": "=", "!=": r"\neq", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "in": r"\in"}
COND_OPS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b}


def _logistic(u):
    return 1 / (1 + sp.exp(-u))


FUNCTIONS = {
    # what the function is -> elementwise SymPy function
    "act": phi, "act'": phi_prime,
    "logistic": _logistic, "logistic'": lambda u: _logistic(u) * (1 - _logistic(u)),
    "tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "relu": lambda u: sp.Max(0, u), "one": lambda u: sp.Integer(1),
    "sech": lambda u: sp.sqrt(1 - sp.tanh(u) ** 2),
}
FUNCTION_TEX = {"act": r"\varphi", "act'": r"\varphi'", "logistic": r"\operatorname{sigmoid}",
                "logistic'": r"\operatorname{sigmoid}'", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log",
                "relu": r"\operatorname{ReLU}", "sech": r"\operatorname{sech}"}


def build(ctx, node, make):
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
class Apply(Node):
    """f(E) applied elementwise, optionally raised to a power (\\tanh^2)."""
    name: str = ""
    arg: object = None
    power: int = 1
    every_layer: bool = False       # the activation letter names every layer's function (Nielsen's σ, UFLDL's f)
    hidden: object = None           # g^{[l]}: the layer must be a hidden one
    level = ATOM

    def ev(self, ctx):
        fn = FUNCTIONS[self.name]
        if self.hidden is not None:
            l = self.hidden.value(ctx)
            if not 1 <= l < ctx.net.L:
                raise ctx.error(f"{self.token.split('(')[0].strip()}: layer {l + ctx.offset} is not a hidden layer",
                                self, OutOfRange)
        A = self.arg.ev(ctx)
        if self.every_layer:
            self.output_check(ctx, A)
        if self.name == "log":
            if any(u.is_number and not u.is_positive for u in A):
                raise ctx.error(f"{self.token.split('(')[0].strip() or chr(92) + 'log'} of a number that is not "
                                f"positive is not a real number", self)
            fn = lambda u: _real_log(u, ctx)  # noqa: E731
        if A.rows > 1 and A.cols > 1:
            raise ctx.error(f"{self.token.split('(')[0].strip()} of a {dims(A)} matrix is ambiguous (elementwise or "
                            f"matrix function); apply it to a vector or a scalar", self)
        return A.applyfunc(lambda u: build(ctx, self, lambda: fn(u) ** self.power))

    def output_check(self, ctx, A):
        """The activation letter at the output layer is the output head's function: refused where they differ."""
        net = ctx.net
        if net.output == "sigmoid" and net.uniform_activation == "sigmoid":
            return
        out = set(ctx.g.z[net.L]) | set(ctx.g.yhat)
        if any(e.free_symbols & out for e in A):
            raise ctx.error(f"{self.token.split('(')[0].strip()} at the output layer: in this notation it is the "
                            f"activation of every layer, but this network's output is {net.output} while its hidden "
                            f"activation is {net.activation_text} (write the output's own function, or use a network whose "
                            f"output is the hidden activation: sigmoid + sigmoid + bce)", self, OutOfRange)

    def shape_kind(self):
        return kind(self.arg)

    def children(self):
        return [self.arg]

    def tex(self):
        power = "" if self.power == 1 else "^{%d}" % self.power
        return FUNCTION_TEX[self.name] + power + paren(self.arg.tex())


@dataclass
class Max(Node):
    args: list = field(default_factory=list)
    level = ATOM

    def ev(self, ctx):
        out = self.args[0].ev(ctx)
        for a in self.args[1:]:
            out = broadcast(out, a.ev(ctx), lambda u, v: build(ctx, self, lambda: sp.Max(u, v)), ctx, a, "\\max",
                            (not is_bare_array(self.args[0]), not is_bare_array(a)))
        return out

    def shape_kind(self):
        return combine(kind(a) for a in self.args)

    def children(self):
        return list(self.args)

    def tex(self):
        return r"\max" + paren(", ".join(a.tex() for a in self.args))


@dataclass
class Min(Max):
    """min(u, v, …) = −max(−u, −v, …): the prover and the checker's corners know max."""

    def ev(self, ctx):
        out = -self.args[0].ev(ctx)
        for a in self.args[1:]:
            out = broadcast(out, -a.ev(ctx), lambda u, v: build(ctx, self, lambda: sp.Max(u, v)), ctx, a, "\\min",
                            (not is_bare_array(self.args[0]), not is_bare_array(a)))
        return -out

    def tex(self):
        return r"\min" + paren(", ".join(a.tex() for a in self.args))


@dataclass
class Indicator(Node):
    """1{lhs op rhs}, elementwise, as a 0/1 Piecewise."""
    lhs: object = None
    op: str = ""
    rhs: object = None
    level = ATOM

    def ev(self, ctx):
        fn = COND_OPS[self.op]
        return broadcast(self.lhs.ev(ctx), self.rhs.ev(ctx),
                         lambda a, b: build(ctx, self, lambda: indicator(fn(a, b))), ctx, self,
                         "an indicator", (not is_bare_array(self.lhs), not is_bare_array(self.rhs)))

    def shape_kind(self):
        return combine((kind(self.lhs), kind(self.rhs)))

    def children(self):
        return [self.lhs, self.rhs]

    def tex(self):
        return r"\mathbb{1}\{" + self.lhs.tex() + " " + RELOP_TEX[self.op] + " " + self.rhs.tex() + r"\}"


@dataclass
class IndicatorChain(Node):
    """1{a < b < c} (or >, \\le, \\ge in one direction): 1{a < b} · 1{b < c}, elementwise."""
    first: Indicator = None
    second: Indicator = None
    level = ATOM

    def ev(self, ctx):
        return broadcast(self.first.ev(ctx), self.second.ev(ctx), lambda u, v: u * v, ctx, self, "an indicator",
                         (not is_bare_array(self.first.lhs), not is_bare_array(self.second.rhs)))

    def shape_kind(self):
        return combine((kind(self.first.lhs), kind(self.first.rhs), kind(self.second.rhs)))

    def children(self):
        return [self.first.lhs, self.first.rhs, self.second.rhs]

    def tex(self):
        f, s = self.first, self.second
        return (r"\mathbb{1}\{" + f.lhs.tex() + " " + RELOP_TEX[f.op] + " " + f.rhs.tex() + " " + RELOP_TEX[s.op] +
                " " + s.rhs.tex() + r"\}")


def chain_condition(parser, t, lhs, op, rhs, span):
    """The indicator of ``lhs op rhs`` and, when a second relation follows in the same direction (0 < u < 6),
    of the chain; a chain that turns (0 < u > 6) is an error."""
    first = Indicator(t.pos, span, lhs, op, rhs)
    op2 = parser.relop()
    if op2 not in COND_OPS:
        return first
    if (op2 in ("<", "<=")) != (op in ("<", "<=")):
        raise parser.error("a chain of conditions must run in one direction (a < u \\le b)")
    parser.next()
    parser.fn_depth += 1
    rhs2 = parser.expr()
    parser.fn_depth -= 1
    return first, Indicator(t.pos, span, rhs, op2, rhs2)


@dataclass
class SumOver(Node):
    """\\sum_{k=lo}^{hi} body; ``hi`` None: the range is implied by what k indexes (every use must agree)."""
    var: str = ""
    lo: int = 1
    hi: object = None
    body: object = None
    level = SUM       # its body extends to the end of the product: parenthesized inside anything larger
    open_body = True

    def implied_range(self, ctx):
        saved_implied, saved_env = ctx.implied, ctx.env.get(self.var)
        ctx.implied = dict(saved_implied or {})
        ctx.implied[self.var] = None
        ctx.env[self.var] = 1
        try:
            self.body.ev(ctx)
            got = ctx.implied[self.var]
        finally:
            ctx.implied = saved_implied
            ctx.env.pop(self.var, None)
            if saved_env is not None:
                ctx.env[self.var] = saved_env
        if got is None:
            raise ctx.error(self.unimplied(), self)
        return got[0]

    def unimplied(self):
        return (f"the range of {self.var} is not implied (it indexes no quantity in the sum): write "
                f"\\sum_{{{self.var}=1}}^{{…}}")

    def upper(self, ctx):
        if self.hi is None:
            return self.implied_range(ctx)
        return self.hi.size(ctx) if isinstance(self.hi, WIDTH_TYPES) else int(self.hi.value)

    def ev(self, ctx):
        hi = self.upper(ctx)
        if hi < self.lo:
            raise ctx.error(f"empty sum ({self.var} from {self.lo} to {hi})", self)
        terms = self.terms(ctx, hi)
        # shapes never depend on index values, so every term has the first term's shape
        return sp.Matrix(*terms[0].shape, lambda i, j: sp.Add(*[t[i, j] for t in terms]))

    def terms(self, ctx, hi):
        """The body's value for each value of the index from lo to hi (every term counted against the bound)."""
        from . import functions as limits          # MAX_SUM_TERMS may be patched (tests)
        terms, saved = [], ctx.env.get(self.var)
        ctx.bound.add(self.var)
        try:
            for v in range(self.lo, hi + 1):
                ctx.sum_terms += 1
                if ctx.sum_terms > limits.MAX_SUM_TERMS:
                    raise ctx.error(f"the sums have more than {limits.MAX_SUM_TERMS} terms", self)
                ctx.env[self.var] = v
                terms.append(self.body.ev(ctx))
        finally:
            ctx.bound.discard(self.var)
            ctx.env.pop(self.var, None)
            if saved is not None:
                ctx.env[self.var] = saved
        return terms

    def shape_kind(self):
        return kind(self.body)

    def children(self):
        return [self.body]

    def tex(self):
        b = bare(self.body)
        body = b.tex() if getattr(b, "open_body", False) or type(b).__name__ == "Neg" else at(b, PROD)
        if self.hi is None:
            return r"\sum_{%s} " % self.var + body
        return r"\sum_{%s=%d}^{%s} " % (self.var, self.lo, dim_tex(self.hi)) + body


@dataclass
class MaxOver(SumOver):
    """\\max_k body: the largest of the body's values over the range of k implied by what k indexes (a scalar
    body, as in the stable softmax z_j - \\max_k z_k).  :class:`MinOver` is \\min_k, the smallest."""
    NAME = "max"

    @staticmethod
    def pick(values):
        return sp.Max(*values)

    def ev(self, ctx):
        hi = self.upper(ctx)
        name = f"\\{self.NAME}_{self.var}"
        if hi < self.lo:
            raise ctx.error(f"{name} over no value ({self.var} from {self.lo} to {hi})", self)
        terms = self.terms(ctx, hi)
        if terms[0].shape != (1, 1):
            raise ctx.error(f"{name} of a {dims(terms[0])} quantity: its body must be a scalar (write the "
                            f"entry, e.g. z_{self.var})", self)
        return sp.Matrix([[build(ctx, self, lambda: self.pick([t[0, 0] for t in terms]))]])

    def unimplied(self):
        what = "largest" if self.NAME == "max" else "smallest"
        return (f"the range of {self.var} in \\{self.NAME}_{self.var} is not implied: {self.var} must index the scalar "
                f"it takes the {what} of (\\{self.NAME}_{self.var} z^{{(L)}}_{self.var})")

    def tex(self):
        return r"\%s_{%s} " % (self.NAME, self.var) + at(bare(self.body), POST)


@dataclass
class MinOver(MaxOver):
    """\\min_k body = −\\max_k(−body), as :class:`Min`: the prover and the checker's corners know max."""
    NAME = "min"

    @staticmethod
    def pick(values):
        return -sp.Max(*[-v for v in values])


@dataclass
class LogBase(Node):
    """\\log_b u = ln u / ln b for an integer base b >= 2 (the node ``log`` is the natural logarithm)."""
    log: object = None
    base: int = 2
    level = ATOM

    def ev(self, ctx):
        return self.log.ev(ctx) / sp.log(self.base)

    def shape_kind(self):
        return kind(self.log)

    def children(self):
        return [self.log]

    def tex(self):
        return r"\log_{%d}" % self.base + paren(self.log.arg.tex())


def dim_tex(d) -> str:
    return d.tex() if isinstance(d, WIDTH_TYPES + (Named,)) else str(int(d.value))


@dataclass
class Diag(Node):
    """\\operatorname{diag}(v): the square matrix with the vector v on its diagonal."""
    arg: object = None
    level = ATOM

    def ev(self, ctx):
        v = self.arg.ev(ctx)
        if v.rows != 1 and v.cols != 1:
            raise ctx.error(f"\\operatorname{{diag}} of a {dims(v)} matrix: it takes a vector", self)
        return sp.diag(*list(v))

    def shape_kind(self):
        return "matrix"

    def children(self):
        return [self.arg]

    def tex(self):
        return r"\operatorname{diag}" + paren(self.arg.tex())


@dataclass
class Softmax(Node):
    """\\operatorname{softmax}(v) of a column vector: e^{v_i} / Σ_j e^{v_j}."""
    arg: object = None
    level = ATOM

    def ev(self, ctx):
        v = self.arg.ev(ctx)
        if v.cols != 1:
            raise ctx.error(f"\\operatorname{{softmax}} of a {dims(v)} matrix: it takes a column vector", self)
        total = sp.Add(*[sp.exp(e) for e in v])
        return v.applyfunc(lambda e: sp.exp(e) / total)

    def shape_kind(self):
        return "col"

    def children(self):
        return [self.arg]

    def tex(self):
        return r"\operatorname{softmax}" + paren(self.arg.tex())


@dataclass
class Trace(Node):
    """\\operatorname{tr}(A) of a square matrix."""
    arg: object = None
    level = ATOM

    def ev(self, ctx):
        A = self.arg.ev(ctx)
        if A.rows != A.cols:
            raise ctx.error(f"\\operatorname{{tr}} of a {dims(A)} matrix: it takes a square matrix", self)
        return sp.Matrix([[A.trace()]])

    def shape_kind(self):
        return "scalar"

    def children(self):
        return [self.arg]

    def tex(self):
        return r"\operatorname{tr}" + paren(self.arg.tex())


@dataclass
class ClassPick(Node):
    """CS231n's f_{y_i}: the entry of a vector at the correct class, Σ_k y_k f_k with the one-hot target y."""
    arg: object = None
    level = PROD

    def ev(self, ctx):
        v = self.arg.ev(ctx)
        if v.cols != 1 or v.rows != len(ctx.g.y):
            raise ctx.error(f"the entry at the correct class y_i needs a vector of the {len(ctx.g.y)} classes, got "
                            f"{dims(v)}", self)
        return sp.Matrix([[sp.Add(*[t * e for t, e in zip(ctx.g.y, v)])]])

    def shape_kind(self):
        return "scalar"

    def children(self):
        return [self.arg]

    def tex(self):
        return r"y^{\top} " + at(self.arg, POST)


@dataclass
class ClassIndicator(Node):
    """CS231n's 1(y_i = k): the one-hot target's entry y_k."""
    index: object = None
    level = ATOM

    def ev(self, ctx):
        return sp.Matrix([[ctx.g.y[self.index.value(ctx, len(ctx.g.y)) - 1]]])

    def shape_kind(self):
        return "scalar"

    def tex(self):
        return "y_{" + self.index.tex() + "}"


_INTERVAL = {">": lambda c: sp.Interval.open(c, sp.oo), ">=": lambda c: sp.Interval(c, sp.oo),
             "<": lambda c: sp.Interval.open(-sp.oo, c), "<=": lambda c: sp.Interval(-sp.oo, c)}


@dataclass
class Cases(Node):
    """``\\begin{cases} v_1 & c_1 \\\\ … \\end{cases}``: a scalar defined piecewise.

    Read only when exactly one row applies at every point, certainly: every condition compares one and the same
    expression with a number (``z > 0``, ``z \\le 0``, ``u - 1 < 0``), no two rows' sets meet, and the rows (with
    an ``otherwise`` row, which must be last) cover the real line.  ``rows``: (value, (lhs, op, rhs) or None)."""
    rows: list = field(default_factory=list)
    level = SUM

    def ev(self, ctx):
        values, sets, base = [], [], None
        for value, cond in self.rows:
            V = value.ev(ctx)
            if V.shape != (1, 1):
                raise ctx.error(f"a cases value is a scalar, not a {dims(V)} matrix", value)
            values.append(V[0])
            if cond is None:
                sets.append(None)
                continue
            lhs, op, rhs = cond
            A, B = lhs.ev(ctx), rhs.ev(ctx)
            if A.shape != (1, 1) or B.shape != (1, 1):
                raise ctx.error("a cases condition compares scalars", lhs)
            d = sp.expand(A[0] - B[0])
            base = d if base is None else base
            shift = sp.expand(d - base)
            if not shift.is_Rational:
                raise ctx.error("the conditions of a cases are read only when they compare one expression with "
                                "numbers (z > 0, z \\le 0): then exactly one row applies at every point", lhs)
            sets.append(_INTERVAL[op](-shift))
        written = [s_ for s_ in sets if s_ is not None]
        for i, a in enumerate(written):
            for b in written[i + 1:]:
                if a.intersect(b) != sp.S.EmptySet:
                    raise ctx.error(f"two rows of the cases both apply where the compared expression is in "
                                    f"{sp.sstr(a.intersect(b))}: which value is meant there is not certain", self)
        covered = sp.Union(*written) if written else sp.S.EmptySet
        if sets[-1] is not None and covered != sp.S.Reals:
            raise ctx.error(f"no row of the cases applies where the compared expression is in "
                            f"{sp.sstr(sp.S.Reals - covered)}: add an otherwise row", self)
        pieces = [(v, s_.as_relational(base) if s_ is not None else True) for v, s_ in zip(values, sets)]
        pieces[-1] = (pieces[-1][0], True)         # the rows cover the line: the last one applies to the rest
        return sp.Matrix([[build(ctx, self, lambda: sp.Piecewise(*pieces))]])

    def shape_kind(self):
        return "scalar"

    def children(self):
        out = []
        for value, cond in self.rows:
            out += [value] + ([cond[0], cond[2]] if cond else [])
        return out

    def tex(self):
        """Σ v_i 1{c_i} (+ v_o (1 - Σ 1{c_j}) for an otherwise row): the same function, in our vocabulary."""
        ind = [r"\mathbb{1}\{" + c[0].tex() + " " + RELOP_TEX[c[1]] + " " + c[2].tex() + r"\}"
               for _, c in self.rows if c is not None]
        terms = [at(v, PROD) + " " + r"\mathbb{1}\{" + c[0].tex() + " " + RELOP_TEX[c[1]] + " " + c[2].tex() + r"\}"
                 for v, c in self.rows if c is not None]
        terms += [at(v, PROD) + " " + paren("1 - " + " - ".join(ind)) for v, c in self.rows if c is None]
        return " + ".join(terms)
