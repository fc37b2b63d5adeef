"""The chain rule (R16) and forward against reverse mode (R18): both derivations are proved, their results
agree with independent computations (mpmath differentiation, autograd's JVPs and VJPs, counting the
multiply-adds of a literal loop), and false variants are rejected by the engine."""
import random

import autograd.numpy as anp
import mpmath
import numpy as np
import pytest
import sympy as sp
from autograd import jacobian, make_jvp, make_vjp

import derivations.library.chain_rule as cr
import derivations.library.modes as md
from derivations import FAILED, PROVED, Derivation
from derivations.functions import sigmoid, unfold


# ---- chain-rule --------------------------------------------------------------------------------

def test_chain_rule_every_step_proved(library_proof):
    proof = library_proof("chain-rule")
    assert proof.ok, [(s.chain_name, s.status, s.detail) for s in proof.steps if s.status != PROVED]
    chains = {c[0].chain_name for c in proof.chains}
    assert {"chain_m1", "chain_m2", "chain_m3", "perturb", "partial", "chain_rule", "grad"} <= chains


def _ridge_at(m, params):
    """The ridge class at a concrete m: every Indexed parameter and m replaced by numbers."""
    w, a, b = params
    table = {cr.m: m}
    for kk in range(1, m + 1):
        table.update({cr.W[kk]: w[kk - 1], cr.A[kk]: a[kk - 1], cr.B[kk]: b[kk - 1]})
    return table


@pytest.mark.parametrize("m", [1, 4])
def test_ridge_gradient_matches_mpmath_differentiation(m):
    rng = random.Random(16 + m)
    params = tuple([rng.uniform(-2, 2) for _ in range(m)] for _ in range(3))
    w, a, b = params
    x0 = 0.37

    def y(x):          # written here by hand: σ(Σ_k w_k tanh(a_k x + b_k))
        s = mpmath.fsum(w[i] * mpmath.tanh(a[i] * x + b[i]) for i in range(m))
        return 1 / (1 + mpmath.exp(-s))

    with mpmath.workdps(30):
        expected = mpmath.diff(y, x0)
    d = cr.build()
    closed = unfold(d.results["grad"].replace(lambda e: isinstance(e, cr.preactivation),
                                              lambda e: e.definition(*e.args)))
    value = sp.N(closed.subs(cr.m, m).doit().subs(_ridge_at(m, params)).subs(cr.x, x0), 30)
    assert abs(float(value) - float(expected)) <= 1e-12 * max(1.0, abs(float(expected)))


def _one_step(lhs, rhs):
    d = Derivation("wrong", "a false variant")
    d.derive(lhs, name="claim").then(rhs, "claimed")
    return d.verify()


def test_chain_rule_missing_a_term_is_rejected():
    f, gs = cr.EXPLICIT[2]
    full = cr.chain_terms(f, gs)
    dropped = full - full.args[0]                           # one of the two products left out
    assert len(sp.Add.make_args(dropped)) == 1
    proof = _one_step(sp.Derivative(f(*gs), cr.x), dropped)
    assert not proof.ok and proof.steps[0].status == FAILED, proof.steps[0].detail
    assert "differs" in proof.steps[0].detail


def test_chain_rule_for_symbolic_m_missing_the_last_term_is_rejected():
    k, m, x = cr.k, cr.m, cr.x
    lhs = sp.Derivative(sigmoid(cr.preactivation(m, x)), x)
    short = sp.Sum(cr.ridge_partial(k) * sp.Derivative(cr.hidden(k), x), (k, 1, m - 1))
    proof = _one_step(lhs, short)
    assert not proof.ok and proof.steps[0].status == FAILED, proof.steps[0].detail


def test_partial_without_the_weight_is_rejected():
    proof = _one_step(cr.ridge_partial(cr.k), cr.sigmoid_prime(cr.preactivation(cr.m, cr.x)))
    assert not proof.ok and proof.steps[0].status == FAILED, proof.steps[0].detail


# ---- forward-vs-reverse ---------------------------------------------------------------------------

def test_modes_every_step_proved(library_proof):
    proof = library_proof("forward-vs-reverse")
    assert proof.ok, [(s.chain_name, s.status, s.detail) for s in proof.steps if s.status != PROVED]


def test_sweep_counts_rebuild_autograds_jacobian():
    """n JVPs (forward) or m VJPs (reverse) with basis vectors rebuild the Jacobian autograd computes."""
    d = md.build()
    rng = np.random.default_rng(18)
    for n_in, m_out in ((5, 2), (2, 4)):
        A = rng.normal(size=(m_out, n_in))
        f = lambda v: anp.tanh(anp.dot(A, v)) * anp.sum(v ** 2)
        x0 = rng.normal(size=n_in)
        J = jacobian(f)(x0)
        fwd_sweeps = int(d.results["sweeps_forward"].subs(md.n, n_in))
        rev_sweeps = int(d.results["sweeps_reverse"].subs(md.m, m_out))
        assert (fwd_sweeps, rev_sweeps) == (n_in, m_out)
        jvp, vjp = make_jvp(f)(x0), make_vjp(f)(x0)[0]
        columns = [jvp(np.eye(n_in)[i])[1] for i in range(fwd_sweeps)]
        rows = [vjp(np.eye(m_out)[i]) for i in range(rev_sweeps)]
        np.testing.assert_allclose(np.stack(columns, axis=1), J, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(np.stack(rows, axis=0), J, rtol=1e-12, atol=1e-12)
        # one sweep fewer misses a column (row): the counts are also necessary
        assert np.abs(J[:, fwd_sweeps - 1]).max() > 0 and np.abs(J[rev_sweeps - 1]).max() > 0


def _count_matmul(a, b, p):
    """Multiply-adds of a naive (a×b)(b×p) product, counted by running its loops."""
    ops = 0
    for _ in range(a):
        for _ in range(p):
            for _ in range(b):
                ops += 1
    return ops


@pytest.mark.parametrize("widths", [(3, 5, 2), (4, 1), (2, 6, 3, 7)])
def test_costs_match_counted_multiply_adds(widths):
    d = md.build()
    t = len(widths) - 1
    table = {md.width[i]: widths[i] for i in range(t + 1)}
    defs = {s: e for s, e, _ in d.definitions}
    evaluation = sum(_count_matmul(widths[i + 1], widths[i], 1) for i in range(t))
    forward = sum(_count_matmul(widths[i + 1], widths[i], widths[0]) for i in range(t))   # all tangents at once
    reverse = sum(_count_matmul(widths[t], widths[i + 1], widths[i]) for i in range(t))    # all cotangents at once

    def value(name):
        e = d.results[name].xreplace(defs).xreplace({md.t: t}).doit()     # widths appear once t is known
        return int(e.xreplace(table))
    assert value("cost_eval") == evaluation
    assert value("cost_forward") == forward == widths[0] * evaluation
    assert value("cost_reverse") == reverse == widths[-1] * evaluation
    assert value("advantage") == forward - reverse
    one_at_a_time = {seeds: seeds * sum(_count_matmul(widths[i + 1], widths[i], 1) * 2 for i in range(t))
                     for seeds in (widths[0], widths[-1])}          # each sweep: the values, then one seed
    assert value("cost_forward_sweeps") == one_at_a_time[widths[0]]
    assert value("cost_reverse_sweeps") == one_at_a_time[widths[-1]]


def test_reverse_mode_with_n_sweeps_is_rejected():
    J, r, c, i = md.J, md.r, md.c, md.i
    d = Derivation("wrong", "reverse mode with n sweeps")
    d.define(md.n, c + md.d_n, "n >= c")
    d.define(md.m, r + md.d_m, "m >= r")
    d.derive(sp.Sum(md.delta(r, i) * J[i, c], (i, 1, md.n)), name="claim").then(J[r, c], "claimed")
    proof = d.verify()
    assert not proof.ok and proof.steps[0].status == FAILED, proof.steps[0].detail
    assert "differs" in proof.steps[0].detail


def test_reverse_cost_with_the_input_width_is_rejected():
    d = Derivation("wrong", "reverse mode costed with n_0")
    d.define(md.E, md.one_evaluation(), "one evaluation")
    d.derive(md.batched(md.width[md.t]), name="claim").then(md.width[0] * md.E, "claimed")
    proof = d.verify()
    assert not proof.ok and proof.steps[0].status == FAILED, proof.steps[0].detail
