"""Golden tests of toolkit.metaeval.correlate: hand-computed correlations, bootstrap and paired tests."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.stats

from toolkit.errors import InputError, UnknownNameError
from toolkit.metaeval.correlate import (
    bootstrap_samples,
    correlate,
    document_correlations,
    estimate,
    level_values,
)
from toolkit.metaeval.paired import paired_test

TOL = 1e-9  # one tolerance for every golden value below

# 3 systems (rows A, B, C) x 2 documents (columns d1, d2).
# metric:  d1: A=1 B=2 C=3    d2: A=1 B=2 C=3
# human:   d1: A=1 B=2 C=3    d2: A=2 B=1 C=3
METRIC = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
HUMAN = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])

GOLDEN = [
    # Summary level, Kendall: d1 identical orders -> 1; d2 pairs AB discordant, AC and BC concordant
    # -> (2 - 1) / 3 = 1/3; mean (1 + 1/3) / 2 = 2/3.
    ("summary", "kendall", 2 / 3),
    # Summary level, Spearman: d1 -> 1; d2 ranks (1,2,3) vs (2,1,3), deviations (-1,0,1) and (0,-1,1):
    # sum of products 1, sqrt(2 * 2) = 2 -> 0.5; mean 0.75.
    ("summary", "spearman", 0.75),
    # Summary level, Pearson: the values are their own ranks here, so the same 0.75.
    ("summary", "pearson", 0.75),
    # System level: means metric A=1 B=2 C=3, human A=1.5 B=1.5 C=3.  Kendall tau-b: AB tied in human only
    # (U=1), AC and BC concordant (P=2, Q=0): 2 / sqrt((2+0+0) * (2+0+1)) = 2 / sqrt(6).
    ("system", "kendall", 2 / math.sqrt(6)),
    # System level Spearman: ranks (1,2,3) vs (1.5,1.5,3); deviations (-1,0,1) and (-0.5,-0.5,1):
    # 0.5 + 0 + 1 = 1.5 over sqrt(2 * 1.5) -> 1.5 / sqrt(3) = 0.8660...
    ("system", "spearman", 1.5 / math.sqrt(3)),
    # System level Pearson: human means (1.5,1.5,3) are an affine map of their ranks -> same value.
    ("system", "pearson", 1.5 / math.sqrt(3)),
]


@pytest.mark.parametrize("level, corr, expected", GOLDEN)
def test_hand_computed_3_systems_2_documents(level: str, corr: str, expected: float) -> None:
    value = estimate(level, corr, METRIC, HUMAN, resamples=0).value
    assert value == pytest.approx(expected, abs=TOL)


def test_global_kendall_by_hand() -> None:
    # cells in row order: metric x = (1,1,2,2,3,3), human y = (1,2,2,1,3,3)
    # the 15 pairs (i<j): sign(dx)*sign(dy)
    #  (0,1): dx=0          tie x          (0,2): +,+  C   (0,3): +,0 tie y   (0,4): +,+ C  (0,5): +,+ C
    #  (1,2): +,0 tie y     (1,3): +,-  D  (1,4): +,+  C   (1,5): +,+ C
    #  (2,3): dx=0 tie x    (2,4): +,+  C  (2,5): +,+  C
    #  (3,4): +,+  C        (3,5): +,+  C
    #  (4,5): tie x and y
    # P = 9, Q = 1; not tied in x: 15 - 3 = 12; not tied in y: 15 - 3 = 12 -> tau-b = 8 / 12 = 2/3
    assert estimate("global", "kendall", METRIC, HUMAN, resamples=0).value == pytest.approx(2 / 3, abs=TOL)


def test_tau_b_with_ties_on_both_sides() -> None:
    # x = (1,1,2,3), y = (1,2,2,3); pairs: (1,2) tie x, (1,3) C, (1,4) C, (2,3) tie y, (2,4) C, (3,4) C
    # P=4, Q=0, T=1 (x only), U=1 (y only): tau-b = 4 / sqrt((4+1) * (4+1)) = 0.8
    assert correlate("kendall", [1, 1, 2, 3], [1, 2, 2, 3]) == pytest.approx(0.8, abs=TOL)
    assert scipy.stats.kendalltau([1, 1, 2, 3], [1, 2, 2, 3], variant="b").statistic == pytest.approx(0.8, abs=TOL)


def test_summary_level_skips_undefined_documents() -> None:
    # a third document where the humans gave every system the same score: its correlation is undefined
    # and is skipped, so the summary-level Kendall stays 2/3 over 2 documents (SacreROUGE's rule)
    metric = np.hstack([METRIC, [[3.0], [1.0], [2.0]]])
    human = np.hstack([HUMAN, [[4.0], [4.0], [4.0]]])
    est = estimate("summary", "kendall", metric, human, resamples=0)
    assert est.value == pytest.approx(2 / 3, abs=TOL)
    assert est.n_documents == 2
    per_doc = document_correlations("kendall", metric, human)
    assert np.isnan(per_doc[2]) and per_doc[0] == pytest.approx(1.0, abs=TOL)


def test_missing_cells_are_dropped_from_both_sides() -> None:
    # system C did not get a human score on d2: system means use its d1 cell only (metric 3, human 3),
    # d2 correlates A and B only: metric (1,2) vs human (2,1) -> -1; summary mean (1 + -1) / 2 = 0
    human = HUMAN.copy()
    human[2, 1] = np.nan
    assert estimate("summary", "pearson", METRIC, human, resamples=0).value == pytest.approx(0.0, abs=TOL)
    # system means: metric (1, 2, 3), human (1.5, 1.5, 3) -> same as with the cell present
    assert estimate("system", "kendall", METRIC, human, resamples=0).value == pytest.approx(2 / math.sqrt(6), abs=TOL)


def test_constant_input_gives_none() -> None:
    assert estimate("system", "pearson", METRIC, np.ones_like(METRIC), resamples=10).value is None
    assert math.isnan(correlate("pearson", [0.1, 0.1, 0.1], [1, 2, 3]))  # 0.1*3/3 != 0.1 in floats


@pytest.mark.parametrize("corr, ref", [
    ("kendall", lambda x, y: scipy.stats.kendalltau(x, y, variant="b").statistic),
    ("spearman", lambda x, y: scipy.stats.spearmanr(x, y).statistic),
    ("pearson", lambda x, y: scipy.stats.pearsonr(x, y).statistic),
])
def test_random_vectors_with_ties_match_scipy(corr, ref) -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(3, 40))
        x = rng.integers(0, 6, n).astype(float)
        y = x + rng.integers(-3, 4, n)
        if len(set(x)) == 1 or len(set(y)) == 1:
            continue
        assert correlate(corr, x, y) == pytest.approx(float(ref(x, y)), abs=TOL)


def test_bootstrap_is_deterministic_and_seeded() -> None:
    rng = np.random.default_rng(0)
    x, z = rng.random((6, 12)), rng.random((6, 12))
    for level in ("system", "summary", "global"):
        a = bootstrap_samples(level, "kendall", x, z, resamples=50, seed=7)
        b = bootstrap_samples(level, "kendall", x, z, resamples=50, seed=7)
        c = bootstrap_samples(level, "kendall", x, z, resamples=50, seed=8)
        assert np.array_equal(a, b)
        assert not np.array_equal(a, c)
    e1 = estimate("system", "spearman", x, z, resamples=200, seed=1)
    e2 = estimate("system", "spearman", x, z, resamples=200, seed=1)
    assert e1 == e2 and e1.ci_low <= e1.ci_high


def test_bootstrap_resamples_documents() -> None:
    # recompute the draws by hand: numpy default_rng(seed).integers(0, n_docs, (resamples, n_docs))
    rng = np.random.default_rng(0)
    x, z = rng.random((5, 4)), rng.random((5, 4))
    cols = np.random.default_rng(11).integers(0, 4, size=(20, 4))
    expected_sys = [scipy.stats.pearsonr(x[:, c].mean(1), z[:, c].mean(1)).statistic for c in cols]
    got_sys = bootstrap_samples("system", "pearson", x, z, resamples=20, seed=11)
    assert np.allclose(got_sys, expected_sys, atol=TOL)
    per_doc = [scipy.stats.kendalltau(x[:, j], z[:, j]).statistic for j in range(4)]
    expected_sum = [np.mean([per_doc[j] for j in c]) for c in cols]
    got_sum = bootstrap_samples("summary", "kendall", x, z, resamples=20, seed=11)
    assert np.allclose(got_sum, expected_sum, atol=TOL)
    # the fast summary path equals the generic one (resampled matrices through level_values)
    generic = level_values("summary", "kendall", x[:, cols].transpose(1, 0, 2), z[:, cols].transpose(1, 0, 2))
    assert np.allclose(got_sum, generic, atol=TOL)


def test_perm_both_matches_exact_enumeration() -> None:
    # 2 systems x 2 documents: PERM-BOTH swaps each of the 4 cells with probability 1/2, so its exact
    # p-value is the fraction of the 16 swap patterns whose delta is >= the observed delta.
    x = np.array([[1.0, 4.0], [2.0, 3.5]])
    y = np.array([[2.0, 1.0], [1.0, 3.0]])
    z = np.array([[1.0, 3.0], [2.0, 4.0]])
    xs = (x - x.mean()) / x.std()
    ys = (y - y.mean()) / y.std()

    def r(m: np.ndarray) -> float:
        return float(scipy.stats.pearsonr(m.ravel(), z.ravel()).statistic)

    observed = r(x) - r(y)
    hits = 0
    for pattern in itertools.product([False, True], repeat=4):
        swap = np.array(pattern).reshape(2, 2)
        hits += (r(np.where(swap, ys, xs)) - r(np.where(swap, xs, ys))) >= observed - 1e-12
    exact = hits / 16
    test = paired_test("global", "pearson", x, y, z, method="perm-both", resamples=20000, seed=0)
    assert test.delta == pytest.approx(observed, abs=TOL)
    assert test.p_value == pytest.approx(exact, abs=0.015)  # binomial s.e. <= 0.0036 at 20000 draws


def test_paired_tests_detect_a_better_metric_and_are_seeded() -> None:
    rng = np.random.default_rng(5)
    z = rng.random((8, 10))
    good = z + 0.1 * rng.random((8, 10))
    bad = rng.random((8, 10))
    for method in ("perm-both", "perm-inputs", "perm-systems", "boot-inputs", "boot-both"):
        t = paired_test("summary", "kendall", good, bad, z, method=method, resamples=300, seed=2)
        assert t.delta > 0.5 and t.p_value < 0.05, method
        again = paired_test("summary", "kendall", good, bad, z, method=method, resamples=300, seed=2)
        assert again == t
    reverse = paired_test("summary", "kendall", bad, good, z, resamples=300, seed=2)
    assert reverse.p_value > 0.95


def test_bad_names_and_shapes() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'kendall'"):
        correlate("kendal", [1, 2], [1, 2])
    with pytest.raises(UnknownNameError):
        estimate("sistem", "kendall", METRIC, HUMAN, resamples=0)
    with pytest.raises(InputError):
        estimate("system", "kendall", METRIC, HUMAN[:2], resamples=0)
