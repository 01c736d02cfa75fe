"""What the command line says about the evidence it was given (from the analyst trial)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

SIM = [sys.executable, "-m", "sim"]

MODEL = """\
scenario: warn
start: 2025-01-01
horizon: 2027-01-01
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, chance: 50% within 1 year}
outcomes:
  b: {when: t == b}
variants:
  fast: {label: Faster, set: {events.e.chance: 90% within 1 year}}
"""
SEEN = """\
evidence:
  - {date: 2026-01-01, when: t == b, ever: true, observed: false, confidence: 80%}
"""


def sim(*args):
    return subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "m.yaml").write_text(MODEL, encoding="utf-8")
    (tmp_path / "e.yaml").write_text(SEEN, encoding="utf-8")
    (tmp_path / "none.yaml").write_text("evidence: []\n", encoding="utf-8")
    return tmp_path


def test_a_file_given_twice_an_empty_one_and_a_far_as_of_are_warned(files):
    done = sim("run", files / "m.yaml", "--evidence", files / "e.yaml", "--evidence",
               files / "e.yaml", "--evidence", files / "none.yaml", "--as-of", "2016-01-01",
               "-n", 200, "-j", 1, "--no-charts", "-o", files / "out")  # fmt: skip
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert "e.yaml: warning: this evidence file is given twice" in err
    assert "none.yaml: warning: this evidence file holds no observation" in err
    assert "--as-of 2016-01-01 is outside the scenario's [2025-01-01, 2027-01-01]" in err
    assert "leaves 2 of 2 observations out" in err
    assert err.count("given twice") == 1  # once, not once per load


def test_comparison_says_what_it_is_conditioned_on(files):
    out = files / "cmp"
    done = sim("compare", files / "m.yaml", "fast", "--evidence", files / "e.yaml", "-n", 4000,
               "-j", 1, "--no-charts", "-o", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "given 1 observation to 2026-01-01" in " ".join(done.stdout.split())
    comparison = json.loads((out / "comparison" / "comparison.json").read_text())
    ev = comparison["evidence"]
    assert ev["observations"] == 1 and set(ev["by_variant"]) == {"base", "fast"}
    # P(no b by day 365) = 0.5^(365/365.25) in base; weights 0.8 (agree) or 0.2
    p_none = 0.5 ** (365 / 365.25)
    want = 0.8 * p_none + 0.2 * (1 - p_none)
    assert ev["by_variant"]["base"]["probability"] == pytest.approx(want, abs=0.02)
    entry = comparison["outcomes"]["b"]["by_variant"]["fast"]
    assert 0 <= entry["prior_probability"] <= 1 and entry["difference"] > 0


def test_runs_csv_weight_is_the_weight_of_the_format(files):
    out = files / "runs"
    done = sim("run", files / "m.yaml", "--evidence", files / "e.yaml", "-n", 300, "-j", 1,
               "--no-charts", "--save-runs", "-o", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    with open(out / "runs.csv", encoding="utf-8") as fh:
        weights = {round(float(row["weight"]), 12) for row in csv.DictReader(fh)}
    assert weights == {0.8, 0.2}


def test_min_effective_runs_says_when_it_falls_short_or_does_nothing(files):
    done = sim("run", files / "m.yaml", "--evidence", files / "e.yaml", "-n", 10,
               "--min-effective-runs", 10**9, "-j", 1, "--no-charts", "-o", files / "o1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "stopped at 1,000 runs (100 x --runs)" in done.stderr
    done = sim("run", files / "m.yaml", "-n", 10, "--min-effective-runs", 50, "-j", 1,
               "--no-charts", "-o", files / "o2")  # fmt: skip
    assert "--min-effective-runs has no effect: no observation is in effect" in done.stderr


def test_tornado_given_evidence_says_so_and_counts_effective_runs(files, tmp_path):
    model = MODEL.replace("chance: 50% within 1 year", "chance: 30% to 70% within 1 year")
    (files / "u.yaml").write_text(model, encoding="utf-8")
    out = files / "tor"
    done = sim("sensitivity", files / "u.yaml", "--method", "tornado", "--runs", 1000,
               "--evidence", files / "e.yaml", "-j", 1, "-o", out)  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "sensitivity.json").read_text())
    assert 0 < data["evidence"]["effective_runs"] < 1000
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Given what has been observed" in html and "effective given the evidence" in html
