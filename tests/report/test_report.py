"""The report layer renders charts and a self-contained report.html from a results folder."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import SimError
from sim.plots import (
    plot_diagram,
    plot_first_passage,
    plot_occupancy,
    plot_outcomes,
    save_figure,
)
from sim.report import render_report
from tests.report.helpers import (
    ARABIC_STATE,
    ARABIC_TITLE,
    SOURCE_URL,
    STEMS,
    sample_summary,
    write_results_folder,
)


@pytest.fixture
def results_folder(tmp_path: Path) -> Path:
    return write_results_folder(tmp_path / "results", sample_summary())


@pytest.fixture
def rendered(results_folder: Path) -> tuple[Path, list[Path], str]:
    written = render_report(results_folder)
    page = (results_folder / "report.html").read_text(encoding="utf-8")
    return results_folder, written, page


def test_writes_every_chart_and_the_page(rendered):
    folder, written, _ = rendered
    expected = [folder / f"{stem}.{ext}" for stem in STEMS for ext in ("png", "svg")]
    assert set(written) == {*expected, folder / "report.html"}
    assert written[-1] == folder / "report.html"
    for stem in STEMS:
        png = (folder / f"{stem}.png").read_bytes()
        svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
        assert "<svg" in svg and svg.rstrip().endswith("</svg>")


def test_page_has_title_labels_and_embedded_charts(rendered):
    _, _, page = rendered
    assert page.startswith("<!DOCTYPE html>")
    assert ARABIC_TITLE in page
    assert ARABIC_STATE in page
    assert "Security vacuum" in page
    assert "US re-engaged &lt;b&gt;" in page  # labels are escaped
    assert page.count("data:image/png;base64,") == 4
    assert 'dir="auto"' in page


def test_page_tables(rendered):
    _, _, page = rendered
    assert "31.0%" in page and "28.2%\u201333.9%" in page and "unlikely" in page
    assert "<td>roughly even chance</td>" in page  # computed for 0.55, which has no "words"
    assert "By 2025-10-01" in page and "12.0%" in page and "20.0%" in page
    assert "2025-12-20" in page  # first-time median
    assert "Limited return" in page and "55.0%" in page  # states at the horizon
    assert "25% / 12 mo" in page and "0.70" in page  # events
    assert "no event fired" in page  # trajectories
    for text in ["ab12" * 16, "scenarios/demo.yaml", "2026-11-30T12:00:00+00:00", "1.2 s"]:
        assert text in page  # run settings


def test_page_is_self_contained(rendered):
    _, _, page = rendered
    assert "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "\u0007" not in page and "What follows  the drawdown" in page  # control chars
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert len(sources) == 4 and all(s.startswith("data:image/png;base64,") for s in sources)
    hrefs = [u for u in re.findall(r'\bhref="([^"]*)"', page) if not u.startswith("#")]
    assert hrefs == [SOURCE_URL.replace("&", "&amp;")]
    assert "javascript:" not in " ".join(hrefs)
    # The only "http" in the page is the source link.
    assert [m.start() for m in re.finditer("http", page)] == [page.index(hrefs[0])]


def test_rendering_twice_gives_the_same_files(results_folder):
    first = {p.name: p.read_bytes() for p in render_report(results_folder)}
    second = {p.name: p.read_bytes() for p in render_report(results_folder)}
    assert first == second


def test_missing_csv_skips_its_chart(results_folder):
    (results_folder / "first_passage.csv").unlink()
    written = render_report(results_folder)
    assert results_folder / "first_passage.png" not in written
    page = (results_folder / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 3
    assert "No first passage chart" in page


def test_minimal_section_9_summary(tmp_path):
    summary = {
        "scenario": "tiny",
        "variant": "base",
        "runs": 10,
        "seed": 0,
        "engine": "numpy",
        "start": "2025-01-01",
        "horizon": "2025-06-01",
        "outcomes": {"o": {"label": "O", "probability": 0.1, "first_time_median": None}},
        "states_at_horizon": {"t": {"a": 0.9, "b": 0.1}},
        "events": {"e": {"fired_probability": 0.1, "mean_fires": 0.1}},
    }
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    written = render_report(folder)
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert len(written) == 5  # outcomes, diagram (PNG + SVG) and the page
    assert '<h1 dir="ltr">tiny</h1>' in page
    assert "very unlikely" in page  # words computed
    assert "1.8%\u201340.4%" in page  # Wilson interval from runs: 1 of 10


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), ("{not json", "not JSON"), ('{"outcomes": 3}', "outcomes")],
)
def test_bad_summary_raises_sim_error(tmp_path, content, message):
    if content is not None:
        (tmp_path / "summary.json").write_text(content, encoding="utf-8")
    with pytest.raises(SimError, match=message):
        render_report(tmp_path)


def test_bad_csv_raises_sim_error(results_folder):
    (results_folder / "occupancy.csv").write_text("date,track\n2025-01-01,t\n", encoding="utf-8")
    with pytest.raises(SimError, match="share"):
        render_report(results_folder)


def test_bad_date_in_csv_names_the_line(results_folder):
    path = results_folder / "first_passage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = "Sept 1,us_reengaged,0.1"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SimError, match=r"first_passage.csv:4: error: date 'Sept 1'"):
        render_report(results_folder)


def test_ids_that_look_like_missing_values_stay_strings(results_folder):
    render_report(results_folder)
    svg = (results_folder / "occupancy.svg").read_text(encoding="utf-8")
    assert "<svg" in svg  # the state named "null" did not break the pivot


def test_plot_functions_draw_on_a_given_axes(results_folder, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = sample_summary()
    occupancy = pd.read_csv(results_folder / "occupancy.csv", keep_default_na=False)
    first_passage = pd.read_csv(results_folder / "first_passage.csv")
    fig, axes = plt.subplots(1, 3)
    assert plot_outcomes(summary["outcomes"], ax=axes[0]) is axes[0]
    assert plot_first_passage(first_passage, summary["outcomes"], ax=axes[1]) is axes[1]
    assert plot_diagram(summary, ax=axes[2]) is axes[2]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == [
        "Security vacuum",
        "US re-engaged <b>",
    ]
    paths = save_figure(fig, tmp_path, "panel")
    assert all(p.stat().st_size > 0 for p in paths)
    assert not plt.fignum_exists(fig.number)  # closed through pyplot

    occ = plot_occupancy(occupancy, summary["tracks"])
    assert len(occ.axes) == 2
    assert occ.axes[1].get_title(loc="left") == "Security"
    legend = [t.get_text() for t in occ.axes[1].get_legend().get_texts()]
    assert legend == [ARABIC_STATE, "null", "Fragile"]  # top of the stack first
    save_figure(occ, tmp_path, "occ")


def test_diagram_grows_with_the_number_of_tracks():
    def summary(n_tracks: int) -> dict:
        tracks = {
            f"t{k}": {"label": f"Track {k}", "states": {"a": "A", "b": "B", "c": "C"}}
            for k in range(n_tracks)
        }
        events = {
            f"e{k}": {"track": f"t{k}", "from": ["a"], "to": {"c": 1.0}, "timing": "1 mo"}
            for k in range(n_tracks)
        }
        return {"scenario": "s", "tracks": tracks, "events": events}

    small = plot_diagram(summary(2)).get_figure()
    large = plot_diagram(summary(8)).get_figure()
    assert large.get_figheight() > 3 * small.get_figheight()
    assert large.get_figwidth() == small.get_figwidth()


def test_dollar_signs_in_labels_are_literal_text(tmp_path):
    ax = plot_outcomes({"cost": {"label": "Costs above $5bn and $10bn", "probability": 0.2}})
    label = ax.get_yticklabels()[0]
    assert label.get_text() == r"Costs above \$5bn and \$10bn"  # escaped, so not mathtext
    png, _ = save_figure(ax.get_figure(), tmp_path, "cost")
    assert png.stat().st_size > 0


def test_sim_report_errors_name_the_users_folder(tmp_path):
    # sim report renders into a temporary copy; its messages must name the folder given
    import subprocess
    import sys

    folder = tmp_path / "badj"
    folder.mkdir()
    (folder / "summary.json").write_text('{"runs": ', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sim", "report", str(folder)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert f"{folder / 'summary.json'}:1:" in result.stderr


def test_no_diagram_beyond_150_events(tmp_path):
    import subprocess
    import sys

    events = "\n".join(
        f"  - {{id: e{i}, track: a, from: x, to: y, chance: 1% within 1 year}}" for i in range(151)
    )
    path = tmp_path / "many.yaml"
    path.write_text(
        "scenario: many\nstart: 2025-01-01\nhorizon: 1 year\n"
        "tracks:\n  a: {states: [x, y], initial: x}\n"
        f"events:\n{events}\noutcomes:\n  y: {{when: a == y}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--runs", "50", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not (out / "diagram.png").exists() and (out / "outcomes.png").exists()
    assert "No diagram: more than 150 events" in (out / "report.html").read_text(encoding="utf-8")
