"""Experiments that need many runs: variants, parameter draws, tornado and Sobol, the
forecast's history over the evidence, and candidate signposts.

Each experiment takes loaded scenarios and run settings, runs them through
:mod:`sim.runner` and returns a typed result (a frozen dataclass); none reads or writes
files nor prints. The command line (:mod:`sim.cli`) parses its options, calls these and
publishes the results.

Progress
--------
Every experiment accepts ``progress(label, done, total)``: ``label`` names the batch of runs
in progress (``"scenario [variant]"``, with the method for a sensitivity analysis), ``done``
and ``total`` count that batch's runs. It is called once with ``done`` 0 before the batch
starts, then after each block of runs.
"""

from sim.experiments.draws import ParameterDraws, run_parameter_draws, run_spread
from sim.experiments.history import History, HistoryPoint, run_history
from sim.experiments.sensitivity import Sobol, Tornado, run_sobol, run_tornado
from sim.experiments.signposts import Signposts, run_signposts
from sim.experiments.variants import Progress, VariantRuns, ruled_out, run_variant, run_variants

__all__ = [
    "History",
    "HistoryPoint",
    "ParameterDraws",
    "Progress",
    "Signposts",
    "Sobol",
    "Tornado",
    "VariantRuns",
    "ruled_out",
    "run_history",
    "run_parameter_draws",
    "run_signposts",
    "run_spread",
    "run_sobol",
    "run_tornado",
    "run_variant",
    "run_variants",
]
