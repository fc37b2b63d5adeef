"""numeric.gd_study against independent oracles: mpmath roots, a hand-written GD map, eigvalsh, scipy's expit, scikit-learn."""
import math

import mpmath as mp
import numpy as np
import pytest
from scipy.special import expit

from numeric import gd_study as S
from numeric.optim import gd_path, gradient_descent, sgd

EPS = np.finfo(float).eps


def lecture_loss(t):
    """R11's loss as the lecture writes it, parsed at mpmath's working precision."""
    return mp.mpf("0.02") * ((t - mp.mpf("0.333")) ** 4 - 30 * t ** 2)


def lecture_map(t, gamma):
    """One GD step on the lecture's loss, derivative by hand, in plain floats (not the generated code)."""
    return t - gamma * 0.02 * (4 * (t - 0.333) ** 3 - 60 * t)


@pytest.mark.parametrize("name, start", [("local", "-3.4"), ("global", "4.4")])
def test_pictures_end_at_the_mpmath_minima(name, start):
    with mp.workdps(40):
        root = mp.findroot(lambda t: mp.diff(lecture_loss, t), mp.mpf(start))
        assert mp.diff(lecture_loss, root, 2) > 0                     # a minimum
    pic = S.picture(name)
    assert abs(pic.end - float(root)) <= 8 * EPS * abs(float(root))
    # and the path is GD's: every step is the hand-written map's, to rounding
    steps = np.array([lecture_map(t, pic.gamma) for t in pic.path[:-1]])
    assert np.max(np.abs(steps - pic.path[1:])) <= 1e-13


def test_third_picture_bounded_and_not_converging():
    theta0, gamma = S.PICTURES["bounce"]
    t, seen = theta0, []
    for _ in range(20_000):
        t = lecture_map(t, gamma)
        seen.append(t)
    tail = np.array(seen[1000:])
    lo, hi = S.trapping_interval(gamma)[1]
    # the hand-written orbit stays in the trapping interval and keeps moving over most of it
    assert lo - 1e-9 <= tail.min() and tail.max() <= hi + 1e-9
    assert tail.max() - tail.min() > 0.9 * (hi - lo)
    assert np.min(np.abs(np.diff(tail))) > 0 and np.std(tail[-1000:]) > 0.5
    # 1.3 exceeds 2/L''(θ_local), with L'' by mpmath
    with mp.workdps(30):
        root = mp.findroot(lambda x: mp.diff(lecture_loss, x), mp.mpf("-3.4"))
        assert gamma > 2 / mp.diff(lecture_loss, root, 2)


def _escapes(gamma, steps=20_000, theta0=-2.0):
    t = theta0
    for k in range(steps):
        t = lecture_map(t, gamma)
        if abs(t) > 1e3:
            return k + 1
    return None


def test_escape_gamma_is_bracketed():
    crisis = S.escape().crisis
    assert 1.52 < crisis < 1.53
    # below: bounded for 20 000 hand-written steps; above: gone within them
    assert _escapes(crisis - 2e-3) is None
    assert _escapes(crisis + 2e-3) is not None
    # nowhere near the lecture's 1.7: already gone at 1.6 within a few dozen steps
    assert _escapes(1.6, steps=100) is not None


def test_step_size_boundary_is_two_over_lambda_max():
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    A = Q @ np.diag([0.05, 0.3, 1.0, 7.0]) @ Q.T
    assert S.boundary_bisection(A) == pytest.approx(2 / np.linalg.eigvalsh(A)[-1], rel=1e-12)


def _logistic_rows_mean_gradient(theta, X, y):
    """(1/N) Σ (σ(z_i) − y_i)[x_i, 1], each row's gradient written out, with scipy's expit, summed exactly."""
    Xt = np.c_[X, np.ones(len(y))]
    G = (expit(Xt @ theta) - y)[:, None] * Xt
    return np.array([math.fsum(G[:, j]) for j in range(G.shape[1])]) / len(y)


def test_per_sample_gradients_average_to_the_batch_gradient():
    s = S.split(n_train=120)
    theta = np.random.default_rng(1).standard_normal(s.X_train.shape[1] + 1)
    rel, _ = S.gradient_mean_gap(theta, s.X_train, s.y_train)
    assert rel <= 1e-14
    _, grad, _ = S.logistic_problem(s.X_train, s.y_train)
    ref = _logistic_rows_mean_gradient(theta, s.X_train, s.y_train)
    assert np.max(np.abs(grad(theta) - ref)) <= 1e-14 * np.max(np.abs(ref))


def test_sgd_and_gd_reach_sklearn_on_a_subset():
    n = 100
    r = S.sgd_vs_gd(n_train=n, gd_steps=5000, sgd_epochs=100)
    s = S.split(n_train=n)
    # scikit-learn's optimum is stationary for the mean cross-entropy (written out here)
    assert np.max(np.abs(_logistic_rows_mean_gradient(r.theta_star, s.X_train, s.y_train))) <= 1e-7
    assert (r.gd.loss[-1] - r.loss_star) / r.loss_star <= 1e-9
    # averaged SGD: within twice Polyak–Juditsky's expected excess tr(H⁻¹Σ)/(2T), H and Σ written out here
    Xt = np.c_[s.X_train, np.ones(n)]
    p = expit(Xt @ r.theta_star)
    H = (Xt.T * (p * (1 - p))) @ Xt / n
    G = (p - s.y_train)[:, None] * Xt
    T = (100 - 1) * n
    pj = np.trace(np.linalg.solve(H, G.T @ G / n)) / (2 * T) / r.loss_star
    assert 0 <= (r.sgd.loss[-1] - r.loss_star) / r.loss_star <= 2 * pj
    # the recorded evaluations: GD N per step, SGD one per update
    assert r.gd.evals[1] == n and np.all(np.diff(r.sgd.evals) == S.RECORD_EVERY)


def test_optim_additions_keep_the_optimisers():
    A = np.diag([1.0, 3.0])
    path = gd_path(lambda t: A @ t, np.array([1.0, -1.0]), lr=0.2, steps=7)
    r = gradient_descent(lambda t: A @ t, np.array([1.0, -1.0]), lr=0.2, steps=7)
    assert path.shape == (8, 2) and np.array_equal(path[-1], r.theta)
    seen = []
    rows = lambda th, idx: th - idx.mean()          # any deterministic row-gradient
    a = sgd(rows, np.zeros(2), 10, lr=0.1, epochs=3, batch_size=3, seed=4)
    b = sgd(rows, np.zeros(2), 10, lr=0.1, epochs=3, batch_size=3, seed=4, on_update=lambda t, th: seen.append(t))
    assert np.array_equal(a.theta, b.theta) and seen == list(range(1, a.steps + 1))
