"""One array view of a scenario, built once per scenario and shared by the engines.

Time is in days from the scenario's start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import kernels
from sim.model.scenario import Scenario
from sim.model.streams import stream_key

__all__ = ["SlotTables", "slot_tables"]


@dataclass
class SlotTables:
    """The uncertain values of a scenario as :func:`sim.kernels.draw_columns` takes
    them: stream keys (m,), family codes (m,), params (m, 4), spline index (m,) into
    ``splines`` (n_splines, SPLINE_KNOTS - 1, 4), where index 0 is a placeholder.

    ``extra_spl`` gives the spline index of each of the ``extra`` distributions passed to
    :meth:`of` (the compiled engine's waiting times share the array).
    """

    keys: np.ndarray
    code: np.ndarray
    par: np.ndarray
    spl: np.ndarray
    splines: np.ndarray
    extra_spl: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario, extra: tuple = ()) -> SlotTables:
        """Tables of ``scenario.slots``, with splines for the ``extra`` distributions."""
        m = len(scenario.slots)
        keys = np.array([stream_key(f"slot:{x.name}") for x in scenario.slots], dtype=np.uint64)
        code = np.zeros(m, dtype=np.int64)
        par = np.zeros((max(m, 1), 4))
        coefs = [np.zeros((kernels.SPLINE_KNOTS - 1, 4))]

        def spline_of(distribution) -> int:
            coef = distribution.compiled()[2]
            if coef.shape[0] == 1:
                return 0
            coefs.append(coef)
            return len(coefs) - 1

        spl = np.zeros(m, dtype=np.int64)
        for j, x in enumerate(scenario.slots):
            code[j], par[j] = x.distribution.compiled()[:2]
            spl[j] = spline_of(x.distribution)
        extra_spl = np.array([spline_of(d) for d in extra], dtype=np.int64)
        return cls(keys, code, par, spl, np.stack(coefs), extra_spl)


_tables: tuple[Scenario, SlotTables] | None = None


def slot_tables(scenario: Scenario) -> SlotTables:
    """The :class:`SlotTables` of ``scenario``, built once for the latest scenario."""
    global _tables
    # the scenario object itself is kept: an id() could be reused by a later scenario
    if _tables is None or _tables[0] is not scenario:
        _tables = (scenario, SlotTables.of(scenario))
    return _tables[1]
