"""Shared fixtures: one seeded RNG per test and the tolerance table the numeric tests use."""
import numpy as np
import pytest

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


# ----------------------------------------------------------------------------------------------
# slow tests (tests/test_adversarial.py): skipped unless --run-slow or a -m expression names "slow"

def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes seconds per item; skipped unless --run-slow (or -m slow)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow") or "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)
