"""The lecture's guiding example (R17): a two-layer network differentiated backward, node by node."""
import sympy as sp

from ..core import Derivation
from ..entrywise import Map
from ..functions import sigmoid, sigmoid_prime, softplus
from ..matrices import Grad, scalar
from ..registry import register

p, q = sp.symbols("p q", integer=True, positive=True)
W1, W2 = sp.MatrixSymbol("W_1", p, q), sp.MatrixSymbol("W_2", q, 1)
x = sp.MatrixSymbol("x", p, 1)
y = sp.Symbol("y", real=True)
lam = sp.Symbol("lambda", positive=True)

# The graph's nodes where a step needs them as quantities of their own (held fixed, as reverse mode does).
u1, u2 = sp.MatrixSymbol("u_1", q, 1), sp.MatrixSymbol("u_2", q, 1)
u3, u4, u5, u6, u7 = sp.symbols("u_3 u_4 u_5 u_6 u_7", real=True)
yhat = sp.Symbol("yhat", positive=True)
g = sp.MatrixSymbol("g", q, 1)            # a cotangent arriving at u_1

h = Map(sigmoid, W1.T * x)                # u_2 as a function of W_1
s = scalar(W2.T * h)                      # u_3
out = sigmoid(s)                          # ŷ
norm1, norm2 = sp.sqrt(sp.Trace(W1.T * W1)), sp.sqrt(scalar(W2.T * W2))
one_minus = Map(sp.Lambda(u3, 1 - sigmoid(u3)), W1.T * x)      # 1 − h, entrywise
# ŷ − y in the form that holds for every real y as the derivative of the one-softplus loss (and equals ŷ − y
# for a label y ∈ {0, 1}: chain "residual"), so the matrix steps need no case split on the label
resid = (1 - 2 * y) * sigmoid((1 - 2 * y) * s)


def cross_entropy(yh, yy):
    """cross_ent(ŷ, y) = −y log ŷ − (1 − y) log(1 − ŷ)."""
    return -yy * sp.log(yh) - (1 - yy) * sp.log(1 - yh)


def loss_of(penalty):
    """ℓ = cross_ent(σ(W₂ᵀσ(W₁ᵀx)), y) + penalty, the cross-entropy in its one-softplus form."""
    return softplus((1 - 2 * y) * s) + penalty


LOSS = loss_of(lam * (norm1 + norm2))
LOSS_SQ = loss_of(lam * (sp.Trace(W1.T * W1) + scalar(W2.T * W2)))
_CASES = ({y: 0}, {y: 1})


def _local_derivatives(d):
    """Each node's derivative with respect to its inputs: the edges of the graph."""
    d.derive(sp.Derivative(u7 + u4, u4)).then(sp.S.One, r"$\ell = u_8 + u_4$: $\partial\ell/\partial u_4 = 1$")
    d.derive(sp.Derivative(lam * u7, u7)).then(lam, r"$u_8 = \lambda u_7$: $\partial u_8/\partial u_7 = \lambda$")
    d.derive(sp.Derivative(u5 + u6, u5)).then(sp.S.One, r"$u_7 = u_5 + u_6$: $\partial u_7/\partial u_5 = 1$")
    d.derive(Grad(norm1, W1), name="d_u5").then(W1 / norm1,
           r"$u_5 = \|W_1\| = \sqrt{\operatorname{tr} W_1^T W_1}$: $\nabla_{W_1} u_5 = W_1/\|W_1\|$ ($W_1 \neq 0$)")
    d.derive(Grad(norm2, W2), name="d_u6").then(W2 / norm2,
           r"$u_6 = \|W_2\|$: $\nabla_{W_2} u_6 = W_2/\|W_2\|$ ($W_2 \neq 0$)")
    d.derive(sp.Derivative(cross_entropy(yhat, y), yhat), name="d_u4").then(
        (yhat - y) / (yhat * (1 - yhat)), r"$u_4 = $ cross-entropy: $\partial u_4/\partial\hat y = "
                                          r"\frac{\hat y - y}{\hat y(1-\hat y)}$", cases=_CASES)
    d.derive(sp.Derivative(sigmoid(u3), u3), name="d_yhat").then(
        sigmoid(u3) * (1 - sigmoid(u3)), r"$\hat y = \sigma(u_3)$: $\sigma' = \sigma(1-\sigma)$")
    d.derive(Grad(scalar(W2.T * u2), W2)).then(u2, r"$u_3 = W_2^T u_2$: $\nabla_{W_2} u_3 = u_2$")
    d.derive(Grad(scalar(W2.T * u2), u2)).then(W2, r"$u_3 = W_2^T u_2$: $\nabla_{u_2} u_3 = W_2$")
    d.derive(Grad(scalar(g.T * Map(sigmoid, u1)), u1)).then(
        sp.HadamardProduct(g, Map(sigmoid_prime, u1)),
        r"$u_2 = \sigma(u_1)$ entrywise: a cotangent $g$ at $u_2$ becomes $g \odot \sigma'(u_1)$ at $u_1$")
    d.derive(Grad(scalar(g.T * W1.T * x), W1)).then(x * g.T,
           r"$u_1 = W_1^T x$: a cotangent $g$ at $u_1$ becomes $x g^T$ at $W_1$")


def _backward(d):
    """The adjoints from ℓ down to the weights: each path's local derivatives multiplied and the paths added."""
    d.derive(sp.Derivative(cross_entropy(sigmoid(u3), y), u3), name="adjoint_u3")
    d.then(sigmoid(u3) - y,
           r"path $\ell \to u_4 \to \hat y \to u_3$: $\frac{\partial u_4}{\partial\hat y}\frac{d\hat y}{du_3} = "
           r"\frac{\hat y - y}{\hat y(1-\hat y)}\,\hat y(1-\hat y) = \hat y - y$", cases=_CASES)
    d.derive((1 - 2 * y) * sigmoid((1 - 2 * y) * u3), name="residual").then(
        sigmoid(u3) - y, r"$\bar u_3$ as the one-softplus loss gives it: $(1-2y)\sigma((1-2y)u_3) = \hat y - y$ "
                         r"for $y \in \{0, 1\}$ (written $\bar u_3$ below)", cases=_CASES)
    d.derive(Grad(LOSS, W2), name="grad_W2")
    d.then(resid * h + lam * W2 / norm2,
           r"two paths to $W_2$: $\ell \to u_4 \to u_3 \to W_2$ gives $\bar u_3\,u_2 = (\hat y - y)h$, and "
           r"$\ell \to u_8 \to u_7 \to u_6 \to W_2$ gives $\lambda W_2/\|W_2\|$")
    d.derive(Grad(LOSS, W1), name="grad_W1")
    d.then(x * sp.HadamardProduct(resid * W2, Map(sigmoid_prime, W1.T * x)).T + lam * W1 / norm1,
           r"two paths to $W_1$: through $u_3 \to u_2 \to u_1$ the cotangent $\bar u_3 W_2$ picks up "
           r"$\sigma'(u_1)$ and then $x(\cdot)^T$; through $u_8 \to u_7 \to u_5$ it is $\lambda W_1/\|W_1\|$")
    d.then(x * sp.HadamardProduct(resid * W2, h, one_minus).T + lam * W1 / norm1,
           r"$\sigma'(u_1) = h \odot (1-h)$ entrywise: $dℓ/dW_1 = x((\hat y - y)W_2 \odot h \odot (1-h))^T + "
           r"\lambda W_1/\|W_1\|$")


def _weight_decay(d):
    """The squared penalty λ(‖W₁‖² + ‖W₂‖²): the norm's path contributes 2λW instead of λW/‖W‖."""
    d.derive(Grad(LOSS_SQ, W2), name="grad_W2_sq").then(resid * h + 2 * lam * W2,
           r"weight decay: $\nabla_{W_2}\lambda\|W_2\|^2 = 2\lambda W_2$")
    d.derive(Grad(LOSS_SQ, W1), name="grad_W1_sq").then(
        x * sp.HadamardProduct(resid * W2, h, one_minus).T + 2 * lam * W1,
        r"weight decay: $\nabla_{W_1}\lambda\|W_1\|^2 = 2\lambda W_1$")


@register("guiding-example")
def build():
    d = Derivation("guiding-example", "The guiding example: reverse mode by hand", source="R17",
                   statement=r"For $f(x; W_1, W_2) = \sigma(W_2^T\sigma(W_1^T x))$ and "
                             r"$\ell = \operatorname{cross\_ent}(y, f) + \lambda(\|W_1\| + \|W_2\|)$, "
                             r"with $h = \sigma(W_1^T x)$: $d\ell/dW_2 = (\hat y - y)h + \lambda W_2/\|W_2\|$ and "
                             r"$d\ell/dW_1 = x((\hat y - y)W_2 \odot h \odot (1-h))^T + \lambda W_1/\|W_1\|$; "
                             r"with weight decay $\lambda(\|W_1\|^2 + \|W_2\|^2)$ the penalty terms are $2\lambda W$.",
                   dims=(p, q), domains={y: {0, 1}, yhat: (0, 1)},
                   names={u3: "u_3", yhat: r"\hat y", lam: r"\lambda"})
    _local_derivatives(d)
    _backward(d)
    _weight_decay(d)
    u8 = sp.Symbol("u_8")          # no assumptions: the penalty is real, but SymPy cannot know tr(W^T W) is
    for name, penalty in (("loss", lam * (norm1 + norm2)), ("loss_sq", lam * (sp.Trace(W1.T * W1) + scalar(W2.T * W2)))):
        d.derive(cross_entropy(sigmoid(u3), y) + u8, name=name).then(
            softplus((1 - 2 * y) * u3) + u8,
            r"$\ell = u_4 + u_8$: for $y \in \{0, 1\}$ one term of the cross-entropy is present, "
            r"$-\log\sigma(u_3) = \operatorname{softplus}(-u_3)$: one softplus per sample (R7)", cases=_CASES)
        d.result(name, at={u3: s, u8: penalty})
    for name in ("grad_W1", "grad_W2", "grad_W1_sq", "grad_W2_sq"):
        d.result(name)
    return d
