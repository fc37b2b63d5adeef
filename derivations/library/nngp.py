"""Infinitely wide networks are Gaussian processes (R23): moments at every width, the kernels, their stable forms."""
import sympy as sp

from ..codegen.spec import Kernel, describe, emit
from ..core import Derivation
from ..functions import _Defined
from ..matrices import scalar
from ..registry import register


class upper_angle(_Defined):
    r"""The angle in :math:`[0, \pi]` of the point (x, y), y >= 0: :math:`\arccos(x/r) = \pi - \arccos(-x/r)`,
    r = √(x² + y²), defined by the second form so that upper_angle(y, -x) unfolds to π − arccos(x/r), the
    complement of the lecture's θ, with no identity of arccos for the prover to find.

    Printed as ``np.arctan2(y, x)``, its value for y >= 0, accurate to rounding where arccos near ±1 is not."""

    nargs = 2
    latex_name = r"\operatorname{atan2}"

    @staticmethod
    def definition(y, x):
        return sp.pi - sp.acos(-x / sp.sqrt(x ** 2 + y ** 2))


class right_angle(_Defined):
    r"""The angle in :math:`[-\pi/2, \pi/2]` of the point (x, y), x >= 0: :math:`\arcsin(y/\sqrt{x^2+y^2})`.

    Printed as ``np.arctan2(y, x)``, its value for x >= 0, accurate to rounding where arcsin near ±1 is not."""

    nargs = 2
    latex_name = r"\operatorname{atan2}"

    @staticmethod
    def definition(y, x):
        return sp.asin(y / sp.sqrt(x ** 2 + y ** 2))


# ---- the network's moments ----------------------------------------------------------------------------------
q = sp.Symbol("q", integer=True, positive=True)            # the width
j = sp.Symbol("j", integer=True, positive=True)            # a hidden unit
k = sp.Symbol("k", integer=True, nonnegative=True)         # terms summed so far
n = sp.Symbol("n", integer=True)                           # a moment's order
sigma_v, sigma_b, omega_v = sp.symbols("sigma_v sigma_b omega_v", positive=True)
V = sp.Symbol("V", positive=True)          # E[h_j(x)^2]
C = sp.Symbol("C", real=True)              # E[h_j(x) h_j(x')]
m4 = sp.Symbol("m_4", positive=True)       # E[h_j(x)^4]
Eh = sp.Symbol("m_1", real=True)           # E[h_j(x)]
T1, T2, T3, T4 = sp.symbols("T_1 T_2 T_3 T_4", real=True)   # E[t^n] of a standard normal t, before their values
mu2, mu4 = sp.symbols("mu_2 mu_4", positive=True)    # E[Y^2], E[Y^4] of one term Y = v_j h_j(x)
mu3 = sp.Symbol("mu_3", real=True)                    # E[Y^3]
ES3 = sp.Symbol("S_3", real=True)                     # E[S_k^3]
M4 = sp.Symbol("M_4", positive=True)                  # E[S_k^4]
y1 = sp.Symbol("y_1", real=True)                      # E[Y], 0 by the mean chain
t = sp.Symbol("t", real=True)              # a standard normal variable
K = sp.Symbol("K", real=True)              # the excess kurtosis, as a placeholder

# ---- the kernels --------------------------------------------------------------------------------------------
# z = a + uᵀx and z' = a + uᵀx' are jointly Gaussian, zero mean, with c₁₁ = c(x, x), c₂₂ = c(x', x'),
# c₁₂ = c(x, x'), c(x, x') = σ_a² + σ_u² xᵀx' = yᵀy' for the feature rows y = (σ_a, σ_u x). The generated code
# works with n₁ = ‖y‖, n₂ = ‖y'‖, ρ = ŷᵀŷ' and δ∓ = ‖ŷ ∓ ŷ'‖²/2 of the unit rows ŷ = y/‖y‖: no square of a huge or
# tiny input is formed, and 1 − ρ² = δ₋δ₊ has no cancellation near ρ = ±1 (δ₋ is computed from ŷ − ŷ').
n1, n2 = sp.symbols("n_1 n_2", positive=True)
rho = sp.Symbol("rho", real=True)
dm, dp = sp.symbols("delta_m delta_p", real=True)   # not declared >= 0: sqrt(dm dp) must stay one root
c11, c22, c12 = sp.symbols("c_11 c_22 c_12", real=True)
theta = sp.Symbol("theta", real=True)      # the angle of the lecture, in [0, π]
phi, r = sp.Symbol("phi", real=True), sp.Symbol("r", positive=True)
# erf: w = (1, √2 y), ‖w‖² = 1 + 2c₁₁, unit row ŵ = (a₁, e): a₁ = 1/‖w‖, e = √2 y/‖w‖, ‖e‖² = E₁ = 1 − a₁²; ε = eᵀe'
# and Δ∓ = ‖e ∓ e'‖². v = (a₁, 0, e) and v' = (0, a₂, e') are unit rows with vᵀv' = ε, so
# 1 − ε² = ‖v − v'‖²‖v + v'‖²/4 = (a₁² + a₂² + Δ₋)(a₁² + a₂² + Δ₊)/4, a product of sums of squares.
a1, a2 = sp.symbols("a_1 a_2", positive=True)
E1, E2 = sp.symbols("E_1 E_2", nonnegative=True)
eps = sp.Symbol("epsilon", real=True)
Dm, Dp = sp.symbols("Delta_m Delta_p", nonnegative=True)
c, A = sp.Symbol("c", real=True), sp.Symbol("A", positive=True)   # c₁₂ and (1 + 2c₁₁)(1 + 2c₂₂), for erf's slope
p = sp.Symbol("p", integer=True, positive=True)
u, w = sp.MatrixSymbol("u", p, 1), sp.MatrixSymbol("w", p, 1)

NAMES = {sigma_v: r"\sigma_v", sigma_b: r"\sigma_b", omega_v: r"\omega_v", Eh: r"E[h_j]", m4: r"E[h_j^4]",
         mu2: r"\mu_2", mu3: r"\mu_3", mu4: r"\mu_4", ES3: r"E[S_k^3]", M4: r"E[S_k^4]", y1: r"E[Y]",
         T1: r"E[t]", T2: r"E[t^2]", T3: r"E[t^3]", T4: r"E[t^4]", dm: r"\delta_-", dp: r"\delta_+",
         Dm: r"\Delta_-", Dp: r"\Delta_+", eps: r"\varepsilon", c11: r"c_{11}", c22: r"c_{22}", c12: r"c_{12}"}


def gauss_density(v):
    return sp.exp(-v ** 2 / 2)


def _moments(d):
    """Stein's identity gives the moments of a standard normal t: E t = E t³ = 0, E t² = 1, E t⁴ = 3."""
    d.derive(sp.Derivative(-t ** (n + 1) * gauss_density(t), t), name="stein").then(
        (t ** (n + 2) - (n + 1) * t ** n) * gauss_density(t),
        r"integrated over $\mathbb{R}$ the left side is 0 ($t^{n+1}e^{-t^2/2} \to 0$ at $\pm\infty$), so "
        r"$E[t^{n+2}] = (n+1)E[t^n]$ for $t \sim N(0, 1)$: from $E[t^0] = 1$, $E[t^2] = 1$ and $E[t^4] = 3$. "
        r"Over $(0, \infty)$ ($n \ge -1$, the term at 0 is $-1$ for $n = -1$ and 0 else): "
        r"$\int_0^\infty r e^{-r^2/2}dr = 1$ and $\int_0^\infty r^3 e^{-r^2/2}dr = 2$")
    d.derive((-t) ** (2 * k + 1) * gauss_density(-t), name="odd_moments").then(
        -(t ** (2 * k + 1) * gauss_density(t)),
        r"the integrand of $E[t^{2k+1}]$ is odd, so $E[t] = E[t^3] = 0$")


def _width(d):
    """E[v_j h_j] = 0, Var[v_j h_j] = σ_v² V, Var f = σ_b² + qσ_v² V, and the covariance, at every width q."""
    d.derive(sp.Subs(sigma_v * T1 * Eh, T1, 0), name="mean_term").then(0,
             r"$E[v_j h_j(x)] = E[v_j]\,E[h_j(x)]$ (A1: $v_j$ independent of $h_j$), $v_j = \sigma_v t$ with "
             r"$t \sim N(0, 1)$, $E[t] = 0$")
    d.derive(sp.Subs(sigma_v ** 2 * T2 * V - (sigma_v * T1 * Eh) ** 2, (T1, T2), (0, 1)),
             name="term_variance").then(sigma_v ** 2 * V,
             r"$\operatorname{Var}[v_j h_j] = E[v_j^2]\,E[h_j^2] - E[v_j h_j]^2$ (A1), $E[v_j^2] = "
             r"\sigma_v^2 E[t^2]$, $E[t^2] = 1$, $E[t] = 0$")
    d.derive(sigma_b ** 2 + sp.Sum(sigma_v ** 2 * V, (j, 1, q)), name="variance").then(
             sigma_b ** 2 + q * sigma_v ** 2 * V,
             r"$f(x) = b + \sum_j v_j h_j(x)$, a sum of independent terms (A1, A2): their variances add, "
             r"$\operatorname{Var} b = \sigma_b^2$")
    d.derive(sp.Subs(sigma_b ** 2 + q * sigma_v ** 2 * V, sigma_v, omega_v / sp.sqrt(q)),
             name="variance_scaled").then(sigma_b ** 2 + omega_v ** 2 * V,
             r"with $\sigma_v = \omega_v q^{-1/2}$ the variance is the same at every width $q$")
    d.derive(sigma_b ** 2 + sp.Sum(sigma_v ** 2 * C, (j, 1, q)), name="covariance_width").then(
             sigma_b ** 2 + q * sigma_v ** 2 * C,
             r"$E[f(x)f(x')] = E[b^2] + \sum_{j,l} E[v_j v_l]\,E[h_j(x)h_l(x')]$ (A1, A2): the terms with one $b$ "
             r"vanish ($E[b] = 0$), and $E[v_j v_l] = \sigma_v^2$ for $j = l$, $E[v_j]E[v_l] = 0$ otherwise")
    d.derive(sp.Subs(sigma_b ** 2 + q * sigma_v ** 2 * C, sigma_v, omega_v / sp.sqrt(q)),
             name="covariance").then(sigma_b ** 2 + omega_v ** 2 * C,
             r"with $\sigma_v = \omega_v q^{-1/2}$: the covariance is $\sigma_b^2 + \omega_v^2 C(x, x')$ "
             r"exactly, at every width $q$; only its Gaussianity needs $q \to \infty$")


def _kurtosis(d):
    """The fourth moment of b + S_q, S_q a sum of q iid zero-mean terms: the excess kurtosis falls as 1/q."""
    d.derive(sp.Subs(M4 + 4 * ES3 * y1 + 6 * (k * mu2) * mu2 + 4 * (k * y1) * mu3 + mu4, y1, 0),
             name="fourth_increment").then(M4 + 6 * k * mu2 ** 2 + mu4,
             r"$E[(S_k + Y)^4]$, $Y$ a new term independent of $S_k = Y_1 + \dots + Y_k$: the binomial theorem "
             r"and independence give $E S_k^4 + 4E[S_k^3]E[Y] + 6E[S_k^2]E[Y^2] + 4E[S_k]E[Y^3] + E[Y^4]$, "
             r"with $E[S_k^2] = k\mu_2$ (variances add), $E[S_k] = kE[Y]$ and $E[Y] = 0$ (mean chain)")
    d.derive(sp.Sum(mu4 + 6 * k * mu2 ** 2, (k, 0, q - 1)), name="sum_fourth").then(
             q * mu4 + 3 * q * (q - 1) * mu2 ** 2,
             r"$E[S_q^4]$: from $S_0 = 0$, the increments of the step before summed over $k = 0, \dots, q-1$")
    moments = (T1, T2, T3, T4)
    ef4 = (sigma_b ** 4 * T4 + 4 * sigma_b ** 3 * T3 * 0 + 6 * sigma_b ** 2 * T2 * q * mu2 + 4 * sigma_b * T1 * ES3
           + q * mu4 + 3 * q * (q - 1) * mu2 ** 2)
    d.derive(sp.Subs(ef4, moments, (0, 1, 0, 3)), name="fourth_moment").then(
             3 * sigma_b ** 4 + 6 * sigma_b ** 2 * q * mu2 + q * mu4 + 3 * q * (q - 1) * mu2 ** 2,
             r"$E[f^4] = E[(b + S_q)^4]$, $b = \sigma_b t$ independent of $S_q$: the binomial theorem with "
             r"$E[b^n] = \sigma_b^n E[t^n]$ ($E[t] = E[t^3] = 0$, $E[t^2] = 1$, $E[t^4] = 3$), $E[S_q] = 0$, "
             r"$E[S_q^2] = q\mu_2$ and $E[S_q^4]$ from the step before")
    var = sigma_b ** 2 + q * mu2
    excess = (3 * sigma_b ** 4 + 6 * sigma_b ** 2 * q * mu2 + q * mu4 + 3 * q * (q - 1) * mu2 ** 2) / var ** 2 - 3
    d.derive(excess, name="excess_kurtosis_moments").then(q * (mu4 - 3 * mu2 ** 2) / var ** 2,
             r"the excess kurtosis $E[f^4]/(\operatorname{Var} f)^2 - 3$, $\operatorname{Var} f = \sigma_b^2 + "
             r"q\mu_2$: the Gaussian part cancels the 3")
    d.derive(sp.Subs(q * (mu4 - 3 * mu2 ** 2) / var ** 2, (mu2, mu4), (sigma_v ** 2 * V, sigma_v ** 4 * 3 * m4)),
             name="excess_kurtosis_width").then(
             3 * q * sigma_v ** 4 * (m4 - V ** 2) / (sigma_b ** 2 + q * sigma_v ** 2 * V) ** 2,
             r"one term's moments: $\mu_2 = E[v^2]E[h^2] = \sigma_v^2 V$ (above) and $\mu_4 = E[v^4]E[h^4] = "
             r"3\sigma_v^4 E[h^4]$ ($E[t^4] = 3$)")
    kurt = 3 * q * sigma_v ** 4 * (m4 - V ** 2) / (sigma_b ** 2 + q * sigma_v ** 2 * V) ** 2
    kurt_q = 3 * omega_v ** 4 * (m4 - V ** 2) / (q * (sigma_b ** 2 + omega_v ** 2 * V) ** 2)
    d.derive(sp.Subs(kurt, sigma_v, omega_v / sp.sqrt(q)), name="excess_kurtosis").then(kurt_q,
             r"with $\sigma_v = \omega_v q^{-1/2}$")
    d.derive(sp.Subs(q * K, K, kurt_q), name="kurtosis_times_width").then(
             3 * omega_v ** 4 * (m4 - V ** 2) / (sigma_b ** 2 + omega_v ** 2 * V) ** 2,
             r"$q$ times the excess kurtosis does not depend on $q$: the excess kurtosis falls exactly as $1/q$")


def _definitions(d):
    d.define(c11, n1 ** 2, r"$c_{11} = \|y\|^2$")
    d.define(c22, n2 ** 2, r"$c_{22} = \|y'\|^2$")
    d.define(c12, n1 * n2 * rho, r"$c_{12} = y^Ty' = n_1 n_2\,\hat y^T\hat y'$")
    d.define(dm, 1 - rho, r"$\delta_- = \|\hat y - \hat y'\|^2/2$ for unit rows (chain \texttt{difference\_norm})")
    d.define(dp, 1 + rho, r"$\delta_+ = \|\hat y + \hat y'\|^2/2$ for unit rows (chain \texttt{sum\_norm})")
    d.define(a1, 1 / sp.sqrt(1 + 2 * c11), r"$a_1 = 1/\|w\|$, $\|w\|^2 = 1 + 2c_{11}$")
    d.define(a2, 1 / sp.sqrt(1 + 2 * c22), r"$a_2 = 1/\|w'\|$")
    d.define(E1, 1 - a1 ** 2, r"$E_1 = \|e\|^2 = 1 - a_1^2$ ($\hat w = (a_1, e)$ is a unit row)")
    d.define(E2, 1 - a2 ** 2, r"$E_2 = \|e'\|^2 = 1 - a_2^2$")
    d.define(eps, 2 * c12 * a1 * a2, r"$\varepsilon = e^Te' = 2c_{12}/(\|w\|\|w'\|)$")
    d.define(Dm, E1 + E2 - 2 * eps, r"$\Delta_- = \|e - e'\|^2$ (chain \texttt{difference\_norm})")
    d.define(Dp, E1 + E2 + 2 * eps, r"$\Delta_+ = \|e + e'\|^2$ (chain \texttt{sum\_norm})")


def _polar(d):
    """z = n₁w₁, z' = n₂(cos θ w₁ + sin θ w₂) for w ~ N(0, I): the step and ReLU kernels by polar coordinates."""
    angle = sp.acos(c12 / sp.sqrt(c11 * c22))
    L = sp.Matrix([[n1, 0], [n2 * sp.cos(angle), n2 * sp.sin(angle)]])
    d.derive(L * L.T, name="factor").then(sp.Matrix([[c11, c12], [c12, c22]]),
             r"with $\theta = \arccos(c_{12}/\sqrt{c_{11}c_{22}})$, $L = \begin{pmatrix} n_1 & 0 \\ n_2\cos\theta & "
             r"n_2\sin\theta\end{pmatrix}$ has $LL^T = \Sigma$: $(z, z') = Lw$ with $w \sim N(0, \mathbb{I}_2)$ has "
             r"the law of the pre-activations")
    d.derive(n2 * r * (sp.cos(theta) * sp.cos(phi) + sp.sin(theta) * sp.sin(phi)), name="wedge").then(
             n2 * r * sp.cos(phi - theta),
             r"in polar coordinates $w = r(\cos\varphi, \sin\varphi)$: $z = n_1 r\cos\varphi$ and $z' = n_2 r"
             r"\cos(\varphi - \theta)$, both positive exactly on the wedge $\theta - \pi/2 < \varphi < \pi/2$ "
             r"($0 \le \theta \le \pi$), of angle $\pi - \theta$. The law of $w$, $r e^{-r^2/2} dr\,d\varphi/(2\pi)$, "
             r"gives it $\frac{\pi - \theta}{2\pi}\int_0^\infty re^{-r^2/2}dr = \frac{\pi - \theta}{2\pi}$ (chain "
             r"stein): $E[H(z)H(z')] = (\pi - \theta)/(2\pi)$")
    F = phi * sp.cos(theta) / 2 + sp.sin(2 * phi - theta) / 4
    d.derive(sp.Derivative(F, phi), name="relu_angular").then(sp.cos(phi) * sp.cos(phi - theta),
             r"an antiderivative of $\cos\varphi\cos(\varphi - \theta)$")
    d.derive(F.subs(phi, sp.pi / 2) - F.subs(phi, theta - sp.pi / 2), name="relu_wedge").then(
             ((sp.pi - theta) * sp.cos(theta) + sp.sin(theta)) / 2,
             r"$\int_{\theta - \pi/2}^{\pi/2}\cos\varphi\cos(\varphi - \theta)\,d\varphi$. Hence "
             r"$E[\operatorname{ReLU}(z)\operatorname{ReLU}(z')]$ is $\frac{n_1n_2}{2\pi}\int_0^\infty r^3e^{-r^2/2}dr$ "
             r"times $\int_{\theta-\pi/2}^{\pi/2}\cos\varphi\cos(\varphi-\theta)\,d\varphi$, that is "
             r"$\frac{n_1n_2}{2\pi}(\sin\theta + (\pi - \theta)\cos\theta)$, with "
             r"$\int_0^\infty r^3e^{-r^2/2}dr = 2$ (chain stein): Cho and Saul's kernel, halved")


def _erf_slope(d):
    """Williams' erf kernel, given Price's theorem: its slope in c₁₂ and its value at c₁₂ = 0."""
    S = sp.Matrix([[1 + 2 * c11, 2 * c12], [2 * c12, 1 + 2 * c22]])
    d.derive(sp.Determinant(S), name="erf_determinant").then((1 + 2 * c11) * (1 + 2 * c22) - 4 * c12 ** 2,
             r"$\det(\mathbb{I} + 2\Sigma)$: $E[e^{-z^2 - z'^2}] = \det(\mathbb{I} + 2\Sigma)^{-1/2}$ (a Gaussian "
             r"integral, cited), and $\operatorname{erf}'(z) = 2e^{-z^2}/\sqrt\pi$, so $E[\operatorname{erf}'(z)"
             r"\operatorname{erf}'(z')] = \frac{4}{\pi}((1 + 2c_{11})(1 + 2c_{22}) - 4c_{12}^2)^{-1/2}$")
    d.derive(sp.Derivative(2 / sp.pi * sp.asin(2 * c / sp.sqrt(A)), c), name="erf_slope").then(
             4 / (sp.pi * sp.sqrt(A - 4 * c ** 2)),
             r"the slope in $c = c_{12}$ of Williams' kernel, $A = (1 + 2c_{11})(1 + 2c_{22})$: by Price's theorem "
             r"(cited) $\partial E[\operatorname{erf}(z)\operatorname{erf}(z')]/\partial c_{12} = "
             r"E[\operatorname{erf}'(z)\operatorname{erf}'(z')]$, the step before; at $c_{12} = 0$ both are 0 ($z, z'$ "
             r"independent, erf odd). Hence Williams' kernel, given Price's theorem and the Gaussian integral")


def _stable(d):
    """The quantities the generated code computes, and why they are the closed forms' (no cancellation)."""
    d.derive(scalar((u - w).T * (u - w)), name="difference_norm").then(
             scalar(u.T * u) - 2 * scalar(u.T * w) + scalar(w.T * w),
             r"for unit rows $u = \hat y$, $w = \hat y'$: $\delta_- = \|u - w\|^2/2 = 1 - \rho$; for $u = e$, "
             r"$w = e'$: $\Delta_- = E_1 + E_2 - 2\varepsilon$. The code computes $\|u - w\|^2$ from $u - w$: 0 exactly when "
             r"$u = w$, and accurate to rounding near it")
    d.derive(scalar((u + w).T * (u + w)), name="sum_norm").then(
             scalar(u.T * u) + 2 * scalar(u.T * w) + scalar(w.T * w),
             r"likewise $\delta_+ = \|u + w\|^2/2 = 1 + \rho$ and $\Delta_+ = E_1 + E_2 + 2\varepsilon$, accurate "
             r"near $\rho = -1$")


def _kernels(d):
    """The closed forms, in the stable quantities: each the lecture's formula = the generated code's."""
    angle = sp.acos(c12 / sp.sqrt(c11 * c22))
    cho_saul = sp.sqrt(c11 * c22) * (sp.sin(angle) + (sp.pi - angle) * sp.cos(angle)) / (2 * sp.pi)
    sin_angle = sp.sqrt(dm * dp)
    d.derive(cho_saul, name="relu_expectation").then(
        n1 * n2 * (sin_angle + (sp.pi - sp.acos(rho)) * rho) / (2 * sp.pi),
        r"at $c_{11} = n_1^2$, $c_{22} = n_2^2$, $c_{12} = n_1n_2\rho$: $\cos\theta = \rho$ and $\sin\theta = "
        r"\sqrt{1 - \rho^2} = \sqrt{\delta_-\delta_+}$")
    d.then(n1 * n2 * (sin_angle + upper_angle(sin_angle, -rho) * rho) / (2 * sp.pi),
        r"$\pi - \theta = \operatorname{atan2}(\sin\theta, -\rho)$, the angle of the point $(-\rho, \sin\theta)$: "
        r"accurate to rounding where $\arccos$ near $\pm 1$ is not")
    d.derive((sp.pi - angle) / (2 * sp.pi), name="step_expectation").then(
        upper_angle(sin_angle, -rho) / (2 * sp.pi),
        r"the step kernel (chain wedge) with $\pi - \theta = \operatorname{atan2}(\sqrt{\delta_-\delta_+}, -\rho)$")
    williams = 2 / sp.pi * sp.asin(2 * c12 / sp.sqrt((1 + 2 * c11) * (1 + 2 * c22)))
    d.derive(williams, name="erf_expectation").then(
        2 / sp.pi * right_angle(eps, sp.sqrt((a1 ** 2 + a2 ** 2 + Dm) * (a1 ** 2 + a2 ** 2 + Dp)) / 2),
        r"Williams' kernel: $2c_{12}/\sqrt{(1+2c_{11})(1+2c_{22})} = e^Te' = \varepsilon$ for the unit rows "
        r"$\hat w = (a_1, e)$ of $w = (1, \sqrt2\,y)$, and $\arcsin\varepsilon = \operatorname{atan2}(\varepsilon, "
        r"\sqrt{1 - \varepsilon^2})$ with $1 - \varepsilon^2 = (a_1^2 + a_2^2 + \Delta_-)(a_1^2 + a_2^2 + \Delta_+)/4$ "
        r"(the unit rows $(a_1, 0, e)$ and $(0, a_2, e')$): no cancellation near $\varepsilon = \pm 1$")


STATEMENT = (
    r"A network with one hidden layer of width $q$ computes $f(x) = b + \sum_{j=1}^q v_j h_j(x)$, "
    r"$h_j(x) = \phi(a_j + u_j^Tx)$, with priors $a_j \sim N(0, \sigma_a^2)$, $b \sim N(0, \sigma_b^2)$, "
    r"$v_j \sim N(0, \sigma_v^2)$, $u_{ij} \sim N(0, \sigma_u^2)$. Assumed, not proved: (A1) all these weights "
    r"independent, so the $v_j$ are independent of the $h_j$ and of each other, with $E[v_j] = 0$; (A2) $b$ "
    r"independent of the rest, $E[b] = 0$; (A3) the $h_j$ identically distributed. $V(x) = E[h_j(x)^2]$, "
    r"$C(x, x') = E[h_j(x)h_j(x')]$, $t$ a standard normal variable." "\n\n"
    r"Proved below: $E[v_jh_j] = 0$, $\operatorname{Var}[v_jh_j] = \sigma_v^2V$, $\operatorname{Var} f = \sigma_b^2 + "
    r"q\sigma_v^2V$, with $\sigma_v = \omega_vq^{-1/2}$ equal to $\sigma_b^2 + \omega_v^2V$ at every width, and the "
    r"covariance $\sigma_b^2 + \omega_v^2C(x, x')$ exactly at every width. From the fourth moment of a sum of $q$ iid "
    r"zero-mean terms plus the independent Gaussian $b$, the excess kurtosis of $f(x)$ is "
    r"$3\omega_v^4(E h^4 - (E h^2)^2)/(q(\sigma_b^2 + \omega_v^2E h^2)^2)$, falling exactly as $1/q$. That $f$ "
    r"tends to a Gaussian process as $q \to \infty$ (the central limit theorem; Neal 1995) is cited." "\n\n"
    r"The kernels, with $c(x, x') = \sigma_a^2 + \sigma_u^2x^Tx' = y^Ty'$ for $y = (\sigma_a, \sigma_ux)$, "
    r"$c_{11} = c(x, x)$, $c_{22} = c(x', x')$, $c_{12} = c(x, x')$, $\theta = \arccos(c_{12}/\sqrt{c_{11}c_{22}})$: "
    r"step $(\pi - \theta)/(2\pi)$ and ReLU $\frac{1}{2\pi}\sqrt{c_{11}c_{22}}(\sin\theta + (\pi - \theta)\cos\theta)$ "
    r"(Cho and Saul 2009) are derived below from polar coordinates (the factorisation, the wedge, the radial and "
    r"angular integrals are proved steps; the change to polar coordinates and the rotation invariance of $N(0, "
    r"\mathbb{I}_2)$ are used, not proved). erf: $\frac{2}{\pi}\arcsin(2c_{12}/\sqrt{(1 + 2c_{11})(1 + 2c_{22})})$ "
    r"(Williams 1997) is cited: its slope in $c_{12}$ is proved equal to $E[\operatorname{erf}'(z)"
    r"\operatorname{erf}'(z')]$, which gives it by Price's theorem and a Gaussian integral (both cited, not proved). "
    r"All three are checked in the tests against 50-digit mpmath quadrature of $E[h(z)\,E[h(z') \mid z]]$ over "
    r"$z$, the inner expectation in closed form (the normal distribution function for step, the partial mean for "
    r"ReLU, $E[\operatorname{erf}(m + sZ)] = \operatorname{erf}(m/\sqrt{1 + 2s^2})$ for erf, itself checked by "
    r"quadrature)." "\n\n"
    r"Stable forms, proved: the generated code computes $n_1 = \|y\|$, $\rho = \hat y^T\hat y'$ and $\delta_\mp = "
    r"\|\hat y \mp \hat y'\|^2/2$ of the unit rows $\hat y = y/\|y\|$ (no square of a huge or tiny input; "
    r"$\delta_-$, $\delta_+$, $\Delta_-$, $\Delta_+$ are written \texttt{delta\_m}, \texttt{delta\_p}, "
    r"\texttt{Delta\_m}, \texttt{Delta\_p} in the code), so "
    r"$\sin\theta = \sqrt{\delta_-\delta_+}$ without the cancellation of $c_{11}c_{22} - c_{12}^2$, and "
    r"$\pi - \theta = \operatorname{atan2}(\sin\theta, -\rho)$ where $\arccos$ near $\pm 1$ loses digits; erf likewise "
    r"from the unit rows of $w = (1, \sqrt2\,y)$.")


describe("nngp", "Infinite-width network kernels (R23): the covariance of f(x) = b + sum_j v_j h_j(x) for erf, "
                 "ReLU and step units")
emit(Kernel(module="nngp", derivation="nngp", covariance="covariance",
            activations=(("erf", "erf_expectation", "erf", False), ("relu", "relu_expectation", "angle", False),
                         ("step", "step_expectation", "angle", True))))


@register("nngp")
def build() -> Derivation:
    d = Derivation("nngp", "Infinitely wide networks are Gaussian processes", statement=STATEMENT, source="R23",
                   names=NAMES, dims=(p,),
                   domains={rho: (-1, 1), theta: (0, sp.pi), c: (-0.4, 0.4), A: (1, 4)})
    _definitions(d)
    _moments(d)
    _width(d)
    _kurtosis(d)
    _polar(d)
    _erf_slope(d)
    _stable(d)
    _kernels(d)
    for name in ("variance", "variance_scaled", "covariance", "excess_kurtosis", "relu_expectation",
                 "step_expectation", "erf_expectation"):
        d.result(name)
    return d
