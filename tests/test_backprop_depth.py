"""Backprop for a symbolic depth (issue 10): the recursion is proved by induction on L at matrix level, and
its slips — σ' dropped, the next layer's weights not transposed — are not.

The false variants are built here as their own Delta recursions and judged by the same engine; the
independent evidence is autograd's gradient of a written-out network (NumPy, no SymPy) against the
recursion evaluated by the engine's numeric route at a sampled depth.
"""
import autograd.numpy as anp
import mpmath
import numpy as np
import pytest
import sympy as sp
from autograd import grad

from derivations import PROVED, Derivation
from derivations.entrywise import Map
from derivations.functions import sigmoid_prime
from derivations.library import backprop as B
from derivations.matrices import Grad, scalar
from derivations.numeval import Env, evaluate
from derivations.prove import Context, _indexed_values

n, k, m, L = B.n, B.k, B.m, B.L


class NoPrime(B.Delta):
    """The recursion with σ' dropped below the top layer."""

    @staticmethod
    def definition(kk, j, cot, x, X):
        if j == kk:
            return sp.HadamardProduct(cot, Map(sigmoid_prime, B.pre(kk, kk, x, X)))
        if (j - kk).is_positive:
            return NoPrime(kk, j - 1, sp.MatMul(B.Weight(j), cot), x, X,
                           evaluate=not (kk.is_Integer and j.is_Integer))
        return None


class NoTranspose(B.Delta):
    """The recursion passing the cotangent down through W_jᵀ instead of W_j (shapes agree: n×n)."""

    @staticmethod
    def definition(kk, j, cot, x, X):
        if j == kk:
            return sp.HadamardProduct(cot, Map(sigmoid_prime, B.pre(kk, kk, x, X)))
        if (j - kk).is_positive:
            down = sp.MatMul(sp.Transpose(B.Weight(j)), sp.HadamardProduct(cot, Map(sigmoid_prime, B.pre(j, kk, x, X))))
            return NoTranspose(kk, j - 1, down, x, X, evaluate=not (kk.is_Integer and j.is_Integer))
        return None


def _claim(delta):
    d = Derivation("backprop-depth", "backprop for every depth", dims=(n,))
    d.define(L, k + m - 1, "a depth L >= k")
    d.derive(Grad(scalar(B.a.T * B.Hidden(L, k, B.xin, B.bk)), B.bk), name="delta").then(
        delta(k, L, B.a, B.xin, B.bk), "by induction on the depth", induction=m)
    d.result("delta")
    return d.verify()


def test_the_library_proves_backprop_for_every_depth(library_proof):
    proof = library_proof("backprop")
    step = next(s for s in proof.steps if s.chain_name == "delta_any_depth")
    assert step.status == PROVED, step.detail
    assert "by induction on m" in step.detail and "base m = 1 proved" in step.detail


@pytest.mark.parametrize("delta", [NoPrime, NoTranspose], ids=["sigma' dropped", "transpose missing"])
def test_a_wrong_recursion_is_not_proved(delta):
    proof = _claim(delta)
    step = proof.steps[0]
    assert step.status != PROVED and not proof.ok, step.detail


def _network_gradient(Ws, bs, x, a, kk):
    """∇_{b_k}(aᵀ h_L) of a written-out sigmoid network, by autograd (numbered from 1, as the derivation)."""
    def out(bias_k):
        h = x
        for j, (W, b) in enumerate(zip(Ws, bs), start=1):
            z = W.T @ h + (bias_k if j == kk else b)
            h = 1 / (1 + anp.exp(-z))
        return anp.dot(a, h)
    return grad(out)(bs[kk - 1])


@pytest.mark.parametrize("depth, kk", [(1, 1), (3, 2), (5, 1)])
def test_the_recursion_agrees_with_autograd(depth, kk):
    """The engine's recursion Delta(k, L, a), evaluated by the numeric route, against autograd on NumPy."""
    rng = np.random.default_rng(depth * 10 + kk)
    width = 3
    Ws = [rng.normal(size=(width, width)) for _ in range(depth)]
    bs = [rng.normal(size=width) for _ in range(depth)]
    x, a = rng.normal(size=width), rng.normal(size=width)
    want = _network_gradient(Ws, bs, x, a, kk)

    col = lambda v: mpmath.matrix([[float(t)] for t in v])
    values = {n: mpmath.mpf(width), B.xin: col(x), B.a: col(a), B.bk: col(bs[kk - 1])}
    for j in range(1, depth + 1):
        values[sp.MatrixSymbol(f"W_{j}", n, n)] = mpmath.matrix(Ws[j - 1].tolist())
        values[sp.MatrixSymbol(f"b_{j}", n, 1)] = col(bs[j - 1])
    with mpmath.workdps(30):
        got = evaluate(B.Delta(sp.Integer(kk), sp.Integer(depth), B.a, B.xin, B.bk),
                       Env(values, _indexed_values(Context(), 0, {}, {})))
    np.testing.assert_allclose([float(v) for v in got], want, rtol=1e-12, atol=1e-15)
