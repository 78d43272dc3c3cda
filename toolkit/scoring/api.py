"""``score`` and ``compare``: the library entry points of the scoring engine.

``score`` validates the inputs once, asks each registered metric for its per-segment statistics, and returns
the exact corpus values with seeded bootstrap intervals and signatures. ``compare`` runs paired tests
(bootstrap resampling or approximate randomisation) of several systems against the first one, with Holm's
correction when more than two systems are compared.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from toolkit.errors import ConfigError, InputError, InputLengthError
from toolkit.scoring.base import ScoringContext, SegmentStats
from toolkit.scoring.paired import paired_tests
from toolkit.scoring.records import Comparison, MetricResult, ScoreReport
from toolkit.scoring.registry import DEFAULT_METRICS, get_metric, resolve_metrics
from toolkit.scoring.settings import DEFAULT_RESAMPLES, TEST_METHODS, ScoringSettings, full_signature
from toolkit.scoring.stats import bootstrap_cis, resample_order
from toolkit.scoring.term_metrics import glossary_optional

METHODS = TEST_METHODS
__all__ = ["DEFAULT_RESAMPLES", "METHODS", "ScoringSettings", "compare", "score", "segment_units"]


class EmptyPredictionWarning(UserWarning):
    """Some predictions are empty; they score 0 (or the metric's worst value)."""


def default_multi_ref(rouge_mode: str, multi_ref: str | None) -> str:
    """The multi-reference rule: as given, or the mode's own (``rouge155``: ``average`` = ``-f A``; else ``best``).

    Example:
        >>> default_multi_ref("rouge155", None), default_multi_ref("rouge-score", None)
        ('average', 'best')
    """
    return ScoringSettings(rouge_mode=rouge_mode, multi_ref=multi_ref).multi_ref_rule


def _check_settings(
    metrics: Sequence[str],
    settings: ScoringSettings,
    *,
    sources: Sequence[str] | None,
    glossary: Any,
    extra_problems: Sequence[str] = (),
    paired: bool = False,
) -> None:
    problems = list(extra_problems) + settings.problems(paired=paired)
    for name in metrics:
        info = get_metric(name).info
        if info.needs_source and sources is None:
            problems.append(f"metrics: '{name}' needs the source documents; pass sources= (CLI: --source FILE)")
        if info.rouge_modes is not None and settings.rouge_mode not in info.rouge_modes:
            problems.append(f"metrics: '{name}' exists only with rouge_mode {' or '.join(info.rouge_modes)} (CLI: --rouge-mode)")
        if info.needs_glossary and glossary is None and not glossary_optional(name, settings.term_protocol):
            problems.append(f"metrics: '{name}' needs a glossary; pass glossary= (CLI: --glossary FILE)")
    if problems:
        raise ConfigError(problems)


def _check_inputs(
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    sources: Sequence[str] | None,
    ids: Sequence[str] | None,
    *,
    label: str = "predictions",
) -> tuple[list[str], list[tuple[str, ...]], list[str]]:
    if isinstance(predictions, str) or isinstance(references, str):
        raise InputError(f"{label}/references: pass sequences (one item per segment), not a single string")
    n_pred, n_ref = len(predictions), len(references)
    if n_pred != n_ref:
        raise InputLengthError(f"{n_pred} {label} but {n_ref} references; give one reference entry per segment")
    if n_pred == 0:
        raise InputError(f"{label}: no segments to score; give at least one prediction")
    if sources is not None and len(sources) != n_pred:
        raise InputLengthError(f"{n_pred} {label} but {len(sources)} sources; give one source per segment")
    seg_ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(n_pred)]
    if len(seg_ids) != n_pred:
        raise InputLengthError(f"{n_pred} {label} but {len(seg_ids)} ids")
    preds: list[str] = []
    for i, p in enumerate(predictions):
        if not isinstance(p, str):
            raise InputError(f"{label}[{i}] (id {seg_ids[i]}): expected a string, got {type(p).__name__}")
        preds.append(p)
    refs: list[tuple[str, ...]] = []
    for i, r in enumerate(references):
        if isinstance(r, str):
            raise InputError(
                f"references[{i}] (id {seg_ids[i]}) is a string; pass one list of references per segment, "
                "e.g. [[ref] for ref in refs]"
            )
        present = tuple(x for x in r if x is not None)
        if any(not isinstance(x, str) for x in present):
            raise InputError(f"references[{i}] (id {seg_ids[i]}): every reference must be a string")
        if not present:
            raise InputError(f"references[{i}] (id {seg_ids[i]}): no reference for this segment; add one or drop the segment")
        refs.append(present)
    return preds, refs, seg_ids


def _warn_empty(predictions: Sequence[str], ids: Sequence[str], label: str) -> list[str]:
    empty = [ids[i] for i, p in enumerate(predictions) if not p.strip()]
    if not empty:
        return []
    shown = ", ".join(empty[:10]) + (" ..." if len(empty) > 10 else "")
    message = f"{label}: {len(empty)} empty prediction(s) (ids {shown}) score 0 (TER: the worst value)"
    warnings.warn(message, EmptyPredictionWarning, stacklevel=3)
    return [message]


def _given_units(units: Sequence[Mapping[str, Any]] | None, seg_ids: Sequence[str], label: str) -> dict[str, list[Any]]:
    """Per-segment unit dicts (from :func:`segment_units`) -> ``{key: one value per segment}``.

    A key missing from any segment is left out, so its metric computes its units itself.
    """
    if units is None:
        return {}
    if isinstance(units, Mapping) or len(units) != len(seg_ids):
        count = "a mapping" if isinstance(units, Mapping) else f"{len(units)} entries"
        raise InputLengthError(f"{label}: units has {count} for {len(seg_ids)} segments; give one dict per segment, "
                               "as segment_units() returns")
    for i, entry in enumerate(units):
        if not isinstance(entry, Mapping):
            raise InputError(f"{label}: units[{i}] (id {seg_ids[i]}) is a {type(entry).__name__}, not a dict of units")
    common = set(units[0]).intersection(*units[1:]) if units else set()
    return {key: [entry[key] for entry in units] for key in units[0] if key in common}


def _settings(settings: ScoringSettings | None, **given: Any) -> ScoringSettings:
    """``settings`` (or the defaults) with the keyword options a caller gave (None = not given)."""
    if settings is not None and not isinstance(settings, ScoringSettings):
        raise ConfigError([f"settings: expected a ScoringSettings, got {type(settings).__name__}"])
    return ScoringSettings.build(settings, **given)


def _resolve(metrics: Sequence[str] | str | None, settings: ScoringSettings | None, *, sources: Sequence[str] | None,
             glossary: Any, extra_problems: Sequence[str] = (), paired: bool = False,
             **given: Any) -> tuple[list[str], ScoringSettings]:
    """The metric names (default :data:`DEFAULT_METRICS`) and the settings of one call (``settings`` with the
    keywords ``given``), checked together: an unknown name raises UnknownNameError, every other problem one
    ConfigError (``extra_problems`` first)."""
    names = resolve_metrics(metrics if metrics is not None else DEFAULT_METRICS)
    built = _settings(settings, **given)
    _check_settings(names, built, sources=sources, glossary=glossary, extra_problems=extra_problems, paired=paired)
    return names, built


def _in_id_order(seg: SegmentStats, order: Any) -> SegmentStats:
    """The same statistics with rows in resampling order (corpus values do not change)."""
    return replace(seg, stats=seg.stats[order]) if len(seg.stats) else seg


def _context(
    predictions: list[str], references: list[tuple[str, ...]], ids: list[str], settings: ScoringSettings,
    sources: Sequence[str] | None, glossary: Any, units: dict[str, list[Any]],
) -> ScoringContext:
    return ScoringContext(predictions=predictions, references=references, ids=ids, settings=settings,
                          sources=list(sources) if sources is not None else None, glossary=glossary, units=units)


def _compute_all(ctx: ScoringContext, metrics: Sequence[str]) -> dict[str, SegmentStats]:
    ctx.cache["rouge_variants"] = tuple(dict.fromkeys(m.split("_")[0] for m in metrics if m.startswith("rouge")))
    return {name: get_metric(name).compute(ctx) for name in metrics}


def score(
    *,
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    metrics: Sequence[str] | str | None = None,
    sources: Sequence[str] | None = None,
    glossary: Any = None,
    settings: ScoringSettings | None = None,
    rouge_mode: str | None = None,
    stem: bool | None = None,
    multi_ref: str | None = None,
    lsum_split: str | None = None,
    target_lang: str | None = None,
    term_protocol: str | None = None,
    bootstrap: int | None = None,
    seed: int | None = None,
    ids: Sequence[str] | None = None,
    units: Sequence[Mapping[str, Any]] | None = None,
) -> ScoreReport:
    """Score predictions against references with the requested metrics.

    The scoring settings come from ``settings`` (a :class:`~toolkit.scoring.settings.ScoringSettings`; its
    defaults are the ones every entry point uses), and each keyword given below replaces its field.

    Args:
        predictions: one prediction per segment.
        references: per segment, a list of one or more references (counts may vary; ``None`` entries dropped).
        metrics: metric names, aliases or groups (list or comma-separated); default
            rouge1, rouge2, rougeL, rougeLsum, bleu, chrf, ter.
        sources: source documents/segments (diagnostics; term expectations from the source).
        glossary: a glossary from ``toolkit.terminology.load_glossary`` (for ``terms``/``terms_leak``).
        settings: all scoring settings at once.
        rouge_mode: ``rouge-score`` (default), ``rouge155`` or ``unicode``.
        stem: Porter stemming for ROUGE.
        multi_ref: ``best`` or ``average`` over references (ROUGE, minilm-cosine); unset: the mode's own
            rule, ``average`` for ``rouge155`` (ROUGE-1.5.5's ``-f A``) and ``best`` otherwise
            (rouge-score's ``score_multi``). BLEU/chrF/TER use all references as sacreBLEU does.
        lsum_split: how rougeLsum splits sentences (``newline`` or the ROUGE module's splitter name).
        target_lang: target language code; picks the BLEU tokenizer (``zh`` -> ``zh``).
        term_protocol: ``glossary``, ``wmt21`` or ``wmt25`` (term accuracy).
        bootstrap: bootstrap resamples for the 95% interval (0 turns it off); the ``resamples`` setting.
        seed: bootstrap seed.
        ids: segment ids (default ``"0"``, ``"1"``, ...); used in messages and per-segment rows, and the
            bootstrap resamples segments in id order, so file order does not change an interval.
        units: per-segment work computed earlier by :func:`segment_units` with the same inputs and settings
            (e.g. on batches, elsewhere); units whose settings differ are not used, but computed again.

    Returns:
        A ``ScoreReport``: exact corpus values with intervals and signatures, and per-segment values.

    Raises:
        InputLengthError: predictions, references (or sources) differ in count.
        InputError: a segment has no reference, or an item is not a string.
        ConfigError: bad settings, or a metric lacks the sources or glossary it needs.
        UnknownNameError: unknown metric name.

    Example:
        >>> rep = score(predictions=["the cat sat on the mat"], references=[["the cat sat on a mat"]],
        ...             metrics=["rouge1", "bleu"], bootstrap=0)
        >>> round(rep["rouge1"].score, 4), round(rep["bleu"].score, 4)
        (83.3333, 53.7285)
    """
    names, settings = _resolve(metrics, settings, sources=sources, glossary=glossary, rouge_mode=rouge_mode, stem=stem,
                               multi_ref=multi_ref, lsum_split=lsum_split, target_lang=target_lang,
                               term_protocol=term_protocol, resamples=bootstrap, seed=seed)
    preds, refs, seg_ids = _check_inputs(predictions, references, sources, ids)
    messages = _warn_empty(preds, seg_ids, "predictions")
    ctx = _context(preds, refs, seg_ids, settings, sources, glossary, _given_units(units, seg_ids, "predictions"))
    all_stats = _compute_all(ctx, names)
    resamples, order = settings.ci_resamples, resample_order(seg_ids)
    tail = settings.ci_tag()
    # one draw of the resample indices for every metric (equal to one bootstrap_ci call each); the sacrebleu
    # rule also keeps sacreBLEU's float32 running sums past 2**24 (runs of ~100k+ segments)
    cis = bootstrap_cis([_in_id_order(seg, order) for seg in all_stats.values()], resamples=resamples,
                        seed=settings.seed, float32_parity=settings.p_value == "sacrebleu") if resamples > 0 else [
        None] * len(all_stats)
    corpus: dict[str, MetricResult] = {}
    for (name, seg), ci in zip(all_stats.items(), cis):
        info = get_metric(name).info
        corpus[name] = MetricResult(
            name=name,
            score=seg.corpus_score,
            ci=ci,
            signature=full_signature(seg.signature, tail),
            higher_is_better=info.higher_is_better,
            n_segments=len(preds),
            extra=seg.corpus_extra,
        )
    return ScoreReport(corpus=corpus, segments=tuple(segment_rows(seg_ids, all_stats)), warnings=tuple(messages))


def segment_rows(seg_ids: Sequence[str], all_stats: Mapping[str, SegmentStats]) -> list[dict[str, Any]]:
    """One row per segment: ``id``, then each metric's value and its extra columns (``rouge1_p``, ...)."""
    rows = []
    for i, seg_id in enumerate(seg_ids):
        row: dict[str, Any] = {"id": seg_id}
        for name, seg in all_stats.items():
            row[name] = float(seg.segment_scores[i])
            for column, values in seg.segment_extra.items():
                row[column] = float(values[i])
        rows.append(row)
    return rows


def segment_units(
    *,
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    metrics: Sequence[str] | str | None = None,
    sources: Sequence[str] | None = None,
    glossary: Any = None,
    settings: ScoringSettings | None = None,
    rouge_mode: str | None = None,
    stem: bool | None = None,
    multi_ref: str | None = None,
    lsum_split: str | None = None,
    target_lang: str | None = None,
    term_protocol: str | None = None,
    ids: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The per-segment work of :func:`score`, one JSON-serialisable dict per segment, for batched scoring.

    Each value depends only on its own segment and the settings its key names, so segments can be split
    into batches, scored on other workers (the run engine's Ray executor) or cached, and the joined list
    passed to ``score(..., units=...)`` gives exactly the values of one ``score`` call over all segments
    (corpus values, intervals and tests are computed from the joined units).

    Args: as in :func:`score` (no bootstrap: intervals need every segment).

    Example:
        >>> preds, refs = ["the cat sat on the mat", "a dog"], [["the cat sat on a mat"], ["the dog ran"]]
        >>> units = segment_units(predictions=preds[:1], references=refs[:1], metrics=["rouge1", "bleu"])
        >>> units += segment_units(predictions=preds[1:], references=refs[1:], metrics=["rouge1", "bleu"])
        >>> sorted(units[0])[1], units[0][sorted(units[0])[1]]
        ('rouge1|mode:rouge-score|stem:0|multiref:best|lsum:newline', [0.8333333333333334, 0.8333333333333334, 0.8333333333333334])
        >>> joined = score(predictions=preds, references=refs, metrics=["rouge1", "bleu"], units=units, bootstrap=0)
        >>> whole = score(predictions=preds, references=refs, metrics=["rouge1", "bleu"], bootstrap=0)
        >>> [joined[m].score == whole[m].score for m in ("rouge1", "bleu")]
        [True, True]
    """
    names, settings = _resolve(metrics, settings, sources=sources, glossary=glossary, rouge_mode=rouge_mode, stem=stem,
                               multi_ref=multi_ref, lsum_split=lsum_split, target_lang=target_lang,
                               term_protocol=term_protocol)
    preds, refs, seg_ids = _check_inputs(predictions, references, sources, ids)
    ctx = _context(preds, refs, seg_ids, settings, sources, glossary, {})
    _compute_all(ctx, names)
    return [{key: values[i] for key, values in ctx.units.items()} for i in range(len(preds))]


def compare(
    *,
    systems: Mapping[str, Sequence[str]],
    references: Sequence[Sequence[str]],
    metrics: Sequence[str] | str | None = None,
    sources: Sequence[str] | None = None,
    glossary: Any = None,
    settings: ScoringSettings | None = None,
    rouge_mode: str | None = None,
    stem: bool | None = None,
    multi_ref: str | None = None,
    lsum_split: str | None = None,
    target_lang: str | None = None,
    term_protocol: str | None = None,
    method: str | None = None,
    resamples: int | None = None,
    seed: int | None = None,
    p_value: str | None = None,
    ids: Sequence[str] | None = None,
    units: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> Comparison:
    """Paired significance tests of every system against the first one (the baseline), for every metric.

    ``method="bootstrap"`` is paired bootstrap resampling (default 1,000 resamples), ``"ar"`` approximate
    randomisation (default 10,000 trials), both seeded. The default ``p_value="standard"`` counts resampled
    differences at least as extreme as the observed one, so identical systems get p = 1; ``"sacrebleu"``
    gives sacreBLEU's own p-values for BLEU/chrF/TER (``--paired-bs`` / ``--paired-ar`` with
    ``SACREBLEU_SEED`` equal to ``seed``). With more than two systems ``p_holm`` holds Holm-adjusted
    p-values over the comparisons of each metric. Each row says whether the system is ``better`` or
    ``worse`` than the baseline (from the metric's direction), or shows no significant difference.

    Args:
        systems: system name -> predictions, baseline first (at least two systems).
        references: per segment, one or more references (shared by all systems).
        metrics: as in :func:`score`.
        sources, glossary, settings, rouge_mode, stem, multi_ref, lsum_split, target_lang, term_protocol:
            as in :func:`score`.
        method: ``bootstrap`` or ``ar``.
        resamples: resamples or trials (default 1,000 for bootstrap, 10,000 for ar).
        seed: RNG seed.
        p_value: ``standard`` or ``sacrebleu`` (see above).
        ids: segment ids (segments are resampled in id order).
        units: system name -> per-segment units from :func:`segment_units` (as in :func:`score`).

    Returns:
        A ``Comparison`` (``to_dict``, ``to_frame``).

    Raises:
        ConfigError: fewer than two systems, unknown method, bad settings.
        InputLengthError: a system's prediction count differs from the references.

    Example:
        >>> cmp = compare(systems={"a": ["the cat sat"] * 5, "b": ["a dog ran"] * 5},
        ...               references=[["the cat sat"]] * 5, metrics=["rouge1"], resamples=100)
        >>> cmp.p_value("rouge1", "b"), cmp.rows["rouge1"][1].verdict
        (0.009900990099009901, 'worse')
        >>> same = compare(systems={"a": ["the cat sat"] * 5, "a_copy": ["the cat sat"] * 5},
        ...                references=[["the cat sat"]] * 5, metrics=["rouge1"], resamples=100)
        >>> same.p_value("rouge1", "a_copy"), same.rows["rouge1"][1].verdict
        (1.0, 'no difference')
    """
    few = [f"systems: need at least two systems to compare (got {len(systems)})"] if len(systems) < 2 else []
    names, settings = _resolve(metrics, settings, sources=sources, glossary=glossary, extra_problems=few, paired=True,
                               rouge_mode=rouge_mode, stem=stem, multi_ref=multi_ref, lsum_split=lsum_split,
                               target_lang=target_lang, term_protocol=term_protocol, method=method,
                               resamples=resamples, seed=seed, p_value=p_value)
    per_system: dict[str, dict[str, SegmentStats]] = {}
    order = None
    for system, predictions in systems.items():
        preds, refs, seg_ids = _check_inputs(predictions, references, sources, ids, label=f"system '{system}'")
        _warn_empty(preds, seg_ids, f"system '{system}'")
        given = _given_units((units or {}).get(system), seg_ids, f"system '{system}'")
        ctx = _context(preds, refs, seg_ids, settings, sources, glossary, given)
        order = resample_order(seg_ids) if order is None else order
        per_system[system] = {name: _in_id_order(seg, order) for name, seg in _compute_all(ctx, names).items()}

    return paired_tests(per_system, names, settings)
