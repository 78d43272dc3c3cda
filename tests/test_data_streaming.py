"""Streamed input (issue 19): every format read in shards gives the documents load_documents gives, with the
same checks and one-line errors, and the fingerprint of the stream equals the fingerprint of the list."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.runs.config import DataConfig
from toolkit.runs.data import (
    data_fingerprint,
    iter_document_shards,
    load_documents,
    scan_documents,
)
from toolkit.runs.readers import iter_text_lines

ROOT = Path(__file__).resolve().parents[1]
SEED_DOCS = ROOT / "eval" / "seed" / "documents.jsonl"


def _flat(cfg: DataConfig, size: int, limit: int | None = None) -> list:
    shards = list(iter_document_shards(cfg, size, limit=limit))
    assert all(len(s) == size for s in shards[:-1]) and 0 < len(shards[-1]) <= size
    return [d for s in shards for d in s]


def test_jsonl_shards_equal_the_loaded_documents() -> None:
    cfg = DataConfig(path=str(SEED_DOCS))
    whole = load_documents(cfg)
    assert len(whole) >= 3
    for size in (1, 2, len(whole), len(whole) + 5):
        flat = _flat(cfg, size)
        assert flat == whole and [d.extra for d in flat] == [d.extra for d in whole]
    assert _flat(cfg, 2, limit=3) == whole[:3]
    scan = scan_documents(cfg)
    assert (scan.documents, scan.fingerprint) == (len(whole), data_fingerprint(whole))


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbfa\r\nb\rc\n\nd", b"", b"\n", b"x\r", b"a\r\r\nb\n", "金\r\n湘".encode(),
])
def test_text_lines_are_those_of_read_text(tmp_path: Path, data: bytes) -> None:
    from toolkit.io import read_text

    path = tmp_path / "f.txt"
    path.write_bytes(data)
    assert list(iter_text_lines(path)) == list(enumerate(read_text(path).split("\n"), start=1))


@pytest.mark.parametrize(("data", "message"), [
    (b'{"id": 1, "text": "a"}\n{"id": 2, "text": "\xff"}\n', "d.jsonl:2: not valid UTF-8 (byte 0xff at offset 42)"),
    (b'{"id": 1, "text": "a"}\n\x00\n', "d.jsonl:2: contains a NUL byte"),
])
def test_bad_bytes_give_the_messages_of_read_text(tmp_path: Path, data: bytes, message: str) -> None:
    from toolkit.io import read_text

    path = tmp_path / "d.jsonl"
    path.write_bytes(data)
    with pytest.raises(InputError) as streamed:
        list(iter_document_shards(DataConfig(path=str(path)), 1))
    with pytest.raises(InputError) as whole:
        read_text(path)
    assert message in str(streamed.value) and str(streamed.value) == str(whole.value)


def test_duplicate_id_in_a_later_shard_names_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    rows = [{"id": i, "text": "t", "references": ["r"]} for i in range(6)] + [{"id": 2, "text": "again"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(iter_document_shards(DataConfig(path=str(path)), 2))
    assert str(info.value) == f"{path}:7: duplicate id '2' (first at {path}:3); ids must be unique"
    with pytest.raises(InputError) as loaded:
        load_documents(DataConfig(path=str(path)))
    assert str(loaded.value) == str(info.value)


def test_csv_tsv_txt_folder_and_parquet_stream_as_they_load(tmp_path: Path) -> None:
    docs = load_documents(DataConfig(path=str(SEED_DOCS)))
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        path = tmp_path / f"d.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(["id", "text", "references"])
            for d in docs:
                writer.writerow([d.id, d.text, d.references[0]])
        cfg = DataConfig(path=str(path))
        assert [(d.id, d.text, d.references) for d in _flat(cfg, 2)] == [(d.id, d.text, d.references[:1]) for d in docs]
        assert _flat(cfg, 2) == load_documents(cfg)
    folder = tmp_path / "txt"
    folder.mkdir()
    for d in docs:
        (folder / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
        (folder / f"{d.id}.ref1.txt").write_text(d.references[0], encoding="utf-8")
    cfg = DataConfig(path=str(folder))
    assert _flat(cfg, 2) == load_documents(cfg) and len(load_documents(cfg)) == len(docs)

    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"id": [d.id for d in docs], "text": [d.text for d in docs],
                      "references": [list(d.references) for d in docs]})
    path = tmp_path / "d.parquet"
    pq.write_table(table, path, row_group_size=2)
    cfg = DataConfig(path=str(path))
    assert _flat(cfg, 3) == docs and load_documents(cfg) == docs
    assert scan_documents(cfg).fingerprint == data_fingerprint(docs)
    (tmp_path / "bad.parquet").write_text("not parquet", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.parquet: not a readable Parquet file"):
        load_documents(DataConfig(path=str(tmp_path / "bad.parquet")))


def test_a_bad_row_in_a_later_shard_is_named(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n{"id": 3}\n', encoding="utf-8")
    shards = iter_document_shards(DataConfig(path=str(path)), 2)
    assert [d.id for d in next(shards)] == ["1", "2"]
    with pytest.raises(InputError, match=r"d\.jsonl:3: missing text field 'text'"):
        next(shards)
