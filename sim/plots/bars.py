"""Horizontal-bar panels shared by the sensitivity charts (tornado, Sobol, importance, spread).

One row per uncertain value (or outcome), labelled on the left with wrapped text, largest on
top; several panels stacked in one figure with one legend above them. Colours: the
10th-percentile end of a tornado bar and a value that makes an outcome *less* likely are
:data:`LOW_COLOR` (blue); the 90th-percentile end and a value that makes it *more* likely are
:data:`HIGH_COLOR` (orange), so the charts read the same way.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots.style import label_of, new_figure, wrap

__all__ = [
    "HIGH_COLOR",
    "LABEL_WIDTH",
    "LOW_COLOR",
    "TITLE_WIDTH",
    "empty_panel",
    "figure_legend",
    "finite_or_zero",
    "name_axis",
    "panel_figure",
    "param_label",
    "readable_label",
    "rows_height",
]

#: 10th percentile; "less likely".
LOW_COLOR = "#4C72B0"
#: 90th percentile; "more likely".
HIGH_COLOR = "#DD8452"
#: Characters per line of a row label.
LABEL_WIDTH = 44
#: Characters per line of a panel title.
TITLE_WIDTH = 66


def readable_label(name: str, meta: Any = None, events: Mapping[str, Any] | None = None) -> str:
    """A label for an uncertain value that a reader understands, never its address.

    A named parameter keeps its label (its name when it has none). An unnamed range, whose
    name is its address ``EVENT.KEY`` (and whose label is made from that address), reads
    "<event's label>: chance" or "<event's label>: modifier 2 (while <condition>)"; without
    the event's label (``events`` not given) the event id is shown with spaces for
    underscores.

    Parameters
    ----------
    name : str
        The value's name: a parameter id or an address such as ``exit.modifiers.1``.
    meta : mapping or str, optional
        Its ``summary.json["parameters"]`` entry: ``label``, and for an unnamed range
        ``event``, ``key`` and ``while`` (optional), or its ``sensitivity.json`` entry (which
        has ``event_label``), or just the label.
    events : mapping, optional
        ``summary.json["events"]``: event id -> ``{"label", ...}``.

    Returns
    -------
    str
        One line, not wrapped.
    """
    text = label_of(meta, name)
    info = meta if isinstance(meta, Mapping) else {}
    event_id, _, key = name.partition(".")
    event_id, key = info.get("event") or event_id, info.get("key") or key
    if not key or not (text == name or text.startswith(f"{name} (")):
        return text  # a named parameter, or a label written by hand
    event = (events or {}).get(event_id) or info.get("event_label")
    head = label_of(event, event_id.replace("_", " "))
    parts = key.split(".")
    if len(parts) == 2 and parts[0] == "modifiers" and parts[1].isdigit():
        part = f"modifier {int(parts[1]) + 1}"
    else:
        part = key.replace(".", " ").replace("_", " ")
    where = info.get("while")
    return f"{head}: {part}" + (f" (while {where})" if where else "")


def param_label(
    name: str,
    parameters: Mapping[str, Any] | None,
    width: int = LABEL_WIDTH,
    events: Mapping[str, Any] | None = None,
) -> str:
    """Wrapped label of a parameter, with its value as written unless the label shows it.

    Parameters
    ----------
    name : str
        The parameter's name (or an unnamed range's place, e.g. ``exit.chance``).
    parameters : mapping or None
        Name -> label string, or -> ``{"label", "value"}`` (``summary.json["parameters"]``,
        ``sensitivity.json["parameters"]``); names without one are shown as they are.
    width : int, optional
        Characters per line.
    events : mapping, optional
        ``summary.json["events"]``, for the readable label of an unnamed range
        (:func:`readable_label`).

    Returns
    -------
    str
        ``"Label (3%\u00a0to\u00a010%)"`` wrapped at `width`; the value goes on a line of its
        own after right-to-left text.
    """
    meta = (parameters or {}).get(name)
    text = readable_label(name, meta, events)
    value = meta.get("value") if isinstance(meta, Mapping) else None
    if not (isinstance(value, str) and value.strip() and value.strip() not in text):
        return wrap(text, width)
    shown = "(" + label_of(value, value).replace(" ", "\u00a0") + ")"  # kept on one line
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        # On a line of its own: appended to right-to-left text, "(3% to 10%)" would be
        # reordered by the bidirectional algorithm.
        return wrap(text, width) + "\n" + shown
    return wrap(f"{text} {shown}", width)


def rows_height(names: Sequence[str], minimum: float = 0.3) -> float:
    """Height in inches of bar rows labelled with `names` (wrapped text).

    Parameters
    ----------
    names : sequence of str
        One label per row; each line of a label adds 0.165 inch.
    minimum : float, optional
        Least height of a row, inches.

    Returns
    -------
    float
        Inches.
    """
    return sum(max(minimum, 0.165 * (n.count("\n") + 1) + 0.12) for n in names)


def panel_figure(
    panels: Sequence[tuple[str, Sequence[str]]], width: float, empty: str
) -> tuple[Figure, list[Axes]]:
    """A figure of stacked panels, each as tall as its title and its labelled rows.

    Parameters
    ----------
    panels : sequence of (str, sequence of str)
        Per panel, its (wrapped) title and its row labels.
    width : float
        Figure width, inches.
    empty : str
        Text shown, centred, when there are no panels.

    Returns
    -------
    (matplotlib.figure.Figure, list of matplotlib.axes.Axes)
        The figure and one axes per panel, top to bottom (none when `panels` is empty).
    """
    if not panels:
        fig = new_figure(width, 2.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, empty, ha="center", va="center")
        return fig, []
    rows = [max(rows_height(names), 0.45) for _, names in panels]
    overhead = [0.75 + 0.18 * (title.count("\n") + 1) for title, _ in panels]
    fig = new_figure(width, 0.7 + sum(rows) + sum(overhead))
    axes = fig.subplots(
        len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": rows}
    )[:, 0]  # fmt: skip
    return fig, list(axes)


def figure_legend(fig: Figure, title: str, handles: Sequence[Any]) -> None:
    """The figure's legend, above the panels, with the figure's title as its (bold) title.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from :func:`panel_figure`; without data, only the title is drawn.
    title : str
        The figure's title.
    handles : sequence of matplotlib artists
        The legend entries, in one row.
    """
    if not fig.axes or not fig.axes[0].has_data():
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        return
    fig.legend(
        handles=list(handles),
        loc="outside upper left",
        ncols=len(handles),
        handlelength=1.6,
        title=title,
        title_fontproperties={"weight": "bold", "size": 10},
        alignment="left",
    )


def name_axis(ax: Axes, names: Sequence[str]) -> None:
    """Label the rows 0, 1, ... of `ax` with `names`, the first on top.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose rows sit at y = 0, 1, ...
    names : sequence of str
        One label per row.
    """
    y = np.arange(len(names))
    ax.set_ylim(len(names) - 0.5, -0.5)  # first (largest) on top
    ax.set_yticks(y, labels=list(names))
    ax.tick_params(axis="y", length=0)


def empty_panel(ax: Axes, text: str) -> None:
    """Write `text` in the middle of `ax`, which has no rows to draw."""
    ax.set_yticks([])
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


def finite_or_zero(value: Any) -> float:
    """`value` as a float, or 0.0 when it is missing, not a number or not finite."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return 0.0
    return out if math.isfinite(out) else 0.0
