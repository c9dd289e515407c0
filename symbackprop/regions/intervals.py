"""Outward-rounded interval arithmetic with exact rational end points: ``Interval`` and ``interval_of(e,
env)``, an interval that surely contains the value of ``e`` when each symbol lies in its interval of ``env``.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp


_INF = float("inf")
_PREC_DIGITS = 60          # mpmath digits of a transcendental end point (widened outward by _WIDEN)
_WIDEN = Fraction(1, 10 ** 40)
_BIG = Fraction(10) ** 60  # end points beyond are replaced by a looser bound (keeps the fractions small)


@dataclass(frozen=True)
class Interval:
    """A set {lo <(=) v <(=) hi} of reals: end points are Fractions or ±inf; ``*_open`` says strict.

    Every operation returns a superset of the true image (end points are rounded outward), so a sign read
    from an interval is certain.  An open end point claims only "strictly beyond it", which stays true
    when the end point was rounded outward.
    """
    lo: object = -_INF
    hi: object = _INF
    lo_open: bool = True
    hi_open: bool = True

    def positive(self, strict=True) -> bool:
        """Whether every value is > 0 (``strict``) or >= 0."""
        return self.lo > 0 or (self.lo == 0 and (self.lo_open or not strict))

    def negative(self, strict=True) -> bool:
        return self.hi < 0 or (self.hi == 0 and (self.hi_open or not strict))

    @property
    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def meet(self, other):
        lo, lo_open = max((self.lo, self.lo_open), (other.lo, other.lo_open), key=lambda t: (t[0], t[1]))
        hi, hi_open = min((self.hi, not self.hi_open), (other.hi, not other.hi_open), key=lambda t: (t[0], t[1]))
        return Interval(lo, hi, lo_open, not hi_open)


_REALS = Interval()


def _mpf_fraction(v):
    """The exact rational value of a finite mpf."""
    sign, man, exp, _bc = mpmath.mpf(v)._mpf_
    f = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -f if sign else f


def _frac_down(v):
    """A Fraction <= the mpf ``v`` (which approximates a value to far better than ``_WIDEN``)."""
    if mpmath.isinf(v):
        return -_INF if v < 0 else _BIG
    f = _mpf_fraction(v)
    f = f - abs(f) * _WIDEN
    if f > _BIG:
        return _BIG
    if f < -_BIG:
        return -_INF
    return _round(f, down=True)


def _frac_up(v):
    if mpmath.isinf(v):
        return _INF if v > 0 else -_BIG
    f = _mpf_fraction(v)
    f = f + abs(f) * _WIDEN
    if f < -_BIG:
        return -_BIG
    if f > _BIG:
        return _INF
    return _round(f, down=False)


def _round(f, down):
    """``f`` rounded outward to a Fraction with a denominator of at most 2^200 (exact values stay)."""
    if f.denominator <= 2 ** 200:
        return f
    scale = 2 ** 200
    n = (f.numerator * scale) // f.denominator
    if not down and Fraction(n, scale) < f:
        n += 1
    return Fraction(n, scale)


def _exact_point(v):
    """A rational SymPy number as a Fraction, else None."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, sp.Basic) and v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return None


def _number_interval(c):
    """A tight interval around a real constant (a point for a rational), from certified evaluation."""
    f = _exact_point(c)
    if f is not None:
        return Interval(f, f, False, False)
    if c in (sp.oo, -sp.oo, sp.zoo, sp.nan) or c.has(sp.I):
        return None
    try:
        v = c.evalf(_PREC_DIGITS, strict=True, maxn=400)
    except (sp.core.evalf.PrecisionExhausted, ValueError, TypeError, ZeroDivisionError, AttributeError):
        return None
    if not (v.is_Number and v.is_real) or v == 0:
        return None                        # 0 only by an exact proof: not from a float
    m = mpmath.mpf(v._mpf_)
    lo, hi = _frac_down(m), _frac_up(m)
    # a nonzero value keeps its sign: (0, hi) rather than a widened end point across 0
    if v > 0 and lo <= 0:
        return Interval(Fraction(0), hi, True, False)
    if v < 0 and hi >= 0:
        return Interval(lo, Fraction(0), False, True)
    return Interval(lo, hi, False, False)


def _add(a, b):
    return Interval(a.lo + b.lo, a.hi + b.hi, a.lo_open or b.lo_open, a.hi_open or b.hi_open)


def _neg(a):
    return Interval(-a.hi, -a.lo, a.hi_open, a.lo_open)


def _times(x, y):
    if x == 0 or y == 0:
        return Fraction(0)
    return x * y


def _mul(a, b):
    cands = []
    for x, xo in ((a.lo, a.lo_open), (a.hi, a.hi_open)):
        for y, yo in ((b.lo, b.lo_open), (b.hi, b.hi_open)):
            # a product at an infinite or open end point is approached, never attained -- except 0 times
            # anything, attained wherever the attained factor 0 is
            attained_zero = (x == 0 and not xo) or (y == 0 and not yo)
            cands.append((_times(x, y), not attained_zero and (xo or yo or abs(x) == _INF or abs(y) == _INF)))
    lo = min(v for v, _ in cands)
    hi = max(v for v, _ in cands)
    # an end point is closed when some corner attaining it is closed; 0 is attained inside when 0 is
    lo_open = all(o for v, o in cands if v == lo)
    hi_open = all(o for v, o in cands if v == hi)
    return Interval(lo, hi, lo_open, hi_open)


def _inv(a):
    """1/a (defined only where a != 0)."""
    if a.positive(strict=True):
        lo = Fraction(0) if a.hi == _INF else 1 / a.hi
        hi = _INF if a.lo == 0 else 1 / a.lo
        return Interval(lo, hi, a.hi_open or a.hi == _INF, a.lo_open or a.lo == 0)
    if a.negative(strict=True):
        return _neg(_inv(_neg(a)))
    return _REALS


def _pow_int(a, n):
    if n == 0:
        return Interval(Fraction(1), Fraction(1), False, False)
    if n < 0:
        return _inv(_pow_int(a, -n))
    if n % 2 == 1:
        return Interval(a.lo ** n if abs(a.lo) != _INF else a.lo, a.hi ** n if abs(a.hi) != _INF else a.hi,
                        a.lo_open, a.hi_open)
    # even power: |a|^n
    if a.lo >= 0:
        return Interval(a.lo ** n, a.hi ** n if a.hi != _INF else _INF, a.lo_open, a.hi_open)
    if a.hi <= 0:
        return _pow_int(_neg(a), n)
    top, top_open = max((abs(a.lo), a.lo_open), (abs(a.hi), a.hi_open), key=lambda t: (t[0], not t[1]))
    return Interval(Fraction(0), top ** n if top != _INF else _INF, False, top_open)


def _monotone(a, f, lo_limit, hi_limit):
    """f(a) for an increasing f given by mpmath (``f(±inf)`` as the limits)."""
    def at(x, down):
        if x == -_INF:
            return lo_limit, True
        if x == _INF:
            return hi_limit, True
        exact = f(x, None)
        if exact is not None:
            return exact, False
        with mpmath.workdps(_PREC_DIGITS):
            v = f(x, mpmath.mpf(x.numerator) / x.denominator)
        return (_frac_down(v) if down else _frac_up(v)), False
    lo, lo_lim = at(a.lo, True)
    hi, hi_lim = at(a.hi, False)
    return Interval(lo, hi, a.lo_open or lo_lim, a.hi_open or hi_lim)


def _exp_at(x, m):
    if m is None:
        return Fraction(1) if x == 0 else None
    if x > 10 ** 5:
        return mpmath.inf
    if x < -10 ** 5:
        return mpmath.mpf(0)
    return mpmath.exp(m)


def _log_at(x, m):
    if m is None:
        return Fraction(0) if x == 1 else (None if x > 0 else -_INF)
    return mpmath.log(m)


def _tanh_at(x, m):
    if m is None:
        return Fraction(0) if x == 0 else None
    return mpmath.tanh(m)


def _exp_iv(a):
    r = _monotone(a, _exp_at, Fraction(0), _INF)
    return Interval(max(r.lo, Fraction(0)), r.hi, r.lo_open if r.lo > 0 else True, r.hi_open)


def _log_iv(a):
    a = a.meet(Interval(Fraction(0), _INF, True, True))      # judged only where log is defined
    if a.empty:
        return None
    return _monotone(a, _log_at, -_INF, _INF)


def _tanh_iv(a):
    r = _monotone(a, _tanh_at, Fraction(-1), Fraction(1))
    lo, lo_open = (Fraction(-1), True) if r.lo < -1 else (r.lo, r.lo_open)
    hi, hi_open = (Fraction(1), True) if r.hi > 1 else (r.hi, r.hi_open)
    return Interval(lo, hi, lo_open, hi_open)


def interval_of(e, env, depth=0):
    """An Interval containing every value of ``e`` where it is defined, the symbols ranging over ``env``
    (Symbol -> Interval; missing symbols range over all reals).  Never narrower than the truth."""
    if depth > 60:
        return _REALS
    if not e.free_symbols:
        return _number_interval(e) or _REALS
    if e.is_Symbol:
        return _symbol_iv(e, env)
    rec = lambda x: interval_of(x, env, depth + 1)   # noqa: E731
    if e.is_Add:
        out = None
        for a in e.args:
            out = rec(a) if out is None else _add(out, rec(a))
        return out
    if e.is_Mul:
        out = None
        for a in e.args:
            out = rec(a) if out is None else _mul(out, rec(a))
        return out
    if e.is_Pow:
        if e.exp.is_Integer:
            return _pow_int(rec(e.base), int(e.exp))
        if e.exp.is_Rational and e.exp.q % 2 == 0:
            base = rec(e.base)             # an even root is >= 0 (> 0 where the base is)
            return Interval(Fraction(0), _INF, base.positive(strict=True) or e.exp < 0, True)
        if e.base == sp.E:
            return _exp_iv(rec(e.exp))
        return _REALS
    if isinstance(e, sp.exp):
        return _exp_iv(rec(e.args[0]))
    if isinstance(e, sp.log) and len(e.args) == 1:
        return _log_iv(rec(e.args[0])) or _REALS
    if isinstance(e, sp.tanh):
        return _tanh_iv(rec(e.args[0]))
    if isinstance(e, (sp.Max, sp.Min)):
        return _max_min_iv(isinstance(e, sp.Max), [rec(a) for a in e.args])
    if isinstance(e, sp.Abs):
        return _abs_iv(rec(e.args[0]))
    if isinstance(e, sp.Piecewise):
        return _hull([rec(value) for value, _cond in e.args]) or _REALS
    return _REALS


def _symbol_iv(e, env):
    """The interval of a symbol: its range in ``env`` met with the sign SymPy knows of it."""
    out = env.get(e, _REALS)
    if e.is_positive:
        out = out.meet(Interval(Fraction(0), _INF, True, True))
    elif e.is_nonnegative:
        out = out.meet(Interval(Fraction(0), _INF, False, True))
    elif e.is_negative:
        out = out.meet(Interval(-_INF, Fraction(0), True, True))
    elif e.is_nonpositive:
        out = out.meet(Interval(-_INF, Fraction(0), True, False))
    return out


def _max_min_iv(is_max, parts):
    """The interval of max (``is_max``) or min of arguments in the intervals ``parts``."""
    if is_max:
        lo, lo_open = max(((p.lo, p.lo_open) for p in parts), key=lambda t: (t[0], not t[1]))
        hi, hi_open = max(((p.hi, p.hi_open) for p in parts), key=lambda t: (t[0], not t[1]))
    else:
        lo, lo_open = min(((p.lo, p.lo_open) for p in parts), key=lambda t: (t[0], t[1]))
        hi, hi_open = min(((p.hi, p.hi_open) for p in parts), key=lambda t: (t[0], t[1]))
    return Interval(lo, hi, lo_open, hi_open)


def _hull(parts):
    """The smallest interval containing every interval of ``parts`` (None for none)."""
    out = None
    for part in parts:
        out = part if out is None else Interval(min(out.lo, part.lo), max(out.hi, part.hi),
                                                out.lo_open and part.lo_open if out.lo == part.lo else
                                                (out.lo_open if out.lo < part.lo else part.lo_open),
                                                out.hi_open and part.hi_open if out.hi == part.hi else
                                                (out.hi_open if out.hi > part.hi else part.hi_open))
    return out


def _abs_iv(a):
    if a.lo >= 0:
        return a
    if a.hi <= 0:
        return _neg(a)
    top, top_open = max((abs(a.lo), a.lo_open), (abs(a.hi), a.hi_open), key=lambda t: (t[0], not t[1]))
    return Interval(Fraction(0), top, False, top_open)
