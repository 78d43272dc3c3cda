"""The shared tasks' term-accuracy measures, reproduced from their official scorers.

``wmt21.v1``: the WMT21 terminology task's exact-match accuracy (``evaluate_term_wmt.py`` of
github.com/mahfuzibnalam/terminology_evaluation, commit 040906f, function ``compare_EXACT``). Terms come
from inline annotations ``<term id=... type=... src=... tgt="a|b"> surface </term>``, one per annotated
instance; those of the reference when it is annotated (the official way: its surface form is then accepted
too), else those of the source (with a plain reference, its inflected form of a term, found by
:func:`reference_surface`, is accepted instead). The hypothesis is whitespace-tokenised and padded with spaces; a term is
correct when one of its alternatives occurs as whole tokens, case-sensitively, at a position that no
earlier term of the segment took (each alternative found takes one position). The official lemma tier
(Stanza lemmas of hypothesis and terms) cannot run offline: only the exact tier is computed here, and
signatures say ``tier:exact``. Alternatives are literal strings (the official script reads them as regular
expressions; they differ only for an alternative with ``( ) . * + ?``, none in the dev data).

Note: the official script without Stanza counts every term as correct (its ``else`` branch); its exact tier
is what it prints with Stanza lemmas equal to the tokens, which is how our golden values were made.

``wmt25.v1``: the WMT25 terminology track 2 term success rate (``ranking/metric_track2/evaluate_track2.py``
of github.com/wmt-conference/wmt25-terminology, commit 3ac137d): for each (source term, target
alternatives) of the dictionary whose source term occurs in the source and one of whose alternatives
occurs in the reference (lower-cased substring tests), the number of occurrences of the alternatives in
the hypothesis over the occurrences of the source term in the source, capped at 1; the corpus value is the
mean over those terms (micro: every valid term of every segment counts once). Nested terms are all kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.errors import InputError

WMT21_NAME = "wmt21.v1"
WMT25_NAME = "wmt25.v1"
_TERM = re.compile(r"<term\b([^>]*)>(.*?)</term>", re.S)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class AnnotatedTerm:
    """One annotated term instance: its id, type, source term, target alternatives and surface form."""

    id: str
    type: str
    src: str
    tgt: str
    surface: str

    @property
    def alternatives(self) -> tuple[str, ...]:
        """The ``tgt`` alternatives (``|``-separated), in order."""
        return tuple(self.tgt.split("|"))


def has_annotations(text: str) -> bool:
    """True when ``text`` holds WMT21 inline term markup.

    Example:
        >>> has_annotations('a <term id="1" type="t" src="flu" tgt="grippe"> flu </term>'), has_annotations("a flu")
        (True, False)
    """
    return "<term" in text and _TERM.search(text) is not None


def parse_annotations(text: str) -> tuple[str, tuple[AnnotatedTerm, ...]]:
    """Split an annotated segment into its plain text and its term instances (in text order).

    Attribute values (double- or single-quoted) are unescaped as HTML (``&amp;``); nothing else is expanded.

    Raises:
        InputError: a ``<term>`` has no ``tgt`` attribute.

    Example:
        >>> plain, terms = parse_annotations('a <term id="7" type="src_original_and_tgt_original" src="flu" '
        ...                                  'tgt="grippe|influenza"> flu </term> case')
        >>> plain, terms[0].src, terms[0].alternatives, terms[0].surface
        ('a flu case', 'flu', ('grippe', 'influenza'), 'flu')
    """
    terms = []
    for m in _TERM.finditer(text):
        attrs = {k: html.unescape(dq or sq) for k, dq, sq in _ATTR.findall(m.group(1))}
        if "tgt" not in attrs:
            raise InputError(f"term annotation {m.group()[:80]!r} has no tgt attribute (the target alternatives, "
                             "tgt=\"a|b\"); add it or remove the markup")
        terms.append(AnnotatedTerm(attrs.get("id", ""), attrs.get("type", ""), attrs.get("src", ""),
                                   attrs.get("tgt", ""), html.unescape(m.group(2)).strip()))
    plain = html.unescape(_TERM.sub(lambda m: m.group(2), text))
    return " ".join(plain.split()), tuple(terms)


def _positions(padded: str, alternative: str) -> list[int]:
    needle = f" {alternative} "
    out = []
    i = padded.find(needle)
    while i >= 0:
        out.append(i)
        i = padded.find(needle, i + 1)
    return out


def _near(a: str, b: str) -> bool:
    """Two tokens that differ only in an ending of at most 3 letters (``respiratoire``/``respiratoires``)."""
    k = 0
    for x, y in zip(a, b):
        if x != y:
            break
        k += 1
    return k >= min(4, len(a), len(b)) and max(len(a), len(b)) - k <= 3


def reference_surface(reference: str, alternatives: Sequence[str]) -> str:
    """The reference's inflected form of a term (no annotations needed), or ``""``.

    A run of reference tokens, as many as an alternative has, each differing from the alternative's token
    only in its ending (3 letters at most; the first 4, or the whole shorter token, shared): "kits de test" for "kit de test".

    Example:
        >>> reference_surface("des kits de test rapides", ["kit de test"]), reference_surface("un kit de test", ["kit de test"])
        ('kits de test', '')
    """
    tokens = reference.split()
    for alternative in alternatives:
        parts = alternative.split()
        if not parts:
            continue
        for i in range(len(tokens) - len(parts) + 1):
            window = tokens[i:i + len(parts)]
            if window == parts:
                return ""  # the alternative itself is there
        for i in range(len(tokens) - len(parts) + 1):
            window = tokens[i:i + len(parts)]
            if all(w == p or _near(w, p) for w, p in zip(window, parts)):
                return " ".join(window)
    return ""


def wmt21_exact(prediction: str, *, source: str, reference: str | None = None) -> tuple[int, int]:
    """WMT21 exact-match counts of one segment: ``(correct, annotated terms)``.

    Args:
        prediction: the output (tokenised as the references are, e.g. Moses-tokenised French).
        source: the annotated source segment.
        reference: the reference; when annotated, its terms (and surface forms) are used, as officially;
            when plain, the surface form :func:`reference_surface` finds in it is accepted too.

    Example:
        >>> src = ('the <term id="1" type="t" src="flu" tgt="grippe"> flu </term> and '
        ...        '<term id="2" type="t" src="influenza" tgt="grippe"> influenza </term>')
        >>> wmt21_exact("la grippe et la grippe", source=src), wmt21_exact("la grippe", source=src)
        ((2, 2), (1, 2))
    """
    terms: tuple[AnnotatedTerm, ...] = ()
    from_reference = reference is not None and has_annotations(reference)
    if from_reference:
        terms = parse_annotations(reference)[1]  # type: ignore[arg-type]
    else:
        terms = parse_annotations(source)[1]
    padded = " " + " ".join(prediction.split()) + " "
    taken: set[int] = set()
    correct = 0
    for term in terms:
        tgt = term.tgt
        surface = term.surface if from_reference else reference_surface(reference or "", term.alternatives)
        if surface and surface not in tgt:
            tgt = f"{tgt}|{surface}"  # the reference's own surface form is accepted too
        found = False
        for alternative in tgt.split("|"):
            for position in _positions(padded, alternative):
                if position not in taken:
                    taken.add(position)
                    found = True
                    break
        correct += found
    return correct, len(terms)


def wmt25_success(
    prediction: str,
    *,
    source: str,
    reference: str,
    terms: Sequence[tuple[str, Sequence[str]]],
) -> tuple[float, int]:
    """WMT25 track-2 success of one segment: ``(sum of capped ratios, valid terms)``.

    Args:
        prediction: the output.
        source: the source text.
        reference: the reference translation (a term counts only if one of its alternatives is in it).
        terms: (source term, target alternatives) pairs, e.g. a glossary's (source, canonical + alternatives).

    Example:
        >>> terms = [("金管局", ["HKMA", "Monetary Authority"]), ("銀行", ["bank"])]
        >>> wmt25_success("The HKMA and the hkma.", source="金管局與金管局", reference="the HKMA", terms=terms)
        (1.0, 1)
    """
    src, hyp, ref = source.strip().lower(), prediction.strip().lower(), reference.strip().lower()
    total = 0.0
    valid = 0
    for src_term, alternatives in terms:
        key = src_term.strip().lower()
        if key and key in src and any(t.lower() in ref for t in alternatives):
            valid += 1
            out = sum(hyp.count(t.strip().lower()) for t in alternatives)
            total += min(1.0 * out / src.count(key), 1.0)
    return total, valid


def glossary_terms(glossary) -> list[tuple[str, tuple[str, ...]]]:  # noqa: ANN001 - Glossary
    """A glossary as (source term, target alternatives) pairs: entries with a source, canonical term first.

    Example:
        >>> from toolkit.terminology import Glossary
        >>> g = Glossary.from_records([{"canonical": "HKMA", "alternatives": "Monetary Authority", "source": "金管局"}])
        >>> glossary_terms(g)
        [('金管局', ('HKMA', 'Monetary Authority'))]
    """
    return [(e.source, (e.canonical, *e.alternatives)) for e in glossary.entries if e.source]


def term_dict_glossary(pairs: Sequence[tuple[str, Sequence[str]]]):  # noqa: ANN201 - Glossary
    """A glossary holding a shared task's term dictionary as it is: every alternative kept, case variants too.

    ``Glossary.from_records`` validates and keeps "IFFo|IFFO" once; the official WMT25 formula counts an
    "iffo" once per listed variant, so use this glossary for numbers equal to the official ones.

    Args:
        pairs: (source term, target alternatives) pairs, e.g. ``[(t["zh"], t["en_alternatives"]) ...]``.

    Raises:
        InputError: a pair has an empty source term or no alternative.

    Example:
        >>> g = term_dict_glossary([("IFFO", ["IFFo", "IFFO"])])
        >>> glossary_terms(g)
        [('IFFO', ('IFFo', 'IFFO'))]
    """
    from toolkit.terminology.records import Glossary, GlossaryEntry

    entries = []
    for i, (source, alternatives) in enumerate(pairs):
        alts = [a for a in alternatives if isinstance(a, str) and a.strip()]
        if not isinstance(source, str) or not source.strip() or not alts:
            raise InputError(f"term dictionary item {i + 1}: needs a source term and at least one target alternative")
        entries.append(GlossaryEntry(id=f"{i + 1}", canonical=alts[0], alternatives=tuple(alts[1:]), source=source))
    return Glossary(tuple(entries))
