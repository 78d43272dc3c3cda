"""The Ray executor (issue 7): same rows and results as the local executor, on a local 2-CPU Ray instance.

Needs the ``ray`` extra (``pip install 'toolkit[ray]'``); without it every test here except the
install-hint one is skipped with that reason.
"""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path
from typing import Any

import pytest

from toolkit.errors import ConfigError, UnknownNameError
from toolkit.runs.config import RayConfig
from toolkit.runs.executors import LocalExecutor, batched
from toolkit.runs.stages import SummarizeTask

ROOT = Path(__file__).resolve().parent.parent
SEED_DOCS = ROOT / "eval" / "seed" / "documents.jsonl"
TIMING_FIELDS = {"seconds"}  # wall-clock per summary: the only field allowed to differ between executors

try:
    import ray
    import ray.data  # noqa: F401

    HAVE_RAY = True
except ImportError:
    HAVE_RAY = False

needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="ray is not installed: pip install 'toolkit[ray]'")


@pytest.fixture(scope="module")
def ray_instance() -> Any:
    """A fresh local Ray instance with 2 CPUs (never a cluster named by RAY_ADDRESS), shut down after."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024**2,
             log_to_driver=False)
    yield ray
    ray.shutdown()


def _seed_rows(system: str) -> list[dict[str, Any]]:
    docs = [json.loads(line) for line in SEED_DOCS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [{"id": d["id"], "key": f"k-{d['id']}", "system": system, "text": d["text"]} for d in docs]


def _without_timing(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in TIMING_FIELDS} for row in rows]


def _collect(pairs: Any) -> tuple[list[dict[str, Any]], list[tuple[list[str], list[str]]]]:
    rows: list[dict[str, Any]] = []
    pairing = []
    for batch, out in pairs:
        pairing.append(([item["id"] for item in batch], [row["id"] for row in out]))
        rows.extend(out)
    return sorted(rows, key=lambda r: r["id"]), pairing


def test_missing_ray_is_one_line_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.runs.executors import make_executor

    real_import = builtins.__import__

    def no_ray(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "ray" or name.startswith("ray."):
            raise ImportError(f"No module named '{name}'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ConfigError) as info:
        make_executor("ray", RayConfig())
    assert str(info.value) == "executor 'ray' needs the ray extra: pip install 'toolkit[ray]'"


@needs_ray
def test_nothing_to_do_starts_nothing() -> None:
    from toolkit.runs.ray_executor import RayExecutor

    # a run whose documents are all stored hands the executor no batches: no Ray instance is started
    started = ray.is_initialized()
    assert list(RayExecutor(RayConfig()).map_batches(SummarizeTask({"model": "lead-3"}, batch_size=2), [])) == []
    assert ray.is_initialized() == started


@needs_ray
def test_lead3_rows_equal_local(ray_instance: Any) -> None:
    from toolkit.runs.ray_executor import RayExecutor

    items = _seed_rows("lead-3")  # 7 documents: the seed article and its 6 paragraphs
    system = {"name": "lead-3", "model": "lead-3"}
    local, _ = _collect(LocalExecutor().map_batches(SummarizeTask(system, batch_size=2), batched(items, 4)))
    executor = RayExecutor(RayConfig(num_actors=2, batch_size=3))
    remote, pairing = _collect(executor.map_batches(SummarizeTask(system, batch_size=2), batched(items, 4)))
    assert _without_timing(remote) == _without_timing(local)
    assert [row["id"] for row in remote] == sorted(item["id"] for item in items)  # each document once
    for sent, got in pairing:  # every yielded pair holds the inputs of exactly its result rows
        assert sent == got and 1 <= len(sent) <= 3


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
