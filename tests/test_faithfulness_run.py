"""Faithfulness findings in runs: faithfulness/<system>.jsonl per document, marked in report.html (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.runs.config import load_config
from toolkit.runs.engine import run
from toolkit.runs.faith_section import finding_spans

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "configs" / "seed.yaml"
# "Angela Merkel" is nowhere in the seed article; the rest of the sentence is; <b> and & must come out escaped
INVENTED = "Jin Xiangjun went to Jincheng <b>and</b> Changzhi & met Angela Merkel."


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faith-run")
    ids = [json.loads(line)["id"] for line in (ROOT / "eval/seed/documents.jsonl").read_text().splitlines() if line.strip()]
    outputs = folder / "invented.jsonl"
    outputs.write_text("".join(json.dumps({"id": i, "text": INVENTED if i == "article" else "Jin Xiangjun went to Jincheng."})
                               + "\n" for i in ids), encoding="utf-8")
    systems = json.dumps([{"name": "lead-3", "model": "lead-3"}, {"name": "invented", "file": str(outputs)}])
    config = load_config(SEED, [f"systems={systems}", "metrics=[rouge1, faithfulness]", "bootstrap.resamples=50",
                                f"output_dir={folder / 'runs'}", "glossary.normalize=false"])
    return run(config, progress=False).run_dir


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_findings_written_per_system_and_document(finished: Path) -> None:
    ids = [json.loads(line)["id"] for line in (ROOT / "eval/seed/documents.jsonl").read_text().splitlines() if line.strip()]
    for system in ("lead-3", "invented"):
        rows = _rows(finished / "faithfulness" / f"{system}.jsonl")
        assert [r["id"] for r in rows] == ids
        assert {r["system"] for r in rows} == {system}
    invented = {r["id"]: r["findings"] for r in _rows(finished / "faithfulness" / "invented.jsonl")}
    assert [(f["kind"], f["text"], f["start"], f["end"], f["missing"]) for f in invented["article"]] == [
        ("entity", "Angela Merkel", 56, 69, ["angela", "merkel"])]
    assert invented["article"][0]["evidence"].startswith("From April 24th to 26th, Jin Xiangjun")
    # "Jin Xiangjun went to Jincheng.": p1 and p3 mention Jincheng, p2 does not, p6 shares too little of it
    assert invented["p1"] == [] and [f["text"] for f in invented["p2"]] == ["Jincheng"]
    assert [(f["kind"], f["text"]) for f in invented["p6"]] == [("sentence", "Jin Xiangjun went to Jincheng."),
                                                                ("entity", "Jincheng")]
    results = json.loads((finished / "results.json").read_text(encoding="utf-8"))
    assert results["faithfulness"] == {"lead-3": {"findings": 0, "documents": 0},
                                       "invented": {"findings": 6, "documents": 5}}
    # lead-3 copies its source's sentences: nothing of it is unsupported
    assert all(r["findings"] == [] for r in _rows(finished / "faithfulness" / "lead-3.jsonl"))


def test_report_marks_unsupported_spans_escaped(finished: Path) -> None:
    html = (finished / "report.html").read_text(encoding="utf-8")
    assert html.count('<mark class="unsupported" title="unsupported entity (confidence 1.0); the source lacks: '
                      'angela, merkel · closest source: From April 24th') == 1
    # glossary terms (Jincheng, Changzhi) carry marks of their own; the text between them is escaped
    assert ' went to ' in html and '&lt;b&gt;and&lt;/b&gt; ' in html and ' &amp; met <mark class="unsupported" ' in html
    assert '">Angela Merkel</mark>.' in html
    assert "<b>and</b>" not in html
    # p6: the whole sentence is marked, its unsupported name told in the title (marks do not nest)
    assert html.count("also unsupported: entity &#x27;Jincheng&#x27;") == 1
    # article, p2, p4, p5 (Jincheng), p6 (the sentence); the legend has one more, without a title
    assert html.count('<mark class="unsupported" title=') == 5
    assert html.count('<mark class="unsupported">unsupported by the source</mark>') == 1


def test_finding_spans_fold_names_into_their_sentence_and_skip_stale_offsets() -> None:
    text = "Aliens landed on Mars. Rain fell."
    findings = [{"kind": "sentence", "start": 0, "end": 22, "text": "Aliens landed on Mars.", "confidence": 1.0,
                 "evidence": None, "missing": []},
                {"kind": "entity", "start": 17, "end": 21, "text": "Mars", "confidence": 1.0, "missing": ["mars"]},
                {"kind": "entity", "start": 23, "end": 27, "text": "Snow", "confidence": 1.0, "missing": ["snow"]}]
    assert finding_spans(text, findings) == [
        (0, 22, "unsupported", "unsupported sentence (confidence 1.0); also unsupported: entity 'Mars' · "
                               "no supporting source sentence")]
