"""The modules import in the order of the README's architecture table (issue 15, item 6).

Every import of the package's own modules counts, at the top of a file or inside a function: a module may
import only modules listed above it (in its own row, only those to its left).  A package (``notation/``)
counts as one module; imports inside it are its own business.
"""
import ast
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG = os.path.join(ROOT, "symbackprop")


def table_order(readme: str) -> list:
    """Module names in the order of the architecture table (``a.py / b.py`` rows read left to right)."""
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    order = []
    for line in section.splitlines():
        if line.startswith("| `"):
            cell = line.split("|")[1]
            order += [m.strip("/").removesuffix(".py") for m in re.findall(r"`([\w./]+)`", cell)]
    return order


def modules() -> dict:
    """Top-level module name -> list of its source files (a package's files all belong to it)."""
    out = {}
    for dirpath, _, files in os.walk(PKG):
        for f in files:
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(dirpath, f), PKG)
                top = rel.split(os.sep)[0].removesuffix(".py")
                out.setdefault(top, []).append(os.path.join(dirpath, f))
    out.pop("__init__", None)           # the package root imports everything to re-export it
    return out


def imported(path: str, pkg: str = PKG) -> set:
    """The package's own top-level modules that the file at ``path`` (inside ``pkg``) imports, anywhere in it."""
    rel = os.path.relpath(path, pkg).split(os.sep)
    here = ["symbackprop"] + rel[:-1]                  # the package the file lives in
    found = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read(), path)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                names = (base + node.module.split(".")) if node.module else None
                targets = [names] if names else [base + [a.name] for a in node.names]
            else:
                targets = [node.module.split(".")] if node.module else []
                targets = [t + [a.name] for t in targets for a in node.names] if targets == [["symbackprop"]] \
                    else targets
        elif isinstance(node, ast.Import):
            targets = [a.name.split(".") for a in node.names]
        else:
            continue
        for t in targets:
            if len(t) >= 2 and t[0] == "symbackprop":
                found.add(t[1])
    return found


def violations(order: list, mods: dict, pkg: str = PKG) -> list:
    rank = {m: i for i, m in enumerate(order)}
    bad = []
    for mod, files in sorted(mods.items()):
        for path in files:
            for dep in sorted(imported(path, pkg) - {mod}):
                if dep not in rank or rank[dep] >= rank[mod]:
                    bad.append(f"{os.path.relpath(path, ROOT)} imports {dep} (not above {mod} in the table)")
    return bad


README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_the_table_lists_every_module_once():
    order = table_order(README)
    assert len(order) == len(set(order)), order
    assert set(order) == set(modules()), (set(modules()) - set(order), set(order) - set(modules()))


def test_every_module_imports_only_modules_above_it():
    assert violations(table_order(README), modules()) == []


def test_a_back_import_is_caught(tmp_path):
    """Not vacuous: the display code moved back into network.py (the old cycle) is reported."""
    mods = modules()
    src = open(mods["network"][0], encoding="utf-8").read()
    back = tmp_path / "network.py"
    back.write_text(src + "\n\ndef _repr_latex_(self):\n    from .export import network_math\n"
                    "    return network_math(self)\n", encoding="utf-8")
    bad = violations(table_order(README), {"network": [str(back)]}, str(tmp_path))
    assert bad == [f"{os.path.relpath(str(back), ROOT)} imports export (not above network in the table)"], bad


@pytest.mark.parametrize("mod", ["rules", "network", "derive", "closed_forms", "numeric", "points", "export",
                                 "display"])
def test_core_modules_import_at_the_top_only(mod):
    """No deferred imports in the pipeline's core (a function-level import hid the old cycle)."""
    path = modules()[mod][0]
    tree = ast.parse(open(path, encoding="utf-8").read())
    top = set(tree.body)
    deferred = [n.lineno for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and n not in top]
    assert deferred == [], (mod, deferred)
