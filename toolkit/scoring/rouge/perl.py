"""ROUGE-1.5.5 reproduced in Python: per-document scores and its ``Average_R/P/F`` with 95% CI.

Reproduces ``ROUGE-1.5.5.pl -c 95 -2 4 -U -r 1000 -n 4 -w 1.2 -a -d [-m]`` on SPL input (one sentence
per line; here one ``\\n``-separated line of a text), to the 5 digits it prints. Rewritten from the
description of the algorithm in Lin (2004) and the behaviour of the script; no Perl runs.

What the script does, and this module with it:

* ROUGE-N and ROUGE-S/SU count clipped n-gram (skip-bigram) hits of the peer against each model
  (reference); the skip-bigram loop never adds the unigram of the *last* token for SU.
* ROUGE-L is summary-level: per model sentence, the union of the LCS positions against every peer
  sentence, clipped by the unigram counts of the two texts (rouge-score's ``rougeLsum``).
* ROUGE-W-1.2 is the same over its weighted-LCS path; hits are ``run_length ** 1.2`` per run of
  consecutive hits, and the model and peer counts are raised to 1.2 once more when summed.
* Several models (``-f A``, the default, our ``multi_ref="average"``) sum hits and counts over models;
  the peer count is added once per model. ``-f B`` (our ``"best"``) keeps the model with the best recall.
* R and P are rounded to 5 decimals (``%7.5f``) and F = P·R / (0.5·P + 0.5·R) is computed from the
  rounded values, then rounded.
* ``Average_R/P/F`` is the mean of 1,000 bootstrap means; resample ``i`` is drawn after ``srand(i)``
  with Perl's ``drand48`` over the documents in sorted id order; the CI takes order statistics of the
  same samples (:func:`rouge155_average`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.errors import InputError, UnknownNameError
from toolkit.scoring.rouge.lcs import SummaryLCS, wlcs_hit_mask
from toolkit.scoring.rouge.records import PRF
from toolkit.scoring.rouge.tokenize import split_sentences, tokenize_rouge155

ALPHA = 0.5  # -p default: equal weight of recall and precision
WLCS_WEIGHT = 1.2  # -w 1.2
PERL_OPTIONS = "-c 95 -2 4 -U -r 1000 -n 4 -w 1.2 -a -d"
_NGRAM = re.compile(r"rouge([1-9])$")
_SKIP = re.compile(r"rougeS(U?)([0-9])$")


def rouge155_variant_ok(name: str) -> bool:
    """Whether ``name`` is a ROUGE variant of the rouge155 mode (rouge1-9, L, Lsum, W, S<d>, SU<d>)."""
    return bool(name in ("rougeL", "rougeLsum", "rougeW") or _NGRAM.match(name) or _SKIP.match(name))


def _r5(x: float) -> float:
    """Perl's ``sprintf("%7.5f", x)`` read back as a number."""
    return float(f"{x:.5f}")


def _prf(hit: float, count: float, count_p: float, inverse: float | None = None) -> PRF:
    if inverse is None:
        r = _r5(hit / count) if count != 0 else 0.0
        p = _r5(hit / count_p) if count_p != 0 else 0.0
    else:
        r = _r5((hit / count) ** inverse) if count != 0 else 0.0
        p = _r5((hit / count_p) ** inverse) if count_p != 0 else 0.0
    den = (1 - ALPHA) * p + ALPHA * r
    f = _r5((p * r) / den) if den > 0 else 0.0
    return PRF(precision=p, recall=r, fmeasure=f)


@dataclass(frozen=True)
class _Text:
    lines: list[list[str]]  # tokens of each non-empty line
    tokens: list[str]
    lsum_lines: list[list[str]]


def _read(text: str, stem: bool, exceptions: bool, lsum_split: str) -> _Text:
    lines = [tokenize_rouge155(s, stem, exceptions) for s in text.split("\n") if len(s) > 0]
    tokens = [t for line in lines for t in line]
    if lsum_split == "newline":
        lsum = lines
    else:
        lsum = [tokenize_rouge155(s, stem, exceptions) for s in split_sentences(text, lsum_split)]
    return _Text(lines=lines, tokens=tokens, lsum_lines=lsum)


def _ngrams(tokens: list[str], n: int) -> Counter[Hashable]:
    if n == 1:
        return Counter(tokens)
    return Counter(zip(*(tokens[i:] for i in range(n))))


def _skip_bigrams(tokens: list[str], skip: int, unigrams: bool) -> Counter[Hashable]:
    grams: Counter[Hashable] = Counter()
    last = len(tokens) - 1
    for i in range(last):  # the script stops before the last token, also for its unigram
        if unigrams:
            grams[tokens[i]] += 1
        for j in range(i + 1, min(last, i + skip + 1) + 1):
            grams[(tokens[i], tokens[j])] += 1
    return grams


def _clipped_hits(model: Counter[Hashable], peer: Counter[Hashable]) -> int:
    hits = 0
    for g, c in model.items():
        pc = peer.get(g)
        if pc:
            hits += c if c < pc else pc
    return hits


class _Combiner:
    """Sums hits and counts over models (``-f A``) or keeps the best-recall model (``-f B``)."""

    def __init__(self, best: bool) -> None:
        self.best = best
        self.best_score = -1.0
        self.hit = 0.0
        self.count = 0.0
        self.count_p = 0.0

    def add(self, hit: float, count: float, count_p: float, score: float) -> None:
        if self.best:
            if score > self.best_score:
                self.best_score, self.hit, self.count, self.count_p = score, hit, count, count_p
        else:
            self.hit += hit
            self.count += count
            self.count_p += count_p


def _lcs_hits(model_sents: list[list[str]], lcs: SummaryLCS, model_1: Counter[str], peer_1: Counter[str]) -> int:
    hits = 0
    for sent, positions in zip(model_sents, lcs.positions(model_sents)):
        for i in positions:
            t = sent[i]
            if model_1.get(t, 0) > 0 and peer_1.get(t, 0) > 0:
                hits += 1
                model_1[t] -= 1
                peer_1[t] -= 1
    return hits


def _wlcs_hits(
    model_sents: list[list[str]], peer_sents: list[list[str]], model_1: Counter[str], peer_1: Counter[str]
) -> tuple[float, float]:
    hit = 0.0
    base = 0.0
    for sent in model_sents:
        mask = [0] * len(sent)
        base += len(sent) ** WLCS_WEIGHT
        for peer in peer_sents:
            wlcs_hit_mask(sent, peer, WLCS_WEIGHT, mask)
        run = 0
        for j, t in enumerate(sent):
            if mask[j] == 1 and model_1.get(t, 0) > 0 and peer_1.get(t, 0) > 0:
                run += 1
                if j + 1 < len(sent) and mask[j + 1] == 0:
                    hit += run**WLCS_WEIGHT
                    run = 0
                elif j + 1 == len(sent):
                    hit += run**WLCS_WEIGHT
                    run = 0
                model_1[t] -= 1
                peer_1[t] -= 1
    return hit, base


def rouge155_segment(
    prediction: str,
    references: Sequence[str],
    variants: Sequence[str],
    *,
    stem: bool = False,
    exceptions: bool = True,
    multi_ref: str = "average",
    lsum_split: str = "newline",
) -> dict[str, PRF]:
    """ROUGE-1.5.5's per-document scores of one peer text against its model texts.

    Args:
        prediction: The peer summary; ``\\n`` separates its sentences (SPL lines).
        references: The model summaries, same convention.
        variants: Names among ``rouge1``..``rouge9``, ``rougeL``, ``rougeLsum``, ``rougeW`` (ROUGE-W-1.2),
            ``rougeS<d>`` and ``rougeSU<d>``.
        stem: ``-m``.
        exceptions: With ``stem``, use the WordNet 2.0 exception lists (``False``: empty database).
        multi_ref: ``"average"`` (``-f A``, the script's default) or ``"best"`` (``-f B``).
        lsum_split: Sentence split for ``rougeLsum`` (``rougeL`` always uses the lines).

    Returns:
        Variant name -> :class:`PRF` as the script prints it (5 decimals, 0-1 scale).

    Raises:
        UnknownNameError: A variant this mode does not know.

    Example:
        >>> s = rouge155_segment("the cat sat on the mat", ["the cat was on the mat"], ["rouge1", "rougeW"])
        >>> s["rouge1"], s["rougeW"].recall
        (PRF(precision=0.83333, recall=0.83333, fmeasure=0.83333), 0.5209)
    """
    for v in variants:
        if not rouge155_variant_ok(v):
            raise UnknownNameError(
                "rouge155 variant", v, ["rouge1", "rouge2", "rouge3", "rouge4", "rougeL", "rougeLsum",
                                        "rougeW", "rougeS4", "rougeSU4"],
            )  # fmt: skip
    if multi_ref not in ("average", "best"):
        raise InputError(f"multi_ref: expected 'average' or 'best', got {multi_ref!r}")
    if not references:
        raise InputError("references: a segment has no reference; give at least one")
    best = multi_ref == "best"
    peer = _read(prediction, stem, exceptions, lsum_split)
    models = [_read(r, stem, exceptions, lsum_split) for r in references]
    peer_1 = Counter(peer.tokens)
    n_peer = len(peer.tokens)
    out: dict[str, PRF] = {}
    for v in variants:
        comb = _Combiner(best)
        if v in ("rougeL", "rougeLsum"):
            use_lsum = v == "rougeLsum"
            lcs = SummaryLCS(peer.lsum_lines if use_lsum else peer.lines)
            for model in models:
                sents = model.lsum_lines if use_lsum else model.lines
                hit = _lcs_hits(sents, lcs, Counter(model.tokens), Counter(peer_1))
                base = len(model.tokens)
                comb.add(hit, base, n_peer, hit / base if base > 0 else 0.0)
            out[v] = _prf(comb.hit, comb.count, comb.count_p)
        elif v == "rougeW":
            for model in models:
                hit, base = _wlcs_hits(model.lines, peer.lines, Counter(model.tokens), Counter(peer_1))
                score = (hit / base) ** (1 / WLCS_WEIGHT) if base > 0 else 0.0
                comb.add(hit, base**WLCS_WEIGHT, n_peer**WLCS_WEIGHT, score)
            out[v] = _prf(comb.hit, comb.count, comb.count_p, inverse=1 / WLCS_WEIGHT)
        else:
            m = _NGRAM.match(v)
            if m:
                n = int(m.group(1))
                peer_g = _ngrams(peer.tokens, n)
                peer_cn = max(len(peer.tokens) - n + 1, 0)
                model_grams = [(_ngrams(x.tokens, n), max(len(x.tokens) - n + 1, 0)) for x in models]
            else:
                ms = _SKIP.match(v)
                assert ms is not None  # checked above
                unigrams, skip = ms.group(1) == "U", int(ms.group(2))
                peer_g = _skip_bigrams(peer.tokens, skip, unigrams)
                peer_cn = sum(peer_g.values())
                model_grams = []
                for x in models:
                    g = _skip_bigrams(x.tokens, skip, unigrams)
                    model_grams.append((g, sum(g.values())))
            for grams, cn in model_grams:
                hit = _clipped_hits(grams, peer_g)
                comb.add(hit, cn, peer_cn, _r5(hit / cn) if cn != 0 else 0.0)
            out[v] = _prf(comb.hit, comb.count, comb.count_p)
    return out


def _drand48_indices(seed: int, n: int) -> list[int]:
    """``int(rand(n))`` drawn ``n`` times after Perl's ``srand(seed)`` (Perl's own drand48)."""
    x = ((seed & 0xFFFFFFFF) << 16) | 0x330E
    out = []
    for _ in range(n):
        x = (0x5DEECE66D * x + 0xB) & 0xFFFFFFFFFFFF
        out.append(int(n * (x / 281474976710656.0)))
    return out


@dataclass(frozen=True)
class Rouge155Average:
    """``Average_R/P/F`` and the confidence interval as ROUGE-1.5.5 prints them (0-1 scale).

    Example:
        >>> result = rouge155_average({"d1": PRF(0.5, 0.4, 0.44444), "d2": PRF(0.3, 0.2, 0.24)})
        >>> sorted(result.to_dict()), result.ci_low.recall <= result.average.recall <= result.ci_high.recall
        (['average', 'ci', 'confidence', 'n_samples'], True)
    """

    average: PRF
    ci_low: PRF
    ci_high: PRF
    confidence: float
    n_samples: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "average": self.average.to_dict(),
            "ci": {"low": self.ci_low.to_dict(), "high": self.ci_high.to_dict()},
            "confidence": self.confidence,
            "n_samples": self.n_samples,
        }


def rouge155_average(
    per_doc: Mapping[str, PRF], *, peer_id: str = "1", n_samples: int = 1000, confidence: float = 95.0
) -> Rouge155Average:
    """Replay ROUGE-1.5.5's ``Average_R/P/F`` and CI from its per-document scores.

    The script's average is not the mean of the documents: it is the mean of ``n_samples`` bootstrap
    means, resample ``i`` drawn after ``srand(i)`` with Perl's drand48 (``x <- 0x5DEECE66D*x + 0xB mod
    2**48``, seeded ``(i << 16) | 0x330E``, index ``int(drand48() * n)``) over the documents sorted by
    ``"<id>.<peer_id>"``; the CI interpolates the sorted sample means (``-c``).

    Args:
        per_doc: Document id -> per-document score (the 5-decimal values the script prints with ``-d``).
        peer_id: The peer (system) id the script appends to each document id before sorting.
        n_samples: ``-r``.
        confidence: ``-c``.

    Returns:
        The printed average and interval.

    Raises:
        InputError: No documents.

    Example:
        >>> docs = {"d1": PRF(0.5, 0.4, 0.44444), "d2": PRF(0.3, 0.2, 0.24), "d3": PRF(0.1, 0.6, 0.17143)}
        >>> rouge155_average(docs).average
        PRF(precision=0.30013, recall=0.40013, fmeasure=0.28543)
    """
    if not per_doc:
        raise InputError("per_doc: no documents to average")
    keys = sorted(per_doc, key=lambda k: f"{k}.{peer_id}")
    rows = [(_r5(per_doc[k].recall), _r5(per_doc[k].precision), _r5(per_doc[k].fmeasure)) for k in keys]
    n = len(rows)
    samples: list[list[float]] = [[], [], []]
    for seed in range(n_samples):
        acc: list[float] | None = None
        for idx in _drand48_indices(seed, n):
            row = rows[idx]
            if acc is None:
                acc = [row[0], row[1], row[2]]
            else:
                acc[0] += row[0]
                acc[1] += row[1]
                acc[2] += row[2]
        assert acc is not None
        for k in range(3):
            samples[k].append(acc[k] / n)
    delta = n_samples * ((100 - confidence) / 2.0) / 100.0
    ci_ua = int(n_samples - delta - 1)
    ci_la = int(delta)
    ci_r = n_samples - delta - 1 - ci_ua
    avg, low, high = [], [], []
    for k in range(3):
        ranked = sorted(samples[k])
        total = 0.0
        for value in ranked:
            total += value
        avg.append(_r5(total / len(ranked)))
        low.append(_r5(ranked[ci_la] + (ranked[ci_la + 1] - ranked[ci_la]) * ci_r))
        high.append(_r5(ranked[ci_ua] + (ranked[ci_ua + 1] - ranked[ci_ua]) * ci_r))

    def prf(x: list[float]) -> PRF:
        return PRF(precision=x[1], recall=x[0], fmeasure=x[2])

    return Rouge155Average(prf(avg), prf(low), prf(high), confidence, n_samples)
