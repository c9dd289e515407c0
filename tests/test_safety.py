"""Nothing in user input is executed: no eval/exec/sympify/parse_expr anywhere, lambdify only in the compilers of the derivation (compiling.py, numeric.py)."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symbackprop"
BUILTINS = {"eval", "exec", "compile", "__import__"}                     # called by bare name
FORBIDDEN = BUILTINS | {"sympify", "parse_expr", "S", "parse_latex", "latex2sympy"}
LAMBDIFY_ONLY_IN = {"compiling.py", "numeric.py"}     # over the library's own symbols, never user names
# latex2sympy2 reads only number tokens our lexer assembled (digits, \frac of digits), cross-checked
ALLOWED = {("literals.py", "latex2sympy")}


def _called_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                yield node.lineno, f.id
            elif isinstance(f, ast.Attribute) and f.attr not in BUILTINS:     # re.compile is fine
                yield node.lineno, f.attr


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_code_execution_on_text(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for line, name in _called_names(tree):
        assert name not in FORBIDDEN or (path.name, name) in ALLOWED, f"{path.name}:{line} calls {name}"
        if name == "lambdify":
            assert path.name in LAMBDIFY_ONLY_IN, f"{path.name}:{line} calls lambdify"


def test_the_scan_covers_the_notation_package():
    names = {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")}
    assert {"notation/literals.py", "notation/parser.py", "notation/normalize.py"} <= names


def test_the_scan_would_catch_a_call():
    tree = ast.parse("import sympy as sp\nsp.sympify(text)\neval(x)\n")
    assert {n for _, n in _called_names(tree)} >= {"sympify", "eval"}


# The static scan above sees calls written in our code; SymPy can still reach its string parser on its own,
# e.g. when a Matrix is compared with a tuple holding a str (Matrix.__eq__ sympifies the other side).  The
# checker must never get there: parse_expr is made to fail while whole files are checked.
@pytest.mark.parametrize("name", ["mle_ex4_task1.yaml", "mistakes/mle_ex4_common_mistakes.yaml"])
def test_checking_a_file_never_reaches_sympys_string_parser(name, monkeypatch):
    import sympy.parsing.sympy_parser as sympy_parser
    from symbackprop import load_spec
    from symbackprop.check import check_claim
    calls = []

    def refuse(text, *args, **kwargs):
        calls.append(text)
        raise AssertionError(f"parse_expr({text!r})")
    monkeypatch.setattr(sympy_parser, "parse_expr", refuse)
    spec = load_spec(PACKAGE.parent / "derivations" / name)
    results = [check_claim(spec.network, c.id, c.claim, c.given, c.expect) for c in spec.claims]
    assert calls == []
    assert all(r.as_expected for r in results), [(r.id, r.verdict, r.message) for r in results if not r.as_expected]
