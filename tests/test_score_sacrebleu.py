"""BLEU / chrF / chrF++ / TER wrappers: sacreBLEU's own test vectors, WMT21 golden numbers, direct parity."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sacrebleu

from toolkit.scoring import score
from toolkit.scoring.sacrebleu_metrics import (
    make_metric,
    sacrebleu_stats,
    score_from_stats,
    to_segments,
    to_streams,
)

DATA = Path(__file__).parent / "data" / "scoring"
CORPORA = Path(__file__).parent / "data" / "corpora"  # fixtures shared by several test modules
TOL = 1e-9  # the one tolerance for "equal to sacreBLEU" (same code, same float operations)

VECTORS = [json.loads(line) for line in (DATA / "sacrebleu_unit_test_vectors.jsonl").read_text().splitlines()]
SEGMENTS = [json.loads(line) for line in (CORPORA / "newstest2021_zhen_segments.jsonl").read_text().splitlines()]
OUTPUTS = [json.loads(line) for line in (CORPORA / "newstest2021_zhen_system_outputs.jsonl").read_text().splitlines()]
CORPUS = json.loads((CORPORA / "newstest2021_zhen_sacrebleu_corpus_scores_this_split.json").read_text())
REFS = [[s["reference"]] for s in SEGMENTS]
SEG_IDS = [s["seg_id"] for s in SEGMENTS]


def _system(name: str) -> list[str]:
    by_id = {o["seg_id"]: o["hypothesis"] for o in OUTPUTS if o["system"] == name}
    return [by_id[i] for i in SEG_IDS]


def test_vectors_file_is_complete():
    # 76 vectors transcribed from mjpost/sacrebleu test/*.py (see tests/data/scoring/README.md)
    assert len(VECTORS) == 76


@pytest.mark.parametrize("vec", VECTORS, ids=[v["id"] for v in VECTORS])
def test_sacrebleu_unit_vectors_through_wrapper(vec):
    # expected_score: sacreBLEU's own test tables (mjpost/sacrebleu test/test_*.py), per vector
    params = dict(vec["params"])
    if vec["level"] == "from_statistics":
        order = len(params["correct"])
        sums = [params.pop("sys_len"), params.pop("ref_len"), *params.pop("correct"), *params.pop("total")]
        params.setdefault("max_ngram_order", order)
        got = score_from_stats("bleu", sums, options=params)
    else:
        stats = sacrebleu_stats(
            vec["metric"], predictions=vec["hypotheses"], references=to_segments(vec["references"]), options=params
        )
        got = stats.corpus_score if vec["level"] == "corpus" else float(stats.segment_scores[0])
        if "expected_counts" in vec:
            assert stats.corpus_extra["counts"] == vec["expected_counts"]
            assert stats.corpus_extra["totals"] == vec["expected_totals"]
            return
    assert got == pytest.approx(vec["expected_score"], abs=vec["tolerance"] + 1e-12)


@pytest.mark.parametrize("system", sorted(CORPUS["systems"]))
def test_wmt21_corpus_scores_golden(system):
    # newstest2021_zhen_sacrebleu_corpus_scores_this_split.json: computed with sacrebleu 2.6.0 by the data curator
    gold = CORPUS["systems"][system]
    rep = score(predictions=_system(system), references=REFS, metrics=["bleu", "chrf", "chrf++", "ter"], bootstrap=0)
    for name in ("bleu", "chrf", "chrf++", "ter"):
        assert rep[name].score == pytest.approx(gold[name], abs=TOL)
    assert rep["bleu"].extra["counts"] == gold["bleu_counts"]
    assert rep["bleu"].extra["totals"] == gold["bleu_totals"]
    assert rep["bleu"].extra["sys_len"] == gold["sys_len"] and rep["bleu"].extra["ref_len"] == gold["ref_len"]
    for name in ("bleu", "chrf", "chrf++", "ter"):
        assert rep[name].signature.startswith(f"{name}|{CORPUS['signatures'][name]}|")


def test_wmt21_sentence_scores_golden():
    # sacrebleu_sentence fields of newstest2021_zhen_system_outputs.jsonl (sacrebleu 2.6.0, 6 decimals)
    for system in ("Borderline", "NiuTrans", "Online-W"):
        rows = {o["seg_id"]: o["sacrebleu_sentence"] for o in OUTPUTS if o["system"] == system}
        rep = score(predictions=_system(system), references=REFS, metrics=["bleu", "chrf", "ter"], bootstrap=0)
        for i, seg in enumerate(rep.segments):
            gold = rows[SEG_IDS[i]]
            for name in ("bleu", "chrf", "ter"):
                assert seg[name] == pytest.approx(gold[name], abs=5e-7), (system, SEG_IDS[i], name)


def test_direct_sacrebleu_parity_multi_reference_and_sentence():
    hyps = _system("NiuTrans")[:30]
    other = _system("Online-W")  # a second "reference" stream, to exercise multi-reference handling
    refs = [[r[0], o] for r, o in zip(REFS, other)][:30]
    streams = to_streams(refs)
    rep = score(predictions=hyps, references=refs, metrics=["bleu", "chrf", "chrf++", "ter"], bootstrap=0)
    assert rep["bleu"].score == pytest.approx(sacrebleu.corpus_bleu(hyps, streams).score, abs=TOL)
    assert rep["chrf"].score == pytest.approx(sacrebleu.corpus_chrf(hyps, streams).score, abs=TOL)
    assert rep["chrf++"].score == pytest.approx(sacrebleu.corpus_chrf(hyps, streams, word_order=2).score, abs=TOL)
    assert rep["ter"].score == pytest.approx(sacrebleu.corpus_ter(hyps, streams).score, abs=TOL)
    assert "nrefs:2" in rep["bleu"].signature
    for i in (0, 7, 29):
        assert rep.segments[i]["bleu"] == pytest.approx(sacrebleu.sentence_bleu(hyps[i], refs[i]).score, abs=TOL)
        assert rep.segments[i]["chrf"] == pytest.approx(sacrebleu.sentence_chrf(hyps[i], refs[i]).score, abs=TOL)
        assert rep.segments[i]["ter"] == pytest.approx(sacrebleu.sentence_ter(hyps[i], refs[i]).score, abs=TOL)


def test_variable_reference_counts_match_sacrebleu_none_streams():
    hyps = ["the cat sat on the mat", "a dog barked at night", "it rained all day long"]
    refs = [["the cat sat on a mat", "a cat was on the mat"], ["the dog barked at night"], ["it rained all day"]]
    streams = to_streams(refs)
    assert streams[1] == ["a cat was on the mat", None, None]
    rep = score(predictions=hyps, references=refs, metrics=["bleu", "chrf"], bootstrap=0)
    assert rep["bleu"].score == pytest.approx(sacrebleu.corpus_bleu(hyps, streams).score, abs=TOL)
    assert "nrefs:var" in rep["bleu"].signature


def test_corpus_score_is_pure_function_of_summed_stats():
    hyps = _system("SMU")
    stats = sacrebleu_stats("bleu", predictions=hyps, references=REFS)
    assert stats.aggregate(stats.stats.sum(0)) == pytest.approx(stats.corpus_score, abs=TOL)
    ter = sacrebleu_stats("ter", predictions=hyps, references=REFS)
    assert ter.aggregate(ter.stats.sum(0)) == pytest.approx(ter.corpus_score, abs=TOL)


def test_tokenizer_from_target_language_chinese():
    # zh target -> sacreBLEU's 'zh' tokenizer: each Chinese character is a token
    hyp, ref = ["我们今天去北京开会。"], [["我们明天去北京开会。"]]
    rep = score(predictions=hyp, references=ref, metrics=["bleu"], target_lang="zh", bootstrap=0)
    assert "tok:zh" in rep["bleu"].signature
    assert rep["bleu"].score == pytest.approx(sacrebleu.corpus_bleu(hyp, [["我们明天去北京开会。"]], tokenize="zh").score, abs=TOL)
    assert rep["bleu"].score > 0  # 13a would see one token each and give 0
    assert score(predictions=hyp, references=ref, metrics=["bleu"], bootstrap=0)["bleu"].score == 0.0
    assert make_metric("bleu", target_lang="en").tokenizer.signature() == "13a"
    ter = score(predictions=hyp, references=ref, metrics=["ter"], target_lang="zh", bootstrap=0)["ter"]
    assert "norm:yes|punct:yes|asian:yes" in ter.signature
    # by hand: one substituted character of 10 -> TER 10.0; a direct sacreBLEU call with the same options agrees
    direct = sacrebleu.corpus_ter(hyp, [["我们明天去北京开会。"]], normalized=True, asian_support=True).score
    assert ter.score == pytest.approx(direct, abs=TOL)
    assert ter.score == pytest.approx(10.0)


def test_stream_layout_round_trip():
    refs = [["a", "b"], ["c"], ["d", "e", "f"]]
    assert to_segments(to_streams(refs)) == refs
    assert np.array(to_streams(refs), dtype=object).shape == (3, 3)
