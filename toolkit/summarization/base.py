"""The summariser interface and the shared map-reduce driver of the generative backends."""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from toolkit.errors import ConfigError, InputError
from toolkit.summarization.batching import (
    FAST_MIN_BATCH,
    choose_threads,
    length_sorted_batches,
    pad_batch,
    torch_threads,
)
from toolkit.summarization.chunking import split_text
from toolkit.summarization.greedy import applies as greedy_applies
from toolkit.summarization.greedy import greedy_generate
from toolkit.summarization.kvcache import cache_kwargs
from toolkit.summarization.prefix import prefilled_batch
from toolkit.summarization.records import GenerationSettings, Summary

ENGINE = "summarize-engine.v1"
MAX_REDUCE_ROUNDS = 3
MIN_BUDGET = 16

Progress = Callable[[int], None]
OnDocument = Callable[[int, float], None]
"""``on_document(i, share)``: ``share`` of text ``i`` just finished (1.0 for a whole document; a fraction for
each chunk of a long one, the shares of a document adding up to 1.0)."""


def fingerprint_of(info: dict[str, Any], settings: GenerationSettings, precision: str = "exact") -> str:
    """Stable hash of everything that decides a summariser's output, from its ``info`` record and settings.

    Batch size is left out (outputs do not depend on it in ``exact`` precision, shown by the batch-size
    invariance tests); ``precision`` is part of it only when not ``exact``, so ``exact`` fingerprints are
    those of the toolkit before precisions existed (their stored summaries stay valid).

    Example:
        >>> info = {"kind": "chat", "model_id": "m", "model_hash": "h", "dtype": "float32", "device": "cpu",
        ...         "prompt": "p"}
        >>> a, b = fingerprint_of(info, GenerationSettings()), fingerprint_of(info, GenerationSettings(batch_size=2))
        >>> a == b != fingerprint_of(info, GenerationSettings(), "fast"), len(a)
        (True, 16)
    """
    values = settings.to_dict()
    values.pop("batch_size")
    fields = {
        "engine": ENGINE,
        "kind": info.get("kind"),
        "model_id": info.get("model_id"),
        "model_hash": info.get("model_hash"),
        "dtype": info.get("dtype"),
        "device": str(info.get("device", "cpu")).split(":")[0],
        "prompt": info.get("prompt"),
        "settings": values,
    }
    if precision != "exact":
        fields["precision"] = precision
    blob = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def check_texts(texts: Sequence[str]) -> list[str]:
    """Validate a batch of documents: a sequence of non-empty strings.

    Raises:
        InputError: Naming the first bad index.

    Example:
        >>> check_texts(["a"])
        ['a']
        >>> check_texts(["a", " "])
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: texts[1]: empty document; remove it or give it some text
    """
    if isinstance(texts, str):
        raise InputError("texts: expected a list of documents, got one string; wrap it in a list")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise InputError(f"texts[{i}]: expected a string, got {type(text).__name__}")
        if not text.strip():
            raise InputError(f"texts[{i}]: empty document; remove it or give it some text")
    return out


class Summarizer(ABC):
    """A loaded summariser: ``summarize(texts)`` gives one :class:`Summary` per text, in order.

    Example:
        >>> from toolkit import load_summarizer
        >>> s = load_summarizer("lead-3")
        >>> isinstance(s, Summarizer), s.name
        (True, 'lead-3')
        >>> [x.text for x in s.summarize(["One. Two. Three. Four.", "Only one sentence."])]
        ['One. Two. Three.', 'Only one sentence.']
    """

    name: str
    settings: GenerationSettings
    precision: str = "exact"

    @abstractmethod
    def summarize(
        self, texts: Sequence[str], *, batch_size: int | None = None, progress: Progress | None = None,
        on_document: OnDocument | None = None,
    ) -> list[Summary]:
        """Summarise ``texts``; ``progress(n)`` is called as texts finish (``n`` of them, usually 1), and
        ``on_document(i, share)`` as text ``i`` (or a chunk of it) finishes."""

    @property
    @abstractmethod
    def info(self) -> dict[str, Any]:
        """Model id, file hash, dtype, device and backend details."""

    @property
    def fingerprint(self) -> str:
        """Stable hash of everything that decides the output (model, weights, settings, prompt, dtype,
        precision when not ``exact``); see :func:`fingerprint_of`. Batch size is left out."""
        return fingerprint_of(self.info, self.settings, self.precision)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, fingerprint={self.fingerprint!r})"


class GenerativeSummarizer(Summarizer):
    """Shared driver of the seq2seq and chat backends: budgets, map-reduce, length-sorted batches.

    Subclasses define how a document becomes prompt token ids and how generated ids become text.
    """

    kind = "generative"
    left_pad = False

    def __init__(
        self, name: str, loaded: Any, settings: GenerationSettings, *, device: str, dtype: str, precision: str = "exact"
    ) -> None:
        self.name = name
        self.precision = precision
        self.loaded = loaded
        self.model = loaded.model
        self.tokenizer = loaded.tokenizer
        self.settings = settings
        self.device = device
        self.dtype = dtype
        self._prepare()
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        pad = self.tokenizer.pad_token_id
        self.pad_id = pad if pad is not None else (min(self.eos_ids) if self.eos_ids else 0)
        self.budget = self._document_budget()
        self.n_params = sum(p.numel() for p in self.model.parameters())
        self.last_stats: dict[str, float] = {}

    # -- what subclasses provide -------------------------------------------------------------
    def _prepare(self) -> None:
        """Set up what the prompt needs (model, tokenizer and settings are known; budgets not yet)."""

    @abstractmethod
    def _prompt_ids(self, text: str) -> list[int]:
        """Token ids fed to the model for one document (prompt included)."""

    @abstractmethod
    def _overhead(self) -> int:
        """Tokens the prompt adds around a document."""

    @abstractmethod
    def _context(self) -> int:
        """Model input context in tokens (before ``max_input_tokens`` override)."""

    def _needs_summary_room(self) -> bool:
        return True

    def _clean(self, text: str) -> str:
        return " ".join(text.split())

    @property
    def prompt_name(self) -> str:
        return ""

    # -- shared machinery ----------------------------------------------------------------------
    def count(self, text: str) -> int:
        """Tokens of ``text`` under the model's tokenizer, without special tokens."""
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def context_tokens(self) -> int:
        """The input context used for budgeting (``max_input_tokens`` when set)."""
        return self.settings.max_input_tokens or self._context()

    def _document_budget(self) -> int:
        context = self.context_tokens()
        room = self.settings.max_new_tokens if self._needs_summary_room() else 0
        budget = context - self._overhead() - room
        if budget < MIN_BUDGET:
            raise ConfigError(
                [
                    (f"max_new_tokens: {self.settings.max_new_tokens} new tokens plus a {self._overhead()}-token "
                    f"prompt leave {budget} of the {context}-token context for the document; lower it")
                ]
            )
        return budget

    def _split_long(self, sentence: str, budget: int) -> list[str]:
        ids = self.tokenizer(sentence, add_special_tokens=False)["input_ids"]
        step = max(1, budget - 2)
        return [self.tokenizer.decode(ids[i : i + step]) for i in range(0, len(ids), step)]

    def _truncate(self, text: str) -> str:
        ids = self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
        return self.tokenizer.decode(ids[: self.budget])

    def _count_new(self, row: list[int]) -> int:
        n = 0
        for token in row:
            if token in self.eos_ids:
                break
            if token == self.pad_id and n == 0 and not self.eos_ids:
                continue
            n += 1
        return n

    def _generate_many(
        self, texts: list[str], batch_size: int, on_done: Callable[[int], None]
    ) -> list[tuple[str, int, float]]:
        """Generate for every text in length-sorted batches; ``on_done(i)`` once per text as it finishes
        (when its row emits end-of-sequence, seen step by step for greedy search and sampling; at the end
        of its batch otherwise)."""
        import torch

        prompts = [self._prompt_ids(text) for text in texts]
        out: list[tuple[str, int, float]] = [("", 0, 0.0)] * len(texts)
        kwargs = self.settings.generate_kwargs()
        if kwargs["min_new_tokens"] == 0:
            del kwargs["min_new_tokens"]
            kwargs["min_length"] = 0  # ignore a model default such as BART-CNN's min_length=56
        elif (self.model.generation_config.min_length or 0) > 0:
            kwargs["min_length"] = 0
        watch = self.settings.num_beams == 1 and bool(self.eos_ids)
        own_loop = self.left_pad and greedy_applies(self.model, self.settings)
        with torch.inference_mode(), torch_threads(choose_threads(self.n_params) if self.device == "cpu" else None):
            for batch in length_sorted_batches([len(p) for p in prompts], batch_size, balanced=own_loop):
                start = time.perf_counter()
                chosen = [prompts[i] for i in batch]
                finished: set[int] = set()

                def finish(row: int, batch: list[int] = batch, finished: set[int] = finished) -> None:
                    finished.add(row)
                    on_done(batch[row])

                if own_loop:  # prefill in small groups, decode the batch together: the same tokens as generate
                    rows = greedy_generate(
                        self.model, chosen, pad_id=self.pad_id, eos_ids=self.eos_ids,
                        max_new_tokens=self.settings.max_new_tokens, min_new_tokens=self.settings.min_new_tokens,
                        on_finish=finish,
                    )
                else:
                    rows = self._generate_batch(chosen, kwargs, finish if watch else None)
                self._collect(out, batch, rows, start)
                for row in range(len(batch)):
                    if row not in finished:
                        finish(row)
        return out

    def _generate_batch(
        self, chosen: list[list[int]], kwargs: dict[str, Any], finish: Callable[[int], None] | None
    ) -> list[list[int]]:
        """Generated ids of one batch through ``model.generate``; ``finish(row)`` as a row emits end-of-sequence."""
        import torch

        # the shared prompt prefix prefilled once (same tokens), else left/right padding as before
        prepared = prefilled_batch(self.model, chosen, self.pad_id, self.settings.num_beams) if self.left_pad else None
        if prepared is not None:
            ids, mask, cache = prepared
        else:
            ids, mask = pad_batch(chosen, self.pad_id, left=self.left_pad)
            cache = cache_kwargs(self.model, self.settings.num_beams)  # no per-step cat: same tokens
        extra = dict(cache)
        if finish is not None:
            from transformers import StoppingCriteriaList

            extra["stopping_criteria"] = StoppingCriteriaList([_FinishWatcher(self.eos_ids, finish)])
        torch.manual_seed(self.settings.seed)
        generated = self.model.generate(
            input_ids=ids.to(self.device), attention_mask=mask.to(self.device), pad_token_id=self.pad_id,
            **kwargs, **extra,
        )
        new = generated[:, ids.shape[1] :] if not self.model.config.is_encoder_decoder else generated[:, 1:]
        return new.tolist()

    def _collect(self, out: list[tuple[str, int, float]], batch: list[int], rows: list[list[int]], start: float) -> None:
        """Decode a batch's generated ids into ``out[i] = (text, new tokens, seconds)``, the batch's time shared."""
        share = (time.perf_counter() - start) / len(batch)
        for i, row in zip(batch, rows):
            n_out = self._count_new(row)
            out[i] = (self._clean(self.tokenizer.decode(row[:n_out], skip_special_tokens=True)), n_out, share)

    def summarize(
        self, texts: Sequence[str], *, batch_size: int | None = None, progress: Progress | None = None,
        on_document: OnDocument | None = None,
    ) -> list[Summary]:
        """Summarise documents; long ones by map-reduce over sentence-aligned chunks.

        Args:
            texts: Documents.
            batch_size: Texts generated together (default ``settings.batch_size``; greedy search of a
                Llama-architecture model on the CPU prefills them a few at a time and decodes them together,
                :mod:`~toolkit.summarization.greedy`); does not change greedy or beam outputs in ``exact``
                precision. ``fast`` uses at least :data:`~toolkit.summarization.batching.FAST_MIN_BATCH`.
            progress: Called with 1 as each document finishes (as its row ends, not when its batch does).
            on_document: Called with ``(index, share)`` as a document (share 1.0) or a chunk of a long
                document (a fraction; a document's shares add up to 1.0) finishes.

        Returns:
            One :class:`Summary` per document, in input order.
        """
        docs = check_texts(texts)
        size = batch_size or self.settings.batch_size
        if size < 1:
            raise InputError(f"batch_size: must be >= 1 (got {size})")
        if self.precision == "fast":
            size = max(size, FAST_MIN_BATCH)
        n = len(docs)
        current = list(docs)
        tokens_in = [self.count(t) for t in docs]
        n_chunks = [1] * n
        chunked = [False] * n
        truncated = [False] * n
        seconds = [0.0] * n
        results: list[Summary | None] = [None] * n
        pending = list(range(n))
        settings = self.settings.to_dict()
        shown = [0.0] * n  # share of each document reported to on_document so far

        def tick(i: int, final: bool, pieces: int) -> None:
            share = 1.0 - shown[i] if final else (1.0 - shown[i]) / (pieces + 1)
            shown[i] += share
            if on_document is not None:
                on_document(i, share)
            if final and progress is not None:
                progress(1)

        for round_ in range(MAX_REDUCE_ROUNDS + 1):
            items: list[tuple[int, str, bool]] = []
            for i in pending:
                pieces = split_text(current[i], self.budget, self.count, self._split_long)
                if len(pieces) > 1 and round_ == MAX_REDUCE_ROUNDS:
                    pieces, truncated[i] = [self._truncate(current[i])], True
                if len(pieces) == 1:
                    items.append((i, pieces[0], True))
                    continue
                chunked[i] = True
                if round_ == 0:
                    n_chunks[i] = len(pieces)
                items.extend((i, piece, False) for piece in pieces)

            pieces_of = Counter(i for i, _, final in items if not final)

            def on_done(k: int, items: list[tuple[int, str, bool]] = items, pieces_of: Counter[int] = pieces_of) -> None:
                i, _, final = items[k]
                tick(i, final, pieces_of.get(i, 1))

            outputs = self._generate_many([text for _, text, _ in items], size, on_done)
            partial: dict[int, list[str]] = {}
            for (i, _, final), (text, n_out, secs) in zip(items, outputs):
                seconds[i] += secs
                if final:
                    results[i] = Summary(
                        text=text,
                        model=self.name,
                        model_hash=self.loaded.model_hash,
                        settings=settings,
                        tokens_in=tokens_in[i],
                        tokens_out=n_out,
                        chunked=chunked[i],
                        truncated=truncated[i],
                        n_chunks=n_chunks[i],
                        seconds=round(seconds[i], 4),
                    )
                else:
                    partial.setdefault(i, []).append(text)
            for i, parts in partial.items():
                current[i] = " ".join(p for p in parts if p) or parts[0]
            pending = list(partial)
            if not pending:
                break
        return [r for r in results if r is not None]

    @property
    def info(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "model_id": self.loaded.model_id,
            "model_hash": self.loaded.model_hash,
            "origin": self.loaded.origin,
            "dtype": self.dtype,
            "device": self.device,
            "prompt": self.prompt_name,
            "precision": self.precision,
            "context_tokens": self.context_tokens(),
            "document_budget": self.budget,
        }


class _FinishWatcher:
    """A stopping criterion that stops nothing: it reports each row of a batch the step it emits
    end-of-sequence, so progress advances per document rather than per batch."""

    def __init__(self, eos_ids: set[int], finish: Callable[[int], None]) -> None:
        self.eos_ids = eos_ids
        self.finish = finish
        self.seen: set[int] = set()

    def __call__(self, input_ids: Any, scores: Any = None, **kwargs: Any) -> Any:
        import torch

        for row, token in enumerate(input_ids[:, -1].tolist()):
            if token in self.eos_ids and row not in self.seen:
                self.seen.add(row)
                self.finish(row)
        return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
