"""A stage store that holds an index, not the rows: memory per document is 28 bytes, whatever a row holds.

:class:`IndexedStore` reads and writes the same append-only JSONL file as :class:`toolkit.runs.store.StageStore`
(same torn-line handling, same symbolic-link refusal, same rows), but keeps only each document's latest row
position (a 64-bit hash of its id, the byte offset and length, a 64-bit hash of its key) in sorted numpy
arrays; :meth:`IndexedStore.get` reads the row back from the file. So a run of a million documents can look
up and resume its stored work shard by shard without holding any stage in memory, and
:meth:`IndexedStore.rewrite` compacts the file in document order one row at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import RunDirError, shown
from toolkit.io import atomic_writer
from toolkit.runs.store import (
    _NONBLOCK,
    StageStore,
    _check_regular,
    _open_nofollow,
    log,
)

_MERGE_AT = 8192  # rows indexed in a dict before they are merged into the sorted arrays


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class _Index:
    """id hash -> (offset, length, key hash); the latest entry of an id wins."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.uint64)
        self.offsets = np.zeros(0, dtype=np.int64)
        self.lengths = np.zeros(0, dtype=np.int32)
        self.keys = np.zeros(0, dtype=np.uint64)
        self.pending: dict[int, tuple[int, int, int]] = {}

    def __len__(self) -> int:
        self.merge()
        return len(self.ids)

    def add(self, doc_id: str, key: Any, offset: int, length: int) -> None:
        self.pending[_digest(doc_id)] = (offset, length, _digest(str(key)))
        if len(self.pending) >= _MERGE_AT:
            self.merge()

    def find(self, doc_id: str) -> tuple[int, int, int] | None:
        digest = _digest(doc_id)
        found = self.pending.get(digest)
        if found is not None:
            return found
        at = int(np.searchsorted(self.ids, np.uint64(digest)))
        if at < len(self.ids) and int(self.ids[at]) == digest:
            return int(self.offsets[at]), int(self.lengths[at]), int(self.keys[at])
        return None

    def merge(self) -> None:
        if not self.pending:
            return
        new = np.fromiter(self.pending, dtype=np.uint64, count=len(self.pending))
        entries = list(self.pending.values())
        values = np.array([entry[:2] for entry in entries], dtype=np.int64).reshape(-1, 2)
        keys = np.array([entry[2] for entry in entries], dtype=np.uint64)
        ids = np.concatenate([self.ids, new])
        order = np.argsort(ids, kind="stable")  # an id in both: the pending (newer) entry comes last
        ids = ids[order]
        last = np.append(ids[1:] != ids[:-1], True)
        keep = order[last]
        self.ids = ids[last]
        self.offsets = np.concatenate([self.offsets, values[:, 0]])[keep]
        self.lengths = np.concatenate([self.lengths, values[:, 1].astype(np.int32)])[keep]
        self.keys = np.concatenate([self.keys, keys])[keep]
        self.pending = {}


class IndexedStore(StageStore):
    """A :class:`StageStore` whose rows stay on disk; ``get`` reads a row back when its key matches.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "s.jsonl"
        >>> _ = path.write_bytes(b'{"id": "a", "key": "1", "t": "x"}\\n\\xe2\\x80\\n{"id": "b", "key": "1"}\\n{"id": "c", "ke')
        >>> store = IndexedStore(path)  # the cut-off UTF-8 line and the torn tail are skipped, as in StageStore
        >>> len(store), store.skipped, store.get("a", "1"), store.get("a", "2")
        (2, 2, {'id': 'a', 'key': '1', 't': 'x'}, None)
        >>> store.append([{"id": "c", "key": "1"}, {"id": "a", "key": "2", "t": "y"}])
        >>> store.rewrite(["c", "a", "b"]), [json.loads(line)["id"] for line in path.read_text().splitlines()]
        (3, ['c', 'a', 'b'])
        >>> store.get("a", "2")["t"], IndexedStore(path).get("a", "2")["t"]
        ('y', 'y')
    """

    def __init__(self, path: str | Path) -> None:
        self._index = _Index()
        self._fd: int | None = None
        super().__init__(path)

    def __len__(self) -> int:
        return len(self._index)

    def _load(self) -> None:
        fd = _open_nofollow(self.path, os.O_RDONLY | _NONBLOCK)
        first_bad: int | None = None
        offset = 0
        with os.fdopen(fd, "rb") as handle:
            _check_regular(handle.fileno(), self.path)
            for number, raw in enumerate(handle, start=1):
                whole = raw.endswith(b"\n")
                body = raw[:-1] if whole else raw
                if body.strip():
                    row = self._parse(body)
                    if row is None:
                        self.skipped += 1
                        first_bad = first_bad or number
                    elif whole:
                        self._index.add(str(row["id"]), row.get("key"), offset, len(body))
                    else:  # a whole row that only lacks its newline: keep it, add the newline
                        self._index.add(str(row["id"]), row.get("key"), offset, len(body))
                        offset += len(raw)
                        self._newline = True
                        break
                if not whole:
                    break
                offset += len(raw)
            self._size = handle.seek(0, os.SEEK_END)
        self._end = offset
        if self.skipped:
            log.warning("%s: skipped %d unreadable line(s) (first: line %d); those documents are recomputed",
                        self.path, self.skipped, first_bad)

    def _remember(self, rows: Sequence[dict[str, Any]], lines: Sequence[bytes], start: int) -> None:
        for row, line in zip(rows, lines):
            self._index.add(str(row["id"]), row.get("key"), start, len(line) - 1)
            start += len(line)

    def _read(self, offset: int, length: int) -> dict[str, Any] | None:
        if self._fd is None:
            self._fd = _open_nofollow(self.path, os.O_RDONLY | _NONBLOCK)
        return self._parse(os.pread(self._fd, length, offset))

    def close(self) -> None:
        """Close the file the rows are read from (opened again when needed)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()

    def get(self, doc_id: str, key: str) -> dict[str, Any] | None:
        """The stored row for ``doc_id`` if it was computed from the same inputs (read from the file)."""
        found = self._index.find(doc_id)
        if found is None or found[2] != _digest(str(key)):
            return None
        row = self._read(found[0], found[1])
        return row if row is not None and str(row["id"]) == doc_id and row.get("key") == key else None

    def latest(self, doc_id: str) -> dict[str, Any] | None:
        """The latest row stored for ``doc_id``, whatever its key."""
        found = self._index.find(doc_id)
        row = None if found is None else self._read(found[0], found[1])
        return row if row is not None and str(row["id"]) == doc_id else None

    def iter_rows(self, order: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The latest row of each id in ``order``, read one at a time.

        Raises:
            RunDirError: an id has no row (after the others were read: the count and the first are named).
        """
        missing, first = 0, None
        for doc_id in order:
            row = self.latest(doc_id)
            if row is None:
                missing, first = missing + 1, first if first is not None else doc_id
                continue
            yield row
        if missing:
            raise RunDirError(f"{self.path}: results missing for {missing} documents (e.g. {shown(first)}); "
                              "run again to resume")

    def rewrite(self, order: Iterable[str]) -> int:
        """Rewrite the file with exactly one row per id in ``order``, streamed; the number of rows."""
        index = _Index()
        offset = count = 0
        with atomic_writer(self.path) as handle:
            for row in self.iter_rows(order):
                line = json.dumps(row, ensure_ascii=False)
                handle.write(line + "\n")
                length = len(line.encode("utf-8", "surrogatepass"))
                index.add(str(row["id"]), row.get("key"), offset, length)
                offset += length + 1
                count += 1
        self.close()
        self._index = index
        self._size = self._end = self.path.stat().st_size
        self._newline = False
        return count

    def compact(self, order: Sequence[str]) -> list[dict[str, Any]]:
        """As :meth:`StageStore.compact` (every row returned: use :meth:`rewrite` for large stages)."""
        self.rewrite(order)
        return list(self.iter_rows(order))
