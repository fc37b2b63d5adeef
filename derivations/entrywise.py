"""Entrywise matrix functions: f applied to every entry (``Map``), and a normal form for Hadamard products of them."""
from __future__ import annotations

import itertools

import sympy as sp
from sympy import MatrixExpr

# The bound variable of every Map's function: one fixed Dummy (a fixed index, so that equal functions are
# equal trees), which no user can write: a plain Symbol("t") would capture a free t of the function's body.
SLOT = sp.Dummy("t", real=True, dummy_index=790_061)


class _Shown(sp.Symbol):
    """A stand-in printed as given LaTeX: a Map prints as its function applied to its argument."""

    def _latex(self, printer, exp=None):
        return self.name


class Map(MatrixExpr):
    r"""``Map(f, M)``: the function f (a SymPy function class or a one-argument Lambda) applied to every
    entry of the matrix expression M, e.g. ``Map(sigmoid, W.T*x + b)`` for :math:`\sigma(W^T x + b)`."""

    def __new__(cls, f, m):
        body = f.expr.xreplace({f.variables[0]: SLOT}) if isinstance(f, sp.Lambda) else f(SLOT)
        if not isinstance(m, MatrixExpr) and not isinstance(m, sp.MatrixBase):
            raise TypeError(f"Map applies a function to a matrix expression, not to {m!r}")
        return sp.Basic.__new__(cls, sp.Lambda(SLOT, body), m)

    function = property(lambda self: self.args[0])
    arg = property(lambda self: self.args[1])
    body = property(lambda self: self.args[0].expr)

    @property
    def shape(self):
        return self.arg.shape

    def _entry(self, i, j, **kwargs):
        return self.body.xreplace({SLOT: self.arg[i, j]})

    def _eval_transpose(self):
        return Map(self.function, self.arg.T)

    def doit(self, **hints):
        m = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(m, sp.MatrixBase):
            return sp.ImmutableMatrix(m.rows, m.cols, lambda i, j: self.body.xreplace({SLOT: m[i, j]}))
        return Map(self.function, m)

    def derivative(self):
        """Map(f', M): the entrywise derivative (scalar differentiation of f, trusted as everywhere)."""
        return Map(sp.Lambda(SLOT, sp.diff(self.body, SLOT)), self.arg)

    def _latex(self, printer, exp=None):
        # f(M) when the function is applied directly (its own brackets suffice), (M) inside anything else
        applied = {a: sp.Dummy() for a in self.body.atoms(sp.Function) if a.args == (SLOT,)}
        bare = isinstance(self.arg, sp.MatrixSymbol) or not self.body.xreplace(applied).has(SLOT)
        inner = _Shown(printer._print(self.arg) if bare else r"\left(%s\right)" % printer._print(self.arg))
        s = printer._print(self.body.xreplace({SLOT: inner}))
        if isinstance(self.body, sp.Add):       # 1 − σ(z) as a factor of a product: bracketed
            s = r"\left(%s\right)" % s
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


# ---- a normal form, so that the matrix-level route can compare entrywise expressions ------------

def _pull_scalars(h):
    """HadamardProduct(c·A, B) → c·HadamardProduct(A, B), with Maps over one argument multiplied into one."""
    coeff, mats = sp.S.One, []
    for a in h.args:
        if isinstance(a, sp.MatMul):
            scal = [x for x in a.args if not getattr(x, "is_Matrix", False)]
            mat = [x for x in a.args if getattr(x, "is_Matrix", False)]
            coeff *= sp.Mul(*scal)
            mats.append(sp.MatMul(*mat).doit() if len(mat) > 1 else mat[0])
        else:
            mats.append(a)
    by_arg: dict = {}
    rest = []
    for m in mats:
        if isinstance(m, Map):
            by_arg.setdefault(m.arg, []).append(m.body)
        else:
            rest.append(m)
    merged = [Map(sp.Lambda(SLOT, sp.Mul(*bodies)), arg) for arg, bodies in by_arg.items()]
    factors = rest + merged
    prod = factors[0] if len(factors) == 1 else sp.HadamardProduct(*factors).doit()
    return coeff * prod if coeff != 1 else prod


def merge_entrywise(expr):
    """Scalars out of Hadamard products and Maps over one argument merged, innermost first."""
    if not expr.has(sp.HadamardProduct):
        return expr
    expr = expr.replace(lambda e: isinstance(e, sp.HadamardProduct), _pull_scalars)
    # a scalar pulled out lands in a product nested in its parent: flatten, so it joins the coefficient
    return expr.replace(lambda e: isinstance(e, sp.MatMul), lambda e: e.doit(deep=False))


def unify_maps(expr, equal):
    """Every Map replaced by the first Map over the same argument whose function ``equal`` proves the same:
    the matrix-level grouping then sees one matrix part where the entrywise functions agree."""
    maps = sorted({m for m in sp.preorder_traversal(expr) if isinstance(m, Map)}, key=sp.default_sort_key)
    table = {}
    for a, b in itertools.combinations(maps, 2):
        if a.arg == b.arg and b not in table and a not in table and equal(a.body, b.body):
            table[b] = a
    return expr.xreplace(table) if table else expr
