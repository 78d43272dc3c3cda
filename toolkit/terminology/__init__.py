"""Terminology engine: glossaries, alignment, normalisation, calque detection and term accuracy.

Modules: :mod:`.records` (frozen results), :mod:`.glossary_io` and :mod:`.validate` (glossary files),
:mod:`.textnorm` (folding with offsets), :mod:`.index` (Aho-Corasick alignment), :mod:`.fuzzy`,
:mod:`.calques` (pinyin, Wade-Giles, CC-CEDICT glosses), :mod:`.suspects` (name checks, with :mod:`.english`
and :mod:`.names`), :mod:`.normalize`, :mod:`.accuracy` and :mod:`.protocols` (the WMT21 and WMT25 measures).
"""

from toolkit.terminology.accuracy import aggregate_term_stats, term_accuracy, term_stats, terms_signature
from toolkit.terminology.calques import generate_calques, romanize
from toolkit.terminology.index import align
from toolkit.terminology.names import country_forms, standard_name
from toolkit.terminology.normalize import normalize
from toolkit.terminology.protocols import parse_annotations, wmt21_exact, wmt25_success
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
from toolkit.terminology.suspects import DEFAULT_THRESHOLD, find_suspects
from toolkit.terminology.loading import load_glossary, validate_glossary
from toolkit.terminology.validate import Issue

__all__ = [
    "DEFAULT_THRESHOLD",
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
    "country_forms",
    "find_suspects",
    "generate_calques",
    "load_glossary",
    "normalize",
    "parse_annotations",
    "romanize",
    "standard_name",
    "term_accuracy",
    "term_stats",
    "terms_signature",
    "validate_glossary",
    "wmt21_exact",
    "wmt25_success",
]
