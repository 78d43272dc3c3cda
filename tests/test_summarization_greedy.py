"""A faster exact (issue 18): ``summarization.greedy`` prefills a few rows at a time and decodes the batch
together, and gives the tokens ``model.generate`` gives (tiny Llamas built here; SmolLM2 in the benchmark)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from helpers.tiny_models import DOCS, build_model

from toolkit.summarization import base, greedy, load_summarizer
from toolkit.summarization.batching import pad_batch
from toolkit.summarization.greedy import applies, greedy_generate
from toolkit.summarization.kvcache import cache_kwargs
from toolkit.summarization.records import GenerationSettings


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-greedy")
    return {kind: build_model(kind, root / kind) for kind in ("llama", "bart")}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path / "cache"))


def generated(s: Any, prompts: list[list[int]], eos: int, new: int, min_new: int = 0) -> list[list[int]]:
    """``model.generate`` (left padding, greedy) cut as :func:`greedy_generate` cuts: through the first eos."""
    import torch

    ids, mask = pad_batch(prompts, s.pad_id, left=True)
    with torch.inference_mode():
        out = s.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=new, min_new_tokens=min_new,
                               do_sample=False, eos_token_id=eos, pad_token_id=s.pad_id, **cache_kwargs(s.model, 1))
    rows = out[:, ids.shape[1]:].tolist()
    return [row[:row.index(eos) + 1] if eos in row else row for row in rows]


def ours(s: Any, prompts: list[list[int]], eos: int, new: int, min_new: int = 0, **kwargs: Any) -> list[list[int]]:
    import torch

    with torch.inference_mode():
        return greedy_generate(s.model, prompts, pad_id=s.pad_id, eos_ids={eos}, max_new_tokens=new,
                               min_new_tokens=min_new, **kwargs)


@pytest.fixture(scope="module")
def llama(tiny: dict[str, Path]) -> Any:
    return load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 12}, device="cpu")


@pytest.fixture(scope="module")
def stop_token(llama: Any) -> int:
    """A token the tiny model emits mid-way in some rows but not others: an end-of-sequence that ends rows at
    different steps (the tiny model's own eos rarely comes)."""
    rows = generated(llama, [llama._prompt_ids(d) for d in DOCS], eos=-1, new=24)
    counts: dict[int, int] = {}
    for row in rows:
        for token in set(row[2:20]):
            counts[token] = counts.get(token, 0) + 1
    token = next(t for t, n in sorted(counts.items(), key=lambda kv: -kv[1]) if 2 <= n < len(rows))
    return token


@pytest.mark.parametrize("rows", [1, 2, 5, 8])
def test_same_tokens_as_generate(llama: Any, stop_token: int, rows: int) -> None:
    prompts = [llama._prompt_ids(d) for d in DOCS[:rows]]
    want = generated(llama, prompts, stop_token, new=24)
    got = ours(llama, prompts, stop_token, new=24)
    assert got == want
    if rows == 8:  # rows ended at different steps, some not at all
        lengths = {len(row) for row in got}
        assert len(lengths) >= 3 and 24 in lengths and min(lengths) < 20


def test_same_tokens_with_min_new_tokens(llama: Any, stop_token: int) -> None:
    prompts = [llama._prompt_ids(d) for d in DOCS]
    free = ours(llama, prompts, stop_token, new=24)
    barred = ours(llama, prompts, stop_token, new=24, min_new=10)
    assert barred == generated(llama, prompts, stop_token, new=24, min_new=10)
    assert barred != free and min(len(row) for row in barred) > 10


@pytest.mark.parametrize("group", [1, 3, 64])
def test_prefill_group_size_changes_no_token(llama: Any, stop_token: int, group: int, monkeypatch: pytest.MonkeyPatch) -> None:
    prompts = [llama._prompt_ids(d) for d in DOCS]
    want = ours(llama, prompts, stop_token, new=16)
    monkeypatch.setattr(greedy, "PREFILL_ROWS", group)
    assert ours(llama, prompts, stop_token, new=16) == want


def test_prefills_a_few_rows_at_a_time_and_decodes_them_together(
    llama: Any, stop_token: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes: list[tuple[int, int]] = []
    real_forward = llama.model.forward

    @functools.wraps(real_forward)
    def recording(*args: Any, **kwargs: Any) -> Any:
        shapes.append(tuple(kwargs["input_ids"].shape))
        return real_forward(*args, **kwargs)

    monkeypatch.setattr(llama.model, "forward", recording)
    monkeypatch.setattr(greedy, "PREFILL_ROWS", 3)
    prompts = [llama._prompt_ids(d) for d in DOCS]
    finished: list[int] = []
    rows = ours(llama, prompts, -1, new=6, on_finish=finished.append)
    assert shapes[0][0] == 1 and shapes[0][1] >= 8  # the shared prefix, once
    assert [rows_ for rows_, _ in shapes[1:4]] == [3, 3, 2]  # prompts' own tokens, 3 rows at a time
    assert shapes[4:] == [(8, 1)] * 5  # 6 new tokens: the first from the prefill, 5 decoding steps of all rows
    assert [len(r) for r in rows] == [6] * 8 and finished == []


def test_reports_each_row_the_step_it_ends(llama: Any, stop_token: int) -> None:
    prompts = [llama._prompt_ids(d) for d in DOCS]
    finished: list[int] = []
    rows = ours(llama, prompts, stop_token, new=24, on_finish=finished.append)
    ended = [i for i, row in enumerate(rows) if row[-1] == stop_token]
    assert sorted(finished) == ended and len(finished) == len(set(finished))
    steps = [len(rows[i]) for i in finished]
    assert steps == sorted(steps)  # in the order the rows ended


def test_summaries_are_the_same_through_generate(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 12}, device="cpu")
    calls: list[int] = []
    real = base.greedy_generate
    monkeypatch.setattr(base, "greedy_generate", lambda model, prompts, **kw: calls.append(len(prompts)) or real(model, prompts, **kw))
    used = [r.text for r in s.summarize(DOCS, batch_size=3)]
    assert calls == [3, 3, 2]
    calls.clear()
    assert [r.text for r in s.summarize(DOCS, batch_size=7)] == used
    assert calls == [4, 4]  # balanced: not 7 + 1 (a last batch of one row decoding as many steps)
    assert [r.text for r in s.summarize(DOCS, batch_size=8)] == used
    monkeypatch.setattr(base, "greedy_applies", lambda *args: False)
    assert [r.text for r in s.summarize(DOCS, batch_size=3)] == used
    assert [r.text for r in s.summarize(DOCS, batch_size=1)] == used


def test_progress_advances_per_document(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 12}, device="cpu")
    seen: list[int] = []
    s.summarize(DOCS, batch_size=8, on_document=lambda i, share: seen.append(i))
    assert sorted(seen) == list(range(len(DOCS)))


def test_only_where_generate_would_give_the_same_tokens(tiny: dict[str, Path]) -> None:
    model = load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 4}, device="cpu").model
    assert applies(model, GenerationSettings())
    assert applies(model, GenerationSettings(min_new_tokens=3))
    for changed in ({"num_beams": 2}, {"do_sample": True}, {"repetition_penalty": 1.2}, {"no_repeat_ngram_size": 3}):
        assert not applies(model, GenerationSettings(**changed)), changed
    model.generation_config.suppress_tokens = [5]  # a logits processor generate would apply
    try:
        assert not applies(model, GenerationSettings())
    finally:
        model.generation_config.suppress_tokens = None
    bart = load_summarizer(str(tiny["bart"]), settings={"max_new_tokens": 4}, device="cpu").model
    assert not applies(bart, GenerationSettings())
