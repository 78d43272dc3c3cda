"""Streaming readers of a run's data: each yields ``(where, row)`` pairs one row at a time, never the corpus.

``where`` names the file and line (``docs.jsonl:12``), row (``docs.parquet[41]``) or file (a folder's
``a.txt``) for one-line errors. Text files are read as :func:`toolkit.io.decode_text` reads them (UTF-8, a BOM
dropped, CRLF and CR as line breaks), but line by line, so the line numbers and messages are the same.
:mod:`toolkit.runs.data` turns the rows into checked documents.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.io import check_not_device, name_as_text, read_text
from toolkit.runs.config import DataConfig
from toolkit.safeparse import loads_json

Rows = Iterator[tuple[str, dict[str, Any]]]
FORMATS = ("jsonl", "csv", "tsv", "txt-folder", "hf", "parquet")
_PARQUET_BATCH = 1024  # rows decoded at once from a Parquet file


def infer_format(path: Path) -> str:
    """The data format a path implies (``""`` when it does not say).

    Example:
        >>> infer_format(Path("docs.JSONL")), infer_format(Path("docs.parquet")), infer_format(Path("docs.txt"))
        ('jsonl', 'parquet', '')
    """
    if path.is_dir():
        if (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists():
            return "hf"
        return "txt-folder"
    suffix = path.suffix.lower()
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".parquet": "parquet"}.get(suffix, "")


def iter_text_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of a UTF-8 text file, without its line break, read one line at a time.

    The lines and numbers are those of ``read_text(path).split("\\n")``.

    Raises:
        InputError: not UTF-8, or a NUL byte (the message names the line, as :func:`toolkit.io.decode_text`).

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "a.txt"
        >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfa\\r\\nb\\rc\\n")
        >>> list(iter_text_lines(p)) == list(enumerate(read_text(p).split("\\n"), start=1))
        True
    """
    check_not_device(path)
    number = offset = physical = 0
    with open(path, "rb") as handle:
        for raw in handle:
            physical += 1
            try:
                text = raw.decode("utf-8-sig" if offset == 0 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}:{physical}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {offset + exc.start}); "
                    "re-save the file as UTF-8, e.g. iconv -f LATIN1 -t UTF-8"
                ) from None
            offset += len(raw)
            if "\x00" in text:
                raise InputError(f"{path}:{physical}: contains a NUL byte; this is a binary file, not text")
            ended = text.endswith("\n")
            body = text[:-1] if ended else text
            if ended and body.endswith("\r"):
                body = body[:-1]  # CRLF
            pieces = body.split("\r")  # a lone CR is a line break too
            for piece in pieces:
                number += 1
                yield number, piece
            if not ended:
                return
    number += 1
    yield number, ""  # the empty text after the last line break, as str.split gives it


def _jsonl_rows(path: Path) -> Rows:
    for number, line in iter_text_lines(path):
        if not line.strip():
            continue
        obj = loads_json(line, f"{path}:{number}")
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{number}: expected a JSON object like {{\"id\": ..., \"text\": ...}}")
        yield f"{path}:{number}", obj


def _delimited_rows(path: Path, delimiter: str, cfg: DataConfig) -> Rows:
    lines = (line + "\n" for _, line in iter_text_lines(path))
    reader = csv.DictReader(lines, delimiter=delimiter)
    if not reader.fieldnames or cfg.text_field not in reader.fieldnames:
        found = ", ".join(reader.fieldnames or []) or "nothing"
        raise InputError(f"{path}:1: header has no '{cfg.text_field}' column (found {found}); check the delimiter and data.text_field")
    for row in reader:
        refs = [v for k, v in row.items() if k and (k == cfg.references_field or k.startswith(cfg.references_field + ".")) and v]
        row = dict(row)
        row[cfg.references_field] = refs
        yield f"{path}:{reader.line_num}", row


def _txt_folder_rows(path: Path) -> Rows:
    for file in sorted(path.glob("*.txt")):
        if ".ref" in file.stem:
            continue
        refs = sorted(path.glob(f"{file.stem}.ref*.txt"))
        yield str(file), {"id": name_as_text(file.stem), "text": read_text(file),
                          "references": [read_text(r).strip() for r in refs]}


def _hf_rows(path: Path, cfg: DataConfig) -> Rows:
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
    for i, row in enumerate(dataset):  # memory-mapped Arrow: rows are decoded one at a time
        yield f"{path}[{i}]", dict(row)


def _parquet_rows(path: Path) -> Rows:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(f"{path}: data.format 'parquet' needs pyarrow: pip install pyarrow (the ray extra has it)") from None
    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds for a file that is not Parquet
        raise InputError(f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]}); check data.path and data.format") from None
    index = 0
    for batch in handle.iter_batches(batch_size=_PARQUET_BATCH):
        for row in batch.to_pylist():
            yield f"{path}[{index}]", row
            index += 1


def iter_rows(cfg: DataConfig) -> Rows:
    """The rows of the data a config names, one at a time, in file order.

    Raises:
        InputError: the path is missing, the format unknown, or a file unreadable (named with its line).

    Example:
        >>> import tempfile
        >>> p = Path(tempfile.mkdtemp()) / "d.jsonl"
        >>> _ = p.write_text('{"id": 1, "text": "a"}\\n\\n{"id": 2, "text": "b"}\\n')
        >>> [(where.rsplit(":", 1)[1], row["id"]) for where, row in iter_rows(DataConfig(path=str(p)))]
        [('1', 1), ('3', 2)]
    """
    path = Path(cfg.path)
    if cfg.format != "hf" and not path.exists():
        raise InputError(f"{path}: data file not found; check data.path in the config")
    fmt = cfg.format or infer_format(path)
    if fmt == "jsonl":
        return _jsonl_rows(path)
    if fmt in ("csv", "tsv"):
        return _delimited_rows(path, "," if fmt == "csv" else "\t", cfg)
    if fmt == "txt-folder":
        return _txt_folder_rows(path)
    if fmt == "hf":
        return _hf_rows(path, cfg)
    if fmt == "parquet":
        return _parquet_rows(path)
    raise InputError(f"{path}: cannot tell the format; set data.format to {', '.join(FORMATS[:-1])} or {FORMATS[-1]}")
