"""``toolkit report RUN_DIR``: regenerate a run's report.md and report.html (called from the run CLI module)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

EPILOG = (
    "Examples:  toolkit report runs/seed  (rewrites runs/seed/report.md and runs/seed/report.html)\n\n"
    "toolkit report runs/seed --format latex -o results.tex\n\n"
    "toolkit report runs/seed --format csv --table comparisons"
)


class TableFormat(str, Enum):
    csv = "csv"
    latex = "latex"
    md = "md"
    json = "json"


class TableName(str, Enum):
    results = "results"
    comparisons = "comparisons"


def report_command(
    run_dir: Path = typer.Argument(..., help="A run folder written by `toolkit run` (holds results.json).",
                                   metavar="RUN_DIR"),
    format: Optional[TableFormat] = typer.Option(
        None, "--format", help="Print the run's tables in this format instead of rewriting the report files."),
    table: Optional[TableName] = typer.Option(
        None, "--table", help="Only this table, with --format (default: both; csv holds one, results)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the tables here (default: print them)."),
) -> None:
    """Regenerate report.md and a self-contained report.html from a run folder, and print their paths.

    With --format: print the results and comparisons tables as CSV, LaTeX, Markdown or JSON instead.
    """
    if format is None:
        from toolkit.runs.report import write_report

        md_path, html_path = write_report(run_dir)
        typer.echo(str(md_path))
        typer.echo(str(html_path))
        return
    from toolkit.io import check_outputs_distinct, write_text
    from toolkit.runs.results import read_results
    from toolkit.runs.takeaway import TABLES, render_tables

    check_outputs_distinct({"-o": output}, {"RUN_DIR/results.json": run_dir / "results.json"})
    text = render_tables(read_results(run_dir / "results.json"), format.value,
                         tables=[table.value] if table is not None else TABLES)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_text(output, text)


def register_report_command(app: typer.Typer) -> None:
    """Add the ``report`` subcommand to ``app``."""
    app.command("report", epilog=EPILOG)(report_command)
