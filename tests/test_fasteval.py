"""fasteval.py: a compiled side at a point against an independent reference, SymPy's certified ``evalf`` of
the same expression at 200 digits over the exact values of the inputs (a Float input is the binary number
it holds), and the SymPy path of ``precision`` whenever the fast evaluator declines."""
import random

import pytest
import sympy as sp

from symbackprop import fasteval
from symbackprop.precision import _denominators, _eval_at, _eval_sympy, _relations

DPS = 50
x, y, z, u, v = sp.symbols("x y z u v", real=True)


def F(s, dps=DPS):
    return sp.Float(s, dps)


def R(p, q=1):
    return sp.Rational(p, q)


def reference(expr, vals, digits=200):
    """expr at the exact values of the inputs, by SymPy's adaptive evalf (None: not a real number)."""
    exact = {s: (sp.Rational(val) if val.is_Float else val) for s, val in vals.items()}
    exact.update({c: sp.Rational(c) for c in expr.atoms(sp.Float)})      # a constant is its binary value too
    r = expr.xreplace(exact)
    if r.is_Rational:
        return r
    r = sp.N(r, digits)
    if not r.is_number or r.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not r.is_real:
        return None
    return r


def fast(expr, vals, dps=DPS):
    comp = fasteval.compile_expr(expr, _relations, _denominators)
    return None if comp is None else fasteval.evaluate(comp, vals, dps)


def agrees(got, ref, dps=DPS):
    """``got`` (a SymPy number of ``dps`` digits) is ``ref`` rounded: relative error below 10^-(dps-1)."""
    return abs(got - ref) <= abs(ref) * sp.Float(10, 300) ** (-(dps - 1))


SIG = lambda t: 1 / (1 + sp.exp(-t))
SOFT = [sp.exp(x) / (sp.exp(x) + sp.exp(y) + sp.exp(z)), sp.exp(y) / (sp.exp(x) + sp.exp(y) + sp.exp(z))]
INEXACT = {x: F("0.7312"), y: F("-1.25"), z: F("0.0390625"), u: R(3, 64), v: R(-5, 8)}
EXACT = {x: R(47, 64), y: R(-5, 4), z: R(1, 3), u: R(3, 64), v: R(-5, 8)}

# (name, expression, values): the fast path must take these and agree with the reference
FAST = [
    ("polynomial, exact", x ** 3 - 2 * x * y + y / 3, EXACT),
    ("polynomial, inexact", x ** 3 - 2 * x * y + y / 3, INEXACT),
    ("rational function", (x * y - 1) / (x ** 2 + y ** 2 + 1), INEXACT),
    ("mixed exact and inexact", u * x + v / (y - u), INEXACT),
    ("log", sp.log(x) * y - sp.log(x ** 2 + 1), INEXACT),
    ("exp", sp.exp(-x) * y + sp.exp(2 * y), INEXACT),
    ("tanh", 1 - sp.tanh(x) ** 2 + sp.tanh(y) * z, INEXACT),
    ("sigmoid", SIG(x) * (1 - SIG(x)) * y, INEXACT),
    ("softmax", SOFT[0] - SOFT[1] * z, INEXACT),
    ("log-softmax", -sp.log(SOFT[0]) * u - sp.log(SOFT[1]) * v, INEXACT),
    ("sigmoid of an exact argument beside an inexact input", SIG(u) * x, INEXACT),
    ("max and abs", sp.Max(x, y, z) - sp.Abs(y) + sp.Min(u, x), INEXACT),
    ("piecewise, inexact condition", sp.Piecewise((x * y, x > z), (y, True)), INEXACT),
    ("piecewise, exact condition", sp.Piecewise((x * y, u > 0), (y, True)) + sp.Piecewise((1, v > 0), (0, True)), INEXACT),
    ("piecewise, exact everywhere", sp.Piecewise((x * y, x < 0), (y - x, True)), EXACT),
    ("square root", sp.sqrt(x ** 2 + 1) * y, INEXACT),
    ("conditions with and, or, not, equality", sp.Piecewise((x, sp.And(x > 0, sp.Eq(u, R(3, 64)))), (y, True))
     + sp.Piecewise((z, sp.Or(y > 0, sp.Not(v < 0))), (2 * z, True)) + sp.Piecewise((1, sp.Ne(x, y)), (0, True)),
     INEXACT),
    ("cancellation of Float inputs: (1 + 10^-40) - 1", x - 1, {x: F(1 + R(1, 10 ** 40))}),
    ("large exponent", sp.exp(x) * sp.exp(-x - 1) * y, {x: F(300), y: F("2.5")}),
]


@pytest.mark.parametrize("name,expr,vals", FAST, ids=[c[0] for c in FAST])
def test_fast_values_agree_with_evalf_at_200_digits(name, expr, vals):
    got = fast(expr, vals)
    assert got is not None, "the fast path declined a plain case"
    value, why = got
    assert why is None
    ref = reference(expr, vals)
    exact_inputs = all(vals[s].is_Rational for s in expr.free_symbols)
    assert value.is_Rational == exact_inputs
    if value.is_Rational:
        assert ref.is_Rational and value == ref
    else:
        assert value.is_Float and value._prec == sp.Float(1, DPS)._prec
        assert agrees(value, ref)
    assert _eval_at(expr, vals, DPS) == got


# (name, expression, values): the fast path must decline (the SymPy path decides: a domain question, a tie, an
# exact irrational, cancellation beyond the guard bits)
DECLINED = [
    ("log of a negative number", sp.log(x), {x: F(-1)}),
    ("exact zero denominator", 1 / (u - R(3, 64)), {u: R(3, 64)}),
    ("denominator zero up to rounding", 1 / (x - y), {x: F("0.5"), y: F("0.5") + F(10) ** -48}),
    ("tie in a condition", sp.Piecewise((1, x > y), (0, True)), {x: F("0.5"), y: F("0.5") + F(10) ** -45}),
    ("no branch holds", sp.Piecewise((1, x > 0)), {x: F(-1)}),
    ("exact inputs, irrational value", sp.exp(u) * v, EXACT),
    ("exp(10^-60) - 1: cancellation below the guard bits", (sp.exp(x) - 1) * y, {x: F(10) ** -60, y: F(10) ** 60}),
    ("difference of nearly equal exponentials", sp.exp(x) - sp.exp(y), {x: F("0.5"), y: F("0.5") + F(10) ** -45}),
    ("inexact zero", x * y - z, {x: F("0.5"), y: F("0.5"), z: F("0.25")}),
    ("max of two equal values", sp.Max(x, y) * z, {x: F("0.5"), y: F("0.5"), z: F("0.25")}),
    ("pi", sp.pi * x, INEXACT),
    ("erf", sp.erf(x), INEXACT),
]


@pytest.mark.parametrize("name,expr,vals", DECLINED, ids=[c[0] for c in DECLINED])
def test_declines_what_it_cannot_be_sure_of(name, expr, vals):
    assert fast(expr, vals) is None
    assert _eval_at(expr, vals, DPS) == _eval_sympy(expr, vals, DPS)


def test_outside_the_domain_is_still_domain():
    assert _eval_at(sp.log(x), {x: F(-1)}, DPS) == (None, "domain")
    assert _eval_at(1 / (u - R(3, 64)), {u: R(3, 64)}, DPS) == (None, "domain")


def test_an_exact_zero_times_an_inexact_value_is_a_float_zero_as_sympy_gives():
    vals = {x: F("0.3"), u: R(0)}
    assert fast(u * sp.exp(x), vals) == _eval_sympy(u * sp.exp(x), vals, DPS)
    assert fast(u * sp.exp(x), vals)[0].is_Float


def _random_expr(rng, depth):
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([x, y, z, u, v, R(rng.randint(-9, 9), rng.randint(1, 9)), F(rng.uniform(-2, 2), 15)])
    kind = rng.choice(["add", "mul", "div", "pow", "exp", "log", "tanh", "sig", "pw", "max"])
    a, b = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    if kind == "add":
        return a + b
    if kind == "mul":
        return a * b
    if kind == "div":
        return a / (b ** 2 + R(1, 4))
    if kind == "pow":
        return a ** rng.randint(2, 3)
    if kind == "exp":
        return sp.exp(sp.tanh(a) * 3)
    if kind == "log":
        return sp.log(a ** 2 + R(1, 7))
    if kind == "tanh":
        return sp.tanh(a)
    if kind == "sig":
        return SIG(a)
    if kind == "pw":
        return sp.Piecewise((a, b > 0), (a * b, True))
    return sp.Max(a, b)


def test_random_expressions_agree_with_evalf_or_decline():
    rng = random.Random(16)
    taken = 0
    for n in range(150):
        expr = _random_expr(rng, 4)
        vals = {s: F(rng.uniform(-3, 3)) if rng.random() < 0.7 else R(rng.randint(-128, 128), 64)
                for s in (x, y, z, u, v)}
        got = fast(expr, vals)
        slow = _eval_sympy(expr, vals, DPS)
        if got is None:
            continue
        taken += 1
        value = got[0]
        assert slow[0] is not None, (expr, vals)
        assert value.is_Rational == slow[0].is_Rational, (expr, vals)
        ref = reference(expr, vals)
        if value.is_Rational:
            assert value == slow[0]
        elif ref == 0:
            assert value == 0
        else:
            assert agrees(value, ref), (expr, vals, value, ref)
    assert taken >= 90


def test_higher_working_precision_is_honoured():
    vals = {x: F("0.7312", 120), y: F("-1.25", 120)}
    expr = sp.log(x) * sp.exp(y) - sp.tanh(x * y)
    value, _ = fast(expr, vals, 120)
    assert value._prec == sp.Float(1, 120)._prec
    assert agrees(value, reference(expr, vals, 300), 120)


def test_close_of_two_floats_is_sympys_float_arithmetic():
    """precision._close_floats against the SymPy Float expression it replaces, at and beside the tolerance."""
    from symbackprop.precision import _close_floats, _close_sympy, _tolerance
    rng = random.Random(7)
    near = 0
    for _ in range(3000):
        dps = rng.choice([30, 50, 80, 120])
        a = sp.Float(rng.uniform(-3, 3) * 10 ** rng.randint(-3, 3), rng.choice([15, dps, dps + 10]))
        k, pb = rng.random(), rng.choice([15, dps])
        if k < 0.2:
            b = sp.Float(a, pb)
        elif k < 0.85:
            step = rng.choice(["0.5", "0.999999", "1", "1.000001", "2", "-1", "-0.9999999"])
            b = sp.Float(a + _tolerance(dps) * max(1, abs(a)) * sp.Float(step, 30), pb)
        else:
            b = sp.Float(rng.uniform(-3, 3), pb)
        if rng.random() < 0.3:
            a, b = b, a
        got = _close_floats(a, b, dps)
        near += got
        assert got == bool(_close_sympy(a, b, dps)), (a, b, dps)
    assert 500 < near < 2500
