"""Adversarial tests of the proving engine (issue #8): false claims written as an outside tester would.

Each false claim below is shown false by mpmath at an explicit counterexample, inside the test, before
the engine is asked: the engine must not prove it (no step "proved" among the false ones, no ok) and,
where the counterexample is easy to find, must not let it hold as "checked" either. verify() must never
raise. A few true controls at the end must be proved. The labels come from the mathematics, never from
the engine.
"""
import multiprocessing
import resource

import mpmath
import pytest
import sympy as sp
from sympy import (Abs, Derivative, Heaviside, I, Integral, IndexedBase, Max, Min, MatrixSymbol, Piecewise,
                   Rational, Sum, Trace, binomial, ceiling, cos, exp, floor, im, log, oo, pi, re, sign, sin)

from derivations import PROVED, Derivation

x, y = sp.symbols("x y", real=True)
t = sp.Symbol("t", real=True)
z = sp.Symbol("z")                                  # complex: no assumptions
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True)
xn = sp.Symbol("xn", negative=True)
p = sp.Symbol("p", integer=True, positive=True)
A, B = MatrixSymbol("A", p, p), MatrixSymbol("B", p, p)
a = MatrixSymbol("a", p, 1)
W = IndexedBase("W")                                # entries complex, as SymPy reads an IndexedBase
Wr = IndexedBase("Wr", real=True)


def D(name, **context):
    return Derivation(name, f"adversarial {name}", statement="adversarial claim", source="issue 8", **context)


def one(name, lhs, rhs, cases=(), **context):
    d = D(name, **context)
    d.step(lhs, rhs, "claim under test", cases=cases)
    return d


def _describe(proof):
    lines = [f"  step {i}: {s.status}: {s.detail}" for i, s in enumerate(proof.steps)]
    return "\n".join(lines + [f"  problem: {m}" for m in proof.problems])


def rejected(d, bad=(0,), strict=True):
    """The false claim is not proved, not ok and (strict: its counterexample is easy) does not hold."""
    proof = d.verify()                               # must not raise
    assert not proof.ok, f"{d.name} accepted:\n{_describe(proof)}"
    proved = [i for i in bad if i < len(proof.steps) and proof.steps[i].status == PROVED]
    assert not proved, f"{d.name}: false step(s) {proved} proved:\n{_describe(proof)}"
    if strict:
        assert not proof.holds, f"{d.name} holds (checked) though false:\n{_describe(proof)}"
    return proof


def differs(f, g, *point, tol=mpmath.mpf("1e-20"), dps=60):
    """mpmath: f and g differ at the point (the counterexample that makes the claim false)."""
    with mpmath.workdps(dps):
        return abs(mpmath.mpmathify(f(*point)) - mpmath.mpmathify(g(*point))) > tol


# ==== PROVED or ok though false ==========================================================================

def test_result_named_by_a_derive_with_no_steps():
    # derive(d/dx x³, name="d3") opens no chain (nothing follows it); result("d3", x²) is then backed by an
    # unrelated proved chain ending in x². d/dx x³ = 3x², not x².
    assert differs(lambda v: mpmath.diff(lambda s: s**3, v), lambda v: v**2, 2)
    d = D("dangling-derive")
    d.step(x**2 * (sin(x)**2 + cos(x)**2), x**2, "Pythagoras")
    d.derive(Derivative(x**3, x), name="d3")
    d.result("d3", x**2)
    proof = d.verify()
    assert not proof.ok and proof.problems, _describe(proof)


def test_result_at_ignores_the_negative_assumption():
    # log(x²)/2 = log(−x) holds for x < 0; at={x: y} with y merely real instantiates it where y > 0 is
    # allowed, giving the result log(−y) for the real quantity log(y²)/2 (e.g. y = 2: 0.693 vs log(−2)).
    assert differs(lambda v: mpmath.log(v**2) / 2, lambda v: mpmath.log(-v), 2)
    d = D("at-negative")
    d.derive(log(xn**2) / 2, name="r")
    d.then(log(-xn), "x < 0")
    d.result("r", at={xn: y})
    proof = d.verify()
    assert not proof.ok and proof.problems, _describe(proof)


def test_definition_captured_by_a_sum_index():
    # alpha := k² names an expression in the free k; Σ_{k=1}^{n} alpha = n·k² (alpha does not depend on
    # the bound index). Substituting the definition under the binder captures k and "proves" Σ k².
    assert differs(lambda nn, kk: nn * kk**2, lambda nn, kk: nn * (nn + 1) * (2 * nn + 1) / 6, 1, 0)
    alpha = sp.Symbol("alpha", real=True)
    d = D("define-captured")
    d.define(alpha, k**2)
    d.step(Sum(alpha, (k, 1, n)), n * (n + 1) * (2 * n + 1) / 6, "sum of squares")
    rejected(d, strict=False)


def test_empty_finite_domain_proves_anything():
    # A domain with no value: the cases "cover" it with one arbitrary case, and y = 0 is proved.
    yy = sp.Symbol("yy", real=True)
    d = one("empty-domain", yy, 0, cases=({yy: 0},), domains={yy: set()})
    proof = d.verify()
    assert not proof.ok, _describe(proof)


def test_case_split_on_a_complex_kink_quantity():
    # The split on the sign of g = x + z assumes g real, but z is complex; the factor H(−Re z − 30|Im z|)
    # vanishes off a thin wedge around the negative real axis, which the sampler never visits.
    # At z = −1 + 0.01i, x = 0: H(0.7)·(|z|² − z²) = 0.0002 + 0.02i ≠ 0.
    zz = mpmath.mpc(-1, 0.01)
    assert differs(lambda v: (1 if -v.real - 30 * abs(v.imag) > 0 else 0) * (abs(v)**2 - v**2), lambda v: 0, zz)
    rejected(one("complex-kink-split", Heaviside(-re(z) - 30 * Abs(im(z))) * (Abs(x + z)**2 - (x + z)**2), 0))


def test_case_split_on_a_complex_indexed_entry():
    # W is an IndexedBase without assumptions, so W[1] is complex: at x = 0, W[1] = i, |i|² = 1 ≠ i² = −1.
    assert differs(lambda v: abs(v)**2, lambda v: v**2, mpmath.mpc(0, 1))
    rejected(one("complex-indexed-split", Abs(x + W[1])**2, (x + W[1])**2))


def test_inverse_of_a_singular_matrix():
    # a aᵀ has rank 1: for p ≥ 2 it has no inverse, so tr((a aᵀ)⁻¹ a aᵀ) = p is not an identity.
    with mpmath.workdps(50):
        v = mpmath.matrix([[1], [2]])
        assert mpmath.det(v * v.T) == 0
    # SymPy's own constructor cancels M⁻¹M to I (assuming M invertible) before the engine sees the claim,
    # so the claim is written unevaluated: what reaches the engine must be refused by the numeric route.
    d = one("singular-inverse", Trace(sp.MatMul(sp.Inverse(a * a.T), a * a.T, evaluate=False)), p, dims=(p,))
    rejected(d, strict=False)


# ==== "checked" (holds) though a counterexample is easy ==================================================

def test_min_beyond_the_sampled_magnitudes():
    # min(x, 10⁷) = x fails for every x > 10⁷; the kink is where the arguments are equal, not at x = 0.
    assert differs(lambda v: min(v, 10**7), lambda v: v, 2 * 10**7)
    rejected(one("min-1e7", Min(x, 10**7), x))


def test_bump_at_an_irrational_kink():
    # max(0, 10⁻⁶ − |x − π|) = 0 fails on (π − 10⁻⁶, π + 10⁻⁶); the kink sampler skips irrational roots.
    assert differs(lambda v: max(0, mpmath.mpf(10)**-6 - abs(v - mpmath.pi)), lambda v: 0, mpmath.pi)
    rejected(one("bump-pi", Max(0, Rational(1, 10**6) - Abs(x - pi)), 0))


def test_bump_at_a_nonlinear_kink():
    # max(0, 10⁻⁶ − |x² − 2|) = 0 fails at x = √2; a nonlinear kink argument is never sampled.
    assert differs(lambda v: max(0, mpmath.mpf(10)**-6 - abs(v**2 - 2)), lambda v: 0, mpmath.sqrt(2))
    rejected(one("bump-sqrt2", Max(0, Rational(1, 10**6) - Abs(x**2 - 2)), 0))


def test_piecewise_false_only_at_zero():
    # [x = 0] = 0 fails at x = 0; conditions of a Piecewise are never sampled at their boundary.
    rejected(one("piecewise-zero", Piecewise((1, sp.Eq(x, 0)), (0, True)), 0))


def test_integers_that_are_multiples_of_six():
    # ⌈n/6⌉ = ⌊n/6⌋ + 1 fails at n = 6, 12, …: none of the sampled integers is a multiple of 6.
    assert differs(lambda v: mpmath.ceil(v / 6), lambda v: mpmath.floor(v / 6) + 1, 6)
    rejected(one("multiples-of-six", ceiling(n / 6), floor(n / 6) + 1))


def test_integers_beyond_41():
    # min(n, 42) = n fails for n ≥ 43.
    assert differs(lambda v: min(v, 42), lambda v: v, 43)
    rejected(one("beyond-41", Min(n, 42), n))


def test_complex_symbol_on_the_real_axis():
    # sign(Im z)² = 1 fails for every real z (z = 1); complex samples never lie on the real axis.
    rejected(one("complex-real-axis", sign(im(z))**2, 1))


def test_complex_symbol_near_the_negative_axis():
    # H(−Re z − 30|Im z|) = 0 fails at z = −1; complex samples keep |arg z| ≤ 3.1.
    rejected(one("complex-wedge", Heaviside(-re(z) - 30 * Abs(im(z))), 0))


def test_complex_indexed_entry_sampled_real():
    # |W[1]|² = W[1]² fails at W[1] = i (W has no assumptions), but entries are sampled real.
    rejected(one("complex-indexed", Abs(W[1])**2, W[1]**2))


def test_difference_below_the_fixed_precision():
    # exp(x·10⁻⁷⁰) = 1 fails for every x ≠ 0: the difference (about 10⁻⁷⁰ x) does not shrink when the
    # precision doubles, but it is below the absolute noise floor of the second pass.
    assert differs(lambda v: mpmath.exp(v * mpmath.mpf(10)**-70), lambda v: 1, 1, tol=mpmath.mpf(10)**-80, dps=120)
    rejected(one("below-1e-60", exp(x * Rational(1, 10**70)), 1))


def test_trace_identity_true_only_up_to_size_three():
    # e₄ of the eigenvalues, (t₁⁴ − 6t₁²t₂ + 3t₂² + 8t₁t₃ − 6t₄)/24 with t_k = tr A^k, vanishes for p ≤ 3
    # and is det A for p = 4 (A = I₄: 24·1 ≠ 0); sizes stop at 3.
    with mpmath.workdps(30):
        m = mpmath.diag([1, 2, 3, 4])
        tr = [sum((m**j)[i, i] for i in range(4)) for j in range(1, 5)]
        e4 = tr[0]**4 - 6 * tr[0]**2 * tr[1] + 3 * tr[1]**2 + 8 * tr[0] * tr[2] - 6 * tr[3]
        assert abs(e4 - 24 * mpmath.det(m)) < 1e-20 and e4 != 0
    t1, t2, t3, t4 = (Trace(A**j) for j in (1, 2, 3, 4))
    rejected(one("e4-p4", t1**4 - 6 * t1**2 * t2 + 3 * t2**2 + 8 * t1 * t3 - 6 * t4, 0, dims=(p,)))


def test_domain_on_a_dimension_specialises_it():
    # det(A + B) = det A + det B holds for p = 1 only; declaring p ∈ {1} and splitting on it specialises
    # the dimension, as define(p, 1) would (which is refused).
    with mpmath.workdps(30):
        ma, mb = mpmath.eye(2), mpmath.eye(2)
        assert mpmath.det(ma + mb) != mpmath.det(ma) + mpmath.det(mb)
    d = one("dimension-domain", sp.Determinant(A + B), sp.Determinant(A) + sp.Determinant(B),
            cases=({p: 1},), domains={p: {1}}, dims=(p,))
    rejected(d)


def test_divergent_series_summed_by_extrapolation():
    # Σ_{k≥0} (−1)^k diverges (its partial sums are 1, 0, 1, …); nsum returns its Abel value 1/2.
    partial = [sum((-1)**j for j in range(m + 1)) for m in range(6)]
    assert partial == [1, 0, 1, 0, 1, 0]
    rejected(one("divergent-series", Sum((-1)**k, (k, 0, oo)), Rational(1, 2)))


def test_points_where_one_side_diverges_are_skipped():
    # ∫₀^∞ e^{−xt} dt = 1/x only for x > 0; at x = −1 the integral is +∞ while 1/x = −1.
    with mpmath.workdps(30):
        assert mpmath.quad(lambda s: mpmath.exp(s), [0, 50]) > 1e20
    rejected(one("divergent-integral", Integral(exp(-x * t), (t, 0, oo)), 1 / x))


# ==== verify() must never raise =========================================================================

@pytest.mark.parametrize("value", [I, x], ids=["complex", "symbol"])
def test_domain_value_that_is_not_a_real_number(value):
    # y² = y on {0, value} is false at y = value (i² = −1 ≠ i; x² ≠ x for x = 2).
    yy = sp.Symbol("yy", real=True)
    d = one("odd-domain", yy**2, yy, cases=({yy: 0}, {yy: value}), domains={yy: {0, value}})
    proof = d.verify()                               # raises TypeError today (sorted(..., key=float))
    assert not proof.ok


def _verify_in_child(queue):
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    try:
        proof = one("binomial-42", binomial(n, 42), 0).verify()
        queue.put(("done", proof.ok, proof.holds))
    except BaseException as exc:                     # MemoryError included
        queue.put(("raised", type(exc).__name__, ""))


def test_large_binomial_is_judged_in_bounded_time_and_memory():
    # binomial(n, 42) = 0 is false for n ≥ 42 (binomial(42, 42) = 1). "exp of both sides" simplifies
    # exp(binomial(n, 42)), a degree-42 polynomial in an exponent: minutes and >14 GB, never an answer.
    assert binomial(42, 42) == 1
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_verify_in_child, args=(queue,))
    child.start()
    child.join(15)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("verify() of binomial(n, 42) = 0 did not finish within 15 s")
    outcome = queue.get(timeout=5)
    assert outcome[0] == "done", f"verify() raised {outcome[1]}"
    assert not outcome[1], "binomial(n, 42) = 0 accepted"


# ==== true controls: proved ==============================================================================

def test_control_case_split_on_a_real_indexed_entry():
    # |x + Wr[1]| = max(x + Wr[1], −x − Wr[1]) for real entries.
    d = one("real-indexed-split", Abs(x + Wr[1]), Max(x + Wr[1], -x - Wr[1]))
    proof = d.verify()
    assert proof.ok, _describe(proof)


def test_control_min_plus_max():
    d = one("min-plus-max", Min(x, 10**7) + Max(x, 10**7), x + 10**7)
    proof = d.verify()
    assert proof.ok, _describe(proof)


def test_control_negative_chain_and_result_without_at():
    d = D("negative-chain")
    d.derive(log(xn**2) / 2, name="r")
    d.then(log(-xn), "x < 0")
    d.result("r")
    proof = d.verify()
    assert proof.ok, _describe(proof)


def test_control_derive_with_its_step():
    d = D("derive-with-step")
    d.derive(Derivative(x**3, x), name="d3")
    d.then(3 * x**2, "power rule")
    d.result("d3")
    proof = d.verify()
    assert proof.ok, _describe(proof)


def test_control_sum_of_squares():
    d = one("sum-of-squares", Sum(k**2, (k, 1, n)), n * (n + 1) * (2 * n + 1) / 6)
    proof = d.verify()
    assert proof.ok, _describe(proof)
