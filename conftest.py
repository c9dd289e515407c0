"""The test tiers of the repository (README, "Testing"), here so that they apply to tests/ and derivations/ alike.

* default (`python -m pytest -q -n auto --dist worksteal`): everything not marked below.
* heavy: tests that take seconds each -- whole tables checked in worker processes, property (hypothesis)
  runs, real servers, signals and time limits that must run out, pdflatex documents, the larger rows of
  grids, the derivation claims that take seconds today.  Not in the default run; CI runs them as its second
  step (`-m heavy`); `--run-slow` runs them too.
* slow: rows of the adversarial table and of the full batch grid that take seconds to minutes each
  (marked in their files); only with `--run-slow` (or `-m slow`), as before.

Left-out tiers are deselected, not skipped: the pytest plugin checks the selected claims of a derivation file
in one batch, and a skipped claim would still be in it.
"""
import collections
import json
import os
import resource
import sys
import time
from pathlib import Path

import pytest

# Bytecode of the test modules (pytest's assertion rewriting, ~2 s per pytest process: every xdist worker and
# every child pytest of a test) and of the package.  Where the environment turns bytecode off
# (PYTHONDONTWRITEBYTECODE), each process rewrote and compiled everything again; the tests keep it under
# .pytest_cache/ instead (ignored by git, safe to delete), never beside the sources.
# SYMBACKPROP_TESTS_NO_PYC=1 keeps bytecode off.
if sys.dont_write_bytecode and not os.environ.get("SYMBACKPROP_TESTS_NO_PYC"):
    sys.pycache_prefix = str(Path(__file__).resolve().parent / ".pytest_cache" / "pycache")
    sys.dont_write_bytecode = False

# Property tests (hypothesis) draw the same examples on every run and keep no example database: a run of CI
# fails only where the code changed, never on a draw (tests that want more, e.g. LONG fuzzing, say so).
try:
    from hypothesis import settings as _hyp_settings
except ImportError:       # the dev extra is not installed: no property test runs
    pass
else:
    _hyp_settings.register_profile("symbackprop", derandomize=True, database=None)
    _hyp_settings.load_profile("symbackprop")

# HEAVY lists node-id prefixes (tests/ and derivations/ alike) with the reason (and, for grids, the parameter
# parts that make a row heavy); a prefix that matches no collected test fails a test, so a renamed test cannot
# silently fall back into the default run (tests/test_tiers.py).

HEAVY = {
    # adversarial tables: hundreds of claims in bounded workers (a session fixture checks them all)
    "tests/test_adversarial.py::test_adversarial[": "adversarial table",
    "tests/test_adversarial_batches.py::test_batch_adversarial[": "adversarial table",
    "tests/test_adversarial_notation2.py::test_adversarial_notation[": "adversarial table",
    # grids: the default run keeps depth 1 and 2 of every activation x head x weights; CI the rest
    "tests/test_closed_forms.py::test_every_closed_form_is_proved[": ("grid rows sizes2 (3,2,3,2) and "
                                                                      "sizes3 (2,16,3)", ("-sizes2]", "-sizes3]")),
    "tests/test_closed_forms.py::test_closed_forms_match_high_precision_finite_differences[": "mpmath FD",
    # softmax + BCE: every entry proved on its own and two wrong entries refused take 2.4 s (the other seven
    # heads 0.1-0.2 s each; softmax + CE and softmax + MSE keep the symmetry route in the default run)
    "tests/test_closed_forms.py::test_output_error_by_class_symmetry[": ("row of softmax + BCE", ("pair7]",)),
    "tests/test_batches.py::test_grid_heads_losses_layouts[": ("grid rows with l2 = 1/10", ("-l2=1/10]",)),
    "tests/test_numeric.py::test_every_activation_and_head_depth_two[": ("grid rows with incoming weights",
                                                                        ("-incoming]",)),
    "tests/test_derive.py::test_derived_gradients_equal_naive_diff_of_the_composed_loss[": (
        "rows with incoming weights (naive diff of the composed loss)", ("incoming-",)),
    # property-based (hypothesis) runs
    "tests/test_fuzz_notation.py::test_fuzz_": "hypothesis",
    "tests/test_fuzz_bounded.py::test_random_files_": "hypothesis through bounded workers",
    "tests/test_notation.py::test_random_nesting_only_raises_notation_errors_and_is_order_independent": "hypothesis",
    "tests/test_spec.py::test_arbitrary_": "hypothesis",
    "tests/test_symmetry.py::test_true_entrywise_claims_are_proved_through_the_permutation_of_units[": (
        "row of sigmoid BP2 by entry at [8,8,8] (2 s; the vector form and the other rows stay)", ("sigmoid-bp2-entry]",)),
    "tests/test_fasteval.py::test_random_expressions_agree_with_evalf_or_decline": "150 random expressions "
                                                                                    "against evalf at 200 digits",
    "tests/test_spec.py::test_hostile_yaml_ends_fast_with_a_clear_error[": "YAML bombs",
    # preset rows whose claims take seconds to prove
    "tests/test_profiles.py::test_preset_reads_its_source[cs231n:L_i": "proof of seconds",
    "tests/test_profiles.py::test_preset_reads_its_source[nielsen:\\\\delta^L": "proof of seconds",
    "tests/test_profiles.py::test_preset_reads_its_source[goodfellow:": "proofs of seconds",
    "tests/test_profiles.py::test_derivative_forms[": "proofs of seconds",
    "tests/test_profiles.py::test_sigma_with_two_readings_is_an_error_unless_settled": "proofs of seconds",
    "tests/test_profiles.py::test_an_index_repeated_on_one_side_only_is_not_for_all": "proofs of seconds",
    # real processes, servers, signals, limits that must run out
    "tests/test_serve.py::": "a real server per module or test",
    # (its cases run in a child pytest that must not deselect them: only the parent test is heavy)
    "tests/test_browser.py::test_the_page_in_a_real_browser": "headless Chromium in a child pytest",
    "tests/test_cluster.py::": "a dask cluster",
    "tests/test_tiers.py::": "collects the whole suite twice",
    "tests/test_cli.py::test_a_signal_stops_check_kills_its_workers": "signals to a CLI subprocess",
    "tests/test_cli.py::test_sigterm_during_json_output": "signals to a CLI subprocess",
    "tests/test_cli.py::test_a_failed_write_leaves_the_old_output_whole": "CLI subprocess",
    "tests/test_cli.py::test_check_prints_each_claim_once": "CLI subprocess, claims of minutes",
    "tests/test_cli.py::test_a_terminal_gets_a_progress_line": "CLI subprocess on a pty",
    "tests/test_cli.py::test_no_progress_line_when_stderr_is_not_a_terminal": "CLI subprocess",
    "tests/test_cli.py::test_file_timeout_": "a file budget that must run out",
    "tests/test_runner.py::test_other_start_methods[": "forkserver/spawn import SymPy afresh",
    "tests/test_runner.py::test_run_here_uses_the_cpu_limit_when_sigalrm_is_taken": "a CPU limit that must run out",
    "tests/test_runner.py::test_cpu_limit_is_a_timeout_and_says_cpu": "a CPU limit that must run out",
    "tests/test_runner.py::test_workers_and_what_they_started_die_when_the_parent_is_killed[": "killed parents",
    # limits that must run out, seconds each (the default run keeps a wall-clock limit, a CPU-bound loop and
    # the kill of grandchildren: test_sleep_past_the_wall_clock_is_a_timeout, test_busy_loop_is_a_timeout,
    # test_timeout_kills_grandchildren)
    "tests/test_runner.py::test_hostile_jobs_do_not_affect_the_others": "limits that must run out, 2 s of CPU",
    "tests/test_runner.py::test_a_worker_stalled_at_the_memory_limit_is_memory_not_time": "a stall that must "
                                                                                         "run out",
    "tests/test_runner.py::test_job_that_closes_its_pipe_is_crashed_or_timed_out": "a limit that must run out",
    "tests/test_runner.py::test_a_batch_deadline_stops_running_jobs_and_skips_the_rest": "a deadline, 3 s",
    "tests/test_runner.py::test_a_job_limit_before_the_deadline_is_still_a_timeout": "a limit that must run out",
    "tests/test_runner.py::test_group_budgets_are_per_group_and_start_with_the_groups_first_job": "budgets that "
                                                                                                  "must run out",
    "tests/test_runner.py::test_a_job_of_several_groups_runs_until_the_latest_of_their_budgets": "budgets, 2 s",
    "tests/test_runner.py::test_run_here_stops_a_busy_loop_at_the_wall_clock_and_puts_the_limits_back": "a busy "
                                                                                                        "loop",
    "tests/test_runner.py::test_run_here_interrupts_again_after_an_interrupt_was_swallowed": "a busy loop",
    "tests/test_resultcache.py::test_the_cli_reuses_the_cache_unless_told_not_to": "three CLI subprocesses (the "
                                                                                   "cache's logic: in process)",
    "tests/test_suite.py::test_workers_of_a_warm_parent_import_and_derive_nothing": "probe subprocess",
    "tests/test_suite.py::test_the_probe_sees_what_a_cold_parent_leaves_to_its_workers": "probe subprocess",
    "tests/test_soundness.py::test_boundary_points_do_not_depend_on_the_hash_seed": "subprocesses per hash seed",
    "tests/test_check.py::test_numerically_equal_needs_the_full_number_of_random_points": "20+ points at 50/80 digits",
    "tests/test_check.py::test_the_memory_limit_is_inconclusive_saying_memory": "a memory limit that must run out",
    "tests/test_check.py::test_a_claim_over_the_time_limit_is_inconclusive": "a time limit that must run out",
    "tests/test_grade_course.py::test_a_forced_timeout_is_retried_then_flagged": "time limits that must run out",
    "tests/test_grade.py::test_reference_graded_against_itself_scores_full": "a whole course file, graded",
    "tests/test_grade.py::test_each_submission_has_its_own_budget": "budgets that must run out",
    "tests/test_grade.py::test_a_reference_too_large_to_read_in_time_is_a_clear_error": "a time limit that must "
                                                                                        "run out",
    # two workers spin until a 2 s file budget runs out (4 s of CPU); the plugin's file budget stays in the
    # default run (tests/test_pytest_plugin.py)
    "tests/test_suite.py::test_the_file_budget_of_each_file_starts_with_its_own_claims": "a file budget that must "
                                                                                          "run out",
    # the project's derivation files again, or whole documents through pdflatex
    "tests/test_report.py::test_the_json_of_the_projects_own_derivation_files_validates": "every derivation file",
    "tests/test_export.py::test_cli_export_writes_a_document_and_a_fragment": "pdflatex",
    "tests/test_export.py::test_every_exported_equation_reads_back_and_is_proved[3-4-4-3": "every entry proved",
    "tests/test_export.py::test_export_from_a_file_has_its_claims_with_verdicts_and_compiles": "pdflatex",
    "tests/test_export.py::test_check_report_compiles_with_verdicts_steps_and_counterexamples": "pdflatex",
    "tests/test_notation.py::test_read_as_report_compiles_and_shows_the_deltas": "pdflatex",
    "tests/test_homework.py::test_error_locations_are_the_files_line_and_column": "many files checked",
    "tests/test_homework.py::test_the_example_homework_checks_as_expected": "a whole homework checked",
}


def heavy_reason(nodeid):
    """The HEAVY entry's reason if ``nodeid`` is heavy, else None."""
    for prefix, why in HEAVY.items():
        if nodeid.startswith(prefix):
            if isinstance(why, tuple):
                why, parts = why
                if not any(p in nodeid[len(prefix):] for p in parts):
                    continue
            return why
    return None


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="also run tests marked slow and heavy (the default run leaves both out)")
    parser.addoption("--cpu-report", action="store_true", default=False,
                     help="write each test's CPU seconds (its process's and its waited-for children's, fixtures "
                          "included) to .pytest_cache/cpu-report.jsonl and sum them per test file in the summary")


def pytest_configure(config):
    if config.getoption("--cpu-report") and not hasattr(config, "workerinput"):      # the controller starts it
        _cpu_path(config).parent.mkdir(parents=True, exist_ok=True)
        _cpu_path(config).write_text("")
    config.addinivalue_line("markers", "slow: takes seconds to minutes per item; only with --run-slow (or -m slow)")
    config.addinivalue_line("markers", "heavy: takes seconds; not in the default run, CI runs it (-m heavy)")


@pytest.hookimpl(tryfirst=True)      # before -m is applied, so that -m heavy sees the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if heavy_reason(item.nodeid) is not None:
            item.add_marker(pytest.mark.heavy)
    markexpr = config.getoption("markexpr") or ""
    if config.getoption("--run-slow"):
        return
    left_out = [m for m in ("slow", "heavy") if m not in markexpr]    # a -m expression naming a tier decides it
    if not left_out:
        return
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(m) for m in left_out) else keep).append(item)
    if drop:
        # deselected, not skipped: the plugin checks a derivation file's selected claims in one batch
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
        config._symbackprop_left_out = (len(drop), left_out)


def pytest_terminal_summary(terminalreporter, config):
    if config.getoption("--cpu-report") and not hasattr(config, "workerinput"):
        _cpu_summary(terminalreporter, _cpu_path(config))
    left = getattr(config, "_symbackprop_left_out", None)
    if left:
        terminalreporter.write_line(f"{left[0]} tests marked {' or '.join(left[1])} were deselected: CI runs the "
                                    "heavy ones (python -m pytest -q -m heavy), --run-slow runs them all")


# --cpu-report: where the suite's CPU goes (issue 16 measures CPU, which drifts less than wall time on a
# shared machine).  Each pytest process (each xdist worker) appends a line per test and one for its start-up
# and collection; the summary adds them up per test file.
def _cpu_now():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _cpu_path(config):
    """A flag, not an option with a value: a value after a space would be taken for a test path by xdist's
    workers, which parse the arguments before they read this file."""
    return Path(config.rootpath) / ".pytest_cache" / "cpu-report.jsonl"


def _cpu_record(config, **row):
    with open(_cpu_path(config), "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session):
    yield
    if session.config.getoption("--cpu-report"):
        _cpu_record(session.config, id="<start-up and collection>", cpu=_cpu_now())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not item.config.getoption("--cpu-report"):
        yield
        return
    before = _cpu_now()
    yield
    _cpu_record(item.config, id=item.nodeid, cpu=_cpu_now() - before)


def _cpu_summary(terminalreporter, path, top=15):
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    per_file = collections.Counter()
    for row in rows:
        per_file[row["id"].split("::")[0]] += row["cpu"]
    tests = [r for r in rows if "::" in r["id"]]
    terminalreporter.write_line(f"CPU: {sum(r['cpu'] for r in tests):.1f} s in {len(tests)} tests, "
                                f"{per_file['<start-up and collection>']:.1f} s start-up and collection "
                                f"(an xdist controller's own CPU is not in it); the {top} costliest:")
    for name, cpu in per_file.most_common(top):
        terminalreporter.write_line(f"  {cpu:7.2f} s  {name}")
