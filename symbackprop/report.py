"""Render derivation and check results as text (optionally coloured) or JSON-ready dicts."""
from __future__ import annotations

import html

from .check import DIAGNOSES

__all__ = ["derive_record", "render_derive_text", "render_check_text", "render_check_html", "network_line"]

_COLORS = {"green": "32", "red": "31", "yellow": "33", "magenta": "35", "bold": "1", "dim": "2"}


def _c(text, color, on):
    return f"\033[{_COLORS[color]}m{text}\033[0m" if on else text


def network_line(net) -> str:
    """One line describing a network."""
    extra = ""
    if net.activation == "relu":
        extra = f", relu'(0) = {net.relu_prime_at_zero}"
    elif net.activation == "leaky_relu":
        extra = f", slope {net.negative_slope}"
    return (f"sizes {'-'.join(map(str, net.sizes))}, {net.activation} hidden, {net.output} + {net.loss}, "
            f"{net.weights} weights{extra}")


def derive_record(form, numeric=None) -> dict:
    """The JSON record of one closed form (with numeric errors vs both witnesses when known)."""
    rec = {"name": form.name, "shape": list(form.shape), "closed_form": {"latex": form.latex,
           "sympy": form.sympy_form}, "proved": form.proved, "method": form.method,
           "assumptions": [a.text for a in form.assumptions]}
    if numeric is not None:
        rec["numeric"] = numeric
    return rec


def render_derive_text(net, records, color=False) -> str:
    """Human-readable derive output: one block per closed form."""
    lines = [_c(network_line(net), "bold", color)]
    for r in records:
        mark = _c("✓ proved", "green", color) if r["proved"] else _c("✗ NOT proved", "red", color)
        lines.append(f"{mark}  {r['name']:<22} {r['closed_form']['latex']}")
        lines.append(f"      shape {'×'.join(map(str, r['shape']))}; {r['method']}")
        for a in r["assumptions"]:
            lines.append(f"      assumes {a}")
        num = r.get("numeric")
        if num:
            parts = [f"{k} {v:.1e}" for k, v in num.items() if isinstance(v, float)]
            if parts:
                lines.append("      max rel. error: " + ", ".join(parts))
    return "\n".join(lines)


_MARK = {"proved": ("✓", "green"), "numerically-equal": ("≈", "green"), "refuted": ("✗", "red"),
         "error": ("!", "magenta"), "inconclusive": ("?", "yellow")}


def _details(r) -> list:
    """(kind, text) lines under a claim's verdict: step, message, diagnosis, counterexample, assumptions."""
    out = []
    if r.step is not None and r.verdict == "refuted":
        out.append(("step", f"fails at step {r.step}"))
    if r.message:
        out.append(("message", r.message))
    if r.diagnosis:
        out.append(("diagnosis", f"diagnosis: {r.diagnosis} — {DIAGNOSES[r.diagnosis]}"))
    if r.counterexample and r.counterexample.get("values"):
        vals = ", ".join(f"{k} = {v}" for k, v in r.counterexample["values"].items())
        out.append(("counterexample", f"counterexample: {vals}"))
    if r.assumptions and r.verdict in ("proved", "numerically-equal"):
        out.append(("assumptions", f"assumptions: {'; '.join(r.assumptions)}"))
    return out


def render_check_text(report, color=False) -> str:
    """Human-readable check output for one derivation file."""
    spec = report.spec
    head = str(spec.path) + (f" — {spec.title}" if spec.title else "")
    lines = [_c(head, "bold", color), "  " + network_line(spec.network)]
    width = min(max([len(r.id) for r in report.results] + [8]), 30)
    for r in report.results:
        sym, col = _MARK[r.verdict]
        if not r.as_expected:
            col = "red" if r.verdict in ("refuted", "proved", "numerically-equal") else col
        if r.verdict == "refuted" and r.as_expected:
            col = "green"
        exp = "" if r.expect else " (expected to fail)"
        status = "as expected" if r.as_expected else "NOT as expected"
        lines.append(f"  {_c(sym, col, color)} {r.id:<{width}}  {_c(r.verdict, col, color)}{exp}  "
                     f"[{status}, {r.seconds:.2f}s]")
        lines += ["      " + ln for _, text in _details(r) for ln in text.splitlines()]
    summ = ", ".join(f"{n} {v}" for v, n in report.summary().items())
    verdict = "all as expected" if report.ok else "SOME CLAIMS NOT AS EXPECTED"
    lines.append(f"  summary: {summ} — {_c(verdict, 'green' if report.ok else 'red', color)}")
    return "\n".join(lines)


_HTML_COLORS = {"proved": "#1a7f37", "numerically-equal": "#1a7f37", "refuted": "#cf222e",
                "error": "#8250df", "inconclusive": "#9a6700"}


def render_check_html(report) -> str:
    """An HTML table of one file's verdicts (``FileReport._repr_html_``); every user string escaped."""
    e = html.escape
    head = e(str(report.spec.path)) + (f" — {e(report.spec.title)}" if report.spec.title else "")
    rows = []
    for r in report.results:
        color = _HTML_COLORS[r.verdict] if r.as_expected or r.verdict == "inconclusive" else "#cf222e"
        detail = [f'<pre style="margin:0">{e(text)}</pre>' if kind == "message" else e(text)
                  for kind, text in _details(r)]
        rows.append(f"<tr><td><code>{e(r.id)}</code></td><td><code>{e(r.claim)}</code></td>"
                    f"<td style=\"color:{color}\"><b>{e(r.verdict)}</b>{'' if r.expect else ' (expected to fail)'}"
                    f"{'' if r.as_expected else ' — not as expected'}</td><td>{'<br>'.join(detail)}</td></tr>")
    summ = e(", ".join(f"{n} {v}" for v, n in report.summary().items()))
    return (f"<div><b>{head}</b><table><thead><tr><th>id</th><th>claim</th><th>verdict</th><th>details</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table><p>{summ}</p></div>")
