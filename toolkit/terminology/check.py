"""Glossary checking in one pass: every problem of a file is reported, nothing is raised.

:func:`check_glossary` is what ``toolkit terms check`` prints. Loading (:func:`~.validate.load_glossary`)
stops at the first structural problem; checking does not:

- a row the reader refuses (a stray separator in a TSV/CSV row, an unclosed quote, an item that is not an
  object, a TBX entry without an English term) is reported as an error and left out, and reading goes on;
- the row and cross-entry checks of :mod:`.validate` run on every row that could be read;
- two checks that need the whole file are added as warnings: two rows with the same canonical term, and a
  ``source`` that is not written in the source language's script (a Chinese glossary's ``source`` column
  holds Chinese characters; an English name there gives no calques).

Only a problem that leaves nothing to read (a missing file, no ``canonical`` column in the header, broken
JSON/YAML/XML syntax) ends the check early, as one error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import regex

from toolkit.errors import GlossaryError, InputError, UnknownNameError
from toolkit.io import load_yaml, loads_json, yaml_loader
from toolkit.terminology import glossary_io
from toolkit.terminology.glossary_io import FORMATS, RawGlossary, RawRecord
from toolkit.terminology.records import GlossaryEntry
from toolkit.terminology.textnorm import fold_term
from toolkit.terminology.validate import Issue, check_raw

#: Unicode scripts a ``source`` term may use, by source language (ISO 639-1).
SOURCE_SCRIPTS: dict[str, tuple[str, ...]] = {
    "zh": ("Han",),
    "ja": ("Han", "Hiragana", "Katakana"),
    "ko": ("Hangul", "Han"),
    "ru": ("Cyrillic",),
    "uk": ("Cyrillic",),
    "ar": ("Arabic",),
    "el": ("Greek",),
    "he": ("Hebrew",),
    "hi": ("Devanagari",),
    "th": ("Thai",),
    "de": ("Latin",),
    "es": ("Latin",),
    "fr": ("Latin",),
}
#: The source language of the toolkit's glossaries unless told otherwise (Chinese -> English MT).
DEFAULT_SOURCE_LANG = "zh"
#: A file with more problems than this is reported up to here (each retry re-reads the file).
MAX_STRUCTURAL_ERRORS = 200

_TEXT_FORMATS = ("tsv", "csv")


def script_problem(text: str, lang: str) -> str | None:
    """Letters of ``text`` that are not in the scripts of ``lang``, or ``None`` when all are.

    Digits, spaces and punctuation are ignored.

    Raises:
        UnknownNameError: ``lang`` is not in :data:`SOURCE_SCRIPTS`.

    Example:
        >>> script_problem("金湘军", "zh") is None, script_problem("Jin Xiangjun", "zh")
        (True, 'JinXiangjun')
    """
    scripts = SOURCE_SCRIPTS.get(lang)
    if scripts is None:
        raise UnknownNameError("source language", lang, SOURCE_SCRIPTS)
    allowed = regex.compile("[" + "".join(f"\\p{{{s}}}" for s in scripts) + "]")
    stray = [ch for ch in regex.findall(r"\p{L}", text) if not allowed.match(ch)]
    return "".join(stray) or None


def check_glossary(path: str | Path, *, source_lang: str = DEFAULT_SOURCE_LANG) -> list[Issue]:
    """Check a glossary file and return every error and warning, in file order.

    Args:
        path: the glossary file (.tsv .csv .json .yaml/.yml .tbx).
        source_lang: the language of the ``source`` column, for the script check.

    Returns:
        Issues (``severity`` ``error`` or ``warning``); empty when the file is clean.

    Raises:
        UnknownNameError: ``source_lang`` has no script check.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "g.tsv")
        >>> rows = "canonical\\tvariants\\tsource\\nJin Xiangjun\\tJinxiang Army\\t金湘军\\nShanxi\\ta\\tb\\tc\\n"
        >>> _ = open(p, "w", encoding="utf-8").write(rows + "Shanxi\\t\\tShanxi\\n")
        >>> [(i.severity, i.line) for i in check_glossary(p)]
        [('error', 3), ('warning', 4)]
    """
    script_problem("", source_lang)  # an unknown language fails before any reading
    name = str(path)
    raw, issues = _read_leniently(Path(path))
    if raw is None:
        return issues
    try:
        entries, row_issues = check_raw(raw)
    except GlossaryError as exc:
        return issues + [_issue_from_error(exc, name)]
    issues += row_issues
    issues += _duplicate_canonicals(entries, name, raw)
    issues += _source_scripts(entries, name, raw, source_lang)
    issues.sort(key=lambda i: (i.line or 0, i.item))
    return issues


# ---- reading: report a refused row, leave it out, read on ---------------------------------------------

_WHERE = re.compile(r"^(?::(?P<line>\d+))?(?:: item (?P<item>\d+))?: (?P<message>.*)$", re.S)


def _issue_from_error(exc: GlossaryError, name: str) -> Issue:
    text = str(exc)
    match = _WHERE.match(text[len(name):] if text.startswith(name) else "")
    if match is None:
        return Issue("error", name, None, "", text)
    line = int(match["line"]) if match["line"] else None
    return Issue("error", name, line, "", match["message"], int(match["item"] or 0))


def _read_leniently(path: Path) -> tuple[RawGlossary | None, list[Issue]]:
    name = str(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt not in _TEXT_FORMATS and fmt not in ("json", "yaml", "tbx"):
        try:
            return glossary_io.read_records(path), []
        except GlossaryError as exc:
            return None, [_issue_from_error(exc, name)]
    try:
        text = glossary_io._read(path)
    except GlossaryError as exc:
        return None, [_issue_from_error(exc, name)]
    if fmt in ("json", "yaml"):
        return _read_objects(text, name, fmt)
    issues: list[Issue] = []
    reader = {"tsv": glossary_io._read_tsv, "csv": glossary_io._read_csv, "tbx": glossary_io._read_tbx}[fmt]
    first_line = _first_content_line(text)
    while True:
        try:
            return reader(text, name), issues
        except GlossaryError as exc:
            issue = _issue_from_error(exc, name)
            issues.append(issue)
            cleaned = _drop(text, issue.line, fmt) if issue.line not in (None, first_line) or fmt == "tbx" else text
            if cleaned == text or len(issues) >= MAX_STRUCTURAL_ERRORS:
                return None, issues
            text = cleaned


def _first_content_line(text: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            return number
    return 0


def _drop(text: str, line: int | None, fmt: str) -> str:
    """``text`` without the row (TSV/CSV) or entry (TBX) that starts on ``line``; line numbers are kept."""
    if line is None:
        return text
    lines = text.split("\n")
    if fmt in _TEXT_FORMATS:
        if not 1 <= line <= len(lines) or not lines[line - 1].strip():
            return text
        lines[line - 1] = ""
        return "\n".join(lines)
    start = sum(len(x) + 1 for x in lines[: line - 1])
    match = re.compile(r"<((?:[\w.-]+:)?(?:termEntry|conceptEntry))\b.*?</\1>", re.S).search(text, start)
    if match is None or text.count("\n", 0, match.start()) + 1 != line:
        return text
    return text[: match.start()] + "\n" * match.group(0).count("\n") + text[match.end():]


def _read_objects(text: str, name: str, fmt: str) -> tuple[RawGlossary | None, list[Issue]]:
    """JSON/YAML: syntax errors end the check; each item that is not an object is reported and left out."""
    try:
        whole = glossary_io._read_json(text, name) if fmt == "json" else glossary_io._read_yaml(text, name)
        return whole, []
    except GlossaryError as exc:
        first = _issue_from_error(exc, name)
    items, lines = _items_and_lines(text, fmt)
    if items is None:  # the error was the syntax or the container, not one item
        return None, [first]
    issues: list[Issue] = []
    records: list[RawRecord] = []
    columns: list[str] = []
    for number, (obj, line) in enumerate(zip(items, lines), start=1):
        if not isinstance(obj, dict):
            message = f"expected an object with a 'canonical' field, got {type(obj).__name__}; item left out"
            issues.append(Issue("error", name, line, "", message, number))
            continue
        one = glossary_io._object_records([obj], [line], name)
        columns += [c for c in one.columns if c not in columns]
        records += [RawRecord(r.line, r.fields, number) for r in one.records]
    return RawGlossary(name, tuple(records), tuple(columns)), issues


def _items_and_lines(text: str, fmt: str) -> tuple[list[Any] | None, list[int | None]]:
    try:  # the shared readers: no YAML aliases, bounded nesting, no lone surrogates (issue 22)
        data = loads_json(text, "") if fmt == "json" else _yaml_load(text)
        items = glossary_io._items_from_container(data, "")
    except (InputError, ValueError):
        return None, []
    lines: list[int | None] = [None] * len(items)
    if fmt == "yaml":
        import yaml

        node = yaml.compose(text, Loader=yaml_loader())
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) in ("entries", "terms", "glossary")), None)
        if isinstance(node, yaml.SequenceNode) and len(node.value) == len(items):
            lines = [child.start_mark.line + 1 for child in node.value]
    return items, lines


def _yaml_load(text: str) -> Any:
    import yaml

    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


# ---- whole-file checks --------------------------------------------------------------------------------


def _issue_for(entry: GlossaryEntry, name: str, raw: RawGlossary, severity: str, message: str) -> Issue:
    line_is_item = bool(raw.records) and raw.records[0].line is None
    if line_is_item:
        return Issue(severity, name, None, entry.canonical, message, entry.line or 0)
    return Issue(severity, name, entry.line, entry.canonical, message)


def _duplicate_canonicals(entries: list[GlossaryEntry], name: str, raw: RawGlossary) -> list[Issue]:
    line_is_item = bool(raw.records) and raw.records[0].line is None
    first: dict[tuple[str, bool], GlossaryEntry] = {}
    issues = []
    for e in entries:
        key = (e.canonical if e.case_sensitive else fold_term(e.canonical), e.case_sensitive)
        seen = first.setdefault(key, e)
        if seen is not e:
            where = f"item {seen.line}" if line_is_item else f"line {seen.line}"
            issues.append(_issue_for(e, name, raw, "warning", f"canonical term already has a row ({where}); "
                                     "merge the two rows into one (variants and alternatives joined with |)"))
    return issues


def _source_scripts(entries: list[GlossaryEntry], name: str, raw: RawGlossary, lang: str) -> list[Issue]:
    issues = []
    scripts = "/".join(SOURCE_SCRIPTS[lang])
    for e in entries:
        stray = script_problem(e.source, lang) if e.source else None
        if stray is not None:
            issues.append(_issue_for(e, name, raw, "warning", f"source '{e.source}' is not in the source language's "
                                     f"script ({lang}: {scripts}); put the {lang} term there, or leave it empty"))
    return issues
