"""Converters from the shared human-judgment files to meta-evaluation items (row counts and fields)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from toolkit.errors import InputError, UnknownNameError
from toolkit.metaeval import convert, from_newsroom, from_realsumm, from_summeval, from_wmt, item_from_dict, items_from_dicts

DATA = Path(__file__).parent / "data" / "metaeval"
CORPORA = Path(__file__).parent / "data" / "corpora"  # fixtures shared by several test modules


def test_summeval_all_and_first_reference() -> None:
    items = from_summeval(CORPORA / "summeval_system_outputs.jsonl", CORPORA / "summeval_documents.jsonl")
    assert len(items) == 80  # 16 systems x 5 documents (shared/data README)
    assert len({i.system for i in items}) == 16 and len({i.id for i in items}) == 5
    assert all(len(i.references) == 11 for i in items)
    assert set(items[0].human) == {"coherence", "consistency", "fluency", "relevance"}
    assert items[0].system == "M0" and items[0].human["consistency"] == 5.0  # first line of the file
    first = from_summeval(CORPORA / "summeval_system_outputs.jsonl", CORPORA / "summeval_documents.jsonl", references="first")
    docs = {json.loads(line)["id"]: json.loads(line) for line in (CORPORA / "summeval_documents.jsonl").open()}
    assert all(i.references == (docs[i.id]["references"][0],) for i in first)
    assert first[0].source == docs[first[0].id]["document"]


def test_realsumm() -> None:
    items = from_realsumm(CORPORA / "realsumm.jsonl")
    assert len(items) == 75  # 3 documents x 25 system outputs
    assert Counter(i.id for i in items) == {"57": 25, "71": 25, "99": 25}
    assert all(set(i.human) == {"litepyramid_recall"} for i in items)
    first = items[0]
    assert first.system == "abs:bart_out" and first.human["litepyramid_recall"] == pytest.approx(1 / 3)
    assert "\n" in first.references[0]  # reference sentences joined by newlines (for rougeLsum)
    assert first.scores["released_rouge_1_f_score"] == pytest.approx(49.541)  # 0.49541 in the file, x 100


def test_newsroom() -> None:
    items = from_newsroom(CORPORA / "newsroom_humaneval.jsonl")
    assert len(items) == 21  # 3 documents x 7 systems
    assert set(items[0].human) == {"coherence", "fluency", "informativeness", "relevance"}
    assert items[0].system == "abstractive" and items[0].text == "Device could help save lives"


def test_wmt_mqm_and_da() -> None:
    items = from_wmt(CORPORA / "newstest2021_zhen_system_outputs.jsonl", CORPORA / "newstest2021_zhen_segments.jsonl")
    assert len(items) == 464  # 8 systems x 58 segments
    assert Counter(i.system for i in items)["Online-W"] == 58
    assert sum(math.isnan(i.human["da_z"]) for i in items) == 82  # lines with "da": null
    assert not any(math.isnan(i.human["mqm"]) for i in items)
    first = items[0]
    assert (first.id, first.system, first.human["mqm"]) == ("91", "Borderline", -5.0)
    assert first.references == ("Zhang Jike and Lin Xiaozhai Form a Team to Support Youth with Great Muscles - Xinhua Net",)
    assert first.scores["released_bleu"] == 2.579588
    assert first.to_dict()["human"]["da_z"] is None


def test_convert_dispatch_and_errors(tmp_path: Path) -> None:
    assert len(convert("newsroom", CORPORA / "newsroom_humaneval.jsonl")) == 21
    with pytest.raises(UnknownNameError, match="Did you mean 'wmt'"):
        convert("wmt21", CORPORA / "newsroom_humaneval.jsonl")
    with pytest.raises(InputError, match="needs --documents"):
        convert("summeval", CORPORA / "summeval_system_outputs.jsonl")
    with pytest.raises(InputError, match="is not in"):
        convert("summeval", CORPORA / "newsroom_humaneval.jsonl", documents=CORPORA / "summeval_documents.jsonl")
    with pytest.raises(InputError, match=r"summeval_documents.jsonl:1: missing field 'system'"):
        convert("summeval", CORPORA / "summeval_documents.jsonl", documents=CORPORA / "summeval_documents.jsonl")
    with pytest.raises(UnknownNameError):
        convert("summeval", CORPORA / "summeval_system_outputs.jsonl", documents=CORPORA / "summeval_documents.jsonl", references="two")


def test_item_validation() -> None:
    ok = {"id": 1, "system": "A", "text": "t", "references": ["r"], "human": {"h": None}}
    assert math.isnan(item_from_dict(ok).human["h"])
    with pytest.raises(InputError, match="references"):
        item_from_dict({**ok, "references": "r"}, "f.jsonl:3")
    with pytest.raises(InputError, match="f.jsonl:3: missing field 'human'"):
        item_from_dict({k: v for k, v in ok.items() if k != "human"}, "f.jsonl:3")
    with pytest.raises(InputError, match="human.h"):
        item_from_dict({**ok, "human": {"h": "good"}})
    with pytest.raises(InputError, match="duplicate item"):
        items_from_dicts([ok, ok])
