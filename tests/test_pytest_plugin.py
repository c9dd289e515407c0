"""The pytest plugin: derivation files as test suites (run through pytester, in process)."""
import os

import pytest

from symbackprop.check import DIAGNOSES

pytest_plugins = ["pytester"]

# The plugin comes in through the pytest11 entry point; load it by hand only if autoloading is off
# (loading it both ways would register the same module twice).  Hypothesis's plugin is blocked in the
# inner runs: pytester restores sys.modules after each run, so it would re-import hypothesis every time.
PLUGIN = ["-p", "no:hypothesispytest"] + (
    ["-p", "symbackprop.pytest_plugin"] if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD") else [])

NETWORK = """\
title: tiny regression head
network:
  sizes: [2, 3, 2]
  activation: tanh
  output: identity
  loss: mse
claims:
"""
PROVED = """\
  - id: output-error
    claim: '\\delta^{(L)} = \\hat{y} - y'
"""
SIGN_FLIPPED = """\
  - id: output-error-sign
    note: the sign is flipped on purpose
    claim: '\\delta^{(L)} = y - \\hat{y}'
"""
EXPECTED_FALSE = """\
  - id: forgot-the-half
    expect: false
    claim: '\\delta^{(L)} = 2(\\hat{y} - y)'
"""


@pytest.fixture
def project(pytester):
    """A pytester project with its own (empty) ini file, so the rootdir is the project directory."""
    pytester.makeini("[pytest]\n")
    return pytester


def write(pytester, relpath, *claims, header=NETWORK):
    """Write a derivation file with ``claims`` at ``relpath`` (below the project)."""
    path = pytester.path / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "".join(claims), encoding="utf-8")
    return path


def run(pytester, *args):
    return pytester.runpytest(*PLUGIN, *args)


@pytest.fixture
def calls(monkeypatch):
    """Record the ``only`` set of every check_spec call the plugin makes (the check still runs)."""
    import symbackprop.suite as suite

    seen, real = [], suite.check_spec

    def spy(spec, *args, **kwargs):
        seen.append(set(kwargs["only"]))
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(suite, "check_spec", spy)
    return seen


def test_passing_file_one_item_per_claim_with_node_ids(project, calls):
    write(project, "derivations/sub/ok.yaml", PROVED, EXPECTED_FALSE)
    collected = run(project, "--collect-only", "-q")
    collected.stdout.fnmatch_lines(["derivations/sub/ok.yaml::output-error",
                                    "derivations/sub/ok.yaml::forgot-the-half"])
    assert calls == []  # collecting checks nothing
    result = run(project, "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["derivations/sub/ok.yaml::output-error PASSED*",
                                 "derivations/sub/ok.yaml::forgot-the-half PASSED*"])
    assert calls == [{"output-error", "forgot-the-half"}]  # one batched check for the whole file


def test_expected_false_claim_that_is_refuted_passes(project):
    write(project, "derivations/mistakes.yml", EXPECTED_FALSE)
    run(project).assert_outcomes(passed=1)


def test_false_claim_fails_with_a_readable_report(project):
    write(project, "derivations/wrong.yaml", PROVED, SIGN_FLIPPED)
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*_ claim output-error-sign _*",
        "refuted, expected proved (diagnosis: sign)",
        "  at: * derivations/wrong.yaml:10 (claim 'output-error-sign')",
        "  claim: * \\delta^{(L)} = y - \\hat{y}",
        "  verdict: * refuted",
        "  expected: * proved or numerically-equal (expect: true)",
        "  failing step: * 1",
        "  message: *",
        f"  diagnosis: * sign — {DIAGNOSES['sign']}",      # in the order every rendering shares (report.details)
        "  counterexample: *ŷ_1 = *",
        "  note: * the sign is flipped on purpose",
        "FAILED derivations/wrong.yaml::output-error-sign - refuted, expected proved*",
    ])
    assert "Traceback" not in out and "pytest_plugin.py" not in out and "ClaimFailure" not in out


def test_expected_false_claim_that_holds_fails(project):
    claim = PROVED.replace("output-error\n", "output-error\n    expect: false\n")
    write(project, "derivations/d.yaml", claim)
    result = run(project)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["proved, expected refuted", "  expected: * refuted (expect: false)"])


def test_invalid_file_is_one_failed_item_and_the_session_goes_on(project):
    write(project, "derivations/ok.yaml", PROVED)
    write(project, "derivations/bad.yaml", "network: [1\n", header="")
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*derivations/bad.yaml: invalid YAML: * (line 2)",
                                 "FAILED derivations/bad.yaml::file - *invalid YAML*"])
    out = result.stdout.str()
    assert "Traceback" not in out and "pytest_plugin.py" not in out and "SpecLoadError" not in out


def test_malformed_claim_entry_is_that_claims_failure(project):
    write(project, "derivations/ok.yaml", PROVED)
    write(project, "derivations/bad.yaml", NETWORK + PROVED.replace("claim:", "claims:"), header="")
    result = run(project)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*derivations/bad.yaml: claim 'output-error': key 'claims': unknown key 'claims' "
                                 "in claim; did you mean 'claim'? (line 9)"])
    out = result.stdout.str()
    assert "Traceback" not in out and "pytest_plugin.py" not in out


def test_select_claims_by_id_and_check_only_those(project, calls):
    write(project, "derivations/d.yaml", PROVED, SIGN_FLIPPED, EXPECTED_FALSE)
    result = run(project, "-k", "forgot-the-half", "-v")
    result.assert_outcomes(passed=1, deselected=2)
    result.stdout.fnmatch_lines(["derivations/d.yaml::forgot-the-half PASSED*"])
    assert calls == [{"forgot-the-half"}]
    calls.clear()
    # -k matches substrings of the id: output-error selects output-error and output-error-sign
    run(project, "-k", "output-error and not sign").assert_outcomes(passed=1, deselected=2)
    assert calls == [{"output-error"}]


def test_derivation_marker(project):
    write(project, "derivations/d.yaml", PROVED)
    project.makepyfile(test_plain="def test_plain():\n    pass\n")
    run(project, "-m", "derivation").assert_outcomes(passed=1, deselected=1)
    run(project, "-m", "not derivation", "--strict-markers").assert_outcomes(passed=1, deselected=1)


def test_reportinfo_and_location(project):
    write(project, "derivations/d.yaml", PROVED, EXPECTED_FALSE)
    items, _ = project.inline_genitems(*PLUGIN)
    assert [it.nodeid for it in items] == ["derivations/d.yaml::output-error", "derivations/d.yaml::forgot-the-half"]
    path, line, name = items[1].reportinfo()
    assert (path, line, name) == (project.path / "derivations" / "d.yaml", 9, "claim forgot-the-half")
    assert items[1].location == ("derivations/d.yaml", 9, "claim forgot-the-half")
    assert items[0].get_closest_marker("derivation") is not None


def test_inert_outside_a_derivations_directory(project):
    write(project, "config.yaml", "key: [unclosed\n", header="")       # not even valid YAML
    write(project, "other/derivation.yml", PROVED)
    write(project, "derivations.yaml", PROVED)                         # a file, not a directory
    result = run(project)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.assert_outcomes()
    # named on the command line without --derivations: still not collected
    named = run(project, "other/derivation.yml")
    assert named.ret == pytest.ExitCode.USAGE_ERROR            # pytest: "not found: … (no match …)"
    assert "no match" in named.stderr.str() and "collected 0 items" in named.stdout.str()


def test_derivations_flag_collects_files_named_on_the_command_line(project):
    write(project, "other/derivation.yml", PROVED)
    write(project, "other/unrelated.yaml", "key: [unclosed\n", header="")
    run(project, "--derivations", "other/derivation.yml").assert_outcomes(passed=1)
    # a directory argument does not make every YAML file in it a derivation file
    assert run(project, "--derivations", "other").ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_derivations_glob_ini_option(project):
    project.makeini("[pytest]\nderivations_glob =\n    course/*.yaml\n    *.claims.yml\n")
    write(project, "course/ex4/a.yaml", PROVED)
    write(project, "notes/b.claims.yml", PROVED)
    write(project, "notes/c.yaml", "key: [unclosed\n", header="")
    result = run(project, "--collect-only", "-q")
    result.stdout.fnmatch_lines(["course/ex4/a.yaml::output-error", "notes/b.claims.yml::output-error"])
    assert "c.yaml" not in result.stdout.str()


# claims that take far longer than the 1 ms limit below (a given: points constructed inside it, no shortcut),
# so that neither can end before the limit is enforced
PROVED_GIVEN = PROVED.replace("    claim:", "    given: 'y_1 \\le 0'\n    claim:")
EXPECTED_FALSE_GIVEN = EXPECTED_FALSE.replace("    claim:", "    given: 'y_1 \\le 0'\n    claim:")


def test_inconclusive_fails_or_xfails_with_allow_inconclusive(project):
    write(project, "derivations/d.yaml", PROVED_GIVEN, EXPECTED_FALSE_GIVEN)
    result = run(project, "--derivations-timeout", "0.001")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["inconclusive, expected proved", "  message: * time limit: *"])
    result = run(project, "--derivations-timeout", "0.001", "--derivations-allow-inconclusive", "-rx")
    result.assert_outcomes(xfailed=2)
    result.stdout.fnmatch_lines(["XFAIL derivations/d.yaml::output-error - inconclusive: time limit*"])


@pytest.mark.parametrize("args", [["--derivations-timeout", "0"], ["--derivations-memory-mb", "-5"]])
def test_invalid_limits_are_a_usage_error(project, args):
    write(project, "derivations/d.yaml", PROVED)
    result = run(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: symbackprop: *must be a positive*"])


@pytest.mark.parametrize("workerinput, expected", [
    ({}, [{"output-error"}, {"forgot-the-half"}]),                       # xdist "load": claim by claim
    ({"symbackprop_dist": "loadfile"}, [{"output-error", "forgot-the-half"}]),  # whole file per worker
])
def test_xdist_worker_batches_only_when_a_file_stays_on_one_worker(project, calls, workerinput, expected):
    project.makeconftest(f"def pytest_configure(config):\n    config.workerinput = {workerinput!r}\n")
    write(project, "derivations/d.yaml", PROVED, EXPECTED_FALSE)
    run(project).assert_outcomes(passed=2)
    assert calls == expected


@pytest.mark.parametrize("args, words", [
    (["--derivations-timeout", "1e10"], ["--derivations-timeout", "at most 86400"]),
    (["--derivations-memory-mb", "99999999999999"], ["--derivations-memory-mb", "at most 1048576"]),
    (["--derivations-file-timeout", "0"], ["--derivations-file-timeout", "positive"]),
    (["--derivations-file-timeout", "1e300"], ["--derivations-file-timeout", "at most 604800"]),
])
def test_limits_out_of_range_are_a_usage_error_naming_the_option(project, args, words):
    write(project, "derivations/d.yaml", PROVED)
    result = run(project, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = result.stderr.str()
    for w in words:
        assert w in err, (w, err)
    assert "Traceback" not in err


SLOW = """\
  - id: slow
    claim: '(u+v+q)^{60}(u-v+q)^{60} = ((u+q)^2-v^2)^{60}'
"""


def test_file_timeout_makes_unfinished_claims_inconclusive(project):
    write(project, "derivations/d.yaml", PROVED, SLOW)
    result = run(project, "--derivations-file-timeout", "2", "--derivations-timeout", "300")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["inconclusive, expected proved", "  message: * file time budget exhausted"])
    assert result.duration < 120


HOMEWORK_MD = "---\nnetwork: {sizes: [2, 3, 2], activation: tanh, output: identity, loss: mse}\n---\n" \
              "Prose and $x$.\n\n$$\\delta^{(L)} = \\hat{y} - y \\label{out}$$\n\n<!-- expect: false -->\n" \
              "$$\\delta^{(L)} = y - \\hat{y}$$\n"


def test_homework_files_are_collected_only_when_named_or_globbed(project):
    path = project.path / "derivations" / "notes.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HOMEWORK_MD, encoding="utf-8")
    run(project).assert_outcomes()                                   # a .md in derivations/ is left alone
    result = run(project, "--derivations", "derivations/notes.md", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*notes.md::out PASSED*", "*notes.md::line-9 PASSED*"])
    project.makeini("[pytest]\nderivations_glob = derivations/*.md\n")
    run(project).assert_outcomes(passed=2)
