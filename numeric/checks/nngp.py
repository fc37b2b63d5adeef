"""Checks of the NNGP kernel (R23): vs quadrature, vs sampled finite networks at every width, kurtosis vs 1/q, PSD.

The sampled-network checks read numeric.nngp_study's cached runs, the ones the report's figures draw. Monte Carlo
rows judge z = (estimate − prediction)/SE: their "max abs err" column is the largest |z| over the row's entries,
"max rel err" the largest |estimate − prediction| relative to the prediction's scale, and the tolerance Z applies
to |z|.
"""
from __future__ import annotations

import numpy as np

from .. import nngp_study as S
from . import register
from .result import CheckResult, result as _result

#: Monte Carlo tolerance in standard errors (numeric.nngp_study.Z: the figures quote it).
Z = S.Z
#: Kernel vs quadrature, relative to the largest entry: the 24-panel quadrature agrees with itself at 48 panels to
#: 4e-15 on these inputs (variances c up to 23; erf's steepness costs accuracy at larger c). A kernel taking
#: θ = arccos ρ of a rounded ρ would be ~5e-9 off at x = x′ (step: a few ulps of ρ move θ by √(2·4·2⁻⁵²) ≈ 3e-8):
#: the issue asks for stability there, and this tolerance rejects it.
QUAD_TOL = 1e-10
#: The RMS of the covariance z-scores is 1 for honest SEs; SEs inflated k-fold make it 1/k while every |z| stays small.
#: The 195 z's are correlated (neighbouring line points, widths sharing units): over 30 seeds (2**16-unit pools) their
#: RMS had mean 1.01, sd 0.19, smallest 0.71, like a χ² with ~14 degrees of freedom, below 0.5 with probability
#: ~5e-4. One-sided: 1 − RMS ≤ 0.5 (a twofold inflation fails); too large an RMS already fails the |z| ≤ Z rows.
RMS_TOL = 0.5
#: PSD: the smallest eigenvalue over the largest may be negative by rounding alone, N·2⁻⁵² ≈ 1e-14 for N ≤ 50.
PSD_TOL = 1e-12
#: Random priors and inputs for the kernel checks (the second prior has σ_a = 0: colinear inputs give ρ = ±1).
PRIORS = (S.Prior(1.3, 0.4, 1.1, 0.3), S.Prior(0.7, 0.0, 0.9, 0.0))
KERNEL_SEED = 13
NAME = "nngp"


def _random_inputs(rng, n: int, p: int = 3) -> np.ndarray:
    """n random inputs in R^p plus a repeat of the first, and 2x, −x, 0.5x of it (colinear inputs)."""
    X = rng.normal(size=(n, p))
    return np.vstack([X, X[:1], 2.0 * X[:1], -X[:1], 0.5 * X[:1]])


def _quad_inputs():
    rng = np.random.default_rng(KERNEL_SEED)
    return rng.normal(size=(3, 3)), 1.5 * rng.normal(size=(1, 3)) * np.array([[1.0], [2.0], [-1.0]])


@register(NAME)
def kernel_vs_quadrature() -> list[CheckResult]:
    """The generated kernel against the quadrature oracle (no closed form), for each activation: three random
    inputs in R³ (all pairs, so x = x′ too) under one prior, and x, 2x, −x under σ_a = 0 (ρ = ±1 exactly)."""
    random, colinear = _quad_inputs()
    out = []
    for activation in S.ACTIVATIONS:
        worst, where, scale = 0.0, "", 0.0
        for X, prior in ((random, PRIORS[0]), (colinear, PRIORS[1])):
            got = S.kernel(X, X, activation, prior)
            ref = S.quad_kernel(X, X, activation, *prior.args())
            s = float(np.max(np.abs(ref)))
            err = float(np.max(np.abs(got - ref))) / s
            if err >= worst:
                worst, where, scale = err, f"$\\sigma_a = {prior.sigma_a}$", s
        out.append(_result(NAME, f"{activation} kernel vs quadrature",
                           "numeric.generated.nngp.kernel vs nested Gauss-Legendre quadrature of E[h(x)h(x')] "
                           "(nngp_study.quad_kernel), relative to the largest entry",
                           f"3 random x ∈ ℝ³ (seed {KERNEL_SEED}), prior {PRIORS[0].args()}; x, 2x, −x, "
                           f"prior {PRIORS[1].args()}", worst * scale, worst, QUAD_TOL, worst <= QUAD_TOL,
                           f"largest relative difference {worst:.3g} (at {where})"))
    return out


@register(NAME)
def mc_covariance() -> list[CheckResult]:
    """E[f(x)f(x′)] over sampled networks against the kernel at every width, all activations, all line points."""
    c = S.covariance_study()
    out = []
    for q in c.widths:
        zs = {a: float(np.max(np.abs(c.z[a][q]))) for a in S.ACTIVATIONS}
        rel = max(float(np.max(np.abs(c.mc[a][q] - c.kernel[a]))) / float(np.max(np.abs(c.kernel[a])))
                  for a in S.ACTIVATIONS)
        zmax = max(zs.values())
        out.append(_result(
            NAME, f"width q = {q}: sampled covariance vs kernel",
            f"mean of $f(x)f(x')$ over {c.networks[q]} sampled networks vs the generated kernel, "
            f"$|z| = |\\Delta|/\\mathrm{{SE}}$",
            f"x = t {tuple(S.DIRECTION.tolist())}, {len(c.t)} t ∈ [{c.t[0]:g}, {c.t[-1]:g}], x' at t = "
            f"{c.t_fixed:g}; erf, relu, step; prior {c.prior.args()}", zmax, rel, Z, zmax <= Z,
            "largest $|z|$: " + ", ".join(f"{a} {v:.2f}" for a, v in zs.items())
            + "; largest SE relative to the kernel's scale "
            + ", ".join(f"{a} {float(np.max(c.se[a][q])) / float(np.max(np.abs(c.kernel[a]))):.3g}"
                        for a in S.ACTIVATIONS)))
    z = np.concatenate([c.z[a][q] for a in S.ACTIVATIONS for q in c.widths])
    rms = float(np.sqrt(np.mean(z * z)))
    out.append(_result(
        NAME, "all widths: the z-scores' root mean square is about 1 (SEs not inflated)",
        "√(mean z²) over every activation, width and line point vs 1, one-sided (1 − rms ≤ tol): inflated SEs "
        "would pass the rows above vacuously, with every $|z|$ small", f"the {len(z)} z-scores of the rows above",
        abs(rms - 1.0), abs(rms - 1.0), RMS_TOL, 1.0 - rms <= RMS_TOL,
        f"rms {rms:.3f}; per width " + ", ".join(
            f"q = {q}: {float(np.sqrt(np.mean(np.concatenate([c.z[a][q] for a in S.ACTIVATIONS]) ** 2))):.2f}"
            for q in c.widths)))
    return out


@register(NAME)
def kurtosis_vs_formula() -> list[CheckResult]:
    """The sampled networks' excess kurtosis at x′ against 3ω_v⁴(E h⁴ − (E h²)²)/(q(σ_b² + ω_v² E h²)²) at every
    width; a row passes only if the kurtosis is resolved (above Z SE) at two widths at least."""
    k = S.kurtosis_study()
    out = []
    for a in S.ACTIVATIONS:
        z = np.abs(k.z[a])
        resolved = [i for i, (kap, se) in enumerate(zip(k.kappa[a], k.se[a])) if kap > Z * se]
        diff = np.abs(k.kappa[a] - k.formula[a])
        rel = float(np.max(diff[resolved] / k.formula[a][resolved])) if resolved else np.nan
        out.append(_result(
            NAME, f"{a}: excess kurtosis of f(x') vs the 1/q formula",
            "sample $m_4/m_2^2 - 3$ of $f(x')$ (delta-method SE) vs $3\\omega_v^4(E h^4 - (E h^2)^2)/(q(\\sigma_b^2 + "
            "\\omega_v^2 E h^2)^2)$, $E h^2$ and $E h^4$ by quadrature; $|z| = |\\Delta|/\\mathrm{SE}$; max rel err over "
            f"the widths resolved (kurtosis above {Z:g} SE), at least two of them",
            f"widths {list(k.widths)}, {k.units} units cut into {k.units}/q networks; x' at t = {S.T_FIXED:g}",
            float(z.max()), rel, Z, bool(z.max() <= Z) and len(resolved) >= 2,
            f"kurtosis {np.round(k.kappa[a], 4).tolist()}, SE {np.round(k.se[a], 4).tolist()}, formula "
            f"{np.round(k.formula[a], 4).tolist()}; resolved (above {Z:g} SE) at q = "
            f"{[k.widths[i] for i in resolved]}; log–log slope over widths above 3 SE {k.slope[a]:.3f} (law: −1)"))
    return out


@register(NAME)
def kernel_psd() -> list[CheckResult]:
    """The generated kernel's Gram matrices are symmetric and positive semi-definite: random inputs with a repeat
    and colinear rows (two priors), and the GP figure's grid."""
    rng = np.random.default_rng(KERNEL_SEED + 1)
    X = _random_inputs(rng, 36)
    g = S.gp_samples()
    out = []
    for a in S.ACTIVATIONS:
        worst_eig, worst_sym = np.inf, 0.0
        for prior in PRIORS:
            K = S.kernel(X, X, a, prior)
            ev = np.linalg.eigvalsh(K)
            worst_eig = min(worst_eig, float(ev[0] / ev[-1]))
            worst_sym = max(worst_sym, float(np.max(np.abs(K - K.T)) / ev[-1]))
        worst_eig = min(worst_eig, g.min_eig[a])
        bad = max(-worst_eig, worst_sym, 0.0)
        out.append(_result(NAME, f"{a} kernel: symmetric positive semi-definite",
                           "smallest eigenvalue / largest (≥ −tol) and $\\max|K - K^\\top|$ / largest eigenvalue",
                           f"{len(X)} x ∈ ℝ³ (36 random, seed {KERNEL_SEED + 1}, a repeat, 3 colinear), priors "
                           f"{PRIORS[0].args()}, {PRIORS[1].args()}; the figure's {len(g.t)}-point grid",
                           bad, bad, PSD_TOL, bad <= PSD_TOL,
                           f"smallest eigenvalue ratio {worst_eig:.3g}, asymmetry {worst_sym:.3g}"))
    return out
