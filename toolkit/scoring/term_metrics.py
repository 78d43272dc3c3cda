"""Term accuracy and variant-leak rate, over ``toolkit.terminology.term_stats``.

For each segment the glossary entries *expected* are those whose source term or any rendering occurs in its
source (when sources are given, e.g. the Chinese original) or otherwise in its references. Term accuracy is
micro-averaged: ``100 * sum(correct) / sum(expected)``; the leak rate is ``100 * sum(leaked) / sum(expected)``
(an expected entry rendered with a non-preferred or wrong variant). A segment with no expected entry has no
value of its own (NaN) and adds nothing to the corpus value.
"""

from __future__ import annotations

from typing import Any

from toolkit.errors import ConfigError, InputError
from toolkit.scoring.base import MetricInfo, MetricSpec, ScoringContext, SegmentStats, ratio_stats, shared_units


def _count(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) else len(value)


def _all(ctx: ScoringContext) -> list[list[int]]:
    """Per-segment ``[correct, expected, leaked]`` counts (the family's shared units)."""
    if ctx.glossary is None:
        raise ConfigError(["metrics: 'terms' needs a glossary; pass glossary= (CLI: --glossary FILE)"])
    try:
        from toolkit.terminology import term_stats
    except ImportError as exc:
        raise ConfigError([f"metrics: 'terms' needs toolkit.terminology, which cannot be imported ({exc})"]) from None
    expected_from = "source" if ctx.sources is not None else "references"
    key = f"terms|glossary:{ctx.glossary.fingerprint}|expected:{expected_from}"

    def compute() -> list[list[int]]:
        if ctx.sources is not None:
            where = list(ctx.sources)
        else:
            where = ["\n".join(refs) for refs in ctx.references]
        rows = []
        for i, (prediction, source) in enumerate(zip(ctx.predictions, where)):
            if source is None:
                raise InputError(f"segment {ctx.ids[i]}: no source text for term accuracy; give a source for every segment")
            stats = term_stats(prediction, source=source, glossary=ctx.glossary)
            rows.append([_count(stats.correct), _count(stats.expected), _count(stats.leaked)])
        return rows

    return shared_units(ctx, key, compute)


def _signature(ctx: ScoringContext, name: str) -> str:
    from toolkit.terminology import terms_signature

    expected = "source" if ctx.sources is not None else "references"
    # "terms.v1|align...|glossary:<sha256[:12]>|...|toolkit:V" -> our name first, toolkit version added by score()
    parts = [p for p in terms_signature(ctx.glossary).split("|") if not p.startswith("toolkit:")]
    return "|".join([name, f"expected:{expected}", *parts, "agg:micro"])


def compute_terms(ctx: ScoringContext) -> SegmentStats:
    """Term accuracy statistics ``[correct, expected]`` per segment."""
    rows = _all(ctx)
    correct = [r[0] for r in rows]
    expected = [r[1] for r in rows]
    return ratio_stats(correct, expected, _signature(ctx, "terms"),
                       corpus_extra={"correct": sum(correct), "expected": sum(expected)})


def compute_terms_leak(ctx: ScoringContext) -> SegmentStats:
    """Variant-leak statistics ``[leaked, expected]`` per segment."""
    rows = _all(ctx)
    leaked = [r[2] for r in rows]
    expected = [r[1] for r in rows]
    return ratio_stats(leaked, expected, _signature(ctx, "terms_leak"),
                       corpus_extra={"leaked": sum(leaked), "expected": sum(expected)})


METRICS = [
    MetricSpec(
        MetricInfo("terms", "term accuracy: % of expected glossary entries rendered correctly (micro-average)",
                   higher_is_better=True, range=(0.0, 100.0), needs_glossary=True),
        compute_terms,
    ),
    MetricSpec(
        MetricInfo("terms_leak", "variant-leak rate: % of expected entries rendered with a wrong variant",
                   higher_is_better=False, range=(0.0, 100.0), needs_glossary=True),
        compute_terms_leak,
    ),
]
ALIASES = {"term_accuracy": "terms", "terms-leak": "terms_leak"}
