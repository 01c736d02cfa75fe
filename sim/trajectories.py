"""Trajectory codes: each run's sequence of event firings as a 64-bit code, and counts of
distinct sequences. Shared by every engine (which code runs as they fire) and by the results
(which merge and rank them)."""

from __future__ import annotations

from collections import Counter

import numpy as np

__all__ = ["MAX_TRAJECTORY", "trajectory_counts", "trajectory_hashes"]

MAX_TRAJECTORY = 40  # firings recorded per run; a longer sequence ends with -1


def trajectory_counts(traj: np.ndarray, length: np.ndarray) -> Counter:
    """Count the distinct rows of an ``(n, MAX_TRAJECTORY + 1)`` int64 event-index array.

    Row i holds ``length[i]`` event indices followed by padding (the same value in every row).

    Returns
    -------
    collections.Counter
        Trajectory (tuple of event indices, cut at its length) -> number of runs.
    """
    rows = np.ascontiguousarray(traj, dtype=np.int64)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    return Counter(
        {tuple(rows[i, : length[i]].tolist()): int(c) for i, c in zip(first, counts, strict=True)}
    )


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _mix(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 finalizer (Steele, Lea and Flood 2014), element-wise on uint64."""
    z = (z ^ (z >> np.uint64(30))) * _MIX[0]
    z = (z ^ (z >> np.uint64(27))) * _MIX[1]
    return z ^ (z >> np.uint64(31))


def trajectory_hashes(traj: np.ndarray, length: np.ndarray) -> np.ndarray:
    """A 64-bit code of each run's trajectory: shape (n,) uint64.

    ``traj`` is (n, >= max(length)) event indices (the overflow marker -1 included), row i
    valid up to ``length[i]``. The code is ``h = mix(h xor (e + 1))`` over the sequence from
    ``h = 0x9E3779B97F4A7C15``, then ``mix(h xor length)``, where mix is the SplitMix64
    finalizer; the compiled engine computes the same code as runs fire. Two different
    sequences share a code with probability about 2**-64 per pair.
    """
    n = len(length)
    h = np.full(n, _GOLDEN, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(int(length.max(initial=0))):
            step = _mix(h ^ (traj[:, i].astype(np.int64) + 1).astype(np.uint64))
            h = np.where(i < length, step, h)
        return _mix(h ^ np.asarray(length, dtype=np.uint64))
