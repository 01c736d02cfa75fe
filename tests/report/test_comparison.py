"""The variant comparison report, its charts, and the paired interval behind the differences."""

import json
import math
import random

import pytest
from matplotlib.axes import Axes

from sim.analysis.compare import newcombe_paired_interval
from sim.errors import SimError
from sim.plots import plot_variant_differences, plot_variant_probabilities
from sim.report.comparison import render_comparison

ARABIC_OUTCOME = "فراغ أمني في نهاية 2027"
FILES = ["variants.png", "variants.svg", "differences.png", "differences.svg", "report.html"]


def _entry(p, ci, d=0.0, dci=(0.0, 0.0), changed=0, words="unlikely"):
    return {
        "probability": p,
        "ci95": list(ci),
        "words": words,
        "difference": d,
        "difference_ci95": list(dci),
        "changed_runs": changed,
    }


def _comparison() -> dict:
    return {
        "scenario": "demo",
        "title": "US withdrawal <demo>",
        "runs": 2000,
        "seed": 7,
        "engine": "fast",
        "start": "2025-08-01",
        "horizon": "2028-01-01",
        "variants": {
            "base": {"label": "Base case", "description": None},
            "stay": {"label": "US stays & helps", "description": "Troops stay <longer>."},
            "surge": {"label": "Militia surge", "description": "Militias grow faster."},
        },
        "outcomes": {
            "vacuum": {
                "label": ARABIC_OUTCOME,
                "ever": False,
                "by_variant": {
                    "base": _entry(0.3, (0.28, 0.32)),
                    "stay": _entry(0.2, (0.18, 0.22), -0.1, (-0.115, -0.085), 210),
                    "surge": _entry(0.31, (0.29, 0.33), 0.01, (-0.002, 0.022), 30),
                },
            },
            "iran": {
                "label": "Iran dominant",
                "ever": True,
                "by_variant": {
                    "base": _entry(0.1, (0.087, 0.114), words="very unlikely"),
                    "stay": _entry(0.1, (0.087, 0.114), 0.0, (-0.001, 0.001), 0),
                    "surge": _entry(0.25, (0.23, 0.27), 0.15, (0.13, 0.17), 300),
                },
            },
        },
    }


def _write(folder, data) -> None:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    (folder / "comparison.json").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Report


def test_render_writes_charts_and_self_contained_report(tmp_path):
    _write(tmp_path, _comparison())
    written = render_comparison(tmp_path)
    assert [p.name for p in written] == FILES
    for name in FILES:
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "variants.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "differences.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 2
    assert f'<td dir="auto">{ARABIC_OUTCOME}</td>' in page
    for text in ["Base case", "Iran dominant", "Militia surge", "Militias grow faster."]:
        assert text in page
    # user text is escaped
    assert "US stays &amp; helps" in page and "Troops stay &lt;longer&gt;." in page
    assert "US withdrawal &lt;demo&gt;" in page and "<demo>" not in page
    # links to each variant's own report, relative, and nothing external
    for vid in ["base", "stay", "surge"]:
        assert f'href="../{vid}/report.html"' in page
    assert "http://" not in page and "https://" not in page and "<script" not in page
    # settings, numbers and differences
    assert "<th>Runs per variant</th><td>2,000</td>" in page and "<th>Seed</th><td>7</td>" in page
    assert "common random numbers" in page.lower()
    assert "30.0%" in page and "very unlikely" in page
    assert "\u221210.0 pts" in page  # -10 points, bold: its interval excludes zero
    assert '<span class="diff sig">\u221210.0 pts</span>' in page
    assert '<span class="diff">+1.0 pts</span>' in page  # interval includes zero: not bold
    assert "\u221211.5 to \u22128.5" in page
    assert "210 runs differ" in page and "no run differs" in page


def test_render_with_base_only(tmp_path):
    data = _comparison()
    data["variants"] = {"base": data["variants"]["base"]}
    for outcome in data["outcomes"].values():
        outcome["by_variant"] = {"base": outcome["by_variant"]["base"]}
    _write(tmp_path, data)
    written = render_comparison(tmp_path)
    assert all(p.stat().st_size > 0 for p in written)
    assert 'href="../base/report.html"' in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_render_with_a_variant_ruled_out_by_the_evidence(tmp_path):
    data = _comparison()
    for outcome in data["outcomes"].values():
        outcome["by_variant"]["surge"] = {
            "probability": None, "ci95": None, "words": None, "difference": None,
            "difference_ci95": None, "changed_runs": None, "ruled_out_by_evidence": True,
        }  # fmt: skip
    _write(tmp_path, data)
    written = render_comparison(tmp_path)
    assert [p.name for p in written] == FILES
    assert (tmp_path / "variants.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("ruled out by the evidence</span>") == 2  # one cell per outcome
    assert "A variant ruled out by the evidence" in page
    assert "\u221210.0 pts" in page  # the other variants as before
    ax = plot_variant_probabilities(data)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[2] == "Militia surge (ruled out by\nthe evidence)"  # wrapped at 28


def test_render_replaces_previous_files(tmp_path):
    _write(tmp_path, _comparison())
    render_comparison(tmp_path)
    data = _comparison()
    data["variants"]["surge"]["label"] = "Renamed surge"
    _write(tmp_path, data)
    render_comparison(tmp_path)
    assert "Renamed surge" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_missing_comparison_json(tmp_path):
    with pytest.raises(SimError, match="comparison.json: error: no such file"):
        render_comparison(tmp_path)


def _break(change):
    data = _comparison()
    change(data)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (_break(lambda d: d.pop("outcomes")), "'outcomes' must be an object"),
        (_break(lambda d: d["variants"].pop("base")), "includes 'base'"),
        (_break(lambda d: d.update(runs="many")), "'runs' must be a whole number"),
        (
            _break(lambda d: d["outcomes"]["iran"].pop("by_variant")),
            r"outcomes\.iran\.by_variant must be an object",
        ),
        (
            _break(lambda d: d["outcomes"]["iran"]["by_variant"]["stay"].update(probability=1.5)),
            r"outcomes\.iran\.by_variant\.stay\.probability must be a number in \[0, 1\]",
        ),
        (
            _break(lambda d: d["outcomes"]["iran"]["by_variant"]["stay"].pop("probability")),
            r"probability must be a number in \[0, 1\], got None",
        ),
        (
            _break(lambda d: d["outcomes"]["iran"]["by_variant"]["stay"].update(ci95=[0.1])),
            r"ci95 must be \[low, high\]",
        ),
        (
            _break(
                lambda d: d["outcomes"]["iran"]["by_variant"]["stay"].update(
                    difference_ci95=[0.1, -0.1]
                )
            ),
            "low <= high",
        ),
        (
            _break(lambda d: d["outcomes"]["iran"]["by_variant"].update(ghost={})),
            "variant 'ghost' is not listed",
        ),
    ],
)
def test_malformed_comparison_json(tmp_path, data, message):
    _write(tmp_path, data)
    with pytest.raises(SimError, match=message):
        render_comparison(tmp_path)
    assert not (tmp_path / "report.html").exists()


# --------------------------------------------------------------------------------------------
# Charts


def test_plot_variant_probabilities():
    ax = plot_variant_probabilities(_comparison())
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Base case",
        "US stays & helps",
        "Militia surge",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == [ARABIC_OUTCOME, "Iran dominant"]
    assert ax.get_xlim()[0] <= 0 and ax.get_xlim()[1] >= 1


def test_plot_variant_differences():
    ax = plot_variant_differences(_comparison())
    assert isinstance(ax, Axes)
    assert ax.get_title(loc="left") == (
        "Difference from base (percentage points, paired 95% interval)"
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["US stays & helps", "Militia surge"] and "Base case" not in legend
    lo, hi = ax.get_xlim()
    assert lo < -11.5 and hi > 17  # every interval, in points, is inside the axis
    zero = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
    assert zero, "a vertical line at zero"


def test_plots_draw_into_given_axes():
    from matplotlib.figure import Figure

    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert plot_variant_probabilities(_comparison(), ax=left) is left
    assert plot_variant_differences(_comparison(), ax=right) is right


# --------------------------------------------------------------------------------------------
# Newcombe's paired interval, checked independently of the implementation


def test_newcombe_published_example():
    """Fagerland, Lydersen & Laake (2017), *Statistical Analysis of Contingency Tables*, ch. 8.

    Cavo et al. (2012): complete response before/after consolidation therapy, table
    [[59, 6], [16, 80]]. Newcombe's square-and-add interval (Newcombe 1998, method 10) for
    p1+ - p+1 = (6 - 16) / 161 is printed as -0.0621 (95% CI -0.1186 to -0.0046). With our
    argument order (b: true in the first only, c: true in the second only) the function bounds
    (c - b) / n, so the same interval comes out negated.
    """
    theta = (16 - 6) / 161
    assert round(theta, 4) == 0.0621
    low, high = newcombe_paired_interval(59, 6, 16, 80)
    assert low == pytest.approx(0.0046, abs=5e-5)
    assert high == pytest.approx(0.1186, abs=5e-5)
    low, high = newcombe_paired_interval(59, 16, 6, 80)
    assert (low, high) == pytest.approx((-0.1186, -0.0046), abs=5e-5)


def _wald(a, b, c, d, z=1.959963984540054):
    """Wald interval of mean(d_i), d_i = y_i - x_i in {-1, 0, 1}, from the sample variance."""
    n = a + b + c + d
    mean = (c - b) / n
    var = (b + c) / n - mean**2
    half = z * math.sqrt(var / n)
    return mean - half, mean + half


@pytest.mark.parametrize("shares", [(0.3, 0.1, 0.15, 0.45), (0.05, 0.02, 0.01, 0.92)])
def test_newcombe_tends_to_wald_for_large_n(shares):
    n = 2_000_000
    a, b, c = (round(s * n) for s in shares[:3])
    d = n - a - b - c
    low, high = newcombe_paired_interval(a, b, c, d)
    wlo, whi = _wald(a, b, c, d)
    half = (whi - wlo) / 2
    assert abs(low - wlo) < 0.01 * half
    assert abs(high - whi) < 0.01 * half


def test_newcombe_properties_on_random_tables():
    rng = random.Random(12345)
    for _ in range(2000):
        a, b, c, d = (rng.randint(0, 60) for _ in range(4))
        if a + b + c + d == 0:
            continue
        n = a + b + c + d
        low, high = newcombe_paired_interval(a, b, c, d)
        theta = (c - b) / n
        assert -1.0 <= low <= theta <= high <= 1.0
        # swapping the two variants negates the interval
        low2, high2 = newcombe_paired_interval(a, c, b, d)
        assert low2 == pytest.approx(-high, abs=1e-12)
        assert high2 == pytest.approx(-low, abs=1e-12)


def test_newcombe_identical_variants():
    for a, d in [(668, 2332), (0, 3000), (3000, 0), (1500, 1500)]:
        low, high = newcombe_paired_interval(a, 0, 0, d)
        assert low <= 0.0 <= high
        assert high - low < 0.005


def test_newcombe_needs_pairs():
    with pytest.raises(ValueError):
        newcombe_paired_interval(0, 0, 0, 0)


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_key_judgments_name_the_variant_that_moves_each_outcome_most(tmp_path):
    data = _comparison()
    data["outcomes"]["calm"] = {
        "label": "Calm",
        "ever": False,
        "by_variant": {
            "base": _entry(0.5, (0.48, 0.52)),
            # clear of zero but under a point: not named
            "stay": _entry(0.505, (0.49, 0.52), 0.005, (0.002, 0.008), 10),
            "surge": _entry(0.5, (0.48, 0.52), 0.0, (-0.001, 0.001), 0),
        },
    }
    _write(tmp_path, data)
    render_comparison(tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    top = _text(page[page.index('<section id="summary">') : page.index('<section id="variants">')])
    minus = "\u2212"
    assert (
        f"{ARABIC_OUTCOME}: 30.0% in the base case; most moved by US stays & helps: "
        f"{minus}10.0 points ({minus}11.5 to {minus}8.5)"
    ) in top.replace("&amp;", "&")
    assert (
        "Iran dominant: 10.0% in the base case; most moved by Militia surge: +15.0 points (+13.0 to +17.0)"
        in top
    )
    assert "Calm: 50.0% in the base case; no variant moves it by 1 point or more" in top
    # each variant's biggest move, biggest first; surge's +1.0 on the vacuum is not clear of 0
    movers = top[top.index("Biggest movers among the variants") :]
    assert movers.index("Militia surge on") < movers.index(
        "US stays & helps on".replace("&", "&amp;")
    )
    assert "+1.0" not in top


def test_key_judgments_of_many_outcomes_list_those_the_variants_move(tmp_path):
    data = _comparison()
    data["outcomes"] = {}
    for k in range(12):  # o0 is the likeliest; only the two least likely are moved
        moved = k >= 10
        data["outcomes"][f"o{k}"] = {
            "label": f"Outcome {k}",
            "ever": False,
            "by_variant": {
                "base": _entry(0.5 - 0.03 * k, (0.4, 0.6)),
                "stay": _entry(0.5, (0.4, 0.6), 0.05 if moved else 0.0,
                               (0.03, 0.07) if moved else (-0.01, 0.01), 10),
                "surge": {"probability": None, "ci95": None, "words": None, "difference": None,
                          "difference_ci95": None, "changed_runs": None,
                          "ruled_out_by_evidence": True},
            },
        }  # fmt: skip
    data["evidence"] = {
        "as_of": "2025-06-01", "observations": 1,
        "items": [{"date": "2025-06-01", "when": "t == a", "ever": False, "observed": True,
                   "confidence": 1.0, "label": "Seen"}],
        "by_variant": {"base": {"probability": 0.5, "effective_runs": 1000.0},
                       "stay": {"probability": 0.5, "effective_runs": 1000.0},
                       "surge": {"probability": 0.0, "effective_runs": 0.0}},
    }  # fmt: skip
    _write(tmp_path, data)
    render_comparison(tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    top = _text(page[page.index('<section id="summary">') : page.index('<section id="variants">')])
    listed = [k for k in range(12) if f"Outcome {k}:" in top]
    # the two moved outcomes, then the 8 likeliest of the rest (o0-o7); o8 and o9 left out
    assert listed == [0, 1, 2, 3, 4, 5, 6, 7, 10, 11]
    assert "The 10 of the 12 outcomes the variants move most (then the most likely)" in top
    assert "Ruled out by the evidence: Militia surge" in top
    assert top.strip().startswith("Key judgments, given what has been observed")
