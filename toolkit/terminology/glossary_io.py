"""Reading glossaries: TSV, CSV, JSON, YAML and TBX (ISO 30042, v2 and v3), into raw records.

Columns / fields (any order): ``canonical`` (required), ``variants`` and ``alternatives`` (``|``-separated
or lists), ``source``, ``type`` (person, place, org, other), ``case_sensitive`` (yes/no), ``note`` and an
optional ``id``. TBX: ``administrativeStatus`` (or the older ``normativeAuthorization``) decides each
English term's role: preferred -> canonical, admitted -> alternative, deprecated/superseded -> variant;
the entry's first term in another language -> ``source``. XML is parsed with defusedxml, so entity
declarations are refused and nothing external is fetched.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import GlossaryError, InputError, shown
from toolkit.io import check_not_device, decode_text, has_lone_surrogate, loads_json, yaml_loader
from toolkit.limits import MAX_XML_DEPTH

#: Columns a glossary may have (others are reported as warnings and ignored).
KNOWN_COLUMNS = ("id", "canonical", "variants", "alternatives", "source", "type", "case_sensitive", "note")
#: File extensions understood by :func:`read_records`.
FORMATS = {".tsv": "tsv", ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".tbx": "tbx"}


@dataclass(frozen=True)
class RawRecord:
    """One glossary row before validation: where it came from and its fields as read."""

    line: int | None
    fields: dict[str, Any]
    item: int = 0


@dataclass(frozen=True)
class RawGlossary:
    """All rows of one file, with the columns it declared (for the unknown-column warning)."""

    path: str
    records: tuple[RawRecord, ...]
    columns: tuple[str, ...]
    header_line: int | None = None


def _read(path: Path) -> str:
    if not path.exists():
        raise GlossaryError(f"{path}: glossary file not found; check the path")
    if path.is_dir():
        raise GlossaryError(f"{path}: is a folder; give a glossary file (.tsv .csv .json .yaml .tbx)")
    try:
        check_not_device(path)
        return decode_text(path.read_bytes(), str(path))
    except InputError as exc:
        raise GlossaryError(str(exc)) from None


def read_records(path: str | Path) -> RawGlossary:
    """Read a glossary file into raw records; the format comes from the extension.

    Raises:
        GlossaryError: unknown extension, unreadable file, or a syntax error (with file:line).
    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise GlossaryError(
            f"{p}: unsupported glossary format '{p.suffix or '(none)'}'; use one of {' '.join(sorted(FORMATS))}"
        )
    text = _read(p)
    reader = {"tsv": _read_tsv, "csv": _read_csv, "json": _read_json, "yaml": _read_yaml, "tbx": _read_tbx}[fmt]
    return reader(text, str(p))


def _header(cells: list[str], name: str, line: int) -> list[str]:
    columns = [c.strip().lower().replace("-", "_").replace(" ", "_") for c in cells]
    if "canonical" not in columns:
        got = ", ".join(columns)
        raise GlossaryError(
            f"{name}:{line}: header has no 'canonical' column (got {shown(got) if got else 'nothing'}); "
            "the first row must name the columns, e.g. canonical<TAB>variants<TAB>source<TAB>type"
        )
    first: dict[str, int] = {}
    for number, col in enumerate(columns, start=1):
        if col and col in first:  # which copy would win is arbitrary: refuse rather than guess
            raise GlossaryError(f"{name}:{line}: column {shown(col)} appears twice in the header (columns "
                                f"{first[col]} and {number}); keep one")
        first.setdefault(col, number)
    return columns


def _rows_to_records(rows: list[tuple[int, list[str]]], name: str) -> RawGlossary:
    if not rows:
        raise GlossaryError(f"{name}: glossary is empty; add a header row and one row per term")
    header_line, header_cells = rows[0]
    columns = _header(header_cells, name, header_line)
    if len(rows) == 1:
        raise GlossaryError(f"{name}: header only, no entries; add one row per term under the header")
    records = []
    for item, (line, cells) in enumerate(rows[1:], start=1):
        if len(cells) > len(columns):
            extra = [c for c in cells[len(columns):] if c.strip()]
            if extra:
                raise GlossaryError(
                    f"{name}:{line}: {len(cells)} fields but the header has {len(columns)}; "
                    "check for a stray separator in this row"
                )
        values = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(columns)}
        records.append(RawRecord(line=line, fields=values, item=item))
    return RawGlossary(name, tuple(records), tuple(columns), header_line)


def _read_tsv(text: str, name: str) -> RawGlossary:
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append((number, line.split("\t")))
    return _rows_to_records(rows, name)


def _read_csv(text: str, name: str) -> RawGlossary:
    reader = csv.reader(io.StringIO(text), strict=True)
    rows = []
    next_line = 1
    try:
        for cells in reader:
            start, next_line = next_line, reader.line_num + 1
            if reader.line_num > start and any("\n" in c for c in cells):
                raise GlossaryError(
                    f"{name}:{start}: a quoted field runs over {reader.line_num - start + 1} lines; "
                    "check for an unclosed quote (\") on this line"
                )
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            rows.append((start, cells))
    except csv.Error as exc:
        raise GlossaryError(
            f"{name}:{next_line}: CSV syntax error ({exc}); check for an unclosed quote (\") from this line on"
        ) from None
    return _rows_to_records(rows, name)


def _items_from_container(data: Any, name: str) -> list[Any]:
    if isinstance(data, dict):
        for key in ("entries", "terms", "glossary"):
            if isinstance(data.get(key), list):
                return data[key]
        raise GlossaryError(f"{name}: expected a list of entries or an object with an 'entries' list")
    if not isinstance(data, list):
        raise GlossaryError(f"{name}: expected a list of entries, got {type(data).__name__}")
    return data


def _object_records(items: list[Any], lines: list[int | None], name: str) -> RawGlossary:
    records = []
    columns: dict[str, None] = {}  # in first-seen order; a dict keeps this linear in the number of keys
    for item, (obj, line) in enumerate(zip(items, lines), start=1):
        where = f"{name}:{line}" if line else f"{name}: item {item}"
        if not isinstance(obj, dict):
            raise GlossaryError(f"{where}: expected an object with a 'canonical' field, got {type(obj).__name__}")
        fields: dict[str, Any] = {}
        spelled: dict[str, Any] = {}
        for key, value in obj.items():
            column = str(key).strip().lower().replace("-", "_")
            if column in fields:  # "Canonical" and "canonical": which one wins would be arbitrary
                raise GlossaryError(f"{where}: keys {shown(spelled[column])} and {shown(key)} name the same field; keep one")
            fields[column], spelled[column] = value, key
        columns.update(dict.fromkeys(fields))
        records.append(RawRecord(line=line, fields=fields, item=item))
    return RawGlossary(name, tuple(records), tuple(columns))


def _read_json(text: str, name: str) -> RawGlossary:
    duplicates: list[str] = []

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            if key in obj:
                duplicates.append(key)
            obj[key] = value
        return obj

    try:  # syntax errors with their line, nesting too deep, 5,000-digit numbers, lone surrogates
        data = loads_json(text, name, whole_file=True, object_pairs_hook=unique_keys)
    except InputError as exc:
        raise GlossaryError(str(exc)) from None
    if duplicates:
        raise GlossaryError(f"{name}: key {shown(duplicates[0])} appears twice in one object; keep one")
    items = _items_from_container(data, name)
    return _object_records(items, [None] * len(items), name)


_YAML_BOOL = "tag:yaml.org,2002:bool"


@functools.lru_cache(maxsize=None)
def _glossary_yaml_loader() -> type:
    """The safe, alias-free loader, minus YAML 1.1 booleans: ``NO``, ``On``, ``yes`` in a glossary stay text."""
    base = yaml_loader()
    resolvers = {first: [(tag, rx) for tag, rx in pairs if tag != _YAML_BOOL]
                 for first, pairs in base.yaml_implicit_resolvers.items()}
    return type("GlossaryYamlLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _read_yaml(text: str, name: str) -> RawGlossary:
    import yaml

    loader = _glossary_yaml_loader()
    try:
        root = yaml.compose(text, Loader=loader)
        data = loader(text).construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise GlossaryError(f"{name}{line}: broken YAML ({getattr(exc, 'problem', exc)})") from None
    except RecursionError:
        raise GlossaryError(f"{name}: YAML nested too deeply for the parser; a glossary is a list of entries") from None
    except ValueError:  # the only ValueError of PyYAML's safe constructors: an integer of more than 4,300 digits
        raise GlossaryError(f"{name}: unreadable YAML value (a number of more than 4,300 digits); quote it") from None
    if has_lone_surrogate(data):  # a "\\ud800" escape in a double-quoted scalar
        raise GlossaryError(f"{name}: a \\ud800-\\udfff escape that is not part of a surrogate pair is not text; "
                            "fix the escape or remove it")
    items = _items_from_container(data, name)
    lines: list[int | None] = [None] * len(items)
    node = root
    if isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if getattr(k, "value", None) in ("entries", "terms", "glossary")), None)
    if isinstance(node, yaml.SequenceNode) and len(node.value) == len(items):
        lines = [child.start_mark.line + 1 for child in node.value]
        for child, line in zip(node.value, lines):
            if isinstance(child, yaml.MappingNode):
                keys = [getattr(k, "value", None) for k, _ in child.value]
                dup = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
                if dup is not None:
                    raise GlossaryError(f"{name}:{line}: key {shown(dup)} appears twice in this entry; keep one")
    return _object_records(items, lines, name)


# ---- TBX --------------------------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ENTRY_TAG = re.compile(r"<(?:[\w.-]+:)?(?:termEntry|conceptEntry)\b")
_STATUS_ROLE = (
    ("preferred", "canonical"),
    ("admitted", "alternative"),
    ("deprecated", "variant"),
    ("superseded", "variant"),
    ("obsolete", "variant"),
)


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(elem: Any) -> str:
    return " ".join("".join(elem.itertext()).split())


def _tbx_terms(lang_elem: Any) -> list[tuple[str, str]]:
    """(term, status) for each term of a langSet/langSec, in document order."""
    out = []
    for holder in lang_elem.iter():
        if _local(holder.tag) not in ("tig", "ntig", "termSec"):
            continue
        term = ""
        status = ""
        for child in holder.iter():
            local = _local(child.tag)
            if local == "term" and not term:
                term = _text(child)
            elif local == "termNote" and child.get("type") in ("administrativeStatus", "normativeAuthorization"):
                status = _text(child).lower()
        if term:
            out.append((term, status))
    return out


def _check_depth(root: Any, name: str) -> None:
    level, depth = [root], 1
    while level:  # one level at a time: linear, and no recursion however deep the file is
        if depth > MAX_XML_DEPTH:
            raise GlossaryError(f"{name}: XML nested more than {MAX_XML_DEPTH} elements deep "
                                f"(at <{shown(_local(level[0].tag), 40)[1:-1]}>); TBX entries nest a few levels, "
                                "check the file")
        level = [child for elem in level for child in elem]
        depth += 1


def _read_tbx(text: str, name: str, target_lang: str = "en") -> RawGlossary:
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(text.encode("utf-8"))
    except DefusedXmlException as exc:
        raise GlossaryError(f"{name}: refused unsafe XML ({type(exc).__name__}); remove entity declarations") from None
    except SafeET.ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise GlossaryError(f"{name}:{line}: broken XML ({exc})") from None
    _check_depth(root, name)
    lines = []
    line, last = 1, 0
    for m in _ENTRY_TAG.finditer(text):  # one pass over the text (counting from 0 each time is quadratic)
        line += text.count("\n", last, m.start())
        last = m.start()
        lines.append(line)
    entries = [e for e in root.iter() if _local(e.tag) in ("termEntry", "conceptEntry")]
    if not entries:
        raise GlossaryError(f"{name}: no termEntry (TBX v2) or conceptEntry (TBX v3) elements found")
    records = []
    for item, entry in enumerate(entries, start=1):
        line = lines[item - 1] if item - 1 < len(lines) else None
        canonical: list[str] = []
        alternatives: list[str] = []
        variants: list[str] = []
        unspecified: list[str] = []
        source = ""
        notes = []
        for child in entry.iter():
            local = _local(child.tag)
            if local in ("note",) or (local == "descrip" and child.get("type") in ("definition", "note")):
                notes.append(_text(child))
        for lang_elem in entry:
            if _local(lang_elem.tag) not in ("langSet", "langSec"):
                continue
            lang = (lang_elem.get(_XML_LANG) or lang_elem.get("lang") or "").lower()
            terms = _tbx_terms(lang_elem)
            if lang.split("-")[0] == target_lang:
                for term, status in terms:
                    role = next((r for key, r in _STATUS_ROLE if key in status), None)
                    {"canonical": canonical, "alternative": alternatives, "variant": variants}.get(
                        role or "", unspecified
                    ).append(term)
            elif terms and not source:
                source = terms[0][0]
        if not canonical and unspecified:
            canonical, unspecified = unspecified[:1], unspecified[1:]
        if not canonical:
            has_lang = any(_local(e.tag) in ("langSet", "langSec") for e in entry)
            where = f"{name}:{line}" if line else name
            what = "no language section" if not has_lang else f"no term in language '{target_lang}'"
            raise GlossaryError(
                f"{where}: entry '{entry.get('id') or item}' has {what}; add a <langSet xml:lang=\"{target_lang}\"> "
                f"(TBX v2) or <langSec xml:lang=\"{target_lang}\"> (TBX v3) with the English term"
            )
        alternatives = canonical[1:] + alternatives + unspecified
        fields = {
            "id": entry.get("id") or "",
            "canonical": canonical[0] if canonical else "",
            "variants": variants,
            "alternatives": alternatives,
            "source": source,
            "note": "; ".join(n for n in notes if n),
        }
        records.append(RawRecord(line=line, fields=fields, item=item))
    return RawGlossary(name, tuple(records), tuple(KNOWN_COLUMNS))


def dump_tsv(entries: list[dict[str, Any]]) -> str:
    r"""Write entry dicts as a glossary TSV (header included); ``|`` joins list fields.

    Example:
        >>> dump_tsv([{"canonical": "Jin Xiangjun", "variants": ["Jinxiang Army"]}]).splitlines()[1].split("|")
        ['Jin Xiangjun\tJinxiang Army\t\t\tother\tno\t']
    """
    columns = ["canonical", "variants", "alternatives", "source", "type", "case_sensitive", "note"]
    out = ["\t".join(columns)]
    for e in entries:
        row = []
        for col in columns:
            value = e.get(col, "")
            if col == "type":
                value = value or "other"
            if col == "case_sensitive":
                value = "yes" if value is True or str(value).lower() in ("yes", "true", "1") else "no"
            if isinstance(value, (list, tuple)):
                value = "|".join(value)
            row.append(str(value))
        out.append("\t".join(row))
    return "\n".join(out) + "\n"
