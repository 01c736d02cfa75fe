"""Peak memory of ``sim sensitivity`` on the bundled scenario as ``--runs`` grows.

Runs ``sim sensitivity scenarios/iraq_us_withdrawal_2025.yaml --method sobol --runs N
--no-charts`` (default 64 samples) in a child process for each N given and prints its wall
time and peak resident set (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest
of the child and of the worker processes it waited for). Since tornado and Sobol keep per-row
sums only (:func:`sim.runner.run_design_sums`), the peak should not grow with N.

Usage (from the project root)::

    .venv/bin/python benchmarks/sensitivity_memory.py              # --runs 400 and 2000
    .venv/bin/python benchmarks/sensitivity_memory.py 400 2000 8000 --method tornado
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"


def measure(method: str, runs: int, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``sim sensitivity`` in a fresh child process
    (one child per call, so RUSAGE_CHILDREN's maximum is this one's)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-c",
            "import resource, subprocess, sys; "
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
            str(Path(sys.executable).parent / "sim"), "sensitivity", str(SCENARIO),
            "--method", method, "--runs", str(runs), "--jobs", str(jobs), "--no-charts",
            "--out", str(Path(tmp) / "out"),
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    return elapsed, int(done.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", type=int, default=[400, 2000])
    parser.add_argument("--method", choices=["sobol", "tornado"], default="sobol")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(f"sim sensitivity {SCENARIO.name} --method {args.method} --jobs {args.jobs}")
    print(f"{'--runs':>10} {'seconds':>9} {'peak RSS MB':>12}")
    for runs in args.runs:
        seconds, peak = measure(args.method, runs, args.jobs)
        print(f"{runs:>10,} {seconds:>9.1f} {peak:>12.0f}", flush=True)
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
