"""The perceptron (R2): Rosenblatt's rule and Novikoff's bound (R/γ)² on the number of its mistakes."""
import sympy as sp

from ..core import Derivation
from ..matrices import scalar
from ..registry import register

p = sp.Symbol("p", integer=True, positive=True)      # the augmented dimension: the inputs and a constant 1
w = sp.MatrixSymbol("w", p, 1)                        # w_{k-1}: the weights (and bias) before the k-th mistake
x = sp.MatrixSymbol("x", p, 1)                        # the augmented input (x, 1) of that mistake
w_star = sp.MatrixSymbol("w^*", p, 1)                 # a unit separator: ‖w*‖ = 1, y w*ᵀx ≥ γ on every example
w_k = sp.MatrixSymbol("w_k", p, 1)                    # the weights after k mistakes
y = sp.Symbol("y", real=True)                         # the label, -1 or 1
eta, gamma, R = sp.Symbol("eta", positive=True), sp.Symbol("gamma", positive=True), sp.Symbol("R", positive=True)
k = sp.Symbol("k", integer=True, positive=True)       # the number of mistakes
i = sp.Symbol("i", integer=True, positive=True)

# The hypotheses, each a named symbol whose sign is the hypothesis (or a slack whose sign it is):
a = sp.Symbol("a", real=True)                         # w_{k-1}ᵀw*
n = sp.Symbol("n", nonnegative=True)                  # ‖w_{k-1}‖²
m = sp.Symbol("m", nonpositive=True)                  # y w_{k-1}ᵀx ≤ 0: the unit got (x, y) wrong
mu = sp.Symbol("mu", real=True)                       # y w*ᵀx, the example's margin under w*
delta = sp.Symbol("delta", nonnegative=True)          # μ − γ ≥ 0: separability with margin γ
rho = sp.Symbol("rho", nonnegative=True)              # ‖x‖²
eps = sp.Symbol("epsilon", nonnegative=True)          # R² − ‖x‖² ≥ 0: the data lie in the ball of radius R
# the same, for the i-th mistake
Delta, M, Eps = (sp.IndexedBase("delta", nonnegative=True), sp.IndexedBase("m", nonpositive=True),
                 sp.IndexedBase("epsilon", nonnegative=True))
T = sp.IndexedBase("t", real=True)                    # any sequence, for the telescoping sum
A, N = sp.Symbol("A", real=True), sp.Symbol("N", positive=True)   # w_kᵀw* and ‖w_k‖² after k mistakes
alpha, beta = sp.Symbol("alpha", nonnegative=True), sp.Symbol("beta", nonnegative=True)

NAMES = {w: "w_{k-1}", w_star: "w^*", eta: r"\eta", gamma: r"\gamma", mu: r"\mu", delta: r"\delta", rho: r"\rho",
         eps: r"\epsilon", alpha: r"\alpha", beta: r"\beta"}

STATEMENT = (
    r"The bias is folded into the weights by a definition: $x$ stands for the augmented input $(x, 1)$ and $w$ for "
    r"$(w, b)$, so the unit is $H(w^Tx)$ and the rule $w \leftarrow w + \eta y x$, $b \leftarrow b + \eta y$ is "
    r"$w \leftarrow w + \eta y x$ on the augmented vectors. Labels $y \in \{-1, 1\}$; the unit makes a mistake on "
    r"$(x, y)$ when $y\,w^Tx \le 0$ (it fires on $y = -1$, or does not on $y = 1$; as in the classical rule, "
    r"$w^Tx = 0$ counts as a mistake for either label), and only "
    r"then is $w$ updated, with a step $\eta > 0$, from $w_0 = 0$; $w_k$ are the weights after $k$ mistakes. "
    r"Assumed: (S) some $w^*$ with $\|w^*\| = 1$ separates the data with margin $\gamma > 0$: $y\,w^{*T}x \ge \gamma$ "
    r"for every example; (R) every (augmented) input has $\|x\| \le R$. Named hypotheses: at the $k$-th mistake, "
    r"$a = w_{k-1}^Tw^*$, $n = \|w_{k-1}\|^2$, $m = y\,w_{k-1}^Tx \le 0$, $\mu = y\,w^{*T}x = \gamma + \delta$ with "
    r"$\delta \ge 0$ (S), $\rho = \|x\|^2 = R^2 - \epsilon$ with $\epsilon \ge 0$ (R); $\delta_i, m_i, \epsilon_i$ "
    r"those of the $i$-th mistake. Proved: each mistake raises $w^Tw^*$ by at least $\eta\gamma$ and $\|w\|^2$ by at "
    r"most $\eta^2R^2$; after $k$ mistakes $w_k^Tw^* \ge k\eta\gamma$ and $\|w_k\|^2 \le k\eta^2R^2$; with "
    r"Cauchy–Schwarz $(w_k^Tw^*)^2 \le \|w_k\|^2$, $k \le \|w_k\|^2/(k\eta^2\gamma^2)$. Argued in words, not by the "
    r"engine: the last link $\|w_k\|^2/(k\eta^2\gamma^2) \le R^2/\gamma^2$, which joins that chain to the norm "
    r"bound (the engine proves each chain, with its own names for $w_k^Tw^*$ and $\|w_k\|^2$, not the chains' "
    r"combination); it gives Novikoff's bound $k \le (R/\gamma)^2$, whatever $\eta$ and the order of the examples.")


def _one_mistake(d):
    """The rule's effect on w·w* and ‖w‖², as vector identities; then their signs from the hypotheses."""
    new = w + eta * y * x
    d.derive(scalar(w_star.T * new), name="alignment_update").then(
        scalar(w_star.T * w) + eta * y * scalar(w_star.T * x), r"the update $w_k = w_{k-1} + \eta y x$ is linear")
    d.derive(scalar(new.T * new), name="norm_update").then(
        scalar(w.T * w) + 2 * eta * y * scalar(w.T * x) + eta ** 2 * scalar(x.T * x),
        r"expand $\|w_{k-1} + \eta y x\|^2$, with $x^Tw_{k-1} = w_{k-1}^Tx$ and $y^2 = 1$ for $y \in \{-1, 1\}$",
        cases=({y: -1}, {y: 1}))
    d.define(mu, gamma + delta, r"(S): the margin of the example under $w^*$ is $\mu = y\,w^{*T}x \ge \gamma$")
    d.define(rho, R ** 2 - eps, r"(R): $\rho = \|x\|^2 \le R^2$")
    d.derive(a + eta * mu, name="alignment_step").then(a + eta * gamma,
           r"$w_k^Tw^* = a + \eta\mu$ (above, $\mu = y\,w^{*T}x$) and $\mu \ge \gamma$: each mistake adds at least "
           r"$\eta\gamma$", relation=">=")
    d.derive(n + 2 * eta * m + eta ** 2 * rho, name="norm_step").then(n + eta ** 2 * R ** 2,
           r"$\|w_k\|^2 = n + 2\eta m + \eta^2\rho$ (above, $m = y\,w_{k-1}^Tx$): a mistake has $m \le 0$ and "
           r"$\rho \le R^2$, so each mistake adds at most $\eta^2R^2$", relation="<=")


def _k_mistakes(d):
    """Summed over k mistakes from w_0 = 0, by telescoping (induction on k)."""
    d.derive(sp.Sum(T[i] - T[i - 1], (i, 1, k)), name="telescoping").then(T[k] - T[0],
           r"by induction on $k$: the sum of the increments of any sequence $t_i$. With $t_i = w_i^Tw^*$ or "
           r"$\|w_i\|^2$ and $w_0 = 0$, $t_0 = 0$: $w_k^Tw^*$ and $\|w_k\|^2$ are the sums of their increments",
           induction=k)
    d.derive(k * eta * gamma + eta * sp.Sum(Delta[i], (i, 1, k)), name="alignment_bound").then(k * eta * gamma,
           r"$w_k^Tw^* = \sum_{i=1}^{k}\eta\mu_i = k\eta\gamma + \eta\sum_{i=1}^{k}\delta_i$ "
           r"($\mu_i = \gamma + \delta_i$) and $\delta_i \ge 0$: $w_k^Tw^* \ge k\eta\gamma$", relation=">=")
    d.derive(k * eta ** 2 * R ** 2 + 2 * eta * sp.Sum(M[i], (i, 1, k)) - eta ** 2 * sp.Sum(Eps[i], (i, 1, k)),
             name="norm_bound").then(
        k * eta ** 2 * R ** 2, r"$\|w_k\|^2 = \sum_{i=1}^{k}(2\eta m_i + \eta^2\rho_i) = k\eta^2R^2 + "
        r"2\eta\sum_{i=1}^{k}m_i - \eta^2\sum_{i=1}^{k}\epsilon_i$ ($\rho_i = R^2 - \epsilon_i$), with $m_i \le 0$ and "
        r"$\epsilon_i \ge 0$: $\|w_k\|^2 \le k\eta^2R^2$", relation="<=")


def _novikoff(d):
    """Cauchy–Schwarz as an identity, then k ≤ ‖w_k‖²/(kη²γ²), which the norm bound makes ≤ (R/γ)²."""
    uu, uv = scalar(w_star.T * w_star), scalar(w_star.T * w_k)
    d.derive(uu * (uu * scalar(w_k.T * w_k) - uv ** 2), name="cauchy_schwarz").then(
        scalar((uu * w_k - uv * w_star).T * (uu * w_k - uv * w_star)),
        r"Lagrange's form of Cauchy–Schwarz: a squared norm, so $\ge 0$, and $\|w^*\|^2 > 0$. With $\|w^*\| = 1$: "
        r"$\|w_k\|^2 - (w_k^Tw^*)^2 = \|w_k - (w_k^Tw^*)w^*\|^2 = \beta \ge 0$")
    d.define(A, k * eta * gamma + alpha, r"$A = w_k^Tw^* = k\eta\gamma + \alpha$, $\alpha \ge 0$ (alignment bound)")
    d.define(N, A ** 2 + beta, r"$N = \|w_k\|^2 = A^2 + \beta$, $\beta \ge 0$ (Cauchy–Schwarz, $\|w^*\| = 1$)")
    d.derive(k, name="novikoff").then(A ** 2 / (k * eta ** 2 * gamma ** 2),
           r"$k = (k\eta\gamma)^2/(k\eta^2\gamma^2)$ and $A \ge k\eta\gamma > 0$", relation="<=")
    d.then(N / (k * eta ** 2 * gamma ** 2),
           r"$A^2 \le N$. With the norm bound $N \le k\eta^2R^2$: $k \le N/(k\eta^2\gamma^2) \le R^2/\gamma^2$",
           relation="<=")


@register("perceptron")
def build():
    d = Derivation("perceptron", "The perceptron rule and Novikoff's mistake bound", source="R2",
                   statement=STATEMENT, dims=(p,), domains={y: {-1, 1}}, names=NAMES)
    _one_mistake(d)
    _k_mistakes(d)
    _novikoff(d)
    return d
