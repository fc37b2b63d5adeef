"""The sigmoid: its derivative, symmetry and logarithm (R6, R20)."""
import sympy as sp

from ..core import Derivation
from ..functions import sigmoid, softplus
from ..codegen.spec import Output, Spec, describe, emit
from ..registry import register


@register("sigmoid")
def build():
    z = sp.Symbol("z", real=True)
    d = Derivation("sigmoid", "The logistic sigmoid and its derivative", source="R6, R20",
                   statement=r"$\sigma(z) = 1/(1+e^{-z})$ satisfies $\sigma' = \sigma(1-\sigma)$, "
                             r"$\sigma(-z) = 1-\sigma(z)$ and $\log\sigma(z) = -\log(1+e^{-z})$.")
    definition = 1 / (1 + sp.exp(-z))
    d.derive(definition, name="sigmoid").then(sigmoid(z), "definition of the sigmoid")
    d.derive(sp.Derivative(sigmoid(z), z), name="sigmoid_prime")
    d.then(sp.Derivative(definition, z), "definition of the sigmoid")
    d.then(sp.exp(-z) / (1 + sp.exp(-z)) ** 2, "quotient rule")
    d.then(sigmoid(z) * (1 - sigmoid(z)), r"split as $\frac{1}{1+e^{-z}}\cdot\frac{e^{-z}}{1+e^{-z}}$")
    d.then(sigmoid(z) * sigmoid(-z), r"$1-\sigma(z) = \sigma(-z)$: a form accurate in both tails")
    d.derive(sigmoid(-z)).then(1 - sigmoid(z), r"$\frac{1}{1+e^{z}} = \frac{e^{-z}}{e^{-z}+1}$")
    d.derive(sp.log(sigmoid(z)), name="log_sigmoid").then(-softplus(-z), r"$\log\frac{1}{1+e^{-z}} = -\log(1+e^{-z})$")
    d.derive(sp.log(1 + sp.exp(z)), name="softplus").then(softplus(z), "definition of softplus")
    d.derive(softplus(z)).then(sp.Max(z, 0) + sp.log(1 + sp.exp(-sp.Abs(z))), r"factor $e^{\max(z,0)}$ out of $1+e^{z}$: the stable form")
    d.derive(softplus(z) - softplus(-z)).then(z, r"$\log\frac{1+e^{z}}{1+e^{-z}} = \log e^{z}$")
    d.result("sigmoid")
    d.result("sigmoid_prime")
    d.result("log_sigmoid")
    d.result("softplus")
    return d


@register("stable-forms")
def stable_forms():
    from ..codegen.stable import proofs

    d = Derivation("stable-forms", "Rewrites the code generator applies, each proved", source="R6, R9",
                   statement="Every rewrite to an accurate form, and every lowering to NumPy primitives that "
                             "the code generator applies, is an identity proved here.")
    for lhs, rhs, why in proofs():
        d.derive(lhs).then(rhs, why)
    return d


_z = sp.Symbol("z", real=True)
for _name, _summary in (("sigmoid", "Logistic sigmoid, finite and accurate for every finite z."),
                        ("sigmoid_prime", "Derivative of the sigmoid, σ(z) σ(−z), accurate in both tails."),
                        ("log_sigmoid", "log σ(z) = −softplus(−z), without overflow or log 0."),
                        ("softplus", "log(1 + exp z), as max(z, 0) + log1p(exp(−|z|)): no overflow.")):
    emit(Spec("activations", _name, "sigmoid", ("z",), (("z", "z"),), (Output("value", _name),), _summary))

describe("activations", "Activation functions (R6, R20)")
