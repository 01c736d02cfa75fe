"""Hostile files and text (issue 14, items 5 and 10): what is not a regular file, very long
lines, reused anchors, control characters in keys; each reported on one line."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from sim.errors import Problem, printable
from sim.scenario.load import check_file

GOOD = """\
scenario: t
title: T
start: 2030-01-01
horizon: 2 years
tracks:
  a: {states: [x, y], initial: x}
events:
  - {id: e, track: a, from: x, to: y, rate: 1 per year}
outcomes:
  o: {when: a == y}
"""


def _validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", "validate", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    out = _validate(str(fifo))  # the timeout catches a hang
    assert out.returncode == 1
    assert (
        out.stderr == f"{fifo}: error: is a named pipe (FIFO), not a regular file; give the "
        "path of a scenario file\n"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_a_device_not_an_empty_file():
    (problem,) = check_file("/dev/zero")
    assert str(problem) == (
        "/dev/zero: error: is a device, not a regular file; give the path of a scenario file"
    )


def test_long_comment_line_is_refused_at_its_line(tmp_path: Path):
    f = tmp_path / "long.yaml"
    f.write_text("# " + "x" * 990_000 + "\n" + GOOD, encoding="utf-8")
    (problem,) = check_file(f)  # ruamel.yaml took 15-30 s on this line
    assert (problem.line, problem.column) == (1, 10_001)
    assert "line is 990,002 characters long" in problem.message
    assert "lines are capped at 10,000 characters" in problem.message


def test_line_of_ten_thousand_characters_is_fine(tmp_path: Path):
    f = tmp_path / "ok.yaml"
    f.write_text(GOOD.replace("title: T", "title: T  # " + "x" * (10_000 - 12)), encoding="utf-8")
    assert check_file(f) == []


def test_reused_anchor_is_one_located_error(tmp_path: Path):
    f = tmp_path / "anchor.yaml"
    f.write_text(
        GOOD.replace("title: T", "title: &x T").replace("horizon: 2", "horizon: &x 2"),
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may reach the warnings machinery
        (problem,) = check_file(f)
    assert str(problem) == (
        f"{f}:4:10: error: anchor '&x' is defined again (first at line 2); give each anchor "
        "its own name (an alias '*x' would only see the last one)"
    )


def test_reused_anchor_on_stderr_is_one_line(tmp_path: Path):
    f = tmp_path / "anchor.yaml"
    f.write_text(GOOD.replace("title: T", "title: &x T").replace("horizon: 2", "horizon: &x 2"))
    out = _validate(str(f))
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(f"{f}:4:10: error: anchor")


def test_key_with_newline_and_escape_is_shown_escaped(tmp_path: Path):
    f = tmp_path / "keys.yaml"
    f.write_text(GOOD + '"x\\ny\\e[31m": 1\n', encoding="utf-8")
    (problem,) = check_file(f)
    text = str(problem)
    assert "\n" not in text and "\x1b" not in text
    assert text.startswith(f"{f}:11:1: error: unknown key 'x\\ny\\x1b[31m'; allowed keys:")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("tab\there", "tab\\there"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\u202eevil", "\\u202eevil"),
        ("caf\u00e9 \u6f22", "caf\u00e9 \u6f22"),  # printable text is kept as is
    ],
)
def test_printable_escapes_controls_only(raw: str, shown: str):
    assert printable(raw) == shown
    assert str(Problem(raw, 3, 4, raw)) == f"{shown}:3:4: error: {shown}"
