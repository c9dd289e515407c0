"""grade --scheduler: the same grades from a real dask LocalCluster (two worker processes, loopback) as locally.

The cluster, its client and the local grading run in one child Python process (:data:`SCRIPT`): dask
leaves threads behind in the process that used it, and with threads the runner stops forking its workers
(tests of the warm parent and of fork would then fail for the rest of the session). Skipped with a reason
where ``distributed`` is not installed; in CI (``CI`` set: .ci/run installs the ``distributed`` extra) that is
a failure.
"""
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from test_grade_course import NET, REFERENCE, RENAMED, SLIP, TAUTOLOGIES, write

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = r"""
import io, json, sys
from contextlib import redirect_stderr, redirect_stdout
from symbackprop import cli
from symbackprop.check import CheckOptions
from symbackprop.cluster import local_cluster
from symbackprop.grade import grade_dir
from symbackprop.runner import Limits

base = sys.argv[1]
out = {}
if __name__ == "__main__":
    limits = Limits(timeout=20, memory_mb=2048)
    out["local"] = grade_dir(base + "/subs", base + "/ref.yaml", limits).to_dict()
    out["local_csv"] = grade_dir(base + "/subs", base + "/ref.yaml", limits).to_csv()
    with local_cluster(2) as cluster:
        address = cluster.scheduler_address
        remote = grade_dir(base + "/subs", base + "/ref.yaml", limits, scheduler=address)
        out["remote"], out["remote_csv"] = remote.to_dict(), remote.to_csv()
        slow = grade_dir(base + "/slow", base + "/slow_ref.yaml", Limits(timeout=2, memory_mb=2048), scheduler=address,
                         opts=CheckOptions(symbolic_seconds=600))     # its proof attempt takes minutes
        out["slow"] = slow.to_dict()["rows"][0]["claims"]["slow"]
        buf = io.StringIO()
        with redirect_stdout(buf), redirect_stderr(io.StringIO()):
            out["cli_code"] = cli.main(["grade", base + "/one", "--against", base + "/ref.yaml", "--format", "json",
                                        "--scheduler", address])
        out["cli"] = json.loads(buf.getvalue())
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        out["bad_code"] = cli.main(["grade", base + "/one", "--against", base + "/ref.yaml",
                                    "--scheduler", "tcp://127.0.0.1:9"])
    out["bad_err"] = err.getvalue()
    print(json.dumps(out))
"""

SLOW = "  - id: slow\n    claim: '(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}'\n"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    if importlib.util.find_spec("distributed") is None:
        if os.environ.get("CI"):
            pytest.fail("distributed is required in CI (.ci/run installs the [distributed] extra)")
        pytest.skip("distributed not installed (pip install 'symbackprop[distributed]')")
    base = tmp_path_factory.mktemp("cluster")
    (base / "ref.yaml").write_text(REFERENCE)
    bogus = NET + "claims:\n  - {id: grad-W, claim: '\\nabla_{W^{(L-1)}}\\mathcal{L} = \\bogus'}\n"
    write(base / "subs", {"taut.yaml": TAUTOLOGIES, "renamed.yaml": RENAMED, "slip.yaml": SLIP,
                          "copy.yaml": REFERENCE, "bogus.yaml": bogus, "broken.yaml": "network: [\n"})
    write(base / "one", {"renamed.yaml": RENAMED})
    (base / "slow_ref.yaml").write_text(NET + "claims:\n" + SLOW)
    write(base / "slow", {"a.yaml": NET + "claims:\n" + SLOW})
    script = base / "run_cluster.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(script), str(base)], capture_output=True, text=True, timeout=900,
                          env=env, cwd=str(base))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_dask_grades_equal_local_grades(result):
    assert result["remote"] == result["local"]
    assert result["remote_csv"] == result["local_csv"]
    # and the grades are the hand-computed ones (not two equal wrong answers)
    assert {r["student"]: r["points"] for r in result["remote"]["rows"]} == {
        "taut": 0, "renamed": 5, "slip": 0, "copy": 5, "bogus": 0, "broken": 0}


def test_dask_task_keeps_the_limits(result):
    """A claim of minutes under a 2 s limit is inconclusive on the cluster too (the worker survives), retried."""
    slow = result["slow"]
    assert slow["verdict"] == "inconclusive" and slow["retried"] and slow["message"].startswith("time limit")


def test_cli_scheduler_flag(result):
    assert result["cli_code"] == 0 and result["cli"]["rows"][0]["points"] == 5


def test_unreachable_scheduler_is_a_clear_error(result):
    assert result["bad_code"] == 2
    assert "cannot connect to the dask scheduler" in result["bad_err"] and "Traceback" not in result["bad_err"]
