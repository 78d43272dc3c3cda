"""ROUGE metrics for the scoring registry (Lin, 2004), over ``toolkit.scoring.rouge``.

The ROUGE algorithms live in ``toolkit.scoring.rouge`` (another part of issue 8); this module only turns its per-segment
precision/recall/F into registry metrics. The corpus value is the mean of the per-segment F (0-100), as
rouge-score users compute it; the means of P and R are in ``extra``, and ``rouge1_p`` / ``rouge1_r`` (etc.)
are metrics of their own. In ``rouge155`` mode the result also carries ``rouge155_average`` and
``rouge155_ci``: the bootstrap averages and interval exactly as ROUGE-1.5.5 prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from toolkit.scoring.base import (
    MetricInfo,
    MetricSpec,
    ScoringContext,
    SegmentStats,
    mean_stats,
)
from toolkit.scoring.rouge.records import make_prf
from toolkit.scoring.rouge.score import rouge, rouge155_average
from toolkit.scoring.rouge.signature import rouge_signature

VARIANTS = ("rouge1", "rouge2", "rouge3", "rouge4", "rougeL", "rougeLsum")
ROUGE155_ONLY = ("rougeW", "rougeS4", "rougeSU4")
_COMPONENTS = {"": "fmeasure", "_p": "precision", "_r": "recall"}


def unit_key(ctx: ScoringContext, variant: str) -> str:
    """The name of a ROUGE variant's per-segment ``[precision, recall, fmeasure]`` units, with its settings."""
    s = ctx.settings
    return f"{variant}|mode:{s.rouge_mode}|stem:{int(s.stem)}|multiref:{s.multi_ref_rule}|lsum:{s.lsum_split}"


def _per_segment(ctx: ScoringContext, variant: str) -> list[Any]:
    """Per-segment PRF of ``variant``; all requested ROUGE variants are computed in one call and stored."""
    key = unit_key(ctx, variant)
    if key not in ctx.units:
        wanted = tuple(dict.fromkeys([*ctx.cache.get("rouge_variants", ()), variant]))
        wanted = tuple(v for v in wanted if unit_key(ctx, v) not in ctx.units)
        s = ctx.settings
        rows = rouge(
            predictions=list(ctx.predictions),
            references=[list(r) for r in ctx.references],
            variants=wanted,
            mode=s.rouge_mode,
            stem=s.stem,
            multi_ref=s.multi_ref_rule,
            lsum_split=s.lsum_split,
        )
        for v in wanted:
            ctx.units[unit_key(ctx, v)] = [[row[v].precision, row[v].recall, row[v].fmeasure] for row in rows]
    return [make_prf(*unit) for unit in ctx.units[key]]


def _signature(ctx: ScoringContext, variant: str, component: str) -> str:
    s = ctx.settings
    base = rouge_signature(
        variants=[variant], mode=s.rouge_mode, stem=s.stem, multi_ref=s.multi_ref_rule, lsum_split=s.lsum_split
    )
    # "rouge|variants:X|...|toolkit:V" -> "X|...": the registry name leads, the toolkit version is added later
    parts = [p for p in base.split("|")[1:] if not p.startswith(("variants:", "toolkit:"))]
    name = variant + {"fmeasure": "", "precision": "_p", "recall": "_r"}[component]
    return "|".join([name, *parts, f"value:{component}", "agg:mean"])


def _prf_dict(prf: Any) -> dict[str, float]:
    return {"precision": float(prf.precision), "recall": float(prf.recall), "fmeasure": float(prf.fmeasure)}


def _rouge155_extra(ctx: ScoringContext, prfs: list[Any]) -> dict[str, Any]:
    """ROUGE-1.5.5's printed ``Average_R/P/F`` and CI (0-1 scale, 5 digits), beside the exact mean."""
    if ctx.settings.rouge_mode != "rouge155":
        return {}
    result = rouge155_average(dict(zip(ctx.ids, prfs)))
    printed = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    average = printed["average"]
    if hasattr(average, "fmeasure"):
        average = _prf_dict(average)
    return {"rouge155_average": average, "rouge155_ci": printed.get("ci")}


def _make(variant: str, suffix: str) -> Callable[[ScoringContext], SegmentStats]:
    component = _COMPONENTS[suffix]

    def compute(ctx: ScoringContext) -> SegmentStats:
        prfs = _per_segment(ctx, variant)
        p = np.array([x.precision for x in prfs], dtype=np.float64) * 100.0
        r = np.array([x.recall for x in prfs], dtype=np.float64) * 100.0
        f = np.array([x.fmeasure for x in prfs], dtype=np.float64) * 100.0
        values = {"fmeasure": f, "precision": p, "recall": r}[component]
        extra: dict[str, Any] = {}
        seg_extra: dict[str, np.ndarray] = {}
        if suffix == "":
            extra = {
                "precision": float(p.mean()) if p.size else float("nan"),
                "recall": float(r.mean()) if r.size else float("nan"),
            }
            extra.update(_rouge155_extra(ctx, prfs))
            seg_extra = {f"{variant}_p": p, f"{variant}_r": r}
        return mean_stats(values, _signature(ctx, variant, component), segment_extra=seg_extra, corpus_extra=extra)

    compute.__name__ = f"compute_{variant}{suffix}"
    return compute


def _info(variant: str, suffix: str) -> MetricInfo:
    what = {"": "F-measure", "_p": "precision", "_r": "recall"}[suffix]
    kind = {
        "rougeL": "sentence-level LCS",
        "rougeLsum": "summary-level union LCS over sentences",
        "rougeW": "weighted LCS, W-1.2 (rouge155 mode only)",
        "rougeS4": "skip-bigram, max gap 4 (rouge155 mode only)",
        "rougeSU4": "skip-bigram plus unigram, max gap 4 (rouge155 mode only)",
    }.get(variant, f"{variant[5:]}-gram overlap")
    return MetricInfo(
        f"{variant}{suffix}",
        f"ROUGE {kind}, {what}; corpus value = mean over segments",
        higher_is_better=True,
        range=(0.0, 100.0),
        rouge_modes=("rouge155",) if variant in ROUGE155_ONLY else None,
    )


METRICS = [MetricSpec(_info(v, s), _make(v, s)) for v in (*VARIANTS, *ROUGE155_ONLY) for s in _COMPONENTS]
ALIASES = {"rouge-1": "rouge1", "rouge-2": "rouge2", "rouge-l": "rougeL", "rouge-lsum": "rougeLsum"}
