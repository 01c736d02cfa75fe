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
# has found the package: a signal during the interpreter's own start-up (site, .pth files), while
# it finds and imports ``sim`` and ``sim.cli`` (both import almost nothing) or in the few
# bytecodes before :func:`sim.cli.main` enters its ``try`` comes before the entry point can
# catch it, and is not its to catch. So "up" is printed only once ``main`` is inside its
# ``try`` (a line trace on its first line there): the signal sent after it always falls in
# what ``main`` must handle, the imports of the command line and of the command (issue 14,
# F13: printed before ``main`` was called, a busy machine let the signal in before it).
ENTRY = """\
import inspect, sys, sim.cli
lines, first = inspect.getsourcelines(sim.cli.main)
inside = first + 1 + next(i for i, line in enumerate(lines) if line.strip() == "try:")
def line(frame, event, arg):
    if event == "line" and frame.f_lineno == inside:
        sys.settrace(None)
        print("up", flush=True)
        return None
    return line
sys.settrace(lambda frame, event, arg: line if frame.f_code is sim.cli.main.__code__ else None)
sys.exit(sim.cli.main())
"""


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
