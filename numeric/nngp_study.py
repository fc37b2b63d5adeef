"""Neal's infinite-width limit measured (R23): sampled finite networks against the NNGP kernel, kurtosis against 1/q.

A network of width q is f(x) = b + Σ_j v_j h_j(x), h_j(x) = act(a_j + u_jᵀx), a_j ~ N(0, σ_a²), u_j ~ N(0, σ_u² I),
b ~ N(0, σ_b²), v_j ~ N(0, ω_v²/q). Its covariance is σ_b² + ω_v² E[h(x)h(x′)] at every q; only its Gaussianity
needs q → ∞ (excess kurtosis 3ω_v⁴(E h⁴ − (E h²)²)/(q(σ_b² + ω_v² E h²)²)). Everything here is deterministic
(fixed seeds) and returns plain data: the checks of numeric.checks.nngp and the figures of
deepderive.report.figures_nngp read the same cached runs, so a caption quotes the numbers a check judged.

The kernel judged is the generated one (numeric.generated.nngp.kernel); the independent oracle is a
quadrature of E[h(x)h(x′)] over the two pre-activations, which uses no closed form (composite Gauss–Legendre,
split at the activation's kinks so that every piece is smooth).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, wraps

import numpy as np
from scipy import special

#: The hidden activations act(z) of R23 (H(0) = 0: a null event for the sampled pre-activations).
ACTIVATIONS = {
    "erf": special.erf,
    "relu": lambda z: np.maximum(z, 0.0),
    "step": lambda z: (z > 0.0).astype(float),
}
#: Where act is zero: relu and step vanish for z ≤ 0, so E[h h′] integrates over z > 0 only (and is smooth there).
_HALF_LINE = {"erf": False, "relu": True, "step": True}


@dataclass(frozen=True)
class Prior:
    """The priors' scales: u ~ N(0, σ_u² I), a ~ N(0, σ_a²), v ~ N(0, ω_v²/q), b ~ N(0, σ_b²)."""

    sigma_u: float = 1.0
    sigma_a: float = 0.5
    omega_v: float = 1.0
    sigma_b: float = 0.2

    def args(self) -> tuple:
        return (self.sigma_u, self.sigma_a, self.omega_v, self.sigma_b)


PRIOR = Prior()
#: Widths of the sampled networks; the largest divides every chunk of the unit pool (see _pool_chunks).
WIDTHS = (1, 4, 16, 64, 256)
#: Inputs in R²: x(t) = t·DIRECTION for t on LINE_T; x′ = x(T_FIXED), itself on the line (so x = x′ occurs).
DIRECTION = np.array([0.8, 0.6])
LINE_T = np.linspace(-3.0, 3.0, 13)
T_FIXED = 1.0
#: Unit pools: the covariance pool is evaluated at the 13 line points and x′, the kurtosis pool at x′ alone, in chunks
#: of at most 2**18 values per activation (2**14 units × 14 inputs, 2**16 units × 1 input).
COV_UNITS, KURT_UNITS, CHUNK_UNITS, KURT_CHUNK = 2 ** 18, 2 ** 21, 2 ** 14, 2 ** 16
COV_SEED, KURT_SEED, GP_SEED = 23, 2023, 1995
#: Monte Carlo estimates are judged within Z standard errors: P(|N(0,1)| > 5) = 6e-7 per entry, below 1e-4 over the
#: ~200 entries judged, while a kernel or a kurtosis off by a few percent shows as tens of SEs at q = 1.
Z = 5.0
#: The GP / finite-network comparison: GP_GRID points on t ∈ [−3, 3], GP_DRAWS draws of each.
GP_GRID, GP_DRAWS, GP_WIDTHS = 241, 4, (2, 2048)
#: Added to the kernel's diagonal, relative to its largest diagonal entry, before the Cholesky factorisation:
#: the smooth kernels' eigenvalues fall below rounding (≈ 1e-16 · ‖K‖), so without it the factorisation fails.
GP_JITTER = 1e-9


def _one_blas_thread(fn):
    """Run fn on one BLAS thread: its matrices are small (a 241 × 241 eigendecomposition takes 10 ms on one
    thread and 250 ms on two busy cores); threadpoolctl is scikit-learn's own dependency."""
    @wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper


def line(t) -> np.ndarray:
    """The (len(t), 2) inputs x(t) = t·DIRECTION."""
    return np.asarray(t, dtype=float)[:, None] * DIRECTION[None, :]


def x_fixed() -> np.ndarray:
    """x′ = x(T_FIXED), as a (1, 2) array."""
    return line([T_FIXED])


# ---- the kernel judged ---------------------------------------------------------------------------------

def kernel(X1, X2, activation: str, prior: Prior = PRIOR) -> np.ndarray:
    """σ_b² + ω_v² E[h(x)h(x′)] by the generated numeric.generated.nngp.kernel."""
    from .generated import nngp

    return nngp.kernel(np.asarray(X1, float), np.asarray(X2, float), activation, *prior.args())


# ---- the independent oracle: quadrature of E[h(x)h(x′)] --------------------------------------------------

#: Gauss–Legendre quadrature, composite: QUAD_PANELS equal panels of QUAD_ORDER nodes on every range, the standard
#: normal's tails cut at ±QUAD_CUT (mass beyond 12 is 4e-33, and every integrand here grows at most like z⁴).
QUAD_PANELS, QUAD_ORDER, QUAD_CUT = 24, 20, 12.0


@lru_cache(maxsize=4)
def _unit_rule(panels: int = QUAD_PANELS, order: int = QUAD_ORDER):
    """Nodes and weights of the composite Gauss–Legendre rule on [0, 1]."""
    x, w = np.polynomial.legendre.leggauss(order)
    left = np.arange(panels)[:, None] / panels
    return (left + (x[None, :] + 1.0) / (2.0 * panels)).ravel(), np.tile(w / (2.0 * panels), panels)


def _rule(lo, hi, panels: int = QUAD_PANELS, order: int = QUAD_ORDER):
    """Nodes (…, K) and weights (…, K) of the composite rule on [lo, hi] (arrays broadcast: one range per row)."""
    x, w = _unit_rule(panels, order)
    lo, hi = np.asarray(lo, float)[..., None], np.asarray(hi, float)[..., None]
    return lo + (hi - lo) * x, (hi - lo) * w


def _phi(s):
    return np.exp(-0.5 * s * s) / math.sqrt(2.0 * math.pi)


def _check_activation(activation: str):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; known: {', '.join(ACTIVATIONS)}")


def _outer_range(activation: str):
    """The range of s (z₁ = √c11 s) where act(z₁) may be nonzero: z₁ > 0 for relu and step."""
    return (0.0 if _HALF_LINE[activation] else -QUAD_CUT), QUAD_CUT


def moment(activation: str, c: float, k: int, panels: int = QUAD_PANELS) -> float:
    """E[act(z)^k] for z ~ N(0, c), c > 0, by quadrature over the standard normal (half line where act vanishes)."""
    _check_activation(activation)
    if not c > 0:
        raise ValueError(f"moment needs a positive pre-activation variance, got {c!r}")
    s, w = _rule(*_outer_range(activation), panels=panels)
    return float(np.sum(w * _phi(s) * ACTIVATIONS[activation](math.sqrt(c) * s) ** k))


def _inner(activation: str, s, s2: float, rho: float, r: float, panels: int):
    """E_t[act(√c22 (ρ s + r t))] for each s, t ~ N(0, 1): integrated from the kink t₀ = −ρs/r (where the
    argument is 0) upwards for relu and step (act vanishes below it), on both sides of it for erf (steepest
    there), so every piece is smooth; t₀ is clipped to the cut ±QUAD_CUT."""
    act = ACTIVATIONS[activation]
    t0 = np.clip(-rho * s / r, -QUAD_CUT, QUAD_CUT)
    pieces = [(t0, np.full_like(t0, QUAD_CUT))]
    if not _HALF_LINE[activation]:
        pieces.append((np.full_like(t0, -QUAD_CUT), t0))
    total = np.zeros_like(s)
    for lo, hi in pieces:
        t, w = _rule(lo, hi, panels=panels)
        total += np.sum(w * _phi(t) * act(s2 * (rho * s[:, None] + r * t)), axis=1)
    return total


def pair_moment(activation: str, c11: float, c12: float, c22: float, panels: int = QUAD_PANELS) -> float:
    """E[act(z₁)act(z₂)] for (z₁, z₂) ~ N(0, [[c11, c12], [c12, c22]]), by nested quadrature.

    z₁ = √c11 s, z₂ = √c22 (ρ s + r t), r = √(1−ρ²), with s, t independent standard normals: the outer integral
    over s starts at the kink s = 0 for relu and step, the inner one over t at its kink (see _inner). When
    1 − |ρ| is within 4 rounding errors of 0 (x = x′, or colinear inputs with σ_a = 0) z₂ = ρ√(c22/c11) z₁ and the
    integral is 1-D."""
    _check_activation(activation)
    if not (c11 > 0 and c22 > 0):
        raise ValueError(f"pair_moment needs positive variances, got c11={c11!r}, c22={c22!r}")
    act, s1, s2 = ACTIVATIONS[activation], math.sqrt(c11), math.sqrt(c22)
    rho = min(1.0, max(-1.0, c12 / (s1 * s2)))
    s, w = _rule(*_outer_range(activation), panels=panels)
    if 1.0 - abs(rho) <= 4 * np.finfo(float).eps:
        return float(np.sum(w * _phi(s) * act(s1 * s) * act(s2 * math.copysign(1.0, rho) * s)))
    r = math.sqrt((1.0 - rho) * (1.0 + rho))
    return float(np.sum(w * _phi(s) * act(s1 * s) * _inner(activation, s, s2, rho, r, panels)))


def quad_kernel(X1, X2, activation: str, sigma_u: float, sigma_a: float, omega_v: float,
                sigma_b: float) -> np.ndarray:
    """σ_b² + ω_v² E[h(x)h(x′)] for every row pair of X1 (N1, p) and X2 (N2, p), by pair_moment: the oracle, the
    generated kernel's signature, slow (use it on tens of pairs). For X1 equal to X2 the pairs j < i are mirrored
    from i < j, E[h(x)h(x′)] being symmetric."""
    X1, X2 = np.atleast_2d(np.asarray(X1, float)), np.atleast_2d(np.asarray(X2, float))
    same = X1.shape == X2.shape and np.array_equal(X1, X2)
    out = np.empty((len(X1), len(X2)))
    for i, x1 in enumerate(X1):
        for j, x2 in enumerate(X2):
            if same and j < i:
                out[i, j] = out[j, i]
                continue
            c11, c22 = sigma_a ** 2 + sigma_u ** 2 * (x1 @ x1), sigma_a ** 2 + sigma_u ** 2 * (x2 @ x2)
            c12 = sigma_a ** 2 + sigma_u ** 2 * (x1 @ x2)
            out[i, j] = sigma_b ** 2 + omega_v ** 2 * pair_moment(activation, c11, c12, c22)
    return out


def kurtosis_formula(activation: str, x, prior: Prior, q) -> np.ndarray:
    """The lecture's excess kurtosis of f(x), 3ω_v⁴(E h⁴ − (E h²)²)/(q(σ_b² + ω_v² E h²)²), with E h² and E h⁴ by
    quadrature (one value per width in q)."""
    x = np.asarray(x, float).ravel()
    c = prior.sigma_a ** 2 + prior.sigma_u ** 2 * float(x @ x)
    h2, h4 = moment(activation, c, 2), moment(activation, c, 4)
    w4 = prior.omega_v ** 4
    return 3.0 * w4 * (h4 - h2 * h2) / (np.asarray(q, float) * (prior.sigma_b ** 2 + prior.omega_v ** 2 * h2) ** 2)


# ---- Monte Carlo over sampled networks -----------------------------------------------------------------

def _pool_chunks(X, n_units: int, prior: Prior, seed: int, chunk: int = CHUNK_UNITS):
    """Hidden units drawn in chunks of `chunk`: yields (v, {activation: h}) with v (m,) standard normals (scaled
    per width later) and h (m, N) = act(a + u·x) at the rows of X; chunk k from default_rng([seed, k])."""
    if n_units % chunk or chunk % max(WIDTHS):
        raise ValueError(f"the pool ({n_units} units) must split into chunks of {chunk} units, and a chunk into "
                         f"networks of every width up to {max(WIDTHS)}")
    X = np.asarray(X, float)
    for k in range(n_units // chunk):
        rng = np.random.default_rng([seed, k])
        a = prior.sigma_a * rng.standard_normal(chunk)
        u = prior.sigma_u * rng.standard_normal((chunk, X.shape[1]))
        v = rng.standard_normal(chunk)
        z = a[:, None] + u @ X.T
        yield rng, v, {name: act(z) for name, act in ACTIVATIONS.items()}


def _networks(rng, v, h, q: int, prior: Prior) -> np.ndarray:
    """Outputs (m/q, N) of the m/q width-q networks made of consecutive units: b + (ω_v/√q) Σ_j v_j h_j."""
    m, n = h.shape
    b = prior.sigma_b * rng.standard_normal((m // q, 1))
    return b + (prior.omega_v / math.sqrt(q)) * np.einsum("gq,gqn->gn", v.reshape(-1, q), h.reshape(-1, q, n))


class _Sums:
    """Running sums Σ y and Σ y² of per-network statistics y (arrays of one shape), for means and their SEs."""

    def __init__(self):
        self.n, self.s1, self.s2 = 0, 0.0, 0.0

    def add(self, y):
        self.n += len(y)
        self.s1 = self.s1 + y.sum(axis=0)
        self.s2 = self.s2 + (y * y).sum(axis=0)

    def mean(self):
        return self.s1 / self.n

    def se(self):
        m = self.mean()
        return np.sqrt(np.maximum(self.s2 / self.n - m * m, 0.0) / (self.n - 1))


@dataclass(frozen=True)
class CovarianceStudy:
    """E[f(x)f(x′)] over sampled networks at the line points x(t), x′ fixed, per activation and width.

    mc[act][q], se[act][q]: (N,) sample means of f(x)f(x′) over networks[q] independent networks and their
    standard errors (sample sd / √n); kernel[act]: (N,) the generated kernel; z[act][q] = (mc − kernel)/se."""

    t: np.ndarray
    t_fixed: float
    widths: tuple
    networks: dict
    mc: dict
    se: dict
    kernel: dict
    z: dict
    units: int
    prior: Prior


@_one_blas_thread
def sample_covariance(X, n_units: int, seed: int, prior: Prior = PRIOR) -> dict:
    """{(activation, q): (mean, se)}: the mean over sampled width-q networks of f(x_i)f(x_last) for every row x_i of
    X but the last, and its standard error (sample sd / √n). One pool of n_units hidden units (a, u, v; the three
    activations share them), cut into n_units/q independent networks of each width q, each with its own b:
    each width's estimate uses independent networks; different widths share units, so their estimates correlate."""
    sums = {(name, q): _Sums() for name in ACTIVATIONS for q in WIDTHS}
    for rng, v, hs in _pool_chunks(X, n_units, prior, seed):
        for q in WIDTHS:
            for name, h in hs.items():
                f = _networks(rng, v, h, q, prior)
                sums[name, q].add(f[:, :-1] * f[:, -1:])
    return {key: (acc.mean(), acc.se()) for key, acc in sums.items()}


@lru_cache(maxsize=1)
def covariance_study(n_units: int = COV_UNITS, seed: int = COV_SEED, prior: Prior = PRIOR) -> CovarianceStudy:
    """sample_covariance on the line points and x′, against the generated kernel. Cached: the check and the
    figure read the same run."""
    est = sample_covariance(np.vstack([line(LINE_T), x_fixed()]), n_units, seed, prior)
    mc = {a: {q: est[a, q][0] for q in WIDTHS} for a in ACTIVATIONS}
    se = {a: {q: est[a, q][1] for q in WIDTHS} for a in ACTIVATIONS}
    kern = {a: kernel(line(LINE_T), x_fixed(), a, prior)[:, 0] for a in ACTIVATIONS}
    z = {a: {q: (mc[a][q] - kern[a]) / se[a][q] for q in WIDTHS} for a in ACTIVATIONS}
    return CovarianceStudy(LINE_T.copy(), T_FIXED, WIDTHS, {q: n_units // q for q in WIDTHS}, mc, se, kern, z,
                           n_units, prior)


def excess_kurtosis(m2, m4, m6, m8, n):
    """m4/m2² − 3 from the raw sample moments m_k = mean f^k of a zero-mean variable (its mean is 0 exactly, so no
    centring), and its delta-method standard error from the sample covariance of (f², f⁴): gradient
    (−2m4/m2³, 1/m2²), Var f² = m4 − m2², Var f⁴ = m8 − m4², Cov = m6 − m2 m4."""
    g2, g4 = -2.0 * m4 / m2 ** 3, 1.0 / m2 ** 2
    var = g2 * g2 * (m4 - m2 * m2) + 2.0 * g2 * g4 * (m6 - m2 * m4) + g4 * g4 * (m8 - m4 * m4)
    return m4 / (m2 * m2) - 3.0, np.sqrt(np.maximum(var, 0.0) / n)


@dataclass(frozen=True)
class KurtosisStudy:
    """The excess kurtosis of f(x′) per activation and width: kappa[act] (len(widths),) the sample estimate, se its
    delta-method standard error, formula the lecture's value (E h², E h⁴ by quadrature), z = (kappa − formula)/se;
    slope[act]: least-squares slope of log κ̂ against log q over the widths where κ̂ > 3 se (the law says −1)."""

    widths: tuple
    networks: dict
    kappa: dict
    se: dict
    formula: dict
    z: dict
    slope: dict
    units: int
    prior: Prior


@_one_blas_thread
def sample_kurtosis(x, n_units: int, seed: int, prior: Prior = PRIOR) -> dict:
    """{(activation, q): (kurtosis, se)}: excess_kurtosis of f(x) over sampled width-q networks, pooled and cut as
    in sample_covariance (raw moments accumulated chunk by chunk)."""
    moments = {(a, q): np.zeros(4) for a in ACTIVATIONS for q in WIDTHS}
    for rng, v, hs in _pool_chunks(np.atleast_2d(x), n_units, prior, seed, chunk=KURT_CHUNK):
        for q in WIDTHS:
            for name, h in hs.items():
                f2 = _networks(rng, v, h, q, prior)[:, 0] ** 2
                f4 = f2 * f2
                moments[name, q] += [f2.sum(), f4.sum(), (f4 * f2).sum(), (f4 * f4).sum()]
    return {(a, q): excess_kurtosis(*(m / (n_units // q)), n_units // q) for (a, q), m in moments.items()}


@lru_cache(maxsize=1)
def kurtosis_study(n_units: int = KURT_UNITS, seed: int = KURT_SEED, prior: Prior = PRIOR) -> KurtosisStudy:
    """sample_kurtosis at x′ against the lecture's formula. Cached: the check and the figure read the same run."""
    est = sample_kurtosis(x_fixed(), n_units, seed, prior)
    kappa, se, formula, z, slope = {}, {}, {}, {}, {}
    for a in ACTIVATIONS:
        kappa[a] = np.array([est[a, q][0] for q in WIDTHS])
        se[a] = np.array([est[a, q][1] for q in WIDTHS])
        formula[a] = kurtosis_formula(a, x_fixed(), prior, WIDTHS)
        z[a] = (kappa[a] - formula[a]) / se[a]
        ok = kappa[a] > 3.0 * se[a]
        slope[a] = (float(np.polyfit(np.log(np.array(WIDTHS)[ok]), np.log(kappa[a][ok]), 1)[0])
                    if ok.sum() >= 2 else float("nan"))
    return KurtosisStudy(WIDTHS, {q: n_units // q for q in WIDTHS}, kappa, se, formula, z, slope, n_units, prior)


# ---- GP prior samples against finite networks ---------------------------------------------------------

@dataclass(frozen=True)
class GPSamples:
    """On the line x(t), t = grid: gp[act] (draws, grid) GP prior draws L·ξ with L L' = K + jitter·max(diag K)·I;
    finite[act][q] (draws, grid) outputs of sampled width-q networks; min_eig[act] the smallest eigenvalue of K
    over its largest (rounding only, if PSD); chol_residual[act] max |L Lᵀ − K| / max diag K (the jitter's size)."""

    t: np.ndarray
    gp: dict
    finite: dict
    widths: tuple
    jitter: float
    min_eig: dict
    chol_residual: dict
    prior: Prior


def gp_draws(K, n: int, rng, jitter: float = GP_JITTER):
    """n draws of N(0, K) by the Cholesky factor of K + jitter·max(diag K)·I (loud if that is not positive definite)."""
    scale = float(np.max(np.diag(K)))
    L = np.linalg.cholesky(K + jitter * scale * np.eye(len(K)))
    return (L @ rng.standard_normal((len(K), n))).T, float(np.max(np.abs(L @ L.T - K))) / scale


def network_draws(X, q: int, n: int, activation: str, prior: Prior, rng) -> np.ndarray:
    """(n, len(X)) outputs of n sampled width-q networks, each drawn whole (a, u, v, b) from rng."""
    X = np.asarray(X, float)
    a = prior.sigma_a * rng.standard_normal((n, q, 1))
    u = prior.sigma_u * rng.standard_normal((n, q, X.shape[1]))
    v = prior.omega_v / math.sqrt(q) * rng.standard_normal((n, 1, q))
    b = prior.sigma_b * rng.standard_normal((n, 1))
    return b + (v @ ACTIVATIONS[activation](a + u @ X.T))[:, 0, :]


@lru_cache(maxsize=1)
@_one_blas_thread
def gp_samples(prior: Prior = PRIOR) -> GPSamples:
    t = np.linspace(LINE_T[0], LINE_T[-1], GP_GRID)
    X = line(t)
    gp, finite, min_eig, resid = {}, {}, {}, {}
    for k, a in enumerate(ACTIVATIONS):
        K = kernel(X, X, a, prior)
        ev = np.linalg.eigvalsh(K)
        min_eig[a] = float(ev[0] / ev[-1])
        gp[a], resid[a] = gp_draws(K, GP_DRAWS, np.random.default_rng([GP_SEED, k]))
        finite[a] = {q: network_draws(X, q, GP_DRAWS, a, prior, np.random.default_rng([GP_SEED, k, q]))
                     for q in GP_WIDTHS}
    return GPSamples(t, gp, finite, GP_WIDTHS, GP_JITTER, min_eig, resid, prior)
