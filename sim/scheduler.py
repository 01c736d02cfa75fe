"""Reaching a Dask scheduler (``--scheduler``): the address, a bounded handshake, a quiet exit.

:mod:`sim.cluster` runs the work on a cluster; this module makes sure that reaching one
fails within seconds with one clear line when it cannot work, and that an interrupted
command leaves no Dask noise behind:

* :func:`check_address` accepts ``local:N`` and what looks like a Dask address;
* :func:`probe` asks the process at a TCP or TLS address who it is (Dask's ``identity``
  request, connection and answer bounded by :data:`CONNECT_TIMEOUT` in all), before a
  ``distributed.Client`` is made: distributed 2026.8's ``comm.connect`` waits for the peer's
  handshake without a time limit, so a listener that never answers (or a web server, whose
  reply is read as a Dask frame length of some exabytes) would hang the client or crash it;
* :func:`silence` (called by the signal handlers of :func:`silenced_on_signal`, before the
  interrupt reaches Dask's code) quiets Dask's loggers and the messages of objects it leaves to the
  interpreter's exit (``Client.__del__``, the ``close_clusters`` atexit callback) once a
  command is interrupted: the command prints one line and nothing else.

``distributed`` is imported only when an address is probed or a session is silenced.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import re
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

from sim.errors import SimError

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_PORT",
    "START",
    "check_address",
    "max_local_workers",
    "probe",
    "silence",
    "silenced_on_signal",
]

CONNECT_TIMEOUT = 4.0  # seconds to reach a scheduler and hear it, and again to find a worker
DEFAULT_PORT = 8786  # Dask's scheduler port
START = (
    "start one there with `dask scheduler` and workers with `dask worker {address} "
    "--nworkers N --nthreads 1`, each with this project installed, or run on this machine "
    "with --scheduler local:N"
)
NOT_DASK = (
    "--scheduler {address}: something at {address} {what} (is it the dashboard port 8787? "
    "the scheduler listens on 8786 by default)"
)
LOCAL = re.compile(r"local:(\d+)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
LOCAL_PER_CORE = 4  # local:N asks for at most this many worker processes a core
SCHEMES = ("tcp://", "tls://")  # the schemes of an address sim probes and connects to
_ADDRESS = re.compile(r"([a-z][a-z0-9+.-]*://)?(\[[0-9a-fA-F:.]+\]|[^\s/:\[\]]+)(:\d+)?/?")
NOISY = ("distributed", "tornado", "asyncio", "bokeh")  # loggers silenced by silence()


def check_address(scheduler: str) -> str:
    """``scheduler`` if it is ``local:N`` (1 <= N <= :func:`max_local_workers`) or looks like
    the address of a Dask scheduler: ``tcp://`` or ``tls://`` (:data:`SCHEMES`), or a bare
    ``HOST[:PORT]``.

    Returns
    -------
    str

    Raises
    ------
    SimError
        Anything else: ``'VALUE' is not a Dask scheduler address; ...`` with the accepted
        forms (the command line adds which option, or environment variable, gave it); a
        ``local:N`` beyond the machine, with the largest N it takes; an ``http://`` address
        (the dashboard's), with the scheduler's address beside it.
    """
    local = LOCAL.fullmatch(scheduler)
    if local:
        n, most = int(local.group(1)), max_local_workers()
        if 1 <= n <= most:
            return scheduler
        if n > most:
            raise SimError(
                f"'{scheduler}' asks for {n:,} worker processes on a machine with "
                f"{os.cpu_count() or 1} cores; give local:N with N from 1 to {most}"
            )
    scheme = None if local else _SCHEME.match(scheduler)
    if scheme and scheme.group(0).lower() not in SCHEMES:
        host = urlsplit(scheduler).hostname or "HOST"
        raise SimError(
            f"'{scheduler}' is not a Dask scheduler address: the scheme must be tcp:// or "
            f"tls://, not {scheme.group(0)} (a dashboard's web address is http://HOST:8787; "
            f"its scheduler's is tcp://{host}:{DEFAULT_PORT})"
        )
    if not local and _ADDRESS.fullmatch(scheduler):
        return scheduler
    raise SimError(
        f"'{scheduler}' is not a Dask scheduler address; give local:N (N worker processes on "
        "this machine, N >= 1) or a scheduler's address such as tcp://10.0.0.5:8786"
    )


def max_local_workers() -> int:
    """The most worker processes ``local:N`` may ask for: :data:`LOCAL_PER_CORE` a core.

    More would only compete for the cores while each holds its own copy of the scenario and
    the compiled kernel (about 150 MB): ``local:100000``, a slip, once grew by 20 MB a second
    for minutes while the cluster started."""
    return LOCAL_PER_CORE * (os.cpu_count() or 1)


def probe(address: str) -> None:
    """Check that a Dask scheduler answers at ``address`` (``tcp://`` or ``tls://``; other
    schemes are left to the client), within :data:`CONNECT_TIMEOUT` seconds for the TCP
    connection and again for Dask's handshake and ``identity`` answer.

    Raises
    ------
    SimError
        Nothing listens there, or it does not answer in time, or answers something other
        than a Dask scheduler (a web server, a Dask worker), with the fix.
    """
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp", "tls"):
        return
    rest = rest.rstrip("/")
    host, port = (rest.rsplit(":", 1) + [str(DEFAULT_PORT)])[:2] if ":" in rest else (rest, "")
    try:  # a closed port or an unknown host: fail at once, with the operating system's reason
        socket.create_connection(
            (host.strip("[]"), int(port or DEFAULT_PORT)), timeout=CONNECT_TIMEOUT
        ).close()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SimError(
            f"--scheduler {address}: cannot reach a Dask scheduler there ({reason or 'timed out'}"
            f"); {START.format(address=address)}"
        ) from None
    silent = {name: logging.getLogger(name).level for name in _noisy_loggers()}
    for name in silent:  # a failed handshake is logged by distributed.comm
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    try:
        answer = asyncio.run(_identity(address if scheme else f"tcp://{address}"))
    except TimeoutError:
        what = (
            "accepted the connection but did not answer as a Dask scheduler within "
            f"{CONNECT_TIMEOUT:g} s"
        )
        raise SimError(NOT_DASK.format(address=address, what=what)) from None
    except Exception:  # a garbage frame: MemoryError, struct or msgpack errors, a closed comm
        what = "answered but is not a Dask scheduler"
        raise SimError(NOT_DASK.format(address=address, what=what)) from None
    finally:
        for name, level in silent.items():
            logging.getLogger(name).setLevel(level)
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind == "Worker" and answer.get("scheduler"):
        raise SimError(
            f"--scheduler {address}: this is a Dask worker, not a scheduler; its scheduler "
            f"is {answer['scheduler']}: give that address"
        )
    if kind != "Scheduler":
        what = "answered but is not a Dask scheduler"
        if kind is not None:
            what = f"answered as a Dask {kind}, not a scheduler"
        raise SimError(NOT_DASK.format(address=address, what=what))


async def _identity(address: str):
    """Dask's ``identity`` answer of the server at ``address``, within the time limit."""
    from distributed.comm import connect
    from distributed.security import Security

    async def ask():
        args = Security().get_connection_args("client")
        comm = await connect(address, timeout=CONNECT_TIMEOUT, **args)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    return await asyncio.wait_for(ask(), CONNECT_TIMEOUT)


def silence() -> None:
    """Quiet Dask for the rest of this process, which an interrupt is ending: its loggers
    (a tornado callback failing as the loop stops), and, at exit, the exceptions Python
    would print from ``Client.__del__`` and from distributed's ``close_clusters`` atexit
    callback, which is dropped (a LocalCluster interrupted while it started cannot close;
    the command closes the others itself; the worker processes are daemonic children of
    this one and end with it)."""
    for name in _noisy_loggers():
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    spec = sys.modules.get("distributed.deploy.spec")
    if spec is not None:  # a LocalCluster cut short while starting cannot close (Status.init)
        atexit.unregister(spec.close_clusters)
    atexit.register(_quiet_exit)  # runs before distributed's own atexit callbacks


def _noisy_loggers() -> list[str]:
    """The loggers of :data:`NOISY` and those below them (``tornado.application`` has a level
    of its own in Dask's configuration)."""
    known = list(logging.root.manager.loggerDict)
    return [*NOISY, *(n for n in known if n.split(".")[0] in NOISY and n not in NOISY)]


def _quiet_exit() -> None:
    """At exit: print no "Exception ignored in ..." messages (``sys.unraisablehook``)."""
    with suppress(Exception):
        sys.unraisablehook = lambda unraisable: None


@contextmanager
def silenced_on_signal() -> Iterator[None]:
    """Within the block, Ctrl-C and SIGTERM first call :func:`silence`, then their handler.

    The interrupt can land in the main thread while Dask's event-loop thread is at work (in
    ``distributed.utils.sync``), which then logs errors of its own (tornado's "Exception in
    callback ... NameError") before the exception reaches any ``except`` of this project:
    only a handler is early enough. No effect outside the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def quiet_then(handler):
        def handle(signum, frame):
            silence()
            return handler(signum, frame)

        return handle

    ours = {s: quiet_then(h) for s, h in previous.items() if callable(h)}
    for s, handler in ours.items():
        signal.signal(s, handler)
    try:
        yield
    finally:  # unless changed meanwhile (ignored while the command cleans up after a signal)
        for s, handler in ours.items():
            if signal.getsignal(s) is handler:
                signal.signal(s, previous[s])
