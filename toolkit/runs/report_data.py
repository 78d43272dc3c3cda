"""Load a finished run folder into one immutable view that the report renderers share.

The folder layout is the one ``toolkit run`` writes (``results.json``, ``manifest.json``, ``normalised.jsonl``,
``summaries/<system>.jsonl``, ``scores.jsonl``, ``config.resolved.yaml``). Only ``results.json`` is required;
every other part is optional and its absence just leaves a section of the report out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, RunDirError
from toolkit.io import read_text

from toolkit.runs.results import ComparisonResult, RunResults, read_json_object


@dataclass(frozen=True)
class RunData:
    """Everything the report shows, read from one run folder.

    Attributes:
        run_dir: the folder.
        results: ``results.json`` as a dict.
        manifest: ``manifest.json`` as a dict (empty when absent).
        config_text: ``config.resolved.yaml`` as text, or ``None``.
        systems: system names in ``results.json`` order.
        metrics: metric names in first-seen order over the systems.
        doc_ids: document ids in run order.
        normalised: document id -> ``normalised.jsonl`` row (empty without a glossary).
        summaries: system -> document id -> ``summaries/<system>.jsonl`` row.
        scores: ``(document id, system, metric)`` -> per-document score.
        comparisons: the paired comparisons (typed, from ``results.json``).
        digits: metric -> decimals to print (see :func:`decimals`), over all its corpus and document scores.
        findings: system -> document id -> its unsupported spans (``faithfulness/<system>.jsonl`` rows'
            ``findings``; empty when the run has no faithfulness metric).
    """

    run_dir: Path
    results: Mapping[str, Any]
    manifest: Mapping[str, Any]
    config_text: str | None
    systems: tuple[str, ...]
    metrics: tuple[str, ...]
    doc_ids: tuple[str, ...]
    normalised: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    summaries: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    scores: Mapping[tuple[str, str, str], float] = field(default_factory=dict)
    comparisons: tuple[ComparisonResult, ...] = ()
    digits: Mapping[str, int] = field(default_factory=dict)
    typed: RunResults | None = None
    findings: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]] = field(default_factory=dict)

    @property
    def run_results(self) -> RunResults:
        """``results.json`` as the typed schema."""
        return self.typed if self.typed is not None else RunResults.from_dict(self.results)

    def higher_is_better(self, metric: str) -> bool | None:
        """The metric's direction as ``results.json`` stores it (None: no direction)."""
        return self.run_results.higher_is_better(metric)

    def direction_note(self, metric: str) -> str:
        """``" (lower is better)"``, ``" (no direction)"`` or nothing, for a column header."""
        direction = self.higher_is_better(metric)
        return " (lower is better)" if direction is False else (" (no direction)" if direction is None else "")

    @property
    def name(self) -> str:
        """The run's name (``results.json`` ``name``, else the folder name)."""
        return str(self.results.get("name") or self.run_dir.name)

    def corpus(self, system: str, metric: str) -> Mapping[str, Any] | None:
        """The corpus entry ``{"score", "ci", "signature"}`` of a system and metric, if any."""
        value = self.results.get("systems", {}).get(system, {}).get("metrics", {}).get(metric)
        return value if isinstance(value, Mapping) else None

    def doc_scores(self, system: str, metric: str) -> list[float | None]:
        """Per-document scores of a system on a metric, in ``doc_ids`` order (``None`` where missing)."""
        return [self.scores.get((doc_id, system, metric)) for doc_id in self.doc_ids]

    def summary_text(self, system: str, doc_id: str) -> str | None:
        """The summary a system produced for a document, if stored."""
        row = self.summaries.get(system, {}).get(doc_id)
        return str(row["text"]) if row is not None and isinstance(row.get("text"), str) else None


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Read a run's JSONL file; a torn last line (a crash mid-write) is skipped, later rows win by position.

    Raises:
        InputError: a line other than the last is not a JSON object.
    """
    lines = read_text(path).split("\n")
    rows: list[dict[str, Any]] = []
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == last:
                break
            raise InputError(f"{path}:{number + 1}: broken JSON ({exc.msg}); the run folder is damaged, "
                             "re-run with --fresh") from None
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{number + 1}: expected a JSON object; the run folder is damaged")
        rows.append(obj)
    return rows


def _read_json(path: Path, required: bool) -> dict[str, Any]:
    return read_json_object(path, required=required)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def load_run(run_dir: str | Path) -> RunData:
    """Read a run folder.

    Args:
        run_dir: a folder written by ``toolkit run``.

    Returns:
        The run's data; optional files that are absent give empty parts.

    Raises:
        RunDirError: the folder or its ``results.json`` is missing.
        InputError: a file in it is not valid JSON/JSONL.

    Example:
        >>> from pathlib import Path
        >>> run = load_run(Path("tests/data/report/seed-demo"))
        >>> run.systems, len(run.doc_ids)
        (('lead-3', 'lead-3+norm', 'smollm2-135m'), 4)
    """
    folder = Path(run_dir)
    if not folder.is_dir():
        raise RunDirError(f"{folder}: not a folder; give the run folder (runs/<name>/) that `toolkit run` wrote")
    results = _read_json(folder / "results.json", required=True)
    typed = RunResults.from_dict(results)
    manifest = _read_json(folder / "manifest.json", required=False)
    config_path = folder / "config.resolved.yaml"
    config_text = read_text(config_path) if config_path.exists() else None
    systems_block = results.get("systems") if isinstance(results.get("systems"), Mapping) else {}
    systems = tuple(str(s) for s in systems_block)
    metrics: list[str] = []
    for block in systems_block.values():
        for metric in (block.get("metrics") or {}) if isinstance(block, Mapping) else {}:
            if metric not in metrics:
                metrics.append(str(metric))

    normalised: dict[str, dict[str, Any]] = {}
    if (folder / "normalised.jsonl").exists():
        normalised = {str(r["id"]): r for r in read_rows(folder / "normalised.jsonl") if "id" in r}
    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    for system in systems:
        path = folder / "summaries" / f"{system}.jsonl"
        if path.exists():
            summaries[system] = {str(r["id"]): r for r in read_rows(path) if "id" in r}
    findings: dict[str, dict[str, list[Any]]] = {}
    for system in systems:  # faithfulness findings (toolkit.runs.faith_section)
        path = folder / "faithfulness" / f"{system}.jsonl"
        if path.exists():
            findings[system] = {str(r["id"]): list(r.get("findings") or []) for r in read_rows(path) if "id" in r}
    scores: dict[tuple[str, str, str], float] = {}
    metrics_from_results = bool(metrics)  # results.json names the reported metrics; scores.jsonl adds P/R columns
    if (folder / "scores.jsonl").exists():
        for r in read_rows(folder / "scores.jsonl"):
            value = _number(r.get("score"))
            if value is not None and "id" in r and r.get("system") in systems_block:
                scores[(str(r["id"]), str(r["system"]), str(r.get("metric")))] = value
                if not metrics_from_results and str(r.get("metric")) not in metrics:
                    metrics.append(str(r.get("metric")))

    ordered: dict[str, None] = dict.fromkeys(normalised)
    for rows in summaries.values():
        ordered.update(dict.fromkeys(rows))
    ordered.update(dict.fromkeys(doc_id for doc_id, _, _ in scores))
    doc_ids = list(ordered)
    values: dict[str, list[float | None]] = {m: [] for m in metrics}
    for block in systems_block.values():
        for metric, entry in ((block.get("metrics") or {}) if isinstance(block, Mapping) else {}).items():
            if isinstance(entry, Mapping):
                values[str(metric)].append(_number(entry.get("score")))
    for (_, _, metric), value in scores.items():
        if metric in values:
            values[metric].append(value)
    return RunData(
        run_dir=folder, results=results, manifest=manifest, config_text=config_text, systems=systems,
        metrics=tuple(metrics), doc_ids=tuple(doc_ids), normalised=normalised, summaries=summaries, scores=scores,
        comparisons=typed.comparisons, digits={m: decimals(v) for m, v in values.items()}, typed=typed,
        findings=findings,
    )


def system_labels(systems: Sequence[str]) -> dict[str, str]:
    """Short labels ``a``, ``b``, ... ``z``, ``aa``... for the significance marks, in system order."""
    labels = {}
    for i, system in enumerate(systems):
        label, n = "", i
        while True:
            label = chr(ord("a") + n % 26) + label
            n = n // 26 - 1
            if n < 0:
                break
        labels[system] = label
    return labels


def better_than(run: RunData) -> dict[tuple[str, str], list[str]]:
    """``(system, metric)`` -> the systems it is significantly better than, from the comparisons' verdicts.

    A verdict is ``better``/``worse`` of ``b`` against ``a`` in the metric's direction, so a significant loss
    is never marked as a win.
    """
    marks: dict[tuple[str, str], list[str]] = {}
    for c in run.comparisons:
        winner = c.winner
        if winner is None:
            continue
        loser = c.a if winner == c.b else c.b
        beaten = marks.setdefault((winner, c.metric), [])
        if loser not in beaten:
            beaten.append(loser)
    return marks


#: Headings of the comparison families, in report order.
FAMILY_TITLES = {"against-first": "Paired comparisons: every system against the first",
                 "normalisation": "Paired comparisons: each system on the original against the normalised text"}


def comparison_families(run: RunData) -> list[tuple[str, str]]:
    """``(family, title)`` of each comparison family present, so each table holds one verdict per pair."""
    present = list(dict.fromkeys(c.family for c in run.comparisons))
    return [(f, FAMILY_TITLES.get(f, f"Paired comparisons: {f}")) for f in present]


def best_systems(run: RunData, metric: str) -> set[str]:
    """The systems with the best corpus score on a metric (ties included); none for a metric without direction."""
    return run.run_results.best(metric)


def decimals(values: Sequence[float | None]) -> int:
    """Digits to print for a metric's values: 2 on the 0-100 scale, 4 when every value lies within [-1, 1]."""
    known = [abs(v) for v in values if v is not None]
    return 4 if known and max(known) <= 1.0 else 2


def fmt(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals, ``-`` for a missing or non-numeric value."""
    number = _number(value)
    if number is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{number:.{digits}f}"


def fmt_p(value: Any) -> str:
    """A p-value: 4 decimals, ``<0.0001`` below that, ``-`` when missing."""
    number = _number(value)
    if number is None:
        return "-"
    return "<0.0001" if 0 < number < 1e-4 else f"{number:.4f}"


def metric_digits(run: RunData, metric: str) -> int:
    """Decimals for one metric (precomputed over every corpus and per-document value of the run)."""
    return run.digits.get(metric, 2)


def summary_words(run: RunData, system: str, doc_id: str) -> int | None:
    """Length of a summary in whitespace-separated words."""
    text = run.summary_text(system, doc_id)
    return None if text is None else len(text.split())
