"""Immutable results of scoring: one ``MetricResult`` per metric, a ``ScoreReport`` per system, a ``Comparison``.

Scores are on a 0-100 scale (diagnostics such as length or density keep their natural unit). Every result
carries the signature of the settings that produced it. ``NaN`` (an undefined value, e.g. term accuracy of
a segment without glossary terms) becomes ``null`` in ``to_dict()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported lazily, inside to_frame()
    import pandas as pd

#: Significance level of every "better"/"worse" verdict (on Holm-adjusted p-values when there are several).
ALPHA = 0.05
VERDICTS = ("better", "worse", "no difference")


def verdict(delta: float | None, p: float | None, higher_is_better: bool | None, alpha: float = ALPHA) -> str | None:
    """``better``/``worse`` than the baseline when ``p < alpha`` and the difference is not zero, else
    ``no difference``; None for the baseline itself (no p-value) or a metric without a direction.

    Example:
        >>> verdict(2.0, 0.01, True), verdict(2.0, 0.01, False), verdict(0.0, 0.001, True), verdict(2.0, 0.2, True)
        ('better', 'worse', 'no difference', 'no difference')
    """
    if p is None or higher_is_better is None or delta is None:
        return None
    if not (isinstance(p, float | int) and p < alpha) or not delta or delta != delta:
        return "no difference"
    return "better" if (delta > 0) == higher_is_better else "worse"


def _clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf floats become None, tuples become lists, numpy scalars become Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _ci_json(ci: tuple[float, float] | None) -> list[Any] | None:
    """An interval in JSON form: ``[low, high]`` (non-finite ends as None), or None without one."""
    return _clean(list(ci)) if ci is not None else None


def _ci_columns(ci: tuple[float, float] | None) -> dict[str, float]:
    """An interval as the ``ci_low`` and ``ci_high`` columns of a frame row (NaN without one).

    Example:
        >>> _ci_columns((1.0, 2.0)), _ci_columns(None)
        ({'ci_low': 1.0, 'ci_high': 2.0}, {'ci_low': nan, 'ci_high': nan})
    """
    low, high = ci if ci else (math.nan, math.nan)
    return {"ci_low": low, "ci_high": high}


@dataclass(frozen=True)
class MetricResult:
    """The corpus value of one metric, with its confidence interval and signature.

    Attributes:
        name: registry name of the metric (e.g. ``"bleu"``, ``"rougeLsum"``).
        score: the exact corpus value (never a bootstrap estimate).
        ci: ``(low, high)`` seeded bootstrap 95% interval, or None when bootstrap is off.
        signature: every setting and package version that produced the number.
        higher_is_better: direction of the metric (None for descriptive diagnostics).
        n_segments: how many segments the value is computed over.
        extra: metric-specific fields (e.g. ROUGE ``precision``/``recall``, BLEU ``counts``).

    Example:
        >>> r = MetricResult(name="chrf", score=57.1, ci=(55.0, 59.2), signature="chrf|nrefs:1")
        >>> r.to_dict()["ci"]
        [55.0, 59.2]
    """

    name: str
    score: float
    ci: tuple[float, float] | None
    signature: str
    higher_is_better: bool | None = True
    n_segments: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``score``, ``ci``, ``signature`` first, then the rest."""
        out: dict[str, Any] = {
            "score": _clean(float(self.score)),
            "ci": _ci_json(self.ci),
            "signature": self.signature,
            "higher_is_better": self.higher_is_better,
            "n_segments": self.n_segments,
        }
        out.update(_clean(dict(self.extra)))
        return out


@dataclass(frozen=True)
class ScoreReport:
    """Scores of one system: corpus results per metric plus per-segment values.

    Attributes:
        corpus: metric name -> ``MetricResult``, in the order requested.
        segments: one dict per segment: ``id`` then metric columns (``rouge1``, ``rouge1_p``, ``bleu``...).
        warnings: messages about the input (e.g. empty hypotheses), also emitted as Python warnings.

    Example:
        >>> rep = ScoreReport(corpus={"x": MetricResult("x", 50.0, None, "x|v1")},
        ...                   segments=({"id": "1", "x": 50.0},))
        >>> rep.to_dict()["x"]["score"]
        50.0
    """

    corpus: Mapping[str, MetricResult]
    segments: Sequence[Mapping[str, Any]] = ()
    warnings: Sequence[str] = ()

    def __getitem__(self, name: str) -> MetricResult:
        return self.corpus[name]

    @property
    def signatures(self) -> dict[str, str]:
        """Metric name -> signature."""
        return {name: result.signature for name, result in self.corpus.items()}

    def to_dict(self, *, segments: bool = False) -> dict[str, Any]:
        """Object keyed by metric name, each with ``score``, ``ci``, ``signature`` (+ ``segments`` on request)."""
        out: dict[str, Any] = {}
        for name, result in self.corpus.items():
            entry = result.to_dict()
            if segments:
                entry["segments"] = [_clean(row.get(name)) for row in self.segments]
            out[name] = entry
        return out

    def segment_rows(self) -> list[dict[str, Any]]:
        """Per-segment rows, JSON-safe (for ``scores.jsonl``)."""
        return [_clean(dict(row)) for row in self.segments]

    def to_frame(self) -> pd.DataFrame:
        """Corpus results as a DataFrame indexed by metric: score, ci_low, ci_high, signature, ..."""
        import pandas as pd

        rows = []
        for name, r in self.corpus.items():
            rows.append(
                {
                    "metric": name,
                    "score": r.score,
                    **_ci_columns(r.ci),
                    "higher_is_better": r.higher_is_better,
                    "n_segments": r.n_segments,
                    "signature": r.signature,
                }
            )
        return pd.DataFrame(rows).set_index("metric")

    def segments_frame(self) -> pd.DataFrame:
        """Per-segment values as a DataFrame indexed by segment id."""
        import pandas as pd

        return pd.DataFrame([dict(row) for row in self.segments]).set_index("id")

    def _repr_html_(self) -> str:
        """Jupyter's display: the corpus table (score, CI), then each metric's signature."""
        frame = self.to_frame()[["score", "ci_low", "ci_high", "n_segments"]]
        return frame.to_html(float_format=lambda v: f"{v:.2f}", na_rep="") + _signature_list(self.signatures)


@dataclass(frozen=True)
class SystemComparison:
    """One system on one metric, compared with the baseline (the first system).

    Attributes:
        metric: metric name.
        system: system name.
        score: exact corpus value.
        ci: bootstrap interval from the same resamples as the test (None for the AR test).
        delta: ``score - baseline score`` (0 for the baseline).
        p_value: p-value of the paired test against the baseline (None for the baseline itself).
        p_holm: Holm-adjusted p-value over all systems compared on this metric.
        baseline: True for the baseline row.
        higher_is_better: the metric's direction (from the registry; None: no direction).
    """

    metric: str
    system: str
    score: float
    ci: tuple[float, float] | None
    delta: float
    p_value: float | None
    p_holm: float | None
    baseline: bool = False
    higher_is_better: bool | None = True

    @property
    def p(self) -> float | None:
        """The p-value a verdict uses: Holm-adjusted when present, else raw."""
        return self.p_holm if self.p_holm is not None else self.p_value

    @property
    def verdict(self) -> str | None:
        """``better``, ``worse`` or ``no difference`` against the baseline (None for the baseline row)."""
        return None if self.baseline else verdict(self.delta, _clean(self.p), self.higher_is_better)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "system": self.system,
            "score": _clean(float(self.score)),
            "ci": _ci_json(self.ci),
            "delta": _clean(float(self.delta)),
            "p_value": _clean(self.p_value),
            "p_holm": _clean(self.p_holm),
            "baseline": self.baseline,
            "higher_is_better": self.higher_is_better,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Comparison:
    """Paired significance tests of several systems against the first one, for each metric.

    Attributes:
        method: ``"bootstrap"`` (paired bootstrap resampling) or ``"ar"`` (approximate randomisation).
        resamples: bootstrap resamples or AR trials.
        seed: RNG seed.
        rows: metric name -> one ``SystemComparison`` per system, baseline first.
        signatures: metric name -> signature (includes the test, its sample count, seed and p-value rule).
        p_value_rule: ``standard`` (ties count as extreme) or ``sacrebleu`` (sacreBLEU's own rule).

    Example:
        >>> from toolkit import compare
        >>> cmp = compare(systems={"base": ["the cat sat", "a dog ran", "birds fly"],
        ...                        "new": ["the cat sat down", "the dog ran", "birds fly south"]},
        ...               references=[["the cat sat down"], ["the dog ran"], ["birds fly south"]],
        ...               metrics=["rouge1"], resamples=200)
        >>> [(r.system, round(r.score, 2), round(r.delta, 2)) for r in cmp.rows["rouge1"]]
        [('base', 77.46, 0.0), ('new', 100.0, 22.54)]
        >>> round(cmp.p_value("rouge1", "new"), 3), cmp.rows["rouge1"][1].verdict
        (0.005, 'better')
    """

    method: str
    resamples: int
    seed: int
    rows: Mapping[str, Sequence[SystemComparison]]
    signatures: Mapping[str, str]
    p_value_rule: str = "standard"

    def p_value(self, metric: str, system: str) -> float | None:
        """The raw p-value of ``system`` against the baseline on ``metric``."""
        for row in self.rows[metric]:
            if row.system == system:
                return row.p_value
        raise KeyError(system)

    def to_dict(self) -> dict[str, Any]:
        """Object keyed by metric name: ``signature`` and ``systems`` (list of rows)."""
        return {
            "method": self.method,
            "resamples": self.resamples,
            "seed": self.seed,
            "p_value_rule": self.p_value_rule,
            "metrics": {
                name: {"signature": self.signatures[name], "systems": [r.to_dict() for r in rows]}
                for name, rows in self.rows.items()
            },
        }

    def _repr_html_(self) -> str:
        """Jupyter's display: one row per (metric, system) with delta, p-values and verdict, then the
        signatures."""
        frame = self.to_frame().set_index(["metric", "system"])
        table = frame.to_html(float_format=lambda v: f"{v:.4g}", na_rep="")
        return table + _signature_list(self.signatures)

    def to_frame(self) -> pd.DataFrame:
        """Long DataFrame: one row per (metric, system)."""
        import pandas as pd

        records = []
        for name, rows in self.rows.items():
            for r in rows:
                records.append(
                    {
                        "metric": name,
                        "system": r.system,
                        "score": r.score,
                        **_ci_columns(r.ci),
                        "delta": r.delta,
                        "p_value": r.p_value,
                        "p_holm": r.p_holm,
                        "baseline": r.baseline,
                        "verdict": r.verdict,
                    }
                )
        return pd.DataFrame(records)


def _signature_list(signatures: Mapping[str, str]) -> str:
    """Signatures as a small HTML list under a notebook table (escaped)."""
    from html import escape

    items = "".join(f"<li>{escape(name)}: <code>{escape(sig)}</code></li>" for name, sig in signatures.items())
    return f'<ul style="font-size:smaller">{items}</ul>' if items else ""
