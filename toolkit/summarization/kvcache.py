"""A key/value cache for greedy decoding that grows in place instead of being concatenated every step.

transformers' ``DynamicCache`` appends each step's keys and values with ``torch.cat``, copying the whole
cache of every layer once per generated token: at batch 8 on SmolLM2-135M that copy was 13% of a decoding
step (``aten::cat`` 17.5 of 133 ms, torch profiler, 2026-12-01), and it grows with the batch and the
length. :class:`GrowingCache` keeps each layer's keys and values in a buffer whose capacity doubles and hands
the attention a view of the filled part: the same values in the same shapes, so the generated tokens are
the same (checked in ``tests/test_summarization_kvcache.py`` and on SmolLM2 at batch 8).

Used only where it was checked: Llama-architecture decoders (SmolLM2, TinyLlama, ...) with ``num_beams ==
1`` (beam search reorders the cache) and no sliding-window attention; other models keep transformers' cache.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cache_from_buffers", "cache_keyword", "cache_kwargs", "growing_cache"]

_MIN_CAPACITY = 64  # positions allocated at least, per layer
MODEL_TYPES = frozenset({"llama"})  # config.model_type values whose tokens were checked identical


def _classes() -> tuple[type, type] | None:
    """``(GrowingLayer, GrowingCache)`` for the installed transformers, or None where its cache API differs."""
    try:
        from transformers.cache_utils import Cache, DynamicCache, DynamicLayer
    except ImportError:
        return None

    class GrowingLayer(DynamicLayer):  # type: ignore[misc, valid-type]
        """A ``DynamicLayer`` whose keys/values are views of a buffer grown by doubling."""

        def lazy_initialization(self, key_states: Any, value_states: Any) -> None:
            super().lazy_initialization(key_states, value_states)
            self._buffers: tuple[Any, Any] | None = None
            self._filled = 0

        def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            filled, adding = self._filled, key_states.shape[-2]
            if self._buffers is None or filled + adding > self._buffers[0].shape[-2]:
                capacity = max(2 * (filled + adding), _MIN_CAPACITY)
                keys = key_states.new_empty((*key_states.shape[:-2], capacity, key_states.shape[-1]))
                values = value_states.new_empty((*value_states.shape[:-2], capacity, value_states.shape[-1]))
                if filled:
                    keys[..., :filled, :] = self._buffers[0][..., :filled, :]  # type: ignore[index]
                    values[..., :filled, :] = self._buffers[1][..., :filled, :]  # type: ignore[index]
                self._buffers = (keys, values)
            keys, values = self._buffers
            keys[..., filled:filled + adding, :] = key_states
            values[..., filled:filled + adding, :] = value_states
            self._filled = filled + adding
            self.keys, self.values = keys[..., :self._filled, :], values[..., :self._filled, :]
            return self.keys, self.values

        def _adopt(self) -> None:
            """Take over ``self.keys``/``self.values`` after a parent method replaced them."""
            if self.keys is None or not self.is_initialized:
                self._buffers, self._filled = None, 0
                return
            self.keys, self.values = self.keys.contiguous(), self.values.contiguous()
            self._buffers, self._filled = (self.keys, self.values), self.keys.shape[-2]

        def take(self, keys: Any, values: Any, filled: int) -> None:
            """Use ``keys``/``values`` (``[batch, heads, capacity, dim]``) as the buffers, ``filled`` positions in."""
            self.lazy_initialization(keys, values)
            self._buffers, self._filled = (keys, values), filled
            self.keys, self.values = keys[..., :filled, :], values[..., :filled, :]

        def crop(self, tokens_to_remove: int) -> None:
            super().crop(tokens_to_remove)
            self._adopt()

        def batch_repeat_interleave(self, repeats: int) -> None:
            super().batch_repeat_interleave(repeats)
            self._adopt()

        def batch_select_indices(self, indices: Any) -> None:
            super().batch_select_indices(indices)
            self._adopt()

    class GrowingCache(DynamicCache):  # type: ignore[misc, valid-type]
        """A ``DynamicCache`` of :class:`GrowingLayer` layers."""

        def __init__(self) -> None:
            Cache.__init__(self, layer_class_to_replicate=GrowingLayer)

    try:
        GrowingCache()
    except TypeError:  # a transformers whose Cache takes other arguments: keep its own cache
        return None
    return GrowingLayer, GrowingCache


_CLASSES: list[tuple[type, type] | None] = []


def growing_cache(model: Any, num_beams: int) -> Any | None:
    """A fresh :class:`GrowingCache` for one ``generate`` call of ``model``, or None to keep transformers' own.

    None for other architectures than :data:`MODEL_TYPES` (encoder-decoder models pair two caches), beam
    search, sliding-window attention, or a transformers version whose cache API this module does not know.

    Example:
        >>> growing_cache(type("M", (), {"config": type("C", (), {"model_type": "bart"})()})(), 1) is None
        True
    """
    config = model.config
    if (getattr(config, "model_type", None) not in MODEL_TYPES or num_beams != 1
            or getattr(config, "sliding_window", None) or getattr(config, "is_encoder_decoder", False)):
        return None
    if not _CLASSES:
        _CLASSES.append(_classes())
    classes = _CLASSES[0]
    return classes[1]() if classes is not None else None


def cache_from_buffers(model: Any, buffers: list[tuple[Any, Any]], filled: int) -> Any:
    """A :func:`growing_cache` whose layer ``i`` keeps its keys and values in ``buffers[i]`` (filled
    ``filled`` positions in; it grows in place up to their capacity, then by doubling as usual).

    Example:
        >>> import torch
        >>> model = type("M", (), {"config": type("C", (), {"model_type": "llama"})()})()
        >>> keys = torch.zeros(2, 1, 10, 4)
        >>> cache = cache_from_buffers(model, [(keys, keys.clone())], 3)
        >>> cache.get_seq_length(), cache.layers[0].keys.shape[-2]
        (3, 3)
    """
    cache = growing_cache(model, 1)
    if cache is None:
        raise ValueError(f"no growing cache for model type {getattr(model.config, 'model_type', None)!r}")
    layer_class = _CLASSES[0][0]  # type: ignore[index]
    for keys, values in buffers:
        layer = layer_class()
        layer.take(keys, values, filled)
        cache.layers.append(layer)
    return cache


def cache_keyword() -> str:
    """The keyword that hands ``generate`` and a model's forward a cache: ``cache`` since transformers 5.x,
    ``past_key_values`` before.

    Example:
        >>> cache_keyword() in ("cache", "past_key_values")
        True
    """
    from transformers.generation import utils

    return "cache" if "cache" in getattr(utils, "ALL_CACHE_NAMES", ()) else "past_key_values"


def cache_kwargs(model: Any, num_beams: int) -> dict[str, Any]:
    """The ``generate`` keyword (:func:`cache_keyword`) that hands it a :func:`growing_cache`, or ``{}`` to
    keep transformers' own cache.

    Example:
        >>> cache_kwargs(type("M", (), {"config": type("C", (), {"model_type": "t5"})()})(), 1)
        {}
    """
    cache = growing_cache(model, num_beams)
    return {} if cache is None else {cache_keyword(): cache}
