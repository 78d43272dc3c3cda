"""Suspect romanisations (``suspects.v1``): capitalised tokens that read as pinyin (two or more
syllables) but match no glossary entry, such as "Daxing" in "Daxing investigation and research"
(大兴调查研究, "vigorously carry out investigation"). They are findings for a person to review.

A token is left out when a glossary match covers it, when it is a word of a glossary term, or when it
is an English word (a word CC-CEDICT's glosses use in lower case, or a capitalised gloss word that is
not itself a romanisation, e.g. "China"). Known romanisations name their CC-CEDICT headwords.
"""

from __future__ import annotations

import re

from toolkit.terminology.index import align
from toolkit.terminology.records import Glossary, Suspect
from toolkit.terminology.romanize import split_syllables, strip_marks
from toolkit.terminology.textnorm import fold_term, fold_text

SUSPECTS_NAME = "suspects.v1"
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def _glossary_words(glossary: Glossary) -> set[str]:
    cached = glossary._cache.get("suspects:words")
    if cached is None:
        cached = set()
        for e in glossary.entries:
            for term in (e.canonical, *e.variants, *e.alternatives):
                for w in fold_term(term).replace("-", " ").split():
                    cached.add(strip_marks(w).replace("'", ""))
        glossary._cache["suspects:words"] = cached
    return cached


def find_suspects(text: str, *, glossary: Glossary) -> list[Suspect]:
    """Tokens of ``text`` that look like untranslated pinyin and match no glossary entry.

    Args:
        text: English text.
        glossary: the glossary whose terms (and calques) are known.

    Returns:
        Suspects in text order, each with a reason naming its pinyin syllables.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "source": "金湘军", "type": "person"}])
        >>> [(s.text, s.start) for s in find_suspects("Daxing research by Jin Xiangjun", glossary=g)]
        [('Daxing', 0)]
    """
    from toolkit.terminology.cedict import load_cedict

    d = load_cedict()
    covered = [(m.start, m.end) for m in align(text, glossary=glossary)]
    known = _glossary_words(glossary)
    ft = fold_text(text)
    out: list[Suspect] = []
    for m in _TOKEN.finditer(ft.folded):
        token = m.group()
        if not token[0].isupper() or (len(token) > 1 and token.isupper()):
            continue
        start, end = ft.to_original(m.start()), ft.to_original(m.end(), end=True)
        if any(start < ce and end > cs for cs, ce in covered):
            continue
        plain = strip_marks(token).lower().replace("'", "")
        if not plain.isascii() or plain in d.english or plain in known:
            continue
        syllables = split_syllables(plain, d.syllables)
        if not syllables or len(syllables) < 2:
            continue
        reason = f"reads as pinyin ({' '.join(syllables)}) but matches no glossary entry"
        heads = d.romanized.get(plain)
        if heads:
            reason += f"; CC-CEDICT has {', '.join(dict.fromkeys(heads[:3]))}"
        out.append(Suspect(start, end, text[start:end], reason))
    return out
