"""Text folding for matching (``fold.v1``): NFKC, quote/apostrophe/dash folding, whitespace runs, case.

The folded text keeps a sparse offset map back to the original, so that matches found in the folded
text are reported with offsets into the *original* text even where folding changed lengths
(NFKC ligatures, decomposed accents, runs of spaces and line breaks). The common case (ASCII text with
single spaces) costs one ``str.translate`` and one ``str.lower``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

#: Versioned name of the folding, part of every signature that depends on it.
FOLD_NAME = "fold.v1"

_APOSTROPHES = "\u2019\u2018\u201a\u201b\u2032\u02bc\u0060\u00b4\uff07"
_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for ch in _APOSTROPHES:
        table[ord(ch)] = "'"
    for ch in _QUOTES:
        table[ord(ch)] = '"'
    for ch in _DASHES:
        table[ord(ch)] = "-"
    for code in range(0x10000):
        if chr(code).isspace():
            table[code] = " "
    return table


_TABLE = _build_table()
# str.translate is slow on non-ASCII strings (a dict lookup a character) and a character-class regex
# scans at only ~30 MB/s; str.replace of the few characters that occur is far faster (memchr speed).
_LOWER_FIX = {ord("\u03c2"): "\u03c3"}  # final sigma folds like sigma
_SPACES = re.compile(r" {2,}")
_SPACES_OR_NON_ASCII = re.compile(r" {2,}|[^\x00-\x7f]+")
_ASCII_FOLDS = tuple((chr(c), r) for c, r in sorted(_TABLE.items()) if c < 128 and chr(c) != r)
_OTHER_FOLDS = tuple((chr(c), r) for c, r in sorted(_TABLE.items()) if c >= 128)


def _translate(text: str) -> str:
    for ch, rep in _ASCII_FOLDS:
        if ch in text:
            text = text.replace(ch, rep)
    if not text.isascii():
        for ch, rep in _OTHER_FOLDS:
            if ch in text:
                text = text.replace(ch, rep)
    return text


def is_word_char(ch: str) -> bool:
    """True for letters, digits, marks and ``_`` (the Unicode word characters of UAX #29 in practice)."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"


def is_unspaced(ch: str) -> bool:
    """True for characters of scripts written without spaces (Han, kana, Thai...): no word boundaries."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x0E00 <= code <= 0x0E7F
        or 0x20000 <= code <= 0x3FFFF
    )


def _lower(folded: str) -> str:
    lowered = folded.lower()
    if len(lowered) != len(folded):  # e.g. U+0130 lowers to two characters: keep those unchanged
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    return lowered.translate(_LOWER_FIX) if "\u03c2" in lowered else lowered


def _clusters(run: str) -> list[str]:
    out: list[str] = []
    for ch in run:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


@dataclass(frozen=True)
class FoldedText:
    """A text folded for matching, with the map back to the original.

    Attributes:
        original: the text as given.
        folded: NFKC, apostrophes/quotes/dashes folded, whitespace runs as one space; case kept.
        lower: ``folded`` lower-cased character by character (same length as ``folded``).
    """

    original: str
    folded: str
    lower: str
    _f_starts: tuple[int, ...] = ()
    _regions: tuple[tuple[int, int, int, int], ...] = ()

    def to_original(self, pos: int, *, end: bool = False) -> int:
        """Map an offset of ``folded`` to the original text (``end=True`` for an exclusive end).

        Example:
            >>> ft = fold_text("a  b")
            >>> ft.folded, ft.to_original(2), ft.to_original(3, end=True)
            ('a b', 3, 4)
        """
        if not self._regions:
            return pos
        i = bisect.bisect_right(self._f_starts, pos) - 1
        if i < 0:
            return pos
        f_start, f_len, o_start, o_len = self._regions[i]
        if pos >= f_start + f_len:
            if pos == f_start + f_len and f_len == 0:
                return o_start + o_len
            return o_start + o_len + (pos - f_start - f_len)
        if pos == f_start:
            return o_start
        return o_start + o_len if end else o_start


def fold_text(text: str) -> FoldedText:
    """Fold ``text`` for matching and keep the offset map (see the module docstring).

    Example:
        >>> ft = fold_text("Jinxiang\\n  Army’s")
        >>> ft.lower
        "jinxiang army's"
        >>> ft.to_original(len("jinxiang army")), ft.to_original(9)
        (15, 11)
    """
    translated = _translate(text)
    normalized = translated.isascii() or unicodedata.is_normalized("NFKC", translated)
    pattern = _SPACES if normalized else _SPACES_OR_NON_ASCII
    if normalized and "  " not in translated:
        return FoldedText(text, translated, _lower(translated))
    pieces: list[str] = []
    regions: list[tuple[int, int, int, int]] = []
    last = 0
    f_pos = 0
    for m in pattern.finditer(translated):
        start, stop = m.start(), m.end()
        run = m.group()
        if run[0] == " ":
            pieces.append(translated[last:start])
            f_pos += start - last
            regions.append((f_pos, 1, start, stop - start))
            pieces.append(" ")
            f_pos += 1
            last = stop
            continue
        if unicodedata.combining(run[0]) and start > last:  # attach the base character before it
            start -= 1
            run = translated[start:stop]
        pieces.append(translated[last:start])
        f_pos += start - last
        o_pos = start
        for cluster in _clusters(run):
            new = unicodedata.normalize("NFKC", cluster).translate(_TABLE)
            if new != cluster:
                regions.append((f_pos, len(new), o_pos, len(cluster)))
            pieces.append(new)
            f_pos += len(new)
            o_pos += len(cluster)
        last = stop
    pieces.append(translated[last:])
    folded = "".join(pieces)
    if not regions:
        return FoldedText(text, folded, _lower(folded))
    return FoldedText(text, folded, _lower(folded), tuple(r[0] for r in regions), tuple(regions))


def fold_term(term: str) -> str:
    """Fold a glossary term the way texts are folded, lower-cased and stripped.

    Example:
        >>> fold_term("  Lu’an   Chemical\\tGroup ")
        "lu'an chemical group"
    """
    return fold_text(term.strip()).lower.strip()


def fold_term_cased(term: str) -> str:
    """Like :func:`fold_term` but keeping case (for case-sensitive entries)."""
    return fold_text(term.strip()).folded.strip()


__all__ = ["FOLD_NAME", "FoldedText", "fold_text", "fold_term", "fold_term_cased", "is_word_char", "is_unspaced"]
