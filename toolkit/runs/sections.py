"""Sections of ``results.json`` computed from a run's outputs: paired comparisons and terminology."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toolkit.runs.config import RunConfig
from toolkit.runs.data import RunDocument
from toolkit.runs.results import ComparisonResult, TerminologySection, comparison_results
from toolkit.runs.systems import SystemRun



def terminology_section(docs: Sequence[RunDocument], normalised: dict[str, dict[str, Any]], glossary: Any) -> TerminologySection:
    """Glossary size, edits and suspects of the normalise stage, and term accuracy before and after it."""
    from toolkit.terminology import term_accuracy

    sources = [d.source or d.text for d in docs]
    before = term_accuracy(predictions=[d.text for d in docs], sources=sources, glossary=glossary)
    after = term_accuracy(predictions=[normalised[d.id]["text"] for d in docs], sources=sources, glossary=glossary)
    return TerminologySection(
        entries=len(glossary),
        edits=sum(len(normalised[d.id]["edits"]) for d in docs),
        suspects=sum(len(normalised[d.id]["suspects"]) for d in docs),
        term_accuracy={"original": before.to_dict(), "normalised": after.to_dict()},
    )


def paired_comparisons(
    runs: Sequence[SystemRun], predictions: dict[str, list[str]], references: list[list[str]],
    score_options: dict[str, Any], config: RunConfig, ids: Sequence[str],
) -> list[ComparisonResult]:
    """Paired tests: every system against the first (Holm-corrected), and each X against X+norm.

    Only metrics with a direction are tested (a diagnostic such as length has no "better").
    """
    from toolkit.scoring import compare, metric_info, resolve_metrics

    metrics = [m for m in resolve_metrics(config.metrics) if metric_info(m).higher_is_better is not None]
    if len(runs) < 2 or not metrics:
        return []
    options = {k: v for k, v in score_options.items() if k != "metrics"}
    options.update(metrics=metrics, ids=ids)
    units = options.pop("units")
    rows = comparison_results(compare(systems={s.name: predictions[s.name] for s in runs}, references=references,
                                      units=units, **options), "against-first")
    for original, normalised in zip(runs, runs[1:]):
        if original.input == "original" and normalised.input == "normalised" and original.base == normalised.base and len(runs) > 2:
            pair = {s.name: predictions[s.name] for s in (original, normalised)}
            rows += comparison_results(compare(systems=pair, references=references, units=units, **options),
                                       "normalisation")
    return rows
