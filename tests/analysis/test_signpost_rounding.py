"""Signpost probabilities stay in [0, 1] when the weighted sums round (a run's weight is a
product of confidences such as 0.9 x 0.85, and a part and its whole are summed in different
orders)."""

from __future__ import annotations

import numpy as np

from sim.analysis.evidence import signpost_row


def test_an_outcome_certain_when_the_indicator_is_false_gives_exactly_one():
    # Seed 1 is one where the unclipped ratio came out as 1.0000000000000004.
    rng = np.random.default_rng(1)
    n = 1000
    weights = rng.choice([0.9 * 0.85, 0.1 * 0.15, 0.9, 0.1, 0.8 * 0.9], size=n)
    indicator = rng.random(n) < 0.9
    outcome = ~indicator | (rng.random(n) < 0.3)
    row = signpost_row(indicator, outcome, weights)
    assert row["p_outcome_if_false"] == 1.0
    # P(O | I) by hand: the weight of the runs with both, over the weight of those with I.
    expected = weights[indicator & outcome].sum() / weights[indicator].sum()
    assert abs(row["p_outcome_if_true"] - expected) < 1e-12
    assert 0.0 <= row["p_indicator"] <= 1.0
