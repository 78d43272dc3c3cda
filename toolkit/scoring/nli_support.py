"""Optional model-based sentence support: a user-supplied NLI cross-encoder, scored SummaC-style.

For users who have downloaded an NLI model (any ``AutoModelForSequenceClassification`` folder whose
``id2label`` names an entailment label, e.g. a DeBERTa MNLI model), every (source sentence, summary
sentence) pair is classified, premise first, in batches; as in SummaC-ZS (Laban et al. 2022, "SummaC:
Re-Visiting NLI-based Models for Inconsistency Detection in Summarization", TACL) a summary sentence's
score is its best ``p(entailment) - p(contradiction)`` over the source sentences, and the summary's score
the mean over its sentences (``nli_support.v1``, -1 to 1). Nothing is downloaded: the folder must hold the
model (safetensors weights only) and its tokenizer; ``trust_remote_code`` is never used. The offline
default (``faithfulness``) never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError, ModelUnavailableError
from toolkit.scoring.sentence_support import SentenceSupport, content_words, split_with_spans

VERSION = "nli_support.v1"


def _label(id2label: dict[int, str], word: str) -> int | None:
    return next((int(i) for i, name in id2label.items() if word in str(name).lower()), None)


class NLIScorer:
    """An NLI cross-encoder loaded from a local folder.

    Args:
        folder: a ``save_pretrained`` folder (config, safetensors weights, tokenizer).
        batch_size: sentence pairs per forward pass (does not change the scores beyond float rounding).
        max_length: longest pair in word pieces (longer pairs are truncated, the premise first).

    Raises:
        ModelUnavailableError: the folder has no model, or no safetensors weights.
        ConfigError: the model's labels name no entailment class.

    Example:
        >>> NLIScorer("/no/such/folder")
        Traceback (most recent call last):
        ...
        toolkit.errors.ModelUnavailableError: NLI model folder /no/such/folder has no config.json; give a folder saved with save_pretrained (a DeBERTa/RoBERTa MNLI model, say)
    """

    def __init__(self, folder: str | Path, *, batch_size: int = 16, max_length: int = 512) -> None:
        path = Path(folder)
        if not (path / "config.json").is_file():
            raise ModelUnavailableError(f"NLI model folder {path} has no config.json; give a folder saved with "
                                        "save_pretrained (a DeBERTa/RoBERTa MNLI model, say)")
        if not any(path.glob("*.safetensors")):
            raise ModelUnavailableError(f"NLI model folder {path}: no .safetensors weights (pickled weights are not "
                                        "loaded); convert the model with save_pretrained(safe_serialization=True)")
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True,
                                                                        use_safetensors=True).eval()
        labels = {int(k): v for k, v in self.model.config.id2label.items()}
        self.entailment = _label(labels, "entail")
        self.contradiction = _label(labels, "contradict")
        if self.entailment is None:
            raise ConfigError([f"nli model: {path} labels {sorted(labels.values())} name no entailment class; "
                               "use an NLI model whose config id2label has 'entailment'"])
        self.batch_size, self.max_length, self.name = batch_size, max_length, path.name
        self._last: tuple[tuple[tuple[str, str], ...], list[list[SentenceSupport]]] | None = None

    @property
    def signature(self) -> str:
        """``nli_support.v1`` with the model folder's name and the batch settings."""
        return f"{VERSION}|model:{self.name}|maxlen:{self.max_length}|agg:mean-of-max(e-c)"

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """``(len(pairs), 2)``: p(entailment), p(contradiction) of each (premise, hypothesis), batched."""
        import torch

        out = np.zeros((len(pairs), 2))
        with torch.inference_mode():
            for start in range(0, len(pairs), self.batch_size):
                part = pairs[start : start + self.batch_size]
                batch = self.tokenizer([p for p, _ in part], [h for _, h in part], padding=True, truncation=True,
                                       max_length=self.max_length, return_tensors="pt")
                probs = torch.softmax(self.model(**batch).logits.double(), dim=-1).numpy()
                out[start : start + len(part), 0] = probs[:, self.entailment]
                if self.contradiction is not None:
                    out[start : start + len(part), 1] = probs[:, self.contradiction]
        return out

    def align(self, pairs: Sequence[tuple[str, str]]) -> list[list[SentenceSupport]]:
        """Per (summary, source) pair, each summary sentence with its best NLI support (p(entailment)).

        ``cosine`` holds the sentence's SummaC-ZS score ``p(e) - p(c)`` with that source sentence. The last
        result is kept, so :meth:`scores` after ``align`` on the same pairs classifies nothing again.
        """
        key = tuple(pairs)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        split = [(split_with_spans(summary), split_with_spans(source)) for summary, source in pairs]
        jobs = [(src, hyp) for (_, hyps), (_, srcs) in split for hyp in hyps for src in srcs]
        probs = self.probabilities(jobs)
        out, offset = [], 0
        for (hyp_spans, hyps), (src_spans, srcs) in split:
            rows = []
            for (start, end), sentence in zip(hyp_spans, hyps):
                block = probs[offset : offset + len(srcs)]
                offset += len(srcs)
                if not srcs:
                    rows.append(SentenceSupport(start, end, sentence, 0.0, -1.0, 0.0, -1, -1, ""))
                    continue
                margin = block[:, 0] - block[:, 1]
                j = int(np.argmax(margin))
                words = content_words(sentence)
                overlap = len(words & content_words(srcs[j])) / len(words) if words else 0.0
                rows.append(SentenceSupport(start, end, sentence, float(block[j, 0]), float(margin[j]), overlap,
                                            src_spans[j][0], src_spans[j][1], srcs[j]))
            out.append(rows)
        self._last = (key, out)
        return out

    def scores(self, summaries: Sequence[str], sources: Sequence[str]) -> list[float]:
        """SummaC-ZS score of each summary: mean over its sentences of the best ``p(e) - p(c)`` (NaN: no sentence)."""
        values = []
        for rows in self.align(list(zip(summaries, sources))):
            values.append(float(np.mean([r.cosine for r in rows])) if rows else float("nan"))
        return values


def load_nli(folder: str | Path | None, **options: Any) -> NLIScorer | None:
    """An :class:`NLIScorer` for ``folder``, or None when no folder is given."""
    return NLIScorer(folder, **options) if folder else None
