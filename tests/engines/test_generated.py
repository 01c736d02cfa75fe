"""The engines against the SimPy reference, run by run, on random small scenarios generated as
YAML text (hypothesis): tracks, initial mappings, branches, every timing form, ``$parameters``,
guards, modifiers (0 and ranges included), ``also``, report dates, ``ever`` outcomes; with
events enabled many times in a run (deep layers of the wait and branch streams), ``at`` events
sharing a date (same-instant ordering) and same-instant cascades that may be instantaneous
loops (then every engine must raise :class:`~sim.errors.SimulationError`). Conditions are also
run untabulated (``MAX_TABLE`` patched to 0). See ``tests/engines/test_equivalence.py`` for the
comparisons.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.errors import ScenarioError
from tests.engines.test_equivalence import TABLE_MODULES, compare_blocks

START = dt.date(2025, 1, 1)
GEN_RUNS = 200
# Many enablings of one event in one run: deep layers of the wait and branch streams (the
# NumPy engine grows its tables of layers 2, 4, 8, 16...; the compiled engine draws on demand).
MANY = 9
TINY = "1e-18 days"  # below one ulp of any time >= 1 day: a same-instant firing


def _q(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text)


def _percentages(draw, k: int) -> list[int]:
    """k whole percentages (zeros allowed) that add up to exactly 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=k - 1, max_size=k - 1)))
    bounds = [0, *cuts, 100]
    return [bounds[i + 1] - bounds[i] for i in range(k)]


def _one_in(draw, n: int) -> bool:
    """True about once in n draws (an inner value: hypothesis favours the ends of ranges)."""
    return draw(st.integers(0, n - 1)) == n // 2


def _condition(draw, tracks: dict[str, list[str]], depth: int = 0) -> str:
    kinds = ["eq", "eq", "ne", "in", "not_in"]
    if depth < 2:
        kinds += ["not", "and", "or", "and"]
    kinds.append("const")
    kind = draw(st.sampled_from(kinds))
    if kind == "const":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "not":
        return f"not ({_condition(draw, tracks, depth + 1)})"
    if kind in ("and", "or"):
        n = draw(st.integers(2, 3))
        parts = [f"({_condition(draw, tracks, depth + 1)})" for _ in range(n)]
        return f" {kind} ".join(parts)
    track = draw(st.sampled_from(sorted(tracks)))
    states = tracks[track]
    if kind in ("eq", "ne"):
        op = "==" if kind == "eq" else "!="
        return f"{track} {op} {draw(st.sampled_from(states))}"
    chosen = draw(st.lists(st.sampled_from(states), min_size=1, max_size=len(states), unique=True))
    op = "in" if kind == "in" else "not in"
    return f"{track} {op} [{', '.join(chosen)}]"


class _Gen:
    """What a generated scenario exercises, for the coverage counts."""

    def __init__(self) -> None:
        self.params: dict[str, str] = {}
        self.features: set[str] = set()


def _use_param(gen: _Gen, kind: str) -> str:
    values = {"prob": "5% to 40%", "dur": "2 to 20 days", "num": "0.5 to 2"}
    name = f"p_{kind}"
    gen.params[name] = values[kind]
    gen.features.add(f"param_{kind}")
    return f"${name}"


def _timing(draw, gen: _Gen, at_days: list[int]) -> str:
    kind = draw(
        st.sampled_from(
            ["chance", "chance", "rate", "rate", "after", "after_param", "uniform", "exponential"]
            + ["range", "at", "at", "at"]
        )
    )
    gen.features.add(kind)
    per = draw(st.sampled_from(["30 days", "1 month", "2 weeks", "1 year", "90 days"]))
    if kind == "chance":
        p = draw(st.sampled_from(["0%", "5%", "25%", "0.9", "99%", "10% to 40%", "param", "param"]))
        if p == "param":
            p = _use_param(gen, "prob")
        return f"chance: {p} within {per}"
    if kind == "rate":
        r = draw(st.sampled_from(["0", "0.5", "1", "3", "param"]))
        if r == "param":
            r = _use_param(gen, "num")
        return f"rate: {r} per {draw(st.sampled_from([per, 'week', 'year']))}"
    if kind == "after":
        return f"after: {draw(st.sampled_from(['1 day', '10 days', '2 weeks', '3.5 days']))}"
    if kind == "after_param":  # one value per run: the same wait at every enabling
        return f"after: {_use_param(gen, 'dur')}"
    if kind == "uniform":
        a = draw(st.sampled_from([1, 2, 5, 10]))
        b = a + draw(st.sampled_from([1, 5, 30]))
        return f"after: {{uniform: [{a} days, {b} days]}}"
    if kind == "exponential":
        return f"after: {{exponential: {{mean: {draw(st.sampled_from([3, 15, 60]))} days}}}}"
    if kind == "range":
        a, b = draw(st.sampled_from([(1, 5), (3, 12), (10, 90)]))
        return f"after: {a} to {b} days"
    day = draw(st.sampled_from(at_days))
    return f"at: {(START + dt.timedelta(days=day)).isoformat()}"


def _factor(draw, gen: _Gen) -> str:
    f = draw(st.sampled_from(["0", "2", "0.5", "3", "1.5 to 3", "param"]))
    if f == "0":
        gen.features.add("multiply_0")
    return _use_param(gen, "num") if f == "param" else f


def _header(draw, gen: _Gen, gate: bool | None):
    """Start, horizon and tracks: (lines, horizon in whole days, ``at`` days, tracks, gate)."""
    # (text or None for the date form, whole days before the horizon instant)
    horizon_text, horizon = draw(
        st.sampled_from([(None, 45), ("90 days", 90), (None, 180), ("6 months", 182), (None, 365)])
    )
    # a date before the start fires at the first instant the event is enabled
    at_days = {-31, 0, 10, 31, 59, horizon // 2, horizon, draw(st.integers(1, horizon))}
    at_days = sorted(at_days)
    n_tracks = draw(st.integers(1, 4))
    tracks = {f"t{i}": [f"s{j}" for j in range(draw(st.integers(2, 4)))] for i in range(n_tracks)}
    lines = ["scenario: generated", "start: 2025-01-01"]
    if horizon_text is None:
        lines.append(f"horizon: {(START + dt.timedelta(days=horizon)).isoformat()}")
    else:
        lines.append(f"horizon: {horizon_text}")
    if gate is None:
        gate = _one_in(draw, 10)
    lines.append("tracks:")
    for tid, states in tracks.items():
        if draw(st.booleans()):
            initial = draw(st.sampled_from(states))
        else:
            k = draw(st.integers(2, len(states)))
            chosen = draw(st.permutations(states))[:k]
            pct = _percentages(draw, k)
            initial = "{" + ", ".join(f"{s}: {p}%" for s, p in zip(chosen, pct, strict=True)) + "}"
            gen.features.add("initial_mapping")
        lines.append(f"  {tid}: {{states: [{', '.join(states)}], initial: {initial}}}")
    if gate:
        lines.append("  gate: {states: [shut, open], initial: shut}")
    return lines, horizon, at_days, tracks, gate


def _event(draw, gen: _Gen, i: int, tracks: dict, at_days: list[int], at_dates: list[str]):
    """Lines of random event ``e{i}``; its ``at:`` timing, if any, goes to ``at_dates``."""
    tid = draw(st.sampled_from(sorted(tracks)))
    states = tracks[tid]
    frm_kind = draw(st.sampled_from(["state", "list", "any"]))
    if frm_kind == "state":
        frm = draw(st.sampled_from(states))
    elif frm_kind == "list":
        chosen = draw(st.lists(st.sampled_from(states), min_size=1, unique=True))
        frm = "[" + ", ".join(chosen) + "]"
    else:
        frm = "any"
    if draw(st.integers(0, 3)) == 0:
        k = draw(st.integers(2, len(states)))
        chosen = draw(st.permutations(states))[:k]
        pct = _percentages(draw, k)
        to = "{" + ", ".join(f"{s}: {p}%" for s, p in zip(chosen, pct, strict=True)) + "}"
        gen.features.add("branch")
    else:
        to = draw(st.sampled_from(states))
    timing = _timing(draw, gen, at_days)
    if timing.startswith("at:"):
        at_dates.append(timing)
    ev = [f"  - id: e{i}", f"    track: {tid}", f"    from: {frm}", f"    to: {to}"]
    ev.append(f"    {timing}")
    if draw(st.integers(0, 2)) == 0:
        ev.append(f"    when: {_q(_condition(draw, tracks))}")
        gen.features.add("guard")
    if not timing.startswith("at:") and draw(st.integers(0, 2)) == 0:
        ev.append("    modifiers:")
        for _ in range(draw(st.integers(1, 2))):
            ev.append(f"      - when: {_q(_condition(draw, tracks))}")
            ev.append(f"        multiply: {_factor(draw, gen)}")
        gen.features.add("modifier")
    others = [t for t in tracks if t != tid]
    if others and draw(st.integers(0, 3)) == 0:
        other = draw(st.sampled_from(others))
        ev.append(f"    also: {{{other}: {draw(st.sampled_from(tracks[other]))}}}")
        gen.features.add("also")
    return ev


def _spinner(draw, gen: _Gen, tracks: dict) -> list[str]:
    """A clock re-enabled at every firing: many enablings in a run (deep random layers)."""
    tid = draw(st.sampled_from(sorted(tracks)))
    timing = draw(
        st.sampled_from(
            ["after: 3 days", "after: 1 week", "after: {uniform: [1 days, 6 days]}"]
            + ["rate: 1 per 4 days", "chance: 50% within 3 days", "after: 2 to 5 days"]
        )
    )
    to = draw(st.sampled_from(tracks[tid]))
    if draw(st.booleans()):
        to = (
            "{"
            + ", ".join(f"{s}: {p}%" for s, p in zip(tracks[tid][:2], (50, 50), strict=True))
            + "}"
        )
    gen.features.add("spinner")
    return [f"  - id: spin{tid[1:]}", f"    track: {tid}", "    from: any", f"    to: {to}"] + [
        f"    {timing}"
    ]


def _same_date(draw, tracks: dict, at_days: list[int], at_dates: list[str]) -> list[str]:
    """Scheduled events on one date: they fire one at a time, in file order."""
    events: list[str] = []
    date = (START + dt.timedelta(days=draw(st.sampled_from(at_days)))).isoformat()
    for j in range(draw(st.integers(2, 3))):
        tid = draw(st.sampled_from(sorted(tracks)))
        frm = draw(st.sampled_from(["any", *tracks[tid]]))
        events += [f"  - id: same{j}", f"    track: {tid}", f"    from: {frm}"]
        events += [f"    to: {draw(st.sampled_from(tracks[tid]))}", f"    at: {date}"]
        if draw(st.booleans()):
            events.append(f"    when: {_q(_condition(draw, tracks))}")
        at_dates += [f"at: {date}"] * 2
    return events


def _gate(draw, gen: _Gen, tracks: dict, at_days: list[int]) -> list[str]:
    """A gate that opens on a date; then waits below one ulp fire at the same instant (maybe
    an instantaneous loop)."""
    day = draw(st.sampled_from([d for d in at_days if d >= 1]))
    events = [
        "  - id: open_gate",
        "    track: gate",
        "    from: shut",
        "    to: open",
        f"    at: {(START + dt.timedelta(days=day)).isoformat()}",
    ]
    tid = draw(st.sampled_from(sorted(tracks)))
    frm, to = draw(st.permutations(tracks[tid]))[:2]
    if draw(st.booleans()):
        frm = "any"  # fires again and again at one instant: an instantaneous loop
    events += [
        "  - id: tiny",
        f"    track: {tid}",
        f"    from: {frm}",
        f"    to: {to}",
        f"    after: {TINY}",
        "    when: gate == open",
    ]
    gen.features.add("tiny")
    return events


def _outcomes(draw, gen: _Gen, tracks: dict, horizon: int) -> list[str]:
    """Outcomes, and maybe report dates."""
    lines = ["outcomes:"]
    for o in range(draw(st.integers(1, 3))):
        ever = draw(st.booleans())
        lines.append(f"  o{o}: {{when: {_q(_condition(draw, tracks))}, ever: {str(ever).lower()}}}")
    if draw(st.booleans()):
        dates = sorted({draw(st.integers(0, horizon)) for _ in range(draw(st.integers(1, 3)))})
        every = draw(st.sampled_from(["1 month", "2 weeks", "10 days"]))
        listed = ", ".join((START + dt.timedelta(days=d)).isoformat() for d in dates)
        lines.append(f"report: {{every: {every}, dates: [{listed}]}}")
        gen.features.add("report_dates")
    return lines


@st.composite
def scenario_texts(draw, gate: bool | None = None) -> tuple[str, frozenset[str]]:
    """YAML text of a random small scenario, and the features it uses.

    ``gate=True`` always adds a gate track that opens on a date and an event with a wait below
    one ulp guarded by it (same-instant cascades, sometimes instantaneous loops).
    """
    gen = _Gen()
    lines, horizon, at_days, tracks, gate = _header(draw, gen, gate)
    events: list[str] = []
    at_dates: list[str] = []
    for i in range(draw(st.integers(1, 8))):
        events.extend(_event(draw, gen, i, tracks, at_days, at_dates))
    if draw(st.integers(0, 2)) == 0:
        events += _spinner(draw, gen, tracks)
    if draw(st.integers(0, 2)) == 0:
        events += _same_date(draw, tracks, at_days, at_dates)
    if gate:
        events += _gate(draw, gen, tracks, at_days)
    if len(at_dates) != len(set(at_dates)):
        gen.features.add("same_date_at")
    if gen.params:
        lines.append("parameters:")
        for name, value in sorted(gen.params.items()):
            lines.append(f"  {name}: {{value: {value}}}")
    lines.append("events:")
    lines.extend(events)
    lines.extend(_outcomes(draw, gen, tracks, horizon))
    return "\n".join(lines) + "\n", frozenset(gen.features)


def _load_text(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        return sim.load_scenario(path)


def _check_generated(strategy, examples: int, stats: Counter) -> None:
    """Run both engines on ``examples`` generated scenarios, counting what they exercised."""

    @given(case=strategy, seed=st.integers(0, 2**32 - 1), tabulate=st.booleans())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(case, seed, tabulate):
        text, features = case
        stats["examples"] += 1
        try:
            scenario = _load_text(text)
        except ScenarioError:
            stats["rejected"] += 1
            return
        with ExitStack() as stack:
            if not tabulate:  # conditions evaluated on the states, not looked up in a table
                for module in TABLE_MODULES:
                    stack.enter_context(mock.patch.object(module, "MAX_TABLE", 0))
            try:
                ref = compare_blocks(scenario, seed, 0, GEN_RUNS)
            except AssertionError as exc:
                raise AssertionError(f"seed={seed} tabulate={tabulate}\n{text}\n{exc}") from exc
        if ref is None:
            stats["loop"] += 1
            return
        stats["ok"] += 1
        stats.update(features)
        if (ref.fires >= MANY).any():
            stats["spill"] += 1

    check()


def test_generated_scenarios_same_runs_in_both_engines():
    stats: Counter[str] = Counter()
    _check_generated(scenario_texts(), 50, stats)
    _check_generated(scenario_texts(gate=True), 12, stats)
    assert stats["rejected"] < 0.2 * stats["examples"], stats
    # the generator is real: what it is meant to exercise, it exercised
    for feature in ("spill", "same_date_at", "branch", "guard", "modifier", "also", "report_dates"):
        assert stats[feature] >= 1, (feature, stats)
    for feature in ("param_prob", "param_dur", "param_num", "multiply_0", "initial_mapping"):
        assert stats[feature] >= 1, (feature, stats)
    for feature in ("chance", "rate", "after", "uniform", "exponential", "range", "at"):
        assert stats[feature] >= 1, (feature, stats)
    assert stats["loop"] >= 1 and stats["tiny"] >= 1, stats
