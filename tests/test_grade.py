r"""Grading a directory of submissions against a reference: scores, cell verdicts, error rows, CLI output.

Every expected score below is written by hand from the submission texts, not produced by the code.
"""
import csv
import io
import re
import json
import shutil
from pathlib import Path

import pytest

from symbackprop import cli
from symbackprop.errors import SpecError, SymbackpropError
from symbackprop.grade import grade_dir, network_difference
from symbackprop.submissions import collect
from symbackprop.network import Network
from symbackprop.runner import Limits

ROOT = Path(__file__).resolve().parents[1]
MLE = ROOT / "derivations" / "mle_ex4_task1.yaml"
LIMITS = Limits(timeout=20.0, memory_mb=2048, workers=None)

NET = """network:
  sizes: [2, 3, 2]
  activation: relu
  output: softmax
  loss: cross_entropy
"""

# L = 2: four scoring claims and one expect: false claim (not a column)
REFERENCE = "title: tiny\n" + NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L)} = \hat{y} - y'
  - id: grad-W
    claim: '\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)} (a^{(L-1)})^T'
  - id: hidden-error
    claim: '\delta^{(L-1)} = (W^{(L-1)})^T \delta^{(L)} \odot \varphi''(z^{(L-1)})'
  - id: relu-prime
    claim: '\varphi''(u) = \mathbb{1}\{u > 0\}'
  - id: mistake
    expect: false
    claim: '\delta^{(L)} = y - \hat{y}'
"""
COLUMNS = ["output-error", "grad-W", "hidden-error", "relu-prime"]

# every claim right, written differently from the reference (same quantities), plus an extra id
PERFECT = NET + r"""claims:
  - id: output-error
    claim: '\frac{\partial \mathcal{L}}{\partial z^{(2)}} = \hat{y} - y'
  - id: grad-W
    claim: '\frac{\partial \mathcal{L}}{\partial W^{(1)}} = \delta^{(2)} (a^{(1)})^T'
  - id: hidden-error
    claim: '\delta^{(1)} = (W^{(1)})^T (\hat{y} - y) \odot \varphi''(z^{(1)})'
  - id: relu-prime
    claim: '\varphi''(t) = \mathbb{1}\{t > 0\}'
  - id: my-note
    claim: '\varphi(0) = 0'
"""

# output-error has the sign flipped (refuted); grad-W does not parse (error): 2 of 4
WRONG = NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L)} = y - \hat{y}'
  - id: grad-W
    claim: '\nabla_{W^{(L-1)}}\mathcal{L} = \bogus{y}'
  - id: hidden-error
    claim: '\delta^{(L-1)} = (W^{(L-1)})^T \delta^{(L)} \odot \varphi''(z^{(L-1)})'
  - id: relu-prime
    claim: '\varphi''(u) = \mathbb{1}\{u > 0\}'
"""

# relu-prime is missing; hidden-error is marked expect: false (not asserted): 2 of 4
MISSING = NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L)} = \hat{y} - y'
  - id: grad-W
    claim: '\nabla_{W^{(L-1)}}\mathcal{L} = \delta^{(L)} (a^{(L-1)})^T'
  - id: hidden-error
    expect: false
    claim: '\delta^{(L-1)} = 0'
"""

# output-error states a true fact about another quantity, grad-W a shape, relu-prime narrows with a
# given: three different relations, all proved by the checker; only hidden-error scores: 1 of 4
OTHER_RELATION = NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L-1)} = (W^{(L-1)})^T \delta^{(L)} \odot \varphi''(z^{(L-1)})'
  - id: grad-W
    claim: '\nabla_{W^{(L-1)}}\mathcal{L} \in \mathbb{R}^{C \times d_{L-1}}'
  - id: hidden-error
    claim: '\delta^{(L-1)} = (W^{(L-1)})^T \delta^{(L)} \odot \varphi''(z^{(L-1)})'
  - id: relu-prime
    given: 'u > 0'
    claim: '\varphi''(u) = 1'
"""

INVALID = NET + "claims:\n  - id: output-error\n    claim: [unclosed\n"
OTHER_NET = REFERENCE.replace("sizes: [2, 3, 2]", "sizes: [3, 4, 4, 3]")


def write_dir(path: Path, files: dict) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The reference file and a submissions directory with one file per situation."""
    base = tmp_path_factory.mktemp("grade")
    ref = base / "reference.yaml"
    ref.write_text(REFERENCE)
    subs = write_dir(base / "subs", {
        "a_perfect.yaml": PERFECT, "b_wrong.yaml": WRONG, "c_missing.yml": MISSING,
        "d_other_relation.yaml": OTHER_RELATION, "e_invalid.yaml": INVALID, "f_network.yaml": OTHER_NET,
        "notes.txt": "not a submission", ".hidden.yaml": INVALID})
    return ref, subs


@pytest.fixture(scope="module")
def graded(case):
    ref, subs = case
    calls = []
    return grade_dir(subs, ref, LIMITS, progress=lambda done, total, name: calls.append((done, total, name))), calls


@pytest.fixture(scope="module")
def table(graded):
    return graded[0]


def row(table, name):
    (r,) = [r for r in table.rows if r.submission == name]
    return r


# ----------------------------------------------------------------------------------------------
# the table


def test_rows_columns_and_skipped(table):
    assert [r.submission for r in table.rows] == ["a_perfect.yaml", "b_wrong.yaml", "c_missing.yml",
                                                  "d_other_relation.yaml", "e_invalid.yaml", "f_network.yaml"]
    assert list(table.columns) == COLUMNS
    assert table.skipped == ("mistake",)
    assert table.max == 4
    assert table.header() == ["student", "submission", *COLUMNS, "total", "max", "inconclusive", "error", "feedback"]


def test_scores(table):
    got = {r.submission: (r.points, r.max, r.score) for r in table.rows}
    assert got == {"a_perfect.yaml": (4, 4, 1.0), "b_wrong.yaml": (2, 4, 0.5), "c_missing.yml": (2, 4, 0.5),
                   "d_other_relation.yaml": (1, 4, 0.25), "e_invalid.yaml": (0, 4, 0.0),
                   "f_network.yaml": (0, 4, 0.0)}


def test_perfect_submission_in_other_notation(table):
    r = row(table, "a_perfect.yaml")
    assert r.error is None
    assert all(r.cells[c].verdict == "proved" and r.cells[c].scored for c in COLUMNS)
    assert r.ignored_ids == ("my-note",)


def test_refuted_and_unparseable_claims_lose_their_points(table):
    r = row(table, "b_wrong.yaml")
    assert [r.verdict(c) for c in COLUMNS] == ["refuted", "error", "proved", "proved"]
    assert r.cells["output-error"].diagnosis == "sign"
    assert "bogus" in r.cells["grad-W"].message


def test_missing_id_and_expect_false_claim(table):
    r = row(table, "c_missing.yml")
    assert [r.verdict(c) for c in COLUMNS] == ["proved", "proved", "different-relation", "missing"]
    assert "expect: false" in r.cells["hidden-error"].message


def test_same_id_with_a_different_relation_scores_zero(table):
    r = row(table, "d_other_relation.yaml")
    assert [r.verdict(c) for c in COLUMNS] == ["different-relation", "different-relation", "proved",
                                               "different-relation"]
    for c in ("output-error", "grad-W", "relu-prime"):
        assert r.cells[c].message.startswith("states a different relation")
        assert not r.cells[c].scored
    assert "left side" in r.cells["output-error"].message
    assert "'in'" in r.cells["grad-W"].message
    assert "given" in r.cells["relu-prime"].message


def test_unreadable_submission_gets_an_error_row(table):
    r = row(table, "e_invalid.yaml")
    assert r.error.startswith("invalid YAML")
    assert "e_invalid" not in r.error          # the row names the file already
    assert r.cells == {} and [r.verdict(c) for c in COLUMNS] == [None] * 4


def test_other_network_gets_an_error_row(table):
    r = row(table, "f_network.yaml")
    assert r.error == "network differs from the reference: sizes 3-4-4-3 vs 2-3-2"
    assert r.cells == {}
    assert not table.ok


def test_progress_is_reported_per_submission(graded):
    names = ["a_perfect.yaml", "b_wrong.yaml", "c_missing.yml", "d_other_relation.yaml", "e_invalid.yaml",
             "f_network.yaml"]
    assert graded[1] == [(i, 6, n) for i, n in enumerate(names)] + [(6, 6, "")]


def test_json_document(table):
    doc = table.to_dict()
    assert doc["columns"] == COLUMNS and doc["skipped"] == ["mistake"] and doc["max"] == 4
    r = doc["rows"][3]
    assert r["submission"] == "d_other_relation.yaml"
    assert r["verdicts"] == {"output-error": "different-relation", "grad-W": "different-relation",
                             "hidden-error": "proved", "relu-prime": "different-relation"}
    assert r["claims"]["hidden-error"]["scored"] is True
    json.dumps(doc)


# ----------------------------------------------------------------------------------------------
# pieces


def test_network_difference():
    assert network_difference(Network((2, 3, 2)), Network((2, 3, 2))) is None
    assert network_difference(Network((2, 3, 2)), Network((3, 4, 4, 3))) == "sizes 2-3-2 vs 3-4-4-3"
    assert (network_difference(Network((2, 3, 2), "sigmoid"), Network((2, 3, 2), relu_prime_at_zero=1))
            == "activation sigmoid vs relu; relu_prime_at_zero 0 vs 1")


def test_collect_skips_the_reference_and_dot_files_and_reads_student_folders(tmp_path):
    write_dir(tmp_path, {"ref.yaml": REFERENCE, "b.yml": PERFECT, "a.YAML": PERFECT, ".x.yaml": PERFECT,
                         "c.txt": PERFECT})
    write_dir(tmp_path / "d.yaml", {"e.yaml": PERFECT})
    subs = collect(tmp_path, tmp_path / "ref.yaml")
    assert [(s.name, s.student) for s in subs] == [("a.YAML", "a"), ("b.yml", "b"), ("d.yaml", "d.yaml")]
    assert subs[2].path.endswith("e.yaml") and subs[2].data == PERFECT.encode()


def test_directory_and_reference_errors(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(REFERENCE)
    with pytest.raises(SymbackpropError, match="no such directory"):
        grade_dir(tmp_path / "nope", ref, LIMITS)
    with pytest.raises(SymbackpropError, match="no submissions"):
        grade_dir(write_dir(tmp_path / "empty", {"x.txt": ""}), ref, LIMITS)
    subs = write_dir(tmp_path / "subs", {"a.yaml": PERFECT})
    bad = tmp_path / "bad.yaml"
    bad.write_text(NET + "claims:\n  - id: x\n    claim: '\\delta^{(L)} = \\bogus'\n")
    with pytest.raises(SpecError, match="reference claim cannot be graded"):
        grade_dir(subs, bad, LIMITS)
    none = tmp_path / "none.yaml"
    none.write_text(NET + "claims:\n  - {id: x, claim: '\\delta^{(L)} = 0', expect: false}\n")
    with pytest.raises(SpecError, match="no claim to grade"):
        grade_dir(subs, none, LIMITS)


# ----------------------------------------------------------------------------------------------
# command line


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A reference with two claims and two submissions: one perfect, one unreadable."""
    base = tmp_path_factory.mktemp("grade-cli")
    ref = base / "ref.yaml"
    ref.write_text(NET + "claims:\n  - id: out\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
                         "  - id: zero\n    claim: '\\varphi''(0) = 0'\n")
    good = NET + "claims:\n  - id: out\n    claim: '\\delta^{(2)} = \\hat{y} - y'\n" \
                 "  - id: zero\n    claim: '\\varphi''(0) = 1'\n  - id: extra\n    claim: '\\varphi(0) = 0'\n"
    subs = write_dir(base / "subs", {"alice.yaml": good, "bob.yaml": "network: [\n"})
    only_good = write_dir(base / "good", {"alice.yaml": good})
    return ref, subs, only_good


def test_cli_csv_to_stdout(small, capsys):
    ref, subs, _ = small
    code = cli.main(["grade", str(subs), "--against", str(ref), "--timeout", "20", "--jobs", "2"])
    out, err = capsys.readouterr()
    assert code == 1                               # a row has an error
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["student", "submission", "out", "zero", "total", "max", "inconclusive", "error", "feedback"]
    assert rows[1] == ["alice", "alice.yaml", "1", "0", "1", "2", "0", "", "refuted: zero"]
    assert rows[2][:8] == ["bob", "bob.yaml", "", "", "0", "2", "0", rows[2][7]] and rows[2][7].startswith("invalid YAML")
    assert rows[2][8] == "not graded: " + rows[2][7]
    assert len(rows) == 3
    assert "[" not in err                          # no progress bar: stderr is not a terminal
    assert "alice.yaml" in err and "extra" in err  # the ignored id is reported


def test_cli_json_to_file(small, tmp_path, capsys):
    ref, _, good = small
    target = tmp_path / "grades.json"
    code = cli.main(["grade", str(good), "--against", str(ref), "--format", "json", "-o", str(target)])
    out, _ = capsys.readouterr()
    assert code == 0 and out == ""
    doc = json.loads(target.read_text())
    assert doc["columns"] == ["out", "zero"]
    (r,) = doc["rows"]
    assert (r["submission"], r["score"], r["points"], r["max"], r["error"]) == ("alice.yaml", 0.5, 1, 2, None)
    assert r["verdicts"] == {"out": "proved", "zero": "refuted"}
    assert r["ignored_ids"] == ["extra"]


def test_cli_progress_bar_on_a_terminal(small, monkeypatch, capsys):
    ref, _, good = small

    class Tty(io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr("sys.stderr", fake)
    code = cli.main(["grade", str(good), "--against", str(ref), "--format", "csv"])
    assert code == 0
    text = fake.getvalue()
    plain = re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]", "", text)       # rich's colour and cursor sequences
    assert "0/1 alice.yaml" in plain and "1/1" in plain and "━" in plain and plain.endswith("\n")
    assert "━" not in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["grade", "{base}/nope", "--against", "{ref}"], "no such directory"),
    (["grade", "{subs}", "--against", "{base}/missing.yaml"], "no such file"),
    (["grade", "{subs}", "--against", "{ref}", "--timeout", "0"], "timeout"),
    (["grade", "{subs}"], "--against"),
])
def test_cli_usage_errors_exit_2_with_one_line(small, capsys, args, message):
    ref, subs, _ = small
    argv = [a.format(base=ref.parent, ref=ref, subs=subs) for a in args]
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("symbackprop: error:") and message in err and err.count("\n") == 1


# ----------------------------------------------------------------------------------------------
# the course reference graded against itself


def test_reference_graded_against_itself_scores_full(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(MLE, subs / "reference_copy.yaml")
    t = grade_dir(subs, MLE, LIMITS)
    (r,) = t.rows
    assert r.error is None
    assert (r.points, r.max, r.score) == (22, 22, 1.0)
    assert t.skipped == ()


def test_cli_csv_cells_never_start_a_spreadsheet_formula(small, tmp_path, capsys):
    ref, _, _ = small
    subs = write_dir(tmp_path / "formula", {"=HYPERLINK(1).yaml": "network: [\n", "@sum.yaml": "network: [\n"})
    assert cli.main(["grade", str(subs), "--against", str(ref)]) == 1
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
    assert sorted(r[1] for r in rows) == ["'=HYPERLINK(1).yaml", "'@sum.yaml"]
    assert sorted(r[0] for r in rows) == ["'=HYPERLINK(1)", "'@sum"]


def test_a_reference_too_large_to_read_in_time_is_a_clear_error(tmp_path):
    """The reference is read in bounded workers: a 256-wide network ends at the time limit, not in a hang."""
    ref = tmp_path / "huge.yaml"
    ref.write_text("network: {sizes: [256, 256, 256]}\nclaims:\n  - id: out\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
                   "  - id: grad\n    claim: '\\nabla_{W^{(1)}}\\mathcal{L} = \\delta^{(2)} (a^{(1)})^T'\n")
    subs = write_dir(tmp_path / "subs", {"a.yaml": "network: [\n"})
    with pytest.raises(SpecError, match="time limit"):
        grade_dir(subs, ref, Limits(timeout=1, memory_mb=2048))


# ----------------------------------------------------------------------------------------------
# hostile submissions folders: links, FIFOs, devices, huge files, names with CR/LF/=, non-UTF-8 names

import os                                         # noqa: E402  (used by the tests below only)
import threading                                  # noqa: E402

SMALL_REF = NET + ("claims:\n  - id: out\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
                   "  - id: zero\n    claim: '\\varphi''(0) = 0'\n")
SMALL_GOOD = NET + ("claims:\n  - id: out\n    claim: '\\delta^{(2)} = \\hat{y} - y'\n"
                    "  - id: zero\n    claim: '\\varphi''(0) = 0'\n")
SECRET = "secret-marker-d41d8cd9"


def _within(seconds, fn, fifos=()):
    """fn() in a thread that must finish within ``seconds``; a reader stuck on a FIFO is released first."""
    box = {}
    t = threading.Thread(target=lambda: box.update(value=fn()), daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        for f in fifos:                                   # a writer appears and leaves: the reader gets EOF
            os.close(os.open(f, os.O_WRONLY | os.O_NONBLOCK))
        t.join(10)
        pytest.fail(f"grading blocked for more than {seconds} s")
    return box["value"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A reference and a submissions folder with a good file and every kind of entry that must not be read."""
    base = tmp_path_factory.mktemp("hostile")
    ref = base / "ref.yaml"
    ref.write_text(SMALL_REF)
    secret = base / "outside" / "settings.yaml"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}: 1\n" + SMALL_GOOD.replace("claims:", f"# {SECRET}\nclaims:"))
    subs = write_dir(base / "subs", {"good.yaml": SMALL_GOOD})
    os.symlink(secret, subs / "link_out.yaml")           # would score full marks and leak the marker
    os.symlink("good.yaml", subs / "link_in.yaml")
    os.symlink("/dev/zero", subs / "zero.yaml")
    os.symlink(secret.parent, subs / "dirlink.yaml")
    (subs / "realdir.yaml").mkdir()
    os.mkfifo(subs / "fifo.yaml")
    with open(subs / "huge.yaml", "wb") as f:
        f.truncate(1 << 30)
    return ref, subs, [subs / "fifo.yaml"]


REFUSED = {"link_out.yaml": "is a symbolic link; links are not followed",
           "link_in.yaml": "is a symbolic link; links are not followed",
           "zero.yaml": "is a symbolic link; links are not followed",
           "dirlink.yaml": "is a symbolic link; links are not followed",
           "fifo.yaml": "is a FIFO (named pipe), not a regular file",
           "huge.yaml": f"file is {1 << 30} bytes; derivation files are limited to 1048576 bytes"}


def test_links_fifos_devices_and_huge_files_get_error_rows_without_being_read(hostile):
    ref, subs, fifos = hostile
    table = _within(120, lambda: grade_dir(subs, ref, LIMITS), fifos)
    got = {r.submission: r for r in table.rows}
    assert sorted(got) == sorted([*REFUSED, "good.yaml"])       # realdir.yaml: a folder with no file, no row
    assert got["good.yaml"].error is None and got["good.yaml"].points == 2
    for name, message in REFUSED.items():
        assert got[name].error.startswith(message) and got[name].points == 0 and got[name].cells == {}
    text = table.to_csv() + json.dumps(table.to_dict())
    assert SECRET not in text and "outside" not in text and "/dev/zero" not in text


def test_cli_never_echoes_a_linked_file(hostile, tmp_path, capsys):
    ref, subs, fifos = hostile
    out_json = tmp_path / "grades.json"
    codes = _within(240, lambda: [cli.main(["grade", str(subs), "--against", str(ref)]),
                                  cli.main(["grade", str(subs), "--against", str(ref), "--format", "json",
                                            "-o", str(out_json)])], fifos)
    out, err = capsys.readouterr()
    assert codes == [1, 1]
    everything = out + err + out_json.read_text()
    assert SECRET not in everything and "settings" not in everything and "Traceback" not in everything
    rows = list(csv.reader(io.StringIO(out)))
    assert [r[1] for r in rows[1:]] == sorted([*REFUSED, "good.yaml"])


def test_names_with_cr_lf_and_formulas_stay_one_printable_cell(tmp_path, capsys):
    ref = tmp_path / "ref.yaml"
    ref.write_text(SMALL_REF)
    names = ["a\r=HYPERLINK(1).yaml", "b\n@cmd.yaml", "c\t+1.yaml", "=d.yaml", "-e.yaml", "f\x1b]0;x\x07.yaml"]
    subs = write_dir(tmp_path / "subs", {n: "network: [\n" for n in names})
    assert cli.main(["grade", str(subs), "--against", str(ref)]) == 1
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 + len(names)           # no name breaks a row, whatever the reader
    rows = list(csv.reader(io.StringIO(out)))
    assert sorted(r[1] for r in rows[1:]) == ["'-e.yaml", "'=d.yaml", "a\\x0d=HYPERLINK(1).yaml",
                                              "b\\x0a@cmd.yaml", "c\\x09+1.yaml", "f\\x1b]0;x\\x07.yaml"]
    assert all(len(r) == len(rows[0]) for r in rows)
    assert not any(ch in out for ch in "\r\t\x1b\x07")


def test_every_csv_cell_goes_through_one_sanitiser_headers_included(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(NET + "claims:\n  - id: -2-3\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
                         "  - id: '@x'\n    claim: x\n")      # '@x' is not a valid id: the reference is refused
    subs = write_dir(tmp_path / "subs", {"=a.yaml": SMALL_GOOD.replace("id: out", "id: -2-3")})
    with pytest.raises(SpecError, match=r"ref.yaml: claim '#2': key 'id': id '@x' may use only letters, digits"):
        grade_dir(subs, ref, LIMITS)
    ref.write_text(NET + "claims:\n  - id: -2-3\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n")
    table = grade_dir(subs, ref, LIMITS)
    rows = table.csv_rows()
    assert rows[0] == ["student", "submission", "'-2-3", "total", "max", "inconclusive", "error", "feedback"]
    assert rows[1] == ["'=a", "'=a.yaml", 1, 1, 1, 0, "", "all claims earned"]
    assert list(csv.reader(io.StringIO(table.to_csv()))) == [[str(c) for c in r] for r in rows]


def test_csv_cell():
    from symbackprop.grade import csv_cell
    table = [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "\\x09=1"),
             ("\r=1", "\\x0d=1"), ("a\nb", "a\\x0ab"), ("caf\udce9", "caf\\xe9"), ("ok.yaml", "ok.yaml"),
             ("", ""), ("δ ŷ", "δ ŷ"), ("\u202eexe.yaml", "\\u202eexe.yaml"), (0.5, 0.5), (-1, -1)]
    assert [csv_cell(v) for v, _ in table] == [want for _, want in table]


def test_non_utf8_file_names_are_rendered_in_csv_json_and_to_a_file(tmp_path, capsys):
    ref = tmp_path / "ref.yaml"
    ref.write_text(SMALL_REF)
    subs = tmp_path / "subs"
    subs.mkdir()
    for raw, text in ((b"caf\xe9.yaml", SMALL_GOOD), (b"bad\xff.yaml", "network: [\n")):
        with open(os.fsencode(str(subs)) + b"/" + raw, "w") as f:
            f.write(text)
    target = tmp_path / "grades.json"
    assert cli.main(["grade", str(subs), "--against", str(ref), "--format", "json", "-o", str(target)]) == 1
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert [(r["submission"], r["points"]) for r in doc["rows"]] == [("bad\\xff.yaml", 0), ("caf\\xe9.yaml", 2)]
    assert doc["rows"][0]["error"].startswith("invalid YAML")
    assert cli.main(["grade", str(subs), "--against", str(ref)]) == 1
    out, err = capsys.readouterr()
    assert "caf\\xe9,caf\\xe9.yaml,1,1,2,2,0,,all claims earned" in out and "Traceback" not in err


def test_a_malformed_claim_is_its_cell_and_the_rest_is_graded(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(SMALL_REF)
    sub = SMALL_GOOD.replace("claim: '\\varphi''(0) = 0'", "claim: ''") + "  - {id: 'x y', claim: z}\n"
    subs = write_dir(tmp_path / "subs", {"a.yaml": sub})
    (r,) = grade_dir(subs, ref, LIMITS).rows
    assert r.error is None and r.points == 1
    assert r.verdict("out") == "proved" and r.verdict("zero") == "error"
    assert "claim 'zero': key 'claim': claim is empty (line 10)" in r.cells["zero"].message
    assert r.ignored_ids == ("#3",)
    ref.write_text(SMALL_REF + "  - {id: extra, claim: [x]}\n")
    with pytest.raises(SpecError, match=r"ref.yaml: claim 'extra': key 'claim': claim must be a string"):
        grade_dir(subs, ref, LIMITS)


# ----------------------------------------------------------------------------------------------
# one queue for all submissions; a claim stated identically in several submissions is checked once


BOGUS = NET + ("claims:\n  - id: out\n    claim: '\\delta^{(L)} = \\bogus{y}'\n"
               "  - id: zero\n    claim: '\\varphi''(0) = 0'\n")


@pytest.fixture
def spy_jobs(monkeypatch):
    """Record the jobs of every run_jobs call of grade (the calls still run)."""
    import symbackprop.grade as grade
    calls, real = [], grade.run_jobs

    def spy(func, jobs, *args, **kwargs):
        calls.append((func.__name__, [j[1].claim for j in jobs]))
        return real(func, jobs, *args, **kwargs)

    monkeypatch.setattr(grade, "run_jobs", spy)
    return calls


def test_all_submissions_run_as_one_queue_and_each_distinct_claim_once(tmp_path, spy_jobs):
    ref = tmp_path / "ref.yaml"
    ref.write_text(SMALL_REF)
    subs = write_dir(tmp_path / "subs", {"a.yaml": SMALL_GOOD, "b.yaml": SMALL_GOOD, "c.yaml": SMALL_GOOD,
                                         "d.yaml": SMALL_REF, "e.yaml": BOGUS, "f.yaml": BOGUS})
    t = grade_dir(subs, ref, LIMITS)
    assert [(r.submission, r.points) for r in t.rows] == [("a.yaml", 2), ("b.yaml", 2), ("c.yaml", 2), ("d.yaml", 2),
                                                           ("e.yaml", 1), ("f.yaml", 1)]
    (ref_call, sub_call) = spy_jobs                  # the reference's keys, then one queue for all submissions
    assert ref_call[0] == "_ref_key_job" and sub_call[0] == "_job"
    # a, b, c state the same two claims; d states "out" otherwise; e and f share "out" and "zero" with a
    assert sorted(sub_call[1]) == sorted(["\\delta^{(2)} = \\hat{y} - y", "\\varphi'(0) = 0",
                                          "\\delta^{(L)} = \\hat{y} - y", "\\delta^{(L)} = \\bogus{y}"])


def test_a_shared_claims_message_names_each_submissions_own_file(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(SMALL_REF)
    subs = write_dir(tmp_path / "subs", {"e.yaml": BOGUS, "f.yaml": BOGUS})
    t = grade_dir(subs, ref, LIMITS)
    cells = {r.submission: r.cells["out"] for r in t.rows}
    assert cells["e.yaml"].verdict == cells["f.yaml"].verdict == "error"
    assert cells["e.yaml"].message.startswith(f"{subs / 'e.yaml'}: claim 'out': unknown command")
    assert cells["f.yaml"].message.startswith(f"{subs / 'f.yaml'}: claim 'out': unknown command")
    assert cells["e.yaml"].message.split(": ", 1)[1] == cells["f.yaml"].message.split(": ", 1)[1]


SLOW_CLAIM = "  - id: zero\n    claim: '(u+v+q)^{60}(u-v+q)^{60}{gap}= ((u+q)^2-v^2)^{60}'\n"


def test_each_submission_has_its_own_budget_from_its_first_claim(tmp_path):
    # one worker: a's claims run first and its slow claim uses up a's 2 s; b's clock starts with b's
    # first claim, so b's fast claim is still checked (a budget for the whole queue would cut it)
    head = NET + "claims:\n  - id: out\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
    ref = tmp_path / "ref.yaml"
    ref.write_text(head + SLOW_CLAIM.replace("{gap}", " "))
    subs = write_dir(tmp_path / "subs", {"a.yaml": head + SLOW_CLAIM.replace("{gap}", " "),
                                         "b.yaml": head.replace("(L)", "(2)") + SLOW_CLAIM.replace("{gap}", "  ")})
    t = grade_dir(subs, ref, Limits(timeout=300, memory_mb=2048, workers=1, file_timeout=2))
    for r in t.rows:
        assert r.cells["out"].verdict == "proved", (r.submission, r.cells)
        assert (r.cells["zero"].verdict, r.cells["zero"].message) == ("inconclusive", "file time budget exhausted")
