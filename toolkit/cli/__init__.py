"""Command-line interface: thin subcommands over the library (see ``toolkit --help``)."""

from toolkit.cli.app import main

__all__ = ["main"]
