"""Report of a results folder: charts (PNG and SVG) and a self-contained ``report.html``."""

from sim.report.render import render_report

__all__ = ["render_report"]
