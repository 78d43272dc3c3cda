"""Golden tests of ``rouge(mode="rouge155")`` and ``rouge155_average`` against the original Perl script.

Every expected number below was printed by ``ROUGE-1.5.5.pl -c 95 -2 4 -U -r 1000 -n 4 -w 1.2 -a -d
[-m]`` (see ``tests/data/rouge/README.md``); they are compared exactly (the script prints 5 decimals and
so do we).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from toolkit.errors import InputError, UnknownNameError
from toolkit.scoring.rouge import PRF, rouge, rouge155_average
from toolkit.scoring.rouge.perl import _drand48_indices, rouge155_segment

DATA = Path(__file__).parent / "data" / "rouge"
CORPORA = Path(__file__).parent / "data" / "corpora"  # fixtures shared by several test modules
PERL_NAMES = {
    "ROUGE-1": "rouge1", "ROUGE-2": "rouge2", "ROUGE-3": "rouge3", "ROUGE-4": "rouge4", "ROUGE-L": "rougeL",
    "ROUGE-W-1.2": "rougeW", "ROUGE-S4": "rougeS4", "ROUGE-SU4": "rougeSU4",
}  # fmt: skip
# variant in the reference files -> (stem, WordNet exceptions, number of references)
SETTINGS = {
    "single_ref/no_stemming": (False, True, 1),
    "single_ref/porter_stemming_wordnet_exceptions": (True, True, 1),
    "single_ref/porter_stemming_EMPTY_wordnet_db": (True, False, 1),
    "all_11_refs/no_stemming": (False, True, 11),
    "all_11_refs/porter_stemming_wordnet_exceptions": (True, True, 11),
}


def _jsonl(name: str) -> list[dict]:
    return [json.loads(x) for x in ((CORPORA if (CORPORA / name).exists() else DATA) / name).read_text(encoding="utf-8").splitlines() if x.strip()]


@lru_cache(maxsize=1)
def _our_scores() -> dict[str, dict[str, dict[str, dict[str, PRF]]]]:
    """setting -> system -> doc id -> variant -> PRF, scored once for all tests."""
    refs = {r["id"]: r for r in _jsonl("rouge155_summeval_references.jsonl")}
    rows = _jsonl("rouge155_summeval_scores.jsonl")
    out: dict = {}
    for setting, (stem, exceptions, nref) in SETTINGS.items():
        preds, references, keys = [], [], []
        for row in rows:
            r = refs[row["id"]]
            all_refs = ["\n".join(s) for s in r["reference_sentences"]]
            preds.append("\n".join(row["hypothesis_sentences"]))
            references.append(all_refs[r["single_ref_index"] : r["single_ref_index"] + 1] if nref == 1 else all_refs)
            keys.append((row["system"], row["id"]))
        scores = rouge(
            predictions=preds, references=references, variants=list(PERL_NAMES.values()), mode="rouge155",
            stem=stem, multi_ref="average", rouge155_exceptions=exceptions,
        )  # fmt: skip
        for (system, doc), s in zip(keys, scores):
            out.setdefault(setting, {}).setdefault(system, {})[doc] = s
    return out


def test_reference_files_cover_all_settings() -> None:
    rows = _jsonl("rouge155_summeval_scores.jsonl")
    assert len(rows) == 80
    assert all(set(r["rouge155"]) == set(SETTINGS) for r in rows)


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_per_document_scores_equal_rouge155(setting: str) -> None:
    ours = _our_scores()[setting]
    checked = 0
    for row in _jsonl("rouge155_summeval_scores.jsonl"):
        for perl_name, expected in row["rouge155"][setting].items():
            got = ours[row["system"]][row["id"]][PERL_NAMES[perl_name]]
            assert (got.recall, got.precision, got.fmeasure) == (expected["r"], expected["p"], expected["f"]), (
                row["system"], row["id"], perl_name,
            )  # fmt: skip
            checked += 1
    assert checked == 80 * 7


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_system_averages_replay_the_perl_bootstrap(setting: str) -> None:
    averages = json.loads((CORPORA / "rouge155_summeval_system_averages.json").read_text())["averages"][setting]
    ours = _our_scores()[setting]
    for system, variants in averages.items():
        for perl_name, expected in variants.items():
            docs = {doc: s[PERL_NAMES[perl_name]] for doc, s in ours[system].items()}
            got = rouge155_average(docs).average
            assert (got.recall, got.precision, got.fmeasure) == (expected["r"], expected["p"], expected["f"]), (
                system, perl_name,
            )  # fmt: skip


def test_average_is_not_the_plain_mean() -> None:
    # single_ref/no_stemming, system M0, ROUGE-1: the script prints Average_R 0.48467 (reference file);
    # the plain mean of the 5 per-document recalls is different, the bootstrap replay is exact.
    docs = {doc: s["rouge1"] for doc, s in _our_scores()["single_ref/no_stemming"]["M0"].items()}
    plain = sum(s.recall for s in docs.values()) / len(docs)
    assert round(plain, 5) != 0.48467
    result = rouge155_average(docs)
    assert result.average.recall == 0.48467
    assert result.ci_low.recall <= result.average.recall <= result.ci_high.recall
    assert set(result.to_dict()) == {"average", "ci", "confidence", "n_samples"}


def test_drand48_matches_the_lcg_definition() -> None:
    # x1 = (0x5DEECE66D * 0x330E + 0xB) mod 2**48 after srand(0); index = int(n * x1 / 2**48) (by hand)
    x1 = (0x5DEECE66D * 0x330E + 0xB) % 2**48
    assert _drand48_indices(0, 1000)[0] == int(1000 * x1 / 2**48)
    assert _drand48_indices(0, 5) == _drand48_indices(0, 5)


ROUGE_SCORE_TESTDATA = DATA / "rouge_score_testdata"


def _lines(name: str) -> list[str]:
    return (ROUGE_SCORE_TESTDATA / name).read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("mode", ["rouge155", "rouge-score"])
def test_google_testdata_ground_truth(mode: str) -> None:
    # expected_rouge155.json: ROUGE-1.5.5 values quoted in rouge-score's own test file.
    spec = json.loads((ROUGE_SCORE_TESTDATA / "expected_rouge155.json").read_text())
    targets, predictions = _lines("target.txt"), _lines("prediction.txt")
    for case in spec["cases"]:
        variants = [k for k in case if k.startswith("rouge")]
        if case["target"].startswith("target.txt:"):
            i = int(case["target"].split(":")[1]) - 1
            pred, ref = predictions[i], targets[i]
        else:
            pred = (ROUGE_SCORE_TESTDATA / "prediction_multi.0.txt").read_text(encoding="utf-8")
            ref = (ROUGE_SCORE_TESTDATA / "target_multi.0.txt").read_text(encoding="utf-8")
        got = rouge(predictions=[pred], references=[[ref]], variants=variants, mode=mode, stem=case["stemming"])[0]
        for v in variants:
            e = case[v]
            # rouge155 F is computed from rounded R and P, as the script does: 1e-5 apart at most
            assert abs(got[v].recall - e["r"]) < 6e-6 and abs(got[v].precision - e["p"]) < 6e-6, (case, v)
            assert abs(got[v].fmeasure - e["f"]) < 1.1e-5, (case, v)


def test_rouge155_rounds_r_and_p_before_f() -> None:
    # target.txt:2 vs prediction.txt:2, ROUGE-2: the script prints F 0.36363 (expected_rouge155.json note),
    # the exact F of R=12/41, P=12/25 is 0.363636...
    got = rouge(
        predictions=[_lines("prediction.txt")[1]], references=[[_lines("target.txt")[1]]], variants=["rouge2"],
        mode="rouge155",
    )[0]["rouge2"]  # fmt: skip
    assert (got.recall, got.precision, got.fmeasure) == (0.29268, 0.48, 0.36363)


def test_multi_reference_sums_hits_and_counts() -> None:
    # -f A by hand: peer "a b c", models "a b" (2 hits of 2) and "c d e f" (1 of 4):
    # R = 3/6 = 0.5, P = 3/(3+3) = 0.5; the mean of per-reference recalls would be 0.625.
    s = rouge155_segment("a b c", ["a b", "c d e f"], ["rouge1"])["rouge1"]
    assert (s.recall, s.precision, s.fmeasure) == (0.5, 0.5, 0.5)
    # -f B keeps the model with the best recall: "a b" (R 1, P 2/3 -> F 0.8)
    b = rouge155_segment("a b c", ["a b", "c d e f"], ["rouge1"], multi_ref="best")["rouge1"]
    assert (b.recall, b.precision, b.fmeasure) == (1.0, 0.66667, 0.8)


def test_skip_bigram_unigrams_skip_the_last_token() -> None:
    # "a b c" vs itself, SU4 by hand: pairs ab ac bc (3) + unigrams a b (the script's loop stops before c) = 5
    s = rouge155_segment("a b c", ["a b c"], ["rougeSU4", "rougeS4"])
    assert s["rougeSU4"] == PRF(1.0, 1.0, 1.0) and s["rougeS4"] == PRF(1.0, 1.0, 1.0)
    one = rouge155_segment("a b c d", ["a"], ["rougeSU4"])["rougeSU4"]  # model has no SU unit at all
    assert one == PRF(0.0, 0.0, 0.0)


def test_rouge155_lines_and_tokens() -> None:
    # Non-ASCII characters and hyphens separate tokens; empty lines are dropped; "-" is not a token.
    s = rouge155_segment("state-of-the-art\n\nnaïve", ["state of the art na ve"], ["rouge1", "rougeL", "rougeW"])
    assert s["rouge1"] == PRF(1.0, 1.0, 1.0)
    # summary-level LCS: the union over the two peer lines covers the whole model sentence ...
    assert s["rougeL"] == PRF(1.0, 1.0, 1.0)
    # ... and ROUGE-W sees one run of 6 hits; the script raises the summed model weight 6**1.2 to
    # the power 1.2 once more, so R = (6**1.2 / (6**1.2)**1.2) ** (1/1.2) = 6**-0.2 (by hand), P = 1.
    assert s["rougeW"].recall == round((6**1.2 / (6**1.2) ** 1.2) ** (1 / 1.2), 5) == 0.69883
    assert s["rougeW"].precision == 1.0


@pytest.mark.parametrize("pred,ref", [("", "the cat"), ("the cat", ""), ("", ""), ("!!! ...", "the cat")])
def test_rouge155_empty_texts_score_zero(pred: str, ref: str) -> None:
    s = rouge(predictions=[pred], references=[[ref]], variants=["rouge1", "rougeL", "rougeW", "rougeSU4"], mode="rouge155")
    assert all(v == PRF(0.0, 0.0, 0.0) for v in s[0].values())


def test_rouge155_errors() -> None:
    with pytest.raises(UnknownNameError, match="rougeX"):
        rouge(predictions=["a"], references=[["a"]], variants=["rougeX"], mode="rouge155")
    with pytest.raises(InputError):
        rouge155_average({})
