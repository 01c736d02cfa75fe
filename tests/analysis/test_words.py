"""Words of estimative probability (ICD 203) and Wilson score intervals, against hand values."""

import math

import numpy as np
import pytest

from sim.analysis.words import (
    estimative_words,
    format_probability,
    wilson_interval,
    wilson_intervals,
)

Z = 1.959963984540054


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.0, "almost no chance"),
        (0.01, "almost no chance"),
        (0.0499, "almost no chance"),
        (0.10, "very unlikely"),
        (0.1999, "very unlikely"),
        (0.31, "unlikely"),
        (0.4499, "unlikely"),
        (0.50, "roughly even chance"),
        (0.5501, "likely"),
        (0.70, "likely"),
        (0.8001, "very likely"),
        (0.90, "very likely"),
        (0.9501, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_each_band(p, words):
    assert estimative_words(p) == words


@pytest.mark.parametrize(
    ("p", "words"),
    [
        (0.05, "very unlikely"),
        (0.20, "unlikely"),
        (0.45, "roughly even chance"),
        (0.55, "roughly even chance"),
        (0.80, "likely"),
        (0.95, "very likely"),
    ],
)
def test_boundary_goes_to_the_band_nearer_even(p, words):
    assert estimative_words(p) == words


def test_boundaries_from_counts_match_literals():
    # Shares computed as k / n land exactly on the boundaries.
    assert estimative_words(500 / 10_000) == "very unlikely"
    assert estimative_words(4_500 / 10_000) == "roughly even chance"
    assert estimative_words(9_500 / 10_000) == "very likely"


@pytest.mark.parametrize("p", [-0.01, 1.01, math.nan, math.inf])
def test_words_reject_non_probabilities(p):
    with pytest.raises(ValueError):
        estimative_words(p)


def test_wilson_zero_of_thousand():
    low, high = wilson_interval(0, 1000)
    assert low == 0.0
    # Hand value: z^2 / (n + z^2) = 3.841459 / 1003.841459 = 0.0038268
    assert round(high, 4) == 0.0038
    assert high == pytest.approx(0.0038268, abs=1e-7)
    assert high == pytest.approx(Z**2 / (1000 + Z**2), rel=1e-12)


def test_wilson_half_of_hundred():
    low, high = wilson_interval(50, 100)
    # Hand value: centre 0.5, half-width 1.96 * sqrt(0.0025 + 0.00009604) / 1.0384146 = 0.0961685
    assert low == pytest.approx(0.40383, abs=1e-5)
    assert high == pytest.approx(0.59617, abs=1e-5)


def test_wilson_one_of_ten_textbook_value():
    # Agresti & Coull (1998) / Newcombe (1998): 1 of 10 gives [0.0179, 0.4042].
    low, high = wilson_interval(1, 10)
    assert (round(low, 4), round(high, 4)) == (0.0179, 0.4042)


def test_wilson_all_of_n_is_mirror_of_none():
    low, high = wilson_interval(1000, 1000)
    assert high == 1.0
    assert low == pytest.approx(1 - 0.0038268, abs=1e-7)


def test_wilson_symmetry_and_containment():
    for k in range(0, 21):
        low, high = wilson_interval(k, 20)
        mirror_low, mirror_high = wilson_interval(20 - k, 20)
        assert 0 <= low <= k / 20 <= high <= 1
        assert low == pytest.approx(1 - mirror_high, abs=1e-12)
        assert high == pytest.approx(1 - mirror_low, abs=1e-12)


def test_wilson_narrower_z_gives_narrower_interval():
    low95, high95 = wilson_interval(30, 100)
    low68, high68 = wilson_interval(30, 100, z=1.0)
    assert low95 < low68 < 0.3 < high68 < high95


@pytest.mark.parametrize(("k", "n"), [(0, 0), (1, 0), (-1, 10), (11, 10), (1.5, 10)])
def test_wilson_rejects_bad_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


def test_wilson_vectorised_matches_scalar():
    k = np.array([0, 1, 50, 999, 1000])
    n = np.array([1000, 10, 100, 1000, 1000])
    low, high = wilson_intervals(k, n)
    assert low.shape == high.shape == (5,)
    for i in range(5):
        assert (low[i], high[i]) == pytest.approx(wilson_interval(int(k[i]), int(n[i])))


def test_wilson_vectorised_broadcasts_and_checks():
    low, high = wilson_intervals(np.array([[0, 5], [10, 2]]), 10)
    assert low.shape == (2, 2)
    assert low[0, 0] == 0.0 and high[1, 0] == 1.0
    with pytest.raises(ValueError):
        wilson_intervals(np.array([1, 2]), np.array([10, 0]))


def test_format_probability():
    assert format_probability(0.31) == "31.0%"
    assert format_probability(0.4712) == "47.1%"
    assert format_probability(0.0) == "0%"
    assert format_probability(1.0) == "100%"
    assert format_probability(0.0001) == "<0.1%"
    assert format_probability(0.9999) == ">99.9%"
