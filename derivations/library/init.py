"""Initialisation (R20): the weight variances that keep activations or back-propagated gradients constant."""
import sympy as sp

from ..core import Derivation
from ..functions import relu, relu_prime
from ..registry import register
from ..codegen.spec import Output, Spec, describe, emit

q_in = sp.Symbol("q_in", integer=True, positive=True)     # fan-in of a layer W of shape (q_in, q_out)
q_out = sp.Symbol("q_out", integer=True, positive=True)   # fan-out
v = sp.Symbol("v", positive=True)        # Var W_ij
s = sp.Symbol("s", positive=True)        # a variance, always: of the inputs x_i (A1), of the pre-activations y_i (A3)
r = sp.Symbol("r", positive=True)        # Var ∂L/∂h_j (backward, A2)
k = sp.Symbol("k", positive=True)        # E[φ'(z_j)²], the activation's backward factor (A2)
V = sp.Symbol("V", positive=True)        # a target variance
a = sp.Symbol("a", positive=True)        # half-width of a uniform U[-a, a]
w = sp.Symbol("w", real=True)            # a weight, integrated over
t = sp.Symbol("t", real=True)            # a standard normal variable, y = √s t ~ N(0, s)
z = sp.Symbol("z", real=True)
i = sp.Symbol("i", integer=True, positive=True)           # the index of an input unit

# What is assumed (independence, zero means, the law of a pre-activation) is the statement's (A1)-(A3); the steps
# prove only the algebra and the integrals. The named variances are definitions, not solved for: the steps prove
# that the gain is 1 there and that it is c·v with c > 0, so 1 at that v only (said in words).
# A defined value may not mention a symbol that some step binds (Subs(q_in v, v, 0) binds v): so the gains are
# written out (q_in v), not defined, and no step substitutes for q_in or q_out, which the named variances mention.
v_lecun = sp.Symbol("v_LeCun", positive=True)
v_back = sp.Symbol("v_back", positive=True)
v_he = sp.Symbol("v_He", positive=True)
v_he_back = sp.Symbol("v_He_back", positive=True)

_QI, _QO = r"q_{\mathrm{in}}", r"q_{\mathrm{out}}"
NAMES = {q_in: _QI, q_out: _QO, v_lecun: r"v_{\mathrm{LeCun}}", v_back: r"v_{\mathrm{back}}",
         v_he: r"v_{\mathrm{He}}", v_he_back: r"v_{\mathrm{He,back}}"}

STATEMENT = (
    r"A layer computes $z_j = \sum_{i=1}^{" + _QI + r"} W_{ij} x_i$, with $W$ of shape $(" + _QI + ", " + _QO
    + r")$, and then $h_j = \phi(z_j)$. Back-propagated through it, the gradient is "
    r"$\partial L/\partial x_i = \sum_{j=1}^{" + _QO + r"} W_{ij}\,\phi'(z_j)\,\partial L/\partial h_j$. "
    r"Here $s$ is always a variance (its standard deviation is $\sqrt{s}$) and $\mathbb{I}$ an identity "
    r"matrix. The gain of a layer is the ratio of the variance it produces to the one it receives. "
    r"Assumed, not proved:" "\n\n"
    r"(A1) the $W_{ij}$ independent, zero mean, variance $v$; the $x_i$ independent, zero mean, variance $s$; "
    r"$W$ independent of $x$. Then $E[W_{:j}W_{:j}^T] = v\mathbb{I}$, $E[xx^T] = s\mathbb{I}$ and "
    r"$\operatorname{Var} z_j = E[(W_{:j}^T x)^2] = \operatorname{tr}(E[W_{:j}W_{:j}^T]\,E[xx^T]) = "
    r"\operatorname{tr}(v\mathbb{I}\cdot s\mathbb{I})$." "\n\n"
    r"(A2) the $W_{ij}$ as in (A1); the $\partial L/\partial h_j$ independent, zero mean, variance $r$, "
    r"independent of $W$ and of the $z_j$. Then the $\delta_j = \phi'(z_j)\,\partial L/\partial h_j$ are "
    r"independent, zero mean, with $E[\delta_j^2] = k r$, $k = E[\phi'(z_j)^2]$, and "
    r"$\operatorname{Var}\,\partial L/\partial x_i = \operatorname{tr}(E[W_{i:}^T W_{i:}]\,E[\delta\delta^T]) "
    r"= \operatorname{tr}(v\mathbb{I}\cdot kr\mathbb{I})$ ($" + _QO + r" \times " + _QO + r"$)." "\n\n"
    r"(A3) for ReLU, $x_i = \operatorname{ReLU}(y_i)$ with the pre-activations $y_i$ independent, of "
    r"variance $s$, $W$ as in (A1) and independent of $y$. Then $\operatorname{Var} z_j = \sum_i v\,"
    r"E[x_i^2]$ (only the diagonal of $E[xx^T]$ meets $v\mathbb{I}$). $E[\operatorname{ReLU}(y_i)^2] = s/2$ "
    r"is derived below for a Gaussian $y_i \sim N(0, s)$ and for a uniform $y_i$; for any $y_i$ symmetric "
    r"about 0 it holds by the same symmetry, not proved here." "\n\n"
    r"Derived from these: the forward gain is $" + _QI + r" v$, 1 only at LeCun's $v = 1/" + _QI + r"$; the "
    r"backward gain is $" + _QO + r" k v$, for a linear layer ($k = 1$) 1 only at $v = 1/" + _QO + r"$. "
    r"Glorot's compromise $v = 2/(" + _QI + " + " + _QO + r")$, between the two, is "
    r"$U[\pm\sqrt{6/(" + _QI + " + " + _QO + r")}]$; the 'standard' $U[\pm 1/\sqrt{" + _QI + r"}]$ has "
    r"variance $1/(3" + _QI + r")$, a forward gain $1/3$. tanh is linear near 0 ($\tanh 0 = 0$, "
    r"$\tanh'(0) = 1$), so a tanh layer near 0 has the linear gains, and its backward gain is at most the "
    r"linear one since $0 < \tanh' \le 1$. For a Gaussian or uniform pre-activation ReLU halves the second "
    r"moment, and $E[\operatorname{ReLU}'(y)^2] = 1/2$ for a Gaussian $y$: gains $" + _QI + r" v/2$ and $"
    + _QO + r" v/2$, 1 only at He's $v = 2/" + _QI + r"$ and at its backward variant $v = 2/" + _QO + r"$.")


def _forward(d):
    """Var z_j = q_in v s under (A1); the gain q_in v is 0 at v = 0 with slope q_in, 1 at LeCun's 1/q_in."""
    eye = sp.Identity(q_in)
    d.derive(sp.Trace((v * eye) * (s * eye)), name="forward_variance").then(q_in * v * s,
           r"$\operatorname{tr}(v\mathbb{I}\cdot s\mathbb{I}) = \operatorname{tr}(sv\mathbb{I})$ for the "
           r"$" + _QI + r" \times " + _QI + r"$ identity: $" + _QI + r"$ diagonal entries $sv$. Under (A1) "
           r"this trace is $\operatorname{Var} z_j$")
    d.derive(sp.Trace((v * eye) * (s * eye)) / s, name="forward_gain").then(q_in * v,
           r"the forward gain $\operatorname{Var} z_j / \operatorname{Var} x_i$: the trace above over $s$")
    d.derive(sp.Subs(q_in * v, v, 0), name="forward_gain_at_0").then(0,
           r"the forward gain $" + _QI + r" v$ at $v = 0$ is 0")
    d.derive(sp.Derivative(q_in * v, v), name="forward_gain_slope").then(q_in,
           r"its slope in $v$ is $" + _QI + r" > 0$. Hence, with the step before, the gain is linear in $v$ "
           r"through 0 and strictly increasing: it equals 1 at one $v$ only")
    d.derive(sp.Subs(q_in * v, v, v_lecun), name="lecun_gain").then(1,
           r"at LeCun's $v_{\mathrm{LeCun}} = 1/" + _QI + r"$ the forward gain is 1. Hence, by the two steps "
           r"before, $v_{\mathrm{LeCun}}$ is the only variance with forward gain 1")


def _backward(d):
    """Var ∂L/∂x_i = q_out k v r under (A2): gain q_out k v; a linear layer (k = 1) has gain 1 at 1/q_out."""
    eye = sp.Identity(q_out)
    d.derive(sp.Trace((v * eye) * (k * r * eye)), name="backward_variance").then(q_out * k * v * r,
           r"$\operatorname{tr}(v\mathbb{I}\cdot kr\mathbb{I}) = \operatorname{tr}(krv\mathbb{I})$ for the "
           r"$" + _QO + r" \times " + _QO + r"$ identity: $" + _QO + r"$ diagonal entries $krv$. Under (A2) "
           r"this trace is $\operatorname{Var}\,\partial L/\partial x_i$")
    d.derive(sp.Trace((v * eye) * (k * r * eye)) / r, name="backward_gain").then(q_out * k * v,
           r"the backward gain $\operatorname{Var}\,\partial L/\partial x_i / \operatorname{Var}\,"
           r"\partial L/\partial h_j$: the trace above over $r$. Hence, as a positive multiple of $v$, it is "
           r"linear in $v$ through 0 and increasing: it equals 1 at one $v$ only")
    d.derive(sp.Subs(q_out * k * v, (k, v), (1, v_back)), name="backward_gain_one").then(1,
           r"a linear layer, $\phi' = 1$, has $k = 1$: at $v_{\mathrm{back}} = 1/" + _QO + r"$ its backward "
           r"gain is 1, and only there (step before)")


def _glorot(d):
    """Glorot's compromise 2/(q_in + q_out), its uniform bound √(6/(q_in + q_out)), and the 'standard' baseline."""
    lo, hi = sp.Symbol("A", positive=True), sp.Symbol("B", positive=True)
    d.derive(sp.Subs(2 / (1 / lo + 1 / hi), (lo, hi), (v_lecun, v_back)), name="glorot_variance").then(
           1 / ((q_in + q_out) / 2),
           r"Glorot and Bengio's compromise between the forward $v_{\mathrm{LeCun}} = 1/" + _QI + r"$ and the "
           r"backward $v_{\mathrm{back}} = 1/" + _QO + r"$: their harmonic mean $2/(1/A + 1/B)$, one over "
           r"the mean fan")
    d.then(2 / (q_in + q_out), r"$1/((" + _QI + " + " + _QO + r")/2) = 2/(" + _QI + " + " + _QO + r")$")
    d.derive(2 / (q_in + q_out) - v_lecun, name="glorot_minus_forward").then(
           (q_in - q_out) / (q_in * (q_in + q_out)),
           r"Glorot's variance minus the forward one has the sign of $" + _QI + " - " + _QO + r"$")
    d.derive(2 / (q_in + q_out) - v_back, name="glorot_minus_backward").then(
           (q_out - q_in) / (q_out * (q_in + q_out)),
           r"and minus the backward one the opposite sign. Hence Glorot's variance lies between the two, and is "
           r"both when $" + _QI + " = " + _QO + r"$ (a square layer), where both gains are 1")
    # the density 1/(2a) outside the integral, as for the Gaussian below: cheaper quadrature on the numeric route
    d.derive(sp.Integral(w ** 2, (w, -a, a)) / (2 * a), name="uniform_variance").then(a ** 2 / 3,
           r"$U[-a, a]$ has density $1/(2a)$ and mean 0: its variance is $\frac{1}{2a}\int_{-a}^{a} w^2\,dw$")
    d.derive(sp.Subs(sp.sqrt(3 * V), V, 2 / (q_in + q_out)), name="glorot_bound").then(sp.sqrt(6 / (q_in + q_out)),
           r"the half-width $a = \sqrt{3V} > 0$ solves $a^2/3 = V$; at Glorot's variance")
    d.derive(sp.Subs(a ** 2 / 3, a, sp.sqrt(6 / (q_in + q_out))), name="glorot_uniform").then(2 / (q_in + q_out),
           r"check: $U[\pm\sqrt{6/(" + _QI + " + " + _QO + r")}]$ has Glorot's variance")
    d.derive(sp.Subs(a ** 2 / 3, a, 1 / sp.sqrt(q_in)), name="standard_variance").then(1 / (3 * q_in),
           r"the 'standard' $U[-1/\sqrt{" + _QI + r"}, 1/\sqrt{" + _QI + r"}]$ (Glorot and Bengio's baseline)")
    d.derive(sp.Subs(q_in * v, v, 1 / (3 * q_in)), name="standard_gain").then(sp.Rational(1, 3),
           r"its forward gain $" + _QI + r" v$. Hence, under (A1), the variance of the activations shrinks by a "
           r"factor 3 per layer")


def _tanh(d):
    """tanh near 0 is the identity to first order; 0 < tanh' ≤ 1 bounds its backward gain by the linear one."""
    tanh_slope = sp.Derivative(sp.tanh(z), z)
    d.derive(sp.Subs(sp.tanh(z), z, 0), name="tanh_at_0").then(0, r"$\tanh 0 = 0$")
    d.derive(sp.Subs(tanh_slope, z, 0), name="tanh_slope_at_0").then(1,
           r"$\tanh'(0) = 1$: near 0, $\tanh z \approx z$ to first order (an approximation, not an identity), so "
           r"with small pre-activations a tanh layer has the linear layer's forward gain $" + _QI + r" v$")
    d.derive(q_out * v * sp.Subs(tanh_slope, z, 0) ** 2, name="tanh_backward_at_0").then(q_out * v,
           r"backward through tanh: the gain $" + _QO + r" k v$ with $k = E[\tanh'(z_j)^2]$, which for "
           r"pre-activations near 0 is $\tanh'(0)^2$ (to first order): the linear layer's backward gain")
    d.derive(1 - tanh_slope, name="tanh_slope_le_1").then(sp.tanh(z) ** 2,
           r"$1 - \tanh'(z) = \tanh^2 z$. Hence, as a square is $\ge 0$, $\tanh'(z) \le 1$")
    d.derive(tanh_slope, name="tanh_slope_positive").then(1 / sp.cosh(z) ** 2,
           r"$\tanh'(z) = 1/\cosh^2 z > 0$. Hence, with the step before, $0 < \tanh'(z) \le 1$, so "
           r"$k = E[\tanh'(z_j)^2] \le 1$ and a tanh layer's backward gain $" + _QO + r" k v$ is at most the "
           r"linear $" + _QO + r" v$, for any distribution of the $z_j$")


def _relu(d):
    """ReLU halves the second moment of a Gaussian or uniform pre-activation, and E[ReLU'²] = 1/2: He's variances."""
    d.derive(sp.Integral(w ** 2, (w, 0, a)) / (2 * a), name="relu_uniform").then(a ** 2 / 6,
           r"$E[\operatorname{ReLU}(y)^2]$ for $y \sim U[-a, a]$ (variance $s = a^2/3$, above): "
           r"$\operatorname{ReLU}(w)^2 = w^2$ for $w > 0$ and 0 otherwise, so only $w > 0$ counts; "
           r"$a^2/6 = s/2$")
    # the density's constant outside the integral: the numeric route's quadrature is then ~3x cheaper
    half_moment = sp.Integral(t ** 2 * sp.exp(-t ** 2 / 2), (t, 0, sp.oo)) / sp.sqrt(2 * sp.pi)
    d.derive(half_moment, name="relu_gaussian").then(sp.Rational(1, 2),
           r"$E[\operatorname{ReLU}(t)^2]$ for $t \sim N(0, 1)$, density $e^{-t^2/2}/\sqrt{2\pi}$: "
           r"$\operatorname{ReLU}(t)^2 = t^2$ for $t > 0$ and 0 otherwise, so only $t > 0$ counts")
    d.derive(relu(sp.sqrt(s) * t) ** 2, name="relu_scale").then(s * relu(t) ** 2,
           r"$\operatorname{ReLU}$ is positively homogeneous. Hence, for $y = \sqrt{s}\,t \sim N(0, s)$ "
           r"(standard deviation $\sqrt{s}$), taking expectations with the step before: "
           r"$E[\operatorname{ReLU}(y)^2] = s/2$")
    d.derive(sp.Sum(v * s / 2, (i, 1, q_in)) / s, name="relu_gain").then(q_in * v / 2,
           r"the forward gain $\operatorname{Var} z_j / \operatorname{Var} y_i$ of a ReLU layer under (A3): "
           r"$\operatorname{Var} z_j = \sum_i v\,E[\operatorname{ReLU}(y_i)^2]$ with "
           r"$E[\operatorname{ReLU}(y_i)^2] = s/2$ (a Gaussian or uniform $y_i$, above), over $s$. Hence, as "
           r"$v$ times $" + _QI + r"/2 > 0$, it equals 1 at one $v$ only")
    d.derive(sp.Subs(q_in * v / 2, v, v_he), name="he_gain").then(1,
           r"at He's $v_{\mathrm{He}} = 2/" + _QI + r"$ (He et al. 2015) a ReLU layer's forward gain is 1")
    d.derive(relu_prime(t) ** 2, name="relu_slope_square").then(relu_prime(t),
           r"$\operatorname{ReLU}'(t) = \mathbf{1}\{t > 0\}$ is its own square. Hence "
           r"$k = E[\operatorname{ReLU}'(y)^2] = P(y > 0)$, which for $y = \sqrt{s}\,t$, $s > 0$, is $P(t > 0)$")
    half_mass = sp.Integral(sp.exp(-t ** 2 / 2), (t, 0, sp.oo)) / sp.sqrt(2 * sp.pi)
    d.derive(half_mass, name="relu_backward_factor").then(sp.Rational(1, 2),
           r"$P(t > 0)$ for $t \sim N(0, 1)$: the standard normal density integrated over $t > 0$. Hence "
           r"$k = 1/2$ for ReLU with $y \sim N(0, s)$")
    d.derive(sp.Subs(q_out * k * v, (k, v), (sp.Rational(1, 2), v_he_back)), name="he_backward_gain").then(1,
           r"the backward gain $" + _QO + r" k v$ of a ReLU layer, $k = 1/2$ (step before), is $" + _QO
           + r" v/2$, a positive multiple of $v$; it is 1 at $v_{\mathrm{He,back}} = 2/" + _QO + r"$ "
           r"(He et al.'s backward variant), and only there")


# name -> (symbol, value, why, the chains that show the gain is 1 there and only there): the named variances
_NAMED = {
    "lecun_variance": (v_lecun, 1 / q_in, "LeCun's variance: the forward gain is 1 here, and only here",
                       ("forward_gain_at_0", "forward_gain_slope", "lecun_gain")),
    "backward_variance_one": (v_back, 1 / q_out, "for a linear layer, the backward gain is 1 here, and only here",
                              ("backward_gain", "backward_gain_one")),
    "he_variance": (v_he, 2 / q_in, "He's variance: a ReLU layer's forward gain is 1 here, and only here",
                    ("relu_gain", "he_gain")),
    "he_backward_variance": (v_he_back, 2 / q_out,
                             "He's backward variant: a ReLU layer's backward gain is 1 here, and only here",
                             ("backward_gain", "relu_backward_factor", "he_backward_gain")),
}


def _define_named(d):
    """The named variances, each citing (by number, as the report numbers them) the steps about its gain."""
    number = {step.chain: n for n, step in enumerate(d.steps, 1) if step.chain}
    for symbol, value, why, chains in _NAMED.values():
        d.define(symbol, value, why + " (steps " + ", ".join(f"({number[c]})" for c in chains) + ")")

RESULTS = ("standard_variance", "standard_gain", "lecun_variance", "glorot_variance", "glorot_bound", "he_variance",
           "he_backward_variance")


@register("init-variance")
def build():
    d = Derivation("init-variance", "Initialisation: variances that keep activations and gradients constant",
                   source="R20", statement=STATEMENT, names=NAMES)
    _forward(d)
    _backward(d)
    _glorot(d)
    _tanh(d)
    _relu(d)
    _define_named(d)
    for name in RESULTS:
        if name in _NAMED:
            d.result(name, _NAMED[name][0])
        else:
            d.result(name)
    return d


describe("init", "Weight initialisation variances (R20): standard, LeCun, Glorot, He")
# (name, summary, doc_extra): each becomes one docstring line, so both stay under ~80 characters
_DOCS = (
    ("standard_variance", "Variance 1/(3 q_in) of the 'standard' init, uniform on ±1/√q_in.",
     "q_out is unused."),
    ("lecun_variance", "LeCun's variance 1/q_in: forward gain 1 for a linear layer.",
     "Also for a tanh layer near 0. q_out is unused."),
    ("glorot_variance", "Glorot's variance 2/(q_in + q_out).",
     "Between the forward 1/q_in and the backward 1/q_out; both when q_in = q_out."),
    ("glorot_bound", "Half-width √(6/(q_in + q_out)) of the uniform init with Glorot's variance.", ""),
    ("he_variance", "He's variance 2/q_in: forward gain 1 for a ReLU layer.", "q_out is unused."),
    ("he_backward_variance", "He's backward variance 2/q_out: backward gain 1 for a ReLU layer.",
     "q_in is unused."),
)
for _name, _summary, _extra in _DOCS:
    emit(Spec("init", _name, "init-variance", ("q_in", "q_out"), (("q_in", "q_in"), ("q_out", "q_out")),
              (Output("value", _name),), _summary, doc_extra=_extra))
