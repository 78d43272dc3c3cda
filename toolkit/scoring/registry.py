"""The metric registry: a plain dict from name to ``MetricSpec``, plus aliases and named groups.

Metadata (direction, range, needs_model...) is declared once beside each metric in its module; this module
only collects them. A duplicate name is an error at import; a miss raises ``UnknownNameError`` with the
closest name and the list of available ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from toolkit.errors import UnknownNameError
from toolkit.scoring import diagnostics, embedding, faithfulness, sacrebleu_metrics, term_metrics
from toolkit.scoring.rouge import metric as rouge_metric
from toolkit.scoring.base import MetricInfo, MetricSpec

_MODULES = (rouge_metric, sacrebleu_metrics, term_metrics, diagnostics, embedding, faithfulness)


def _collect() -> tuple[dict[str, MetricSpec], dict[str, str]]:
    metrics: dict[str, MetricSpec] = {}
    aliases: dict[str, str] = {}
    for module in _MODULES:
        for spec in module.METRICS:
            if spec.name in metrics:
                raise RuntimeError(f"metric '{spec.name}' registered twice ({module.__name__})")
            metrics[spec.name] = spec
        for alias, target in getattr(module, "ALIASES", {}).items():
            if alias in aliases or alias in metrics:
                raise RuntimeError(f"alias '{alias}' registered twice ({module.__name__})")
            aliases[alias] = target
    return metrics, aliases


METRICS, ALIASES = _collect()

GROUPS: dict[str, tuple[str, ...]] = {
    "rouge": ("rouge1", "rouge2", "rougeL", "rougeLsum"),
    "mt": ("bleu", "chrf", "chrf++", "ter"),
    "diagnostics": diagnostics.GROUP,
    "support": faithfulness.GROUP,
}

DEFAULT_METRICS: tuple[str, ...] = ("rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf", "ter")


def available() -> list[str]:
    """All metric names (without aliases and groups), in registry order.

    Example:
        >>> "bleu" in available() and "rougeLsum" in available()
        True
    """
    return list(METRICS)


def get_metric(name: str) -> MetricSpec:
    """Look up a metric by name or alias.

    Raises:
        UnknownNameError: no such metric; the message suggests the closest name.

    Example:
        >>> get_metric("chrfpp").name
        'chrf++'
    """
    key = ALIASES.get(name, name)
    if key not in METRICS:
        raise UnknownNameError("metric", name, [*METRICS, *GROUPS])
    return METRICS[key]


def metric_info(name: str) -> MetricInfo:
    """Metadata of a metric (see :class:`MetricInfo`)."""
    return get_metric(name).info


def reads_sources(name: str) -> bool:
    """Whether a metric's values depend on the sources, when given (all diagnostics, and term metrics).

    Example:
        >>> reads_sources("novel_2gram"), reads_sources("length"), reads_sources("terms"), reads_sources("bleu")
        (True, True, True, False)
    """
    info = metric_info(name)
    return info.needs_source or info.needs_glossary or info.name in GROUPS["diagnostics"]


def resolve_metrics(names: Iterable[str] | str) -> list[str]:
    """Expand a list (or a comma-separated string) of metric names, aliases and groups, keeping order.

    Raises:
        UnknownNameError: a name is neither a metric, an alias nor a group.

    Example:
        >>> resolve_metrics("rouge,bleu,chrfpp")
        ['rouge1', 'rouge2', 'rougeL', 'rougeLsum', 'bleu', 'chrf++']
    """
    items: Sequence[str] = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
    out: list[str] = []
    for name in items:
        if not name:
            continue
        expanded = GROUPS[name] if name in GROUPS else (get_metric(name).name,)
        for metric in expanded:
            if metric not in out:
                out.append(metric)
    return out
