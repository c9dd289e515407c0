r"""A claim and its givens, read together: names across relations, the scalar rule, layer values, range
statements, the canonical reading and its words form, and a preset that would read a refused claim.

Rules that need the whole claim:

- an index letter, a scalar variable and a sum index never share a letter;
- a letter the profile does not declare is a real scalar only in a claim (with its givens) that mentions no
  network quantity at all (``\varphi'(u) = \mathbb{1}\{u > 0\}``); beside network quantities it is an error naming
  it and the ``scalars`` field — an unknown letter is never silently a scalar;
- the layer symbol ranges over the layers where every quantity, width and literal index exists; a layer where
  something does not exist (the input layer's δ, say) is skipped with a note, never an error for the claim;
- a trailing ``\text{for } l = 1, \dots, L-1`` restricts the layer symbol to those layers (each must exist) or
  restates a free index's range (it must be the whole range).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import sympy as sp

from ..errors import NotationError
from ..network import Network, graph
from .context import Ctx, OutOfRange
from .evaluate import Instance, Names, Program, Relation, check_tree, evaluate, shape_value
from .functions import RELOP_TEX
from .letters import FREE_LETTERS, INDEX_LETTERS, role_message
from .nodes import LayerExpr
from .parser import Parser
from .profiles import PRESET_NAMES, PRESETS, profile as make_profile
from .words import words

__all__ = ["ParsedClaim", "parse_claim", "parse_expression", "check_network"]


@dataclass(frozen=True)
class ParsedClaim:
    """A parsed claim: its free indices and layer values, expanded into instances on demand.

    ``latex``/``given_latex``: our canonical LaTeX of what was read (default dialect, layers from 0); ``words``:
    the same in Unicode with the readings of ambiguous spellings; ``notes``: what was skipped or dropped.
    ``layers`` are the layer symbol's values as written in the claim's notation."""
    text: str
    free_indices: dict
    layer_symbol: str | None
    layers: tuple
    _program: object = field(default=None, repr=False, compare=False)
    latex: str = ""
    given_latex: tuple = ()
    words: str = ""
    notes: tuple = ()
    names: tuple = field(default=(), repr=False, compare=False)

    def instances(self) -> Iterator[Instance]:
        """Every assignment of the layer symbol and free indices, in a deterministic order."""
        for assignment in self._program.assignments():
            yield self._program.instance(assignment)

    def instance(self, **assignment) -> Instance:
        """The instance at one assignment (every free index and the layer symbol must be given)."""
        return self._program.instance(self._program.check_assignment(assignment))

    def scalar_symbols(self) -> list:
        """The real scalar variables (u, v, …) of the claim and its givens, sorted by name."""
        names = set()
        for n in self.names:
            names |= set(n.var_names)
        return [sp.Symbol(n, real=True) for n in sorted(names)]


def relation_tex(rel) -> str:
    """The canonical LaTeX of one parsed relation (claim or given): from the tree only."""
    out = [rel.sides[0][0].tex()]
    for (node, _, _), op in zip(rel.sides[1:], rel.ops):
        out.append(r"\in " + _shape_tex(rel.shape) if op == "in" else RELOP_TEX[op] + " " + node.tex())
    return " ".join(out)


def _range_tex(claim, layers, restrict, prof) -> str:
    """The layers of the reading, stated, when the reading would not imply them by itself: a range statement, a
    layer-specific function (g^{[l]}: hidden layers only) or an activation read at every layer but the output."""
    from .functions import Apply
    from .nodes import walk
    special = any(isinstance(n, Apply) and (n.hidden is not None or n.every_layer)
                  for node, _, _ in claim.sides if node is not None for n in walk(node))
    if not layers or not (restrict is not None or special):
        return ""
    lo, hi = min(layers) - prof.input_layer, max(layers) - prof.input_layer
    if list(layers) != list(range(lo + prof.input_layer, hi + prof.input_layer + 1)):
        return ""
    return r" \quad \mathrm{for} \ l = %d, \dots, %d" % (lo, hi)


def _shape_tex(shape) -> str:
    from .functions import dim_tex
    m, n, _ = shape
    return r"\mathbb{R}^{" + dim_tex(m) + ("" if n is None else r" \times " + dim_tex(n)) + "}"


def check_network(prof, net):
    """The profile's conventions against the network: its weight labels and the depth its names presuppose."""
    if prof.weights and prof.weights != net.weights:
        raise NotationError(f"notation {prof.preset} labels W by the layer it {'enters' if prof.weights == 'incoming' else 'leaves'} "
                            f"({prof.weights} weights), but the network says {net.weights}: set network: "
                            f"{{weights: {prof.weights}}}", key="network.weights")
    if prof.depth and prof.depth != net.L:
        raise NotationError(f"notation {prof.preset} names the layers of a network with {prof.depth - 1} hidden "
                            f"layer(s) (L = {prof.depth}); this network has L = {net.L}", key="network.sizes")


def _parse_relation(text, what, net, prof):
    p = Parser(text, net, prof)
    sides, ops, shape = p.relation()
    if not ops:
        raise NotationError(f"{what} has no relation (=, \\neq, <, \\le, \\in, …)", token=text[:40], position=0,
                            text=text)
    names = _names(p)
    tail = _range_tail(p, text) if p.tail is not None else None
    return Relation(text, sides, ops, shape, names, prof.input_layer, tail)


def _names(p):
    return Names(dict(p.index_names), dict(p.var_names), frozenset(p.var_outside), dict(p.bound_names),
                 frozenset(p.declared), p.layer_used, p.network_pos, dict(p.readings))


def _range_tail(p, text):
    """(name, lo, hi, token) of a trailing `\\text{for } name = lo, \\dots, hi` (lo/hi LayerExpr, or None)."""
    sub = Parser.__new__(Parser)
    sub.__dict__.update(p.__dict__)
    from .lexer import Token
    end = p.tail[-1].end if p.tail else len(text)
    sub.toks, sub.i, sub.stop = list(p.tail) + [Token("end", "", end, end)], 0, None
    t = sub.tok
    if t.kind != "letter":
        raise sub.error("a range statement names a free index or the layer symbol: \\text{for } l = 1, \\dots, L-1")
    sub.next()
    if sub.at("end"):
        return (t.value, None, None, t)
    if sub.at("sym", "=") or sub.at("cmd", "in"):
        braced = sub.next().value == "in"
        if braced:
            sub.expect("sym", "\\{", "\\{ … \\} after \\in")
        if t.value != sub.p.layer_symbol:                  # an index: its bounds are sizes (1, …, C or d_l - 1)
            lo, hi = _index_bounds(sub, braced)
            if not sub.at("end"):
                raise sub.error("unexpected token after the range")
            return (t.value, lo, hi, t)
        lo = sub.layer_expr(closing=",")
        if not any(sub.at("cmd", d) for d in ("dots", "ldots", "cdots")):
            raise sub.error("expected \\dots in the range (l = 1, \\dots, L-1)")
        sub.next()
        sub.expect("sym", ",", ", after \\dots")
        hi = sub.layer_expr(closing="\\}" if braced else None) if braced else _rest_layer(sub)
        if not sub.at("end"):
            raise sub.error("unexpected token after the range")
        return (t.value, lo, hi, t)
    raise sub.error("a range statement is \\text{for } l = 1, \\dots, L-1 (or \\text{for all } j)")


def _index_bounds(sub, braced):
    """lo, hi of an index range ``k = 1, \\dots, C``: each an integer or a size (C, d_l) ± an integer."""
    def bound():
        try:
            node = sub.dimension(grouped=True)
        except NotationError as e:
            raise sub.error(f"{e.message.split(' (at ')[0]} (the bounds of an index range are sizes: "
                            f"k = 1, \\dots, C)") from None
        if sub.at("sym", "-") or sub.at("sym", "+"):
            node = sub.size_shift(node)
        return node
    lo = bound()
    sub.expect("sym", ",", ", after the first value of the range (k = 1, \\dots, C)")
    if not any(sub.at("cmd", d) for d in ("dots", "ldots", "cdots")):
        raise sub.error("expected \\dots in the range (k = 1, \\dots, C)")
    sub.next()
    sub.expect("sym", ",", ", after \\dots")
    hi = bound()
    if braced:
        sub.expect("sym", "\\}", "\\} closing the range")
    return lo, hi


def _bound_value(node, ctx):
    """The written value of a range bound: a layer (LayerExpr) or a size."""
    if isinstance(node, LayerExpr):
        return node.value(ctx) + ctx.offset
    return node.size(ctx) if hasattr(node, "size") else int(node.value)


def _rest_layer(sub):
    """A layer expression up to the end of the range statement."""
    return sub.layer_expr(closing="end")


def _names_check(rels):
    """Index letters, scalar variables and sum indices must not collide across the claim and givens."""
    index, var, bound = {}, {}, {}
    for r in rels:
        for table, names in ((index, r.names.index_names), (var, r.names.var_names), (bound, r.names.bound_names)):
            for n, pos in names.items():
                table.setdefault(n, (pos, r.src))
    for n, (pos, src) in var.items():
        if n in index or n in bound:
            raise NotationError(f"{n} is used both as an index and as a scalar variable", token=n,
                                position=pos, text=src)
    for n, (pos, src) in index.items():
        if n in bound:
            raise NotationError(f"index {n} is used both free and bound by a sum", token=n,
                                position=pos, text=src)
    return list(index), bound


def _scalar_rule(rels, prof):
    """Undeclared letters are real scalars only where the reading is certain: in a claim (with its givens) that
    mentions no network quantity, and a letter that names a role in some textbook only as a function's argument
    (the dummy variable of \\varphi'(t) = \\mathbb{1}\\{t > 0\\})."""
    network = any(r.names.network_pos is not None for r in rels)
    declared = set(prof.scalars) | {"\\" + s for r in rels for s in r.names.declared}
    for r in rels:
        for n, pos in r.names.var_names.items():
            if n in declared or "\\" + n in declared or n in r.names.declared:
                continue
            role = n not in FREE_LETTERS
            if network:
                message = (role_message(n, prof) if role else
                           f"'{n}' is not a network quantity, and it appears beside network quantities: declare it as a "
                           f"real scalar (notation: {{scalars: [{n}]}}) — an unknown letter is never silently a scalar")
            elif role and n in r.names.var_outside:
                message = (f"'{n}' is an index letter: as a value it would be a real scalar, which is never guessed; "
                           f"declare notation: {{scalars: [{n}]}} if it is one" if n in INDEX_LETTERS else
                           role_message(n, prof))
            else:
                continue
            raise NotationError(message, token=n, position=pos, text=r.src)


def _probe(rels, net, layer):
    """Evaluate every side once at ``layer`` recording free-index ranges (errors surface here)."""
    ranges = {}
    for r in rels:
        ctx = Ctx(r.src, net, layer, probe=True, offset=r.offset)
        ctx.ranges = ranges
        for node, _, _ in r.sides:
            if node is not None:
                evaluate(node, ctx)
                evaluate(node, ctx, quantity=True)
        if r.shape:
            shape_value(r.shape, ctx)
    return {n: size for n, (size, _) in ranges.items()}


def _layers_and_ranges(rels, net, layer_symbol, prof, restrict):
    """Valid layer values (as written) where every quantity exists, the free-index ranges at each, and notes."""
    if not layer_symbol:
        return (), {None: _probe(rels, net, None)}, []
    off = prof.input_layer
    candidates = list(range(off, net.L + off + 1))
    if restrict is not None:
        candidates = restrict
    layers, ranges, first_error, notes = [], {}, None, []
    for lv in candidates:
        try:
            ranges[lv] = _probe(rels, net, lv)
            layers.append(lv)
        except OutOfRange as e:
            if restrict is not None:
                raise NotationError(f"{layer_symbol} = {lv} is in the stated range, but {e.message}", token=e.token,
                                    position=e.position, text=e.text) from None
            first_error = first_error or e
            notes.append(f"{layer_symbol} = {lv} skipped: {e.message}")
    if not layers:
        raise first_error
    return tuple(layers), ranges, notes if layers else []


def _restriction(claim, layer_symbol, net, prof, free):
    """The layer values a range statement names (None: every layer), after checking it."""
    if claim.tail is None:
        return None, []
    name, lo, hi, tok = claim.tail
    if name == layer_symbol and lo is not None:
        ctx = Ctx(claim.src, net, None, offset=prof.input_layer)
        if lo.coef_l or hi.coef_l:
            raise NotationError("the bounds of a layer range are numbers or the last layer's symbol", token=name,
                                position=tok.pos, text=claim.src)
        a, b = lo.value(ctx) + prof.input_layer, hi.value(ctx) + prof.input_layer
        return list(range(min(a, b), max(a, b) + 1)), [f"{name} = {min(a, b)}..{max(a, b)} as stated"]
    if name == layer_symbol or name in free and lo is None:
        return None, [f"for all {name}: as read"]
    if name in free:
        return None, [("check-index", name, lo, hi, tok)]
    raise NotationError(f"the range statement is about {name}, which is not a free index or the layer symbol of the "
                        f"claim", token=name, position=tok.pos, text=claim.src)


def _check_index_range(claim, notes, first, net, prof):
    out = []
    for n in notes:
        if isinstance(n, tuple):
            _, name, lo, hi, tok = n
            ctx = Ctx(claim.src, net, None, offset=prof.input_layer)
            a, b = _bound_value(lo, ctx), _bound_value(hi, ctx)
            if (min(a, b), max(a, b)) != (1, first[name]):
                raise NotationError(f"the statement says {name} = {min(a, b)}..{max(a, b)}, but {name} ranges over "
                                    f"1..{first[name]}: only the whole range is read", token=name, position=tok.pos,
                                    text=claim.src)
            out.append(f"{name} = 1..{first[name]} as stated")
        else:
            out.append(n)
    return out


def _readings(rels, net):
    out = {}
    for r in rels:
        for k, v in r.names.readings.items():
            out.setdefault(k, v.replace("the activation", f"the activation ({net.activation_text})", 1)
                           if v.startswith("the activation") else v)
    return out


def _build(text, net, given, prof):
    claim = _parse_relation(text, "the claim", net, prof)
    givens = [_parse_relation(g, "a `given` condition", net, prof) for g in given]
    for g in givens:
        if "in" in g.ops:
            raise NotationError("a `given` condition cannot be a shape (\\in)", token="\\in", text=g.src)
    rels = [claim] + givens
    free, _ = _names_check(rels)
    _scalar_rule(rels, prof)
    layer_symbol = prof.layer_symbol if any(r.names.layer_used for r in rels) else None
    restrict, tail_notes = _restriction(claim, layer_symbol, net, prof, free)
    try:
        layers, ranges, notes = _layers_and_ranges(rels, net, layer_symbol, prof, restrict)
    except NotationError as e:
        e.evaluating = True          # read, but not evaluable (a dimension mismatch …): no other notation is tried
        raise
    first = ranges[layers[0] if layer_symbol else None]
    _free_checks(rels, claim, givens, free, first, layer_symbol, given)
    notes = _check_index_range(claim, tail_notes, first, net, prof) + notes
    program = Program(net, claim, givens, layers, ranges, list(free), layer_symbol)
    latex = relation_tex(claim) + _range_tex(claim, layers, restrict, prof)
    return ParsedClaim(text, dict(first), layer_symbol, layers, program, latex,
                       tuple(relation_tex(g) for g in givens), words(latex, _readings(rels, net)), tuple(notes),
                       tuple(r.names for r in rels))


def _free_checks(rels, claim, givens, free, first, layer_symbol, given):
    for n in free:
        if n not in first:
            r = next(r for r in rels if n in r.names.index_names)
            raise NotationError(f"free index {n} indexes no quantity, so its range is unknown", token=n,
                                position=r.names.index_names[n], text=r.src)
    for n in free:
        if n not in claim.names.index_names:
            r = next(r for r in givens if n in r.names.index_names)
            raise NotationError(f"index {n} appears only in a `given`: it would be one fixed entry per instance, "
                                f"not 'for all {n}'; write the condition as a vector (z^{{(l)}} \\le 0) or use "
                                f"the claim's index", token=n, position=r.names.index_names[n], text=r.src)
    _einstein(claim, free)
    _one_sided(claim, givens, free)
    if layer_symbol and not claim.names.layer_used:
        raise NotationError(f"the layer symbol {layer_symbol} appears only in a `given`", token=layer_symbol,
                            text=given[0])


def _indices(node, free):
    """The free-index uses under ``node``: [(name, Index)]."""
    from .nodes import Index, walk
    out = []
    for n in walk(node):
        for ix in list(getattr(n, "idx", None) or ()) + [getattr(n, "index", None)]:
            if isinstance(ix, Index) and ix.name in free:
                out.append((ix.name, ix))
    return out


def _einstein(claim, free):
    """A free index repeated in one product and absent from another side is not 'for all k': it reads as Einstein's
    summation in some notes (δ_j = W_{kj} δ_k φ'(z_j)), which is never guessed."""
    from .algebra import Product
    from .nodes import walk
    stated = claim.tail[0] if claim.tail is not None else None          # \text{for all } k settles it
    free = [n for n in free if n != stated]
    sides = [node for node, _, _ in claim.sides if node is not None]
    present = [{name for name, _ in _indices(node, free)} for node in sides]
    for k, node in enumerate(sides):
        for prod in (n for n in walk(node) if isinstance(n, Product)):
            uses = {}
            for name, ix in _indices(prod, free):
                uses.setdefault(name, []).append(ix)
            for name, where in uses.items():
                if len(where) >= 2 and any(name not in p for j, p in enumerate(present) if j != k):
                    raise NotationError(f"index {name} is repeated in a product and absent from another side: it reads "
                                        f"as Einstein's summation in some notes and as 'for all {name}' in others; "
                                        f"write \\sum_{{{name}}} for the sum, or end the claim with \\quad\\text{{for "
                                        f"all }} {name}", token=name, position=where[-1].pos, text=claim.src)


def _one_sided(claim, givens, free):
    """A free index on the right and not on the left side (nor in a given) is not certainly 'for all c':
    ``\\mathcal{L} = -\\log \\hat{y}_c`` means one particular class (the correct one) in most notes, and read
    for every c it is false.  (On the left only, as in δ_i = 0, 'for all i' is the reading; a range written
    at the end, \\text{for all } c, settles it.)"""
    stated = claim.tail[0] if claim.tail is not None else None
    sides = [node for node, _, _ in claim.sides if node is not None]
    if len(sides) < 2:
        return
    left = {name for name, _ in _indices(sides[0], free)}
    in_givens = {n for g in givens for n in g.names.index_names}
    for node in sides[1:]:
        for name, ix in _indices(node, free):
            if name not in left and name not in in_givens and name != stated:
                raise NotationError(f"index {name} is free on the right but not on the left: read as 'for all "
                                    f"{name}' the claim says the left side equals the right for every {name}; if "
                                    f"{name} is one particular entry (the correct class, say), write it through the "
                                    f"target (-y^T \\log \\hat{{y}}) or a number; if every {name} is meant, end the "
                                    f"claim with \\quad\\text{{for all }} {name}", token=name, position=ix.pos,
                                    text=claim.src)


def _suggest(text, net, given, err):
    """Presets that read a claim the default notation refuses: appended to the error's message (with the network's
    weight labels the preset needs, when the file did not say)."""
    from dataclasses import replace
    readers = []
    for name in PRESET_NAMES[1:]:
        prof = PRESETS[name]
        target = replace(net, weights=prof.weights) if prof.weights and prof.weights != net.weights else net
        try:
            check_network(prof, target)
            readers.append((name, _build(text, target, given, prof).words, target is not net))
        except (NotationError, RecursionError):
            continue
        if len(readers) == 2:
            break
    if readers:
        name, reading, relabel = readers[0]
        extra = f" and network: {{weights: {PRESETS[name].weights}}}" if relabel else ""
        others = f" (also {readers[1][0]})" if len(readers) > 1 else ""
        err.message += f"; notation: {{preset: {name}}}{extra}{others} reads it as {reading}"
        err.args = (err.message,)
    return err


def parse_claim(text: str, net: Network, *, given=(), claim_id=None, file=None, notation=None) -> ParsedClaim:
    """Read a claim (a relation chain) and its `given` conditions about ``net`` in the notation ``notation``
    (None: the default; a preset name, a mapping of fields or a :class:`Profile`)."""
    if isinstance(given, str):
        given = (given,)
    try:
        prof = make_profile(notation)
        check_network(prof, net)
        try:
            return _build(text, net, tuple(given), prof)
        except NotationError as e:
            if prof == PRESETS["default"] and not isinstance(e, OutOfRange) and e.key is None and \
                    not getattr(e, "evaluating", False):
                raise _suggest(text, net, tuple(given), e)
            raise
    except NotationError as e:
        raise e.located(file=file, claim_id=claim_id)
    except RecursionError:
        raise NotationError("the text is nested too deeply to read", token=text[:20], position=0, text=text,
                            file=file, claim_id=claim_id) from None


def parse_expression(text: str, net: Network, *, notation=None) -> sp.Matrix:
    """One expression (no relation, no free index, no layer symbol) as a Matrix."""
    prof = make_profile(notation)
    check_network(prof, net)
    try:
        p = Parser(text, net, prof)
        node, latex, _ = p.side()
        if not p.at("end"):
            raise p.unexpected("unexpected token after a complete expression")
        if p.tail is not None:
            t = p.tail[0] if p.tail else p.tok
            raise NotationError("a range statement (\\text{for …}) belongs to a claim, not to an expression",
                                token=text[t.pos:t.end], position=t.pos, text=text)
    except RecursionError:
        raise NotationError("the text is nested too deeply to read", token=text[:20], position=0,
                            text=text) from None
    names = _names(p)
    rel = Relation(text, [(node, latex, None)], [], None, names, prof.input_layer)
    free, _ = _names_check([rel])
    _scalar_rule([rel], prof)
    if p.layer_used:
        raise NotationError(f"an expression may not use the layer symbol {prof.layer_symbol}",
                            token=prof.layer_symbol, text=text)
    if free:
        n = free[0]
        raise NotationError(f"free index {n} in a single expression", token=n, position=p.index_names[n], text=text)
    ctx = Ctx(text, net, None, probe=True, offset=prof.input_layer)
    try:
        M = evaluate(node, ctx)
    except RecursionError:
        raise NotationError("the text is nested too deeply to evaluate", token=text[:20], position=0,
                            text=text) from None
    g = graph(net)
    allowed = set(g.primitives()) | set(g.node_symbols()) | {sp.Symbol(n, real=True) for n in p.var_names}
    check_tree(M, allowed, ctx, node)
    return M
