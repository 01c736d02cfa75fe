"""A Ctrl-C in the first moments of a command, while its modules import, ends it like one
during the command: exit status 130, one line, no traceback (issue 14)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="POSIX signals")


# What the installed ``sim`` script does (``from sim.cli import main``), once Python is up and
# has found the package: a signal during the interpreter's own start-up (site, .pth files) or
# while it finds and imports ``sim`` and ``sim.cli`` (a few milliseconds: both import almost
# nothing) comes before the entry point runs and is not its to catch.
ENTRY = "import sys, sim.cli; print('up', flush=True); sys.exit(sim.cli.main())"


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.25])
def test_ctrl_c_while_the_modules_import(tmp_path, delay):
    # the delays spread the signal over the imports (about 0.7 s to the first run, more on
    # a busy machine); each run is a different moment, the outcome must be the same
    proc = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "run", BUNDLED, "--runs", "2000000", "--out", "o"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        process_group=0,
    )
    assert proc.stdout.readline() == "up\n"
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError("the command did not stop within 60 s of Ctrl-C") from None
    assert "Traceback" not in err, err
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines()[-1].startswith("interrupted; ")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
