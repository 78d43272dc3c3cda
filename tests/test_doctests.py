"""The public API is documented, and its documentation runs (issue 5; style guide practices 4 and 12).

Every module that defines a name in ``toolkit.__all__`` (and ``toolkit.io``) has its doctests run with ELLIPSIS and
NORMALIZE_WHITESPACE, from the repository root (some examples read ``tests/data/``). Every public function must
have a docstring with an ``Example:`` section holding at least one ``>>>`` line; every public class must have a
docstring, and the classes still without an example are listed below so that the list can only shrink.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import toolkit

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

PUBLIC: dict[str, Any] = {name: getattr(toolkit, name) for name in toolkit.__all__ if name != "__version__"}
FUNCTIONS = {name: obj for name, obj in PUBLIC.items() if inspect.isfunction(obj)}
CLASSES = {name: obj for name, obj in PUBLIC.items() if inspect.isclass(obj)}
# the package itself, every module defining a public name, and toolkit.io, which the CLI and the runs read through:
# these must have examples; every other module's examples must pass too (one runner for the whole package)
MODULES = sorted({"toolkit", "toolkit.io", *(obj.__module__ for obj in (*FUNCTIONS.values(), *CLASSES.values()))})
ALL_MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(toolkit.__path__, "toolkit.") if not name.endswith("__main__")
)

# Modules with public functions or classes but no docstring example yet (the CLI command modules, run plumbing):
# this list can only shrink; every other such module must have examples, and every module's examples must pass.
MODULES_WITHOUT_EXAMPLE = {
    "toolkit.cli.app", "toolkit.cli.faith_cmds", "toolkit.cli.meta_cmds", "toolkit.cli.qa_cmds",
    "toolkit.cli.summarize_cmds", "toolkit.cli.terms_cmds", "toolkit.metaeval.convert",
    "toolkit.runs.report_cli", "toolkit.runs.sections",
    "toolkit.runs.systems", "toolkit.scoring.embedding", "toolkit.scoring.rouge.metric",
    "toolkit.scoring.rouge.sides",
}


def _defines_public_names(module: Any) -> bool:
    return any(not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
               and getattr(obj, "__module__", None) == module.__name__ for name, obj in vars(module).items())


# Public classes whose docstring has no runnable example: none since 2026-11-27. A new public class without an
# example fails the test below.
CLASSES_WITHOUT_EXAMPLE: set[str] = set()
# Argument names the one naming scheme replaces (style guide practice 4).
OTHER_NAMES = {"hypotheses", "hyps", "hypothesis", "refs", "candidates", "cands", "targets", "gold", "srcs"}


def _has_example(obj: Any) -> bool:
    doc = inspect.getdoc(obj) or ""
    return ">>>" in doc


def test_every_public_name_is_importable_and_listed_once() -> None:
    assert len(toolkit.__all__) == len(set(toolkit.__all__))
    assert FUNCTIONS and CLASSES
    assert set(PUBLIC) == set(FUNCTIONS) | set(CLASSES)  # nothing public is neither a function nor a class


@pytest.mark.parametrize("module_name", ["toolkit", *ALL_MODULES])
def test_module_doctests_pass(module_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report: list[str] = []
    for test in finder.find(module, module_name):
        runner.run(test, out=report.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)
    if module_name != "toolkit" and (module_name in MODULES or _defines_public_names(module)):
        if module_name not in MODULES_WITHOUT_EXAMPLE:
            assert result.attempted > 0, f"{module_name} defines public names but has no doctest example"
        else:
            assert result.attempted == 0, f"{module_name} has examples now: take it off MODULES_WITHOUT_EXAMPLE"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_public_function_has_docstring_with_example(name: str) -> None:
    doc = inspect.getdoc(FUNCTIONS[name]) or ""
    assert doc.strip(), f"toolkit.{name} has no docstring"
    assert "Example" in doc and ">>>" in doc, f"toolkit.{name}: docstring lacks an 'Example:' section with >>> lines"


def test_public_classes_have_docstrings_and_new_ones_have_examples() -> None:
    missing_doc = [name for name, cls in CLASSES.items() if not (cls.__doc__ or "").strip()]
    assert missing_doc == []
    without = {name for name, cls in CLASSES.items() if not _has_example(cls)}
    assert without <= CLASSES_WITHOUT_EXAMPLE, f"add an Example to: {sorted(without - CLASSES_WITHOUT_EXAMPLE)}"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_public_function_uses_the_one_naming_scheme(name: str) -> None:
    params = inspect.signature(FUNCTIONS[name]).parameters
    assert not OTHER_NAMES & set(params), f"toolkit.{name}: use predictions/references/sources"
    for arg in ("predictions", "references", "sources"):
        if arg in params:
            assert params[arg].kind is inspect.Parameter.KEYWORD_ONLY, f"toolkit.{name}: {arg} must be keyword-only"
