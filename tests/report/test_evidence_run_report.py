"""``sim run FILE --evidence EVIDENCE`` end to end: the report of a scenario whose evidence and
signposts are tied by exact relations, whatever the draws.

On 1 March a coin sends u to tense or leaves it calm; on 1 June another sends t to withdrawn
or keeps it. The evidence (u tense on 1 April, certain) keeps the runs of the first coin's
heads with weight 1 and drops the others, so the chance the model gave the evidence is the
share of runs that agree with it, and the effective runs are their number. The indicator "t
is withdrawn on 1 July" is the outcome itself: P(O | I) = 100% and P(O | not I) = 0%, and
P(I) = P(O).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from sim.analysis.words import format_probability

SCENARIO = """\
scenario: coins
start: 2025-01-01
horizon: 2025-12-31
tracks:
  t: {states: [present, withdrawn, stays], initial: present}
  u: {states: [calm, tense], initial: calm}
events:
  - {id: flare, track: u, from: calm, to: {tense: 50%, calm: 50%}, at: 2025-03-01}
  - {id: exit, track: t, from: present, to: {withdrawn: 50%, stays: 50%}, at: 2025-06-01}
outcomes:
  gone: {when: t == withdrawn, label: "Withdrawn <b>"}
indicators:
  left:
    label: The US has gone
    when: t == withdrawn
    dates: [2025-07-01]
"""

EVIDENCE = """\
evidence:
  - date: 2025-04-01
    when: u == tense
    observed: true
    label: "توتر في الشمال"
"""


def test_run_with_evidence_writes_the_evidence_report(tmp_path):
    (tmp_path / "coins.yaml").write_text(SCENARIO, encoding="utf-8")
    (tmp_path / "seen.yaml").write_text(EVIDENCE, encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(tmp_path / "coins.yaml"), "--evidence",
         str(tmp_path / "seen.yaml"), "--runs", "400", "--jobs", "1", "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    agree = s["evidence"]["items"][0]["agree"]
    assert s["evidence"]["effective_runs"] == round(agree * 400)
    p = s["outcomes"]["gone"]["probability"]
    page = (out / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert f"The model gave what was observed a {format_probability(agree)} chance" in text
    pct = format_probability(p)
    # the indicator is the outcome: among the n = p x n_eff surviving runs that saw it (weight
    # 1 each) the outcome always holds, and Wilson's interval of 1 out of n is [n/(n+z^2), 1]
    (row,) = s["signposts"]["gone"]
    seen, unseen = p * agree * 400, (1 - p) * agree * 400
    assert row["effective_runs_if_true"] == pytest.approx(seen)
    assert row["effective_runs_if_false"] == pytest.approx(unseen)
    z2 = 1.959963984540054**2
    assert row["p_outcome_if_true_ci95"] == pytest.approx([seen / (seen + z2), 1.0])
    assert row["p_outcome_if_false_ci95"] == pytest.approx([0.0, z2 / (unseen + z2)])
    high = format_probability(seen / (seen + z2))
    low = format_probability(z2 / (unseen + z2))
    assert (
        f"If on 1 Jul 2025 the US has gone ({pct} likely), the chance of “Withdrawn &lt;b&gt;” "
        f"rises from {pct} to 100% ({high}–100%); if not, it falls to 0% (0%–{low})."
    ) in text
    assert "<bdi>توتر في الشمال</bdi>" in page
    for stem in ("signposts", "outcomes"):
        assert (out / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sim_report_shows_the_history_beside_the_results(tmp_path):
    (tmp_path / "coins.yaml").write_text(SCENARIO + EVIDENCE, encoding="utf-8")
    out = tmp_path / "out"

    def sim(*args):
        cmd = [sys.executable, "-m", "sim", *map(str, args)]
        return subprocess.run(cmd, capture_output=True, text=True)

    assert sim("run", tmp_path / "coins.yaml", "-n", 200, "-j", 1, "--out", out).returncode == 0
    assert 'id="history"' not in (out / "report.html").read_text(encoding="utf-8")
    r = sim("history", tmp_path / "coins.yaml", "-n", 200, "-j", 1, "--out", out / "history")
    assert r.returncode == 0, r.stderr
    before = {p.name: p.read_bytes() for p in (out / "history").iterdir()}
    r = sim("report", out)
    assert r.returncode == 0, r.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page.split('<section id="history">')[1].split("</section>")[0]
    # The start, then the one observation date.
    assert "on each of 2 dates, from 1 Jan 2025 to 1 Apr 2025 (200 runs each)" in section
    assert "data:image/png;base64," in section
    assert {p.name: p.read_bytes() for p in (out / "history").iterdir()} == before
