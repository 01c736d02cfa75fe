"""Reading the JSON files of a results folder with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.errors import SimError

__all__ = ["read_json"]


def read_json(path: Path, hint: str) -> Any:
    """Parse the JSON file ``path``.

    Raises
    ------
    SimError
        Missing (the message ends with ``hint``), unreadable, or not JSON (with line and
        column).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SimError(f"{path}: error: no such file; {hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SimError(f"{path}: error: cannot read it ({exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SimError(f"{path}:{exc.lineno}:{exc.colno}: error: not JSON: {exc.msg}") from None
