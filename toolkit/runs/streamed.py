"""A run streamed shard by shard: the driver never holds the corpus, a stage, or every scoring unit.

For a config whose every step can be computed shard by shard (:func:`can_stream`: one or more model systems on
the original text, no glossary, QA or faithfulness findings, metrics whose corpus value :mod:`.shard_stats`
rebuilds exactly), the run reads :data:`SHARD_DOCUMENTS` documents at a time
(:func:`toolkit.runs.data.iter_document_shards`) and takes each shard through the same plans as the
in-memory engine (:func:`.summarise_stage.plan_model`, :func:`.score_stage.plan_scores`, executed by
:func:`toolkit.runs.pipeline.execute`): summarise every system, score, then keep the shard's per-segment
statistics as numpy arrays (:class:`.shard_stats.SystemStats`) and append its ``scores.jsonl`` rows. The
stores are :class:`toolkit.runs.store_index.IndexedStore` (the same JSONL files, an index in memory), so a
killed run resumes document by document. At the end the stores are rewritten in document order and the
corpus scores, intervals and paired tests (every system against the first, Holm-corrected:
:func:`toolkit.scoring.paired.paired_tests`, the code ``compare()`` runs) are computed from the gathered
statistics; ``results.json`` is the one the in-memory path writes (tests/test_streamed.py).

Driver memory: the index (28 bytes a document a store), the ids (one buffer, ``8 + len(id)`` bytes each, for
the resampling order) and the statistics arrays (~120 bytes a document for ROUGE-1/2/L + BLEU), plus one
shard.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit._version import __version__
from toolkit.errors import InputError
from toolkit.io import atomic_writer
from toolkit.runs import manifest as mf
from toolkit.runs.cache import cached_results, results_key
from toolkit.runs.collect import artefacts
from toolkit.runs.config import RunConfig
from toolkit.runs.data import DataDigest, iter_document_shards, scan_documents
from toolkit.runs.doc_ids import IdList
from toolkit.runs.executors import Executor
from toolkit.runs.pipeline import by_system, execute
from toolkit.runs.results import RunResults, SystemResults
from toolkit.runs.shard_stats import (
    SystemStats,
    corpus_results,
    in_resample_order,
    shard_stats,
    streamable,
)
from toolkit.runs.stages import ScoreTask, StagePlan, SummarizeTask
from toolkit.runs.store import content_key
from toolkit.runs.store_index import IndexedStore
from toolkit.runs.systems import SystemRun

SHARD_DOCUMENTS = 1000  # documents read, summarised and scored at a time

Bar = Callable[[str, int, int], Callable[[float], None]]


def can_stream(config: RunConfig, runs: Sequence[SystemRun]) -> bool:
    """Whether a run can be streamed shard by shard (else the in-memory engine runs it).

    Streamable: one or more model systems, every one on the original text (a glossary's normalised runs stay
    in memory), no QA, and metrics whose corpus value :func:`.shard_stats.streamable` rebuilds from shards.

    Example:
        >>> from toolkit import config_from_dict
        >>> from toolkit.runs.systems import system_runs
        >>> c = config_from_dict({"name": "d", "data": {"path": "d.jsonl"}, "systems": [{"name": "l", "model": "lead-3"}],
        ...                       "metrics": ["rouge1", "bleu"]})
        >>> two = c.model_copy(update={"systems": [*c.systems, c.systems[0].model_copy(update={"name": "l2"})]})
        >>> can_stream(c, system_runs(c)), can_stream(two, system_runs(two))
        (True, True)
        >>> can_stream(c.model_copy(update={"metrics": ["terms"]}), system_runs(c))
        False
    """
    from toolkit.scoring import resolve_metrics

    return (config.glossary is None and (config.qa is None or not config.qa.enabled) and len(runs) >= 1
            and all(s.input == "original" for s in runs)
            and streamable(resolve_metrics(config.metrics), config.scoring_settings()))


@dataclass
class Streamed:
    """What a streamed run returns to the engine: the results and the manifest's parts."""

    results: RunResults
    recomputed: dict[str, int]
    models: dict[str, dict[str, Any]]
    data_sha: str


def run_streamed(
    config: RunConfig, run_dir: Path, executor: Executor, *, bar: Bar, notify: Callable[[str], None],
    runs: Sequence[SystemRun],
) -> Streamed:
    """Run ``config`` shard by shard (see the module docstring); ``bar(description, total, done)`` makes a
    progress callback."""
    from toolkit.runs.score_stage import BATCH, VERSION, merge_units, plan_scores
    from toolkit.runs.summarise_stage import plan_model
    from toolkit.scoring import resolve_metrics

    scan = scan_documents(config.data, limit=config.limit)  # every row checked before anything is summarised
    if scan.unreferenced:
        raise InputError(
            f"{config.data.path}: {scan.unreferenced} of {scan.documents} documents have no reference (e.g. id "
            f"'{scan.first_unreferenced}', field '{config.data.references_field}'); add reference summaries or set "
            "data.references_field")
    settings = config.scoring_settings()
    metrics = resolve_metrics(config.metrics)
    options = settings.metric_options()
    summaries = {s.name: IndexedStore(run_dir / "summaries" / f"{s.name}.jsonl") for s in runs}
    scored = {s.name: IndexedStore(run_dir / "scored" / f"{s.name}.jsonl") for s in runs}
    settings_key = content_key(VERSION, __version__, options, None)
    recomputed: dict[str, int] = {}
    models: dict[str, dict[str, Any]] = {}
    fingerprints: dict[str, str] = {}
    tasks: dict[str, SummarizeTask] = {}
    for system in runs:
        notify(f"summarise:{system.name}")
        task = SummarizeTask(system.config.model_dump(mode="json"), batch_size=config.batch_size)
        described = executor.describe(task)
        tasks[system.name], fingerprints[system.name] = task, described["fingerprint"]
        models[system.name] = {"spec": system.config.model, "input": system.input,
                               "fingerprint": described["fingerprint"], **described["info"]}
        recomputed[f"summarise:{system.name}"] = 0
    recomputed["score"] = 0
    advance_summaries = {s.name: bar(f"summarise {s.name}", scan.documents, 0) for s in runs}
    advance_score = bar("score", scan.documents * len(runs), 0)
    collected = {s.name: SystemStats(metrics, capacity=scan.documents) for s in runs}
    ids = IdList()  # every document's id, in one buffer (resampling order, the stores' final order)
    digest = DataDigest()
    parts = {s.name: run_dir / f".scores.{s.name}.part" for s in runs}
    handles = {name: open(path, "w", encoding="utf-8") for name, path in parts.items()}  # noqa: SIM115
    loaded = set()
    try:
        for shard in iter_document_shards(config.data, SHARD_DOCUMENTS, limit=config.limit):
            digest.update(shard)
            shard_ids = [d.id for d in shard]
            ids.extend(shard_ids)
            predictions: dict[str, list[str]] = {}
            for system in runs:
                texts = {system.name: {d.id: d.text for d in shard}}
                plan = plan_model(tasks[system.name], fingerprints[system.name], [system], summaries, texts,
                                  shard_ids, config.batch_size)
                todo = len(plan.todo) + len(plan.copies)
                recomputed[f"summarise:{system.name}"] += todo
                if len(shard) > todo:  # stored before: the bar starts there (no empty ticks)
                    advance_summaries[system.name](len(shard) - todo)
                if execute(executor, plan, summaries, advance_summaries):
                    loaded.add(system.name)
                keys = {d.id: content_key(fingerprints[system.name], d.text) for d in shard}
                predictions[system.name] = [_stored(summaries[system.name], i, keys[i])["text"] for i in shard_ids]
            groups, copies = plan_scores(scored, runs, shard, predictions, metrics, settings_key)
            todo = sum(len(items) for items in groups.values())
            recomputed["score"] += todo
            if len(shard) * len(runs) > todo:
                advance_score(len(shard) * len(runs) - todo)
            for name, rows in by_system(copies).items():
                scored[name].append(rows)
            for missing, items in groups.items():
                from toolkit.scoring.registry import reads_sources

                if not any(reads_sources(m) for m in missing):
                    items = [{**row, "source": None} for row in items]
                plan = StagePlan(ScoreTask(list(missing), options, None), BATCH, todo=items)
                execute(executor, plan, scored, {s.name: advance_score for s in runs}, merge=merge_units)
            references = [list(d.references) for d in shard]
            for system in runs:
                units = [_stored(scored[system.name], d.id, content_key(settings_key, p, list(d.references), d.source or d.text))["units"]
                         for d, p in zip(shard, predictions[system.name])]
                stats, rows = shard_stats(predictions=predictions[system.name], references=references, ids=shard_ids,
                                          units=units, metrics=metrics, settings=settings,
                                          sources=[d.source or d.text for d in shard])
                collected[system.name].add(stats, references)
                _write_score_rows(handles[system.name], rows, system.name, fingerprints[system.name])
        for handle in handles.values():
            handle.close()
        for system in runs:  # every store in document order, as the in-memory engine leaves it
            summaries[system.name].rewrite(ids)
            scored[system.name].rewrite(ids)
            if system.name in loaded:  # the model was loaded: fields that need the tokenizer
                models[system.name].update(executor.describe(tasks[system.name])["info"])
        _join(run_dir / "scores.jsonl", [parts[s.name] for s in runs])
    finally:
        for handle in handles.values():
            handle.close()
        for path in parts.values():
            path.unlink(missing_ok=True)
    data_sha = digest.hexdigest()
    key = results_key(config, runs, fingerprints, glossary=None, data_sha=data_sha, run_dir=run_dir)
    typed, _ = cached_results(run_dir, key, lambda: _results(config, runs, collected, ids, settings, fingerprints, data_sha),
                              artefacts=artefacts(config))  # the cache the in-memory engine keeps (cache.py)
    return Streamed(typed, recomputed, models, data_sha)


def _stored(store: IndexedStore, doc_id: str, key: str) -> dict[str, Any]:
    row = store.get(doc_id, key)
    if row is None:  # execute() stored every planned row: a missing one means the store was changed meanwhile
        raise InputError(f"{store.path}: no row for document '{doc_id}' after its stage ran; run again to resume")
    return row


def _write_score_rows(handle: Any, rows: Sequence[dict[str, Any]], system: str, fingerprint: str) -> None:
    import json

    for segment in rows:
        key = content_key(fingerprint, segment["id"])
        for metric, value in segment.items():
            if metric != "id":
                handle.write(json.dumps({"id": segment["id"], "system": system, "metric": metric, "score": value,
                                         "key": key}, ensure_ascii=False) + "\n")


def _join(target: Path, parts: Sequence[Path]) -> None:
    """``target`` written atomically as the concatenation of ``parts``, a block at a time; left untouched when
    it holds those bytes already (its stamp then still matches the results cache: a warm run is a hit)."""
    import hashlib

    def sha(paths: Sequence[Path]) -> str:
        digest = hashlib.sha256()
        for path in paths:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        return digest.hexdigest()

    if target.is_file() and not target.is_symlink() and sha([target]) == sha(parts):
        return
    with atomic_writer(target) as out:
        for part in parts:
            with open(part, encoding="utf-8") as handle:
                for block in iter(lambda: handle.read(1 << 20), ""):
                    out.write(block)


def _results(
    config: RunConfig, runs: Sequence[SystemRun], collected: dict[str, SystemStats], ids: Sequence[str],
    settings: Any, fingerprints: dict[str, str], data_sha: str,
) -> RunResults:
    from toolkit.runs.results import comparison_results
    from toolkit.scoring import metric_info
    from toolkit.scoring.paired import paired_tests

    systems: dict[str, SystemResults] = {}
    metric_signatures: dict[str, str] = {}
    tested = [m for m in collected[runs[0].name].metrics if metric_info(m).higher_is_better is not None]
    ordered: dict[str, dict[str, Any]] = {}  # per system, the tested metrics' statistics in resampling order
    for system in runs:
        merged = collected[system.name].merged(settings)
        in_order = in_resample_order(merged, ids)  # once: the intervals and the paired tests resample it
        corpus = corpus_results(merged, ids, settings, in_order)
        systems[system.name] = SystemResults(system.name, system.input, system.base, corpus)
        metric_signatures.update({name: result.signature for name, result in corpus.items()})
        if len(runs) > 1 and tested:
            ordered[system.name] = {m: in_order[m] for m in tested}
    # every system against the first, as runs.sections.paired_comparisons (model systems on the original text only:
    # no normalisation pairs)
    comparisons = comparison_results(paired_tests(ordered, tested, settings), "against-first") if ordered else []
    signature = mf.run_signature(data_sha=data_sha, glossary_sha=None, systems=fingerprints,
                                 metric_signatures=metric_signatures, resamples=settings.ci_resamples, seed=settings.seed)
    return RunResults(name=config.name, run_signature=signature, documents=len(ids), systems=systems, comparisons=tuple(comparisons),
                      terminology=None, metric_signatures=metric_signatures, settings=settings.to_dict(), sections={})


__all__ = ["SHARD_DOCUMENTS", "Streamed", "can_stream", "run_streamed"]
