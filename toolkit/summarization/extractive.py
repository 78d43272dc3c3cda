"""Extractive baselines: ``lead-k`` and embedding centrality with redundancy control.

``minilm-centrality`` embeds each sentence with all-MiniLM-L6-v2 (mean pooling, unit length, as
sentence-transformers does for this model), scores each by cosine similarity to the document centroid
and picks ``k`` sentences greedily by maximal marginal relevance (Carbonell & Goldstein 1998):
``(1 - redundancy) * sim(s, doc) - redundancy * max sim(s, picked)``. Picked sentences are returned in
document order. Method name: ``centrality-mmr.v1``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import ModelUnavailableError
from toolkit.summarization.base import OnDocument, Progress, Summarizer, check_texts
from toolkit.summarization.chunking import split_sentences
from toolkit.summarization.filehash import cached_sha256
from toolkit.summarization.records import GenerationSettings, Summary
from toolkit.minilm import MAX_TOKENS, mean_pooled, minilm_folder
from toolkit.summarization.registry import MINILM_HINT



def lead(text: str, k: int) -> str:
    """First ``k`` sentences of ``text``.

    Example:
        >>> lead("One. Two. Three. Four.", 3)
        'One. Two. Three.'
    """
    return " ".join(split_sentences(text)[:k])


def mmr_select(doc_sims: Sequence[float], pair_sims: Sequence[Sequence[float]], k: int, redundancy: float) -> list[int]:
    """Greedy maximal-marginal-relevance choice of ``k`` items, returned sorted by index.

    Args:
        doc_sims: Similarity of each sentence to the document.
        pair_sims: Sentence-by-sentence similarity matrix.
        k: How many to pick.
        redundancy: Weight of the redundancy term in [0, 1).

    Example:
        >>> mmr_select([0.9, 0.89, 0.5], [[1, 0.99, 0.1], [0.99, 1, 0.1], [0.1, 0.1, 1]], 2, 0.5)
        [0, 2]
        >>> mmr_select([0.9, 0.89, 0.5], [[1, 0.99, 0.1], [0.99, 1, 0.1], [0.1, 0.1, 1]], 2, 0.0)
        [0, 1]
    """
    chosen: list[int] = []
    left = list(range(len(doc_sims)))
    while left and len(chosen) < k:

        def gain(i: int) -> float:
            penalty = max((pair_sims[i][j] for j in chosen), default=0.0)
            return (1 - redundancy) * doc_sims[i] - redundancy * penalty

        best = max(left, key=lambda i: (gain(i), -i))
        chosen.append(best)
        left.remove(best)
    return sorted(chosen)


def _words(text: str) -> int:
    return len(text.split())


class LeadSummarizer(Summarizer):
    """First-k-sentences baseline (``lead-3``, ``lead-K``); tokens are whitespace words."""

    kind = "extractive"

    def __init__(self, name: str, settings: GenerationSettings) -> None:
        self.name = name
        self.settings = settings

    def summarize(
        self, texts: Sequence[str], *, batch_size: int | None = None, progress: Progress | None = None,
        on_document: OnDocument | None = None,
    ) -> list[Summary]:
        """First ``settings.k`` sentences of each text.

        Example:
            >>> s = LeadSummarizer("lead-2", GenerationSettings(k=2))
            >>> s.summarize(["A b. C d. E f."])[0].text
            'A b. C d.'
        """
        out = []
        settings = self.settings.to_dict()
        for text in check_texts(texts):
            start = time.perf_counter()
            summary = lead(text, self.settings.k)
            out.append(
                Summary(summary, self.name, "", settings, _words(text), _words(summary), False, False, 1,
                        round(time.perf_counter() - start, 6))
            )
            if progress is not None:
                progress(1)
            if on_document is not None:
                on_document(len(out) - 1, 1.0)
        return out

    @property
    def info(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "model_id": self.name, "model_hash": "", "dtype": None,
                "device": "cpu", "prompt": f"lead-k.v1:k={self.settings.k}", "tokenizer": "whitespace"}


class CentralitySummarizer(Summarizer):
    """Sentences nearest the document centroid under all-MiniLM-L6-v2, with MMR redundancy control."""

    kind = "extractive"

    def __init__(self, name: str, settings: GenerationSettings, *, device: str, folder: Path | None = None) -> None:
        from transformers import AutoModel, AutoTokenizer

        folder = folder or minilm_folder()
        if folder is None:
            raise ModelUnavailableError(f"model '{name}' needs the all-MiniLM-L6-v2 encoder; run: {MINILM_HINT}")
        self.name = name
        self.settings = settings
        self.device = device
        self.folder = folder
        self.model_hash = cached_sha256(folder / "model.safetensors")
        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        self.model = AutoModel.from_pretrained(folder, use_safetensors=True, dtype="float32").to(device).eval()

    def embed(self, sentences: Sequence[str], batch_size: int = 32) -> Any:
        """Unit-length mean-pooled embeddings, one row per sentence (float32 tensor)."""
        return mean_pooled(self.model, self.tokenizer, sentences, batch_size=batch_size, device=self.device)

    def summarize(
        self, texts: Sequence[str], *, batch_size: int | None = None, progress: Progress | None = None,
        on_document: OnDocument | None = None,
    ) -> list[Summary]:
        """The ``settings.k`` most central, least redundant sentences of each text, in document order."""
        import torch

        out = []
        settings = self.settings.to_dict()
        for text in check_texts(texts):
            start = time.perf_counter()
            sentences = split_sentences(text)
            lengths = [len(self.tokenizer(s, add_special_tokens=True)["input_ids"]) for s in sentences]
            if len(sentences) <= self.settings.k:
                picked = list(range(len(sentences)))
            else:
                emb = self.embed(sentences, batch_size or 32)
                centroid = torch.nn.functional.normalize(emb.mean(0), dim=0)
                picked = mmr_select((emb @ centroid).tolist(), (emb @ emb.T).tolist(), self.settings.k,
                                    self.settings.redundancy)
            summary = " ".join(sentences[i] for i in picked)
            out.append(
                Summary(summary, self.name, self.model_hash, settings, self._count(text), self._count(summary),
                        False, any(n > MAX_TOKENS for n in lengths), 1, round(time.perf_counter() - start, 4))
            )
            if progress is not None:
                progress(1)
            if on_document is not None:
                on_document(len(out) - 1, 1.0)
        return out

    def _count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    @property
    def info(self) -> dict[str, Any]:
        return centrality_info(self.name, self.settings, self.device, lambda path: self.model_hash, self.folder)


def centrality_info(
    name: str, settings: GenerationSettings, device: str, hash_file: Callable[[Path], str], folder: Path | None = None
) -> dict[str, Any]:
    """The ``info`` record of a centrality summariser (``hash_file`` hashes its weights file).

    Raises:
        ModelUnavailableError: The encoder is not installed.
    """
    folder = folder or minilm_folder()
    if folder is None:
        raise ModelUnavailableError(f"model '{name}' needs the all-MiniLM-L6-v2 encoder; run: {MINILM_HINT}")
    return {"name": name, "kind": CentralitySummarizer.kind, "model_id": "sentence-transformers/all-MiniLM-L6-v2",
            "model_hash": hash_file(folder / "model.safetensors"), "dtype": "float32", "device": device,
            "prompt": f"centrality-mmr.v1:k={settings.k}:redundancy={settings.redundancy}"}
