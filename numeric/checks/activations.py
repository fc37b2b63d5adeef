"""Numeric checks of the generated activations against their mpmath definitions, autograd and (R6) the Heaviside limit.

The table REFERENCES drives the checks: every function of numeric.generated.activations is compared
with its row, under the derivation its module's DERIVED_FROM names. A new activation needs one row.
"""
from __future__ import annotations

import math
import sys
import warnings
from dataclasses import dataclass
from typing import Callable

import mpmath as mp
import numpy as np

from ..floats import EPS, TINY, grid, ulps
from . import register
from .result import CheckResult, tex_num

# Largest t whose exp(-t) is still a normal float64; past it underflow is the correct rounding.
_UNDERFLOW_T = -math.log(TINY)
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
    limits: tuple = ()                 # ((z, exact value), ...) off the grid, e.g. at +-inf: must match exactly


# The largest float: the limits below hold there too (each row's value there is the correctly rounded one),
# past the point (|z| > 8.99e307) where 2|z| overflows, so no form may double or square z on the way.
_BIG = sys.float_info.max

#: One row per generated activation: name in numeric.generated.activations -> its reference.
REFERENCES = {
    "sigmoid": Reference(lambda x: 1 / (1 + mp.exp(-x)),
                         limits=((-math.inf, 0.0), (-_BIG, 0.0), (_BIG, 1.0), (math.inf, 1.0))),
    "sigmoid_prime": Reference(lambda x: mp.exp(-x) / (1 + mp.exp(-x)) ** 2, derivative_of="sigmoid",
                               limits=((-math.inf, 0.0), (-_BIG, 0.0), (_BIG, 0.0), (math.inf, 0.0))),
    "log_sigmoid": Reference(lambda x: mp.log(1 / (1 + mp.exp(-x))),
                             limits=((-math.inf, -math.inf), (-_BIG, -_BIG), (_BIG, 0.0), (math.inf, 0.0))),
    "softplus": Reference(lambda x: mp.log(1 + mp.exp(x)),
                          limits=((-math.inf, 0.0), (-_BIG, 0.0), (_BIG, _BIG), (math.inf, math.inf))),
    # tanh' as the textbook 1 - tanh^2 of the exp definition, not the generated 4e/(1 + e(2+e)): decay 2 keeps
    # the 4e^{-2|z|} that 1 - tanh^2 leaves in the working precision (e^{-2000} at z = 1000).
    "tanh": Reference(lambda x: (mp.exp(x) - mp.exp(-x)) / (mp.exp(x) + mp.exp(-x)), decay=2,
                      limits=((-math.inf, -1.0), (-_BIG, -1.0), (_BIG, 1.0), (math.inf, 1.0))),
    "tanh_prime": Reference(lambda x: 1 - ((mp.exp(x) - mp.exp(-x)) / (mp.exp(x) + mp.exp(-x))) ** 2,
                            derivative_of="tanh", decay=2,
                            limits=((-math.inf, 0.0), (-_BIG, 0.0), (_BIG, 0.0), (math.inf, 0.0))),
    "relu": Reference(lambda x: max(x, mp.mpf(0)), limits=((-math.inf, 0.0), (math.inf, math.inf))),
    "relu_prime": Reference(lambda x: mp.mpf(1) if x > 0 else mp.mpf(0), derivative_of="relu",
                            limits=((-math.inf, 0.0), (0.0, 0.0), (math.inf, 1.0))),
    "leaky_relu": Reference(lambda x: max(x / 10, x), limits=((-math.inf, -math.inf), (math.inf, math.inf))),
    "leaky_relu_prime": Reference(lambda x: mp.mpf(1) if x > 0 else mp.mpf(1) / 10, derivative_of="leaky_relu",
                                  limits=((-math.inf, 0.1), (0.0, 0.1), (math.inf, 1.0))),
}


def _activations():
    from numeric.generated import activations

    return activations


def _exact(ref: Reference, z: float):
    """The definition at 50 significant digits of the result.

    Working precision grows with |z| so that 1 + exp(-decay |z|) keeps its small part to 50 digits.
    """
    with mp.workdps(_DIGITS + 10 + int(ref.decay * abs(z) / math.log(10))):
        return +ref.exact(mp.mpf(z))


def _strict(fn, z):
    """fn(z) with every floating-point event except underflow raised, and every warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            return fn(z)


def _limit_problems(fn, limits) -> list[str]:
    """Each (z, exact) of a row's limits: fn(z) must be exactly the limit, with no warning or FP event."""
    out = []
    for zl, want in limits:
        try:
            got = float(np.asarray(_strict(fn, np.array([zl])))[0])
        except (FloatingPointError, Warning) as e:
            out.append(f"at z={zl} raised {type(e).__name__}: {e}")
            continue
        if got != want:
            out.append(f"at z={zl} gives {got!r}, the limit is {want!r}")
    return out


def _overflows(fn, z) -> np.ndarray:
    """Mask of the points at which evaluating fn (each point alone) raises an overflow."""
    out = np.zeros(len(z), dtype=bool)
    for i, zi in enumerate(z):
        try:
            with np.errstate(over="raise", under="ignore"):
                fn(np.array([zi]))
        except FloatingPointError:
            out[i] = True
    return out


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
    z = grid()
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
        problems.append(f"underflow at $|z| < {underflow_from:.2f}$: {bad_uf[:5]}")
    problems += _limit_problems(fn, ref.limits)

    errs = np.empty(len(z))
    abs_err = np.empty(len(z))
    rel_err = np.zeros(len(z))
    for i, (zi, gi) in enumerate(zip(z, got)):
        ex = _exact(ref, float(zi))
        errs[i] = ulps(gi, ex)
        abs_err[i] = float(abs(mp.mpf(gi) - ex)) if np.isfinite(gi) else np.inf
        if abs(ex) >= TINY:
            rel_err[i] = float(abs((mp.mpf(gi) - ex) / ex)) if np.isfinite(gi) else np.inf
    k = int(np.argmax(errs))
    passed = finite and not problems and float(errs.max()) <= _ULP_TOL
    return CheckResult(
        derivation=derivation, name=f"{name} vs mpmath ({_DIGITS} digits)",
        compared=f"generated activations.{name} vs its definition evaluated in mpmath at {_DIGITS} digits",
        data=(f"grid of {len(z)} points $z \\in [-1000, 1000]$ incl. $\\pm1000$, $\\pm745$, $\\pm40$, "
              f"$\\pm10^{{-8}}$, $0$"
              + (f"; $z = {', '.join(tex_num(zl, 6) for zl, _ in ref.limits)}$ against the exact limits"
                 if ref.limits else "")),
        max_abs_err=float(abs_err.max()), max_rel_err=float(rel_err.max()),
        tolerance=_ULP_TOL * EPS, passed=passed,
        detail=(f"max error {errs.max():.3g} ulps at $z = {tex_num(z[k], 6)}$ (tolerance {_ULP_TOL:g} ulps of the "
                f"correctly rounded value; relative error over results in the normal range, tolerance "
                f"${_ULP_TOL:g}\\varepsilon$); mean {errs.mean():.3g} ulps; all finite: {finite}; no warnings or "
                f"FP exceptions other than underflow; underflow at {len(uf)} points, all with "
                f"$|z| \\geq {underflow_from:.2f}$, where $e^{{-{ref.decay if ref.decay != 1 else ''}|z|}}$ is below "
                f"the smallest normal float"
                + (f"; exact at its {len(ref.limits)} limits" if ref.limits else "")
                + ("; PROBLEMS: " + "; ".join(problems) if problems else "")),
    )


def derivative_vs_autograd(derivation: str, name: str) -> CheckResult:
    """Generated derivative `name` against autograd's derivative of the generated function it differentiates."""
    import autograd

    from numeric.autodiff import under_autograd

    A = _activations()
    ref = REFERENCES[name]
    of = ref.derivative_of
    z = grid()
    ag = under_autograd(A)
    grad = autograd.elementwise_grad(getattr(ag, of))
    with np.errstate(under="ignore"):
        claim = getattr(A, name)(z)
        with np.errstate(over="ignore"):
            expect = np.asarray(grad(z))
        at0 = float(autograd.grad(getattr(ag, of))(0.0))
        claim0 = float(getattr(A, name)(0.0))
    # autograd's own rule can overflow inside where the derivative is representable: d tanh = g/cosh(x)**2
    # is 0 once cosh(x)**2 overflows (|z| > 355.3) while tanh' is a subnormal > 0 up to |z| = 372.9. Such
    # points are no reference: left out here and counted in the detail; the mpmath check covers them.
    over = _overflows(grad, z)
    # z = 0 stays in: a stable form written with |z| would get d|z|/dz := 0 there from autograd and
    # return a wrong value, so the branch point is where the formulation is most likely to break.
    normal = ~over & (np.abs(expect) >= TINY)
    sub = ~over & ~normal
    rel = np.abs(claim[normal] - expect[normal]) / np.abs(expect[normal])
    # Below the normal range both sides are quantised to subnormal spacing; compare there in ulps.
    sub_ulps = ulps(claim[sub], expect[sub])
    tol = 1e-12
    passed = bool(normal.any() and np.all(np.isfinite(expect[~over])) and rel.max() <= tol
                  and (sub_ulps.size == 0 or sub_ulps.max() <= 4))
    skipped = (f"autograd overflowed inside its own rule at {int(over.sum())} points ($|z|$ from "
               f"{np.abs(z[over]).min():.6g} to {np.abs(z[over]).max():.6g}): left out here, covered by the "
               f"mpmath check" if over.any() else "no overflow inside autograd")
    return CheckResult(
        derivation=derivation, name=f"{name} vs autograd of {of}",
        compared=f"generated {name} vs autograd.elementwise_grad of the generated {of} (under_autograd)",
        data=f"same {len(z)}-point grid on [-1000, 1000], z = 0 included",
        max_abs_err=float(np.abs(claim[~over] - expect[~over]).max()), max_rel_err=float(rel.max(initial=0.0)),
        tolerance=tol, passed=passed,
        detail=(f"relative error over {int(normal.sum())} points with a normal result; "
                f"{int(sub.sum())} subnormal/zero results agree to {sub_ulps.max() if sub_ulps.size else 0:.3g} "
                f"subnormal ulps (tolerance 4); tolerance $10^{{-12}} \\approx 4500\\varepsilon$ covers a few roundings in "
                f"each chain-rule product; {skipped}. At $z = 0$ autograd gives {at0:.17g}, generated {name}(0) = "
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
    passed = bool(k200 < 1e-6 and monotone and np.all(dev <= EPS))
    first = next((k for k, s in zip(ks, sup) if s < 1e-6), None)
    return [CheckResult(
        derivation="sigmoid", name="$\\sigma(kz) \\to H(z)$ (R6)",
        compared=("$\\max |\\sigma(kz) - H(z)|$ over $|z| \\geq 0.1$ (generated sigmoid) vs its exact value "
                  "$\\sigma(-0.1k)$"),
        data=f"{len(z)} points with $0.1 \\leq |z| \\leq 1000$; $k$ = {', '.join(map(str, ks))}",
        max_abs_err=float(k200), max_rel_err=float(np.max(dev / exact)),
        tolerance=1e-6, passed=passed,
        detail=("$\\sup |\\sigma(kz) - H(z)|$ at " + ", ".join(f"$k = {k}$: {s:.3g}" for k, s in zip(ks, sup))
                + f"; below $10^{{-6}}$ from $k = {first}$ on (threshold $k > 10 \\ln 10^6 = {10 * math.log(1e6):.1f}$); "
                f"non-increasing in $k$: {monotone}; max deviation from the exact sup $\\sigma(-0.1k)$: {dev.max():.3g} "
                f"($\\leq \\varepsilon$, the rounding of $\\sigma$ near 1)"),
    )]
