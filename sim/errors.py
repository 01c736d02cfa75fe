"""The project's error types.

Every error a user can cause derives from :class:`SimError`. Scenario problems carry where they
are (file, line, column), the key involved and a hint, and print as
``FILE:LINE:COL: error: MESSAGE``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "ScenarioError", "SimError", "SimulationError"]


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
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column or 1}"
        return f"{where}: {self.severity}: {self.message}"


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
