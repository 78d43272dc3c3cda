"""Glossary validation: build :class:`Glossary` objects from raw records and report every problem.

Errors (the glossary cannot be used): empty canonical, bad ``type`` or ``case_sensitive`` value, a
variant that maps to two different canonical terms, a canonical term that is another entry's variant
(a chain), an alternative that is another entry's variant, a term field that is not text (a JSON/YAML
number, true/false or null), a term with no visible characters (only zero-width or bidi controls) or with
control characters, more
terms in one entry or a longer term than :mod:`toolkit.limits` allows. Warnings: duplicate rows, unknown
columns, a variant equal to its own canonical term, a term that is another entry's canonical term, a term
with invisible format characters inside it.
Term strings are literal text, never patterns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.errors import GlossaryError, escape_controls, shown
from toolkit.jsonrecord import JsonRecord
from toolkit.limits import MAX_TERM_CHARS, MAX_TERMS_PER_ENTRY
from toolkit.terminology.entries import ENTRY_TYPES, GlossaryEntry
from toolkit.terminology.glossary_io import KNOWN_COLUMNS, RawGlossary, RawRecord
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
class Issue(JsonRecord):
    """One validation finding: ``severity`` is ``error`` or ``warning``."""

    severity: str
    file: str
    line: int | None
    entry: str
    message: str
    item: int = 0

    not_in_dict = ("item",)  # to_dict: severity, file, line, entry, message

    @property
    def where(self) -> str:
        """``file:line`` (or ``file: item N`` for formats without line numbers)."""
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file}: item {self.item}" if self.item else self.file

    def __str__(self) -> str:
        entry = f" entry '{self.entry}':" if self.entry else ""
        return f"{self.where}:{entry} {self.message}"


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else str(value).split("|")
    stripped = (str(item).strip() for item in items)
    return tuple(dict.fromkeys(text for text in stripped if text))  # first occurrences, in order, in linear time


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"true/false ({value})"
    if isinstance(value, (int, float)):
        return f"a number ({shown(value)})"
    return {dict: "an object", list: "a list", tuple: "a list"}.get(type(value), type(value).__name__)


def _type_problems(fields: Mapping[str, Any]) -> list[str]:
    """Term fields hold text: a number, true/false or null becomes no term, never the text "42"/"True"/"None"."""
    hint = "; write it in quotes"
    out = []
    for key in ("canonical", "source", "type", "note"):
        value = fields.get(key)
        if value is not None and not isinstance(value, str):
            out.append(f"'{key}' must be text, got {_kind(value)}{hint if not isinstance(value, (dict, list)) else ''}")
    value = fields.get("id")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
        out.append(f"'id' must be text, got {_kind(value)}")
    for key in ("variants", "alternatives"):
        value = fields.get(key)
        if value is None or isinstance(value, str):
            continue
        if isinstance(value, (list, tuple)):
            bad = [item for item in value if not isinstance(item, str)]
            if bad:
                fix = "; remove the empty item" if bad[0] is None else hint if not isinstance(bad[0], (dict, list)) else ""
                out.append(f"'{key}' must list text only, got {_kind(bad[0])}{fix}")
        else:
            out.append(f"'{key}' must be text or a list of text, got {_kind(value)}"
                       f"{hint if not isinstance(value, dict) else ''}")
    return out


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def _codes(chars: Any) -> str:
    return ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(chars))


def _invisible(term: str) -> bool:
    """True when nothing of ``term`` would show: only zero-width, bidi-control, space or combining characters."""
    return all(unicodedata.category(ch) in _INVISIBLE for ch in fold_term(term))


def _control_chars(term: str) -> str:
    return "" if term.isprintable() else _codes(ch for ch in term if unicodedata.category(ch) == "Cc")


def _format_chars(term: str) -> str:
    return _codes(ch for ch in term if unicodedata.category(ch) == "Cf")


def _label(text: str) -> str:
    text = escape_controls(text)
    return text if len(text) <= 80 else text[:77] + "..."


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
        label = _label(canonical or _str(f.get("source")) or "|".join(_split(f.get("variants"))[:5]) or "?")

        def issue(severity: str, message: str, rec: RawRecord = rec, label: str = label) -> None:
            issues.append(Issue(severity, name, rec.line, label, message, rec.item))

        wrong_types = _type_problems(f)
        for problem in wrong_types:
            issue("error", problem)
        if wrong_types:
            continue
        ok = True
        if not canonical or not fold_term(canonical):
            issue("error", "empty canonical term; every row needs the correct English term")
            ok = False
        elif _invisible(canonical):
            issue("error", f"canonical term has no visible characters ({_codes(canonical)}); write the term or remove the row")
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
        if len(variants) + len(alternatives) > MAX_TERMS_PER_ENTRY:
            issue("error", f"{len(variants) + len(alternatives):,} variants and alternatives, more than the limit of "
                  f"{MAX_TERMS_PER_ENTRY:,} per entry (toolkit.limits.MAX_TERMS_PER_ENTRY); split the entry or fix the file")
            continue
        long_term = next((t for t in (canonical, _str(f.get("source")), *variants, *alternatives) if len(t) > MAX_TERM_CHARS), None)
        if long_term is not None:
            issue("error", f"a term of {len(long_term):,} characters ({shown(long_term, 40)}), more than the limit of "
                  f"{MAX_TERM_CHARS:,} (toolkit.limits.MAX_TERM_CHARS); a term is a name or a phrase, check the columns")
            continue
        for role, terms in (("variant", variants), ("alternative", alternatives)):
            for t in terms:
                if _invisible(t):
                    issue("error", f"{role} {shown(t)} has no visible characters ({_codes(t)}); it would match inside "
                          "words: remove it")
                    ok = False
        for role, t in (("canonical term", canonical), ("source term", _str(f.get("source"))),
                        *(("variant", v) for v in variants), *(("alternative", a) for a in alternatives)):
            controls = _control_chars(t)
            if controls:  # ESC, BEL, ... inside a term: never text, and they would reach terminals raw
                issue("error", f"{role} {shown(t)} contains control characters ({controls}); remove them")
                ok = False
                continue
            codes = _format_chars(t) if ok else ""
            if codes:
                issue("warning", f"{role} {shown(t)} contains invisible format characters ({codes}); it matches only "
                      "text with the same characters, check it was not pasted with them")
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


def raise_on_errors(issues: Sequence[Issue], name: str) -> None:
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise GlossaryError(f"{errors[0]}{more}; run `toolkit terms check --glossary {name}` for the full report")


def entries_from_records(records: list[Mapping[str, Any]], name: str = "<records>") -> list[GlossaryEntry]:
    """Check mappings (rows of a glossary) and return their entries, raising on any error.

    Raises:
        GlossaryError: the first error, with its item number and entry.

    Example:
        >>> [e.canonical for e in entries_from_records([{"canonical": "Jin Xiangjun", "variants": "Jinxiang Army"}])]
        ['Jin Xiangjun']
    """
    raw_records = []
    columns: dict[str, None] = {}  # first-seen order, linear
    for i, r in enumerate(records, start=1):
        if not isinstance(r, Mapping):
            raise GlossaryError(f"{name}: item {i}: expected a mapping with a 'canonical' key, got {type(r).__name__}")
        fields = {str(k).strip().lower().replace("-", "_"): v for k, v in r.items()}
        columns.update(dict.fromkeys(fields))
        raw_records.append(RawRecord(None, fields, i))
    raw = RawGlossary(name, tuple(raw_records), tuple(columns))
    entries, issues = check_raw(raw)
    raise_on_errors(issues, name)
    return entries


def cross_check(entries: list[GlossaryEntry], name: str) -> list[Issue]:
    """The cross-entry checks (a variant of two entries, an alternative that is a variant...) of built entries."""
    raw = RawGlossary(name, tuple(RawRecord(e.line, {}, i) for i, e in enumerate(entries, 1)), KNOWN_COLUMNS)
    return _cross_check(list(entries), name, raw)
