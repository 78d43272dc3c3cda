"""``meta_evaluate``: how well does each metric agree with human judgments?

For every metric, human dimension, level and correlation coefficient: the correlation on the full data,
a 95% bootstrap CI (documents resampled, seeded), and optionally paired tests "metric A correlates better
than metric B" (PERM-BOTH by default, Deutsch et al. 2021). The tables have the shape of SummEval's
(Fabbri et al. 2021, Table 2) and of the WMT metrics task (system and segment level).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from toolkit._version import __version__
from toolkit.errors import InputError
from toolkit.jsonrecord import JsonRecord
from toolkit.metaeval.correlate import CORRELATIONS, RESAMPLING, check_name, correlate, estimate
from toolkit.metaeval.items import MetaItem
from toolkit.metaeval.metrics import ScoringOptions, _segment_scores, corpus_system_scores, higher_is_better, resolve
from toolkit.metaeval.paired import PAIRED_TESTS, paired_test

if TYPE_CHECKING:
    import pandas as pd

LEVEL_CHOICES = ("system", "summary", "global", "both", "all")
SYSTEM_SCORES = ("mean", "corpus")
_LEVEL_SETS = {"both": ("system", "summary"), "all": ("system", "summary", "global")}


@dataclass(frozen=True)
class CorrelationRow(JsonRecord):
    """One cell of a meta-evaluation table.

    Attributes:
        metric: metric name (lower-is-better metrics are negated first; see ``negated``).
        dimension: human dimension.
        level: ``system``, ``summary`` or ``global``.
        correlation: ``kendall`` (tau-b), ``spearman`` or ``pearson``.
        value: correlation on the full data; None when undefined.
        ci_low: lower end of the 95% bootstrap interval.
        ci_high: upper end.
        n_systems: systems used.
        n_documents: documents used (summary level: documents with a defined correlation).
        negated: True when metric scores were multiplied by -1 (e.g. TER) so that higher is better.
    """

    metric: str
    dimension: str
    level: str
    correlation: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n_systems: int
    n_documents: int
    negated: bool = False


@dataclass(frozen=True)
class PairedTestRow(JsonRecord):
    """A paired test of ``metric_a`` against ``metric_b`` for one dimension, level and coefficient."""

    metric_a: str
    metric_b: str
    dimension: str
    level: str
    correlation: str
    value_a: float | None
    value_b: float | None
    delta: float | None
    p_value: float | None
    method: str
    alternative: str
    resamples: int


@dataclass(frozen=True)
class MetaEvalResult:
    """All correlations (and paired tests) of one meta-evaluation run.

    Attributes:
        rows: one ``CorrelationRow`` per metric x dimension x level x coefficient.
        tests: ``PairedTestRow`` entries (empty unless comparisons were asked for).
        n_items: items read.
        systems: system names (sorted).
        documents: document ids (first-seen order).
        signature: settings and versions, e.g. ``metaeval|boot:inputs,1000|seed:0|test:perm-both|toolkit:0.1.0``.

    Example:
        >>> ref = ("the cat sat on the mat",)
        >>> items = [MetaItem(d, s, text, ref, {"relevance": h}) for d, s, text, h in [("d1", "A", "the cat sat", 4),
        ...          ("d1", "B", "a dog", 1), ("d2", "A", "a cat on the mat", 5), ("d2", "B", "the dog ran", 2)]]
        >>> res = meta_evaluate(items=items, metrics=["rouge1"], correlations=["kendall"], resamples=0)
        >>> res.n_items, res.systems, [(r.metric, r.level, r.value, r.n_documents) for r in res.rows]
        (4, ('A', 'B'), [('rouge1', 'system', 1.0, 2), ('rouge1', 'summary', 1.0, 2)])
    """

    rows: tuple[CorrelationRow, ...]
    tests: tuple[PairedTestRow, ...] = ()
    n_items: int = 0
    systems: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    signature: str = ""
    item_scores: Mapping[str, tuple[float, ...]] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: settings, rows and tests (item scores left out)."""
        return {
            "signature": self.signature,
            "n_items": self.n_items,
            "systems": list(self.systems),
            "n_documents": len(self.documents),
            "rows": [row.to_dict() for row in self.rows],
            "tests": [test.to_dict() for test in self.tests],
        }

    def to_frame(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (one row per metric x dimension x level x coefficient)."""
        import pandas as pd

        columns = list(CorrelationRow.__dataclass_fields__)
        return pd.DataFrame([row.to_dict() for row in self.rows], columns=columns)

    def tests_frame(self) -> pd.DataFrame:
        """The paired tests as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame([t.to_dict() for t in self.tests], columns=list(PairedTestRow.__dataclass_fields__))

    def to_markdown(self, *, ci: bool = True, digits: int = 3) -> str:
        """Markdown tables, one per level and coefficient: metrics down, human dimensions across."""
        return format_tables(self, ci=ci, digits=digits)


def _fmt(value: float | None, digits: int) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_tables(result: MetaEvalResult, *, ci: bool = True, digits: int = 3) -> str:
    """Render ``result`` as Markdown tables (value, and ``[low, high]`` when ``ci``)."""
    blocks: list[str] = []
    metrics = list(dict.fromkeys(r.metric for r in result.rows))
    dims = list(dict.fromkeys(r.dimension for r in result.rows))
    cells = {(r.level, r.correlation, r.metric, r.dimension): r for r in result.rows}
    for level in dict.fromkeys(r.level for r in result.rows):
        for corr in dict.fromkeys(r.correlation for r in result.rows if r.level == level):
            some = next(r for r in result.rows if r.level == level and r.correlation == corr)
            per_system = "corpus" if "|sys:corpus|" in result.signature else "mean of item"
            unit = {"system": f"{some.n_systems} systems, {per_system} scores", "summary": "averaged over documents", "global": "all items"}[level]
            lines = [f"**{level} level, {corr}** ({unit})", "", "| metric | " + " | ".join(dims) + " |", "|---" * (len(dims) + 1) + "|"]
            for metric in metrics:
                row_cells = []
                for dim in dims:
                    r = cells.get((level, corr, metric, dim))
                    if r is None:
                        row_cells.append("")
                    elif ci and r.ci_low is not None:
                        row_cells.append(f"{_fmt(r.value, digits)} [{_fmt(r.ci_low, 2)}, {_fmt(r.ci_high, 2)}]")
                    else:
                        row_cells.append(_fmt(r.value, digits))
                label = f"-{metric}" if any(r.negated for r in result.rows if r.metric == metric) else metric
                lines.append(f"| {label} | " + " | ".join(row_cells) + " |")
            blocks.append("\n".join(lines))
    if result.tests:
        lines = [
            "**paired tests** (H1: A correlates better than B)",
            "",
            "| A | B | dimension | level | coefficient | r(A) | r(B) | delta | p |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for t in result.tests:
            lines.append(
                f"| {t.metric_a} | {t.metric_b} | {t.dimension} | {t.level} | {t.correlation} | {_fmt(t.value_a, digits)} | "
                f"{_fmt(t.value_b, digits)} | {_fmt(t.delta, digits)} | {_fmt(t.p_value, 3)} |"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _matrices(
    items: Sequence[MetaItem], values: Sequence[float], systems: Sequence[str], documents: Sequence[str]
) -> np.ndarray:
    sys_index = {s: i for i, s in enumerate(systems)}
    doc_index = {d: j for j, d in enumerate(documents)}
    matrix = np.full((len(systems), len(documents)), np.nan)
    for item, value in zip(items, values):
        matrix[sys_index[item.system], doc_index[item.id]] = value
    return matrix


def _corpus_row(
    metric: str, dim: str, corr: str, sign: float, corpus: Mapping[str, float], systems: Sequence[str], human: np.ndarray
) -> CorrelationRow:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        human_means = np.nanmean(human, axis=1)
    metric_values = np.array([sign * corpus[s] for s in systems])
    value = correlate(corr, metric_values, human_means)
    n_systems = int(np.isfinite(human_means).sum())
    n_docs = int((~np.isnan(human)).any(axis=0).sum())
    return CorrelationRow(metric, dim, "system", corr, None if math.isnan(value) else value, None, None, n_systems, n_docs, sign < 0)


def _levels(level: str) -> tuple[str, ...]:
    check_name("level", level, LEVEL_CHOICES)
    return _LEVEL_SETS.get(level, (level,))


def meta_evaluate(
    *,
    items: Sequence[MetaItem],
    metrics: Sequence[str],
    level: str = "both",
    correlations: Sequence[str] = CORRELATIONS,
    dimensions: Sequence[str] | None = None,
    resamples: int = 1000,
    resampling: str = "inputs",
    seed: int = 0,
    compare: Sequence[tuple[str, str]] = (),
    test: str = "perm-both",
    alternative: str = "greater",
    negate_lower_is_better: bool = True,
    item_scores: Mapping[str, Sequence[float]] | None = None,
    scoring: ScoringOptions = ScoringOptions(),
    system_scores: str = "mean",
) -> MetaEvalResult:
    """Correlate per-item metric scores with human scores.

    Args:
        items: the items (see ``toolkit.metaeval.items``); ``id`` groups them by document.
        metrics: metric names or groups of ``toolkit.scoring`` (computed per item as segment scores), or
            names found in the items' ``scores`` or in ``item_scores``.
        level: ``"system"``, ``"summary"``, ``"global"``, ``"both"`` (system + summary) or ``"all"``.
        correlations: any of ``"kendall"``, ``"spearman"``, ``"pearson"``.
        dimensions: human dimensions to use (default: every dimension found in the items).
        resamples: bootstrap samples for the 95% CIs and samples for the paired tests (0: none).
        resampling: what the CI bootstrap resamples: ``"inputs"`` (documents), ``"systems"`` or ``"both"``.
        seed: seed for every resampling (the same draws are used for every metric, so CIs are paired).
        compare: metric pairs ``(a, b)`` to test, for every dimension, level and coefficient.
        test: paired test method, one of ``PAIRED_TESTS`` (default ``"perm-both"``).
        alternative: ``"greater"`` (H1: a correlates better than b), ``"two-sided"`` or ``"less"``.
        negate_lower_is_better: multiply scores of error-rate metrics (TER) by -1 so that every
            correlation is positive when the metric agrees with the humans.
        item_scores: precomputed scores ``{metric: [one per item]}``, used instead of computing them.
        scoring: settings for ``toolkit.scoring.score`` (ROUGE mode, stemming, multi-reference rule, language).
        system_scores: metric score of a system at the system level: ``"mean"`` of its item scores (SummEval,
            default) or ``"corpus"``, the metric computed over all its items at once (corpus BLEU, as WMT does);
            with ``"corpus"`` the system level has no CI and no paired tests (they would need re-scoring).

    Returns:
        A ``MetaEvalResult``.

    Raises:
        InputError: no items, an unknown dimension, a comparison metric not in ``metrics``.
        UnknownNameError: an unknown metric, level, coefficient or test.

    Example:
        >>> from toolkit.metaeval.items import MetaItem
        >>> items = [MetaItem(d, s, "", ("r",), {"h": h}) for d, s, h in
        ...          [("d1", "A", 1), ("d1", "B", 2), ("d1", "C", 3), ("d2", "A", 2), ("d2", "B", 1), ("d2", "C", 3)]]
        >>> res = meta_evaluate(items=items, metrics=["m"], item_scores={"m": [1, 2, 3, 1, 2, 3]},
        ...                     correlations=["kendall"], resamples=0)
        >>> [(r.level, round(r.value, 4)) for r in res.rows]
        [('system', 0.8165), ('summary', 0.6667)]
    """
    if not items:
        raise InputError("meta_evaluate: no items given")
    if not metrics:
        raise InputError("meta_evaluate: no metrics given; name at least one, e.g. rouge1")
    levels = _levels(level)
    for corr in correlations:
        check_name("correlation", corr, CORRELATIONS)
    check_name("resampling", resampling, RESAMPLING)
    check_name("paired test", test, PAIRED_TESTS)
    if resamples < 0:
        raise InputError(f"resamples must be >= 0, got {resamples}")
    check_name("system scores", system_scores, SYSTEM_SCORES)
    all_dims = list(dict.fromkeys(dim for item in items for dim in item.human))
    dims = list(dimensions) if dimensions else all_dims
    for dim in dims:
        if dim not in all_dims:
            raise InputError(f"human dimension {dim!r} not found in the items; available: {', '.join(all_dims)}")

    supplied = dict(item_scores or {})
    expanded: list[str] = []
    for name in metrics:
        for metric in [name] if name in supplied else resolve([name], items):
            if metric not in expanded:
                expanded.append(metric)
    metrics = expanded
    for a, b in compare:
        for name in (a, b):
            if name not in metrics:
                raise InputError(f"compare: metric {name!r} is not among the metrics ({', '.join(metrics)})")
    for name, values in supplied.items():
        if len(values) != len(items):
            raise InputError(f"item_scores[{name!r}]: {len(values)} values for {len(items)} items")
    to_compute = [m for m in metrics if m not in supplied]
    scores: dict[str, list[float]] = {m: [float(v) for v in supplied[m]] for m in metrics if m in supplied}
    scores.update(_segment_scores(to_compute, items, scoring) if to_compute else {})

    systems = sorted({item.system for item in items})
    documents = list(dict.fromkeys(item.id for item in items))
    sign = {m: (-1.0 if negate_lower_is_better and not higher_is_better(m) else 1.0) for m in metrics}
    metric_mats = {m: sign[m] * _matrices(items, scores[m], systems, documents) for m in metrics}
    human_mats = {d: _matrices(items, [item.human.get(d, math.nan) for item in items], systems, documents) for d in dims}

    corpus = corpus_system_scores(metrics, items, scoring) if system_scores == "corpus" and "system" in levels else {}
    rows = []
    for lvl in levels:
        for corr in correlations:
            for metric in metrics:
                for dim in dims:
                    if lvl == "system" and corpus:
                        rows.append(_corpus_row(metric, dim, corr, sign[metric], corpus[metric], systems, human_mats[dim]))
                        continue
                    est = estimate(lvl, corr, metric_mats[metric], human_mats[dim], resamples=resamples, resampling=resampling, seed=seed)
                    rows.append(
                        CorrelationRow(metric, dim, lvl, corr, est.value, est.ci_low, est.ci_high, est.n_systems, est.n_documents, sign[metric] < 0)
                    )
    tests = []
    for a, b in compare:
        for lvl in (lv for lv in levels if not (lv == "system" and corpus)):
            for corr in correlations:
                for dim in dims:
                    t = paired_test(
                        lvl, corr, metric_mats[a], metric_mats[b], human_mats[dim],
                        method=test, alternative=alternative, resamples=max(resamples, 1), seed=seed,
                    )
                    tests.append(PairedTestRow(a, b, dim, lvl, corr, **t.to_dict()))
    signature = (
        f"metaeval|boot:{resampling},{resamples}|ci:95%percentile|seed:{seed}"
        f"|test:{test},{alternative}|negate-lower-is-better:{'yes' if negate_lower_is_better else 'no'}"
        f"|sys:{system_scores}|scoring:{scoring.rouge_mode},stem:{'yes' if scoring.stem else 'no'},refs:{scoring.multi_ref_rule},lang:{scoring.target_lang}"
        f",lsum:{scoring.lsum_split},terms:{scoring.term_protocol}"
        f"|toolkit:{__version__}"
    )
    return MetaEvalResult(
        rows=tuple(rows),
        tests=tuple(tests),
        n_items=len(items),
        systems=tuple(systems),
        documents=tuple(documents),
        signature=signature,
        item_scores={m: tuple(v) for m, v in scores.items()},
    )
