"""The bundled scenarios: valid, runnable, and the variants point the way the article argues."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim import check_file, load_scenario
from sim.analysis.compare import compare
from sim.analysis.summary import summarize
from sim.runner import run_scenario

from .conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))
IRAQ = SCENARIOS / "iraq_us_withdrawal_2025.yaml"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_scenario_validates_and_runs(path):
    assert [p for p in check_file(path) if p.severity == "error"] == []
    scenario = load_scenario(path)
    summary = summarize(run_scenario(scenario, runs=300, seed=1, jobs=1))
    assert set(summary["outcomes"]) == {o.id for o in scenario.outcomes}
    for variant in scenario.variants:
        run_scenario(load_scenario(path, variant.id), runs=100, seed=1, jobs=1)


def test_every_event_and_parameter_carries_a_note():
    from sim.scenario.load import read_document

    data = read_document(IRAQ).data
    assert all(e.get("note") for e in data["events"]), "every event needs a note"
    assert all(p.get("note") for p in data["parameters"].values())


def test_required_tracks_outcomes_and_variants_exist():
    scenario = load_scenario(IRAQ)
    assert scenario.start.isoformat() == "2025-08-01"
    assert scenario.horizon_date.isoformat() >= "2027-12-31"
    outcomes = {o.id for o in scenario.outcomes}
    assert {
        "security_vacuum",
        "isis_resurgence",
        "iran_dominant",
        "us_reengaged",
        "turkish_escalation",
        "baghdad_erbil_settlement",
        "stable_iraq",
    } <= outcomes
    variants = {v.id for v in scenario.variants}
    assert {
        "on_schedule",
        "kurdistan_extended",
        "maximum_pressure",
        "turkish_escalation",
        "regional_escalation",
    } <= variants
    kurdistan_exit = [e for e in scenario.events if e.timing.kind == "at"]
    assert any(e.timing.text == "at 2026-09-30" for e in kurdistan_exit)


@pytest.fixture(scope="module")
def comparison():
    runs = 6000
    names = [
        "base",
        "kurdistan_extended",
        "regional_escalation",
        "maximum_pressure",
        "turkish_escalation",
    ]
    results = {v: run_scenario(load_scenario(IRAQ, v), runs=runs, seed=2025, jobs=1) for v in names}
    return compare(results)


@pytest.mark.parametrize(
    ("variant", "outcome", "sign"),
    [
        ("kurdistan_extended", "security_vacuum", -1),
        ("regional_escalation", "security_vacuum", +1),
        ("maximum_pressure", "iran_dominant", -1),
        ("turkish_escalation", "turkish_escalation", +1),
    ],
)
def test_variants_point_the_way_the_article_argues(comparison, variant, outcome, sign):
    # The paired 95% interval of the difference (common random numbers) excludes zero on the
    # expected side; each effect is several points, many standard errors at 6,000 runs.
    low, high = comparison["outcomes"][outcome]["by_variant"][variant]["difference_ci95"]
    if sign < 0:
        assert high < 0, (low, high)
    else:
        assert low > 0, (low, high)


def test_sim_new_writes_a_valid_starter(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "sim", "new", "my_next_case", "--title", "ماذا بعد؟"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    path = tmp_path / "my_next_case.yaml"
    assert check_file(path) == [] or all(p.severity == "warning" for p in check_file(path))
    scenario = load_scenario(path)
    assert scenario.id == "my_next_case" and scenario.title == "ماذا بعد؟"
    kinds = {e.timing.kind for e in scenario.events}
    assert kinds == {"hazard", "after", "at"}
    assert scenario.variants and scenario.slots
    assert (
        subprocess.run(
            [sys.executable, "-m", "sim", "new", "my_next_case"], cwd=tmp_path, capture_output=True
        ).returncode
        == 2
    )


def test_sim_new_refuses_a_word_of_the_condition_language(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "sim", "new", "and"], cwd=tmp_path, capture_output=True, text=True
    )
    assert r.returncode == 2 and "condition language" in r.stderr
    assert not (tmp_path / "and.yaml").exists()
