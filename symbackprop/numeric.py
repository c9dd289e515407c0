"""The derivation's gradients compiled for evaluation, and their verification against the numeric witnesses.

``lambdify_gradients`` compiles the *derived* node-level expressions (only over symbols the library created)
and evaluates them, one point or a batch of points at a time; ``verify`` compares them with the independent
witnesses of ``witness.py`` (a textbook NumPy backprop and finite differences) at seeded points.  Mini-batch,
rows-layout, weight-decay and no-bias networks are evaluated node by node (``_GeneralGradients``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from .derive import Derivation, derive
from .errors import ConfigError
from .network import Network
from .rules import OUTPUTS
from .witness import (  # noqa: F401  (re-exported: the witnesses' public names and the reference tables)
    _ACT, _FUSED, _HEAD, _LOSS, TINY, _batched, TOLERANCES, Params, Tolerance, _erf, _erfc, fd_step, finite_differences,
    numpy_backprop, rel_err, sample_params, stable_loss, stack_params,
)

__all__ = [
    "Tolerance", "TOLERANCES", "TINY", "fd_step", "rel_err", "Params", "sample_params", "stack_params",
    "numpy_backprop", "stable_loss", "finite_differences", "lambdify_gradients", "mp_function", "verify",
]

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


class _Quantity:
    """A matrix of library expressions compiled for evaluation from the value table."""

    def __init__(self, exprs, shape, loc):
        if not all(isinstance(e, sp.Basic) for e in exprs):
            raise ConfigError("internal: only SymPy expressions built by the library can be compiled")
        stray = _symbols(exprs) - set(loc)
        if stray:
            raise ConfigError("internal: expression has symbols the library did not create: "
                              f"{sorted(map(str, stray))}")
        self.shape, self.size = tuple(shape), len(exprs)
        self.flat = _shares(exprs)
        self.parts = [_Flat(exprs, loc)] if self.flat else \
            [_Template(t, ph, m, loc, self.shape or (1,)) for t, (ph, m) in _templates(exprs).items()]

    def __call__(self, table, batch):
        """Values as an array of shape (size,) + batch."""
        if len(self.parts) == 1 and getattr(self.parts[0], "shape", None) is not None:
            val = self.parts[0].value(table, batch)          # one template for the whole matrix:
            full = self.parts[0].shape + batch               # use its result, no copy if full-sized
            if isinstance(val, np.ndarray) and val.shape == full and val.dtype == np.float64:
                return np.ascontiguousarray(val).reshape((self.size,) + batch)
        out = np.empty((self.size,) + batch)
        for p in self.parts:
            p.fill(out, table, batch)
        return out


def _table_keys(g, deltas):
    """Symbol -> (table key, flat index) for every symbol the evaluator knows."""
    vectors = {("x",): g.x, ("y",): g.y, ("yhat",): g.yhat}
    vectors.update({("W", k): W for k, W in enumerate(g.W)})
    vectors.update({("b", k): b for k, b in enumerate(g.b)})
    vectors.update({("z", l): v for l, v in g.z.items()})
    vectors.update({("a", l): v for l, v in g.a.items() if 0 < l < g.net.L})
    vectors.update({("delta", l): v for l, v in deltas.items()})
    return {s: (key, i) for key, vec in vectors.items() for i, s in enumerate(vec)}


class _Gradients:
    """Callable (x, y, Ws, bs) -> dict of the derivation's gradients, evaluated node by node.

    Node values come from a lambdified forward pass per layer (ŷ through the head's overflow-free
    form); "loss" is the library's loss in ŷ, so it may be nan where ŷ underflows to 0 or rounds to 1.
    """

    def __init__(self, d: Derivation):
        self.net, g = d.net, d.graph
        net, L = self.net, self.net.L
        self.g = g
        self.deltas = {l: g.delta_symbols(l) for l in range(1, L + 1)}
        loc = _table_keys(g, self.deltas)
        self.node_level = True
        self.z = {l: _Quantity(list(g.z_def[l]), (net.sizes[l],), loc) for l in range(1, L + 1)}
        self.a = {l: _Quantity(list(g.concretize(g.a_def[l], stable=True)), (net.sizes[l],), loc)
                  for l in range(1, L)}
        self.yhat = _Quantity(list(OUTPUTS[net.output].f_stable(g.z[L])), (net.C,), loc)
        self.loss = _Quantity([g.loss], (), loc)
        self.delta = {l: self._quantity(d.delta[l], d.delta[l + 1] if l < L else None, l + 1, loc)
                      for l in range(L, 0, -1)}
        self.grad_W = [self._quantity(d.grad_W[k], d.delta[k + 1], k + 1, loc) for k in range(L)]
        self.grad_b = [self._quantity(d.grad_b[k], d.delta[k + 1], k + 1, loc) for k in range(L)]

    def _quantity(self, M, up, l_up, loc):
        """Compile one derived matrix at node level (over δ^(l_up) symbols where that is exact)."""
        entries, ok = _node_level(list(M), list(up) if up is not None else None, self.deltas.get(l_up))
        self.node_level = self.node_level and ok
        shape = (M.rows,) if M.cols == 1 else M.shape      # vectors are 1-D, like the NumPy inputs
        return _Quantity([_collect_common(self.g.concretize(e, stable=True)) for e in entries], shape, loc)

    def _table(self, x, y, Ws, bs):
        """The value table of the primitives (trailing batch axes padded to size 1) and the batch shape."""
        x, y, Ws, bs = _batched(self.net, x, y, Ws, bs)
        batch = np.broadcast_shapes(x.shape[1:], y.shape[1:], *[W.shape[2:] for W in Ws],
                                    *[b.shape[1:] for b in bs])
        table = {("x",): x, ("y",): y}
        for k in range(self.net.L):
            table["W", k] = Ws[k].reshape((-1,) + Ws[k].shape[2:])
            table["b", k] = bs[k]
        return table, tuple(batch)

    def __call__(self, x, y, Ws, bs) -> dict:
        L = self.net.L
        table, batch = self._table(x, y, Ws, bs)
        for l in range(1, L + 1):
            table["z", l] = self.z[l](table, batch)
            if l < L:
                table["a", l] = self.a[l](table, batch)
        table["yhat",] = self.yhat(table, batch)
        for l in range(L, 0, -1):
            table["delta", l] = self.delta[l](table, batch)
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = self.loss(table, batch)[0]
        shaped = lambda q, v: v.reshape(q.shape + batch)     # noqa: E731
        return {"delta": {l: table["delta", l] for l in range(L, 0, -1)},
                "grad_W": [shaped(q, q(table, batch)) for q in self.grad_W],
                "grad_b": [q(table, batch) for q in self.grad_b], "yhat": table["yhat",],
                "loss": float(loss) if loss.ndim == 0 else loss}


def mp_function(args, expr: sp.Expr) -> Callable:
    """``expr`` (built over our own symbols) as an mpmath function of ``args``, for high-precision root
    refinement; every lambdify of the package lives in this module."""
    return sp.lambdify(args, expr, modules="mpmath")


def lambdify_gradients(derivation: Derivation) -> Callable:
    """Compile the derivation's gradients: a callable (x, y, Ws, bs) -> dict like ``numpy_backprop``."""
    return _Gradients(derivation) if derivation.net.plain else _GeneralGradients(derivation)


@lru_cache(maxsize=16)
def _compiled(net: Network):
    return lambdify_gradients(derive(net))


# ----------------------------------------------------------------------------------------------
# verification


def _names(net):
    """(name, kind, index) of every checked quantity, with the course's labels."""
    out = [(f"delta^({l})", "delta", l) for l in range(net.L, 0, -1)]
    for k in range(net.L):
        lab = net.param_label(k)
        out += [(f"grad_W^({lab})", "grad_W", k), (f"grad_b^({lab})", "grad_b", k)]
    return out


def _witness_values(kind, idx, res):
    """The value of one quantity in a result dict (FD gives δ^(l) as ∂L/∂b of the edge into l)."""
    if kind == "delta":
        return res["delta"][idx] if "delta" in res else res["grad_b"][idx - 1]
    return res[kind][idx]


def _flat(v):
    return np.asarray(v, dtype=float).reshape(-1)


def verify(net: Network, n_points: int = 5, seed: int = 0) -> dict:
    """Max relative error of each symbolic gradient against both witnesses at seeded points."""
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1:
        raise ConfigError(f"n_points must be a positive integer, got {n_points!r}", key="points")
    rng = np.random.default_rng(seed)
    f = _compiled(net)
    names = _names(net)
    errs = {name: {w: 0.0 for w in TOLERANCES} for name, _, _ in names}
    for _ in range(n_points):
        p = sample_params(net, rng)
        sym = f(*p)
        witness = {"numpy_backprop": numpy_backprop(net, *p), "finite_differences": finite_differences(net, *p)}
        for name, kind, idx in names:
            for w, res in witness.items():
                if not net.bias and kind == "grad_b" or not net.bias and kind == "delta" and "delta" not in res:
                    continue       # no biases: no ∇b, and finite differences give δ only through ∇b
                mine = _witness_values(kind, idx, sym)
                if kind == "delta" and "delta" not in res and net.batched:
                    mine = np.sum(mine, axis=0 if net.rows else 1)      # ∂L/∂b = Δ 1 (columns) or 1ᵀ Δ (rows)
                e = rel_err(_flat(mine), _flat(_witness_values(kind, idx, res)), TOLERANCES[w].floor)
                errs[name][w] = max(errs[name][w], e)
    passed = all(errs[n][w] <= TOLERANCES[w].rtol for n in errs for w in TOLERANCES)
    return {**errs, "passed": bool(passed)}


class _GeneralGradients:
    """The derivation of a batch / rows / decay / no-bias network evaluated node by node: a lambdified forward
    pass (concrete, overflow-free activations and head), then every derived entry over the node values."""

    def __init__(self, d: Derivation):
        self.net, self.d, g = d.net, d, d.graph
        net, L = self.net, self.net.L
        self.g = g
        self.prims = list(g.x) + list(g.y) + [w for W in g.W for w in W] + [v for b in g.b for v in b]
        self.z = {l: self._fn(list(g.z_def[l])) for l in range(1, L + 1)}
        self.a = {l: self._fn(list(g.concretize(g.a_def[l], stable=True))) for l in range(1, L)}
        head = OUTPUTS[net.output].f_stable
        self.yhat = self._fn(list(g.from_examples([head(z) for z in g.examples(g.z[L])])))
        stable = lambda M: [g.concretize(e, stable=True) for e in M]     # noqa: E731
        self.delta = {l: (d.delta[l].shape, self._fn(stable(d.delta[l]))) for l in range(1, L + 1)}
        self.grad_W = [(M.shape, self._fn(stable(M))) for M in d.grad_W]
        self.grad_b = [(M.shape, self._fn(stable(M))) for M in d.grad_b]

    def _fn(self, exprs):
        free = sorted(set().union(set(), *[e.free_symbols for e in exprs]), key=str)
        fn = sp.lambdify(free, exprs, modules=_MODULES)
        return lambda vals: np.array(fn(*[vals[s] for s in free]), dtype=float) if exprs else np.zeros(0)

    def __call__(self, x, y, Ws, bs) -> dict:
        g, L = self.g, self.net.L
        arrays = [x, y] + list(Ws) + list(bs)
        vals = dict(zip(self.prims, np.concatenate([np.asarray(v, float).reshape(-1) for v in arrays])))
        for l in range(1, L + 1):
            vals.update(zip(g.z[l], self.z[l](vals)))
            if l < L:
                vals.update(zip(g.a[l], self.a[l](vals)))
        vals.update(zip(g.yhat, self.yhat(vals)))
        shaped = lambda sf: sf[1](vals).reshape(sf[0])      # noqa: E731
        return {"delta": {l: shaped(self.delta[l]) for l in range(L, 0, -1)},
                "grad_W": [shaped(q) for q in self.grad_W], "grad_b": [shaped(q) for q in self.grad_b],
                "yhat": self.yhat(vals)}
