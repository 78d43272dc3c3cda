"""The run folder: made, checked, locked and cleaned before a run touches it (issue 22).

- The folder is ``output_dir/name`` (the name is checked like a file name in the config), never a
  symbolic link, and its ``summaries/`` and ``scored/`` folders are not links either.
- ``--fresh`` empties only a folder that is a toolkit run (it holds ``config.resolved.yaml`` or a
  ``manifest.json`` with a ``run_format``, or nothing but what ``toolkit run`` writes); any other folder is
  refused, so a config can never make the toolkit delete somebody's files.
- An exclusive ``flock`` on the folder itself is held for the whole run: a second run on the same folder
  fails at once instead of both claiming success. The lock goes with the process (no stale lock files).
- Temporary files left by a killed write (``.<name>.<random>.tmp`` of :func:`toolkit.io.atomic_writer`)
  are removed, since no other run can be writing them while the lock is held.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import RunDirError

if TYPE_CHECKING:
    from toolkit.runs.config import RunConfig

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs there are not protected against a second run
    fcntl = None  # type: ignore[assignment]

#: What ``toolkit run`` writes at the top of a run folder.
RUN_ENTRIES = frozenset({
    "config.resolved.yaml", "manifest.json", "results.json", "scores.jsonl", "normalised.jsonl",
    "report.md", "report.html", "summaries", "scored", ".write-test", "cache",
})
#: Sub-folders holding stage stores; they must be real folders inside the run folder.
STORE_FOLDERS = ("summaries", "scored")


def _is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def is_run_folder(folder: Path) -> bool:
    """True when ``folder`` was written by ``toolkit run`` (or is empty), so ``--fresh`` may empty it.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> is_run_folder(folder)
        True
        >>> _ = (folder / "thesis.tex").write_text("years of work")
        >>> is_run_folder(folder)
        False
        >>> _ = (folder / "config.resolved.yaml").write_text("name: demo")
        >>> is_run_folder(folder)
        True
    """
    names = {p.name for p in folder.iterdir()}
    if "config.resolved.yaml" in names and (folder / "config.resolved.yaml").is_file():
        return True
    manifest = folder / "manifest.json"
    if manifest.is_file() and not manifest.is_symlink():
        try:
            if "run_format" in json.loads(manifest.read_text(encoding="utf-8")):
                return True
        except (OSError, ValueError, TypeError, RecursionError):
            pass
    return all(n in RUN_ENTRIES or _is_temp(n) for n in names)


def _check_no_links(run_dir: Path) -> None:
    """What the toolkit writes is plain files and folders: a link or a FIFO there was put by someone else."""
    for name in sorted(RUN_ENTRIES):
        entry = run_dir / name
        if name in STORE_FOLDERS and (entry.is_symlink() or (entry.exists() and not entry.is_dir())):
            raise RunDirError(f"{entry}: is a {'symbolic link' if entry.is_symlink() else 'file'}, not a folder of the "
                              "run; remove it or run with --fresh")
        if entry.is_symlink() or (entry.exists() and not (entry.is_file() or entry.is_dir())):
            raise RunDirError(f"{entry}: is a {'symbolic link' if entry.is_symlink() else 'special file'}, not a file "
                              "the toolkit wrote; remove it or run with --fresh")


def _empty(run_dir: Path) -> None:
    for entry in run_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()  # files and links (never what a link points to)


def clean_temp_files(run_dir: Path) -> int:
    """Remove temporary files of writes that were killed; returns how many (call it under the run lock).

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / ".report.html.k2j4h1x0.tmp").write_text("half a report")
        >>> clean_temp_files(folder), sorted(p.name for p in folder.iterdir())
        (1, [])
    """
    removed = 0
    for folder in (run_dir, *(run_dir / n for n in STORE_FOLDERS)):
        if not folder.is_dir() or folder.is_symlink():
            continue
        for entry in folder.iterdir():
            if (_is_temp(entry.name) or entry.name == ".write-test") and (entry.is_symlink() or entry.is_file()):
                entry.unlink(missing_ok=True)
                removed += 1
    return removed


def _lock(run_dir: Path) -> int | None:
    if fcntl is None:
        return None
    fd = os.open(run_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunDirError(f"{run_dir}: another `toolkit run` is using this folder now; wait for it to finish, "
                          "or set another name or output_dir") from None
    except OSError:  # a file system without locks (some network mounts): run unprotected
        os.close(fd)
        return None
    return fd


def run_inputs(config: "RunConfig") -> dict[str, str | None]:
    """The files a run reads, by config key (for :func:`check_inputs_outside`)."""
    inputs: dict[str, str | None] = {"data -> path": config.data.path,
                                     "glossary -> path": config.glossary.path if config.glossary else None}
    inputs.update({f"systems[{i}] -> file": system.file for i, system in enumerate(config.systems)})
    return inputs


def check_inputs_outside(run_dir: Path, inputs: dict[str, str | None]) -> None:
    """Refuse a run whose inputs (``data -> path``, ``glossary -> path``, ``systems[i] -> file``) lie inside its
    own run folder: the run would overwrite them, and ``--fresh`` would delete them.

    Raises:
        RunDirError: naming the key, the path and the run folder.

    Example:
        >>> check_inputs_outside(Path("runs/demo"), {"data -> path": "docs.jsonl", "glossary -> path": None})
        >>> check_inputs_outside(Path("runs/demo"), {"data -> path": "runs/demo/scores.jsonl"})
        Traceback (most recent call last):
        ...
        toolkit.errors.RunDirError: data -> path: runs/demo/scores.jsonl is inside the run folder runs/demo, which the run rewrites (and --fresh empties); move the file or set another name or output_dir
    """
    folder = run_dir.resolve()
    for key, path in inputs.items():
        if path is None:
            continue
        try:
            inside = Path(path).resolve().is_relative_to(folder)
        except (OSError, RuntimeError):  # a symlink loop: reading it fails later with its own message
            continue
        if inside:
            raise RunDirError(f"{key}: {path} is inside the run folder {run_dir}, which the run rewrites (and --fresh "
                              "empties); move the file or set another name or output_dir")


@contextmanager
def locked_run_dir(run_dir: Path, *, fresh: bool) -> Iterator[Path]:
    """Make (or reuse) ``run_dir``, lock it for the duration, empty it first when ``fresh``.

    Raises:
        RunDirError: the folder is a link or a file, ``--fresh`` would delete a folder that is not a run,
            another run holds the lock, or the folder is not writable.

    Example:
        >>> import tempfile
        >>> run_dir = Path(tempfile.mkdtemp()) / "runs" / "demo"
        >>> with locked_run_dir(run_dir, fresh=False) as folder:
        ...     with locked_run_dir(run_dir, fresh=False):
        ...         pass
        Traceback (most recent call last):
        ...
        toolkit.errors.RunDirError: ...demo: another `toolkit run` is using this folder now; wait for it to finish, or set another name or output_dir
    """
    if run_dir.is_symlink():
        raise RunDirError(f"{run_dir}: is a symbolic link; a run folder must be a real folder inside output_dir "
                          "(remove the link or set another name)")
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(f"{run_dir}: is a file, not a run folder; remove it or set another name or output_dir")
    if fresh and run_dir.is_dir() and not is_run_folder(run_dir):
        raise RunDirError(f"{run_dir}: is not a toolkit run folder (no config.resolved.yaml or manifest.json), so "
                          "--fresh/--no-resume will not delete it; remove it yourself or set another name or output_dir")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        fd = _lock(run_dir)
    except OSError as exc:
        raise RunDirError(f"{run_dir}: output folder is not writable ({exc.strerror}); "
                          "set output_dir to a writable folder") from None
    try:
        if fresh:
            _empty(run_dir)
        _check_no_links(run_dir)
        clean_temp_files(run_dir)
        yield run_dir
    finally:
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock
