"""Summarisation engine: seq2seq, chat and extractive backends behind one interface (issue 9).

Models are named by built-in short names (``smollm2-135m``, the offline default; ``minilm-centrality``;
``lead-3``), local folders, ``.gguf`` files or hub ids. torch and transformers are imported only when a
model is loaded.
"""

from toolkit.summarization.api import load_summarizer, summarize
from toolkit.summarization.base import Summarizer
from toolkit.summarization.chat import PROMPTS
from toolkit.summarization.registry import DEFAULT_MODEL, list_models
from toolkit.summarization.records import GenerationSettings, ModelInfo, Summary

__all__ = [
    "DEFAULT_MODEL",
    "PROMPTS",
    "GenerationSettings",
    "ModelInfo",
    "Summarizer",
    "Summary",
    "list_models",
    "load_summarizer",
    "summarize",
]
