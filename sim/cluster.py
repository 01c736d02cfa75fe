"""Running work units on a Dask distributed cluster (``--scheduler``, the ``dask`` extra).

:func:`sim.runner.run_design` with ``scheduler=ADDRESS`` sends its work units
(:mod:`sim.work`) as tasks to a Dask cluster instead of the built-in process pool:
``tcp://host:8786`` (any address a Dask client accepts) names a running scheduler, and
``local:N`` starts a ``LocalCluster`` of N single-threaded worker processes on this machine
(127.0.0.1) and stops it afterwards.

* The :class:`~sim.work.Setup` (scenario, engine, seed, design, probes) is scattered once to
  every worker; each worker thread builds its :class:`~sim.work.Worker` (engine and scratch
  memory) at its first task and keeps it for the run; one warm-up task of a single run per
  worker loads or compiles the numba kernels before the first block.
* Consecutive units are grouped into tasks of at most :data:`TASK_RUNS` runs (a few hundred
  milliseconds on the bundled scenario; a task costs the scheduler a few milliseconds), with
  at least :data:`TASKS_PER_THREAD` tasks per worker thread when there are enough units.
* Partials come back with their per-run arrays and are folded in unit order: a partial that
  finishes early waits, and at most :data:`WINDOW` tasks per worker thread are submitted
  beyond the first unfinished one, so the client holds a bounded number of them.
* Every random number is addressed (seed, stream, run), so the results equal those of
  ``--jobs 1`` byte for byte, whatever the number of workers, the order in which tasks
  finish, or a task run again after its worker died (Dask retries it).

``distributed`` is imported only when a scheduler is given. Connection problems (the address
is probed first, within seconds: :func:`sim.scheduler.probe`), a scheduler without workers,
and workers whose ``sim`` (version or code), numpy or numba differ from the client's raise
:class:`~sim.errors.SimError` naming the address and the fix. An interrupt (Ctrl-C, SIGTERM)
closes the client and a LocalCluster quickly and silences Dask
(:func:`sim.scheduler.silence`): the command prints its one line and nothing else.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import signal
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sim.errors import SimError
from sim.results import Partial
from sim.scheduler import (
    CONNECT_TIMEOUT,
    LOCAL,
    START,
    check_address,
    probe,
    silence,
    silenced_on_signal,
)
from sim.signals import deferred
from sim.work import Setup, Unit, Worker

__all__ = [
    "TASK_RUNS",
    "TASKS_PER_THREAD",
    "WINDOW",
    "WORKER_MALLOC",
    "connect",
    "group_size",
    "run_units",
    "session",
    "versions",
]

TASK_RUNS = 32_768  # runs per task at most
TASKS_PER_THREAD = 4  # tasks per worker thread at least, when there are enough units
WINDOW = 3  # tasks per worker thread in flight beyond the first unfinished one
CLOSE_TIMEOUT = 3.0  # seconds to close a client, and its LocalCluster, after an interrupt
EXTRA = "install the dask extra: pip install 'sim[dask]'"
# glibc's allocator in a LocalCluster's workers (Dask sets MALLOC_TRIM_THRESHOLD_ to 64 KiB,
# which also stops glibc from raising its mmap threshold): every block's arrays would come
# from fresh pages, each touched once, which cost those workers a quarter more CPU than the
# built-in pool's on this project's machine (benchmarks/cluster.py). Allocations of up to
# 32 MiB (a task's results are about 22 MiB at most) come from the heap, which keeps up to
# 256 MiB of freed memory for the next block.
WORKER_MALLOC = {
    "distributed.nanny.pre-spawn-environ.MALLOC_MMAP_THRESHOLD_": 32 * 2**20,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 256 * 2**20,
}

# address -> (client, cluster or None, say) for the clients a session keeps open
_kept: dict[str, list] = {}
# on a Dask worker: (run token, thread id) -> the thread's Worker for that run
_workers: dict[tuple[str, int], Worker] = {}
_workers_lock = threading.Lock()


def _distributed():
    """The ``distributed`` package, imported now (raises SimError when it is missing)."""
    try:
        import distributed
    except ImportError:
        raise SimError(f"--scheduler needs Dask, which is not installed: {EXTRA}") from None
    return distributed


@contextmanager
def session(scheduler: str | None, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Keep the cluster of ``scheduler``, once connected to, until the block ends: one
    ``LocalCluster`` (or one connection) for all the runs of a command.

    Checks the address and that Dask is installed on entry; connects at the first
    :func:`connect`. ``say`` receives one line when a LocalCluster starts (its dashboard).
    Nothing happens when ``scheduler`` is None.

    Raises
    ------
    SimError
        A malformed address, or Dask not installed.
    """
    if scheduler is None or scheduler in _kept:
        yield
        return
    check_address(scheduler)
    _distributed()
    _kept[scheduler] = [None, None, say]
    interrupted = False
    try:
        with silenced_on_signal():
            yield
    except KeyboardInterrupt:
        interrupted = True
        silence()
        raise
    finally:
        client, cluster, _ = _kept.pop(scheduler)
        _close(client, cluster, quick=interrupted)


@contextmanager
def connect(scheduler: str) -> Iterator[Any]:
    """A ``distributed.Client`` of ``scheduler``: the one a :func:`session` keeps, else a new
    one closed (with its LocalCluster) at the end of the block.

    Raises
    ------
    SimError
        A malformed or unreachable address, a scheduler without workers, workers whose
        versions differ from this process's, or Dask not installed.
    """
    kept = _kept.get(scheduler)
    if kept is not None:
        if kept[0] is None:
            kept[0], kept[1] = _open(scheduler, kept[2])
        yield kept[0]
        return
    client, cluster = _open(scheduler, None)
    interrupted = False
    try:
        yield client
    except KeyboardInterrupt:
        interrupted = True
        silence()
        raise
    finally:
        _close(client, cluster, quick=interrupted)


def _open(scheduler: str, say: Callable[[str], None] | None) -> tuple[Any, Any]:
    """Connect to ``scheduler`` (starting a LocalCluster for ``local:N``); check its workers.
    On any failure, or an interrupt, close what was opened (quietly after an interrupt)."""
    check_address(scheduler)
    distributed = _distributed()
    local = LOCAL.fullmatch(scheduler)
    client = cluster = None
    try:
        if local:
            cluster = _local_cluster(distributed, int(local.group(1)), say)
            with deferred():
                client = distributed.Client(cluster, set_as_default=False)
        else:
            probe(scheduler)  # bounded: the client's own handshake is not
            try:
                with deferred():  # at most CONNECT_TIMEOUT; uuid.uuid1() would swallow a signal
                    client = distributed.Client(
                        scheduler, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False
                    )
            except OSError as exc:
                raise SimError(
                    f"--scheduler {scheduler}: no Dask scheduler answered ({exc}); "
                    + START.format(address=scheduler)
                ) from None
        _check_workers(client, scheduler)
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        if interrupted:
            silence()
        _close(client, cluster, quick=interrupted)
        raise
    return client, cluster


def _local_cluster(distributed, n: int, say: Callable[[str], None] | None):
    """A LocalCluster of ``n`` single-threaded worker processes on 127.0.0.1, its dashboard
    on a free port when bokeh is installed."""
    import dask

    dashboard = importlib.util.find_spec("bokeh") is not None
    # the workers ignore Ctrl-C, which the terminal sends them too: this process stops them
    # (inherited while they start, set again by dask_setup when a worker is restarted)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        with dask.config.set(WORKER_MALLOC):
            cluster = distributed.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0" if dashboard else None,
                silence_logs=logging.ERROR,
                preload=[__name__],
            )
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    if say is not None:
        where = cluster.dashboard_link if dashboard else "pip install bokeh to see it"
        say(f"Dask LocalCluster of {n} worker processes at {cluster.scheduler_address}; "
            f"dashboard: {where}")  # fmt: skip
    return cluster


def dask_setup(worker) -> None:
    """Called by Dask in each worker of a ``local:N`` cluster as it starts (``preload``):
    ignore Ctrl-C, which the terminal sends to the whole process group; the command stops
    its workers itself. Workers started with ``dask worker`` are left alone."""
    if _main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _check_workers(client, scheduler: str) -> None:
    """Wait for a worker; compare every worker's :func:`versions` with this process's."""
    if not client.nthreads():
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except TimeoutError:
            raise SimError(
                f"--scheduler {scheduler}: the scheduler has no workers; start some with "
                f"`dask worker {scheduler} --nworkers N --nthreads 1` on machines with this "
                "project installed"
            ) from None
    try:
        theirs = client.run(versions)
    except Exception as exc:  # e.g. a worker without sim: ModuleNotFoundError
        raise SimError(
            f"--scheduler {scheduler}: the workers cannot run sim ({type(exc).__name__}: "
            f"{exc}); install this project on every worker machine: pip install -e '.[dask]'"
        ) from None
    ours = versions()
    for worker, their in sorted(theirs.items()):
        differ = [f"{k} {their.get(k)} (here {v})" for k, v in ours.items() if their.get(k) != v]
        if differ:
            raise SimError(
                f"--scheduler {scheduler}: worker {worker} has {', '.join(differ)}; results "
                "would differ: install the same versions everywhere (pip install -e '.[dask]' "
                "from the same commit)"
            )


def versions() -> dict[str, str]:
    """What must be equal on the client and every worker for equal results: ``sim``'s
    version and a digest of its source code (``code``), numpy's and numba's versions.

    Returns
    -------
    dict of str to str
    """
    import numba
    import numpy

    from sim import __version__

    return {
        "sim": __version__,
        "code": _code_digest(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
    }


_digest: list[str] = []


def _code_digest() -> str:
    """The first 12 hex digits of the SHA-256 of the package's Python files (path and
    content, in path order), computed once per process."""
    if not _digest:
        root = Path(__file__).resolve().parent
        sha = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            sha.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        _digest.append(sha.hexdigest()[:12])
    return _digest[0]


def _close(client, cluster, quick: bool = False) -> None:
    """Close the client and its LocalCluster (either may be None), undisturbed by Ctrl-C or
    SIGTERM (acted on afterwards) so that no worker process is left behind. ``quick``, after
    an interrupt: within :data:`CLOSE_TIMEOUT` seconds each, errors ignored."""
    with deferred():
        for closable in (client, cluster):
            if closable is None:
                continue
            if not quick:
                closable.close()
                continue
            with suppress(Exception):
                closable.close(timeout=CLOSE_TIMEOUT)


def group_size(n_units: int, largest: int, threads: int) -> int:
    """Units per task: at most :data:`TASK_RUNS` runs (of ``largest`` runs a unit at most),
    and at least :data:`TASKS_PER_THREAD` tasks per worker thread when there are enough units.

    Returns
    -------
    int
        At least 1. 123 blocks of 8,192 runs (a million runs) on 2 threads: 4 (31 tasks).
    """
    return max(1, min(n_units // (TASKS_PER_THREAD * threads), TASK_RUNS // max(largest, 1)))


def _groups(units: list[Unit], threads: int) -> list[list[Unit]]:
    """Consecutive units in groups of :func:`group_size`."""
    size = group_size(len(units), max(u.stop - u.start for u in units), threads)
    return [units[i : i + size] for i in range(0, len(units), size)]


def _task(setup: Setup, token: str, units: list[Unit]) -> list[tuple[int, Partial]]:
    """On a worker: simulate ``units`` with this thread's Worker for run ``token``."""
    key = (token, threading.get_ident())
    with _workers_lock:
        worker = _workers.get(key)
        if worker is None:
            for old in [k for k in _workers if k[1] == key[1]]:
                del _workers[old]  # a previous run's engine and buffers
            worker = _workers[key] = Worker(setup)
    return [worker.run(unit) for unit in units]


def _forget(token: str) -> None:
    """On a worker: drop the Workers (engines, buffers, scenario) of run ``token``."""
    with _workers_lock:
        for key in [k for k in _workers if k[0] == token]:
            del _workers[key]


def run_units(client, setup: Setup, units: list[Unit], fold: Callable[[int, Partial], None]) -> int:
    """Simulate ``units`` on the cluster of ``client``, calling ``fold(n, partial)`` for each
    unit in unit order as results arrive.

    Parameters
    ----------
    client : distributed.Client
    setup : Setup
    units : list of Unit
        In run order (:func:`sim.runner.run_design`).
    fold : callable(int, Partial)
        Called once per unit, in order, with its number of runs and its partial.

    Returns
    -------
    int
        The number of worker threads when the run started (recorded as ``jobs``).

    Raises
    ------
    SimError
        A task that killed its worker too often (Dask's ``allowed-failures``), or lost
        tasks; :class:`sim.errors.SimulationError` from a block, as raised on the worker.
    KeyboardInterrupt
        After cancelling the tasks still pending.
    """
    distributed = _distributed()
    threads = max(1, sum(client.nthreads().values()))
    groups = _groups(units, threads)
    token = uuid.uuid4().hex[:12]
    (scattered,) = client.scatter([setup], broadcast=True, hash=False)
    pending: dict = {}  # future -> group index
    try:
        _warm(client, scattered, token)
        finished = distributed.as_completed(loop=client.loop)
        held: dict[int, list] = {}
        submitted = folded = 0
        while folded < len(groups):
            while submitted < min(len(groups), folded + WINDOW * threads):
                future = client.submit(
                    _task, scattered, token, groups[submitted],
                    key=f"sim-block-{token}-{submitted}", pure=False,
                )  # fmt: skip
                pending[future] = submitted
                finished.add(future)
                submitted += 1
            future = next(finished)
            index = pending.pop(future)
            held[index] = _result(future, client, groups[index])
            future.release()
            while folded in held:
                for n, part in held.pop(folded):
                    fold(n, part)
                folded += 1
    finally:
        client.cancel([*pending, scattered])
        if not pending:  # not after a failure or Ctrl-C: the workers may be gone
            client.run(_forget, token, on_error="ignore")
    return threads


def _warm(client, scattered, token: str) -> None:
    """One single-run task per worker: it builds the thread's Worker (imports, engine) and
    loads or compiles the numba kernels before the first block."""
    warmups = [
        client.submit(
            _task,
            scattered,
            token,
            [Unit(-1, 0, 1, 0, 0)],
            workers=[address],
            allow_other_workers=True,
            pure=False,
            key=f"sim-warm-{token}-{i}",
        )  # fmt: skip
        for i, address in enumerate(client.nthreads())
    ]
    for future in warmups:
        _result(future, client, [Unit(-1, 0, 1, 0, 0)])


def _result(future, client, group: list[Unit]):
    """The future's result; a task that Dask gave up on as a SimError naming its runs."""
    distributed = _distributed()
    try:
        return future.result()
    except distributed.KilledWorker:
        runs = f"runs {group[0].start:,} to {group[-1].stop - 1:,}"
        raise SimError(
            f"--scheduler {client.scheduler.address}: the workers running {runs} died "
            "repeatedly (out of memory? see the workers' logs); nothing was written"
        ) from None
    except distributed.client.FutureCancelledError:
        raise SimError(
            f"--scheduler {client.scheduler.address}: the cluster cancelled the tasks "
            "(scheduler restarted or lost?); nothing was written"
        ) from None
