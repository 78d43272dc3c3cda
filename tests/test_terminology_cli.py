"""CLI: toolkit align / normalize / terms check (issue 3, point 7), in-process."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from toolkit.cli import main

DATA = Path(__file__).parent / "data" / "terminology"
GLOSSARY = str(Path(__file__).parent.parent / "eval" / "seed" / "glossary.tsv")
ARTICLE = str(DATA / "seed_article.txt")


def test_align_jsonl_on_the_article(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["align", "--glossary", GLOSSARY, ARTICLE]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 51  # 51 glossary mentions in the article (see the table of `--format table`)
    variants = [r for r in rows if r["kind"] == "variant"]
    assert [(r["start"], r["end"], r["text"], r["canonical"]) for r in variants] == [
        (1355, 1368, "Jinxiang Army", "Jin Xiangjun"), (6490, 6503, "Jinxiang Army", "Jin Xiangjun"),
        (7322, 7335, "Jinxiang Army", "Jin Xiangjun")]
    assert set(rows[0]) >= {"start", "end", "text", "canonical", "entry", "kind", "score"}


def test_align_jsonl_input_table_and_suspects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inp = tmp_path / "docs.jsonl"
    inp.write_text(json.dumps({"id": "d1", "text": "Daxing research by the Jinxiang Army."}) + "\n", encoding="utf-8")
    assert main(["align", "--glossary", GLOSSARY, str(inp), "--suspects", "--format", "table"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "start", "end", "kind", "score", "text", "canonical"]
    assert out[1].split()[:5] == ["d1", "0", "6", "suspect", "0.00"]
    assert out[2].split()[:5] == ["d1", "23", "36", "variant", "1.00"]


def test_align_reads_stdin_and_fuzzy(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("In Jinchen today".encode())))
    assert main(["align", "--glossary", GLOSSARY, "-", "--fuzzy"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["text"], row["kind"], row["canonical"]) == ("Jinchen", "fuzzy", "Jincheng")


def test_normalize_prints_text_and_writes_edits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edits = tmp_path / "edits.jsonl"
    assert main(["normalize", "--glossary", GLOSSARY, ARTICLE, "--edits", str(edits)]) == 0
    out = capsys.readouterr().out
    assert "Changzhi City, Jin Xiangjun listened" in out and "Jinxiang Army" not in out
    rows = [json.loads(line) for line in edits.read_text(encoding="utf-8").splitlines()]
    assert [(r["old_start"], r["old_end"], r["new_start"], r["new_end"]) for r in rows] == [
        (1351, 1368, 1351, 1363), (6486, 6503, 6481, 6493), (7318, 7335, 7308, 7320)]


def test_normalize_jsonl_to_file(tmp_path: Path) -> None:
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": "The Jinxiang Army spoke.", "lang": "en"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["normalize", "--glossary", GLOSSARY, str(inp), "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == {"id": "a", "text": "Jin Xiangjun spoke.", "lang": "en"}


def test_terms_check_ok_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["terms", "check", "--glossary", GLOSSARY]) == 0
    assert capsys.readouterr().out.strip().endswith("glossary.tsv: 0 errors, 0 warnings")
    assert main(["terms", "check", "--glossary", str(DATA / "bad_glossary.tsv")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"error: {DATA / 'bad_glossary.tsv'}:3: entry 'Changzhi': variant 'Jinxiang Army' also maps to " \
                     "'Jin Xiangjun' (line 2); a variant must have one canonical term"
    assert out[-1].endswith("bad_glossary.tsv: 5 errors, 2 warnings")
    assert main(["terms", "check", "--glossary", str(DATA / "bad_glossary.tsv"), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["warnings"]) == (5, 2)


def test_bad_glossary_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["align", "--glossary", str(DATA / "bad_glossary.tsv"), ARTICLE]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["align", ARTICLE]) == 2  # --glossary missing
    assert main(["align", "--glossary", GLOSSARY, ARTICLE, "--format", "xml"]) == 2


def test_align_suspect_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15: the threshold trades recall for precision (Daxing, 大兴, is an ambiguous name: confidence 0.6)."""
    inp = tmp_path / "a.txt"
    inp.write_text("Daxing investigation in Beijing and Xinjiang.\n", encoding="utf-8")
    assert main(["align", "--glossary", GLOSSARY, str(inp), "--suspects"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["text"], r["kind"], r["confidence"]) for r in rows] == [("Daxing", "suspect", 0.6)]
    assert main(["align", "--glossary", GLOSSARY, str(inp), "--suspects", "--suspect-threshold", "0.7"]) == 0
    assert capsys.readouterr().out == ""
