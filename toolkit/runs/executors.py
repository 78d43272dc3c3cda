"""Executors map a batch function over independent batches of documents.

The run engine only ever calls :meth:`Executor.map_batches`, so the same stage function runs in-process
(``local``) or on a Ray cluster (``ray``, see :mod:`toolkit.runs.ray_executor`). A task is a picklable
callable class: built once per worker (``setup``), then called on each batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class BatchTask(Protocol):
    """A picklable unit of work: ``setup()`` once per worker, then ``__call__`` per batch."""

    def setup(self) -> None: ...

    def __call__(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]: ...


class DescribedTask(BatchTask, Protocol):
    """A task that can say what it runs (a summariser's fingerprint and model info) without being set up,
    so that a stage whose results are all stored loads no model."""

    def describe(self) -> dict[str, Any]: ...


class Executor(Protocol):
    """Runs a task over batches, yielding ``(batch, results)`` as each completes (in any order)."""

    def map_batches(
        self, task: BatchTask, batches: Sequence[Sequence[dict[str, Any]]]
    ) -> Iterator[tuple[Sequence[dict[str, Any]], list[dict[str, Any]]]]: ...

    def describe(self, task: DescribedTask) -> dict[str, Any]:
        """``task.describe()`` where the task's batches would run (so on a worker's device)."""
        ...


class LocalExecutor:
    """In-process executor: one worker, batches in order."""

    name = "local"

    def describe(self, task: DescribedTask) -> dict[str, Any]:
        return task.describe()

    def map_batches(
        self, task: BatchTask, batches: Sequence[Sequence[dict[str, Any]]]
    ) -> Iterator[tuple[Sequence[dict[str, Any]], list[dict[str, Any]]]]:
        if not batches:
            return
        task.setup()
        for batch in batches:
            yield batch, task(batch)


def batched(items: Sequence[Any], size: int) -> list[list[Any]]:
    """Split ``items`` into lists of at most ``size`` (:func:`chunks`, all at once)."""
    return list(chunks(items, size))


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """The items of ``items`` in lists of ``size`` (the last may be shorter), read lazily.

    Example:
        >>> list(chunks(iter(range(5)), 2))
        [[0, 1], [2, 3], [4]]
    """
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

