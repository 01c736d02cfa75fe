"""The SimPy reference engine against closed forms and hand-computed dates (section 8)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from sim import SimulationError, load_scenario
from sim.analysis.summary import summarize
from sim.model.distributions import Distribution
from sim.runner import run_scenario
from tests.conftest import CASES, HAVE_SHARED, OWN_CASES


def within(got: float, p: float, runs: int, k: float = 5.0) -> bool:
    """True when ``got`` is within k Monte Carlo standard errors of ``p``."""
    return abs(got - p) <= k * math.sqrt(p * (1 - p) / runs)


# the shared cases' answers; read only when the folder is there
EXPECTED = json.loads((CASES / "expected.json").read_text()) if HAVE_SHARED else {}
CASE_VARIANTS = [(name, v) for name, e in sorted(EXPECTED.items()) for v in e["variants"]]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "variant"), CASE_VARIANTS)
def test_shared_cases_match_exact_answers(name, variant):
    runs = 8000
    want = EXPECTED[name]["variants"][variant]
    scenario = load_scenario(CASES / f"{name}.yaml", variant)
    summary = summarize(run_scenario(scenario, runs=runs, seed=11, jobs=1, engine="simpy"))
    for oid, p in want.get("outcomes", {}).items():
        got = summary["outcomes"][oid]["probability"]
        if p in (0.0, 1.0):
            assert got == p, oid
        else:
            assert within(got, p, runs), (oid, got, p)
    for oid, date in want.get("first_time_median", {}).items():
        assert summary["outcomes"][oid]["first_time_median"] == date


def test_same_results_for_any_number_of_jobs():
    scenario = load_scenario(OWN_CASES / "markov_three.yaml")
    one = summarize(run_scenario(scenario, runs=3000, seed=0, jobs=1))
    two = summarize(run_scenario(scenario, runs=3000, seed=0, jobs=2))
    assert one["outcomes"] == two["outcomes"]
    assert one["events"] == two["events"]
    assert one["states_at_horizon"] == two["states_at_horizon"]


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_per_run_arrays_same_for_any_number_of_jobs(monkeypatch, start_method):
    # Forked workers write per-run rows into shared memory; spawned ones send them back.
    import multiprocessing

    from sim import runner

    monkeypatch.setattr(runner.mp, "get_all_start_methods", lambda: [start_method])
    assert start_method in multiprocessing.get_all_start_methods()
    scenario = load_scenario(OWN_CASES / "markov_three.yaml")
    one = run_scenario(scenario, runs=20_000, seed=4, jobs=1)
    two = run_scenario(scenario, runs=20_000, seed=4, jobs=2)
    assert two.settings.jobs == 2  # three blocks of at most 8192 runs
    for name in ("flags", "first", "final", "traj_hash", "slot_values"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    assert one.fire_count.sum() > 20_000


LOOPS_IN_MARCH = """\
scenario: loop
start: 2025-01-01
horizon: 1 year
tracks:
  g: {states: [off, on], initial: off}
  t: {states: [a, b], initial: a}
events:
  - {id: open, track: g, from: off, to: on, at: 2025-03-01}
  - {id: flip, track: t, from: a, to: b, after: 1e-18 days, when: g == on}
  - {id: flop, track: t, from: b, to: a, after: 1e-18 days}
outcomes:
  b: {when: t == b}
"""


def _shared_mappings() -> int:
    with open("/proc/self/maps", encoding="ascii") as maps:
        return sum("/dev/zero" in line for line in maps)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_a_failed_parallel_run_releases_its_shared_memory(tmp_path):
    # The per-run arrays forked workers write into are freed when the run raises, without
    # waiting for the cyclic garbage collector (the pool must not keep them alive).
    import gc

    path = tmp_path / "loop.yaml"
    path.write_text(LOOPS_IN_MARCH, encoding="utf-8")
    scenario = load_scenario(path)
    before = _shared_mappings()
    gc.disable()
    try:
        for _ in range(2):
            with pytest.raises(SimulationError, match="instantaneous loop"):
                run_scenario(scenario, runs=20_000, seed=1, jobs=2)
        assert _shared_mappings() == before
    finally:
        gc.enable()


def test_seed_changes_results_and_zero_is_a_seed():
    scenario = load_scenario(OWN_CASES / "chance_within.yaml")
    a = run_scenario(scenario, runs=2000, seed=0, jobs=1).flags
    b = run_scenario(scenario, runs=2000, seed=1, jobs=1).flags
    c = run_scenario(scenario, runs=2000, seed=0, jobs=1).flags
    assert (a == c).all()
    assert (a != b).any()


def test_two_at_events_on_one_date_fire_once_each_in_file_order(write_scenario):
    path = write_scenario("""
        scenario: back_and_forth
        start: 2025-01-01
        horizon: 2025-12-31
        tracks:
          t: {states: [a, b], initial: a}
        events:
          - {id: go, track: t, from: a, to: b, at: 2025-06-01}
          - {id: back, track: t, from: b, to: a, at: 2025-06-01}
        outcomes:
          at_a: {when: t == a}
          ever_b: {when: t == b, ever: true}
    """)
    res = run_scenario(load_scenario(path), runs=50, seed=3, jobs=1)
    s = summarize(res)
    assert s["events"]["go"]["mean_fires"] == 1.0
    assert s["events"]["back"]["mean_fires"] == 1.0
    # go fires first (file order), which enables back at the same instant: a -> b -> a.
    assert s["outcomes"]["at_a"]["probability"] == 1.0
    assert s["outcomes"]["ever_b"]["probability"] == 1.0
    assert s["outcomes"]["ever_b"]["first_time_median"] == "2025-06-01"
    assert s["trajectories"][0]["events"] == ["go", "back"]


def test_reversed_file_order_fires_back_first(write_scenario):
    path = write_scenario("""
        scenario: order
        start: 2025-01-01
        horizon: 2025-12-31
        tracks:
          t: {states: [a, b], initial: a}
        events:
          - {id: back, track: t, from: b, to: a, at: 2025-06-01}
          - {id: go, track: t, from: a, to: b, at: 2025-06-01}
        outcomes:
          at_b: {when: t == b}
    """)
    s = summarize(run_scenario(load_scenario(path), runs=20, seed=3, jobs=1))
    # back is not enabled until go fires; then back is due at once (its date has come): b -> a.
    assert s["events"]["back"]["mean_fires"] == 1.0
    assert s["outcomes"]["at_b"]["probability"] == 0.0


def test_after_is_drawn_afresh_at_each_enabling(write_scenario):
    # A renewal process: W ~ U(20, 40) days, horizon 50 days. N = 1 + [W1 + W2 <= 50];
    # P(W1 + W2 <= 50) = 10^2 / (2 * 20^2) = 0.125, so E[N] = 1.125 (1.25 if W were reused).
    path = write_scenario("""
        scenario: renewal
        start: 2025-01-01
        horizon: 50 days
        tracks:
          t: {states: [a], initial: a}
        events:
          - {id: tick, track: t, from: a, to: a, after: {uniform: [20 days, 40 days]}}
        outcomes:
          a: {when: t == a}
    """)
    runs = 6000
    s = summarize(run_scenario(load_scenario(path), runs=runs, seed=5, jobs=1))
    sd = math.sqrt(0.125 * 0.875)
    assert abs(s["events"]["tick"]["mean_fires"] - 1.125) <= 5 * sd / math.sqrt(runs)


def test_stale_timer_never_fires(write_scenario):
    # e (1 per year) competes with a fixed exit on day 181; after the exit, e's timer is stale.
    # P(t == b) = 1 - exp(-181 / 365.25).
    path = write_scenario("""
        scenario: stale
        start: 2025-01-01
        horizon: 2025-12-31
        tracks:
          t: {states: [a, b, c], initial: a}
        events:
          - {id: leave, track: t, from: a, to: c, at: 2025-07-01}
          - {id: e, track: t, from: [a, c], to: b, rate: 1 per year, when: "t in [a]"}
        outcomes:
          b: {when: t == b}
    """)
    runs = 8000
    p = 1 - math.exp(-181 / 365.25)
    s = summarize(run_scenario(load_scenario(path), runs=runs, seed=9, jobs=1))
    assert within(s["outcomes"]["b"]["probability"], p, runs)


def test_speed_change_rescales_remaining_work(write_scenario):
    # 10-month delay (304.375 days); speed doubles from day 120 (2025-05-01):
    # fires at 120 + (304.375 - 120) / 2 = 212.19 days, i.e. on 2025-08-01.
    path = write_scenario("""
        scenario: speed
        start: 2025-01-01
        horizon: 2025-12-31
        tracks:
          g: {states: ["off", "on"], initial: "off"}
          t: {states: [a, b], initial: a}
        events:
          - {id: switch, track: g, from: "off", to: "on", at: 2025-05-01}
          - id: e
            track: t
            from: a
            to: b
            after: 10 months
            modifiers:
              - {when: g == on, multiply: 2}
        outcomes:
          b: {when: t == b}
    """)
    res = run_scenario(load_scenario(path), runs=10, seed=1, jobs=1)
    assert res.first[:, 0] == pytest.approx(212.1875)
    assert summarize(res)["outcomes"]["b"]["first_time_median"] == "2025-08-01"


def test_disabled_event_loses_its_clock(write_scenario):
    # e needs 100 days of continuous enabling; g is on during days [0, 60) and [90, ...):
    # a fresh 100 days are drawn at day 90, so e fires at day 190 (not 130).
    path = write_scenario("""
        scenario: lose_clock
        start: 2025-01-01
        horizon: 1 year
        tracks:
          g: {states: ["on", "off", "on2"], initial: "on"}
          t: {states: [a, b], initial: a}
        events:
          - {id: pause, track: g, from: "on", to: "off", at: 2025-03-02}
          - {id: resume, track: g, from: "off", to: on2, at: 2025-04-01}
          - {id: e, track: t, from: a, to: b, after: 100 days, when: "g in [on, on2]"}
        outcomes:
          b: {when: t == b}
    """)
    res = run_scenario(load_scenario(path), runs=5, seed=1, jobs=1)
    assert res.first[:, 0] == pytest.approx(190.0)


def test_instantaneous_loop_is_an_error(write_scenario):
    path = write_scenario("""
        scenario: loop
        start: 2025-01-01
        horizon: 1 year
        tracks:
          t: {states: [a, b], initial: a}
        events:
          - {id: ping, track: t, from: a, to: b, after: 1 day}
          - {id: pong, track: t, from: b, to: a, after: 1 day}
        outcomes:
          a: {when: t == a}
    """)
    scenario = load_scenario(path)
    zero = Distribution("fixed", (0.0,), "duration", "0 days")
    events = tuple(
        dataclasses.replace(e, timing=dataclasses.replace(e.timing, distribution=zero))
        for e in scenario.events
    )
    looping = dataclasses.replace(scenario, events=events)
    with pytest.raises(SimulationError, match=r"instantaneous loop.*ping.*pong"):
        run_scenario(looping, runs=1, seed=1, jobs=1)


def test_branch_and_also(write_scenario):
    path = write_scenario("""
        scenario: branch_also
        start: 2025-01-01
        horizon: 1 year
        tracks:
          t: {states: [a, b, c], initial: a}
          g: {states: [x, y], initial: x}
        events:
          - {id: e, track: t, from: a, to: {b: 25%, c: 75%}, at: 2025-02-01, also: {g: y}}
        outcomes:
          b: {when: t == b}
          y: {when: g == y}
    """)
    runs = 8000
    s = summarize(run_scenario(load_scenario(path), runs=runs, seed=2, jobs=1))
    assert within(s["outcomes"]["b"]["probability"], 0.25, runs)
    assert s["outcomes"]["y"]["probability"] == 1.0


def test_random_initial_state(write_scenario):
    path = write_scenario("""
        scenario: initial
        start: 2025-01-01
        horizon: 1 month
        tracks:
          t: {states: [a, b], initial: {a: 30%, b: 70%}}
        events:
          - {id: e, track: t, from: a, to: a, after: 1 year}
        outcomes:
          a: {when: t == a}
    """)
    runs = 8000
    s = summarize(run_scenario(load_scenario(path), runs=runs, seed=4, jobs=1))
    assert within(s["outcomes"]["a"]["probability"], 0.3, runs)
    # a condition true at time 0 has first time 0
    assert s["outcomes"]["a"]["first_time_median"] is None  # 30% < half


BUSY = """\
scenario: busy
start: 2025-01-01
horizon: 30 years
tracks:
  g: {states: [a, b], initial: a}
events:
  - {id: up, track: g, from: a, to: b, rate: 20 per day}
  - {id: down, track: g, from: b, to: a, rate: 20 per day}
outcomes:
  in_b: {when: g == b}
"""


def test_a_run_past_the_firing_cap_is_told_how_busy_it_is(tmp_path):
    # whichever state it is in, the track leaves it at 20 a day: 20 firings a day, so the
    # 100,000-firing cap falls about 5,000 days (13.7 years) in, in 2038
    path = tmp_path / "busy.yaml"
    path.write_text(BUSY, encoding="utf-8")
    scenario = load_scenario(path)
    with pytest.raises(SimulationError) as caught:
        run_scenario(scenario, runs=2, seed=1, jobs=1, engine="fast")
    message = str(caught.value)
    assert "reached 100,000 firings, the most a run may have" in message
    assert re.search(r"about (19\.[5-9]|20|20\.[0-4]) a day", message), message
    assert "by 2038-" in message and "lower those events' rates" in message
