"""``sim validate FILE...``: report every problem of scenario files."""

from __future__ import annotations

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, no summary line.")
@evidence_options
def command(files: tuple[str, ...], quiet: bool, evidence: EvidenceChoice) -> None:
    """Check scenario FILES (and their variants).

    Prints one line a problem to standard error, FILE:LINE:COL: error|warning: MESSAGE, and
    exits 1 if any file has an error. Evidence files (--evidence) are checked with each FILE.
    """
    failed = 0
    for f in files:
        problems = evidence.check(f)
        for p in problems:
            click.echo(str(p), err=True)
        errors = sum(p.severity == "error" for p in problems)
        failed += errors > 0
        if not quiet and not errors:
            warns = len(problems)
            click.echo(f"{f}: ok" + (f" ({warns} warning{'s' * (warns != 1)})" if warns else ""))
    if failed:
        raise SystemExit(1)
