"""Render a sensitivity analysis: the chart and ``report.html`` of a sensitivity folder.

Reads ``sensitivity.json`` alone (written by ``sim sensitivity FILE --method tornado|sobol``).
The HTML follows :mod:`sim.report.render`: one file with no external resources (inline CSS, the
PNG chart as a ``data:`` URI), every piece of text from the analysis escaped and isolated for
bidirectional display. Its only link is a relative one to ``sensitivity.json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.contracts import read_sensitivity
from sim.plots import plot_sobol, plot_tornado_grid
from sim.report import html as h

__all__ = ["OUTCOMES_PER_CHART", "TORNADO_TOP", "render_sensitivity"]

OUTCOMES_PER_CHART = 2  # panels per chart, so each fits a slide (about 1600x1800 px)
TORNADO_TOP = 8  # values per tornado panel; every value is in the outcome's table
_SHOWN = 10  # rows of each outcome's table shown before the "show the others" fold
_EXPLAIN = {
    "tornado": (
        "Each uncertain value in turn is set to its 10th and then its 90th percentile while "
        "every other value is left random, and the scenario is run again each time on the same "
        "random numbers (common random numbers), so the difference comes from that value "
        "alone. Its score is the swing |p(90th) \u2212 p(10th)|: how far the outcome's "
        "probability moves, in percentage points, across the middle 80% of what the value "
        "could plausibly be."
    ),
    "sobol": (
        "Every uncertain value is varied at once over its whole range with Saltelli's sampling "
        "scheme (a batch of runs per sample, on common random numbers), and the variance of "
        "each outcome's probability is split among the values. Its score is the total-order "
        "index ST: the share of that variance due to the value, including its interactions "
        "with the others; the first-order index S1 is the share due to it alone."
    ),
}

_READ = {
    "tornado": (
        "Reading the chart: bars are sorted by swing, largest on top; the vertical line is the "
        "probability with every value random. The blue end is the probability with the value "
        "at its 10th percentile, the orange end at its 90th: orange to the right means a "
        "higher value makes the outcome more likely. A short bar means the value hardly "
        "matters for that outcome; each outcome's table says below what swing Monte Carlo "
        "noise alone could explain it."
    ),
    "sobol": (
        "Reading the chart: for each outcome the values with the largest ST, largest on top, "
        "dark bar ST, light bar S1, with 95% bootstrap intervals. ST much larger than S1 means "
        "the value matters mostly through interactions. Indices below 0 or above 1 and "
        "intervals as wide as the index are sampling noise: rerun with a larger --samples "
        "(and --runs) before trusting the ranking beyond the first few values."
    ),
}


def render_sensitivity(
    folder: Path, progress: Callable[[int, int, str], None] | None = None
) -> list[Path]:
    """Write the chart and ``report.html`` of the sensitivity folder `folder` into it.

    Writes ``tornado.png``/``.svg`` (method ``tornado``: one tornado panel per outcome, see
    :func:`sim.plots.plot_tornado_grid`) or ``sobol.png``/``.svg`` (method ``sobol``: see
    :func:`sim.plots.plot_sobol`), then ``report.html``: the method explained, a table per
    outcome of the uncertain values ranked by their score, the chart and the settings.
    Files of those names are replaced. The chart shows :data:`OUTCOMES_PER_CHART` outcomes
    (and at most :data:`TORNADO_TOP` tornado bars each); further outcomes go to
    ``tornado_2.png`` (``sobol_2.png``), ``tornado_3.png``, ..., so each fits a slide.

    Parameters
    ----------
    folder : pathlib.Path
        A folder holding ``sensitivity.json``.
    progress : callable(done, total, name), optional
        Called before the first chart (``done`` 0, ``name`` "") and after each chart is
        saved, with the number of charts saved, the number to draw and the chart's name
        (:data:`sim.report.charts.ChartProgress`).

    Returns
    -------
    list of pathlib.Path
        The files written: each chart's PNG and SVG, then ``report.html``.

    Raises
    ------
    sim.errors.SimError
        If ``sensitivity.json`` is missing, is not JSON, or does not have the layout of a
        sensitivity analysis (``method`` tornado or sobol; ``outcomes``: outcome id -> list of
        entries, each naming its ``parameter`` and holding the numbers of its method:
        ``low``, ``high`` and ``base`` in [0, 1] for a tornado, ``ST`` and ``S1`` for Sobol).
    """
    folder = Path(folder)
    data = read_sensitivity(folder / "sensitivity.json")
    method = data["method"]
    written: list[Path] = []
    charts: dict[str, Path | None] = {}
    order = list(data["outcomes"])
    pages = range(0, max(len(order), 1), OUTCOMES_PER_CHART)
    if progress is not None:
        progress(0, len(pages), "")
    for k in pages:
        part = {
            **data,
            "outcomes": {o: data["outcomes"][o] for o in order[k : k + OUTCOMES_PER_CHART]},
        }
        tornado = method == "tornado"
        fig = plot_tornado_grid(part, top=TORNADO_TOP) if tornado else plot_sobol(part)
        stem = method if k == 0 else f"{method}_{k // OUTCOMES_PER_CHART + 1}"
        charts[stem] = h.save_chart(fig, folder, stem, written)
        if progress is not None:
            progress(k // OUTCOMES_PER_CHART + 1, len(pages), stem)
    page = folder / "report.html"
    page.write_text(_page(data, charts), encoding="utf-8")
    written.append(page)
    return written


# --------------------------------------------------------------------------------------------
# Reading


# --------------------------------------------------------------------------------------------
# HTML


def _figure(charts: Mapping[str, Path | None], name: str, caption: str) -> str:
    return h.figures(charts, name, caption, "")


def _page(data: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    method = data["method"]
    title = data.get("title") or data.get("scenario") or "Sensitivity analysis"
    name = "tornado" if method == "tornado" else "Sobol indices"
    body = [
        _header(data, title, name),
        _overview_section(data),
        _outcomes_section(data),
        _chart_section(data, charts),
        _settings_section(data),
    ]
    return h.document(f"{title}: sensitivity ({name})", h.CSS + _EXTRA_CSS, body)


def _header(data: Mapping[str, Any], title: str, name: str) -> str:
    meta = [
        f"scenario <code>{h.escape(data.get('scenario', h.DASH))}</code>",
        f"variant <code>{h.escape(data.get('variant') or 'base')}</code>",
        f"{len(data.get('parameters') or {}) or h.DASH} uncertain values",
        f"{len(data['outcomes'])} outcomes",
    ]
    return "\n".join(
        [
            "<header>",
            f'<h1 dir="auto">{h.escape(title)}</h1>',
            f'<p class="subtitle">Which assumptions drive each outcome: {h.escape(name)}</p>',
            f'<p class="meta">{h.DOT.join(meta)}</p>',
            f'<p class="description">{h.escape(_EXPLAIN[data["method"]])}</p>',
            _given(data),
            "</header>",
        ]
    )


def _given(data: Mapping[str, Any]) -> str:
    """The line that says what the probabilities are conditioned on, with evidence."""
    ev = data.get("evidence")
    if not ev:
        return ""
    whats = "; ".join(
        f"{i.get('date')}: {i.get('when')}{' (at any time)' if i.get('ever') else ''} "
        f"{'seen' if i.get('observed') else 'not seen'}"
        for i in ev.get("items") or []
    )
    return (
        f'<p class="note" dir="auto">Given what has been observed: every probability here is '
        f"conditioned on {ev.get('observations')} observation"
        f"{'' if ev.get('observations') == 1 else 's'} to {h.escape(str(ev.get('as_of')))} "
        f"({h.escape(whats)}).</p>"
    )


def _overview_section(data: Mapping[str, Any]) -> str:
    """The three strongest drivers of every outcome, on one table."""
    rows = []
    for oid, entries in data["outcomes"].items():
        cells = [f'<td dir="auto">{h.escape(_outcome_name(data, oid))}</td>']
        for entry in _ranked(entries)[:3]:
            cells.append(
                f'<td dir="auto">{h.escape(_param_name(data, entry["parameter"]))}'
                f'<br><span class="ci">{_score_text(data, entry)}</span></td>'
            )
        cells += ["<td></td>"] * (4 - len(cells))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    score = (
        "swing in percentage points"
        if data["method"] == "tornado"
        else "total-order Sobol index ST"
    )
    return "\n".join(
        [
            '<section id="overview">',
            "<h2>Strongest drivers</h2>",
            h.table(["Outcome", "1st", "2nd", "3rd"], rows),
            f'<p class="note">Under each value: its score ({h.escape(score)}). Every value is '
            "ranked for every outcome below.</p>",
            "</section>",
        ]
    )


def _outcomes_section(data: Mapping[str, Any]) -> str:
    tornado = data["method"] == "tornado"
    if tornado:
        head = [
            "#",
            "Name",
            "Label",
            "Range as written",
            "Swing",
            "At its 10th percentile",
            "At its 90th percentile",
        ]
    else:
        head = ["#", "Name", "Label", "Range as written", "Total order ST", "First order S1"]
    blocks = []
    for oid, entries in data["outcomes"].items():
        ranked = _ranked(entries)
        rows = [_row(data, rank, entry) for rank, entry in enumerate(ranked, start=1)]
        intro = ""
        if tornado and ranked:
            intro = (
                '<p class="note">Probability with every value random: '
                f"<strong>{h.pct(ranked[0]['base'])}</strong>.{_noise_text(data, ranked[0])}</p>"
            )
        block = [f'<h3 dir="auto">{h.escape(_outcome_name(data, oid))}</h3>', intro]
        if not rows:
            block.append('<p class="muted">No uncertain values.</p>')
        else:
            block.append(h.table(head, rows[:_SHOWN]))
            if len(rows) > _SHOWN:
                rest = len(rows) - _SHOWN
                block.append(
                    f"<details><summary>Show the other {rest} value{'s' if rest > 1 else ''}"
                    f"</summary>{h.table(head, rows[_SHOWN:])}</details>"
                )
        blocks.append('<div class="outcome">' + "\n".join(b for b in block if b) + "</div>")
    if tornado:
        note = (
            "Swing: |p(90th) \u2212 p(10th)| in percentage points. The two right columns give "
            "the outcome's probability with the value fixed at its 10th or 90th percentile "
            "(the value itself underneath)."
        )
    else:
        note = (
            "ST: share of the variance of the outcome's probability due to the value, "
            "interactions included; S1: due to the value alone. \u00b1: 95% bootstrap "
            "confidence half-width."
        )
    return "\n".join(
        [
            '<section id="outcomes">',
            "<h2>Ranking by outcome</h2>",
            f'<p class="note">{h.escape(note)}</p>',
            *blocks,
            "</section>",
        ]
    )


def _row(data: Mapping[str, Any], rank: int, entry: Mapping[str, Any]) -> str:
    name = entry["parameter"]
    meta = (data.get("parameters") or {}).get(name) or {}
    label = h.label(meta, "")
    cells = [
        f'<td class="num">{rank}</td>',
        f"<td><code>{h.escape(name)}</code></td>",
        f'<td dir="auto">{h.escape(label) if label else h.DASH}</td>',
        f'<td dir="auto">{h.or_dash(meta.get("value"))}</td>',
    ]
    if data["method"] == "tornado":
        cells += [
            f'<td class="num"><strong>{_points(_score(entry))}</strong></td>',
            f'<td class="num">{h.pct(entry["low"])}{_at(meta, "p10")}</td>',
            f'<td class="num">{h.pct(entry["high"])}{_at(meta, "p90")}</td>',
        ]
    else:
        cells += [
            f'<td class="num"><strong>{_index(entry, "ST")}</strong></td>',
            f'<td class="num">{_index(entry, "S1")}</td>',
        ]
    return "<tr>" + "".join(cells) + "</tr>"


def _chart_section(data: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    method = data["method"]
    caption = (
        "Tornado chart: each outcome's probability with each uncertain value at its 10th "
        "(blue) and 90th (orange) percentile; the 10 largest swings per outcome"
        if method == "tornado"
        else "Sobol indices: total order ST (dark) and first order S1 (light) with 95% "
        "intervals; the 10 values with the largest ST per outcome"
    )
    return "\n".join(
        [
            '<section id="chart">',
            "<h2>Chart</h2>",
            f'<p class="note">{h.escape(_READ[method])}</p>',
            _figure(charts, method, caption),
            "</section>",
        ]
    )


def _settings_section(data: Mapping[str, Any]) -> str:
    s: Mapping[str, Any] = data.get("settings") or {}
    known = {
        "runs_per_setting": "Runs per setting",
        "settings": "Settings run (base + 2 per value)",
        "low_quantile": "Low percentile",
        "high_quantile": "High percentile",
        "others": "Other values",
        "runs_per_sample": "Runs per sample",
        "samples": "Saltelli base samples",
        "rows": "Sample rows (samples \u00d7 (values + 2))",
        "sampler": "Sampler",
        "jobs": "Worker processes",
        "scheduler": "Dask scheduler",
        "version": "sim version",
        "elapsed_seconds": "Elapsed",
        "created": "Created",
    }
    items = [
        ("Method", h.escape(data["method"])),
        ("Scenario", f"<code>{h.escape(data.get('scenario', h.DASH))}</code>"),
        ("Variant", f"<code>{h.escape(data.get('variant') or 'base')}</code>"),
        ("Seed", h.or_dash(data.get("seed"))),
        ("Engine", h.or_dash(data.get("engine"))),
    ]
    for key, value in s.items():
        if key in ("low_quantile", "high_quantile") and h.is_number(value):
            text = f"{value * 100:g}th"
        elif key == "elapsed_seconds" and h.is_number(value):
            text = f"{float(value):.1f} s"
        elif isinstance(value, int) and not isinstance(value, bool):
            text = f"{value:,}"
        else:
            text = h.DASH if value is None or value == "" else str(value)
        items.append((known.get(key, key.replace("_", " ").capitalize()), h.escape(text)))
    items.append(("Data", '<a href="sensitivity.json">sensitivity.json</a>'))
    note = (
        '<p class="note">Only uncertain values (named parameters and unnamed ranges such as '
        "<code>3% to 10%</code>) are varied. Waiting times under <code>after</code> are "
        "chance, not ignorance, and stay random.</p>"
    )
    return h.settings_section(items, "Settings", note)


# --------------------------------------------------------------------------------------------
# Formatting


def _ranked(entries: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Entries by decreasing score, file order among ties (the file is normally sorted)."""
    order = sorted(range(len(entries)), key=lambda i: (-_score(entries[i]), i))
    return [entries[i] for i in order]


def _score(entry: Mapping[str, Any]) -> float:
    if h.is_number(entry.get("score")):
        return float(entry["score"])
    if "ST" in entry:
        return float(entry["ST"])
    return abs(float(entry["high"]) - float(entry["low"]))


def _score_text(data: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    if data["method"] == "tornado":
        return f"swing {_points(_score(entry))}"
    return f"ST {_number(entry['ST'])}"


def _noise_text(data: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    """Swing that Monte Carlo noise alone could reach, from the runs per setting."""
    runs = (data.get("settings") or {}).get("runs_per_setting")
    if not h.is_number(runs) or runs < 1:
        return ""
    n = runs
    effective = (data.get("evidence") or {}).get("effective_runs")
    if h.is_number(effective) and effective > 0:  # given evidence: the effective runs
        n = effective
    p = float(entry["base"])
    bound = 1.96 * math.sqrt(2 * p * (1 - p) / n)
    runs_text = f"{int(runs):,} runs per setting" + (
        f" ({n:,.0f} effective given the evidence)" if n != runs else ""
    )
    return (
        f" With {runs_text}, a swing below about {_points(bound)} could be "
        "Monte Carlo noise (a bound for independent runs; common random numbers make the "
        "noise smaller, most for values that matter little)."
    )


def _outcome_name(data: Mapping[str, Any], oid: str) -> str:
    return h.label((data.get("outcome_labels") or {}).get(oid), oid)


def _param_name(data: Mapping[str, Any], name: str) -> str:
    return h.label((data.get("parameters") or {}).get(name), name)


def _points(share: float) -> str:
    return f"{share * 100:.1f} pts"


def _number(value: Any) -> str:
    return f"{float(value):.2f}".replace("-", h.MINUS)


def _index(entry: Mapping[str, Any], key: str) -> str:
    text = _number(entry[key])
    conf = entry.get(f"{key}_conf")
    if h.is_number(conf):
        text += f' <span class="ci">\u00b1 {abs(float(conf)):.2f}</span>'
    return text


def _at(meta: Mapping[str, Any], key: str) -> str:
    """The parameter's value at a percentile, under the probability, when known."""
    value = meta.get(key)
    if not h.is_number(value):
        return ""
    text = f"{value * 100:.3g}%" if meta.get("kind") == "probability" else f"{value:.3g}"
    return f'<br><span class="ci">value {h.escape(text)}</span>'


_EXTRA_CSS = """
.subtitle { margin: 0; font-size: 1.05rem; color: #5b6475; }
.outcome { margin-top: 1.4rem; }
details summary { cursor: pointer; color: #2452a4; font-size: 0.9rem; margin: 0.2rem 0; }
thead th { vertical-align: bottom; }
"""
