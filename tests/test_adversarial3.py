"""Adversarial claims against the entrywise (Map), layered (Layered/HeldGrad) and case-split features:
false claims must never be proved: each test below is a hole found and closed (a captured free t, a layered matrix hiding W_100), or an attack that held.

The independent evidence for "false" is plain SymPy or mpmath arithmetic on the claim as written, never
the engine's own verdict.
"""
import mpmath
import pytest
import sympy as sp

from derivations import PROVED, Derivation
from derivations.entrywise import Map
from derivations.functions import relu_prime, sigmoid, sigmoid_prime
from derivations.library import backprop as B
from derivations.matrices import Grad, scalar

p, q = sp.symbols("p q", integer=True, positive=True)
A = sp.MatrixSymbol("A", p, q)
W = sp.MatrixSymbol("W", p, q)
x = sp.MatrixSymbol("x", p, 1)
a = sp.MatrixSymbol("a", q, 1)
w = sp.MatrixSymbol("w", p, 1)
c = sp.MatrixSymbol("c", p, 1)
s = sp.Symbol("s", real=True)
t = sp.Symbol("t", real=True)          # the same name and assumptions as entrywise.SLOT


def _verdict(lhs, rhs, dims=(p, q), **kw):
    d = Derivation("adv3", "adversarial", dims=dims, **kw)
    d.derive(lhs).then(rhs, "claim")
    step = d.verify().steps[0]
    return step.status, step.detail


# ---- holes: false claims the engine proves --------------------------------------------------------

def test_map_does_not_capture_a_free_t():
    # sigma(A/t) entrywise, a temperature t: not the constant sigma(1) (at A = 0 it is 1/2, not 0.731...)
    f = sp.Lambda(s, sigmoid(s / t))
    assert float(f(0).rewrite(sp.exp)) == 0.5 and abs(float(sigmoid(1).rewrite(sp.exp)) - 0.731058578630) < 1e-11
    status, detail = _verdict(Map(f, A), Map(sp.Lambda(s, 1 / (1 + sp.exp(-1))), A))
    assert status != PROVED, detail


def test_map_entry_keeps_a_free_t():
    f = sp.Lambda(s, s + t)
    entry = Map(f, A)[0, 0]
    assert sp.expand(entry - f(A[0, 0])) == 0, entry


def test_layered_weight_depends_on_the_matrix_it_becomes():
    j = sp.Symbol("j", integer=True, positive=True)
    W100 = sp.MatrixSymbol("W_100", B.n, B.n)
    # at j = 100 the claim is grad_{W_100}(a^T W_100^T x) = 0, whose true value is x a^T
    lhs = Grad(scalar(B.a.T * B.Weight(j).T * B.xin), W100)
    at100 = Grad(scalar(B.a.T * B.Weight(sp.Integer(100)).T * B.xin), W100)
    assert at100.args[0].has(W100)                   # the definition does produce W_100 at j = 100
    status, detail = _verdict(lhs, sp.ZeroMatrix(B.n, B.n), dims=(B.n,))
    assert status != PROVED, detail


def test_layered_hidden_depends_on_a_deep_bias():
    j = sp.Symbol("j", integer=True, positive=True)
    b100 = sp.MatrixSymbol("b_100", B.n, 1)
    status, detail = _verdict(Grad(scalar(B.a.T * B.Below(j, B.xin)), b100), sp.ZeroMatrix(B.n, 1), dims=(B.n,))
    assert status != PROVED, detail


# ---- attacks the engine rejects ---------------------------------------------------------------------

def test_entrywise_gradient_with_sigma_for_sigma_prime_is_rejected():
    lhs = Grad(scalar(a.T * Map(sigmoid, W.T * x)), W)
    status, detail = _verdict(lhs, x * sp.HadamardProduct(a, Map(sigmoid, W.T * x)).T)
    assert status != PROVED, detail


def test_entrywise_gradient_is_proved_when_right():
    # control for the test above: with sigma' the same claim is proved (autograd agrees, test_backprop_depth)
    lhs = Grad(scalar(a.T * Map(sigmoid, W.T * x)), W)
    status, detail = _verdict(lhs, x * sp.HadamardProduct(a, Map(sigmoid_prime, W.T * x)).T)
    assert status == PROVED, detail


def test_map_whose_function_holds_the_differentiated_matrix_is_rejected():
    # f = sum_i c_i^2 (w^T w): its gradient is 2 (c^T c) w, not 0 (the matrix rule alone says 0: the Map's
    # function is differentiated by its slot only; components and mpmath catch it)
    lhs = Grad(scalar(c.T * Map(sp.Lambda(s, s * scalar(w.T * w)), c)), w)
    status, detail = _verdict(lhs, sp.ZeroMatrix(p, 1), dims=(p,))
    assert status != PROVED, detail


def test_scalars_pulled_out_of_a_hadamard_product_keep_their_factor():
    status, detail = _verdict(sp.HadamardProduct(2 * A, Map(sigmoid, A)), Map(sp.Lambda(s, s * sigmoid(s)), A))
    assert status != PROVED, detail


def test_relu_prime_is_not_heaviside_at_the_kink():
    # relu'(0) = 0 by convention, Heaviside(0) = 1/2 in SymPy: the maps differ wherever an entry is 0
    assert relu_prime(0).rewrite(sp.exp) == 0 and sp.Heaviside(0) == sp.S.Half
    status, detail = _verdict(Map(relu_prime, A), Map(sp.Heaviside, A))
    assert status != PROVED, detail


def test_maps_equal_only_where_undefined_are_not_proved_on_a_zero_argument():
    # sign(0) = 0 while |0|/0 has no value: unify_maps may merge the functions, but the claim has no evaluable point
    Z = sp.ZeroMatrix(p, q)
    status, detail = _verdict(Map(sp.sign, Z), Map(sp.Lambda(s, sp.Abs(s) / s), Z))
    assert status != PROVED, detail


def test_case_split_does_not_hide_a_difference_for_negative_values():
    # |x|/x * x = |x| is undefined at 0 (the skipped case) and differs from x for every x < 0
    xs = sp.Symbol("x", real=True)
    assert (sp.Abs(xs) / xs * xs).subs(xs, -2) == 2
    status, detail = _verdict(sp.Abs(xs) / xs * xs + sp.sign(xs) - sp.sign(xs), xs, dims=())
    assert status != PROVED, detail


def test_case_split_undefined_case_with_two_symbols_is_not_a_licence():
    # |x - y|/(x - y) = 1 is false whenever x < y; the case x - y = 0 is 0/0 and skipped
    xs, ys = sp.symbols("x y", real=True)
    status, detail = _verdict(sp.Abs(xs - ys) / (xs - ys), sp.S.One, dims=())
    assert status != PROVED, detail


class _WrongBase(B.Delta):
    """The recursion with sigma instead of sigma' at the base layer j = k (the step is unchanged)."""

    @staticmethod
    def definition(kk, j, cot, xx, X):
        if j == kk:
            return sp.HadamardProduct(cot, Map(sigmoid, B.pre(kk, kk, xx, X)))
        if (j - kk).is_positive:
            down = sp.MatMul(B.Weight(j), sp.HadamardProduct(cot, Map(sigmoid_prime, B.pre(j, kk, xx, X))))
            return _WrongBase(kk, j - 1, down, xx, X, evaluate=not (kk.is_Integer and j.is_Integer))
        return None


def test_a_recursion_wrong_only_at_its_base_is_not_proved():
    n, k, m, L = B.n, B.k, B.m, B.L
    d = Derivation("adv3-depth", "backprop for every depth", dims=(n,))
    d.define(L, k + m - 1, "a depth L >= k")
    d.derive(Grad(scalar(B.a.T * B.Hidden(L, k, B.xin, B.bk)), B.bk)).then(
        _WrongBase(k, L, B.a, B.xin, B.bk), "by induction on the depth", induction=m)
    step = d.verify().steps[0]
    assert step.status != PROVED, step.detail


def test_mpmath_confirms_sigma_of_a_over_t_is_not_constant():
    # the independent fact behind the first hole: sigma(0.3/2) != sigma(1)
    sig = lambda v: 1 / (1 + mpmath.exp(-v))
    assert abs(sig(mpmath.mpf("0.3") / 2) - sig(1)) > 0.1
