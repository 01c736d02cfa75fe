"""YAML pitfalls: files that YAML 1.1 would misread load as written; bombs are refused fast."""

from __future__ import annotations

import datetime as dt
import time
import tracemalloc
from pathlib import Path

import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario.load import read_document
from sim.scenario.yamlio import read_yaml

MALFORMED = Path(__file__).resolve().parents[1] / "malformed"

NORWAY = """\
scenario: yaml_words
start: 2025-01-01
horizon: "2026-01-01"
tracks:
  on:
    states: [no, yes, on, off]
    initial: no
  y:
    states: {n: {label: No}, y: {label: Yes}, null_state: {}}
    initial: n
events:
  - {id: e1, track: on, from: no, to: yes, at: 2025-03-01}
  - {id: e2, track: on, from: yes, to: on, at: "2025-04-01"}
  - {id: e3, track: on, from: on, to: off, at: '2025-05-01'}
  - id: e4
    track: y
    from: n
    to: {y: 50%, null_state: 50%}
    after: 1 month
    when: on == off
outcomes:
  off: {when: on == off}
  no: {when: "on in [no, yes]", ever: true}
variants:
  short: {set: {horizon: 2025-10-01}}
  quoted: {set: {horizon: '2025-11-01', events.e1.at: "2025-02-01"}}
report:
  dates: [2025-06-30, "2025-09-30"]
"""


@pytest.fixture
def norway(tmp_path: Path) -> Path:
    path = tmp_path / "yaml_words.yaml"
    path.write_text(NORWAY, encoding="utf-8")
    return path


def test_yes_no_on_off_stay_words(norway: Path):
    s = sim.load_scenario(norway)
    assert [t.id for t in s.tracks] == ["on", "y"]
    assert s.tracks[0].states == ("no", "yes", "on", "off")
    assert s.tracks[0].initial == (1.0, 0.0, 0.0, 0.0)
    assert s.tracks[1].states == ("n", "y", "null_state")
    assert s.tracks[1].state_labels == ("No", "Yes", "null_state")
    assert [o.id for o in s.outcomes] == ["off", "no"]
    assert not s.warnings
    # the condition "on == off" reads track 'on', state 'off'
    on_off = s.outcomes[0].condition
    assert on_off([3, 0]) and not on_off([2, 0])
    assert s.outcomes[1].condition([1, 0]) and not s.outcomes[1].condition([2, 0])


def test_bare_and_quoted_dates(norway: Path):
    s = sim.load_scenario(norway)
    assert s.start == dt.date(2025, 1, 1)
    assert s.horizon_days == 365.0
    assert s.horizon_date == dt.date(2026, 1, 1)
    days = [e.timing.day for e in s.events[:3]]
    assert days == [
        (dt.date(2025, 3, 1) - s.start).days,  # bare
        (dt.date(2025, 4, 1) - s.start).days,  # double-quoted
        (dt.date(2025, 5, 1) - s.start).days,  # single-quoted
    ]
    assert [d for d, _ in s.report_dates] == [dt.date(2025, 6, 30), dt.date(2025, 9, 30)]


def test_quoted_dates_in_variants(norway: Path):
    short = sim.load_scenario(norway, "short")
    assert short.horizon_date == dt.date(2025, 10, 1)
    quoted = sim.load_scenario(norway, "quoted")
    assert quoted.horizon_date == dt.date(2025, 11, 1)
    assert quoted.events[0].timing.day == 31.0


def test_values_as_read_from_yaml():
    doc = read_yaml(
        b"a: no\nb: yes\nc: on\nd: off\ne: 2025-09-30\nf: '2025-09-30'\ng: true\nh: ~\n"
        b"i: 012\nj: 1:30\nk: 0o17\nl: 0x1F\nm: 1e3\nn: .inf\no: Yes\np: NO\nq: y\n",
        "t.yaml",
    )
    assert doc.data == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": "off",
        "e": dt.date(2025, 9, 30),
        "f": "2025-09-30",
        "g": True,
        "h": None,
        "i": 12,
        "j": "1:30",
        "k": 15,
        "l": 31,
        "m": 1000.0,
        "n": float("inf"),
        "o": "Yes",
        "p": "NO",
        "q": "y",
    }
    assert doc.positions.of(("e",)).line == 5


def test_true_false_are_not_state_ids(tmp_path: Path):
    path = tmp_path / "tf.yaml"
    path.write_text(NORWAY.replace("[no, yes, on, off]", "[no, yes, on, off, true]"))
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    assert info.value.errors[0].line == 6


def test_small_aliases_are_fine(tmp_path: Path):
    text = NORWAY.replace("when: on == off\n", "when: &guard on == off\n").replace(
        "off: {when: on == off}", "off: {when: *guard}"
    )
    path = tmp_path / "alias.yaml"
    path.write_text(text)
    s = sim.load_scenario(path)
    assert s.outcomes[0].text == "on == off"


def _bomb(levels: int, width: int) -> bytes:
    lines = ['a0: &a0 ["' + "lol" * 10 + '"]']
    for k in range(1, levels + 1):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]")
    lines.append("scenario: bomb")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(("levels", "width"), [(9, 9), (30, 10), (200, 2)])
def test_alias_bomb_is_refused_fast_with_bounded_memory(tmp_path: Path, levels, width):
    path = tmp_path / "bomb.yaml"
    path.write_bytes(_bomb(levels, width))
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 60.0  # a hang guard, not a speed test: expanded, the bomb never ends
    assert peak < 50_000_000
    assert "expands to more than" in str(info.value)


def test_corpus_alias_bomb_is_refused_fast():
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        read_document(MALFORMED / "alias_bomb.yaml")
    assert time.perf_counter() - t0 < 60.0  # a hang guard (the 1 s bound failed under load)
    assert info.value.errors[0].line == 7


def test_size_cap(tmp_path: Path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * 1_100_000 + b"\n")
    with pytest.raises(ScenarioError, match="capped"):
        read_document(path)


def test_deep_nesting_is_refused():
    for depth in (70, 5000):
        with pytest.raises(ScenarioError, match="nest|deep"):
            read_yaml(b"a: " + b"[" * depth + b"]" * depth + b"\n", "deep.yaml")


def test_bom_is_accepted(norway: Path):
    norway.write_bytes(b"\xef\xbb\xbf" + NORWAY.encode())
    assert sim.load_scenario(norway).tracks[0].states == ("no", "yes", "on", "off")


def test_unicode_labels(tmp_path: Path):
    path = tmp_path / "arabic.yaml"
    path.write_text(
        NORWAY.replace("scenario: yaml_words", "scenario: yaml_words\ntitle: انسحاب أمريكي"),
        encoding="utf-8",
    )
    assert sim.load_scenario(path).title == "انسحاب أمريكي"


def test_escaped_surrogate_pairs_are_joined():
    doc = read_yaml(b'a: "\\ud83d\\ude00 ok"\n', "t.yaml")
    assert doc.data == {"a": "\U0001f600 ok"}
    with pytest.raises(ScenarioError, match="lone UTF-16 surrogate"):
        read_yaml(b'a: "\\ud83d"\n', "t.yaml")


def test_yaml_12_directive_is_accepted(norway: Path):
    norway.write_text("%YAML 1.2\n---\n" + NORWAY)
    assert sim.load_scenario(norway).tracks[0].states == ("no", "yes", "on", "off")


def test_json_is_yaml(tmp_path: Path):
    """A scenario written as JSON (a subset of YAML 1.2) loads; dates come quoted."""
    import json

    data = read_yaml(NORWAY.encode(), "t.yaml").data
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data, default=str, indent=1))
    s = sim.load_scenario(path)
    assert s.tracks[0].states == ("no", "yes", "on", "off")
    assert s.start == dt.date(2025, 1, 1)
