"""meta_evaluate and ``toolkit meta-evaluate`` on the development data, checked against scipy.stats."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.metaeval import MetaItem, from_summeval, from_wmt, meta_evaluate

DATA = Path(__file__).parent / "data" / "metaeval"
CORPORA = Path(__file__).parent / "data" / "corpora"  # fixtures shared by several test modules
TOL = 1e-9

# Means of 3 ratings (k/3) are exact ties that float summation order can break (3.3333333333333335 vs
# 3.333333333333333); the implementation treats values equal to 9 decimals as ties, so the scipy side
# gets the same rounding (it changes no Pearson value).
SCIPY = {
    "kendall": lambda x, y: scipy.stats.kendalltau(np.round(x, 9), np.round(y, 9), variant="b").statistic,
    "spearman": lambda x, y: scipy.stats.spearmanr(np.round(x, 9), np.round(y, 9)).statistic,
    "pearson": lambda x, y: scipy.stats.pearsonr(x, y).statistic,
}


@pytest.fixture(scope="module")
def summeval_result():
    items = from_summeval(CORPORA / "summeval_system_outputs.jsonl", CORPORA / "summeval_documents.jsonl")
    return items, meta_evaluate(items=items, metrics=["rouge1", "rouge2"], level="all", resamples=50, seed=3)


@pytest.fixture(scope="module")
def wmt_items():
    return from_wmt(CORPORA / "newstest2021_zhen_system_outputs.jsonl", CORPORA / "newstest2021_zhen_segments.jsonl")


@pytest.fixture(scope="module")
def wmt_result(wmt_items):
    # sentence TER is slow (about 10 s for 464 segments here): use the stored values for the correlations
    return meta_evaluate(items=wmt_items, metrics=["bleu", "chrf", "released_ter"], level="global", correlations=["kendall"], resamples=0)


def _frame(items, scores) -> pd.DataFrame:
    rows = [{"doc": i.id, "system": i.system, "metric": s, **i.human} for i, s in zip(items, scores)]
    return pd.DataFrame(rows)


def test_summeval_matches_scipy(summeval_result) -> None:
    items, result = summeval_result
    frame = result.to_frame()
    assert len(frame) == 2 * 4 * 3 * 3  # metrics x dimensions x levels x coefficients
    for metric in ("rouge1", "rouge2"):
        df = _frame(items, result.item_scores[metric])
        for dim in ("coherence", "consistency", "fluency", "relevance"):
            means = df.groupby("system")[["metric", dim]].mean()
            for corr, f in SCIPY.items():
                row = frame[(frame.metric == metric) & (frame.dimension == dim) & (frame.correlation == corr)]
                system = row[row.level == "system"].value.item()
                assert system == pytest.approx(f(means["metric"], means[dim]), abs=TOL)
                per_doc = [f(g["metric"], g[dim]) for _, g in df.groupby("doc")]
                per_doc = [v for v in per_doc if not math.isnan(v)]
                assert row[row.level == "summary"].value.item() == pytest.approx(np.mean(per_doc), abs=TOL)
                assert row[row.level == "global"].value.item() == pytest.approx(f(df["metric"], df[dim]), abs=TOL)
    assert (frame.n_systems == 16).all()


def test_summeval_golden_values(summeval_result) -> None:
    # Values printed by this implementation on the dev split (rouge-score F1, no stemming, best of 11 refs),
    # cross-checked with scipy in test_summeval_matches_scipy; kept here to catch silent changes.
    _, result = summeval_result
    cells = {(r.metric, r.dimension, r.level, r.correlation): r.value for r in result.rows}
    assert cells[("rouge1", "relevance", "system", "kendall")] == pytest.approx(0.44459061923690013, abs=TOL)
    assert cells[("rouge1", "relevance", "summary", "kendall")] == pytest.approx(0.4357994396933383, abs=TOL)


def test_wmt_engine_scores_equal_stored_sacrebleu(wmt_items, wmt_result) -> None:
    # the shared file stores sacrebleu 2.6.0 sentence scores rounded to 6 decimals
    result = wmt_result
    for metric in ("bleu", "chrf"):
        stored = [i.scores[f"released_{metric}"] for i in wmt_items]
        assert np.allclose(result.item_scores[metric], stored, atol=1e-6)
    one_system = [i for i in wmt_items if i.system == "Online-W"]
    ter = meta_evaluate(items=one_system, metrics=["ter"], level="global", correlations=["pearson"], resamples=0)
    assert np.allclose(ter.item_scores["ter"], [i.scores["released_ter"] for i in one_system], atol=1e-6)


def test_wmt_global_with_missing_da_matches_scipy(wmt_items, wmt_result) -> None:
    result = wmt_result
    cells = {(r.metric, r.dimension): r for r in result.rows}
    chrf = np.array(result.item_scores["chrf"])
    ter = np.array(result.item_scores["released_ter"])
    da = np.array([i.human["da_z"] for i in wmt_items])
    mqm = np.array([i.human["mqm"] for i in wmt_items])
    keep = ~np.isnan(da)
    assert cells[("chrf", "da_z")].value == pytest.approx(SCIPY["kendall"](chrf[keep], da[keep]), abs=TOL)
    assert cells[("chrf", "da_z")].n_documents == len({i.id for i, k in zip(wmt_items, keep) if k})
    # TER is an error rate: it is negated so that agreement with MQM gives a positive correlation
    assert cells[("released_ter", "mqm")].negated and cells[("released_ter", "mqm")].value == pytest.approx(SCIPY["kendall"](-ter, mqm), abs=TOL)


def test_wmt_corpus_system_scores_match_stored_sacrebleu(wmt_items) -> None:
    # shared/data stores corpus BLEU and chrF2 per system on these 58 segments (sacrebleu 2.6.0)
    stored = json.loads((CORPORA / "newstest2021_zhen_sacrebleu_corpus_scores_this_split.json").read_text())["systems"]
    result = meta_evaluate(items=wmt_items, metrics=["bleu", "chrf"], level="system", system_scores="corpus", correlations=["pearson"], resamples=0)
    mqm = pd.DataFrame([{"system": i.system, "mqm": i.human["mqm"]} for i in wmt_items]).groupby("system")["mqm"].mean()
    for row in (r for r in result.rows if r.dimension == "mqm"):
        corpus = [stored[s][row.metric] for s in mqm.index]
        assert row.value == pytest.approx(SCIPY["pearson"](corpus, mqm.values), abs=1e-9)
        assert row.ci_low is None and row.n_systems == 8


def test_hand_example_and_paired_test_rows() -> None:
    # 3 systems x 2 docs, the same numbers as test_metaeval_correlate (summary Kendall 2/3, system 2/sqrt(6))
    human = {("d1", "A"): 1, ("d1", "B"): 2, ("d1", "C"): 3, ("d2", "A"): 2, ("d2", "B"): 1, ("d2", "C"): 3}
    items = [MetaItem(d, s, "x", ("x",), {"h": float(v)}) for (d, s), v in human.items()]
    result = meta_evaluate(
        items=items, metrics=["m", "n"], item_scores={"m": [1, 2, 3, 1, 2, 3], "n": [3, 2, 1, 3, 2, 1]},
        correlations=["kendall"], resamples=100, compare=[("m", "n")],
    )
    values = {(r.metric, r.level): r.value for r in result.rows}
    assert values[("m", "summary")] == pytest.approx(2 / 3, abs=TOL)
    assert values[("m", "system")] == pytest.approx(2 / math.sqrt(6), abs=TOL)
    assert values[("n", "summary")] == pytest.approx(-2 / 3, abs=TOL)  # reversed order flips every sign
    assert [t.delta for t in result.tests] == pytest.approx([4 / math.sqrt(6), 4 / 3], abs=TOL)
    json.dumps(result.to_dict())  # plain JSON
    assert "| m | 0.816" in result.to_markdown(ci=False)
    with pytest.raises(InputError, match="compare: metric 'z'"):
        meta_evaluate(items=items, metrics=["m"], item_scores={"m": [1] * 6}, compare=[("m", "z")])
    with pytest.raises(InputError, match="dimension 'rel' not found"):
        meta_evaluate(items=items, metrics=["m"], item_scores={"m": [1] * 6}, dimensions=["rel"])


def test_cli_newsroom_and_items_round_trip(tmp_path: Path, capsys) -> None:
    out, items_path, csv_path = tmp_path / "r.json", tmp_path / "items.jsonl", tmp_path / "r.csv"
    rc = main([
        "meta-evaluate", "--format", "newsroom", "--human", str(CORPORA / "newsroom_humaneval.jsonl"),
        "--metrics", "rouge1,rougeL", "--level", "both", "--corr", "kendall,pearson", "--resamples", "20",
        "--compare", "rouge1:rougeL", "--output", str(out), "--csv", str(csv_path), "--write-items", str(items_path),
    ])
    printed = capsys.readouterr().out
    assert rc == 0
    assert "21 items, 7 systems, 3 documents" in printed and "**summary level, kendall**" in printed
    first = json.loads(out.read_text())
    assert len(first["rows"]) == 2 * 4 * 2 * 2 and len(first["tests"]) == 4 * 2 * 2
    assert len(pd.read_csv(csv_path)) == 32
    rc = main([
        "meta-evaluate", "--human", str(items_path), "--metrics", "rouge1,rougeL", "--corr", "kendall,pearson",
        "--resamples", "20", "--compare", "rouge1:rougeL", "--output", str(out),
    ])
    assert rc == 0
    assert json.loads(out.read_text())["rows"] == first["rows"]


def test_cli_errors(capsys) -> None:
    human = str(CORPORA / "newsroom_humaneval.jsonl")
    assert main(["meta-evaluate", "--format", "newsroom", "--human", human, "--metrics", "rouge1", "--level", "sistem"]) == 1
    assert "error: level 'sistem' not found. Did you mean 'system'?" in capsys.readouterr().err
    assert main(["meta-evaluate", "--format", "newsroom", "--human", human, "--metrics", "rouge1", "--compare", "rouge1"]) == 1
    assert "expected A:B" in capsys.readouterr().err
    assert main(["meta-evaluate", "--format", "summeval", "--human", human, "--metrics", "rouge1"]) == 1
    assert "needs --documents" in capsys.readouterr().err
