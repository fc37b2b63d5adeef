"""The depth chain (R19): derivation, generated code against autograd and against mpmath."""
import importlib
import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from autograd import grad

import derivations.library.depth as depth_lib  # registers "depth-chain" (until it is in _LIBRARY)
from derivations import registry
from derivations.codegen.depth import render_depth_module
from derivations.codegen.write import HEADER
from numeric.autodiff import under_autograd

gen = importlib.import_module("numeric.generated.depth")


def test_generated_module_is_up_to_date_and_numpy_only():
    text = render_depth_module()
    assert text == render_depth_module()                       # deterministic
    assert text.startswith(HEADER)
    with open(gen.__file__, encoding="utf-8") as f:
        assert f.read() == text
    imports = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("import ", "from "))]
    assert imports == ["import numpy as np"]


def test_derivation_verifies_with_no_failed_step():
    proof = registry.get("depth-chain").verify()
    assert proof.ok, [(s.why, s.detail) for s in proof.steps if not s.ok]
    counts = proof.counts()
    assert counts["failed"] == 0
    assert counts["proved"] >= 5          # the L = 3 steps, the base case and the chain-rule step
    # nothing about the symbolic-L product is claimed as proved unless the engine proved it
    for s in proof.steps:
        if s.status == "proved":
            assert "not proved" not in s.detail


def test_a_wrong_claim_fails():
    d = registry.get("depth-chain")
    L, k, t, x, W = depth_lib.L, depth_lib.k, depth_lib.t, depth_lib.x, depth_lib.W
    bad = type(d.steps[0])(sp.Derivative(depth_lib.chain(L, k, t, x), t),
                           depth_lib.closed_form(L) * W[L], "wrong: an extra weight")
    assert d.verify_step(bad).status == "failed"


def _rel_err(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = np.max(np.abs(b))
    return np.max(np.abs(a - b)) / scale if scale else np.max(np.abs(a))


@pytest.mark.parametrize("L", [1, 2, 3, 8, 64, 256])
def test_chain_grad_matches_autograd(L):
    rng = np.random.default_rng(L)
    ag = under_autograd(gen)
    for trial in range(3):
        w = rng.normal(0.0, 3.0, size=L)
        if trial == 2:
            w = np.sign(w) * (4.0 + rng.random(L))   # |w σ'| near 1: gradients stay large
        x = float(rng.normal(0.0, 2.0))
        mine = gen.chain_grad(x, w)
        ref = grad(lambda ww: ag.chain_forward(x, ww))(w)
        assert mine.shape == w.shape
        assert _rel_err(mine, ref) <= 1e-12
        big = np.abs(ref) > 1e-290
        per = np.abs(mine[big] - ref[big]) / np.abs(ref[big])
        assert per.size == 0 or per.max() <= 1e-12
        np.testing.assert_allclose(gen.chain_forward(x, w), ag.chain_forward(x, w), rtol=0, atol=0)


def test_chain_forward_accepts_an_array_of_inputs():
    w = np.array([0.5, -1.5, 2.0])
    xs = np.linspace(-3, 3, 7)
    assert np.allclose(gen.chain_forward(xs, w), [gen.chain_forward(float(v), w) for v in xs], rtol=0, atol=0)


def _mp_sigma(z):
    return 1 / (1 + mpmath.exp(-z))


def test_lecture_case_against_mpmath():
    """L = 2, x = -0.5, w1 = 0.25, w2 = -0.1: derivatives written out by hand, at 50 digits."""
    x, w1, w2 = -0.5, 0.25, -0.1
    with mpmath.workdps(50):
        X, W1, W2 = mpmath.mpf(x), mpmath.mpf(w1), mpmath.mpf(w2)
        yhat = lambda a, b: _mp_sigma(b * _mp_sigma(a * X))
        # independent route: numerical differentiation of the composition at 50 digits
        d1 = mpmath.diff(lambda a: yhat(a, W2), W1)
        d2 = mpmath.diff(lambda b: yhat(W1, b), W2)
        # and the hand-written chain rule, sigma' = sigma (1 - sigma)
        s1 = _mp_sigma(W1 * X)
        s2 = _mp_sigma(W2 * s1)
        assert abs(d1 - X * s1 * (1 - s1) * W2 * s2 * (1 - s2)) < mpmath.mpf(10) ** -30
        assert abs(d2 - s1 * s2 * (1 - s2)) < mpmath.mpf(10) ** -30
        ref = [float(d1), float(d2)]
        fwd = float(yhat(W1, W2))
    mine = gen.chain_grad(x, np.array([w1, w2]))
    for a, b in zip(mine, ref):
        assert abs(a - b) <= 4 * np.spacing(abs(b))
    assert abs(gen.chain_forward(x, np.array([w1, w2])) - fwd) <= 2 * np.spacing(fwd)


def test_deep_chain_underflows_to_tiny_values_not_nan():
    w = np.full(1024, 0.5)
    g = gen.chain_grad(0.3, w)
    assert np.all(np.isfinite(g)) and g[-1] > 0
    assert g[0] == 0.0 or g[0] < 1e-300   # (0.5 * 1/4)^1023: far below the subnormal range


def test_derive_and_generate_for_L_1024_is_quick():
    t0 = time.perf_counter()
    text = render_depth_module()
    ns = {}
    exec(compile(text, "<depth>", "exec"), ns)
    g = ns["chain_grad"](0.1, np.linspace(-2, 2, 1024))
    elapsed = time.perf_counter() - t0
    assert g.shape == (1024,)
    print(f"render + run for L = 1024: {elapsed * 1e3:.1f} ms; module {len(text)} bytes")  # measured, not asserted
