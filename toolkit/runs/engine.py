"""The run engine: normalise -> summarise (per system) -> score -> compare -> report.

Each stage is planned, executed and collected by its own module (:mod:`.normalise_stage`,
:mod:`.summarise_stage`, :mod:`.score_stage`) through one helper (:func:`toolkit.runs.pipeline.execute`):
every document's stage result is appended to a JSONL store as it completes, keyed by a hash of its input
and of the settings that affect it, so a re-run after a crash or a config change recomputes only what
changed. Results are assembled by :mod:`.collect`, the manifest by :mod:`.manifest`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, RunDirError
from toolkit.io import write_json, write_text
from toolkit.runs import manifest as mf
from toolkit.runs.cache import cached_results, results_key
from toolkit.runs.collect import artefacts, collect_results
from toolkit.runs.config import RUN_FORMAT_VERSION, RunConfig, dump_config
from toolkit.runs.data import RunDocument, data_fingerprint, load_documents
from toolkit.runs.executor_registry import make_executor
from toolkit.runs.executors import Executor
from toolkit.runs.normalise_stage import run_normalise
from toolkit.runs.progress import StageProgress
from toolkit.runs.report import write_report
from toolkit.runs.results import write_results
from toolkit.runs.rundir import check_inputs_outside, locked_run_dir, run_inputs
from toolkit.runs.score_stage import run_scores
from toolkit.runs.streamed import can_stream, run_streamed
from toolkit.runs.summarise_stage import run_summaries
from toolkit.runs.systems import system_runs


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
        ['cache', 'config.resolved.yaml', 'manifest.json', 'report.html', 'report.md', 'results.json', 'scored',
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
    from toolkit.scoring import resolve_metrics

    started = mf.now_iso()
    notify = on_stage or (lambda name: None)
    _prepare_run_dir(config, run_dir)
    runs = system_runs(config)
    if can_stream(config, runs):  # shard by shard: the driver never holds the corpus (issue 19, streamed.py)
        made = executor is None
        executor = executor or make_executor(config.executor, config.ray)
        write_text(run_dir / "config.resolved.yaml", dump_config(config))
        with StageProgress(progress) as bars:
            streamed = run_streamed(config, run_dir, executor, bar=bars.task, notify=notify, runs=runs)
        if made and hasattr(executor, "close"):
            executor.close()  # a Ray executor's actors, kept for the whole run
        return _finish(config, run_dir, streamed.results, models=streamed.models, glossary=None,
                       data_sha=streamed.data_sha, executor=executor, recomputed=streamed.recomputed,
                       started=started, config_path=config_path, notify=notify)
    docs = load_documents(config.data, limit=config.limit)
    _require_references(config, docs)
    executor = executor or make_executor(config.executor, config.ray)
    write_text(run_dir / "config.resolved.yaml", dump_config(config))
    glossary = _load_glossary(config)  # once per run; tasks carry it (it pickles without its index)
    recomputed: dict[str, int] = {}
    normalised: dict[str, dict[str, Any]] = {}
    with StageProgress(progress) as bars:
        if glossary is not None and config.glossary is not None:
            notify("normalise")
            normalised, recomputed["normalise"] = run_normalise(
                executor, run_dir, docs, glossary, config.glossary.fuzzy, config.batch_size, bars.task)
        summaries = run_summaries(executor, run_dir, runs, docs, normalised, batch_size=config.batch_size,
                                  bar=bars.task, notify=notify)
    recomputed.update(summaries.recomputed)

    notify("score")
    settings = config.scoring_settings()
    with StageProgress(progress) as bars:
        units, recomputed["score"] = run_scores(
            executor, run_dir, runs, docs, summaries.predictions, metrics=resolve_metrics(config.metrics),
            options=settings.metric_options(), glossary=glossary, bar=bars.task)
    data_sha = data_fingerprint(docs)
    key = results_key(config, runs, summaries.fingerprints, glossary=glossary, data_sha=data_sha,
                      run_dir=run_dir)  # unchanged inputs (stores, settings, code): results read back (cache.py)
    typed, _ = cached_results(run_dir, key, lambda: collect_results(
        config, run_dir, runs, docs, summaries, units, glossary=glossary, normalised=normalised, data_sha=data_sha,
        notify=notify), artefacts=artefacts(config))
    return _finish(config, run_dir, typed, models=summaries.models, glossary=glossary, data_sha=data_sha,
                   executor=executor, recomputed=recomputed, started=started, config_path=config_path, notify=notify)


def _finish(
    config: RunConfig, run_dir: Path, typed: Any, *, models: dict[str, Any], glossary: Any, data_sha: str,
    executor: Executor, recomputed: dict[str, int], started: str, config_path: str | None,
    notify: Callable[[str], None],
) -> RunResult:
    """Write results.json, the manifest and the report of a run whose results are ``typed``."""
    write_results(run_dir / "results.json", typed)
    write_json(run_dir / "manifest.json", mf.run_manifest(
        config=config, config_path=config_path, results=typed, models=models, glossary=glossary,
        data_sha=data_sha, executor=getattr(executor, "name", config.executor), recomputed=recomputed,
        started=started, run_format=RUN_FORMAT_VERSION))
    notify("report")
    write_report(run_dir, cache=True)  # plots whose data did not change are read back
    return RunResult(run_dir=run_dir, results=typed.to_dict(), signature=typed.run_signature, recomputed=recomputed)


def _require_references(config: RunConfig, docs: Sequence[RunDocument]) -> None:
    """Scoring needs a reference for every document: say so before summarising anything."""
    unreferenced = [d.id for d in docs if not any(r.strip() for r in d.references)]
    if unreferenced:
        raise InputError(
            f"{config.data.path}: {len(unreferenced)} of {len(docs)} documents have no reference (e.g. id '{unreferenced[0]}', "
            f"field '{config.data.references_field}'); add reference summaries or set data.references_field"
        )


def _load_glossary(config: RunConfig) -> Any:
    if config.glossary is None:
        return None
    from toolkit.terminology import load_glossary

    return load_glossary(config.glossary.path)
