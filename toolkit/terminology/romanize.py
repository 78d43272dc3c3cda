"""Romanisation helpers: pinyin tone marks, Wade-Giles, and splitting a token into pinyin syllables.

Wade-Giles is produced by rule from toneless pinyin (initials p/p', t/t', k/k', ch/ch', hs, j, ts/ts';
finals -ung, -ien, -ieh, -üeh, -ih, -u/-ŭ after ts/ss; ``e`` -> ``o`` after k/h; ``uo`` -> ``o``),
the conventions of the Wade-Giles tables in common use; tones and rare exceptions are not modelled.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_TONES = {
    "a": "āáǎàa", "e": "ēéěèe", "i": "īíǐìi", "o": "ōóǒòo", "u": "ūúǔùu", "ü": "ǖǘǚǜü",
}


def tone_mark(numbered: str) -> str:
    """Turn one numbered pinyin syllable into tone-mark form.

    Example:
        >>> tone_mark("Xiang1"), tone_mark("lu:3"), tone_mark("zhi4"), tone_mark("gou3")
        ('Xiāng', 'lǚ', 'zhì', 'gǒu')
    """
    syl = numbered.replace("u:", "ü").replace("U:", "Ü")
    tone = 5
    if syl and syl[-1].isdigit():
        tone, syl = int(syl[-1]), syl[:-1]
    if tone not in (1, 2, 3, 4):
        return syl
    low = syl.lower()
    if "a" in low:
        idx = low.index("a")
    elif "e" in low:
        idx = low.index("e")
    elif "ou" in low:
        idx = low.index("o")
    else:
        idx = max((i for i, c in enumerate(low) if c in "iouü"), default=-1)
    if idx < 0:
        return syl
    marked = _TONES[low[idx]][tone - 1]
    if syl[idx].isupper():
        marked = marked.upper()
    return syl[:idx] + marked + syl[idx + 1:]


_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w")
_WG_INITIAL = {
    "b": "p", "p": "p'", "m": "m", "f": "f", "d": "t", "t": "t'", "n": "n", "l": "l", "g": "k", "k": "k'",
    "h": "h", "j": "ch", "q": "ch'", "x": "hs", "zh": "ch", "ch": "ch'", "sh": "sh", "r": "j", "z": "ts",
    "c": "ts'", "s": "s", "y": "y", "w": "w", "": "",
}
_WG_WHOLE = {
    "zhi": "chih", "chi": "ch'ih", "shi": "shih", "ri": "jih", "zi": "tzu", "ci": "tz'u", "si": "ssu",
    "er": "erh", "e": "o", "yi": "i", "you": "yu", "yan": "yen", "ye": "yeh", "yu": "yü", "yue": "yüeh",
    "yuan": "yüan", "yun": "yün", "yong": "yung", "ge": "ko", "ke": "k'o", "he": "ho", "guo": "kuo",
    "kuo": "k'uo", "huo": "huo", "shuo": "shuo", "gui": "kuei", "kui": "k'uei", "lüe": "lüeh", "nüe": "nüeh",
}


def wade_giles(syllable: str) -> str:
    """Wade-Giles spelling of one toneless pinyin syllable (lower case).

    Example:
        >>> [wade_giles(s) for s in ("jin", "xiang", "jun", "chang", "zhi", "guo", "qu")]
        ['chin', 'hsiang', 'chün', "ch'ang", 'chih', 'kuo', "ch'ü"]
    """
    syl = syllable.lower().replace("v", "ü")
    if syl in _WG_WHOLE:
        return _WG_WHOLE[syl]
    initial = next((i for i in _INITIALS if syl.startswith(i) and len(syl) > len(i)), "")
    final = syl[len(initial):]
    if initial in ("j", "q", "x"):
        final = {"u": "ü", "un": "ün", "uan": "üan", "ue": "üeh"}.get(final, final)
    if final == "uo" and initial in ("b", "p", "m", "f", "d", "t", "n", "l", "z", "c", "s", "zh", "ch", "r"):
        final = "o"
    if final == "e" and initial in ("g", "k", "h"):
        final = "o"
    if final == "ui":
        final = "ui"
    final = {"ong": "ung", "iong": "iung", "ian": "ien", "ie": "ieh", "üe": "üeh"}.get(final, final)
    return _WG_INITIAL[initial] + final


def strip_marks(text: str) -> str:
    """Drop diacritics and Wade-Giles apostrophes (``Ch'ang-chün`` -> ``Chang-chun``).

    Example:
        >>> strip_marks("Ch'ang-chün Jīn")
        'Chang-chun Jin'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("'", "").replace("’", ""))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def split_syllables(token: str, syllables: Iterable[str] | set[str]) -> list[str] | None:
    """Split a lower-case token into pinyin syllables (fewest syllables), or None if it cannot be.

    Example:
        >>> split_syllables("daxing", {"da", "xing", "xi", "ng"})
        ['da', 'xing']
    """
    sylset = syllables if isinstance(syllables, set) else set(syllables)
    word = token.lower().replace("'", "").replace("-", "")
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = word[i:j]
            if piece in sylset:
                cand = best[i] + [piece]  # type: ignore[operator]
                if best[j] is None or len(cand) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = cand
    return best[n]
