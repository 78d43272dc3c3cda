"""The score stage of a run: per-document scoring units of every system run, stored in ``scored/<system>.jsonl``.

Plan (per system and document: the metrics whose units are not stored under the current key; every
system's store is a sibling, so the same summary of a document is scored once), execute per group of
missing metrics (:func:`toolkit.runs.pipeline.execute`, keeping the units stored before), collect (each
system's units in document order, for ``score(..., units=...)``). Corpus values, intervals and tests are
computed from the joined units, so they do not depend on how the documents were batched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from toolkit._version import __version__
from toolkit.runs.data import RunDocument
from toolkit.runs.executors import Executor
from toolkit.runs.pipeline import by_system, execute, stored_row
from toolkit.runs.stages import ScoreTask, StagePlan
from toolkit.runs.store import StageStore, content_key
from toolkit.runs.systems import SystemRun

VERSION = "score-stage.v1"
BATCH = 64  # documents per scoring batch


def merge_units(stored: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A stored score row with the metrics of ``new`` added (units of metrics computed before are kept).

    Example:
        >>> merge_units({"metrics": ["rouge1"], "units": {"rouge1": 1}}, {"id": "d", "metrics": ["bleu"], "units": {"bleu": 2}})
        {'id': 'd', 'metrics': ['rouge1', 'bleu'], 'units': {'rouge1': 1, 'bleu': 2}}
    """
    return {**new, "metrics": list(dict.fromkeys([*stored["metrics"], *new["metrics"]])),
            "units": {**stored["units"], **new["units"]}}


def plan_scores(
    stores: Mapping[str, StageStore], runs: Sequence[SystemRun], docs: Sequence[RunDocument],
    predictions: Mapping[str, Sequence[str]], metrics: Sequence[str], settings_key: str,
) -> tuple[dict[tuple[str, ...], list[dict[str, Any]]], list[dict[str, Any]]]:
    """Rows to score grouped by the metrics they lack, and rows to copy from another system's store."""
    siblings = list(stores.values())
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    copies: list[dict[str, Any]] = []
    for system in runs:
        for doc, prediction in zip(docs, predictions[system.name]):
            source = doc.source or doc.text
            key = content_key(settings_key, prediction, list(doc.references), source)
            found, copied = stored_row(stores[system.name], siblings, doc.id, key)
            if copied:  # the same summary scored for another system (e.g. X and X+norm) is reused
                found = {**found, "system": system.name}
                copies.append(found)
            missing = tuple(m for m in metrics if found is None or m not in found.get("metrics", ()))
            if missing:
                groups.setdefault(missing, []).append({
                    "id": doc.id, "key": key, "system": system.name, "prediction": prediction,
                    "references": list(doc.references), "source": source})
    return groups, copies


def run_scores(
    executor: Executor, run_dir: Path, runs: Sequence[SystemRun], docs: Sequence[RunDocument],
    predictions: Mapping[str, Sequence[str]], *, metrics: Sequence[str], options: dict[str, Any], glossary: Any,
    bar: Callable[[str, int, int], Callable[[float], None]],
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Score what is not stored; return each system's units (document order) and how many system-document
    pairs had something to compute.

    A stored row is reused when its summary, references, source, settings and glossary are unchanged; a
    metric added to the config computes only that metric's units.
    """
    from toolkit.scoring.registry import reads_sources

    stores = {s.name: StageStore(run_dir / "scored" / f"{s.name}.jsonl") for s in runs}
    settings_key = content_key(VERSION, __version__, options, glossary.fingerprint if glossary is not None else None)
    groups, copies = plan_scores(stores, runs, docs, predictions, metrics, settings_key)
    total = len(runs) * len(docs)
    todo = sum(len(items) for items in groups.values())
    bar_advance = bar("score", total, total - todo)
    advance = {s.name: bar_advance for s in runs}
    for name, rows in by_system(copies).items():  # counted as done by the bar unless a metric is missing
        stores[name].append(rows)
    for missing, items in groups.items():
        if not any(reads_sources(m) for m in missing):  # do not ship documents no metric reads
            items = [{**row, "source": None} for row in items]
        plan = StagePlan(ScoreTask(list(missing), options, glossary), BATCH, todo=items)
        execute(executor, plan, stores, advance, merge=merge_units)
    doc_ids = [d.id for d in docs]
    return {name: [row["units"] for row in store.compact(doc_ids)] for name, store in stores.items()}, todo
