"""The charts' shared style and helpers: figures, date axes, labels, colours, saving.

Figures are created with :class:`matplotlib.figure.Figure` directly, never through
``pyplot``: no global figure registry, no interactive backend, nothing to leak. Saving picks
the Agg renderer for PNG and the SVG renderer for SVG. A figure that *is* managed by pyplot
(the caller passed an ``ax`` from ``plt.subplots``) is closed through pyplot after saving.
"""

from __future__ import annotations

import datetime
import functools
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator

from sim.errors import drop_bidi

__all__ = [
    "DPI",
    "MAX_PIXELS",
    "BASE_COLOR",
    "PALETTE",
    "RC",
    "SPREAD_COLOR",
    "close_figure",
    "colors",
    "format_date_axis",
    "label_of",
    "legend_height",
    "new_axes",
    "new_figure",
    "outcome_colors",
    "percent_axis",
    "pick_colors",
    "plain",
    "save_figure",
    "styled",
    "to_dates",
    "variant_colors",
    "wrap",
]

#: Resolution of the PNG files, dots per inch.
DPI = 150
MAX_PIXELS = 4000  # width and height of a PNG chart at most (pixels)
#: The 80% range "across the assumptions", in every chart that draws it (outcomes, spread).
SPREAD_COLOR = "#DD8452"

#: Style applied while drawing and saving. DejaVu Sans (bundled with matplotlib) has Arabic
#: glyphs; matplotlib >= 3.11 shapes and orders complex scripts itself (libraqm), so labels
#: are passed through unchanged (no arabic_reshaper / python-bidi).
RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.fonttype": "path",  # text as outlines: the SVG looks the same without the fonts
    "svg.hashsalt": "sim-report",  # stable ids: the same data gives the same SVG bytes
}


_P = ParamSpec("_P")
_R = TypeVar("_R")


def styled(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run a plotting function under :data:`RC`, so the artists it creates take that style."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with mpl.rc_context(RC):
            return func(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """Create a figure of `width` x `height` inches, outside pyplot.

    Parameters
    ----------
    width, height : float
        Size in inches.
    layout : str or None, optional
        Matplotlib layout engine; ``None`` for figures that place their axes by hand.

    Returns
    -------
    matplotlib.figure.Figure
    """
    with mpl.rc_context(RC):
        return Figure(figsize=(width, height), layout=layout)


def new_axes(ax: Axes | None, width: float, height: float) -> Axes:
    """Return `ax`, or the single axes of a new figure of `width` x `height` inches."""
    if ax is not None:
        return ax
    fig = new_figure(width, height)
    with mpl.rc_context(RC):
        return fig.add_subplot()


def label_of(meta: Any, fallback: str) -> str:
    """Display text for an object: ``meta["label"]`` (or `meta` itself if a string), else its id.

    Parameters
    ----------
    meta : mapping, str or None
        A summary.json entry with an optional ``label`` key, or a label string.
    fallback : str
        The id, used when there is no non-blank label.

    Returns
    -------
    str
        The label with ``$`` escaped (see :func:`plain`).
    """
    if isinstance(meta, str):
        label = meta
    elif isinstance(meta, Mapping):
        label = meta.get("label")
    else:
        label = None
    if isinstance(label, str) and label.strip():
        return plain(label.strip())
    return plain(str(fallback))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """User text made safe to draw: ``$`` escaped (no mathtext), control characters as spaces,
    bidirectional overrides and isolates dropped (:func:`sim.errors.drop_bidi`)."""
    return drop_bidi(_CONTROL.sub(" ", str(text))).replace("$", r"\$")


def wrap(text: str, width: int) -> str:
    """Break `text` into lines of at most `width` characters (long words are kept whole)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def legend_height(labels: Sequence[str]) -> float:
    """Approximate height in inches of a legend (at 8 pt) holding `labels`, one entry each."""
    lines = sum(label.count("\n") + 1 for label in labels)
    return 0.155 * lines + 0.09 * len(labels)


def colors(n: int) -> list[tuple[float, float, float, float]]:
    """`n` distinguishable colours by position in one chart: tab10, then tab20 beyond ten.

    For outcomes and variants use :func:`outcome_colors` and :func:`variant_colors`, which key
    colours by identity so they agree across charts.
    """
    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


Color = tuple[float, float, float, float]

#: The identity palette (matplotlib's tab10, designed to stay distinguishable for the common
#: colour-vision deficiencies when paired with distinct markers or labels): 10 RGBA colours.
PALETTE: tuple[Color, ...] = tuple(mpl.colormaps["tab10"](i) for i in range(10))
#: The base variant's colour in every comparison chart (near-black).
BASE_COLOR: Color = (0.15, 0.15, 0.15, 1.0)


def outcome_colors(ids: Iterable[str]) -> dict[str, Color]:
    """One colour per outcome, keyed by its identity: its position in the scenario's outcomes.

    Every chart that colours outcomes takes its colours from this mapping, so an outcome has
    the same colour in the first-passage, over-time and history charts whichever subset each
    one draws.

    Parameters
    ----------
    ids : iterable of str
        Every outcome id of the scenario, in ``summary.json["outcomes"]`` order (the file
        order), not just those one chart draws.

    Returns
    -------
    dict of str to RGBA tuple
        Outcome ``k`` (0-based) gets ``PALETTE[k % 10]``: beyond the palette's 10 colours,
        colours repeat (outcomes 0 and 10 share one); the legend's labels tell them apart.
    """
    return {oid: PALETTE[k % len(PALETTE)] for k, oid in enumerate(ids)}


def variant_colors(positions: Mapping[str, int]) -> dict[str, Color]:
    """One colour per variant, keyed by its identity: its position in the scenario's variants.

    Parameters
    ----------
    positions : mapping of str to int
        Variant id -> its position in the scenario's list of variants with ``base`` first
        (``base`` 0, the first variant of the file 1, ...), for the variants to colour; a
        comparison of a subset passes the subset with the positions of the full list, so a
        variant has the same colour whichever variants it is compared with.

    Returns
    -------
    dict of str to RGBA tuple
        ``base`` (position 0) gets :data:`BASE_COLOR`; the variant at position ``k >= 1``
        gets ``PALETTE[(k - 1) % 10]``: beyond the palette's 10 colours, colours repeat (the
        comparison charts also give each position its own marker).
    """
    return {
        vid: BASE_COLOR if k == 0 else PALETTE[(k - 1) % len(PALETTE)]
        for vid, k in positions.items()
    }


def pick_colors(ids: Sequence[str], keyed: Mapping[str, Any] | None) -> list[Any]:
    """The colours of `ids` as drawn in one chart: each one's from `keyed` (the identity
    palette, :func:`outcome_colors` or :func:`variant_colors`) when it has one, else the
    palette by position in `ids` (:func:`colors`, the behaviour without `keyed`)."""
    fallback = colors(len(ids))
    keyed = keyed or {}
    return [keyed.get(i, c) for i, c in zip(ids, fallback, strict=True)]


def to_dates(values: Any) -> np.ndarray:
    """Convert ISO date strings (or datetimes) to a ``datetime64[D]`` array for plotting.

    Parameters
    ----------
    values : sequence of str, datetime-like or pandas.Series

    Returns
    -------
    numpy.ndarray of datetime64[D]

    Raises
    ------
    ValueError
        If a value is not a date.
    """
    return pd.to_datetime(pd.Series(values), format="ISO8601").to_numpy().astype("datetime64[D]")


_MONTH_STEPS = (1, 2, 3, 4, 6, 12)


def _month_starts(lo: float, hi: float) -> list[tuple[float, int]]:
    """First days of the months within matplotlib date numbers [lo, hi]: (datenum, month)."""
    first = mdates.num2date(lo)
    year, month = first.year, first.month
    out = []
    while True:
        x = mdates.date2num(datetime.datetime(year, month, 1))
        if x > hi:
            return out
        if x >= lo:
            out.append((x, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def format_date_axis(ax: Axes, *, max_ticks: int | None = None) -> None:
    """Put calendar dates on the x axis of `ax`, e.g. ``Jan 2026``, ``Apr 2026``.

    Tick spacing follows the span of the current x limits: whole months (1, 2, 3, 4, 6 or 12,
    on Jan/Apr/Jul/Oct-style boundaries) for spans up to about eight years, whole years beyond,
    and matplotlib's concise automatic ticks for spans under two months.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        An axes whose x data are dates; call after plotting.
    max_ticks : int, optional
        Most ticks wanted; by default about one per 1.1 inch of axes width (at least 3).
    """
    if max_ticks is None:
        width_in = ax.get_figure().get_figwidth() * ax.get_position().width
        max_ticks = max(3, int(width_in / 1.1))
    lo, hi = ax.get_xlim()
    months = (hi - lo) / (365.25 / 12)
    if months < 2:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=max_ticks)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        return
    if months <= 12 * 8:
        step = next((s for s in _MONTH_STEPS if months / s <= max_ticks), 12)
        # fixed positions, computed once: matplotlib's rrule-based MonthLocator recomputes
        # its ticks at every draw, which dominated the time to save a multi-panel figure
        starts = _month_starts(lo, hi)
        ax.xaxis.set_major_locator(FixedLocator([x for x, m in starts if (m - 1) % step == 0]))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        if step > 1:
            ax.xaxis.set_minor_locator(FixedLocator([x for x, _ in starts]))
        return
    years = months / 12
    base = next((b for b in (1, 2, 5, 10, 20, 50, 100) if years / b <= max_ticks), 100)
    ax.xaxis.set_major_locator(mdates.YearLocator(base=base))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))


def save_figure(fig: Figure, folder: Path, stem: str) -> list[Path]:
    """Write `fig` as ``folder/stem.png`` and ``folder/stem.svg``, then close it.

    The PNG is at most :data:`MAX_PIXELS` wide and tall (at a lower resolution than
    :data:`DPI` when the figure is larger than that), so no chart becomes a huge image.

    The files carry no creation date, so the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is cleared (or closed through pyplot if pyplot manages it) afterwards and
        must not be used again.
    folder : pathlib.Path
        An existing folder.
    stem : str
        File name without extension.

    Returns
    -------
    list of pathlib.Path
        ``[png, svg]``.
    """
    folder = Path(folder)
    png, svg = folder / f"{stem}.png", folder / f"{stem}.svg"
    # a figure taller or wider than MAX_PIXELS at DPI is written at a lower resolution
    dpi = min(DPI, MAX_PIXELS / max(*fig.get_size_inches(), 1e-9))
    try:
        with mpl.rc_context(RC):
            fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
            fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        close_figure(fig)
    return [png, svg]


def close_figure(fig: Figure) -> None:
    """Release `fig`: through pyplot if pyplot manages it, else by clearing it."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and fig.canvas.manager is not None:
        pyplot.close(fig)
    else:
        fig.clear()


def percent_axis(axis: Any, ticks: Sequence[float] = (0, 0.25, 0.5, 0.75, 1.0)) -> None:
    """Format a [0, 1] axis (``ax.xaxis`` or ``ax.yaxis``) as percentages."""
    from matplotlib.ticker import FixedLocator, PercentFormatter

    axis.set_major_locator(FixedLocator(list(ticks)))
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
