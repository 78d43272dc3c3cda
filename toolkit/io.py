"""Reading and writing text, JSONL and run files, always as explicit UTF-8; no domain logic.

Input conventions shared by every subcommand:
- ``-`` reads standard input;
- a ``.jsonl`` file holds one JSON object a line (``{"id", "text"}`` by default);
- any other file is plain text: one document for ``read_documents``, one segment a line for ``read_segments``.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from toolkit.errors import InputError, shown
from toolkit.safeparse import has_lone_surrogate, load_yaml, loads_json, yaml_loader

__all__ = ["Document", "atomic_writer", "check_not_device", "check_outputs_distinct", "check_writable", "decode_text",
           "has_lone_surrogate", "is_jsonl", "iter_jsonl", "load_yaml", "loads_json", "name_as_text", "read_documents",
           "read_outputs", "read_segments", "read_text", "write_json", "write_jsonl", "write_text", "yaml_loader"]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM}


@dataclass(frozen=True)
class Document:
    """One input item: an id, its text, and any other fields it came with."""

    id: str
    text: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def decode_text(data: bytes, name: str) -> str:
    """Decode file bytes as UTF-8 (a BOM is dropped, CRLF and CR become LF).

    Raises:
        InputError: not UTF-8, or a NUL byte; the message names ``name`` and the line.

    Example:
        >>> decode_text(b"a\\r\\nb", "x.txt")
        'a\\nb'
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}:{line}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8, e.g. iconv -f LATIN1 -t UTF-8"
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(f"{name}:{line}: contains a NUL byte; this is a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: str | Path) -> str:
    """Read a whole UTF-8 file (a BOM is dropped, CRLF becomes LF); ``-`` reads stdin.

    Raises:
        InputError: the file is missing, a folder, not UTF-8, or holds a NUL byte.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "a.txt"
        >>> _ = path.write_bytes("\\ufeffJin Xiangjun\\r\\nShanxi\\r\\n".encode("utf-8"))
        >>> read_text(path)
        'Jin Xiangjun\\nShanxi\\n'
    """
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{name}: file not found; check the path")
        if p.is_dir():
            raise InputError(f"{name}: is a folder, not a file; give a file path")
        check_not_device(p)
        data = p.read_bytes()
    return decode_text(data, name)


def check_not_device(path: Path) -> None:
    """Refuse a character or block device (``/dev/zero`` never ends); pipes (``<(cmd)``) are fine.

    Raises:
        InputError: naming the path.

    Example:
        >>> import os
        >>> check_not_device(Path(os.devnull))
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: ...: is a device, not a file; give a file path (or - for stdin)
    """
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise InputError(f"{path}: is a device, not a file; give a file path (or - for stdin)")


def iter_jsonl(path: str | Path, text: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSONL file.

    Raises:
        InputError: a line is not JSON, or not a JSON object; the message gives its line number.

    Example:
        >>> list(iter_jsonl("docs.jsonl", text='{"id": "a"}\\n\\n{"id": "b"}\\n'))
        [(1, {'id': 'a'}), (3, {'id': 'b'})]
        >>> list(iter_jsonl("docs.jsonl", text='{"id": "a"}\\n[1, 2]\\n'))
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: docs.jsonl:2: expected a JSON object like {"id": ..., "text": ...}
    """
    content = read_text(path) if text is None else text
    for number, line in enumerate(content.split("\n"), start=1):
        if not line.strip():
            continue
        obj = loads_json(line, f"{path}:{number}")
        if not isinstance(obj, dict):
            raise InputError(f"{path}:{number}: expected a JSON object like {{\"id\": ..., \"text\": ...}}")
        yield number, obj


def name_as_text(name: str) -> str:
    """A file name as text: bytes that were not UTF-8 (kept by Python as lone surrogates) become U+FFFD.

    Such a name used as a document id could not be written to any UTF-8 file.

    Example:
        >>> name_as_text("caf\\udce9"), name_as_text("金湘军")
        ('caf\ufffd', '金湘军')
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if not name.isprintable() else name


def is_jsonl(path: str | Path) -> bool:
    """True when the path names a JSONL file (by its extension).

    Example:
        >>> is_jsonl("docs.JSONL"), is_jsonl("docs.ndjson"), is_jsonl("article.txt")
        (True, True, False)
    """
    return str(path).lower().endswith((".jsonl", ".ndjson"))


def read_documents(path: str | Path, *, id_field: str = "id", text_field: str = "text") -> list[Document]:
    """Read documents from a JSONL file of objects, or a plain text file (one document).

    Raises:
        InputError: missing or duplicate ids, a missing or non-string text field, or no documents.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> write_jsonl(folder / "docs.jsonl", [{"id": "p1", "text": "Rain fell.", "references": ["Rain."]}])
        >>> read_documents(folder / "docs.jsonl")
        [Document(id='p1', text='Rain fell.', extra={'references': ['Rain.']})]
        >>> write_text(folder / "article.txt", "One whole article.\\n")
        >>> [(d.id, d.text) for d in read_documents(folder / "article.txt")]
        [('article', 'One whole article.\\n')]
    """
    if not is_jsonl(path):
        text = read_text(path)
        if not text.strip():
            raise InputError(f"{path}: file is empty; give a file with text in it")
        stem = "stdin" if str(path) == "-" else name_as_text(Path(path).stem)
        return [Document(id=stem, text=text)]
    docs: list[Document] = []
    seen: dict[str, int] = {}
    for number, obj in iter_jsonl(path):
        if text_field not in obj:
            raise InputError(f"{path}:{number}: missing field '{text_field}'; each line needs {{\"{id_field}\": ..., \"{text_field}\": ...}}")
        value = obj[text_field]
        if not isinstance(value, str):
            raise InputError(f"{path}:{number}: field '{text_field}' must be a string, got {type(value).__name__}")
        doc_id = str(obj.get(id_field, number))
        if doc_id in seen:
            raise InputError(f"{path}:{number}: duplicate id {shown(doc_id)} (first on line {seen[doc_id]}); ids must be unique")
        seen[doc_id] = number
        extra = {k: v for k, v in obj.items() if k not in (id_field, text_field)}
        docs.append(Document(id=doc_id, text=value, extra=extra))
    if not docs:
        raise InputError(f"{path}: no documents found; the file is empty")
    return docs


def read_outputs(path: str | Path) -> list[Document]:
    """Read system outputs from JSONL: ``{"id", "text"}`` (what ``toolkit summarize`` and runs write), or the
    ``{"id", "summary"}`` rows earlier versions of ``toolkit summarize`` wrote.

    Raises:
        InputError: as :func:`read_documents`.
    """
    first = next((obj for _, obj in iter_jsonl(path)), {})
    field = "summary" if "text" not in first and "summary" in first else "text"
    return read_documents(path, text_field=field)


def read_segments(path: str | Path) -> list[str]:
    """Read one segment a line (sacreBLEU's convention); the final newline does not add a segment.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "hyp.txt"
        >>> write_text(path, "first\\n\\nthird\\n")
        >>> read_segments(path)
        ['first', '', 'third']
    """
    text = read_text(path)
    if text.endswith("\n"):
        text = text[:-1]
    if text == "":
        raise InputError(f"{path}: file is empty; give one segment a line")
    return text.split("\n")


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[TextIO]:
    """Write a file through a temporary sibling renamed into place, so no half-written file is ever seen.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "sub" / "out.txt"
        >>> with atomic_writer(path) as handle:
        ...     _ = handle.write("done\\n")
        >>> path.read_text(), sorted(p.name for p in path.parent.iterdir())
        ('done\\n', ['out.txt'])
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        blocker = next((q for q in target.parents if q.exists() and not q.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker is not None else exc.strerror
        raise InputError(f"{target}: cannot write here ({reason}); choose a writable folder") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the user's usual mode
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in _WRITE_ERRNOS:  # the file that was there before (if any) is untouched
            raise InputError(f"{target}: cannot write ({exc.strerror}); free disk space or choose another folder, "
                             "then run again") from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: str | Path) -> None:
    """Fail early, before long work, when ``path`` cannot be written (its folder is missing a parent or is a file).

    Raises:
        InputError: naming the path and what blocks it.
    """
    target = Path(path)
    parent = target.parent
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise InputError(f"{target}: cannot write here ({folder} is a file, not a folder); choose a writable folder")
            if not os.access(folder, os.W_OK):
                raise InputError(f"{target}: cannot write here ({folder} is not writable); choose a writable folder")
            return


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def check_outputs_distinct(outputs: dict[str, str | Path | None], inputs: dict[str, str | Path | None]) -> None:
    """Refuse an output path that is one of the command's inputs, or another of its outputs.

    ``outputs`` and ``inputs`` map the option a user typed (``-o``, ``--edits``, ``INPUT``) to its path;
    ``None`` and ``-`` (stdin/stdout) are skipped. Symlinks and hard links to the same file count as the same.

    Raises:
        InputError: naming both options and the path, before anything is read or written.

    Example:
        >>> check_outputs_distinct({"-o": "out.txt", "--edits": "edits.jsonl"}, {"INPUT": "doc.txt"})
        >>> check_outputs_distinct({"-o": "doc.txt"}, {"INPUT": "./doc.txt"})
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: doc.txt: -o is also INPUT; writing it would replace the input, choose another output path
    """
    seen: list[tuple[str, str | Path]] = [(k, v) for k, v in inputs.items() if v is not None and str(v) != "-"]
    for option, path in outputs.items():
        if path is None or str(path) == "-":
            continue
        for other, earlier in seen:
            if _same_file(path, earlier):
                why = ("writing it would replace the input" if other in inputs
                       else "the two outputs would overwrite each other")
                raise InputError(f"{path}: {option} is also {other}; {why}, choose another output path")
        seen.append((option, path))


def write_text(path: str | Path, text: str) -> None:
    """Write a text file atomically."""
    with atomic_writer(path) as handle:
        handle.write(text)


def write_json(path: str | Path, obj: Any) -> None:
    """Write pretty JSON atomically."""
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write JSONL atomically (``-`` writes to stdout).

    Example:
        >>> write_jsonl("-", [{"id": "p1", "score": 70.0}, {"id": "p2", "text": "金湘军"}])
        {"id": "p1", "score": 70.0}
        {"id": "p2", "text": "金湘军"}
    """
    if str(path) == "-":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    with atomic_writer(path) as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
