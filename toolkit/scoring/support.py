"""Source support of a summary, without a model: lexical support of its words and n-grams.

What the summary says that its source does not: the share of the summary's (stemmed) content words that
occur in the source (``lexical support``, ``lexical.v1``: unigram precision against the source over
content words, unclipped; ROUGE-n precision against the source is a strong faithfulness baseline on SummEval
and SummaC, see Zha et al. 2023, AlignScore, Table 3) and the share of its n-grams found there (the
complement of the novel n-gram rate of Grusky et al. 2018). Names, numbers and dates are checked by
:mod:`toolkit.scoring.mentions`.

Tokens (``tokens.v1``) are Unicode words (letters and digits; each CJK character a word), lower-cased and accent-folded, Porter-stemmed
(rouge-score's NLTK stemmer) when longer than 3 letters. Sentences are split with their character spans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from toolkit.scoring.rouge.tokenize import nltk_porter_stem

TOKENS_VERSION = "tokens.v1"
LEXICAL_VERSION = "lexical.v1"  # % of content words (stemmed) found in the source
NGRAM_ORDERS = (1, 2)  # all-word n-gram support, reported beside it

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+", re.UNICODE)  # each CJK character is a word of its own
_ASCII_ALNUM = re.compile(r"^[a-z0-9]+$")

#: Function words: never a name when sentence-initial, and left out of sentence-level content overlap.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    s t said says say according after while meanwhile however yet still there's it's he's she's they're
    mr mrs ms dr""".split()
)


def fold(text: str) -> str:
    """Lower-case and strip accents (NFKD, combining marks dropped).

    Example:
        >>> fold("Café Zoë")
        'cafe zoe'
    """
    if text.isascii():  # no accents to strip: NFKD leaves ASCII as it is
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """The ``tokens.v1`` form of one folded word: Porter stem (NLTK, as rouge-score) if ASCII and 4+ letters.

    Example:
        >>> stem("running"), stem("run"), stem("naïve")
        ('run', 'run', 'naïve')
    """
    return nltk_porter_stem(word) if len(word) > 3 and _ASCII_ALNUM.match(word) else word


@dataclass(frozen=True)
class Token:
    """A word of a text: its span (characters, end exclusive), surface and ``tokens.v1`` form."""

    start: int
    end: int
    text: str
    norm: str


def tokens(text: str) -> list[Token]:
    """Word tokens with spans, folded and stemmed (``tokens.v1``).

    Example:
        >>> [(t.start, t.end, t.norm) for t in tokens("Cats' mats, 2.5")]
        [(0, 4, 'cat'), (6, 10, 'mat'), (12, 13, '2'), (14, 15, '5')]
        >>> [t.norm for t in tokens("长治市 Changzhi")]
        ['长', '治', '市', 'changzhi']
    """
    return [Token(m.start(), m.end(), m.group(), stem(fold(m.group()))) for m in _WORD.finditer(text)]


# A sentence ends at . ! ? (closing quotes/brackets allowed) followed by white space and an upper-case
# letter, digit or opening quote; a detached " . " (PTB-tokenised, possibly lower-cased text) always ends
# one; so does a line break.
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9]))|(?:(?<=\s[.!?])\s+)|(?:(?<=[。！？]))|(?:\s*\n\s*)"
)
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|St|Sen|Rep|Gov|Gen|Col|Lt|Sgt|Capt|Jr|Sr|Inc|Ltd|Co|No|vs|etc)\.$|(?:^|\s)(?:[A-Z]\.)+$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (stripped, non-empty, in order).

    Example:
        >>> text = "Dr. Smith came. He left!\\nthe end . bye"
        >>> [text[a:b] for a, b in sentence_spans(text)]
        ['Dr. Smith came.', 'He left!', 'the end .', 'bye']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    pieces = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)] + [(len(text), len(text))]
    for cut_start, cut_end in pieces:
        piece = text[start:cut_start]
        if piece.strip() and (cut_start == len(text) or not _ABBREVIATION.search(piece.rstrip())):
            a = start + (len(piece) - len(piece.lstrip()))
            b = start + len(piece.rstrip())
            spans.append((a, b))
            start = cut_end
        elif not piece.strip():
            start = cut_end
    return spans


def _ngrams(norms: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(norms[k : k + n]) for k in range(len(norms) - n + 1)]


@lru_cache(maxsize=256)
def _source_ngrams(source: str, n: int) -> frozenset[tuple[str, ...]]:
    return frozenset(_ngrams([t.norm for t in tokens(source)], n))


def ngram_support(summary: str, source: str, n: int) -> tuple[int, int]:
    """``(supported, total)``: how many of the summary's n-grams (``tokens.v1``) occur anywhere in the source.

    Unlike ROUGE precision, counts are not clipped: a summary n-gram is supported when the source has it.

    Example:
        >>> ngram_support("the cats sat on a mat", "The cat sat on the mat.", 2)
        (3, 5)
    """
    grams = _ngrams([t.norm for t in tokens(summary)], n)
    seen = _source_ngrams(source, n)
    return sum(g in seen for g in grams), len(grams)


@lru_cache(maxsize=256)
def _source_words(source: str) -> frozenset[str]:
    return frozenset(t.norm for t in tokens(source))


def is_content(token: Token) -> bool:
    """A content word: neither its folded surface nor its stem is a function word (:data:`STOPWORDS`).

    Example:
        >>> [t.text for t in tokens("He said the cats were here") if is_content(t)]
        ['cats']
    """
    return token.norm not in STOPWORDS and fold(token.text) not in STOPWORDS


def content_support(summary: str, source: str) -> tuple[int, int]:
    """``(supported, total)`` content words of the summary (``tokens.v1``, every occurrence) found in the source.

    Example:
        >>> content_support("The cats sat on a red mat.", "The cat sat on the mat.")  # cat, sat, mat; not red
        (3, 4)
    """
    seen = _source_words(source)
    words = [t.norm for t in tokens(summary) if is_content(t)]
    return sum(w in seen for w in words), len(words)


def lexical_support(summary: str, source: str) -> float:
    """Lexical support (``lexical.v1``, 0-100): % of the summary's content words found in the source.

    Content words are stemmed (``tokens.v1``) and counted at every occurrence (no clipping: a word is
    supported when the source has it); function words, supported by any source, are left out. NaN for a
    summary without content words.

    Example:
        >>> lexical_support("The cats sat on a red mat.", "The cat sat on the mat.")
        75.0
    """
    hit, total = content_support(summary, source)
    return 100.0 * hit / total if total else float("nan")
