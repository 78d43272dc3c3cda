"""Per-document stage tasks: picklable callables that the executors map over batches.

Each task returns one JSON row per input row; the engine stores rows as they complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


class NormalizeTask:
    """Normalise terms and flag suspect pinyin in each document."""

    def __init__(self, glossary_path: str, fuzzy: bool) -> None:
        self.glossary_path = glossary_path
        self.fuzzy = fuzzy
        self._glossary: Any = None

    def setup(self) -> None:
        from toolkit.terminology import load_glossary

        if self._glossary is None:
            self._glossary = load_glossary(self.glossary_path)

    def __call__(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        from toolkit.terminology import find_suspects, normalize

        self.setup()
        rows = []
        for item in batch:
            result = normalize(item["text"], glossary=self._glossary, fuzzy=self.fuzzy)
            suspects = find_suspects(item["text"], glossary=self._glossary)
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

    def __init__(self, metrics: Sequence[str], options: dict[str, Any], glossary_path: str | None) -> None:
        self.metrics = list(metrics)
        self.options = dict(options)
        self.glossary_path = glossary_path
        self._glossary: Any = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_glossary"] = None  # workers load their own copy
        return state

    def setup(self) -> None:
        if self._glossary is None and self.glossary_path is not None:
            from toolkit.terminology import load_glossary

            self._glossary = load_glossary(self.glossary_path)

    def __call__(self, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        from toolkit.scoring import segment_units

        self.setup()
        sources = [item["source"] for item in batch]
        units = segment_units(
            predictions=[item["prediction"] for item in batch], references=[item["references"] for item in batch],
            sources=None if all(source is None for source in sources) else sources,
            ids=[item["id"] for item in batch], metrics=self.metrics, glossary=self._glossary, **self.options,
        )
        return [{"id": item["id"], "key": item["key"], "system": item["system"], "metrics": self.metrics, "units": unit}
                for item, unit in zip(batch, units)]
