"""--evidence, --as-of and --no-evidence on run, compare, sensitivity and validate; sim new's
commented evidence and indicators."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

import sim.scenario.load as load
from sim.cli.main import main
from sim.errors import SimError

MODEL = """\
scenario: watch
start: 2025-01-01
horizon: 2026-01-01
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: ab, track: t, from: a, to: b, rate: 1 per year}
outcomes:
  b: {when: t == b}
variants:
  slow:
    set: {events.ab.rate: 0.5 per year}
"""
GOOD = "evidence:\n  - {date: 2025-06-01, when: t == a, observed: true}\n"
BAD = "evidence:\n  - {date: 2025-06-01, when: t == a, observed: true}\n  - {date: 2025-07-01}\n"


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "watch.yaml").write_text(MODEL)
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    return tmp_path


def sim(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_validate_with_a_good_evidence_file(files, capsys):
    code, out, err = sim(capsys, "validate", "watch.yaml", "--evidence", "good.yaml")
    assert (code, out, err) == (0, "watch.yaml: ok\n", "")


def test_validate_with_a_bad_evidence_file(files, capsys):
    code, out, err = sim(
        capsys, "validate", "watch.yaml", "--evidence", "good.yaml", "--evidence", "bad.yaml"
    )
    assert code == 1 and out == ""
    assert err.startswith("bad.yaml:3:5: error: missing required key 'when' in evidence[1]")
    assert "missing required key 'observed' in evidence[1]" in err
    assert "Traceback" not in err


def test_no_evidence_still_checks_the_files(files, capsys):
    code, _, err = sim(capsys, "validate", "watch.yaml", "--evidence", "bad.yaml", "--no-evidence")
    assert code == 1 and "bad.yaml:3:5: error:" in err


@pytest.mark.parametrize("value", ["notadate", "2026-13-01", "2026-1-1", "2026-06-01T00:00", ""])
def test_a_mistaken_as_of_is_a_usage_error(files, capsys, value):
    code, _, err = sim(capsys, "validate", "watch.yaml", "--as-of", value)
    assert code == 2
    assert "Invalid value for '--as-of'" in err and "YYYY-MM-DD" in err


def test_as_of_outside_the_run_is_fine(files, capsys):
    for value in ("1999-01-01", "2030-12-31", "2025-06-01"):
        assert sim(capsys, "validate", "watch.yaml", "--as-of", value)[0] == 0


def test_a_missing_evidence_file_is_a_usage_error(files, capsys):
    code, _, err = sim(capsys, "validate", "watch.yaml", "--evidence", "nowhere.yaml")
    assert code == 2 and "nowhere.yaml" in err and "does not exist" in err
    code, _, err = sim(capsys, "validate", "watch.yaml", "--evidence", str(files))
    assert code == 2


class Stop(SimError):
    """Raised by the stand-in loader once it has seen its arguments."""


@pytest.fixture
def calls(monkeypatch):
    """Record load_scenario's arguments; stop the command at the call numbered ``stop[0]``."""
    seen, stop = [], [1]

    def fake(path, variant="base", **kwargs):
        if "as_of" not in kwargs:  # every observation, for the --as-of note: not counted
            return real(path, variant, **kwargs)
        seen.append((str(path), variant, kwargs))
        if len(seen) == stop[0]:
            raise Stop("stopped")
        return real(path, variant, **kwargs)

    real = load.load_scenario
    monkeypatch.setattr(load, "load_scenario", fake)
    return seen, stop


EVIDENCE_ARGS = ["--evidence", "good.yaml", "--evidence", "good.yaml", "--as-of", "2025-06-30"]
EXPECTED = {"evidence": ("good.yaml", "good.yaml"), "as_of": dt.date(2025, 6, 30)}


@pytest.mark.parametrize(
    ("args", "loads"),
    [
        (["run", "watch.yaml", "--all-variants"], ["base", "base", "slow"]),
        (["compare", "watch.yaml", "slow"], ["base", "slow"]),
        (["run", "watch.yaml", "--variant", "slow", "-n", "10", "-o", "out"], ["slow"]),
        (["sensitivity", "watch.yaml", "--variant", "slow", "-o", "out"], ["slow"]),
    ],
    ids=["run-all-variants", "compare", "run", "sensitivity"],
)
@pytest.mark.parametrize("use", [True, False], ids=["evidence", "no-evidence"])
def test_commands_pass_the_evidence_to_every_load(files, capsys, calls, args, loads, use):
    seen, stop = calls
    stop[0] = len(loads)  # stopped at the last load, before anything runs
    extra = [] if use else ["--no-evidence"]
    code, _, err = sim(capsys, *args, *EVIDENCE_ARGS, *extra)
    assert code == 1 and "stopped" in err, err
    assert [(path, variant) for path, variant, _ in seen] == [("watch.yaml", v) for v in loads]
    for _, _, kwargs in seen:
        assert kwargs == {**EXPECTED, "use_evidence": use}
    assert not (files / "out").exists() and not (files / "reports").exists()


def test_the_options_are_in_each_commands_help(capsys):
    for command in ("run", "compare", "sensitivity", "validate"):
        code, out, _ = sim(capsys, command, "--help")
        assert code == 0
        for option in ("--evidence FILE", "--as-of DATE", "--no-evidence"):
            assert option in out, (command, option)


def test_sim_new_shows_evidence_and_indicators_commented_out(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "sim", "new", "draft"], cwd=tmp_path, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    path = tmp_path / "draft.yaml"
    text = path.read_text(encoding="utf-8")
    assert "# evidence:\n" in text and "# indicators:\n" in text
    assert load.load_scenario(path).evidence == ()
    # removing the leading '# ' of both sections gives a valid file with one of each
    lines = text.splitlines()
    start = lines.index("# evidence:")
    for k in range(start, len(lines)):
        if lines[k].startswith(("# evidence:", "# indicators:", "#   ")):
            lines[k] = lines[k][2:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [p for p in load.check_file(path) if p.severity == "error"] == []
    scenario = load.load_scenario(path)
    assert len(scenario.evidence) == 1 and len(scenario.indicators) == 1
    assert scenario.evidence[0].confidence == 0.9


def test_a_broken_variant_stops_a_run_of_the_base(files, capsys):
    # trial 16: `sim validate` refused the file, yet `sim run` of the base ran and wrote
    (files / "broken.yaml").write_text(MODEL.replace("events.ab.rate", "events.abb.rate"))
    code, _, err = sim(capsys, "run", "broken.yaml", "-n", "10", "-o", "out")
    assert code == 1
    assert err.strip() == (
        "broken.yaml:12:11: error: in variant 'slow': cannot set 'events.abb.rate': no event "
        "'abb'; did you mean 'ab'?"
    )
    assert not (files / "out").exists()
