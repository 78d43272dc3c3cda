"""IndexedStore (issue 19): the rows StageStore gives, from an index of 28 bytes a document."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from toolkit.errors import RunDirError
from toolkit.runs.store import StageStore
from toolkit.runs.store_index import IndexedStore


@pytest.mark.parametrize("tail", [b"", b'{"id": "z", "ke', b'{"id": "z", "key": "1"}', b"\xe2\x80"])
def test_same_rows_as_stage_store_after_appends_torn_tails_and_rewrites(tmp_path: Path, tail: bytes) -> None:
    rng = random.Random(7)
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"id": "a", "key": "0", "t": "\xe9\x87\x91"}\n\n[1]\n' + tail)
    ids = [f"d{i}" for i in range(300)] + ["a", "z"]
    for step in range(6):
        indexed, plain = IndexedStore(path), StageStore(path)
        assert indexed.skipped == plain.skipped and len(indexed) == len(plain.rows)
        for doc_id in ids:
            row = plain.rows.get(doc_id)
            assert indexed.latest(doc_id) == row
            if row is not None:
                assert indexed.get(doc_id, row["key"]) == row and indexed.get(doc_id, "other") is None
        batch = [{"id": rng.choice(ids), "key": str(rng.randrange(3)), "t": "x" * rng.randrange(5)} for _ in range(80)]
        indexed.append(batch[:40])
        indexed.append(batch[40:])
        for row in batch:  # rows appended in this session are found too, the latest of an id winning
            assert indexed.latest(row["id"]) == {r["id"]: r for r in batch}[row["id"]]
        if step == 3:
            present = [i for i in ids if indexed.latest(i) is not None]
            rng.shuffle(present)
            expected = [indexed.latest(i) for i in present]
            assert indexed.rewrite(present) == len(present)
            assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == expected
            assert [indexed.latest(i) for i in present] == expected
        indexed.close()


def test_rewrite_names_the_missing_documents_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    store = IndexedStore(path)
    store.append([{"id": "a", "key": "1"}])
    before = path.read_bytes()
    with pytest.raises(RunDirError, match=r"results missing for 2 documents \(e\.g\. 'b'\); run again to resume"):
        store.rewrite(["a", "b", "c"])
    assert path.read_bytes() == before and store.get("a", "1") == {"id": "a", "key": "1"}


def test_many_rows_merge_into_the_sorted_index(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    store = IndexedStore(path)
    rows = [{"id": str(i), "key": "k"} for i in range(20_000)]
    store.append(rows)
    store.append([{"id": "5", "key": "new"}])
    again = IndexedStore(path)
    assert len(again) == 20_000 and again.get("19999", "k") == rows[-1]
    assert again.get("5", "k") is None and again.get("5", "new") == {"id": "5", "key": "new"}
    assert again._index.ids.nbytes + again._index.offsets.nbytes + again._index.keys.nbytes + again._index.lengths.nbytes == 28 * 20_000
