"""Every check a run makes before its first stage, in one pass: ``toolkit validate`` and ``toolkit run``.

:func:`validate_run` reads a config file and reports all of these at once, each with its key path:

- the schema (unknown keys, wrong types, bad values; :mod:`toolkit.runs.config`);
- metric names, aliases and groups;
- each system's generation settings (unknown keys and bad values) and its model: the name, and whether the
  model is here (the package of a built-in, a ``.gguf`` file, a folder with safe weights, a hub id in the
  local cache when ``HF_HUB_OFFLINE`` is set); nothing is loaded or downloaded;
- the data: the file exists and its first rows have the id, text and reference fields the config names;
- a system's precomputed ``file``: it exists and has an output for each of those first documents;
- the glossary: every error ``toolkit terms check`` would report;
- ``executor: ray`` without Ray installed.

Parts that pass the schema are checked even when another part does not, so fixing the listed problems does
not uncover new ones. :func:`check_names` runs the same checks on a config that is already validated.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from toolkit.errors import ConfigError, ToolkitError
from toolkit.runs.config import DataConfig, GlossaryConfig, RunConfig, load_config

#: How many documents of the data file are read to check their fields.
FIRST_ROWS = 20
_RELATIVE = "relative paths start from the current folder"


def validate_run(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Load a run config and make every check a run makes before any work, reporting all problems at once.

    Args:
        path: the YAML run config.
        overrides: ``key.path=value`` strings, as :func:`~toolkit.runs.config.load_config` takes them.

    Returns:
        The validated config.

    Raises:
        ConfigError: listing every problem (schema, names, settings, models, data, glossary) with its key path.

    Example:
        >>> import tempfile
        >>> d = Path(tempfile.mkdtemp())
        >>> _ = (d / "docs.jsonl").write_text('{"id": "a", "text": "One. Two.", "references": ["One."]}\\n')
        >>> _ = (d / "run.yaml").write_text(f"name: demo\\ndata: {{path: {d / 'docs.jsonl'}}}\\n"
        ...     "systems: [{name: lead, model: lead-1, generation: {max_new_token: 9}}]\\nmetrics: [rougeL, blue]\\n")
        >>> try:
        ...     validate_run(d / "run.yaml")
        ... except ConfigError as exc:
        ...     print(*exc.problems, sep="\\n")  # doctest: +ELLIPSIS
        metrics[1]: metric 'blue' not found. Did you mean 'bleu'? ...
        systems[0] -> generation -> max_new_token: unknown generation setting; did you mean 'max_new_tokens'?
    """
    config, problems = collect_problems(path, overrides)
    if problems or config is None:
        raise ConfigError(problems, str(path))
    return config


def collect_problems(path: str | Path, overrides: list[str] | None = None) -> tuple[RunConfig | None, list[str]]:
    """The config (``None`` when the schema check failed) and every problem found, nothing raised."""
    try:
        config: RunConfig | None = load_config(path, list(overrides or []))
        schema: list[str] = []
    except ConfigError as exc:
        config, schema = None, list(exc.problems)
    data = config.to_dict() if config is not None else _raw_data(path, overrides)
    if data is None:  # unreadable YAML: the schema message is all there is to say
        return None, schema
    return config, schema + [p for p in deep_problems(data) if p not in schema]


def check_names(config: RunConfig, *, source: str | None = None) -> None:
    """Make the checks of :func:`validate_run` beyond the schema on a validated config.

    Raises:
        ConfigError: listing each problem with its key path.
    """
    problems = deep_problems(config.to_dict())
    if problems:
        raise ConfigError(problems, source)


def _raw_data(path: str | Path, overrides: list[str] | None) -> dict[str, Any] | None:
    from toolkit.io import load_yaml
    from toolkit.runs.config import apply_overrides

    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            return None
        return apply_overrides(data, list(overrides or []))
    except Exception:  # noqa: BLE001 - load_config already reported why the file cannot be read
        return None


def deep_problems(data: Mapping[str, Any]) -> list[str]:
    """The checks beyond the schema, on config data (a whole config, or one whose schema check failed).

    Each section is checked when it is well-formed on its own.

    Example:
        >>> deep_problems({"metrics": ["rougeL", "rogue1"], "systems": [{"name": "s", "model": "lead-3"}]})
        ... # doctest: +ELLIPSIS
        ["metrics[1]: metric 'rogue1' not found. Did you mean 'rouge1'? Available: ..."]
    """
    problems = _metric_problems(data.get("metrics"))
    data_section = _section(DataConfig, data.get("data"))
    doc_ids: list[str] = []
    if data_section is not None:
        data_problems, doc_ids = _data_problems(data_section)
        problems += data_problems
    glossary = _section(GlossaryConfig, data.get("glossary"))
    if glossary is not None:
        problems += _glossary_problems(glossary)
    systems = data.get("systems")
    for index, system in enumerate(systems if isinstance(systems, list) else []):
        if isinstance(system, Mapping):
            problems += _system_problems(f"systems[{index}]", system, doc_ids)
    if data.get("executor") == "ray" and importlib.util.find_spec("ray") is None:
        from toolkit.runs.ray_executor import INSTALL_HINT

        problems.append(f"executor: {INSTALL_HINT}")
    return problems


def _section(model: Any, raw: Any) -> Any:
    if not isinstance(raw, Mapping):
        return None
    try:
        return model.model_validate(dict(raw))
    except ValidationError:
        return None  # the schema check names the problem


def _metric_problems(metrics: Any) -> list[str]:
    from toolkit.scoring import resolve_metrics

    problems = []
    for index, name in enumerate(metrics if isinstance(metrics, list) else []):
        if not isinstance(name, str):
            continue
        try:
            resolve_metrics([name])  # a metric, an alias or a group (rouge, mt, diagnostics)
        except ToolkitError as exc:
            problems.append(f"metrics[{index}]: {exc}")
    return problems


def _data_problems(cfg: DataConfig) -> tuple[list[str], list[str]]:
    """Problems of the data section, from its first rows, and the ids of those rows."""
    from toolkit.runs.data import load_documents

    if cfg.format != "hf" and not Path(cfg.path).exists():
        return [f"data -> path: {cfg.path} does not exist ({_RELATIVE})"], []
    try:
        docs = _first_documents(cfg) if _is_jsonl(cfg) else load_documents(cfg, limit=FIRST_ROWS)
    except ToolkitError as exc:
        return [f"data: {exc}"], []
    problems = []
    unreferenced = [d.id for d in docs if not any(r.strip() for r in d.references)]
    if unreferenced:
        problems.append(f"data -> references_field: {len(unreferenced)} of the first {len(docs)} documents have no "
                        f"reference in field '{cfg.references_field}' (e.g. id '{unreferenced[0]}'); add reference "
                        "summaries or set data.references_field")
    return problems, [d.id for d in docs]


def _is_jsonl(cfg: DataConfig) -> bool:
    return cfg.format == "jsonl" or (cfg.format is None and Path(cfg.path).suffix.lower() in (".jsonl", ".ndjson"))


def _first_documents(cfg: DataConfig) -> list[Any]:
    """The first :data:`FIRST_ROWS` documents of a JSONL file, read without reading the rest."""
    from toolkit.io import iter_jsonl
    from toolkit.runs.data import _from_rows

    path = Path(cfg.path)
    rows = [(f"{path}:{n}", obj) for n, obj in itertools.islice(iter_jsonl(path), FIRST_ROWS)]
    return _from_rows(rows, cfg)


def _glossary_problems(cfg: GlossaryConfig) -> list[str]:
    from toolkit.terminology.check import check_glossary

    if not Path(cfg.path).exists():
        return [f"glossary -> path: {cfg.path} does not exist ({_RELATIVE})"]
    return [f"glossary -> path: {issue}" for issue in check_glossary(cfg.path) if issue.severity == "error"]


def _system_problems(where: str, system: Mapping[str, Any], doc_ids: list[str]) -> list[str]:
    from toolkit.summarization import GenerationSettings

    problems = []
    generation = system.get("generation")
    if isinstance(generation, Mapping):
        known = {k: v for k, v in generation.items() if k in GenerationSettings.__dataclass_fields__}
        for part in ({k: v for k, v in generation.items() if k not in known}, known):  # unknown keys, then values
            try:
                GenerationSettings.from_mapping(part)
            except ConfigError as exc:
                problems += [f"{where} -> generation -> {p}" for p in exc.problems]
    model = system.get("model")
    if isinstance(model, str):
        problems += [f"{where} -> model: {p}" for p in model_problems(model, allow_pickle=system.get("allow_pickle") is True)]
    file = system.get("file")
    if isinstance(file, str):
        problems += [f"{where} -> file: {p}" for p in _file_problems(os.path.expanduser(file), doc_ids)]
    return problems


def model_problems(model: str, *, allow_pickle: bool = False) -> list[str]:
    """Why ``model`` cannot be loaded here without a network, read from the files alone (empty: it can).

    Example:
        >>> model_problems("lead-3"), model_problems("missing.gguf")
        ([], ['file missing.gguf not found'])
    """
    from toolkit.summarization.registry import parse_spec

    try:
        spec = parse_spec(model)
    except ToolkitError as exc:
        return [str(exc)]
    try:
        _check_model_files(spec, allow_pickle)
    except ToolkitError as exc:
        return [str(exc)]
    return []


def _check_model_files(spec: Any, allow_pickle: bool) -> None:
    from toolkit.errors import ModelUnavailableError
    from toolkit.summarization import gguf_default, loading

    if spec.source == "default-gguf":
        gguf_default.find_default_gguf()
    elif spec.source == "centrality":
        from toolkit.minilm import minilm_folder
        from toolkit.summarization.registry import MINILM_HINT

        if minilm_folder() is None:
            raise ModelUnavailableError(f"model '{spec.name}' needs the all-MiniLM-L6-v2 encoder; run: {MINILM_HINT}")
    elif spec.source == "gguf":
        if not Path(spec.location).is_file():
            raise ModelUnavailableError(f"file {spec.location} not found")
    elif spec.source == "folder":
        loading._check_safety(Path(spec.location), spec.name, allow_pickle)
    elif spec.source == "hub" and loading.hub_offline():
        loading._hub_snapshot(spec.location, allow_pickle)  # offline: the local cache only, nothing downloaded


def _file_problems(file: str, doc_ids: list[str]) -> list[str]:
    from toolkit.io import read_outputs

    if not Path(file).exists():
        return [f"{file} does not exist ({_RELATIVE})"]
    try:
        outputs = {d.id for d in read_outputs(file)}
    except ToolkitError as exc:
        return [str(exc)]
    missing = [i for i in doc_ids if i not in outputs]
    if missing:
        return [f"{file}: no output for {len(missing)} of the first {len(doc_ids)} documents (e.g. id '{missing[0]}')"]
    return []
