"""A glossary entry: the canonical English term of one concept and its other renderings (standard library only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ENTRY_TYPES", "GlossaryEntry", "Term"]

#: Entry types a glossary row may declare.
ENTRY_TYPES = ("person", "place", "org", "other")


@dataclass(frozen=True)
class GlossaryEntry:
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

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict (lists for the ``|`` fields)."""
        return {
            "id": self.id,
            "canonical": self.canonical,
            "variants": list(self.variants),
            "alternatives": list(self.alternatives),
            "source": self.source,
            "type": self.type,
            "case_sensitive": self.case_sensitive,
            "note": self.note,
        }


#: The name the public API documents for a glossary entry.
Term = GlossaryEntry
