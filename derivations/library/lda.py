"""From LDA's Gaussian class model to a sigmoid of a linear function (R3–R5)."""
import sympy as sp

from ..core import Derivation
from ..functions import sigmoid
from ..matrices import scalar
from ..codegen.spec import Output, Spec, describe, emit
from ..registry import register


@register("lda-posterior")
def build():
    p = sp.Symbol("p", integer=True, positive=True)
    x, mu0, mu1 = (sp.MatrixSymbol(n, p, 1) for n in ("x", "mu0", "mu1"))
    Sigma = sp.MatrixSymbol("Sigma", p, p)
    w = sp.MatrixSymbol("w", p, 1)
    rho = sp.Symbol("rho", positive=True)      # the prior P(y=1): not pi, which is the circle constant of R3
    b, a = sp.Symbol("b", real=True), sp.Symbol("a", real=True)
    px0, px1, post = (sp.Symbol(n, positive=True) for n in ("P0", "P1", "eta"))
    d = Derivation(
        "lda-posterior", "LDA: the class posterior is a sigmoid of a linear function", source="R3–R5",
        statement=r"With Gaussian classes $P(x\mid y) = \mathcal{N}(\mu_y, \Sigma)$ sharing $\Sigma$ and "
                  r"prior $\rho = P(y=1)$, $P(y=1\mid x) = \sigma(w^T x + b)$ with $w = \Sigma^{-1}(\mu_1-\mu_0)$ and "
                  r"$b = \frac12\mu_0^T\Sigma^{-1}\mu_0 - \frac12\mu_1^T\Sigma^{-1}\mu_1 + \log\frac{\rho}{1-\rho}$.",
        spd=(Sigma,), dims=(p,), domains={rho: (0.05, 0.95)},
        names={px0: r"P(x \mid y=0)", px1: r"P(x \mid y=1)", post: r"P(y=1 \mid x)", rho: r"\rho"})

    def gauss(mu):
        q = scalar((x - mu).T * Sigma.I * (x - mu))
        return (2 * sp.pi) ** (-p / 2) * sp.Determinant(Sigma) ** sp.Rational(-1, 2) * sp.exp(-q / 2)

    q0 = scalar((x - mu0).T * Sigma.I * (x - mu0))
    q1 = scalar((x - mu1).T * Sigma.I * (x - mu1))
    d.define(px0, gauss(mu0), "class model, R3")
    d.define(px1, gauss(mu1), "class model, R3")
    d.define(post, px1 * rho / (px0 * (1 - rho) + px1 * rho), "Bayes' rule, total probability below")
    d.define(a, sp.log(rho / (1 - rho)), "prior log-odds")
    d.define(w, Sigma.I * (mu1 - mu0), "LDA weights")
    d.define(b, scalar(mu0.T * Sigma.I * mu0) / 2 - scalar(mu1.T * Sigma.I * mu1) / 2 + a, "LDA bias")

    s1 = 1 / (1 + px0 * (1 - rho) / (px1 * rho))
    d.derive(post, name="posterior").then(s1, r"divide above and below by $P(x\mid y=1)P(y=1)$")
    d.then(sigmoid(sp.log(px1 / px0) + a),
           r"$\frac{1}{1+e^{-t}} = \sigma(t)$ with $t = \log\frac{P(x\mid y=1)P(y=1)}{P(x\mid y=0)P(y=0)}$")
    d.then(sigmoid(-q1 / 2 + q0 / 2 + a), r"the factors $(2\pi)^{-p/2}|\Sigma|^{-1/2}$ cancel (shared $\Sigma$)")
    d.then(sigmoid(scalar(w.T * x) + b),
           r"R5, expand: $x^T\Sigma^{-1}x$ cancels, and $x^T\Sigma^{-1}\mu = \mu^T\Sigma^{-1}x$ ($\Sigma^{-1}$ symmetric): "
           r"linear inside the sigmoid")
    d.derive(b, name="b").then(-scalar((mu0 + mu1).T * w) / 2 + a,
           r"$\frac12(\mu_0^T\Sigma^{-1}\mu_0 - \mu_1^T\Sigma^{-1}\mu_1) = -\frac12(\mu_0+\mu_1)^T\Sigma^{-1}(\mu_1-\mu_0)$: one solve serves $w$ and $b$")
    d.result("w", w)
    d.result("b", -scalar((mu0 + mu1).T * w) / 2 + sp.log(rho / (1 - rho)))
    d.result("posterior")
    return d


_bind = (("mu0", "mu0"), ("mu1", "mu1"), ("Sigma", "Sigma"), ("rho", "prior1"), ("w", "w"), ("b", "b"))
_shapes = "mu0, mu1: (p,), Sigma: (p, p) symmetric positive definite, prior1 = P(y=1)."
_prior = (("prior1", 0, 1),)   # log(rho / (1 - rho)) is finite on the open interval only
emit(Spec("lda", "lda_params", "lda-posterior", ("mu0", "mu1", "Sigma", "prior1"), _bind,
          (Output("w", "w"), Output("b", "b")),
          "LDA weights and bias: P(y = 1 | x) = σ(wᵀx + b). One linear solve, no inverse.",
          doc_extra=_shapes, bounds=_prior))
emit(Spec("lda", "lda_posterior", "lda-posterior", ("X", "mu0", "mu1", "Sigma", "prior1"), _bind,
          (Output("posterior", "posterior"),),
          "P(y = 1 | x) for each row of X (or for one vector x) under LDA's shared-covariance Gaussian model.",
          rows=(("x", "X"),), lets=(("w", "lda-posterior", "w"), ("b", "lda-posterior", "b")),
          doc_extra=_shapes, bounds=_prior))

describe("lda", "Linear discriminant analysis: the posterior as a sigmoid (R3–R5)")
