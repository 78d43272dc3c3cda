"""CLI subcommands for evaluation runs: ``run``, ``validate`` and ``report``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer


def _results_table(data: dict[str, Any]) -> Any:
    """The results table of a run, read through the typed schema: a mark says better (+) or worse (-)."""
    from rich.table import Table

    from toolkit.runs.results import RunResults

    results = RunResults.from_dict(data)
    against_first = results.comparisons_of("against-first")
    first = against_first[0].a if against_first else None
    marks = {(c.b, c.metric): {"better": "+", "worse": "-"}.get(c.verdict or "", "") for c in against_first}
    caption = (f"+ / -: significantly better / worse than {first} (paired test, p < 0.05"
               f"{', Holm-corrected' if any(c.correction == 'holm' for c in against_first) else ''}); "
               "bold: best on a metric with a direction") if first else None
    table = Table(title=f"{results.name}: {results.documents} documents, score [95% bootstrap CI]", caption=caption)
    table.add_column("system")
    table.add_column("input")
    for metric in results.metrics:
        direction = results.higher_is_better(metric)
        table.add_column(metric + (" (lower better)" if direction is False else ""), justify="right")
    for system, info in results.systems.items():
        cells = []
        for metric in results.metrics:
            value = info.metrics.get(metric)
            if value is None:
                cells.append("-")
                continue
            text = f"{value.score:.2f}{marks.get((system, metric), '')}"
            if system in results.best(metric):
                text = f"[bold]{text}[/bold]"
            ci = value.ci
            cells.append(text + (f" [{ci[0]:.1f},{ci[1]:.1f}]" if ci else ""))
        table.add_row(system, info.input, *cells)
    return table


def _terminology_table(data: dict[str, Any]) -> Any:
    from rich.table import Table

    from toolkit.runs.results import TerminologySection

    terminology = TerminologySection.from_dict(data)
    table = Table(title=f"Terminology: {terminology.edits} edits, {terminology.suspects} suspect findings")
    table.add_column("text")
    keys = ["accuracy", "variant_leak_rate"]
    for key in keys:
        table.add_column(key, justify="right")
    for label in terminology.term_accuracy:
        values = [terminology.accuracy(label, k) for k in keys]
        table.add_row(label, *("-" if v is None else f"{v:.1f}" for v in values))
    return table


def run_command(
    config: Path = typer.Argument(..., help="YAML run config, e.g. configs/seed.yaml"),
    overrides: Optional[list[str]] = typer.Argument(None, help="key=value overrides, e.g. limit=5 bootstrap.seed=7"),
    fresh: bool = typer.Option(False, "--fresh", help="Delete the run folder and start over."),
    resume: bool = typer.Option(True, "--resume/--no-resume", help="Reuse stored results (default: on)."),
    executor: Optional[str] = typer.Option(None, "--executor", help="local or ray (default: the config's)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars on stderr."),
    trust_remote_code: bool = typer.Option(
        False, "--trust-remote-code",
        help="Allow systems whose config sets trust_remote_code: true to run the model's own Python code.",
    ),
) -> None:
    """Run an evaluation: normalise -> summarise -> score -> compare -> report."""
    from rich.console import Console

    from toolkit.runs.engine import run
    from toolkit.runs.validate import validate_run

    extra = list(overrides or [])
    if executor:
        extra.append(f"executor={executor}")
    cfg = validate_run(config, extra)  # what `toolkit validate` checks, every problem at once, before any work
    check_remote_code(cfg, allowed=trust_remote_code, source=str(config))
    result = run(cfg, fresh=fresh or not resume, progress=progress, config_path=str(config))
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 200))
    console.print(_results_table(result.results))
    if result.results.get("terminology"):
        console.print(_terminology_table(result.results["terminology"]))
    console.print(f"outputs: {result.run_dir}/ (report.html, results.json, scores.jsonl, summaries/, scored/)")
    console.print(f"run signature: {result.signature}", soft_wrap=True)


def check_remote_code(cfg: Any, *, allowed: bool, source: str) -> None:
    """Refuse a config whose systems ask for ``trust_remote_code`` unless the command line allowed it too.

    A config file can come from anyone; running a model's own code needs a second, explicit yes.

    Raises:
        UnsafeModelError: a system sets ``trust_remote_code: true`` and ``allowed`` is false.

    Example:
        >>> from toolkit.runs.config import config_from_dict
        >>> cfg = config_from_dict({"name": "d", "data": {"path": "d.jsonl"},
        ...                         "systems": [{"name": "s", "model": "lead-3", "trust_remote_code": True}]})
        >>> check_remote_code(cfg, allowed=True, source="c.yaml")  # the command line said yes
        >>> check_remote_code(cfg, allowed=False, source="c.yaml")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        toolkit.errors.UnsafeModelError: c.yaml: systems[0] (s) -> trust_remote_code: true would run ...
    """
    from toolkit.errors import UnsafeModelError

    asking = [f"systems[{i}] ({s.name})" for i, s in enumerate(cfg.systems) if s.trust_remote_code]
    if asking and not allowed:
        raise UnsafeModelError(
            f"{source}: {', '.join(asking)} -> trust_remote_code: true would run the model's own Python code; "
            "pass --trust-remote-code on the command line to allow it (see SECURITY.md)"
        )


def validate_command(
    configs: list[Path] = typer.Argument(..., help="YAML run configs to check"),
    overrides: list[str] = typer.Option([], "--set", help="key=value override applied before checking"),
) -> None:
    """Check run configs without running them: every check a run makes before its first stage, all problems
    at once (keys and types, metric names, generation settings, models here offline, the data's first rows,
    system files, the glossary)."""
    from toolkit.errors import ConfigError
    from toolkit.runs.validate import validate_run

    failures: list[str] = []
    for path in configs:
        try:
            validate_run(path, list(overrides))
            typer.echo(f"ok: {path}")
        except ConfigError as exc:
            typer.echo(f"{path}: {len(exc.problems)} problem{'s' * (len(exc.problems) != 1)}")
            for problem in exc.problems:  # one a line here; the error line on stderr has them all too
                typer.echo(f"  {problem}")
            failures.append(str(exc))
    if failures:
        raise ConfigError(failures)


def register(app: typer.Typer) -> None:
    """Add ``run``, ``validate`` and ``report`` to ``app``."""
    app.command("run", epilog="Example: toolkit run configs/seed.yaml limit=3 --fresh")(run_command)
    app.command("validate", epilog="Example: toolkit validate configs/*.yaml")(validate_command)
    try:
        from toolkit.runs.report_cli import register_report_command
    except ImportError:  # report module not installed
        return
    register_report_command(app)
