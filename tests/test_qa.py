"""The QA engine (``toolkit.qa``, issue 16): each check on hand-made rows, the sample article, the API and the CLI.

Expected findings are written by hand from the rule each check states in its module docstring.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit import Glossary, load_glossary, normalize, qa_check
from toolkit.cli import main
from toolkit.errors import InputError, InputLengthError, UnknownNameError
from toolkit.io import read_segments
from toolkit.qa import CHECKS, Finding, fit_length_model, get_check
from toolkit.qa.numeric import source_numbers

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "eval" / "seed"


def _found(text: str, *, source: str | None = None, check: str | None = None, **kw) -> list[tuple[str, str]]:
    r = qa_check(predictions=[text], sources=None if source is None else [source], only=None if check is None else [check], **kw)
    return [(f.check, f.text) for f in r.findings[0]]


# --- docstring examples of every module -------------------------------------------------------------------

@pytest.mark.parametrize("module", ["api", "base", "consistency", "length", "names", "numeric", "punctuation",
                                    "records", "registry", "report", "repetition", "script", "section"])
def test_module_doctests(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"toolkit.qa.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# --- registry contract -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CHECKS))
def test_every_check_is_declared_once(name):
    check = CHECKS[name]
    assert re.fullmatch(r"qa\.[a-z]+\.v\d+", name) and check.name == name
    assert 0.0 < check.threshold <= 1.0 and check.level in ("segment", "document") and check.description
    assert get_check(check.short_name) is check
    # edge rows: empty and all-punctuation targets give no error
    assert qa_check(predictions=["", "...", "?!"], sources=["", "。", "？！"], only=[name]).findings is not None


def test_unknown_check_names_close_match():
    with pytest.raises(UnknownNameError, match="Did you mean 'numbers'"):
        qa_check(predictions=["x"], disable=["numbrs"])


# --- qa.script.v1 ------------------------------------------------------------------------------------------

def test_script_han_fullwidth_and_corner_quotes():
    assert _found("The 金湘军 visit，ended「today」.", check="script") == [
        ("qa.script.v1", "金湘军"), ("qa.script.v1", "，"), ("qa.script.v1", "「"), ("qa.script.v1", "」")]
    assert _found("Growth slowed...... then rose.", check="script") == [("qa.script.v1", "......")]
    assert _found("Prices rose… then fell. Café “quoted” — fine.", check="script") == []


# --- qa.numbers.v1 -----------------------------------------------------------------------------------------

def test_source_numbers_read_chinese_numerals_and_magnitudes():
    got = [(n.value, n.text) for n in source_numbers("两万人，1.2亿元，百分之三十五，5.6万亿，二〇二三年四月二十四日")]
    assert got == [(20000.0, "两万"), (120000000.0, "1.2亿"), (35.0, "百分之三十五"), (5.6e12, "5.6万亿"),
                   (2023.0, "二〇二三"), (4.0, "四"), (24.0, "二十四")]


@pytest.mark.parametrize("target, source", [
    ("20,000 people attended.", "两万人参加。"),
    ("Revenue reached 120 million yuan, up 35%.", "收入达1.2亿元，增长百分之三十五。"),
    ("It was 5.6 trillion.", "为5.6万亿。"),
    ("On April 24, 2023, he left.", "2023年4月24日，他离开了。"),
    ("About 1.2 billion yuan.", "约11.8亿元。"),  # rounded, with a magnitude word: within 5%
    ("Music of the 1990s.", "上世纪90年代的音乐。"),
    ("The G20 met over COVID-19.", "二十国集团开会。"),  # numbers inside words are not checked
])
def test_numbers_that_agree_are_not_flagged(target, source):
    assert _found(target, source=source, check="numbers") == []


def test_numbers_mis_scaled_wrong_and_dates():
    r = qa_check(predictions=["Revenue reached 1.2 billion yuan."], sources=["收入达1.2亿元。"], only=["numbers"])
    (f,) = r.findings[0]
    assert (f.text, f.severity, f.evidence.text) == ("1.2 billion", "major", "1.2亿")
    assert "wrong scale" in f.message and f.evidence.start == 3
    assert _found("He met 3 ministers.", source="他会见了五位部长。", check="numbers") == [("qa.numbers.v1", "3")]
    assert _found("On May 24 he left.", source="4月24日他离开了。", check="numbers") == [("qa.numbers.v1", "May")]
    # a number with no number at all in the source: low confidence, under the default threshold
    assert _found("He left in 2023.", source="他离开了。", check="numbers") == []
    assert _found("He left in 2023.", source="他离开了。", check="numbers", thresholds={"numbers": 0.4}) == [
        ("qa.numbers.v1", "2023")]


def test_numbers_need_a_source():
    assert "qa.numbers.v1" not in qa_check(predictions=["3 people"]).checks


# --- qa.punctuation.v1 and qa.quotes.v1 --------------------------------------------------------------------

@pytest.mark.parametrize("text, flagged", [
    ("and private economic development. , new urbanization", ". ,"),
    ("The plan,, was approved.", ",,"),
    ("The plan was approved ,and", None),
    ("He said , then left.", " ,"),
    ("to increase. efficiency and make", "increase. efficiency"),
    ("the “two basic Realize the goal of “struggle”, resolutely", "“"),
    ("a closing bracket) without opening", ")"),
    ('He said "yes and left.', '"'),
])
def test_punctuation_artefacts(text, flagged):
    got = _found(text, check="punctuation")
    assert got == ([] if flagged is None else [("qa.punctuation.v1", flagged)])


@pytest.mark.parametrize("text", [
    "The U.S., Japan and the E.U. agreed.", "He waited... and left.", "Prices (in yuan) rose etc. and fell.",
    "He said “yes”, and “no”.", "A ‘quoted’ word.", "Is it? Yes! Fine.",
])
def test_punctuation_correct_text_not_flagged(text):
    assert _found(text, check="punctuation") == []


def test_quotes_mixed_within_a_document_flag_the_minority():
    texts = ["Xi Jinping’s plan and the “five lakes”.", "Lu'an Chemical Group’s project."]
    r = qa_check(predictions=texts, only=["quotes"])
    assert [(f.text, f.start) for f in r.findings[1]] == [("'", 2)] and r.findings[0] == ()
    assert "straight apostrophe" in r.findings[1][0].message
    # two documents, each consistent in itself: nothing mixed
    texts[1] = "Lu'an Chemical Group's project."
    assert qa_check(predictions=texts, only=["quotes"], docs=["a", "b"]).n_flagged == 0
    assert qa_check(predictions=texts, only=["quotes"]).counts() == {"qa.quotes.v1": 2}  # one document: 3 curly, 2 straight


# --- qa.repetition.v1 --------------------------------------------------------------------------------------

def test_repetition_words_phrases_and_loops():
    assert _found("We saw the the river.", check="repetition") == [("qa.repetition.v1", "the")]
    assert _found("We went in the in the park.", check="repetition") == [("qa.repetition.v1", "in the")]
    r = qa_check(predictions=["growth growth growth growth"], only=["repetition"])
    (f,) = r.findings[0]
    assert (f.text, f.severity, f.start) == ("growth growth growth", "major", 7) and "4 times" in f.message
    for fine in ("He had had enough.", "He was taken in in the church.", "They flew to Bora Bora.", "Lin Lin won."):
        assert _found(fine, check="repetition") == []


# --- qa.consistency.v1 -------------------------------------------------------------------------------------

def test_consistency_first_rendering_is_the_choice():
    g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军", "type": "person"},
                               {"canonical": "Changzhi", "alternatives": "Changzhi City", "source": "长治"}])
    texts = ["Jin Xiangjun visited Changzhi.", "The Jinxiang Army left Changzhi City.", "Jin Xiangjun returned."]
    r = qa_check(predictions=texts, glossary=g, only=["consistency"])
    assert [[(f.text, f.suggestion) for f in seg] for seg in r.findings] == [[], [("Jinxiang Army", "Jin Xiangjun")], []]
    # per document: the second document's first rendering is its own choice
    assert qa_check(predictions=texts, glossary=g, only=["consistency"], docs=["a", "b", "b"]).n_flagged == 1


def test_consistency_from_source_names_in_cedict():
    texts = ["The United States raised tariffs.", "The US also said that."]
    r = qa_check(predictions=texts, sources=["美国提高了关税。", "美国还说了这个。"], only=["consistency"])
    (f,) = r.findings[1]
    assert (f.text, f.evidence.text, f.suggestion) == ("US", "美国", "United States")
    # "us" (the pronoun) is not the abbreviation; a segment whose source lacks the term is not counted
    assert qa_check(predictions=["The United States grew.", "Tell us more about US."], sources=["美国增长了。", "告诉我们更多。"],
                    only=["consistency"]).n_flagged == 0


# --- qa.names.v1 -------------------------------------------------------------------------------------------

def test_names_daxing_with_cedict_gloss():
    text = "carrying out theme education and Daxing investigation and research"
    (f,) = qa_check(predictions=[text], only=["names"]).findings[0]
    assert (f.text, f.suggestion, f.confidence) == ("Daxing", '大兴 "to go in for something in a big way"', 0.8)
    (f,) = qa_check(predictions=[text], sources=["开展主题教育和大兴调查研究"], only=["names"]).findings[0]
    assert (f.confidence, f.evidence.text, f.evidence.start) == (0.9, "大兴", 7)
    # a romanised name the source holds as a proper noun only is fine; a name cut into syllables is not
    assert qa_check(predictions=["He visited Jincheng."], sources=["他访问了晋城。"], only=["names"]).n_flagged == 0
    (f,) = qa_check(predictions=["Vice Premier He Li Feng met them."], sources=["国务院副总理何立峰会见了他们。"],
                    only=["names"]).findings[0]
    assert (f.text, f.suggestion) == ("He Li Feng", "He Lifeng")


# --- qa.length.v1 ------------------------------------------------------------------------------------------

def test_length_outliers_against_the_fitted_model():
    source = "欧盟委员会主席在峰会上表示，接收难民的每一个环节都存在瓶颈，需要成员国共同努力解决。"
    assert len(source) >= 30
    assert _found("The EU said so.", source=source, check="length") == [("qa.length.v1", "The EU said so.")]
    typical = "x" * round(3.9 * len(source))
    assert _found(typical, source=source, check="length") == []
    assert _found("Short.", source="很短。", check="length") == []  # sources under 30 characters are not checked


def test_fit_length_model_needs_enough_pairs():
    with pytest.raises(InputError, match="at least 20"):
        fit_length_model(["一二三四五六七八九十"] * 5, ["x" * 30] * 5, source_lang="zh", target_lang="en")


# --- the API -----------------------------------------------------------------------------------------------

def test_api_switches_thresholds_and_errors():
    text = "Growth was 1.2 billion yuan. , the the plan"
    assert [f.check for f in qa_check(predictions=[text], sources=["增长1.2亿元，计划"]).findings[0]] == [
        "qa.numbers.v1", "qa.punctuation.v1", "qa.repetition.v1"]
    r = qa_check(predictions=[text], sources=["增长1.2亿元，计划"], disable=["qa.numbers.v1", "repetition"])
    assert [f.check for f in r.findings[0]] == ["qa.punctuation.v1"]
    assert "qa.numbers.v1" not in r.signature and "qa.punctuation.v1>=0.6" in r.signature
    assert qa_check(predictions=[text], thresholds={"punctuation": 0.95}, only=["punctuation"]).n_flagged == 0
    with pytest.raises(InputError, match="within 0-1"):
        qa_check(predictions=[text], thresholds={"punctuation": 2})
    with pytest.raises(InputLengthError, match="1 predictions but 2 sources"):
        qa_check(predictions=[text], sources=["a", "b"])
    assert isinstance(qa_check(predictions=[text]).findings[0][0], Finding)
    with pytest.raises(InputError, match=r"predictions\[1\] is a NoneType"):
        qa_check(predictions=[text, None])


# --- the sample article ------------------------------------------------------------------------------------

SEED_FINDINGS = [  # (line, check, text): every finding, each a real error of the article
    (1, "qa.names.v1", "Daxing"),  # 大兴调查研究 "vigorously carry out investigation", read as a place name
    (1, "qa.punctuation.v1", ". ,"),  # "private economic development. , new urbanization"
    (1, "qa.punctuation.v1", "“"),  # the “two basic Realize the goal of “struggle”: the first quote never closes
    (3, "qa.punctuation.v1", "increase. efficiency"),  # "promote project quality and increase. efficiency"
    (7, "qa.punctuation.v1", "masses. quality"),  # "the quality of life for the masses. quality of life."
]
SEED_RAW_ONLY = [(3, "qa.consistency.v1", "Jinxiang Army"), (9, "qa.consistency.v1", "Jinxiang Army"),
                 (11, "qa.consistency.v1", "Jinxiang Army")]  # 金湘军, first rendered "Jin Xiangjun"


def _seed(text: str) -> list[tuple[int, str, str]]:
    g = load_glossary(SEED / "glossary.tsv")
    segs = text.split("\n")
    r = qa_check(predictions=segs, glossary=g)
    return sorted((i + 1, f.check, f.text) for i, seg in enumerate(r.findings) for f in seg)


def test_sample_article_every_finding():
    raw = (SEED / "seed_article.txt").read_text(encoding="utf-8")
    assert _seed(raw) == sorted(SEED_FINDINGS + SEED_RAW_ONLY)
    fixed = normalize(raw, glossary=load_glossary(SEED / "glossary.tsv")).text
    assert _seed(fixed) == sorted(SEED_FINDINGS)
    (daxing,) = [f for f in qa_check(predictions=raw.split("\n"), only=["names"], glossary=load_glossary(SEED / "glossary.tsv")).findings[0]]
    assert daxing.suggestion == '大兴 "to go in for something in a big way"'


def test_sample_article_apostrophes_are_all_curly_so_a_straight_one_is_flagged():
    raw = (SEED / "seed_article.txt").read_text(encoding="utf-8")
    assert raw.count("\u2019") == 10 and "'" not in raw and '"' not in raw
    mixed = raw.replace("Lu\u2019an Chemical", "Lu'an Chemical")
    r = qa_check(predictions=mixed.split("\n"), only=["quotes"])
    assert [(i + 1, f.text) for i, seg in enumerate(r.findings) for f in seg] == [(3, "'")]


# --- the CLI -----------------------------------------------------------------------------------------------

def _run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_jsonl_with_sources_and_documents(tmp_path, capsys):
    hyp, src = tmp_path / "mt.jsonl", tmp_path / "src.jsonl"
    hyp.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a1", "doc": "A", "text": "The United States grew 1.2 billion."},
        {"id": "a2", "doc": "A", "text": "The US grew."},
        {"id": "b1", "doc": "B", "text": "The US grew the the most."},
    ]) + "\n", encoding="utf-8")
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a1", "text": "美国增长了1.2亿。"}, {"id": "a2", "text": "美国增长了。"}, {"id": "b1", "text": "美国增长最多。"},
    ]) + "\n", encoding="utf-8")
    rc, out, err = _run(capsys, "qa", "--hyp", str(hyp), "--source", str(src), "--format", "jsonl")
    assert rc == 0 and err == ""
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["doc"], r["check"], r["text"]) for r in rows] == [
        ("a1", "A", "qa.numbers.v1", "1.2 billion"), ("a2", "A", "qa.consistency.v1", "US"),
        ("b1", "B", "qa.repetition.v1", "the")]
    assert {"id", "check", "severity", "start", "end", "text", "message"} <= set(rows[0])
    text = "The US grew the the most."
    assert text[rows[2]["start"]:rows[2]["end"]] == "the"
    rc, out, _ = _run(capsys, "qa", "--hyp", str(hyp), "--source", str(src), "--format", "json", "--disable", "numbers")
    data = json.loads(out)
    assert data["counts"]["qa.repetition.v1"] == 1 and "qa.numbers.v1" not in data["counts"] and data["segments"] == 3


def test_cli_table_and_usage_errors(capsys):
    rc, out, _ = _run(capsys, "qa", "--hyp", str(SEED / "seed_article.txt"), "--glossary", str(SEED / "glossary.tsv"))
    assert rc == 0 and "Daxing" in out and "8 findings in 5 of 11 segments" in out
    rc, _, err = _run(capsys, "qa", "--hyp", str(SEED / "seed_article.txt"), "--threshold", "numbers")
    assert rc == 2 and "CHECK=VALUE" in err
    rc, _, err = _run(capsys, "qa", "--hyp", str(SEED / "seed_article.txt"), "--only", "nope")
    assert rc == 1 and err.startswith("error: QA check 'nope' not found")
    rc, _, err = _run(capsys, "qa", "--hyp", str(SEED / "seed_article.txt"), "--source", str(SEED / "glossary.tsv"))
    assert rc == 1 and "has 11 segments but" in err and err.count("\n") == 1


def test_consistency_ignores_the_adjective_of_a_place():
    texts = ["France said so.", "The French government agreed with France."]
    assert qa_check(predictions=texts, sources=["法国这样说。", "法国政府同意。"], only=["consistency"]).n_flagged == 0


def test_times_and_spaces_inside_times_and_quotes():
    src = "当地时间25日下午5时，飓风“汉娜”登陆。"
    assert _found("At 5:00 p.m. on the 25th, Hurricane Hannah landed.", source=src, check="numbers") == []
    assert _found("At 17:00 on the 25th, it landed.", source=src, check="numbers") == []
    assert _found("At 6:30 p.m. on the 25th, it landed.", source=src, check="numbers") == [("qa.numbers.v1", "6:30")]
    assert _found('Hurricane " Hannah " landed at 5: 00 p.m.', check="punctuation") == [("qa.punctuation.v1", ": ")]
    assert _found('Hurricane " Hannah " landed at 5: 00 p.m.', check="punctuation", thresholds={"punctuation": 0.5}) == [
        ("qa.punctuation.v1", '" Hannah "'), ("qa.punctuation.v1", ": ")]
    assert _found('Hurricane "Hannah" landed at 5:00 p.m.', check="punctuation") == []


def test_qa_section_per_system_and_summaries():
    from toolkit.qa import qa_section

    section, rows = qa_section({"a": ["The the plan.", "Fine."], "b": ["Fine.", "Fine."]}, ids=["d1", "d2"])
    assert section["systems"]["a"]["counts"]["qa.repetition.v1"] == 1 and section["systems"]["b"]["findings"] == 0
    assert [(r["system"], r["id"], r["text"]) for r in rows] == [("a", "d1", "the")]
    # a summary of an English document: the zh-en length model does not judge it
    doc = "The governor inspected the coal mine and the gas station in Jincheng on Monday, officials said. " * 3
    section, rows = qa_section({"lead": ["The governor inspected a mine."]}, ids=["d"], sources=[doc])
    assert section["source_lang"] == "en" and rows == []
    # a summary keeps the name check: "Daxing" from an English document is still a common word read as a name
    section, rows = qa_section({"lead": ["Daxing investigation and research began."]}, ids=["d"], sources=[doc])
    assert [(r["check"], r["text"], r["confidence"]) for r in rows] == [("qa.names.v1", "Daxing", 0.8)]


def test_repetition_not_across_a_line_break():
    assert _found("Beijing, July 26 (chinanews.com)\nchinanews.com reported it.", check="repetition") == []
    assert _found("a report of of the agency", check="repetition") == [("qa.repetition.v1", "of")]


def test_numbers_against_an_english_source_and_thousands_separators():
    doc = "On May 3, officials said 1.2 million people voted and 1,800 were turned away."
    assert qa_check(predictions=["On May 3, 1.2 million voted; 1,800 were turned away."], sources=[doc],
                    only=["numbers"], source_lang="en").n_flagged == 0
    r = qa_check(predictions=["On June 3, 12 million voted."], sources=[doc], only=["numbers"], source_lang="en")
    assert [(f.text, f.evidence and f.evidence.text) for f in r.findings[0]] == [("June", "May"), ("12 million", "1.2 million")]
    assert _found("1,800 people came.", source="共1,800人到场。", check="numbers") == []
