"""Terminology engine: glossaries, alignment, normalisation, calque detection and term accuracy.

Modules: :mod:`.records` (frozen results), :mod:`.glossary_io` and :mod:`.validate` (glossary files),
:mod:`.textnorm` (folding with offsets), :mod:`.index` (Aho-Corasick alignment), :mod:`.fuzzy`,
:mod:`.calques` (pinyin, Wade-Giles, CC-CEDICT glosses), :mod:`.suspects`, :mod:`.normalize`,
:mod:`.accuracy`.
"""

from toolkit.terminology.accuracy import aggregate_term_stats, term_accuracy, term_stats, terms_signature
from toolkit.terminology.calques import generate_calques, romanize
from toolkit.terminology.index import align
from toolkit.terminology.normalize import normalize
from toolkit.terminology.records import (
    Edit,
    EntryStat,
    Glossary,
    GlossaryEntry,
    Normalization,
    Suspect,
    Term,
    TermAccuracy,
    TermMatch,
    TermStats,
)
from toolkit.terminology.suspects import find_suspects
from toolkit.terminology.validate import Issue, load_glossary, validate_glossary

__all__ = [
    "Edit",
    "EntryStat",
    "Glossary",
    "GlossaryEntry",
    "Issue",
    "Normalization",
    "Suspect",
    "Term",
    "TermAccuracy",
    "TermMatch",
    "TermStats",
    "aggregate_term_stats",
    "align",
    "find_suspects",
    "generate_calques",
    "load_glossary",
    "normalize",
    "romanize",
    "term_accuracy",
    "term_stats",
    "terms_signature",
    "validate_glossary",
]
