"""The depth chain (R19): dŷ/dw_k of a scalar sigmoid chain of symbolic depth L, by induction on L.

The chain is h₀ = x, h_j = σ(w_j h_{j−1}), ŷ = h_L.  To differentiate with respect to one weight
while every other weight stays an indexed symbol, layer k's weight is written as the plain symbol t:

* ``below(j, x)``  — h_j for j < k (no t in it): x for j = 0, σ(w_j h_{j−1}) for an integer j;
* ``chain(j, k, t, x)`` — h_j of the chain whose k-th weight is t: σ(t h_{k−1}) when j is k,
  h_j (no t) for integers j < k and σ(w_j h_{j−1}) for integers j > k.

Both stay unevaluated for a symbolic j, so the claims below are about a symbolic depth L; for the
numeric route the prover samples the integer symbols, and then they expand into explicit chains.
"""
import sympy as sp

from ..core import Derivation
from ..functions import sigmoid, sigmoid_prime
from ..registry import register
from ..codegen.spec import Chain, describe, emit

W = sp.IndexedBase("w", real=True)
x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)              # w_k, the weight we differentiate by
w1 = sp.Symbol("w_1", real=True)           # the same at k = 1, where it is w_1
j = sp.Symbol("j", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
L = sp.Symbol("L", integer=True, positive=True)


class LayerBelow(sp.Function):
    r"""h_j of a chain h_j = f(w_j h_{j-1}) for a layer j below k (:math:`h_0 = x`); a subclass names f and w."""

    nargs = 2
    f = None           # the activation, a SymPy function class
    weights = None     # the IndexedBase w

    @classmethod
    def definition(cls, jj, xx):
        """One layer at a time (the inner h_{j-1} stays unevaluated), so deep chains never recurse in SymPy."""
        if not jj.is_Integer or jj < 0:
            return None
        return xx if jj == 0 else cls.f(cls.weights[jj] * cls(jj - 1, xx, evaluate=False))

    @classmethod
    def eval(cls, jj, xx):
        if jj.is_Integer:
            if jj < 0:
                raise ValueError("layer index below 0")
            return xx if jj == 0 else cls.f(cls.weights[jj] * cls(jj - 1, xx))

    def _eval_is_real(self):
        return self.args[1].is_real

    def _latex(self, printer, exp=None):
        s = r"h_{%s}" % printer._print(self.args[0])
        return s if exp is None else r"%s^{%s}" % (s, exp)


class LayerChain(sp.Function):
    r"""h_j of a chain h_j = f(w_j h_{j-1}) whose k-th weight is t (the others are w_j); a subclass names f, w
    and its ``below``."""

    nargs = 4
    f = None
    weights = None
    below = None       # the LayerBelow of the same chain

    @classmethod
    def definition(cls, jj, kk, tt, xx):
        """One layer at a time, like ``LayerBelow.definition``."""
        if not (jj.is_Integer and kk.is_Integer):
            return None
        if jj < kk:
            return cls.below(jj, xx, evaluate=False)
        inner = cls.below(kk - 1, xx, evaluate=False) if jj == kk else cls(jj - 1, kk, tt, xx, evaluate=False)
        return cls.f((tt if jj == kk else cls.weights[jj]) * inner)

    @classmethod
    def eval(cls, jj, kk, tt, xx):
        if jj == kk:
            return cls.f(tt * cls.below(kk - 1, xx))
        if (jj - kk).is_positive:  # the definition, also for a symbolic depth known to exceed k
            return cls.f(cls.weights[jj] * cls(jj - 1, kk, tt, xx))
        if jj.is_Integer and kk.is_Integer:
            if jj < kk:
                return cls.below(jj, xx)
            return cls.f(cls.weights[jj] * cls(jj - 1, kk, tt, xx))

    def _eval_is_real(self):
        return self.args[3].is_real

    def _latex(self, printer, exp=None):
        s = r"h_{%s}" % printer._print(self.args[0])
        return s if exp is None else r"%s^{%s}" % (s, exp)


class below(LayerBelow):
    r"""h_j of the sigmoid chain for a layer j below k: :math:`h_0 = x`, :math:`h_j = \sigma(w_j h_{j-1})`."""

    f, weights = sigmoid, W


class chain(LayerChain):
    r"""h_j of the sigmoid chain whose k-th weight is t (the others are w_j)."""

    f, weights = sigmoid, W
    below = below


def layer_factor(jj, kk=k, tt=t, xx=x):
    """w_j σ'(w_j h_{j−1}): what layer j > k contributes to dŷ/dw_k."""
    return W[jj] * sigmoid_prime(W[jj] * chain(jj - 1, kk, tt, xx))


def closed_form(depth, kk=k, tt=t, xx=x):
    """dŷ/dw_k = h_{k−1} σ'(w_k h_{k−1}) Π_{j=k+1}^{L} w_j σ'(w_j h_{j−1})."""
    h = below(kk - 1, xx)
    return h * sigmoid_prime(tt * h) * sp.Product(layer_factor(j, kk, tt, xx), (j, kk + 1, depth))


def explicit_chain(ws, xx):
    """ŷ = σ(w_L σ(… σ(w_1 x))) written out for a list of weight symbols."""
    h = xx
    for wk in ws:
        h = sigmoid(wk * h)
    return h


@register("depth-chain")
def build():
    d = Derivation("depth-chain", "Gradient of a deep scalar sigmoid chain, for every depth L", source="R19",
                   statement=r"For $h_0 = x$, $h_k = \sigma(w_k h_{k-1})$ and $\hat y = h_L$: "
                             r"$\partial\hat y/\partial w_k = h_{k-1}\,\sigma'(w_k h_{k-1})"
                             r"\prod_{j=k+1}^{L} w_j\,\sigma'(w_j h_{j-1})$; for $k = 1$ this is "
                             r"$x\prod_{j=1}^{L}\sigma'(u_{2j-1})\prod_{j=2}^{L} w_j$ with $u_{2j-1} = w_j h_{j-1}$.",
                   names={t: "w_k"})

    # (a) the lecture's L = 3 case, by explicit differentiation
    w1, w2, w3 = ws = sp.symbols("w_1 w_2 w_3", real=True)
    h1 = sigmoid(w1 * x)
    h2 = sigmoid(w2 * h1)
    y3 = explicit_chain(ws, x)
    sp1, sp2, sp3 = sigmoid_prime(w1 * x), sigmoid_prime(w2 * h1), sigmoid_prime(w3 * h2)
    d.derive(sp.Derivative(y3, w3)).then(h2 * sp3, r"$L = 3$: $\partial\hat y/\partial w_3 = h_2\,\sigma'(u_5)$")
    d.derive(sp.Derivative(y3, w2)).then(h1 * sp2 * w3 * sp3,
           r"$L = 3$, chain rule through $u_5 = w_3 h_2$: $h_1\,\sigma'(u_3)\,w_3\,\sigma'(u_5)$")
    d.derive(sp.Derivative(y3, w1)).then(x * sp1 * sp2 * sp3 * w2 * w3,
           r"$L = 3$, chain rule through every layer: $x\,\sigma'(u_1)\sigma'(u_3)\sigma'(u_5)\,w_2 w_3$")

    # (b) symbolic depth: a depth L >= k is written L = k + m - 1 with m >= 1
    d.define(L, k + m - 1, r"a depth $L \geq k$")
    yhat = sp.Symbol("yhat", real=True)
    d.define(yhat, chain(L, k, t, x), r"the chain's output $\hat y = h_L$, with $h_{j} = \sigma(w_j h_{j-1})$")
    d.derive(sp.Derivative(chain(k, k, t, x), t)).then(closed_form(k),
           r"induction base $L = k$: $\hat y = \sigma(w_k h_{k-1})$ and $h_{k-1}$ does not depend on $w_k$; "
           r"the product is empty")
    d.derive(sp.Derivative(sigmoid(W[L + 1] * chain(L, k, t, x)), t)).then(
           W[L + 1] * sigmoid_prime(W[L + 1] * chain(L, k, t, x)) * sp.Derivative(chain(L, k, t, x), t),
           r"induction step, chain rule through $h_{L+1} = \sigma(w_{L+1} h_L)$: $\partial h_{L+1}/\partial w_k = "
           r"w_{L+1}\,\sigma'(u_{2L+1})\,\partial h_L/\partial w_k$ for any differentiable $h_L$")
    d.derive(closed_form(L) * layer_factor(L + 1)).then(closed_form(L + 1),
           r"induction step, product: $\prod_{j=k+1}^{L} a_j \cdot a_{L+1} = \prod_{j=k+1}^{L+1} a_j$")
    d.derive(sp.Derivative(chain(L, k, t, x), t), name="grad").then(closed_form(L),
           r"by induction on $L$ from the base and the two induction steps", induction=m)
    d.derive(closed_form(L, 1, w1), name="grad_first").then(
           x * sigmoid_prime(w1 * x) * sp.Product(sigmoid_prime(W[j] * chain(j - 1, 1, w1, x)), (j, 2, L))
           * sp.Product(W[j], (j, 2, L)),
           r"$k = 1$: $h_0 = x$; split the product into $\prod\sigma'(u_{2j-1})$ and $\prod w_j$")
    d.result("forward", yhat)
    d.result("grad")
    d.result("grad_first")
    return d


describe("depth", "The depth chain (R19): forward pass and gradient of a scalar sigmoid chain of any depth")
emit(Chain("depth", "depth-chain", activation=sigmoid, derivative=sigmoid_prime, x=x, weights=W, weight=t))
