"""Placeholder for `sim new` (being built)."""

import click


@click.command("new")
def command() -> None:
    """Not yet available."""
    raise click.UsageError("not yet available")
