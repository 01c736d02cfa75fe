"""Evidence (format section 10) and indicators (section 11) compile to the right values.

Days and default dates are computed by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest

from sim.errors import ScenarioError
from sim.model.conditions import Test as StateTest
from sim.scenario.evidence import default_indicator_dates
from sim.scenario.load import check_file, load_scenario
from sim.scenario.schema import json_schema

D = dt.date

MODEL = """\
scenario: watch
start: 2025-02-15
horizon: 2026-01-01
tracks:
  t: {states: [a, b, c], initial: a}
events:
  - {id: ab, track: t, from: a, to: b, rate: 1 per year}
  - {id: bc, track: t, from: b, to: c, rate: 1 per year}
outcomes:
  c: {when: t == c}
variants:
  short:
    set: {horizon: 2025-11-15}
"""


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def scenario(tmp_path):
    """The model with two observations of its own (lines 15 and 19) and two indicators."""
    return write(
        tmp_path,
        "watch.yaml",
        MODEL
        + """\
evidence:
  - date: 2025-03-01
    when: t == a
    observed: true
    source: first report
  - {date: 2025-08-01, when: t == c, ever: true, observed: false, confidence: 80%}
indicators:
  left_a:
    label: Left a
    when: t != a
    ever: true
    dates: [2025-10-01, 2025-05-01]
  in_b: {when: t == b, note: watched at the quarters}
""",
    )


@pytest.fixture
def evidence_file(tmp_path):
    return write(
        tmp_path,
        "seen.yaml",
        """\
        # observations kept apart from the model
        evidence:
          - date: 2025-06-01
            when: t in [b, c]
            observed: true
            confidence: 0.9
            label: b reached
            note: from two sources
          - {date: 2025-02-15, when: t == a, observed: true}
        """,
    )


def test_observations_of_the_file(scenario):
    s = load_scenario(scenario)
    first, second = s.evidence
    # 2025-02-15 -> 2025-03-01: 13 days left in February (28 days) + 1 = 14
    assert (first.date, first.day) == (D(2025, 3, 1), 14.0)
    assert first.condition == StateTest(0, frozenset({0})) and first.text == "t == a"
    assert (first.ever, first.observed, first.confidence) == (False, True, 1.0)
    assert first.source == "first report" and first.label is None and first.note is None
    assert first.origin == f"{scenario}:15"
    # 14 + 31 (Mar) + 30 (Apr) + 31 (May) + 30 (Jun) + 31 (Jul) = 167
    assert (second.date, second.day) == (D(2025, 8, 1), 167.0)
    assert (second.ever, second.observed, second.confidence) == (True, False, 0.8)
    assert second.origin == f"{scenario}:19"
    assert s.as_of is None
    assert first.probe.day == 14.0 and first.probe.ever is False


def test_indicators_and_their_dates(scenario):
    s = load_scenario(scenario)
    left_a, in_b = s.indicators
    assert (left_a.id, left_a.label, left_a.ever, left_a.text) == (
        "left_a",
        "Left a",
        True,
        "t != a",
    )
    # sorted; 2025-05-01 is 14 + 31 + 30 = 75 days after the start, 2025-10-01 is 228
    assert left_a.dates == ((D(2025, 5, 1), 75.0), (D(2025, 10, 1), 228.0))
    assert [p.day for p in left_a.probes()] == [75.0, 228.0]
    # no report dates: the quarter starts strictly inside (2026-01-01 is the horizon itself)
    # 2025-04-01: 14 + 31 = 45; 2025-07-01: 45 + 30 + 31 + 30 = 136; 2025-10-01: 228
    assert in_b.dates == ((D(2025, 4, 1), 45.0), (D(2025, 7, 1), 136.0), (D(2025, 10, 1), 228.0))
    assert in_b.label == "in_b" and in_b.note == "watched at the quarters" and not in_b.ever


def test_default_dates_by_hand():
    # start on a quarter start: that day is not strictly inside
    assert default_indicator_dates(D(2025, 1, 1), 365.0, []) == [
        D(2025, 4, 1),
        D(2025, 7, 1),
        D(2025, 10, 1),
    ]
    # across a year end; a horizon of 100.5 days from 2025-11-20 ends on 2026-02-28 (+0.5)
    assert default_indicator_dates(D(2025, 11, 20), 100.5, []) == [D(2026, 1, 1)]
    # a quarter start on the (fractional) horizon's day but before its instant is inside
    assert default_indicator_dates(D(2025, 3, 2), 30.5, []) == [D(2025, 4, 1)]
    # report dates strictly inside win; those at the start or horizon do not count
    report = [D(2025, 1, 1), D(2025, 6, 30), D(2025, 3, 1), D(2026, 1, 1)]
    assert default_indicator_dates(D(2025, 1, 1), 365.0, report) == [D(2025, 3, 1), D(2025, 6, 30)]
    only_ends = [D(2025, 1, 1), D(2026, 1, 1)]
    assert default_indicator_dates(D(2025, 1, 1), 365.0, only_ends)[0] == D(2025, 4, 1)
    assert default_indicator_dates(D(2025, 1, 2), 30.0, []) == []


def test_report_dates_inside_are_the_default(tmp_path):
    path = write(
        tmp_path,
        "r.yaml",
        MODEL
        + """\
report:
  dates: [2025-12-01, 2026-01-01, 2025-06-30]
indicators:
  in_b: {when: t == b}
""",
    )
    (ind,) = load_scenario(path).indicators
    assert [d for d, _ in ind.dates] == [D(2025, 6, 30), D(2025, 12, 1)]


def test_no_date_to_watch_at_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "short.yaml",
        MODEL.replace("horizon: 2026-01-01", "horizon: 2025-03-20").replace(
            "2025-09-01", "2025-03-10"
        )
        + "indicators:\n  in_b: {when: t == b}\n",
    )
    problems = check_file(path)
    assert [p.line for p in problems] == [15]
    assert "has no date to be watched at" in problems[0].message
    assert "give it 'dates'" in problems[0].message


def test_files_follow_the_scenario_in_order(scenario, evidence_file, tmp_path):
    other = write(tmp_path, "more.yaml", "evidence: []\n")
    s = load_scenario(scenario, evidence=[evidence_file, other])
    assert [o.date for o in s.evidence] == [
        D(2025, 3, 1),
        D(2025, 8, 1),
        D(2025, 6, 1),
        D(2025, 2, 15),
    ]
    third, fourth = s.evidence[2:]
    assert third.origin == f"{evidence_file}:3" and fourth.origin == f"{evidence_file}:9"
    assert (third.confidence, third.label, third.note) == (0.9, "b reached", "from two sources")
    assert third.condition == StateTest(0, frozenset({1, 2}))
    assert (fourth.day, fourth.confidence) == (0.0, 1.0)  # the start itself is allowed
    # the files in the other order, a lone path
    s = load_scenario(scenario, evidence=[other, evidence_file])
    assert [o.date for o in s.evidence][2:] == [D(2025, 6, 1), D(2025, 2, 15)]
    assert load_scenario(scenario, evidence=str(evidence_file)).evidence == s.evidence


def test_as_of_keeps_observations_on_or_before(scenario, evidence_file):
    s = load_scenario(scenario, evidence=[evidence_file], as_of=D(2025, 6, 1))
    assert [o.date for o in s.evidence] == [D(2025, 3, 1), D(2025, 6, 1), D(2025, 2, 15)]
    assert s.as_of == D(2025, 6, 1)
    before = load_scenario(scenario, evidence=[evidence_file], as_of=D(2020, 1, 1))
    assert before.evidence == () and before.as_of == D(2020, 1, 1)
    after = load_scenario(scenario, evidence=[evidence_file], as_of=D(2030, 1, 1))
    assert len(after.evidence) == 4


def test_no_evidence_keeps_none_but_still_checks(scenario, evidence_file, tmp_path):
    s = load_scenario(scenario, evidence=[evidence_file], use_evidence=False)
    assert s.evidence == () and len(s.indicators) == 2
    bad = write(
        tmp_path, "bad.yaml", "evidence:\n  - {date: 2025-06-01, when: t == d, observed: true}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario, evidence=[bad], use_evidence=False)
    assert info.value.errors[0].file == str(bad) and info.value.errors[0].line == 2
    assert "has no state 'd'" in info.value.errors[0].message


def test_evidence_is_checked_against_the_variant(scenario, evidence_file, tmp_path):
    # the variant 'short' ends on 2025-11-15: the scenario's own 2025-08-01 still fits
    s = load_scenario(scenario, "short", evidence=[evidence_file])
    assert len(s.evidence) == 4 and s.variant == "short"
    late = write(
        tmp_path, "late.yaml", "evidence:\n  - {date: 2025-12-01, when: t == b, observed: true}\n"
    )
    assert len(load_scenario(scenario, evidence=[late]).evidence) == 3
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario, "short", evidence=[late])
    (err,) = info.value.errors
    assert (err.file, err.line) == (str(late), 2)
    assert err.message.startswith("in variant 'short': observation 'date' 2025-12-01 is outside")
    problems = check_file(scenario, evidence=[late])
    assert [(p.file, p.line) for p in problems] == [(str(late), 2)]
    assert problems[0].message.startswith("in variant 'short'")


def test_check_file_reports_every_evidence_file(scenario, tmp_path):
    one = write(tmp_path, "one.yaml", "evidence:\n  - {date: 2025-06-01, when: t == a}\n")
    two = write(
        tmp_path, "two.yaml", "evidence:\n  - {date: 2025-06-01, when: t == a, observed: 1}\n"
    )
    problems = check_file(scenario, evidence=[one, two])
    assert [(p.file, p.line) for p in problems] == [(str(one), 2), (str(two), 2)]
    assert "missing required key 'observed'" in problems[0].message
    assert "'observed' in evidence[0] should be true or false" in problems[1].message


def test_no_evidence_and_no_indicators_by_default(tmp_path):
    s = load_scenario(write(tmp_path, "plain.yaml", MODEL))
    assert s.evidence == () and s.indicators == () and s.as_of is None


def test_schema_has_evidence_and_indicators():
    schema = json_schema()
    assert {"evidence", "indicators"} <= set(schema["properties"])
    text = json.dumps(schema)
    for key in ("observed", "confidence", "source", "dates"):
        assert f'"{key}"' in text
    assert "1.1" in schema["title"]


@pytest.mark.shared
def test_shared_cases_of_format_1_1_load(shared):
    files = sorted((shared / "cases-1.1").glob("*.yaml"))
    assert files
    for path in files:
        assert [p for p in check_file(path) if p.severity == "error"] == [], path
        s = load_scenario(path)
        assert s.evidence or s.indicators
    memoryless = load_scenario(shared / "cases-1.1" / "evidence_memoryless.yaml")
    (obs,) = memoryless.evidence
    assert (obs.day, obs.ever, obs.observed) == (365.0, True, False)
    chain = load_scenario(shared / "cases-1.1" / "indicators_chain.yaml")
    assert [i.id for i in chain.indicators] == ["left_a", "in_b", "noise"]
    assert all(i.dates == ((D(2025, 7, 1), 181.0),) for i in chain.indicators)
