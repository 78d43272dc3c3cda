"""Term accuracy (``terms.v2``) of an output (translation or summary) against its source text.

For each glossary entry found in the source (by canonical term, alternative, variant, calque or
``source`` term, the latter also in its English inflections, "hospitalized" for *hospitalize*, and in
capitals only when it is an acronym: "who" is not *WHO*): is the canonical term or an alternative in the
output (``correct``; one rendering counts for every entry that lists it, and overlapping renderings all
count; for a country, its usual short forms and demonyms too: 英国 is rendered by "UK" or "British"), or,
given a reference, the reference's own inflected form of it; and does the output hold a
variant or calque (``leaked``)? Counts are per entry and segment, or per occurrence when asked. Entries in the output that the source lacks are
``extra`` (for the precision of summaries). :func:`term_stats` gives per-segment sufficient statistics;
:func:`aggregate_term_stats` is a pure function of them, as in sacrebleu. Exact-match accuracy is the
WMT21 terminology task's measure, here with Unicode word boundaries (a term before a full stop counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from toolkit.errors import InputLengthError
from toolkit.terminology.calques import CALQUES_NAME
from toolkit.terminology.index import ALIGN_NAME, align, get_index, get_source_index, is_acronym, resolve
from toolkit.terminology.names import country_forms
from toolkit.terminology.records import EntryStat, Glossary, TermAccuracy, TermStats
from toolkit.terminology.textnorm import FOLD_NAME, fold_text

TERMS_NAME = "terms.v2"
_CORRECT = ("canonical", "alternative")
_LEAK = ("variant", "calque")


def _source_counts(source: str, glossary: Glossary, calques: bool) -> dict[str, int]:
    """Expected entries of a source and how often each occurs (non-overlapping matches, longest first)."""
    counts: dict[str, int] = {}
    spans: dict[str, set[tuple[int, int]]] = {}
    for m in align(source, glossary=glossary, calques=calques):
        spans.setdefault(m.entry, set()).add((m.start, m.end))
    if any(e.source for e in glossary.entries):
        index = get_source_index(glossary, inflections=True)
        for s, e, info in resolve(index.candidates(fold_text(source))):
            spans.setdefault(glossary.entries[info[0]].id, set()).add((s, e))
    for entry_id, found in spans.items():
        counts[entry_id] = len(found)
    return counts


def _correct_counts(prediction: str, glossary: Glossary, calques: bool, surfaces: dict[str, list[str]]) -> dict[str, int]:
    """Occurrences of each entry's correct renderings (canonical, alternative, or a given reference surface).

    Overlaps are allowed and one rendering counts for every entry that lists it ("grippe" for *flu* and
    *influenza*; "coronavirus" inside "nouveau coronavirus").
    """
    ft = fold_text(prediction)
    seen: dict[str, set[tuple[int, int]]] = {}
    for s, e, infos in get_index(glossary, calques=calques).occurrences(ft):
        for info in infos:
            if info[1] in _CORRECT:
                seen.setdefault(glossary.entries[info[0]].id, set()).add((s, e))
    for entry_id, forms in surfaces.items():
        for form in forms:
            cased = is_acronym(form.replace(".", "")) or "." in form  # "US", "U.S." in capitals only ("us")
            text, needle = (ft.folded, form) if cased else (ft.lower, form.lower())
            i = text.find(needle)
            while i >= 0:
                before = text[i - 1] if i else " "
                after = text[i + len(needle)] if i + len(needle) < len(text) else " "
                if not before.isalnum() and not after.isalnum():
                    seen.setdefault(entry_id, set()).add((i, i + len(needle)))
                i = text.find(needle, i + 1)
    return {k: len(v) for k, v in seen.items()}


def _country_surfaces(glossary: Glossary, entries: Iterable[str]) -> dict[str, list[str]]:
    """Short forms and demonyms of the expected entries that name a country (英国: UK, Britain, British)."""
    out: dict[str, list[str]] = {}
    for entry_id in entries:
        forms = country_forms(glossary[entry_id].source)
        if forms:
            out[entry_id] = list(forms)
    return out


def _reference_surfaces(reference: str, glossary: Glossary, entries: Iterable[str]) -> dict[str, list[str]]:
    from toolkit.terminology.protocols import reference_surface

    out: dict[str, list[str]] = {}
    for entry_id in entries:
        e = glossary[entry_id]
        form = reference_surface(reference, [e.canonical, *e.alternatives])
        if form:
            out[entry_id] = [form]
    return out


def term_stats(
    prediction: str,
    *,
    source: str,
    glossary: Glossary,
    calques: bool = True,
    reference: str | None = None,
    per_occurrence: bool = False,
) -> TermStats:
    """Per-segment term statistics of ``prediction`` against ``source``.

    An entry is *expected* when its source term (or an English inflection of it: "hospitalized" for
    *hospitalize*; acronyms such as "WHO" only in capitals), canonical term or another rendering is in the
    source; *correct* when its canonical term or an alternative is in the prediction (one rendering may
    satisfy every entry that lists it) or, given the reference, the reference's own inflected form of it.

    Args:
        prediction: the output text (translation or summary).
        source: the text the output was made from (source language, or English for summaries).
        glossary: the glossary.
        calques: count calques as variants (found in the source, leaked in the prediction).
        reference: a reference translation: its surface form of an expected term is accepted.
        per_occurrence: count each occurrence of an entry in the source (``expected``) and at most as many
            correct renderings (``correct``), instead of once per segment.

    Returns:
        :class:`TermStats` with expected/correct/leaked/extra/found counts and per-entry details.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军"}])
        >>> s = term_stats("The Jinxiang Army came.", source="金湘军来了。", glossary=g, calques=False)
        >>> (s.expected, s.correct, s.leaked, s.extra, s.found)
        (1, 0, 1, 0, 1)
        >>> g = Glossary.from_records([{"canonical": "hospitaliser", "source": "hospitalize"}])
        >>> s = term_stats("Ils sont hospitalisés.", source="They were hospitalized.", glossary=g,
        ...                reference="Ils ont été hospitalisés.", calques=False)
        >>> (s.expected, s.correct)
        (1, 1)
    """
    in_source = _source_counts(source, glossary, calques)
    accepted = _country_surfaces(glossary, in_source)
    for entry_id, forms in (_reference_surfaces(reference, glossary, in_source) if reference else {}).items():
        accepted.setdefault(entry_id, []).extend(forms)
    good = _correct_counts(prediction, glossary, calques, accepted)
    kinds: dict[str, set[str]] = {}
    surfaces: dict[str, list[str]] = {}
    leaks: dict[str, int] = {}
    for m in align(prediction, glossary=glossary, calques=calques):
        kinds.setdefault(m.entry, set()).add(m.kind)
        if m.kind in _LEAK:
            leaks[m.entry] = leaks.get(m.entry, 0) + 1
        surfaces.setdefault(m.entry, [])
        if m.text not in surfaces[m.entry]:
            surfaces[m.entry].append(m.text)
    for entry_id in good:
        kinds.setdefault(entry_id, set()).add("canonical")
    details = []
    expected = correct = leaked = 0
    order = {e.id: i for i, e in enumerate(glossary.entries)}
    for entry_id in sorted(set(in_source) | set(kinds), key=order.__getitem__):
        k = kinds.get(entry_id, set())
        n_src = in_source.get(entry_id, 0)
        ok = n_src > 0 and good.get(entry_id, 0) > 0
        leak = n_src > 0 and bool(k & set(_LEAK))
        weight = n_src if per_occurrence else min(n_src, 1)
        expected += weight
        correct += min(good.get(entry_id, 0), weight) if per_occurrence else int(ok)
        leaked += min(leaks.get(entry_id, 0), weight) if per_occurrence else int(leak)
        details.append(
            EntryStat(entry_id, glossary[entry_id].canonical, n_src > 0, bool(k), ok, leak, tuple(surfaces.get(entry_id, ())))
        )
    found = len(kinds)
    extra = len(set(kinds) - set(in_source))
    return TermStats(expected, correct, leaked, extra, found, tuple(details))


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
    references: Sequence[str] | None = None,
    per_occurrence: bool = False,
) -> TermAccuracy:
    """Term exact-match accuracy, variant-leak rate, recall and precision over a corpus.

    Args:
        predictions: one output per segment.
        sources: the source text of each segment.
        glossary: the glossary.
        calques: treat calques of ``source`` terms as variants.
        references: one reference per segment (optional): its surface form of an expected term is accepted.
        per_occurrence: count every occurrence of a term in the source, not each entry once per segment.

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
    if references is not None and len(references) != len(predictions):
        raise InputLengthError(f"{len(predictions)} predictions but {len(references)} references; give one per prediction")
    refs: Sequence[str | None] = references if references is not None else [None] * len(predictions)
    stats = [term_stats(p, source=s, glossary=glossary, calques=calques, reference=r, per_occurrence=per_occurrence)
             for p, s, r in zip(predictions, sources, refs)]
    signature = terms_signature(glossary, calques=calques)
    if per_occurrence:
        signature = signature.replace(f"{TERMS_NAME}|", f"{TERMS_NAME}|count:occurrence|", 1)
    return aggregate_term_stats(stats, signature=signature)
