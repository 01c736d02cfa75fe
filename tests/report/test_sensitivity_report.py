"""Sensitivity reports (tornado, Sobol) and the importance and spread sections of a report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.errors import SimError
from sim.plots import (
    plot_importance,
    plot_sobol,
    plot_spread,
    plot_tornado,
    plot_tornado_grid,
    save_figure,
)
from sim.report import render_report
from sim.report.sensitivity import render_sensitivity
from tests.report.helpers import sample_summary, write_results_folder

ARABIC_LABEL = "احتمال حدوث فراغ أمني خلال عام"
LONG_LABEL = (
    "Chance that Washington re-engages within six months of a security vacuum after the full "
    "withdrawal of its forces"
)

PARAMETERS = {
    "vacuum_risk": {
        "label": ARABIC_LABEL,
        "value": "3% to 10%",
        "kind": "probability",
        "p10": 0.035,
        "p90": 0.09,
    },
    "reengage_risk": {
        "label": LONG_LABEL,
        "value": "15% to 45%",
        "kind": "probability",
        "p10": 0.17,
        "p90": 0.41,
    },
    "e.modifiers.0": {
        "label": "e.modifiers.0 (2 to 5)",
        "value": "2 to 5",
        "kind": "number",
        "p10": 2.2,
        "p90": 4.5,
    },
}


def _tornado_rows(base: float, swings: dict[str, tuple[float, float]]) -> list[dict]:
    rows = [
        {"parameter": name, "score": abs(high - low), "low": low, "high": high, "base": base}
        for name, (low, high) in swings.items()
    ]
    return sorted(rows, key=lambda r: -r["score"])


def _tornado() -> dict:
    return {
        "method": "tornado",
        "scenario": "demo",
        "variant": "base",
        "title": "US withdrawal <demo>",
        "seed": 7,
        "engine": "fast",
        "settings": {
            "runs_per_setting": 2000,
            "settings": 7,
            "low_quantile": 0.1,
            "high_quantile": 0.9,
            "others": "left random (their own per-run draws), common random numbers",
        },
        "parameters": PARAMETERS,
        "outcome_labels": {"vacuum": "Security vacuum", "reengaged": "US re-engaged"},
        "outcomes": {
            "vacuum": _tornado_rows(
                0.2,
                {
                    "vacuum_risk": (0.12, 0.31),
                    "reengage_risk": (0.22, 0.18),  # higher value -> less likely
                    "e.modifiers.0": (0.195, 0.205),
                },
            ),
            "reengaged": _tornado_rows(
                0.14,
                {
                    "vacuum_risk": (0.1, 0.19),
                    "reengage_risk": (0.09, 0.2),
                    "e.modifiers.0": (0.15, 0.16),  # both ends above the base
                },
            ),
        },
    }


def _sobol() -> dict:
    def row(name: str, st: float, s1: float) -> dict:
        return {
            "parameter": name,
            "score": st,
            "ST": st,
            "ST_conf": 0.05,
            "S1": s1,
            "S1_conf": 0.07,
        }

    data = _tornado()
    data["method"] = "sobol"
    data["settings"] = {
        "runs_per_sample": 400,
        "samples": 64,
        "rows": 320,
        "sampler": "SALib sobol (Saltelli) over quantile levels",
    }
    data["outcomes"] = {
        "vacuum": [
            row("vacuum_risk", 0.81, 0.74),
            row("reengage_risk", 0.12, -0.02),
            row("e.modifiers.0", 0.01, 0.0),
        ],
        "reengaged": [
            row("reengage_risk", 0.55, 0.5),
            row("vacuum_risk", 1.08, 0.9),  # noisy: above 1, and out of file order
            row("e.modifiers.0", 0.0, 0.0),
        ],
    }
    return data


def _write(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sensitivity.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return folder


def _page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# render_sensitivity


@pytest.mark.parametrize(("data", "stem"), [(_tornado(), "tornado"), (_sobol(), "sobol")])
def test_writes_the_chart_and_a_self_contained_page(tmp_path, data, stem):
    folder = _write(tmp_path / stem, data)
    written = render_sensitivity(folder)
    assert written == [folder / f"{stem}.png", folder / f"{stem}.svg", folder / "report.html"]
    png = (folder / f"{stem}.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert (folder / f"{stem}.svg").read_text(encoding="utf-8").rstrip().endswith("</svg>")
    page = _page(folder)
    assert page.startswith("<!DOCTYPE html>")
    assert ARABIC_LABEL in page and 'dir="auto"' in page
    assert LONG_LABEL in page and "3% to 10%" in page and "<code>vacuum_risk</code>" in page
    assert "US withdrawal &lt;demo&gt;" in page and "<demo>" not in page
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/png;base64,")
    assert re.findall(r'\bhref="([^"]*)"', page) == ["sensitivity.json"]
    assert "<script" not in page.lower() and "<link" not in page.lower()


def test_tornado_page_explains_the_method_and_ranks_by_swing(tmp_path):
    folder = _write(tmp_path / "t", _tornado())
    render_sensitivity(folder)
    page = _page(folder)
    assert "10th and then its 90th percentile" in page and "common random numbers" in page
    assert "Probability with every value random: <strong>20.0%</strong>" in page
    assert "19.0 pts" in page and "12.0%" in page and "31.0%" in page
    assert "value 3.5%" in page and "value 2.2" in page  # the value at each percentile
    assert "2,000" in page and "10th" in page  # settings
    # Ranking in the "reengaged" table: reengage_risk (11 pts) before vacuum_risk (9 pts).
    table = page[page.index("<h3") :]
    table = table[table.index("US re-engaged") :]
    assert table.index("reengage_risk") < table.index("<code>vacuum_risk</code>")


def test_sobol_page_shows_both_indices_with_intervals(tmp_path):
    folder = _write(tmp_path / "s", _sobol())
    render_sensitivity(folder)
    page = _page(folder)
    assert "Saltelli" in page and "total-order index ST" in page
    assert "0.81" in page and "\u00b1 0.05" in page and "\u00b1 0.07" in page
    assert "\u22120.02" in page  # a negative S1 is shown, with a true minus sign
    table = page[page.index("<h3") :]
    table = table[table.index("US re-engaged") :]
    assert table.index("<code>vacuum_risk</code>") < table.index("reengage_risk")  # by ST


def test_long_tables_fold_the_tail(tmp_path):
    data = _tornado()
    names = [f"p{k}" for k in range(14)]
    data["parameters"] = {n: {"label": f"Value {n}", "value": "1 to 2"} for n in names}
    data["outcomes"] = {
        "vacuum": _tornado_rows(
            0.5, {n: (0.5 - k / 100, 0.5 + k / 100) for k, n in enumerate(names)}
        )
    }
    folder = _write(tmp_path / "long", data)
    render_sensitivity(folder)
    page = _page(folder)
    assert "Show the other 4 values" in page
    assert page.count("<code>p") == 14


def test_rendering_twice_gives_the_same_files(tmp_path):
    folder = _write(tmp_path / "t", _tornado())
    first = {p.name: p.read_bytes() for p in render_sensitivity(folder)}
    second = {p.name: p.read_bytes() for p in render_sensitivity(folder)}
    assert first == second


def _broken(mutate) -> dict:
    data = _tornado()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (_broken(lambda d: d.update(method="morris")), "'method' must be 'tornado' or 'sobol'"),
        (_broken(lambda d: d.update(outcomes=[1])), "'outcomes' must be an object"),
        (_broken(lambda d: d["outcomes"].update(vacuum={})), "outcomes.vacuum must be a list"),
        (_broken(lambda d: d["outcomes"]["vacuum"][0].pop("low")), r"vacuum\[0\]\.low"),
        (_broken(lambda d: d["outcomes"]["vacuum"][1].update(high=1.5)), r"in \[0, 1\]"),
        (_broken(lambda d: d["outcomes"]["vacuum"][0].update(parameter=3)), "parameter"),
        (_broken(lambda d: d.update(parameters=[])), "'parameters' must be an object"),
        (
            {**_sobol(), "outcomes": {"o": [{"parameter": "p", "S1": 0.1}]}},
            r"o\[0\]\.ST must be a number",
        ),
        (
            {**_sobol(), "outcomes": {"o": [{"parameter": "p", "ST": "big", "S1": 0.1}]}},
            "got 'big'",
        ),
    ],
)
def test_malformed_sensitivity_raises_sim_error(tmp_path, content, message):
    if isinstance(content, dict):
        content = json.dumps(content)
    if content is not None:
        (tmp_path / "sensitivity.json").write_text(content, encoding="utf-8")
    with pytest.raises(SimError, match=message):
        render_sensitivity(tmp_path)
    assert not (tmp_path / "report.html").exists()


# --------------------------------------------------------------------------------------------
# Chart functions


def test_tornado_bars_are_sorted_with_the_largest_swing_on_top(tmp_path):
    data = _tornado()
    entries = list(reversed(data["outcomes"]["reengaged"]))  # the order given does not matter
    ax = plot_tornado(entries, labels=data["parameters"])
    assert isinstance(ax, Axes)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0].startswith("Chance that Washington")  # swing 11 pts, on top
    assert ARABIC_LABEL in ticks[1] and ticks[2].startswith("e: modifier 1")
    assert all(len(line) <= 44 for line in ticks[0].split("\n")) and "\n" in ticks[0]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first row on top
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["value at its 10th percentile", "at its 90th percentile"]
    lo, hi = ax.get_xlim()
    assert lo <= 0.09 and hi >= 0.2  # every bar end is inside the axes
    png, _ = save_figure(ax.get_figure(), tmp_path, "tornado")
    assert png.stat().st_size > 0


def test_tornado_top_and_given_axes(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    entries = _tornado()["outcomes"]["vacuum"]
    assert plot_tornado(entries, ax=axes[0], top=2) is axes[0]
    assert len(axes[0].get_yticklabels()) == 2
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["vacuum_risk", "reengage_risk"]
    assert plot_spread({"o": {"probability": 0.2}}, ax=axes[1]) is axes[1]  # no spread: empty
    save_figure(fig, tmp_path, "pair")
    assert not plt.fignum_exists(fig.number)


def test_grid_and_sobol_figures_grow_with_the_outcomes(tmp_path):
    one = _tornado()
    one["outcomes"] = {"vacuum": one["outcomes"]["vacuum"]}
    small, large = plot_tornado_grid(one), plot_tornado_grid(_tornado())
    assert isinstance(large, Figure) and len(large.axes) >= 2
    assert large.get_figheight() > 1.5 * small.get_figheight()
    titles = [ax.get_title(loc="left") for ax in large.axes if ax.get_title(loc="left")]
    assert titles[0].startswith("Security vacuum") and "20.0%" in titles[0]
    sobol = plot_sobol(_sobol())
    lo, hi = sobol.axes[0].get_xlim()
    assert lo < 0 and hi > 1.08  # the noisy index above 1 and its interval are visible
    for fig, stem in ((small, "a"), (large, "b"), (sobol, "c")):
        save_figure(fig, tmp_path, stem)


def test_importance_panels_are_signed_and_ranked_by_size(tmp_path):
    importance = {
        "vacuum": [
            {"parameter": "reengage_risk", "rho": -0.05},
            {"parameter": "vacuum_risk", "rho": 0.2},
            {"parameter": "e.modifiers.0", "rho": 0.001},
        ]
    }
    fig = plot_importance(importance, PARAMETERS, {"vacuum": {"label": "V"}}, top=2, chance=0.02)
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 2 and ARABIC_LABEL in ticks[0]
    widths = [p.get_width() for p in ax.patches if p.get_height() < 1]
    assert widths[:2] == [0.2, -0.05]
    lo, hi = ax.get_xlim()
    assert lo == -hi and hi > 0.2
    save_figure(fig, tmp_path, "imp")


# --------------------------------------------------------------------------------------------
# render_report: importance and spread


def _spread(p: float) -> dict:
    return {
        "median": p,
        "p10": max(p - 0.08, 0.0),
        "p90": min(p + 0.09, 1.0),
        "parameter_sd": 0.0612,
        "noise_sd": 0.0151,
        "draws": 40,
        "runs_per_draw": 250,
    }


def _with_importance(spread: bool) -> dict:
    summary = sample_summary()
    summary["runs"] = 10_000
    summary["parameters"] = {
        k: {"label": v["label"], "value": v["value"]} for k, v in PARAMETERS.items()
    }
    summary["importance"] = {
        "security_vacuum": [
            {"parameter": "vacuum_risk", "rho": 0.31},
            {"parameter": "reengage_risk", "rho": -0.04},
        ],
        "us_reengaged": [
            {"parameter": "reengage_risk", "rho": 0.22},
            {"parameter": "vacuum_risk", "rho": 0.1},
        ],
    }
    if spread:
        summary["parameter_draws"] = 40
        for outcome in summary["outcomes"].values():
            outcome["spread"] = _spread(outcome["probability"])
    return summary


def test_report_with_importance_and_spread(tmp_path):
    folder = write_results_folder(tmp_path / "r", _with_importance(spread=True))
    written = render_report(folder)
    for stem in ("importance", "spread"):
        assert folder / f"{stem}.png" in written and folder / f"{stem}.svg" in written
        assert (folder / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
    assert written[-1] == folder / "report.html"
    page = _page(folder)
    assert '<section id="importance">' in page and "Which assumptions matter" in page
    assert "rank (Spearman) correlation" in page and "no extra runs" in page
    assert '<section id="spread">' in page and "law of total variance" in page
    assert "p(1 \u2212 p)/m" in page
    assert "6.1 pts" in page and "1.5 pts" in page  # parameter sd, noise sd
    assert "23.0%\u201340.0%" in page  # p10-p90 of security_vacuum (0.31)
    assert page.count("data:image/png;base64,") == 6
    assert "<code>sim sensitivity FILE --method tornado</code>" in page


def test_report_with_importance_only(tmp_path):
    folder = write_results_folder(tmp_path / "r", _with_importance(spread=False))
    written = render_report(folder)
    assert folder / "importance.png" in written and folder / "spread.png" not in written
    page = _page(folder)
    assert "Which assumptions matter" in page and '<section id="spread">' not in page
    assert "2/\u221aN = 0.020" in page  # 10,000 runs


def test_empty_importance_adds_nothing(tmp_path):
    summary = sample_summary()
    summary["importance"] = {}
    folder = write_results_folder(tmp_path / "r", summary)
    written = render_report(folder)
    assert folder / "importance.png" not in written
    assert "Which assumptions matter" not in _page(folder)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda s: s.update(importance=[1]), "'importance' must be an object"),
        (lambda s: s["importance"].update(security_vacuum=3), "must be a list"),
        (lambda s: s["importance"]["us_reengaged"][0].update(rho=2), r"rho must be .*\[-1, 1\]"),
        (lambda s: s["outcomes"]["security_vacuum"].update(spread=5), "spread must be an object"),
        (lambda s: s["outcomes"]["security_vacuum"]["spread"].pop("p90"), r"spread\.p90"),
    ],
)
def test_malformed_importance_or_spread_raises_sim_error(tmp_path, mutate, message):
    summary = _with_importance(spread=True)
    mutate(summary)
    folder = write_results_folder(tmp_path / "r", summary)
    with pytest.raises(SimError, match=message):
        render_report(folder)
