"""Every numba-compiled function of the simulator: counter-based uniforms, quantile functions
and the compiled engine's loop.

They live in one module on purpose: numba's cache (``cache=True``, compiled once per machine)
is invalidated per source file, and the kernel inlines the quantile functions, so a kernel
cached against an older version of a function kept in another file would silently disagree
with the engines that call the new one.

Engines must turn the same addressed uniforms into the same waiting times bit for bit, so the
functions here are the only ones that do it, for the SimPy reference (through their vectorized
wrappers) and inside the compiled kernel alike.

* :func:`philox` is Philox4x64-10 (Salmon, Moraes, Dror and Shaw 2011, "Parallel random
  numbers: as easy as 1, 2, 3", SC11), the generator NumPy ships as ``numpy.random.Philox``;
  it maps a 256-bit counter and a 128-bit key to four 64-bit words, so any number of any
  stream is computed directly from its address (:mod:`sim.model.streams`).
* :func:`ndtri` is the standard normal quantile of Cephes (S. L. Moshier, Cephes Math Library
  2.8, ``ndtri.c``), the algorithm behind ``scipy.special.ndtri``; :func:`probit`, the one
  draws use, interpolates it from a table, in a tenth of the time where loops vectorize.
* :func:`quantile` draws from a family by inverse transform: closed forms where they exist,
  otherwise a cubic spline of the quantile over a probit grid (see
  :mod:`sim.model.distributions`).
* :func:`simulate` is the compiled engine's loop (:mod:`sim.engines.compiled`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

try:  # every engine needs these kernels: without numba, sim stops here with one clear line
    import numba
    from llvmlite import ir
    from numba import types
    from numba.extending import intrinsic
except ImportError:  # pragma: no cover - tested in a subprocess that hides numba
    from sim.errors import SimError

    raise SimError("sim needs numba: pip install numba") from None

__all__ = [
    "Conditions",
    "Counts",
    "Events",
    "Run",
    "Timing",
    "EXPONENTIAL",
    "point_truth",
    "weigh_points",
    "FIXED",
    "LOGNORMAL",
    "MAX_MODIFIER_BITS",
    "OP_AND",
    "OP_CONST",
    "OP_NOT",
    "OP_OR",
    "OP_TEST",
    "W_AT",
    "W_DIST",
    "W_HAZARD",
    "W_VALUE",
    "LOG_SPLINE",
    "SPLINE",
    "SPLINE_H",
    "SPLINE_KNOTS",
    "SPLINE_X0",
    "TRIANGULAR",
    "UNIFORM",
    "WEIBULL",
    "hazard_rate",
    "hazard_rates",
    "hazard_work",
    "hazard_works",
    "draw_columns",
    "exp",
    "layer",
    "ndtri",
    "philox",
    "probit",
    "probits",
    "quantile",
    "quantiles",
    "simulate",
    "uniform",
]

# family codes of :func:`quantile`; params are (p0, p1, p2, p3)
FIXED, LOGNORMAL, UNIFORM, EXPONENTIAL, TRIANGULAR, WEIBULL, SPLINE, LOG_SPLINE = range(8)
# condition programs: postfix instructions (op, a, b) (sim.engines.arrays builds them)
OP_TEST, OP_NOT, OP_AND, OP_OR, OP_CONST = range(5)  # track a in mask b; not; and/or of a; a
# how an event's work is drawn: at a date, a hazard rate, a distribution, a value
W_AT, W_HAZARD, W_DIST, W_VALUE = range(4)
# modifiers of one event up to which the kernel keeps which hold as the bits of an int32
MAX_MODIFIER_BITS = 31
# the probit grid of the splines: knots x0 + i h, i = 0..SPLINE_KNOTS - 1
SPLINE_X0 = -8.6
SPLINE_KNOTS = 4097
SPLINE_H = 17.2 / (SPLINE_KNOTS - 1)

_M0 = np.uint64(0xD2E7470EE14C6C93)
_M1 = np.uint64(0xCA5A826395121157)
_W0 = np.uint64(0x9E3779B97F4A7C15)
_W1 = np.uint64(0xBB67AE8584CAA73B)
_LOW = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S12 = np.uint64(12)
_TWO = np.uint64(2)
_THREE = np.uint64(3)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ULP = 2.0**-52


def _jit(f):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(f)


def _inline(f):
    """Compiled and inlined where called (numba IR level): a call that passes arrays costs
    reference counting, which dominated the cost of a draw. Inlining does not remove it
    all: see :func:`simulate`."""
    return numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")(f)


@intrinsic
def _mulhilo(typingctx, a, b):
    """High and low 64-bit words of the 128-bit product of two uint64: one ``mul`` (``mulx``)
    instruction, where the same in 64-bit arithmetic takes four multiplications."""
    sig = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        hi = builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))
        lo = builder.trunc(product, ir.IntType(64))
        return context.make_tuple(builder, signature.return_type, (hi, lo))

    return sig, codegen


@intrinsic
def _bits(typingctx, x):
    """The IEEE 754 bits of a float64, as an int64."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _double(typingctx, i):
    """The float64 whose IEEE 754 bits are the int64 ``i``."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@_jit
def philox(c0, c1, c2, c3, k0, k1):
    """Philox4x64-10 of counter (c0, c1, c2, c3) under key (k0, k1); all uint64.

    Returns the four output words. Checked against the Random123 known-answer vector and
    ``numpy.random.Philox`` in ``tests/model/test_streams.py``.
    """
    for r in range(10):
        if r > 0:
            k0 += _W0
            k1 += _W1
        hi0, lo0 = _mulhilo(_M0, c0)
        hi1, lo1 = _mulhilo(_M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    return c0, c1, c2, c3


@_jit
def _word(w0, w1, w2, w3, j):
    """Word ``j`` (int64, 0..3) of four, as a uniform ``((word >> 12) + 1/2) 2**-52``."""
    w = w0 if j == 0 else (w1 if j == 1 else (w2 if j == 2 else w3))
    return (float(w >> _S12) + 0.5) * _ULP


@_jit
def uniform(seed, key, run, k):
    """The uniform at address (run, stream key, layer k) under ``seed``; all uint64.

    Word ``run mod 4`` of ``philox((run div 4 + 1, k, 0, 0), (seed, key))``, as a double
    ``((word >> 12) + 1/2) 2**-52``: exact, in [2**-53, 1 - 2**-53], symmetric about 1/2.
    This is number ``run`` of ``numpy.random.Philox(key=[seed, key], counter=[0, k, 0, 0])``
    (NumPy increments the counter before each block).
    """
    w0, w1, w2, w3 = philox((run >> _TWO) + _ONE, k, _ZERO, _ZERO, seed, key)
    return _word(w0, w1, w2, w3, np.int64(run & _THREE))


@_jit
def layer(seed, key, start, n, k):
    """Uniforms of runs ``[start, start + n)`` at layer ``k`` of one stream: shape (n,).

    Equal, number by number, to :func:`uniform`; one Philox block serves four runs.
    """
    out = np.empty(n)
    i = 0
    while i < n:
        run = start + i
        w0, w1, w2, w3 = philox(np.uint64(run >> 2) + _ONE, k, _ZERO, _ZERO, seed, key)
        j = run & 3
        if j == 0 and i + 4 <= n:  # a whole block of four runs
            out[i] = (float(w0 >> _S12) + 0.5) * _ULP
            out[i + 1] = (float(w1 >> _S12) + 0.5) * _ULP
            out[i + 2] = (float(w2 >> _S12) + 0.5) * _ULP
            out[i + 3] = (float(w3 >> _S12) + 0.5) * _ULP
            i += 4
            continue
        while i < n:  # the ragged first or last block
            out[i] = _word(w0, w1, w2, w3, j)
            i += 1
            j += 1
            if j == 4:
                break
    return out


_P0 = np.array(
    [
        -5.99633501014107895267e1,
        9.80010754185999661536e1,
        -5.66762857469070293439e1,
        1.39312609387279679503e1,
        -1.23916583867381258016e0,
    ]
)
_Q0 = np.array(
    [
        1.0,
        1.95448858338141759834e0,
        4.67627912898881538453e0,
        8.63602421390890590575e1,
        -2.25462687854119370527e2,
        2.00260212380060660359e2,
        -8.20372256168333339912e1,
        1.59056225126211695515e1,
        -1.18331621121330003142e0,
    ]
)
_P1 = np.array(
    [
        4.05544892305962419923e0,
        3.15251094599893866154e1,
        5.71628192246421288162e1,
        4.40805073893200834700e1,
        1.46849561928858024014e1,
        2.18663306850790267539e0,
        -1.40256079171354495875e-1,
        -3.50424626827848203418e-2,
        -8.57456785154685413611e-4,
    ]
)
_Q1 = np.array(
    [
        1.0,
        1.57799883256466749731e1,
        4.53907635128879210584e1,
        4.13172038254672030440e1,
        1.50425385692907503408e1,
        2.50464946208309415979e0,
        -1.42182922854787788574e-1,
        -3.80806407691578277194e-2,
        -9.33259480895457427372e-4,
    ]
)
_P2 = np.array(
    [
        3.23774891776946035970e0,
        6.91522889068984211695e0,
        3.93881025292474443415e0,
        1.33303460815807542389e0,
        2.01485389549179081538e-1,
        1.23716634817820021358e-2,
        3.01581553508235416007e-4,
        2.65806974686737550832e-6,
        6.23974539184983293730e-9,
    ]
)
_Q2 = np.array(
    [
        1.0,
        6.02427039364742014255e0,
        3.67983563856160859403e0,
        1.37702099489081330271e0,
        2.16236993594496635890e-1,
        1.34204006088543189037e-2,
        3.28014464682127739104e-4,
        2.89247864745380683936e-6,
        6.79019408009981274425e-9,
    ]
)
_EXP_M2 = 0.13533528323661269189  # exp(-2)
_S2PI = 2.50662827463100050242  # sqrt(2 pi)


@_jit
def _poly(x, c):
    v = c[0]
    for i in range(1, c.shape[0]):
        v = v * x + c[i]
    return v


@_jit
def ndtri(y0):
    """Standard normal quantile of ``y0`` in [0, 1] (Cephes ``ndtri``; +-inf at 1 and 0).

    Relative error about 1e-16 (Cephes' accuracy table); compared with ``scipy.special.ndtri``
    in ``tests/engines/test_kernels.py``.
    """
    if y0 <= 0.0:
        return -np.inf if y0 == 0.0 else np.nan
    if y0 >= 1.0:
        return np.inf if y0 == 1.0 else np.nan
    negate = True
    y = y0
    if y > 1.0 - _EXP_M2:
        y = 1.0 - y
        negate = False
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _poly(y2, _P0) / _poly(y2, _Q0))
        return x * _S2PI
    x = math.sqrt(-2.0 * math.log(y))
    x0 = x - math.log(x) / x
    z = 1.0 / x
    p, q = (_P1, _Q1) if x < 8.0 else (_P2, _Q2)
    x1 = z * _poly(z, p) / _poly(z, q)
    x = x0 - x1
    return -x if negate else x


# The normal quantile by table: min(u, 1 - u) in [2**PROBIT_LOW, 1/2] falls in a cell of
# PROBIT_CELLS equal parts of its binade [2**e, 2**(e + 1)), found from the float's exponent and
# top mantissa bits; a quintic Hermite polynomial in the cell's local coordinate interpolates
# the exact quantile and its first two derivatives at the cell's ends.
PROBIT_BITS = 7  # cells per binade: 2**PROBIT_BITS
PROBIT_LOW = -60  # the lowest binade; below it ndtri itself
_PROBIT_SHIFT = 52 - PROBIT_BITS
_PROBIT_BASE = (1023 + PROBIT_LOW) << PROBIT_BITS  # the first cell's exponent and mantissa bits
_PROBIT_SCALE = (2046 + PROBIT_BITS) << 52  # minus the exponent field: bits of 2**(bits - e)
_PROBIT_MIN = 2.0**PROBIT_LOW


@_jit
def _probit_table():
    """Coefficients (highest power first) of the quintic Hermite interpolant of ndtri on each
    cell, as a polynomial in t = (y - y0) / (y1 - y0) in [0, 1]: (n_cells, 6).

    Derivatives of z = ndtri(y): z' = sqrt(2 pi) exp(z**2 / 2) and z'' = z z'**2.
    """
    n = -PROBIT_LOW << PROBIT_BITS  # binades 2**PROBIT_LOW .. 2**-1; the last is used at 1/2 only
    cells = 1 << PROBIT_BITS
    knot = np.empty(n + 1)
    for i in range(n + 1):
        e = PROBIT_LOW + (i >> PROBIT_BITS)
        knot[i] = (1.0 + (i & (cells - 1)) / cells) * 2.0**e
    z = np.empty(n + 1)
    d1 = np.empty(n + 1)
    d2 = np.empty(n + 1)
    for i in range(n + 1):
        z[i] = ndtri(knot[i])
        d1[i] = _S2PI * math.exp(z[i] * z[i] / 2.0)
        d2[i] = z[i] * d1[i] * d1[i]
    c = np.empty((n, 6))
    for i in range(n):
        h = knot[i + 1] - knot[i]
        dz = z[i + 1] - z[i]
        a0, a1 = d1[i] * h, d1[i + 1] * h
        b0, b1 = d2[i] * h * h, d2[i + 1] * h * h
        c[i, 5] = z[i]
        c[i, 4] = a0
        c[i, 3] = b0 / 2.0
        c[i, 2] = 10.0 * dz - 6.0 * a0 - 4.0 * a1 - 1.5 * b0 + 0.5 * b1
        c[i, 1] = -15.0 * dz + 8.0 * a0 + 7.0 * a1 + 1.5 * b0 - b1
        c[i, 0] = 6.0 * dz - 3.0 * a0 - 3.0 * a1 - 0.5 * b0 + 0.5 * b1
    return c


_PROBIT = _probit_table()


@_inline
def _probit_cell(u):
    """The table's normal quantile of u in (0, 1) with min(u, 1 - u) >= 2**PROBIT_LOW (other
    u give a wrong value, not an error). Branch-free, so loops of it vectorize."""
    y = max(min(u, 1.0 - u), _PROBIT_MIN)
    bits = _bits(y)
    top = bits >> _PROBIT_SHIFT
    i = top - _PROBIT_BASE
    i = i if i < _PROBIT.shape[0] else _PROBIT.shape[0] - 1  # NaN: a wrong cell, in the table
    i = i if i > 0 else 0
    t = (y - _double(top << _PROBIT_SHIFT)) * _double(_PROBIT_SCALE - ((bits >> 52) << 52))
    c = _PROBIT
    z = ((((c[i, 0] * t + c[i, 1]) * t + c[i, 2]) * t + c[i, 3]) * t + c[i, 4]) * t + c[i, 5]
    return z if u <= 0.5 else -z


@_inline
def probit(u):
    """Standard normal quantile of ``u`` in [0, 1] (+-inf at 1 and 0, NaN outside).

    By table (:func:`_probit_cell`) where min(u, 1 - u) >= 2**-60, which every uniform
    drawn here is; by :func:`ndtri` further out. Exactly antisymmetric about 1/2. Its error
    against ``scipy.special.ndtri`` is below 2e-14 max(1, |z|) (``tests/engines/test_kernels.py``);
    it takes about a tenth of ndtri's time in a vectorized loop.
    """
    if min(u, 1.0 - u) >= _PROBIT_MIN:
        return _probit_cell(u)
    return ndtri(u)


_EXP_LOG2E = 1.4426950408889634  # 1 / ln 2
_EXP_LN2_HI = 6.93145751953125e-1  # ln 2 in two parts (Cody and Waite), as Cephes exp.c
_EXP_LN2_LO = 1.42860682030941723212e-6
_EXP_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: x + it rounds x to an integer in the low bits
_EXP_P = (1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1)
_EXP_Q = (
    3.00198505138664455042e-6,
    2.52448340349684104192e-3,
    2.27265548208155028766e-1,
    2.00000000000000000009e0,
)


@_inline
def exp(x):
    """exp(x), within 2 ulps of ``numpy.exp`` (``tests/engines/test_kernels.py``); inf above 709.78,
    0 below -745.13, NaN for NaN. Branch-free, so loops of it vectorize (glibc's ``exp`` is a
    call they cannot).

    Cephes ``exp.c`` (S. L. Moshier): x = n ln 2 + r with |r| <= ln(2) / 2, ln 2 in two parts;
    exp(r) = 1 + 2 r P(r**2) / (Q(r**2) - r P(r**2)); the result scaled by 2**n in two
    factors, so that subnormal results are reached without a branch.
    """
    y = x if x > -746.0 else -746.0
    y = y if y < 710.0 else 710.0
    t = y * _EXP_LOG2E + _EXP_SHIFTER
    n = t - _EXP_SHIFTER
    r = (y - n * _EXP_LN2_HI) - n * _EXP_LN2_LO
    rr = r * r
    px = r * ((_EXP_P[0] * rr + _EXP_P[1]) * rr + _EXP_P[2])
    q = ((_EXP_Q[0] * rr + _EXP_Q[1]) * rr + _EXP_Q[2]) * rr + _EXP_Q[3]
    e = 1.0 + 2.0 * (px / (q - px))
    k = _bits(t) - _bits(_EXP_SHIFTER)
    half = k >> 1
    v = e * _double((half + 1023) << 52) * _double((k - half + 1023) << 52)
    return v if x == x else x


@_inline
def _spline(splines, s, z):
    """Cubic spline ``splines[s]`` ((SPLINE_KNOTS - 1, 4) rows) on the probit grid, at z
    clamped to the grid (NaN stays NaN)."""
    if z != z:
        return z
    n = splines.shape[1]
    z = min(max(z, SPLINE_X0), SPLINE_X0 + n * SPLINE_H)
    f = (z - SPLINE_X0) / SPLINE_H
    i = min(int(f), n - 1)
    dz = z - (SPLINE_X0 + i * SPLINE_H)
    return ((splines[s, i, 0] * dz + splines[s, i, 1]) * dz + splines[s, i, 2]) * dz + splines[
        s, i, 3
    ]


@_inline
def _unit_spline(splines, s, z):
    """:func:`_spline` of a standard beta quantile, kept in [0, 1]: a cubic piece through a
    steep tail (shapes near 0) may overshoot, and a probability below 0 or above 1 would make
    a negative hazard rate."""
    return min(max(_spline(splines, s, z), 0.0), 1.0)


@_inline
def _lognormal(mu, sigma, u):
    return exp(mu + sigma * probit(u))


@_inline
def _uniform(lo, hi, u):
    return lo + (hi - lo) * u


@_inline
def _exponential(mean, u):
    return -mean * math.log1p(-u)


@_inline
def _triangular(lo, mode, hi, u):
    if u < (mode - lo) / (hi - lo):
        return lo + math.sqrt(u * (hi - lo) * (mode - lo))
    return hi - math.sqrt((1.0 - u) * (hi - lo) * (hi - mode))


@_inline
def _weibull(shape, scale, u):
    return scale * (-math.log1p(-u)) ** (1.0 / shape)


@_inline
def quantile(code, par, k, splines, s, u):
    """The quantile at ``u`` in (0, 1) of family ``code`` with params ``par[k]`` (4 values).

    FIXED: p0. LOGNORMAL: exp(mu + sigma probit(u)). UNIFORM: lo + (hi - lo) u.
    EXPONENTIAL: -mean log1p(-u). TRIANGULAR (lo, mode, hi): the closed-form inverse CDF.
    WEIBULL (shape, scale): scale (-log1p(-u))**(1/shape). SPLINE (loc, scale):
    loc + scale S(probit(u)), S kept in [0, 1]; LOG_SPLINE: exp(S(probit(u))), where S is the
    cubic spline ``splines[s]`` of the standard quantile (of its log) on the probit grid.

    Arrays are passed whole with indices (``par[k]``, ``splines[s]``): a slice in a numba
    loop costs reference counting.
    """
    if code == FIXED:
        return par[k, 0]
    if code == LOGNORMAL:
        return _lognormal(par[k, 0], par[k, 1], u)
    if code == UNIFORM:
        return _uniform(par[k, 0], par[k, 1], u)
    if code == EXPONENTIAL:
        return _exponential(par[k, 0], u)
    if code == TRIANGULAR:
        return _triangular(par[k, 0], par[k, 1], par[k, 2], u)
    if code == WEIBULL:
        return _weibull(par[k, 0], par[k, 1], u)
    if code == SPLINE:
        return par[k, 0] + par[k, 1] * _unit_spline(splines, s, probit(u))
    return exp(_spline(splines, s, probit(u)))


@_jit
def quantiles(code, par, coef, u):
    """:func:`quantile` at every element of the 1-d array ``u``; ``par`` (4,), ``coef`` the
    spline (SPLINE_KNOTS - 1, 4) or a placeholder."""
    par2 = par.reshape((1, 4))
    splines = coef.reshape((1, coef.shape[0], 4))
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = quantile(code, par2, 0, splines, 0, u[i])
    return out


@_jit
def probits(u):
    """:func:`probit` of each element of the 1-d array ``u``."""
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = probit(u[i])
    return out


@_jit
def hazard_work(u, hazard):
    """Work (days) drawn at hazard rate ``hazard`` (per day) from uniform ``u``: -ln(u)/hazard.

    ``inf`` at hazard 0 (the clock never rings).
    """
    return -math.log(u) / hazard


@_jit
def hazard_works(u, hazard):
    """:func:`hazard_work` element by element of two 1-d arrays of one length."""
    out = np.empty(u.shape[0])
    for i in range(u.shape[0]):
        out[i] = hazard_work(u[i], hazard[i])
    return out


@_jit
def hazard_rate(x, chance, per_days):
    """Hazard rate per day of ``chance: x within per_days`` (-ln(1 - x) / per_days, the rate
    of the exponential waiting time with P(T <= per_days) = x) or of ``rate: x per per_days``
    (x / per_days)."""
    if chance:
        return -math.log1p(-x) / per_days
    return x / per_days


@_jit
def hazard_rates(x, chance, per_days):
    """:func:`hazard_rate` of each element of the 1-d array ``x``."""
    out = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = hazard_rate(x[i], chance, per_days)
    return out


@_jit
def draw_columns(seed, keys, start, n, k, code, par, spl, splines, fixed, out):
    """Values of several streams' layer ``k`` for runs ``[start, start + n)``, written into
    ``out`` (m, n) and returned.

    Row j is the quantile (:func:`quantile` with ``code[j]``, ``par[j]``, spline ``spl[j]``)
    of the uniforms of stream ``keys[j]`` (as :func:`layer`), or of the level ``fixed[j]``
    in every run when it is not NaN. The family is chosen once per row, and each family
    function is the one :func:`quantile` calls, so the values are the same bit for bit.
    """
    m = keys.shape[0]
    z = np.empty(n)
    for j in range(m):
        row = out[j]
        level = fixed[j]
        if level == level:  # not NaN: one value for every run
            row[:] = quantile(code[j], par, j, splines, spl[j], level)
            continue
        u = layer(seed, keys[j], start, n, k)
        c, p0, p1, s = code[j], par[j, 0], par[j, 1], spl[j]
        if c == LOGNORMAL or c == SPLINE:  # noqa: PLR1714, SIM109 - plain compares for numba
            # probit in three passes: the table (vectorized), ndtri where the table does not
            # reach, the family's function of z
            for i in range(n):
                z[i] = _probit_cell(u[i])
            for i in range(n):
                if not min(u[i], 1.0 - u[i]) >= _PROBIT_MIN:
                    z[i] = ndtri(u[i])
            if c == LOGNORMAL:
                for i in range(n):
                    row[i] = exp(p0 + p1 * z[i])
            else:
                for i in range(n):
                    row[i] = p0 + p1 * _unit_spline(splines, s, z[i])
        elif c == UNIFORM:
            for i in range(n):
                row[i] = _uniform(p0, p1, u[i])
        else:
            for i in range(n):
                row[i] = quantile(c, par, j, splines, s, u[i])
    return out


# -- the compiled engine's kernel -------------------------------------------------------
#
# simulate() takes the scenario as three named tuples of arrays (Events, Conditions, Timing,
# built by sim.engines.arrays), the block's settings as a Run and its outputs as Counts.


class Events(NamedTuple):
    """Per-event arrays (:class:`sim.engines.arrays.ScenarioArrays` documents each)."""

    track: np.ndarray
    from_mask: np.ndarray
    guard: np.ndarray
    mod: np.ndarray
    n_mod: np.ndarray
    is_at: np.ndarray
    day: np.ndarray
    cum: np.ndarray
    targets: np.ndarray
    n_to: np.ndarray
    also_ptr: np.ndarray
    also_track: np.ndarray
    also_state: np.ndarray
    readers_ptr: np.ndarray
    readers: np.ndarray


class Conditions(NamedTuple):
    """Outcome programs, the postfix programs and the truth tables over joint states
    (:class:`sim.engines.arrays.ScenarioArrays` documents each)."""

    outcome: np.ndarray
    code: np.ndarray
    start: np.ndarray
    masks: np.ndarray
    tabulated: bool
    strides: np.ndarray
    en_table: np.ndarray
    mod_tabulated: bool
    mod_bits: np.ndarray
    out_table: np.ndarray


class Timing(NamedTuple):
    """How each event's work is drawn and each modifier's factor found
    (:meth:`sim.engines.arrays.ScenarioArrays._timings` documents each)."""

    wkind: np.ndarray
    wcode: np.ndarray
    wpar: np.ndarray
    wspl: np.ndarray
    splines: np.ndarray
    wslot: np.ndarray
    wconst: np.ndarray
    key_wait: np.ndarray
    key_branch: np.ndarray
    hz_slot: np.ndarray
    hz_const: np.ndarray
    hz_chance: np.ndarray
    hz_per: np.ndarray
    mod_slot: np.ndarray
    mod_const: np.ndarray


class Run(NamedTuple):
    """A block's settings: seed (uint64), index of its first run, horizon and checkpoints
    (n_points,) in days, the limits on firings at one instant and in a run, the longest
    trajectory kept, and whether per-run checkpoint states and firings are kept (detail)."""

    seed: np.uint64
    first_run: int
    horizon: float
    points: np.ndarray
    max_instant: int
    max_run: int
    max_traj: int
    detail: bool


class Counts(NamedTuple):
    """What :func:`simulate` writes, for n runs: ``final`` int16 (n, n_tracks), ``first``
    (n, n_outcomes) days, ``final_truth`` bool (n, n_outcomes); differences (see
    :func:`simulate`) ``occupancy`` (n_points, n_tracks, max_states), ``at_truth`` and
    ``passage`` (n_points, n_outcomes); ``fired_runs`` and ``fire_count`` (n_events,);
    with detail ``at_points`` int16 (n, n_points, n_tracks) and ``fires`` int32
    (n, n_events); ``traj`` int32 (n, max_traj + 1), ``traj_len`` (n,), ``traj_hash``
    uint64 (n,)."""

    final: np.ndarray
    first: np.ndarray
    final_truth: np.ndarray
    occupancy: np.ndarray
    at_truth: np.ndarray
    passage: np.ndarray
    fired_runs: np.ndarray
    fire_count: np.ndarray
    at_points: np.ndarray
    fires: np.ndarray
    traj: np.ndarray
    traj_len: np.ndarray
    traj_hash: np.ndarray


@_jit
def _eval(c, state, code, start, masks, stack):
    sp = 0
    for i in range(start[c], start[c + 1]):
        op = code[i, 0]
        a = code[i, 1]
        if op == OP_TEST:
            stack[sp] = masks[code[i, 2], state[a]]
            sp += 1
        elif op == OP_NOT:
            stack[sp - 1] = not stack[sp - 1]
        elif op == OP_AND or op == OP_OR:  # noqa: PLR1714, SIM109 - plain compares for numba
            v = op == OP_AND
            for j in range(sp - a, sp):
                v = (v and stack[j]) if op == OP_AND else (v or stack[j])
            sp -= a
            stack[sp] = v
            sp += 1
        else:  # OP_CONST
            stack[sp] = a != 0
            sp += 1
    return stack[0]


_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@_jit
def _mix(z):
    """The SplitMix64 finalizer (Steele, Lea and Flood 2014): a bijection of uint64."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@_jit
def simulate(run, initial, slots, ev, cond, tm, out):  # noqa: PLR0912, PLR0915
    """The compiled engine's loop (:mod:`sim.engines.compiled`): simulate the runs of a block
    in order, each as the reference engine does (format section 8), time in days.

    The hot part (re-examining clocks, firing) stays here, the rest is in helpers inlined at
    numba's IR level. An inlined helper binds each argument to a new variable: a reference
    count increment for each array in it (every array of a named tuple) and a decrement where
    it dies, which numba's refcount pruning removes only when the helper uses the array on
    every path and calls no other compiled function (its error exit breaks the pattern). The
    helpers here meet that: the loop compiles with the same increments and decrements as with
    none. Named tuples passed to inlined helpers made the loop 25 times slower.

    Parameters
    ----------
    run : Run
        The block's seed, first run index, horizon, checkpoints and limits.
    initial : int64 array (n, n_tracks)
        Each run's initial states.
    slots : float array (n, max(n_slots, 1))
        Each run's uncertain values (days for durations).
    ev, cond, tm : Events, Conditions, Timing
        The scenario (:func:`sim.engines.arrays.scenario_arrays`).
    out : Counts
        Filled: per-run arrays, and sums over the block. ``occupancy`` and ``at_truth``
        receive differences: +1/-1 at the first checkpoint at or after each change of state
        or outcome truth, and ``passage`` +1 at the first checkpoint at or after each
        outcome's first time (the caller takes cumulative sums).

    Returns
    -------
    int
        -1, or the first run (0 .. n - 1) that went out of control (more than
        ``max_instant`` firings at one instant, or more than ``max_run`` in the run); the
        runs after it are not simulated.
    """
    seed, first_run, horizon, points = run.seed, run.first_run, run.horizon, run.points
    max_instant, max_run, max_traj, detail = run.max_instant, run.max_run, run.max_traj, run.detail
    track, from_mask, guard, mod, n_mod = ev.track, ev.from_mask, ev.guard, ev.mod, ev.n_mod
    is_at, day, cum, targets, n_to = ev.is_at, ev.day, ev.cum, ev.targets, ev.n_to
    also_ptr, also_track, also_state = ev.also_ptr, ev.also_track, ev.also_state
    readers_ptr, readers = ev.readers_ptr, ev.readers
    outcome, code, start, masks = cond.outcome, cond.code, cond.start, cond.masks
    tabulated, strides, en_table = cond.tabulated, cond.strides, cond.en_table
    out_table, mod_tabulated, mod_bits = cond.out_table, cond.mod_tabulated, cond.mod_bits
    wkind, wcode, wpar, wspl, splines = tm.wkind, tm.wcode, tm.wpar, tm.wspl, tm.splines
    wslot, wconst, key_wait, key_branch = tm.wslot, tm.wconst, tm.key_wait, tm.key_branch
    hz_slot, hz_const, hz_chance, hz_per = tm.hz_slot, tm.hz_const, tm.hz_chance, tm.hz_per
    mod_slot, mod_const = tm.mod_slot, tm.mod_const
    final, first, final_truth, occupancy = out.final, out.first, out.final_truth, out.occupancy
    at_truth, passage, fired_runs = out.at_truth, out.passage, out.fired_runs
    fire_count, at_points, fires, traj = out.fire_count, out.at_points, out.fires, out.traj
    traj_len, traj_hash = out.traj_len, out.traj_hash
    n = initial.shape[0]
    n_events = track.shape[0]
    n_tracks = initial.shape[1]
    n_out = outcome.shape[0]
    n_points = points.shape[0]
    inf = np.inf
    enabled, left, since, speed, due, k_en, k_fire, n_fire, at_done, on_bits = _clocks(n_events)
    state, changed, changed_list, mark, todo, holds, stack = _marks(
        n_tracks, n_events, n_out, code.shape[0] + 1
    )
    bits_ok = mod.shape[1] <= MAX_MODIFIER_BITS
    for r in range(n):
        run = np.uint64(first_run + r)
        joint = _start_state(r, initial, strides, state, changed)
        _reset_clocks(enabled, speed, due, k_en, k_fire, n_fire, at_done, mark, todo)
        n_changed = 0
        stamp = 0
        tlen = 0
        total = 0
        h = _GOLDEN
        now = 0.0
        for o in range(n_out):
            if tabulated:
                holds[o] = out_table[joint, o]
            else:
                holds[o] = _eval(outcome[o], state, code, start, masks, stack)
        _start_counts(r, n_points, state, holds, first, at_truth, passage, occupancy)
        n_todo = n_events
        fired = -1
        point = 0
        last_t = -1.0
        count = 0
        while True:
            # re-examine the clocks in todo (section 8.2-8.4)
            for i in range(n_todo):
                x = todo[i]
                if tabulated:
                    en = en_table[joint, x] and not at_done[x]
                elif at_done[x]:
                    en = False
                else:
                    en = from_mask[x, state[track[x]]]
                    if en and guard[x] >= 0:
                        en = _eval(guard[x], state, code, start, masks, stack)
                if not en:
                    if enabled[x]:
                        enabled[x] = False
                        due[x] = inf
                    continue
                fresh = x == fired or changed[track[x]] or fired < 0
                # which modifiers hold, as bits (when at most 31); an enabled clock whose
                # modifiers are unchanged keeps its speed
                if n_mod[x] == 0:
                    if not fresh and enabled[x]:
                        continue
                    bits = 0
                elif mod_tabulated:
                    bits = mod_bits[joint, x]
                else:
                    bits = 0
                    for m in range(n_mod[x] if bits_ok else 0):
                        if _eval(mod[x, m], state, code, start, masks, stack):
                            bits |= 1 << m
                if bits_ok and not fresh and enabled[x] and bits == on_bits[x]:
                    continue
                on_bits[x] = bits
                s = 1.0
                for m in range(n_mod[x]):
                    if bits_ok:
                        on = (bits >> m) & 1 == 1
                    else:
                        on = _eval(mod[x, m], state, code, start, masks, stack)
                    if on:
                        k = mod_slot[x, m]
                        if k < 0:
                            s *= mod_const[x, m]
                        else:
                            s *= slots[r, k]
                if fresh or not enabled[x]:
                    enabled[x] = True
                    kind = wkind[x]
                    if kind == W_AT:
                        due[x] = max(day[x], now)
                        continue
                    if kind == W_HAZARD:
                        k = hz_slot[x]
                        value = hz_const[x] if k < 0 else slots[r, k]
                        u = uniform(seed, key_wait[x], run, k_en[x])
                        left[x] = hazard_work(u, hazard_rate(value, hz_chance[x], hz_per[x]))
                    elif kind == W_DIST:
                        u = uniform(seed, key_wait[x], run, k_en[x])
                        left[x] = quantile(wcode[x], wpar, x, splines, wspl[x], u)
                    elif wslot[x] >= 0:  # after: $parameter
                        left[x] = slots[r, wslot[x]]
                    else:
                        left[x] = wconst[x]
                    k_en[x] += np.uint64(1)
                    since[x] = now
                    speed[x] = s
                else:
                    if s == speed[x]:
                        continue
                    left[x] = max(left[x] - (now - since[x]) * speed[x], 0.0)
                    since[x] = now
                    speed[x] = s
                due[x] = now + left[x] / speed[x] if speed[x] > 0 else inf
            # the next firing: smallest due time, first in file order among equals
            t, e = _next_due(due)
            if e < 0 or t > horizon:
                break
            point = _pass_points(r, point, t, points, detail, state, at_points)
            if t == last_t:
                count += 1
            else:
                count = 1
                last_t = t
            now = t
            total += 1
            if count > max_instant or total > max_run:
                traj_len[r] = tlen
                return r
            # fire e
            u = uniform(seed, key_branch[e], run, k_fire[e]) if n_to[e] > 1 else 0.0
            target = _branch(e, u, targets, n_to, cum)
            k_fire[e] += np.uint64(1)
            for i in range(n_changed):
                changed[changed_list[i]] = False
            joint, n_changed = _move(
                e,
                target,
                joint,
                point,
                n_points,
                track,
                also_ptr,
                also_track,
                also_state,
                state,
                strides,
                changed,
                changed_list,
                occupancy,
            )
            any_change = n_changed > 0
            n_fire[e] += 1
            if tlen <= max_traj:  # the marker -1 past max_traj, coded as mix(h xor 0)
                traj[r, tlen] = e if tlen < max_traj else -1
                h = _mix(h ^ np.uint64(e + 1 if tlen < max_traj else 0))
                tlen += 1
            if is_at[e]:
                at_done[e] = True
            enabled[e] = False
            due[e] = inf
            if any_change:
                for o in range(n_out):
                    if tabulated:
                        now_holds = out_table[joint, o]
                    else:
                        now_holds = _eval(outcome[o], state, code, start, masks, stack)
                    if now_holds != holds[o]:
                        holds[o] = now_holds
                        if point < n_points:
                            at_truth[point, o] += 1 if now_holds else -1
                    if now_holds and first[r, o] == inf:
                        first[r, o] = now
                        if point < n_points:
                            passage[point, o] += 1
            # clocks to re-examine: the fired event and the readers of changed tracks
            stamp += 1
            n_todo = _to_examine(
                e, stamp, changed_list, n_changed, readers_ptr, readers, mark, todo
            )
            fired = e
        _rest_points(r, point, detail, state, at_points)
        _end_state(r, state, holds, final, final_truth)
        _count_fires(r, n_fire, fire_count, fired_runs, detail, fires)
        traj_len[r] = tlen
        traj_hash[r] = _mix(h ^ np.uint64(tlen))
    return -1


@_inline
def _clocks(n_events):
    """Per-event scratch of :func:`simulate` (allocated once per block): whether each clock
    runs, its work left at time ``since`` and its ``speed``, its due time, its draws when
    enabled and when fired, its firings, whether an `at` event is done, its modifier bits."""
    return (
        np.zeros(n_events, dtype=np.bool_),
        np.zeros(n_events),
        np.zeros(n_events),
        np.ones(n_events),
        np.full(n_events, np.inf),
        np.zeros(n_events, dtype=np.uint64),
        np.zeros(n_events, dtype=np.uint64),
        np.zeros(n_events, dtype=np.int64),
        np.zeros(n_events, dtype=np.bool_),
        np.zeros(n_events, dtype=np.int64),
    )


@_inline
def _marks(n_tracks, n_events, n_out, n_stack):
    """The rest of :func:`simulate`'s scratch: track states, changed tracks (flags and list),
    stamps and list of the clocks to re-examine, which outcomes hold, the condition stack."""
    return (
        np.zeros(n_tracks, dtype=np.int64),
        np.zeros(n_tracks, dtype=np.bool_),
        np.zeros(n_tracks, dtype=np.int64),
        np.zeros(n_events, dtype=np.int64),
        np.zeros(n_events, dtype=np.int64),
        np.zeros(n_out, dtype=np.bool_),
        np.zeros(n_stack, dtype=np.bool_),
    )


@_inline
def _start_state(r, initial, strides, state, changed):
    """Set ``state`` to run ``r``'s initial states, no track changed; returns the joint
    state's code."""
    joint = 0
    for t in range(state.shape[0]):
        state[t] = initial[r, t]
        joint += state[t] * strides[t]
        changed[t] = False
    return joint


@_inline
def _reset_clocks(enabled, speed, due, k_en, k_fire, n_fire, at_done, mark, todo):
    """Every clock stopped, at speed 1, with no draw and no firing, and to be examined."""
    enabled[:] = False
    speed[:] = 1.0
    due[:] = np.inf
    k_en[:] = 0
    k_fire[:] = 0
    n_fire[:] = 0
    at_done[:] = False
    mark[:] = 0
    for x in range(todo.shape[0]):
        todo[x] = x


@_inline
def _pass_points(r, point, t, points, detail, state, at_points):
    """Move past the checkpoints before time ``t`` from ``point`` on (with detail, recording
    ``state`` at each for run ``r``); returns the index of the next checkpoint."""
    while point < points.shape[0] and points[point] < t:
        if detail:
            for j in range(state.shape[0]):
                at_points[r, point, j] = state[j]
        point += 1
    return point


@_inline
def _rest_points(r, point, detail, state, at_points):
    """With detail, record run ``r``'s final ``state`` at the checkpoints from ``point`` on."""
    while detail and point < at_points.shape[1]:
        for j in range(state.shape[0]):
            at_points[r, point, j] = state[j]
        point += 1


@_inline
def _end_state(r, state, holds, final, final_truth):
    """Record run ``r``'s final states and which outcomes hold at its end."""
    for j in range(state.shape[0]):
        final[r, j] = state[j]
    for o in range(holds.shape[0]):
        final_truth[r, o] = holds[o]


@_inline
def _count_fires(r, n_fire, fire_count, fired_runs, detail, fires):
    """Add run ``r``'s firings per event to the block's sums (and, with detail, its row)."""
    for x in range(n_fire.shape[0]):
        if n_fire[x] > 0:
            fire_count[x] += n_fire[x]
            fired_runs[x] += 1
        if detail:
            fires[r, x] = n_fire[x]


@_inline
def _start_counts(r, n_points, state, holds, first, at_truth, passage, occupancy):
    """Record run ``r``'s start: outcomes holding at time 0 (first times, and at the first
    checkpoint, truth and passage), states at the first checkpoint. Loops only: an array
    that an inlined helper uses in one branch alone costs reference counting at each call."""
    for o in range(holds.shape[0]):
        first[r, o] = 0.0 if holds[o] else np.inf
        if holds[o] and n_points > 0:
            at_truth[0, o] += 1
            passage[0, o] += 1
    for j in range(state.shape[0] if n_points > 0 else 0):
        occupancy[0, j, state[j]] += 1


@_inline
def _next_due(due):
    """The next firing: the smallest due time and its event, first in file order among equals
    (inf and -1 when no clock runs)."""
    t = np.inf
    e = -1
    for x in range(due.shape[0]):
        if due[x] < t:
            t = due[x]
            e = x
    return t, e


@_inline
def _to_examine(e, stamp, changed_list, n_changed, readers_ptr, readers, mark, todo):
    """The clocks to re-examine after ``e`` fired, each once (``mark`` set to ``stamp``): ``e``
    and the readers of the ``n_changed`` changed tracks, into ``todo``; returns their number."""
    mark[e] = stamp
    todo[0] = e
    n_todo = 1
    for i in range(n_changed):
        j = changed_list[i]
        for p in range(readers_ptr[j], readers_ptr[j + 1]):
            x = readers[p]
            if mark[x] != stamp:
                mark[x] = stamp
                todo[n_todo] = x
                n_todo += 1
    return n_todo


@_inline
def _branch(e, u, targets, n_to, cum):
    """Event ``e``'s target state: that of its first branch whose cumulative chance exceeds
    ``u``, else its last (the only one when there is one)."""
    target = targets[e, max(n_to[e] - 1, 0)]
    for j in range(n_to[e] - 2, -1, -1):  # no break: a helper's exits cost reference counting
        if u < cum[e, j]:
            target = targets[e, j]
    return target


@_inline
def _move(
    e,
    target,
    joint,
    point,
    n_points,
    track,
    also_ptr,
    also_track,
    also_state,
    state,
    strides,
    changed,
    changed_list,
    occupancy,
):
    """Set event ``e``'s track to ``target``, then its other tracks to their states; each
    change moves occupancy at checkpoint ``point`` and the joint code ``joint``, and lists its
    track once in ``changed_list``. Returns the joint code and the number of changed tracks.

    One loop (p = also_ptr[e] - 1 is e's own track): an array that an inlined helper uses in
    one branch alone costs reference counting at each call."""
    n_changed = 0
    for p in range(also_ptr[e] - 1, also_ptr[e + 1]):
        j = track[e] if p < also_ptr[e] else also_track[p]
        v = target if p < also_ptr[e] else also_state[p]
        if state[j] != v:
            if point < n_points:
                occupancy[point, j, state[j]] -= 1
                occupancy[point, j, v] += 1
            joint += (v - state[j]) * strides[j]
            state[j] = v
            if not changed[j]:
                changed[j] = True
                changed_list[n_changed] = j
                n_changed += 1
    return joint, n_changed


# -- weighted reduction (evidence, format section 10) ------------------------------------


@_jit
def point_truth(at_points, cond, point, column, out):
    """Whether condition ``column[k]`` (an outcome program of ``cond``) holds on each run's
    state at checkpoint ``point[k]``: fills ``out`` bool (n, n_probes) from ``at_points``
    int16 (n, n_points, n_tracks)."""
    n, _, n_tracks = at_points.shape
    state = np.empty(n_tracks, dtype=np.int64)
    stack = np.empty(cond.code.shape[0] + 1, dtype=np.bool_)
    for r in range(n):
        for k in range(point.shape[0]):
            joint = 0
            for t in range(n_tracks):
                state[t] = at_points[r, point[k], t]
                if cond.tabulated:
                    joint += state[t] * cond.strides[t]
            if cond.tabulated:
                out[r, k] = cond.out_table[joint, column[k]]
            else:
                out[r, k] = _eval(
                    cond.outcome[column[k]], state, cond.code, cond.start, cond.masks, stack
                )


@_jit
def weigh_points(at_points, keep, weights, cond, n_out, occupancy, at_truth):
    """Add each run's weight to the states it held and the outcomes that held at checkpoints.

    For each run r of weight w = ``weights[r]`` > 0 and each j, with p = ``keep[j]``:
    ``occupancy[j, t, at_points[r, p, t]] += w`` for every track t, and ``at_truth[j, o] += w``
    for each outcome o < ``n_out`` whose program (``cond.outcome[o]``) holds on that state.
    ``occupancy`` is float (len(keep), n_tracks, max_states), ``at_truth`` float
    (len(keep), n_out).
    """
    n, _, n_tracks = at_points.shape
    state = np.empty(n_tracks, dtype=np.int64)
    stack = np.empty(cond.code.shape[0] + 1, dtype=np.bool_)
    for r in range(n):
        w = weights[r]
        if w == 0.0:
            continue
        for j in range(keep.shape[0]):
            p = keep[j]
            joint = 0
            for t in range(n_tracks):
                s = at_points[r, p, t]
                state[t] = s
                occupancy[j, t, s] += w
                if cond.tabulated:
                    joint += s * cond.strides[t]
            for o in range(n_out):
                if cond.tabulated:
                    holds = cond.out_table[joint, o]
                else:
                    holds = _eval(cond.outcome[o], state, cond.code, cond.start, cond.masks, stack)
                if holds:
                    at_truth[j, o] += w
