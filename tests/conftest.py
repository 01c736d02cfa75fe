"""Shared fixtures, and the skipping of the tests that need the team's shared folder.

The repository's own exact-answer cases live in ``tests/cases/``; the suite passes with
nothing beside the repository. The team's shared folder (``../shared`` beside the repository,
or ``SIM_SHARED``) adds its cases as an extra check. A test that needs it says so:

* ``pytestmark = pytest.mark.shared`` in a module that needs the folder throughout;
* ``@pytest.mark.shared`` on one test (or ``marks=pytest.mark.shared`` on one parameter);
* the ``shared`` fixture, which returns the folder.

When the folder is absent, every test marked ``shared`` or using the ``shared`` fixture is
skipped with :data:`SKIP_REASON`. A module that reads the folder at import must guard the
read (``if HAVE_SHARED``, or a glob, which finds nothing in an absent folder), so that
importing it never fails without the folder.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIM_SHARED", ROOT.parent / "shared"))
CASES = SHARED / "cases"
BENCH = SHARED / "bench"
SCENARIOS = ROOT / "scenarios"
OWN_CASES = ROOT / "tests" / "cases"
HAVE_SHARED = (CASES / "expected.json").is_file()


# the lines of a results JSON file (its ``settings``) that say what ran the runs and when
WHO_AND_WHEN = re.compile(r'^\s*"(jobs|scheduler|elapsed_seconds|created)": .*$', re.MULTILINE)


def without_who_and_when(text: str) -> str:
    """A results JSON file's text without the lines of :data:`WHO_AND_WHEN`."""
    return WHO_AND_WHEN.sub("", text)


def messages(stderr: str) -> list[str]:
    """The lines of a command's stderr but its piped progress (``FILE: progress: ...``,
    sim/cli/progress.py): the errors, warnings and notes."""
    return [line for line in stderr.strip().splitlines() if ": progress: " not in line]


SKIP_REASON = (
    f"needs the team's shared folder at {SHARED} (absent): clone the repository beside it or "
    "set SIM_SHARED=/path/to/shared to run these extra checks"
)


@pytest.fixture
def write_scenario(tmp_path):
    """Write dedented YAML text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def shared() -> Path:
    """The team's shared folder; the test is skipped when it is absent."""
    if not HAVE_SHARED:
        pytest.skip(SKIP_REASON)
    return SHARED


def pytest_configure(config):
    config.addinivalue_line("markers", "shared: the test needs the team's shared folder")


def pytest_collection_modifyitems(config, items):
    """Skip, with the reason, the tests marked ``shared`` when the shared folder is absent."""
    if HAVE_SHARED:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.get_closest_marker("shared") or "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(skip, append=False)  # first, so its reason is the one reported
