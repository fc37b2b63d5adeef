"""Backpropagation at matrix level (R15–R17): the output's δ, one layer's backward step, weight and bias gradients."""
import sympy as sp

from ..core import Derivation
from ..entrywise import Map
from ..families import Layered
from ..functions import sigmoid, sigmoid_prime, softplus
from ..matrices import Grad, scalar
from ..registry import register
from ..codegen.spec import describe, emit
from .activations import networks

p, q, r = sp.symbols("p q r", integer=True, positive=True)     # widths of layers k−1, k and k+1
W, V = sp.MatrixSymbol("W", p, q), sp.MatrixSymbol("V", q, r)  # layer k's weights, layer k+1's
h, b = sp.MatrixSymbol("h", p, 1), sp.MatrixSymbol("b", q, 1)  # h_{k−1}, b_k
c = sp.MatrixSymbol("c", r, 1)                                 # b_{k+1}
z = sp.MatrixSymbol("z", q, 1)                                 # z_k = W_kᵀ h_{k−1} + b_k
d = sp.MatrixSymbol("d", r, 1)                                 # δ_{k+1} = ∂ℓ/∂z_{k+1}
delta = sp.MatrixSymbol("delta", q, 1)                         # δ_k
s = sp.Symbol("s", real=True)                                  # the output unit's logit
y = sp.Symbol("y", real=True)
lam = sp.Symbol("lambda", nonnegative=True)
_CASES = ({y: 0}, {y: 1})


def cross_entropy(yh, yy):
    return -yy * sp.log(yh) - (1 - yy) * sp.log(1 - yh)


def _output(dd):
    """The output unit: ŷ = σ(s), ℓ = cross_ent(ŷ, y), and δ_out = ∂ℓ/∂s."""
    dd.derive(cross_entropy(sigmoid(s), y), name="loss_out").then(
        softplus((1 - 2 * y) * s), r"for $y \in \{0,1\}$ one term is present: one softplus (R7)", cases=_CASES)
    dd.derive(sp.Derivative(softplus((1 - 2 * y) * s), s), name="delta_out").then(
        sigmoid(s) - y, r"$\operatorname{softplus}' = \sigma$ and $\sigma(-s) = 1 - \sigma(s)$: "
                        r"$\delta_{\mathrm{out}} = \hat y - y$", cases=_CASES)


def _layer(dd):
    """One layer forward (R14), then backward: δ_{k+1} becomes δ_k, and δ_k gives the gradients of W_k and b_k."""
    tt = sp.Symbol("t", real=True)
    dd.derive(Map(sp.Lambda(tt, 1 / (1 + sp.exp(-tt))), W.T * h + b), name="forward").then(
        Map(sigmoid, W.T * h + b), r"R14: $h_k = \sigma(W_k^T h_{k-1} + b_k)$, $\sigma(t) = 1/(1+e^{-t})$ entrywise")
    dd.derive(Grad(scalar(d.T * (V.T * Map(sigmoid, z) + c)), z), name="delta").then(
        sp.HadamardProduct(V * d, Map(sigmoid_prime, z)),
        r"$z_{k+1} = W_{k+1}^T\sigma(z_k) + b_{k+1}$; by the chain rule (R16) $\ell$ reaches $z_k$ only through "
        r"$z_{k+1}$, so $\delta_k = \nabla_{z_k}(\delta_{k+1}^T z_{k+1}) = (W_{k+1}\delta_{k+1}) \odot \sigma'(z_k)$")
    dd.derive(Grad(scalar(delta.T * (W.T * h + b)), W), name="grad_W").then(
        h * delta.T, r"$z_k = W_k^T h_{k-1} + b_k$: $\partial\ell/\partial W_k = \nabla_{W_k}(\delta_k^T z_k) = "
                     r"h_{k-1}\delta_k^T$")
    dd.derive(Grad(scalar(delta.T * (W.T * h + b)), b), name="grad_b").then(
        delta, r"$\partial\ell/\partial b_k = \nabla_{b_k}(\delta_k^T z_k) = \delta_k$")
    dd.derive(Grad(lam * sp.Trace(W.T * W), W), name="penalty_grad").then(
        2 * lam * W, r"weight decay $\lambda\|W_k\|_F^2 = \lambda\operatorname{tr}(W_k^T W_k)$ adds $2\lambda W_k$")


@register("backprop")
def build():
    dd = Derivation("backprop", "Backpropagation through a multi-layer perceptron", source="R15–R17",
                    statement=r"The layers are $z_k = W_k^T h_{k-1} + b_k$ and $h_k = \sigma(z_k)$ (entrywise); the "
                              r"output unit turns its logit $s$ (a scalar pre-activation) into $\hat y = \sigma(s)$, "
                              r"and the loss is the cross-entropy $\ell = -y\log\hat y - (1-y)\log(1-\hat y)$ of a "
                              r"label $y \in \{0, 1\}$. With $\delta_k = \partial\ell/\partial z_k$: "
                              r"$\delta_{\mathrm{out}} = \partial\ell/\partial s = \hat y - y$, "
                              r"$\delta_k = (W_{k+1}\delta_{k+1}) \odot \sigma'(z_k)$, "
                              r"$\partial\ell/\partial W_k = h_{k-1}\delta_k^T$ and $\partial\ell/\partial b_k = \delta_k$. "
                              r"The recursion is proved for every depth $L \ge k$, by induction on the number "
                              r"$m = L - k + 1$ of layers from $k$ to $L$.",
                    dims=(p, q, r), domains={y: {0, 1}}, names={lam: r"\lambda", delta: r"\delta", d: r"\delta_{k+1}"})
    _output(dd)
    _layer(dd)
    _any_depth(dd)
    for name in ("forward", "loss_out", "delta_out", "delta", "grad_W", "grad_b", "penalty_grad"):
        dd.result(name)
    return dd


for _net in networks():
    emit(_net)
describe("mlp", "Multi-layer perceptron of any depth: forward pass and backpropagation (R14–R17, R20)")
describe("guiding", "The guiding example (R17): loss and gradient of a two-layer network")


# ---- symbolic depth: the recursion proved for every L by induction -----------------------------------
#
# Every layer has width n (the input too): W_j is n×n, b_j and h_j are n×1. The network is viewed from
# the bias of one layer k, X = b_k (so ∂/∂X is δ_k, the gradient with respect to z_k): Hid(j, k, x, X) is
# h_j of the network whose k-th bias is X, opaque for a symbolic j and unrolled one layer at a time for
# an integer one (like depth.py's chain). Delta(k, j, a, x, X) is δ_k computed by the recursion from a
# cotangent a at h_j. The claim ∇_X (aᵀh_L) = δ_k holds for every cotangent a: with a = δ_out v it is
# the loss's gradient, and with grad_W above it gives every layer's weight gradient.

n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
L = sp.Symbol("L", integer=True, positive=True)
xin = sp.MatrixSymbol("x", n, 1)
bk = sp.MatrixSymbol("b_k", n, 1)
a = sp.MatrixSymbol("a", n, 1)


class Weight(Layered):
    """W_j, layer j's n×n weights: a MatrixSymbol once j is an integer."""

    creates = (r"W_\d+",)

    @staticmethod
    def definition(j):
        return sp.MatrixSymbol(f"W_{j}", n, n) if j.is_Integer else None

    @classmethod
    def shape_of(cls, j):
        return (n, n)

    def _latex(self, printer, exp=None):
        return "W_{%s}" % printer._print(self.args[0])


class Bias(Layered):
    """b_j, layer j's bias."""

    creates = (r"b_\d+",)

    @staticmethod
    def definition(j):
        return sp.MatrixSymbol(f"b_{j}", n, 1) if j.is_Integer else None

    @classmethod
    def shape_of(cls, j):
        return (n, 1)

    def _latex(self, printer, exp=None):
        return "b_{%s}" % printer._print(self.args[0])


class Below(Layered):
    """h_j for a layer j below k: x for j = 0, σ(W_jᵀ h_{j−1} + b_j) for an integer j."""

    creates = (r"W_\d+", r"b_\d+")      # every layer's weights and biases below (or above) this one

    @staticmethod
    def definition(j, x):
        if not j.is_Integer:
            return None
        # one layer at a time (the inner h_{j-1} unevaluated), so deep networks never recurse in SymPy
        return x if j == 0 else Map(sigmoid, _affine(j, Below(j - 1, x, evaluate=False), Bias(j)))

    @classmethod
    def shape_of(cls, j, x):
        return (n, 1)

    def _latex(self, printer, exp=None):
        return "h_{%s}" % printer._print(self.args[0])


def _affine(j, h, bias):
    """W_jᵀ h + b built as it stands: the operators would run doit over the whole network below."""
    return sp.MatAdd(sp.MatMul(sp.Transpose(Weight(j)), h), bias)


def pre(j, kk, x, X):
    """z_j = W_jᵀ h_{j−1} + b_j of the network whose k-th bias is X."""
    inner = kk.is_Integer and j.is_Integer      # unrolled one layer at a time (see Below)
    if j == kk:
        return _affine(kk, Below(kk - 1, x, evaluate=not inner), X)
    return _affine(j, Hidden(j - 1, kk, x, X, evaluate=not inner), Bias(j))


class Hidden(Layered):
    """h_j of the network whose k-th bias is X."""

    creates = (r"W_\d+", r"b_\d+")      # every layer's weights and biases below (or above) this one

    @staticmethod
    def definition(j, kk, x, X):
        if j == kk or (j - kk).is_positive:
            return Map(sigmoid, pre(j, kk, x, X))
        if j.is_Integer and kk.is_Integer and j < kk:
            return Below(j, x, evaluate=False)
        return None

    @classmethod
    def shape_of(cls, *args):
        return (n, 1)

    def _latex(self, printer, exp=None):
        return "h_{%s}" % printer._print(self.args[0])


class Delta(Layered):
    """δ_k by the recursion, from a cotangent a at h_j: a ⊙ σ'(z_j) at j = k, else one layer down with
    the cotangent W_j (a ⊙ σ'(z_j)) at h_{j−1}."""

    creates = (r"W_\d+", r"b_\d+")      # every layer's weights and biases below (or above) this one

    @staticmethod
    def definition(kk, j, cot, x, X):
        if j == kk:
            return sp.HadamardProduct(cot, Map(sigmoid_prime, pre(kk, kk, x, X)))
        if (j - kk).is_positive:
            down = sp.MatMul(Weight(j), sp.HadamardProduct(cot, Map(sigmoid_prime, pre(j, kk, x, X))))
            return Delta(kk, j - 1, down, x, X,
                         evaluate=not (kk.is_Integer and j.is_Integer))
        return None

    @classmethod
    def shape_of(cls, *args):
        return (n, 1)

    def _latex(self, printer, exp=None):
        return r"\delta_{%s}^{(%s)}\left[%s\right]" % tuple(printer._print(v) for v in self.args[:3])


def _any_depth(dd):
    """∇_{b_k}(aᵀh_L) = δ_k for every depth L ≥ k, by induction on L − k + 1."""
    dd.define(L, k + m - 1, r"a depth $L \geq k$: $m \ge 1$ counts the layers $k, \dots, L$")
    dd.derive(Grad(scalar(a.T * Hidden(L, k, xin, bk)), bk), name="delta_any_depth").then(
        Delta(k, L, a, xin, bk),
        r"by induction on the depth: at $L = k$, $\nabla_{b_k}(a^T\sigma(z_k)) = a \odot \sigma'(z_k)$; from $L$ to "
        r"$L+1$, $h_{L+1} = \sigma(W_{L+1}^T h_L + b_{L+1})$ passes the cotangent $W_{L+1}(a \odot \sigma'(z_{L+1}))$ "
        r"to $h_L$, where the hypothesis (for every cotangent) gives the recursion one layer down", induction=m)
