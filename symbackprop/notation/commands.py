r"""The parser's command productions: functions, fractions and derivatives, sums, indicators, shapes.

One method per command (``cmd_<name>``); :meth:`CommandsMixin.factor_command` says which commands may start a
factor. Function spellings go through the profile: ``\sigma`` is the logistic function or the network's
activation as the profile says (``sigma: auto`` refuses the reading where the two differ), ``\varphi``/``\phi``
the activation, ``\operatorname{ReLU}`` the activation of a ReLU network (else max(0, ·)).
"""
from __future__ import annotations

from dataclasses import replace

from .algebra import Frac
from .derivatives import Derivative
from .functions import (COND_OPS, Apply, ClassIndicator, ClassPick, Diag, Indicator, IndicatorChain, Max, MaxOver,
                        Min, MinOver, Softmax, SumOver, Trace, chain_condition)
from .literals import numeric_literal
import sympy as sp

from .nodes import CWidth, Const, Kronecker, Named, Ones, Quantity, Var, bare, split_digits, unwrap, walk
from .scripted import ScriptedMixin

__all__ = ["CommandsMixin", "PARENS"]

PARENS = ("(", "\\left(")                 # what may open a function's argument
FUNCTION_CMDS = frozenset({"varphi", "phi", "sigma", "tanh", "exp", "log", "ln", "Sigma"})
OTHER_CMDS = frozenset({"frac", "hat", "mathcal", "delta", "max", "min", "mathbb", "mathbf", "sum", "nabla", "partial",
                        "diffd"})
KNOWN_CMDS = FUNCTION_CMDS | OTHER_CMDS | {"odot", "circ", "otimes", "cdot", "times", "top", "neq", "ne", "le",
                                           "leq", "ge", "geq", "in", "bullet", "ast"}
OPS = ("softmax", "relu", "sigmoid", "diag", "tr", "tanh", "exp", "log", "max", "prod", "sign")


def _mentions_network(node) -> bool:
    return any(isinstance(n, (Quantity, Derivative, CWidth)) or type(n).__name__ == "Width" for n in walk(node))


class CommandsMixin(ScriptedMixin):
    """Command productions of :class:`~symbackprop.notation.parser.Parser`."""

    def factor_command(self, name):
        """The handler of a command that starts a factor, or None."""
        if name in FUNCTION_CMDS or name.startswith("op:"):
            return self.function
        if name in OTHER_CMDS:
            return getattr(self, "cmd_" + name)
        if "\\" + name in self.p.scalars:
            return self.declared_command
        if name in ("Delta", "lambda") and self.net is not None and not self.net.plain:
            return self.cmd_Delta if name == "Delta" else self.cmd_lambda
        return None

    def known_command(self, name):
        return name in KNOWN_CMDS or name.startswith("op:") or "\\" + name in self.p.scalars or \
            name in ("Delta", "lambda") and self.net is not None and not self.net.plain

    def cmd_Delta(self):
        """Δ^{(l)} in a batch network: ∂L/∂Z^{(l)} of the reduced loss."""
        t = self.tok
        if not self.net.batched:
            raise self.error("\\Delta^{(l)} is the batch error: this network has one example (write \\delta^{(l)}, "
                             "or set network: {batch: m})", tok=t, token="\\Delta")
        self.capital = True
        try:
            return self.layered_command(t, "delta")
        finally:
            self.capital = False

    def cmd_lambda(self):
        """λ: the network's weight decay (network: {l2: λ})."""
        t = self.next()
        if not self.net.l2:
            raise self.error("\\lambda is the weight decay, but this network has none: set network: {l2: …}, or "
                             "declare notation: {scalars: [\\lambda]}", tok=t, token="\\lambda")
        if self.p.preset != "default":
            raise self.error(f"\\lambda in {self.p.preset} notation may scale the decay differently (deeplearning.ai "
                             f"writes λ/(2m) Σ‖W‖²; this network adds λ/2 Σ‖W‖² with λ = {self.net.l2}): write the "
                             f"number, or use the default notation", tok=t, token="\\lambda")
        self.network(t)
        self.readings["\\lambda"] = f"the weight decay {self.net.l2}"
        return Named(t.pos, "\\lambda", sp.Rational(self.net.l2.numerator, self.net.l2.denominator), "\\lambda")

    def declared_command(self):
        t = self.next()
        self.var_names.setdefault(t.value, t.pos)
        self.declared.add(t.value)
        return Var(t.pos, "\\" + t.value, t.value)

    # functions -----------------------------------------------------------------------------------

    def function(self):
        """\\varphi(…), \\sigma'(…), \\tanh^2 …, \\operatorname{softmax}(…), \\Sigma'(…)."""
        t = self.next()
        name = t.value[3:] if t.value.startswith("op:") else t.value
        shown = self.src[t.pos:t.end]
        prime = self.function_prime(shown)
        power = self.function_power(shown, name + "'" * prime)
        if self.at("sym", "_") and name == "log":
            return self.log_base(t, shown, prime, power)
        if self.at("sym", "_"):
            raise self.error(f"{shown} takes no subscript")
        arg = self.function_argument(shown)
        return self.bind_function(t, name, prime, power, arg)

    def function_prime(self, shown):
        if not self.at("sym", "'"):
            return False
        self.next()
        if self.at("sym", "'"):
            raise self.error("second derivatives are not in the vocabulary")
        return True

    def function_power(self, shown, name):
        if not self.at("sym", "^"):
            return 1
        caret = self.next()
        pt = self.tok
        power = self.exponent(caret)
        if power < 1:
            raise self.error(f"{shown}^{{{power}}} could mean the inverse function or a reciprocal: "
                             f"write 1/… with \\frac", tok=pt)
        return power

    def function_argument(self, shown):
        self.fn_depth += 1
        try:
            if self.tok.kind == "sym" and self.tok.value in PARENS:
                return unwrap(self.bracketed())
            if self.starts_factor():
                arg = self.factor()
                if self.starts_factor():
                    raise self.error(f"{shown} without parentheses is ambiguous here ({shown} 2u): write {shown}(…)")
                return arg
            raise self.error(f"{shown} needs an argument")
        finally:
            self.fn_depth -= 1

    def bind_function(self, t, name, prime, power, arg):
        """The node of function ``name`` (as written) applied to ``arg``, through the profile."""
        shown = self.src[t.pos:t.end]
        span = self.span(t)
        if name in ("max", "prod", "sign"):
            raise self.error(f"{shown} is not read here" + (" (d2l's prod is 'multiply after the necessary "
                             "transpositions'): write the product itself" if name == "prod" else ""), tok=t)
        if name in ("softmax", "diag", "tr"):
            if prime or power != 1:
                raise self.error(f"{shown} takes no prime or power here", tok=t)
            node = {"softmax": Softmax, "diag": Diag, "tr": Trace}[name]
            return node(t.pos, span, arg)
        if name == "Sigma":
            if not prime or power != 1:
                raise self.error("\\Sigma is read only as \\Sigma'(z) = \\operatorname{diag}(\\sigma'(z)) (Nielsen): "
                                 "write \\sum_{…} for a sum", tok=t)
            inner = self.bind_function(t, "sigma", True, 1, arg)
            return Diag(t.pos, span, inner)
        what = self.function_reading(t, name, arg)
        if prime:
            what = self.derivative_of(t, what, shown)
        every = self.p.activation_at_output and what.startswith("act") and name not in ("varphi", "phi", "relu")
        return Apply(t.pos, span, what, arg, power, every)

    def function_reading(self, t, name, arg):
        """What the function spelled ``name`` is: 'act', 'logistic', 'tanh', 'exp', 'log', 'relu'."""
        if name in ("varphi", "phi"):
            self.readings["φ"] = "the activation"
            return "act"
        if name in ("tanh", "exp", "log", "ln", "sech"):
            return "log" if name == "ln" else name
        if name == "sigmoid":
            self.readings["σ"] = "logistic"
            return "logistic"
        if name == "relu":
            if self.net is not None and self.net.uniform_activation == "relu":
                self.readings["ReLU"] = "the activation"
                return "act"
            return "relu"
        return self.sigma_reading(t, arg)

    def sigma_reading(self, t, arg):
        mode = self.p.sigma
        if mode == "activation" or "\\sigma" in self.p.activation_function and mode != "logistic":
            self.readings["σ"] = "the activation"
            return "act"
        # a network without hidden layers has no activation: σ can only be the logistic function
        if (mode == "auto" and self.net is not None and self.net.L > 1 and self.net.uniform_activation != "sigmoid"
                and _mentions_network(arg)):
            raise self.error(f"\\sigma has two readings here: the logistic function 1/(1+e^{{-u}}), or the network's "
                             f"activation ({self.net.activation_text}) as in Nielsen's BP1–BP4: declare notation: "
                             f"{{sigma: logistic}} or {{sigma: activation}} (preset nielsen), or write \\varphi for "
                             f"the activation", tok=t)
        self.readings["σ"] = "logistic"
        return "logistic"

    def derivative_of(self, t, what, shown):
        if what == "act":
            return "act'"
        if what == "logistic":
            return "logistic'"
        if what == "relu":
            raise self.error(f"{shown}': ReLU'(0) is a convention this network does not define (its activation is "
                             f"{getattr(self.net, 'activation', '?')}): write \\mathbb{{1}}\\{{u > 0\\}}", tok=t)
        raise self.error(f"{shown}' is not known", tok=t)

    def cmd_min(self):
        return self.cmd_max(Min)

    def cmd_max(self, node=Max):
        t = self.next()
        name = "\\min" if node is Min else "\\max"
        if self.at("sym", "_"):
            return self.max_over(t, MaxOver if node is Max else MinOver)
        if not (self.tok.kind == "sym" and self.tok.value in PARENS):
            raise self.error(f"expected ( after {name}")
        close = {"(": ")", "\\left(": "\\right)"}[self.next().value]
        self.fn_depth += 1
        args = [self.expr()]
        while self.at("sym", ","):
            self.next()
            args.append(self.expr())
        self.fn_depth -= 1
        self.expect("sym", close, f"{close} closing {name}")
        if len(args) < 2:
            raise self.error(f"{name} needs at least two arguments", tok=t, token=name)
        return node(t.pos, self.span(t), args)

    # fractions and derivatives -------------------------------------------------------------------

    def cmd_frac(self):
        t = self.next()
        if self.at("sym", "{") and self.differential(self.i + 1):
            return self.derivative_fraction(t)
        d = self.tok
        if d.kind == "num" and len(d.value) == 2 and d.value.isdigit():       # \frac12: TeX's two one-digit args
            self.next()
            if d.value[1] == "0":
                raise self.error("division by zero", tok=t, token=self.span(t))
            return Const(t.pos, self.span(t), numeric_literal(d.value[0], d.value[1]), False)
        num, den = bare(self.frac_arg(t)), bare(self.frac_arg(t))
        if all(isinstance(n, Const) and n.literal for n in (num, den)):
            if den.value == 0:
                raise self.error("division by zero", tok=t, token=self.span(t))
            return Const(t.pos, self.span(t), numeric_literal(num.token, den.token), False)
        return Frac(t.pos, self.span(t), num, den)

    def differential(self, j):
        """Whether token ``j`` is a differential: ∂, \\mathrm{d}, or a d that cannot be a width (not before _)."""
        tok = self._token_at(j)
        if tok.kind == "cmd" and tok.value in ("partial", "diffd"):
            return True
        if tok.kind == "letter" and tok.value == "d":
            nxt = self._token_at(j + 1)
            return nxt.kind != "end" and not (nxt.kind == "sym" and nxt.value == "_")
        return False

    def derivative_fraction(self, t):
        """\\frac{∂A}{∂B}, \\frac{dA}{dB}, and the operator form \\frac{∂}{∂B} A."""
        self.next()
        self.next()
        if self.at("sym", "}"):                       # \frac{\partial}{\partial B} A
            self.next()
            den = self.derivative_denominator()
            num = self.diff_quantity(loss_ok=True)
            return self.make_derivative(t, num, den)
        num = self.diff_quantity(loss_ok=True)
        self.expect("sym", "}", "} closing the numerator of the derivative")
        den = self.derivative_denominator()
        return self.make_derivative(t, num, den)

    def derivative_denominator(self):
        self.expect("sym", "{", "{\\partial …} as the denominator")
        if not self.differential(self.i):
            raise self.error("expected \\partial in the denominator")
        self.next()
        den = self.diff_quantity(loss_ok=False)
        self.expect("sym", "}", "} closing the denominator of the derivative")
        return den

    def make_derivative(self, t, num, den, nabla=False):
        self.network(t)
        if isinstance(den, ClassPick):                 # CS231n's ∂L_i/∂f_{y_i}: the gradient's entry at the class
            grad = Derivative(t.pos, self.span(t), num, den.arg, nabla, self.p.jacobian)
            return ClassPick(t.pos, self.span(t), grad)
        return Derivative(t.pos, self.span(t), num, den, nabla, self.p.jacobian)

    def diff_quantity(self, loss_ok):
        """A network quantity after ∂ (or under ∇); bare L is the loss when ``loss_ok``."""
        t = self.tok
        if loss_ok and self.at("letter", "L") and not self.at("sym", "_", self.peek()) and \
                r"\mathcal{L}" in self.p.cost:
            self.next()
            self.network(t)
            return Quantity(t.pos, "L", "loss")
        if self.at("sym", "{"):                        # \\partial{\\mathcal{L}}: braces around the quantity
            self.next()
            node = self.diff_quantity(loss_ok)
            self.expect("sym", "}", "} closing the quantity")
            return node
        node = self.as_quantity(self.factor())
        if not loss_ok and isinstance(node, ClassPick) and isinstance(node.arg, Quantity) and \
                node.arg.kind != "loss":
            return node                                # f_{y_i} in a denominator (see make_derivative)
        if not isinstance(node, Quantity) or node.kind == "loss" and not loss_ok:
            raise self.error("unsupported derivative: ∂ must be followed by a network quantity", tok=t,
                             token=self.src[t.pos:self.toks[self.i - 1].end])
        return node

    def as_quantity(self, node):
        """(Q)_{jk} of a whole quantity Q is Q with that index; anything else as it is."""
        b = bare(node)
        if type(b).__name__ == "Pick" and isinstance(bare(b.arg), Quantity) and bare(b.arg).idx is None:
            q = bare(b.arg)
            return Quantity(q.pos, b.token, q.kind, q.layer, b.idx, q.transposed, q.implied)
        return b

    def cmd_partial(self):
        """∂A/∂B (slash form) and ∂_B A."""
        t = self.next()
        if self.at("sym", "_"):
            caret = self.next()
            if self.script_group(caret, "subscript"):
                den = self.diff_quantity(loss_ok=False)
                self.expect("sym", "}", "} closing the subscript of \\partial")
            else:
                den = self.one_token(lambda: self.diff_quantity(loss_ok=False))
            num = self.diff_quantity(loss_ok=True)
            return self.make_derivative(t, num, den)
        num = self.diff_quantity(loss_ok=True)
        self.expect("sym", "/", "/ \\partial … (a derivative written ∂A/∂B)")
        if not self.at("cmd", "partial"):
            raise self.error("expected \\partial after / (a derivative written ∂A/∂B)")
        self.next()
        den = self.diff_quantity(loss_ok=False)
        return self.make_derivative(t, num, den)

    def cmd_diffd(self):
        raise self.error("\\mathrm{d} is read only in a derivative \\frac{\\mathrm{d} A}{\\mathrm{d} B}")

    def cmd_nabla(self):
        t = self.next()
        caret = self.expect("sym", "_", "_{…} after \\nabla")
        if self.script_group(caret, "subscript"):
            den = self.nabla_subscript()
            self.expect("sym", "}", "} closing the subscript of \\nabla")
        else:
            den = self.one_token(self.nabla_subscript)
        num = self.diff_quantity(loss_ok=True)
        if num.kind != "loss":
            raise self.error("\\nabla_{…} is read only for the loss (\\nabla_{W}\\mathcal{L}); write a Jacobian as "
                             "\\frac{\\partial …}{\\partial …}", tok=t, token=self.span(t))
        if self.at("sym", "^"):
            raise self.error("a power or transpose after \\nabla_{…}\\mathcal{L} is ambiguous: use parentheses")
        return self.make_derivative(t, num, den, nabla=True)

    def nabla_subscript(self):
        """The variable of ∇: a network quantity; Nielsen's ∇_a C is the gradient in the output activations."""
        t = self.tok
        if self.p.nabla_a_output and self.at("letter", self.p.activation) and not self.at("sym", "^", self.peek()) \
                and not self.at("sym", "_", self.peek()):
            self.next()
            self.network(t)
            return Quantity(t.pos, t.value, "yhat")
        return self.diff_quantity(loss_ok=False)

    # sums ----------------------------------------------------------------------------------------

    def cmd_sum(self):
        t = self.next()
        if not self.at("sym", "_"):
            raise self.error("a sum needs its index: write \\sum_{k=1}^{C} or \\sum_k")
        caret = self.next()
        braced = self.script_group(caret, "sum index")
        v = self.tok
        if not (v.kind == "letter" and v.value.islower() and v.value not in self.index_excluded()):
            raise self.error(f"a sum index must be a single lowercase letter (not {', '.join(sorted(self.index_excluded()))})")
        self.next()
        if v.value in self.active:
            raise self.error(f"index {v.value} is already bound by an enclosing sum", tok=v, token=v.value)
        lo, hi = 1, None
        if braced and self.at("sym", "="):
            lo, hi = self.sum_bounds()
        elif braced:
            self.expect("sym", "}", "} after the sum index (or = and the bounds)")
            if self.at("sym", "^"):
                raise self.error("a sum with an upper bound needs its lower bound: write \\sum_{k=1}^{…}")
        self.bound_names.setdefault(v.value, v.pos)
        self.active.append(v.value)
        start, first_use = self.i, len(self.unit_uses)
        body = self.signed_product()
        self.active.pop()
        letters = {x.value for x in self.toks[start:self.i]
                   if x.kind == "letter" and (x.value in self.index_names or x.value in self.bound_names)}
        if letters == {v.value}:                     # the sum's letter alone (see Parser.sum_letter_check)
            self.sum_alone += [u for u in self.unit_uses[first_use:] if u[0] != "W" and u[2] == (v.value,)]
        return SumOver(t.pos, self.span(t), v.value, lo, hi, body)

    def sum_bounds(self):
        self.next()
        lo = self.tok
        if not (lo.kind == "num" and "." not in lo.value and int(lo.value) >= 1):
            raise self.error("the lower bound of a sum must be a positive integer")
        self.next()
        self.expect("sym", "}", "} after the lower bound")
        caret = self.expect("sym", "^", "^{upper bound} of the sum")
        return int(lo.value), self.size_script(caret)

    def size_script(self, caret):
        """A size after the ^ ``caret``: ^3, ^C or ^{…} with one size inside."""
        if not self.script_group(caret, "size"):
            node = self.dimension(grouped=False)
            sign, n = self.tok, self.peek()
            if ((self.at("sym", "-") or self.at("sym", "+")) and n.kind == "num"
                    and sign.pos == self.toks[self.i - 1].end and n.pos == sign.end):
                raise self.error(f"TeX reads ^{self.src[node.pos:n.end]} as ^{self.src[node.pos:sign.pos]} followed by "
                                 f"{sign.value}{n.value}: write ^{{{self.src[node.pos:n.end]}}} for the bound, or put a "
                                 f"space after ^{self.src[node.pos:sign.pos]}", tok=sign)
            return node
        node = self.dimension(grouped=True)
        if self.at("sym", "-") or self.at("sym", "+"):
            node = self.size_shift(node)
        self.expect("sym", "}", "} closing the size")
        return node

    def dimension(self, grouped):
        """A size: an integer, the number of classes, a width (d_l) or a named size; grouped or TeX's one token."""
        braced = grouped and self.at("sym", "{")
        if braced:
            self.next()
        t = self.tok
        if t.kind == "num" and "." not in t.value:
            self.next()
            node = Const(t.pos, t.value, int(t.value))
        elif self.p.classes and self.at("letter", self.p.classes) and not self.at("sym", "_", self.peek()):
            self.next()
            self.network(t)
            node = CWidth(t.pos, t.value)
        elif t.kind == "letter" and t.value in dict(self.p.size_names):
            node = self.named_size()
        elif (t.kind == "letter" and t.value == "m" and self.net is not None and self.net.batched
              and not self.at("sym", "_", self.peek())):
            self.next()                          # the batch size bounds a sum over examples: \sum_{i=1}^{m}
            self.network(t)
            self.readings["m"] = f"the batch size {self.net.batch}"
            node = Named(t.pos, "m", sp.Integer(self.net.batch), "m")
        elif self.at("letter", self.p.widths):
            if not grouped and self.p.layers != "bare":
                raise self.error(f"write the size in braces: \\mathbb{{R}}^{{{t.value}_l}} (TeX reads ^{t.value}_l as "
                                 f"^{t.value} then _l)")
            node = self.width()
        else:
            raise self.error(f"a size must be an integer, {self.p.classes or 'the number of classes'} or "
                             f"{self.p.widths}_l")
        if braced:
            self.expect("sym", "}", "} closing the size")
        return node

    # indicators and shapes -----------------------------------------------------------------------

    def cmd_mathbb(self):
        t = self.next()
        if self.command_arg("num", "1"):
            return self.indicator(t, ("\\{", "[", "\\left\\{", "\\left[", "(", "\\left("))
        raise self.error("only \\mathbb{1} (indicator) and \\mathbb{R} (after \\in) are known", tok=t,
                         token="\\mathbb")

    def cmd_mathbf(self):
        t = self.next()
        if self.command_arg("num", "1"):
            openers = ("_", "\\{", "[", "\\left\\{", "\\left[", "(", "\\left(")
            if self.net is not None and self.net.batched and not (self.tok.kind == "sym" and self.tok.value in openers):
                self.network(t)
                self.readings["\\mathbf{1}"] = f"the all-ones column of length m = {self.net.batch}"
                return Ones(t.pos, "\\mathbf{1}")
            return self.indicator(t, openers)
        raise self.error("only \\mathbf{1} (indicator) is known", tok=t, token="\\mathbf")

    def indicator(self, t, openers):
        closers = {"\\{": "\\}", "[": "]", "_": "}", "\\left\\{": "\\right\\}", "\\left[": "\\right]", "(": ")",
                   "\\left(": "\\right)"}
        o = self.tok
        if not (o.kind == "sym" and o.value in openers):
            raise self.error(f"the indicator needs its condition in {' or '.join(openers[:2])}")
        self.next()
        if o.value == "_":
            self.expect("sym", "{", "{ after \\mathbf{1}_")
        if self.p.class_index_target:
            got = self.class_condition(t, closers[o.value])
            if got is not None:
                return got
        self.fn_depth += 1
        lhs = self.expr()
        op = self.relop()
        if op not in COND_OPS:
            raise self.error("an indicator condition needs one of > < \\ge \\le \\geq \\leq")
        self.next()
        rhs = self.expr()
        got = chain_condition(self, t, lhs, op, rhs, None)
        self.fn_depth -= 1
        self.expect("sym", closers[o.value], f"{closers[o.value]} closing the indicator")
        if isinstance(got, tuple):
            return IndicatorChain(t.pos, self.span(t), replace(got[0], token=self.span(t)),
                                  replace(got[1], token=self.span(t)))
        return Indicator(t.pos, self.span(t), lhs, op, rhs)

    def class_condition(self, t, close):
        """CS231n's 1(y_i = k) / 1(k = y_i): the one-hot target's entry y_k (y_i is the correct class)."""
        y = self.p.target
        j = self.i
        pattern_a = [("letter", y), ("sym", "_"), ("letter", "i"), ("sym", "=")]
        toks = [(x.kind, x.value) for x in self.toks[j:j + 4]]
        if toks == pattern_a:
            self.i += 4
            k = self.index_item()
        elif [(x.kind, x.value) for x in self.toks[j + 1:j + 5]] == [("sym", "="), ("letter", y), ("sym", "_"),
                                                                     ("letter", "i")]:
            k = self.index_item()
            self.i += 4
        else:
            return None
        self.expect("sym", close, f"{close} closing the indicator")
        self.network(t)
        self.readings["y_i"] = "the correct class (one-hot y)"
        return ClassIndicator(t.pos, self.span(t), k)

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

    # δ: the error of a layer, or Kronecker's delta -----------------------------------------------

    def cmd_delta(self):
        t = self.tok
        if self.p.error != "\\delta":
            return self.kronecker_only(t)
        if self.at("sym", "_", self.peek()) and not self.layer_after_sub():
            return self.delta_subscript(t)
        return self.layered_command(t, "delta")

    def kronecker_only(self, t):
        self.next()
        if not self.at("sym", "_"):
            raise self.error("\\delta is Kronecker's delta in this notation and takes two indices", tok=t)
        idx = split_digits(self.index_list(self.next()))
        if len(idx) != 2:
            raise self.error("the Kronecker delta \\delta_{ik} takes two indices", tok=t, token=self.span(t))
        return Kronecker(t.pos, self.span(t), idx)

    def delta_subscript(self, t):
        """δ_{ik} (Kronecker) or, under Bishop's units-by-index, δ_j (the error of unit j)."""
        save = self.i
        self.next()
        idx = split_digits(self.index_list(self.next()))
        if len(idx) == 2:
            return Kronecker(t.pos, self.span(t), idx)
        if self.p.units_by_index:
            self.i = save
            return self.layered_command(t, "delta")
        raise self.error("\\delta_j without a layer has two readings: Kronecker's delta takes two indices "
                         "(\\delta_{ij}), the error of a layer needs its layer (\\delta^{(l)}_j); Bishop's δ_j (the "
                         "error of unit j, layer by index letter) is notation: {preset: bishop}", tok=t,
                         token=self.span(t))

    def layer_after_sub(self) -> bool:
        """Whether \\delta_{…} is followed by a layer superscript in the profile's style (then it is δ^{(l)})."""
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
        if j < len(tk) and tk[j].value == "^" and self.p.layers == "bare":
            return True
        opener = {"paren": "(", "bracket": "["}.get(self.p.layers)
        return j + 2 < len(tk) and tk[j].value == "^" and tk[j + 1].value == "{" and tk[j + 2].value == opener

