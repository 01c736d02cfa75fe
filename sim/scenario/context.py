"""What every step of compiling a scenario shares: the file, the problems found, the names.

:class:`CompileContext` holds the file as read (for positions), its structurally valid form, the
problems found so far and the names known (tracks and their states, parameters, per-run
slots); it reports problems at their ``FILE:LINE:COL`` and checks ids, dates and conditions.
The steps themselves live beside it: :mod:`sim.scenario.values` (per-run values and
parameters), :mod:`sim.scenario.events` and :mod:`sim.scenario.timing`,
:mod:`sim.scenario.reachability`, and :mod:`sim.scenario.compile` (the whole file).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sim.errors import Problem, shorten
from sim.model.conditions import Condition
from sim.model.scenario import Slot
from sim.scenario.conditions import KEYWORDS, ConditionError, parse_condition
from sim.scenario.schema import ParameterSpec, ScenarioFile
from sim.scenario.yamlio import Document

__all__ = ["ID_RE", "MAX_ID", "CompileContext"]

#: What an id looks like: lower snake_case.
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Longest id, in characters (ids name folders and columns).
MAX_ID = 64


class CompileContext:
    """The state shared by the steps that compile one scenario file.

    Parameters
    ----------
    doc : Document
        The file as read, for the positions of problems.
    spec : ScenarioFile
        The structurally validated file (after any variant's changes).
    variant : str
        ``base``, or the id of the variant whose changes ``spec`` holds.

    Attributes
    ----------
    problems : list of Problem
        Every problem found so far, errors and warnings, in the order found.
    params : dict of str to ParameterSpec
        The named parameters, in file order.
    slot_of : dict of str to int
        Parameter name -> its per-run slot (parameters take the first slots, in file order).
    slots : list of Slot
        The unnamed uncertain values found so far; they follow the parameters' slots.
    param_uses : dict of str to list of (str, tuple)
        Parameter name -> (kind used as, data path) of each use, in the order found.
    track_states : dict of str to tuple of str
        Track id -> its states, once the tracks are compiled (conditions need them).
    track_ids : list of str
        The track ids in file order, once the tracks are compiled.
    """

    def __init__(self, doc: Document, spec: ScenarioFile, variant: str = "base"):
        self.variant = variant
        self.doc = doc
        self.spec = spec
        self.problems: list[Problem] = []
        self.params: dict[str, ParameterSpec] = dict(spec.parameters or {})
        self.slot_of: dict[str, int] = {pid: k for k, pid in enumerate(self.params)}
        self.slots: list[Slot] = []
        self.param_uses: dict[str, list[tuple[str, tuple]]] = {}
        self.track_states: dict[str, tuple[str, ...]] = {}
        self.track_ids: list[str] = []

    # -- reporting -------------------------------------------------------------------------
    def error(
        self,
        path: tuple,
        message: str,
        *,
        key: bool = False,
        offset: int = 0,
        severity: str = "error",
    ) -> None:
        """Record a problem at the value (or the key, with ``key``) written at data ``path``.

        Parameters
        ----------
        path : tuple of str and int
            Data path of the offending value, e.g. ``("events", 3, "chance")``.
        message : str
            What is wrong and how to fix it.
        key : bool, optional
            Point at the mapping key rather than its value.
        offset : int, optional
            0-based character offset inside the value (a condition's bad token); a quoted
            scalar's opening quote is skipped.
        severity : str, optional
            ``"error"`` or ``"warning"``.
        """
        pos = self.doc.positions.of(path, key=key)
        col = pos.column + offset + (1 if offset and pos.style in ("'", '"') else 0)
        self.problems.append(Problem(self.doc.file, pos.line, col, message, severity))

    def warn(self, path: tuple, message: str, *, key: bool = False) -> None:
        """Record a warning at data ``path`` (see :meth:`error`)."""
        self.error(path, message, key=key, severity="warning")

    def has_errors(self) -> bool:
        """True when any problem found so far is an error."""
        return any(p.severity == "error" for p in self.problems)

    # -- ids, dates, conditions --------------------------------------------------------------
    def check_id(self, ident: str, path: tuple, what: str, *, key: bool = True) -> bool:
        """Check that ``ident`` is a usable id; record an error and return False if not.

        An id is lower snake_case, at most :data:`MAX_ID` characters, and not a word of the
        condition language.
        """
        if isinstance(ident, str) and len(ident) > MAX_ID:
            self.error(
                path,
                f"{what} id '{ident[:20]}...' is {len(ident)} characters long; "
                f"ids have at most {MAX_ID} (they name folders and columns): shorten it",
                key=key,
            )
            return False
        if not isinstance(ident, str) or not ID_RE.match(ident):
            self.error(
                path,
                f"{what} id '{ident}' is not valid: ids are lower snake_case "
                f"(^[a-z][a-z0-9_]*$), e.g. '{_snake(ident)}'",
                key=key,
            )
            return False
        if ident in KEYWORDS:
            self.error(
                path,
                f"{what} id '{ident}' is a word of the condition language "
                f"({', '.join(sorted(KEYWORDS))}); choose another id",
                key=key,
            )
            return False
        return True

    def date(self, value: Any, path: tuple, what: str) -> dt.date | None:
        """``value`` as a date (ISO text or a date); None after recording an error."""
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(path, f"'{what}' must be a date such as 2026-09-30, not '{shorten(value)}'")
            return None

    def start_date(self) -> dt.date | None:
        """The file's ``start`` as a date, or None when it is not one (reported elsewhere)."""
        s = self.spec.start
        if isinstance(s, dt.date):
            return s
        try:
            return dt.date.fromisoformat(str(s).strip())
        except ValueError:
            return None

    def condition(self, text: Any, path: tuple) -> Condition | None:
        """Parse a condition over the compiled tracks; None after recording an error."""
        try:
            return parse_condition(text, self.track_states)
        except ConditionError as exc:
            shown = str(text) if len(str(text)) <= 80 else str(text)[:77] + "..."
            self.error(path, f"condition '{shown}': {exc}", offset=exc.offset)
            return None


def _snake(text: Any) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return s if s and s[0].isalpha() else f"x_{s}"
