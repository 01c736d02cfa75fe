"""Reports that scale: charts draw the most likely outcomes and the most uncertain tracks, up
to fixed caps (sim.report.drawn), the captions say the rest is in the tables, and the number
of charts does not grow with the model."""

from __future__ import annotations

import json
import math
import re

import pytest

from sim import load_scenario
from sim.report import drawn, render_report
from sim.report.files import write_results
from sim.runner import run_scenario

N_TRACKS = 8
# caps lowered for the test (the logic, cheaply): 5 outcome bars, 2 passage curves of the 4
# "at any time" outcomes, 3 occupancy tracks (one page of 4), 2 diagram tracks
CAPS = {"CHART_OUTCOMES": 5, "PASSAGE_OUTCOMES": 2, "CHART_TRACKS": 3, "DIAGRAM_TRACKS": 2}


def test_most_likely_takes_the_top_n_in_file_order_ties_to_the_earlier():
    outcomes = {
        "a": {"probability": 0.1},
        "b": {"probability": 0.5},
        "c": {"probability": 0.3},
        "d": {"probability": 0.5},
        "e": {"probability": None, "prior_probability": 0.4},  # ruled out: read before
        "f": {"probability": 0.3},
    }
    assert drawn.most_likely(outcomes, 3) == ["b", "d", "e"]
    assert drawn.most_likely(outcomes, 4) == ["b", "c", "d", "e"]  # c before f (file order)
    assert drawn.most_likely(outcomes, 2, among=["a", "c", "f"]) == ["c", "f"]
    assert drawn.most_likely(outcomes, 10) == list(outcomes)


def test_most_uncertain_tracks_by_entropy_at_the_horizon():
    # entropies: sure 0; coin ln 2 = 0.693; three-way ln 3 = 1.099; skewed 0.9/0.1: 0.325
    summary = {
        "tracks": {"sure": {}, "coin": {}, "three": {}, "skewed": {}},
        "states_at_horizon": {
            "sure": {"x": 1.0, "y": 0.0},
            "coin": {"x": 0.5, "y": 0.5},
            "three": {"x": 1 / 3, "y": 1 / 3, "z": 1 / 3},
            "skewed": {"x": 0.9, "y": 0.1},
        },
    }
    assert -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)) == pytest.approx(0.325, abs=1e-3)
    assert drawn.most_uncertain_tracks(summary, 2) == ["coin", "three"]
    assert drawn.most_uncertain_tracks(summary, 3) == ["coin", "three", "skewed"]
    assert drawn.most_uncertain_tracks(summary, 9) == ["sure", "coin", "three", "skewed"]


def many_tracks(n: int) -> str:
    """A model of ``n`` independent tracks, track k reaching ``b`` with chance (k + 1) / (n + 2)
    within the year: outcome k is more likely, and track k more uncertain up to 1/2, as k
    grows."""
    lines = ["scenario: many", "start: 2025-01-01", "horizon: 2026-01-01", "tracks:"]
    lines += [f"  t{k}: {{states: [a, b], initial: a}}" for k in range(n)]
    lines.append("events:")
    lines += [
        f"  - {{id: e{k}, track: t{k}, from: a, to: b, "
        f"chance: {100 * (k + 1) / (n + 2):.4f}% within 365 days}}"
        for k in range(n)
    ]
    lines.append("outcomes:")
    lines += [f"  o{k}: {{when: t{k} == b{', ever: true' if k % 2 else ''}}}" for k in range(n)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("many")
    path = folder / "many.yaml"
    path.write_text(many_tracks(N_TRACKS), encoding="utf-8")
    results = run_scenario(load_scenario(path), runs=2000, seed=3, jobs=1, engine="compiled")
    out = folder / "out"
    out.mkdir()
    write_results(results, out)
    calls = []
    mp = pytest.MonkeyPatch()
    request.addfinalizer(mp.undo)
    mp.setattr("sim.plots.style.DPI", 12)  # the logic, not the pixels: tiny images
    for name, cap in CAPS.items():
        mp.setattr(drawn, name, cap)
    render_report(out, progress=lambda done, total, name: calls.append((done, total, name)))
    return out, calls, (out / "report.html").read_text(encoding="utf-8")


def test_charts_draw_the_capped_most_likely_outcomes_and_most_uncertain_tracks(report):
    out, calls, _ = report
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    p = {o: v["probability"] for o, v in summary["outcomes"].items()}
    top = sorted(p.values())[-5]  # the 5th largest probability (ties: none expected, 2000 runs)
    assert drawn.drawn_outcomes(summary)["outcomes"] == [o for o in p if p[o] >= top]
    ever = [f"o{k}" for k in range(1, N_TRACKS, 2)]
    top_ever = sorted(p[o] for o in ever)[-2]
    assert drawn.drawn_outcomes(summary)["first_passage"] == [o for o in ever if p[o] >= top_ever]
    # a two-state track: entropy grows as its share in b nears 1/2
    closeness = {t: abs(v["b"] - 0.5) for t, v in summary["states_at_horizon"].items()}
    third = sorted(closeness.values())[2]
    assert drawn.drawn_tracks(summary)["occupancy"] == [
        t for t in closeness if closeness[t] <= third
    ]
    at_end = [f"o{k}" for k in range(0, N_TRACKS, 2)]  # read at the horizon
    top_end = sorted(p[o] for o in at_end)[-2]
    assert drawn.drawn_outcomes(summary)["over_time"] == [o for o in at_end if p[o] >= top_end]
    pngs = sorted(path.stem for path in out.glob("*.png"))
    assert pngs == ["diagram", "first_passage", "occupancy", "outcomes", "over_time"]
    assert [name for _, _, name in calls] == [
        "",
        "outcomes",
        "first_passage",
        "over_time",
        "occupancy",
        "diagram",
    ]
    assert [done for done, _, _ in calls] == [0, 1, 2, 3, 4, 5] and {t for _, t, _ in calls} == {5}


def test_the_report_says_which_are_drawn_and_where_the_rest_are(report):
    _, _, html = report
    text = re.sub(r"\s+", " ", html)
    assert f"The 5 most likely of the {N_TRACKS} outcomes are drawn; all are in the table" in text
    assert "The 2 most likely of the 4 outcomes read at any time are drawn" in text
    assert f"The 3 of the {N_TRACKS} tracks most uncertain at the horizon are drawn" in text
    assert "all are in the tables above and occupancy.csv" in text
    assert f"The 2 of the {N_TRACKS} tracks most uncertain at the horizon are drawn" in text
    left_out = "; ".join(f"<bdi>o{k}</bdi>" for k in (0, 2, 4, 6))  # up to 10, each isolated
    assert f"Outcomes read at the horizon are left out ({left_out})" in text
    for k in range(N_TRACKS):  # every outcome and track is still in the tables
        assert f">o{k}<" in html and f">t{k}<" in html
