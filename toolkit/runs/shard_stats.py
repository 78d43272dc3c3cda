"""Corpus scores from per-segment statistics gathered shard by shard: numpy arrays, never every row at once.

A streamed run (:mod:`toolkit.runs.streamed`) scores each shard's stored units into ``SegmentStats``
(:func:`shard_stats`); :class:`SystemStats` keeps only their arrays (the statistics rows, the segment scores
and the per-segment extra columns: some 30 float64 a document for ROUGE-1/2/L + BLEU), and
:meth:`SystemStats.merged` rebuilds each metric's ``SegmentStats`` over the whole corpus exactly as one
in-memory call computes it: the mean of the concatenated segment values (ROUGE), sacreBLEU's corpus score
from the rows summed in document order, as ``sacrebleu.utils.sum_of_lists`` sums them (BLEU, chrF, TER).
:func:`corpus_results` then adds the bootstrap intervals (one draw for every metric, in id order).
Only metrics whose corpus value is built that way can stream (:func:`streamable`); tests/test_streamed.py
checks every one against ``score()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from toolkit.scoring.base import SegmentStats, mean_stats
from toolkit.scoring.records import MetricResult, ScoreReport
from toolkit.scoring.settings import ScoringSettings, full_signature

SACREBLEU = ("bleu", "chrf", "chrf++", "ter")


def _rouge_names() -> set[str]:
    from toolkit.scoring.rouge.metric import VARIANTS

    return {v + suffix for v in VARIANTS for suffix in ("", "_p", "_r")}


def streamable(metrics: Sequence[str], settings: ScoringSettings) -> bool:
    """Whether every metric's corpus value can be rebuilt from shards (ROUGE outside ``rouge155`` mode, whose
    printed averages need every segment; BLEU, chrF, chrF++, TER).

    Example:
        >>> streamable(["rouge1", "rougeL", "bleu"], ScoringSettings()), streamable(["terms"], ScoringSettings())
        (True, False)
    """
    rouge = _rouge_names()
    return all(m in SACREBLEU or (m in rouge and settings.rouge_mode != "rouge155") for m in metrics)


def shard_stats(
    *, predictions: Sequence[str], references: Sequence[Sequence[str]], ids: Sequence[str],
    units: Sequence[Mapping[str, Any]], metrics: Sequence[str], settings: ScoringSettings,
    sources: Sequence[str] | None = None,
) -> tuple[dict[str, SegmentStats], list[dict[str, Any]]]:
    """The ``SegmentStats`` of each metric on one shard (from its stored units), and its ``scores.jsonl`` rows
    (``{"id", metric: value, extra column: value}``, as ``score(...).segment_rows()`` gives them)."""
    from toolkit.scoring.api import (
        _check_inputs,
        _check_settings,
        _compute_all,
        _context,
        _given_units,
        _warn_empty,
        segment_rows,
    )

    _check_settings(metrics, settings, sources=sources, glossary=None)
    preds, refs, seg_ids = _check_inputs(predictions, references, sources, ids)
    _warn_empty(preds, seg_ids, "predictions")
    ctx = _context(preds, refs, seg_ids, settings, sources, None, _given_units(units, seg_ids, "predictions"))
    stats = _compute_all(ctx, metrics)
    return stats, ScoreReport(corpus={}, segments=tuple(segment_rows(seg_ids, stats))).segment_rows()


class SystemStats:
    """One system's statistics arrays of every metric, gathered shard by shard.

    Example:
        >>> from toolkit.scoring import segment_units
        >>> preds, refs = ["a cat sat", "the dog", "a bird flew"], [["a cat sat down"], ["a dog"], ["birds fly"]]
        >>> units = segment_units(predictions=preds, references=refs, metrics=["rouge1", "bleu"])
        >>> collected = SystemStats(["rouge1", "bleu"])
        >>> for lo, hi in ((0, 2), (2, 3)):
        ...     stats, _ = shard_stats(predictions=preds[lo:hi], references=refs[lo:hi], ids=[str(i) for i in range(lo, hi)],
        ...                            units=units[lo:hi], metrics=["rouge1", "bleu"], settings=ScoringSettings())
        ...     collected.add(stats, refs[lo:hi])
        >>> from toolkit.scoring import score
        >>> whole = score(predictions=preds, references=refs, metrics=["rouge1", "bleu"], bootstrap=0)
        >>> merged = collected.merged(ScoringSettings())
        >>> [merged[m].corpus_score == whole[m].score for m in ("rouge1", "bleu")]
        [True, True]
    """

    def __init__(self, metrics: Sequence[str], capacity: int | None = None) -> None:
        self.metrics = list(metrics)
        self.capacity = capacity  # documents expected: arrays allocated once at that size (no copies, no holes)
        self.rows: dict[str, _Column] = {}
        self.scores: dict[str, _Column] = {}
        self.extra: dict[str, dict[str, _Column]] = {m: {} for m in self.metrics}
        self.signatures: dict[str, str] = {}
        self.nrefs: set[int] = set()
        self.n = 0

    def add(self, stats: Mapping[str, SegmentStats], references: Sequence[Sequence[str]]) -> None:
        """One shard's statistics (from :func:`shard_stats`) and its references (their counts set BLEU's nrefs)."""
        self.nrefs |= {len([r for r in refs if r is not None]) for refs in references}
        for name in self.metrics:
            seg = stats[name]
            if name in SACREBLEU:  # ROUGE's rows are rebuilt from its segment scores (mean_stats in _merged)
                self.rows.setdefault(name, _Column(self.capacity)).append(_compact(np.asarray(seg.stats)))
            self.scores.setdefault(name, _Column(self.capacity)).append(np.asarray(seg.segment_scores, dtype=np.float64))
            for column, values in seg.segment_extra.items():
                self.extra[name].setdefault(column, _Column(self.capacity)).append(np.asarray(values, dtype=np.float64))
            self.signatures.setdefault(name, seg.signature)
        self.n += len(references)

    def merged(self, settings: ScoringSettings) -> dict[str, SegmentStats]:
        """Each metric's ``SegmentStats`` over every shard added, as one call over the corpus computes it."""
        return {name: self._merged(name, settings) for name in self.metrics}

    def _merged(self, name: str, settings: ScoringSettings) -> SegmentStats:
        scores = self.scores[name].values() if name in self.scores else np.zeros(0)
        extra = {c: column.values() for c, column in self.extra[name].items()}
        if name in SACREBLEU:
            return _sacrebleu_merged(name, self.rows[name].values(), scores, self.nrefs, settings)
        corpus_extra: dict[str, Any] = {}
        if not name.endswith(("_p", "_r")):  # ROUGE F: the means of P and R beside it, as rouge.metric gives
            p, r = extra.get(f"{name}_p"), extra.get(f"{name}_r")
            if p is not None and r is not None:
                corpus_extra = {"precision": float(p.mean()) if p.size else math.nan,
                                "recall": float(r.mean()) if r.size else math.nan}
        return mean_stats(scores, self.signatures[name], segment_extra=extra, corpus_extra=corpus_extra)


def _compact(rows: np.ndarray) -> np.ndarray:
    """Integer rows as int32 when every value fits (sacreBLEU's counts: exact, half the bytes of int64); the
    sums stay exact (numpy adds int32 in the platform's int64) and every resample reads them as float32."""
    if rows.dtype.kind in "iu" and rows.size and np.iinfo(np.int32).min <= rows.min() and rows.max() <= np.iinfo(np.int32).max:
        return rows.astype(np.int32)
    return rows


class _Column:
    """Rows appended shard by shard into one array: allocated once when the capacity is known, else grown."""

    def __init__(self, capacity: int | None) -> None:
        self.capacity = capacity
        self.parts: list[np.ndarray] = []
        self.array: np.ndarray | None = None
        self.n = 0

    def append(self, values: np.ndarray) -> None:
        if self.capacity is None or (self.array is None and self.parts):
            self.parts.append(values)
            return
        if self.array is None:
            self.array = np.empty((self.capacity, *values.shape[1:]), dtype=values.dtype)
        if self.n + len(values) > self.capacity or values.dtype != self.array.dtype or values.shape[1:] != self.array.shape[1:]:
            self.parts = [self.array[: self.n], values]  # more rows, or another dtype, than expected: grow
            self.array = None
            return
        self.array[self.n : self.n + len(values)] = values
        self.n += len(values)

    def values(self) -> np.ndarray:
        if self.array is not None:
            return self.array[: self.n]
        return np.concatenate(self.parts) if self.parts else np.zeros(0)


def _sacrebleu_merged(name: str, rows: np.ndarray, scores: np.ndarray, nrefs: set[int], settings: ScoringSettings) -> SegmentStats:
    """sacreBLEU's corpus result of the concatenated rows: the column sums in document order (sum_of_lists),
    in the type of the first value (int for BLEU and chrF, float for TER)."""
    from toolkit.scoring.sacrebleu_metrics import _KINDS, make_metric

    metric = make_metric(name, target_lang=settings.target_lang)
    metric.num_refs = next(iter(nrefs)) if len(nrefs) == 1 else -1
    if len(rows) == 1:
        sums: list[Any] = rows[0].tolist()
    elif np.issubdtype(rows.dtype, np.integer):
        sums = [int(v) for v in rows.sum(axis=0)]
    else:  # floats added left to right from 0.0, as sum_of_lists adds them
        sums = [float(v) for v in np.cumsum(rows.astype(np.float64), axis=0)[-1]]
    corpus = metric._compute_score_from_stats(sums)

    def aggregate(total: np.ndarray) -> float:
        return float(metric._compute_score_from_stats(total).score)

    extra: dict[str, Any] = {}
    if _KINDS[name] == "bleu":
        extra = {"counts": [int(c) for c in corpus.counts], "totals": [int(t) for t in corpus.totals],
                 "precisions": [float(p) for p in corpus.precisions], "bp": float(corpus.bp),
                 "sys_len": int(corpus.sys_len), "ref_len": int(corpus.ref_len)}
    elif _KINDS[name] == "ter":
        extra = {"num_edits": float(corpus.num_edits), "ref_length": float(corpus.ref_length)}
    return SegmentStats(stats=rows, aggregate=aggregate, corpus_score=float(corpus.score), segment_scores=scores,
                        signature=f"{name}|{metric.get_signature().format()}", resample_dtype=np.float32,
                        corpus_extra=extra)


def corpus_results(
    merged: Mapping[str, SegmentStats], ids: Sequence[str], settings: ScoringSettings,
    ordered: Mapping[str, SegmentStats] | None = None,
) -> dict[str, MetricResult]:
    """Each metric's corpus result with its bootstrap interval, as ``score()`` builds it; ``ordered`` is
    :func:`in_resample_order` of ``merged`` where the caller has it already (else it is made here)."""
    from toolkit.scoring.registry import get_metric
    from toolkit.scoring.stats import bootstrap_cis

    segs = list(merged.values())
    ordered = list((in_resample_order(merged, ids) if ordered is None else ordered).values())
    cis = bootstrap_cis(ordered, resamples=settings.ci_resamples,
                        seed=settings.seed, float32_parity=settings.p_value == "sacrebleu") if settings.ci_resamples > 0 else [
        None] * len(segs)
    return {name: MetricResult(name=name, score=seg.corpus_score, ci=ci, signature=full_signature(seg.signature, settings.ci_tag()),
                               higher_is_better=get_metric(name).info.higher_is_better, n_segments=len(ids),
                               extra=seg.corpus_extra)
            for (name, seg), ci in zip(merged.items(), cis)}


def in_resample_order(merged: Mapping[str, SegmentStats], ids: Sequence[str]) -> dict[str, SegmentStats]:
    """Each metric's statistics with their rows in resampling order (:func:`toolkit.scoring.stats.resample_order`
    of ``ids``), as ``score()`` and ``compare()`` resample them; no copy when the ids stand in that order already.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> in_resample_order({"m": mean_stats([1.0, 2.0, 3.0], "m|v")}, ["b", "c", "a"])["m"].stats[:, 0].tolist()
        [3.0, 1.0, 2.0]
    """
    from toolkit.scoring.api import _in_id_order
    from toolkit.scoring.stats import resample_order

    if _in_resample_order(ids):
        return dict(merged)
    order = resample_order(list(ids))
    return {name: _in_id_order(seg, order) for name, seg in merged.items()}


def _in_resample_order(ids: Iterable[str]) -> bool:
    """Whether ``ids`` already stand in :func:`toolkit.scoring.stats.resample_order` (numerically when every
    id is an integer, else as strings), read one id at a time: then the rows need no reordered copy.

    Example:
        >>> _in_resample_order(["1", "2", "10"]), _in_resample_order(["a", "b", "10"]), _in_resample_order(["b", "a"])
        (True, False, False)
    """
    as_text = as_number = True
    numbers = True
    previous: str | None = None
    previous_number = 0
    for doc_id in ids:
        key = str(doc_id)
        if numbers:
            try:
                number = int(key)
            except ValueError:
                numbers = False
            else:
                as_number = as_number and (previous is None or previous_number <= number)
                previous_number = number
        as_text = as_text and (previous is None or previous <= key)
        previous = key
        if not as_text and (not numbers or not as_number):
            return False
    return as_number if numbers else as_text
