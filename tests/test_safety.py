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
