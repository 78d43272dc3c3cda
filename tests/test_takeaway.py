"""Take-away forms of a run (issue 20): ``toolkit.load_run`` with corpus and per-document frames, and
``toolkit report RUN --format csv|latex|md|json``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import toolkit
from toolkit.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    cfg = toolkit.config_from_dict({
        "name": "takeaway", "data": {"path": str(ROOT / "eval" / "seed" / "documents.jsonl")}, "limit": 3,
        "output_dir": str(out), "metrics": ["rouge1", "bleu"], "bootstrap": {"resamples": 200},
        "systems": [{"name": "lead-3", "model": "lead-3"}, {"name": "lead-1", "model": "lead-1"}],
    })
    return toolkit.run(cfg, progress=False).run_dir


def test_load_run_frames_agree_with_results_json(run_dir: Path) -> None:
    data = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    run = toolkit.load_run(run_dir)
    assert run.systems == ("lead-3", "lead-1") and run.metrics == ("rouge1", "bleu")
    corpus = run.to_frame()
    assert list(corpus.index) == [("lead-3", "rouge1"), ("lead-3", "bleu"), ("lead-1", "rouge1"), ("lead-1", "bleu")]
    for system, block in data["systems"].items():
        for metric, value in block["metrics"].items():
            row = corpus.loc[(system, metric)]
            assert row["score"] == value["score"] and [row["ci_low"], row["ci_high"]] == value["ci"]
    assert corpus.loc[("lead-3", "bleu"), "verdict"] == ""  # the baseline has no verdict against itself
    assert corpus.loc[("lead-1", "bleu"), "verdict"] in ("better", "worse", "no difference")
    # per document: scores.jsonl pivoted, one row per (system, id), metric columns in scores.jsonl order
    segments = run.segments_frame()
    rows = [json.loads(line) for line in (run_dir / "scores.jsonl").read_text(encoding="utf-8").splitlines()]
    assert segments.shape[0] == 2 * 3 and "rouge1" in segments.columns and "rouge1_p" in segments.columns
    one = next(r for r in rows if r["system"] == "lead-1" and r["metric"] == "rouge1")
    assert segments.loc[("lead-1", one["id"]), "rouge1"] == one["score"]
    # the corpus rouge1 is the mean of the per-document F values (rouge-score's corpus value)
    assert segments.xs("lead-3")["rouge1"].mean() == pytest.approx(corpus.loc[("lead-3", "rouge1"), "score"], abs=1e-9)
    assert len(run.comparisons_frame()) == len(data["comparisons"])
    assert "<table" in run._repr_html_() and "takeaway" in run._repr_html_()


def test_report_formats(run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert main(["report", str(run_dir), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["system"], r["metric"]) for r in rows] == [("lead-3", "rouge1"), ("lead-3", "bleu"), ("lead-1", "rouge1"), ("lead-1", "bleu")]
    assert float(rows[0]["score"]) == data["systems"]["lead-3"]["metrics"]["rouge1"]["score"]
    assert main(["report", str(run_dir), "--format", "csv", "--table", "comparisons"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["a"], r["b"], r["metric"]) for r in rows] == [(c["a"], c["b"], c["metric"]) for c in data["comparisons"]]
    assert main(["report", str(run_dir), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {"name", "run_signature", "results", "comparisons"} and len(payload["results"]) == 4
    assert main(["report", str(run_dir), "--format", "md"]) == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0] == "| system | input | rouge1 | bleu |" and md[1] == "|---|---|---|---|" and len(md) >= 5
    out = tmp_path / "t.tex"
    assert main(["report", str(run_dir), "--format", "latex", "-o", str(out)]) == 0
    tex = out.read_text(encoding="utf-8")
    assert tex.count(r"\begin{tabular}") == 2 and r"95\% bootstrap CI" in tex and "lead-1 & original &" in tex
    assert main(["report", str(run_dir), "--format", "xml"]) == 2


def test_markdown_and_latex_cells_are_escaped() -> None:
    from toolkit.runs.takeaway import _markdown, _tex

    assert _markdown(["a|b"], [[("x|y", True)]]).splitlines()[2] == "| **x\\|y** |"
    assert _tex("terms_leak 50% & $x") == r"terms\_leak 50\% \& \$x"


def test_score_reports_and_comparisons_display_as_tables_in_jupyter() -> None:
    report = toolkit.score(predictions=["the cat sat"], references=[["the cat sat down"]], metrics=["rouge1", "bleu"])
    html = report._repr_html_()
    # rouge1: P = 3/3, R = 3/4 -> F = 85.71 (by hand)
    assert "<table" in html and "<td>85.71</td>" in html and html.count("<li>") == 2
    assert f"<code>{report.signatures['rouge1']}</code>" in html
    cmp = toolkit.compare(systems={"a": ["the cat sat", "x y"], "b": ["the cat sat down", "x y z"]},
                          references=[["the cat sat down"], ["x y z"]], metrics=["rouge1"], resamples=50)
    html = cmp._repr_html_()
    assert "<table" in html and "verdict" in html and ">better<" in html and "<li>rouge1: <code>" in html


def test_a_real_run_report_shows_sources_and_references(run_dir: Path) -> None:
    # the manifest's data sha256 is the fingerprint of the documents as loaded (limit 3): the report matches it
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.count("<h4>References (1)</h4>") == 3 and "changed since the run" not in page
    assert page.count("<h4>Source</h4>") == 3
