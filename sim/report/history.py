"""The files of ``sim history``: ``history.json``, ``history.csv`` and the ``history`` chart.

Layouts: docs/RESULTS_LAYOUT.md. Write them into a temporary folder of
:func:`sim.report.files.publish`, which moves them into place all at once or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.tables import write_csv
from sim.contracts import dump
from sim.contracts.history import HistoryFile
from sim.plots.history import plot_history
from sim.plots.style import save_figure

__all__ = ["HISTORY_COLUMNS", "history_frame", "write_history"]

HISTORY_COLUMNS = (
    "date",
    "outcome",
    "probability",
    "ci_low",
    "ci_high",
    "effective_runs",
    "observations",
)


def history_frame(data: dict[str, Any]) -> pd.DataFrame:
    """One row per as-of date and outcome, in date then outcome order.

    Parameters
    ----------
    data : dict
        ``history.json`` content.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`HISTORY_COLUMNS`; probability and interval empty when the point is
        ruled out; ``observations`` is the number in effect.
    """
    rows = []
    for point in data["points"]:
        for oid, o in point["outcomes"].items():
            ci = o["ci95"] or [None, None]
            rows.append(
                {
                    "date": point["date"],
                    "outcome": oid,
                    "probability": o["probability"],
                    "ci_low": ci[0],
                    "ci_high": ci[1],
                    "effective_runs": point["effective_runs"],
                    "observations": point["observations"],
                }
            )
    return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))


def write_history(
    data: dict[str, Any],
    folder: Path,
    *,
    charts: bool,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[Path]:
    """Write ``history.json`` (validated by :class:`sim.contracts.history.HistoryFile`),
    ``history.csv`` and, with ``charts``, ``history.png`` and ``history.svg``.

    Parameters
    ----------
    data : dict
        ``to_dict()`` of a :class:`sim.experiments.history.History`.
    folder : pathlib.Path
        An existing folder.
    charts : bool
    progress : callable(done, total, name), optional
        With ``charts``: called before the chart (0 of 1, name "") and after it is saved (1
        of 1, ``"history"``), as :data:`sim.report.charts.ChartProgress`.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    pydantic.ValidationError
        ``data`` does not fit the model (a defect, not an input error).
    """
    folder = Path(folder)
    json_path, csv_path = folder / "history.json", folder / "history.csv"
    json_path.write_text(dump(HistoryFile, data), encoding="utf-8")
    write_csv(history_frame(data), csv_path)
    written = [json_path, csv_path]
    if charts:
        if progress is not None:
            progress(0, 1, "")
        written += save_figure(plot_history(data).get_figure(), folder, "history")
        if progress is not None:
            progress(1, 1, "history")
    return written
