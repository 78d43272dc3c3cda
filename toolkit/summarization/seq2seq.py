"""Seq2seq backend: encoder-decoder models (BART, T5 with its task prefix, Pegasus, mT5...).

The encoder context is the budget: ``max_input_tokens`` or the model's own limit (BART/Pegasus
``max_position_embeddings``; T5 ``n_positions``; the tokenizer's ``model_max_length`` when smaller).
"""

from __future__ import annotations

from typing import Any

from toolkit.summarization.base import GenerativeSummarizer


def task_prefix(config: Any) -> str:
    """The summarisation prefix a model was trained with (T5: ``"summarize: "``), else ``""``.

    Example:
        >>> from types import SimpleNamespace as NS
        >>> task_prefix(NS(task_specific_params=None, model_type="t5"))
        'summarize: '
        >>> task_prefix(NS(task_specific_params={"summarization": {"prefix": "sum: "}}, model_type="bart"))
        'sum: '
        >>> task_prefix(NS(task_specific_params=None, model_type="bart"))
        ''
    """
    params = getattr(config, "task_specific_params", None) or {}
    prefix = (params.get("summarization") or {}).get("prefix")
    if prefix is not None:
        return str(prefix)
    return "summarize: " if getattr(config, "model_type", "") == "t5" else ""


class Seq2SeqSummarizer(GenerativeSummarizer):
    """Encoder-decoder summariser (right padding on the encoder side)."""

    kind = "seq2seq"
    left_pad = False

    def _prepare(self) -> None:
        self.prefix = task_prefix(self.model.config)

    @property
    def prompt_name(self) -> str:
        return f"prefix:{self.prefix!r}"

    def _needs_summary_room(self) -> bool:
        return False  # the decoder has its own positions

    def _prompt_ids(self, text: str) -> list[int]:
        return list(self.tokenizer(self.prefix + text, add_special_tokens=True)["input_ids"])

    def _overhead(self) -> int:
        return len(self._prompt_ids(""))

    def _context(self) -> int:
        config = self.model.config
        context = None
        for attr in ("max_position_embeddings", "n_positions", "max_source_positions"):
            value = getattr(config, attr, None)
            if isinstance(value, int) and value > 0:
                context = value
                break
        limit = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(limit, int) and 0 < limit < 1_000_000:
            context = min(context, limit) if context else limit
        return int(context or 512)
