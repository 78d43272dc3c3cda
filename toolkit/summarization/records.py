"""Frozen records of the summarisation engine: generation settings, one summary, one model listing.

Settings are validated at construction; every problem is reported at once, each with its field name
(the confection / torchmetrics way), as a :class:`~toolkit.errors.ConfigError`.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import ConfigError

DTYPES = ("auto", "float32", "bfloat16")


@dataclass(frozen=True)
class GenerationSettings:
    """Everything that decides what a summariser writes (and so belongs to its fingerprint).

    Attributes:
        max_new_tokens: Longest summary, in tokens of the model's tokenizer.
        min_new_tokens: Shortest summary (end-of-sequence is blocked before it).
        num_beams: 1 for greedy search (or sampling), more for beam search.
        length_penalty: Beam-search length penalty (> 1 favours longer outputs).
        no_repeat_ngram_size: Forbid repeating n-grams of this size (0 = off).
        repetition_penalty: HF repetition penalty (1.0 = off).
        do_sample: Sample instead of searching; ``seed`` makes it reproducible.
        temperature: Sampling temperature (only with ``do_sample``).
        top_p: Nucleus sampling mass (only with ``do_sample``).
        seed: Seed set before every generation call.
        batch_size: Default number of texts generated together.
        dtype: ``"auto"`` (per device, see :func:`toolkit.summarization.batching.choose_dtype`),
            ``"float32"`` or ``"bfloat16"``.
        prompt: Prompt template name (e.g. ``"summarize-short.v1"``) or a template text containing
            ``{document}`` (chat models only).
        max_input_tokens: Override of the model's input context (None = the model's own); longer
            documents are chunked.
        k: Sentences kept by the extractive summarisers.
        redundancy: Weight of the redundancy penalty of the centrality summariser (0 = none, < 1).

    Example:
        >>> GenerationSettings(max_new_tokens=32).max_new_tokens
        32
        >>> GenerationSettings(max_new_tokens=0)
        Traceback (most recent call last):
        ...
        toolkit.errors.ConfigError: max_new_tokens: must be > 0 (got 0)
    """

    max_new_tokens: int = 96
    min_new_tokens: int = 0
    num_beams: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    do_sample: bool = False
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int = 0
    batch_size: int = 8
    dtype: str = "auto"
    prompt: str = "summarize-short.v1"
    max_input_tokens: int | None = None
    k: int = 3
    redundancy: float = 0.3

    def __post_init__(self) -> None:
        problems = _validate(self)
        if problems:
            raise ConfigError(problems)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> GenerationSettings:
        """Build settings from a mapping (config section, CLI options), rejecting unknown keys.

        Args:
            values: Field names to values; missing fields keep their defaults.

        Returns:
            The validated settings.

        Raises:
            ConfigError: An unknown key (with a close match) or an invalid value.

        Example:
            >>> GenerationSettings.from_mapping({"num_beams": 4}).num_beams
            4
        """
        values = dict(values or {})
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = [key for key in values if key not in names]
        if unknown:
            problems = []
            for key in unknown:
                close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(names)}"
                problems.append(f"{key}: unknown generation setting{hint}")
            raise ConfigError(problems)
        return cls(**values)

    def replace(self, **changes: Any) -> GenerationSettings:
        """Return a copy with some fields changed (validated again).

        Example:
            >>> GenerationSettings().replace(k=5).k
            5
        """
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of every field.

        Example:
            >>> GenerationSettings().to_dict()["num_beams"]
            1
        """
        return dataclasses.asdict(self)

    def generate_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``model.generate`` (sampling options only when sampling).

        Example:
            >>> sorted(GenerationSettings().generate_kwargs())[:3]
            ['do_sample', 'length_penalty', 'max_new_tokens']
        """
        kwargs: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "min_new_tokens": self.min_new_tokens,
            "num_beams": self.num_beams,
            "length_penalty": self.length_penalty,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "repetition_penalty": self.repetition_penalty,
            "do_sample": self.do_sample,
        }
        if self.do_sample:
            kwargs.update(temperature=self.temperature, top_p=self.top_p)
        else:
            # Neutralise sampling fields a model's generation_config may carry (SmolLM2 ships some).
            kwargs.update(temperature=None, top_p=None, top_k=None)
        return kwargs


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_num(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _validate(s: GenerationSettings) -> list[str]:
    problems: list[str] = []

    def need(ok: bool, name: str, rule: str) -> None:
        if not ok:
            problems.append(f"{name}: {rule} (got {getattr(s, name)!r})")

    need(_is_int(s.max_new_tokens) and s.max_new_tokens > 0, "max_new_tokens", "must be > 0")
    need(_is_int(s.min_new_tokens) and s.min_new_tokens >= 0, "min_new_tokens", "must be >= 0")
    if not problems:
        need(s.min_new_tokens <= s.max_new_tokens, "min_new_tokens", "must be <= max_new_tokens")
    need(_is_int(s.num_beams) and s.num_beams >= 1, "num_beams", "must be an integer >= 1")
    need(_is_num(s.length_penalty), "length_penalty", "must be a number")
    need(_is_int(s.no_repeat_ngram_size) and s.no_repeat_ngram_size >= 0, "no_repeat_ngram_size", "must be >= 0")
    need(_is_num(s.repetition_penalty) and s.repetition_penalty > 0, "repetition_penalty", "must be > 0")
    need(isinstance(s.do_sample, bool), "do_sample", "must be true or false")
    need(_is_num(s.temperature) and s.temperature > 0, "temperature", "must be > 0")
    need(_is_num(s.top_p) and 0 < s.top_p <= 1, "top_p", "must be in (0, 1]")
    need(_is_int(s.seed) and s.seed >= 0, "seed", "must be an integer >= 0")
    need(_is_int(s.batch_size) and s.batch_size >= 1, "batch_size", "must be an integer >= 1")
    need(s.dtype in DTYPES, "dtype", f"must be one of {', '.join(DTYPES)}")
    need(isinstance(s.prompt, str) and bool(s.prompt.strip()), "prompt", "must be a template name or text")
    need(
        s.max_input_tokens is None or (_is_int(s.max_input_tokens) and s.max_input_tokens >= 8),
        "max_input_tokens",
        "must be null or an integer >= 8",
    )
    need(_is_int(s.k) and s.k >= 1, "k", "must be an integer >= 1")
    need(_is_num(s.redundancy) and 0 <= s.redundancy < 1, "redundancy", "must be in [0, 1)")
    return problems


@dataclass(frozen=True)
class Summary:
    """One summary and how it was made.

    Attributes:
        text: The summary.
        model: Model name or spec as the user gave it (e.g. ``"smollm2-135m"``).
        model_hash: Hash of the weights (sha256 of the GGUF file, of the safetensors files, or the hub
            commit), ``""`` for rule-based summarisers.
        settings: The generation settings used (``GenerationSettings.to_dict()``).
        tokens_in: Tokens of the document, counted with the model's tokenizer (no prompt).
        tokens_out: Tokens of the final summary.
        chunked: The document exceeded the context and was summarised by map-reduce.
        truncated: Some input was cut off (only after map-reduce could not shrink it enough).
        n_chunks: Number of chunks the document was split into (1 when not chunked).
        seconds: Time spent on this document (its share of each batch it was part of).

    Example:
        >>> Summary("A b.", "lead-3", "", {}, 2, 2, False, False, 1, 0.0).to_dict()["n_chunks"]
        1
    """

    text: str
    model: str
    model_hash: str
    settings: dict[str, Any] = field(hash=False)
    tokens_in: int
    tokens_out: int
    chunked: bool
    truncated: bool
    n_chunks: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict.

        Example:
            >>> sorted(Summary("x", "m", "", {}, 1, 1, False, False, 1, 0.1).to_dict())[:3]
            ['chunked', 'model', 'model_hash']
        """
        out = dataclasses.asdict(self)
        out["settings"] = dict(self.settings)
        return out


@dataclass(frozen=True)
class ModelInfo:
    """A built-in model name and whether it can run here without a network.

    Attributes:
        name: Built-in short name (``smollm2-135m``...).
        kind: Backend: ``chat``, ``seq2seq`` or ``extractive``.
        available_offline: The model's files are installed or cached here.
        how_to_get: One line saying what to install when it is not available.
        description: What the model is.

    Example:
        >>> ModelInfo("lead-3", "extractive", True, "built in", "first 3 sentences").to_dict()["kind"]
        'extractive'
    """

    name: str
    kind: str
    available_offline: bool
    how_to_get: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict.

        Example:
            >>> ModelInfo("a", "chat", False, "pip install a").to_dict()["available_offline"]
            False
        """
        return dataclasses.asdict(self)


#: Generation paths (``systems[].precision``): ``exact`` (outputs independent of the batch size) or ``fast``.
PRECISIONS = ("exact", "fast")


def settings_of(settings: GenerationSettings | Mapping[str, Any] | None) -> GenerationSettings:
    """Generation settings from an object, a mapping of field names, or None (the defaults).

    Example:
        >>> settings_of({"max_new_tokens": 32}).max_new_tokens, settings_of(None) == GenerationSettings()
        (32, True)
    """
    if isinstance(settings, GenerationSettings):
        return settings
    return GenerationSettings.from_mapping(settings)


def check_precision(precision: str) -> str:
    """``precision`` when it is ``exact`` or ``fast``.

    Raises:
        ConfigError: Any other value.

    Example:
        >>> check_precision("fast")
        'fast'
        >>> check_precision("quick")
        Traceback (most recent call last):
        ...
        toolkit.errors.ConfigError: precision: must be one of exact, fast (got 'quick')
    """
    if precision not in PRECISIONS:
        raise ConfigError([f"precision: must be one of {', '.join(PRECISIONS)} (got {precision!r})"])
    return precision
