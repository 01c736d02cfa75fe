"""Signals as exceptions: SIGTERM leaves a command through the same clean-up path as Ctrl-C.

The ``sim`` command installs :func:`terminate` for SIGTERM (:func:`sim.cli.main.main`), so a
``kill`` unwinds like a Ctrl-C: ``finally`` blocks remove temporary folders, worker pools are
stopped, and the command prints one line and exits 143 (130 for Ctrl-C). Worker processes
reset both signals (:func:`worker_signals`): their parent stops them. A signal that arrives
after a results folder was moved into place (:func:`wrote`), e.g. while a LocalCluster
closes, is reported with the folders written (:func:`written`), not as "nothing was written".
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

__all__ = [
    "Terminated",
    "after_the_end",
    "deferred",
    "forget_written",
    "ignore_further",
    "interrupt",
    "redeliver_swallowed",
    "swallowed_or",
    "terminate",
    "worker_signals",
    "wrote",
    "written",
]

#: How long after a swallowed interrupt it is raised again, in seconds: long enough for the
#: callback that swallowed it to have returned.
REDELIVERY_DELAY = 0.05

# the results folders moved into place by the command running in this process
_written: list[str] = []
# the interrupt Python swallowed (redeliver_swallowed), until a SIGINT handler raises it
_swallowed: list[type[KeyboardInterrupt]] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM was received. A :class:`KeyboardInterrupt`, so that every path that cleans up
    after Ctrl-C cleans up after it too; the command's exit status is 143."""


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def ignore_further() -> None:
    """Ignore further Ctrl-C and SIGTERM while this process cleans up and exits (a second
    signal inside the clean-up would leave it half done). No effect outside the main thread.
    """
    if _main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


def terminate(signum: int, frame: object) -> None:
    """SIGTERM handler: ignore further signals and raise :class:`Terminated`.

    Raises
    ------
    Terminated
    """
    ignore_further()
    raise Terminated


def worker_signals() -> None:
    """In a worker process: ignore Ctrl-C (the terminal sends it to the whole process group;
    the parent handles it) and let SIGTERM, which the parent sends to stop it, end it at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM during a short step that must not be cut in two (moving a
    results folder into place, which records it with :func:`wrote`); a signal received
    meanwhile is acted on when the step ends. No effect outside the main thread.
    """
    if not _main_thread():
        yield
        return
    caught: list[int] = []
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            signal.raise_signal(caught[0])


def redeliver_swallowed(info: object) -> None:
    """:data:`sys.unraisablehook` that raises again an interrupt Python swallowed.

    A signal's exception raised while Python runs a callback it cannot propagate from (a
    weakref callback, such as the import system's module-lock clean-up, or a ``__del__``) is
    printed as "Exception ignored in ..." and dropped: the command would go on as if the
    Ctrl-C or SIGTERM had never come. For a :class:`KeyboardInterrupt` (or
    :class:`Terminated`) this hook prints nothing and raises the same exception in the main
    thread :data:`REDELIVERY_DELAY` seconds later, through a one-shot SIGINT handler and a
    SIGINT this process sends itself from a timer thread; every other unraisable goes to the
    default hook. If the command installs another SIGINT handler before then, its handler
    (:func:`interrupt`, or one that calls :func:`swallowed_or`) raises the swallowed kind: a
    SIGTERM stays a :class:`Terminated`.

    Parameters
    ----------
    info
        The ``UnraisableHookArgs`` Python passes (``exc_type``, ``exc_value``, ...).
    """
    kind = getattr(info, "exc_type", None)
    if not (isinstance(kind, type) and issubclass(kind, KeyboardInterrupt)) or not _main_thread():
        sys.__unraisablehook__(info)
        return
    previous = signal.getsignal(signal.SIGINT)
    _swallowed[:] = [kind]

    def again(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, previous)
        raise swallowed_or(kind)

    signal.signal(signal.SIGINT, again)
    timer = threading.Timer(REDELIVERY_DELAY, os.kill, (os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()


def wrote(folders: list) -> None:
    """Record that the results folders ``folders`` (paths) were moved into place."""
    _written.extend(str(f) for f in folders if str(f) not in _written)


def written() -> list[str]:
    """The results folders moved into place since :func:`forget_written`, in order.

    Returns
    -------
    list of str
    """
    return list(_written)


def forget_written() -> None:
    """Start a new command: no folder written yet."""
    _written.clear()


def after_the_end() -> None:
    """Once the command is over (its results written, its output printed): a Ctrl-C or
    SIGTERM during the interpreter's exit (worker pools and caches closing, up to a second)
    ends the process at once by that signal (a shell's status 130 or 143), saying what was
    done, rather than printing a traceback from the exit's clean-up or exiting 0 as if no
    signal had come. No effect outside the main thread.
    """
    if not _main_thread():
        return

    def late(signum: int, frame: object) -> None:
        word = "terminated" if signum == signal.SIGTERM else "interrupted"
        done = written()
        what = f"the results were written to {', '.join(done)}" if done else "it had finished"
        with suppress(Exception):
            sys.stdout.flush()
            sys.stderr.write(f"{word}; {what}\n")
            sys.stderr.flush()
        signal.signal(signum, signal.SIG_DFL)  # end by the signal itself, at once
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGINT, late)
    signal.signal(signal.SIGTERM, late)


def swallowed_or(default: type[KeyboardInterrupt]) -> type[KeyboardInterrupt]:
    """The interrupt :func:`redeliver_swallowed` is raising again (then forgotten), else
    ``default``: what a SIGINT handler raises."""
    return _swallowed.pop() if _swallowed else default


def interrupt(signum: int, frame: object) -> None:
    """SIGINT handler: raise :class:`KeyboardInterrupt` (as Python's own does), or the
    interrupt Python swallowed and :func:`redeliver_swallowed` raises again.

    Raises
    ------
    KeyboardInterrupt
    """
    raise swallowed_or(KeyboardInterrupt)
