"""The systems of a run: each configured system applied to the text it reads (original, normalised, a file)."""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.runs.config import RunConfig, SystemConfig

__all__ = ["SystemRun", "system_runs"]


@dataclass(frozen=True)
class SystemRun:
    """One configured system applied to one input kind ("original" or "normalised")."""

    name: str
    config: SystemConfig
    input: str

    @property
    def base(self) -> str:
        return self.config.name


def system_runs(config: RunConfig) -> list[SystemRun]:
    """Expand the configured systems by input kind (``glossary.normalize: both`` doubles them)."""
    mode = config.glossary.normalize if config.glossary else False
    runs: list[SystemRun] = []
    for system in config.systems:
        if system.file is not None:
            runs.append(SystemRun(system.name, system, "file"))
        elif mode == "both":
            runs.append(SystemRun(system.name, system, "original"))
            runs.append(SystemRun(f"{system.name}+norm", system, "normalised"))
        else:
            runs.append(SystemRun(system.name, system, "normalised" if mode else "original"))
    return runs
