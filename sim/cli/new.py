"""``sim new NAME``: write a commented starter scenario that teaches the format by example."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click


@click.command("new")
@click.argument("name")
@click.option("--title", default=None, help="Title of the scenario [default: from NAME].")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing file (a symbolic link is replaced itself; the file it points "
    "to is left as it was).",
)
def command(name: str, title: str | None, force: bool) -> None:
    """Write NAME.yaml (or NAME, if it ends in .yaml), a valid starter scenario to edit.

    The scenario id is NAME's file stem; it must be lower snake_case.
    """
    from importlib.resources import files

    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    ident = path.stem
    if not re.fullmatch(r"[a-z][a-z0-9_]*", ident):
        raise click.BadParameter(
            f"'{ident}' is not a valid scenario id: use lower snake_case, "
            "e.g. 'gulf_tensions_2026'",
            param_hint="NAME",
        )
    from sim.scenario.conditions import KEYWORDS

    if ident in KEYWORDS:
        raise click.BadParameter(
            f"'{ident}' is a word of the condition language ({', '.join(sorted(KEYWORDS))}); "
            "choose another id",
            param_hint="NAME",
        )
    # a dangling link is never written through; with --force it is replaced, as a live one
    if path.is_symlink() and not path.exists() and not force:
        raise click.BadParameter(
            f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; use "
            "--force to replace the link, or choose another NAME",
            param_hint="NAME",
        )
    if path.is_dir():
        raise click.BadParameter(f"{path} is a folder; choose another NAME", param_hint="NAME")
    if path.exists() and not force:
        raise click.BadParameter(f"{path} exists; use --force to overwrite", param_hint="NAME")
    if not path.parent.is_dir():  # a typo in a path is not a tree of new folders
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise click.BadParameter(
            f"{path.parent} {what}; create the folder first, or choose another NAME",
            param_hint="NAME",
        )
    text = files("sim").joinpath("templates/starter.yaml").read_text(encoding="utf-8")
    text = text.replace("__SCENARIO_ID__", ident)
    text = text.replace("__TITLE__", title or ident.replace("_", " ").capitalize())
    try:
        _replace(path, text)
    except OSError as exc:
        from sim.errors import SimError

        raise SimError(
            f"{path}: error: cannot write the starter scenario here "
            f"({exc.strerror or exc}); choose another NAME"
        ) from None
    click.echo(f"Wrote {path}. Next: sim validate {path}, then sim run {path}")


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path``, then rename it onto ``path``: a reader
    never sees half a file, and a symbolic link at ``path`` is replaced, not written through."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would (mkstemp makes it 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
