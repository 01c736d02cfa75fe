"""What a variant changes, in the variant's report and the comparison: each ``set`` path or
disabled event with its value before (the base) and after (the variant), as written.

Reads ``summary.json["variant_changes"]`` or ``comparison.json["variants"][id]["changes"]``
(lists of ``{"path", "before", "after"}``, :func:`sim.analysis.compare.changes_of`); every
value is the scenario's text and is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.report import html as h

__all__ = ["changes_list", "changes_section"]

ARROW = " \u2192 "


def _rows(changes: Any) -> list[Mapping[str, Any]]:
    if not isinstance(changes, Sequence) or isinstance(changes, str):
        return []
    return [c for c in changes if isinstance(c, Mapping) and isinstance(c.get("path"), str)]


def _value(value: Any) -> str:
    return '<span class="muted">not set</span>' if value is None else h.bdi(value)


def changes_list(changes: Any) -> str:
    """The changes as an HTML list, one ``<li>`` each: ``path``: before -> after; "" when
    there are none.

    Returns
    -------
    str
    """
    items = [
        f"<li><code>{h.escape(c['path'])}</code>: {_value(c.get('before'))}{ARROW}"
        f"{_value(c.get('after'))}</li>"
        for c in _rows(changes)
    ]
    return f'<ul class="changes">{"".join(items)}</ul>' if items else ""


def changes_section(summary: Mapping[str, Any]) -> str:
    """The variant report's "What this variant changes" section (a table of path, base value
    and this variant's value), or "" for the base case or a summary without changes.

    Returns
    -------
    str
        HTML: ``<section id="changes">``.
    """
    rows = [
        f"<tr><td><code>{h.escape(c['path'])}</code></td><td>{_value(c.get('before'))}</td>"
        f"<td>{_value(c.get('after'))}</td></tr>"
        for c in _rows(summary.get("variant_changes"))
    ]
    if not rows:
        return ""
    return "\n".join(
        [
            '<section id="changes">',
            "<h2>What this variant changes</h2>",
            h.table(["Path in the scenario file", "Base case", "This variant"], rows),
            '<p class="note">Everything else is as in the base case, and every run uses the '
            "same random numbers as the base case's run of the same number.</p>",
            "</section>",
        ]
    )
