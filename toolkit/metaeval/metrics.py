"""Per-item metric scores for meta-evaluation (0-100 scale, one value per item), from ``toolkit.scoring``.

Item-level scores are the scoring engine's segment-level scores (ROUGE F-measure from rouge-score by default,
best reference per item; sacrebleu sentence BLEU with effective order, chrF2, TER; any other metric the engine
registers). A metric named in every item's ``scores`` field (for example REALSumm's
``released_rouge_1_f_score``) is read from there instead of being computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.errors import InputError
from toolkit.metaeval.items import MetaItem
from toolkit.scoring.settings import ScoringSettings

if TYPE_CHECKING:
    from toolkit.scoring import ScoreReport

_RELEASED = "released_"  # prefix the converters give to metric values published with the data


#: The scoring settings of meta-evaluation: the one ``ScoringSettings`` (its metric part; items are scored
#: without bootstrap). ``ScoringOptions`` is its former name, kept for callers.
ScoringOptions = ScoringSettings


def resolve(metric_names: Sequence[str], items: Sequence[MetaItem]) -> list[str]:
    """Expand metric groups and aliases (``rouge`` -> rouge1, rouge2, rougeL, rougeLsum), keeping order.

    Names supplied in every item's ``scores`` are kept as they are.

    Raises:
        UnknownNameError: a name is neither a scoring metric nor supplied with the items.
    """
    from toolkit.scoring import resolve_metrics

    out: list[str] = []
    for name in metric_names:
        supplied = bool(items) and any(name in item.scores for item in items)
        for metric in [name] if supplied else resolve_metrics([name]):
            if metric not in out:
                out.append(metric)
    return out


def higher_is_better(name: str) -> bool:
    """Whether higher scores are better, from the scoring registry (``released_X`` follows ``X``; unknown: True).

    Example:
        >>> higher_is_better("ter"), higher_is_better("released_ter"), higher_is_better("rouge1")
        (False, False, True)
    """
    from toolkit.errors import UnknownNameError
    from toolkit.scoring import metric_info

    base = name[len(_RELEASED):] if name.startswith(_RELEASED) else name
    try:
        return bool(metric_info(base).higher_is_better)
    except UnknownNameError:
        return True


def _segment_scores(
    metric_names: Sequence[str], items: Sequence[MetaItem], options: ScoringOptions = ScoringOptions()
) -> dict[str, list[float]]:
    """Score every item with every metric.

    Args:
        metric_names: names known to ``toolkit.scoring`` or present in every item's ``scores``.
        items: the items.
        options: scoring settings.

    Returns:
        ``{name: [score of item 0, score of item 1, ...]}``.

    Raises:
        UnknownNameError: a name is neither a scoring metric nor supplied with the items.
        InputError: a name is supplied with some items only.

    Example:
        >>> from toolkit.metaeval.items import MetaItem
        >>> item = MetaItem("d", "A", "the cat sat", ("the cat sat down",), {"h": 1.0})
        >>> round(_segment_scores(["rouge1"], [item])["rouge1"][0], 2)  # P=1, R=3/4 -> F=6/7
        85.71
    """
    out: dict[str, list[float]] = {}
    to_compute: list[str] = []
    for name in metric_names:
        if items and all(name in item.scores for item in items):
            out[name] = [float(item.scores[name]) for item in items]
        elif any(name in item.scores for item in items):
            missing = next(i for i, item in enumerate(items) if name not in item.scores)
            raise InputError(
                f"item {missing} (id={items[missing].id!r}, system={items[missing].system!r}) has no scores.{name}; "
                "supply it for every item or for none"
            )
        else:
            to_compute.append(name)
    if to_compute:
        report = _score_items(to_compute, items, options)
        for name in to_compute:
            out[name] = [float(row[name]) for row in report.segments]
    return {name: out[name] for name in metric_names}


def _score_items(metric_names: list[str], items: Sequence[MetaItem], options: ScoringOptions) -> ScoreReport:
    """Score items with ``toolkit.scoring`` (no bootstrap): per-item rows in ``.segments``, corpus values by name."""
    from toolkit.scoring import score

    sources = [item.source for item in items]
    return score(
        predictions=[item.text for item in items],
        references=[list(item.references) for item in items],
        metrics=metric_names,
        sources=sources if all(s is not None for s in sources) else None,  # type: ignore[arg-type]
        settings=options.metric_part(),
        bootstrap=0,
        ids=[f"{item.id}/{item.system}" for item in items],
    )


def corpus_system_scores(
    metric_names: Sequence[str], items: Sequence[MetaItem], options: ScoringOptions = ScoringOptions()
) -> dict[str, dict[str, float]]:
    """Corpus-level score of each system (e.g. corpus BLEU over its items), as WMT's system level uses.

    Args:
        metric_names: names known to ``toolkit.scoring`` (values supplied with the items cannot be pooled).
        items: the items; each system is scored on the items it has, in item order.
        options: scoring settings.

    Returns:
        ``{metric: {system: corpus score}}``.

    Raises:
        InputError: a metric is supplied with the items rather than computed.
    """
    for name in metric_names:
        if any(name in item.scores for item in items):
            raise InputError(f"metric {name!r} comes with the items: corpus system scores need a metric computed by toolkit.scoring")
    by_system: dict[str, list[MetaItem]] = {}
    for item in items:
        by_system.setdefault(item.system, []).append(item)
    out: dict[str, dict[str, float]] = {name: {} for name in metric_names}
    for system, group in by_system.items():
        report = _score_items(list(metric_names), group, options)
        for name in metric_names:
            out[name][system] = float(report[name].score)
    return out
