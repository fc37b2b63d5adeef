"""The lecture's activations as SymPy functions, each with its definition and derivative side by side."""
from __future__ import annotations

import sympy as sp
from sympy.core.logic import fuzzy_and

# Every function the prover unfolds into its elementary definition before it simplifies, so that no
# proof leans on the fdiff rules: each _Defined subclass, filled as they are defined (library modules
# defining their own, such as tanh_prime, add theirs when imported).
DEFINED: list = []


class _Defined(sp.Function):
    """A function known by its elementary ``definition``: it evaluates, rewrites and prints from what the
    subclass gives side by side — ``definition`` (a staticmethod: the prover and the numeric route
    unfold it), the derivative ``fdiff`` and the printed names. Subclasses register themselves."""

    nargs = 1
    latex_name: str | None = None    # r"\sigma" prints \sigma\left(z\right); None: SymPy's own spelling
    pretty_name: str | None = None   # "σ" for the pretty printer; None: the class name
    real_on_reals = False            # real wherever its arguments are real

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        DEFINED.append(cls)

    @staticmethod
    def definition(*args):
        raise NotImplementedError("a _Defined function gives its definition")

    def _eval_is_real(self):
        return fuzzy_and(a.is_real for a in self.args) if self.real_on_reals else None

    def _eval_evalf(self, prec):
        return self.definition(*self.args)._eval_evalf(prec)

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return self.definition(*args)

    def _pretty(self, printer):
        return printer._print_Function(self, func_name=self.pretty_name or type(self).__name__)

    def _latex(self, printer, exp=None):
        if self.latex_name is None:
            return printer._print_Function(self, exp=exp)
        s = r"%s\left(%s\right)" % (self.latex_name, ", ".join(printer._print(a) for a in self.args))
        if exp is None:
            return s
        # A primed name already carries a superscript: a second one is a LaTeX error, so bracket it.
        return r"\left(%s\right)^{%s}" % (s, exp) if self.latex_name.endswith("'") else r"%s^{%s}" % (s, exp)


class sigmoid(_Defined):
    r"""The logistic sigmoid :math:`\sigma(z) = 1/(1+e^{-z})`."""

    latex_name, pretty_name, real_on_reals = r"\sigma", "σ", True

    @staticmethod
    def definition(z):
        return 1 / (1 + sp.exp(-z))

    def fdiff(self, argindex=1):
        return sigmoid_prime(self.args[0])

    @classmethod
    def eval(cls, z):
        if z is sp.S.Zero:
            return sp.S.Half

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None


class sigmoid_prime(_Defined):
    r"""The sigmoid's derivative, :math:`\sigma'(z) = e^{-z}/(1+e^{-z})^2`."""

    latex_name, pretty_name, real_on_reals = r"\sigma'", "σ'", True

    @staticmethod
    def definition(z):
        return sp.exp(-z) / (1 + sp.exp(-z)) ** 2

    def fdiff(self, argindex=1):
        z = self.args[0]
        return sigmoid_prime(z) * (1 - 2 * sigmoid(z))


class softplus(_Defined):
    r"""The softplus :math:`\log(1+e^{z})`, whose derivative is :math:`\sigma(z)`."""

    latex_name, real_on_reals = r"\operatorname{softplus}", True

    @staticmethod
    def definition(z):
        return sp.log(1 + sp.exp(z))

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])


class log1p(_Defined):
    r""":math:`\log(1+x)`, printed as ``np.log1p`` (accurate for tiny x)."""

    @staticmethod
    def definition(x):
        return sp.log(1 + x)

    def fdiff(self, argindex=1):
        return 1 / (1 + self.args[0])

    def _latex(self, printer, exp=None):
        s = r"\log\left(1 + %s\right)" % printer._print(self.args[0])
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


class where(_Defined):
    r"""``where(c, a, b)``: a where c holds, else b — the NumPy spelling of a two-branch Piecewise."""

    nargs = 3

    @staticmethod
    def definition(c, a, b):
        return sp.Piecewise((a, c), (b, True))

    def _eval_is_real(self):
        # Real when both branches are; the condition is a truth value, not a number.
        return fuzzy_and([self.args[1].is_real, self.args[2].is_real])

    def _latex(self, printer, exp=None):
        c, a, b = (printer._print(x) for x in self.args)
        s = r"\begin{cases} %s & %s \\ %s & \text{otherwise} \end{cases}" % (a, c, b)
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


def unfold(expr):
    """Replace every defined function by its elementary definition, to a fixed point (a definition may use a
    defined function registered before it)."""
    while True:
        before = expr
        for f in DEFINED:
            if expr.has(f):
                expr = expr.replace(f, f.definition)
        if expr == before:
            return expr


# The ReLU family (R20). Each derivative is a function of its own, defined everywhere: at the kink z = 0,
# where the function has no derivative, it takes the left derivative — the lecture's convention
# ReLU'(0) = 0, and α for leaky ReLU (as PyTorch and scikit-learn's backprop do). The kink is one branch
# of a Piecewise, so the value there is a definition, never an accident of Max's or Heaviside's.
LEAKY_SLOPE = sp.Rational(1, 10)   # α of leaky ReLU, exact


class relu(_Defined):
    r"""The rectified linear unit :math:`\operatorname{ReLU}(z) = \max(0, z)`."""

    latex_name, pretty_name, real_on_reals = r"\operatorname{ReLU}", "ReLU", True

    @staticmethod
    def definition(z):
        return sp.Max(z, 0)

    def fdiff(self, argindex=1):
        return relu_prime(self.args[0])


class relu_prime(_Defined):
    r"""ReLU's derivative :math:`\mathbb{1}\{z > 0\}`, 0 at the kink z = 0 by convention."""

    latex_name, pretty_name, real_on_reals = r"\operatorname{ReLU}'", "ReLU'", True

    @staticmethod
    def definition(z):
        return sp.Piecewise((1, z > 0), (0, True))


class leaky_relu(_Defined):
    r"""Leaky ReLU :math:`\max(\alpha z, z)` with :math:`\alpha = 1/10`."""

    latex_name, pretty_name, real_on_reals = r"\operatorname{LeakyReLU}", "LeakyReLU", True

    @staticmethod
    def definition(z):
        return sp.Max(LEAKY_SLOPE * z, z)

    def fdiff(self, argindex=1):
        return leaky_relu_prime(self.args[0])


class leaky_relu_prime(_Defined):
    r"""Leaky ReLU's derivative: 1 for z > 0, :math:`\alpha = 1/10` for z < 0 and, by convention, at z = 0."""

    latex_name, pretty_name, real_on_reals = r"\operatorname{LeakyReLU}'", "LeakyReLU'", True

    @staticmethod
    def definition(z):
        return sp.Piecewise((1, z > 0), (LEAKY_SLOPE, True))
