"""The typed models of the results files: what the writers write fits them, and a file that
does not fit stops the report with a message naming the file, the key and what to do."""

from __future__ import annotations

import json

import pydantic
import pytest

from sim import SimError, load_scenario
from sim import contracts as c
from sim.analysis.compare import compare
from sim.experiments import run_sobol, run_tornado
from sim.runner import run_scenario
from tests.experiments.test_experiments import UNIFORM_CHANCE


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = tmp_path_factory.mktemp("contracts") / "uniform_chance.yaml"
    path.write_text(UNIFORM_CHANCE, encoding="utf-8")
    return load_scenario(path)


def test_written_files_fit_their_models(scenario, tmp_path):
    from sim.report.files import write_comparison, write_results, write_sensitivity

    results = run_scenario(scenario, runs=200, seed=1, jobs=1)
    write_results(results, tmp_path)
    summary = c.read_summary(tmp_path / "summary.json")
    assert summary["runs"] == 200 and set(summary["outcomes"]) == {"b"}
    write_comparison(compare({"base": results}), tmp_path, charts=False)
    assert c.read_comparison(tmp_path / "comparison.json")["variants"].keys() == {"base"}
    for result in (
        run_tornado(scenario, runs=50, seed=1, jobs=1),
        run_sobol(scenario, samples=4, runs=20, seed=1, jobs=1),
    ):
        data = result.to_dict()
        write_sensitivity(data, tmp_path, charts=False)
        text = (tmp_path / "sensitivity.json").read_text(encoding="utf-8")
        assert text == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        assert c.read_sensitivity(tmp_path / "sensitivity.json")["method"] == data["method"]


def test_a_writer_cannot_write_a_file_that_does_not_fit():
    with pytest.raises(pydantic.ValidationError):
        c.dump(c.SummaryFile, {"outcomes": {"o": {"probability": 1.2}}})
    with pytest.raises(pydantic.ValidationError):
        c.dump(c.TornadoFile, {"method": "sobol", "outcomes": {}})


def test_dump_writes_the_data_as_given():
    data = {"outcomes": {"o": {"probability": 1, "label": "\u0641\u0631\u0627\u063a"}}, "x": 1}
    assert c.dump(c.SummaryFile, data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            {"outcomes": {"o": {"probability": 0.5, "ci95": [0.6, 0.2]}}},
            "outcomes.o.ci95 must be [low, high] with low <= high, got [0.6, 0.2]",
        ),
        ({"outcomes": {"o": {"probability": 0.5}}, "runs": 0}, "key 'runs' must be a whole"),
        (
            {"outcomes": {"o": {"probability": 0.5}}, "importance": {"o": [{"rho": 0.1}]}},
            "importance.o[0].parameter is missing",
        ),
        (
            {"outcomes": {"o": {"probability": 0.5}}, "events": {"e": {"mean_fires": -1}}},
            "events.e.mean_fires must be a number >= 0, got -1",
        ),
    ],
)
def test_summary_errors_name_the_file_the_key_and_the_fix(tmp_path, content, message):
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(SimError) as info:
        c.read_summary(path)
    text = str(info.value)
    assert text.startswith(f"{path}: error: ")
    assert message in text
    assert text.endswith("run `sim run FILE --out DIR` to make a results folder")


def test_unknown_keys_are_allowed(tmp_path):
    path = tmp_path / "summary.json"
    path.write_text(json.dumps({"outcomes": {"o": {"probability": 0, "new": 1}}, "later": []}))
    assert c.read_summary(path)["later"] == []
