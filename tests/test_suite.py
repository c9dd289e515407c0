"""suite: workers are forked from a warm parent, several files run as one queue, claims are reported as
they are decided."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symbackprop import suite
from symbackprop.network import Network
from symbackprop.runner import Limits
from symbackprop.spec import load_spec, load_spec_text

ROOT = Path(__file__).resolve().parents[1]
COURSE = [ROOT / "derivations" / "mle_ex4_task1.yaml", ROOT / "derivations" / "mistakes" / "mse_mistakes.yaml"]

# In a fresh interpreter (nothing imported by other tests): warm the parent, then check every claim of
# the course files in forked workers and report what each worker had to import or derive itself.
WORKER_PROBE = r"""
import json, sys
from symbackprop import suite
from symbackprop.derive import derive
from symbackprop.network import graph
from symbackprop.runner import Limits, run_jobs
from symbackprop.spec import load_spec

specs = [load_spec(p) for p in sys.argv[3:]]
only = set(sys.argv[2].split(",")) if sys.argv[2] else None
if sys.argv[1] == "warm":
    suite.prepare_workers([s.network for s in specs], Limits())

def probe(job):
    spec, claim = job
    before, d0, g0 = set(sys.modules), derive.cache_info().misses, graph.cache_info().misses
    r = suite._job((spec.network, claim, suite.default_options(Limits()), str(spec.path)))
    return (sorted(set(sys.modules) - before), derive.cache_info().misses - d0, graph.cache_info().misses - g0,
            r.verdict)

res = run_jobs(probe, [(s, c) for s in specs for c in s.claims if only is None or c.id in only], Limits(workers=2))
print(json.dumps([r.value for r in res]))
"""


# the course claims that reach every kind of lazily imported module (latex2sympy2 for numbers, SymPy's
# units inside simplify of a Piecewise, sets for conditions), and one file whole
PROBED = ["loss", "relu-prime", "dead-neuron", "softmax-jacobian", "output-error", "forgot-the-half",
          "copied-softmax-intermediate", "tanh-derivative"]


def _probe(mode, files=COURSE, only=PROBED):
    out = subprocess.run([sys.executable, "-c", WORKER_PROBE, mode, ",".join(only or []), *map(str, files)],
                         capture_output=True, text=True, timeout=600, check=True).stdout
    return json.loads(out)


def test_workers_of_a_warm_parent_import_and_derive_nothing():
    values = _probe("warm")
    n = sum(c.id in PROBED for p in COURSE for c in load_spec(p).claims)      # output-error is in both files
    assert len(values) == n == 9 and all(v is not None for v in values)
    imported = sorted({m for v in values for m in v[0]})
    assert imported == [], imported
    assert [v[1] for v in values] == [0] * n, "a worker derived a network itself"
    assert [v[2] for v in values] == [0] * n, "a worker built a graph itself"


def test_the_probe_sees_what_a_cold_parent_leaves_to_its_workers():
    """The probe above can fail: without the warm-up every worker imports the notation layer and derives."""
    values = _probe("cold", COURSE[1:], None)
    assert len(values) == 4 and all("symbackprop.notation" in v[0] for v in values)
    assert any("latex2sympy2" in v[0] for v in values)
    assert [v[1] for v in values] == [1] * 4


def test_a_warm_up_past_its_limits_is_dropped_and_not_tried_again():
    net = Network((256, 256, 256))
    t0 = time.monotonic()
    suite.prepare_workers([net], Limits(timeout=1, memory_mb=2048))
    assert time.monotonic() - t0 < 30
    assert net in suite._COLD
    t0 = time.monotonic()
    suite.prepare_workers([net], Limits(timeout=1, memory_mb=2048))
    assert time.monotonic() - t0 < 0.5


# ----------------------------------------------------------------------------------------------
# several files as one queue; results as they are decided


TWO = """network: {sizes: [2, 3, 2]}
claims:
  - id: a
    claim: '\\delta^{(L)} = \\hat{y} - y'
  - id: bad
    claim: [1, 2]
  - id: b
    expect: false
    claim: '\\delta^{(L)} = y - \\hat{y}'
"""


def test_check_specs_gives_one_report_per_file_like_check_spec_and_calls_back_once_per_claim():
    specs = [load_spec_text(TWO, "one.yaml"), load_spec_text(TWO.replace("[2, 3, 2]", "[2, 2]"), "two.yaml")]
    seen = []
    reports = suite.check_specs(specs, Limits(timeout=20, workers=2),
                                on_result=lambda f, k, r: seen.append((f, k, r.id, r.verdict)))
    alone = [suite.check_spec(s, Limits(timeout=20, workers=2)) for s in specs]
    assert [[(r.id, r.verdict, r.message) for r in rep.results] for rep in reports] == \
           [[(r.id, r.verdict, r.message) for r in rep.results] for rep in alone]
    assert [[r.verdict for r in rep.results] for rep in reports] == [["proved", "error", "refuted"]] * 2
    assert sorted(seen) == [(f, k, i, v) for f in (0, 1) for k, (i, v) in
                            enumerate([("a", "proved"), ("bad", "error"), ("b", "refuted")])]
    assert seen[:2] == [(0, 1, "bad", "error"), (1, 1, "bad", "error")]     # malformed: at once, no worker


def test_the_file_budget_of_each_file_starts_with_its_own_claims():
    slow = "network: {sizes: [2, 3, 2]}\nclaims:\n" + "".join(
        f"  - id: s{i}\n    claim: '(u+v+q)^{{60}}(u-v+q)^{{60}} = ((u+q)^2-v^2)^{{60}}'\n" for i in range(2))
    fast = "network: {sizes: [2, 3, 2]}\nclaims:\n  - id: f\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
    reports = suite.check_specs([load_spec_text(slow, "slow.yaml"), load_spec_text(fast, "fast.yaml")],
                                Limits(timeout=300, workers=2, file_timeout=2))
    assert [r.message for r in reports[0].results] == ["file time budget exhausted"] * 2
    assert [r.verdict for r in reports[1].results] == ["proved"]     # not cut by the slow file's budget
