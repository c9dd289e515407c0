"""The compiler of node-level gradient expressions to NumPy (split from numeric.py): node-level rewrite,
templates gathered from a value table, einsum contractions, shared subexpressions.

Only expressions over symbols the library created are lambdified; every rewrite is exact and checked.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .witness import _erf, _erfc


# ----------------------------------------------------------------------------------------------
# compiled symbolic gradients
#
# Strategy (all rewrites are exact; what runs is the derivation's own expressions):
# 1. node level: the derivation's δ^(l) contains δ^(l+1) inlined; each quantity is rewritten over
#    δ^(l+1) node symbols, checked by substituting back (else the inlined form is kept);
# 2. templates: entries equal up to renaming of symbols (z_i = Σ_j W_ij a_j + b_i for every i,
#    ∇W_ij = δ_i a_j for every i, j) share one lambdified template, evaluated once on arrays gathered
#    from a value table, broadcast along the axes an index does not depend on (outer products);
# 3. contractions: a sum of many same-shaped products inside a template (Σ_j W_ij a_j) is evaluated
#    by einsum over the gathered arrays (BLAS), the rest of the template by lambdify;
# 4. shared subexpressions (softmax: max and Σ exp; ŷ_i·Σ_k y_k after collecting ŷ_i) make a
#    quantity a flat lambdified list with exact-subtree CSE instead.


def _factor_out(expr, ups, syms):
    """``expr`` with each occurrence of ups[i] (a subtree, or a sub-product of a product) as syms[i]."""
    return _factorer(ups, syms)(expr)


def _factorer(ups, syms):
    """The rewriting of ``_factor_out`` as a function, its memo shared by every expression it is given (the
    entries of one quantity share most subtrees: δ_i of ∇W_ij for every j)."""
    exact = dict(zip(ups, syms))
    by_factor = {}
    for u, s in zip(ups, syms):
        if isinstance(u, sp.Mul):
            by_factor.setdefault(u.args[-1], []).append((u, s))
    memo = {}

    def rw(e):
        if e in exact:
            return exact[e]
        if not e.args:
            return e
        if e not in memo:
            memo[e] = _factor_mul(e, by_factor, rw) or e.func(*[rw(r) for r in e.args])
        return memo[e]
    return rw


def _substituter(mapping):
    """``e.xreplace(mapping)`` as a function with one memo for all the expressions it is given."""
    memo = {}

    def sub(e):
        if e in mapping:
            return mapping[e]
        if not e.args:
            return e
        if e not in memo:
            args = [sub(a) for a in e.args]
            memo[e] = e.func(*args) if any(n is not o for n, o in zip(args, e.args)) else e
        return memo[e]
    return sub


def _factor_mul(e, by_factor, rw):
    """s·(rest) if the product ``e`` contains all factors of some indexed product u (else None)."""
    if not isinstance(e, sp.Mul):
        return None
    args = set(e.args)
    for f in e.args:
        for u, s in by_factor.get(f, ()):
            if args.issuperset(u.args):
                return sp.Mul(s, *[rw(r) for r in e.args if r not in u.args])
    return None


def _node_level(entries, ups, syms):
    """Rewrite each entry over syms where that is exact (checked by substituting back), else keep it."""
    if ups is None:
        return list(entries), True
    rw, back = _factorer(ups, syms), _substituter(dict(zip(syms, ups)))
    shapes = _Shapes()
    mapping = dict(zip(syms, ups))
    out, all_ok = [], True
    for e in entries:
        r = rw(e)
        ok = shapes.of(r, mapping) == shapes.of(e) or back(r) == e
        out.append(r if ok else e)
        all_ok = all_ok and ok
    return out, all_ok


class _Shapes:
    """Interned shapes of expression trees: two trees get the same number iff they are the same tree up to the
    order and nesting of the arguments of Add and Mul (associative and commutative: the same function).

    ``of(r, mapping)`` is the shape of ``r`` with each symbol of ``mapping`` standing for its expression, without
    building the substituted tree; the shape of each subtree is computed once per mode.
    """

    def __init__(self):
        self.ids, self.rows, self.memo = {}, [], ({}, {})

    def _intern(self, row):
        if row not in self.ids:
            self.ids[row] = len(self.rows)
            self.rows.append(row)
        return self.ids[row]

    def of(self, t, mapping=None):
        if mapping and t in mapping:
            return self.of(mapping[t])
        memo = self.memo[1 if mapping else 0]
        if t in memo:
            return memo[t]
        if not t.args:
            out = self._intern(("atom", t))
        else:
            kids = [self.of(a, mapping) for a in t.args]
            head = type(t).__name__
            if isinstance(t, (sp.Add, sp.Mul)):
                flat = []
                for k in kids:
                    row = self.rows[k]
                    flat.extend(row[1] if row[0] == head else (k,))
                out = self._intern((head, tuple(sorted(flat))))
            else:
                out = self._intern((head, tuple(kids)))
        memo[t] = out
        return out


def _collect_common(e):
    """``e`` with the symbol shared by most of its terms factored out (exact), if >= 3 terms share one.

    ŷ_i·y_1 + … + ŷ_i·y_C − y_i becomes ŷ_i·(y_1 + … + y_C) − y_i, whose inner sum is then common
    to every entry and computed once.
    """
    if not isinstance(e, sp.Add):
        return e
    counts = {}
    for t in e.args:
        for f in sp.Mul.make_args(t):
            if isinstance(f, sp.Symbol):
                counts[f] = counts.get(f, 0) + 1
    best = max(counts, key=lambda f: (counts[f], str(f)), default=None)
    if best is None or counts[best] < REDUCE_MIN:
        return e
    inside = [t for t in e.args if best in sp.Mul.make_args(t)]
    rest = [t for t in e.args if best not in sp.Mul.make_args(t)]
    return sp.Add(sp.Mul(best, sp.Add(*[t / best for t in inside])), *rest)


def _subexpressions(e, free=None):
    """Every non-constant compound subexpression of ``e`` (each once); ``free`` memoizes ``_has_free`` across
    calls."""
    free = {} if free is None else free
    seen, stack = set(), [e]
    while stack:
        t = stack.pop()
        if t in seen or not t.args or not _has_free(t, free):
            continue
        seen.add(t)
        stack.extend(t.args)
    return seen


def _has_free(t, memo) -> bool:
    """``bool(t.free_symbols)``, memoized over the shared subtrees (SymPy recomputes ``free_symbols`` over the
    whole tree each time: softmax's Σ_k e^{z_k - max z} holds C copies of the max, and every ŷ_i holds the Σ)."""
    if t in memo:
        return memo[t]
    if not t.args or getattr(t, "bound_symbols", None):
        r = bool(t.free_symbols)
    else:
        r = any(_has_free(a, memo) for a in t.args)
    memo[t] = r
    return r


def _symbols(exprs) -> set:
    """The free symbols of all ``exprs``, each shared subtree visited once."""
    out, seen, stack = set(), set(), list(exprs)
    while stack:
        t = stack.pop()
        if t in seen:
            continue
        seen.add(t)
        if not t.args or getattr(t, "bound_symbols", None):
            out |= t.free_symbols
        else:
            stack.extend(t.args)
    return out


def _shares(entries) -> bool:
    """Whether two entries have a compound subexpression in common (then a flat CSE wins)."""
    owner, free = {}, {}
    for i, e in enumerate(entries):
        for t in _subexpressions(e, free):
            if owner.setdefault(t, i) != i:
                return True
    return False


def _first_symbols(e):
    """Free symbols of ``e`` in order of first appearance (preorder, SymPy's argument order)."""
    out, seen = [], set()
    for t in sp.preorder_traversal(e):
        if isinstance(t, sp.Symbol) and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _placeholders(n):
    return [sp.Symbol(f"p{k}", real=True) for k in range(n)]


def _templates(entries):
    """Group entries equal up to renaming: {template: (placeholders, [(position, symbols), ...])}."""
    groups = {}
    for pos, e in enumerate(entries):
        syms = _first_symbols(e)
        ph = _placeholders(len(syms))
        t = e.xreplace(dict(zip(syms, ph)))
        groups.setdefault(t, (ph, []))[1].append((pos, syms))
    return groups


class _Gather:
    """Values of one placeholder over a grid of (member[, term]) positions, from the value table.

    The index array is shaped like the grid, with size 1 along every axis it does not depend on
    (so ∇W_ij = δ_i a_j broadcasts like an outer product instead of copying δ and a per entry);
    a run of consecutive indices is read as a view.
    """

    def __init__(self, locs, grid):
        keys = {k for k, _ in locs}
        self.key = keys.pop() if len(keys) == 1 else None
        self.locs, self.grid = locs, tuple(grid)
        if self.key is None:
            return
        idx = np.array([i for _, i in locs]).reshape(grid)
        for ax in range(idx.ndim):
            if np.all(idx == idx.take([0], axis=ax)):
                idx = idx.take([0], axis=ax)
        flat = idx.ravel()
        run = flat.size > 0 and np.array_equal(flat, np.arange(flat[0], flat[0] + flat.size))
        self.idx = slice(int(flat[0]), int(flat[0]) + flat.size) if run else idx
        self.idx_shape = idx.shape

    def __call__(self, table, batch):
        if self.key is None:
            out = np.empty((len(self.locs),) + batch)
            for m, (k, i) in enumerate(self.locs):
                out[m] = table[k][i]
            return out.reshape(self.grid + batch)
        v = table[self.key][self.idx]
        return v.reshape(self.idx_shape + v.shape[1:]) if isinstance(self.idx, slice) else v


# lambdify's NumPy printer has no erf/erfc (SciPy's has): the standard library's, elementwise
_MODULES = [{"erf": _erf, "erfc": _erfc}, "numpy"]

REDUCE_MIN = 3      # an Add with at least this many terms of one product shape is a contraction


def _product(q):
    """(coefficient, factors) if q = c·r_a·r_b·… with distinct symbols to the first power, else None."""
    c, factors = q.as_coeff_mul()
    if c.is_Number and all(isinstance(f, sp.Symbol) for f in factors) and len(set(factors)) == len(factors):
        return float(c), factors
    return None


def _term_groups(add, role):
    """Terms of an Add grouped by shape: {term template: [placeholders of each term, by role]}."""
    groups = {}
    for t in add.args:
        ps = sorted(_first_symbols(t), key=role)          # stable: role (value-table key), then occurrence
        rs = [sp.Symbol(f"r{j}", real=True) for j in range(len(ps))]
        groups.setdefault(t.xreplace(dict(zip(ps, rs))), []).append(ps)
    return groups


def _sums(template, role):
    """Outermost Add nodes of ``template`` that contain a large group of same-shaped product terms."""
    found = []

    def walk(e):
        if isinstance(e, sp.Add) and any(len(v) >= REDUCE_MIN and _product(q)
                                         for q, v in _term_groups(e, role).items()):
            found.append(e)
            return
        for a in e.args:
            walk(a)
    walk(template)
    return list(dict.fromkeys(found))


def _contract(ops, kax, coeff):
    """coeff · Σ_k Π_j ops[j] over axis ``kax``, by einsum over the axes of size > 1 (BLAS when it can)."""
    nd = ops[0].ndim
    letters = "abcdefghijklmnopqrstuvwxyz"[:nd]
    if all(o.shape[kax] == 1 for o in ops):
        raise ValueError("internal: contraction over an axis of size 1")
    keep = [ax for ax in range(nd) if ax != kax and any(o.shape[ax] > 1 for o in ops)]
    subs, arrays = [], []
    for o in ops:
        axes = [ax for ax in range(nd) if o.shape[ax] > 1]
        subs.append("".join(letters[ax] for ax in axes))
        arrays.append(o.reshape([o.shape[ax] for ax in axes]))
    out = "".join(letters[ax] for ax in keep)
    for j, s in enumerate(subs):                 # sum first over letters no one else needs
        alone = [c for c in s if c not in out and all(c not in t for i, t in enumerate(subs) if i != j)]
        if alone:
            arrays[j] = np.einsum(f"{s}->{''.join(c for c in s if c not in alone)}", arrays[j])
            subs[j] = "".join(c for c in s if c not in alone)
    res = np.einsum(",".join(subs) + "->" + out, *arrays, optimize=True)
    shape = [max(o.shape[ax] for o in ops) if ax in keep else 1 for ax in range(nd) if ax != kax]
    return coeff * res.reshape(shape)


class _Sum:
    """One Add node of a template: large groups of product terms contracted, the rest lambdified."""

    def __init__(self, add, members, loc, grid, role):
        self.kax = len(grid)
        self.parts, rest = [], []
        for q, terms in _term_groups(add, role).items():
            prod = _product(q)
            if len(terms) < REDUCE_MIN or prod is None:
                rest += [q.xreplace(dict(zip([sp.Symbol(f"r{j}", real=True) for j in range(len(ps))], ps)))
                         for ps in terms]
                continue
            c, factors = prod
            idx = {f: int(f.name[1:]) for f in factors}
            gathers = [_Gather([loc[syms[int(ps[idx[f]].name[1:])]] for _, syms in members for ps in terms],
                               tuple(grid) + (len(terms),)) for f in factors]
            self.parts.append((c, gathers))
        self.rest = sp.Add(*rest)
        self.rest_args = sorted(self.rest.free_symbols, key=lambda s: int(s.name[1:]))
        self.rest_fn = sp.lambdify(self.rest_args, self.rest, modules=_MODULES)

    def __call__(self, table, batch, pvals):
        val = self.rest_fn(*[pvals[int(p.name[1:])] for p in self.rest_args])
        for c, gathers in self.parts:
            val = val + _contract([g(table, batch) for g in gathers], self.kax, c)
        return val


class _Template:
    """One lambdified template evaluated at once for all entries of its group."""

    def __init__(self, template, ph, members, loc, shape):
        positions = np.array([p for p, _ in members])
        whole = len(positions) == int(np.prod(shape)) and np.array_equal(positions, np.arange(len(positions)))
        self.shape = tuple(shape) if whole else None
        self.positions = positions
        grid = self.shape if whole else (len(members),)
        first = members[0][1]
        role = lambda p: str(loc[first[int(p.name[1:])]][0])           # noqa: E731
        sums = _sums(template, role)
        svars = [sp.Symbol(f"s{j}", real=True) for j in range(len(sums))]
        self.sums = [_Sum(s, members, loc, grid, role) for s in sums]
        main = template.xreplace(dict(zip(sums, svars)))
        used = set(main.free_symbols).union(*[s.rest.free_symbols for s in self.sums])
        self.gathers = {k: _Gather([loc[syms[k]] for _, syms in members], grid)
                        for k in range(len(ph)) if ph[k] in used}
        self.main_args = [p for p in ph if p in main.free_symbols]
        self.fn = sp.lambdify(self.main_args + svars, main, modules=_MODULES)

    def value(self, table, batch):
        """The template's values, broadcastable to the group's grid + batch."""
        pvals = {k: g(table, batch) for k, g in self.gathers.items()}
        svals = [s(table, batch, pvals) for s in self.sums]
        return self.fn(*[pvals[int(p.name[1:])] for p in self.main_args], *svals)

    def fill(self, out, table, batch):
        val = self.value(table, batch)
        if self.shape is None:
            out[self.positions] = val
        else:
            out.reshape(self.shape + batch)[...] = val


def _hoist(exprs):
    """CSE by exact subtrees only: every compound subexpression used twice becomes a temporary.

    Same output format as ``sympy.cse`` (so lambdify accepts it), but it never rebuilds a node whose
    arguments did not change (SymPy's ``cse`` rebuilds Max(z_1, ..., z_C) at O(C²) cost each time).  "Used
    twice" is counted on the expressions' shared DAG: a subtree with two distinct parent nodes (an entry
    counts as a parent of itself), each node walked once whatever the number of entries that hold it
    (softmax's Σ_k e^{z_k - max z} is in every ŷ_i).  Temporaries come smallest first (tree size, then order
    of first meeting), so each uses only earlier ones.
    """
    free, uses, order, seen = {}, {}, {}, set()
    compound = lambda t: bool(t.args) and _has_free(t, free)      # noqa: E731
    for e in exprs:
        if compound(e):
            uses[e] = uses.get(e, 0) + 1
        stack = [e]
        while stack:
            t = stack.pop()
            if t in seen or not compound(t):
                continue
            seen.add(t)
            order.setdefault(t, len(order))
            for a in set(t.args):
                if compound(a):
                    uses[a] = uses.get(a, 0) + 1
                    stack.append(a)
    size = {}
    shared = sorted((t for t, c in uses.items() if c > 1), key=lambda t: (_tree_size(t, size), order[t]))
    temps, subs = [], {}
    for k, t in enumerate(shared):
        sym = sp.Symbol(f"cse{k}", real=True)
        temps.append((sym, t.xreplace(subs)))
        subs[t] = sym
    return temps, [e.xreplace(subs) for e in exprs]


def _tree_size(t, memo) -> int:
    """Number of nodes of ``t`` as a tree (a parent is always larger than each of its subtrees)."""
    if t not in memo:
        memo[t] = 1 + sum(_tree_size(a, memo) for a in t.args)
    return memo[t]


class _Flat:
    """A flat lambdified list (with exact-subtree CSE), for entries that share subexpressions."""

    def __init__(self, entries, loc):
        free = sorted(_symbols(entries), key=str)
        self.args = [loc[s] for s in free]
        # use_imps=False: no implemented functions here, and their search walks every entry as a whole tree
        self.fn = sp.lambdify(free, entries, modules=_MODULES, cse=_hoist, use_imps=False)

    def fill(self, out, table, batch):
        for i, v in enumerate(self.fn(*[table[k][i] for k, i in self.args])):
            out[i] = v
