"""Faithfulness metrics for the scoring registry: how much of a summary its source supports.

Four metrics read the sources (``needs_source``); each is a per-segment value (0-100, higher is better)
with a bootstrap CI and a signature:

- ``support_lexical`` (``lexical.v1``): % of the summary's content words (stemmed) found in the source
  (:func:`toolkit.scoring.support.lexical_support`); the all-word unigram and bigram support are extra
  columns ``support_lexical_1gram`` / ``support_lexical_2gram``;
- ``support_entity`` (``mentions.v1``): % of the summary's names, numbers and dates that the source
  supports, glossary-aware (:func:`toolkit.scoring.mentions.mention_support`); micro-averaged, NaN for a
  summary without any;
- ``support_sentence`` (``sentence_support.v1``): mean over summary sentences of the best support by one
  source sentence, MiniLM cosine and content-word overlap (:mod:`toolkit.scoring.sentence_support`; loads the
  bundled all-MiniLM-L6-v2, so it is optional, like ``minilm-cosine``);
- ``faithfulness`` (``faithfulness.v1``)::

      faithfulness = (support_lexical + entity) / 2,   entity = support_entity, or 100 without mentions

  (a summary with no name, number or date has none to get wrong). It needs no model. Sentence support is
  left out of it: it needs the MiniLM model (about a minute per 1,000 summaries on a shared 2-core CPU,
  ``eval/bench/results/faithfulness.md``, against about a second for the other three), and it agrees less
  with SummEval's consistency ratings than the other two (``eval/metaeval/faithfulness.md``, which also
  says how the formula was chosen).

The per-segment work is stored as units (``segment_units``), so batched scoring gives one call's values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from toolkit.errors import ConfigError
from toolkit.scoring.base import MetricInfo, MetricSpec, ScoringContext, SegmentStats, mean_stats, ratio_stats, shared_units
from toolkit.scoring.mentions import MENTIONS_VERSION, entity_support
from toolkit.scoring.support import LEXICAL_VERSION, NGRAM_ORDERS, TOKENS_VERSION, content_support, ngram_support

FORMULA = "faithfulness.v1"
FORMULA_TEXT = "mean(lexical,entity|100)"
ENCODER = "sentence-transformers/all-MiniLM-L6-v2"


def _sources(ctx: ScoringContext, name: str) -> Sequence[str]:
    if ctx.sources is None:
        raise ConfigError([f"metrics: '{name}' needs the source documents; pass sources= (CLI: --source FILE)"])
    return ctx.sources


def _glossary_tag(ctx: ScoringContext) -> str:
    return ctx.glossary.fingerprint[:12] if ctx.glossary is not None else "none"


def _lexical_units(ctx: ScoringContext) -> list[list[int]]:
    """Per segment ``[content hits, content words, 1-gram hits, 1-grams, 2-gram hits, 2-grams]``."""
    sources = _sources(ctx, "support_lexical")
    key = f"support_lexical|{LEXICAL_VERSION}|{TOKENS_VERSION}|n:{','.join(map(str, NGRAM_ORDERS))}"

    def compute() -> list[list[int]]:
        return [[*content_support(p, s), *(x for n in NGRAM_ORDERS for x in ngram_support(p, s, n))]
                for p, s in zip(ctx.predictions, sources)]

    return shared_units(ctx, key, compute)


def _entity_units(ctx: ScoringContext) -> list[list[int]]:
    """Per segment ``[supported, total]`` mentions."""
    sources = _sources(ctx, "support_entity")
    key = f"support_entity|{MENTIONS_VERSION}|{TOKENS_VERSION}|glossary:{_glossary_tag(ctx)}"

    def compute() -> list[list[int]]:
        return [list(entity_support(p, s, ctx.glossary)) for p, s in zip(ctx.predictions, sources)]

    return shared_units(ctx, key, compute)


def _encoder_tag() -> str:
    import transformers

    from toolkit.minilm import MAX_TOKENS
    from toolkit.scoring.sentence_support import ROUND, VERSION

    return f"{VERSION}|model:{ENCODER}|maxlen:{MAX_TOKENS}|fp64|round:{ROUND}|transformers:{transformers.__version__}"


def _sentence_units(ctx: ScoringContext) -> list[float]:
    """Per segment sentence support (0-100, NaN: no content word)."""
    sources = _sources(ctx, "support_sentence")
    key = f"support_sentence|{TOKENS_VERSION}|{_encoder_tag()}"

    def compute() -> list[float]:
        from toolkit.scoring.sentence_support import sentence_support_values

        return sentence_support_values(list(ctx.predictions), list(sources))

    return shared_units(ctx, key, compute)


def _percent(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else math.nan


def combine(lexical: float, entity: float) -> float:
    """``faithfulness.v1`` of one segment: the mean of lexical and entity support (entity 100 when NaN).

    NaN when the lexical part is (a summary without content words).

    Example:
        >>> combine(80.0, float("nan")), combine(80.0, 50.0)
        (90.0, 65.0)
    """
    return (lexical + (100.0 if math.isnan(entity) else entity)) / 2.0


def compute_support_lexical(ctx: ScoringContext) -> SegmentStats:
    """Per-segment lexical support, with the all-word 1-gram and 2-gram support as extra columns."""
    units = _lexical_units(ctx)
    values = [_percent(u[0], u[1]) for u in units]
    extra = {f"support_lexical_{n}gram": np.array([_percent(u[2 * k + 2], u[2 * k + 3]) for u in units])
             for k, n in enumerate(NGRAM_ORDERS)}
    return mean_stats(values, f"support_lexical|{LEXICAL_VERSION}|{TOKENS_VERSION}|unclipped|agg:mean",
                      segment_extra=extra)


def compute_support_entity(ctx: ScoringContext) -> SegmentStats:
    """Supported and total mentions per segment (micro-average)."""
    units = _entity_units(ctx)
    supported, total = [u[0] for u in units], [u[1] for u in units]
    signature = f"support_entity|{MENTIONS_VERSION}|{TOKENS_VERSION}|glossary:{_glossary_tag(ctx)}|agg:micro"
    return ratio_stats(supported, total, signature, corpus_extra={"supported": sum(supported), "total": sum(total)})


def compute_support_sentence(ctx: ScoringContext) -> SegmentStats:
    """Per-segment sentence support."""
    return mean_stats(_sentence_units(ctx), f"support_sentence|{TOKENS_VERSION}|{_encoder_tag()}|agg:mean")


def compute_faithfulness(ctx: ScoringContext) -> SegmentStats:
    """Per-segment ``faithfulness.v1``."""
    lexical = [_percent(u[0], u[1]) for u in _lexical_units(ctx)]
    entity = [_percent(s, t) for s, t in _entity_units(ctx)]
    values = [combine(a, b) for a, b in zip(lexical, entity)]
    signature = (f"faithfulness|{FORMULA}:{FORMULA_TEXT}|{LEXICAL_VERSION}|{MENTIONS_VERSION}|{TOKENS_VERSION}"
                 f"|glossary:{_glossary_tag(ctx)}|agg:mean")
    return mean_stats(values, signature)


def _info(name: str, description: str, *, model: bool = False) -> MetricInfo:
    return MetricInfo(name, description, higher_is_better=True, range=(0.0, 100.0), needs_model=model,
                      needs_source=True)


METRICS = [
    MetricSpec(_info("support_lexical", "% of summary content words (stemmed) found in the source"),
               compute_support_lexical),
    MetricSpec(_info("support_entity", "% of summary names, numbers and dates the source supports "
                     "(micro-average; glossary-aware)"), compute_support_entity),
    MetricSpec(_info("support_sentence", "mean best support of each summary sentence by a source sentence "
                     "(MiniLM cosine + content overlap); optional", model=True), compute_support_sentence),
    MetricSpec(_info("faithfulness", "faithfulness.v1: mean of lexical and entity support against the source"),
               compute_faithfulness),
]
ALIASES: dict[str, str] = {"support-lexical": "support_lexical", "support-sentence": "support_sentence",
                           "support-entity": "support_entity", "faithfulness.v1": "faithfulness"}
GROUP = ("support_lexical", "support_entity", "support_sentence", "faithfulness")
