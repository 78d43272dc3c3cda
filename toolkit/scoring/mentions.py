"""Names, numbers and dates of a summary, and whether its source supports them (``mentions.v1``).

Mentions are

- numbers: digits (``5,000``, ``2.5``, ``10%``, ``1990s``, ``3rd``), optionally scaled (``2.5 million``,
  ``$5m``, ``3bn``), and English number words (``twenty-five``, ``two hundred``; ``one`` is left out: it is
  a pronoun more often than a count); normalised to their value, so ``5,000`` = ``5000`` = ``five thousand``;
- dates: month and weekday names (``Jan.`` = ``January``);
- names: runs of capitalised words (``Bank of England``), a sentence's first word only when it is not a
  common word (it never occurs in lower case in the summary or the source, and is not a function word).

A number or date is supported when its value occurs among the source's; a name when each of its words
occurs in the source (a source word of 4+ letters followed by at most 3 letters also counts: ``Syria`` ->
``Syrian``, ``Obama`` -> ``Obama's``), or, with a glossary, when the name is a glossary term (canonical,
variant, alternative or calque) whose entry the source mentions in any form, its source-language term
included: a canonical name supports its variants and calques. Lower-cased summaries (SummEval has many)
yield no names; their numbers and dates still count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from toolkit.jsonrecord import JsonRecord
from toolkit.scoring.support import STOPWORDS, fold, sentence_spans, tokens

MENTIONS_VERSION = "mentions.v1"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "dozen": 12}
_SUFFIX_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
                  "tn": 1_000_000_000_000}
_MONTHS = ("january february march april may june july august september october november december").split()
_MONTH_ABBR = {m[:3]: m for m in _MONTHS} | {"sept": "september"}
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, *_SCALES], key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w.,])(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?P<suffix>(?:st|nd|rd|th|s|k|m|mn|bn|b|tn)\b)?"
    rf"(?:[ -](?P<scale>hundred|thousand|million|billion|trillion)\b)?"
    rf"|\b(?P<words>(?:(?:{_NUMBER_WORD})(?:[ -]|\band\b|\s)*)+)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?P<month>" + "|".join(_MONTHS) + r"|(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.)"
    r"|\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*[\w]|[A-Z])"
_NAME = re.compile(rf"{_NAME_WORD}(?:(?:\s+(?:of|de|du|da|del|der|van|von|al|bin|la|le|the|and|&)\s+|\s+|-){_NAME_WORD})*")


@dataclass(frozen=True)
class Mention(JsonRecord):
    """A name, number or date of a text.

    Attributes:
        kind: ``number``, ``date`` or ``entity`` (a name).
        start, end: character span in the text (end exclusive).
        text: the surface.
        key: the normalised form compared with the source's (a number's value, a month's full name,
            a name's folded words joined by spaces).
    """

    kind: str
    start: int
    end: int
    text: str
    key: str


def _value_key(value: float) -> str:
    return f"{value:.6g}" if value != int(value) else str(int(value))


def _words_value(words: str) -> float | None:
    """Value of English number words (``two hundred and five``), None if they are not a number."""
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[ -]+|\band\b", words.lower()):
        if not word:
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            scale = _SCALES[word]
            current = (current or 1) * scale
            if scale >= 1000:
                total, current = total + current, 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _numbers(text: str) -> list[Mention]:
    out = []
    for m in _NUMBER.finditer(text):
        if m.group("digits"):
            value = float(m.group("digits").replace(",", ""))
            suffix = (m.group("suffix") or "").lower()
            if suffix in _SUFFIX_SCALES and not (suffix == "m" and text[m.end():m.end() + 1].isalpha()):
                value *= _SUFFIX_SCALES[suffix]
            if m.group("scale"):
                value *= _SCALES[m.group("scale").lower()]
            out.append(Mention("number", m.start(), m.end(), m.group(), _value_key(value)))
        else:
            surface = m.group("words").rstrip(" -")
            surface = re.sub(r"(?:\s+and)+$", "", surface, flags=re.IGNORECASE)
            if surface.lower() in ("one", "and"):
                continue
            value = _words_value(surface)
            if value is not None:
                out.append(Mention("number", m.start(), m.start() + len(surface), surface, _value_key(value)))
    return out


def _dates(text: str) -> list[Mention]:
    out = []
    for m in _DATE.finditer(text):
        word = m.group().lower().rstrip(".")
        if m.group("month"):
            if word == "may" and not m.group().startswith("M"):
                continue  # the verb
            if word == "march" and not m.group().startswith("M"):
                continue
            key = _MONTH_ABBR.get(word, word)
        else:
            key = word
        out.append(Mention("date", m.start(), m.end(), m.group(), key))
    return out


@lru_cache(maxsize=512)
def _sentence_starts(text: str) -> frozenset[int]:
    starts = {a for a, _ in sentence_spans(text)}
    # after an opening quote or bracket at a sentence start
    return frozenset(starts | {s + 1 for s in starts if text[s:s + 1] in "\"'“‘([" })


def _is_common(word: str, lowered: set[str]) -> bool:
    folded = fold(word)
    return folded in STOPWORDS or folded in lowered


def _names(text: str, lowered: set[str], capitalised: set[str]) -> list[Mention]:
    """Runs of capitalised words.

    ``lowered``: words seen in lower case; ``capitalised``: words seen capitalised inside a sentence. A
    sentence's first word is dropped when it is common (a function word or seen in lower case), or when it
    is a run of its own that is never capitalised inside a sentence (``Police said ...``).
    """
    starts = _sentence_starts(text)
    out = []
    for m in _NAME.finditer(text):
        start, surface = m.start(), m.group()
        words = list(re.finditer(r"\S+", surface))
        initial = start in starts
        if initial and len(words) == 1 and fold(words[0].group()) not in capitalised:
            continue
        while words and (
            (start + words[0].start() in starts and _is_common(words[0].group(), lowered))
            or fold(words[0].group().rstrip(".")) in (*_MONTHS, *_WEEKDAYS, *_MONTH_ABBR)
            or fold(words[0].group()) in STOPWORDS
        ):
            words = words[1:]
        while words and fold(words[-1].group()) in STOPWORDS | {"of", "and", "&"}:
            words = words[:-1]
        if not words:
            continue
        a, b = start + words[0].start(), start + words[-1].end()
        span = text[a:b]
        if span.isupper() and len(span) <= 1:
            continue
        if any(c.isdigit() for c in span):
            continue
        key = " ".join(t.text for t in tokens(fold(span)) if t.text not in STOPWORDS)
        if key:
            out.append(Mention("entity", a, b, span, key))
    return out


@lru_cache(maxsize=512)
def _word_cases(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Folded words of ``text`` seen in lower case, and those written capitalised other than sentence-first.

    Kept per text (a source is read once for all of its summaries).
    """
    starts = _sentence_starts(text)
    lowered, capitalised = set(), set()
    for m in _WORD.finditer(text):
        word = m.group()
        if word.islower():
            lowered.add(fold(word))
        elif word[0].isupper() and m.start() not in starts:
            capitalised.add(fold(word))
    return frozenset(lowered), frozenset(capitalised)


def _lowered_words(*texts: str) -> set[str]:
    return set().union(*(_word_cases(text)[0] for text in texts))


def _capitalised_words(*texts: str) -> set[str]:
    """Folded words written capitalised other than as a sentence's first word."""
    return set().union(*(_word_cases(text)[1] for text in texts))


def mentions(text: str, *, context: Sequence[str] = ()) -> list[Mention]:
    """Names, numbers and dates of ``text`` (``mentions.v1``), in text order; overlaps resolved for numbers.

    Args:
        text: the text.
        context: other texts whose lower-case words mark a sentence-initial word as common (the source).

    Example:
        >>> [(m.kind, m.text, m.key) for m in mentions("Police said 5,000 people met Angela Merkel in May.")]
        [('number', '5,000', '5000'), ('entity', 'Angela Merkel', 'angela merkel'), ('date', 'May', 'may')]
    """
    numbers = _numbers(text)
    dates = _dates(text)
    taken = [(m.start, m.end) for m in numbers + dates]
    names = [m for m in _names(text, _lowered_words(text, *context), _capitalised_words(text, *context))
             if not any(a < m.end and m.start < b for a, b in taken)]
    return sorted(numbers + dates + names, key=lambda m: (m.start, m.end))


# ---------------------------------------------------------------- support of mentions


@dataclass(frozen=True)
class SourceIndex:
    """What a source offers for mention support: its folded words, number values, dates, glossary entries."""

    words: frozenset[str]
    values: frozenset[str]
    dates: frozenset[str]
    entries: frozenset[str]
    long_words: tuple[str, ...]

    @classmethod
    def build(cls, source: str, glossary: Any = None) -> SourceIndex:
        """Index one source text (``glossary``: a ``toolkit.terminology.Glossary`` or None)."""
        found = mentions(source)
        words = {t.text for t in tokens(fold(source))}
        entries: set[str] = set()
        if glossary is not None:
            entries = _glossary_entries(source, glossary)
            for entry in glossary:
                if entry.id in entries:  # every rendering of an entry the source mentions supports its words
                    for term in (entry.canonical, *entry.variants, *entry.alternatives):
                        words |= {t.text for t in tokens(fold(term))}
        return cls(
            words=frozenset(words),
            values=frozenset(m.key for m in found if m.kind == "number"),
            dates=frozenset(m.key for m in found if m.kind == "date"),
            entries=frozenset(entries),
            long_words=tuple(sorted(w for w in words if len(w) >= 4)),
        )

    def has_word(self, word: str) -> bool:
        """A folded word is in the source, or a 4+ letter source word followed by at most 3 letters.

        Example:
            >>> index = SourceIndex.build("Syria and Obama")
            >>> index.has_word("syrians"), index.has_word("obama"), index.has_word("syr"), index.has_word("syriaxxxx")
            (True, True, False, False)
        """
        if word in self.words:
            return True
        for k in range(max(4, len(word) - 3), len(word)):
            if word[:k] in self.words:
                return True
        return False


@lru_cache(maxsize=256)
def _source_index(source: str, glossary: Any) -> SourceIndex:
    return SourceIndex.build(source, glossary)


def _glossary_entries(text: str, glossary: Any) -> set[str]:
    from toolkit.terminology import align

    found = {m.entry for m in align(text, glossary=glossary)}
    folded = fold(text)
    for entry in glossary:
        if entry.source and entry.source in text:
            found.add(entry.id)
        elif entry.canonical and fold(entry.canonical) in folded:
            found.add(entry.id)
    return found


@dataclass(frozen=True)
class MentionSupport:
    """A summary mention and whether the source supports it.

    Attributes:
        mention: the mention.
        supported: the source supports it.
        missing: the words (names), value or date the source lacks.
        entry: the glossary entry the mention is a term of ("" if none).
    """

    mention: Mention
    supported: bool
    missing: tuple[str, ...] = ()
    entry: str = ""


def mention_support(summary: str, source: str, glossary: Any = None, *,
                    index: SourceIndex | None = None) -> list[MentionSupport]:
    """Each name, number and date of the summary, and whether the source supports it (``mentions.v1``).

    Example:
        >>> rows = mention_support("Merkel met 300 people in Paris.", "Angela Merkel met three hundred people.")
        >>> [(r.mention.text, r.supported, r.missing) for r in rows]
        [('Merkel', True, ()), ('300', True, ()), ('Paris', False, ('paris',))]
    """
    index = index or _source_index(source, glossary)
    terms: list[Any] = []
    if glossary is not None:
        from toolkit.terminology import align

        terms = align(summary, glossary=glossary)
    out = []
    for m in mentions(summary, context=[source]):
        if m.kind == "number":
            ok = m.key in index.values
            out.append(MentionSupport(m, ok, () if ok else (m.key,)))
            continue
        if m.kind == "date":
            ok = m.key in index.dates
            out.append(MentionSupport(m, ok, () if ok else (m.key,)))
            continue
        term = next((t for t in terms if t.start < m.end and m.start < t.end), None)
        if term is not None and term.entry in index.entries:
            out.append(MentionSupport(m, True, (), term.entry))
            continue
        missing = tuple(w for w in m.key.split() if not index.has_word(w))
        out.append(MentionSupport(m, not missing, missing, term.entry if term is not None else ""))
    return out


def entity_support(summary: str, source: str, glossary: Any = None) -> tuple[int, int]:
    """``(supported, total)`` names, numbers and dates of the summary (``mentions.v1``).

    Example:
        >>> entity_support("Merkel met 300 people in Paris on Monday.", "Angela Merkel met three hundred people.")
        (2, 4)
    """
    rows = mention_support(summary, source, glossary)
    return sum(r.supported for r in rows), len(rows)
