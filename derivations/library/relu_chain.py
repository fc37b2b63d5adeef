"""The ReLU depth chain (R20): dŷ/dw₁ = x Π ReLU'(u_{2k−1}) Π_{k≥2} w_k: no shrinking factor on active paths.

The ReLU counterpart of 'depth-chain' (whose sigmoid factors σ' ≤ ¼ shrink the gradient like 4^{-L}): the
chain h₀ = x, h_j = ReLU(w_j h_{j−1}), ŷ = h_L, with depth.py's layer families made for ReLU —
``relu_below(j, x)`` is h_j below layer k, ``relu_chain(j, k, t, x)`` is h_j of the chain whose k-th weight
is t. ReLU'(z) = 1{z > 0} (0 at the kink by convention), so ReLU' is 1 on an active path (every
pre-activation u_{2k−1} = w_k h_{k−1} > 0) and 0 off it: the gradient is x Π_{k≥2} w_k or 0.

What is proved: any depth L (by induction) on the active path x > 0, w_j > 0; L = 1, 2, 3 on active paths of
either sign pattern (x, w₁ > 0 or x, w₁ < 0: on an active path w_j > 0 for j ≥ 2, since h_{j−1} > 0) and on a
dead one. The formula for arbitrary signs at a symbolic L is not claimed: the derivative does not exist where
some u is 0, and the engine (rightly) refuses a derivative through a kink, so each claim fixes the signs.
"""
import sympy as sp

from ..core import Derivation
from ..functions import relu, relu_prime
from ..registry import register
from .depth import LayerBelow, LayerChain

# the symbolic-depth part is on the positive active path: x > 0 and every weight > 0, so every u > 0
W = sp.IndexedBase("w", positive=True)
x = sp.Symbol("x", positive=True)
t = sp.Symbol("t", positive=True)          # w_k, the weight we differentiate by
w1 = sp.Symbol("w_1", positive=True)       # the same at k = 1, where it is w_1
j = sp.Symbol("j", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
L = sp.Symbol("L", integer=True, positive=True)


class relu_below(LayerBelow):
    r"""h_j of the ReLU chain for a layer j below k: :math:`h_0 = x`, :math:`h_j = \operatorname{ReLU}(w_j h_{j-1})`."""

    f, weights = relu, W

    def _eval_is_positive(self):
        return self.args[1].is_positive


class relu_chain(LayerChain):
    r"""h_j of the ReLU chain whose k-th weight is t (the others are w_j)."""

    f, weights = relu, W
    below = relu_below

    def _eval_is_positive(self):
        return self.args[2].is_positive and self.args[3].is_positive


def layer_factor(jj, kk=k, tt=t, xx=x):
    """w_j ReLU'(w_j h_{j−1}): what layer j > k contributes to dŷ/dw_k."""
    return W[jj] * relu_prime(W[jj] * relu_chain(jj - 1, kk, tt, xx))


def closed_form(depth, kk=k, tt=t, xx=x):
    """dŷ/dw_k = h_{k−1} ReLU'(w_k h_{k−1}) Π_{j=k+1}^{L} w_j ReLU'(w_j h_{j−1})."""
    h = relu_below(kk - 1, xx)
    return h * relu_prime(tt * h) * sp.Product(layer_factor(j, kk, tt, xx), (j, kk + 1, depth))


def _explicit(d):
    """L = 1, 2, 3 written out on each kind of path: the two sign patterns of an active path, and a dead one.

    On an active path h_j > 0 for j ≥ 1, so u_{2j−1} = w_j h_{j−1} > 0 forces w_j > 0 for j ≥ 2: only x and w_1
    may be negative, together (x w_1 > 0). The derivative does not exist where some u is 0 (the kink), so each
    claim is made on an open set of sign patterns, given by the symbols' signs."""
    pos = dict(zip(("x", "w_1", "w_2", "w_3"), sp.symbols("x w_1 w_2 w_3", positive=True)))
    neg_in = {**pos, "x": sp.Symbol("x", negative=True), "w_1": sp.Symbol("w_1", negative=True)}
    dead = {**pos, "w_2": sp.Symbol("w_2", negative=True), "w_3": sp.Symbol("w_3", real=True)}
    for label, sym, why in (("L3", pos, r"every $u > 0$ with $x, w_k > 0$"),
                            ("L3_negative_input", neg_in, r"every $u > 0$ with $x, w_1 < 0$ and $w_2, w_3 > 0$")):
        xx, w1, w2, w3 = (sym[n] for n in ("x", "w_1", "w_2", "w_3"))
        h1, h2 = relu(w1 * xx), relu(w2 * relu(w1 * xx))
        d.derive(sp.Derivative(relu(w3 * h2), w1), name=f"grad_{label}").then(
               xx * relu_prime(w1 * xx) * relu_prime(w2 * h1) * relu_prime(w3 * h2) * w2 * w3,
               r"$L = 3$, chain rule through every layer: $x\operatorname{ReLU}'(u_1)\operatorname{ReLU}'(u_3)"
               r"\operatorname{ReLU}'(u_5)\,w_2 w_3$, on an active path: " + why)
        d.then(xx * w2 * w3, r"each $\operatorname{ReLU}'(u) = \mathbf{1}\{u > 0\} = 1$: $\partial\hat y/\partial w_1 "
                             r"= x\,w_2 w_3$, no shrinking factor")
    xx, w1 = pos["x"], pos["w_1"]
    d.derive(sp.Derivative(relu(w1 * xx), w1), name="grad_L1").then(xx * relu_prime(w1 * xx),
           r"$L = 1$, active ($u_1 = w_1 x > 0$): $\partial\hat y/\partial w_1 = x\operatorname{ReLU}'(u_1)$")
    d.then(xx, r"$\operatorname{ReLU}'(u_1) = 1$")
    w2 = pos["w_2"]
    d.derive(sp.Derivative(relu(w2 * relu(w1 * xx)), w1), name="grad_L2").then(
           xx * relu_prime(w1 * xx) * relu_prime(w2 * relu(w1 * xx)) * w2,
           r"$L = 2$, active: chain rule through $u_3 = w_2 h_1$")
    d.then(xx * w2, r"$\operatorname{ReLU}'(u_1) = \operatorname{ReLU}'(u_3) = 1$: $x\,w_2$")
    xx, w1, w2, w3 = (dead[n] for n in ("x", "w_1", "w_2", "w_3"))
    h1, h2 = relu(w1 * xx), relu(w2 * relu(w1 * xx))
    d.derive(sp.Derivative(relu(w3 * h2), w1), name="grad_L3_dead").then(
           xx * relu_prime(w1 * xx) * relu_prime(w2 * h1) * relu_prime(w3 * h2) * w2 * w3,
           r"$L = 3$ with $x, w_1 > 0$ and $w_2 < 0$: the same chain rule, $u_3 = w_2 h_1 < 0$ (and $w_3 \ne 0$ "
           r"has either sign)")
    d.then(0, r"$\operatorname{ReLU}'(u_3) = 0$: the unit is dead and the gradient is exactly 0, not small")


def _symbolic_depth(d):
    """Any depth L on the positive active path (x > 0, every w_j > 0), by induction on L as in 'depth-chain'."""
    d.define(L, k + m - 1, r"a depth $L \geq k$")
    d.derive(sp.Derivative(relu_chain(L, k, t, x), t), name="grad").then(closed_form(L),
           r"by induction on $L$ (base $L = k$: $\hat y = \operatorname{ReLU}(w_k h_{k-1})$, the product empty; "
           r"step: the chain rule through $h_{L+1} = \operatorname{ReLU}(w_{L+1} h_L)$ adds the factor "
           r"$w_{L+1}\operatorname{ReLU}'(u_{2L+1})$), on the active path $x > 0$, $w_j > 0$", induction=m)
    d.derive(closed_form(L, 1, w1), name="grad_first").then(
           x * relu_prime(w1 * x) * sp.Product(relu_prime(W[j] * relu_chain(j - 1, 1, w1, x)), (j, 2, L))
           * sp.Product(W[j], (j, 2, L)),
           r"$k = 1$: $h_0 = x$; split the product into $\prod\operatorname{ReLU}'(u_{2j-1})$ and $\prod w_j$")
    d.then(x * sp.Product(W[j], (j, 2, L)),
           r"on the active path every $u_{2j-1} > 0$, so every $\operatorname{ReLU}'(u_{2j-1}) = 1$: "
           r"$\partial\hat y/\partial w_1 = x\prod_{j=2}^{L} w_j$, with no factor like the sigmoid's $(\frac14)^L$")


@register("relu-chain")
def build():
    d = Derivation("relu-chain", "Gradient of a deep scalar ReLU chain: no shrinking factor on active paths",
                   source="R20",
                   statement=r"For $h_0 = x$, $h_j = \operatorname{ReLU}(w_j h_{j-1})$, $\hat y = h_L$ and "
                             r"$u_{2j-1} = w_j h_{j-1}$: $\partial\hat y/\partial w_1 = x\prod_{j=1}^{L}"
                             r"\operatorname{ReLU}'(u_{2j-1})\prod_{j=2}^{L} w_j$; on an active path (every "
                             r"$u_{2j-1} > 0$) this is $x\prod_{j=2}^{L} w_j$: no shrinking factor, unlike the "
                             r"sigmoid chain's $(\frac14)^L$. Proved for every depth $L$ on the active path "
                             r"$x > 0$, $w_j > 0$, and for $L \le 3$ on both sign patterns of an active path "
                             r"($x w_1 > 0$, $w_j > 0$ for $j \ge 2$) and on a dead one ($u_3 < 0$: gradient 0); "
                             r"each claim fixes the signs, since the derivative does not exist where some "
                             r"$u_{2j-1} = 0$.",
                   names={t: "w_k"})
    _explicit(d)
    _symbolic_depth(d)
    for name in ("grad_L3", "grad_L3_negative_input", "grad_L3_dead", "grad", "grad_first"):
        d.result(name)
    return d
