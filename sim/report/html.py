"""The HTML pieces every report page is built from: escaping, numbers, tables, figures, page.

A report page is one self-contained file: inline CSS, the PNG charts as ``data:`` URIs. Every
piece of text from a results file goes through :func:`escape` (or :func:`bdi` inline), and
elements holding such text carry ``dir="auto"``, so Arabic reads right to left. Functions
take plain values and escape them, except arguments named ``..._html`` (HTML already escaped);
all return HTML.
"""

from __future__ import annotations

import base64
import html
import math
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.analysis.words import format_probability
from sim.errors import show_bidi
from sim.plots import save_figure

__all__ = [
    "CSS",
    "DASH",
    "DOT",
    "MINUS",
    "bdi",
    "bidi_html",
    "direction",
    "document",
    "escape",
    "figure",
    "figures",
    "interval",
    "is_number",
    "label",
    "or_dash",
    "para",
    "pct",
    "save_chart",
    "settings_section",
    "table",
    "table_html",
]

DASH = "\u2014"  # an absent value
DOT = " \u00b7 "  # between items of a line of metadata
MINUS = "\u2212"  # a true minus sign, for signed numbers

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(value: Any) -> str:
    """Escaped text of ``value``; control characters (invalid in HTML) become spaces, and
    bidirectional overrides and isolates are written out (``\\u202e``,
    :func:`sim.errors.show_bidi`), so a label cannot reorder or disguise the text around it."""
    return html.escape(show_bidi(_CONTROL.sub(" ", str(value))), quote=True)


def bdi(value: Any) -> str:
    """Inline user text, escaped and isolated for bidirectional display."""
    return f"<bdi>{escape(value)}</bdi>"


def _strong(char: str) -> str | None:
    """``"rtl"`` or ``"ltr"`` for a strong character (bidi class R/AL or L), else None."""
    kind = unicodedata.bidirectional(char)
    return "rtl" if kind in ("R", "AL") else "ltr" if kind == "L" else None


def direction(text: Any) -> str:
    """The direction of ``text`` by the majority of its strong characters.

    Parameters
    ----------
    text : str
        Any text; counted by Unicode bidirectional class (R and AL right to left, L left to
        right; digits, punctuation and spaces do not count).

    Returns
    -------
    str
        ``"rtl"`` when right-to-left characters outnumber left-to-right ones, else ``"ltr"``
        (also for text with no strong character).
    """
    kinds = [k for k in map(_strong, str(text)) if k]
    return "rtl" if kinds.count("rtl") > kinds.count("ltr") else "ltr"


def bidi_html(text: Any, base: str | None = None) -> str:
    """``text`` escaped, each run of the direction opposite to ``base`` isolated.

    A run goes from a strong character of the other direction to the last such character
    before the next strong character of ``base`` (neutrals between them included), and is
    wrapped in ``<bdi dir="...">`` so its punctuation stays with it: "Why ...?" inside an
    Arabic paragraph keeps its question mark at its end.

    Parameters
    ----------
    text : str
        Plain text (not escaped).
    base : {"ltr", "rtl"}, optional
        The direction of the enclosing element; by default :func:`direction` of ``text``.

    Returns
    -------
    str
        HTML.
    """
    text = str(text)
    base = base or direction(text)
    out: list[str] = []
    start = end = None  # the current run of the other direction: [start, end]
    done = 0
    for i, char in enumerate(text):
        kind = _strong(char)
        if kind is None:
            continue
        if kind != base:
            start = i if start is None else start
            end = i
        elif start is not None:
            done = _isolate(out, text, done, start, end, base)
            start = None
    if start is not None:
        done = _isolate(out, text, done, start, end, base)
    out.append(escape(text[done:]))
    return "".join(out)


_RUN_PUNCTUATION = "?!\u061f"  # a question or exclamation mark ends the run it follows


def _isolate(out: list[str], text: str, done: int, start: int, end: int, base: str) -> int:
    """Append ``text[done:start]`` and the run ``text[start:end]`` (and a question mark right
    after it) isolated; return where the text goes on."""
    other = "rtl" if base == "ltr" else "ltr"
    while end + 1 < len(text) and text[end + 1] in _RUN_PUNCTUATION:
        end += 1
    out += [escape(text[done:start]), f'<bdi dir="{other}">{escape(text[start : end + 1])}</bdi>']
    return end + 1


def para(text: Any, tag: str = "p", attrs: str = "") -> str:
    """An element holding plain ``text``: its ``dir`` from the majority of its strong
    characters, each embedded run of the other direction isolated (:func:`bidi_html`).

    ``attrs`` is extra HTML attributes (e.g. ``'class="description"'``)."""
    base = direction(text)
    extra = f" {attrs}" if attrs else ""
    return f'<{tag} dir="{base}"{extra}>{bidi_html(text, base)}</{tag}>'


def label(meta: Any, fallback: str) -> str:
    """The non-blank ``label`` of ``meta`` (a mapping with a label, or the label itself), else
    ``fallback``; plain text, not escaped."""
    text = (
        meta.get("label") if isinstance(meta, Mapping) else meta if isinstance(meta, str) else None
    )
    return text.strip() if isinstance(text, str) and text.strip() else str(fallback)


def is_number(value: Any, low: float = -math.inf, high: float = math.inf) -> bool:
    """Whether ``value`` is a finite number (not a bool) in ``[low, high]``."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and low <= value <= high
    )


def pct(p: Any) -> str:
    """A probability as a percentage (:func:`sim.analysis.words.format_probability`); a dash
    when None or NaN."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return DASH
    return format_probability(float(p))


def interval(ci: Any) -> str:
    """``[low, high]`` as two percentages joined by an en dash; a dash when not a pair."""
    if not ci or len(ci) != 2:
        return DASH
    return f"{pct(ci[0])}\u2013{pct(ci[1])}"


def or_dash(value: Any) -> str:
    """``value`` escaped, or a dash when None or empty."""
    return DASH if value is None or value == "" else escape(value)


def table(head: list[str], rows: list[str]) -> str:
    """A table with plain-text header cells ``head`` and ``rows`` given as ``<tr>`` HTML."""
    return table_html([escape(h) for h in head], rows)


def table_html(head: list[str], rows: list[str]) -> str:
    """A table whose header cells are given as HTML (already escaped)."""
    th = "".join(f"<th>{h}</th>" for h in head)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def figure(
    path: Path | None, caption: str, absent_html: str, *, caption_html: str | None = None
) -> str:
    """The PNG chart at ``path`` inline (a ``data:`` URI) with its caption; ``absent_html``
    when there is no chart.

    ``caption`` is plain text; ``caption_html``, when given, is the caption as HTML instead
    (labels in it isolated with :func:`bdi`). The image's ``alt`` text is the caption, each
    ``<bdi>`` turned into the isolating characters FSI ... PDI (U+2068, U+2069).
    """
    if path is None:
        return absent_html
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    text_html = escape(caption) if caption_html is None else caption_html
    alt = _TAG.sub("", _BDI_CLOSE.sub("\u2069", _BDI_OPEN.sub("\u2068", text_html)))
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
        f"<figcaption>{text_html}</figcaption></figure>"
    )


_BDI_OPEN = re.compile(r"<bdi\b[^>]*>")
_BDI_CLOSE = re.compile(r"</bdi>")
_TAG = re.compile(r"<[^>]*>")


def figures(charts: Mapping[str, Path | None], name: str, caption: str, absent_html: str) -> str:
    """The chart ``name`` and its further pages ``name_2``, ``name_3``, ... (charts split to fit
    a slide), each with ``caption`` and "part k of n"; ``absent_html`` when there is none."""
    pages = [charts.get(name)]
    while charts.get(f"{name}_{len(pages) + 1}") is not None:
        pages.append(charts[f"{name}_{len(pages) + 1}"])
    if len(pages) == 1:
        return figure(pages[0], caption, absent_html)
    return "\n".join(
        figure(path, f"{caption} (part {k} of {len(pages)})", absent_html)
        for k, path in enumerate(pages, start=1)
    )


def save_chart(fig: Any, folder: Path, stem: str, written: list[Path]) -> Path:
    """Save ``fig`` as ``stem.png`` and ``stem.svg`` in ``folder`` (and close it), add both to
    ``written``; return the PNG's path."""
    png, svg = save_figure(fig, folder, stem)
    written += [png, svg]
    return png


def settings_section(
    items: list[tuple[str, str]], heading: str = "Run settings", note_html: str = ""
) -> str:
    """The settings section: rows of (name, plain text; value, HTML), then ``note_html``."""
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in items)
    return "\n".join(
        part
        for part in [
            '<section id="settings">',
            f"<h2>{escape(heading)}</h2>",
            f'<table class="settings"><tbody>{rows}</tbody></table>',
            note_html,
            "</section>",
        ]
        if part
    )


def document(title: str, css: str, body: list[str]) -> str:
    """A whole page: ``title`` (plain text) in the head with ``css`` inline, then the
    ``body`` parts (HTML; empty ones dropped), one per line."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title dir="auto">{escape(title)}</title>',
        f"<style>{css}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(p for p in parts if p)


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Naskh Arabic",
  "DejaVu Sans", Arial, sans-serif; color: #1d2330; max-width: 1150px; margin: 2rem auto;
  padding: 0 1.2rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d5dae3;
  padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin: 0.6rem 0 0.3rem; }
.meta, .muted, .note, figcaption { color: #5b6475; }
.note { font-size: 0.88rem; }
.description { max-width: 60rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #e3e7ee; padding: 0.32rem 0.6rem; text-align: start;
  vertical-align: top; }
thead th { background: #f3f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ci { color: #5b6475; font-size: 0.8rem; }
code { font-size: 0.88em; background: #f3f5f9; padding: 0 0.2em; border-radius: 3px; }
.tracks { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.barcell { width: 8rem; }
.bar { display: block; height: 0.75rem; margin-top: 0.2rem; background: #4c72b0; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eef0f4; }
table.settings th { text-align: start; font-weight: 600; background: none; }
a { color: #2452a4; }
"""
