"""Placeholder for `sim report` (being built)."""

import click


@click.command("report")
def command() -> None:
    """Not yet available."""
    raise click.UsageError("not yet available")
