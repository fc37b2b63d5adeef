"""The routes of the generated functions (issue #15): one Python float in math, one row in Python floats, many rows in
blocks; each against mpmath or an extended-precision reference, and the blocks deterministic and small in memory."""
import math
import subprocess
import sys
import tracemalloc

import mpmath
import numpy as np
import pytest

from numeric.generated import activations as act
from numeric.generated import logistic as logi

ULPS = 4
_HUGE = (-1e300, -745.0, -709.5, -40.0, -1.5, -1e-300, 0.0, 1e-300, 2.5, 40.0, 709.5, 745.0, 1e300)


def _mp_sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


# name -> its definition in mpmath (at 60 digits), independent of the generated forms
DEFINITIONS = {
    "sigmoid": _mp_sigmoid,
    "sigmoid_prime": lambda z: _mp_sigmoid(z) * _mp_sigmoid(-z),
    "log_sigmoid": lambda z: -mpmath.log1p(mpmath.exp(-z)),
    "softplus": lambda z: mpmath.log1p(mpmath.exp(z)),
    "tanh": mpmath.tanh,
    "tanh_prime": lambda z: 1 - mpmath.tanh(z) ** 2,
    "relu": lambda z: max(z, 0),
    "leaky_relu": lambda z: z if z > 0 else z / 10,
}


def _ulps(got, exact):
    exact = float(exact)
    if got == exact:
        return 0.0
    return abs(got - exact) / math.ulp(abs(exact)) if exact != 0 else math.inf


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_a_python_float_takes_the_math_route_within_4_ulps(name):
    f = getattr(act, name)
    rng = np.random.default_rng(1)
    points = [float(v) for v in rng.normal(size=40) * 8] + list(_HUGE)
    with mpmath.workdps(60):
        for z in points:
            got = f(z)
            assert type(got) is float, (name, z)
            assert _ulps(got, DEFINITIONS[name](mpmath.mpf(z))) <= ULPS, (name, z, got)
    assert f(math.inf) == float(f(np.array([math.inf]))[0]) and f(-math.inf) == float(f(np.array([-math.inf]))[0])
    assert math.isnan(f(math.nan))


def _mp_row(w, b, x, y):
    """(loss, grad_w, grad_b) of the cross-entropy at one row, in mpmath from the definitions, at the score
    x @ w + b as floats give it (exp(z) turns a rounding of z into |z| ulps: the forms' accuracy is at their input)."""
    with mpmath.workdps(60):
        z = mpmath.mpf(float(x @ w) + b)
        s = _mp_sigmoid(z)
        loss = mpmath.log1p(mpmath.exp(z if y == 0 else -z))     # -log(1 - s) for y = 0, -log(s) for y = 1
        r = s if y == 0 else -_mp_sigmoid(-z)                       # s - y without cancellation
        return float(loss), [float(r * mpmath.mpf(float(c))) for c in x], float(r)


@pytest.mark.parametrize("scale", [0.1, 3.0, 100.0])
def test_one_row_takes_the_float_route_within_4_ulps(scale):
    rng = np.random.default_rng(2)
    for _ in range(6):
        X = rng.normal(size=(1, 5)) * scale
        w, b = rng.normal(size=5), float(rng.normal())
        for y in (0.0, 1.0):
            loss, gw, gb = logi.cross_entropy_value_and_grad(w, b, X, np.array([y]))
            ref_loss, ref_gw, ref_gb = _mp_row(w, b, X[0], y)
            assert type(loss) is float and type(gb) is float and gw.shape == (5,)
            assert _ulps(loss, ref_loss) <= ULPS and _ulps(gb, ref_gb) <= ULPS, (loss, ref_loss, gb, ref_gb)
            assert max(_ulps(float(g), r) for g, r in zip(gw, ref_gw)) <= ULPS
            # the other functions' one-row routes compute the same quantities
            assert logi.cross_entropy(w, b, X, np.array([y])) == loss
            g2 = logi.cross_entropy_grad(w, b, X, np.array([y]))
            assert g2[1] == gb and np.array_equal(g2[0], gw)
            assert logi.logistic_loss(w, b, X, np.array([2.0 * y - 1.0])) == loss


def test_one_row_hessian_is_the_outer_product_route():
    rng = np.random.default_rng(3)
    X, w, b = rng.normal(size=(1, 4)), rng.normal(size=4), 0.2
    H = logi.cross_entropy_hessian(w, b, X, np.array([1.0]))
    with mpmath.workdps(60):
        z = mpmath.mpf(float(X[0] @ w) + b)
        s = float(_mp_sigmoid(z) * _mp_sigmoid(-z))
    x1 = np.append(X[0], 1.0)
    np.testing.assert_allclose(H, s * np.outer(x1, x1), rtol=8 * 2.0 ** -52, atol=0)


@pytest.mark.parametrize("length", ["short", "long"])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_the_numpy_route_forms_within_4_ulps_row_by_row(y, length):
    """The NumPy route's helpers for N > 1 (short arrays: log_expit and expm1; long ones: one exp a row) on each
    score alone, against mpmath."""
    sums = getattr(logi, f"_cross_entropy_value_and_grad_{length}")
    zs = np.concatenate([np.linspace(-750, 750, 61), np.linspace(-5, 5, 41), [-1e300, -1e-300, 1e-300, 1e300]])
    with mpmath.workdps(60):
        for z in zs:
            u = mpmath.mpf(float(z))
            loss, gw, gb = sums(np.array([1.0]), 0.0, np.array([[z]]), np.array([y]))
            exact_loss = mpmath.log1p(mpmath.exp(u if y == 0 else -u))
            exact_g = _mp_sigmoid(u) if y == 0 else -_mp_sigmoid(-u)
            assert _ulps(float(loss), exact_loss) <= ULPS, (z, loss, exact_loss)
            assert _ulps(float(gb), exact_g) <= ULPS and float(gw[0]) == float(gb) * z, (z, gb, exact_g)


def _reference(w, b, X, y):
    """The mean loss and gradient in extended precision (np.longdouble) from the textbook formulas."""
    Xl, wl = X.astype(np.longdouble), w.astype(np.longdouble)
    z = Xl @ wl + np.longdouble(b)
    m = (1 - 2 * y.astype(np.longdouble)) * z
    loss = np.mean(np.maximum(m, 0) + np.log1p(np.exp(-np.abs(m))))
    r = 1 / (1 + np.exp(-z)) - y
    return float(loss), (r @ Xl / len(y)).astype(float), float(np.mean(r))


def test_many_rows_go_in_blocks_deterministically_and_accurately():
    rng = np.random.default_rng(4)
    n = 40_000                       # more than the one-pass limit: blocks of 4096 rows
    X, w = rng.normal(size=(n, 6)), rng.normal(size=6)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w)))).astype(float)
    first = logi.cross_entropy_value_and_grad(w, 0.1, X, y)
    again = logi.cross_entropy_value_and_grad(w, 0.1, X, y)
    assert all(np.asarray(a).tobytes() == np.asarray(b).tobytes() for a, b in zip(first, again))   # same bytes
    loss, gw, gb = _reference(w, 0.1, X, y)
    assert abs(first[0] - loss) <= 1e-14 * abs(loss)
    np.testing.assert_allclose(first[1], gw, rtol=0, atol=1e-14 * np.max(np.abs(gw)))
    assert abs(first[2] - gb) <= 1e-14 * np.max(np.abs(gw))
    # the blocks are the rows' own sums: the same as one pass over all rows, to rounding
    whole = [s / n for s in logi._cross_entropy_value_and_grad_long(w, 0.1, X, y)]
    np.testing.assert_allclose(first[1], whole[1], rtol=1e-13)
    assert abs(first[0] - whole[0]) <= 1e-14 * abs(whole[0])


def test_blocks_take_memory_of_one_block_not_of_n():
    rng = np.random.default_rng(5)
    n = 100_000
    X, w, y = rng.normal(size=(n, 8)), rng.normal(size=8), (rng.random(n) < 0.5).astype(float)
    logi.cross_entropy_value_and_grad(w, 0.0, X, y)       # once first: the lazy scipy.special import
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        logi.cross_entropy_value_and_grad(w, 0.0, X, y)
        extra = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert extra <= 8 * 4096 * 8, extra      # a few block-long vectors; one (N,) vector alone would be 800 kB


def test_importing_a_generated_module_imports_neither_scipy_nor_array_api_compat():
    code = ("import sys, numeric.generated.logistic, numeric.generated.activations;"
            "print(sorted(m for m in ('scipy', 'array_api_compat', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def test_the_depth_chain_float_route_matches_the_numpy_route(monkeypatch):
    """codegen/depth.py's Python float route (rendered with FLOAT_ROUTE on; the committed module leaves it out until
    tests/test_depth.py allows `import math`): the same steps in math as in NumPy, at finite and infinite x."""
    import derivations.codegen.depth as chain_codegen
    from derivations.codegen import render_module
    from numeric.generated import depth
    monkeypatch.setattr(chain_codegen, "FLOAT_ROUTE", True)
    ns = {}
    exec(compile(render_module("depth"), "depth_with_float_route", "exec"), ns)
    w = np.array([0.5, -1.2, 2.0, 0.3, -4.0])
    for x in (0.7, -3.0, 1e-300, 1e300, math.inf, -math.inf):
        got = ns["chain_grad"](x, w)
        want = depth.chain_grad(np.array(x), w)
        np.testing.assert_allclose(got, want, rtol=4 * 2.0 ** -52, atol=0)
        assert type(ns["chain_forward"](x, w)) is float
        assert abs(ns["chain_forward"](x, w) - float(depth.chain_forward(np.array(x), w))) <= 4 * np.spacing(1.0)
