r"""Grading a course: credit that cannot be gamed, matching by content, points, feedback files, the retry of
inconclusive claims, submission layouts (student folders, zips) and student ids.

Every expected score is written by hand from the submission texts; the feedback's failing step, sides and
counterexample are compared with the chain as typed and with a hand-computed counterexample condition.
"""
import csv
import io
import json
import os
import re
import stat
import zipfile

import pytest

from symbackprop import cli
from symbackprop.check import CheckOptions
from symbackprop.errors import SymbackpropError
from symbackprop.feedback import markdown, safe_name, write_feedback
from symbackprop.grade import grade_dir
from symbackprop.runner import Limits
from symbackprop.submissions import MAX_ZIP_ENTRIES, collect

LIMITS = Limits(timeout=20.0, memory_mb=2048)
NET = "network: {sizes: [2, 3, 2], activation: relu, output: softmax, loss: cross_entropy}\n"

REFERENCE = NET + r"""claims:
  - id: output-error
    points: 2
    claim: '\delta^{(L)} = \hat{y} - y'
  - id: grad-W
    claim: '\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)} (a^{(L-1)})^T'
  - id: hidden-error
    points: 1.5
    claim: '\delta^{(L-1)} = (W^{(L-1)})^T \delta^{(L)} \odot \varphi''(z^{(L-1)})'
  - id: loss
    points: 0.5
    claim: '\mathcal{L} = -\sum_{k=1}^{C} y_k \log \hat{y}_k'
"""
MAX = 5

# every claim a tautology or a restated definition, under the reference's ids: 0 points
TAUTOLOGIES = NET + r"""claims:
  - {id: output-error, claim: '\delta^{(L)} = \frac{\partial \mathcal{L}}{\partial z^{(L)}}'}
  - {id: grad-W, claim: '\nabla_{W^{(L-1)}}\mathcal{L} = \frac{\partial \mathcal{L}}{\partial W^{(L-1)}}'}
  - {id: hidden-error, claim: '\delta^{(L-1)} = \delta^{(L-1)}'}
  - {id: loss, claim: '\mathcal{L} = \mathcal{L}'}
"""

# the reference's relations, renamed, reordered, sides swapped, written otherwise: full marks
RENAMED = NET + r"""claims:
  - {id: s4, claim: '-\sum_{k=1}^{C} y_k \log \hat{y}_k = \mathcal{L}'}
  - {id: s3, claim: '\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi''(z^{(1)})'}
  - {id: s1, claim: '-(y - \hat{y}) = \delta^{(2)}'}
  - {id: s2, claim: '\frac{\partial \mathcal{L}}{\partial W^{(1)}} = \delta^{(2)} (a^{(1)})^T'}
  - {id: extra, claim: '\varphi(0) = 0'}
"""

# a chain with a sign slip in its second step; the rest missing
SLIP = NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L)} = \frac{\partial \mathcal{L}}{\partial z^{(L)}} = y - \hat{y}'
"""


def write(path, files):
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("course")
    ref = base / "ref.yaml"
    ref.write_text(REFERENCE)
    subs = write(base / "subs", {"taut.yaml": TAUTOLOGIES, "renamed.yaml": RENAMED, "slip.yaml": SLIP,
                                 "reference_copy.yaml": REFERENCE})
    return ref, subs, grade_dir(subs, ref, LIMITS)


def rows(table):
    return {r.student: r for r in table.rows}


def test_tautologies_and_restated_definitions_earn_nothing(course):
    r = rows(course[2])["taut"]
    assert r.points == 0 and r.max == MAX
    assert [c.verdict for c in r.cells.values()] == ["trivial"] * 4
    assert all("proves nothing" in c.message for c in r.cells.values())


def test_renamed_reordered_swapped_and_rewritten_copies_earn_full_marks(course):
    r = rows(course[2])["renamed"]
    assert r.points == MAX and r.score == 1.0
    assert {cid: c.answered_by for cid, c in r.cells.items()} == {"output-error": "s1", "grad-W": "s2",
                                                                   "hidden-error": "s3", "loss": "s4"}
    assert r.unmatched == ("extra",)
    assert rows(course[2])["reference_copy"].points == MAX


def test_points_per_claim_in_the_gradebook(course):
    table = course[2]
    got = list(csv.reader(io.StringIO(table.to_csv())))
    assert got[0] == ["student", "submission", "output-error", "grad-W", "hidden-error", "loss", "total", "max",
                      "inconclusive", "error", "feedback"]
    by = {row[0]: row for row in got[1:]}
    assert by["renamed"][2:9] == ["2", "1", "1.5", "0.5", "5", "5", "0"]
    assert by["taut"][2:9] == ["0", "0", "0", "0", "0", "5", "0"]
    assert by["taut"][10] == "trivial: output-error, grad-W, hidden-error, loss"
    assert by["slip"][10].startswith("refuted: output-error (sign); missing:")


def test_feedback_names_the_failing_step_its_sides_and_a_counterexample(course, tmp_path):
    table = course[2]
    written = write_feedback(table, tmp_path / "fb")
    assert sorted(p.name for p in written) == sorted(f"{s}.{e}" for s in ("taut", "renamed", "slip",
                                                                          "reference_copy") for e in ("md", "json"))
    doc = json.loads((tmp_path / "fb" / "slip.json").read_text())
    (c,) = [c for c in doc["claims"] if c["id"] == "output-error"]
    assert (c["verdict"], c["step"], c["diagnosis"]) == ("refuted", 2, "sign")
    assert c["step_sides"] == [r"\frac{\partial \mathcal{L}}{\partial z^{(L)}}", r"y - \hat{y}"]
    assert c["expected"] == r"\delta^{(L)} = \hat{y} - y" and "negative" in c["diagnosis_text"]
    values = {k: float(v) for k, v in c["counterexample"]["values"].items()}
    # a sign slip shows wherever yhat_k - y_k != 0: the printed point must be such a point
    assert any(abs(values.get(f"yhat_{k}", 0) - values.get(f"y_{k}", 0)) > 1e-9 for k in (1, 2))
    md = (tmp_path / "fb" / "slip.md").read_text()
    assert "fails at step 2" in md and r"y - \hat{y}" in md
    assert re.search(r"counterexample: ` .*ŷ_\d = .*y_\d = ", md)       # in course notation
    assert "the reference expected: ` \\delta^{(L)} = \\hat{y} - y `" in md
    assert "missing" in md and "0 of 5 points" in md


def test_markdown_keeps_user_text_in_code_spans():
    assert safe_name("../../etc/x y") == "_.._etc_x_y" and safe_name("") == "student"
    from symbackprop.feedback import _code
    assert _code("a ` b") == "`` a ` b ``" and _code("x\ny") == "` x\\x0ay `"


def test_cli_writes_gradebook_and_feedback_and_summary(course, tmp_path, capsys):
    ref, subs, _ = course
    out = tmp_path / "grades.csv"
    code = cli.main(["grade", str(subs), "--against", str(ref), "-o", str(out), "--feedback", str(tmp_path / "fb")])
    err = capsys.readouterr().err
    assert code == 0 and out.read_text().startswith("student,submission,")
    assert "graded 4 of 4 submissions" in err and "0 inconclusive" in err
    assert "renamed.yaml: claims that answer no reference claim: extra" in err
    assert (tmp_path / "fb" / "renamed.md").read_text().count("✓") == 4


# ----------------------------------------------------------------------------------------------
# inconclusive: retried once with a larger budget, then flagged

SLOW = "  - id: slow\n    claim: '(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}'\n"
FAST = "claims:\n  - id: out\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"


def test_a_forced_timeout_is_retried_then_flagged(tmp_path, monkeypatch, capsys):
    import symbackprop.grade as grade
    seen, real = [], grade.run_jobs

    def spy(func, jobs, limits, *args, **kwargs):
        seen.append((func.__name__, len(jobs), limits.timeout))
        return real(func, jobs, limits, *args, **kwargs)

    monkeypatch.setattr(grade, "run_jobs", spy)
    ref = tmp_path / "ref.yaml"
    ref.write_text(NET + FAST + SLOW)
    subs = write(tmp_path / "subs", {"a.yaml": NET + FAST.replace("id: out", "id: mine") + SLOW})
    # the symbolic phase may use all of the time limit: the proof attempt of "slow" takes minutes
    t = grade_dir(subs, ref, Limits(timeout=2, memory_mb=2048), opts=CheckOptions(symbolic_seconds=600))
    (r,) = t.rows
    assert r.cells["out"].verdict == "proved" and r.cells["out"].points == 1
    cell = r.cells["slow"]
    assert cell.verdict == "inconclusive" and cell.retried and cell.points == 0 and cell.answered_by == "slow"
    assert r.inconclusive == ("slow",) and t.inconclusive == 1 and t.retried == 1
    # the reference keys, both claims at 2 s, the slow one again at 3 x 2 s, then only its match
    assert [s[:2] for s in seen] == [("_ref_key_job", 2), ("_job", 2), ("_job", 1), ("_match_job", 1)]
    assert seen[2][2] == 6
    assert "INCONCLUSIVE: slow" in r.feedback()
    rows_ = list(csv.reader(io.StringIO(t.to_csv())))
    assert rows_[1][rows_[0].index("inconclusive")] == "1"
    monkeypatch.setattr(grade, "run_jobs", real)
    monkeypatch.setattr(grade, "default_options", lambda limits: CheckOptions(symbolic_seconds=600))
    args = ["grade", str(subs), "--against", str(ref), "--timeout", "2"]
    assert cli.main(args) == 1
    assert "1 inconclusive cell(s)" in capsys.readouterr().err
    assert cli.main(args + ["--allow-inconclusive"]) == 0


# ----------------------------------------------------------------------------------------------
# layouts: student folders, zips, student ids, duplicates

GOOD = NET + FAST


def _small_ref(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(GOOD)
    return ref


def test_student_folders_and_ids_from_a_pattern(tmp_path):
    ref = _small_ref(tmp_path)
    subs = tmp_path / "lms"
    write(subs / "Doe, Jane_1234_assignsubmission_file", {"ex4.yaml": GOOD})
    write(subs / "Roe, Rick_5678_assignsubmission_file", {"ex4.yaml": GOOD.replace("hat{y} - y", "y - \\hat{y}")})
    write(subs / "Poe, Empty_9_assignsubmission_file", {"notes.txt": "x"})
    write(subs / "Two, Files_7_assignsubmission_file", {"a.yaml": GOOD, "b.yml": GOOD})
    t = grade_dir(subs, ref, LIMITS, student_pattern=r"_(\d+)_")
    got = {r.student: (r.points, r.error) for r in t.rows}
    assert got["1234"] == (1, None) and got["5678"] == (0, None)
    assert "9" not in got                              # a folder without a derivation file is no submission
    assert got["7"][1].startswith("the student folder has several derivation files")


def _zip(path, members, links=()):
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
        for name, target in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return path


def test_a_zip_of_student_folders_is_read_safely_in_memory(tmp_path):
    ref = _small_ref(tmp_path)
    z = _zip(tmp_path / "export.zip", {
        "export/alice/sub.yaml": GOOD, "export/bob/sub.yaml": GOOD, "export/carol.yaml": GOOD.replace("L)}", "2)}"),
        "export/../evil.yaml": GOOD, "/abs.yaml": GOOD, "export/__MACOSX/._x.yaml": "junk"},
        links=[("export/dave.yaml", "/etc/passwd")])
    before = set(os.listdir(tmp_path))
    t = grade_dir(z, ref, LIMITS)
    assert set(os.listdir(tmp_path)) == before                   # nothing extracted
    got = {r.student: r for r in t.rows}
    assert (got["alice"].points, got["bob"].points, got["carol"].points) == (1, 1, 1)
    assert got["bob"].duplicate_of == "alice" and got["carol"].duplicate_of is None
    assert got["dave"].error.startswith("is a symbolic link in the zip")
    unsafe = [r for r in t.rows if r.error and ("'..'" in r.error or "unsafe path" in r.error)]
    assert len(unsafe) == 2
    assert "passwd" not in t.to_csv() + json.dumps(t.to_dict()).replace("/etc/passwd", "")


def test_zip_caps(tmp_path, monkeypatch):
    import symbackprop.submissions as submissions
    big = _zip(tmp_path / "big.zip", {"a.yaml": GOOD + "#" * 2_000_000})
    (s,) = collect(big)
    assert s.error.startswith("file is 2") and s.data is None
    monkeypatch.setattr(submissions, "MAX_ZIP_ENTRIES", 2)
    many = _zip(tmp_path / "many.zip", {f"{i}.yaml": GOOD for i in range(3)})
    with pytest.raises(SymbackpropError, match="entries"):
        collect(many)
    assert MAX_ZIP_ENTRIES > 2
    monkeypatch.setattr(submissions, "MAX_ZIP_ENTRIES", MAX_ZIP_ENTRIES)
    assert len(collect(many)) == 3
    monkeypatch.setattr(submissions, "MAX_ZIP_TOTAL", len(GOOD) * 2)
    with pytest.raises(SymbackpropError, match="decompresses to more than"):
        collect(many)


def test_grade_notation_flag_reads_submissions_that_declare_none(tmp_path):
    ref = _small_ref(tmp_path)
    subs = write(tmp_path / "subs", {"j.yaml": NET + "claims:\n  - id: x\n    claim: "
                                               "'\\frac{\\partial J}{\\partial z^{(L)}} = \\hat{y} - y'\n"})
    (plain,) = grade_dir(subs, ref, LIMITS).rows
    assert plain.points == 0 and plain.cells["out"].verdict == "missing"
    (declared,) = grade_dir(subs, ref, LIMITS, notation={"cost": "J"}).rows
    assert declared.points == 1 and declared.cells["out"].answered_by == "x"


def test_points_must_be_a_number(tmp_path):
    from symbackprop.errors import SpecError
    ref = tmp_path / "ref.yaml"
    ref.write_text(GOOD + "    points: -1\n")
    subs = write(tmp_path / "subs", {"a.yaml": GOOD})
    with pytest.raises(SpecError, match=r"claim 'out': key 'points': points must be a number from 0 to 1000"):
        grade_dir(subs, ref, LIMITS)


def test_markdown_of_an_error_row(tmp_path):
    ref = _small_ref(tmp_path)
    subs = write(tmp_path / "subs", {"bad.yaml": "network: [\n"})
    t = grade_dir(subs, ref, LIMITS)
    assert "Not graded: ` invalid YAML" in markdown(t, t.rows[0])


def test_output_never_overwrites_the_submissions_zip(tmp_path, capsys):
    ref = _small_ref(tmp_path)
    z = _zip(tmp_path / "subs.zip", {"a.yaml": GOOD})
    before = z.read_bytes()
    assert cli.main(["grade", str(z), "--against", str(ref), "-o", str(z)]) == 2
    assert "submissions zip" in capsys.readouterr().err and z.read_bytes() == before


def test_progress_shows_rate_and_time_left():
    import re

    from symbackprop.terminal import grade_progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    now = [0.0]
    out = Tty()
    show = grade_progress(out, clock=lambda: now[0])
    show(0, 4, "a.yaml")
    now[0] = 4.0                                  # 1 of 4 in 4 s: 0.25/s, about 12 s for the other three
    show(1, 4, "b.yaml")
    show(4, 4, "")
    plain = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", out.getvalue())
    assert "0/4 a.yaml" in plain and "1/4 b.yaml 0.25/s about 12 s left" in plain and plain.endswith("\n")


def test_zip_entries_of_the_same_name_are_refused_and_duplicates_named(tmp_path):
    import warnings
    path = tmp_path / "d.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as z:
        warnings.simplefilter("ignore")                   # zipfile warns about the duplicate name
        z.writestr("a.yaml", GOOD)
        z.writestr("a.yaml", "network: [\n")
        z.writestr("b.yaml", GOOD)
        z.writestr("c.yaml", GOOD)
    got = {s.name: s for s in collect(path)}
    assert got["a.yaml"].error == "the zip holds several entries of this name; keep one"
    assert got["b.yaml"].duplicate_of is None and got["c.yaml"].duplicate_of == "b.yaml"


def test_file_budget_and_scheduler_do_not_combine(tmp_path):
    ref = _small_ref(tmp_path)
    subs = write(tmp_path / "subs", {"a.yaml": GOOD})
    with pytest.raises(SymbackpropError, match="--file-timeout is not supported with --scheduler"):
        grade_dir(subs, ref, Limits(file_timeout=5), scheduler="tcp://127.0.0.1:9")


def test_a_bad_student_id_pattern_is_a_usage_error(tmp_path, capsys):
    ref = _small_ref(tmp_path)
    subs = write(tmp_path / "subs", {"a.yaml": GOOD})
    assert cli.main(["grade", str(subs), "--against", str(ref), "--student-id", "(["]) == 2
    err = capsys.readouterr().err
    assert "--student-id '([' is not a regular expression" in err and err.count("\n") == 1


def test_an_unwritable_feedback_folder_is_one_line(tmp_path, capsys):
    ref = _small_ref(tmp_path)
    subs = write(tmp_path / "subs", {"a.yaml": GOOD})
    (tmp_path / "file").write_text("x")
    assert cli.main(["grade", str(subs), "--against", str(ref), "--feedback", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the feedback files" in err and "Traceback" not in err
