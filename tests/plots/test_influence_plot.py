"""The influence diagram (sim.plots.influence) and the conditional events of the state
diagram (sim.plots.diagram), checked on the artists drawn."""

from __future__ import annotations

from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from sim.plots import plot_diagram, plot_influence
from sim.plots.influence import STYLES, most_connected
from sim.plots.style import DPI, close_figure


def _star(n_tracks: int) -> dict:
    """The last track speeds up one event of every other track; the one before it also
    blocks an event of the one before that."""
    hub, second, third = (f"t{n_tracks - k}" for k in (1, 2, 3))
    tracks = {f"t{k}": {"label": f"Track {k}"} for k in range(n_tracks)}
    rows = [
        {"source": hub, "states": ["a"], "target": f"t{k}", "event": f"e{k}",
         "kind": "speeds up", "factor": 2.0, "condition": f"{hub} == a"}
        for k in range(n_tracks - 1)
    ] + [{"source": second, "states": ["b"], "target": third, "event": "e", "kind": "blocks",
          "factor": None, "condition": f"{second} != b"}]  # fmt: skip
    return {"title": "Star", "tracks": tracks, "influences": rows}


def test_every_track_and_arrow_of_a_small_scenario_is_drawn():
    ax = plot_influence(_star(5))
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(boxes) == 5
    assert len(arrows) == 5  # t4 -> t0..t3 speeds up, t3 -> t2 blocks
    colors = {STYLES["speeds up"][0].lower(), STYLES["blocks"][0].lower()}
    assert {to_hex(a.get_edgecolor()) for a in arrows} == colors
    fig = ax.get_figure()
    width, height = fig.get_size_inches() * DPI
    assert width <= 1600 and height <= 1800
    close_figure(fig)


def test_beyond_the_cap_only_the_most_connected_tracks_are_drawn():
    summary = _star(30)
    shown = most_connected(summary["tracks"], summary["influences"], 12)
    # t29 (in 29 influences), t28 and t27 (in 2 each), then the first 9 of those in 1, in
    # file order.
    assert shown == [*[f"t{k}" for k in range(9)], "t27", "t28", "t29"]
    ax = plot_influence(summary, top=12)
    assert len([p for p in ax.patches if isinstance(p, FancyBboxPatch)]) == 12
    # t29 -> the 11 others shown, t28 -> t27
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 12
    assert any("the 18 least connected tracks are left out" in t.get_text().replace("\n", " ")
               for t in ax.texts)  # fmt: skip
    close_figure(ax.get_figure())


def test_a_conditional_event_is_dashed_with_its_condition():
    summary = {
        "title": "T",
        "tracks": {"t": {"label": "T", "states": {"a": "A", "b": "B"}}},
        "events": {
            "go": {"label": "Go", "track": "t", "from": ["a"], "to": {"b": 1.0}, "timing": "1 mo",
                   "when": "u == calm"},
            "back": {"label": "Back", "track": "t", "from": ["b"], "to": {"a": 1.0},
                     "timing": "2 mo"},
        },
    }  # fmt: skip
    ax = plot_diagram(summary)
    styles = {p.get_linestyle() != "-" for p in ax.patches if isinstance(p, FancyArrowPatch)}
    assert styles == {True, False}
    labels = [t.get_text() for t in ax.texts]
    assert "Go\n1 mo\nif u == calm" in labels
    assert "Back\n2 mo" in labels
    close_figure(ax.get_figure())
