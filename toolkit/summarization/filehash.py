"""sha256 of model files, cached per file by path, size, modification time and inode.

A 100 MB weight file takes about a second to hash on a busy machine; an unchanged file (same stat) is
trusted to have the same bytes, the way ``make`` and ``git`` trust a file's stat.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path



def cache_root() -> Path:
    """Per-user cache folder: ``$TOOLKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/toolkit``, else ``~/.cache/toolkit``.

    Example:
        >>> cache_root().name in {"toolkit"} or "TOOLKIT_CACHE_DIR" in __import__("os").environ
        True
    """
    explicit = os.environ.get("TOOLKIT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "toolkit"


def sha256_file(path: str | os.PathLike[str], chunk_size: int = 1 << 22) -> str:
    """Hex sha256 of a file, read in chunks.

    Example:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"; _ = p.write_bytes(b"abc")
        >>> sha256_file(p)[:12]
        'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename; an unwritable cache is ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only makes the next run slower


def cached_sha256(path: str | os.PathLike[str], root: Path | None = None) -> str:
    """sha256 of a file, remembered per (path, size, mtime, inode) so an unchanged file is read once.

    Args:
        path: The file.
        root: Cache root (default :func:`cache_root`).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); p = d / "w"; _ = p.write_bytes(b"abc")
        >>> cached_sha256(p, root=d)[:12], cached_sha256(p, root=d)[:12]
        ('ba7816bf8f01', 'ba7816bf8f01')
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    key = hashlib.sha256(f"{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}".encode()).hexdigest()
    entry = (root or cache_root()) / "hashes" / key[:32]
    try:
        digest = entry.read_text(encoding="utf-8").strip()
        if len(digest) == 64:
            return digest
    except OSError:
        pass
    digest = sha256_file(resolved)
    atomic_write_text(entry, digest)
    return digest
