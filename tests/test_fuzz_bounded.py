r"""Whole derivation files, generated at random, through the bounded checker (``suite.check_spec``).

Each example is a YAML derivation file: a small network and a list of claim entries built from LaTeX
fragments (quantities, ``\frac``, ``\sum``, indicators, huge exponents such as ``10^{10^{10}}``, deep
nesting such as 2,000 parentheses, long sums, Unicode junk, unknown commands, TeX primitives) plus
malformed entries (not a mapping, no claim, wrong types, unknown keys, bad or duplicate ids).  It is
read with ``load_spec_text`` and checked in worker processes under small limits, and we assert:

* every claim entry gets exactly one result, in file order, and only known verdicts appear;
* nothing escapes as an exception (a file-level problem is a one-line SpecError from the reader);
* the file's wall time stays within (claims x timeout + slack);
* no worker survives the check (the live children of this process are the same before and after);
* with a file time budget (``Limits.file_timeout``) the file ends within the budget plus slack, every
  claim still gets a result, and a claim cut short says "file time budget exhausted".

Profiles.  By default a fast, derandomized profile (a fixed sequence of a few examples, < 30 s, no
example database) so that CI is deterministic.  ``SYMBACKPROP_FUZZ=long`` runs many more, larger,
randomized examples (minutes); Hypothesis prints a failing file's reproduction as usual::

    SYMBACKPROP_FUZZ=long python -m pytest tests/test_fuzz_bounded.py -q
"""
import os
import sys
import time

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from symbackprop.check import VERDICTS
from symbackprop.errors import SpecError
from symbackprop.runner import Limits
from symbackprop.spec import load_spec_text
from symbackprop.suite import check_spec

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LONG = os.environ.get("SYMBACKPROP_FUZZ", "").lower() == "long"
TIMEOUT = 2.0
LIMITS = Limits(timeout=TIMEOUT, memory_mb=512, workers=2)
SLACK = 20.0                       # process start-up, warming the network's caches, a loaded 2-core host
MAX_CLAIMS = 12 if LONG else 4

PROFILE = settings(
    max_examples=150 if LONG else 8,
    derandomize=not LONG,
    database=None,
    deadline=None,
    print_blob=LONG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
                           HealthCheck.function_scoped_fixture],
)

BUDGET = 2.0
BUDGET_LIMITS = Limits(timeout=TIMEOUT, memory_mb=512, workers=2, file_timeout=BUDGET)
BUDGET_PROFILE = settings(PROFILE, max_examples=60 if LONG else 4)

# ----------------------------------------------------------------------------------------------
# LaTeX fragments

QUANTITIES = [
    r"\delta^{(L)}", r"\delta^{(1)}", r"\delta^{(L-1)}_i", r"\hat{y}", "y", r"\hat{y}_k", "y_k", "x", "x_1",
    r"z^{(1)}", r"z^{(L-1)}_i", r"a^{(1)}", r"a^{(0)}", r"W^{(1)}", r"W^{(1)}_{ij}", r"b^{(1)}", r"b^{(L-1)}",
    r"\mathcal{L}", "C", "d_1", "u", "v", "t", r"\varphi'(z^{(1)})", r"\sigma(u)", r"\tanh(v)",
    r"\nabla_{W^{(1)}}\mathcal{L}", r"\frac{\partial \mathcal{L}}{\partial z^{(1)}}", r"{a^{(0)}}^T",
    r"\mathbb{1}\{u > 0\}", r"\delta_{ik}", "0", "1", "2", r"\frac{1}{2}", "0.5", "10^{-200}",
]
HOSTILE = [
    "10^{10^{10}}", "9^{9^{9^9}}", "2^{2^{2^{2^{2^{2}}}}}", "(u+v)^{100000}", "e^{e^{e^{e^{u}}}}",
    "(" * 2000 + "x_1" + ")" * 2000, "{" * 500 + "u" + "}" * 500, " + ".join(["x_1"] * 1500),
    r"\frac{1}{" * 200 + "u" + "}" * 200, r"\sqrt{u}", r"\frobnicate{u}", r"\operatorname{relu}(u)",
    r"\text{rm -rf /}", r"\input{/etc/passwd}", r"\def\x{u}\x", r"\catcode`\^=13", r"\csname relax\endcsname",
    "\u202eu", "\u00e9", "\U0001f600", "\x00", "\x1b[2J", "\u200b", "\ud7ff", "u^23", r"\log 2u", r"\sigma^{-1}(u)",
    "u^{2}^{3}", r"\left(u\right.", "}{", "\\", "^", "_", "&", "#1", "%comment", "$u$", "0" * 400,
    "1e999999", "u_{" + "i" * 300 + "}", r"\sum_{k=1}^{10^{9}} u", r"\max(u, v)", r"\exp(\exp(\exp(u)))",
]
SCALARS = ["u", "v", "w", "t", "x_1", "y_2", "2", "-3", r"\frac{1}{3}", "10^{-200}", r"\sigma(u)", r"\varphi'(v)",
           r"\varphi(u)", r"\tanh(t)", r"\exp(u)", r"\log(u)", r"\max(u, 0)", r"\mathbb{1}\{u > 0\}", r"e^{v}"]
# heavy work over letters the default profile reads as scalars (w and t name a weight and a target in some
# textbooks: with them these claims would end as errors at once and test no bound)
HEAVY = ["(u+v+q)^{60}(u-v+q)^{60}", "((u+q)^2-v^2)^{60}", "(u+v)^{400}", "(v+u)^{400}", r"\frac{1}{(u-v)^{200}}",
         r"e^{e^{e^{e^{u}}}}", r"\tanh(\tanh(\tanh(u+v)))^{50}", "10^{10^{10}}", "(u^{2}+1)^{1000}",
         r"\exp(\exp(\exp(\exp(\exp(u)))))", "u^{99999}", "(q+1)^{5000} - (q+1)^{5000}"]
RELATIONS = ["=", "=", "=", r"\neq", r"\in \mathbb{R}^{2 \times 3}", "<", r"\le", " = ", "=="]
GIVENS = ["u > 0", r"z^{(1)}_i \le 0", "v < u", r"\hat{y}_k > 0", "u = v", r"\frobnicate > 0", "((u > 0"]


def _expr(leaves):
    def grow(children):
        return st.one_of(
            st.builds(lambda a, op, b: f"{a} {op} {b}", children,
                      st.sampled_from(["+", "-", r"\cdot", r"\odot", r"\circ", r"\otimes", "", "/"]), children),
            st.builds(lambda a, b: rf"\frac{{{a}}}{{{b}}}", children, children),
            st.builds(lambda a: f"({a})", children),
            st.builds(lambda a: f"{{{a}}}^T", children),
            st.builds(lambda a, n: f"({a})^{{{n}}}", children, st.sampled_from(["2", "-1", "10^{10}", "0.5", "n"])),
            st.builds(lambda f, a: rf"{f}({a})", st.sampled_from([r"\log", r"\exp", r"\sigma", r"\varphi", r"\tanh"]),
                      children),
            st.builds(lambda a: rf"\sum_{{k=1}}^{{C}} {a}", children),
        )
    return st.recursive(leaves, grow, max_leaves=5)


TAME = _expr(st.sampled_from(QUANTITIES))
SCALAR = _expr(st.one_of(st.sampled_from(SCALARS), st.sampled_from(SCALARS), st.sampled_from(HEAVY)))
WILD = _expr(st.one_of(st.sampled_from(QUANTITIES), st.sampled_from(HOSTILE), st.text(max_size=8)))


def _claim_text():
    def chain(first, expr):
        return st.builds(lambda a, rest, rel: f" {rel} ".join([a, *rest]), first,
                         st.lists(expr, min_size=1, max_size=3), st.sampled_from(RELATIONS))
    return st.one_of(chain(SCALAR, SCALAR), chain(st.sampled_from(QUANTITIES), TAME),
                     chain(st.sampled_from(HEAVY), st.sampled_from(HEAVY)), chain(st.sampled_from(QUANTITIES), WILD),
                     st.text(max_size=40))


IDS = st.from_regex(r"[a-z][a-z0-9\-]{0,8}", fullmatch=True)


def _good_entry():
    return st.fixed_dictionaries(
        {"id": IDS, "claim": _claim_text()},
        optional={"given": st.one_of(st.sampled_from(GIVENS), st.lists(st.sampled_from(GIVENS), max_size=3)),
                  "expect": st.booleans(), "note": st.text(max_size=20)})


def _bad_entry():
    return st.one_of(
        st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=3),
        st.just({"id": "no-claim"}), st.just({"claim": ""}), st.just({"claim": 5}), st.just({"claim": ["u = u"]}),
        st.just({"id": "bad id!", "claim": "u = u"}), st.just({"id": "x", "claim": "u = u", "colour": "red"}),
        st.just({"id": "x", "claim": "u = u", "given": 7}), st.just({"id": "x", "claim": "u = u", "expect": "maybe"}),
        st.just({"id": "x" * 500, "claim": "u = u"}), st.just({"id": 3, "claim": "u = u"}),
        st.just({"claim": "u = u" + " + u" * 4000}),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    )


NETWORKS = st.one_of(
    st.just({"sizes": [2, 3, 2]}),
    st.just({"sizes": [3, 4, 4, 3], "activation": "relu"}),
    st.just({"sizes": [2, 2, 1], "activation": "tanh", "output": "identity", "loss": "mse"}),
    st.just({"sizes": [2, 3, 2], "activation": "sigmoid", "weights": "incoming"}),
    st.fixed_dictionaries({"sizes": st.lists(st.integers(1, 4), min_size=2, max_size=4)}),
)


@st.composite
def derivation_files(draw):
    """(YAML text, number of claim entries)."""
    kinds = draw(st.lists(st.integers(0, 4), min_size=1, max_size=MAX_CLAIMS))   # one entry in five malformed
    entries = [draw(_bad_entry() if k == 0 else _good_entry()) for k in kinds]
    if len(entries) > 1 and draw(st.booleans()):           # a duplicate id now and then
        first = entries[0]
        if isinstance(first, dict) and isinstance(first.get("id"), str):
            entries.append({"id": first["id"], "claim": "u = u"})
    doc = {"network": draw(NETWORKS), "claims": entries}
    if draw(st.booleans()):
        doc["title"] = draw(st.text(min_size=1, max_size=20))
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=draw(st.booleans()), sort_keys=False,
                     width=10**6), len(entries)


class _Dumper(yaml.SafeDumper):
    """Writes a value that occurs twice twice (no &anchors/*aliases: derivation files refuse them)."""

    def ignore_aliases(self, data):
        return True


def _corpus_file(claims, extra=()):
    """A fixed file (always run, in both profiles): ``claims`` as entries c0, c1, ... plus ``extra`` entries."""
    entries = [{"id": f"c{i}", "claim": c} for i, c in enumerate(claims)] + list(extra)
    doc = {"title": "fuzz corpus", "network": {"sizes": [2, 3, 2]}, "claims": entries}
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6), len(entries)


MALFORMED = [None, 7, "just text", [1, 2], {"id": "no-claim"}, {"id": "e", "claim": ""}, {"id": "n", "claim": 5},
             {"id": "bad id!", "claim": "u = u"}, {"id": "k", "claim": "u = u", "colour": "red"},
             {"id": "g", "claim": "u = u", "given": 7}, {"id": "c0", "claim": "u = u"}]
HOSTILE_FILE = _corpus_file([f"x_1 = {h}" for h in HOSTILE] + [h for h in HOSTILE[:12]], MALFORMED)
HEAVY_FILE = _corpus_file([f"{a} = {b}" for a, b in zip(HEAVY, HEAVY[1:] + HEAVY[:1])][:8])


# ----------------------------------------------------------------------------------------------
# process bookkeeping (/proc; elsewhere the check is skipped)


def _live_children() -> set:
    if not sys.platform.startswith("linux"):
        return set()
    me, out = os.getpid(), set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me and fields[0] not in ("Z", "X"):
            out.add(int(d))
    return out


def _no_new_children(before, seconds=10.0) -> set:
    """Poll (bounded) until no child beyond ``before`` is alive; return (and kill) any that remain."""
    end = time.monotonic() + seconds
    extra = _live_children() - before
    while extra and time.monotonic() < end:
        time.sleep(0.05)
        extra = _live_children() - before
    for pid in extra:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    return extra


# ----------------------------------------------------------------------------------------------


def _load(text):
    """The spec, or None for a file-level problem (which must be one located line)."""
    try:
        return load_spec_text(text, "fuzz.yaml")
    except SpecError as e:
        line = e.one_line()
        assert line.startswith("fuzz.yaml") and "\n" not in line, line
        return None


def _check_bounded(spec, limits):
    """check_spec under ``limits``: (report, wall seconds), asserting that no worker outlives it."""
    before = _live_children()
    t0 = time.monotonic()
    report = check_spec(spec, limits)
    elapsed = time.monotonic() - t0
    survivors = _no_new_children(before)
    assert not survivors, f"workers {survivors} survived the check"
    assert [r.id for r in report.results] == [c.id for c in spec.claims]
    for r, c in zip(report.results, spec.claims):
        assert r.verdict in VERDICTS, r
        assert isinstance(r.message, str) and "Traceback" not in r.message, r
        if c.error is not None:
            assert r.verdict == "error"
    report.to_dict()                                         # every result is reportable
    return report, elapsed


@PROFILE
@given(derivation_files())
@example(HOSTILE_FILE)
@example(HEAVY_FILE)
def test_random_files_through_the_bounded_checker(case):
    text, n_entries = case
    spec = _load(text)
    if spec is None:
        return
    assert len(spec.claims) == n_entries
    _, elapsed = _check_bounded(spec, LIMITS)
    assert elapsed <= n_entries * (TIMEOUT + 1) + SLACK, (elapsed, n_entries)


@BUDGET_PROFILE
@given(derivation_files())
@example(HEAVY_FILE)
def test_random_files_end_within_the_file_budget(case):
    text, n_entries = case
    spec = _load(text)
    if spec is None:
        return
    report, elapsed = _check_bounded(spec, BUDGET_LIMITS)
    assert elapsed <= BUDGET + SLACK, elapsed
    for r in report.results:
        if r.verdict == "inconclusive" and "budget" in r.message:
            assert r.message == "file time budget exhausted", r
