"""Exact real algebra for the prover and the boundary search: empty regions, exact signs, exact roots.

Every answer here is exact or a refusal, never a float guess:

- ``region_empty(cond)`` is True only when the set of real points where ``cond`` holds is *proved* empty
  (univariate polynomial conditions by an exact cell decomposition — Sturm counts and isolating intervals —,
  affine conditions by Fourier-Motzkin elimination over the rationals); a condition it cannot decide is
  "not proved empty".  A condition that holds on a single point (``(u-1)^2 <= 0``) or a line
  (``u - v <= 0 and v - u <= 0``) is not empty.
- ``zero_on(expr, cond, prove)`` proves ``expr = 0`` on the region ``cond`` by substituting exact
  descriptions of its univariate pieces (a point ``u = 1``, a half-line ``u = c + t`` with ``t > 0``).
- ``is_exact_zero(c)`` / ``exact_sign(c)`` decide a constant: exact rewriting (and the minimal polynomial of
  an algebraic number) for 0, SymPy's accuracy-tracking evalf (``strict``) for a nonzero sign.
- ``solve_real(d, s)`` gives exact real solutions of d(s) = 0 (rational, algebraic or closed forms such as
  atanh(1/2) and log(3)), each verified by substituting it back exactly.

The package, in import order: ``constants`` (exact zero and sign of a constant), ``cells`` (atoms, exact
univariate cells, Fourier-Motzkin, ``univariate_region``), ``emptiness`` (``region_empty``, ``zero_on``),
``solve`` (``solve_real``), ``intervals`` (outward-rounded interval arithmetic, ``interval_of``), ``signs``
(``prove_sign``, ``atom_facts``).
"""
from __future__ import annotations

from .cells import atoms_of, univariate_region
from .constants import exact_sign, is_exact_zero, small_exp_degree, tame
from .emptiness import region_empty, zero_on
from .intervals import Interval, interval_of
from .signs import atom_facts, prove_sign
from .solve import solve_real

__all__ = ["region_empty", "zero_on", "is_exact_zero", "exact_sign", "solve_real", "atoms_of", "prove_sign",
           "atom_facts", "interval_of", "Interval", "univariate_region", "tame", "small_exp_degree"]
