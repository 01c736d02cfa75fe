"""docs/FORMAT.md documents the whole format, its examples are valid, and the README points
users to it rather than to a folder they do not have."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMAT = (ROOT / "docs" / "FORMAT.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
FAMILIES = ("uniform", "triangular", "pert", "lognormal", "exponential", "weibull", "gamma", "beta")


def sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def property_names(schema) -> set[str]:
    """Every key of every ``properties`` mapping in a JSON Schema, at any depth."""
    names = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= property_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= property_names(value)
    return names


def test_every_key_of_sim_schema_is_documented():
    proc = sim("schema")
    assert proc.returncode == 0, proc.stderr
    names = property_names(json.loads(proc.stdout))
    assert {"scenario", "tracks", "events", "modifiers", "multiply", "also", "url"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in FORMAT)
    assert not missing, f"keys of `sim schema` not documented in docs/FORMAT.md: {missing}"


def test_every_distribution_and_timing_form_is_documented():
    for family in FAMILIES:
        assert f"{{{family}:" in FORMAT, family
    for form in ("P within D", "{p: P, within: D}", "R per D", "{r: R, per: D}", "A to B"):
        assert form in FORMAT, form
    for word in ("day", "week", "month", "year", "365.25"):
        assert word in FORMAT


def test_evidence_and_indicators_have_their_sections():
    evidence = FORMAT.split("## 14. Evidence", 1)[1].split("## 15. Indicators", 1)[0]
    indicators = FORMAT.split("## 15. Indicators", 1)[1].split("## 16.", 1)[0]
    for key in ("date", "when", "observed", "ever", "confidence", "source"):
        assert f"| `{key}` |" in evidence, key
    for option in ("--evidence FILE", "--as-of DATE", "--no-evidence"):
        assert option in evidence, option
    for key in ("when", "ever", "dates"):
        assert f"| `{key}` |" in indicators, key
    assert "evidence:\n  - date:" in evidence and "indicators:\n" in indicators
    assert "not accepted yet" not in FORMAT


def test_the_complete_examples_are_valid_files(tmp_path: Path):
    blocks = re.findall(r"```yaml\n(.*?)```", FORMAT, flags=re.S)
    files = [b for b in blocks if b.startswith("scenario:")]
    assert files, "docs/FORMAT.md has no complete example"
    paths = []
    for k, text in enumerate(files):
        paths.append(tmp_path / f"example_{k}.yaml")
        paths[-1].write_text(text, encoding="utf-8")
    proc = sim("validate", *map(str, paths), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok\n") == len(files) and not proc.stderr, proc.stderr


def test_readme_points_to_the_format_reference_not_to_the_shared_folder():
    assert "../shared" not in README and "SCENARIO_FORMAT.md" not in README
    assert "docs/FORMAT.md" in README
    quick = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]
