"""Run configuration: YAML (safe loading) validated into frozen pydantic models.

Every problem is reported at once with its key path (``systems[2] -> model: ...``), the confection way.
``key=value`` overrides use dotted paths (``bootstrap.seed=7``, ``systems.0.generation.max_new_tokens=32``).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from toolkit.errors import ConfigError, shown
from toolkit.scoring.settings import SETTINGS, ScoringSettings, SettingSpec

RUN_FORMAT_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_NAME_FORBIDDEN = '/\\:*?"<>|'


def check_file_name(value: str) -> str:
    """Refuse a name that cannot be one plain file or folder name: empty, a separator, ``.``/``..``,
    a leading dot, or a control character (run and system names become paths under ``output_dir``).

    Example:
        >>> check_file_name("lead-3+norm")
        'lead-3+norm'
        >>> check_file_name("../../x")
        Traceback (most recent call last):
        ...
        ValueError: '../../x' is not usable as a file name; use letters, digits, '-', '_', '+', '.' (not first)
    """
    if (not value or any(ch in value for ch in _NAME_FORBIDDEN) or value.startswith(".")
            or not value.isprintable() or value != value.strip() or len(value) > 200):
        raise ValueError(f"{shown(value)} is not usable as a file name; use letters, digits, '-', '_', '+', '.' (not first)")
    return value


def _expand_user(value: str | None) -> str | None:
    """``~`` and ``~user`` at the start of a path mean the home folder, as in a shell."""
    return os.path.expanduser(value) if isinstance(value, str) and value.startswith("~") else value


class DataConfig(_Strict):
    """Where the documents come from and which fields hold what."""

    path: str = Field(description="JSONL/CSV/TSV/Parquet file, a folder of .txt files, or a local HF dataset folder")
    format: Literal["jsonl", "csv", "tsv", "txt-folder", "hf", "parquet"] | None = Field(
        None, description="input format; inferred from the path when omitted"
    )
    id_field: str = "id"
    text_field: str = "text"
    references_field: str = "references"
    source_field: str | None = Field(None, description="optional source-language text (e.g. Chinese) for term checks")
    split: str | None = Field(None, description="split name for HF datasets")

    _expand_path = field_validator("path")(_expand_user)


class GlossaryConfig(_Strict):
    """The term list and how it is used."""

    path: str
    normalize: bool | Literal["both"] = Field(
        True, description="normalise the input before summarising; 'both' runs each system on both texts"
    )
    fuzzy: bool = False

    _expand_path = field_validator("path")(_expand_user)


class SystemConfig(_Strict):
    """One summariser, or a file of precomputed outputs to score only."""

    name: str
    model: str | None = Field(None, description="built-in name, HF hub id, local folder or .gguf file")
    file: str | None = Field(None, description="precomputed outputs, JSONL {id, text}")
    generation: dict[str, Any] = Field(default_factory=dict)
    precision: Literal["exact", "fast"] = Field(
        "exact", description="exact: float32, outputs independent of batch size; fast: the fastest path measured "
        "on the device (bfloat16 on CPU), quality proof in eval/fast_quality.md"
    )
    trust_remote_code: bool = False
    allow_pickle: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> "SystemConfig":
        if (self.model is None) == (self.file is None):
            raise ValueError("give exactly one of 'model' or 'file'")
        return self

    _safe_name = field_validator("name")(check_file_name)
    _expand_file = field_validator("file")(_expand_user)


#: A run always computes intervals and paired tests, so it needs at least one resample.
_RUN_MINIMUM = {"resamples": 1}


def _setting_field(spec: SettingSpec, default: Any) -> tuple[Any, Any]:
    kind: Any = Literal[spec.choices] if spec.choices is not None else spec.kind  # type: ignore[valid-type]
    if default is None:
        kind = Optional[kind]
    minimum = _RUN_MINIMUM.get(spec.name, spec.minimum)
    bounds = {k: v for k, v in (("ge", minimum), ("le", spec.maximum)) if v is not None}
    return kind, Field(default, description=spec.help, **bounds)


def _section_model(section: str, name: str, doc: str) -> type[_Strict]:
    """A config section made from the scoring settings of that section (keys, types, defaults, help)."""
    defaults = ScoringSettings()
    fields = {spec.key: _setting_field(spec, getattr(defaults, spec.name)) for spec in SETTINGS if spec.section == section}
    model = create_model(name, __base__=_Strict, **fields)  # type: ignore[call-overload]
    model.__doc__ = doc
    return model


ScoringConfig = _section_model("scoring", "ScoringConfig", "Settings that change metric values (see toolkit.scoring.settings).")
BootstrapConfig = _section_model("bootstrap", "BootstrapConfig", "Confidence intervals and paired tests (see toolkit.scoring.settings).")


class RayConfig(_Strict):
    """Ray executor settings (needs the ``ray`` extra)."""

    address: str | None = None
    num_actors: int = Field(1, gt=0)
    batch_size: int = Field(8, gt=0)
    num_cpus_per_actor: float = Field(1.0, gt=0)
    num_gpus_per_actor: float = Field(0.0, ge=0)


class QAConfig(_Strict):
    """The optional ``qa`` stage: the MT quality checks of ``toolkit qa`` over every system's outputs."""

    enabled: bool = True
    disable: list[str] = Field(default_factory=list, description="checks to switch off (numbers, length, ...)")
    thresholds: dict[str, float] = Field(default_factory=dict, description="smallest confidence reported, per check")
    source_lang: str = Field("auto", description="source language; auto: zh when the source has Han characters, else en")
    target_lang: str = "en"

    @field_validator("disable")
    @classmethod
    def _known_checks(cls, value: list[str]) -> list[str]:
        from toolkit.errors import UnknownNameError
        from toolkit.qa import get_check

        try:
            return [get_check(name).name for name in value]
        except UnknownNameError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("thresholds")
    @classmethod
    def _known_thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        from toolkit.errors import UnknownNameError
        from toolkit.qa import get_check

        for name, number in value.items():
            try:
                get_check(name)
            except UnknownNameError as exc:
                raise ValueError(str(exc)) from None
            if not 0.0 <= number <= 1.0:
                raise ValueError(f"threshold of {name} must be within 0-1 (got {number})")
        return value


class RunConfig(_Strict):
    """A whole evaluation run (build it with :func:`load_config` or :func:`config_from_dict`).

    Example:
        >>> cfg = config_from_dict({"name": "demo", "data": {"path": "docs.jsonl"},
        ...                         "systems": [{"name": "lead", "model": "lead-3"}]})
        >>> cfg.run_dir.as_posix(), config_from_dict(cfg.to_dict()) == cfg
        ('runs/demo', True)
    """

    name: str
    data: DataConfig
    glossary: GlossaryConfig | None = None
    systems: list[SystemConfig] = Field(min_length=1)
    metrics: list[str] = Field(default_factory=lambda: ["rouge1", "rouge2", "rougeL", "rougeLsum", "bleu", "chrf"])
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    bootstrap: BootstrapConfig = Field(default_factory=BootstrapConfig)
    output_dir: str = "runs"
    limit: int | None = Field(None, gt=0)
    batch_size: int = Field(8, gt=0, description="documents per batch in the summarise stage")
    executor: Literal["local", "ray"] = "local"
    ray: RayConfig = Field(default_factory=RayConfig)
    qa: QAConfig | None = Field(None, description="MT quality checks per system (qa: {} turns them on)")

    _safe_name = field_validator("name")(check_file_name)  # the run folder is output_dir/name, nowhere else
    _expand_output = field_validator("output_dir")(_expand_user)

    @model_validator(mode="after")
    def _unique_systems(self) -> "RunConfig":
        names = [s.name for s in self.systems]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"system names must be unique; repeated: {', '.join(dupes)}")
        return self

    def scoring_settings(self) -> ScoringSettings:
        """The ``scoring`` and ``bootstrap`` sections as the one settings object every scoring call takes."""
        return ScoringSettings.from_sections({"scoring": self.scoring.model_dump(), "bootstrap": self.bootstrap.model_dump()})

    @property
    def run_dir(self) -> Path:
        """The folder this run writes to."""
        return Path(self.output_dir) / self.name

    def to_dict(self) -> dict[str, Any]:
        """Plain data (round-trips through :func:`config_from_dict`)."""
        return self.model_dump(mode="json")


def _path_of(loc: tuple[Any, ...]) -> str:
    out = ""
    for item in loc:
        out += f"[{item}]" if isinstance(item, int) else (" -> " if out else "") + str(item)
    return out or "(top level)"


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for item in loc[:-1]:
        if isinstance(item, int):
            continue
        field = current.model_fields.get(item) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        annotation = field.annotation
        for candidate in getattr(annotation, "__args__", (annotation,)):
            inner = getattr(candidate, "__args__", (candidate,))
            for sub in (candidate, *inner):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    current = sub
                    break
    return list(getattr(current, "model_fields", {}))


def _describe(error: dict[str, Any]) -> str:
    loc = tuple(error["loc"])
    # pydantic appends the union/validator tag to the location; drop those bits
    loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))
    where = _path_of(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = _known_keys(RunConfig, loc)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else (f"; known keys: {', '.join(known)}" if known else "")
        return f"{where}: unknown key{hint}"
    if kind == "missing":
        return f"{where}: required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    message = " ".join(message.split())[:300]  # pydantic may quote the value itself
    return f"{where}: {message} (got {shown(error.get('input'))})" if kind != "value_error" else f"{where}: {message}"


def config_from_dict(data: Any, *, source: str | None = None) -> RunConfig:
    """Validate plain data into a :class:`RunConfig`.

    Raises:
        ConfigError: listing every problem with its key path.

    Example:
        >>> cfg = config_from_dict({"name": "demo", "data": {"path": "docs.jsonl"},
        ...                         "systems": [{"name": "lead", "model": "lead-3"}]})
        >>> cfg.metrics[:2], cfg.bootstrap.seed
        (['rouge1', 'rouge2'], 12345)
    """
    if not isinstance(data, dict):
        raise ConfigError(["(top level): expected a mapping of keys (name, data, systems, ...)"], source)
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        problems = list(dict.fromkeys(_describe(e) for e in exc.errors()))
        raise ConfigError(problems, source) from None


def _parse_override(text: str) -> tuple[list[str], Any]:
    from toolkit.io import load_yaml

    if "=" not in text:
        raise ConfigError([f"override {shown(text)}: expected key=value, e.g. bootstrap.seed=7"])
    key, raw = text.split("=", 1)
    if not key.strip():
        raise ConfigError([f"override {shown(text)}: empty key"])
    try:
        value = load_yaml(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())[:200]
        raise ConfigError([f"override {shown(text)}: the value is not valid YAML ({problem}); "
                           "quote it, e.g. key='a: b'"]) from None
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` overrides (values parsed as YAML scalars) to plain config data."""
    for text in overrides:
        keys, value = _parse_override(text)
        node: Any = data
        for depth, key in enumerate(keys[:-1]):
            if isinstance(node, list):
                if not key.isdigit() or int(key) >= len(node):
                    raise ConfigError([f"override {shown(text)}: {shown('.'.join(keys[:depth + 1]))} is not a valid list index"])
                node = node[int(key)]
            else:
                node = node.setdefault(key, {})
            if not isinstance(node, (dict, list)):
                raise ConfigError([f"override {shown(text)}: {shown('.'.join(keys[:depth + 1]))} is not a section"])
        last = keys[-1]
        if isinstance(node, list):
            if not last.isdigit() or int(last) >= len(node):
                raise ConfigError([f"override {shown(text)}: {shown(last)} is not a valid list index"])
            node[int(last)] = value
        else:
            node[last] = value
    return data


def load_config(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Load a YAML run config (safe loading), apply overrides and validate it.

    Relative data, glossary and file paths are taken relative to the current folder, as users type them.

    Args:
        path: the YAML file.
        overrides: ``key.path=value`` strings applied before validation (values are parsed as YAML), as
            ``toolkit run --set`` takes them.

    Returns:
        The validated config, defaults filled in.

    Raises:
        ConfigError: unreadable YAML, or any invalid key, each named by its path.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "demo.yaml"
        >>> _ = path.write_text("name: demo\\ndata: {path: docs.jsonl}\\nsystems: [{name: lead, model: lead-3}]\\n")
        >>> cfg = load_config(path, ["bootstrap.seed=7", "systems=[{name: lead1, model: lead-1}]"])
        >>> cfg.name, cfg.bootstrap.seed, [s.model for s in cfg.systems], cfg.run_dir.as_posix()
        ('demo', 7, ['lead-1'], 'runs/demo')
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError([f"config file not found: {p}"], None)
    from toolkit.io import load_yaml

    try:
        data = load_yaml(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError([f"invalid YAML{where}: {getattr(exc, 'problem', None) or exc}"], str(p)) from None
    except UnicodeDecodeError:
        raise ConfigError(["not valid UTF-8; save the config as UTF-8"], str(p)) from None
    if data is None:
        raise ConfigError(["file is empty; see configs/seed.yaml for an example"], str(p))
    if overrides:
        if not isinstance(data, dict):
            raise ConfigError(["(top level): expected a mapping"], str(p))
        data = apply_overrides(data, overrides)
    return config_from_dict(data, source=str(p))


def dump_config(config: RunConfig) -> str:
    """The config as YAML text (loads back to an equal config)."""
    return yaml.safe_dump(config.to_dict(), sort_keys=False, allow_unicode=True)
