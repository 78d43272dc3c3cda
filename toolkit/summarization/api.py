"""Entry points: :func:`load_summarizer` (spec -> :class:`Summarizer`) and :func:`summarize`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from toolkit.summarization.base import Summarizer
from toolkit.summarization.batching import choose_device, resolve_dtype, torch_dtype
from toolkit.summarization.records import GenerationSettings, Summary, check_precision, settings_of
from toolkit.summarization.registry import DEFAULT_MODEL, parse_spec


def load_summarizer(
    spec: str,
    *,
    settings: GenerationSettings | Mapping[str, Any] | None = None,
    trust_remote_code: bool = False,
    allow_pickle: bool = False,
    device: str | None = None,
    precision: str = "exact",
) -> Summarizer:
    """Load a summariser by built-in name, ``lead-K``, folder, ``.gguf`` file or hub id.

    Args:
        spec: ``smollm2-135m`` (default, offline), ``minilm-centrality``, ``lead-3``/``lead-K``, a local
            folder, a ``.gguf`` file, or a hub id ``owner/name`` (cached, or online when allowed).
        settings: Generation settings (object or mapping of field names).
        trust_remote_code: Let a hub/folder model run its own code.
        allow_pickle: Accept pickle (``*.bin``) weights.
        device: ``cpu``, ``cuda``... (default: CUDA when available).
        precision: ``exact`` (float32 unless ``settings.dtype`` says otherwise; outputs do not depend on
            the batch size) or ``fast`` (the fastest path measured on the device: bfloat16 and batches of
            at least 16 on CPU; outputs differ in places, its quality proof is ``eval/fast_quality.md``).
            Generative models only; the extractive ones have one path.

    Returns:
        A ready :class:`Summarizer`.

    Raises:
        UnknownNameError: Unknown name.
        ConfigError: Invalid settings.
        ModelUnavailableError: Model files missing or not cached offline (one line with the fix).
        UnsafeModelError: Pickle weights or remote code without opt-in.

    Example:
        >>> s = load_summarizer("lead-2")
        >>> s.summarize(["One. Two. Three."])[0].text
        'One. Two.'
    """
    config = settings_of(settings)
    check_precision(precision)
    parsed = parse_spec(spec)
    if parsed.source == "lead":
        from toolkit.summarization.extractive import LeadSummarizer

        if parsed.k != config.k:
            config = config.replace(k=parsed.k)
        return LeadSummarizer(parsed.name, config)
    resolved_device = choose_device(device)
    if parsed.source == "centrality":
        from toolkit.summarization.extractive import CentralitySummarizer

        return CentralitySummarizer(parsed.name, config, device=resolved_device)
    from toolkit.summarization.fingerprint import remember
    from toolkit.summarization.loading import load_transformers

    dtype = resolve_dtype(config.dtype, resolved_device, precision)
    loaded = load_transformers(
        parsed,
        dtype=torch_dtype(dtype),
        device=resolved_device,
        trust_remote_code=trust_remote_code,
        allow_pickle=allow_pickle,
    )
    summarizer: Summarizer
    if loaded.kind == "seq2seq":
        from toolkit.summarization.seq2seq import Seq2SeqSummarizer

        summarizer = Seq2SeqSummarizer(parsed.name, loaded, config, device=resolved_device, dtype=dtype,
                                       precision=precision)
    else:
        from toolkit.summarization.chat import ChatSummarizer

        summarizer = ChatSummarizer(parsed.name, loaded, config, device=resolved_device, dtype=dtype,
                                    precision=precision)
    remember(summarizer)  # the record fields that need the tokenizer, for warm runs (fingerprint.describe)
    return summarizer


def summarize(
    texts: Sequence[str], *, model: str = DEFAULT_MODEL, precision: str = "exact", **settings: Any
) -> list[Summary]:
    """Summarise texts with a model in one call (loads the model each time; keep a
    :func:`load_summarizer` result to reuse it).

    Args:
        texts: Documents.
        model: Model spec (see :func:`load_summarizer`).
        precision: ``exact`` or ``fast`` (see :func:`load_summarizer`).
        **settings: :class:`GenerationSettings` fields.

    Returns:
        One :class:`Summary` per text.

    Example:
        >>> summarize(["First point. Second point. Third. Fourth."], model="lead-3")[0].text
        'First point. Second point. Third.'
    """
    summarizer = load_summarizer(model, settings=settings, precision=precision)
    return summarizer.summarize(texts, batch_size=summarizer.settings.batch_size)
