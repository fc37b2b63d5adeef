"""Forward against reverse mode (R18): n JVPs or m VJPs rebuild the Jacobian of f: Rⁿ → Rᵐ, and the MLP costs.

The Jacobian J is an Indexed family J[r, c] and the basis vectors are Kronecker deltas, (e_i)_s = δ_si,
so the sizes n and m stay symbolic. An index is in range by construction: a matrix with n = c + d_n
columns (d_n ≥ 0) has a column c, one with m = r + d_m rows has a row r.

The widths n_0 … n_t of the MLP are a family of positive reals: every identity about them is a
polynomial identity, so holding for all positive reals it holds for integer widths. (An integer
Indexed family is drawn with one value for every index at a point, so the numeric route could not tell
n_0 from n_t; real widths are drawn apart.) Multiply-adds are counted for integers, in the lemma
``cost_matmul``.
"""
import sympy as sp

from ..core import Derivation
from ..registry import register

r, c = sp.Symbol("r", integer=True, positive=True), sp.Symbol("c", integer=True, positive=True)
i, s = sp.Symbol("i", integer=True, positive=True), sp.Symbol("s", integer=True, positive=True)
q = sp.Symbol("q", integer=True, positive=True)
n, m = sp.Symbol("n", integer=True, positive=True), sp.Symbol("m", integer=True, positive=True)
d_n = sp.Symbol("d_n", integer=True, nonnegative=True)
d_m = sp.Symbol("d_m", integer=True, nonnegative=True)
J = sp.IndexedBase("J", real=True)
delta = sp.KroneckerDelta

# the MLP: h_{k+1} = σ(W_{k+1}ᵀ h_k), W_{k+1} ∈ R^{n_k × n_{k+1}}, k = 0 … t−1
t = sp.Symbol("t", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
width = sp.IndexedBase("n", positive=True)
E = sp.Symbol("E", positive=True)                     # multiply-adds of one evaluation
a, b, p = (sp.Symbol(name, integer=True, positive=True) for name in ("a", "b", "p"))   # a (a×b)(b×p) product


def one_evaluation(depth=t):
    """Σ_{k=0}^{t−1} n_k n_{k+1}: layer k+1 multiplies W_{k+1}ᵀ (n_{k+1}×n_k) by h_k (n_k×1)."""
    return sp.Sum(width[k] * width[k + 1], (k, 0, depth - 1))


def batched(seeds, depth=t):
    """Σ_k n_{k+1} n_k · seeds: every layer's matrix product with ``seeds`` tangents or cotangents at once."""
    return sp.Sum(width[k + 1] * width[k] * seeds, (k, 0, depth - 1))


@register("forward-vs-reverse")
def build():
    d = Derivation(
        "forward-vs-reverse", "Forward against reverse mode: sweeps and costs", source="R18",
        statement=r"For $f: \mathrm{R}^n \to \mathrm{R}^m$ with Jacobian $J$, forward mode gets $J$ from $n$ "
                  r"sweeps, one JVP $J e_i$ per basis tangent ($\sum_{i=1}^{n} (J e_i) e_i^T = J$), reverse mode "
                  r"from $m$ sweeps, one VJP $e_k^T J$ per basis cotangent ($\sum_{k=1}^{m} e_k (e_k^T J) = J$). "
                  r"For an MLP with widths $n_0, \dots, n_t$ one evaluation costs $E = \sum_{k=0}^{t-1} n_k n_{k+1}$ "
                  r"multiply-adds; the Jacobian costs $n_0 E$ in forward mode and $n_t E$ in reverse mode with "
                  r"all tangents (cotangents) carried together, $2 n_0 E$ and $2 n_t E$ one sweep at a time when "
                  r"each sweep recomputes the values ($c = 2$), counting the multiply-adds of the matrix "
                  r"products (the elementwise factors $\sigma'$ add lower-order terms); so reverse mode wins "
                  r"when $n_0 > n_t$, e.g. a scalar loss ($n_t = 1$).",
        names={d_n: r"d_n", d_m: r"d_m"})
    d.define(n, c + d_n, r"$f$ has $n \ge c$ inputs: $J$ has a column $c$")
    d.define(m, r + d_m, r"$f$ has $m \ge r$ outputs: $J$ has a row $r$")
    d.define(E, one_evaluation(), r"one evaluation: layer $k+1$ computes $W_{k+1}^T h_k$, "
                                  r"$n_{k+1} n_k$ multiply-adds (lemma cost\_matmul with one column)")

    # sweeps: a JVP with e_c is column c, a VJP with e_r is row r; stacking them rebuilds J
    d.derive(sp.Sum(J[r, s] * delta(s, c), (s, 1, n)), name="jvp").then(
        J[r, c], r"one forward sweep with tangent $e_c$: $(J e_c)_r = \sum_{s=1}^{n} J_{rs} (e_c)_s$ "
                 r"with $(e_c)_s = \delta_{sc}$; only $s = c$ survives: column $c$ of $J$")
    d.derive(sp.Sum(delta(r, q) * J[q, c], (q, 1, m)), name="vjp").then(
        J[r, c], r"one reverse sweep with cotangent $e_r$: $(e_r^T J)_c = \sum_{q=1}^{m} (e_r)_q J_{qc}$; "
                 r"only $q = r$ survives: row $r$ of $J$")
    d.derive(sp.Sum(J[r, i] * delta(i, c), (i, 1, n)), name="jacobian_forward").then(
        J[r, c], r"stack the $n$ forward sweeps as columns: entry $(r, c)$ of $\sum_{i=1}^{n} (J e_i) e_i^T$ is "
                 r"$\sum_{i} (J e_i)_r (e_i)_c = \sum_i J_{ri}\delta_{ic}$ (lemma jvp): $J$ itself")
    d.derive(sp.Sum(delta(r, i) * J[i, c], (i, 1, m)), name="jacobian_reverse").then(
        J[r, c], r"stack the $m$ reverse sweeps as rows: entry $(r, c)$ of $\sum_{i=1}^{m} e_i (e_i^T J)$ is "
                 r"$\sum_{i} (e_i)_r (e_i^T J)_c = \sum_i \delta_{ri} J_{ic}$ (lemma vjp): $J$ itself")
    d.derive(sp.Sum(1, (i, 1, n)), name="sweeps_forward").then(
        n, r"one JVP per term of $\sum_{i=1}^{n} (J e_i) e_i^T$: $n$ forward sweeps, one per input")
    d.derive(sp.Sum(1, (i, 1, m)), name="sweeps_reverse").then(
        m, r"one VJP per term of $\sum_{i=1}^{m} e_i (e_i^T J)$: $m$ reverse sweeps, one per output")

    # costs, in multiply-adds
    d.derive(sp.Sum(p * b, (i, 1, a)), name="cost_matmul").then(
        a * b * p, r"an $(a \times b)(b \times p)$ product: each of its $a$ rows has $p$ entries, each a dot "
                   r"product of length $b$, $b$ multiply-adds")
    d.derive(batched(width[0]), name="cost_forward").then(
        width[0] * E,
        r"forward mode carries the $n_0$ tangents $e_1, \dots, e_{n_0}$ together: layer $k+1$ computes "
        r"$W_{k+1}^T \dot H_k$, $(n_{k+1} \times n_k)(n_k \times n_0)$, $n_{k+1} n_k n_0$ multiply-adds "
        r"(lemma cost\_matmul); $n_0$ sweeps of one evaluation's cost each")
    d.derive(batched(width[t]), name="cost_reverse").then(
        width[t] * E,
        r"reverse mode carries the $n_t$ cotangents together: layer $k+1$ computes "
        r"$\bar H_{k+1} W_{k+1}^T$, $(n_t \times n_{k+1})(n_{k+1} \times n_k)$, $n_t n_{k+1} n_k$ "
        r"multiply-adds; $n_t$ sweeps of one evaluation's cost each")
    for name, seeds, mode in (("cost_forward_sweeps", width[0], "forward"),
                              ("cost_reverse_sweeps", width[t], "reverse")):
        d.derive(seeds * sp.Sum(2 * width[k] * width[k + 1], (k, 0, t - 1)), name=name).then(
            2 * seeds * E,
            rf"{mode} mode one sweep at a time: each of the ${sp.latex(seeds)}$ sweeps recomputes the layer's "
            r"values ($n_{k+1} n_k$) and pushes one " + ("tangent" if mode == "forward" else "cotangent") +
            r" ($n_{k+1} n_k$): $c = 2$ evaluations per sweep")
    d.derive(batched(width[0]) - batched(width[t]), name="advantage").then(
        (width[0] - width[t]) * E,
        r"forward minus reverse, layer by layer: with $E > 0$ reverse mode is cheaper exactly when $n_0 > n_t$ "
        r"(more inputs than outputs); for a scalar loss, $n_t = 1$, by a factor $n_0$")
    d.derive(batched(width[0]) / batched(width[t]), name="ratio").then(
        width[0] / width[t], r"forward over reverse, layer by layer: $n_0$ and $n_t$ come out of the sums and "
                             r"the cost of an evaluation cancels")
    d.result("cost_eval", E)
    for name in ("jvp", "vjp", "jacobian_forward", "jacobian_reverse", "sweeps_forward", "sweeps_reverse",
                 "cost_matmul", "cost_forward", "cost_reverse", "cost_forward_sweeps", "cost_reverse_sweeps",
                 "advantage", "ratio"):
        d.result(name)
    return d
