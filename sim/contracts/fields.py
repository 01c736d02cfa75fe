"""Field types shared by the results-file models of :mod:`sim.contracts`."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

__all__ = [
    "REQUIRED",
    "Correlation",
    "Difference",
    "DifferenceInterval",
    "Interval",
    "Model",
    "NonNegative",
    "Number",
    "OptionalNonNegative",
    "OptionalNumber",
    "OptionalProbability",
    "ParameterName",
    "Probability",
    "Provenance",
    "Runs",
]

# --------------------------------------------------------------------------------------------
# Field types


def _number(low: float = -math.inf, high: float = math.inf, *, optional: bool = False) -> Any:
    """A finite number (not a bool) in ``[low, high]``; None too when ``optional``."""
    if math.isinf(low) and math.isinf(high):
        wanted = "a number"
    elif math.isinf(high):
        wanted = f"a number >= {low:g}"
    else:
        wanted = f"a number in [{low:g}, {high:g}]"

    def check(value: Any) -> Any:
        if value is None and optional:
            return value
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise PydanticCustomError("sim_value", f"must be {wanted}")
        return value

    return Annotated[Any, BeforeValidator(check)]


def _interval(low: float) -> Any:
    """``[low, high]``, two numbers in ``[low, 1]`` with low <= high, or None."""

    def check(value: Any) -> Any:
        if value is None:
            return value
        if not isinstance(value, list) or len(value) != 2:
            raise PydanticCustomError("sim_value", "must be [low, high]")
        for bound in value:
            if isinstance(bound, bool) or not isinstance(bound, int | float):
                raise PydanticCustomError("sim_value", f"must be two numbers in [{low:g}, 1]")
            if not math.isfinite(bound) or not low <= bound <= 1:
                raise PydanticCustomError("sim_value", f"must be two numbers in [{low:g}, 1]")
        if value[0] > value[1]:
            raise PydanticCustomError("sim_value", "must be [low, high] with low <= high")
        return value

    return Annotated[Any, BeforeValidator(check)]


def _whole(value: Any) -> Any:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise PydanticCustomError("sim_value", "must be a whole number >= 1")
    return value


def _name(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        raise PydanticCustomError("sim_value", "must be the name of an uncertain value")
    return value


Probability = _number(0.0, 1.0)
OptionalProbability = _number(0.0, 1.0, optional=True)
OptionalNonNegative = _number(0.0, optional=True)
NonNegative = _number(0.0)
Correlation = _number(-1.0, 1.0)
Difference = _number(-1.0, 1.0, optional=True)
Number = _number()
OptionalNumber = _number(optional=True)
Interval = _interval(0.0)
DifferenceInterval = _interval(-1.0)
Runs = Annotated[Any, BeforeValidator(_whole)]
ParameterName = Annotated[Any, BeforeValidator(_name)]
REQUIRED = Field(None, validate_default=True)  # absent reads as None, which then fails


class Model(BaseModel):
    """Base of the file models: unknown keys allowed, values not coerced on the way out."""

    model_config = ConfigDict(extra="allow")


class Provenance(Model):
    """How a file's runs were made (``settings`` of ``history.json`` and ``signposts.json``;
    the same keys are in the ``settings`` of ``summary.json`` and ``sensitivity.json``):
    worker processes (or a cluster's worker threads), the Dask scheduler (null: none), sim's
    version, the simulation's wall-clock seconds and the UTC time it was created. Results
    do not depend on them."""

    jobs: Runs = REQUIRED
    scheduler: str | None = None
    version: str
    elapsed_seconds: NonNegative = REQUIRED
    created: str
