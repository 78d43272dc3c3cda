"""Warm runs load no model, precision ``exact``/``fast``, and progress per document (issue 18).

Tiny random models built by ``tests/helpers/tiny_models.py`` (Llama-style, BART, T5) go through the
real loading code; the model cache is a temporary folder (``TOOLKIT_CACHE_DIR``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from helpers.tiny_models import DOCS, build_model, long_document  # noqa: E402  (tests/ is on sys.path)

from toolkit import config_from_dict  # noqa: E402
from toolkit.errors import ConfigError  # noqa: E402
from toolkit.runs import stages  # noqa: E402
from toolkit.runs.engine import run  # noqa: E402
from toolkit.runs.progress import StageProgress  # noqa: E402
from toolkit.summarization import batching, load_summarizer, loading  # noqa: E402
from toolkit.summarization.batching import fast_dtype  # noqa: E402
from toolkit.summarization.filehash import cached_sha256  # noqa: E402
from toolkit.summarization.fingerprint import describe  # noqa: E402

SETTINGS = {"max_new_tokens": 8}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(cache))
    return cache


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-warm")
    return {kind: build_model(kind, root / kind) for kind in ("llama", "bart", "t5")}


def refuse_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(loading, "load_transformers", refuse)
    monkeypatch.setattr(stages, "load_system_summarizer", refuse)


def run_config(tmp_path: Path, systems: list[dict[str, Any]], n_docs: int = 4) -> Any:
    data = tmp_path / "docs.jsonl"
    rows = [{"id": f"d{i}", "text": text, "references": [text.split(".")[0] + "."]} for i, text in enumerate(DOCS[:n_docs])]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return config_from_dict({
        "name": "warm", "data": {"path": str(data)}, "systems": systems, "metrics": ["rouge1"],
        "bootstrap": {"resamples": 50}, "output_dir": str(tmp_path / "runs"),
    })


@pytest.mark.parametrize("kind", ["llama", "bart", "t5"])
@pytest.mark.parametrize("precision", ["exact", "fast"])
def test_fingerprint_from_files_equals_the_loaded_models(tiny: dict[str, Path], kind: str, precision: str) -> None:
    before = describe(str(tiny[kind]), settings=SETTINGS, precision=precision, device="cpu")
    loaded = load_summarizer(str(tiny[kind]), settings=SETTINGS, precision=precision, device="cpu")
    after = describe(str(tiny[kind]), settings=SETTINGS, precision=precision, device="cpu")
    assert before["fingerprint"] == loaded.fingerprint == after["fingerprint"]
    # the two tokenizer fields are remembered from the load; the rest comes from the files
    assert after["info"] == loaded.info
    assert {k: v for k, v in loaded.info.items() if k not in {"context_tokens", "document_budget"}} == before["info"]
    assert loaded.info["precision"] == precision
    assert loaded.info["dtype"] == ("float32" if precision == "exact" else fast_dtype("cpu"))


def test_fast_and_exact_have_different_fingerprints(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batching, "FAST_BF16", True)
    monkeypatch.setattr(batching, "cpu_has_bf16", lambda: True)
    exact = describe(str(tiny["llama"]), settings=SETTINGS, device="cpu")["fingerprint"]
    fast = describe(str(tiny["llama"]), settings=SETTINGS, precision="fast", device="cpu")["fingerprint"]
    explicit = describe(str(tiny["llama"]), settings={**SETTINGS, "dtype": "bfloat16"}, device="cpu")["fingerprint"]
    assert len({exact, fast, explicit}) == 3  # fast is not "exact in bfloat16" either: its batches differ
    with pytest.raises(ConfigError, match="precision: must be one of exact, fast"):
        describe(str(tiny["llama"]), precision="quick")


def test_extractive_fingerprints_from_files() -> None:
    assert describe("lead-2")["fingerprint"] == load_summarizer("lead-2").fingerprint
    centrality = describe("minilm-centrality", device="cpu")
    assert centrality["fingerprint"] == load_summarizer("minilm-centrality", device="cpu").fingerprint
    assert len(centrality["info"]["model_hash"]) == 64


def test_file_hash_cache_reads_an_unchanged_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.summarization import filehash

    path = tmp_path / "weights.safetensors"
    path.write_bytes(b"abc")
    assert cached_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256("abc")
    real = filehash.sha256_file
    monkeypatch.setattr(filehash, "sha256_file", lambda p: pytest.fail("an unchanged file was read again"))
    assert cached_sha256(path).startswith("ba7816bf8f01")
    monkeypatch.setattr(filehash, "sha256_file", real)
    path.write_bytes(b"abcd")  # size and mtime change: hashed again
    assert cached_sha256(path) == "88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589"


def test_warm_rerun_loads_no_model_and_gives_identical_results(tiny: dict[str, Path], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    config = run_config(tmp_path, [{"name": "tiny", "model": str(tiny["llama"]), "generation": SETTINGS},
                                   {"name": "lead", "model": "lead-1"}])
    first = run(config, progress=False)
    results = (first.run_dir / "results.json").read_bytes()
    manifest = json.loads((first.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert first.recomputed["summarise:tiny"] == 4

    refuse_loading(monkeypatch)
    second = run(config, progress=False)
    assert second.recomputed["summarise:tiny"] == 0
    assert (second.run_dir / "results.json").read_bytes() == results
    warm = json.loads((second.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert warm["models"]["tiny"]["fingerprint"] == manifest["models"]["tiny"]["fingerprint"]
    assert warm["models"]["tiny"]["document_budget"] == manifest["models"]["tiny"]["document_budget"]

    changed = run_config(tmp_path, [{"name": "tiny", "model": str(tiny["llama"]), "generation": {"max_new_tokens": 6}},
                                    {"name": "lead", "model": "lead-1"}])
    with pytest.raises(AssertionError, match="a model was loaded"):  # new settings: the model is needed
        run(changed, progress=False)


def test_ray_describe_on_a_worker_loads_no_model(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.runs.ray_executor import _describe_on_worker

    system = {"model": str(tiny["bart"]), "generation": SETTINGS, "precision": "fast"}
    expected = load_summarizer(str(tiny["bart"]), settings=SETTINGS, precision="fast").fingerprint
    refuse_loading(monkeypatch)
    described = _describe_on_worker(stages.SummarizeTask(system, batch_size=2), str(Path.cwd()))
    assert described["fingerprint"] == expected and described["info"]["precision"] == "fast"


def test_fast_is_recorded_in_signature_and_manifest(tiny: dict[str, Path], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batching, "FAST_BF16", True)
    monkeypatch.setattr(batching, "cpu_has_bf16", lambda: True)  # as on a CPU with AVX512-BF16 / AMX
    model = str(tiny["llama"])
    config = run_config(tmp_path, [{"name": "exact", "model": model, "generation": SETTINGS},
                                   {"name": "fast", "model": model, "generation": SETTINGS, "precision": "fast"}], 3)
    result = run(config, progress=False)
    models = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))["models"]
    assert (models["exact"]["precision"], models["exact"]["dtype"]) == ("exact", "float32")
    assert (models["fast"]["precision"], models["fast"]["dtype"]) == ("fast", "bfloat16")
    assert models["exact"]["fingerprint"] != models["fast"]["fingerprint"]
    assert f"fast={models['fast']['fingerprint'][:12]}" in result.signature
    assert f"exact={models['exact']['fingerprint'][:12]}" in result.signature


def test_exact_is_batch_invariant_by_default(tiny: dict[str, Path]) -> None:
    exact = load_summarizer(str(tiny["llama"]), settings=SETTINGS, device="cpu")
    assert exact.info["dtype"] == "float32"
    texts = [[s.text for s in exact.summarize(DOCS, batch_size=size)] for size in (1, 3, 8)]
    assert texts[0] == texts[1] == texts[2] and len(set(texts[0])) > 1


def test_fast_uses_bfloat16_only_where_the_cpu_has_it(tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    exact = [s.text for s in load_summarizer(str(tiny["llama"]), settings=SETTINGS, device="cpu").summarize(DOCS)]
    monkeypatch.setattr(batching, "cpu_has_bf16", lambda: False)  # AVX2 only: bfloat16 would be slower
    fast = load_summarizer(str(tiny["llama"]), settings=SETTINGS, device="cpu", precision="fast")
    assert (fast.info["dtype"], fast.precision) == ("float32", "fast")
    assert [s.text for s in fast.summarize(DOCS, batch_size=2)] == exact  # float32, batched more: same texts
    monkeypatch.setattr(batching, "FAST_BF16", True)
    monkeypatch.setattr(batching, "cpu_has_bf16", lambda: True)
    native = load_summarizer(str(tiny["llama"]), settings=SETTINGS, device="cpu", precision="fast")
    assert native.info["dtype"] == "bfloat16"
    assert len(native.summarize(DOCS, batch_size=2)) == len(DOCS)


def test_progress_ticks_per_chunk_of_a_long_document(tmp_path: Path) -> None:
    folder = build_model("llama", tmp_path / "small", context=96)
    s = load_summarizer(str(folder), settings={"max_new_tokens": 8, "dtype": "float32"}, device="cpu")
    shares: list[tuple[int, float]] = []
    done: list[int] = []
    out = s.summarize([long_document(300), DOCS[0]], batch_size=4, progress=done.append,
                      on_document=lambda i, share: shares.append((i, share)))
    long_shares = [share for i, share in shares if i == 0]
    assert out[0].n_chunks >= 4
    assert len(long_shares) >= out[0].n_chunks + 1  # every chunk, then the final summary
    assert sum(long_shares) == pytest.approx(1.0) and all(share > 0 for share in long_shares)
    assert [share for i, share in shares if i == 1] == [1.0]
    assert done == [1, 1]


def test_run_progress_advances_per_document(tiny: dict[str, Path], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    advances: dict[str, list[float]] = {}
    real_task = StageProgress.task

    def recording(self: StageProgress, description: str, total: int, done: int = 0) -> Any:
        bar = real_task(self, description, total, done)

        def advance(n: float) -> None:
            advances.setdefault(description, []).append(n)
            bar(n)

        return advance

    monkeypatch.setattr(StageProgress, "task", recording)
    config = run_config(tmp_path, [{"name": "tiny", "model": str(tiny["t5"]), "generation": SETTINGS}], n_docs=5)
    run(config, progress=True)  # one batch of 5 documents (batch_size 8)
    assert advances["summarise tiny"] == [1.0] * 5


def test_cli_precision_fast_is_recorded_per_row(tiny: dict[str, Path], tmp_path: Path) -> None:
    from toolkit.cli import main

    src = tmp_path / "docs.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(DOCS[:3])), encoding="utf-8")
    rows = {}
    for precision in ("exact", "fast"):
        out = tmp_path / f"{precision}.jsonl"
        assert main(["summarize", str(src), "--model", str(tiny["llama"]), "--max-new-tokens", "8",
                     "--precision", precision, "--device", "cpu", "-o", str(out)]) == 0
        rows[precision] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["precision"] for r in rows["fast"]] == ["fast"] * 3 and rows["exact"][0]["precision"] == "exact"
    assert rows["fast"][0]["fingerprint"] != rows["exact"][0]["fingerprint"]
    texts = {p: [r.get("text", r.get("summary")) for r in rows[p]] for p in rows}
    assert texts["fast"] == texts["exact"] and all(texts["fast"])  # fast is float32 today
    assert main(["summarize", str(src), "--model", "lead-3", "--precision", "quick", "-o", str(tmp_path / "x.jsonl")]) != 0
