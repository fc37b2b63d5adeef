"""A layer and the multi-layer perceptron (R14–R15): what a layer passes back, and why depth needs the nonlinearity."""
import sympy as sp

from ..core import Derivation
from ..entrywise import Map
from ..functions import sigmoid, sigmoid_prime
from ..matrices import Grad, scalar
from ..registry import register

p, q, r = sp.symbols("p q r", integer=True, positive=True)
W, b = sp.MatrixSymbol("W", p, q), sp.MatrixSymbol("b", q, 1)
x, a = sp.MatrixSymbol("x", p, 1), sp.MatrixSymbol("a", q, 1)
z = W.T * x + b


@register("layer")
def layer():
    d = Derivation("layer", "A layer and its local derivatives", source="R14",
                   statement=r"$h = \sigma(W^T x + b)$ with $x \in \mathbb{R}^p$, $W \in \mathbb{R}^{p\times q}$, "
                             r"$b, h \in \mathbb{R}^q$, $\sigma$ entrywise. A cotangent $a$ at $h$ becomes "
                             r"$W(a \odot \sigma'(z))$ at $x$, $x(a \odot \sigma'(z))^T$ at $W$ and $a \odot \sigma'(z)$ at $b$.",
                   dims=(p, q), points=24, names={a: "a"})
    t = sp.Symbol("t", real=True)
    d.derive(Map(sp.Lambda(t, 1 / (1 + sp.exp(-t))), z), name="layer").then(
        Map(sigmoid, z), r"$\sigma(t) = 1/(1+e^{-t})$ applied to each entry of $z = W^T x + b$")
    g = sp.HadamardProduct(a, Map(sigmoid_prime, z))
    d.derive(Grad(scalar(a.T * Map(sigmoid, z)), x), name="vjp_x").then(
        W * g, r"$\partial h_j/\partial x_i = \sigma'(z_j) W_{ij}$: $\sum_j a_j \sigma'(z_j) W_{ij} = (W(a \odot \sigma'(z)))_i$")
    d.derive(Grad(scalar(a.T * Map(sigmoid, z)), W), name="vjp_W").then(
        x * g.T, r"$\partial h_j/\partial W_{ij} = \sigma'(z_j) x_i$, and $h_j$ holds no other column of $W$")
    d.derive(Grad(scalar(a.T * Map(sigmoid, z)), b), name="vjp_b").then(
        g, r"$\partial h_j/\partial b_j = \sigma'(z_j)$")
    for name in ("layer", "vjp_x", "vjp_W", "vjp_b"):
        d.result(name)
    return d


@register("mlp")
def mlp():
    W1, W2 = sp.MatrixSymbol("W_1", p, q), sp.MatrixSymbol("W_2", q, r)
    b1, b2 = sp.MatrixSymbol("b_1", q, 1), sp.MatrixSymbol("b_2", r, 1)
    L, k = sp.symbols("L k", integer=True, positive=True)
    d = Derivation("mlp", "The multi-layer perceptron", source="R15",
                   statement=r"$h_0 = x$, $h_k = \sigma(W_k^T h_{k-1} + b_k)$ for $k = 1, \dots, L$, $f(x;\theta) = h_L$. "
                             r"Without the nonlinearity two layers are one: $W_2^T(W_1^T x + b_1) + b_2 = "
                             r"(W_1 W_2)^T x + (W_2^T b_1 + b_2)$; with $L - 1$ hidden layers of width $q$ on $p$ inputs "
                             r"and one output the network has $(p+1)q + (L-2)(q+1)q + q + 1$ parameters.",
                   dims=(p, q, r))
    d.derive(W2.T * (W1.T * x + b1) + b2, name="linear").then(
        (W1 * W2).T * x + (W2.T * b1 + b2),
        r"distribute and $(W_1W_2)^T = W_2^T W_1^T$: a linear layer on a linear layer is one linear layer")
    d.derive((p + 1) * q + sp.Sum((q + 1) * q, (k, 2, L - 1)) + (q + 1), name="parameters").then(
        (p + 1) * q + (L - 2) * (q + 1) * q + q + 1,
        r"first layer $(p+1)q$, each of the $L-2$ hidden-to-hidden layers $(q+1)q$, the output unit $q+1$")
    d.result("linear")
    d.result("parameters")
    return d
