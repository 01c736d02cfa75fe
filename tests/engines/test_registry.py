"""The engine registry, the names results record, runaway runs, the run cap per scenario, and
what happens without numba."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sim
from sim.engines import ALIASES, ENGINE_NAMES, ENGINES, canonical_name, get_engine
from sim.engines.base import RunawayRun
from sim.engines.compiled import CompiledEngine
from sim.engines.numpy_engine import NumPyEngine
from sim.engines.simpy_engine import SimPyEngine
from sim.errors import SimError
from sim.model.streams import RandomBlock
from sim.runner import MAX_RUNS, RUN_MEMORY, bytes_per_run, max_runs, run_scenario

ROOT = Path(__file__).resolve().parents[2]

SMALL = """\
scenario: small
start: 2025-01-01
horizon: 2026-01-01
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: go, track: t, from: a, to: b, rate: 1 per 500 days}
outcomes:
  went: {when: t == b}
"""


def outcomes_scenario(tmp_path, n_outcomes: int):
    """SMALL with ``n_outcomes`` outcomes (and its one track)."""
    extra = "".join(f"  o{i}: {{when: t == b}}\n" for i in range(n_outcomes - 1))
    path = tmp_path / "many.yaml"
    path.write_text(SMALL + extra, encoding="utf-8")
    scenario = sim.load_scenario(path)
    assert len(scenario.outcomes) == n_outcomes and len(scenario.tracks) == 1
    return scenario


def test_names_and_classes():
    assert ENGINE_NAMES == ("compiled", "numpy", "simpy")
    assert set(ENGINES) == {"auto", "compiled", "fast", "numpy", "simpy"}
    assert ALIASES == {"auto": "compiled", "fast": "compiled"}
    for name, cls in (("compiled", CompiledEngine), ("numpy", NumPyEngine)):
        assert type(get_engine(name)) is cls and cls.name == name
    assert type(get_engine("simpy")) is SimPyEngine
    assert type(get_engine("fast")) is CompiledEngine  # the former name still works
    assert type(get_engine("auto")) is CompiledEngine
    assert canonical_name("fast") == canonical_name("auto") == "compiled"
    assert get_engine("numpy") is not get_engine("numpy")  # a new instance each time


def test_unknown_engine_lists_the_names():
    with pytest.raises(SimError, match="unknown engine 'turbo'; choose one of auto, compiled"):
        get_engine("turbo")


@pytest.mark.parametrize(("asked", "recorded"), [("fast", "compiled"), ("auto", "compiled")])
def test_results_record_the_canonical_name(tmp_path, asked, recorded):
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    results = run_scenario(sim.load_scenario(path), runs=10, seed=1, jobs=1, engine=asked)
    assert results.settings.engine == recorded


def test_runaway_run_names_the_run_and_survives_pickling(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(SMALL, encoding="utf-8")
    block = RandomBlock.build(sim.load_scenario(path), 3, 100, 140)
    exc = RunawayRun(block, 5)
    assert "run 105 " in str(exc) and "1,000 firings at one instant" in str(exc)
    again = pickle.loads(pickle.dumps(exc))
    assert again.run == 5 and again.block.start == 100 and str(again) == str(exc)


RUNAWAY = """\
scenario: runaway
start: 2025-01-01
horizon: 1 year
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: ab, track: t, from: a, to: b, rate: 1000000 per day}
  - {id: ba, track: t, from: b, to: a, rate: 1000000 per day}
outcomes:
  inb: {when: t == b}
"""


def test_the_numpy_engine_stops_a_runaway_run_and_the_reference_names_it(tmp_path, monkeypatch):
    # every run fires about 2 million times a day: past a limit of 2,000 firings the NumPy
    # engine raises RunawayRun for the first such run (run 0), and the runner replays that run
    # alone with the reference engine, which names the events (limits lowered: fast)
    import sim.engines.numpy_engine as numpy_engine
    import sim.engines.simpy_engine as simpy_engine

    monkeypatch.setattr(numpy_engine, "MAX_RUN_FIRINGS", 2000)
    monkeypatch.setattr(simpy_engine, "MAX_RUN_FIRINGS", 2000)
    path = tmp_path / "runaway.yaml"
    path.write_text(RUNAWAY, encoding="utf-8")
    scenario = sim.load_scenario(path)
    with pytest.raises(RunawayRun) as caught:
        get_engine("numpy").run_block(scenario, RandomBlock.build(scenario, 1, 0, 10))
    assert caught.value.run == 0
    with pytest.raises(
        sim.errors.SimulationError, match=r"runaway.yaml: error: run 0 reached 2,000 firings"
    ):
        run_scenario(scenario, runs=10, seed=1, jobs=1, engine="numpy")


def test_run_cap_is_fifty_million_for_small_scenarios(tmp_path):
    scenario = outcomes_scenario(tmp_path, 1)
    assert bytes_per_run(scenario) == 9 + 2 + 16
    assert RUN_MEMORY == 8_000_000_000
    assert max_runs(scenario) == MAX_RUNS == 50_000_000


def test_run_cap_keeps_the_memory_of_fifty_outcomes_within_budget(tmp_path):
    scenario = outcomes_scenario(tmp_path, 50)
    # 50 flags (1 byte) and first times (8 bytes), 1 final state (2), code and row (16)
    assert bytes_per_run(scenario) == 450 + 2 + 16
    assert max_runs(scenario) == 8_000_000_000 // 468 == 17_094_017
    with pytest.raises(SimError, match=r"at most 17,094,017 for this scenario.*468 bytes"):
        run_scenario(scenario, runs=17_094_018, jobs=1)


def test_bundled_scenario_keeps_the_fifty_million_cap():
    scenario = sim.load_scenario(ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml")
    assert bytes_per_run(scenario) <= 160 and max_runs(scenario) == MAX_RUNS


# hides numba (and llvmlite) from the interpreter, then runs the command line
NO_NUMBA = textwrap.dedent(
    """\
    import sys

    class Hide:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("numba", "llvmlite"):
                raise ModuleNotFoundError(f"No module named {name!r}")

    sys.meta_path.insert(0, Hide())
    sys.modules.pop("numba", None)
    from sim.cli.main import main

    main(sys.argv[1:])
    """
)


def without_numba(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", NO_NUMBA, *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def test_without_numba_running_stops_with_one_clear_line(tmp_path):
    scenario = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"
    out = tmp_path / "out"
    done = without_numba("run", scenario, "--runs", 10, "--out", out)
    assert done.returncode == 1
    assert done.stderr == "sim needs numba: pip install numba\n"
    assert not out.exists()
    # checking a file needs no engine
    checked = without_numba("validate", scenario)
    assert checked.returncode == 0, checked.stderr


def test_with_numba_the_same_command_runs(tmp_path):
    # the check above is not vacuous: the command it runs works when numba is there
    scenario = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"
    args = ["run", scenario, "--runs", 10, "--out", tmp_path / "o", "--no-charts"]
    done = subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_run_over_the_cap_is_refused_before_its_progress_starts(tmp_path):
    from sim.experiments.variants import run_batch

    scenario = outcomes_scenario(tmp_path, 50)
    heard = []
    with pytest.raises(SimError, match=r"at most 17,094,017 for this scenario"):
        run_batch(scenario, 17_094_018, 1, 1, "numpy", 0, lambda *a: heard.append(a))
    assert heard == []  # no "0/17,094,018 runs" line before the refusal
