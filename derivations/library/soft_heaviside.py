"""The sigmoid as a soft Heaviside (R6): σ(kz) → H(z) for z ≠ 0 as the slope k → ∞, and σ(−z) = 1 − σ(z)."""
import sympy as sp

from ..core import Derivation
from ..functions import sigmoid
from ..registry import register
from .units import heaviside

k = sp.Symbol("k", positive=True)            # the slope
z = sp.Symbol("z", real=True)
z_pos = sp.Symbol("z", positive=True)        # the two sides of the step: the limit differs, so two claims
z_neg = sp.Symbol("z", negative=True)

STATEMENT = (
    r"With $H(z) = \mathbf{1}\{z \ge 0\}$ and a slope $k > 0$: for every real $z \ne 0$, "
    r"$\lim_{k\to\infty}\sigma(kz) = H(z)$ — proved as two claims, $\lim_{k\to\infty}\sigma(kz) = 1 = H(z)$ for "
    r"$z > 0$ and $\lim_{k\to\infty}(1 - \sigma(kz)) = 1 = 1 - H(z)$, i.e. $\sigma(kz) \to 0 = H(z)$, for $z < 0$. "
    r"The convergence is pointwise on $z \ne 0$ "
    r"only: at $z = 0$, $\sigma(k \cdot 0) = \frac12$ for every slope $k > 0$, while $H(0) = 1$. "
    r"And for every real $z$: $\sigma(-z) = 1 - \sigma(z)$.")


def _limits(d):
    """One claim per side of the step. For z < 0 the claim is 1 − σ(kz) → 1, i.e. σ(kz) → 0: the numeric
    route's limit (mpmath extrapolation) of a function that tends to 0 comes out as ±1e-109 or so, which it
    cannot tell from a real difference with the exact 0 (it compares relative to the value); 1 it can."""
    d.derive(sp.Limit(sigmoid(k * z_pos), k, sp.oo), name="limit_positive").then(1,
           r"for $z > 0$: $\sigma(kz) = 1/(1 + e^{-kz})$ and $e^{-kz} \to 0$ as $k \to \infty$")
    d.then(heaviside(z_pos), r"$H(z) = 1$ for $z > 0$")
    d.derive(sp.Limit(1 - sigmoid(k * z_neg), k, sp.oo), name="limit_negative").then(1,
           r"for $z < 0$: $1 - \sigma(kz) = 1/(1 + e^{kz})$ and $e^{kz} \to 0$ as $k \to \infty$, so "
           r"$\sigma(kz) \to 0$")
    d.then(1 - heaviside(z_neg), r"$H(z) = 0$ for $z < 0$: $\lim_{k\to\infty}\sigma(kz) = 1 - 1 = H(z)$")
    d.derive(sp.Subs(sigmoid(k * z), z, 0), name="at_zero").then(sp.S.Half,
           r"at $z = 0$: $\sigma(0) = \frac12$ for every $k$, not $H(0) = 1$")


def _symmetry(d):
    d.derive(sigmoid(-z), name="symmetry").then(1 / (1 + sp.exp(z)), r"definition of $\sigma$ at $-z$")
    d.then(1 - sigmoid(z), r"$1 - \frac{1}{1+e^{-z}} = \frac{e^{-z}}{1+e^{-z}} = \frac{1}{e^{z}+1}$")


@register("soft-heaviside")
def build():
    # the limits are proved for every z > 0 (z < 0) by the symbols' signs; the numeric route samples them on
    # 1/4 ≤ |z| ≤ 4, where σ(kz) settles at the slopes mpmath.limit tries (near 0 it settles only past k ~ 1/|z|)
    d = Derivation("soft-heaviside", "The sigmoid is a soft Heaviside step", source="R6", statement=STATEMENT,
                   domains={z_pos: (sp.Rational(1, 4), 4), z_neg: (-4, -sp.Rational(1, 4))}, points=4)
    _limits(d)
    _symmetry(d)
    d.result("symmetry")
    return d
