"""Render derivation and check results as text (optionally coloured) or JSON-ready dicts.

Every string that can come from a user (path, title, id, claim, message, values) passes through
:func:`terminal_safe` before it is printed: a derivation file must not be able to move the cursor, set
the window title, rewrite earlier lines (CR) or reorder them (bidi overrides) in the student's terminal.
"""
from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass

from .check import DIAGNOSES
from .verdicts import style

__all__ = ["derive_record", "render_derive_text", "render_check_text", "render_check_html", "network_line",
           "terminal_safe", "check_text_width", "check_text_head", "check_text_claim", "check_text_summary",
           "FileError", "course_name", "course_text", "chain_sides", "check_document", "check_short", "cross_summary",
           "file_error_text", "JSON_SCHEMA_VERSION", "claim_location", "short_line"]

JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FileError:
    """A file that could not be checked at all (unreadable, malformed YAML, an unknown network): its
    report entry, so that the other files of the run are still checked and reported."""
    path: str
    message: str
    line: int | None = None
    key: str | None = None

    @property
    def ok(self) -> bool:
        return False

    @classmethod
    def of(cls, path, err):
        """The entry of a SymbackpropError raised while reading ``path``."""
        return cls(str(err.file or path), err.one_line(), getattr(err, "line", None), err.key)


# ----------------------------------------------------------------------------------------------
# course notation for the checker's internal symbol names (network.Graph: x_1, yhat_1, W2_1_1, b2_1,
# z1_2, a1_2, delta2_1): presentation only, anything else (a claim's own scalar) is printed as it is

_INTERNAL = [
    # batch matrices (network.Graph of a batch network: Z1_2_1 is row 2, column 1 of Z^(1))
    (re.compile(r"Z(\d+)_(\d+)_(\d+)"), "Z^{{({0})}}_{{{1}{sep}{2}}}", "Z^({0})_{1}{sep}{2}"),
    (re.compile(r"A(\d+)_(\d+)_(\d+)"), "A^{{({0})}}_{{{1}{sep}{2}}}", "A^({0})_{1}{sep}{2}"),
    (re.compile(r"Yhat_(\d+)_(\d+)"), "\\hat{{Y}}_{{{0}{sep0}{1}}}", "Ŷ_{0}{sep0}{1}"),
    (re.compile(r"X_(\d+)_(\d+)"), "X_{{{0}{sep0}{1}}}", "X_{0}{sep0}{1}"),
    (re.compile(r"Y_(\d+)_(\d+)"), "Y_{{{0}{sep0}{1}}}", "Y_{0}{sep0}{1}"),
    (re.compile(r"W(\d+)_(\d+)_(\d+)"), "W^{{({0})}}_{{{1}{sep}{2}}}", "W^({0})_{1}{sep}{2}"),
    (re.compile(r"b(\d+)_(\d+)"), "b^{{({0})}}_{{{1}}}", "b^({0})_{1}"),
    (re.compile(r"z(\d+)_(\d+)"), "z^{{({0})}}_{{{1}}}", "z^({0})_{1}"),
    (re.compile(r"a(\d+)_(\d+)"), "a^{{({0})}}_{{{1}}}", "a^({0})_{1}"),
    (re.compile(r"delta(\d+)_(\d+)"), "\\delta^{{({0})}}_{{{1}}}", "δ^({0})_{1}"),
    (re.compile(r"yhat_(\d+)"), "\\hat{{y}}_{{{0}}}", "ŷ_{0}"),
    (re.compile(r"x_(\d+)"), "x_{{{0}}}", "x_{0}"),
    (re.compile(r"y_(\d+)"), "y_{{{0}}}", "y_{0}"),
]


def course_name(name: str) -> tuple:
    """(LaTeX, text) of an internal symbol name in the course's notation: ``W2_1_1`` -> ``W^{(2)}_{11}``,
    ``W^(2)_11``; two-digit indices are separated by a comma (``W^{(2)}_{10,1}``). None for the LaTeX of
    a name that is not one of the network's (a claim's scalar: the caller escapes it)."""
    for pattern, tex, text in _INTERNAL:
        m = pattern.fullmatch(str(name))
        if m:
            sep = "," if any(len(g) > 1 for g in m.groups()[1:]) else ""
            sep0 = "," if any(len(g) > 1 for g in m.groups()) else ""
            return (tex.format(*m.groups(), sep=sep, sep0=sep0), text.format(*m.groups(), sep=sep, sep0=sep0))
    return None, str(name)


_INTERNAL_WORD = re.compile(r"(?<![\w\\])(?:W\d+_\d+_\d+|b\d+_\d+|z\d+_\d+|a\d+_\d+|delta\d+_\d+|yhat_\d+"
                            r"|Z\d+_\d+_\d+|A\d+_\d+_\d+|Yhat_\d+_\d+)(?!\w)")


def course_text(text) -> str:
    """The checker's own wording (a refuted claim's message, a point's label) with internal names in
    course notation: ``boundary z2_1 = 0`` -> ``boundary z^(2)_1 = 0``. Never used on a quote of the
    user's text (error messages)."""
    return _INTERNAL_WORD.sub(lambda m: course_name(m.group(0))[1], str(text))


def chain_sides(read_as) -> list | None:
    """The sides of a chain ``E0 = E1 = … = En`` in our canonical LaTeX, split at the top-level ``=``
    (outside braces and \\left…\\right); None without a reading."""
    if not isinstance(read_as, str):
        return None
    sides, depth, start, i = [], 0, 0, 0
    while i < len(read_as):
        c = read_as[i]
        if c == "\\":
            word = re.match(r"\\([A-Za-z]+|.)", read_as[i:])
            cmd = word.group(1) if word else ""
            depth += {"left": 1, "right": -1}.get(cmd, 0)
            i += len(word.group(0)) if word else 1
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if c == "=" and depth == 0:
            sides.append(read_as[start:i].strip())
            start = i + 1
        i += 1
    return sides + [read_as[start:].strip()]


def step_sides(r) -> tuple | None:
    """(left, right) canonical LaTeX of the failing step of a refuted chain, when the reading has it."""
    sides = chain_sides(r.read_as)
    if r.verdict != "refuted" or not r.step or not sides or len(sides) < 3 or len(sides) <= r.step:
        return None
    return sides[r.step - 1], sides[r.step]


def _values_text(ce, verbose=False) -> list:
    """Counterexample lines: the values the claim mentions in course notation (saying when cut), and with
    ``verbose`` the complete point (x, y, every W and b)."""
    vals = ce.get("values") or {}
    out = []
    if vals:
        shown = ", ".join(f"{_s(course_name(k)[1])} = {_s(v)}" for k, v in vals.items())
        total = ce.get("values_total") or len(vals)
        cut = (f" (the first {len(vals)} of the {total} values it uses; --verbose shows the complete point)"
               if total > len(vals) else "")
        out.append(f"counterexample: {shown}{cut}")
    pv = ce.get("point_values")
    if verbose and pv:
        if pv.get("X"):             # a batch: X and Y as matrices in the network's layout
            out.append("point: X = " + _matrix(pv["X"]) + ", Y = " + _matrix(pv.get("Y")))
        else:
            out.append("point: x = " + _vector(pv.get("x")) + ", y = " + _vector(pv.get("y")))
        for lab, rows in (pv.get("W") or {}).items():
            out.append(f"  W^({_s(lab)}) = " + _matrix(rows))
        for lab, vec in (pv.get("b") or {}).items():
            out.append(f"  b^({_s(lab)}) = " + _vector(vec))
        if pv.get("scalars"):
            out.append("  " + ", ".join(f"{_s(k)} = {_s(v)}" for k, v in pv["scalars"].items()))
    return out


def _matrix(rows) -> str:
    """[a, b; c, d]: rows separated by semicolons."""
    return "[" + "; ".join(_vector(r, "") for r in rows or ()) + "]"


def _vector(values, brackets="()") -> str:
    body = ", ".join(_s(v) for v in values or ())
    return f"{brackets[0]}{body}{brackets[1]}" if brackets else body

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

def _c(text, color, on):
    """``text`` in a rich style ("green", "bold", ...) when ``on`` (the 16 standard colours), else as is."""
    if not on:
        return text
    from rich.color import ColorSystem
    from rich.style import Style
    return Style.parse(color).render(text, color_system=ColorSystem.STANDARD)


def _pad(text, width) -> str:
    """``text`` padded to ``width`` terminal cells (rich's cell widths: a CJK character takes two cells,
    a combining accent none), so that the columns after it line up."""
    from rich.cells import cell_len
    return text + " " * max(0, width - cell_len(text))


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
        lines.append(f"{mark}  {_pad(_s(r['name']), 22)} {_s(r['closed_form']['latex'])}")
        lines.append(f"      shape {'×'.join(map(str, r['shape']))}; {_s(r['method'])}")
        for a in r["assumptions"]:
            lines.append(f"      assumes {_s(a)}")
        num = r.get("numeric")
        if num:
            parts = [f"{_s(k)} {v:.1e}" for k, v in num.items() if isinstance(v, float)]
            if parts:
                lines.append("      max rel. error: " + ", ".join(parts))
    return "\n".join(lines)


def shows_step(r) -> bool:
    """Whether a result's failing step is shown (every rendering: text, HTML, TeX, pytest): a refuted claim's."""
    return r.step is not None and r.verdict == "refuted"


def shows_assumptions(r) -> bool:
    """Whether a result's assumptions are shown (every rendering): whenever the checker used some, whatever the
    verdict (a claim refuted under the φ'(0) convention says so)."""
    return bool(r.assumptions)


def details(r, verbose=False) -> list:
    """(kind, text) lines under a claim's verdict, the one rendering of a result's details that text, HTML and
    pytest output share (TeX uses :func:`shows_step` / :func:`shows_assumptions`): step (with its two sides),
    message, diagnosis, counterexample (course notation; the complete point with ``verbose``), assumptions;
    already terminal_safe (the HTML rendering escapes them on top)."""
    out = []
    if shows_step(r):
        sides = step_sides(r)
        out.append(("step", f"fails at step {_s(r.step)}" + (f": {_s(sides[0])} = {_s(sides[1])}" if sides else "")))
    if r.message:
        msg = course_text(r.message) if r.verdict == "refuted" else r.message
        out.append(("message", terminal_safe(msg, multiline=True)))
    if r.diagnosis:
        out.append(("diagnosis", _s(f"diagnosis: {r.diagnosis} — {DIAGNOSES.get(r.diagnosis, '')}")))
    if r.counterexample:
        out += [("counterexample", line) for line in _values_text(r.counterexample, verbose)]
    if shows_assumptions(r):
        out.append(("assumptions", _s(f"assumptions: {'; '.join(map(str, r.assumptions))}")))
    return out


def check_text_width(ids) -> int:
    """The width of the id column of one file's claims."""
    from rich.cells import cell_len
    return min(max([cell_len(_s(i)) for i in ids] + [8]), 30)


def check_text_head(spec, color=False) -> list:
    """The lines above a file's claims: its path and title, and its network."""
    head = _s(spec.path) + (f" — {_s(spec.title)}" if spec.title else "")
    return [_c(head, "bold", color), "  " + network_line(spec.network)]


def check_text_claim(r, width, color=False, verbose=False) -> list:
    """The lines of one claim: its verdict line and the details under it."""
    row = style(r.verdict)
    sym, col = (row.mark, row.colour) if row else ("?", "magenta")
    if not r.as_expected:
        col = "red" if r.verdict in ("refuted", "proved", "numerically-equal") else col
    if r.verdict == "refuted" and r.as_expected:
        col = "green"
    exp = "" if r.expect else " (expected to fail)"
    status = "as expected" if r.as_expected else "NOT as expected"
    lines = [f"  {_c(sym, col, color)} {_pad(_s(r.id), width)}  {_c(_s(r.verdict), col, color)}{exp}  "
             f"[{status}, {r.seconds:.2f}s{', cached' if getattr(r, 'cached', False) else ''}]"]
    return lines + ["      " + ln for _, text in details(r, verbose) for ln in text.splitlines()]


def check_text_summary(report, color=False) -> str:
    """The last line of a file: the count of each verdict and whether all ended as expected."""
    summ = ", ".join(f"{n} {_s(v)}" for v, n in report.summary().items())
    verdict = "all as expected" if report.ok else "SOME CLAIMS NOT AS EXPECTED"
    return f"  summary: {summ} — {_c(verdict, 'green' if report.ok else 'red', color)}"


def render_check_text(report, color=False, verbose=False) -> str:
    """Human-readable check output for one derivation file (head, claims, summary), or a file's error."""
    if isinstance(report, FileError):
        return file_error_text(report, color)
    width = check_text_width(r.id for r in report.results)
    lines = check_text_head(report.spec, color)
    for r in report.results:
        lines += check_text_claim(r, width, color, verbose)
    lines.append(check_text_summary(report, color))
    return "\n".join(lines)


def render_check_html(report, math=None) -> str:
    """An HTML table of one file's verdicts (``FileReport._repr_html_``); every user string escaped.

    ``math(result)`` (optional) gives the claim's canonical LaTeX vouched for as safe (``export.safe_math``):
    the claim is then typeset by the notebook's MathJax (``\\(…\\)``), the source in a tooltip."""
    def e(text):
        return html.escape(terminal_safe(text))
    head = e(report.spec.path) + (f" — {e(report.spec.title)}" if report.spec.title else "")
    rows = []
    for r in report.results:
        color = (style(r.verdict).html if style(r.verdict) else "#8250df") if r.as_expected or r.verdict == "inconclusive" \
            else "#cf222e"
        detail = [f'<pre style="margin:0">{html.escape(text)}</pre>' if kind == "message" else html.escape(text)
                  for kind, text in details(r)]
        typeset = math(r) if math is not None else None
        if typeset is not None:
            cell = f'<span title="{e(r.claim)}">\\({html.escape(typeset)}\\)</span>'
        else:
            read = f'<br><small>read as <code>{e(r.read_as)}</code></small>' if r.read_as else ""
            cell = f"<code>{e(r.claim)}</code>{read}"
        rows.append(f"<tr><td><code>{e(r.id)}</code></td><td>{cell}</td>"
                    f"<td style=\"color:{color}\"><b>{e(r.verdict)}</b>{'' if r.expect else ' (expected to fail)'}"
                    f"{'' if r.as_expected else ' — not as expected'}</td><td>{'<br>'.join(detail)}</td></tr>")
    summ = e(", ".join(f"{n} {v}" for v, n in report.summary().items()))
    return (f"<div><b>{head}</b><table><thead><tr><th>id</th><th>claim</th><th>verdict</th><th>details</th>"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table><p>{summ}</p></div>")


# ----------------------------------------------------------------------------------------------
# one line per claim (``--format short``), a file's error, the summary across files


def claim_location(spec, r) -> tuple:
    """(line, col) of a claim's error token in its file when known exactly, else of the claim's entry (col 1:
    the entry's line); (None, None) if unknown."""
    loc = getattr(r, "location", None) or {}
    if loc.get("line") and loc.get("col"):
        return loc["line"], loc["col"]
    for c in spec.claims:
        if c.id == r.id and c.line:
            return c.line, 1
    return None, None


def file_error_text(err: FileError, color=False) -> str:
    """A file that could not be checked, as printed by ``check`` (text)."""
    return f"{_c(_s(err.path), 'bold', color)}\n  {_c('!', 'magenta', color)} {_s(err.message)}"


def _first_line(text) -> str:
    return terminal_safe(text, multiline=True).strip().split("\n")[0] if text else ""


def short_line(spec, r) -> str:
    """``file:line:col: id: verdict`` for one claim (``--format short``), as linters print them; the
    diagnosis, or the first line of an error's or inconclusive claim's message, follows the verdict."""
    line, col = claim_location(spec, r)
    tail = f" ({_s(r.diagnosis)})" if r.diagnosis else ""
    if r.verdict in ("error", "inconclusive") and r.message:
        tail += f": {_first_line(r.message)}"
    if not r.as_expected:
        tail += " [not as expected]"
    elif not r.expect:
        tail += " [expected to fail]"
    return f"{_s(spec.path)}:{line or 1}:{col or 1}: {_s(r.id)}: {_s(r.verdict)}{tail}"


def check_short(item) -> list:
    """The ``--format short`` lines of one file, or of a file that could not be read."""
    if isinstance(item, FileError):
        return [f"{_s(item.path)}:{item.line or 1}:1: (file): error: {_first_line(item.message)}"]
    return [short_line(item.spec, r) for r in item.results]


def _totals(items) -> dict:
    verdicts, claims = {}, 0
    for it in items:
        if isinstance(it, FileError):
            continue
        for r in it.results:
            verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
            claims += 1
    return {"files": len(items), "files_with_errors": sum(isinstance(it, FileError) for it in items),
            "files_not_as_expected": sum(1 for it in items if not isinstance(it, FileError) and not it.ok),
            "claims": claims, "verdicts": verdicts,
            "claims_not_as_expected": sum(1 for it in items if not isinstance(it, FileError)
                                          for r in it.results if not r.as_expected),
            "ok": all(it.ok for it in items)}


def cross_summary(items, color=False) -> str:
    """The line after several files: files, claims, each verdict, and what did not end as expected."""
    t = _totals(items)
    counts = ", ".join(f"{n} {_s(v)}" for v, n in t["verdicts"].items()) or "no claims"
    bad = []
    if t["files_with_errors"]:
        bad.append(f"{t['files_with_errors']} file{'s' if t['files_with_errors'] != 1 else ''} not readable")
    if t["claims_not_as_expected"]:
        bad.append(f"{t['claims_not_as_expected']} claim{'s' if t['claims_not_as_expected'] != 1 else ''} "
                   f"not as expected")
    verdict = "all as expected" if t["ok"] else "; ".join(bad)
    return (f"total: {t['files']} files, {t['claims']} claims: {counts} — "
            f"{_c(verdict, 'green' if t['ok'] else 'red', color)}")


# ----------------------------------------------------------------------------------------------
# the versioned JSON document (``check --format json``); symbackprop/check.schema.json describes it


def _number(v):
    """A value as a JSON number (int when integral, else float); a string only when no double holds it
    (beyond the double range, or a nonzero value that would round to 0); None stays None."""
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v if math.isfinite(v) else str(v)
    from fractions import Fraction
    text = str(v).strip()
    try:
        exact = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return text
    if exact.denominator == 1 and abs(exact.numerator) < 2 ** 53:
        return int(exact)
    try:
        f = float(exact)
    except OverflowError:
        return text
    return text if (f == 0.0 and exact != 0) or not math.isfinite(f) else f


def _entry(text):
    """'[1,3]' -> [1, 3] (1-based row, column)."""
    try:
        return [int(t) for t in str(text).strip("[]").split(",")]
    except ValueError:
        return None


def _counterexample_json(ce, r):
    if not ce:
        return None
    vals = ce.get("values") or {}
    out = {"point": course_text(ce["point"]) if ce.get("point") else None, "entry": _entry(ce.get("entry")), "lhs": _number(ce.get("lhs")),
           "rhs": _number(ce.get("rhs")), "difference": _number(ce.get("difference")),
           "values": [{"name": k, "tex": course_name(k)[0], "text": course_name(k)[1], "value": _number(v)}
                      for k, v in vals.items()],
           "values_total": ce.get("values_total", len(vals))}
    out["values_cut"] = out["values_total"] > len(vals)
    sides = step_sides(r)
    if sides:
        out["step_sides"] = {"left": sides[0], "right": sides[1]}
    pv = ce.get("point_values")
    if pv:
        out["point_values"] = {"x": [_number(v) for v in pv["x"]], "y": [_number(v) for v in pv["y"]],
                               "W": {k: [[_number(v) for v in row] for row in m] for k, m in pv["W"].items()},
                               "b": {k: [_number(v) for v in vec] for k, vec in pv["b"].items()},
                               "scalars": {k: _number(v) for k, v in pv.get("scalars", {}).items()}}
        for key in ("X", "Y"):                      # a batch network: X and Y as matrices in its layout
            if pv.get(key):
                out["point_values"][key] = [[_number(v) for v in row] for row in pv[key]]
    if ce.get("assignment"):
        out["assignment"] = {str(k): _number(v) for k, v in ce["assignment"].items()}
    if ce.get("forced"):
        out["forced"] = {k: _number(v) for k, v in ce["forced"].items()}
    return out


def _claim_json(spec, r) -> dict:
    line, col = claim_location(spec, r)
    loc = dict(r.location or {}) if getattr(r, "location", None) else {}
    return {"id": r.id, "claim": r.claim, "given": list(r.given), "expect": r.expect, "verdict": r.verdict,
            "as_expected": r.as_expected, "seconds": round(float(r.seconds), 3),
            "location": {"file": str(spec.path), "line": line, "col": col, "token": loc.get("token"),
                         "offset": loc.get("offset"), "key": loc.get("key")},
            "fix": loc.get("fix"), "step": r.step, "message": r.message,
            "diagnosis": {"code": r.diagnosis, "text": DIAGNOSES.get(r.diagnosis, "")} if r.diagnosis else None,
            "read_as": r.read_as, "read_as_given": list(r.read_as_given),
            "assumptions": [str(a) for a in r.assumptions],
            "counterexample": _counterexample_json(r.counterexample, r),
            **({"cached": True} if getattr(r, "cached", False) else {})}


def _network_json(net) -> dict:
    return {k: (_number(v) if isinstance(v, str) and k not in ("activation", "output", "loss", "weights") else v)
            for k, v in net.describe().items()}


def _file_json(item) -> dict:
    if isinstance(item, FileError):
        return {"file": item.path, "status": "error", "ok": False,
                "error": {"message": item.message, "location": {"file": item.path, "line": item.line,
                                                                "col": 1 if item.line else None,
                                                                "key": item.key}}}
    return {"file": str(item.spec.path), "status": "checked", "ok": item.ok, "title": item.spec.title,
            "network": _network_json(item.spec.network), "summary": item.summary(),
            "claims": [_claim_json(item.spec, r) for r in item.results]}


def check_document(items, version=None) -> dict:
    """The JSON document of a ``check`` run (schema 1): ``{"schema": 1, "tool": …, "files": [one entry
    per file given, in order: "checked" with its claims, or "error" with the reason], "summary": …,
    "ok": …}`` -- always this shape, for one file or many."""
    t = _totals(items)
    return {"schema": JSON_SCHEMA_VERSION, "tool": {"name": "symbackprop", "version": version},
            "files": [_file_json(it) for it in items],
            "summary": {k: v for k, v in t.items() if k != "ok"}, "ok": t["ok"]}
