"""Per-document stage tasks (picklable callables the executors map over batches) and the plan of a stage.

Each task returns one JSON row per input row; :func:`toolkit.runs.pipeline.execute` stores rows as they
complete. A task holds the objects it needs (the run's glossary), never a path to load them again; whatever
they cache is rebuilt on the worker, not pickled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StagePlan:
    """What a stage has to do: the rows to compute with ``task``, and rows to copy from a sibling lane.

    ``todo`` holds one row per lane and document still to compute (rows of several lanes may share an
    ``(id, key)``: they are computed once); ``copies`` are rows found in a sibling lane's store, stored again
    under their own lane (``system``) without computing. A copy also in ``todo`` (a score row that lacks a
    metric) advances the progress bar when computed, not when copied.

    Example:
        >>> plan = StagePlan(task=None, batch_size=8)
        >>> plan.add({"id": "d1", "key": "k", "system": "lead"})
        >>> len(plan.todo), plan.copies
        (1, [])
    """

    task: Any
    batch_size: int
    todo: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)

    def add(self, row: dict[str, Any]) -> None:
        """Plan ``row`` for computation."""
        self.todo.append(row)


class NormalizeTask:
    """Normalise terms and flag suspect pinyin in each document (with its source text, when it has one).

    ``glossary`` is the run's loaded glossary (it pickles without its matching index).
    """

    def __init__(self, glossary: Any, fuzzy: bool) -> None:
        self.glossary = glossary
        self.fuzzy = fuzzy

    def setup(self) -> None:
        """Nothing to load: the glossary came with the task."""

    def __call__(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        from toolkit.terminology import find_suspects, normalize

        rows = []
        for item in batch:
            result = normalize(item["text"], glossary=self.glossary, fuzzy=self.fuzzy)
            suspects = find_suspects(item["text"], glossary=self.glossary, source=item.get("source"))
            rows.append({
                "id": item["id"],
                "key": item["key"],
                "text": result.text,
                "original": item["text"],
                "edits": [edit.to_dict() for edit in result.edits],
                "suspects": [suspect.to_dict() for suspect in suspects],
            })
        return rows


class SummarizeTask:
    """Summarise documents with one system; the model is loaded once per worker.

    ``on_document(row, share)``, when set (in-process executors only: it is not pickled), is called as a
    row's document (share 1.0) or a chunk of it finishes, for progress bars that move per document.
    """

    def __init__(self, system: dict[str, Any], *, batch_size: int) -> None:
        self.system = system
        self.batch_size = batch_size
        self._summarizer: Any = None
        self.on_document: Callable[[dict[str, Any], float], None] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_summarizer"] = None  # workers load their own copy
        state["on_document"] = None
        return state

    def setup(self) -> None:
        if self._summarizer is None:
            self._summarizer = load_system_summarizer(self.system)

    @property
    def summarizer(self) -> Any:
        self.setup()
        return self._summarizer

    def describe(self) -> dict[str, Any]:
        """The summariser's ``fingerprint`` and ``info`` (model, hash, dtype, device where it runs), from its
        files when it is not loaded: describing loads no model (:func:`toolkit.summarization.fingerprint.describe`)."""
        if self._summarizer is not None:
            return {"fingerprint": self._summarizer.fingerprint, "info": dict(self._summarizer.info)}
        from toolkit.summarization.fingerprint import describe

        return describe(self.system["model"], **_load_options(self.system))

    def __call__(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        started = time.perf_counter()
        hook = self.on_document
        summaries = self.summarizer.summarize(
            [item["text"] for item in batch], batch_size=self.batch_size,
            on_document=(lambda i, share: hook(batch[i], share)) if hook is not None else None,
        )
        rows = []
        for item, summary in zip(batch, summaries):
            row = {"id": item["id"], "key": item["key"], "system": item["system"]}
            row.update(summary.to_dict())
            rows.append(row)
        if not rows and batch:
            raise RuntimeError(f"summariser returned nothing for a batch of {len(batch)} ({time.perf_counter() - started:.1f}s)")
        return rows


def _load_options(system: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``load_summarizer`` (and of ``fingerprint.describe``) a system config gives."""
    return {
        "settings": system.get("generation") or None,
        "trust_remote_code": bool(system.get("trust_remote_code", False)),
        "allow_pickle": bool(system.get("allow_pickle", False)),
        "precision": system.get("precision") or "exact",
    }


def load_system_summarizer(system: dict[str, Any]) -> Any:
    """Build the summariser a system config names."""
    from toolkit.summarization import load_summarizer

    return load_summarizer(system["model"], **_load_options(system))


class ScoreTask:
    """Per-segment scoring units of each summary (see :func:`toolkit.scoring.segment_units`).

    Rows carry ``prediction``, ``references`` and ``source`` (None when no metric of the task reads it);
    rows of several systems may share a batch, since every unit depends on its own segment only. Corpus
    values, intervals and tests are computed by the engine from the joined units, so they do not depend on
    how the documents were batched.
    """

    def __init__(self, metrics: Sequence[str], options: dict[str, Any], glossary: Any = None) -> None:
        self.metrics = list(metrics)
        self.options = dict(options)
        self.glossary = glossary

    def setup(self) -> None:
        """Nothing to load: the glossary came with the task."""

    def __call__(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        from toolkit.scoring import segment_units

        sources = [item["source"] for item in batch]
        units = segment_units(
            predictions=[item["prediction"] for item in batch], references=[item["references"] for item in batch],
            sources=None if all(source is None for source in sources) else sources,
            ids=[item["id"] for item in batch], metrics=self.metrics, glossary=self.glossary, **self.options,
        )
        return [{"id": item["id"], "key": item["key"], "system": item["system"], "metrics": self.metrics, "units": unit}
                for item, unit in zip(batch, units)]
