"""Converters from published human-judgment files to meta-evaluation items (``MetaItem``).

Each converter reads the JSONL layout of the files in ``shared/data`` (described in its README):

- ``from_summeval``: SummEval (Fabbri et al. 2021) expert ratings, ``summeval_documents.jsonl`` (11 references
  per article, index 0 = the original CNN/DM highlights) + ``summeval_system_outputs.jsonl``; dimensions
  coherence, consistency, fluency, relevance (mean of 3 experts, 1-5).
- ``from_realsumm``: REALSumm (Bhandari et al. 2020), ``realsumm.jsonl``; sentences are joined with newlines
  (so ``rougeLsum`` sees them); dimension ``litepyramid_recall``; the released ROUGE-1.5.5 values go to
  ``scores`` as ``released_rouge_1_f_score`` etc.
- ``from_newsroom``: Newsroom human evaluation (Grusky et al. 2018), ``newsroom_humaneval.jsonl``; dimensions
  coherence, fluency, informativeness, relevance.
- ``from_wmt``: WMT21 news zh-en, ``newstest2021_zhen_segments.jsonl`` + ``newstest2021_zhen_system_outputs.jsonl``;
  dimensions ``mqm`` (negative penalty, 0 best) and ``da_z`` (DA z-score, null where not rated); the stored
  sacrebleu sentence scores go to ``scores`` as ``released_bleu``, ``released_chrf``, ``released_ter``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, UnknownNameError
from toolkit.io import iter_jsonl
from toolkit.metaeval.items import MetaItem, item_from_dict

FORMATS = ("summeval", "realsumm", "newsroom", "wmt")
REFERENCE_CHOICES = ("all", "first")


def _get(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(f"{where}: missing field '{key}'; is this the right file for this --format?")
    return obj[key]


def _pick_references(refs: list[str], references: str, where: str) -> list[str]:
    if references not in REFERENCE_CHOICES:
        raise UnknownNameError("references choice", references, REFERENCE_CHOICES)
    if not refs:
        raise InputError(f"{where}: no references")
    return list(refs) if references == "all" else [refs[0]]


def _by_key(path: str | Path, key: str, read: Callable[[dict[str, Any], str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{str(line[key]): read(line, where)}`` over the lines of a JSONL file (``where``: ``path:line``)."""
    out: dict[str, dict[str, Any]] = {}
    for number, obj in iter_jsonl(path):
        where = f"{path}:{number}"
        out[str(_get(obj, key, where))] = read(obj, where)
    return out


def _joined(outputs: str | Path, key: str, known: dict[str, dict[str, Any]], documents: str | Path,
            missing: str) -> Iterator[tuple[dict[str, Any], str, dict[str, Any]]]:
    """``(line, where, known[line[key]])`` per line of ``outputs``; a key not in ``known`` raises ``missing``
    (formatted with ``key`` and ``documents``)."""
    for number, obj in iter_jsonl(outputs):
        where = f"{outputs}:{number}"
        value = str(_get(obj, key, where))
        if value not in known:
            raise InputError(f"{where}: " + missing.format(key=value, documents=documents))
        yield obj, where, known[value]


def from_summeval(outputs: str | Path, documents: str | Path, *, references: str = "all") -> list[MetaItem]:
    """Items from SummEval system outputs and their documents.

    Args:
        outputs: ``summeval_system_outputs.jsonl`` (``{id, system, summary, human}``).
        documents: ``summeval_documents.jsonl`` (``{id, document, references: [11]}``).
        references: ``"all"`` (11 references) or ``"first"`` (the original CNN/DM highlights only).

    Returns:
        One item per output line, in file order.

    Raises:
        InputError: a field is missing, or an output names a document not in ``documents``.
    """
    docs = _by_key(documents, "id", lambda obj, where: {
        "source": _get(obj, "document", where),
        "references": _pick_references(_get(obj, "references", where), references, where),
    })
    items = []
    missing = "document id {key!r} is not in {documents}; pass the matching documents file"
    for obj, where, doc in _joined(outputs, "id", docs, documents, missing):
        row = {
            "id": str(obj["id"]),
            "system": _get(obj, "system", where),
            "text": _get(obj, "summary", where),
            "references": doc["references"],
            "human": _get(obj, "human", where),
            "source": doc["source"],
        }
        items.append(item_from_dict(row, where))
    return items


def from_realsumm(path: str | Path) -> list[MetaItem]:
    """Items from REALSumm (one line per document with all its system outputs).

    Sentences are joined with ``"\\n"``; the released ROUGE-1.5.5 values (0-1) are kept in ``scores``
    multiplied by 100 as ``released_rouge_1_f_score``, ``released_rouge_2_recall`` and so on.
    """
    items = []
    for number, obj in iter_jsonl(path):
        where = f"{path}:{number}"
        doc_id = str(_get(obj, "id", where))
        reference = "\n".join(_get(obj, "reference_sentences", where))
        for k, out in enumerate(_get(obj, "system_outputs", where)):
            at = f"{where}: system_outputs[{k}]"
            released = out.get("released_rouge") or {}
            row = {
                "id": doc_id,
                "system": _get(out, "system", at),
                "text": "\n".join(_get(out, "summary_sentences", at)),
                "references": [reference],
                "human": _get(out, "human", at),
                "source": obj.get("document"),
                "scores": {f"released_{k2}": 100.0 * float(v) for k2, v in released.items()},
            }
            items.append(item_from_dict(row, at))
    return items


def from_newsroom(path: str | Path) -> list[MetaItem]:
    """Items from the Newsroom human evaluation (one line per document with its 7 system outputs)."""
    items = []
    for number, obj in iter_jsonl(path):
        where = f"{path}:{number}"
        doc_id = str(_get(obj, "id", where))
        refs = _get(obj, "references", where)
        for k, out in enumerate(_get(obj, "system_outputs", where)):
            at = f"{where}: system_outputs[{k}]"
            row = {
                "id": doc_id,
                "system": _get(out, "system", at),
                "text": _get(out, "summary", at),
                "references": refs,
                "human": _get(out, "human", at),
                "source": obj.get("document"),
            }
            items.append(item_from_dict(row, at))
    return items


def from_wmt(outputs: str | Path, documents: str | Path) -> list[MetaItem]:
    """Items from WMT system outputs and the segment file (source, reference).

    Args:
        outputs: ``newstest2021_zhen_system_outputs.jsonl`` (``{seg_id, system, hypothesis, human:{mqm, da}}``).
        documents: ``newstest2021_zhen_segments.jsonl`` (``{seg_id, source, reference}``).

    Returns:
        One item per output line; ``id`` is the segment id; human ``mqm`` and ``da_z`` (null where no DA).
    """
    segments = _by_key(documents, "seg_id", lambda obj, where: {
        "source": _get(obj, "source", where),
        "reference": _get(obj, "reference", where),
    })
    items = []
    missing = "seg_id {key} is not in {documents}; pass the matching segments file"
    for obj, where, segment in _joined(outputs, "seg_id", segments, documents, missing):
        seg_id = str(obj["seg_id"])
        human = _get(obj, "human", where)
        da = human.get("da")
        row = {
            "id": seg_id,
            "system": _get(obj, "system", where),
            "text": _get(obj, "hypothesis", where),
            "references": [segment["reference"]],
            "human": {"mqm": human.get("mqm"), "da_z": da.get("z") if isinstance(da, dict) else None},
            "source": segment["source"],
            "scores": {f"released_{k}": v for k, v in (obj.get("sacrebleu_sentence") or {}).items()},
        }
        items.append(item_from_dict(row, where))
    return items


def convert(format: str, human: str | Path, *, documents: str | Path | None = None, references: str = "all") -> list[MetaItem]:
    """Dispatch to the converter for ``format`` (one of ``FORMATS``).

    Args:
        format: ``summeval``, ``realsumm``, ``newsroom`` or ``wmt``.
        human: the file with the human scores (system outputs).
        documents: the documents (SummEval) or segments (WMT) file; required for those two formats.
        references: SummEval only: ``"all"`` or ``"first"``.

    Raises:
        UnknownNameError: unknown format.
        InputError: ``documents`` missing where needed, or a bad file.
    """
    if format not in FORMATS:
        raise UnknownNameError("format", format, FORMATS)
    if format in ("summeval", "wmt") and documents is None:
        raise InputError(f"--format {format} needs --documents (the {'documents' if format == 'summeval' else 'segments'} file)")
    readers: dict[str, Callable[[], list[MetaItem]]] = {
        "summeval": lambda: from_summeval(human, documents, references=references),  # type: ignore[arg-type]
        "realsumm": lambda: from_realsumm(human),
        "newsroom": lambda: from_newsroom(human),
        "wmt": lambda: from_wmt(human, documents),  # type: ignore[arg-type]
    }
    return readers[format]()
