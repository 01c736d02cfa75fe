"""report.html opens with key judgments and contents; the charts and tables read right."""

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.report import render_report

DATES = ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"]


def _summary() -> dict:
    return {
        "scenario": "tiny",
        "variant": "base",
        "title": "Tiny",
        "description": "A short description.",
        "runs": 1000,
        "seed": 0,
        "engine": "numpy",
        "start": "2025-01-01",
        "horizon": "2025-06-01",
        "outcomes": {
            "held": {
                "label": "Held at the horizon",
                "when": "t == b",
                "ever": False,
                "probability": 0.7,
                "ci95": [0.671, 0.728],
                "words": "likely",
                "first_time_median": "2025-01-01",
                "spread": {
                    "median": 0.69, "p10": 0.55, "p90": 0.81, "parameter_sd": 0.1,
                    "noise_sd": 0.01, "draws": 10, "runs_per_draw": 100,
                },
            },
            "ever": {
                "label": "Happened at some point",
                "when": "t == b",
                "ever": True,
                "probability": 0.2,
                "ci95": [0.176, 0.226],
                "first_time_median": None,
            },
        },
        "tracks": {"t": {"label": "T", "states": {"a": "A", "b": "B"}}},
        "states_at_horizon": {"t": {"a": 0.3, "b": 0.7}},
        "events": {
            "go": {"label": "Things go", "track": "t", "from": ["a"], "to": {"b": 1.0},
                   "fired_probability": 0.7, "mean_fires": 0.7, "note": "Why it goes."},
        },
        "trajectories": [
            {"events": ["go"], "count": 40, "share": 0.04},
            {"events": [], "count": 30, "share": 0.03},
        ],
        "parameters": {
            "go.chance": {"label": "go.chance (5% to 20%)", "value": "5% to 20%",
                          "event": "go", "key": "chance", "note": "Why it goes."},
            "speed": {"label": "How fast", "value": "1 to 2"},
        },
        "importance": {
            "held": [{"parameter": "go.chance", "rho": 0.3}, {"parameter": "speed", "rho": -0.1}],
            "ever": [{"parameter": "speed", "rho": -0.05}],
        },
        "importance_runs": 1000,
    }  # fmt: skip


@pytest.fixture
def page(tmp_path: Path) -> str:
    (tmp_path / "summary.json").write_text(json.dumps(_summary()), encoding="utf-8")
    rows = [(d, o, 0.1 * k) for k, d in enumerate(DATES) for o in ("held", "ever")]
    pd.DataFrame(rows, columns=["date", "outcome", "share"]).to_csv(
        tmp_path / "first_passage.csv", index=False
    )
    render_report(tmp_path)
    return (tmp_path / "report.html").read_text(encoding="utf-8")


def test_key_judgments_come_first_then_contents_then_the_description(page):
    order = [page.index(s) for s in ('id="summary"', 'id="contents"', 'id="description"')]
    assert order == sorted(order)
    assert page.index('id="summary"') < page.index('id="outcomes"')
    assert page.index('id="trajectories"') > page.index('id="events"')  # late, not leading
    for section in ("description", "outcomes", "assumptions", "trajectories", "settings"):
        assert f'href="#{section}"' in page


def test_each_outcome_in_words_and_numbers_with_both_ranges_labelled(page):
    summary = page[page.index('id="summary"') : page.index('id="contents"')]
    assert (
        "<strong>Likely</strong> (70.0%; Monte Carlo 67.1%\u201372.8%; assumptions "
        "55.0%\u201381.0%)" in summary
    )
    assert (
        "In brackets: the probability; its 95% Monte Carlo interval (the noise of the runs); "
        "the 80% range across the assumptions (10 draws of the uncertain values, each draw's "
        "Monte Carlo noise removed)." in summary
    )
    assert "<strong>Unlikely</strong> (20.0%" in summary


def test_a_spread_of_mostly_noise_is_said_to_be_noise_not_a_range(tmp_path):
    """F4: noise sd 0.05 against parameter sd 0.02: no range is claimed in the judgment."""
    summary = _summary()
    summary["outcomes"]["held"]["spread"] |= {
        "parameter_sd": 0.02, "noise_sd": 0.05, "noise_dominated": True,
    }  # fmt: skip
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    render_report(tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    judgments = page[page.index('id="summary"') : page.index('id="contents"')]
    assert "assumptions: mostly Monte Carlo noise" in judgments
    assert "<code>--parameter-draws 20 --runs 400000</code>" in judgments
    assert "55.0%" not in judgments
    table = page[page.index('id="outcomes"') :]
    assert "55.0%\u201381.0% (mostly noise)" in table[: table.index("</table>")]


def test_biggest_movers_use_readable_labels_strongest_first(page):
    summary = page[page.index('id="summary"') : page.index('id="contents"')]
    assert summary.index("Things go: chance") < summary.index("How fast")
    assert "go.chance" not in summary and "+0.30" in summary and "\u22120.10" in summary


def test_assumptions_table_has_label_range_note_and_rank(page):
    table = page[
        page.index('id="assumptions"') : page.index("</section>", page.index('id="assumptions"'))
    ]
    assert "Things go: chance" in table and "go.chance" not in table
    assert "5% to 20%" in table and "Why it goes." in table
    assert table.index("Things go: chance") < table.index("How fast")  # rank 1 first
    assert '<td class="num">1</td>' in table and '<td class="num">2</td>' in table


def test_an_unnamed_range_without_a_note_shows_its_events_note(tmp_path):
    summary = _summary()
    del summary["parameters"]["go.chance"]["note"]
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    render_report(tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    start = page.index('id="assumptions"')
    assert "Why it goes." in page[start : page.index("</section>", start)]


def test_first_time_is_na_for_an_outcome_read_at_the_horizon(page):
    outcomes = page[page.index('id="outcomes"') :]
    assert 'n/a<sup><a href="#outcomes-note">*</a></sup>' in outcomes
    assert "2025-01-01</td>" not in outcomes.split("</table>")[0]  # not the start date
    assert "Outcomes read at the horizon are left out (<bdi>Held at the horizon</bdi>)" in page


def test_trajectories_say_what_share_of_runs_they_cover(page):
    assert "The 2 most frequent sequences of events cover 7.0% of the runs" in page


def test_first_passage_chart_draws_only_outcomes_read_at_any_time(tmp_path, monkeypatch):
    drawn = {}
    import sim.report.charts as render

    original = render.plot_first_passage

    def spy(frame, outcomes, **kwargs):
        drawn["outcomes"] = sorted(set(frame["outcome"]))
        drawn["labels"] = sorted(outcomes)
        return original(frame, outcomes, **kwargs)

    monkeypatch.setattr(render, "plot_first_passage", spy)
    (tmp_path / "summary.json").write_text(json.dumps(_summary()), encoding="utf-8")
    rows = [(d, o, 0.1 * k) for k, d in enumerate(DATES) for o in ("held", "ever")]
    pd.DataFrame(rows, columns=["date", "outcome", "share"]).to_csv(
        tmp_path / "first_passage.csv", index=False
    )
    render_report(tmp_path)
    assert drawn == {"outcomes": ["ever"], "labels": ["ever"]}


def test_no_first_passage_chart_when_every_outcome_is_read_at_the_horizon(tmp_path):
    summary = _summary()
    summary["outcomes"]["ever"]["ever"] = False
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    rows = [(d, "held", 0.1) for d in DATES]
    pd.DataFrame(rows, columns=["date", "outcome", "share"]).to_csv(
        tmp_path / "first_passage.csv", index=False
    )
    written = render_report(tmp_path)
    assert tmp_path / "first_passage.png" not in written
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No first passage chart: no outcome is read at any time." in page


def test_no_signed_zero_anywhere_in_the_page(page):
    assert "-0.0" not in page and "\u22120.0" not in page


def _row(indicator: str, bits: float, yes: float = 0.9, no: float = 0.1) -> dict:
    return {
        "indicator": indicator, "date": "2025-03-01", "p_indicator": 0.25,
        "p_outcome_if_true": yes, "p_outcome_if_false": no, "likelihood_ratio": 2.0,
        "information_bits": bits,
    }  # fmt: skip


def test_what_to_watch_first_lists_the_most_telling_signposts_once_each(tmp_path):
    from sim.report.judgments import watch_first

    summary = _summary()
    summary["indicators"] = {
        "i1": {"label": "The first sign", "ever": True},
        "i2": {"label": "A second sign", "ever": False},
        "i3": {"label": "Third sign", "ever": True},
        "i4": {"label": "Faint sign", "ever": True},
        "i5": {"label": "The outcome itself", "ever": True},
    }
    summary["signposts"] = {
        "held": [_row("i5", 0.50, yes=1.0), _row("i1", 0.20), _row("i2", 0.05), _row("i4", 0.0005)],
        "ever": [_row("i1", 0.30), _row("i3", 0.15, yes=0.6, no=0.15)],
    }
    # i1 once (its 0.30 bits about "ever"), then i3, then i2; i4 tells too little
    found = watch_first(summary)
    assert [(oid, row["indicator"]) for oid, row in found] == [
        ("ever", "i1"), ("ever", "i3"), ("held", "i2"),
    ]  # fmt: skip
    # i5 tells most, but seeing it settles "held" (100%): it is the outcome, not a warning
    assert [row["indicator"] for _, row in watch_first(summary, top=4)][-1] == "i5"
    (tmp_path / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    render_report(tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    top = page[page.index('<section id="summary">') : page.index("</section>")]
    assert "What to watch first" in top
    assert top.count("<li>If ") == 3
    # "If by 1 Mar 2025 third sign (25.0% likely), the chance of “Happened...” rises from 20.0% to 60.0%"
    assert "rises from 20.0% to 60.0%" in top and "falls to 15.0%" in top


def test_no_what_to_watch_without_signposts(page):
    assert "What to watch first" not in page


def test_a_mover_reads_as_one_sentence(page):
    # an unnamed range's label ends in ": chance"; a second colon after it read badly
    summary = page[page.index('id="summary"') : page.index('id="contents"')]
    assert (
        "<li><bdi>Things go: chance</bdi> \u2014 the higher, the more likely "
        "\u201c<bdi>Held at the horizon</bdi>\u201d (rank correlation +0.30)</li>"
    ) in summary
