"""Findings: what a summary says that its source does not support, each with its span and closest evidence.

A finding is an unsupported name, number or date (``mentions.v1``, :func:`toolkit.scoring.mentions.mention_support`)
or an unsupported sentence (``sentence_support.v1``: its best support by one source sentence is below
:data:`SENTENCE_THRESHOLD`), with

- ``start``/``end``: its character span in the summary (end exclusive) and ``text``, the summary there;
- ``evidence``: the source sentence that best supports the summary sentence it is in (or None), with its
  span in the source;
- ``confidence`` (0-1) that it is unsupported: for a name, the share of its words the source lacks; for a
  number or date, 1 (its value is nowhere in the source); for a sentence, how far its support falls below
  the threshold, ``(threshold - support) / threshold``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from toolkit.errors import InputLengthError
from toolkit.scoring.sentence_support import SentenceSupport, align_many
from toolkit.scoring.mentions import mention_support

SENTENCE_THRESHOLD = 0.5  # a summary sentence whose best support is below this is flagged
KINDS = ("entity", "number", "date", "sentence")


@dataclass(frozen=True)
class Finding:
    """One unsupported span of a summary.

    Attributes:
        id: the document (segment) id.
        kind: ``entity`` (a name), ``number``, ``date`` or ``sentence``.
        start, end: character span in the summary.
        text: the summary text of the span.
        confidence: 0-1, how sure the engine is that the span is unsupported (see the module docstring).
        evidence: closest source sentence, or None.
        evidence_start, evidence_end: its span in the source (None without evidence).
        missing: for names, numbers and dates, the words or values the source lacks.
        support: for sentences, the best support found (0-1); None otherwise.

    Example:
        >>> f = Finding("doc-1", "number", 11, 14, "300", 1.0, missing=("300",))
        >>> f.to_dict()["missing"], f.evidence
        (['300'], None)
    """

    id: str
    kind: str
    start: int
    end: int
    text: str
    confidence: float
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    missing: tuple[str, ...] = ()
    support: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (``missing`` as a list)."""
        out = asdict(self)
        out["missing"] = list(self.missing)
        return out


def _evidence(rows: Sequence[SentenceSupport], start: int) -> SentenceSupport | None:
    return next((r for r in rows if r.start <= start < r.end), None)


def _findings(doc_id: str, summary: str, source: str, rows: Sequence[SentenceSupport], glossary: Any,
              threshold: float) -> list[Finding]:
    out: list[Finding] = []
    for m in mention_support(summary, source, glossary):
        if m.supported:
            continue
        mention = m.mention
        words = mention.key.split() if mention.kind == "entity" else [mention.key]
        confidence = round(len(m.missing) / len(words), 6) if words else 1.0
        row = _evidence(rows, mention.start)
        out.append(Finding(doc_id, mention.kind, mention.start, mention.end, mention.text, confidence,
                           row.evidence if row and row.evidence else None,
                           row.evidence_start if row and row.evidence else None,
                           row.evidence_end if row and row.evidence else None, m.missing))
    for row in rows:
        if row.support == row.support and row.support < threshold:
            confidence = round((threshold - row.support) / threshold, 6)
            out.append(Finding(doc_id, "sentence", row.start, row.end, row.text, confidence,
                               row.evidence or None, row.evidence_start if row.evidence else None,
                               row.evidence_end if row.evidence else None, support=row.support))
    return sorted(out, key=lambda f: (f.start, KINDS.index(f.kind) if f.kind != "sentence" else -1, f.end))


def find_unsupported(
    *,
    predictions: Sequence[str],
    sources: Sequence[str],
    ids: Sequence[str] | None = None,
    glossary: Any = None,
    model: bool = True,
    threshold: float = SENTENCE_THRESHOLD,
    nli: Any = None,
) -> list[list[Finding]]:
    """The unsupported names, numbers, dates and sentences of each summary, in summary order.

    Args:
        predictions: the summaries.
        sources: one source document per summary.
        ids: document ids (default ``"0"``, ``"1"``, ...).
        glossary: a ``toolkit.terminology.Glossary``: a name that is a glossary term is supported when the
            source mentions its entry in any form (canonical, variant, calque, source-language term).
        model: align sentences with the bundled MiniLM encoder and content overlap (default); ``False``:
            by content overlap alone, without loading a model.
        threshold: a sentence whose best support (0-1) is below this is a finding.
        nli: an optional :class:`toolkit.scoring.nli_support.NLIScorer`: sentences are then aligned by NLI
            (support = p(entailment) of the source sentence with the best entailment-minus-contradiction).

    Returns:
        One list of :class:`Finding` per summary.

    Raises:
        InputLengthError: predictions, sources and ids differ in count.

    Example:
        >>> found = find_unsupported(predictions=["Merkel met 300 people in Paris. Aliens landed on Mars."],
        ...                          sources=["Angela Merkel met three hundred people in Berlin."], model=False)
        >>> [(f.kind, f.text, f.start, f.end, f.confidence) for f in found[0]]
        [('entity', 'Paris', 25, 30, 1.0), ('sentence', 'Aliens landed on Mars.', 32, 54, 1.0), ('entity', 'Mars', 49, 53, 1.0)]
        >>> found[0][0].evidence
        'Angela Merkel met three hundred people in Berlin.'
    """
    seg_ids = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(predictions))]
    if len(sources) != len(predictions) or len(seg_ids) != len(predictions):
        raise InputLengthError(f"{len(predictions)} predictions but {len(sources)} sources and {len(seg_ids)} ids; "
                               "give one source and one id per summary")
    pairs = list(zip(predictions, sources))
    alignments = nli.align(pairs) if nli is not None else align_many(pairs, model=model)
    return [_findings(i, p, s, rows, glossary, threshold)
            for i, p, s, rows in zip(seg_ids, predictions, sources, alignments)]
