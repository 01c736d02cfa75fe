"""Our own exact-answer cases (tests/cases/) with every engine, and through `sim run`.

Each case's answers are derived in closed form in ``tests/cases/derive.py`` and stored in
``tests/cases/expected.json``. A simulated probability must lie within 5 Monte Carlo standard
errors, 5 sqrt(p (1 - p) / runs), of the exact p at a fixed seed; answers that involve no chance
(probabilities 0 and 1, first times of scheduled events) must match exactly.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.analysis.summary import summarize
from sim.runner import run_scenario

from .cases import derive

CASES_DIR = Path(__file__).resolve().parent / "cases"
EXPECTED = json.loads((CASES_DIR / "expected.json").read_text(encoding="utf-8"))
ENGINES = ("simpy", "numpy", "fast")
SEED = 7321
Z = 5.0
RUNS_FOR = [
    (case, variant, engine)
    for case, spec in sorted(EXPECTED.items())
    for variant in spec["variants"]
    for engine in ENGINES
]


def check_summary(summary: dict, want: dict, runs: int) -> list[str]:
    """Differences between a summary.json dict and one variant's expected answers.

    Returns one message a mismatch; an empty list when everything agrees.
    """
    problems = []
    for oid, p in want["outcomes"].items():
        got = summary["outcomes"][oid]["probability"]
        exact = p in (0.0, 1.0)  # no chance involved: equality
        if (got != p) if exact else abs(got - p) > Z * math.sqrt(p * (1 - p) / runs):
            problems.append(f"{oid}: simulated {got:.5f}, exact {p:.5f}")
    for oid, date in want.get("first_time_median", {}).items():
        got = summary["outcomes"][oid]["first_time_median"]
        if got != date:
            problems.append(f"first_time_median({oid}): {got}, exact {date}")
    return problems


def test_expected_json_is_what_the_closed_forms_give():
    fresh = json.loads(json.dumps(derive.expected()))
    assert fresh.keys() == EXPECTED.keys()
    for case, spec in fresh.items():
        assert spec["derivation"] == EXPECTED[case]["derivation"], case
        for variant, want in spec["variants"].items():
            stored = EXPECTED[case]["variants"][variant]
            assert stored.get("first_time_median") == want.get("first_time_median")
            assert stored["outcomes"].keys() == want["outcomes"].keys()
            for oid, p in want["outcomes"].items():
                assert stored["outcomes"][oid] == pytest.approx(p, rel=1e-12, abs=1e-15)


def test_every_case_file_has_answers_for_every_outcome_and_variant():
    files = {p.stem for p in CASES_DIR.glob("*.yaml")}
    assert files == set(EXPECTED) and len(files) >= 10
    for case, spec in EXPECTED.items():
        scenario = sim.load_scenario(CASES_DIR / f"{case}.yaml")
        assert not scenario.warnings, scenario.warnings
        assert set(spec["variants"]) == {"base"} | {v.id for v in scenario.variants}
        outcomes = {o.id for o in scenario.outcomes}
        assert set(spec["derivation"]) == outcomes
        for want in spec["variants"].values():
            assert set(want["outcomes"]) == outcomes


def test_the_check_tells_a_wrong_answer_from_a_right_one():
    runs = 20_000
    want = {"outcomes": {"x": 0.5, "y": 1.0}, "first_time_median": {"y": "2026-03-15"}}
    good = {
        "outcomes": {
            "x": {"probability": 0.5 + 4.9 * math.sqrt(0.25 / runs), "first_time_median": None},
            "y": {"probability": 1.0, "first_time_median": "2026-03-15"},
        }
    }
    assert check_summary(good, want, runs) == []
    bad = json.loads(json.dumps(good))
    bad["outcomes"]["x"]["probability"] = 0.5 + 5.1 * math.sqrt(0.25 / runs)
    bad["outcomes"]["y"]["probability"] = 1.0 - 1 / runs
    bad["outcomes"]["y"]["first_time_median"] = "2026-03-16"
    assert len(check_summary(bad, want, runs)) == 3


@pytest.mark.parametrize(
    ("case", "variant", "engine"), RUNS_FOR, ids=["-".join(r) for r in RUNS_FOR]
)
def test_engine_matches_the_exact_answer(case: str, variant: str, engine: str):
    spec = EXPECTED[case]
    scenario = sim.load_scenario(CASES_DIR / f"{case}.yaml", variant)
    results = run_scenario(scenario, runs=spec["runs"], seed=SEED, jobs=1, engine=engine)
    problems = check_summary(summarize(results), spec["variants"][variant], spec["runs"])
    assert not problems, f"{case}/{variant} with {engine}: " + "; ".join(problems)


def test_sim_run_writes_the_exact_answers(tmp_path: Path):
    """End to end: `sim run --all-variants` on the deterministic case, its summary.json files."""
    case = "fixed_dates"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(CASES_DIR / f"{case}.yaml"), "--all-variants"]
        + ["--runs", "500", "--seed", "0", "--jobs", "1", "--no-charts", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    for variant, want in EXPECTED[case]["variants"].items():
        summary = json.loads((tmp_path / variant / "summary.json").read_text(encoding="utf-8"))
        assert summary["variant"] == variant and summary["runs"] == 500
        assert check_summary(summary, want, 500) == [], variant
