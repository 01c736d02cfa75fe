"""Scenario forecasting simulator: Monte Carlo runs of analysts' "what next" scenarios.

Public API
----------
load_scenario(path, variant="base") -> Scenario
    Read, validate and compile a scenario file (raises ScenarioError).
"""

import os

# Parallelism is by worker processes; BLAS threads would only compete with them for cores.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# Engines agree bit for bit only if a quantile is computed the same way in a vectorized loop as
# in the kernel's scalar code; Intel's SVML (used by numba where installed) would not be.
os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")

from sim.errors import Problem, ScenarioError, SimError, SimulationError  # noqa: E402
from sim.model.scenario import Scenario  # noqa: E402
from sim.scenario.load import check_file, load_scenario  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "SimError",
    "SimulationError",
    "__version__",
    "check_file",
    "load_scenario",
]
