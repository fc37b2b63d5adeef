"""Numeric checks of the generated activations against 50-digit mpmath, autograd and the Heaviside limit."""
from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np

from . import register
from .result import CheckResult

DERIVATION = "sigmoid"
_EPS = np.finfo(np.float64).eps
_TINY = np.finfo(np.float64).tiny
# Largest |z| whose exp(-|z|) is still a normal float64; past it underflow is the correct rounding.
_UNDERFLOW_Z = -math.log(_TINY)
_ULP_TOL = 4.0
_DIGITS = 50


def _grid() -> np.ndarray:
    special = [-1000, -745, -40, -1e-8, 0, 1e-8, 40, 745, 1000]
    mag = np.logspace(-12, 3, 301)
    edge = np.linspace(700, 750, 101)          # around the float64 underflow threshold of exp
    z = np.concatenate([np.linspace(-1000, 1000, 2001), special, mag, -mag, edge, -edge])
    return np.unique(z.astype(np.float64))


def _exact(name: str, z: float):
    """Definition of each function at 50 significant digits of the result.

    Working precision grows with |z| so that 1 + exp(-|z|) keeps exp(-|z|) to 50 digits: the
    definitions are evaluated literally, with no stable rewrite that could share a bug with the code.
    """
    with mp.workdps(_DIGITS + 10 + int(abs(z) / math.log(10))):
        x = mp.mpf(z)
        if name == "sigmoid":
            return 1 / (1 + mp.exp(-x))
        if name == "sigmoid_prime":
            return mp.exp(-x) / (1 + mp.exp(-x)) ** 2
        if name == "log_sigmoid":
            return mp.log(1 / (1 + mp.exp(-x)))
        if name == "softplus":
            return mp.log(1 + mp.exp(x))
    raise KeyError(name)


def _ulps(computed: float, exact) -> float:
    nearest = float(exact)                      # mpmath rounds to nearest, subnormals included
    ulp = float(np.spacing(abs(nearest)))       # spacing(0) is the smallest subnormal
    return float(abs(mp.mpf(computed) - exact) / ulp)


def _strict(fn, z):
    """fn(z) with every floating-point event except underflow raised, and every warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(z)


def _underflow_points(fn, z) -> list[float]:
    hits = []
    for zi in z:
        try:
            with np.errstate(all="raise"):
                fn(np.array([zi]))
        except FloatingPointError as e:
            if "underflow" not in str(e):
                raise
            hits.append(float(zi))
    return hits


@register(DERIVATION)
def against_mpmath() -> list[CheckResult]:
    from numeric.generated import activations as A

    z = _grid()
    out = []
    for name in ("sigmoid", "sigmoid_prime", "log_sigmoid", "softplus"):
        fn = getattr(A, name)
        problems = []
        try:
            got = np.asarray(_strict(fn, z), dtype=np.float64)
        except (FloatingPointError, Warning) as e:
            problems.append(f"raised {type(e).__name__}: {e}")
            with np.errstate(all="ignore"):
                got = np.asarray(fn(z), dtype=np.float64)
        finite = bool(np.all(np.isfinite(got)))
        if not finite:
            problems.append(f"non-finite at z={z[~np.isfinite(got)][:5].tolist()}")
        # Underflow is a representation fact, not an error, only where exp(-|z|) itself is
        # below the normal range; anywhere else it would betray a badly ordered formula.
        uf = _underflow_points(fn, z)
        bad_uf = [u for u in uf if abs(u) < _UNDERFLOW_Z]
        if bad_uf:
            problems.append(f"underflow at |z| < {_UNDERFLOW_Z:.2f}: {bad_uf[:5]}")

        ulps = np.empty(len(z))
        abs_err = np.empty(len(z))
        rel_err = np.zeros(len(z))
        for i, (zi, gi) in enumerate(zip(z, got)):
            ex = _exact(name, float(zi))
            ulps[i] = _ulps(gi, ex) if np.isfinite(gi) else np.inf
            abs_err[i] = float(abs(mp.mpf(gi) - ex)) if np.isfinite(gi) else np.inf
            if abs(ex) >= _TINY:
                rel_err[i] = float(abs((mp.mpf(gi) - ex) / ex)) if np.isfinite(gi) else np.inf
        k = int(np.argmax(ulps))
        passed = finite and not problems and float(ulps.max()) <= _ULP_TOL
        out.append(CheckResult(
            derivation=DERIVATION, name=f"{name} vs mpmath ({_DIGITS} digits)",
            compared=f"generated activations.{name} vs its definition evaluated in mpmath at {_DIGITS} digits",
            data=f"grid of {len(z)} points z in [-1000, 1000] incl. +-1000, +-745, +-40, +-1e-8, 0",
            max_abs_err=float(abs_err.max()), max_rel_err=float(rel_err.max()),
            tolerance=_ULP_TOL * _EPS, passed=passed,
            detail=(f"max error {ulps.max():.3g} ulps at z={z[k]:.6g} (tolerance {_ULP_TOL:g} ulps of the "
                    f"correctly rounded value; relative error over results in the normal range, tolerance "
                    f"{_ULP_TOL:g}*eps); mean {ulps.mean():.3g} ulps; all finite: {finite}; no warnings or "
                    f"FP exceptions other than underflow; underflow at {len(uf)} points, all with "
                    f"|z| >= {_UNDERFLOW_Z:.2f} where exp(-|z|) < tiny"
                    + ("; PROBLEMS: " + "; ".join(problems) if problems else "")),
        ))
    return out


@register(DERIVATION)
def prime_vs_autograd() -> list[CheckResult]:
    import autograd

    from numeric.autodiff import under_autograd
    from numeric.generated import activations as A

    z = _grid()
    ag = under_autograd(A)
    with np.errstate(under="ignore"):
        claim = A.sigmoid_prime(z)
        ref = np.asarray(autograd.elementwise_grad(ag.sigmoid)(z))
        at0 = float(autograd.grad(ag.sigmoid)(0.0))
    # z = 0 stays in: a stable form written with |z| would get d|z|/dz := 0 there from autograd and
    # return 0 instead of 1/4, so the branch point is where the formulation is most likely to break.
    normal = np.abs(ref) >= _TINY
    rel = np.abs(claim[normal] - ref[normal]) / np.abs(ref[normal])
    # Below the normal range both sides are quantised to subnormal spacing; compare there in ulps.
    sub_ulps = np.abs(claim[~normal] - ref[~normal]) / np.spacing(np.abs(ref[~normal]))
    tol = 1e-12
    passed = bool(np.all(np.isfinite(ref)) and rel.max() <= tol and (sub_ulps.size == 0 or sub_ulps.max() <= 4))
    return [CheckResult(
        derivation=DERIVATION, name="sigmoid_prime vs autograd of sigmoid",
        compared="generated sigmoid_prime vs autograd.elementwise_grad of the generated sigmoid (under_autograd)",
        data=f"same {len(z)}-point grid on [-1000, 1000], z = 0 included",
        max_abs_err=float(np.abs(claim - ref).max()), max_rel_err=float(rel.max()),
        tolerance=tol, passed=passed,
        detail=(f"relative error over {int(normal.sum())} points with a normal result; "
                f"{int((~normal).sum())} subnormal/zero results agree to {sub_ulps.max() if sub_ulps.size else 0:.3g} "
                f"subnormal ulps (tolerance 4); tolerance 1e-12 ~ 4500 eps covers a few roundings in "
                f"each chain-rule product. At z = 0 autograd gives {at0:.17g}, generated sigmoid_prime(0) = "
                f"{float(A.sigmoid_prime(0.0)):.17g} (exact 1/4)"),
    )]


@register(DERIVATION)
def heaviside_limit() -> list[CheckResult]:
    from numeric.generated import activations as A

    mag = np.unique(np.concatenate([np.linspace(0.1, 1000, 10000), np.logspace(-1, 3, 400)]))
    z = np.concatenate([-mag[::-1], mag])
    H = (z > 0).astype(float)
    ks = [1, 10, 50, 100, 150, 200, 400]
    sup, exact = [], []
    with np.errstate(under="ignore"):
        for k in ks:
            sup.append(float(np.max(np.abs(A.sigmoid(k * z) - H))))
            with mp.workdps(_DIGITS):
                exact.append(float(1 / (1 + mp.exp(mp.mpf(0.1) * k))))   # sup is at |z| = 0.1
    sup, exact = np.array(sup), np.array(exact)
    k200 = sup[ks.index(200)]
    # 1 - sigmoid(kz) for z > 0 is computed from a rounded sigmoid near 1: absolute error <= eps.
    dev = np.abs(sup - exact)
    monotone = bool(np.all(np.diff(sup) <= 0))
    passed = bool(k200 < 1e-6 and monotone and np.all(dev <= _EPS))
    first = next((k for k, s in zip(ks, sup) if s < 1e-6), None)
    return [CheckResult(
        derivation=DERIVATION, name="sigmoid(kz) -> H(z) (R6)",
        compared="max over |z| >= 0.1 of |sigmoid(kz) - H(z)| (generated sigmoid) vs its exact value sigmoid(-0.1k)",
        data=f"{len(z)} points with 0.1 <= |z| <= 1000; k in {ks}",
        max_abs_err=float(k200), max_rel_err=float(np.max(dev / exact)),
        tolerance=1e-6, passed=passed,
        detail=("sup |sigmoid(kz) - H| = " + ", ".join(f"k={k}: {s:.3g}" for k, s in zip(ks, sup))
                + f"; below 1e-6 from k={first} on (threshold k > 10 ln(1e6) = {10 * math.log(1e6):.1f}); "
                f"non-increasing in k: {monotone}; max deviation from exact sup sigmoid(-0.1k): {dev.max():.3g} "
                f"(<= eps, the rounding of sigmoid near 1)"),
    )]
