r"""Cutting display equations out of TeX and markdown text: each chain a claim (an :class:`~symbackprop.spec.Entry`).

The scanner walks the text once, as TeX (``tex``) or as markdown read by MathJax (``md``): comments, ``\verb``,
verbatim environments, ``\iffalse``, code blocks and code spans, HTML comments and inline math are skipped (each
recorded with its line and why); ``\[…\]``, ``$$…$$`` and the display environments are cut exactly as written
(offsets kept, so errors name the file's line and column); an alignment is split into chains
(:func:`~symbackprop.notation.normalize.continues_chain`); marker comments, ``\label`` and the commands defined in
a form that is not read are attached to each claim. :mod:`homework` reads the files and their front matter.
"""
from __future__ import annotations

import bisect
import difflib
import re

from .errors import SpecError
from .spec import Entry, Origin

__all__ = ["Source", "entries", "comment_free", "DISPLAY_ENVS", "ROW_ENVS", "MARKERS"]

MAX_LABEL = 200

DISPLAY_ENVS = frozenset({"equation", "equation*", "align", "align*", "eqnarray", "eqnarray*", "gather",
                          "gather*", "multline", "multline*", "displaymath", "flalign", "flalign*"})
ROW_ENVS = frozenset({"align", "align*", "eqnarray", "eqnarray*", "gather", "gather*", "flalign", "flalign*"})
VERBATIM_ENVS = frozenset({"verbatim", "verbatim*", "Verbatim", "lstlisting", "minted", "comment", "filecontents",
                           "filecontents*"})
INCLUDES = frozenset({"input", "include", "InputIfFileExists", "subfile", "import", "subimport", "includefrom"})
REFUSED = frozenset({"catcode", "mathcode", "delcode", "uccode", "lccode", "sfcode", "active", "scantokens"})
MARKERS = ("expect", "given", "skip")
_MARKER = re.compile(r"\s*([A-Za-z]+)\s*:\s?(.*?)\s*$")
_LABEL = re.compile(r"\\label\s*\{([^{}]*)\}")
_LABEL_OK = re.compile(r"[A-Za-z0-9_.:+/\-]+")
_CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)", re.S)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


# ----------------------------------------------------------------------------------------------
# a source text: offsets to lines and columns, comment-free views


class Source:
    """One text read in one mode (``tex`` or ``md``): its lines, where its errors and skips point."""

    def __init__(self, path, text, tex: bool, cell=None, original=None):
        """``text`` of the file (or notebook ``cell``) named ``path``, read as TeX (``tex``) or as markdown;
        ``original``: the file as written when ``text`` has parts blanked out (a preamble), offset for offset."""
        self.path, self.text, self.tex, self.cell = path, text, tex, cell
        self.original = text if original is None else original
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.skipped, self.comments = [], []           # (offset, what, why); (start, end) of comment texts

    def line(self, offset) -> int:
        """The 1-based line of ``offset``."""
        return bisect.bisect_right(self.starts, offset)

    def lead(self, offset) -> str:
        """What precedes ``offset`` on its line, as written (blanked parts included)."""
        return self.original[self.starts[self.line(offset) - 1]:offset]

    def where(self, offset, column=False) -> str:
        """'file:line' ('file:cell N:line'), with ':column' (1-based) when asked."""
        ln = self.line(offset)
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{ln}" + (f":{offset - self.starts[ln - 1] + 1}" if column else "")

    def fail(self, offset, message):
        """Refuse the file: a SpecError naming the line and column of ``offset``."""
        raise SpecError(message, file=self.where(offset, column=True))

    def skip(self, offset, what, why):
        """Record that ``what`` at ``offset`` was not read as a claim, and why (``check --verbose``)."""
        self.skipped.append((self.where(offset), what, why))

    def eol(self, i) -> int:
        """The offset of the end of the line holding ``i``."""
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


def comment_free(src: Source, a, b) -> str:
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


def _close(src: Source, i, closer, env=None):
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


def _scan(src: Source):
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


def _row_spans(src: Source, a, b):
    """The rows of an alignment's content ``[a, b)``: spans split at top-level ``\\\\``; None where an
    ``\\intertext{…}`` (prose) stands between rows. A comment after ``\\\\`` on its line stays with its row."""
    cf, s = comment_free(src, a, b), src.text
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


def _groups(src: Source, a, b, env):
    """Spans of the claims of one display: one per chain (rows that continue it, as ``&= …``, join it)."""
    from .notation.normalize import continues_chain
    if env not in ROW_ENVS:
        return [(a, b)]
    groups, current = [], None
    for row in _row_spans(src, a, b):
        if row is None:
            current = None
            continue
        text = comment_free(src, *row)
        if not text.strip().strip("\\").strip():
            continue
        if current is not None and continues_chain(text):
            current[1] = row[1]
        else:
            current = [row[0], row[1]]
            groups.append(current)
    return groups


def _trim(s, a, b):
    """``[a, b)`` without surrounding white space."""
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    return a, b


def _comments_above(src: Source, opener, html):
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
        """Expected to hold, no conditions, not skipped, no error (yet)."""
        self.expect, self.given, self.skip, self.error = True, [], None, None


def _markers(src: Source, spans, claim: _Claim):
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


def _default_id(src: Source, a, used):
    """``line-N`` (``cell-C-line-N``) of the claim at ``a``; ``.2``, ``.3`` … for more on that line."""
    base = f"line-{src.line(a)}" if src.cell is None else f"cell-{src.cell}-line-{src.line(a)}"
    n = used.get(base, 0) + 1
    used[base] = n
    return base if n == 1 else f"{base}.{n}"


def _claim_id(src, a, b, used):
    """(id, error) of the claim in ``[a, b)``: its ``\\label{…}``, else ``line-N``."""
    m = _LABEL.search(comment_free(src, a, b))
    if not m:
        return _default_id(src, a, used), None
    label = m.group(1).strip()
    if not _LABEL_OK.fullmatch(label) or len(label) > MAX_LABEL:
        return _default_id(src, a, used), (a + m.start(), f"\\label{{{label[:40]}}}: a claim id may use letters, "
                                                          f"digits and . : + / - _ (at most {MAX_LABEL})")
    return label, None


def _macro_error(src, a, b, unreadable):
    """(offset, message) of the first command in ``[a, b)`` that is defined but not read as a macro."""
    if not unreadable:
        return None
    for m in _CONTROL.finditer(comment_free(src, a, b)):
        why = unreadable.get(m.group(0))
        if why is not None:
            return a + m.start(), (f"{m.group(0)} {why}; only argument-free \\newcommand/\\def of the preamble are "
                                   f"read as notation macros: write what it stands for in the equation")
    return None


def _entry(src, a, b, above, used, unreadable):
    """The Entry of the claim ``[a, b)`` (None when a marker skips it)."""
    s = src.text
    a, b = _trim(s, a, b)
    claim = _Claim()
    _markers(src, above, claim)
    first = bisect.bisect_left(src.comments, (a, -1))
    last = bisect.bisect_right(src.comments, (b, b))
    _markers(src, [(c, d) for c, d in src.comments[first:last] if d <= b], claim)
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


def entries(src: Source, unreadable=None):
    """Every claim of ``src`` (its display equations, one per chain) as Entries."""
    displays, html = _scan(src)
    used, out = {}, []
    for opener, a, b, env in displays:
        above = _comments_above(src, opener, html)
        for g0, g1 in _groups(src, a, b, env):
            if not comment_free(src, g0, g1).strip():
                continue
            entry = _entry(src, g0, g1, above, used, unreadable or {})
            if entry is not None:
                out.append(entry)
    return out
