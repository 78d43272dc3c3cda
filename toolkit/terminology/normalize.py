"""Normalisation (``normalize.v1``): rewrite variants and calques to the canonical term, with an audit log.

Rules: the surface's possessive and its apostrophe style stay (they are outside the match:
"Jinxiang Army’s" -> "Jin Xiangjun’s"); an all-caps surface gives an all-caps term; a plural surface a
plural term; before a person's name the article "the" is dropped ("the Jinxiang Army listened" ->
"Jin Xiangjun listened"). Canonical terms and alternatives are left alone; fuzzy matches are reported,
not rewritten, unless ``rewrite_fuzzy`` is set. Normalising twice changes nothing.
"""

from __future__ import annotations

import re

from toolkit.terminology.fuzzy import FUZZY_THRESHOLD
from toolkit.terminology.index import align, plural_of
from toolkit.terminology.records import Edit, Glossary, Normalization, TermMatch

NORMALIZE_NAME = "normalize.v1"
_ARTICLE = re.compile(r"(?:the|The|THE)\s+$")


def _article_start(text: str, lo: int, start: int) -> int:
    """Start of a "the " right before ``start`` (not before ``lo``), else ``start``."""
    m = _ARTICLE.search(text, max(lo, start - 16), start)
    if m is None:
        return start
    k = m.start()
    if k > 0 and (text[k - 1].isalnum() or text[k - 1] in "'’_"):
        return start
    return k


def _replacement(m: TermMatch, canonical: str) -> str:
    new = canonical
    if m.plural:
        new = plural_of(new) or new
    letters = [c for c in m.text if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        new = new.upper()
    return new


def normalize(
    text: str,
    *,
    glossary: Glossary,
    fuzzy: bool = False,
    rewrite_fuzzy: bool = False,
    calques: bool = True,
    fuzzy_threshold: float = FUZZY_THRESHOLD,
) -> Normalization:
    """Rewrite variants and calques in ``text`` to canonical terms and log every edit.

    Args:
        text: the text to normalise.
        glossary: the glossary.
        fuzzy: look for fuzzy matches too (reported in ``.reported``).
        rewrite_fuzzy: rewrite fuzzy matches as well.
        calques: rewrite calques generated from ``source`` terms.
        fuzzy_threshold: smallest similarity (0-1) of a fuzzy match.

    Returns:
        A :class:`Normalization` with the new text and the edits (offsets in old and new text).

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army", "type": "person"}])
        >>> normalize("Then the Jinxiang Army listened; the Jinxiang Army’s aide too.", glossary=g).text
        'Then Jin Xiangjun listened; Jin Xiangjun’s aide too.'
    """
    matches = align(text, glossary=glossary, fuzzy=fuzzy, calques=calques, fuzzy_threshold=fuzzy_threshold)
    pieces: list[str] = []
    edits: list[Edit] = []
    reported: list[TermMatch] = []
    last = 0
    delta = 0
    for m in matches:
        if m.kind in ("canonical", "alternative"):
            continue
        if m.kind == "fuzzy" and not rewrite_fuzzy:
            reported.append(m)
            continue
        entry = glossary[m.entry]
        new = _replacement(m, entry.canonical)
        start = m.start
        if entry.type == "person":
            start = _article_start(text, last, m.start)
        pieces.append(text[last:start])
        new_start = start + delta
        pieces.append(new)
        edits.append(Edit(start, m.end, new_start, new_start + len(new), text[start:m.end], new, m.entry, m.kind))
        delta += len(new) - (m.end - start)
        last = m.end
    pieces.append(text[last:])
    return Normalization(text="".join(pieces), edits=tuple(edits), original=text, reported=tuple(reported))
