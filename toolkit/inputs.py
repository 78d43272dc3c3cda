"""One input layer: hypotheses, references and sources read from files and matched by id, for ``toolkit score``,
``compare``, ``qa``, ``faithfulness`` and the library.

Files hold one segment a line (as sacreBLEU), or are JSONL: hypotheses ``{"id", "text"}`` (``toolkit summarize``
output, ``{"id", "summary"}``, is read too), references ``{"id", "references": [...]}`` or ``{"id", "text"}``,
sources ``{"id", "text"}``, matched by id. A newline inside a JSONL text separates sentences (for rougeLsum and
``rouge155``). A blank line in a plain reference file means "no reference from this file for that segment"; a
segment left with no reference is an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import toolkit.io as io
from toolkit.errors import InputError, InputLengthError

__all__ = ["Segments", "align_systems", "count_error", "read_hypotheses", "read_references", "read_sources"]


@dataclass(frozen=True)
class Segments:
    """Hypotheses (or one system) read from a file, with ids."""

    path: str
    ids: list[str]
    texts: list[str]
    jsonl: bool


def read_hypotheses(path: str) -> Segments:
    """Read a hypothesis file: JSONL ``{"id", "text"}`` (or ``toolkit summarize`` output, ``{"id", "summary"}``),
    or one segment a line (ids ``1``, ``2``, ...).

    Example:
        >>> import tempfile, os
        >>> folder = tempfile.mkdtemp()
        >>> hyp, ref = os.path.join(folder, "hyp.txt"), os.path.join(folder, "ref.txt")
        >>> _ = open(hyp, "w", encoding="utf-8").write("the cat sat\\na dog ran\\n")
        >>> _ = open(ref, "w", encoding="utf-8").write("the cat sat down\\n\\n")
        >>> segments = read_hypotheses(hyp)
        >>> segments.ids, segments.texts
        (['1', '2'], ['the cat sat', 'a dog ran'])
        >>> read_references([ref], segments)
        Traceback (most recent call last):
        ...
        toolkit.errors.InputError: ...ref.txt: no reference for line 2 (blank or empty); add a reference or drop the segment
    """
    if io.is_jsonl(path):
        docs = io.read_outputs(path)
        return Segments(path, [d.id for d in docs], [d.text for d in docs], True)
    lines = io.read_segments(path)
    return Segments(path, [str(i) for i in range(1, len(lines) + 1)], lines, False)


def count_error(hyp: Segments, other: str, n_other: int, what: str) -> InputLengthError:
    return InputLengthError(
        f"{hyp.path} has {len(hyp.texts)} segments but {other} has {n_other} {what}; "
        "give one entry per hypothesis segment"
    )


def _read_ref_file(path: str, hyp: Segments) -> list[list[str]]:
    """References of one file, per hypothesis segment (empty list = none from this file)."""
    if io.is_jsonl(path):
        if not hyp.jsonl:
            raise InputError(f"{path}: JSONL references need JSONL hypotheses with ids ({hyp.path} is plain text)")
        by_id: dict[str, tuple[int, list[str]]] = {}
        for number, obj in io.iter_jsonl(path):
            if "id" not in obj:
                raise InputError(f"{path}:{number}: missing field 'id'; each line needs {{\"id\": ..., \"references\": [...]}}")
            if "references" in obj:
                refs = obj["references"]
                if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
                    raise InputError(f"{path}:{number}: field 'references' must be a list of strings")
            elif "text" in obj:
                if not isinstance(obj["text"], str):
                    raise InputError(f"{path}:{number}: field 'text' must be a string")
                refs = [obj["text"]]
            else:
                raise InputError(f"{path}:{number}: needs a 'references' list or a 'text' field")
            key = str(obj["id"])
            if key in by_id:
                raise InputError(f"{path}:{number}: duplicate id '{key}' (first on line {by_id[key][0]})")
            by_id[key] = (number, refs)
        if len(by_id) != len(hyp.ids):
            raise count_error(hyp, path, len(by_id), "reference entries")
        out = []
        for seg_id in hyp.ids:
            if seg_id not in by_id:
                raise InputError(f"{path}: no reference entry for id '{seg_id}' of {hyp.path}; add it or remove the hypothesis")
            out.append(list(by_id[seg_id][1]))
        return out
    lines = io.read_segments(path)
    if len(lines) != len(hyp.texts):
        raise count_error(hyp, path, len(lines), "lines")
    return [[line] if line.strip() else [] for line in lines]


def read_references(paths: list[str], hyp: Segments) -> list[list[str]]:
    """Merge one or more reference files into per-segment reference lists.

    Raises:
        InputLengthError: a file's count differs from the hypotheses (names both files and counts).
        InputError: a segment has no reference in any file, or an id is missing.
    """
    per_file = [_read_ref_file(p, hyp) for p in paths]
    merged: list[list[str]] = []
    for i, seg_id in enumerate(hyp.ids):
        refs = [r for file_refs in per_file for r in file_refs[i]]
        if not refs:
            where = f"line {i + 1}" if not hyp.jsonl else f"id '{seg_id}'"
            raise InputError(
                f"{', '.join(paths)}: no reference for {where} (blank or empty); add a reference or drop the segment"
            )
        merged.append(refs)
    return merged


def read_sources(path: str, hyp: Segments) -> list[str]:
    """Sources matched to hypotheses: JSONL by id (``{"id", "text"}``), or one a line."""
    if io.is_jsonl(path):
        docs = {d.id: d.text for d in io.read_documents(path)}
        missing = [i for i in hyp.ids if i not in docs]
        if len(docs) != len(hyp.ids):
            raise count_error(hyp, path, len(docs), "sources")
        if missing:
            raise InputError(f"{path}: no source for id '{missing[0]}' of {hyp.path}")
        return [docs[i] for i in hyp.ids]
    lines = io.read_segments(path)
    if len(lines) != len(hyp.texts):
        raise count_error(hyp, path, len(lines), "lines")
    return lines


def align_systems(paths: Sequence[str], labels: Sequence[str]) -> tuple[Segments, dict[str, list[str]]]:
    """Read several systems' outputs and put them in the first one's segment order.

    Returns:
        The first system's segments (its ids order every system) and label -> texts in that order.

    Raises:
        InputLengthError: a system has another number of segments.
        InputError: JSONL systems whose ids differ.
    """
    read = [read_hypotheses(path) for path in paths]
    first = read[0]
    by_system: dict[str, list[str]] = {}
    for label, seg in zip(labels, read):
        if len(seg.texts) != len(first.texts):
            raise count_error(first, seg.path, len(seg.texts), "segments")
        if seg.jsonl and first.jsonl and seg.ids != first.ids:
            if set(seg.ids) != set(first.ids):
                raise InputError(f"{seg.path}: ids differ from {first.path}; systems must cover the same segments")
            lookup = dict(zip(seg.ids, seg.texts))
            by_system[label] = [lookup[i] for i in first.ids]
        else:
            by_system[label] = seg.texts
    return first, by_system
