"""Small frictions a new user met (issue 20): normalize's summary line, --fuzzy-threshold, help with
examples, the hf extra's error, notebooks under ``jupyter execute`` from the repository root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = str(ROOT / "eval" / "seed" / "glossary.tsv")
ARTICLE = str(ROOT / "eval" / "seed" / "seed_article.txt")


def test_normalize_prints_a_one_line_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, edits = tmp_path / "out.txt", tmp_path / "edits.jsonl"
    assert main(["normalize", "--glossary", GLOSSARY, ARTICLE, "-o", str(out), "--edits", str(edits)]) == 0
    captured = capsys.readouterr()
    # the seed article has 'the Jinxiang Army' 3 times (tests/test_terminology_cli.py), nothing else to rewrite
    assert captured.err == f"normalised 1 document: 3 edits (variant 3), 0 reported, not rewritten; wrote {out}, {edits}\n"
    assert captured.out == ""
    assert main(["normalize", "--glossary", GLOSSARY, ARTICLE]) == 0  # text on stdout, the summary apart
    captured = capsys.readouterr()
    assert "Jin Xiangjun listened" in captured.out and captured.err.startswith("normalised 1 document: 3 edits")


def test_fuzzy_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    glossary = tmp_path / "g.tsv"
    glossary.write_text("canonical\ttype\nLi Qiang\tperson\n", encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("Premier Li Qaing spoke.", encoding="utf-8")
    # 'Li Qaing' against 'Li Qiang': rapidfuzz ratio 87.5 (one transposition), under the default 0.88
    assert main(["align", "-g", str(glossary), str(text), "--fuzzy"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["align", "-g", str(glossary), str(text), "--fuzzy", "--fuzzy-threshold", "0.85"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["text"], row["kind"], row["score"]) == ("Li Qaing", "fuzzy", 0.875)
    assert main(["normalize", "-g", str(glossary), str(text), "--rewrite-fuzzy", "--fuzzy-threshold", "0.85"]) == 0
    assert capsys.readouterr().out == "Premier Li Qiang spoke."
    assert main(["align", "-g", str(glossary), str(text), "--fuzzy-threshold", "1.5"]) == 2


@pytest.mark.parametrize("command", [["terms"], ["terms", "check"], ["models"], ["align"], ["normalize"]])
def test_help_has_examples(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Example" in out and f"toolkit {command[0]}" in out.split("Example", 1)[1]


def test_hf_format_without_datasets_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.errors import InputError
    from toolkit.runs.config import DataConfig
    from toolkit.runs.data import load_documents

    monkeypatch.setitem(sys.modules, "datasets", None)  # as if not installed
    with pytest.raises(InputError, match=r"needs the 'datasets' package; install the hf extra: pip install -e '\.\[hf\]'"):
        load_documents(DataConfig(path=str(tmp_path), format="hf"))


def test_every_notebook_starts_from_the_repository_root() -> None:
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert 'os.chdir(next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "pyproject.toml").is_file()))' in first.source


@pytest.mark.slow
def test_notebook_runs_under_jupyter_execute_from_the_root() -> None:
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        pytest.skip("jupyter is not installed in this environment")
    # jupyter execute starts the kernel in notebooks/ and writes nothing back (no --inplace)
    done = subprocess.run([str(jupyter), "execute", "notebooks/01_terminology.ipynb"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]


def test_summarize_writes_text_and_readers_accept_the_old_summary_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "a", "text": "One here. Two there."}) + "\n", encoding="utf-8")
    new = tmp_path / "new.jsonl"
    assert main(["summarize", str(docs), "--model", "lead-1", "-o", str(new), "--no-progress"]) == 0
    row = json.loads(new.read_text(encoding="utf-8"))
    assert row["text"] == "One here." and "summary" not in row
    old = tmp_path / "old.jsonl"  # what toolkit summarize wrote before: {"id", "summary"}
    old.write_text(json.dumps({"id": "a", "summary": "One here."}) + "\n", encoding="utf-8")
    ref = tmp_path / "ref.jsonl"
    ref.write_text(json.dumps({"id": "a", "references": ["One here."]}) + "\n", encoding="utf-8")
    capsys.readouterr()
    scores = []
    for hyp in (new, old):
        assert main(["score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "rouge1", "--format", "json"]) == 0
        scores.append(json.loads(capsys.readouterr().out))
    assert scores[0] == scores[1]
