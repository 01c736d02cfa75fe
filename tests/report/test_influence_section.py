"""The report's "How the tracks influence each other" section (sim.report.influence)."""

from __future__ import annotations

from sim.report import render_report
from tests.report.helpers import sample_summary, write_results_folder


def test_influence_chart_table_and_contents_entry(tmp_path):
    summary = sample_summary()
    summary["events"]["collapse"]["when"] = "us_posture == present"
    summary["influences"] = [
        {"source": "us_posture", "states": ["present"], "target": "security",
         "event": "collapse", "kind": "enables", "factor": None,
         "condition": "us_posture == present"},
        {"source": "security", "states": ["vacuum"], "target": "us_posture",
         "event": "returns", "kind": "speeds up", "factor": 2.5,
         "condition": "security == vacuum <b>"},
    ]  # fmt: skip
    folder = write_results_folder(tmp_path / "results", summary)
    written = render_report(folder)
    assert folder / "influence.png" in written
    page = (folder / "report.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="influence">') :]
    section = section[: section.index("</section>")]
    assert 'href="#influence"' in page
    assert "2 influences" in section
    assert section.count("data:image/png;base64,") == 1
    assert "<td>speeds up (\u00d72.5)</td>" in section
    assert "<td>enables</td>" in section
    assert "security == vacuum &lt;b&gt;" in section  # escaped
    assert "فراغ أمني" in section  # the state's label, not its id
    # grouped by the acting track in file order: us_posture's row first
    assert section.index("Collapse") < section.index("US returns")
