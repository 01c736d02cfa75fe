"""Compiled conditions: boolean functions of the joint state.

A condition is a tree of :class:`Test` (one track in a set of states), :class:`Not`,
:class:`And`, :class:`Or` and :class:`Const`. It evaluates on one state (a sequence of state
indices, one per track) or, vectorized, on an ``(n_runs, n_tracks)`` integer array.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["And", "Condition", "Const", "Not", "Or", "Test"]


class Condition(Protocol):
    """What every condition node offers."""

    def __call__(self, state) -> bool:
        """Truth on one joint state (sequence of ints, one per track)."""

    def evaluate(self, states: np.ndarray) -> np.ndarray:
        """Truth on many states: ``(n, n_tracks)`` ints -> ``(n,)`` bools."""

    def tracks(self) -> frozenset[int]:
        """Indices of the tracks the condition reads."""


@dataclass(frozen=True)
class Const:
    """``true`` or ``false``."""

    value: bool

    def __call__(self, state) -> bool:
        return self.value

    def evaluate(self, states: np.ndarray) -> np.ndarray:
        return np.full(states.shape[0], self.value)

    def tracks(self) -> frozenset[int]:
        return frozenset()


@dataclass(frozen=True)
class Test:
    """Track ``track`` is in one of ``states`` (indices)."""

    track: int
    states: frozenset[int]

    def __call__(self, state) -> bool:
        return state[self.track] in self.states

    def evaluate(self, states: np.ndarray) -> np.ndarray:
        return np.isin(states[:, self.track], list(self.states))

    def tracks(self) -> frozenset[int]:
        return frozenset({self.track})


@dataclass(frozen=True)
class Not:
    """Negation."""

    arg: Condition

    def __call__(self, state) -> bool:
        return not self.arg(state)

    def evaluate(self, states: np.ndarray) -> np.ndarray:
        return ~self.arg.evaluate(states)

    def tracks(self) -> frozenset[int]:
        return self.arg.tracks()


@dataclass(frozen=True)
class And:
    """Conjunction of two or more conditions."""

    args: tuple[Condition, ...]

    def __call__(self, state) -> bool:
        return all(a(state) for a in self.args)

    def evaluate(self, states: np.ndarray) -> np.ndarray:
        out = self.args[0].evaluate(states)
        for a in self.args[1:]:
            out = out & a.evaluate(states)
        return out

    def tracks(self) -> frozenset[int]:
        return frozenset().union(*(a.tracks() for a in self.args))


@dataclass(frozen=True)
class Or:
    """Disjunction of two or more conditions."""

    args: tuple[Condition, ...]

    def __call__(self, state) -> bool:
        return any(a(state) for a in self.args)

    def evaluate(self, states: np.ndarray) -> np.ndarray:
        out = self.args[0].evaluate(states)
        for a in self.args[1:]:
            out = out | a.evaluate(states)
        return out

    def tracks(self) -> frozenset[int]:
        return frozenset().union(*(a.tracks() for a in self.args))
