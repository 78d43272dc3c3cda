"""Prefill the prompt prefix that a batch shares once, instead of once per document.

Every chat prompt of a batch starts with the same tokens: the system message and the instruction
(``summarize-short.v1`` through SmolLM2's chat template: 43 of the ~355 tokens of a benchmark window, 12% of
the prefill, which is compute-bound on a CPU). :func:`prefilled_batch` runs those tokens once at batch size 1,
copies their keys and values into each row of a :class:`~toolkit.summarization.kvcache.growing_cache`, and
lays the batch out as ``[shared prefix | padding | rest of the prompt]``. ``generate`` then prefills only the
rest. Positions come from the attention mask (``cumsum - 1``), so every token keeps the position it had with
left padding, and each row attends to the same unmasked keys; the generated tokens were checked identical to
the left-padded path (tiny Llama in ``tests/test_summarization_kvcache.py``; SmolLM2 on the benchmark windows,
``eval/bench/bench_summarize.py`` variants ``-noprefix``).

Used where the growing cache is (Llama-architecture decoders, ``num_beams == 1``), for batches of two or more
whose shared prefix has at least :data:`MIN_SHARED` tokens; otherwise the caller pads as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toolkit.summarization.batching import pad_batch
from toolkit.summarization.kvcache import cache_keyword, growing_cache

__all__ = ["MIN_SHARED", "expanded", "prefill_prefix", "prefilled_batch", "shared_prefix_length", "worth_sharing"]

MIN_SHARED = 8  # tokens: below this a separate prefill pass costs more than it saves


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """Length of the longest prefix all prompts share, leaving at least one own token in each.

    Example:
        >>> shared_prefix_length([[1, 2, 3, 4], [1, 2, 3, 9, 9], [1, 2, 5]])
        2
        >>> shared_prefix_length([[1, 2], [1, 2]])
        1
    """
    if not prompts:
        return 0
    first, limit = prompts[0], min(len(p) for p in prompts) - 1
    n = 0
    while n < limit and all(p[n] == first[n] for p in prompts):
        n += 1
    return n


def worth_sharing(prompts: Sequence[Sequence[int]]) -> int:
    """Tokens of the shared prefix to prefill once: :func:`shared_prefix_length` for two or more prompts
    sharing at least :data:`MIN_SHARED` tokens, else 0.

    Example:
        >>> worth_sharing([list(range(20)) + [1], list(range(20)) + [2]]), worth_sharing([list(range(20)) + [1]])
        (20, 0)
    """
    shared = shared_prefix_length(prompts)
    return shared if len(prompts) >= 2 and shared >= MIN_SHARED else 0


def prefill_prefix(model: Any, tokens: Sequence[int]) -> Any:
    """A :func:`~toolkit.summarization.kvcache.growing_cache` holding the keys and values of ``tokens`` (one row)."""
    import torch

    cache = growing_cache(model, 1)
    model(input_ids=torch.tensor([list(tokens)], device=model.device), use_cache=True, **{cache_keyword(): cache})
    return cache


def expanded(model: Any, prefix_cache: Any, rows: int) -> Any:
    """A fresh growing cache with the one-row ``prefix_cache`` copied into each of ``rows`` rows."""
    cache = growing_cache(model, 1)
    for index, layer in enumerate(prefix_cache.layers):
        cache.update(layer.keys.expand(rows, -1, -1, -1), layer.values.expand(rows, -1, -1, -1), index)
    return cache


def prefilled_batch(
    model: Any, prompts: Sequence[Sequence[int]], pad_id: int, num_beams: int
) -> tuple[Any, Any, dict[str, Any]] | None:
    """``(input_ids, attention_mask, generate keywords)`` for a batch whose shared prefix is already in the
    key/value cache, or None where it does not apply (see the module docstring).

    Example:
        >>> prefilled_batch(type("M", (), {"config": type("C", (), {"model_type": "t5"})()})(), [[1], [1]], 0, 1)
    """
    shared = worth_sharing(prompts)
    if not shared or growing_cache(model, num_beams) is None:
        return None
    import torch

    rows = len(prompts)
    cache = expanded(model, prefill_prefix(model, prompts[0][:shared]), rows)
    rest, rest_mask = pad_batch([p[shared:] for p in prompts], pad_id, left=True)
    ids = torch.cat([torch.tensor([list(prompts[0][:shared])]).expand(rows, shared), rest], dim=1)
    mask = torch.cat([torch.ones(rows, shared, dtype=rest_mask.dtype), rest_mask], dim=1)
    return ids, mask, {cache_keyword(): cache}
