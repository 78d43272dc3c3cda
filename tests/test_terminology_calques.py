"""Calque and transliteration detection, suspects (issue 3, point 4), on the sample article and real MT errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.terminology import Glossary, align, find_suspects, generate_calques, romanize
from toolkit.terminology.romanize import split_syllables, tone_mark, wade_giles

DATA = Path(__file__).parent / "data" / "terminology"
ARTICLE = (DATA / "seed_article.txt").read_text(encoding="utf-8")


def test_calques_of_jin_xiangjun_include_the_issue_examples() -> None:
    calques = generate_calques("金湘军", canonical="Jin Xiangjun", type="person")
    for expected in ("Jinxiang Army", "Jin Xiang Army", "Gold Xiang Army", "Hunan Army",  # glosses mixed with pinyin
                     "Jin Xiang Jun", "Jinxiangjun", "Jin Xiang-jun", "Xiangjun Jin",  # pinyin spacing and order
                     "Jīn Xiāngjūn", "Chin Hsiang-chün", "Chin Hsiang-chun"):  # tone marks, Wade-Giles
        assert expected in calques
    assert "Jin Xiangjun" not in calques  # the canonical term is never a calque


def test_polyphonic_characters_prefer_cedict_words() -> None:
    # pypinyin alone reads 长治 as "zhang zhi"; CC-CEDICT's word entry gives the city's name
    assert romanize("长治") == "Changzhi"
    calques = generate_calques("长治", canonical="Changzhi")
    assert "Zhang Zhi" in calques and "Zhangzhi" in calques  # the naive reading is what bad MT prints
    assert "Chang Zhi" in calques and "Changzhi" not in calques


def test_romanize_people_and_apostrophes() -> None:
    assert romanize("金湘军") == "Jin Xiangjun"  # 金 is a surname and 金湘军 no dictionary word: a person
    assert romanize("习近平", type="person") == "Xi Jinping"
    assert romanize("潞安", type="place") == "Lu'an"  # a syllable starting with a vowel gets the apostrophe


def test_long_terms_use_dictionary_segmentation() -> None:
    calques = generate_calques("潞安化工集团", canonical="Lu'an Chemical Group")
    assert "Lu'an Chemical Industry Group" in calques and "Lu An Huagong Jituan" in calques


def test_non_chinese_source_gives_no_calques() -> None:
    assert generate_calques("Jincheng") == [] and generate_calques("") == []


def test_romanisation_helpers() -> None:
    assert [tone_mark(s) for s in ("Jin1", "xiang1", "lu:4", "nu:3", "an1")] == ["Jīn", "xiāng", "lǜ", "nǚ", "ān"]
    assert [wade_giles(s) for s in ("xiang", "zhi", "si", "ci", "qu", "ke", "tong", "lian")] == [
        "hsiang", "chih", "ssu", "tz'u", "ch'ü", "k'o", "t'ung", "lien"]
    assert split_syllables("daxing", {"da", "xing", "xi", "ng", "a"}) == ["da", "xing"]
    assert split_syllables("tension", {"ten", "si"}) is None


def test_calque_alone_finds_every_jinxiang_army_in_the_article() -> None:
    g = Glossary.from_records([{"canonical": "Jin Xiangjun", "source": "金湘军", "type": "person"}])  # no variants
    ms = [m for m in align(ARTICLE, glossary=g) if m.kind == "calque"]
    starts = [i for i in range(len(ARTICLE)) if ARTICLE.startswith("Jinxiang Army", i)]
    assert len(starts) == 3
    assert [(m.start, m.end, m.text, m.canonical) for m in ms] == [(s, s + 13, "Jinxiang Army", "Jin Xiangjun") for s in starts]
    assert sum(m.kind == "canonical" for m in align(ARTICLE, glossary=g)) == 10  # every "Jin Xiangjun" too
    assert ARTICLE.count("Jin Xiangjun") == 10


def test_daxing_is_the_only_suspect_in_the_article_with_its_glossary() -> None:
    from toolkit.terminology import load_glossary

    g = load_glossary(Path(__file__).parent.parent / "eval" / "seed" / "glossary.tsv")
    suspects = find_suspects(ARTICLE, glossary=g)
    start = ARTICLE.index("Daxing")
    assert [(s.start, s.end, s.text) for s in suspects] == [(start, start + 6, "Daxing")]
    assert suspects[0].reason == "reads as pinyin (da xing) but matches no glossary entry; CC-CEDICT has 大兴"
    assert suspects[0].to_dict()["kind"] == "suspect"


def test_suspects_skip_english_words_standard_names_and_known_terms() -> None:
    g = Glossary.from_records([{"canonical": "Zhangze Lake"}])
    text = "China and Chinese anti Hunan troops open a lane near Zhangze Lake, then Binhu and Zhangze Daxing."
    # Hunan and Binhu are CC-CEDICT standard names (湖南, 滨湖); Daxing (大兴) is one too, but also an ordinary word
    assert [(s.text, s.confidence) for s in find_suspects(text, glossary=g)] == [("Daxing", 0.6)]
    assert find_suspects(text, glossary=g, threshold=0.7) == []


def test_standard_place_names_are_not_suspects() -> None:
    """Issue 15: correct place names were false alarms; "Russian" and "Xiaobo" are not suspects either."""
    text = "Beijing, Shanghai, Xinjiang, Nanjing, Tianjin and Qinghai; Russia and Russian; Liu Xiaobo wrote."
    assert find_suspects(text) == []
    assert find_suspects(text, source="北京、上海、新疆、南京、天津和青海") == []


def test_split_syllable_names_are_found_with_the_source_name_suggested() -> None:
    source = "国务院副总理何立峰会见了代表团。"
    found = find_suspects("Vice Premier He Li Feng met Ho Li Pei and He Lifeng.", source=source)
    assert [(s.text, s.check, s.confidence, s.suggestion) for s in found] == [
        ("He Li Feng", "split-name", 0.9, "He Lifeng"),
        ("Ho Li Pei", "split-name", 0.9, "He Lifeng"),  # Wade-Giles ho = he; one syllable wrong
    ]
    # without the source: three one-syllable tokens are still suspect, two are not (Li Qiang is a name)
    assert [(s.text, s.confidence) for s in find_suspects("He Li Feng met Li Qiang.")] == [("He Li Feng", 0.8)]


@pytest.fixture(scope="module")
def lam_segments() -> list[dict]:
    return [json.loads(line) for line in (DATA / "wmt23_zhen_mqm_lam_segments.jsonl").read_text(encoding="utf-8").splitlines()]


def test_real_mt_name_errors_found_as_calques_and_fuzzy(lam_segments: list[dict]) -> None:
    """WMT23 zh-en MQM: 泛林集团 (Lam Research) rendered by 8 systems; raters marked the name in all of them."""
    g = Glossary.from_records([{"canonical": "Lam Research", "source": "泛林集团", "type": "org"}])
    found = {}
    for seg in lam_segments:
        ms = align(seg["target"], glossary=g, fuzzy=True)
        found[seg["system"]] = [(m.text, m.kind) for m in ms]
    assert found == {
        "HW-TSC": [("Fanlin Group", "calque")],  # 泛 fan4 + 林 lin2 + 集团 "group"
        "IOL_Research": [("Panlin Group", "fuzzy")],  # near the calque "Fanlin Group" (ratio 0.917)
        "Lan-BridgeMT": [("Panlin Group", "fuzzy")],
        "NLLB_Greedy": [],  # "PanLinx": too far
        "NLLB_MBR_BLEU": [("PanLin Group", "fuzzy")],
        "ONLINE-B": [],  # "Lam Group": a half-right name, not a calque
        "ONLINE-M": [("Pan Lin Group", "fuzzy")],  # near "Fan Lin Group"
        "ONLINE-W": [],  # "Panarin Group"
    }
    errors = [json.loads(line) for line in (DATA / "wmt23_zhen_mqm_lam_errors.jsonl").read_text(encoding="utf-8").splitlines()]
    flagged = {e["system"] for e in errors}
    assert {s for s, f in found.items() if f} <= flagged  # every finding is a human-marked error
