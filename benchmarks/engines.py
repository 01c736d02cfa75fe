"""Benchmark: events per second and replications per second of each engine.

Usage: python benchmarks/engines.py [--runs N] [--simpy-runs M] [--engines compiled,numpy,simpy]

Models: ../shared/bench/markov6.yaml ($SIM_SHARED/bench when set) and the bundled scenario. Prints one line per
(model, engine, jobs), then the ratio of each engine to the SimPy reference, then the cost of
compiling the numba kernels (once per machine; later runs load them from the cache). Events
are firings summed over runs; seconds are the runner's wall time (worker start-up, uncertain
values, simulation and reduction included).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from sim import load_scenario
from sim.runner import run_scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIM_SHARED", ROOT.parent / "shared"))
MODELS = {
    "markov6": SHARED / "bench" / "markov6.yaml",
    "iraq": ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml",
}
FIRST_BLOCK = """
import time
from sim import load_scenario
from sim.runner import run_scenario
scenario = load_scenario({path!r})
started = time.perf_counter()
run_scenario(scenario, runs=64, seed=1, jobs=1, engine="compiled")
print(time.perf_counter() - started)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1_000_000, help="runs for fast and numpy")
    ap.add_argument("--simpy-runs", type=int, default=20_000, help="runs for the SimPy engine")
    ap.add_argument("--engines", default="compiled,numpy,simpy", help="fast = compiled")
    args = ap.parse_args()
    engines = args.engines.split(",")
    print(
        f"{'model':10} {'engine':7} {'jobs':>4} {'runs':>10} {'events':>11} {'seconds':>8} "
        f"{'events/s':>11} {'runs/s':>10}"
    )
    rate: dict[tuple[str, str, int], float] = {}
    for name, path in MODELS.items():
        # The model alone: the bundled file's evidence and indicators add per-run probes,
        # whose cost benchmarks/evidence.py measures.
        scenario = replace(load_scenario(path, use_evidence=False), indicators=())
        for engine in engines:
            # compiling (or loading) the numba kernels is timed separately below
            run_scenario(scenario, runs=64, seed=1, jobs=1, engine=engine)
            runs = args.simpy_runs if engine == "simpy" else args.runs
            for jobs in (1, 2):
                res = run_scenario(scenario, runs=runs, seed=1, jobs=jobs, engine=engine)
                events = int(res.fire_count.sum())
                sec = res.settings.elapsed_seconds
                rate[name, engine, jobs] = events / sec
                print(
                    f"{name:10} {engine:7} {jobs:>4} {runs:>10,} {events:>11,} {sec:>8.2f} "
                    f"{events / sec:>11,.0f} {runs / sec:>10,.0f}",
                    flush=True,
                )
    if "simpy" in engines:
        print("\nratio to the SimPy engine (events/s, same number of processes)")
        for name in MODELS:
            for engine in (e for e in engines if e != "simpy"):
                ratios = [rate[name, engine, j] / rate[name, "simpy", j] for j in (1, 2)]
                print(f"{name:10} {engine:7} 1 job {ratios[0]:6.1f}x   2 jobs {ratios[1]:6.1f}x")
    if "compiled" in engines or "fast" in engines:
        print("\nnumba kernels, first block of a process (64 runs of the bundled scenario)")
        with tempfile.TemporaryDirectory() as cache:
            cold = _first_block(MODELS["iraq"], cache)
            warm = _first_block(MODELS["iraq"], cache)
        print(f"compiled from scratch {cold:6.2f} s   loaded from the cache {warm:6.2f} s")


def _first_block(path: Path, cache: str) -> float:
    """Seconds of a first 64-run block in a fresh process whose numba cache is ``cache``."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    out = subprocess.run(
        [sys.executable, "-c", FIRST_BLOCK.format(path=str(path))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
