"""Addressed random numbers: a block's numbers do not depend on how runs are split."""

from __future__ import annotations

import numpy as np
import pytest

from sim import load_scenario
from sim.model.streams import CHUNK, DEPTH, RandomBlock, blocks

from .conftest import BENCH, CASES


def test_blocks_never_cross_a_chunk():
    bounds = blocks(3 * CHUNK + 5, size=3000)
    assert bounds[0] == (0, 3000)
    assert all(a // CHUNK == (b - 1) // CHUNK for a, b in bounds)
    assert sum(b - a for a, b in bounds) == 3 * CHUNK + 5
    assert all(bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1))


def test_a_block_is_a_slice_of_the_whole_chunk():
    scenario = load_scenario(BENCH / "markov6.yaml")
    whole = RandomBlock.build(scenario, 7, CHUNK, CHUNK + 1000)
    part = RandomBlock.build(scenario, 7, CHUNK + 300, CHUNK + 700)
    assert np.array_equal(part.wait, whole.wait[:, 300:700])
    assert np.array_equal(part.branch, whole.branch[:, 300:700])
    assert np.array_equal(part.init, whole.init[300:700])


def test_uniforms_are_in_the_open_unit_interval_and_look_uniform():
    scenario = load_scenario(BENCH / "markov6.yaml")
    block = RandomBlock.build(scenario, 0, 0, 4096)
    u = block.wait.ravel()
    assert u.min() > 0 and u.max() < 1
    # mean of n uniforms has sd 1/sqrt(12 n)
    assert abs(u.mean() - 0.5) < 5 / np.sqrt(12 * u.size)


def test_streams_are_named_by_event_not_position():
    # Removing one event (a variant's disable) leaves the other events' numbers unchanged.
    scenario = load_scenario(BENCH / "markov6.yaml")
    import dataclasses

    fewer = dataclasses.replace(scenario, events=scenario.events[1:])
    a = RandomBlock.build(scenario, 3, 0, 100)
    b = RandomBlock.build(fewer, 3, 0, 100)
    assert np.array_equal(a.wait[1:], b.wait)


def test_spill_past_the_table_is_deterministic():
    scenario = load_scenario(CASES / "ever.yaml")
    a = RandomBlock.build(scenario, 1, 0, 10)
    b = RandomBlock.build(scenario, 1, 0, 10)
    first = [a.wait_u(0, 4, k) for k in range(DEPTH, DEPTH + 5)]
    assert [b.wait_u(0, 4, k) for k in reversed(range(DEPTH, DEPTH + 5))][::-1] == first
    assert len(set(first)) == 5
    assert a.wait_u(0, 4, DEPTH) != a.wait_u(0, 5, DEPTH)


def test_negative_seed_is_refused():
    scenario = load_scenario(CASES / "ever.yaml")
    with pytest.raises(ValueError):
        RandomBlock.build(scenario, -1, 0, 10)
