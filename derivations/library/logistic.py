"""Logistic regression: likelihood to cross-entropy, the ±1 loss, gradient and Hessian (R7–R9)."""
import sympy as sp

from ..core import Derivation
from ..functions import sigmoid, softplus
from ..matrices import Grad, hessian, scalar
from ..codegen.spec import Output, Spec, describe, emit
from ..registry import register

p = sp.Symbol("p", integer=True, positive=True)
x, w = sp.MatrixSymbol("x", p, 1), sp.MatrixSymbol("w", p, 1)
b, y, z = sp.Symbol("b", real=True), sp.Symbol("y", real=True), sp.Symbol("z", real=True)
N = sp.Symbol("N", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
Y, Z = sp.IndexedBase("y", real=True), sp.IndexedBase("z", real=True)


def cross_entropy_of(z, y):
    """Per-sample cross-entropy in the form that does not cancel: for y ∈ {0,1} one term is zero."""
    return y * softplus(-z) + (1 - y) * softplus(z)


@register("logistic-regression")
def regression():
    d = Derivation("logistic-regression", "Logistic regression by maximum likelihood", source="R7",
                   statement=r"Maximising the Bernoulli likelihood $\prod_i \sigma(z_i)^{y_i}(1-\sigma(z_i))^{1-y_i}$, "
                             r"$z_i = w^T x_i + b$, is minimising the cross-entropy "
                             r"$\sum_i -y_i\log\sigma(z_i) - (1-y_i)\log(1-\sigma(z_i))$.",
                   domains={y: {0, 1}})
    o = sp.Symbol("o", integer=True, nonnegative=True)
    lik = sp.Product(sigmoid(Z[i]) ** Y[i] * (1 - sigmoid(Z[i])) ** (1 - Y[i]), (i, 1, N))
    nll = sp.Sum(-Y[i] * sp.log(sigmoid(Z[i])) - (1 - Y[i]) * sp.log(1 - sigmoid(Z[i])), (i, 1, N))
    d.derive(-sp.log(lik), name="nll").then(
        nll, r"$\log$ is increasing, so $\arg\max L = \arg\min -\log L$; the log of a product is the sum of the logs")
    p_o = y ** o * (1 - y) ** (1 - o)                       # Bernoulli(y) at the outcome o
    q_o = sigmoid(z) ** o * (1 - sigmoid(z)) ** (1 - o)     # Bernoulli(sigma(z)) at o
    d.derive(sp.Sum(-p_o * sp.log(q_o), (o, 0, 1)), name="loss")
    d.then(-y * sp.log(sigmoid(z)) - (1 - y) * sp.log(1 - sigmoid(z)),
           r"$H(p,q) = E_p[-\log q]$ over the two outcomes $o = 1$ ($p = y$, $q = \sigma(z)$) and "
           r"$o = 0$ ($p = 1-y$, $q = 1-\sigma(z)$)")
    d.then(cross_entropy_of(z, y),
           r"$\log\sigma(z) = -\operatorname{softplus}(-z)$ and $\log(1-\sigma(z)) = -\operatorname{softplus}(z)$: no cancellation")
    d.then(softplus((1 - 2 * y) * z),
           r"for a label $y\in\{0,1\}$ only one term is present: one softplus per sample", cases=({y: 0}, {y: 1}))
    d.result("loss", at={z: scalar(w.T * x) + b})
    return d


@register("logistic-loss-pm1")
def loss_pm1():
    t = sp.Symbol("t", real=True)
    d = Derivation("logistic-loss-pm1", "The logistic loss for labels in {\u22121, 1}", source="R8",
                   statement=r"For $t = 2y-1 \in \{-1,1\}$ the cross-entropy equals $-\log\sigma(t(w^T x+b))$.",
                   domains={y: {0, 1}, t: {-1, 1}})
    d.derive(cross_entropy_of(z, y), name="R7")
    d.then(-sp.log(sigmoid((2 * y - 1) * z)),
           r"R8: under $y \mapsto t = 2y-1$ the label $y = 1$ becomes $t = 1$ and $y = 0$ becomes $t = -1$; "
           r"one term per label is $-\log\sigma(t z)$", cases=({y: 0}, {y: 1}))
    d.derive(-sp.log(sigmoid(t * z)), name="loss")
    d.then(sp.log(1 + sp.exp(-t * z)), r"definition of $\sigma$")
    d.then(softplus(-t * z), r"definition of softplus: $-\log\sigma(u) = \operatorname{softplus}(-u)$")
    d.result("loss", at={z: scalar(w.T * x) + b})
    return d


@register("logistic-gradient")
def gradient():
    zx = scalar(w.T * x) + b
    loss = cross_entropy_of(zx, y)
    s = sigmoid(zx)
    u = (1 - 2 * y) * zx
    d = Derivation("logistic-gradient", "Gradient and Hessian of the logistic loss", source="R9",
                   statement=r"$\nabla_w \ell = (\sigma(w^Tx+b) - y)\,x$, $\partial\ell/\partial b = \sigma(w^Tx+b)-y$, "
                             r"and the Hessian $\sigma(1-\sigma)\,\tilde x\tilde x^T \succeq 0$ with $\tilde x = (x, 1)$.",
                   dims=(p,), domains={y: {0, 1}})
    d.derive(sp.Derivative(cross_entropy_of(z, y), z))
    d.then(sigmoid(z) - y, r"$\operatorname{softplus}' = \sigma$ and $\sigma(-z) = 1-\sigma(z)$")
    d.then((1 - y) * sigmoid(z) - y * sigmoid(-z),
           r"$1 - \sigma(z) = \sigma(-z)$: for $y\in\{0,1\}$ one term vanishes, so nothing cancels")
    d.then((1 - 2 * y) * sigmoid((1 - 2 * y) * z),
           r"for $y\in\{0,1\}$: the residual shares $e^{-|z|}$ with the loss", cases=({y: 0}, {y: 1}))
    d.derive(Grad(loss, w), name="grad_w").then((sigmoid(zx) - y) * x, r"chain rule, $\nabla_w (w^T x) = x$")
    d.then((1 - 2 * y) * sigmoid(u) * x, "the residual in the shared form above", cases=({y: 0}, {y: 1}))
    d.derive(sp.Derivative(loss, b), name="grad_b").then(sigmoid(zx) - y, r"chain rule, $\partial z/\partial b = 1$")
    d.then((1 - 2 * y) * sigmoid(u), "the residual in the shared form above", cases=({y: 0}, {y: 1}))
    d.derive(hessian(loss, w), name="hessian_ww").then(
        s * sigmoid(-zx) * x * x.T, r"differentiate $(\sigma(z)-y)x$ again: $\sigma' = \sigma(z)\sigma(-z)$")
    d.derive(sp.Derivative(loss, b, 2), name="hessian_bb").then(s * sigmoid(-zx), r"$\partial^2\ell/\partial b^2 = \sigma'(z)$")
    d.derive(Grad(sp.Derivative(loss, b), w), name="hessian_wb").then(
        s * sigmoid(-zx) * x, r"mixed block $\partial^2\ell/\partial w\,\partial b = \sigma'(z)\,x$")
    v = sp.MatrixSymbol("v", p, 1)
    d.derive(scalar(v.T * hessian(loss, w) * v)).then(
        s * sigmoid(-zx) * scalar(v.T * x) ** 2, r"$v^T H v = \sigma'(z)(v^T x)^2 \geq 0$: the loss is convex")
    d.derive(cross_entropy_of(z, y), name="loss").then(softplus((1 - 2 * y) * z), "one softplus per sample",
                                                       cases=({y: 0}, {y: 1}))
    for name in ("grad_w", "grad_b", "hessian_ww", "hessian_wb", "hessian_bb"):
        d.result(name)
    d.result("loss", at={z: zx})
    return d


_bind = (("w", "w"), ("b", "b"), ("y", "y"), ("t", "y"))
_rows = (("x", "X"),)
_batch = "w: (p,), b: scalar, X: (N, p) finite, y: (N,) with labels 0 or 1 (the forms used are exact for these only)."
_labels = (("y", (0, 1)),)
emit(Spec("logistic", "cross_entropy", "logistic-regression", ("w", "b", "X", "y"), _bind,
          (Output("loss", "loss", "mean"),), "Mean binary cross-entropy of logistic regression.",
          rows=_rows, doc_extra=_batch, labels=_labels))
emit(Spec("logistic", "cross_entropy_grad", "logistic-gradient", ("w", "b", "X", "y"), _bind,
          (Output("grad_w", "grad_w", "mean"), Output("grad_b", "grad_b", "mean")),
          "Gradient of the mean cross-entropy with respect to (w, b).", rows=_rows, doc_extra=_batch, labels=_labels))
emit(Spec("logistic", "cross_entropy_value_and_grad", "logistic-gradient", ("w", "b", "X", "y"), _bind,
          (Output("loss", "loss", "mean"), Output("grad_w", "grad_w", "mean"), Output("grad_b", "grad_b", "mean")),
          "Mean cross-entropy and its gradient, sharing one forward pass.", rows=_rows, doc_extra=_batch,
          labels=_labels))
emit(Spec("logistic", "cross_entropy_hessian", "logistic-gradient", ("w", "b", "X", "y"), _bind,
          (Output("h_ww", "hessian_ww", "mean"), Output("h_wb", "hessian_wb", "mean"), Output("h_bb", "hessian_bb", "mean")),
          "Hessian of the mean cross-entropy over (w, b), b last: a (p+1, p+1) PSD matrix.", rows=_rows,
          doc_extra=_batch, labels=_labels,
          returns="np.vstack([np.column_stack([h_ww, h_wb]), np.hstack([h_wb, h_bb])])"))
emit(Spec("logistic", "logistic_loss", "logistic-loss-pm1", ("w", "b", "X", "y"), _bind,
          (Output("loss", "loss", "mean"),), "Mean logistic loss −log σ(y(wᵀx + b)) for labels y in {−1, 1}.",
          rows=_rows, doc_extra="w: (p,), b: scalar, X: (N, p) finite, y: (N,) in {-1, 1}.", labels=(("y", (-1, 1)),)))

describe("logistic", "Logistic regression: loss, gradient and Hessian (R7–R9)")
