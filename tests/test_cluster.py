"""grade --scheduler: the same grades from a real dask LocalCluster (two worker processes, loopback) as locally.

Skipped with a reason where ``distributed`` is not installed; in CI (``CI`` set: .ci/run installs the
``distributed`` extra) that is a failure.
"""
import json
import os

import pytest

from symbackprop import cli
from symbackprop.grade import grade_dir
from symbackprop.runner import Limits

from test_grade_course import NET, REFERENCE, RENAMED, SLIP, TAUTOLOGIES, write


def _need_distributed():
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("distributed is required in CI (.ci/run installs the [distributed] extra)")
        pytest.skip("distributed not installed (pip install 'symbackprop[distributed]')")


@pytest.fixture(scope="module")
def cluster():
    _need_distributed()
    from symbackprop.cluster import local_cluster
    with local_cluster(2) as c:
        yield c


def test_dask_grades_equal_local_grades(cluster, tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(REFERENCE)
    bogus = NET + "claims:\n  - {id: grad-W, claim: '\\nabla_{W^{(L-1)}}\\mathcal{L} = \\bogus'}\n"
    subs = write(tmp_path / "subs", {"taut.yaml": TAUTOLOGIES, "renamed.yaml": RENAMED, "slip.yaml": SLIP,
                                     "copy.yaml": REFERENCE, "bogus.yaml": bogus, "broken.yaml": "network: [\n"})
    limits = Limits(timeout=20, memory_mb=2048)
    local = grade_dir(subs, ref, limits)
    remote = grade_dir(subs, ref, limits, scheduler=cluster.scheduler_address)
    assert remote.to_dict() == local.to_dict()
    assert remote.to_csv() == local.to_csv()
    # and the grades are the hand-computed ones (not two equal wrong answers)
    assert {r.student: r.points for r in remote.rows} == {"taut": 0, "renamed": 5, "slip": 0, "copy": 5,
                                                           "bogus": 0, "broken": 0}


def test_dask_task_keeps_the_limits(cluster, tmp_path):
    """A claim of minutes under a 2 s limit is inconclusive on the cluster too (the worker survives)."""
    ref = tmp_path / "ref.yaml"
    slow = "  - id: slow\n    claim: '(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}'\n"
    ref.write_text(NET + "claims:\n" + slow)
    subs = write(tmp_path / "subs", {"a.yaml": NET + "claims:\n" + slow})
    t = grade_dir(subs, ref, Limits(timeout=2, memory_mb=2048), scheduler=cluster.scheduler_address)
    (r,) = t.rows
    assert r.cells["slow"].verdict == "inconclusive" and r.cells["slow"].retried
    assert r.cells["slow"].message.startswith("time limit")


def test_cli_scheduler_flag(cluster, tmp_path, capsys):
    ref = tmp_path / "ref.yaml"
    ref.write_text(REFERENCE)
    subs = write(tmp_path / "subs", {"renamed.yaml": RENAMED})
    code = cli.main(["grade", str(subs), "--against", str(ref), "--format", "json",
                     "--scheduler", cluster.scheduler_address])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["rows"][0]["points"] == 5


def test_unreachable_scheduler_is_a_clear_error(tmp_path, capsys):
    _need_distributed()
    ref = tmp_path / "ref.yaml"
    ref.write_text(REFERENCE)
    subs = write(tmp_path / "subs", {"renamed.yaml": RENAMED})
    code = cli.main(["grade", str(subs), "--against", str(ref), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot connect to the dask scheduler" in err and "Traceback" not in err
