"""Barron's bound (R22): the trade-off C²/q + (qp/N) log N, its minimiser q* = C√(N/(p log N)) and its minimum."""
import sympy as sp

from ..core import Derivation
from ..registry import register

q = sp.Symbol("q", positive=True)          # the number of units, as a continuous variable
C = sp.Symbol("C", positive=True)          # C_f, the first absolute moment of f's Fourier transform
N = sp.Symbol("N", positive=True)          # the number of training points
p = sp.Symbol("p", integer=True, positive=True)   # the input dimension
ell = sp.Symbol("ell", positive=True)      # log N, positive for N > 1

RATE = sp.sqrt(p * ell / N)                # √(p log N / N)
Q_STAR = C * sp.sqrt(N / (p * ell))


def bound(units):
    """B(q) = C²/q + (q p / N) log N: approximation error + estimation error."""
    return C ** 2 / units + units * p * ell / N


STATEMENT = (
    r"\textbf{Theorem} (cited, not proved here: Barron 1992, and Machine Learning 14, 1994): a network of $q$ "
    r"sigmoidal units trained on $N$ points in $p$ dimensions has mean integrated squared error "
    r"$O\!\left(C_f^2/q + \frac{qp}{N}\log N\right)$, $C_f = \int|\omega||\hat f(\omega)|\,d\omega$. "
    r"\textbf{Derived} for $B(q) = C_f^2/q + \frac{qp}{N}\log N$ (the constants of the $O$ set to 1; $q$ treated "
    r"as continuous; $N > 1$, so $\log N > 0$): $B'(q) = -C_f^2/q^2 + p\log N/N$ vanishes at "
    r"$q^* = C_f\sqrt{N/(p\log N)}$; $B''(q^*) = 2C_f^2/q^{*3} > 0$; the two terms are equal there, each "
    r"$C_f\sqrt{p\log N/N}$; $B(q^*) = 2C_f\sqrt{p\log N/N}$; and $B(q) \ge B(q^*)$ for every $q > 0$ (the gap is "
    r"$(C_f/\sqrt q - \sqrt{qp\log N/N})^2$). More units help only while $q < q^*$, which grows like "
    r"$\sqrt{N}$: more units help given enough data."
)


@register("barron")
def build():
    d = Derivation("barron", "Barron's bound: the approximation–estimation trade-off in the number of units",
                   source="R22", statement=STATEMENT, names={ell: r"(\log N)", C: "C_f"})
    d.derive(sp.Derivative(bound(q), q), name="slope").then(
        -C ** 2 / q ** 2 + p * ell / N, r"differentiate: the approximation term falls as $1/q$, the estimation "
                                        r"term grows linearly")
    d.derive(sp.Subs(sp.Derivative(bound(q), q), q, Q_STAR), name="stationary").then(
        0, r"at $q^* = C_f\sqrt{N/(p\log N)}$: $C_f^2/q^{*2} = p\log N/N$")
    d.derive(sp.Subs(sp.Derivative(bound(q), q, 2), q, Q_STAR), name="curvature").then(
        2 * C ** 2 / Q_STAR ** 3, r"$B''(q) = 2C_f^2/q^3$, at $q^*$")
    d.then(0, r"$C_f > 0$ and $q^* > 0$: a minimum", relation=">")
    d.derive(sp.Subs(C ** 2 / q, q, Q_STAR), name="approximation_term").then(C * RATE, r"the approximation term at $q^*$")
    d.derive(sp.Subs(q * p * ell / N, q, Q_STAR), name="estimation_term").then(C * RATE, r"the estimation term at $q^*$: "
                                                                         r"the same as the approximation term")
    d.derive(sp.Subs(bound(q), q, Q_STAR), name="minimum").then(2 * C * RATE, r"the two equal terms")
    d.derive(bound(q), name="global").then(
        2 * C * RATE, r"$B(q) - B(q^*) = (C_f/\sqrt q - \sqrt{qp\log N/N})^2 \ge 0$: $q^*$ is the global minimum "
                      r"over $q > 0$", relation=">=", certificate=(C / sp.sqrt(q) - sp.sqrt(q * p * ell / N)) ** 2)
    for name in ("slope", "stationary", "approximation_term", "estimation_term", "minimum"):
        d.result(name)
    return d
