"""``qa.length.v1``: target/source length-ratio outliers against a distribution fitted per language pair.

The statistic is ``log(target characters / source characters)`` (spaces included). A :class:`LengthModel`
holds its robust centre (median) and scale (1.4826 x median absolute deviation) for one language pair,
so that a fixed ratio such as "200%" is never assumed. A segment's confidence is Chebyshev's
distribution-free bound ``1 - 1/z**2`` on the share of typical translations nearer the centre (the default
threshold 0.9 is |z| >= 3.16). Sources shorter than :data:`MIN_SOURCE_CHARS` are not checked: the ratio
of a headline or a one-clause sentence varies too much (on WMT21, correct 17-29 character sentences reached
|z| = 4). Fit your own model with :func:`fit_length_model`.
MQM: Accuracy/Omission, Accuracy/Addition.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from toolkit.errors import InputError
from toolkit.qa.base import DocumentInput, segment_check
from toolkit.qa.records import Finding

NAME = "qa.length.v1"
MIN_SOURCE_CHARS = 30
#: Shortest source used when fitting a model.
FIT_MIN_SOURCE_CHARS = 10


@dataclass(frozen=True)
class LengthModel:
    """The log length ratio's distribution for one language pair.

    Example:
        >>> m = LengthModel("zh", "en", center=1.365, scale=0.135, n=200, fitted_on="WMT23 zh-en")
        >>> round(m.z("一" * 20, "x" * 20), 2)
        -10.11
    """

    source_lang: str
    target_lang: str
    center: float
    scale: float
    n: int
    fitted_on: str

    def z(self, source: str, target: str) -> float:
        """The z-score of a pair's log length ratio (0 when either side is empty)."""
        if not source or not target:
            return 0.0
        return (math.log(len(target) / len(source)) - self.center) / self.scale


def fit_length_model(sources: Sequence[str], targets: Sequence[str], *, source_lang: str, target_lang: str,
                     fitted_on: str = "") -> LengthModel:
    """Fit the median and MAD scale of ``log(len(target) / len(source))`` on parallel segments.

    Raises:
        InputError: the lists differ in length, or fewer than 20 pairs have a source of 10 or more characters.

    Example:
        >>> src = ["一二三四五六七八九十" * (1 + i % 3) for i in range(30)]
        >>> tgt = ["x" * (30 * (1 + i % 3) + i % 5) for i in range(30)]
        >>> m = fit_length_model(src, tgt, source_lang="zh", target_lang="en")
        >>> round(math.exp(m.center), 2), m.n
        (3.1, 30)
    """
    if len(sources) != len(targets):
        raise InputError(f"fit_length_model: {len(sources)} sources but {len(targets)} targets; give parallel lists")
    x = [math.log(len(t) / len(s)) for s, t in zip(sources, targets) if len(s) >= FIT_MIN_SOURCE_CHARS and t]
    if len(x) < 20:
        raise InputError(f"fit_length_model: only {len(x)} usable pairs (source >= {FIT_MIN_SOURCE_CHARS} characters); give at least 20")
    center = statistics.median(x)
    scale = 1.4826 * statistics.median(abs(v - center) for v in x) or statistics.pstdev(x) or 1.0
    return LengthModel(source_lang, target_lang, center, scale, len(x), fitted_on)


#: Fitted models by (source, target) language. zh-en: the 200 WMT23 general-task zh-en MT outputs of
#: ../shared/data/translation/wmt23_zhen_mqm_full.jsonl (10 systems x 20 news paragraphs; the QA dev set),
#: median 1.365 (3.9 characters of English per Chinese character), MAD scale 0.135, by fit_length_model.
LENGTH_MODELS: dict[tuple[str, str], LengthModel] = {
    ("zh", "en"): LengthModel("zh", "en", center=1.3646, scale=0.1352, n=200, fitted_on="WMT23 general zh-en MT outputs (MQM dev set)"),
}


def _find(target: str, source: str | None, doc: DocumentInput) -> Iterator[Finding]:
    model = LENGTH_MODELS.get((doc.source_lang.split("-")[0], doc.target_lang.split("-")[0]))
    if source is None or model is None or len(source) < MIN_SOURCE_CHARS or not target.strip():
        return
    z = model.z(source, target)
    confidence = max(0.0, 1.0 - 1.0 / (z * z)) if z else 0.0
    ratio, typical = len(target) / len(source), math.exp(model.center)
    what = "short (an omission?)" if z < 0 else "long (an addition?)"
    yield Finding(
        NAME, "major", 0, len(target), target,
        f"translation is {what}: {ratio:.2f} characters per source character, typical for "
        f"{model.source_lang}-{model.target_lang} is {typical:.2f} (z = {z:+.1f})",
        confidence,
    )


CHECK = segment_check(NAME, _find, threshold=0.9, needs_source=True,
                      description="target/source length ratio far from the language pair's fitted distribution (|z| >= 3.16)")
