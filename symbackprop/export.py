"""LaTeX export: the closed-form gradients of a network, and check reports, as compilable documents.

Only amsmath/amssymb are used. Equations are written in the course notation so that every exported
closed form reads back through :mod:`symbackprop.notation` (tested as a round trip). User text from a
derivation file never reaches TeX as written: a claim or given is typeset only as our own canonical LaTeX
of its parse (``ClaimResult.read_as``, re-checked by :func:`safe_math`); everything else (unread claims,
titles, ids, paths, messages, values) goes through :func:`escape_text` / :func:`escape_math_text`.
"""
from __future__ import annotations

import unicodedata

import sympy as sp

from .closed_forms import closed_forms, statements
from .network import Network, graph
from .rules import ACTIVATIONS, HEADS, PARAMETERS, kink_conventions, phi_prime

__all__ = ["export_document", "export_fragment", "export_report", "escape_text", "escape_math_text", "safe_math",
           "EXPANDED_MAX_ENTRIES", "network_math", "forms_math", "report_math"]

EXPANDED_MAX_ENTRIES = 400     # --expanded writes entries only for networks up to this many gradient entries
_TERMS_PER_LINE = 4            # terms of an expanded sum per printed line (keeps lines inside the page)
# amssymb has no blackboard-bold digits: \mathbb{1} silently prints the glyph ⊮ (pdflatex says nothing).
# The source keeps the course's \mathbb{1} (it reads back through the notation layer); the document
# prints the indicator as a bold 1, the usual fallback (Goodfellow et al. write \mathbf{1}).
_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\allowdisplaybreaks
\let\SBPmathbb\mathbb
\def\SBPone{1}
\renewcommand{\mathbb}[1]{\def\SBParg{#1}\ifx\SBParg\SBPone\mathbf{1}\else\SBPmathbb{#1}\fi}
\begin{document}
"""
_VERDICT_TEX = {"proved": r"\textbf{proved}", "numerically-equal": r"\textbf{numerically equal}",
                "refuted": r"\textbf{refuted}", "error": r"\textbf{error}",
                "inconclusive": r"\textbf{inconclusive}"}


# ---------------------------------------------------------------------------------------------
# user text: one rendering path. Anything from a derivation file (title, ids, path, claims, givens,
# messages, values) is either our own canonical LaTeX of the parsed claim (``ClaimResult.read_as``),
# re-checked below against a closed vocabulary, or printed as escaped text. Raw user TeX never reaches
# the document: pdflatex -no-shell-escape still runs \input, \openin, \catcode and ^^ escapes.

_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
_MATH_ESCAPES = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "%": r"\%", "_": r"\_", "^": r"\hat{}", "~": r"\sim ", "'": "{'}", " ": r"\ "}
_GREEK = ("alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma "
          "tau upsilon varphi chi psi omega").split()
_GREEK_UPPER = "A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X Psi Omega".split()
# characters with a math-mode meaning: typeset as that symbol (text mode wraps it in \ensuremath)
_MATH_CHARS = {
    **{chr(0x3B1 + i): ("\\" + g if len(g) > 1 else g) for i, g in enumerate(_GREEK)},
    **{chr(0x391 + i): ("\\" + g if len(g) > 1 else g) for i, g in enumerate(_GREEK_UPPER) if g != "-"},
    "ϕ": r"\phi", "ϑ": r"\vartheta", "ϵ": r"\epsilon", "ϱ": r"\varrho", "ϖ": r"\varpi", "µ": r"\mu",
    "∂": r"\partial", "∇": r"\nabla", "⊙": r"\odot", "∘": r"\circ", "⊗": r"\otimes", "⊕": r"\oplus",
    "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∑": r"\sum", "∏": r"\prod", "∫": r"\int",
    "≤": r"\le", "≥": r"\ge", "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∈": r"\in", "∉": r"\notin",
    "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "↦": r"\mapsto",
    "∞": r"\infty", "±": r"\pm", "∓": r"\mp", "√": r"\surd", "⊤": r"\top", "ᵀ": r"^{\top}", "⟨": r"\langle",
    "⟩": r"\rangle", "‖": r"\|", "∀": r"\forall", "∃": r"\exists", "∧": r"\wedge", "∨": r"\vee",
    "¬": r"\neg", "∪": r"\cup", "∩": r"\cap", "⊂": r"\subset", "⊆": r"\subseteq", "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "ℚ": r"\mathbb{Q}", "ℓ": r"\ell", "÷": r"\div",
    "′": r"^{\prime}", "″": r"^{\prime\prime}", "°": r"^{\circ}", "−": "-", "∗": r"\ast", "…": r"\ldots",
    "⋯": r"\cdots", "∅": r"\emptyset", "⊥": r"\perp", "∝": r"\propto", "∼": r"\sim", "≃": r"\simeq",
    **{ch: f"^{{{d}}}" for d, ch in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}, "²": "^{2}", "³": "^{3}", "¹": "^{1}",
    **{chr(0x2080 + d): f"_{{{d}}}" for d in range(10)}}
# text-only characters that exist in OT1 fonts (anything else prints as [U+XXXX])
_TEXT_CHARS = {"–": "-", "—": "-", "‘": "`", "’": "'", "“": "``", "”": "''", "„": ",,", "ß": r"\ss{}",
               "æ": r"\ae{}", "Æ": r"\AE{}", "œ": r"\oe{}", "Œ": r"\OE{}", "ø": r"\o{}", "Ø": r"\O{}",
               "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}", "§": r"\S{}", "¶": r"\P{}", "©": r"\copyright{}",
               "£": r"\pounds{}", "¿": r"?`", "¡": r"!`", "½": "1/2", "¼": "1/4", "¾": "3/4"}
# combining accents (after NFD) with an OT1 text command and a math accent
_ACCENTS = {"\u0300": ("`", r"\grave"), "\u0301": ("'", r"\acute"), "\u0302": ("^", r"\hat"),
            "\u0303": ("~", r"\tilde"), "\u0304": ("=", r"\bar"), "\u0306": ("u", r"\breve"),
            "\u0307": (".", r"\dot"), "\u0308": ('"', r"\ddot"), "\u030c": ("v", r"\check"),
            "\u030a": ("r", r"\mathring")}
_BREAK_AFTER = "/_,-.=+"        # long paths, identifiers, numbers and claims may break after these
_RUN_MAX = 12                  # characters without a break opportunity before one is forced


def _accented(ch: str, math: bool):
    """``ch`` as an ASCII letter with one accent (ŷ → \\^{y} or \\hat{y}), or None."""
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in _ACCENTS:
        text, accent = _ACCENTS[parts[1]]
        base = r"\i" if parts[0] == "i" and not math else r"\imath" if parts[0] == "i" else parts[0]
        return f"{accent}{{{base}}}" if math else f"\\{text}{{{base}}}"
    return None


def _codepoint(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def _normalized(text) -> str:
    """NFC text with control characters removed and every kind of white space made a plain space."""
    text = unicodedata.normalize("NFC", str(text))
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\v\f" or cat in ("Zs", "Zl", "Zp"):
            out.append(" ")
        elif cat != "Cc":
            out.append(ch)
    return "".join(out)


def _text_char(ch: str) -> str:
    if ch.isascii():
        return _ESCAPES.get(ch, ch)
    if ch in _MATH_CHARS:
        return rf"\ensuremath{{{_MATH_CHARS[ch]}}}"
    return _TEXT_CHARS.get(ch) or _accented(ch, False) or _codepoint(ch)


def escape_text(text) -> str:
    """``text`` for LaTeX text mode: nothing in it is interpreted, any Unicode compiles, long runs break.

    Control characters are dropped, white space becomes a space, TeX specials and common math characters
    (δ ∂ ⊙ ᵀ − ′) become their commands, accented letters OT1 accents, and anything else ``[U+XXXX]``.
    A line break is allowed after / _ , - . = + and at least every _RUN_MAX characters.
    """
    out, run = [], 0
    for ch in _normalized(text):
        out.append(_text_char(ch))
        run = 0 if ch == " " else run + 1
        if ch in _BREAK_AFTER or run >= _RUN_MAX:
            out.append(r"\allowbreak{}")
            run = 0
    return "".join(out)


def escape_math_text(text) -> str:
    """``text`` as upright characters for math mode (LaTeX and MathJax), nothing in it interpreted."""
    out = []
    for ch in _normalized(text):
        if ch.isascii():
            out.append(_MATH_ESCAPES.get(ch, ch))
        else:
            sym = _MATH_CHARS.get(ch) or _accented(ch, True) or _codepoint(ch)
            out.append("{}" + sym if sym[0] in "^_" else sym)      # x²³ must not be a double superscript
    return r"\mathrm{" + "".join(out) + "}"


# the canonical LaTeX of a parsed claim is re-read here against a closed vocabulary: if our generator
# ever emitted something TeX cannot typeset (or something unsafe), the claim is printed as text instead

_ARGS = {"frac": 2, "dfrac": 2, "tfrac": 2, "hat": 1, "widehat": 1, "bar": 1, "tilde": 1, "vec": 1,
         "overline": 1, "mathcal": 1, "mathbb": 1, "mathbf": 1, "mathrm": 1, "operatorname": 1, "sqrt": 1,
         "boldsymbol": 1}
_DELIMITED = {"bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big"}
_SYMBOLS = set("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi
    pi rho varrho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi
    Psi Omega top intercal prime infty partial nabla ast star ell imath""".split())
_OPERATORS = set("""odot circ otimes oplus cdot times div pm mp le leq ge geq ne neq in notin approx
    equiv to mapsto sum prod log ln exp tanh sinh cosh sin cos max min quad qquad ldots cdots dots
    langle rangle lvert rvert lVert rVert""".split())
_DELIMS = set("()[]|./")
_DELIM_CMDS = {"langle", "rangle", "lvert", "rvert", "lVert", "rVert", "{", "}", "|"}
_SPACES = {",", ";", "!", ":", " ", "{", "}", "|"}       # control symbols allowed as atoms
_SCRIPT_CHARS = set("+-*/=<>()[]|.,;:!?")
_MAX_NESTING = 40


def _tex_tokens(tex: str):
    """(kind, value, start) tokens of ``tex``: 'cs' control word, 'sym' control symbol, 'ch' character;
    None if anything outside printable ASCII or a TeX special that must not appear (% # & $ ~ ^^) is in it."""
    if not tex or not all(" " <= c <= "~" for c in tex) or any(c in tex for c in "%#&$~") or "^^" in tex:
        return None
    toks, i = [], 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            if j == i + 1:
                if j >= len(tex):
                    return None
                toks.append(("sym", tex[j], i))
                i = j + 1
            else:
                toks.append(("cs", tex[i + 1:j], i))
                i = j
        elif c != " ":
            toks.append(("ch", c, i))
            i += 1
        else:
            i += 1
    return toks


class _Unsafe(Exception):
    """The canonical LaTeX is outside the vocabulary this renderer can vouch for."""


class _MathReader:
    """Re-reads math against TeX's rules for what it typesets without error (groups, \\left/\\right pairs,
    one superscript and one subscript per atom, what an unbraced argument may be)."""

    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self):
        return self.toks[self.i][:2] if self.i < len(self.toks) else (None, None)

    def take(self):
        tok = self.peek()
        if tok[0] is None:
            raise _Unsafe("unexpected end")
        self.i += 1
        return tok

    def arg(self, depth, script=False):
        """One argument: a braced group, a letter or digit, a symbol (or, after ^ and _, one sign)."""
        kind, val = self.take()
        if (kind, val) == ("ch", "{"):
            self.items(depth + 1, "}")
        elif kind == "ch" and (val.isalnum() or script and val in _SCRIPT_CHARS):
            pass
        elif not (kind == "cs" and val in _SYMBOLS):
            raise _Unsafe(f"argument {val!r}")

    def delimiter(self):
        kind, val = self.take()
        if not (kind == "ch" and val in _DELIMS or kind in ("cs", "sym") and val in _DELIM_CMDS):
            raise _Unsafe(f"delimiter {val!r}")

    def items(self, depth, end):
        """A math list up to ``end`` ('}' or 'right' or None for the end of input)."""
        if depth > _MAX_NESTING:
            raise _Unsafe("nesting")
        sup = sub = prime = False
        while True:
            kind, val = self.peek()
            if kind is None or (kind, val) in (("ch", "}"), ("cs", "right")):
                if (end is None) != (kind is None) or kind is not None and val != end:
                    raise _Unsafe(f"unbalanced {val!r}")
                self.i += kind is not None
                return
            self.i += 1
            if kind == "ch" and val in "^_":
                if (sup and not prime) if val == "^" else sub:
                    raise _Unsafe("double script")
                self.arg(depth, script=True)
                sup, sub, prime = sup or val == "^", sub or val == "_", False
                continue
            if (kind, val) == ("ch", "'"):
                if sup and not prime:
                    raise _Unsafe("prime after a superscript")
                sup = prime = True
                continue
            sup = sub = prime = False          # anything else starts a new atom
            self.atom(kind, val, depth)

    def atom(self, kind, val, depth):
        if kind == "ch":
            if val == "{":
                self.items(depth + 1, "}")
            elif not (val.isalnum() or val in _SCRIPT_CHARS):
                raise _Unsafe(f"character {val!r}")
        elif kind == "sym":
            if val not in _SPACES:
                raise _Unsafe(f"control symbol {val!r}")
        elif val == "left":
            self.delimiter()
            self.items(depth + 1, "right")
            self.delimiter()
        elif val in _DELIMITED:
            self.delimiter()
        elif val in _ARGS:
            if val == "sqrt" and self.peek() == ("ch", "["):
                raise _Unsafe("optional argument")
            for _ in range(_ARGS[val]):
                self.arg(depth)
        elif val not in _SYMBOLS and val not in _OPERATORS:
            raise _Unsafe(f"command {val!r}")


def safe_math(tex) -> str | None:
    """``tex`` (our canonical LaTeX of a parsed claim) when it is in the vocabulary and TeX typesets it
    without error; otherwise None (the caller then prints the user's text escaped)."""
    toks = _tex_tokens(tex) if isinstance(tex, str) else None
    if toks is None:
        return None
    try:
        _MathReader(toks).items(0, None)
    except _Unsafe:
        return None
    return " ".join(tex.split())


def _convention(net: Network) -> str:
    if not net.plain:
        return _batch_convention(net)
    if net.weights == "outgoing":
        return r"z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, \quad W^{(l)} \in \mathbb{R}^{d_{l+1} \times d_l}"
    return r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \quad W^{(l)} \in \mathbb{R}^{d_l \times d_{l-1}}"


def _batch_convention(net: Network) -> str:
    """The forward pass of a batch / rows / decay / no-bias network (outgoing labels: l+1 from l)."""
    out_l, in_l = ("l+1", "l") if net.weights == "outgoing" else ("l", "l-1")
    lab, big = "l", net.batched
    Z, A = (f"Z^{{({out_l})}}", f"A^{{({in_l})}}") if big else (f"z^{{({out_l})}}", f"a^{{({in_l})}}")
    W, b = f"W^{{({lab})}}", f"b^{{({lab})}}"
    dout, din = ("d_{l+1}", "d_l") if net.weights == "outgoing" else ("d_l", "d_{l-1}")
    if net.rows:
        prod, shape = f"{A} {W}", rf"{W} \in \mathbb{{R}}^{{{din} \times {dout}}}"
        bias = rf" + \mathbf{{1}} {b}" if big else f" + {b}"
    else:
        prod, shape = f"{W} {A}", rf"{W} \in \mathbb{{R}}^{{{dout} \times {din}}}"
        bias = rf" + {b} \mathbf{{1}}^{{\top}}" if big else f" + {b}"
    text = f"{Z} = {prod}{bias if net.bias else ''}, \\quad {shape}"
    if big:
        red = r"\frac{1}{m} \sum_{n=1}^{m}" if net.reduction == "mean" else r"\sum_{n=1}^{m}"
        text += rf", \quad m = {net.batch}, \quad \mathcal{{L}} = {red} \mathcal{{L}}_n"
    if net.l2 and not big:
        text += r", \quad \mathcal{L} = \ell(\hat{y}, y)"
    if net.l2:
        text += rf" + \frac{{\lambda}}{{2}} \sum_l \|W^{{(l)}}\|_F^2, \quad \lambda = {sp.latex(sp.Rational(net.l2.numerator, net.l2.denominator))}"
    return text


def _activation_tex(net: Network, name: str) -> str:
    """One activation with the parameters it reads and the conventions at its kinks (from its rule)."""
    params = [rf"{escape_text(p.replace('_', ' '))} ${sp.latex(sp.Rational(getattr(net, p)))}$"
              for p in ACTIVATIONS[name].params if PARAMETERS[p].described]
    conv = [f"${a.latex}$" for a in kink_conventions(net, (name,))]
    conv = [("with the convention " if len(conv) == 1 else "with the conventions ") + ", ".join(conv)] if conv else []
    return ", ".join([escape_text(name)] + params + conv)


def _network_tex(net: Network) -> str:
    """An itemized description of the network and its conventions."""
    sizes = ", ".join(map(str, net.sizes))
    if net.uniform_activation is not None:
        hidden = rf"hidden activation $\varphi$: {_activation_tex(net, net.uniform_activation)}"
    else:
        hidden = "hidden activations: " + "; ".join(f"layer {l}: {_activation_tex(net, net.activation_of(l))}"
                                                     for l in range(1, net.L))
    items = [rf"layer sizes $d_0, \dots, d_L = {sizes}$ ($L = {net.L}$, $C = d_L = {net.C}$)",
             hidden,
             rf"output {escape_text(net.output)}, loss {escape_text(net.loss)}",
             rf"weights: ${_convention(net)}$; " + (r"$A^{(0)} = X$, $\hat{Y} = A^{(L)}$" if net.batched else
                                                      rf"$a^{{(0)}} = x$, $\hat{{y}} = a^{{(L)}}$")]
    return "\\begin{itemize}\n" + "\n".join(rf"\item {i}" for i in items) + "\n\\end{itemize}\n"


def _shape_tex(form) -> str:
    m, n = form.shape
    return rf"\mathbb{{R}}^{{{m}}}" if n == 1 else rf"\mathbb{{R}}^{{{m} \times {n}}}"


def _lhs(latex: str) -> str:
    return latex.split(" = ", 1)[0]


def _layer_of(form):
    q = form.quantity
    return None if q[0] == "output-jacobian" else q


def _by_layer(net: Network, forms):
    """Closed forms (or their statements) grouped by the layer they belong to, output layer first."""
    groups = {}
    for form in forms:
        q = _layer_of(form)
        if q is None:
            continue
        layer = q[1] if q[0] == "delta" else net.edge(q[1]) + 1
        groups.setdefault(layer, []).append(form)
    return sorted(groups.items(), reverse=True)


def _forms_by_layer(net: Network):
    """The proved closed forms, grouped by layer, output layer first."""
    return _by_layer(net, closed_forms(net))


def export_fragment(net: Network) -> str:
    """Only the equations: for every layer, δ, ∇_W L and ∇_b L with shapes (for pasting into notes)."""
    lines = []
    for _, forms in _forms_by_layer(net):
        rows = []
        for f in forms:
            rows.append(f.latex.replace(" = ", " &= ", 1))
            if f.quantity[0] in ("grad_W", "grad_b"):
                rows.append(f"{_lhs(f.latex)} &\\in {_shape_tex(f)}")
        lines.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(lines) + "\n"


def _assumption_lines(net: Network) -> str:
    seen = {}
    for f in closed_forms(net):
        for a in f.assumptions:
            seen.setdefault(a.name, a)
    if not seen:
        return "No assumption was needed.\n"
    rows = [rf"\item ${a.latex}$: {escape_text(a.text)}" for a in seen.values()]
    return "Assumptions used by the proofs:\n\\begin{itemize}\n" + "\n".join(rows) + "\n\\end{itemize}\n"


def _status_lines(net: Network) -> str:
    bad = [f.name for f in closed_forms(net) if not f.proved]
    if not bad:
        return "Every closed form below was proved exactly (the difference to the derived gradient simplifies to 0).\n"
    return ("\\textbf{Not proved:} " + escape_text(", ".join(bad)) + ".\n")


# ---------------------------------------------------------------------------------------------
# expanded entries


def _names(net: Network) -> dict:
    """LaTeX names of the graph's symbols, in course notation."""
    g = graph(net)
    names = {}
    for i, s in enumerate(g.x):
        names[s] = f"x_{{{i + 1}}}"
    for i, s in enumerate(g.y):
        names[s] = f"y_{{{i + 1}}}"
    for i, s in enumerate(g.yhat):
        names[s] = rf"\hat{{y}}_{{{i + 1}}}"
    for l, z in g.z.items():
        for i, s in enumerate(z):
            names[s] = f"z^{{({l})}}_{{{i + 1}}}"
    for l, a in g.a.items():
        if 0 < l < net.L:
            for i, s in enumerate(a):
                names[s] = f"a^{{({l})}}_{{{i + 1}}}"
    for k, (W, b) in enumerate(zip(g.W, g.b)):
        lab = net.param_label(k)
        for (i, j), s in zip(((i, j) for i in range(W.rows) for j in range(W.cols)), W):
            names[s] = f"W^{{({lab})}}_{{{i + 1}{j + 1}}}" if max(W.shape) < 10 else \
                f"W^{{({lab})}}_{{{i + 1},{j + 1}}}"
        for i, s in enumerate(b):
            names[s] = f"b^{{({lab})}}_{{{i + 1}}}"
    return names


def _broken(lhs: str, terms: list, names: dict, prefix: str = "") -> str:
    """``lhs = prefix (t1 + t2 + …)`` with at most _TERMS_PER_LINE terms per line (multline)."""
    tex = [sp.latex(t, symbol_names=names) for t in terms]
    chunks = [tex[i:i + _TERMS_PER_LINE] for i in range(0, len(tex), _TERMS_PER_LINE)] or [["0"]]
    body = []
    for n, chunk in enumerate(chunks):
        line = " + ".join(chunk).replace("+ -", "- ")
        body.append(line if n == 0 else "+ " + line if not line.startswith("-") else line)
    if prefix and len(chunks) > 1:
        text = f"{lhs} = {prefix}\\bigl({body[0]}" + "".join(f" \\\\\n  {b}" for b in body[1:]) + "\\bigr)"
    elif prefix:
        text = f"{lhs} = {prefix}\\left({body[0]}\\right)"
    else:
        text = f"{lhs} = {body[0]}" + "".join(f" \\\\\n  {b}" for b in body[1:])
    env = "multline*" if len(chunks) > 1 else "equation*"
    return f"\\begin{{{env}}}\n{text}\n\\end{{{env}}}"


def _expanded(net: Network) -> str:
    """Entry-by-entry formulas, each written in the next layer's δ (one chain-rule step)."""
    if not net.plain:        # the entries below are one example's, in columns, with biases and no decay
        return ("Expanded entries omitted: they are written for one example in columns, with biases and no "
                "weight decay; this network has a batch, the rows layout, weight decay or no biases.\n")
    g = graph(net)
    total = sum(len(W) + len(b) for W, b in zip(g.W, g.b)) + sum(net.sizes[1:])
    if total > EXPANDED_MAX_ENTRIES:
        return (f"Expanded entries omitted: the network has {total} gradient entries "
                f"(more than {EXPANDED_MAX_ENTRIES}).\n")
    names = _names(net)
    dsym = {l: g.delta_symbols(l) for l in range(1, net.L + 1)}
    for l, syms in dsym.items():
        for i, s in enumerate(syms):
            names[s] = rf"\delta^{{({l})}}_{{{i + 1}}}"
    out = ["\\subsection*{Expanded entries}",
           "Each entry is written in terms of the error $\\delta$ of the next layer."]
    L = net.L
    output_error = HEADS[(net.output, net.loss)].delta(g.yhat, g.y)
    for i in range(net.C):
        terms = sorted(sp.Add.make_args(output_error[i]), key=lambda t: t.could_extract_minus_sign())
        out.append(_broken(rf"\delta^{{({L})}}_{{{i + 1}}}", terms, names))
    for l in range(L - 1, 0, -1):
        W = g.W[l]
        for i in range(net.sizes[l]):
            terms = [W[j, i] * dsym[l + 1][j] for j in range(net.sizes[l + 1])]
            prefix = sp.latex(phi_prime(g.z[l][i]), symbol_names=names) + " "
            out.append(_broken(rf"\delta^{{({l})}}_{{{i + 1}}}", terms, names, prefix))
    for k in range(L):
        lab = net.param_label(k)
        W = g.W[k]
        rows = []
        for i in range(W.rows):
            for j in range(W.cols):
                rows.append(rf"\frac{{\partial \mathcal{{L}}}}{{\partial {names[W[i, j]]}}} &= "
                            + sp.latex(dsym[k + 1][i] * g.a[k][j], symbol_names=names))
            rows.append(rf"\frac{{\partial \mathcal{{L}}}}{{\partial {names[g.b[k][i]]}}} &= "
                        + sp.latex(dsym[k + 1][i], symbol_names=names))
        out.append(f"Parameters $W^{{({lab})}}, b^{{({lab})}}$:")
        out.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# notebook (MathJax) forms: one display each, no document, no text-mode escapes


def network_math(net: Network) -> str:
    """One display describing ``net`` (``Network._repr_latex_``)."""
    arrow = r" \to ".join(map(str, net.sizes))
    if net.uniform_activation is not None:
        phi = rf"\varphi = {escape_math_text(net.uniform_activation)}"
    else:
        phi = r",\ ".join(rf"\varphi^{{({l})}} = {escape_math_text(net.activation_of(l))}" for l in range(1, net.L))
    return (rf"$${arrow}:\ {phi},\ {escape_math_text(net.output)} + "
            rf"{escape_math_text(net.loss)},\quad {_convention(net)}$$")


def forms_math(net: Network) -> str:
    """Every closed form of ``net`` as stated, in one aligned display (``Derivation._repr_latex_``).

    Only the statements: nothing is derived or proved here, so showing a derivation in a notebook never
    runs an unbounded proof (``symbackprop derive`` proves them in a bounded worker).
    """
    rows = [st.latex.replace(" = ", " &= ", 1) for _, group in _by_layer(net, statements(net)) for st in group]
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


def _verdict_word(verdict) -> str:
    return verdict if verdict in _VERDICT_TEX else "unknown"


def _givens_read(result) -> list | None:
    """The canonical LaTeX of every given (vouched for by safe_math), or None if any is missing."""
    read = tuple(result.read_as_given or ())
    if len(read) != len(result.given):
        return None
    safe = [safe_math(g) for g in read]
    return None if None in safe else safe


def report_math(report) -> str:
    """Claims and verdicts of a file report as one display (``FileReport._repr_latex_``).

    A claim is typeset only as our canonical LaTeX of its parse (``read_as``); a claim that was not read
    (error, or stopped before parsing) is not typeset at all. Ids go through escape_math_text.
    """
    rows = []
    for r in report.results:
        claim, givens = safe_math(r.read_as), _givens_read(r)
        if claim is None:
            why = "the claim could not be read" if r.verdict == "error" else "the claim was not read"
            claim = rf"\text{{(not typeset: {why})}}"
        elif r.given:
            claim = (r"\text{given } " + r",\ ".join(givens) if givens is not None else
                     r"\text{given (not typeset)}") + r":\quad " + claim
        mark = "" if r.as_expected else r"\ (\text{not as expected})"
        rows.append(rf"{escape_math_text(r.id)} & {claim} & \textbf{{{_verdict_word(r.verdict)}}}{mark}")
    return "$$\\begin{array}{lll}\n" + " \\\\\n".join(rows) + "\n\\end{array}$$"


def export_document(net: Network, *, fragment: bool = False, expanded: bool = False) -> str:
    """A complete LaTeX document (or, with ``fragment``, only the equations) of the gradients of ``net``."""
    if fragment:
        return export_fragment(net) + (_expanded(net) if expanded else "")
    parts = [_PREAMBLE,
             f"\\section*{{Backpropagation for a {'--'.join(map(str, net.sizes))} network}}\n",
             _network_tex(net), _assumption_lines(net), _status_lines(net),
             "\\subsection*{Closed forms, layer by layer}\n", export_fragment(net)]
    if expanded:
        parts.append(_expanded(net))
    parts.append("\\end{document}\n")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------
# check reports


_ROW_CHARS = 70     # source characters of a claim per typeset row
_ROW_MAX = 150      # a row that cannot be cut below this is not typeset (the claim is printed as text)
_CUT_CMDS = {"cdot", "odot", "otimes", "times"}
_NO_CUT_AFTER = {("ch", c) for c in "^_=<>([{+-*/,"} | {("cs", c) for c in _OPERATORS}


def _top_level(toks):
    """Indices of the tokens outside braces and \\left…\\right that are not the argument of ^ or _
    (cutting a row before such a token keeps both rows valid TeX)."""
    depth, prev = 0, None
    for k, (kind, val, _) in enumerate(toks):
        if depth == 0 and prev not in (("ch", "^"), ("ch", "_")):
            yield k
        if (kind, val) in (("ch", "{"), ("cs", "left")):
            depth += 1
        elif (kind, val) in (("ch", "}"), ("cs", "right")):
            depth -= 1
        prev = (kind, val)


def _claim_rows(math) -> list | None:
    """Rows of an align* for the canonical LaTeX ``math``: one per step of a chain ``A = B = C``, long
    sides cut before top-level + - \\cdot \\odot; None when some row stays longer than _ROW_MAX."""
    if math is None:
        return None
    toks = _tex_tokens(math)
    top = list(_top_level(toks))
    eqs = [toks[k][2] for k in top if toks[k][:2] == ("ch", "=")]
    bounds = [-1] + eqs + [len(math)]
    rows = []
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        cuts = [toks[k][2] for k in top if a < toks[k][2] < b and k > 0 and toks[k - 1][2] > a
                and toks[k - 1][:2] not in _NO_CUT_AFTER
                and (toks[k][:2] in (("ch", "+"), ("ch", "-")) or toks[k][0] == "cs" and toks[k][1] in _CUT_CMDS)]
        pieces, last = [], a + 1
        for c in cuts:
            if c - last >= _ROW_CHARS:
                pieces.append(math[last:c].strip())
                last = c
        pieces.append(math[last:b].strip())
        head, rest = pieces[0], pieces[1:]
        rows.append(head if n == 0 else f"&= {head}" if n > 1 else f"{rows.pop()} &= {head}")
        rows += [f"&\\quad {t}" for t in rest]
    return None if any(len(r) > _ROW_MAX + 8 for r in rows) else rows


def _claim_tex(result) -> str:
    """The claim as our canonical LaTeX of its parse, else the user's text verbatim (escaped)."""
    rows = _claim_rows(safe_math(result.read_as))
    if rows is None:
        return "\\begin{quote}\\ttfamily\\raggedright " + escape_text(result.claim) + "\\end{quote}"
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _given_tex(result) -> list:
    read = _givens_read(result)
    out = []
    for k, cond in enumerate(result.given):
        if read is not None and len(read[k]) <= _ROW_MAX:
            out.append(f"Given: ${read[k]}$.\\par")
        else:
            out.append("Given: \\texttt{" + escape_text(cond) + "}\\par")
    return out


def _result_tex(result) -> str:
    verdict = _VERDICT_TEX.get(result.verdict, r"\textbf{unknown verdict}")
    lines = [f"\\subsection*{{\\texttt{{{escape_text(result.id)}}}: {verdict}"
             f"{'' if result.as_expected else ' (not as expected)'}}}"]
    lines += _given_tex(result)
    lines.append(_claim_tex(result))
    if result.step:
        lines.append(f"First failing step: {escape_text(result.step)}.\\par")
    if result.message:
        lines.append(escape_text(result.message) + "\\par")
    if result.diagnosis:
        lines.append(f"Diagnosis: \\texttt{{{escape_text(result.diagnosis)}}}.\\par")
    ce = result.counterexample
    if ce:
        vals = ce.get("values") or {}
        items = [f"\\item \\texttt{{{escape_text(k)} = {escape_text(v)}}}" for k, v in list(vals.items())[:12]]
        if items:
            lines.append("Counterexample values:\n\\begin{itemize}\n" + "\n".join(items) + "\n\\end{itemize}")
    if result.assumptions:
        lines.append("Assumptions: " + escape_text("; ".join(map(str, result.assumptions))) + ".\\par")
    return "\n".join(lines)


def export_report(reports) -> str:
    """A LaTeX document of check reports (``symbackprop check --format tex``)."""
    parts = [_PREAMBLE, "\\raggedright\\sloppy\n"]     # user text (paths, ids, values) may not hyphenate
    for rep in reports:
        spec = rep.spec
        title = spec.title or str(spec.path)
        parts.append(f"\\section*{{{escape_text(title)}}}")
        parts.append(f"File \\texttt{{{escape_text(spec.path)}}}.\n")
        parts.append(_network_tex(spec.network))
        summary = ", ".join(f"{n} {escape_text(v)}" for v, n in rep.summary().items())
        parts.append(f"Summary: {summary}.\n")
        parts.extend(_result_tex(r) for r in rep.results)
    parts.append("\\end{document}\n")
    return "\n".join(parts)
