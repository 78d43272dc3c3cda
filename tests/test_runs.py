"""Run engine: outputs, resume after SIGKILL, clean Ctrl-C, re-scoring without re-summarising, bad run folders."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from toolkit.errors import RunDirError
from toolkit.runs.config import config_from_dict
from toolkit.runs.engine import run

ROOT = Path(__file__).resolve().parents[1]
SEED_DOCS = ROOT / "eval" / "seed" / "documents.jsonl"
SEED_GLOSSARY = ROOT / "eval" / "seed" / "glossary.tsv"


def _docs50(path: Path) -> Path:
    """50 documents with references: the 26 dev news articles plus 24 of them cut to their first 3 sentences."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "dev" / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    extra = []
    for row in rows[:24]:
        sentences = row["text"].replace("\n", " ").split(". ")
        extra.append({**row, "id": row["id"] + "-head", "text": ". ".join(sentences[:3]) + "."})
    with path.open("w", encoding="utf-8") as handle:
        for row in rows + extra:
            handle.write(json.dumps({"id": row["id"], "text": row["text"], "references": row["references"]}) + "\n")
    return path


def _config(tmp_path: Path, **overrides):
    data = {
        "name": "t",
        "data": {"path": str(SEED_DOCS)},
        "glossary": {"path": str(SEED_GLOSSARY), "normalize": "both"},
        "systems": [{"name": "lead-3", "model": "lead-3"}],
        "metrics": ["rouge1", "rougeL", "bleu", "terms"],
        "bootstrap": {"resamples": 200, "seed": 7},
        "output_dir": str(tmp_path / "runs"),
    }
    data.update(overrides)
    return config_from_dict(data)


def test_seed_run_writes_every_output(tmp_path):
    result = run(_config(tmp_path), progress=False)
    run_dir = result.run_dir
    for name in ("config.resolved.yaml", "manifest.json", "normalised.jsonl", "scores.jsonl", "results.json",
                 "report.md", "report.html", "summaries/lead-3.jsonl", "summaries/lead-3+norm.jsonl"):
        assert (run_dir / name).is_file(), name
    normalised = [json.loads(line) for line in (run_dir / "normalised.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["id"] for row in normalised] == ["article", "p1", "p2", "p3", "p4", "p5", "p6"]
    assert all("Jinxiang Army" not in row["text"] for row in normalised)
    assert "Jinxiang Army" in normalised[0]["original"]
    assert any(edit["before"].endswith("Jinxiang Army") for edit in normalised[0]["edits"])
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert set(results["systems"]) == {"lead-3", "lead-3+norm"}
    assert results["systems"]["lead-3+norm"]["input"] == "normalised"
    for info in results["systems"].values():
        assert set(info["metrics"]) >= {"rouge1", "rougeL", "bleu", "terms"}
        for value in info["metrics"].values():
            assert value["ci"][0] <= value["score"] <= value["ci"][1] and value["signature"]
    norm_summaries = (run_dir / "summaries" / "lead-3+norm.jsonl").read_text(encoding="utf-8")
    assert "Jinxiang Army" not in norm_summaries
    assert results["terminology"]["edits"] >= 3
    assert results["comparisons"], "two systems are compared"
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_signature"] == results["run_signature"] == result.signature
    assert manifest["packages"]["sacrebleu"] and manifest["glossary"]["entries"] > 10
    scores = [json.loads(line) for line in (run_dir / "scores.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({(r["id"], r["system"]) for r in scores}) == 7 * 2


def test_changing_only_metrics_rescores_without_resummarising(tmp_path):
    first = run(_config(tmp_path, metrics=["rouge1"]), progress=False)
    assert first.recomputed["summarise:lead-3"] == 7 and first.recomputed["normalise"] == 7
    assert first.recomputed["score"] == 14
    second = run(_config(tmp_path, metrics=["rouge1", "chrf"]), progress=False)
    assert second.recomputed == {"normalise": 0, "summarise:lead-3": 0, "summarise:lead-3+norm": 0, "score": 14}
    stored = [json.loads(line) for line in (second.run_dir / "scored" / "lead-3.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(stored) == 7 and all(row["metrics"] == ["rouge1", "chrf"] for row in stored)
    assert all(sorted(k.split("|")[0] for k in row["units"]) == ["chrf", "rouge1"] for row in stored)
    third = run(_config(tmp_path, metrics=["chrf"]), progress=False)  # a subset: nothing to compute
    assert third.recomputed["score"] == 0
    assert third.results["systems"]["lead-3"]["metrics"]["chrf"] == second.results["systems"]["lead-3"]["metrics"]["chrf"]
    assert set(second.results["systems"]["lead-3"]["metrics"]) >= {"rouge1", "chrf"}
    assert second.results["systems"]["lead-3"]["metrics"]["rouge1"] == first.results["systems"]["lead-3"]["metrics"]["rouge1"]


def test_run_folder_of_another_config_is_refused(tmp_path):
    run(_config(tmp_path, limit=2), progress=False)
    other = _config(tmp_path, limit=2)
    manifest = other.run_dir / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["name"] = "something-else"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RunDirError, match="holds a run of another config.*use --fresh"):
        run(other, progress=False)
    assert run(other, fresh=True, progress=False).results["documents"] == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; permission bits do not apply")
def test_unwritable_output_dir(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    with pytest.raises(RunDirError, match="not writable"):
        run(_config(tmp_path, output_dir=str(locked)), progress=False)


SLOW_RUNNER = textwrap.dedent(
    """
    import sys, time
    import toolkit.runs.stages as stages
    original = stages.SummarizeTask.__call__
    def slow(self, batch):
        time.sleep(0.15)  # slow enough that the test can interrupt the run partway
        return original(self, batch)
    stages.SummarizeTask.__call__ = slow
    from toolkit.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _write_config(tmp_path: Path, docs: Path, output_dir: Path) -> Path:
    config = tmp_path / f"{output_dir.name}.yaml"
    config.write_text(json.dumps({
        "name": "kill", "data": {"path": str(docs)}, "batch_size": 1,
        "systems": [{"name": "lead-3", "model": "lead-3"}, {"name": "lead-2", "model": "lead-2"}],
        "metrics": ["rouge1", "rougeL", "bleu"], "bootstrap": {"resamples": 100, "seed": 3},
        "output_dir": str(output_dir),
    }), encoding="utf-8")
    return config


def _start(tmp_path: Path, config: Path) -> subprocess.Popen:
    runner = tmp_path / "slow_runner.py"
    runner.write_text(SLOW_RUNNER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(runner), "run", str(config), "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_rows(path: Path, at_least: int, proc: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            rows = path.read_text(encoding="utf-8").count("\n")
            if rows >= at_least:
                return rows
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached {at_least} rows")


@pytest.mark.slow
def test_sigkill_partway_then_resume_loses_and_duplicates_nothing(tmp_path):
    docs = _docs50(tmp_path / "docs50.jsonl")
    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    proc = _start(tmp_path, _write_config(tmp_path, docs, killed_dir))
    done_before_kill = _wait_for_rows(killed_dir / "kill" / "summaries" / "lead-2.jsonl", 10, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert done_before_kill < 50
    assert not (killed_dir / "kill" / "results.json").exists()

    resumed = run(config_from_dict(json.loads(_write_config(tmp_path, docs, killed_dir).read_text())), progress=False)
    assert resumed.recomputed["summarise:lead-3"] == 0
    assert 0 < resumed.recomputed["summarise:lead-2"] <= 50 - 10
    clean = run(config_from_dict(json.loads(_write_config(tmp_path, docs, clean_dir).read_text())), progress=False)
    for system in ("lead-3", "lead-2"):
        rows = (killed_dir / "kill" / "summaries" / f"{system}.jsonl").read_text(encoding="utf-8").splitlines()
        ids = [json.loads(line)["id"] for line in rows]
        assert len(ids) == 50 and len(set(ids)) == 50
    killed_results = json.loads((killed_dir / "kill" / "results.json").read_text(encoding="utf-8"))
    clean_results = json.loads((clean_dir / "kill" / "results.json").read_text(encoding="utf-8"))
    assert killed_results == clean_results
    assert resumed.signature == clean.signature


@pytest.mark.slow
def test_ctrl_c_saves_work_and_exits_130(tmp_path):
    docs = _docs50(tmp_path / "docs50.jsonl")
    out = tmp_path / "interrupted"
    proc = _start(tmp_path, _write_config(tmp_path, docs, out))
    store = out / "kill" / "summaries" / "lead-3.jsonl"
    _wait_for_rows(store, 5, proc)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr.strip().splitlines()[-1] == "error: interrupted; work done so far is saved"
    saved = [json.loads(line)["id"] for line in store.read_text(encoding="utf-8").splitlines()]
    assert len(saved) >= 5 and len(saved) == len(set(saved))


def test_precomputed_outputs_from_toolkit_summarize_are_scored(tmp_path):
    from toolkit.cli import main

    outputs = tmp_path / "lead2.jsonl"
    assert main(["summarize", str(SEED_DOCS), "--model", "lead-2", "-o", str(outputs), "--no-progress"]) == 0
    config = _config(tmp_path, glossary=None, metrics=["rouge1", "bleu"],
                     systems=[{"name": "pre", "file": str(outputs)}, {"name": "lead-2", "model": "lead-2"}])
    result = run(config, progress=False)
    scores = result.results["systems"]
    assert scores["pre"]["input"] == "file"
    assert scores["pre"]["metrics"]["rouge1"]["score"] == scores["lead-2"]["metrics"]["rouge1"]["score"]
    assert result.recomputed["summarise:pre"] == 7


def test_x_and_x_norm_share_one_task_and_one_map_call(tmp_path):
    """With normalize: both, a model's two runs go through one map_batches call (one model load per worker)."""
    from toolkit.runs.executors import LocalExecutor

    calls = []

    class Counting(LocalExecutor):
        def map_batches(self, task, batches):
            calls.append((type(task).__name__, sorted({row.get("system", "") for batch in batches for row in batch}),
                          sum(len(batch) for batch in batches)))
            yield from super().map_batches(task, batches)

    result = run(_config(tmp_path), progress=False, executor=Counting())
    normalised = [json.loads(line) for line in (result.run_dir / "normalised.jsonl").read_text(encoding="utf-8").splitlines()]
    edited = sum(row["text"] != row["original"] for row in normalised)
    assert 0 < edited < 7  # the seed glossary edits some paragraphs, not all
    # a paragraph without edits has the same text in both runs: it is summarised once, for both
    assert [c for c in calls if c[0] == "SummarizeTask"] == [("SummarizeTask", ["lead-3", "lead-3+norm"], 7 + edited)]
    assert result.recomputed["summarise:lead-3"] == result.recomputed["summarise:lead-3+norm"] == 7
    assert list(result.results["systems"]) == ["lead-3", "lead-3+norm"]
    x, x_norm = (_rows(result.run_dir / "summaries" / f"{name}.jsonl") for name in ("lead-3", "lead-3+norm"))
    assert [r["system"] for r in x] == ["lead-3"] * 7 and [r["system"] for r in x_norm] == ["lead-3+norm"] * 7
    assert sum(a["text"] != b["text"] for a, b in zip(x, x_norm)) <= edited
    # the summaries that are the same in both runs are scored once too
    scored = [c for c in calls if c[0] == "ScoreTask"]
    same = sum(a["text"] == b["text"] for a, b in zip(x, x_norm))
    assert len(scored) == 1 and scored[0][2] == 14 - same
    # and a second run with X+norm's store lost copies its rows from X where the texts agree
    (result.run_dir / "summaries" / "lead-3+norm.jsonl").unlink()
    (result.run_dir / "scored" / "lead-3+norm.jsonl").unlink()
    calls.clear()
    again = run(_config(tmp_path), progress=False, executor=Counting())
    assert [c[2] for c in calls if c[0] == "SummarizeTask"] == [edited]
    assert again.results == result.results


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
