"""Checks of a run config that need the registries: metric names and model specs."""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import ConfigError, ToolkitError
from toolkit.runs.config import RunConfig


def check_names(config: RunConfig, *, source: str | None = None) -> None:
    """Check metric names, system models, and that input files exist, gathering every problem.

    Raises:
        ConfigError: listing each problem with its key path.
    """
    from toolkit.scoring import resolve_metrics

    problems: list[str] = []
    for index, name in enumerate(config.metrics):
        try:
            resolve_metrics([name])  # a metric, an alias or a group (rouge, mt, diagnostics)
        except ToolkitError as exc:
            problems.append(f"metrics[{index}]: {exc}")
    if not Path(config.data.path).exists() and config.data.format != "hf":
        problems.append(f"data -> path: {config.data.path} does not exist (relative paths start from the current folder)")
    if config.glossary is not None and not Path(config.glossary.path).exists():
        problems.append(f"glossary -> path: {config.glossary.path} does not exist (relative paths start from the current folder)")
    for index, system in enumerate(config.systems):
        if system.file is not None and not Path(system.file).exists():
            problems.append(f"systems[{index}] -> file: {system.file} does not exist (relative paths start from the current folder)")
        if system.model is not None:
            from toolkit.summarization import GenerationSettings
            from toolkit.summarization.registry import parse_spec

            try:
                parse_spec(system.model)
            except ToolkitError as exc:
                problems.append(f"systems[{index}] -> model: {exc}")
            try:
                GenerationSettings.from_mapping(system.generation)
            except ConfigError as exc:
                problems += [f"systems[{index}] -> generation -> {p}" for p in exc.problems]
    if problems:
        raise ConfigError(problems, source)
