"""The typed, versioned schema of ``results.json``: written by the run engine and read by the report, the CLI
and notebooks through this one module.

``results.json`` holds the run's name and signature, the scoring settings, each system's corpus results per
metric (score, CI, signature, direction from the metric registry), the paired comparisons (with their family,
correction and a verdict that says *better* or *worse* than the baseline, never just "different"), and the
terminology section. Files written before ``schema_version`` existed (version 1) are read too: what they lack
is derived from what they have.

Example:
    >>> from toolkit.scoring.records import MetricResult
    >>> r = RunResults(name="demo", run_signature="sig", documents=2, systems={
    ...     "a": SystemResults("a", "original", "a", {"ter": MetricResult("ter", 40.0, None, "ter|v1", False)}),
    ...     "b": SystemResults("b", "original", "b", {"ter": MetricResult("ter", 30.0, None, "ter|v1", False)})})
    >>> RunResults.from_dict(r.to_dict()) == r, r.best("ter"), r.higher_is_better("ter")
    (True, {'b'}, False)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, RunDirError
from toolkit.scoring.records import ALPHA, MetricResult, _clean, verdict

#: Version of the ``results.json`` layout. 2: ``schema_version``, ``settings``, comparison ``verdict``,
#: ``correction`` and ``higher_is_better``, ``delta`` always ``b - a``.
SCHEMA_VERSION = 2
FAMILIES = ("against-first", "normalisation")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def metric_from_dict(name: str, data: Mapping[str, Any]) -> MetricResult:
    """A ``MetricResult`` from its ``to_dict()`` form (extra fields are kept in ``extra``)."""
    ci = data.get("ci")
    known = {"score", "ci", "signature", "higher_is_better", "n_segments"}
    score = _number(data.get("score"))
    return MetricResult(
        name=name,
        score=math.nan if score is None else score,
        ci=(float(ci[0]), float(ci[1])) if isinstance(ci, Sequence) and len(ci) == 2 and None not in ci else None,
        signature=str(data.get("signature", "")),
        higher_is_better=data.get("higher_is_better", True) if "higher_is_better" in data else _direction_of(name),
        n_segments=int(data.get("n_segments") or 0),
        extra={k: v for k, v in data.items() if k not in known},
    )


def _direction_of(metric: str) -> bool | None:
    """A metric's direction from the registry (for files that did not store it); True when unknown."""
    from toolkit.errors import UnknownNameError
    from toolkit.scoring import metric_info

    try:
        return metric_info(metric).higher_is_better
    except UnknownNameError:
        return True


@dataclass(frozen=True)
class SystemResults:
    """One system of a run: which text it read and its corpus result per metric.

    Attributes:
        name: system name.
        input: ``original``, ``normalised`` or ``file``.
        base: the configured system it comes from (``X`` for ``X+norm``).
        metrics: metric name -> corpus result.
    """

    name: str
    input: str
    base: str
    metrics: Mapping[str, MetricResult]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (as in ``results.json``)."""
        return {"input": self.input, "base": self.base, "metrics": {m: r.to_dict() for m, r in self.metrics.items()}}


@dataclass(frozen=True)
class ComparisonResult:
    """One paired test of system ``b`` against baseline ``a`` on one metric.

    Attributes:
        metric: metric name.
        family: ``against-first`` (every system against the first, Holm-corrected) or ``normalisation``
            (each X against X+norm).
        a: the baseline.
        b: the system compared with it.
        a_score, b_score: corpus values.
        delta: ``b_score - a_score``.
        p_value: raw p-value.
        p_holm: Holm-adjusted p-value within the family (None when not corrected).
        method: ``bootstrap`` or ``ar``.
        correction: ``holm`` or ``none``.
        higher_is_better: the metric's direction.
        verdict: ``better``/``worse`` (``b`` against ``a``) or ``no difference``.
        p_value_rule: ``standard`` or ``sacrebleu``.
    """

    metric: str
    family: str
    a: str
    b: str
    a_score: float | None
    b_score: float | None
    delta: float | None
    p_value: float | None
    p_holm: float | None
    method: str
    correction: str
    higher_is_better: bool | None
    verdict: str | None
    p_value_rule: str = "standard"

    @property
    def significant(self) -> bool:
        """True when the verdict is ``better`` or ``worse``."""
        return self.verdict in ("better", "worse")

    @property
    def winner(self) -> str | None:
        """The system that is significantly better, if any."""
        if self.verdict == "better":
            return self.b
        return self.a if self.verdict == "worse" else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (as in ``results.json``)."""
        return _clean({
            "metric": self.metric, "family": self.family, "a": self.a, "b": self.b, "a_score": self.a_score,
            "b_score": self.b_score, "delta": self.delta, "p_value": self.p_value, "p_holm": self.p_holm,
            "method": self.method, "correction": self.correction, "higher_is_better": self.higher_is_better,
            "verdict": self.verdict, "significant": self.significant, "alpha": ALPHA,
            "p_value_rule": self.p_value_rule,
        })

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], systems: Mapping[str, SystemResults] | None = None,
                  version: int = SCHEMA_VERSION) -> ComparisonResult:
        """Read one comparison; version 1 files get ``delta``, direction and verdict derived from the scores."""
        metric, a, b = str(data["metric"]), str(data["a"]), str(data["b"])
        a_score, b_score = _number(data.get("a_score")), _number(data.get("b_score"))
        if systems is not None:
            a_score = a_score if a_score is not None else _score_of(systems, a, metric)
            b_score = b_score if b_score is not None else _score_of(systems, b, metric)
        direction = data["higher_is_better"] if "higher_is_better" in data else _direction_of(metric)
        delta = _number(data.get("delta"))
        if version < 2 and a_score is not None and b_score is not None:
            delta = b_score - a_score  # version 1 did not say which way its delta went
        p_value, p_holm = _number(data.get("p_value")), _number(data.get("p_holm"))
        found = data.get("verdict") if version >= 2 else verdict(delta, p_holm if p_holm is not None else p_value, direction)
        return cls(metric=metric, family=str(data.get("family", "against-first")), a=a, b=b, a_score=a_score,
                   b_score=b_score, delta=delta, p_value=p_value, p_holm=p_holm, method=str(data.get("method", "")),
                   correction=str(data.get("correction", "holm" if p_holm is not None else "none")),
                   higher_is_better=direction, verdict=found, p_value_rule=str(data.get("p_value_rule", "standard")))


@dataclass(frozen=True)
class TerminologySection:
    """The terminology part of a run: glossary size, the normalise stage's edits and suspects, and term
    accuracy of the input before and after normalisation.

    Attributes:
        entries: glossary entries.
        edits: edits made by normalisation over all documents.
        suspects: suspect (pinyin-like unknown name) findings.
        term_accuracy: ``original`` / ``normalised`` -> ``TermAccuracy.to_dict()`` (accuracy, leak rate,
            counts, per entry).

    Example:
        >>> t = TerminologySection.from_dict({"entries": 5, "edits": 3, "suspects": 1,
        ...                                   "term_accuracy": {"original": {"accuracy": 70.0}}})
        >>> t.edits, t.accuracy("original"), t.accuracy("normalised")
        (3, 70.0, None)
    """

    entries: int | None
    edits: int | None
    suspects: int | None
    term_accuracy: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def accuracy(self, text: str, key: str = "accuracy") -> float | None:
        """One number of the term accuracy of ``original`` or ``normalised`` text (None when absent)."""
        return _number((self.term_accuracy.get(text) or {}).get(key))

    def to_dict(self) -> dict[str, Any]:
        """JSON form (as in ``results.json``)."""
        return _clean({"entries": self.entries, "edits": self.edits, "suspects": self.suspects,
                       "term_accuracy": {k: dict(v) for k, v in self.term_accuracy.items()}})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TerminologySection:
        """Read the section; missing counts are None."""
        count = lambda k: int(data[k]) if isinstance(data.get(k), int) and not isinstance(data.get(k), bool) else None  # noqa: E731
        acc = data.get("term_accuracy") if isinstance(data.get("term_accuracy"), Mapping) else {}
        return cls(entries=count("entries"), edits=count("edits"), suspects=count("suspects"),
                   term_accuracy={str(k): dict(v) for k, v in acc.items() if isinstance(v, Mapping)})


def _score_of(systems: Mapping[str, SystemResults], system: str, metric: str) -> float | None:
    result = systems.get(system, None)
    entry = result.metrics.get(metric) if result is not None else None
    return _number(entry.score) if entry is not None else None


@dataclass(frozen=True)
class RunResults:
    """Everything ``results.json`` holds.

    Attributes:
        name: run name.
        run_signature: one line naming everything that produced the numbers.
        documents: number of documents.
        systems: system name -> its results, in run order.
        comparisons: paired tests.
        terminology: the terminology section (glossary size, edits, suspects, term accuracy before and after
            normalisation), or None without a glossary.
        metric_signatures: metric -> signature.
        settings: the scoring settings (``ScoringSettings.to_dict()``).
        sections: further sections by name (e.g. ``qa``), kept as they are.
        schema_version: layout version of the file this came from.
    """

    name: str
    run_signature: str
    documents: int
    systems: Mapping[str, SystemResults]
    comparisons: tuple[ComparisonResult, ...] = ()
    terminology: TerminologySection | None = None
    metric_signatures: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    sections: Mapping[str, Any] = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names in first-seen order over the systems."""
        return tuple(dict.fromkeys(m for s in self.systems.values() for m in s.metrics))

    def result(self, system: str, metric: str) -> MetricResult | None:
        """A system's corpus result on a metric, if any."""
        block = self.systems.get(system)
        return block.metrics.get(metric) if block is not None else None

    def higher_is_better(self, metric: str) -> bool | None:
        """The metric's direction as stored with its results (None: a diagnostic with no direction)."""
        for block in self.systems.values():
            if metric in block.metrics:
                return block.metrics[metric].higher_is_better
        return _direction_of(metric)

    def best(self, metric: str) -> set[str]:
        """The systems with the best corpus score on a metric (ties included); empty without a direction."""
        direction = self.higher_is_better(metric)
        values = {s: _number(r.score) for s in self.systems if (r := self.result(s, metric)) is not None}
        known = {s: v for s, v in values.items() if v is not None}
        if direction is None or len(known) < 2:
            return set()
        target = max(known.values()) if direction else min(known.values())
        return {s for s, v in known.items() if v == target}

    def comparisons_of(self, family: str) -> tuple[ComparisonResult, ...]:
        """The comparisons of one family, in stored order."""
        return tuple(c for c in self.comparisons if c.family == family)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (what ``results.json`` holds)."""
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "name": self.name, "run_signature": self.run_signature,
            "documents": self.documents, "settings": dict(self.settings),
            "systems": {name: s.to_dict() for name, s in self.systems.items()},
            "comparisons": [c.to_dict() for c in self.comparisons],
            "terminology": self.terminology.to_dict() if self.terminology is not None else None,
            "metric_signatures": dict(self.metric_signatures),
        }
        out.update({k: _clean(v) for k, v in self.sections.items()})
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResults:
        """Read ``results.json`` data (schema version 1 or 2).

        Raises:
            InputError: a newer schema version, or a field of the wrong type.
        """
        version = data.get("schema_version", 1)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise InputError(f"results.json: schema_version {version!r} is newer than this toolkit reads "
                             f"({SCHEMA_VERSION}); upgrade the toolkit")
        raw_systems = data.get("systems") or {}
        if not isinstance(raw_systems, Mapping):
            raise InputError("results.json: 'systems' must be an object keyed by system name")
        systems: dict[str, SystemResults] = {}
        for name, block in raw_systems.items():
            block = block if isinstance(block, Mapping) else {}
            metrics = {str(m): metric_from_dict(str(m), v) for m, v in (block.get("metrics") or {}).items()
                       if isinstance(v, Mapping)}
            systems[str(name)] = SystemResults(str(name), str(block.get("input", "-")), str(block.get("base", name)), metrics)
        raw_comparisons = data.get("comparisons") or []
        comparisons = tuple(ComparisonResult.from_dict(c, systems, version) for c in raw_comparisons
                            if isinstance(c, Mapping) and {"metric", "a", "b"} <= set(c))
        known = {"schema_version", "name", "run_signature", "documents", "systems", "comparisons", "terminology",
                 "metric_signatures", "settings"}
        return cls(
            name=str(data.get("name", "")), run_signature=str(data.get("run_signature", "")),
            documents=int(data.get("documents") or 0), systems=systems, comparisons=comparisons,
            terminology=TerminologySection.from_dict(data["terminology"]) if isinstance(data.get("terminology"), Mapping) else None,
            metric_signatures=dict(data.get("metric_signatures") or {}),
            settings=dict(data.get("settings") or {}), sections={k: v for k, v in data.items() if k not in known},
            schema_version=version,
        )


def comparison_results(comparison: Any, family: str) -> list[ComparisonResult]:
    """The rows of a :class:`toolkit.scoring.Comparison` as ``ComparisonResult`` (baseline = ``a``)."""
    out: list[ComparisonResult] = []
    corrected = any(len(rows) > 2 for rows in comparison.rows.values())
    for metric, rows in comparison.rows.items():
        baseline = next(r for r in rows if r.baseline)
        for r in rows:
            if r.baseline:
                continue
            out.append(ComparisonResult(
                metric=metric, family=family, a=baseline.system, b=r.system, a_score=_number(baseline.score),
                b_score=_number(r.score), delta=_number(r.delta), p_value=_number(r.p_value),
                p_holm=_number(r.p_holm) if corrected else None, method=comparison.method,
                correction="holm" if corrected else "none", higher_is_better=r.higher_is_better, verdict=r.verdict,
                p_value_rule=comparison.p_value_rule,
            ))
    return out


def write_results(path: str | Path, results: RunResults) -> None:
    """Write ``results.json`` (atomically)."""
    from toolkit.io import write_json

    write_json(Path(path), results.to_dict())


def read_json_object(path: str | Path, *, required: bool = True) -> dict[str, Any]:
    """A run folder's JSON file as a dict (``{}`` for a missing optional file).

    Raises:
        RunDirError: a required file is missing.
        InputError: broken JSON, or not an object at the top level.
    """
    from toolkit.io import read_text

    p = Path(path)
    if not p.exists():
        if required:
            raise RunDirError(f"{p}: not found; give a finished run folder (made by `toolkit run CONFIG`)")
        return {}
    try:
        data = json.loads(read_text(p))
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}:{exc.lineno}: broken JSON ({exc.msg}); re-run the run to rewrite it") from None
    if not isinstance(data, dict):
        raise InputError(f"{p}: expected a JSON object at the top level")
    return data


def read_results(path: str | Path) -> RunResults:
    """Read ``results.json``.

    Raises:
        RunDirError: the file is missing.
        InputError: broken JSON, or not a results object.
    """
    return RunResults.from_dict(read_json_object(path))
