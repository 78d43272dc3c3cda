"""The seed run's report agrees with its results.json on every mark (bold, superscripts, verdicts).

This is the main job (``make run``, configs/seed.yaml) with the two extractive systems (the SmolLM2 one is
left out to keep the test fast; it changes no rule checked here), plus lead-3 a second time, whose
per-document scores equal lead-3's on every metric.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit.runs.config import load_config
from toolkit.runs.engine import run
from toolkit.runs.report_data import load_run, system_labels
from toolkit.runs.results import read_results

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seed")
    config = load_config(ROOT / "configs" / "seed.yaml", [
        f"output_dir={out}", "systems=[{name: lead-3, model: lead-3}, {name: minilm-centrality, model: minilm-centrality}, "
        "{name: lead-3-again, model: lead-3}]"])
    return run(config, progress=False).run_dir


def _per_document(run_dir: Path) -> dict[tuple[str, str], list[float | None]]:
    rows = [json.loads(line) for line in (run_dir / "scores.jsonl").read_text(encoding="utf-8").splitlines()]
    out: dict[tuple[str, str], dict[str, float | None]] = {}
    for r in rows:
        out.setdefault((r["system"], r["metric"]), {})[r["id"]] = r["score"]
    return {k: [v[i] for i in sorted(v)] for k, v in out.items()}


def test_equal_per_document_scores_are_never_significant(seed_run: Path) -> None:
    results = read_results(seed_run / "results.json")
    per_doc = _per_document(seed_run)
    ties = 0
    for c in results.comparisons:
        if per_doc[(c.a, c.metric)] == per_doc[(c.b, c.metric)]:
            ties += 1
            assert c.verdict == "no difference" and c.p_value in (1.0, None), c
    assert ties >= 8  # lead-3-again ties lead-3 on all 8 metrics


def test_report_marks_agree_with_results_json(seed_run: Path) -> None:
    results = read_results(seed_run / "results.json")
    md = (seed_run / "report.md").read_text(encoding="utf-8")
    labels = system_labels(list(results.systems))
    table = md.split("## Results")[1].split("###")[0]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[3:-1]]
            for line in table.splitlines() if line.startswith("| (")}
    assert len(rows) == len(results.systems) == 6
    for system in results.systems:
        cells = rows[f"({labels[system]}) {system}"]
        for metric, cell in zip(results.metrics, cells):
            bold = cell.startswith("**")
            assert bold == (system in results.best(metric)), (system, metric, cell)
            beaten = re.search(r"<sup>([a-z]+)</sup>", cell)
            expected = sorted(labels[c.a if c.winner == c.b else c.b] for c in results.comparisons
                              if c.metric == metric and c.winner == system)
            got = sorted(beaten.group(1)) if beaten else []
            assert got == sorted(set(expected)), (system, metric, cell)


def test_lowest_terms_leak_is_bold_and_delta_is_labelled(seed_run: Path) -> None:
    results = read_results(seed_run / "results.json")
    assert results.higher_is_better("terms_leak") is False
    leak = {s: results.result(s, "terms_leak").score for s in results.systems}
    assert results.best("terms_leak") == {s for s, v in leak.items() if v == min(leak.values())}
    md = (seed_run / "report.md").read_text(encoding="utf-8")
    assert "Delta (b - a)" in md and "Delta (a - b)" not in md
    run_data = load_run(seed_run)
    for c in run_data.comparisons:  # delta is b - a, as the header says
        assert c.delta == pytest.approx(c.b_score - c.a_score, abs=1e-9)
    # one table per family: no pair appears twice in a table
    for family in {c.family for c in results.comparisons}:
        pairs = [(c.metric, c.a, c.b) for c in results.comparisons_of(family)]
        assert len(pairs) == len(set(pairs))


def test_every_glossary_term_is_marked_and_missed_expected_terms_are_listed(seed_run: Path) -> None:
    """report.html marks each glossary term in every summary (not only where normalisation edited) and lists,
    per summary, the expected terms it lacks."""
    page = (seed_run / "report.html").read_text(encoding="utf-8")
    # the original lead-3 summary of the article keeps the MT error; the normalised one has the canonical name
    assert '<mark class="leak" title="variant: the glossary says &#x27;Jin Xiangjun&#x27;' in page
    assert '<mark class="term" title="glossary term (' in page and ">Jin Xiangjun</mark>" in page
    assert "Expected terms missing: " in page
    # terms that no normalise-stage edit produced (already correct in the input) are marked too
    normalised = [json.loads(line) for line in (seed_run / "normalised.jsonl").read_text(encoding="utf-8").splitlines()]
    edited = {e["after"] for row in normalised for e in row["edits"]}
    marked = set(re.findall(r'<mark class="term"[^>]*>([^<]+)</mark>', page))
    assert marked - edited, "terms that no edit produced are marked as well"
