"""Derivation files (format v1): strict YAML reading into frozen specs, with located errors.

A file may declare its notation (``notation: {preset: nielsen, scalars: [u]}``, or a preset name): the profile is
validated here like ``network:`` (unknown fields are errors naming the field, with a did-you-mean) and carried by
every ClaimSpec. A preset that says how its source labels the weights (Nielsen: incoming) sets ``weights`` of a
network that does not; a network that says otherwise is an error naming both.

What fails where: a file that cannot be read (not a regular file, too big, not UTF-8, invalid YAML,
over the YAML budget, a bad ``title:``/``network:``/``claims:`` section) is one SpecError for the file.
A malformed *claim entry* (empty or non-string claim, bad id, bad given, unknown key, duplicate id, ...)
is not: it becomes a ClaimSpec whose ``error`` holds the one-line message (file, claim id or ``#n``,
key, line), the checker reports it as that claim's ``error`` verdict, and the other claims are checked.

Homework files (:mod:`homework`) become specs here too (:func:`spec_from_parts`, :func:`parse_header`), so that
claims become ClaimSpecs in one place; that is why this module is somewhat over 600 lines (the strict YAML
loader is :mod:`yamlsafe`).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import yaml

from .errors import ConfigError, NotationError, SpecError
from .intake import display_name, read_limited
from .network import Network
from .yamlsafe import MAX_NESTING, MAX_NODES, _Float, _Loader, _Map, _Seq, _yaml_message  # noqa: F401 - MAX_*: public here

__all__ = ["ClaimSpec", "DerivationSpec", "Origin", "Entry", "load_spec", "load_spec_text", "load_spec_data", "spec_from_parts", "SUFFIXES",
           "MAX_BYTES", "MAX_CLAIMS", "MAX_CLAIM_CHARS", "MAX_GIVENS", "MAX_NESTING", "MAX_NODES"]

SUFFIXES = (".yaml", ".yml")     # file names of derivation files

MAX_BYTES = 1 << 20
MAX_CLAIMS = 500
MAX_CLAIM_CHARS = 10_000
MAX_GIVENS = 50
MAX_ID_CHARS = 200

TOP_KEYS = ("title", "network", "notation", "claims")
CLAIM_KEYS = ("id", "claim", "given", "expect", "note", "points")
MAX_POINTS = 1000
ID_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class Origin:
    """Where a claim cut from a homework file stands in it, so that errors name the file's line and column.

    ``pieces`` holds ``(text, line, lead)`` for the claim and each given: ``text`` exactly as it stands in the file
    from ``line`` (1-based), ``lead`` what precedes it on that line. ``cell`` is the notebook cell (1-based)."""
    path: str
    pieces: tuple
    cell: int | None = None

    def where(self, line: int, column: int) -> str:
        """'file:line:column' ('file:cell N:line:column' in a notebook), column 1-based."""
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.path}:{cell}{line}:{column}"

    def place(self, err, text, given=()) -> tuple | None:
        """Put ``err`` (a SymbackpropError at a position of the claim's or a given's text) at its line and column;
        returns ``(line, column)`` (1-based), or None when the text is not one of the pieces."""
        if err.position is None or err.text is None:
            return None
        for piece, line, lead in self.pieces:
            if piece != err.text or not (piece == text or piece in given):
                continue
            before = piece[:err.position]
            rows = before.count("\n")
            start = before.rfind("\n") + 1
            head = lead if rows == 0 else ""
            end = piece.find("\n", err.position)
            row_text = head + piece[start:end if end >= 0 else len(piece)]
            column = len(head) + err.position - start
            err.at_source(self.where(line + rows, column + 1), row_text, column)
            return line + rows, column + 1
        return None


@dataclass(frozen=True)
class Entry:
    """One display equation of a homework file, as cut by :mod:`homework`: the id (a label or the line), the text,
    the givens and expectation from marker comments, its origin, and ``error`` when it cannot be a claim."""
    id: str
    text: str
    line: int
    origin: Origin
    expect: bool = True
    given: tuple = ()
    error: str | None = None


@dataclass(frozen=True)
class ClaimSpec:
    """One claim: its id, LaTeX text, conditions, expected outcome, free note and source line.

    ``error`` is set for a malformed entry: the one-line message that becomes the claim's ``error``
    verdict. Its ``id`` is then the entry's id when that is valid and unique, else ``#n`` (1-based
    position; '#' cannot occur in a valid id, so it never collides).
    """
    id: str
    claim: str
    given: tuple = ()
    expect: bool = True
    note: str | None = None
    line: int | None = None
    error: str | None = None
    notation: object = None          # the file's notation Profile (None: the default)
    origin: Origin | None = field(default=None, compare=False)   # where the text stands (errors: line, column)
    points: float = 1                # what the claim is worth when graded against (grade; default 1)


@dataclass(frozen=True)
class DerivationSpec:
    """One derivation file: where it came from, its title, network, claims and notation profile (None: default).

    ``skipped`` (homework files): ``(where, what, why)`` of each part of the file that was not read as a claim."""
    path: str
    title: str | None
    network: Network
    claims: tuple
    notation: object = None
    skipped: tuple = ()


# ----------------------------------------------------------------------------------------------
# errors


def _error(path, message, *, key=None, claim=None, line=None) -> SpecError:
    """A SpecError naming the file, claim and key, with ' (line N)' when the line is known."""
    err = SpecError(message + (f" (line {line})" if line else ""), file=path, claim_id=claim, key=key)
    err.line = line
    return err


def _kind(value) -> str:
    """How a YAML value reads to a person (booleans get the quoting hint)."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads yes/no/on/off/true/false as booleans; quote it)"
    table = ((type(None), "nothing (null)"), (str, "a string"), (int, "an integer"), (float, "a number"),
             (list, "a list"), (dict, "a mapping"))
    return next((f"{name} {value!r}" if isinstance(value, (int, float)) else name
                 for t, name in table if isinstance(value, t)), f"a {type(value).__name__}")


def _check_keys(path, mapping, allowed, *, where, prefix="", claim=None):
    """Refuse keys outside ``allowed``, suggesting the closest allowed key."""
    for key in mapping:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
        raise _error(path, f"unknown key {key!r} in {where}{hint}", key=f"{prefix}{key}", claim=claim,
                     line=mapping.key_lines.get(key))


# ----------------------------------------------------------------------------------------------
# reading text


def _decode(data: bytes, path) -> str:
    """UTF-8 text (a leading BOM is dropped); SpecError pointing at the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(path, "the file is UTF-16; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise _error(path, f"not valid UTF-8: byte 0x{data[e.start]:02x} at column {col}; save the file as UTF-8",
                     line=line) from None


def _parse(text: str, path):
    """The YAML document of ``text`` through the strict loader."""
    loader = None
    try:
        loader = _Loader(text)
        return loader.get_single_data()
    except yaml.YAMLError as e:
        message, line = _yaml_message(e, text)
        raise _error(path, message, line=line) from None
    except (ValueError, OverflowError) as e:
        raise _error(path, "invalid value: " + " ".join(str(e).split(";")[0].split())) from None
    except RecursionError:
        raise _error(path, "invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


# ----------------------------------------------------------------------------------------------
# building the spec


def _read_sizes(path, field, value, line):
    """Layer widths: a list of integers (Network checks their range)."""
    if not isinstance(value, list):
        raise _error(path, f"sizes must be a list of layer widths like [3, 4, 3], got {_kind(value)}",
                     key="network.sizes", line=line)
    for i, d in enumerate(value):
        if isinstance(d, bool) or not isinstance(d, int):
            raise _error(path, f"sizes[{i}] must be an integer, got {_kind(d)}", key="network.sizes",
                         line=value.item_lines[i])
    return tuple(value)


def _read_name(path, field, value, line):
    """A choice such as the activation: a string (Network checks the options)."""
    if not isinstance(value, str):
        raise _error(path, f"{field} must be a name, got {_kind(value)}", key=f"network.{field}", line=line)
    return value


def _read_activation(path, field, value, line):
    """One activation name, or a list of names (one per hidden layer, layer 1 first; Network checks them)."""
    if isinstance(value, list):
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise _error(path, f"activation[{i}] must be a name, got {_kind(v)}", key="network.activation",
                             line=value.item_lines[i])
        return list(value)
    if not isinstance(value, str):
        raise _error(path, f"activation must be a name or a list of names (one per hidden layer), got "
                           f"{_kind(value)}", key="network.activation", line=line)
    return value


def _read_number(path, field, value, line):
    """A number, exactly as written: 0.01 becomes Fraction(1, 100); strings like '1/3' pass to Network."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _error(path, f"{field} must be a number, got {_kind(value)}", key=f"network.{field}", line=line)
    if not isinstance(value, _Float):
        return value
    try:
        return Fraction(Decimal(value.text.replace("_", "")))
    except (InvalidOperation, ValueError, OverflowError):
        return float(value)


def _read_int(path, field, value, line):
    """A whole number such as the batch size (Network checks its range)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _error(path, f"{field} must be a whole number, got {_kind(value)}", key=f"network.{field}", line=line)
    return value


def _read_bool(path, field, value, line):
    """true or false (YAML booleans only: 'no' or 0 are refused, never read as false)."""
    if not isinstance(value, bool):
        raise _error(path, f"{field} must be true or false, got {_kind(value)}", key=f"network.{field}", line=line)
    return value


NETWORK_READERS = {"sizes": _read_sizes, "activation": _read_activation, "output": _read_name, "loss": _read_name,
                   "weights": _read_name, "relu_prime_at_zero": _read_number, "negative_slope": _read_number,
                   "alpha": _read_number, "batch": _read_int, "reduction": _read_name, "layout": _read_name,
                   "l2": _read_number, "bias": _read_bool}


def _network(path, value, line) -> Network:
    """The Network of the ``network:`` section (Network's own ConfigError becomes a SpecError)."""
    if not isinstance(value, dict):
        raise _error(path, f"network must be a mapping (sizes, activation, ...), got {_kind(value)}",
                     key="network", line=line)
    _check_keys(path, value, tuple(NETWORK_READERS), where="network", prefix="network.")
    if "sizes" not in value:
        raise _error(path, "network needs 'sizes' (the layer widths [d0, ..., dL])", key="network.sizes",
                     line=value.line)
    kwargs = {f: NETWORK_READERS[f](path, f, v, value.key_lines.get(f)) for f, v in value.items()}
    try:
        return Network(**kwargs)
    except ConfigError as e:
        raise _error(path, e.message, key=f"network.{e.key}" if e.key else "network",
                     line=value.key_lines.get(e.key, value.line)) from None


def _notation(path, value, line):
    """The Profile of the ``notation:`` section: a preset name or a mapping of fields (errors name the field)."""
    from .notation import profile
    if not isinstance(value, (str, dict)):
        raise _error(path, f"notation must be a preset name or a mapping of fields (preset, cost, scalars, ...), got "
                           f"{_kind(value)}", key="notation", line=line)
    try:
        return profile(value)
    except NotationError as e:
        field = (e.key or "notation").split(".", 1)[-1]
        lines = getattr(value, "key_lines", {})
        raise _error(path, e.message, key=e.key or "notation", line=lines.get(field, line)) from None


def _with_notation(path, network, doc, prof):
    """The network with the preset's weight labels filled in when the file does not say; conflicts are errors."""
    from .notation import check_network
    section = doc["network"]
    if prof.weights and "weights" not in section:
        network = replace(network, weights=prof.weights)
    try:
        check_network(prof, network)
    except NotationError as e:
        key = e.key or "network"
        raise _error(path, e.message, key=key, line=section.key_lines.get(key.split(".")[-1], section.line)) from None
    return network


def _text(path, value, key, claim, line, *, limit=MAX_CLAIM_CHARS) -> str:
    """A non-empty string of at most ``limit`` characters, stripped."""
    if not isinstance(value, str):
        raise _error(path, f"{key} must be a string, got {_kind(value)}", key=key, claim=claim, line=line)
    if not value.strip():
        raise _error(path, f"{key} is empty", key=key, claim=claim, line=line)
    if len(value) > limit:
        raise _error(path, f"{key} is {len(value)} characters long; the limit is {limit}", key=key,
                     claim=claim, line=line)
    return value.strip()


def _claim_id(path, item, index) -> str:
    """The claim's id, checked (errors name the claim by its 1-based index '#n')."""
    where = f"#{index + 1}"
    if "id" not in item:
        raise _error(path, f"claim {where} has no 'id'", key="id", claim=where, line=item.line)
    value, line = item["id"], item.key_lines["id"]
    if not isinstance(value, str):
        raise _error(path, f"id must be a string, got {_kind(value)}", key="id", claim=where, line=line)
    if not ID_PATTERN.fullmatch(value) or len(value) > MAX_ID_CHARS:
        raise _error(path, f"id {value!r} may use only letters, digits, '-', '_' and '.' "
                           f"(1 to {MAX_ID_CHARS} characters)", key="id", claim=where, line=line)
    return value


def _given(path, value, cid, line) -> tuple:
    """The claim's conditions: one string or a list of strings."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise _error(path, f"given must be a string or a list of strings, got {_kind(value)}", key="given",
                     claim=cid, line=line)
    if len(items) > MAX_GIVENS:
        raise _error(path, f"at most {MAX_GIVENS} conditions per claim, got {len(items)}", key="given",
                     claim=cid, line=line)
    lines = getattr(items, "item_lines", [line] * len(items))
    return tuple(_text(path, g, "given", cid, ln) for g, ln in zip(items, lines))


def _claim(path, item, index, line) -> ClaimSpec:
    """One ClaimSpec from one entry of ``claims:``."""
    if not isinstance(item, dict):
        raise _error(path, f"each claim must be a mapping with 'id' and 'claim', got {_kind(item)}",
                     key="claims", claim=f"#{index + 1}", line=line)
    cid = _claim_id(path, item, index)
    _check_keys(path, item, CLAIM_KEYS, where="claim", claim=cid)
    if "claim" not in item:
        raise _error(path, "claim has no 'claim' (the LaTeX statement)", key="claim", claim=cid, line=item.line)
    lines = item.key_lines
    expect = item.get("expect", True)
    if not isinstance(expect, bool):
        raise _error(path, f"expect must be true or false, got {_kind(expect)}", key="expect", claim=cid,
                     line=lines.get("expect"))
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        raise _error(path, f"note must be a string, got {_kind(note)}", key="note", claim=cid,
                     line=lines.get("note"))
    given = _given(path, item["given"], cid, lines["given"]) if "given" in item else ()
    points = _points(path, item.get("points", 1), cid, lines.get("points"))
    text = _text(path, item["claim"], "claim", cid, lines["claim"])
    return ClaimSpec(cid, text, given, expect, note, item.line, points=points,
                     origin=_yaml_origin(path, item, text, given))


def _yaml_origin(path, item, text, given) -> Origin | None:
    """Where the claim's text and its givens stand in the YAML file, for those written on one line exactly as
    read (plain or quoted without escapes): an error then names its line and column. None if neither is."""
    spots = [(text, getattr(item, "value_spots", {}).get("claim"))]
    value = item.get("given")
    if isinstance(value, str):
        spots.append((given[0], getattr(item, "value_spots", {}).get("given")))
    elif isinstance(value, list):
        spots += zip(given, getattr(value, "item_spots", ()))
    pieces = tuple((t, spot[0], spot[1]) for t, spot in spots if spot is not None and spot[2] == t)
    return Origin(str(path), pieces) if pieces else None


def _points(path, value, cid, line):
    """``points:`` a number from 0 to MAX_POINTS (int or decimal; not a bool, inf or nan)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_POINTS:
        raise _error(path, f"points must be a number from 0 to {MAX_POINTS}, got {_kind(value)}",
                     key="points", claim=cid, line=line)
    return value


def _broken(item, index, line, err: SpecError) -> ClaimSpec:
    """The ClaimSpec of a malformed entry: what could be read of it, and the error as its message."""
    cid = err.claim_id or f"#{index + 1}"
    is_map = isinstance(item, dict)
    text = item.get("claim") if is_map else None
    expect = item.get("expect") if is_map else None
    return ClaimSpec(cid, text.strip() if isinstance(text, str) else "", (),
                     expect if isinstance(expect, bool) else True, None,
                     getattr(item, "line", None) or line, err.one_line())


def _duplicate(path, spec: ClaimSpec, item, index, first_line) -> ClaimSpec:
    """The second claim with an id already used: an error claim named by its position (#n)."""
    where = f"#{index + 1}"
    first = f"first used at line {first_line}" if first_line else "used by an earlier claim"
    err = _error(path, f"duplicate claim id {spec.id!r} ({first}); give each claim "
                       f"its own id", key="id", claim=where, line=item.key_lines["id"])
    return ClaimSpec(where, spec.claim, spec.given, spec.expect, spec.note, spec.line, err.one_line())


def _claims(path, value, line) -> tuple:
    """All claims, with unique ids; a malformed entry is an error ClaimSpec, not an error for the file."""
    if not isinstance(value, list):
        raise _error(path, f"claims must be a list of claims, got {_kind(value)}", key="claims", line=line)
    if not value:
        raise _error(path, "claims is empty; list at least one claim", key="claims", line=line)
    if len(value) > MAX_CLAIMS:
        raise _error(path, f"{len(value)} claims; the limit is {MAX_CLAIMS} per file", key="claims", line=line)
    out, seen = [], {}
    for i, (item, ln) in enumerate(zip(value, value.item_lines)):
        try:
            spec = _claim(path, item, i, ln)
        except SpecError as e:
            spec = _broken(item, i, ln, e)
        if spec.id in seen:
            spec = _duplicate(path, spec, item, i, seen[spec.id])
        elif not spec.id.startswith("#"):
            seen[spec.id] = item.key_lines["id"]
        out.append(spec)
    return tuple(out)


def _spec(doc, path, default=None) -> DerivationSpec:
    """The DerivationSpec of a parsed document."""
    if doc is None:
        raise _error(path, "empty file: expected 'network:' and 'claims:'")
    if not isinstance(doc, dict):
        raise _error(path, f"the file must be a mapping with keys {', '.join(TOP_KEYS)}; got {_kind(doc)}",
                     line=getattr(doc, "line", None))
    _check_keys(path, doc, TOP_KEYS, where="the file")
    for key in ("network", "claims"):
        if key not in doc:
            raise _error(path, f"missing required key {key!r}", key=key, line=doc.line)
    title = doc.get("title")
    if title is not None:
        title = _text(path, title, "title", None, doc.key_lines["title"], limit=1000)
    network = _network(path, doc["network"], doc.key_lines["network"])
    prof = default
    if "notation" in doc:
        prof = _notation(path, doc["notation"], doc.key_lines["notation"])
    if prof is not None:
        network = _with_notation(path, network, doc, prof)
    claims = _claims(path, doc["claims"], doc.key_lines["claims"])
    if prof is not None:
        claims = tuple(replace(c, notation=prof) for c in claims)
    return DerivationSpec(path, title, network, claims, prof)


def _too_big(path, size):
    """The refusal of an over-long file (before any parsing)."""
    return _error(path, f"file is {size} bytes; derivation files are limited to {MAX_BYTES} bytes (1 MiB)")


def load_spec_text(text, path="<string>", *, notation=None) -> DerivationSpec:
    """Read a derivation from YAML text (str, or bytes that must be UTF-8); SpecError if the file is malformed.

    A malformed claim entry does not raise: it is a ClaimSpec with ``error`` set (see the module doc).
    ``notation`` (a Profile, preset name or mapping) is the notation of a file that declares none.
    """
    path = display_name(path)
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise _too_big(path, len(text))
        text = _decode(bytes(text), path)
    if not isinstance(text, str):
        raise _error(path, f"expected YAML text, got {type(text).__name__}")
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise _too_big(path, len(text.encode("utf-8", "surrogatepass")))
    return _spec(_parse(text, path), path, _default_notation(notation, path))


def _default_notation(notation, path):
    if notation is None:
        return None
    from .notation import load_profile, profile
    try:
        return load_profile(notation) if isinstance(notation, str) else profile(notation)
    except NotationError as e:
        raise _error(path, f"--notation: {e.message}", key=e.key or "notation") from None


def _located(value):
    """JSON-like data as the strict loader's values (mappings and lists without line numbers)."""
    if isinstance(value, dict):
        out = _Map((k, _located(v)) for k, v in value.items())
        out.line, out.key_lines = None, dict.fromkeys(out)
        return out
    if isinstance(value, list):
        out = _Seq(_located(v) for v in value)
        out.line, out.item_lines = None, [None] * len(out)
        return out
    if isinstance(value, float) and not isinstance(value, _Float):
        out = _Float(value)
        out.text = repr(value)
        return out
    return value


def load_spec_data(data, path="<request>", *, notation=None) -> DerivationSpec:
    """A derivation from already-parsed data with the keys of a file (``title``, ``network``, ``notation``,
    ``claims``), e.g. a JSON request: checked exactly as a file's document, with the same messages (no line
    numbers).  Mapping keys must be strings; numbers written as floats are taken as they print (0.01 -> 1/100)."""
    path = display_name(path)
    return _spec(_located(data), path, _default_notation(notation, path))


def load_spec(path, *, follow_links: bool = True, notation=None) -> DerivationSpec:
    """Read a derivation file (a regular file of at most 1 MiB of UTF-8 YAML); SpecError if unreadable or malformed.

    FIFOs, devices, sockets and directories are refused before they are opened (see :mod:`intake`);
    ``follow_links=False`` also refuses a symbolic link (the grader's submissions). The spec's ``path``
    is the printable rendering of the name (non-UTF-8 bytes and control characters escaped).
    """
    return load_spec_text(read_limited(path, MAX_BYTES, follow_links=follow_links), path, notation=notation)


# ----------------------------------------------------------------------------------------------
# homework files (.tex, .md, .ipynb): the front matter and display equations cut by homework.py become a spec here

HEADER_KEYS = ("title", "network", "notation")


def parse_header(text, path, first_line: int = 1):
    """The front matter of a homework file (YAML text whose first line is line ``first_line`` of the file) as a
    mapping whose line numbers are the file's; None for an empty one. SpecError naming the file and line."""
    if len(text) > MAX_BYTES:
        raise _too_big(path, len(text))
    doc = _parse("\n" * (first_line - 1) + text, path)
    if doc is None:
        return None
    if not isinstance(doc, dict):
        raise _error(path, f"the front matter must be a mapping with keys {', '.join(HEADER_KEYS)}; got {_kind(doc)}",
                     line=getattr(doc, "line", first_line))
    if "claims" in doc:
        raise _error(path, "claims: in the front matter of a homework file; its claims are its display equations "
                           "(or write a derivation file, .yaml)", key="claims", line=doc.key_lines["claims"])
    _check_keys(path, doc, HEADER_KEYS, where="the front matter")
    return doc


def _cli_network(path, fields):
    """The Network of the command line's fields (sizes, activation, ...); its errors name the flag."""
    try:
        return Network(**fields)
    except ConfigError as e:
        raise _error(path, f"--{(e.key or 'sizes').replace('_', '-')}: {e.message}", key="network") from None


def _header_network(path, header, fields, prof):
    """The network of the front matter, else the command line's fields; both given must agree; one is needed.
    A preset's weight labels fill a network that does not state them (as in a derivation file)."""
    declared = "network" in header if header else False
    if not declared and not fields:
        raise _error(path, "no network: add a front matter with network: {sizes: [3, 4, 3], ...} (--- block in .md, "
                           "%! symbackprop: block in .tex, notebook metadata or first cell) or give --sizes",
                     key="network")
    section = header["network"] if declared else dict(fields)
    net = _network(path, section, header.key_lines["network"]) if declared else _cli_network(path, fields)
    if prof is not None and prof.weights and "weights" not in section:
        net = replace(net, weights=prof.weights)
    if declared and fields:
        other = _cli_network(path, fields)
        if prof is not None and prof.weights and "weights" not in fields:
            other = replace(other, weights=prof.weights)
        if other != net:
            raise _error(path, f"the file declares its network and the command line gives another "
                               f"({other.describe()}); drop the flags or the front matter's network",
                         key="network", line=header.key_lines["network"])
    if prof is not None:
        from .notation import check_network
        try:
            check_network(prof, net)
        except NotationError as e:
            raise _error(path, e.message, key=e.key or "network",
                         line=header.key_lines.get("network") if declared else None) from None
    return net


def _header_notation(path, header, notation, macros):
    """The profile: the front matter's, else the command line's, plus the argument-free macros of a preamble."""
    prof = _default_notation(notation, path)
    if header and "notation" in header:
        prof = _notation(path, header["notation"], header.key_lines["notation"])
    if macros:
        from .notation import profile
        base = prof if prof is not None else profile({})
        prof = replace(base, macros=tuple(base.macros) + tuple(macros))
    return prof


def _entry_claim(path, entry: Entry, prof) -> ClaimSpec:
    """The ClaimSpec of one cut equation (length and emptiness checked like a YAML claim)."""
    error = entry.error
    text = entry.text
    if error is None:
        try:
            _text(path, entry.text, "claim", entry.id, entry.line)
        except SpecError as e:
            error = e.one_line()
    return ClaimSpec(entry.id, text, tuple(entry.given), entry.expect, None, entry.line, error, prof, entry.origin)


def spec_from_parts(path, header, entries, *, title=None, notation=None, network=None, macros=(),
                    skipped=()) -> DerivationSpec:
    """The DerivationSpec of a homework file: ``header`` its front matter (:func:`parse_header`, or None),
    ``entries`` its display equations (:class:`Entry`), ``network`` the command line's network fields (sizes,
    activation, …; a network declared twice must agree), ``notation`` the command line's (where the file has
    none), ``macros`` the preamble's argument-free macros. Duplicate ids are error claims named by position."""
    path = display_name(path)
    if not entries:
        raise _error(path, "no display equation found: claims are display equations (\\[…\\], $$…$$, equation, align, "
                           "…); inline math $…$ and prose are skipped (--verbose lists them)")
    if len(entries) > MAX_CLAIMS:
        raise _error(path, f"{len(entries)} display equations; the limit is {MAX_CLAIMS} per file (split the file)")
    if header and header.get("title") is not None:
        title = _text(path, header["title"], "title", None, header.key_lines["title"], limit=1000)
    prof = _header_notation(path, header, notation, macros)
    net = _header_network(path, header, dict(network or {}), prof)
    claims, seen = [], {}
    for n, entry in enumerate(entries):
        spec = _entry_claim(path, entry, prof)
        if spec.id in seen:
            msg = (f"{entry.origin.where(entry.line, 1)}: claim {spec.id!r}: duplicate id (first used at line "
                   f"{seen[spec.id]}); give each equation its own \\label")
            spec = replace(spec, id=f"#{n + 1}", error=msg)
        else:
            seen[spec.id] = entry.line
        claims.append(spec)
    return DerivationSpec(path, title, net, tuple(claims), prof, tuple(skipped))
