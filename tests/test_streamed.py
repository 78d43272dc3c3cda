"""A run streamed shard by shard (issue 19) writes what the in-memory engine writes: results.json, scores.jsonl
and the stores, byte for byte; it resumes document by document; every streamable metric's corpus value,
extras and interval equal score()'s."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from toolkit.runs.config import config_from_dict

ROOT = Path(__file__).resolve().parents[1]
METRICS = ["rouge1", "rouge2", "rougeL", "rougeLsum", "rouge1_p", "rougeL_r", "bleu", "chrf", "chrf++", "ter"]


def _docs(path: Path) -> Path:
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev" / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    extra = [{**row, "id": f"{row['id']}-2", "text": row["text"].split("\n")[0], "references": row["references"][:1]}
             for row in rows[:9]]
    with path.open("w", encoding="utf-8") as handle:
        for row in rows + extra:
            handle.write(json.dumps({"id": row["id"], "text": row["text"], "references": row["references"]}) + "\n")
    return path


def _config(tmp_path: Path, out: str, **extra: Any) -> Any:
    return config_from_dict({
        "name": "s", "data": {"path": str(_docs(tmp_path / "docs.jsonl"))}, "batch_size": 4,
        "systems": [{"name": "lead-3", "model": "lead-3"}], "metrics": METRICS,
        "bootstrap": {"resamples": 200, "seed": 7}, "output_dir": str(tmp_path / out), **extra,
    })


def _files(run_dir: Path) -> dict[str, str]:
    names = ["results.json", "scores.jsonl", "scored/lead-3.jsonl"]
    out = {name: (run_dir / name).read_text(encoding="utf-8") for name in names}
    out["summaries"] = [{k: v for k, v in json.loads(line).items() if k not in ("seconds", "elapsed")}
                        for line in (run_dir / "summaries" / "lead-3.jsonl").read_text(encoding="utf-8").splitlines()]
    return out


@pytest.mark.slow  # about a minute or two each: four runs / two settings x every metric; make test-slow, CI
def test_streamed_run_equals_the_in_memory_run_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.runs import engine, streamed
    from toolkit.runs.engine import run

    monkeypatch.setattr(streamed, "SHARD_DOCUMENTS", 4)  # 35 documents: 9 shards, the last of 3
    used: list[bool] = []
    real = engine.can_stream
    monkeypatch.setattr(engine, "can_stream", lambda c, r: used.append(real(c, r)) or used[-1])
    first = run(_config(tmp_path, "streamed"), progress=False)
    assert used == [True] and first.recomputed == {"summarise:lead-3": 35, "score": 35}
    monkeypatch.setattr(engine, "can_stream", lambda c, r: False)
    whole = run(_config(tmp_path, "memory"), progress=False)
    assert first.results == whole.results and first.signature == whole.signature
    assert _files(first.run_dir) == _files(whole.run_dir)
    assert first.results["documents"] == 35 and set(first.results["systems"]["lead-3"]["metrics"]) == set(METRICS)

    # an interrupted run: the stores hold 10 documents (in completion order, one torn line), no results
    monkeypatch.setattr(engine, "can_stream", real)
    for name in ("summaries/lead-3.jsonl", "scored/lead-3.jsonl"):
        path = first.run_dir / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[20:30][::-1]) + lines[0][:15], encoding="utf-8")
    (first.run_dir / "results.json").unlink()
    resumed = run(_config(tmp_path, "streamed"), progress=False)
    assert resumed.recomputed == {"summarise:lead-3": 25, "score": 25}
    assert _files(resumed.run_dir) == _files(whole.run_dir)

    # a warm run computes nothing: its results (intervals included) are read back from the run's cache
    def no_scoring(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a warm run computed corpus results")

    monkeypatch.setattr(streamed, "corpus_results", no_scoring)
    warm = run(_config(tmp_path, "streamed"), progress=False)
    assert warm.recomputed == {"summarise:lead-3": 0, "score": 0} and warm.results == whole.results


@pytest.mark.slow  # about a minute or two each: four runs / two settings x every metric; make test-slow, CI
def test_merged_shard_stats_equal_score(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.runs.shard_stats import SystemStats, corpus_results, shard_stats
    from toolkit.scoring import score, segment_units
    from toolkit.scoring.settings import ScoringSettings

    rows = [json.loads(line) for line in (ROOT / "eval" / "dev" / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    preds = [". ".join(r["text"].split(". ")[:2]) for r in rows] + ["", "x"]
    refs = [r["references"] for r in rows] + [["a b"], ["x", "y z"]]
    ids = [str(i) for i in range(len(preds))][::-1]
    for settings in (ScoringSettings(resamples=300, seed=3), ScoringSettings(resamples=100, p_value="sacrebleu", stem=True)):
        units = segment_units(predictions=preds, references=refs, metrics=METRICS, ids=ids, settings=settings)
        whole = score(predictions=preds, references=refs, metrics=METRICS, ids=ids, settings=settings)
        collected = SystemStats(METRICS)
        segments = []
        for lo in range(0, len(preds), 5):
            hi = lo + 5
            with pytest.warns(UserWarning) if "" in preds[lo:hi] else contextlib.nullcontext():
                stats, shard_rows = shard_stats(predictions=preds[lo:hi], references=refs[lo:hi], ids=ids[lo:hi],
                                                units=units[lo:hi], metrics=METRICS, settings=settings)
            collected.add(stats, refs[lo:hi])
            segments += shard_rows
        merged = corpus_results(collected.merged(settings), ids, settings)
        assert {m: r.to_dict() for m, r in merged.items()} == {m: r.to_dict() for m, r in whole.corpus.items()}
        assert segments == whole.segment_rows()



def _many_docs(path: Path, n: int = 300) -> Path:
    """``n`` documents cut from the dev news (each a different window of sentences), ids not in string order."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev" / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            row = rows[i % len(rows)]
            sentences = row["text"].split(". ")
            start = (i // len(rows)) % max(1, len(sentences) - 3)
            handle.write(json.dumps({"id": f"d{i}", "text": ". ".join(sentences[start:]),
                                     "references": row["references"][: 1 + i % 2]}) + "\n")
    return path


SYSTEMS = ["lead-3", "lead-1", "lead-2"]


def _systems_config(tmp_path: Path, out: str, systems: list[str]) -> Any:
    return config_from_dict({
        "name": "m", "data": {"path": str(_many_docs(tmp_path / "many.jsonl"))}, "batch_size": 16,
        "systems": [{"name": s, "model": s} for s in systems], "metrics": ["rouge1", "rougeL", "bleu", "chrf"],
        "bootstrap": {"resamples": 200, "seed": 11}, "output_dir": str(tmp_path / out),
    })


def _system_files(run_dir: Path, systems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {name: (run_dir / name).read_text(encoding="utf-8") for name in ("results.json", "scores.jsonl")}
    for s in systems:
        out[f"scored/{s}"] = (run_dir / "scored" / f"{s}.jsonl").read_text(encoding="utf-8")
        out[f"summaries/{s}"] = [{k: v for k, v in json.loads(line).items() if k not in ("seconds", "elapsed")}
                                 for line in (run_dir / "summaries" / f"{s}.jsonl").read_text(encoding="utf-8").splitlines()]
    return out


@pytest.mark.parametrize("systems", [SYSTEMS[:2], SYSTEMS], ids=["two", "three-holm"])
def test_streamed_systems_compare_as_the_in_memory_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       systems: list[str]) -> None:
    """Several model systems stream; their paired tests (from the gathered statistics) are the in-memory ones."""
    from toolkit.runs import engine, streamed
    from toolkit.runs.engine import run

    monkeypatch.setattr(streamed, "SHARD_DOCUMENTS", 64)  # 300 documents: 5 shards, the last of 44
    used: list[bool] = []
    real = engine.can_stream
    monkeypatch.setattr(engine, "can_stream", lambda c, r: used.append(real(c, r)) or used[-1])
    first = run(_systems_config(tmp_path, "streamed", systems), progress=False)
    assert used == [True]
    assert first.recomputed == {**{f"summarise:{s}": 300 for s in systems}, "score": 300 * len(systems)}
    monkeypatch.setattr(engine, "can_stream", lambda c, r: False)
    whole = run(_systems_config(tmp_path, "memory", systems), progress=False)
    assert _system_files(first.run_dir, systems) == _system_files(whole.run_dir, systems)
    assert first.results == whole.results and first.signature == whole.signature
    comparisons = first.results["comparisons"]
    assert len(comparisons) == 4 * (len(systems) - 1)  # every directed metric, every system against the first
    assert {(c["family"], c["a"], c["b"]) for c in comparisons} == {("against-first", "lead-3", s) for s in systems[1:]}
    assert {c["correction"] for c in comparisons} == {"holm" if len(systems) > 2 else "none"}
    assert all(0 < c["p_value"] <= 1 and c["delta"] != 0 for c in comparisons)

    # interrupted: the second system's stores hold 70 documents (in reverse order), no results; resumed, streamed
    monkeypatch.setattr(engine, "can_stream", real)
    for name in (f"summaries/{systems[1]}.jsonl", f"scored/{systems[1]}.jsonl"):
        path = first.run_dir / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[100:170][::-1]), encoding="utf-8")
    (first.run_dir / "results.json").unlink()
    resumed = run(_systems_config(tmp_path, "streamed", systems), progress=False)
    assert resumed.recomputed == {**{f"summarise:{s}": 0 for s in systems}, f"summarise:{systems[1]}": 230,
                                  "score": 230}
    assert _system_files(resumed.run_dir, systems) == _system_files(whole.run_dir, systems)
