"""A faster exact (issue 18): the in-place growing key/value cache gives the same tokens as transformers' own,
and the shared prompt prefix prefilled once per batch the same tokens as left padding."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from helpers.tiny_models import DOCS, build_model

from toolkit.summarization import base, load_summarizer
from toolkit.summarization.batching import length_sorted_batches, pad_batch
from toolkit.summarization.kvcache import cache_kwargs, growing_cache
from toolkit.summarization.prefix import MIN_SHARED, prefilled_batch, shared_prefix_length


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-kv")
    return {kind: build_model(kind, root / kind) for kind in ("llama", "bart")}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))


def test_growing_cache_gives_the_same_tokens_through_its_growth(tiny: dict[str, Path]) -> None:
    import torch

    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 8}, device="cpu")
    prompts = [s._prompt_ids(d) for d in DOCS[:3]]
    ids, mask = pad_batch(prompts, s.pad_id, left=True)
    new = 2 * ids.shape[1] + 70  # past the first capacity (2 x prompt, at least 64) and past one doubling
    kwargs = {"max_new_tokens": new, "min_new_tokens": new, "do_sample": False, "pad_token_id": s.pad_id}
    with torch.inference_mode():
        own = s.model.generate(input_ids=ids, attention_mask=mask, **kwargs)
        handed = cache_kwargs(s.model, 1)
        (cache,) = handed.values()
        grown = s.model.generate(input_ids=ids, attention_mask=mask, **handed, **kwargs)
    assert grown.shape == own.shape == (3, ids.shape[1] + new)
    assert torch.equal(grown, own)
    layer = cache.layers[0]
    assert layer.keys.shape[-2] == ids.shape[1] + new - 1 and layer._buffers[0].shape[-2] >= layer.keys.shape[-2]


@pytest.fixture
def generate_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Greedy search through ``model.generate`` (where these caches are used), not ``summarization.greedy``."""
    monkeypatch.setattr(base, "greedy_applies", lambda *args: False)


@pytest.mark.usefixtures("generate_path")
def test_summaries_are_the_same_with_and_without_it(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 12}, device="cpu")
    calls: list[Any] = []
    real = base.cache_kwargs
    monkeypatch.setattr(base, "prefilled_batch", lambda *a: None)  # the growing cache alone (the prefix: below)
    monkeypatch.setattr(base, "cache_kwargs", lambda *a: calls.append(a) or real(*a))
    used = [r.text for r in s.summarize(DOCS, batch_size=3)]
    assert len(calls) == -(-len(DOCS) // 3)  # one fresh cache per batch
    monkeypatch.setattr(base, "cache_kwargs", lambda *a: {})
    assert [r.text for r in s.summarize(DOCS, batch_size=3)] == used
    assert [r.text for r in s.summarize(DOCS, batch_size=1)] == used


def test_only_where_it_was_checked(tiny: dict[str, Path]) -> None:
    llama = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 4}, device="cpu").model
    bart = load_summarizer(str(tiny["bart"]), settings={"max_new_tokens": 4}, device="cpu").model
    assert growing_cache(llama, 1) is not None
    assert growing_cache(llama, 4) is None  # beam search reorders the cache
    assert growing_cache(bart, 1) is None  # encoder-decoder


def without_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "prefilled_batch", lambda *args: None)


def test_same_tokens_as_left_padding(tiny: dict[str, Path]) -> None:
    import torch

    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 8}, device="cpu")
    prompts = [s._prompt_ids(d) for d in DOCS[:5]]
    shared = shared_prefix_length(prompts)
    assert shared >= MIN_SHARED  # the ChatML system turn and instruction
    kwargs = {"max_new_tokens": 40, "min_new_tokens": 40, "do_sample": False, "pad_token_id": s.pad_id}
    with torch.inference_mode():
        ids, mask = pad_batch(prompts, s.pad_id, left=True)
        padded = s.model.generate(input_ids=ids, attention_mask=mask, **cache_kwargs(s.model, 1), **kwargs)
        prepared = prefilled_batch(s.model, prompts, s.pad_id, 1)
        assert prepared is not None
        pids, pmask, handed = prepared
        (cache,) = handed.values()
        assert cache.get_seq_length() == shared  # the prefix is in the cache before generate starts
        assert pids[:, :shared].tolist() == [prompts[0][:shared]] * 5
        assert pmask.sum(1).tolist() == [len(p) for p in prompts]
        prefixed = s.model.generate(input_ids=pids, attention_mask=pmask, **handed, **kwargs)
    assert torch.equal(prefixed[:, pids.shape[1]:], padded[:, ids.shape[1]:])


@pytest.mark.usefixtures("generate_path")
def test_summaries_are_the_same_and_fewer_tokens_are_prefilled(
    tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 12}, device="cpu")
    prefilled: list[int] = []
    real_forward = s.model.forward

    @functools.wraps(real_forward)  # generate reads the signature (position_ids)
    def counting(*args: Any, **kwargs: Any) -> Any:
        ids = kwargs.get("input_ids")
        if ids is not None and ids.shape[1] > 1:  # a prefill pass (decoding steps feed one token)
            prefilled.append(ids.shape[0] * ids.shape[1])
        return real_forward(*args, **kwargs)

    monkeypatch.setattr(s.model, "forward", counting)
    used = [r.text for r in s.summarize(DOCS, batch_size=4)]
    with_prefix = sum(prefilled)
    prefilled.clear()
    without_prefix(monkeypatch)
    assert [r.text for r in s.summarize(DOCS, batch_size=4)] == used
    prompts = [s._prompt_ids(d) for d in DOCS]
    batches = [[prompts[i] for i in b] for b in length_sorted_batches([len(p) for p in prompts], 4)]
    shared = [shared_prefix_length(b) for b in batches]
    assert sum(prefilled) == sum(len(b) * max(map(len, b)) for b in batches)
    assert with_prefix == sum(n + len(b) * max(len(p) - n for p in b) for n, b in zip(shared, batches))
    assert with_prefix < 0.8 * sum(prefilled)
    assert [r.text for r in s.summarize(DOCS, batch_size=1)] == used


def test_sampling_with_a_seed_gives_the_same_texts(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {"max_new_tokens": 12, "do_sample": True, "temperature": 0.9, "top_p": 0.95, "seed": 7}
    s = load_summarizer(str(tiny["llama"]), settings=settings, device="cpu")
    sampled = [r.text for r in s.summarize(DOCS, batch_size=4)]
    without_prefix(monkeypatch)
    assert [r.text for r in s.summarize(DOCS, batch_size=4)] == sampled


def test_only_where_it_applies(tiny: dict[str, Path]) -> None:
    llama = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 4}, device="cpu")
    prompts = [llama._prompt_ids(d) for d in DOCS[:3]]
    assert prefilled_batch(llama.model, prompts[:1], llama.pad_id, 1) is None  # one row: nothing to share
    assert prefilled_batch(llama.model, prompts, llama.pad_id, 4) is None  # beam search
    short = [[5, 6, 7, 8, 9], [5, 6, 7, 1, 2]]
    assert prefilled_batch(llama.model, short, llama.pad_id, 1) is None  # 3 shared tokens < MIN_SHARED
    bart = load_summarizer(str(tiny["bart"]), settings={"max_new_tokens": 4}, device="cpu")
    assert prefilled_batch(bart.model, prompts, bart.pad_id, 1) is None  # encoder-decoder


def test_shared_prefix_length_leaves_each_prompt_a_token() -> None:
    assert shared_prefix_length([]) == 0
    assert shared_prefix_length([[3, 4, 5]]) == 2
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3], [1, 2, 3, 4]]) == 2
    assert shared_prefix_length([[9, 1], [8, 1]]) == 0
