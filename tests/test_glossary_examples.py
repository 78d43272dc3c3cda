"""The README's glossary section: its example files load and check clean; ``terms check`` reports every
problem of a broken file in one pass, as text or JSON (issue 20)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit import load_glossary
from toolkit.errors import UnknownNameError
from toolkit.terminology.check import check_glossary, script_problem

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "eval" / "glossary_examples"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _rows(glossary_path: Path) -> list[tuple]:
    return [(e.canonical, e.variants, e.alternatives, e.source, e.type, e.case_sensitive, e.note)
            for e in load_glossary(glossary_path)]


@pytest.mark.parametrize("name", ["glossary.tsv", "glossary.yaml", "glossary.tbx"])
def test_example_files_check_clean(name: str) -> None:
    assert check_glossary(EXAMPLES / name) == []
    assert [row[0] for row in _rows(EXAMPLES / name)] == [
        "Jin Xiangjun", "Changzhi", "National Development and Reform Commission", "CPC"]


def test_example_formats_agree() -> None:
    tsv = _rows(EXAMPLES / "glossary.tsv")
    assert _rows(EXAMPLES / "glossary.yaml") == tsv
    # TBX carries no type or case_sensitive: the same terms, as "other" and case-insensitive.
    assert [row[:4] + ("other", False) + row[6:] for row in tsv] == _rows(EXAMPLES / "glossary.tbx")
    assert [row[4] for row in tsv] == ["person", "place", "org", "other"]
    assert [row[5] for row in tsv] == [False, False, False, True]


def test_readme_table_is_the_example_file() -> None:
    section = README.split("## Glossary format", 1)[1].split("\n## ", 1)[0]
    header = "| canonical | variants | alternatives | source | type | case_sensitive | note |"
    table = section.split(header, 1)[1].strip().splitlines()[1:5]
    cells = [[c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in table]
    expected = [[c for c in line.split("\t")] for line in (EXAMPLES / "glossary.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert [c[:6] for c in cells] == [e[:6] for e in expected]
    assert [c[6] for c in cells] == [e[6].split(":")[0] for e in expected]  # the note's first word: the kind
    for column in ("canonical", "variants", "alternatives", "source", "type", "case_sensitive", "note", "id"):
        assert f"| `{column}` |" in section


def test_example_glossary_aligns_as_documented() -> None:
    from toolkit import align

    g = load_glossary(EXAMPLES / "glossary.tsv")
    found = [(m.text, m.kind, m.canonical) for m in align("The CCP, the cpc site and Zhangzhi; NDRC.", glossary=g)]
    assert ("CCP", "variant", "CPC") in found and ("Zhangzhi", "variant", "Changzhi") in found
    assert ("NDRC", "alternative", "National Development and Reform Commission") in found
    assert not any(text == "cpc" for text, _, _ in found)  # case_sensitive: yes


BROKEN_TSV = (
    "canonical\tvariants\talternatives\tsource\ttype\tcase_sensitive\tnote\tcolour\n"   # 1 unknown column
    "Jin Xiangjun\tJinxiang Army\t\t金湘军\tperson\tno\t\t\n"                            # 2 fine
    "Changzhi\tZhangzhi\t\t长治\tplace\tno\tnote\tred\tstray\n"                          # 3 too many fields
    "\tfoo\t\t\tother\tno\t\t\n"                                                         # 4 empty canonical
    "Panlin\t\t\t\tcity\tno\t\t\n"                                                       # 5 bad type
    "Jincheng\t\t\t晋城\tplace\tmaybe\t\t\n"                                             # 6 bad case_sensitive
    "Jin Xiangjun\tJin Army\t\t金湘军\tperson\tno\t\t\n"                                 # 7 same canonical as 2
    "Shanxi\t\t\tShanxi\tplace\tno\t\t\n"                                                # 8 source not Chinese
    "Lu Army\tChangzhi City|Jinxiang Army\t\t\tplace\tno\t\t\n"                          # 9 variant of two
    "Yangcheng\t\t\t阳城\tplace\tno\tx\ty\tz\n"                                          # 10 too many fields
)


def test_broken_tsv_every_problem_in_one_pass(tmp_path: Path) -> None:
    path = tmp_path / "broken.tsv"
    path.write_text(BROKEN_TSV, encoding="utf-8")
    found = [(i.severity, i.line, i.message.split(";")[0].split(" (")[0]) for i in check_glossary(path)]
    assert found == [
        ("warning", 1, "unknown column 'colour' ignored"),
        ("error", 3, "9 fields but the header has 8"),
        ("error", 4, "empty canonical term"),
        ("error", 5, "type 'city' not allowed"),
        ("error", 6, "case_sensitive 'maybe' not understood"),
        ("warning", 7, "canonical term already has a row"),
        ("warning", 8, "source 'Shanxi' is not in the source language's script"),
        ("error", 9, "variant 'Jinxiang Army' also maps to 'Jin Xiangjun'"),
        ("error", 10, "9 fields but the header has 8"),
    ]


def test_terms_check_cli_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from toolkit.cli import main

    path = tmp_path / "broken.tsv"
    path.write_text(BROKEN_TSV, encoding="utf-8")
    assert main(["terms", "check", "--glossary", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"error: {path}:3: 9 fields but the header has 8; check for a stray separator in this row"
    assert out[-1] == f"{path}: 6 errors, 3 warnings"
    assert main(["terms", "check", "--glossary", str(path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["warnings"], len(report["issues"])) == (6, 3, 9)
    assert report["issues"][1] == {"severity": "error", "file": str(path), "line": 3, "entry": "",
                                   "message": "9 fields but the header has 8; check for a stray separator in this row"}
    # A file the reader cannot start on is one error, in the asked format too.
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    assert main(["terms", "check", "--glossary", str(empty), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 1 and "glossary is empty" in report["issues"][0]["message"]


def test_csv_unclosed_quote_and_later_rows(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('canonical,variants,type\nJin Xiangjun,Jinxiang Army,person\n"Changzhi,Zhangzhi,place\n'
                    'Panlin,,city\nShanxi,,place\n', encoding="utf-8")
    found = [(i.severity, i.line, i.message.split(" (")[0]) for i in check_glossary(path)]
    assert found[0][:2] == ("error", 3) and "quote" in check_glossary(path)[0].message
    assert ("error", 4, "type 'city' not allowed; use one of person, place, org, other") in found


def test_json_items_that_are_not_objects(tmp_path: Path) -> None:
    path = tmp_path / "g.json"
    path.write_text(json.dumps([{"canonical": "Jin Xiangjun"}, "Changzhi", {"canonical": "CPC", "case_sensitive": "maybe"},
                                {"canonical": "Jin Xiangjun", "variants": ["Jin Army"]}]), encoding="utf-8")
    found = [(i.severity, i.item, i.message.split(";")[0]) for i in check_glossary(path)]
    assert found == [
        ("error", 2, "expected an object with a 'canonical' field, got str"),
        ("error", 3, "case_sensitive 'maybe' not understood"),
        ("warning", 4, "canonical term already has a row (item 1)"),
    ]


def test_tbx_entry_without_english_and_a_later_problem(tmp_path: Path) -> None:
    text = (EXAMPLES / "glossary.tbx").read_text(encoding="utf-8")
    broken = text.replace('<langSet xml:lang="en">', '<langSet xml:lang="fr">', 1).replace("<term>中共</term>", "<term>CPC</term>")
    path = tmp_path / "g.tbx"
    path.write_text(broken, encoding="utf-8")
    found = [(i.severity, i.entry, i.message.split(";")[0]) for i in check_glossary(path)]
    assert found == [
        ("error", "", "entry 'e1' has no term in language 'en'"),
        ("warning", "CPC", "source 'CPC' is not in the source language's script (zh: Han)"),
    ]


def test_source_script_check() -> None:
    assert script_problem("国家发展和改革委员会 (2003)", "zh") is None
    assert script_problem("Jin 湘军", "zh") == "Jin"
    assert script_problem("Москва", "ru") is None
    with pytest.raises(UnknownNameError, match="source language 'xx'"):
        script_problem("a", "xx")
