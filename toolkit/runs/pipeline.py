"""The one helper every run stage uses: reuse stored rows, compute each distinct input once, fan results out.

A stage is planned (:mod:`toolkit.runs.stages`: which rows are stored and which must be computed), executed
here, and collected by the stage (its rows read back in document order). A row is ``{"id", "key", "system",
...}``: ``key`` hashes the row's input and every setting that affects it, ``system`` names the lane (system
run) whose store it belongs to. Lanes whose rows are interchangeable (X and X+norm of one model, or every
system's scores) are *siblings*: a row stored in one sibling is copied, not recomputed, and rows of
several lanes with the same ``(id, key)`` are computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from toolkit.runs.executors import Executor, batched
from toolkit.runs.progress import DocumentTicks
from toolkit.runs.stages import StagePlan
from toolkit.runs.store import StageStore

Row = dict[str, Any]
Merge = Callable[[Row, Row], Row]  # (stored row, new row) -> the row to store

__all__ = ["by_system", "distinct", "execute", "stored_row"]


def stored_row(store: StageStore, siblings: Sequence[StageStore], doc_id: str, key: str) -> tuple[Row | None, bool]:
    """The row stored for ``doc_id`` under ``key``: in ``store`` itself, else in a sibling store.

    Returns ``(row, copied)``; ``copied`` is True when the row came from a sibling (the caller stores a copy).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> a, b = (StageStore(Path(tempfile.mkdtemp()) / f"{n}.jsonl") for n in "ab")
        >>> b.append([{"id": "d1", "key": "k", "system": "b", "text": "x"}])
        >>> stored_row(a, [a, b], "d1", "k")
        ({'id': 'd1', 'key': 'k', 'system': 'b', 'text': 'x'}, True)
        >>> stored_row(a, [a, b], "d1", "other")
        (None, False)
    """
    row = store.get(doc_id, key)
    if row is not None:
        return row, False
    for sibling in siblings:
        if sibling is not store and (row := sibling.get(doc_id, key)) is not None:
            return row, True
    return None, False


def distinct(todo: Iterable[Row]) -> tuple[list[Row], dict[tuple[str, str], list[str]]]:
    """The rows to compute, one per ``(id, key)``, and the lanes waiting for each.

    Example:
        >>> rows, waiting = distinct([{"id": "d", "key": "k", "system": "x"}, {"id": "d", "key": "k", "system": "y"}])
        >>> [r["system"] for r in rows], waiting
        (['x'], {('d', 'k'): ['x', 'y']})
    """
    unique: list[Row] = []
    waiting: dict[tuple[str, str], list[str]] = {}
    for row in todo:
        names = waiting.setdefault((row["id"], row["key"]), [])
        if not names:
            unique.append(row)
        names.append(row["system"])
    return unique, waiting


def by_system(rows: Iterable[Row]) -> dict[str, list[Row]]:
    """Rows grouped by their ``system`` lane, in order.

    Example:
        >>> by_system([{"system": "a", "id": 1}, {"system": "b", "id": 1}, {"system": "a", "id": 2}])["a"]
        [{'system': 'a', 'id': 1}, {'system': 'a', 'id': 2}]
    """
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(row["system"], []).append(row)
    return out


def execute(
    executor: Executor, plan: StagePlan, stores: Mapping[str, StageStore],
    advance: Mapping[str, Callable[[float], None]], *, merge: Merge | None = None,
) -> int:
    """Run a planned stage: store the copies, compute each distinct row once, fan results out to every lane.

    Args:
        executor: where the batches run (``local`` or ``ray``).
        plan: the task, the rows to compute and the copies found in sibling stores.
        stores: lane -> its store; every row is appended (flushed) as its batch completes.
        advance: lane -> progress callback, called with the number of rows stored.
        merge: combines a row already stored for the same ``(id, key)`` with the new one (the score stage
            keeps the metrics computed before); without it the new row replaces the stored one.

    A task with an ``on_document`` attribute (the summarise task) gets a hook that moves the bars of every
    lane waiting for a document as it (or a chunk of it) finishes, with an in-process executor.

    Returns:
        How many distinct rows were computed.
    """
    pending = {(row["system"], row["id"]) for row in plan.todo}
    for name, rows in by_system(plan.copies).items():
        stores[name].append(rows)
        advance[name](sum(1 for row in rows if (name, row["id"]) not in pending))
    unique, waiting = distinct(plan.todo)
    ticks = DocumentTicks(dict(advance), waiting)
    if hasattr(plan.task, "on_document"):
        plan.task.on_document = ticks.tick
    for _batch, rows in executor.map_batches(plan.task, batched(unique, plan.batch_size)):
        fanned = [{**row, "system": name} for row in rows for name in waiting[(row["id"], row["key"])]]
        if merge is not None:
            fanned = [_merged(stores[row["system"]], row, merge) for row in fanned]
        for name, lane_rows in by_system(fanned).items():
            stores[name].append(lane_rows)
            ticks.settle(name, lane_rows)
    return len(unique)


def _merged(store: StageStore, row: Row, merge: Merge) -> Row:
    stored = store.get(row["id"], row["key"])
    return row if stored is None else merge(stored, row)
