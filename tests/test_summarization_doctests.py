"""Run the docstring examples of the summarisation modules (style guide: one runnable example per public function)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "toolkit.summarization.records",
    "toolkit.summarization.registry",
    "toolkit.summarization.chunking",
    "toolkit.summarization.batching",
    "toolkit.summarization.chat",
    "toolkit.summarization.seq2seq",
    "toolkit.summarization.extractive",
    "toolkit.summarization.gguf_default",
    "toolkit.summarization.loading",
    "toolkit.summarization.base",
    "toolkit.summarization.api",
    "toolkit.minilm",  # the encoder shared by minilm-centrality and the minilm-cosine metric
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name != "toolkit.summarization.base":
        assert result.attempted > 0
