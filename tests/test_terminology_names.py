"""Name checks with few false alarms (issue 15): standard names, demonyms, valid words, real MT outputs.

Data: tests/data/scoring/newstest2021_zhen_{segments,system_outputs}.jsonl (WMT21 zh-en with MQM scores) and
tests/data/terminology/wmt23_zhen_mqm_lam_segments.jsonl (WMT23 MQM; see the READMEs there).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.terminology import Glossary, align, country_forms, find_suspects, standard_name
from toolkit.terminology.english import is_english, is_european_word

DATA = Path(__file__).parent / "data"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_standard_names_from_cc_cedict() -> None:
    for name in ("Beijing", "Shanghai", "Xinjiang", "Nanjing", "Tianjin", "Qinghai"):
        std = standard_name(name)
        assert std is not None and std.name == name and not std.ambiguous, name
    assert standard_name("Daxing").ambiguous  # 大兴 is also "to undertake on a large scale"
    assert standard_name("Xi Jinping").headwords == ("习近平",)
    assert standard_name("Panlin") is None


def test_english_word_list_is_not_cc_cedict_glosses() -> None:
    assert is_english("Russian") and is_english("mining") and not is_english("Xiaobo")  # "Liu Xiaobo" is a gloss
    assert is_european_word("Agence") and not is_european_word("Daxing")


def test_country_forms() -> None:
    assert {"United Kingdom", "UK", "Britain", "British"} <= set(country_forms("英国"))
    assert country_forms("山西") == ()


def test_fuzzy_never_links_two_valid_words() -> None:
    g = Glossary.from_records([{"canonical": "Russia", "source": "俄罗斯"}, {"canonical": "St Paul"}])
    found = [(m.text, m.kind) for m in align("Russian troops, St. Paul and Rusia", glossary=g, fuzzy=True)]
    assert found == [("Rusia", "fuzzy")]  # a misspelling is still found
    g = Glossary.from_records([{"canonical": "Agence France Presse", "source": "法新社"}])
    assert align("Agence France-Presse reported.", glossary=g, fuzzy=True) == []  # typography, not a misspelling


def test_none_of_the_well_known_names_is_a_suspect_in_the_seed_article() -> None:
    article = (Path(__file__).parent.parent / "eval" / "seed" / "seed_article.txt").read_text(encoding="utf-8")
    text = article + "\nBeijing, Shanghai, Xinjiang and Nanjing."
    assert not {"Beijing", "Shanghai", "Xinjiang", "Nanjing"} & {s.text for s in find_suspects(text)}


def test_few_error_free_wmt21_outputs_flagged() -> None:
    """154 outputs whose MQM score is 0: one flagged with the source ("Jike Yuanyi" for 吉克隽逸, Jike Junyi:
    the suspect is right, 隽 is not read yuan); five without the source (that one, and four outputs with
    correct names that only the source confirms: "Jike Junyi", "Jianqi", "Xindong")."""
    segments = {s["seg_id"]: s for s in _jsonl(DATA / "corpora" / "newstest2021_zhen_segments.jsonl")}
    clean = [o for o in _jsonl(DATA / "corpora" / "newstest2021_zhen_system_outputs.jsonl") if o["human"]["mqm"] == 0]
    assert len(clean) == 154
    with_source = [(o["seg_id"], o["system"], [s.text for s in find_suspects(o["hypothesis"],
                                                                              source=segments[o["seg_id"]]["source"])])
                   for o in clean]
    assert [f for f in with_source if f[2]] == [(105, "SMU", ["Yuanyi"])]
    assert sum(bool(find_suspects(o["hypothesis"])) for o in clean) == 5


@pytest.mark.parametrize("threshold,expected", [(0.5, 4), (0.75, 0)])
def test_pinyin_renderings_of_lam_research_are_suspects(threshold: float, expected: int) -> None:
    """泛林集团 (Lam Research) in 8 WMT23 outputs: "Fanlin", "Panlin" x2, "PanLin" are pinyin (confidence 0.7)."""
    rows = _jsonl(DATA / "terminology" / "wmt23_zhen_mqm_lam_segments.jsonl")
    found = [s for r in rows for s in find_suspects(r["target"], source=r["source"], threshold=threshold)]
    assert len(found) == expected
    if found:
        assert sorted(s.text for s in found) == ["Fanlin", "PanLin", "Panlin", "Panlin"]
        assert {s.confidence for s in found} == {0.7}
