"""Claims for the engine's mutation self-test (issue #8): false ones it must reject, true ones it must prove.

Every claim is a small derivation built by a function. A false claim names the steps whose content
is false (or that the API says are refused) in ``bad``: none of them may come back proved, and the
proof must not be ok. ``problem=True`` marks a claim whose rejection the API promises as an entry of
``proof.problems`` (bad definitions, results not backed by a proved chain). Each true claim was
checked by hand and at random points with mpmath, independently of the engine; each false one has a
counterexample noted beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy import (Abs, Derivative, E, Heaviside, I, Integral, Limit, Max, Min, Piecewise, Product,
                   Rational, Subs, Sum, atan, binomial, conjugate, cos, cosh, exp, factorial, floor, log, oo,
                   pi, sign, sin, sinh, sqrt, tanh)

from derivations import Derivation, Grad, hessian, scalar, sigmoid, softplus

# ---- the symbols -------------------------------------------------------------------------------

x, y = sp.symbols("x y", real=True)
c = sp.Symbol("c", real=True)
a_, b_ = sp.symbols("alpha beta", real=True)     # names for define()
t, v = sp.symbols("t v", positive=True)
m = sp.Symbol("m", positive=True)                # a real variable going to infinity in a Limit
u = sp.Symbol("u", nonnegative=True)
z = sp.Symbol("z")                               # complex: no assumptions
s = sp.Symbol("s", positive=True)                # a probability, sampled in (0, 1) via domains
n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True)      # summation indices (k also appears free on purpose)
lab, lab1, lab2 = sp.symbols("y_l y_1 y_2", integer=True)   # labels with finite domains
W = sp.IndexedBase("W", real=True)

p = sp.Symbol("p", integer=True, positive=True)  # dimension symbols
q = sp.Symbol("q", integer=True, positive=True)
w, h, a, bq = (sp.MatrixSymbol(nm, p, 1) for nm in ("w", "h", "a_v", "b_v"))
g = sp.MatrixSymbol("g", q, 1)
A, C, X, Sigma = (sp.MatrixSymbol(nm, p, p) for nm in ("A", "C", "X", "Sigma"))
B = sp.MatrixSymbol("B", p, q)                   # non-square
Cq = sp.MatrixSymbol("Cq", q, p)
Aq = sp.MatrixSymbol("Aq", q, p)
Xpq = sp.MatrixSymbol("Xpq", p, q)
mu0, mu1 = sp.MatrixSymbol("mu0", p, 1), sp.MatrixSymbol("mu1", p, 1)

PROB = {s: (0.01, 0.99)}


def D(name, **context):
    """A derivation named for the claim; context is passed through (domains, dims, spd)."""
    return Derivation(name, f"soundness claim {name}", statement="a claim of the self-test",
                      source="issue 8", **context)


# ---- the registry ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    id: str
    true: bool
    kind: str              # the class of hole it probes
    build: object          # () -> Derivation
    bad: tuple = ()        # indices (in order of step()/then()) of steps that must not be proved
    problem: bool = False  # the API promises an entry in proof.problems
    xfail: str = ""        # a true claim that may be out of reach today, and why
    slow: bool = False


CLAIMS: list[Claim] = []


def true(kind, xfail="", slow=False):
    def register(fn):
        CLAIMS.append(Claim(f"{kind}/{fn.__name__}", True, kind, fn, xfail=xfail, slow=slow))
        return fn
    return register


def false(kind, bad=(0,), problem=False, slow=False):
    def register(fn):
        CLAIMS.append(Claim(f"{kind}/{fn.__name__}", False, kind, fn, tuple(bad), problem, slow=slow))
        return fn
    return register


def one(name, lhs, rhs, why="claim under test", cases=(), induction=None, **context):
    d = D(name, **context)
    d.step(lhs, rhs, why, cases=cases, induction=induction)
    return d


# =================================================================================================
# TRUE claims: every one must be proved (all steps "proved", no problems)
# =================================================================================================

# ---- scalar identities ---------------------------------------------------------------------------

@true("scalar")
def pythagoras():
    return one("pythagoras", sin(x) ** 2 + cos(x) ** 2, 1)


@true("scalar")
def exp_of_sum():
    return one("exp_of_sum", exp(x) * exp(y), exp(x + y))


@true("scalar")
def log_of_product():
    return one("log_of_product", log(t * v), log(t) + log(v))


@true("scalar")
def sigmoid_definition():
    return one("sigmoid_definition", sigmoid(x), 1 / (1 + exp(-x)))


@true("scalar")
def sigmoid_derivative():
    return one("sigmoid_derivative", Derivative(sigmoid(x), x), sigmoid(x) * (1 - sigmoid(x)))


@true("scalar")
def tanh_via_sigmoid():
    return one("tanh_via_sigmoid", tanh(x), 2 * sigmoid(2 * x) - 1)


@true("scalar")
def tanh_derivative():
    return one("tanh_derivative", Derivative(tanh(x), x), 1 - tanh(x) ** 2)


@true("scalar")
def binomial_square():
    return one("binomial_square", (x + y) ** 2, x ** 2 + 2 * x * y + y ** 2)


@true("scalar")
def cosh_minus_sinh():
    return one("cosh_minus_sinh", cosh(x) ** 2 - sinh(x) ** 2, 1)


@true("scalar")
def softplus_odd_part():
    return one("softplus_odd_part", softplus(x) - softplus(-x), x)


@true("scalar")
def logsumexp_shift():
    return one("logsumexp_shift", log(exp(x) + exp(y)), x + log(1 + exp(y - x)))


@true("scalar")
def softplus_derivative_chain():
    d = D("softplus_derivative_chain")
    d.derive(Derivative(log(1 + exp(x)), x), name="dsoftplus")
    d.then(exp(x) / (1 + exp(x)), "chain rule")
    d.then(sigmoid(x), "divide above and below by exp(x)")
    d.result("dsoftplus", sigmoid(x))
    return d


# ---- matrices ------------------------------------------------------------------------------------

@true("matrix")
def inner_product_symmetric():
    return one("inner_product_symmetric", scalar(w.T * h), scalar(h.T * w), dims=(p,))


@true("matrix")
def grad_linear():
    return one("grad_linear", Grad(scalar(w.T * h), w), h, dims=(p,))


@true("matrix")
def grad_squared_norm():
    return one("grad_squared_norm", Grad(scalar(w.T * w), w), 2 * w, dims=(p,))


@true("matrix")
def grad_quadratic():
    return one("grad_quadratic", Grad(scalar(w.T * A * w), w), (A + A.T) * w, dims=(p,))


@true("matrix")
def hessian_quadratic():
    return one("hessian_quadratic", hessian(scalar(w.T * A * w), w), A + A.T, dims=(p,))


@true("matrix")
def grad_spd_quadratic():
    return one("grad_spd_quadratic", Grad(scalar(w.T * Sigma * w) / 2, w), Sigma * w,
               dims=(p,), spd=(Sigma,))


@true("matrix")
def grad_distance():
    return one("grad_distance", Grad(scalar((w - h).T * (w - h)), w), 2 * (w - h), dims=(p,))


@true("matrix")
def grad_logistic_loss():
    u_ = scalar(w.T * h)
    return one("grad_logistic_loss", Grad(log(1 + exp(-u_)), w), -sigmoid(-u_) * h, dims=(p,))


@true("matrix")
def mahalanobis_symmetric():
    return one("mahalanobis_symmetric", scalar(h.T * Sigma.I * w), scalar(w.T * Sigma.I * h),
               dims=(p,), spd=(Sigma,))


@true("matrix")
def spd_determinant_positive():
    return one("spd_determinant_positive", Abs(sp.Determinant(Sigma)), sp.Determinant(Sigma), dims=(p,), spd=(Sigma,))


@true("matrix")
def expand_mahalanobis():
    lhs = scalar((h - w).T * Sigma.I * (h - w))
    rhs = scalar(h.T * Sigma.I * h) - 2 * scalar(w.T * Sigma.I * h) + scalar(w.T * Sigma.I * w)
    return one("expand_mahalanobis", lhs, rhs, dims=(p,), spd=(Sigma,))


@true("matrix")
def bilinear_nonsquare():
    return one("bilinear_nonsquare", scalar(h.T * B * g), scalar(g.T * B.T * h), dims=(p, q))


@true("matrix")
def trace_cyclic_nonsquare():
    return one("trace_cyclic_nonsquare", sp.Trace(B * Cq), sp.Trace(Cq * B), dims=(p, q))


@true("matrix")
def inverse_of_scaled_identity():
    # no MatrixSymbol at all: the "2I = I + I" class
    return one("inverse_of_scaled_identity", sp.Inverse(2 * sp.Identity(p)), sp.Identity(p) / 2, dims=(p,))


@true("matrix")
def trace_of_scaled_identity():
    return one("trace_of_scaled_identity", sp.Trace(2 * sp.Identity(p)), 2 * p, dims=(p,))


@true("matrix")
def grad_bilinear_wrt_matrix():
    # d/dX_ij a^T X b = a_i b_j
    return one("grad_bilinear_wrt_matrix", Grad(scalar(h.T * Xpq * g), Xpq), h * g.T, dims=(p, q))


@true("matrix")
def grad_trace_wrt_matrix():
    # tr(A X) = sum_ij A_ji X_ij, so d/dX_ij = A_ji: the gradient is A^T (A q×p, X p×q)
    return one("grad_trace_wrt_matrix", Grad(sp.Trace(Aq * Xpq), Xpq), Aq.T, dims=(p, q))


@true("matrix")
def grad_logdet_wrt_matrix():
    # Jacobi's formula: d log|det X| = tr(X^{-1} dX), so the gradient is X^{-T}
    return one("grad_logdet_wrt_matrix", Grad(log(Abs(sp.Determinant(X))), X), X.I.T, dims=(p,))


# ---- sums, products, integrals, limits, substitutions --------------------------------------------

@true("calculus")
def sum_of_integers():
    return one("sum_of_integers", Sum(k, (k, 1, n)), n * (n + 1) / 2)


@true("calculus")
def sum_of_cubes():
    return one("sum_of_cubes", Sum(k ** 3, (k, 1, n)), (n * (n + 1) / 2) ** 2)


@true("calculus")
def exponential_series():
    return one("exponential_series", Sum(x ** k / factorial(k), (k, 0, oo)), exp(x), domains={x: (-3, 3)})


@true("calculus")
def basel():
    return one("basel", Sum(1 / k ** 2, (k, 1, oo)), pi ** 2 / 6)


@true("calculus")
def geometric_series():
    return one("geometric_series", Sum(Rational(1, 2) ** k, (k, 0, oo)), 2)


@true("calculus")
def binomial_row():
    return one("binomial_row", Sum(binomial(n, k), (k, 0, n)), 2 ** n)


@true("calculus")
def product_is_factorial():
    return one("product_is_factorial", Product(k, (k, 1, n)), factorial(n))


@true("calculus")
def product_of_constant():
    return one("product_of_constant", Product(2, (k, 1, n)), 2 ** n)


@true("calculus", slow=True)
def gaussian_integral():
    return one("gaussian_integral", Integral(exp(-y ** 2), (y, -oo, oo)), sqrt(pi))


@true("calculus")
def integral_to_a_symbol():
    return one("integral_to_a_symbol", Integral(y ** 2, (y, 0, x)), x ** 3 / 3)


@true("calculus")
def arctan_integral():
    return one("arctan_integral", Integral(1 / (1 + y ** 2), (y, 0, oo)), pi / 2)


@true("calculus")
def gamma_integral():
    return one("gamma_integral", Integral(y * exp(-y), (y, 0, oo)), 1)


@true("calculus")
def limit_sinc():
    return one("limit_sinc", Limit(sin(x) / x, x, 0), 1)


@true("calculus")
def limit_e():
    return one("limit_e", Limit((1 + 1 / m) ** m, m, oo), E)


@true("calculus")
def subs_derivative_at_one():
    return one("subs_derivative_at_one", Subs(Derivative(x ** 3, x), x, 1), 3)


@true("calculus")
def subs_derivative_at_symbol():
    return one("subs_derivative_at_symbol", Subs(Derivative(sin(x), x), x, y), cos(y))


@true("calculus")
def leibniz_rule():
    # d/dx int_0^x x y dy = int_0^x y dy + x * x = x^2/2 + x^2
    return one("leibniz_rule", Derivative(Integral(x * y, (y, 0, x)), x), 3 * x ** 2 / 2)


@true("calculus")
def derivative_of_parametric_integral():
    return one("derivative_of_parametric_integral", Derivative(Integral(x * y ** 2, (y, 0, 1)), x), Rational(1, 3))


@true("calculus")
def limit_from_the_right():
    return one("limit_from_the_right", Limit(Abs(x) / x, x, 0, dir="+"), 1)


@true("calculus", xfail="SymPy 1.14's doit() gives -2 for this integral, and no simplifier knows 5 - y > 0 on "
                         "the range to rewrite the integrand as 1 first: the step stays checked, never proved")
def integral_sympy_gets_wrong():
    # on (1, 3), 5 - y > 0, so the integrand is exactly 1 and the integral is 2
    return one("integral_sympy_gets_wrong", Integral(sqrt(5 - y) * sqrt(1 / (5 - y)), (y, 1, 3)), 2)


# ---- bound variables -----------------------------------------------------------------------------

@true("bound")
def index_also_free_outside():
    return one("index_also_free_outside", Sum(k, (k, 1, n)) + k, n * (n + 1) / 2 + k)


@true("bound")
def sum_with_free_factor():
    return one("sum_with_free_factor", Sum(j * k, (j, 1, n)), k * n * (n + 1) / 2)


@true("bound")
def product_with_free_factor():
    return one("product_with_free_factor", Product(k * j, (j, 1, n)), k ** n * factorial(n))


@true("bound")
def nested_sum_square():
    return one("nested_sum_square", Sum(Sum(i * j, (j, 1, n)), (i, 1, n)), Sum(i, (i, 1, n)) ** 2)


@true("bound")
def nested_sum_triangle():
    return one("nested_sum_triangle", Sum(Sum(1, (j, 1, i)), (i, 1, n)), n * (n + 1) / 2)


@true("bound")
def integral_variable_also_free():
    return one("integral_variable_also_free", Integral(x, (x, 0, 1)) + x, x + Rational(1, 2))


@true("bound")
def subs_variable_also_free():
    return one("subs_variable_also_free", Subs(x ** 2, x, 2) + x, x + 4)


@true("bound")
def subs_point_is_simultaneous():
    # Subs(f, (x, y), (y, x)) is f evaluated at the point (y, x): the swap is simultaneous
    return one("subs_point_is_simultaneous", Subs(x + 2 * y, (x, y), (y, x)), y + 2 * x)


# ---- assumptions: complex, nonnegative, positive, integer -----------------------------------------

@true("assumptions")
def complex_square():
    return one("complex_square", (z + 1) ** 2, z ** 2 + 2 * z + 1)


@true("assumptions")
def complex_modulus():
    return one("complex_modulus", Abs(z) ** 2, z * conjugate(z))


@true("assumptions")
def complex_cosh_sinh():
    return one("complex_cosh_sinh", cosh(z) ** 2 - sinh(z) ** 2, 1)


@true("assumptions")
def nonnegative_square_root():
    # sqrt((u+1)^2) = |u+1| = u+1 for u >= -1: a nonnegative u sampled below -1 would fail it
    return one("nonnegative_square_root", sqrt(u ** 2 + 2 * u + 1), u + 1)


@true("assumptions")
def nonnegative_abs_sum():
    # |u-1| + |u+1| = 2 max(1, |u|), which is max(2, 2u) for u >= 0 (not for u < -1)
    return one("nonnegative_abs_sum", Abs(u - 1) + Abs(u + 1), Max(2, 2 * u))


@true("assumptions")
def positive_log_of_square():
    # true for t > 0 only: a positive t sampled negative gives log(t^2) real against 2 log(t) complex
    return one("positive_log_of_square", log(t ** 2), 2 * log(t))


@true("assumptions")
def integer_binomial_two():
    return one("integer_binomial_two", binomial(n, 2), n * (n - 1) / 2)


# ---- tolerance -----------------------------------------------------------------------------------

@true("tolerance")
def huge_summands_cancel_to_zero():
    big = sp.Integer(10) ** 45
    return one("huge_summands_cancel_to_zero", big * sin(x) ** 2 + big * cos(x) ** 2 - big, 0)


@true("tolerance")
def side_exactly_zero():
    return one("side_exactly_zero", sin(x) ** 2 + cos(x) ** 2 - 1, 0)


@true("tolerance")
def derivative_inside_a_sum():
    return one("derivative_inside_a_sum", Derivative(x ** 2, x) + x ** 2, 2 * x + x ** 2)


@true("tolerance")
def tiny_scale():
    tiny = Rational(1, 10 ** 30)
    return one("tiny_scale", tiny * (sin(x) ** 2 + cos(x) ** 2), tiny)


@true("tolerance")
def wide_magnitudes():
    return one("wide_magnitudes", (exp(x) + 1) * (exp(-x) + 1), 2 + exp(x) + exp(-x))


# ---- kinks ---------------------------------------------------------------------------------------

@true("kink")
def relu_via_abs():
    return one("relu_via_abs", Max(x, 0), (x + Abs(x)) / 2)


@true("kink")
def abs_via_max():
    return one("abs_via_max", Abs(x), Max(x, -x))


@true("kink")
def max_plus_min():
    return one("max_plus_min", Max(x, y) + Min(x, y), x + y)


@true("kink")
def max_via_abs():
    return one("max_via_abs", Max(x, y), (x + y + Abs(x - y)) / 2)


@true("kink")
def heaviside_times_x():
    return one("heaviside_times_x", x * Heaviside(x), Max(x, 0))


@true("kink")
def heaviside_via_sign():
    # SymPy's Heaviside(0) = 1/2 = (1 + sign(0))/2
    return one("heaviside_via_sign", Heaviside(x), (1 + sign(x)) / 2)


@true("kink")
def softplus_stable_form():
    return one("softplus_stable_form", softplus(x), Max(x, 0) + log(1 + exp(-Abs(x))))


@true("kink")
def piecewise_abs():
    return one("piecewise_abs", Piecewise((x, x > 0), (-x, True)), Abs(x))


# ---- induction -----------------------------------------------------------------------------------

@true("induction")
def odd_numbers_by_induction():
    return one("odd_numbers_by_induction", Sum(2 * k - 1, (k, 1, n)), n ** 2, induction=n)


@true("induction")
def integers_by_induction():
    return one("integers_by_induction", Sum(k, (k, 1, n)), n * (n + 1) / 2, induction=n)


@true("induction")
def telescoping_product_by_induction():
    return one("telescoping_product_by_induction", Product((k + 1) / k, (k, 1, n)), n + 1, induction=n)


@true("induction")
def geometric_by_induction():
    return one("geometric_by_induction", Sum(2 ** k, (k, 0, n)), 2 ** (n + 1) - 1, induction=n)


# ---- cases ---------------------------------------------------------------------------------------

@true("cases")
def label_is_idempotent():
    return one("label_is_idempotent", lab ** 2, lab, cases=({lab: 0}, {lab: 1}), domains={lab: {0, 1}})


@true("cases")
def cross_entropy_as_one_log():
    lhs = -lab * log(s) - (1 - lab) * log(1 - s)
    rhs = -log(lab * s + (1 - lab) * (1 - s))
    return one("cross_entropy_as_one_log", lhs, rhs, cases=({lab: 0}, {lab: 1}),
               domains={lab: {0, 1}, **PROB})


@true("cases")
def plus_minus_one_squared():
    return one("plus_minus_one_squared", lab ** 2, 1, cases=({lab: -1}, {lab: 1}), domains={lab: {-1, 1}})


@true("cases")
def two_labels_or():
    combos = tuple({lab1: e1, lab2: e2} for e1 in (0, 1) for e2 in (0, 1))
    return one("two_labels_or", Max(lab1, lab2), lab1 + lab2 - lab1 * lab2, cases=combos,
               domains={lab1: {0, 1}, lab2: {0, 1}})


@true("cases")
def pm1_substitution():
    # R8: with t = 2y - 1, log(1 + exp(-t x)) is the cross-entropy of the logit x
    lhs = log(1 + exp(-(2 * lab - 1) * x))
    rhs = lab * log(1 + exp(-x)) + (1 - lab) * log(1 + exp(x))
    return one("pm1_substitution", lhs, rhs, cases=({lab: 0}, {lab: 1}), domains={lab: {0, 1}})


# ---- definitions ---------------------------------------------------------------------------------

@true("define")
def forward_reference():
    d = D("forward_reference")
    d.define(a_, b_ + 1, "a refers to b, defined below")
    d.define(b_, x ** 2, "b")
    d.step(a_, (x - 1) * (x + 1) + 2, "x^2 + 1 = (x^2 - 1) + 2")
    return d


@true("define")
def defined_sigmoid_derivative():
    sg = sp.Symbol("S", real=True)
    d = D("defined_sigmoid_derivative")
    d.define(sg, sigmoid(x), "a name for the sigmoid")
    d.step(Derivative(sg, x), sg * (1 - sg), "the sigmoid's derivative")
    return d


@true("define")
def defined_lda_weights():
    d = D("defined_lda_weights", dims=(p,), spd=(Sigma,))
    d.define(w, Sigma.I * (mu1 - mu0), "LDA weights")
    d.step(scalar(w.T * h), scalar((mu1 - mu0).T * Sigma.I * h), "substitute w")
    return d


@true("define")
def defined_loss_chain():
    loss = sp.Symbol("L", real=True)
    d = D("defined_loss_chain")
    d.define(loss, log(1 + exp(-x)), "logistic loss of a margin")
    d.derive(Derivative(loss, x), name="dloss")
    d.then(-exp(-x) / (1 + exp(-x)), "chain rule")
    d.then(-sigmoid(-x), "the sigmoid")
    d.result("dloss", -sigmoid(-x))
    return d


# ---- chains --------------------------------------------------------------------------------------

@true("chain")
def tanh_prime_backed():
    d = D("tanh_prime_backed")
    d.derive(Derivative(tanh(x), x), name="tanh_prime")
    d.then(1 - tanh(x) ** 2, "derivative of tanh")
    d.result("tanh_prime", 1 - tanh(x) ** 2)
    return d


@true("chain")
def three_step_chain():
    d = D("three_step_chain")
    d.step((x + 1) ** 2 - (x - 1) ** 2, x ** 2 + 2 * x + 1 - (x - 1) ** 2, "expand the first square")
    d.then(4 * x, "expand the second and collect")
    return d


@true("chain")
def two_chains():
    d = D("two_chains")
    d.derive(Derivative(sigmoid(x), x), name="ds")
    d.then(sigmoid(x) * (1 - sigmoid(x)), "the sigmoid's derivative")
    d.then(sigmoid(x) * sigmoid(-x), "1 - sigma(x) = sigma(-x)")
    d.derive(Derivative(softplus(x), x), name="dsp")
    d.then(sigmoid(x), "the softplus' derivative")
    d.result("ds", sigmoid(x) * sigmoid(-x))
    d.result("dsp")
    return d


@true("chain")
def result_instantiated():
    d = D("result_instantiated", dims=(p,))
    d.derive(Derivative(log(1 + exp(-x)), x), name="dl")
    d.then(-sigmoid(-x), "chain rule")
    d.result("dl", at={x: scalar(w.T * h) + c})
    return d


# ---- mixed partials and Indexed ------------------------------------------------------------------

@true("partials")
def mixed_polynomial():
    return one("mixed_polynomial", Derivative(x ** 2 * y ** 3, x, y), 6 * x * y ** 2)


@true("partials")
def mixed_trigonometric():
    return one("mixed_trigonometric", Derivative(sin(x * y), x, y), cos(x * y) - x * y * sin(x * y))


@true("partials")
def mixed_third_order():
    return one("mixed_third_order", Derivative(exp(x * y), (x, 2), y), (2 * y + x * y ** 2) * exp(x * y))


@true("partials")
def schwarz():
    f = x ** 3 * exp(y) * sin(x * y)
    return one("schwarz", Derivative(f, x, y), Derivative(f, y, x))


@true("partials")
def indexed_polynomial():
    return one("indexed_polynomial", Derivative(W[1] ** 2 * W[2], W[1]), 2 * W[1] * W[2])


@true("partials")
def indexed_mixed():
    return one("indexed_mixed", Derivative(W[1] ** 2 * W[2] ** 3, W[1], W[2]), 6 * W[1] * W[2] ** 2)


@true("partials")
def indexed_sigmoid():
    sg = sigmoid(W[0] * x)
    return one("indexed_sigmoid", Derivative(sg, W[0]), x * sg * (1 - sg))


# =================================================================================================
# FALSE claims: each must be rejected (proof not ok, no bad step proved)
# =================================================================================================

# ---- scalar --------------------------------------------------------------------------------------

@false("scalar")
def pythagoras_with_minus():
    return one("pythagoras_with_minus", sin(x) ** 2 - cos(x) ** 2, 1)      # x = 0: -1


@false("scalar")
def sigmoid_derivative_sign():
    return one("sigmoid_derivative_sign", Derivative(sigmoid(x), x), sigmoid(x) * (1 + sigmoid(x)))  # x=0: 1/4 vs 3/4


@false("scalar")
def tanh_derivative_sign():
    return one("tanh_derivative_sign", Derivative(tanh(x), x), 1 + tanh(x) ** 2)   # x = 1: 0.42 vs 1.58


@false("scalar")
def exp_additive():
    return one("exp_additive", exp(x + y), exp(x) + exp(y))                # x = y = 0: 1 vs 2


@false("scalar")
def freshman_square():
    return one("freshman_square", (x + y) ** 2, x ** 2 + y ** 2)           # x = y = 1: 4 vs 2


@false("scalar")
def tanh_via_sigmoid_unscaled():
    return one("tanh_via_sigmoid_unscaled", tanh(x), 2 * sigmoid(x) - 1)   # x = 1: 0.762 vs 0.462


@false("scalar")
def logsumexp_is_max():
    return one("logsumexp_is_max", log(exp(x) + exp(y)), Max(x, y))        # x = y: differs by log 2


@false("assumptions")
def log_of_square_real():
    return one("log_of_square_real", log(x ** 2), 2 * log(x))              # x = -1: 0 vs 2 i pi


@false("assumptions")
def arctan_pair_real():
    return one("arctan_pair_real", atan(x) + atan(1 / x), pi / 2)          # x = -1: -pi/2


@false("scalar")
def chain_rule_dropped_inner():
    return one("chain_rule_dropped_inner", Derivative(sin(x ** 2), x), cos(x ** 2))   # x = 1: 1.08 vs 0.54


# ---- matrices ------------------------------------------------------------------------------------

@false("matrix")
def grad_quadratic_nonsymmetric():
    return one("grad_quadratic_nonsymmetric", Grad(scalar(w.T * A * w), w), 2 * A * w, dims=(p,))  # needs A = A^T


@false("matrix")
def hessian_nonsymmetric():
    return one("hessian_nonsymmetric", hessian(scalar(w.T * A * w), w), 2 * A, dims=(p,))


@false("matrix")
def grad_logistic_sign():
    u_ = scalar(w.T * h)
    return one("grad_logistic_sign", Grad(log(1 + exp(-u_)), w), sigmoid(-u_) * h, dims=(p,))


@false("matrix")
def grad_spd_missing_two():
    return one("grad_spd_missing_two", Grad(scalar(w.T * Sigma.I * w), w), Sigma.I * w,
               dims=(p,), spd=(Sigma,))


@false("matrix")
def bilinear_needs_symmetry():
    return one("bilinear_needs_symmetry", scalar(w.T * A * h), scalar(h.T * A * w), dims=(p,))


@false("matrix")
def transpose_of_product():
    return one("transpose_of_product", (A * C).T, A.T * C.T, dims=(p,))    # it is C^T A^T


@false("matrix")
def inverse_of_sum():
    return one("inverse_of_sum", (Sigma + sp.Identity(p)).I, Sigma.I + sp.Identity(p),
               dims=(p,), spd=(Sigma,))                                    # p = 1, Sigma = 1: 1/2 vs 2


@false("matrix")
def inverse_of_scaled_identity_wrong():
    return one("inverse_of_scaled_identity_wrong", sp.Inverse(2 * sp.Identity(p)), 2 * sp.Identity(p), dims=(p,))


@false("matrix")
def grad_has_wrong_shape():
    return one("grad_has_wrong_shape", Grad(scalar(w.T * h), w), h.T, dims=(p,))  # p×1 vs 1×p


@false("matrix")
def determinant_nonsquare():
    # det(BC) = det(CB) only when p = q: for p > q, BC (p×p) has rank <= q and det 0
    return one("determinant_nonsquare", sp.Determinant(B * Cq), sp.Determinant(Cq * B), dims=(p, q))


@false("matrix")
def projection_is_identity_nonsquare():
    # B (B^T B)^{-1} B^T projects onto the columns of B: the identity only when p = q
    return one("projection_is_identity_nonsquare", B * (B.T * B).I * B.T, sp.Identity(p), dims=(p, q))


@false("matrix")
def trace_gram_dimension_shift():
    # tr(B^T B) = tr(B B^T): adding q - p is false whenever p != q
    return one("trace_gram_dimension_shift", sp.Trace(B.T * B), sp.Trace(B * B.T) + q - p, dims=(p, q))


@false("matrix")
def determinant_not_known_positive():
    return one("determinant_not_known_positive", Abs(sp.Determinant(A)), sp.Determinant(A), dims=(p,))   # A = -1


@false("matrix")
def grad_bilinear_transposed():
    return one("grad_bilinear_transposed", Grad(scalar(a.T * X * bq), X), bq * a.T, dims=(p,))  # it is a b^T


@false("matrix")
def grad_trace_untransposed():
    return one("grad_trace_untransposed", Grad(sp.Trace(A * X), X), A, dims=(p,))              # it is A^T


@false("matrix")
def grad_logdet_untransposed():
    return one("grad_logdet_untransposed", Grad(log(Abs(sp.Determinant(X))), X), X.I, dims=(p,))  # it is X^{-T}


# ---- sums, products, integrals, limits, substitutions --------------------------------------------

@false("calculus")
def integral_equal_to_sympy_doit():
    # SymPy 1.14's doit() says -2; the integrand is 1 on (1, 3), so the integral is 2
    return one("integral_equal_to_sympy_doit", Integral(sqrt(5 - y) * sqrt(1 / (5 - y)), (y, 1, 3)), -2)


@false("calculus")
def sign_integral_equal_to_sympy_doit():
    # SymPy 1.14's doit() says 0; over a whole period the integral is 0, and sin > 0 on (2pi, 2pi+1)
    return one("sign_integral_equal_to_sympy_doit", Integral(sign(sin(y)), (y, 0, 2 * pi + 1)), 0)


@false("calculus")
def subs_evaluated_at_the_sample():
    return one("subs_evaluated_at_the_sample", Subs(Derivative(x ** 3, x), x, 1), 3 * x ** 2)


@false("calculus")
def subs_at_wrong_symbol():
    return one("subs_at_wrong_symbol", Subs(Derivative(sin(x), x), x, y), cos(x))


@false("calculus")
def sum_of_integers_halved_square():
    return one("sum_of_integers_halved_square", Sum(k, (k, 1, n)), n ** 2 / 2)   # n = 1: 1 vs 1/2


@false("calculus")
def basel_truncated_decimal():
    return one("basel_truncated_decimal", Sum(1 / k ** 2, (k, 1, oo)), Rational(1644934, 10 ** 6))  # off by 6.7e-8


@false("calculus")
def geometric_from_one():
    return one("geometric_from_one", Sum(Rational(1, 2) ** k, (k, 1, oo)), 2)   # it is 1


@false("calculus")
def exponential_series_from_one():
    return one("exponential_series_from_one", Sum(x ** k / factorial(k), (k, 1, oo)), exp(x),
               domains={x: (-3, 3)})                                       # it is exp(x) - 1


@false("calculus")
def product_as_power_of_two():
    return one("product_as_power_of_two", Product(k, (k, 1, n)), 2 ** (n - 1))  # n = 3: 6 vs 4


@false("calculus", slow=True)
def gaussian_integral_is_pi():
    return one("gaussian_integral_is_pi", Integral(exp(-y ** 2), (y, -oo, oo)), pi)


@false("calculus")
def integral_halved():
    return one("integral_halved", Integral(y ** 2, (y, 0, x)), x ** 3 / 2)


@false("calculus", slow=True)
def limit_at_infinity():
    return one("limit_at_infinity", Limit(sin(x) / x, x, oo), 1)          # it is 0


@false("calculus")
def limit_e_as_double():
    return one("limit_e_as_double", Limit((1 + 1 / m) ** m, m, oo), sp.Float(2.718281828459045))  # off by 1.4e-16


@false("calculus")
def leibniz_boundary_term_missing():
    # differentiating under the integral sign only: the boundary term x * x is lost
    return one("leibniz_boundary_term_missing", Derivative(Integral(x * y, (y, 0, x)), x), x ** 2 / 2)


@false("calculus")
def limit_from_the_left():
    return one("limit_from_the_left", Limit(Abs(x) / x, x, 0, dir="-"), 1)   # it is -1


# ---- bound variables -----------------------------------------------------------------------------

@false("bound")
def sum_index_captured():
    return one("sum_index_captured", Sum(k, (k, 1, n)), n * k)            # n = 1, k = 2: 1 vs 2


@false("bound")
def product_index_captured():
    return one("product_index_captured", Product(k, (k, 1, n)), k ** n)   # n = 1, k = 2: 1 vs 2


@false("bound")
def integral_variable_captured():
    return one("integral_variable_captured", Integral(x, (x, 0, 1)), x)   # 1/2 vs x


@false("bound")
def subs_variable_captured():
    return one("subs_variable_captured", Subs(x ** 2, x, 2), x ** 2)      # 4 vs x^2


@false("bound")
def limit_variable_captured():
    return one("limit_variable_captured", Limit(x ** 2 + y, x, 0), x ** 2 + y)   # y vs x^2 + y


@false("bound")
def renaming_collides_with_free():
    # prod_j (i j) = i^n n!, not (n!)^2: renaming j to i would collide with the free i
    return one("renaming_collides_with_free", Product(i * j, (j, 1, n)), Product(j ** 2, (j, 1, n)))


@false("bound")
def nested_triangle_as_square():
    # sum_{i<=n} sum_{j<=i} i j is not (sum i)^2: n = 2 gives 7 vs 9
    return one("nested_triangle_as_square", Sum(Sum(i * j, (j, 1, i)), (i, 1, n)), Sum(i, (i, 1, n)) ** 2)


@false("bound")
def inner_limit_shadowed():
    # the inner upper limit is the outer index: n = 2 gives 4 vs 6
    return one("inner_limit_shadowed", Sum(Sum(j, (j, 1, i)), (i, 1, n)), Sum(Sum(j, (j, 1, n)), (i, 1, n)))


@false("bound")
def derivative_wrt_bound_variable():
    # the integral does not depend on x: its derivative is 0, not the integral of d(x^2)/dx
    return one("derivative_wrt_bound_variable", Derivative(Integral(x ** 2, (x, 0, 1)), x), 1)


@false("bound")
def subs_swap_done_in_sequence():
    # SymPy 1.14's Subs.doit() gives 3x (x -> y, then y -> x); at the point (y, x) the value is y + 2x
    return one("subs_swap_done_in_sequence", Subs(x + 2 * y, (x, y), (y, x)), 3 * x)   # x = 1, y = 0: 2 vs 3


# ---- claims false only far out, or only under the symbols' assumptions ---------------------------

@false("far")
def beyond_ten_abs():
    return one("beyond_ten_abs", Abs(x - 10), 10 - x)                     # x = 11: 1 vs -1


@false("far")
def beyond_ten_min():
    return one("beyond_ten_min", Min(x, 10), x)


@false("far")
def beyond_ten_thousand():
    return one("beyond_ten_thousand", Min(x ** 2, 10 ** 8), x ** 2)       # |x| > 1e4


@false("far")
def below_one_ten_thousandth():
    return one("below_one_ten_thousandth", Max(Abs(x), Rational(1, 10 ** 4)), Abs(x))   # |x| < 1e-4


@false("far")
def integer_from_five_polynomial():
    return one("integer_from_five_polynomial", (n - 1) * (n - 2) * (n - 3) * (n - 4), 0)   # n = 5: 24


@false("far")
def integer_from_five_binomial():
    return one("integer_from_five_binomial", binomial(n, 5), 0)            # n = 5: 1


@false("far")
def integer_from_twenty_binomial():
    return one("integer_from_twenty_binomial", binomial(n, 20), 0)         # n = 20: 1


@false("far")
def partial_binomial_row():
    return one("partial_binomial_row", Sum(binomial(n, k), (k, 0, 4)), 2 ** n)   # n = 5: 31 vs 32


@false("far")
def false_only_on_integers():
    # floor(x) + floor(-x) = -1 except at integers, where it is 0
    return one("false_only_on_integers", floor(x) + floor(-x), -1)


@false("assumptions")
def nonnegative_beyond_one():
    return one("nonnegative_beyond_one", sqrt(u ** 2 - 2 * u + 1), 1 - u)   # u = 2: 1 vs -1


@false("assumptions")
def complex_modulus_squared():
    return one("complex_modulus_squared", Abs(z) ** 2, z ** 2)             # z = i: 1 vs -1


@false("assumptions")
def complex_conjugate_is_itself():
    return one("complex_conjugate_is_itself", conjugate(z), z)            # z = i


@false("assumptions")
def complex_sqrt_of_square():
    return one("complex_sqrt_of_square", sqrt(z ** 2), Abs(z))           # z = i: i vs 1


@false("assumptions")
def complex_log_of_exp():
    return one("complex_log_of_exp", log(exp(z)), z)                      # z = 4i: log(e^{4i}) = (4 - 2pi) i


# ---- tolerance -----------------------------------------------------------------------------------

@false("tolerance")
def huge_summands_cancel_to_one():
    big = sp.Integer(10) ** 45
    return one("huge_summands_cancel_to_one", big * sin(x) ** 2 + big * cos(x) ** 2 - big, 1)   # 0 vs 1


@false("tolerance")
def huge_float_summands_cancel_to_one():
    return one("huge_float_summands_cancel_to_one", 1e45 * sin(x) ** 2 + 1e45 * cos(x) ** 2 - 1e45, 1)


@false("tolerance")
def derivative_loosens_tolerance():
    return one("derivative_loosens_tolerance", Derivative(x ** 2, x) + x ** 2,
               2 * x + x ** 2 + Rational(1, 10 ** 25))


@false("tolerance")
def relative_error_1e30():
    return one("relative_error_1e30", exp(x), exp(x) * (1 + Rational(1, 10 ** 30)))


@false("tolerance")
def zero_side_against_tiny():
    return one("zero_side_against_tiny", sin(x) ** 2 + cos(x) ** 2 - 1, Rational(1, 10 ** 60))


@false("tolerance")
def derivative_difference_against_tiny():
    return one("derivative_difference_against_tiny", Derivative(sin(x), x) - cos(x), Rational(1, 10 ** 30))


@false("tolerance")
def catastrophic_cancellation():
    big = sp.Integer(10) ** 20
    # (x + 1e20)^2 - 1e40 - 2e20 x = x^2 exactly: the claim is off by 1 under summands of 1e40
    return one("catastrophic_cancellation", (x + big) ** 2 - big ** 2 - 2 * big * x, x ** 2 + 1)


@false("tolerance")
def softplus_asymptote():
    return one("softplus_asymptote", log(exp(x) + 1), x)                  # x = 0: log 2 vs 0


@false("tolerance")
def softplus_sum_is_abs():
    return one("softplus_sum_is_abs", softplus(x) + softplus(-x), Abs(x))  # x = 0: 2 log 2 vs 0


@false("tolerance")
def invisible_difference():
    # off by exp(-10^4) ~ 1e-4343: lost in rounding wherever x > -10^4, visible only below
    return one("invisible_difference", exp(x) + exp(-10 ** 4), exp(x))


# ---- kinks ---------------------------------------------------------------------------------------

@false("kink")
def relu_as_min():
    return one("relu_as_min", Max(x, 0), (x - Abs(x)) / 2)                # x = 1: 1 vs 0


@false("kink")
def abs_is_identity():
    return one("abs_is_identity", Abs(x), x)                              # x = -1


@false("kink")
def max_via_wrong_abs():
    return one("max_via_wrong_abs", Max(x, y), (x + y + Abs(x + y)) / 2)  # x = 1, y = -1: 1 vs 0


@false("kink")
def heaviside_shifted():
    return one("heaviside_shifted", x * Heaviside(x - 1), Max(x - 1, 0))  # x = 2: 2 vs 1


@false("kink")
def relu_squared():
    return one("relu_squared", Max(x, 0) ** 2, x ** 2)                    # x = -1: 0 vs 1


@false("kink")
def abs_derivative_is_one():
    return one("abs_derivative_is_one", Derivative(Abs(x), x), 1)         # x = -1: -1


@false("kink")
def abs_of_difference():
    return one("abs_of_difference", Abs(x - y), Abs(x) - Abs(y))        # x = 0, y = 1: 1 vs -1


@false("kink")
def heaviside_is_sign():
    return one("heaviside_is_sign", Heaviside(x), sign(x))                # x = -1: 0 vs -1


@false("kink")
def piecewise_relu_is_abs():
    return one("piecewise_relu_is_abs", Piecewise((x, x > 0), (0, True)), Abs(x))   # x = -1: 0 vs 1


# ---- induction -----------------------------------------------------------------------------------

@false("induction")
def true_base_false_step():
    return one("true_base_false_step", Sum(k ** 2, (k, 1, n)), n ** 2, induction=n)   # n = 2: 5 vs 4


@false("induction")
def false_base_true_step():
    return one("false_base_true_step", Sum(k, (k, 1, n)), n * (n + 1) / 2 + 1, induction=n)   # n = 1: 1 vs 2


@false("induction")
def geometric_off_by_one():
    return one("geometric_off_by_one", Sum(2 ** k, (k, 0, n)), 2 ** (n + 1), induction=n)   # n = 1: 3 vs 4


@false("induction")
def true_for_first_two():
    return one("true_for_first_two", Sum(k, (k, 1, n)), n ** 2 - n + 1, induction=n)   # n = 3: 6 vs 7


@false("induction")
def true_up_to_four():
    return one("true_up_to_four", (n - 1) * (n - 2) * (n - 3) * (n - 4), 0, induction=n)   # n = 5: 24


@false("induction")
def induction_over_a_real_symbol():
    # base sin(pi) = 0 and step sin(pi (x+1)) = -sin(pi x) both go through, but x is any real
    return one("induction_over_a_real_symbol", sin(pi * x), 0, induction=x)   # x = 1/2: 1


# ---- cases ---------------------------------------------------------------------------------------

@false("cases")
def real_symbol_single_case():
    return one("real_symbol_single_case", x, 0, cases=({x: 0},))          # x is any real


@false("cases")
def label_case_missing():
    return one("label_case_missing", lab, 0, cases=({lab: 0},), domains={lab: {0, 1}})   # y = 1


@false("cases")
def one_case_false():
    lhs = -lab * log(s) - (1 - lab) * log(1 - s)
    return one("one_case_false", lhs, -log(1 - s), cases=({lab: 0}, {lab: 1}),
               domains={lab: {0, 1}, **PROB})                              # y = 1: -log s vs -log(1-s)


@false("cases")
def interval_domain_cases():
    return one("interval_domain_cases", x ** 2, x, cases=({x: 0}, {x: 1}), domains={x: (0, 1)})   # x = 1/2


@false("cases")
def three_valued_label_two_cases():
    return one("three_valued_label_two_cases", lab * (lab - 1), 0, cases=({lab: 0}, {lab: 1}),
               domains={lab: {0, 1, 2}})                                   # y = 2: 2


@false("cases")
def two_labels_missing_combination():
    combos = ({lab1: 0, lab2: 0}, {lab1: 0, lab2: 1}, {lab1: 1, lab2: 0})
    return one("two_labels_missing_combination", Max(lab1, lab2), lab1 + lab2, cases=combos,
               domains={lab1: {0, 1}, lab2: {0, 1}})                       # (1, 1): 1 vs 2


@false("cases")
def case_fixes_a_real_beside_a_label():
    return one("case_fixes_a_real_beside_a_label", lab * x, 0,
               cases=({lab: 0, x: 0}, {lab: 1, x: 0}), domains={lab: {0, 1}})   # y = 1, x = 1


# ---- definitions ---------------------------------------------------------------------------------

@false("define", problem=True)
def dimension_defined_as_one():
    d = D("dimension_defined_as_one", dims=(p,))
    d.define(p, 1, "specialise the dimension")
    d.step(h * h.T, scalar(h.T * h) * sp.Identity(p), "true only when p = 1")   # p = 2: rank 1 vs rank 2
    return d


@false("define", problem=True)
def dimension_defined_trace():
    d = D("dimension_defined_trace", dims=(p,))
    d.define(p, 1, "specialise the dimension")
    d.step(sp.Trace(sp.Identity(p)), 1, "true only when p = 1")
    return d


@false("define", problem=True)
def sum_index_defined():
    d = D("sum_index_defined")
    d.define(k, 5, "k hits the summation index below")
    d.step(Sum(k, (k, 1, n)), 5 * n, "sum of a constant")                 # n = 2: 3 vs 10
    return d


@false("define", problem=True)
def integral_variable_defined():
    d = D("integral_variable_defined")
    d.define(y, x + 1, "y hits the integration variable below")
    d.step(Integral(y, (y, 0, 1)), x + 1, "integral of a constant")      # 1/2 vs x + 1
    return d


@false("define", bad=(), problem=True)
def defined_twice():
    d = D("defined_twice")
    d.define(a_, x, "first meaning")
    d.define(a_, x + 1, "second meaning")
    d.step(a_ + 1, x + 2, "uses one of them")
    return d


@false("define", bad=(), problem=True)
def circular_definitions():
    d = D("circular_definitions")
    d.define(a_, b_ + 1, "a from b")
    d.define(b_, a_ - 1, "b from a")
    d.step(a_ - b_, 1, "either definition")
    return d


@false("define", problem=True)
def label_with_domain_defined():
    d = D("label_with_domain_defined", domains={lab: {0, 1}})
    d.define(lab, 2, "a label redefined outside its domain")
    d.step(lab ** 2, 4, "y^2 = 4")                                        # y in {0, 1}
    return d


@false("define", bad=(), problem=True)
def defined_as_bare_number():
    d = D("defined_as_bare_number")
    d.define(a_, 3, "a bare number")
    d.step(a_ * x, 3 * x, "substitute")
    return d


# ---- chains --------------------------------------------------------------------------------------

@false("chain", bad=(1,))
def unchained_second_step():
    d = D("unchained_second_step")
    d.step(sin(x) ** 2 + cos(x) ** 2, 1, "Pythagoras")
    d.step(cosh(x) ** 2 - sinh(x) ** 2, 1, "true, but its left side is not the previous right side")
    return d


@false("chain")
def restatement_literal():
    return one("restatement_literal", x ** 2 + sin(x), x ** 2 + sin(x))


@false("chain")
def restatement_after_canonical_order():
    return one("restatement_after_canonical_order", x + y, y + x)        # SymPy builds the same object


@false("chain", bad=(), problem=True)
def result_not_backed():
    d = D("result_not_backed")
    d.step(sin(x) ** 2 + cos(x) ** 2, 1, "an unrelated true step")
    d.result("tanh_prime", cos(x))
    return d


@false("chain", bad=(), problem=True)
def result_differs_from_chain():
    d = D("result_differs_from_chain")
    d.derive(Derivative(tanh(x), x), name="tanh_prime")
    d.then(1 - tanh(x) ** 2, "derivative of tanh")
    d.result("tanh_prime", cos(x))
    return d


@false("chain")
def result_on_a_false_chain():
    d = D("result_on_a_false_chain")
    d.derive(Derivative(tanh(x), x), name="tanh_prime")
    d.then(1 + tanh(x) ** 2, "wrong sign")
    d.result("tanh_prime")
    return d


@false("chain")
def derive_then_other_quantity():
    d = D("derive_then_other_quantity")
    d.derive(Derivative(tanh(x), x), name="tanh_prime")
    d.step(Derivative(sinh(x), x), cosh(x), "true, but not about the derived quantity")
    d.result("tanh_prime")
    return d


@false("chain", bad=(1,))
def false_middle_step():
    d = D("false_middle_step")
    d.step(x ** 2 - 1, (x - 1) * (x + 1), "difference of squares")
    d.then((x - 1) ** 2, "wrong")                                         # x = 0: -1 vs 1
    d.then(x ** 2 - 2 * x + 1, "expand")
    return d


@false("chain", bad=(), problem=True)
def result_at_complex_value():
    d = D("result_at_complex_value")
    d.derive(Derivative(log(1 + exp(-x)), x), name="dl")
    d.then(-sigmoid(-x), "chain rule")
    d.result("dl", at={x: I * y})                                         # x is real
    return d


@false("chain", bad=(), problem=True)
def result_at_label():
    d = D("result_at_label", domains={lab: {0, 1}})
    d.derive(lab ** 2, name="sq")
    d.then(lab, "a label is 0 or 1", cases=({lab: 0}, {lab: 1}))
    d.result("sq", at={lab: x})                                           # would claim x^2 = x
    return d


# ---- mixed partials and Indexed ------------------------------------------------------------------

@false("partials")
def mixed_polynomial_wrong():
    return one("mixed_polynomial_wrong", Derivative(x ** 2 * y ** 3, x, y), 6 * x ** 2 * y)


@false("partials")
def mixed_trigonometric_missing_term():
    return one("mixed_trigonometric_missing_term", Derivative(sin(x * y), x, y), cos(x * y))


@false("partials")
def mixed_third_order_missing_term():
    return one("mixed_third_order_missing_term", Derivative(exp(x * y), (x, 2), y), x * y ** 2 * exp(x * y))


@false("partials")
def indexed_missing_factor():
    return one("indexed_missing_factor", Derivative(W[1] ** 2 * W[2], W[1]), 2 * W[1])


@false("partials")
def indexed_wrong_variable():
    return one("indexed_wrong_variable", Derivative(W[1] * W[2] ** 2, W[1]), 2 * W[1] * W[2])   # it is W[2]^2


@false("partials")
def indexed_entries_not_independent():
    return one("indexed_entries_not_independent", Derivative(W[1] ** 2, W[2]), 2 * W[1])   # it is 0


TRUE = [cl for cl in CLAIMS if cl.true]
FALSE = [cl for cl in CLAIMS if not cl.true]
