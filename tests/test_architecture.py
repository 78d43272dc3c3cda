"""Straight floors: imports in ``toolkit/`` run one way, with no circles, and no module grows past 450 lines.

The floors, from the ground up (a module may import its own floor and those below, never above):

0. ``toolkit._version``, ``toolkit.errors``, ``toolkit.limits``
1. ``toolkit.io``, ``toolkit.inputs``, ``toolkit.safeparse``, ``toolkit.minilm``
2. ``toolkit.terminology``, ``toolkit.summarization``
3. ``toolkit.scoring``, ``toolkit.qa``
4. ``toolkit.metaeval``
5. ``toolkit.runs``
6. ``toolkit.cli``
7. ``toolkit`` itself (the public API in ``__init__``) and ``toolkit.__main__``

Every import counts, also one inside a function (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"
FLOORS = {
    "toolkit._version": 0, "toolkit.errors": 0, "toolkit.jsonrecord": 0, "toolkit.limits": 0,
    "toolkit.io": 1, "toolkit.inputs": 1, "toolkit.minilm": 1, "toolkit.safeparse": 1,
    "toolkit.terminology": 2, "toolkit.summarization": 2,
    "toolkit.scoring": 3, "toolkit.qa": 3,
    "toolkit.metaeval": 4,
    "toolkit.runs": 5,
    "toolkit.cli": 6,
    "toolkit": 7, "toolkit.__main__": 7,
}
MAX_LINES = 450


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> int:
    while module not in FLOORS:
        module = module.rsplit(".", 1)[0]
    return FLOORS[module]


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every toolkit import in a file (``from toolkit import io`` names ``toolkit.io``)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "toolkit":
            folder = PACKAGE.parent.joinpath(*node.module.split("."))
            for alias in node.names:  # ``from toolkit.cli import app`` imports the module toolkit.cli.app
                is_module = (folder / alias.name).is_dir() or (folder / f"{alias.name}.py").is_file()
                out.append((node.lineno, f"{node.module}.{alias.name}" if is_module else node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "toolkit"]
    return out


FILES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_floors_cover_every_package() -> None:
    for path in FILES:
        _floor(_module(path))  # raises KeyError for a package with no floor


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_never_run_up_a_floor(path: Path) -> None:
    module = _module(path)
    here = _floor(module)
    upward = [f"line {line}: {target}" for line, target in _imports(path)
              if _floor(target) > here and not (module == "toolkit" or target.startswith(module + "."))]
    assert not upward, f"{module} (floor {here}) imports from above: {upward}"


def test_no_import_circles_between_modules() -> None:
    modules = {_module(p): p for p in FILES}
    graph = {m: {t for _, t in _imports(p) if t in modules and t != m} for m, p in modules.items()}
    # a package's __init__ re-exports its modules; an edge into a package stands for its __init__ only
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    # package __init__ files that import their own submodules form a loop only if a submodule imports the
    # package back; those are the circles reported here
    assert not circles, f"import circles: {circles}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_450_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines; split it by job"
