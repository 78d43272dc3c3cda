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
