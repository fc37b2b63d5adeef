"""The generated infinite-width kernels (R23) against 50-digit mpmath quadrature, and their behaviour at the edges."""
import warnings

import mpmath as mp
import numpy as np
import pytest

from numeric.generated.nngp import ACTIVATIONS, kernel

EPS = np.finfo(float).eps


def _c(x, xp, sigma_u, sigma_a):
    """c(x, x') = σ_a² + σ_u² xᵀx' in 50-digit arithmetic, from the float inputs (converted exactly)."""
    return mp.mpf(sigma_a) ** 2 + mp.mpf(sigma_u) ** 2 * mp.fsum(mp.mpf(a) * mp.mpf(b) for a, b in zip(x, xp))


def _quadrature(activation, x, xp, sigma_u, sigma_a):
    """E[h(z)h(z')] by 1-D quadrature over z ~ N(0, c₁₁) of h(z) E[h(z') | z], z' | z ~ N(c₁₂z/c₁₁, s²): the inner
    expectation in closed form (the normal CDF and density for step and ReLU; E[erf(m + sZ)] = erf(m/√(1 + 2s²)))."""
    with mp.workdps(50):
        c11, c22, c12 = _c(x, x, sigma_u, sigma_a), _c(xp, xp, sigma_u, sigma_a), _c(x, xp, sigma_u, sigma_a)
        s = mp.sqrt((c11 * c22 - c12 ** 2) / c11)
        density = lambda z: mp.exp(-z * z / (2 * c11)) / mp.sqrt(2 * mp.pi * c11)   # noqa: E731
        mean = lambda z: c12 / c11 * z                                              # noqa: E731
        if activation == "erf":
            return mp.quad(lambda z: mp.erf(z) * mp.erf(mean(z) / mp.sqrt(1 + 2 * s * s)) * density(z),
                           [-mp.inf, 0, mp.inf])
        if activation == "step":
            return mp.quad(lambda z: mp.ncdf(mean(z) / s) * density(z), [0, mp.inf])
        return mp.quad(lambda z: z * (mean(z) * mp.ncdf(mean(z) / s) + s * mp.npdf(mean(z) / s)) * density(z),
                       [0, mp.inf])


def test_the_quadratures_inner_expectation_for_erf():
    """E[erf(m + sZ)] = erf(m/√(1 + 2s²)), Z ~ N(0, 1), which _quadrature uses, against direct 50-digit quadrature
    over Z (for step and ReLU the inner expectations are the normal CDF and the partial mean, by definition)."""
    with mp.workdps(50):
        m, s = mp.mpf("-1.3"), mp.mpf("2.1")
        direct = mp.quad(lambda zeta: mp.erf(m + s * zeta) * mp.npdf(zeta), [-mp.inf, -m / s, mp.inf])
        assert abs(direct - mp.erf(m / mp.sqrt(1 + 2 * s * s))) < mp.mpf(10) ** -45


def _formula(activation, x, xp, sigma_u, sigma_a):
    """The lecture's closed forms (arccos, arcsin), at 50 digits: exact where the float code must not lose digits."""
    with mp.workdps(50):
        c11, c22, c12 = _c(x, x, sigma_u, sigma_a), _c(xp, xp, sigma_u, sigma_a), _c(x, xp, sigma_u, sigma_a)
        if activation == "erf":
            return 2 / mp.pi * mp.asin(2 * c12 / mp.sqrt((1 + 2 * c11) * (1 + 2 * c22)))
        theta = mp.acos(max(min(c12 / mp.sqrt(c11 * c22), 1), -1))
        if activation == "step":
            return (mp.pi - theta) / (2 * mp.pi)
        return mp.sqrt(c11 * c22) * (mp.sin(theta) + (mp.pi - theta) * mp.cos(theta)) / (2 * mp.pi)


def test_the_printed_angles_are_their_definitions():
    """The printer writes the library's upper_angle and right_angle as np.arctan2, whose value on their half planes
    must be the definitions π − arccos(-x/r) (y >= 0) and arcsin(y/r) (x >= 0), r = √(x² + y²): checked at 50
    digits."""
    import sympy as sp
    from derivations.codegen.printer import code
    from derivations.library.nngp import right_angle, upper_angle
    y, x = sp.symbols("y x", real=True)
    assert code(upper_angle(y, x)) == code(right_angle(y, x)) == "np.arctan2(y, x)"
    for angle, points in ((upper_angle, ((0.3, -2.0), (1e-170, -1.0), (2.0, 1e-300), (0.0, -1.5), (5.0, 0.0),
                                         (1e-9, 1.0))),
                          (right_angle, ((-0.3, 2.0), (-1.0, 1e-170), (1e-300, 2.0), (-1.5, 0.0), (0.7, 1e-9)))):
        for a, b in points:     # the library's own definition, evaluated by SymPy at 50 digits
            ref = angle.definition(sp.Float(a, 60), sp.Float(b, 60)).evalf(50)
            _close(np.arctan2(a, b), ref, 2)


def _clean(*args):
    """kernel(*args) with every warning an error, and overflow, invalid operations and division by 0 raising (underflow
    to 0 or a subnormal is NumPy's silent default, and harmless here: a tiny term next to 1)."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        return kernel(*args)


def _close(value, reference, ulps, scale=None):
    scale = abs(float(reference)) if scale is None else scale
    assert abs(value - float(reference)) <= ulps * EPS * max(scale, 1e-300), (value, reference)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_against_50_digit_quadrature(activation):
    """Two pairs each, not near parallel (the quadrature's inner variance s² is not small): within 4 ulps of the
    scale √(c₁₁c₂₂) for ReLU, of 1 for the bounded kernels."""
    pairs = [((0.3, -1.2), (1.1, 0.4), 1.3, 0.7), ((2.0, 0.5, -0.25), (-1.5, 1.0, 0.75), 0.8, 0.2)]
    for x, xp, su, sa in pairs:
        value = _clean(np.array([x]), np.array([xp]), activation, su, sa, 1.0, 0.0)[0, 0]
        ref = _quadrature(activation, x, xp, su, sa)
        scale = float(mp.sqrt(_c(x, x, su, sa) * _c(xp, xp, su, sa))) if activation == "relu" else 1.0
        _close(value, ref, 4, scale)


def test_covariance_adds_the_bias_and_scales_by_omega():
    X1, X2 = np.array([[0.3, -1.2]]), np.array([[1.1, 0.4]])
    for activation in ACTIVATIONS:
        C = float(_formula(activation, (0.3, -1.2), (1.1, 0.4), 1.3, 0.7))   # = the quadrature (test above)
        _close(_clean(X1, X2, activation, 1.3, 0.7, 1.7, 0.6)[0, 0], 0.6 ** 2 + 1.7 ** 2 * C, 8)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_near_parallel_colinear_and_opposite_inputs(activation):
    """Where arccos/arcsin near ±1 would lose half the digits: x' = x + 1e-9 d, x' = 3x, x' = -x with σ_a = 0
    (θ = π), x' = -x + 1e-9 d, and x' = x. Compared with the closed forms at 50 digits (to 4 ulps of the scale)."""
    x = np.array([0.7, -0.4, 1.9])
    d = np.array([0.3, 1.0, -0.2])
    cases = [(x + 1e-9 * d, 0.9, 0.5), (3.0 * x, 0.9, 0.5), (3.0 * x, 1.1, 0.0), (-x, 1.1, 0.0),
             (-2.0 * x, 0.7, 0.0), (-x + 1e-9 * d, 1.1, 0.0), (x, 0.9, 0.5)]
    for xp, su, sa in cases:
        value = _clean(x[None, :], xp[None, :], activation, su, sa, 1.0, 0.0)[0, 0]
        ref = _formula(activation, x, xp, su, sa)
        scale = float(mp.sqrt(_c(x, x, su, sa) * _c(xp, xp, su, sa))) if activation == "relu" else 1.0
        _close(value, ref, 4, scale)


def test_equal_inputs_exact():
    """x = x': the step kernel is 1/2 exactly, the ReLU kernel c/2 and erf's (2/π) arcsin(2c/(1 + 2c)) to ulps,
    and duplicated rows give identical entries."""
    X = np.array([[0.7, -0.4], [0.7, -0.4], [-3.0, 2.5]])
    step = _clean(X, X, "step", 1.2, 0.3, 1.0, 0.0)
    assert np.all(np.diag(step) == 0.5)
    for activation in ACTIVATIONS:
        K = _clean(X, X, activation, 1.2, 0.3, 1.0, 0.0)
        assert K[0, 1] == K[0, 0] == K[1, 1] == K[1, 0]
        for i in range(3):
            _close(K[i, i], _formula(activation, X[i], X[i], 1.2, 0.3), 4)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_symmetric_and_positive_semidefinite(activation):
    rng = np.random.default_rng(13)
    X = rng.normal(size=(40, 3)) * rng.lognormal(size=(40, 1))
    X[5] = X[4]                               # a repeated point and a colinear one: singular Gram matrices
    X[6] = 2.5 * X[4]
    K = _clean(X, X, activation, 1.1, 0.4, 1.3, 0.2)
    assert np.allclose(K, K.T, rtol=4 * EPS, atol=0.0)
    assert np.array_equal(_clean(X[:7], X, activation, 1.1, 0.4, 1.3, 0.2), K[:7])
    assert np.linalg.eigvalsh((K + K.T) / 2).min() >= -1e-12 * np.abs(K).max()
    assert np.allclose(_clean(X[:9], X[9:], activation, 1.1, 0.4, 1.3, 0.2),
                       _clean(X[9:], X[:9], activation, 1.1, 0.4, 1.3, 0.2).T, rtol=8 * EPS, atol=0.0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_huge_and_tiny_inputs(activation):
    """No warning and no NaN from 1e-300 to 1e90 (squares of such inputs under- or overflow): the closed forms at
    50 digits, with σ_a = 0 (the step and erf kernels then depend on the directions only, or saturate)."""
    x, xp = np.array([0.7, -0.4]), np.array([0.5, 0.9])
    for scale, sa in ((1e90, 0.0), (1e90, 0.8), (1e-300, 0.0), (1e-300, 0.8), (1e-160, 0.0)):
        value = _clean((scale * x)[None, :], (scale * xp)[None, :], activation, 1.0, sa, 1.0, 0.0)[0, 0]
        ref = _formula(activation, scale * x, scale * xp, 1.0, sa)
        size = float(mp.sqrt(_c(scale * x, scale * x, 1.0, sa) * _c(scale * xp, scale * xp, 1.0, sa)))
        _close(value, ref, 4, size if activation == "relu" else 1.0)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_inputs_are_refused(bad):
    X = np.array([[0.3, bad]])
    for activation in ACTIVATIONS:
        with pytest.raises(ValueError, match="finite"):
            _clean(X, np.ones((2, 2)), activation, 1.0, 0.5, 1.0, 0.1)
        with pytest.raises(ValueError, match="finite"):
            _clean(np.ones((2, 2)), X, activation, 1.0, 0.5, 1.0, 0.1)


@pytest.mark.parametrize("name, position", [("sigma_u", 3), ("sigma_a", 4), ("omega_v", 5), ("sigma_b", 6)])
@pytest.mark.parametrize("bad", [-1.0, np.inf, np.nan])
def test_bad_parameters_are_refused(name, position, bad):
    args = [np.ones((2, 2)), np.ones((3, 2)), "relu", 1.0, 0.5, 1.0, 0.1]
    args[position] = bad
    with pytest.raises(ValueError, match=name):
        _clean(*args)


def test_shapes_and_overflowing_inputs_are_refused():
    with pytest.raises(ValueError, match="same p"):
        kernel(np.ones((2, 2)), np.ones((2, 3)), "erf", 1.0, 0.5, 1.0, 0.0)
    with pytest.raises(ValueError, match="N1, p"):
        kernel(np.ones(2), np.ones((2, 2)), "erf", 1.0, 0.5, 1.0, 0.0)
    with pytest.raises(ValueError, match="1e100"):
        kernel(np.full((1, 2), 1e52), np.ones((2, 2)), "step", 1e49, 0.5, 1.0, 0.0)
    for position, value in ((4, 1e100), (5, 1e50), (6, 1e150)):     # sigma_a, omega_v, sigma_b: K would overflow
        args = [np.ones((2, 2)), np.ones((3, 2)), "relu", 1.0, 0.5, 1.0, 0.1]
        args[position] = value
        with pytest.raises(ValueError, match="below"):
            kernel(*args)
    # the largest accepted sizes give a finite kernel, with no warning
    big = np.full((2, 3), 0.99e100)
    assert np.isfinite(_clean(big, -big, "relu", 1.0, 0.99e100, 0.99e50, 0.99e150)).all()


@pytest.mark.parametrize("bad", ["tanh", "ReLU", None, ["relu"]])
def test_unknown_activation_names_the_choices(bad):
    with pytest.raises(ValueError, match="erf, relu, step"):
        kernel(np.ones((1, 2)), np.ones((1, 2)), bad, 1.0, 0.5, 1.0, 0.0)


def test_step_kernel_refuses_a_pre_activation_that_is_always_zero():
    """σ_a = 0 and x = 0: z = 0 for every network, where E[H(z)H(z')] depends on H(0); ReLU and erf give 0."""
    X = np.array([[0.0, 0.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="step kernel is undefined"):
        kernel(X, X, "step", 1.0, 0.0, 1.0, 0.0)
    for activation in ("relu", "erf"):
        K = _clean(X, X, activation, 1.0, 0.0, 1.0, 0.0)
        assert np.all(K[0] == 0.0) and np.all(K[:, 0] == 0.0)
