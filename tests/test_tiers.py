"""The test tiers (conftest.py at the top of the repository): the HEAVY table names tests that exist, and the
default run leaves out exactly the heavy and slow tests while keeping claims of every derivation file.

Reference: pytest's own collection (``--collect-only``) in a child process, with and without ``--run-slow``.
"""
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("symbackprop_test_tiers", ROOT / "conftest.py")
tiers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiers)


def _collect(*args):
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return [line for line in proc.stdout.splitlines() if "::" in line and not line.startswith(" ")]


def test_every_heavy_entry_names_collected_tests_and_the_default_run_leaves_them_out():
    everything = _collect("--run-slow")
    default = set(_collect())
    assert len(everything) > 4000 and default < set(everything)
    for prefix, why in tiers.HEAVY.items():
        hits = [n for n in everything if n.startswith(prefix) and tiers.heavy_reason(n) is not None]
        assert hits, f"HEAVY entry {prefix!r} ({why}) names no collected test"
        assert not default & set(hits), prefix
    assert not [n for n in default if tiers.heavy_reason(n) is not None]
    # every derivation file keeps claims in the default run
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "derivations").rglob("*.yaml")}
    assert files and files <= {n.split("::")[0] for n in default}
    # heavy rows of a grid leave the other rows of that grid in the default run
    for prefix, why in tiers.HEAVY.items():
        if isinstance(why, tuple):
            assert any(n.startswith(prefix) for n in default), prefix
