"""CLI subcommand ``qa``: the MT quality checks of :mod:`toolkit.qa` over a hypothesis file.

Inputs are read as ``toolkit score`` reads them (one segment a line, or JSONL ``{"id", "text"}``; sources
matched by id or line). A JSONL row may carry ``doc``: document-level checks (mixed quotes, consistency)
work within each document; without ``doc`` the whole file is one document.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any, Optional

import click
import typer

from toolkit.errors import InputError

_EPILOG = (
    "Examples:  toolkit qa --hyp eval/seed/seed_article.txt --glossary eval/seed/glossary.tsv\n\n"
    "toolkit qa --hyp mt.jsonl --source src.jsonl --format jsonl --disable length,names\n\n"
    "toolkit qa --hyp mt.en --source src.zh --threshold punctuation=0.9 --format json\n\n"
    "Checks (default threshold): {checks}"
)


class QAFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    json = "json"


def _epilog() -> str:
    from toolkit.qa import CHECKS

    return _EPILOG.format(checks=", ".join(f"{c.name} ({c.threshold:g}): {c.description}" for c in CHECKS.values()))


def _names(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _thresholds(values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        name, sep, number = item.partition("=")
        try:
            out[name.strip()] = float(number)
        except ValueError:
            sep = ""
        if not sep:
            raise typer.BadParameter(f"expected CHECK=VALUE such as numbers=0.8 (got {item!r})", param_hint="--threshold")
    return out


def _doc_ids(path: str, jsonl: bool) -> list[str] | None:
    """The ``doc`` field of each JSONL row (None when no row has one)."""
    if not jsonl:
        return None
    from toolkit.io import read_outputs

    docs = read_outputs(path)
    if not any("doc" in d.extra for d in docs):
        return None
    for d in docs:
        if "doc" in d.extra and not isinstance(d.extra["doc"], (str, int)):
            raise InputError(f"{path}: id '{d.id}': field 'doc' must be a string or a number")
    return [str(d.extra.get("doc", "")) for d in docs]


def _rows(result: Any, ids: list[str], docs: list[str] | None) -> list[dict[str, Any]]:
    rows = []
    for i, findings in enumerate(result.findings):
        for f in findings:
            row = {"id": ids[i], **f.to_dict()}
            if docs is not None:
                row["doc"] = docs[i]
            rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]], result: Any) -> str:
    header = ("id", "check", "severity", "start", "end", "text", "message")
    cells = [header] + [
        (r["id"], r["check"], r["severity"], str(r["start"]), str(r["end"]),
         " ".join(r["text"].split())[:40], r["message"].replace("\n", " ")) for r in rows
    ]
    widths = [max(len(c[k]) for c in cells) for k in range(len(header) - 1)]
    lines = ["  ".join([*(v.ljust(w) for v, w in zip(c[:-1], widths)), c[-1]]).rstrip() for c in cells]
    counts = ", ".join(f"{name} {n}" for name, n in result.counts().items())
    lines.append(f"\n{len(rows)} findings in {result.n_flagged} of {len(result)} segments ({counts})")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``qa`` to ``app``."""

    @app.command("qa", epilog=_epilog())
    def qa_cmd(
        hyp: str = typer.Option(..., "--hyp", help="MT output: one segment a line, or JSONL {id, text[, doc]}."),
        source: Optional[str] = typer.Option(None, "--source", help="Sources: one a line, or JSONL {id, text} matched by id."),
        glossary: Optional[str] = typer.Option(None, "--glossary", "-g", help="Glossary file (.tsv .csv .json .yaml .tbx)."),
        fmt: QAFormat = typer.Option(QAFormat.table, "--format", help="Output format (default: table)."),
        disable: Optional[str] = typer.Option(None, "--disable", help="Checks to switch off, comma-separated (numbers,length)."),
        only: Optional[str] = typer.Option(None, "--only", help="Run only these checks, comma-separated."),
        threshold: list[str] = typer.Option([], "--threshold", help="CHECK=VALUE: smallest confidence reported (repeatable)."),
        source_lang: str = typer.Option("zh", "--source-lang", help="Source language (default: zh)."),
        target_lang: str = typer.Option("en", "--target-lang", help="Target language (default: en)."),
    ) -> None:
        """Check MT output for source script, numbers, punctuation, repeats, consistency, names and length."""
        from toolkit.cli.score_cmds import read_hypotheses, read_sources
        from toolkit.qa import qa_check

        hyps = read_hypotheses(hyp)
        sources = read_sources(source, hyps) if source else None
        docs = _doc_ids(hyp, hyps.jsonl)
        terms = None
        if glossary:
            from toolkit.terminology import load_glossary

            terms = load_glossary(glossary)
        only_names = _names(only) or None
        result = qa_check(predictions=hyps.texts, sources=sources, glossary=terms, docs=docs, disable=_names(disable),
                          only=only_names, thresholds=_thresholds(threshold), source_lang=source_lang,
                          target_lang=target_lang)
        rows = _rows(result, hyps.ids, docs)
        if fmt == QAFormat.jsonl:
            for row in rows:
                click.echo(json.dumps(row, ensure_ascii=False))
        elif fmt == QAFormat.json:
            payload = {"signature": result.signature, "checks": list(result.checks), "counts": result.counts(),
                       "segments": len(result), "flagged_segments": result.n_flagged, "findings": rows}
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            click.echo(_table(rows, result))
