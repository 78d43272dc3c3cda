"""CLI subcommands for the score part (placeholder until its issue lands)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this part's subcommands to ``app``."""
