"""A glossary entry: the canonical English term of one concept and its other renderings (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.jsonrecord import JsonRecord

__all__ = ["ENTRY_TYPES", "GlossaryEntry", "Term"]

#: Entry types a glossary row may declare.
ENTRY_TYPES = ("person", "place", "org", "other")


@dataclass(frozen=True)
class GlossaryEntry(JsonRecord):
    """One concept of a glossary: the canonical English term and its other renderings.

    Attributes:
        id: stable identifier (the ``id`` column, else the canonical term; ``#2``... on clashes).
        canonical: the correct English term.
        variants: wrong renderings that normalisation rewrites to ``canonical``.
        alternatives: acceptable renderings: matched and counted correct, never rewritten.
        source: the source-language term (e.g. ``金湘军``), or ``""``.
        type: ``person``, ``place``, ``org`` or ``other``.
        case_sensitive: match only with the exact case given.
        note: free text.
        line: line (or item number) in the file it came from; not part of equality.

    Example:
        >>> e = GlossaryEntry("jin", "Jin Xiangjun", variants=("Jinxiang Army",), source="金湘军", type="person")
        >>> e.to_dict()["variants"], e.type in ENTRY_TYPES
        (['Jinxiang Army'], True)
    """

    id: str
    canonical: str
    variants: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    source: str = ""
    type: str = "other"
    case_sensitive: bool = False
    note: str = ""
    line: int | None = field(default=None, compare=False)

    not_in_dict = ("line",)  # to_dict: every other field, lists for the ``|`` fields


#: The name the public API documents for a glossary entry.
Term = GlossaryEntry
