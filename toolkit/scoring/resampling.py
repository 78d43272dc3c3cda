"""Bootstrap resampling that scales: the indices of ``default_rng(seed).choice(n, (B, n))`` drawn in blocks,
and the column sums of every metric's rows per resample, identical to a gather-and-sum of the rows.

Nothing here holds a ``(resamples, n)`` matrix. Each block's draw counts are shared by every metric; integer
columns whose sums stay exact are summed as ``counts @ rows`` (any order gives the same number), the others
in draw order, as sacreBLEU sums them. :mod:`toolkit.scoring.stats` builds the intervals and tests on it;
tests/test_stats_scale.py checks every path against the in-memory one, eval/bench/bench_stats.py times it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from toolkit.errors import InputLengthError
from toolkit.scoring.base import SegmentStats

DEFAULT_SEED = 12345

_INDEX_BYTES = 1 << 25  # bytes of resample indices drawn at once (32 MiB: 4 resamples of 1M segments)
#: Largest integer up to which every sum of integers is exact: float32 (sacreBLEU's rows) and float64.
_EXACT_UP_TO = {np.dtype(np.float32): 2.0**24, np.dtype(np.float64): 2.0**53}
_PER_COLUMN = 3  # up to this many columns summed in draw order are gathered one column at a time
_AR_ROWS = 32  # trials are drawn in multiples of 32 rows: 32 x n booleans use exactly n 32-bit words


def _chunk_rows(n: int, total: int, multiple: int = 1) -> int:
    """Rows of a ``(rows, n)`` index block that fit in :data:`_INDEX_BYTES` (at least ``multiple``)."""
    rows = max(1, _INDEX_BYTES // (8 * max(n, 1)))
    rows = max(multiple, rows - rows % multiple)
    return max(1, min(rows, total if multiple == 1 else total + (-total) % multiple))


def iter_bootstrap_indices(n: int, resamples: int, seed: int, *, chunk: int | None = None) -> Iterator[np.ndarray]:
    """``stats.bootstrap_indices(n, resamples, seed)`` in blocks of ``chunk`` rows from one Generator: same indices.

    ``Generator.choice(n, (B, n))`` draws bounded 32-bit integers whose spare half-words the bit generator
    keeps in its own state, so consecutive blocks continue exactly where one call would (tested for odd and
    even ``n`` in tests/test_stats_scale.py). Memory is ``chunk * n`` indices instead of ``resamples * n``.

    Example:
        >>> [b.tolist() for b in iter_bootstrap_indices(3, 2, 12345, chunk=1)]
        [[[2, 0, 2]], [[0, 0, 2]]]
    """
    rng = np.random.default_rng(seed)
    step = chunk or _chunk_rows(n, resamples)
    for start in range(0, resamples, step):
        yield rng.choice(n, size=(min(step, resamples - start), n), replace=True)


def _resample_counts(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each segment is drawn in each resample: ``(rows, n)`` float64 (the weights of ``counts @ rows``)."""
    counts = np.empty(indices.shape, dtype=np.float64)
    for r, idx in enumerate(indices):
        counts[r] = np.bincount(idx, minlength=n)
    return counts


class _Resampler:
    """How one metric's rows are summed per resample, equal to ``rows[idx].sum(0)`` in its resample dtype.

    Columns split in two groups. *Exact* columns hold integers whose sums stay exactly representable
    (``n * max|v|`` up to 2**24 in float32, 2**53 in float64): there every summation order gives the same
    number, so their sums are ``counts @ rows``. The other columns (fractional values such as ROUGE F, or
    float32 sums past 2**24 when sacreBLEU's own float32 rounding must be reproduced) are summed in draw
    order, one resample at a time, as sacreBLEU does. With ``float32_parity=False`` integer float32 columns
    past 2**24 are summed exactly in float64 and then rounded once, where a float32 running sum would have
    rounded at every step.
    """

    def __init__(self, seg: SegmentStats, float32_parity: bool) -> None:
        self.seg = seg
        rows = np.asarray(seg.stats, dtype=seg.resample_dtype)
        if rows.ndim != 2:
            rows = rows.reshape(len(rows), -1)
        self.dtype = rows.dtype
        self.k = rows.shape[1]
        limit = _EXACT_UP_TO.get(self.dtype)
        if limit is not None and self.dtype == np.float32 and not float32_parity:
            limit = _EXACT_UP_TO[np.dtype(np.float64)]
        exact = np.zeros(self.k, dtype=bool)
        if limit is not None and len(rows):
            finite = np.isfinite(rows).all(axis=0)
            integral = (np.floor(rows) == rows).all(axis=0)
            bound = np.abs(rows).max(axis=0).astype(np.float64) * len(rows)
            exact = finite & integral & (bound <= limit)
        self.exact = np.flatnonzero(exact)
        self.sequential = np.flatnonzero(~exact)
        # a single column: numpy sums (n, 1) pairwise, not in draw order, so it keeps the in-memory sums
        self.single = self.k == 1 and self.sequential.size == 1
        self.rows = rows

    def scores(self, sums: np.ndarray) -> np.ndarray:
        if self.seg.aggregate_many is None:
            return np.array([self.seg.aggregate(row) for row in sums], dtype=np.float64)
        return self.seg.scores_of_sums(sums)


class _Summer:
    """Column sums of several metrics' resamples, sharing the work: one ``counts @ rows`` product for every
    exact column of every metric, and one gather in draw order per dtype for the other columns."""

    def __init__(self, resamplers: Sequence[_Resampler]) -> None:
        self.resamplers = resamplers
        exact = [r.rows[:, r.exact] for r in resamplers if r.exact.size]
        self.exact_rows_t = np.ascontiguousarray(np.concatenate(exact, axis=1).T, dtype=np.float64) if exact else None
        self.exact_at: list[int] = []
        at = 0
        for r in resamplers:
            self.exact_at.append(at)
            at += r.exact.size
        self.groups: dict[np.dtype, np.ndarray | list[np.ndarray]] = {}
        self.sequential_at: list[int] = []
        widths: dict[np.dtype, int] = {}
        parts: dict[np.dtype, list[np.ndarray]] = {}
        for r in resamplers:
            self.sequential_at.append(widths.get(r.dtype, 0))
            if r.sequential.size and not r.single:
                parts.setdefault(r.dtype, []).append(r.rows[:, r.sequential])
                widths[r.dtype] = widths.get(r.dtype, 0) + r.sequential.size
        for dtype, cols in parts.items():
            block = np.concatenate(cols, axis=1).astype(dtype, copy=False)
            # few columns: kept apart, gathered one at a time (see _in_draw_order); more: as one block of rows
            self.groups[dtype] = ([np.ascontiguousarray(block[:, j]) for j in range(block.shape[1])]
                                  if block.shape[1] <= _PER_COLUMN else np.ascontiguousarray(block))

    @property
    def needs_counts(self) -> bool:
        return self.exact_rows_t is not None

    @staticmethod
    def _in_draw_order(rows: np.ndarray | list[np.ndarray], indices: np.ndarray) -> np.ndarray:
        """Sums in draw order of ``rows`` (one block, or a list of columns) for each resample."""
        if isinstance(rows, list):
            # column by column: a 1-D gather and a running sum (cumsum adds in draw order, as the row-wise
            # reduce does; (n, 1).sum(0) would add pairwise); 1.6x faster than gathering rows of 2 columns
            out = np.empty((indices.shape[0], len(rows)), dtype=rows[0].dtype)
            for r, idx in enumerate(indices):
                for j, column in enumerate(rows):
                    out[r, j] = np.cumsum(np.take(column, idx))[-1] if idx.size else 0
            return out
        out = np.empty((indices.shape[0], rows.shape[1]), dtype=rows.dtype)
        for r, idx in enumerate(indices):
            out[r] = np.add.reduce(np.take(rows, idx, axis=0), axis=0)
        return out

    def scores(self, indices: np.ndarray, n: int) -> list[np.ndarray]:
        """Each metric's corpus values of the resamples ``indices`` (one row each)."""
        exact = None
        if self.exact_rows_t is not None:
            counts = _resample_counts(indices, n)
            # einsum, not BLAS: on a shared machine BLAS threads wait for each other (17 ms a resample at
            # 100k segments against einsum's 1.4); integer sums are exact in any order
            exact = np.einsum("rn,mn->rm", counts, self.exact_rows_t)
            del counts
        ordered = {dtype: self._in_draw_order(rows, indices) for dtype, rows in self.groups.items()}
        out = []
        for r, e_at, s_at in zip(self.resamplers, self.exact_at, self.sequential_at):
            sums = np.empty((indices.shape[0], r.k), dtype=r.dtype)
            if r.exact.size:
                sums[:, r.exact] = exact[:, e_at : e_at + r.exact.size].astype(r.dtype)
            if r.single:
                if r.seg.aggregate_many is None:
                    sums[:] = [r.rows[idx].sum(0) for idx in indices]
                else:
                    sums[:] = r.rows[indices].sum(axis=1)
            elif r.sequential.size:
                sums[:, r.sequential] = ordered[r.dtype][:, s_at : s_at + r.sequential.size]
            out.append(r.scores(sums))
        return out


def _scores_for_blocks(resamplers: Sequence[_Resampler], blocks: Iterable[np.ndarray], n: int) -> list[np.ndarray]:
    summer = _Summer(resamplers)
    out: list[list[np.ndarray]] = [[] for _ in resamplers]
    for block in blocks:
        for acc, values in zip(out, summer.scores(block, n)):
            acc.append(values)
        del block  # before the next block is drawn: one block in memory at a time
    return [np.concatenate(acc) if acc else np.zeros(0) for acc in out]


def resampled_scores_many(
    segs: Sequence[SegmentStats], *, resamples: int = 1000, seed: int = DEFAULT_SEED, float32_parity: bool = False
) -> list[np.ndarray]:
    """Corpus value of every bootstrap resample, for several metrics on the same segments and the same draws.

    Equal to ``stats.resampled_scores(seg, stats.bootstrap_indices(n, resamples, seed))`` for each metric,
    without the ``(resamples, n)`` index matrix: indices are drawn in blocks (:func:`iter_bootstrap_indices`) and each
    block's draw counts are shared by every metric. ``float32_parity`` reproduces sacreBLEU's float32 running
    sums even past 2**24 (those columns are then summed in draw order); see :class:`_Resampler`.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> a = mean_stats([0.0, 100.0, 50.0], "a")
        >>> [s.tolist() for s in resampled_scores_many([a], resamples=2, seed=12345)]
        [[33.333333333333336, 16.666666666666668]]
    """
    if not segs:
        return []
    n = len(segs[0].stats)
    for seg in segs[1:]:
        if len(seg.stats) != n:
            raise InputLengthError(f"resampling: metrics have {n} and {len(seg.stats)} segments; score the same segments")
    resamplers = [_Resampler(seg, float32_parity) for seg in segs]
    return _scores_for_blocks(resamplers, iter_bootstrap_indices(n, resamples, seed), n)
