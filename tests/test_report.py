"""Tests of the run report (toolkit/runs/report*.py) on the hand-made run folder tests/data/report/seed-demo.

Expected numbers come from the fixture's results.json (written by tests/data/report/make_fixture.py) and are
restated here so that a change in the fixture or in the formatting is noticed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from toolkit.errors import InputError, RunDirError
from toolkit.runs.report import render_markdown, write_report
from toolkit.runs.report_cli import register_report_command
from toolkit.runs.report_data import better_than, load_run, read_rows
from toolkit.runs.report_html import highlight, render_html
from toolkit.runs.report_plots import scatter_pair

FIXTURE = Path(__file__).parent / "data" / "report" / "seed-demo"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the fixture's manifest names its data file relative to the repository root


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "run"))


def _edit_json(path: Path, change) -> None:
    obj = json.loads(path.read_text("utf-8"))
    change(obj)
    path.write_text(json.dumps(obj), encoding="utf-8")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    folder = _copy(tmp_path_factory.mktemp("report"))
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        md_path, html_path = write_report(folder)
    finally:
        os.chdir(here)
    return folder, md_path.read_text("utf-8"), html_path.read_text("utf-8")


def test_write_report_returns_both_paths(written: tuple[Path, str, str]) -> None:
    folder, _, _ = written
    assert (folder / "report.md").is_file() and (folder / "report.html").is_file()
    assert not list(folder.glob(".report*.tmp"))  # atomic writer left no temporary file


def test_markdown_results_row_with_ci_and_marks(written: tuple[Path, str, str]) -> None:
    _, md, _ = written
    # results.json: lead-3+norm rouge1 42.21 [37.25, 47.71], significantly above lead-3 (a) on rouge1, rougeL and
    # terms (p_holm 0.024, 0.021, 0.024); best on chrf (56.96) and terms (83.33).
    assert ("| (b) lead-3+norm | normalised | 42.21<sup>a</sup> [37.25, 47.71] | 35.96<sup>a</sup> [25.79, 44.06] "
            "| 12.82 [6.85, 18.89] | **56.96** [50.09, 63.54] | **83.33**<sup>a</sup> [50.00, 100.00] |") in md
    # smollm2-135m beats a and b on rouge1 (p_holm 0.012, 0.012) and bleu (0.008, 0.006)
    assert "| (c) smollm2-135m | original | **50.44**<sup>ab</sup> [42.24, 63.10] |" in md
    # one table per family, the baseline as a, Delta = b - a, and a verdict with its direction
    assert "| Metric | a (baseline) | b | Delta (b - a) | p | p (Holm) | Method | b vs a |" in md
    assert "| terms | lead-3 | lead-3+norm | 45.83 | 0.0080 | 0.0240 | paired-bootstrap | better |" in md
    assert "| terms | lead-3 | smollm2-135m | 10.42 | 0.6084 | 0.6084 | paired-bootstrap | no difference |" in md


def test_markdown_terminology_tables(written: tuple[Path, str, str]) -> None:
    _, md, _ = written
    assert "Glossary entries: 5; edits made: 3; suspect findings: 7." in md
    assert "| accuracy | 70.00 | 100.00 | 30.00 |" in md  # 7/10 correct before, 10/10 after
    assert "| leaked | 3 | 0 | -3 |" in md
    assert "| the Jinxiang Army | Jin Xiangjun | glossary.tsv:2 | variant | 3 |" in md
    assert "| Huangcheng Xiangfu | reads as pinyin; no glossary entry | 1 |" in md
    # one per-document row per document x system: 4 x 3
    assert len(re.findall(r"^\| p[1256] \| ", md, flags=re.M)) == 12


def test_better_than_follows_significant_comparisons() -> None:
    marks = better_than(load_run(FIXTURE))
    assert marks == {
        ("lead-3+norm", "rouge1"): ["lead-3"], ("smollm2-135m", "rouge1"): ["lead-3", "lead-3+norm"],
        ("lead-3+norm", "rougeL"): ["lead-3"], ("smollm2-135m", "bleu"): ["lead-3", "lead-3+norm"],
        ("lead-3+norm", "terms"): ["lead-3"],
    }


def test_html_is_self_contained(written: tuple[Path, str, str]) -> None:
    _, _, page = written
    # one inline script (sortable tables), no external script, stylesheet or import
    from toolkit.runs.report_views import SORT_SCRIPT

    assert page.lower().count("<script") == 1 and f"<script>{SORT_SCRIPT}</script>" in page
    assert "<link" not in page.lower() and "@import" not in page
    # every link or source is an in-page anchor; the only URLs are the SVG XML namespaces
    assert all(target.startswith("#") for target in re.findall(r'\s(?:src|href)="([^"]*)"', page))
    urls = set(re.findall(r"https?://[^\s\"')]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert page.count("<svg ") == 4  # distributions, scatter of lead-3+norm and of smollm2-135m against lead-3, length
    # the inline SVGs do not share ids (each is prefixed)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_html_marks_edits_and_suspects(written: tuple[Path, str, str]) -> None:
    _, _, page = written
    edit = ('<mark class="edit" title="before: the Jinxiang Army → after: Jin Xiangjun · entry: glossary.tsv:2 · '
            'kind: variant">Jin Xiangjun</mark>')
    assert page.count(edit) == 3  # one edit each in p2, p5, p6
    assert page.count('<mark class="old" title="before: the Jinxiang Army') == 3
    assert len(re.findall(r'<mark class="suspect" title="suspect: [^"]*">', page)) == 7
    # smollm2-135m kept the variant in p5 and p6 ("the Jinxiang Army", "The Jinxiang Army")
    assert len(re.findall(r'<mark class="leak" [^>]*>[Tt]he Jinxiang Army</mark>', page)) == 5


def test_html_results_table(written: tuple[Path, str, str]) -> None:
    _, _, page = written
    table = re.search(r'<table class=results>.*?</table>', page, flags=re.S).group(0)
    assert table.count("<tr>") == 4  # header + 3 systems
    assert '<span class="score">42.21</span><sup class="sig" title="significantly better than a">a</sup>' in table
    assert '<span class="ci">[37.25, 47.71]</span>' in table


def test_report_is_deterministic(tmp_path: Path, written: tuple[Path, str, str]) -> None:
    _, md, page = written
    md_path, html_path = write_report(_copy(tmp_path))
    assert md_path.read_text("utf-8") == md
    assert html_path.read_text("utf-8") == page


def test_text_is_escaped(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "summaries" / "smollm2-135m.jsonl"
    rows = read_rows(path)
    rows[0]["text"] = 'Evil <script>alert("x")</script> & <b>bold</b>'
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    _edit_json(folder / "results.json", lambda r: r.update(name="<i>seed</i>"))
    run = load_run(folder)
    page = render_html(run, [])
    assert "<script>alert" not in page and "<b>bold" not in page and "<i>seed" not in page
    assert "Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "# Run report: &lt;i&gt;seed&lt;/i&gt;" in render_markdown(run)


def test_highlight_skips_overlaps_and_bad_spans() -> None:
    spans = [(0, 3, "edit", "t1"), (2, 5, "suspect", "t2"), (7, 99, "edit", "t3")]
    assert highlight("abcdefgh", spans) == '<mark class="edit" title="t1">abc</mark>defgh'


def test_minimal_run_folder(tmp_path: Path) -> None:
    """One system, no glossary, no comparisons, no per-document files: the report still renders."""
    folder = tmp_path / "minimal"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({
        "name": "minimal", "run_signature": "sig-1", "documents": 2,
        "systems": {"lead-3": {"input": "original", "base": "lead-3",
                               "metrics": {"rouge1": {"score": 40.0, "ci": [30.0, 50.0], "signature": "s"}}}},
        "comparisons": [], "terminology": None, "metric_signatures": {"rouge1": "s"},
    }), encoding="utf-8")
    md_path, html_path = write_report(folder)
    page, md = html_path.read_text("utf-8"), md_path.read_text("utf-8")
    assert "No glossary in this run" in page and "No paired comparisons" in page
    assert "No per-document scores (scores.jsonl) to plot." in page and "<svg" not in page
    assert "| (a) lead-3 | original | 40.00 [30.00, 50.00] |" in md


def test_one_system_with_scores_draws_no_scatter(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit_json(folder / "results.json", lambda r: (r["systems"].pop("lead-3+norm"), r["systems"].pop("smollm2-135m"),
                                                   r.update(comparisons=[])))
    run = load_run(folder)
    assert scatter_pair(run) is None
    page = write_report(folder)[1].read_text("utf-8")
    assert page.count("<svg ") == 2 and 'id="plot-scatter"' not in page


def test_scatter_pair_prefers_normalised_twin() -> None:
    assert scatter_pair(load_run(FIXTURE)) == ("lead-3", "lead-3+norm")


def test_a_significant_loss_is_never_marked_as_a_win(tmp_path: Path) -> None:
    """TER: y has more edits (worse) and the test is significant; x gets the mark, not y; bold goes to x."""
    folder = tmp_path / "loss"
    folder.mkdir()
    metric = lambda v: {"ter": {"score": v, "ci": None, "signature": "ter", "higher_is_better": False}}  # noqa: E731
    (folder / "results.json").write_text(json.dumps({
        "schema_version": 2, "name": "loss", "documents": 10,
        "systems": {"x": {"input": "original", "metrics": metric(40.0)}, "y": {"input": "original", "metrics": metric(55.0)}},
        "comparisons": [{"metric": "ter", "family": "against-first", "a": "x", "b": "y", "a_score": 40.0, "b_score": 55.0,
                         "delta": 15.0, "p_value": 0.001, "p_holm": None, "method": "bootstrap", "correction": "none",
                         "higher_is_better": False, "verdict": "worse"}],
    }), encoding="utf-8")
    run = load_run(folder)
    assert better_than(run) == {("x", "ter"): ["y"]}
    md = render_markdown(run)
    assert "| (a) x | original | **40.00**<sup>b</sup> |" in md and "| (b) y | original | 55.00 |" in md
    assert "| ter | x | y | 15.00 | 0.0010 | - | bootstrap | worse |" in md


def test_no_bold_best_on_a_metric_without_direction(tmp_path: Path) -> None:
    folder = tmp_path / "diag"
    folder.mkdir()
    metric = lambda v: {"length": {"score": v, "ci": None, "signature": "length", "higher_is_better": None}}  # noqa: E731
    (folder / "results.json").write_text(json.dumps({
        "schema_version": 2, "name": "diag", "documents": 3,
        "systems": {"x": {"input": "original", "metrics": metric(40.0)}, "y": {"input": "original", "metrics": metric(55.0)}},
    }), encoding="utf-8")
    md = render_markdown(load_run(folder))
    results = md.split("## Results")[1].split("##")[0]
    assert "**" not in results and "length (no direction)" in results


def test_lower_is_better_for_ter(tmp_path: Path) -> None:
    folder = tmp_path / "ter"
    folder.mkdir()
    metric = lambda v: {"ter": {"score": v, "ci": [v - 5, v + 5], "signature": "ter"}}  # noqa: E731
    (folder / "results.json").write_text(json.dumps({
        "name": "ter", "documents": 10,
        "systems": {"x": {"input": "original", "metrics": metric(60.0)}, "y": {"input": "original", "metrics": metric(45.0)}},
        "comparisons": [{"metric": "ter", "a": "x", "b": "y", "delta": 15.0, "p_value": 0.001, "p_holm": 0.001,
                         "method": "paired-bootstrap", "significant": True}],
    }), encoding="utf-8")
    assert better_than(load_run(folder)) == {("y", "ter"): ["x"]}  # y has fewer edits
    assert "| (b) y | original | **45.00**<sup>a</sup> [40.00, 50.00] |" in render_markdown(load_run(folder))


def test_torn_last_line_is_skipped_but_a_broken_middle_line_is_an_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    scores = folder / "scores.jsonl"
    text = scores.read_text("utf-8")
    scores.write_text(text + '{"id": "p1", "sys', encoding="utf-8")
    assert len(load_run(folder).scores) == 60  # 4 documents x 3 systems x 5 metrics
    lines = text.splitlines()
    lines[3] = lines[3][:20]
    scores.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"scores\.jsonl:4: broken JSON"):
        load_run(folder)


def test_missing_results_or_folder(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="not a folder"):
        write_report(tmp_path / "nope")
    with pytest.raises(RunDirError, match=r"results\.json: not found"):
        write_report(tmp_path)


def test_cli_report_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy(tmp_path)
    monkeypatch.setattr("toolkit.runs.report_plots.render_plots", lambda run: [])  # plots are tested above
    app = typer.Typer()
    register_report_command(app)

    @app.callback()
    def _root() -> None:  # keeps "report" a subcommand, as in the toolkit app
        pass

    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(folder / "report.md"), str(folder / "report.html")]
    assert "<table class=results>" in (folder / "report.html").read_text("utf-8")


def test_toolkit_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real ``toolkit`` app (the run CLI module registers ``report``): paths out, errors as exit 1."""
    from toolkit.cli import main

    folder = _copy(tmp_path)
    monkeypatch.setattr("toolkit.runs.report_plots.render_plots", lambda run: [])
    assert main(["report", str(folder)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(folder / "report.md"), str(folder / "report.html")]
    assert main(["report", str(tmp_path / "missing")]) == 1
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'missing'}: not a folder")


def test_sources_and_references_in_every_document(written: tuple[Path, str, str]) -> None:
    _, _, page = written
    docs = re.findall(r'<details class="doc".*?</details>', page, flags=re.S)
    assert len(docs) == 4
    references = [json.loads(line) for line in (FIXTURE.parent / "inputs" / "documents.jsonl").read_text("utf-8").splitlines()]
    for doc, row in zip(docs, references):
        assert "<h4>Source</h4>" in doc and "<h4>References (1)</h4>" in doc
        assert f"<li>{row['references'][0][:40]}" in doc.replace("&#x27;", "'")


def test_source_without_a_glossary_comes_from_the_data_file(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "normalised.jsonl").unlink()
    page = write_report(folder)[1].read_text("utf-8")
    text = json.loads((FIXTURE.parent / "inputs" / "documents.jsonl").read_text("utf-8").splitlines()[0])["text"]
    assert f'<h4>Source</h4><div class="text">{text[:60]}' in page.replace("&#x27;", "'")
    # a data file that changed since the run is not shown as if it were the run's
    _edit_json(folder / "manifest.json", lambda m: m["data"].update(sha256="0" * 64))
    page = write_report(folder)[1].read_text("utf-8")
    assert "changed since the run (sha256 differs); sources and references are not shown" in page


def test_worst_documents_first(written: tuple[Path, str, str]) -> None:
    _, _, page = written
    table = re.search(r'<table class="worst">.*?</table>', page, flags=re.S).group(0)
    means = [float(m) for m in re.findall(r'<td class=num data-sort="([^"]+)">', table)[::4]]
    assert len(means) == 4 and means == sorted(means)  # mean rouge1 over the 3 systems, lowest first
    run = load_run(FIXTURE)
    first = re.search(r'href="#doc-(\d+)">([^<]+)<', table)
    doc_id = first.group(2)
    expected = sum(run.scores[(doc_id, s, "rouge1")] for s in run.systems) / 3
    assert means[0] == pytest.approx(expected) and run.doc_ids[int(first.group(1))] == doc_id


def test_markdown_signatures_render_in_github_tables(written: tuple[Path, str, str]) -> None:
    _, md, _ = written
    section = md.split("## Metric signatures", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    assert rows
    for line in rows:  # an unescaped | inside the code span would split the row into more cells
        assert len(re.split(r"(?<!\\)\|", line)) == 4, line
