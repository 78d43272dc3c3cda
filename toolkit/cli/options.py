"""CLI options declared once: the scoring settings (from ``toolkit.scoring.settings``) and the shared inputs.

Every scoring option of ``toolkit score``, ``compare`` and ``meta-evaluate`` is one of the ``Annotated`` types
below, made from :data:`toolkit.scoring.settings.SETTINGS`: flag, help and choices come from there, and the
parameter default is ``None`` (not given), so the default in force is always the one ``ScoringSettings``
declares. :func:`scoring_settings` turns the parsed values into the settings object.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from toolkit.scoring.settings import SPECS, ScoringSettings, default_of


def _help(name: str) -> str:
    spec, default = SPECS[name], default_of(name)
    shown = "unset" if default is None else ("off" if default is False else default)
    return f"{spec.help} (default: {shown})"


def choices(allowed: tuple[str, ...]) -> Any:
    """An option callback that accepts only ``allowed`` values (a usage error names them)."""

    def check(value: Any) -> Any:
        if value is not None and value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return check


def _option(name: str) -> Any:
    spec = SPECS[name]
    extra = {"callback": choices(spec.choices)} if spec.choices is not None else {}
    return typer.Option(*spec.flags, help=_help(name), **extra)


RougeMode = Annotated[Optional[str], _option("rouge_mode")]
Stem = Annotated[Optional[bool], typer.Option("--stem/--no-stem", help=_help("stem"))]
MultiRef = Annotated[Optional[str], _option("multi_ref")]
LsumSplit = Annotated[Optional[str], _option("lsum_split")]
TargetLang = Annotated[Optional[str], _option("target_lang")]
TermProtocol = Annotated[Optional[str], _option("term_protocol")]
Resamples = Annotated[Optional[int], _option("resamples")]
Seed = Annotated[Optional[int], _option("seed")]
Method = Annotated[Optional[str], _option("method")]
PValue = Annotated[Optional[str], _option("p_value")]

# Inputs shared by the scoring commands.
Refs = Annotated[list[str], typer.Option(..., "--ref", help="References (repeat for several): one a line, or JSONL {id, references|text}.")]
Glossary = Annotated[Optional[str], typer.Option("--glossary", help="Glossary file (TSV/CSV/JSON/YAML/TBX) for term accuracy (terms, terms_leak).")]
Source = Annotated[Optional[str], typer.Option("--source", help="Sources (one a line, or JSONL {id, text}): term expectations, diagnostics, support metrics.")]
Format = Annotated[str, typer.Option("--format", help="Output format: table or json.", callback=choices(("table", "json")))]


def metrics_help(default: str) -> str:
    """Help of a ``--metrics`` option: every registered metric name, the groups, and the default."""
    from toolkit.scoring.registry import GROUPS, available

    groups = ", ".join(f"{name} ({', '.join(members)})" for name, members in GROUPS.items())
    return f"Comma-separated metric names or groups. Metrics: {', '.join(available())}. Groups: {groups}. Default: {default}."


def scoring_settings(**given: Any) -> ScoringSettings:
    """The settings from parsed CLI values (None: not given, the declared default holds).

    Example:
        >>> scoring_settings(rouge_mode="rouge155", stem=None).multi_ref_rule
        'average'
    """
    return ScoringSettings.build(None, **given)
