"""``sim validate`` on a corpus of malformed scenario files, one fault per file.

``tests/malformed/expected.json`` maps each file to the line the error must be reported at
(``null`` for a file that cannot be read as YAML text at all, which is reported as
``FILE: error: ...``), a fragment of the message and, for conditions, the column inside the
condition. Every file must make ``sim validate`` exit 1 with no traceback.

Each file is checked three ways:

* in-process, through the same entry point as ``python -m sim`` (``sim.cli.main.main``), for its
  exit status and messages (a Python start costs about 0.4 s, 80 of them too long);
* all together in one ``python -m sim validate FILE...`` process, which must report each
  file's expected line;
* the YAML pitfalls (bytes, tags, bombs, tabs...), each in its own ``python -m sim validate``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sim.cli.main import main

HERE = Path(__file__).resolve().parents[1]
MALFORMED = HERE / "malformed"
EXPECTED = json.loads((MALFORMED / "expected.json").read_text())
FILES = sorted(EXPECTED)
# Faults met while reading bytes and YAML (not the scenario's meaning): one process each.
PITFALLS = [
    "alias_bomb.yaml",
    "binary.yaml",
    "comments_only.yaml",
    "duplicate_key.yaml",
    "empty.yaml",
    "huge_integer.yaml",
    "latin1.yaml",
    "list_not_mapping.yaml",
    "python_object_tag.yaml",
    "recursive_alias.yaml",
    "surrogate_escape.yaml",
    "tab_indent.yaml",
    "unquoted_flow_condition.yaml",
    "yaml11_directive.yaml",
]

# Byte-code cache for the child processes, outside the repository: with it each ``python -m
# sim`` starts faster than when it compiles the package afresh (PYTHONDONTWRITEBYTECODE).
PYCACHE = Path(tempfile.gettempdir()) / "sim-tests-pycache"


def sim(*args: str, cwd: Path = MALFORMED) -> subprocess.CompletedProcess:
    """Run ``python -m sim ARGS`` and capture its output."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=60,
        env=env,
    )


def check_output(name: str, status: int, stderr: str, stdout: str = "") -> None:
    """Exit 1, an error line at the expected place with the fragment, no traceback."""
    expect = EXPECTED[name]
    assert "Traceback" not in stderr + stdout
    assert "internal error" not in stderr
    assert status == 1, stderr
    lines = stderr.splitlines()
    if expect["line"] is None:
        pattern = re.compile(rf"^{re.escape(name)}: error: (.*)$")
    else:
        pattern = re.compile(rf"^{re.escape(name)}:{expect['line']}:(\d+): error: (.*)$")
    hits = [m for m in map(pattern.match, lines) if m and expect["fragment"] in m.groups()[-1]]
    where = f"{name}:{expect['line']}:COL" if expect["line"] else name
    assert hits, f"expected a line '{where}: error: ...{expect['fragment']}...'; got:\n{stderr}"
    if "column" in expect:
        assert int(hits[0].group(1)) == expect["column"], stderr
    # Every problem line has the documented shape.
    for line in lines:
        assert re.match(rf"^{re.escape(name)}(:\d+:\d+)?: (error|warning): \S", line), line


@pytest.fixture(scope="session")
def own_process() -> dict[str, subprocess.CompletedProcess]:
    """``python -m sim validate NAME`` for each pitfall file, run concurrently."""
    with ThreadPoolExecutor(4) as pool:
        runs = pool.map(lambda f: sim("validate", f), PITFALLS)
        return dict(zip(PITFALLS, runs, strict=True))


def test_corpus_is_large_enough():
    assert len(FILES) >= 40
    on_disk = {p.name for p in MALFORMED.glob("*.yaml")}
    assert on_disk == set(FILES), "every file in tests/malformed has an expectation, and back"


@pytest.mark.parametrize("name", FILES)
def test_malformed_file(name: str, capsys, monkeypatch):
    monkeypatch.chdir(MALFORMED)
    with pytest.raises(SystemExit) as info:
        main(["validate", name])
    out = capsys.readouterr()
    check_output(name, info.value.code, out.err, out.out)


@pytest.mark.parametrize("name", PITFALLS)
def test_pitfall_in_its_own_process(name: str, own_process):
    proc = own_process[name]
    check_output(name, proc.returncode, proc.stderr, proc.stdout)


def test_whole_corpus_in_one_process():
    proc = sim("validate", *FILES)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert ": ok" not in proc.stdout
    for name in FILES:
        mine = "\n".join(
            line for line in proc.stderr.splitlines() if re.match(rf"{re.escape(name)}[:]", line)
        )
        check_output(name, proc.returncode, mine)


def test_missing_file_exits_1(tmp_path: Path):
    proc = sim("validate", str(tmp_path / "nowhere.yaml"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "nowhere.yaml: error: cannot read file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_folder_exits_1(tmp_path: Path):
    proc = sim("validate", str(tmp_path), cwd=tmp_path)
    assert proc.returncode in (1, 2)  # click itself may refuse a folder (dir_okay=False)
    assert "Traceback" not in proc.stderr


def test_no_argument_exits_2(tmp_path: Path):
    proc = sim("validate", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_unknown_option_exits_2(tmp_path: Path):
    proc = sim("validate", "--no-such-option", "x.yaml", cwd=tmp_path)
    assert proc.returncode == 2


def test_one_bad_file_among_good_ones_exits_1():
    from tests.conftest import OWN_CASES as cases

    good = sorted(cases.glob("*.yaml"))[:2]
    proc = sim("validate", *map(str, good), str(MALFORMED / "branch_sum.yaml"))
    assert proc.returncode == 1
    assert "branch_sum.yaml:" in proc.stderr
    for g in good:
        assert f"{g}: ok" in proc.stdout


def test_schema_is_json_with_events(tmp_path: Path):
    proc = sim("schema", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(proc.stdout)
    assert "events" in schema["properties"]
    assert set(schema["required"]) >= {"scenario", "start", "horizon", "tracks", "events"}
