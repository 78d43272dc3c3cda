"""The Ray executor (issue 7): same rows and results as the local executor, on a local 2-CPU Ray instance.

Needs the ``ray`` extra (``pip install -e '.[ray]'``); without it every test here except the
install-hint one is skipped with that reason.
"""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.tiny_models import build_model  # tests/ is on sys.path (pytest's default import mode)

from toolkit.errors import ConfigError, UnknownNameError
from toolkit.runs.config import RayConfig
from toolkit.runs.stages import SummarizeTask

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCS = ROOT / "eval" / "seed" / "documents.jsonl"
SEED_GLOSSARY = ROOT / "eval" / "seed" / "glossary.tsv"
TIMING_FIELDS = {"seconds"}  # wall-clock per summary: the only field allowed to differ between executors

try:
    import ray
    import ray.data  # noqa: F401

    HAVE_RAY = True
except ImportError:
    HAVE_RAY = False

needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="ray is not installed: pip install -e '.[ray]'")


@pytest.fixture(scope="module")
def ray_instance() -> Any:
    """A fresh local Ray instance with 2 CPUs (never a cluster named by RAY_ADDRESS), shut down after."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024**2,
             log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The summarisation tests' tiny random Llama-style model and WordLevel tokenizer, saved to a folder."""
    return build_model("llama", tmp_path_factory.mktemp("tiny") / "llama")


def _seed_rows(system: str) -> list[dict[str, Any]]:
    docs = [json.loads(line) for line in SEED_DOCS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": d["id"], "key": f"k-{d['id']}", "system": system, "text": d["text"]} for d in docs]


def _without_timing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in TIMING_FIELDS} for row in rows]


def test_missing_ray_is_one_line_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.runs.executor_registry import make_executor

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError(f"No module named '{name}'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ConfigError) as info:
        make_executor("ray", RayConfig())
    assert str(info.value) == "executor 'ray' needs the ray extra: pip install -e '.[ray]'"


@needs_ray
def test_nothing_to_do_starts_nothing() -> None:
    from toolkit.runs.ray_executor import RayExecutor

    # a run whose documents are all stored hands the executor no batches: no Ray instance is started
    started = ray.is_initialized()
    assert list(RayExecutor(RayConfig()).map_batches(SummarizeTask({"model": "lead-3"}, batch_size=2), [])) == []
    assert ray.is_initialized() == started


@needs_ray
def test_task_error_in_actor_is_reraised_with_its_class_and_message(ray_instance: Any) -> None:
    from toolkit.runs.ray_executor import RayExecutor

    system = {"name": "typo", "model": "lead-three"}  # parse_spec fails in the actor's setup()
    with pytest.raises(UnknownNameError) as local:
        SummarizeTask(system, batch_size=2).setup()
    with pytest.raises(UnknownNameError) as remote:
        list(RayExecutor(RayConfig(num_actors=1, batch_size=4)).map_batches(
            SummarizeTask(system, batch_size=2), [_seed_rows("typo")[:2]]
        ))
    assert str(remote.value) == str(local.value)
    assert str(remote.value).startswith("model 'lead-three' not found.")
    # the engine first asks a worker for the fingerprint: the same error comes back from there
    with pytest.raises(UnknownNameError) as described:
        RayExecutor(RayConfig(num_actors=1)).describe(SummarizeTask(system, batch_size=2))
    assert str(described.value) == str(local.value)
    assert RayExecutor(RayConfig()).describe(SummarizeTask({"model": "lead-3"}, batch_size=2))["info"]["kind"] == "extractive"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _run_outputs(run_dir: Path) -> dict[str, Any]:
    """Everything a run wrote that must not depend on the executor (rows sorted by id; timing dropped)."""
    out: dict[str, Any] = {
        "results": json.loads((run_dir / "results.json").read_text(encoding="utf-8")),
        "normalised": sorted(_read_jsonl(run_dir / "normalised.jsonl"), key=lambda r: r["id"]),
        "scores": sorted(_read_jsonl(run_dir / "scores.jsonl"), key=lambda r: (r["id"], r["system"], r["metric"])),
    }
    for path in sorted((run_dir / "scored").glob("*.jsonl")):  # per-document scoring units
        out[f"scored/{path.name}"] = sorted(_read_jsonl(path), key=lambda r: r["id"])
    for path in sorted((run_dir / "summaries").glob("*.jsonl")):
        out[f"summaries/{path.name}"] = _without_timing(sorted(_read_jsonl(path), key=lambda r: r["id"]))
    return out


@needs_ray
@pytest.mark.slow
def test_run_on_ray_equals_local_and_resumes(
    tmp_path: Path, ray_instance: Any, tiny_llama: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.runs.config import config_from_dict
    from toolkit.runs.engine import run
    from toolkit.runs.ray_executor import RayExecutor

    sent: list[int] = []
    pairs: list[tuple[list[str], list[str]]] = []

    class CountingRayExecutor(RayExecutor):
        def map_batches(self, task: Any, batches: Any) -> Any:
            sent.append(sum(len(batch) for batch in batches))
            for batch, rows in super().map_batches(task, batches):
                pairs.append(([item["id"] for item in batch], [row["id"] for row in rows]))
                yield batch, rows

    def config(executor: str, **extra: Any) -> Any:
        return config_from_dict({
            "name": "ray-parity",
            "data": {"path": str(SEED_DOCS)},
            "glossary": {"path": str(SEED_GLOSSARY), "normalize": True},
            "systems": [
                {"name": "lead-3", "model": "lead-3"},
                {"name": "tiny", "model": str(tiny_llama), "generation": {"max_new_tokens": 8, "dtype": "float32"}},
            ],
            "metrics": ["rouge1", "rougeL", "bleu", "ter", "terms", "minilm-cosine"],
            "bootstrap": {"resamples": 200, "seed": 7},
            "batch_size": 2,
            "executor": executor,
            "ray": {"num_actors": 2, "batch_size": 2},
            "output_dir": str(tmp_path / executor),
            **extra,
        })

    local = run(config("local"), progress=False)
    # the Ray run starts from the folder an interrupted run would leave: the first 3 documents stored
    ray_config = config("ray")
    stored = ("normalised.jsonl", "summaries/lead-3.jsonl", "summaries/tiny.jsonl", "scored/lead-3.jsonl", "scored/tiny.jsonl")
    for name in stored:
        kept = [line for line in (local.run_dir / name).read_text(encoding="utf-8").splitlines(keepends=True)
                if json.loads(line)["id"] in {"article", "p1", "p2"}]
        assert len(kept) == 3
        (ray_config.run_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (ray_config.run_dir / name).write_text("".join(kept), encoding="utf-8")
    # with Ray the driver never loads a model: fingerprints come from a Ray task with an actor's resources
    import toolkit.runs.stages as stages

    def no_model_here(system: dict[str, Any]) -> Any:
        raise AssertionError(f"the driver loaded {system['model']}")

    monkeypatch.setattr(stages, "load_system_summarizer", no_model_here)
    second = run(ray_config, progress=False, executor=CountingRayExecutor(ray_config.ray))
    # only the 4 documents not stored yet are sent to the cluster, in each stage: normalise, summarise
    # (two systems) and score (both systems' summaries of those 4 documents in one Ray dataset)
    assert sent == [4, 4, 4, 8]
    assert second.recomputed == {"normalise": 4, "summarise:lead-3": 4, "summarise:tiny": 4, "score": 8}
    assert second.results["documents"] == 7
    # results stream back one Ray batch (ray.batch_size = 2) at a time, each paired with its own inputs
    assert all(sent_ids == got_ids and 1 <= len(got_ids) <= 2 for sent_ids, got_ids in pairs)
    assert sorted(len(got) for _, got in pairs) == [2] * 10

    assert _run_outputs(second.run_dir) == _run_outputs(local.run_dir)
    assert second.results == local.results and second.signature == local.signature
    manifest = json.loads((second.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"] == "ray"
    local_manifest = json.loads((local.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["models"] == local_manifest["models"] and manifest["models"]["tiny"]["device"] == "cpu"
    # each stored file has one row per document: nothing duplicated by the resume
    tiny_rows = _read_jsonl(second.run_dir / "summaries" / "tiny.jsonl")
    assert len(tiny_rows) == 7
    # the generative outputs compared above are real generations: with the tiny random model each seed
    # paragraph got 8 new tokens of nonsense (seen in a run: 6 of 7; the chunked whole article came out empty)
    assert sum(1 for r in tiny_rows if r["tokens_out"] == 8 and r["text"].strip()) >= 5


@needs_ray
@pytest.mark.parametrize(
    ("configured", "env", "expected"),
    [
        ("ray://head:10001", "auto", "ray://head:10001"),  # the config's address wins
        (None, "auto", "auto"),  # else RAY_ADDRESS
        (None, None, None),  # else Ray's default: a local instance (without the dashboard)
    ],
)
def test_address_comes_from_config_then_ray_address(
    monkeypatch: pytest.MonkeyPatch, configured: str | None, env: str | None, expected: str | None
) -> None:
    from toolkit.runs.ray_executor import RayExecutor

    calls: list[dict[str, Any]] = []

    class FakeRay:
        def is_initialized(self) -> bool:
            return False

        def init(self, address: str | None = None, **kwargs: Any) -> None:
            calls.append({"address": address, **kwargs})

    if env is None:
        monkeypatch.delenv("RAY_ADDRESS", raising=False)
    else:
        monkeypatch.setenv("RAY_ADDRESS", env)
    probed: list[tuple[str, str]] = []
    monkeypatch.setattr("toolkit.runs.ray_executor.probe_ray_address", lambda address, source: probed.append((address, source)))
    executor = RayExecutor(RayConfig(address=configured))
    executor._ray = FakeRay()
    executor._connect()
    assert [call["address"] for call in calls] == [expected]
    # a given address is probed first (3 s TCP connect), named by where it came from
    assert probed == ([] if expected is None else [(expected, "ray.address" if configured else "RAY_ADDRESS")])
    assert calls[0].get("include_dashboard") is (False if expected is None else None)


@needs_ray
@pytest.mark.slow
def test_cli_executor_option_runs_the_config_on_ray(tmp_path: Path, ray_instance: Any) -> None:
    from toolkit.cli import main

    config = tmp_path / "cli.yaml"
    config.write_text(
        f"name: cli-ray\ndata: {{path: {SEED_DOCS}}}\nsystems: [{{name: lead-2, model: lead-2}}]\n"
        f"glossary: {{path: {SEED_GLOSSARY}, normalize: both}}\n"
        f"metrics: [rouge1, chrf]\nbootstrap: {{resamples: 100}}\noutput_dir: {tmp_path / 'runs'}\n",
        encoding="utf-8",
    )
    assert main(["run", str(config), "--no-progress"]) == 0
    local = json.loads((tmp_path / "runs" / "cli-ray" / "results.json").read_text(encoding="utf-8"))
    assert main(["run", str(config), "--executor", "ray", "--fresh", "--no-progress"]) == 0
    run_dir = tmp_path / "runs" / "cli-ray"
    assert json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["executor"] == "ray"
    assert json.loads((run_dir / "results.json").read_text(encoding="utf-8")) == local
    assert len(_read_jsonl(run_dir / "scored" / "lead-2.jsonl")) == len(_read_jsonl(run_dir / "scored" / "lead-2+norm.jsonl")) == 7


@needs_ray
@pytest.mark.slow
def test_streamed_run_on_ray_equals_local_with_one_pool_for_every_shard(
    tmp_path: Path, ray_instance: Any, tiny_llama: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: a run streamed in shards gives the same results.json and stores on Ray as locally, and the
    Ray actors are created once for the run: each sets the summariser (and the scorer) up once, whatever the
    number of shards."""
    from toolkit.runs import streamed
    from toolkit.runs.config import config_from_dict
    from toolkit.runs.engine import run
    from toolkit.runs.ray_executor import _POOL, RayExecutor

    monkeypatch.setattr(streamed, "SHARD_DOCUMENTS", 3)  # 7 seed documents: 3 shards

    def config(executor: str) -> Any:
        return config_from_dict({
            "name": "ray-streamed", "data": {"path": str(SEED_DOCS)},
            "systems": [{"name": "tiny", "model": str(tiny_llama), "generation": {"max_new_tokens": 8, "dtype": "float32"}}],
            "metrics": ["rouge1", "rougeL", "bleu", "ter"], "bootstrap": {"resamples": 200, "seed": 7},
            "batch_size": 2, "executor": executor, "ray": {"num_actors": 2, "batch_size": 2},
            "output_dir": str(tmp_path / executor),
        })

    local = run(config("local"), progress=False)
    ray_config = config("ray")
    executor = RayExecutor(ray_config.ray)
    remote = run(ray_config, progress=False, executor=executor)
    assert remote.recomputed == local.recomputed == {"summarise:tiny": 7, "score": 7}
    assert _streamed_outputs(remote.run_dir) == _streamed_outputs(local.run_dir)
    assert remote.results == local.results and remote.signature == local.signature
    set_up = ray_instance.get([actor.set_up.remote() for actor in _POOL.list])
    assert len(set_up) == 2 and all(sorted(kinds.values()) == ["ScoreTask", "SummarizeTask"] for kinds in set_up)
    executor.close()
    assert _POOL.list == []


def _streamed_outputs(run_dir: Path) -> dict[str, Any]:
    """A streamed run's files, as written (document order; timing dropped from the summaries)."""
    return {"results": (run_dir / "results.json").read_text(encoding="utf-8"),
            "scores": (run_dir / "scores.jsonl").read_text(encoding="utf-8"),
            "scored": (run_dir / "scored" / "tiny.jsonl").read_text(encoding="utf-8"),
            "summaries": _without_timing(_read_jsonl(run_dir / "summaries" / "tiny.jsonl"))}
