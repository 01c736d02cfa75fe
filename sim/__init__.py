"""Scenario forecasting simulator: Monte Carlo runs of analysts' "what next" scenarios.

Public API
----------
load_scenario(path, variant="base") -> Scenario
    Read, validate and compile a scenario file (raises ScenarioError).
"""

from sim.errors import Problem, ScenarioError, SimError, SimulationError
from sim.model.scenario import Scenario
from sim.scenario.load import check_file, load_scenario

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
