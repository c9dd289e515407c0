"""Strict YAML for derivation files: no aliases or anchors, no duplicate or merge keys, bounded nesting and
size, and line numbers on every mapping, sequence, key and item (for errors at the file's line); a float
keeps the text it was written as, so 0.01 can be read exactly.  ``_yaml_message`` makes a YAML error one
line without a traceback.

Why a node budget: PyYAML's pure-Python composer costs ~35 us per value, so 1 MiB of `[a,a,a,...]`
(500,000 values) took 28 s and 410 MB in the parent before this budget; it now stops at MAX_NODES.
Aliases are refused outright (no "billion laughs"), and so is nesting deeper than MAX_NESTING.
"""
from __future__ import annotations

import yaml

MAX_NESTING = 32
MAX_NODES = 20_000     # YAML values per file: ~6,500 for 500 claims with two givens each; ~0.7 s to parse


class _Reject(yaml.MarkedYAMLError):
    """A YAML construct this format refuses (reported like a YAML syntax error)."""

    def __init__(self, problem, mark):
        """A refusal at ``mark``."""
        super().__init__(problem=problem, problem_mark=mark)


class _Map(dict):
    """A mapping that remembers its line, the line of each key and where each one-line scalar value is written
    (``value_spots``, see :func:`_spot`)."""
    line = None
    key_lines: dict
    value_spots: dict = {}


class _Seq(list):
    """A sequence that remembers its line, the line of each item and where each one-line scalar item is written."""
    line = None
    item_lines: list
    item_spots: list = []


class _Float(float):
    """A float that remembers how it was written (so 0.01 can be read exactly)."""
    text = ""


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects aliases, anchors, duplicate keys, merge keys, deep nesting and too many nodes."""

    def __init__(self, stream):
        """A loader over ``stream`` at nesting depth 0, with no node composed yet."""
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        """Compose one node, refusing aliases/anchors, nesting deeper than MAX_NESTING, over MAX_NODES nodes."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Reject("aliases (*name) are not allowed in derivation files", event.start_mark)
        if getattr(event, "anchor", None):
            raise _Reject("anchors (&name) are not allowed in derivation files", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Reject(f"more than {MAX_NODES} YAML values; derivation files are limited to {MAX_NODES} "
                          f"(split the file)", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _Reject(f"nesting deeper than {MAX_NESTING} levels", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line(node) -> int:
    """The 1-based line where a YAML node starts."""
    return node.start_mark.line + 1


def _spot(node):
    """``(line, lead, raw)`` of a scalar written on one line, plain or quoted: its 1-based line, what precedes it
    on that line (with the opening quote) and its source between the quotes; None otherwise (a block or a
    folded scalar, a string without its source). Only a ``raw`` equal to the value read maps a position in the
    value to a column of the file: escapes ('' or \\n) and folding change the text, so no column is derived
    then."""
    start, end = node.start_mark, node.end_mark
    if not isinstance(node, yaml.ScalarNode) or node.style not in (None, "'", '"') or start.buffer is None \
            or start.line != end.line:
        return None
    quote = 1 if node.style else 0
    raw = start.buffer[start.pointer + quote:end.pointer - quote]
    line_start = start.buffer.rfind("\n", 0, start.pointer) + 1
    return start.line + 1, start.buffer[line_start:start.pointer + quote], raw


def _construct_map(loader, node):
    """A _Map with line numbers; duplicate, merge and non-scalar keys are refused."""
    out = _Map()
    out.line, out.key_lines, out.value_spots = _line(node), {}, {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise _Reject("merge keys (<<) are not allowed in derivation files", key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Reject("mapping keys must be plain names", key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise _Reject(f"duplicate key {key!r} (first given at line {out.key_lines[key]})",
                          key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = _line(key_node)
        out.value_spots[key] = _spot(value_node)
    return out


def _construct_seq(loader, node):
    """A _Seq with line numbers."""
    out = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line, out.item_lines = _line(node), [_line(child) for child in node.value]
    out.item_spots = [_spot(child) for child in node.value]
    return out


def _construct_float(loader, node):
    """A _Float that keeps its source text."""
    out = _Float(loader.construct_yaml_float(node))
    out.text = node.value
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


QUOTING_HINT = ("; LaTeX is safest in a | block scalar (claim: | then the formula indented on the next line); in "
                "single quotes every ' (a prime) must be doubled: '\\varphi''(u)'")


def _yaml_message(e: yaml.YAMLError, text: str) -> tuple:
    """(message, line) for a YAML error, on one line and without a traceback."""
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        what = " ".join(p for p in (e.context, e.problem) if p) or "syntax error"
        column = f" at column {mark.column + 1}" if mark else ""
        what = what + column if isinstance(e, _Reject) else f"invalid YAML: {what}{column}{QUOTING_HINT}"
        return what, mark.line + 1 if mark else None
    if isinstance(e, yaml.reader.ReaderError):
        pos = getattr(e, "position", 0) or 0
        col = pos - text.rfind("\n", 0, pos)
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
        line = text.count("\n", 0, pos) + 1
        return f"invalid YAML: control character U+{code:04X} is not allowed at column {col}", line
    return "invalid YAML: " + " ".join(str(e).split()), None
