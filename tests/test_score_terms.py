"""Term accuracy and variant-leak rate as scoring metrics (over ``toolkit.terminology``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

terminology = pytest.importorskip("toolkit.terminology", reason="term accuracy needs toolkit.terminology")

from toolkit.cli import main  # noqa: E402
from toolkit.scoring import compare, score  # noqa: E402

Glossary = terminology.Glossary
DATA = Path(__file__).parent / "data" / "scoring"
ROWS = [json.loads(line) for line in (DATA / "wmt21_terminology_enfr_tico19.jsonl").read_text().splitlines()]


def _tico_glossary():
    # one entry per annotated English source term, French target alternatives merged over segments
    entries: dict[str, list[str]] = {}
    for row in ROWS:
        for term in row["terms"]:
            alts = entries.setdefault(term["src"].lower(), [])
            alts.extend(a for a in term["tgt_alternatives"] if a not in alts)
    return Glossary.from_records(
        [{"canonical": v[0], "alternatives": "|".join(v[1:]), "source": k} for k, v in entries.items()]
    )


GLOSSARY = Glossary.from_records(
    [
        {"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军"},
        {"canonical": "Changzhi", "variants": "Zhangzhi", "source": "长治"},
        {"canonical": "Jincheng", "source": "晋城"},
    ]
)


def test_terms_by_hand_with_sources():
    sources = ["金湘军在长治调研。", "晋城和长治", "今天天气很好"]
    preds = ["The Jinxiang Army visited Changzhi.", "Jincheng and Zhangzhi", "The weather is fine"]
    refs = [["Jin Xiangjun visited Changzhi."], ["Jincheng and Changzhi"], ["The weather is fine today"]]
    rep = score(predictions=preds, references=refs, sources=sources, glossary=GLOSSARY,
                metrics=["terms", "terms_leak"], bootstrap=0)
    # by hand: seg 1 expects Jin Xiangjun (leaked variant) + Changzhi (correct); seg 2 expects Jincheng (correct)
    # + Changzhi (leaked); seg 3 expects nothing -> 2 correct / 4 expected, 2 leaked / 4
    assert rep["terms"].score == pytest.approx(50.0)
    assert rep["terms_leak"].score == pytest.approx(50.0)
    assert [row["terms"] for row in rep.segments][:2] == [50.0, 50.0]
    assert rep.segments[2]["terms"] != rep.segments[2]["terms"]  # NaN: no term expected in that segment
    assert rep.to_dict(segments=True)["terms"]["segments"][2] is None
    assert rep["terms"].signature.startswith("terms|expected:source|terms.v2|")
    assert f"glossary:{GLOSSARY.fingerprint[:12]}" in rep["terms"].signature


def test_terms_expected_from_references_without_sources():
    preds = ["The Jinxiang Army visited Changzhi."]
    refs = [["Jin Xiangjun visited Changzhi."]]
    rep = score(predictions=preds, references=refs, glossary=GLOSSARY, metrics=["terms"], bootstrap=0)
    # by hand: the reference holds Jin Xiangjun and Changzhi -> both expected; only Changzhi is right
    assert rep["terms"].score == pytest.approx(50.0)
    assert "expected:references" in rep["terms"].signature


def test_terms_equal_terminology_term_accuracy_on_real_data():
    glossary = _tico_glossary()
    preds = [r["hypothesis"]["text"] for r in ROWS]
    sources = [r["source"] for r in ROWS]
    rep = score(predictions=preds, references=[[r["reference"]] for r in ROWS], sources=sources, glossary=glossary,
                metrics=["terms", "terms_leak"], bootstrap=200)
    direct = terminology.term_accuracy(predictions=preds, sources=sources, glossary=glossary,
                                       references=[r["reference"] for r in ROWS])
    assert rep["terms"].score == pytest.approx(direct.accuracy, abs=1e-12)
    assert rep["terms_leak"].score == pytest.approx(direct.variant_leak_rate, abs=1e-12)
    assert rep["terms"].extra == {"correct": direct.correct, "expected": direct.expected}
    # 80 = the 74 distinct annotated source terms per segment in the WMT21 TICO-19 dev file, counted by hand,
    # plus 6 inflected source forms that terms.v2 expects: "hospitalized" (PubMed_9:806 and :817, annotated
    # *hospitalize*; :798, :819, :820, not annotated) and "repatriated" (:802, annotated *repatriate*)
    assert direct.expected == 80
    low, high = rep["terms"].ci
    assert low < rep["terms"].score < high


def test_compare_gives_p_values_for_term_accuracy():
    glossary = _tico_glossary()
    sources = [r["source"] for r in ROWS]
    refs = [[r["reference"]] for r in ROWS]
    systems = {"fairseq": [r["hypothesis"]["text"] for r in ROWS], "reference": [r["reference"] for r in ROWS]}
    result = compare(systems=systems, references=refs, sources=sources, glossary=glossary, metrics=["terms"],
                     resamples=1000, seed=12345)
    row = result.rows["terms"][1]
    assert row.delta > 0
    assert 0 < row.p_value < 0.05  # the human reference renders clearly more glossary terms


def test_cli_terms_with_glossary_and_source(tmp_path, capsys):
    gloss = tmp_path / "g.tsv"
    gloss.write_text("canonical\tvariants\tsource\nJin Xiangjun\tJinxiang Army\t金湘军\nChangzhi\tZhangzhi\t长治\n",
                     encoding="utf-8")
    (tmp_path / "h.txt").write_text("The Jinxiang Army visited Changzhi.\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("Jin Xiangjun visited Changzhi.\n", encoding="utf-8")
    (tmp_path / "s.txt").write_text("金湘军在长治调研。\n", encoding="utf-8")
    rc = main(["score", "--hyp", str(tmp_path / "h.txt"), "--ref", str(tmp_path / "r.txt"), "--glossary", str(gloss),
               "--source", str(tmp_path / "s.txt"), "--metrics", "terms,terms_leak", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert data["terms"]["score"] == pytest.approx(50.0) and data["terms_leak"]["score"] == pytest.approx(50.0)
