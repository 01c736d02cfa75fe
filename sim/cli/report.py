"""``sim report DIR``: re-render the charts and report.html of a results folder."""

from __future__ import annotations

from pathlib import Path

import click

# the file that identifies each kind of folder, the files its renderer reads
_KINDS = {
    "summary.json": (
        "summary.json",
        "occupancy.csv",
        "first_passage.csv",
        "history/history.json",
        "history/history.png",  # sim history's, when there
    ),  # fmt: skip
    "comparison.json": ("comparison.json",),
    "sensitivity.json": ("sensitivity.json",),
}


@click.command("report")
@click.argument("folder", type=click.Path(file_okay=False))
def command(folder: str) -> None:
    """Re-render the charts and report.html of FOLDER from its files alone.

    FOLDER is a results folder (summary.json), a comparison folder (comparison.json) or a
    sensitivity folder (sensitivity.json).
    """
    import shutil

    from sim.errors import SimError
    from sim.report import render_report
    from sim.report.comparison import render_comparison
    from sim.report.files import publish
    from sim.report.sensitivity import render_sensitivity

    src = Path(folder)
    kind = next((k for k in _KINDS if (src / k).is_file()), None)
    if kind is None:
        raise SimError(
            f"{folder}: error: not a results folder (no summary.json, comparison.json or "
            "sensitivity.json); run 'sim run FILE --out DIR' first"
        )
    render = {
        "summary.json": render_report,
        "comparison.json": render_comparison,
        "sensitivity.json": render_sensitivity,
    }[kind]

    def fill(tmp: Path) -> None:
        for name in _KINDS[kind]:
            if (src / name).is_file():
                (tmp / name).parent.mkdir(exist_ok=True)
                shutil.copy2(src / name, tmp / name)
        try:
            render(tmp)
        except SimError as exc:  # name the user's folder, not the temporary copy
            raise SimError(str(exc).replace(str(tmp), str(src))) from None
        for name in _KINDS[kind]:
            (tmp / name).unlink(missing_ok=True)
        if (tmp / "history").is_dir():
            (tmp / "history").rmdir()  # emptied: the folder's own is left alone

    publish(src, fill)
    click.echo(f"Report: {src / 'report.html'}")
