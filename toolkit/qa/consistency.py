"""``qa.consistency.v1``: one source term, one rendering within a document (MQM's rule: the first rendering
is the document's choice, later different renderings are flagged).

The terms are the glossary's entries and, when sources are given, the proper nouns CC-CEDICT lists that
occur in the document's sources (美国: "United States", "USA", "US"; upper-case abbreviations also match
with dots, "U.S."; an adjective CC-CEDICT gives for the place's people is not a rendering: 法国 "France",
not "French"). Renderings are found with the alignment engine (:func:`toolkit.terminology.align`);
with sources, a rendering counts only in segments whose source holds the term. Two renderings are the same
when they fold alike (case, quotes, a plural or possessive aside); a glossary entry's canonical term and its
alternatives count as one (accepted) rendering, so only a switch to or from a wrong one is flagged. MQM: Fluency/Inconsistency,
Terminology/Inconsistent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from toolkit.qa.base import DocumentInput, document_check
from toolkit.qa.records import Evidence, Finding

if TYPE_CHECKING:
    from toolkit.terminology.records import Glossary

NAME = "qa.consistency.v1"

_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")
_PAREN = re.compile(r"\s*\([^)]*\)")
_GLOSS_WORD = re.compile(r"[A-Z][\w'.\-]*|of|the|and|for|de|du|la|von|van")


def _clean_glosses(definitions: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for d in definitions:
        g = _PAREN.sub("", d).strip()
        words = g.split()
        if not words or len(words) > 4 or any(c.isdigit() or c in ",;:[]|" for c in g) or not words[-1][0].isupper():
            continue
        if all(_GLOSS_WORD.fullmatch(w) for w in words):
            out.append(g)
            if len(g) in (2, 3) and g.isalpha() and g.isupper():
                out.append(".".join(g) + ".")
    return list(dict.fromkeys(out))


def _demonyms(d: object, head: str) -> set[str]:
    """Adjectives CC-CEDICT gives for the people of a place (法国人 "French person" -> {"french"})."""
    out = set()
    for e in d.lookup(head + "人"):  # type: ignore[attr-defined]
        for gloss in e.definitions:
            for m in re.finditer(r"([A-Z][a-z]+) (?:person|people)", gloss):
                out.add(m.group(1).lower())
    return out


def _source_terms(sources: tuple[str, ...]) -> dict[str, list[str]]:
    """CC-CEDICT proper nouns in the sources (longest match first) with two or more clean renderings."""
    from toolkit.terminology.cedict import load_cedict

    d = load_cedict()
    found: dict[str, list[str]] = {}
    for text in sources:
        for run in _HAN.finditer(text):
            s, i = run.group(), 0
            while i < len(s):
                for j in range(min(len(s), i + d.max_word_len), i + 1, -1):
                    entries = [e for e in d.lookup(s[i:j]) if e.is_proper]
                    if entries:
                        if s[i:j] not in found:
                            adjectives = _demonyms(d, s[i:j])  # 法国 "France; French": "French" is not a rendering
                            glosses = _clean_glosses(tuple(g for e in entries for g in e.definitions))
                            found[s[i:j]] = [g for g in glosses if g.lower() not in adjectives]
                        i = j
                        break
                else:
                    i += 1
    return {k: v for k, v in found.items() if len(v) >= 2}


def _cedict_glossary(terms: dict[str, list[str]]) -> Glossary | None:
    from toolkit.terminology import Glossary

    seen: set[str] = set()
    records = []
    for head, glosses in terms.items():
        keep = [g for g in glosses if g.lower() not in seen]
        if len(keep) < 2:
            continue
        seen.update(g.lower() for g in keep)
        records.append({"id": head, "canonical": keep[0], "alternatives": "|".join(keep[1:]), "source": head,
                        "type": "other", "case_sensitive": "yes"})
    return Glossary.from_records(records) if records else None


def _renderings(doc: DocumentInput, glossary: Glossary, *, calques: bool, accepted: bool) -> Iterator[tuple[int, Finding]]:
    from toolkit.terminology import align
    from toolkit.terminology.textnorm import fold_term

    first: dict[str, tuple[str, str, int]] = {}
    for i, target in enumerate(doc.targets):
        source = None if doc.sources is None else doc.sources[i]
        for m in align(target, glossary=glossary, calques=calques):
            entry = glossary[m.entry]
            if source is not None and entry.source and entry.source not in source:
                continue
            # a glossary's canonical term and alternatives are one accepted rendering; other renderings differ
            key = "" if accepted and m.kind in ("canonical", "alternative") else fold_term(m.term or m.text)
            if m.entry not in first:
                first[m.entry] = (key, m.text, i)
                continue
            chosen_key, chosen_text, where = first[m.entry]
            if key == chosen_key:
                continue
            label = entry.source or entry.canonical
            evidence = None
            if source is not None and entry.source:
                pos = source.index(entry.source)
                evidence = Evidence(pos, pos + len(entry.source), entry.source)
            yield i, Finding(
                NAME, "minor", m.start, m.end, m.text,
                f"{m.text!r} for {label}, first rendered {chosen_text!r} "
                + (f"(segment {where + 1} of the document)" if len(doc.targets) > 1 else "earlier in the document"),
                0.8, evidence, chosen_text,
            )


def _find(doc: DocumentInput) -> Iterator[tuple[int, Finding]]:
    found: list[tuple[int, Finding]] = []
    if doc.glossary is not None and len(doc.glossary):
        found.extend(_renderings(doc, doc.glossary, calques=True, accepted=True))
    if doc.sources is not None:
        glossary = _cedict_glossary(_source_terms(doc.sources))
        if glossary is not None:
            taken = {(i, f.start) for i, f in found}
            found.extend(x for x in _renderings(doc, glossary, calques=False, accepted=False) if (x[0], x[1].start) not in taken)
    yield from sorted(found, key=lambda x: (x[0], x[1].start))


CHECK = document_check(NAME, _find, threshold=0.5,
                       description="a glossary or CC-CEDICT name rendered differently later in the same document")
