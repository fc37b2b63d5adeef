"""numeric.capacity (R21, R24): exact piece counts against an independent brute force, the constructions against
their formulas, cancelling kinks, the interpolant against numpy.interp, bad inputs."""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from numeric import capacity as C


# ---- an independent brute force -------------------------------------------------------------------------

def _exact_forward(weights, biases, x: Fraction) -> Fraction:
    """The network's output at the rational x, in Fractions (no pieces, no patterns)."""
    h = [x]
    for k, (W, b) in enumerate(zip(weights, biases)):
        z = [sum((Fraction(float(W[i, j])) * h[i] for i in range(W.shape[0])), Fraction(float(b[j])))
             for j in range(W.shape[1])]
        h = z if k == len(weights) - 1 else [max(v, Fraction(0)) for v in z]
    return h[0]


def _candidates(weights, biases):
    """Every root of every unit's pre-activation under every activation pattern of the layers before it: a
    superset of the points where any unit changes sign (left of such a point the earlier pattern is fixed, so
    the unit's pre-activation is that pattern's affine function, which vanishes there)."""
    hidden = [W.shape[1] for W in weights[:-1]]
    out = set()
    for k in range(len(hidden)):
        for pattern in itertools.product((0, 1), repeat=sum(hidden[:k])):
            a, c = [Fraction(1)], [Fraction(0)]       # h = a x + c, unit by unit
            pos = 0
            for layer in range(k + 1):
                W, b = weights[layer], biases[layer]
                za = [sum((Fraction(float(W[i, j])) * a[i] for i in range(len(a))), Fraction(0))
                      for j in range(W.shape[1])]
                zc = [sum((Fraction(float(W[i, j])) * c[i] for i in range(len(c))), Fraction(float(b[j])))
                      for j in range(W.shape[1])]
                if layer == k:
                    out.update(-zc[j] / za[j] for j in range(len(za)) if za[j] != 0)
                    break
                mask = pattern[pos:pos + len(za)]
                pos += len(za)
                a = [v if m else Fraction(0) for v, m in zip(za, mask)]
                c = [v if m else Fraction(0) for v, m in zip(zc, mask)]
    return out


def _brute_count(weights, biases, lo, hi) -> int:
    """Pieces from the candidates: the network is affine between consecutive ones, so each interval's slope is
    its exact secant; adjacent equal slopes merge."""
    lo, hi = Fraction(lo), Fraction(hi)
    points = sorted({lo, hi} | {t for t in _candidates(weights, biases) if lo < t < hi})
    values = [_exact_forward(weights, biases, t) for t in points]
    slopes = [(v1 - v0) / (t1 - t0) for t0, t1, v0, v1 in zip(points, points[1:], values, values[1:])]
    return 1 + sum(s1 != s0 for s0, s1 in zip(slopes, slopes[1:]))


def _random_net(widths, rng, integer):
    """Small integer weights make coincident kinks, units that are identically 0 and cancellations likely."""
    if integer:
        draw = lambda shape: rng.integers(-2, 3, size=shape).astype(float)
    else:
        draw = lambda shape: rng.normal(size=shape)
    weights = [draw((m, n)) for m, n in zip(widths, widths[1:])]
    biases = [draw((n,)) for n in widths[1:]]
    return weights, biases


@pytest.mark.parametrize("widths", [(1, 3, 1), (1, 2, 2, 1), (1, 3, 2, 1), (1, 2, 2, 2, 1), (1, 4, 1, 2, 1)])
@pytest.mark.parametrize("integer", [True, False])
def test_count_matches_brute_force(widths, integer):
    rng = np.random.default_rng(sum(widths) * 10 + integer)
    for _ in range(6):
        w, b = _random_net(widths, rng, integer)
        assert C.count_regions(w, b, -3.0, 3.0) == _brute_count(w, b, -3, 3)


def test_breakpoints_are_kinks_of_the_exact_function():
    rng = np.random.default_rng(5)
    w, b = _random_net((1, 3, 3, 1), rng, integer=False)
    kinks = C.breakpoints(w, b, -3.0, 3.0)
    assert kinks == sorted(kinks) and all(-3 < t < 3 for t in kinks)
    for t in kinks:                    # left and right secants at a tiny exact offset differ
        e = Fraction(1, 10 ** 30)
        left = (_exact_forward(w, b, t) - _exact_forward(w, b, t - e)) / e
        right = (_exact_forward(w, b, t + e) - _exact_forward(w, b, t)) / e
        assert left != right


@pytest.mark.parametrize("q,L", [(1, 2), (2, 1), (2, 4), (3, 1), (3, 3), (4, 2), (5, 2)])
def test_constructions_reach_the_formulas(q, L):
    assert C.count_regions(*C.sawtooth_network(q, L), 0.0, 1.0) == q ** L
    assert C.count_regions(*C.montufar_network(q, L), 0.0, 1.0) == q ** (L - 1) * (q + 1)


@pytest.mark.parametrize("q,L", [(2, 2), (3, 2)])
def test_constructions_against_brute_force(q, L):
    for net in (C.sawtooth_network(q, L), C.montufar_network(q, L)):
        assert C.count_regions(*net, 0.0, 1.0) == _brute_count(*net, 0, 1)


def test_cancelling_kinks_merge():
    # ReLU(x − ½) − ReLU(½ − x) = x − ½: two units kink at ½, the output does not
    w = [np.array([[1.0, -1.0]]), np.array([[1.0], [-1.0]])]
    b = [np.array([-0.5, 0.5]), np.zeros(1)]
    assert C.count_regions(w, b, 0.0, 1.0) == 1 and C.breakpoints(w, b, 0.0, 1.0) == []
    # ... while ReLU(x − ½) + ReLU(½ − x) = |x − ½| has two pieces
    w_abs = [w[0], np.array([[1.0], [1.0]])]
    assert C.count_regions(w_abs, b, 0.0, 1.0) == 2 and C.breakpoints(w_abs, b, 0.0, 1.0) == [Fraction(1, 2)]
    # a kink of layer 1 undone in layer 2: ReLU(ReLU(x) − ReLU(−x) + 5) = x + 5 on [−1, 1]
    w2 = [np.array([[1.0, -1.0]]), np.array([[1.0], [-1.0]]), np.array([[1.0]])]
    b2 = [np.zeros(2), np.array([5.0]), np.zeros(1)]
    assert C.count_regions(w2, b2, -1.0, 1.0) == 1


def test_kink_at_an_end_is_not_a_piece():
    w = [np.array([[1.0]]), np.array([[1.0]])]
    assert C.count_regions(w, [np.zeros(1), np.zeros(1)], 0.0, 1.0) == 1
    assert C.count_regions(w, [np.zeros(1), np.zeros(1)], -1.0, 1.0) == 2


def test_sampling_never_exceeds_the_exact_count():
    rng = np.random.default_rng(11)
    for widths in ((1, 4, 4, 1), (1, 6, 1)):
        w, b = _random_net(widths, rng, integer=True)
        assert C.sampled_count(w, b, -3.0, 3.0, 301) <= C.count_regions(w, b, -3.0, 3.0)
    saw = C.sawtooth_network(2, 8)                    # 256 pieces, 100 samples
    assert C.sampled_count(*saw, 0.0, 1.0, 100) < C.count_regions(*saw, 0.0, 1.0) == 256


def test_interpolant_is_numpy_interp():
    f = lambda x: np.exp(np.sin(3 * x))
    g = C.relu_interpolant(f, 9, -1.0, 2.0)
    x = np.random.default_rng(0).uniform(-1.0, 2.0, 1000)
    knots = np.linspace(-1.0, 2.0, 10)
    assert np.allclose(g(x), np.interp(x, knots, f(knots)), rtol=0, atol=1e-13)
    assert np.allclose(g(knots), f(knots), rtol=0, atol=1e-13)
    assert g(np.array([[0.5]])).shape == (1, 1)
    # the same function as a network, evaluated by a plain forward pass
    (W1, W2), (b1, b2) = g.network()
    assert np.allclose(np.maximum(x[:, None] @ W1 + b1, 0.0) @ W2[:, 0] + b2[0], g(x), rtol=0, atol=1e-13)


def test_sine_defect_constant():
    """The constant behind the check's 1 − 7π²/(12q²): the chord's error at the middle of [1/4, 1/4 + h], over
    π²h²/2, is 1 − 7π²h²/12 + O(h⁴) (mpmath at 100 digits, h = 10⁻¹²: the O(h⁴) rest is ~10⁻²⁴ of the h² term;
    1 − ratio cancels 24 digits and divides by h² = 10⁻²⁴, so 100 digits leave 50)."""
    import mpmath

    with mpmath.workdps(100):
        h = mpmath.mpf(10) ** -12
        mid = mpmath.cos(mpmath.pi * h) - 1 + (1 - mpmath.cos(2 * mpmath.pi * h)) / 2
        defect = (1 - mid / (mpmath.pi ** 2 * h ** 2 / 2)) / h ** 2
        assert abs(defect / (7 * mpmath.pi ** 2 / 12) - 1) < mpmath.mpf(10) ** -20


def test_squared_loss_gradient_matches_autograd():
    import autograd
    import autograd.numpy as anp

    from numeric.capacity_study import squared_loss_and_grad

    rng = np.random.default_rng(3)
    q = 5
    X, y = rng.normal(size=(7, 1)), rng.normal(size=7)
    p = rng.normal(size=3 * q + 1)

    def loss(t, np_):
        s = (np_.maximum(X @ t[:q].reshape(1, q) + t[q:2 * q], 0.0) @ t[2 * q:3 * q].reshape(q, 1))[:, 0] + t[-1]
        return 0.5 * np_.mean((s - y) ** 2)

    value, gw, gb = squared_loss_and_grad([p[:q].reshape(1, q), p[2 * q:3 * q].reshape(q, 1)],
                                          [p[q:2 * q], p[3 * q:]], X, y)
    ours = np.concatenate([gw[0].ravel(), gb[0], gw[1].ravel(), gb[1]])
    assert np.allclose(ours, autograd.grad(lambda t: loss(t, anp))(p), rtol=1e-12, atol=1e-14)
    assert math.isclose(value, loss(p, np), rel_tol=1e-13)


# ---- bad input ---------------------------------------------------------------------------------------------

_OK_W = [np.ones((1, 2)), np.ones((2, 1))]
_OK_B = [np.zeros(2), np.zeros(1)]


@pytest.mark.parametrize("weights,biases,match", [
    ([np.ones((2, 2)), np.ones((2, 1))], _OK_B, r"weights\[0\] of shape \(1, q_1\)"),
    ([np.ones((1, 2)), np.ones((2, 2))], [np.zeros(2), np.zeros(2)], "one unit"),
    (_OK_W, [np.zeros(2)], "as many bias vectors"),
    ([], [], "as many bias vectors"),
    ([np.ones((1, 2)), np.ones((3, 1))], _OK_B, r"layer 1"),
    (_OK_W, [np.zeros(3), np.zeros(1)], r"biases\[0\]"),
    ([np.ones(2), np.ones((2, 1))], _OK_B, "2 dimension"),
    ([np.array([[1.0, np.nan]]), np.ones((2, 1))], _OK_B, "finite"),
    (_OK_W, [np.array([0.0, np.inf]), np.zeros(1)], "finite"),
    (np.ones((1, 1)), _OK_B, "sequences of arrays"),
])
def test_bad_networks(weights, biases, match):
    with pytest.raises(ValueError, match=match):
        C.count_regions(weights, biases, 0.0, 1.0)


@pytest.mark.parametrize("lo,hi", [(1.0, 1.0), (2.0, 1.0), (-math.inf, 1.0), (0.0, math.nan), (True, 2.0), ("0", 1.0)])
def test_bad_interval(lo, hi):
    with pytest.raises(ValueError, match="lo|hi"):
        C.count_regions(_OK_W, _OK_B, lo, hi)


@pytest.mark.parametrize("q,L", [(0, 1), (2, 0), (1.5, 2), (True, 2), (2, "3")])
def test_bad_construction_sizes(q, L):
    for build in (C.sawtooth_network, C.montufar_network):
        with pytest.raises(ValueError, match="positive integer"):
            build(q, L)


def test_bad_interpolant_inputs():
    with pytest.raises(ValueError, match="positive integer"):
        C.relu_interpolant(np.sin, 0)
    with pytest.raises(TypeError, match="callable"):
        C.relu_interpolant(3.0, 4)
    with pytest.raises(ValueError, match="5 finite values"):
        C.relu_interpolant(lambda x: x[:2], 4)
    with pytest.raises(ValueError, match="finite"):
        C.relu_interpolant(lambda x: np.full_like(x, np.inf), 4)
    with pytest.raises(ValueError, match="lo < hi"):
        C.relu_interpolant(np.sin, 4, 1.0, 0.0)
    with pytest.raises(ValueError, match="n must be"):
        C.sampled_count(_OK_W, _OK_B, 0.0, 1.0, 1)
