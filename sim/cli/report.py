"""``sim report DIR``: re-render the charts and report.html of a results folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.argument("folder", type=click.Path(file_okay=False))
def command(folder: str) -> None:
    """Re-render the charts and report.html of results FOLDER from its files alone."""
    from sim.errors import SimError
    from sim.report import render_report
    from sim.report.files import publish

    src = Path(folder)
    if not (src / "summary.json").is_file():
        raise SimError(
            f"{folder}: error: not a results folder (no summary.json); run "
            "'sim run FILE --out DIR' first"
        )

    def fill(tmp: Path) -> None:
        import shutil

        for name in ("summary.json", "occupancy.csv", "first_passage.csv"):
            if (src / name).is_file():
                shutil.copy2(src / name, tmp / name)
        render_report(tmp)
        for name in ("summary.json", "occupancy.csv", "first_passage.csv"):
            (tmp / name).unlink(missing_ok=True)

    publish(src, fill)
    click.echo(f"Report: {src / 'report.html'}")
