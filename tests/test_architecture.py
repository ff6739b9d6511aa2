"""The import floors of DESIGN.md, and no import circles anywhere in the apps.

`make lint` checks the floors with import-linter (pyproject.toml); this test checks them
again with the same graph library (grimp) inside `make test`, and adds what import-linter
has no contract for: no circle of imports between modules, inside an app or across apps.
Function-level imports count: an import deferred into a function is still a circle.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Highest floor first; apps on one floor may not import each other either.
FLOORS: list[set[str]] = [
    {"programmes"},
    {"challenges", "adoption"},
    {"trials"},
    {"testbeds"},
    {"accounts"},
    {"core"},
]
APPS = sorted(set().union(*FLOORS))


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    if str(ROOT) not in sys.path:  # pragma: no cover — pytest's rootdir is on the path
        sys.path.insert(0, str(ROOT))
    present = [app for app in APPS if (ROOT / app / "__init__.py").exists()]
    return grimp.build_graph(*present, include_external_packages=False)


def _floor(module: str) -> int:
    app = module.split(".", 1)[0]
    return next(i for i, floor in enumerate(FLOORS) if app in floor)


def test_apps_import_only_down_the_floors(graph):
    wrong = []
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            lower, upper = _floor(importer), _floor(imported)
            same_app = importer.split(".")[0] == imported.split(".")[0]
            if upper < lower or (upper == lower and not same_app):
                wrong.append(f"{importer} imports {imported}")
    assert wrong == [], "imports that go up (or sideways) a floor:\n" + "\n".join(wrong)


def _circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    edges = {
        m: sorted(n for n in graph.find_modules_directly_imported_by(m) if ".migrations" not in n)
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
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
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_import_circles(graph):
    circles = _circles(graph)
    assert circles == [], "import circles:\n" + "\n".join(" ↔ ".join(c) for c in circles)


def test_the_circle_check_finds_a_circle():
    fake = grimp.ImportGraph()
    for name in ("app", "app.a", "app.b", "app.c"):
        fake.add_module(name)
    fake.add_import(importer="app.a", imported="app.b")
    fake.add_import(importer="app.b", imported="app.c")
    fake.add_import(importer="app.c", imported="app.a")
    assert _circles(fake) == [["app.a", "app.b", "app.c"]]
