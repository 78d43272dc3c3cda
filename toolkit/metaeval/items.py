"""The meta-evaluation item: one system output for one document, with its references and human scores.

JSONL form, one object a line::

    {"id": "doc-1", "system": "M0", "text": "...", "references": ["..."],
     "human": {"relevance": 4.3, "coherence": 3.0}, "source": "...", "scores": {"rouge1": 41.2}}

``id`` names the document (or segment) and groups items for the summary level; ``source`` is optional;
``scores`` optionally carries metric values computed elsewhere (used when ``--metrics`` names them).
A human value may be ``null`` (not rated).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import InputError


@dataclass(frozen=True)
class MetaItem:
    """One scored system output.

    Attributes:
        id: document or segment id (items with the same id are compared at the summary level).
        system: system name.
        text: the system output.
        references: one or more reference texts.
        human: human score per dimension; NaN where not rated.
        source: the source document or sentence, if any.
        scores: metric values supplied with the item (metric name -> value).

    Example:
        >>> item = MetaItem(id="d1", system="A", text="the cat sat", references=("the cat sat on the mat",),
        ...                 human={"relevance": 4.0, "coherence": float("nan")})
        >>> item.to_dict()["human"]  # JSONL form: not rated (NaN) becomes null
        {'relevance': 4.0, 'coherence': None}
    """

    id: str
    system: str
    text: str
    references: tuple[str, ...]
    human: Mapping[str, float]
    source: str | None = None
    scores: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSONL form (NaN human values become ``null``)."""
        out: dict[str, Any] = {
            "id": self.id,
            "system": self.system,
            "text": self.text,
            "references": list(self.references),
            "human": {k: (None if math.isnan(v) else v) for k, v in self.human.items()},
        }
        if self.source is not None:
            out["source"] = self.source
        if self.scores:
            out["scores"] = dict(self.scores)
        return out


def _number(value: Any, where: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: expected a number or null, got {type(value).__name__} {value!r}")
    return float(value)


def item_from_dict(obj: Mapping[str, Any], where: str = "item") -> MetaItem:
    """Validate one JSON object and build a ``MetaItem``.

    Args:
        obj: the parsed JSON object.
        where: location used in error messages (e.g. ``"items.jsonl:12"``).

    Returns:
        A ``MetaItem``.

    Raises:
        InputError: a required field is missing or has the wrong type.

    Example:
        >>> item_from_dict({"id": "d1", "system": "A", "text": "a b", "references": ["a c"], "human": {"rel": 3}}).human
        {'rel': 3.0}
    """
    for key in ("id", "system", "text", "references", "human"):
        if key not in obj:
            raise InputError(f"{where}: missing field '{key}'; each item needs id, system, text, references, human")
    text = obj["text"]
    if not isinstance(text, str):
        raise InputError(f"{where}: field 'text' must be a string, got {type(text).__name__}")
    refs = obj["references"]
    if isinstance(refs, str) or not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise InputError(f"{where}: field 'references' must be a non-empty list of strings")
    human = obj["human"]
    if not isinstance(human, dict) or not human:
        raise InputError(f"{where}: field 'human' must be an object like {{\"relevance\": 4.0}}")
    scores = obj.get("scores") or {}
    if not isinstance(scores, dict):
        raise InputError(f"{where}: field 'scores' must be an object of metric name -> number")
    source = obj.get("source")
    if source is not None and not isinstance(source, str):
        raise InputError(f"{where}: field 'source' must be a string or absent")
    return MetaItem(
        id=str(obj["id"]),
        system=str(obj["system"]),
        text=text,
        references=tuple(refs),
        human={str(k): _number(v, f"{where}: human.{k}") for k, v in human.items()},
        source=source,
        scores={str(k): _number(v, f"{where}: scores.{k}") for k, v in scores.items()},
    )


def items_from_dicts(rows: Iterable[Mapping[str, Any]], name: str = "items") -> list[MetaItem]:
    """Build items from JSON objects and check that each (id, system) pair occurs once.

    Raises:
        InputError: a row is invalid, a pair repeats, or there are no rows.
    """
    items: list[MetaItem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, obj in enumerate(rows, start=1):
        item = item_from_dict(obj, f"{name}:{number}")
        key = (item.id, item.system)
        if key in seen:
            raise InputError(f"{name}:{number}: duplicate item id={item.id!r} system={item.system!r} (first at {seen[key]})")
        seen[key] = number
        items.append(item)
    if not items:
        raise InputError(f"{name}: no items; give one JSON object a line")
    return items
