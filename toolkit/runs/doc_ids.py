"""Compact per-document containers for large runs: ids in one byte buffer, scores in numpy columns.

:class:`DocIds` keeps document ids in first-seen order as one UTF-8 buffer with end offsets and finds an id's
position through a sorted array of 64-bit hashes (about 30 bytes an id, against some 130 for a Python dict
of strings). :class:`ScoreTable` is the report's ``(document id, system, metric) -> score`` mapping, held as
one float64 column (NaN: no score) per system and metric. :func:`iter_row_chunks` reads a run's JSONL file a
chunk of rows at a time, a torn last line skipped (:func:`toolkit.runs.report_data.read_rows` reads a file
whole with it).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from toolkit.errors import InputError

_MERGE_AT = 8192  # ids hashed into a dict before they are merged into the sorted arrays


class IdList(Sequence[str]):
    """Document ids in one UTF-8 buffer with their end offsets: ``8 + len(id)`` bytes an id, against some 65
    for a list of strings (a streamed run keeps the ids of its documents in one).

    Example:
        >>> ids = IdList()
        >>> ids.extend(["d1", "d2"]); ids.append("ü")
        >>> len(ids), ids[-1], list(ids), ids[:2]
        (3, 'ü', ['d1', 'd2', 'ü'], ['d1', 'd2'])
    """

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("q")

    def __len__(self) -> int:
        return len(self._ends)

    def _at(self, i: int) -> str:
        start = self._ends[i - 1] if i else 0
        return self._blob[start : self._ends[i]].decode("utf-8", "surrogatepass")

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self._at(k) for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"document position {i} out of range ({n} documents)")
        return self._at(i % n)

    def __iter__(self) -> Iterator[str]:
        return (self._at(i) for i in range(len(self)))

    def append(self, doc_id: str) -> None:
        """Add an id at the end."""
        self._blob += doc_id.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._blob))

    def extend(self, ids: Iterable[str]) -> None:
        """Add ids at the end, in order."""
        for doc_id in ids:
            self.append(doc_id)


class DocIds(IdList):
    """Document ids in the order they were first added, each with its position.

    Example:
        >>> ids = DocIds()
        >>> [ids.add(d) for d in ("b", "a", "b", "c")]
        [0, 1, 0, 2]
        >>> len(ids), ids[1], ids[1:], ids.get("c"), ids.get("z"), "a" in ids
        (3, 'a', ['a', 'c'], 2, None, True)
    """

    def __init__(self) -> None:
        super().__init__()
        self._hashes = np.zeros(0, dtype=np.int64)
        self._positions = np.zeros(0, dtype=np.int64)
        self._pending: dict[int, int] = {}
        self._collided: dict[str, int] = {}  # ids whose hash another id has (checked first)

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.get(doc_id) is not None

    def _lookup(self, h: int) -> int | None:
        found = self._pending.get(h)
        if found is not None:
            return found
        at = int(np.searchsorted(self._hashes, h))
        return int(self._positions[at]) if at < len(self._hashes) and int(self._hashes[at]) == h else None

    def append(self, doc_id: str) -> None:
        """Add an id at the end unless it is there already."""
        self.add(doc_id)

    def get(self, doc_id: str) -> int | None:
        """The position of ``doc_id``, or ``None``."""
        if self._collided and doc_id in self._collided:
            return self._collided[doc_id]
        found = self._lookup(hash(doc_id))
        return found if found is not None and self._at(found) == doc_id else None

    def add(self, doc_id: str) -> int:
        """The position of ``doc_id``, added at the end when new."""
        found = self.get(doc_id)
        if found is not None:
            return found
        position = len(self)
        IdList.append(self, doc_id)
        h = hash(doc_id)
        if self._lookup(h) is not None:  # another id has this hash
            self._collided[doc_id] = position
        else:
            self._pending[h] = position
            if len(self._pending) >= _MERGE_AT:
                self._merge()
        return position

    def _merge(self) -> None:
        hashes = np.concatenate([self._hashes, np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))])
        positions = np.concatenate([self._positions, np.fromiter(self._pending.values(), dtype=np.int64,
                                                                 count=len(self._pending))])
        order = np.argsort(hashes, kind="stable")
        self._hashes, self._positions, self._pending = hashes[order], positions[order], {}

    def positions(self) -> Mapping[str, int]:
        """A read-only ``id -> position`` mapping over these ids (no copy)."""
        return _Positions(self)


class _Positions(Mapping[str, int]):
    def __init__(self, ids: DocIds) -> None:
        self.ids = ids

    def __getitem__(self, doc_id: str) -> int:
        found = self.ids.get(doc_id) if isinstance(doc_id, str) else None
        if found is None:
            raise KeyError(doc_id)
        return found

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.ids

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


class ScoreTable(Mapping[tuple[str, str, str], float]):
    """Per-document scores as one float64 column per (system, metric), indexed by :class:`DocIds` positions.

    Example:
        >>> ids = DocIds()
        >>> table = ScoreTable(ids)
        >>> table.set(ids.add("a"), "lead-3", "rouge1", 40.0); table.set(ids.add("b"), "lead-3", "rouge1", 30.0)
        >>> table[("b", "lead-3", "rouge1")], table.get(("a", "lead-3", "bleu")), len(table)
        (30.0, None, 2)
        >>> table.column("lead-3", "rouge1").tolist(), table.column("x", "y").tolist()
        ([40.0, 30.0], [nan, nan])
    """

    def __init__(self, ids: DocIds) -> None:
        self.ids = ids
        self._columns: dict[tuple[str, str], np.ndarray] = {}

    def set(self, position: int, system: str, metric: str, value: float) -> None:
        """Store one score (a later one for the same cell replaces it)."""
        key = (system, metric)
        column = self._columns.get(key)
        if column is None or position >= len(column):
            grown = np.full(max(2 * position + 1, 1024, len(self.ids)), np.nan)
            if column is not None:
                grown[: len(column)] = column
            column = self._columns[key] = grown
        column[position] = value

    def column(self, system: str, metric: str) -> np.ndarray:
        """The scores of a system on a metric in document order (NaN where missing), as a read-only view."""
        column = self._columns.get((system, metric))
        n = len(self.ids)
        out = np.full(n, np.nan) if column is None else column[:n]
        if len(out) < n:
            out = np.concatenate([out, np.full(n - len(out), np.nan)])
        out = out.view()
        out.flags.writeable = False
        return out

    def pairs(self) -> list[tuple[str, str]]:
        """The (system, metric) pairs that hold at least one score, in the order first stored."""
        return list(self._columns)

    def __getitem__(self, key: tuple[str, str, str]) -> float:
        doc_id, system, metric = key
        column, position = self._columns.get((system, metric)), self.ids.get(doc_id)
        if column is None or position is None or position >= len(column) or np.isnan(column[position]):
            raise KeyError(key)
        return float(column[position])

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        for (system, metric), column in self._columns.items():
            for position in np.flatnonzero(~np.isnan(column[: len(self.ids)])):
                yield self.ids[int(position)], system, metric

    def __len__(self) -> int:
        return sum(int(np.count_nonzero(~np.isnan(c[: len(self.ids)]))) for c in self._columns.values())


def iter_row_chunks(path: Path, chunk: int) -> Iterator[list[dict[str, Any]]]:
    """The JSON objects of a run's JSONL file, ``chunk`` at a time; a torn last line (a crash mid-write) is
    skipped.

    Raises:
        InputError: a line other than the last is not a JSON object, or the file is not UTF-8.

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "s.jsonl"
        >>> _ = p.write_text('{"id": "a"}\\n\\n{"id": "b"}\\n{"id": "c"}\\n{"id": "d", "sc')
        >>> [[r["id"] for r in rows] for rows in iter_row_chunks(p, 2)]
        [['a', 'b'], ['c']]
    """
    rows: list[dict[str, Any]] = []
    with open(path, "rb") as handle:
        lines = enumerate(handle, start=1)
        for number, raw in lines:
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{path}:{number}: not valid UTF-8; the run folder is damaged") from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                if not any(rest.strip() for _, rest in lines):  # the last line: torn by a crash
                    break
                raise InputError(f"{path}:{number}: broken JSON ({exc.msg}); the run folder is damaged, "
                                 "re-run with --fresh") from None
            if not isinstance(obj, dict):
                raise InputError(f"{path}:{number}: expected a JSON object; the run folder is damaged")
            rows.append(obj)
            if len(rows) >= chunk:
                yield rows
                rows = []
    if rows:
        yield rows


__all__ = ["DocIds", "IdList", "ScoreTable", "iter_row_chunks"]
