"""Load a finished run folder into one immutable view that the report renderers share.

The folder layout is the one ``toolkit run`` writes (``results.json``, ``manifest.json``, ``normalised.jsonl``,
``summaries/<system>.jsonl``, ``scores.jsonl``, ``config.resolved.yaml``). Only ``results.json`` is required;
every other part is optional and its absence just leaves a section of the report out.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import RunDirError
from toolkit.io import read_text
from toolkit.runs import report_limits as limits
from toolkit.runs.doc_ids import DocIds, ScoreTable, iter_row_chunks
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
        doc_ids: document ids in run order (a compact :class:`~toolkit.runs.doc_ids.DocIds` from :func:`load_run`).
        normalised: document id -> ``normalised.jsonl`` row (empty without a glossary).
        summaries: system -> document id -> ``summaries/<system>.jsonl`` row (:func:`load_run` keeps the rows of
            the documents the report shows, :data:`~toolkit.runs.report_limits.SHOWN_DOCUMENTS`).
        scores: ``(document id, system, metric)`` -> per-document score (a
            :class:`~toolkit.runs.doc_ids.ScoreTable` from :func:`load_run`).
        comparisons: the paired comparisons (typed, from ``results.json``).
        digits: metric -> decimals to print (see :func:`decimals`), over all its corpus and document scores.
        findings: system -> document id -> its unsupported spans (``faithfulness/<system>.jsonl`` rows'
            ``findings``; empty when the run has no faithfulness metric).
        words: system -> each document's summary length in words, in ``doc_ids`` order (-1: no summary);
            empty: counted from ``summaries``.
    """

    run_dir: Path
    results: Mapping[str, Any]
    manifest: Mapping[str, Any]
    config_text: str | None
    systems: tuple[str, ...]
    metrics: tuple[str, ...]
    doc_ids: Sequence[str]
    normalised: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    summaries: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    scores: Mapping[tuple[str, str, str], float] = field(default_factory=dict)
    comparisons: tuple[ComparisonResult, ...] = ()
    digits: Mapping[str, int] = field(default_factory=dict)
    typed: RunResults | None = None
    findings: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]] = field(default_factory=dict)
    words: Mapping[str, np.ndarray] = field(default_factory=dict)

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
        return [None if math.isnan(v) else v for v in self.score_column(system, metric).tolist()]

    def score_column(self, system: str, metric: str) -> np.ndarray:
        """Per-document scores of a system on a metric as float64, in ``doc_ids`` order (NaN where missing)."""
        column = getattr(self.scores, "column", None)
        if column is not None:
            return column(system, metric)
        found = [self.scores.get((doc_id, system, metric)) for doc_id in self.doc_ids]
        return np.array([math.nan if v is None else v for v in found], dtype=np.float64)

    def word_column(self, system: str) -> np.ndarray:
        """Each document's summary length in words for a system, in ``doc_ids`` order (-1: no summary)."""
        if system in self.words:
            return self.words[system]
        if isinstance(self.doc_ids, DocIds):  # load_run counted every summary file: this system has none
            return np.full(len(self.doc_ids), -1, dtype=np.int32)
        found = [self.summary_text(system, doc_id) for doc_id in self.doc_ids]
        return np.array([-1 if t is None else len(t.split()) for t in found], dtype=np.int32)

    def summary_text(self, system: str, doc_id: str) -> str | None:
        """The summary a system produced for a document, if stored."""
        row = self.summaries.get(system, {}).get(doc_id)
        return str(row["text"]) if row is not None and isinstance(row.get("text"), str) else None


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Read a run's JSONL file whole; a torn last line (a crash mid-write) is skipped, later rows win by
    position (the rules of :func:`toolkit.runs.doc_ids.iter_row_chunks`, which reads it a chunk at a time).

    Raises:
        InputError: a line other than the last is not a JSON object, or the file is not UTF-8.
    """
    return [row for rows in iter_row_chunks(path, 1 << 16) for row in rows]


def _read_json(path: Path, required: bool) -> dict[str, Any]:
    return read_json_object(path, required=required)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def load_run(run_dir: str | Path, *, shown: int | None = None) -> RunData:
    """Read a run folder, holding per document only numbers (see :mod:`toolkit.runs.report_limits`).

    ``scores.jsonl`` is read :data:`~toolkit.runs.report_limits.SCORE_ROWS_CHUNK` rows at a time into one
    float64 column per system and metric (:class:`~toolkit.runs.doc_ids.ScoreTable`), the summaries into word
    counts; whole summary rows and faithfulness findings are kept only for the first ``shown`` documents
    (:data:`~toolkit.runs.report_limits.SHOWN_DOCUMENTS` by default), the ones the HTML report shows.

    Args:
        run_dir: a folder written by ``toolkit run``.
        shown: documents (in run order) whose summary rows and findings are kept.

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
    keep = limits.SHOWN_DOCUMENTS if shown is None else shown
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

    def rows_of(path: Path, chunk: int) -> Iterator[dict[str, Any]]:
        for rows in iter_row_chunks(path, chunk):
            yield from rows

    ids = DocIds()
    normalised: dict[str, dict[str, Any]] = {}
    if (folder / "normalised.jsonl").exists():  # a glossary run: the terminology sections count every row
        normalised = {str(r["id"]): r for r in read_rows(folder / "normalised.jsonl") if "id" in r}
        for doc_id in normalised:
            ids.add(doc_id)
    summaries: dict[str, dict[str, dict[str, Any]]] = {}
    words: dict[str, np.ndarray] = {}
    for system in systems:
        path = folder / "summaries" / f"{system}.jsonl"
        if path.exists():
            kept: dict[str, dict[str, Any]] = {}
            counts = array("i")
            for r in rows_of(path, limits.TEXT_ROWS_CHUNK):
                if "id" not in r:
                    continue
                doc_id = str(r["id"])
                position = ids.add(doc_id)
                if position >= len(counts):
                    counts.extend([-1] * (position + 1 - len(counts)))
                counts[position] = len(r["text"].split()) if isinstance(r.get("text"), str) else -1
                if position < keep:
                    kept[doc_id] = r
            summaries[system], words[system] = kept, np.frombuffer(counts, dtype=np.int32).copy()
    scores = ScoreTable(ids)
    metrics_from_results = bool(metrics)  # results.json names the reported metrics; scores.jsonl adds P/R columns
    if (folder / "scores.jsonl").exists():
        last: tuple[str, int] = ("", -1)  # a document's rows come one after another: one lookup for them
        for r in rows_of(folder / "scores.jsonl", limits.SCORE_ROWS_CHUNK):
            value = _number(r.get("score"))
            if value is not None and "id" in r and r.get("system") in systems_block:
                metric = str(r.get("metric"))
                if not metrics_from_results and metric not in metrics:
                    metrics.append(metric)
                doc_id = str(r["id"])
                if doc_id != last[0] or last[1] < 0:
                    last = (doc_id, ids.add(doc_id))
                position = last[1]
                if metric in metrics:  # only the report's metrics are kept (P/R columns are not shown)
                    scores.set(position, str(r["system"]), metric, value)
    findings: dict[str, dict[str, list[Any]]] = {}
    for system in systems:  # faithfulness findings (toolkit.runs.faith_section), of the documents shown
        path = folder / "faithfulness" / f"{system}.jsonl"
        if path.exists():
            findings[system] = {}
            for r in rows_of(path, limits.TEXT_ROWS_CHUNK):
                position = ids.get(str(r["id"])) if "id" in r else None
                if position is not None and position < keep:
                    findings[system][str(r["id"])] = list(r.get("findings") or [])
    words = {s: _padded(w, len(ids)) for s, w in words.items()}
    values: dict[str, list[float | None]] = {m: [] for m in metrics}
    for block in systems_block.values():
        for metric, entry in ((block.get("metrics") or {}) if isinstance(block, Mapping) else {}).items():
            if isinstance(entry, Mapping):
                values[str(metric)].append(_number(entry.get("score")))
    for system, metric in scores.pairs():
        column = scores.column(system, metric)
        known = column[~np.isnan(column)]
        if known.size and metric in values:  # the largest magnitude decides the digits (see decimals)
            values[metric].append(float(np.abs(known).max()))
    return RunData(
        run_dir=folder, results=results, manifest=manifest, config_text=config_text, systems=systems,
        metrics=tuple(metrics), doc_ids=ids, normalised=normalised, summaries=summaries, scores=scores,
        comparisons=typed.comparisons, digits={m: decimals(v) for m, v in values.items()}, typed=typed,
        findings=findings, words=words,
    )


def _padded(counts: np.ndarray, n: int) -> np.ndarray:
    """Word counts of every document (-1: no summary), as int32."""
    return counts[:n] if len(counts) >= n else np.concatenate([counts, np.full(n - len(counts), -1, dtype=np.int32)])


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
    if system in run.words:
        at = position(run, doc_id)
        count = -1 if at is None else int(run.words[system][at])
        return None if count < 0 else count
    text = run.summary_text(system, doc_id)
    return None if text is None else len(text.split())


def position(run: RunData, doc_id: str) -> int | None:
    """Where a document stands in ``run.doc_ids`` (``None``: not in the run); a hash lookup for :func:`load_run`'s ids."""
    if isinstance(run.doc_ids, DocIds):
        return run.doc_ids.get(doc_id)
    return run.doc_ids.index(doc_id) if doc_id in run.doc_ids else None
