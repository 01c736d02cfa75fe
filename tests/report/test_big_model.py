"""A big model's report (F9): comparison charts of 31 outcomes fit a slide and draw those with
the largest differences, the key judgments list the most likely ten, and the probability-over-
time chart zooms its y axis when every share is small."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from sim.plots import plot_over_time, plot_variant_differences  # noqa: E402
from sim.report.comparison import render_comparison  # noqa: E402
from sim.report.drawn import compared_outcomes  # noqa: E402
from sim.report.judgments import key_judgments  # noqa: E402

MAX_WIDTH, MAX_HEIGHT = 1600, 1800  # about a slide, as the variants' own charts
OUTCOMES = 31


def _comparison(variants: int) -> dict:
    """Base and ``variants`` - 1 others; outcome k's one nonzero difference is k / 1,000 (in
    variant k mod (variants - 1)), so the largest differences are those of the last outcomes."""
    ids = ["base"] + [f"v{j}" for j in range(variants - 1)]
    outcomes = {}
    for k in range(OUTCOMES):
        by_variant = {}
        for j, vid in enumerate(ids):
            d = k / 1000 if j and (j - 1) == k % (variants - 1) else 0.0
            p = 0.02 + d
            by_variant[vid] = {"probability": p, "ci95": [p - 0.005, p + 0.005]} | (
                {"difference": d, "difference_ci95": [d - 0.003, d + 0.003]} if j else {}
            )
        outcomes[f"o{k:02d}"] = {"label": f"Outcome {k} with a label", "by_variant": by_variant}
    return {
        "scenario": "big", "title": "Big", "runs": 2000, "seed": 1,
        "variants": {v: {"label": f"Variant {v}", "position": j} for j, v in enumerate(ids)},
        "outcomes": outcomes,
    }  # fmt: skip


@pytest.mark.parametrize(("variants", "drawn"), [(7, 8), (13, 4)])
def test_comparison_charts_of_31_outcomes_fit_a_slide_and_draw_the_largest_differences(
    tmp_path, variants, drawn
):
    # at most 10 outcomes and 60 dots a chart: 60 // 7 = 8 outcomes, 60 // 13 = 4
    comparison = _comparison(variants)
    largest = [f"o{k:02d}" for k in range(OUTCOMES - drawn, OUTCOMES)]
    assert compared_outcomes(comparison) == largest
    (tmp_path / "comparison.json").write_text(json.dumps(comparison), encoding="utf-8")
    render_comparison(tmp_path)
    for name in ("variants", "differences"):
        width, height = Image.open(tmp_path / f"{name}.png").size
        assert width <= MAX_WIDTH and height <= MAX_HEIGHT, (name, width, height)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    note = (
        f"The {drawn} of the 31 outcomes with the largest differences from base are drawn; "
        f"the other {OUTCOMES - drawn}, all with smaller ones, are in the table above."
    )
    assert page.count(note) >= 2  # under both charts
    assert all(f"Outcome {k} with a label" in page for k in range(OUTCOMES))  # the table


def test_the_differences_chart_draws_only_the_outcomes_it_is_given():
    comparison = _comparison(7)
    ax = plot_variant_differences(comparison, only=["o30", "o02"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Outcome 2 with a label",
        "Outcome 30 with a label",
    ]
    plt.close(ax.figure)


def test_key_judgments_of_31_outcomes_list_the_ten_most_likely_and_say_so():
    outcomes = {
        f"o{k:02d}": {"label": f"Outcome {k}", "probability": k / 100, "ci95": [0, 1]}
        for k in range(OUTCOMES)
    }
    html = key_judgments({"outcomes": outcomes, "runs": 1000})
    assert html.count("<li>") == 10
    assert [f">Outcome {k}<" in html for k in (20, 21, 30)] == [False, True, True]
    assert "The 10 most likely of the 31 outcomes are listed" in html


def test_probability_over_time_zooms_when_every_share_is_small():
    dates = ["2025-01-01", "2025-07-01", "2026-01-01"]
    small = pd.DataFrame(
        [(d, o, s) for d in dates for o, s in (("a", 0.004), ("b", 0.013))],
        columns=["date", "outcome", "holds"],
    )
    ax = plot_over_time(small)
    assert ax.get_ylim() == pytest.approx((-0.0003, 0.0203))  # 2%: the smallest above 1.3%
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "0.0%", "0.4%", "0.8%", "1.2%", "1.6%", "2.0%"
    ]  # fmt: skip
    assert "zoomed to 2%" in ax.get_ylabel()
    plt.close(ax.figure)
    ax = plot_over_time(small.assign(holds=small["holds"] * 30))  # 39%: the whole axis
    assert ax.get_ylim() == pytest.approx((-0.015, 1.015))
    plt.close(ax.figure)
