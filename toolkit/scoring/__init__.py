"""Scoring engine: ROUGE, BLEU/chrF/TER, term accuracy, diagnostics, embedding similarity, CIs and paired tests.

Public entry points: :func:`score` and :func:`compare` (see ``toolkit.scoring.api``), :func:`find_unsupported`
(faithfulness findings, ``toolkit.scoring.faith_findings``); the metric registry is in
``toolkit.scoring.registry``. Importing this package loads numpy only (no torch, no pandas).
"""

from toolkit.scoring.api import compare, score, segment_units
from toolkit.scoring.faith_findings import Finding, find_unsupported
from toolkit.scoring.records import Comparison, MetricResult, ScoreReport, SystemComparison
from toolkit.scoring.registry import available, get_metric, metric_info, resolve_metrics

__all__ = [
    "Comparison",
    "Finding",
    "MetricResult",
    "ScoreReport",
    "SystemComparison",
    "available",
    "compare",
    "find_unsupported",
    "get_metric",
    "metric_info",
    "resolve_metrics",
    "score",
    "segment_units",
]
