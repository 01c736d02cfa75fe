"""The array view of a scenario the engines share: its contents on a small scenario worked out
by hand, and its cache."""

from __future__ import annotations

import gc

import numpy as np

import sim
import sim.engines.arrays as arrays
from sim.engines.arrays import scenario_arrays
from sim.kernels import OP_AND, OP_NOT, OP_TEST, W_AT, W_DIST, W_HAZARD

SMALL = """\
scenario: small
start: 2025-01-01
horizon: 2026-01-01
tracks:
  g: {states: [calm, tense, war], initial: calm}
  t: {states: [x, y], initial: x}
events:
  - {id: heat, track: g, from: calm, to: {tense: 25%, war: 75%}, rate: 1 per 100 days}
  - {id: move, track: t, from: x, to: y, after: 1 to 3 months, when: "not g == calm and t == x"}
  - {id: stop, track: t, from: any, to: x, at: 2025-06-01, also: {g: calm}}
outcomes:
  war: {when: g == war}
"""


def load(tmp_path, text=SMALL, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return sim.load_scenario(path)


def test_small_scenario_by_hand(tmp_path):
    a = scenario_arrays(load(tmp_path))
    assert a.track.tolist() == [0, 1, 1]
    assert a.from_mask.tolist() == [[1, 0, 0], [1, 0, 0], [1, 1, 0]]  # any: both states of t
    # the last branch takes the rest; targets padded with the last one
    assert a.cum.tolist() == [[0.25, np.inf], [np.inf, np.inf], [np.inf, np.inf]]
    assert a.targets.tolist() == [[1, 2], [1, 1], [0, 0]]
    assert a.n_to.tolist() == [2, 1, 1]
    assert a.also.tolist() == [[-1, -1], [-1, -1], [0, -1]]
    assert (a.also_ptr.tolist(), a.also_track.tolist(), a.also_state.tolist()) == (
        [0, 0, 0, 1],
        [0],
        [0],
    )
    # g is read by heat (its track) and move (its guard); t by move and stop
    assert a.reader_lists == [[0, 1], [1, 2]]
    assert a.wkind.tolist() == [W_HAZARD, W_DIST, W_AT]
    assert a.day[2] == 151.0 and np.isinf(a.day[:2]).all()  # 2025-06-01 is day 151
    assert a.hz_const[0] == 1.0 and a.hz_per[0] == 100.0 and not a.hz_chance[0]
    # the guard as a postfix program: TEST g, NOT, TEST t, AND of 2
    g = a.guard[1]
    ops = a.code[a.start[g] : a.start[g + 1], 0].tolist()
    assert ops == [OP_TEST, OP_NOT, OP_TEST, OP_AND] and a.guard[0] == a.guard[2] == -1
    # 6 joint states, tabulated; code = 2 g + t
    assert a.tabulated and a.strides.tolist() == [2, 1]
    assert a.en_table[:, 1].tolist() == [False, False, True, False, True, False]
    assert a.out_table[:, 0].tolist() == [False, False, False, False, True, True]


def test_cache_keeps_one_scenario_and_never_hands_it_to_another(tmp_path):
    first = load(tmp_path)
    a = scenario_arrays(first)
    assert scenario_arrays(first) is a
    del first, a
    gc.collect()
    other = load(tmp_path, SMALL.replace("outcomes:", "outcomes:\n  calm: {when: g == calm}"))
    b = scenario_arrays(other)
    assert b.outcome.shape == (2,) and b.sc is other


def test_max_table_zero_leaves_conditions_untabulated(tmp_path, monkeypatch):
    scenario = load(tmp_path)
    assert scenario_arrays(scenario).tabulated
    monkeypatch.setattr(arrays, "MAX_TABLE", 0)
    untabulated = scenario_arrays(scenario)
    assert not untabulated.tabulated and not untabulated.mod_tabulated
    states = np.array([[0, 0], [1, 0], [2, 1]])
    enabled, _, outcomes = untabulated.lookup(states)
    assert enabled[:, 1].tolist() == [False, True, False]
    assert outcomes[:, 0].tolist() == [False, False, True]


def test_a_thousand_tracks_have_an_exact_number_of_joint_states_and_no_overflow_warning():
    # 3**1000 joint states: their float product overflowed (a numpy RuntimeWarning at 1,000
    # tracks) before it was compared with MAX_TABLE
    import warnings
    from types import SimpleNamespace

    from sim.engines.arrays import MAX_TABLE, joint_states

    scenario = SimpleNamespace(tracks=[SimpleNamespace(states=("a", "b", "c"))] * 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert joint_states(scenario) == 3**1000 > MAX_TABLE
