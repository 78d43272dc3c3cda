"""Term index and alignment (``align.v1``): one Aho-Corasick automaton over folded glossary terms.

The automaton is ahocorasick-rs (Rust; all overlapping hits of a text in one call).

Matching rules:
- texts and terms are folded alike (:mod:`.textnorm`): NFKC, quotes/apostrophes/dashes, whitespace runs
  (line breaks included), case (unless the entry is case-sensitive);
- a match must sit on word boundaries (Unicode letters/digits, not ASCII only); an apostrophe between
  letters is inside a word (``Lu'an``, ``O'Brien``) except for a possessive ``'s``;
- possessives (``'s``, ``’s``, ``s'``) follow the match and are reported; regular plurals of non-person
  terms are extra keys of the automaton;
- among overlapping candidates the longest wins (then the leftmost, then canonical > alternative >
  variant > calque), except that a wrong rendering (variant, calque) that partly overlaps a correct
  term (canonical, alternative) without containing it loses to it: "Xiangjun Jin Xiangjun" keeps its
  canonical "Jin Xiangjun", so that normalising twice changes nothing; the result is a set of
  non-overlapping matches in text order;
- offsets are characters of the original text, end exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from toolkit.terminology.fuzzy import FUZZY_THRESHOLD
from toolkit.terminology.records import Glossary, GlossaryEntry, TermMatch
from toolkit.terminology.textnorm import FoldedText, fold_term, fold_term_cased, fold_text, is_unspaced

#: Versioned name of the matcher (part of signatures).
ALIGN_NAME = "align.v1"
_RANK = {"canonical": 0, "alternative": 1, "variant": 2, "calque": 3, "fuzzy": 4, "source": 5}

# A key's value: (length, needs_left_boundary, needs_right_boundary, infos, plural_suffix) where infos
# is a tuple of (entry_index, kind, term, plural, cased_form_or_None, canonical, entry_id), best first, and plural_suffix the
# "s"/"es" that may follow the key as a regular plural ("" when none may).
KeyInfo = tuple[int, str, str, bool, "str | None", str, str]


def plural_of(term: str) -> str | None:
    """The regular English plural of a term's last word, or None when it has none.

    Example:
        >>> plural_of("Development Zone"), plural_of("Army"), plural_of("Branch"), plural_of("Day")
        ('Development Zones', 'Armies', 'Branches', 'Days')
    """
    last = term.rsplit(" ", 1)[-1]
    if len(last) < 3 or not last.isalpha() or not last[-1].islower():
        return None
    if last.endswith(("s", "x", "z", "ch", "sh")):
        return term + "es"
    if last.endswith("y") and last[-2] not in "aeiou":
        return term[:-1] + "ies"
    return term + "s"


_ACRONYM = re.compile(r"^[A-Z]{2,6}s?$")


def is_acronym(term: str) -> bool:
    """An all-capitals term of 2-6 letters (an optional plural ``s``): ``WHO``, ``ICUs``.

    Example:
        >>> is_acronym("WHO"), is_acronym("Who"), is_acronym("COVID-19")
        (True, False, False)
    """
    return _ACRONYM.match(term) is not None


def inflections_of(term: str) -> list[str]:
    """English inflections of a term's last word: plural or 3rd person ``-s``, ``-ed``, ``-ing``.

    Example:
        >>> inflections_of("hospitalize")
        ['hospitalizes', 'hospitalized', 'hospitalizing']
        >>> inflections_of("test kit"), inflections_of("quarantine")[1:]
        (['test kits', 'test kited', 'test kiting', 'test kitted', 'test kitting'], ['quarantined', 'quarantining'])
    """
    head, _, last = term.rpartition(" ")
    prefix = f"{head} " if head else ""
    if len(last) < 3 or not last.isalpha() or not last.islower():
        return []
    vowels = "aeiou"
    if last.endswith(("s", "x", "z", "ch", "sh")):
        forms = [last + "es", last + "ed", last + "ing"]
    elif last.endswith("y") and last[-2] not in vowels:
        forms = [last[:-1] + "ies", last[:-1] + "ied", last + "ing"]
    elif last.endswith("e"):
        forms = [last + "s", last + "d", (last if last.endswith("ee") else last[:-1]) + "ing"]
    else:
        forms = [last + "s", last + "ed", last + "ing"]
        if last[-1] not in vowels + "wxy" and last[-2] in vowels and last[-3] not in vowels:
            forms += [last + last[-1] + "ed", last + last[-1] + "ing"]  # stop -> stopped
    return [prefix + f for f in forms]


def _needs_boundary(ch: str) -> bool:
    return (ch.isalnum() or ch == "_") and not is_unspaced(ch)


@dataclass
class TermIndex:
    """The compiled automaton of one glossary (built once, cached on the glossary)."""

    keys: list[str]
    values: list[tuple[int, bool, bool, tuple[KeyInfo, ...], str]]
    _automaton: Any = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        glossary: Glossary,
        *,
        calques: bool = True,
        plurals: bool = True,
        sources_only: bool = False,
        inflections: bool = False,
    ) -> TermIndex:
        """Compile the automaton (calques need CC-CEDICT: about 2 s the first time).

        With ``sources_only``, the keys are the entries' source terms; ``inflections`` adds their English
        inflected forms (:func:`inflections_of`) and makes acronym source terms ("WHO") case-sensitive.
        """
        keys: dict[str, list[KeyInfo]] = {}
        suffixes: dict[str, str] = {}
        no_plural: set[str] = set()

        def add(entry_index: int, entry: GlossaryEntry, term: str, kind: str, base: str | None = None,
                cased_always: bool = False) -> None:
            key = fold_term(term)
            if not key:
                return
            cased = fold_term_cased(term) if entry.case_sensitive or cased_always else None
            infos = keys.setdefault(key, [])
            info = (entry_index, kind, base or term, base is not None, cased, entry.canonical, entry.id)
            if all(i[0] != entry_index or i[1] != kind for i in infos):
                infos.append(info)

        for i, entry in enumerate(glossary.entries):
            if sources_only:
                if entry.source:
                    acronym = inflections and is_acronym(entry.source)
                    add(i, entry, entry.source, "source", cased_always=acronym)
                    if inflections and not acronym:
                        for form in inflections_of(entry.source):
                            add(i, entry, form, "source", base=entry.source)
                continue
            terms: list[tuple[str, str]] = [(entry.canonical, "canonical")]
            terms += [(a, "alternative") for a in entry.alternatives]
            terms += [(v, "variant") for v in entry.variants]
            if calques and entry.source:
                from toolkit.terminology.calques import cached_calques, has_han

                if has_han(entry.source):
                    terms += [(c, "calque") for c in cached_calques(entry.source, entry.canonical, entry.type)]
            for term, kind in terms:
                add(i, entry, term, kind)
            if plurals:
                for term, kind in terms:
                    plural = plural_of(term) if entry.type != "person" else None
                    if plural is None:
                        no_plural.add(fold_term(term))
                    elif plural.startswith(term):  # -s / -es: checked after the key, no extra key
                        suffixes[fold_term(term)] = plural[len(term):].lower()
                    else:  # -y -> -ies needs a key of its own
                        add(i, entry, plural, kind, base=term)
        key_list = list(keys)
        values = []
        for key in key_list:
            ranked = tuple(sorted(keys[key], key=lambda x: (x[3], _RANK[x[1]])))  # exact forms before plurals
            suffix = "" if key in no_plural else suffixes.get(key, "")
            values.append((len(key), _needs_boundary(key[0]), _needs_boundary(key[-1]), ranked, suffix))
        index = cls(key_list, values)
        index._str_automaton()  # built now, so that index memory and build time are paid here
        return index

    def _str_automaton(self) -> Any:
        """The automaton over the folded keys (ahocorasick-rs)."""
        if self._automaton is None and self.keys:
            import ahocorasick_rs

            self._automaton = ahocorasick_rs.AhoCorasick(self.keys)
            self.keys = []  # the automaton holds them now
        return self._automaton

    def _hits(self, low: str) -> Any:
        """(key index, start, end) of every overlapping occurrence of a key in ``low``."""
        automaton = self._str_automaton()
        if automaton is None:
            return ()
        return automaton.find_matches_as_indexes(low, overlapping=True)

    def candidates(self, ft: FoldedText) -> list[tuple[int, int, KeyInfo]]:
        """Every boundary-respecting occurrence of a key: ``(start, end, info)`` in folded offsets."""
        return self.scan(ft)[0]

    def occurrences(self, ft: FoldedText) -> list[tuple[int, int, tuple[KeyInfo, ...]]]:
        """Every boundary-respecting occurrence of a key with *all* its infos (every entry that lists it).

        Overlapping occurrences are all kept ("nouveau coronavirus" and "coronavirus" inside it).
        """
        return self.scan(ft, every=True)[0]  # type: ignore[return-value]

    def scan(self, ft: FoldedText, *, every: bool = False) -> tuple[list[tuple[int, int, Any]], bool]:
        """Like :meth:`candidates`, and whether any two candidates overlap (else they are in text order).

        With ``every``, each candidate carries the tuple of all its infos instead of the best one.
        """
        low = ft.lower
        folded = ft.folded
        n = len(low)
        out: list[tuple[int, int, KeyInfo]] = []
        append = out.append
        last_end = -1
        overlaps = False
        values = self.values
        for k, s, e in self._hits(low):
            _length, left, right, infos, suffix = values[k]
            if left and s > 0:
                c = low[s - 1]
                if (c.isalnum() or c == "_") and (c < "\u2e80" or not is_unspaced(c)):
                    continue
                if c == "'" and s > 1 and low[s - 2].isalnum():
                    continue  # O'Brien: the apostrophe is inside a word
            base_end = e
            if right and e < n:
                c = low[e]
                if (c.isalnum() or c == "_") and (c < "\u2e80" or not is_unspaced(c)):
                    # a regular plural (-s, -es) of the term?
                    if not suffix or not low.startswith(suffix, e):
                        continue
                    e += len(suffix)
                    if e < n and ((low[e].isalnum() or low[e] == "_") and (low[e] < "\u2e80" or not is_unspaced(low[e]))):
                        continue
                    infos = tuple((i[0], i[1], i[2], True, i[4], i[5], i[6]) for i in infos)
                if e < n and low[e] == "'" and e + 1 < n and low[e + 1].isalnum():
                    if not (low[e + 1] == "s" and (e + 2 == n or not low[e + 2].isalnum())):
                        continue  # Lu'an: not a possessive
            info = infos[0]
            if info[4] is not None or (every and any(i[4] is not None for i in infos)):
                # case-sensitive entries compare the cased text
                kept = [i for i in infos if i[4] is None or folded[s:base_end] == i[4]]
                if not kept:
                    continue
                info = kept[0]
                if every:
                    infos = tuple(kept)
            if every:
                info = infos
            if s < last_end:
                overlaps = True
            last_end = e
            append((s, e, info))
        return out, overlaps


_START = itemgetter(0)


def resolve(cands: Iterable[tuple[int, int, KeyInfo]]) -> list[tuple[int, int, KeyInfo]]:
    """Keep non-overlapping candidates: longest first, then leftmost, then by kind rank.

    Example:
        >>> a = (0, 8, (0, "canonical", "Jincheng", False, None))
        >>> b = (0, 30, (1, "canonical", "Jincheng Iron and Steel Group", False, None))
        >>> [c[1] for c in resolve([a, b])]
        [30]
    """
    ordered = sorted(cands, key=_START)  # stable; clusters below take the max end, so ties need no order
    if all(ordered[k][1] <= ordered[k + 1][0] for k in range(len(ordered) - 1)):
        return ordered  # the common case: nothing overlaps
    result: list[tuple[int, int, KeyInfo]] = []
    i = 0
    total = len(ordered)
    while i < total:
        j = i
        cluster_end = ordered[i][1]
        while j + 1 < total and ordered[j + 1][0] < cluster_end:
            j += 1
            cluster_end = max(cluster_end, ordered[j][1])
        if j == i:
            result.append(ordered[i])
        else:
            cluster = sorted(ordered[i : j + 1], key=lambda c: (c[0] - c[1], c[0], c[2][3], _RANK[c[2][1]]))
            correct = [c for c in cluster if c[2][1] in ("canonical", "alternative")]
            chosen: list[tuple[int, int, KeyInfo]] = []
            for c in cluster:
                if not all(c[1] <= k[0] or c[0] >= k[1] for k in chosen):
                    continue
                if c[2][1] not in ("canonical", "alternative") and any(
                    k[0] < c[1] and c[0] < k[1] and not (c[0] <= k[0] and k[1] <= c[1]) for k in correct
                ):
                    continue  # a wrong rendering never cuts into a correct term (keeps normalisation idempotent)
                chosen.append(c)
            result.extend(sorted(chosen, key=lambda c: c[0]))
        i = j + 1
    return result


def get_index(glossary: Glossary, *, calques: bool = True) -> TermIndex:
    """The glossary's index, built on first use and cached on the glossary object."""
    key = ("index", calques)
    index = glossary._cache.get(key)
    if index is None:
        index = TermIndex.build(glossary, calques=calques)
        glossary._cache[key] = index
    return index


def get_source_index(glossary: Glossary, *, inflections: bool = False) -> TermIndex:
    """An index of the entries' source-language terms (for term accuracy against a source text).

    ``inflections``: also their English inflected forms, and acronyms case-sensitive (see :meth:`TermIndex.build`).
    """
    key = ("index:sources", inflections)
    index = glossary._cache.get(key)
    if index is None:
        index = TermIndex.build(glossary, calques=False, plurals=False, sources_only=True, inflections=inflections)
        glossary._cache[key] = index
    return index


def _possessive(ft: FoldedText, e: int, surface_lower: str) -> str:
    low = ft.lower
    n = len(low)
    if low.startswith("'s", e) and (e + 2 == n or not low[e + 2].isalnum()):
        return ft.original[ft.to_original(e) : ft.to_original(e + 2, end=True)]
    if e < n and low[e] == "'" and surface_lower.endswith("s") and (e + 1 == n or not low[e + 1].isalnum()):
        return ft.original[ft.to_original(e) : ft.to_original(e + 1, end=True)]
    return ""


_new = object.__new__


def to_matches(ft: FoldedText, chosen: list[tuple[int, int, KeyInfo]]) -> list[TermMatch]:
    """Turn resolved candidates (folded offsets) into :class:`TermMatch` records (original offsets)."""
    original = ft.original
    low = ft.lower
    n = len(low)
    identity = not ft._regions
    to_original = ft.to_original
    out = []
    for s, e, (_index, kind, term, plural, _cased, canonical, entry_id) in chosen:
        if identity:
            start, end = s, e
        else:
            start, end = to_original(s), to_original(e, end=True)
        possessive = ""
        if e < n and low[e] == "'":
            possessive = _possessive(ft, e, low[s:e])
        # Frozen-dataclass __init__ costs ~3 us a record; filling __dict__ directly gives the same object.
        match = _new(TermMatch)
        match.__dict__.update({
            "start": start, "end": end, "text": original[start:end], "canonical": canonical,
            "entry": entry_id, "kind": kind, "score": 1.0, "term": term, "possessive": possessive, "plural": plural,
        })
        out.append(match)
    return out


def align(
    text: str,
    *,
    glossary: Glossary,
    fuzzy: bool = False,
    calques: bool = True,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
    fuzzy_min_letters: int = 5,
) -> list[TermMatch]:
    """Find every glossary term (canonical, alternative, variant, calque; fuzzy if asked) in ``text``.

    Args:
        text: English (or any) text.
        glossary: the glossary; its index is built on first use and cached.
        fuzzy: also report unknown spellings close to a term (rapidfuzz), as kind ``fuzzy``.
        calques: match renderings generated from the entries' ``source`` terms, as kind ``calque``.
        fuzzy_threshold: smallest similarity (0-1) of a fuzzy match.
        fuzzy_min_letters: terms with fewer letters are never fuzzy-matched.

    Returns:
        Non-overlapping matches in text order; offsets index the original ``text``.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "type": "person"}])
        >>> [(m.start, m.end, m.text, m.kind) for m in align("The Jinxiang  Army’s visit.", glossary=g)]
        [(4, 18, 'Jinxiang  Army', 'variant')]
    """
    ft = fold_text(text)
    index = get_index(glossary, calques=calques)
    cands, overlaps = index.scan(ft)
    chosen = resolve(cands) if overlaps else cands
    matches = to_matches(ft, chosen)
    if fuzzy:
        from toolkit.terminology.fuzzy import fuzzy_matches

        extra = fuzzy_matches(
            ft, glossary, matches, threshold=fuzzy_threshold, min_letters=fuzzy_min_letters, calques=calques
        )
        matches = sorted(matches + extra, key=lambda m: m.start)
    return matches
