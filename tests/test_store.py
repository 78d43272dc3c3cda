"""Append-only stage stores survive torn writes and keep one row per document."""

import json

from toolkit.runs.store import StageStore, content_key


def test_content_key_is_stable_and_sensitive():
    assert content_key("a", {"x": 1, "y": 2}) == content_key("a", {"y": 2, "x": 1})
    assert content_key("a", 1) != content_key("a", 2)
    assert len(content_key("a")) == 32


def test_rows_are_reused_only_with_the_same_key(tmp_path):
    store = StageStore(tmp_path / "s.jsonl")
    store.append([{"id": "d1", "key": "k1", "text": "one"}])
    again = StageStore(tmp_path / "s.jsonl")
    assert again.get("d1", "k1")["text"] == "one"
    assert again.get("d1", "other") is None
    assert again.get("d2", "k1") is None


def test_torn_last_line_is_ignored_and_compact_keeps_one_row_each(tmp_path):
    path = tmp_path / "s.jsonl"
    store = StageStore(path)
    store.append([{"id": "a", "key": "1", "text": "old"}, {"id": "b", "key": "1", "text": "b"}])
    store.append([{"id": "a", "key": "2", "text": "new"}])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "c", "key": "1", "te')  # a crash mid-write
    store = StageStore(path)
    assert store.get("c", "1") is None
    rows = store.compact(["b", "a"])
    assert [r["text"] for r in rows] == ["b", "new"]
    assert [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()] == ["b", "a"]


# --- a store always resumes (issue 22) ---------------------------------------------------------------

import logging  # noqa: E402
import os  # noqa: E402

import pytest  # noqa: E402

from toolkit.errors import RunDirError  # noqa: E402


def _ids(path):
    return [json.loads(line)["id"] for line in path.read_bytes().decode("utf-8").splitlines()]


def test_a_line_cut_inside_a_utf8_character_is_skipped_wherever_it_is(tmp_path, caplog):
    path = tmp_path / "s.jsonl"
    good = [json.dumps({"id": i, "key": "1", "text": "金湘军’s"}, ensure_ascii=False).encode("utf-8") for i in "abc"]
    # line 2 is "a" cut inside the 3-byte "’" (disk full), then the run went on writing b and c
    path.write_bytes(good[0] + b"\n" + good[0][:-5] + b"\n" + good[1] + b"\n" + good[2][:-4])
    with caplog.at_level(logging.WARNING, logger="toolkit.runs.store"):
        store = StageStore(path)
    assert sorted(store.rows) == ["a", "b"] and store.skipped == 2  # the cut line and the torn tail
    assert "skipped 2 unreadable line(s) (first: line 2)" in caplog.text
    store.append([{"id": "c", "key": "1", "text": "again"}])
    # the torn tail was cut before appending: c is a whole line of its own, not glued to the fragment
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and json.loads(lines[-2]) == {"id": "c", "key": "1", "text": "again"}
    again = StageStore(path)
    assert sorted(again.rows) == ["a", "b", "c"] and again.skipped == 1  # only the mid-file cut line remains


def test_a_whole_last_row_without_its_newline_is_kept(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "key": "1"}\n{"id": "b", "key": "1"}', encoding="utf-8")
    store = StageStore(path)
    assert sorted(store.rows) == ["a", "b"] and store.skipped == 0
    store.append([{"id": "c", "key": "1"}])
    assert _ids(path) == ["a", "b", "c"]


def test_bad_lines_of_every_kind_are_skipped(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'\xff\xfe\n[1, 2]\n{"no id": 1}\n' + b"[" * 100_000 + b'\n{"id": "a", "key": "1"}\n')
    store = StageStore(path)
    assert list(store.rows) == ["a"] and store.skipped == 4


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="needs O_NOFOLLOW")
def test_a_store_that_is_a_symlink_is_neither_read_nor_appended_to(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "s.jsonl"
    link.symlink_to(victim)
    with pytest.raises(RunDirError, match="s.jsonl: is a symbolic link"):
        StageStore(link)
    store = StageStore(tmp_path / "t.jsonl")
    (tmp_path / "t.jsonl").symlink_to(victim)  # swapped in after loading
    with pytest.raises(RunDirError, match="t.jsonl: is a symbolic link"):
        store.append([{"id": "a", "key": "1"}])
    assert victim.read_text(encoding="utf-8") == "precious\n"
