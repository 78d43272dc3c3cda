"""Sentence support: each summary sentence's best-supporting source sentence, by MiniLM similarity and overlap.

For a summary sentence ``s`` and each source sentence ``d`` (``sentence_support.v1``)::

    support(s, d) = (max(0, cos(s, d)) + overlap(s, d)) / 2

where ``cos`` is the cosine of the bundled all-MiniLM-L6-v2 embeddings (mean pooling, L2 norm, float64, as
the ``minilm-cosine`` metric; Reimers and Gurevych 2019) and ``overlap`` the share of the summary sentence's
content words (``tokens.v1``, function words left out) that occur in ``d``. The evidence of ``s`` is the
source sentence with the highest support; the sentence support of a summary is the mean over its sentences
of their best support, x100. This is the lexical-and-embedding analogue of SummaC-ZS's sentence-pair
maximum (Laban et al. 2022, "SummaC", TACL), without an NLI model.

Sentences are encoded in float64 batches sorted by word-piece length, each distinct sentence once (vectors are
kept across calls: a source serves all of its summaries); cosines and supports are rounded to 6 decimals, so a
value does not depend on the batch it was computed in (see ``toolkit.scoring.embedding``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from toolkit.jsonrecord import JsonRecord
from toolkit.minilm import MAX_TOKENS
from toolkit.scoring.support import STOPWORDS, sentence_spans, tokens

VERSION = "sentence_support.v1"
ROUND = 6  # decimals kept of each cosine (and support), so values do not depend on the batch
BATCH = 64  # at most this many sentences per forward pass (sorted by word-piece length) ...
BATCH_TOKENS = 512  # ... and at most this many word pieces, padding included (small: intermediates stay in cache)
CACHE_SIZE = 20_000  # sentence vectors kept between calls (3 KB each)
_CACHE: OrderedDict[str, np.ndarray] = OrderedDict()
_LOCK = threading.Lock()  # one caller at a time encodes and updates the kept vectors


@dataclass(frozen=True)
class SentenceSupport(JsonRecord):
    """A summary sentence and its best-supporting source sentence.

    Attributes:
        start, end: span of the summary sentence.
        text: the summary sentence.
        support: ``(max(0, cos) + overlap) / 2`` with its evidence, 0-1 (NaN: no content word).
        cosine: MiniLM cosine with the evidence.
        overlap: share of the sentence's content words in the evidence.
        evidence_start, evidence_end: span of the evidence in the source (-1 when the source is empty).
        evidence: the evidence sentence.
    """

    start: int
    end: int
    text: str
    support: float
    cosine: float
    overlap: float
    evidence_start: int
    evidence_end: int
    evidence: str


def embed_sentences(texts: Sequence[str]) -> np.ndarray:
    """Unit-length MiniLM embeddings ``(len(texts), 384)`` in float64, encoded in length-sorted batches.

    Each distinct text is encoded once and kept (up to :data:`CACHE_SIZE` texts, the least recently used
    dropped first), so the sentences of a source shared by many summaries, in this call or a later one, are
    encoded once. Texts are tokenised once, sorted by word-piece length and encoded in batches of at most
    :data:`BATCH` texts and :data:`BATCH_TOKENS` word pieces, which keeps padding small; what padding is
    left, like the batch a text shares, moves a vector in its last bits only (float64, about 1e-16), far
    below the 6 decimals kept of each cosine. Batches run side by side, one thread each
    (:func:`toolkit.minilm.mean_pooled_batches`). Raises ``ModelUnavailableError`` when MiniLM is missing.

    Example:
        >>> v = embed_sentences(["A cat sat.", "A dog ran far away.", "A cat sat."])
        >>> v.shape, bool((v[0] == v[2]).all()), round(float(v[1] @ v[1]), 6)
        ((3, 384), True, 1.0)
    """
    with _LOCK:
        return _embed(list(dict.fromkeys(texts)), texts)


def _embed(unique: list[str], texts: Sequence[str]) -> np.ndarray:
    from toolkit.minilm import mean_pooled_batches
    from toolkit.scoring.embedding import _load

    found = {text: _CACHE[text] for text in unique if text in _CACHE}
    missing = [text for text in unique if text not in found]
    if missing:
        tokenizer, model = _load()
        ids = tokenizer(missing, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        order = sorted(range(len(missing)), key=lambda i: (len(ids[i]), missing[i]))
        parts = _batches([len(ids[i]) for i in order], order)
        pooled = mean_pooled_batches(model, [[ids[i] for i in part] for part in parts], pad_id=tokenizer.pad_token_id)
        for part, vectors in zip(parts, pooled):
            found.update((missing[i], vector) for i, vector in zip(part, vectors.double().numpy()))
    for text in unique:
        _CACHE[text] = found[text]
        _CACHE.move_to_end(text)
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return np.array([found[text] for text in texts]).reshape(len(texts), 384)


def _batches(lengths: Sequence[int], order: Sequence[int]) -> list[list[int]]:
    """``order`` (sorted by ascending ``lengths``) cut into batches of at most BATCH texts and BATCH_TOKENS pieces."""
    out: list[list[int]] = []
    for i, length in zip(order, lengths):
        if out and len(out[-1]) < BATCH and (len(out[-1]) + 1) * length <= BATCH_TOKENS:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def clear_cache() -> None:
    """Forget the sentence vectors kept by :func:`embed_sentences` (and the split sources).

    Example:
        >>> clear_cache(); len(_CACHE)
        0
    """
    with _LOCK:
        _CACHE.clear()
    _split.cache_clear()


def content_words(text: str) -> set[str]:
    """The ``tokens.v1`` forms of the content words of ``text`` (function words left out).

    Example:
        >>> sorted(content_words("The cats sat on a mat."))
        ['cat', 'mat', 'sat']
    """
    return {t.norm for t in tokens(text) if t.norm not in STOPWORDS and t.text.lower() not in STOPWORDS}


def split_with_spans(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Sentence spans of ``text`` and the sentences.

    Example:
        >>> split_with_spans("A cat. A dog.")
        ([(0, 6), (7, 13)], ['A cat.', 'A dog.'])
    """
    spans = sentence_spans(text)
    return spans, [text[a:b] for a, b in spans]


@lru_cache(maxsize=512)
def _split(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...], tuple[frozenset[str], ...]]:
    """Sentence spans, sentences and their content words, kept per text (a source serves many summaries)."""
    spans, sentences = split_with_spans(text)
    return tuple(spans), tuple(sentences), tuple(frozenset(content_words(s)) for s in sentences)


def align_many(pairs: Sequence[tuple[str, str]], *, model: bool = True) -> list[list[SentenceSupport]]:
    """Sentence support of several ``(summary, source)`` pairs, with one encoder pass over all sentences.

    With ``model=False`` no encoder is loaded: the cosine counts as 0 and the support is the overlap alone
    (``sentence_support.v1/lexical``).

    Example:
        >>> rows = align_many([("The cat sat. Dogs fly planes.", "The cat sat on the mat. It was warm.")])[0]
        >>> [(r.text, r.evidence, round(r.overlap, 2), r.support > 0.5) for r in rows][0]
        ('The cat sat.', 'The cat sat on the mat.', 1.0, True)
        >>> rows[1].text, rows[1].overlap, rows[1].support < 0.5
        ('Dogs fly planes.', 0.0, True)
    """
    split = [(_split(summary), _split(source)) for summary, source in pairs]
    everything = list(dict.fromkeys(s for (_, sums, _), (_, srcs, _) in split for s in (*sums, *srcs)))
    vectors = embed_sentences(everything) if model else np.zeros((len(everything), 1))
    row_of = {text: i for i, text in enumerate(everything)}
    out: list[list[SentenceSupport]] = []
    for (sum_spans, sums, sum_content), (src_spans, srcs, src_content) in split:
        a, b = vectors[[row_of[s] for s in sums]], vectors[[row_of[s] for s in srcs]]
        cos = np.round(a @ b.T, ROUND) if len(srcs) else np.zeros((len(sums), 0))
        rows = []
        for i, ((start, end), sentence, words) in enumerate(zip(sum_spans, sums, sum_content)):
            if not srcs:
                rows.append(SentenceSupport(start, end, sentence, 0.0 if words else float("nan"), 0.0, 0.0, -1, -1, ""))
                continue
            overlap = np.array([len(words & c) / len(words) if words else 0.0 for c in src_content])
            support = np.round((np.maximum(cos[i], 0.0) + overlap) / 2, ROUND) if model else overlap
            j = int(np.argmax(support))
            value = float(support[j]) if words else float("nan")
            rows.append(SentenceSupport(start, end, sentence, value, float(cos[i, j]), float(overlap[j]),
                                        src_spans[j][0], src_spans[j][1], srcs[j]))
        out.append(rows)
    return out


def sentence_support_values(summaries: Sequence[str], sources: Sequence[str]) -> list[float]:
    """Sentence support (0-100) of each summary: the mean best support of its sentences (NaN: no content word).

    Example:
        >>> sentence_support_values(["The cat sat."], ["The cat sat on the mat."])[0] > 75
        True
    """
    values = []
    for rows in align_many(list(zip(summaries, sources))):
        defined = [r.support for r in rows if r.support == r.support]
        values.append(round(100.0 * sum(defined) / len(defined), ROUND) if defined else float("nan"))
    return values
