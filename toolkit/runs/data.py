"""Load a run's documents (JSONL, CSV/TSV, Parquet, a folder of .txt files, or a local HF dataset folder).

:func:`load_documents` returns them all; :func:`iter_document_shards` streams them in shards of a fixed size
with the same checks (a duplicate id is caught across shards from a set of 64-bit id hashes), so a run can
read a corpus that does not fit in memory; :func:`scan_documents` checks and fingerprints them in one pass.
The raw rows come from :mod:`toolkit.runs.readers`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import InputError
from toolkit.runs.config import DataConfig
from toolkit.runs.executors import chunks
from toolkit.runs.readers import iter_rows


@dataclass(frozen=True)
class RunDocument:
    """A document of a run: its text, its reference summaries, and an optional source-language text."""

    id: str
    text: str
    references: tuple[str, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _as_references(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"{where}: field '{name}' must be a string or a list of strings")


def _document(where: str, row: dict[str, Any], cfg: DataConfig) -> RunDocument:
    if cfg.text_field not in row or not isinstance(row[cfg.text_field], str):
        raise InputError(f"{where}: missing text field '{cfg.text_field}' (set data.text_field in the config)")
    if cfg.id_field not in row:
        raise InputError(f"{where}: missing id field '{cfg.id_field}' (set data.id_field in the config)")
    refs = _as_references(row.get(cfg.references_field), where, cfg.references_field)
    source = row.get(cfg.source_field) if cfg.source_field else None
    if cfg.source_field and not isinstance(source, str):
        raise InputError(f"{where}: missing source field '{cfg.source_field}' (or set data.source_field: null)")
    used = {cfg.id_field, cfg.text_field, cfg.references_field, cfg.source_field}
    extra = {k: v for k, v in row.items() if k not in used}
    return RunDocument(id=str(row[cfg.id_field]), text=row[cfg.text_field], references=refs, source=source, extra=extra)


def _id_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


class _HashSet:
    """64-bit hashes in a sorted numpy array (8 bytes each; a set of ints takes some 60), the newest in a small
    set merged into it now and then.

    Example:
        >>> seen = _HashSet()
        >>> for h in (5, 2**64 - 1, 7):
        ...     seen.add(h)
        >>> 7 in seen, 2**64 - 1 in seen, 6 in seen
        (True, True, False)
    """

    MERGE_AT = 8192

    def __init__(self) -> None:
        self.sorted = np.zeros(0, dtype=np.uint64)
        self.pending: set[int] = set()

    def __contains__(self, h: int) -> bool:
        if h in self.pending:
            return True
        at = int(np.searchsorted(self.sorted, np.uint64(h)))
        return at < len(self.sorted) and int(self.sorted[at]) == h

    def add(self, h: int) -> None:
        self.pending.add(h)
        if len(self.pending) >= self.MERGE_AT:
            new = np.fromiter(self.pending, dtype=np.uint64, count=len(self.pending))
            self.sorted, self.pending = np.sort(np.concatenate([self.sorted, new])), set()


def _checked(rows: Callable[[], Iterable[tuple[str, dict[str, Any]]]], cfg: DataConfig) -> Iterator[RunDocument]:
    """Checked documents of ``rows()``; a repeated id hash is confirmed (and its first place found) by reading
    the rows again from the start, so only 8 bytes an id are held."""
    seen = _HashSet()
    for where, row in rows():
        doc = _document(where, row, cfg)
        digest = _id_hash(doc.id)
        if digest in seen:
            first = next((w for w, r in rows() if cfg.id_field in r and str(r[cfg.id_field]) == doc.id), where)
            if first != where:
                raise InputError(f"{where}: duplicate id '{doc.id}' (first at {first}); ids must be unique")
        seen.add(digest)
        yield doc


def _from_rows(rows: list[tuple[str, dict[str, Any]]], cfg: DataConfig) -> list[RunDocument]:
    return list(_checked(lambda: rows, cfg))


def iter_documents(cfg: DataConfig, *, limit: int | None = None) -> Iterator[RunDocument]:
    """The checked documents a config names, one at a time (with ``limit``, rows after it are not read).

    Raises:
        InputError: as :func:`load_documents`, when the stream reaches the bad row.
    """
    count = 0
    for doc in _checked(lambda: iter_rows(cfg), cfg):
        count += 1
        yield doc
        if limit and count >= limit:
            return
    if not count:
        raise InputError(f"{Path(cfg.path)}: no documents found")


def iter_document_shards(cfg: DataConfig, shard_size: int, *, limit: int | None = None) -> Iterator[list[RunDocument]]:
    """The documents in file order, in lists of ``shard_size`` (the last may be shorter); one shard in memory.

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "d.jsonl"
        >>> _ = p.write_text("".join(json.dumps({"id": i, "text": "t"}) + "\\n" for i in range(5)))
        >>> [[d.id for d in shard] for shard in iter_document_shards(DataConfig(path=str(p)), 2)]
        [['0', '1'], ['2', '3'], ['4']]
        >>> _ = p.write_text('{"id": 1, "text": "a"}\\n{"id": 2, "text": "b"}\\n{"id": 1, "text": "c"}\\n')
        >>> list(iter_document_shards(DataConfig(path=str(p)), 1))
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: ...d.jsonl:3: duplicate id '1' (first at ...d.jsonl:1); ids must be unique
    """
    if shard_size < 1:
        raise ValueError(f"shard_size must be at least 1 (got {shard_size})")
    yield from chunks(iter_documents(cfg, limit=limit), shard_size)


def load_documents(cfg: DataConfig, *, limit: int | None = None) -> list[RunDocument]:
    """Read the documents a config names (every row is checked, also past ``limit``).

    Raises:
        InputError: the path is missing, the format unknown, or a row lacks a field (named with its line).
    """
    docs = list(_checked(lambda: iter_rows(cfg), cfg))
    if not docs:
        raise InputError(f"{Path(cfg.path)}: no documents found")
    return docs[:limit] if limit else docs


class DataDigest:
    """:func:`data_fingerprint` computed one document at a time.

    Example:
        >>> docs = [RunDocument("a", "x", ("r",)), RunDocument("b", "y")]
        >>> digest = DataDigest()
        >>> digest.update(docs[:1]); digest.update(docs[1:])
        >>> digest.hexdigest() == data_fingerprint(docs), digest.documents
        (True, 2)
    """

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.documents = 0

    def update(self, docs: Iterable[RunDocument]) -> None:
        for doc in docs:
            self._sha.update(json.dumps([doc.id, doc.text, list(doc.references), doc.source], ensure_ascii=False).encode())
            self.documents += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def data_fingerprint(docs: Iterable[RunDocument]) -> str:
    """sha256 over the documents as loaded (ids, texts, references, sources)."""
    digest = DataDigest()
    digest.update(docs)
    return digest.hexdigest()


@dataclass(frozen=True)
class DataScan:
    """What one checking pass over the data found: the document count, the fingerprint, and the documents
    without a reference (their count and the first id)."""

    documents: int
    fingerprint: str
    unreferenced: int = 0
    first_unreferenced: str | None = None


def scan_documents(cfg: DataConfig, *, limit: int | None = None) -> DataScan:
    """Check every document (up to ``limit``) and fingerprint them, holding one document at a time.

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "d.jsonl"
        >>> _ = p.write_text('{"id": "a", "text": "x", "references": ["r"]}\\n{"id": "b", "text": "y"}\\n')
        >>> scan = scan_documents(DataConfig(path=str(p)))
        >>> scan.documents, scan.unreferenced, scan.first_unreferenced
        (2, 1, 'b')
        >>> scan.fingerprint == data_fingerprint(load_documents(DataConfig(path=str(p))))
        True
    """
    digest = DataDigest()
    unreferenced, first = 0, None
    for doc in iter_documents(cfg, limit=limit):
        digest.update((doc,))
        if not any(r.strip() for r in doc.references):
            unreferenced += 1
            first = doc.id if first is None else first
    return DataScan(digest.documents, digest.hexdigest(), unreferenced, first)
