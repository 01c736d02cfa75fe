"""Progress in phases (sim.cli.progress): the plain lines a pipe gets, with hand-computed
ETAs from a fake clock, at most one line a tenth; and the bar a terminal gets."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from sim.cli.progress import COMPILING, Phases
from tests.conftest import messages

CASES = Path(__file__).resolve().parents[1] / "cases"


def _phases(batches, times, terminal=False):
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=200)
    clock = iter(times)
    return Phases(batches, source="s.yaml", console=console, clock=lambda: next(clock)), out


def test_plain_lines_name_the_variant_and_give_an_overall_eta():
    progress, out = _phases(["base", "v"], [0.0, 10.0, 20.0, 20.0, 30.0, 40.0])
    progress("s [base]", 0, 100)  # t=0: nothing done, no pace yet
    progress("s [base]", 50, 100)  # t=10: a quarter of all, the pace starts here
    progress("s [base]", 100, 100)  # t=20: half; a quarter took 10 s: 20 s left
    progress("s [v]", 0, 100)  # t=20: still half
    progress("s [v]", 50, 100)  # t=30: 3/4; half took 20 s: 10 s left
    progress("s [v]", 100, 100)  # t=40: done
    assert out.getvalue().splitlines() == [
        "s.yaml: progress: simulating base (1/2): 0/100 runs (0%)",
        "s.yaml: progress: simulating base (1/2): 50/100 runs (50%)",
        "s.yaml: progress: simulating base (1/2): 100/100 runs (100%), overall ETA 0:00:20",
        "s.yaml: progress: simulating v (2/2): 0/100 runs (0%), overall ETA 0:00:20",
        "s.yaml: progress: simulating v (2/2): 50/100 runs (50%), overall ETA 0:00:10",
        "s.yaml: progress: simulating v (2/2): 100/100 runs (100%), overall ETA 0:00:00",
    ]


def test_no_eta_from_reports_that_come_together():
    # two workers' first blocks reported 0.01 s apart would give a pace of 2,500 runs a
    # second and an ETA of 0:00:00; the pace waits for a second of measure
    progress, out = _phases([], [0.0, 5.0, 5.01, 7.0])
    progress("s", 0, 100)  # t=0
    progress("s", 25, 100)  # t=5: the pace starts here
    progress("s", 50, 100)  # t=5.01: too soon to tell
    progress("s", 75, 100)  # t=7: 50 runs in 2 s, 25 left: 1 s
    assert out.getvalue().splitlines() == [
        "s.yaml: progress: simulating s: 0/100 runs (0%)",
        "s.yaml: progress: simulating s: 25/100 runs (25%)",
        "s.yaml: progress: simulating s: 50/100 runs (50%)",
        "s.yaml: progress: simulating s: 75/100 runs (75%), ETA 0:00:01",
    ]


def test_plain_lines_come_once_a_tenth_and_phases_once():
    progress, out = _phases([], [float(t) for t in range(100)])
    progress.phase("writing out")
    for k in range(1, 41):
        progress.charts(k, 40, f"chart{k}")
    lines = out.getvalue().splitlines()
    assert lines[0] == "s.yaml: progress: writing out"
    charts = lines[1:]
    assert len(charts) == 11  # 1/40 (the first), then 4/40, 8/40, ..., 40/40
    assert charts[0] == "s.yaml: progress: drawing charts: 1/40 charts (2%)"
    # chart k is told at t = k - 1 s: 3 charts in 3 s since the first, 36 left: 36 s
    assert charts[1] == "s.yaml: progress: drawing charts: 4/40 charts (10%), ETA 0:00:36"
    assert charts[-1] == "s.yaml: progress: drawing charts: 40/40 charts (100%), ETA 0:00:00"


def test_a_terminal_keeps_the_compiling_line_and_draws_a_bar():
    progress, out = _phases(["base"], [float(t) for t in range(10)], terminal=True)
    progress.phase(COMPILING, keep=True)
    progress("s [base]", 5, 10)
    progress.close()
    text = out.getvalue()
    assert COMPILING in text
    assert "simulating base" in text and "5/10 runs" in text
    assert "progress:" not in text  # no plain lines on a terminal


def test_the_spread_design_is_a_phase_of_its_own_and_the_overall_eta_counts_it_from_the_start():
    # F1: the spread design was told as "simulating base" again, falling from 100% to 0%,
    # and the overall ETA once the first variant's main runs were done left out the other
    # variants' spread designs (0:00:06, then 0:18:18). Planned: 100 main + 40 spread runs a
    # variant, 280 in all; the pace is timed from the first report of some runs (t=5, 50).
    progress, out = _phases(["base", "v"], [0.0, 5.0, 10.0, 14.0, 18.0, 22.0, 32.0])
    progress.plan({"base": 140, "v": 140})
    progress("s [base]", 0, 100)  # t=0: no pace yet
    progress("s [base]", 50, 100)  # t=5: the pace starts
    progress("s [base]", 100, 100)  # t=10: 50 runs in 5 s, 180 left: 18 s (0:00:05 before)
    progress("s [base] spread, 20 draws", 0, 40)  # t=14: 50 in 9 s, 180 left: 32.4 s
    progress("s [base] spread, 20 draws", 40, 40)  # t=18: 90 in 13 s, 140 left: 20.2 s
    progress("s [v]", 0, 100)  # t=22: 90 in 17 s, 140 left: 26.4 s
    progress("s [v]", 100, 100)  # t=32: 190 in 27 s, 40 left: 5.7 s
    assert out.getvalue().splitlines() == [
        "s.yaml: progress: simulating base (1/2): 0/100 runs (0%)",
        "s.yaml: progress: simulating base (1/2): 50/100 runs (50%)",
        "s.yaml: progress: simulating base (1/2): 100/100 runs (100%), overall ETA 0:00:18",
        "s.yaml: progress: simulating base (1/2): spread across the assumptions, 20 draws:"
        " 0/40 runs (0%), overall ETA 0:00:32",
        "s.yaml: progress: simulating base (1/2): spread across the assumptions, 20 draws:"
        " 40/40 runs (100%), overall ETA 0:00:20",
        "s.yaml: progress: simulating v (2/2): 0/100 runs (0%), overall ETA 0:00:26",
        "s.yaml: progress: simulating v (2/2): 100/100 runs (100%), overall ETA 0:00:06",
    ]


def test_runs_added_for_the_effective_runs_are_told_as_such():
    progress, out = _phases(["base"], [0.0, 10.0, 20.0, 30.0, 40.0])
    progress("s [base]", 100, 100)
    progress("s [base] to n_eff 1,000", 0, 400)
    progress("s [base] to n_eff 1,000", 400, 400)
    progress("s [base] to n_eff 1,000", 0, 4000)  # once more, with more runs: told again
    progress("s [base] to n_eff 1,000", 4000, 4000)
    assert out.getvalue().splitlines()[1:] == [
        "s.yaml: progress: simulating base: more runs to n_eff 1,000: 0/400 runs (0%)",
        "s.yaml: progress: simulating base: more runs to n_eff 1,000: 400/400 runs (100%),"
        " ETA 0:00:00",
        # the 4,000 runs added: 400 runs took 30 s since the first report, 4,000 are left
        "s.yaml: progress: simulating base: more runs to n_eff 1,000: 0/4,000 runs (0%),"
        " ETA 0:05:00",
        "s.yaml: progress: simulating base: more runs to n_eff 1,000: 4,000/4,000 runs (100%),"
        " ETA 0:00:00",
    ]


# -- the other commands: the same phases, in plain lines when standard error is piped -------


@pytest.mark.parametrize(
    ("command", "args", "phases"),
    [
        ("history", ["--runs", "300"], ["simulating base", "writing", "drawing charts"]),
        ("signposts", ["--runs", "300"], ["simulating base", "writing"]),
        ("sensitivity", ["--runs", "100", "--no-charts"], ["simulating base", "writing"]),
    ],
)
def test_history_signposts_and_sensitivity_say_their_phases_when_piped(
    tmp_path, command, args, phases
):
    batch = {"history": "history", "signposts": "signposts", "sensitivity": "tornado"}[command]
    from sim.cli import history, sensitivity, signposts

    commands = {"history": history, "signposts": signposts, "sensitivity": sensitivity}
    path = str(CASES / "uncertain_rate.yaml")
    done = CliRunner().invoke(
        commands[command].command, [path, *args, "--jobs", "1", "--out", str(tmp_path / "o")]
    )
    assert done.exit_code == 0, done.output
    lines = [line for line in done.stderr.splitlines() if ": progress: " in line]
    assert lines and all(line.startswith(f"{path}: progress: ") for line in lines)
    texts = [line.split(": progress: ", 1)[1] for line in lines]
    # every phase is said, in order: the runs from 0/N to N/N, then writing, then the charts
    starts = [next(k for k, t in enumerate(texts) if t.startswith(p)) for p in phases]
    assert starts == sorted(starts)
    runs = [t for t in texts if t.startswith("simulating base")]
    total = runs[0].split("/")[1].split()[0]
    name = runs[0].split(": 0/")[0]  # "simulating base", or with the batch: ": tornado"
    assert name in ("simulating base", f"simulating base: {batch}")
    assert runs[0].startswith(f"{name}: 0/{total} runs (0%)")
    assert runs[-1].startswith(f"{name}: {total}/{total} runs (100%)")
    assert texts[starts[1]] == f"writing {tmp_path / 'o'}"
    if "drawing charts" in phases:
        assert texts[-1] == "drawing charts: 1/1 charts (100%)"
    assert messages(done.stderr) == []  # nothing else on standard error


def test_run_all_variants_plans_every_variants_runs_and_names_the_spread_phase(
    tmp_path, monkeypatch
):
    """F1 through the command: uncertain_rate.yaml's base has an uncertain rate (2,000 main
    runs and a spread design of 20 draws of 100 runs), its variant known_rate fixes it (no
    spread): 6,000 runs planned before any runs, and the spread is a phase of its own."""
    from sim.cli import run
    from sim.cli.progress import Phases

    planned = []
    plan = Phases.plan
    monkeypatch.setattr(Phases, "plan", lambda self, runs: (planned.append(dict(runs)),
                                                            plan(self, runs)))  # fmt: skip
    path = str(CASES / "uncertain_rate.yaml")
    args = [path, "--all-variants", "--runs", "2000", "--jobs", "1", "--no-charts"]
    done = CliRunner().invoke(run.command, [*args, "--out", str(tmp_path / "o")])
    assert done.exit_code == 0, done.output
    assert planned == [{"base": 4000, "known_rate": 2000}]
    texts = [line.split(": progress: ", 1)[1] for line in done.stderr.splitlines()
             if ": progress: " in line]  # fmt: skip
    spread = [t for t in texts if "spread" in t]
    assert spread[0] == (
        "simulating base (1/2): spread across the assumptions, 20 draws: 0/2,000 runs (0%)"
        + spread[0].split("runs (0%)", 1)[1]  # its overall ETA, when the pace is known
    )
    assert spread[-1].startswith(
        "simulating base (1/2): spread across the assumptions, 20 draws: 2,000/2,000 runs"
    )
    assert not any("known_rate (2/2): spread" in t for t in texts)
    assert messages(done.stderr) == []
