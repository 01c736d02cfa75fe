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

from sim.engines.base import Engine
from sim.errors import SimError
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock, blocks
from sim.results import Partial, Results, RunSettings

__all__ = ["DEFAULT_RUNS", "DEFAULT_SEED", "ENGINES", "get_engine", "run_scenario"]

DEFAULT_RUNS = 10_000
DEFAULT_SEED = 20250801
BLOCK = 1024
ENGINES = ("auto", "fast", "numpy", "simpy")

Progress = Callable[[int, int], None]


def get_engine(name: str) -> Engine:
    """The engine called ``name``.

    ``simpy`` is the reference; ``numpy`` the vectorized NumPy engine; ``fast`` the compiled
    (numba) engine, or the NumPy engine where numba cannot be imported; ``auto`` is ``fast``.

    Raises
    ------
    SimError
        Unknown name.
    """
    if name == "simpy":
        from sim.engines.simpy_engine import SimPyEngine

        return SimPyEngine()
    if name in ("fast", "auto"):
        from sim.engines import compiled

        if compiled.available():
            return compiled.CompiledEngine()
        name = "numpy"
    if name == "numpy":
        from sim.engines.fast import FastEngine

        return FastEngine()
    raise SimError(f"unknown engine '{name}'; choose one of {', '.join(ENGINES)}")


_worker: dict = {}


def _init_worker(scenario: Scenario, engine_name: str, seed: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _worker.update(scenario=scenario, engine=get_engine(engine_name), seed=seed)


def _run_block(bounds: tuple[int, int]) -> Partial:
    scenario = _worker["scenario"]
    block = RandomBlock.build(scenario, _worker["seed"], *bounds)
    return Partial.reduce(scenario, _worker["engine"].run_block(scenario, block))


def run_scenario(
    scenario: Scenario,
    *,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
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
        ``simpy`` or ``auto``.
    progress : callable(done_runs, total_runs), optional
        Called after each block.

    Returns
    -------
    Results

    Raises
    ------
    SimError
        Bad arguments; :class:`sim.errors.SimulationError` from the engine.
    KeyboardInterrupt
        After stopping the workers.
    """
    if runs < 1:
        raise SimError("--runs must be at least 1")
    if seed < 0:
        raise SimError("--seed must be a non-negative integer")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise SimError("--jobs must be at least 1")
    chosen = get_engine(engine)
    name = chosen.name
    parts_bounds = blocks(runs, getattr(chosen, "block_size", BLOCK))
    jobs = min(jobs, len(parts_bounds))
    started = time.perf_counter()
    parts: list[Partial] = []
    done = 0
    if jobs == 1:
        _init_worker(scenario, name, seed)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for bounds in parts_bounds:
            parts.append(_run_block(bounds))
            done += bounds[1] - bounds[0]
            if progress:
                progress(done, runs)
    else:
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        pool = mp.get_context(method).Pool(
            jobs, initializer=_init_worker, initargs=(scenario, name, seed)
        )
        try:
            for bounds, part in zip(parts_bounds, pool.imap(_run_block, parts_bounds), strict=True):
                parts.append(part)
                done += bounds[1] - bounds[0]
                if progress:
                    progress(done, runs)
            pool.close()
        except BaseException:
            pool.terminate()
            raise
        finally:
            pool.join()
    elapsed = time.perf_counter() - started
    created = datetime.now(UTC).isoformat(timespec="seconds")
    settings = RunSettings(
        runs=runs, seed=seed, engine=name, jobs=jobs, elapsed_seconds=elapsed, created=created
    )
    return Results.merge(scenario, settings, parts)
