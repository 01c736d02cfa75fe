"""A Ctrl-C or SIGTERM once the command is over (its results written, the interpreter
exiting) ends the process with the signal's status and one line saying what was written
(:func:`sim.signals.after_the_end`; issue 14, trial 14 N4: it once exited 0, silently)."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

SCRIPT = """\
import os, signal, sys, time
from sim.signals import after_the_end, wrote
if sys.argv[2] == "wrote":
    wrote(["reports/x"])
print("table", flush=False)  # buffered: must still reach a pipe
after_the_end()
os.kill(os.getpid(), int(sys.argv[1]))
time.sleep(5)
print("not reached")
"""


@pytest.mark.parametrize(
    ("signum", "wrote", "code", "line"),
    [(signal.SIGTERM, "wrote", -15, "terminated; the results were written to reports/x"),
     (signal.SIGINT, "wrote", -2, "interrupted; the results were written to reports/x"),
     (signal.SIGTERM, "none", -15, "terminated; it had finished")],
)  # fmt: skip
def test_a_late_signal_says_what_was_done(signum, wrote, code, line):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(int(signum)), wrote],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == code  # ended by the signal: a shell says 143 or 130
    assert done.stderr == line + "\n"
    assert done.stdout == "table\n"
