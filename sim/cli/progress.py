"""Progress of a command on standard error, phase by phase, never silent and never a flood.

The phases of ``sim run``: *compiling* (said only when the engine will compile first, once
per machine), *simulating* each batch of runs (named, ``k/K`` of the variants, with an ETA
over all of them), *drawing charts* (``i/N``) and *writing*; ``sim sensitivity``, ``sim
history`` and ``sim signposts`` say the same phases (one batch of runs each; signposts draws
no chart). On a terminal a transient bar
shows the current phase and a phase worth keeping (compiling) stays printed above it. When
standard error is not a terminal (a pipe, a log, CI) plain lines are printed instead, in the
``FILE: progress: ...`` form of every line sim writes to standard error (``FILE: warning:
...``): one when a phase or batch starts and one each time it passes another tenth, so a log
shows progress at most about eleven lines a phase.

The ETA is the time left at the pace measured since the first report of progress (so the
time spent compiling, before any run finished, does not count as the runs' pace). With
variants named (``batches``), it is counted in runs over the whole command: the runs
planned for every variant (:meth:`Phases.plan`: the main runs and the spread design's, from
the start) plus those added on the way (to reach ``--min-effective-runs``, or as many runs as
the others), so the first variant's ETA already counts the variants and spread designs still
to come; without a plan, each variant is counted as many runs as the first variant's main
runs. A variant's further batch is named as its own phase (``simulating base (1/6): spread
across the assumptions, 20 draws: 2,000/20,000 runs``). Without variants named, the ETA is
the current batch's.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sim.cli.output import escape

__all__ = ["COMPILING", "Phases", "phases"]

COMPILING = "compiling the simulation kernel (once per machine, about a minute)"
#: What follows ``[VARIANT]`` in the label of a variant's further batch, and how it is told:
#: the spread design (:func:`sim.experiments.run_spread`) and the runs added to reach
#: ``--min-effective-runs`` (:func:`sim.experiments.variants.grow_runs`).
EXTRA = {"spread": "spread across the assumptions", "to n_eff": "more runs to n_eff"}
MIN_PACE_SECONDS = 1.0  # the pace behind an ETA is measured over at least this long
TENTHS = 10  # plain lines per phase, at most (plus the line that starts it)


class Phases:
    """Progress of one command, in phases (see the module's description).

    Use it as the experiments' ``progress(label, done, total)`` (it also hears
    ``effective(label, n_eff)``), as a chart callback through :meth:`charts`, and say a phase
    with :meth:`phase`. Make it with :func:`phases`, which also stops the bar.

    Parameters
    ----------
    batches : sequence of str
        The variants the command runs, in order: a batch whose label holds ``[VARIANT]``
        is batch k of K, and the ETA covers them all. Empty: every batch stands alone.
    source : str, optional
        What plain lines start with (the scenario file).
    console : rich.console.Console, optional
        Where to write; standard error by default. Plain lines when it is not a terminal.
    clock : callable() -> float, optional
        Seconds (``time.monotonic``); for tests.
    """

    def __init__(
        self,
        batches: Sequence[str] = (),
        *,
        source: str = "sim",
        console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console or Console(file=sys.stderr)
        self.plain = not self.console.is_terminal
        self.batches = list(batches)
        self.source = source
        self.clock = clock
        self.bar: Progress | None = None
        self.task = None
        self.label: str | None = None  # the current batch or phase
        self.text = ""
        self.tenth = -1
        self.origin: tuple[float, float] | None = None  # (time, units done) at the first report
        self.n_eff: float | None = None
        self.finished = False  # the last batch's runs are all done
        # the whole command's runs, for the overall ETA (variants named): planned per variant
        # (``plan``, else learned from the first main batch), added, and done in past batches
        self.planned: dict[str, int] = {}
        self.by_plan = False  # the plan counts the spread designs
        self.added = 0
        self.past = 0
        self.done = 0  # runs done of the current batch

    def plan(self, runs: Mapping[str, int]) -> None:
        """The runs planned for each variant (its main runs and spread design,
        :func:`sim.experiments.draws.planned_runs`), before any runs: the overall ETA counts
        them all from the start."""
        self.planned = {str(v): int(n) for v, n in runs.items()}
        self.by_plan = True

    def phase(self, text: str, *, keep: bool = False) -> None:
        """Start a phase without a count (``writing ...``); ``keep``: print it to stay on a
        terminal too (it always does in plain lines)."""
        self.label, self.text, self.tenth, self.n_eff = text, text, -1, None
        if self.plain:
            self._line(text)
        elif keep:
            self.console.print(escape(text), soft_wrap=True, highlight=False)
        if not self.plain:
            self._show(text, None, 0, "")

    def compiling(self, engine: str) -> None:
        """Say :data:`COMPILING` (kept on a terminal) when ``engine`` will compile before
        its first run (:meth:`sim.engines.Engine.needs_compiling`)."""
        from sim.engines import get_engine

        if get_engine(engine).needs_compiling():
            self.phase(COMPILING, keep=True)

    def __call__(self, label: str, done: int, total: int) -> None:
        """Runs ``done`` of ``total`` in the batch called ``label``; a variant's further batch
        (:data:`EXTRA`) has its own count and pace."""
        if label != self.label or (done == 0 and self.finished):  # (again: a new batch)
            self._new_batch(label, total)
        self.finished = done >= total
        self.done = done
        self._report(done, total, "runs", self._whole(label, done, total))

    def effective(self, label: str, n_eff: float) -> None:
        """Kish's effective number of the runs done so far (with evidence)."""
        if label == self.label:
            self.n_eff = n_eff

    def charts(self, done: int, total: int, name: str) -> None:
        """Charts ``done`` of ``total`` drawn, the last called ``name`` (a chart callback)."""
        self._count("drawing charts", done, total, "charts")

    def folders(self, done: int, total: int, name: str) -> None:
        """Results folders ``done`` of ``total`` drawn and written, the last ``name``."""
        self._count("drawing charts and writing the reports", done, total, "folders", name)

    def close(self) -> None:
        """Remove the bar (a terminal)."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    # -- internals ---------------------------------------------------------------------------

    def _new_batch(self, label: str, total: int) -> None:
        k, n = self._position(label)
        extra = self._extra(label)
        if self.label and self._position(self.label)[0]:
            self.past += self.done  # the runs of the variants' batch before
        self.label, self.tenth, self.n_eff, self.done = label, -1, None, 0
        name = self.batches[k - 1] if k else label  # the variant, when known
        self.text = f"simulating {name}" + (f" ({k}/{n})" if n > 1 else "")
        if extra:
            self.text += f": {extra}"
        if not n:  # a batch of its own: its own pace
            self.origin = None
            return
        if not self.planned and not extra:  # no plan: each variant as many as the first
            self.planned = {v: total for v in self.batches}
        if extra and not (self.by_plan and extra.startswith(EXTRA["spread"])):
            self.added += total  # runs not planned: added to the whole from now on

    def _whole(self, label: str, done: int, total: int) -> tuple[int, int]:
        """``(done, planned)`` runs of the whole command (variants named), else the batch's."""
        if not self._position(label)[0]:
            return done, total
        whole = sum(self.planned.values()) + self.added
        return self.past + done, max(whole, self.past + done)

    def _extra(self, label: str) -> str:
        """How a variant's further batch is told (:data:`EXTRA`), or "" for its main runs."""
        k, _ = self._position(label)
        if not k:
            return ""
        rest = label.split(f"[{self.batches[k - 1]}]", 1)[1].strip()
        for start, told in EXTRA.items():
            if rest.startswith(start):
                return told + rest[len(start) :]
        return rest

    def _position(self, label: str) -> tuple[int, int]:
        """``(k, K)``: the batch's place among the variants; ``(0, 0)`` when unknown."""
        for k, variant in enumerate(self.batches, start=1):
            if f"[{variant}]" in label:
                return k, len(self.batches)
        return 0, 0

    def _count(self, text: str, done: int, total: int, unit: str, last: str = "") -> None:
        if text != self.label:
            self.label, self.text, self.tenth, self.origin, self.n_eff = text, text, -1, None, None
        self._report(done, total, unit, (done, total), last)

    def _report(
        self, done: int, total: int, unit: str, whole: tuple[int, int], last: str = ""
    ) -> None:
        eta = self._eta(*whole)
        what = self.text + (f", n_eff {self.n_eff:,.0f}" if self.n_eff is not None else "")
        count = f"{done:,}/{total:,} {unit}" + (f" ({last} done)" if last else "")
        if not self.plain:
            self._show(what, total, done, f"{count}  {eta}".rstrip())
            return
        tenth = TENTHS * done // total if total else TENTHS
        if tenth > self.tenth:
            self.tenth = tenth
            line = f"{what}: {count} ({100 * done / max(total, 1):.0f}%)"
            self._line(f"{line}, {eta}" if eta else line)

    def _line(self, text: str) -> None:
        """One plain line: ``SOURCE: progress: TEXT``."""
        self.console.print(escape(f"{self.source}: progress: {text}"), soft_wrap=True,
                           highlight=False)  # fmt: skip

    def _eta(self, done: float, whole: float) -> str:
        """``ETA h:mm:ss`` at the pace since the first report of some progress, or "" until
        a later report comes at least :data:`MIN_PACE_SECONDS` after it (worker processes
        report their first blocks together: their pace would read as an ETA of 0)."""
        now = self.clock()
        if self.origin is None:
            if done > 0:
                self.origin = (now, done)
            return ""
        t0, d0 = self.origin
        if done <= d0 or now - t0 < MIN_PACE_SECONDS:
            return ""
        left = (whole - done) * (now - t0) / (done - d0)
        overall_eta = len(self.batches) > 1 and self.text.startswith("simulating")
        scope = "overall ETA" if overall_eta else "ETA"
        return f"{scope} {dt.timedelta(seconds=round(max(left, 0.0)))}"

    def _show(self, text: str, total: int | None, done: int, count: str) -> None:
        """Update the transient bar (a terminal)."""
        if self.bar is None:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=None, count="")
        self.bar.update(self.task, description=escape(text), total=total, completed=done,
                        count=escape(count))  # fmt: skip


@contextmanager
def phases(
    batches: Sequence[str] = (), source: str = "sim", console: Console | None = None
) -> Iterator[Phases]:
    """A :class:`Phases` on standard error (or ``console``), its bar removed at the end."""
    progress = Phases(batches, source=source, console=console)
    try:
        yield progress
    finally:
        progress.close()
