"""Inequality steps: proved only with a structural sign of the gap, refuted by the independent numeric route."""
import pytest
import sympy as sp

from derivations import CHECKED, FAILED, PROVED
from derivations.core import Derivation, Proof
from derivations.inequality import NEG, NONNEG, POS, combine, sign_of

x, y = sp.symbols("x y", real=True)
a, b = sp.symbols("a b", positive=True)
s = sp.Symbol("s", nonnegative=True)
z = sp.Symbol("z")                       # no assumptions: complex


def _status(lhs, rhs, relation, certificate=None):
    d = Derivation("t", "t")
    d.derive(lhs).then(rhs, "claim", relation=relation, certificate=certificate)
    return d.verify().steps[0]


@pytest.mark.parametrize("lhs, rhs, relation, expected", [
    (x * y, (x**2 + y**2) / 2, "<=", PROVED),          # the gap factors to (x − y)²/2
    (2 * x, x**2 + 1, "<=", PROVED),
    (x**2 + 1, 2 * x, ">=", PROVED),
    (a, a + s, "<=", PROVED),
    (a, a + s, "<", FAILED),                           # s = 0 is allowed: equal, so not strictly less
    (a, a + 1 / b, "<", PROVED),
    (x**2 + 1, 2 * x, "<=", FAILED),                   # false: violated at sampled points
    (x, x + 1, ">", FAILED),
    (1 + x, sp.exp(x), "<=", CHECKED),                 # true, but the gap's sign is not structural
    (x, x**2, "<=", FAILED),                           # false between 0 and 1
])
def test_verdicts(lhs, rhs, relation, expected):
    assert _status(lhs, rhs, relation).status == expected


def test_certificate_must_equal_the_gap_and_be_signed():
    assert _status(a * b, (a**2 + b**2) / 2, "<=", certificate=(a - b)**2 / 2).status == PROVED
    assert _status(x, x + 1, "<", certificate=sp.Integer(2)).status == CHECKED        # not the gap
    assert _status(x, x + 1, "<", certificate=x - x + 1 - y + y).status == PROVED
    assert _status(x * y, (x**2 + y**2) / 2, "<=", certificate=(x - y) / 2).status == CHECKED  # not signed


@pytest.mark.parametrize("e, sign", [
    (x**2, NONNEG), ((x - 1)**2 + 1, POS), (-a * b, NEG), (a / b, POS), (sp.exp(x), POS),
    (sp.Abs(z), NONNEG), (sp.sqrt(a) * s, NONNEG), (x**2 - 1, None), (x**-2, None), (sp.sqrt(x), None),
    (z**2, None), (a**x, POS), (x * y, None), (-(x**2), "nonpositive"),
])
def test_sign_of_reads_structure_only(e, sign):
    assert sign_of(e) == sign


def test_chains_combine_and_refuse_mixed_directions():
    assert combine(["=", "<=", "="]) == "<=" and combine(["<=", "<"]) == "<" and combine(["=", "="]) == "="
    d = Derivation("t", "t")
    d.derive(a).then(a + s, "up", relation="<=")
    with pytest.raises(ValueError, match="mix"):
        d.then(a, "down", relation=">=")


def test_bad_arguments_are_refused():
    d = Derivation("t", "t")
    with pytest.raises(ValueError, match="relation must be one of"):
        d.derive(a).then(a + 1, "?", relation="=<")
    with pytest.raises(ValueError, match="certificate belongs"):
        Derivation("t", "t").derive(a).then(a + 1, "?", certificate=sp.Integer(1))
    n = sp.Symbol("n", integer=True, positive=True)
    with pytest.raises(ValueError, match="induction proves equalities"):
        Derivation("t", "t").derive(n).then(n + 1, "?", relation="<", induction=n)


def test_a_bound_is_not_a_result():
    d = Derivation("t", "t")
    d.derive(a * b, name="bound").then((a**2 + b**2) / 2, "AM-GM", relation="<=")
    d.result("bound")
    proof = d.verify()
    assert [r.status for r in proof.steps] == [PROVED]
    assert not proof.ok and any("inequality" in p for p in proof.problems)
    assert Proof.claim(proof.chains[0]) == "<="


def test_cases_are_judged_as_inequalities():
    t = sp.Symbol("t")
    d = Derivation("t", "t", domains={t: {0, 1}})
    d.derive(t * a).then(a, "t is 0 or 1", relation="<=", cases=({t: 0}, {t: 1}))
    d.derive(t * a, name="wrong").then(a / 2, "false at t = 1", relation="<=", cases=({t: 0}, {t: 1}))
    assert [r.status for r in d.verify().steps] == [PROVED, FAILED]


def test_matrix_sides_are_refused():
    A = sp.MatrixSymbol("A", 2, 2)
    assert _status(A, 2 * A, "<=").status == FAILED


def test_the_report_prints_the_relation_with_its_status():
    from deepderive.report.chains import group_chains, render_chain

    d = Derivation("t", "t")
    d.derive(a * b).then((a**2 + b**2) / 2, "AM-GM", relation="<=").then(a**2 + b**2, "halves", relation="<")
    d.derive(x**2 + 1, name="false").then(2 * x, "no", relation="<=")
    steps = d.verify().steps
    first, second = (render_chain(g, steps) for g in group_chains(steps))
    assert r"&\le \ddrhs" in first and r"&< \ddrhs" in first
    assert r"\textcolor{ddfailed}{\overset{?}{\le}}" in second


def test_vector_norms_are_signed_and_certificates_use_the_matrix_engine():
    from derivations.matrices import scalar

    p = sp.Symbol("p", integer=True, positive=True)
    u, v = sp.MatrixSymbol("u", p, 1), sp.MatrixSymbol("v", p, 1)
    d = Derivation("t", "t", dims=(p,))
    d.derive(2 * scalar(u.T * v)).then(scalar(u.T * u) + scalar(v.T * v), "2uᵀv ≤ ‖u‖² + ‖v‖²", relation="<=",
                                       certificate=scalar((u - v).T * (u - v)))
    d.derive(sp.Integer(0), name="not signed").then(scalar(u.T * v), "uᵀv has no sign", relation="<=")
    assert [r.status for r in d.verify().steps] == [PROVED, FAILED]
    assert sign_of(scalar(u.T * u)) == NONNEG and sign_of(scalar(u.T * v)) is None
