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
no cell is ever executed. :mod:`displays` cuts the equations, :mod:`spec` turns them into ClaimSpecs
(:func:`~symbackprop.spec.spec_from_parts`).
"""
from __future__ import annotations

import json
import os
import re

from .displays import Source, comment_free, entries
from .errors import NotationError, SpecError
from .intake import display_name, read_limited
from .spec import parse_header, spec_from_parts

__all__ = ["SUFFIXES", "MAX_BYTES", "MAX_NOTEBOOK_BYTES", "is_homework", "load_homework", "load_homework_text"]

SUFFIXES = (".tex", ".md", ".markdown", ".ipynb")
MAX_BYTES = 1 << 20                 # .tex and .md
MAX_NOTEBOOK_BYTES = 8 << 20        # a notebook carries its outputs (images) too
MAX_CELLS = 10_000
DEFINERS = ("newcommand", "renewcommand", "providecommand", "DeclareRobustCommand", "DeclareMathOperator", "def",
            "gdef", "edef", "xdef", "let", "mathchardef", "chardef", "NewDocumentCommand", "RenewDocumentCommand",
            "ProvideDocumentCommand", "DeclareDocumentCommand")
_DEFINITION = re.compile(r"\\(%s)(?![A-Za-z])\s*\*?\s*\{?\s*(\\[A-Za-z]+|\\.)" % "|".join(DEFINERS))


def is_homework(path) -> bool:
    """Whether ``path`` names a homework file (by its suffix) rather than a derivation file."""
    return os.path.splitext(os.fspath(path) if not isinstance(path, bytes) else os.fsdecode(path))[1].lower() \
        in SUFFIXES


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


def _tex_macros(src: Source, body_start):
    """(macros read from the preamble, {name: why} of the commands defined in a form that is not read)."""
    from .notation import parse_preamble
    try:
        read = parse_preamble(src.text[:body_start])
    except NotationError as e:
        raise SpecError(f"the preamble cannot be read for macros: {e.message}", file=src.path) from None
    defs = {}
    for m in _DEFINITION.finditer(comment_free(src, 0, len(src.text))):
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
    src = Source(path, text, tex=True)
    macros, unreadable = _tex_macros(src, body_start)
    scan = _blank(text, 0, body_start)
    body = Source(path, scan, tex=True, original=text)
    if end:
        body.text = _blank(scan, end.start(), len(scan))
        rest = text[end.end():]
        if rest.strip():
            body.skip(end.end() + len(rest) - len(rest.lstrip()), "text after \\end{document}", "TeX never reads it")
    return header, entries(body, unreadable), macros, body.skipped


def _markdown(text, path, cell=None):
    """(header, entries, skipped) of markdown text (a .md file or one notebook cell)."""
    header, text = _front_matter(text, path, cell)
    src = Source(path, text, tex=False, cell=cell)
    return header, entries(src), src.skipped


def _cell_source(cell, n, path):
    """(cell_type, source text) of notebook cell ``n``; SpecError for a cell of another shape."""
    if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
        raise SpecError(f"cell {n} is not a notebook cell (a mapping with cell_type and source)", file=path)
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(x, str) for x in source):
        source = "".join(source)
    if not isinstance(source, str):
        raise SpecError(f"cell {n}: source must be text or a list of lines", file=path)
    return cell["cell_type"], source


def _notebook_json(text, path):
    """The notebook's JSON (standard ``json``; nothing in it is run): a mapping with a list of cells."""
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
    claims, skipped, first = [], [], True
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
            claims += found
            skipped += skip
        elif source.strip():
            skipped.append((f"{path}:cell {n}", f"{kind} cell", "code is never run or read" if kind == "code"
                            else "raw cells are not read"))
    return header, claims, skipped


def _decode(data: bytes, path) -> str:
    """UTF-8 text (a leading BOM dropped); SpecError naming the line of the first bad byte."""
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
        raise SpecError("not a homework file: give .tex, .md or .ipynb (or a derivation file, .yaml)", file=name)
    return spec_from_parts(name, header, entries, notation=notation, network=network, macros=macros,
                           skipped=tuple(skipped))


def load_homework(path, *, notation=None, network=None, follow_links=True):
    """The DerivationSpec of a homework file (.tex, .md, .ipynb) read through :mod:`intake`."""
    name = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    limit = MAX_NOTEBOOK_BYTES if name.lower().endswith(".ipynb") else MAX_BYTES
    data = read_limited(path, limit, follow_links=follow_links)
    return load_homework_text(data, path, notation=notation, network=network)
