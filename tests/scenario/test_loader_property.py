"""Property: whatever the bytes, the loader only ever raises ScenarioError (or succeeds).

Three sources of input: random bytes, random YAML-like text assembled from fragments of
scenario files (and of YAML traps), and random mutations of valid scenarios' text. Each input
is written to a file and goes through ``read_document``, ``check_file`` (which returns problems
instead of raising, and compiles every variant) and ``load_scenario`` for the base case and
the first variant.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.errors import Problem, ScenarioError
from sim.scenario.load import check_file, read_document
from sim.scenario.yamlio import read_yaml
from tests.conftest import OWN_CASES, SHARED

VALID_TEXTS = [
    p.read_text(encoding="utf-8")
    for p in sorted(OWN_CASES.glob("*.yaml"))
    + sorted((SHARED / "cases").glob("*.yaml"))  # none when the folder is absent
    + sorted((SHARED / "bench").glob("*.yaml"))
] + [
    """\
scenario: demo
start: 2025-08-01
horizon: 2027-12-31
tracks:
  posture:
    states: [drawing_down, withdrawn, limited_return]
    initial: drawing_down
  security:
    states: {fragile: {label: Fragile}, resurgence: {}, vacuum: {}}
    initial: {fragile: 90%, resurgence: 10%}
parameters:
  risk:
    value: {pert: [10%, 20%, 40%]}
  delay:
    value: 2 to 6 months
  pace:
    value: 0.5
events:
  - id: exit
    track: posture
    from: drawing_down
    to: withdrawn
    at: 2026-09-30
    also: {security: fragile}
  - id: rise
    track: security
    from: fragile
    to: resurgence
    chance: $risk within 12 months
    modifiers:
      - when: posture == withdrawn
        multiply: 1.5 to 3
  - id: collapse
    track: security
    from: [resurgence]
    to: vacuum
    after: $delay
    when: posture in [withdrawn, limited_return] and not security == fragile
  - id: returns
    track: posture
    from: any
    to: {limited_return: 40%, withdrawn: 0.6}
    rate: $pace per year
    when: security == vacuum or (posture != drawing_down and true)
outcomes:
  vacuum: {when: security == vacuum}
  reengaged: {when: "posture == limited_return", ever: true}
variants:
  extended:
    label: Later exit
    set:
      events.exit.at: 2027-09-30
      parameters.risk: 5% to 15%
      tracks.security.initial: fragile
  calm:
    disable: [rise]
    set: {horizon: 18 months, events.returns.chance: 10% within 1 year}
report:
  every: 2 months
  dates: [2026-09-30]
"""
]

FRAGMENTS = [
    "scenario: demo",
    "scenario: Bad-Id",
    "start: 2025-01-01",
    "start: 2025-02-30",
    "horizon: 2026-01-01",
    "horizon: 18 months",
    "horizon: 0 days",
    "tracks:",
    "  t: {states: [a, b, c], initial: a}",
    "  t: {states: [a, b], initial: {a: 50%, b: 50%}}",
    "  g:",
    "    states: [no, yes, on, off]",
    "    initial: no",
    "    initial: {a: 0.3}",
    "parameters:",
    "  p: {value: 10% to 30%}",
    "  p: {value: 3 to 12 months}",
    "  p: {value: 2}",
    "  p: {value: 0.3}",
    "  q: {value: 1}",
    "  q:",
    "    value: {lognormal: {median: 2 months, p90: 1 year}}",
    "    value: {beta: {mean: 0.3, sd: 0.1}}",
    "    value: {gamma: {shape: 2, mean: 3 months}}",
    "    value: {weibull: {shape: 0, scale: 1 year}}",
    "events:",
    "  - id: e",
    "  - {id: e, track: t, from: a, to: b, chance: 25% within 1 year}",
    "  - {id: f, track: t, from: any, to: {b: 30%, c: 70%}, rate: 1 per 3 months}",
    "  - {id: h, track: g, from: no, to: yes, at: 2025-06-01}",
    "    track: t",
    "    track: g",
    "    from: a",
    "    from: [a, b]",
    "    to: b",
    "    to: {b: 30%, c: 60%}",
    "    chance: $p within 1 year",
    "    chance: {p: $p, within: 6 months}",
    "    chance: 100% within 1 year",
    "    chance: 25 within 1 year",
    "    rate: $q per year",
    "    rate: 10% per year",
    "    after: $p",
    "    after: $q",
    "    after: 12 to 3 months",
    "    after: {uniform: [0 days, 2 months]}",
    "    after: {triangular: [1 month, 2 months, 1 month]}",
    "    at: 2025-09-30",
    "    at: $p",
    "    when: t == b and not (g in [yes, on] or t != c)",
    "    when: t = b",
    "    when: (t == b",
    "    when: t in [a, b",
    "    when: {t == b}",
    "    when: [t, b]",
    "    when: true",
    "    also: {g: off}",
    "    also: {t: a}",
    "    modifiers:",
    "      - {when: t == b, multiply: 2}",
    "      - {when: t in [a, b], multiply: 0}",
    "      - when: g == on",
    "        multiply: $p",
    "        multiply: {exponential: {mean: 2}}",
    "outcomes:",
    "  o: {when: t == c}",
    "  o: {when: g == off, ever: true}",
    "  o: {when: nope == c, ever: maybe}",
    "variants:",
    "  v: {set: {horizon: 2 years}}",
    "  v: {set: {events.e.at: 2025-03-01}, disable: [f]}",
    "  v: {set: {parameters.p: 150%, tracks.t.initial: c}}",
    "  v: {set: {events.zz.chance: 1}, disable: [nope, 3]}",
    "  base: {}",
    "  v:",
    "    set:",
    "      start: 2024-01-01",
    "      events.e.modifiers: [{when: t == a, multiply: 3}]",
    "    disable:",
    "      - e",
    "report: {every: 1 week, dates: [2025-03-01]}",
    "report:",
    "  dates: [2030-01-01, x]",
    "  every: 0 months",
    "x: &a [1, 2, 3]",
    "y: *a",
    "z: *undefined",
    "<<: {scenario: demo}",
    "a: !!python/object/apply:os.system [ls]",
    "b: !custom 3",
    "c: !!binary aGVsbG8=",
    "d: !!str 2025-01-01",
    "e: !!int 3",
    "%YAML 1.1",
    "%YAML 1.2",
    "%TAG !e! tag:example.com,2000:",
    "---",
    "...",
    "- just a list item",
    "? [complex, key]",
    ": value",
    '"\\ud800": 1',
    "f: '\\x00'",
    "g: |",
    "  a literal block",
    "h: >-",
    "\tindented with a tab: 1",
    "i: 99999999999999999999999999999999999999999999",
    "j: 1e999",
    "k: .nan",
    "l: -.inf",
    "m: 0o777",
    "n: 0x",
    "o: 2025-01-01T10:00:00Z",
    "p: ~",
    "q: [a, b, {c: d}]",
    "r: {a: [b, {c: [d]}]}",
    "# a comment",
    "",
    "    ",
    "}",
    "]",
    ":",
    "- - -",
    "@reserved",
    "`backtick",
]


def _check(text_or_bytes: str | bytes, path: Path) -> None:
    """Load one input every way; anything but a ScenarioError fails the test."""
    if isinstance(text_or_bytes, str):
        path.write_text(text_or_bytes, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text_or_bytes)
    try:
        read_document(path)
    except ScenarioError as exc:
        _well_formed(exc.problems, path)
    problems = check_file(path)
    _well_formed(problems, path)
    try:
        scenario = sim.load_scenario(path)
    except ScenarioError as exc:
        _well_formed(exc.problems, path)
        assert exc.errors, "a ScenarioError carries at least one error"
        assert any(p.severity == "error" for p in problems), "check_file agrees"
        return
    # check_file has compiled every variant; load one through load_scenario's own path too.
    for variant in scenario.variants[:1]:
        try:
            sim.load_scenario(path, variant.id)
        except ScenarioError as exc:
            _well_formed(exc.problems, path)


def _well_formed(problems: list[Problem], path: Path) -> None:
    for p in problems:
        assert p.file == str(path)
        assert p.severity in ("error", "warning")
        assert p.line is None or (p.line >= 1 and p.column >= 1)
        assert p.message and "\n" not in str(p)
        assert "Traceback" not in p.message


COMMON = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp) / "input.yaml"


@COMMON
@given(raw=st.binary(max_size=600))
def test_random_bytes(scratch, raw: bytes):
    _check(raw, scratch)


@COMMON
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(["", "", "  ", "    ", " ", "\t"])),
        max_size=40,
    )
)
def test_random_yaml_from_fragments(scratch, lines):
    _check("\n".join(indent + frag for frag, indent in lines) + "\n", scratch)


# Word-level changes come often (they reach the compiler: unknown ids, bad quantities),
# line-level ones (they mostly break the YAML) less.
_MUTATIONS = (
    ("reuse_word",) * 4
    + ("replace",) * 3
    + ("delete", "duplicate", "swap", "indent", "dedent", "insert", "truncate")
)


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(VALID_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        op = draw(st.sampled_from(_MUTATIONS))
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "reuse_word":  # a word of the file put where another word was
            vocabulary = sorted(set(text.replace(",", " ").split())) or ["x"]
            words = lines[i].split(" ")
            k = draw(st.integers(0, len(words) - 1))
            words[k] = draw(st.sampled_from(vocabulary))
            lines[i] = " ".join(words)
        elif op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap" and len(text) > 1:
            j = draw(st.integers(0, len(text) - 2))
            text = text[:j] + text[j + 1] + text[j] + text[j + 2 :]
            continue
        elif op == "indent":
            lines[i] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][draw(st.integers(1, 4)) :]
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(FRAGMENTS)))
        elif op == "replace":
            words = lines[i].split(" ")
            k = draw(st.integers(0, len(words) - 1))
            words[k] = draw(
                st.sampled_from(
                    ["", "no", "0", "-1", "1e9", "true", "any", "[a", "{", "$p", "%", "!!str", "&x"]
                    + ["*x", "x:", "2025-13-01", "12 months", "150%", "a,", "yes", "'", '"']
                )
            )
            lines[i] = " ".join(words)
        elif op == "truncate":
            lines = lines[:i]
        text = "\n".join(lines)
    return text


@COMMON
@given(text=mutated())
def test_mutated_valid_scenarios(scratch, text: str):
    _check(text, scratch)


VALID_DATA = [read_yaml(t.encode(), "x.yaml").data for t in VALID_TEXTS]
_LEAVES = st.one_of(
    st.sampled_from(
        ["a", "b", "t", "g", "e", "no", "any", "true", "$p", "$risk", "25%", "0.5", "150%"]
        + ["-1", "0", "1e999", "3 to 12 months", "12 to 3 months", "10% to 30%", "0 days"]
        + ["2 months", "25% within 1 year", "1 per year", "t == a", "t in [a, b]", "(t == a"]
        + ["2025-02-30", "2025-06-01", "events.e.at", "horizon", "x y", "Bad-Id", ""]
    ),
    st.integers(-3, 200),
    st.floats(allow_nan=False, width=32),
    st.booleans(),
    st.none(),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["a", "b", "uniform", "p", "within", "mean"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated_data(draw):
    """A valid scenario's data with a few values replaced, deleted or added, as JSON text."""
    data = copy.deepcopy(draw(st.sampled_from(VALID_DATA)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "rename"]))
        if op == "replace":
            parent[path[-1]] = draw(_VALUES)
        elif op == "delete":
            del parent[path[-1]]
        elif op == "add" and isinstance(parent, dict):
            key = draw(st.sampled_from(["when", "also", "modifiers", "at", "x", "ever", "set"]))
            parent[key] = draw(_VALUES)
        elif op == "add":
            parent.append(draw(_VALUES))
        elif op == "rename" and isinstance(parent, dict):
            key = path[-1]
            new = draw(st.sampled_from([key[:-1], key + "s", key.upper(), "base", "1x"]))
            if new and new not in parent:
                parent[new] = parent.pop(key)
    # JSON is YAML 1.2 (and json is much faster than a YAML dumper); dates become quoted text.
    return json.dumps(data, indent=draw(st.sampled_from([None, 2])), default=str)


@settings(COMMON, max_examples=150)  # each example parses a whole scenario three times
@given(text=mutated_data())
def test_mutated_scenario_data(scratch, text: str):
    _check(text, scratch)


@pytest.mark.parametrize("text", VALID_TEXTS)
def test_unmutated_texts_are_valid(scratch, text: str):
    scratch.write_text(text, encoding="utf-8")
    assert not [p for p in check_file(scratch) if p.severity == "error"]
    scenario = sim.load_scenario(scratch)
    for variant in scenario.variants:
        sim.load_scenario(scratch, variant.id)


@pytest.mark.parametrize(
    "raw",
    [
        b"a: " + b"9" * 5000 + b"\n",
        b"a: " + b"[" * 100_000 + b"\n",
        b"a: &a [*a]\n",
        b"\xff\xfe\x00a",
        b"\xef\xbb\xbf",
        b"%YAML 1.1\n---\nscenario: x\n",
        b'"\\ud800": 1\n',
        b"scenario: x\nevents: [{id: e, to: {a: 1e999}}]\n",
    ],
)
def test_known_traps(scratch, raw: bytes):
    _check(raw, scratch)
