"""The summarise stage of a run: every system run's summaries, stored in ``summaries/<system>.jsonl``.

Plan per configured model (its runs on the original and on the normalised text are sibling lanes, so a
model is loaded once per worker for both, and a document whose normalised text equals the original is
summarised once), execute (:func:`toolkit.runs.pipeline.execute`), collect (summaries in document order,
fingerprints and model records for the manifest). Systems read from a file are stored without a task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.io import read_outputs
from toolkit.runs import manifest as mf
from toolkit.runs.data import RunDocument
from toolkit.runs.executors import Executor
from toolkit.runs.pipeline import execute, stored_row
from toolkit.runs.stages import StagePlan, SummarizeTask
from toolkit.runs.store import StageStore, content_key
from toolkit.runs.systems import SystemRun

Bar = Callable[[str, int, int], Callable[[float], None]]


@dataclass
class Summaries:
    """What the summarise stage collected: per system run, its summaries (document order), fingerprint,
    model record (for the manifest), and how many documents it had to compute."""

    predictions: dict[str, list[str]]
    fingerprints: dict[str, str]
    models: dict[str, dict[str, Any]]
    recomputed: dict[str, int]


def file_summaries(system: SystemRun, docs: Sequence[RunDocument]) -> dict[str, str]:
    """The outputs a file system gives for ``docs``, by id (every document must have one)."""
    path = system.config.file
    assert path is not None
    outputs = {d.id: d.text for d in read_outputs(path)}
    missing = [d.id for d in docs if d.id not in outputs]
    if missing:
        raise InputError(f"{path}: no output for {len(missing)} documents (e.g. id '{missing[0]}'); "
                         f"system '{system.name}' must cover every document")
    return {d.id: outputs[d.id] for d in docs}


def input_texts(system: SystemRun, docs: Sequence[RunDocument], normalised: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The text each document gives ``system``: the original, or the normalise stage's output.

    Example:
        >>> from toolkit.runs.config import SystemConfig
        >>> docs = [RunDocument("d1", "The Jinxiang Army spoke.")]
        >>> normalised = {"d1": {"text": "Jin Xiangjun spoke."}}
        >>> lead = SystemConfig(name="lead", model="lead-1")
        >>> [input_texts(SystemRun(n, lead, kind), docs, normalised)["d1"] for n, kind in (("lead", "original"), ("lead+norm", "normalised"))]
        ['The Jinxiang Army spoke.', 'Jin Xiangjun spoke.']
    """
    return {d.id: (normalised[d.id]["text"] if system.input == "normalised" else d.text) for d in docs}


def plan_model(
    task: SummarizeTask, fingerprint: str, group: Sequence[SystemRun], stores: Mapping[str, StageStore],
    texts: Mapping[str, Mapping[str, str]], doc_ids: Sequence[str], batch_size: int,
) -> StagePlan:
    """The rows one model must summarise for its sibling runs ``group``; rows a sibling stored are copies."""
    plan = StagePlan(task, batch_size)
    siblings = [stores[s.name] for s in group]
    for system in group:
        for doc_id in doc_ids:
            text = texts[system.name][doc_id]
            key = content_key(fingerprint, text)
            found, copied = stored_row(stores[system.name], siblings, doc_id, key)
            if found is None:
                plan.add({"id": doc_id, "key": key, "system": system.name, "text": text})
            elif copied:
                plan.copies.append({**found, "system": system.name})
    return plan


def run_summaries(
    executor: Executor, run_dir: Path, runs: Sequence[SystemRun], docs: Sequence[RunDocument],
    normalised: Mapping[str, Mapping[str, Any]], *, batch_size: int, bar: Bar, notify: Callable[[str], None],
) -> Summaries:
    """Summaries of every system run; only new or changed documents are sent to a model.

    A stage whose summaries are all stored loads no model: the fingerprint comes from the model's files.
    """
    doc_ids = [d.id for d in docs]
    stores = {s.name: StageStore(run_dir / "summaries" / f"{s.name}.jsonl") for s in runs}
    out = Summaries({}, {}, {}, {})
    groups: dict[str, list[SystemRun]] = {}  # configured system -> its runs on the original/normalised text
    for system in runs:
        if system.input == "file":
            notify(f"summarise:{system.name}")
            _store_file_system(system, docs, stores[system.name], out)
        else:
            groups.setdefault(system.base, []).append(system)
    for base, group in groups.items():
        notify(f"summarise:{base}")
        task = SummarizeTask(group[0].config.model_dump(mode="json"), batch_size=batch_size)
        described = executor.describe(task)  # fingerprint and model info, from where the batches run
        fingerprint = described["fingerprint"]
        texts = {s.name: input_texts(s, docs, normalised) for s in group}
        plan = plan_model(task, fingerprint, group, stores, texts, doc_ids, batch_size)
        advance = {}
        for system in group:
            todo = sum(1 for row in plan.todo if row["system"] == system.name)
            copies = sum(1 for row in plan.copies if row["system"] == system.name)
            advance[system.name] = bar(f"summarise {system.name}", len(docs), len(docs) - todo - copies)
            out.recomputed[f"summarise:{system.name}"] = todo + copies
            out.fingerprints[system.name] = fingerprint
            out.models[system.name] = {"spec": system.config.model, "input": system.input,
                                       "fingerprint": fingerprint, **described["info"]}
        if execute(executor, plan, stores, advance):  # the model was loaded: fields that need the tokenizer
            info = executor.describe(task)["info"]
            for system in group:
                out.models[system.name].update(info)
    out.predictions = {s.name: [row["text"] for row in stores[s.name].compact(doc_ids)] for s in runs}
    order = [s.name for s in runs]
    out.fingerprints = {n: out.fingerprints[n] for n in order}
    out.models = {n: out.models[n] for n in order}
    return out


def _store_file_system(system: SystemRun, docs: Sequence[RunDocument], store: StageStore, out: Summaries) -> None:
    outputs = file_summaries(system, docs)
    fingerprint = content_key("file", outputs)
    rows = [{"id": d.id, "key": content_key(fingerprint, d.id), "system": system.name, "text": outputs[d.id]}
            for d in docs]
    rows = [row for row in rows if store.get(row["id"], row["key"]) is None]
    store.append(rows)
    out.recomputed[f"summarise:{system.name}"] = len(rows)
    out.fingerprints[system.name] = fingerprint
    out.models[system.name] = {"file": system.config.file, "sha256": mf.file_sha256(system.config.file)}
