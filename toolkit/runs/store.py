"""Append-only JSONL stage stores: each document's result is flushed as it completes.

A row is ``{"id", "key", ...}`` where ``key`` hashes the stage's input and every setting that affects it.
On re-run, a row is reused when its key matches; a torn last line (a crash mid-write) is ignored.
``compact`` rewrites the file atomically in document order, keeping one row per document.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import RunDirError
from toolkit.io import atomic_writer


def content_key(*parts: Any) -> str:
    """A stable sha256 (first 32 hex digits) of JSON-serialisable parts."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


class StageStore:
    """The rows of one stage file, indexed by document id."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        with self.path.open("r", encoding="utf-8") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    break  # torn write from a crash: drop it
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and "id" in row:
                    self.rows[str(row["id"])] = row

    def get(self, doc_id: str, key: str) -> dict[str, Any] | None:
        """The stored row for ``doc_id`` if it was computed from the same inputs."""
        row = self.rows.get(doc_id)
        return row if row is not None and row.get("key") == key else None

    def append(self, rows: Iterable[dict[str, Any]]) -> None:
        """Add rows and flush them to disk before returning."""
        rows = list(rows)
        if not rows:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise RunDirError(f"{self.path}: cannot write ({exc.strerror}); free disk space or choose another output_dir") from None
        for row in rows:
            self.rows[str(row["id"])] = row

    def compact(self, order: Sequence[str]) -> list[dict[str, Any]]:
        """Rewrite the file with exactly one row per id in ``order``, and return those rows."""
        missing = [i for i in order if i not in self.rows]
        if missing:
            raise RunDirError(f"{self.path}: results missing for {len(missing)} documents (e.g. {missing[0]}); run again to resume")
        rows = [self.rows[i] for i in order]
        with atomic_writer(self.path) as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        return rows
