"""Seeded bootstrap confidence intervals and paired significance tests over per-segment statistics.

Everything works on ``SegmentStats``: resampling picks segment rows, and the corpus value of a resample is the
metric's own aggregation of the summed rows. For BLEU, chrF and TER this is exactly what sacreBLEU does in
``sacrebleu/significance.py`` (indices from ``numpy.random.default_rng(seed).choice(n, (B, n))``, rows as
float32, p-values with the add-one rule of Clark et al.'s MultEval). The same code tests ROUGE, term accuracy
or any other registered metric.

Two p-value rules (the ``p_value`` scoring setting):

- ``standard`` (default): the share of null statistics *at least* as extreme as the observed one, with the
  add-one rule: ``(#{null >= observed} + 1) / (N + 1)``. Identical systems (every statistic 0, observed 0)
  get p = 1, as they must.
- ``sacrebleu``: sacreBLEU 2.x's own rule, reproduced to the digit (``sacrebleu --paired-bs`` /
  ``--paired-ar`` with the same seed): ``(#{null > observed} + 1) / (N + 1)``. It counts only *strictly*
  larger values, so identical systems get p = 1/(N+1), which reads as "significant".

Scale: nothing here holds a ``(resamples, n)`` matrix. Indices are drawn in blocks from one Generator (the
same indices as one call), and each block's draw counts are shared by every metric and system. Integer
columns whose sums stay exact (``n * max|v|`` up to 2**24 in float32, 2**53 in float64) are summed as
``counts @ rows``: every order gives the same number, so values are identical to a gather-and-sum. Other
columns are summed in draw order, as sacreBLEU does. Only past 2**24 (float32 integer sums of ~100k+
segments) do the two differ: ``float32_parity`` (on under ``p_value="sacrebleu"``) keeps sacreBLEU's float32
running sums there; otherwise the sums are exact and rounded once to float32. Measured in
eval/bench/bench_stats.py.

Both rules use the same statistics (sacreBLEU's): for the paired bootstrap the absolute difference of each
resample centred on the mean absolute difference, ``|d*| - mean(|d*|)``; for approximate randomisation the
absolute difference after swapping. They differ only where a null statistic ties with the observed value.

References: Koehn (2004), "Statistical significance tests for machine translation evaluation"; Riezler and
Maxwell (2005) for approximate randomisation; Holm (1979) for the step-down correction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from toolkit.errors import ConfigError, InputLengthError
from toolkit.scoring.base import SegmentStats
from toolkit.scoring.resampling import (  # noqa: F401 - the engine's names are imported from here too
    _AR_ROWS,
    DEFAULT_SEED,
    _chunk_rows,
    _resample_counts,
    _Resampler,
    _scores_for_blocks,
    iter_bootstrap_indices,
    resampled_scores_many,
)
from toolkit.scoring.settings import P_VALUE_RULES

#: Relative tolerance under which a resampled difference counts as a tie with the observed one (``standard``
#: rule): the same difference summed in another order can differ in the last bits.
TIE_TOLERANCE = 1e-9


def resample_order(ids: Sequence[str]) -> np.ndarray:
    """The order in which segments are resampled: by id (numerically when every id is an integer).

    Resampling in id order makes intervals and tests independent of the order of the input files: the same
    set of (id, prediction, references) gives the same numbers. Input in id order (``1, 2, ...`` for plain
    files) keeps its order, so sacreBLEU parity is unaffected.

    Example:
        >>> resample_order(["10", "9", "1"]).tolist(), resample_order(["b", "a", "c"]).tolist()
        ([2, 1, 0], [1, 0, 2])
    """
    keys = [str(i) for i in ids]
    try:
        numbers = [int(k) for k in keys]
    except ValueError:
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    return np.array(sorted(range(len(keys)), key=numbers.__getitem__), dtype=np.int64)


def bootstrap_indices(n: int, resamples: int, seed: int) -> np.ndarray:
    """Resample indices ``(resamples, n)``, drawn as sacreBLEU draws them.

    Example:
        >>> bootstrap_indices(3, 2, 12345).tolist()
        [[2, 0, 2], [0, 0, 2]]
    """
    return np.random.default_rng(seed).choice(n, size=(resamples, n), replace=True)


def resampled_scores(seg: SegmentStats, indices: np.ndarray) -> np.ndarray:
    """Corpus value of each resample (one row of ``indices`` per resample), summed as sacreBLEU sums.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> resampled_scores(mean_stats([0.0, 100.0, 50.0], "a"), bootstrap_indices(3, 2, 12345)).tolist()
        [33.333333333333336, 16.666666666666668]
    """
    indices = np.asarray(indices)
    n = len(seg.stats)
    step = _chunk_rows(n, len(indices))
    blocks = (indices[start : start + step] for start in range(0, len(indices), step))
    return _scores_for_blocks([_Resampler(seg, float32_parity=True)], blocks, n)[0]


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
    seg: SegmentStats,
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
    float32_parity: bool = False,
) -> tuple[float, float] | None:
    """Seeded bootstrap confidence interval of a metric's corpus value (None for fewer than 2 segments).

    Indices are drawn in blocks (never the whole ``(resamples, n)`` matrix); ``float32_parity`` keeps
    sacreBLEU's float32 running sums past 2**24 (see :func:`resampled_scores_many`).

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> bootstrap_ci(mean_stats([0.0, 100.0] * 50, "demo"), resamples=200, seed=1)
        (40.0, 59.0)
    """
    return bootstrap_cis([seg], resamples=resamples, seed=seed, level=level, float32_parity=float32_parity)[0]


def bootstrap_cis(
    segs: Sequence[SegmentStats],
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
    float32_parity: bool = False,
) -> list[tuple[float, float] | None]:
    """:func:`bootstrap_ci` of several metrics at once, equal to one call each: metrics with the same number
    of segments share one draw of the indices.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> bootstrap_cis([mean_stats([0.0, 100.0] * 50, "a"), mean_stats([1.0, 3.0] * 50, "b")], resamples=200, seed=1)
        [(40.0, 59.0), (1.8, 2.18)]
    """
    out: list[tuple[float, float] | None] = [None] * len(segs)
    by_length: dict[int, list[int]] = {}
    for i, seg in enumerate(segs):
        by_length.setdefault(len(seg.stats), []).append(i)
    for n, members in by_length.items():  # metrics of the same segments share the draws
        if n < 2 or resamples < 1:
            continue
        scores = resampled_scores_many([segs[i] for i in members], resamples=resamples, seed=seed,
                                       float32_parity=float32_parity)
        for i, values in zip(members, scores):
            out[i] = percentile_interval(values, level)
    return out


@dataclass(frozen=True)
class PairedResult:
    """Outcome of one paired test of ``system`` against ``baseline``.

    Attributes:
        p_value: probability of a difference at least this large by chance (add-one estimate; see the module
            docstring for the two rules).
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


def _check_rule(p_value: str) -> None:
    if p_value not in P_VALUE_RULES:
        raise ConfigError([f"p_value: {p_value!r} is not one of {', '.join(P_VALUE_RULES)}"])


def _add_one_p(null_stats: np.ndarray, observed: float, rule: str = "standard") -> float:
    """Add-one p-value ``(#{null extreme} + 1) / (N + 1)``; NaN when the observed value is NaN.

    ``standard`` counts ``null >= observed`` (ties within :data:`TIE_TOLERANCE`); ``sacrebleu`` counts
    ``null > observed``, as sacreBLEU does.

    Example:
        >>> zeros = np.zeros(99)
        >>> _add_one_p(zeros, 0.0), _add_one_p(zeros, 0.0, "sacrebleu")
        (1.0, 0.01)
    """
    if not math.isfinite(observed):
        return math.nan
    if rule == "sacrebleu":
        count = int(np.sum(null_stats > observed))
    else:
        count = int(np.sum(null_stats >= observed - TIE_TOLERANCE * max(1.0, abs(observed))))
    return (count + 1) / (len(null_stats) + 1)


def paired_bootstrap(
    baseline: SegmentStats,
    system: SegmentStats,
    *,
    resamples: int = 1000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
    p_value: str = "standard",
    float32_parity: bool | None = None,
) -> PairedResult:
    """Paired bootstrap resampling test (Koehn 2004); ``p_value="sacrebleu"`` is ``sacrebleu --paired-bs``.

    Both systems are scored on the same resamples, and the null distribution is sacreBLEU's: the absolute
    difference of each resample, centred on its mean. ``standard`` counts resamples where it is at least the
    observed absolute difference (a tie counts); ``sacrebleu`` only those where it is strictly larger.
    Indices are drawn in blocks, shared by both systems; ``float32_parity`` (default: on under the
    ``sacrebleu`` rule) keeps sacreBLEU's float32 running sums past 2**24 (see :func:`resampled_scores_many`).

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> a, b = mean_stats([40.0, 60.0] * 10, "a"), mean_stats([60.0, 40.0] * 10, "b")
        >>> paired_bootstrap(a, b, resamples=100, p_value="sacrebleu").p_value
        0.5247524752475248
        >>> paired_bootstrap(a, a, resamples=100).p_value, paired_bootstrap(a, a, resamples=100, p_value="sacrebleu").p_value
        (1.0, 0.009900990099009901)
    """
    _check_rule(p_value)
    _check_pair(baseline, system)
    parity = p_value == "sacrebleu" if float32_parity is None else float32_parity
    scores_bl, scores_sys = resampled_scores_many([baseline, system], resamples=resamples, seed=seed,
                                                  float32_parity=parity)
    observed = abs(baseline.corpus_score - system.corpus_score)
    sample_diffs = np.abs(scores_sys - scores_bl)
    # resamples where the metric is undefined (e.g. no glossary term drawn) are left out; never for sacreBLEU metrics
    sample_diffs = sample_diffs[np.isfinite(sample_diffs)]
    null = sample_diffs - sample_diffs.mean() if sample_diffs.size else sample_diffs
    return PairedResult(
        p_value=_add_one_p(null, observed, p_value),
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
    p_value: str = "standard",
) -> PairedResult:
    """Paired approximate randomisation test (Riezler and Maxwell 2005); ``p_value="sacrebleu"`` is
    ``sacrebleu --paired-ar``.

    Each trial swaps the two systems' rows of a random half of the segments; the p-value counts trials whose
    absolute score difference is at least the observed one (``sacrebleu``: strictly exceeds it). Trials are
    drawn in blocks of a multiple of 32 rows, so memory stays bounded and the draws are those of one call.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> a, b = mean_stats([0.0] * 30, "a"), mean_stats([100.0] * 30, "b")
        >>> approximate_randomization(a, b, trials=99).p_value, approximate_randomization(a, a, trials=99).p_value
        (0.01, 1.0)
    """
    _check_rule(p_value)
    n = _check_pair(baseline, system)
    bl, sy = np.asarray(baseline.stats), np.asarray(system.stats)
    rng = np.random.default_rng(seed)
    step = _chunk_rows(n, trials, multiple=_AR_ROWS)
    parts_a, parts_b = [], []
    for start in range(0, trials, step):
        # blocks of a multiple of 32 rows draw exactly the booleans of one (trials, n) draw (tested)
        pos = rng.integers(2, size=(min(step, trials - start), n), dtype=bool)
        neg = ~pos
        shuf_a = pos @ bl + neg @ sy
        shuf_b = neg @ bl + pos @ sy
        if baseline.aggregate_many is None:
            parts_a.append(np.array([baseline.aggregate(row) for row in shuf_a]))
            parts_b.append(np.array([baseline.aggregate(row) for row in shuf_b]))
        else:
            parts_a.append(baseline.scores_of_sums(shuf_a))
            parts_b.append(baseline.scores_of_sums(shuf_b))
    scores_a = np.concatenate(parts_a) if parts_a else np.zeros(0)
    scores_b = np.concatenate(parts_b) if parts_b else np.zeros(0)
    observed = abs(baseline.corpus_score - system.corpus_score)
    null = np.abs(scores_a - scores_b)
    return PairedResult(
        p_value=_add_one_p(null[np.isfinite(null)], observed, p_value),
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
