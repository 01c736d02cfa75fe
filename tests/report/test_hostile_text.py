"""Hostile text stays text end to end (issue 14): labels, titles and sources written by an
attacker reach report.html and the SVG charts escaped, and only http(s) links are clickable."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

SCENARIO = """\
scenario: hostile_text
title: "<script>alert('title')</script> & co"
description: "<img src=x onerror=alert(1)>"
sources:
  - {title: "<b>bold</b>", url: "javascript:alert(1)"}
  - {title: data, url: "data:text/html,<script>alert(2)</script>"}
  - {title: fine, url: "https://example.org/a?b=1&c=2"}
start: 2025-01-01
horizon: 2025-12-31
tracks:
  t: {states: [a, b], initial: a, label: "<svg onload=alert(3)>"}
events:
  - {id: go, track: t, from: a, to: b, at: 2025-06-30, label: "</text><script>x</script>"}
outcomes:
  gone: {when: t == b, label: "<script>alert('label')</script>"}
"""


def test_report_and_svg_charts_keep_hostile_text_as_text(tmp_path):
    path = tmp_path / "hostile_text.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(path), "--runs", "50", "--jobs", "1",
         "--out", str(out)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(&#x27;label&#x27;)&lt;/script&gt;" in page
    hrefs = [h for h in re.findall(r"\bhref=\"([^\"]*)\"", page) if not h.startswith("#")]
    assert hrefs == ["https://example.org/a?b=1&amp;c=2"]
    for svg_path in sorted(out.glob("*.svg")):
        svg = svg_path.read_text(encoding="utf-8")
        elements = list(ET.fromstring(svg).iter())  # still well-formed XML
        tags = {e.tag.rsplit("}", 1)[-1] for e in elements}
        assert "script" not in tags and "img" not in tags, svg_path.name
        handlers = [a for e in elements for a in e.attrib if a.lower().startswith("on")]
        assert handlers == [], svg_path.name
    # the label did reach the chart, as escaped text
    assert "&lt;script&gt;alert('label')" in (out / "outcomes.svg").read_text(encoding="utf-8")
