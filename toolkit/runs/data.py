"""Load a run's documents (JSONL, CSV/TSV, a folder of .txt files, or a local HF dataset folder)."""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.io import iter_jsonl, name_as_text, read_text
from toolkit.runs.config import DataConfig


@dataclass(frozen=True)
class RunDocument:
    """A document of a run: its text, its reference summaries, and an optional source-language text."""

    id: str
    text: str
    references: tuple[str, ...] = ()
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def _infer_format(path: Path) -> str:
    if path.is_dir():
        if (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists():
            return "hf"
        return "txt-folder"
    suffix = path.suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv"}.get(suffix, "")


def _as_references(value: Any, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"{where}: field '{name}' must be a string or a list of strings")


def _from_rows(rows: list[tuple[str, dict[str, Any]]], cfg: DataConfig) -> list[RunDocument]:
    docs: list[RunDocument] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        if cfg.text_field not in row or not isinstance(row[cfg.text_field], str):
            raise InputError(f"{where}: missing text field '{cfg.text_field}' (set data.text_field in the config)")
        if cfg.id_field not in row:
            raise InputError(f"{where}: missing id field '{cfg.id_field}' (set data.id_field in the config)")
        doc_id = str(row[cfg.id_field])
        if doc_id in seen:
            raise InputError(f"{where}: duplicate id '{doc_id}' (first at {seen[doc_id]}); ids must be unique")
        seen[doc_id] = where
        refs = _as_references(row.get(cfg.references_field), where, cfg.references_field)
        source = row.get(cfg.source_field) if cfg.source_field else None
        if cfg.source_field and not isinstance(source, str):
            raise InputError(f"{where}: missing source field '{cfg.source_field}' (or set data.source_field: null)")
        used = {cfg.id_field, cfg.text_field, cfg.references_field, cfg.source_field}
        extra = {k: v for k, v in row.items() if k not in used}
        docs.append(RunDocument(id=doc_id, text=row[cfg.text_field], references=refs, source=source, extra=extra))
    return docs


def _read_delimited(path: Path, delimiter: str, cfg: DataConfig) -> list[tuple[str, dict[str, Any]]]:
    text = read_text(path)
    reader = csv.DictReader(_io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames or cfg.text_field not in reader.fieldnames:
        found = ", ".join(reader.fieldnames or []) or "nothing"
        raise InputError(f"{path}:1: header has no '{cfg.text_field}' column (found {found}); check the delimiter and data.text_field")
    rows = []
    for row in reader:
        refs = [v for k, v in row.items() if k and (k == cfg.references_field or k.startswith(cfg.references_field + ".")) and v]
        row = dict(row)
        row[cfg.references_field] = refs
        rows.append((f"{path}:{reader.line_num}", row))
    return rows


def _read_txt_folder(path: Path) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for file in sorted(path.glob("*.txt")):
        refs = sorted(path.glob(f"{file.stem}.ref*.txt"))
        if ".ref" in file.stem:
            continue
        rows.append((str(file), {"id": name_as_text(file.stem), "text": read_text(file),
                                 "references": [read_text(r).strip() for r in refs]}))
    return rows


def _read_hf(path: Path, cfg: DataConfig) -> list[tuple[str, dict[str, Any]]]:
    try:
        import datasets  # type: ignore[import-not-found]
    except ImportError:
        raise InputError(
            f"{path}: data.format 'hf' needs the 'datasets' package; install the hf extra: pip install -e '.[hf]' "
            "(or pip install datasets)"
        ) from None
    dataset = datasets.load_from_disk(str(path)) if path.exists() else datasets.load_dataset(str(path), split=cfg.split)
    if hasattr(dataset, "keys"):
        split = cfg.split or next(iter(dataset.keys()))
        dataset = dataset[split]
    return [(f"{path}[{i}]", dict(row)) for i, row in enumerate(dataset)]


def load_documents(cfg: DataConfig, *, limit: int | None = None) -> list[RunDocument]:
    """Read the documents a config names.

    Raises:
        InputError: the path is missing, the format unknown, or a row lacks a field (named with its line).
    """
    path = Path(cfg.path)
    if cfg.format != "hf" and not path.exists():
        raise InputError(f"{path}: data file not found; check data.path in the config")
    fmt = cfg.format or _infer_format(path)
    if fmt == "jsonl":
        rows = [(f"{path}:{n}", obj) for n, obj in iter_jsonl(path)]
    elif fmt in ("csv", "tsv"):
        rows = _read_delimited(path, "," if fmt == "csv" else "\t", cfg)
    elif fmt == "txt-folder":
        rows = _read_txt_folder(path)
    elif fmt == "hf":
        rows = _read_hf(path, cfg)
    else:
        raise InputError(f"{path}: cannot tell the format; set data.format to jsonl, csv, tsv, txt-folder or hf")
    docs = _from_rows(rows, cfg)
    if not docs:
        raise InputError(f"{path}: no documents found")
    return docs[:limit] if limit else docs


def data_fingerprint(docs: list[RunDocument]) -> str:
    """sha256 over the documents as loaded (ids, texts, references, sources)."""
    digest = hashlib.sha256()
    for doc in docs:
        digest.update(json.dumps([doc.id, doc.text, list(doc.references), doc.source], ensure_ascii=False).encode())
    return digest.hexdigest()
