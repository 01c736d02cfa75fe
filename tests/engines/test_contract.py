"""The contract every engine keeps, written once and subclassed per registered engine (as
``scipy.stats.qmc``'s ``QMCEngineTests``).

An engine returns a :class:`~sim.results.BlockResult` of the documented shapes and dtypes; the
same seed gives the same runs; a run does not depend on the block it is run in; outcome
probabilities match closed forms; a run out of control raises
:class:`~sim.errors.SimulationError` naming the run. Run-by-run agreement between engines is
checked in ``tests/engines/test_equivalence.py``.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest

import sim
from sim.engines import ENGINE_NAMES, get_engine
from sim.engines.base import Engine
from sim.errors import SimulationError
from sim.model.streams import RandomBlock
from sim.results import BlockResult, Partial

SHAPES = """\
scenario: contract
start: 2025-01-01
horizon: 2026-01-01
tracks:
  g: {states: [calm, tense, war], initial: {calm: 70%, tense: 30%}}
  t: {states: [x, y], initial: x}
parameters:
  p: {value: 20% to 60%}
events:
  - {id: heat, track: g, from: calm, to: {tense: 60%, war: 40%}, chance: $p within 6 months}
  - {id: cool, track: g, from: tense, to: calm, after: 1 to 3 months}
  - {id: move, track: t, from: x, to: y, rate: 1 per 200 days, when: g != calm}
outcomes:
  war: {when: g == war}
  moved: {when: t == y, ever: true}
report:
  dates: [2025-04-01, 2025-09-01]
"""

# A single event with a constant hazard: it has fired by day d with probability
# 1 - exp(-rate d); with 'chance: P within D' the rate is -ln(1 - P) / D, so 1 - (1 - P)^(d/D).
# The horizon, 2026-01-01, is 365 days after the start.
RATE = """\
scenario: closed_form
start: 2025-01-01
horizon: 2026-01-01
tracks:
  t: {states: [a, b], initial: a}
  u: {states: [a, b], initial: a}
events:
  - {id: go, track: t, from: a, to: b, rate: 1 per 500 days}
  - {id: leap, track: u, from: a, to: b, chance: 30% within 100 days}
outcomes:
  went: {when: t == b}
  leapt: {when: u == b}
"""
P_WENT = 1.0 - math.exp(-365 / 500)  # 0.5181...
P_WENT_BY_100 = 1.0 - math.exp(-100 / 500)  # 0.1813...
P_LEAPT = 1.0 - 0.7 ** (365 / 100)  # 0.7277...

LOOP = """\
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

CLOSED_FORM_RUNS = 4000


def load(tmp_path, text: str):
    path = tmp_path / "scenario.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return sim.load_scenario(path)


def within_5_se(hits: np.ndarray, p: float) -> bool:
    """Whether the share of True in ``hits`` lies within 5 standard errors of ``p``."""
    se = math.sqrt(p * (1.0 - p) / hits.size)
    return abs(hits.mean() - p) <= 5 * se


class EngineContract:
    """Checks every engine must pass; a subclass per registered engine sets ``name``."""

    name: str

    def engine(self) -> Engine:
        return get_engine(self.name)

    def run(self, scenario, seed: int, start: int, stop: int) -> BlockResult:
        return self.engine().run_block(scenario, RandomBlock.build(scenario, seed, start, stop))

    def test_is_a_registered_engine(self):
        engine = self.engine()
        assert isinstance(engine, Engine)
        assert engine.name == self.name
        assert engine.block_size >= 256

    def test_block_result_shapes_and_dtypes(self, tmp_path):
        scenario = load(tmp_path, SHAPES)
        n = 50
        out = self.run(scenario, 1, 0, n)
        assert isinstance(out, BlockResult)
        # 2 tracks, 2 outcomes, 3 events, 1 uncertain value; checkpoints: the 2 report dates,
        # the monthly grid and the horizon
        n_points = len(sim.model.scenario.checkpoints(scenario))
        assert n_points >= 3
        for field, shape, dtype in (
            ("final", (n, 2), np.int16),
            ("first", (n, 2), np.float64),
            ("at_points", (n, n_points, 2), np.int16),
            ("fires", (n, 3), np.int32),
            ("slot_values", (n, 1), np.float64),
            ("traj_hash", (n,), np.uint64),
        ):
            value = getattr(out, field)
            assert value.shape == shape, field
            assert value.dtype == dtype, field
        assert sum(_counts(out.trajectories).values()) == n
        assert ((out.slot_values > 0.0) & (out.slot_values < 1.0)).all()  # a probability
        assert np.array_equal(out.final, out.at_points[:, -1])  # the last checkpoint: horizon
        assert set(np.unique(out.final[:, 0])) <= {0, 1, 2}
        # first times are days in [0, 365] or inf (never)
        first = out.first[np.isfinite(out.first)]
        assert ((first >= 0.0) & (first <= 365.0)).all()

    def test_same_seed_same_runs_other_seed_other_runs(self, tmp_path):
        scenario = load(tmp_path, SHAPES)
        a, b = self.run(scenario, 7, 0, 200), self.run(scenario, 7, 0, 200)
        c = self.run(scenario, 8, 0, 200)
        for field in ("final", "first", "at_points", "fires", "slot_values", "traj_hash"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), field
        assert not np.array_equal(a.traj_hash, c.traj_hash)
        assert not np.array_equal(a.slot_values, c.slot_values)

    def test_runs_do_not_depend_on_block_boundaries(self, tmp_path):
        scenario = load(tmp_path, SHAPES)
        whole = self.run(scenario, 3, 100, 400)
        parts = [self.run(scenario, 3, a, b) for a, b in ((100, 137), (137, 300), (300, 400))]
        for field in ("final", "first", "at_points", "fires", "slot_values", "traj_hash"):
            joined = np.concatenate([getattr(p, field) for p in parts])
            assert np.array_equal(getattr(whole, field), joined), field

    def test_run_reduced_is_the_reduced_block(self, tmp_path):
        scenario = load(tmp_path, SHAPES)
        block = RandomBlock.build(scenario, 5, 0, 300)
        want = Partial.reduce(scenario, self.engine().run_block(scenario, block))
        got = self.engine().run_reduced(scenario, block, keep=10)
        for field in ("flags", "first", "final", "traj_hash", "occupancy", "by_point"):
            assert np.array_equal(getattr(want, field), getattr(got, field)), field
        for field in ("passage", "fired", "fire_count"):
            assert np.array_equal(getattr(want, field), getattr(got, field)), field
        assert np.array_equal(got.slot_values, want.slot_values[:10])

    def test_constant_hazard_matches_its_closed_form(self, tmp_path):
        scenario = load(tmp_path, RATE)
        assert scenario.horizon_days == 365
        out = self.run(scenario, 20250801, 0, CLOSED_FORM_RUNS)
        went, leapt = np.isfinite(out.first[:, 0]), np.isfinite(out.first[:, 1])
        assert np.array_equal(went, out.final[:, 0] == 1)
        assert within_5_se(went, P_WENT), went.mean()
        assert within_5_se(out.first[:, 0] <= 100.0, P_WENT_BY_100)
        assert within_5_se(leapt, P_LEAPT), leapt.mean()
        assert np.array_equal(out.fires[:, 0], went.astype(np.int32))

    def test_a_loop_raises_naming_the_run(self, tmp_path):
        scenario = load(tmp_path, LOOP)
        with pytest.raises(SimulationError, match=r"\brun 17\b"):
            self.run(scenario, 1, 17, 40)


def _counts(trajectories) -> dict:
    """Trajectory -> number of runs, from a Counter or a per-run list."""
    if isinstance(trajectories, dict):
        return trajectories
    out: dict = {}
    for t in trajectories:
        out[t] = out.get(t, 0) + 1
    return out


class TestCompiledEngine(EngineContract):
    name = "compiled"


class TestNumPyEngine(EngineContract):
    name = "numpy"


class TestSimPyEngine(EngineContract):
    name = "simpy"


def test_every_registered_engine_has_a_contract_test():
    tested = {cls.name for cls in EngineContract.__subclasses__()}
    assert tested == set(ENGINE_NAMES)
