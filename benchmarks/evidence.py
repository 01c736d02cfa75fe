"""Benchmark: the cost of evidence and indicators on the bundled scenario.

Usage: python benchmarks/evidence.py [--runs N] [--jobs J] [--repeat R]

Runs the bundled scenario with the compiled engine three ways, the same runs each time:
without evidence (format version 1), with the benchmark's own evidence file (four observations:
a point one, two `ever` ones and one at 80% confidence; below), and with that evidence plus
the scenario's indicators, if it has any. Prints the best of R wall times of each, the ratio
to the run without evidence (the target is at most 1.5 for a million runs), the evidence
probability and Kish's effective number of runs. Seconds are the runner's wall time (worker
start-up, uncertain values, simulation, weighting and reduction included).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sim import load_scenario
from sim.runner import run_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"
EVIDENCE = """\
# Fixed observations for the benchmark only (not claims about what happened).
evidence:
  - {date: 2025-10-01, when: "us_posture in [federal_drawdown, kurdistan_only]", observed: true}
  - {date: 2026-06-01, when: security == isis_resurgence, ever: true, observed: false}
  - {date: 2026-09-01, when: turkey == widened, ever: true, observed: true, confidence: 80%}
  - {date: 2026-11-01, when: baghdad_erbil == crisis, observed: false}
"""


def timed(scenario, runs: int, jobs: int, repeat: int):
    """Best wall time of ``repeat`` runs, and the last results."""
    best, results = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        results = run_scenario(scenario, runs=runs, seed=1, jobs=jobs, engine="compiled")
        best = min(best, time.perf_counter() - started)
    return best, results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1_000_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "evidence.yaml"
        path.write_text(EVIDENCE, encoding="utf-8")
        given = load_scenario(SCENARIO, evidence=(path,))
    # The benchmark's four observations only (the scenario file's own come first).
    given = replace(given, evidence=given.evidence[len(load_scenario(SCENARIO).evidence) :])
    plain = replace(given, evidence=(), indicators=())
    cases = {
        "no evidence": plain,
        "evidence": replace(given, indicators=()),
        "evidence + indicators": given,
    }
    run_scenario(given, runs=1000, seed=1, jobs=1)  # compile or load the kernels first
    print(f"{'case':24} {'runs':>10} {'seconds':>8} {'ratio':>6} {'P(evidence)':>12} {'n_eff':>10}")
    base = None
    for name, scenario in cases.items():
        if name.endswith("indicators") and not scenario.indicators:
            continue
        seconds, res = timed(scenario, args.runs, args.jobs, args.repeat)
        base = base or seconds
        print(
            f"{name:24} {args.runs:>10,} {seconds:>8.2f} {seconds / base:>6.2f} "
            f"{res.evidence_probability:>12.4f} {res.effective_runs:>10,.0f}"
        )


if __name__ == "__main__":
    main()
