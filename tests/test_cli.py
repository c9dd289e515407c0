r"""``symbackprop check``: exit codes 0/1/2, text and JSON output, colour rules, several files, hostile input.

Expected verdicts and counts are written by hand (see tests/test_check.py for the mathematics).
"""
import io
import json
import re

import pytest

from symbackprop.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ANSI = re.compile(r"\x1b\[")
ANSI_SEQ = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")       # a whole CSI sequence (colour, cursor, erase)
ANSI_SEQ_B = re.compile(ANSI_SEQ.pattern.encode())
FAST = ["--timeout", "20", "--jobs", "2"]

NET = """network:
  sizes: [2, 3, 2]
"""
GOOD = "title: good\n" + NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L)} = \hat{y} - y'
  - id: flipped-sign
    expect: false
    claim: '\delta^{(L)} = y - \hat{y}'
  - id: grad-shape
    claim: '\nabla_{W^{(1)}}\mathcal{L} \in \mathbb{R}^{C \times d_1}'
"""
# expected: proved, refuted (as expected), proved -> exit 0

MSE_CHAIN = """title: chain
network:
  sizes: [2, 3, 2]
  activation: tanh
  output: identity
  loss: mse
claims:
  - id: chain-step-2
    expect: false
    claim: '\\delta^{(L)}_i = \\hat{y}_i - y_i = 2(\\hat{y}_i - y_i) = 2\\hat{y}_i - 2y_i'
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage_error(code, out, err, *fragments):
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symbackprop: error:"), err
    assert "Traceback" not in err
    for f in fragments:
        assert f in err, (f, err)


# ----------------------------------------------------------------------------------------------
# exit codes


def test_exit_0_when_every_claim_ends_as_expected(tmp_path, capsys):
    code, out, err = run(capsys, "check", write(tmp_path, "good.yaml", GOOD), *FAST)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].endswith("good.yaml — good")
    verdicts = {ln.split()[1]: ln.split()[2] for ln in lines if ln.startswith("  ") and ln.split()[0] in "✓≈✗!?"}
    assert verdicts == {"output-error": "proved", "flipped-sign": "refuted", "grad-shape": "proved"}
    assert "(expected to fail)" in out and "NOT as expected" not in out
    assert "all as expected" in lines[-1] and "2 proved" in lines[-1] and "1 refuted" in lines[-1]


def test_a_failure_shows_step_counterexample_and_diagnosis(tmp_path, capsys):
    code, out, _ = run(capsys, "check", write(tmp_path, "good.yaml", GOOD), *FAST)
    block = out.split("flipped-sign", 1)[1].split("grad-shape", 1)[0]
    assert block.lstrip().startswith("refuted")
    assert "fails at step 1" in block
    assert "counterexample:" in block and "y_1 =" in block
    assert "diagnosis: sign" in block
    assert "✗" in out.split("flipped-sign", 1)[0].splitlines()[-1]


def test_the_failing_step_of_a_chain_is_printed(tmp_path, capsys):
    code, out, _ = run(capsys, "check", write(tmp_path, "chain.yaml", MSE_CHAIN), *FAST)
    assert code == 0
    assert "fails at step 2" in out and "diagnosis: constant-factor" in out


@pytest.mark.parametrize("claims", [
    # expected to hold, refuted
    "  - id: wrong\n    claim: '\\delta^{(L)} = y - \\hat{y}'\n",
    # expected to fail, proved
    "  - id: right\n    expect: false\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n",
    # unreadable: an error is never as expected
    "  - id: unreadable\n    claim: '\\delta^{(L)} = \\foo'\n",
    "  - id: unreadable\n    expect: false\n    claim: '\\delta^{(L)} = \\foo'\n",
], ids=["refuted", "proved-but-expected-false", "error", "error-expected-false"])
def test_exit_1_when_a_claim_does_not_end_as_expected(tmp_path, capsys, claims):
    ok = "  - id: fine\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
    code, out, err = run(capsys, "check", write(tmp_path, "f.yaml", NET + "claims:\n" + ok + claims), *FAST)
    assert code == 1, out + err
    assert "NOT as expected" in out and "SOME CLAIMS NOT AS EXPECTED" in out
    assert "fine" in out and "Traceback" not in out + err


def test_an_error_claim_names_the_token(tmp_path, capsys):
    text = NET + "claims:\n  - id: unreadable\n    claim: '\\delta^{(L)} = \\foo'\n"
    code, out, _ = run(capsys, "check", write(tmp_path, "f.yaml", text), *FAST)
    assert code == 1
    assert re.search(r"! unreadable\s+error", out)
    assert "unknown command \\foo" in out


# ----------------------------------------------------------------------------------------------
# usage errors: one line on stderr, exit 2, never a traceback


def assert_file_error(code, out, err, *fragments):
    """A file that cannot be read is that file's error entry: reported on stdout, exit 1, no traceback."""
    assert code == 1, out + err
    assert "Traceback" not in out + err
    for f in fragments:
        assert f in out, (f, out)


def test_missing_file(tmp_path, capsys):
    missing = str(tmp_path / "nope.yaml")
    code, out, err = run(capsys, "check", missing)
    assert_file_error(code, out, err, missing, "no such file")
    assert out.startswith(missing + "\n  ! ")


def test_missing_second_file_is_reported_and_the_first_is_checked(tmp_path, capsys):
    good = write(tmp_path, "good.yaml", GOOD)
    missing = str(tmp_path / "nope.yaml")
    code, out, err = run(capsys, "check", good, missing, *FAST)
    assert_file_error(code, out, err, "no such file")
    assert re.search(r"✓ output-error\s+proved", out) and out.index("good.yaml") < out.index("nope.yaml")
    assert out.rstrip().splitlines()[-1].startswith("total: 2 files, 3 claims: 2 proved, 1 refuted")
    assert "1 file not readable" in out


def test_a_broken_file_between_good_ones_in_every_format(tmp_path, capsys):
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", "network: [unclosed\n")
    chain = write(tmp_path, "chain.yaml", MSE_CHAIN)
    code, out, _ = run(capsys, "check", good, bad, chain, "--format", "json", *FAST)
    doc = json.loads(out)
    assert code == 1 and [f["file"] for f in doc["files"]] == [good, bad, chain]
    assert [f["status"] for f in doc["files"]] == ["checked", "error", "checked"]
    assert "invalid YAML" in doc["files"][1]["error"]["message"] and doc["files"][1]["error"]["location"]["line"] == 2   # the end of the flow sequence
    assert doc["summary"]["files_with_errors"] == 1 and doc["summary"]["claims"] == 4 and doc["ok"] is False
    code, out, _ = run(capsys, "check", good, bad, chain, "--format", "short", *FAST)
    lines = out.splitlines()
    assert code == 1 and len(lines) == 5 and lines[3].startswith(f"{bad}:2:1: (file): error: ")


@pytest.mark.parametrize("text, fragments", [
    ("network: [unclosed\n", ["invalid YAML", "line"]),
    ("network:\n  sizes: [2, 3, 2]\nclaims:\n  - id: a\n    claim: 'x = x'\n   bad-indent: 1\n", ["invalid YAML"]),
    ("\tnetwork: 1\n", ["invalid YAML"]),
    (NET + "claims: []\n", ["claims is empty"]),
    ("network:\n  sizes: [2, 3, 2]\n  activation: swish\nclaims:\n  - id: a\n    claim: 'x_1 = x_1'\n",
     ["unknown activation 'swish'"]),
    ("", ["empty file"]),
])
def test_invalid_files(tmp_path, capsys, text, fragments):
    path = write(tmp_path, "bad.yaml", text)
    assert_file_error(*run(capsys, "check", path), path, *fragments)


def test_yaml_python_tags_are_not_executed(tmp_path, capsys):
    marker = tmp_path / "pwned"
    text = f"network: !!python/object/apply:os.system ['touch {marker}']\nclaims: []\n"
    assert_file_error(*run(capsys, "check", write(tmp_path, "evil.yaml", text)))
    assert not marker.exists()


def test_a_directory_is_every_derivation_file_under_it(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    b = write(tmp_path / "sub", "b.yml", MSE_CHAIN)
    a = write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "notes.txt", "not a derivation")
    code, out, _ = run(capsys, "check", str(tmp_path), "--format", "short", *FAST)
    assert code == 0
    assert [ln.split(":")[0] for ln in out.splitlines()] == [a] * 3 + [b]


def test_files_between_options_and_quoted_globs(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", GOOD)
    b = write(tmp_path / "", "b.yaml", MSE_CHAIN)
    code, out, _ = run(capsys, "check", a, "--format", "short", str(tmp_path / "b*.yaml"), *FAST,
                       str(tmp_path / "none*.yaml"))
    lines = out.splitlines()
    assert code == 1 and [ln.split(":")[0] for ln in lines] == [a] * 3 + [b, str(tmp_path / "none*.yaml")]
    assert lines[-1].endswith("(file): error: " + str(tmp_path / "none*.yaml") + ": matches no file")


def test_an_empty_directory_is_an_error_entry(tmp_path, capsys):
    assert_file_error(*run(capsys, "check", str(tmp_path)), "no *.yaml/*.yml")


def test_standard_input(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(GOOD.encode())))
    code, out, _ = run(capsys, "check", "-", "--format", "short", *FAST)
    assert code == 0
    assert out.splitlines() == ["<stdin>:5:1: output-error: proved",
                                "<stdin>:7:1: flipped-sign: refuted (sign) [expected to fail]",
                                "<stdin>:10:1: grad-shape: proved"]


def test_version(capsys):
    from importlib.metadata import version
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"symbackprop {version('symbackprop')}"


def test_every_option_has_help_text():
    from symbackprop.cli import build_parser
    parser = build_parser()
    subs = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    missing = [(name, a.option_strings or a.dest) for name, p in [("", parser), *subs.items()] for a in p._actions
               if not a.help]
    assert missing == []


@pytest.mark.parametrize("argv", [
    ["derive", "--sizes", "2,2", "--format", "latex"],
    ["derive", "--sizes", "2,2", "--format", "tex"],
    ["export", "--sizes", "2,2", "--to", "tex", "--fragment"],
    ["export", "--sizes", "2,2", "--format", "tex", "--fragment"],
])
def test_format_spellings_old_and_new(capsys, argv):
    assert main(argv) == 0
    assert "\\begin{align*}" in capsys.readouterr().out


def test_head_and_its_old_spelling(capsys):
    assert main(["export", "--sizes", "2,2", "--head", "sigmoid", "--loss", "bce", "--fragment"]) == 0
    new = capsys.readouterr().out
    assert main(["export", "--sizes", "2,2", "--output", "sigmoid", "--loss", "bce", "--fragment"]) == 0
    assert capsys.readouterr().out == new


@pytest.mark.parametrize("argv", [
    [],
    ["check"],
    ["frobnicate"],
    ["check", "--format", "xml", "x.yaml"],
    ["derive", "--sizes", "2,2", "--activation", "swish"],
    ["check", "--timeout", "soon", "x.yaml"],
    ["check", "--no-such-flag", "x.yaml"],
])
def test_bad_command_lines(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("flag, value", [("--timeout", "-1"), ("--timeout", "0"), ("--timeout", "nan"),
                                         ("--memory-mb", "0"), ("--jobs", "0")])
def test_non_positive_limits_are_usage_errors(tmp_path, capsys, flag, value):
    assert_usage_error(*run(capsys, "check", write(tmp_path, "good.yaml", GOOD), flag, value))


# ----------------------------------------------------------------------------------------------
# JSON


def test_json_of_one_file(tmp_path, capsys):
    path = write(tmp_path, "good.yaml", GOOD)
    code, out, _ = run(capsys, "check", path, "--format", "json", *FAST)
    assert code == 0
    top = json.loads(out)
    assert top["schema"] == 1 and top["ok"] is True and len(top["files"]) == 1
    doc = top["files"][0]
    assert {"file", "title", "network", "claims", "summary", "status"} <= set(doc)
    assert doc["file"] == path and doc["title"] == "good" and doc["status"] == "checked"
    assert doc["network"]["sizes"] == [2, 3, 2] and doc["network"]["activation"] == "relu"
    assert doc["network"]["relu_prime_at_zero"] == 0
    assert doc["summary"] == {"proved": 2, "refuted": 1}
    keys = {"id", "claim", "verdict", "step", "message", "diagnosis", "counterexample", "assumptions", "seconds",
            "location", "fix"}
    for c in doc["claims"]:
        assert keys <= set(c)
        assert isinstance(c["assumptions"], list) and isinstance(c["seconds"], (int, float))
    by_id = {c["id"]: c for c in doc["claims"]}
    assert [c["id"] for c in doc["claims"]] == ["output-error", "flipped-sign", "grad-shape"]
    assert [c["location"]["line"] for c in doc["claims"]] == [5, 7, 10]        # counted by hand in GOOD
    assert by_id["output-error"]["verdict"] == "proved" and by_id["output-error"]["counterexample"] is None
    assert any("sum_k y_k = 1" in a for a in by_id["output-error"]["assumptions"])
    bad = by_id["flipped-sign"]
    assert (bad["verdict"], bad["step"], bad["diagnosis"]["code"]) == ("refuted", 1, "sign")
    assert "negative of the true value" in bad["diagnosis"]["text"]
    ce = bad["counterexample"]
    assert {"point", "entry", "lhs", "rhs", "values", "point_values"} <= set(ce)
    assert ce["entry"] in ([1], [2]) and ce["lhs"] == -ce["rhs"] and isinstance(ce["lhs"], float)
    assert ce["difference"] == pytest.approx(2 * ce["lhs"], rel=1e-9)
    assert by_id["flipped-sign"]["claim"] == r"\delta^{(L)} = y - \hat{y}"


def test_json_of_several_files_is_one_document(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", GOOD)
    b = write(tmp_path, "b.yaml", MSE_CHAIN)
    code, out, _ = run(capsys, "check", a, b, "--format", "json", *FAST)
    assert code == 0
    top = json.loads(out)
    docs = top["files"]
    assert top["schema"] == 1 and [d["file"] for d in docs] == [a, b]
    assert docs[1]["summary"] == {"refuted": 1}
    assert docs[1]["claims"][0]["step"] == 2
    assert top["summary"]["verdicts"] == {"proved": 2, "refuted": 2} and top["summary"]["files"] == 2


def test_several_files_exit_1_if_any_file_fails(tmp_path, capsys):
    a = write(tmp_path, "a.yaml", GOOD)
    b = write(tmp_path, "b.yaml", NET + "claims:\n  - id: wrong\n    claim: '\\delta^{(L)} = y - \\hat{y}'\n")
    code, out, _ = run(capsys, "check", a, b, *FAST)
    assert code == 1
    assert "a.yaml" in out and "b.yaml" in out
    assert out.count("summary:") == 2


def test_only_selects_claims(tmp_path, capsys):
    code, out, _ = run(capsys, "check", write(tmp_path, "good.yaml", GOOD), "--only", "flipped-sign",
                       "--format", "json", *FAST)
    assert code == 0
    assert [c["id"] for c in json.loads(out)["files"][0]["claims"]] == ["flipped-sign"]


# ----------------------------------------------------------------------------------------------
# colour


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def _text_output(tmp_path, monkeypatch, no_color):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    fake = FakeTTY()
    monkeypatch.setattr("sys.stdout", fake)
    code = main(["check", write(tmp_path, "good.yaml", GOOD), *FAST])
    return code, fake.getvalue()


def test_a_terminal_gets_colour(tmp_path, monkeypatch):
    code, out = _text_output(tmp_path, monkeypatch, None)
    assert code == 0 and ANSI.search(out)


def test_no_color_turns_colour_off(tmp_path, monkeypatch):
    code, out = _text_output(tmp_path, monkeypatch, "1")
    assert code == 0 and not ANSI.search(out) and "output-error" in out


def test_a_pipe_gets_no_colour(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    code, out, err = run(capsys, "check", write(tmp_path, "good.yaml", GOOD), *FAST)
    assert code == 0 and not ANSI.search(out + err)
    monkeypatch.setenv("FORCE_COLOR", "1")                  # asked for explicitly (rich honours it)
    code, forced, _ = run(capsys, "check", write(tmp_path, "good.yaml", GOOD), *FAST)
    timing = re.compile(r"[0-9.]+s\]")
    assert code == 0 and ANSI.search(forced) and timing.sub("", ANSI_SEQ.sub("", forced)) == timing.sub("", out)


# ----------------------------------------------------------------------------------------------
# hostile claims through the command line


def test_hostile_claims_are_reported_and_the_rest_still_checked(tmp_path, capsys):
    marker = tmp_path / "pwned"
    text = NET + f"""claims:
  - id: huge
    claim: '10^{{10^{{10}}}} = 0'
  - id: tower
    claim: '9^{{9^{{9^9}}}} = 0'
  - id: nested
    claim: '{"(" * 1000}x_1{")" * 1000} = 0'
  - id: inject
    claim: "\\\\operatorname{{__import__('os').system('touch {marker}')}} = 0"
  - id: text
    claim: '\\text{{rm -rf /}} = 0'
  - id: fine
    claim: '\\delta^{{(L)}} = \\hat{{y}} - y'
"""
    code, out, err = run(capsys, "check", write(tmp_path, "hostile.yaml", text), "--timeout", "5", "--jobs", "2")
    assert code == 1 and "Traceback" not in out + err
    for cid in ("huge", "tower", "nested", "inject", "text"):
        assert re.search(rf"! {cid}\s+error", out), cid
    assert re.search(r"✓ fine\s+proved", out)
    assert not marker.exists()


@pytest.mark.parametrize("entry, key, fragment", [
    ("    claim: '" + "x_1 + " * 100_000 + "x_1 = 0'\n", "claim", "the limit is"),
    ("    claim: 'x_1 = x_1'\n    colour: red\n", "colour", "unknown key 'colour'"),
    ("    claim: ''\n", "claim", "empty"),
])
def test_a_malformed_claim_entry_is_that_claims_error_and_the_rest_is_checked(tmp_path, capsys, entry, key,
                                                                                fragment):
    text = NET + "claims:\n  - id: bad\n" + entry + "  - id: good\n    claim: '\\delta^{(L)} = \\hat{y} - y'\n"
    path = write(tmp_path, "bad.yaml", text)
    code, out, err = run(capsys, "check", path, "--format", "json", *FAST)
    assert code == 1 and "Traceback" not in err
    by_id = {c["id"]: c for c in json.loads(out)["files"][0]["claims"]}
    assert by_id["good"]["verdict"] == "proved"
    bad = by_id["bad"]
    assert bad["verdict"] == "error" and f"key '{key}'" in bad["message"] and fragment in bad["message"]
    assert path in bad["message"] and "(line " in bad["message"]


# ----------------------------------------------------------------------------------------------
# derive


def test_derive_text_names_every_closed_form_and_its_assumptions(capsys):
    assert main(["derive", "--sizes", "3,4,3", "--points", "2"]) == 0
    out = capsys.readouterr().out
    for name in ("delta^(2)", "grad_W^(1)", "grad_b^(1)", "grad_W^(0)", "grad_b^(0)", "delta^(1) [relu]"):
        assert name in out, name
    assert "sum_k y_k = 1" in out and "phi'(0) = 0" in out
    assert out.rstrip().endswith("all closed forms proved and verified")


def test_derive_json_records(capsys):
    assert main(["derive", "--sizes", "2,3,2", "--activation", "tanh", "--output", "identity", "--loss", "mse",
                 "--weights", "incoming", "--format", "json", "--points", "2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True and doc["network"]["weights"] == "incoming"
    by_name = {r["name"]: r for r in doc["closed_forms"]}
    grad = by_name["grad_W^(2)"]
    assert grad["shape"] == [2, 3] and grad["proved"] is True and grad["assumptions"] == []
    assert grad["closed_form"]["latex"] == r"\nabla_{W^{(2)}}\mathcal{L} = \delta^{(2)}\,(a^{(1)})^{\top}"
    # the numeric witnesses (tolerances of numeric.TOLERANCES: 1e-9 and 1e-5)
    assert grad["numeric"]["numpy_backprop"] <= 1e-9 and grad["numeric"]["finite_differences"] <= 1e-5


def test_derive_latex_is_the_fragment(capsys):
    assert main(["derive", "--sizes", "3,4,3", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}") and r"\delta^{(2)} &= \hat{y} - y" in out     # layers by number


@pytest.mark.parametrize("argv, words", [
    (["derive", "--sizes", "3,4,3", "--activation", "mish"], ["activation", "mish"]),
    (["derive", "--sizes", "3,x"], ["--sizes"]),
    (["derive", "--sizes", "3,4,1"], ["softmax", "2 classes"]),
    (["derive", "--sizes", "3,4,3", "--seed", "-1"], ["--seed"]),
    (["derive", "--sizes", "3,4,3", "--points", "0"], ["--points"]),
    (["derive", "--sizes", "3,4,3", "--relu-prime-at-zero", "1e999999"], ["relu_prime_at_zero"]),
    (["derive", "--sizes", "3,4,3", "--timeout", "0"], ["--timeout"]),
    (["derive", "--sizes", "64,64,64", "--timeout", "0.5"], ["time limit"]),
    (["export", "--from", "derivations/mle_ex4_task1.yaml", "--activation", "tanh"], ["--activation", "--from"]),
    (["check", "derivations/mle_ex4_task1.yaml", "--only", "nosuch"], ["--only", "nosuch"]),
    (["check", "derivations/mle_ex4_task1.yaml", "--jobs", "0"], ["--jobs"]),
])
def test_usage_errors_name_the_flag(argv, words, capsys, monkeypatch):
    import os
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err, (w, err)


def test_output_into_a_closed_pipe_is_quiet(tmp_path):
    import subprocess
    import sys
    proc = subprocess.run(f"{sys.executable} -m symbackprop.cli derive --sizes 3,4,3 --no-numeric | head -1",
                          shell=True, capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("sizes 3-4-3") and "Traceback" not in proc.stderr, proc.stderr


def test_terminal_escapes_in_a_file_never_reach_the_terminal(tmp_path, capsys):
    # YAML double quotes turn \e, \a, \r, \u202e into ESC, BEL, CR and a bidi override
    text = ('title: "t\\e]0;pwned\\a\\e[2J\\rX\\u202e"\n' + NET +
            'claims:\n  - id: a\n    claim: "x_1 = \\e[31mred\\e[0m"\n    note: "\\e]8;;http://x\\a"\n'
            '  - id: b\n    claim: "\\\\delta^{(L)} = \\\\hat{y} - y"\n')
    path = write(tmp_path, "esc.yaml", text)
    code, out, err = run(capsys, "check", path, *FAST)
    assert code == 1 and "Traceback" not in err
    for bad in ("\x1b", "\x07", "\r", "\u202e", "\x9b"):
        assert bad not in out and bad not in err, repr(bad)
    assert "]0;pwned" not in out                 # the OSC payload (a window title) is dropped whole
    assert "proved" in out


# ----------------------------------------------------------------------------------------------
# signals: workers die with the CLI, finished verdicts are printed (subprocesses; /proc is read to
# find the workers, and every pid seen is killed at the end whatever happens)

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

SLOW = NET + r"""claims:
  - id: fast
    claim: '\delta^{(L)} = \hat{y} - y'
  - id: slow
    claim: '(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}'
"""
# fast: proved in well under a second of CPU; slow: minutes of CPU (expanding a degree-240 product)
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid):
    """(state, ppid, cpu seconds) of ``pid`` from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid) -> list:
    """Live (not zombie) child processes of ``pid``."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st and st[1] == pid and st[0] not in ("Z", "X"):
                out.append(int(d))
    return out


def _gone(pid) -> bool:
    st = _stat(pid)
    return st is None or st[0] in ("Z", "X")


def _wait_gone(pids, seconds):
    """Poll until every pid is gone (or a zombie); returns the survivors, which are then killed."""
    end = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < end:
        alive = {p for p in alive if not _gone(p)}
        if alive:
            time.sleep(0.05)
    for p in alive:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return alive


def _default_signals():
    """In the child before exec: SIGINT/SIGHUP as a terminal would deliver them (a CI runner started in
    the background or under nohup passes them on ignored, and an ignored signal stays ignored)."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _start_check(path, *extra):
    return subprocess.Popen([sys.executable, "-m", "symbackprop.cli", "check", path, "--timeout", "300",
                             "--jobs", "1", *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", preexec_fn=_default_signals)


def _wait_for_slow_worker(proc, seen, seconds=180):
    """With --jobs 1 the claims run in order: a worker past 1 s of CPU is the slow claim's, so the fast
    claim has finished. Returns its pid (every worker pid seen is added to ``seen``)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end and proc.poll() is None:
        for pid in _children(proc.pid):
            if pid not in seen:
                seen.append(pid)
            st = _stat(pid)
            if st and st[2] >= 1.0:
                return pid
        time.sleep(0.05)
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL],
                         ids=["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"])
def test_a_signal_stops_check_kills_its_workers_and_keeps_the_finished_verdicts(tmp_path, sig):
    path = write(tmp_path, "slow.yaml", SLOW)
    proc = _start_check(path)
    seen = []
    try:
        worker = _wait_for_slow_worker(proc, seen)
        assert worker is not None, f"the slow claim never ran: {proc.poll()} {proc.stderr.read() if proc.poll() is not None else ''}"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        survivors = _wait_gone(seen, 20)
    assert not survivors, f"workers {survivors} outlived the parent after {signal.Signals(sig).name}"
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        return
    name = signal.Signals(sig).name
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"symbackprop: interrupted by {name}"), err
    assert "1 of 2 claims not checked" in lines[0]
    assert re.search(r"✓ fast\s+proved", out), out                      # the finished verdict is printed
    assert re.search(r"\? slow\s+inconclusive", out), out
    assert f"not checked: interrupted by {name}" in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_during_json_output_gives_a_complete_document(tmp_path):
    path = write(tmp_path, "slow.yaml", SLOW)
    proc = _start_check(path, "--format", "json")
    seen = []
    try:
        assert _wait_for_slow_worker(proc, seen) is not None
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        survivors = _wait_gone(seen, 20)
    assert not survivors
    assert proc.returncode == 143, err
    doc = json.loads(out)["files"][0]
    by_id = {c["id"]: c for c in doc["claims"]}
    assert by_id["fast"]["verdict"] == "proved"
    assert by_id["slow"]["verdict"] == "inconclusive"
    assert by_id["slow"]["message"] == "not checked: interrupted by SIGTERM"
    assert doc["ok"] is False


# ----------------------------------------------------------------------------------------------
# a time budget per file


def test_file_timeout_ends_the_file_in_about_the_budget_and_keeps_the_rest(tmp_path, capsys):
    # 190 quick claims, then 10 distinct claims of minutes each: whatever the machine's speed, the budget ends
    # the file with some claims proved and the slow ones unfinished (a fast machine once finished 200 quick ones)
    quick = ["\\delta^{(L)} = \\hat{y} - y", "x_1 + x_2 = x_2 + x_1"] * 95
    slow = [f"(u+v+q)^{{{n}}}(u-v+q)^{{{n}}} = ((u+q)^2-v^2)^{{{n}}}" for n in range(60, 70)]
    claims = "".join(f"  - id: c{i}\n    claim: '{c}'\n" for i, c in enumerate(quick + slow))
    path = write(tmp_path, "many.yaml", NET + "claims:\n" + claims)
    t0 = time.monotonic()
    code, out, err = run(capsys, "check", path, "--file-timeout", "3", "--jobs", "2", "--timeout", "20",
                         "--format", "json")
    elapsed = time.monotonic() - t0
    assert code == 1 and "Traceback" not in err
    results = json.loads(out)["files"][0]["claims"]
    assert [r["id"] for r in results] == [f"c{i}" for i in range(200)]       # the report is whole
    verdicts = [r["verdict"] for r in results]
    assert set(verdicts) <= {"proved", "inconclusive"}, set(verdicts)
    assert "proved" in verdicts and "inconclusive" in verdicts
    assert all(v == "inconclusive" for v in verdicts[190:])
    assert all(r["message"] == "file time budget exhausted" for r in results if r["verdict"] == "inconclusive")
    assert elapsed < 3 + 12, elapsed        # the budget plus reading, warming and slack for a loaded machine


def test_file_timeout_in_grade_makes_unfinished_cells_inconclusive(tmp_path, capsys):
    ref = write(tmp_path, "ref.yaml", SLOW)
    subs = tmp_path / "subs"
    subs.mkdir()
    write(subs, "a.yaml", SLOW)
    code, out, err = run(capsys, "grade", str(subs), "--against", ref, "--file-timeout", "2", "--timeout", "300",
                         "--format", "json")
    assert "Traceback" not in err
    row = json.loads(out)["rows"][0]
    assert row["claims"]["fast"]["verdict"] == "proved"
    slow = row["claims"]["slow"]
    assert (slow["verdict"], slow["scored"], slow["message"], slow["diagnosis"], slow["retried"]) == \
        ("inconclusive", False, "file time budget exhausted", None, False)     # the TA's budget: no retry


# ----------------------------------------------------------------------------------------------
# numeric flags are range-checked as usage errors, in every subcommand


GOOD_FILE = "derivations/mle_ex4_task1.yaml"


@pytest.mark.parametrize("argv, flag, words", [
    (["check", GOOD_FILE, "--timeout", "1e10"], "--timeout", ["at most 86400"]),
    (["check", GOOD_FILE, "--timeout", "inf"], "--timeout", ["at most 86400"]),
    (["check", GOOD_FILE, "--memory-mb", "99999999999999"], "--memory-mb", ["at most 1048576"]),
    (["check", GOOD_FILE, "--jobs", "100000"], "--jobs", ["at most 256"]),
    (["check", GOOD_FILE, "--file-timeout", "0"], "--file-timeout", ["positive"]),
    (["check", GOOD_FILE, "--file-timeout", "1e300"], "--file-timeout", ["at most 604800"]),
    (["grade", "derivations", "--against", GOOD_FILE, "--timeout", "1e10"], "--timeout", ["at most 86400"]),
    (["grade", "derivations", "--against", GOOD_FILE, "--memory-mb", "99999999999999"], "--memory-mb",
     ["at most 1048576"]),
    (["grade", "derivations", "--against", GOOD_FILE, "--jobs", "100000"], "--jobs", ["at most 256"]),
    (["derive", "--sizes", "2,3,2", "--timeout", "1e10"], "--timeout", ["at most 86400"]),
    (["derive", "--sizes", "2,3,2", "--memory-mb", "99999999999999"], "--memory-mb", ["at most 1048576"]),
    (["derive", "--sizes", "2,3,2", "--points", "1000000000", "--timeout", "5"], "--points", ["at most 10000"]),
    (["derive", "--sizes", "2,3,2", "--seed", str(2**64), "--timeout", "5"], "--seed", ["4294967295"]),
    (["export", "--sizes", "2,3,2", "--timeout", "1e10"], "--timeout", ["at most 86400"]),
    (["export", "--sizes", "2,3,2", "--memory-mb", "99999999999999"], "--memory-mb", ["at most 1048576"]),
])
def test_numeric_flags_out_of_range_are_usage_errors_naming_flag_and_range(argv, flag, words, capsys, monkeypatch):
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code, out, err = run(capsys, *argv)
    assert_usage_error(code, out, err, flag, *words)


# ----------------------------------------------------------------------------------------------
# -o never overwrites an input, and writes atomically


REF = NET + r"""claims:
  - id: output-error
    claim: '\delta^{(L)} = \hat{y} - y'
"""


@pytest.fixture
def grading(tmp_path):
    ref = tmp_path / "ref.yaml"
    ref.write_text(REF)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_text(REF)
    os.link(ref, tmp_path / "hardlink.csv")
    os.symlink(ref, tmp_path / "symlink.csv")
    os.link(subs / "a.yaml", tmp_path / "sub-hardlink.csv")
    (subs / "deeper").mkdir()
    (subs / "deeper" / "notes.txt").write_text("a student's notes\n")
    return tmp_path, ref, subs


@pytest.mark.parametrize("output, words", [
    ("ref.yaml", ["reference file"]),
    ("./subs/../ref.yaml", ["reference file"]),
    ("hardlink.csv", ["reference file"]),
    ("symlink.csv", ["reference file"]),
    ("subs/a.yaml", ["submissions folder"]),
    ("subs/new.yml", ["new submission", "submissions folder"]),
    ("subs/deeper/notes.txt", ["submissions folder"]),
    ("subs", ["submissions folder"]),
    ("sub-hardlink.csv", ["a.yaml", "submissions folder"]),
])
def test_grade_output_never_overwrites_an_input(grading, output, words, capsys, monkeypatch):
    root, ref, subs = grading
    monkeypatch.chdir(root)
    before = {p: p.read_bytes() for p in (ref, subs / "a.yaml", subs / "deeper" / "notes.txt")}
    code, out, err = run(capsys, "grade", "subs", "--against", "ref.yaml", "-o", output, "--jobs", "2")
    assert_usage_error(code, out, err, "-o/--output", output, *words)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(os.listdir(subs)) == ["a.yaml", "deeper"]
    assert [n for n in os.listdir(root) + os.listdir(subs) if n.startswith(".symbackprop")] == []


def test_grade_output_elsewhere_or_a_new_non_yaml_file_is_written(grading, capsys, monkeypatch):
    """After a refused output, outputs that are no input are written (once here, not in each refused row)."""
    root, ref, subs = grading
    monkeypatch.chdir(root)
    code, out, err = run(capsys, "grade", "subs", "--against", "ref.yaml", "-o", "ref.yaml", "--jobs", "2")
    assert_usage_error(code, out, err, "-o/--output", "ref.yaml", "reference file")
    for fine in ("grades.csv", "subs/grades.csv"):          # elsewhere, or a new non-YAML file: written
        code, out, err = run(capsys, "grade", "subs", "--against", "ref.yaml", "-o", fine, "--jobs", "2")
        assert code == 0 and out == "" and "Traceback" not in err, err
        assert (root / fine).read_text().splitlines()[1].startswith("a,a.yaml,1,1,1,0,,")
    assert sorted(os.listdir(subs)) == ["a.yaml", "deeper", "grades.csv"]
    assert [n for n in os.listdir(root) + os.listdir(subs) if n.startswith(".symbackprop")] == []


def test_export_output_never_overwrites_the_from_file(grading, capsys, monkeypatch):
    root, ref, _ = grading
    monkeypatch.chdir(root)
    before = ref.read_bytes()
    for output in ("ref.yaml", "hardlink.csv", "symlink.csv"):
        code, out, err = run(capsys, "export", "--from", "ref.yaml", "-o", output)
        assert_usage_error(code, out, err, "-o/--out-file", output, "--from")
    assert ref.read_bytes() == before


def _export_with_file_size_limit(target, limit):
    """``symbackprop export`` in a subprocess whose files may not grow past ``limit`` bytes (RLIMIT_FSIZE):
    the write of the document fails part-way (EFBIG, SIGXFSZ is ignored by Python)."""
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([sys.executable, "-m", "symbackprop.cli", "export", "--sizes", "2,3,2", "-o", str(target)],
                          preexec_fn=cap, capture_output=True, text=True, timeout=300)


def test_a_failed_write_leaves_the_old_output_whole(tmp_path):
    target = tmp_path / "grads.tex"
    target.write_text("% the previous document\n")
    os.chmod(target, 0o640)
    proc = _export_with_file_size_limit(target, 1000)         # the document is several kB
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "cannot write the output" in proc.stderr and "grads.tex" in proc.stderr
    assert target.read_text() == "% the previous document\n"          # not truncated, not half-written
    assert sorted(os.listdir(tmp_path)) == ["grads.tex"]                # no temporary file left behind
    proc = subprocess.run([sys.executable, "-m", "symbackprop.cli", "export", "--sizes", "2,3,2", "-o", str(target)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert target.read_text().startswith("\\documentclass")
    assert os.stat(target).st_mode & 0o777 == 0o640                    # the file keeps its mode
    assert sorted(os.listdir(tmp_path)) == ["grads.tex"]


def test_non_utf8_output_names_are_written_and_reported_printably(grading, capsys):
    root, ref, subs = grading
    name = os.fsdecode(os.path.join(os.fsencode(root), b"grades-\xff\xfe.csv"))
    code, out, err = run(capsys, "grade", str(subs), "--against", str(ref), "-o", name, "--jobs", "2")
    assert code == 0 and "Traceback" not in err
    assert b"grades-\xff\xfe.csv" in os.listdir(os.fsencode(root))
    missing = os.fsdecode(os.path.join(os.fsencode(root), b"no-dir-\xff", b"out.csv"))
    code, out, err = run(capsys, "export", "--sizes", "2,3,2", "-o", missing)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1
    assert "no-dir-\\xff" in err and "cannot write the output" in err
    bad_ref = os.fsdecode(os.path.join(os.fsencode(root), b"ref-\xff.yaml"))
    os.link(ref, bad_ref)
    code, out, err = run(capsys, "grade", str(subs), "--against", bad_ref, "-o", bad_ref)
    assert_usage_error(code, out, err, "ref-\\xff.yaml", "reference file")


# ----------------------------------------------------------------------------------------------
# check's text output streams: each claim as soon as it and every claim before it are decided


STREAM = NET + r"""claims:
  - id: first
    claim: '\delta^{(L)} = \hat{y} - y'
  - id: slow
    claim: '(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}'
  - id: third
    claim: '\delta^{(L)} = \hat{y} - y'
"""


def _read_until(proc, needle, seconds=180):
    """Read proc.stdout (raw, as it comes) until ``needle`` is in it; what was read."""
    import select
    data, end = b"", time.monotonic() + seconds
    fd = proc.stdout.fileno()
    while needle not in data and time.monotonic() < end and proc.poll() is None:
        if select.select([fd], [], [], 0.1)[0]:
            data += os.read(fd, 65536)
    return data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_check_prints_each_claim_once_the_claims_before_it_are_printed(tmp_path):
    path = write(tmp_path, "stream.yaml", STREAM)
    proc = subprocess.Popen([sys.executable, "-m", "symbackprop.cli", "check", path, "--timeout", "300",
                             "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_signals)
    seen = []
    try:
        early = _read_until(proc, "✓ first".encode())
        assert "✓ first".encode() in early, early        # printed while the slow claim still runs
        # "third" starts when "first" ends (two workers) and takes well under a second of CPU: once the
        # only worker left is the slow one (past 1 s of CPU), twice 0.5 s apart, "third" is decided
        end, alone = time.monotonic() + 120, 0
        while time.monotonic() < end and alone < 2:
            kids = _children(proc.pid)
            seen += [k for k in kids if k not in seen]
            alone = alone + 1 if len(kids) == 1 and (_stat(kids[0]) or ("", 0, 0))[2] >= 1.0 else 0
            time.sleep(0.5)
        assert alone == 2, f"the third claim never finished beside the slow one: {seen}"
        early += _read_until(proc, b"third", seconds=1)
        assert b"third" not in early and b"slow" not in early, early   # held back behind "slow"
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        _wait_gone(seen, 20)
    text = (early + out).decode()
    assert proc.returncode == 143, err
    ids = [m.group(1) for m in re.finditer(r"^  \S (\S+)\s", text, re.M)]
    assert ids == ["first", "slow", "third"], text                     # file order, each claim once
    assert re.search(r"\? slow\s+inconclusive", text) and re.search(r"✓ third\s+proved", text), text
    assert text.startswith(path) and text.rstrip().splitlines()[-1].startswith("  summary:"), text


def test_streamed_text_is_the_report_rendered_at_the_end(tmp_path, capsys):
    from symbackprop.report import cross_summary, render_check_text
    from symbackprop.runner import Limits
    from symbackprop.spec import load_spec
    from symbackprop.suite import check_specs
    paths = [write(tmp_path, "good.yaml", GOOD), write(tmp_path, "chain.yaml", MSE_CHAIN),
             "derivations/mistakes/mse_mistakes.yaml"]
    code, out, err = run(capsys, "check", *paths, *FAST)
    reports = check_specs([load_spec(p) for p in paths], Limits(timeout=20, workers=2))
    whole = "\n\n".join(render_check_text(r) for r in reports) + "\n\n" + cross_summary(reports) + "\n"
    seconds = re.compile(r"\d+\.\d\ds\]")
    assert code == 0 and err == ""
    assert seconds.sub("s]", out) == seconds.sub("s]", whole)


def _check_with_stderr_on_a_pty(path):
    """Run check with stderr on a pseudo-terminal and stdout on a pipe: (stdout, stderr bytes)."""
    import pty
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "symbackprop.cli", "check", path, *FAST],
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:                  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    out = proc.stdout.read()
    proc.wait(60)
    os.close(master)
    return proc.returncode, out, err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminal")
def test_a_terminal_gets_a_progress_line_on_stderr_cleared_at_the_end(tmp_path):
    code, out, err = _check_with_stderr_on_a_pty(write(tmp_path, "good.yaml", GOOD))
    assert code == 0
    plain = ANSI_SEQ_B.sub(b"", err)
    assert b"0/3 claims decided" in plain and b"3/3 claims decided" in plain, err
    assert "━".encode() in plain                            # rich's bar
    # erased at the end: after the last drawing only cursor moves and an erase-line, nothing printed
    last = err.rsplit(b"3/3", 1)[1].rsplit(b"claims decided", 1)[-1]
    assert last.endswith(b"\x1b[2K") and re.fullmatch(rb"[\r\n ]*", ANSI_SEQ_B.sub(b"", last)), err
    assert b"\r" not in out and b"\x1b" not in out and b"claims decided" not in out and b"output-error" in out


def test_no_progress_line_when_stderr_is_not_a_terminal(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "symbackprop.cli", "check", write(tmp_path, "good.yaml", GOOD),
                           *FAST], capture_output=True, timeout=300)
    assert proc.returncode == 0 and proc.stderr == b"" and b"\r" not in proc.stdout


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_progress_line_estimates_the_time_left():
    from symbackprop.terminal import ProgressLine
    out, clock = FakeTTY(), _Clock()
    bar = ProgressLine(out, clock=clock)
    bar.show(0, 3, "claims decided")
    clock.now = 10                              # 1 of 3 claims took 10 s: about 20 s for the other two
    bar.show(1, 3, "claims decided")
    assert ANSI_SEQ.sub("", out.getvalue()).endswith("1/3 claims decided about 20 s left")
    clock.now = 600
    bar.show(1, 3, "claims decided")
    assert ANSI_SEQ.sub("", out.getvalue()).endswith("1/3 claims decided about 20 min left")
    bar.show(3, 3, "claims decided")
    assert ANSI_SEQ.sub("", out.getvalue()).rstrip().endswith("3/3 claims decided")
    bar.clear()
    assert out.getvalue().endswith("\x1b[2K")            # erased


def test_the_progress_line_strips_control_characters_and_honours_no_color(monkeypatch):
    from symbackprop.terminal import ProgressLine
    monkeypatch.setenv("NO_COLOR", "1")
    out = FakeTTY()
    ProgressLine(out).show(1, 2, "a\x1b]0;pwned\x07b\u202ec\rd")
    text = out.getvalue()
    assert "pwned" not in text and "\u202e" not in text and "\x07" not in text
    assert not re.search(r"\x1b\[[0-9;]*m", text)         # no colour (SGR); cursor control only
    assert "1/2 abc d" in ANSI_SEQ.sub("", text).replace("\r", "")


def test_a_dumb_terminal_gets_no_colour(tmp_path, monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    code, out = _text_output(tmp_path, monkeypatch, None)
    assert code == 0 and not ANSI.search(out) and "output-error" in out


def test_ids_of_wide_characters_keep_the_verdict_column_aligned():
    from symbackprop import Network, check_claim
    from symbackprop.report import check_text_claim, check_text_width
    net = Network((2, 2))
    results = [check_claim(net, i, r"\delta^{(L)} = \hat{y} - y") for i in ("梯度的符号", "grad-w")]
    width = check_text_width(r.id for r in results)
    lines = [check_text_claim(r, width)[0] for r in results]
    from rich.cells import cell_len
    cols = {cell_len(ln[:ln.index("proved")]) for ln in lines}
    assert len(cols) == 1 and width == 10, lines




def test_the_readme_example_output_is_what_check_prints(capsys, monkeypatch):
    """The README's example block (the three common mistakes) is the output of its command, timings aside."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    block = readme.split("## Example output", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    command, expected = block.split("\n", 2)[:2], block.split("\n", 2)[2]
    assert "--only flipped-sign" in command[0] and "--only chain-with-a-slip" in command[1]
    monkeypatch.chdir(root)
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out, _ = run(capsys, "check", "derivations/mistakes/mle_ex4_common_mistakes.yaml", "--only", "flipped-sign",
                       "--only", "transposed-gradient", "--only", "chain-with-a-slip", *FAST)
    timing = re.compile(r"\[as expected, [0-9.]+s\]")
    assert code == 0 and timing.sub("[t]", out) == timing.sub("[t]", expected)
    assert "well-conditioned random point" in out and "e-7" not in out


def test_the_command_exits_with_mains_code_after_freezing_the_heap(monkeypatch):
    import gc
    from symbackprop import cli
    calls = []
    monkeypatch.setattr(cli, "main", lambda argv=None: calls.append("main") or 3)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    with pytest.raises(SystemExit) as e:
        cli.run()
    assert e.value.code == 3 and calls == ["main", "freeze"]


def test_the_installed_command_is_run():
    import tomllib
    with open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pyproject.toml"), "rb") as f:
        assert tomllib.load(f)["project"]["scripts"]["symbackprop"] == "symbackprop.cli:run"
