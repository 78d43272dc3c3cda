"""The docstring examples of the terminology modules run (style guide: one runnable example per public function)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["records", "textnorm", "glossary_io", "validate", "index", "fuzzy", "romanize", "calques", "suspects",
           "normalize", "accuracy", "english", "names", "protocols"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"toolkit.terminology.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name not in ("records", "cedict"):
        assert result.attempted > 0
