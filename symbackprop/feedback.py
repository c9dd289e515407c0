"""Feedback files, one per student: ``<student>.md`` for people and ``<student>.json`` for tools.

Each lists every reference claim with its points, the verdict, which of the student's claims answered it,
the failing step of a chain with both of its sides as the student wrote them, the diagnosis, the
counterexample in the course's notation, and what the reference expected; then the claims that answered
nothing. The Markdown is text: user text (claims, messages, names) is put in code spans whose fence is
longer than any backtick run inside, with control characters escaped (:func:`~symbackprop.intake.display_name`),
so a claim cannot inject Markdown, HTML or a link. File names are the student id reduced to
``[A-Za-z0-9._-]`` (other characters become ``_``); two ids that reduce to the same name get ``-2``, ``-3``.
Files are written atomically (temp file + rename) into the folder, which is created if missing.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .check import DIAGNOSES
from .errors import SymbackpropError
from .intake import display_name, replace_atomically

__all__ = ["write_feedback", "markdown", "document", "safe_name"]


def diagnosis_text(diagnosis) -> str:
    """The checker's explanation of a diagnosis (empty for none)."""
    return DIAGNOSES.get(diagnosis, "") if diagnosis else ""


def safe_name(student: str) -> str:
    """A file name stem for a student id: ``[A-Za-z0-9._-]`` only, never empty or a dot-name."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", student)[:100].lstrip(".")
    return name or "student"


def _code(text) -> str:
    """An inline code span holding ``text`` verbatim (one line, control characters escaped)."""
    text = display_name(str(text))
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def _block(text) -> str:
    """A fenced text block holding ``text`` verbatim (control characters but line breaks escaped)."""
    lines = [display_name(line) for line in str(text).splitlines()]
    longest = max((len(m) for m in re.findall(r"`+", "\n".join(lines))), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence + "text", *lines, fence])


_NAME = re.compile(r"(yhat|[A-Za-z]+?)(\d*)_(\d+(?:_\d+)*)$")


def _course(name: str) -> str:
    """A point's variable in the course's notation: yhat_1 -> ŷ_1, W2_1_3 -> W^(2)_13, z1_2 -> z^(1)_2."""
    m = _NAME.match(name)
    if not m:
        return name
    base, layer, idx = m.groups()
    base = {"yhat": "ŷ", "delta": "δ"}.get(base, base)
    return base + (f"^({layer})" if layer else "") + "_" + idx.replace("_", "")


def document(table, row) -> dict:
    """The JSON feedback of one row."""
    return {"student": row.student, "submission": row.submission, "reference": table.reference,
            "total": row.points, "max": row.max, "score": row.score, "error": row.error,
            "inconclusive": list(row.inconclusive), "duplicate_of": row.duplicate_of,
            "claims": [{"id": cid, **row.cells[cid].to_dict(),
                        "diagnosis_text": diagnosis_text(row.cells[cid].diagnosis)}
                       for cid in table.columns if cid in row.cells],
            "unmatched": list(row.unmatched)}


def _cell_lines(cid, cell) -> list:
    mark = "✓" if cell.scored else "✗"
    out = [f"### {mark} {_code(cid)}: {cell.verdict}, {cell.points:g} of {cell.max_points:g} points", ""]
    if cell.answered_by:
        out.append(f"- your claim {_code(cell.answered_by)}: {_code(cell.claim)}")
    if cell.step:
        out.append(f"- fails at step {cell.step}" + (f": {_code(cell.step_sides[0])} = {_code(cell.step_sides[1])}"
                                                      if len(cell.step_sides) == 2 else ""))
    if cell.message:
        out += ["", _block(cell.message), ""]
    if cell.diagnosis:
        out.append(f"- diagnosis: {_code(cell.diagnosis)} — {diagnosis_text(cell.diagnosis)}")
    if cell.counterexample and cell.counterexample.get("values"):
        pairs = ", ".join(f"{_course(k)} = {v}" for k, v in cell.counterexample["values"].items())
        out.append(f"- counterexample: {_code(pairs)}")
    if cell.retried:
        out.append("- checked twice (the first attempt ran out of time or memory)")
    if not cell.scored:
        out.append(f"- the reference expected: {_code(cell.expected)}")
    return out + [""]


def markdown(table, row) -> str:
    """The Markdown feedback of one row."""
    title = table.title or table.reference
    out = [f"# Feedback: {_code(row.student)}", "", f"{_code(title)}: **{row.points:g} of {row.max:g} points**", ""]
    if row.error:
        return "\n".join(out + [f"Not graded: {_code(row.error)}", ""])
    if row.inconclusive:
        out += [f"**{len(row.inconclusive)} claim(s) could not be decided in time** "
                f"({', '.join(_code(c) for c in row.inconclusive)}); your TA will regrade them.", ""]
    for cid in table.columns:
        out += _cell_lines(cid, row.cells[cid])
    if row.unmatched:
        out += ["## Claims that answer no claim of the reference", "",
                *[f"- {_code(c)}" for c in row.unmatched], ""]
    return "\n".join(out)


def _write(path: Path, text: str):
    replace_atomically(str(path), text.encode("utf-8"))


def write_feedback(table, folder) -> list:
    """Write ``<student>.md`` and ``<student>.json`` for every row into ``folder``; the paths written."""
    try:
        return _write_all(table, Path(folder))
    except OSError as e:
        raise SymbackpropError(f"cannot write the feedback files: {e.strerror or e}", file=display_name(folder)) from None


def _write_all(table, folder: Path) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    used, written = set(), []
    for row in table.rows:
        stem = safe_name(row.student or row.submission)
        name, k = stem, 1
        while name in used:
            k += 1
            name = f"{stem}-{k}"
        used.add(name)
        for suffix, text in ((".md", markdown(table, row)),
                             (".json", json.dumps(document(table, row), indent=2, ensure_ascii=False) + "\n")):
            _write(folder / (name + suffix), text)
            written.append(folder / (name + suffix))
    return written
