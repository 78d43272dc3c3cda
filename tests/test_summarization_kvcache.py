"""The in-place growing key/value cache gives the same tokens as transformers' own (issue 18: a faster exact)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from helpers.tiny_models import DOCS, build_model

from toolkit.summarization import base, load_summarizer
from toolkit.summarization.batching import pad_batch
from toolkit.summarization.kvcache import cache_kwargs, growing_cache


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


def test_summaries_are_the_same_with_and_without_it(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 12}, device="cpu")
    calls: list[Any] = []
    real = base.cache_kwargs
    monkeypatch.setattr(base, "prefilled_batch", lambda *a: None)  # the growing cache alone (prefix: test_summarization_prefix)
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
