"""Correlations between metric and human score matrices, with resampling CIs and paired tests.

Scores are held in matrices of shape ``(n_systems, n_documents)``: cell ``[i, j]`` is the score of
system ``i`` on document (input, segment) ``j``; a missing cell is ``NaN``. Three levels, as defined by
SummEval (Fabbri et al. 2021), REALSumm (Bhandari et al. 2020) and SacreROUGE (Deutsch & Roth 2020):

- ``system``: correlate the per-system means (over the documents each system has) across systems;
- ``summary``: correlate across systems within each document, then average the per-document values,
  skipping documents where the correlation is undefined (constant scores), as SacreROUGE does;
- ``global``: correlate all cells at once (WMT's "no grouping" segment-level correlation).

Coefficients: Kendall tau-b, Spearman rho (Pearson on average ranks) and Pearson r; each equals the
matching ``scipy.stats`` function on complete data. Bootstrap CIs resample inputs (documents), systems,
or both, as in Deutsch, Dror & Roth (2021), "A Statistical Analysis of Summarization Evaluation Metrics
using Resampling Methods" (TACL); paired tests are in ``toolkit.metaeval.paired``. Every random draw comes
from ``numpy.random.default_rng(seed)``; nothing uses a global generator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from toolkit.errors import InputError, UnknownNameError

CORRELATIONS = ("kendall", "spearman", "pearson")
LEVELS = ("system", "summary", "global")
RESAMPLING = ("inputs", "systems", "both")

# Values equal to this many decimals are ties: means of 1-5 ratings such as 10/3 come out as 3.3333333333333335
# or 3.333333333333333 depending on summation order, and must still tie for Kendall and Spearman.
TIE_DECIMALS = 9
_KENDALL_CELLS = 4_000_000  # rows * n * n kept in memory at once by the pairwise Kendall computation


def _constant(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Rows whose valid values are all equal (to ``TIE_DECIMALS``), where a correlation is undefined."""
    values = np.round(values, TIE_DECIMALS)
    high = np.where(valid, values, -np.inf).max(axis=1)
    low = np.where(valid, values, np.inf).min(axis=1)
    return high == low


def _pearson_rows(a: np.ndarray, b: np.ndarray, valid: np.ndarray) -> np.ndarray:
    weight = valid.astype(float)
    count = weight.sum(axis=1)
    safe = np.maximum(count, 1.0)
    a0 = np.where(valid, a, 0.0)
    b0 = np.where(valid, b, 0.0)
    da = (a0 - (a0.sum(axis=1) / safe)[:, None]) * weight
    db = (b0 - (b0.sum(axis=1) / safe)[:, None]) * weight
    num = (da * db).sum(axis=1)
    den = np.sqrt((da * da).sum(axis=1) * (db * db).sum(axis=1))
    bad = (count < 2) | _constant(a, valid) | _constant(b, valid) | (den == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / np.where(bad, 1.0, den)
    return np.where(bad, np.nan, np.clip(r, -1.0, 1.0))


def _spearman_rows(a: np.ndarray, b: np.ndarray, valid: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    a, b = np.round(a, TIE_DECIMALS), np.round(b, TIE_DECIMALS)
    ra = rankdata(np.where(valid, a, np.nan), axis=1, nan_policy="omit")
    rb = rankdata(np.where(valid, b, np.nan), axis=1, nan_policy="omit")
    return _pearson_rows(np.nan_to_num(ra), np.nan_to_num(rb), valid)


def _kendall_rows(a: np.ndarray, b: np.ndarray, valid: np.ndarray) -> np.ndarray:
    # tau-b = sum_ij sx*sy / sqrt(sum_ij sx^2 * sum_ij sy^2) with sx = sign(x_i - x_j) over valid pairs:
    # the numerator is 2(P - Q); sum sx^2 counts the ordered pairs not tied in x, 2(P + Q + U) where U are
    # the pairs tied in y only, so the ratio is (P - Q) / sqrt((P + Q + T)(P + Q + U)), scipy's variant 'b'.
    rows, n = a.shape
    out = np.empty(rows)
    step = max(1, _KENDALL_CELLS // max(1, n * n))
    a0 = np.where(valid, np.round(a, TIE_DECIMALS), 0.0)
    b0 = np.where(valid, np.round(b, TIE_DECIMALS), 0.0)
    for start in range(0, rows, step):
        sl = slice(start, start + step)
        pair = valid[sl, :, None] & valid[sl, None, :]
        sx = np.sign(a0[sl, :, None] - a0[sl, None, :]) * pair
        sy = np.sign(b0[sl, :, None] - b0[sl, None, :]) * pair
        num = (sx * sy).sum(axis=(1, 2))
        den = np.sqrt((sx * sx).sum(axis=(1, 2)) * (sy * sy).sum(axis=(1, 2)))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[sl] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out


_ROW_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "kendall": _kendall_rows,
    "spearman": _spearman_rows,
    "pearson": _pearson_rows,
}


def check_name(kind: str, name: str, allowed: tuple[str, ...]) -> str:
    """Return ``name`` if it is one of ``allowed``, else raise ``UnknownNameError`` with close matches."""
    if name not in allowed:
        raise UnknownNameError(kind, name, allowed)
    return name


def correlate_rows(correlation: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Correlate each row of ``a`` with the same row of ``b``, ignoring cells where either is NaN.

    A row with fewer than 2 complete pairs, or constant values on either side, gives NaN. Values that agree
    to ``TIE_DECIMALS`` decimals count as ties (Kendall, Spearman) and as constant.

    Args:
        correlation: ``"kendall"`` (tau-b), ``"spearman"`` or ``"pearson"``.
        a: array of shape ``(rows, n)``.
        b: array of the same shape.

    Returns:
        Array of shape ``(rows,)``.

    Example:
        >>> import numpy as np
        >>> correlate_rows("pearson", np.array([[1.0, 2.0, 3.0]]), np.array([[2.0, 4.0, 7.0]])).round(4)
        array([0.9934])
    """
    check_name("correlation", correlation, CORRELATIONS)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 2:
        raise InputError(f"correlate_rows: shapes {a.shape} and {b.shape} differ or are not 2-D")
    valid = ~np.isnan(a) & ~np.isnan(b)
    return _ROW_FUNCTIONS[correlation](a, b, valid)


def correlate(correlation: str, x: np.ndarray, y: np.ndarray) -> float:
    """One correlation coefficient between two vectors (NaN pairs dropped; NaN when undefined).

    Example:
        >>> round(correlate("kendall", [1, 2, 3, 4], [1, 3, 2, 4]), 4)  # P=5, Q=1 -> (5-1)/6
        0.6667
    """
    row = correlate_rows(correlation, np.asarray(x, dtype=float)[None, :], np.asarray(y, dtype=float)[None, :])
    return float(row[0])


def level_values(level: str, correlation: str, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The ``level`` correlation of every matrix in a batch.

    Args:
        level: ``"system"``, ``"summary"`` or ``"global"``.
        correlation: a name from ``CORRELATIONS``.
        x: metric scores, shape ``(batch, n_systems, n_documents)``; NaN where missing.
        z: human scores, same shape; NaN cells are dropped from both sides.

    Returns:
        Array of shape ``(batch,)``; NaN where the correlation is undefined.
    """
    check_name("level", level, LEVELS)
    missing = np.isnan(x) | np.isnan(z)
    x = np.where(missing, np.nan, x)
    z = np.where(missing, np.nan, z)
    batch, n_sys, n_docs = x.shape
    if level == "system":
        with np.errstate(invalid="ignore"), _quiet():
            xs = np.nanmean(x, axis=2)
            zs = np.nanmean(z, axis=2)
        return correlate_rows(correlation, xs, zs)
    if level == "global":
        return correlate_rows(correlation, x.reshape(batch, -1), z.reshape(batch, -1))
    per_doc = correlate_rows(
        correlation,
        x.transpose(0, 2, 1).reshape(batch * n_docs, n_sys),
        z.transpose(0, 2, 1).reshape(batch * n_docs, n_sys),
    ).reshape(batch, n_docs)
    with _quiet():
        return np.nanmean(per_doc, axis=1)


def document_correlations(correlation: str, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Per-document correlations across systems (the terms that the summary level averages)."""
    x = np.asarray(x, dtype=float)
    z = np.asarray(z, dtype=float)
    return correlate_rows(correlation, x.T.copy(), z.T.copy())


class _quiet:
    """Silence numpy's 'Mean of empty slice' warnings inside a block."""

    def __enter__(self) -> None:
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", category=RuntimeWarning)

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


def _resample_indices(rng: np.random.Generator, method: str, n_sys: int, n_docs: int, resamples: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.tile(np.arange(n_sys), (resamples, 1))
    cols = np.tile(np.arange(n_docs), (resamples, 1))
    if method in ("systems", "both"):
        rows = rng.integers(0, n_sys, size=(resamples, n_sys))
    if method in ("inputs", "both"):
        cols = rng.integers(0, n_docs, size=(resamples, n_docs))
    return rows, cols


def _take(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return matrix[rows[:, :, None], cols[:, None, :]]


@dataclass(frozen=True)
class Estimate:
    """A correlation with its bootstrap interval.

    Attributes:
        value: the correlation on the full data (never a bootstrap statistic); None when undefined.
        ci_low: 2.5th percentile of the bootstrap distribution (None without resamples).
        ci_high: 97.5th percentile.
        n_systems: systems with at least one scored cell.
        n_documents: documents used (summary level: those with a defined correlation).
    """

    value: float | None
    ci_low: float | None
    ci_high: float | None
    n_systems: int
    n_documents: int

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain-JSON form."""
        return {
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n_systems": self.n_systems,
            "n_documents": self.n_documents,
        }


def _finite(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def estimate(
    level: str,
    correlation: str,
    x: np.ndarray,
    z: np.ndarray,
    *,
    resamples: int = 1000,
    resampling: str = "inputs",
    seed: int = 0,
) -> Estimate:
    """A level correlation between a metric matrix and a human matrix, with a 95% bootstrap CI.

    The same ``seed`` gives the same resamples for every metric, dimension and coefficient, so the
    intervals of different metrics are paired. Resamples where the statistic is undefined are dropped.

    Args:
        level: ``"system"``, ``"summary"`` or ``"global"``.
        correlation: ``"kendall"``, ``"spearman"`` or ``"pearson"``.
        x: metric scores ``(n_systems, n_documents)``, NaN where missing.
        z: human scores, same shape.
        resamples: bootstrap samples (0 for no interval).
        resampling: ``"inputs"`` (documents, the default), ``"systems"`` or ``"both"``.
        seed: seed of ``numpy.random.default_rng``.

    Returns:
        An ``Estimate``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
        >>> z = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
        >>> estimate("system", "pearson", x, z, resamples=0).value
        0.8660254037844387
    """
    check_name("resampling", resampling, RESAMPLING)
    x, z = _pair(x, z)
    missing = np.isnan(x) | np.isnan(z)
    n_systems = int((~missing).any(axis=1).sum())
    if level == "summary":
        per_doc = document_correlations(correlation, np.where(missing, np.nan, x), np.where(missing, np.nan, z))
        n_documents = int(np.isfinite(per_doc).sum())
    else:
        n_documents = int((~missing).any(axis=0).sum())
    value = _finite(level_values(level, correlation, x[None], z[None])[0])
    low = high = None
    if resamples > 0 and value is not None:
        samples = bootstrap_samples(level, correlation, x, z, resamples=resamples, resampling=resampling, seed=seed)
        samples = samples[np.isfinite(samples)]
        if samples.size:
            low, high = (float(v) for v in np.percentile(samples, [2.5, 97.5]))
    return Estimate(value, low, high, n_systems, n_documents)


def bootstrap_samples(
    level: str,
    correlation: str,
    x: np.ndarray,
    z: np.ndarray,
    *,
    resamples: int,
    resampling: str = "inputs",
    seed: int = 0,
) -> np.ndarray:
    """The bootstrap distribution of a level correlation (array of ``resamples`` values, NaN kept)."""
    x, z = _pair(x, z)
    rng = np.random.default_rng(seed)
    rows, cols = _resample_indices(rng, resampling, x.shape[0], x.shape[1], resamples)
    if level == "summary" and resampling == "inputs":
        # Resampling documents leaves each per-document correlation unchanged: average resampled terms.
        missing = np.isnan(x) | np.isnan(z)
        per_doc = document_correlations(correlation, np.where(missing, np.nan, x), np.where(missing, np.nan, z))
        with _quiet():
            return np.nanmean(per_doc[cols], axis=1)
    out = np.empty(resamples)
    step = 200
    for start in range(0, resamples, step):
        sl = slice(start, start + step)
        out[sl] = level_values(level, correlation, _take(x, rows[sl], cols[sl]), _take(z, rows[sl], cols[sl]))
    return out


def _pair(x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    z = np.asarray(z, dtype=float)
    if x.ndim != 2 or x.shape != z.shape:
        raise InputError(f"score matrices must be 2-D and of equal shape, got {x.shape} and {z.shape}")
    return x, z
