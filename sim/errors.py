"""The project's error types.

Every error a user can cause derives from :class:`SimError`. Scenario problems carry where they
are (file, line, column), the key involved and a hint, and print as
``FILE:LINE:COL: error: MESSAGE``. :func:`did_you_mean` writes every "did you mean" hint.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BIDI_CONTROLS",
    "Problem",
    "ScenarioError",
    "SimError",
    "SimulationError",
    "closest",
    "did_you_mean",
    "drop_bidi",
    "printable",
    "shorten",
    "show_bidi",
]


def closest(word: Any, choices: Iterable[Any], *, cutoff: float = 0.6) -> str | None:
    """The known name closest to ``word``, or None when none is close enough.

    Parameters
    ----------
    word : str or Any
        The name as the user wrote it; compared as ``str(word)``.
    choices : iterable
        The names that would have been valid, each compared as ``str(choice)``.
    cutoff : float
        Similarity in [0, 1] below which nothing is returned (``difflib``'s ratio; 0.6 is
        ``difflib.get_close_matches``'s own default).

    Returns
    -------
    str or None
        The single closest choice (as a string), or None.

    Raises
    ------
    ValueError
        ``cutoff`` is outside [0, 1] (raised by ``difflib``).
    """
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: Any, choices: Iterable[Any], *, cutoff: float = 0.6) -> str:
    """The hint that ends a message about an unknown name: the closest known name, if any.

    Parameters
    ----------
    word : str or Any
        The name as the user wrote it; compared as ``str(word)``.
    choices : iterable
        The names that would have been valid, each compared as ``str(choice)``.
    cutoff : float
        Similarity in [0, 1] below which nothing is suggested (``difflib``'s ratio; 0.6 is
        ``difflib.get_close_matches``'s own default).

    Returns
    -------
    str
        ``"; did you mean 'x'?"`` naming the single closest choice, or ``""`` when none is
        close enough.

    Raises
    ------
    ValueError
        ``cutoff`` is outside [0, 1] (raised by ``difflib``).

    Examples
    --------
    >>> did_you_mean("modifers", ["when", "modifiers"])
    "; did you mean 'modifiers'?"
    >>> did_you_mean("zzz", ["when", "modifiers"])
    ''
    """
    name = closest(word, choices, cutoff=cutoff)
    return "" if name is None else f"; did you mean '{name}'?"


class SimError(Exception):
    """Base class of every error the user can cause; the CLI prints it without a traceback."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario file.

    Attributes
    ----------
    file : str
        The file's path as given by the user.
    line, column : int or None
        1-based position of the offending value, or None when the file could not be read as
        YAML text at all.
    message : str
        What is wrong, naming the key and the fix.
    severity : str
        ``"error"`` or ``"warning"``.
    """

    file: str
    line: int | None
    column: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        """``FILE:LINE:COL: SEVERITY: MESSAGE`` on one line: control characters (a newline in
        a key, a terminal escape) are shown escaped, as Python writes them in strings."""
        file = printable(self.file)
        where = file if self.line is None else f"{file}:{self.line}:{self.column or 1}"
        return f"{where}: {self.severity}: {printable(self.message)}"


#: Characters shown escaped in messages: C0 and C1 controls, and the bidirectional overrides
#: and isolates that can make a terminal show text other than what is in the file.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


#: The bidirectional embeddings, overrides and isolates (U+202A-202E LRE, RLE, PDF, LRO, RLO and
#: U+2066-2069 LRI, RLI, FSI, PDI): left unclosed in a label, they reorder the text after it
#: ("Trojan Source", CVE-2021-42574).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def show_bidi(text: str) -> str:
    """``text`` with each bidirectional control (:data:`BIDI_CONTROLS`) written out as
    ``\\u202e``, so it is seen and reorders nothing.

    Parameters
    ----------
    text : str
        User text (a label, title or description).

    Returns
    -------
    str
        The same text, each control replaced by six visible characters.
    """
    return BIDI_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def drop_bidi(text: str) -> str:
    """``text`` without its bidirectional controls (:data:`BIDI_CONTROLS`)."""
    return BIDI_CONTROLS.sub("", text)


#: Longest quotation of a file's content in a message, in characters.
MAX_QUOTE = 60


def shorten(value: Any, limit: int = MAX_QUOTE) -> str:
    """``str(value)`` cut to ``limit`` characters, the cut marked with ``...``: what a message
    quotes from a file (a value, a token, a whole file that is not YAML) stays one short line.

    Parameters
    ----------
    value : Any
        The quoted text (or a value, shown with ``str``).
    limit : int
        The longest result, in characters, ``...`` included.

    Returns
    -------
    str
        The text itself when short enough, else its first ``limit - 3`` characters and ``...``.
    """
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def printable(text: str) -> str:
    """``text`` with control characters escaped as Python writes them (``\\n``, ``\\x1b``).

    Parameters
    ----------
    text : str
        A message or file name that may quote a user's key or value.

    Returns
    -------
    str
        The same text on one line, safe to print to a terminal.
    """
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


class ScenarioError(SimError):
    """A scenario file is invalid.

    Parameters
    ----------
    problems : list of Problem
        Every problem found (errors and warnings); at least one is an error.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error``."""
        return [p for p in self.problems if p.severity == "error"]


class SimulationError(SimError):
    """A run cannot go on (for example an instantaneous loop of firings)."""
