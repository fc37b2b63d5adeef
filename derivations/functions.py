"""The lecture's activations as SymPy functions, each with its definition and derivative side by side."""
from __future__ import annotations

import sympy as sp


class sigmoid(sp.Function):
    r"""The logistic sigmoid :math:`\sigma(z) = 1/(1+e^{-z})`."""

    nargs = 1

    @staticmethod
    def definition(z):
        return 1 / (1 + sp.exp(-z))

    def fdiff(self, argindex=1):
        return sigmoid_prime(self.args[0])

    @classmethod
    def eval(cls, z):
        if z is sp.S.Zero:
            return sp.S.Half

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None

    def _eval_evalf(self, prec):
        return self.definition(self.args[0])._eval_evalf(prec)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return self.definition(z)

    def _pretty(self, printer):
        return printer._print_Function(self, func_name="σ")

    def _latex(self, printer, exp=None):
        s = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return s if exp is None else r"%s^{%s}" % (s, exp)


class sigmoid_prime(sp.Function):
    r"""The sigmoid's derivative, :math:`\sigma'(z) = e^{-z}/(1+e^{-z})^2`."""

    nargs = 1

    @staticmethod
    def definition(z):
        return sp.exp(-z) / (1 + sp.exp(-z)) ** 2

    def fdiff(self, argindex=1):
        z = self.args[0]
        return sigmoid_prime(z) * (1 - 2 * sigmoid(z))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return self.definition(self.args[0])._eval_evalf(prec)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return self.definition(z)

    def _pretty(self, printer):
        return printer._print_Function(self, func_name="σ'")

    def _latex(self, printer, exp=None):
        s = r"\sigma'\left(%s\right)" % printer._print(self.args[0])
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


class softplus(sp.Function):
    r"""The softplus :math:`\log(1+e^{z})`, whose derivative is :math:`\sigma(z)`."""

    nargs = 1

    @staticmethod
    def definition(z):
        return sp.log(1 + sp.exp(z))

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        return self.definition(self.args[0])._eval_evalf(prec)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return self.definition(z)

    def _latex(self, printer, exp=None):
        s = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return s if exp is None else r"%s^{%s}" % (s, exp)


# Functions the prover unfolds into their elementary definitions before it simplifies,
# so that no proof leans on the fdiff rules above.
DEFINED = (sigmoid, sigmoid_prime, softplus)




class log1p(sp.Function):
    r""":math:`\log(1+x)`, printed as ``np.log1p`` (accurate for tiny x)."""

    nargs = 1

    @staticmethod
    def definition(x):
        return sp.log(1 + x)

    def fdiff(self, argindex=1):
        return 1 / (1 + self.args[0])

    def _eval_evalf(self, prec):
        return self.definition(self.args[0])._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return r"\log\left(1 + %s\right)" % printer._print(self.args[0])


class where(sp.Function):
    r"""``where(c, a, b)``: a where c holds, else b — the NumPy spelling of a two-branch Piecewise."""

    nargs = 3

    @staticmethod
    def definition(c, a, b):
        return sp.Piecewise((a, c), (b, True))

    def _eval_is_real(self):
        return sp.core.logic.fuzzy_and([self.args[1].is_real, self.args[2].is_real])

    def _eval_evalf(self, prec):
        return self.definition(*self.args)._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        c, a, b = (printer._print(x) for x in self.args)
        return r"\begin{cases} %s & %s \\ %s & \text{otherwise} \end{cases}" % (a, c, b)


DEFINED = DEFINED + (log1p, where)


def unfold(expr):
    """Replace every defined function by its elementary definition."""
    for f in DEFINED:
        if expr.has(f):
            expr = expr.replace(f, f.definition)
    return expr
