"""Runs on a Dask cluster (``--scheduler``, :mod:`sim.cluster`) equal runs here, byte for byte.

One LocalCluster of 2 worker processes on 127.0.0.1 serves the whole module: it is opened the
way ``--scheduler local:2`` opens one (:func:`sim.cluster.session`), and every command below
that names ``local:2`` runs on it, as every run of one command does. The expected answers
are the same commands with ``--jobs 1`` (no Dask): every random number is addressed by
(seed, stream, run), so the files must be equal whatever ran them, even when a worker dies
in the middle of a run. Only the settings that say what ran them and when may differ.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from sim import __version__, cluster, load_scenario, scheduler
from sim.cli.main import main
from sim.errors import SimError
from sim.runner import run_scenario
from tests.conftest import CASES, HAVE_SHARED, OWN_CASES, SCENARIOS, without_who_and_when

pytest.importorskip("distributed")

BUNDLED = SCENARIOS / "iraq_us_withdrawal_2025.yaml"
UNCERTAIN = OWN_CASES / "uncertain_rate.yaml"  # one uncertain value
CONFIDENT = OWN_CASES / "evidence" / "evidence_confident.yaml"  # evidence and a variant
LOCAL = "local:2"


@pytest.fixture(scope="module")
def client():
    """The module's 2-process LocalCluster, kept open as for one command (its client)."""
    with cluster.session(LOCAL), cluster.connect(LOCAL) as c:
        yield c


def sim(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def assert_same_folders(here: Path, there: Path) -> None:
    """Every file of ``here`` is in ``there`` with the same bytes (JSON files: but for the
    lines of their settings that say what ran them and when)."""
    names = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(there) for p in there.rglob("*") if p.is_file())
    assert names
    for name in names:
        a, b = (here / name).read_bytes(), (there / name).read_bytes()
        if name.suffix == ".json":
            a, b = (without_who_and_when(x.decode()) for x in (a, b))
        assert a == b, f"{name} differs"


def run_both(capsys, tmp_path, scheduler, *args) -> tuple[Path, Path]:
    """The command ``args`` with ``--jobs 1`` and on the cluster; their output folders."""
    here, there = tmp_path / "jobs1", tmp_path / "cluster"
    code, _, err = sim(capsys, *args, "--jobs", 1, "--out", here)
    assert code == 0, err
    code, _, err = sim(capsys, *args, "--scheduler", scheduler, "--out", there)
    assert code == 0, err
    return here, there


def test_bundled_run_and_runs_csv_equal_jobs_1(client, capsys, tmp_path):
    """With evidence: weights and probes travel back with each block's runs."""
    here, there = run_both(
        capsys, tmp_path, LOCAL, "run", BUNDLED, "--runs", 2_000, "--no-charts", "--save-runs"
    )
    assert len((here / "runs.csv").read_text().splitlines()) == 2_001
    assert_same_folders(here, there)
    settings = json.loads((there / "summary.json").read_text())["settings"]
    assert settings["scheduler"] == LOCAL and settings["jobs"] == 2
    assert json.loads((here / "summary.json").read_text())["settings"]["scheduler"] is None


def test_a_case_through_the_schedulers_address(client, capsys, tmp_path):
    """A shared case (or without the shared folder, one of ours) through the scheduler's
    address, as a remote cluster is named: 40,000 runs are 5 blocks of at most 8,192, run as
    5 tasks on 2 workers and folded in run order."""
    case = CASES / "competing_rates.yaml" if HAVE_SHARED else OWN_CASES / "markov_three.yaml"
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    here, there = run_both(
        capsys, tmp_path, address, "run", case, "--runs", 40_000, "--no-charts", "--save-runs"
    )
    assert len((there / "runs.csv").read_text().splitlines()) == 40_001
    assert_same_folders(here, there)


def test_sobol_sensitivity_equals_jobs_1(client, capsys, tmp_path):
    """96 design rows (32 x (1 + 2)) of 100 runs each, in 8 tasks of 12 rows."""
    args = ("sensitivity", UNCERTAIN, "--method", "sobol", "--samples", 32, "--runs", 100)
    here, there = run_both(capsys, tmp_path, LOCAL, *args, "--no-charts")
    assert_same_folders(here, there)
    assert_made_by(here, there, "sensitivity.json")


def test_history_equals_jobs_1_and_says_what_ran_it(client, capsys, tmp_path):
    here, there = run_both(capsys, tmp_path, LOCAL, "history", CONFIDENT, "--runs", 2_000,
                           "--no-charts")  # fmt: skip
    assert_same_folders(here, there)
    assert_made_by(here, there, "history.json")


def assert_made_by(here: Path, there: Path, name: str) -> None:
    """``name``'s ``settings`` say that ``--jobs 1`` made it ``here`` and the cluster
    ``there``, with the version, the elapsed time and when."""
    mine, theirs = (json.loads((d / name).read_text())["settings"] for d in (here, there))
    assert (mine["jobs"], mine["scheduler"]) == (1, None)
    assert (theirs["jobs"], theirs["scheduler"]) == (2, LOCAL)
    for settings in (mine, theirs):
        assert settings["version"] == __version__ and settings["elapsed_seconds"] >= 0
        assert settings["created"].endswith("+00:00")


def test_all_variants_comparison_equals_jobs_1(client, capsys, tmp_path):
    """Two variants weighted by one observation, 20,000 runs each (3 blocks)."""
    args = ("run", CONFIDENT, "--all-variants", "--runs", 20_000, "--no-charts", "--save-runs")
    here, there = run_both(capsys, tmp_path, LOCAL, *args)
    assert (here / "comparison" / "comparison.json").is_file()
    assert sorted(p.name for p in here.iterdir() if (p / "runs.csv").is_file()) == [
        "base",
        "slower",
    ]
    assert_same_folders(here, there)


def test_workers_with_another_version_are_named(client, monkeypatch):
    """The workers run the installed sim 0.1.0; this process says it is 0.0.9."""
    address = client.scheduler.address
    monkeypatch.setattr("sim.__version__", "0.0.9")
    with pytest.raises(SimError) as info, cluster.connect(address):
        pass
    message = str(info.value)
    assert f"--scheduler {address}: worker tcp://127.0.0.1:" in message
    assert f"has sim {__version__} (here 0.0.9);" in message and "same versions" in message


def test_a_workers_address_names_its_scheduler(client):
    worker = sorted(client.nthreads())[0]
    with pytest.raises(SimError) as info:
        scheduler.probe(worker)
    assert str(info.value) == (
        f"--scheduler {worker}: this is a Dask worker, not a scheduler; its scheduler is "
        f"{client.scheduler.address}: give that address"
    )
    scheduler.probe(client.scheduler.address)  # the scheduler's passes


def test_versions_name_the_code_too(client):
    ours = cluster.versions()
    assert set(ours) == {"sim", "code", "numpy", "numba"}
    assert re.fullmatch("[0-9a-f]{12}", ours["code"])
    assert list(client.run(cluster.versions).values()) == [ours, ours]


def test_an_unreachable_scheduler_fails_fast_and_cleanly(capsys, tmp_path):
    started = time.perf_counter()
    code, out, err = sim(capsys, "run", BUNDLED, "--runs", 100, "--scheduler", "tcp://127.0.0.1:1",
                         "--out", tmp_path / "x")  # fmt: skip
    assert time.perf_counter() - started < 10
    assert code == 1 and "Traceback" not in err
    assert "tcp://127.0.0.1:1" in err and "dask scheduler" in err and "local:N" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("address", ["local:0", "local:x", "two words", "tcp://host:port"])
def test_a_malformed_address_is_a_usage_error(capsys, tmp_path, address):
    code, _, err = sim(capsys, "run", BUNDLED, "--scheduler", address, "--out", tmp_path / "x")
    assert code == 2 and "Invalid value for '--scheduler'" in err and "local:N" in err
    assert not (tmp_path / "x").exists()


def test_a_worker_killed_mid_run_changes_nothing(client):
    """A worker busy with a block is killed at the first block folded in (8 tasks); Dask runs its
    tasks again elsewhere (or on the worker its nanny restarts) and the runs are the same."""
    scenario = load_scenario(BUNDLED)
    expected = run_scenario(scenario, runs=60_000, jobs=1)
    killed: list[int] = []

    def kill_a_busy_worker(done: int, total: int) -> None:
        if killed:
            return
        busy = [w for w, keys in client.processing().items() if keys]
        if not busy:
            return  # try again at the next block
        pids = client.run(os.getpid, workers=busy[:1])
        for pid in pids.values():
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    got = run_scenario(scenario, runs=60_000, scheduler=LOCAL, progress=kill_a_busy_worker)
    assert killed and got.runs == expected.runs
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)  # it did die
    for name in ("flags", "first", "final", "traj_hash", "slot_values", "weights", "probes"):
        assert np.array_equal(getattr(got, name), getattr(expected, name), equal_nan=True), name
    for name in ("occupancy", "by_point", "passage", "fired", "fire_count"):
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    assert got.sequences == expected.sequences
