"""Assemble a run's results from its stages: corpus scores, paired comparisons and the optional sections,
as the typed :class:`toolkit.runs.results.RunResults` that ``results.json`` is written from.

Per-document artefacts are written on the way: ``scores.jsonl`` (every segment score), ``faithfulness/``
(unsupported spans, when a faithfulness metric is asked for) and ``qa.jsonl`` (QA findings, when the
``qa`` stage is on). An artefact of a stage the config no longer asks for is removed, so a resumed run
never shows findings of an earlier config.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolkit.io import write_jsonl
from toolkit.runs import manifest as mf
from toolkit.runs.config import RunConfig
from toolkit.runs.data import RunDocument
from toolkit.runs.faith_section import FOLDER as FAITH_FOLDER
from toolkit.runs.faith_section import wants_findings, write_faithfulness_findings
from toolkit.runs.results import RunResults, SystemResults
from toolkit.runs.sections import paired_comparisons, terminology_section
from toolkit.runs.store import content_key
from toolkit.runs.summarise_stage import Summaries
from toolkit.runs.systems import SystemRun

QA_FILE = "qa.jsonl"
SCORES_FILE = "scores.jsonl"


def artefacts(config: RunConfig) -> dict[str, bool]:
    """The per-document files of a run folder, and whether ``config`` asks for each (the others are removed).

    Example:
        >>> from toolkit import config_from_dict
        >>> config = config_from_dict({"name": "demo", "data": {"path": "docs.jsonl"}, "metrics": ["rouge1", "faithfulness"],
        ...                            "systems": [{"name": "lead", "model": "lead-1"}]})
        >>> artefacts(config)
        {'scores.jsonl': True, 'faithfulness': True, 'qa.jsonl': False}
    """
    return {SCORES_FILE: True, FAITH_FOLDER: wants_findings(config.metrics),
            QA_FILE: config.qa is not None and config.qa.enabled}


def collect_results(
    config: RunConfig, run_dir: Path, runs: Sequence[SystemRun], docs: Sequence[RunDocument], summaries: Summaries,
    units: dict[str, list[dict[str, Any]]], *, glossary: Any, normalised: dict[str, dict[str, Any]], data_sha: str,
    notify: Callable[[str], None],
) -> RunResults:
    """Score every system from its stored units, compare the systems, and build the results sections."""
    from toolkit.scoring import score

    settings = config.scoring_settings()
    predictions = summaries.predictions
    doc_ids = [d.id for d in docs]
    references = [list(d.references) for d in docs]
    sources = [d.source or d.text for d in docs]
    options = dict(metrics=list(config.metrics), sources=sources, glossary=glossary, settings=settings)
    systems: dict[str, SystemResults] = {}
    score_rows: list[dict[str, Any]] = []
    metric_signatures: dict[str, str] = {}
    for system in runs:
        report = score(predictions=predictions[system.name], references=references, ids=doc_ids,
                       units=units[system.name], **options)
        systems[system.name] = SystemResults(system.name, system.input, system.base, dict(report.corpus))
        metric_signatures.update(report.signatures)
        for doc_id, segment in zip(doc_ids, report.segment_rows()):
            key = content_key(summaries.fingerprints[system.name], doc_id)
            score_rows += [{"id": doc_id, "system": system.name, "metric": metric, "score": value, "key": key}
                           for metric, value in segment.items() if metric != "id"]
    write_jsonl(run_dir / SCORES_FILE, score_rows)
    wanted = artefacts(config)
    sections: dict[str, Any] = {}
    if wanted[FAITH_FOLDER]:  # unsupported findings per system: {"findings": n, "documents": n with any}
        sections["faithfulness"] = write_faithfulness_findings(run_dir, runs, docs, predictions, glossary)
    else:
        shutil.rmtree(run_dir / FAITH_FOLDER, ignore_errors=True)

    notify("compare")
    comparisons = paired_comparisons(runs, predictions, references, dict(options, units=units), config, doc_ids)
    terminology = terminology_section(docs, normalised, glossary) if glossary is not None else None
    if wanted[QA_FILE] and config.qa is not None:
        from toolkit.qa import qa_section

        notify("qa")
        sections["qa"], qa_rows = qa_section(
            {s.name: predictions[s.name] for s in runs}, ids=doc_ids, sources=sources, glossary=glossary,
            disable=config.qa.disable, thresholds=config.qa.thresholds, source_lang=config.qa.source_lang,
            target_lang=config.qa.target_lang)
        write_jsonl(run_dir / QA_FILE, qa_rows)
    else:
        (run_dir / QA_FILE).unlink(missing_ok=True)
    signature = mf.run_signature(
        data_sha=data_sha, glossary_sha=glossary.fingerprint if glossary is not None else None,
        systems=summaries.fingerprints, metric_signatures=metric_signatures,
        resamples=settings.ci_resamples, seed=settings.seed,
    )
    return RunResults(
        name=config.name, run_signature=signature, documents=len(docs), systems=systems,
        comparisons=tuple(comparisons), terminology=terminology, metric_signatures=metric_signatures,
        settings=settings.to_dict(), sections=sections,
    )
