"""Monte Carlo orchestration: blocks of replications, worker processes, progress, merging.

Runs ``[0, N)`` are cut into blocks that never cross a random-number chunk
(:func:`sim.model.streams.blocks`); each block is simulated and reduced to a
:class:`~sim.results.Partial` inside a worker; partials are merged in block order. Since every
random number is addressed by run index (:mod:`sim.model.streams`), the results are the same
for any number of worker processes.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from sim import cluster
from sim.collect import Collect, RowSums
from sim.engines import ENGINES, canonical_name, get_engine
from sim.engines.watch import watch
from sim.errors import SimError
from sim.limits import MAX_RUNS, RUN_MEMORY, bytes_per_run, max_runs, runs_error
from sim.model.evidence import Probe
from sim.model.scenario import Scenario, checkpoints
from sim.model.streams import CHUNK, MAX_SEED, RandomBlock
from sim.results import IMPORTANCE_RUNS, Partial, Results, RunSettings
from sim.signals import Terminated, ignore_further, swallowed_or, worker_signals
from sim.work import Setup, Unit, Worker

__all__ = [
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "ENGINES",
    "MAX_RUNS",
    "RUN_MEMORY",
    "bytes_per_run",
    "max_runs",
    "run_design",
    "run_design_sums",
    "run_scenario",
]

DEFAULT_RUNS = 10_000

DEFAULT_SEED = 20250801
KEEP_VALUES = IMPORTANCE_RUNS  # uncertain-value draws kept per run (they feed importance)
POSTERIOR_RUNS = 250_000  # runs whose draws feed the parameters' posteriors (evidence)
BLOCK_CELLS = 4_000_000  # runs x checkpoints x tracks held at once by a block

Progress = Callable[[int, int], None]


# in a worker of the built-in pool: its Worker
_pool_worker: dict = {}
# set by the parent just before it forks workers: the collected per-run arrays, in shared
# memory (inherited this way, not as pool arguments, which the pool would keep alive)
_inherited: dict = {}


def _init_worker(setup: Setup) -> None:
    worker_signals()  # the parent handles Ctrl-C; its SIGTERM ends a worker at once
    _pool_worker["worker"] = Worker(setup, shared=_inherited.get("shared"))


def _run_block(unit: Unit) -> tuple[int, Partial]:
    """Simulate one work unit in a pool worker (:meth:`sim.work.Worker.run`)."""
    return _pool_worker["worker"].run(unit)


def run_scenario(
    scenario: Scenario,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    keep_values: int | None = KEEP_VALUES,
    probes: tuple[Probe, ...] = (),
    scheduler: str | None = None,
) -> Results:
    """Run ``runs`` replications of a scenario.

    Parameters
    ----------
    scenario : Scenario
    runs : int
        Number of replications (>= 1).
    seed : int
        Non-negative; 0 is a valid seed.
    jobs : int, optional
        Worker processes; default all cores. Results do not depend on it.
    engine : str
        ``auto``, ``compiled``, ``fast``, ``numpy`` or ``simpy`` (see :mod:`sim.engines`);
        the results record the canonical name (``compiled`` for ``auto`` and ``fast``).
    progress : callable(done_runs, total_runs), optional
        Called after each block.
    keep_values : int or None
        Keep the uncertain-value draws of the first ``keep_values`` runs only (they feed
        importance, which reads the first IMPORTANCE_RUNS); None keeps them all.
    probes : tuple of Probe
        Conditions to evaluate in every run beside the scenario's observations and
        indicators (candidate signposts); their values are in ``results.probes``.
    scheduler : str, optional
        Run the blocks on a Dask cluster instead of worker processes here: a scheduler's
        address (``tcp://host:8786``) or ``local:N`` (a LocalCluster of N processes); see
        :mod:`sim.cluster`. ``jobs`` is then ignored. Results do not depend on it.

    Returns
    -------
    Results

    Raises
    ------
    SimError
        Bad arguments; :class:`sim.errors.SimulationError` from the engine; with
        ``scheduler``, a cluster that cannot be reached or used (:mod:`sim.cluster`).
    KeyboardInterrupt
        After stopping the workers (with ``scheduler``: after cancelling the tasks).
    """
    return run_design(
        scenario,
        None,
        runs,
        seed=seed,
        jobs=jobs,
        engine=engine,
        progress=progress,
        keep_values=keep_values,
        probes=probes,
        scheduler=scheduler,
    )


def run_design(
    scenario: Scenario,
    design: np.ndarray | None,
    runs_per_row: int,
    *,
    common: bool = False,
    seed: int = DEFAULT_SEED,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    keep_values: int | None = None,
    probes: tuple[Probe, ...] = (),
    first_run: int = 0,
    scheduler: str | None = None,
) -> Results:
    """Run replications with some uncertain values fixed, row by row of a design.

    Parameters
    ----------
    scenario : Scenario
    design : numpy.ndarray, shape (n_rows, n_slots), or None
        Quantile levels in (0, 1) at which each row fixes each uncertain value
        (``scenario.slots`` order); NaN leaves that value random (its own per-run draw).
        None: one row that fixes nothing (a plain run).
    runs_per_row : int
        Replications per row.
    common : bool
        True: every row uses run indices ``[0, runs_per_row)``, so rows differ only by the
        fixed values (common random numbers). False: row k uses run indices
        ``[k * runs_per_row, (k + 1) * runs_per_row)`` (independent replications).
    seed, jobs, engine, progress, keep_values, probes, scheduler
        As in :func:`run_scenario` (here ``keep_values`` defaults to None: keep all).
    first_run : int
        Run index of the design's first run (a multiple of :data:`sim.model.streams.CHUNK`):
        every run index above is shifted by it, so a design on ``[first_run, ...)`` uses
        random numbers no plain run of fewer than ``first_run`` runs uses (the spread design
        of :func:`sim.experiments.run_spread`).

    Returns
    -------
    Results
        Runs in row order; ``results.rows`` gives each run's design row.

    Raises
    ------
    SimError
        Bad arguments, or a design whose width is not the number of uncertain values.
    """
    jobs, design = _checked(scenario, design, runs_per_row, seed, jobs)
    if first_run < 0 or first_run % CHUNK:
        raise SimError(f"a design's first run index must be a multiple of {CHUNK}")
    n_rows = 1 if design is None else design.shape[0]
    name = canonical_name(engine)
    chosen = get_engine(name)
    total = n_rows * runs_per_row
    keep = total if keep_values is None else min(keep_values, total)
    if scenario.evidence:  # the parameters' posteriors read the draws
        keep = max(keep, min(total, POSTERIOR_RUNS))
    watched = watch(scenario, probes)
    size = _block_size(scenario if watched is None else watched.augmented, chosen.block_size)
    units = _units(n_rows, runs_per_row, size, keep, common, design is not None, first_run)
    jobs = min(jobs, len(units))
    started = time.perf_counter()
    setup = Setup(scenario, name, seed, design, watched)
    if scheduler is not None:
        collect, jobs = _run_cluster(setup, units, total, keep, progress, scheduler)
    elif jobs == 1:
        collect = _run_here(setup, units, total, keep, progress)
    else:
        collect = _run_pool(setup, units, total, keep, progress, jobs)
    elapsed = time.perf_counter() - started
    created = datetime.now(UTC).isoformat(timespec="seconds")
    settings = RunSettings(total, seed, name, jobs, elapsed, created, scheduler=scheduler)
    results = collect.results(settings, rows=np.repeat(np.arange(n_rows), runs_per_row))
    _complete_sequences(results, chosen, seed, design, (runs_per_row, common, first_run))
    return results


def run_design_sums(
    scenario: Scenario,
    design: np.ndarray,
    runs_per_row: int,
    *,
    common: bool = False,
    seed: int = DEFAULT_SEED,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> tuple[RowSums, RunSettings]:
    """Run replications row by row of a design, as :func:`run_design`, keeping per row only
    the sums its outcome probabilities need (:class:`sim.collect.RowSums`): the memory does
    not grow with ``runs_per_row`` (blocks are folded in as they finish), and each row's
    probabilities are those ``run_design`` gives (tested).

    Parameters
    ----------
    scenario, design, runs_per_row, common, seed, jobs, engine, progress, scheduler
        As in :func:`run_design`; ``design`` not None (a row of NaN fixes nothing).

    Returns
    -------
    (RowSums, RunSettings)

    Raises
    ------
    SimError
        Bad arguments, or a design whose width is not the number of uncertain values.
    """
    jobs, design = _checked(scenario, design, runs_per_row, seed, jobs)
    n_rows, name, watched = design.shape[0], canonical_name(engine), watch(scenario, ())
    size = _block_size(scenario if watched is None else watched.augmented,
                       get_engine(name).block_size)  # fmt: skip
    units = _units(n_rows, runs_per_row, size, 0, common, fixed=True)
    jobs, total = min(jobs, len(units)), n_rows * runs_per_row
    setup = Setup(scenario, name, seed, design, watched)
    sums = RowSums(scenario, n_rows, runs_per_row, watch=watched)
    started = time.perf_counter()
    if scheduler is not None:
        _, jobs = _run_cluster(setup, units, total, 0, progress, scheduler, collect=sums)
    elif jobs == 1:
        _run_here(setup, units, total, 0, progress, collect=sums)
    else:
        _run_pool(setup, units, total, 0, progress, jobs, collect=sums)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    elapsed = time.perf_counter() - started
    return sums, RunSettings(total, seed, name, jobs, elapsed, created, scheduler=scheduler)


def _checked(scenario, design, runs_per_row, seed, jobs) -> tuple[int, np.ndarray | None]:
    """The number of worker processes and the design as a float array, after checking the
    arguments of :func:`run_design` (raises SimError)."""
    if runs_per_row < 1:
        raise SimError("--runs must be at least 1")
    if design is None and runs_per_row > max_runs(scenario):
        raise runs_error(scenario)
    if not 0 <= seed <= MAX_SEED:
        raise SimError("--seed must be an integer from 0 to 2**64 - 1")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise SimError("--jobs must be at least 1")
    if design is not None:
        design = np.asarray(design, dtype=float)
        if design.ndim != 2 or design.shape[1] != len(scenario.slots):
            raise SimError(f"a design needs {len(scenario.slots)} columns, one per uncertain value")
        inside = design[~np.isnan(design)]
        if ((inside <= 0) | (inside >= 1)).any():
            raise SimError("design quantile levels must lie strictly between 0 and 1")
    return jobs, design


def _block_size(scenario: Scenario, size: int) -> int:
    """Runs per block: the engine's ``size``, fewer when the states kept at every checkpoint
    of every run of a block would pass BLOCK_CELLS, 256 at least."""
    cells = len(checkpoints(scenario)) * len(scenario.tracks)
    return max(256, min(size, BLOCK_CELLS // max(cells, 1)))


def _units(n_rows, runs_per_row, size, keep, common, fixed, first_run=0) -> list[Unit]:
    """The work units of a design, in run order (see :class:`sim.work.Unit`)."""
    units, before = [], 0
    for row in range(n_rows):
        offset = first_run + (0 if common else row * runs_per_row)
        for a, b in _blocks_from(offset, runs_per_row, size):
            keep_here = min(max(keep - before, 0), b - a)
            units.append(Unit(row if fixed else -1, offset + a, offset + b, keep_here, before))
            before += b - a
    return units


def _run_here(setup: Setup, units: list, total: int, keep: int, progress, collect=None):
    """Run the units in this process, one after the other, folded into ``collect`` (default
    a :class:`Collect` of every run)."""
    if collect is None:
        collect = Collect(setup.scenario, total, keep, watch=setup.watch)
    worker = Worker(setup)  # the engine and its buffers are not kept between runs
    for unit in units:
        report(progress, collect, collect.add(*worker.run(unit)), total)
    return collect


def _run_cluster(setup: Setup, units, total: int, keep: int, progress, scheduler, collect=None):
    """Run the units as tasks on the Dask cluster ``scheduler`` (:mod:`sim.cluster`), folding
    their partials in unit order into ``collect`` (default a :class:`Collect` of every run);
    returns it and the number of worker threads."""
    if collect is None:
        collect = Collect(setup.scenario, total, keep, watch=setup.watch)

    def fold(n: int, part: Partial) -> None:
        report(progress, collect, collect.add(n, part), total)

    with cluster.connect(scheduler) as client:
        threads = cluster.run_units(client, setup, units, fold)
    return collect, threads


def _run_pool(setup: Setup, units: list, total: int, keep: int, progress, jobs: int, collect=None):
    """Run the units in ``jobs`` worker processes, folded into ``collect`` (default a
    :class:`Collect` of every run); forked workers write per-run rows, if ``collect`` keeps
    any, straight into memory shared with this process."""
    fork = "fork" in mp.get_all_start_methods()
    if collect is None:
        collect = Collect(setup.scenario, total, keep, shared=fork, watch=setup.watch)
    if fork and collect.per_run():
        _inherited["shared"] = {n: getattr(collect, n) for n in (*collect.per_run(), "slot_values")}
    try:
        pool = mp.get_context("fork" if fork else "spawn").Pool(
            jobs, initializer=_init_worker, initargs=(setup,)
        )
    finally:
        _inherited.clear()
    previous = signal.signal(signal.SIGINT, _interrupt_once)
    previous_term = signal.signal(signal.SIGTERM, _terminated)
    try:
        for part in pool.imap(_run_block, units):
            report(progress, collect, collect.add(*part), total)
        pool.close()
    except BaseException:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # stop the workers undisturbed
        pool.terminate()
        pool.join()
        # the pool keeps the exception, hence this frame, in a reference cycle: let the
        # shared per-run arrays go now rather than at the next cyclic collection
        collect = None  # noqa: F841
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)
    pool.join()
    return collect


def report(progress: Progress | None, collect: Collect, done: int, total: int) -> None:
    """Tell ``progress`` the runs done; with evidence, also Kish's effective number of them
    through its ``effective(n_eff)`` attribute, when it has one."""
    if progress is None:
        return
    progress(done, total)
    effective = getattr(progress, "effective", None)
    if effective is not None and collect.weighted:
        effective(collect.effective_runs)


def _complete_sequences(results, engine, seed, design, layout) -> None:
    """Find the sequences of the summary's most frequent trajectories that no block kept
    (possible when counts are flat), by simulating again the first run that followed each
    (its numbers are addressed, so it is the same run). ``layout`` is (runs per row, common,
    first run index) as in :func:`run_design`."""
    runs_per_row, common, first_run = layout
    codes, _, first = results.top_codes()
    for code, position in zip(codes.tolist(), first.tolist(), strict=True):
        if code in results.sequences:
            continue
        row, offset = divmod(position, runs_per_row)
        run = first_run + (offset if common else row * runs_per_row + offset)
        block = RandomBlock.build(results.scenario, seed, run, run + 1)
        if design is not None:
            block.fix(design[row])
        (sequence,) = engine.run_block(results.scenario, block).trajectories
        results.sequences[code] = sequence
    # results.trajectories, computed when first read, now counts these sequences too


def _terminated(signum, frame):
    """SIGTERM while workers run: leave like Ctrl-C, stopping them (sim.signals.Terminated)."""
    ignore_further()
    raise Terminated


def _interrupt_once(signum, frame):
    """The first Ctrl-C interrupts, later ones are ignored (they could hang the pool's stop);
    a SIGTERM Python swallowed comes back through here as itself (sim.signals.swallowed_or)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise swallowed_or(KeyboardInterrupt)


def _blocks_from(offset: int, n: int, size: int) -> list[tuple[int, int]]:
    """Blocks of run indices ``[offset, offset + n)`` as offsets relative to ``offset``."""
    out = []
    start = offset
    while start < offset + n:
        stop = min(start + size, offset + n, (start // CHUNK + 1) * CHUNK)
        out.append((start - offset, stop - offset))
        start = stop
    return out
