r"""report.py: the versioned JSON document (validated against the shipped JSON Schema), course names of
counterexample values, the complete point (re-evaluated by a separate NumPy forward pass), both sides of a
failing chain step, ``--format short`` and the cross-file summary.

Expected lines, names and sides are typed by hand; the forward pass below is plain NumPy, not the checker.
"""
import copy
import io
import json
import re
from importlib import resources

import jsonschema
import numpy as np
import pytest

from symbackprop.cli import main
from symbackprop.report import JSON_SCHEMA_VERSION, FileError, _number, check_document, course_name
from symbackprop.spec import load_spec_text
from symbackprop.suite import unchecked_report

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FAST = ["--timeout", "20", "--jobs", "2"]
KINDS = r"""title: every kind
network: {sizes: [3, 4, 4, 3], activation: relu, output: softmax, loss: cross_entropy}
claims:
  - id: proved
    claim: \delta^{(L)} = \hat{y} - y
  - id: chain
    expect: false
    claim: \delta^{(L)}_i = \hat{y}_i - y_i = y_i - \hat{y}_i
  - id: many-values
    expect: false
    claim: \delta^{(1)} = (W^{(1)})^T \delta^{(2)} + 1
  - id: needs-fix
    claim: \delta^L = \hat{y} - y
  - id: malformed
    claim: ''
  - id: flipped
    expect: false
    claim: \delta^{(L)} = y - \hat{y}
"""


def schema():
    return json.loads(resources.files("symbackprop").joinpath("check.schema.json").read_text(encoding="utf-8"))


def validate(doc):
    jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    """The JSON document of KINDS, a missing file and a file of broken YAML, checked once."""
    folder = tmp_path_factory.mktemp("kinds")
    path = folder / "kinds.yaml"
    path.write_text(KINDS, encoding="utf-8")
    broken = folder / "broken.yaml"
    broken.write_text("network: [unclosed\n", encoding="utf-8")
    import contextlib
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", str(path), str(folder / "missing.yaml"), str(broken), "--format", "json", *FAST])
    return code, json.loads(out.getvalue()), str(path)


def test_every_output_kind_validates_against_the_schema(kinds):
    code, doc, path = kinds
    validate(doc)
    assert code == 1 and doc["schema"] == JSON_SCHEMA_VERSION == 1
    assert [f["status"] for f in doc["files"]] == ["checked", "error", "error"]
    claims = {c["id"]: c for c in doc["files"][0]["claims"]}
    assert {c["verdict"] for c in claims.values()} == {"proved", "refuted", "error"}
    fix = claims["needs-fix"]
    assert (fix["location"]["token"], fix["location"]["offset"], fix["fix"]) == ("\\delta", 0, r"\delta^{(L)}")
    assert [claims[i]["location"]["line"] for i in ("proved", "chain", "malformed")] == [4, 6, 14]   # by hand
    assert doc["summary"] == {"files": 3, "files_with_errors": 2, "files_not_as_expected": 1, "claims": 6,
                              "verdicts": {"proved": 1, "refuted": 3, "error": 2}, "claims_not_as_expected": 2}


def test_an_interrupted_report_validates_too():
    spec = load_spec_text(KINDS, "kinds.yaml")
    doc = check_document([unchecked_report(spec, "interrupted by SIGTERM"), FileError("x.yaml", "x.yaml: no such file")])
    validate(doc)
    assert {c["verdict"] for c in doc["files"][0]["claims"]} == {"inconclusive", "error"}


@pytest.mark.parametrize("break_it", [
    lambda d: d.pop("schema"),
    lambda d: d["files"][0]["claims"][1]["counterexample"].__setitem__("entry", "[1]"),    # the old string
    lambda d: d["files"][0]["claims"][0].__setitem__("seconds", "0.1"),
    lambda d: d["files"][0]["claims"][1].__setitem__("diagnosis", "sign"),                # code and text needed
    lambda d: d["files"][1]["error"].pop("location"),
    lambda d: d["files"][0]["network"].__setitem__("sizes", "[3, 4, 4, 3]"),
])
def test_the_schema_rejects_what_version_1_does_not_allow(kinds, break_it):
    doc = copy.deepcopy(kinds[1])
    break_it(doc)
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_the_complete_point_reproduces_the_counterexample(kinds):
    """A separate forward pass (NumPy, float64) from x, W, b of the JSON gives the reported ŷ and δ^(L)."""
    ce = {c["id"]: c for c in kinds[1]["files"][0]["claims"]}["flipped"]["counterexample"]
    pv = ce["point_values"]
    a = np.array(pv["x"], dtype=float)
    for k in ("0", "1", "2"):
        z = np.array(pv["W"][k], dtype=float) @ a + np.array(pv["b"][k], dtype=float)
        a = np.maximum(z, 0) if k != "2" else np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    y = np.array(pv["y"], dtype=float)
    i = ce["entry"][0] - 1
    assert ce["lhs"] == pytest.approx(a[i] - y[i], rel=1e-9, abs=1e-15)           # δ^(L), the true ŷ - y
    assert ce["rhs"] == pytest.approx(y[i] - a[i], rel=1e-9, abs=1e-15)           # y - ŷ as claimed
    shown = {v["text"]: v["value"] for v in ce["values"]}
    assert shown[f"ŷ_{i + 1}"] == pytest.approx(a[i], rel=1e-9, abs=1e-15)


def test_a_cut_list_of_values_says_so(kinds):
    ce = {c["id"]: c for c in kinds[1]["files"][0]["claims"]}["many-values"]["counterexample"]
    assert len(ce["values"]) == 12 and ce["values_total"] > 12 and ce["values_cut"] is True
    # the intermediate values come before the parameters (which the complete point lists anyway)
    kinds_shown = [v["text"][0] for v in ce["values"]]
    assert kinds_shown[:3] == ["ŷ"] * 3 and kinds_shown.index("z") < kinds_shown.index("W")


def test_both_sides_of_the_failing_chain_step(kinds, tmp_path, capsys):
    chain = {c["id"]: c for c in kinds[1]["files"][0]["claims"]}["chain"]
    assert chain["step"] == 2
    assert chain["counterexample"]["step_sides"] == {"left": r"\hat{y}_{i} - y_{i}", "right": r"y_{i} - \hat{y}_{i}"}
    path = tmp_path / "k.yaml"
    path.write_text(KINDS, encoding="utf-8")
    assert main(["check", str(path), "--only", "chain", "--only", "many-values", "-v", *FAST]) == 0
    out = capsys.readouterr().out
    assert r"fails at step 2: \hat{y}_{i} - y_{i} = y_{i} - \hat{y}_{i}" in out
    assert "the first 12 of the" in out and "values it uses; --verbose shows the complete point" in out
    assert "W1_1_1" not in out and "yhat_" not in out
    assert "W^(1)_11 = " in out and "ŷ_1 = " in out
    assert out.count("  W^(0) = [") == 2 and out.count("point: x = (") == 2    # --verbose: the complete point


@pytest.mark.parametrize("name, tex, text", [
    ("W2_1_1", "W^{(2)}_{11}", "W^(2)_11"),
    ("W0_10_3", "W^{(0)}_{10,3}", "W^(0)_10,3"),
    ("b1_4", "b^{(1)}_{4}", "b^(1)_4"),
    ("yhat_2", r"\hat{y}_{2}", "ŷ_2"),
    ("y_3", "y_{3}", "y_3"),
    ("x_1", "x_{1}", "x_1"),
    ("z2_1", "z^{(2)}_{1}", "z^(2)_1"),
    ("a1_3", "a^{(1)}_{3}", "a^(1)_3"),
    ("delta3_2", r"\delta^{(3)}_{2}", "δ^(3)_2"),
    ("u", None, "u"),
    ("yhat", None, "yhat"),
])
def test_course_names(name, tex, text):
    assert course_name(name) == (tex, text)


def test_every_internal_name_of_a_network_has_a_course_name():
    from symbackprop.network import Network, graph
    g = graph(Network((3, 12, 2), weights="incoming"))
    syms = g.primitives() + g.node_symbols() + g.delta_symbols(1)
    assert all(course_name(s.name)[0] is not None for s in syms)
    assert course_name(g.W[0][10, 2].name)[0] == "W^{(1)}_{11,3}"          # incoming: W^(1) enters layer 1


@pytest.mark.parametrize("layout", ["columns", "rows"])
def test_every_internal_name_of_a_batch_network_has_a_course_name(layout):
    from symbackprop.network import Network, graph
    g = graph(Network((2, 3, 2), batch=3, layout=layout))
    syms = g.primitives() + g.node_symbols()
    assert all(course_name(s.name)[0] is not None for s in syms), [s.name for s in syms
                                                                   if course_name(s.name)[0] is None]
    assert course_name("Z1_2_3") == ("Z^{(1)}_{23}", "Z^(1)_23") and course_name("Yhat_3_1")[1] == "Ŷ_31"


@pytest.mark.parametrize("value, number", [
    ("0", 0), ("-2", -2), ("1/4", 0.25), ("1.70019917003e-7", 1.70019917003e-7), ("1e-400", "1e-400"),
    ("1e+400", "1e+400"), (None, None), ("zoo", "zoo"), (3, 3),
])
def test_numbers_are_numbers_unless_no_double_holds_them(value, number):
    got = _number(value)
    assert got == number and type(got) is type(number)


def test_short_format_lines(tmp_path, capsys):
    path = tmp_path / "k.yaml"
    path.write_text(KINDS, encoding="utf-8")
    code = main(["check", str(path), "--format", "short", *FAST])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    p = str(path)
    assert lines[0] == f"{p}:4:1: proved: proved"
    assert lines[1] == f"{p}:6:1: chain: refuted (sign) [expected to fail]"
    # the error's token (\delta of \delta^L, line 13 after "    claim: ") when the claim is written on one line
    assert lines[3].startswith(f"{p}:13:12: needs-fix: error: ") and lines[3].endswith("[not as expected]")
    assert lines[4].startswith(f"{p}:14:1: malformed: error: ") and "claim is empty" in lines[4]
    assert len(lines) == 6


def test_the_checkers_own_wording_is_in_course_notation():
    from symbackprop.report import course_text
    assert course_text("at boundary z2_1 = 0 (z2_1 = 0) point") == "at boundary z^(2)_1 = 0 (z^(2)_1 = 0) point"
    assert course_text("W1_2_3, b0_1, a1_2, delta3_1, yhat_2") == "W^(1)_23, b^(0)_1, a^(1)_2, δ^(3)_1, ŷ_2"
    assert course_text(r"x_1, u_2, myW1_2_3, \z2_1") == r"x_1, u_2, myW1_2_3, \z2_1"    # not ours: unchanged


def test_chain_sides_split_only_at_top_level_equals():
    from symbackprop.report import chain_sides
    assert chain_sides(r"\sum_{k=1}^{C} y_{k} = \left(a = b\right) = 1") == [r"\sum_{k=1}^{C} y_{k}",
                                                                             r"\left(a = b\right)", "1"]
    assert chain_sides(None) is None


def test_the_json_of_the_projects_own_derivation_files_validates(capsys):
    """The course file and the mistakes folder through the real command line (the whole derivations/ folder
    validates too, in about two minutes: the pytest plugin checks it already)."""
    import os
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "derivations")
    code = main(["check", os.path.join(root, "mle_ex4_task1.yaml"), os.path.join(root, "mistakes"),
                 "--format", "json", *FAST])
    doc = json.loads(capsys.readouterr().out)
    validate(doc)
    assert code == 0 and doc["ok"] is True and doc["summary"]["files"] == 3
    assert {v for f in doc["files"] for v in f["summary"]} == {"proved", "refuted"}


BATCH = r"""network: {sizes: [2, 3, 2], batch: 3, layout: LAYOUT}
claims:
  - id: flipped
    expect: false
    claim: \Delta^{(2)} = \frac{1}{m}(Y - \hat{Y})
"""


@pytest.mark.parametrize("layout", ["rows", "columns"])
def test_a_batch_counterexample_gives_X_and_Y_as_matrices_that_reproduce_it(layout, tmp_path, capsys):
    """X and Y in the course's layout (rows: m x d0, columns: d0 x m); a separate NumPy forward pass of the
    batch (Z = X W + 1 b in rows, Z = W X + b 1^T in columns) gives the reported Ŷ and Δ^(2) = (Ŷ - Y)/m."""
    path = tmp_path / "batch.yaml"
    path.write_text(BATCH.replace("LAYOUT", layout), encoding="utf-8")
    assert main(["check", str(path), "--format", "json", *FAST]) == 0
    doc = json.loads(capsys.readouterr().out)
    validate(doc)
    ce = doc["files"][0]["claims"][0]["counterexample"]
    pv = ce["point_values"]
    X, Y = np.array(pv["X"], float), np.array(pv["Y"], float)
    assert X.shape == ((3, 2) if layout == "rows" else (2, 3)) and Y.shape == ((3, 2) if layout == "rows" else (2, 3))
    assert list(X.ravel()) == pv["x"] and list(Y.ravel()) == pv["y"]            # the same values, flattened
    W0, W1 = np.array(pv["W"]["0"], float), np.array(pv["W"]["1"], float)
    b0, b1 = np.array(pv["b"]["0"], float).ravel(), np.array(pv["b"]["1"], float).ravel()
    if layout == "rows":
        Z2 = np.maximum(X @ W0 + b0, 0) @ W1 + b1
        Yhat = np.exp(Z2) / np.exp(Z2).sum(axis=1, keepdims=True)
    else:
        Z2 = W1 @ np.maximum(W0 @ X + b0[:, None], 0) + b1[:, None]
        Yhat = np.exp(Z2) / np.exp(Z2).sum(axis=0, keepdims=True)
    r, c = ce["entry"][0] - 1, ce["entry"][1] - 1
    assert ce["lhs"] == pytest.approx((Yhat[r, c] - Y[r, c]) / 3, rel=1e-9)       # the true Δ^(2)
    assert ce["rhs"] == pytest.approx((Y[r, c] - Yhat[r, c]) / 3, rel=1e-9)       # as claimed
    assert main(["check", str(path), "-v", *FAST]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "point:" in ln)
    assert line.strip().startswith("point: X = [") and line.count(";") == X.shape[0] - 1 + Y.shape[0] - 1


COLUMNS = r"""network: {sizes: [2, 2, 2]}
claims:
  - {id: flow, claim: "a^{(1)} = \\foo"}
  - id: single
    claim: 'a^{(1)} = ''x'' + \foo'
  - id: plain
    given:
      - z^{(1)}_1 > 0
    claim: a^{(1)}_1 = \foo
  - id: folded
    claim: >-
      a^{(1)} =
      \foo
  - id: given-list
    given:
      - z^{(1)}_1 > 0
      - z^{(1)}_2 \le \foo
    claim: a^{(1)}_1 = 0
  - id: given-plain
    given: z^{(1)}_1 \le \foo
    claim: a^{(1)}_1 = 0
"""


def test_error_columns_only_where_the_text_stands_as_read(tmp_path, capsys):
    # a one-line claim or given written exactly as read gives the token's line and column (typed in by hand
    # from the file above); escapes (\\, '') or folding change the text, so those give the entry's line only
    path = tmp_path / "c.yaml"
    path.write_text(COLUMNS, encoding="utf-8")
    main(["check", str(path), "--format", "short", *FAST])
    got = {ln.split(": ")[1]: ln.split(": ")[0].rsplit(":", 2)[1:] for ln in capsys.readouterr().out.splitlines()
           if ": error" in ln}
    assert got == {"flow": ["3", "1"], "single": ["4", "1"], "plain": ["9", "24"], "folded": ["10", "1"],
                   "given-list": ["17", "23"], "given-plain": ["20", "26"]}


@pytest.mark.parametrize("verdict, step, shown", [
    ("refuted", 2, {"step", "assumptions"}), ("proved", None, {"assumptions"}),
    ("inconclusive", 2, {"assumptions"}), ("error", None, set()),
])
def test_text_html_and_tex_show_the_same_details(verdict, step, shown):
    # one rule for every rendering (issue 15): a refuted claim's failing step; assumptions whenever used
    from symbackprop.check import ClaimResult
    from symbackprop.export import export_report
    from symbackprop.report import render_check_html, render_check_text
    from symbackprop.suite import FileReport
    spec = load_spec_text("network: {sizes: [2, 3, 2]}\nclaims:\n  - {id: a, claim: 'x_1 = x_1'}\n", "u.yaml")
    assumptions = () if verdict == "error" else ("KINKASSUMPTION",)
    r = ClaimResult("a", "x_1 = x_1", verdict, step=step, message="m", assumptions=assumptions)
    rep = FileReport(spec, (r,))
    tex = re.sub(r"\\mbox\{([^}]*)\}", r"\1", export_report([rep]).replace("\\allowbreak{}", ""))
    outputs = {"text": render_check_text(rep), "html": render_check_html(rep), "tex": tex}
    for name, out in outputs.items():
        got = {k for k, says in (("step", ("step 2", "Step: 2", "step: 2")), ("assumptions", ("KINKASSUMPTION",)))
               if any(s in out for s in says)}
        assert got == shown, (name, out[-600:])
