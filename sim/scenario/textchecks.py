"""Checks on a scenario file's text before ruamel.yaml reads it: cheap, and each one stops an
input that would make the YAML reader slow or read it with the wrong rules; and the search for
bidirectional controls in its text values (:func:`bidi_texts`), which the loader warns about."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from sim.errors import BIDI_CONTROLS, Problem, ScenarioError

__all__ = ["MAX_FLOW_DEPTH", "MAX_LINE", "bidi_texts", "check_text"]

#: Deepest nesting of ``[`` and ``{`` (the same as the document's nesting cap).
MAX_FLOW_DEPTH = 64
#: Longest line, in characters: ruamel.yaml scans a long comment in time quadratic in its length
#: (a 1 MB comment line took 15 to 30 s), so longer lines are refused before it reads them.
MAX_LINE = 10_000


def _fail(file: str, message: str, line: int, column: int):
    raise ScenarioError([Problem(file, line, column, message)])


def check_text(text: str, file: str) -> None:
    """Refuse a ``%YAML`` directive other than 1.2, ``[``/``{`` nested too deep, too long a line.

    Parameters
    ----------
    text : str
        The file's decoded text.
    file : str
        The name used in messages.

    Raises
    ------
    ScenarioError
        At the first such problem, with its line and column.
    """
    _check_directives(text, file)
    _check_brackets(text, file)
    _check_lines(text, file)


def _check_directives(text: str, file: str) -> None:
    """Refuse a ``%YAML`` directive other than 1.2 (YAML 1.1 would read ``no`` as false)."""
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line.startswith("%"):
            return
        m = re.match(r"^%YAML\s+(\S+)", line)
        if m and m.group(1) != "1.2":
            _fail(
                file,
                f"'%YAML {m.group(1)}' is not supported: scenario files are YAML 1.2 (where "
                "yes, no, on and off are plain words); remove this line",
                n,
                1,
            )


_BRACKET = re.compile(r"[\[\]{}]")


def _check_brackets(text: str, file: str) -> None:
    """Refuse ``[`` / ``{`` nested deeper than :data:`MAX_FLOW_DEPTH` before ruamel.yaml reads them.

    ruamel.yaml's scanner takes time quadratic in the flow nesting depth (a 10 kB line of
    ``[`` takes most of a minute), so the depth is measured first, by counting brackets. Brackets
    inside quoted text count too: only a file with more than MAX_FLOW_DEPTH unclosed ones is refused.
    """
    depth = 0
    for m in _BRACKET.finditer(text):
        if m.group() in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                i = m.start()
                _fail(
                    file,
                    f"'[' and '{{' nested more than {MAX_FLOW_DEPTH} deep (or left unclosed); "
                    "scenario files are capped there",
                    text.count("\n", 0, i) + 1,
                    i - (text.rfind("\n", 0, i) + 1) + 1,
                )
        elif depth:
            depth -= 1


def _check_lines(text: str, file: str) -> None:
    """Refuse a line longer than :data:`MAX_LINE` characters before ruamel.yaml reads it."""
    lines = text.splitlines()
    longest = max(range(len(lines)), key=lambda i: len(lines[i]), default=0)
    if lines and len(lines[longest]) > MAX_LINE:
        _fail(
            file,
            f"line is {len(lines[longest]):,} characters long; lines are capped at "
            f"{MAX_LINE:,} characters: shorten the comment or text, or split it over "
            "several lines",
            longest + 1,
            MAX_LINE + 1,
        )


def bidi_texts(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Each text value of ``data`` holding bidirectional controls, and which ones.

    An unclosed override (U+202E RIGHT-TO-LEFT OVERRIDE, ...) in a label reverses the text
    after it wherever the label is shown: "Trojan Source" (Boucher and Anderson, 2021,
    CVE-2021-42574). Reports show them written out and charts drop them, but the file itself
    then says something else than it appears to: the loader warns.

    Parameters
    ----------
    data : Any
        The document as plain values (mappings, lists, strings, numbers).
    path : tuple of str and int
        The data path of ``data`` in the document.

    Yields
    ------
    (tuple, str)
        The data path of a string holding any of :data:`sim.errors.BIDI_CONTROLS`, and their
        names (``"U+202E RIGHT-TO-LEFT OVERRIDE"``, comma-separated, each named once).
    """
    if isinstance(data, str):
        found = dict.fromkeys(BIDI_CONTROLS.findall(data))
        if found:
            yield path, ", ".join(f"U+{ord(c):04X} {unicodedata.name(c)}" for c in found)
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from bidi_texts(value, (*path, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            yield from bidi_texts(value, (*path, k))
