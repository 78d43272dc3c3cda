"""CLI subcommands of the terminology engine: ``align``, ``normalize`` and ``terms check``.

Examples:
    toolkit align --glossary eval/seed/glossary.tsv article.txt --format table
    toolkit normalize --glossary eval/seed/glossary.tsv article.txt -o fixed.txt --edits edits.jsonl
    toolkit terms check --glossary eval/seed/glossary.tsv
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from toolkit.terminology.fuzzy import FUZZY_THRESHOLD
from toolkit.terminology.suspects import DEFAULT_THRESHOLD as _SUSPECT_THRESHOLD


class AlignFormat(str, Enum):
    jsonl = "jsonl"
    table = "table"


class CheckFormat(str, Enum):
    text = "text"
    json = "json"


_GLOSSARY_HELP = "Glossary file (.tsv .csv .json .yaml .yml .tbx)."
_INPUT_HELP = "Text file, JSONL file of {\"id\", \"text\"} objects, or - for stdin."
_THRESHOLD_HELP = f"Smallest similarity (0-1) of a fuzzy match, with --fuzzy (default: {FUZZY_THRESHOLD})."


def _threshold_option() -> Any:
    return typer.Option(FUZZY_THRESHOLD, "--fuzzy-threshold", min=0.0, max=1.0, help=_THRESHOLD_HELP)


def _table(rows: list[dict[str, Any]]) -> str:
    header = ("id", "start", "end", "kind", "score", "text", "canonical")
    cells = [header] + [
        (str(r.get("id", "")), str(r["start"]), str(r["end"]), r["kind"], f"{r.get('score', 0):.2f}",
         r["text"].replace("\n", " "), r.get("canonical", r.get("reason", "")))
        for r in rows
    ]
    if not any(r.get("id") for r in rows):
        cells = [c[1:] for c in cells]
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip() for c in cells) + "\n"


def align_cmd(
    input: str = typer.Argument(..., help=_INPUT_HELP),
    glossary: Path = typer.Option(..., "--glossary", "-g", help=_GLOSSARY_HELP),
    fuzzy: bool = typer.Option(False, "--fuzzy", help="Also report near spellings of terms (kind fuzzy)."),
    format: AlignFormat = typer.Option(AlignFormat.jsonl, "--format", help="Output format (default: jsonl)."),
    calques: bool = typer.Option(True, "--calques/--no-calques", help="Match calques of source terms (default: on)."),
    suspects: bool = typer.Option(False, "--suspects", help="Also report pinyin-like tokens no entry explains (kind suspect)."),
    fuzzy_threshold: float = _threshold_option(),
    suspect_threshold: float = typer.Option(
        _SUSPECT_THRESHOLD, "--suspect-threshold", min=0.0, max=1.0,
        help=f"Lowest confidence of a suspect reported: lower for more findings, higher for fewer false alarms "
             f"(default: {_SUSPECT_THRESHOLD})."),
) -> None:
    """Find glossary terms in INPUT: one JSON object per match (start, end, text, canonical, entry, kind, score)."""
    from toolkit.io import is_jsonl, read_documents
    from toolkit.terminology import align, find_suspects, load_glossary

    g = load_glossary(glossary)
    docs = read_documents(input)
    with_id = is_jsonl(input)
    rows: list[dict[str, Any]] = []
    for doc in docs:
        found: list[dict[str, Any]] = [m.to_dict() for m in align(doc.text, glossary=g, fuzzy=fuzzy, calques=calques,
                                                        fuzzy_threshold=fuzzy_threshold)]
        if suspects:
            found += [s.to_dict() for s in find_suspects(doc.text, glossary=g, threshold=suspect_threshold)]
            found.sort(key=lambda r: r["start"])
        for row in found:
            rows.append({"id": doc.id, **row} if with_id else row)
    if format is AlignFormat.table:
        sys.stdout.write(_table(rows))
    else:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def normalize_cmd(
    input: str = typer.Argument(..., help=_INPUT_HELP),
    glossary: Path = typer.Option(..., "--glossary", "-g", help=_GLOSSARY_HELP),
    output: str | None = typer.Option(None, "-o", "--output", help="Write the normalised text here (default: print it)."),
    edits: str | None = typer.Option(None, "--edits", help="Write the audit log of edits here (JSONL)."),
    fuzzy: bool = typer.Option(False, "--fuzzy", help="Look for near spellings too (reported in the edits log, not rewritten)."),
    rewrite_fuzzy: bool = typer.Option(False, "--rewrite-fuzzy", help="Rewrite near spellings as well."),
    calques: bool = typer.Option(True, "--calques/--no-calques", help="Rewrite calques of source terms (default: on)."),
    fuzzy_threshold: float = _threshold_option(),
) -> None:
    """Rewrite variants and calques in INPUT to canonical terms (JSONL input gives JSONL output).

    A one-line summary of the edits goes to stderr.
    """
    from toolkit.io import check_outputs_distinct, is_jsonl, write_jsonl, write_text
    from toolkit.io import read_documents
    from toolkit.terminology import load_glossary, normalize

    check_outputs_distinct({"-o": output, "--edits": edits}, {"INPUT": input, "--glossary": glossary})
    g = load_glossary(glossary)
    docs = read_documents(input)
    jsonl = is_jsonl(input)
    outputs: list[str] = []
    edit_rows: list[dict[str, Any]] = []
    for doc in docs:
        result = normalize(doc.text, glossary=g, fuzzy=fuzzy or rewrite_fuzzy, rewrite_fuzzy=rewrite_fuzzy, calques=calques,
                           fuzzy_threshold=fuzzy_threshold)
        outputs.append(json.dumps({"id": doc.id, "text": result.text, **doc.extra}, ensure_ascii=False) if jsonl else result.text)
        base = {"id": doc.id} if jsonl else {}
        edit_rows += [{**base, **e.to_dict()} for e in result.edits]
        edit_rows += [{**base, "reported": True, **m.to_dict()} for m in result.reported]
    text = "\n".join(outputs) + "\n" if jsonl else outputs[0]
    if edits is not None:  # the audit log first: a failure here leaves no normalised text without its log
        write_jsonl(edits, edit_rows)
    if output is None or output == "-":
        sys.stdout.write(text)
    else:
        try:
            write_text(output, text)
        except BaseException:
            if edits is not None:
                Path(edits).unlink(missing_ok=True)
            raise
    typer.echo(_normalize_summary(len(docs), edit_rows, output, edits), err=True)


def _normalize_summary(documents: int, rows: list[dict[str, Any]], output: str | None, edits: str | None) -> str:
    """``normalised 1 document: 3 edits (variant 3), 0 reported; wrote out.txt, edits.jsonl``."""
    made = [r for r in rows if not r.get("reported")]
    kinds: dict[str, int] = {}
    for row in made:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    by_kind = f" ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})" if kinds else ""
    wrote = [p for p in (output, edits) if p not in (None, "-")]
    return (f"normalised {documents} document{'s' * (documents != 1)}: {len(made)} edit{'s' * (len(made) != 1)}"
            f"{by_kind}, {len(rows) - len(made)} reported, not rewritten" + (f"; wrote {', '.join(wrote)}" if wrote else ""))


def check_cmd(
    glossary: Path = typer.Option(..., "--glossary", "-g", help=_GLOSSARY_HELP),
    format: CheckFormat = typer.Option(CheckFormat.text, "--format", help="Report format (default: text)."),
    source_lang: str = typer.Option(
        "zh", "--source-lang", help="Language of the source column, for the script check (default: zh)."
    ),
) -> None:
    """Check a glossary in one pass: every error (exit 1) and warning, each with file:line and entry.

    Rows the reader refuses (a stray separator, an unclosed quote) are reported and skipped, so one run
    lists every problem. Warnings include two rows with the same canonical term and a source term not in
    the source language's script.
    """
    from toolkit.terminology.check import check_glossary

    issues = check_glossary(glossary, source_lang=source_lang)
    errors = sum(i.severity == "error" for i in issues)
    warnings = len(issues) - errors
    if format is CheckFormat.json:
        sys.stdout.write(json.dumps({"errors": errors, "warnings": warnings, "issues": [i.to_dict() for i in issues]},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        for i in issues:
            sys.stdout.write(f"{i.severity}: {i}\n")
        sys.stdout.write(f"{glossary}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n")
    if errors:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add ``align``, ``normalize`` and the ``terms`` group (``terms check``) to ``app``."""
    app.command("align", epilog="Example: toolkit align --glossary glossary.tsv article.txt --format table")(align_cmd)
    app.command("normalize", epilog="Example: toolkit normalize --glossary glossary.tsv article.txt -o out.txt --edits edits.jsonl")(normalize_cmd)
    terms = typer.Typer(
        help="Glossary tools (the format: README, section Glossary format).",
        epilog="Examples:  toolkit terms check --glossary eval/seed/glossary.tsv\n\n"
        "toolkit terms check --glossary terms.csv --format json",
        no_args_is_help=True,
    )
    terms.command(
        "check",
        epilog="Examples:  toolkit terms check --glossary glossary.tsv\n\n"
        "toolkit terms check --glossary glossary.tbx --format json --source-lang zh",
    )(check_cmd)
    app.add_typer(terms, name="terms")
