"""The other engines against the SimPy reference, run by run (SCENARIO_FORMAT.md section 8).

Every engine consumes the same addressed uniforms (:mod:`sim.model.streams`) and does its
float operations in the same order as the reference, so for the same scenario, variant and
seed each must give the same runs: final states, first times (``inf`` included), firings,
checkpoint states and trajectories, bit for bit. Engines under test: every registered engine
(``compiled``, the numba-compiled engine, and ``numpy``, the vectorized NumPy engine), each
against the reference, ``simpy``. Two sources of scenarios:

* every file in ``../shared/cases``, ``../shared/bench`` and ``scenarios/``, every variant;
* random small scenarios generated as YAML text (``tests/engines/test_generated.py``, which uses the
  comparisons defined here).

The outcome probabilities are also checked to lie within 5 standard errors of each other:
trivially true when the runs are equal, but it is the documented contract for two engines
that follow the format ("the same distributions").
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from contextlib import ExitStack
from unittest import mock

import numpy as np
import pytest

import sim
import sim.engines.arrays
import sim.engines.compiled
import sim.engines.numpy_engine
import sim.engines.simpy_engine
import sim.results
from sim.engines import ENGINE_NAMES, REFERENCE, get_engine
from sim.errors import SimulationError
from sim.model.streams import RandomBlock
from sim.results import BlockResult, Partial, Results
from sim.runner import run_scenario
from tests.conftest import OWN_CASES, SCENARIOS, SHARED

BUNDLED = SCENARIOS
SHARED_FOLDERS = (SHARED / "cases", SHARED / "bench")
# the shared folder's files (none when it is absent), then our own cases and the bundled files
FILES = (
    sorted((SHARED / "cases").glob("*.yaml"))
    + sorted((SHARED / "bench").glob("*.yaml"))
    + sorted(OWN_CASES.glob("*.yaml"))
    + sorted(BUNDLED.glob("*.yaml"))
)

SMALL_RUNS = 1500
BUNDLED_RUNS = 1000
FILE_SEED = 20250801
OTHERS = [name for name in ENGINE_NAMES if name != REFERENCE]  # canonical names
# where engines read MAX_TABLE, the joint states up to which conditions are tabulated
TABLE_MODULES = [sim.engines.arrays]


# -- comparison helpers -----------------------------------------------------------------------


def _first_bad_run(a: np.ndarray, b: np.ndarray) -> int | None:
    """Index of the first run (axis 0) where ``a`` and ``b`` differ, or None."""
    if a.shape != b.shape:
        return -1
    same = (a == b) | (np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b)))
    bad = ~same.reshape(same.shape[0], -1).all(axis=1)
    return int(np.argmax(bad)) if bad.any() else None


PER_RUN = ("final", "first", "flags", "slot_values")
SUMS = ("fire_count", "fired", "occupancy", "by_point", "passage")


def assert_same_results(ref: Results | Partial, other: Results | Partial, name: str) -> None:
    """Results (or one block's Partial) of two engines agree run by run and in every sum."""
    for key in PER_RUN:
        a, b = getattr(ref, key), getattr(other, key)
        assert a.shape == b.shape, (name, key)
        assert np.array_equal(a, b), f"{name}: {key} differs first in run {_first_bad_run(a, b)}"
    for key in SUMS:
        assert np.array_equal(getattr(ref, key), getattr(other, key)), (name, key)
    assert np.array_equal(ref.traj_hash, other.traj_hash), f"{name}: trajectory codes"
    if isinstance(ref, Partial):  # one block: the same most frequent sequences are kept
        assert ref.sequences == other.sequences, f"{name}: trajectory sequences"
    else:  # engines cut runs into blocks of different sizes; the reported top ten agree
        assert ref.top_trajectories() == other.top_trajectories(), f"{name}: trajectories"
    assert_probabilities_close(ref.flags, other.flags, name)


def assert_probabilities_close(a: np.ndarray, b: np.ndarray, name: str, k: float = 5.0) -> None:
    """Outcome probabilities (from per-run flags) within k standard errors of each other."""
    pa, pb = a.mean(axis=0), b.mean(axis=0)
    for o in range(len(pa)):
        p = (pa[o] + pb[o]) / 2
        se = math.sqrt(p * (1 - p) * (1 / len(a) + 1 / len(b)))
        assert abs(pa[o] - pb[o]) <= k * se, (name, o, pa[o], pb[o])


def assert_same_blocks(ref: BlockResult, other: BlockResult, name: str) -> None:
    """Per-run arrays of one block agree, checkpoint states included, and the trajectories."""
    for key in ("final", "first", "at_points", "fires", "slot_values", "traj_hash"):
        a, b = getattr(ref, key), getattr(other, key)
        run = _first_bad_run(a, b)
        assert run is None, f"{name}: {key} differs first in local run {run}: {a[run]} != {b[run]}"
    a, b = ref.trajectories, other.trajectories
    if isinstance(a, list) and isinstance(b, list):  # per run
        for run, (x, y) in enumerate(zip(a, b, strict=True)):
            assert x == y, f"{name}: trajectory of local run {run}: {x} != {y}"
    assert _counts(a) == _counts(b), f"{name}: trajectories {_counts(a) - _counts(b)}"


def _counts(trajectories) -> Counter:
    """Trajectory -> number of runs, from a Counter or a per-run list."""
    return trajectories if isinstance(trajectories, Counter) else Counter(trajectories)


def _outcome(call):
    """The value of ``call()``, or the exception it raised."""
    try:
        return call()
    except Exception as exc:  # compared between engines by _check_loops
        return exc


def _check_loops(results: dict) -> bool:
    """True when every engine raised SimulationError (an instantaneous loop), False when none
    raised; fails when only some did, or when any raised anything else."""
    raised = {name: r for name, r in results.items() if isinstance(r, Exception)}
    loops = {name for name, r in raised.items() if isinstance(r, SimulationError)}
    assert loops == set(raised), f"engines crashed: { {n: repr(r) for n, r in raised.items()} }"
    assert loops in (set(), set(results)), f"only {sorted(loops)} raised: {raised}"
    return bool(loops)


def run_blocks(scenario, seed: int, start: int, stop: int) -> dict:
    """Every engine on runs [start, stop): name -> BlockResult or SimulationError."""
    out = {}
    for name in (REFERENCE, *OTHERS):
        engine = get_engine(name)
        block = RandomBlock.build(scenario, seed, start, stop)
        out[name] = _outcome(lambda e=engine, b=block: e.run_block(scenario, b))
    return out


def compare_blocks(scenario, seed: int, start: int, stop: int) -> BlockResult | None:
    """Block by block, per run and reduced: the reference's block, or None when all raised."""
    results = run_blocks(scenario, seed, start, stop)
    if _check_loops(results):
        return None
    ref = results.pop(REFERENCE)
    ref_partial = Partial.reduce(scenario, ref)
    for name, other in results.items():
        assert_same_blocks(ref, other, name)
        assert_same_results(ref_partial, Partial.reduce(scenario, other), name)
        # reduced inside the engine (the compiled one does, without per-run arrays)
        block = RandomBlock.build(scenario, seed, start, stop)
        reduced = get_engine(name).run_reduced(scenario, block)
        assert_same_results(ref_partial, reduced, f"{name} reduced")
    return ref


def assert_equivalent_blocks(scenario, seed: int, start: int, stop: int) -> str:
    """:func:`compare_blocks`; ``"loop"`` when all engines raised, else ``"ok"``."""
    return "ok" if compare_blocks(scenario, seed, start, stop) is not None else "loop"


def assert_equivalent(scenario, runs: int, seed: int) -> str:
    """``run_scenario`` with every engine, then one block per run; ``"loop"`` or ``"ok"``."""
    results = {
        name: _outcome(
            lambda name=name: run_scenario(scenario, runs=runs, seed=seed, jobs=1, engine=name)
        )
        for name in (REFERENCE, *OTHERS)
    }
    if _check_loops(results):
        return "loop"
    ref = results.pop(REFERENCE)
    assert ref.settings.engine == REFERENCE
    for name, other in results.items():
        assert_same_results(ref, other, name)
    return assert_equivalent_blocks(scenario, seed, 0, min(runs, 300))


def test_engines_under_test():
    assert OTHERS == ["compiled", "numpy"]
    assert REFERENCE == "simpy"


# -- every scenario file and every variant -----------------------------------------------------


def _file_cases():
    for path in FILES:
        variants = ["base"] + [v.id for v in sim.load_scenario(path).variants]
        for variant in variants:
            name = f"{path.parent.name}/{path.stem}:{variant}"
            if path.parent in SHARED_FOLDERS:
                yield pytest.param(path, variant, id=f"shared/{name}", marks=pytest.mark.shared)
            else:
                yield pytest.param(path, variant, id=name)


def test_scenario_files_are_found():
    for folder in (OWN_CASES, BUNDLED):
        assert any(p.parent == folder for p in FILES), folder


@pytest.mark.shared
def test_shared_scenario_files_are_found():
    for folder in SHARED_FOLDERS:
        assert any(p.parent == folder for p in FILES), folder


@pytest.mark.parametrize(("path", "variant"), list(_file_cases()))
def test_files_same_runs_in_both_engines(path, variant):
    scenario = sim.load_scenario(path, variant)
    runs = BUNDLED_RUNS if path.parent == BUNDLED else SMALL_RUNS
    assert assert_equivalent(scenario, runs, FILE_SEED) == "ok"


def test_blocks_deep_in_a_chunk_and_past_it():
    """Runs addressed far from 0 (large Philox counters, a second chunk) agree too."""
    scenario = sim.load_scenario(OWN_CASES / "markov_three.yaml")
    for start, stop in ((5000, 5300), (8192, 8400)):
        assert assert_equivalent_blocks(scenario, 3, start, stop) == "ok"


def test_instantaneous_loop_raises_in_both_engines(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text(
        """\
scenario: loop
start: 2025-01-01
horizon: 1 year
tracks:
  g: {states: [off, on], initial: off}
  t: {states: [a, b], initial: a}
  c: {states: [x, y], initial: x}
events:
  - {id: tick, track: c, from: x, to: y, after: 0.7 days}
  - {id: tock, track: c, from: y, to: x, after: 0.7 days}
  - {id: open, track: g, from: off, to: on, at: 2025-03-01}
  - {id: flip, track: t, from: a, to: b, after: 1e-18 days, when: g == on}
  - {id: flop, track: t, from: b, to: a, after: 1e-18 days}
outcomes:
  b: {when: t == b}
""",
        encoding="utf-8",
    )
    scenario = sim.load_scenario(path)
    for engine in (REFERENCE, *OTHERS):
        # every engine names the events firing at the looping instant and its date
        with pytest.raises(SimulationError, match="instantaneous loop") as caught:
            run_scenario(scenario, runs=5, seed=1, jobs=1, engine=engine)
        message = str(caught.value)
        assert "flip" in message and "flop" in message and "2025-03-01" in message, engine
        assert "tick" not in message, engine


def test_same_instant_cascade_without_loop_is_equal(tmp_path):
    """A chain of zero-length (below one ulp) waits at one instant: file order, no loop."""
    path = tmp_path / "cascade.yaml"
    path.write_text(
        """\
scenario: cascade
start: 2025-01-01
horizon: 1 year
tracks:
  g: {states: [off, on], initial: off}
  t: {states: [a, b, c], initial: a}
events:
  - {id: open, track: g, from: off, to: on, chance: 50% within 3 months}
  - {id: step2, track: t, from: b, to: c, after: 1e-18 days}
  - {id: step1, track: t, from: a, to: {b: 50%, c: 50%}, after: 1e-18 days, when: g == on}
  - {id: back, track: t, from: c, to: a, at: 2025-06-01, also: {g: off}}
outcomes:
  c: {when: t == c}
  ever_b: {when: t == b, ever: true}
report: {every: 1 week}
""",
        encoding="utf-8",
    )
    assert assert_equivalent(sim.load_scenario(path), 1000, 5) == "ok"


SPEED_CHANGE_AT_DUE_INSTANT = """\
scenario: backwards
start: 2025-01-01
horizon: 60 days
tracks:
  g: {states: [a, b, c], initial: a}
  t: {states: [x, y], initial: x}
events:
  - {id: go, track: g, from: a, to: b, rate: 1 per 10 days}
  - {id: first, track: g, from: b, to: c, after: 1 day}
  - id: slow
    track: t
    from: x
    to: y
    after: 1 day
    when: g != a
    modifiers:
      - {when: g == c, multiply: 0.5}
outcomes:
  c: {when: g == c}
  y: {when: t == y}
"""


def test_speed_change_at_the_instant_a_clock_is_due(tmp_path):
    """``first`` and ``slow`` are both due at T + 1 (T: when ``go`` fired). ``first`` fires
    first (file order) and halves ``slow``'s speed; ``slow``'s remaining work is exactly 0, so
    it fires at the same instant (section 8.3, 8.6). In floats, ``1 - ((T + 1) - T) * 1`` may
    be -ulp: seed 1, runs 6, 10, 29, 82, ... Time must never go backwards: the first time of
    ``y`` is never before that of ``c``, and no engine crashes."""
    path = tmp_path / "backwards.yaml"
    path.write_text(SPEED_CHANGE_AT_DUE_INSTANT, encoding="utf-8")
    scenario = sim.load_scenario(path)
    for name in OTHERS:
        block = get_engine(name).run_block(scenario, RandomBlock.build(scenario, 1, 0, 200))
        backwards = np.flatnonzero(block.first[:, 1] < block.first[:, 0])
        assert backwards.size == 0, f"{name}: 'slow' fired before 'first' in runs {backwards}"
        # run 6: the remaining work rounds to -ulp; floored at 0, 'slow' fires with 'first'
        assert block.first[6, 1] == block.first[6, 0]
    assert compare_blocks(scenario, 1, 0, 200) is not None


def _exact_counts(scenario, seed: int, runs: int) -> Counter:
    """Every run's trajectory, counted from per-run blocks of the compiled engine."""
    engine = get_engine("fast")
    exact: Counter = Counter()
    for start in range(0, runs, 8192):
        block = RandomBlock.build(scenario, seed, start, min(start + 8192, runs))
        exact.update(engine.run_block(scenario, block).trajectories)
    return exact


def test_trajectory_counts_are_exact():
    # Counts come from every run's trajectory code, not from lossy counting.
    scenario = sim.load_scenario(OWN_CASES / "markov_three.yaml")
    results = run_scenario(scenario, runs=20_000, seed=3, jobs=1, engine="fast")
    exact = _exact_counts(scenario, 3, 20_000)
    assert sum(exact.values()) == 20_000
    top = results.top_trajectories()
    assert len(top) == 10
    assert [n for _, n in top] == sorted((n for n in exact.values()), reverse=True)[:10]
    for seq, count in top:
        assert exact[seq] == count
    for seq, count in results.trajectories.items():
        assert exact[seq] == count


def test_top_trajectories_do_not_depend_on_which_sequences_blocks_kept(monkeypatch):
    # With one sequence kept per block, the runner finds the top ten's sequences by simulating
    # their first runs again; the list equals the one found with every sequence known, and
    # ties are broken by the first run, whatever the block size.
    scenario = sim.load_scenario(OWN_CASES / "markov_three.yaml")
    full = run_scenario(scenario, runs=4000, seed=5, jobs=1, engine="simpy")
    monkeypatch.setattr(sim.results, "TOP_PER_BLOCK", 1)
    for engine in ("fast", "simpy"):
        few = run_scenario(scenario, runs=4000, seed=5, jobs=2, engine=engine)
        assert few.top_trajectories() == full.top_trajectories(), engine
    exact = _exact_counts(scenario, 5, 4000)
    assert [n for _, n in full.top_trajectories()] == sorted(exact.values(), reverse=True)[:10]


def test_extreme_beta_chance_runs_and_agrees(tmp_path):
    # {beta: {mean: 0.001, sd: 0.03}} has shapes of about 1e-4 and 0.1: most draws are tiny
    # probabilities, some are near 1. Every engine must run it (it used to loop or hang) and
    # agree run by run.
    path = tmp_path / "beta.yaml"
    path.write_text(
        """\
scenario: tiny_beta
start: 2025-01-01
horizon: 2 years
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: go, track: t, from: a, to: b, chance: {p: {beta: {mean: 0.001, sd: 0.03}}, within: 1 year}}
  - {id: back, track: t, from: b, to: a, after: 30 days}
outcomes:
  b: {when: t == b, ever: true}
""",
        encoding="utf-8",
    )
    scenario = sim.load_scenario(path)
    assert assert_equivalent(scenario, 600, 7) == "ok"


def test_runs_whose_time_barely_moves_stop_with_a_clear_error(tmp_path, monkeypatch):
    # Two events toggling a track with waits of 1e-300 days: every firing is at a new time
    # (no instantaneous loop), but the horizon is never reached. Each engine stops the run at
    # MAX_RUN_FIRINGS firings (lowered here to keep the test short).
    for module in (sim.engines.simpy_engine, sim.engines.numpy_engine, sim.engines.compiled):
        monkeypatch.setattr(module, "MAX_RUN_FIRINGS", 2000)
    path = tmp_path / "creep.yaml"
    path.write_text(
        """\
scenario: creep
start: 2025-01-01
horizon: 1 year
tracks:
  a: {states: [x, y], initial: x}
events:
  - {id: f, track: a, from: x, to: y, after: 1e-300 days}
  - {id: e, track: a, from: y, to: x, after: 1e-300 days}
outcomes:
  y: {when: a == y}
""",
        encoding="utf-8",
    )
    scenario = sim.load_scenario(path)
    for engine in (REFERENCE, *OTHERS):
        with pytest.raises(SimulationError, match="2,000 firings") as caught:
            run_scenario(scenario, runs=3, seed=1, jobs=1, engine=engine)
        assert "1e-300" in str(caught.value) and "f (1000)" in str(caught.value), engine


def test_top_codes_break_ties_by_first_run_with_many_or_few_candidates():
    # top_codes reads only traj_hash: a real Results with other codes put in
    base = run_scenario(sim.load_scenario(OWN_CASES / "one_rate.yaml"), runs=20, seed=0, jobs=1)
    base.top_codes()  # fills the cache of distinct codes, which a replaced copy must not keep
    rng = np.random.default_rng(0)
    # 500 codes seen once each: 500 tied candidates
    flat = dataclasses.replace(
        base, traj_hash=rng.permutation(np.arange(1000, 1500, dtype=np.uint64))
    )
    codes, counts, first = flat.top_codes(10)
    assert first.tolist() == list(range(10)) and (counts == 1).all()
    assert codes.tolist() == flat.traj_hash[:10].tolist()
    # code 7 three times, 5 and 9 twice (9 first), the rest once
    hashes = np.array([3, 9, 7, 5, 7, 9, 5, 7, 1, 2, 4, 6, 8], dtype=np.uint64)
    peaked = dataclasses.replace(base, traj_hash=hashes)
    codes, counts, first = peaked.top_codes(4)
    assert codes.tolist() == [7, 9, 5, 3] and counts.tolist() == [3, 2, 2, 1]
    assert first.tolist() == [2, 1, 3, 0]


def _many_modifiers(n: int) -> str:
    """A clock with ``n`` modifiers, each on while a counter track is at or past a level."""
    states = [f"s{j}" for j in range(40)]
    mods = "\n".join(
        f'      - {{when: "c in [{", ".join(states[i + 1 :])}]", multiply: 1.0{i % 7}}}'
        for i in range(n)
    )
    climbs = "\n".join(
        f"  - {{id: up{j}, track: c, from: s{j}, to: s{j + 1}, rate: 1 per 10 days}}"
        for j in range(39)
    )
    return f"""\
scenario: many_modifiers
start: 2025-01-01
horizon: 2 years
tracks:
  c: {{states: [{", ".join(states)}], initial: s0}}
  t: {{states: [x, y], initial: x}}
events:
{climbs}
  - id: slow
    track: t
    from: x
    to: y
    after: 300 days
    modifiers:
{mods}
outcomes:
  y: {{when: t == y}}
"""


@pytest.mark.parametrize("n_modifiers", [31, 33])
@pytest.mark.parametrize("tabulate", [True, False])
def test_more_modifiers_than_the_kernel_keeps_as_bits(tmp_path, n_modifiers, tabulate):
    # Up to kernels.MAX_MODIFIER_BITS (31) modifiers the compiled engine keeps which hold as
    # bits and skips clocks whose set is unchanged; past it, it multiplies them out each time.
    from sim.kernels import MAX_MODIFIER_BITS

    assert MAX_MODIFIER_BITS == 31
    path = tmp_path / "many.yaml"
    path.write_text(_many_modifiers(n_modifiers), encoding="utf-8")
    scenario = sim.load_scenario(path)
    assert len(scenario.events[-1].modifiers) == n_modifiers
    with ExitStack() as stack:
        if not tabulate:
            for module in TABLE_MODULES:
                stack.enter_context(mock.patch.object(module, "MAX_TABLE", 0))
        ref = compare_blocks(scenario, 4, 0, 300)
    # the speed rises as the counter climbs: 'slow' fires well before its 300 days
    assert ref is not None and np.median(ref.first[:, 0]) < 250
