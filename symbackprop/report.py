"""Render derivation and check results as text (optionally coloured) or JSON-ready dicts.

Every string that can come from a user (path, title, id, claim, message, values) passes through
:func:`terminal_safe` before it is printed: a derivation file must not be able to move the cursor, set
the window title, rewrite earlier lines (CR) or reorder them (bidi overrides) in the student's terminal.
"""
from __future__ import annotations

import html
import re
import unicodedata

from .check import DIAGNOSES

__all__ = ["derive_record", "render_derive_text", "render_check_text", "render_check_html", "network_line",
           "terminal_safe", "check_text_width", "check_text_head", "check_text_claim", "check_text_summary"]

# ESC sequences and their 8-bit (C1) forms, removed whole so that no payload (an OSC title) is printed:
# CSI (ESC [ … final), OSC/DCS/SOS/PM/APC strings up to BEL, ST or the end of the line, and ESC + one char
_ESC_SEQ = re.compile(r"""
      (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]?
    | (?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c\n]* (?:\x07|\x9c|\x1b\\)?
    | \x1b [ -/]* [0-~]?
""", re.X)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_safe(text, multiline: bool = False) -> str:
    """``text`` with every escape sequence, control character (C0, DEL, C1) and bidi override removed.

    Single-line fields (paths, titles, ids, values) get their line breaks and tabs as spaces; with
    ``multiline`` (messages) LF and tab are kept and CR / CRLF become LF (a bare CR would overwrite the
    line already printed). Unicode line and paragraph separators count as line breaks.
    """
    text = _ESC_SEQ.sub("", str(text)).replace("\r\n", "\n")
    keep = "\n\t" if multiline else ""
    out = []
    for ch in text:
        if ch in keep:
            out.append(ch)
        elif ch in "\r\n\u2028\u2029\x0b\x0c":
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
        elif ch not in _BIDI and unicodedata.category(ch) != "Cc":
            out.append(ch)
    return "".join(out)


_s = terminal_safe

_COLORS = {"green": "32", "red": "31", "yellow": "33", "magenta": "35", "bold": "1", "dim": "2"}


def _c(text, color, on):
    return f"\033[{_COLORS[color]}m{text}\033[0m" if on else text


def network_line(net) -> str:
    """One line describing a network."""
    extra = ""
    if "relu" in net.activation_names:
        extra += f", relu'(0) = {net.relu_prime_at_zero}"
    if "leaky_relu" in net.activation_names:
        extra += f", slope {net.negative_slope}"
    if not net.plain:        # batch, layout, weight decay, biases: only when they differ from one plain example
        extra += (f", batch {net.batch} ({net.reduction})" if net.batch > 1 else "") + \
            (", rows layout" if net.rows else "") + (f", l2 = {net.l2}" if net.l2 else "") + \
            ("" if net.bias else ", no biases")
    return _s(f"sizes {'-'.join(map(str, net.sizes))}, {net.activation_text} hidden, {net.output} + {net.loss}, "
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
        lines.append(f"{mark}  {_s(r['name']):<22} {_s(r['closed_form']['latex'])}")
        lines.append(f"      shape {'×'.join(map(str, r['shape']))}; {_s(r['method'])}")
        for a in r["assumptions"]:
            lines.append(f"      assumes {_s(a)}")
        num = r.get("numeric")
        if num:
            parts = [f"{_s(k)} {v:.1e}" for k, v in num.items() if isinstance(v, float)]
            if parts:
                lines.append("      max rel. error: " + ", ".join(parts))
    return "\n".join(lines)


_MARK = {"proved": ("✓", "green"), "numerically-equal": ("≈", "green"), "refuted": ("✗", "red"),
         "error": ("!", "magenta"), "inconclusive": ("?", "yellow")}


def _details(r) -> list:
    """(kind, text) lines under a claim's verdict: step, message, diagnosis, counterexample, assumptions;
    already terminal_safe (the HTML rendering escapes them on top)."""
    out = []
    if r.step is not None and r.verdict == "refuted":
        out.append(("step", f"fails at step {_s(r.step)}"))
    if r.message:
        out.append(("message", terminal_safe(r.message, multiline=True)))
    if r.diagnosis:
        out.append(("diagnosis", _s(f"diagnosis: {r.diagnosis} — {DIAGNOSES.get(r.diagnosis, '')}")))
    if r.counterexample and r.counterexample.get("values"):
        vals = ", ".join(f"{_s(k)} = {_s(v)}" for k, v in r.counterexample["values"].items())
        out.append(("counterexample", f"counterexample: {vals}"))
    if r.assumptions and r.verdict in ("proved", "numerically-equal"):
        out.append(("assumptions", _s(f"assumptions: {'; '.join(map(str, r.assumptions))}")))
    return out


def check_text_width(ids) -> int:
    """The width of the id column of one file's claims."""
    return min(max([len(_s(i)) for i in ids] + [8]), 30)


def check_text_head(spec, color=False) -> list:
    """The lines above a file's claims: its path and title, and its network."""
    head = _s(spec.path) + (f" — {_s(spec.title)}" if spec.title else "")
    return [_c(head, "bold", color), "  " + network_line(spec.network)]


def check_text_claim(r, width, color=False) -> list:
    """The lines of one claim: its verdict line and the details under it."""
    sym, col = _MARK.get(r.verdict, ("?", "magenta"))
    if not r.as_expected:
        col = "red" if r.verdict in ("refuted", "proved", "numerically-equal") else col
    if r.verdict == "refuted" and r.as_expected:
        col = "green"
    exp = "" if r.expect else " (expected to fail)"
    status = "as expected" if r.as_expected else "NOT as expected"
    lines = [f"  {_c(sym, col, color)} {_s(r.id):<{width}}  {_c(_s(r.verdict), col, color)}{exp}  "
             f"[{status}, {r.seconds:.2f}s]"]
    return lines + ["      " + ln for _, text in _details(r) for ln in text.splitlines()]


def check_text_summary(report, color=False) -> str:
    """The last line of a file: the count of each verdict and whether all ended as expected."""
    summ = ", ".join(f"{n} {_s(v)}" for v, n in report.summary().items())
    verdict = "all as expected" if report.ok else "SOME CLAIMS NOT AS EXPECTED"
    return f"  summary: {summ} — {_c(verdict, 'green' if report.ok else 'red', color)}"


def render_check_text(report, color=False) -> str:
    """Human-readable check output for one derivation file (head, claims, summary)."""
    width = check_text_width(r.id for r in report.results)
    lines = check_text_head(report.spec, color)
    for r in report.results:
        lines += check_text_claim(r, width, color)
    lines.append(check_text_summary(report, color))
    return "\n".join(lines)


_HTML_COLORS = {"proved": "#1a7f37", "numerically-equal": "#1a7f37", "refuted": "#cf222e",
                "error": "#8250df", "inconclusive": "#9a6700"}


def render_check_html(report) -> str:
    """An HTML table of one file's verdicts (``FileReport._repr_html_``); every user string escaped."""
    def e(text):
        return html.escape(terminal_safe(text))
    head = e(report.spec.path) + (f" — {e(report.spec.title)}" if report.spec.title else "")
    rows = []
    for r in report.results:
        color = _HTML_COLORS.get(r.verdict, "#8250df") if r.as_expected or r.verdict == "inconclusive" \
            else "#cf222e"
        detail = [f'<pre style="margin:0">{html.escape(text)}</pre>' if kind == "message" else html.escape(text)
                  for kind, text in _details(r)]
        read = f'<br><small>read as <code>{e(r.read_as)}</code></small>' if r.read_as else ""
        rows.append(f"<tr><td><code>{e(r.id)}</code></td><td><code>{e(r.claim)}</code>{read}</td>"
                    f"<td style=\"color:{color}\"><b>{e(r.verdict)}</b>{'' if r.expect else ' (expected to fail)'}"
                    f"{'' if r.as_expected else ' — not as expected'}</td><td>{'<br>'.join(detail)}</td></tr>")
    summ = e(", ".join(f"{n} {v}" for v, n in report.summary().items()))
    return (f"<div><b>{head}</b><table><thead><tr><th>id</th><th>claim</th><th>verdict</th><th>details</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table><p>{summ}</p></div>")
