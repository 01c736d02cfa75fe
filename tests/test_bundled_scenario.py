"""The bundled scenarios: valid, runnable, and the variants point the way the article argues;
the bundled scenario's indicators and sourced evidence, and the hypothetical example evidence
file that the README teaches with."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import numpy as np
import pytest

from sim import check_file, load_scenario
from sim.analysis.compare import compare
from sim.analysis.summary import summarize
from sim.runner import run_scenario

from .conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))
IRAQ = SCENARIOS / "iraq_us_withdrawal_2025.yaml"
EXAMPLE = SCENARIOS / "examples" / "hypothetical_evidence_2026.yaml"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_scenario_validates_and_runs(path):
    assert [p for p in check_file(path) if p.severity == "error"] == []
    scenario = load_scenario(path)
    summary = summarize(run_scenario(scenario, runs=300, seed=1, jobs=1))
    assert set(summary["outcomes"]) == {o.id for o in scenario.outcomes}
    for variant in scenario.variants:
        run_scenario(load_scenario(path, variant.id), runs=100, seed=1, jobs=1)


def test_every_event_and_parameter_carries_a_note():
    from sim.scenario.load import read_document

    data = read_document(IRAQ).data
    assert all(e.get("note") for e in data["events"]), "every event needs a note"
    assert all(p.get("note") for p in data["parameters"].values())
    assert all(i.get("note") and i.get("label") for i in data["indicators"].values())
    for item in data["evidence"]:
        # A real observation names its dated public source and says how it maps to a state.
        assert item.get("source") and item.get("note") and item.get("label"), item
        assert re.search(r"\b20\d\d-\d\d-\d\d\b", item["source"]), item["source"]


def test_required_tracks_outcomes_and_variants_exist():
    scenario = load_scenario(IRAQ)
    assert scenario.start.isoformat() == "2025-08-01"
    assert scenario.horizon_date.isoformat() >= "2027-12-31"
    outcomes = {o.id for o in scenario.outcomes}
    assert {
        "security_vacuum",
        "isis_resurgence",
        "iran_dominant",
        "us_reengaged",
        "turkish_escalation",
        "baghdad_erbil_settlement",
        "stable_iraq",
    } <= outcomes
    variants = {v.id for v in scenario.variants}
    assert {
        "on_schedule",
        "kurdistan_extended",
        "maximum_pressure",
        "turkish_escalation",
        "regional_escalation",
    } <= variants
    kurdistan_exit = [e for e in scenario.events if e.timing.kind == "at"]
    assert any(e.timing.text == "at 2026-09-30" for e in kurdistan_exit)


@pytest.fixture(scope="module")
def comparison():
    runs = 6000
    names = [
        "base",
        "kurdistan_extended",
        "regional_escalation",
        "maximum_pressure",
        "turkish_escalation",
    ]
    # The model's own logic, without what has been observed since (the file's evidence).
    results = {
        v: run_scenario(load_scenario(IRAQ, v, use_evidence=False), runs=runs, seed=2025, jobs=1)
        for v in names
    }
    return compare(results)


@pytest.mark.parametrize(
    ("variant", "outcome", "sign"),
    [
        ("kurdistan_extended", "security_vacuum", -1),
        ("regional_escalation", "security_vacuum", +1),
        ("maximum_pressure", "iran_dominant", -1),
        ("turkish_escalation", "turkish_escalation", +1),
    ],
)
def test_variants_point_the_way_the_article_argues(comparison, variant, outcome, sign):
    # The paired 95% interval of the difference (common random numbers) excludes zero on the
    # expected side; each effect is several points, many standard errors at 6,000 runs.
    low, high = comparison["outcomes"][outcome]["by_variant"][variant]["difference_ci95"]
    if sign < 0:
        assert high < 0, (low, high)
    else:
        assert low > 0, (low, high)


def test_sim_new_writes_a_valid_starter(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "sim", "new", "my_next_case", "--title", "ماذا بعد؟"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    path = tmp_path / "my_next_case.yaml"
    assert check_file(path) == [] or all(p.severity == "warning" for p in check_file(path))
    scenario = load_scenario(path)
    assert scenario.id == "my_next_case" and scenario.title == "ماذا بعد؟"
    kinds = {e.timing.kind for e in scenario.events}
    assert kinds == {"hazard", "after", "at"}
    assert scenario.variants and scenario.slots
    assert (
        subprocess.run(
            [sys.executable, "-m", "sim", "new", "my_next_case"], cwd=tmp_path, capture_output=True
        ).returncode
        == 2
    )


def test_sim_new_refuses_a_word_of_the_condition_language(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "sim", "new", "and"], cwd=tmp_path, capture_output=True, text=True
    )
    assert r.returncode == 2 and "condition language" in r.stderr
    assert not (tmp_path / "and.yaml").exists()


# ---------------------------------------------------------------- evidence and indicators


def test_the_bundled_file_validates_with_its_indicators_and_evidence():
    assert [p for p in check_file(IRAQ) if p.severity == "error"] == []
    scenario = load_scenario(IRAQ)
    assert 5 <= len(scenario.indicators) <= 8
    tracks = {t.id for t in scenario.tracks}
    # The article's warnings: ISIS and a vacuum, Iran's militias, Turkey, Baghdad-Erbil, US
    # pressure on Iran, the US leaving Kurdistan; each one is watched on its own track.
    watched = {ind.text.split()[0] for ind in scenario.indicators}
    assert {"security", "iran_influence", "turkey", "baghdad_erbil", "iran_pressure"} <= watched
    assert "us_posture" in watched and watched <= tracks
    assert any(ind.ever for ind in scenario.indicators)
    assert any(not ind.ever for ind in scenario.indicators)
    # Sourced observations, none certain: every mapping of news to a state is a judgment.
    assert scenario.evidence
    assert all(0.5 < o.confidence < 1 and o.source for o in scenario.evidence)
    assert all(scenario.start < o.date <= dt.date(2026, 12, 5) for o in scenario.evidence)
    # --no-evidence (use_evidence=False) keeps the indicators and drops the observations.
    bare = load_scenario(IRAQ, use_evidence=False)
    assert bare.evidence == () and bare.indicators == scenario.indicators


def test_the_example_evidence_file_is_hypothetical_and_validates_against_the_scenario():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.startswith("# HYPOTHETICAL EVIDENCE")
    assert [p for p in check_file(IRAQ, evidence=(EXAMPLE,)) if p.severity == "error"] == []
    own = load_scenario(IRAQ).evidence
    scenario = load_scenario(IRAQ, evidence=(EXAMPLE,))
    added = scenario.evidence[len(own) :]
    assert scenario.evidence[: len(own)] == own  # the file's own come first
    assert 3 <= len(added) <= 5
    assert all("HYPOTHETICAL" in o.label and "HYPOTHETICAL" in o.source for o in added)
    assert all(dt.date(2025, 9, 1) <= o.date <= dt.date(2026, 11, 30) for o in added)
    # Different kinds: a point observation, an `ever` one, and one with confidence 80%.
    assert any(not o.ever for o in added) and any(o.ever for o in added)
    assert any(o.confidence == 0.8 for o in added)
    # Every variant accepts it too (dates inside each variant's run).
    for variant in scenario.variants:
        load_scenario(IRAQ, variant.id, evidence=(EXAMPLE,))


@pytest.fixture(scope="module")
def with_example():
    scenario = load_scenario(IRAQ, evidence=(EXAMPLE,))
    return run_scenario(scenario, runs=6000, seed=11, jobs=1)


def test_a_run_with_the_example_evidence_is_conditioned_on_it(with_example):
    results = with_example
    scenario = results.scenario
    summary = summarize(results)
    block = summary["evidence"]
    assert block["observations"] == len(scenario.evidence)
    assert block["as_of"] == max(o.date for o in scenario.evidence).isoformat()
    # Each run's weight is the product, over observations, of the confidence when the run
    # agrees and of 1 - confidence otherwise (format section 10), from the per-run values.
    expected = np.ones(results.runs)
    for k, obs in enumerate(scenario.evidence):
        agree = results.probes[:, k] == obs.observed
        expected *= np.where(agree, obs.confidence, 1 - obs.confidence)
        assert abs(block["items"][k]["agree"] - agree.mean()) < 1e-12
    # Stored divided by exp(log_scale), so that none underflows; shares do not change.
    stored = results.weights * np.exp(results.log_scale)
    assert np.allclose(stored, expected, rtol=1e-12, atol=0)
    assert abs(block["probability"] - expected.mean()) < 1e-12
    kish = expected.sum() ** 2 / (expected**2).sum()
    assert abs(block["effective_runs"] - kish) < 1e-6 * kish
    assert 0 < block["effective_runs"] < results.runs


def test_the_prior_beside_the_posterior_is_the_run_without_evidence(with_example):
    # Same seed, same runs: the prior of the run with evidence is exactly the probability of
    # the run with --no-evidence, since every random number is addressed, not consumed.
    summary = summarize(with_example)
    bare = load_scenario(IRAQ, use_evidence=False)
    plain = summarize(run_scenario(bare, runs=6000, seed=11, jobs=1))
    assert "evidence" not in plain
    for oid, entry in summary["outcomes"].items():
        assert entry["prior_probability"] == plain["outcomes"][oid]["probability"], oid


def test_every_outcome_has_signposts_for_every_indicator_and_date(with_example):
    scenario = with_example.scenario
    summary = summarize(with_example)
    assert set(summary["signposts"]) == {o.id for o in scenario.outcomes}
    expected = sorted((ind.id, d.isoformat()) for ind in scenario.indicators for d, _ in ind.dates)
    for oid, rows in summary["signposts"].items():
        assert sorted((r["indicator"], r["date"]) for r in rows) == expected, oid
        bits = [r["information_bits"] for r in rows]
        assert bits == sorted(bits, reverse=True)
        for r in rows:
            for key in ("p_indicator", "p_outcome_if_true", "p_outcome_if_false"):
                assert r[key] is None or 0 <= r[key] <= 1, (oid, r)
    # An indicator that is the outcome itself seen earlier: once a vacuum has opened by
    # 31 March 2027, "a vacuum opens at some point by the end of 2027" has happened.
    row = next(
        r
        for r in summary["signposts"]["vacuum_ever"]
        if r["indicator"] == "vacuum_opened" and r["date"] == "2027-03-31"
    )
    assert row["p_outcome_if_true"] == 1.0


def test_the_readme_teaches_evidence_with_the_example_file():
    root = SCENARIOS.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Evidence and signposts", 1)[1].split("\n## ", 1)[0]
    rel = EXAMPLE.relative_to(root).as_posix()
    assert f"--evidence {rel}" in section.replace("\\\n    ", "")
    for words in ("--as-of", "--no-evidence", "prior_probability", "effective_runs"):
        assert words in section, words
    for command in ("sim history", "sim signposts"):
        assert command in section, command
    # Every picture the README shows is a small PNG committed under docs/.
    pictures = re.findall(r"!\[[^\]]*\]\((docs/[^)]+)\)", readme)
    assert any(p.startswith("docs/images/") for p in pictures)
    for picture in pictures:
        data = (root / picture).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert len(data) < 200_000, (picture, len(data))
    # `make demo` shows the forecast with the example evidence.
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "--evidence $(EXAMPLE)" in demo and rel in makefile
    assert "sim history" in demo and "sim signposts" in demo


def test_few_effective_runs_are_a_located_warning(tmp_path):
    # 200 runs of the bundled file leave far fewer than 1,000 effective runs: sim run says so
    # on stderr in the FILE: warning: form every message has (tools/fuzz.py checks it).
    r = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(IRAQ), "--runs", "200", "--no-charts",
         "--jobs", "1", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, encoding="utf-8", timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    # piped, the progress is plain FILE: progress: lines (sim/cli/progress.py), never silent
    progress = [line for line in r.stderr.splitlines() if line.startswith(f"{IRAQ}: progress: ")]
    assert f"{IRAQ}: progress: simulating base: 200/200 runs (100%)" in progress, r.stderr
    assert any(line.endswith(f"progress: writing {tmp_path / 'out'}") for line in progress)
    lines = [line for line in r.stderr.splitlines() if line not in progress]
    assert any("effective runs of 200" in line for line in lines), r.stderr
    assert all(re.match(r"^.+?(:\d+:\d+)?: (error|warning): \S", line) for line in lines), lines
    assert all(line.startswith(f"{IRAQ}: warning: ") for line in lines), lines
