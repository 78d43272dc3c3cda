"""One side of a ROUGE comparison (a prediction or a reference), tokenised once: tokens, sentences, n-gram
counts and sets, built lazily and shared by every variant and every pairing of that text."""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache
from itertools import chain as _chain

from toolkit.scoring.rouge.lcs import CandidateMasks, SummaryLCS
from toolkit.scoring.rouge.tokenize import (
    rouge_score_stem,
    split_sentences,
    tokenize_rouge_score,
    tokenize_unicode,
)

_RS_TABLE = bytes(c if (48 <= c <= 57 or 97 <= c <= 122 or c == 10) else 32 for c in range(256))
_RS_TABLE_LOWER = bytes(c + 32 if 65 <= c <= 90 else _RS_TABLE[c] for c in range(256))


@lru_cache(maxsize=1 << 20)
def rs_stem_bytes(token: bytes) -> bytes:
    return rouge_score_stem(token.decode("ascii")).encode("ascii")


try:  # the C counting loop behind Counter, without Counter's per-call Mapping check
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python implementations

    def _count_elements(mapping: dict, iterable) -> None:  # type: ignore[no-untyped-def,type-arg]
        for x in iterable:
            mapping[x] = mapping.get(x, 0) + 1


def _ngrams(tokens: list, n: int) -> dict:  # type: ignore[type-arg]
    counts: dict = {}  # type: ignore[type-arg]
    if n == 1:
        _count_elements(counts, tokens)
    elif n == 2:
        _count_elements(counts, zip(tokens, tokens[1:]))
    else:
        _count_elements(counts, zip(*(tokens[i:] for i in range(n))))
    return counts


class Side:
    """One text tokenised once, with lazily built n-gram counts and LCS structures."""

    # lazily filled; class-level defaults keep construction to three attribute writes
    _g1: dict[Hashable, int] | None = None
    _grams: dict[int, dict[Hashable, int]] | None = None
    _sets: dict[int, set[Hashable]] | None = None
    _summary: SummaryLCS | None = None
    _masks: CandidateMasks | None = None
    _pair: tuple[Side, list[int], int] | None = None  # (prediction, Lsum hit masks, LCS)

    def __init__(self, sents: list[list[str]], tokens: list[str], concat: bool) -> None:
        self.sents = sents
        self.tokens = tokens
        self._concat = concat  # tokens == the sentences' tokens concatenated

    def grams(self, n: int) -> dict[Hashable, int]:
        if n == 1:
            g = self._g1
            if g is None:
                g = self._g1 = {}
                _count_elements(g, self.tokens)
            return g
        if self._grams is None:
            self._grams = {}
        g = self._grams.get(n)
        if g is None:
            g = self._grams[n] = _ngrams(self.tokens, n)
        return g

    def gram_set(self, n: int) -> set[Hashable]:
        if self._sets is None:
            self._sets = {}
        g = self._sets.get(n)
        if g is None:
            t = self.tokens
            g = self._sets[n] = set(zip(t, t[1:])) if n == 2 else set(zip(*(t[i:] for i in range(n))))
        return g

    def summary(self) -> SummaryLCS:
        if self._summary is None:
            self._summary = SummaryLCS(self.sents)
        return self._summary

    def lcs_length(self, ref_tokens: list[str]) -> int:
        if self._concat:  # reuse the sentence layout: its guard columns never match
            return self.summary().lcs_length(ref_tokens)
        if self._masks is None:
            self._masks = CandidateMasks(self.tokens)
        return self._masks.lcs_length(ref_tokens)


def make_side(text: str, mode: str, stem: bool, lsum_split: str, need_sents: bool) -> Side:
    if mode == "rouge-score" and lsum_split == "newline":
        # rouge-score's rules at C speed: lower-case, every code point outside [a-z0-9] becomes a
        # space (non-ASCII ones via the "?" of the ASCII encoding), tokens are bytes, sentences are
        # the non-empty lines (a translated line is empty iff the original one is).
        if text.isascii():  # the table lower-cases A-Z itself
            translated = text.encode("ascii").translate(_RS_TABLE_LOWER)
        else:
            translated = text.lower().encode("ascii", "replace").translate(_RS_TABLE)
        lines = translated.split(b"\n")
        if stem:
            st = rs_stem_bytes
            sents = [[x for x in (st(t) if len(t) > 3 else t for t in line.split()) if x] for line in lines if line]
            return Side(sents, list(_chain.from_iterable(sents)), True)
        sents = [line.split() for line in lines if line]
        return Side(sents, list(_chain.from_iterable(sents)), True)
    tokenize = tokenize_rouge_score if mode == "rouge-score" else tokenize_unicode
    if lsum_split == "newline":
        # The tokenizers treat "\n" as a separator, so the sentence tokens concatenate to the text's.
        sents = [tokenize(s, stem) for s in text.split("\n") if len(s)]
        return Side(sents, [t for s in sents for t in s], True)
    tokens = tokenize(text, stem)
    sents = [tokenize(s, stem) for s in split_sentences(text, lsum_split)] if need_sents else []
    return Side(sents, tokens, False)
