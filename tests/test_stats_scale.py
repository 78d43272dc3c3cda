"""Statistics that scale (issue 19, part 3): blocked draws and shared-count sums give today's values exactly.

The reference here is the in-memory path as it stood before issue 19 (commit b47ec73 of
toolkit/scoring/stats.py), copied below: the whole ``(resamples, n)`` index matrix, then a gather-and-sum of
the rows per resample. Every comparison is ``==`` on floats, not a tolerance.
"""

from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest

from toolkit.scoring.base import SegmentStats, mean_stats, ratio_stats
from toolkit.scoring.sacrebleu_metrics import sacrebleu_stats
from toolkit.scoring.stats import (
    _AR_ROWS,
    _add_one_p,
    _resample_counts,
    _Resampler,
    approximate_randomization,
    bootstrap_ci,
    bootstrap_cis,
    bootstrap_indices,
    iter_bootstrap_indices,
    paired_bootstrap,
    percentile_interval,
    resampled_scores,
    resampled_scores_many,
)

N = 2000  # segments of the parity sample (eval/bench/bench_stats.py checks 10k)
WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "rug", "red", "blue", "big", "small", "ran", "fast", "slow", "home", "news", "report", "said"]


def _old_resampled_scores(seg: SegmentStats, indices: np.ndarray) -> np.ndarray:
    rows = np.asarray(seg.stats, dtype=seg.resample_dtype)
    if seg.aggregate_many is None:
        return np.array([seg.aggregate(rows[idx].sum(0)) for idx in indices], dtype=np.float64)
    out = [seg.scores_of_sums(rows[indices[s : s + 64]].sum(axis=1)) for s in range(0, len(indices), 64)]
    return np.concatenate(out) if out else np.zeros(0)


def _old_paired_bootstrap(baseline, system, resamples, seed, rule):
    indices = bootstrap_indices(len(baseline.stats), resamples, seed)
    bl, sy = _old_resampled_scores(baseline, indices), _old_resampled_scores(system, indices)
    diffs = np.abs(sy - bl)
    diffs = diffs[np.isfinite(diffs)]
    null = diffs - diffs.mean()
    return _add_one_p(null, abs(baseline.corpus_score - system.corpus_score), rule), percentile_interval(sy)


def _old_ar_p(baseline, system, trials, seed, rule):
    pos = np.random.default_rng(seed).integers(2, size=(trials, len(baseline.stats)), dtype=bool)
    bl, sy = np.asarray(baseline.stats), np.asarray(system.stats)
    a, b = pos @ bl + ~pos @ sy, ~pos @ bl + pos @ sy
    if baseline.aggregate_many is None:
        sa, sb = np.array([baseline.aggregate(r) for r in a]), np.array([baseline.aggregate(r) for r in b])
    else:
        sa, sb = baseline.scores_of_sums(a), baseline.scores_of_sums(b)
    null = np.abs(sa - sb)
    return _add_one_p(null[np.isfinite(null)], abs(baseline.corpus_score - system.corpus_score), rule)


def _sentences(rng: np.random.Generator, n: int) -> list[str]:
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(1, 25)))) for _ in range(n)]


@pytest.fixture(scope="module")
def metrics() -> dict[str, tuple[SegmentStats, SegmentStats]]:
    """Two systems' statistics on N segments: sacreBLEU BLEU/chrF (TER: 300), a ROUGE-like mean, a ratio, 0/100 values."""
    rng = np.random.default_rng(19)
    refs = [[r] for r in _sentences(rng, N)]
    out = {}
    systems = [_sentences(rng, N), [r[0] if rng.random() < 0.3 else s for r, s in zip(refs, _sentences(rng, N))]]
    for name in ("bleu", "chrf"):
        out[name] = tuple(sacrebleu_stats(name, predictions=p, references=refs) for p in systems)
    # TER on 300 segments: its shift search takes 20 s for 2,000 random sentences
    out["ter"] = tuple(sacrebleu_stats("ter", predictions=p[:300], references=refs[:300]) for p in systems)
    out["mean"] = tuple(mean_stats(np.where(rng.random(N) < 0.05, np.nan, rng.random(N) * 100), "m") for _ in range(2))
    out["ratio"] = tuple(ratio_stats(rng.integers(0, 4, N), rng.integers(0, 5, N), "r") for _ in range(2))
    out["exact_match"] = tuple(mean_stats(100.0 * (rng.random(N) < 0.4), "e") for _ in range(2))
    return out


@pytest.mark.parametrize("n", [1, 2, 57, 58, 1001, 4096])
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 40])
def test_blocked_draws_are_the_one_shot_draw(n, chunk):
    # Generator.choice keeps the spare 32-bit half-word in the bit generator's state, so blocks continue
    # exactly where one (B, n) call would, for odd and even n alike
    blocks = list(iter_bootstrap_indices(n, 40, 12345, chunk=chunk))
    assert [len(b) for b in blocks][:-1] == [chunk] * (len(blocks) - 1)
    assert np.array_equal(np.concatenate(blocks), bootstrap_indices(n, 40, 12345))


@pytest.mark.parametrize("n", [1, 3, 58, 1001])
def test_ar_booleans_in_blocks_of_32_rows_are_the_one_shot_draw(n):
    full = np.random.default_rng(7).integers(2, size=(4 * _AR_ROWS, n), dtype=bool)
    rng = np.random.default_rng(7)
    blocks = [rng.integers(2, size=(_AR_ROWS, n), dtype=bool) for _ in range(4)]
    assert np.array_equal(np.concatenate(blocks), full)
    # ...while row-by-row draws are not: each call starts a fresh 32-bit word (why blocks are of 32 rows)
    rng = np.random.default_rng(7)
    rows = [rng.integers(2, size=(1, n), dtype=bool) for _ in range(4 * _AR_ROWS)]
    assert not np.array_equal(np.concatenate(rows), full)


def test_counts_are_draw_counts():
    idx = np.array([[0, 0, 2], [1, 2, 1]])
    assert _resample_counts(idx, 3).tolist() == [[2.0, 0.0, 1.0], [0.0, 2.0, 1.0]]


def test_column_split_follows_the_exactness_rule(metrics):
    bleu, chrf, mean = metrics["bleu"][0], metrics["chrf"][0], metrics["mean"][0]
    assert _Resampler(bleu, True).sequential.size == 0  # integer counts, 2000 * max < 2**24: counts @ rows
    assert _Resampler(chrf, True).sequential.size == 0
    assert _Resampler(mean, True).exact.tolist() == [1] and _Resampler(mean, True).sequential.tolist() == [0]


@pytest.mark.parametrize("name", ["bleu", "chrf", "ter", "mean", "ratio", "exact_match"])
def test_resampled_scores_identical_to_the_in_memory_path(metrics, name):
    seg = metrics[name][0]
    indices = bootstrap_indices(len(seg.stats), 300, 12345)
    old = _old_resampled_scores(seg, indices)
    assert np.array_equal(resampled_scores(seg, indices), old, equal_nan=True)
    new = resampled_scores_many([seg], resamples=300, seed=12345)[0]
    assert np.array_equal(new, old, equal_nan=True)
    old_ci = percentile_interval(old)
    assert bootstrap_ci(seg, resamples=300, seed=12345) == old_ci
    assert bootstrap_ci(seg, resamples=300, seed=12345, float32_parity=True) == old_ci


def test_bootstrap_cis_share_draws_and_match_one_at_a_time(metrics):
    segs = [metrics[name][0] for name in ("bleu", "mean", "chrf")]
    assert bootstrap_cis(segs, resamples=200, seed=3) == [bootstrap_ci(s, resamples=200, seed=3) for s in segs]


@pytest.mark.parametrize("rule", ["standard", "sacrebleu"])
@pytest.mark.parametrize("name", ["bleu", "chrf", "ter", "mean"])
def test_paired_tests_identical_to_the_in_memory_path(metrics, name, rule):
    base, system = metrics[name]
    p_old, ci_old = _old_paired_bootstrap(base, system, 300, 12345, rule)
    res = paired_bootstrap(base, system, resamples=300, seed=12345, p_value=rule)
    assert (res.p_value, res.system_ci) == (p_old, ci_old)
    ar = approximate_randomization(base, system, trials=250, seed=12345, p_value=rule)  # 250: a partial last block
    assert ar.p_value == _old_ar_p(base, system, 250, 12345, rule)


def test_ar_in_many_blocks_identical(metrics, monkeypatch):
    from toolkit.scoring import resampling

    base, system = metrics["mean"]
    monkeypatch.setattr(resampling, "_INDEX_BYTES", 8 * N * 40)  # 40 rows a block: rounded down to 32
    assert resampling._chunk_rows(N, 1000, multiple=_AR_ROWS) == 32
    for rule in ("standard", "sacrebleu"):
        assert approximate_randomization(base, system, trials=200, seed=5, p_value=rule).p_value == _old_ar_p(
            base, system, 200, 5, rule)


def _big_counts() -> SegmentStats:
    # integer float32 rows whose resample sums pass 2**24 (as BLEU's token counts do at ~100k+ segments)
    rng = np.random.default_rng(4)
    stats = np.stack([rng.integers(40_000, 60_000, 500), rng.integers(50_000, 70_000, 500)], axis=1)

    def aggregate(sums):
        return float(100.0 * sums[0] / sums[1])

    return SegmentStats(stats=stats, aggregate=aggregate, corpus_score=aggregate(stats.sum(0)),
                        segment_scores=np.zeros(500), signature="big", resample_dtype=np.float32)


def test_float32_parity_past_2_24_reproduces_float32_running_sums():
    seg = _big_counts()
    indices = bootstrap_indices(500, 50, 1)
    old = _old_resampled_scores(seg, indices)
    assert _Resampler(seg, True).exact.size == 0  # 500 * 60000 > 2**24: summed in draw order
    assert np.array_equal(resampled_scores(seg, indices), old)
    assert np.array_equal(resampled_scores_many([seg], resamples=50, seed=1, float32_parity=True)[0], old)
    # without parity the sums are exact, rounded once to float32 (float32 running sums round at every step)
    exact = (_resample_counts(indices, 500) @ seg.stats.astype(np.float64)).astype(np.float32)
    expected = np.array([seg.aggregate(row) for row in exact])
    new = resampled_scores_many([seg], resamples=50, seed=1)[0]
    assert np.array_equal(new, expected)
    assert not np.array_equal(new, old)  # the running float32 sums did round


def test_no_resamples_by_n_matrix():
    n, resamples = 200_000, 100  # the whole index matrix would be 160 MB, a block 32 MB
    seg = mean_stats(np.arange(n, dtype=np.float64) % 7, "m")
    tracemalloc.start()
    try:
        bootstrap_ci(seg, resamples=resamples, seed=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100e6, peak


@pytest.mark.parametrize("many", [True, False])
def test_single_column_statistics_identical(many):
    # (n, 1) rows: numpy sums them pairwise, so they keep the in-memory path's own sums
    rng = np.random.default_rng(8)
    stats = (rng.random((N, 1)) * 100).astype(np.float64)
    seg = SegmentStats(stats=stats, aggregate=lambda s: float(s[0]), corpus_score=float(stats.sum()),
                       segment_scores=stats[:, 0], signature="one",
                       aggregate_many=(lambda s: s[:, 0]) if many else None)
    indices = bootstrap_indices(N, 100, 2)
    old = _old_resampled_scores(seg, indices)
    assert np.array_equal(resampled_scores(seg, indices), old)
    assert np.array_equal(resampled_scores_many([seg], resamples=100, seed=2)[0], old)


def test_metrics_summed_together_identical_to_one_at_a_time(metrics):
    # fused columns: float32 in draw order (past 2**24, parity), float64 in draw order, exact columns of all
    big = _big_counts()
    others = [dataclasses.replace(metrics[name][0], stats=np.asarray(metrics[name][0].stats)[:500])
              for name in ("mean", "bleu", "ratio")]
    segs = [big, *others, dataclasses.replace(others[0], stats=np.asarray(others[0].stats)[::-1].copy())]
    together = resampled_scores_many(segs, resamples=60, seed=9, float32_parity=True)
    indices = bootstrap_indices(500, 60, 9)
    for seg, values in zip(segs, together):
        assert np.array_equal(values, _old_resampled_scores(seg, indices), equal_nan=True)
