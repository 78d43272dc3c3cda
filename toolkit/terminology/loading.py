"""Glossary loading: read a glossary file (any format of :mod:`.glossary_io`), check it (:mod:`.validate`) and
build the :class:`~toolkit.terminology.records.Glossary`; and the validation report of a file or a glossary."""

from __future__ import annotations

from pathlib import Path

from toolkit.terminology.glossary_io import read_records
from toolkit.terminology.records import Glossary
from toolkit.terminology.validate import Issue, check_raw, cross_check, raise_on_errors

__all__ = ["load_glossary", "validate_glossary"]


def load_glossary(path: str | Path) -> Glossary:
    """Load a glossary file (.tsv .csv .json .yaml/.yml .tbx) and check it.

    Args:
        path: the glossary file; its extension selects the format.

    Returns:
        The glossary; warnings (duplicate rows, unknown columns) do not stop loading.

    Raises:
        GlossaryError: unreadable file or an error in an entry, naming file:line and the entry.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "g.tsv")
        >>> _ = open(p, "w", encoding="utf-8").write("canonical\\tvariants\\nJin Xiangjun\\tJinxiang Army\\n")
        >>> load_glossary(p).entries[0].variants
        ('Jinxiang Army',)
    """
    raw = read_records(path)
    entries, issues = check_raw(raw)
    raise_on_errors(issues, str(path))
    return Glossary(tuple(entries), path=str(path))


def validate_glossary(path_or_glossary: str | Path | Glossary) -> list[Issue]:
    """Validate a glossary file (or a built glossary) and return every error and warning.

    Args:
        path_or_glossary: a glossary file path, or a :class:`Glossary` (cross-entry checks only).

    Returns:
        Issues in file order, errors and warnings mixed; empty when the glossary is clean.

    Raises:
        GlossaryError: the file cannot be read or parsed at all.

    Example:
        >>> g = Glossary.from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])
        >>> validate_glossary(g)
        []
    """
    if isinstance(path_or_glossary, Glossary):
        return cross_check(list(path_or_glossary.entries), path_or_glossary.path or "<glossary>")
    return check_raw(read_records(path_or_glossary))[1]
