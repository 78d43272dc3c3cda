"""``qa.names.v1``: pinyin-like unknown names (:func:`toolkit.terminology.find_suspects`), with the
CC-CEDICT gloss as a suggestion when the romanised headword is also a common word ("Daxing": 大兴
"to go in for something in a big way", as in 大兴调查研究).

Confidence: 0.85 when the source holds the headword and CC-CEDICT has a common-word reading of it (a word
read as a name); 0.6 for such a headword without a source to check; a name whose headword the source
holds only as a proper noun is fine (not reported); other suspects get 0.3 to 0.4 (a real name the
glossary lacks is the usual case). MQM: Accuracy/Mistranslation, Terminology.
"""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.qa.base import Check, DocumentInput, per_segment
from toolkit.qa.records import Evidence, Finding

NAME = "qa.names.v1"


def _common_readings(heads: list[str]) -> list[tuple[str, str]]:
    """``(headword, first gloss)`` of the headwords' common-word (lower-case pinyin) readings."""
    from toolkit.terminology.cedict import load_cedict

    d = load_cedict()
    out = []
    for head in dict.fromkeys(heads):
        for e in d.lookup(head):
            if not e.is_proper and e.definitions:
                out.append((head, e.definitions[0].split(";")[0].strip()))
                break
    return out


def _find(target: str, source: str | None, doc: DocumentInput) -> Iterator[Finding]:
    from toolkit.terminology import Glossary, find_suspects
    from toolkit.terminology.cedict import load_cedict
    from toolkit.terminology.romanize import strip_marks

    glossary = doc.glossary if doc.glossary is not None else Glossary(entries=())
    d = load_cedict()
    for s in find_suspects(target, glossary=glossary):
        plain = strip_marks(s.text).lower().replace("'", "").replace("\u2019", "")
        heads = d.romanized.get(plain, [])
        in_source = [h for h in heads if source is not None and h in source]
        common = _common_readings(in_source if source is not None else heads)
        suggestion = "; ".join(f'{h} "{gloss}"' for h, gloss in common)
        evidence = None
        if source is not None and in_source:
            h = (common[0][0] if common else in_source[0])
            evidence = Evidence(source.index(h), source.index(h) + len(h), h)
        if common and source is not None:
            conf = 0.85
            msg = f"{s.text!r} reads as a name, but the source's {common[0][0]} is here a common word: {suggestion}"
        elif common:
            conf = 0.6
            msg = f"{s.text!r} reads as pinyin for {', '.join(h for h, _ in common)}, which is also a common word: {suggestion}"
        elif in_source:
            continue  # the source has the name: a correct romanisation the glossary lacks
        else:
            conf = 0.4 if heads else 0.3
            msg = f"{s.text!r} {s.reason}"
        yield Finding(NAME, "major", s.start, s.end, s.text, msg, conf, evidence, suggestion)


CHECK = Check(
    name=NAME,
    fn=per_segment(_find),
    level="segment",
    needs_source=False,
    threshold=0.5,
    description="pinyin-like words that match no glossary entry, with the CC-CEDICT common-word gloss",
)
