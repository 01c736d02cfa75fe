"""Review of issue 12: ``spread`` (parameter draws) with evidence.

Every result is computed with the evidence weights (format section 10). With parameter draws,
the per-draw probabilities P(O | e, theta_k) were summarised with every draw counting the same:
the draws the evidence makes unlikely weigh as much as the others, so ``spread`` describes
theta under the prior, not the posterior, and contradicts ``probability``.

Exact: south and north complete at the same uncertain rate r ~ lognormal(median 0.5, p90 1.5)
per year; evidence: north not done after d = 365 days. Given r, south by T = 730 days has
probability 1 - exp(-r T) (independent of north given r). The posterior of r is the prior
times exp(-r d); its median is 0.3630 per year (quadrature), so the median over posterior
draws of P(south | e, r) is 1 - exp(-0.3630 T) = 0.5159. The prior median gives 0.6319, and
main at a9c82fa printed 0.636. Tolerance 0.07: about 5 standard errors of a median of ~600
effective draws with sd 0.26 (parameter and binomial noise).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.review.models import SHARED_RATE

SIM = [sys.executable, "-m", "sim"]


def test_spread_median_follows_the_posterior_of_the_parameter(write_scenario, tmp_path):
    path = write_scenario(SHARED_RATE)
    out = tmp_path / "out"
    args = ["run", path, "-n", 100000, "-k", 1000, "-j", 1, "--no-charts", "-o", out]
    result = subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    spread = json.loads((out / "summary.json").read_text())["outcomes"]["south"]["spread"]
    assert abs(spread["median"] - 0.5159) < 0.07, spread
