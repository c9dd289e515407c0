"""pytest plugin: run derivation files (``*.yaml`` / ``*.yml``) as a test suite, one test per claim.

Registered through the ``pytest11`` entry point, so it is active wherever symbackprop is installed —
and therefore strictly opt-in.  A ``.yaml``/``.yml`` file is collected only when at least one of these
holds (the suffix is compared case-insensitively; anything else, e.g. a random config YAML in another
project, is left alone):

1. **A directory named ``derivations``.**  One of the directories *between the rootdir and the file*
   is named exactly ``derivations`` (any depth: ``derivations/a.yaml``, ``course/derivations/ex4/b.yml``).
   Only directories below the rootdir count; the rootdir itself and the directories above it do not,
   so a checkout that happens to live in ``~/derivations/project`` does not collect all of its YAML.
   For a file outside the rootdir (named on the command line) all of its directories count.
2. **The ini option ``derivations_glob``** (a line list of patterns).  A pattern containing ``/`` is
   matched with :func:`fnmatch.fnmatch` against the file's path relative to the rootdir written with
   ``/`` (so ``*`` also crosses ``/``: ``course/*.yaml`` matches ``course/ex4/a.yaml``); a pattern
   without ``/`` is matched against the file name alone (``*_claims.yaml``).  Example::

       [tool.pytest.ini_options]
       derivations_glob = ["course/*.yaml", "*.derivation.yml"]

Homework files (``.tex``, ``.md``, ``.ipynb``, read by :mod:`~symbackprop.homework`) are collected by rules 2 and 3
only — a README.md in ``derivations/`` is never collected by accident.

3. **The ``--derivations`` flag** together with the file named on the command line:
   ``pytest --derivations path/to/ex.yaml`` collects that file wherever it lives.  The flag applies to
   *files* given as arguments only (like pytest's ``python_files`` exemption for named files); it does
   not make pytest collect every YAML file under a directory argument.

Each collected file becomes one collector whose items are its claims: node id ``path/file.yaml::claim-id``
(so ``pytest -k dead-neuron`` selects claims by id — with -k's usual substring matching), each marked
``derivation`` (``-m derivation`` / ``-m "not derivation"``).  A claim passes when its verdict is what the
file expects (``ClaimResult.as_expected``); a failure is reported as text (claim, verdict, expectation,
failing step, message, counterexample, diagnosis with its explanation), not as a traceback.  A file that
cannot be read (invalid YAML, a bad network key, ...) is one failed item ``file.yaml::file`` showing the
one-line SpecError, and the session goes on; a malformed claim entry is that claim's failure.

Checking is lazy and batched: nothing is checked at collection (``--collect-only`` is instant).  When the
first claim of a file runs, the claims of that file that are still selected after deselection (``-k``,
``-m``, ``--deselect``, ``--lf``: the file's items in ``session.items``) are checked by a single
:func:`~symbackprop.suite.check_spec` call (``only=`` those ids, in parallel worker processes forked
from the pytest process once it has imported what they need and derived the file's network, under the
per-claim limits: :func:`~symbackprop.suite.prepare_workers`) and the results are cached on the file's
collector.  Under pytest-xdist the items of one file may be spread over
several workers, so a worker checks each claim on its own when it runs it; with ``--dist loadfile`` or
``--dist loadscope`` (the whole file goes to one worker) the worker batches as above.  No session-global
state is used.

Options:

* ``--derivations`` — see 3. above.
* ``--derivations-timeout SECONDS`` — wall/CPU limit per claim (default 20).
* ``--derivations-memory-mb MB`` — memory cap per claim (default 2048).
* ``--derivations-file-timeout SECONDS`` — time budget of each file's batch of claims (default: none);
  claims not finished when it runs out fail as ``inconclusive`` ("file time budget exhausted").  Under
  pytest-xdist without ``--dist loadfile``/``loadscope`` a batch is one claim, so it bounds each claim.
  Each limit is range-checked like the CLI's flags (a bad value is a usage error naming the option).
* ``--derivations-allow-inconclusive`` — an inconclusive claim (time or memory limit, or a check that
  cannot decide) is reported as xfail instead of a failure.  Verdict ``error`` always fails.

``-p no:symbackprop`` switches the plugin off.  Loading it imports the ``symbackprop`` package (whose
``__init__`` imports SymPy, a few tenths of a second); the checker itself is imported only when a
derivation file is collected or checked.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

from .spec import SUFFIXES

__all__ = ["DerivationFile", "DerivationItem", "UnreadableFileItem", "ClaimFailure", "is_derivation_file",
           "render_failure"]

DIR_NAME = "derivations"
BATCHING_DIST_MODES = ("loadfile", "loadscope")
_EXPECTED = {True: "proved or numerically-equal (expect: true)", False: "refuted (expect: false)"}


# ----------------------------------------------------------------------------------------------
# options and opt-in


def pytest_addoption(parser):
    """The ``--derivations*`` options and the ``derivations_glob`` ini option."""
    group = parser.getgroup("symbackprop", "symbackprop derivation files")
    group.addoption("--derivations", action="store_true", default=False,
                    help="collect *.yaml/*.yml files named on the command line as derivation files, "
                         "even outside a 'derivations' directory")
    group.addoption("--derivations-allow-inconclusive", action="store_true", default=False,
                    help="report inconclusive claims as xfail instead of failures")
    group.addoption("--derivations-timeout", type=float, default=20.0, metavar="SECONDS",
                    help="time limit per claim in seconds (default: 20)")
    group.addoption("--derivations-memory-mb", type=int, default=2048, metavar="MB",
                    help="memory cap per claim in MiB (default: 2048)")
    group.addoption("--derivations-file-timeout", type=float, default=None, metavar="SECONDS",
                    help="time budget of each derivation file; claims not finished by then are inconclusive")
    parser.addini("derivations_glob", type="linelist", default=[],
                  help="extra patterns of derivation files: with '/' matched (fnmatch) against the "
                       "path relative to the rootdir, without '/' against the file name")


def pytest_configure(config):
    """Register the ``derivation`` marker; refuse bad limits early (as a usage error)."""
    config.addinivalue_line("markers", "derivation: a claim of a symbackprop derivation file")
    _limits(config)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist controller: tell each worker the distribution mode (workers see dist='no')."""
    node.workerinput["symbackprop_dist"] = str(node.config.getoption("dist", "no"))


_OPTIONS = {"timeout": "--derivations-timeout", "memory_mb": "--derivations-memory-mb",
            "file_timeout": "--derivations-file-timeout"}


def _limits(config):
    """The Limits of this run (pytest.UsageError naming the option and its range if one is out of range)."""
    from .runner import Limits, check_bound

    given = {name: config.getoption(flag[2:].replace("-", "_")) for name, flag in _OPTIONS.items()}
    for name, value in given.items():
        if value is not None:
            try:
                check_bound(name, value, _OPTIONS[name])
            except ValueError as e:
                raise pytest.UsageError(f"symbackprop: {e}") from None
    return Limits(**given)


def _relative_parts(path: Path, root: Path):
    """The parts of ``path`` below ``root`` (all parts of the absolute path if it is not below it)."""
    try:
        return path.relative_to(root).parts
    except ValueError:
        return path.parts


def is_derivation_file(path: Path, config, session=None) -> bool:
    """Whether the plugin collects ``path`` (see the module docstring for the three rules)."""
    from .homework import is_homework
    homework = is_homework(path)        # .tex/.md/.ipynb: only by rules 2 and 3 (never a whole derivations/ folder)
    if path.suffix.lower() not in SUFFIXES and not homework:
        return False
    parts = _relative_parts(Path(path), Path(config.rootpath))
    if DIR_NAME in parts[:-1] and not homework:
        return True
    rel = "/".join(parts)
    for pattern in config.getini("derivations_glob"):
        pattern = pattern.strip()
        if pattern and fnmatch.fnmatch(rel if "/" in pattern else path.name, pattern):
            return True
    return bool(config.getoption("derivations") and session is not None and session.isinitpath(path))


def pytest_collect_file(file_path, parent):
    """A DerivationFile for an opted-in YAML file; None for every other file."""
    if is_derivation_file(file_path, parent.config, parent.session):
        return DerivationFile.from_parent(parent, path=file_path)
    return None


# ----------------------------------------------------------------------------------------------
# collection


class DerivationFile(pytest.File):
    """One derivation file: collects one item per claim and checks the selected claims once."""

    def collect(self):
        """One DerivationItem per claim (SpecLoadError for a malformed file)."""
        from .errors import SpecError
        from .homework import is_homework, load_homework
        from .spec import load_spec

        try:
            self.spec = load_homework(self.path) if is_homework(self.path) else load_spec(self.path)
        except SpecError as e:
            e.file = self.nodeid or str(self.path)
            # one failed item, not a collection error: the rest of the session still runs
            yield UnreadableFileItem.from_parent(self, name="file", message=e.one_line())
            return
        self._results = {}
        self._failure = None
        for claim in self.spec.claims:
            yield DerivationItem.from_parent(self, name=claim.id, claim=claim)

    def _batch(self, item) -> list:
        """The claim ids to check together with ``item``'s claim."""
        workerinput = getattr(self.config, "workerinput", None)
        if workerinput is not None and workerinput.get("symbackprop_dist") not in BATCHING_DIST_MODES:
            return [item.claim.id]
        items = getattr(self.session, "items", None) or [item]
        ids = {it.claim.id for it in items if isinstance(it, DerivationItem) and it.parent is self}
        ids.add(item.claim.id)
        return [c.id for c in self.spec.claims if c.id in ids and c.id not in self._results]

    def result_for(self, item):
        """The ClaimResult of ``item``'s claim, checking a batch of claims on the first call."""
        if item.claim.id not in self._results:
            if self._failure is not None:
                raise self._failure
            from .suite import check_spec

            only = self._batch(item)
            try:
                report = check_spec(self.spec, _limits(self.config), only=set(only))
            except Exception as e:
                self._failure = e
                raise
            self._results.update((r.id, r) for r in report.results)
        return self._results[item.claim.id]


# ----------------------------------------------------------------------------------------------
# items


class ClaimFailure(Exception):
    """A claim whose verdict is not what the file expects; carries the ClaimResult."""

    def __init__(self, result):
        super().__init__(f"{result.id}: {result.verdict}")
        self.result = result


class DerivationItem(pytest.Item):
    """One claim of a derivation file."""

    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.add_marker(pytest.mark.derivation)

    def runtest(self):
        """Pass when the verdict is as expected; xfail an inconclusive claim if allowed; else fail."""
        result = self.parent.result_for(self)
        self.user_properties.append(("verdict", result.verdict))
        if result.as_expected:
            return
        if result.verdict == "inconclusive" and self.config.getoption("derivations_allow_inconclusive"):
            pytest.xfail(f"inconclusive: {result.message}" if result.message else "inconclusive")
        raise ClaimFailure(result)

    def repr_failure(self, excinfo, style=None):
        """A readable report of the claim for a ClaimFailure (other errors: pytest's usual report)."""
        if isinstance(excinfo.value, ClaimFailure):
            return render_failure(self, excinfo.value.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        """(path, 0-based line of the claim, 'claim <id>')."""
        line = self.claim.line - 1 if self.claim.line else None
        return self.path, line, f"claim {self.claim.id}"


class UnreadableFile(Exception):
    """A derivation file that could not be read; the message is the SpecError's one line."""


class UnreadableFileItem(pytest.Item):
    """The one item of a derivation file that cannot be read (invalid YAML, unknown key, ...): it fails
    with the one-line SpecError, and the other files of the session are still checked."""

    def __init__(self, *, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message
        self.add_marker(pytest.mark.derivation)

    def runtest(self):
        raise UnreadableFile(self.message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, UnreadableFile):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, "derivation file"


_PREFIXED = ("diagnosis", "counterexample", "assumptions")     # their text starts with 'name: '


def render_failure(item, r) -> str:
    """The text shown for a claim that is not as expected."""
    short = "proved" if item.claim.expect else "refuted"
    head = f"{r.verdict}, expected {short}" + (f" (diagnosis: {r.diagnosis})" if r.diagnosis else "")
    where = item.parent.nodeid + (f":{item.claim.line}" if item.claim.line else "")
    lines = [head,
             f"  at:             {where} (claim {r.id!r})",
             f"  claim:          {item.claim.claim}"]
    lines += [f"  given:          {g}" for g in item.claim.given]
    lines += [f"  verdict:        {r.verdict}",
              f"  expected:       {_EXPECTED[item.claim.expect]}"]
    from .report import details                              # the one rendering of a result's details
    for kind, text in details(r):
        label, _, rest = text.partition(": ") if kind in _PREFIXED else (kind, "", text)
        label = "failing step" if kind == "step" else label
        rest = text[len("fails at step "):] if kind == "step" else rest
        for k, ln in enumerate(rest.splitlines() or [""]):
            lines.append(f"  {(label + ':') if k == 0 else '':<16}{ln}")
    if item.claim.note:
        lines.append(f"  note:           {item.claim.note}")
    if r.verdict == "inconclusive":
        lines.append("  (raise --derivations-timeout / --derivations-memory-mb, or pass "
                     "--derivations-allow-inconclusive to xfail inconclusive claims)")
    return "\n".join(lines)
