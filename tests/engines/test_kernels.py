"""The compiled numerics every engine shares, against independent implementations.

``ndtri`` against ``scipy.special.ndtri`` (the same Cephes algorithm, compiled by a C
compiler), and the table-driven ``probit`` against both; each family's :meth:`Distribution.sample` against scipy's exact ``ppf``, over
uniforms that reach the extreme tails the streams can produce.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from sim import kernels
from sim.model.distributions import Distribution


def _uniforms() -> np.ndarray:
    rng = np.random.default_rng(11)
    return np.concatenate(
        [
            rng.random(50_000),
            10 ** rng.uniform(-16, -1, 20_000),  # lower tail, down to the smallest uniform
            1 - 10 ** rng.uniform(-15.9, -1, 20_000),  # upper tail
            [2.0**-53, 1 - 2.0**-53, 0.5, np.exp(-2), 1 - np.exp(-2)],
        ]
    )


def test_ndtri_agrees_with_scipy():
    u = _uniforms()
    z = np.array([kernels.ndtri(x) for x in u])
    ref = special.ndtri(u)
    assert np.all(np.abs(z - ref) <= 4e-16 * np.abs(ref))
    assert kernels.ndtri(0.0) == -np.inf and kernels.ndtri(1.0) == np.inf


def test_probit_table_agrees_with_scipy_ndtri():
    # The table's quintic pieces interpolate ndtri to about 5e-15 (measured over 2.6 million
    # points); the bound leaves a factor of two.
    u = np.concatenate([_uniforms(), 10 ** np.linspace(-20, -17, 200), [2.0**-60, 2.0**-61]])
    z = kernels.probits(u)
    ref = special.ndtri(u)
    assert np.all(np.abs(z - ref) <= 1e-14 * np.maximum(1.0, np.abs(ref)))
    # antisymmetric on the streams' grid ((k + 1/2) 2**-52), where 1 - u is exact
    inner = (np.floor(u[u < 0.5] * 2.0**52) + 0.5) * 2.0**-52
    assert np.array_equal(kernels.probits(1.0 - inner), -kernels.probits(inner))
    special_points = kernels.probits(np.array([0.0, 1.0, np.nan, -0.5, 1.5, 0.5]))
    assert np.array_equal(special_points[:2], [-np.inf, np.inf])
    assert np.isnan(special_points[2:5]).all() and special_points[5] == 0.0


def test_exp_agrees_with_numpy_within_three_ulps():
    import numba

    @numba.njit(error_model="numpy")
    def exps(x):
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = kernels.exp(x[i])
        return out

    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-40, 40, 200_000), rng.uniform(-745, 709.7, 100_000)])
    got, ref = exps(x), np.exp(x)
    normal = ref > np.finfo(float).tiny
    assert np.all(np.abs(got - ref)[normal] <= 3 * np.spacing(ref[normal]))
    sub = ~normal  # subnormal results lose relative precision, as numpy's do
    assert np.all(np.abs(got - ref)[sub] <= 1e-12 * ref[sub] + 5e-324)
    edge = exps(np.array([0.0, 709.78, 709.79, -745.13, -745.2, np.inf, -np.inf, np.nan]))
    assert edge[0] == 1.0 and edge[1] == np.exp(709.78) and edge[2] == np.inf
    assert edge[3] == 5e-324 and edge[4] == 0.0 and edge[5] == np.inf and edge[6] == 0.0
    assert np.isnan(edge[7])


@pytest.mark.parametrize(
    ("family", "params", "tol"),
    [
        ("lognormal", (3.0, 0.8), 1e-14),
        ("uniform", (2.0, 7.0), 1e-15),
        ("exponential", (30.0,), 1e-14),
        ("triangular", (1.0, 2.0, 5.0), 1e-14),
        ("triangular", (1.0, 1.0, 5.0), 1e-14),
        ("weibull", (1.5, 40.0), 1e-14),
        ("beta", (2.0, 5.0, 0.0, 1.0), 1e-9),  # the spline: relative error over the tails
        ("beta", (0.4, 0.7, 0.1, 0.5), 1e-9),
        ("beta", (3.0, 3.0, 10.0, 20.0), 1e-9),  # a PERT in days
        ("gamma", (0.5, 30.0), 1e-9),
        ("gamma", (4.0, 10.0), 1e-9),
    ],
)
def test_sample_is_the_quantile_function(family, params, tol):
    d = Distribution(family, params, "duration", "test")
    u = _uniforms()
    got, exact = d.sample(u), d.ppf(u)
    scale = np.maximum(np.abs(exact), 1e-300)
    assert np.max(np.abs(got - exact) / scale) < tol


def test_sample_keeps_the_shape_and_accepts_strided_arrays():
    d = Distribution("lognormal", (0.0, 1.0), "duration", "x")
    u = np.random.default_rng(1).random((40, 3))
    got = d.sample(u[:, 1])
    assert got.shape == (40,)
    assert np.allclose(got, np.exp(special.ndtri(u[:, 1])), rtol=1e-15, atol=0)
    assert d.sample(u).shape == (40, 3)


def test_hazard_work_is_minus_log_u_over_the_rate():
    u = np.array([0.5, 0.25, 1 - 2.0**-53])
    rate = np.array([0.1, 2.0, 0.0])
    got = kernels.hazard_works(u, rate)
    assert got[0] == -np.log(0.5) / 0.1
    assert got[1] == -np.log(0.25) / 2.0
    assert got[2] == np.inf  # a zero rate never rings


def test_draw_columns_equal_sample_of_the_stream_uniforms_bit_for_bit():
    # The compiled engine draws uncertain values a family at a time; the reference engine's
    # Distribution.sample of the same uniforms must give the same doubles.
    from sim.model.streams import stream_key, uniforms

    dists = [
        Distribution("fixed", (3.0,), "duration", "a"),
        Distribution("lognormal", (3.0, 0.8), "duration", "b"),
        Distribution("uniform", (2.0, 7.0), "duration", "c"),
        Distribution("exponential", (30.0,), "duration", "d"),
        Distribution("triangular", (1.0, 2.0, 5.0), "duration", "e"),
        Distribution("weibull", (1.5, 40.0), "duration", "f"),
        Distribution("beta", (2.0, 5.0, 0.0, 1.0), "probability", "g"),
        Distribution("gamma", (0.5, 30.0), "duration", "h"),
    ]
    names = [f"slot:{d.text}" for d in dists]
    keys = np.array([stream_key(x) for x in names], dtype=np.uint64)
    coefs = [np.zeros((kernels.SPLINE_KNOTS - 1, 4))]
    code, par, spl = [], [], []
    for d in dists:
        c, p, coef = d.compiled()
        code.append(c)
        par.append(p)
        spl.append(len(coefs) if coef.shape[0] > 1 else 0)
        if coef.shape[0] > 1:
            coefs.append(coef)
    fixed = np.full(len(dists), np.nan)
    fixed[2] = 0.25
    args = (np.array(code), np.array(par), np.array(spl), np.stack(coefs), fixed)
    out = np.full((len(dists), 500), np.nan)
    got = kernels.draw_columns(np.uint64(9), keys, 1003, 500, np.uint64(0), *args, out)
    assert np.shares_memory(got, out)
    for j, d in enumerate(dists):
        u = np.full(500, 0.25) if j == 2 else uniforms(9, names[j], 1003, 1503)
        assert np.array_equal(got[j], d.sample(u)), d.family


def test_beta_fit_meets_both_percentiles_with_newton_and_with_the_fallback(monkeypatch):
    from scipy import stats

    from sim.model import distributions

    for a, b in [(0.05, 0.3), (0.001, 0.01), (0.6, 0.99), (0.2, 0.25), (1e-4, 0.5)]:
        al, be = distributions.fit_beta_90(a, b)
        assert stats.beta.ppf([0.05, 0.95], al, be) == pytest.approx([a, b], rel=1e-9)
    distributions.fit_beta_90.cache_clear()
    monkeypatch.setattr(distributions, "_newton", lambda f, x0: None)
    al, be = distributions.fit_beta_90(0.05, 0.3)
    distributions.fit_beta_90.cache_clear()
    assert stats.beta.ppf([0.05, 0.95], al, be) == pytest.approx([0.05, 0.3], abs=1e-6)


@pytest.mark.parametrize("shapes", [(0.001, 0.001), (1.1e-4, 0.11), (0.05, 0.5)])
def test_beta_draws_stay_in_the_unit_interval_for_extreme_shapes(shapes):
    # A cubic piece through a near-vertical tail overshoots; a negative probability would give
    # a negative hazard rate and time running backwards.
    d = Distribution("beta", (*shapes, 0.0, 1.0), "probability", "p")
    got = d.sample(_uniforms())
    assert got.min() >= 0.0 and got.max() <= 1.0
    # and the draws follow the distribution: their mean is a / (a + b) within 5 standard errors
    # (the median itself may underflow a double)
    a, b = shapes
    sd = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    mean = float(d.sample(np.random.default_rng(3).random(40_000)).mean())
    assert abs(mean - a / (a + b)) < 5 * sd / np.sqrt(40_000)


def test_a_very_narrow_probability_range_gives_finite_draws():
    import warnings

    from sim.model import distributions

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warnings on the analyst's screen
        al, be = distributions.fit_beta_90(0.5, 0.5000000001)
    d = Distribution("beta", (al, be, 0.0, 1.0), "probability", "p")
    got = d.sample(np.random.default_rng(4).random(20_000))
    assert np.isfinite(got).all()
    assert abs(got.mean() - 0.5) < 1e-6 and got.std() < 1e-6
