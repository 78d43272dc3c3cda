"""Input reading: encodings, BOM, CRLF, NUL bytes, JSONL line numbers, duplicate ids, atomic writes."""

import pytest

from toolkit.errors import InputError
from toolkit.io import atomic_writer, read_documents, read_segments, read_text


def test_bom_and_crlf_are_normalised(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffline one\r\nline two\r\n".encode("utf-8"))
    assert read_text(path) == "line one\nline two\n"
    assert read_segments(path) == ["line one", "line two"]


def test_invalid_utf8_names_line_and_fix(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("ok\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1.txt:2: not valid UTF-8 \(byte 0xe9 at offset 6\); re-save"):
        read_text(path)


def test_nul_byte_is_refused(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"a\nb\x00c")
    with pytest.raises(InputError, match=r"bin.txt:2: contains a NUL byte"):
        read_text(path)


def test_jsonl_errors_name_the_line(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text('{"id": "1", "text": "a"}\n{"id": "2", "text": \n', encoding="utf-8")
    with pytest.raises(InputError, match=r"d.jsonl:2: broken JSON"):
        read_documents(path)
    path.write_text('{"id": "1", "text": "a"}\n{"id": "1", "text": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"d.jsonl:2: duplicate id '1' \(first on line 1\)"):
        read_documents(path)
    path.write_text('{"id": "1", "body": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"d.jsonl:1: missing field 'text'"):
        read_documents(path)


def test_plain_text_is_one_document(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("Para one.\n\nPara two.\n", encoding="utf-8")
    docs = read_documents(path)
    assert [(d.id, d.text) for d in docs] == [("article", "Para one.\n\nPara two.\n")]


def test_atomic_writer_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as handle:
            handle.write("partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
