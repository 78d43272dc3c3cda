"""The result record of the ROUGE modules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F-measure on a 0-1 scale (like rouge-score's ``Score``).

    Example:
        >>> PRF(precision=0.5, recall=1.0, fmeasure=2 / 3).to_dict()["recall"]
        1.0
    """

    precision: float
    recall: float
    fmeasure: float

    def to_dict(self) -> dict[str, float]:
        """JSON-ready dict with keys ``precision``, ``recall``, ``fmeasure``."""
        return {"precision": self.precision, "recall": self.recall, "fmeasure": self.fmeasure}


_new = object.__new__
_set_p = PRF.precision.__set__  # type: ignore[attr-defined]
_set_r = PRF.recall.__set__  # type: ignore[attr-defined]
_set_f = PRF.fmeasure.__set__  # type: ignore[attr-defined]


def make_prf(precision: float, recall: float, fmeasure: float) -> PRF:
    """Build a :class:`PRF` through its slots, about twice as fast as the frozen ``__init__`` (hot loops).

    Example:
        >>> make_prf(0.5, 1.0, 2 / 3) == PRF(0.5, 1.0, 2 / 3)
        True
    """
    obj = _new(PRF)
    _set_p(obj, precision)
    _set_r(obj, recall)
    _set_f(obj, fmeasure)
    return obj
