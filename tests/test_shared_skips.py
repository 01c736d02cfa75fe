"""conftest.py finds the tests that need the team's shared folder, to skip them without it."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

from . import conftest

MODULE = """\
from pathlib import Path

from tests.conftest import CASES, SHARED

FILES = sorted(CASES.glob("*.yaml"))
ONE = SHARED / "bench" / "one.yaml"
TEXTS = ["inline"] + [p.read_text() for p in CASES.glob("*.yaml")]
MIXED = FILES + [Path("scenarios/x.yaml")]


def helper():
    return SHARED / "cases"


def data():
    return ONE


def test_files():
    assert FILES


def test_via_helper():
    assert helper()


def test_texts():
    assert TEXTS


def test_mixed():
    assert MIXED


def test_local_import():
    from .conftest import BENCH

    assert BENCH


def test_plain():
    assert True


class TestGroup:
    def test_cases(self):
        assert CASES

    def test_nothing(self):
        assert True
"""


def test_needing_shared_follows_names_helpers_and_local_imports(tmp_path: Path):
    path = tmp_path / "sample_module.py"
    path.write_text(textwrap.dedent(MODULE), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("sample_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert conftest.needing_shared(module) == {
        "helper",
        "data",
        "test_files",
        "test_via_helper",
        "test_local_import",
        "TestGroup.test_cases",
    }


def test_in_shared_tells_shared_paths_from_others():
    assert conftest.in_shared(conftest.CASES / "a.yaml")
    assert conftest.in_shared([]) and conftest.in_shared((conftest.BENCH,))
    assert not conftest.in_shared([conftest.CASES, conftest.SCENARIOS])
    assert not conftest.in_shared(["text"]) and not conftest.in_shared(None)
    assert not conftest.in_shared(conftest.ROOT / "tests" / "cases" / "split.yaml")
