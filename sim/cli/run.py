"""Placeholder for `sim run` (being built)."""

import click


@click.command("run")
def command() -> None:
    """Not yet available."""
    raise click.UsageError("not yet available")
