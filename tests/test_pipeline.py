"""The run engine as a stage pipeline (issue 21): one helper reuses, dedups and fans out every stage's rows;
the glossary is loaded once per run and travels with the tasks; artefacts of stages a config drops go."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import toolkit.terminology as terminology
from toolkit.runs.config import load_config
from toolkit.runs.engine import run
from toolkit.runs.executors import LocalExecutor
from toolkit.runs.pipeline import execute
from toolkit.runs.stages import NormalizeTask, ScoreTask, StagePlan
from toolkit.runs.store import StageStore

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "configs" / "seed.yaml"
LEAD = '[{"name": "lead-3", "model": "lead-3"}]'


class Upper:
    """A task that upper-cases ``text`` and records every batch it is given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def setup(self) -> None:
        pass

    def __call__(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.batches.append([row["id"] for row in batch])
        return [{"id": row["id"], "key": row["key"], "system": row["system"], "text": row["text"].upper()} for row in batch]


def test_execute_copies_from_siblings_computes_each_input_once_and_fans_out(tmp_path: Path) -> None:
    stores = {name: StageStore(tmp_path / f"{name}.jsonl") for name in ("x", "x+norm")}
    stores["x"].append([{"id": "d0", "key": "k0", "system": "x", "text": "STORED"}])
    task = Upper()
    plan = StagePlan(task, batch_size=2, copies=[{"id": "d0", "key": "k0", "system": "x+norm", "text": "STORED"}])
    for lane in ("x", "x+norm"):  # d1 has the same input in both lanes, d2 differs
        plan.add({"id": "d1", "key": "same", "system": lane, "text": "a"})
        plan.add({"id": "d2", "key": f"k-{lane}", "system": lane, "text": f"b {lane}"})
    moved: dict[str, float] = {"x": 0.0, "x+norm": 0.0}
    advance = {lane: (lambda n, lane=lane: moved.__setitem__(lane, moved[lane] + n)) for lane in moved}
    computed = execute(LocalExecutor(), plan, stores, advance)
    assert computed == 3 and task.batches == [["d1", "d2"], ["d2"]]  # d1 once for both lanes
    assert {lane: {i: r["text"] for i, r in store.rows.items()} for lane, store in stores.items()} == {
        "x": {"d0": "STORED", "d1": "A", "d2": "B X"},
        "x+norm": {"d0": "STORED", "d1": "A", "d2": "B X+NORM"}}
    assert moved == {"x": 2.0, "x+norm": 3.0}  # the copy moves x+norm's bar too
    lines = (tmp_path / "x+norm.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["system"] for line in lines] == ["x+norm"] * 3  # flushed under their own lane


def test_execute_merges_with_the_stored_row(tmp_path: Path) -> None:
    store = StageStore(tmp_path / "s.jsonl")
    store.append([{"id": "d", "key": "k", "system": "s", "text": "old", "kept": 1}])
    plan = StagePlan(Upper(), batch_size=4)
    plan.add({"id": "d", "key": "k", "system": "s", "text": "new"})
    execute(LocalExecutor(), plan, {"s": store}, {"s": lambda n: None}, merge=lambda old, new: {**old, **new})
    assert store.rows["d"] == {"id": "d", "key": "k", "system": "s", "text": "NEW", "kept": 1}


def test_tasks_carry_the_glossary_and_pickle_without_its_index() -> None:
    glossary = terminology.load_glossary(ROOT / "eval/seed/glossary.tsv")
    normalise = NormalizeTask(glossary, fuzzy=False)
    row = {"id": "d", "key": "k", "text": "The Jinxiang Army went to Jincheng."}
    before = normalise([row])[0]["text"]  # builds the glossary's matching index
    assert glossary._cache and "Jin Xiangjun" in before
    for task in (normalise, ScoreTask(["terms"], {}, glossary)):
        copy = pickle.loads(pickle.dumps(task))
        assert copy.glossary == glossary and copy.glossary._cache == {}
    assert pickle.loads(pickle.dumps(normalise))([row])[0]["text"] == before


def test_normalise_reads_the_source_for_suspect_names(tmp_path: Path) -> None:
    glossary = terminology.Glossary.from_records([{"canonical": "Jin Xiangjun", "source": "金湘军", "type": "person"}])
    row = {"id": "d", "key": "k", "text": "Vice Premier He Li Feng met them.", "source": "国务院副总理何立峰会见了他们。"}
    suspects = NormalizeTask(glossary, fuzzy=False)([row])[0]["suspects"]
    assert [(s["text"], s["suggestion"]) for s in suspects] == [("He Li Feng", "He Lifeng")]


@pytest.fixture(scope="module")
def counted_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    calls = []
    original = terminology.load_glossary

    def counting(path: Any) -> Any:
        calls.append(path)
        return original(path)

    before_report: list[int] = []
    patch = pytest.MonkeyPatch()
    patch.setattr(terminology, "load_glossary", counting)
    try:
        folder = tmp_path_factory.mktemp("pipeline")
        config = load_config(SEED, [f"systems={LEAD}", "metrics=[rouge1, terms, faithfulness]", "bootstrap.resamples=20",
                                    f"output_dir={folder}", "qa.enabled=true"])
        on_stage = lambda name: before_report.append(len(calls)) if name == "report" else None  # noqa: E731
        run_dir = run(config, progress=False, on_stage=on_stage).run_dir
    finally:
        patch.undo()
    return run_dir, before_report[0]


def test_glossary_loaded_once_per_run(counted_run: tuple[Path, int]) -> None:
    # normalise, score, terminology, faithfulness and QA share one load (the report, which also runs alone on a
    # run folder, reads the file again after checking its hash against the manifest)
    assert counted_run[1] == 1


def test_resume_removes_artefacts_of_dropped_stages(counted_run: tuple[Path, int]) -> None:
    run_dir = counted_run[0]
    assert (run_dir / "faithfulness" / "lead-3+norm.jsonl").exists() and (run_dir / "qa.jsonl").exists()
    config = load_config(SEED, [f"systems={LEAD}", "metrics=[rouge1, terms]", "bootstrap.resamples=20",
                                f"output_dir={run_dir.parent}"])
    result = run(config, progress=False)
    assert result.recomputed == {"normalise": 0, "summarise:lead-3": 0, "summarise:lead-3+norm": 0, "score": 0}
    assert not (run_dir / "faithfulness").exists() and not (run_dir / "qa.jsonl").exists()
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert "faithfulness" not in results and "qa" not in results
