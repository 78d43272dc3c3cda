"""QA results: one :class:`Finding` per problem, :class:`QAResult` for a whole call (standard library and
:class:`~toolkit.jsonrecord.JsonRecord`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from toolkit.jsonrecord import JsonRecord

#: MQM severities a finding can carry.
SEVERITIES = ("minor", "major")


@dataclass(frozen=True)
class Evidence(JsonRecord):
    """The source span a finding compares against (character offsets into the source, end exclusive)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding(JsonRecord):
    """One QA problem in one target segment. Offsets are characters of that segment, end exclusive.

    Attributes:
        check: versioned name of the check that found it (``qa.numbers.v1``).
        severity: ``minor`` or ``major`` (MQM's scale).
        start, end: the span in the target segment.
        text: ``target[start:end]``.
        message: what is wrong, for a person.
        confidence: how sure the check is (0-1); findings under the check's threshold are dropped.
        evidence: the source span compared against, or None.
        suggestion: a possible fix or reading (e.g. a CC-CEDICT gloss), or ``""``.

    Example:
        >>> f = Finding("qa.punctuation.v1", "minor", 3, 6, ". ,", "stray comma after a full stop", 0.9)
        >>> f.to_dict()["text"], f.evidence
        ('. ,', None)
    """

    check: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    confidence: float
    evidence: Evidence | None = None
    suggestion: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as a JSON-ready dict (``evidence`` as a dict or None, confidence to 4 places)."""
        return {**super().to_dict(), "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class QAResult:
    """Findings of :func:`toolkit.qa.qa_check`, one tuple per target segment, in input order.

    Attributes:
        findings: ``findings[i]`` are the findings of segment ``i``, in text order.
        checks: the versioned names of the checks that ran.
        signature: the checks, their thresholds and the toolkit version (for reports).

    Example:
        >>> r = QAResult(findings=((), (Finding("qa.repetition.v1", "minor", 0, 7, "the the", "word repeated", 0.9),)),
        ...              checks=("qa.repetition.v1",), signature="qa|repetition.v1>=0.5")
        >>> r.counts(), r.n_flagged
        ({'qa.repetition.v1': 1}, 1)
    """

    findings: tuple[tuple[Finding, ...], ...]
    checks: tuple[str, ...]
    signature: str

    def __len__(self) -> int:
        return len(self.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per check (every check that ran, zeros included)."""
        c = Counter(f.check for seg in self.findings for f in seg)
        return {name: c.get(name, 0) for name in self.checks}

    @property
    def n_flagged(self) -> int:
        """Number of segments with at least one finding."""
        return sum(1 for seg in self.findings if seg)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{signature, checks, counts, segments: [[finding, ...], ...]}`` (JSON-ready)."""
        return {
            "signature": self.signature,
            "checks": list(self.checks),
            "counts": self.counts(),
            "segments": [[f.to_dict() for f in seg] for seg in self.findings],
        }
