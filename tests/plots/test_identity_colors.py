"""One colour per outcome and per variant across every chart: keyed by identity (the position
in the scenario's outcomes or variants), not by position within one chart."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from matplotlib.colors import to_rgba

import sim.report.charts as report_charts
import sim.report.html as report_html
from sim.cli import compare, run
from sim.contracts import read_comparison
from sim.plots.comparison import variant_styles
from sim.plots.history import plot_history
from sim.plots.style import BASE_COLOR, PALETTE, close_figure, outcome_colors, variant_colors

CASES = Path(__file__).resolve().parents[1] / "cases"

# Outcomes alternate between "at any time" (first-passage chart) and "at the horizon" (the
# over-time chart), so each chart draws every other one: by position within a chart, "late"
# (third) would take the second colour; by identity it takes the third.
SCENARIO = """\
scenario: palette
start: 2030-01-01
horizon: 2 years
tracks:
  plant: {states: [running, strike, shut], initial: running}
events:
  - {id: strike, track: plant, from: running, to: strike, rate: 0.9 per year}
  - {id: shutdown, track: plant, from: strike, to: shut, rate: 1.2 per year}
outcomes:
  ever_strike: {when: plant == strike, ever: true}
  striking: {when: plant == strike}
  ever_shut: {when: plant == shut, ever: true}
  shut: {when: plant == shut}
"""
IDS = ["ever_strike", "striking", "ever_shut", "shut"]


def _line_colors(ax) -> dict[str, tuple]:
    """Legend label -> RGBA of each labelled line of `ax`."""
    return {
        line.get_label(): to_rgba(line.get_color())
        for line in ax.get_lines()
        if not line.get_label().startswith("_")
    }


def test_palette_repeats_beyond_its_length_and_base_is_near_black():
    colors = outcome_colors([f"o{k}" for k in range(12)])
    assert colors["o0"] == PALETTE[0] and colors["o10"] == PALETTE[0]
    assert colors["o11"] == PALETTE[1] and len(set(colors.values())) == len(PALETTE) == 10
    assert variant_colors({"base": 0, "v2": 2, "v11": 11}) == {
        "base": BASE_COLOR,
        "v2": PALETTE[1],
        "v11": PALETTE[0],
    }


def test_an_outcome_has_one_colour_in_the_first_passage_over_time_and_history_charts(
    tmp_path, monkeypatch
):
    drawn: dict[str, dict[str, tuple]] = {}

    def recording(name, plot):
        def wrapper(*args, **kwargs):
            ax = plot(*args, **kwargs)
            drawn[name] = _line_colors(ax)
            return ax

        return wrapper

    for name in ("plot_first_passage", "plot_over_time"):
        monkeypatch.setattr(report_charts, name, recording(name, getattr(report_charts, name)))
    monkeypatch.setattr(report_html, "save_chart", lambda fig, *_: close_figure(fig))
    path = tmp_path / "palette.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    args = [str(path), "--runs", "200", "--no-charts", "--out", str(out)]
    done = CliRunner().invoke(run.command, args)
    assert done.exit_code == 0, done.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    curves = pd.read_csv(out / "first_passage.csv")
    report_charts.draw_charts(tmp_path, summary, None, curves, [])  # drawn, not saved
    expected = {oid: PALETTE[k] for k, oid in enumerate(IDS)}
    assert drawn["plot_first_passage"] == {o: expected[o] for o in ("ever_strike", "ever_shut")}
    assert drawn["plot_over_time"] == {o: expected[o] for o in ("striking", "shut")}
    points = [{"date": "2030-01-01", "outcomes": {o: {"probability": 0.5, "ci95": None}
                                                  for o in IDS}}]  # fmt: skip
    history = {"start": "2030-01-01", "horizon": "2032-01-01", "observations": [],
               "outcomes": {o: {"label": None} for o in IDS}, "points": points}  # fmt: skip
    ax = plot_history(history)
    try:
        assert _line_colors(ax) == expected
    finally:
        close_figure(ax.get_figure())


def test_a_variant_has_its_colour_whichever_variants_are_compared(tmp_path):
    # one_rate.yaml lists three_years then halved: halved is the second variant (position 2)
    path, runner = CASES / "one_rate.yaml", CliRunner()
    common = ["--runs", "50", "--jobs", "1", "--no-charts", "--no-spread"]
    done = runner.invoke(
        compare.command, [str(path), "halved", *common, "--out", str(tmp_path / "c")]
    )
    assert done.exit_code == 0, done.output
    alone = variant_styles(read_comparison(tmp_path / "c" / "comparison" / "comparison.json"))
    done = runner.invoke(
        run.command, [str(path), "--all-variants", *common, "--out", str(tmp_path / "a")]
    )
    assert done.exit_code == 0, done.output
    every = variant_styles(read_comparison(tmp_path / "a" / "comparison" / "comparison.json"))
    assert alone["halved"] == every["halved"] == (PALETTE[1], "D")
    assert alone["base"] == every["base"] == (BASE_COLOR, "o")
    assert every["three_years"] == (PALETTE[0], "s")
