"""Shared fixtures: one seeded RNG per test and the tolerance table the numeric tests use (the test tiers are in
the conftest.py at the top of the repository, which also sees derivations/)."""
import os

import numpy as np
import pytest

# No test reads or writes the user's result cache (~/.cache/symbackprop): every claim is checked, in this process
# and in every CLI the tests start.  tests/test_resultcache.py turns it on, in a folder of its own.
os.environ["SYMBACKPROP_NO_CACHE"] = "1"

# Relative-error tolerances in float64, typed here (not read from the code under test):
# |a - b| / max(|a| + |b|, floor) <= rtol.
TOL = {
    "numpy": {"rtol": 1e-9, "floor": 1e-12},        # two exact-arithmetic formulas, rounding only
    "fd": {"rtol": 1e-5, "floor": 1e-4},            # central differences, step cbrt(eps)
    "exact": {"rtol": 1e-12, "floor": 1e-300},      # against hand-typed exact values
}


@pytest.fixture
def rng():
    """A NumPy generator with a fixed seed (each test gets a fresh one)."""
    return np.random.default_rng(20240611)


@pytest.fixture
def tol():
    return TOL
