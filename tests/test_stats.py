"""Bootstrap intervals, paired bootstrap, approximate randomisation and Holm: against sacreBLEU and by hand."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from toolkit.scoring import compare, score
from toolkit.scoring.base import mean_stats, ratio_stats
from toolkit.scoring.sacrebleu_metrics import sacrebleu_stats
from toolkit.scoring.stats import (
    approximate_randomization,
    bootstrap_ci,
    bootstrap_indices,
    holm,
    paired_bootstrap,
    percentile_interval,
)

DATA = Path(__file__).parent / "data" / "scoring"
NAMES = ("Borderline", "DIDI-NLP", "Facebook-AI")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


REFS = [[r] for r in _lines(DATA / "wmt21.ref.en")]
SYSTEMS = {name: _lines(DATA / f"wmt21.{name}.en") for name in NAMES}

# p-values printed by sacreBLEU 2.6.0 itself on these files (tests/data/scoring/README.md gives the command):
#   SACREBLEU_SEED=12345 sacrebleu wmt21.ref.en -i wmt21.{Borderline,DIDI-NLP,Facebook-AI}.en --paired-bs|--paired-ar -m bleu chrf ter
# (full-precision values read from sacrebleu.significance.PairedTest, same run)
SACREBLEU_BS = {
    "bleu": (0.06893106893106893, 0.11688311688311688),
    "chrf": (0.4115884115884116, 0.15584415584415584),
    "ter": (0.3886113886113886, 0.16483516483516483),
}
SACREBLEU_AR = {
    "bleu": (0.20207979202079793, 0.31416858314168583),
    "chrf": (0.9805019498050195, 0.46415358464153583),
    "ter": (0.921007899210079, 0.45065493450654937),
}


def test_paired_bootstrap_reproduces_sacrebleu_p_values_to_the_digit():
    result = compare(systems=SYSTEMS, references=REFS, metrics=["bleu", "chrf", "ter"], method="bootstrap", seed=12345,
                     p_value="sacrebleu")
    assert "p:sacrebleu" in result.signatures["bleu"]
    for metric, expected in SACREBLEU_BS.items():
        got = tuple(result.p_value(metric, name) for name in NAMES[1:])
        assert got == expected  # exact equality: same indices, same float32 sums, same formula


@pytest.mark.slow
def test_approximate_randomization_reproduces_sacrebleu():
    result = compare(systems=SYSTEMS, references=REFS, metrics=["bleu", "chrf", "ter"], method="ar", seed=12345,
                     p_value="sacrebleu")
    assert result.resamples == 10000
    for metric, expected in SACREBLEU_AR.items():
        assert tuple(result.p_value(metric, name) for name in NAMES[1:]) == expected


def test_paired_bootstrap_matches_live_sacrebleu_call(monkeypatch):
    from sacrebleu.metrics import BLEU
    from sacrebleu.significance import PairedTest

    monkeypatch.setenv("SACREBLEU_SEED", "777")
    named = [(n, SYSTEMS[n]) for n in NAMES[:2]]
    _, scores = PairedTest(named, {"BLEU": BLEU()}, [[r[0] for r in REFS]], test_type="bs", n_samples=500)()
    ours = compare(systems=dict(named), references=REFS, metrics=["bleu"], resamples=500, seed=777, p_value="sacrebleu")
    row = ours.rows["bleu"][1]
    assert row.p_value == scores["BLEU"][1].p_value
    assert row.score == scores["BLEU"][1].score
    # sacreBLEU reports mean +- half-width of the same order statistics we report as [low, high]
    assert (row.ci[1] - row.ci[0]) / 2 == pytest.approx(scores["BLEU"][1].ci, abs=1e-9)


def test_bleu_ci_equals_sacrebleu_bootstrap_interval():
    import sacrebleu

    hyps = SYSTEMS["Borderline"]
    os.environ.pop("SACREBLEU_SEED", None)  # sacreBLEU's default seed is 12345, ours too
    sb = sacrebleu.metrics.BLEU().corpus_score(hyps, [[r[0] for r in REFS]], n_bootstrap=1000)
    rep = score(predictions=hyps, references=REFS, metrics=["bleu"], bootstrap=1000, seed=12345)
    low, high = rep["bleu"].ci
    assert (high - low) / 2 == pytest.approx(sb._ci, abs=1e-9)
    assert low < rep["bleu"].score < high
    assert "bs:1000|rs:12345" in rep["bleu"].signature


def test_ci_is_deterministic_with_a_seed_and_changes_with_another():
    hyps = SYSTEMS["DIDI-NLP"]
    a = score(predictions=hyps, references=REFS, metrics=["rougeL", "chrf"], seed=7)
    b = score(predictions=hyps, references=REFS, metrics=["rougeL", "chrf"], seed=7)
    c = score(predictions=hyps, references=REFS, metrics=["rougeL", "chrf"], seed=8)
    assert a["rougeL"].ci == b["rougeL"].ci and a["chrf"].ci == b["chrf"].ci
    assert a["rougeL"].ci != c["rougeL"].ci
    assert a["rougeL"].score == c["rougeL"].score  # the score is exact, never a bootstrap estimate


def test_bootstrap_indices_are_sacrebleus():
    rng = np.random.default_rng(12345)
    expected = rng.choice(58, size=(10, 58), replace=True)
    assert np.array_equal(bootstrap_indices(58, 10, 12345), expected)


def test_percentile_interval_by_hand():
    # 1,000 values 0..999: 95% -> the 26th lowest (index 25) and the 26th highest (index 974), as sacreBLEU
    assert percentile_interval(np.arange(1000.0)) == (25.0, 974.0)
    # 40 values: k = int(40 * 0.025) = 1 -> indices 1 and 38
    assert percentile_interval(np.arange(40.0)) == (1.0, 38.0)
    assert percentile_interval(np.array([np.nan, 1.0, 2.0])) == (1.0, 2.0)


def test_mean_metric_bootstrap_by_hand():
    seg = mean_stats([0.0, 100.0], "demo")
    idx = bootstrap_indices(2, 4, 3)
    # each resample's mean is 100 * (number of index-1 picks) / 2
    from toolkit.scoring.stats import resampled_scores

    assert resampled_scores(seg, idx).tolist() == [50.0 * row.sum() for row in idx]
    assert bootstrap_ci(mean_stats([5.0], "one"), resamples=100) is None  # one segment: no interval


def test_holm_by_hand():
    # m = 3: sorted p 0.01, 0.03, 0.04 -> 3*0.01 = 0.03, max(0.03, 2*0.03) = 0.06, max(0.06, 1*0.04) = 0.06
    assert holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06], abs=1e-15)
    # clipped at 1, order kept, None skipped
    # with a None: m = 2, sorted 0.4 -> 0.8, then max(0.8, 0.5) = 0.8
    adjusted = holm([0.5, None, 0.4])
    assert adjusted[1] is None and adjusted[0] == pytest.approx(0.8) and adjusted[2] == pytest.approx(0.8)
    assert holm([0.9, 0.8]) == [1.0, 1.0]
    assert holm([0.2]) == [0.2]


def test_compare_applies_holm_over_three_systems():
    result = compare(systems=SYSTEMS, references=REFS, metrics=["bleu"], seed=12345)
    p1, p2 = SACREBLEU_BS["bleu"]
    rows = result.rows["bleu"]
    # by hand: sorted (0.0689, 0.1169): 2 * 0.0689 = 0.1379; max(0.1379, 0.1169) = 0.1379
    assert rows[1].p_holm == pytest.approx(2 * p1, abs=1e-15)
    assert rows[2].p_holm == pytest.approx(2 * p1, abs=1e-15)
    assert rows[0].baseline and rows[0].p_value is None
    assert "test:bootstrap|bs:1000|rs:12345" in result.signatures["bleu"]


def test_rouge_and_term_style_metrics_get_p_values():
    result = compare(systems=SYSTEMS, references=REFS, metrics=["rougeL", "rouge1_r"], resamples=300, seed=1)
    for metric in ("rougeL", "rouge1_r"):
        for row in result.rows[metric][1:]:
            assert 0.0 < row.p_value <= 1.0
    frame = result.to_frame()
    assert list(frame.columns[:3]) == ["metric", "system", "score"] and len(frame) == 6


def test_paired_tests_on_ratio_metric_by_construction():
    # system b gets every expected term right, a none: any resample keeps b ahead -> smallest possible p
    a = ratio_stats([0] * 30, [2] * 30, "a")
    b = ratio_stats([2] * 30, [2] * 30, "b")
    assert paired_bootstrap(a, b, resamples=99, seed=1).p_value == pytest.approx(1 / 100)
    assert approximate_randomization(a, b, trials=99, seed=1).p_value == pytest.approx(1 / 100)
    # identical systems: the AR statistic is always 0, a tie with the observed 0 -> p = 1 (standard rule);
    # sacreBLEU counts only "> observed" -> p = 1/(n+1)
    assert approximate_randomization(a, a, trials=99, seed=1).p_value == 1.0
    assert approximate_randomization(a, a, trials=99, seed=1, p_value="sacrebleu").p_value == pytest.approx(1 / 100)
    assert paired_bootstrap(a, a, resamples=99, seed=1).p_value == 1.0
    assert paired_bootstrap(a, a, resamples=99, seed=1, p_value="sacrebleu").p_value == pytest.approx(1 / 100)


def test_resampling_uses_float32_rows_for_sacrebleu_metrics_only():
    ter = sacrebleu_stats("ter", predictions=SYSTEMS["Borderline"], references=REFS)
    assert ter.resample_dtype is np.float32
    assert mean_stats([1.0], "x").resample_dtype is np.float64


def test_undefined_resamples_are_left_out_of_the_p_value():
    # term accuracy: only segment 0 has an expected term; resamples that miss it are undefined (NaN)
    a = ratio_stats([0] + [0] * 9, [1] + [0] * 9, "a")
    b = ratio_stats([1] + [0] * 9, [1] + [0] * 9, "b")
    idx = bootstrap_indices(10, 200, 5)
    drawn = int((idx == 0).any(axis=1).sum())  # resamples in which the metric is defined
    # every defined resample shows the full difference of 100: centred stats are 0, never >= 100
    for rule in ("standard", "sacrebleu"):
        assert paired_bootstrap(a, b, resamples=200, seed=5, p_value=rule).p_value == pytest.approx(1 / (drawn + 1))
    # nothing expected anywhere: no p-value at all
    none = ratio_stats([0] * 5, [0] * 5, "none")
    assert np.isnan(paired_bootstrap(none, none, resamples=10).p_value)
    assert holm([float("nan"), 0.2]) == [None, 0.2]
