"""The report of a run above its caps (issue 19, toolkit/runs/report_limits.py): what it says it leaves out,
scores read in chunks, and only the shown documents' rows held.

The caps are lowered with monkeypatch so that small folders stand for large runs: the fixture run
(tests/data/report/seed-demo, 4 documents x 3 systems) and a generated folder of 30 documents x 2 systems
whose scores are made up (``(7 * i) % 31`` and ``(11 * i) % 29``, so every document differs).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from toolkit.runs import report_data, report_limits
from toolkit.runs.doc_ids import DocIds, ScoreTable, iter_row_chunks
from toolkit.runs.report import write_report
from toolkit.runs.report_data import load_run
from toolkit.runs.report_plots import _sketch_distributions, _sketch_length, _sketch_scatter, render_plots
from toolkit.runs.report_texts import load_texts

FIXTURE = Path(__file__).parent / "data" / "report" / "seed-demo"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the fixture's manifest names its data file relative to the repository root


def _caps(monkeypatch: pytest.MonkeyPatch, **caps: int) -> None:
    for name, value in caps.items():
        monkeypatch.setattr(report_limits, name, value)


def _generated(folder: Path, n: int = 30) -> Path:
    """A run folder of ``n`` documents and systems a, b with one metric (rouge1)."""
    (folder / "summaries").mkdir(parents=True)
    metric = {"rouge1": {"score": 40.0, "ci": [30.0, 50.0], "signature": "s"}}
    (folder / "results.json").write_text(json.dumps({
        "name": "generated", "documents": n, "comparisons": [],
        "systems": {s: {"input": "original", "base": s, "metrics": metric} for s in ("a", "b")}}), encoding="utf-8")
    with open(folder / "scores.jsonl", "w", encoding="utf-8") as out:
        for i in range(n):
            for system, value in (("a", (7 * i) % 31), ("b", (11 * i) % 29)):
                for name, score in (("rouge1", float(value)), ("rouge1_p", 1.0)):
                    out.write(json.dumps({"id": f"d{i:02d}", "system": system, "metric": name, "score": score}) + "\n")
    for system in ("a", "b"):
        (folder / "summaries" / f"{system}.jsonl").write_text(
            "".join(json.dumps({"id": f"d{i:02d}", "text": "w " * (i % 7 + 1)}) + "\n" for i in range(n)), encoding="utf-8")
    return folder


def test_a_report_above_the_caps_says_how_much_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _caps(monkeypatch, TABLE_DOCUMENTS=2, SHOWN_DOCUMENTS=2, MAX_WORST=1)
    md_path, html_path = write_report(shutil.copytree(FIXTURE, tmp_path / "run"), cache=False)
    md, page = md_path.read_text("utf-8"), html_path.read_text("utf-8")
    assert "2 of 4 documents shown (the first in run order)" in md
    assert re.findall(r"^\| (p\d) \| ", md, flags=re.M) == ["p1"] * 3 + ["p2"] * 3  # 2 documents x 3 systems
    assert page.count('<details class="doc"') == 2 and "2 more documents are not shown here; see scores.jsonl." in page
    worst = re.search(r'<table class="worst">.*?</table>', page, flags=re.S).group(0)
    assert worst.count("<tr>") == 2 and "The 3 others are in scores.jsonl." in page  # header + 1 document


def test_the_same_report_whatever_the_chunk_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks: list[int] = []

    def counted(path: Path, chunk: int):
        for rows in iter_row_chunks(path, chunk):
            chunks.append(len(rows)) if path.name == "scores.jsonl" else None
            yield rows

    monkeypatch.setattr(report_data, "iter_row_chunks", counted)
    pages = []
    for size in (10**9, 7, 1):
        _caps(monkeypatch, SCORE_ROWS_CHUNK=size)
        chunks.clear()
        folder = shutil.copytree(FIXTURE, tmp_path / f"run-{size}")
        pages.append(tuple(p.read_text("utf-8").replace(f"run-{size}", "run") for p in write_report(folder, cache=False)))
        assert chunks == ([60] if size > 60 else [size] * (60 // size) + ([60 % size] if 60 % size else []))
    assert pages[0] == pages[1] == pages[2]


def test_only_the_shown_documents_are_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _caps(monkeypatch, SHOWN_DOCUMENTS=2)
    run = load_run(FIXTURE)
    assert isinstance(run.doc_ids, DocIds) and isinstance(run.scores, ScoreTable) and len(run.scores) == 60
    assert {s: sorted(rows) for s, rows in run.summaries.items()} == {s: ["p1", "p2"] for s in run.systems}
    column = run.score_column("lead-3", "rouge1")
    assert column.dtype == np.float64 and len(column) == 4 and not column.flags.writeable
    assert run.word_column("lead-3").tolist() == [163, 107, 120, 70]  # every document counted (words of its summary)
    texts = load_texts(run.manifest, run.config_text, ids=["p2", "p6"])
    assert sorted(texts.sources) == sorted(texts.references) == ["p2", "p6"] and texts.note == ""
    assert sorted(load_texts(run.manifest, run.config_text).sources) == ["p1", "p2", "p5", "p6"]


def test_plots_above_the_cap_draw_a_seeded_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _generated(tmp_path / "gen")
    whole = load_run(folder)
    far = sorted(range(30), key=lambda i: -abs((11 * i) % 29 - (7 * i) % 31))[:6]  # the labelled documents
    _caps(monkeypatch, PLOT_POINTS=10)
    run = load_run(folder)
    assert run.metrics == ("rouge1",) and len(run.scores) == 60  # rouge1_p is not a reported metric: not kept
    plots = {p.id: p for p in render_plots(run)}
    assert set(plots) == {"plot-dist", "plot-scatter", "plot-length"}
    for plot in plots.values():
        assert "Drawn: a seeded random sample of 10 of the 30" in plot.caption
    dist = _sketch_distributions(run)
    assert [len(dist.data["values"]["rouge1"][s]) for s in ("a", "b")] == [10, 10]
    a_all = sorted(v for v in whole.score_column("a", "rouge1").tolist())
    box = dist.data["boxes"]["rouge1"]["a"]  # the box is of every document, not of the sample
    assert box["med"] == float(np.percentile(a_all, 50)) and box["q1"] == float(np.percentile(a_all, 25))
    scatter = _sketch_scatter(run, ("a", "b"), "plot-scatter")
    drawn = [p[0] for p in scatter.data["points"]["rouge1"]]
    assert set(f"d{i:02d}" for i in far) <= set(drawn) and 10 <= len(drawn) <= 16 and drawn == sorted(drawn)
    length = _sketch_length(run)
    assert [len(length.data["points"]["rouge1"][s][0]) for s in ("a", "b")] == [10, 10]
    again = {p.id: p.svg for p in render_plots(load_run(folder))}
    assert again == {p.id: p.svg for p in plots.values()}  # seeded: the same sample every time
    _caps(monkeypatch, PLOT_POINTS=30)  # at the cap: every point, the caption as before
    assert all("Drawn" not in p.caption for p in render_plots(load_run(folder)))


def test_doc_ids_survive_hash_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.runs.doc_ids as doc_ids

    monkeypatch.setattr(doc_ids, "hash", lambda _text: 7, raising=False)  # every id has the same hash
    ids = DocIds()
    assert [ids.add(d) for d in ("x", "y", "x", "z", "y")] == [0, 1, 0, 2, 1]
    assert [ids.get(d) for d in ("x", "y", "z", "w")] == [0, 1, 2, None] and list(ids) == ["x", "y", "z"]
    monkeypatch.undo()  # real hashes again
    monkeypatch.setattr(doc_ids, "_MERGE_AT", 4)  # merged into the sorted arrays every 4 new ids
    many = DocIds()
    for i in range(50):
        assert many.add(f"id{i}") == i
    assert [many.get(f"id{i}") for i in (0, 3, 4, 49)] == [0, 3, 4, 49] and many.get("id50") is None
