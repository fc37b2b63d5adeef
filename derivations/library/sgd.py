"""Empirical risk and SGD (R12, R13): the gradient of the mean loss, SGD's unbiased estimate of it, the cost per step."""
import sympy as sp

from ..core import Derivation
from ..registry import register

N = sp.Symbol("N", integer=True, positive=True)       # the number of samples
i = sp.Symbol("i", integer=True, positive=True)       # a sample's index
j = sp.Symbol("j", integer=True, positive=True)       # the index SGD draws
theta = sp.Symbol("theta", real=True)
c = sp.Symbol("c", positive=True)                     # the cost of one per-sample gradient


class ell(sp.Function):
    r"""The per-sample loss :math:`\ell_i(\theta) = \ell(y_i, f(x_i; \theta))`, ``ell(i, theta)``.

    The symbolic route keeps it opaque, so what it proves holds for every differentiable per-sample loss: only
    its derivative is named, ``ell_grad``. The independent numeric route evaluates one instance, the squared loss
    (θ − y_i)²/2 of a mean estimate on the data y_i = i (its derivative differentiated numerically there,
    not read off)."""

    nargs = 2

    @staticmethod
    def definition(k, t):
        return (t - k) ** 2 / 2 if k.is_Integer else None

    def fdiff(self, argindex=2):
        if argindex != 2:
            raise sp.ArgumentIndexError(self, argindex)    # the index is an integer, not a variable
        return ell_grad(*self.args)

    def _eval_is_real(self):
        return self.args[1].is_real or None

    def _latex(self, printer, exp=None):
        s = r"\ell_{%s}\left(%s\right)" % (printer._print(self.args[0]), printer._print(self.args[1]))
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


class ell_grad(sp.Function):
    r"""The per-sample gradient :math:`\nabla\ell_i(\theta)`, ``ell_grad(i, theta)``: opaque like ``ell``; the
    numeric route evaluates the instance's derivative θ − y_i, y_i = i."""

    nargs = 2

    @staticmethod
    def definition(k, t):
        return t - k if k.is_Integer else None

    def _eval_is_real(self):
        return self.args[1].is_real or None

    def _latex(self, printer, exp=None):
        s = r"\nabla\ell_{%s}\left(%s\right)" % (printer._print(self.args[0]), printer._print(self.args[1]))
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


STATEMENT = (
    r"The empirical risk of $N$ samples is $L(\theta) = \frac1N\sum_{i=1}^N \ell_i(\theta)$, "
    r"$\ell_i(\theta) = \ell(y_i, f(x_i;\theta))$, for a symbolic $N$ and any differentiable per-sample loss "
    r"(a scalar $\theta$ here; for a vector, each component of the gradient is the same claim). Its gradient "
    r"is the mean of the per-sample gradients. SGD draws an index $j$ uniformly from $\{1, \dots, N\}$ "
    r"($P(j = i) = 1/N$) and steps along $\nabla\ell_j$: an unbiased estimate, "
    r"$E_j[\nabla\ell_j(\theta)] = \sum_i \frac1N\nabla\ell_i(\theta) = \nabla L(\theta)$. With $c > 0$ the cost "
    r"of one per-sample gradient, a batch step costs $Nc$, which is $\Theta(N)$ because the cost per sample is the "
    r"constant $c$ for every $N$, while an SGD step costs $c$, the same for every $N$; one epoch of $N$ SGD steps "
    r"costs one batch step.")


@register("sgd-unbiased")
def build():
    d = Derivation("sgd-unbiased", "Empirical risk and SGD: the gradient estimate is unbiased; the cost per step",
                   source="R12", statement=STATEMENT)
    risk = sp.Sum(ell(i, theta), (i, 1, N)) / N
    mean_grad = sp.Sum(ell_grad(i, theta), (i, 1, N)) / N
    d.derive(sp.Derivative(risk, theta), name="risk_gradient").then(mean_grad,
           r"R12: the derivative of a finite sum is the sum of the derivatives, for every $N$; "
           r"$1/N$ does not depend on $\theta$; $\nabla\ell_i$ is the per-sample gradient")
    d.derive(sp.Sum(1 / N, (i, 1, N)), name="uniform").then(1,
           r"the uniform law on $\{1, \dots, N\}$, $P(j = i) = 1/N$, has total mass 1")
    d.derive(sp.Sum(ell_grad(i, theta) / N, (i, 1, N)), name="expectation").then(mean_grad,
           r"R13: $E_j[\nabla\ell_j(\theta)] = \sum_i P(j = i)\,\nabla\ell_i(\theta)$; the constant $1/N$ "
           r"comes out of the sum. This is $\nabla L(\theta)$ (the first chain): SGD's step is the batch step "
           r"in expectation")
    d.derive(sp.Sum(c, (i, 1, N)), name="batch_cost").then(N * c,
           r"a batch step evaluates all $N$ per-sample gradients: by induction on $N$", induction=N)
    d.derive(sp.Limit(N * c / N, N, sp.oo), name="batch_rate").then(c,
           r"$Nc/N = c$ for every $N$, so the limit is $c$ (the identity is the content, the limit adds nothing): "
           r"the cost per sample is the constant $c > 0$, so the batch cost is $\Theta(N)$")
    d.derive(sp.Sum(c, (i, j, j)), name="sgd_cost").then(c, r"an SGD step evaluates one per-sample gradient")
    d.derive(sp.Derivative(sp.Sum(c, (i, j, j)), N), name="sgd_cost_in_N").then(0,
           r"the one-term sum $\sum_{i=j}^{j} c$ does not contain $N$, so its formal derivative in $N$ is 0: "
           r"the step costs the same for every $N$, $O(1)$ in $N$")
    d.derive(N * sp.Sum(c, (i, j, j)), name="epoch_cost").then(sp.Sum(c, (i, 1, N)),
           r"one epoch, $N$ SGD steps, costs as much as one batch step")
    for name in ("risk_gradient", "expectation", "batch_cost", "sgd_cost"):
        d.result(name)
    return d
