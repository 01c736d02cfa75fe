"""Messages quote at most 60 characters of a file's content (issue 14): ``--evidence
/etc/passwd`` once echoed the whole file (about 1,000 characters) in its one-line error."""

from __future__ import annotations

import pytest

from sim.errors import MAX_QUOTE, shorten
from sim.scenario.load import check_file
from tests.conftest import OWN_CASES

PASSWD = "".join(
    f"user{k}:x:{1000 + k}:{1000 + k}:User {k}:/home/user{k}:/bin/sh\n" for k in range(30)
)


def test_shorten_keeps_sixty_characters_and_marks_the_cut():
    assert MAX_QUOTE == 60
    assert shorten("a" * 60) == "a" * 60
    assert shorten("a" * 61) == "a" * 57 + "..."
    assert len(shorten("b" * 10_000)) == 60
    assert shorten(12) == "12"


def test_a_file_that_is_not_evidence_is_quoted_in_sixty_characters(tmp_path):
    evidence = tmp_path / "passwd"
    evidence.write_text(PASSWD, encoding="utf-8")
    assert len(PASSWD) > 1000
    [problem] = check_file(OWN_CASES / "fixed_dates.yaml", [evidence])
    text = str(problem)
    # YAML reads the lines as one plain scalar, its line breaks folded into spaces
    quoted = PASSWD.replace("\n", " ").strip()
    assert text.endswith(f"but this file holds '{quoted[:57]}...'")
    assert len(problem.message) < 200 and "\n" not in text


@pytest.mark.parametrize(
    ("key", "value"),
    [("after", "x" * 300 + " days"), ("at", "2026-" + "9" * 300)],
)
def test_a_long_bad_value_is_quoted_in_sixty_characters(tmp_path, key, value):
    path = tmp_path / "long.yaml"
    path.write_text(
        "scenario: long\nstart: 2026-01-01\nhorizon: 2026-12-31\n"
        "tracks: {t: {states: [a, b], initial: a}}\n"
        f"events: [{{id: go, track: t, from: a, to: b, {key}: '{value}'}}]\n"
        "outcomes: {b: {when: t == b}}\n",
        encoding="utf-8",
    )
    problems = check_file(path)
    assert problems and all(p.severity == "error" for p in problems)
    for p in problems:
        assert f"'{value[:57]}...'" in p.message and value[:58] not in p.message, p.message


def test_long_command_line_values_are_quoted_in_sixty_characters():
    from click.testing import CliRunner

    from sim.cli import run, validate

    scenario = str(OWN_CASES / "fixed_dates.yaml")
    runner = CliRunner()
    variant = runner.invoke(run.command, [scenario, "--variant", "v" * 300, "--runs", "10"])
    message = str(variant.exception)  # the entry point prints it (sim.cli.main)
    assert f"no variant '{'v' * 57}...'" in message and "v" * 58 not in message
    as_of = runner.invoke(validate.command, [scenario, "--as-of", "2026-" * 400])
    assert as_of.exit_code == 2
    assert f"'{('2026-' * 12)[:57]}...' is not a date" in as_of.output
    assert len(as_of.output) < 600
