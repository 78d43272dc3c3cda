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
