"""``to_dict()`` for the frozen dataclasses that the scoring modules return (one definition for all of them)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any


class AsDict:
    """Mixin for a dataclass: :meth:`to_dict` gives its fields as a plain dict (``dataclasses.asdict``).

    Example:
        >>> from dataclasses import dataclass
        >>> @dataclass(frozen=True)
        ... class Span(AsDict):
        ...     start: int
        ...     end: int
        >>> Span(0, 3).to_dict()
        {'start': 0, 'end': 3}
    """

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: the fields, nested dataclasses as dicts."""
        return asdict(self)  # type: ignore[call-overload]
