r"""Homework files as derivation specs: every display equation of a ``.tex``, ``.md`` or ``.ipynb`` file is a claim.

What is read (everything else is skipped, and listed with ``check --verbose``):

- display math: ``\[…\]``, ``$$…$$``, and the environments ``equation``, ``align``, ``eqnarray``, ``gather``,
  ``multline``, ``displaymath`` (starred too); in a markdown file and a notebook's markdown cells the same (as
  MathJax reads them). Rows of ``align``/``eqnarray``/``gather`` that continue a chain (``&= …``) are one claim;
  a row that starts a new left side starts a new claim; ``\intertext{…}`` is prose between claims;
- the network and notation: a YAML front matter (a leading ``---`` block in ``.md``; in ``.tex`` a comment block
  starting ``%! symbackprop:`` whose lines start ``%!``; in a notebook its metadata ``symbackprop`` or a ``---``
  block opening its first raw/markdown cell), else the command line's flags;
- in ``.tex``, the preamble's argument-free ``\newcommand``/``\def`` as notation macros; a claim that uses any
  other defined command (with arguments, by ``\let``, defined twice or inside the document) is an error naming it;
- marker comments: ``% expect: false`` (a known mistake), ``% given: <LaTeX>`` (a condition) and ``% skip: why``,
  inside the equation (they compile: TeX and MathJax ignore comments) or on the comment lines directly above it
  (``<!-- expect: false -->`` in markdown); markers above an alignment apply to each of its claims.

Claim ids are the equation's ``\label{…}``, else ``line-N`` (``cell-C-line-N`` in a notebook; a second equation
starting on the same line gets ``.2``). Each claim's text is cut exactly as it stands in the file and carries an
:class:`~symbackprop.spec.Origin`, so an error names the file's line and column.

Refused (one error for the file, naming the line): ``\catcode`` and friends (TeX would then read the file
differently from us), display math that is never closed, ``\end{…}`` of a display that was not begun, a notebook
that is not JSON of the nbformat shape. ``\input``/``\include`` are not followed (listed as skipped). Files are
read through :mod:`intake` (regular files, size caps); a notebook is parsed with the standard ``json`` module and
no cell is ever executed. :mod:`spec` turns the cut equations into ClaimSpecs (:func:`~symbackprop.spec.spec_from_parts`).
"""
from __future__ import annotations

import bisect
import difflib
import json
import os
import re

from .errors import NotationError, SpecError
from .intake import display_name, read_limited
from .spec import Entry, Origin, parse_header, spec_from_parts

__all__ = ["SUFFIXES", "MAX_BYTES", "MAX_NOTEBOOK_BYTES", "is_homework", "load_homework", "load_homework_text"]

SUFFIXES = (".tex", ".md", ".markdown", ".ipynb")
MAX_BYTES = 1 << 20                 # .tex and .md
MAX_NOTEBOOK_BYTES = 8 << 20        # a notebook carries its outputs (images) too
MAX_CELLS = 10_000
MAX_LABEL = 200

DISPLAY_ENVS = frozenset({"equation", "equation*", "align", "align*", "eqnarray", "eqnarray*", "gather",
                          "gather*", "multline", "multline*", "displaymath", "flalign", "flalign*"})
ROW_ENVS = frozenset({"align", "align*", "eqnarray", "eqnarray*", "gather", "gather*", "flalign", "flalign*"})
VERBATIM_ENVS = frozenset({"verbatim", "verbatim*", "Verbatim", "lstlisting", "minted", "comment", "filecontents",
                           "filecontents*"})
INCLUDES = frozenset({"input", "include", "InputIfFileExists", "subfile", "import", "subimport", "includefrom"})
REFUSED = frozenset({"catcode", "mathcode", "delcode", "uccode", "lccode", "sfcode", "active", "scantokens"})
DEFINERS = ("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand", "DeclareMathOperator", "def",
            "gdef", "edef", "xdef", "let", "mathchardef", "chardef", "NewDocumentCommand", "RenewDocumentCommand",
            "ProvideDocumentCommand", "DeclareDocumentCommand")
_DEFINITION = re.compile(r"\\(%s)(?![A-Za-z])\s*\*?\s*\{?\s*(\\[A-Za-z]+|\\.)" % "|".join(DEFINERS))
MARKERS = ("expect", "given", "skip")
_MARKER = re.compile(r"\s*([A-Za-z]+)\s*:\s?(.*?)\s*$")
_LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_LABEL_OK = re.compile(r"[A-Za-z0-9_.:+/\-]+")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def is_homework(path) -> bool:
    """Whether ``path`` names a homework file (by its suffix) rather than a derivation file."""
    return os.path.splitext(os.fspath(path) if not isinstance(path, bytes) else os.fsdecode(path))[1].lower() \
        in SUFFIXES


# ----------------------------------------------------------------------------------------------
# a source text: offsets to lines and columns, comment-free views


class _Source:
    """One text read in one mode (``tex`` or ``md``): its lines, where its errors and skips point."""

    def __init__(self, path, text, tex: bool, cell=None):
        self.path, self.text, self.tex, self.cell = path, text, tex, cell
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.skipped, self.comments = [], []           # (offset, what, why); (start, end) of comment texts

    def line(self, offset) -> int:
        return bisect.bisect_right(self.starts, offset)

    def lead(self, offset) -> str:
        return self.text[self.starts[self.line(offset) - 1]:offset]

    def where(self, offset, column=False) -> str:
        ln = self.line(offset)
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{ln}" + (f":{offset - self.starts[ln - 1] + 1}" if column else "")

    def fail(self, offset, message):
        raise SpecError(message, file=self.where(offset, column=True))

    def skip(self, offset, what, why):
        self.skipped.append((self.where(offset), what, why))

    def eol(self, i) -> int:
        j = self.text.find("\n", i)
        return len(self.text) if j < 0 else j


def _command(s, i):
    """(name, end) of the control sequence at ``i`` (``s[i] == '\\'``): letters, or one character."""
    j = i + 1
    while j < len(s) and s[j].isascii() and s[j].isalpha():
        j += 1
    if j == i + 1:
        j = min(i + 2, len(s))
    return s[i + 1:j], j


def _env_name(s, j):
    """(name, end) of ``{name}`` after ``\\begin``/``\\end`` at ``j`` (spaces allowed), or (None, j)."""
    m = re.compile(r"\s*\{([A-Za-z*]{1,40})\}").match(s, j)
    return (m.group(1), m.end()) if m else (None, j)


def _comment_free(src: _Source, a, b) -> str:
    """``text[a:b]`` with every % comment blanked (same length, so offsets stay)."""
    out, i, s = [], a, src.text
    while i < b:
        c = s[i]
        if c == "\\":
            j = min(_command(s, i)[1], b)
            out.append(s[i:j])
            i = j
        elif c == "%":
            j = min(src.eol(i), b)
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# scanning: display equations, and what is skipped


def _close(src: _Source, i, closer, env=None):
    """(start, end) of the closing delimiter of display math opened before ``i``; None if never closed."""
    s = src.text
    while i < len(s):
        c = s[i]
        if c == "%":
            start = i
            i = src.eol(i)
            src.comments.append((start + 1, i))
            continue
        if c == "\\":
            name, j = _command(s, i)
            if closer == "\\]" and name == "]":
                return i, j
            if closer == "env" and name == "end":
                got, k = _env_name(s, j)
                if got == env:
                    return i, k
            i = j
            continue
        if c == "$" and closer == "$$" and s.startswith("$$", i):
            return i, i + 2
        if c == "$" and closer == "$":
            return i, i + 1
        if closer == "$" and c == "\n" and not s[i + 1:src.eol(i + 1)].strip():
            return None                      # inline math never spans a blank line
        i += 1
    return None


def _display(src, displays, start, a, closer, env=None):
    """Record the display opened at ``start`` whose content starts at ``a``; the offset after it."""
    got = _close(src, a, closer, env)
    if got is None:
        opener, closing = (f"\\begin{{{env}}}", f"\\end{{{env}}}") if env else ("\\[" if closer == "\\]" else "$$", closer)
        src.fail(start, f"{opener} is never closed (no {closing} after it)")
    displays.append((start, a, got[0], env))
    return got[1]


def _tex_command(src, displays, i):
    """Handle the control sequence at ``i`` in prose; the offset after what it took."""
    s = src.text
    name, j = _command(s, i)
    if name == "[":
        return _display(src, displays, i, j, "\\]")
    if name == "(":
        k = s.find("\\)", j)
        if k < 0:
            src.fail(i, "\\( is never closed (no \\) after it)")
        src.skip(i, "inline math \\(…\\)", "inline math is not a claim (a display equation is)")
        return k + 2
    if name in ("]", ")") and src.tex:          # in markdown \] is an escaped bracket
        src.fail(i, f"\\{name} closes math that was not opened")
    if name == "iffalse" and src.tex:
        end = re.compile(r"\\fi(?![A-Za-z])").search(s, j)
        if end is None:
            src.fail(i, "\\iffalse is never closed by \\fi")
        src.skip(i, "\\iffalse … \\fi", "TeX skips it")
        return end.end()
    if name in ("begin", "end"):
        env, k = _env_name(s, j)
        if env in DISPLAY_ENVS:
            if name == "end":
                src.fail(i, f"\\end{{{env}}} without \\begin{{{env}}}")
            return _display(src, displays, i, k, "env", env)
        if name == "begin" and env in VERBATIM_ENVS:
            end = s.find(f"\\end{{{env}}}", k)
            if end < 0:
                src.fail(i, f"\\begin{{{env}}} is never closed")
            src.skip(i, f"\\begin{{{env}}}", "verbatim text is never read")
            return end + len(env) + 6
        return k
    if name in REFUSED:
        src.fail(i, f"\\{name} changes how TeX reads the file; symbackprop cannot follow it (remove it, or move the "
                    f"equations to a file without it)")
    if name in INCLUDES:
        src.skip(i, f"\\{name}", "other files are not followed; paste their equations here to check them")
    if name == "verb" and j < len(s):
        delim = s[j + (s[j] == "*")] if j < len(s) else ""
        start = j + (s[j] == "*") + 1
        end = s.find(delim, start) if delim and delim not in " \n" else -1
        if end >= 0 and "\n" not in s[start:end]:
            return end + 1
    return j


def _md_line_start(src, i):
    """At the start of a markdown line: skip a fenced code block; the offset to go on from (``i`` if none)."""
    s = src.text
    m = _FENCE.match(s, i)
    if not m:
        return i
    fence = m.group(1)
    k = src.eol(i)
    while k < len(s):
        line_start = k + 1
        k = src.eol(line_start)
        if s[line_start:k].strip().startswith(fence[0] * len(fence)) and not s[line_start:k].strip(fence[0] + " \t"):
            src.skip(i, "code block", "code is never read or run")
            return k
    src.skip(i, "code block (never closed)", "code is never read or run")
    return len(s)


def _md_special(src, i, markers):
    """Backtick code spans and HTML comments in markdown prose; the offset after, or None when ``s[i]`` is neither."""
    s = src.text
    if s[i] == "`":
        j = i
        while j < len(s) and s[j] == "`":
            j += 1
        end = s.find(s[i:j], j)
        if end < 0:
            return j
        return end + (j - i)
    if s.startswith("<!--", i):
        end = s.find("-->", i + 4)
        end = len(s) if end < 0 else end
        markers.append((i + 4, end))
        return end + 3
    return None


def _md_inline(s, i, k) -> bool:
    """Whether ``$`` at ``i`` and ``k`` enclose inline math in markdown (pandoc's rule: no space inside either
    dollar, no digit right after the closing one, and the closing one is not the start of ``$$``)."""
    return (k > i + 1 and not s[i + 1].isspace() and not s[k - 1].isspace() and not s[k + 1:k + 2].isdigit()
            and not s.startswith("$$", k))


def _scan(src: _Source):
    """(displays, html comments) of ``src``: displays as (opener, content start, content end, environment)."""
    s, displays, html = src.text, [], []
    i, line_start = 0, True
    while i < len(s):
        if line_start and not src.tex:
            k = _md_line_start(src, i)
            if k != i:
                i = k
                continue
        line_start = False
        c = s[i]
        if c == "\n":
            line_start = True
            i += 1
        elif c == "%" and src.tex:
            end = src.eol(i)
            src.comments.append((i + 1, end))
            i = end
        elif c == "\\":
            i = _tex_command(src, displays, i)
        elif c == "$":
            if s.startswith("$$", i):
                i = _display(src, displays, i, i + 2, "$$")
                continue
            got = _close(src, i + 1, "$")
            if got is None and src.tex:
                src.fail(i, "$ opens inline math that is never closed")
            if got is None or not src.tex and not _md_inline(s, i, got[0]):
                i += 1                          # markdown: a literal dollar ($5), as pandoc reads it
                continue
            src.skip(i, "inline math $…$", "inline math is not a claim (a display equation is)")
            i = got[1]
        elif not src.tex and (c == "`" or s.startswith("<!--", i)):
            i = _md_special(src, i, html)
        else:
            i += 1
    return displays, html


# ----------------------------------------------------------------------------------------------
# display equations -> claims (one per chain), with markers, labels and macros checked


def _row_spans(src: _Source, a, b):
    """The rows of an alignment's content ``[a, b)``: spans split at top-level ``\\\\``; None where an
    ``\\intertext{…}`` (prose) stands between rows. A comment after ``\\\\`` on its line stays with its row."""
    cf, s = _comment_free(src, a, b), src.text
    rows, depth, envs, k, start = [], 0, 0, 0, 0
    while k < len(cf):
        c = cf[k]
        if c in "{}":
            depth += 1 if c == "{" else -1
            k += 1
            continue
        if c != "\\":
            k += 1
            continue
        name, j = _command(cf, k)
        envs += (name == "begin") - (name == "end")
        if depth == 0 and envs == 0 and name == "\\":
            m = re.compile(r"\*?(\s*\[[^\]\n]{0,40}\])?").match(cf, j)
            j = m.end()
            eol = s.find("\n", a + j, a + len(cf))
            tail = eol if eol >= 0 and not cf[j:eol - a].strip() else a + j
            rows.append((a + start, tail))
            start = k = tail - a
            continue
        if depth == 0 and envs == 0 and name in ("intertext", "shortintertext"):
            rows += [(a + start, a + k), None]
            m = re.compile(r"\s*\{[^{}]*\}").match(cf, j)
            src.skip(a + k, f"\\{name}", "prose between the rows of an alignment")
            start = k = m.end() if m else j
            continue
        k = j
    rows.append((a + start, b))
    return rows


def _groups(src: _Source, a, b, env):
    """Spans of the claims of one display: one per chain (rows that continue it, as ``&= …``, join it)."""
    from .notation.normalize import continues_chain
    if env not in ROW_ENVS:
        return [(a, b)]
    groups, current = [], None
    for row in _row_spans(src, a, b):
        if row is None:
            current = None
            continue
        text = _comment_free(src, *row)
        if not text.strip().strip("\\").strip():
            continue
        if current is not None and continues_chain(text):
            current[1] = row[1]
        else:
            current = [row[0], row[1]]
            groups.append(current)
    return groups


def _trim(s, a, b):
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def _comments_above(src: _Source, opener, html):
    """(start, end) of the comments on the lines directly above ``opener`` (each line only a comment)."""
    s, out = src.text, []
    line = src.line(opener) - 1
    while line >= 1:
        a, b = src.starts[line - 1], src.starts[line] - 1
        text = s[a:b].strip()
        if src.tex and text.startswith("%") and not text.startswith("%!"):
            out.append((a + s[a:b].index("%") + 1, b))
        elif not src.tex and text.startswith("<!--") and text.endswith("-->"):
            c = a + s[a:b].index("<!--") + 4
            out.append((c, c + len(text) - 7))
        else:
            break
        line -= 1
    return out


class _Claim:
    """What the markers of one claim say."""

    def __init__(self):
        self.expect, self.given, self.skip, self.error = True, [], None, None


def _markers(src: _Source, spans, claim: _Claim):
    """Read the marker comments in ``spans`` into ``claim`` (a misspelt marker is the claim's error)."""
    s = src.text
    for a, b in spans:
        m = _MARKER.match(s, a, b)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2)
        if key not in MARKERS:
            close = difflib.get_close_matches(key, MARKERS, n=1, cutoff=0.75)
            if close and claim.error is None:
                claim.error = (a, f"unknown marker {m.group(1)!r}; did you mean '{close[0]}:'? (markers: expect: "
                                  f"false, given: <LaTeX>, skip: <why>)")
            continue
        if key == "expect":
            if value.lower() not in ("true", "false"):
                claim.error = claim.error or (a, f"expect: must be true or false, got {value!r}")
            else:
                claim.expect = value.lower() == "true"
        elif key == "skip":
            claim.skip = value or "marked skip"
        elif value:
            claim.given.append((value, m.start(2)))
        else:
            claim.error = claim.error or (a, "given: is empty; write the condition after it (% given: z_i > 0)")


def _default_id(src: _Source, a, used):
    base = f"line-{src.line(a)}" if src.cell is None else f"cell-{src.cell}-line-{src.line(a)}"
    n = used.get(base, 0) + 1
    used[base] = n
    return base if n == 1 else f"{base}.{n}"


def _claim_id(src, a, b, used):
    """(id, error) of the claim in ``[a, b)``: its ``\\label{…}``, else ``line-N``."""
    m = _LABEL.search(_comment_free(src, a, b))
    if not m:
        return _default_id(src, a, used), None
    label = m.group(1).strip()
    if not _LABEL_OK.fullmatch(label) or len(label) > MAX_LABEL:
        return _default_id(src, a, used), (a + m.start(), f"\\label{{{label[:40]}}}: a claim id may use letters, "
                                                          f"digits and . : + / - _ (at most {MAX_LABEL})")
    return label, None


def _macro_error(src, a, b, unreadable):
    """(offset, message) of the first command in ``[a, b)`` that is defined but not read as a macro."""
    cf = _comment_free(src, a, b)
    for name, why in unreadable.items():
        pattern = re.escape(name) + (r"(?![A-Za-z])" if name[1:].isalpha() else "")
        m = re.search(pattern, cf)
        if m:
            return a + m.start(), (f"{name} {why}; only argument-free \\newcommand/\\def of the preamble are read "
                                   f"as notation macros: write what it stands for in the equation")
    return None


def _entry(src, a, b, above, used, unreadable):
    """The Entry of the claim ``[a, b)`` (None when a marker skips it)."""
    s = src.text
    a, b = _trim(s, a, b)
    claim = _Claim()
    _markers(src, above, claim)
    _markers(src, [(c, d) for c, d in src.comments if a <= c and d <= b], claim)
    cid, id_error = _claim_id(src, a, b, used)
    if claim.skip is not None:
        src.skip(a, f"display equation {cid}", f"skip: {claim.skip}")
        return None
    pieces = [(s[a:b], src.line(a), src.lead(a))]
    pieces += [(text, src.line(at), src.lead(at)) for text, at in claim.given]
    problem = claim.error or id_error or _macro_error(src, a, b, unreadable)
    error = None
    if problem is not None:
        error = f"{src.where(problem[0], column=True)}: claim {cid!r}: {problem[1]}"
    origin = Origin(src.path, tuple(pieces), src.cell)
    return Entry(cid, s[a:b], src.line(a), origin, claim.expect, tuple(t for t, _ in claim.given), error)


def _entries(src: _Source, unreadable=None):
    """Every claim of ``src`` (its display equations, one per chain) as Entries."""
    displays, html = _scan(src)
    used, out = {}, []
    for opener, a, b, env in displays:
        above = _comments_above(src, opener, html)
        for g0, g1 in _groups(src, a, b, env):
            if not _comment_free(src, g0, g1).strip():
                continue
            entry = _entry(src, g0, g1, above, used, unreadable or {})
            if entry is not None:
                out.append(entry)
    return out


# ----------------------------------------------------------------------------------------------
# the three kinds of file


def _blank(text, a, b):
    """``text`` with ``[a, b)`` blanked (newlines kept, so offsets and lines stay)."""
    return text[:a] + re.sub(r"[^\n]", " ", text[a:b]) + text[b:]


def _front_matter(text, path, cell=None):
    """(header, text with the header blanked) of a leading ``---`` YAML block."""
    m = re.match(r"---[ \t]*\n", text)
    if not m:
        return None, text
    end = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M).search(text, m.end())
    if not end:
        raise SpecError("the front matter opened by --- on line 1 is never closed (a line --- after it)",
                        file=f"{path}:cell {cell}" if cell else path)
    where = f"{path}:cell {cell}" if cell else path
    header = parse_header(text[m.end():end.start()], where, first_line=2)
    return header, _blank(text, 0, end.end())


def _tex_header(text, path):
    """The ``%! symbackprop:`` block of a .tex file (YAML in ``%!`` comment lines), or None."""
    lines = text.split("\n")
    starts = [n for n, ln in enumerate(lines) if re.fullmatch(r"\s*%!\s*symbackprop:\s*", ln)]
    if not starts:
        return None
    if len(starts) > 1:
        raise SpecError(f"two %! symbackprop: blocks (lines {starts[0] + 1} and {starts[1] + 1}); keep one",
                        file=path)
    body = []
    for ln in lines[starts[0] + 1:]:
        m = re.match(r"\s*%! ?(.*)$", ln)
        if not m:
            break
        body.append(m.group(1))
    return parse_header("\n".join(body), path, first_line=starts[0] + 2)


def _tex_macros(src: _Source, body_start):
    """(macros read from the preamble, {name: why} of the commands defined in a form that is not read)."""
    from .notation import parse_preamble
    try:
        read = parse_preamble(src.text[:body_start])
    except NotationError as e:
        raise SpecError(f"preamble: {e.message}", file=src.path) from None
    defs = {}
    for m in _DEFINITION.finditer(_comment_free(src, 0, len(src.text))):
        defs.setdefault(m.group(2), []).append((m.start(), m.group(1)))
    macros = [(n, body) for n, body in read if len(defs.get(n, ())) == 1 and defs[n][0][0] < body_start]
    good = {n for n, _ in macros}
    unreadable = {}
    for name, places in defs.items():
        if name in good:
            continue
        at, definer = places[0]
        how = ("more than once" if len(places) > 1 else "inside the document" if at >= body_start
               else "with arguments or in a form not read")
        unreadable[name] = f"is defined at line {src.line(at)} by \\{definer} {how}"
    return tuple(macros), unreadable


def _tex(text, path):
    """(header, entries, macros, skipped) of a .tex file."""
    header = _tex_header(text, path)
    begin = re.search(r"\\begin\s*\{document\}", text)
    end = re.search(r"\\end\s*\{document\}", text)
    body_start = begin.end() if begin else 0
    src = _Source(path, text, tex=True)
    macros, unreadable = _tex_macros(src, body_start)
    scan = _blank(text, 0, body_start)
    body = _Source(path, scan, tex=True)
    if end:
        body.text = _blank(scan, end.start(), len(scan))
        rest = text[end.end():]
        if rest.strip():
            body.skip(end.end() + len(rest) - len(rest.lstrip()), "text after \\end{document}", "TeX never reads it")
    entries = _entries(body, unreadable)
    return header, entries, macros, body.skipped


def _markdown(text, path, cell=None):
    """(header, entries, skipped) of markdown text (a .md file or one notebook cell)."""
    header, text = _front_matter(text, path, cell)
    src = _Source(path, text, tex=False, cell=cell)
    return header, _entries(src), src.skipped


def _cell_source(cell, n, path):
    if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
        raise SpecError(f"cell {n} is not a notebook cell (a mapping with cell_type and source)", file=path)
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(x, str) for x in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise SpecError(f"cell {n}: source must be text or a list of lines", file=path)
    return cell["cell_type"], source


def _notebook_json(text, path):
    try:
        nb = json.loads(text)
    except RecursionError:
        raise SpecError("not a notebook: JSON nested too deeply", file=path) from None
    except ValueError as e:
        where = f" (line {e.lineno}, column {e.colno})" if hasattr(e, "lineno") else ""
        raise SpecError(f"not a notebook: invalid JSON{where}", file=path) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SpecError("not a Jupyter notebook: no list of cells (nbformat 4 is read)", file=path)
    if len(nb["cells"]) > MAX_CELLS:
        raise SpecError(f"{len(nb['cells'])} cells; the limit is {MAX_CELLS}", file=path)
    return nb


def _notebook(text, path):
    """(header, entries, skipped) of a notebook: markdown cells read, code cells never run nor read."""
    nb = _notebook_json(text, path)
    meta = nb.get("metadata")
    meta = meta.get("symbackprop") if isinstance(meta, dict) else None
    header = None
    if meta is not None:
        header = parse_header(json.dumps(meta, indent=1, ensure_ascii=False), f"{path}: metadata symbackprop")
    entries, skipped, first = [], [], True
    for n, cell in enumerate(nb["cells"], 1):
        kind, source = _cell_source(cell, n, path)
        if first and kind in ("raw", "markdown") and source.startswith("---"):
            if header is not None:
                raise SpecError("the network is given twice: in the metadata (symbackprop) and in cell 1; keep one",
                                file=path)
            header, source = _front_matter(source, path, n)
        first = first and not source.strip()
        if kind == "markdown":
            _, found, skip = _markdown(source, path, n)
            entries += found
            skipped += skip
        elif source.strip():
            skipped.append((f"{path}:cell {n}", f"{kind} cell", "code is never run or read" if kind == "code"
                            else "raw cells are not read"))
    return header, entries, skipped


def _decode(data: bytes, path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise SpecError(f"not valid UTF-8 (line {line}); save the file as UTF-8", file=path) from None


def load_homework_text(text, path="<string>", *, kind=None, notation=None, network=None):
    """The DerivationSpec of a homework file's text (str or UTF-8 bytes); ``kind`` 'tex', 'md' or 'ipynb' (by
    default from the suffix of ``path``); ``notation``/``network`` the command line's (see spec_from_parts)."""
    name = display_name(path)
    kind = kind or os.path.splitext(name)[1].lower().lstrip(".")
    kind = "md" if kind == "markdown" else kind
    limit = MAX_NOTEBOOK_BYTES if kind == "ipynb" else MAX_BYTES
    if isinstance(text, (bytes, bytearray)):
        if len(text) > limit:
            raise SpecError(f"file is {len(text)} bytes; {kind} files are limited to {limit} bytes", file=name)
        text = _decode(bytes(text), name)
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise SpecError(f"file is over {limit} bytes; {kind} files are limited to {limit} bytes", file=name)
    text = text.replace("\r\n", "\n")
    macros = ()
    if kind == "tex":
        header, entries, macros, skipped = _tex(text, name)
    elif kind == "md":
        header, entries, skipped = _markdown(text, name)
    elif kind == "ipynb":
        header, entries, skipped = _notebook(text, name)
    else:
        raise SpecError(f"not a homework file: give .tex, .md or .ipynb (or a derivation file, .yaml)", file=name)
    return spec_from_parts(name, header, entries, notation=notation, network=network, macros=macros,
                           skipped=tuple(skipped))


def load_homework(path, *, notation=None, network=None, follow_links=True):
    """The DerivationSpec of a homework file (.tex, .md, .ipynb) read through :mod:`intake`."""
    name = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    limit = MAX_NOTEBOOK_BYTES if name.lower().endswith(".ipynb") else MAX_BYTES
    data = read_limited(path, limit, follow_links=follow_links)
    return load_homework_text(data, path, notation=notation, network=network)
