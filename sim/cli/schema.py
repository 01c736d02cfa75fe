"""``sim schema``: print the JSON Schema of the scenario format."""

from __future__ import annotations

import click


@click.command("schema")
def command() -> None:
    """Print the JSON Schema of scenario files (for editors' completion and checking)."""
    import json

    from sim.scenario.schema import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
