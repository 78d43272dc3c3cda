"""Glossary validation: build :class:`Glossary` objects from raw records and report every problem.

Errors (the glossary cannot be used): empty canonical, bad ``type`` or ``case_sensitive`` value, a
variant that maps to two different canonical terms, a canonical term that is another entry's variant
(a chain), an alternative that is another entry's variant. Warnings: duplicate rows, unknown columns,
a variant equal to its own canonical term, a term that is another entry's canonical term.
Term strings are literal text, never patterns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import GlossaryError
from toolkit.terminology.glossary_io import KNOWN_COLUMNS, RawGlossary, RawRecord, read_records
from toolkit.terminology.records import ENTRY_TYPES, Glossary, GlossaryEntry
from toolkit.terminology.textnorm import fold_term

_TYPE_ALIASES = {
    "": "other",
    "organisation": "org",
    "organization": "org",
    "organ": "org",
    "company": "org",
    "location": "place",
    "loc": "place",
    "per": "person",
    "people": "person",
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Issue:
    """One validation finding: ``severity`` is ``error`` or ``warning``."""

    severity: str
    file: str
    line: int | None
    entry: str
    message: str
    item: int = 0

    @property
    def where(self) -> str:
        """``file:line`` (or ``file: item N`` for formats without line numbers)."""
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file}: item {self.item}" if self.item else self.file

    def __str__(self) -> str:
        entry = f" entry '{self.entry}':" if self.entry else ""
        return f"{self.where}:{entry} {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Return the issue as a JSON-ready dict."""
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "entry": self.entry,
            "message": self.message,
        }


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split("|")
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def check_raw(raw: RawGlossary) -> tuple[list[GlossaryEntry], list[Issue]]:
    """Turn raw records into entries and collect every issue (nothing is raised).

    Returns:
        The usable entries (rows with errors in their own fields are left out) and the issues.
    """
    name = raw.path
    issues: list[Issue] = []
    for col in raw.columns:
        if col not in KNOWN_COLUMNS:
            issues.append(Issue("warning", name, raw.header_line, "", f"unknown column '{col}' ignored; "
                                f"known columns: {', '.join(KNOWN_COLUMNS)}"))
    entries: list[GlossaryEntry] = []
    seen_rows: dict[tuple, RawRecord] = {}
    ids: dict[str, int] = {}
    for rec in raw.records:
        f = rec.fields
        canonical = _str(f.get("canonical"))
        label = canonical or _str(f.get("source")) or "|".join(_split(f.get("variants"))) or "?"

        def issue(severity: str, message: str, rec: RawRecord = rec, label: str = label) -> None:
            issues.append(Issue(severity, name, rec.line, label, message, rec.item))

        ok = True
        if not canonical or not fold_term(canonical):
            issue("error", "empty canonical term; every row needs the correct English term")
            ok = False
        etype = _TYPE_ALIASES.get(_str(f.get("type")).lower(), _str(f.get("type")).lower())
        if etype not in ENTRY_TYPES:
            issue("error", f"type '{f.get('type')}' not allowed; use one of {', '.join(ENTRY_TYPES)}")
            ok = False
        cs_raw = f.get("case_sensitive")
        if isinstance(cs_raw, bool):
            case_sensitive = cs_raw
        elif _str(cs_raw).lower() in _YES:
            case_sensitive = True
        elif _str(cs_raw).lower() in _NO:
            case_sensitive = False
        else:
            issue("error", f"case_sensitive '{cs_raw}' not understood; use yes or no")
            ok = False
            case_sensitive = False
        variants = _split(f.get("variants"))
        alternatives = _split(f.get("alternatives"))
        key = (canonical, variants, alternatives, _str(f.get("source")), etype, case_sensitive)
        if key in seen_rows:
            first = seen_rows[key]
            issue("warning", f"duplicate row (same as {'line ' + str(first.line) if first.line else 'item ' + str(first.item)}); ignored")
            continue
        seen_rows[key] = rec
        if not ok:
            continue
        folded_canonical = fold_term(canonical)
        kept_variants = []
        for v in variants:
            if fold_term(v) == folded_canonical:
                issue("warning", f"variant '{v}' is the canonical term itself; ignored")
            elif fold_term(v):
                kept_variants.append(v)
        entry_id = _str(f.get("id")) or canonical
        if entry_id in ids:
            ids[entry_id] += 1
            entry_id = f"{entry_id}#{ids[entry_id]}"
        else:
            ids[entry_id] = 1
        entries.append(
            GlossaryEntry(
                id=entry_id,
                canonical=canonical,
                variants=tuple(kept_variants),
                alternatives=tuple(a for a in alternatives if fold_term(a) and fold_term(a) != folded_canonical),
                source=_str(f.get("source")),
                type=etype,
                case_sensitive=case_sensitive,
                note=_str(f.get("note")),
                line=rec.line if rec.line is not None else rec.item,
            )
        )
    issues.extend(_cross_check(entries, name, raw))
    issues.sort(key=lambda i: (i.line or 0, i.item))
    return entries, issues


def _cross_check(entries: list[GlossaryEntry], name: str, raw: RawGlossary) -> list[Issue]:
    line_is_item = raw.records and raw.records[0].line is None
    issues: list[Issue] = []

    def issue(severity: str, e: GlossaryEntry, message: str) -> None:
        if line_is_item:
            issues.append(Issue(severity, name, None, e.canonical, message, e.line or 0))
        else:
            issues.append(Issue(severity, name, e.line, e.canonical, message))

    def where(e: GlossaryEntry) -> str:
        return f"item {e.line}" if line_is_item else f"line {e.line}"

    canonicals: dict[str, GlossaryEntry] = {}
    variants: dict[str, GlossaryEntry] = {}
    for e in entries:
        canonicals.setdefault(fold_term(e.canonical), e)
    for e in entries:
        for v in e.variants:
            fv = fold_term(v)
            other = variants.get(fv)
            if other is not None and other.canonical != e.canonical:
                issue("error", e, f"variant '{v}' also maps to '{other.canonical}' ({where(other)}); "
                      "a variant must have one canonical term")
            else:
                variants.setdefault(fv, e)
            target = canonicals.get(fv)
            if target is not None and target.canonical != e.canonical:
                issue("error", target, f"canonical term is a variant of '{e.canonical}' ({where(e)}); "
                      "this chain would rewrite a correct term: remove one of them")
    for e in entries:
        for a in e.alternatives:
            fa = fold_term(a)
            other = variants.get(fa)
            if other is not None:
                issue("error", e, f"alternative '{a}' is a variant of '{other.canonical}' ({where(other)}); "
                      "a term cannot be both acceptable and wrong")
            target = canonicals.get(fa)
            if target is not None and target.canonical != e.canonical:
                issue("warning", e, f"alternative '{a}' is also the canonical term of another entry ({where(target)})")
    return issues


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
        g = path_or_glossary
        raw = RawGlossary(g.path or "<glossary>", tuple(RawRecord(e.line, {}, i) for i, e in enumerate(g, 1)), KNOWN_COLUMNS)
        return _cross_check(list(g.entries), raw.path, raw)
    raw = read_records(path_or_glossary)
    return check_raw(raw)[1]


def _raise_on_errors(issues: Sequence[Issue], name: str) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise GlossaryError(f"{errors[0]}{more}; run `toolkit terms check --glossary {name}` for the full report")


def build_glossary(records: list[Mapping[str, Any]], *, path: str | None = None) -> Glossary:
    """Build a :class:`Glossary` from mappings (rows of a glossary), raising on any error.

    Raises:
        GlossaryError: the first error, with its item number and entry.
    """
    name = path or "<records>"
    raw_records = []
    columns: list[str] = []
    for i, r in enumerate(records, start=1):
        if not isinstance(r, Mapping):
            raise GlossaryError(f"{name}: item {i}: expected a mapping with a 'canonical' key, got {type(r).__name__}")
        fields = {str(k).strip().lower().replace("-", "_"): v for k, v in r.items()}
        columns.extend(k for k in fields if k not in columns)
        raw_records.append(RawRecord(None, fields, i))
    raw = RawGlossary(name, tuple(raw_records), tuple(columns))
    entries, issues = check_raw(raw)
    _raise_on_errors(issues, name)
    return Glossary(tuple(entries), path=path)


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
    _raise_on_errors(issues, str(path))
    return Glossary(tuple(entries), path=str(path))
