"""The state diagram is split into pages of whole tracks, in file order."""

from sim.plots import diagram_pages


def _summary(n_tracks: int) -> dict:
    tracks = {
        f"t{k}": {"label": f"Track {k}", "states": {"a": "A", "b": "B"}} for k in range(n_tracks)
    }
    events = {
        f"e{k}": {
            "label": "go",
            "track": f"t{k}",
            "from": ["a"],
            "to": {"b": 1.0},
            "timing": "1 mo",
        }
        for k in range(n_tracks)
    }
    return {"title": "T", "tracks": tracks, "events": events}


def test_pages_keep_every_track_once_in_file_order():
    pages = diagram_pages(_summary(12), max_height=5.0)
    assert len(pages) > 1
    assert [t for page in pages for t in page] == [f"t{k}" for k in range(12)]


def test_a_short_scenario_is_one_page():
    assert diagram_pages(_summary(2)) == [["t0", "t1"]]


def test_a_track_taller_than_a_page_gets_a_page_of_its_own():
    assert diagram_pages(_summary(3), max_height=0.5) == [["t0"], ["t1"], ["t2"]]
