"""Universal approximation (R21): the 1-D ReLU interpolant on q knots, derived, and its (h²/8) max|f''| error bound."""
import sympy as sp

from ..core import Derivation
from ..functions import relu
from ..registry import register

# On piece k the point is x = x_k + u = x_{k+1} − v: u ≥ 0 and v > 0 make both signs structural, and h = u + v.
u = sp.Symbol("u", nonnegative=True)
v = sp.Symbol("v", positive=True)
h = sp.Symbol("h", positive=True)
k = sp.Symbol("k", integer=True, positive=True)          # the piece, in the induction (k = 0 is f_0 + s_0 x)
i = sp.Symbol("i", integer=True, positive=True)          # a unit, summed
j, m = sp.symbols("j m", integer=True, nonnegative=True)   # a unit's distance below / above the piece
x = sp.Symbol("x", real=True)
a = sp.Symbol("a", real=True)                            # the piece's left knot x_k, in the error bound
F = sp.IndexedBase("f", real=True)                       # f_i = f(x_i)
alpha = sp.IndexedBase("alpha", real=True)               # the coefficients of a cubic f
M = sp.Symbol("M", positive=True)                        # max |f''| on the piece
P1, P2, Q1, Q2 = sp.symbols("P_1 P_2 Q_1 Q_2", nonnegative=True)
q = sp.Symbol("q", integer=True, positive=True)
EXPLICIT_Q = 3                                            # the whole network written out, every piece


def slope(n, step=h):
    """s_n, the slope of the interpolant on [x_n, x_{n+1}]."""
    return (F[n + 1] - F[n]) / step


def coef(n, step=h):
    """c_n: the slope change at x_n, c_0 = s_0 and c_n = s_n − s_{n−1} = (f_{n+1} − 2f_n + f_{n−1})/h."""
    return slope(0, step) if n == 0 else (F[n + 1] - 2 * F[n] + F[n - 1]) / step


def network(point, units, step):
    """f_q(x) = f_0 + Σ_{i<q} c_i ReLU(x − x_i), units written out."""
    return F[0] + sum(coef(n, step) * relu(point - n * step) for n in range(units))


def cubic(t):
    return sum(alpha[n] * t ** n for n in range(4))


def cubic_second(t):
    return 2 * alpha[2] + 6 * alpha[3] * t


def unit_signs(d):
    """Which units are active on piece k: the per-unit signs, for symbolic k and i (also used by linear-regions)."""
    # x − x_i written out (k h cancels): the claim is about every k and i, each sign structural
    d.derive(relu(u + j * h), name="active_unit").then(
        u + j * h, r"unit $i = k - j \le k$ ($j \ge 0$) at $x = x_k + u$: $x - x_i = u + jh \ge 0$, so "
                   r"$\operatorname{ReLU}(x - x_i) = x - x_i$")
    d.derive(relu(-v - m * h), name="inactive_unit").then(
        0, r"unit $i = k + 1 + m > k$ ($m \ge 0$) at $x = x_{k+1} - v$: $x - x_i = -v - mh < 0$, so "
           r"$\operatorname{ReLU}(x - x_i) = 0$")


def _telescoping(d):
    """With the active units only, the sum telescopes to the linear interpolant of piece k (any k, by induction)."""
    # the claim times h, with h c_i = f_{i+1} − 2 f_i + f_{i−1}: fewer operations per term for the numeric route,
    # which sums up to 60 terms at each of its points
    d.derive(sp.Sum((F[i + 1] - 2 * F[i] + F[i - 1]) * (x - i * h), (i, 1, k)), name="active_sum").then(
        h * (F[k] + slope(k) * (x - k * h) - F[0] - slope(0) * x),
        r"$h\sum_{i=1}^{k} c_i (x - x_i)$ with $h c_i = h(s_i - s_{i-1}) = f_{i+1} - 2f_i + f_{i-1}$, by induction "
        r"on $k$: it telescopes (base $k = 1$ by algebra; step: the new term $c_{k+1}(x - x_{k+1})$ turns "
        r"$f_k + s_k(x - x_k)$ into $f_{k+1} + s_{k+1}(x - x_{k+1})$, as $f_{k+1} = f_k + s_k h$); so "
        r"$f_0 + c_0 x + \sum_{i=1}^{k} c_i (x - x_i) = f_k + s_k (x - x_k)$", induction=k)


def _whole_network(d):
    """The whole network of q = 3 units at a point of each piece: only the units i ≤ k are active."""
    step = u + v
    for piece in range(EXPLICIT_Q):
        d.derive(network(piece * step + u, EXPLICIT_Q, step), name=f"piece_{piece}").then(
            F[piece] + slope(piece, step) * u,
            rf"$q = {EXPLICIT_Q}$, piece $k = {piece}$, $x = x_{piece} + u = x_{piece + 1} - v$, $h = u + v$: "
            rf"units $i \le {piece}$ pass $x - x_i$, the others give 0, and the sum is the linear interpolant "
            rf"$f_{piece} + s_{piece}(x - x_{piece})$")


def _error(d):
    """The interpolation error on one piece: exact for cubics, bounded by M uv/2 ≤ M h²/8 for every f ∈ C²."""
    step = u + v
    left, right, point = a, a + step, a + u
    error = cubic(point) - cubic(left) - (cubic(right) - cubic(left)) * u / step
    d.derive(error, name="cubic_error").then(
        -cubic_second((left + right + point) / 3) * u * v / 2,
        r"for a cubic $f$ (coefficients $\alpha_n$), exact algebra: $e(x) = f[x_k, x_{k+1}, x](x - x_k)(x - x_{k+1})"
        r"= -\tfrac12 f''(\xi)\,uv$ at $\xi = (x_k + x_{k+1} + x)/3 \in [x_k, x_{k+1}]$")
    # Peano: e(x) = −(v I_1 + u I_2)/h, I_1 = ∫_{x_k}^x (t − x_k) f'' dt, I_2 = ∫_x^{x_{k+1}} (x_{k+1} − t) f'' dt.
    # f'' ≥ −M makes P_n = I_n + M·(kernel integral) ≥ 0; f'' ≤ M makes Q_n = M·(kernel integral) − I_n ≥ 0.
    upper = -(v * (P1 - M * u ** 2 / 2) + u * (P2 - M * v ** 2 / 2)) / step
    d.derive(upper, name="upper")
    d.then(M * u * v / 2 - (v * P1 + u * P2) / step,
           r"$e(x)$ in the Peano form with $I_1 = P_1 - Mu^2/2$, $I_2 = P_2 - Mv^2/2$ "
           r"($\int_{x_k}^{x}(t - x_k)\,dt = u^2/2$, $\int_x^{x_{k+1}}(x_{k+1} - t)\,dt = v^2/2$): "
           r"$\frac{M}{2h}(vu^2 + uv^2) = \frac{M}{2}uv$")
    d.then(M * u * v / 2, r"$P_1, P_2 \ge 0$ (integrals of $\text{kernel} \ge 0$ times $f'' + M \ge 0$)",
           relation="<=")
    d.then(M * step ** 2 / 8, r"$uv \le h^2/4$: $h^2/4 - uv = (u - v)^2/4 = (2x - x_k - x_{k+1})^2/4 \ge 0$",
           relation="<=", certificate=M * (u - v) ** 2 / 8)
    lower = (v * (M * u ** 2 / 2 - Q1) + u * (M * v ** 2 / 2 - Q2)) / step
    d.derive(lower, name="lower")
    d.then(M * u * v / 2 - (v * Q1 + u * Q2) / step,
           r"$-e(x)$ in the Peano form with $I_1 = Mu^2/2 - Q_1$, $I_2 = Mv^2/2 - Q_2$")
    d.then(M * u * v / 2, r"$Q_1, Q_2 \ge 0$ (integrals of $\text{kernel} \ge 0$ times $M - f'' \ge 0$)",
           relation="<=")
    d.then(M * step ** 2 / 8, r"$uv \le h^2/4$, as above", relation="<=", certificate=M * (u - v) ** 2 / 8)


def _sine(d):
    """The example f(x) = sin 2πx: f'' = −4π² sin 2πx, max|f''| = 4π², and (h²/8)·4π² = π²/(2q²) at h = 1/q."""
    f = sp.sin(2 * sp.pi * x)
    d.derive(sp.Derivative(f, x, 2), name="sin_second").then(-4 * sp.pi ** 2 * f, r"differentiate twice")
    d.derive((-4 * sp.pi ** 2 * f) ** 2, name="sin_max").then(
        16 * sp.pi ** 4, r"$f''(x)^2 \le 16\pi^4$: the gap is $16\pi^4\cos^2 2\pi x \ge 0$, and 0 at $x = 1/4$, so "
                         r"$\max|f''| = 4\pi^2$", relation="<=", certificate=16 * sp.pi ** 4 * sp.cos(2 * sp.pi * x) ** 2)
    d.derive(sp.Subs(M * h ** 2 / 8, (M, h), (4 * sp.pi ** 2, 1 / q)), name="sin_bound").then(
        sp.pi ** 2 / (2 * q ** 2), r"the bound $\frac{h^2}{8}\max|f''|$ at $\max|f''| = 4\pi^2$, $h = 1/q$")


STATEMENT = (
    r"\textbf{Theorem} (cited, not proved here: Cybenko 1989 for sigmoidal $\sigma$; Hornik 1991; Leshno, Lin, "
    r"Pinkus \& Schocken 1993 for every continuous non-polynomial $\sigma$, ReLU included): for continuous $f$ on "
    r"$[0,1]^p$ and $\varepsilon > 0$ there are $q$ and $v_i, w_i, b_i$ with "
    r"$\sup_x |f(x) - \sum_{i\le q} v_i\sigma(w_i^T x + b_i)| < \varepsilon$. "
    r"\textbf{Construction} ($p = 1$, proved): knots $x_i = ih$, $h = 1/q$, values $f_i = f(x_i)$, slopes "
    r"$s_i = (f_{i+1} - f_i)/h$; $f_q(x) = f_0 + \sum_{i<q} c_i\operatorname{ReLU}(x - x_i)$ with $c_0 = s_0$, "
    r"$c_i = s_i - s_{i-1}$. On piece $k$, $x = x_k + u = x_{k+1} - v$ ($u \ge 0$, $v > 0$, $h = u + v$): unit $i$ "
    r"gives $x - x_i$ for $i \le k$ and 0 for $i > k$ (proved for symbolic $i$, $k$), so, term by term, "
    r"$f_q(x) = f_0 + c_0 x + \sum_{i=1}^{k} c_i (x - x_i)$ (this summing of the units' values over a symbolic "
    r"$k$ is not an engine step), and that sum is $f_k + s_k(x - x_k)$, the linear interpolant (proved for every "
    r"$k$ by induction). The whole network, ReLUs included, is proved equal to the interpolant on every piece "
    r"for $q = 3$. "
    r"\textbf{Error}: for $f \in C^2$, Taylor's theorem with integral remainder (cited) gives the Peano form "
    r"$e(x) = f(x) - f_q(x) = -[v I_1 + u I_2]/h$, $I_1 = \int_{x_k}^{x}(t - x_k)f''(t)\,dt$, "
    r"$I_2 = \int_{x}^{x_{k+1}}(x_{k+1} - t)f''(t)\,dt$ (for a cubic the error is proved exactly: "
    r"$-\tfrac12 f''(\xi)uv$, $\xi = (x_k + x_{k+1} + x)/3$). With $|f''| \le M$ on the piece the integrals "
    r"$P_n = I_n + M\int\text{kernel} \ge 0$ and $Q_n = M\int\text{kernel} - I_n \ge 0$ (hypotheses, named); "
    r"from them $\pm e(x) \le \frac M2 (x - x_k)(x_{k+1} - x) \le \frac{h^2}{8} M$ (proved), so "
    r"$\sup|f - f_q| \le \frac{h^2}{8}\max|f''|$. For $f = \sin 2\pi x$: $\max|f''| = 4\pi^2$ and the bound is "
    r"$\pi^2/(2q^2)$ (proved)."
)


@register("universal-approximation")
def build():
    d = Derivation("universal-approximation", "Universal approximation: the ReLU interpolant and its error bound",
                   source="R21", statement=STATEMENT,
                   names={a: "x_k", P1: "P_1", P2: "P_2", Q1: "Q_1", Q2: "Q_2"})
    unit_signs(d)
    _telescoping(d)
    _whole_network(d)
    _error(d)
    _sine(d)
    for name in ("active_sum", "piece_0", "piece_1", "piece_2", "cubic_error", "sin_second", "sin_bound"):
        d.result(name)
    return d
