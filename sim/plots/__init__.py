"""Charts of a results folder, one module per chart family.

Every function draws from data as read from the results folder (``summary.json`` entries,
``occupancy.csv``, ``first_passage.csv``), from a comparison folder (``comparison.json``) or
from a sensitivity folder (``sensitivity.json``), takes an optional ``ax`` and returns the
Axes, or returns a Figure where a chart needs several panels. Figures are made with
:class:`matplotlib.figure.Figure` outside pyplot, so no GUI backend is involved; use
:func:`save_figure` to write PNG and SVG files and release the figure.
"""

from sim.plots.comparison import plot_variant_differences, plot_variant_probabilities
from sim.plots.diagram import diagram_pages, plot_diagram
from sim.plots.evidence import plot_parameter_shifts
from sim.plots.first_passage import plot_first_passage, plot_over_time
from sim.plots.importance import plot_importance, plot_spread
from sim.plots.influence import plot_influence
from sim.plots.occupancy import plot_occupancy, plot_track_occupancy
from sim.plots.outcomes import plot_outcomes
from sim.plots.sensitivity import plot_sobol, plot_tornado, plot_tornado_grid
from sim.plots.signposts import plot_signposts
from sim.plots.style import save_figure

__all__ = [
    "diagram_pages",
    "plot_diagram",
    "plot_first_passage",
    "plot_over_time",
    "plot_importance",
    "plot_influence",
    "plot_occupancy",
    "plot_outcomes",
    "plot_parameter_shifts",
    "plot_signposts",
    "plot_sobol",
    "plot_spread",
    "plot_tornado",
    "plot_tornado_grid",
    "plot_track_occupancy",
    "plot_variant_differences",
    "plot_variant_probabilities",
    "save_figure",
]
