"""Numeric checks of the generated activations against their mpmath definitions, autograd and (R6) the Heaviside limit.

The table REFERENCES drives the checks: every function of numeric.generated.activations is compared
with its row, under the derivation its module's DERIVED_FROM names. A new activation needs one row.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import mpmath as mp
import numpy as np

from . import register
from .result import CheckResult

_EPS = np.finfo(np.float64).eps
_TINY = np.finfo(np.float64).tiny
# Largest t whose exp(-t) is still a normal float64; past it underflow is the correct rounding.
_UNDERFLOW_T = -math.log(_TINY)
_ULP_TOL = 4.0
_DIGITS = 50
_MODULE = "numeric.generated.activations"


@dataclass(frozen=True)
class Reference:
    """A generated activation's definition, evaluated literally in mpmath: no stable rewrite that could
    share a bug with the generated code."""

    exact: Callable                    # mpf -> mpf, the textbook definition
    derivative_of: str | None = None   # the generated function this one is the derivative of (autograd check)
    decay: int = 1                     # its tails involve exp(-decay*|z|): sets working precision and underflow


#: One row per generated activation: name in numeric.generated.activations -> its reference.
REFERENCES = {
    "sigmoid": Reference(lambda x: 1 / (1 + mp.exp(-x))),
    "sigmoid_prime": Reference(lambda x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2, derivative_of="sigmoid"),
    "log_sigmoid": Reference(lambda x: mp.log(1 / (1 + mp.exp(-x)))),
    "softplus": Reference(lambda x: mp.log(1 + mp.exp(x))),
}


def _activations():
    from numeric.generated import activations

    return activations


def _grid() -> np.ndarray:
    special = [-1000, -745, -40, -1e-8, 0, 1e-8, 40, 745, 1000]
    mag = np.logspace(-12, 3, 301)
    edge = np.linspace(700, 750, 101)          # around the float64 underflow threshold of exp
    z = np.concatenate([np.linspace(-1000, 1000, 2001), special, mag, -mag, edge, -edge])
    return np.unique(z.astype(np.float64))


def _exact(ref: Reference, z: float):
    """The definition at 50 significant digits of the result.

    Working precision grows with |z| so that 1 + exp(-decay |z|) keeps its small part to 50 digits.
    """
    with mp.workdps(_DIGITS + 10 + int(ref.decay * abs(z) / math.log(10))):
        return +ref.exact(mp.mpf(z))


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


def _missing(derivation: str, name: str) -> CheckResult:
    nan = math.nan
    return CheckResult(
        derivation=derivation, name=f"{name} vs mpmath ({_DIGITS} digits)",
        compared=f"generated activations.{name} vs its mpmath definition", data="--",
        max_abs_err=nan, max_rel_err=nan, tolerance=nan, passed=False,
        detail=f"no mpmath reference for {_MODULE}.{name}: add a row to REFERENCES in {__name__}")


def against_mpmath(derivation: str, name: str) -> CheckResult:
    """Generated `name` against its definition at 50 digits, in ulps, on a grid over [-1000, 1000]."""
    ref = REFERENCES.get(name)
    if ref is None:
        return _missing(derivation, name)
    fn = getattr(_activations(), name)
    z = _grid()
    underflow_from = _UNDERFLOW_T / ref.decay
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
    # Underflow is a representation fact, not an error, only where exp(-decay |z|) itself is
    # below the normal range; anywhere else it would betray a badly ordered formula.
    uf = _underflow_points(fn, z)
    bad_uf = [u for u in uf if abs(u) < underflow_from]
    if bad_uf:
        problems.append(f"underflow at |z| < {underflow_from:.2f}: {bad_uf[:5]}")

    ulps = np.empty(len(z))
    abs_err = np.empty(len(z))
    rel_err = np.zeros(len(z))
    for i, (zi, gi) in enumerate(zip(z, got)):
        ex = _exact(ref, float(zi))
        ulps[i] = _ulps(gi, ex) if np.isfinite(gi) else np.inf
        abs_err[i] = float(abs(mp.mpf(gi) - ex)) if np.isfinite(gi) else np.inf
        if abs(ex) >= _TINY:
            rel_err[i] = float(abs((mp.mpf(gi) - ex) / ex)) if np.isfinite(gi) else np.inf
    k = int(np.argmax(ulps))
    passed = finite and not problems and float(ulps.max()) <= _ULP_TOL
    return CheckResult(
        derivation=derivation, name=f"{name} vs mpmath ({_DIGITS} digits)",
        compared=f"generated activations.{name} vs its definition evaluated in mpmath at {_DIGITS} digits",
        data=f"grid of {len(z)} points z in [-1000, 1000] incl. +-1000, +-745, +-40, +-1e-8, 0",
        max_abs_err=float(abs_err.max()), max_rel_err=float(rel_err.max()),
        tolerance=_ULP_TOL * _EPS, passed=passed,
        detail=(f"max error {ulps.max():.3g} ulps at z={z[k]:.6g} (tolerance {_ULP_TOL:g} ulps of the "
                f"correctly rounded value; relative error over results in the normal range, tolerance "
                f"{_ULP_TOL:g}*eps); mean {ulps.mean():.3g} ulps; all finite: {finite}; no warnings or "
                f"FP exceptions other than underflow; underflow at {len(uf)} points, all with "
                f"|z| >= {underflow_from:.2f} where exp(-{ref.decay}|z|) < tiny"
                + ("; PROBLEMS: " + "; ".join(problems) if problems else "")),
    )


def derivative_vs_autograd(derivation: str, name: str) -> CheckResult:
    """Generated derivative `name` against autograd's derivative of the generated function it differentiates."""
    import autograd

    from numeric.autodiff import under_autograd

    A = _activations()
    ref = REFERENCES[name]
    of = ref.derivative_of
    z = _grid()
    ag = under_autograd(A)
    with np.errstate(under="ignore"):
        claim = getattr(A, name)(z)
        expect = np.asarray(autograd.elementwise_grad(getattr(ag, of))(z))
        at0 = float(autograd.grad(getattr(ag, of))(0.0))
        claim0 = float(getattr(A, name)(0.0))
    # z = 0 stays in: a stable form written with |z| would get d|z|/dz := 0 there from autograd and
    # return a wrong value, so the branch point is where the formulation is most likely to break.
    normal = np.abs(expect) >= _TINY
    rel = np.abs(claim[normal] - expect[normal]) / np.abs(expect[normal])
    # Below the normal range both sides are quantised to subnormal spacing; compare there in ulps.
    sub_ulps = np.abs(claim[~normal] - expect[~normal]) / np.spacing(np.abs(expect[~normal]))
    tol = 1e-12
    passed = bool(np.all(np.isfinite(expect)) and rel.max() <= tol and (sub_ulps.size == 0 or sub_ulps.max() <= 4))
    return CheckResult(
        derivation=derivation, name=f"{name} vs autograd of {of}",
        compared=f"generated {name} vs autograd.elementwise_grad of the generated {of} (under_autograd)",
        data=f"same {len(z)}-point grid on [-1000, 1000], z = 0 included",
        max_abs_err=float(np.abs(claim - expect).max()), max_rel_err=float(rel.max()),
        tolerance=tol, passed=passed,
        detail=(f"relative error over {int(normal.sum())} points with a normal result; "
                f"{int((~normal).sum())} subnormal/zero results agree to {sub_ulps.max() if sub_ulps.size else 0:.3g} "
                f"subnormal ulps (tolerance 4); tolerance 1e-12 ~ 4500 eps covers a few roundings in "
                f"each chain-rule product. At z = 0 autograd gives {at0:.17g}, generated {name}(0) = "
                f"{claim0:.17g} (exact {float(_exact(ref, 0.0)):.17g})"),
    )


def _bind(check, derivation: str, name: str):
    """`check(derivation, name)` as a zero-argument registered check, named for the report."""
    def run() -> list[CheckResult]:
        return [check(derivation, name)]
    run.__name__ = f"{check.__name__}[{name}]"
    return run


def _register_table():
    """One check per generated activation, under the derivation its module says it comes from."""
    A = _activations()
    for name in A.__all__:
        derivation = A.DERIVED_FROM[name]
        register(derivation)(_bind(against_mpmath, derivation, name))
        ref = REFERENCES.get(name)
        if ref is not None and ref.derivative_of is not None:
            register(derivation)(_bind(derivative_vs_autograd, derivation, name))


_register_table()


@register("sigmoid")
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
        derivation="sigmoid", name="sigmoid(kz) -> H(z) (R6)",
        compared="max over |z| >= 0.1 of |sigmoid(kz) - H(z)| (generated sigmoid) vs its exact value sigmoid(-0.1k)",
        data=f"{len(z)} points with 0.1 <= |z| <= 1000; k in {ks}",
        max_abs_err=float(k200), max_rel_err=float(np.max(dev / exact)),
        tolerance=1e-6, passed=passed,
        detail=("sup |sigmoid(kz) - H| = " + ", ".join(f"k={k}: {s:.3g}" for k, s in zip(ks, sup))
                + f"; below 1e-6 from k={first} on (threshold k > 10 ln(1e6) = {10 * math.log(1e6):.1f}); "
                f"non-increasing in k: {monotone}; max deviation from exact sup sigmoid(-0.1k): {dev.max():.3g} "
                f"(<= eps, the rounding of sigmoid near 1)"),
    )]
