"""BLEU, chrF, chrF++ and TER through sacreBLEU (Post, 2018), per segment and per corpus.

We wrap sacreBLEU and never re-implement it: its own ``Metric`` objects extract the per-segment sufficient
statistics, and its own ``_compute_score_from_stats`` turns column sums into scores, so the corpus value,
the bootstrap and the paired tests agree with ``sacrebleu`` to the digit. Segment BLEU is sentence BLEU with
``effective_order=True`` (as ``sacrebleu.sentence_bleu``); segment chrF and TER are the metric on one row.

The BLEU tokenizer is chosen from the target language as sacreBLEU does (``zh`` -> ``zh``, ``ja`` ->
``ja-mecab``, ``ko`` -> ``ko-mecab``, otherwise ``13a``), unless ``options`` name one; for those three
targets TER also gets sacreBLEU's ``normalized`` + ``asian_support`` (CJK characters split; its signature
shows ``norm:yes|asian:yes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from toolkit.errors import ConfigError, ModelUnavailableError
from toolkit.scoring.base import MetricInfo, MetricSpec, ScoringContext, SegmentStats, shared_units

_KINDS = {"bleu": "bleu", "chrf": "chrf", "chrf++": "chrf", "ter": "ter"}
_CJK_TARGETS = ("zh", "ja", "ko")


def to_streams(references: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Convert per-segment references (``refs[i]`` = references of segment i) to sacreBLEU's streams.

    Segments with fewer references than the most are padded with ``None``, which sacreBLEU reads as
    "no reference here" (its signature then says ``nrefs:var``).

    Example:
        >>> to_streams([["a", "b"], ["c"]])
        [['a', 'c'], ['b', None]]
    """
    width = max((len(refs) for refs in references), default=0)
    return [[refs[j] if j < len(refs) else None for refs in references] for j in range(width)]


def to_segments(streams: Sequence[Sequence[str | None]]) -> list[list[str]]:
    """Inverse of :func:`to_streams`: sacreBLEU streams -> per-segment lists (``None`` dropped).

    Example:
        >>> to_segments([["a", "c"], ["b", None]])
        [['a', 'b'], ['c']]
    """
    return [[r for r in column if r is not None] for column in zip(*streams)]


def make_metric(name: str, *, target_lang: str = "en", options: Mapping[str, Any] | None = None) -> Any:
    """Build the sacreBLEU metric object for ``name`` (``bleu``, ``chrf``, ``chrf++`` or ``ter``).

    Args:
        name: metric name.
        target_lang: target language code; picks the BLEU tokenizer when ``options`` do not.
        options: keyword arguments of ``sacrebleu.metrics.BLEU``/``CHRF``/``TER``.

    Returns:
        A ``sacrebleu.metrics`` object.

    Raises:
        ConfigError: unknown option for that metric.
        ModelUnavailableError: the tokenizer needs a package that is not installed (e.g. MeCab for ``ja``).

    Example:
        >>> make_metric("bleu", target_lang="zh").tokenizer.signature()
        'zh'
    """
    from sacrebleu.metrics import BLEU, CHRF, TER

    kwargs = dict(options or {})
    kind = _KINDS[name]
    try:
        if kind == "bleu":
            kwargs.setdefault("trg_lang", target_lang or "")
            return BLEU(**kwargs)
        if kind == "chrf":
            kwargs.setdefault("word_order", 2 if name == "chrf++" else 0)
            return CHRF(**kwargs)
        if target_lang in _CJK_TARGETS and "asian_support" not in kwargs and "normalized" not in kwargs:
            # otherwise a Chinese sentence is one TER token; sacreBLEU splits CJK only when normalising
            kwargs.update(asian_support=True, normalized=True)
        return TER(**kwargs)
    except TypeError as exc:
        raise ConfigError([f"{name}: {exc}; see sacrebleu.metrics.{kind.upper()} for the accepted options"]) from None
    except (ImportError, RuntimeError) as exc:  # sacreBLEU 2.6 raises RuntimeError when MeCab is missing
        missing = getattr(exc, "name", None) or "extra dependencies"
        raise ModelUnavailableError(
            f"{name}: the tokenizer for target language '{target_lang}' needs {missing}; "
            f"install them (pip install 'sacrebleu[{target_lang}]')"
        ) from None


def score_from_stats(
    name: str, sums: Sequence[float], *, target_lang: str = "en", options: Mapping[str, Any] | None = None
) -> float:
    """Corpus value from summed statistics, in sacreBLEU's row layout (BLEU: sys_len, ref_len, correct, total).

    Example:
        >>> round(score_from_stats("bleu", [11, 11, 9, 7, 5, 3, 10, 8, 6, 4]), 8)
        83.75922397
    """
    metric = make_metric(name, target_lang=target_lang, options=options)
    return float(metric._compute_score_from_stats(np.asarray(sums)).score)


def _segment_bleu(metric: Any, row: np.ndarray) -> float:
    order = metric.max_ngram_order
    return float(
        metric.compute_bleu(
            correct=row[2 : 2 + order],
            total=row[2 + order :],
            sys_len=int(row[0]),
            ref_len=int(row[1]),
            smooth_method=metric.smooth_method,
            smooth_value=metric.smooth_value,
            effective_order=True,
            max_ngram_order=order,
        ).score
    )


def sacrebleu_stats(
    name: str,
    *,
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    target_lang: str = "en",
    options: Mapping[str, Any] | None = None,
    rows: Sequence[Sequence[float]] | None = None,
) -> SegmentStats:
    """Per-segment sufficient statistics of a sacreBLEU metric, with its corpus score and signature.

    Args:
        name: ``bleu``, ``chrf``, ``chrf++`` or ``ter``.
        predictions: one hypothesis per segment.
        references: per segment, one or more references.
        target_lang: target language (BLEU tokenizer choice).
        options: sacreBLEU keyword arguments (e.g. ``{"tokenize": "intl"}``).
        rows: the per-segment statistics rows when already extracted (see :func:`sacrebleu_rows`); the
            references then only set the signature's ``nrefs``.

    Returns:
        ``SegmentStats`` whose ``corpus_score`` equals ``sacrebleu.corpus_<metric>`` exactly.

    Example:
        >>> s = sacrebleu_stats("bleu", predictions=["the cat sat on the mat"], references=[["the cat sat on a mat"]])
        >>> round(s.corpus_score, 4), s.stats.tolist(), s.signature
        (53.7285, [[6, 6, 5, 3, 2, 1, 6, 5, 4, 3]], 'bleu|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0')
    """
    metric = make_metric(name, target_lang=target_lang, options=options)
    if rows is None:
        raw = metric._extract_corpus_statistics(list(predictions), to_streams(references))
    else:
        raw = [list(row) for row in rows]
        counts = {len([r for r in refs if r is not None]) for refs in references}
        metric.num_refs = counts.pop() if len(counts) == 1 else -1  # as sacreBLEU's reference cache sets it
    corpus = metric._aggregate_and_compute(raw)
    stats = np.array(raw) if raw else np.zeros((0, 2))

    def aggregate(sums: np.ndarray) -> float:
        return float(metric._compute_score_from_stats(sums).score)

    kind = _KINDS[name]
    extra: dict[str, Any] = {}
    if kind == "bleu":
        segment = np.array([_segment_bleu(metric, row) for row in stats])
        extra = {
            "counts": [int(c) for c in corpus.counts],
            "totals": [int(t) for t in corpus.totals],
            "precisions": [float(p) for p in corpus.precisions],
            "bp": float(corpus.bp),
            "sys_len": int(corpus.sys_len),
            "ref_len": int(corpus.ref_len),
        }
    else:
        segment = np.array([aggregate(row) for row in stats])
        if kind == "ter":
            extra = {"num_edits": float(corpus.num_edits), "ref_length": float(corpus.ref_length)}
    signature = f"{name}|{metric.get_signature().format()}"
    return SegmentStats(
        stats=stats,
        aggregate=aggregate,
        corpus_score=float(corpus.score),
        segment_scores=segment,
        signature=signature,
        resample_dtype=np.float32,  # sacrebleu.significance resamples float32 rows
        corpus_extra=extra,
    )


def sacrebleu_rows(
    name: str, *, predictions: Sequence[str], references: Sequence[Sequence[str]], target_lang: str = "en",
    options: Mapping[str, Any] | None = None,
) -> list[list[float]]:
    """sacreBLEU's per-segment statistics rows (each depends only on its own segment).

    Example:
        >>> sacrebleu_rows("chrf", predictions=["a cat"], references=[["a cat"]])
        [[4, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0, 0]]
    """
    metric = make_metric(name, target_lang=target_lang, options=options)
    raw = metric._extract_corpus_statistics(list(predictions), to_streams(references))
    return [[x.item() if isinstance(x, np.generic) else x for x in row] for row in raw]


def _compute(name: str):
    def compute(ctx: ScoringContext) -> SegmentStats:
        import sacrebleu

        lang = ctx.settings.target_lang
        key = f"{name}|lang:{lang}|sacrebleu:{sacrebleu.__version__}"
        rows = shared_units(ctx, key, lambda: sacrebleu_rows(
            name, predictions=ctx.predictions, references=ctx.references, target_lang=lang))
        return sacrebleu_stats(name, predictions=ctx.predictions, references=ctx.references, target_lang=lang, rows=rows)

    compute.__name__ = f"compute_{name}"
    return compute


METRICS = [
    MetricSpec(
        MetricInfo("bleu", "sacreBLEU BLEU (corpus: from summed n-gram counts; segment: sentence BLEU, effective order)",
                   higher_is_better=True, range=(0.0, 100.0)),
        _compute("bleu"),
    ),
    MetricSpec(
        MetricInfo("chrf", "sacreBLEU chrF2 (character 6-grams, beta 2)", higher_is_better=True, range=(0.0, 100.0)),
        _compute("chrf"),
    ),
    MetricSpec(
        MetricInfo("chrf++", "sacreBLEU chrF++ (chrF2 plus word 1-2-grams)", higher_is_better=True, range=(0.0, 100.0)),
        _compute("chrf++"),
    ),
    MetricSpec(
        MetricInfo("ter", "sacreBLEU TER (translation edit rate; lower is better)", higher_is_better=False,
                   range=(0.0, float("inf"))),
        _compute("ter"),
    ),
]
ALIASES = {"chrfpp": "chrf++", "chrf2": "chrf"}
