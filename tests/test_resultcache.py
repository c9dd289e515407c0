"""The result cache (resultcache.py): a claim is answered from it only when the same checker already gave it
a final verdict on the same inputs; everything else is checked again, and a broken store changes nothing.

The reference for "the same answer" is a run with the cache turned off (``cache=None``), never the cache
itself."""
import dataclasses
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from symbackprop import resultcache
from symbackprop.check import CheckOptions, ClaimResult
from symbackprop.runner import Limits
from symbackprop.spec import load_spec_text
from symbackprop.suite import check_specs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SPEC = """
title: cache
network: {sizes: [2, 3, 2], activation: relu, output: softmax, loss: cross_entropy}
claims:
  - id: true-one
    claim: '\\delta^{(L)} = \\hat{y} - y'
  - id: false-one
    claim: '\\delta^{(L)} = y - \\hat{y}'
    expect: false
  - id: bad-token
    claim: '\\delta^{(L)} = \\hat{y} - \\quux'
  - id: dead
    given: 'z^{(L-1)}_i \\le 0'
    claim: '\\delta^{(L-1)}_i = 0'
"""
LIMITS = Limits(timeout=60)


def _spec(text=SPEC, path="cache.yaml"):
    return load_spec_text(text, path)


def _fields(result):
    """What a reader sees of a result, apart from how long it took and where it came from."""
    return {k: v for k, v in dataclasses.asdict(result).items() if k not in ("seconds", "cached")}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMBACKPROP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SYMBACKPROP_NO_CACHE", raising=False)
    cache = resultcache.open_cache()
    assert cache is not None
    yield cache
    cache.close()


@pytest.fixture(scope="module")
def reference():
    """The results with no cache at all (checked in this process: the cache is the parent's business either way)."""
    return check_specs([_spec()], LIMITS, inline=True)[0].results


def test_a_second_run_answers_final_verdicts_from_the_cache_with_the_same_results(store, reference):
    first = check_specs([_spec()], LIMITS, cache=store)[0].results
    assert [r.verdict for r in reference] == ["proved", "refuted", "error", "proved"]
    assert [_fields(r) for r in first] == [_fields(r) for r in reference]
    assert not any(r.cached for r in first)
    second = check_specs([_spec()], LIMITS, cache=store)[0].results
    assert [r.cached for r in second] == [True, True, True, True]
    assert [_fields(r) for r in second] == [_fields(r) for r in reference]
    assert store.hits == 4


ALL = ["true-one", "false-one", "bad-token", "dead"]


@pytest.mark.parametrize("edit, changed", [
    (lambda t: t.replace("\\hat{y} - y'", "\\hat{y} + y'"), ["true-one"]),            # the claim's text
    (lambda t: t.replace("z^{(L-1)}_i \\le 0", "z^{(L-1)}_i \\ge 0"), ["dead"]),       # a given
    (lambda t: t.replace("sizes: [2, 3, 2]", "sizes: [2, 4, 2]"), ALL),                # the network
    (lambda t: t.replace("expect: false", "expect: true"), ["false-one"]),               # the expectation
    (lambda t: "\n\n" + t, ALL),                                                       # the lines (errors name them)
])
def test_any_change_of_the_inputs_is_checked_again(store, reference, edit, changed):
    check_specs([_spec()], LIMITS, cache=store, inline=True)
    assert edit(SPEC) != SPEC
    again = check_specs([_spec(edit(SPEC))], LIMITS, cache=store, inline=True)[0].results
    assert [r.id for r in again if not r.cached] == changed
    before = {r.id: _fields(r) for r in reference}
    assert all(_fields(r) == before[r.id] for r in again if r.cached)


def test_other_options_another_file_or_another_checker_are_other_keys(store, monkeypatch):
    spec = _spec()
    net, claim = spec.network, spec.claims[0]
    key = resultcache.claim_key(net, claim, CheckOptions(), "a.yaml")
    assert resultcache.claim_key(net, claim, CheckOptions(), "a.yaml") == key
    assert resultcache.claim_key(net, claim, CheckOptions(seed=1), "a.yaml") != key
    assert resultcache.claim_key(net, claim, CheckOptions(dps=60), "a.yaml") != key
    assert resultcache.claim_key(net, claim, CheckOptions(), "b.yaml") != key
    monkeypatch.setattr(resultcache, "checker_digest", lambda: "another checker")
    assert resultcache.claim_key(net, claim, CheckOptions(), "a.yaml") != key


def test_the_checker_digest_covers_every_file_of_the_package(tmp_path, monkeypatch):
    copy = tmp_path / "pkg"
    subprocess.run(["cp", "-r", os.path.join(ROOT, "symbackprop"), str(copy)], check=True)
    monkeypatch.setattr(resultcache, "_PACKAGE", str(copy))
    resultcache.checker_digest.cache_clear()
    try:
        before = resultcache.checker_digest()
        for name in ("proofs.py", os.path.join("notation", "parser.py"), "check.schema.json"):
            path = copy / name
            path.write_bytes(path.read_bytes() + b"\n")
            resultcache.checker_digest.cache_clear()
            after = resultcache.checker_digest()
            assert after != before, name
            before = after
    finally:
        resultcache.checker_digest.cache_clear()


def test_numerically_equal_inconclusive_and_limits_are_never_kept(store):
    assert not resultcache.cacheable(ClaimResult("a", "x", "numerically-equal"))
    assert not resultcache.cacheable(ClaimResult("a", "x", "inconclusive", message="time limit: wall-clock"))
    assert not resultcache.cacheable(ClaimResult("a", "x", "error", message="internal error while checking: X"))
    assert resultcache.cacheable(ClaimResult("a", "x", "error", location={"token": "\\quux", "key": None}))
    # a worker that runs out of its limit: inconclusive, checked again next time
    slow = _spec(path="slow.yaml")             # the claim with a given takes tens of milliseconds
    tight = Limits(timeout=0.01)
    first = check_specs([slow], tight, cache=store)[0].results
    assert any(r.verdict == "inconclusive" for r in first)
    second = check_specs([slow], tight, cache=store)[0].results
    for a, b in zip(first, second):
        if a.verdict == "inconclusive":
            assert not b.cached


def test_a_corrupt_or_foreign_store_is_not_used_and_changes_nothing(tmp_path, monkeypatch, reference):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "results.sqlite3").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("SYMBACKPROP_CACHE_DIR", str(folder))
    monkeypatch.delenv("SYMBACKPROP_NO_CACHE", raising=False)
    cache = resultcache.open_cache()
    results = check_specs([_spec()], LIMITS, cache=cache, inline=True)[0].results
    assert [_fields(r) for r in results] == [_fields(r) for r in reference]
    assert not any(r.cached for r in results)


def test_an_entry_that_does_not_read_back_as_a_result_is_ignored(store, reference):
    check_specs([_spec()], LIMITS, cache=store, inline=True)
    db = sqlite3.connect(store.path)
    db.execute("UPDATE results SET value = ?", (json.dumps({"verdict": "proved"}),))
    db.commit()
    db.close()
    again = check_specs([_spec()], LIMITS, cache=store, inline=True)[0].results
    assert [_fields(r) for r in again] == [_fields(r) for r in reference]
    assert not any(r.cached for r in again)


def test_turned_off_by_the_environment_or_the_flag(tmp_path, monkeypatch):
    monkeypatch.setenv("SYMBACKPROP_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("SYMBACKPROP_NO_CACHE", "1")
    assert resultcache.open_cache() is None
    monkeypatch.delenv("SYMBACKPROP_NO_CACHE")
    assert resultcache.open_cache(enabled=False) is None
    cache = resultcache.open_cache()
    assert cache is not None
    cache.close()


def _cli(args, env):
    return subprocess.run([sys.executable, "-m", "symbackprop.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env)


def test_the_cli_reuses_the_cache_unless_told_not_to(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(SPEC.replace("  - id: dead\n    given: 'z^{(L-1)}_i \\le 0'\n    claim: '\\delta^{(L-1)}_i = 0'\n", ""))
    env = {k: v for k, v in os.environ.items() if k != "SYMBACKPROP_NO_CACHE"}
    env["SYMBACKPROP_CACHE_DIR"] = str(tmp_path / "cache")
    runs = [_cli(["check", str(path), "--format", "json"], env) for _ in range(2)]
    off = _cli(["check", str(path), "--format", "json", "--no-cache"], env)
    docs = [json.loads(r.stdout) for r in (*runs, off)]
    assert [r.returncode for r in (*runs, off)] == [1, 1, 1]       # bad-token is an error: not as expected
    cached = [[c.get("cached", False) for c in d["files"][0]["claims"]] for d in docs]
    assert cached == [[False] * 3, [True] * 3, [False] * 3]
    strip = [[{k: v for k, v in c.items() if k not in ("seconds", "cached")} for c in d["files"][0]["claims"]]
             for d in docs]
    assert strip[0] == strip[1] == strip[2]


def test_the_text_report_says_cached(store):
    from symbackprop.report import render_check_text
    spec = _spec()
    check_specs([spec], LIMITS, cache=store, inline=True)
    assert ", cached]" not in render_check_text(check_specs([spec], LIMITS, inline=True)[0])
    assert render_check_text(check_specs([spec], LIMITS, cache=store, inline=True)[0]).count(", cached]") == 4
