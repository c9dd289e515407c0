"""LaTeX export compiles with a real pdflatex, stays inside the page, and reads back through the notation layer."""
import os
import re
import shutil
import subprocess
import unicodedata

import pytest

from symbackprop import Network
from symbackprop.check import check_claim
from symbackprop.cli import main
from symbackprop.export import EXPANDED_MAX_ENTRIES, escape_text, export_document, export_fragment, export_report
from symbackprop.spec import load_spec, load_spec_text
from symbackprop.suite import FileReport, check_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVERFULL_PT = 1.0          # the largest overfull box tolerated, in points
PDFLATEX = shutil.which("pdflatex")


def _need_pdflatex():
    if PDFLATEX is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is required in CI (.ci/run installs texlive-latex-base)")
        pytest.skip("pdflatex not installed (apt-get install texlive-latex-base texlive-latex-recommended)")


def compile_tex(tex: str, tmp_path) -> str:
    """Compile ``tex`` with pdflatex; fail on any error, any character missing from its font, any font
    warning (a substituted shape) or an overfull box beyond OVERFULL_PT. Returns the log."""
    _need_pdflatex()
    src = tmp_path / "doc.tex"
    # every character a font lacks is logged ("Missing character"), and fails the test below
    src.write_text(tex.replace("\\begin{document}", "\\tracinglostchars=2\n\\begin{document}", 1), encoding="utf-8")
    proc = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, errors="replace", timeout=120)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    errors = [ln for ln in log.splitlines() if ln.startswith("!")]
    assert proc.returncode == 0 and not errors, "\n".join(errors) or proc.stdout[-3000:]
    assert (tmp_path / "doc.pdf").stat().st_size > 0
    lost = [ln for ln in log.splitlines() if "Missing character" in ln or "Font Warning" in ln
            or "Font shape" in ln and "undefined" in ln]
    assert not lost, "\n".join(lost[:10])               # a glyph that is not in the font, or a substituted font
    over = [float(m) for m in re.findall(r"Overfull \\[hv]box \((\d+(?:\.\d+)?)pt too", log)]
    assert all(o <= OVERFULL_PT for o in over), f"overfull boxes of {over} pt"
    return log


NETWORKS = {
    "course-relu": (Network((3, 4, 4, 3)), False),
    "single-layer": (Network((2, 3)), False),
    "tanh-mse-incoming": (Network((2, 3, 2), "tanh", "identity", "mse", weights="incoming"), True),
    "sigmoid-bce": (Network((3, 4, 4, 3), "sigmoid", "sigmoid", "bce"), True),
    "wide-sums": (Network((2, 3, 16, 3), "leaky_relu"), True),
    "relu-prime-one": (Network((2, 3, 2), relu_prime_at_zero=1), True),
    "too-large-to-expand": (Network((40, 10, 3)), True),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_document_compiles_inside_the_page(name, tmp_path):
    net, expanded = NETWORKS[name]
    tex = export_document(net, expanded=expanded)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    packages = re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", tex)
    assert sorted(packages) == ["amsmath", "amssymb"]
    compile_tex(tex, tmp_path)


def test_document_states_network_conventions_and_assumptions():
    tex = export_document(Network((3, 4, 4, 3)))
    assert r"z^{(l+1)} = W^{(l)} a^{(l)} + b^{(l)}" in tex            # the course's (outgoing) convention
    assert r"\sum_{k=1}^{C} y_k = 1" in tex and r"\varphi'(0) = 0" in tex
    assert r"\delta^{(3)} &= \hat{y} - y" in tex and r"\delta^{(L)}" not in tex     # one labelling of layers
    assert r"\nabla_{W^{(2)}}\mathcal{L} &= \delta^{(3)}\,(a^{(2)})^{\top}" in tex
    assert r"\nabla_{W^{(2)}}\mathcal{L} &\in \mathbb{R}^{3 \times 4}" in tex
    incoming = export_document(Network((3, 4, 3), weights="incoming"))
    assert r"z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)}" in incoming
    assert r"\delta^{(1)} &= (W^{(2)})^{\top}\delta^{(2)} \odot \varphi'(z^{(1)})" in incoming
    assert "Assumptions" not in export_document(Network((2, 2), "tanh", "identity", "mse"))


def test_expanded_entries_are_omitted_beyond_the_limit():
    net = NETWORKS["too-large-to-expand"][0]
    assert (40 * 10 + 10 + 10 * 3 + 3) + (10 + 3) > EXPANDED_MAX_ENTRIES
    tex = export_document(net, expanded=True)
    assert "Expanded entries omitted" in tex and r"W^{(0)}_{1,1}" not in tex


def test_long_sums_are_broken_across_lines():
    tex = export_document(NETWORKS["wide-sums"][0], expanded=True)
    assert "\\begin{multline*}" in tex
    longest = max(len(line) for line in tex.splitlines())
    assert longest < 400


def test_fragment_is_only_equations_and_compiles(tmp_path):
    frag = export_fragment(Network((3, 4, 4, 3)))
    assert "\\documentclass" not in frag and "\\section" not in frag
    assert export_document(Network((3, 4, 4, 3)), fragment=True) == frag
    compile_tex("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\begin{document}\n"
                + frag + "\\end{document}\n", tmp_path)


def _rows(tex):
    """Every displayed relation of an export, as a claim (alignment marks and line ends removed)."""
    rows = []
    for block in re.findall(r"\\begin\{(align\*|equation\*)\}\n(.*?)\n\\end\{\1\}", tex, re.S):
        for row in block[1].split(" \\\\\n"):
            rows.append(row.replace("&", " ").strip())
    return rows


ROUND_TRIP = [Network((3, 4, 4, 3)), Network((2, 3, 2), "tanh", "identity", "mse", weights="incoming"),
              Network((2, 2, 2), "sigmoid", "sigmoid", "bce"), Network((2, 3, 2), relu_prime_at_zero=1)]


@pytest.mark.parametrize("net", ROUND_TRIP, ids=lambda n: "-".join(map(str, n.sizes)) + f"-{n.activation}")
def test_every_exported_equation_reads_back_and_is_proved(net):
    """Round trip: each exported relation is parsed by the notation layer and proved against the derivation."""
    rows = _rows(export_fragment(net))
    assert len(rows) >= 5 * net.L - 2
    for row in rows:
        res = check_claim(net, "round-trip", row)
        assert res.verdict == "proved", (row, res.verdict, res.message)


def test_expanded_entries_read_back_and_are_proved():
    net = Network((2, 3, 2), "tanh", "identity", "mse", weights="incoming")
    tex = export_document(net, fragment=True, expanded=True)
    rows = [r for r in _rows(tex) if r.startswith(("\\delta^{(1)}_", "\\frac"))]
    assert len(rows) == 3 + (3 * 2 + 3) + (2 * 3 + 2)
    for row in rows:
        res = check_claim(net, "round-trip", row)
        assert res.verdict == "proved", (row, res.verdict, res.message)


def test_a_wrong_exported_equation_would_be_caught():
    """The round trip is not vacuous: a transposed gradient in the same notation is refuted."""
    res = check_claim(Network((3, 4, 4, 3)), "rt", r"\nabla_{W^{(2)}}\mathcal{L} = (a^{(2)})\,(\delta^{(3)})^{\top}")
    assert res.verdict == "refuted"


@pytest.mark.parametrize("text", ["a\\b", "{x}", "$5 & 10% #1 a_b c^d ~e", "\\input{/etc/passwd}", "tab\tbell\x07"])
def test_escape_text_leaves_no_active_character(text):
    out = escape_text(text)
    glyphs = r"\\ensuremath\{(\\backslash|\\\{|\\\}|\{\}\^\{\\wedge\}|\\sim|<|>|\|)\}"
    stripped = re.sub(glyphs + r"|\\allowbreak\{\}|\\mbox\{[-+.\d]+\}|\\[{}$&#%_]", "", out)
    assert not re.search(r"[\\{}$&#%_^~]", stripped), out
    assert "\x07" not in out


HOSTILE = r"""
network: {sizes: [2, 3, 2]}
title: "50% of a_b & {braces} $money$ #1 ~ ^ \\input{/etc/passwd}"
claims:
  - id: output-error
    claim: \delta^{(L)} = \hat{y} - y
  - id: wrong_sign.more
    claim: \delta^{(L)} = y - \hat{y}
    expect: false
  - id: unreadable
    claim: \input{/etc/passwd} \def\x{1} 100% & # ~
  - id: shape
    claim: \nabla_{W^{(1)}}\mathcal{L} \in \mathbb{R}^{2 \times 3}
  - id: output-error-of-the-second-hidden-layer-with-relu.and-dead-neurons-long-id
    claim: \mathcal{L} = 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 + 0 \cdot \hat{y}_1 y_2 - y_1 \log \hat{y}_1 - y_2 \log \hat{y}_2 = 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 + 0 \cdot \hat{y}_2 y_1 - y_1 \log \hat{y}_1 - y_2 \log \hat{y}_2
"""


def test_check_report_compiles_with_verdicts_steps_and_counterexamples(tmp_path):
    reports = [check_spec(load_spec(os.path.join(ROOT, "derivations", "mistakes", "mle_ex4_common_mistakes.yaml")),
                          inline=True),
               check_spec(load_spec_text(HOSTILE, "hostile&_%.yaml"), inline=True)]
    tex = export_report(reports)
    assert tex.count("\\subsection*") == len(reports[0].results) + 5
    assert reports[1].results[-1].verdict == "proved", reports[1].results[-1].message
    assert "\\textbf{refuted}" in tex and "First failing step" in tex
    assert "Counterexample at a well-\\allowbreak{}conditioned random point" in tex      # conditioning.py
    assert "Diagnosis: \\texttt{transpose}" in tex
    assert "\\input{/etc/passwd}" not in tex.replace("\\ensuremath{\\backslash}input", "")
    log = compile_tex(tex, tmp_path)
    assert "passwd" not in log                      # nothing from the claims was \input


def test_cli_export_writes_a_document_and_a_fragment(tmp_path, capsys):
    out = tmp_path / "grads.tex"
    assert main(["export", "--sizes", "3,4,4,3", "--activation", "relu", "--to", "tex", "-o", str(out)]) == 0
    assert out.read_text().startswith("\\documentclass")
    assert main(["export", "--from", os.path.join(ROOT, "derivations", "mle_ex4_task1.yaml"), "--fragment"]) == 0
    printed = capsys.readouterr().out
    assert "\\documentclass" not in printed and r"\delta^{(3)} &= \hat{y} - y" in printed
    assert r"\tag*{\text{output-\allowbreak{}error: proved}}" in printed   # the file's own claims and verdicts


@pytest.mark.parametrize("argv", [["export"], ["export", "--sizes", "2,x"],
                                  ["export", "--sizes", "2,2", "--from", "x.yaml"],
                                  ["export", "--sizes", "2,3", "--output", "tanh", "--loss", "cross_entropy"],
                                  ["export", "--from", "does-not-exist.yaml"],
                                  ["export", "--sizes", "2,2", "-o", "/nonexistent-dir/x.tex"]])
def test_cli_export_usage_errors_are_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("symbackprop: error:") and err.count("\n") == 1 and "Traceback" not in err


# ----------------------------------------------------------------------------------------------
# user text never reaches TeX raw: a claim that was never parsed (inconclusive before the parser ran,
# an error) is escaped text; Unicode in any field compiles


CATCODE_ATTACK = r"\text{\catcode95=12 \lccode88=47 \lowercase{\input{XetcXpasswd}}}"
UNICODE_CLAIM = "δ^{(L)} = ŷ − y ⊙ σ′(z) — ∂ℒ/∂W ∈ ℝ^{2×3}, naïve ☃ 中文 \u202e\x1b]0;t\x07"


def _report(*results, title="t"):
    from symbackprop.check import ClaimResult
    spec = load_spec_text("network: {sizes: [2, 3, 2]}\ntitle: " + repr(title).replace("'", '"')
                          + "\nclaims:\n  - {id: a, claim: 'x_1 = x_1'}\n", "u.yaml")
    return FileReport(spec, tuple(ClaimResult(cid, text, verdict, message=msg, given=given)
                                  for cid, text, verdict, msg, given in results))


def _pdf_text(tmp_path):
    proc = subprocess.run(["pdftotext", "-layout", str(tmp_path / "doc.pdf"), "-"], capture_output=True,
                          text=True, errors="replace", timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("verdict", ["inconclusive", "error", "proved", "refuted"])
def test_unparsed_claims_are_never_typeset_raw(tmp_path, verdict):
    from symbackprop.export import report_math
    rep = _report(("attack", CATCODE_ATTACK, verdict, "time limit: killed", (CATCODE_ATTACK,)))
    tex = export_report([rep])
    assert CATCODE_ATTACK not in tex and "\\catcode" not in tex.replace("\\ensuremath{\\backslash}catcode", "")
    assert "\\catcode" not in report_math(rep).replace(r"\backslash catcode", "")
    compile_tex(tex, tmp_path)
    text = _pdf_text(tmp_path)
    assert "root:" not in text and "/bin/" not in text          # /etc/passwd was not read
    assert "catcode95=12" in text.replace("\n", "")              # the source is shown as text


def test_unicode_in_every_field_compiles(tmp_path):
    rep = _report(("ü-id-δ", UNICODE_CLAIM, "error", "unknown character 'δ' — ŷ", (UNICODE_CLAIM,)),
                  ("ok", UNICODE_CLAIM, "inconclusive", "", ()), title="Übung 4 – δ ŷ ☃")
    tex = export_report([rep])
    assert all(ord(ch) < 128 for ch in tex), [ch for ch in tex if ord(ch) >= 128][:5]
    log = compile_tex(tex, tmp_path)
    assert "Missing character" not in log
    assert "U+2603" in _pdf_text(tmp_path)                      # the snowman is named, not dropped silently


def test_the_indicator_prints_as_a_one_not_a_missing_glyph(tmp_path):
    # amssymb has no blackboard 1: without care \mathbb{1} prints as ⊮ (U+22EE) and pdflatex says nothing
    tex = export_document(Network((2, 3, 2)))
    assert r"\mathbb{1}\{z^{(1)} > 0\}" in tex
    compile_tex(tex, tmp_path)
    text = _pdf_text(tmp_path)
    assert "\u22ee" not in text and "1{z" in text.replace(" ", "")
    assert "δ (1) = (W (1) )⊤ δ (2) ⊙ 1{z (1) > 0}" in text


# ----------------------------------------------------------------------------------------------
# what a lecturer puts in course notes: one labelling, definitions before use, assumptions once,
# counterexamples as a table in course notation, numbers that do not break, the file's own claims


@pytest.mark.parametrize("net", [Network((3, 4, 4, 3)), Network((2, 3, 3, 2), "tanh", weights="incoming")],
                         ids=["outgoing", "incoming"])
def test_each_delta_is_defined_before_it_is_used(net):
    rows = [r for r in export_fragment(net).splitlines() if "&" in r]
    for l in range(1, net.L + 1):
        delta = rf"\delta^{{({l})}}"
        uses = [k for k, r in enumerate(rows) if delta in r]
        assert uses and rows[uses[0]].startswith(delta + " &= "), (l, rows[uses[0]] if uses else None)
    assert not any(r"\delta^{(L)}" in r or "(x)^{\\top}" in r for r in rows)


def test_assumptions_are_stated_once_in_words_and_formula():
    tex = export_document(Network((3, 4, 4, 3)))
    assert tex.count(r"\varphi'(0) = 0") == 1 and not re.search(r"(?<!var)phi'", tex) and "sum\\_" not in tex
    assert r"$\sum_{k=1}^{C} y_k = 1$ (the target is one-\allowbreak{}hot)" in tex
    assert "the convention at the kink stated above" in tex


def test_numbers_in_text_never_break():
    out = escape_text("left = -1.70019917003e-7, right = 65/64, id W2_1_1")
    assert r"\mbox{-1.70019917003e-7}" in out and r"\mbox{65/64}" in out
    assert "W2\\_\\allowbreak{}1" in out                     # identifiers may still break


def test_export_from_a_file_has_its_claims_with_verdicts_and_compiles(tmp_path, capsys):
    mistakes = os.path.join(ROOT, "derivations", "mistakes", "mle_ex4_common_mistakes.yaml")
    out = tmp_path / "notes.tex"
    assert main(["export", "--from", mistakes, "-o", str(out)]) == 0
    tex = out.read_text()
    assert tex.count(r"\textbf{refuted}") == 9
    assert "W2_1_1" not in tex and "yhat" not in tex                        # course notation only
    assert r"\begin{tabular}" in tex and r"\hat{y}_{1} = {0.139606758959}" in tex   # a well-conditioned point (conditioning.py)
    compile_tex(tex, tmp_path)
    text = _pdf_text(tmp_path)
    flat = unicodedata.normalize("NFC", " ".join(text.split()))       # pdftotext writes ŷ as y + U+0302
    assert "Claims of MLE Ex 4 Task 1 - common mistakes" in flat
    assert "δ (3) = ŷ − y" in flat and "1{z (1) > 0}" in flat and "\u22ee" not in text   # as written
    assert "0.139606758959" in flat                                          # a number on one line
    assert "the complete point" in flat and "φ′ (0) = 0 (convention at the kink)" in flat
    assert "Diagnosis: sign — The claim is the negative of the true value" in flat
    assert main(["export", "--from", mistakes, "--no-claims", "--fragment"]) == 0
    assert "tag*" not in capsys.readouterr().out


def test_a_report_of_a_file_that_could_not_be_read_compiles(tmp_path):
    from symbackprop.report import FileError
    tex = export_report([FileError("bad_%&.yaml", "bad_%&.yaml: invalid YAML ^ $ (line 2)", 2)])
    compile_tex(tex, tmp_path)
    flat = " ".join(_pdf_text(tmp_path).split())
    assert "Not checked: bad %&.yaml: invalid YAML ∧ $ (line 2)" in flat     # \_ is a rule, read as a space


def test_claim_source_in_typewriter_reads_as_written(tmp_path):
    # the typewriter font has ^ { } \ ~ < > | at their ASCII codes: the source reads back as typed, not
    # with ^ as a wedge (∧, from the math fonts) or braces from another font; the message's excerpt and
    # ^ pointer (a terminal's picture) are not glued into one line of the report
    src = r"a^{(1)} = \foo^2 $x ~ |u| <v>_1"
    msg = "u.yaml: claim 'e': unknown command (at '\\foo', position 10)\n  " + src + "\n" + " " * 12 + "^"
    tex = export_report([_report(("e", src, "error", msg, ("z_1 ^ 2 > 0",)))])
    compile_tex(tex, tmp_path)
    text = _pdf_text(tmp_path)
    assert src in text and "Given: z_1 ^ 2 > 0" in text
    assert "∧" not in text and "ˆ" not in text
    assert "position 10)" in text and text.count(r"\foo^2") == 1    # excerpt dropped, source shown once
