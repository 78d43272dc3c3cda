"""What every check is: a :class:`Check` (name, level, default threshold) over a :class:`DocumentInput`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit.qa.records import Finding

if TYPE_CHECKING:
    from toolkit.terminology.records import Glossary


@dataclass(frozen=True)
class DocumentInput:
    """The segments of one document as a check sees them.

    Attributes:
        targets: the target segments, in order.
        sources: their sources (same length), or None when no source was given.
        glossary: the glossary, or None.
        source_lang, target_lang: language codes (``zh``, ``en``).
    """

    targets: tuple[str, ...]
    sources: tuple[str, ...] | None
    glossary: Glossary | None
    source_lang: str = "zh"
    target_lang: str = "en"


#: A check's function: the findings of one document as ``(segment index within it, finding)``.
CheckFn = Callable[[DocumentInput], Iterable[tuple[int, Finding]]]


@dataclass(frozen=True)
class Check:
    """One QA check, declared once beside its implementation.

    Attributes:
        name: versioned name (``qa.numbers.v1``); a change of behaviour means a new version.
        fn: the implementation.
        level: ``segment`` (each segment alone) or ``document`` (segments of one document together).
        needs_source: the check runs only when sources are given.
        threshold: default smallest confidence of a reported finding (chosen for precision).
        description: one line for ``--help`` and the README.
    """

    name: str
    fn: CheckFn
    level: str
    needs_source: bool
    threshold: float
    description: str

    @property
    def short_name(self) -> str:
        """The name without prefix and version (``numbers``)."""
        return self.name.split(".")[1]


def per_segment(fn: Callable[[str, str | None, DocumentInput], Iterable[Finding]]) -> CheckFn:
    """Turn a per-segment function ``fn(target, source, doc)`` into a :data:`CheckFn`."""

    def run(doc: DocumentInput) -> Iterable[tuple[int, Finding]]:
        for i, target in enumerate(doc.targets):
            source = None if doc.sources is None else doc.sources[i]
            for f in fn(target, source, doc):
                yield i, f

    return run


def segment_check(name: str, find: Callable[[str, str | None, DocumentInput], Iterable[Finding]], *, threshold: float,
                  description: str, needs_source: bool = False) -> Check:
    """The :class:`Check` of a per-segment function ``find(target, source, doc)`` (see :func:`per_segment`).

    Example:
        >>> c = segment_check("qa.demo.v1", lambda t, s, d: [], threshold=0.5, description="finds nothing")
        >>> c.level, c.needs_source, list(c.fn(DocumentInput(("a",), None, None)))
        ('segment', False, [])
    """
    return Check(name=name, fn=per_segment(find), level="segment", needs_source=needs_source, threshold=threshold,
                 description=description)


def document_check(name: str, fn: CheckFn, *, threshold: float, description: str, needs_source: bool = False) -> Check:
    """The :class:`Check` of a function over a whole document (segments of one document together).

    Example:
        >>> document_check("qa.demo.v1", lambda doc: [], threshold=0.5, description="finds nothing").level
        'document'
    """
    return Check(name=name, fn=fn, level="document", needs_source=needs_source, threshold=threshold,
                 description=description)
