"""The exact answers of the cases in this folder, derived in closed form.

Each ``case_*`` function returns the expected results of one case file, ``NAME.yaml``, as
``{"variants": {VARIANT: {"outcomes": {ID: p}, "first_time_median": {ID: date}}},
"derivation": {ID: text}}``. The numbers come from the formulas alone (scipy for ``expm``,
the Gamma CDF and one-dimensional integrals), never from a simulation. ``expected.json`` is
this module's output; ``python -m tests.cases.derive`` (from the repository root) rewrites it,
and the tests check that the file and the formulas agree.

The files of ``evidence/`` use format 1.1 (evidence and indicators); each
``evidence_case_*`` function answers one of them, in the layout of the shared
``cases-1.1/expected.json`` (see the section "format 1.1" below), into
``evidence/expected.json``. Markov models with evidence are solved by
:mod:`tests.engines.markov_exact` (forward products of ``expm`` on the joint chain).

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

from tests.engines.markov_exact import Check, Joint, answers

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected.json"
EVIDENCE_EXPECTED = HERE / "evidence" / "expected.json"  # format 1.1 (sections 10 and 11)
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


# -- format 1.1: evidence and indicators (sections 10 and 11), the files in evidence/ ------------
#
# Each ``evidence_case_*`` function answers one file of evidence/. A variant's answers also hold, in the layout of the shared cases-1.1/expected.json: "prior"
# (each outcome without evidence), "evidence_probability" (E[w]) and "evidence_sd" (the
# standard deviation of one run's weight), "ess_fraction" (Kish's n_eff / N, E[w]^2 / E[w^2]),
# "parameters" ({NAME: {"p50", "p50_se1"}}: the posterior median and its standard error for
# one effective run) and "signposts" ({OUTCOME: rows sorted by information}).


def weight_keys(moments) -> dict:
    """evidence_probability, evidence_sd and ess_fraction from E[w] and E[w^2]."""
    m1, m2 = float(moments[0]), float(moments[1])
    return {"evidence_probability": m1, "evidence_sd": math.sqrt(m2 - m1 * m1),
            "ess_fraction": m1 * m1 / m2}  # fmt: skip


def evidence_case_evidence_confident() -> dict:
    """No b by 2026-01-01, seen with confidence 80%; P = 50% (base) and 25% (slower)."""
    c, d, h = 0.8, 365.0, 2 * YEAR

    def confident(p: float) -> dict:
        lam = -math.log(1 - p) / YEAR
        q, s = math.exp(-lam * d), math.exp(-lam * (h - d))
        p_e = c * q + (1 - c) * (1 - q)
        post = (c * q * (1 - s) + (1 - c) * (1 - q)) / p_e
        prior = 1 - math.exp(-lam * h)
        w2 = c * c * q + (1 - c) ** 2 * (1 - q)
        return {"outcomes": {"b": post, "ever_b": post}, "prior": {"b": prior, "ever_b": prior},
                **weight_keys((p_e, w2))}  # fmt: skip

    post = "[c q (1 - s) + (1 - c)(1 - q)] / [c q + (1 - c)(1 - q)], q = exp(-l D), "
    post += "s = exp(-l (H - D)), l = -ln(1 - P) / 365.25, c = 0.8, D = 365, H = 730.5 days"
    return {
        # slower: the runs that see b by the horizon carry less than half the weight, so the
        # weighted median first time is null (section 10)
        "variants": {
            "base": confident(0.5),
            "slower": confident(0.25) | {"first_time_median": {"b": None, "ever_b": None}},
        },
        "derivation": {"b": post + " (P = 50%; slower 25%)", "ever_b": "b is absorbing: as b"},
    }


def point_chain():
    """The joint chain of evidence_point.yaml: t (a, b) x s (quiet, loud), per day."""
    states = [(t, s) for t in (0, 1) for s in (0, 1)]
    q = np.zeros((4, 4))
    for i, (t, s) in enumerate(states):
        q[i, states.index((1 - t, s))] = (1.5, 0.5)[t] / YEAR
        if s == 0:
            q[i, states.index((t, 1))] = 0.4 / YEAR
        q[i, i] = -q[i].sum()
    return Joint(states=states, q=q, p0=np.array([1.0, 0.0, 0.0, 0.0]))


def evidence_case_evidence_point() -> dict:
    """t == b seen on day 120 (90%), s never loud by day 243 (certain); H = 1 year."""
    h = YEAR
    observations = [
        Check(lambda x: x[0] == 1, 120.0, confidence=0.9),
        Check(lambda x: x[1] == 1, 243.0, ever=True, observed=False),
    ]
    ids = ("b", "loud", "both")
    outcomes = [lambda x: x[0] == 1, lambda x: x[1] == 1, lambda x: x == (1, 1)]
    got = answers(point_chain(), observations, [Check(o, h) for o in outcomes], h)
    return {
        "variants": {
            "base": {
                "outcomes": dict(zip(ids, got.posterior.tolist(), strict=True)),
                "prior": dict(zip(ids, got.prior.tolist(), strict=True)),
                **weight_keys(got.moments),
            }
        },
        "derivation": {
            oid: "forward products of expm(Q t) on the joint chain, weights 0.9 / 0.1 at day "
            "120, paths into s == loud dropped up to day 243 (the file's comment)"
            for oid in ids
        },
    }


def evidence_case_evidence_rate() -> dict:
    """R ~ uniform(0.2, 3) per year, nothing by day 365; horizon 730.5 days."""
    lo, hi, d, h = 0.2, 3.0, 365.0, 2 * YEAR
    t = d / YEAR
    norm = (math.exp(-lo * t) - math.exp(-hi * t)) / t

    def density(r: float) -> float:
        return math.exp(-r * t) / norm

    median = -math.log(math.exp(-lo * t) - norm * t / 2) / t
    post = integrate.quad(lambda r: (1 - math.exp(-r * (h - d) / YEAR)) * density(r), lo, hi)
    prior = integrate.quad(lambda r: (1 - math.exp(-r * h / YEAR)) / (hi - lo), lo, hi)
    p_e = norm / (hi - lo)
    return {
        "variants": {
            "base": {
                "outcomes": {"b": post[0]},
                "prior": {"b": prior[0]},
                **weight_keys((p_e, p_e)),
                "parameters": {"r": {"p50": median, "p50_se1": 0.5 / density(median)}},
            }
        },
        "derivation": {
            "b": "integral of 1 - exp(-R (H - D)) over the posterior density exp(-R t) / Z of "
            "R on [0.2, 3]; median m: exp(-0.2 t) - exp(-m t) = Z t / 2 (the file's comment)"
        },
    }


def signpost_chain():
    """The joint chain of signposts_evidence.yaml: t (a, b, c) x u (calm, noisy), per day."""
    states = [(t, u) for t in (0, 1, 2) for u in (0, 1)]
    q = np.zeros((6, 6))
    for i, (t, u) in enumerate(states):
        if t < 2:
            q[i, states.index((t + 1, u))] = (1.5 * (2 if u else 1), 1.0)[t] / YEAR
        if u == 0:
            q[i, states.index((t, 1))] = 0.5 / YEAR
        q[i, i] = -q[i].sum()
    p0 = np.zeros(6)
    p0[0] = 1.0
    return Joint(states=states, q=q, p0=p0)


def signpost_numbers(p_i: float, if_true: float, if_false: float) -> dict:
    """A signpost row's numbers (section 11) from P(I), P(O | I) and P(O | not I)."""
    joint = np.array([[p_i * if_true, p_i * (1 - if_true)],
                      [(1 - p_i) * if_false, (1 - p_i) * (1 - if_false)]])  # fmt: skip
    p_o = joint[:, 0].sum()
    mi = sum(
        joint[i, j] * math.log2(joint[i, j] / (joint[i].sum() * joint[:, j].sum()))
        for i in range(2)
        for j in range(2)
        if joint[i, j] > 0
    )
    return {
        "p_indicator": p_i,
        "p_outcome_if_true": if_true,
        "p_outcome_if_false": if_false,
        "likelihood_ratio": float((joint[0, 0] / p_o) / (joint[0, 1] / (1 - p_o))),
        "information_bits": max(float(mi), 0.0),
    }


def evidence_case_signposts_evidence() -> dict:
    """Three indicators on four dates, u == noisy on day 59 observed true (75%)."""
    joint, h = signpost_chain(), 730.0
    seen = [Check(lambda x: x[1] == 1, 59.0, observed=True, confidence=0.75)]
    c = [Check(lambda x: x[0] == 2, h)]
    base = answers(joint, seen, c, h)
    watch = [
        ("left_a", "2025-04-01", Check(lambda x: x[0] != 0, 90.0, ever=True)),
        ("left_a", "2025-07-01", Check(lambda x: x[0] != 0, 181.0, ever=True)),
        ("in_b", "2025-07-01", Check(lambda x: x[0] == 1, 181.0)),
        ("noisy", "2025-07-01", Check(lambda x: x[1] == 1, 181.0)),
    ]
    rows = []
    for name, date, check in watch:
        given = answers(joint, [*seen, check], c, h)  # the indicator as a certain observation
        p_i = float(given.moments[0] / base.moments[0])
        if_true = float(given.posterior[0])
        if_false = (float(base.posterior[0]) - p_i * if_true) / (1 - p_i)
        rows.append({"indicator": name, "date": date} | signpost_numbers(p_i, if_true, if_false))
    rows.sort(key=lambda r: -r["information_bits"])
    return {
        "variants": {
            "base": {
                "outcomes": {"c": float(base.posterior[0])},
                "prior": {"c": float(base.prior[0])},
                **weight_keys(base.moments),
                "signposts": {"c": rows},
            }
        },
        "derivation": {
            "c": "forward products of expm(Q t) on the joint chain with the weights 0.75 / 0.25 "
            "of u at day 59; each indicator added as a certain observation gives E[w 1_I] and "
            "P(O | I) (the file's comment)"
        },
    }


CASES = {
    name.removeprefix("case_"): function
    for name, function in sorted(globals().items())
    if name.startswith("case_")
}


EVIDENCE_CASES = {
    name.removeprefix("evidence_case_"): function
    for name, function in sorted(globals().items())
    if name.startswith("evidence_case_")
}


def expected() -> dict:
    """Every case's exact answers, keyed by case name (the file's stem), with ``runs``."""
    return {name: {"runs": RUNS, **derive()} for name, derive in CASES.items()}


def expected_evidence() -> dict:
    """The format 1.1 cases' exact answers (``evidence/``), keyed by case name, with ``runs``."""
    return {name: {"runs": RUNS, **derive()} for name, derive in EVIDENCE_CASES.items()}


if __name__ == "__main__":
    for path, answers in ((EXPECTED, expected()), (EVIDENCE_EXPECTED, expected_evidence())):
        path.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n", encoding="utf-8")
