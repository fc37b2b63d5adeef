"""Gradients with respect to a matrix (issue 8, item 9): every row of the rule tables is checked
against SymPy's elementwise diff of explicit matrices, and whole derivations prove the true claims
and do not prove their false variants.

The independent route here is plain SymPy on explicit matrices of symbols: the claim's entry u is
built at explicit sizes with SymPy's own doit (not the engine's to_explicit), each ∂u/∂X_ij is
taken with sp.diff, and the rule's matrix is compared entry by entry, exactly, at random rational
points (a nonzero rational function vanishes at random rational points with negligible chance).
The expected gradients of the derivation tests are the textbook ones (Petersen & Pedersen, The
Matrix Cookbook: derivatives of determinants, of linear forms and of traces), not values read off
the engine.
"""
import random

import pytest
import sympy as sp
from sympy import Abs, Determinant, Trace, exp, log

from derivations import PROVED, Derivation, Grad, hessian, scalar, sigmoid
from derivations.entrywise import Map
from derivations.functions import sigmoid_prime
from derivations.matrices import ENTRY_RULES, TERM_RULES, _coeff_mats, _term_shape, _terms, grad_rule
from derivations.prove import Context, components, symbolic

p = sp.Symbol("p", integer=True, positive=True)
q = sp.Symbol("q", integer=True, positive=True)
X = sp.MatrixSymbol("X", p, q)            # non-square
S = sp.MatrixSymbol("S", p, p)            # square, general (not symmetric)
A = sp.MatrixSymbol("A", q, p)
B = sp.MatrixSymbol("B", p, q)
C = sp.MatrixSymbol("C", p, p)
a = sp.MatrixSymbol("a", p, 1)
b = sp.MatrixSymbol("b", q, 1)
c = sp.MatrixSymbol("c", p, 1)
w = sp.MatrixSymbol("w", p, 1)            # a column vector, as the lecture's w

SIZES = ({p: 1, q: 1}, {p: 2, q: 3}, {p: 3, q: 2}, {p: 2, q: 2})


# ---- every rule row, against SymPy's diff of explicit matrices --------------------------------------

# Examples per row: (entry u, the matrix it is differentiated by). Each row of ENTRY_RULES and of
# TERM_RULES needs at least one; a row added to a table without an example fails the coverage test.
ENTRY_EXAMPLES = {
    "log|det X|": [(log(Abs(Determinant(S))), S), (log(Abs(Determinant(S.T))), S)],
    "log det X": [(log(Determinant(S)), S)],
    "det X": [(Determinant(S), S), (Determinant(S.T), S)],
    "tr M": [(Trace(A * X), X), (Trace(X * A), X), (Trace(S), S), (Trace(B * X.T), X),
             (Trace(X.T * C * X), X), (Trace(2 * A * X + A * B * A * X - X.T * C * B), X)],
    "scalar(M)": [(scalar(a.T * X * b), X), (scalar(b.T * X.T * a), X), (scalar(a.T * w), w),
                  (scalar(w.T * c), w), (scalar(w.T * C * w), w), (scalar(w.T * w), w),
                  (scalar(3 * a.T * X * b - b.T * X.T * a), X),
                  # entrywise functions: one layer, a layer's transpose, two layers deep
                  (scalar(a.T * Map(sigmoid, X * b)), X), (scalar(b.T * Map(sp.tanh, X.T * a)), X),
                  (scalar(a.T * Map(sigmoid, C * Map(sp.tanh, X * b))), X)],
}

# f(u) of entries u: the chain rule through grad_rule, checked the same way.
CHAIN_EXAMPLES = [
    (exp(scalar(a.T * X * b)), X),
    (Trace(A * X) ** 2 + 3 * Trace(X * A), X),
    (log(1 + exp(-scalar(b.T * X.T * a))), X),
    (Determinant(S) ** 2 + log(Abs(Determinant(S))) * Trace(C * S), S),
    (sp.sin(scalar(a.T * S * c)) * log(Determinant(S)), S),
]


def _explicit_matrices(mats, sizes):
    out = {}
    for m in sorted(mats, key=lambda s: s.name):
        r, k = (int(sp.sympify(d).subs(sizes)) for d in m.shape)
        out[m] = sp.ImmutableMatrix(r, k, lambda i, j: sp.Symbol(f"{m.name}{i}{j}", real=True))
    return out


def _explicit(e, table, sizes):
    """SymPy's own evaluation at explicit matrices: xreplace the symbols, then doit."""
    # SymPy's own entrywise application, not the engine's Map.doit
    e = e.replace(lambda n: isinstance(n, Map), lambda n: n.arg.applyfunc(n.function))
    e = e.xreplace(table).subs(sizes).doit()
    if isinstance(e, (sp.MatrixExpr, sp.MatrixBase)):
        return sp.ImmutableMatrix(e.as_explicit() if isinstance(e, sp.MatrixExpr) else e)
    return e


def _rational_points(symbols, n, seed):
    rng = random.Random(seed)
    for _ in range(n):
        yield {s: sp.Rational(rng.randint(-40, 40), rng.randint(1, 9)) for s in symbols}


def _check_against_diff(u, m, sizes, points=3):
    """Compare the engine's ∇_m u with [∂u/∂m_ij] computed by sp.diff at explicit sizes."""
    rule = grad_rule(u, m)
    mats = {s for e in (u, rule) for s in e.atoms(sp.MatrixSymbol)} | {m}
    table = _explicit_matrices(mats, sizes)
    me = table[m]
    ue = _explicit(u, table, sizes)
    want = sp.ImmutableMatrix(*me.shape, lambda i, j: sp.diff(ue, me[i, j]))
    symbols = sorted(set().union(*(x.free_symbols for x in table.values())), key=str)
    checked = 0
    for point in _rational_points(symbols, 3 * points, seed=f"{u}|{sizes}"):
        at = {k: v.xreplace(point) for k, v in table.items()}
        try:
            got = _explicit(rule, at, sizes)          # the rule's matrix at the point (inverses of numbers)
        except ValueError:                            # a singular matrix here: say nothing at this point
            continue
        expected = want.xreplace(point)
        if any(not v.is_finite for v in list(expected) + list(got)):
            continue
        assert got.shape == expected.shape, (u, sizes, got.shape, expected.shape)
        diff = (expected - got).applyfunc(lambda e: sp.simplify(sp.expand(e)))
        assert diff == sp.zeros(*diff.shape), (u, m, sizes, point, expected, got)
        checked += 1
        if checked == points:
            break
    assert checked == points, f"too few regular points for {u} at {sizes}"


def _term_rows(u, m):
    """The TERM_RULES rows an entry's terms reach, by the engine's own matcher: the coverage test checks
    that the examples reach every row; whether the rows are right is what the diff test checks."""
    rows = set()
    for term in _terms(u.args[0]):
        shape = _term_shape(_coeff_mats(term)[1], m)
        if shape:
            rows.add(shape[0])
    return rows


def test_every_rule_row_has_examples():
    assert set(ENTRY_EXAMPLES) == {row[0] for row in ENTRY_RULES}
    for name, examples in ENTRY_EXAMPLES.items():
        assert examples and all(next(r for r in ENTRY_RULES if r[0] == name)[1](u, m) for u, m in examples), name
    linear = [(u, m) for name in ("tr M", "scalar(M)") for u, m in ENTRY_EXAMPLES[name]]
    reached = set().union(*(_term_rows(u, m) for u, m in linear))
    # "P H Q" evaluates nothing: it leaves the gradient through a layered matrix to an induction
    # hypothesis (tests/test_backprop_depth.py proves with it and rejects wrong recursions)
    assert reached == set(TERM_RULES) - {"P H Q"}


def test_a_layered_matrix_is_left_to_the_induction():
    from derivations.families import HeldGrad
    from derivations.library.backprop import Hidden, bk, k, L, xin, a as cot
    held = grad_rule(scalar(cot.T * Hidden(L, k, xin, bk)), bk)
    assert isinstance(held, HeldGrad) and held.args[1] == bk


@pytest.mark.parametrize("u, m", [pytest.param(u, m, id=f"{name}: {u}") for name, ex in ENTRY_EXAMPLES.items()
                                  for u, m in ex] +
                         [pytest.param(u, m, id=f"chain: {u}") for u, m in CHAIN_EXAMPLES])
def test_rule_matches_elementwise_diff(u, m):
    for sizes in SIZES:
        if m.shape[0] == m.shape[1] and sizes[p] != sizes[q] and q in m.free_symbols:
            continue
        _check_against_diff(u, m, sizes)


def test_rule_values_are_the_textbook_ones():
    """The table's rows give the Matrix Cookbook's forms (checked structurally, with no engine route)."""
    assert grad_rule(scalar(a.T * X * b), X) == a * b.T
    assert grad_rule(scalar(b.T * X.T * a), X) == a * b.T
    assert grad_rule(Trace(A * X), X) == A.T
    assert grad_rule(Trace(X * A), X) == A.T
    assert grad_rule(Trace(S), S) == sp.Identity(p)
    assert grad_rule(log(Abs(Determinant(S))), S) == S.I.T
    assert grad_rule(Determinant(S), S) == Determinant(S) * S.I.T


# ---- whole derivations: true claims proved, false variants not --------------------------------------

TRUE = [
    # (id, lhs, rhs, context)
    ("aTXb", Grad(scalar(a.T * X * b), X), a * b.T, {}),
    ("bTXTa", Grad(scalar(b.T * X.T * a), X), a * b.T, {}),
    ("sum of multiples", Grad(3 * scalar(a.T * X * b) - scalar(b.T * X.T * a) / 2 + 2 * Trace(A * X), X),
     sp.Rational(5, 2) * a * b.T + 2 * A.T, {}),
    ("tr(AX)", Grad(Trace(A * X), X), A.T, {}),
    ("tr(XA)", Grad(Trace(X * A), X), A.T, {}),
    ("tr X", Grad(Trace(S), S), sp.Identity(p), {}),
    ("tr(X^T C X)", Grad(Trace(X.T * C * X), X), (C + C.T) * X, {}),
    ("log|det X|", Grad(log(Abs(Determinant(S))), S), S.I.T, {}),
    ("log det X, X SPD", Grad(log(Determinant(S)), S), S.I, {"spd": (S,)}),
    ("log det X, X SPD, transposed", Grad(log(Determinant(S)), S), S.I.T, {"spd": (S,)}),
    ("det X", Grad(Determinant(S), S), Determinant(S) * S.I.T, {}),
    ("chain: exp(aTXb)", Grad(exp(scalar(a.T * X * b)), X), exp(scalar(a.T * X * b)) * a * b.T, {}),
    ("chain: logistic of bTXTa", Grad(log(1 + exp(-scalar(b.T * X.T * a))), X),
     -sigmoid(-scalar(a.T * X * b)) * a * b.T, {}),
    ("chain: tr(AX)^2", Grad(Trace(A * X) ** 2, X), 2 * Trace(A * X) * A.T, {}),
    ("chain: det^2", Grad(Determinant(S) ** 2, S), 2 * Determinant(S) ** 2 * S.I.T, {}),
    ("chain: sqrt det, X SPD", Grad(sp.sqrt(Determinant(S)), S), sp.sqrt(Determinant(S)) * S.I / 2, {"spd": (S,)}),
    # the Jacobian's product rule, for a matrix part P w: the Hessian of a quadratic form
    ("hessian of wTCw", hessian(scalar(w.T * C * w), w), C + C.T, {}),
    ("hessian of exp(aTw) wTw", hessian(exp(scalar(a.T * w)) * scalar(w.T * w), w),
     exp(scalar(a.T * w)) * (scalar(w.T * w) * a * a.T + 2 * w * a.T + 2 * a * w.T + 2 * sp.Identity(p)), {}),
    ("entrywise: aT sigma(X b)", Grad(scalar(a.T * Map(sigmoid, X * b)), X),
     sp.HadamardProduct(a, Map(sigmoid_prime, X * b)) * b.T, {}),
    ("entrywise: bT sigma(XT a), by W", Grad(scalar(b.T * Map(sigmoid, X.T * a)), X),
     a * sp.HadamardProduct(b, Map(sigmoid_prime, X.T * a)).T, {}),
    ("entrywise: sigma' = sigma(1 - sigma)", Grad(scalar(a.T * Map(sigmoid, w)), w),
     sp.HadamardProduct(a, Map(sigmoid, w), Map(sp.Lambda(sp.Symbol("u"), 1 - sigmoid(sp.Symbol("u"))), w)), {}),
    # |det Σ| = det Σ on the SPD cone, by components too (the parametrisation cannot carry the sign)
    ("|det X| for X SPD", Abs(Determinant(S)), Determinant(S), {"spd": (S,)}),
]

FALSE = [
    # the transposes and sign slips a hand derivation makes; S square so that both sides have one shape
    ("b aT for aTXb", Grad(scalar(a.T * S * c), S), c * a.T, {}),
    ("b aT for bTXTa", Grad(scalar(c.T * S.T * a), S), c * a.T, {}),
    ("A for tr(AX)", Grad(Trace(C * S), S), C, {}),
    ("A for tr(XA)", Grad(Trace(S * C), S), C, {}),
    ("X^-1 for log|det X|", Grad(log(Abs(Determinant(S))), S), S.I, {}),
    ("X^-1 for log det X", Grad(log(Determinant(S)), S), S.I, {}),
    ("det X X^-1 for det X", Grad(Determinant(S), S), Determinant(S) * S.I, {}),
    ("X^-T for det X", Grad(Determinant(S), S), S.I.T, {}),
    ("2 I for tr X", Grad(Trace(S), S), 2 * sp.Identity(p), {}),
    ("chain sign slip", Grad(exp(scalar(a.T * X * b)), X), exp(-scalar(a.T * X * b)) * a * b.T, {}),
    ("chain missing factor", Grad(Trace(A * X) ** 2, X), Trace(A * X) * A.T, {}),
    ("sum with one term transposed", Grad(scalar(a.T * S * c) + Trace(C * S), S), a * c.T + C, {}),
    ("hessian of wTCw as 2C", hessian(scalar(w.T * C * w), w), 2 * C, {}),            # C is not symmetric
    ("hessian missing the product rule", hessian(exp(scalar(a.T * w)) * scalar(w.T * w), w),
     exp(scalar(a.T * w)) * (scalar(w.T * w) * a * a.T + 2 * sp.Identity(p)), {}),
    ("|det X| for a general X", Abs(Determinant(S)), Determinant(S), {}),
    ("entrywise: sigma for sigma'", Grad(scalar(a.T * Map(sigmoid, S * c)), S),
     sp.HadamardProduct(a, Map(sigmoid, S * c)) * c.T, {}),
    ("entrywise: sigma' dropped", Grad(scalar(a.T * Map(sigmoid, S * c)), S), a * c.T, {}),
    ("entrywise: transposed", Grad(scalar(a.T * Map(sigmoid, S * c)), S),
     c * sp.HadamardProduct(a, Map(sigmoid_prime, S * c)).T, {}),
]


def _prove(lhs, rhs, context):
    d = Derivation("matrix-gradient", "a gradient with respect to a matrix", dims=(p, q), **context)
    d.derive(lhs).then(rhs, "matrix calculus")
    return d.verify()


def _context(context):
    spd = tuple(context.get("spd", ()))
    return Context(symmetric=spd, spd=spd, dims=(p, q))


def _params(claims):
    return [pytest.param(*c[1:], id=c[0]) for c in claims]


@pytest.mark.parametrize("lhs, rhs, context", _params(TRUE))
def test_true_gradient_is_proved(lhs, rhs, context):
    proof = _prove(lhs, rhs, context)
    step = proof.steps[0]
    assert step.status == PROVED and proof.ok, step.detail
    assert step.routes["symbolic"].startswith("matrix level") or "canonical form" in step.routes["symbolic"]
    assert "components" in step.routes, step.routes


@pytest.mark.parametrize("lhs, rhs, context", _params(FALSE))
def test_false_gradient_is_not_proved(lhs, rhs, context):
    assert symbolic(lhs, rhs, _context(context))[0] is False, "the matrix-level route reduced a false claim to 0"
    proof = _prove(lhs, rhs, context)
    assert not proof.ok
    assert all(s.status != PROVED for s in proof.steps), proof.steps[0].detail


def test_gradient_of_trace_is_identity_at_matrix_level_and_by_components():
    """∇_X tr X = I by the matrix-level rule and by explicit components at p = 1, 2, 3."""
    lhs, rhs, ctx = Grad(Trace(S), S), sp.Identity(p), Context(dims=(p,))
    assert symbolic(lhs, rhs, ctx)[0] is True
    ok, why = components(lhs, rhs, ctx)
    assert ok is True and "p = 3" in why, why
    assert symbolic(lhs, 2 * rhs, ctx)[0] is False and components(lhs, 2 * rhs, ctx)[0] is False


def test_chain_of_matrix_gradient_steps():
    """A two-step chain: the rules, then an algebraic rewrite; both proved, and the result backed. The
    same chain with a slip in the rewrite is not."""
    d = Derivation("logdet-plus-bilinear", "a chain", dims=(p,))
    d.derive(Grad(log(Abs(Determinant(S))) - 2 * scalar(a.T * S * c), S), name="g") \
        .then(S.I.T - 2 * a * c.T, "Jacobi's formula; the bilinear rule") \
        .then(sp.Transpose(S.I - 2 * c * a.T), "(M - N)^T = M^T - N^T; (c a^T)^T = a c^T")
    d.result("g")
    proof = d.verify()
    assert proof.ok, [(s.status, s.detail) for s in proof.steps] + list(proof.problems)
    d = Derivation("logdet-plus-bilinear-slip", "a chain with a slip", dims=(p,))
    d.derive(Grad(log(Abs(Determinant(S))) - 2 * scalar(a.T * S * c), S), name="g") \
        .then(S.I.T - 2 * a * c.T, "Jacobi's formula; the bilinear rule") \
        .then(sp.Transpose(S.I - 2 * a * c.T), "a transpose forgotten")
    d.result("g")
    proof = d.verify()
    assert [s.status for s in proof.steps][0] == PROVED and proof.steps[1].status != PROVED and not proof.ok
