"""LaTeX export: the closed-form gradients of a network, and check reports, as compilable documents.

Only amsmath/amssymb are used. Equations are written in the course notation so that every exported
closed form reads back through :mod:`symbackprop.notation` (tested as a round trip). User text from a
derivation file is typeset only when the notation layer accepted it (it then contains nothing but the
vocabulary); anything else is printed verbatim with every special character escaped.
"""
from __future__ import annotations

import sympy as sp

from .closed_forms import closed_forms
from .network import Network, graph
from .rules import phi_prime

__all__ = ["export_document", "export_fragment", "export_report", "escape_text", "EXPANDED_MAX_ENTRIES",
           "network_math", "forms_math", "report_math"]

EXPANDED_MAX_ENTRIES = 400     # --expanded writes entries only for networks up to this many gradient entries
_TERMS_PER_LINE = 4            # terms of an expanded sum per printed line (keeps lines inside the page)
_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\allowdisplaybreaks
\begin{document}
"""
_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
_VERDICT_TEX = {"proved": r"\textbf{proved}", "numerically-equal": r"\textbf{numerically equal}",
                "refuted": r"\textbf{refuted}", "error": r"\textbf{error}",
                "inconclusive": r"\textbf{inconclusive}"}


_BREAK_AFTER = "/_,-."           # long paths, identifiers and numbers may break after these


def escape_text(text: str) -> str:
    """``text`` escaped for LaTeX text mode (nothing in it is interpreted); may break after / _ ,"""
    text = "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in str(text))
    return "".join(_ESCAPES.get(ch, ch) + ("\\allowbreak{}" if ch in _BREAK_AFTER else "") for ch in text)


def _convention(net: Network) -> str:
    if net.weights == "outgoing":
        return r"z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}, \quad W^{(l)} \in \mathbb{R}^{d_{l+1} \times d_l}"
    return r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}, \quad W^{(l)} \in \mathbb{R}^{d_l \times d_{l-1}}"


def _network_tex(net: Network) -> str:
    """An itemized description of the network and its conventions."""
    sizes = ", ".join(map(str, net.sizes))
    prime = ""
    if net.activation == "relu":
        prime = rf", with the convention $\varphi'(0) = {sp.latex(sp.nsimplify(net.relu_prime_at_zero))}$"
    elif net.activation == "leaky_relu":
        prime = rf", negative slope ${sp.latex(sp.nsimplify(net.negative_slope))}$"
    items = [rf"layer sizes $d_0, \dots, d_L = {sizes}$ ($L = {net.L}$, $C = d_L = {net.C}$)",
             rf"hidden activation $\varphi$: {escape_text(net.activation)}{prime}",
             rf"output {escape_text(net.output)}, loss {escape_text(net.loss)}",
             rf"weights: ${_convention(net)}$; $a^{{(0)}} = x$, $\hat{{y}} = a^{{(L)}}$"]
    return "\\begin{itemize}\n" + "\n".join(rf"\item {i}" for i in items) + "\n\\end{itemize}\n"


def _shape_tex(form) -> str:
    m, n = form.shape
    return rf"\mathbb{{R}}^{{{m}}}" if n == 1 else rf"\mathbb{{R}}^{{{m} \times {n}}}"


def _lhs(latex: str) -> str:
    return latex.split(" = ", 1)[0]


def _layer_of(form):
    q = form.quantity
    return None if q[0] == "output-jacobian" else q


def _forms_by_layer(net: Network):
    """Closed forms grouped by the layer they belong to, output layer first."""
    groups = {}
    for form in closed_forms(net):
        q = _layer_of(form)
        if q is None:
            continue
        layer = q[1] if q[0] == "delta" else net.edge(q[1]) + 1
        groups.setdefault(layer, []).append(form)
    return sorted(groups.items(), reverse=True)


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
    for i in range(net.C):
        out.append(_broken(rf"\delta^{{({L})}}_{{{i + 1}}}", [g.yhat[i], -g.y[i]], names))
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


def _math_name(text: str) -> str:
    return r"\mathrm{" + str(text).replace("_", r"\_") + "}"


def network_math(net: Network) -> str:
    """One display describing ``net`` (``Network._repr_latex_``)."""
    arrow = r" \to ".join(map(str, net.sizes))
    return (rf"$${arrow}:\ \varphi = {_math_name(net.activation)},\ {_math_name(net.output)} + "
            rf"{_math_name(net.loss)},\quad {_convention(net)}$$")


def forms_math(net: Network) -> str:
    """Every closed form of ``net`` in one aligned display (``Derivation._repr_latex_``)."""
    rows = [f.latex.replace(" = ", " &= ", 1) for _, forms in _forms_by_layer(net) for f in forms]
    return "$$\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}$$"


def report_math(report) -> str:
    """Claims and verdicts of a file report as one display (``FileReport._repr_latex_``).

    A claim is typeset only when the notation layer read it (verdict other than error).
    """
    rows = []
    for r in report.results:
        claim = r"\text{(not typeset: the claim could not be read)}" if r.verdict == "error" \
            else " ".join(r.claim.split())
        mark = "" if r.as_expected else r"\ (\text{not as expected})"
        rows.append(rf"{_math_name(r.id)} & {claim} & \textbf{{{r.verdict}}}{mark}")
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


def _split_chain(text: str) -> list:
    """The sides of a relation chain, split at top-level ``=`` (for a multi-line display)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch == "=" and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _claim_math(result) -> str:
    """The claim typeset (only when it was read by the notation layer), else verbatim text."""
    if result.verdict == "error" or "\n" in result.claim:
        return "\\begin{quote}\\ttfamily\\raggedright " + escape_text(result.claim) + "\\end{quote}"
    sides = _split_chain(" ".join(result.claim.split()))
    rows = []
    for k, side in enumerate(sides):
        head, *rest = _split_terms(side)
        rows.append(head if k == 0 else f"&= {head}" if k > 1 else f"{rows.pop()} &= {head}")
        rows += [f"&\\quad {t}" for t in rest]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


_ROW_CHARS = 70     # source characters of a claim per typeset row


def _split_terms(side: str) -> list:
    """A long side cut at top-level + and - into rows of about _ROW_CHARS source characters."""
    cuts, depth = [0], 0
    for i, ch in enumerate(side):
        if ch in "{([":
            depth += 1
        elif ch in "})]":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0 and side[:i].rstrip()[-1:] not in ("^", "_", "", "=", "{"):
            if i - cuts[-1] >= _ROW_CHARS:
                cuts.append(i)
    return [side[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(side)])]


def _result_tex(result) -> str:
    lines = [f"\\subsection*{{\\texttt{{{escape_text(result.id)}}}: {_VERDICT_TEX.get(result.verdict, '?')}"
             f"{'' if result.as_expected else ' (not as expected)'}}}"]
    for cond in result.given:
        lines.append("Given: \\texttt{" + escape_text(cond) + "}\\par")
    lines.append(_claim_math(result))
    if result.step:
        lines.append(f"First failing step: {result.step}.\\par")
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
        lines.append("Assumptions: " + escape_text("; ".join(result.assumptions)) + ".\\par")
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
