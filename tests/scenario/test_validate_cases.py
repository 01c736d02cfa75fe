"""The shared reference cases validate (marked ``shared``); variants change what they should
(on our own cases in ``tests/cases/``); warnings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import sim
from sim.scenario.load import check_file
from tests.conftest import OWN_CASES, SHARED

# the shared folder's files; none when it is absent (the tests using them are marked shared)
CASES = sorted((SHARED / "cases").glob("*.yaml"))
BENCH = sorted((SHARED / "bench").glob("*.yaml"))
ALL = CASES + BENCH
PYCACHE = Path(tempfile.gettempdir()) / "sim-tests-pycache"


def sim_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=env,
    )


@pytest.mark.shared
def test_there_are_cases():
    assert len(CASES) >= 9 and BENCH


@pytest.mark.shared
@pytest.mark.parametrize("path", ALL, ids=[p.name for p in ALL])
def test_case_validates_without_errors(path: Path):
    problems = check_file(path)
    assert not [p for p in problems if p.severity == "error"], "\n".join(map(str, problems))
    s = sim.load_scenario(path)
    for v in s.variants:
        sim.load_scenario(path, v.id)


@pytest.mark.shared
def test_sim_validate_accepts_every_case(tmp_path: Path):
    proc = sim_cli("validate", *map(str, ALL), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr
    assert proc.stdout.count(": ok") == len(ALL)


@pytest.mark.shared
def test_expected_results_name_existing_cases():
    expected = json.loads((SHARED / "cases" / "expected.json").read_text())
    names = {p.stem for p in CASES}
    assert set(expected) <= names
    for case, spec in expected.items():
        s = sim.load_scenario(SHARED / "cases" / f"{case}.yaml")
        assert set(spec["variants"]) <= {"base"} | {v.id for v in s.variants}
        for vspec in spec["variants"].values():
            assert set(vspec.get("outcomes", {})) <= {o.id for o in s.outcomes}


def _differences(a: sim.Scenario, b: sim.Scenario) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(a)
        if f.compare and getattr(a, f.name) != getattr(b, f.name)
    }


def test_horizon_variant_changes_the_horizon_only():
    path = OWN_CASES / "chance_within.yaml"  # horizon 2 years; nine_months: 9 months
    base = sim.load_scenario(path)
    assert base.horizon_days == 730.5  # 2 x 365.25
    nine = sim.load_scenario(path, "nine_months")
    assert nine.horizon_days == 273.9375  # 9 x 365.25 / 12
    assert nine.variant == "nine_months"
    allowed = {"horizon_days", "horizon_text", "grid_days", "variant", "variant_label"}
    assert _differences(base, nine) <= allowed
    assert base.grid_days[-1] == 730.5 and len(base.grid_days) == 25  # 0..23 months + horizon
    assert nine.grid_days[-1] == 273.9375 and len(nine.grid_days) == 10  # 0..8 months + horizon
    assert [v.id for v in nine.variants] == ["nine_months", "never"]


def test_scheduled_date_variants():
    path = OWN_CASES / "fixed_dates.yaml"  # start 2026-01-01, recall at 2026-03-15
    base = sim.load_scenario(path)
    assert base.horizon_date == dt.date(2026, 6, 30)
    recall_day = 73.0  # January's 31 days, February's 28, then 14 more
    assert base.events[0].timing.kind == "at"
    assert base.events[0].timing.day == recall_day
    before = sim.load_scenario(path, "horizon_the_day_before")
    assert before.horizon_date == dt.date(2026, 3, 14)
    assert before.horizon_days == recall_day - 1
    on_the_day = sim.load_scenario(path, "horizon_on_the_day")
    assert on_the_day.horizon_date == dt.date(2026, 3, 15)
    assert on_the_day.horizon_days == recall_day
    allowed = {"horizon_days", "horizon_text", "grid_days", "variant", "variant_label"}
    assert _differences(base, before) <= allowed


def test_unknown_variant_is_an_error_with_suggestion():
    with pytest.raises(sim.ScenarioError, match="did you mean 'three_years'"):
        sim.load_scenario(OWN_CASES / "one_rate.yaml", "three_year")


def test_variant_disable_and_set(tmp_path: Path):
    path = tmp_path / "v.yaml"
    path.write_text(
        "scenario: v\nstart: 2025-01-01\nhorizon: 1 year\n"
        "tracks: {t: {states: [a, b, c], initial: a}}\n"
        "parameters: {p: {value: 20%}}\n"
        "events:\n"
        "  - {id: e, track: t, from: a, to: b, chance: $p within 1 year}\n"
        "  - {id: f, track: t, from: b, to: c, after: 2 months}\n"
        "outcomes: {c: {when: t == c}}\n"
        "variants:\n"
        "  no_f: {disable: [f]}\n"
        "  faster: {set: {parameters.p: 40%, events.f.rate: 1 per month}}\n"
        "  start_b: {set: {tracks.t.initial: b}}\n"
    )
    base = sim.load_scenario(path)
    assert [e.id for e in base.events] == ["e", "f"]
    no_f = sim.load_scenario(path, "no_f")
    assert [e.id for e in no_f.events] == ["e"]
    faster = sim.load_scenario(path, "faster")
    assert faster.slots[0].distribution.params == (0.4,)
    assert faster.events[1].timing.kind == "hazard"  # 'rate' replaced 'after'
    assert faster.events[1].timing.per_days == pytest.approx(365.25 / 12)
    assert sim.load_scenario(path, "start_b").tracks[0].initial == (0.0, 1.0, 0.0)
    # the variant's file is validated like a file: a disabled event leaves 'c' unreachable
    assert any("'c'" in w and "never be reached" in w for w in no_f.warnings)


WARNINGS = """\
scenario: warnings
start: 2025-01-01
horizon: 2 years
tracks:
  t:
    states: [a, b, c, orphan]
    initial: a
  g:
    states: [off, on]
    initial: off
events:
  - {id: go, track: t, from: a, to: b, chance: 50% within 1 year}
  - {id: stuck, track: t, from: b, to: c, after: 1 month, when: g == on}
  - {id: ghost, track: t, from: orphan, to: a, after: 1 month}
outcomes:
  c: {when: t == c}
"""


def test_warnings_for_never_enabled_events_and_unreached_states(tmp_path: Path):
    path = tmp_path / "warnings.yaml"
    path.write_text(WARNINGS)
    proc = sim_cli("validate", "warnings.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "warnings.yaml: ok (5 warnings)" in proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line]
    assert all(": warning: " in line for line in lines), proc.stderr
    assert "warnings.yaml:13:10: warning: event 'stuck' can never fire" in proc.stderr
    assert "warnings.yaml:14:10: warning: event 'ghost' can never fire" in proc.stderr
    assert "warning: state 'c' of track 't' can never be reached" in proc.stderr
    assert "warning: state 'orphan' of track 't' can never be reached" in proc.stderr
    assert "warning: state 'on' of track 'g' can never be reached" in proc.stderr
    s = sim.load_scenario(path)  # warnings do not stop loading
    assert len(s.warnings) == 5


def test_warning_lines_point_at_the_state(tmp_path: Path):
    path = tmp_path / "warnings.yaml"
    path.write_text(WARNINGS)
    s = sim.load_scenario(path)
    orphan = next(w for w in s.warnings if "'orphan'" in w)
    assert orphan.startswith(f"{path}:6:{WARNINGS.splitlines()[5].index('orphan') + 1}: warning: ")


def test_zero_chance_event_is_never_enabled(tmp_path: Path):
    path = tmp_path / "zero.yaml"
    path.write_text(WARNINGS.replace("50% within 1 year", "0% within 1 year"))
    s = sim.load_scenario(path)
    assert any("state 'b' of track 't' can never be reached" in w for w in s.warnings)


def test_timing_labels_name_a_distribution_written_in_place(tmp_path):
    path = tmp_path / "label.yaml"
    path.write_text(
        """\
scenario: label
start: 2025-01-01
horizon: 1 year
tracks:
  a: {states: [x, y], initial: x}
events:
  - {id: go, track: a, from: x, to: y, chance: {p: {beta: [2, 5]}, within: 1 year}}
outcomes:
  y: {when: a == y}
""",
        encoding="utf-8",
    )
    assert sim.load_scenario(path).events[0].timing.short == "beta / 12 mo"


def test_a_zero_chance_is_named_as_the_reason_an_event_never_fires(tmp_path: Path):
    path = tmp_path / "zero.yaml"
    path.write_text(
        "scenario: zero\nstart: 2025-01-01\nhorizon: 1 year\n"
        "tracks:\n  g: {states: [a, b], initial: a}\n"
        "events:\n  - {id: up, track: g, from: a, to: b, chance: 0% within 1 year}\n"
        "outcomes:\n  b: {when: g == b}\n",
        encoding="utf-8",
    )
    proc = sim_cli("validate", "zero.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "event 'up' can never fire: its chance or rate is 0" in proc.stderr


def test_an_oversized_file_is_reported_with_its_own_size(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 120_000, encoding="utf-8")
    proc = sim_cli("validate", "big.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert "file is 1,200,000 bytes; scenario files are capped at 1,000,000 bytes" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_at_date_after_the_horizon_is_named_as_the_reason_an_event_never_fires(
    tmp_path: Path,
):
    """Horizon 1 year from 2025-01-01 is 2026-01-01: an event dated then still fires (the
    state at the horizon is taken after the firings due then); one dated 2030 never does."""
    path = tmp_path / "late.yaml"
    path.write_text(
        "scenario: late\nstart: 2025-01-01\nhorizon: 1 year\n"
        "tracks:\n  g: {states: [a, b], initial: a}\n"
        "events:\n  - {id: late, track: g, from: a, to: b, at: 2030-07-01}\n"
        "  - {id: on_time, track: g, from: a, to: b, at: 2026-01-01}\n"
        "outcomes:\n  b: {when: g == b}\n",
        encoding="utf-8",
    )
    proc = sim_cli("validate", "late.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == (
        "late.yaml:7:10: warning: event 'late' can never fire: its date (at 2030-07-01) is "
        "after the horizon"
    )
