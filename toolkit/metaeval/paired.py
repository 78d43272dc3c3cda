"""Paired tests: does metric X correlate better with the humans than metric Y? (Deutsch et al. 2021).

Deutsch, Dror & Roth (2021), "A Statistical Analysis of Summarization Evaluation Metrics using Resampling
Methods" (TACL): PERM-BOTH / PERM-SYSTEMS / PERM-INPUTS permutation tests, which swap the two metrics'
scores cell by cell, by system or by input after standardising each metric, and paired bootstrap tests
(BOOT-INPUTS / -SYSTEMS / -BOTH). Matrices are ``(n_systems, n_documents)`` with NaN for missing cells, as
in ``toolkit.metaeval.correlate``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from toolkit.jsonrecord import JsonRecord
from toolkit.metaeval.correlate import _finite, _pair, _resample_indices, _take, check_name, level_values

PAIRED_TESTS = ("perm-both", "perm-inputs", "perm-systems", "boot-inputs", "boot-systems", "boot-both")
ALTERNATIVES = ("greater", "two-sided", "less")


@dataclass(frozen=True)
class PairedTest(JsonRecord):
    """Whether metric A correlates better with the humans than metric B.

    Attributes:
        value_a: correlation of A on the full data.
        value_b: correlation of B.
        delta: ``value_a - value_b``.
        p_value: fraction of resamples at least as extreme as ``delta`` under the null.
        method: a name from ``PAIRED_TESTS``.
        alternative: ``"greater"`` (A better than B), ``"two-sided"`` or ``"less"``.
        resamples: permutations or bootstrap samples drawn.
    """

    value_a: float | None
    value_b: float | None
    delta: float | None
    p_value: float | None
    method: str
    alternative: str
    resamples: int


def _standardize(x: np.ndarray) -> np.ndarray:
    std = np.nanstd(x)
    return (x - np.nanmean(x)) / (std if std > 0 else 1.0)


def _count_extreme(samples: np.ndarray, observed: float, alternative: str) -> float:
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return float("nan")
    if alternative == "greater":
        hits = samples >= observed
    elif alternative == "less":
        hits = samples <= observed
    else:
        hits = np.abs(samples) >= abs(observed)
    return float(hits.sum() / samples.size)


def paired_test(
    level: str,
    correlation: str,
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    *,
    method: str = "perm-both",
    alternative: str = "greater",
    resamples: int = 1000,
    seed: int = 0,
) -> PairedTest:
    """Test ``r(x, z) > r(y, z)`` for two metrics ``x``, ``y`` scored on the same cells (Deutsch et al. 2021).

    ``perm-*``: standardise ``x`` and ``y`` (global mean and std), then swap their values in each cell
    (``perm-both``), in whole systems (``perm-systems``) or whole documents (``perm-inputs``) with
    probability 1/2; the p-value is the fraction of permuted deltas at least as extreme as the observed
    one (count / resamples, as in the paper's code). ``boot-*``: resample documents/systems, and take
    the fraction of centred bootstrap deltas ``d_b - mean(d)`` at least as extreme as the observed delta.

    Args:
        level: ``"system"``, ``"summary"`` or ``"global"``.
        correlation: ``"kendall"``, ``"spearman"`` or ``"pearson"``.
        x: scores of metric A ``(n_systems, n_documents)``.
        y: scores of metric B, same shape.
        z: human scores, same shape.
        method: a name from ``PAIRED_TESTS``.
        alternative: ``"greater"`` (H1: A correlates better), ``"two-sided"`` or ``"less"``.
        resamples: permutations or bootstrap samples.
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        A ``PairedTest``.

    Example:
        >>> import numpy as np
        >>> z = np.arange(12.0).reshape(4, 3)
        >>> paired_test("global", "pearson", z, z[::-1], z, resamples=200, seed=1).p_value
        0.0
    """
    check_name("paired test", method, PAIRED_TESTS)
    check_name("alternative", alternative, ALTERNATIVES)
    x, z = _pair(x, z)
    y, _ = _pair(y, z)
    missing = np.isnan(x) | np.isnan(y) | np.isnan(z)
    x, y, z = (np.where(missing, np.nan, m) for m in (x, y, z))
    value_a = _finite(level_values(level, correlation, x[None], z[None])[0])
    value_b = _finite(level_values(level, correlation, y[None], z[None])[0])
    if value_a is None or value_b is None:
        return PairedTest(value_a, value_b, None, None, method, alternative, resamples)
    delta = value_a - value_b
    rng = np.random.default_rng(seed)
    n_sys, n_docs = x.shape
    samples = np.empty(resamples)
    step = 200
    if method.startswith("perm"):
        xs, ys = _standardize(x), _standardize(y)
        observed = delta  # a global affine standardisation leaves every level correlation unchanged
        shape = {"perm-both": (n_sys, n_docs), "perm-systems": (n_sys, 1), "perm-inputs": (1, n_docs)}[method]
        swaps = rng.random((resamples, *shape)) < 0.5
        for start in range(0, resamples, step):
            swap = np.broadcast_to(swaps[start : start + step], (min(step, resamples - start), n_sys, n_docs))
            xp = np.where(swap, ys, xs)
            yp = np.where(swap, xs, ys)
            zb = np.broadcast_to(z, xp.shape)
            samples[start : start + step] = level_values(level, correlation, xp, zb) - level_values(level, correlation, yp, zb)
        p_value = _count_extreme(samples, observed, alternative)
    else:
        rows, cols = _resample_indices(rng, method.split("-")[1], n_sys, n_docs, resamples)
        for start in range(0, resamples, step):
            sl = slice(start, start + step)
            zb = _take(z, rows[sl], cols[sl])
            samples[sl] = level_values(level, correlation, _take(x, rows[sl], cols[sl]), zb) - level_values(
                level, correlation, _take(y, rows[sl], cols[sl]), zb
            )
        finite = samples[np.isfinite(samples)]
        centred = finite - finite.mean() if finite.size else finite
        p_value = _count_extreme(centred, delta, alternative)
    return PairedTest(value_a, value_b, float(delta), _finite(p_value), method, alternative, resamples)
