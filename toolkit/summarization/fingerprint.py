"""A model's fingerprint from its files, without loading its weights.

A run whose summaries are all stored must not load a model only to learn its fingerprint (issue 18,
item 4). :func:`describe` computes the same fingerprint and model record as a loaded summariser
(:attr:`~toolkit.summarization.base.Summarizer.fingerprint`, ``.info``) from what decides the output and
can be read cheaply: the weight files' sha256 (cached per file by path, size and modification time, the way
``make`` and ``git`` trust a file's stat), the model config (``config.json``), the prompt, the generation
settings, the dtype and the device.

Two fields of the record need the tokenizer (``context_tokens`` and ``document_budget``); they are kept in
a small cache written each time a generative model is really loaded (:func:`remember`), keyed by the
fingerprint, and added when present.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from toolkit.summarization.filehash import atomic_write_text, cache_root, cached_sha256
from toolkit.summarization.records import GenerationSettings

LOADED_ONLY = ("context_tokens", "document_budget")  # fields of ``info`` that need the tokenizer


def _info_path(fingerprint: str, root: Path | None = None) -> Path:
    return (root or cache_root()) / "described" / f"{fingerprint}.json"


def remember(summarizer: Any, root: Path | None = None) -> None:
    """Keep a loaded summariser's tokenizer-dependent record fields for :func:`describe` (never raises)."""
    info = summarizer.info
    fields = {name: info[name] for name in LOADED_ONLY if name in info}
    if fields:
        atomic_write_text(_info_path(summarizer.fingerprint, root), json.dumps(fields))


def recalled(fingerprint: str, root: Path | None = None) -> dict[str, Any]:
    """The fields :func:`remember` kept for ``fingerprint`` (empty when none)."""
    try:
        return dict(json.loads(_info_path(fingerprint, root).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def _config_json(folder: Path, trust_remote_code: bool) -> Any:
    """The model config as attributes: ``config.json`` read as JSON, or through AutoConfig when it does
    not say whether the model is an encoder-decoder (AutoConfig reads no weights either)."""
    try:
        values = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        values = {}
    if isinstance(values, dict) and "is_encoder_decoder" in values:
        return SimpleNamespace(**values)
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(folder, trust_remote_code=trust_remote_code)


def _generative_info(
    spec: Any, settings: GenerationSettings, device: str, precision: str, trust_remote_code: bool, allow_pickle: bool
) -> dict[str, Any]:
    from toolkit.summarization import gguf_default, loading
    from toolkit.summarization.batching import resolve_dtype
    from toolkit.summarization.chat import CLEANER, resolve_prompt
    from toolkit.summarization.seq2seq import task_prefix

    dtype = resolve_dtype(settings.dtype, device, precision)
    if spec.source in {"gguf", "default-gguf"}:
        if spec.source == "default-gguf":
            path = gguf_default.find_default_gguf()
            model_hash = gguf_default.verify_default_gguf(path)
            model_id = loading.DEFAULT_GGUF_ID
        else:
            path = Path(spec.location)
            if not path.is_file():
                from toolkit.errors import ModelUnavailableError

                raise ModelUnavailableError(f"model '{spec.name}': file {path} not found")
            model_hash, model_id = cached_sha256(path), str(path)
        kind, origin = "chat", "cache" if gguf_default.is_cached(model_hash) else "gguf"
        prompt = f"{resolve_prompt(settings.prompt)[0]}+{CLEANER}"
    else:
        if spec.source == "hub":
            folder = loading._hub_snapshot(spec.location, allow_pickle)
            model_hash = f"hf:{folder.name}"
        else:
            folder = Path(spec.location)
            model_hash = ""
        origin = loading._check_safety(folder, spec.name, allow_pickle)
        model_hash = model_hash or loading.hash_weight_files(folder)
        model_id = spec.location
        config = _config_json(folder, trust_remote_code)
        kind = loading._kind_of(config)
        if kind == "seq2seq":
            prompt = f"prefix:{task_prefix(config)!r}"
        else:
            prompt = f"{resolve_prompt(settings.prompt)[0]}+{CLEANER}"
    return {"name": spec.name, "kind": kind, "model_id": model_id, "model_hash": model_hash, "origin": origin,
            "dtype": dtype, "device": device, "prompt": prompt, "precision": precision}


def describe(
    spec: str,
    *,
    settings: GenerationSettings | dict[str, Any] | None = None,
    precision: str = "exact",
    device: str | None = None,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
) -> dict[str, Any]:
    """``{"fingerprint", "info"}`` of the summariser :func:`~toolkit.load_summarizer` would build, without
    loading any weights.

    Arguments are those of :func:`~toolkit.load_summarizer`. The fingerprint equals the loaded summariser's
    (``tests/test_summarization_warm.py`` checks it for every backend).

    Raises:
        UnknownNameError, ConfigError, ModelUnavailableError: As :func:`~toolkit.load_summarizer` would.

    Example:
        >>> d = describe("lead-2")
        >>> d["info"]["prompt"], d["fingerprint"] == __import__("toolkit").load_summarizer("lead-2").fingerprint
        ('lead-k.v1:k=2', True)
    """
    from toolkit.summarization.base import fingerprint_of
    from toolkit.summarization.records import check_precision, settings_of
    from toolkit.summarization.registry import parse_spec

    config = settings_of(settings)
    check_precision(precision)
    parsed = parse_spec(spec)
    if parsed.source == "lead":
        from toolkit.summarization.extractive import LeadSummarizer

        # rule-based: nothing to load (as load_summarizer builds it)
        summarizer = LeadSummarizer(parsed.name, config if parsed.k == config.k else config.replace(k=parsed.k))
        return {"fingerprint": summarizer.fingerprint, "info": dict(summarizer.info)}
    from toolkit.summarization.batching import choose_device

    resolved = choose_device(device)
    if parsed.source == "centrality":
        from toolkit.summarization.extractive import centrality_info

        info = centrality_info(parsed.name, config, resolved, cached_sha256)
    else:
        info = _generative_info(parsed, config, resolved, precision, trust_remote_code, allow_pickle)
    fingerprint = fingerprint_of(info, config, info.get("precision", "exact"))
    info.update(recalled(fingerprint))
    return {"fingerprint": fingerprint, "info": info}
