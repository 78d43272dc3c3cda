"""Summary diagnostics: length, compression, extractive fragment coverage and density, novel and repeated n-grams.

Coverage and density follow Grusky, Naaman and Artzi (2018), "Newsroom: A Dataset of 1.3 Million Summaries
with Diverse Extractive Strategies", NAACL: the greedy extractive fragments ``F(A, S)`` shared by article A
and summary S give ``coverage = sum |f| / |S|`` and ``density = sum |f|^2 / |S|``; ``compression = |A| / |S|``.

Tokens here are lower-cased Unicode words (letters/digits), with each CJK character a token of its own, so
Chinese text is measured too. These are descriptive numbers (no "better" direction), except the repeated
n-gram rate, where lower is better.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.jsonrecord import JsonRecord
from toolkit.scoring.base import MetricInfo, MetricSpec, ScoringContext, SegmentStats, mean_stats, shared_units

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+(?:['’][^\W_{_CJK}]+)*")
SIGNATURE_TAIL = "tok:unicode-lower.v1"


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; every CJK character is a token.

    Example:
        >>> tokenize("The cat's 2 mats. 太原市")
        ['the', "cat's", '2', 'mats', '太', '原', '市']
    """
    return _TOKEN.findall(text.lower())


def fragments(article: Sequence[str], summary: Sequence[str]) -> list[list[str]]:
    """Greedy extractive fragments shared by ``article`` and ``summary`` (Grusky et al. 2018, Algorithm 1).

    Example:
        >>> fragments("a b c d e".split(), "b c x d e".split())
        [['b', 'c'], ['d', 'e']]
    """
    result: list[list[str]] = []
    i = 0
    n_a, n_s = len(article), len(summary)
    while i < n_s:
        best: list[str] = []
        j = 0
        while j < n_a:
            if summary[i] == article[j]:
                i2, j2 = i, j
                while i2 < n_s and j2 < n_a and summary[i2] == article[j2]:
                    i2, j2 = i2 + 1, j2 + 1
                if len(best) < i2 - i:
                    best = list(summary[i:i2])
                j = j2
            else:
                j += 1
        i += max(len(best), 1)
        if best:
            result.append(best)
    return result


def _ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[k : k + n]) for k in range(len(tokens) - n + 1)]


@dataclass(frozen=True)
class Diagnostics(JsonRecord):
    """Diagnostics of one summary against its source (``nan`` where undefined, e.g. an empty summary)."""

    length: float
    compression: float
    coverage: float
    density: float
    novel_1gram: float
    novel_2gram: float
    novel_3gram: float
    repeated_2gram: float
    repeated_3gram: float


def _novel(source: Sequence[str], summary: Sequence[str], n: int) -> float:
    grams = _ngrams(summary, n)
    if not grams:
        return math.nan
    seen = set(_ngrams(source, n))
    return 100.0 * sum(g not in seen for g in grams) / len(grams)


def _repeated(summary: Sequence[str], n: int) -> float:
    grams = _ngrams(summary, n)
    if not grams:
        return math.nan
    counts = Counter(grams)
    return 100.0 * sum(c - 1 for c in counts.values()) / len(grams)


def diagnose(summary: str, source: str | None) -> Diagnostics:
    """All diagnostics of one summary; those needing the source are NaN when ``source`` is None.

    ``novel_Ngram`` is the % of the summary's N-grams absent from the source; ``repeated_Ngram`` the % of
    its N-gram occurrences that repeat an earlier one. Coverage is a %, density a mean fragment length.

    Example:
        >>> d = diagnose("b c x d e", "a b c d e")
        >>> d.length, d.compression, d.coverage, d.density
        (5.0, 1.0, 80.0, 1.6)
    """
    s = tokenize(summary)
    nan = math.nan
    if source is None:
        a = None
    else:
        a = tokenize(source)
    length = float(len(s))
    if a is None or not s:
        compression = coverage = density = nan
        novel = [nan, nan, nan]
    else:
        frags = fragments(a, s)
        compression = len(a) / len(s)
        coverage = 100.0 * sum(len(f) for f in frags) / len(s)
        density = sum(len(f) ** 2 for f in frags) / len(s)
        novel = [_novel(a, s, n) for n in (1, 2, 3)]
    return Diagnostics(length, compression, coverage, density, *novel, _repeated(s, 2), _repeated(s, 3))


_FIELDS = {
    "length": ("summary length in tokens", None, (0.0, math.inf), False),
    "compression": ("compression ratio: source tokens / summary tokens", None, (0.0, math.inf), True),
    "coverage": ("extractive fragment coverage, % of summary tokens (Grusky et al. 2018)", None, (0.0, 100.0), True),
    "density": ("extractive fragment density, mean squared fragment length (Grusky et al. 2018)", None,
                (0.0, math.inf), True),
    "novel_1gram": ("% of summary unigrams not in the source", None, (0.0, 100.0), True),
    "novel_2gram": ("% of summary bigrams not in the source", None, (0.0, 100.0), True),
    "novel_3gram": ("% of summary trigrams not in the source", None, (0.0, 100.0), True),
    "repeated_2gram": ("% of summary bigram occurrences that repeat an earlier one", False, (0.0, 100.0), False),
    "repeated_3gram": ("% of summary trigram occurrences that repeat an earlier one", False, (0.0, 100.0), False),
}


def _all(ctx: ScoringContext) -> list[dict[str, float]]:
    """Per-segment diagnostics as dicts (the family's shared units)."""
    key = f"diagnostics|{SIGNATURE_TAIL}|source:{'yes' if ctx.sources is not None else 'no'}"

    def compute() -> list[dict[str, float]]:
        sources = ctx.sources if ctx.sources is not None else [None] * len(ctx.predictions)
        return [diagnose(p, s).to_dict() for p, s in zip(ctx.predictions, sources)]

    return shared_units(ctx, key, compute)


def _make(field_name: str):
    def compute(ctx: ScoringContext) -> SegmentStats:
        values = [d[field_name] for d in _all(ctx)]
        return mean_stats(values, f"{field_name}|{SIGNATURE_TAIL}|agg:mean")

    compute.__name__ = f"compute_{field_name}"
    return compute


METRICS = [
    MetricSpec(
        MetricInfo(name, desc, higher_is_better=hib, range=rng, needs_source=needs_source),
        _make(name),
    )
    for name, (desc, hib, rng, needs_source) in _FIELDS.items()
]
GROUP = tuple(_FIELDS)
