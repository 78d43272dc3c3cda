"""Tokenisers and sentence splitters of the three ROUGE modes.

* ``rouge-score.v1``: exactly rouge-score 0.1.2's ``DefaultTokenizer``: ``str.lower()``, every run of
  characters outside ``[a-z0-9]`` is a separator (so every non-ASCII letter is dropped), optional NLTK
  Porter stemming of tokens longer than 3 characters (cached per token).
* ``unicode.v1``: NFKC, ``str.lower()``, tokens are runs of letters, marks and digits of any script;
  every Han, Hiragana, Katakana or Bopomofo character is a token of its own (so Chinese and Japanese
  text gets character-level ROUGE instead of 0). Stemming applies the same Porter stemmer to pure
  ``[a-z0-9]`` tokens longer than 3 characters only.
* ``rouge155.v1``: ROUGE-1.5.5's reading of an SPL file: each non-empty line is a sentence, ASCII
  letters are lower-cased, everything outside ``[A-Za-z0-9]`` separates tokens (``-`` becomes a token that
  is then dropped), stemming (``-m``) with :mod:`toolkit.scoring.rouge.stem`.

Sentence splitting for ROUGE-Lsum: ``newline`` (rouge-score's rule: split on ``\\n``, drop empty
strings) or ``builtin`` (``builtin.v1``: newlines, then after ``.``, ``!``, ``?`` or ``…`` followed by
white space and not after a known abbreviation or a single capital initial; after ``。！？`` always).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import regex

from toolkit.scoring.rouge.stem import rouge155_stem

RS_TOKEN = re.compile(r"[a-z0-9]+")
_ASCII_ALNUM = re.compile(r"^[a-z0-9]+$")
_UNICODE_TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}]|[[\p{L}\p{N}\p{M}]--[\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}]]+",
    flags=regex.V1,
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=1)
def _nltk_porter():  # type: ignore[no-untyped-def]
    from nltk.stem import porter  # imported lazily: nltk's package import is slow

    return porter.PorterStemmer()


@lru_cache(maxsize=1 << 20)
def nltk_porter_stem(token: str) -> str:
    """rouge-score's stemmer (NLTK ``PorterStemmer()``, default mode), cached per token.

    Example:
        >>> nltk_porter_stem("running"), nltk_porter_stem("agreement")
        ('run', 'agreement')
    """
    return str(_nltk_porter().stem(token))


@lru_cache(maxsize=1 << 20)
def rouge_score_stem(token: str) -> str:
    """rouge-score's per-token step: the Porter stem, or ``""`` when its final validity check drops it.

    Example:
        >>> rouge_score_stem("flies")
        'fli'
    """
    stemmed = nltk_porter_stem(token)
    return stemmed if _ASCII_ALNUM.match(stemmed) else ""


def tokenize_rouge_score(text: str, stem: bool = False) -> list[str]:
    """Tokenise as rouge-score 0.1.2's default tokenizer does.

    Args:
        text: Raw text.
        stem: Apply the Porter stemmer to tokens longer than 3 characters.

    Returns:
        The tokens.

    Example:
        >>> tokenize_rouge_score("The cats' re-entry: 3.5 km, naïve 中文", stem=True)
        ['the', 'cat', 're', 'entri', '3', '5', 'km', 'na', 've']
    """
    tokens = RS_TOKEN.findall(text.lower())
    if stem:
        tokens = [x for x in (rouge_score_stem(t) if len(t) > 3 else t for t in tokens) if x]
    return tokens


def tokenize_unicode(text: str, stem: bool = False) -> list[str]:
    """Tokenise keeping letters and digits of every script; CJK characters are single tokens.

    Args:
        text: Raw text.
        stem: Porter-stem pure ``[a-z0-9]`` tokens longer than 3 characters.

    Returns:
        The tokens.

    Example:
        >>> tokenize_unicode("Naïve Café: 北京欢迎你 2024 हिन्दी")
        ['naïve', 'café', '北', '京', '欢', '迎', '你', '2024', 'हिन्दी']
    """
    tokens = _UNICODE_TOKEN.findall(unicodedata.normalize("NFKC", text).lower())
    if stem:
        tokens = [nltk_porter_stem(t) if len(t) > 3 and _ASCII_ALNUM.match(t) else t for t in tokens]
    return tokens


def tokenize_rouge155(line: str, stem: bool = False, exceptions: bool = True) -> list[str]:
    """Tokenise one line as ROUGE-1.5.5 does (``-m`` when ``stem``).

    Args:
        line: One line (sentence) of an SPL file.
        stem: Stem tokens longer than 3 characters (``-m``).
        exceptions: With ``stem``, consult the WordNet 2.0 exception lists first.

    Returns:
        The tokens.

    Example:
        >>> tokenize_rouge155("He went to the U.S. -- twice, naïvely!", stem=True)
        ['he', 'go', 'to', 'the', 'u', 's', 'twice', 'na', 'veli']
    """
    tokens = RS_TOKEN.findall(line.translate(_ASCII_LOWER))
    if stem:
        tokens = [rouge155_stem(t, exceptions=exceptions) if len(t) > 3 else t for t in tokens]
    return tokens


_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt vs etc e.g i.e u.s u.k no inc ltd co corp jan feb mar apr jun jul"
    " aug sep sept oct nov dec fig gen gov sen rep rev col lt sgt capt".split()
)
_SENT_END = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)|([。！？]+[」』”’)）]*)")


def split_sentences(text: str, how: str = "newline") -> list[str]:
    """Split a text into sentences for ROUGE-Lsum.

    Args:
        text: Raw text.
        how: ``"newline"`` (rouge-score's rule) or ``"builtin"`` (``builtin.v1``, see the module doc).

    Returns:
        Non-empty sentences.

    Example:
        >>> split_sentences("Dr. Smith came. He left!\\nBye", how="builtin")
        ['Dr. Smith came.', 'He left!', 'Bye']
    """
    lines = [s for s in text.split("\n") if len(s)]
    if how == "newline":
        return lines
    out: list[str] = []
    for line in lines:
        start = 0
        for m in _SENT_END.finditer(line):
            if m.group(1) is not None:
                before = line[start : m.start()].split()
                last = before[-1].rstrip(".").lower() if before else ""
                if m.group(1).startswith(".") and (
                    last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())
                ):
                    continue
                end = m.end(1)
            else:
                end = m.end()
            piece = line[start:end].strip()
            if piece:
                out.append(piece)
            start = m.end()
        piece = line[start:].strip()
        if piece:
            out.append(piece)
    return out
