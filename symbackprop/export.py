"""LaTeX export: the closed-form gradients of a network, and check reports, as compilable documents.

Only amsmath/amssymb are used. Equations are written in the course notation so that every exported
closed form reads back through :mod:`symbackprop.notation` (tested as a round trip). User text from a
derivation file never reaches TeX as written: a claim or given is typeset only as our own canonical LaTeX
of its parse (``ClaimResult.read_as``, re-checked by :func:`safe_math`); everything else (unread claims,
titles, ids, paths, messages, values) goes through :func:`escape_text` / :func:`escape_math_text`
(:mod:`symbackprop.texsafe`, the one rendering path of user text; re-exported here).
"""
from __future__ import annotations

import re

import sympy as sp

from .check import DIAGNOSES
from .closed_forms import closed_forms, statements
from .network import Network, graph
from .report import FileError, course_name, course_text, shows_assumptions, shows_step, step_sides
from .rules import ACTIVATIONS, HEADS, ONEHOT_SUM, PARAMETERS, kink_conventions, phi_prime
from .texsafe import MATH_OPERATORS, escape_math_text, escape_text, escape_tt, math_number, safe_math, tex_tokens
from .verdicts import style

__all__ = ["export_document", "export_fragment", "export_report", "export_with_claims", "claims_fragment",
           "math_number", "escape_text", "escape_math_text", "safe_math",
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
    """The proved closed forms, grouped by layer, output layer first; in each layer δ^(l) first, then
    the gradients that use it (a quantity is defined before it is used)."""
    return [(layer, sorted(forms, key=lambda f: f.quantity[0] != "delta")) for layer, forms in
            _by_layer(net, closed_forms(net))]


def _printed(net: Network, latex: str) -> str:
    """A closed form as printed: one labelling of the layers (δ^(L) as δ^(3), as every other layer is
    written) and a lone symbol transposed without parentheses (x^T, not (x)^T)."""
    return (latex.replace(r"\delta^{(L)}", rf"\delta^{{({net.L})}}")
            .replace(r"(x)^{\top}", r"x^{\top}"))


def export_fragment(net: Network) -> str:
    """Only the equations: for every layer, δ, ∇_W L and ∇_b L with shapes (for pasting into notes)."""
    lines = []
    for _, forms in _forms_by_layer(net):
        rows = []
        for f in forms:
            rows.append(_printed(net, f.latex).replace(" = ", " &= ", 1))
            if f.quantity[0] in ("grad_W", "grad_b"):
                rows.append(f"{_lhs(f.latex)} &\\in {_shape_tex(f)}")
        lines.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(lines) + "\n"


def _assumption_words(a) -> str:
    """What an assumption says in words, without repeating its formula in ASCII ('the target is one-hot')."""
    return _assumption_words_text(a.text)


def _assumption_words_text(text) -> str:
    text = text.split(":", 1)[0] if ":" in text else text
    if "(" in text and text.rstrip().endswith(")"):
        text = text[text.rindex("(") + 1:-1]
    return text.strip()


def _assumption_lines(net: Network) -> str:
    """The assumptions the proofs used, each once: the kink conventions are stated with the network above."""
    seen = {}
    for f in closed_forms(net):
        for a in f.assumptions:
            seen.setdefault(a.name, a)
    stated = {a.name for a in kink_conventions(net)}
    own = [a for a in seen.values() if a.name not in stated]
    if not seen:
        return "No assumption was needed.\n"
    parts = [rf"${a.latex}$ ({escape_text(_assumption_words(a))})" for a in own]
    if len(own) < len(seen):
        parts.append("the convention" + ("s" if len(seen) - len(own) > 1 else "") + " at the kink stated above")
    return "The proofs assume " + " and ".join(parts) + ".\n"


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
    rows = [_printed(net, st.latex).replace(" = ", " &= ", 1) for _, group in _by_layer(net, statements(net))
            for st in sorted(group, key=lambda st: st.quantity[0] != "delta")]
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


def _verdict_word(verdict) -> str:
    return verdict if style(verdict) else "unknown"


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
_NO_CUT_AFTER = {("ch", c) for c in "^_=<>([{+-*/,"} | {("cs", c) for c in MATH_OPERATORS}


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
    toks = tex_tokens(math)
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
        return "\\begin{quote}\\ttfamily\\raggedright " + escape_tt(result.claim) + "\\end{quote}"
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _given_tex(result) -> list:
    read = _givens_read(result)
    out = []
    for k, cond in enumerate(result.given):
        if read is not None and len(read[k]) <= _ROW_MAX:
            out.append(f"Given: ${read[k]}$.\\par")
        else:
            out.append("Given: \\texttt{" + escape_tt(cond) + "}\\par")
    return out


_CE_COLUMNS = 3      # name/value pairs per row of a counterexample table


def _value_name(name) -> str:
    """A counterexample value's name in course notation (W^{(2)}_{11}, \\hat{y}_{1}); a claim's own
    scalar as escaped upright text."""
    tex = course_name(name)[0]
    return tex if tex is not None and safe_math(tex) else escape_math_text(name)


def _counterexample_tex(ce) -> list:
    """The counterexample as a sentence (point, entry, both sides' values) and a small table of the values
    the entry uses, in course notation; says when the list is cut."""
    lines = []
    entry = escape_text(ce.get("entry") or "")
    sides = []
    if ce.get("lhs") is not None and ce.get("rhs") is not None:
        sides = [rf"the left side is ${math_number(ce['lhs'])}$, the right side ${math_number(ce['rhs'])}$"]
    given = ", ".join(f"{escape_text(k)} = {escape_text(v)}" for k, v in (ce.get("assignment") or {}).items())
    lines.append(f"Counterexample{f' with {given}' if given else ''} at a "
                 f"{escape_text(course_text(ce.get('point') or 'sample'))} point, entry {entry}"
                 + (": " + sides[0] if sides else "") + ".\\par")
    vals = list((ce.get("values") or {}).items())
    if vals:
        cells = [rf"${_value_name(k)} = {math_number(v)}$" for k, v in vals]
        cols = _CE_COLUMNS if max(len(str(v)) for _, v in vals) <= 10 else _CE_COLUMNS - 1   # inside the page
        rows = [" & ".join(cells[i:i + cols]) for i in range(0, len(cells), cols)]
        lines.append("\\begin{tabular}{@{}" + "l" * min(cols, len(cells)) + "@{}}\n"
                     + " \\\\\n".join(rows) + "\n\\end{tabular}\\par")
        total = ce.get("values_total") or len(vals)
        if total > len(vals):
            lines.append(f"(The first {len(vals)} of the {total} values this entry uses; "
                         f"\\texttt{{--verbose}} and JSON give the complete point.)\\par")
    return lines


def _without_excerpt(message: str) -> str:
    """An error message without its source excerpt and ``^`` pointer lines (a terminal's picture; the
    report shows the claim above it, and the message names the token and its position)."""
    lines = message.split("\n")
    if len(lines) >= 3 and re.fullmatch(r"\s*\^+\s*", lines[-1]):
        return "\n".join(lines[:-2]).rstrip()
    return message


def _result_tex(result, net=None) -> str:
    verdict = style(result.verdict).tex if style(result.verdict) else r"\textbf{unknown verdict}"
    lines = [f"\\subsection*{{\\texttt{{{escape_tt(result.id)}}}: {verdict}"
             f"{'' if result.as_expected else ' (not as expected)'}}}"]
    lines += _given_tex(result)
    lines.append(_claim_tex(result))
    sides = step_sides(result)
    if shows_step(result):                                    # the rule every rendering shares
        left, right = (safe_math(sides[0]), safe_math(sides[1])) if sides else (None, None)
        shown = f": ${left} = {right}$" if left and right and len(left) + len(right) <= _ROW_MAX else ""
        lines.append(f"First failing step: {escape_text(result.step)}{shown}.\\par")
    ce = result.counterexample
    message = result.message
    if ce and re.match(r"(with [^:]*: )?at \S+ point", message or ""):     # said by the sentence below
        message = "; ".join(message.split("; note: ")[1:])
    if message:
        lines.append(escape_text(_without_excerpt(message)) + "\\par")
    if result.diagnosis:
        lines.append(f"Diagnosis: \\texttt{{{escape_tt(result.diagnosis)}}} --- "
                     f"{escape_text(DIAGNOSES.get(result.diagnosis, ''))}\\par")
    if ce:
        lines += _counterexample_tex(ce)
    if shows_assumptions(result):
        known = {a.text: a.latex for a in (ONEHOT_SUM, *(kink_conventions(net) if net is not None else ()))}
        said = [f"${known[a]}$ ({escape_text(_assumption_words_text(a))})" if a in known else escape_text(a)
                for a in map(str, result.assumptions)]
        lines.append("Assumptions: " + "; ".join(said) + ".\\par")
    return "\n".join(lines)


def _file_tex(rep) -> list:
    """The section of one file of a check report (or of a file that could not be read)."""
    if isinstance(rep, FileError):
        return [f"\\section*{{{escape_text(rep.path)}}}", f"Not checked: {escape_text(rep.message)}\n"]
    spec = rep.spec
    parts = [f"\\section*{{{escape_text(spec.title or str(spec.path))}}}",
             f"File \\texttt{{{escape_tt(spec.path)}}}.\n", _network_tex(spec.network)]
    summary = ", ".join(f"{n} {escape_text(v)}" for v, n in rep.summary().items())
    parts.append(f"Summary: {summary}.\n")
    return parts + [_result_tex(r, spec.network) for r in rep.results]


def export_report(reports) -> str:
    """A LaTeX document of check reports (``symbackprop check --format tex``); a file that could not be
    read (``report.FileError``) is a section saying why."""
    parts = [_PREAMBLE, "\\raggedright\\sloppy\n"]     # user text (paths, ids, values) may not hyphenate
    for rep in reports:
        parts += _file_tex(rep)
    parts.append("\\end{document}\n")
    return "\n".join(parts)


def claims_fragment(report) -> str:
    """The claims of a checked file as equations, each tagged with its verdict (``export --from FILE
    --fragment``); a claim that was not read is a LaTeX comment naming its id."""
    out = []
    for r in report.results:
        rows = _claim_rows(safe_math(r.read_as))
        word = _verdict_word(r.verdict).replace("-", " ")
        if rows is None:
            out.append(f"% {escape_text(r.id)}: {word} (not typeset: the claim was not read)")
            continue
        rows[-1] += rf" \tag*{{\text{{{escape_text(r.id)}: {word}}}}}"
        out.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
    return "\n".join(out) + "\n"


def export_with_claims(report, *, fragment: bool = False, expanded: bool = False) -> str:
    """``export --from FILE``: the network's closed forms, then the file's own claims with their verdicts."""
    net = report.spec.network
    if fragment:
        return export_document(net, fragment=True, expanded=expanded) + claims_fragment(report)
    doc = export_document(net, expanded=expanded)
    title = report.spec.title or str(report.spec.path)
    claims = ["\\raggedright\\sloppy", f"\\section*{{Claims of {escape_text(title)}}}", f"File \\texttt{{{escape_tt(report.spec.path)}}}; "
              f"summary: {', '.join(f'{n} {escape_text(v)}' for v, n in report.summary().items())}.\n"]
    claims += [_result_tex(r, net) for r in report.results]
    return doc.replace("\\end{document}\n", "\n".join(claims) + "\n\\end{document}\n")
