r"""The tolerance stage: what is certain to carry no meaning is removed at the token level, before parsing.

Each pass works on tokens (never on raw text), keeps every token's span in the user's text (an error still
points at what was typed) and changes nothing TeX would print differently:

- macros: ``\Vx`` -> its body (the profile's ``macros``/``preamble``; no arguments; bounded expansion);
- math delimiters ``$…$``, ``$$…$$``, ``\[…\]``, ``\(…\)``; environments ``equation``, ``align``, ``aligned``,
  ``eqnarray``, ``split``, ``gather`` (and starred forms), ``\label{…}``, ``\nonumber``, ``\notag``;
- alignment: ``&`` dropped, rows joined at ``\\`` as one chain — a row must continue the previous one (start
  with a relation such as ``&=`` or a binary operator); a row that starts a new left side is an error;
- trailing ``.``/``,``/``;`` at the end of the formula or of a row;
- sizing ``\big \Big \bigg \Bigg`` (with ``l``/``r``/``m``) before a delimiter, ``\displaystyle`` and friends,
  ``\color{…}``; ``\right. \left.`` where a bracket pair is split across rows;
- styles that do not change what a symbol is: ``\mathbf \boldsymbol \bm \vec`` on one symbol (bold x = x, but
  ``\mathbf{1}`` stays the indicator), ``\bf``; ``\dfrac \tfrac \cfrac`` -> ``\frac``; ``\intercal`` and upright
  ``^{\mathrm T}`` -> the transpose; ``^\prime`` -> ``'``; ``\mathrm{d}`` -> the differential;
  ``\operatorname{softmax}``, ``\mathrm{ReLU}``, ``\text{diag}`` … -> one function token;
- prose at the end: ``\quad\text{for } l = 1, \dots, L-1`` (a range of a free index or of the layer symbol) is
  kept apart for the parser (``tail``), which reads it as a restriction; any other ``\text`` is an error.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotationError
from .lexer import Token, raw_tokens, sized

__all__ = ["normalize", "Normalized", "OPERATOR_NAMES", "BOLD", "RELATION_STARTS", "continues_chain"]

MAX_EXPANSION = 5_000         # tokens produced by macro expansion in one text
MAX_MACRO_DEPTH = 16
ENVIRONMENTS = frozenset({"equation", "equation*", "align", "align*", "aligned", "alignat", "alignat*",
                          "eqnarray", "eqnarray*", "split", "gather", "gather*", "gathered", "multline",
                          "multline*", "displaymath", "math"})
BOLD = frozenset({"mathbf", "boldsymbol", "bm", "vec", "pmb", "mathbold"})
STYLE_SWITCHES = frozenset({"displaystyle", "textstyle", "scriptstyle", "bf", "nonumber", "notag",
                            "limits", "nolimits"})
SIZING = frozenset({f"{b}{s}" for b in ("big", "Big", "bigg", "Bigg") for s in ("", "l", "r", "m")} | {"middle"})
FRAC_ALIASES = frozenset({"dfrac", "tfrac", "cfrac"})
BAR_COMMANDS = {"lVert": "\\|", "rVert": "\\|", "Vert": "\\|", "lvert": "|", "rvert": "|", "vert": "|"}
UPRIGHT = frozenset({"mathrm", "text", "textrm", "operatorname", "mathit", "textit", "mathsf", "textsf",
                     "rm", "mathnormal", "mbox"})
OPERATOR_NAMES = {"softmax": "softmax", "relu": "relu", "sigmoid": "sigmoid", "diag": "diag", "tr": "tr",
                  "trace": "tr", "tanh": "tanh", "exp": "exp", "log": "log", "ln": "log", "max": "max",
                  "prod": "prod", "sign": "sign", "sgn": "sign",
                  "sech": "sech"}
DELIMITERS = frozenset("()[]|./") | {"\\{", "\\}", "\\|"}
RELATION_STARTS = frozenset({"=", "<", ">"})
RELATION_CMDS = frozenset({"neq", "ne", "le", "leq", "ge", "geq", "in", "approx", "equiv"})
BINARY_STARTS = frozenset({"+", "-", "*"})
BINARY_CMDS = frozenset({"odot", "circ", "otimes", "cdot", "times", "bullet"})
PUNCTUATION = frozenset({".", ",", ";"})


@dataclass
class Normalized:
    """The tokens to parse, the prose tail (tokens of a trailing range statement, or None) and notes."""
    tokens: list
    tail: list | None
    notes: list


def _fail(message, text, tok):
    shown = ("\\" + tok.value) if tok.kind == "cmd" else tok.value or "end of input"
    raise NotationError(message, token=shown, position=tok.pos, text=text)


def _is(t, kind, value=None):
    return t is not None and t.kind == kind and (value is None or t.value == value)


def _group_end(toks, k, text):
    """Index after the balanced {…} starting at ``k`` (an error if there is none)."""
    if not _is(toks[k] if k < len(toks) else None, "sym", "{"):
        _fail("expected {…} here", text, toks[k] if k < len(toks) else toks[-1])
    depth = 0
    for j in range(k, len(toks)):
        depth += _is(toks[j], "sym", "{") - _is(toks[j], "sym", "}")
        if depth == 0:
            return j + 1
    _fail("expected } closing this group", text, toks[k])


def _letters(toks):
    return "".join(t.value for t in toks if t.kind in ("letter", "num"))


# ----------------------------------------------------------------------------------------------
# macros


def _expand(toks, text, macros):
    if not macros:
        return toks
    bodies = {name[1:]: body for name, body in macros}
    out, budget = [], [MAX_EXPANSION]

    def emit(seq, depth, at=None):
        for t in seq:
            if t.kind == "cmd" and t.value in bodies:
                if depth >= MAX_MACRO_DEPTH:
                    _fail(f"macro \\{t.value} expands more than {MAX_MACRO_DEPTH} levels deep", text, at or t)
                try:
                    inner = raw_tokens(bodies[t.value])
                except NotationError as e:
                    _fail(f"the macro \\{t.value} does not read: {e.message}", text, at or t)
                budget[0] -= len(inner)
                if budget[0] < 0:
                    _fail(f"macro expansion exceeds {MAX_EXPANSION} tokens", text, at or t)
                src = at or t
                emit([Token(x.kind, x.value, src.pos, src.end) for x in inner], depth + 1, src)
            else:
                out.append(t if at is None else Token(t.kind, t.value, at.pos, at.end))
    emit(toks, 0)
    return out


# ----------------------------------------------------------------------------------------------
# delimiters, environments, alignment


def _strip_delimiters(toks, text):
    pairs = {"$": "$", "\\[": "\\]", "\\(": "\\)"}
    if not toks:
        return toks
    first = toks[0]
    if first.kind == "sym" and first.value in pairs and len(toks) > 2 and toks[-1].kind == "sym" and \
            toks[-1].value in PUNCTUATION and toks[-2].kind == "sym" and toks[-2].value == pairs[first.value]:
        toks = toks[:-1]                                # $…$. : the sentence's full stop after the math
    if first.kind == "sym" and first.value in pairs:
        n = 2 if first.value == "$" and len(toks) > 1 and _is(toks[1], "sym", "$") else 1
        close = pairs[first.value]
        tail = toks[-n:] if len(toks) >= 2 * n else []
        if len(tail) != n or not all(_is(t, "sym", close) for t in tail):
            _fail(f"{first.value * n} opens math that is not closed by {close * n} at the end", text, first)
        toks = toks[n:-n]
    for t in toks:
        if t.kind == "sym" and t.value in ("$", "\\[", "\\]", "\\(", "\\)"):
            _fail(f"{t.value} inside the formula (math delimiters may only enclose the whole claim)", text, t)
    return toks


# the words a cases row may carry around its condition (\text{if } z > 0, \text{otherwise})
CASES_PROSE = frozenset({"if", "for", "when", "where"})
CASES_OTHERWISE = frozenset({"otherwise", "else", "ow"})
CASES_MARKS = ("\\cases{", "\\cases&", "\\cases\\", "\\cases}")


def _text_word(toks, k):
    """(the word, index after it) of ``\\text{word}`` (\\mathrm, \\textrm, \\mbox) at ``k``, else None."""
    if not (k + 1 < len(toks) and toks[k].kind == "cmd" and toks[k].value in ("text", "mathrm", "textrm", "mbox")
            and _is(toks[k + 1], "sym", "{")):
        return None
    j = k + 2
    word = []
    while j < len(toks) and (toks[j].kind in ("letter", "space") or _is(toks[j], "sym", ".")
                             or _is(toks[j], "sym", ",")):
        word.append(toks[j].value if toks[j].kind == "letter" else "")
        j += 1
    if not _is(toks[j] if j < len(toks) else None, "sym", "}"):
        return None
    return "".join(word).lower(), j + 1


def _cases(toks, k, text, out):
    """``\\begin{cases} v & c \\\\ … \\end{cases}`` at ``k`` -> marked tokens for the parser (its & and \\\\ are its
    own, not an alignment's); ``\\text{if }`` is dropped, ``\\text{otherwise}`` becomes one token, a comma or full
    stop before & or \\\\ is punctuation.  Returns the index after ``\\end{cases}``."""
    begin = toks[k]
    j = _group_end(toks, k + 1, text)
    out.append(Token("sym", "\\cases{", begin.pos, toks[j - 1].end))
    row = []
    while j < len(toks):
        t = toks[j]
        if _is(t, "cmd", "begin") or _is(t, "cmd", "end"):
            e = _group_end(toks, j + 1, text)
            name = "".join(x.value for x in toks[j + 2:e - 1])
            if t.value == "end" and name == "cases":
                out += _cases_row(row) + [Token("sym", "\\cases}", t.pos, toks[e - 1].end)]
                return e
            _fail(f"\\{t.value}{{{name}}} inside cases is not read", text, t)
        word = _text_word(toks, j)
        if word is not None:
            if word[0] in CASES_OTHERWISE or word[0] in ("o.w.", "else"):
                row.append(Token("cmd", "otherwise", t.pos, toks[word[1] - 1].end))
            elif word[0].strip() not in CASES_PROSE:
                _fail(f"\\{t.value}{{…}} in a cases row: only 'if', 'for', 'when' before a condition and "
                      f"'otherwise' are read", text, t)
            j = word[1]
            continue
        if _is(t, "sym", "&") or _is(t, "sym", "\\\\"):
            out += _cases_row(row) + [Token("sym", "\\cases&" if t.value == "&" else "\\cases\\\\", t.pos, t.end)]
            row = []
        else:
            row.append(t)
        j += 1
    _fail("\\begin{cases} without \\end{cases}", text, begin)


def _cases_row(row):
    """A cell of a cases row without its trailing , or . (punctuation between value and condition)."""
    while row and (row[-1].kind == "space" or _is(row[-1], "sym", ",") or _is(row[-1], "sym", ".")):
        row = row[:-1]
    return row


def _environments(toks, text):
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if _is(t, "cmd", "begin") and "".join(x.value for x in toks[k + 2:k + 7]) == "cases" \
                and _is(toks[k + 7] if k + 7 < len(toks) else None, "sym", "}"):
            k = _cases(toks, k, text, out)
            continue
        if _is(t, "cmd", "begin") or _is(t, "cmd", "end"):
            j = _group_end(toks, k + 1, text)
            name = "".join(x.value for x in toks[k + 2:j - 1])
            if name not in ENVIRONMENTS:
                _fail(f"\\{t.value}{{{name}}}: only equation, align, aligned, eqnarray, split, gather and their starred "
                      f"forms are read", text, t)
            if t.value == "begin" and name.startswith("alignat") and j < len(toks) and _is(toks[j], "sym", "{"):
                j = _group_end(toks, j, text)
            k = j
            continue
        if _is(t, "cmd", "label") or _is(t, "cmd", "tag"):
            k = _group_end(toks, k + 1, text)
            continue
        out.append(t)
        k += 1
    return out


def _rows(toks, text):
    """Alignment: & dropped, rows joined; each row after the first must continue the chain."""
    rows, cur, k = [], [], 0
    while k < len(toks):
        t = toks[k]
        k += 1
        if _is(t, "sym", "\\\\"):
            rows.append(cur)
            cur = []
            k = _row_spacing(toks, k)
        elif not _is(t, "sym", "&"):
            cur.append(t)
    rows.append(cur)
    rows = [_drop_punctuation(r) for r in rows]
    rows = [[t for t in r] for r in rows if any(t.kind != "space" for t in r)]
    out = []
    for n, row in enumerate(rows):
        first = next((t for t in row if t.kind != "space"), None)
        if n and not _continues([t for t in row if t.kind != "space"]):
            _fail(f"row {n + 1} of the alignment starts a new equation: a claim is one chain (each row must "
                  f"continue it, as in &= …); write one claim per equation", text, first)
        out += row
    return out


def _continues(row):
    if not row:
        return True
    t = row[0]
    if _is(t, "cmd", "left") and len(row) > 2 and _is(row[1], "sym", "."):
        t = row[2]
    if t.kind == "sym" and (t.value in RELATION_STARTS or t.value in BINARY_STARTS):
        return True
    return t.kind == "cmd" and (t.value in RELATION_CMDS or t.value in BINARY_CMDS)


UNITS = frozenset({"pt", "em", "ex", "mm", "cm", "in", "bp", "pc", "dd", "cc", "sp", "mu"})


def _row_spacing(toks, k):
    """After ``\\\\`` at ``k``: past its optional ``*`` and spacing ``[2pt]`` (amsmath reads a ``[`` after ``\\\\``
    as that argument, spaces or not); only a plain length (number and unit) is dropped, else nothing is."""
    j = k
    while j < len(toks) and toks[j].kind == "space":
        j += 1
    star = j < len(toks) and _is(toks[j], "sym", "*")
    j += star
    if not (j + 3 < len(toks) and _is(toks[j], "sym", "[")):
        return j if star else k
    sign = 1 if _is(toks[j + 1], "sym", "-") else 0
    num, unit = toks[j + 1 + sign], toks[j + 2 + sign:j + 4 + sign]
    letters = "".join(t.value for t in unit if t.kind == "letter")
    if num.kind == "num" and len(unit) == 2 and letters in UNITS and j + 4 + sign < len(toks) \
            and _is(toks[j + 4 + sign], "sym", "]"):
        return j + 5 + sign
    return k


def continues_chain(text: str) -> bool:
    """Whether an alignment row (its text, ``&`` and spaces allowed) continues the chain above it, as the alignment
    pass reads rows (``&= …``, ``+ …``); a row that cannot be lexed counts as continuing (its claim reports it)."""
    try:
        toks = [t for t in raw_tokens(text) if t.kind not in ("space", "end") and not _is(t, "sym", "&")]
    except NotationError:
        return True
    return bool(toks) and _continues(toks)


def _drop_punctuation(row):
    k = len(row)
    while k and row[k - 1].kind == "space":
        k -= 1
    if k and row[k - 1].kind == "sym" and row[k - 1].value in PUNCTUATION and not (
            k > 1 and row[k - 2].kind == "cmd" and row[k - 2].value in ("left", "right")):   # \right. is a delimiter
        return row[:k - 1] + row[k:]
    return row


# ----------------------------------------------------------------------------------------------
# sizing, colour, styles


def _sizing(toks, text):
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if t.kind == "cmd" and t.value in SIZING:
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is None or not (nxt.kind == "sym" and nxt.value in DELIMITERS):
                _fail(f"\\{t.value} must be followed by a delimiter such as ( or [", text, t)
            k += 1
            continue
        if t.kind == "cmd" and t.value in STYLE_SWITCHES:
            k += 1
            continue
        if t.kind == "cmd" and t.value in ("color", "textcolor"):
            j = _group_end(toks, k + 1, text)
            if t.value == "textcolor":
                end = _group_end(toks, j, text)
                out += toks[j:end]
                k = end
                continue
            k = j
            continue
        out.append(t)
        k += 1
    return out


def _split_pairs(toks, text):
    """``\\right. \\left.`` (a bracket pair split across rows, now joined) dropped; other invisible delimiters and
    evaluation bars are errors."""
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if _is(t, "sym", "\\right.") and _is(nxt, "sym", "\\left."):
            k += 2
            continue
        if t.kind == "sym" and t.value in ("\\left.", "\\right."):
            _fail(f"{t.value} is not read here (an invisible delimiter pairs with a visible one, as in an evaluation "
                  f"bar): write the value itself, e.g. \\varphi'(z^{{(l)}})", text, t)
        out.append(t)
        k += 1
    return out


def _single(toks, k):
    """(token index range of one symbol starting at k, or None): a letter, a command without arguments, \\hat x."""
    t = toks[k] if k < len(toks) else None
    if t is None:
        return None
    if t.kind == "letter" or t.kind == "cmd" and t.value not in BOLD | {"hat", "frac", "mathcal", "mathbb"}:
        return k, k + 1
    if _is(t, "cmd", "hat"):
        inner = _single(toks, k + 1)
        if inner:
            return k, inner[1]
        if _is(toks[k + 1] if k + 1 < len(toks) else None, "sym", "{"):
            got = _single(toks, k + 2)
            if got and _is(toks[got[1]] if got[1] < len(toks) else None, "sym", "}"):
                return k, got[1] + 1
    return None


def _bold(toks, text):
    """Bold on one symbol is the symbol (\\mathbf{1} stays: it is the indicator); bold of more is a {group}."""
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if not (t.kind == "cmd" and t.value in BOLD):
            out.append(t)
            k += 1
            continue
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        if _is(nxt, "num"):
            out += [Token("cmd", "mathbf", t.pos, t.end)]
            k += 1
            continue
        if _is(nxt, "sym", "{"):
            end = _group_end(toks, k + 1, text)
            inner = toks[k + 2:end - 1]
            if len(inner) == 1 and inner[0].kind == "num":
                out += [Token("cmd", "mathbf", t.pos, t.end)] + toks[k + 1:end]
            elif _single(inner, 0) == (0, len(inner)) and inner:
                out += _bold(inner, text)
            else:
                out += [Token("sym", "{", t.pos, nxt.end)] + _bold(inner, text) + [toks[end - 1]]
            k = end
            continue
        got = _single(toks, k + 1)
        if got is None:
            _fail(f"\\{t.value} needs an argument", text, t)
        out += toks[got[0]:got[1]]
        k = got[1]
    return _unbrace_symbols(out)


def _unbrace_symbols(toks):
    """{x} around one letter made by a macro or bold (``\\def\\vx{{\\bm{x}}}``): TeX prints it as x."""
    out, k = [], 0
    while k < len(toks):
        if (k + 2 < len(toks) and _is(toks[k], "sym", "{") and _is(toks[k + 2], "sym", "}")
                and toks[k + 1].kind == "letter" and toks[k].pos == toks[k + 1].pos == toks[k + 2].pos
                and toks[k].end == toks[k + 2].end and (toks[k].end - toks[k].pos) > 1):
            out.append(toks[k + 1])
            k += 3
            continue
        out.append(toks[k])
        k += 1
    return out


def _upright(toks, text):
    """\\mathrm{d} -> the differential; \\mathrm{T} -> T; \\operatorname{softmax} … -> one 'op' token."""
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if t.kind == "cmd" and t.value in FRAC_ALIASES:
            out.append(Token("cmd", "frac", t.pos, t.end))
        elif t.kind == "cmd" and t.value == "intercal":
            out.append(Token("cmd", "top", t.pos, t.end))
        elif t.kind == "cmd" and t.value == "prime":
            out.append(Token("sym", "'", t.pos, t.end))
        elif t.kind == "cmd" and t.value in BAR_COMMANDS:          # \lVert … \rVert prints as \| … \|
            out.append(Token("sym", BAR_COMMANDS[t.value], t.pos, t.end))
        elif t.kind == "cmd" and t.value in UPRIGHT:
            k = _upright_one(toks, k, text, out)
            continue
        else:
            out.append(t)
        k += 1
    return _primes(out)


def _upright_one(toks, k, text, out):
    t = toks[k]
    if t.value == "rm":                               # {\rm T}: a switch, like \bf
        return k + 1
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    if _is(nxt, "sym", "{"):
        end = _group_end(toks, k + 1, text)
        inner = toks[k + 2:end - 1]
    elif nxt is not None and nxt.kind == "letter":
        end, inner = k + 2, [nxt]
    else:
        _fail(f"\\{t.value} needs a braced argument", text, t)
    word = "".join(x.value for x in inner if x.kind in ("letter", "num"))
    span = Token("cmd", "", t.pos, toks[end - 1].end)
    if t.value in ("text", "textrm", "textit", "textsf", "mbox") and word.lower() not in OPERATOR_NAMES:
        _fail(f"\\{t.value}{{…}} (prose) is read only at the end, as a range such as \\quad\\text{{for }} l = 1, "
              f"\\dots, L-1: remove it or write the condition as a `given`", text, t)
    if len(inner) == 1 and inner[0].kind in ("letter", "cmd") and (word == "d" or word == ""):
        if word == "d":
            out.append(Token("cmd", "diffd", span.pos, span.end))
        else:
            out.append(inner[0])
    elif word.lower() in OPERATOR_NAMES and _is_name(inner, word):
        out.append(Token("cmd", "op:" + OPERATOR_NAMES[word.lower()], span.pos, span.end))
    elif len(word) == 1 and _is_name(inner, word):
        out.append(Token("letter", word, span.pos, span.end))
    else:
        _fail(f"unknown function \\{t.value}{{{word or '…'}}}: known are "
              f"{', '.join(sorted(set(OPERATOR_NAMES) - {'prod', 'sign', 'sgn'}))}", text, t)
    return end


def _is_name(inner, word):
    return bool(inner) and all(x.kind in ("letter", "num") for x in inner) and len(word) == len(inner) or \
        len(inner) == 1 and inner[0].kind == "letter"


def _primes(toks):
    """^\\prime, ^{\\prime}, ^{\\prime\\prime} -> ' (TeX's ' is ^\\prime)."""
    out, k = [], 0
    while k < len(toks):
        t = toks[k]
        if _is(t, "sym", "^") and k + 1 < len(toks):
            if _is(toks[k + 1], "sym", "'") and toks[k + 1].end - toks[k + 1].pos > 1:
                out.append(toks[k + 1])
                k += 2
                continue
            if _is(toks[k + 1], "sym", "{"):
                j = k + 2
                while j < len(toks) and _is(toks[j], "sym", "'") and toks[j].end - toks[j].pos > 1:
                    j += 1
                if j > k + 2 and j < len(toks) and _is(toks[j], "sym", "}"):
                    out += toks[k + 2:j]
                    k = j + 1
                    continue
        out.append(t)
        k += 1
    return out


# ----------------------------------------------------------------------------------------------
# prose at the end


_PROSE_WORDS = {"for", "forall", "foreach", "forevery", "forany"}      # white space inside \text is not a token


def _prose_tail(toks, text):
    """Split off a trailing range statement: (tokens before it, tokens of the range) or (tokens, None)."""
    depth, start = 0, None
    for k, t in enumerate(toks):
        if t.kind == "sym" and t.value in ("{", "(", "[", "\\left(", "\\left[", "\\left\\{", "\\{"):
            depth += 1
        elif t.kind == "sym" and t.value in ("}", ")", "]", "\\right)", "\\right]", "\\right\\}", "\\}"):
            depth -= 1
        if depth == 0 and (_is(t, "cmd", "forall") or t.kind == "cmd" and t.value in ("text", "textrm", "mbox", "mathrm")
                           and _prose_words(toks, k, text) in _PROSE_WORDS):
            start = k
            break
    if start is None:
        return toks, None
    head = toks[:start]
    while head and (head[-1].kind == "space" or head[-1].kind == "sym" and head[-1].value in PUNCTUATION):
        head = head[:-1]
    t = toks[start]
    if t.value == "forall":
        return head, toks[start + 1:]
    end = _group_end(toks, start + 1, text)
    rest = toks[end:]
    while rest and _is(rest[0], "cmd", "text"):         # \text{for } j \text{ in } … is not read
        _fail("only one \\text{for …} range is read", text, rest[0])
    return head, rest


def _prose_words(toks, k, text):
    if k + 1 >= len(toks) or not _is(toks[k + 1], "sym", "{"):
        return ""
    end = _group_end(toks, k + 1, text)
    inner = toks[k + 2:end - 1]
    if not all(x.kind == "letter" for x in inner):
        return ""
    return "".join(x.value for x in inner).lower()


def normalize(text, macros=()) -> Normalized:
    """The tolerance stage over the raw tokens of ``text`` (see the module docstring)."""
    toks = raw_tokens(text)
    toks = _expand(toks, text, macros)
    toks = _strip_delimiters([t for t in toks], text)
    toks = _environments(toks, text)
    toks = _sizing(toks, text)
    toks = _rows(toks, text)
    toks, tail = _prose_tail(toks, text)
    toks = _drop_punctuation(toks)
    toks = _bold(toks, text)
    toks = _upright(toks, text)
    toks = sized(toks, text)
    toks = _split_pairs(toks, text)
    if tail is not None:
        tail = [t for t in _upright(_bold(sized(_drop_punctuation(tail), text), text), text) if t.kind != "space"]
    return Normalized(toks, tail, [])
