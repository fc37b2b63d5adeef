"""Gradient descent and SGD (R10–R13): the derivations are proved, and their results and the generated `gd` module
agree with independent computations (mpmath on the lecture's formula, mpmath.findroot, autograd, numpy.linalg)."""
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp

import derivations
from numeric.autodiff import under_autograd
from numeric.generated import gd

NAMES = ("gd-local-model", "gd-step-size", "gd-pictures", "sgd-unbiased")


def lecture_loss(t):
    """The lecture's L(θ) = 0.02((θ − 0.333)⁴ − 30θ²), typed from the lecture (R11) in mpmath."""
    return mpmath.mpf("0.02") * ((t - mpmath.mpf("0.333")) ** 4 - 30 * t ** 2)


@pytest.mark.parametrize("name", NAMES)
def test_derivation_is_fully_proved(name, library_proof):
    proof = library_proof(name)
    assert proof.ok, [(s.status, s.detail) for s in proof.steps if not s.ok] or proof.problems
    assert proof.counts()["proved"] == len(derivations.get(name).steps) > 0


# ---- the pictures' critical points, against mpmath.findroot on the lecture's L′ -------------------------

@pytest.mark.parametrize("name, start, curvature_sign", [
    ("theta_local", -3.3, 1), ("theta_global", 4.4, 1), ("theta_max", 0.1, -1)])
def test_critical_points_match_findroot(name, start, curvature_sign):
    value = derivations.get("gd-pictures").results[name]
    with mpmath.workdps(40):
        root = mpmath.findroot(lambda t: mpmath.diff(lecture_loss, t), mpmath.mpf(start))
        exact = mpmath.mpf(str(sp.N(value, 40)))
        assert abs(exact - root) < mpmath.mpf(10) ** -30
        assert mpmath.sign(mpmath.diff(lecture_loss, root, 2)) == curvature_sign


def test_the_lectures_approximations():
    r = derivations.get("gd-pictures").results
    assert round(float(r["theta_local"]), 4) == -3.3613
    assert round(float(r["theta_global"]), 4) == 4.3628
    assert round(float(r["gamma_critical"]), 3) == 0.964


def test_gamma_critical_is_two_over_the_curvature_at_the_left_minimum():
    gamma = derivations.get("gd-pictures").results["gamma_critical"]
    with mpmath.workdps(40):
        left = mpmath.findroot(lambda t: mpmath.diff(lecture_loss, t), mpmath.mpf(-3.3))
        expected = 2 / mpmath.diff(lecture_loss, left, 2)
        assert abs(mpmath.mpf(str(sp.N(gamma, 40))) - expected) < mpmath.mpf(10) ** -30


def test_global_minimum_is_lower():
    r = derivations.get("gd-pictures").results
    with mpmath.workdps(30):
        assert lecture_loss(mpmath.mpf(str(sp.N(r["theta_global"], 30)))) < \
            lecture_loss(mpmath.mpf(str(sp.N(r["theta_local"], 30))))


# ---- the step-size law: the optimal rate against numpy's eigenvalues ----------------------------------------

def test_optimal_rate_matches_the_spectral_radius():
    d = derivations.get("gd-step-size")
    rate_of, gamma_of = (d.expand_definitions(d.results[k]) for k in ("rate", "gamma_opt"))   # κ, γ* as λ's
    lmin, lmax = sorted(rate_of.free_symbols, key=lambda s: s.name != "lambda_min")
    rng = np.random.default_rng(0)
    B = rng.normal(size=(5, 5))
    A = B @ B.T + 0.5 * np.eye(5)
    lam = np.linalg.eigvalsh(A)
    gamma_star = float(gamma_of.subs({lmin: lam[0], lmax: lam[-1]}))
    rate = float(rate_of.subs({lmin: lam[0], lmax: lam[-1]}))
    radius = max(abs(np.linalg.eigvals(np.eye(5) - gamma_star * A)))
    assert rate == pytest.approx(radius, rel=1e-12)
    # any other step has a larger spectral radius; 2/λ_max is the boundary of convergence
    for g in (0.9 * gamma_star, 1.1 * gamma_star):
        assert max(abs(np.linalg.eigvals(np.eye(5) - g * A))) > radius
    assert max(abs(np.linalg.eigvals(np.eye(5) - 2 / lam[-1] * A))) == pytest.approx(1.0, rel=1e-12)


# ---- the generated module -------------------------------------------------------------------------------

THETAS = np.concatenate([np.linspace(-6, 6, 41), [-3.3613091947781750043, 4.3628271976736730517, 1e3, -1e5]])


def _reference(fn):
    with mpmath.workdps(50):
        return np.array([float(fn(mpmath.mpf(float(t)))) for t in THETAS])


def _scale():
    """The size of the terms that cancel in L, L′ and L″: rounding errors are relative to it, not to the value."""
    u = np.abs(THETAS) + 0.333
    return 0.02 * (u ** 4 + 30 * THETAS ** 2), 0.08 * u ** 3 + 1.2 * np.abs(THETAS), 0.24 * u ** 2 + 1.2


def test_generated_functions_match_the_lecture_formula():
    loss_scale, grad_scale, curv_scale = _scale()
    eps = 8 * np.finfo(float).eps
    assert np.all(np.abs(gd.picture_loss(THETAS) - _reference(lecture_loss)) <= eps * loss_scale)
    assert np.all(np.abs(gd.picture_grad(THETAS) - _reference(lambda t: mpmath.diff(lecture_loss, t)))
                  <= eps * grad_scale)
    assert np.all(np.abs(gd.picture_curvature(THETAS) - _reference(lambda t: mpmath.diff(lecture_loss, t, 2)))
                  <= eps * curv_scale)


def test_generated_derivatives_match_autograd():
    from autograd import elementwise_grad
    ag = under_autograd(gd)
    x = np.linspace(-6, 6, 25)
    assert np.allclose(elementwise_grad(ag.picture_loss)(x), gd.picture_grad(x), rtol=1e-12, atol=1e-12)
    assert np.allclose(elementwise_grad(ag.picture_grad)(x), gd.picture_curvature(x), rtol=1e-12, atol=1e-12)


def test_local_model_is_the_lectures_model_and_its_minimiser_is_the_gd_step():
    from autograd import elementwise_grad
    ag = under_autograd(gd)
    theta0, gamma = np.array([-2.0, -0.5, 0.25, 3.0]), 0.7
    theta = theta0 + np.array([0.3, -1.2, 2.0, -0.4])
    with mpmath.workdps(30):
        expected = [float(lecture_loss(mpmath.mpf(t0)) + (t - t0) * mpmath.diff(lecture_loss, mpmath.mpf(t0))
                          + (t - t0) ** 2 / (2 * gamma)) for t, t0 in zip(theta, theta0)]
    assert np.allclose(gd.local_model(theta, theta0, gamma), expected, rtol=1e-12, atol=1e-12)
    step = theta0 - gamma * gd.picture_grad(theta0)
    assert np.allclose(elementwise_grad(ag.local_model)(step, theta0, gamma), 0.0, atol=1e-12)
    assert np.allclose(gd.local_model(theta0, theta0, gamma), gd.picture_loss(theta0), rtol=1e-14)


def test_generated_functions_take_infinities_to_their_limits_without_warnings():
    inf = np.array([np.inf, -np.inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(gd.picture_loss(inf), [np.inf, np.inf])
        assert np.array_equal(gd.picture_grad(inf), [np.inf, -np.inf])
        assert np.array_equal(gd.picture_curvature(inf), [np.inf, np.inf])
        assert np.array_equal(gd.local_model(inf, np.array([0.5, -3.0]), 0.5), [np.inf, np.inf])
        big = np.array([1e70, -1e70])          # finite up to |θ| ≈ 3e77, where θ⁴/50 passes the largest double
        assert np.all(np.isfinite(gd.picture_loss(big)))
