"""Writing a results folder, all or nothing.

Files are first written into a temporary folder next to the destination; only when every file
(and, unless skipped, every chart) is complete are they moved into place with ``os.replace``.
An existing destination keeps the files this command does not write.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sim.contracts import (
    SENSITIVITY_MODELS,
    ComparisonFile,
    SummaryFile,
    TornadoFile,
    dump,
)
from sim.errors import SimError
from sim.results import Results
from sim.signals import deferred, ignore_further, worker_signals, wrote

if TYPE_CHECKING:  # matplotlib is imported only when charts are drawn
    from sim.report.charts import ChartProgress

try:  # POSIX: a lock on the folder itself serialises its writers
    import fcntl
except ImportError:  # pragma: no cover - Windows: a lock file beside the folder (filelock)
    fcntl = None

__all__ = [
    "check_writable",
    "fill_results",
    "fill_results_many",
    "publish",
    "publish_all",
    "staged",
    "write_comparison",
    "write_results",
    "write_sensitivity",
]


def write_results(
    results: Results, folder: Path, *, save_runs: bool = False, summary: dict | None = None
) -> list[Path]:
    """Write the machine-readable files of ``results`` into ``folder`` (which must exist).

    Writes ``summary.json``, ``outcomes.csv``, ``outcomes_by_date.csv`` (when report dates are
    given), ``occupancy.csv``, ``first_passage.csv`` and, with ``save_runs``, ``runs.csv``; all
    UTF-8. Layouts: docs/RESULTS_LAYOUT.md.

    Parameters
    ----------
    results : Results
    folder : pathlib.Path
    save_runs : bool
        Also write ``runs.csv``, one row per run.
    summary : dict, optional
        The ``summary.json`` content when already computed
        (:func:`sim.analysis.summary.summarize` of ``results``).

    Returns
    -------
    list of Path
        The files written.
    """
    from sim.analysis import tables
    from sim.analysis.summary import summarize

    summary = summarize(results) if summary is None else summary
    out = []
    path = folder / "summary.json"
    _write_json(path, SummaryFile, summary)
    out.append(path)
    frames = {
        "outcomes.csv": tables.outcomes_frame(summary),
        "occupancy.csv": tables.occupancy_frame(results),
        "first_passage.csv": tables.first_passage_frame(results),
    }
    if results.scenario.report_dates:
        frames["outcomes_by_date.csv"] = tables.by_date_frame(summary)
    if save_runs:
        frames["runs.csv"] = tables.runs_frame(results)
    for name, frame in frames.items():
        path = folder / name
        tables.write_csv(frame, path)
        out.append(path)
    return out


def fill_results(
    results: Results,
    folder: Path,
    *,
    charts: bool,
    save_runs: bool,
    summary: dict | None = None,
    progress: ChartProgress | None = None,
) -> None:
    """Write one results folder: its files and, with ``charts``, its charts and report.

    Parameters
    ----------
    results : Results
    folder : pathlib.Path
        An existing folder (normally a temporary one of :func:`staged` or :func:`publish`).
    charts : bool
        Also render the charts and ``report.html`` (:func:`sim.report.render_report`).
    save_runs, summary
        As in :func:`write_results`.
    progress : callable(done, total, name), optional
        Told after each chart (:func:`sim.report.charts.draw_charts`).

    Raises
    ------
    pydantic.ValidationError
        The summary does not fit :class:`sim.contracts.SummaryFile` (a defect, not an input
        error).
    """
    write_results(results, folder, save_runs=save_runs, summary=summary)
    if charts:
        from sim.report.render import render_report

        render_report(folder, progress)


def _fill_item(item: tuple[Results, Path], charts: bool, save_runs: bool) -> str:
    """Fill one folder; return its variant's id."""
    fill_results(item[0], item[1], charts=charts, save_runs=save_runs)
    return item[0].scenario.variant


# The items of fill_results_many, set before its pool forks: a worker reads its item by index
# from the memory it inherited. Sent through the pool's pipe instead, each (several MB) kept
# the pipe's writer thread blocked once the workers were stopped, and the stop waited for it
# for ever (a SIGTERM while writing hung the command).
_forked_items: list[tuple[Results, Path]] = []


def _fill_forked(k: int, charts: bool, save_runs: bool) -> str:
    """Fill the ``k``-th folder of :data:`_forked_items` (in a forked worker)."""
    return _fill_item(_forked_items[k], charts, save_runs)


def fill_results_many(
    items: list[tuple[Results, Path]],
    *,
    charts: bool,
    save_runs: bool,
    jobs: int | None,
    progress: ChartProgress | None = None,
) -> None:
    """:func:`fill_results` for each (results, folder) of ``items``.

    Charts are rendered in up to ``jobs`` forked processes (default: all cores) where the
    platform can fork, else one folder after the other; the files are the same either way.
    An error, Ctrl-C or SIGTERM stops every worker before it is raised again. ``progress``
    is told ``(folders done, folders, variant)`` after each folder, in the order they
    finish.
    """
    import functools
    import multiprocessing as mp

    workers = min(jobs or os.cpu_count() or 1, len(items))
    if not charts or workers < 2 or "fork" not in mp.get_all_start_methods():
        for k, item in enumerate(items, start=1):
            _fill_item(item, charts, save_runs)
            if progress is not None:
                progress(k, len(items), item[0].scenario.variant)
        return
    job = functools.partial(_fill_forked, charts=charts, save_runs=save_runs)
    _forked_items[:] = items  # (references: a worker forked later, to replace one, has them too)
    try:
        pool = mp.get_context("fork").Pool(workers, initializer=worker_signals)
    except BaseException:
        _forked_items.clear()
        raise
    try:
        indices = range(len(items))
        for k, variant in enumerate(pool.imap_unordered(job, indices, chunksize=1), start=1):
            if progress is not None:
                progress(k, len(items), variant)
        pool.close()
    except BaseException:  # an error, Ctrl-C or SIGTERM: stop the workers now, not after
        if isinstance(sys.exc_info()[1], KeyboardInterrupt):
            ignore_further()
        pool.terminate()  # sends SIGTERM, which ends a worker at once
        raise
    finally:
        pool.join()
        _forked_items.clear()


def write_comparison(comparison: dict, folder: Path, *, charts: bool) -> None:
    """Write ``comparison.json`` and, with ``charts``, its charts and ``report.html``.

    Parameters
    ----------
    comparison : dict
        The content (:func:`sim.analysis.compare.compare`), validated by
        :class:`sim.contracts.ComparisonFile` before it is written.
    folder : pathlib.Path
        An existing folder.
    charts : bool
        Also render them (:func:`sim.report.comparison.render_comparison`).

    Raises
    ------
    pydantic.ValidationError
        ``comparison`` does not fit the model (a defect, not an input error).
    """
    _write_json(folder / "comparison.json", ComparisonFile, comparison)
    if charts:
        from sim.report.comparison import render_comparison

        render_comparison(folder)


def write_sensitivity(
    data: dict,
    folder: Path,
    *,
    charts: bool,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Write ``sensitivity.json`` and, with ``charts``, its chart and ``report.html``.

    Parameters
    ----------
    data : dict
        The content (``to_dict()`` of a :class:`sim.experiments.Tornado` or
        :class:`sim.experiments.Sobol`), validated by :class:`sim.contracts.TornadoFile` or
        :class:`sim.contracts.SobolFile`, by its ``method``, before it is written.
    folder : pathlib.Path
        An existing folder.
    charts : bool
        Also render them (:func:`sim.report.sensitivity.render_sensitivity`).
    progress : callable(done, total, name), optional
        Told of each chart drawn (``render_sensitivity``'s ``progress``).

    Raises
    ------
    pydantic.ValidationError
        ``data`` does not fit the model (a defect, not an input error).
    """
    model = SENSITIVITY_MODELS.get(data.get("method"), TornadoFile)
    _write_json(folder / "sensitivity.json", model, data)
    if charts:
        from sim.report.sensitivity import render_sensitivity

        render_sensitivity(folder, progress)


def _write_json(path: Path, model: type, data: dict) -> None:
    path.write_text(dump(model, data), encoding="utf-8")


def publish(destination: Path, fill: Callable[[Path], object]) -> None:
    """Let ``fill(tmp)`` write files into a temporary folder, then move them to ``destination``.

    Nothing reaches ``destination`` if ``fill`` raises (or is interrupted). Sub-folders written
    by ``fill`` replace folders of the same name.

    Raises
    ------
    SimError
        The destination cannot be created or written.
    """
    publish_all([(Path(destination), fill)])


def publish_all(items: list[tuple[Path, Callable[[Path], object]]]) -> None:
    """Fill a temporary folder for each destination; move them all only when all are filled.

    An error or Ctrl-C while filling leaves every destination untouched.

    Raises
    ------
    SimError
        A destination cannot be created or written.
    """
    with staged([destination for destination, _ in items]) as temps:
        for (_, fill), tmp in zip(items, temps, strict=True):
            fill(tmp)


@contextmanager
def staged(destinations: list[Path]) -> Iterator[list[Path]]:
    """Yield one empty temporary folder per destination, next to it; on normal exit move each
    folder's contents into its destination, on an exception (or Ctrl-C, or SIGTERM) discard
    them all.

    The move holds a lock on every destination folder (taken in one order, so writers never
    wait on each other in a circle), and Ctrl-C and SIGTERM wait until it ends: two commands
    writing the same folder leave it as one or the other wrote it, never a mix.

    Raises
    ------
    SimError
        A destination cannot be created or written, or the disk is full.
    """
    temps: list[tuple[Path, Path]] = []
    made: list[Path] = []  # parent folders this call created, removed again on failure
    try:
        for destination in map(Path, destinations):
            check_writable(destination)
            try:
                for parent in reversed(destination.parents):
                    if not parent.exists():
                        parent.mkdir()
                        made.append(parent)
                tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
            except OSError as exc:
                raise _unwritable(destination, exc) from None
            temps.append((destination, tmp))
        try:
            yield [tmp for _, tmp in temps]
        except OSError as exc:
            raise _write_error(temps, exc) from None
        _move_all(temps)
        made.clear()
    finally:
        for _, tmp in temps:
            shutil.rmtree(tmp, ignore_errors=True)
        for parent in reversed(made):
            with suppress(OSError):
                parent.rmdir()  # only if still empty


def _move_all(temps: list[tuple[Path, Path]]) -> None:
    """Move each temporary folder's contents into its destination, under the destinations'
    locks and with signals held."""
    locks: list[Callable[[], None]] = []  # each releases one lock
    made: list[Path] = []  # the destinations this made: removed again if nothing moves in
    moved = False
    try:
        for destination, _ in sorted(temps, key=lambda pair: str(pair[0].resolve())):
            try:
                if not destination.exists():
                    destination.mkdir()
                    made.append(destination)
                locks.append(_lock(destination))
            except OSError as exc:
                raise _unwritable(destination, exc) from None
        pairs = [
            (item, destination / item.name)
            for destination, tmp in temps
            for item in sorted(tmp.iterdir())
        ]
        for item, target in pairs:
            _check_replaceable(item, target)
        with deferred():
            _replace_all(pairs, temps)
            moved = True
            wrote([destination for destination, _ in temps])
    finally:
        for release in locks:
            release()
        for folder in [] if moved else made:  # "nothing was written" stays true on disk
            with suppress(OSError):
                folder.rmdir()


def _check_replaceable(item: Path, target: Path) -> None:
    """Refuse, before anything is moved, a target of the other kind (a folder where a file of
    the results goes, or a file where a folder goes)."""
    if target.is_symlink() or not target.exists() or item.is_dir() == target.is_dir():
        return
    kind = "a folder" if target.is_dir() else "a file"
    raise SimError(
        f"{target}: error: is {kind} where the results put their {item.name}; nothing was "
        "written: remove it or choose another --out"
    )


def _replace_all(pairs: list[tuple[Path, Path]], temps: list[tuple[Path, Path]]) -> None:
    """Move every new item onto its target as one step: the targets that exist are first set
    aside, and put back if any move fails, so the folder is either all old or all new."""
    aside = [Path(tempfile.mkdtemp(prefix=".old.", dir=tmp)) for _, tmp in temps[:1]]
    moved: list[tuple[Path, Path | None]] = []  # (target, its old version set aside)
    try:
        for n, (item, target) in enumerate(pairs):
            old = None
            if target.exists() or target.is_symlink():
                old = aside[0] / f"{n}"
                os.replace(target, old)
            moved.append((target, old))
            os.replace(item, target)
    except OSError as exc:
        for target, old in reversed(moved):
            with suppress(OSError):
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                elif target.exists() or target.is_symlink():
                    target.unlink()
                if old is not None:
                    os.replace(old, target)
        raise _write_error(temps, exc) from None


def _lock(folder: Path) -> Callable[[], None]:
    """Take an exclusive lock on ``folder`` (waiting for it); return what releases it.

    POSIX: ``flock`` on an open descriptor of the folder itself (nothing is written).
    Elsewhere (Windows, where a folder cannot be opened so): the ``filelock`` package's lock
    on ``.NAME.lock`` beside the folder, a file it removes again on release.
    """
    if fcntl is None:
        from filelock import FileLock

        lock = FileLock(folder.parent / f".{folder.name}.lock")
        lock.acquire()
        return lock.release
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return functools.partial(os.close, fd)  # closing the descriptor releases the lock


def check_writable(destination: Path) -> None:
    """Check that a results folder can be written at ``destination``, creating nothing.

    The destination, or its nearest existing ancestor, must be a folder in which this process
    may create entries; so must the folder holding it, where the temporary folder goes. Run
    before simulating, so that a mistaken ``--out`` costs no time.

    Parameters
    ----------
    destination : pathlib.Path

    Raises
    ------
    SimError
        ``destination`` is a file or a dangling symbolic link, lies below a file, or is in a
        folder that cannot be written (read-only, permissions).
    """
    destination = Path(destination)
    if destination.is_symlink() and not destination.exists():
        raise SimError(
            f"{destination}: error: --out is a symbolic link to {os.readlink(destination)}, "
            "which does not exist; remove the link or choose another --out"
        )
    if destination.exists() and not destination.is_dir():
        raise SimError(f"{destination}: error: --out is a file, not a folder; choose another --out")
    probes = [destination] if destination.is_dir() else []
    parent = destination.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise SimError(
            f"{destination}: error: cannot write the results folder here ({parent} is a file, "
            "so no folder can be made below it); choose another --out"
        )
    for folder in [*probes, parent]:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise _unwritable(destination, PermissionError(errno.EACCES, "permission denied"))
        try:  # os.access does not see every obstacle (a read-only mount seen by root, ACLs)
            with deferred():  # a signal between the two leaves no probe behind
                os.rmdir(tempfile.mkdtemp(prefix=".sim-check.", dir=folder))
        except OSError as exc:
            raise _unwritable(destination, exc) from None


def _write_error(temps: list[tuple[Path, Path]], exc: OSError) -> SimError:
    """The error for a failure to write a file of a results folder (of the destination whose
    temporary folder holds ``exc.filename``, else the first)."""
    name = str(getattr(exc, "filename", "") or "")
    destination = next((d for d, tmp in temps if name.startswith(str(tmp))), temps[0][0])
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return SimError(
            f"{destination}: error: the disk is full ({exc.strerror or exc}) while writing the "
            "results; nothing was written: free some space or choose another --out"
        )
    return _unwritable(destination, exc)


def _unwritable(destination: Path, exc: OSError) -> SimError:
    return SimError(
        f"{destination}: error: cannot write the results folder here "
        f"({exc.strerror or exc}); choose another --out"
    )
