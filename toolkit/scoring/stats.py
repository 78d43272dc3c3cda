"""Seeded bootstrap confidence intervals and paired significance tests over per-segment statistics.

Everything works on ``SegmentStats``: resampling picks segment rows, and the corpus value of a resample is the
metric's own aggregation of the summed rows. For BLEU, chrF and TER this is exactly what sacreBLEU does in
``sacrebleu/significance.py`` (indices from ``numpy.random.default_rng(seed).choice(n, (B, n))``, rows as
float32, p-values with the add-one rule of Clark et al.'s MultEval), so ``paired_bootstrap`` reproduces
``sacrebleu --paired-bs`` and ``approximate_randomization`` reproduces ``--paired-ar`` with the same seed.
The same code tests ROUGE, term accuracy or any other registered metric.

References: Koehn (2004), "Statistical significance tests for machine translation evaluation"; Riezler and
Maxwell (2005) for approximate randomisation; Holm (1979) for the step-down correction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from toolkit.errors import InputLengthError
from toolkit.scoring.base import SegmentStats

DEFAULT_SEED = 12345
_CHUNK = 64  # resamples summed at once on the vectorised path (bounds memory to CHUNK * n * k)


def bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    """Resample indices ``(resamples, n)``, drawn as sacreBLEU draws them.

    Example:
        >>> bootstrap_indices(3, 2, 12345).tolist()
        [[2, 0, 2], [0, 0, 2]]
    """
    return np.random.default_rng(seed).choice(n, size=(resamples, n), replace=True)


def resampled_scores(seg: SegmentStats, indices: np.ndarray) -> np.ndarray:
    """Corpus value of each resample (one row of ``indices`` per resample)."""
    rows = np.asarray(seg.stats, dtype=seg.resample_dtype)
    if seg.aggregate_many is None:
        # Same operation order as sacrebleu.significance: one float32 sum per resample.
        return np.array([seg.aggregate(rows[idx].sum(0)) for idx in indices], dtype=np.float64)
    out = []
    for start in range(0, len(indices), _CHUNK):
        out.append(seg.scores_of_sums(rows[indices[start : start + _CHUNK]].sum(axis=1)))
    return np.concatenate(out) if out else np.zeros(0)


def percentile_interval(scores: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Order-statistic interval: with 1,000 scores at 95%, the 26th lowest and the 26th highest (as sacreBLEU).

    NaN scores (a resample where the metric is undefined) are left out.

    Example:
        >>> percentile_interval(np.arange(1000.0))
        (25.0, 974.0)
    """
    finite = np.sort(np.asarray(scores, dtype=np.float64)[np.isfinite(scores)])
    if finite.size == 0:
        return (math.nan, math.nan)
    k = int(finite.size * (1.0 - level) / 2.0)
    return (float(finite[k]), float(finite[finite.size - k - 1]))


def bootstrap_ci(
    seg: SegmentStats, *, resamples: int = 1000, seed: int = DEFAULT_SEED, level: float = 0.95
) -> tuple[float, float] | None:
    """Seeded bootstrap confidence interval of a metric's corpus value (None for fewer than 2 segments).

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> bootstrap_ci(mean_stats([0.0, 100.0] * 50, "demo"), resamples=200, seed=1)
        (40.0, 59.0)
    """
    n = len(seg.stats)
    if n < 2 or resamples < 1:
        return None
    return percentile_interval(resampled_scores(seg, bootstrap_indices(n, resamples, seed)), level)


@dataclass(frozen=True)
class PairedResult:
    """Outcome of one paired test of ``system`` against ``baseline``.

    Attributes:
        p_value: probability of a difference at least this large by chance (add-one estimate).
        delta: ``system - baseline`` corpus values.
        system_ci: bootstrap interval of the system (paired bootstrap only).
        baseline_ci: bootstrap interval of the baseline (paired bootstrap only).
    """

    p_value: float
    delta: float
    system_ci: tuple[float, float] | None = None
    baseline_ci: tuple[float, float] | None = None


def _check_pair(baseline: SegmentStats, system: SegmentStats) -> int:
    n_b, n_s = len(baseline.stats), len(system.stats)
    if n_b != n_s:
        raise InputLengthError(f"paired test: baseline has {n_b} segments but the system has {n_s}; score the same segments")
    return n_b


def _add_one_p(null_stats: np.ndarray, observed: float) -> float:
    """MultEval's add-one p-value: ``(#{null > observed} + 1) / (N + 1)``; NaN when the observed value is NaN."""
    if not math.isfinite(observed):
        return math.nan
    count = int(np.sum(null_stats > observed))
    return (count + 1) / (len(null_stats) + 1)


def paired_bootstrap(
    baseline: SegmentStats,
    system: SegmentStats,
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> PairedResult:
    """Paired bootstrap resampling test (Koehn 2004), as ``sacrebleu --paired-bs``.

    Both systems are scored on the same resamples; the p-value counts resamples where the centred absolute
    difference exceeds the observed absolute difference.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> a, b = mean_stats([40.0, 60.0] * 10, "a"), mean_stats([60.0, 40.0] * 10, "b")
        >>> paired_bootstrap(a, b, resamples=100).p_value
        0.5247524752475248
    """
    n = _check_pair(baseline, system)
    indices = bootstrap_indices(n, resamples, seed)
    scores_bl = resampled_scores(baseline, indices)
    scores_sys = resampled_scores(system, indices)
    observed = abs(baseline.corpus_score - system.corpus_score)
    sample_diffs = np.abs(scores_sys - scores_bl)
    # resamples where the metric is undefined (e.g. no glossary term drawn) are left out; never for sacreBLEU metrics
    sample_diffs = sample_diffs[np.isfinite(sample_diffs)]
    centred = sample_diffs - sample_diffs.mean() if sample_diffs.size else sample_diffs
    return PairedResult(
        p_value=_add_one_p(centred, observed),
        delta=system.corpus_score - baseline.corpus_score,
        system_ci=percentile_interval(scores_sys, level),
        baseline_ci=percentile_interval(scores_bl, level),
    )


def approximate_randomization(
    baseline: SegmentStats,
    system: SegmentStats,
    *,
    trials: int = 10000,
    seed: int = DEFAULT_SEED,
) -> PairedResult:
    """Paired approximate randomisation test (Riezler and Maxwell 2005), as ``sacrebleu --paired-ar``.

    Each trial swaps the two systems' rows of a random half of the segments; the p-value counts trials whose
    absolute score difference exceeds the observed one.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> a, b = mean_stats([0.0] * 30, "a"), mean_stats([100.0] * 30, "b")
        >>> approximate_randomization(a, b, trials=99).p_value
        0.01
    """
    n = _check_pair(baseline, system)
    rng = np.random.default_rng(seed)
    pos = rng.integers(2, size=(trials, n), dtype=bool)
    neg = ~pos
    bl, sy = np.asarray(baseline.stats), np.asarray(system.stats)
    shuf_a = pos @ bl + neg @ sy
    shuf_b = neg @ bl + pos @ sy
    if baseline.aggregate_many is None:
        scores_a = np.array([baseline.aggregate(row) for row in shuf_a])
        scores_b = np.array([baseline.aggregate(row) for row in shuf_b])
    else:
        scores_a, scores_b = baseline.scores_of_sums(shuf_a), baseline.scores_of_sums(shuf_b)
    observed = abs(baseline.corpus_score - system.corpus_score)
    null = np.abs(scores_a - scores_b)
    return PairedResult(
        p_value=_add_one_p(null[np.isfinite(null)], observed),
        delta=system.corpus_score - baseline.corpus_score,
    )


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm (1979) step-down adjusted p-values, in the input order (None and NaN entries are skipped).

    Example:
        >>> holm([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    present = [(p, i) for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    m = len(present)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out
