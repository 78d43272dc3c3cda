"""Glossary terms in the report's summaries: every term present marked, and the expected terms each summary missed.

The run's glossary is read back from the path its manifest names, and used only when the file's sha256 still
equals the one the manifest recorded (a changed or moved glossary would mark the wrong terms); otherwise the
report falls back to the terms its normalise-stage edits name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["expected_missing", "run_glossary", "term_spans"]

#: Mark classes of each alignment kind in a summary: a correct rendering, or a variant the glossary rejects.
_CLASS = {"canonical": "term", "alternative": "term", "variant": "leak", "calque": "leak"}


def run_glossary(manifest: Mapping[str, Any]) -> Any:
    """The run's glossary when its file is where the manifest says, unchanged; else None.

    Example:
        >>> run_glossary({}) is None, run_glossary({"glossary": {"path": "nowhere.tsv", "sha256": "0"}}) is None
        (True, True)
    """
    block = manifest.get("glossary")
    if not isinstance(block, Mapping) or not isinstance(block.get("path"), str):
        return None
    path = Path(block["path"])
    if not path.is_file():
        return None
    from toolkit.runs.manifest import file_sha256
    from toolkit.terminology import load_glossary

    if file_sha256(path) != block.get("sha256"):
        return None
    return load_glossary(path)


def term_spans(glossary: Any, text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, class, title)`` of every glossary term in ``text``: ``term`` for a canonical term or an
    alternative, ``leak`` for a variant or calque (with the canonical term in the title).

    Example:
        >>> from toolkit.terminology import Glossary
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])
        >>> term_spans(g, "Jin Xiangjun, not the Jinxiang Army.")
        [(0, 12, 'term', 'glossary term (Jin Xiangjun)'), (22, 35, 'leak', "variant: the glossary says 'Jin Xiangjun' (Jin Xiangjun)")]
    """
    from toolkit.terminology import align

    spans = []
    for m in align(text, glossary=glossary, calques=False):
        cls = _CLASS.get(m.kind)
        if cls == "term":
            spans.append((m.start, m.end, cls, f"glossary term ({m.entry})"))
        elif cls == "leak":
            spans.append((m.start, m.end, cls, f"variant: the glossary says '{m.canonical}' ({m.entry})"))
    return spans


def expected_missing(glossary: Any, summary: str, source: str) -> list[str]:
    """Canonical terms of the entries the source makes expected that the summary does not render correctly
    (what the ``terms`` metric counts as missed for this document).

    Example:
        >>> from toolkit.terminology import Glossary
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"},
        ...                            {"canonical": "Changzhi", "source": "长治"}])
        >>> expected_missing(g, "The Jinxiang Army visited.", "Jin Xiangjun visited Changzhi.")
        ['Jin Xiangjun', 'Changzhi']
    """
    from toolkit.terminology.accuracy import term_stats

    stats = term_stats(summary, source=source, glossary=glossary, calques=False)
    return [d.canonical for d in stats.details if d.in_source and not d.correct]
