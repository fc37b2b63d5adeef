"""The multivariate chain rule (R16): dy/dx = Σ_k ∂y/∂u_k · du_k/dx, for m = 1, 2, 3 and for a symbolic m.

Every ∂y/∂u_k is written as what it is, the derivative of f in its k-th argument at the point u = g(x)
(a ``Subs`` of a ``Derivative``, or d/dt f(u + t e_k) at t = 0), never as a precomputed formula, so
each step states the chain rule itself and the prover has to establish it.

The numeric route evaluates concrete functions only, so f and g are fixed functions: for m = 1, 2, 3
non-separable compositions of σ, tanh and atan (bounded, so every sampled magnitude is evaluable),
and for a symbolic m the ridge class f(u) = σ(Σ_j w_j u_j), u_k = tanh(a_k x + b_k) with arbitrary
real parameters w, a, b: a network with one hidden layer of m units, scalar input and output.
"""
import sympy as sp

from ..core import Derivation
from ..functions import sigmoid, sigmoid_prime
from ..registry import register

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)                        # the step along e_k in ∂f/∂u_k = d/dt f(u + t e_k)
v = sp.Symbol("v", real=True)                        # the value of wᵀu where σ's derivative is taken
j = sp.Symbol("j", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
M = sp.Symbol("M", integer=True, positive=True)
d_len = sp.Symbol("d", integer=True, nonnegative=True)
W, A, B = (sp.IndexedBase(s, real=True) for s in ("w", "a", "b"))
U = sp.IndexedBase("u", real=True)                   # a generic point u ∈ R^M (the perturbation lemma)
us = sp.symbols("u_1 u_2 u_3", real=True)            # the arguments of f for m = 1, 2, 3


def hidden(kk, xx=x):
    """u_k(x) = tanh(a_k x + b_k): the k-th hidden unit."""
    return sp.tanh(A[kk] * xx + B[kk])


class preactivation(sp.Function):
    r"""s_m(x) = Σ_{j=1}^{m} w_j tanh(a_j x + b_j), the argument of σ in the ridge class.

    A name for the sum, kept unexpanded outside derivatives: expanded under the Σ_k of the chain rule it
    would be a sum nested in a sum, whose index the prover renames apart from the outer copy's, and the
    common factor σ'(s) could no longer be recognised. Its x-derivative is SymPy's derivative of the
    definition (no hand-written rule); the numeric route evaluates the definition itself."""

    nargs = 2

    @staticmethod
    def definition(mm, xx):
        return sp.Sum(W[j] * hidden(j, xx), (j, 1, mm))

    def fdiff(self, argindex=1):
        if argindex != 2:                            # m is an integer: no derivative in it
            raise sp.ArgumentIndexError(self, argindex)
        mm, xx = self.args
        return sp.diff(self.definition(mm, xx), xx)

    def _eval_is_real(self):
        return self.args[1].is_real

    def _latex(self, printer, exp=None):
        s = r"s_{%s}\left(%s\right)" % (printer._print(self.args[0]), printer._print(self.args[1]))
        return s if exp is None else r"%s^{%s}" % (s, exp)


def chain_terms(f, gs, xx=x):
    """Σ_k ∂f/∂u_k(g(x)) · dg_k/dx for explicit arguments: each partial is f's derivative in u_k,
    substituted at u = g(x)."""
    args = us[:len(gs)]
    y = f(*args)
    return sp.Add(*[sp.Subs(sp.Derivative(y, u), args, tuple(gs)) * sp.Derivative(g, xx)
                    for u, g in zip(args, gs)])


# Fixed smooth functions for the explicit cases, each argument entering non-separably (so every
# partial depends on every u_k) and bounded (so the numeric route evaluates them at every magnitude).
EXPLICIT = {
    1: (lambda u1: sigmoid(u1) * sp.atan(u1),
        (sp.atan(x ** 2),)),
    2: (lambda u1, u2: sp.tanh(u1 * u2) + sigmoid(u1 - u2) * sp.atan(u2),
        (sp.atan(2 * x), sigmoid(x) * sp.tanh(x))),
    3: (lambda u1, u2, u3: sigmoid(u1 * u2 + u3) * sp.tanh(u2 - u3) + sp.atan(u1 * u3),
        (sp.tanh(x), sp.atan(x) * sigmoid(-x), sigmoid(3 * x))),
}
_SHOWN = {
    1: r"$f(u_1) = \sigma(u_1)\arctan u_1$, $g_1 = \arctan x^2$",
    2: r"$f(u) = \tanh(u_1u_2) + \sigma(u_1-u_2)\arctan u_2$, $g = (\arctan 2x,\ \sigma(x)\tanh x)$",
    3: r"$f(u) = \sigma(u_1u_2+u_3)\tanh(u_2-u_3) + \arctan(u_1u_3)$, "
       r"$g = (\tanh x,\ \sigma(-x)\arctan x,\ \sigma(3x))$",
}


def ridge_partial(kk, mm=m, xx=x):
    """∂y/∂u_k at u = u(x) for y = σ(Σ_j w_j u_j): d/dt σ(wᵀ(u + t e_k)) at t = 0, where
    wᵀ(u + t e_k) = v + t w_k with v = wᵀu = s_m(x) (the lemma ``perturb``). v is bound by the Subs, so
    the numeric route computes s_m(x), a sum of m terms, once per partial and not once per difference."""
    return sp.Subs(sp.Derivative(sigmoid(v + t * W[kk]), t), (t, v), (0, preactivation(mm, xx)))


@register("chain-rule")
def build():
    s = preactivation(m, x)
    d = Derivation(
        "chain-rule", "The multivariate chain rule", source="R16",
        statement=r"For $y = f(u)$ and $u = g(x) = (g_1(x), \dots, g_m(x))$ with $f$ and $g$ differentiable: "
                  r"$\frac{dy}{dx} = \sum_{k=1}^{m} \frac{\partial y}{\partial u_k}\frac{du_k}{dx}$, where "
                  r"$\frac{\partial y}{\partial u_k}$ is $f$'s partial derivative in $u_k$ at $u = g(x)$. "
                  r"Proved here (i) for $m = 1, 2, 3$ with fixed non-separable smooth $f$ and $g$ built from "
                  r"$\sigma$, $\tanh$ and $\arctan$, and (ii) for every $m \ge 1$ in the ridge class "
                  r"$f(u) = \sigma(\sum_{j=1}^{m} w_j u_j)$, $u_k = g_k(x) = \tanh(a_k x + b_k)$, for all real "
                  r"$w_j, a_j, b_j$ (one hidden layer of $m$ units); there "
                  r"$\frac{dy}{dx} = \sigma'(s_m)\sum_{k=1}^{m} w_k a_k (1 - \tanh^2(a_k x + b_k))$ with "
                  r"$s_m = \sum_{j} w_j u_j$.",
        names={t: "t"})

    # (i) explicit m: each partial is the derivative of f in u_k, substituted at u = g(x)
    for mm, (f, gs) in EXPLICIT.items():
        d.derive(sp.Derivative(f(*gs), x), name=f"chain_m{mm}").then(
            chain_terms(f, gs),
            rf"chain rule with $m = {mm}$ for {_SHOWN[mm]}: "
            r"$\frac{dy}{dx} = \sum_{k} \frac{\partial f}{\partial u_k}\big|_{u=g(x)} \frac{dg_k}{dx}$")

    # (ii) symbolic m, the ridge class
    d.define(M, i + d_len, r"the lemma's length: $u \in \mathbb{R}^M$ for any $M \ge i$ ($d \ge 0$), so that "
                           r"$e_i$ exists; it is used with $M = m$ and $i = k$")
    d.derive(sp.Sum(W[j] * (U[j] + t * sp.KroneckerDelta(j, i)), (j, 1, M)), name="perturb").then(
        sp.Sum(W[j] * U[j], (j, 1, M)) + t * W[i],
        r"moving $u$ along the basis vector $e_i$ ($1 \le i \le M$) moves $w^T u$ by $t\,w_i$: "
        r"$w^T(u + t e_i) = w^T u + t\,w_i$ (only $j = i$ meets $\delta_{ji}$)")
    d.derive(ridge_partial(k), name="partial").then(
        W[k] * sigmoid_prime(s),
        r"$\frac{\partial y}{\partial u_k} = \frac{d}{dt}\sigma(w^T(u + t e_k))\big|_{t=0} "
        r"= \frac{d}{dt}\sigma(v + t\,w_k)\big|_{t=0,\,v=s_m} = w_k\,\sigma'(s_m)$")
    d.derive(sp.Derivative(sigmoid(s), x), name="chain_rule").then(
        sp.Sum(ridge_partial(k) * sp.Derivative(hidden(k), x), (k, 1, m)),
        r"chain rule for every $m$ in the ridge class: $\frac{dy}{dx} = \sum_{k=1}^{m} "
        r"\frac{\partial y}{\partial u_k}\frac{du_k}{dx}$ with $\frac{\partial y}{\partial u_k} = "
        r"\frac{d}{dt}\sigma(w^T(u + t e_k))\big|_{t=0}$ (lemma perturb: $w^T(u + te_k) = v + t\,w_k$, $v = s_m$)")
    d.derive(sp.Derivative(sigmoid(s), x), name="grad").then(
        sigmoid_prime(s) * sp.Sum(W[k] * A[k] * (1 - hidden(k) ** 2), (k, 1, m)),
        r"closed form: by lemma partial each term is $w_k\,\sigma'(s_m)\cdot a_k(1 - \tanh^2(a_k x + b_k))$, "
        r"and $\sigma'(s_m)$ is common to every term")
    for mm in EXPLICIT:
        d.result(f"chain_m{mm}")
    d.result("perturb")
    d.result("partial")
    d.result("chain_rule")
    d.result("grad")
    return d
