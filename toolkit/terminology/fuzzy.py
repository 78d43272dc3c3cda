"""Fuzzy matching (``fuzzy.v1``) of unknown spellings near a glossary term, with rapidfuzz.

Windows of 1..k words of the text that no exact match covers are compared (``fuzz.ratio`` on the
folded, lower-cased strings) with canonical terms, alternatives, variants (and, when asked, the calques
of the entries' source terms: "Panlin Group" is near the calque "Fanlin Group" of 泛林集团) that have the same number
of words and at least ``min_letters`` letters. A window must start with a capital letter when the term
does. A window whose words are all valid (English words or CC-CEDICT standard names, "Russian") is never a
fuzzy match of another valid term ("Russia"), only of a calque ("China News Network" near the calque
"China New Network" of 中新网); nor is a window that differs from a term only in hyphens, full stops or
spaces ("Agence France-Presse" for "Agence France Presse"). The best-scoring non-overlapping windows at or above the
threshold are reported as ``fuzzy``.
"""

from __future__ import annotations

import re
from typing import Any

from toolkit.terminology.records import Glossary, TermMatch
from toolkit.terminology.textnorm import FoldedText, fold_term

#: Smallest similarity (0-1, rapidfuzz ratio / 100) of a fuzzy match, unless a caller asks for another.
FUZZY_THRESHOLD = 0.88

FUZZY_NAME = "fuzzy.v1"
_TOKEN = re.compile(r"\w+(?:'\w+)*")


def _choices(
    glossary: Glossary, min_letters: int, calques: bool = False
) -> dict[int, tuple[list[str], list[tuple[int, str, str, bool]]]]:
    key = ("fuzzy", min_letters, calques)
    cached = glossary._cache.get(key)
    if cached is not None:
        return cached
    by_len: dict[int, tuple[list[str], list[tuple[int, str, str, bool]]]] = {}
    seen: set[str] = set()
    for i, e in enumerate(glossary.entries):
        terms = [(e.canonical, "canonical")] + [(a, "alternative") for a in e.alternatives] + [(v, "variant") for v in e.variants]
        if calques and e.source:
            from toolkit.terminology.calques import cached_calques, has_han

            if has_han(e.source):
                terms += [(c, "calque") for c in cached_calques(e.source, e.canonical, e.type)]
        for term, kind in terms:
            folded = fold_term(term)
            if folded in seen or sum(c.isalpha() for c in folded) < min_letters:
                continue
            seen.add(folded)
            keys, infos = by_len.setdefault(len(folded.split()), ([], []))
            keys.append(folded)
            infos.append((i, kind, term, term[:1].isupper()))
    glossary._cache[key] = by_len
    return by_len


_TYPO = re.compile(r"[.\s-]+")


def _typographic(text: str) -> str:
    """``text`` with hyphens, full stops and spaces made one space (same words, other typography)."""
    return _TYPO.sub(" ", text).strip()


def _valid_words(window: str) -> bool:
    """True when every word of ``window`` is an English word or a standard name (:mod:`.names`)."""
    from toolkit.terminology.english import is_english
    from toolkit.terminology.names import standard_name

    words = _TOKEN.findall(window)
    return bool(words) and all(is_english(w) or standard_name(w) is not None for w in words)


def fuzzy_matches(
    ft: FoldedText,
    glossary: Glossary,
    exact: list[TermMatch],
    *,
    threshold: float = FUZZY_THRESHOLD,
    min_letters: int = 5,
    calques: bool = False,
) -> list[TermMatch]:
    """Fuzzy matches in the parts of the text that ``exact`` matches do not cover.

    Example:
        >>> from toolkit.terminology.textnorm import fold_text
        >>> g = Glossary.from_records([{"canonical": "Jincheng"}])
        >>> [(m.text, m.kind, round(m.score, 2)) for m in fuzzy_matches(fold_text("In Jinchen today"), g, [])]
        [('Jinchen', 'fuzzy', 0.93)]
    """
    from rapidfuzz import fuzz, process

    by_len = _choices(glossary, min_letters, calques)
    if not by_len:
        return []
    covered = [(m.start, m.end) for m in exact]
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(ft.lower)]
    low = ft.lower
    folded = ft.folded
    found: list[tuple[float, int, int, int, Any]] = []
    for ti, (s, _) in enumerate(tokens):
        for n_words, (keys, infos) in by_len.items():
            if ti + n_words > len(tokens):
                continue
            e = tokens[ti + n_words - 1][1]
            os_, oe = ft.to_original(s), ft.to_original(e, end=True)
            if any(os_ < ce and oe > cs for cs, ce in covered):
                continue
            window = low[s:e]
            best = process.extractOne(window, keys, scorer=fuzz.ratio, score_cutoff=threshold * 100)
            if best is None:
                continue
            _, score, idx = best
            if keys[idx] == window:
                continue  # an exact spelling that was not matched (boundary rules): not fuzzy
            if _typographic(window) == _typographic(keys[idx]):
                continue  # "France-Presse" for "France Presse", "St. Paul" for "St Paul": the same spelling
            if infos[idx][1] != "calque" and _valid_words(window):
                continue  # two valid spellings ("Russian" / "Russia", "St. Paul" / "St Paul") are not one misspelt
            info = infos[idx]
            if info[3] and not folded[s:s + 1].isupper():
                continue
            found.append((score / 100.0, e - s, os_, oe, info))
    found.sort(key=lambda f: (-f[0], -f[1], f[2]))
    chosen: list[TermMatch] = []
    entries = glossary.entries
    for score, _, os_, oe, (entry_index, kind, term, _cap) in found:
        if any(os_ < m.end and oe > m.start for m in chosen):
            continue
        entry = entries[entry_index]
        chosen.append(
            TermMatch(os_, oe, ft.original[os_:oe], entry.canonical, entry.id, "fuzzy", round(score, 4), term)
        )
    return sorted(chosen, key=lambda m: m.start)
