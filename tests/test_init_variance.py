"""Initialisation variances (R20): the derivations are proved, the generated functions agree with quadrature
of the densities (mpmath, not the generated code's formulas), and a wrong variance is refused by the prover."""
import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import FAILED, PROVED, Derivation
from derivations.library import init as I
from numeric.generated import init as G

SHAPES = ((1, 1), (3, 5), (100, 100), (784, 300), (1000, 10))


def test_init_variance_is_fully_proved_with_the_lecture_results(library_proof):
    proof = library_proof("init-variance")
    assert proof.ok, [(s.step.chain, s.status, s.detail) for s in proof.steps if s.status != PROVED]
    q_in, q_out = I.q_in, I.q_out
    lecture = {"standard_variance": 1 / (3 * q_in), "standard_gain": sp.Rational(1, 3), "lecun_variance": 1 / q_in,
               "glorot_variance": 2 / (q_in + q_out), "glorot_bound": sp.sqrt(6) / sp.sqrt(q_in + q_out),
               "he_variance": 2 / q_in, "he_backward_variance": 2 / q_out}
    results = proof.derivation.results
    for key, value in lecture.items():
        assert sp.simplify(results[key] - value) == 0, key


def _uniform_variance(half_width):
    """Var U[-a, a] by quadrature of w^2 times the density 1/(2a)."""
    a = mpmath.mpf(half_width)
    return mpmath.quad(lambda w: w ** 2 / (2 * a), [-a, a])


@pytest.mark.parametrize("q_in, q_out", SHAPES)
def test_generated_variances_against_quadrature(q_in, q_out):
    # Glorot: the uniform bound's variance by quadrature is the Glorot variance (and the lecture's 2/(q_in + q_out))
    a = G.glorot_bound(q_in, q_out)
    assert float(_uniform_variance(a)) == pytest.approx(G.glorot_variance(q_in, q_out), rel=1e-13)
    assert G.glorot_variance(q_in, q_out) == pytest.approx(mpmath.mpf(2) / (q_in + q_out), rel=1e-15)
    # 'standard': U[+-1/sqrt(q_in)] by quadrature
    assert G.standard_variance(q_in, q_out) == pytest.approx(float(_uniform_variance(1 / mpmath.sqrt(q_in))), rel=1e-13)
    # LeCun and He against the lecture's 1/q_in and 2/q_in, in exact rationals
    assert G.lecun_variance(q_in, q_out) == pytest.approx(float(mpmath.mpf(1) / q_in), rel=1e-15)
    assert G.he_variance(q_in, q_out) == pytest.approx(float(mpmath.mpf(2) / q_in), rel=1e-15)
    assert G.he_backward_variance(q_in, q_out) == pytest.approx(float(mpmath.mpf(2) / q_out), rel=1e-15)


def test_generated_variances_take_arrays_and_give_float64():
    q_in, q_out = np.array([1, 3, 100, 784]), np.array([1, 5, 100, 300])
    for name in G.__all__:
        out = getattr(G, name)(q_in, q_out)
        assert out.dtype == np.float64 and out.shape == q_in.shape, name
        scalar = [getattr(G, name)(int(i), int(o)) for i, o in zip(q_in, q_out)]
        np.testing.assert_array_equal(out, scalar)


def test_relu_halves_the_gaussian_second_moment_by_quadrature():
    """Independent of the derivation's integral: E[ReLU(z)^2] over E[z^2] for z ~ N(0, s), s the variance."""
    for s in (mpmath.mpf("0.01"), mpmath.mpf(1), mpmath.mpf(49)):
        density = lambda z: mpmath.npdf(z, 0, mpmath.sqrt(s))      # mpmath takes the standard deviation
        half = mpmath.quad(lambda z: z ** 2 * density(z), [0, mpmath.inf])
        whole = mpmath.quad(lambda z: z ** 2 * density(z), [-mpmath.inf, 0, mpmath.inf])
        assert half / whole == pytest.approx(0.5, rel=1e-12) and whole == pytest.approx(s, rel=1e-12)


def test_relu_backward_factor_and_he_backward_variance_by_quadrature():
    """E[ReLU'(z)^2] = P(z > 0) for z ~ N(0, s) by mpmath.quad of the density (not the derivation's integral);
    the backward gain q_out v E[ReLU'^2] is then 1 at the generated he_backward_variance."""
    for s in (mpmath.mpf("0.01"), mpmath.mpf(1), mpmath.mpf(49)):
        k = mpmath.quad(lambda z: mpmath.npdf(z, 0, mpmath.sqrt(s)), [0, mpmath.inf])
        assert k == pytest.approx(0.5, rel=1e-13)
        for q_in, q_out in SHAPES:
            assert q_out * G.he_backward_variance(q_in, q_out) * k == pytest.approx(1, rel=1e-13)


def test_tanh_slope_is_in_0_1_by_mpmath_differences():
    """0 < tanh'(z) <= 1, with tanh'(0) = 1, by mpmath's numerical derivative of tanh (not the identities)."""
    for z in (-30, -2, -0.1, 0, 1e-3, 0.5, 3, 30):
        slope = mpmath.diff(mpmath.tanh, mpmath.mpf(z))
        assert 0 < slope <= 1
    assert mpmath.diff(mpmath.tanh, 0) == pytest.approx(1, rel=1e-15)


def _judge(lhs, rhs):
    d = Derivation("false-variant", "a false claim")
    d.derive(lhs).then(rhs, "the claim under test")
    return d.verify().steps[0].status


def test_a_wrong_variance_is_refused():
    assert _judge(sp.Integral(I.w ** 2 / (2 * I.a), (I.w, -I.a, I.a)), I.a ** 2 / 2) == FAILED
    assert _judge(sp.Integral(I.w ** 2 / (2 * I.a), (I.w, -I.a, I.a)), I.a ** 2 / 3) == PROVED
    # He's gain is not 1 at LeCun's variance (it is 1/2)
    assert _judge(sp.Subs(I.q_in * I.v / 2, I.v, 1 / I.q_in), 1) == FAILED


def test_a_relu_backward_gain_without_the_half_is_refused():
    half = sp.Rational(1, 2)
    # the ReLU backward gain q_out k v with k = 1/2 is not q_out v, nor 1 at v = 1/q_out
    assert _judge(sp.Subs(I.q_out * I.k * I.v, I.k, half), I.q_out * I.v) == FAILED
    assert _judge(sp.Subs(I.q_out * I.k * I.v, (I.k, I.v), (half, 1 / I.q_out)), 1) == FAILED
    # and P(t > 0) for t ~ N(0, 1) is not 1 (which is what a gain q_out v would need)
    mass = sp.Integral(sp.exp(-I.t ** 2 / 2), (I.t, 0, sp.oo)) / sp.sqrt(2 * sp.pi)
    assert _judge(mass, 1) == FAILED
    # a tanh slope above 1 somewhere is refused: 1 - tanh' is tanh^2, not -tanh^2
    assert _judge(1 - sp.Derivative(sp.tanh(I.z), I.z), -sp.tanh(I.z) ** 2) == FAILED


# ---- the ReLU chain -----------------------------------------------------------------------------------------

def test_relu_chain_is_fully_proved(library_proof):
    proof = library_proof("relu-chain")
    assert proof.ok, [(s.step.chain, s.status, s.detail) for s in proof.steps if s.status != PROVED]
    assert any(s.step.induction is not None for s in proof.steps)


def _relu_chain_output(x, ws):
    h = x
    for w in ws:
        h = max(mpmath.mpf(0), w * h)
    return h


@pytest.mark.parametrize("depth, negative_input", [(1, False), (3, True), (12, False), (40, True)])
def test_relu_chain_gradient_on_an_active_path_by_mpmath_differences(depth, negative_input):
    """dŷ/dw₁ = x Π_{k≥2} w_k on an active path, against mpmath's numerical derivative of the written-out chain."""
    rng = np.random.default_rng(depth)
    ws = [mpmath.mpf(float(w)) for w in rng.uniform(0.5, 1.5, depth)]
    x = mpmath.mpf(float(rng.uniform(0.5, 2.0)))
    if negative_input:                      # x, w_1 < 0: still u_1 = w_1 x > 0
        x, ws[0] = -x, -ws[0]
    numeric = mpmath.diff(lambda w1: _relu_chain_output(x, [w1] + ws[1:]), ws[0])
    assert numeric == pytest.approx(x * mpmath.fprod(ws[1:]), rel=1e-10)


def test_wrong_relu_chain_gradients_are_refused():
    from derivations.functions import relu
    xx, w1, w2, w3 = sp.symbols("x w_1 w_2 w_3", positive=True)
    y3 = relu(w3 * relu(w2 * relu(w1 * xx)))
    assert _judge(sp.Derivative(y3, w1), xx * w2 * w3 / 64) == FAILED      # a sigmoid-like (1/4)^3 factor
    dead = relu(w3 * relu(-w2 * relu(w1 * xx)))                            # u_3 = -w_2 h_1 < 0
    assert _judge(sp.Derivative(dead, w1), -xx * w2 * w3) == FAILED
