"""The ``qa`` section of a run: :func:`qa_check` over every system's outputs, one document per text.

:func:`qa_section` gives the counts that go into ``results.json`` and the findings rows of ``qa.jsonl``.
A run document is a whole text (an MT output or a summary), so document-level checks work within it.
``source_lang="auto"`` reads a source with Han characters as ``zh`` and any other as ``en`` (a summary's
English document), so the zh-en length model never judges a summary.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.qa.api import qa_check

if TYPE_CHECKING:
    from toolkit.terminology.records import Glossary

_HAN = re.compile(r"[\u3400-\u9fff]")


def guess_lang(texts: Sequence[str]) -> str:
    """``zh`` when a tenth or more of the non-space characters are Han, else ``en``.

    Example:
        >>> guess_lang(["金湘军到晋城调研。"]), guess_lang(["Jin Xiangjun visited Jincheng."])
        ('zh', 'en')
    """
    chars = sum(len(t) - t.count(" ") for t in texts)
    han = sum(len(_HAN.findall(t)) for t in texts)
    return "zh" if chars and han * 10 >= chars else "en"


def qa_section(
    predictions: Mapping[str, Sequence[str]],
    *,
    ids: Sequence[str],
    sources: Sequence[str] | None = None,
    glossary: Glossary | None = None,
    disable: Collection[str] = (),
    thresholds: Mapping[str, float] | None = None,
    source_lang: str = "auto",
    target_lang: str = "en",
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """QA counts per system and check, and one row per finding.

    Args:
        predictions: system name -> its texts, one per document (in ``ids`` order).
        ids: the document ids.
        sources: the documents' sources (or None).
        glossary, disable, thresholds, target_lang: as :func:`qa_check`.
        source_lang: a language code, or ``auto`` (see the module docstring).

    Returns:
        ``(section, rows)``: ``section = {signature, checks, source_lang, systems: {name: {counts, findings,
        flagged_documents, spans: {doc id: [[start, end, check, message], ...]}}}}`` (the spans are what the
        HTML report highlights) and rows ``{system, id, check, severity, start, end, text, message, ...}``.

    Example:
        >>> section, rows = qa_section({"mt": ["Growth was 1.2 billion. , fine", "Fine."]}, ids=["d1", "d2"],
        ...                            sources=["增长1.2亿。", "好。"])
        >>> section["systems"]["mt"]["counts"]["qa.numbers.v1"], section["systems"]["mt"]["flagged_documents"]
        (1, 1)
        >>> [(r["id"], r["check"], r["text"]) for r in rows]
        [('d1', 'qa.numbers.v1', '1.2 billion'), ('d1', 'qa.punctuation.v1', '. ,')]
    """
    lang = guess_lang(list(sources or [])) if source_lang == "auto" else source_lang
    section: dict[str, Any] = {"signature": "", "checks": [], "source_lang": lang, "systems": {}}
    rows: list[dict[str, Any]] = []
    for name, texts in predictions.items():
        result = qa_check(predictions=list(texts), sources=None if sources is None else list(sources), glossary=glossary,
                          docs=list(ids), disable=disable, thresholds=thresholds, source_lang=lang,
                          target_lang=target_lang)
        section["signature"], section["checks"] = result.signature, list(result.checks)
        spans = {doc_id: [[f.start, f.end, f.check, f.message] for f in findings]
                 for doc_id, findings in zip(ids, result.findings) if findings}
        section["systems"][name] = {"counts": result.counts(), "findings": sum(result.counts().values()),
                                    "flagged_documents": result.n_flagged, "spans": spans}
        for doc_id, findings in zip(ids, result.findings):
            rows.extend({"system": name, "id": doc_id, **f.to_dict()} for f in findings)
    return section, rows
