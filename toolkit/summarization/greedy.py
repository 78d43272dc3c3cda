"""Greedy decoding for Llama-architecture decoders: prefill in small row groups, decode in one large batch.

``model.generate`` prefills and decodes a batch at one size. On a CPU the two want different sizes: the
prefill is compute-bound (its matrix products are large at any batch), and its activations grow with rows x
prompt length (at 48 rows of 350 tokens, 100 MB a layer for the feed-forward alone), while a decoding step
reads every weight once whatever the batch, so it costs about as much for 48 rows as for 16 (SmolLM2-135M,
2 threads: 290 ms against 210 ms a step). :func:`greedy_generate` prefills :data:`PREFILL_ROWS` rows at a time
into one key/value buffer per layer, sized for the whole generation, and then decodes every row together.

The shared prompt prefix (:mod:`toolkit.summarization.prefix`) is prefilled once; each row's own tokens are
laid out ``[shared prefix | padding | rest]``, positions come from the attention mask as in ``generate``, and
each row attends to the same unmasked keys as with left padding. Greedy search is what ``generate`` does
(argmax of the float32 logits of the last position; end-of-sequence suppressed while fewer than
``min_new_tokens`` were made; finished rows fed the pad token), so the tokens are the same: checked on tiny
Llamas in ``tests/test_summarization_greedy.py`` and on SmolLM2 over the benchmark windows
(``eval/bench/bench_summarize.py``, variants ``-generate``).

Used where :func:`applies`: a model on the CPU (where it was measured and checked; a GPU wants its prefill
batched whole), the growing cache applies (:func:`~toolkit.summarization.kvcache.growing_cache`), greedy
search, no repetition penalty or n-gram blocking, and a generation config that asks for no other logits
processing; everything else keeps ``generate``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from toolkit.summarization.batching import pad_batch
from toolkit.summarization.kvcache import cache_from_buffers, cache_keyword, growing_cache
from toolkit.summarization.prefix import expanded, prefill_prefix, worth_sharing
from toolkit.summarization.records import GenerationSettings

__all__ = ["PREFILL_ROWS", "applies", "greedy_generate"]

PREFILL_ROWS = 4  # rows prefilled together: 0.57-0.81 s a document at 1-16 rows (noise), fewest activations at 4

# generation_config fields that ask for no logits processing here (set, they are overridden by the settings
# ``generate`` is called with, or concern only sampling or beam search, which never reach this path)
_NEUTRAL_CONFIG = frozenset({
    "bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id", "use_cache", "output_attentions",
    "output_hidden_states", "output_scores", "output_logits", "return_dict_in_generate", "_from_model_config",
    "transformers_version", "max_length", "max_new_tokens", "min_length", "min_new_tokens", "do_sample",
    "temperature", "top_k", "top_p", "num_beams", "length_penalty", "early_stopping", "repetition_penalty",
    "no_repeat_ngram_size", "num_return_sequences", "cache_implementation",
})


def applies(model: Any, settings: GenerationSettings) -> bool:
    """Whether :func:`greedy_generate` gives ``model`` the tokens ``generate`` would under ``settings``.

    Example:
        >>> applies(type("M", (), {"config": type("C", (), {"model_type": "bart"})()})(), GenerationSettings())
        False
    """
    if (settings.num_beams != 1 or settings.do_sample or settings.no_repeat_ngram_size
            or settings.repetition_penalty != 1.0 or growing_cache(model, 1) is None):
        return False
    if str(getattr(model, "device", "cpu")) != "cpu":
        return False
    config = getattr(model, "generation_config", None)
    diff = config.to_diff_dict() if config is not None else {}
    return set(diff) <= _NEUTRAL_CONFIG


def greedy_generate(
    model: Any, prompts: Sequence[Sequence[int]], *, pad_id: int, eos_ids: set[int], max_new_tokens: int,
    min_new_tokens: int = 0, on_finish: Callable[[int], None] | None = None,
) -> list[list[int]]:
    """Greedy continuations of ``prompts`` (token ids): one list per prompt, up to and including its first
    end-of-sequence token, else ``max_new_tokens`` long. ``on_finish(row)`` is called the step a row ends.

    Prefills :data:`PREFILL_ROWS` prompts at a time, then decodes all of them together (module docstring).
    """
    import torch

    rows, device = len(prompts), model.device
    shared = worth_sharing(prompts)
    keyword = cache_keyword()
    prefix_cache = prefill_prefix(model, prompts[0][:shared]) if shared else None
    rests = [list(p[shared:]) for p in prompts]
    length = shared + max(len(r) for r in rests)
    mask = torch.zeros(rows, length, dtype=torch.long, device=device)
    mask[:, :shared] = 1
    buffers: list[tuple[Any, Any]] = []
    first = torch.empty(rows, 1, dtype=torch.long, device=device)
    for lo in range(0, rows, PREFILL_ROWS):
        group = rests[lo:lo + PREFILL_ROWS]
        hi = lo + len(group)
        cache = expanded(model, prefix_cache, len(group)) if prefix_cache is not None else growing_cache(model, 1)
        ids, group_mask = pad_batch(group, pad_id, left=True)
        ids, group_mask = ids.to(device), group_mask.to(device)
        full_mask = torch.cat([mask[lo:hi, :shared], group_mask], dim=1)
        positions = full_mask.cumsum(-1) - 1
        positions.masked_fill_(full_mask == 0, 1)  # as generate: padded positions are masked anyway
        out = model(input_ids=ids, attention_mask=full_mask, position_ids=positions[:, shared:], use_cache=True,
                    logits_to_keep=1, **{keyword: cache})
        first[lo:hi] = _pick(out.logits, eos_ids, 0, min_new_tokens)
        own = ids.shape[1]
        for index, layer in enumerate(cache.layers):
            if len(buffers) <= index:  # first group: the buffers for every row, the shared prefix in place
                shape = (rows, layer.keys.shape[1], length + max_new_tokens, layer.keys.shape[-1])
                buffers.append((layer.keys.new_zeros(shape), layer.values.new_zeros(shape)))
                buffers[index][0][:, :, :shared] = layer.keys[:1, :, :shared]
                buffers[index][1][:, :, :shared] = layer.values[:1, :, :shared]
            keys, values = buffers[index]
            keys[lo:hi, :, length - own:length] = layer.keys[:, :, shared:]
            values[lo:hi, :, length - own:length] = layer.values[:, :, shared:]
        mask[lo:hi, length - own:] = group_mask
        del cache, out
    cache = cache_from_buffers(model, buffers, length)
    eos = torch.tensor(sorted(eos_ids), dtype=torch.long, device=device)
    done = torch.zeros(rows, dtype=torch.bool, device=device)
    tokens, step_token = [first], first
    lengths = mask.sum(-1, keepdim=True)
    for step in range(1, max_new_tokens + 1):
        newly = torch.isin(step_token[:, 0], eos) & ~done if len(eos) else torch.zeros_like(done)
        done |= newly
        if on_finish is not None and bool(newly.any()):
            for row in newly.nonzero()[:, 0].tolist():
                on_finish(row)
        if step == max_new_tokens or bool(done.all()):
            break
        mask = torch.cat([mask, torch.ones(rows, 1, dtype=mask.dtype, device=device)], dim=1)
        out = model(input_ids=step_token, attention_mask=mask, position_ids=lengths + (step - 1), use_cache=True,
                    logits_to_keep=1, **{keyword: cache})
        step_token = torch.where(done[:, None], pad_id, _pick(out.logits, eos_ids, step, min_new_tokens))
        tokens.append(step_token)
    table = torch.cat(tokens, dim=1).tolist()
    return [_until_eos(row, eos_ids) for row in table]


def _pick(logits: Any, eos_ids: set[int], made: int, min_new_tokens: int) -> Any:
    """Argmax of the last position's float32 logits; end-of-sequence barred while ``made < min_new_tokens``."""
    import torch

    scores = logits[:, -1, :].to(dtype=torch.float32)
    if made < min_new_tokens and eos_ids:
        scores[:, sorted(eos_ids)] = -float("inf")
    return scores.argmax(-1, keepdim=True)


def _until_eos(row: list[int], eos_ids: set[int]) -> list[int]:
    """``row`` up to and including its first end-of-sequence token.

    Example:
        >>> _until_eos([5, 6, 2, 2, 2], {2}), _until_eos([5, 6], {2})
        ([5, 6, 2], [5, 6])
    """
    for i, token in enumerate(row):
        if token in eos_ids:
            return row[:i + 1]
    return row
