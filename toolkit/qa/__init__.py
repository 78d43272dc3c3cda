"""MT quality checks beyond terms (issue 16): :func:`qa_check` runs versioned checks over target segments.

Modules: one per check (:mod:`.script`, :mod:`.numeric`, :mod:`.punctuation`, :mod:`.repetition`,
:mod:`.consistency`, :mod:`.names`, :mod:`.length`), :mod:`.registry` (the dict of checks),
:mod:`.records` (:class:`Finding`, :class:`QAResult`), :mod:`.api` and :mod:`.section` (a run's ``qa``
section). Precision against human MQM
spans: ``eval/qa/``.
"""

from toolkit.qa.api import qa_check
from toolkit.qa.base import Check, DocumentInput
from toolkit.qa.length import LENGTH_MODELS, LengthModel, fit_length_model
from toolkit.qa.records import Evidence, Finding, QAResult
from toolkit.qa.registry import CHECKS, available_checks, get_check
from toolkit.qa.section import qa_section

__all__ = [
    "CHECKS",
    "LENGTH_MODELS",
    "Check",
    "DocumentInput",
    "Evidence",
    "Finding",
    "LengthModel",
    "QAResult",
    "available_checks",
    "fit_length_model",
    "get_check",
    "qa_check",
    "qa_section",
]
