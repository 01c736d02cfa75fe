"""Outcome probabilities as horizontal bars with their 95% Wilson intervals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from sim.analysis.words import estimative_words, format_probability
from sim.plots.style import label_of, new_axes, percent_axis, styled, wrap

__all__ = ["plot_outcomes"]


@styled
def plot_outcomes(outcomes: Mapping[str, Mapping[str, Any]], *, ax: Axes | None = None) -> Axes:
    """Horizontal bar of each outcome's probability, with its 95% Wilson interval.

    Outcomes are drawn top to bottom in the order given (file order). The left axis names each
    outcome (its label, else its id); the right axis gives the probability as a percentage and
    its ICD 203 words.

    Parameters
    ----------
    outcomes : mapping of str to mapping
        ``summary.json["outcomes"]``: outcome id -> ``{"label", "probability", "ci95",
        "words"}``. ``probability`` is required (a float in [0, 1]); ``ci95`` (``[low, high]``)
        is drawn as an error bar when present; ``words`` is computed with
        :func:`sim.analysis.words.estimative_words` when absent.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure whose height grows with the number of outcomes
        (and the lines of their labels).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If an outcome has no ``probability``.
    """
    ids = list(outcomes)
    n = len(ids)
    labels = [wrap(label_of(outcomes[i], i), 34) for i in ids]
    rows = sum(max(0.45, 0.17 * (label.count("\n") + 1) + 0.14) for label in labels)
    ax = new_axes(ax, 8.0, 1.3 + max(rows, 0.45))
    ax.set_title("Outcome probabilities (error bars: 95% Wilson interval)", loc="left")
    percent_axis(ax.xaxis, (0, 0.2, 0.4, 0.6, 0.8, 1.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel("Probability (share of runs)")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    if n == 0:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no outcomes", ha="center", va="center", transform=ax.transAxes)
        return ax

    y = np.arange(n)
    p = np.array([float(outcomes[i]["probability"]) for i in ids])
    ci = [outcomes[i].get("ci95") for i in ids]
    lower = np.array([p_ - c[0] if c else 0.0 for p_, c in zip(p, ci, strict=True)])
    upper = np.array([c[1] - p_ if c else 0.0 for p_, c in zip(p, ci, strict=True)])
    xerr = np.clip(np.vstack([lower, upper]), 0.0, None)

    ax.barh(y, p, height=0.6, color="#4C72B0", alpha=0.85)
    ax.errorbar(p, y, xerr=xerr, fmt="none", ecolor="0.15", elinewidth=1.2, capsize=3)
    ax.set_ylim(n - 0.5, -0.5)  # first outcome on top
    ax.set_yticks(y, labels=labels)
    ax.tick_params(axis="y", length=0)

    right = ax.secondary_yaxis("right")
    right.set_yticks(y, labels=[_value_text(outcomes[i], p_) for i, p_ in zip(ids, p, strict=True)])
    right.tick_params(axis="y", length=0)
    right.spines["right"].set_visible(False)
    return ax


def _value_text(outcome: Mapping[str, Any], p: float) -> str:
    words = outcome.get("words") or estimative_words(p)
    return f"{format_probability(p)}  {words}"
