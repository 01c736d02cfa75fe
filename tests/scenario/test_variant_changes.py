"""A variant explains itself: its changes (path, value before, value after) are on the
Scenario, in summary.json and comparison.json, and in the variant's and the comparison's
reports, even without a description."""

from __future__ import annotations

from sim import load_scenario
from sim.analysis.compare import changes_of, compare
from sim.model.scenario import VariantChange
from sim.report.variants import changes_list, changes_section
from sim.runner import run_scenario

CHANGES = """
scenario: changes
start: 2025-01-01
horizon: 2 years
tracks:
  t: {states: [a, b, c], initial: a}
parameters:
  p: {value: 10% to 30%}
  q: {value: 0.5}
events:
  - {id: e, track: t, from: a, to: b, chance: $p within 1 year}
  - {id: f, track: t, from: b, to: c, after: 2 to 6 months}
  - {id: g, track: t, from: c, to: a, rate: $q per year, label: "<b>back</b>"}
outcomes:
  c: {when: t == c}
variants:
  many:
    set:
      events.f.at: 2026-03-01
      parameters.p: {uniform: [20%, 40%]}
      parameters.q.value: 0.25
      tracks.t.initial: b
      events.e.track: t
      horizon: 3 years
      events.g.label: "<script>x</script>"
    disable: [e]
"""


def test_changes_are_on_the_scenario_in_the_order_written(write_scenario):
    path = write_scenario(CHANGES)
    assert load_scenario(path).variant_changes == ()
    many = load_scenario(path, "many")
    assert many.variant_changes == (
        # a timing replaces the event's other timing: both said with their keys
        VariantChange("events.f.at", "after: 2 to 6 months", "at: 2026-03-01"),
        VariantChange("parameters.p", "10% to 30%", "{uniform: [20%, 40%]}"),
        VariantChange("parameters.q.value", "0.5", "0.25"),
        VariantChange("tracks.t.initial", "a", "b"),  # events.e.track: t changes nothing
        VariantChange("horizon", "2 years", "3 years"),
        VariantChange("events.g.label", "<b>back</b>", "<script>x</script>"),
        VariantChange("events.e", "enabled", "disabled"),
    )


def test_changes_reach_the_files_and_the_reports_escaped(write_scenario):
    path = write_scenario(CHANGES)
    results = {v: run_scenario(load_scenario(path, v), runs=20, seed=1, jobs=1)
               for v in ("base", "many")}  # fmt: skip
    comparison = compare(results)
    assert comparison["variants"]["base"]["changes"] == []
    rows = comparison["variants"]["many"]["changes"]
    assert rows == changes_of(results["many"].scenario) and len(rows) == 7
    assert rows[0] == {"path": "events.f.at", "before": "after: 2 to 6 months",
                       "after": "at: 2026-03-01"}  # fmt: skip
    listed = changes_list(rows)
    assert listed.count("<li>") == 7 and "<script>" not in listed
    assert "&lt;script&gt;x&lt;/script&gt;" in listed
    section = changes_section({"variant_changes": rows})
    assert section.startswith('<section id="changes">') and section.count("<tr>") == 8
    assert "<code>events.e</code></td><td><bdi>enabled</bdi></td><td><bdi>disabled</bdi>" in section
    assert changes_section({"variant_changes": []}) == "" and changes_list(None) == ""
