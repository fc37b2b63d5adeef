"""Matrices indexed by a symbolic layer (W_j, h_j, δ_k): opaque until their indices are integers, then their definition."""
from __future__ import annotations

import re

import sympy as sp
from sympy import MatrixExpr


class Layered(MatrixExpr):
    """A matrix-valued function of integer layer indices, known by its ``definition``.

    Subclasses give ``shape_of(*args)`` and a staticmethod ``definition(*args)``: the matrix expression
    one layer down (or None while the indices are symbolic). Construction applies the definition once
    when it gives something (like ``Function.eval``), so a claim about a symbolic depth L stays
    symbolic and the same claim at a sampled L unrolls, one layer at a time, into explicit matrices.
    The numeric route evaluates the definition at the sampled integers; the matrix rules treat an
    unevaluated one as a matrix that depends on what its arguments contain (``has``) and, through
    ``creates``, on every matrix its definition may make at some integer index: differentiating by one
    of those while the index is symbolic is refused. The induction trusts that the symbolic branch of a
    definition agrees with its integer branch: keep both in one place, as backprop.py does.
    """

    creates: tuple = ()      # regexes of the MatrixSymbol names the definition makes, e.g. (r"W_\d+",)

    def may_create(self, m) -> bool:
        """Whether m may appear once this matrix's indices are integers (and not already among its arguments)."""
        return isinstance(m, sp.MatrixSymbol) and not self.has(m) and any(re.fullmatch(p, m.name) for p in self.creates)

    def __new__(cls, *args, evaluate=True):
        args = tuple(sp.sympify(a, strict=True) for a in args)
        if evaluate:
            value = cls.definition(*args)
            if value is not None:
                return value
        return sp.Basic.__new__(cls, *args)

    @staticmethod
    def definition(*args):
        raise NotImplementedError("a Layered matrix gives its definition")

    @classmethod
    def shape_of(cls, *args):
        raise NotImplementedError("a Layered matrix gives its shape")

    @property
    def shape(self):
        return self.shape_of(*self.args)

    def _eval_transpose(self):
        return None

    def doit(self, **hints):
        return type(self)(*[a.doit(**hints) if isinstance(a, sp.Basic) else a for a in self.args])

    def _entry(self, i, j, **kwargs):
        from sympy.matrices.expressions.matexpr import MatrixElement
        return MatrixElement(self, i, j)


class HeldGrad(MatrixExpr):
    r"""∇_X f for a scalar f = tr(P M Q) whose matrix M is an unevaluated Layered one: the gradient the
    matrix rules cannot take, left for an induction hypothesis, with P and Q held fixed (a linearisation:
    the cotangent is a constant at the point, whatever it was computed from)."""

    def __new__(cls, f, wrt):
        return sp.Basic.__new__(cls, f, wrt)

    @property
    def shape(self):
        return self.args[1].shape

    def _latex(self, printer):
        return r"\nabla_{%s}\left[%s\right]" % (printer._print(self.args[1]), printer._print(self.args[0]))
