"""The condition language (section 5.2): parsing, precedence, errors, and evaluation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.model.conditions import Const
from sim.scenario.conditions import ConditionError, parse_condition

TRACKS = {"a": ["x", "y", "z"], "b": ["y", "w"], "c": ["z", "q"]}
NAMES = list(TRACKS)
ALL_STATES = list(itertools.product(*(range(len(s)) for s in TRACKS.values())))


def name(state, track: str) -> str:
    """The state name of ``track`` in a joint state of indices."""
    return TRACKS[track][state[NAMES.index(track)]]


# Each condition with a reference written independently in Python.
CASES = [
    ("true", lambda s: True),
    ("false", lambda s: False),
    ("a == x", lambda s: name(s, "a") == "x"),
    ("a==x", lambda s: name(s, "a") == "x"),
    ("a != x", lambda s: name(s, "a") != "x"),
    ("a in [x, z]", lambda s: name(s, "a") in ("x", "z")),
    ("a in[x,z]", lambda s: name(s, "a") in ("x", "z")),
    ("a not in [x, z]", lambda s: name(s, "a") not in ("x", "z")),
    ("not a in [x]", lambda s: name(s, "a") != "x"),
    ("not not a == x", lambda s: name(s, "a") == "x"),
    # not binds tighter than and, and tighter than or
    (
        "not a == x or b == y and c == z",
        lambda s: name(s, "a") != "x" or (name(s, "b") == "y" and name(s, "c") == "z"),
    ),
    (
        "a == x and b == y or c == z",
        lambda s: (name(s, "a") == "x" and name(s, "b") == "y") or name(s, "c") == "z",
    ),
    (
        "a == x or b == y and c == z",
        lambda s: name(s, "a") == "x" or (name(s, "b") == "y" and name(s, "c") == "z"),
    ),
    (
        "(a == x or b == y) and c == z",
        lambda s: (name(s, "a") == "x" or name(s, "b") == "y") and name(s, "c") == "z",
    ),
    (
        "not (a == x or b == y)",
        lambda s: not (name(s, "a") == "x" or name(s, "b") == "y"),
    ),
    (
        "a == y and not b == y and c in [z, q]",
        lambda s: name(s, "a") == "y" and name(s, "b") != "y",
    ),
    (
        "a == x or a == y or a == z",
        lambda s: True,
    ),
    (
        "a == x\nand b == w",  # a folded YAML line
        lambda s: name(s, "a") == "x" and name(s, "b") == "w",
    ),
    ("((a == z))", lambda s: name(s, "a") == "z"),
    ("true and b == w", lambda s: name(s, "b") == "w"),
    ("false or c != q", lambda s: name(s, "c") != "q"),
]


@pytest.mark.parametrize(("text", "reference"), CASES, ids=[c[0] for c in CASES])
def test_condition_matches_reference(text: str, reference):
    cond = parse_condition(text, TRACKS)
    for state in ALL_STATES:
        assert cond(list(state)) == reference(state), state


@pytest.mark.parametrize(("text", "reference"), CASES, ids=[c[0] for c in CASES])
def test_vectorized_evaluate_agrees_with_scalar_call(text: str, reference):
    cond = parse_condition(text, TRACKS)
    states = np.array(ALL_STATES, dtype=np.int64)
    got = cond.evaluate(states)
    assert got.shape == (len(ALL_STATES),)
    assert got.dtype == bool
    assert got.tolist() == [cond(list(s)) for s in ALL_STATES]
    # and on many random states, repeated rows included
    rng = np.random.default_rng(3)
    many = np.column_stack([rng.integers(0, len(s), 500) for s in TRACKS.values()])
    assert cond.evaluate(many).tolist() == [bool(cond(row)) for row in many]


def test_tracks_read():
    assert parse_condition("a == x or c == z", TRACKS).tracks() == {0, 2}
    assert parse_condition("not b in [y]", TRACKS).tracks() == {1}
    assert parse_condition("true", TRACKS).tracks() == frozenset()


def test_yaml_booleans_are_constants():
    assert parse_condition(True, TRACKS) == Const(True)
    assert parse_condition(False, TRACKS) == Const(False)


@pytest.mark.parametrize(
    ("text", "offset", "fragment"),
    [
        ("a = x", 2, "use '==' for equality"),
        ("a == x and", 10, "found the end of the condition"),
        ("a == x b == y", 7, "join conditions with 'and' or 'or'"),
        ("d == x", 0, "unknown track 'd'"),
        ("aa == x", 0, "did you mean 'a'?"),
        ("a == q", 5, "track 'a' has no state 'q'"),
        ("b == ww", 5, "did you mean 'w'?"),
        ("a in [x, y", 10, "expected ']' or ','"),
        ("a in x", 5, "expected '[' after 'in'"),
        ("(a == x", 7, "expected ')'"),
        ("a == in", 5, "expected a state of track 'a'"),
        ("a is x", 2, "expected '==', '!=', 'in' or 'not in'"),
        ("a == x && b == y", 7, "unexpected character '&'"),
        ("__import__('os').system('ls')", 11, "unexpected character"),
        ("__import__ == x", 0, "unknown track '__import__'"),
        ("and", 0, "expected a track name"),
        ("", 0, "a condition is text"),
        ("   ", 0, "a condition is text"),
    ],
)
def test_errors_point_inside_the_condition(text: str, offset: int, fragment: str):
    with pytest.raises(ConditionError) as info:
        parse_condition(text, TRACKS)
    assert fragment in str(info.value)
    assert info.value.offset == offset


@pytest.mark.parametrize("value", [None, 3, ["a", "x"], {"a": "x"}])
def test_non_text_is_an_error(value):
    with pytest.raises(ConditionError):
        parse_condition(value, TRACKS)


def test_error_column_in_file(tmp_path):
    """The column of a condition error is the column inside the condition in the file."""
    import sim
    from sim.errors import ScenarioError

    text = (
        "scenario: c\nstart: 2025-01-01\nhorizon: 1 year\n"
        "tracks: {t: {states: [a, b], initial: a}}\n"
        "events: [{id: e, track: t, from: a, to: b, after: 1 month}]\n"
        "outcomes:\n"
        "  plain: {when: t == a and t == bb}\n"
        '  quoted: {when: "t in [a, bb]"}\n'
        "  block:\n"
        "    when: t == a or t = b\n"
    )
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(path)
    got = {(p.line, p.column) for p in info.value.errors}
    lines = text.splitlines()
    assert (7, lines[6].index("bb") + 1) in got
    assert (8, lines[7].index("bb") + 1) in got
    assert (10, lines[9].index("= b") + 1) in got
