"""The run engine: normalise -> summarise (per system) -> score -> compare -> report.

Every document's stage result is appended to a JSONL store as it completes, keyed by a hash of its input
and of the settings that affect it; a re-run after a crash or a config change recomputes only what changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit._version import __version__
from toolkit.errors import InputError, RunDirError
from toolkit.io import read_outputs, write_json, write_jsonl, write_text
from toolkit.runs import manifest as mf
from toolkit.runs.config import RUN_FORMAT_VERSION, RunConfig, SystemConfig, dump_config
from toolkit.runs.data import RunDocument, data_fingerprint, load_documents
from toolkit.runs.executor_registry import make_executor
from toolkit.runs.executors import Executor, batched
from toolkit.runs.faith_section import wants_findings, write_faithfulness_findings
from toolkit.runs.progress import DocumentTicks, StageProgress
from toolkit.runs.report import write_report
from toolkit.runs.results import RunResults, SystemResults, write_results
from toolkit.runs.rundir import check_inputs_outside, locked_run_dir, run_inputs
from toolkit.runs.sections import paired_comparisons, terminology_section
from toolkit.runs.stages import NormalizeTask, ScoreTask, SummarizeTask
from toolkit.runs.systems import SystemRun, system_runs
from toolkit.runs.store import StageStore, content_key

NORMALIZE_VERSION = "normalize-stage.v1"
SCORE_VERSION = "score-stage.v1"
SCORE_BATCH = 64  # documents per scoring batch with the local executor (Ray uses ray.batch_size)


@dataclass
class RunResult:
    """What a run produced: where, the results mapping (as in results.json), and its signature.

    Example:
        >>> r = RunResult(run_dir=Path("runs/demo"), signature="toolkit:0.1.0|demo", results={"systems": {
        ...     "lead": {"metrics": {"rouge1": {"score": 70.0, "ci": [40.0, 100.0], "signature": "rouge1|..."}}}}})
        >>> r.to_frame()[["system", "metric", "score", "ci_low"]].to_dict("records")
        [{'system': 'lead', 'metric': 'rouge1', 'score': 70.0, 'ci_low': 40.0}]
    """

    run_dir: Path
    results: dict[str, Any]
    signature: str
    recomputed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.results)

    def to_frame(self) -> Any:
        """Corpus scores as a pandas DataFrame: one row per system x metric."""
        import pandas as pd

        rows = []
        for system, info in self.results["systems"].items():
            for metric, value in info["metrics"].items():
                ci = value.get("ci") or [None, None]
                rows.append({"system": system, "metric": metric, "score": value["score"],
                             "ci_low": ci[0], "ci_high": ci[1], "signature": value.get("signature")})
        return pd.DataFrame(rows)


def _prepare_run_dir(config: RunConfig, run_dir: Path) -> Path:
    # made, locked, emptied (--fresh) and cleaned by toolkit.runs.rundir.locked_run_dir
    manifest_path = run_dir / "manifest.json"
    if manifest_path.exists():
        try:
            previous = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            previous = {}
        if previous.get("run_format") != RUN_FORMAT_VERSION or previous.get("name") != config.name:
            raise RunDirError(
                f"{run_dir}: holds a run of another config or toolkit format "
                f"(name {previous.get('name')!r}, format {previous.get('run_format')!r}); "
                "use --fresh to start over or set another output_dir/name"
            )
    try:
        (run_dir / "summaries").mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise RunDirError(f"{run_dir}: output folder is not writable ({exc.strerror}); set output_dir to a writable folder") from None
    return run_dir


def _run_stage(
    executor: Executor, task: Any, store: StageStore, todo: list[dict[str, Any]], batch_size: int,
    advance: Callable[[int], None],
) -> int:
    for _batch, rows in executor.map_batches(task, batched(todo, batch_size)):
        store.append(rows)
        advance(len(rows))
    return len(todo)


def _file_summaries(system: SystemConfig, docs: Sequence[RunDocument]) -> dict[str, str]:
    assert system.file is not None
    outputs = {d.id: d.text for d in read_outputs(system.file)}
    missing = [d.id for d in docs if d.id not in outputs]
    if missing:
        raise InputError(f"{system.file}: no output for {len(missing)} documents (e.g. id '{missing[0]}'); "
                         f"system '{system.name}' must cover every document")
    return {d.id: outputs[d.id] for d in docs}


def _summarise_stage(
    executor: Executor, run_dir: Path, config: RunConfig, runs: Sequence[SystemRun], docs: Sequence[RunDocument],
    normalised: dict[str, dict[str, Any]], bars: StageProgress, notify: Callable[[str], None], recomputed: dict[str, int],
) -> tuple[dict[str, list[str]], dict[str, str], dict[str, Any]]:
    """Summaries of every system run, stored as they complete; only new or changed documents are sent.

    X and X+norm (``glossary.normalize: both``) share one task and one ``map_batches`` call, so a model is
    loaded once per worker for both. Returns predictions (document order), fingerprints and model records.
    """
    doc_ids = [d.id for d in docs]
    stores = {s.name: StageStore(run_dir / "summaries" / f"{s.name}.jsonl") for s in runs}
    fingerprints: dict[str, str] = {}
    models: dict[str, Any] = {}
    groups: dict[str, list[SystemRun]] = {}  # configured system -> its runs on the original/normalised text
    for system in runs:
        if system.input != "file":
            groups.setdefault(system.base, []).append(system)
            continue
        notify(f"summarise:{system.name}")
        store = stores[system.name]
        outputs = _file_summaries(system.config, docs)
        fingerprints[system.name] = content_key("file", outputs)
        keys = {i: content_key(fingerprints[system.name], i) for i in doc_ids}
        rows = [{"id": i, "key": keys[i], "system": system.name, "text": outputs[i]}
                for i in doc_ids if store.get(i, keys[i]) is None]
        store.append(rows)
        recomputed[f"summarise:{system.name}"] = len(rows)
        models[system.name] = {"file": system.config.file, "sha256": mf.file_sha256(system.config.file)}
    for base, group in groups.items():
        notify(f"summarise:{base}")
        task = SummarizeTask(group[0].config.model_dump(mode="json"), batch_size=config.batch_size)
        described = executor.describe(task)  # fingerprint and model info, from where the batches run
        todo: list[dict[str, Any]] = []
        advance: dict[str, Callable[[int], None]] = {}
        for system in group:
            fingerprints[system.name] = described["fingerprint"]
            models[system.name] = {"spec": system.config.model, "input": system.input,
                                   "fingerprint": described["fingerprint"], **described["info"]}
            texts = {d.id: (normalised[d.id]["text"] if system.input == "normalised" else d.text) for d in docs}
            keys = {i: content_key(described["fingerprint"], texts[i]) for i in doc_ids}
            rows = [{"id": i, "key": keys[i], "system": system.name, "text": texts[i]}
                    for i in doc_ids if stores[system.name].get(i, keys[i]) is None]
            advance[system.name] = bars.task(f"summarise {system.name}", len(docs), len(docs) - len(rows))
            recomputed[f"summarise:{system.name}"] = len(rows)
            todo += rows
        # a document whose normalised text equals the original (no glossary edit) has the same key in X and
        # X+norm: it is summarised once, and a summary stored under the other run is copied, not recomputed
        siblings = [stores[s.name] for s in group]
        copies = [{**found, "system": row["system"]} for row in todo
                  if (found := _stored_elsewhere(siblings, row["id"], row["key"])) is not None]
        for name, system_rows in _by_system(copies).items():
            stores[name].append(system_rows)
            advance[name](len(system_rows))
        copied = {(row["system"], row["id"]) for row in copies}
        unique, waiting = _distinct([row for row in todo if (row["system"], row["id"]) not in copied])
        ticks = DocumentTicks(advance, waiting)  # bars move per document with an in-process executor
        task.on_document = ticks.tick
        for _batch, rows in executor.map_batches(task, batched(unique, config.batch_size)):
            fanned = [{**row, "system": name} for row in rows for name in waiting[(row["id"], row["key"])]]
            for name, system_rows in _by_system(fanned).items():
                stores[name].append(system_rows)
                ticks.settle(name, system_rows)
        if unique:  # the model was loaded: its record now has the fields that need the tokenizer
            described = executor.describe(task)
            for system in group:
                models[system.name].update(described["info"])
    predictions = {s.name: [row["text"] for row in stores[s.name].compact(doc_ids)] for s in runs}
    order = [s.name for s in runs]
    return predictions, {n: fingerprints[n] for n in order}, {n: models[n] for n in order}


def _stored_elsewhere(stores: Sequence[StageStore], doc_id: str, key: str) -> dict[str, Any] | None:
    """A row stored for ``doc_id`` with ``key`` in any of ``stores`` (runs whose rows are interchangeable)."""
    for store in stores:
        row = store.get(doc_id, key)
        if row is not None:
            return row
    return None


def _distinct(todo: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[tuple[str, str], list[str]]]:
    """The rows to compute, one per ``(id, key)``, and the systems waiting for each."""
    unique: list[dict[str, Any]] = []
    waiting: dict[tuple[str, str], list[str]] = {}
    for row in todo:
        names = waiting.setdefault((row["id"], row["key"]), [])
        if not names:
            unique.append(row)
        names.append(row["system"])
    return unique, waiting


def _by_system(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["system"], []).append(row)
    return out


def _score_stage(
    executor: Executor, run_dir: Path, config: RunConfig, runs: Sequence[SystemRun], docs: Sequence[RunDocument],
    predictions: dict[str, list[str]], glossary: Any, scoring: dict[str, Any], bars: StageProgress,
) -> tuple[dict[str, list[dict[str, Any]]], int]:
    """Per-document scoring units of every system, stored as they complete; only new or changed work is sent.

    A stored row is reused when its summary, references, source, settings and glossary are unchanged, also
    from another system with the same summary (X and X+norm of a document without glossary edits), and each
    distinct summary of a document is scored once; a metric added to the config computes only that metric's
    units. Returns each system's units in document order (for ``score(..., units=...)``) and how many
    system-document pairs had something to compute.
    """
    from toolkit.scoring import resolve_metrics
    from toolkit.scoring.registry import reads_sources

    metrics = resolve_metrics(config.metrics)
    stores = {s.name: StageStore(run_dir / "scored" / f"{s.name}.jsonl") for s in runs}
    settings = content_key(SCORE_VERSION, __version__, scoring,
                           glossary.fingerprint if glossary is not None else None)
    every_store = list(stores.values())
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # metrics still to compute -> documents
    copies: list[dict[str, Any]] = []
    for system in runs:
        for doc, prediction in zip(docs, predictions[system.name]):
            source = doc.source or doc.text
            key = content_key(settings, prediction, list(doc.references), source)
            stored = stores[system.name].get(doc.id, key)
            if stored is None:  # the same summary scored for another system (e.g. X and X+norm) is reused
                stored = _stored_elsewhere(every_store, doc.id, key)
                if stored is not None:
                    stored = {**stored, "system": system.name}
                    copies.append(stored)
            missing = tuple(m for m in metrics if stored is None or m not in stored.get("metrics", ()))
            if missing:
                groups.setdefault(missing, []).append({
                    "id": doc.id, "key": key, "system": system.name, "prediction": prediction,
                    "references": list(doc.references), "source": source})
    for name, system_rows in _by_system(copies).items():
        stores[name].append(system_rows)
    total = len(runs) * len(docs)
    todo = sum(len(items) for items in groups.values())
    advance = bars.task("score", total, total - todo)
    glossary_path = config.glossary.path if config.glossary is not None else None
    for missing, items in groups.items():
        unique, waiting = _distinct(items)  # one computation per distinct summary of a document
        if not any(reads_sources(m) for m in missing):
            unique = [{**item, "source": None} for item in unique]  # do not ship documents no metric reads
        task = ScoreTask(list(missing), scoring, glossary_path)
        for _batch, rows in executor.map_batches(task, batched(unique, SCORE_BATCH)):
            merged = []
            for row in (dict(row, system=name) for row in rows for name in waiting[(row["id"], row["key"])]):
                stored = stores[row["system"]].get(row["id"], row["key"])
                if stored is not None:  # keep the units of the metrics computed before
                    row = {**row, "metrics": list(dict.fromkeys([*stored["metrics"], *row["metrics"]])),
                           "units": {**stored["units"], **row["units"]}}
                merged.append(row)
            for name, system_rows in _by_system(merged).items():
                stores[name].append(system_rows)
            advance(len(merged))
    doc_ids = [d.id for d in docs]
    return {name: [row["units"] for row in store.compact(doc_ids)] for name, store in stores.items()}, todo


def run(
    config: RunConfig, *, fresh: bool = False, progress: bool = True, executor: Executor | None = None,
    config_path: str | None = None, on_stage: Callable[[str], None] | None = None,
) -> RunResult:
    """Run an evaluation: normalise, summarise, score, compare and report, resuming stored work.

    Args:
        config: the validated run config.
        fresh: delete the run folder first instead of resuming.
        progress: show progress bars on stderr.
        executor: overrides the config's executor (tests use this).
        config_path: recorded in the manifest.
        on_stage: called with each stage's name as it starts.

    Returns:
        The run folder, the results (as written to results.json) and the run signature.

    Example:
        >>> import json, tempfile
        >>> from toolkit import config_from_dict
        >>> folder = Path(tempfile.mkdtemp())
        >>> docs = [{"id": "d1", "text": "Rain fell. Roads flooded.", "references": ["Rain flooded roads."]},
        ...         {"id": "d2", "text": "Prices rose. Shops were busy.", "references": ["Prices rose."]}]
        >>> _ = (folder / "docs.jsonl").write_text("".join(json.dumps(d) + "\\n" for d in docs))
        >>> config = config_from_dict({"name": "demo", "data": {"path": str(folder / "docs.jsonl")},
        ...                            "systems": [{"name": "lead", "model": "lead-1"}], "metrics": ["rouge1"],
        ...                            "bootstrap": {"resamples": 100}, "output_dir": str(folder / "runs")})
        >>> result = run(config, progress=False)
        >>> result.results["documents"], result.results["systems"]["lead"]["metrics"]["rouge1"]["score"]
        (2, 70.0)
        >>> sorted(p.name for p in result.run_dir.iterdir())  # doctest: +NORMALIZE_WHITESPACE
        ['config.resolved.yaml', 'manifest.json', 'report.html', 'report.md', 'results.json', 'scored',
         'scores.jsonl', 'summaries']

        ROUGE-1 F1 by hand: d1 "Rain fell." vs "Rain flooded roads.": P=1/2, R=1/3, F=0.4; d2 exact: F=1; mean 70.0.
    """
    check_inputs_outside(config.run_dir, run_inputs(config))  # the run must not rewrite (or --fresh delete) them
    with locked_run_dir(config.run_dir, fresh=fresh) as run_dir:  # a second run on this folder fails at once
        return _run_locked(config, run_dir, progress=progress, executor=executor, config_path=config_path,
                           on_stage=on_stage)


def _run_locked(
    config: RunConfig, run_dir: Path, *, progress: bool, executor: Executor | None, config_path: str | None,
    on_stage: Callable[[str], None] | None,
) -> RunResult:
    from toolkit.scoring import score

    started = mf.now_iso()
    notify = on_stage or (lambda name: None)
    _prepare_run_dir(config, run_dir)
    docs = load_documents(config.data, limit=config.limit)
    unreferenced = [d.id for d in docs if not any(r.strip() for r in d.references)]
    if unreferenced:  # scoring needs a reference for every document: say so before summarising anything
        raise InputError(
            f"{config.data.path}: {len(unreferenced)} of {len(docs)} documents have no reference (e.g. id '{unreferenced[0]}', "
            f"field '{config.data.references_field}'); add reference summaries or set data.references_field"
        )
    doc_ids = [d.id for d in docs]
    executor = executor or make_executor(config.executor, config.ray)
    recomputed: dict[str, int] = {}
    write_text(run_dir / "config.resolved.yaml", dump_config(config))

    glossary = None
    normalised: dict[str, dict[str, Any]] = {}
    with StageProgress(progress) as bars:
        if config.glossary is not None:
            from toolkit.terminology import load_glossary

            notify("normalise")
            glossary = load_glossary(config.glossary.path)
            store = StageStore(run_dir / "normalised.jsonl")
            keys = {d.id: content_key(NORMALIZE_VERSION, d.text, glossary.fingerprint, config.glossary.fuzzy) for d in docs}
            todo = [{"id": d.id, "key": keys[d.id], "text": d.text} for d in docs if store.get(d.id, keys[d.id]) is None]
            advance = bars.task("normalise", len(docs), len(docs) - len(todo))
            recomputed["normalise"] = _run_stage(
                executor, NormalizeTask(config.glossary.path, config.glossary.fuzzy), store, todo, config.batch_size, advance
            )
            normalised = {row["id"]: row for row in store.compact(doc_ids)}

        runs = system_runs(config)
        predictions, fingerprints, models = _summarise_stage(
            executor, run_dir, config, runs, docs, normalised, bars, notify, recomputed)

    notify("score")
    references = [list(d.references) for d in docs]
    sources = [d.source or d.text for d in docs]
    settings = config.scoring_settings()
    with StageProgress(progress) as bars:
        units, recomputed["score"] = _score_stage(
            executor, run_dir, config, runs, docs, predictions, glossary, settings.metric_options(), bars)
    score_options = dict(metrics=list(config.metrics), sources=sources, glossary=glossary, settings=settings)
    systems_out: dict[str, SystemResults] = {}
    score_rows: list[dict[str, Any]] = []
    metric_signatures: dict[str, str] = {}
    for system in runs:
        report = score(predictions=predictions[system.name], references=references, ids=doc_ids,
                       units=units[system.name], **score_options)
        systems_out[system.name] = SystemResults(system.name, system.input, system.base, dict(report.corpus))
        metric_signatures.update(report.signatures)
        for doc_id, segment in zip(doc_ids, report.segment_rows()):
            key = content_key(fingerprints[system.name], doc_id)
            for metric, value in segment.items():
                if metric != "id":
                    score_rows.append({"id": doc_id, "system": system.name, "metric": metric, "score": value, "key": key})
    write_jsonl(run_dir / "scores.jsonl", score_rows)
    faithfulness = None  # unsupported spans per document, model-free: faithfulness/<system>.jsonl (faith_section)
    if wants_findings(config.metrics):
        faithfulness = write_faithfulness_findings(run_dir, runs, docs, predictions, glossary)

    notify("compare")
    comparisons = paired_comparisons(runs, predictions, references, dict(score_options, units=units), config, doc_ids)
    terminology = terminology_section(docs, normalised, glossary) if glossary is not None else None
    sections: dict[str, Any] = {}
    if faithfulness is not None:  # unsupported findings per system: {"findings": n, "documents": n with any}
        sections["faithfulness"] = faithfulness
    if config.qa is not None and config.qa.enabled:
        from toolkit.qa import qa_section

        notify("qa")
        sections["qa"], qa_rows = qa_section(
            {s.name: predictions[s.name] for s in runs}, ids=doc_ids, sources=sources, glossary=glossary,
            disable=config.qa.disable, thresholds=config.qa.thresholds, source_lang=config.qa.source_lang,
            target_lang=config.qa.target_lang)
        write_jsonl(run_dir / "qa.jsonl", qa_rows)
    data_sha = data_fingerprint(docs)
    signature = mf.run_signature(
        data_sha=data_sha, glossary_sha=glossary.fingerprint if glossary is not None else None,
        systems=fingerprints, metric_signatures=metric_signatures,
        resamples=settings.ci_resamples, seed=settings.seed,
    )
    typed = RunResults(
        name=config.name, run_signature=signature, documents=len(docs), systems=systems_out,
        comparisons=tuple(comparisons), terminology=terminology, metric_signatures=metric_signatures,
        settings=settings.to_dict(), sections=sections,
    )
    write_results(run_dir / "results.json", typed)
    results = typed.to_dict()
    write_json(run_dir / "manifest.json", {
        "name": config.name, "run_format": RUN_FORMAT_VERSION, "toolkit_version": __version__,
        "config_path": config_path, "packages": mf.package_versions(), "git_commit": mf.git_commit(),
        "machine": mf.machine_info(), "models": models,
        "glossary": ({"path": config.glossary.path, "sha256": mf.file_sha256(config.glossary.path),
                      "fingerprint": glossary.fingerprint, "entries": len(glossary)} if config.glossary and glossary is not None else None),
        "data": {"path": config.data.path, "sha256": data_sha, "documents": len(docs)},
        "seeds": {"bootstrap": settings.seed, "resamples": settings.ci_resamples,
                  "test_samples": settings.samples(), "method": settings.method, "p_value": settings.p_value},
        "metric_signatures": metric_signatures, "executor": getattr(executor, "name", config.executor),
        "recomputed": recomputed, "started": started, "finished": mf.now_iso(), "run_signature": signature,
    })
    notify("report")
    write_report(run_dir)
    return RunResult(run_dir=run_dir, results=results, signature=signature, recomputed=recomputed)
