"""Addressed random numbers: every uniform has an address, so results do not depend on workers.

An address is (run index, stream, k), where a stream is named by purpose and id:

* ``init:TRACK``   initial state of a track (k = 0);
* ``slot:NAME``    an uncertain value or parameter, drawn once per run (k = 0);
* ``wait:EVENT``   the work drawn at the k-th enabling of an event;
* ``branch:EVENT`` the branch drawn at the k-th firing of an event.

Runs are grouped in chunks of :data:`CHUNK`. For each (chunk, stream) one PCG64 generator,
seeded by ``SeedSequence(seed, spawn_key=(chunk, crc32(stream)))``, fills a table of
``CHUNK x width`` uniforms row by row (width 1, or :data:`DEPTH` for wait and branch streams);
a block of runs inside a chunk jumps to its rows with ``PCG64.advance``. Addresses past the
table (k >= DEPTH) come from a per-run spill generator
``SeedSequence(seed, spawn_key=(SPILL, run, crc32(stream)))``.

Consequences: the numbers of run i do not depend on the number of runs, on how runs are split
between processes, or on which engine consumes them; and a variant that changes one event
leaves the numbers of every other stream unchanged (common random numbers).

Uniforms lie in the open interval (0, 1): ``random() + 2**-54``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from sim.model.scenario import Scenario

__all__ = ["CHUNK", "DEPTH", "RandomBlock", "blocks", "stream_key"]

CHUNK = 8192
DEPTH = 8
SPILL = 0xFFFF_FFFF
_HALF_ULP = 2.0**-54


def stream_key(name: str) -> int:
    """The 32-bit key of a stream name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def _table(seed: int, chunk: int, name: str, offset: int, n: int, width: int) -> np.ndarray:
    bitgen = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(chunk, stream_key(name))))
    if offset:
        bitgen.advance(offset * width)
    return np.random.Generator(bitgen).random(n * width).reshape(n, width) + _HALF_ULP


def blocks(n_runs: int, size: int = 1024) -> list[tuple[int, int]]:
    """Split runs ``[0, n_runs)`` into ``(start, stop)`` blocks that never cross a chunk."""
    out = []
    start = 0
    while start < n_runs:
        stop = min(start + size, n_runs, (start // CHUNK + 1) * CHUNK)
        out.append((start, stop))
        start = stop
    return out


@dataclass
class RandomBlock:
    """The uniforms of runs ``[start, stop)`` (one chunk at most).

    Attributes
    ----------
    init : numpy.ndarray, shape (n, n_tracks)
    slots : numpy.ndarray, shape (n, n_slots)
        Uniforms of the uncertain values (quantile levels). Sensitivity analysis may replace
        them before values are computed.
    wait, branch : numpy.ndarray, shape (n_events, n, DEPTH)
    """

    seed: int
    start: int
    stop: int
    init: np.ndarray
    slots: np.ndarray
    wait: np.ndarray
    branch: np.ndarray
    event_ids: tuple[str, ...]
    _spill: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, scenario: Scenario, seed: int, start: int, stop: int) -> RandomBlock:
        """Fill the tables of runs ``[start, stop)`` for ``scenario``.

        Raises
        ------
        ValueError
            When the block crosses a chunk boundary or the seed is negative.
        """
        if seed < 0:
            raise ValueError("seed must be non-negative")
        chunk, offset = divmod(start, CHUNK)
        if (stop - 1) // CHUNK != chunk:
            raise ValueError("a block must lie inside one chunk")
        n = stop - start

        def cols(names, width=1):
            if not names:
                return np.empty((n, 0)) if width == 1 else np.empty((0, n, width))
            parts = [_table(seed, chunk, name, offset, n, width) for name in names]
            return np.hstack(parts) if width == 1 else np.stack(parts)

        ids = tuple(e.id for e in scenario.events)
        return cls(
            seed=seed,
            start=start,
            stop=stop,
            init=cols([f"init:{t.id}" for t in scenario.tracks]),
            slots=cols([f"slot:{s.name}" for s in scenario.slots]),
            wait=cols([f"wait:{e}" for e in ids], DEPTH),
            branch=cols([f"branch:{e}" for e in ids], DEPTH),
            event_ids=ids,
        )

    @property
    def n(self) -> int:
        """Number of runs in the block."""
        return self.stop - self.start

    def spill(self, purpose: str, event: int, run: int, k: int) -> float:
        """The uniform at address (run ``start + run``, ``purpose:event``, k) for k >= DEPTH."""
        name = f"{purpose}:{self.event_ids[event]}"
        key = (name, run)
        values = self._spill.get(key)
        need = k - DEPTH + 1
        if values is None or len(values) < need:
            bitgen = np.random.PCG64(
                np.random.SeedSequence(
                    self.seed, spawn_key=(SPILL, self.start + run, stream_key(name))
                )
            )
            size = max(64, 2 * need)
            values = np.random.Generator(bitgen).random(size) + _HALF_ULP
            self._spill[key] = values
        return float(values[k - DEPTH])

    def wait_u(self, event: int, run: int, k: int) -> float:
        """Uniform for the k-th enabling of ``event`` in local run ``run``."""
        if k < DEPTH:
            return float(self.wait[event, run, k])
        return self.spill("wait", event, run, k)

    def branch_u(self, event: int, run: int, k: int) -> float:
        """Uniform for the k-th firing of ``event`` in local run ``run``."""
        if k < DEPTH:
            return float(self.branch[event, run, k])
        return self.spill("branch", event, run, k)
