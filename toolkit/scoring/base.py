"""Building blocks shared by every metric: metadata, scoring context and per-segment statistics.

The design follows sacreBLEU: a metric turns each segment into a row of *sufficient statistics*, and the
corpus score is a pure function of the column sums of those rows. Bootstrap confidence intervals and paired
significance tests then resample rows and re-aggregate, the same way for every metric. A metric whose corpus
score is a mean of segment values (ROUGE, diagnostics, embedding similarity) uses the rows
``[value, 1]`` (or ``[0, 0]`` for an undefined segment), so the mean is ``sum(value) / sum(count)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from toolkit.scoring.settings import ScoringSettings

__all__ = ["MetricInfo", "ScoringContext", "ScoringSettings", "SegmentStats", "MetricSpec", "shared_units",
           "mean_stats", "ratio_stats"]


@dataclass(frozen=True)
class MetricInfo:
    """Metadata declared once, beside the metric's implementation.

    Attributes:
        name: registry name.
        description: one line for ``toolkit score --help`` and the docs.
        higher_is_better: True/False, or None for descriptive diagnostics (length, density).
        range: lowest and highest possible value (``math.inf`` when unbounded).
        needs_model: loads a neural model (slow, optional).
        needs_source: needs the source documents/segments.
        needs_glossary: needs a glossary.
        rouge_modes: the ROUGE modes in which the metric exists (None: every mode).
    """

    name: str
    description: str
    higher_is_better: bool | None
    range: tuple[float, float]
    needs_model: bool = False
    needs_source: bool = False
    needs_glossary: bool = False
    rouge_modes: tuple[str, ...] | None = None

    @property
    def best(self) -> float | None:
        """The best possible value (None when the metric has no direction)."""
        if self.higher_is_better is None:
            return None
        return self.range[1] if self.higher_is_better else self.range[0]


@dataclass
class ScoringContext:
    """Inputs of one scoring call, validated; ``units`` and ``cache`` let metrics of one family share work.

    ``references[i]`` holds the references of segment ``i`` (one or more; counts may vary).
    ``units`` maps a unit key (see :func:`shared_units`) to one JSON value per segment: the per-segment work
    of a metric family, which may also be given precomputed (``score(..., units=...)``).
    """

    predictions: Sequence[str]
    references: Sequence[Sequence[str]]
    ids: Sequence[str]
    settings: ScoringSettings = field(default_factory=ScoringSettings)
    sources: Sequence[str] | None = None
    glossary: Any = None
    cache: dict[Any, Any] = field(default_factory=dict)
    units: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.predictions)


def shared_units(ctx: ScoringContext, key: str, compute: Callable[[], list[Any]]) -> list[Any]:
    """The per-segment units stored under ``key`` in ``ctx.units``, computing and storing them when absent.

    A unit is the per-segment work of a metric family (ROUGE-1 precision/recall/F, a sacreBLEU statistics
    row, term counts...): JSON-serialisable, and depending only on its own segment and on the settings
    that ``key`` names. So units can be computed on batches of segments anywhere (a Ray actor, an earlier
    run) and joined, and the corpus values computed from them are the ones a single call gives.

    Example:
        >>> ctx = ScoringContext(predictions=["a", "b"], references=[["a"], ["c"]], ids=["0", "1"])
        >>> shared_units(ctx, "demo|v1", lambda: [1, 2]), ctx.units
        ([1, 2], {'demo|v1': [1, 2]})
        >>> shared_units(ctx, "demo|v1", lambda: [9, 9])  # stored: not computed again
        [1, 2]
    """
    values = ctx.units.get(key)
    if values is None:
        values = compute()
        ctx.units[key] = values
    return values


Aggregate = Callable[[np.ndarray], float]
AggregateMany = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SegmentStats:
    """Per-segment sufficient statistics of one metric, and how to aggregate them.

    Attributes:
        stats: ``(n_segments, k)`` array of statistics.
        aggregate: column sums ``(k,)`` -> corpus value (pure function).
        corpus_score: the exact corpus value (what ``aggregate(stats.sum(0))`` gives; computed by the metric).
        segment_scores: ``(n_segments,)`` value of each segment alone (NaN where undefined).
        signature: settings and versions, without the bootstrap part.
        aggregate_many: optional vectorised ``aggregate`` over ``(B, k)`` sums.
        resample_dtype: dtype the rows are cast to before resampling (float32 for sacreBLEU parity).
        segment_extra: further per-segment columns, e.g. ``rouge1_p``.
        corpus_extra: further corpus fields, e.g. BLEU ``counts``.
    """

    stats: np.ndarray
    aggregate: Aggregate
    corpus_score: float
    segment_scores: np.ndarray
    signature: str
    aggregate_many: AggregateMany | None = None
    resample_dtype: Any = np.float64
    segment_extra: Mapping[str, np.ndarray] = field(default_factory=dict)
    corpus_extra: Mapping[str, Any] = field(default_factory=dict)

    def scores_of_sums(self, sums: np.ndarray) -> np.ndarray:
        """Corpus values for a batch of column sums ``(B, k)``."""
        if self.aggregate_many is not None:
            return np.asarray(self.aggregate_many(sums), dtype=np.float64)
        return np.array([self.aggregate(row) for row in sums], dtype=np.float64)


@dataclass(frozen=True)
class MetricSpec:
    """A registered metric: its metadata and the function that computes its per-segment statistics."""

    info: MetricInfo
    compute: Callable[[ScoringContext], SegmentStats]

    @property
    def name(self) -> str:
        return self.info.name


def _mean_of_sums(sums: np.ndarray) -> float:
    total, count = float(sums[0]), float(sums[1])
    return total / count if count else math.nan


def _mean_of_sums_many(sums: np.ndarray) -> np.ndarray:
    sums = np.asarray(sums, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sums[:, 1] > 0, sums[:, 0] / np.where(sums[:, 1] > 0, sums[:, 1], 1.0), np.nan)


def mean_stats(
    values: Sequence[float] | np.ndarray,
    signature: str,
    *,
    segment_extra: Mapping[str, np.ndarray] | None = None,
    corpus_extra: Mapping[str, Any] | None = None,
) -> SegmentStats:
    """Statistics for a metric whose corpus value is the mean of its defined (non-NaN) segment values.

    Example:
        >>> s = mean_stats([10.0, float("nan"), 30.0], "demo|v1")
        >>> s.corpus_score, s.stats.tolist()
        (20.0, [[10.0, 1.0], [0.0, 0.0], [30.0, 1.0]])
    """
    arr = np.asarray(values, dtype=np.float64)
    defined = ~np.isnan(arr)
    stats = np.stack([np.where(defined, arr, 0.0), defined.astype(np.float64)], axis=1)
    if stats.size == 0:
        stats = stats.reshape(0, 2)
    corpus = float(arr[defined].mean()) if defined.any() else math.nan
    return SegmentStats(
        stats=stats,
        aggregate=_mean_of_sums,
        corpus_score=corpus,
        segment_scores=arr,
        signature=signature,
        aggregate_many=_mean_of_sums_many,
        segment_extra=dict(segment_extra or {}),
        corpus_extra=dict(corpus_extra or {}),
    )


def ratio_stats(
    numerators: Sequence[float],
    denominators: Sequence[float],
    signature: str,
    *,
    scale: float = 100.0,
    corpus_extra: Mapping[str, Any] | None = None,
) -> SegmentStats:
    """Statistics for a micro-averaged ratio ``scale * sum(num) / sum(den)`` (segments with den 0 are NaN alone).

    Example:
        >>> s = ratio_stats([1, 0, 2], [2, 0, 2], "demo|v1")
        >>> s.corpus_score, s.segment_scores.tolist()
        (75.0, [50.0, nan, 100.0])
    """
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    stats = np.stack([num, den], axis=1) if num.size else np.zeros((0, 2))

    def aggregate(sums: np.ndarray) -> float:
        return scale * float(sums[0]) / float(sums[1]) if float(sums[1]) > 0 else math.nan

    def aggregate_many(sums: np.ndarray) -> np.ndarray:
        return scale * _mean_of_sums_many(sums)

    with np.errstate(invalid="ignore", divide="ignore"):
        seg = np.where(den > 0, scale * num / np.where(den > 0, den, 1.0), np.nan)
    return SegmentStats(
        stats=stats,
        aggregate=aggregate,
        corpus_score=aggregate(stats.sum(0)) if stats.size else math.nan,
        segment_scores=seg,
        signature=signature,
        aggregate_many=aggregate_many,
        corpus_extra=dict(corpus_extra or {}),
    )
