"""Tests for numeric.nngp_study: its quadrature oracle against closed forms derived here (and SciPy's bivariate
normal CDF, mpmath), its Monte Carlo estimators on known answers, the kurtosis formula against a direct simulation."""
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from numeric import nngp_study as S

Z = 5.0     # Monte Carlo comparisons: within 5 standard errors


# ---- the quadrature oracle ----------------------------------------------------------------------------

@pytest.mark.parametrize("c", [0.3, 1.0, 4.7])
def test_moments_are_the_half_normal_ones(c):
    # z ~ N(0, c): E z² 1{z>0} = c/2, E z⁴ 1{z>0} = 3c²/2 (half of the normal's), P(z > 0) = 1/2
    assert S.moment("relu", c, 2) == pytest.approx(c / 2, rel=1e-13)
    assert S.moment("relu", c, 4) == pytest.approx(1.5 * c * c, rel=1e-13)
    assert S.moment("step", c, 2) == pytest.approx(0.5, rel=1e-13)
    assert S.moment("step", c, 4) == pytest.approx(0.5, rel=1e-13)
    # erf: E erf(z)² by mpmath at 30 digits, straight from the definition
    with mpmath.workdps(30):
        ref = mpmath.quad(lambda s: mpmath.npdf(s) * mpmath.erf(mpmath.sqrt(c) * s) ** 2, [-mpmath.inf, 0, mpmath.inf])
    assert S.moment("erf", c, 2) == pytest.approx(float(ref), rel=1e-12)


@pytest.mark.parametrize("c11, c22, rho", [(1.0, 1.0, 0.3), (0.4, 2.5, -0.7), (2.0, 0.5, 0.95), (1.3, 1.3, -0.999)])
def test_step_pair_is_the_orthant_probability(c11, c22, rho):
    # E[H(z1) H(z2)] = P(z1 > 0, z2 > 0) = P(-z1 < 0, -z2 < 0): SciPy's bivariate normal CDF at 0 (Genz's algorithm)
    c12 = rho * math.sqrt(c11 * c22)
    ref = stats.multivariate_normal(mean=[0, 0], cov=[[c11, c12], [c12, c22]]).cdf([0.0, 0.0])
    assert S.pair_moment("step", c11, c12, c22) == pytest.approx(ref, abs=1e-7)   # the CDF's own accuracy ~1e-8


@pytest.mark.parametrize("c11, c22", [(1.0, 1.0), (0.3, 2.2)])
def test_relu_pair_closed_forms_at_rho_0_and_pm1(c11, c22):
    s1, s2 = math.sqrt(c11), math.sqrt(c22)
    # ρ = 0: independent, E relu(z) = s/√(2π) each; ρ = 1: z2 = (s2/s1) z1, s1 s2 E[s² 1{s>0}] = s1 s2/2; ρ = -1: 0
    assert S.pair_moment("relu", c11, 0.0, c22) == pytest.approx(s1 * s2 / (2 * math.pi), rel=1e-13)
    assert S.pair_moment("relu", c11, s1 * s2, c22) == pytest.approx(s1 * s2 / 2, rel=1e-13)
    assert S.pair_moment("relu", c11, -s1 * s2, c22) == 0.0
    # just inside ρ = ±1 the 2-D quadrature (kink far out, clipped) joins the 1-D limit continuously
    assert S.pair_moment("relu", c11, (1 - 1e-12) * s1 * s2, c22) == pytest.approx(s1 * s2 / 2, rel=1e-9)
    assert S.pair_moment("step", c11, (1 - 1e-12) * s1 * s2, c22) == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize("c11, c22, rho", [(1.0, 1.0, 0.4), (0.5, 3.0, -0.8)])
def test_erf_pair_against_mpmath(c11, c22, rho):
    # E_t erf(μ + σt) = erf(μ/√(1 + 2σ²)) for t ~ N(0, 1) (differentiate in μ: both sides give
    # 2/√(π(1+2σ²)) exp(-μ²/(1+2σ²)), and both vanish at μ = 0), so with z2 = s2(ρ s + r t) the inner integral is
    # erf(s2 ρ s/√(1 + 2 s2² r²)): a 1-D integral for mpmath at 30 digits
    s1, s2, r = math.sqrt(c11), math.sqrt(c22), math.sqrt(1 - rho * rho)
    with mpmath.workdps(30):
        inner_scale = s2 * rho / mpmath.sqrt(1 + 2 * c22 * r * r)
        ref = mpmath.quad(lambda s: mpmath.npdf(s) * mpmath.erf(s1 * s) * mpmath.erf(inner_scale * s),
                          [-mpmath.inf, 0, mpmath.inf])
    assert S.pair_moment("erf", c11, rho * s1 * s2, c22) == pytest.approx(float(ref), rel=1e-12, abs=1e-14)


def test_quad_kernel_scales_and_refuses():
    X = np.array([[0.3, -1.0], [1.2, 0.4]])
    K = S.quad_kernel(X, X, "relu", 1.5, 0.5, 2.0, 0.3)
    c = 0.25 + 2.25 * (X * X).sum(axis=1)
    np.testing.assert_allclose(np.diag(K), 0.09 + 4.0 * c / 2, rtol=1e-13)
    assert K[0, 1] == K[1, 0]
    with pytest.raises(ValueError, match="unknown activation"):
        S.quad_kernel(X, X, "tanh", 1.0, 1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="positive"):
        S.quad_kernel(np.zeros((1, 2)), X, "step", 1.0, 0.0, 1.0, 0.0)


# ---- Monte Carlo estimators ---------------------------------------------------------------------------

_X = np.array([[-1.0, 0.5], [0.5, 0.5], [1.0, 2.0]])      # last row is x′; the middle one x = -x′/2 is not


def _known_covariance(prior):
    """σ_b² + ω_v² E[h(x)h(x′)] from closed forms derived independently: step by SciPy's orthant probability at the
    first two rows against x′, relu at x = x′ by c/2."""
    x0, x1, xp = _X
    c = lambda a, b: prior.sigma_a ** 2 + prior.sigma_u ** 2 * (a @ b)
    orthant = lambda a, b: stats.multivariate_normal(cov=[[c(a, a), c(a, b)], [c(a, b), c(b, b)]]).cdf([0.0, 0.0])
    w2, b2 = prior.omega_v ** 2, prior.sigma_b ** 2
    return {"step": b2 + w2 * np.array([orthant(x0, xp), orthant(x1, xp)]),
            "relu_diag": b2 + w2 * c(xp, xp) / 2}


def test_sampled_covariance_matches_known_answers_at_every_width():
    # x0 = (-1, .5), x′ = (1, 2): x0·x′ = 0, so with σ_a = 0 c12 = 0 and E relu relu = E relu E relu = s1 s2/(2π)
    prior = S.Prior(sigma_u=1.3, sigma_a=0.0, omega_v=1.2, sigma_b=0.4)
    est = S.sample_covariance(np.vstack([_X[:2], _X[2:], _X[2:]]), 2 ** 17, seed=7, prior=prior)
    known = _known_covariance(prior)
    s = prior.sigma_u * np.linalg.norm(_X, axis=1)
    relu_perp = prior.sigma_b ** 2 + prior.omega_v ** 2 * s[0] * s[2] / (2 * math.pi)
    for q in S.WIDTHS:
        mean, se = est["relu", q]
        assert abs(mean[0] - relu_perp) <= Z * se[0]
        assert abs(mean[2] - known["relu_diag"]) <= Z * se[2]      # row 2 is x′ itself
        mean, se = est["step", q]
        assert np.all(np.abs(mean[:2] - known["step"]) <= Z * se[:2])
        assert np.all(se > 0)


def test_covariance_standard_errors_are_honest():
    # the spread of 24 independent estimates (seeds) against the SE each reports, at q = 1 and q = 16
    prior = S.Prior(sigma_u=1.0, sigma_a=0.5, omega_v=1.0, sigma_b=0.2)
    runs = [S.sample_covariance(_X[1:], 2 ** 14, seed=100 + k, prior=prior) for k in range(24)]
    for a in ("relu", "step"):
        for q in (1, 16):
            means = np.array([r[a, q][0][0] for r in runs])
            ses = np.array([r[a, q][1][0] for r in runs])
            # the sample sd of 24 values is within ±45% of σ with probability > 0.99 (χ² with 23 df)
            assert 0.55 < means.std(ddof=1) / ses.mean() < 1.45


def test_excess_kurtosis_estimator_against_scipy_and_batches():
    rng = np.random.default_rng(3)
    f = rng.standard_normal(400_000) * rng.standard_normal(400_000)      # product of normals: kurtosis 6
    n = len(f)
    m = [np.mean(f ** k) for k in (2, 4, 6, 8)]
    k, se = S.excess_kurtosis(*m, n)
    # about 0 (no centring) it differs from SciPy's centred estimator only by the sample mean's ~1/n effect
    assert k == pytest.approx(stats.kurtosis(f, fisher=True, bias=True), abs=1e-3)
    assert abs(k - 6.0) <= Z * se
    batches = f.reshape(40, -1)
    spread = np.std([stats.kurtosis(b, fisher=True, bias=True) for b in batches], ddof=1) / math.sqrt(40)
    assert 0.5 < se / spread < 2.0


def _direct_kurtosis(q, n, prior, x, rng):
    """Excess kurtosis of f(x) over n width-q networks sampled here from scratch (step units), and its SE from the
    spread over 40 batches."""
    z = prior.sigma_a * rng.standard_normal((n, q)) + prior.sigma_u * rng.standard_normal((n, q, len(x))) @ x
    f = prior.sigma_b * rng.standard_normal(n) + (prior.omega_v / math.sqrt(q)) * np.sum(
        rng.standard_normal((n, q)) * (z > 0), axis=1)
    batches = [stats.kurtosis(b, fisher=True, bias=True) for b in f.reshape(40, -1)]
    return float(stats.kurtosis(f, fisher=True, bias=True)), float(np.std(batches, ddof=1) / math.sqrt(40))


@pytest.mark.parametrize("q", [1, 2, 5])
def test_kurtosis_formula_against_a_direct_simulation(q):
    prior = S.Prior(sigma_u=0.8, sigma_a=0.3, omega_v=1.5, sigma_b=0.5)
    x = np.array([0.7, -1.1])
    formula = float(S.kurtosis_formula("step", x, prior, q))
    # step: h ∈ {0, 1}, E h² = E h⁴ = 1/2, so 3ω⁴(1/2 - 1/4)/(q(σ_b² + ω²/2)²), whatever x
    w2, b2 = prior.omega_v ** 2, prior.sigma_b ** 2
    assert formula == pytest.approx(0.75 * w2 * w2 / (q * (b2 + w2 / 2) ** 2), rel=1e-12)
    k, se = _direct_kurtosis(q, 200_000, prior, x, np.random.default_rng(q))
    assert abs(k - formula) <= Z * se and formula > 10 * se


def test_relu_kurtosis_formula_closed_form():
    # relu: E h² = c/2, E h⁴ = 3c²/2, so 3ω⁴(5c²/4)/(q(σ_b² + ω²c/2)²)
    prior = S.Prior(sigma_u=1.1, sigma_a=0.6, omega_v=0.9, sigma_b=0.25)
    x = np.array([0.5, 1.5])
    c = prior.sigma_a ** 2 + prior.sigma_u ** 2 * (x @ x)
    w2, b2 = prior.omega_v ** 2, prior.sigma_b ** 2
    want = 3 * w2 * w2 * 1.25 * c * c / ((b2 + w2 * c / 2) ** 2 * np.array([1, 7]))
    np.testing.assert_allclose(S.kurtosis_formula("relu", x, prior, [1, 7]), want, rtol=1e-12)


def test_network_draws_and_gp_draws_have_the_kernel_covariance():
    # whole networks drawn by network_draws, and Cholesky draws: their sample covariance on 3 inputs vs the kernel
    prior = S.Prior(sigma_u=1.0, sigma_a=0.5, omega_v=1.0, sigma_b=0.2)
    X = _X
    K = S.quad_kernel(X, X, "step", *prior.args())
    for draws in (S.network_draws(X, 3, 60_000, "step", prior, np.random.default_rng(0)),
                  S.gp_draws(K, 60_000, np.random.default_rng(1))[0]):
        prod = draws[:, :, None] * draws[:, None, :]
        se = prod.std(axis=0, ddof=1) / math.sqrt(len(draws))
        assert np.all(np.abs(prod.mean(axis=0) - K) <= Z * se)
    # and the jitter is what gp_draws says it adds
    _, resid = S.gp_draws(K, 1, np.random.default_rng(2), jitter=1e-6)
    assert resid == pytest.approx(1e-6, rel=1e-6)


@pytest.mark.parametrize("activation", ["erf", "relu", "step"])
def test_quadrature_converged_at_the_checks_sizes(activation):
    # numeric.checks.nngp's tolerance relies on this: 24 panels agree with 48 at variances up to ~23
    for c11, c12, c22 in ((23.0, 9.0, 4.0), (23.0, -22.9, 23.0), (0.3, 0.1, 6.0)):
        coarse = S.pair_moment(activation, c11, c12, c22)
        fine = S.pair_moment(activation, c11, c12, c22, panels=48)
        assert abs(coarse - fine) <= 1e-13 * max(1.0, abs(fine))



# ---- the checks can fail ------------------------------------------------------------------------------

def _naive_kernel(X1, X2, activation, prior=S.PRIOR):
    """The lecture's closed forms typed in directly, θ = arccos(c12/√(c11 c22)): right to ~1e-8 only near ρ = ±1."""
    su, sa, wv, sb = prior.args()
    c11 = sa ** 2 + su ** 2 * np.sum(X1 * X1, axis=1)[:, None]
    c22 = sa ** 2 + su ** 2 * np.sum(X2 * X2, axis=1)[None, :]
    c12 = sa ** 2 + su ** 2 * X1 @ X2.T
    theta = np.arccos(np.clip(c12 / np.sqrt(c11 * c22), -1.0, 1.0))
    e = {"erf": lambda: 2 / np.pi * np.arcsin(np.clip(2 * c12 / np.sqrt((1 + 2 * c11) * (1 + 2 * c22)), -1, 1)),
         "relu": lambda: np.sqrt(c11 * c22) * (np.sin(theta) + (np.pi - theta) * np.cos(theta)) / (2 * np.pi),
         "step": lambda: (np.pi - theta) / (2 * np.pi)}[activation]()
    return sb ** 2 + wv ** 2 * e


def test_kernel_check_rejects_an_arccos_kernel_at_x_equal_x_prime(monkeypatch):
    from numeric.checks import nngp as C

    monkeypatch.setattr(S, "kernel", _naive_kernel)
    rows = {r.name.split()[0]: r for r in C.kernel_vs_quadrature()}
    assert not rows["step"].passed and rows["step"].max_rel_err > 1e-9
    assert rows["relu"].passed                      # its θ-derivative vanishes at θ = 0: no loss there


def test_sampling_checks_reject_a_kernel_or_a_kurtosis_off_by_ten_percent(monkeypatch):
    from numeric.checks import nngp as C

    monkeypatch.setattr(S, "kernel", lambda *a, **k: 1.1 * _naive_kernel(*a, **k))
    small = S.covariance_study.__wrapped__(n_units=2 ** 15, seed=3)
    monkeypatch.setattr(S, "covariance_study", lambda: small)
    assert not all(r.passed for r in C.mc_covariance())
    formula = S.kurtosis_formula
    monkeypatch.setattr(S, "kurtosis_formula", lambda *a: 1.1 * formula(*a))
    small_k = S.kurtosis_study.__wrapped__(n_units=2 ** 18, seed=3)
    monkeypatch.setattr(S, "kurtosis_study", lambda: small_k)
    # at q = 1 the 2**18 networks resolve 10% of the kurtosis by 6 SE for erf and step (4 for relu's heavier tails)
    failed = [r.name.split(":")[0] for r in C.kurtosis_vs_formula() if not r.passed]
    assert {"erf", "step"} <= set(failed)
