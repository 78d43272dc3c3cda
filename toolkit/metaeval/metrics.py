"""Per-item metric scores for meta-evaluation (0-100 scale, one value per item).

Item-level scores are segment-level scores: ROUGE F-measure from rouge-score (no stemming; with several
references the best F per item, rouge-score's ``score_multi``), and sacrebleu's sentence BLEU (effective
order), chrF2 and TER. A metric named in every item's ``scores`` field (for example REALSumm's
``released_rouge_1_f_score``) is read from there instead of being computed.
"""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.errors import InputError, UnknownNameError
from toolkit.metaeval.items import MetaItem

ROUGE_METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
SACREBLEU_METRICS = ("bleu", "chrf", "ter")
COMPUTED_METRICS = ROUGE_METRICS + SACREBLEU_METRICS
LOWER_IS_BETTER = frozenset({"ter", "released_ter"})


def _rouge(name: str, items: Sequence[MetaItem]) -> list[float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer([name], use_stemmer=False)
    out = []
    for item in items:
        best = max(scorer.score(ref, item.text)[name].fmeasure for ref in item.references)
        out.append(100.0 * best)
    return out


def _sacrebleu(name: str, items: Sequence[MetaItem]) -> list[float]:
    import sacrebleu

    function = {"bleu": sacrebleu.sentence_bleu, "chrf": sacrebleu.sentence_chrf, "ter": sacrebleu.sentence_ter}[name]
    return [float(function(item.text, list(item.references)).score) for item in items]


def _segment_scores(metric_names: Sequence[str], items: Sequence[MetaItem]) -> dict[str, list[float]]:
    """Score every item with every metric.

    Args:
        metric_names: names from ``COMPUTED_METRICS``, or names present in every item's ``scores``.
        items: the items.

    Returns:
        ``{name: [score of item 0, score of item 1, ...]}``.

    Raises:
        UnknownNameError: a name is neither computable nor supplied with the items.

    Example:
        >>> from toolkit.metaeval.items import MetaItem
        >>> item = MetaItem("d", "A", "the cat sat", ("the cat sat down",), {"h": 1.0})
        >>> round(_segment_scores(["rouge1"], [item])["rouge1"][0], 2)  # P=1, R=3/4 -> F=6/7
        85.71
    """
    out: dict[str, list[float]] = {}
    for name in metric_names:
        if items and all(name in item.scores for item in items):
            out[name] = [float(item.scores[name]) for item in items]
        elif name in ROUGE_METRICS:
            out[name] = _rouge(name, items)
        elif name in SACREBLEU_METRICS:
            out[name] = _sacrebleu(name, items)
        else:
            supplied = set.intersection(*(set(item.scores) for item in items)) if items else set()
            if any(name in item.scores for item in items):
                missing = next(i for i, item in enumerate(items) if name not in item.scores)
                raise InputError(f"item {missing} (id={items[missing].id!r}, system={items[missing].system!r}) has no scores.{name}; supply it for every item")
            raise UnknownNameError("metric", name, set(COMPUTED_METRICS) | supplied)
    return out
