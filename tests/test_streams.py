"""Addressed random numbers: a block's numbers do not depend on how runs are split."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import load_scenario
from sim.model.streams import CHUNK, RandomBlock, blocks, uniforms

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
    for k in (0, 1, 5):
        assert np.array_equal(part.wait(3, k), whole.wait(3, k)[300:700])
        assert np.array_equal(part.branch(2, k), whole.branch(2, k)[300:700])
    assert np.array_equal(part.init, whole.init[300:700])


def test_layers_are_laid_out_run_by_run_then_layer_by_layer():
    # The uniform of (run i of chunk c, layer k) is number k * CHUNK + i of the stream.
    seq = uniforms(3, "wait:x", 0, CHUNK, 0)
    nxt = uniforms(3, "wait:x", 0, 10, 1)
    g = np.random.Generator(
        np.random.PCG64(
            np.random.SeedSequence(3, spawn_key=(0, __import__("zlib").crc32(b"wait:x")))
        )
    )
    raw = g.random(CHUNK + 10) + 2.0**-54
    assert np.array_equal(seq, raw[:CHUNK])
    assert np.array_equal(nxt, raw[CHUNK:])


def test_uniforms_are_in_the_open_unit_interval_and_look_uniform():
    u = uniforms(0, "wait:e", 0, CHUNK, 2)
    assert u.min() > 0 and u.max() < 1
    # the mean of n uniforms has sd 1/sqrt(12 n)
    assert abs(u.mean() - 0.5) < 5 / np.sqrt(12 * u.size)


def test_streams_are_named_by_event_not_position():
    # Removing one event (a variant's disable) leaves the other events' numbers unchanged.
    scenario = load_scenario(BENCH / "markov6.yaml")
    fewer = dataclasses.replace(scenario, events=scenario.events[1:])
    a = RandomBlock.build(scenario, 3, 0, 100)
    b = RandomBlock.build(fewer, 3, 0, 100)
    assert np.array_equal(a.wait(1, 4), b.wait(0, 4))


def test_different_chunks_and_seeds_differ():
    assert not np.array_equal(uniforms(1, "s", 0, 100), uniforms(1, "s", CHUNK, CHUNK + 100))
    assert not np.array_equal(uniforms(1, "s", 0, 100), uniforms(2, "s", 0, 100))


def test_bad_blocks_are_refused():
    scenario = load_scenario(CASES / "ever.yaml")
    with pytest.raises(ValueError):
        RandomBlock.build(scenario, -1, 0, 10)
    with pytest.raises(ValueError):
        RandomBlock.build(scenario, 1, CHUNK - 5, CHUNK + 5)
