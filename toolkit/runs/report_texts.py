"""The texts behind a run's report: each document's source text and reference summaries.

A run folder stores the summaries and, with a glossary, the original and normalised texts
(``normalised.jsonl``); the documents and their references stay in the data file. :func:`load_texts` reads
that file as the run read it: the path, the data settings and the ``limit`` from ``config.resolved.yaml``,
checked against the data fingerprint in ``manifest.json`` (the sha256 of the documents as loaded, see
:func:`toolkit.runs.data.data_fingerprint`; the file's own sha256 is accepted too), so a report never shows texts
that are not the ones the run scored. When the file has moved or changed, the report says so instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError


@dataclass(frozen=True)
class DocumentTexts:
    """The source texts and references of a run's documents, or why they could not be read.

    Attributes:
        sources: document id -> the document's text as the run read it.
        references: document id -> its reference summaries.
        note: empty when the texts were read; otherwise why not (shown in the report).

    Example:
        >>> DocumentTexts({"a": "One."}, {"a": ("Uno.",)}).references["a"]
        ('Uno.',)
    """

    sources: Mapping[str, str] = field(default_factory=dict)
    references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""


def load_texts(manifest: Mapping[str, Any], config_text: str | None, *, ids: Iterable[str] | None = None) -> DocumentTexts:
    """Read the documents of a run from its data file, if it is still the file the run read.

    The file is read in one streaming pass (one document at a time) that fingerprints every document and keeps
    the texts of ``ids`` only, so a report of a million documents holds the few it shows.

    Args:
        manifest: ``manifest.json`` of the run (its ``data`` block names the file and its sha256).
        config_text: ``config.resolved.yaml`` (its ``data`` block gives the format and field names).
        ids: the documents whose texts are kept (default: every document).

    Returns:
        The texts; empty, with a ``note``, when the file is missing, changed or unreadable.

    Example:
        >>> import json
        >>> run = "tests/data/report/seed-demo"
        >>> texts = load_texts(json.load(open(f"{run}/manifest.json")), open(f"{run}/config.resolved.yaml").read())
        >>> sorted(texts.sources), len(texts.references["p1"]), texts.note
        (['p1', 'p2', 'p5', 'p6'], 1, '')
    """
    data = manifest.get("data") if isinstance(manifest.get("data"), Mapping) else {}
    path, sha = data.get("path"), data.get("sha256")
    if not isinstance(path, str) or not path:
        return DocumentTexts(note="the manifest names no data file, so sources and references are not shown")
    section, limit = _data_section(config_text)
    where = Path(path)
    if not where.exists():
        return DocumentTexts(note=f"data file {path} not found from here (run `toolkit report` from the folder the "
                                  "run started in); sources and references are not shown")
    try:
        from toolkit.runs.config import DataConfig
        from toolkit.runs.data import DataDigest, iter_documents
        from toolkit.runs.manifest import file_sha256

        wanted = None if ids is None else set(ids)
        digest, sources, references = DataDigest(), {}, {}
        for doc in iter_documents(DataConfig.model_validate({**dict(section or {}), "path": path}), limit=limit):
            digest.update((doc,))
            if wanted is None or doc.id in wanted:
                sources[doc.id], references[doc.id] = doc.text, tuple(doc.references)
        same = not isinstance(sha, str) or sha == digest.hexdigest() or (where.is_file() and sha == file_sha256(where))
    except (ToolkitError, ValueError, OSError) as exc:
        return DocumentTexts(note=f"data file {path} could not be read ({exc}); sources and references are not shown")
    if not same:
        return DocumentTexts(note=f"data file {path} changed since the run (sha256 differs); sources and "
                                  "references are not shown")
    return DocumentTexts(sources, references)


def _data_section(config_text: str | None) -> tuple[Mapping[str, Any] | None, int | None]:
    """The ``data`` section and the ``limit`` of the resolved config (``None`` where absent or unreadable)."""
    if not config_text:
        return None, None
    from toolkit.io import load_yaml

    try:
        config = load_yaml(config_text)
    except Exception:  # noqa: BLE001 - a damaged copy of the config: fall back to the manifest's path
        return None, None
    if not isinstance(config, Mapping):
        return None, None
    section, limit = config.get("data"), config.get("limit")
    return (section if isinstance(section, Mapping) else None,
            limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None)
