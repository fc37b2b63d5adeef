"""The ReLU family and the sigmoid's bound 0 < σ' ≤ ¼ with the depth bound it implies (R20)."""
import sympy as sp

from ..core import Derivation
from ..functions import (LEAKY_SLOPE, leaky_relu, leaky_relu_prime, relu, relu_prime, sigmoid, sigmoid_prime,
                         where)
from ..codegen.spec import Output, Spec, emit
from ..codegen.stable import array_form, lowering
from ..registry import register

# Stable forms for the generated code: one comparison and a where, so ±inf maps to its limit and
# nothing is multiplied by a comparison (z*(z > 0) would be -inf*0 = nan at z = -inf).
lowering(relu, lambda z: where(z <= 0, 0, z),
         why=r"the two branches of $\max(0, z)$ under one comparison: exact, $\pm\infty$ map to $\infty$, $0$, and NaN stays NaN")
lowering(relu_prime, lambda z: where(z > 0, 1, 0), why=r"the indicator $\mathbf{1}\{z > 0\}$, 0 at the kink")
lowering(leaky_relu, lambda z: where(z > 0, z, LEAKY_SLOPE * z),
         why=r"the two branches of $\max(\alpha z, z)$ under one comparison, $\alpha z$ exact up to one rounding")
lowering(leaky_relu_prime, lambda z: where(z > 0, 1, LEAKY_SLOPE), why=r"1 for $z > 0$, else $\alpha$")
# In whole-array code (the network modules) max is np.maximum, one call and finite at ±inf.
_WHOLE_ARRAY = "itself, one elementwise maximum over the whole array"
array_form(relu, lambda z: sp.Max(z, 0), why=r"the definition $\max(z, 0)$ " + _WHOLE_ARRAY)
array_form(leaky_relu, lambda z: sp.Max(z, LEAKY_SLOPE * z), why=r"the definition $\max(z, \alpha z)$ " + _WHOLE_ARRAY)

z = sp.Symbol("z", real=True)
zp = sp.Symbol("z", positive=True)    # z > 0 and z < 0: the derivative exists on each side of the kink
zn = sp.Symbol("z", negative=True)
h = sp.Symbol("h", real=True)
_Q = sp.Rational(1, 4)


def _relu_family(d):
    """ReLU and leaky ReLU: branches, one-sided derivatives at the kink, derivative on each side, Euler."""
    alpha = LEAKY_SLOPE
    d.derive(where(z > 0, z, 0), name="relu")
    d.then(sp.Max(0, z), r"the two branches of $\max(0, z)$: $z$ where $z > 0$, else $0$")
    d.then(relu(z), r"definition: $\operatorname{ReLU}(z) = \max(0, z)$")
    d.derive(sp.Limit((relu(h) - relu(0)) / h, h, 0, "+")).then(1, r"right difference quotient at the kink: "
                                                                     r"$\max(0,h)/h = 1$ for $h > 0$")
    d.derive(sp.Limit((relu(h) - relu(0)) / h, h, 0, "-")).then(0, r"left difference quotient at the kink: "
                                                                     r"$\max(0,h)/h = 0$ for $h < 0$")
    d.derive(sp.Derivative(relu(zp), zp)).then(1, r"for $z > 0$: $\operatorname{ReLU}(z) = z$")
    d.then(relu_prime(zp), r"$\mathbf{1}\{z > 0\} = 1$ for $z > 0$")
    d.derive(sp.Derivative(relu(zn), zn)).then(0, r"for $z < 0$: $\operatorname{ReLU}(z) = 0$")
    d.then(relu_prime(zn), r"$\mathbf{1}\{z > 0\} = 0$ for $z < 0$")
    d.derive(relu_prime(0), name="relu_prime_at_0").then(0, r"the convention at the kink, where the one-sided "
           r"derivatives 0 and 1 differ and no derivative exists: the left one, 0 (any value in $[0, 1]$ is a "
           r"subgradient; the lecture and scikit-learn take 0)")
    d.derive(where(z > 0, 1, 0), name="relu_prime").then(relu_prime(z),
           r"definition: $\operatorname{ReLU}'(z) = \mathbf{1}\{z > 0\}$, with the value 0 at $z = 0$")
    d.derive(relu(z), name="relu_euler").then(z * relu_prime(z),
           r"$\operatorname{ReLU}(z) = z\,\operatorname{ReLU}'(z)$ on both branches and at 0: along an active path "
           r"each layer multiplies by $w_k$ alone, with no shrinking factor")

    d.derive(where(z > 0, z, alpha * z), name="leaky_relu")
    d.then(sp.Max(alpha * z, z), r"the two branches of $\max(\alpha z, z)$, $\alpha = 1/10$: $z$ where $z > 0$, "
                                 r"else $\alpha z$")
    d.then(leaky_relu(z), r"definition: $\operatorname{LeakyReLU}(z) = \max(\alpha z, z)$")
    d.derive(sp.Limit((leaky_relu(h) - leaky_relu(0)) / h, h, 0, "-")).then(alpha, r"left difference quotient "
           r"at the kink: $\alpha h/h$")
    d.derive(sp.Derivative(leaky_relu(zp), zp)).then(1, r"for $z > 0$: $\operatorname{LeakyReLU}(z) = z$")
    d.then(leaky_relu_prime(zp), r"the derivative's branch for $z > 0$")
    d.derive(sp.Derivative(leaky_relu(zn), zn)).then(alpha, r"for $z < 0$: $\operatorname{LeakyReLU}(z) = \alpha z$")
    d.then(leaky_relu_prime(zn), r"the derivative's branch for $z < 0$")
    d.derive(where(z > 0, 1, alpha), name="leaky_relu_prime").then(leaky_relu_prime(z),
           r"definition: 1 for $z > 0$, $\alpha$ for $z < 0$ and, by the same convention as ReLU's, the left "
           r"derivative $\alpha$ at $z = 0$")
    d.derive(leaky_relu(z)).then(z * leaky_relu_prime(z), r"$\operatorname{LeakyReLU}(z) = "
                                                           r"z\,\operatorname{LeakyReLU}'(z)$ on both branches")


def _sigmoid_bound(d):
    """0 < σ' ≤ ¼, equality only at 0; tanh' ≤ 1 likewise: each inequality as an equality whose side is signed."""
    from .tanh import tanh_prime   # here, not at the top: library modules register in name order
    e = sp.exp(-z)
    d.derive(sigmoid_prime(z), name="sigmoid_prime_positive").then(e / (1 + e) ** 2,
           r"definition (proved in 'sigmoid'): a positive numerator over a positive square, so $\sigma'(z) > 0$")
    d.derive(_Q - sigmoid_prime(z), name="sigmoid_prime_gap").then((1 - e) ** 2 / (4 * (1 + e) ** 2),
           r"$\frac14 - \frac{e^{-z}}{(1+e^{-z})^2} = \frac{(1+e^{-z})^2 - 4e^{-z}}{4(1+e^{-z})^2}$: a square over "
           r"a positive number, so $\sigma'(z) \le \frac14$, with equality only where $e^{-z} = 1$, at $z = 0$")
    d.derive(4 * sigmoid_prime(z), name="sigmoid_prime_scaled").then(1 - sp.tanh(z / 2) ** 2,
           r"$\frac{4e^{-z}}{(1+e^{-z})^2} = 1 - \left(\frac{1-e^{-z}}{1+e^{-z}}\right)^2$: since "
           r"$|\tanh| < 1$, $0 < 4\sigma'(z) \le 1$")
    d.derive(sp.Subs(sp.Derivative(sigmoid(z), (z, 2)), z, 0), name="sigmoid_second_at_0").then(0,
           r"$\sigma'' = \sigma'(1 - 2\sigma)$ and $\sigma(0) = \frac12$: 0 is a critical point of $\sigma'$")
    d.derive(sp.Subs(sp.Derivative(sigmoid(z), (z, 3)), z, 0), name="sigmoid_third_at_0").then(sp.Rational(-1, 8),
           r"$\sigma''' = \sigma'(1 - 6\sigma + 6\sigma^2)$ at $\sigma = \frac12$: $\frac14(1 - 3 + \frac32)$; "
           r"negative, so $z = 0$ is a strict maximum of $\sigma'$")
    d.derive(1 - tanh_prime(z), name="tanh_prime_gap").then(sp.tanh(z) ** 2,
           r"$\tanh' = 1 - \tanh^2$ (proved in 'tanh', where it is generated in the form accurate in the tails, "
           r"$4e/(1 + e(2+e))$ with $e = e^{-2|z|}$): $0 < \tanh' \le 1$, equality only at 0 — no factor $\frac14$")


def _depth_bound(d):
    """|dŷ/dw₁| ≤ (¼)^L |x| Π|w_k| for the depth chain of 'depth-chain', as equalities with signed sides."""
    from .depth import L, W, chain, closed_form, j, w1, x
    u = W[j] * chain(j - 1, 1, w1, x)                   # u_{2j-1}, layer j's pre-activation, j >= 2
    prod_w = sp.Product(W[j], (j, 2, L))
    prod_s = sp.Product(sigmoid_prime(u), (j, 2, L))
    bound = _Q ** L * sp.Abs(x) * sp.Abs(prod_w)
    d.derive(sp.Product(sp.Abs(W[j]), (j, 2, L)), name="abs_product").then(sp.Abs(prod_w),
           r"$\prod_{k=2}^{L}|w_k| = \left|\prod_{k=2}^{L} w_k\right|$, by induction on $L$: $|a|\,|b| = |ab|$",
           induction=L)
    d.derive(sp.Abs(closed_form(L, 1, w1)), name="abs_grad_first")
    d.then(sp.Abs(x * sigmoid_prime(w1 * x) * prod_s * prod_w),
           r"the result \texttt{grad\_first} of the derivation depth-chain: "
           r"$\frac{\partial\hat y}{\partial w_1} = x\,\sigma'(u_1)"
           r"\prod_{k=2}^{L}\sigma'(u_{2k-1})\prod_{k=2}^{L} w_k$")
    d.then(sp.Abs(x) * sigmoid_prime(w1 * x) * prod_s * sp.Abs(prod_w),
           r"$\sigma' > 0$, so $|\sigma'| = \sigma'$ for each factor, and $|ab| = |a||b|$")
    d.derive(bound - sp.Abs(x) * sigmoid_prime(w1 * x) * prod_s * sp.Abs(prod_w), name="depth_bound_gap")
    d.then(sp.Abs(x) * sp.Abs(prod_w) * (_Q ** L - sigmoid_prime(w1 * x) * prod_s),
           r"factor out $|x|\,\prod_{k\ge2}|w_k|$")
    d.then(sp.Abs(x) * sp.Abs(prod_w) * _Q ** L * (1 - 4 * sigmoid_prime(w1 * x) * sp.Product(4 * sigmoid_prime(u), (j, 2, L))),
           r"$\prod_{k=1}^{L}\sigma'(u_{2k-1}) = (\frac14)^L\prod_{k=1}^{L} 4\sigma'(u_{2k-1})$. Each factor "
           r"$4\sigma'$ lies in $(0, 1]$ (above), so their product does and the bracket is $\ge 0$: "
           r"$|\partial\hat y/\partial w_1| \le (\frac14)^L |x| \prod_{k=2}^{L}|w_k|$, and with $|w_k| \le 1$ "
           r"the gradient of the first layer shrinks like $4^{-L}$")


@register("activations")
def build():
    d = Derivation("activations", "Derivatives of activations: the ReLU family and the sigmoid's bound", source="R20",
                   statement=r"$\operatorname{ReLU}(z) = \max(0, z)$, $\operatorname{ReLU}'(z) = \mathbf{1}\{z > 0\}$ "
                             r"(0 at $z = 0$ by convention); $\operatorname{LeakyReLU}(z) = \max(\alpha z, z)$ with "
                             r"$\alpha = 1/10$, derivative 1 for $z > 0$ and $\alpha$ otherwise; $0 < \sigma'(z) \le "
                             r"\frac14$ with equality only at 0 ($\sigma''(0) = 0$, $\sigma'''(0) = -\frac18$); "
                             r"$0 < \tanh' \le 1$; hence $|\partial\hat y/\partial w_1| \le (\frac14)^L |x| "
                             r"\prod_{k=2}^{L}|w_k|$ for the sigmoid chain of depth $L$.")
    _relu_family(d)
    _sigmoid_bound(d)
    _depth_bound(d)
    for name in ("relu", "relu_prime", "relu_prime_at_0", "leaky_relu", "leaky_relu_prime",
                 "sigmoid_prime_gap", "sigmoid_third_at_0", "abs_grad_first", "depth_bound_gap"):
        d.result(name)
    return d


for _name, _summary in (
        ("relu", "ReLU, max(0, z), by one comparison: exact, and 0 at z = −∞."),
        ("relu_prime", "Derivative of ReLU, 1 where z > 0 and 0 elsewhere (0 at the kink z = 0, by convention)."),
        ("leaky_relu", "Leaky ReLU, max(z/10, z), by one comparison."),
        ("leaky_relu_prime", "Derivative of leaky ReLU, 1 where z > 0 and 1/10 elsewhere (the left derivative "
                             "at the kink z = 0).")):
    emit(Spec("activations", _name, "activations", ("z",), (("z", "z"),), (Output("value", _name),), _summary))


def networks():
    """The network modules' specs: the MLP with every hidden activation (sigmoid first, as 'backprop' proves
    it) and R17's guiding example; f and f' of each from the stable forms registered above and in tanh.py."""
    from ..codegen.spec import Network
    from .tanh import tanh_prime

    table = (("sigmoid", sigmoid, sigmoid_prime), ("tanh", sp.tanh, tanh_prime), ("relu", relu, relu_prime),
             ("leaky_relu", leaky_relu, leaky_relu_prime))
    return (Network("mlp", "backprop", "mlp", table),
            Network("guiding", "backprop", "guiding", table[:1], closed_forms="guiding-example"))
