"""How many replications a plain run may have: the run cap, from the bytes each run keeps.

A plain run (:func:`sim.runner.run_scenario`) keeps arrays with a row per run until its
results are dropped; the cap keeps them under :data:`RUN_MEMORY`. Experiments that fold their
runs into sums as blocks finish (tornado, Sobol: :func:`sim.runner.run_design_sums`) are
bounded by :data:`MAX_RUNS` runs per setting only.
"""

from __future__ import annotations

import os

from sim.errors import SimError
from sim.model.scenario import Scenario, probes_of

__all__ = ["MAX_RUNS", "RUN_MEMORY", "bytes_per_run", "max_runs", "runs_error"]

MAX_RUNS = 50_000_000  # runs of a plain run at most, whatever the scenario
# bytes of per-run arrays a plain run may keep: 8 GB, or half this machine's memory if less
RUN_MEMORY = min(MAX_RUNS * 160, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2)


def bytes_per_run(scenario: Scenario) -> int:
    """Bytes a plain run keeps for each replication until its results are dropped.

    Per outcome a flag (1 byte) and a first time (8); per track a final state (2); a
    trajectory code (8) and the run's design row (8); with evidence or indicators, a weight
    (8) and a value per probe (1: each observation, each indicator at each date). The
    uncertain values of the first :data:`KEEP_VALUES` runs only are kept (with evidence, of
    the first :data:`POSTERIOR_RUNS`), a fixed amount not counted here. Measured (peak RSS,
    bundled scenario, 2 and 4 million runs): 107 bytes a run against 128 counted, over 500 MB.

    Returns
    -------
    int
        Bytes per replication: 160 for 15 outcomes and 5 tracks; 466 for 50 outcomes and 3.
    """
    probes = len(probes_of(scenario))
    return (
        9 * len(scenario.outcomes) + 2 * len(scenario.tracks) + 16 + (8 + probes if probes else 0)
    )


def max_runs(scenario: Scenario) -> int:
    """The most replications a plain run of ``scenario`` may have: :data:`MAX_RUNS`, or fewer
    when the per-run arrays (:func:`bytes_per_run`) of that many would pass
    :data:`RUN_MEMORY` bytes.

    Returns
    -------
    int
    """
    return min(MAX_RUNS, RUN_MEMORY // bytes_per_run(scenario))


def runs_error(scenario: Scenario) -> SimError:
    """The error for ``--runs`` above :func:`max_runs`, saying why the cap is what it is.

    Returns
    -------
    SimError
    """
    cap = max_runs(scenario)
    if cap == MAX_RUNS:
        return SimError(f"--runs must be at most {MAX_RUNS:,}")
    return SimError(
        f"--runs must be at most {cap:,} for this scenario: each run keeps about "
        f"{bytes_per_run(scenario)} bytes (a flag and a first time for each of "
        f"{_count(len(scenario.outcomes), 'outcome')}, a final state for each of "
        f"{_count(len(scenario.tracks), 'track')}, a trajectory code and a row number), and "
        f"all runs together at most {RUN_MEMORY / 1e9:g} GB"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
