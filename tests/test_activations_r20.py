"""R20: the ReLU family's generated functions against independent references, and the engine's honesty at the kink."""
import importlib
import math
import warnings

import numpy as np
import pytest
import sympy as sp
from autograd import elementwise_grad

from derivations import PROVED, Derivation
from derivations.functions import relu, relu_prime
from numeric.autodiff import under_autograd

A = importlib.import_module("numeric.generated.activations")
Z = np.array([-np.inf, -1e300, -3.5, -1e-300, -0.0, 0.0, 5e-324, 1e-8, 2.0, 1e300, np.inf])


def _strict(fn, z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):   # underflow to 0 is correct rounding
            return fn(z)


def test_the_derivation_proves_every_step(library_proof):
    proof = library_proof("activations")
    assert proof.ok, [(s.why, s.status, s.detail) for s in proof.steps if not s.ok]


@pytest.mark.parametrize("name, ref", [
    ("relu", lambda z: max(z, 0.0)),
    ("relu_prime", lambda z: 1.0 if z > 0 else 0.0),
    ("leaky_relu", lambda z: z if z > 0 else z / 10),
    ("leaky_relu_prime", lambda z: 1.0 if z > 0 else 0.1),
])
def test_generated_relu_family_against_python_floats(name, ref):
    got = _strict(getattr(A, name), Z.copy())
    want = np.array([ref(float(z)) for z in Z])
    assert not np.any(np.isnan(got))
    # z/10 correctly rounded against the generated 0.1*z: at most one ulp apart
    np.testing.assert_allclose(got, want, rtol=2.3e-16, atol=0)


def test_kink_values_are_the_conventions():
    assert A.relu_prime(np.array([0.0]))[0] == 0.0 and A.leaky_relu_prime(np.array([0.0]))[0] == 0.1


def test_derivatives_match_autograd_off_the_kink():
    ag = under_autograd(A)
    z = np.concatenate([-np.logspace(-6, 3, 50), np.logspace(-6, 3, 50)])
    for f, fp in (("relu", "relu_prime"), ("leaky_relu", "leaky_relu_prime")):
        np.testing.assert_array_equal(elementwise_grad(getattr(ag, f))(z), getattr(A, fp)(z))


def test_the_engine_does_not_prove_a_derivative_at_the_kink():
    """d/dz max(0, z) = 1{z > 0} is false at z = 0 (no derivative there): never proved for every real z."""
    z = sp.Symbol("z", real=True)
    d = Derivation("kink", "relu' everywhere", source="R20")
    d.derive(sp.Derivative(relu(z), z)).then(relu_prime(z), "wrong at z = 0")
    (step,) = d.verify().steps
    assert step.status != PROVED
