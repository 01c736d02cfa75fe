"""Addressed random numbers: a block's numbers do not depend on how runs are split."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import kernels, load_scenario
from sim.model.streams import CHUNK, RandomBlock, blocks, stream_key, uniforms
from tests.conftest import OWN_CASES


def test_blocks_never_cross_a_chunk():
    bounds = blocks(3 * CHUNK + 5, size=3000)
    assert bounds[0] == (0, 3000)
    assert all(a // CHUNK == (b - 1) // CHUNK for a, b in bounds)
    assert sum(b - a for a, b in bounds) == 3 * CHUNK + 5
    assert all(bounds[i][1] == bounds[i + 1][0] for i in range(len(bounds) - 1))


def test_a_block_is_a_slice_of_the_whole_chunk():
    scenario = load_scenario(OWN_CASES / "markov_three.yaml")
    whole = RandomBlock.build(scenario, 7, CHUNK, CHUNK + 1000)
    part = RandomBlock.build(scenario, 7, CHUNK + 300, CHUNK + 700)
    for k in (0, 1, 5):
        assert np.array_equal(part.wait(3, k), whole.wait(3, k)[300:700])
        assert np.array_equal(part.branch(2, k), whole.branch(2, k)[300:700])
    assert np.array_equal(part.init, whole.init[300:700])


def test_philox_matches_the_random123_known_answer():
    # Random123 kat_vectors: philox4x64-10, counter 0, key 0
    zero = np.uint64(0)
    words = kernels.philox(zero, zero, zero, zero, zero, zero)
    assert [int(w) for w in words] == [
        0x16554D9ECA36314C,
        0xDB20FE9D672D0FDC,
        0xD7E772CEE186176B,
        0x7E68B68AEC7BA23B,
    ]


@pytest.mark.parametrize("start", [0, 1, 3, 4, 8190, 10**6 + 2])
def test_a_layer_is_numpy_philox_number_run_of_the_stream(start):
    # The uniform of (run i, layer k) is number i of numpy's Philox with key (seed, key) and
    # counter (0, k, 0, 0), as ((word >> 12) + 1/2) 2**-52.
    seed, key, k = 2**63 + 5, stream_key("wait:x"), 7
    # numpy increments the counter before each block of four words
    counter = np.array([start // 4, k, 0, 0], dtype=np.uint64)
    bits = np.random.Philox(key=np.array([seed, key], dtype=np.uint64), counter=counter)
    raw = bits.random_raw(100 + start % 4)[start % 4 :]
    expected = ((raw >> np.uint64(12)).astype(float) + 0.5) * 2.0**-52
    got = uniforms(seed, "wait:x", start, start + 100, k)
    assert np.array_equal(got, expected)
    one = kernels.uniform(np.uint64(seed), np.uint64(key), np.uint64(start + 37), np.uint64(k))
    assert one == expected[37]


def test_short_and_ragged_layers_equal_the_addressed_uniforms():
    # layer() takes one Philox block per four runs; blocks cut at either end must agree
    seed, key, k = np.uint64(9), np.uint64(stream_key("slot:p")), np.uint64(0)
    for start in range(6):
        for n in range(1, 11):
            got = kernels.layer(seed, key, start, n, k)
            want = [kernels.uniform(seed, key, np.uint64(start + i), k) for i in range(n)]
            assert got.tolist() == want, (start, n)


def test_uniforms_are_in_the_open_unit_interval_and_look_uniform():
    u = uniforms(0, "wait:e", 0, CHUNK, 2)
    assert u.min() >= 2.0**-53 and u.max() <= 1 - 2.0**-53
    # the mean of n uniforms has sd 1/sqrt(12 n)
    assert abs(u.mean() - 0.5) < 5 / np.sqrt(12 * u.size)


def test_streams_are_named_by_event_not_position():
    # Removing one event (a variant's disable) leaves the other events' numbers unchanged.
    scenario = load_scenario(OWN_CASES / "markov_three.yaml")
    fewer = dataclasses.replace(scenario, events=scenario.events[1:])
    a = RandomBlock.build(scenario, 3, 0, 100)
    b = RandomBlock.build(fewer, 3, 0, 100)
    assert np.array_equal(a.wait(1, 4), b.wait(0, 4))


def test_different_chunks_and_seeds_differ():
    assert not np.array_equal(uniforms(1, "s", 0, 100), uniforms(1, "s", CHUNK, CHUNK + 100))
    assert not np.array_equal(uniforms(1, "s", 0, 100), uniforms(2, "s", 0, 100))


def test_bad_blocks_are_refused():
    scenario = load_scenario(OWN_CASES / "ever_or_end.yaml")
    with pytest.raises(ValueError):
        RandomBlock.build(scenario, -1, 0, 10)
    with pytest.raises(ValueError):
        RandomBlock.build(scenario, 1, CHUNK - 5, CHUNK + 5)


def test_stream_keys_are_64_bit_blake2b():
    import hashlib

    digest = hashlib.blake2b(b"slot:p", digest_size=8).digest()
    assert stream_key("slot:p") == int.from_bytes(digest, "little")
    assert stream_key("slot:p") >= 2**32 or stream_key("wait:e") >= 2**32  # not a 32-bit CRC


TINY_INITIAL = """\
scenario: tiny_init
start: 2025-01-01
horizon: 30 days
tracks:
  t: {states: [a, b], initial: {a: 0.0000000009, b: 1}}
  g: {states: [x, y], initial: x}
events:
  - {id: flip, track: g, from: x, to: y, rate: 1 per 60 days}
outcomes:
  in_a: {when: t == a}
"""


def test_initial_states_are_the_inverse_cdf_even_beside_a_probability_of_one(tmp_path, monkeypatch):
    # Probabilities may sum to 1 within 1e-9: a state of probability 9e-10 before one of
    # probability 1 is still drawn when the uniform falls below it.
    from sim.engines.draws import initial_states

    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_INITIAL, encoding="utf-8")
    scenario = load_scenario(path)
    block = RandomBlock.build(scenario, 1, 0, 4)
    uniforms = np.array([[5e-10, 0.3], [8.9e-10, 0.5], [9.1e-10, 0.7], [0.5, 0.9]])
    monkeypatch.setattr(RandomBlock, "init", property(lambda self: uniforms))
    assert initial_states(scenario, block).tolist() == [[0, 0], [0, 0], [1, 0], [1, 0]]
