"""Addressed random numbers: every uniform has an address, so results do not depend on workers.

An address is (run index, stream, k), where a stream is named by purpose and id:

* ``init:TRACK``   initial state of a track (k = 0);
* ``slot:NAME``    an uncertain value or parameter, drawn once per run (k = 0);
* ``wait:EVENT``   the work drawn at the k-th enabling of an event (k = 0, 1, ...);
* ``branch:EVENT`` the branch drawn at the k-th firing of an event.

The numbers come from a counter-based generator, Philox4x64-10 (Salmon et al. 2011, as in
``numpy.random.Philox``): the uniform at (run i, stream s, layer k) under seed S is word
``i mod 4`` of ``Philox(counter=(i div 4 + 1, k, 0, 0), key=(S, key(s)))``, where key(s) is a
64-bit hash of the stream's name (:func:`stream_key`), as ``((word >> 12) + 1/2) 2**-52``
(:func:`sim.kernels.uniform`). Any address is computed
directly, with no state: the compiled engine draws its waits and branches inside its loop, a
block of runs generates only the numbers its runs use, and no k is ever out of range.

Consequences: the numbers of run i do not depend on the number of runs, on how runs are split
between processes, or on which engine consumes them; and a variant that changes one event
leaves the numbers of every other stream unchanged (common random numbers).

Uniforms lie in [2**-53, 1 - 2**-53], strictly inside (0, 1), and are exact doubles.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from sim.model.scenario import Scenario

__all__ = ["CHUNK", "RandomBlock", "blocks", "stream_key", "uniforms"]

CHUNK = 8192  # runs per block at most (blocks never cross a multiple of it)
MAX_SEED = 2**64 - 1


def stream_key(name: str) -> int:
    """The 64-bit key of a stream name: BLAKE2b (8-byte digest) of its UTF-8 bytes, little
    endian. Two names share a key with probability 2**-64."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def uniforms(seed: int, name: str, start: int, stop: int, k: int = 0) -> np.ndarray:
    """Uniforms of stream ``name``, layer ``k``, for runs ``[start, stop)``.

    Returns
    -------
    numpy.ndarray, shape (stop - start,)
    """
    from sim import kernels  # here: the command line starts (and says so) without numba

    return kernels.layer(
        np.uint64(seed), np.uint64(stream_key(name)), start, stop - start, np.uint64(k)
    )


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
    fixed : numpy.ndarray, shape (n_slots,)
        Quantile levels at which sensitivity analysis fixes uncertain values in every run of
        the block (:meth:`fix`); NaN where a value keeps its own per-run draw.

    Wait and branch layers are generated on first use (:meth:`wait`, :meth:`branch`); the
    uncertain values are drawn from their ``slot`` streams by
    :func:`sim.engines.draws.draw_slots`, and the compiled engine draws waits and branches
    itself.
    """

    seed: int
    start: int
    stop: int
    track_ids: tuple[str, ...]
    event_ids: tuple[str, ...]
    fixed: np.ndarray
    _layers: dict = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, scenario: Scenario, seed: int, start: int, stop: int) -> RandomBlock:
        """The block of runs ``[start, stop)`` for ``scenario``.

        Raises
        ------
        ValueError
            When the block crosses a chunk boundary, is empty, or the seed is not in
            [0, 2**64).
        """
        if not 0 <= seed <= MAX_SEED:
            raise ValueError("seed must lie in [0, 2**64)")
        if stop <= start:
            raise ValueError("a block holds at least one run")
        if (stop - 1) // CHUNK != start // CHUNK:
            raise ValueError("a block must lie inside one chunk")
        return cls(
            seed=seed,
            start=start,
            stop=stop,
            track_ids=tuple(t.id for t in scenario.tracks),
            event_ids=tuple(e.id for e in scenario.events),
            fixed=np.full(len(scenario.slots), np.nan),
        )

    @property
    def init(self) -> np.ndarray:
        """Uniforms of the initial states, one column per track: shape (n, n_tracks); drawn
        on first use (tracks with one initial state need none)."""
        layer = self._layers.get("init")
        if layer is None:
            names = [f"init:{t}" for t in self.track_ids]
            layer = self._layers["init"] = _columns(self.seed, names, self.start, self.stop)
        return layer

    @property
    def n(self) -> int:
        """Number of runs in the block."""
        return self.stop - self.start

    def fix(self, levels: np.ndarray) -> None:
        """Fix uncertain values at quantile levels in (0, 1) for every run of the block.

        ``levels`` (n_slots,): NaN leaves a value random.
        """
        self.fixed = np.array(levels, dtype=float)

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


def _columns(seed: int, names: list[str], start: int, stop: int) -> np.ndarray:
    """Layer 0 of each named stream for runs [start, stop), as columns: (n, len(names))."""
    out = np.empty((len(names), stop - start))
    for i, name in enumerate(names):
        out[i] = uniforms(seed, name, start, stop)
    return out.T.copy()
