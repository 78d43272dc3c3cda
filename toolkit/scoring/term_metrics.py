"""Term accuracy and variant-leak rate, under the protocol of the ``term_protocol`` setting.

- ``glossary`` (default; ``toolkit.terminology.term_stats``, ``terms.v2``): for each segment the glossary
  entries *expected* are those whose source term (or an English inflection of it; acronyms only in
  capitals) or any rendering occurs in its source (when sources are given, e.g. the Chinese original) or
  otherwise in its references; with sources, the first reference's own inflected form of an expected term
  counts as correct too; ``glossary-occurrence`` counts every occurrence of a term in the source (and at
  most as many correct renderings) instead of each entry once per segment. Term accuracy is micro-averaged:
  ``100 * sum(correct) / sum(expected)``; the leak rate is ``100 * sum(leaked) / sum(expected)`` (an expected
  entry rendered with a non-preferred or wrong variant).
- ``wmt21``: the WMT21 terminology task's exact-match accuracy (:mod:`toolkit.terminology.protocols`), from
  the ``<term ...>`` annotations of the sources (or of the references, when annotated), per annotated
  instance; no glossary needed. Only the exact tier: the official lemma tier needs Stanza models, which
  cannot load offline (signature ``tier:exact|lemma:off``).
- ``wmt25``: the WMT25 terminology track-2 term success rate (capped count ratios of the glossary's source
  terms, counted where an alternative is in the first reference), times 100.

A segment with no expected term has no value of its own (NaN) and adds nothing to the corpus value.
``terms_leak`` exists only under the ``glossary`` protocol (the shared tasks have no variants).
"""

from __future__ import annotations

from typing import Any

from toolkit.errors import ConfigError, InputError
from toolkit.scoring.base import MetricInfo, MetricSpec, ScoringContext, SegmentStats, ratio_stats, shared_units


def glossary_optional(name: str, protocol: str) -> bool:
    """True when metric ``name`` needs no glossary under ``protocol`` (``terms`` with ``wmt21``).

    Example:
        >>> glossary_optional("terms", "wmt21"), glossary_optional("terms", "glossary")
        (True, False)
    """
    return name == "terms" and protocol == "wmt21"


def _count(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) else len(value)


def _import_terminology() -> Any:
    try:
        import toolkit.terminology as terminology
    except ImportError as exc:
        raise ConfigError([f"metrics: 'terms' needs toolkit.terminology, which cannot be imported ({exc})"]) from None
    return terminology


def _glossary_rows(ctx: ScoringContext) -> list[list[int]]:
    if ctx.glossary is None:
        raise ConfigError(["metrics: 'terms' needs a glossary; pass glossary= (CLI: --glossary FILE)"])
    term_stats = _import_terminology().term_stats
    if ctx.sources is not None:
        where = list(ctx.sources)
    else:
        where = ["\n".join(refs) for refs in ctx.references]
    rows = []
    for i, (prediction, source) in enumerate(zip(ctx.predictions, where)):
        if source is None:
            raise InputError(f"segment {ctx.ids[i]}: no source text for term accuracy; give a source for every segment")
        # with sources, the reference's own (inflected) form of an expected term is accepted too
        reference = ctx.references[i][0] if ctx.sources is not None and ctx.references[i] else None
        stats = term_stats(prediction, source=source, glossary=ctx.glossary, reference=reference,
                           per_occurrence=ctx.settings.term_protocol == "glossary-occurrence")
        rows.append([_count(stats.correct), _count(stats.expected), _count(stats.leaked)])
    return rows


def _wmt21_rows(ctx: ScoringContext) -> list[list[int]]:
    from toolkit.terminology.protocols import has_annotations, wmt21_exact

    if ctx.sources is None or not any(s and has_annotations(s) for s in ctx.sources):
        raise ConfigError(["term_protocol: 'wmt21' reads the <term ...> annotations of the sources; pass annotated "
                           "sources (CLI: --source FILE, e.g. the source_annotated field of the WMT21 data)"])
    rows = []
    for i, (prediction, source, refs) in enumerate(zip(ctx.predictions, ctx.sources, ctx.references)):
        annotated = next((r for r in refs if has_annotations(r)), refs[0] if refs else None)
        try:
            correct, total = wmt21_exact(prediction, source=source or "", reference=annotated)
        except InputError as exc:
            raise InputError(f"segment {ctx.ids[i]}: {exc}") from None
        rows.append([correct, total, 0])
    return rows


def _wmt25_rows(ctx: ScoringContext) -> list[list[float]]:
    from toolkit.terminology.protocols import glossary_terms, wmt25_success

    if ctx.glossary is None or ctx.sources is None:
        raise ConfigError(["term_protocol: 'wmt25' needs a glossary with source terms and the sources; pass "
                           "glossary= and sources= (CLI: --glossary FILE --source FILE)"])
    terms = glossary_terms(ctx.glossary)
    rows = []
    for prediction, source, refs in zip(ctx.predictions, ctx.sources, ctx.references):
        total, valid = wmt25_success(prediction, source=source or "", reference=refs[0], terms=terms)
        rows.append([total, valid, 0])
    return rows


def _all(ctx: ScoringContext) -> list[list[Any]]:
    """Per-segment ``[correct, expected, leaked]`` (the family's shared units; wmt25: ``[success, valid, 0]``)."""
    protocol = ctx.settings.term_protocol
    expected_from = "source" if ctx.sources is not None else "references"
    glossary = ctx.glossary.fingerprint if ctx.glossary is not None else "none"
    if protocol in ("glossary", "glossary-occurrence"):
        count = "|count:occurrence" if protocol == "glossary-occurrence" else ""
        key = f"terms|glossary:{glossary}|expected:{expected_from}|terms.v2{count}"
        return shared_units(ctx, key, lambda: _glossary_rows(ctx))
    if protocol == "wmt21":
        return shared_units(ctx, "terms|protocol:wmt21.v1|tier:exact", lambda: _wmt21_rows(ctx))
    if protocol == "wmt25":
        return shared_units(ctx, f"terms|protocol:wmt25.v1|glossary:{glossary}", lambda: _wmt25_rows(ctx))
    raise ConfigError([f"term_protocol: '{protocol}' is not one of glossary, glossary-occurrence, wmt21, wmt25"])


def _signature(ctx: ScoringContext, name: str) -> str:
    from toolkit.terminology import terms_signature

    protocol = ctx.settings.term_protocol
    if protocol == "wmt21":
        from toolkit.terminology.protocols import WMT21_NAME

        return "|".join([name, f"protocol:{WMT21_NAME}", "tier:exact", "lemma:off(stanza-offline)",
                         "case:sensitive", "agg:micro"])
    if protocol == "wmt25":
        from toolkit.terminology.protocols import WMT25_NAME

        return "|".join([name, f"protocol:{WMT25_NAME}", f"glossary:{ctx.glossary.fingerprint[:12]}",
                         "case:lower", "cap:1", "agg:micro"])
    expected = "source" if ctx.sources is not None else "references"
    # "terms.v1|align...|glossary:<sha256[:12]>|...|toolkit:V" -> our name first, toolkit version added by score()
    parts = [p for p in terms_signature(ctx.glossary).split("|") if not p.startswith("toolkit:")]
    # the glossary protocol keeps the signature of toolkit <= 0.2 (no protocol part: it is the default)
    count = ["count:occurrence"] if protocol == "glossary-occurrence" else []
    return "|".join([name, f"expected:{expected}", *parts, *count, "agg:micro"])


def compute_terms(ctx: ScoringContext) -> SegmentStats:
    """Term accuracy statistics ``[correct, expected]`` per segment (wmt25: ``[success, valid]``)."""
    rows = _all(ctx)
    correct = [r[0] for r in rows]
    expected = [r[1] for r in rows]
    extra = {"correct": sum(correct), "expected": sum(expected)}
    if ctx.settings.term_protocol == "wmt25":
        extra = {"success": sum(correct), "valid_terms": sum(expected)}
    return ratio_stats(correct, expected, _signature(ctx, "terms"), corpus_extra=extra)


def compute_terms_leak(ctx: ScoringContext) -> SegmentStats:
    """Variant-leak statistics ``[leaked, expected]`` per segment."""
    if ctx.settings.term_protocol not in ("glossary", "glossary-occurrence"):
        raise ConfigError([f"metrics: 'terms_leak' exists only with term_protocol glossary (got "
                           f"'{ctx.settings.term_protocol}': the shared tasks have no variants)"])
    rows = _all(ctx)
    leaked = [r[2] for r in rows]
    expected = [r[1] for r in rows]
    return ratio_stats(leaked, expected, _signature(ctx, "terms_leak"),
                       corpus_extra={"leaked": sum(leaked), "expected": sum(expected)})


METRICS = [
    MetricSpec(
        MetricInfo("terms", "term accuracy: % of expected glossary entries rendered correctly (micro-average; "
                   "protocol: term_protocol)", higher_is_better=True, range=(0.0, 100.0), needs_glossary=True),
        compute_terms,
    ),
    MetricSpec(
        MetricInfo("terms_leak", "variant-leak rate: % of expected entries rendered with a wrong variant",
                   higher_is_better=False, range=(0.0, 100.0), needs_glossary=True),
        compute_terms_leak,
    ),
]
ALIASES = {"term_accuracy": "terms", "terms-leak": "terms_leak"}
