"""Benchmark: events per second and replications per second of each engine.

Usage: python benchmarks/engines.py [--runs N] [--engines simpy,...]

Models: ../shared/bench/markov6.yaml and the bundled scenario. Prints one line per
(model, engine, jobs). Events are firings (summed over runs); elapsed is wall time of the
runner (random tables, simulation and reduction included; process start-up included for 2 jobs).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim import load_scenario
from sim.runner import run_scenario

ROOT = Path(__file__).resolve().parents[1]
MODELS = {
    "markov6": ROOT.parent / "shared" / "bench" / "markov6.yaml",
    "iraq": ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20_000)
    ap.add_argument("--engines", default="simpy")
    args = ap.parse_args()
    print(
        f"{'model':10} {'engine':7} {'jobs':>4} {'runs':>9} {'events':>10} {'seconds':>8} "
        f"{'events/s':>11} {'runs/s':>10}"
    )
    for name, path in MODELS.items():
        scenario = load_scenario(path)
        for engine in args.engines.split(","):
            for jobs in (1, 2):
                res = run_scenario(scenario, runs=args.runs, seed=1, jobs=jobs, engine=engine)
                events = int(res.fire_count.sum())
                sec = res.settings.elapsed_seconds
                print(
                    f"{name:10} {engine:7} {jobs:>4} {args.runs:>9,} {events:>10,} {sec:>8.2f} "
                    f"{events / sec:>11,.0f} {args.runs / sec:>10,.0f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
