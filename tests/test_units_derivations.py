"""threshold-units, perceptron and soft-heaviside (R1, R2, R6): fully proved, and wrong versions of their claims fail."""
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import linprog

from derivations import FAILED, PROVED, Derivation
from derivations.library import perceptron, units
from derivations.library.units import AND, OR, NOT, heaviside, x1, x2

INPUTS = units.INPUTS


@pytest.mark.parametrize("name", ["threshold-units", "perceptron", "soft-heaviside"])
def test_fully_proved(name, library_proof):
    proof = library_proof(name)
    assert proof.ok, [(s.why, s.status, s.detail) for s in proof.steps if s.status != PROVED] or proof.problems


def _claim(lhs, rhs, cases=(), relation="=", domains=None):
    d = Derivation("t", "t", domains=domains or {x1: {0, 1}, x2: {0, 1}})
    d.derive(lhs).then(rhs, "claim", cases=cases, relation=relation)
    return d.verify().steps[0].status


@pytest.mark.parametrize("unit, table, truth", [
    (heaviside(x1 + x2 - sp.Rational(1, 2)), x1 * x2, False),           # the OR unit is not AND
    (heaviside(x1 + x2 - sp.Rational(3, 2)), x1 + x2 - x1 * x2, False),  # nor the AND unit OR
    (heaviside(x1 + x2 - 2), x1 * x2, True),     # bias −2 is AND too, only because H(0) = 1 at (1, 1)
    (heaviside(x1 + x2 - 2), x1 + x2 - x1 * x2, False),
    (NOT(x1), x1, False),
])
def test_truth_tables_are_decided_on_every_row(unit, table, truth):
    assert _claim(unit, table, cases=INPUTS if unit.has(x2) else ({x1: 0}, {x1: 1})) == (PROVED if truth else FAILED)


def test_heaviside_fires_on_its_threshold():
    assert heaviside(0) == 1 and heaviside(sp.Rational(-1, 10**9)) == 0
    z = sp.Symbol("z", real=True)
    assert [float(heaviside.definition(z).subs(z, v)) for v in (-1, 0, 1)] == [0.0, 1.0, 1.0]


def test_gates_are_the_lecture_units():
    for (i, j) in ((0, 0), (0, 1), (1, 0), (1, 1)):
        assert AND(i, j) == int(i + j - 1.5 >= 0) and OR(i, j) == int(i + j - 0.5 >= 0)
    assert (NOT(0), NOT(1)) == (1, 0)


def test_xor_is_infeasible_for_an_independent_lp_and_and_is_not():
    # SciPy's HiGHS on the primal: find (w1, w2, b) with the strict rows at a margin 1 (any strict solution scales to it)
    def feasible(table):
        rows, rhs = [], []
        for (u, v), out in zip(((0, 0), (0, 1), (1, 0), (1, 1)), table):
            z = [u, v, 1]
            rows.append([-c for c in z] if out else z)                 # out = 1: z ≥ 0; out = 0: z ≤ −1
            rhs.append(0 if out else -1)
        res = linprog(np.zeros(3), A_ub=rows, b_ub=rhs, bounds=[(None, None)] * 3, method="highs")
        return res.status == 0
    assert not feasible((0, 1, 1, 0))
    assert feasible((0, 0, 0, 1)) and feasible((0, 1, 1, 1))


def test_farkas_certificate_is_exact_and_a_wrong_one_fails():
    lam = units.farkas_multipliers()
    assert all(isinstance(v, sp.Rational) and v >= 0 for v in lam)
    combo = sum(v * g for v, (g, _) in zip(lam, units.XOR_CONSTRAINTS))
    assert sp.expand(combo) == 0 and lam[0] + lam[3] > 0
    wrong = units.build_with(multipliers=(sp.Rational(1, 2),) * 3 + (1,)).verify()
    (step,) = [s for s in wrong.steps if s.chain_name == "farkas"]
    assert step.status == FAILED and not wrong.ok


def test_perceptron_sign_steps_need_their_hypotheses():
    # without the mistake condition (m ≤ 0) one update can grow ‖w‖² by more than η²R²
    m_any = sp.Symbol("m", real=True)
    p = perceptron
    d = Derivation("t", "t")
    d.define(p.rho, p.R ** 2 - p.eps)
    d.derive(p.n + 2 * p.eta * m_any + p.eta ** 2 * p.rho).then(p.n + p.eta ** 2 * p.R ** 2, "no hypothesis", relation="<=")
    assert d.verify().steps[0].status == FAILED
