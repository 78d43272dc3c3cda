"""Faithfulness findings of a run: per system, each summary's unsupported spans, written to the run folder.

When a run's metrics include ``faithfulness`` or a ``support_*`` metric, the engine writes
``faithfulness/<system>.jsonl``: one row per document ``{"id", "system", "findings": [...]}`` (each finding as
:meth:`toolkit.scoring.faith_findings.Finding.to_dict`), found against the run's source (``doc.source or
doc.text``) with the run's glossary, model-free (content overlap alone; no MiniLM, no NLI). The report
marks these spans in each summary; ``results.json`` gets the per-system counts as its ``faithfulness`` section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from toolkit.io import write_jsonl
from toolkit.runs.data import RunDocument
from toolkit.runs.systems import SystemRun

FOLDER = "faithfulness"


def wants_findings(metrics: Sequence[str]) -> bool:
    """Whether a run's metrics call for findings: ``faithfulness`` or any ``support_*`` metric.

    Example:
        >>> wants_findings(["rouge1", "support_entity"]), wants_findings(["rouge1"])
        (True, False)
    """
    return any(m in ("faithfulness", "faithfulness.v1") or m.startswith(("support_", "support-")) for m in metrics)


def write_faithfulness_findings(
    run_dir: Path, runs: Sequence[SystemRun], docs: Sequence[RunDocument], predictions: Mapping[str, Sequence[str]],
    glossary: Any = None,
) -> dict[str, dict[str, int]]:
    """Write ``faithfulness/<system>.jsonl`` for every system run and count its findings.

    Args:
        run_dir: the run folder.
        runs: the system runs.
        docs: the run's documents (in run order).
        predictions: system name -> its summaries in document order.
        glossary: the run's glossary, or None.

    Returns:
        System -> ``{"findings": n, "documents": documents with at least one}`` (the ``faithfulness`` section).

    Example:
        >>> import tempfile
        >>> from toolkit.runs.config import SystemConfig
        >>> folder = Path(tempfile.mkdtemp())
        >>> runs = [SystemRun("lead", SystemConfig(name="lead", model="lead-1"), "original")]
        >>> docs = [RunDocument("d1", "Angela Merkel met people in Berlin.", ("Merkel met people.",))]
        >>> write_faithfulness_findings(folder, runs, docs, {"lead": ["Merkel met people in Paris."]})
        {'lead': {'findings': 1, 'documents': 1}}
        >>> (folder / "faithfulness" / "lead.jsonl").read_text().count('"Paris"')
        1
    """
    from toolkit.scoring.faith_findings import find_unsupported

    sources = [d.source or d.text for d in docs]
    ids = [d.id for d in docs]
    counts: dict[str, dict[str, int]] = {}
    for system in runs:
        found = find_unsupported(predictions=list(predictions[system.name]), sources=sources, ids=ids,
                                 glossary=glossary, model=False)
        rows = [{"id": i, "system": system.name, "findings": [f.to_dict() for f in fs]} for i, fs in zip(ids, found)]
        write_jsonl(run_dir / FOLDER / f"{system.name}.jsonl", rows)
        counts[system.name] = {"findings": sum(len(fs) for fs in found), "documents": sum(1 for fs in found if fs)}
    return counts


def _title(finding: Mapping[str, Any], also: str = "") -> str:
    kind = str(finding.get("kind", ""))
    head = f"unsupported {kind} (confidence {finding.get('confidence')})"
    if finding.get("missing"):
        head += f"; the source lacks: {', '.join(map(str, finding['missing']))}"
    head += also
    evidence = finding.get("evidence")
    return f"{head} · closest source: {evidence}" if evidence else f"{head} · no supporting source sentence"


def finding_spans(text: str, findings: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, str, str]]:
    """``(start, end, "unsupported", title)`` marks of a summary's findings, for ``report_html.highlight``.

    A finding whose offsets do not slice ``text`` to its ``text`` is left out (a stale file). A name, number
    or date inside an unsupported sentence is folded into the sentence's title (marks do not nest).

    Example:
        >>> spans = finding_spans("Merkel met people in Paris.", [{"kind": "entity", "start": 21, "end": 26,
        ...     "text": "Paris", "confidence": 1.0, "missing": ["paris"], "evidence": "Merkel met people in Berlin."}])
        >>> spans[0][:3], spans[0][3]
        ((21, 26, 'unsupported'), 'unsupported entity (confidence 1.0); the source lacks: paris · closest source: Merkel met people in Berlin.')
    """
    valid = [f for f in findings if isinstance(f.get("start"), int) and isinstance(f.get("end"), int)
             and 0 <= f["start"] < f["end"] <= len(text) and text[f["start"]:f["end"]] == f.get("text")]
    sentences = [f for f in valid if f.get("kind") == "sentence"]
    spans = []
    for s in sentences:
        inner = [f for f in valid if f.get("kind") != "sentence" and s["start"] <= f["start"] < s["end"]]
        also = "".join(f"; also unsupported: {f.get('kind')} '{f.get('text')}'" for f in inner)
        spans.append((s["start"], s["end"], "unsupported", _title(s, also)))
    for f in valid:
        if f.get("kind") != "sentence" and not any(s["start"] <= f["start"] < s["end"] for s in sentences):
            spans.append((f["start"], f["end"], "unsupported", _title(f)))
    return sorted(spans)
