r"""Homework files (.tex, .md, .ipynb): every display equation a claim, every verdict of a small corpus checked.

The corpus (tests/data/homework/) was written by hand; the expected verdicts are the mathematics (δ^(L) = ŷ − y for
softmax + cross-entropy and sigmoid + BCE, ∂L/∂b^(l) = δ^(l+1) with outgoing weights, the missing φ' refutes, …),
not the checker's output. Error locations are recomputed here from the file's text by searching for the token.
"""
import json
import os
from pathlib import Path

import pytest

from symbackprop.cli import main
from symbackprop.errors import SpecError
from symbackprop.homework import MAX_BYTES, MAX_NOTEBOOK_BYTES, load_homework, load_homework_text
from symbackprop.runner import Limits
from symbackprop.suite import check_spec

DATA = Path(__file__).parent / "data" / "homework"
LIMITS = Limits(timeout=120, memory_mb=2048)

# id -> (verdict, as expected)
CORPUS = {
    "course.tex": {"eq:out": ("proved", True), "line-16": ("refuted", True), "eq:b1": ("proved", True),
                   "eq:W1": ("proved", True), "line-25": ("refuted", True), "line-31": ("error", False)},
    "notes.md": {"BP2": ("proved", True), "line-15": ("refuted", True), "BP3": ("proved", True),
                 "line-25": ("error", False)},
    "notebook.ipynb": {"cell-2-line-4": ("proved", True), "cell-4-line-4": ("proved", True),
                       "cell-4-line-8": ("refuted", True), "cell-5-line-1": ("error", False)},
}


def _location(name, line, token, occurrence=0, cell=None):
    """'file:line:column' of ``token`` on ``line`` (1-based) of the corpus file (or of a notebook cell)."""
    if cell is None:
        text = (DATA / name).read_text(encoding="utf-8")
    else:
        text = "".join(json.loads((DATA / name).read_text(encoding="utf-8"))["cells"][cell - 1]["source"])
    row = text.split("\n")[line - 1]
    col = -1
    for _ in range(occurrence + 1):
        col = row.index(token, col + 1)
    where = f"cell {cell}:" if cell else ""
    return f"{DATA / name}:{where}{line}:{col + 1}"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_verdict_of_the_corpus(name):
    report = check_spec(load_homework(DATA / name), LIMITS)
    got = {r.id: (r.verdict, r.as_expected) for r in report.results}
    assert got == CORPUS[name]


def test_tex_claims_are_cut_as_written():
    spec = load_homework(DATA / "course.tex")
    assert spec.title == "Homework 4, backprop by hand"
    assert spec.network.sizes == (2, 3, 2) and spec.network.activation == "relu"
    assert ("\\yhat", "\\hat{y}") in spec.notation.macros           # the preamble's argument-free macro
    claims = {c.id: c for c in spec.claims}
    assert claims["line-16"].claim == r"\delta^{(L)} = y - \yhat" and claims["line-16"].expect is False
    assert claims["eq:b1"].claim.endswith(r"&= \yhat - y \\")       # the chain of two rows is one claim
    assert "intertext" not in claims["eq:b1"].claim and "intertext" not in claims["eq:W1"].claim
    assert claims["line-25"].expect is False                         # the marker inside the eqnarray row
    assert "g = " not in "".join(c.claim for c in spec.claims)       # % skip:
    assert "line-38" not in claims                                   # after \end{document}
    lines = (DATA / "course.tex").read_text().split("\n")
    for c in spec.claims:
        assert c.claim.split("\n")[0] in lines[c.line - 1]


def test_error_locations_are_the_files_line_and_column():
    results = {name: {r.id: r for r in check_spec(load_homework(DATA / name), LIMITS).results}
               for name in CORPUS}
    tex = results["course.tex"]["line-31"].message
    assert tex.startswith(_location("course.tex", 31, "\\grad") + ": claim 'line-31': \\grad is defined at line 7")
    md = results["notes.md"]["line-25"].message
    assert md.startswith(_location("notes.md", 25, "t $$") + ": claim 'line-25': 't' is not a network quantity")
    nb = results["notebook.ipynb"]["cell-5-line-1"].message
    assert nb.startswith(_location("notebook.ipynb", 1, "u", cell=5) + ": claim 'cell-5-line-1': 'u'")


def test_verbose_lists_what_was_skipped(capsys):
    code = main(["check", str(DATA / "course.tex"), str(DATA / "notes.md"), str(DATA / "notebook.ipynb"),
                 "--verbose", "--only", "eq:out"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    skipped = [ln for ln in err.splitlines() if ": skipped " in ln]
    expect = [(f"{DATA / 'course.tex'}:10:", "inline math"), (f"{DATA / 'course.tex'}:33:", "\\begin{verbatim}"),
              (f"{DATA / 'course.tex'}:36:", "\\input"), (f"{DATA / 'course.tex'}:21:", "\\intertext"),
              (f"{DATA / 'course.tex'}:29:", "skip: defines the shorthand g"),
              (f"{DATA / 'course.tex'}:38:", "after \\end{document}"),
              (f"{DATA / 'notes.md'}:17:", "code block"), (f"{DATA / 'notebook.ipynb'}:cell 3:", "code cell")]
    for where, what in expect:
        assert any(ln.startswith(where) and what in ln for ln in skipped), (where, what, err)
    assert sum(f"{DATA / 'notes.md'}:8: skipped inline math" in ln for ln in skipped) == 3
    assert all(": skipped " in ln for ln in err.splitlines() if ln.strip())


def test_no_notebook_cell_is_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    check_spec(load_homework(DATA / "notebook.ipynb"), LIMITS)
    assert not (tmp_path / "EXECUTED").exists()


# ----------------------------------------------------------------------------------------------
# small files: markers, ids, network from the command line


NET_TEX = "%! symbackprop:\n%! network: {sizes: [2, 3, 2]}\n"


def _spec(tmp_path, text, name="hw.tex", **kw):
    p = tmp_path / name
    (p.write_bytes if isinstance(text, bytes) else p.write_text)(text)
    return load_homework(p, **kw)


def test_given_marker_and_its_error_location(tmp_path):
    text = NET_TEX + ("\\[ \\delta^{(1)}_i = 0 % given: z^{(1)}_i \\le 0\n\\]\n"
                      "\\[ \\delta^{(1)}_i = 0 % given: z^{(1)}_i \\le q\n\\]\n")
    spec = _spec(tmp_path, text)
    assert [c.given for c in spec.claims] == [("z^{(1)}_i \\le 0",), ("z^{(1)}_i \\le q",)]
    results = check_spec(spec, LIMITS).results
    assert results[0].verdict == "proved"                    # a dead ReLU unit passes no error back
    col = text.split("\n")[4].index("q") + 1
    assert results[1].verdict == "error" and results[1].message.startswith(f"{tmp_path / 'hw.tex'}:5:{col}: ")


def test_alignment_rows_with_a_new_left_side_are_new_claims(tmp_path):
    text = NET_TEX + ("\\begin{align*}\n a^{(0)} &= x \\\\\n  &= a^{(0)} \\\\[2pt]\n"
                      " \\hat y &= a^{(2)} \\\\\n\\end{align*}\n")
    spec = _spec(tmp_path, text)
    assert [(c.id, c.claim) for c in spec.claims] == [
        ("line-4", "a^{(0)} &= x \\\\\n  &= a^{(0)} \\\\[2pt]"), ("line-6", "\\hat y &= a^{(2)} \\\\")]
    assert [r.verdict for r in check_spec(spec, LIMITS).results] == ["proved", "proved"]


def test_markdown_markers_above_and_ids(tmp_path):
    text = ("---\nnetwork: {sizes: [2, 3, 2]}\n---\n<!-- expect: false -->\n$$\\delta^{(L)} = y - \\hat y$$ and "
            "$$\\delta^{(L)} = \\hat y - y$$\n\n$$ 1 = 1 \\label{same} $$\n$$ 2 = 2 \\label{same} $$\n")
    spec = _spec(tmp_path, text, "n.md")
    assert [(c.id, c.expect) for c in spec.claims] == [("line-5", False), ("line-5.2", False), ("same", True),
                                                       ("#4", True)]
    assert "duplicate id" in spec.claims[3].error and f"{tmp_path / 'n.md'}:8:" in spec.claims[3].error


@pytest.mark.parametrize("text, fragment", [
    (NET_TEX + "\\[ x = x % expcet: false\n\\]\n", "unknown marker 'expcet'; did you mean 'expect:'?"),
    (NET_TEX + "\\[ x = x % expect: maybe\n\\]\n", "expect: must be true or false"),
    (NET_TEX + "\\[ x = x \\label{a b} \\]\n", "a claim id may use"),
    (NET_TEX + "\\def\\foo#1{#1}\n\\begin{document}\\[ \\foo{x} = x \\]\\end{document}", "\\foo is defined at line 3"),
    (NET_TEX + "\\let\\foo\\hat\n\\begin{document}\\[ \\foo{x} = x \\]\\end{document}", "by \\let"),
    (NET_TEX + "\\newcommand\\foo{x}\\renewcommand\\foo{y}\n\\begin{document}\\[ \\foo = x \\]\\end{document}",
     "more than once"),
    (NET_TEX + "\\begin{document}\\newcommand\\foo{x}\\[ \\foo = x \\]\\end{document}", "inside the document"),
])
def test_claims_that_cannot_be_read_are_errors(tmp_path, text, fragment):
    spec = _spec(tmp_path, text)
    assert spec.claims[0].error and fragment in spec.claims[0].error, spec.claims[0].error
    assert spec.claims[0].error.startswith(f"{tmp_path / 'hw.tex'}:")


def test_a_macro_read_from_the_preamble_and_one_that_is_not_used(tmp_path):
    text = NET_TEX + "\\newcommand{\\out}{\\hat{y}}\\newcommand{\\g}[1]{#1}\n\\begin{document}\n" \
                     "\\[ \\delta^{(L)} = \\out - y \\]\n\\end{document}\n"
    spec = _spec(tmp_path, text)
    assert spec.claims[0].error is None
    assert [r.verdict for r in check_spec(spec, LIMITS).results] == ["proved"]


def test_the_network_from_the_command_line(tmp_path, capsys):
    p = tmp_path / "n.md"
    p.write_text("$$\\delta^{(L)} = \\hat y - y$$\n")
    assert main(["check", str(p), "--sizes", "2,3,2", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)["files"][0]          # schema 1: a list of file reports
    assert doc["network"]["sizes"] == [2, 3, 2] and doc["claims"][0]["verdict"] == "proved"
    assert main(["check", str(p)]) == 1                            # a file that cannot be read is an error entry
    assert "no network" in capsys.readouterr().out
    p.write_text("---\nnetwork: {sizes: [2, 3, 2]}\n---\n$$\\delta^{(L)} = \\hat y - y$$\n")
    assert main(["check", str(p), "--sizes", "2,3,2"]) == 0          # the same network twice is fine
    capsys.readouterr()
    assert main(["check", str(p), "--sizes", "2,4,2"]) == 1          # that file is an error entry
    assert "the file declares its network and the command line gives another" in capsys.readouterr().out
    y = tmp_path / "d.yaml"
    y.write_text("network: {sizes: [2, 3, 2]}\nclaims:\n  - {id: a, claim: x = x}\n")
    assert main(["check", str(y), "--sizes", "2,3,2"]) == 2
    assert "applies to homework files" in capsys.readouterr().err


def test_notebook_metadata_gives_the_network(tmp_path):
    nb = {"metadata": {"symbackprop": {"network": {"sizes": [2, 3, 2]}, "notation": "nielsen"}},
          "cells": [{"cell_type": "markdown", "source": "$$\\delta^L = a^L - y$$"}]}
    spec = _spec(tmp_path, json.dumps(nb), "nb.ipynb")
    assert spec.network.sizes == (2, 3, 2) and spec.notation.preset == "nielsen"
    assert spec.claims[0].id == "cell-1-line-1"


# ----------------------------------------------------------------------------------------------
# hostile files: one clear error for the file, naming the line


def _nested(n):
    return "[" * n + "]" * n


@pytest.mark.parametrize("name, text, fragments", [
    ("a.tex", NET_TEX + "x\n\\begin{align}\n a &= b\n", [":4:1:", "\\begin{align} is never closed"]),
    ("a.tex", NET_TEX + "\\[ a = b\n", [":3:1:", "\\[ is never closed"]),
    ("a.tex", NET_TEX + "text \\end{equation}\n", [":3:6:", "\\end{equation} without \\begin{equation}"]),
    ("a.tex", NET_TEX + "\\catcode`\\|=3\n\\[ |x = x| \\]\n", [":3:1:", "\\catcode changes how TeX reads"]),
    ("a.tex", NET_TEX + "costs $5\n", [":3:7:", "never closed"]),
    ("a.tex", NET_TEX + "just prose, $x$ inline\n", ["no display equation found"]),
    ("a.tex", "%! symbackprop:\n%! network: {sizes: [2, 3, 2]\n\\[x = x\\]\n", ["invalid YAML", "line 2"]),
    ("a.tex", "%! symbackprop:\n%! network: {sizes: [2, 3, 2]}\n%! claims: []\n\\[x = x\\]\n",
     ["claims: in the front matter", "line 3"]),
    ("a.md", "---\nnetwork: {sizes: [2, 3, 2]}\n$$x = x$$\n", ["front matter opened by --- on line 1 is never closed"]),
    ("a.md", "$$x = x$$\n", ["no network", "--sizes"]),
    ("a.md", "---\nnetwork: {sizes: [2, 3, 2]}\nnetwrok: 1\n---\n$$x = x$$\n", ["unknown key 'netwrok'", "line 3"]),
    ("a.ipynb", "{not json", ["not a notebook: invalid JSON (line 1, column 2)"]),
    ("a.ipynb", _nested(100_000), ["not a notebook"]),
    ("a.ipynb", '{"cells": {}}', ["not a Jupyter notebook"]),
    ("a.ipynb", '{"cells": [{"cell_type": "markdown", "source": 3}]}', ["cell 1: source must be text"]),
    ("a.tex", b"%! symbackprop:\n\xff\n", ["not valid UTF-8 (line 2)"]),
])
def test_hostile_files_are_one_clear_error(tmp_path, name, text, fragments):
    with pytest.raises(SpecError) as e:
        _spec(tmp_path, text, name)
    message = e.value.one_line()
    assert "\n" not in message and str(tmp_path / name) in message
    for f in fragments:
        assert f in message, (f, message)


@pytest.mark.parametrize("name, limit", [("big.tex", MAX_BYTES), ("big.md", MAX_BYTES),
                                         ("big.ipynb", MAX_NOTEBOOK_BYTES)])
def test_huge_files_are_refused_before_reading(tmp_path, name, limit):
    p = tmp_path / name
    with open(p, "wb") as f:
        f.truncate(limit + 1)
    with pytest.raises(SpecError, match="limited to"):
        load_homework(p)
    with pytest.raises(SpecError, match="limited to"):
        load_homework_text(b"$" * (limit + 1), name)


def test_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "pipe.tex"
    os.mkfifo(fifo)
    with pytest.raises(SpecError, match="FIFO"):
        load_homework(fifo)


def test_many_equations_are_bounded(tmp_path):
    text = NET_TEX + "\\[x = x\\]\n" * 501
    with pytest.raises(SpecError, match="limit is 500"):
        _spec(tmp_path, text)


def test_verbatim_comments_and_inline_code_hide_display_math(tmp_path):
    text = NET_TEX + ("% \\[ y = 0 \\]\n\\verb|$$y = 0$$|\n\\begin{lstlisting}\n\\[ y = 0 \\]\n\\end{lstlisting}\n"
                      "\\[ x = x \\]\n")
    assert [c.claim for c in _spec(tmp_path, text).claims] == ["x = x"]
    md = ("---\nnetwork: {sizes: [2, 3, 2]}\n---\n`$$y = 0$$` and\n~~~\n$$y = 0$$\n~~~\n<!-- $$y = 0$$ -->\n"
          "costs $5, not $$x = x$$\n")
    assert [c.claim for c in _spec(tmp_path, md, "n.md").claims] == ["x = x"]


@pytest.mark.parametrize("spacing", ["\\\\[2pt]", "\\\\*", "\\\\ [3mm]", "\\\\*[-1.5em]"])
def test_row_spacing_is_dropped_and_changes_nothing(spacing):
    from symbackprop import Network, check_claim
    net = Network((2, 3, 2))
    plain = check_claim(net, "a", "\\delta^{(L)} &= \\hat y - y \\\\ &= -(y - \\hat y)")
    spaced = check_claim(net, "a", f"\\delta^{{(L)}} &= \\hat y - y {spacing} &= -(y - \\hat y)")
    assert plain.verdict == spaced.verdict == "proved" and spaced.read_as == plain.read_as


def test_row_spacing_that_is_not_a_length_is_not_dropped():
    from symbackprop import Network, check_claim
    r = check_claim(Network((2, 3, 2)), "a", "\\delta^{(L)} &= \\hat y - y \\\\[2] &= -(y - \\hat y)")
    assert r.verdict == "error" and "(at '['" in r.message


EXAMPLE = Path(__file__).parent.parent / "examples" / "homework4.tex"


def test_the_example_homework_checks_as_expected():
    report = check_spec(load_homework(EXAMPLE), LIMITS)
    assert [(r.id, r.verdict) for r in report.results] == [
        ("eq:output-error", "proved"), ("eq:grad-W", "proved"), ("eq:grad-b", "proved"),
        ("eq:hidden-error", "proved"), ("line-27", "proved"), ("line-31", "refuted")]
    assert report.ok


def test_the_example_and_its_markers_compile(tmp_path):
    import shutil
    import subprocess
    if not shutil.which("pdflatex"):
        if os.environ.get("CI"):
            pytest.fail("pdflatex is required in CI (.ci/run installs texlive-latex-base)")
        pytest.skip("pdflatex not installed")
    run = subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
                          "-output-directory", str(tmp_path), str(EXAMPLE)], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]


# ----------------------------------------------------------------------------------------------
# fuzz: any mix of the significant pieces is read or refused with one SpecError, and every claim is cut exactly

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = ["\\[", "\\]", "$", "$$", "%", "% expect: false", "% given: x > 0", "% skip: no", "\\begin{align}",
          "\\end{align}", "\\begin{equation}", "\\end{equation}", "\\begin{verbatim}", "\\end{verbatim}", "\\\\",
          "&=", "{", "}", "\\label{a}", "\\label{b c}", "\n", "\n\n", " ", "x = x", "\\delta^{(L)}", "\\intertext{so}",
          "<!--", "-->", "```", "`", "\\verb|", "|", "\\input{f}", "\\newcommand{\\m}{x}", "\\def\\n#1{#1}", "\\m",
          "\\n", "\\(", "\\)", "\\catcode", "---", "\\begin{document}", "\\end{document}", "é", "\\", "\r\n"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.sampled_from(["tex", "md"]))
def test_any_text_is_read_or_refused_and_claims_are_cut_exactly(pieces, kind):
    text = "".join(pieces)
    try:
        spec = load_homework_text(text, f"f.{kind}", network={"sizes": (2, 3, 2)})
    except SpecError as e:
        assert "\n" not in e.one_line()
        return
    source = text.replace("\r\n", "\n")
    lines = source.split("\n")
    for claim in spec.claims:
        assert claim.origin is not None
        for piece, line, lead in claim.origin.pieces:
            assert piece and piece == piece.strip()
            assert "\n".join(lines[line - 1:]).startswith(lead + piece)


@pytest.mark.parametrize("text", [
    "\\begin{document}\\begin{equation}\\[\\end{equation}",        # found by the property test above
    "\\documentclass{article}\\begin{document}\\[ x = x \\]",
    "\\begin{document}  $$ x = x $$ \\end{document}",
])
def test_the_lead_of_a_claim_is_the_text_before_it_as_written(text):
    spec = load_homework_text(text, "f.tex", network={"sizes": (2, 3, 2)})
    assert spec.claims
    for claim in spec.claims:
        for piece, line, lead in claim.origin.pieces:
            assert text.split("\n")[line - 1].startswith(lead + piece)


def test_iffalse_is_skipped_and_an_escaped_bracket_in_markdown_is_prose(tmp_path):
    text = NET_TEX + "\\iffalse\n\\[ y = 0 \\]\n\\fi\n\\[ x = x \\]\n"
    spec = _spec(tmp_path, text)
    assert [c.claim for c in spec.claims] == ["x = x"]
    assert any("\\iffalse" in what for _, what, _ in spec.skipped)
    md = "see [1\\] and $$x = x$$\n"
    assert [c.claim for c in _spec(tmp_path, md, "n.md", network={"sizes": (2, 3, 2)}).claims] == ["x = x"]
