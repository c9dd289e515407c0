r"""The recursive-descent parser: one method per grammar production, precedence as the layering of the rules.

    relation   := side (relop side)* | side \in shape
    side       := expr
    expr       := [+|-] hadamard ((+|-) hadamard)*            (a sum)
    hadamard   := outer ((\odot | \circ | profile's * \bullet) outer)*
    outer      := product [\otimes product]
    product    := factor ((\cdot | juxtaposition) signed-factor)*   (matrix product, order kept)
    factor     := primary (^… | _…)*                          (one superscript and one subscript per atom)
    primary    := number | letter | bracketed | command

TeX's rules for what one argument is are enforced in two helpers: :meth:`script_group` (after ``^`` and ``_``:
a braced group or exactly one token) and :meth:`command_arg` / :meth:`frac_arg` (the arguments of ``\hat``,
``\mathcal``, ``\mathbb``, ``\mathbf``, ``\frac``); one superscript and one subscript per atom in :meth:`factor`.
Braces, ``\left``/``\right`` and spacing are checked by the lexer; letters go through the profile
(:mod:`.letters`), commands through :mod:`.commands`.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import NotationError
from .algebra import Bars, Hadamard, Neg, Outer, Pick, Power, Product, Sum, Transpose
from .commands import CommandsMixin
from .functions import COND_OPS, Cases, Indicator, IndicatorChain, chain_condition
from .letters import LettersMixin
from .lexer import Token, grouped
from .literals import numeric_literal
from .nodes import Bracketed, Const, Kronecker, Quantity, Width, unwrap
from .normalize import normalize
from .profiles import PRESETS

__all__ = ["Parser", "SYM_RELOPS", "CMD_RELOPS", "END"]

SYM_RELOPS = {"=": "=", "<": "<", ">": ">"}
CMD_RELOPS = {"neq": "!=", "ne": "!=", "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "in": "in"}
BRACKETS = {"(": ")", "[": "]", "{": "}", "\\left(": "\\right)", "\\left[": "\\right]"}
# absolute values and norms: the opening bar and its closer.  A plain | or \| is its own closer, so which bars
# pair is decided in :meth:`Parser.starts_factor` (a bar right after a complete factor closes the innermost open
# one of its kind) and refused where TeX's print would allow two pairings (see :meth:`Parser.bars`)
BARS = {"|": "|", "\\|": "\\|", "\\left|": "\\right|", "\\left\\|": "\\right\\|"}
PLAIN_BARS = ("|", "\\|")
END = "end of input"
_SCALAR_HINT = ": if it is a real scalar, declare notation: {scalars: [\\%s]}"
GREEK_HINTS = {g: _SCALAR_HINT % g for g in ("alpha", "beta", "gamma", "epsilon", "eta", "lambda", "mu", "tau", "rho",
                                               "kappa", "nu", "omega")}
GREEK_HINTS["theta"] = " (θ, all parameters, is not one quantity here: write W^{(l)} and b^{(l)})"
GREEK_HINTS["Omega"] = " (a regularizer Ω(θ): the network has none)"
MAX_EXPONENT = 1000


def scripts_of(node):
    """(superscript, subscript) already attached to the atom ``node`` by its own syntax (z^{(l)}_i, e^{u}, d_l)."""
    if isinstance(node, Quantity):
        return node.layer is not None and not node.implied, node.idx is not None
    if isinstance(node, (Kronecker, Width)):
        return False, True
    if getattr(node, "scripted", False):
        return True, False
    return False, False


class Parser(CommandsMixin, LettersMixin):
    """Recursive descent over the normalized tokens of one relation, under a notation profile and a network."""

    def __init__(self, text: str, net=None, profile=None):
        self.src = text
        self.net = net
        self.p = profile or PRESETS["default"]
        norm = normalize(text, self.p.macros)
        self.toks = grouped(norm.tokens, text)
        self.tail = norm.tail
        self.i = 0
        self.stop = None           # index of a token the parse may not reach (one-token arguments)
        self.index_names = {}      # letter -> first position used as an index
        self.var_names = {}        # name -> first position used as a scalar variable
        self.var_outside = set()   # … of them, those used outside every function's argument
        self.fn_depth = 0          # inside the argument of a function (φ, σ, tanh, max, an indicator …)
        self.declared = set()      # scalar names the profile declares
        self.bound_names = {}      # letter -> position of a \sum binding it
        self.active = []           # indices bound by the enclosing sums
        self.unit_uses = []        # (kind, layer, letters, token, text) of quantities whose layer is their index letter
        self.sum_alone = []        # … of them, those whose letter is a sum's and the sum's only index letter
        self.layer_used = False
        self.network_pos = None    # position of the first network quantity (None: a claim about scalars only)
        self.readings = {}         # what a spelling was read as, for the words form: {'σ': 'logistic', …}
        self.open_bars = []        # plain bars (| or \|) opened and not yet closed, innermost last
        self.factor_end = -1       # token index right after the last complete factor

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

    def error(self, message, tok=None, token=None, fix=None):
        t = tok or self.tok
        shown = token if token is not None else (("\\" + t.value) if t.kind == "cmd" else t.value or END)
        if t.kind == "cmd" and (t.value.startswith("op:") or t.value == "diffd") and token is None:
            shown = self.src[t.pos:t.end]
        return NotationError(message, token=shown, position=t.pos, text=self.src, fix=fix)

    def unexpected(self, message):
        """``message``, unless the token is a command outside the vocabulary (then: unknown command)."""
        t = self.tok
        if t.kind == "cmd" and not self.known_command(t.value):
            return self.error(f"unknown command \\{t.value}" + GREEK_HINTS.get(t.value, ""))
        if self.at("sym", "/"):
            return self.error("a slash is read only in a derivative ∂A/∂B: write \\frac{…}{…} (a / b c is ambiguous)")
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

    def network(self, tok):
        """Record that a network quantity is used (at ``tok``)."""
        if self.network_pos is None:
            self.network_pos = tok.pos

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
                             f"{c}{t.value[0]} followed by {t.value[1:]})", tok=t, fix=f"{c}{{{t.value}}}")
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
        """[(side_node, latex, start)], [ops], shape or None."""
        sides, ops, shape = [self.side()], [], None
        neq = None
        while not self.at("end"):
            op = self.relop()
            if op is None:
                raise self.unexpected("unexpected token after a complete expression")
            neq = neq or (self.tok if op == "!=" else None)
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
        if "!=" in ops and len(ops) > 1:              # A = B ≠ C: which sides differ, and where?
            raise self.error("\\neq must be the only relation of a claim: state A \\neq B on its own",
                             tok=neq)
        self.sum_letter_check()
        return sides, ops, shape

    def sum_letter_check(self):
        """Bishop's letters (i input, j hidden, k output) hold in §5.3, not in his softmax y_k = exp(a_k)/Σ_j exp(a_j)
        (eq. 5.25, j an output unit). A sum whose only index letter decides the layer of a quantity, beside the
        same quantity in another layer, is that case or the letter rule: refused, naming how to write it."""
        for kind, layer, letters, t, text in self.sum_alone:
            other = next((u for u in self.unit_uses if u[0] == kind and u[1] != layer), None)
            if other is not None:
                n, o = letters[0], other[4]
                raise self.error(f"{text} inside the sum over {n} is in layer {layer} by its letter (i input, j hidden, "
                                 f"k output), but {o} beside it is in layer {other[1]}: if the sum runs over the units "
                                 f"of {o}'s layer, write that layer ({t.value}^{{({other[1]})}}_{n}); else use the "
                                 f"letter of the layer the sum runs over", tok=t, token=text)

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
        return Sum(start.pos, self.span(start), terms)

    def at_hadamard(self) -> bool:
        t = self.tok
        if t.kind == "cmd" and t.value in ("odot", "circ"):
            return True
        spelled = ("\\" + t.value) if t.kind == "cmd" else t.value
        if t.kind in ("cmd", "sym") and spelled in self.p.hadamard:
            return True
        if self.at("sym", "*") or self.at("cmd", "ast") or self.at("cmd", "bullet"):
            raise self.error(f"{spelled} is elementwise in some notes and a matrix product in others: write \\odot "
                             f"(deeplearning.ai writes * for ⊙: notation: {{preset: deeplearning-ai}})")
        return False

    def hadamard(self):
        start, ops = self.tok, [self.outer()]
        while self.at_hadamard():
            self.next()
            ops.append(self.outer())
        return ops[0] if len(ops) == 1 else Hadamard(start.pos, self.span(start), ops)

    def outer(self):
        """product (⊗ product)?: one outer product of two column vectors (not chained)."""
        start, left = self.tok, self.product()
        if not self.at("cmd", "otimes"):
            return left
        self.next()
        right = self.product()
        node = Outer(start.pos, self.span(start), left, right)
        if self.at("cmd", "otimes"):
            raise self.error("a chain of \\otimes is ambiguous: use parentheses")
        self.rows_check(node, start)
        return node

    def starts_factor(self) -> bool:
        t = self.tok
        if t.kind == "sym" and t.value in BARS:
            return not self.closes_bar(t)
        return (t.kind in ("letter", "num") or t.kind == "sym" and (t.value in BRACKETS or t.value == "\\cases{")
                or t.kind == "cmd" and self.factor_command(t.value))

    def closes_bar(self, t) -> bool:
        """A plain bar right after a complete factor, with a bar of its kind open, closes that bar."""
        return t.value in PLAIN_BARS and t.value in self.open_bars and self.factor_end == self.i

    def product(self):
        start = self.tok
        if not self.starts_factor():
            raise self.unexpected("expected an expression")
        factors = [self.factor()]
        while self.starts_factor() or self.at("cmd", "cdot"):
            factors.append(self.next_factor(factors[-1], start))
        if len(factors) == 1:
            return factors[0]
        node = Product(start.pos, self.span(start), factors)
        self.rows_check(node, start)
        return node

    def next_factor(self, last, start):
        """The factor after ``last`` (juxtaposed or after \\cdot, which may be followed by a sign: u \\cdot -v)."""
        dotted = self.at("cmd", "cdot")
        if dotted:
            self.next()
            if self.at("sym", "-") or self.at("sym", "+"):
                sign = self.next()
                if not self.starts_factor():
                    raise self.error("expected a factor after \\cdot")
                f = self.factor()
                return Neg(sign.pos, self.span(sign), f) if sign.value == "-" else f
            if not self.starts_factor():
                raise self.error("expected a factor after \\cdot")
        elif isinstance(last, Const) and last.literal and self.at("num"):
            raise self.error("two numbers side by side (write \\cdot)")
        elif isinstance(last, Const) and self.at("num"):
            raise self.error("a number right after a fraction (\\frac{1}{2}3 prints as ½3, like a mixed number): "
                             "write \\cdot")
        elif self.at("num") and not isinstance(last, Const):
            raise self.error("a number after a letter or quantity (v2) reads like v_2: write the number first "
                             "or use \\cdot")
        f = self.factor()
        if not dotted and isinstance(last, Const) and last.literal and isinstance(f, Const) and not f.literal:
            raise self.error("a number before a numeric fraction reads as a mixed number (2\\frac{1}{2}): "
                             "write \\cdot", tok=start, token=self.span(start))
        return f

    def signed_product(self):
        """A sum body: an optional sign and one product."""
        start = self.tok
        if self.at("sym", "-"):
            self.next()
            return Neg(start.pos, "-", self.product())
        if self.at("sym", "+"):
            self.next()
        return self.product()

    def factor(self):
        """A primary and its scripts: TeX allows one superscript and one subscript per atom."""
        start = self.tok
        node = self.primary()
        sup, sub = scripts_of(node)
        while self.at("sym", "^") or self.at("sym", "_"):
            c = self.tok
            if c.value == "^" and sup:
                fix = None
                if isinstance(node, Quantity) and node.layer is not None and self.transpose_follows_peek():
                    fix = "(" + self.span(start) + ")^T"
                raise self.error("double superscript (TeX rejects x^{a}^{b}): use parentheses, as in (W^{(l)})^T "
                                 "or {W^{(l)}}^T", fix=fix)
            if c.value == "_" and sub:
                raise self.error("double subscript (TeX rejects x_{a}_{b}): use parentheses")
            node = self.postfix(node, start, sub)
            sup, sub = sup or c.value == "^", sub or c.value == "_"
        self.factor_end = self.i
        return node

    def transpose_follows_peek(self) -> bool:
        t = self.peek()
        return self._is_T(t) or self.at("sym", "{", t) and self._is_T(self.peek(2))

    def postfix(self, node, start, after_sub):
        caret = self.tok
        if self.at("sym", "_"):
            if not isinstance(node, Bracketed):
                raise self.error("a subscript here is not an index of a bracketed expression")
            self.next()
            idx = self.index_list(caret)
            return self.pick(node, idx, start)
        self.next()
        if self.transpose_follows(caret):
            if after_sub:
                raise self.error("a transpose after a subscript prints as (E)^T_{ij} (entry of the transpose?): "
                                 "write ((E)_{ij})^T or ((E)^T)_{ij}", tok=caret)
            node = Transpose(start.pos, self.span(start), unwrap(node))
            self.rows_check(node, start)
            return node
        exp = self.exponent(caret)
        return Power(start.pos, self.span(start), unwrap(node), exp)

    def pick(self, node, idx, start):
        """(E)_i: a component of a bracketed expression."""
        return Pick(start.pos, self.span(start), unwrap(node), idx)

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
        if t.kind in ("letter", "cmd"):
            node = self.spelled()
            if node is not None:
                return node
        if t.kind == "num":
            return self.number()
        if t.kind == "letter":
            return self.letter()
        if t.kind == "sym" and t.value in BRACKETS:      # {…} groups like (…): {a^{(l)}}^T
            return self.bracketed()
        if t.kind == "sym" and t.value in BARS:
            return self.bars()
        if t.kind == "sym" and t.value == "\\cases{":
            return self.cases()
        if t.kind == "cmd":
            handler = self.factor_command(t.value)
            if handler is not None:
                return handler()
        raise self.unexpected("unexpected token")

    def number(self):
        t = self.next()
        return Const(t.pos, t.value, numeric_literal(t.value), True)

    def cases(self):
        """\\begin{cases} value & condition \\\\ … [value & otherwise] \\end{cases} (marked by the tolerance stage)."""
        open_ = self.next()
        rows = []
        while True:
            value = self.expr()
            self.expect("sym", "\\cases&", "& between a cases value and its condition")
            if self.at("cmd", "otherwise"):
                self.next()
                cond = None
            else:
                outside_before = set(self.var_outside)
                self.fn_depth += 1                       # a condition's letters are arguments, as in 1{u > 0}
                lhs = self.expr()
                op = self.relop()
                if op not in COND_OPS:
                    raise self.error("a cases condition is one comparison: u > 0, u \\ge 0, u < 0 or u \\le 0")
                self.next()
                rhs = self.expr()
                self.fn_depth -= 1
                self.var_outside = outside_before
                cond = (lhs, op, rhs)
            rows.append((value, cond))
            if self.at("sym", "\\cases}"):
                self.next()
                break
            self.expect("sym", "\\cases\\\\", "\\\\ between cases rows or \\end{cases}")
            if rows[-1][1] is None:
                raise self.error("the otherwise row of a cases is its last row")
        if len(rows) < 2:
            raise self.error("a cases has at least two rows", tok=open_)
        return Cases(open_.pos, self.span(open_), rows)

    def bars(self):
        """|E|, \\|E\\| (optionally _2 or _F), \\left| E \\right|, \\left\\| E \\right\\|.

        With plain bars, ``|u|v|w|`` prints the same whether it means |u| v |w| or |u |v| w|: a closing bar
        followed by the start of a factor, with another bar of its kind later in the claim, is refused."""
        open_ = self.next()
        close = BARS[open_.value]
        plain = open_.value in PLAIN_BARS
        if plain:
            self.open_bars.append(open_.value)
        self.fn_depth += 1                  # |u| and \|v\| are functions of what they enclose, as \max(u, 0) is
        try:
            if not self.starts_factor() and not self.at("sym", "-") and not self.at("sym", "+"):
                raise self.error(f"expected an expression after {open_.value}")
            inner = self.expr()
        finally:
            self.fn_depth -= 1
            if plain:
                self.open_bars.pop()
        self.expect("sym", close, f"{close} closing the {open_.value} at position {open_.pos}")
        if plain and self.starts_factor() and self.bar_later(close):
            raise self.error(f"which {close} bars pair is ambiguous here (|u|v|w| prints the same as |u |v| w|): "
                             f"write \\left{close} … \\right{close}, or \\cdot between the factors", tok=open_)
        norm = open_.value in ("\\|", "\\left\\|")
        sub = self.norm_subscript() if norm and self.at("sym", "_") else None
        return Bars(open_.pos, self.span(open_), inner, norm, sub)

    def bar_later(self, bar) -> bool:
        """Whether another ``bar`` follows on this side of the relation (bars never pair across a relation)."""
        for t in self.toks[self.i:]:
            if t.kind == "sym" and t.value in SYM_RELOPS or t.kind == "cmd" and t.value in CMD_RELOPS:
                return False
            if t.kind == "sym" and t.value == bar:
                return True
        return False

    def norm_subscript(self):
        """_2, _F, _{2}, _{F} after a norm (any other subscript is an error)."""
        caret = self.next()
        braced = self.at("sym", "{")
        if braced:
            self.next()
        t = self.tok
        if not (t.kind == "num" and t.value == "2" or t.kind == "letter" and t.value == "F"):
            raise self.error("a norm's subscript is 2 (Euclidean) or F (Frobenius)", tok=caret)
        self.next()
        if braced:
            self.expect("sym", "}", "} closing the norm's subscript")
        return t.value

    def bracketed(self):
        """(E), [E], {E}; an Iverson bracket [u > 0] is the indicator of its condition."""
        open_ = self.next()
        close = BRACKETS[open_.value]
        outside_before = set(self.var_outside)
        inner = self.expr()
        op = self.relop()
        if open_.value in ("[", "\\left[") and op in COND_OPS:
            self.var_outside = outside_before            # the condition of an Iverson bracket is an argument
            self.next()
            self.fn_depth += 1
            rhs = self.expr()
            got = chain_condition(self, open_, inner, op, rhs, None)
            self.fn_depth -= 1
            self.expect("sym", close, f"{close} closing the Iverson bracket")
            if isinstance(got, tuple):
                return IndicatorChain(open_.pos, self.span(open_), replace(got[0], token=self.span(open_)),
                                      replace(got[1], token=self.span(open_)))
            return Indicator(open_.pos, self.span(open_), inner, op, rhs)
        self.expect("sym", close, f"{close} closing the {open_.value} at position {open_.pos}")
        if open_.value == "{" and not isinstance(inner, (Quantity, Bracketed)) and \
                type(inner).__name__ not in ("Apply", "Derivative"):
            # {u + v}^2 prints as u + v^2: braces may only wrap one quantity, as in {a^{(l)}}^T
            raise self.error("braces are invisible in print: {…} may wrap only one quantity; use (…) to group",
                             tok=open_, token=self.span(open_))
        return Bracketed(open_.pos, self.span(open_), inner)
