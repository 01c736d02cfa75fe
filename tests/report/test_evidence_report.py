"""The report of a results folder with evidence and signposts (format sections 10 and 11):
sections present or absent, sentences against numbers worked out by hand, escaping, a variant
ruled out by the evidence, the history chart."""

from __future__ import annotations

import json
import re

import pytest

from sim.plots.style import new_figure, save_figure
from sim.report.render import render_report
from tests.report.evidence_helpers import HOSTILE, evidence_summary, ruled_out_summary
from tests.report.helpers import sample_summary, write_results_folder

PNG = b"\x89PNG\r\n\x1a\n"


def _render(tmp_path, summary) -> str:
    folder = write_results_folder(tmp_path / "r", summary)
    render_report(folder)
    return (folder / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    return _render(tmp_path_factory.mktemp("evidence"), evidence_summary())


def _text(html: str) -> str:
    """The page's text: tags dropped, so sentences read as a reader sees them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_sections_present_with_evidence(page):
    for section in ("observed", "watch", "posterior", "outcomes", "summary"):
        assert f'<section id="{section}"' in page
    assert "Key judgments, given what has been observed" in page
    assert '<section id="history"' not in page  # no history/history.json
    assert '<a href="#observed">What has been observed</a>' in page


def test_sections_absent_without_evidence(tmp_path):
    html = _render(tmp_path, sample_summary())
    for section in ("observed", "watch", "posterior", "history"):
        assert f'id="{section}"' not in html
    assert "<h2>Key judgments</h2>" in html
    assert "before the evidence" not in html.lower()


def test_key_judgments_give_the_posterior_and_the_prior(page):
    text = _text(page)
    # Words and interval of the posterior, then the prior.
    assert ("Security vacuum: Unlikely (20.0%; Monte Carlo 15.0%–26.0%; prior 31.0%)") in text
    assert "the prior, the probability before the evidence." in text
    assert (
        "Given what has been observed: 2 observations up to 1 Nov 2025, to which the model "
        "gave a 25.0% chance; 1 of them surprising; 240 effective runs"
    ) in text


def test_observations_with_agreement_surprise_and_few_effective_runs(page):
    section = page.split('<section id="observed">')[1].split("</section>")[0]
    text = _text(section)
    assert "US back &lt;script&gt;: seen on 1 Oct 2025 (us_posture == limited_return)" in text
    assert "security == vacuum: not seen at any time up to 1 Nov 2025" in text
    assert '<td class="num">30.0%</td>' in section
    assert section.count("<strong>surprising</strong>") == 1
    assert '<td class="num surprising">5.0%<br><strong>surprising</strong></td>' in section
    assert "Statement &amp; co" in section
    # 25% > 10%: not surprising; 240 < 1,000 effective runs: the warning box.
    assert "The model gave what was observed a 25.0% chance: it was not surprised." in text
    assert "the runs are worth 240 equally weighted runs of 1,000" in text
    assert '<div class="warning">' in section and "--min-effective-runs" in section


def test_many_effective_runs_need_no_warning(tmp_path):
    s = evidence_summary()
    s["evidence"]["effective_runs"] = 1000.0
    html = _render(tmp_path, s)
    assert '<div class="warning">' not in html


def test_signpost_sentences_computed_by_hand(page):
    text = _text(page.split('<section id="watch">')[1].split("</section>")[0])
    # P(O) = 20%, P(O | talks by 1 Dec) = 35%, P(O | not) = 10%, P(talks) = 40%.
    assert (
        "If by 1 Dec 2025 the talks open (40.0% likely), the chance of “Security vacuum” "
        "rises from 20.0% to 35.0%; if not, it falls to 10.0%."
    ) in text
    # An indicator read on its date ("on"), whose sighting makes the outcome less likely.
    assert (
        "If on 1 Dec 2025 &lt;img src=x onerror=alert(1)&gt; (25.0% likely), the chance of "
        "“US re-engaged &lt;b&gt;” falls from 80.0% to 50.0%; if not, it rises to 90.0%."
    ) in text
    # One sentence per indicator (its most telling date); rows under 0.001 bits left out.
    assert text.count("If by") + text.count("If on") == 2


def test_hostile_labels_are_escaped(page):
    assert HOSTILE not in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_outcomes_table_and_chart_show_prior_and_posterior(page):
    section = page.split('<section id="outcomes">')[1].split("</section>")[0]
    assert "<th>Probability given the evidence</th><th>Before the evidence</th>" in section
    row = section.split("Security vacuum</td>")[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:3] == [
        "20.0%",
        "31.0%",
        "15.0%–26.0%",
    ]
    assert "before the evidence (diamonds)" in section


def test_parameters_moved_most_first(page):
    section = page.split('<section id="posterior">')[1].split("</section>")[0]
    text = _text(section)
    # risk: |0.25 - 0.2| / (0.3 - 0.1) = 25%; delay: |63 - 60| / (90 - 30) = 5%.
    assert text.index("Risk of collapse") < text.index("Delay")
    cells = re.findall(r'<td class="num">([^<]*)</td>', section)
    assert cells == [
        "10.0%–30.0% (median 20.0%)", "15.0%–34.0% (median 25.0%)", "25%",
        "30–90 (median 60)", "31–90 (median 62)", "5%",
    ]  # fmt: skip
    assert "The evidence moved some assumptions" in text
    assert "data:image/png;base64," in section


def test_evidence_charts_are_png_files(tmp_path):
    folder = write_results_folder(tmp_path / "r", evidence_summary())
    written = render_report(folder)
    names = {p.name for p in written}
    assert {"signposts.png", "parameter_shifts.png", "signposts.svg"} <= names
    for stem in ("signposts", "parameter_shifts", "outcomes"):
        assert (folder / f"{stem}.png").read_bytes()[:8] == PNG


def test_history_chart_with_caption(tmp_path):
    folder = write_results_folder(tmp_path / "r", evidence_summary())
    (folder / "history").mkdir()
    history = {
        "scenario": "us_withdrawal_demo", "variant": "base", "runs": 5000,
        "points": [
            {"date": "2025-08-01", "observations": 0, "evidence_probability": 1.0,
             "effective_runs": 5000.0, "ruled_out": False,
             "outcomes": {"security_vacuum": {"probability": 0.31}}},
            {"date": "2025-10-01", "observations": 1, "evidence_probability": 0.3,
             "effective_runs": 1500.0, "ruled_out": False,
             "outcomes": {"security_vacuum": {"probability": 0.25}}},
            {"date": "2025-11-01", "observations": 2, "evidence_probability": 0.25,
             "effective_runs": 400.0, "ruled_out": False,
             "outcomes": {"security_vacuum": {"probability": 0.2}}},
            {"date": "2025-12-01", "observations": 3, "evidence_probability": 0.0,
             "effective_runs": 0.0, "ruled_out": True,
             "outcomes": {"security_vacuum": {"probability": None}}},
        ],
        "observations": [],
    }  # fmt: skip
    (folder / "history" / "history.json").write_text(json.dumps(history), encoding="utf-8")
    fig = new_figure(3, 2)
    fig.add_subplot().plot([0, 1], [0, 1])
    save_figure(fig, folder / "history", "history")
    render_report(folder)
    html = (folder / "report.html").read_text(encoding="utf-8")
    section = html.split('<section id="history">')[1].split("</section>")[0]
    assert "data:image/png;base64," in section
    assert "on each of 4 dates, from 1 Aug 2025 to 1 Dec 2025 (5,000 runs each)" in section
    assert "Fewer than 1,000 effective runs on 1 Nov 2025: the" in section
    assert "From 1 Dec 2025 no run agrees with the observations in effect" in section


def test_history_without_its_chart_says_so(tmp_path):
    folder = write_results_folder(tmp_path / "r", evidence_summary())
    (folder / "history").mkdir()
    (folder / "history" / "history.json").write_text('{"points": []}', encoding="utf-8")
    render_report(folder)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "No history chart: history/history.png is absent." in html


def test_ruled_out_variant_renders_and_says_so_at_the_top(tmp_path):
    folder = write_results_folder(tmp_path / "r", ruled_out_summary())
    written = render_report(folder)
    html = (folder / "report.html").read_text(encoding="utf-8")
    top = html.split("<section")[1]
    assert 'id="summary" class="ruled-out"' in top and "Ruled out by the evidence" in top
    text = _text(top)
    assert "seen on 1 Oct 2025 (us_posture == limited_return): 30.0% of runs agree" in text
    assert "not seen at any time up to 1 Nov 2025: 0% of runs agree" in text
    assert "Key judgments" not in html
    assert "No run agrees with all of them (see the top of the report)." in html
    for absent in ('id="watch"', 'id="posterior"', 'id="states"', 'id="trajectories"'):
        assert absent not in html
    # The outcomes table: no posterior, the prior kept.
    row = html.split("Security vacuum</td>")[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[:3] == ["\u2014", "31.0%", "\u2014"]
    assert (folder / "outcomes.png").read_bytes()[:8] == PNG
    assert "occupancy.png" not in {p.name for p in written}  # the curves would read 0
    assert "No first passage chart: no run agrees with the evidence." in html
    assert "none given it: ruled out" in html
