"""Instances carried by a symmetry of the network: the units within a layer are interchangeable.

An entry-wise claim (``\\delta^{(l)}_i = …``, ``\\partial L / \\partial W_{ij} = …``) has one instance per index value,
1,024 of them for a 32 × 32 weight matrix.  When an instance is exactly the image of an instance already
*proved* under a permutation of the units of each layer, and that permutation is a symmetry of the network,
it holds as well (``carried_by_symmetry`` says why, and what is checked).  Nothing here decides a verdict by
itself: it only says that one instance is a renaming of another.
"""
from __future__ import annotations

import sympy as sp

from .network import graph

__all__ = ["index_pattern", "carried_by_symmetry"]


def index_pattern(assignment, layer_symbol):
    """The key of an instance's class: the layer value, and which free indices are equal (values relabelled
    1, 2, … by first occurrence).  Two instances of one class may be images of each other under a permutation
    of units (``carried_by_symmetry`` checks it; the key only says where to look)."""
    labels, canon = {}, []
    for name in sorted(k for k in assignment if k != layer_symbol):
        canon.append((name, labels.setdefault(assignment[name], len(labels) + 1)))
    return assignment.get(layer_symbol) if layer_symbol else None, tuple(canon)


def carried_by_symmetry(g, rep, inst, layer_symbol, cache=None) -> bool:
    """Whether ``inst`` is exactly the image of the instance ``rep`` under a permutation σ of the units within
    each layer that is a symmetry of the network, so that ``inst`` holds wherever ``rep`` does.

    The argument, and what is checked of it: σ renames x, y, z^(l), a^(l), ŷ, b and W entries (W_ij by the units
    of its two layers).  The network's forward definitions are invariant under σ, checked exactly for a
    transposition and a full cycle of every layer's units (together they generate every permutation of that
    layer; ``_network_symmetric``); so at the primitive point p∘σ every node takes the value σ(node) takes at p,
    and a one-hot y stays one-hot.  Then ``inst`` at p is ``rep`` at p∘σ: the sides and givens of ``inst`` are
    compared *structurally* with those of ``rep`` renamed by σ (every entry, every condition, the relations and
    the shape).  Anything else — a given that singles out a unit (``z^{(2)}_1 \\le 0`` beside an entry i), a
    wrong index order, another layer's entry — makes the comparison fail, and the instance is checked on its
    own.  Only plain single-example networks (other layouts: never)."""
    net = g.net
    if not net.plain or rep.ops != inst.ops or rep.shape != inst.shape or len(rep.sides) != len(inst.sides):
        return False
    f = {}
    for name, v in rep.assignment.items():
        w = inst.assignment.get(name)
        if not isinstance(v, int) or not isinstance(w, int):
            return False
        if name == layer_symbol:
            if v != w:
                return False
            continue
        if f.setdefault(v - 1, w - 1) != w - 1:
            return False
    if len(set(f.values())) != len(f) or not _network_symmetric(net):
        return False
    cache = {} if cache is None else cache
    ident, syms = cache.setdefault("ident", {}), cache.setdefault("syms", {})
    exprs = [x for side in rep.sides if side.expr is not None for x in side.expr]
    exprs += [x for c in rep.conditions for x in (c[0], c[2])]
    key = ("balanced", id(rep))
    if key not in cache:
        cache[key] = (rep, _balanced_layers(g, set().union(*[_syms(x, syms) for x in exprs]) if exprs else set()))
    balanced = cache[key][1]
    # first σ permutes only the layers whose units the representative does not treat alike (a layer summed over
    # whole stays put), then every layer; either is a symmetry, and only the comparison decides
    for skip in (balanced, frozenset()) if balanced else (frozenset(),):
        perms = {l: ({} if l in skip else _extend(f, w)) for l, w in enumerate(net.sizes)}
        sigma = _unit_renaming(g, perms)
        if _same_image(rep, inst, sigma, ident, syms):
            return True
    return False


def _same_image(rep, inst, sigma, ident, syms):
    """Whether σ(rep) and ``inst`` are the same formulas (entries, conditions as a set) up to the order of terms
    and factors (``_form``)."""
    moved = frozenset(sigma)
    mine = {}

    def image(e):
        return _form(e, sigma, mine, moved, syms, ident)

    for a, b in zip(rep.sides, inst.sides):
        if (a.expr is None) != (b.expr is None):
            return False
        if a.expr is None:
            continue
        if a.expr.shape != b.expr.shape or any(image(x) != _form(y, None, ident) for x, y in zip(a.expr, b.expr)):
            return False
    by_hash = lambda t: (t[0][0], t[1], t[2][0])       # noqa: E731 - a hash tie only makes a false "no"
    mapped = sorted(((image(l_), o, image(r_)) for l_, o, r_ in rep.conditions), key=by_hash)
    return mapped == sorted(((_form(l_, None, ident), o, _form(r_, None, ident)) for l_, o, r_ in inst.conditions),
                            key=by_hash)


def _syms(e, cache):
    """The symbols of ``e`` (memoised per subtree in ``cache``)."""
    got = cache.get(e)
    if got is None:
        got = frozenset((e,)) if e.is_Symbol else frozenset().union(*[_syms(a, cache) for a in e.args])
        cache[e] = got
    return got


def _balanced_layers(g, symbols):
    """The layers whose every unit meets the same symbols of ``symbols`` (by kind, and the unit at the other
    end of a weight): a layer that only occurs summed over whole, such as the outputs in δ^(L-1)."""
    table = _unit_table(g)
    sig = {}
    for s_ in symbols:
        where = table.get(s_)
        if where is None:
            continue
        if len(where) == 3:
            vec, l, u = where
            sig.setdefault((l, u), set()).add((id(vec), None))
        else:
            W, k, i, j = where
            sig.setdefault((k + 1, i), set()).add((id(W), "row", j))
            sig.setdefault((k, j), set()).add((id(W), "col", i))
    out = set()
    for l, w in enumerate(g.net.sizes):
        seen = [frozenset(sig.get((l, u), ())) for u in range(w)]
        if all(x == seen[0] for x in seen):
            out.add(l)
    return frozenset(out)


_UNORDERED = (sp.Add, sp.Mul)


def _form(e, rename, memo, moved=None, syms=None, ident=None):
    """The formula ``e`` with its symbols renamed by ``rename`` (None: kept), as nested tuples in which the
    arguments of a sum or product are in one canonical order (sorted by hash, then by value): equal forms are
    formulas equal up to the order of terms and factors, so they take the same value at every point (the
    renaming is applied to the formula as written: SymPy never re-simplifies it).  A hash tie can only make two
    equal formulas look different (the instance is then checked on its own), never the reverse."""
    got = memo.get(e)
    if got is not None:
        return got
    if rename is not None and moved is not None and moved.isdisjoint(_syms(e, syms)):
        return _form(e, None, ident)          # nothing in it is renamed: its own form
    if e.is_Symbol:
        name = (e if rename is None else rename.get(e, e)).name
        out = (hash(("S", name)), "S", name, tuple(sorted(e.assumptions0.items())))
    elif not e.args:
        out = (hash(("A", e)), "A", e)
    else:
        kids = [_form(a, rename, memo, moved, syms, ident) for a in e.args]
        if isinstance(e, _UNORDERED):
            kids.sort(key=lambda k: k[0])
        out = (hash((type(e).__name__, tuple(k[0] for k in kids))), type(e).__name__, tuple(kids))
    memo[e] = out
    return out


def _extend(f, width):
    """A permutation of range(width) (as a dict of the units it moves) agreeing with the partial injective map
    ``f`` on the pairs inside the layer; units outside the pairs stay where they can."""
    pairs = {c: v for c, v in f.items() if c < width and v < width}
    if len(set(pairs.values())) != len(pairs):
        return {}
    rng = set(pairs.values())
    free_src = sorted(u for u in pairs if u not in rng)          # units whose image is taken by nobody else
    free_dst = sorted(u for u in rng if u not in pairs)
    perm = dict(pairs)
    perm.update(zip(free_dst, free_src))                          # the displaced units close the cycles
    return {u: v for u, v in perm.items() if u != v}


_UNITS = {}


def _unit_table(g):
    """{symbol: (vector, layer, unit) or (W matrix, edge, i, j)} of every unit-indexed symbol (memoised)."""
    key = id(g)
    if key not in _UNITS or _UNITS[key][0] is not g:
        table = {}
        for l in range(g.net.L + 1):
            for vec in _layer_symbols(g, l):
                for u, s_ in enumerate(vec):
                    table[s_] = (vec, l, u)
        for k, W in enumerate(g.W):
            for i in range(W.rows):
                for j in range(W.cols):
                    table[W[i, j]] = (W, k, i, j)
        _UNITS[key] = (g, table)
    return _UNITS[key][1]


def _layer_symbols(g, l):
    """The unit-indexed symbol vectors of layer l (x or z, a, ŷ, y)."""
    L = g.net.L
    out = [g.a[l]] if l == 0 else [g.z[l], g.a[l]]
    if l == L:
        out.append(g.y)
    if l >= 1:
        out.append(g.b[l - 1])
    return out


def _unit_renaming(g, perms):
    """{symbol: symbol} renaming the units of each layer l by ``perms[l]`` (a dict of moved units); a W entry
    W_ij of the edge from layer k to k+1 follows the units of both its layers."""
    sigma = {}
    for l, p in perms.items():
        for vec in _layer_symbols(g, l):
            for u, v in p.items():
                sigma[vec[u]] = vec[v]
    for k, W in enumerate(g.W):
        rows, cols = perms.get(k + 1, {}), perms.get(k, {})
        if not rows and not cols:
            continue
        touched = {(i, j) for i in rows for j in range(W.cols)} | {(i, j) for i in range(W.rows) for j in cols}
        for i, j in touched:
            sigma[W[i, j]] = W[rows.get(i, i), cols.get(j, j)]
    return sigma


_SYMMETRIC = {}


def _network_symmetric(net) -> bool:
    """Whether the forward definitions (z = W a + b, a = φ(z), ŷ = head(z^(L))) and the loss are invariant under
    a transposition and a full cycle of the units of each layer: σ(definition of s) is exactly the definition
    of σ(s) for every defined node s.  Those two permutations generate the whole symmetric group of the
    layer, and a composition of invariances is one.  Memoised per network."""
    if net in _SYMMETRIC:
        return _SYMMETRIC[net]
    g = graph(net)
    defs = {}
    for l in range(1, net.L + 1):
        defs.update(zip(g.z[l], g.z_def[l]))
    for l in range(1, net.L):
        defs.update(zip(g.a[l], g.a_def[l]))
    defs.update(zip(g.yhat, g.yhat_def))
    ok = True
    for l, w in enumerate(net.sizes):
        gens = ([{0: 1, 1: 0}] if w >= 2 else []) + ([{u: (u + 1) % w for u in range(w)}] if w >= 3 else [])
        for p in gens:
            sigma = _unit_renaming(g, {l: p})
            near = set(sigma)
            for s_, d in defs.items():
                if (s_ in near or near & d.free_symbols) and d.xreplace(sigma) != defs[sigma.get(s_, s_)]:
                    ok = False
            if g.loss.xreplace(sigma) != g.loss:
                ok = False
    _SYMMETRIC[net] = ok
    return ok
