"""Bidirectional controls in labels (Trojan Source, issue 14 / F5): an unclosed U+202E
RIGHT-TO-LEFT OVERRIDE in a label must not reverse the tool's own text after it, in the
report, on the console or in charts, and ``sim validate`` warns about it."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from sim.cli import run as run_command
from sim.cli import validate as validate_command
from sim.plots.style import plain
from sim.report import html as h

RLO = "\u202e"
SCENARIO = f"""\
scenario: bidi_controls
title: "Spoof {RLO}gnp.exe"
start: 2025-01-01
horizon: 2025-12-31
tracks:
  t: {{states: [a, b], initial: a}}
events:
  - {{id: go, track: t, from: a, to: b, at: 2025-06-30}}
outcomes:
  held: {{when: t == b, label: "held {RLO}at end"}}
  ever_b: {{when: t == b, ever: true}}
"""


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """One run of the scenario (50 runs, in this process) and its validation: (folder, run,
    validate, file)."""
    folder = tmp_path_factory.mktemp("bidi")
    path = folder / "bidi_controls.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = folder / "out"
    args = [str(path), "--runs", "50", "--jobs", "1", "--no-spread", "--out", str(out)]
    run = CliRunner().invoke(run_command.command, args)
    assert run.exit_code == 0, run.output
    validate = CliRunner().invoke(validate_command.command, [str(path)])
    return out, run, validate, str(path)


def test_the_caption_after_the_label_is_outside_its_isolate(done):
    page = (done[0] / "report.html").read_text(encoding="utf-8")
    assert RLO not in page  # written out, not acting
    caption = re.search(r"<figcaption>First passage.*?</figcaption>", page).group()
    # the label alone is isolated; the sentence after it is the tool's, outside the <bdi>
    assert "left out (<bdi>held \\u202eat end</bdi>): when one first held" in caption
    assert "Spoof \\u202egnp.exe" in page  # the title: the override is shown, not obeyed
    alt = re.search(r'<img src="data:image/png;base64,[^"]*" alt="First passage[^"]*"', page)
    assert "\u2068held \\u202eat end\u2069): when" in alt.group()  # FSI ... PDI in alt text


def test_the_console_shows_the_override_written_out(done):
    run = done[1]
    assert RLO not in run.stdout and RLO not in run.stderr
    assert "held \\u202eat end" in run.stdout
    assert "Spoof \\u202egnp.exe" in run.stdout


def test_validate_warns_on_one_line_naming_the_key(done):
    validate, path = done[2], done[3]
    assert validate.exit_code == 0
    lines = validate.stderr.splitlines()
    # line 2 column 8: the title's opening quote; line 10 column 31: the label's opening quote
    assert [line.split(": warning: ")[0] for line in lines] == [f"{path}:2:8", f"{path}:10:31"]
    assert "'outcomes.held.label' holds the bidirectional control U+202E RIGHT-TO-LEFT " in lines[1]
    assert RLO not in validate.stderr and RLO not in validate.stdout


def test_charts_drop_bidi_controls_and_html_writes_them_out():
    assert plain(f"a{RLO}b\u2066c\u2069 $5") == r"abc \$5"
    assert h.escape("x\u202a\u202by\u2067z") == "x\\u202a\\u202by\\u2067z"
    assert h.bdi(f"{RLO}gnp.exe") == "<bdi>\\u202egnp.exe</bdi>"
