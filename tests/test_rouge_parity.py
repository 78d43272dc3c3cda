"""Parity of ``rouge(mode="rouge-score")`` with Google's rouge-score package on real text pairs.

Every number is compared with a direct call of ``rouge_score.rouge_scorer.RougeScorer`` (``score`` for
one reference, ``score_multi`` for several) to 1e-9. Inputs: ``tests/data/rouge/`` (see its README):
SummEval system summaries vs their 11 references, RealSumm system summaries vs references with one
sentence per line, Newsroom summaries, WMT21 zh-en translation hypotheses vs references, whole
articles vs summaries, and randomly paired texts from all of these (seeded).
"""

from __future__ import annotations

import json
import random
from functools import lru_cache
from pathlib import Path

import pytest
from rouge_score import rouge_scorer

from toolkit.scoring.rouge import rouge

DATA = Path(__file__).parent / "data" / "rouge"
CORPORA = Path(__file__).parent / "data" / "corpora"  # fixtures shared by several test modules
TOL = 1e-9
VARIANTS = ["rouge1", "rouge2", "rouge3", "rouge4", "rouge9", "rougeL", "rougeLsum"]

Pair = tuple[str, str, list[str]]  # (origin, prediction, references)


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in ((CORPORA if (CORPORA / name).exists() else DATA) / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@lru_cache(maxsize=1)
def parity_pairs() -> list[Pair]:
    """All real pairs, then seeded random pairings of the same texts (about 3,000 in all)."""
    pairs: list[Pair] = []
    docs = {d["id"]: d for d in _jsonl("summeval_documents.jsonl")}
    for row in _jsonl("summeval_system_outputs.jsonl"):
        refs = docs[row["id"]]["references"]
        pairs.append(("summeval-11refs", row["summary"], refs))
        pairs.append(("summeval-1ref", row["summary"], refs[:1]))
    for doc in _jsonl("realsumm.jsonl"):
        ref = "\n".join(doc["reference_sentences"])
        for out in doc["system_outputs"]:
            pairs.append(("realsumm-lines", "\n".join(out["summary_sentences"]), [ref]))
    for doc in _jsonl("newsroom_humaneval.jsonl"):
        for out in doc["system_outputs"]:
            pairs.append(("newsroom", out["summary"], doc["references"]))
    segs = {s["seg_id"]: s for s in _jsonl("newstest2021_zhen_segments.jsonl")}
    for row in _jsonl("newstest2021_zhen_system_outputs.jsonl"):
        pairs.append(("wmt21-zhen", row["hypothesis"], [segs[row["seg_id"]]["reference"]]))
    long_docs: list[str] = []
    for name in ("summeval_documents.jsonl", "xsum_sample.jsonl", "bbc_news_summary.jsonl", "newsroom_humaneval.jsonl"):
        for doc in _jsonl(name):
            pairs.append((f"document-vs-reference:{name}", doc["document"], doc["references"]))
            long_docs.append(doc["document"])
    pool = [p for _, p, _ in pairs if len(p) < 1500] + [r for _, _, refs in pairs for r in refs if len(r) < 1500]
    pool += [s["source"] for s in segs.values()]  # Chinese: rouge-score keeps no token of it
    rng = random.Random(20241126)
    for k in range(2300):
        pred, ref = rng.choice(pool), rng.choice(pool)
        if k % 3 == 0:  # one sentence per line, for rougeLsum
            pred, ref = pred.replace(". ", ".\n"), ref.replace(". ", ".\n")
        refs = [ref] if k % 4 else [ref, rng.choice(pool), rng.choice(pool)]
        pairs.append(("random", pred, refs))
    for k in range(6):
        pairs.append(("random-long", rng.choice(long_docs), [rng.choice(long_docs)]))
    return pairs


def _reference_scores(pairs: list[Pair], variants: list[str], stem: bool) -> list[dict]:
    scorer = rouge_scorer.RougeScorer(variants, use_stemmer=stem)
    return [scorer.score(refs[0], pred) if len(refs) == 1 else scorer.score_multi(refs, pred) for _, pred, refs in pairs]


def _assert_parity(pairs: list[Pair], variants: list[str], stem: bool) -> None:
    expected = _reference_scores(pairs, variants, stem)
    got = rouge(
        predictions=[p for _, p, _ in pairs], references=[r for _, _, r in pairs], variants=variants, stem=stem
    )
    for (origin, pred, refs), exp, ours in zip(pairs, expected, got):
        for v in variants:
            e, o = exp[v], ours[v]
            assert abs(e.precision - o.precision) <= TOL, (origin, v, pred[:80], refs[0][:80], e, o)
            assert abs(e.recall - o.recall) <= TOL, (origin, v, pred[:80], refs[0][:80], e, o)
            assert abs(e.fmeasure - o.fmeasure) <= TOL, (origin, v, pred[:80], refs[0][:80], e, o)


def test_pair_corpus_is_large_and_varied() -> None:
    pairs = parity_pairs()
    origins = {o.split(":")[0] for o, _, _ in pairs}
    assert len(pairs) >= 3000
    assert {"summeval-11refs", "realsumm-lines", "wmt21-zhen", "document-vs-reference", "random"} <= origins


@pytest.mark.parametrize("stem", [False, True])
def test_parity_real_pairs_fast_subset(stem: bool) -> None:
    # Every 7th pair (about 440, long documents excluded): quick enough for every run.
    pairs = [p for p in parity_pairs()[::7] if len(p[1]) < 3000]
    _assert_parity(pairs, ["rouge1", "rouge2", "rougeL", "rougeLsum"], stem)


@pytest.mark.slow
@pytest.mark.parametrize("variants", [VARIANTS, ["rouge1", "rouge2", "rougeL", "rougeLsum"]], ids=["all", "fast-path"])
@pytest.mark.parametrize("stem", [False, True])
def test_parity_all_pairs_all_variants(stem: bool, variants: list[str]) -> None:
    # rouge1/2/L/Lsum alone take an inlined path for single references; with rouge3+ the general one.
    _assert_parity(parity_pairs(), variants, stem)


def test_the_signature_names_the_rouge_score_release_this_parity_test_runs_against() -> None:
    from importlib import metadata

    from toolkit.scoring.rouge.signature import ROUGE_SCORE_REFERENCE

    assert metadata.version("rouge-score") == ROUGE_SCORE_REFERENCE
