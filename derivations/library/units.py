"""Threshold logic units (R1): AND, OR and NOT by truth tables, any Boolean function by a DNF, XOR in two layers but not one."""
from itertools import product

import sympy as sp
from sympy.solvers.simplex import linprog

from ..core import Derivation
from ..functions import _Defined
from ..registry import register


class _AtNumbers:
    """Mixed into a threshold unit: its value at numbers is computed at once, so a truth-table case is a
    number. (A mixin, not a _Defined subclass: every _Defined subclass is unfolded by its own definition.)"""

    real_on_reals = True

    @classmethod
    def eval(cls, *args):
        if all(a.is_Rational for a in args):
            return cls.definition(*args)


class heaviside(_AtNumbers, _Defined):
    r"""The step :math:`H(z) = \mathbb{1}\{z \ge 0\}`: a unit fires on its threshold, H(0) = 1 (the lecture's
    convention, not SymPy's H(0) = 1/2). Defined as a Piecewise, so the numeric route evaluates its own branch."""

    latex_name, pretty_name = "H", "H"

    @staticmethod
    def definition(z):
        return sp.Piecewise((1, z >= 0), (0, True))


def _unit(name, weights, bias):
    """The lecture's threshold unit `name`, H(Σ wᵢuᵢ + b), as a function of its inputs (a class, like σ)."""
    def definition(*u):
        return heaviside.definition(sum(w * v for w, v in zip(weights, u)) + bias)

    u = sp.symbols(f"u_1:{len(weights) + 1}")
    doc = rf"The lecture's {name} unit, :math:`H({sp.latex(sum(w * v for w, v in zip(weights, u)) + bias)})`."
    return type(name, (_AtNumbers, _Defined), {
        "__doc__": doc, "__module__": __name__, "nargs": len(weights), "latex_name": rf"\operatorname{{{name}}}",
        "pretty_name": name, "definition": staticmethod(definition)})


# The lecture's units, one row each: (weights, bias).
AND = _unit("AND", (1, 1), -sp.Rational(3, 2))
OR = _unit("OR", (1, 1), -sp.Rational(1, 2))
NOT = _unit("NOT", (-1,), sp.Rational(1, 2))


x1, x2 = sp.Symbol("x_1", real=True), sp.Symbol("x_2", real=True)
BITS = {0, 1}
INPUTS = tuple({x1: i, x2: j} for i, j in product((0, 1), repeat=2))    # the four rows of a truth table
# f_ij: the value of a Boolean function of two inputs at (x_1, x_2) = (i, j), each 0 or 1 (16 functions in all)
F = {(i, j): sp.Symbol(f"f_{i}{j}", real=True) for i, j in product((0, 1), repeat=2)}

# The Boolean functions in arithmetic form on {0, 1}: what each unit must compute.
AND_TABLE, OR_TABLE, XOR_TABLE = x1 * x2, x1 + x2 - x1 * x2, x1 + x2 - 2 * x1 * x2


def _gates(d):
    """AND, OR, NOT: the lecture's units, proved on every row of their truth tables."""
    d.derive(heaviside(x1 + x2 - sp.Rational(3, 2)), name="AND").then(AND_TABLE,
           r"the four rows: $x_1 + x_2 - \frac32 \ge 0$ only at $(1, 1)$, where $x_1x_2 = 1$", cases=INPUTS)
    d.derive(heaviside(x1 + x2 - sp.Rational(1, 2)), name="OR").then(OR_TABLE,
           r"the four rows: $x_1 + x_2 - \frac12 \ge 0$ unless $x_1 = x_2 = 0$, where $x_1 + x_2 - x_1x_2 = 0$",
           cases=INPUTS)
    d.derive(heaviside(sp.Rational(1, 2) - x1), name="NOT").then(1 - x1,
           r"both rows: $-x_1 + \frac12 \ge 0$ only at $x_1 = 0$", cases=({x1: 0}, {x1: 1}))


def _literal(x, bit):
    return x if bit else NOT(x)


def minterm(i, j):
    """The AND unit that fires at (x_1, x_2) = (i, j) only: AND of x_k or NOT(x_k)."""
    return AND(_literal(x1, i), _literal(x2, j))


def dnf_network():
    """f as a DNF of units: OR over the four minterms, each gated by its table entry (AND(f_ij, m_ij))."""
    g = [AND(F[i, j], minterm(i, j)) for i, j in product((0, 1), repeat=2)]
    return OR(OR(g[0], g[1]), OR(g[2], g[3]))


def _dnf(d):
    """Any f: {0,1}² → {0,1}, as its 4 table values f_ij, is computed by the DNF network (exhaustively)."""
    terms = sp.Add(*[F[i, j] * minterm(i, j) for i, j in product((0, 1), repeat=2)])
    table = sp.Add(*[F[i, j] * (x1 if i else 1 - x1) * (x2 if j else 1 - x2) for i, j in product((0, 1), repeat=2)])
    everything = tuple({**row, **dict(zip(F.values(), v))} for row in INPUTS for v in product((0, 1), repeat=4))
    d.derive(dnf_network(), name="DNF").then(terms,
           r"all $4 \times 16 = 2^6$ cases (the 4 inputs $(x_1, x_2)$ times the 16 tables $f_{ij}$): "
           r"$\operatorname{AND}(f_{ij}, m) = f_{ij}m$, and the minterms "
           r"$m_{ij}$ are disjoint, so the OR of the gated minterms (at most one is 1) is their sum", cases=everything)
    d.then(table, r"the four inputs: $m_{ij}$ fires at $(x_1, x_2) = (i, j)$ only, where "
                  r"$x_1^{i}(1-x_1)^{1-i}\,x_2^{j}(1-x_2)^{1-j} = 1$", cases=INPUTS)


# XOR by one unit H(w_1x_1 + w_2x_2 + b): its pre-activation at each row with the sign XOR demands there.
w1, w2, b = sp.Symbol("w_1", real=True), sp.Symbol("w_2", real=True), sp.Symbol("b", real=True)
# (g, strict) for the rows (0,0), (0,1), (1,0), (1,1): XOR needs g > 0 where strict, g >= 0 elsewhere
XOR_CONSTRAINTS = ((-b, True), (w2 + b, False), (w1 + b, False), (-(w1 + w2 + b), True))
LAMBDAS = sp.symbols("lambda_1:5", nonnegative=True)
SLACKS = tuple(sp.Symbol(f"s_{k}", positive=True) if strict else sp.Symbol(f"s_{k}", nonnegative=True)
               for k, (_, strict) in enumerate(XOR_CONSTRAINTS, start=1))


def farkas_multipliers(constraints=XOR_CONSTRAINTS, unknowns=(w1, w2, b)):
    """λ ≥ 0 with Σ λ_i g_i ≡ 0 and weight ≥ 1 on the strict constraints, the smallest Σ λ_i: a Farkas
    certificate that no (w, b) has every g_i ≥ 0 (> 0 where strict). Exact: SymPy's simplex on rationals.
    (The g_i are linear forms without constant terms: Σ λ_i g_i ≡ 0 is M λ = 0, M their coefficients.)

    SymPy 1.14's simplex returns infeasible points for this LP when M λ = 0 is among its constraints
    (as Eq or as pairs of inequalities; cf. sympy issue #28089 on its first phase): so M λ = 0 is solved
    first, λ = N t over a basis N of M's null space, the LP sees inequalities in t only, and its answer
    is checked exactly before use."""
    M = sp.Matrix([[sp.expand(g).coeff(u) for g, _ in constraints] for u in unknowns])
    if any(sp.expand(g).subs(dict.fromkeys(unknowns, 0)) != 0 for g, _ in constraints):
        raise ValueError("farkas_multipliers needs linear forms without constant terms")
    basis = M.nullspace()
    if not basis:
        raise ValueError("the constraints' linear forms are independent: no combination vanishes")
    N = sp.Matrix.hstack(*basis)                                   # λ = N t
    strict = sp.Matrix([[int(is_strict) for _, is_strict in constraints]])
    # minimise Σλ = 1ᵀN t subject to −N t ≤ 0 (λ ≥ 0) and −(strict)ᵀN t ≤ −1; t is free
    ones = sp.ones(1, len(constraints))
    A = sp.Matrix.vstack(-N, -strict * N)
    bound = sp.Matrix([0] * len(constraints) + [-1])
    _, t = linprog(ones * N, A, bound, bounds=(None, None))
    lam = N * sp.Matrix(t)
    if M * lam != sp.zeros(len(unknowns), 1) or any(l < 0 for l in lam) or (strict * lam)[0] < 1:
        raise RuntimeError(f"SymPy's simplex returned {list(lam)}, which is not a Farkas certificate")
    return tuple(lam)


def _xor_not_one_unit(d, multipliers):
    combo = sum(l * g for l, (g, _) in zip(LAMBDAS, XOR_CONSTRAINTS))
    shown = ", ".join(sp.latex(m) for m in multipliers)
    d.derive(sp.Subs(combo, LAMBDAS, multipliers), name="farkas").then(0,
           r"Farkas certificate from the exact LP: $\lambda = (" + shown + r")$; the coefficients of $w_1$, $w_2$ "
           r"and $b$ cancel, for every $(w_1, w_2, b)$")
    d.derive(sp.Subs(sum(l * s for l, s in zip(LAMBDAS, SLACKS)), LAMBDAS, multipliers), name="farkas_sign").then(
           0, r"with $s_1, s_4 > 0$, $s_2, s_3 \ge 0$ and $\lambda \ge 0$, $\lambda_1 + \lambda_4 > 0$: the combination "
              r"of the four pre-activations is $> 0$. At a unit computing XOR the $s_i$ are those pre-activations, "
              r"whose combination is identically 0 (chain above): $0 > 0$, so no such unit exists", relation=">")


def _xor_two_layers(d):
    hidden = (heaviside(x1 + x2 - sp.Rational(1, 2)), heaviside(sp.Rational(3, 2) - x1 - x2))
    d.derive(AND(*hidden), name="XOR").then(XOR_TABLE,
           r"the four rows: the hidden units are $\operatorname{OR}$ and $\operatorname{NAND} = H(\frac32 - x_1 - x_2)$; "
           r"both fire at $(0,1)$ and $(1,0)$ only", cases=INPUTS)


STATEMENT = (
    r"A threshold unit computes $H(\sum_i w_i x_i + b)$ with $H(z) = \mathbf{1}\{z \ge 0\}$ (so $H(0) = 1$), on "
    r"inputs $x_i \in \{0, 1\}$. A Boolean function is written in arithmetic form on $\{0,1\}$: "
    r"$\operatorname{AND} = x_1x_2$, $\operatorname{OR} = x_1 + x_2 - x_1x_2$, $\operatorname{NOT} = 1 - x_1$, "
    r"$\operatorname{XOR} = x_1 + x_2 - 2x_1x_2$. Proved: (i) the lecture's units $\operatorname{AND}(x_1, x_2) = "
    r"H(x_1 + x_2 - \frac32)$, $\operatorname{OR}(x_1, x_2) = H(x_1 + x_2 - \frac12)$, $\operatorname{NOT}(x_1) = "
    r"H(-x_1 + \frac12)$ compute these, on every row of their truth tables. (ii) Every $f: \{0,1\}^2 \to \{0,1\}$, "
    r"given by its table $f_{ij} = f(i, j) \in \{0, 1\}$, is computed by its disjunctive normal form "
    r"$\operatorname{OR}_{ij}\operatorname{AND}(f_{ij}, m_{ij})$ with the minterm $m_{ij} = \operatorname{AND}("
    r"\ell_i(x_1), \ell_j(x_2))$, $\ell_1(x) = x$, $\ell_0(x) = \operatorname{NOT}(x)$ (gating by $f_{ij}$ keeps "
    r"exactly the minterms where $f = 1$), exhaustively over the inputs and all 16 tables. For $n$ inputs the same "
    r"argument holds (in words, not an engine step): the minterm of a row, an AND of $n$ literals, fires on that row only; the OR of the minterms "
    r"of the rows where $f = 1$ is $f$ (and ANDs and ORs of $n$ inputs are trees of two-input units). "
    r"(iii) XOR is not one unit: it would need $-b > 0$, $w_2 + b \ge 0$, $w_1 + b \ge 0$ and $-(w_1 + w_2 + b) > 0$ "
    r"(its rows $(0,0), (0,1), (1,0), (1,1)$); multipliers $\lambda \ge 0$ found by an exact LP combine the four "
    r"left sides to 0 identically, while the signs make the same combination of their values, $s_1, s_4 > 0$ and "
    r"$s_2, s_3 \ge 0$, positive (two proved chains; that the $s_i$ are those left sides, which joins them into "
    r"a contradiction, is said in words). (iv) XOR is $\operatorname{AND}(\operatorname{OR}(x_1, x_2), "
    r"\operatorname{NAND}(x_1, x_2))$, two layers.")


def build_with(multipliers=None):
    """The derivation, with the LP's Farkas multipliers or with ``multipliers`` (a test's wrong ones must fail)."""
    d = Derivation("threshold-units", "Threshold logic units: AND, OR, NOT, any Boolean function, and XOR",
                   source="R1", statement=STATEMENT,
                   domains={x1: BITS, x2: BITS, **{f: BITS for f in F.values()}},
                   names={**{l: rf"\lambda_{k}" for k, l in enumerate(LAMBDAS, start=1)},
                          **{f: rf"f_{{{i}{j}}}" for (i, j), f in F.items()}})
    _gates(d)
    _dnf(d)
    _xor_not_one_unit(d, farkas_multipliers() if multipliers is None else multipliers)
    _xor_two_layers(d)
    return d


@register("threshold-units")
def build():
    return build_with()
