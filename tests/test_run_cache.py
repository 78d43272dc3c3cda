"""Run-folder caches (issue 18): a warm re-run reads results and plots back instead of recomputing them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from toolkit.errors import RunDirError
from toolkit.runs import cache, report_plots
from toolkit.runs.cache import (
    PLOTS_CACHE,
    RESULTS_CACHE,
    cached_results,
    read_cache,
    write_cache,
)
from toolkit.runs.report import write_report
from toolkit.runs.results import RunResults

DEMO = Path("tests/data/report/seed-demo")


def refuse_drawing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every plot drawing fail; returns the list the refused kinds are appended to."""
    refused: list[str] = []

    def refuse(kind: str) -> Any:
        def draw(prefix: str, data: dict[str, Any]) -> str:
            refused.append(kind)
            raise AssertionError(f"plot {prefix} was drawn")
        return draw

    monkeypatch.setattr(report_plots, "_DRAW", {k: refuse(k) for k in report_plots._DRAW})
    return refused


def test_cached_plots_are_read_back_and_a_changed_plot_is_redrawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(shutil.copytree(DEMO, tmp_path / "run"))
    write_report(folder, cache=True)
    page = (folder / "report.html").read_bytes()
    stored = read_cache(folder, PLOTS_CACHE)
    assert len(stored) == 4 and all(svg.startswith("<svg ") for svg in stored.values())

    refuse_drawing(monkeypatch)
    write_report(folder)  # the folder has cache/: used by default
    assert (folder / "report.html").read_bytes() == page

    # one summary changes length: only the length plot's data changed, so only it is drawn (and refused)
    path = folder / "summaries" / "lead-3.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows[0]["text"] += " and one more clause"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(AssertionError, match="plot plot-length was drawn"):
        write_report(folder)


def test_a_report_without_cache_writes_no_cache_folder(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(DEMO, tmp_path / "run"))
    write_report(folder)
    assert not (folder / "cache").exists()


def test_cached_results_need_the_same_key_and_unchanged_artefacts(tmp_path: Path) -> None:
    made = RunResults(name="demo", run_signature="sig", documents=1, systems={}, sections={"qa": {"findings": 2}})
    calls: list[int] = []

    def compute() -> RunResults:
        calls.append(1)
        (tmp_path / "scores.jsonl").write_text('{"id": "d1"}\n', encoding="utf-8")
        return made

    first, hit = cached_results(tmp_path, "k", compute, artefacts=["scores.jsonl", "faithfulness"])
    assert (hit, len(calls)) == (False, 1)
    again, hit = cached_results(tmp_path, "k", compute, artefacts=["scores.jsonl", "faithfulness"])
    assert (hit, len(calls)) == (True, 1) and again.to_dict() == first.to_dict() == made.to_dict()

    (tmp_path / "scores.jsonl").unlink()  # an artefact went missing: computed (and written) again
    _, hit = cached_results(tmp_path, "k", compute, artefacts=["scores.jsonl", "faithfulness"])
    assert (hit, len(calls)) == (False, 2) and (tmp_path / "scores.jsonl").exists()
    _, hit = cached_results(tmp_path, "other", compute, artefacts=["scores.jsonl"])
    assert (hit, len(calls)) == (False, 3)


def test_a_broken_or_foreign_cache_file_is_ignored(tmp_path: Path) -> None:
    write_cache(tmp_path, RESULTS_CACHE, {"key": "k"})
    (tmp_path / "cache" / RESULTS_CACHE).write_text("{broken", encoding="utf-8")
    assert read_cache(tmp_path, RESULTS_CACHE) == {}
    (tmp_path / "cache" / RESULTS_CACHE).write_text('{"version": "run-cache.v0", "entries": {"key": "k"}}', encoding="utf-8")
    assert read_cache(tmp_path, RESULTS_CACHE) == {}


def test_the_cache_folder_must_not_be_a_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "cache").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(RunDirError, match="cache: is a symbolic link"):
        write_cache(run_dir, PLOTS_CACHE, {"k": "<svg/>"})
    assert list(elsewhere.iterdir()) == []


def test_the_code_fingerprint_changes_with_the_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "toolkit"
    (package / "runs").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "__file__", str(package / "runs" / "cache.py"))
    cache.code_fingerprint.cache_clear()
    try:
        before = cache.code_fingerprint()
        cache.code_fingerprint.cache_clear()
        (package / "a.py").write_text("x = 2\n", encoding="utf-8")
        assert cache.code_fingerprint() != before
    finally:
        cache.code_fingerprint.cache_clear()


def _config(tmp_path: Path, resamples: int = 100) -> Any:
    from toolkit import config_from_dict

    docs = [{"id": "d1", "text": "Rain fell. Roads flooded.", "references": ["Rain flooded roads."]},
            {"id": "d2", "text": "Prices rose. Shops were busy.", "references": ["Prices rose."]},
            {"id": "d3", "text": "The river rose. Farms flooded. Roads closed.", "references": ["Farms flooded."]}]
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return config_from_dict({"name": "demo", "data": {"path": str(data)}, "metrics": ["rouge1", "bleu"],
                             "systems": [{"name": "lead", "model": "lead-1"}, {"name": "lead2", "model": "lead-2"}],
                             "bootstrap": {"resamples": resamples}, "output_dir": str(tmp_path / "runs")})


def _timeless(path: Path) -> str:
    """A report with its run times (of the manifest: a warm run has its own) blanked out."""
    import re

    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", "TIME", path.read_text(encoding="utf-8"))


def test_a_warm_run_reads_results_and_plots_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import toolkit.scoring
    from toolkit.runs import streamed
    from toolkit.runs.engine import run

    first = run(_config(tmp_path), progress=False)
    results, scores = (first.run_dir / "results.json").read_bytes(), (first.run_dir / "scores.jsonl").read_bytes()
    report, markdown = _timeless(first.run_dir / "report.html"), _timeless(first.run_dir / "report.md")
    assert first.results["comparisons"] and first.results["systems"]["lead"]["metrics"]["bleu"]["ci"]

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("scores were recomputed")

    monkeypatch.setattr(toolkit.scoring, "score", refuse)  # corpus scores, intervals ...
    monkeypatch.setattr(toolkit.scoring, "compare", refuse)  # ... and paired tests
    monkeypatch.setattr(streamed, "corpus_results", refuse)  # the same for a streamed run (this config streams)
    refuse_drawing(monkeypatch)
    second = run(_config(tmp_path), progress=False)
    assert (second.run_dir / "results.json").read_bytes() == results
    assert (second.run_dir / "scores.jsonl").read_bytes() == scores
    assert _timeless(second.run_dir / "report.html") == report and _timeless(second.run_dir / "report.md") == markdown
    assert second.results == first.results and second.signature == first.signature

    # other settings: the results are computed again (and scoring is refused here)
    with pytest.raises(AssertionError, match="scores were recomputed"):
        run(_config(tmp_path, resamples=200), progress=False)
    monkeypatch.undo()
    (second.run_dir / "scores.jsonl").unlink()  # a file the results were written with is gone: recomputed
    third = run(_config(tmp_path), progress=False)
    assert (third.run_dir / "results.json").read_bytes() == results
    assert (third.run_dir / "scores.jsonl").read_bytes() == scores
