"""Tornado charts are split into pages that fit a slide, and label unnamed ranges readably."""

import json
import struct
from pathlib import Path

from sim.plots import plot_tornado_grid
from sim.report.sensitivity import OUTCOMES_PER_CHART, TORNADO_TOP, render_sensitivity

MAX_WIDTH, MAX_HEIGHT = 1600, 1800


def _tornado(n_outcomes: int, n_values: int) -> dict:
    parameters = {
        f"ev{j}.chance": {
            "label": f"ev{j}.chance (5% to 20%)",
            "value": "5% to 20%",
            "event": f"ev{j}",
            "event_label": f"A rather long label of event number {j} that wraps on two lines",
            "key": "chance",
        }
        for j in range(n_values)
    }
    outcomes = {
        f"o{k}": [
            {"parameter": f"ev{j}.chance", "low": 0.3 - 0.01 * j, "high": 0.3 + 0.01 * j,
             "base": 0.3}
            for j in range(n_values)
        ]
        for k in range(n_outcomes)
    }  # fmt: skip
    return {"method": "tornado", "parameters": parameters, "outcomes": outcomes}


def _png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


def test_eight_outcomes_give_four_charts_each_under_the_slide_limit(tmp_path):
    (tmp_path / "sensitivity.json").write_text(json.dumps(_tornado(8, 20)), encoding="utf-8")
    written = render_sensitivity(tmp_path)
    pngs = [p for p in written if p.suffix == ".png"]
    assert OUTCOMES_PER_CHART == 2 and TORNADO_TOP == 8
    assert [p.name for p in pngs] == [
        "tornado.png",
        "tornado_2.png",
        "tornado_3.png",
        "tornado_4.png",
    ]
    assert all(_png_size(p)[0] <= MAX_WIDTH and _png_size(p)[1] <= MAX_HEIGHT for p in pngs)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4 and "(part 4 of 4)" in page


def test_tornado_labels_come_from_the_event_not_the_address():
    fig = plot_tornado_grid(_tornado(1, 3), top=TORNADO_TOP)
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert ticks[0] == (
        "A rather long label of event number 2 that wraps on two lines: chance (5%\u00a0to\u00a020%)"
    )
    assert not any(".chance" in t for t in ticks)
