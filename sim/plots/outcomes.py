"""Outcome probabilities as horizontal bars with their 95% Wilson intervals and, when the
summary has them, their spreads across the assumptions (``outcomes.<id>.spread``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from sim.analysis.words import estimative_words, format_probability
from sim.plots.style import SPREAD_COLOR, label_of, new_axes, percent_axis, styled, wrap

__all__ = ["plot_outcomes"]


@styled
def plot_outcomes(outcomes: Mapping[str, Mapping[str, Any]], *, ax: Axes | None = None) -> Axes:
    """Horizontal bar of each outcome's probability, with its 95% Wilson interval.

    Outcomes are drawn top to bottom in the order given (file order). The left axis names each
    outcome (its label, else its id); the right axis gives the probability as a percentage and
    its ICD 203 words. With evidence (an outcome has ``prior_probability``), the bar is the
    probability given the evidence and a hollow grey diamond marks the probability before it;
    an outcome whose ``probability`` is null (a variant ruled out by the evidence) has no bar
    and reads "ruled out". An outcome with a ``spread`` also gets a thick orange line from its
    ``p10`` to its ``p90`` just below the whisker (the probability's 80% range across draws of
    the uncertain values), and a legend tells the two ranges apart: "Monte Carlo 95%" (which
    more runs shrink) and "across the assumptions, 80%" (which they do not).

    Parameters
    ----------
    outcomes : mapping of str to mapping
        ``summary.json["outcomes"]``: outcome id -> ``{"label", "probability", "ci95",
        "words", "prior_probability", "spread"}``. ``probability`` is required (a float in [0, 1], or
        null when ruled out by the evidence); ``ci95`` (``[low, high]``)
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
    ax = new_axes(ax, 8.0, 1.3 + 0.2 * _has_prior(outcomes) + max(rows, 0.45))
    ax.set_title(_title(outcomes), loc="left")
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
    raw = [outcomes[i]["probability"] for i in ids]
    p = np.array([np.nan if v is None else float(v) for v in raw])
    ci = [outcomes[i].get("ci95") for i in ids]
    lower = np.array([p_ - c[0] if c else 0.0 for p_, c in zip(p, ci, strict=True)])
    upper = np.array([c[1] - p_ if c else 0.0 for p_, c in zip(p, ci, strict=True)])
    xerr = np.clip(np.nan_to_num(np.vstack([lower, upper])), 0.0, None)

    shown = ~np.isnan(p)
    ax.barh(y[shown], p[shown], height=0.6, color="#4C72B0", alpha=0.85)
    ax.errorbar(
        p[shown], y[shown], xerr=xerr[:, shown], fmt="none", ecolor="0.15", elinewidth=1.2,
        capsize=3,
    )  # fmt: skip
    if _has_prior(outcomes):
        _prior_markers(ax, outcomes, ids)
    if _has_spread(outcomes):
        _spread_ranges(ax, outcomes, ids)
    ax.set_ylim(n - 0.5, -0.5)  # first outcome on top
    ax.set_yticks(y, labels=labels)
    ax.tick_params(axis="y", length=0)

    right = ax.secondary_yaxis("right")
    right.set_yticks(y, labels=[_value_text(outcomes[i], p_) for i, p_ in zip(ids, p, strict=True)])
    right.tick_params(axis="y", length=0)
    right.spines["right"].set_visible(False)
    return ax


def _title(outcomes: Mapping[str, Mapping[str, Any]]) -> str:
    """The chart's title: what the bars are and, without a legend, what the marks are."""
    prior = _has_prior(outcomes)
    if _has_spread(outcomes):  # the legend names the ranges and the diamond
        return "Outcome probabilities given the evidence" if prior else "Outcome probabilities"
    if prior:
        return (
            "Outcome probabilities given the evidence\n"
            "(error bars: 95% Wilson interval; \u25c7 before the evidence)"
        )
    return "Outcome probabilities (error bars: 95% Wilson interval)"


def _has_prior(outcomes: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(o.get("prior_probability") is not None for o in outcomes.values())


def _has_spread(outcomes: Mapping[str, Mapping[str, Any]]) -> bool:
    return any(
        isinstance(o.get("spread"), Mapping) and o.get("probability") is not None
        for o in outcomes.values()
    )


def _spread_ranges(ax: Axes, outcomes: Mapping[str, Mapping[str, Any]], ids: list[str]) -> None:
    """Each outcome's 80% range across the assumptions (spread p10 to p90) as a thick orange
    line below its Wilson whisker, and a legend naming both ranges (under the axes)."""
    from matplotlib.lines import Line2D

    for k, oid in enumerate(ids):
        sp = outcomes[oid].get("spread")
        if not isinstance(sp, Mapping) or outcomes[oid].get("probability") is None:
            continue
        ax.plot(
            [float(sp["p10"]), float(sp["p90"])], [k + 0.2, k + 0.2], color=SPREAD_COLOR,
            linewidth=4, solid_capstyle="butt",
        )  # fmt: skip
    handles = [
        Line2D([], [], color="0.15", linewidth=1.2, marker="|", markersize=8),
        Line2D([], [], color=SPREAD_COLOR, linewidth=4),
    ]
    names = ["Monte Carlo 95% (Wilson)", "across the assumptions, 80%"]
    if _has_prior(outcomes):
        handles.append(Line2D([], [], linestyle="none", marker="D", markerfacecolor="white",
                              markeredgecolor="0.25"))  # fmt: skip
        names.append("before the evidence")
    inches = ax.get_position().height * ax.figure.get_figheight()  # the axes' height
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.62 / inches),
              ncol=len(names), frameon=False, fontsize="small")  # fmt: skip


def _prior_markers(ax: Axes, outcomes: Mapping[str, Mapping[str, Any]], ids: list[str]) -> None:
    """A hollow diamond at each outcome's probability before the evidence."""
    rows = [(k, outcomes[i].get("prior_probability")) for k, i in enumerate(ids)]
    rows = [(k, float(v)) for k, v in rows if v is not None]
    ax.plot(
        [v for _, v in rows], [k for k, _ in rows], linestyle="none", marker="D", markersize=7,
        markerfacecolor="white", markeredgecolor="0.25", markeredgewidth=1.4,
    )  # fmt: skip


def _value_text(outcome: Mapping[str, Any], p: float) -> str:
    if np.isnan(p):
        return "ruled out"
    words = outcome.get("words") or estimative_words(p)
    return f"{format_probability(p)}  {words}"
