"""A few hundred mutants of our scenario files through ``sim validate`` and ``sim run``
(tools/fuzz.py, seeded): no internal error, no hang, a location on every rejection, nothing
stray on stderr, no NaN or infinity in results. ``python tools/fuzz.py --mutants 10000`` runs
the long version."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fuzz.py"
spec = importlib.util.spec_from_file_location("fuzz", TOOL)
fuzz = importlib.util.module_from_spec(spec)
sys.modules["fuzz"] = fuzz
spec.loader.exec_module(fuzz)

pytestmark = pytest.mark.skipif(not hasattr(fuzz.signal, "SIGALRM"), reason="POSIX alarm")


def test_mutants_are_the_same_for_the_same_seed():
    a = list(fuzz.mutants(20, seed=0))
    assert a == list(fuzz.mutants(20, seed=0))
    assert a != list(fuzz.mutants(20, seed=1))
    texts = {text.encode() for _, text in fuzz.corpus()}
    assert sum(raw not in texts for _, raw in a) >= 18  # mutated, bar a rare no-op


def test_judge_finds_each_kind_of_fault():
    assert fuzz.judge(None, "", "", located=True) == ["hang"]
    assert fuzz.judge(1, "", "f: error: internal error: OverflowError\n", located=True) == [
        "internal",
        "unlocated",
    ]
    assert fuzz.judge(1, "", "f.yaml: error: not valid YAML: x\n", located=True) == ["unlocated"]
    assert fuzz.judge(1, "", "f.yaml: error: file is empty (no YAML)\n", located=True) == []
    assert fuzz.judge(1, "", "f.yaml:3:4: error: x\n  more\n", located=True) == ["stray"]
    assert fuzz.judge(0, "", "x.py:9: RuntimeWarning: overflow\n", located=False) == ["stray"]


def test_a_planted_fault_is_found(tmp_path, monkeypatch):
    # a fuzzer that cannot fail proves nothing: an OverflowError planted in the loader is found
    import sim.scenario.load as load

    def boom(doc, variant, label):
        raise OverflowError("planted")

    monkeypatch.setattr(load, "_compile", boom)
    found, fate = fuzz.check(next(iter(fuzz.corpus()))[1].encode(), tmp_path, timeout=60)
    assert "internal" in found


def test_a_hundred_and_fifty_mutants_find_nothing():
    # 30 s, not 10: a shared CI machine under load must not turn a slow run into a "hang"
    report = fuzz.fuzz(150, seed=0, shared=os.environ.get("SIM_SHARED"), timeout=30.0)
    assert report.counts["mutants"] == 150
    assert report.counts["ran"] > 10  # the mutants reach the simulation, not only the parser
    assert report.found == [], report.found[:3]
