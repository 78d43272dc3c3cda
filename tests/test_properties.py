"""Property-based tests (hypothesis) of the metrics in ``toolkit.scoring`` (issue 6).

- a perfect prediction gets the best score of every registered metric that declares a direction;
- segment ROUGE equals a naive implementation of its definition (in this file), and corpus ROUGE is their mean;
- ROUGE mean, corpus BLEU, corpus chrF and TER do not depend on the order of the segments;
- a segment's score does not depend on which other segments are scored with it (batching);
- the bootstrap never changes the point score.

The terminology engine's properties (offsets, idempotence, no overlap) live in
``tests/test_terminology_properties.py``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.scoring import score
from toolkit.scoring.registry import METRICS

WORDS = ("river town flood water road train work repair damage council people city rain storm minister "
         "visited area homes business cost week police fire hotel report said new old closed").split()

# Segments of 4-8 distinct words: long enough for BLEU's 4-grams, and with no repeated n-grams (so the
# reference-free repetition diagnostics are at their best too).
segment = st.lists(st.sampled_from(WORDS), min_size=4, max_size=8, unique=True).map(" ".join)
corpus = st.lists(segment, min_size=1, max_size=6)
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TERM_GLOSSARY = "canonical\tvariants\tsource\nJin Xiangjun\tJinxiang Army\t金湘军\n"


def _directional(mode: str) -> list[str]:
    names = []
    for name, spec in METRICS.items():
        info = spec.info
        if info.higher_is_better is None or info.needs_model:
            continue  # descriptive diagnostics have no best; minilm-cosine loads a model (tested in its own file)
        if info.needs_source:
            continue  # support by the source (faithfulness): perfect for a copy of the source, tests/test_faithfulness.py
        if info.rouge_modes is not None and mode not in info.rouge_modes:
            continue
        if name.startswith("rougeW"):
            # ROUGE-1.5.5 raises the summed weighted-LCS model count to 1.2 a second time, so even identical
            # texts score below 100 (recall 0.69883 for 6 tokens: tests/test_rouge155.py, the script's quirk)
            continue
        names.append(name)
    return names


def test_every_directional_metric_is_covered() -> None:
    covered = set(_directional("rouge-score")) | set(_directional("rouge155"))
    expected = {n for n, s in METRICS.items()
                if s.info.higher_is_better is not None and not s.info.needs_model and not s.info.needs_source
                and not n.startswith("rougeW")}
    assert covered == expected
    assert {"rouge1", "rougeLsum", "rougeSU4", "bleu", "chrf++", "ter", "terms", "terms_leak", "repeated_3gram"} <= covered


@pytest.fixture(scope="module")
def glossary(tmp_path_factory: pytest.TempPathFactory):
    from toolkit.terminology import load_glossary

    path = Path(tmp_path_factory.mktemp("gloss")) / "g.tsv"
    path.write_text(TERM_GLOSSARY, encoding="utf-8")
    return load_glossary(path)


@pytest.mark.parametrize("mode", ["rouge-score", "rouge155", "unicode"])
@FAST
@given(texts=corpus)
def test_a_perfect_prediction_gets_the_best_score(mode: str, texts: list[str], glossary) -> None:
    names = _directional(mode)
    # the source names the glossary term, and the prediction (= reference) uses its canonical form
    predictions = [f"Jin Xiangjun {t}" for t in texts]
    sources = ["金湘军说" for _ in texts]
    report = score(predictions=predictions, references=[[p] for p in predictions], metrics=names, sources=sources,
                   glossary=glossary, rouge_mode=mode, bootstrap=0)
    for name in names:
        best = METRICS[name].info.best
        assert report[name].score == pytest.approx(best, abs=1e-9), (name, report[name].score)
        for row in report.segments:
            assert row[name] == pytest.approx(best, abs=1e-9), (name, row)


@pytest.mark.parametrize("mode", ["rouge-score", "unicode"])
@FAST
@given(pairs=st.lists(st.tuples(segment, segment), min_size=1, max_size=6))
def test_corpus_rouge_is_the_mean_of_segment_rouge(mode: str, pairs: list[tuple[str, str]]) -> None:
    names = ["rouge1", "rouge2", "rougeL", "rougeLsum", "rouge1_p", "rougeL_r"]
    report = score(predictions=[p for p, _ in pairs], references=[[r] for _, r in pairs], metrics=names,
                   rouge_mode=mode, bootstrap=0)
    expected = [_naive_rouge(p, r) for p, r in pairs]  # computed here, not by the code under test
    for name in names:
        assert [row[name] for row in report.segments] == pytest.approx([e[name] for e in expected], abs=1e-9), name
        mean = sum(e[name] for e in expected) / len(pairs)
        assert report[name].score == pytest.approx(mean, abs=1e-9), name


def _naive_rouge(prediction: str, reference: str) -> dict[str, float]:
    """ROUGE of one lower-case, one-sentence segment pair from the definitions (Lin 2004), on the 0-100 scale:
    n-gram overlap with clipped counts, and the longest common subsequence by the quadratic table."""

    def prf(hits: int, n_pred: int, n_ref: int) -> tuple[float, float, float]:
        p, r = (hits / n_pred if n_pred else 0.0), (hits / n_ref if n_ref else 0.0)
        return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)

    def grams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
        return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))

    pred, ref = prediction.split(), reference.split()
    out: dict[str, float] = {}
    for n in (1, 2):
        gp, gr = grams(pred, n), grams(ref, n)
        p, _, f = prf(sum((gp & gr).values()), sum(gp.values()), sum(gr.values()))
        out[f"rouge{n}"], out[f"rouge{n}_p"] = f, p
    table = [[0] * (len(ref) + 1) for _ in range(len(pred) + 1)]
    for i, a in enumerate(pred):
        for j, b in enumerate(ref):
            table[i + 1][j + 1] = table[i][j] + 1 if a == b else max(table[i][j + 1], table[i + 1][j])
    _, out["rougeL_r"], out["rougeL"] = prf(table[-1][-1], len(pred), len(ref))
    out["rougeLsum"] = out["rougeL"]  # one sentence: the summary-level LCS is the LCS
    return out


def test_the_naive_rouge_reference_itself() -> None:
    got = _naive_rouge("the cat sat on the mat", "the cat was on the mat")
    # 5 of 6 unigrams, 3 of 5 bigrams ("the cat", "on the", "the mat"), LCS 5 ("the cat on the mat")
    assert got["rouge1"] == pytest.approx(100 * 5 / 6) and got["rouge1_p"] == pytest.approx(100 * 5 / 6)
    assert got["rouge2"] == pytest.approx(60.0) and got["rougeL"] == pytest.approx(100 * 5 / 6)
    assert got["rougeL_r"] == pytest.approx(100 * 5 / 6) and got["rougeLsum"] == got["rougeL"]


ORDER_METRICS = ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf", "chrf++", "ter"]


@FAST
@given(pairs=st.lists(st.tuples(segment, segment), min_size=2, max_size=6), data=st.data())
def test_corpus_scores_do_not_depend_on_segment_order(pairs: list[tuple[str, str]], data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(pairs))))
    shuffled = [pairs[i] for i in order]
    a = score(predictions=[p for p, _ in pairs], references=[[r] for _, r in pairs], metrics=ORDER_METRICS, bootstrap=0)
    b = score(predictions=[p for p, _ in shuffled], references=[[r] for _, r in shuffled], metrics=ORDER_METRICS,
              bootstrap=0)
    for name in ORDER_METRICS:
        assert b[name].score == pytest.approx(a[name].score, abs=1e-9), name
        # per-segment values move with their segment
        assert [b.segments[j][name] for j in range(len(order))] == pytest.approx(
            [a.segments[i][name] for i in order], abs=1e-12)


@FAST
@given(pairs=st.lists(st.tuples(segment, segment), min_size=2, max_size=6), data=st.data())
def test_segment_scores_do_not_depend_on_the_batch(pairs: list[tuple[str, str]], data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, len(pairs) - 1))
    whole = score(predictions=[p for p, _ in pairs], references=[[r] for _, r in pairs], metrics=ORDER_METRICS,
                  bootstrap=0)
    halves = [score(predictions=[p for p, _ in part], references=[[r] for _, r in part], metrics=ORDER_METRICS,
                    bootstrap=0) for part in (pairs[:cut], pairs[cut:])]
    rows = list(halves[0].segments) + list(halves[1].segments)
    for name in ORDER_METRICS:
        assert [r[name] for r in rows] == pytest.approx([r[name] for r in whole.segments], abs=1e-12), name


@FAST
@given(pairs=st.lists(st.tuples(segment, segment), min_size=2, max_size=5),
       resamples=st.integers(10, 60), seed=st.integers(0, 2**31 - 1))
def test_the_bootstrap_does_not_change_the_point_score(pairs: list[tuple[str, str]], resamples: int, seed: int) -> None:
    metrics = ["rouge1", "rougeL", "bleu", "chrf", "ter"]
    kwargs = dict(predictions=[p for p, _ in pairs], references=[[r] for _, r in pairs], metrics=metrics)
    plain = score(**kwargs, bootstrap=0)
    boot = score(**kwargs, bootstrap=resamples, seed=seed)
    for name in metrics:
        assert boot[name].score == plain[name].score, name
        assert plain[name].ci is None and boot[name].ci is not None
        low, high = boot[name].ci
        assert low <= high
