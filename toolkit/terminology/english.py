"""Is this an English word? (``english:spellchecker-en``): the English word list that the ``pyspellchecker``
package ships (``spellchecker/resources/en.json.gz``, JSON word frequencies; MIT licence; we depend on the
package and copy none of its data).

The list holds about 160,000 lower-case words, ordinary words and the English spellings of well-known
places ("beijing", "nanjing", "hunan"), but not rare romanisations ("daxing", "xiangjun"). It replaces the
words of CC-CEDICT's glosses, which hold every romanised name they mention ("Liu Xiaobo" made "xiaobo"
English). Loaded once, lazily, as plain JSON (no pickle).
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

from toolkit.errors import ModelUnavailableError

#: Versioned name of the word list (part of signatures).
ENGLISH_NAME = "english:spellchecker-en"
_DATA = ("spellchecker", "resources/en.json.gz")


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The lower-case English words of the list.

    Raises:
        ModelUnavailableError: the ``pyspellchecker`` package is not installed.

    Example:
        >>> words = english_words()
        >>> "russian" in words, "beijing" in words, "daxing" in words
        (True, True, False)
    """
    try:
        path = resources.files(_DATA[0]) / _DATA[1]
    except ModuleNotFoundError:
        raise ModelUnavailableError(
            "English word list not found: name checks need the 'pyspellchecker' package; pip install pyspellchecker"
        ) from None
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return frozenset(w for w in data if isinstance(w, str) and w.isalpha())


def is_english(word: str) -> bool:
    """True when ``word`` (any case; a possessive ``'s`` is ignored) is in the English word list.

    Example:
        >>> is_english("Mining"), is_english("Russia's"), is_english("Xiaobo")
        (True, True, False)
    """
    low = word.lower().replace("’", "'")
    if low.endswith("'s"):
        low = low[:-2]
    return low in english_words()
