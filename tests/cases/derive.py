"""The exact answers of the cases in this folder, derived in closed form.

Each ``case_*`` function returns the expected results of one case file, ``NAME.yaml``, as
``{"variants": {VARIANT: {"outcomes": {ID: p}, "first_time_median": {ID: date}}},
"derivation": {ID: text}}``. The numbers come from the formulas alone (scipy for ``expm``,
the Gamma CDF and one-dimensional integrals), never from a simulation. ``expected.json`` is
this module's output; ``python -m tests.cases.derive`` (from the repository root) rewrites it,
and the tests check that the file and the formulas agree.

Units: time in days as in the engines, or in years where a case's rates are per year (one
year is 365.25 days, one month 365.25 / 12 days).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
from scipy import integrate, linalg, stats

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected.json"
RUNS = 20_000  # replications per case and variant in the tests
YEAR = 365.25
MONTH = YEAR / 12


def exposure(rate: float, years: float) -> float:
    """P(an exponential event with ``rate`` per year fires within ``years``): 1 - exp(-rT)."""
    return 1.0 - math.exp(-rate * years)


def case_one_rate() -> dict:
    """One rate of 0.8 a year; horizon 18 months, 3 years, and the rate halved."""
    return {
        "variants": {
            "base": {"outcomes": {"shut": exposure(0.8, 1.5)}},
            "three_years": {"outcomes": {"shut": exposure(0.8, 3.0)}},
            "halved": {"outcomes": {"shut": exposure(0.4, 1.5)}},
        },
        "derivation": {"shut": "1 - exp(-r T), r = 0.8 (0.4 halved) per year, T = 1.5 (3) years"},
    }


def case_chance_within() -> dict:
    """40% within 9 months: hazard -ln(0.6) / 9 per month; horizon 24 and 9 months."""
    hazard = -math.log(1 - 0.4) / 9  # per month

    def by(months: float) -> float:
        return 1.0 - math.exp(-hazard * months)

    return {
        "variants": {
            "base": {"outcomes": {"signed": by(24)}},
            "nine_months": {"outcomes": {"signed": by(9)}},
            "never": {"outcomes": {"signed": 0.0}},
        },
        "derivation": {
            "signed": "h = -ln(1 - P) / D, P = 40%, D = 9 months; 1 - exp(-h T) = "
            "1 - 0.6^(T / D), T = 24 months (9 months: exactly P); P = 0% never fires"
        },
    }


def case_fixed_dates() -> dict:
    """Deterministic: recall (and, by ``also``, closure) on 2026-03-15, review 45 days in."""
    recall, review = "2026-03-15", "2026-02-15"
    every = {"recalled": 1.0, "closed": 1.0, "reviewed": 1.0}
    return {
        "variants": {
            "base": {
                "outcomes": every,
                "first_time_median": {"recalled": recall, "closed": recall, "reviewed": review},
            },
            # an event due exactly at the horizon fires
            "horizon_on_the_day": {"outcomes": every},
            "horizon_the_day_before": {
                "outcomes": {"recalled": 0.0, "closed": 0.0, "reviewed": 1.0}
            },
            "later_recall": {
                "outcomes": {"recalled": 0.0, "closed": 0.0, "reviewed": 1.0},
                "first_time_median": {"recalled": None, "closed": None, "reviewed": review},
            },
        },
        "derivation": {
            "recalled": "1 if the horizon is on or after 2026-03-15, else 0",
            "closed": "set by `also` at the recall's instant: same as recalled",
            "reviewed": "fires 45 days after start, 2026-02-15, before every horizon used",
        },
    }


def case_split() -> dict:
    """Rate 2 a year for 9 months, then a branch 20% / 80%."""
    fired = exposure(2.0, 0.75)
    return {
        "variants": {
            "base": {"outcomes": {"deal": 0.2 * fired, "war": 0.8 * fired, "resolved": fired}}
        },
        "derivation": {
            "deal": "0.2 (1 - exp(-r T)), r = 2 per year, T = 0.75 years",
            "war": "0.8 (1 - exp(-r T))",
            "resolved": "1 - exp(-r T)",
        },
    }


def case_guard_sequence() -> dict:
    """X ~ Exp(1), then Y ~ Exp(3) once enabled; horizon 1 year."""
    a, b, t = 1.0, 3.0, 1.0
    return {
        "variants": {
            "base": {
                "outcomes": {
                    "mobilised": exposure(a, t),
                    "fighting": 1.0 - (b * math.exp(-a * t) - a * math.exp(-b * t)) / (b - a),
                }
            }
        },
        "derivation": {
            "mobilised": "1 - exp(-a T), a = 1 per year, T = 1 year",
            "fighting": "hypoexponential CDF 1 - (b exp(-a T) - a exp(-b T)) / (b - a), b = 3",
        },
    }


def case_hazard_modifier() -> dict:
    """Rate 0.6 a year, times 2.5 from 2026-05-01; horizon 2027-01-01."""
    rate = 0.6 / YEAR  # per day
    d0 = (dt.date(2026, 5, 1) - dt.date(2026, 1, 1)).days  # 120
    t = (dt.date(2027, 1, 1) - dt.date(2026, 1, 1)).days  # 365
    return {
        "variants": {
            "base": {"outcomes": {"crisis": 1.0 - math.exp(-rate * (d0 + 2.5 * (t - d0)))}},
            "no_sanctions": {"outcomes": {"crisis": 1.0 - math.exp(-rate * t)}},
        },
        "derivation": {
            "crisis": "1 - exp(-r (d0 + m (T - d0))), r = 0.6 / 365.25 per day, m = 2.5, "
            "d0 = 120 days, T = 365 days (no_sanctions: m = 1)"
        },
    }


def unrest_at_end(rate: float, stay: float, horizon: float) -> float:
    """P(in the passing state at ``horizon``): flares at ``rate``, each lasting ``stay``.

    Parameters
    ----------
    rate : float
        Hazard of a flare while calm, per unit time.
    stay : float
        Fixed length of each crisis, same unit.
    horizon : float
        Same unit.

    Returns
    -------
    float
        sum over k >= 1 of F_k(horizon - (k - 1) stay) - F_k(horizon - k stay), F_k the
        CDF of Gamma(k, rate) (zero at negative arguments).
    """
    total, k = 0.0, 1
    while horizon - (k - 1) * stay > 0:
        gamma = stats.gamma(k, scale=1.0 / rate)
        total += gamma.cdf(horizon - (k - 1) * stay) - gamma.cdf(max(horizon - k * stay, 0.0))
        k += 1
    return float(total)


def case_ever_or_end() -> dict:
    """Flares at 1.5 a year, each crisis lasting 2 months; horizon 1 year."""
    return {
        "variants": {
            "base": {
                "outcomes": {
                    "ever_unrest": exposure(1.5, 1.0),
                    "unrest_at_end": unrest_at_end(1.5, 1 / 6, 1.0),
                }
            }
        },
        "derivation": {
            "ever_unrest": "1 - exp(-r T): the first flare comes before T, r = 1.5, T = 1 year",
            "unrest_at_end": "sum_k [F_k(T - (k - 1) d) - F_k(T - k d)], F_k the Gamma(k, r) "
            "CDF, d = 1/6 year: the last flare came less than d before T",
        },
    }


MARKOV_Q = np.array(
    [
        [-2.5, 2.0, 0.5],  # stable -> strained 2, -> ruin 0.5 (per year)
        [1.0, -2.0, 1.0],  # strained -> stable 1, -> ruin 0.5 x 2 (the modifier)
        [1.0, 0.0, -1.0],  # ruin -> stable 1
    ]
)
MARKOV_P0 = np.array([0.7, 0.3, 0.0])


def case_markov_three() -> dict:
    """p(T) = p(0) expm(Q T), T = 2 years; `ever ruin` with ruin made absorbing."""
    p = MARKOV_P0 @ linalg.expm(MARKOV_Q * 2.0)
    absorbing = MARKOV_Q.copy()
    absorbing[2] = 0.0
    ever = (MARKOV_P0 @ linalg.expm(absorbing * 2.0))[2]
    return {
        "variants": {
            "base": {
                "outcomes": {
                    "stable": float(p[0]),
                    "strained": float(p[1]),
                    "ruin": float(p[2]),
                    "ever_ruin": float(ever),
                }
            }
        },
        "derivation": {
            "stable": "(p0 expm(Q T))[0], p0 = (0.7, 0.3, 0), T = 2 years",
            "strained": "(p0 expm(Q T))[1]",
            "ruin": "(p0 expm(Q T))[2]",
            "ever_ruin": "(p0 expm(Q' T))[2], Q' = Q with the ruin row set to 0",
        },
    }


def lognormal_mean(g, median: float, p90: float) -> float:
    """E[g(r)] for r lognormal with the given median and 90th percentile.

    The integral of g(exp(mu + sigma z)) phi(z) over z in [-12, 12] (the normal mass outside
    is below 1e-32), with mu = ln(median) and sigma = ln(p90 / median) / z_0.9.
    """
    mu, sigma = math.log(median), math.log(p90 / median) / stats.norm.ppf(0.9)
    value, _ = integrate.quad(
        lambda z: g(math.exp(mu + sigma * z)) * stats.norm.pdf(z), -12.0, 12.0
    )
    return value


def case_uncertain_rate() -> dict:
    """A shared lognormal rate (median 0.5, p90 1.5 a year); horizon 2 years."""
    one = lognormal_mean(lambda r: exposure(r, 2.0), 0.5, 1.5)
    both = lognormal_mean(lambda r: exposure(r, 2.0) ** 2, 0.5, 1.5)
    return {
        "variants": {
            "base": {"outcomes": {"north": one, "both": both}},
            "known_rate": {
                "outcomes": {"north": exposure(0.5, 2.0), "both": exposure(0.5, 2.0) ** 2}
            },
        },
        "derivation": {
            "north": "integral of (1 - exp(-2 r)) over the lognormal density of r "
            "(ln r ~ N(ln 0.5, (ln 3 / z_0.9)^2)); known_rate: r = 0.5",
            "both": "integral of (1 - exp(-2 r))^2 over the same density: one r per run",
        },
    }


def case_waiting_times() -> dict:
    """CDFs of four waiting times at T = 3 months."""
    return {
        "variants": {
            "base": {
                "outcomes": {
                    "u": (3 - 1) / (5 - 1),
                    "tri": 1 - (6 - 3) ** 2 / ((6 - 1) * (6 - 2)),
                    "gam": 1 - math.exp(-3) * (1 + 3),
                    "expo": 1 - math.exp(-3 / 4),
                }
            }
        },
        "derivation": {
            "u": "uniform on [1, 5] months: (T - 1) / (5 - 1), T = 3 months",
            "tri": "triangular (1, 2, 6) months, T past the mode: 1 - (6 - T)^2 / ((6 - 1)(6 - 2))",
            "gam": "gamma shape 2, scale 1 month: 1 - exp(-T)(1 + T), T = 3",
            "expo": "exponential, mean 4 months: 1 - exp(-T / 4)",
        },
    }


CASES = {
    name.removeprefix("case_"): function
    for name, function in sorted(globals().items())
    if name.startswith("case_")
}


def expected() -> dict:
    """Every case's exact answers, keyed by case name (the file's stem), with ``runs``."""
    return {name: {"runs": RUNS, **derive()} for name, derive in CASES.items()}


if __name__ == "__main__":
    EXPECTED.write_text(json.dumps(expected(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
