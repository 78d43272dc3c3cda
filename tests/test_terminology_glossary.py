"""Glossary formats and validation (issue 3, points 1-2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.errors import GlossaryError
from toolkit.terminology import Glossary, load_glossary, validate_glossary

DATA = Path(__file__).parent / "data" / "terminology"
ROOT = Path(__file__).parent.parent


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_tsv_columns_in_any_order(tmp_path: Path) -> None:
    p = _write(tmp_path, "g.tsv", "type\tsource\tcanonical\tvariants\talternatives\tcase_sensitive\tnote\n"
               "person\t金湘军\tJin Xiangjun\tJinxiang Army| Jin Xiang Army \tGovernor Jin\tno\tgovernor\n"
               "# a comment line\n\norg\t\tWHO\t\t\tyes\t\n")
    g = load_glossary(p)
    assert len(g) == 2
    e = g.entries[0]
    assert (e.canonical, e.variants, e.alternatives, e.source, e.type, e.case_sensitive, e.note) == (
        "Jin Xiangjun", ("Jinxiang Army", "Jin Xiang Army"), ("Governor Jin",), "金湘军", "person", False, "governor")
    assert e.line == 2 and g.entries[1].line == 5 and g.entries[1].case_sensitive is True
    assert g["WHO"].type == "org"


def test_csv_json_yaml_give_the_same_glossary(tmp_path: Path) -> None:
    csv_p = _write(tmp_path, "g.csv", 'canonical,variants,source,type\n"Lu\'an Chemical Group","Luan Chemical Group|Lu An Group",潞安化工集团,org\n')
    json_p = _write(tmp_path, "g.json", json.dumps({"entries": [
        {"canonical": "Lu'an Chemical Group", "variants": ["Luan Chemical Group", "Lu An Group"], "source": "潞安化工集团", "type": "org"}]}))
    yaml_p = _write(tmp_path, "g.yaml", "- canonical: Lu'an Chemical Group\n  variants: Luan Chemical Group|Lu An Group\n"
                    "  source: 潞安化工集团\n  type: org\n")
    gs = [load_glossary(p) for p in (csv_p, json_p, yaml_p)]
    assert gs[0] == gs[1] == gs[2]
    assert gs[0].fingerprint == gs[1].fingerprint == gs[2].fingerprint
    assert gs[2].entries[0].line == 1  # YAML keeps line numbers


def test_tbx_v2_roles_from_administrative_status() -> None:
    g = load_glossary(DATA / "glossary_v2.tbx")
    jin, changzhi = g.entries
    assert (jin.id, jin.canonical, jin.variants, jin.alternatives, jin.source, jin.note) == (
        "jin", "Jin Xiangjun", ("Jinxiang Army",), ("Governor Jin",), "金湘军", "Governor of Shanxi")
    assert jin.line == 7  # line of <termEntry id="jin">
    # no preferred term: the first English term without status is canonical; superseded -> variant
    assert (changzhi.canonical, changzhi.variants, changzhi.source) == ("Changzhi", ("Zhangzhi",), "长治")


def test_tbx_v3_namespaced_concept_entries() -> None:
    (e,) = load_glossary(DATA / "glossary_v3.tbx").entries
    assert (e.id, e.canonical, e.variants, e.source) == ("c1", "Jincheng", ("Jin City",), "晋城")


def test_tbx_entity_expansion_is_refused() -> None:
    with pytest.raises(GlossaryError, match="entity_bomb.tbx: refused unsafe XML"):
        load_glossary(DATA / "entity_bomb.tbx")


def test_validation_reports_every_problem_with_file_line_and_entry() -> None:
    issues = validate_glossary(DATA / "bad_glossary.tsv")
    got = [(i.severity, i.line, i.entry, i.message.split(";")[0]) for i in issues]
    assert got == [
        ("warning", 1, "", "unknown column 'colour' ignored"),
        ("error", 3, "Changzhi", "variant 'Jinxiang Army' also maps to 'Jin Xiangjun' (line 2)"),
        ("error", 3, "Changzhi", "canonical term is a variant of 'Lu Army' (line 9)"),
        ("error", 4, "foo", "empty canonical term"),
        ("warning", 7, "Shanxi", "duplicate row (same as line 6)"),
        ("error", 8, "Zhangzhi City", "case_sensitive 'maybe' not understood"),
        ("error", 10, "Panlin", "type 'city' not allowed"),
    ]
    assert str(issues[1]).startswith(f"{DATA / 'bad_glossary.tsv'}:3: entry 'Changzhi': variant")


def test_load_raises_one_line_naming_file_line_and_entry() -> None:
    with pytest.raises(GlossaryError) as err:
        load_glossary(DATA / "bad_glossary.tsv")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{DATA / 'bad_glossary.tsv'}:3: entry 'Changzhi': variant 'Jinxiang Army'")
    assert "(and 4 more errors)" in message and "toolkit terms check" in message


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("g.xlsx", "x", "unsupported glossary format '.xlsx'"),
        ("g.tsv", "source\tvariants\n金\tx\n", "g.tsv:1: header has no 'canonical' column"),
        ("g.tsv", "canonical\tvariants\nA\tB\tC\n", "g.tsv:2: 3 fields but the header has 2"),
        ("g.json", "[{\"canonical\": 1,}]", "g.json:1: broken JSON"),
        ("g.json", "[\"Jin\"]", "g.json: item 1: expected an object"),
        ("g.tbx", "<martif><text>", "g.tbx:1: broken XML"),
        ("g.tsv", "", "g.tsv: glossary is empty"),
    ],
)
def test_unreadable_glossaries(tmp_path: Path, name: str, text: str, expected: str) -> None:
    with pytest.raises(GlossaryError, match=expected.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        load_glossary(_write(tmp_path, name, text))


def test_from_records_and_alternative_that_is_a_variant() -> None:
    with pytest.raises(GlossaryError, match=r"item 2: entry 'B': alternative 'x' is a variant of 'A' \(item 1\)"):
        Glossary.from_records([{"canonical": "A", "variants": "x"}, {"canonical": "B", "alternatives": ["x"]}])
    g = Glossary.from_records([{"canonical": "A", "variants": "A|a|b"}, {"canonical": "A", "source": "甲"}])
    assert [e.id for e in g] == ["A", "A#2"]  # same canonical twice: ids stay unique
    assert g.entries[0].variants == ("b",)  # a variant equal to its canonical is dropped (with a warning)


def test_terms_are_literal_text_not_patterns() -> None:
    g = Glossary.from_records([{"canonical": "C++ (v2.0)", "variants": "C.. [v2*0]"}])
    assert validate_glossary(g) == []
    assert g.entries[0].variants == ("C.. [v2*0]",)


def test_fingerprint_changes_with_content_only() -> None:
    a = Glossary.from_records([{"canonical": "Jincheng", "note": "x"}])
    b = Glossary.from_records([{"canonical": "Jincheng", "note": "x"}])
    c = Glossary.from_records([{"canonical": "Jincheng", "note": "y"}])
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 64


def test_seed_glossary_is_clean() -> None:
    path = ROOT / "eval" / "seed" / "glossary.tsv"
    assert validate_glossary(path) == []
    g = load_glossary(path)
    assert g["Jin Xiangjun"].variants == ("Jinxiang Army",) and g["Jin Xiangjun"].source == "金湘军"
    assert len(g) == 32  # every person, place and organisation the sample article names
