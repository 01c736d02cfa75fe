"""Ctrl-C and SIGTERM in every phase of a command (issue 14, item 2): one line, the usual exit
status (130, 143), no temporary folder left, no worker process left running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import OWN_CASES, messages

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"
SIM = [sys.executable, "-m", "sim"]

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX signals")


def _start(tmp_path, *args):
    return subprocess.Popen(
        [*SIM, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        process_group=0,  # the command and its workers, apart from pytest
    )


def _wait_for(condition, proc, what, limit=300.0):
    """Poll until ``condition()``; fail if the command ends first or after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the command ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(f"no {what} within {limit} s")
        time.sleep(0.02)


def _finish(proc) -> str:
    """Wait for the command's end (30 s at most: a hang is a failure) and for every process
    of its group to be gone (orphan workers would keep it); returns its standard error."""
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the command did not stop within 30 s of the signal") from None
    deadline = time.monotonic() + 10
    while True:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return err
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(f"worker processes outlived the command: {err}")
        time.sleep(0.1)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def _writing(folder: Path):
    """Whether a temporary folder (hidden) is in ``folder``: the command is writing."""
    return lambda: folder.is_dir() and any(p.name.startswith(".") for p in folder.iterdir())


@pytest.mark.parametrize("jobs", [1, 2])
def test_sigterm_while_simulating(tmp_path, jobs):
    bench = Path(os.environ.get("SIM_SHARED", ROOT.parent / "shared")) / "bench" / "markov6.yaml"
    scenario = bench if bench.exists() else BUNDLED
    proc = _start(tmp_path, "run", scenario, "--runs", 5_000_000, "--jobs", jobs, "--out", "o")
    time.sleep(3)  # well into the runs (5 million take minutes)
    os.kill(proc.pid, signal.SIGTERM)  # the command only, as `kill PID` does
    err = _finish(proc)
    assert proc.returncode == 143, err
    assert err.strip().splitlines()[-1] == "terminated; nothing was written"
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_sigterm_while_run_writes_its_folder(tmp_path):
    proc = _start(tmp_path, "run", BUNDLED, "--runs", 500, "--jobs", 1, "--out", "o")
    _wait_for(_writing(tmp_path), proc, "a temporary folder")
    os.kill(proc.pid, signal.SIGTERM)
    err = _finish(proc)
    if (tmp_path / "o" / "summary.json").is_file():
        # under load the signal can land as the folder moves in or once the command is over:
        # the folder is whole, and the command says so or ends by the signal (exit 0 only
        # when it came after Python stopped handling signals, as the interpreter exits)
        assert _hidden(tmp_path) == [], err
        assert proc.returncode in (0, 143, -signal.SIGTERM), (proc.returncode, err)
        last = err.strip().splitlines()[-1] if err.strip() else ""
        assert proc.returncode != 143 or last.startswith("terminated; the results were written")
        return
    assert (proc.returncode, err.strip().splitlines()[-1]) == (
        143,
        "terminated; nothing was written",
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("signum", "status", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
    ids=["sigterm", "ctrl-c"],
)
def test_signal_while_all_variants_draws_charts(tmp_path, signum, status, word):
    out = tmp_path / "o"
    proc = _start(BUNDLED.parent, "run", BUNDLED, "--all-variants", "--runs", 500, "--jobs", 2,
                  "--out", out)  # fmt: skip
    _wait_for(_writing(out), proc, "the temporary folders of the charts")  # OUT/.<variant>.*
    time.sleep(1)  # the chart workers are at work
    if signum == signal.SIGINT:
        os.killpg(proc.pid, signum)  # what a terminal's Ctrl-C does
    else:
        os.kill(proc.pid, signum)
    err = _finish(proc)
    assert proc.returncode == status, err
    assert err.strip().splitlines()[-1] == f"{word}; nothing was written"  # after progress
    assert _hidden(tmp_path) == []
    assert list(tmp_path.iterdir()) == []  # OUT, made for the temporary folders, is gone too


def test_sigterm_while_sensitivity_writes_its_folder(tmp_path):
    """The writing phase of a tornado is short: up to three tries to catch it."""
    for _ in range(3):
        proc = _start(tmp_path, "sensitivity", BUNDLED, "--runs", 200, "--jobs", 1, "--out", "o")
        try:
            _wait_for(_writing(tmp_path), proc, "a temporary folder")
        except AssertionError:
            if proc.returncode != 0:
                raise
            shutil.rmtree(tmp_path / "o")  # finished before it could be caught: again
            continue
        os.kill(proc.pid, signal.SIGTERM)
        err = messages(_finish(proc))  # without the progress lines
        if proc.returncode == 0 or (
            len(err) == 1 and err[0].startswith("terminated; the results were written to ")
        ):
            shutil.rmtree(tmp_path / "o")  # the move had begun (it is not cut in two): again
            continue
        assert (proc.returncode, err) == (143, ["terminated; nothing was written"])
        assert list(tmp_path.iterdir()) == []
        return
    pytest.skip("the tornado's writing phase was over before a signal could be sent")


def test_a_signal_after_the_folder_is_in_place_says_it_was_written(tmp_path, capsys,
                                                                   monkeypatch):  # fmt: skip
    """As when SIGTERM lands while a LocalCluster stops, after ``sim history`` published its
    folder (trial 13, F10): the line names the folder, not "nothing was written"."""
    import sim.cli.history
    from sim.cli.main import main
    from sim.signals import Terminated

    def terminated(data):
        raise Terminated

    monkeypatch.setattr(sim.cli.history, "_print", terminated)
    out = tmp_path / "h"
    with pytest.raises(SystemExit) as info:
        main(["history", str(OWN_CASES / "split.yaml"), "--runs", "200", "--jobs", "1", "--no-charts",
              "--out", str(out)])  # fmt: skip
    assert info.value.code == 143
    assert messages(capsys.readouterr().err) == [f"terminated; the results were written to {out}"]
    assert (out / "history.json").is_file()
