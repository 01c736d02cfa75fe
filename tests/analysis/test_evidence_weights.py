"""Weighted results (format section 10) from small arrays whose answers are computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.compare import weighted_entry
from sim.analysis.evidence import weighted_quantile
from sim.analysis.sensitivity import row_means, spread
from sim.analysis.words import effective_wilson, wilson_intervals
from sim.contracts import ComparisonFile, SummaryFile
from sim.model.evidence import observation_weights


def test_weighted_quantile_is_the_smallest_value_carrying_q_of_the_weight():
    values = np.array([4.0, 1.0, 3.0, 2.0])
    weights = np.array([0.4, 0.1, 0.3, 0.2])  # sorted: 1 (.1), 2 (.3), 3 (.6), 4 (1.0)
    assert weighted_quantile(values, weights, 0.5) == 3.0
    assert weighted_quantile(values, weights, 0.3) == 2.0  # exactly 0.3 of the weight
    assert weighted_quantile(values, weights, 0.05) == 1.0
    assert weighted_quantile(values, weights, 1.0) == 4.0
    assert math.isnan(weighted_quantile(values, np.zeros(4), 0.5))


def test_weighted_quantile_with_equal_weights_is_the_ceil_qn_th_smallest():
    rng = np.random.default_rng(3)
    values = rng.random(101)
    ordered = np.sort(values)
    for q in (0.05, 0.5, 0.95):
        k = math.ceil(q * 101)
        assert weighted_quantile(values, np.full(101, 2.5), q) == ordered[k - 1]
        assert weighted_quantile(values, None, q) == ordered[k - 1]


def test_infinite_first_times_give_an_infinite_median_when_they_carry_half():
    first = np.array([1.0, np.inf, np.inf, 2.0])
    assert weighted_quantile(first, np.array([0.3, 0.5, 0.1, 0.1]), 0.5) == np.inf
    assert weighted_quantile(first, np.array([0.5, 0.2, 0.2, 0.1]), 0.5) == 1.0


def test_observation_weights_multiply_confidence_or_its_complement():
    values = np.array([[True, False], [True, True], [False, False]])
    w = observation_weights(values, np.array([True, False]), np.array([1.0, 0.8]))
    assert w.tolist() == pytest.approx([0.8, 0.2, 0.0])


def test_effective_wilson_is_wilson_with_n_eff():
    low, high = effective_wilson(0.3, 100.0)
    want = wilson_intervals(30, 100)
    assert (float(low), float(high)) == pytest.approx((float(want[0]), float(want[1])))
    low, high = effective_wilson(0.0, 12.5)
    assert float(low) == 0.0 and float(high) == pytest.approx(
        1.959963984540054**2 / (12.5 + 3.8414588206941254)
    )
    with pytest.raises(ValueError):
        effective_wilson(0.5, 0.0)


def test_row_means_weigh_each_row_and_leave_nan_where_no_run_is_left():
    flags = np.array([[1], [0], [1], [1]], dtype=bool)
    rows = np.array([0, 0, 1, 1])
    weights = np.array([0.25, 0.75, 0.0, 0.0])
    got = row_means(flags, rows, weights)
    assert got[0, 0] == pytest.approx(0.25) and math.isnan(got[1, 0])
    assert row_means(flags, rows).ravel().tolist() == [0.5, 1.0]


def test_spread_leaves_out_the_draws_the_evidence_rules_out():
    flags = np.array([[1], [0], [1], [1], [0], [0]], dtype=bool)
    rows = np.array([0, 0, 1, 1, 2, 2])
    weights = np.array([1.0, 1.0, 0.0, 0.0, 1.0, 1.0])
    (got,) = spread(flags, rows, weights)
    # draws 0 (p 0.5) and 2 (p 0), each of weight 2, stand at levels 1/4 and 3/4
    # (sim.analysis.sensitivity.draw_quantile): the median is halfway, p90 the larger
    assert got["draws"] == 2 and got["raw_median"] == 0.25 and got["raw_p90"] == 0.5
    # their variance about the mean 0.25 is 0.0625, less than the noise of 2 effective runs
    # a draw, (0.5 x 0.5 / 1 + 0) / 2 = 0.125: with the noise removed nothing is left
    assert got["p10"] == got["p90"] == 0.25 and got["noise_dominated"] is True


def test_weighted_comparison_with_equal_weights_is_the_paired_difference(tmp_path):
    class R:  # the few attributes weighted_entry reads
        def __init__(self, flags, weights):
            self.flags = np.asarray(flags, dtype=bool)[:, None]
            self.weights = np.asarray(weights, dtype=float)
            self.runs = len(weights)
            self.weighted = True

        @property
        def effective_runs(self):
            return self.weights.sum() ** 2 / (self.weights**2).sum()

    x = [1, 1, 0, 0, 1, 0, 0, 0]
    y = [1, 0, 1, 1, 1, 0, 1, 0]
    ones = [1.0] * 8
    got = weighted_entry(R(x, ones), 0, R(y, ones), 0)
    # b = runs 1 then 0: 1; c = runs 0 then 1: 3; difference (c - b) / n = 0.25
    assert got["difference"] == pytest.approx(0.25) and got["probability"] == pytest.approx(5 / 8)
    d = np.array(y, float) - 5 / 8 - (np.array(x, float) - 3 / 8)
    half = 1.959963984540054 * math.sqrt(float(np.sum(d**2)) / 64)
    assert got["difference_ci95"] == pytest.approx([0.25 - half, 0.25 + half])
    out = weighted_entry(R(x, ones), 0, R(y, [0.0] * 8), 0)
    assert out["probability"] is None and out["ruled_out_by_evidence"]


def test_a_null_probability_is_refused_unless_the_variant_is_ruled_out():
    outcome = {"label": "B", "probability": None, "ci95": None}
    with pytest.raises(ValueError, match="ruled out"):
        SummaryFile.model_validate({"outcomes": {"b": outcome}})
    SummaryFile.model_validate({"outcomes": {"b": outcome}, "ruled_out_by_evidence": True})
    entry = {"probability": None}
    comparison = {"variants": {"base": {}}, "outcomes": {"b": {"by_variant": {"base": entry}}}}
    with pytest.raises(ValueError, match="must be a number"):
        ComparisonFile.model_validate(comparison)
    entry["ruled_out_by_evidence"] = True
    ComparisonFile.model_validate(comparison)
