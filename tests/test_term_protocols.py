"""Term-accuracy protocols (issue 15): wmt21 and wmt25 equal the official scorers on the dev data.

Golden values: tests/data/terminology/wmt21_official_exact_dev.json and wmt25_official_success_dev.json,
each with the command that produced it (runs of the official scripts; see tests/data/terminology/README.md).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from toolkit.errors import ConfigError
from toolkit.scoring import score
from toolkit.terminology import Glossary
from toolkit.terminology.protocols import glossary_terms, parse_annotations, term_dict_glossary, wmt21_exact, wmt25_success

DATA = Path(__file__).parent / "data"
TOL = 1e-12


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def wmt21() -> list[dict]:
    return _jsonl(DATA / "scoring" / "wmt21_terminology_enfr_tico19.jsonl")


@pytest.fixture(scope="module")
def wmt21_gold() -> dict:
    return json.loads((DATA / "terminology" / "wmt21_official_exact_dev.json").read_text(encoding="utf-8"))


def test_wmt21_equals_the_official_exact_tier_per_segment(wmt21: list[dict], wmt21_gold: dict) -> None:
    gold = wmt21_gold["per_segment"]
    assert len(gold) == len(wmt21) == 101
    for row in wmt21:
        hyp = row["hypothesis"]["text"]
        expected = tuple(gold[row["seg_id"]])
        assert wmt21_exact(hyp, source=row["source_annotated"]) == expected, row["id"]
        assert wmt21_exact(hyp, source=row["source_annotated"], reference=row["reference_annotated"]) == expected
        assert wmt21_exact(hyp, source=row["source_annotated"], reference=row["reference"]) == expected


def test_wmt21_metric_equals_the_official_exact_match_accuracy(wmt21: list[dict], wmt21_gold: dict) -> None:
    rep = score(predictions=[r["hypothesis"]["text"] for r in wmt21], references=[[r["reference"]] for r in wmt21],
                sources=[r["source_annotated"] for r in wmt21], metrics=["terms"], term_protocol="wmt21", bootstrap=0)
    assert rep["terms"].score == pytest.approx(100 * wmt21_gold["exact_accuracy"], abs=TOL)  # 62 / 79
    assert (rep["terms"].extra["correct"], rep["terms"].extra["expected"]) == (62, 79)
    assert rep["terms"].signature.startswith("terms|protocol:wmt21.v1|tier:exact|lemma:off(stanza-offline)|")


def test_wmt21_official_position_rules() -> None:
    # each alternative found takes one position: a second term with the same rendering needs a second occurrence
    src = ('<term id="1" type="t" src="flu" tgt="grippe"> flu </term> or <term id="2" type="t" src="influenza" '
           'tgt="grippe"> influenza </term>')
    assert wmt21_exact("la grippe", source=src) == (1, 2)
    assert wmt21_exact("la grippe , la grippe", source=src) == (2, 2)
    # case-sensitive, whole tokens only
    assert wmt21_exact("la Grippe", source=src) == (0, 2)
    assert wmt21_exact("la grippes", source=src) == (0, 2)
    # the annotated reference's surface form is accepted (infectieuses for tgt="infectieux")
    ref = 'des <term id="3" type="t" src="infectious" tgt="infectieux"> infectieuses </term>'
    src3 = '<term id="3" type="t" src="infectious" tgt="infectieux"> infectious </term>'
    assert wmt21_exact("maladies infectieuses", source=src3) == (0, 1)
    assert wmt21_exact("maladies infectieuses", source=src3, reference=ref) == (1, 1)
    assert wmt21_exact("maladies infectieuses", source=src3, reference=parse_annotations(ref)[0]) == (1, 1)


def test_wmt21_needs_annotated_sources(wmt21: list[dict]) -> None:
    with pytest.raises(ConfigError, match="annotations of the sources"):
        score(predictions=["a"], references=[["a"]], sources=["a flu"], metrics=["terms"], term_protocol="wmt21",
              bootstrap=0)


@pytest.fixture(scope="module")
def wmt25() -> tuple[list[dict], list[dict], list[dict], dict]:
    d = DATA / "terminology"
    gold = json.loads((d / "wmt25_official_success_dev.json").read_text(encoding="utf-8"))["systems"]
    return (_jsonl(d / "wmt25_terminology_track2_zhen_documents.jsonl"), _jsonl(d / "wmt25_terminology_track2_zhen_terms.jsonl"),
            _jsonl(d / "wmt25_terminology_track2_zhen_submissions.jsonl"), gold)


def _outputs(subs: list[dict], docs: list[dict], key: str) -> list[str]:
    system, mode = key.split("|")
    by_id = {s["id"]: s["en"] for s in subs if (s["system"], s["terminology_mode"]) == (system, mode)}
    return [by_id[d["id"]] for d in docs]


def test_wmt25_equals_the_official_formula(wmt25: tuple) -> None:
    docs, terms, subs, gold = wmt25
    pairs = [(t["zh"], t["en_alternatives"]) for t in terms]
    # the glossary as the official dictionary holds it (case variants such as IFFo|IFFO kept)
    glossary = term_dict_glossary(pairs)
    assert len(gold) == 4
    for key, official in gold.items():
        hyps = _outputs(subs, docs, key)
        rows = [wmt25_success(h, source=d["zh"], reference=d["en"], terms=pairs) for h, d in zip(hyps, docs)]
        assert sum(r[1] for r in rows) == official["valid"] == 130
        assert sum(r[0] for r in rows) / sum(r[1] for r in rows) == pytest.approx(official["proper_term_success_rate"], abs=TOL)
        rep = score(predictions=hyps, references=[[d["en"]] for d in docs], sources=[d["zh"] for d in docs],
                    glossary=glossary, metrics=["terms"], term_protocol="wmt25", bootstrap=0)
        assert rep["terms"].score / 100 == pytest.approx(official["proper_term_success_rate"], abs=TOL), key
        assert rep["terms"].signature.startswith("terms|protocol:wmt25.v1|")


def test_wmt25_with_a_validated_glossary_merges_case_variants(wmt25: tuple) -> None:
    """Glossary.from_records keeps IFFo|IFFO once; the official counts an "iffo" once per listed variant."""
    docs, terms, subs, gold = wmt25
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Glossary.from_records([{"canonical": t["en_alternatives"][0], "source": t["zh"],
                                    "alternatives": "|".join(t["en_alternatives"][1:])} for t in terms])
    key = "CommandA_MT|proper"
    hyps = _outputs(subs, docs, key)
    rows = [wmt25_success(h, source=d["zh"], reference=d["en"], terms=glossary_terms(g)) for h, d in zip(hyps, docs)]
    ours = sum(r[0] for r in rows) / sum(r[1] for r in rows)
    assert ours == pytest.approx(0.9185897435897435, abs=TOL)  # official 0.9224358974358974: one IFFO term, 0.5 / 130
    assert gold[key]["proper_term_success_rate"] - ours == pytest.approx(0.5 / 130, abs=TOL)


def test_wmt25_formula_by_hand() -> None:
    terms = [("金管局", ["HKMA"]), ("銀行", ["bank", "banks"]), ("香港", ["Hong Kong"])]
    # 金管局 x2 in the source, HKMA x1 in the output -> 0.5; 銀行: "bank" and "banks" both count -> capped at 1;
    # 香港: not in the reference -> not counted
    total, valid = wmt25_success("The HKMA said banks.", source="金管局與金管局的銀行", reference="HKMA bank", terms=terms)
    assert (total, valid) == (1.5, 2)


def test_terms_leak_only_under_the_glossary_protocol() -> None:
    g = Glossary.from_records([{"canonical": "HKMA", "source": "金管局"}])
    with pytest.raises(ConfigError, match="terms_leak"):
        score(predictions=["HKMA"], references=[["HKMA"]], sources=["金管局"], glossary=g, metrics=["terms_leak"],
              term_protocol="wmt25", bootstrap=0)


# --- the glossary protocol (terms.v2) ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def fr() -> Glossary:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Glossary.from_records([
            {"canonical": "OMS", "source": "WHO"},
            {"canonical": "grippe", "source": "flu"},
            {"canonical": "influenza", "alternatives": "grippe", "source": "influenza"},
            {"canonical": "coronavirus", "source": "coronavirus"},
            {"canonical": "nouveau coronavirus", "source": "novel coronavirus"},
            {"canonical": "hospitaliser", "alternatives": "hospitalisé|hospitalisés", "source": "hospitalize"},
        ])


def _expected(stats) -> list[str]:  # noqa: ANN001
    return [d.entry for d in stats.details if d.in_source]


def test_glossary_acronyms_match_in_capitals_only(fr: Glossary) -> None:
    from toolkit.terminology import term_stats

    assert _expected(term_stats("qui est malade", source="who is ill", glossary=fr, calques=False)) == []
    assert _expected(term_stats("l' OMS", source="the WHO said", glossary=fr, calques=False)) == ["OMS"]


def test_glossary_source_inflections_make_an_entry_expected(fr: Glossary) -> None:
    from toolkit.terminology import term_stats

    s = term_stats("ils sont hospitalisés", source="they were hospitalized", glossary=fr, calques=False)
    assert (_expected(s), s.correct) == (["hospitaliser"], 1)


def test_glossary_one_rendering_satisfies_every_entry_listing_it(fr: Glossary) -> None:
    from toolkit.terminology import term_stats

    s = term_stats("la grippe", source="flu or influenza", glossary=fr, calques=False)
    assert (s.expected, s.correct) == (2, 2)
    s = term_stats("le nouveau coronavirus", source="the novel coronavirus and the coronavirus", glossary=fr, calques=False)
    assert (s.expected, s.correct) == (2, 2)  # "coronavirus" inside "nouveau coronavirus" counts too


def test_glossary_per_occurrence_counting(fr: Glossary) -> None:
    from toolkit.terminology import term_stats

    src = "flu today, flu tomorrow"
    assert (term_stats("la grippe", source=src, glossary=fr, calques=False).expected,) == (1,)
    s = term_stats("la grippe", source=src, glossary=fr, calques=False, per_occurrence=True)
    assert (s.expected, s.correct) == (2, 1)
    s = term_stats("la grippe et la grippe", source=src, glossary=fr, calques=False, per_occurrence=True)
    assert (s.expected, s.correct) == (2, 2)


def test_glossary_protocol_near_the_official_wmt21_figure(wmt21: list[dict], wmt21_gold: dict) -> None:
    """One glossary from the dev annotations (an entry per source term, its alternatives merged).

    Official exact tier on these 101 segments: 62/79 = 78.48. terms.v1 gave 61/74 = 82.43 (3.95 points off);
    terms.v2 per occurrence: 69/86 = 80.23 (1.75 points); per segment 67/80 = 83.75. The differences left:
    occurrences the annotators did not mark ("hospitalized" in 3 segments) and plurals, which we accept and
    the exact tier does not (its lemma tier would).
    """
    from toolkit.terminology import term_accuracy

    entries: dict[str, list[str]] = {}
    for row in wmt21:
        for t in row["terms"]:
            alts = entries.setdefault(t["src"], [])
            alts.extend(a for a in t["tgt_alternatives"] if a not in alts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Glossary.from_records([{"canonical": v[0], "alternatives": "|".join(v[1:]), "source": k} for k, v in entries.items()])
    args = dict(predictions=[r["hypothesis"]["text"] for r in wmt21], sources=[r["source"] for r in wmt21],
                references=[r["reference"] for r in wmt21], glossary=g, calques=False)
    per_occurrence = term_accuracy(**args, per_occurrence=True)
    per_segment = term_accuracy(**args)
    assert (per_occurrence.correct, per_occurrence.expected) == (69, 86)
    assert (per_segment.correct, per_segment.expected) == (67, 80)
    assert abs(per_occurrence.accuracy - 100 * wmt21_gold["exact_accuracy"]) < 3
    assert "count:occurrence" in per_occurrence.signature


def test_glossary_country_short_forms_and_demonyms_are_correct() -> None:
    from toolkit.terminology import term_stats

    g = Glossary.from_records([{"canonical": "United Kingdom", "source": "英国", "type": "place"},
                               {"canonical": "United States", "source": "美国", "type": "place"}])
    s = term_stats("The British and US delegations met.", source="英国和美国代表团会面。", glossary=g)
    assert (s.expected, s.correct) == (2, 2)
    s = term_stats("Two of us met the Japanese.", source="英国和美国代表团会面。", glossary=g)
    assert (s.expected, s.correct) == (2, 0)  # "us" is not "US"


def test_cli_score_wmt21_from_annotated_sources(wmt21: list[dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from toolkit.cli import main

    for name, field in (("hyp", None), ("ref", "reference"), ("src", "source_annotated")):
        with (tmp_path / f"{name}.jsonl").open("w", encoding="utf-8") as f:
            for r in wmt21:
                f.write(json.dumps({"id": r["id"], "text": r[field] if field else r["hypothesis"]["text"]}) + "\n")
    argv = ["score", "--hyp", str(tmp_path / "hyp.jsonl"), "--ref", str(tmp_path / "ref.jsonl"), "--source",
            str(tmp_path / "src.jsonl"), "--metrics", "terms", "--term-protocol", "wmt21", "--bootstrap", "0",
            "--format", "json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)["terms"]
    assert (out["correct"], out["expected"]) == (62, 79)
    assert out["signature"].startswith("terms|protocol:wmt21.v1|tier:exact|")


def test_glossary_occurrence_protocol_in_score(wmt21: list[dict]) -> None:
    entries: dict[str, list[str]] = {}
    for row in wmt21:
        for t in row["terms"]:
            alts = entries.setdefault(t["src"], [])
            alts.extend(a for a in t["tgt_alternatives"] if a not in alts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = Glossary.from_records([{"canonical": v[0], "alternatives": "|".join(v[1:]), "source": k} for k, v in entries.items()])
    args = dict(predictions=[r["hypothesis"]["text"] for r in wmt21], references=[[r["reference"]] for r in wmt21],
                sources=[r["source"] for r in wmt21], glossary=g, metrics=["terms"], bootstrap=0)
    per_occurrence = score(**args, term_protocol="glossary-occurrence")["terms"]
    per_segment = score(**args)["terms"]
    assert (per_occurrence.extra["correct"], per_occurrence.extra["expected"]) == (69, 86)
    assert (per_segment.extra["correct"], per_segment.extra["expected"]) == (67, 80)
    assert "|count:occurrence|" in per_occurrence.signature and "count:" not in per_segment.signature


def test_glossary_per_occurrence_leaks() -> None:
    from toolkit.terminology import term_stats

    g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军"}])
    src = "金湘军说，金湘军来了，金湘军走了。"
    s = term_stats("The Jinxiang Army said Jin Xiangjun came and left.", source=src, glossary=g, calques=False,
                   per_occurrence=True)
    assert (s.expected, s.correct, s.leaked) == (3, 1, 1)
    s = term_stats("The Jinxiang Army said Jin Xiangjun came and left.", source=src, glossary=g, calques=False)
    assert (s.expected, s.correct, s.leaked) == (1, 1, 1)


def test_wmt21_annotation_errors_name_the_segment() -> None:
    from toolkit.errors import InputError

    assert parse_annotations("a <term id='1' type='t' src='flu' tgt='grippe'> flu </term>")[1][0].tgt == "grippe"
    with pytest.raises(InputError, match=r"segment s2: term annotation .* has no tgt attribute"):
        score(predictions=["la grippe", "la grippe"], references=[["la grippe"], ["la grippe"]], ids=["s1", "s2"],
              sources=['<term id="1" src="flu" tgt="grippe"> flu </term>', '<term id="2" src="flu"> flu </term>'],
              metrics=["terms"], term_protocol="wmt21", bootstrap=0)
