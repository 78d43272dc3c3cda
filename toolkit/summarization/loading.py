"""Load transformers models safely and offline-first.

Rules (issue 9, point 2):

- ``HF_HUB_OFFLINE=1`` (or ``TRANSFORMERS_OFFLINE=1``) is respected: a hub id that is not in the local
  HF cache fails with one line naming the model and the command that fetches it.
- ``trust_remote_code`` is passed only when the caller asks for it; a model that needs it fails with
  :class:`~toolkit.errors.UnsafeModelError` otherwise.
- Weights are read from safetensors (or GGUF); pickle-based ``*.bin``/``*.pt`` files only with
  ``allow_pickle=True``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ModelUnavailableError, UnsafeModelError
from toolkit.summarization.filehash import cached_sha256
from toolkit.summarization.registry import ModelSpec

_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
DEFAULT_GGUF_ID = "HuggingFaceTB/SmolLM2-135M-Instruct:Q4_1"  # model_id of the embedded default model


@dataclass
class LoadedModel:
    """A model and tokenizer ready for generation.

    Attributes:
        model: The transformers model (eval mode, on its device).
        tokenizer: Its tokenizer.
        kind: ``seq2seq`` or ``chat``.
        model_id: Hub id, folder or file the weights came from.
        model_hash: sha256 of the weights file(s), or ``hf:<commit>`` for hub snapshots.
        origin: How the weights were read (``safetensors``, ``pickle``, ``gguf``, ``cache``).
    """

    model: Any
    tokenizer: Any
    kind: str
    model_id: str
    model_hash: str
    origin: str


def hub_offline() -> bool:
    """True when the HF hub must not be contacted.

    Example:
        >>> import os; os.environ["HF_HUB_OFFLINE"] = "1"; hub_offline()
        True
    """
    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return any(flag.strip().lower() in {"1", "true", "yes", "on"} for flag in flags)


def hash_weight_files(folder: Path) -> str:
    """sha256 over the sorted weight files' own sha256 values (and config.json).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "config.json").write_text("{}")
        >>> len(hash_weight_files(d))
        64
    """
    digest = hashlib.sha256()
    names = sorted(p.name for p in folder.iterdir() if p.suffix in {".safetensors", ".json"} | set(_PICKLE_SUFFIXES))
    for name in names:
        if name.endswith(".json") and name != "config.json":
            continue
        digest.update(name.encode() + b"\0" + cached_sha256(folder / name).encode() + b"\n")
    return digest.hexdigest()


def _weight_format(folder: Path) -> str:
    files = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    if any(name.endswith(".safetensors") for name in files):
        return "safetensors"
    if any(name.endswith(_PICKLE_SUFFIXES) for name in files):
        return "pickle"
    return "none"


def _hub_snapshot(repo_id: str, allow_pickle: bool = False) -> Path:
    """Local snapshot folder of a hub model (downloading it when online; pickle files only if allowed)."""
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.safetensors", "*.model", "*.txt", "*.jinja", "*.tiktoken"]
    if allow_pickle:
        patterns.append("*.bin")
    offline = hub_offline()
    try:
        return Path(snapshot_download(repo_id, allow_patterns=patterns, local_files_only=offline))
    except Exception as exc:  # noqa: BLE001 - huggingface_hub raises many types; all mean "not here"
        how = f"run `hf download {repo_id}` with network access (then HF_HUB_OFFLINE=1 works)"
        why = "not in the local HF cache and HF_HUB_OFFLINE is set" if offline else type(exc).__name__
        raise ModelUnavailableError(f"model '{repo_id}' is not available ({why}); {how}") from exc


def _check_safety(folder: Path, name: str, allow_pickle: bool) -> str:
    fmt = _weight_format(folder)
    if fmt == "pickle" and not allow_pickle:
        raise UnsafeModelError(
            f"model '{name}' has only pickle weights (*.bin), which can run code when loaded; "
            "convert it to safetensors or pass allow_pickle=True (--allow-pickle) if you trust it"
        )
    if fmt == "none":
        raise ModelUnavailableError(f"model '{name}': no weights (*.safetensors) found in {folder}")
    return fmt


def _kind_of(config: Any) -> str:
    if getattr(config, "is_encoder_decoder", False):
        return "seq2seq"
    return "chat"


def load_transformers(
    spec: ModelSpec,
    *,
    dtype: Any,
    device: str,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
) -> LoadedModel:
    """Load a folder, hub id or ``.gguf`` file with the safety rules of this module.

    Args:
        spec: Parsed spec with source ``folder``, ``hub``, ``gguf`` or ``default-gguf``.
        dtype: torch dtype for the weights.
        device: ``cpu`` or ``cuda[:n]``.
        trust_remote_code: Allow code shipped with the model to run.
        allow_pickle: Allow pickle (``*.bin``) weights.

    Returns:
        The loaded model.

    Raises:
        ModelUnavailableError: Missing files, not cached offline, or an unsupported architecture.
        UnsafeModelError: Pickle weights or remote code without opt-in.
    """
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    if spec.source in {"gguf", "default-gguf"}:
        from toolkit.summarization import gguf_default

        if spec.source == "default-gguf":
            path = gguf_default.find_default_gguf()
            file_hash = gguf_default.verify_default_gguf(path)
        else:
            path = Path(spec.location)
            if not path.is_file():
                raise ModelUnavailableError(f"model '{spec.name}': file {path} not found")
            file_hash = cached_sha256(path)
        try:
            model, tokenizer, origin = gguf_default.load_gguf_cached(path, file_hash, dtype=dtype)
        except (ValueError, OSError, KeyError) as exc:
            raise ModelUnavailableError(f"model '{spec.name}': cannot read GGUF file {path}: {exc}") from exc
        model_id = DEFAULT_GGUF_ID if spec.source == "default-gguf" else str(path)
        return LoadedModel(model.to(device).eval(), tokenizer, "chat", model_id, file_hash, origin)

    if spec.source == "hub":
        folder = _hub_snapshot(spec.location, allow_pickle)
        model_hash = f"hf:{folder.name}"
    else:
        folder = Path(spec.location)
        model_hash = ""
    fmt = _check_safety(folder, spec.name, allow_pickle)
    if not model_hash:
        model_hash = hash_weight_files(folder)
    try:
        config = AutoConfig.from_pretrained(folder, trust_remote_code=trust_remote_code)
    except ValueError as exc:
        if "trust_remote_code" in str(exc):
            raise UnsafeModelError(
                f"model '{spec.name}' needs its own code to load; pass trust_remote_code=True "
                "(--trust-remote-code) only if you trust its authors"
            ) from exc
        raise ModelUnavailableError(f"model '{spec.name}': unreadable config ({exc})") from exc
    kind = _kind_of(config)
    auto = AutoModelForSeq2SeqLM if kind == "seq2seq" else AutoModelForCausalLM
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=trust_remote_code)
        model = auto.from_pretrained(
            folder,
            config=config,
            dtype=dtype,
            trust_remote_code=trust_remote_code,
            use_safetensors=fmt == "safetensors",
        )
    except ValueError as exc:
        raise ModelUnavailableError(f"model '{spec.name}' cannot be loaded as {kind}: {exc}") from exc
    return LoadedModel(model.to(device).eval(), tokenizer, kind, spec.location, model_hash, fmt)
