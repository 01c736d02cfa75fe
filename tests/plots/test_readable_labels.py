"""Unnamed ranges get a label made from their event's label, never their address."""

import pytest

from sim.plots.bars import param_label, readable_label

EVENTS = {
    "be_settles": {"label": "Baghdad and Erbil settle"},
    "turkey_widens": {"label": "Turkey widens operations"},
}


def test_a_chance_reads_as_its_events_label():
    meta = {"label": "be_settles.chance (5% to 20%)", "value": "5% to 20%"}
    assert readable_label("be_settles.chance", meta, EVENTS) == "Baghdad and Erbil settle: chance"


def test_a_modifier_is_counted_from_one_and_names_its_condition():
    meta = {
        "label": "turkey_widens.modifiers.1 (1.3 to 2.5)",
        "value": "1.3 to 2.5",
        "event": "turkey_widens",
        "key": "modifiers.1",
        "while": "regional == escalated",
    }
    assert readable_label("turkey_widens.modifiers.1", meta, EVENTS) == (
        "Turkey widens operations: modifier 2 (while regional == escalated)"
    )


def test_without_the_events_the_id_is_spelled_out():
    assert readable_label("be_settles.timing.within", None) == "be settles: timing within"


@pytest.mark.parametrize(
    ("name", "meta", "expected"),
    [
        ("vacuum_risk", {"label": "Chance of a vacuum"}, "Chance of a vacuum"),
        ("vacuum_risk", None, "vacuum_risk"),
        ("a.b", {"label": "Written by hand"}, "Written by hand"),
    ],
)
def test_named_parameters_and_hand_written_labels_are_kept(name, meta, expected):
    assert readable_label(name, meta, EVENTS) == expected


def test_param_label_appends_the_range_to_the_readable_label():
    parameters = {
        "be_settles.chance": {"label": "be_settles.chance (5% to 20%)", "value": "5% to 20%"}
    }
    text = param_label("be_settles.chance", parameters, width=200, events=EVENTS)
    assert text == "Baghdad and Erbil settle: chance (5%\u00a0to\u00a020%)"
