"""``qa.names.v1``: bad renderings of names, from :func:`toolkit.terminology.find_suspects` (untranslated
pinyin, names cut into syllables), with the CC-CEDICT gloss as a suggestion when the romanised headword is
also a common word ("Daxing": 大兴 "to go in for something in a big way", as in 大兴调查研究).

The suspects' own confidences are kept (see :mod:`toolkit.terminology.suspects`), except that a token whose
headword CC-CEDICT also lists as a common word gets 0.9 when the source holds that headword (a word read
as a name) and 0.8 without a source to check. The default threshold 0.75 keeps those, CC-CEDICT
romanisations and split names, and drops plain pinyin-like tokens (0.7: on the WMT23 dev data 6 of their
10 flags were on marked spans, "Agence" among the misses) and pinyin names the source spells (0.4).
MQM: Accuracy/Mistranslation, Terminology.
"""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.qa.base import DocumentInput, segment_check
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
    from toolkit.terminology import find_suspects
    from toolkit.terminology.cedict import load_cedict
    from toolkit.terminology.romanize import strip_marks

    d = load_cedict()
    if not doc.source_lang.startswith("zh"):
        source = None  # an English source (a summary's document) says nothing about Chinese headwords
    for s in find_suspects(target, glossary=doc.glossary, source=source, threshold=0.0):
        confidence, suggestion, message, evidence = s.confidence, s.suggestion, f"{s.text!r} {s.reason}", None
        if s.check == "pinyin":
            plain = strip_marks(s.text).lower().replace("'", "").replace("\u2019", "")
            heads = d.romanized.get(plain, [])
            in_source = [h for h in heads if source is not None and h in source]
            common = _common_readings(in_source if source is not None else heads)
            if common:
                head = common[0][0]
                suggestion = "; ".join(f'{h} "{gloss}"' for h, gloss in common)
                if source is not None:
                    confidence = max(confidence, 0.9)
                    message = f"{s.text!r} reads as a name, but the source's {head} is here a common word: {suggestion}"
                    evidence = Evidence(source.index(head), source.index(head) + len(head), head)
                else:
                    confidence = max(confidence, 0.8)
                    message = f"{s.text!r} reads as pinyin for {head}, which is also a common word: {suggestion}"
        yield Finding(NAME, "major", s.start, s.end, s.text, message, confidence, evidence, suggestion)


CHECK = segment_check(NAME, _find, threshold=0.75,
                      description="pinyin-like names and names cut into syllables (find_suspects), with the CC-CEDICT common-word gloss")
