"""Parsing quantities: durations, probabilities, numbers, ranges and distribution mappings.

Implements section 4 of SCENARIO_FORMAT.md. Every parser raises :class:`QuantityError` with a
message that names the fix; the caller adds the file position.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from sim.errors import did_you_mean, shorten
from sim.model.distributions import Distribution, fit_beta_90, lognormal_90
from sim.scenario.bounds import (
    DAYS_PER,
    MAX_DURATION_DAYS,
    MAX_DURATION_YEARS,
    MAX_NUMBER,
    MIN_DURATION_DAYS,
    MIN_PERIOD_DAYS,
    QuantityError,
    usable,
)

__all__ = [
    "DAYS_PER",
    "ParamRef",
    "QuantityError",
    "flow_text",
    "parse_chance",
    "parse_duration",
    "parse_fixed_probability",
    "parse_quantity",
    "parse_rate",
]

_UNITS = {**{u: u for u in DAYS_PER}, **{u + "s": u for u in DAYS_PER}}
_TERM = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(%|[A-Za-z]+)?$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
FAMILIES = ("uniform", "triangular", "pert", "lognormal", "exponential", "weibull", "gamma", "beta")


@dataclass(frozen=True)
class ParamRef:
    """A ``$name`` reference to a named parameter."""

    name: str


Quantity = Distribution | ParamRef


def _term(text: str) -> tuple[float, str | None]:
    m = _TERM.match(text.strip())
    shown = shorten(text.strip())  # quoted in messages
    if not m:
        raise QuantityError(f"'{shown}' is not a number with an optional unit or %")
    value = float(m.group(1))
    unit = m.group(2)
    if unit is not None and unit != "%":
        low = unit.lower()
        if low not in _UNITS:
            raise QuantityError(
                f"unknown unit '{unit}' in '{shown}'; use day(s), week(s), "
                f"month(s) or year(s){did_you_mean(low, _UNITS)}"
            )
        unit = _UNITS[low]
    return value, unit


def _as(value: float, unit: str | None, kind: str, text: str) -> float:
    """Convert one term to ``kind``'s unit (days, probability, number), checking its range."""
    text = shorten(text)  # (only quoted in messages)
    value += 0.0  # -0 is 0 (a rate of -0 would give waits of -inf days)
    if not math.isfinite(value):
        raise QuantityError(
            f"'{text}' is not a finite number; write a {_kind_example(kind)} within the "
            "bounds of the format (durations up to 10000 years, numbers up to 1e6)"
        )
    if kind == "duration":
        if unit is None:
            raise QuantityError(f"'{text}' needs a unit: write e.g. '{_fmt(value)} months'")
        if unit == "%":
            raise QuantityError(
                f"'{text}' is a percentage where a duration is expected; write e.g. '6 months'"
            )
        if value <= 0:
            raise QuantityError(
                f"duration '{text}' must be positive (durations are strictly positive)"
            )
        days = value * DAYS_PER[unit]
        if not days <= MAX_DURATION_DAYS:
            raise QuantityError(
                f"duration '{text}' is longer than {MAX_DURATION_YEARS:,} years, the longest "
                "a file may hold; write at most 10000 years"
            )
        if days < MIN_DURATION_DAYS:
            raise QuantityError(
                f"duration '{text}' is shorter than {MIN_DURATION_DAYS:g} days, the shortest a "
                "file may hold; write at least 1e-300 days"
            )
        return days
    if kind == "probability":
        if unit == "%":
            value /= 100
        elif unit is not None:
            raise QuantityError(
                f"'{text}' has a unit where a probability is expected; write e.g. '25%' or '0.25'"
            )
        elif value > 1:
            raise QuantityError(
                f"probability {_fmt(value)} is above 1; write {_fmt(value)}% for a percentage"
            )
        if not 0 <= value <= 1:
            raise QuantityError(f"probability '{text}' must be between 0% and 100%")
        return value
    if unit == "%":
        raise QuantityError(
            f"'{text}' is a percentage where a plain number is expected; write {_fmt(value / 100)}"
        )
    if unit is not None:
        raise QuantityError(f"'{text}' has a unit where a plain number is expected")
    if value < 0:
        raise QuantityError(f"'{text}' must not be negative")
    if value > MAX_NUMBER:
        raise QuantityError(
            f"number '{text}' is above {MAX_NUMBER:g}, the largest a file may hold; write at "
            f"most {MAX_NUMBER:g}"
        )
    return value


def _fmt(x: float) -> str:
    return f"{x:g}"


def guess_kind(value: Any) -> str:
    """The kind a parameter value looks like when no use says: % -> probability, unit -> duration."""
    text = value if isinstance(value, str) else str(value)
    if "%" in text:
        return "probability"
    if re.search(r"\d\s*(day|week|month|year)", text):
        return "duration"
    return "number"


def parse_duration(value: Any) -> float:
    """A fixed duration ``N UNIT`` in days.

    Raises
    ------
    QuantityError
        Not a positive number with a unit.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise QuantityError("expected a duration such as '6 months'")
    text = str(value).strip()
    if text.lower() in _UNITS:  # a bare unit, as in "0.5 per year"
        return DAYS_PER[_UNITS[text.lower()]]
    v, unit = _term(text)
    return _as(v, unit, "duration", text)


def parse_fixed_probability(value: Any) -> float:
    """A fixed probability (``25%`` or ``0.25``) in [0, 1].

    Raises
    ------
    QuantityError
        Not a probability.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise QuantityError("expected a probability such as 25% or 0.25")
    text = str(value).strip()
    v, unit = _term(text)
    return _as(v, unit, "probability", text)


def parse_quantity(value: Any, kind: str, *, allow_param: bool = True) -> Quantity:
    """Parse a quantity of the given kind: fixed value, ``A to B``, mapping, or ``$param``.

    Parameters
    ----------
    value : str, int, float or dict
        As read from YAML.
    kind : {'duration', 'probability', 'number'}
        What the place that uses it expects.
    allow_param : bool
        Whether ``$name`` references are allowed here.

    Returns
    -------
    Distribution or ParamRef

    Raises
    ------
    QuantityError
        Malformed, out of range, or a form not allowed for ``kind``.
    """
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"expected a {_kind_example(kind)}, not {value!r}")
    if isinstance(value, dict):
        return usable(_mapping(value, kind))
    if isinstance(value, list):
        raise QuantityError(
            f"expected a {_kind_example(kind)}, not a list; for a distribution "
            "write e.g. {uniform: [A, B]}"
        )
    text = str(value).strip()
    shown = shorten(text)  # quoted in messages
    if text.startswith("$"):
        name = text[1:]
        if not allow_param:
            raise QuantityError(f"'{shown}': a parameter cannot be used here (fixed values only)")
        if not _ID.match(name):
            raise QuantityError(
                f"'{shown}' is not a valid parameter reference ($ followed by an id)"
            )
        return ParamRef(name)
    if re.search(r"\s+to\s+", text):
        left, right = re.split(r"\s+to\s+", text, maxsplit=1)
        a, ua = _term(left)
        b, ub = _term(right)
        if ua is None and ub is not None and ub != "%":
            ua = ub
        if ua is None and ub == "%":
            ua = "%"
        lo = _as(a, ua, kind, left)
        hi = _as(b, ub, kind, right)
        if lo == hi:
            raise QuantityError(
                f"range '{shown}' has equal ends; write the single value '{right.strip()}' for "
                "a known quantity, or two different ends for an uncertain one"
            )
        if not lo < hi:
            raise QuantityError(
                f"range '{shown}' must go from low to high (A < B); did you mean "
                f"'{_reversed(left.strip(), right.strip())}'?"
            )
        if kind == "probability":
            if lo <= 0 or hi >= 1:
                raise QuantityError(
                    f"probability range '{shown}' must lie strictly between 0% "
                    "and 100% (a beta is fitted to it)"
                )
            try:
                al, be = fit_beta_90(lo, hi)
            except ValueError as exc:
                raise QuantityError(f"'{shown}': {exc}") from None
            return usable(Distribution("beta", (al, be, 0.0, 1.0), kind, text))
        if lo <= 0:
            raise QuantityError(f"range '{shown}' must be positive (a lognormal is fitted to it)")
        return usable(Distribution("lognormal", lognormal_90(lo, hi), kind, text))
    v, unit = _term(text)
    return Distribution("fixed", (_as(v, unit, kind, text),), kind, text)


def _reversed(left: str, right: str) -> str:
    """``A to B`` written the other way round, keeping a unit given once at the end."""
    m = re.match(r"^(\S+?)\s*(%|[A-Za-z]+)$", right)
    if m and not re.search(r"[%A-Za-z]\s*$", left):
        sep = "" if m.group(2) == "%" else " "
        return f"{m.group(1)} to {left}{sep}{m.group(2)}"
    return f"{right} to {left}"


def flow_text(value: Any) -> str:
    """A YAML value written back in flow style (``[2 months, 6 months]``, ``{mean: 3}``)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow_text(v) for v in value) + "]"
    return str(value)


def _kind_example(kind: str) -> str:
    return {
        "duration": "duration such as '6 months'",
        "probability": "probability such as 25%",
        "number": "number such as 2",
    }[kind]


def _args(value: Any, n: int, family: str) -> list:
    if not isinstance(value, list) or len(value) != n:
        raise QuantityError(
            f"'{family}' takes a list of {n} values, e.g. {{{family}: [{', '.join('ABC'[:n])}]}}"
        )
    return value


def _named(value: Any, family: str, allowed: list[tuple[str, ...]]) -> dict:
    if not isinstance(value, dict) or tuple(sorted(value)) not in [
        tuple(sorted(a)) for a in allowed
    ]:
        forms = " or ".join("{" + ", ".join(f"{k}: ..." for k in a) + "}" for a in allowed)
        raise QuantityError(f"'{family}' takes {forms}")
    return value


def _mapping(value: dict, kind: str) -> Distribution:
    if len(value) != 1:
        raise QuantityError("a distribution is a mapping with one key, e.g. {uniform: [A, B]}")
    ((family, arg),) = value.items()
    if family not in FAMILIES:
        raise QuantityError(
            f"unknown distribution '{family}'; use one of "
            f"{', '.join(FAMILIES)}{did_you_mean(family, FAMILIES)}"
        )
    text = f"{family} {flow_text(arg)}"
    if kind == "probability" and family not in ("uniform", "triangular", "pert", "beta"):
        raise QuantityError(
            f"'{family}' is not allowed for a probability; use A to B, uniform, "
            "triangular, pert or beta"
        )
    if kind != "probability" and family == "beta":
        raise QuantityError("'beta' is only for probabilities")
    args = _Args(family, kind)
    if family in ("uniform", "triangular", "pert"):
        return _bounded(args, arg, text)
    if family == "lognormal":
        return _lognormal(args, arg, text)
    if family == "exponential":
        d = _named(arg, family, [("mean",)])
        mean = args.num(d["mean"])
        if mean <= 0:
            raise QuantityError("exponential needs a positive mean")
        return Distribution("exponential", (mean,), kind, text)
    if family in ("weibull", "gamma"):
        second = "scale" if family == "weibull" else "mean"
        d = _named(arg, family, [("shape", second)])
        shape = args.plain(d["shape"])
        other = args.num(d[second])
        if shape <= 0 or other <= 0:
            raise QuantityError(f"{family} needs a positive shape and {second}")
        return Distribution(family, (shape, other), kind, text)
    return _beta(args, arg, text)  # probabilities only


@dataclass(frozen=True)
class _Args:
    """Reads the arguments of one distribution mapping, as values of its kind."""

    family: str
    kind: str

    def fixed(self, x: Any) -> str:
        """The text of one argument, which must be a fixed value."""
        if isinstance(x, bool) or not isinstance(x, str | int | float):
            shown = "a list" if isinstance(x, list) else "a mapping" if isinstance(x, dict) else x
            raise QuantityError(f"'{self.family}' arguments are fixed values, not {shown!s}")
        s = str(x).strip()
        if s.startswith("$"):
            raise QuantityError(
                f"'{self.family}' arguments are fixed values, not parameters ('{s}')"
            )
        return s

    def num(self, x: Any) -> float:
        """An argument in the distribution's kind (durations in days)."""
        s = self.fixed(x)
        v, unit = _term(s)
        return _as(v, unit, self.kind, s)

    def plain(self, x: Any) -> float:
        """A shape parameter: a plain number, whatever the kind."""
        s = self.fixed(x)
        return _as(*_term(s), "number", s)

    def nonneg(self, x: Any) -> float:
        """A uniform/triangular/PERT bound: may be 0 for probabilities and numbers."""
        if self.kind == "duration":
            s = self.fixed(x)
            v, unit = _term(s)
            if v == 0 and unit not in (None, "%"):
                return 0.0
            if v < 0:
                raise QuantityError(f"duration '{s}' must not be negative")
            return _as(v, unit, "duration", s)
        return self.num(x)


def _bounded(args: _Args, arg: Any, text: str) -> Distribution:
    """Uniform [A, B], triangular [min, mode, max], or PERT (a scaled beta)."""
    family, kind = args.family, args.kind
    if family == "uniform":
        lo, hi = (args.nonneg(x) for x in _args(arg, 2, family))
        if not lo < hi:
            raise QuantityError(f"uniform needs A < B, got {arg}")
        return Distribution("uniform", (lo, hi), kind, text)
    lo, mode, hi = (args.nonneg(x) for x in _args(arg, 3, family))
    if not (lo <= mode <= hi and lo < hi):
        raise QuantityError(f"{family} needs min <= mode <= max with min < max, got {arg}")
    if family == "triangular":
        return Distribution("triangular", (lo, mode, hi), kind, text)
    a = 1 + 4 * (mode - lo) / (hi - lo)
    b = 1 + 4 * (hi - mode) / (hi - lo)
    return Distribution("beta", (a, b, lo, hi - lo), kind, text)


def _lognormal(args: _Args, arg: Any, text: str) -> Distribution:
    """Lognormal from {median, p90} or {p5, p95}."""
    d = _named(arg, "lognormal", [("median", "p90"), ("p5", "p95")])
    if "median" in d:
        med, q = args.num(d["median"]), args.num(d["p90"])
        if not 0 < med < q:
            raise QuantityError("lognormal needs 0 < median < p90")
        return Distribution(
            "lognormal", (math.log(med), math.log(q / med) / 1.2815515655446004), args.kind, text
        )
    a, b = args.num(d["p5"]), args.num(d["p95"])
    if not 0 < a < b:
        raise QuantityError("lognormal needs 0 < p5 < p95")
    return Distribution("lognormal", lognormal_90(a, b), args.kind, text)


def _beta(args: _Args, arg: Any, text: str) -> Distribution:
    """Beta from shapes [a, b] or {mean, sd}; probabilities only."""
    kind = args.kind
    if isinstance(arg, list):
        a, b = (args.plain(x) for x in _args(arg, 2, "beta"))
        if a <= 0 or b <= 0:
            raise QuantityError("beta needs positive shapes a and b")
        return Distribution("beta", (a, b, 0.0, 1.0), kind, text)
    d = _named(arg, "beta", [("mean", "sd")])
    m = args.num(d["mean"])
    sd = _as(*_term(args.fixed(d["sd"])), "probability", args.fixed(d["sd"]))
    if not (0 < m < 1 and sd > 0 and sd**2 < m * (1 - m)):
        raise QuantityError("beta {mean, sd} needs 0 < mean < 1 and sd^2 < mean (1 - mean)")
    k = m * (1 - m) / sd**2 - 1
    return Distribution("beta", (m * k, (1 - m) * k, 0.0, 1.0), kind, text)


def _split(value: str, word: str, example: str) -> tuple[str, str]:
    parts = re.split(rf"\s+{word}\s+", value.strip())
    if len(parts) != 2:
        raise QuantityError(f"'{value}' should read like '{example}'")
    return parts[0], parts[1]


def _period(value: Any, word: str) -> float:
    """The D of ``within D`` / ``per D`` in days: a fixed duration of at least a day."""
    days = parse_duration(value)
    if days < MIN_PERIOD_DAYS:
        raise QuantityError(
            f"'{word} {str(value).strip()}' is shorter than a day, the shortest period a "
            f"chance or rate may have; write '{word} 1 day' or longer (e.g. '24 per day')"
        )
    return days


def parse_chance(value: Any) -> tuple[Any, float, str]:
    """Split a ``chance`` into (raw P, D in days, text).

    Accepts ``"P within D"`` and ``{p: P, within: D}``; P is parsed by the caller (it may be a
    parameter or a distribution).

    Raises
    ------
    QuantityError
        Neither form.
    """
    if isinstance(value, dict):
        if set(value) != {"p", "within"}:
            raise QuantityError(
                "chance as a mapping is {p: P, within: D}, e.g. {p: 25%, within: 1 year}"
            )
        p, d = value["p"], value["within"]
        return p, _period(d, "within"), f"{flow_text(p)} within {d}"
    if not isinstance(value, str):
        raise QuantityError("chance reads 'P within D', e.g. '25% within 12 months'")
    p, d = _split(value, "within", "25% within 12 months")
    return p, _period(d, "within"), value


def parse_rate(value: Any) -> tuple[Any, float, str]:
    """Split a ``rate`` ``"R per D"`` into (raw R, D in days, text).

    Raises
    ------
    QuantityError
        Not of that form.
    """
    if isinstance(value, dict):
        if set(value) != {"r", "per"}:
            raise QuantityError("rate as a mapping is {r: R, per: D}, e.g. {r: 0.5, per: 1 year}")
        r, d = value["r"], value["per"]
        return r, _period(d, "per"), f"{flow_text(r)} per {d}"
    if not isinstance(value, str):
        raise QuantityError("rate reads 'R per D', e.g. '0.5 per year'")
    r, d = _split(value, "per", "0.5 per year")
    if "%" in r:
        raise QuantityError(
            f"a rate is a plain number of events per period, not '{r}'; for a "
            "probability use chance: P within D"
        )
    return r, _period(d, "per"), value
