"""Scoring engine: ROUGE, BLEU/chrF/TER, term accuracy, diagnostics, embedding similarity, CIs and paired tests.

Public entry points: :func:`score` and :func:`compare` (see ``toolkit.scoring.api``); the metric registry is in
``toolkit.scoring.registry``. Importing this package loads numpy only (no torch, no pandas).
"""

from toolkit.scoring.api import compare, score, segment_units
from toolkit.scoring.records import Comparison, MetricResult, ScoreReport, SystemComparison
from toolkit.scoring.registry import available, get_metric, metric_info, resolve_metrics

__all__ = [
    "Comparison",
    "MetricResult",
    "ScoreReport",
    "SystemComparison",
    "available",
    "compare",
    "get_metric",
    "metric_info",
    "resolve_metrics",
    "score",
    "segment_units",
]
