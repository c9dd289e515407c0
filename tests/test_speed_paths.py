r"""The checker's shortcuts give exactly what the long way gives (no timing here: see benchmarks/).

- ``NodeValues.subst`` (each subexpression substituted once per point) is ``xreplace``, object for object;
- ``node_values`` is built once per point and precision, and equals a fresh forward pass;
- ``_surely_nonzero`` (skips a proof attempt) says "nonzero" only for expressions that are not identically
  zero -- checked against identities written by hand and against ``prove_zero`` itself.
"""
import random

import pytest
import sympy as sp

from symbackprop.check import check_claim
from symbackprop.proofs import _surely_nonzero
from symbackprop.closed_forms import prove_zero
from symbackprop.derive import derive
from symbackprop.network import Network, graph
from symbackprop.points import NodeValues, node_values, sample_point
from symbackprop.rules import phi, phi_prime

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

a, b, c, u, v = sp.symbols("a b c u v", real=True)
zn = sp.Symbol("z", real=True, nonpositive=True)


# ---- _surely_nonzero: never "nonzero" for an identity --------------------------------------------------

IDENTITIES = [                                  # each is 0 for every value of a, b, c and every function φ
    (a + b) ** 2 - a ** 2 - 2 * a * b - b ** 2,
    phi_prime(a * (b + c)) - phi_prime(a * b + a * c),          # the same argument written twice
    phi(a + b) * phi_prime(c) - phi_prime(c) * phi(b + a),
    (a ** 2 - b ** 2) / (a - b) - (a + b),
    phi(a) / phi(a) - 1,
    (phi(u) + phi_prime(v)) ** 3 - sp.expand((phi(u) + phi_prime(v)) ** 3),
    sp.Integer(0),
]

NONZERO = [                                     # each is nonzero for some values (written by hand)
    phi_prime(a) - phi(a),
    phi_prime(a) - phi_prime(b),
    zn * phi_prime(zn) * a,                     # φ'(z) with z <= 0 is not 0 for a generic φ
    (a + b) ** 2 - a ** 2 - b ** 2,
    phi(a * (b + c)) - phi(a * b + c),
]

UNDECIDED = [                                   # outside what the shortcut reads: it must say nothing
    sp.exp(a + b) - sp.exp(a) * sp.exp(b),      # an identity that is 0 only by a rule of exp
    sp.sqrt(a ** 2) - a,
    sp.Float(1.5) * a,
    sp.Piecewise((1, a > 0)) - 1,               # undefined for a <= 0 (no branch holds there)
]

PIECEWISE_IDENTITIES = [                        # (expression, region where it is 0): 0 there, by hand
    (sp.Piecewise((a, a > 0), (0, True)) - sp.Max(a, 0), None),
    (sp.Piecewise((1, a > 0), (0, True)) * phi_prime(b), a <= 0),
    (sp.Piecewise((phi(a), a >= b), (phi(b), True)) - phi(sp.Max(a, b)), None),
    (sp.Piecewise((1, zn > 0), (0, True)) * a, None),                    # z <= 0 by its assumption
    (sp.Max(a, b) - a, b <= a),
]

PIECEWISE_NONZERO = [                           # (expression, region): nonzero somewhere in the region
    (sp.Piecewise((1, a > 0), (0, True)) - 1, None),
    (sp.Piecewise((1, a > 0), (0, True)) - phi_prime(a), a > 0),
    (sp.Max(a, b) - a, None),
    (sp.Piecewise((1, a >= 0), (0, True)) * b, sp.And(a >= 0, b > 0)),
]


@pytest.mark.parametrize("e", IDENTITIES, ids=str)
def test_identities_are_never_called_nonzero(e):
    assert prove_zero(sp.Matrix([[e]])), "the reference: the proof really succeeds on these"
    assert not _surely_nonzero(sp.Matrix([[e]]))


@pytest.mark.parametrize("e", NONZERO, ids=str)
def test_nonzero_expressions_are_recognised(e):
    assert _surely_nonzero(sp.Matrix([[e]]))
    assert not prove_zero(sp.Matrix([[e]]))


@pytest.mark.parametrize("e", UNDECIDED, ids=str)
def test_outside_its_vocabulary_it_decides_nothing(e):
    assert not _surely_nonzero(sp.Matrix([[e]]))


@pytest.mark.parametrize("e,region", PIECEWISE_IDENTITIES, ids=str)
def test_case_splits_that_vanish_on_the_region_are_never_called_nonzero(e, region):
    assert prove_zero(sp.Matrix([[e]]), region)
    assert not _surely_nonzero(sp.Matrix([[e]]), region)


@pytest.mark.parametrize("e,region", PIECEWISE_NONZERO, ids=str)
def test_case_splits_nonzero_on_the_region_are_recognised(e, region):
    assert _surely_nonzero(sp.Matrix([[e]]), region)
    assert not prove_zero(sp.Matrix([[e]]), region)


def test_one_nonzero_entry_decides_the_matrix():
    assert _surely_nonzero(sp.Matrix([[IDENTITIES[0], NONZERO[0]]]))
    assert not _surely_nonzero(sp.Matrix([[IDENTITIES[0], IDENTITIES[1]]]))


def _random_expr(rng, depth):
    atoms = [a, b, c, zn, sp.Integer(2), sp.Rational(-1, 3)]
    if depth == 0:
        return rng.choice(atoms)
    k = rng.randrange(5)
    if k == 0:
        return _random_expr(rng, depth - 1) + _random_expr(rng, depth - 1)
    if k == 1:
        return _random_expr(rng, depth - 1) * _random_expr(rng, depth - 1)
    if k == 2:
        return _random_expr(rng, depth - 1) ** rng.choice([2, 3])
    if k == 3:
        return rng.choice([phi, phi_prime])(_random_expr(rng, depth - 1))
    return rng.choice(atoms)


def test_agrees_with_prove_zero_on_random_expressions():
    """e - (an expanded copy of e) is an identity; e - (a perturbed copy) usually is not.  Whatever
    ``_surely_nonzero`` calls nonzero, ``prove_zero`` must fail on (seeded)."""
    rng = random.Random(16)
    said_nonzero = proved = 0
    for _ in range(60):
        e = _random_expr(rng, 3)
        for other in (sp.expand(e), e + rng.choice([a, phi(b), sp.Integer(1)]) * rng.choice([0, 1])):
            d = sp.Matrix([[e - other]])
            if _surely_nonzero(d):
                said_nonzero += 1
                assert not prove_zero(d), str(e - other)
            elif prove_zero(d):
                proved += 1
    assert said_nonzero > 10 and proved > 10      # both kinds occurred


# ---- memoised substitution and node values --------------------------------------------------------------

NETS = [Network((2, 3, 2)), Network((2, 3, 2), activation="tanh", output="identity", loss="mse"),
        Network((2, 3, 2), activation="sigmoid", output="sigmoid", loss="bce")]


@pytest.mark.parametrize("net", NETS, ids=lambda n: n.activation)
def test_subst_is_xreplace(net):
    g, d = graph(net), derive(net)
    rng = random.Random(3)
    exprs = []
    for l in sorted(d.delta):
        exprs += [g.concretize(e) for e in d.delta[l]]
    for M in d.grad_W:
        exprs += [g.concretize(e) for e in M]
    assert exprs
    for _ in range(3):
        p = sample_point(net, rng)
        vals = node_values(g, p, 50)
        assert isinstance(vals, NodeValues)
        for e in exprs + exprs:                    # twice: the second time from the memo
            got, want = vals.subst(e), e.xreplace(dict(vals))
            assert got == want and type(got) is type(want)
            if want.is_Float:
                assert got._prec == want._prec


def test_node_values_are_built_once_per_point_and_precision():
    net = NETS[2]
    g = graph(net)
    p = sample_point(net, random.Random(5))
    v50 = node_values(g, p, 50)
    assert node_values(g, p, 50) is v50
    v80 = node_values(g, p, 80)
    assert v80 is not v50 and v80.dps == 80
    fresh = sample_point(net, random.Random(5))           # the same point, never evaluated
    assert dict(node_values(g, fresh, 80)) == dict(v80)


def test_verdicts_with_the_shortcuts_on_a_claim_that_needs_the_concrete_stage():
    """dead-neuron: the generic stage is skipped as surely nonzero, the concrete one proves it."""
    net = Network((3, 4, 4, 3))
    r = check_claim(net, "dn", r"\delta^{(L-1)}_i = 0", given=(r"z^{(L-1)}_i \le 0",))
    assert r.verdict == "proved" and "concrete activation" in r.message
    r = check_claim(net, "dn-wrong", r"\delta^{(L-1)}_i = 0", given=(r"z^{(L-1)}_i \ge 0",))
    assert r.verdict == "refuted"


# ---- points: a whole layer forced at once, points drawn once per process -------------------------------

def _same_point(p, q):
    return (p.x, p.y, p.W, p.b, p.scalars, list(p.forced.items()), p.label) == \
        (q.x, q.y, q.W, q.b, q.scalars, list(q.forced.items()), q.label)


@pytest.mark.parametrize("net", [Network((2, 3, 3, 2)), Network((2, 3, 3, 2), activation="tanh"),
                                 Network((3, 4, 2), batch=2, layout="rows")], ids=["relu", "tanh", "batch"])
def test_force_layer_is_force_unit_by_unit(net):
    from fractions import Fraction

    from symbackprop.points import force, force_layer
    rng = random.Random(7)
    for _ in range(3):
        p = sample_point(net, rng)
        for l in range(1, net.L):
            for value in (Fraction(0), Fraction(-3, 8)):
                q = p
                width = len(graph(net).z[l])
                for j in range(width):
                    q = force(net, q, l, j, value)
                r = force_layer(net, p, l, value)
                if not net.plain:                   # batch: unit by unit there (flat index of each z)
                    continue
                assert _same_point(q, r)
                assert dict(node_values(graph(net), r, 50)) == dict(node_values(graph(net), q, 50))


def test_points_drawn_once_give_the_same_verdicts_and_points(monkeypatch):
    """A claim checked with the points of an earlier claim (or of the parent's warm-up) sees the same points,
    and the generator continues from the same state (the points drawn under a given come out the same)."""
    import symbackprop.check as chk
    import symbackprop.samples as smp
    made = []

    class Recorded(chk._Ctx):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(chk, "_Ctx", Recorded)
    net = Network((3, 4, 4, 3))
    claims = [(r"\delta^{(L-1)}_i = 0", (r"z^{(L-1)}_i \le 0",)),
              (r"\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)} (a^{(L-1)})^T", ()),
              (r"\delta^{(L)} = y - \hat{y}", ())]
    cold = []
    for text, given in claims:
        smp._SAMPLED.clear()
        r = check_claim(net, "c", text, given=given)
        ctx = made[-1]
        cold.append((r.verdict, r.message, r.counterexample, [p.point.label for p in smp.points_for(ctx, (), ())],
                     ctx.rng.getstate()))
    smp._SAMPLED.clear()
    smp.warm_points(net, chk.CheckOptions())
    assert smp._SAMPLED
    for (text, given), want in zip(claims, cold):
        r = check_claim(net, "c", text, given=given)
        ctx = made[-1]
        got = (r.verdict, r.message, r.counterexample, [p.point.label for p in smp.points_for(ctx, (), ())],
               ctx.rng.getstate())
        assert got == want
    assert cold[0][0] == "proved" and cold[2][0] == "refuted"


# ---- workers: what a forked worker inherited is out of reach of its garbage collector -----------------

def _frozen(_job):
    import gc
    return gc.get_freeze_count()


def test_worker_does_not_collect_what_it_inherited():
    from symbackprop.runner import Limits, run_jobs, will_fork
    if not will_fork():
        pytest.skip("workers are not forked here")
    out = []
    run_jobs(_frozen, [None], Limits(timeout=20), on_result=lambda i, res: out.append(res))
    assert out[0].status == "ok" and out[0].value > 10_000     # the imported SymPy alone is far more objects


# ---- sigmoid's derivative written as a(1 - a): proved, not numerically-equal ---------------------------

SIG = Network((2, 3, 2), activation="sigmoid")


def test_sigmoid_bp2_written_with_activations_is_proved():
    r = check_claim(SIG, "bp2-sigma",
                    r"\delta^{(L-1)} = ((W^{(L-1)})^T (\hat{y} - y)) \odot a^{(L-1)} \odot (1 - a^{(L-1)})")
    assert r.verdict == "proved", r.message
    assert "activations as functions of z" in r.message
    r = check_claim(SIG, "bp2-sigma-entry",
                    r"\delta^{(L-1)}_i = \left[(W^{(L-1)})^T (\hat{y} - y)\right]_i a^{(L-1)}_i (1 - a^{(L-1)}_i)")
    assert r.verdict == "proved", r.message


def test_sigmoid_bp2_with_a_wrong_derivative_is_still_refuted():
    r = check_claim(SIG, "bp2-wrong",
                    r"\delta^{(L-1)} = ((W^{(L-1)})^T (\hat{y} - y)) \odot a^{(L-1)} \odot (1 + a^{(L-1)})")
    assert r.verdict == "refuted"


# an elementwise output (sigmoid, tanh) meets its own σ'(z^(L)) as ŷ(1 − ŷ) before the whole forward pass is
# substituted (that stage takes about 5x longer on Nielsen's BP1); a softmax output stays a symbol there
NIELSEN = Network((2, 3, 2), activation="sigmoid", output="sigmoid", loss="mse", weights="incoming")
TANH_OUT = Network((2, 3, 2), activation="tanh", output="tanh", loss="mse")


@pytest.mark.parametrize("net, text", [
    (NIELSEN, r"\delta^{(L)} = \nabla_{\hat{y}} \mathcal{L} \odot \sigma'(z^{(L)})"),
    (NIELSEN, r"\delta^{(L)}_j = (\hat{y}_j - y_j) \sigma'(z^{(L)}_j)"),
    (TANH_OUT, r"\delta^{(L)} = (\hat{y} - y) \odot (1 - \tanh^2(z^{(L)}))"),
])
def test_elementwise_output_is_proved_with_activations_as_functions_of_z(net, text):
    r = check_claim(net, "bp1", text)
    assert r.verdict == "proved", r.message
    assert "activations as functions of z" in r.message or "generic" in r.message, r.message


def test_a_wrong_bp1_at_an_elementwise_output_is_still_refuted():
    r = check_claim(NIELSEN, "bp1-wrong", r"\delta^{(L)} = \nabla_{\hat{y}} \mathcal{L} \odot \sigma(z^{(L)})")
    assert r.verdict == "refuted", r.message
