"""``qa_check``: run the QA checks over target segments, optionally with sources, a glossary and documents."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from toolkit.errors import InputError, InputLengthError
from toolkit.qa.base import DocumentInput
from toolkit.qa.records import Finding, QAResult
from toolkit.qa.registry import CHECKS, get_check

if TYPE_CHECKING:
    from toolkit.terminology.records import Glossary


def _toolkit_version() -> str:
    from toolkit._version import __version__

    return __version__


def _documents(n: int, docs: Sequence[str] | None) -> list[list[int]]:
    if docs is None:
        return [list(range(n))]
    groups: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(d, []).append(i)
    return list(groups.values())


def qa_check(
    *,
    predictions: Sequence[str],
    sources: Sequence[str] | None = None,
    glossary: Glossary | None = None,
    docs: Sequence[str] | None = None,
    disable: Collection[str] = (),
    only: Collection[str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    source_lang: str = "zh",
    target_lang: str = "en",
) -> QAResult:
    """Check MT output for source script, number, punctuation, repetition, consistency, name and length errors.

    Args:
        predictions: the target segments (MT output).
        sources: their source segments (checks that compare against the source run only with them).
        glossary: a glossary (term consistency, known names for the name check).
        docs: a document id per segment; document-level checks (mixed quotes, consistency) work within a
            document. None: all segments are one document.
        disable: checks to switch off (full ``qa.numbers.v1`` or short ``numbers`` names).
        only: run just these checks (default: all).
        thresholds: smallest confidence (0-1) per check, overriding its default.
        source_lang, target_lang: language codes; the length check needs a fitted model for the pair.

    Returns:
        A :class:`QAResult`: ``findings[i]`` are segment ``i``'s findings in text order.

    Raises:
        InputLengthError: ``sources`` or ``docs`` differ in length from ``predictions``.
        InputError: a prediction that is not a string, or a threshold outside 0-1.
        UnknownNameError: an unknown check name.

    Example:
        >>> r = qa_check(predictions=["Growth was 1.2 billion yuan. , the the plan"], sources=["增长1.2亿元，计划"])
        >>> [(f.check, f.text) for f in r.findings[0]]
        [('qa.numbers.v1', '1.2 billion'), ('qa.punctuation.v1', '. ,'), ('qa.repetition.v1', 'the')]
    """
    n = len(predictions)
    bad = next((i for i, p in enumerate(predictions) if not isinstance(p, str)), None)
    if bad is not None:
        raise InputError(f"qa_check: predictions[{bad}] is a {type(predictions[bad]).__name__}, not a string")
    if sources is not None and len(sources) != n:
        raise InputLengthError(f"qa_check: {n} predictions but {len(sources)} sources; give one source per prediction")
    if docs is not None and len(docs) != n:
        raise InputLengthError(f"qa_check: {n} predictions but {len(docs)} document ids; give one per prediction")
    selected = [get_check(c) for c in only] if only is not None else list(CHECKS.values())
    off = {get_check(c).name for c in disable}
    checks = [c for c in dict.fromkeys(selected) if c.name not in off and (sources is not None or not c.needs_source)]
    limits = {c.name: c.threshold for c in checks}
    for name, value in (thresholds or {}).items():
        check = get_check(name)
        if not 0.0 <= value <= 1.0:
            raise InputError(f"qa_check: threshold of {check.name} must be within 0-1 (got {value})")
        limits[check.name] = value
    per_segment: list[list[Finding]] = [[] for _ in range(n)]
    for positions in _documents(n, docs):
        doc = DocumentInput(
            targets=tuple(predictions[i] for i in positions),
            sources=None if sources is None else tuple(sources[i] for i in positions),
            glossary=glossary,
            source_lang=source_lang,
            target_lang=target_lang,
        )
        for check in checks:
            for local, finding in check.fn(doc):
                if finding.confidence >= limits[check.name]:
                    per_segment[positions[local]].append(finding)
    order = {c.name: k for k, c in enumerate(checks)}
    findings = tuple(tuple(sorted(seg, key=lambda f: (f.start, order[f.check]))) for seg in per_segment)
    signature = "qa|" + "|".join(f"{c.name}>={limits[c.name]:g}" for c in checks) + f"|toolkit:{_toolkit_version()}"
    return QAResult(findings=findings, checks=tuple(c.name for c in checks), signature=signature)
