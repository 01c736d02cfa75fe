"""`sim run` and `sim report` as an analyst uses them: files, exit codes, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import OWN_CASES

# tests/cases/fixed_dates.yaml: recall on 2026-03-15 (start 2026-01-01, horizon 2026-06-30)
FIXED = OWN_CASES / "fixed_dates.yaml"
SPLIT = OWN_CASES / "split.yaml"

SIM = [sys.executable, "-m", "sim"]


def sim(*args, cwd=None):
    return subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True, cwd=cwd)


def test_run_writes_the_results_folder(tmp_path):
    out = tmp_path / "out"
    r = sim("run", FIXED, "--runs", 500, "--seed", 0, "--out", out)
    assert r.returncode == 0, r.stderr
    for name in (
        "summary.json",
        "outcomes.csv",
        "occupancy.csv",
        "first_passage.csv",
        "report.html",
        "outcomes.png",
        "outcomes.svg",
        "occupancy.png",
        "diagram.png",
    ):
        assert (out / name).is_file(), name
    assert not (out / "first_passage.png").exists()  # only "at any time" outcomes have one
    assert (out / "over_time.png").is_file()  # the others: their probability over time
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["scenario"] == "fixed_dates" and s["variant"] == "base"
    assert s["runs"] == 500 and s["seed"] == 0 and s["engine"] == "compiled"
    assert s["start"] == "2026-01-01" and s["horizon"] == "2026-06-30"
    assert s["outcomes"]["recalled"]["probability"] == 1.0
    assert s["outcomes"]["recalled"]["first_time_median"] == "2026-03-15"
    # report_due fires 45 days after the start: 2026-02-15, so reviewed by the horizon
    assert s["outcomes"]["reviewed"]["first_time_median"] == "2026-02-15"
    # both are read at the horizon: the console gives no first time for them
    rows = [line for line in r.stdout.splitlines() if line.startswith(("│ recalled", "│ reviewed"))]
    assert len(rows) == 2 and all(row.rstrip(" │").endswith("n/a") for row in rows), r.stdout
    assert "2026-03-15" not in r.stdout and "median first: n/a for" in r.stdout
    assert s["states_at_horizon"]["mission"] == {"deployed": 0.0, "recalled": 1.0}
    assert s["events"]["recall"] == {
        **s["events"]["recall"],
        "fired_probability": 1.0,
        "mean_fires": 1.0,
    }
    assert "Report:" in r.stdout


def test_occupancy_csv_is_tidy_on_the_report_grid(tmp_path):
    out = tmp_path / "o"
    assert sim("run", FIXED, "--runs", 100, "--out", out, "--no-charts").returncode == 0
    lines = (out / "occupancy.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date,track,state,share"
    dates = sorted({line.split(",")[0] for line in lines[1:]})
    # no report.every: start, the first of each month, the recall's date and its eve, the
    # horizon
    assert dates[:6] == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-03-14", "2026-03-15", "2026-04-01"
    ]  # fmt: skip
    assert dates[-1] == "2026-06-30"
    assert "2026-03-14,mission,deployed,1.0" in lines  # the eve of the recall on March 15
    assert "2026-03-15,mission,recalled,1.0" in lines  # on its day, after it fires


def test_existing_out_folder_keeps_other_files(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert sim("run", SPLIT, "--runs", 100, "--out", out, "--no-charts").returncode == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "summary.json").is_file()
    assert not (out / "report.html").exists()


def test_bad_input_writes_nothing(tmp_path, write_scenario):
    bad = write_scenario("scenario: x\nstart: 2025-01-01\n")
    out = tmp_path / "never"
    r = sim("run", bad, "--out", out)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "missing required key" in r.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".never")] == []


def test_command_line_mistakes_exit_2():
    assert sim("run", SPLIT, "--runs", 0).returncode == 2
    assert sim("run", SPLIT, "--seed", -1).returncode == 2
    assert sim("run", SPLIT, "--engine", "warp").returncode == 2
    assert sim("frobnicate").returncode == 2


def test_unknown_variant_is_an_input_error(tmp_path):
    path = OWN_CASES / "one_rate.yaml"  # has the variant three_years
    r = sim("run", path, "--variant", "three_year", "--out", tmp_path / "x")
    assert r.returncode == 1
    assert "did you mean 'three_years'" in r.stderr


def test_jobs_do_not_change_results(tmp_path):
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        r = sim(
            "run",
            OWN_CASES / "markov_three.yaml",
            "--runs",
            3000,
            "--seed",
            0,
            "--jobs",
            jobs,
            "--out",
            out,
            "--no-charts",
        )
        assert r.returncode == 0, r.stderr
        outs.append(json.loads((out / "summary.json").read_text())["outcomes"])
    assert outs[0] == outs[1]


def test_save_runs_and_report_rerender(tmp_path):
    out = tmp_path / "o"
    assert (
        sim(
            "run",
            OWN_CASES / "ever_or_end.yaml",
            "--runs",
            200,
            "--out",
            out,
            "--save-runs",
            "--no-charts",
        ).returncode
        == 0
    )
    rows = (out / "runs.csv").read_text().splitlines()
    assert rows[0].split(",")[:3] == ["run", "city", "outcome:ever_unrest"]
    assert len(rows) == 201
    r = sim("report", out)
    assert r.returncode == 0, r.stderr
    assert (out / "report.html").is_file() and (out / "occupancy.png").is_file()
    assert sim("report", tmp_path / "nothing").returncode == 1


def test_ctrl_c_stops_the_workers_and_writes_nothing(tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "never"
    proc = subprocess.Popen(
        SIM
        + [
            "run",
            str(OWN_CASES / "markov_three.yaml"),
            "--runs",
            "20000000",
            "--jobs",
            "2",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        process_group=0,
    )
    # wait (at most two minutes) for the worker processes: by then the command has imported
    # its libraries and the runner handles Ctrl-C; a fixed sleep raced slow imports under load
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    waited = 0.0
    while children.is_file() and not children.read_text().split() and waited < 120:
        time.sleep(0.1)
        waited += 0.1
    time.sleep(1 if children.is_file() else 3)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("sim run did not stop within 30 s of Ctrl-C") from None
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists()
    assert [p for p in tmp_path.iterdir()] == []


def test_unwritable_out_is_an_input_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = sim("run", SPLIT, "--runs", 50, "--no-charts", "--out", blocker / "sub")
    assert r.returncode == 1 and "cannot write the results folder" in r.stderr
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr


def test_report_rerenders_comparison_and_sensitivity_folders(tmp_path):
    path = OWN_CASES / "one_rate.yaml"
    assert (
        sim(
            "compare", path, "three_years", "--runs", 200, "--out", tmp_path / "c", "--no-charts"
        ).returncode
        == 0
    )
    r = sim("report", tmp_path / "c" / "comparison")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c" / "comparison" / "differences.png").is_file()
    assert (tmp_path / "c" / "comparison" / "comparison.json").is_file()
