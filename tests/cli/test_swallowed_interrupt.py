"""A Ctrl-C or SIGTERM that lands in a callback Python cannot propagate from (a weakref
callback, as in the import system's module-lock clean-up) is raised again, not lost
(:func:`sim.signals.redeliver_swallowed`; issue 14: a Ctrl-C during the imports once let a
2,000,000-run command go on to the end)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """\
import sys, time, weakref
from sim.signals import Terminated, redeliver_swallowed
if sys.argv[1] == "hook":
    sys.unraisablehook = redeliver_swallowed
class Thing:
    pass
thing = Thing()
def callback(ref):
    raise {kind}
ref = weakref.ref(thing, callback)
try:
    del thing  # the callback runs here; its exception cannot propagate
    if sys.argv[2] == "replaced":  # the command installs its own SIGINT handler meanwhile
        import signal
        from sim.signals import interrupt
        signal.signal(signal.SIGINT, interrupt)
    for _ in range(300):
        time.sleep(0.01)
    print("lost")
except Terminated:
    print("terminated")
except KeyboardInterrupt:
    print("interrupted")
"""


def run(kind: str, hook: bool, then: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(kind=kind), "hook" if hook else "none", then],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("kind", "seen"), [("KeyboardInterrupt", "interrupted"), ("Terminated", "terminated")]
)
def test_a_swallowed_interrupt_is_raised_again(kind, seen):
    done = run(kind, hook=True)
    assert done.stdout.strip() == seen, done
    assert done.stderr == ""


def test_a_sigint_handler_installed_meanwhile_raises_the_swallowed_kind():
    # a SIGTERM swallowed while a worker pool started once came back as a Ctrl-C (exit 130)
    done = run("Terminated", hook=True, then="replaced")
    assert done.stdout.strip() == "terminated", done
    assert done.stderr == ""


def test_without_the_hook_python_loses_it():
    # the defect the hook exists for: Python prints "Exception ignored" and goes on
    done = run("KeyboardInterrupt", hook=False)
    assert done.stdout.strip() == "lost"
    assert "Exception ignored" in done.stderr
