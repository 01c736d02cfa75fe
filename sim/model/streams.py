"""Addressed random numbers: every uniform has an address, so results do not depend on workers.

An address is (run index, stream, k), where a stream is named by purpose and id:

* ``init:TRACK``   initial state of a track (k = 0);
* ``slot:NAME``    an uncertain value or parameter, drawn once per run (k = 0);
* ``wait:EVENT``   the work drawn at the k-th enabling of an event (k = 0, 1, ...);
* ``branch:EVENT`` the branch drawn at the k-th firing of an event.

Runs are grouped in chunks of :data:`CHUNK`. For each (chunk, stream) one PCG64 generator,
seeded by ``SeedSequence(seed, spawn_key=(chunk, crc32(stream)))``, is laid out *layer by
layer*: the uniform of (run ``chunk * CHUNK + i``, k) is number ``k * CHUNK + i`` of that
generator's sequence. Any address is reached directly with ``PCG64.advance`` (each double
consumes one 64-bit output), so a block of runs generates only the layers its runs use, and
no k is ever out of range.

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

__all__ = ["CHUNK", "RandomBlock", "blocks", "stream_key", "uniforms"]

CHUNK = 8192
_HALF_ULP = 2.0**-54


def stream_key(name: str) -> int:
    """The 32-bit key of a stream name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def uniforms(seed: int, name: str, start: int, stop: int, k: int = 0) -> np.ndarray:
    """Uniforms of stream ``name``, layer ``k``, for runs ``[start, stop)`` (one chunk at most).

    Returns
    -------
    numpy.ndarray, shape (stop - start,)
    """
    chunk, offset = divmod(start, CHUNK)
    bitgen = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(chunk, stream_key(name))))
    position = k * CHUNK + offset
    if position:
        bitgen.advance(position)
    return np.random.Generator(bitgen).random(stop - start) + _HALF_ULP


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
        them (same shape, values in (0, 1)) before the block is run.

    Wait and branch layers are generated on first use: :meth:`wait`, :meth:`branch`.
    """

    seed: int
    start: int
    stop: int
    init: np.ndarray
    slots: np.ndarray
    event_ids: tuple[str, ...]
    _layers: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, scenario: Scenario, seed: int, start: int, stop: int) -> RandomBlock:
        """The block of runs ``[start, stop)`` for ``scenario``.

        Raises
        ------
        ValueError
            When the block crosses a chunk boundary, is empty, or the seed is negative.
        """
        if seed < 0:
            raise ValueError("seed must be non-negative")
        if stop <= start:
            raise ValueError("a block holds at least one run")
        if (stop - 1) // CHUNK != start // CHUNK:
            raise ValueError("a block must lie inside one chunk")
        n = stop - start

        def cols(names):
            if not names:
                return np.empty((n, 0))
            return np.column_stack([uniforms(seed, name, start, stop) for name in names])

        return cls(
            seed=seed,
            start=start,
            stop=stop,
            init=cols([f"init:{t.id}" for t in scenario.tracks]),
            slots=cols([f"slot:{s.name}" for s in scenario.slots]),
            event_ids=tuple(e.id for e in scenario.events),
        )

    @property
    def n(self) -> int:
        """Number of runs in the block."""
        return self.stop - self.start

    def _layer(self, purpose: str, event: int, k: int) -> np.ndarray:
        key = (purpose, event, k)
        layer = self._layers.get(key)
        if layer is None:
            name = f"{purpose}:{self.event_ids[event]}"
            layer = uniforms(self.seed, name, self.start, self.stop, k)
            self._layers[key] = layer
        return layer

    def wait(self, event: int, k: int) -> np.ndarray:
        """Uniforms of the k-th enabling of ``event``, one per run: shape (n,)."""
        return self._layer("wait", event, k)

    def branch(self, event: int, k: int) -> np.ndarray:
        """Uniforms of the k-th firing of ``event``, one per run: shape (n,)."""
        return self._layer("branch", event, k)
