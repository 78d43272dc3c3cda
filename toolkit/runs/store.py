"""Append-only JSONL stage stores: each document's result is flushed as it completes.

A row is ``{"id", "key", ...}`` where ``key`` hashes the stage's input and every setting that affects it.
On re-run, a row is reused when its key matches. A store always resumes: it is read as bytes and decoded
line by line, so a line that is not UTF-8 or not JSON (a crash mid-write, a full disk, a hand edit) is
skipped and logged wherever it is, and that document is recomputed; a torn last line is cut off before the
next append, so new rows never run into a fragment. Store files are opened without following symbolic
links (a run folder received from someone else cannot point its stores at other files).
``compact`` rewrites the file atomically in document order, keeping one row per document.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import RunDirError, shown
from toolkit.io import atomic_writer

log = logging.getLogger(__name__)

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def content_key(*parts: Any) -> str:
    """A stable sha256 (first 32 hex digits) of JSON-serialisable parts."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


def _symlink_error(path: Path) -> RunDirError:
    return RunDirError(f"{path}: is a symbolic link; a run folder's stores must be plain files "
                       "(remove the link, or run with --fresh)")


def _open_nofollow(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a symbolic link
            raise _symlink_error(path) from None
        raise


def _check_regular(fd: int, path: Path) -> None:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise RunDirError(f"{path}: is not a plain file; remove it or run with --fresh")


class StageStore:
    """The rows of one stage file, indexed by document id.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "s.jsonl"
        >>> _ = path.write_bytes(b'{"id": "a", "key": "1"}\\n\\xe2\\x80\\n{"id": "b", "key": "1"}\\n{"id": "c", "ke')
        >>> store = StageStore(path)  # the cut-off UTF-8 line and the torn tail are skipped
        >>> sorted(store.rows), store.skipped
        (['a', 'b'], 2)
        >>> store.append([{"id": "c", "key": "1"}])
        >>> path.read_bytes().endswith(b'"key": "1"}\\n{"id": "c", "key": "1"}\\n')
        True
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows: dict[str, dict[str, Any]] = {}
        self.skipped = 0
        self._size = 0  # bytes on disk when loaded
        self._end = 0  # end of the last complete line: a torn tail after it is cut before appending
        self._newline = False  # the last row lacks its newline (written before the next row)
        if self.path.is_symlink():
            raise _symlink_error(self.path)
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        fd = _open_nofollow(self.path, os.O_RDONLY | _NONBLOCK)  # a FIFO put there must not hang the run
        with os.fdopen(fd, "rb") as handle:
            _check_regular(handle.fileno(), self.path)
            data = handle.read()
        self._size = len(data)
        self._end = data.rfind(b"\n") + 1
        first_bad: int | None = None
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            row = self._parse(raw)
            if row is None:
                self.skipped += 1
                first_bad = first_bad or number
                continue
            self.rows[str(row["id"])] = row
        if self._end < self._size and self._parse(data[self._end:]) is not None:
            self._end = self._size  # a whole row that only lacks its newline: keep it, add the newline
            self._newline = True
        if self.skipped:
            log.warning("%s: skipped %d unreadable line(s) (first: line %d); those documents are recomputed",
                        self.path, self.skipped, first_bad)

    @staticmethod
    def _parse(raw: bytes) -> dict[str, Any] | None:
        try:
            row = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        return row if isinstance(row, dict) and "id" in row else None

    def get(self, doc_id: str, key: str) -> dict[str, Any] | None:
        """The stored row for ``doc_id`` if it was computed from the same inputs."""
        row = self.rows.get(doc_id)
        return row if row is not None and row.get("key") == key else None

    def append(self, rows: Iterable[dict[str, Any]]) -> None:
        """Add rows and flush them to disk before returning (a torn tail left by a crash is cut off first)."""
        rows = list(rows)
        if not rows:
            return
        lines = [(json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace") for row in rows]
        blob = b"".join(lines)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = _open_nofollow(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NONBLOCK)
            with os.fdopen(fd, "wb") as handle:
                _check_regular(handle.fileno(), self.path)
                if self._end < self._size:
                    os.ftruncate(handle.fileno(), self._end)
                handle.write(b"\n" + blob if self._newline else blob)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise RunDirError(f"{self.path}: cannot write ({exc.strerror}); free disk space or choose another output_dir") from None
        start = self._end + self._newline
        self._end = self._size = self._end + len(blob) + self._newline
        self._newline = False
        self._remember(rows, lines, start)

    def _remember(self, rows: Sequence[dict[str, Any]], lines: Sequence[bytes], start: int) -> None:
        """Index rows just written (``lines`` from byte ``start``)."""
        for row in rows:
            self.rows[str(row["id"])] = row

    def compact(self, order: Sequence[str]) -> list[dict[str, Any]]:
        """Rewrite the file with exactly one row per id in ``order``, and return those rows."""
        missing = [i for i in order if i not in self.rows]
        if missing:
            raise RunDirError(f"{self.path}: results missing for {len(missing)} documents (e.g. {shown(missing[0])}); "
                              "run again to resume")
        rows = [self.rows[i] for i in order]
        with atomic_writer(self.path) as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._size = self._end = self.path.stat().st_size
        return rows
