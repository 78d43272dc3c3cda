"""The ``qa`` section of a run as report tables: findings per system and check, and a count per system.

Pure formatting of the section :func:`toolkit.qa.section.qa_section` writes into ``results.json``; the run
report (``toolkit/runs/report.py``) calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def qa_count(section: Mapping[str, Any] | None, system: str) -> str:
    """A system's number of QA findings as a table cell (``-`` when the run had no ``qa`` stage).

    Example:
        >>> qa_count({"systems": {"mt": {"findings": 3}}}, "mt"), qa_count(None, "mt")
        ('3', '-')
    """
    block = ((section or {}).get("systems") or {}).get(system)
    return str(block.get("findings", "-")) if isinstance(block, Mapping) else "-"


def qa_rows(section: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per system, a column per check (short names), then the total.

    Example:
        >>> qa_rows({"checks": ["qa.numbers.v1", "qa.length.v1"],
        ...          "systems": {"mt": {"counts": {"qa.numbers.v1": 2, "qa.length.v1": 0}, "findings": 2,
        ...                             "flagged_documents": 1}}})
        (['System', 'numbers', 'length', 'Findings', 'Documents flagged'], [['mt', '2', '0', '2', '1']])
    """
    checks = list(section.get("checks") or [])
    header = ["System", *(c.split(".")[1] if c.count(".") >= 2 else c for c in checks), "Findings", "Documents flagged"]
    rows = []
    for name, block in (section.get("systems") or {}).items():
        counts = block.get("counts") or {}
        rows.append([str(name), *(str(counts.get(c, 0)) for c in checks), str(block.get("findings", 0)),
                     str(block.get("flagged_documents", 0))])
    return header, rows
