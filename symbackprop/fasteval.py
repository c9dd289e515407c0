"""A side at a point without SymPy arithmetic: each expression compiled once into a graph of nodes (one node
per distinct subexpression, shared by every expression of the process), evaluated per point over exact
``Fraction`` while every input is rational and over mpmath's raw binary floats at the working precision
plus guard bits once an input is inexact, with a running bound on the relative error of every value.

``evaluate`` gives what ``precision._eval_at`` gives by substitution and ``sp.N`` (a SymPy Rational exactly
when the value and every input are rational, else a Float of ``dps`` digits), or ``None`` whenever it
cannot be sure to: an operation it does not know, a transcendental function of an exact argument (SymPy
keeps that exact and evaluates it adaptively), anything outside the domain (a vanishing or tiny
denominator, log of a non-positive number, no true branch), a condition whose sides agree to the working
tolerance (a tie for the exact decision), or an error bound larger than a rounding at ``dps`` digits
(cancellation).  The caller then takes the SymPy path, so every decision other than the common case stays
where it was.
"""
from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp
from mpmath import libmp

__all__ = ["evaluate", "compile_expr", "GUARD_BITS"]

GUARD_BITS = 64            # working precision: the bits of ``dps`` digits plus these
_ACCEPT_MARGIN = 2         # a result is taken when its relative error is below 2^-(bits of dps + this)
_TOL_DIGITS = 12           # precision.GUARD_DIGITS: sides closer than 10^-(dps - 12) are a tie (SymPy path)
_NEG_INF = -math.inf
_ZERO = Fraction(0)
_RND = libmp.round_nearest


class _Fallback(Exception):
    """The SymPy path must decide this value."""


# node kinds
(_SYM, _EXACT, _FLOAT, _ADD, _MUL, _POW, _EXP, _LOG, _TANH, _ABS, _MAX, _MIN, _PW, _REL, _TRUE, _FALSE,
 _AND, _OR, _NOT) = range(19)

_REL_OPS = {"<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
            "==": lambda c: c == 0, "!=": lambda c: c != 0}
_FUNCS = {sp.exp: _EXP, sp.log: _LOG, sp.tanh: _TANH, sp.Abs: _ABS, sp.Max: _MAX, sp.Min: _MIN}


_ENV = "env"               # the key of a memo's _Env (every other key is a node)


class _Node:
    __slots__ = ("kind", "args", "data", "__weakref__")

    def __init__(self, kind, args=(), data=None):
        self.kind, self.args, self.data = kind, args, data


class Compiled:
    """One expression: its root node, its conditions and denominators (with their expanded terms), its
    free symbols."""
    __slots__ = ("root", "rels", "dens", "symbols")

    def __init__(self, root, rels, dens, symbols):
        self.root, self.rels, self.dens, self.symbols = root, rels, dens, symbols


_NODES: dict = {}          # SymPy expression -> _Node (process-wide: subtrees shared across expressions)
_COMPILED: dict = {}       # SymPy expression -> Compiled, or None when it has an unsupported part
_MAX_CACHE = 200_000


def _node(e):
    hit = _NODES.get(e)
    if hit is not None:
        return hit
    if e.is_Symbol:
        n = _Node(_SYM, (), e)
    elif e.is_Rational:
        n = _Node(_EXACT, (), Fraction(int(e.p), int(e.q)))
    elif e.is_Float:
        n = _Node(_FLOAT, (), e._mpf_)
    elif e.is_Add:
        n = _Node(_ADD, tuple(_node(a) for a in e.args))
    elif e.is_Mul:
        n = _Node(_MUL, tuple(_node(a) for a in e.args))
    elif e.is_Pow:
        ex = e.exp
        if not ex.is_Rational:
            raise _Fallback
        n = _Node(_POW, (_node(e.base),), Fraction(int(ex.p), int(ex.q)))
    elif isinstance(e, sp.Piecewise):
        n = _Node(_PW, tuple((_node(c.expr), _node(c.cond)) for c in e.args))
    elif isinstance(e, sp.core.relational.Relational):
        if e.rel_op not in _REL_OPS:
            raise _Fallback
        n = _Node(_REL, (_node(e.lhs), _node(e.rhs)), e.rel_op)
    elif e is sp.true:
        n = _Node(_TRUE)
    elif e is sp.false:
        n = _Node(_FALSE)
    elif isinstance(e, sp.And):
        n = _Node(_AND, tuple(_node(a) for a in e.args))
    elif isinstance(e, sp.Or):
        n = _Node(_OR, tuple(_node(a) for a in e.args))
    elif isinstance(e, sp.Not):
        n = _Node(_NOT, (_node(e.args[0]),))
    elif type(e) in _FUNCS:
        n = _Node(_FUNCS[type(e)], tuple(_node(a) for a in e.args))
    else:
        raise _Fallback           # pi, E, sqrt(2), erf, user functions, ...: the SymPy path
    _NODES[e] = n
    return n


def compile_expr(expr, relations, denominators):
    """The ``Compiled`` form of ``expr`` (memoised), or None when a part of it is not supported.

    ``relations(expr)`` and ``denominators(expr)`` are those of ``precision`` (every condition; every negative
    power's base with its expanded terms), evaluated at every point as the SymPy path does."""
    hit = _COMPILED.get(expr, _COMPILED)
    if hit is not _COMPILED:
        return hit
    if len(_NODES) > _MAX_CACHE:
        _NODES.clear()
        _COMPILED.clear()
    try:
        out = Compiled(_node(expr), tuple(_node(r) for r in relations(expr)),
                       tuple((_node(b), tuple(_node(t) for t in terms)) for b, terms in denominators(expr)),
                       frozenset(expr.free_symbols))
    except (_Fallback, RecursionError):
        out = None
    _COMPILED[expr] = out
    return out


# ------------------------------------------------------------------------------------------------------
# values: a Fraction (exact) or a pair (raw mpf, log2 of a bound on its relative error)

class _Env:
    __slots__ = ("vals", "prec", "u", "memo", "dps", "accept", "tol", "_inexact")

    def __init__(self, vals, dps, memo):
        dprec = libmp.dps_to_prec(dps)
        self.vals, self.dps, self.memo = vals, dps, memo
        self.prec = dprec + GUARD_BITS
        self.u = -float(self.prec)
        self.accept = dprec + _ACCEPT_MARGIN
        self.tol = _tolerance(dps, self.prec)
        self._inexact = None

    @property
    def inexact(self):
        """The symbols whose value at the point is not a rational (once per point)."""
        if self._inexact is None:
            self._inexact = frozenset(s for s, v in self.vals.items() if not v.is_Rational)
        return self._inexact


_TOLERANCES: dict = {}


def _tolerance(dps, prec):
    """10^-(dps - 12) (1 + 2^-20) at ``prec`` bits: the tie tolerance of ``precision._close`` with a margin
    (near its edge the SymPy path decides)."""
    key = (dps, prec)
    if key not in _TOLERANCES:
        t = libmp.mpf_pow_int(libmp.from_int(10), -(dps - _TOL_DIGITS), prec, _RND)
        _TOLERANCES[key] = libmp.mpf_mul(t, libmp.from_rational((1 << 20) + 1, 1 << 20, prec, _RND), prec, _RND)
    return _TOLERANCES[key]


def _plus(a, b):
    """log2(2^a + 2^b), rounded up."""
    if a < b:
        a, b = b, a
    if a == _NEG_INF:
        return a
    return a + (1.0 if a - b < 2 else 0.5)


def _mag(m):
    """log2 |m| rounded up (m a nonzero raw mpf)."""
    return m[2] + m[3]


def _inexact(v, env):
    """``v`` as (mpf, error): a Fraction is rounded to the working precision."""
    if isinstance(v, Fraction):
        if v.denominator == 1 and v.numerator.bit_length() <= env.prec:
            return libmp.from_int(v.numerator), _NEG_INF
        return libmp.from_rational(v.numerator, v.denominator, env.prec, _RND), env.u
    return v


def _value(n, env):
    memo = env.memo
    hit = memo.get(n)
    if hit is None:
        hit = memo[n] = _KINDS[n.kind](n, env)
    return hit


def _args(n, env):
    memo = env.memo
    out = []
    for a in n.args:
        v = memo.get(a)
        out.append(_value(a, env) if v is None else v)
    return out


def _sym(n, env):
    v = env.vals[n.data]
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    if v.is_Float:
        return v._mpf_, _NEG_INF
    raise _Fallback


def _piecewise(n, env):
    for expr, cond in n.args:
        if _value(cond, env):
            return _value(expr, env)
    raise _Fallback                   # no branch holds: nan to SymPy, outside the domain


def _function(n, env):
    k = n.kind
    args = _args(n, env)
    if k == _MAX or k == _MIN:
        return _extremum(args, k == _MAX, env)
    (x,) = args
    if k == _ABS:
        return abs(x) if type(x) is Fraction else (libmp.mpf_abs(x[0]), x[1])
    if type(x) is Fraction:
        if x == 0 and k != _LOG:
            return Fraction(k == _EXP)    # exp(0) = 1, tanh(0) = 0 (SymPy's automatic values)
        if x == 1 and k == _LOG:
            return Fraction(0)
        x = _inexact(x, env)          # irrational from here: ``evaluate`` leaves a result of only exact
                                      # inputs to SymPy (which may simplify it back to a rational)
    m, e = x
    prec = env.prec
    if k == _EXP:
        r = libmp.mpf_exp(m, prec, _RND)
        err = e + _mag(m) if m != libmp.fzero else _NEG_INF
        return r, _plus(err, env.u)
    if k == _LOG:
        if m[0] or m == libmp.fzero:
            raise _Fallback           # log of a non-positive number
        r = libmp.mpf_log(m, prec, _RND)
        if r == libmp.fzero:
            raise _Fallback
        return r, _plus(e - (_mag(r) - 1), env.u)
    if k == _TANH:
        # |x tanh'(x) / tanh(x)| = 2x / sinh(2x) <= 1: the relative error does not grow
        return libmp.mpf_tanh(m, prec, _RND), _plus(e, env.u)
    raise _Fallback


def _exact_sum(fs):
    """Σ fs (Fractions) over one common denominator: one normalisation instead of one per addition."""
    if len(fs) == 1:
        return fs[0]
    den = 1
    for f in fs:
        d = f._denominator
        if den % d:
            den = den // math.gcd(den, d) * d
    return Fraction(sum([f._numerator * (den // f._denominator) for f in fs]), den)


def _add(n, env):
    exact, inexact = [], []
    for v in _args(n, env):
        (exact if type(v) is Fraction else inexact).append(v)
    exact = _exact_sum(exact) if exact else _ZERO
    if not inexact:
        return exact
    terms = [m for m, _ in inexact]
    err = max([e for _, e in inexact])
    if exact:
        m, e = _inexact(exact, env)
        terms.append(m)
        err = max(err, e)
    s = libmp.mpf_sum(terms, env.prec, _RND)
    if s == libmp.fzero:
        return s, math.inf            # an inexact zero: no relative bound (cancellation)
    if err == _NEG_INF:
        return s, env.u
    big = max([_mag(t) for t in terms if t != libmp.fzero])
    return s, _plus(err + math.log2(len(terms)) + big - (_mag(s) - 1), env.u)


def _mul(n, env):
    num, den = 1, 1
    inexact = []
    for v in _args(n, env):
        if type(v) is Fraction:
            num *= v._numerator
            den *= v._denominator
        else:
            inexact.append(v)
    if not inexact or num == 0:
        return Fraction(num, den)     # 0 * Float is the exact 0 to SymPy as well
    m, err = inexact[0]
    prec = env.prec
    for m2, e2 in inexact[1:]:
        m = libmp.mpf_mul(m, m2, prec, _RND)
        err = _plus(_plus(err, e2), env.u)
    if num == -den:
        m = libmp.mpf_neg(m)
    elif num != den:
        c, e2 = _inexact(Fraction(num, den), env)
        m = libmp.mpf_mul(m, c, prec, _RND)
        err = _plus(_plus(err, e2), env.u)
    return m, err


def _pow(x, ex, env):
    if isinstance(x, Fraction):
        if ex.denominator != 1:
            raise _Fallback           # sqrt(2): exact, SymPy keeps it
        if x == 0 and ex < 0:
            raise _Fallback           # 1/0: outside the domain
        return x ** ex.numerator
    m, e = x
    if m == libmp.fzero:
        raise _Fallback
    prec = env.prec
    if ex.denominator == 1:
        r = libmp.mpf_pow_int(m, ex.numerator, prec, _RND)
        return r, _plus(e + math.log2(abs(ex.numerator)), env.u)
    if ex.denominator == 2 and not m[0]:
        r = libmp.mpf_sqrt(m, prec, _RND)
        if ex.numerator != 1:
            r = libmp.mpf_pow_int(r, ex.numerator, prec, _RND)
        return r, _plus(e + math.log2(abs(ex.numerator)) - 1, _plus(env.u, env.u))
    raise _Fallback                   # other roots, roots of negative numbers: the SymPy path


def _extremum(args, largest, env):
    best = args[0]
    for v in args[1:]:
        c = _cmp(v, best, env)
        if (c > 0) if largest else (c < 0):
            best = v
    return best


def _cmp(a, b, env):
    """The sign of a - b (exact for two exact values; for inexact ones only when surely away from a tie)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return (a > b) - (a < b)
    (ma, ea), (mb, eb) = _inexact(a, env), _inexact(b, env)
    d = libmp.mpf_sub(ma, mb, env.prec, _RND)
    if d == libmp.fzero:
        raise _Fallback
    # |a - b| must exceed both values' errors by far
    size = max(_mag(ma) if ma != libmp.fzero else -10 ** 9, _mag(mb) if mb != libmp.fzero else -10 ** 9)
    if max(ea, eb) + size + 4 >= _mag(d) - 1:
        raise _Fallback
    return -1 if d[0] else 1


def _relation(a, b, op, env):
    """A condition at the point, as the SymPy path decides it: exactly for two exact sides; for an inexact
    side only when the sides do not agree to the working tolerance (else the tie is the SymPy path's)."""
    if not (isinstance(a, Fraction) and isinstance(b, Fraction)):
        (ma, ea), (mb, eb) = _inexact(a, env), _inexact(b, env)
        if max(ea, eb) > -env.accept:
            raise _Fallback
        d = libmp.mpf_sub(ma, mb, env.prec, _RND)
        scale = libmp.fone
        for m in (ma, mb):
            if libmp.mpf_gt(libmp.mpf_abs(m), scale):
                scale = libmp.mpf_abs(m)
        if libmp.mpf_le(libmp.mpf_abs(d), libmp.mpf_mul(env.tol, scale, env.prec, _RND)):
            raise _Fallback
        c = -1 if d[0] else 1
    elif b._numerator == 0:
        c = (a._numerator > 0) - (a._numerator < 0)
    else:
        c = (a > b) - (a < b)
    return _REL_OPS[op](c)


def _rel_node(n, env):
    a, b = _args(n, env)
    return _relation(a, b, n.data, env)


_KINDS = [None] * 19
_KINDS[_SYM] = _sym
_KINDS[_EXACT] = lambda n, env: n.data
_KINDS[_FLOAT] = lambda n, env: (n.data, _NEG_INF)
_KINDS[_ADD] = _add
_KINDS[_MUL] = _mul
_KINDS[_POW] = lambda n, env: _pow(_value(n.args[0], env), n.data, env)
_KINDS[_PW] = _piecewise
_KINDS[_REL] = _rel_node
_KINDS[_TRUE] = lambda n, env: True
_KINDS[_FALSE] = lambda n, env: False
_KINDS[_AND] = lambda n, env: all(_args(n, env))
_KINDS[_OR] = lambda n, env: any(_args(n, env))
_KINDS[_NOT] = lambda n, env: not _value(n.args[0], env)
for _k in (_EXP, _LOG, _TANH, _ABS, _MAX, _MIN):
    _KINDS[_k] = _function


def evaluate(comp, vals, dps, memo=None):
    """(SymPy number, None) for the compiled expression at ``vals``, or None for the SymPy path.

    ``memo`` (a dict kept for these values and precision) shares subexpression values between calls."""
    memo = {} if memo is None else memo
    env = memo.get(_ENV)
    if env is None or env.vals is not vals or env.dps != dps:
        env = memo[_ENV] = _Env(vals, dps, memo)
    dprec = env.accept - _ACCEPT_MARGIN
    try:
        for r in comp.rels:
            _value(r, env)             # every condition, taken or not, as _decide_branches reads them
        for base, terms in comp.dens:
            _denominator(base, terms, env)
        v = _value(comp.root, env)
    except (_Fallback, KeyError, ZeroDivisionError, ValueError, OverflowError, RecursionError):
        return None
    exact_inputs = env.inexact.isdisjoint(comp.symbols)
    if type(v) is Fraction:
        r = sp.Rational(v.numerator, v.denominator)
        return (r if exact_inputs else sp.Float(r, dps)), None
    if exact_inputs:
        return None                   # exact inputs, irrational value: SymPy's exact path and evalf
    m, err = v
    if err > -env.accept or m in (libmp.finf, libmp.fninf, libmp.fnan):
        return None
    return sp.Float._new(libmp.mpf_pos(m, dprec, _RND), dprec), None


def _denominator(base, terms, env):
    """As ``precision._vanishing_denominator``: an exact 0, or a value within the tolerance of the size of the
    base's expanded terms, is the SymPy path's (outside the domain or undecided)."""
    v = _value(base, env)
    if isinstance(v, Fraction):
        if v == 0:
            raise _Fallback
        return
    m, e = v
    if m == libmp.fzero or e > -env.accept:
        raise _Fallback
    scale = _mag(m)
    for t in terms:
        tv = _value(t, env)
        if isinstance(tv, Fraction):
            if tv:
                scale = max(scale, math.log2(abs(tv)) + 1)
        elif tv[0] != libmp.fzero:
            scale = max(scale, _mag(tv[0]))
    # |value| <= 10^-(dps - 12) * scale is the SymPy path's; keep 8 bits away from it
    if _mag(m) - 1 <= scale - (env.dps - _TOL_DIGITS) * math.log2(10) + 8:
        raise _Fallback
