"""``sim history`` and ``sim signposts`` from the command line: files, exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from ruamel.yaml import YAML

SIM = [sys.executable, "-m", "sim"]

MEMORYLESS = """\
scenario: memoryless
start: 2025-01-01
horizon: 2 years
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, chance: 50% within 1 year}
outcomes:
  b: {label: "=HYPERLINK(\\"x\\") [bold]b[/bold]", when: t == b}
"""


def sim(*args, cwd=None):
    return subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True, cwd=cwd)


def test_history_without_evidence_writes_one_point_and_says_so(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MEMORYLESS, encoding="utf-8")
    r = sim("history", path, "--runs", 400, "--seed", 0, "--jobs", 1, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "reports" / "memoryless" / "base" / "history"
    data = json.loads((out / "history.json").read_text(encoding="utf-8"))
    assert [p["date"] for p in data["points"]] == ["2025-01-01"]
    assert data["points"][0]["observations"] == 0 and data["observations"] == []
    assert "one point" in data["notes"][0] and "one point" in r.stdout
    assert "[bold]b[/bold]" in r.stdout  # a label is printed as written, not as markup
    csv = (out / "history.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0] == "date,outcome,probability,ci_low,ci_high,effective_runs,observations"
    assert csv[1].startswith("2025-01-01,b,")
    assert (out / "history.png").read_bytes()[:4] == b"\x89PNG"


def test_history_no_charts_and_a_bad_out(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(MEMORYLESS, encoding="utf-8")
    out = tmp_path / "h"
    r = sim("history", path, "-n", 200, "--no-charts", "--out", out)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["history.csv", "history.json"]
    (tmp_path / "file").write_text("x")
    r = sim("history", path, "-n", 200, "--out", tmp_path / "file" / "below")
    assert r.returncode == 1 and "is a file" in r.stderr and "Traceback" not in r.stderr
    assert sim("history", path, "--runs", 0).returncode == 2


CHAIN = """\
scenario: chain
start: 2025-01-01
horizon: 2027-01-01
tracks:
  t: {states: [a, b, c], initial: a}
  u: {states: [calm, noisy], initial: calm}
events:
  - {id: ab, track: t, from: a, to: b, rate: 1 per year}
  - {id: bc, track: t, from: b, to: c, rate: 2 per year}
  - {id: noise, track: u, from: calm, to: noisy, rate: 0.5 per year}
outcomes:
  c: {when: t == c}
report: {dates: [2025-07-01]}
"""


def test_signposts_writes_json_and_yaml(tmp_path):
    path = tmp_path / "chain.yaml"
    path.write_text(CHAIN, encoding="utf-8")
    out = tmp_path / "s"
    r = sim("signposts", path, "-n", 3000, "--top", 2, "--seed", 4, "--out", out)
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "signposts.json").read_text(encoding="utf-8"))
    assert data["dates"] == ["2025-07-01"] and data["dates_from"] == "report.dates"
    rows = data["outcomes"]["c"]["candidates"]
    assert [row["when"] for row in rows] == ["t == b", "t == c"]
    assert data["outcomes"]["c"]["indicators"] == []
    assert "t has been b (at some time) by 2025-07-01" in r.stdout
    yaml = YAML(typ="safe", pure=True).load(io.StringIO((out / "signposts.yaml").read_text()))
    assert list(yaml["indicators"]) == ["ever_t_b", "ever_t_c"]
    assert sim("signposts", path, "--top", 0).returncode == 2


WITH_EVIDENCE = MEMORYLESS.replace('b: {label: "=HYPERLINK(\\"x\\") [bold]b[/bold]", ', "b: {") + (
    "evidence:\n  - {date: 2026-01-01, when: t == b, ever: true, observed: false}\n"
)
LATER = """\
evidence:
  - {date: 2025-07-01, when: t == b, ever: true, observed: false, confidence: 90%}
"""
BAD = """\
evidence:
  - {date: 2025-06-01, when: t == b, observed: true}
"""


def _history(tmp_path, *args):
    path = tmp_path / "m.yaml"
    path.write_text(WITH_EVIDENCE, encoding="utf-8")
    (tmp_path / "later.yaml").write_text(LATER, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    out = tmp_path / "h"
    r = sim("history", path, "-n", 2000, "--no-charts", "--out", out, *args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return r, json.loads((out / "history.json").read_text(encoding="utf-8"))


def test_history_takes_the_evidence_options(tmp_path):
    _, data = _history(tmp_path, "--evidence", "later.yaml")
    assert [p["date"] for p in data["points"]] == ["2025-01-01", "2025-07-01", "2026-01-01"]
    assert [p["observations"] for p in data["points"]] == [0, 1, 2]
    assert [o["date"] for o in data["observations"]] == ["2026-01-01", "2025-07-01"]
    _, cut = _history(tmp_path, "--evidence", "later.yaml", "--as-of", "2025-12-31")
    assert [p["date"] for p in cut["points"]] == ["2025-01-01", "2025-07-01"]
    assert cut["points"] == data["points"][:2]  # the same runs, the same weights
    _, none = _history(tmp_path, "--evidence", "later.yaml", "--no-evidence")
    assert len(none["points"]) == 1 and none["notes"]


def test_history_says_when_the_evidence_rules_every_run_out(tmp_path):
    # b on 2025-06-01 is possible; with the scenario's "never b by 2026-01-01" it is not
    r, data = _history(tmp_path, "--evidence", "bad.yaml")
    assert [p["ruled_out"] for p in data["points"]] == [False, False, True]
    assert data["points"][2]["outcomes"]["b"] == {"probability": None, "ci95": None}
    assert "from 2026-01-01 no run agrees" in r.stdout and "ruled out" in r.stdout
    rows = (tmp_path / "h" / "history.csv").read_text(encoding="utf-8").splitlines()
    assert rows[-1] == "2026-01-01,b,,,,0.0,2"


def test_signposts_weighted_by_the_evidence_and_ruled_out(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(WITH_EVIDENCE + "report: {dates: [2026-06-01]}\n", encoding="utf-8")
    out = tmp_path / "s"
    r = sim("signposts", path, "-n", 2000, "--out", out)
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "signposts.json").read_text(encoding="utf-8"))
    assert data["evidence"]["observations"] == 1
    # given no b by 2026-01-01, "b by 2026-06-01" is b in [365, 516] days: 1 - 0.5^(151/365.25)
    (row,) = [r for r in data["outcomes"]["b"]["candidates"] if r["when"] == "t == b"]
    assert abs(row["p_indicator"] - (1 - 0.5 ** (151 / 365.25))) < 5 * (0.25 / 1000) ** 0.5
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    r = sim("signposts", path, "-n", 500, "--evidence", tmp_path / "bad.yaml", "--out", out / "x")
    assert r.returncode == 1 and "no run agrees" in r.stderr and "Traceback" not in r.stderr
    assert not (out / "x").exists()
