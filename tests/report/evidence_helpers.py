"""A sample results folder with evidence, indicators and signposts, numbers chosen so the
report's sentences can be worked out by hand."""

from __future__ import annotations

import copy

from tests.report.helpers import ARABIC_STATE, sample_summary

HOSTILE = "<img src=x onerror=alert(1)>"


def evidence_summary() -> dict:
    """:func:`tests.report.helpers.sample_summary` given two observations (the second one
    surprising: 5% of runs agree), with 240 effective runs, parameters before and after, two
    indicators (one with a hostile label) and their signposts.

    Outcomes: security_vacuum 31% before, 20% given the evidence; us_reengaged 55% before, 80%
    given it. Signposts consistent with them: 0.4 x 35% + 0.6 x 10% = 20% and
    0.25 x 50% + 0.75 x 90% = 80%.
    """
    s = copy.deepcopy(sample_summary())
    s["outcomes"]["security_vacuum"] |= {
        "probability": 0.2,
        "prior_probability": 0.31,
        "ci95": [0.15, 0.26],
        "words": "unlikely",
    }
    s["outcomes"]["us_reengaged"] |= {
        "probability": 0.8,
        "prior_probability": 0.55,
        "ci95": [0.74, 0.85],
        "words": "likely",
    }
    s["evidence"] = {
        "as_of": "2025-11-01",
        "observations": 2,
        "probability": 0.25,
        "effective_runs": 240.0,
        "items": [
            {"date": "2025-10-01", "when": "us_posture == limited_return", "ever": False,
             "observed": True, "confidence": 1.0, "agree": 0.3,
             "label": "US back <script>", "source": "Statement & co"},
            {"date": "2025-11-01", "when": "security == vacuum", "ever": True,
             "observed": False, "confidence": 0.9, "agree": 0.05, "note": ARABIC_STATE},
        ],
    }  # fmt: skip
    s["parameters"] = {
        "risk": {"label": "Risk of collapse", "value": "10% to 30%", "runs": 1000,
                 "prior": {"mean": 0.2, "p5": 0.1, "p50": 0.2, "p95": 0.3},
                 "posterior": {"mean": 0.25, "p5": 0.15, "p50": 0.25, "p95": 0.34}},
        "delay": {"label": "Delay", "value": "30 to 90 days", "runs": 1000,
                  "prior": {"mean": 60.0, "p5": 30.0, "p50": 60.0, "p95": 90.0},
                  "posterior": {"mean": 63.0, "p5": 31.0, "p50": 62.0, "p95": 90.0}},
    }  # fmt: skip
    s["indicators"] = {
        "talks": {"label": "The talks open", "when": "t == x", "ever": True,
                  "dates": ["2025-10-01", "2025-12-01"]},
        "hostile": {"label": HOSTILE, "when": "t == y", "ever": False,
                    "dates": ["2025-10-01", "2025-12-01"]},
    }  # fmt: skip
    s["signposts"] = {
        "security_vacuum": [
            _row("talks", "2025-12-01", 0.4, 0.35, 0.1, 0.05),
            _row("talks", "2025-10-01", 0.2, 0.3, 0.175, 0.02),  # same indicator: left out
            _row("hostile", "2025-10-01", 0.5, 0.2, 0.2, 0.0),  # tells nothing: left out
        ],
        "us_reengaged": [
            _row("hostile", "2025-12-01", 0.25, 0.5, 0.9, 0.02),
            _row("talks", "2025-12-01", 0.4, 0.81, 0.7933, 0.0005),  # below 0.001 bits
        ],
    }
    return s


def _row(indicator, date, p_i, if_true, if_false, bits):
    return {
        "indicator": indicator,
        "date": date,
        "p_indicator": p_i,
        "p_outcome_if_true": if_true,
        "p_outcome_if_false": if_false,
        "likelihood_ratio": None,
        "information_bits": bits,
    }


def ruled_out_summary() -> dict:
    """:func:`evidence_summary` ruled out by the evidence: no posterior, null shares."""
    s = evidence_summary()
    for o in s["outcomes"].values():
        o |= {"probability": None, "ci95": None, "words": None, "first_time_median": None}
        o.pop("by_date", None)
        o.pop("by_date_ci95", None)
    s["states_at_horizon"] = {
        t: {state: None for state in shares} for t, shares in s["states_at_horizon"].items()
    }
    for ev in s["events"].values():
        ev |= {"fired_probability": None, "mean_fires": None}
    s["trajectories"] = []
    s["evidence"]["probability"] = 0.0
    s["evidence"]["effective_runs"] = 0.0
    s["evidence"]["items"][1]["agree"] = 0.0
    for p in s["parameters"].values():
        p.pop("prior"), p.pop("posterior")
    del s["signposts"]
    s["ruled_out_by_evidence"] = True
    return s
