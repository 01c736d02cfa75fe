"""``sim validate`` on a corpus of malformed evidence and indicators, one fault per file.

``tests/malformed/evidence/expected.json`` maps each file to the line the error must be
reported at, a fragment of the message and, for conditions, the column. A file with a
``scenario`` entry is an evidence file, checked as ``sim validate SCENARIO --evidence FILE``
(the message must name the evidence file and its line); the others are scenario files,
checked as ``sim validate FILE``. ``base.yaml`` is the valid scenario the evidence files are
checked against (it has a variant ``short`` that ends the runs on 2026-06-30).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.cli.main import main
from sim.scenario.load import check_file, load_scenario

CORPUS = Path(__file__).resolve().parents[1] / "malformed" / "evidence"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
FILES = sorted(EXPECTED)


def test_corpus_covers_every_file():
    on_disk = {p.name for p in CORPUS.glob("*.yaml")} - {"base.yaml"}
    assert on_disk == set(FILES), "every file has an expectation, and back"
    assert len(FILES) >= 25
    assert sum("scenario" in e for e in EXPECTED.values()) >= 6


def test_base_is_valid():
    assert check_file(CORPUS / "base.yaml") == []
    assert load_scenario(CORPUS / "base.yaml", "short").horizon_days == 333


@pytest.mark.parametrize("name", FILES)
def test_malformed_file(name: str, capsys, monkeypatch):
    expect = EXPECTED[name]
    monkeypatch.chdir(CORPUS)
    args = (
        ["validate", expect["scenario"], "--evidence", name]
        if "scenario" in expect
        else [
            "validate",
            name,
        ]
    )
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out and "internal error" not in out.err
    assert info.value.code == 1, out.err
    pattern = re.compile(rf"^{re.escape(name)}:{expect['line']}:(\d+): error: (.*)$")
    hits = [m for m in map(pattern.match, out.err.splitlines()) if m]
    hits = [m for m in hits if expect["fragment"] in m.group(2)]
    assert hits, f"expected '{name}:{expect['line']}:COL: error: ...{expect['fragment']}'"
    if "column" in expect:
        assert int(hits[0].group(1)) == expect["column"], out.err
    errors = [line for line in out.err.splitlines() if ": error: " in line]
    assert len(errors) == 1, f"one fault, one error:\n{out.err}"


@pytest.mark.parametrize("name", [n for n in FILES if "scenario" in EXPECTED[n]])
def test_evidence_file_mistake_stops_load(name: str):
    """load_scenario raises on a faulty evidence file, also with use_evidence=False."""
    from sim.errors import ScenarioError

    variant = "short" if "in variant" in EXPECTED[name]["fragment"] else "base"
    for use in (True, False):
        with pytest.raises(ScenarioError) as info:
            load_scenario(CORPUS / "base.yaml", variant, evidence=[CORPUS / name], use_evidence=use)
        assert any(EXPECTED[name]["fragment"] in p.message for p in info.value.errors)
        assert all(p.file == str(CORPUS / name) for p in info.value.errors)


def test_an_empty_or_oversized_evidence_file_is_named_as_one(tmp_path, capsys):
    """The messages for a file that is no evidence file at all speak of evidence files."""
    (tmp_path / "empty.yaml").write_text("# nothing observed yet\n", encoding="utf-8")
    (tmp_path / "big.yaml").write_text("#" + "x" * 999 + "\n" + "a: 1\n" * 200_000)
    for name, fragment in (
        (
            "empty.yaml",
            "file is empty (no YAML document); an evidence file needs the key 'evidence'",
        ),
        ("big.yaml", "file is 1,001,001 bytes; evidence files are capped at 1,000,000 bytes"),
    ):
        with pytest.raises(SystemExit) as info:
            main(["validate", str(CORPUS / "base.yaml"), "--evidence", str(tmp_path / name)])
        err = capsys.readouterr().err
        assert info.value.code == 1 and err == f"{tmp_path / name}: error: {fragment}\n"
