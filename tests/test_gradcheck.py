"""Tests for numeric.gradcheck: expected gradients are derived by hand, never by the checker."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd.extend import defvjp, primitive

from numeric.gradcheck import check_gradient, check_kink

ALL = {"autograd": "used", "complex-step": "used", "richardson": "used"}


# --- logistic regression: loss written with autograd.numpy, gradient by hand ------------------

def _logistic_data(dtype=np.float64, n=40, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(dtype)
    y = (rng.random(n) < 0.5).astype(dtype)
    w = (0.5 * rng.standard_normal(d)).astype(dtype)
    b = dtype(0.3)
    return w, b, X, y


LAM = 0.7


def logistic_loss(w, b, X, y):
    p = 1.0 / (1.0 + anp.exp(-(anp.dot(X, w) + b)))
    return anp.mean(-(y * anp.log(p) + (1.0 - y) * anp.log(1.0 - p))) + 0.5 * LAM * anp.dot(w, w)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def logistic_grad(w, b, X, y):
    # d/dz of the mean cross-entropy is (sigmoid(z) - y)/N; the regulariser adds LAM*w.
    r = _sigmoid(X @ w + b) - y
    return X.T @ r / len(y) + LAM * w, np.mean(r)


def test_logistic_correct_gradient_passes_with_all_oracles():
    res = check_gradient(logistic_loss, logistic_grad, *_logistic_data(), wrt=(0, 1))
    assert res.passed, res.summary()
    assert res.oracles == ALL
    assert res.mode == "full"
    assert res.max_rel_err < 1e-9
    assert res.disagreeing.startswith("none")


@pytest.mark.parametrize("mutant", [
    lambda g: (-g[0], -g[1]),                            # sign flip
    lambda g: (2 * g[0], 2 * g[1]),                      # factor 2
    lambda g: (g[0] - LAM * g[2], g[1]),                 # missing regulariser term
], ids=["sign", "factor2", "missing-term"])
def test_logistic_mutants_fail(mutant):
    w, b, X, y = _logistic_data()

    def bad(w, b, X, y):
        gw, gb = logistic_grad(w, b, X, y)
        return mutant((gw, gb, w))

    res = check_gradient(logistic_loss, bad, w, b, X, y, wrt=(0, 1))
    assert not res.passed
    assert res.disagreeing.startswith("claim vs all oracles")
    assert res.max_rel_err > 1e-3


# --- quadratic and bilinear forms with a non-symmetric matrix --------------------------------

def test_quadratic_nonsymmetric():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((6, 6))
    x = rng.standard_normal(6)
    f = lambda x: 0.5 * anp.dot(x, anp.dot(A, x))
    good = check_gradient(f, lambda x: 0.5 * (A + A.T) @ x, x)
    assert good.passed, good.summary()
    bad = check_gradient(f, lambda x: A @ x, x)  # correct only for symmetric A
    assert not bad.passed


def test_bilinear_transposed_matrix_fails():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((4, 3))
    x, y = rng.standard_normal(4), rng.standard_normal(3)
    f = lambda x, y: anp.dot(x, anp.dot(A, y))
    # d(x^T A y)/dx = A y, d/dy = A^T x.
    assert check_gradient(f, lambda x, y: (A @ y, A.T @ x), x, y).passed
    sq = rng.standard_normal((4, 4))
    x2, y2 = rng.standard_normal(4), rng.standard_normal(4)
    g = lambda x, y: anp.dot(x, anp.dot(sq, y))
    res = check_gradient(g, lambda x, y: sq.T @ y, x2, y2, wrt=0)
    assert not res.passed
    assert "argument 0 (x)" in res.worst


# --- depth-64 sigmoid chain: tiny but correct gradients ---------------------------------------

DEPTH = 64


def chain(w, x=0.7):
    a = x
    for l in range(DEPTH):
        a = 1.0 / (1.0 + anp.exp(-w[l] * a))
    return a


def chain_grad(w, x=0.7):
    # Forward pass storing activations; backward: dy/dz_l = prod_{k>l} s'(z_k) w_k, times s'(z_l).
    acts = [x]
    for l in range(DEPTH):
        acts.append(_sigmoid(w[l] * acts[-1]))
    g = np.zeros(DEPTH)
    delta = 1.0  # dy/da_l for the current layer's output
    for l in reversed(range(DEPTH)):
        s = acts[l + 1]
        dz = delta * s * (1.0 - s)
        g[l] = dz * acts[l]
        delta = dz * w[l]
    return g


def _chain_w():
    return np.random.default_rng(3).uniform(0.5, 1.5, DEPTH)


def test_depth_chain_tiny_gradients_pass():
    w = _chain_w()
    g = chain_grad(w)
    assert np.min(np.abs(g)) < 1e-35  # the regime we mean to exercise
    res = check_gradient(chain, chain_grad, w)
    assert res.passed, res.summary()
    assert res.oracles == ALL


def test_depth_chain_off_by_one_layer_fails():
    w = _chain_w()
    shifted = lambda w: np.concatenate([chain_grad(w)[1:], [0.0]])
    res = check_gradient(chain, shifted, w)
    assert not res.passed
    assert res.disagreeing.startswith("claim vs all oracles")


# --- scale awareness: wrong at size 1e-20 must fail -------------------------------------------

def tiny(x):
    return 1e-20 * anp.sum(anp.sin(x))


@pytest.mark.parametrize("claim, ok", [
    (lambda x: 1e-20 * np.cos(x), True),
    (lambda x: 1e-20 * np.sin(x), False),
    (lambda x: 2e-20 * np.cos(x), False),
], ids=["correct", "sin-for-cos", "factor2"])
def test_tiny_scale(claim, ok):
    x = np.random.default_rng(4).standard_normal(7)
    # An absolute tolerance of 1e-8 could not tell these apart.
    assert np.max(np.abs(claim(x) - 1e-20 * np.cos(x))) < 1e-19
    res = check_gradient(tiny, claim, x)
    assert res.passed is ok, res.summary()


# --- float32 ---------------------------------------------------------------------------------

def test_float32_tolerances():
    w, b, X, y = _logistic_data(np.float32)
    assert w.dtype == np.float32
    res = check_gradient(logistic_loss, logistic_grad, w, b, X, y, wrt=(0, 1))
    assert res.passed, res.summary()
    assert res.tolerance == pytest.approx(np.sqrt(np.finfo(np.float32).eps))
    double = lambda *a: tuple(2 * g for g in logistic_grad(*a))
    assert not check_gradient(logistic_loss, double, w, b, X, y, wrt=(0, 1)).passed


def test_float64_tolerance_is_tighter():
    res = check_gradient(logistic_loss, logistic_grad, *_logistic_data(), wrt=(0, 1))
    assert res.tolerance == pytest.approx(np.sqrt(np.finfo(np.float64).eps))


# --- random-direction mode -------------------------------------------------------------------

_C = np.random.default_rng(5).standard_normal(500)


def big(x):
    return anp.sum(anp.log(1.0 + x ** 2)) + 0.5 * anp.dot(_C, x) ** 2


def big_grad(x):
    return 2 * x / (1 + x ** 2) + np.dot(_C, x) * _C


def test_directions_mode_large_argument():
    x = np.random.default_rng(6).standard_normal(500)
    res = check_gradient(big, big_grad, x, seed=3)
    assert res.passed, res.summary()
    assert res.mode == "directions (seed=3, k=8)"
    assert "direction" in res.worst
    assert res.oracles == ALL
    wrong = check_gradient(big, lambda x: 2 * x / (1 + x ** 2), x, seed=3)  # coupling term missing
    assert not wrong.passed
    assert wrong.mode == "directions (seed=3, k=8)"


def test_directions_mode_catches_a_single_wrong_component():
    x = np.random.default_rng(7).standard_normal(500)

    def one_off(x):
        g = big_grad(x)
        g[123] += 0.5 * np.max(np.abs(g))
        return g

    assert not check_gradient(big, one_off, x, directions=4, seed=11).passed


# --- oracle availability and diagnosis --------------------------------------------------------

def test_autograd_incompatible_f_is_recorded_not_fatal():
    from scipy.special import expit  # a ufunc autograd cannot trace
    x = np.linspace(-1, 1, 5)
    res = check_gradient(lambda x: float(np.sum(expit(x))), lambda x: expit(x) * (1 - expit(x)), x)
    assert res.oracles["autograd"].startswith("unavailable")
    assert res.oracles["richardson"] == "used"
    assert res.passed, res.summary()


def test_real_only_f_disables_complex_step():
    x = np.linspace(-1, 1, 5)
    f = lambda x: anp.sum(anp.logaddexp(0.0, x))  # logaddexp has no complex loop
    res = check_gradient(f, lambda x: _sigmoid(x), x)
    assert res.oracles["complex-step"].startswith("unavailable")
    assert res.passed, res.summary()


def test_abs_breaks_complex_step_and_is_detected():
    x = np.array([0.3, -1.2, 2.0, 0.8])
    f = lambda x: anp.sum(anp.abs(x) * x)  # d/dx |x| x = 2|x|
    res = check_gradient(f, lambda x: 2 * np.abs(x), x)
    assert res.oracles["complex-step"].startswith("unavailable")
    assert res.passed, res.summary()


@primitive
def _square(x):
    return x ** 2


defvjp(_square, lambda ans, x: lambda g: g * 3 * x)  # wrong on purpose: should be 2x


def test_wrong_autograd_is_blamed_on_autograd():
    x = np.array([0.5, -1.0, 2.0])
    res = check_gradient(lambda x: anp.sum(_square(x)), lambda x: 2 * x, x)
    assert res.disagreeing.startswith("autograd vs complex-step/richardson")
    assert "the claim sides with complex-step/richardson" in res.disagreeing
    assert not res.passed  # the verdict still needs every available oracle


def test_result_reporting():
    res = check_gradient(logistic_loss, logistic_grad, *_logistic_data(), wrt=(0, 1), name="logistic")
    line = res.summary()
    assert "\n" not in line and line.startswith("[PASS] logistic")
    d = res.as_dict()
    assert d["passed"] is True and set(d["values"]) >= {"claim", "autograd", "complex-step", "richardson"}
    with pytest.raises(Exception):
        res.passed = False  # frozen


# --- kinks -----------------------------------------------------------------------------------

relu_max = lambda z: anp.maximum(z, 0.0)
relu_where = lambda z: anp.where(z > 0, z, 0.0)
leaky = lambda z: anp.maximum(z, 0.1 * z)


@pytest.mark.parametrize("claimed, accepted",
                         [(0.0, True), (1.0, True), (0.5, True), (2.0, False), (-0.5, False)])
def test_relu_kink(claimed, accepted):
    k = check_kink(relu_max, claimed, 0.0)
    assert k.left == pytest.approx(0.0, abs=1e-12) and k.right == pytest.approx(1.0, abs=1e-12)
    assert k.accepted is accepted


@pytest.mark.parametrize("claimed, accepted",
                         [(0.1, True), (0.55, True), (1.0, True), (0.05, False), (1.1, False)])
def test_leaky_relu_kink(claimed, accepted):
    k = check_kink(leaky, claimed, 0.0)
    assert k.left == pytest.approx(0.1, abs=1e-12) and k.right == pytest.approx(1.0, abs=1e-12)
    assert k.accepted is accepted


def test_autograd_convention_at_relu_kink():
    # Documented autograd behaviour (numpy_vjps.balanced_eq): maximum splits the gradient evenly
    # between tied arguments; where() at z = 0 takes the constant branch.
    assert check_kink(relu_max, 0.0, 0.0).autograd == 0.5
    assert check_kink(relu_where, 0.0, 0.0).autograd == 0.0
    assert check_kink(leaky, 0.55, 0.0).autograd == pytest.approx(0.55)
