"""Meta-evaluation: correlate metric scores with human judgments (SummEval, REALSumm, Newsroom, WMT).

Public API: ``meta_evaluate`` -> ``MetaEvalResult``; items (``MetaItem``) and the converters
``convert`` / ``from_summeval`` / ``from_realsumm`` / ``from_newsroom`` / ``from_wmt``.
"""

from toolkit.metaeval.api import CorrelationRow, MetaEvalResult, PairedTestRow, meta_evaluate
from toolkit.metaeval.convert import FORMATS, convert, from_newsroom, from_realsumm, from_summeval, from_wmt
from toolkit.metaeval.items import MetaItem, item_from_dict, items_from_dicts

__all__ = [
    "FORMATS",
    "CorrelationRow",
    "MetaEvalResult",
    "MetaItem",
    "PairedTestRow",
    "convert",
    "from_newsroom",
    "from_realsumm",
    "from_summeval",
    "from_wmt",
    "item_from_dict",
    "items_from_dicts",
    "meta_evaluate",
]
