"""``to_dict()`` of every record the toolkit returns (terminology, QA, scoring, meta-evaluation), declared once.

Standard library only, on the ground floor, so that every package can use it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, ClassVar

__all__ = ["JsonRecord"]


_PLAIN = frozenset({str, int, float, bool, type(None)})
#: Per record class: the names of the fields in its dict (found on first use).
_NAMES: dict[type, tuple[str, ...]] = {}


def _json_value(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return dict(value)
    to_dict = getattr(value, "to_dict", None)
    return value if to_dict is None else to_dict()


class JsonRecord:
    """Mixin for a frozen dataclass: :meth:`to_dict` gives its fields, in order, as a JSON-ready dict.

    A tuple becomes a list (records in it by their own ``to_dict()``, mappings copied), a nested record its
    ``to_dict()``; the fields named in ``not_in_dict`` are left out.

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class Span(JsonRecord):
        ...     not_in_dict = ("line",)
        ...     start: int
        ...     words: tuple[str, ...]
        ...     line: int = 0
        >>> Span(3, ("a", "b"), line=7).to_dict()
        {'start': 3, 'words': ['a', 'b']}
    """

    #: Fields that stay out of :meth:`to_dict` (a file position, a copy of the input).
    not_in_dict: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict (see the class doc)."""
        names = _NAMES.get(type(self))
        if names is None:
            names = _NAMES[type(self)] = tuple(f.name for f in fields(self) if f.name not in self.not_in_dict)  # type: ignore[arg-type]
        values = self.__dict__  # a dataclass without slots keeps its fields here (init=False ones: on the class)
        out: dict[str, Any] = {}
        for name in names:
            v = values[name] if name in values else getattr(self, name)
            out[name] = v if type(v) in _PLAIN else _json_value(v)
        return out
