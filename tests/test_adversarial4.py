"""Adversarial checks of inequality steps: false claims that must not be proved, true ones that must get a verdict."""
import pytest
import sympy as sp

from derivations import FAILED, PROVED
from derivations.core import Derivation
from derivations.inequality import NONNEG, POS, sign_of
from derivations.matrices import scalar

n = sp.Symbol("n", integer=True)
q = sp.Symbol("q", rational=True)
j = sp.Symbol("j", integer=True, positive=True)     # positive, yet used as an index running over negatives
x = sp.Symbol("x", real=True)


def _step(lhs, rhs, relation, certificate=None, **kw):
    d = Derivation("t", "t", **kw)
    d.derive(lhs).then(rhs, "claim", relation=relation, certificate=certificate)
    return d.verify().steps[0]


def test_sympy_sign_rules_of_its_functions_are_not_trusted():
    # SymPy: atan(m) for an integer m >= 0 is "positive" (atan of a nonzero rational is irrational, and the
    # rule forgets m = 0). Both claims are false at n = 14 and q = 3/7, points the sampler never visits.
    assert sp.atan(sp.Symbol("m", integer=True, nonnegative=True)).is_positive   # the SymPy bug itself
    assert _step(0, sp.atan((n - 14) ** 2), "<").status != PROVED
    assert _step(0, sp.atan((q - sp.Rational(3, 7)) ** 2), "<").status != PROVED
    assert sign_of(sp.atan(x ** 2)) is None


def test_a_bound_index_is_known_from_its_range_not_its_assumptions():
    # Σ_{j=-2}^{1} j = -2, but SymPy signs it "positive" from j's own assumption; as a certificate it made
    # 1/2 <= (n-14)² (false at n = 14) proved.
    s = sp.Sum(j, (j, -2, 1))
    assert s.doit() == -2 and sign_of(s) not in (POS, NONNEG)
    assert sign_of(sp.Sum(j ** 3, (j, -2, 1))) not in (POS, NONNEG)
    certificate = (n - 14) ** 2 + (s + 2) - sp.Rational(1, 2)
    assert _step(sp.Rational(1, 2), (n - 14) ** 2, "<=", certificate).status != PROVED
    # an inner range using an outer index is judged without that index's own assumption: for j = −1 the
    # inner Σ_{i=1}^{−1} is Karr-reversed, −Σ_{i=0}^{0}, negative
    i = sp.Symbol("i", integer=True)
    y = sp.IndexedBase("y", real=True)
    assert sign_of(sp.Sum(y[i] ** 2 + 1, (i, 1, j), (j, -3, -1))) is None
    # what still holds: a sum of squares over a range, and an empty range only weakly signed
    k, m = sp.Symbol("k", integer=True), sp.Symbol("m", integer=True, positive=True)
    assert sign_of(sp.Sum(y[k] ** 2, (k, 1, m))) == NONNEG
    assert sign_of(sp.Sum(sp.exp(y[k]), (k, 1, m))) == POS
    assert sign_of(sp.Sum(sp.exp(y[k]), (k, m, m - 1 + n ** 2))) == NONNEG


def test_squared_norm_of_a_complex_vector_is_not_signed():
    p = sp.Symbol("p", integer=True, positive=True)
    v, w = sp.MatrixSymbol("v", p, 1), sp.MatrixSymbol("w", p, 1)
    X = sp.I * v + sp.I * w                  # XᵀX = −(v + w)ᵀ(v + w) ≤ 0
    assert sign_of(scalar(X.T * X)) is None
    assert sign_of(scalar((v + w).T * (v + w))) == NONNEG


def test_complex_sides_are_a_counterexample_not_a_crash():
    # acos(2)² = −1.73…: mpmath returns complex values, which the comparison used to crash on
    r = _step(0, sp.acos(x) ** 2, "<=")
    assert r.status != PROVED and "could not be judged" not in r.detail and "not real" in r.detail


def test_an_integer_claim_false_off_the_sampled_list_is_refuted_at_the_root_of_its_gap():
    # 1/2 <= (n-14)² fails at n = 14 only, which the list of sampled integers never takes: the sampler also
    # visits the real roots of a polynomial gap (14 ± 1/√2) and the integers around them
    r = _step(sp.Rational(1, 2), (n - 14) ** 2, "<=")
    assert r.status == FAILED and "n=14" in r.detail


def test_a_nonzero_symbol_is_never_sampled_at_zero():
    r = _step(0, sp.Symbol("x", nonzero=True) ** 2, "<")
    assert "x=0.0" not in r.detail
