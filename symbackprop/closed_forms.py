"""Textbook closed forms of every gradient, proved exactly against the derivation, with assumptions."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .derive import Derivation, derive
from .network import Network
from .regions import region_empty, tame, zero_on
from .rules import ACTIVATIONS, HEADS, OUTPUTS, kink_conventions, phi_prime

__all__ = ["Statement", "ClosedForm", "closed_forms", "statements", "prove_zero", "prove_equal", "prove_softmax_ce_symbolic_C",
           "prove_layer_symbolic_width"]


_SIMPLIFY_OPS = 400


def prove_zero(expr, region=None) -> bool:
    """True only if ``expr`` is identically zero by exact rewriting (never a float comparison).

    With ``region`` (a condition, e.g. the givens of a claim) zero is needed only where it holds: the
    branches of a case split outside it are dropped — only when their part of it is proved empty.
    """
    exprs = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return all(_zero(e, 0, region) for e in exprs)


def _zero(e, depth: int = 0, region=None) -> bool:
    if e == 0:
        return True
    if e.has(sp.Piecewise):
        return _zero_cases(e, depth, region)
    if not tame(e):
        return False          # exp(-10^5) would be read as a polynomial of degree 10^5: no proof, never a guess
    ex = sp.expand(e)
    if ex == 0:
        return True
    if sp.cancel(sp.together(ex)) == 0:
        return True
    if e.has(sp.Max, sp.Min) and depth < _MAX_CASE_DEPTH:
        return _zero_cases(e, depth, region)           # max(u, v) - u = max(0, v - u): case by case
    return False


_MAX_CASE_DEPTH = 3
_MAX_KINKS = 8        # distinct max/min terms rewritten into cases (2^8 branches at most)


_LOWER = {"<": sp.Lt, "<=": sp.Le}
_UPPER = {">": sp.Gt, ">=": sp.Ge}


def _split_minmax(rel):
    """max/min on one side of a condition as plain logic (max(a, b) <= c  <=>  a <= c and b <= c), or None."""
    lhs, rhs, op = rel.lhs, rel.rhs, rel.rel_op
    if op not in ("<", "<=", ">", ">="):
        return None
    if isinstance(rhs, (sp.Max, sp.Min)) and not isinstance(lhs, (sp.Max, sp.Min)):
        lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
    if not isinstance(lhs, (sp.Max, sp.Min)) or rhs.has(sp.Max, sp.Min, sp.Piecewise):
        return None
    parts = []
    for a in lhs.args:
        r = (_LOWER.get(op) or _UPPER[op])(a, rhs)
        if r.has(sp.Max, sp.Min, sp.Piecewise):
            r = _split_minmax(r) if isinstance(r, sp.core.relational.Relational) else None
            if r is None:
                return None
        parts.append(r)
    # max <= c: all;  max >= c: any;  min <= c: any;  min >= c: all
    every = (isinstance(lhs, sp.Max)) == (op in ("<", "<="))
    return sp.And(*parts) if every else sp.Or(*parts)


def _zero_cases(e, depth, region=None) -> bool:
    """Zero on every branch of the folded Piecewise, never by dropping a branch that can occur.

    A branch counts only if its expression is 0 (outright, or after an exact substitution describing its
    region: u = 1 for (u - 1)^2 <= 0, u = c + t with t > 0 for u > c), or if its region (its condition
    and the negations of the earlier ones) is *proved* empty over the reals (``regions.region_empty``).
    SymPy's simplify is never used on conditions: it drops branches whose condition holds on a set of
    measure zero (1{(u-1)^2 <= 0} becomes 0).
    """
    if depth > _MAX_CASE_DEPTH:
        return False
    rels = {rel: _split_minmax(rel) for rel in e.atoms(sp.core.relational.Relational)
            if rel.has(sp.Piecewise, sp.Max, sp.Min)}
    if rels:
        if any(v is None for v in rels.values()):
            # a case split inside a condition: SymPy would turn it into an ITE and run simplify_logic, whose
            # relational simplification can rest on numeric sampling (Expr.equals) — never used for a proof
            return False
        e = e.xreplace(rels)
    kinks = e.atoms(sp.Max, sp.Min)
    if kinks:
        if len(kinks) > _MAX_KINKS:
            return False
        e = e.replace(lambda x: isinstance(x, (sp.Max, sp.Min)), lambda x: x.rewrite(sp.Piecewise))
    f = sp.piecewise_fold(e)
    if not isinstance(f, sp.Piecewise):
        if f.has(sp.Piecewise, sp.Max, sp.Min):
            return False           # a case split buried inside a function: not handled (never a guess)
        return _zero(f, depth + 1)
    if sp.count_ops(f) > _SIMPLIFY_OPS:
        return all(_zero(branch, depth + 1) for branch, _ in f.args)     # too large for regions: all zero
    earlier = []
    for branch, cond in f.args:
        part = sp.And(cond, *[sp.Not(c) for c in earlier], *([region] if region is not None else []))
        earlier.append(cond)
        if part is sp.false or _zero(branch, depth + 1) or region_empty(part):
            continue
        if zero_on(branch, part, lambda x: _zero(x, depth + 1)):
            continue
        return False
    return True


def prove_equal(a, b, graph, assumptions=()) -> bool:
    """Prove a = b exactly (entry by entry for matrices), rewriting each difference with each assumption's
    substitution.  Structurally identical entries are equal outright: their difference is exactly 0, and an
    ``==`` test is far cheaper than building and expanding it."""
    if isinstance(a, sp.MatrixBase):
        if a.shape != b.shape:
            return False
        return all(_equal(x, y, graph, assumptions) for x, y in zip(a, b))
    return _equal(a, b, graph, assumptions)


def _equal(x, y, graph, assumptions) -> bool:
    if x == y:
        return True
    diff = x - y
    for asm in assumptions:
        diff = asm.apply(diff, graph)
    return _zero(diff)


def _matmul(A, B):
    """A·B with each entry one Add of its products: the expressions of SymPy's Matrix product, without its
    EXRAW matrix multiplication (about 10x slower for δaᵀ or Wᵀδ at width 64)."""
    return sp.Matrix(A.rows, B.cols, lambda i, j: sp.Add(*[A[i, k] * B[k, j] for k in range(A.cols)]))


@dataclass(frozen=True)
class Statement:
    """One textbook identity as stated, before any proof (what a notebook shows without proving)."""
    name: str                  # e.g. "delta^(2)", "grad_W^(1)"
    quantity: tuple            # ("delta", l) | ("grad_W", label) | ("grad_b", label) | ("output-jacobian",)
    latex: str                 # the identity in course notation
    sympy_form: str            # the identity over matrix names, e.g. "delta3*a2.T"


@dataclass(frozen=True)
class ClosedForm:
    """One textbook identity: ``derived`` (from the chain rule) equals ``closed`` under ``assumptions``."""
    name: str
    quantity: tuple
    latex: str
    derived: sp.Matrix
    closed: sp.Matrix
    assumptions: tuple = ()
    proved: bool = False
    method: str = ""
    sympy_form: str = ""

    @property
    def shape(self):
        """Shape of the quantity (the shape of the variable for parameter gradients)."""
        return self.derived.shape


def _jacobian_entries(J):
    """Entries of the output Jacobian to prove: all for small C or a diagonal head, else representatives."""
    C = J.rows
    if C <= 4 or all(J[k, i] == 0 for k in range(C) for i in range(C) if k != i):
        return [(k, i) for k in range(C) for i in range(C)], "every entry"
    reps = [(0, 0), (0, 1), (1, 0), (C - 1, C - 1), (C - 1, 0)]
    return reps, "entries (1,1), (1,2), (2,1), (C,C), (C,1); the rest by permutation symmetry of the head"


def _plan(net: Network):
    """Every closed form of ``net`` as (statement, proof), in order; ``proof(d, done)`` gives the fields of
    the ClosedForm (``done``: the forms proved so far, by name).  Stating a form never derives or proves."""
    L = net.L
    head = OUTPUTS[net.output]
    yield (Statement("output-jacobian", ("output-jacobian",),
                     r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = " + head.jacobian_latex, head.jacobian_sympy),
           _output_jacobian)
    pair = HEADS[(net.output, net.loss)]
    yield (Statement(f"delta^({L})", ("delta", L), pair.latex, pair.sympy),
           lambda d, done: _output_error_proof(d, pair))
    for k in range(L):
        lab = net.param_label(k)
        a_lat = "x" if k == 0 else f"a^{{({k})}}"
        yield (Statement(f"grad_W^({lab})", ("grad_W", lab),
                         rf"\nabla_{{W^{{({lab})}}}}\mathcal{{L}} = \delta^{{({k + 1})}}\,({a_lat})^{{\top}}",
                         f"delta{k + 1}*{'x' if k == 0 else f'a{k}'}.T"),
               lambda d, done, k=k: _proof(d.grad_W[k], _matmul(d.delta[k + 1], d.graph.a[k].T), d.graph))
        yield (Statement(f"grad_b^({lab})", ("grad_b", lab),
                         rf"\nabla_{{b^{{({lab})}}}}\mathcal{{L}} = \delta^{{({k + 1})}}", f"delta{k + 1}"),
               lambda d, done, k=k: _proof(d.grad_b[k], d.delta[k + 1], d.graph))
    for l in range(L - 1, 0, -1):
        lab = net.param_label(l)
        wt = rf"\delta^{{({l})}} = (W^{{({lab})}})^{{\top}}\delta^{{({l + 1})}} \odot "
        yield (Statement(f"delta^({l})", ("delta", l), wt + rf"\varphi'(z^{{({l})}})",
                         f"HadamardProduct(W{lab}.T*delta{l + 1}, phi_prime(z{l}))"),
               lambda d, done, l=l: _proof(d.delta[l], _wt_delta(d, l).multiply_elementwise(
                   d.graph.z[l].applyfunc(phi_prime)), d.graph))
        name = net.activation_of(l)
        prime = ACTIVATIONS[name].prime_latex(f"z^{{({l})}}", net) or rf"\varphi'(z^{{({l})}})"
        yield (Statement(f"delta^({l}) [{name}]", ("delta", l), wt + prime,
                         f"HadamardProduct(W{lab}.T*delta{l + 1}, {name}_prime(z{l}))"),
               lambda d, done, l=l: _concrete_hidden(d, l, done[f"delta^({l})"].proved))


def _plan_general(net: Network):
    """The closed forms of a batch (columns or rows), weight decay or no-bias network, as ``_plan`` does.

    Columns: Δ^(L) = scale·(Ŷ − Y) (canonical pairs), ∇_W = Δ Aᵀ (+ λW), ∇_b = Δ 1, Δ^(l) = Wᵀ Δ ⊙ φ'(Z);
    rows: ∇_W = Aᵀ Δ (+ λW), ∇_b = 1ᵀ Δ, Δ^(l) = Δ Wᵀ ⊙ φ'(Z).  scale is 1/m for the mean, 1 for the sum.
    """
    L, rows, m = net.L, net.rows, net.batch
    head = OUTPUTS[net.output]
    pair = HEADS[(net.output, net.loss)]
    big = net.batched
    D = (lambda l: rf"\Delta^{{({l})}}") if big else (lambda l: rf"\delta^{{({l})}}")
    A = (lambda k: "X" if k == 0 else f"A^{{({k})}}") if big else (lambda k: "x" if k == 0 else f"a^{{({k})}}")
    scale_tex = rf"\frac{{1}}{{{m}}}" if net.reduction == "mean" and m > 1 else ""
    decay_tex = (lambda lab: rf" + \lambda W^{{({lab})}}") if net.l2 else (lambda lab: "")
    yield (Statement("output-jacobian", ("output-jacobian",),
                     r"\frac{\partial \hat{y}_k}{\partial z^{(L)}_i} = " + head.jacobian_latex, head.jacobian_sympy),
           _output_jacobian)
    rhs = pair.latex.split("=", 1)[1].strip()
    if big and pair.sympy == "yhat - y":
        rhs = r"\hat{Y} - Y"
    elif big:          # a per-example form: each column (row) of Δ^(L) is the example's δ^(L), scaled
        rhs = rf"\left[\delta^{{(L)}}_{{(1)}} \cdots \delta^{{(L)}}_{{({m})}}\right] \text{{ with }} {pair.latex}"
    out_tex = rf"{D(L)} = {scale_tex}\left({rhs}\right)" if scale_tex else rf"{D(L)} = {rhs}"
    yield (Statement(f"delta^({L})", ("delta", L), out_tex, f"scale*({pair.sympy}) per example"),
           lambda d, done: _proof(d.delta[L], _output_error(d), d.graph, pair.assumptions,
                                  "chain rule through the reduction and the output head, then the assumptions"))
    for k in range(L):
        lab = net.param_label(k)
        gw = rf"({A(k)})^{{\top}} {D(k + 1)}" if rows else rf"{D(k + 1)}\,({A(k)})^{{\top}}"
        yield (Statement(f"grad_W^({lab})", ("grad_W", lab),
                         rf"\nabla_{{W^{{({lab})}}}}\mathcal{{L}} = {gw}{decay_tex(lab)}",
                         (f"a{k}.T*delta{k + 1}" if rows else f"delta{k + 1}*a{k}.T") + (f" + l2*W{lab}" if net.l2 else "")),
               lambda d, done, k=k: _proof(d.grad_W[k], _grad_w_closed(d, k), d.graph))
        if not net.bias:
            continue
        gb = rf"\mathbf{{1}}^{{\top}} {D(k + 1)}" if rows else (rf"{D(k + 1)}\,\mathbf{{1}}" if big else D(k + 1))
        yield (Statement(f"grad_b^({lab})", ("grad_b", lab), rf"\nabla_{{b^{{({lab})}}}}\mathcal{{L}} = {gb}",
                         f"ones.T*delta{k + 1}" if rows else f"delta{k + 1}*ones"),
               lambda d, done, k=k: _proof(d.grad_b[k], _grad_b_closed(d, k), d.graph))
    for l in range(L - 1, 0, -1):
        lab = net.param_label(l)
        back = rf"{D(l + 1)} (W^{{({lab})}})^{{\top}}" if rows else rf"(W^{{({lab})}})^{{\top}}{D(l + 1)}"
        Z = f"Z^{{({l})}}" if big else f"z^{{({l})}}"
        wt = rf"{D(l)} = {back} \odot "
        yield (Statement(f"delta^({l})", ("delta", l), wt + rf"\varphi'({Z})",
                         f"HadamardProduct({'delta%d*W%s.T' % (l + 1, lab) if rows else 'W%s.T*delta%d' % (lab, l + 1)}, "
                         f"phi_prime(z{l}))"),
               lambda d, done, l=l: _proof(d.delta[l], _wt_delta(d, l).multiply_elementwise(
                   d.graph.z[l].applyfunc(phi_prime)), d.graph))
        name = net.activation_of(l)
        prime = ACTIVATIONS[name].prime_latex(Z, net) or rf"\varphi'({Z})"
        yield (Statement(f"delta^({l}) [{name}]", ("delta", l), wt + prime,
                         f"HadamardProduct(..., {name}_prime(z{l}))"),
               lambda d, done, l=l: _concrete_hidden(d, l, done[f"delta^({l})"].proved))


def _output_error(d: Derivation):
    """scale · (the pair's δ of each example), as a batch quantity."""
    g = d.graph
    pair = HEADS[(d.net.output, d.net.loss)]
    cols = [g.scale * pair.delta(yh, y) for yh, y in zip(g.examples(g.yhat), g.examples(g.y))]
    return g.from_examples(cols)


def _grad_w_closed(d: Derivation, k: int):
    g = d.graph
    A, D = g.a[k], d.delta[k + 1]
    return (_matmul(A.T, D) if d.net.rows else _matmul(D, A.T)) + g.lam * g.W[k]


def _grad_b_closed(d: Derivation, k: int):
    g = d.graph
    D = d.delta[k + 1]
    return _matmul(g.ones.T, D) if d.net.rows else _matmul(D, g.ones)


def statements(net: Network) -> tuple:
    """The textbook identities of ``net`` as stated (no derivation, no proof): cheap for any size."""
    return tuple(st for st, _ in (_plan(net) if net.plain else _plan_general(net)))


def _proof(derived, closed, graph, assumptions=(), method="exact difference"):
    return dict(derived=derived, closed=closed, assumptions=tuple(assumptions),
                proved=prove_equal(derived, closed, graph, assumptions), method=method)


_SYMMETRY_MIN = 6        # classes from which δ^(L) is proved for one class and carried to the others


def _output_error_proof(d: Derivation, pair) -> dict:
    """δ^(L) (single example) equals the pair's closed form, entry by entry; from ``_SYMMETRY_MIN`` classes on,
    by the permutation symmetry of the classes where it applies (``_by_class_symmetry``)."""
    g = d.graph
    derived, closed = d.delta[d.net.L], pair.delta(g.yhat, g.y)
    method = "chain rule through the output head, then the assumptions' substitutions"
    if derived.rows >= _SYMMETRY_MIN and _by_class_symmetry(derived, closed, g, pair.assumptions):
        return dict(derived=derived, closed=closed, assumptions=tuple(pair.assumptions), proved=True,
                    method=method + " (class 1 exactly; the other classes are its images under swapping two "
                                    "classes, checked exactly)")
    return _proof(derived, closed, g, pair.assumptions, method)


_SYMMETRIC_ASSUMPTIONS = {"target-sums-to-one"}      # Σ_k y_k = 1 is unchanged by permuting the classes


def _by_class_symmetry(derived, closed, g, assumptions) -> bool:
    """derived = closed entrywise, proved for entry 1 and carried to entry i by the transposition σ = (1 i) of
    the classes (ŷ_1 ↔ ŷ_i, y_1 ↔ y_i).

    Sound: if f = derived_1 − closed_1 vanishes wherever the assumptions hold, and derived_i = σ(derived_1),
    closed_i = σ(closed_1) *as expressions* (checked with ``==``), then derived_i − closed_i = f∘σ vanishes
    there too, because σ maps the set where the assumptions hold onto itself (Σ_k y_k = 1 is symmetric).  Only
    entries over ŷ and y alone, and only permutation-symmetric assumptions; otherwise False (then each entry is
    proved on its own)."""
    if any(a.name not in _SYMMETRIC_ASSUMPTIONS for a in assumptions):
        return False
    yh, y = list(g.yhat), list(g.y)
    own = set(yh) | set(y)
    if not all(_symbols_within(e, own) for e in list(derived[:1]) + list(closed[:1])):
        return False
    if not _equal(derived[0], closed[0], g, assumptions):
        return False
    for i in range(1, derived.rows):
        swap = {yh[0]: yh[i], yh[i]: yh[0], y[0]: y[i], y[i]: y[0]}
        for M in (derived, closed):
            if _shape_key(M[i], {}) != _shape_key(M[0], swap):
                return False
    return True


def _shape_key(e, rename) -> tuple:
    """A hashable form of the tree of ``e`` with its symbols renamed by ``rename``, the arguments of Add and Mul
    (commutative) as sorted multisets: equal keys mean the same expression up to the order of terms and
    factors (the same function), without building the renamed expression."""
    if e.is_Symbol:
        return ("s", rename.get(e, e))
    if not e.args:
        return ("n", type(e).__name__, e)
    keys = [_shape_key(a, rename) for a in e.args]
    if isinstance(e, (sp.Add, sp.Mul)):
        keys.sort(key=repr)
    return (type(e).__name__, tuple(keys))


def _symbols_within(e, allowed) -> bool:
    """Every free symbol of ``e`` is in ``allowed`` (σ then acts on every variable of the entry)."""
    return e.free_symbols <= allowed


def _wt_delta(d: Derivation, l: int):
    if d.net.rows:
        return _matmul(d.delta[l + 1], d.graph.W[l].T)
    return _matmul(d.graph.W[l].T, d.delta[l + 1])


def _output_jacobian(d: Derivation, done) -> dict:
    """∂ŷ_k/∂z_i written in ŷ (the rule) equals diff of the concrete head, with ŷ = out(z)."""
    g, net = d.graph, d.net
    out, z = g.examples(g.yhat_def)[0], g.examples(g.z[net.L])[0]        # the first example (the head is per example)
    subs = dict(zip(g.examples(g.yhat)[0], out))
    entries, how = _jacobian_entries(d.dyhat_dz)
    ok = all(_jacobian_entry_zero(sp.diff(out[k], z[i]) - d.dyhat_dz[k, i].xreplace(subs)) for k, i in entries)
    return dict(derived=d.dyhat_dz, closed=d.dyhat_dz, assumptions=(), proved=ok,
                method=f"diff of the head, exact ({how})")


def _positive_sums(e) -> dict:
    """Each denominator of ``e`` that is a sum of exponentials of real arguments (softmax's Σ_j e^{z_j}) -> a
    fresh positive symbol."""
    sums = {p.base for p in e.atoms(sp.Pow) if p.exp.is_negative and isinstance(p.base, sp.Add)
            and all(isinstance(t, sp.exp) and t.args[0].is_extended_real for t in p.base.args)}
    return {s: sp.Dummy("S", positive=True) for s in sums}


def _jacobian_entry_zero(e) -> bool:
    """``e`` (a difference of derivatives of the head, over the logits) is identically 0.

    First with each sum of exponentials in a denominator replaced by a fresh positive symbol S: the
    difference was formed (and differentiated) before the replacement, so if it is 0 for *every* S > 0
    it is 0 at S = Σ_j e^{z_j} > 0 as well (sound for a zero test, and it spares expanding against
    (Σ_j e^{z_j})^2).  If that does not prove it, the full expression is tried as before."""
    sums = _positive_sums(e)
    if sums and _zero(e.xreplace(sums)):
        return True
    return _zero(e)


@lru_cache(maxsize=32)
def closed_forms(net: Network) -> tuple:
    """Every closed form of ``net``, proved: output error, ∇W = δaᵀ, ∇b = δ, δ^(l) = Wᵀδ ⊙ φ'(z)."""
    d = derive(net)
    done = {}
    for st, proof in (_plan(net) if net.plain else _plan_general(net)):
        done[st.name] = ClosedForm(st.name, st.quantity, st.latex, sympy_form=st.sympy_form, **proof(d, done))
    return tuple(done.values())


def _concrete_hidden(d: Derivation, l: int, generic_proved: bool) -> dict:
    """δ^(l) with layer l's concrete φ' in its textbook form (1{z>0} for ReLU), and the conventions it needs.

    Proof by composition, never by expanding the concrete activation: the generic identity
    δ = Wᵀδ' ⊙ φ'(z) holds for every function φ' (``generic_proved``), so it holds for the layer's
    φ'; the lemma φ'(u) ≡ textbook(u) for real u then licenses the entrywise swap.  ``derived`` and
    ``closed`` hold layer l's φ' concrete and the upper layers' generic.
    """
    net, g = d.net, d.graph
    name = net.activation_of(l)
    rule = ACTIVATIONS[name]
    u = sp.Symbol("u", real=True)
    lemma = _zero(rule.prime(u, net) - rule.textbook_prime(u, net))
    # layer l's φ' made concrete; the δ of the layers above keep their generic φ' (``graph.concretize`` swaps them)
    closed = _wt_delta(d, l).multiply_elementwise(g.z[l].applyfunc(lambda v: rule.textbook_prime(v, net)))
    derived = d.dL_da[l].multiply_elementwise(g.z[l].applyfunc(lambda v: rule.prime(v, net)))
    return dict(derived=derived, closed=closed, assumptions=kink_conventions(net, (name,)),
                proved=bool(lemma and generic_proved),
                method="generic identity (proved for every phi') + lemma phi'(u) = textbook form for real u")


def prove_softmax_ce_symbolic_C() -> dict:
    """δ_i = Σ_k (−y_k/ŷ_k)·ŷ_k(δ_ik − ŷ_i) = ŷ_i − y_i for a symbolic number of classes C, given Σy = 1."""
    C = sp.Symbol("C", integer=True, positive=True)
    i = sp.Symbol("i", integer=True, positive=True)
    k = sp.Dummy("k", integer=True, positive=True)
    y, yh = sp.IndexedBase("y", real=True), sp.IndexedBase("yhat", positive=True)
    term = (-y[k] / yh[k]) * yh[k] * (sp.KroneckerDelta(i, k) - yh[i])
    chain = sp.Sum(sp.expand(term), (k, 1, C))
    split = sp.expand(chain).doit()
    # Σ_k y_k δ_ik = y_i for 1 ≤ i ≤ C; SymPy returns a Piecewise on the range of i
    split = split.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: _in_range(e, i, C))
    split = sp.factor_terms(split)                       # Σ_k y_k ŷ_i = ŷ_i Σ_k y_k
    sum_y = sp.Sum(y[k], (k, 1, C))
    total = split.subs(sum_y, 1)
    return {"expression": split, "proved": sp.simplify(total - (yh[i] - y[i])) == 0,
            "assumptions": ["1 <= i <= C", "sum_k y_k = 1"]}


def _width_symbols():
    """Indices and widths of one layer at symbolic width, as offsets from nonnegative integers: i = 1 + u and
    m = i + v, so 1 <= i <= m holds by construction for every value (no condition left for SymPy to drop)."""
    u, v, r, s, w = sp.symbols("u v r s w", integer=True, nonnegative=True)
    return dict(i=1 + u, m=1 + u + v, j=1 + r, n=1 + r + s, k=1 + w)


_WIDTH_ASSUMPTIONS = (
    "widths m, n, k >= 1 symbolic (any integers); indices 1 <= i <= m, 1 <= j <= n",
    "z_p = sum_{q=1}^{n} W_pq a_q + b_p for p = 1..m (the layer's affine map; W, a, b real)",
    "L depends on W and b only through z, and on z^(l) only through z^(l+1) (the layered graph); "
    "L is differentiable in z (chain rule over the entries of z), phi differentiable at z_j",
)


def _affine_chain(closed, wrt, S):
    """dL/d(wrt) = sum_{p=1}^{m} delta_p dz_p/d(wrt) at symbolic width, minus ``closed(S, names)``: 0 if proved."""
    p, q = sp.Dummy("p", integer=True), sp.Dummy("q", integer=True)
    W, a, b, d = (sp.IndexedBase(c, real=True) for c in ("W", "a", "b", "delta"))
    z_p = sp.Sum(W[p, q] * a[q], (q, 1, S["n"])) + b[p]
    target = {"W": W[S["i"], S["j"]], "b": b[S["i"]]}[wrt]
    chain = sp.Sum(d[p] * sp.diff(z_p, target), (p, 1, S["m"])).doit()
    return chain, chain - closed(S, dict(W=W, a=a, b=b, delta=d))


def _recursion_chain(closed, S):
    """delta_j = sum_{p=1}^{k} delta'_p dz'_p/dz_j with z'_p = sum_q V_pq phi(z_q) + c_p (the next layer), minus
    ``closed(S, names)``; phi is an undefined function (so the identity holds for every activation)."""
    p, q = sp.Dummy("p", integer=True), sp.Dummy("q", integer=True)
    V, c, z, D = (sp.IndexedBase(t, real=True) for t in ("V", "c", "z", "D"))
    phi = sp.Function("phi")
    zn_p = sp.Sum(V[p, q] * phi(z[q]), (q, 1, S["n"])) + c[p]
    chain = sp.Sum(D[p] * sp.diff(zn_p, z[S["j"]]), (p, 1, S["k"])).doit()
    names = dict(V=V, z=z, D=D, phi=phi, p=p)
    return chain, sp.factor_terms(chain) - closed(S, names)


def _width_grad_W(S, x):
    return x["delta"][S["i"]] * x["a"][S["j"]]


def _width_grad_b(S, x):
    return x["delta"][S["i"]]


def _width_recursion(S, x):
    j = S["j"]
    return sp.Sum(x["V"][x["p"], j] * x["D"][x["p"]], (x["p"], 1, S["k"])) * sp.Derivative(x["phi"](x["z"][j]), x["z"][j])


def _width_proof(chain, difference) -> dict:
    """Proved only if the difference is exactly 0 (after SymPy's automatic evaluation and an exact expand)."""
    proved = difference == 0 or (not difference.has(sp.Sum, sp.Piecewise) and sp.expand(difference) == 0)
    return {"expression": chain, "proved": bool(proved), "assumptions": list(_WIDTH_ASSUMPTIONS)}


def prove_layer_symbolic_width() -> dict:
    """The layer identities of backprop proved once for *symbolic* widths, as ``prove_softmax_ce_symbolic_C``
    does for δ^(L): with z = W a + b of m outputs and n inputs, δ = ∂L/∂z,

    * ``grad_W``: ∂L/∂W_ij = Σ_{p=1}^{m} δ_p ∂z_p/∂W_ij = δ_i a_j   (∇_W L = δ aᵀ),
    * ``grad_b``: ∂L/∂b_i = δ_i                                    (∇_b L = δ),
    * ``delta``:  δ_j = Σ_{p=1}^{k} δ'_p ∂z'_p/∂z_j = (Σ_p V_pj δ'_p) φ'(z_j)   (δ = Vᵀδ' ⊙ φ'(z)) for the next
      layer z' = V φ(z) + c of k outputs and any differentiable φ.

    SymPy differentiates the indexed sums (∂W_pq/∂W_ij = δ_pi δ_qj) and sums the Kronecker deltas out over the
    index ranges; the indices are 1 + (a nonnegative integer) below widths that exceed them by a nonnegative
    integer, so each range condition holds for every width and index (nothing is assumed beyond the stated
    assumptions).  A concrete network's entries are instances: its ∇W_ij is δ_i a_j by the same chain rule.
    """
    S = _width_symbols()
    return {"grad_W": _width_proof(*_affine_chain(_width_grad_W, "W", S)),
            "grad_b": _width_proof(*_affine_chain(_width_grad_b, "b", S)),
            "delta": _width_proof(*_recursion_chain(_width_recursion, S)),
            "delta^(L)": prove_softmax_ce_symbolic_C()}


def _in_range(pw, i, C):
    """The branch of a Piecewise whose condition is 1 ≤ i ≤ C (the index range)."""
    in_range = {sp.Le(i, C), sp.Ge(C, i), sp.And(sp.Le(1, i), sp.Le(i, C))}
    for expr, cond in pw.args:
        if cond in in_range:
            return expr
    return pw                      # unknown shape of condition: left as is, so the proof fails
