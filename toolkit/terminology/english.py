"""Is this an English word? (``english:spellchecker-en``): the English word list that the ``pyspellchecker``
package ships (``spellchecker/resources/en.json.gz``, JSON word frequencies; MIT licence; we depend on the
package and copy none of its data).

The list holds about 160,000 lower-case words, ordinary words and the English spellings of well-known
places ("beijing", "nanjing", "hunan"), but not rare romanisations ("daxing", "xiangjun"). It replaces the
words of CC-CEDICT's glosses, which hold every romanised name they mention ("Liu Xiaobo" made "xiaobo"
English). Loaded once, lazily, as plain JSON (no pickle).

:func:`is_european_word` also reads the package's French, German, Spanish, Italian and Portuguese lists, so
that a word of a European name ("Agence" in "Agence France-Presse") is not taken for pinyin.
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

from toolkit.errors import ModelUnavailableError

#: Versioned name of the word list (part of signatures).
ENGLISH_NAME = "english:spellchecker-en"
EUROPEAN_NAME = "european:spellchecker-fr-de-es-it-pt"
_DATA = ("spellchecker", "resources/en.json.gz")  # and resources/{fr,de,es,it,pt}.json.gz
_OTHER = ("fr", "de", "es", "it", "pt")


def _load(name: str) -> dict[str, int]:
    try:
        path = resources.files(_DATA[0]) / f"resources/{name}.json.gz"
    except ModuleNotFoundError:
        raise ModelUnavailableError(
            "English word list not found: name checks need the 'pyspellchecker' package; pip install pyspellchecker"
        ) from None
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ModelUnavailableError(f"pyspellchecker's {name}.json.gz is not a word list; reinstall pyspellchecker")
    return data


@functools.lru_cache(maxsize=1)
def european_words() -> frozenset[str]:
    """The words of the French, German, Spanish, Italian and Portuguese lists (looked up from four letters).

    Example:
        >>> "agence" in european_words(), "daxing" in european_words()
        (True, False)
    """
    return frozenset().union(*(_load(lang).keys() for lang in _OTHER))


def is_european_word(word: str) -> bool:
    """True when ``word`` is in the English list or (four letters or more) in another European list.

    Example:
        >>> is_european_word("Agence"), is_european_word("Panlin")
        (True, False)
    """
    return is_english(word) or (len(word) >= 4 and word.lower() in european_words())


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
    return frozenset(_load("en"))  # the keys: every word


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
