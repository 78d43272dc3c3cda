"""Progress bars of a run: one rich bar per stage on stderr, or nothing when disabled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class StageProgress:
    """A rich progress display with one bar per stage (silent when disabled)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Any = None

    def __enter__(self) -> "StageProgress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._progress = Progress(
                TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=Console(stderr=True),
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def task(self, description: str, total: int, done: int = 0) -> Callable[[float], None]:
        if self._progress is None:
            return lambda n: None
        task_id = self._progress.add_task(description, total=total, completed=done)
        completed = [float(done)]

        def advance(n: float) -> None:  # fractions (chunks of a long document) add up without float drift
            completed[0] += n
            self._progress.update(task_id, completed=round(completed[0], 6))

        return advance


class DocumentTicks:
    """Moves per-system bars as each document (or chunk of one) of a shared summarise task finishes.

    ``tick(row, share)`` is the task's ``on_document`` hook: it advances the bar of every system waiting for
    the row's ``(id, key)`` by ``share``. ``settle(name, rows)`` advances a system's bar by what its stored
    rows have not ticked yet (all of it with an executor that runs elsewhere and reports per batch).

    Example:
        >>> seen = []
        >>> ticks = DocumentTicks({"a": seen.append}, {("d1", "k"): ["a"]})
        >>> ticks.tick({"id": "d1", "key": "k"}, 0.25); ticks.settle("a", [{"id": "d1", "key": "k"}])
        >>> seen
        [0.25, 0.75]
    """

    def __init__(self, advance: dict[str, Callable[[float], None]], waiting: dict[tuple[str, str], list[str]]) -> None:
        self.advance = advance
        self.waiting = waiting
        self.ticked: dict[tuple[str, str], float] = {}

    def tick(self, row: dict[str, Any], share: float) -> None:
        key = (row["id"], row["key"])
        self.ticked[key] = self.ticked.get(key, 0.0) + share
        for name in self.waiting.get(key, ()):
            self.advance[name](share)

    def settle(self, name: str, rows: list[dict[str, Any]]) -> None:
        left = sum(max(0.0, 1.0 - self.ticked.get((row["id"], row["key"]), 0.0)) for row in rows)
        if left > 1e-9:
            self.advance[name](left)
