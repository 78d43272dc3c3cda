"""Summarisation engine on tiny random models built from configs (T5, BART, Llama-style).

Each model is built by ``tests/helpers/tiny_models.py`` and saved to a temporary folder with a tiny WordLevel
tokenizer (with a ChatML template) and loaded back through the real loading code (`load_summarizer(folder)`). Random weights write nonsense;
the tests check invariants: batch-size invariance of greedy and beam outputs, map-reduce chunking of a
document three times the context, safety rules, fingerprints and result records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from helpers.tiny_models import DOCS, build_model, long_document  # noqa: E402  (tests/ is on sys.path)

from toolkit.errors import ConfigError, InputError, ModelUnavailableError, UnknownNameError, UnsafeModelError  # noqa: E402
from toolkit.summarization import Summary, load_summarizer  # noqa: E402
from toolkit.summarization import base as base_module  # noqa: E402


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny")
    return {kind: build_model(kind, root / kind) for kind in ("llama", "bart", "t5")}


SETTINGS = {"max_new_tokens": 12, "dtype": "float32"}


@pytest.mark.parametrize("kind,backend", [("llama", "chat"), ("bart", "seq2seq"), ("t5", "seq2seq")])
def test_loads_through_real_code_and_returns_records(tiny: dict[str, Path], kind: str, backend: str) -> None:
    s = load_summarizer(str(tiny[kind]), settings=SETTINGS, device="cpu")
    assert s.info["kind"] == backend
    assert s.info["origin"] == "safetensors"
    assert len(s.info["model_hash"]) == 64
    out = s.summarize(DOCS[:3], batch_size=2)
    assert [type(o) for o in out] == [Summary] * 3
    for doc, o in zip(DOCS[:3], out):
        assert o.tokens_in == len(s.tokenizer(doc, add_special_tokens=False)["input_ids"])
        assert 0 <= o.tokens_out <= 12
        assert (o.chunked, o.truncated, o.n_chunks) == (False, False, 1)
        assert o.settings["max_new_tokens"] == 12
        assert json.loads(json.dumps(o.to_dict()))["model"] == str(tiny[kind])


@pytest.mark.parametrize("kind", ["llama", "bart", "t5"])
def test_greedy_output_does_not_depend_on_batch_size(tiny: dict[str, Path], kind: str) -> None:
    s = load_summarizer(str(tiny[kind]), settings=SETTINGS, device="cpu")
    one = [o.text for o in s.summarize(DOCS, batch_size=1)]
    eight = [o.text for o in s.summarize(DOCS, batch_size=8)]
    three = [o.text for o in s.summarize(DOCS, batch_size=3)]
    assert one == eight == three
    assert len(set(one)) > 1  # the model does react to its input (not one constant string)


def test_beam_search_output_does_not_depend_on_batch_size(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["bart"]), settings={**SETTINGS, "num_beams": 3}, device="cpu")
    assert [o.text for o in s.summarize(DOCS, batch_size=1)] == [o.text for o in s.summarize(DOCS, batch_size=8)]


def test_sampling_with_a_seed_is_reproducible(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["llama"]), settings={**SETTINGS, "do_sample": True, "seed": 7}, device="cpu")
    assert [o.text for o in s.summarize(DOCS[:3])] == [o.text for o in s.summarize(DOCS[:3])]


def test_progress_counts_every_document(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["t5"]), settings=SETTINGS, device="cpu")
    calls: list[int] = []
    s.summarize(DOCS, batch_size=3, progress=calls.append)
    assert calls == [1] * 8  # one tick per document as it finishes, not one per batch of 3


def test_document_three_times_the_context_is_chunked_not_truncated(tmp_path: Path, monkeypatch) -> None:
    context = 96
    folder = build_model("llama", tmp_path / "small", context=context)
    s = load_summarizer(str(folder), settings={"max_new_tokens": 8, "dtype": "float32"}, device="cpu")
    assert s.info["context_tokens"] == context
    budget = s.info["document_budget"]
    assert budget == context - 8 - s._overhead()
    seen: list[int] = []
    real_prompt = s._prompt_ids

    def spy(text: str) -> list[int]:  # every prompt the model is fed (generate's or summarization.greedy's)
        ids = real_prompt(text)
        seen.append(len(ids))
        return ids

    monkeypatch.setattr(s, "_prompt_ids", spy)
    doc = long_document(3 * context)
    n_tokens = s.count(doc)
    assert n_tokens >= 3 * context
    short = DOCS[0]
    out = s.summarize([doc, short], batch_size=4)
    assert out[0].chunked and not out[0].truncated
    assert out[0].tokens_in == n_tokens
    # chunks hold whole sentences of <= budget tokens: at least ceil(n_tokens / budget) of them
    assert out[0].n_chunks >= -(-n_tokens // budget) and out[0].n_chunks >= 4
    assert (out[1].chunked, out[1].n_chunks) == (False, 1)
    assert max(seen) + 8 <= context  # no prompt ever exceeded the context
    # the short document's summary is the same as when summarised alone
    assert out[1].text == s.summarize([short])[0].text


def test_truncation_is_recorded_when_reduce_rounds_run_out(tmp_path: Path, monkeypatch) -> None:
    folder = build_model("llama", tmp_path / "small", context=96)
    s = load_summarizer(str(folder), settings={"max_new_tokens": 8, "dtype": "float32"}, device="cpu")
    monkeypatch.setattr(base_module, "MAX_REDUCE_ROUNDS", 0)
    out = s.summarize([long_document(300)])[0]
    assert out.truncated and not out.chunked


def test_seq2seq_chunking_uses_encoder_context(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["t5"]), settings={**SETTINGS, "max_input_tokens": 40}, device="cpu")
    assert s.info["document_budget"] == 40 - s._overhead()
    out = s.summarize([long_document(120)])[0]
    assert out.chunked and out.n_chunks >= 3 and not out.truncated


def test_t5_gets_its_task_prefix(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["t5"]), settings=SETTINGS, device="cpu")
    assert s.prefix == "summarize: "
    assert s.tokenizer.decode(s._prompt_ids("rain"), skip_special_tokens=True) == "summarize : rain"


def test_chat_prompt_uses_the_chat_template(tiny: dict[str, Path]) -> None:
    s = load_summarizer(str(tiny["llama"]), settings=SETTINGS, device="cpu")
    text = s.render("Rain fell.")
    assert text.startswith("<|im_start|>system\nYou are a careful assistant.")
    assert text.endswith("Rain fell.<|im_end|>\n<|im_start|>assistant\n")
    custom = load_summarizer(str(tiny["llama"]), settings={**SETTINGS, "prompt": "tl;dr {document}"}, device="cpu")
    assert custom.render("x") == "<|im_start|>user\ntl;dr x<|im_end|>\n<|im_start|>assistant\n"
    assert custom.fingerprint != s.fingerprint


def test_fingerprint_is_stable_and_tracks_settings_not_batch_size(tiny: dict[str, Path]) -> None:
    a = load_summarizer(str(tiny["bart"]), settings=SETTINGS, device="cpu")
    b = load_summarizer(str(tiny["bart"]), settings={**SETTINGS, "batch_size": 2}, device="cpu")
    c = load_summarizer(str(tiny["bart"]), settings={**SETTINGS, "num_beams": 2}, device="cpu")
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 16


def test_pickle_weights_need_opt_in(tmp_path: Path) -> None:
    folder = build_model("bart", tmp_path / "pickled")
    from safetensors.torch import load_file

    # transformers 5 writes only safetensors; make the pickle copy the way older versions did
    state = load_file(folder / "model.safetensors")
    (folder / "model.safetensors").unlink()
    torch.save(state, folder / "pytorch_model.bin")
    with pytest.raises(UnsafeModelError, match="allow_pickle"):
        load_summarizer(str(folder), settings=SETTINGS, device="cpu")
    s = load_summarizer(str(folder), settings=SETTINGS, device="cpu", allow_pickle=True)
    assert s.info["origin"] == "pickle"


def test_remote_code_needs_opt_in(tmp_path: Path) -> None:
    folder = tmp_path / "remote"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps({"model_type": "my-custom", "auto_map": {"AutoConfig": "my_code.MyConfig"}}), encoding="utf-8"
    )
    (folder / "model.safetensors").write_bytes(b"")
    with pytest.raises(UnsafeModelError, match="trust_remote_code"):
        load_summarizer(str(folder), settings=SETTINGS, device="cpu")


def test_hub_model_not_cached_offline_is_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(ModelUnavailableError) as info:
        load_summarizer("no-such-org/no-such-model", device="cpu")
    message = str(info.value)
    assert "\n" not in message
    assert "'no-such-org/no-such-model'" in message and "hf download no-such-org/no-such-model" in message


def test_spec_and_settings_errors() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'smollm2-135m'"):
        load_summarizer("smollm-135m")
    with pytest.raises(ConfigError, match="num_beam: unknown generation setting; did you mean 'num_beams'"):
        load_summarizer("lead-3", settings={"num_beam": 2})
    with pytest.raises(InputError, match=r"texts\[0\]: empty document"):
        load_summarizer("lead-3").summarize([""])


def test_context_too_small_for_summary_is_a_config_error(tiny: dict[str, Path]) -> None:
    with pytest.raises(ConfigError, match="max_new_tokens: 500 new tokens"):
        load_summarizer(str(tiny["llama"]), settings={"max_new_tokens": 500}, device="cpu")
