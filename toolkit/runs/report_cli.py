"""``toolkit report RUN_DIR``: regenerate a run's report.md and report.html (called from the run CLI module)."""

from __future__ import annotations

from pathlib import Path

import typer

EPILOG = "Example: toolkit report runs/seed  (rewrites runs/seed/report.md and runs/seed/report.html)"


def report_command(
    run_dir: Path = typer.Argument(..., help="A run folder written by `toolkit run` (holds results.json).",
                                   metavar="RUN_DIR"),
) -> None:
    """Regenerate report.md and a self-contained report.html from a run folder, and print their paths."""
    from toolkit.runs.report import write_report

    md_path, html_path = write_report(run_dir)
    typer.echo(str(md_path))
    typer.echo(str(html_path))


def register_report_command(app: typer.Typer) -> None:
    """Add the ``report`` subcommand to ``app``."""
    app.command("report", epilog=EPILOG)(report_command)
