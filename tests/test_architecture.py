"""The shape of the house: no import cycles, small modules, function-local imports explained.

The layer contracts themselves are import-linter's (``pyproject.toml``, run by
``make test`` as ``lint-imports``); these checks cover what it does not.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parent.parent
APPS = [
    "servicedesk",
    "accounts",
    "sla",
    "notifications",
    "assets",
    "tickets",
    "fieldwork",
    "vendors",
    "incidents",
    "channels",
    "people",
    "knowledge",
    "feedback",
    "training",
    "reports",
    "demo",
]
MAX_LINES = 800
# Data, not code: the demo's ticket stories are long by nature.
LONG_BY_NATURE = {"tickets/demo.py"}


def _shipped_files() -> list[Path]:
    files = []
    for app in APPS:
        for path in (REPO / app).rglob("*.py"):
            parts = path.relative_to(REPO).parts
            if "migrations" in parts or "tests" in parts:
                continue
            files.append(path)
    return files


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_among_the_projects_modules():
    # given: every import the project makes, function-local ones included
    sys.path.insert(0, str(REPO))
    graph = grimp.build_graph(*APPS, exclude_type_checking_imports=True)

    # when
    cycles = [c for c in _cycles(graph) if not all(".tests" in m for m in c)]

    # then
    assert cycles == []


def test_no_shipped_module_is_over_800_lines():
    # when
    long = {
        str(path.relative_to(REPO)): n
        for path in _shipped_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }

    # then
    assert set(long) <= LONG_BY_NATURE, long


def test_function_local_imports_say_why():
    # given: a function-local import hides a dependency; it must carry its reason
    unexplained = []
    for path in _shipped_files():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if not isinstance(inner, ast.Import | ast.ImportFrom):
                    continue
                # the comment goes above the block of imports (or on the line itself)
                row = inner.lineno - 2
                while row >= 0 and (
                    not lines[row].strip() or lines[row].strip().startswith(("from ", "import "))
                ):
                    row -= 1
                above = lines[row].strip() if row >= 0 else ""
                same = lines[inner.lineno - 1]
                if not (above.startswith("#") or "#" in same):
                    unexplained.append(f"{path.relative_to(REPO)}:{inner.lineno}")

    # then
    assert unexplained == []


def test_accounts_names_no_other_apps_permission():
    # given: every string constant in accounts' shipped code
    pattern = re.compile(r"\b(sla|notifications|assets|tickets|knowledge|feedback|reports)\.\w+")
    found = []
    for path in _shipped_files():
        if path.relative_to(REPO).parts[0] != "accounts":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found += pattern.findall(node.value)

    # then: permissions are declared by the apps that own them (accounts.roles.declare)
    assert found == []


def test_every_app_is_checked_by_the_suite_and_the_type_checker():
    """A new app's tests run with ``make test`` and its code is type-checked."""
    import tomllib  # stdlib, needed only here

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    typed = set(config["tool"]["mypy"]["files"])

    assert set(APPS) - testpaths == set()
    assert set(APPS) - typed == set()
