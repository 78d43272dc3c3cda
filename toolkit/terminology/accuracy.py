"""Term accuracy (``terms.v1``) of an output (translation or summary) against its source text.

For each glossary entry found in the source (by canonical term, alternative, variant, calque or
``source`` term): is the canonical term or an alternative in the output (``correct``), and does the
output hold a variant or calque (``leaked``)? Entries in the output that the source lacks are
``extra`` (for the precision of summaries). :func:`term_stats` gives per-segment sufficient statistics;
:func:`aggregate_term_stats` is a pure function of them, as in sacrebleu. Exact-match accuracy is the
WMT21 terminology task's measure, here with Unicode word boundaries (a term before a full stop counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toolkit.errors import InputLengthError
from toolkit.terminology.calques import CALQUES_NAME
from toolkit.terminology.index import ALIGN_NAME, align, get_source_index, resolve
from toolkit.terminology.records import EntryStat, Glossary, TermAccuracy, TermStats
from toolkit.terminology.textnorm import FOLD_NAME, fold_text

TERMS_NAME = "terms.v1"
_CORRECT = ("canonical", "alternative")
_LEAK = ("variant", "calque")


def _source_entries(source: str, glossary: Glossary, calques: bool) -> set[str]:
    entries = {m.entry for m in align(source, glossary=glossary, calques=calques)}
    if any(e.source for e in glossary.entries):
        index = get_source_index(glossary)
        for _s, _e, info in resolve(index.candidates(fold_text(source))):
            entries.add(glossary.entries[info[0]].id)
    return entries


def term_stats(prediction: str, *, source: str, glossary: Glossary, calques: bool = True) -> TermStats:
    """Per-segment term statistics of ``prediction`` against ``source``.

    Args:
        prediction: the output text (translation or summary).
        source: the text the output was made from (source language, or English for summaries).
        glossary: the glossary.
        calques: count calques as variants (found in the source, leaked in the prediction).

    Returns:
        :class:`TermStats` with expected/correct/leaked/extra/found counts and per-entry details.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军"}])
        >>> s = term_stats("The Jinxiang Army came.", source="金湘军来了。", glossary=g, calques=False)
        >>> (s.expected, s.correct, s.leaked, s.extra, s.found)
        (1, 0, 1, 0, 1)
    """
    expected = _source_entries(source, glossary, calques)
    kinds: dict[str, set[str]] = {}
    surfaces: dict[str, list[str]] = {}
    for m in align(prediction, glossary=glossary, calques=calques):
        kinds.setdefault(m.entry, set()).add(m.kind)
        surfaces.setdefault(m.entry, [])
        if m.text not in surfaces[m.entry]:
            surfaces[m.entry].append(m.text)
    details = []
    correct = leaked = 0
    order = {e.id: i for i, e in enumerate(glossary.entries)}
    for entry_id in sorted(expected | set(kinds), key=order.__getitem__):
        k = kinds.get(entry_id, set())
        in_src = entry_id in expected
        ok = in_src and bool(k & set(_CORRECT))
        leak = in_src and bool(k & set(_LEAK))
        correct += ok
        leaked += leak
        details.append(
            EntryStat(entry_id, glossary[entry_id].canonical, in_src, bool(k), ok, leak, tuple(surfaces.get(entry_id, ())))
        )
    found = len(kinds)
    extra = len(set(kinds) - expected)
    return TermStats(len(expected), correct, leaked, extra, found, tuple(details))


def _pct(num: int, den: int) -> float | None:
    return 100.0 * num / den if den else None


def aggregate_term_stats(stats: Sequence[TermStats], *, signature: str = "") -> TermAccuracy:
    """Corpus scores from per-segment statistics (a pure function; the order of segments is irrelevant).

    Example:
        >>> a = aggregate_term_stats([TermStats(2, 1, 1, 0, 2), TermStats(2, 2, 0, 1, 3)])
        >>> a.accuracy, a.variant_leak_rate, a.recall, a.precision
        (75.0, 25.0, 100.0, 80.0)
    """
    expected = sum(s.expected for s in stats)
    correct = sum(s.correct for s in stats)
    leaked = sum(s.leaked for s in stats)
    extra = sum(s.extra for s in stats)
    found = sum(s.found for s in stats)
    hits = found - extra
    per: dict[str, dict[str, Any]] = {}
    for s in stats:
        for d in s.details:
            row = per.setdefault(
                d.entry, {"entry": d.entry, "canonical": d.canonical, "expected": 0, "correct": 0, "leaked": 0, "extra": 0}
            )
            row["expected"] += d.in_source
            row["correct"] += d.correct
            row["leaked"] += d.leaked
            row["extra"] += d.in_prediction and not d.in_source
    for row in per.values():
        row["accuracy"] = _pct(row["correct"], row["expected"])
    return TermAccuracy(
        accuracy=_pct(correct, expected),
        variant_leak_rate=_pct(leaked, expected),
        recall=_pct(hits, expected),
        precision=_pct(hits, found),
        segments=len(stats),
        expected=expected,
        correct=correct,
        leaked=leaked,
        extra=extra,
        found=found,
        per_entry=tuple(per.values()),
        signature=signature,
    )


def terms_signature(glossary: Glossary, *, calques: bool = True) -> str:
    """The settings and versions behind a term-accuracy score."""
    from toolkit._version import __version__

    parts = [TERMS_NAME, ALIGN_NAME, FOLD_NAME, CALQUES_NAME if calques else "calques:off", f"glossary:{glossary.fingerprint[:12]}"]
    if calques:
        try:
            from toolkit.terminology.cedict import cedict_version

            parts.append(f"cedict:{cedict_version()[:10]}")
        except Exception:  # noqa: BLE001 - the signature must not fail when CC-CEDICT is missing
            parts.append("cedict:missing")
    parts.append(f"toolkit:{__version__}")
    return "|".join(parts)


def term_accuracy(
    *,
    predictions: Sequence[str],
    sources: Sequence[str],
    glossary: Glossary,
    calques: bool = True,
) -> TermAccuracy:
    """Term exact-match accuracy, variant-leak rate, recall and precision over a corpus.

    Args:
        predictions: one output per segment.
        sources: the source text of each segment.
        glossary: the glossary.
        calques: treat calques of ``source`` terms as variants.

    Returns:
        :class:`TermAccuracy` (percentages 0-100, ``None`` where undefined) with per-entry detail.

    Raises:
        InputLengthError: the two lists differ in length.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Changzhi", "variants": "Zhangzhi", "source": "长治"}])
        >>> r = term_accuracy(predictions=["Changzhi.", "Zhangzhi."], sources=["长治", "长治"], glossary=g, calques=False)
        >>> r.accuracy, r.variant_leak_rate
        (50.0, 50.0)
    """
    if len(predictions) != len(sources):
        raise InputLengthError(f"{len(predictions)} predictions but {len(sources)} sources; give one source per prediction")
    stats = [term_stats(p, source=s, glossary=glossary, calques=calques) for p, s in zip(predictions, sources)]
    return aggregate_term_stats(stats, signature=terms_signature(glossary, calques=calques))
