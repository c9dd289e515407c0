"""The verdict table (verdicts.py): one row per verdict, the order a claim's steps combine in, and the
renderings that read it (hand-typed expectations, not the table itself)."""
import json

import pytest

from symbackprop.check import VERDICTS as CHECK_VERDICTS
from symbackprop.verdicts import VERDICTS, Verdict, holds, style, worse


def test_the_five_verdicts_in_their_published_order():
    assert VERDICTS == ("proved", "numerically-equal", "refuted", "error", "inconclusive")
    assert CHECK_VERDICTS == VERDICTS                       # re-exported where callers always found it


@pytest.mark.parametrize("verdict, holding", [("proved", True), ("numerically-equal", True), ("refuted", False),
                                              ("error", False), ("inconclusive", False)])
def test_only_proved_and_numerically_equal_hold(verdict, holding):
    assert holds(verdict) is holding and holds(Verdict(verdict)) is holding


def test_unknown_strings_are_no_verdict():
    assert style("unknown") is None and style("") is None and holds("trivial") is False


def test_the_worst_step_decides_a_claim():
    order = ["proved", "numerically-equal", "inconclusive", "refuted"]       # better to worse
    for i, a in enumerate(order):
        for j, b in enumerate(order):
            assert worse(a, b) is (i > j), (a, b)


def test_marks_and_colours_of_the_reports():
    assert [(style(v).mark, style(v).colour) for v in VERDICTS] == [
        ("✓", "green"), ("≈", "green"), ("✗", "red"), ("!", "magenta"), ("?", "yellow")]
    assert style("refuted").html == "#cf222e" and style("numerically-equal").tex == r"\textbf{numerically equal}"


def test_a_verdict_reads_as_its_string_everywhere():
    v = Verdict.NUMERICALLY_EQUAL
    assert v == "numerically-equal" and str(v) == "numerically-equal" and f"{v:>20}" == f"{'numerically-equal':>20}"
    assert json.dumps({"verdict": v}) == '{"verdict": "numerically-equal"}'
