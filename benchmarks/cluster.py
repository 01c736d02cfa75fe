"""Benchmark: the built-in process pool against a Dask LocalCluster of as many processes.

Usage: python benchmarks/cluster.py [--runs N] [--workers W] [--repeat R] [--tasks T]

Runs the bundled scenario (as ``sim run`` does: with its evidence and indicators) ``R`` times
each way, alternating: ``--jobs W`` (the built-in pool, forked per run) and ``--scheduler
local:W`` (one LocalCluster of W single-threaded processes for all its runs, started and
warmed up first, as one command does; the start is printed apart). Prints each run's seconds
and runs per second, the medians, the ratio cluster / pool of the throughputs (the aim: 0.8 or
more), how the run was cut into tasks, and the per-task overhead of Dask on this machine: the
wall time of T no-op tasks through the same client, divided by T. Each run also prints the CPU
seconds of this process (for the cluster: client and scheduler) and of the workers, which a
machine shared with other work changes less than the wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import psutil  # a dependency of distributed

from sim import cluster, load_scenario
from sim.runner import run_scenario

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"


def timed(scenario, runs: int, **how) -> float:
    started = time.perf_counter()
    run_scenario(scenario, runs=runs, seed=1, **how)
    return time.perf_counter() - started


def cpu(who: int | None, workers: list) -> float:
    """CPU seconds (user and system) so far of this process (``who`` RUSAGE_SELF) or of its
    ended children (RUSAGE_CHILDREN: the pool's workers), or (None) of the living
    ``workers``."""
    if who is None:
        return sum(sum(p.cpu_times()[:2]) for p in workers)
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def task_overhead(client, n: int) -> float:
    """Seconds per no-op task: ``n`` tasks submitted at once, gathered."""
    client.gather(client.map(abs, range(-n, 0), pure=False))  # warm
    started = time.perf_counter()
    client.gather(client.map(abs, range(-n, 0), pure=False))
    return (time.perf_counter() - started) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--workers", type=int, default=2, help="pool jobs and cluster processes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tasks", type=int, default=500, help="no-op tasks for the overhead")
    args = ap.parse_args()
    scenario = load_scenario(BUNDLED)
    local = f"local:{args.workers}"
    timed(scenario, 64, jobs=1)  # numba kernels loaded (or compiled) here first
    with cluster.session(local), cluster.connect(local) as client:
        started = time.perf_counter()
        timed(scenario, 64, scheduler=local)  # workers import sim and load the kernels
        print(f"LocalCluster of {args.workers} processes: started before, warmed up in "
              f"{time.perf_counter() - started:.2f} s (imports, kernels, one run)")  # fmt: skip
        # a worker's first large run is slower (its memory is touched for the first time);
        # an analyst's command pays that once, as its pool pays forking per run
        warm = timed(scenario, args.runs // 5, scheduler=local)
        print(f"first {args.runs // 5:,} runs on the cluster (not counted): {warm:.2f} s")
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        print(f"{'how':22} {'runs':>10} {'seconds':>8} {'runs/s':>10} {'CPU s: here':>12} "
              f"{'workers':>8}")  # fmt: skip
        seconds: dict[str, list[float]] = {"pool": [], "cluster": []}
        for _ in range(args.repeat):
            for how, kw in (("pool", {"jobs": args.workers}), ("cluster", {"scheduler": local})):
                theirs = (resource.RUSAGE_CHILDREN, []) if how == "pool" else (None, workers)
                before = cpu(resource.RUSAGE_SELF, []), cpu(*theirs)
                s = timed(scenario, args.runs, **kw)
                here, there = cpu(resource.RUSAGE_SELF, []) - before[0], cpu(*theirs) - before[1]
                seconds[how].append(s)
                label = f"--jobs {args.workers}" if how == "pool" else f"--scheduler {local}"
                print(f"{label:22} {args.runs:>10,} {s:>8.2f} {args.runs / s:>10,.0f} "
                      f"{here:>12.2f} {there:>8.2f}")  # fmt: skip
        for name, stat in (("median", statistics.median), ("best", min)):
            pool, dask = (stat(seconds[h]) for h in ("pool", "cluster"))
            print(f"{name}: pool {args.runs / pool:,.0f} runs/s, cluster "
                  f"{args.runs / dask:,.0f} runs/s; cluster / pool throughput "
                  f"{pool / dask:.2f}")  # fmt: skip
        dask = statistics.median(seconds["cluster"])
        blocks = -(-args.runs // 8192)
        tasks = -(-blocks // cluster.group_size(blocks, 8192, args.workers))
        print(f"{blocks} blocks of at most 8,192 runs in {tasks} tasks "
              f"({dask / tasks * args.workers * 1000:.0f} ms of a worker each, on average)")  # fmt: skip
        per_task = task_overhead(client, args.tasks)
        print(f"per-task overhead: {per_task * 1000:.2f} ms ({args.tasks} no-op tasks); "
              f"{per_task * tasks:.2f} s for this run's tasks")  # fmt: skip


if __name__ == "__main__":  # the LocalCluster's processes import this file again
    main()
