"""Our own format 1.1 exact-answer cases (tests/cases/evidence/) with every engine, and through
`sim run`: evidence with confidence, ``ever`` and point observations, indicators.

Each case's answers are derived in closed form in ``tests/cases/derive.py`` (the
``evidence_case_*`` functions) and stored in ``tests/cases/evidence/expected.json``, in the
layout of the shared ``cases-1.1/expected.json``. Tolerances are 5 Monte Carlo standard
errors: a posterior with Kish's effective runs n_eff = runs x ess_fraction, a prior with the
runs, the evidence probability with the weight's standard deviation, a posterior median with
its quantile standard error; a likelihood ratio within 15%, an effective number of runs within
5%.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.analysis.summary import summarize
from sim.runner import run_scenario

from .cases import derive
from .engines.markov_exact import Check, answers
from .engines.observe import YEAR, information_se, signpost_joint

CASES_DIR = Path(__file__).resolve().parent / "cases" / "evidence"
EXPECTED = json.loads((CASES_DIR / "expected.json").read_text(encoding="utf-8"))
ENGINE_RUNS = {"compiled": None, "numpy": None, "simpy": 5_000}  # None: the case's runs
SEED = 1729
Z = 5.0
RUNS_FOR = [
    (case, variant, engine)
    for case, spec in sorted(EXPECTED.items())
    for variant in spec["variants"]
    for engine in ENGINE_RUNS
]


def _near(got, want: float, se: float) -> bool:
    return isinstance(got, float | int) and abs(got - want) <= Z * se


def check_evidence_summary(summary: dict, want: dict, runs: int) -> list[str]:
    """Differences between a summary.json dict and one variant's expected answers (format
    1.1 keys included); an empty list when everything agrees."""
    n_eff = runs * want.get("ess_fraction", 1.0)
    problems = []
    for oid, p in want["outcomes"].items():
        got = summary["outcomes"][oid]["probability"]
        if not _near(got, p, math.sqrt(p * (1 - p) / n_eff)):
            problems.append(f"{oid}: simulated {got}, exact {p:.5f}")
    for oid, p in want.get("prior", {}).items():
        got = summary["outcomes"][oid].get("prior_probability")
        if not _near(got, p, math.sqrt(p * (1 - p) / runs)):
            problems.append(f"prior_probability({oid}): {got}, exact {p:.5f}")
    if "evidence_probability" in want:
        ev = summary.get("evidence") or {}
        got = ev.get("probability")
        if not _near(got, want["evidence_probability"], want["evidence_sd"] / math.sqrt(runs)):
            problems.append(f"evidence.probability: {got}, exact {want['evidence_probability']}")
        if not _near(ev.get("effective_runs"), n_eff, 0.01 * n_eff):
            problems.append(f"evidence.effective_runs: {ev.get('effective_runs')}, about {n_eff}")
    for oid, date in want.get("first_time_median", {}).items():
        got = summary["outcomes"][oid]["first_time_median"]
        if got != date:
            problems.append(f"first_time_median({oid}): {got}, exact {date}")
    for name, w in want.get("parameters", {}).items():
        got = summary["parameters"][name]["posterior"]["p50"]
        if not _near(got, w["p50"], w["p50_se1"] / math.sqrt(n_eff)):
            problems.append(f"posterior p50 of {name}: {got}, exact {w['p50']}")
    for oid, rows in want.get("signposts", {}).items():
        problems += signpost_problems(summary.get("signposts", {}).get(oid, []), rows, n_eff)
    return problems


def signpost_problems(got_rows: list[dict], rows: list[dict], n_eff: float) -> list[str]:
    """Differences between one outcome's signpost rows and the exact ones."""
    where = {(r["indicator"], r["date"]): r for r in got_rows}
    if set(where) != {(r["indicator"], r["date"]) for r in rows}:
        return [f"signpost rows {sorted(where)}"]
    problems = []
    first = [(r["indicator"], r["date"]) for r in (got_rows[0], rows[0])]
    if first[0] != first[1]:
        problems.append(f"most informative: {first[0]}, exact {first[1]}")
    for w in rows:
        g, tag, p_i = (
            where[(w["indicator"], w["date"])],
            f"{w['indicator']}@{w['date']}",
            w["p_indicator"],
        )
        for key, n in (("p_indicator", n_eff), ("p_outcome_if_true", n_eff * p_i),
                       ("p_outcome_if_false", n_eff * (1 - p_i))):  # fmt: skip
            if not _near(g[key], w[key], math.sqrt(w[key] * (1 - w[key]) / n)):
                problems.append(f"{key}({tag}): {g[key]}, exact {w[key]:.5f}")
        if not _near(g["likelihood_ratio"], w["likelihood_ratio"], 0.03 * w["likelihood_ratio"]):
            problems.append(f"likelihood_ratio({tag}): {g['likelihood_ratio']}")
        joint = signpost_joint(p_i, w["p_outcome_if_true"], w["p_outcome_if_false"])
        if not _near(g["information_bits"], w["information_bits"], information_se(joint, n_eff)):
            problems.append(f"information_bits({tag}): {g['information_bits']}")
    return problems


def test_expected_json_is_what_the_closed_forms_give():
    fresh = json.loads(json.dumps(derive.expected_evidence()))
    assert fresh.keys() == EXPECTED.keys()
    for case, spec in fresh.items():
        assert spec["derivation"] == EXPECTED[case]["derivation"], case
        assert _close(spec["variants"], EXPECTED[case]["variants"]), case


def _close(a, b) -> bool:
    """Nested dicts, lists and numbers equal, floats to 1e-12."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


def test_the_files_are_format_1_1():
    for case in EXPECTED:
        text = (CASES_DIR / f"{case}.yaml").read_text(encoding="utf-8")
        assert "\nevidence:" in text, case
    kinds = {
        (w.get("ever", False), w.get("confidence", "100%") != "100%")
        for case in EXPECTED
        for w in _observations(CASES_DIR / f"{case}.yaml")
    }
    assert kinds >= {(True, True), (True, False), (False, True)}  # ever and point, sure or not
    assert any("signposts" in v for spec in EXPECTED.values() for v in spec["variants"].values())


def _observations(path: Path) -> list[dict]:
    """The evidence entries of a case file, read as plain YAML."""
    from ruamel.yaml import YAML

    doc = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [{**o, "confidence": str(o.get("confidence", "100%"))} for o in doc["evidence"]]


def test_the_check_tells_a_wrong_answer_from_a_right_one():
    want = EXPECTED["signposts_evidence"]["variants"]["base"]
    runs = 20_000
    good = {
        "outcomes": {
            oid: {"probability": p, "prior_probability": want["prior"][oid]}
            for oid, p in want["outcomes"].items()
        },  # fmt: skip
        "evidence": {
            "probability": want["evidence_probability"],
            "effective_runs": runs * want["ess_fraction"],
        },  # fmt: skip
        "signposts": {"c": [dict(r) for r in want["signposts"]["c"]]},
    }
    assert check_evidence_summary(good, want, runs) == []
    bad = json.loads(json.dumps(good))
    n_eff = runs * want["ess_fraction"]
    p = want["outcomes"]["c"]
    bad["outcomes"]["c"]["probability"] = p + 5.1 * math.sqrt(p * (1 - p) / n_eff)
    bad["evidence"]["effective_runs"] = 1.06 * n_eff
    rows = bad["signposts"]["c"]
    rows[0], rows[1] = rows[1], rows[0]  # a wrong ranking
    rows[2]["likelihood_ratio"] *= 1.2
    assert len(check_evidence_summary(bad, want, runs)) == 4


def test_every_case_file_has_answers_for_every_outcome_and_variant():
    files = {p.stem for p in CASES_DIR.glob("*.yaml")}
    assert files == set(EXPECTED) and len(files) >= 4
    for case, spec in EXPECTED.items():
        scenario = sim.load_scenario(CASES_DIR / f"{case}.yaml")
        assert not scenario.warnings, scenario.warnings
        assert scenario.evidence
        assert set(spec["variants"]) == {"base"} | {v.id for v in scenario.variants}
        outcomes = {o.id for o in scenario.outcomes}
        assert set(spec["derivation"]) == outcomes
        for want in spec["variants"].values():
            assert set(want["outcomes"]) == set(want["prior"]) == outcomes


@pytest.mark.parametrize(
    ("case", "variant", "engine"), RUNS_FOR, ids=["-".join(r) for r in RUNS_FOR]
)
def test_engine_matches_the_exact_answer(case: str, variant: str, engine: str):
    runs = ENGINE_RUNS[engine] or EXPECTED[case]["runs"]
    scenario = sim.load_scenario(CASES_DIR / f"{case}.yaml", variant)
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    want = EXPECTED[case]["variants"][variant]
    problems = check_evidence_summary(summarize(results), want, runs)
    assert not problems, f"{case}/{variant} with {engine}: " + "; ".join(problems)


def sim_run(*args: str) -> subprocess.CompletedProcess:
    """`python -m sim run ARGS` with --seed, --jobs 2 and --no-charts."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            *args,
            "--seed",
            str(SEED),
            "--jobs",
            "2",
            "--no-charts",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env=env,
    )


@pytest.mark.parametrize("case", ["evidence_confident", "signposts_evidence"])
def test_sim_run_writes_the_exact_answers(tmp_path: Path, case: str):
    """End to end: `sim run --all-variants` reads the evidence and indicators of the file."""
    runs = EXPECTED[case]["runs"]
    proc = sim_run(str(CASES_DIR / f"{case}.yaml"), "--all-variants", "--runs", str(runs),
                   "--out", str(tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    for variant, want in EXPECTED[case]["variants"].items():
        summary = json.loads((tmp_path / variant / "summary.json").read_text(encoding="utf-8"))
        assert summary["variant"] == variant and summary["runs"] == runs
        assert check_evidence_summary(summary, want, runs) == [], variant


def test_sim_run_without_the_evidence_gives_the_prior(tmp_path: Path):
    """--no-evidence: results exactly as version 1, the prior of each outcome."""
    case, runs = "evidence_point", 20_000
    proc = sim_run(str(CASES_DIR / f"{case}.yaml"), "--no-evidence", "--runs", str(runs),
                   "--out", str(tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert "evidence" not in summary
    prior = EXPECTED[case]["variants"]["base"]["prior"]
    assert check_evidence_summary(summary, {"outcomes": prior}, runs) == []


def test_sim_run_as_of_and_an_evidence_file(tmp_path: Path):
    """--as-of 2025-06-01 keeps the May observation of evidence_point and drops September's;
    an evidence file's observation follows the file's own. Exact: the joint chain of
    derive.py with the observations in effect."""
    case, runs = "evidence_point", 20_000
    extra = tmp_path / "more.yaml"
    extra.write_text(
        "evidence:\n  - {date: 2025-05-15, when: s == loud, observed: true, confidence: 60%}\n",
        encoding="utf-8",
    )
    proc = sim_run(str(CASES_DIR / f"{case}.yaml"), "--evidence", str(extra), "--as-of",
                   "2025-06-01", "--runs", str(runs), "--out", str(tmp_path / "out"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    b, loud = (lambda x: x[0] == 1), (lambda x: x[1] == 1)
    seen = [Check(b, 120.0, confidence=0.9), Check(loud, 134.0, confidence=0.6)]
    outcomes = [Check(b, YEAR), Check(loud, YEAR), Check(lambda x: x == (1, 1), YEAR)]
    exact = answers(derive.point_chain(), seen, outcomes, YEAR)
    want = {
        "outcomes": dict(zip(("b", "loud", "both"), exact.posterior.tolist(), strict=True)),
        **derive.weight_keys(exact.moments),
    }
    assert summary["evidence"]["as_of"] == "2025-06-01"
    assert [i["date"] for i in summary["evidence"]["items"]] == ["2025-05-01", "2025-05-15"]
    assert check_evidence_summary(summary, want, runs) == []


def test_the_check_reads_first_time_medians():
    want = EXPECTED["evidence_confident"]["variants"]["slower"]
    assert want["first_time_median"] == {"b": None, "ever_b": None}
    summary = {"outcomes": {oid: {"probability": p, "prior_probability": want["prior"][oid],
                                  "first_time_median": None}
                            for oid, p in want["outcomes"].items()},
               "evidence": {"probability": want["evidence_probability"],
                            "effective_runs": 20_000 * want["ess_fraction"]}}  # fmt: skip
    assert check_evidence_summary(summary, want, 20_000) == []
    summary["outcomes"]["b"]["first_time_median"] = "2026-11-30"
    assert check_evidence_summary(summary, want, 20_000) == [
        "first_time_median(b): 2026-11-30, exact None"
    ]
