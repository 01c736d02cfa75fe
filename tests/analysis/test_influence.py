"""Which track acts on which other track's events (sim.analysis.influence), on a scenario whose
influences are read off its guards and modifiers by hand, and their place in summary.json."""

from __future__ import annotations

import pytest

from sim import load_scenario
from sim.analysis.influence import Influence, edges, influence_rows, influences
from sim.analysis.summary import summarize
from sim.contracts import SummaryFile
from sim.runner import run_scenario

# e1 (track b) is enabled by a in [x, y], blocked by c == n (under a 'not'; its own track b
# is not an influence), sped up x2 while a != z (that is: a in [x, y]) and slowed while c == m
# by a multiplier of "0.25 to 1", a lognormal 90% range (docs/FORMAT.md) whose median is the
# geometric mean sqrt(0.25 * 1) = 0.5. e2's one modifier multiplies by 1: no influence.
SCENARIO = """
scenario: influence
start: 2025-01-01
horizon: 2025-12-31
tracks:
  a: {states: [x, y, z], initial: x}
  b: {states: [p, q], initial: p}
  c: {states: [m, n], initial: m}
events:
  - id: e1
    track: b
    from: p
    to: q
    chance: 10% within 1 year
    when: a in [x, y] and not (c == n or b == q)
    modifiers:
      - {when: a != z, multiply: 2}
      - {when: c == m and b == p, multiply: 0.25 to 1}
  - id: e2
    track: c
    from: m
    to: n
    chance: 10% within 1 year
    modifiers: [{when: a == z, multiply: 1}]
outcomes:
  q: {when: b == q}
"""
GUARD = "a in [x, y] and not (c == n or b == q)"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("influence") / "influence.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return load_scenario(path)


def test_influences_read_off_guards_and_modifiers(scenario):
    found = influences(scenario)
    assert found[:3] == (
        Influence("a", ("x", "y"), "b", "e1", "enables", None, GUARD),
        Influence("c", ("n",), "b", "e1", "blocks", None, GUARD),
        Influence("a", ("x", "y"), "b", "e1", "speeds up", 2.0, "a != z"),
    )
    slows = found[3]
    assert (slows.source, slows.states, slows.kind) == ("c", ("m",), "slows")
    assert slows.factor == pytest.approx(0.5, rel=1e-9)
    assert len(found) == 4


def test_edges_group_rows_by_tracks_and_kind(scenario):
    grouped = edges(influence_rows(scenario))
    assert list(grouped) == [
        ("a", "b", "enables"),
        ("c", "b", "blocks"),
        ("a", "b", "speeds up"),
        ("c", "b", "slows"),
    ]


def test_summary_carries_influences_and_guards(scenario):
    summary = summarize(run_scenario(scenario, runs=20, seed=0, jobs=1))
    SummaryFile.model_validate(summary)
    assert summary["events"]["e1"]["when"] == GUARD
    assert "when" not in summary["events"]["e2"]
    assert summary["influences"][0] == {
        "source": "a",
        "states": ["x", "y"],
        "target": "b",
        "event": "e1",
        "kind": "enables",
        "factor": None,
        "condition": GUARD,
    }
