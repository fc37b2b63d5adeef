"""The hyperbolic tangent and its derivative, with the derivative's stable form (R20)."""
import sympy as sp

from ..core import Derivation
from ..functions import _Defined, sigmoid, sigmoid_prime
from ..codegen.spec import Output, Spec, emit
from ..codegen.stable import lowering, rewrite_rule, u
from ..registry import register


# The cut c of _e2: past it tanh' rounds to 0 (4e^{-2|z|} is below half the smallest subnormal from |z| = 372.9 on).
_CUT = 400


def _e2(z):
    # e^{-2|z|} as e^{-|z| - min(|z|, c)} e^{c - max(|z|, c)}, c = _CUT: for |z| <= c the first factor is
    # exp(-2|z|) (its argument exact) and the second exp(0) = 1, exactly; past c the first is exp(< -800) = 0,
    # the rounded value. Neither argument overflows, where -2|z| does for |z| > 8.99e307; both are finite or
    # -inf at z = +-inf, where the kink spelling z*(z >= 0) would give inf*0 = nan. (One exp squared cannot be
    # written: SymPy merges exp(-|z|)**2 and exp(-|z|)*exp(-|z|) into exp(-2|z|).)
    a = sp.Abs(z)
    return sp.exp(-a - sp.Min(a, _CUT)) * sp.exp(_CUT - sp.Max(a, _CUT))


class tanh_prime(_Defined):
    r"""The derivative of tanh, :math:`\tanh'(z) = 4/(e^{z}+e^{-z})^2 = \operatorname{sech}^2 z`."""

    latex_name, pretty_name, real_on_reals = r"\tanh'", "tanh'", True

    @staticmethod
    def definition(z):
        return 4 / (sp.exp(z) + sp.exp(-z)) ** 2

    def fdiff(self, argindex=1):
        z = self.args[0]
        return -2 * sp.tanh(z) * tanh_prime(z)

    def _eval_is_positive(self):
        return True if self.args[0].is_real else None


# 1 − tanh²(z) loses every digit once tanh(z) rounds to ±1 (|z| > 19.1), where tanh′ is still
# 4e^{-2|z|} > 0: the derivative is computed from e = e^{-2|z|} <= 1 alone, and e without an intermediate
# that overflows (_e2: two exps, about twice the cost of one, and bit-identical to exp(-2|z|) up to
# |z| = 400; e^{-|z|} squared, one exp, would double exp's rounding error: 3.7 ulps measured, not 2.0), and
# (1+e)² is written 1 + e(2+e), one rounding of a sum >= 1 rather than a rounded sum squared (at most
# 2.1 ulps instead of 3.5, measured against mpmath over 80k points). Where tanh′ is subnormal
# (354.9 < |z| < 372.9) the factor 4 scales the rounding of the subnormal e: up to 2 subnormal units.
rewrite_rule("1 − tanh²(u) = tanh'(u)", 1 - sp.tanh(u) ** 2, tanh_prime(u))
rewrite_rule("tanh²(u) − 1 = −tanh'(u)", sp.tanh(u) ** 2 - 1, -tanh_prime(u))
rewrite_rule("1/cosh²(u) = tanh'(u)", 1 / sp.cosh(u) ** 2, tanh_prime(u))
# σ'' = σ'(1 − 2σ): 1 − 2σ(u) = σ(−u) − σ(u) cancels near u = 0 (relative error eps/|u|); −tanh(u/2) does not.
rewrite_rule("1 − 2σ(u) = −tanh(u/2)", 1 - 2 * sigmoid(u), -sp.tanh(u / 2))
lowering(tanh_prime, lambda z: 4 * _e2(z) / (1 + _e2(z) * (2 + _e2(z))),
         why=r"divide by $e^{2|z|}$: with $t = e^{-2|z|} = e^{-|z|-\min(|z|,c)}\,e^{c-\max(|z|,c)} \le 1$ "
             r"($c = 400$), $\tanh' z = 4t/(1 + t(2+t))$; no exponential overflows, nothing cancels")


class tanh_defined(_Defined):
    r"""tanh itself, as a function whose derivative is :math:`\tanh'`: SymPy differentiates its own tanh to
    ``1 - tanh(u)**2``, which a coefficient or another term separates from the proved rewrite's pattern
    (``20 - 20*tanh(20*x)**2``, ``x*(...) + 2 - tanh(x)**2``) and which cancels in the tails; a tanh rewritten
    to this before differentiating gives ``20*tanh_prime(20*x)``, whatever surrounds it. Lowered back to tanh.
    Its fdiff is proved in 'tanh' (d/dz tanh z = 1 − tanh² z) and 'stable-forms' (1 − tanh² z = tanh' z)."""

    latex_name, pretty_name, real_on_reals = r"\tanh", "tanh", True

    @staticmethod
    def definition(z):
        return sp.tanh(z)

    @classmethod
    def eval(cls, z):
        if z is sp.S.Zero:
            return sp.S.Zero

    def fdiff(self, argindex=1):
        return tanh_prime(self.args[0])

    def _eval_rewrite_as_exp(self, *args, **kwargs):
        return sp.tanh(*args).rewrite(sp.exp)

    def _sympystr(self, printer):
        # what it is, for people reading `check --json`: the name is the generator's business
        return "tanh(%s)" % printer._print(self.args[0])


# Last of the rewrites that read tanh: in each pass they see SymPy's tanh before this renames it (after it
# they no longer match; the renamed tanh differentiates to tanh_prime and needs no rewrite of its derivative).
rewrite_rule("tanh(u) = tanh(u) differentiated as tanh'(u)", sp.tanh(u), tanh_defined(u),
             why=r"SymPy's $\tanh z$ under a name whose derivative is written $\tanh' z$: the same function, "
                 r"its definition is $\tanh z$")
lowering(tanh_defined, lambda z: sp.tanh(z),
         why=r"NumPy's own $\tanh$, accurate near $0$ (no cancellation) and exactly $\pm 1$ at $\pm\infty$")


@register("tanh")
def build():
    z = sp.Symbol("z", real=True)
    d = Derivation("tanh", "The hyperbolic tangent and its derivative", source="R20",
                   statement=r"$\tanh z = \frac{e^{z}-e^{-z}}{e^{z}+e^{-z}} = 2\sigma(2z)-1$ and "
                             r"$\tanh' z = 1-\tanh^2 z = 4\sigma'(2z)$.")
    definition = (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))
    d.derive(2 * sigmoid(2 * z) - 1, name="tanh")
    d.then(2 / (1 + sp.exp(-2 * z)) - 1, r"definition of the sigmoid at $2z$")
    d.then(definition, r"multiply through by $e^{z}$: $\frac{2e^{z}}{e^{z}+e^{-z}} - 1 = \frac{e^{z}-e^{-z}}{e^{z}+e^{-z}}$")
    d.then(sp.tanh(z), "definition of the hyperbolic tangent")
    d.derive(sp.Derivative(sp.tanh(z), z), name="tanh_prime")
    d.then(sp.Derivative(definition, z), "definition of the hyperbolic tangent")
    d.then(4 / (sp.exp(z) + sp.exp(-z)) ** 2,
           r"quotient rule: $(e^{z}+e^{-z})^2 - (e^{z}-e^{-z})^2 = 4$")
    d.then(4 * sigmoid_prime(2 * z), r"divide by $e^{2z}$: $\frac{4e^{-2z}}{(1+e^{-2z})^2} = 4\sigma'(2z)$")
    d.then(1 - sp.tanh(z) ** 2, r"$\frac{4}{(e^{z}+e^{-z})^2} = 1 - \frac{(e^{z}-e^{-z})^2}{(e^{z}+e^{-z})^2}$")
    d.result("tanh")
    d.result("tanh_prime")
    return d


# tanh itself is generated as np.tanh, the printer's tanh: 2σ(2z) − 1 and (1 − e^{-2|z|})/(1 + e^{-2|z|})
# both cancel near 0 (relative error eps/|z|), and np.tanh is accurate there and exactly ±1 at ±inf.
for _name, _summary in (("tanh", "Hyperbolic tangent, by NumPy's tanh: no cancellation near 0 (unlike 2 σ(2z) − 1)."),
                        ("tanh_prime", "Derivative of tanh, 1 − tanh²(z), as 4e/(1 + e(2 + e)) with e = exp(−2|z|): "
                                       "accurate in both tails.")):
    emit(Spec("activations", _name, "tanh", ("z",), (("z", "z"),), (Output("value", _name),), _summary))
