"""Report of a results folder: charts (PNG and SVG) and a self-contained ``report.html``."""

__all__ = ["render_report"]


def __getattr__(name: str):
    # matplotlib is imported only when a report is rendered: ``--no-charts`` skips it
    if name == "render_report":
        from sim.report.render import render_report

        return render_report
    raise AttributeError(f"module 'sim.report' has no attribute {name!r}")
