"""ROUGE (Lin 2004) in three modes: ``rouge-score``, ``rouge155`` and ``unicode``.

* ``rouge-score`` (default): the numbers of Google's rouge-score 0.1.2 (``RougeScorer(...).score`` and,
  with several references, ``score_multi``) to 1e-9, including its tokenizer (lower-case, anything
  outside ``[a-z0-9]`` separates tokens, NLTK Porter stemming of tokens longer than 3 characters),
  ``rougeL`` (LCS of the whole texts) and ``rougeLsum`` (summary-level union LCS over sentences). It is
  a re-implementation proved equal by ``tests/test_rouge_parity.py``: tokenisation with C-level string
  operations, stems cached per token, n-grams counted in dicts and sets, the LCS computed bit-parallel
  and ROUGE-L / ROUGE-Lsum in one pass (:mod:`toolkit.scoring.rouge.lcs`); see
  ``eval/bench/results/rouge.md`` for its speed against rouge-score.
* ``rouge155``: the original ROUGE-1.5.5 Perl script run as ``-c 95 -2 4 -U -r 1000 -n 4 -w 1.2 -a -d
  [-m]`` (:mod:`toolkit.scoring.rouge.perl`), to the 5 digits it prints; adds ``rougeW`` (ROUGE-W-1.2),
  ``rougeS4``, ``rougeSU4`` and ``rouge3``..``rouge9``.
* ``unicode``: rouge-score's algorithms over a tokenizer that keeps letters and digits of every script
  and makes each CJK character a token (identical Chinese strings score 1, not 0).

Multi-reference: ``best`` keeps, per variant, the reference with the highest F (first on ties), as
rouge-score's ``score_multi``; ``average`` averages precision, recall and F over the references. In
``rouge155`` mode ``average`` is the script's ``-f A`` (hits and counts summed over references, its
default) and ``best`` its ``-f B`` (the reference with the best recall).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from toolkit.errors import InputError, InputLengthError, UnknownNameError
from toolkit.scoring.rouge.perl import Rouge155Average as Rouge155Average
from toolkit.scoring.rouge.perl import (
    rouge155_average,
    rouge155_segment,
    rouge155_variant_ok,
)
from toolkit.scoring.rouge.records import PRF, make_prf
from toolkit.scoring.rouge.sides import Side, _count_elements, make_side, rs_stem_bytes
from toolkit.scoring.rouge.tokenize import (
    nltk_porter_stem,
    rouge_score_stem,
)
from toolkit.scoring.settings import LSUM_SPLITS, MULTI_REF_RULES, ROUGE_MODES

__all__ = [
    "MODES",
    "PRF",
    "Rouge155Average",
    "clear_caches",
    "rouge",
    "rouge155_average",
    "rouge_variants",
]

MODES = ROUGE_MODES
MULTI_REF = MULTI_REF_RULES
#: The variants :func:`rouge` and :func:`~toolkit.scoring.rouge.rouge_signature` use when none are named.
DEFAULT_VARIANTS: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_NGRAM = re.compile(r"rouge([1-9])$")
_ZERO = PRF(precision=0.0, recall=0.0, fmeasure=0.0)


_TOKENIZER_NAMES = {"rouge-score": "rouge-score.v1", "unicode": "unicode.v1", "rouge155": "rouge155.v1"}


def clear_caches() -> None:
    """Empty the per-token stem caches (for benchmarks that must start cold).

    Example:
        >>> clear_caches()
    """
    rs_stem_bytes.cache_clear()
    rouge_score_stem.cache_clear()
    nltk_porter_stem.cache_clear()


def rouge_variants(mode: str = "rouge-score") -> tuple[str, ...]:
    """The variant names a mode accepts (``rouge155`` also takes ``rougeS<d>`` / ``rougeSU<d>``).

    Example:
        >>> rouge_variants()[-2:]
        ('rougeL', 'rougeLsum')
    """
    base = tuple(f"rouge{n}" for n in range(1, 10)) + ("rougeL", "rougeLsum")
    return base + ("rougeW", "rougeS4", "rougeSU4") if mode == "rouge155" else base


def _check_settings(variants: Sequence[str], mode: str, multi_ref: str, lsum_split: str) -> None:
    if mode not in MODES:
        raise UnknownNameError("rouge mode", mode, MODES)
    if multi_ref not in MULTI_REF:
        raise UnknownNameError("multi-reference rule", multi_ref, MULTI_REF)
    if lsum_split not in LSUM_SPLITS:
        raise UnknownNameError("rougeLsum sentence splitter", lsum_split, LSUM_SPLITS)
    if isinstance(variants, str):
        raise InputError(f"variants: expected a list of names, got the string {variants!r}")
    if not variants:
        raise InputError("variants: empty; name at least one, e.g. ['rouge1', 'rougeL']")
    for v in variants:
        ok = rouge155_variant_ok(v) if mode == "rouge155" else bool(v in ("rougeL", "rougeLsum") or _NGRAM.match(v))
        if not ok:
            raise UnknownNameError(f"ROUGE variant (mode {mode})", v, rouge_variants(mode))


def _score_ngram(ref: Side, pred: Side, n: int) -> PRF:
    n_ref = len(ref.tokens) - n + 1
    n_pred = len(pred.tokens) - n + 1
    if n > 1 and n_ref <= 200:
        # min(count_ref, count_pred) summed over n-grams is the size of the set intersection as soon
        # as one side repeats no n-gram (the usual case for n >= 2 in short texts).
        rs = ref.gram_set(n)
        ps = pred.gram_set(n)
        if len(rs) == n_ref or len(ps) == n_pred:
            hits = len(rs & ps)
        else:
            rg, pg = ref.grams(n), pred.grams(n)
            common = rg.keys() & pg.keys()
            hits = sum(map(min, map(rg.__getitem__, common), map(pg.__getitem__, common)))
    else:
        rg, pg = ref.grams(n), pred.grams(n)
        common = rg.keys() & pg.keys()
        hits = sum(map(min, map(rg.__getitem__, common), map(pg.__getitem__, common)))
    p = hits / max(n_pred, 1)
    r = hits / max(n_ref, 1)
    return PRF(p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)


def _score_lcs(ref: Side, pred: Side) -> PRF:
    if not ref.tokens or not pred.tokens:
        return _ZERO
    lcs = pred.lcs_length(ref.tokens)
    p = lcs / len(pred.tokens)
    r = lcs / len(ref.tokens)
    return PRF(p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)


def _pair_lcs(ref: Side, pred: Side) -> tuple[Side, list[int], int]:
    """Lsum hit tokens and whole-text LCS of one pair, computed in one pass and kept on ``ref``."""
    c = ref._pair
    if c is None or c[0] is not pred:
        hits, lcs = pred.summary().hits_and_lcs(ref.sents)
        c = ref._pair = (pred, hits, lcs)
    return c


def _score_lcs_shared(ref: Side, pred: Side) -> PRF:
    # rougeL and rougeLsum both requested, sentences = lines: the tokens are the sentences' tokens.
    if not ref.tokens or not pred.tokens:
        return _ZERO
    lcs = _pair_lcs(ref, pred)[2]
    p = lcs / len(pred.tokens)
    r = lcs / len(ref.tokens)
    return PRF(p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)


def _score_lsum(ref: Side, pred: Side, shared: bool = False) -> PRF:
    if not ref.sents or not pred.sents:
        return _ZERO
    m = len(ref.tokens) if ref._concat else sum(map(len, ref.sents))
    n = len(pred.tokens) if pred._concat else sum(map(len, pred.sents))
    if not n or not m:
        return _ZERO
    # rouge-score clips hit by hit (a hit of token t counts while t is left in both texts' unigram
    # counts); per token that is min(union hits of t, count in prediction), the reference count being
    # at least the union hits (distinct reference positions).
    counted: dict[int, int] = {}
    _count_elements(counted, _pair_lcs(ref, pred)[1] if shared else pred.summary().hits_and_lcs(ref.sents)[0])
    # a hit is its token's match mask in the prediction layout; its popcount is the prediction count
    hits = sum(map(min, counted.values(), map(int.bit_count, counted)))
    r = hits / m
    p = hits / n
    return PRF(p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)


def _scorer(variant: str, shared_lcs: bool):  # type: ignore[no-untyped-def]
    if variant == "rougeL":
        return _score_lcs_shared if shared_lcs else _score_lcs
    if variant == "rougeLsum":
        return (lambda ref, pred: _score_lsum(ref, pred, True)) if shared_lcs else _score_lsum
    n = int(variant[5:])
    return lambda ref, pred: _score_ngram(ref, pred, n)


_FAST_VARIANTS = frozenset({"rouge1", "rouge2", "rougeL", "rougeLsum"})


def _fast_pair(pred: Side, ref: Side, variants: list[str], any_lcs: bool, lsum: bool) -> dict[str, PRF]:
    """rouge1/2/L/Lsum of one prediction and one reference, the common case, without per-variant calls.

    The same arithmetic as ``_score_ngram``, ``_score_lcs`` and ``_score_lsum``, inlined; the parity
    tests run through both paths (single references here, several references there).
    """
    pt, rt = pred.tokens, ref.tokens
    np_, nr = len(pt), len(rt)
    out: dict[str, PRF] = {}
    with_lcs = any_lcs and np_ > 0 and nr > 0
    lcs = -1
    hit_masks: list[int] = []
    for v in variants:
        if v == "rouge1":
            rc = ref.grams(1)
            if with_lcs:  # the prediction's layout holds one match mask per token: popcount = count
                masks = pred.summary().masks
                common = rc.keys() & masks.keys()
                hits = sum(map(min, map(rc.__getitem__, common), map(int.bit_count, map(masks.__getitem__, common))))
            else:
                pc = pred.grams(1)
                common = rc.keys() & pc.keys()
                hits = sum(map(min, map(rc.__getitem__, common), map(pc.__getitem__, common)))
            p = hits / max(np_, 1)
            r = hits / max(nr, 1)
        elif v == "rouge2":
            # min(count_ref, count_pred) summed is the size of the set intersection when one side
            # repeats no bigram, the usual case for short texts; long ones go straight to counts.
            rs = ps = None
            if nr <= 200:
                ps = set(zip(pt, pt[1:]))
                rs = set(zip(rt, rt[1:]))
            if rs is not None and ps is not None and (len(rs) == nr - 1 or len(ps) == np_ - 1):
                hits = len(rs & ps)
            else:
                p2, r2 = pred.grams(2), ref.grams(2)
                common = r2.keys() & p2.keys()
                hits = sum(map(min, map(r2.__getitem__, common), map(p2.__getitem__, common)))
            p = hits / max(np_ - 1, 1)
            r = hits / max(nr - 1, 1)
        else:
            if not np_ or not nr:
                out[v] = _ZERO
                continue
            if lcs < 0:
                if lsum:
                    hit_masks, lcs = pred.summary().hits_and_lcs(ref.sents)
                else:
                    lcs = pred.summary().lcs_length(rt)
            if v == "rougeL":
                p = lcs / np_
                r = lcs / nr
            else:
                counted: dict[int, int] = {}
                _count_elements(counted, hit_masks)
                # a hit is its token's match mask in the prediction; popcount = prediction count
                hits = sum(map(min, counted.values(), map(int.bit_count, counted)))
                p = hits / np_
                r = hits / nr
        out[v] = make_prf(p, r, 2 * p * r / (p + r) if p + r > 0 else 0.0)
    return out


def _combine(scores: list[PRF], multi_ref: str) -> PRF:
    if len(scores) == 1:
        return scores[0]
    if multi_ref == "best":
        best = scores[0]
        for s in scores[1:]:
            if s.fmeasure > best.fmeasure:
                best = s
        return best
    k = len(scores)
    return PRF(
        precision=sum(s.precision for s in scores) / k,
        recall=sum(s.recall for s in scores) / k,
        fmeasure=sum(s.fmeasure for s in scores) / k,
    )


def rouge(
    *,
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    variants: Sequence[str] = DEFAULT_VARIANTS,
    mode: str = "rouge-score",
    stem: bool = False,
    multi_ref: str = "best",
    lsum_split: str = "newline",
    rouge155_exceptions: bool = True,
) -> list[dict[str, PRF]]:
    """Per-segment ROUGE scores (0-1 scale).

    Args:
        predictions: One text per segment; ``\\n`` separates sentences (for ``rougeLsum`` and
            ``rouge155``).
        references: ``references[i]`` holds the reference texts of segment ``i`` (one or more).
        variants: ``rouge1``..``rouge9``, ``rougeL``, ``rougeLsum``; in ``rouge155`` mode also ``rougeW``
            (ROUGE-W-1.2), ``rougeS4`` and ``rougeSU4``.
        mode: ``"rouge-score"``, ``"rouge155"`` or ``"unicode"`` (see the module doc).
        stem: Porter stemming (``rouge155``: ROUGE-1.5.5 ``-m``, with the WordNet 2.0 exceptions).
        multi_ref: ``"best"`` or ``"average"`` (see the module doc for ``rouge155``).
        lsum_split: Sentences for ``rougeLsum``: ``"newline"`` or ``"builtin"`` (no download).
        rouge155_exceptions: ``rouge155`` with ``stem``: use the WordNet exception lists (``False``
            reproduces ROUGE-1.5.5 installed with an empty exception database).

    Returns:
        One dict per segment, variant name -> :class:`PRF`. An empty prediction or reference scores 0.

    Raises:
        InputLengthError: ``predictions`` and ``references`` differ in length.
        InputError: A segment without references, or a non-string text.
        UnknownNameError: An unknown mode, variant, rule or splitter.

    Example:
        >>> s = rouge(predictions=["the cat sat on the mat"], references=[["the cat was on the mat"]])
        >>> round(s[0]["rouge1"].fmeasure, 4), round(s[0]["rouge2"].fmeasure, 4)
        (0.8333, 0.6)
        >>> rouge(predictions=["北京欢迎你"], references=[["北京欢迎你"]], mode="unicode")[0]["rougeL"].fmeasure
        1.0
    """
    _check_settings(variants, mode, multi_ref, lsum_split)
    if len(predictions) != len(references):
        raise InputLengthError(
            f"{len(predictions)} predictions but {len(references)} references; give one reference list per prediction"
        )
    for i, (pred, refs) in enumerate(zip(predictions, references)):
        if not isinstance(pred, str):
            raise InputError(f"predictions[{i}]: expected a string, got {type(pred).__name__}")
        if isinstance(refs, str):
            raise InputError(f"references[{i}]: expected a list of reference strings, got a string")
        if len(refs) == 0:
            raise InputError(f"references[{i}]: no reference for this segment; give at least one")
        for k, r in enumerate(refs):
            if not isinstance(r, str):
                raise InputError(f"references[{i}][{k}]: expected a string, got {type(r).__name__}")
    variants = list(variants)
    if mode == "rouge155":
        rule = "average" if multi_ref == "average" else "best"
        return [
            rouge155_segment(
                pred, list(refs), variants, stem=stem, exceptions=rouge155_exceptions,
                multi_ref=rule, lsum_split=lsum_split,
            )  # fmt: skip
            for pred, refs in zip(predictions, references)
        ]
    need_sents = "rougeLsum" in variants
    shared_lcs = lsum_split == "newline" and "rougeL" in variants and "rougeLsum" in variants
    scorers = [(v, _scorer(v, shared_lcs)) for v in variants]
    fast = lsum_split == "newline" and set(variants) <= _FAST_VARIANTS
    any_lcs = "rougeL" in variants or need_sents
    out: list[dict[str, PRF]] = []
    for pred, refs in zip(predictions, references):
        p_side = make_side(pred, mode, stem, lsum_split, need_sents)
        if len(refs) == 1:
            r_side = make_side(refs[0], mode, stem, lsum_split, need_sents)
            if fast:
                out.append(_fast_pair(p_side, r_side, variants, any_lcs, need_sents))
            else:
                out.append({v: fn(r_side, p_side) for v, fn in scorers})
        else:
            r_sides = [make_side(r, mode, stem, lsum_split, need_sents) for r in refs]
            out.append({v: _combine([fn(r, p_side) for r in r_sides], multi_ref) for v, fn in scorers})
    return out
