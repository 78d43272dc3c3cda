"""Summarisation engine on tiny random models built here from configs (T5, BART, Llama-style).

Each model is saved to a temporary folder with a tiny WordLevel tokenizer (with a ChatML template) and
loaded back through the real loading code (`load_summarizer(folder)`). Random weights write nonsense;
the tests check invariants: batch-size invariance of greedy and beam outputs, map-reduce chunking of a
document three times the context, safety rules, fingerprints and result records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from toolkit.errors import ConfigError, InputError, ModelUnavailableError, UnknownNameError, UnsafeModelError  # noqa: E402
from toolkit.summarization import Summary, load_summarizer  # noqa: E402
from toolkit.summarization import base as base_module  # noqa: E402

SPECIALS = ["<pad>", "</s>", "<unk>", "<s>", "<|im_start|>", "<|im_end|>"]  # T5 order: pad=0, eos=1, unk=2
CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
WORDS = (
    "the a of to in and is was for on that with as by at from it an be are this were has have said "
    "river town flood water road roads train trains work repair damage council people city rain storm "
    "minister visited area homes business cost week day year police fire hotel bus report new old "
    "summarize following text two three sentences state only facts given you careful assistant write "
    "short factual summaries summary system user : . , ! ? ' \" - ( )"
).split()

DOCS = [
    "The river flooded the town. Roads were closed for a week.",
    "Police said the fire at the hotel was started by a bus. People left the hotel at night. "
    "The council will report on the damage. The cost is not known.",
    "Rain.",
    "The minister visited the area and said repair work on the roads is under way.",
    "Trains were late. Trains were cancelled. The storm damaged the old road and new homes in the city.",
    "A new report on water in the river was given to the council this year.",
    "Business owners said the flood cost them a year of work.",
    "The town has a new hotel.",
]


def build_tokenizer(folder: Path, model_max_length: int = 512) -> None:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="</s>", bos_token="<s>",
        additional_special_tokens=["<|im_start|>", "<|im_end|>"], model_max_length=model_max_length,
    )
    fast.chat_template = CHATML
    fast.save_pretrained(folder)


def vocab_size() -> int:
    return len(dict.fromkeys(SPECIALS + WORDS))


def build_model(kind: str, folder: Path, *, context: int = 512, safe: bool = True) -> Path:
    """Random tiny model of ``kind`` (llama, bart, t5) saved with its tokenizer into ``folder``."""
    torch.manual_seed(0)
    v = vocab_size()
    common = dict(vocab_size=v, pad_token_id=0, eos_token_id=1, bos_token_id=3)
    if kind == "llama":
        config = transformers.LlamaConfig(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=context, tie_word_embeddings=False,
            initializer_range=0.3, **common,
        )
        model = transformers.LlamaForCausalLM(config)
    elif kind == "bart":
        config = transformers.BartConfig(
            d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
            encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=context, decoder_start_token_id=1,
            forced_bos_token_id=None, forced_eos_token_id=None, init_std=0.3, **common,
        )
        model = transformers.BartForConditionalGeneration(config)
    else:
        config = transformers.T5Config(
            d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4, decoder_start_token_id=0,
            n_positions=context, initializer_factor=8.0, **common,
        )
        model = transformers.T5ForConditionalGeneration(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=safe)
    build_tokenizer(folder, model_max_length=context)
    return folder


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


LONG_SENTENCES = [
    "The river flooded the town and the water damaged the old road .",
    "Police said people left their homes at night .",
    "The council will report on the cost of the repair work this year .",
    "Trains were late for a week as the storm damaged the roads .",
]


def long_document(tokens: int) -> str:
    """Sentences from the tiny vocabulary repeated until the text has at least ``tokens`` words."""
    out: list[str] = []
    i = 0
    while sum(len(s.split()) for s in out) < tokens:
        out.append(LONG_SENTENCES[i % len(LONG_SENTENCES)])
        i += 1
    return " ".join(out)


def test_document_three_times_the_context_is_chunked_not_truncated(tmp_path: Path, monkeypatch) -> None:
    context = 96
    folder = build_model("llama", tmp_path / "small", context=context)
    s = load_summarizer(str(folder), settings={"max_new_tokens": 8, "dtype": "float32"}, device="cpu")
    assert s.info["context_tokens"] == context
    budget = s.info["document_budget"]
    assert budget == context - 8 - s._overhead()
    seen: list[int] = []
    real_generate = s.model.generate

    def spy(**kwargs):
        seen.append(kwargs["input_ids"].shape[1])
        return real_generate(**kwargs)

    monkeypatch.setattr(s.model, "generate", spy)
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
