"""ROUGE (Lin 2004) in three modes, ``rouge-score``, ``rouge155`` and ``unicode``, and its registry adapter.

Modules, each with one job:

- :mod:`.score`: :func:`rouge`, the per-segment scores of every variant in one pass (the mode docs are there);
- :mod:`.sides`: a text tokenised once (tokens, sentences, n-grams), shared by variants and references;
- :mod:`.lcs`: bit-parallel LCS and the union LCS of ROUGE-Lsum;
- :mod:`.tokenize` and :mod:`.stem`: the tokenizers and stemmers of each mode (rouge-score's, ROUGE-1.5.5's);
- :mod:`.perl`: ROUGE-1.5.5's own arithmetic (``-f A``/``-f B``, R/P rounding, its bootstrap average);
- :mod:`.records`: the ``PRF`` triple;
- :mod:`.signature`: :func:`rouge_signature`;
- :mod:`.metric`: the registry adapter that turns these into the ``rouge*`` metrics of ``toolkit.scoring``.
"""

from toolkit.scoring.rouge.perl import Rouge155Average
from toolkit.scoring.rouge.records import PRF
from toolkit.scoring.rouge.score import (
    LSUM_SPLITS,
    MODES,
    MULTI_REF,
    clear_caches,
    rouge,
    rouge155_average,
    rouge_variants,
)
from toolkit.scoring.rouge.signature import rouge_signature

__all__ = [
    "LSUM_SPLITS",
    "MODES",
    "MULTI_REF",
    "PRF",
    "Rouge155Average",
    "clear_caches",
    "rouge",
    "rouge155_average",
    "rouge_signature",
    "rouge_variants",
]
