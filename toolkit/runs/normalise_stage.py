"""The normalise stage of a run: glossary edits and suspect names of every document, stored in
``normalised.jsonl``.

Plan (the documents whose text, source, glossary or fuzzy setting changed), execute
(:func:`toolkit.runs.pipeline.execute`), collect (the rows in document order).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolkit.runs.data import RunDocument
from toolkit.runs.executors import Executor
from toolkit.runs.pipeline import execute
from toolkit.runs.stages import NormalizeTask, StagePlan
from toolkit.runs.store import StageStore, content_key

VERSION = "normalize-stage.v1"
LANE = "normalise"  # the stage has one lane: the documents themselves
FILE = "normalised.jsonl"


def normalise_key(doc: RunDocument, glossary: Any, fuzzy: bool) -> str:
    """The store key of a document's normalised row (the source joins it only when the document has one,
    so that rows stored before sources were read stay valid).

    Example:
        >>> from toolkit.terminology.records import Glossary
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun"}])
        >>> doc = RunDocument("d1", "Jin Xiangjun spoke.")
        >>> normalise_key(doc, g, False) == normalise_key(RunDocument("d1", "Jin Xiangjun spoke.", source="金湘军"), g, False)
        False
    """
    parts: list[Any] = [VERSION, doc.text, glossary.fingerprint, fuzzy]
    if doc.source is not None:
        parts.append(doc.source)
    return content_key(*parts)


def plan_normalise(store: StageStore, docs: Sequence[RunDocument], glossary: Any, fuzzy: bool, batch_size: int) -> StagePlan:
    """The documents whose normalised row is not stored under its current key."""
    plan = StagePlan(NormalizeTask(glossary, fuzzy), batch_size)
    for doc in docs:
        key = normalise_key(doc, glossary, fuzzy)
        if store.get(doc.id, key) is None:
            plan.add({"id": doc.id, "key": key, "system": LANE, "text": doc.text, "source": doc.source})
    return plan


def run_normalise(
    executor: Executor, run_dir: Path, docs: Sequence[RunDocument], glossary: Any, fuzzy: bool, batch_size: int,
    bar: Callable[[str, int, int], Callable[[float], None]],
) -> tuple[dict[str, dict[str, Any]], int]:
    """Normalise the documents not stored yet; return every document's row (by id) and how many were computed.

    ``bar(description, total, done)`` makes the stage's progress callback.
    """
    store = StageStore(run_dir / FILE)
    plan = plan_normalise(store, docs, glossary, fuzzy, batch_size)
    advance = bar("normalise", len(docs), len(docs) - len(plan.todo))
    computed = execute(executor, plan, {LANE: store}, {LANE: advance})
    return {row["id"]: row for row in store.compact([d.id for d in docs])}, computed
