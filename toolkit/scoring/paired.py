"""Paired tests from per-segment statistics: the second half of :func:`toolkit.scoring.api.compare`.

:func:`paired_tests` takes each system's ``SegmentStats`` (already in resampling order) and runs the paired
bootstrap or approximate randomisation of every system against the first, with Holm's correction over the
comparisons of each metric. ``compare`` computes the statistics from predictions; a streamed run
(:mod:`toolkit.runs.streamed`) passes the statistics it gathered shard by shard, so both give the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from toolkit.errors import ConfigError
from toolkit.scoring.base import SegmentStats
from toolkit.scoring.records import Comparison, SystemComparison
from toolkit.scoring.registry import get_metric
from toolkit.scoring.settings import ScoringSettings, full_signature
from toolkit.scoring.stats import approximate_randomization, holm, paired_bootstrap

__all__ = ["paired_tests"]


def paired_tests(
    per_system: Mapping[str, Mapping[str, SegmentStats]], metrics: Sequence[str], settings: ScoringSettings,
) -> Comparison:
    """Paired tests of every system against the first (the baseline) for each of ``metrics``.

    Args:
        per_system: system name -> metric name -> ``SegmentStats`` with rows in resampling order
            (:func:`toolkit.scoring.stats.resample_order` of the ids), baseline first (at least two systems).
        metrics: the metric names to test (each in every system's statistics).
        settings: the resolved settings (``method``, ``resamples``, ``seed``, ``p_value``).

    Raises:
        ConfigError: fewer than two systems, or settings a paired test cannot run with.

    Example:
        >>> from toolkit.scoring.base import mean_stats
        >>> stats = {"a": {"rouge1": mean_stats([90.0, 80.0, 85.0, 95.0, 88.0], "rouge1|v")},
        ...          "b": {"rouge1": mean_stats([10.0, 20.0, 15.0, 5.0, 12.0], "rouge1|v")}}
        >>> cmp = paired_tests(stats, ["rouge1"], ScoringSettings(resamples=100))
        >>> cmp.p_value("rouge1", "b"), cmp.rows["rouge1"][1].verdict, round(cmp.rows["rouge1"][1].delta, 4)
        (0.009900990099009901, 'worse', -75.2)
    """
    few = [f"systems: need at least two systems to compare (got {len(per_system)})"] if len(per_system) < 2 else []
    problems = few + settings.problems(paired=True)
    if problems:
        raise ConfigError(problems)
    n_samples = settings.samples()
    system_names = list(per_system)
    baseline_name = system_names[0]
    rows: dict[str, list[SystemComparison]] = {}
    signatures: dict[str, str] = {}
    for name in metrics:
        direction = get_metric(name).info.higher_is_better
        base = per_system[baseline_name][name]
        results = {}
        for system in system_names[1:]:
            seg = per_system[system][name]
            if settings.method == "bootstrap":
                results[system] = paired_bootstrap(base, seg, resamples=n_samples, seed=settings.seed,
                                                   p_value=settings.p_value)
            else:
                results[system] = approximate_randomization(base, seg, trials=n_samples, seed=settings.seed,
                                                            p_value=settings.p_value)
        raw = [results[s].p_value for s in system_names[1:]]
        adjusted = holm(raw)
        first = results[system_names[1]]
        metric_rows = [
            SystemComparison(name, baseline_name, base.corpus_score, first.baseline_ci, 0.0, None, None, baseline=True,
                             higher_is_better=direction)
        ]
        for system, p_adj in zip(system_names[1:], adjusted):
            res = results[system]
            metric_rows.append(
                SystemComparison(
                    name, system, per_system[system][name].corpus_score, res.system_ci, res.delta, res.p_value, p_adj,
                    higher_is_better=direction,
                )
            )
        rows[name] = metric_rows
        signatures[name] = full_signature(base.signature, settings.test_tag())
    return Comparison(method=settings.method, resamples=n_samples, seed=settings.seed, rows=rows, signatures=signatures,
                      p_value_rule=settings.p_value)
