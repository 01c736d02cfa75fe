"""The evidence options shared by ``run``, ``compare``, ``sensitivity`` and ``validate``.

``@evidence_options`` adds ``--evidence FILE`` (repeatable), ``--as-of DATE`` and
``--no-evidence`` to a command and hands it one :class:`EvidenceChoice` as ``evidence``, whose
:meth:`~EvidenceChoice.load` and :meth:`~EvidenceChoice.check` pass them on to
:func:`sim.scenario.load.load_scenario` and :func:`sim.scenario.load.check_file`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass

import click

from sim.errors import shorten, show_bidi

__all__ = ["DATE", "EvidenceChoice", "evidence_options"]


class DateType(click.ParamType):
    """An ISO date, ``2026-12-01``; anything else is a usage error (exit 2)."""

    name = "date"

    def convert(self, value, param, ctx) -> dt.date:
        """The date written, or a usage error naming the expected form."""
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(
                f"'{show_bidi(shorten(value))}' is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01",
                param,
                ctx,
            )


#: The ``--as-of`` parameter type.
DATE = DateType()


@dataclass(frozen=True)
class EvidenceChoice:
    """What the command line says about evidence.

    Attributes
    ----------
    files : tuple of str
        ``--evidence`` files, in the order given.
    as_of : datetime.date or None
        ``--as-of``: only observations dated on or before it are in effect.
    use : bool
        False with ``--no-evidence``: no observation is in effect (the files are still checked).
    """

    files: tuple[str, ...] = ()
    as_of: dt.date | None = None
    use: bool = True

    def load(self, file: str, variant: str = "base"):
        """:func:`sim.scenario.load.load_scenario` of ``file`` and ``variant`` with this evidence;
        warns (once each, on standard error) of what is probably a mistake: a file given
        twice, an observation repeated, an evidence file without observations, an ``--as-of``
        outside [start, horizon] or one that leaves observations out.

        Raises
        ------
        sim.errors.ScenarioError
            The file has an error anywhere, in any variant too (as ``sim validate`` finds
            it): a broken variant is not run past in silence while the base runs.
        """
        from sim.errors import ScenarioError
        from sim.scenario.load import check_file, load_scenario

        scenario = load_scenario(
            file, variant, evidence=self.files, as_of=self.as_of, use_evidence=self.use
        )
        stat = os.stat(file)
        key = (os.path.realpath(file), stat.st_mtime_ns, stat.st_size)
        if key not in _CHECKED:  # the whole file, as `sim validate` checks it, once
            _CHECKED.add(key)
            problems = check_file(file, evidence=self.files if self.use else ())
            errors = [p for p in problems if p.severity == "error"]
            if errors:  # e.g. a variant's set: naming no event, while the base runs
                raise ScenarioError(errors)
        if self.use and (self.files or self.as_of):
            every = scenario
            if self.as_of is not None:
                every = load_scenario(file, variant, evidence=self.files)
            for message in evidence_warnings(self, every, scenario):
                if message not in _WARNED:
                    _WARNED.add(message)
                    click.echo(message, err=True)
        return scenario

    def check(self, file: str):
        """:func:`sim.scenario.load.check_file` of ``file`` with these evidence files."""
        from sim.scenario.load import check_file

        return check_file(file, evidence=self.files)


_WARNED: set[str] = set()  # warnings already printed by this command
_CHECKED: set[tuple] = set()  # files (path, time, size) whose every variant was checked


def evidence_warnings(choice: EvidenceChoice, every, scenario) -> list[str]:
    """Warnings about the evidence of a command line: ``every`` is the scenario loaded with
    all its observations, ``scenario`` with those in effect."""
    import os

    out = []
    seen: dict[str, str] = {}
    for name in choice.files:
        key = os.path.realpath(name)
        if key in seen:
            out.append(f"{name}: warning: this evidence file is given twice; its observations "
                       "count twice (an uncertain one weighs twice): give it once")  # fmt: skip
        seen[key] = name
        if not [o for o in every.evidence if o.origin.startswith(f"{name}:")]:
            out.append(f"{name}: warning: this evidence file holds no observation")
    first: dict[tuple, str] = {}
    for o in every.evidence:
        key = (o.date, o.text, o.ever, o.observed)
        if key in first:
            out.append(f"{o.origin}: warning: the same observation as {first[key]}; it counts "
                       "twice (an uncertain one weighs twice): remove one")  # fmt: skip
        first.setdefault(key, o.origin)
    if choice.as_of is not None:
        start, horizon = scenario.start, scenario.horizon_date
        if not start <= choice.as_of <= horizon:
            out.append(f"warning: --as-of {choice.as_of} is outside the scenario's "
                       f"[{start}, {horizon}]; check the year")  # fmt: skip
        left = len(every.evidence) - len(scenario.evidence)
        if left:
            out.append(f"note: --as-of {choice.as_of} leaves {left} of {len(every.evidence)} "
                       "observations out (dated after it)")  # fmt: skip
    return out


def evidence_options(f):
    """Add ``--evidence``, ``--as-of`` and ``--no-evidence``; pass ``evidence=EvidenceChoice``."""

    @functools.wraps(f)
    def command(*args, evidence_files, as_of, no_evidence, **kwargs):
        choice = EvidenceChoice(tuple(evidence_files), as_of, not no_evidence)
        return f(*args, evidence=choice, **kwargs)

    options = [
        click.option(
            "--evidence",
            "evidence_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            metavar="FILE",
            help="Observations from a YAML file whose only key is 'evidence' (repeatable); "
            "they follow the scenario's own.",
        ),
        click.option(
            "--as-of",
            type=DATE,
            default=None,
            metavar="DATE",
            help="Use only the observations dated on or before DATE (YYYY-MM-DD).",
        ),
        click.option(
            "--no-evidence",
            is_flag=True,
            help="Use no observation (evidence files are still checked).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command
