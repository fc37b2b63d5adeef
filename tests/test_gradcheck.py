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
    # The oracles' split made it look for a kink; f is smooth, so one piece and the oracles' verdict.
    assert len(res.clarke["pieces"]) == 1 and "smooth" in res.clarke["note"]


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


# --- the Clarke generalised gradient -----------------------------------------------------------
# Expected sets come from the definitions, not from the checker: ReLU's one-sided derivatives at 0
# are 0 and 1; the gradients of max(x, y) off the tie are (1, 0) and (0, 1), so its Clarke gradient at
# a tie is the segment {(t, 1 - t)}; |x| has [-1, 1] at 0; max(x, y, z) at a triple tie has the simplex.

relu_sum = lambda x: anp.sum(anp.maximum(x, 0.0))
relu_sum_where = lambda x: anp.sum(anp.where(x > 0, x, 0.0))
X_KINK = np.array([-1.0, 0.0, 2.0])


def _as_set(pieces):
    return {tuple(round(float(v), 9) + 0.0 for v in np.atleast_1d(p)) for p in pieces}


@pytest.mark.parametrize("f", [relu_sum, relu_sum_where], ids=["maximum", "where"])
@pytest.mark.parametrize("claim, ok", [
    ((0.0, 0.0, 1.0), True),     # the lecture's ReLU'(0) = 0
    ((0.0, 1.0, 1.0), True),     # ReLU'(0) = 1
    ((0.0, 0.5, 1.0), True),     # autograd's np.maximum convention
    ((0.0, 2.0, 1.0), False),    # outside [0, 1] at the kink
    ((0.0, -0.5, 1.0), False),
    ((1.0, 0.0, 1.0), False),    # wrong where f is smooth
    ((0.0, 0.0, 1.001), False),
], ids=["lecture", "one", "half", "two", "minus-half", "smooth-wrong", "smooth-off"])
def test_check_gradient_at_a_relu_kink(f, claim, ok):
    res = check_gradient(f, lambda x: np.array(claim), X_KINK)
    assert res.passed is ok, res.summary()
    if claim[0] == 0.0 and claim[2] == 1.0:  # only the kink component can be off: the Clarke test decided
        assert _as_set(res.clarke["pieces"]) == {(0.0, 0.0, 1.0), (0.0, 1.0, 1.0)}
        assert res.clarke["kink_at"] == ["argument 0 (x), index (1,)"]
        assert res.clarke["inside"] is ok and ("Clarke" in res.summary())
    else:
        assert res.clarke == {}  # a wrong component where f is smooth: the oracles' verdict, no Clarke test
        assert "kink" not in res.disagreeing


def test_check_gradient_relu_kink_reports_the_oracles_conventions():
    res = check_gradient(relu_sum, lambda x: np.array([0.0, 0.0, 1.0]), X_KINK)
    assert res.values["claim"] == 0.0 and res.values["clarke"] == 0.0
    assert res.values["autograd"] == 0.5  # balanced_eq, documented above
    assert res.disagreeing.startswith("kink at argument 0 (x), index (1,)")


def test_check_gradient_many_relus_at_zero():
    # 2**20 pieces: the claim's own corner must be found without visiting them all.
    x = np.zeros(20)
    for claim in (np.zeros(20), np.ones(20), (np.arange(20) % 2).astype(float)):
        res = check_gradient(relu_sum, lambda x, c=claim: c, x)
        assert res.passed, res.summary()
    off = np.r_[(np.arange(19) % 2).astype(float), 1.2]
    res = check_gradient(relu_sum, lambda x: off, x)
    assert not res.passed and res.max_abs_err == pytest.approx(0.2, abs=1e-9)


def test_check_gradient_relu_layer_with_every_unit_at_its_kink():
    # f(W, b) = v . relu(W x + b) with b = -W x: all 16 units at 0; W has 80 entries (directions mode).
    rng = np.random.default_rng(8)
    x, W, v = rng.standard_normal(5), rng.standard_normal((16, 5)), rng.standard_normal(16)
    b = -W @ x
    f = lambda W, b: anp.dot(v, anp.maximum(anp.dot(W, x) + b, 0.0))
    active = lambda W, b: (W @ x + b > 0).astype(float)  # the lecture's ReLU'(0) = 0
    lecture = lambda W, b: (np.outer(v * active(W, b), x), v * active(W, b))
    res = check_gradient(f, lecture, W, b)
    assert res.passed, res.summary()
    assert res.mode == "mixed: directions (seed=0, k=8) for W; full for b"
    shifted = lambda W, b: (lecture(W, b)[0], lecture(W, b)[1] + 0.1)
    assert not check_gradient(f, shifted, W, b).passed


MAX2 = lambda v: anp.maximum(v[0], v[1])


@pytest.mark.parametrize("claim, ok", [
    ((0.5, 0.5), True), ((1.0, 0.0), True), ((0.0, 1.0), True), ((0.25, 0.75), True),
    ((1.0, 1.0), False), ((0.0, 0.0), False),           # each component in [0, 1], the pair is not
    ((1.1, -0.1), False),                              # on the line t + s = 1, beyond the segment
    ((0.5 + 1e-4, 0.5), False),                        # just off the segment
])
def test_check_kink_max_of_two(claim, ok):
    k = check_kink(MAX2, claim, np.array([1.0, 1.0]))
    assert k.accepted is ok
    assert _as_set(k.pieces) == {(1.0, 0.0), (0.0, 1.0)}
    assert k.left == pytest.approx((0.0, 0.0), abs=1e-9) and k.right == pytest.approx((1.0, 1.0), abs=1e-9)
    assert k.autograd == (0.5, 0.5)
    if ok:
        assert np.allclose(np.dot(k.weights, [list(p) for p in k.pieces]), claim)
    else:
        # distance in the max norm to the segment {(t, 1 - t)}, computed by hand
        t = np.clip((claim[0] - claim[1] + 1) / 2, 0, 1)
        assert k.distance == pytest.approx(np.max(np.abs(np.array(claim) - (t, 1 - t))), rel=1e-6)


@pytest.mark.parametrize("claim, ok", [(-1.0, True), (-0.3, True), (0.0, True), (1.0, True),
                                       (-1.001, False), (1.5, False)])
def test_check_kink_abs(claim, ok):
    k = check_kink(anp.abs, claim, 0.0)
    assert k.accepted is ok
    assert _as_set(k.pieces) == {(-1.0,), (1.0,)}
    assert isinstance(k.left, float) and k.left == pytest.approx(-1.0) and k.right == pytest.approx(1.0)


def test_check_kink_max_of_three_at_a_triple_tie():
    f = lambda v: anp.maximum(anp.maximum(v[0], v[1]), v[2])
    at = np.array([2.0, 2.0, 2.0])
    assert _as_set(check_kink(f, (1.0, 0.0, 0.0), at).pieces) == {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)}
    for w in np.random.default_rng(9).dirichlet(np.ones(3), size=4):   # the simplex
        assert check_kink(f, w, at).accepted, w
    assert not check_kink(f, (0.5, 0.5, 0.5), at).accepted           # per-component [0, 1]: sum 1.5
    assert not check_kink(f, (0.6, 0.6, -0.2), at).accepted          # sum 1, one weight negative


def test_check_kink_smooth_function_is_one_piece():
    f = lambda v: anp.sin(v[0]) * v[1]
    at = np.array([0.3, 2.0])
    exact = np.array([np.cos(0.3) * 2.0, np.sin(0.3)])
    k = check_kink(f, exact, at)
    assert k.accepted and len(k.pieces) == 1 and np.allclose(k.pieces[0], exact, rtol=1e-12)
    assert not check_kink(f, exact * (1 + 1e-6), at).accepted


def test_check_kink_rejects_a_claim_of_the_wrong_size():
    with pytest.raises(ValueError, match="2 entries, the point has 3"):
        check_kink(relu_sum, (0.0, 1.0), X_KINK)
