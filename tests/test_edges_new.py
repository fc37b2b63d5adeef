"""Bad and extreme inputs to this round's numeric code (units, perceptron, capacity, gd_path, sgd's on_update, the
generated kernel): one clear error, or a right answer with no warning."""
import warnings

import numpy as np
import pytest

from numeric import capacity as C
from numeric import optim as O
from numeric import perceptron as P
from numeric import units as U
from numeric.generated import nngp


def _quiet(f, *args, **kwargs):
    """f(*args) with every warning an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*args, **kwargs)


# ---- the generated kernel's input checks -------------------------------------------------------------

def test_kernel_refuses_complex_inputs_instead_of_dropping_the_imaginary_part():
    X = np.array([[0.5, 1.0]])
    with pytest.raises(TypeError, match="X1 must hold real numbers"):
        _quiet(nngp.kernel, X + 1j, X, "relu", 1.0, 1.0, 1.0, 0.0)
    with pytest.raises(TypeError, match="X2 must hold real numbers"):
        _quiet(nngp.kernel, X, [[None, 1.0]], "erf", 1.0, 1.0, 1.0, 0.0)


@pytest.mark.parametrize("bad", [1j, "1", None, np.array([1.0, 2.0]), True])
def test_kernel_scales_must_be_real_numbers(bad):
    with pytest.raises(TypeError, match="sigma_u must be a real number"):
        nngp.kernel(np.ones((1, 2)), np.ones((1, 2)), "relu", bad, 1.0, 1.0, 0.0)


# ---- capacity: budgets, dtypes, the interpolant ------------------------------------------------------

def test_constructions_refuse_sizes_beyond_the_budget():
    with pytest.raises(ValueError, match="budget"):
        C.sawtooth_network(10 ** 6, 10 ** 6)
    with pytest.raises(ValueError, match="budget"):
        C.montufar_network(10 ** 5, 3)


def test_count_regions_refuses_exponential_work_before_doing_it():
    with pytest.raises(ValueError, match="budget"):
        C.count_regions(*C.sawtooth_network(300, 3), 0.0, 1.0)     # 300^3 pieces


def test_complex_weights_are_refused():
    W, b = C.sawtooth_network(2, 2)
    with pytest.raises(TypeError, match="real numbers"):
        _quiet(C.count_regions, [w + 0j for w in W], b, 0.0, 1.0)


def test_sampling_refuses_non_finite_points_and_bounds():
    W, b = C.sawtooth_network(2, 2)
    with pytest.raises(ValueError, match="lo must be a finite"):
        C.sampled_count(W, b, np.nan, 1.0, 10)
    with pytest.raises(ValueError, match="finite"):
        _quiet(C.local_slopes, W, b, [np.inf])


def test_interpolant_matches_linear_interpolation_without_cancellation():
    """f_q against NumPy's own piecewise-linear interpolation of the same knots (independent code): the sum of q
    ReLU units of alternating sign lost ~1e-13 here; piece by piece it is within 2 ulps."""
    g = C.relu_interpolant(np.sin, 2000, 0.0, 100.0)
    x = np.linspace(0.0, 100.0, 20001)
    want = np.interp(x, g.knots, g.values)
    assert np.all(np.abs(_quiet(g, x) - want) <= 2 * np.spacing(np.abs(want)) + 1e-300)


def test_interpolant_on_the_widest_interval_and_at_infinity():
    g = _quiet(C.relu_interpolant, lambda x: 1e-300 * x, 4, -1e308, 1e308)
    assert np.all(np.isfinite(g.knots)) and np.all(np.diff(g.knots) > 0)
    # beyond the knots: constant f(lo) on the left, the last chord (slope 1e-300 > 0) on the right
    assert _quiet(g, np.array([-np.inf, np.inf])).tolist() == [g.values[0], np.inf]
    h = C.relu_interpolant(lambda x: np.ones_like(x), 3)      # every slope 0: constant, also at ±inf (not 0·inf)
    assert _quiet(h, np.array([-np.inf, np.inf])).tolist() == [1.0, 1.0]


def test_interpolant_refuses_bad_values_and_sizes():
    with pytest.raises(TypeError, match="real numbers"):
        _quiet(C.relu_interpolant, lambda x: x + 1j, 3)
    with pytest.raises(ValueError, match="overflow"):
        _quiet(C.relu_interpolant, lambda x: np.where(x > 0.5, 1e308, -1e308), 2)
    with pytest.raises(ValueError, match="at most"):
        C.relu_interpolant(np.sin, 10 ** 12)
    with pytest.raises(TypeError, match="real numbers"):
        C.relu_interpolant(np.sin, 3)(1j)


# ---- perceptron --------------------------------------------------------------------------------------

def test_perceptron_refuses_non_numeric_eta():
    with pytest.raises(TypeError, match="eta"):
        P.fit([[1.0], [-1.0]], [1, 0], 2, eta="1")


def test_perceptron_refuses_weights_that_overflow():
    """Python floats overflow to inf without a warning, and the next update makes inf − inf = nan."""
    X = np.array([[1e308, 1e308], [-1e308, 1e308]])
    with pytest.raises(ValueError, match="overflow"):
        P.fit(X, [1, 0], 3)


# ---- threshold units ---------------------------------------------------------------------------------

def test_units_refuse_infinite_inputs_and_non_finite_weights():
    with pytest.raises(ValueError, match="finite"):
        U.evaluate(U.AND, np.array([[np.inf, 0.0]]))     # inf·1 + 0·1 − 1.5 is fine, but inf·0 would be NaN
    with pytest.raises(ValueError, match="finite"):
        U.Layer([[1.0]], [np.nan])
    with pytest.raises(ValueError, match="NaN"):
        U.heaviside(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="at most"):
        U.inputs(40)


# ---- optimisers --------------------------------------------------------------------------------------

def test_gd_path_checks_steps_and_the_gradients_shape():
    with pytest.raises(ValueError, match="steps"):
        O.gd_path(lambda t: 2 * t, np.ones(2), lr=0.1, steps=-1)
    with pytest.raises(ValueError, match="shape"):
        O.gd_path(lambda t: np.ones((2, 2)), np.ones(2), lr=0.1, steps=3)


def test_sgd_on_update_is_checked_first_and_cannot_change_the_run():
    calls = []
    with pytest.raises(TypeError, match="on_update"):
        O.sgd(lambda th, idx: calls.append(1) or th, np.ones(2), 4, lr=0.1, epochs=1, on_update=5)
    assert calls == []

    def vandal(t, theta):
        try:
            theta[...] = 1e9
        except ValueError:
            pass

    grad = lambda th, idx: th - 1.0        # noqa: E731
    plain = O.sgd(grad, np.zeros(2), 4, lr=0.5, epochs=2)
    touched = O.sgd(grad, np.zeros(2), 4, lr=0.5, epochs=2, on_update=vandal)
    assert np.array_equal(plain.theta, touched.theta)
