"""Temporary stand-in for ``toolkit.scoring.rouge`` over Google's ``rouge-score`` package.

Used only while ``toolkit/scoring/rouge.py`` (written in another part) is absent. Supports the
``rouge-score`` mode only, with the same API: ``rouge(...)`` and ``rouge_signature(...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.errors import ConfigError


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F on a 0-1 scale."""

    precision: float
    recall: float
    fmeasure: float


def rouge(
    *,
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    variants: Sequence[str] = ("rouge1", "rouge2", "rougeL", "rougeLsum"),
    mode: str = "rouge-score",
    stem: bool = False,
    multi_ref: str = "best",
    lsum_split: str = "newline",
) -> list[dict[str, PRF]]:
    """Per-segment ROUGE as rouge-score computes it (best: ``score_multi``; average: mean of P, R, F)."""
    if mode != "rouge-score" or lsum_split != "newline":
        raise ConfigError([f"rouge: mode '{mode}' / lsum_split '{lsum_split}' needs toolkit/scoring/rouge.py"])
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(variants), use_stemmer=stem)
    out: list[dict[str, PRF]] = []
    for pred, refs in zip(predictions, references):
        if multi_ref == "best":
            raw = scorer.score_multi(list(refs), pred)
            out.append({v: PRF(s.precision, s.recall, s.fmeasure) for v, s in raw.items()})
        else:
            each = [scorer.score(ref, pred) for ref in refs]
            out.append(
                {
                    v: PRF(
                        sum(e[v].precision for e in each) / len(each),
                        sum(e[v].recall for e in each) / len(each),
                        sum(e[v].fmeasure for e in each) / len(each),
                    )
                    for v in variants
                }
            )
    return out


def rouge_signature(
    *,
    variant: str,
    mode: str = "rouge-score",
    stem: bool = False,
    multi_ref: str = "best",
    lsum_split: str = "newline",
) -> str:
    """Signature of the ROUGE settings."""
    import rouge_score  # noqa: F401  (version comes from the distribution)
    from importlib.metadata import version

    return (
        f"{variant}|mode:{mode}|tok:rouge-score-default|stem:{'porter' if stem else 'no'}|multiref:{multi_ref}"
        f"|lsum_split:{lsum_split}|rouge-score:{version('rouge-score')}"
    )
