"""The depth chain (R19): derivation, generated code against autograd and against mpmath."""
import importlib
import time

import mpmath
import numpy as np
import pytest
import sympy as sp
from autograd import grad

import derivations.library.depth as depth_lib
from derivations import Derivation, FAILED, PROVED, registry
from derivations.codegen import HEADER, CodegenError, render_module
from derivations.codegen.depth import check_shape
from derivations.codegen.spec import Chain
from numeric.autodiff import under_autograd

gen = importlib.import_module("numeric.generated.depth")


def render_depth_module():
    return render_module("depth")


def test_generated_module_is_up_to_date_and_numpy_only():
    text = render_depth_module()
    assert text == render_depth_module()                       # deterministic
    assert text.startswith(HEADER)
    with open(gen.__file__, encoding="utf-8") as f:
        assert f.read() == text
    imports = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("import ", "from "))]
    assert imports == ["import math", "import numpy as np"]    # math for one Python float's route


def test_derivation_proves_every_step(library_proof):
    proof = library_proof("depth-chain")
    assert proof.ok, ([(s.why, s.status, s.detail) for s in proof.steps if not s.ok], proof.problems)
    assert proof.counts() == {"proved": len(proof.steps), "checked": 0, "failed": 0}
    assert all(s.status == PROVED for s in proof.steps)


def test_a_wrong_claim_fails():
    L, k, m, t, x, W = depth_lib.L, depth_lib.k, depth_lib.m, depth_lib.t, depth_lib.x, depth_lib.W
    d = Derivation("depth-wrong", "an extra weight", source="R19")
    d.define(L, k + m - 1, "a depth")
    d.derive(sp.Derivative(depth_lib.chain(L, k, t, x), t)).then(depth_lib.closed_form(L) * W[L],
                                                                 "wrong: an extra weight")
    (step,) = d.verify().steps
    assert step.status == FAILED


class _Results:
    """A derivation's face as codegen sees it: a name, a source, results and LaTeX names."""

    def __init__(self, **results):
        self.name, self.source, self.names, self.results = "fake", "R19", {}, results


_CHAIN = next(s for s in importlib.import_module("derivations.codegen").specs() if isinstance(s, Chain))


@pytest.mark.parametrize("wrong", ["extra weight", "first factor", "product range", "forward"])
def test_the_template_refuses_results_it_does_not_compute(wrong):
    """The generated loop is only written for results that are the chain it computes."""
    L, k, j, t, x, W = depth_lib.L, depth_lib.k, depth_lib.j, depth_lib.t, depth_lib.x, depth_lib.W
    forward, grad = depth_lib.chain(L, k, t, x), depth_lib.closed_form(L)
    check_shape(_CHAIN, _Results(forward=forward, grad=grad))        # the right ones pass
    h = depth_lib.below(k - 1, x)
    bad = {"extra weight": dict(forward=forward, grad=grad * W[L]),
           "first factor": dict(forward=forward, grad=grad.subs(depth_lib.sigmoid_prime(t * h), 1)),
           "product range": dict(forward=forward, grad=h * depth_lib.sigmoid_prime(t * h)
                                 * sp.Product(depth_lib.layer_factor(j), (j, k + 2, L))),
           "forward": dict(forward=depth_lib.chain(L - 1, k, t, x), grad=grad)}[wrong]
    with pytest.raises(CodegenError, match="^fake: "):
        check_shape(_CHAIN, _Results(**bad))


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


def test_chain_grad_takes_a_batch_of_inputs():
    """Each input of a batch is its own chain: entry [n, :] is autograd's gradient of a chain written here
    (sigma as 1/(1 + e^-u), fine for these moderate weights); a scalar x still gives shape (L,)."""
    import autograd.numpy as anp

    def chain(w, x):
        h = x
        for j in range(len(w)):
            h = 1.0 / (1.0 + anp.exp(-w[j] * h))
        return h

    w = np.random.default_rng(3).uniform(-2, 2, 12)
    xs = np.array([[-3.0, -0.5, 0.0], [0.25, 1.0, 7.5]])
    got = gen.chain_grad(xs, w)
    assert got.shape == xs.shape + (len(w),)
    assert gen.chain_grad(0.5, w).shape == (len(w),)
    for idx in np.ndindex(xs.shape):
        np.testing.assert_allclose(got[idx], grad(chain)(w, xs[idx]), rtol=1e-12, atol=1e-300)
