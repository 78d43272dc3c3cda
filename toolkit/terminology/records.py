"""Immutable records of the terminology engine: glossary entries, matches, edits and term statistics.

Only the standard library is imported here; every record is a frozen dataclass with ``to_dict()``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.jsonrecord import JsonRecord
from toolkit.terminology.entries import ENTRY_TYPES, GlossaryEntry, Term
from toolkit.terminology.validate import entries_from_records

__all__ = ["ENTRY_TYPES", "MATCH_KINDS", "Edit", "EntryStat", "Glossary", "GlossaryEntry", "Normalization", "Suspect",
           "Term", "TermAccuracy", "TermMatch", "TermStats"]

#: Kinds of a :class:`TermMatch` (``alternative`` marks an acceptable rendering; ``source`` a
#: source-language term, only reported when asked for).
MATCH_KINDS = ("canonical", "alternative", "variant", "calque", "fuzzy", "source")


@dataclass(frozen=True)
class Glossary:
    """An ordered, immutable collection of :class:`GlossaryEntry` with a cached matching index.

    Build one with :func:`toolkit.terminology.load_glossary` or :meth:`Glossary.from_records`.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])
        >>> len(g), g.entries[0].variants
        (1, ('Jinxiang Army',))
    """

    entries: tuple[GlossaryEntry, ...]
    path: str | None = field(default=None, compare=False)
    _cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, path: str | None = None) -> Glossary:
        """Build a glossary from mappings with the glossary columns (see :mod:`.glossary_io`).

        Raises:
            GlossaryError: a record has an error (empty canonical, bad type, a variant of two entries...).
        """
        return cls(tuple(entries_from_records(list(records), path or "<records>")), path=path)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the entries only: the matching index and other caches are rebuilt where it is unpickled.

        Example:
            >>> import pickle
            >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun"}]); _ = g.fingerprint
            >>> copy = pickle.loads(pickle.dumps(g))
            >>> copy == g, dict(copy._cache), copy.fingerprint == g.fingerprint
            (True, {}, True)
        """
        return {"entries": self.entries, "path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "entries", state["entries"])
        object.__setattr__(self, "path", state["path"])
        object.__setattr__(self, "_cache", {})

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def __getitem__(self, entry_id: str) -> GlossaryEntry:
        by_id = self._cache.get("by_id")
        if by_id is None:
            by_id = {e.id: e for e in self.entries}
            self._cache["by_id"] = by_id
        return by_id[entry_id]

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the normalised content (entries in order, all fields but ``line``)."""
        cached = self._cache.get("fingerprint")
        if cached is None:
            payload = json.dumps([e.to_dict() for e in self.entries], ensure_ascii=False, sort_keys=True)
            cached = hashlib.sha256(payload.encode("utf-8")).hexdigest()
            self._cache["fingerprint"] = cached
        return cached


@dataclass(frozen=True)
class TermMatch(JsonRecord):
    """One glossary term found in a text. Offsets are characters of the original text, end exclusive.

    Attributes:
        start, end: span of the term's surface (a possessive ``'s`` is not inside it; see ``possessive``).
        text: the surface, ``original[start:end]``.
        canonical: the entry's canonical term.
        entry: the entry id.
        kind: ``canonical``, ``alternative``, ``variant``, ``calque``, ``fuzzy`` (or ``source``).
        score: 1.0 for exact matches, the similarity (0-1) for fuzzy ones.
        term: the glossary string that matched (a variant, a generated calque...).
        possessive: the possessive right after the surface (``'s``, ``’s``, ``'``, ``’``) or ``""``.
        plural: the surface is a regular plural of ``term``.

    Example:
        >>> from toolkit.terminology import align
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])
        >>> m = align("The Jinxiang Army's visit.", glossary=g)[0]
        >>> m.start, m.end, m.text, m.kind, m.canonical, m.possessive
        (4, 17, 'Jinxiang Army', 'variant', 'Jin Xiangjun', "'s")
    """

    start: int
    end: int
    text: str
    canonical: str
    entry: str
    kind: str
    score: float = 1.0
    term: str = ""
    possessive: str = ""
    plural: bool = False


@dataclass(frozen=True)
class Edit(JsonRecord):
    """One rewrite made by normalisation, with its span in the old and in the new text.

    Example:
        >>> from toolkit.terminology import normalize
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])
        >>> e = normalize("The Jinxiang Army came.", glossary=g).edits[0]
        >>> e.before, e.after, (e.old_start, e.old_end), (e.new_start, e.new_end), e.entry, e.kind
        ('Jinxiang Army', 'Jin Xiangjun', (4, 17), (4, 16), 'Jin Xiangjun', 'variant')
    """

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    before: str
    after: str
    entry: str
    kind: str


@dataclass(frozen=True)
class Normalization(JsonRecord):
    """The result of :func:`toolkit.terminology.normalize`: the new text and its audit log.

    Example:
        >>> from toolkit.terminology import normalize
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])
        >>> n = normalize("The Jinxiang Army met the Jinxiang Army.", glossary=g)
        >>> n.text, [e.old_start for e in n.edits], n.reported
        ('The Jin Xiangjun met the Jin Xiangjun.', [4, 26], ())
    """

    text: str
    edits: tuple[Edit, ...]
    original: str = field(default="", repr=False)
    reported: tuple[TermMatch, ...] = ()

    not_in_dict = ("original",)  # to_dict: {"text", "edits", "reported"} (reported: fuzzy matches left unchanged)


@dataclass(frozen=True)
class Suspect(JsonRecord):
    """A name check's finding: a span that reads as a bad rendering of a name (for review).

    Attributes:
        start, end: span in the checked text (characters, end exclusive).
        text: the span's surface.
        reason: why it was flagged, in words.
        kind: always ``suspect`` (not a constructor argument): tells a suspect from a :class:`TermMatch` in
            one list (``toolkit terms`` output).
        confidence: how sure the check is (0-1); findings under the caller's threshold are not reported.
        suggestion: the likely correct rendering (the glossary's canonical term, or the standard
            romanisation of the source name), or ``""`` when none is known.
        check: which check flagged it: ``pinyin`` (an untranslated romanisation) or ``split-name``
            (a name cut into syllables, "He Li Feng").

    Example:
        >>> from toolkit.terminology import find_suspects
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "source": "金湘军"}])
        >>> s = find_suspects("Daxing research by Jin Xiangjun", glossary=g)[0]
        >>> s.start, s.end, s.text, s.check
        (0, 6, 'Daxing', 'pinyin')
    """

    start: int
    end: int
    text: str
    reason: str
    kind: str = field(default="suspect", init=False, repr=False, compare=False)
    confidence: float = 1.0
    suggestion: str = ""
    check: str = "pinyin"


@dataclass(frozen=True)
class EntryStat(JsonRecord):
    """How one glossary entry fared in one segment."""

    entry: str
    canonical: str
    in_source: bool
    in_prediction: bool
    correct: bool
    leaked: bool
    surfaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class TermStats(JsonRecord):
    """Per-segment sufficient statistics of term accuracy (summed by :func:`term_accuracy`).

    Attributes:
        expected: entries found in the source (by canonical, alternative, variant, calque or source term).
        correct: of those, entries whose canonical term or an alternative is in the prediction.
        leaked: of those, entries with a variant or calque in the prediction.
        extra: entries in the prediction that the source lacks.
        found: entries in the prediction.
        details: one :class:`EntryStat` per entry seen in the source or the prediction.
    """

    expected: int
    correct: int
    leaked: int
    extra: int
    found: int
    details: tuple[EntryStat, ...] = ()


@dataclass(frozen=True)
class TermAccuracy(JsonRecord):
    """Corpus-level term accuracy, a pure function of the per-segment :class:`TermStats`.

    Percentages are 0-100; ``None`` where the denominator is 0.

    Example:
        >>> from toolkit.terminology import term_accuracy
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "source": "金湘军"}])
        >>> r = term_accuracy(predictions=["Jin Xiangjun came.", "The Jinxiang Army left."],
        ...                   sources=["金湘军来了。", "金湘军走了。"], glossary=g, calques=False)
        >>> r.accuracy, r.variant_leak_rate, r.segments, r.expected, r.correct, r.leaked
        (50.0, 50.0, 2, 2, 1, 1)
    """

    accuracy: float | None
    variant_leak_rate: float | None
    recall: float | None
    precision: float | None
    segments: int
    expected: int
    correct: int
    leaked: int
    extra: int
    found: int
    per_entry: tuple[dict[str, Any], ...] = ()
    signature: str = ""

    def to_frame(self) -> Any:
        """Return the per-entry detail as a pandas DataFrame (one row per entry)."""
        import pandas as pd

        columns = ["entry", "canonical", "expected", "correct", "leaked", "extra", "accuracy"]
        return pd.DataFrame([dict(p) for p in self.per_entry], columns=columns)
