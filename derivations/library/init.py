"""Initialisation (R20): the weight variances that keep activations or back-propagated gradients constant."""
import sympy as sp

from ..core import Derivation
from ..functions import relu
from ..registry import register
from ..codegen.spec import Output, Spec, describe, emit

q_in = sp.Symbol("q_in", integer=True, positive=True)     # fan-in of a layer W of shape (q_in, q_out)
q_out = sp.Symbol("q_out", integer=True, positive=True)   # fan-out
v = sp.Symbol("v", positive=True)        # Var W_ij
s = sp.Symbol("s", positive=True)        # Var x_i (forward), or the scale of a Gaussian pre-activation
g = sp.Symbol("g", positive=True)        # Var of ∂L/∂z_j (backward)
V = sp.Symbol("V", positive=True)        # a target variance
a = sp.Symbol("a", positive=True)        # half-width of a uniform U[-a, a]
w = sp.Symbol("w", real=True)            # a weight, integrated over
t = sp.Symbol("t", real=True)            # a standard normal variable, z = s t
z = sp.Symbol("z", real=True)
Z = sp.Symbol("Z", positive=True)        # a variance one layer on

_ASSUME = (r"assumption: the $W_{ij}$ are independent, zero mean, variance $v$; the $x_i$ independent, zero mean, "
           r"variance $s$; $W$ independent of $x$")


def _forward(d):
    """Var z_j = q_in v s for z_j = Σ_i W_ij x_i: gain q_in v, constant variance at v = 1/q_in only (LeCun)."""
    eye = sp.Identity(q_in)
    d.derive(sp.Trace((v * eye) * (s * eye)), name="forward_variance").then(q_in * v * s,
           _ASSUME + r": $\operatorname{Var} z_j = E[(W_{:j}^T x)^2] = \operatorname{tr}(E[W_{:j}W_{:j}^T]\,E[x x^T])"
                     r" = \operatorname{tr}(vI\cdot sI)$ — the double sum $\sum_i\sum_l v\delta_{il}\,s\delta_{il}$, "
                     r"whose terms $i \ne l$ vanish by independence and zero mean")
    d.derive(sp.Subs(Z / s, Z, q_in * v * s), name="forward_gain").then(q_in * v,
           r"the gain $\operatorname{Var} z_j / \operatorname{Var} x_i$ of one linear layer")
    d.derive(sp.Derivative(q_in * v, v), name="forward_gain_slope").then(q_in,
           r"the gain is linear in $v$ with slope $q_{\mathrm{in}} > 0$: strictly increasing, so it equals 1 at "
           r"one $v$ only")
    d.derive(1 / sp.Derivative(q_in * v, v), name="lecun_variance").then(1 / q_in,
           r"a gain $c\,v$ through 0 equals 1 exactly at $v = 1/c$: LeCun's variance")
    d.derive(sp.Subs(q_in * v, v, 1 / q_in), name="lecun_gain").then(1,
           r"check: at $v = 1/q_{\mathrm{in}}$ the forward gain is 1")


def _backward(d):
    """∂L/∂x_i = Σ_j W_ij ∂L/∂z_j: the same argument over q_out terms gives the gain q_out v and v = 1/q_out."""
    eye = sp.Identity(q_out)
    d.derive(sp.Trace((v * eye) * (g * eye)), name="backward_variance").then(q_out * v * g,
           r"assumption: the $W_{ij}$ as above, the $\partial L/\partial z_j$ independent, zero mean, variance $g$ "
           r"and independent of $W$: $\operatorname{Var}\,\partial L/\partial x_i = "
           r"\operatorname{tr}(E[W_{i:}^T W_{i:}]\,E[\delta\delta^T]) = \operatorname{tr}(vI\cdot gI)$ over the "
           r"$q_{\mathrm{out}}$ units $j$")
    d.derive(sp.Subs(Z / g, Z, q_out * v * g), name="backward_gain").then(q_out * v,
           r"the backward gain $\operatorname{Var}\,\partial L/\partial x_i / "
           r"\operatorname{Var}\,\partial L/\partial z_j$")
    d.derive(1 / sp.Derivative(q_out * v, v), name="backward_variance_one").then(1 / q_out,
           r"the gain is $q_{\mathrm{out}} v$, slope $q_{\mathrm{out}} > 0$: it equals 1 at "
           r"$v = 1/q_{\mathrm{out}}$ only")
    d.derive(sp.Subs(q_out * v, v, 1 / q_out), name="backward_gain_one").then(1,
           r"check: at $v = 1/q_{\mathrm{out}}$ the backward gain is 1")


def _glorot(d):
    """Glorot's compromise 2/(q_in + q_out), its uniform bound √(6/(q_in + q_out)), and the 'standard' baseline."""
    lo, hi = sp.Symbol("A", positive=True), sp.Symbol("B", positive=True)
    d.derive(sp.Subs(2 / (1 / lo + 1 / hi), (lo, hi), (1 / q_in, 1 / q_out)), name="glorot_variance").then(
           1 / ((q_in + q_out) / 2),
           r"Glorot and Bengio's compromise between the forward $1/q_{\mathrm{in}}$ and the backward "
           r"$1/q_{\mathrm{out}}$: their harmonic mean $2/(1/A + 1/B)$, one over the mean fan")
    d.then(2 / (q_in + q_out), r"$1/((q_{\mathrm{in}} + q_{\mathrm{out}})/2) = 2/(q_{\mathrm{in}} + q_{\mathrm{out}})$")
    d.derive(sp.Subs(2 / (q_in + q_out), q_out, q_in), name="glorot_square").then(1 / q_in,
           r"a square layer, $q_{\mathrm{out}} = q_{\mathrm{in}}$: Glorot's variance is LeCun's")
    d.derive(sp.Subs(2 / (q_in + q_out), q_in, q_out), name="glorot_square_backward").then(1 / q_out,
           r"and, $q_{\mathrm{in}} = q_{\mathrm{out}}$, the backward one: both gains are 1")
    d.derive(sp.Integral(w ** 2 / (2 * a), (w, -a, a)), name="uniform_variance").then(a ** 2 / 3,
           r"$U[-a, a]$ has density $1/(2a)$ and mean 0: its variance is $\int_{-a}^{a} w^2/(2a)\,dw$")
    d.derive(sp.Subs(sp.sqrt(3 * V), V, 2 / (q_in + q_out)), name="glorot_bound").then(sp.sqrt(6 / (q_in + q_out)),
           r"the half-width $a = \sqrt{3V} > 0$ solves $a^2/3 = V$; at Glorot's variance")
    d.derive(sp.Subs(a ** 2 / 3, a, sp.sqrt(6 / (q_in + q_out))), name="glorot_uniform").then(2 / (q_in + q_out),
           r"check: $U[\pm\sqrt{6/(q_{\mathrm{in}} + q_{\mathrm{out}})}]$ has Glorot's variance")
    d.derive(sp.Subs(a ** 2 / 3, a, 1 / sp.sqrt(q_in)), name="standard_variance").then(1 / (3 * q_in),
           r"the 'standard' $U[-1/\sqrt{q_{\mathrm{in}}}, 1/\sqrt{q_{\mathrm{in}}}]$ (Glorot and Bengio's baseline)")
    d.derive(sp.Subs(q_in * v, v, 1 / (3 * q_in)), name="standard_gain").then(sp.Rational(1, 3),
           r"its forward gain $q_{\mathrm{in}} v$: the variance of the activations shrinks by a factor 3 per layer")


def _tanh(d):
    """tanh near 0 is the identity to first order: a tanh layer near 0 has the linear layer's gains."""
    d.derive(sp.Subs(sp.tanh(z), z, 0), name="tanh_at_0").then(0, r"$\tanh 0 = 0$")
    d.derive(sp.Subs(sp.Derivative(sp.tanh(z), z), z, 0), name="tanh_slope_at_0").then(1,
           r"$\tanh'(0) = 1 - \tanh^2 0 = 1$: linearisation $\tanh z \approx z$ near 0 (an approximation, not an "
           r"identity), so with small pre-activations a tanh layer has the linear layer's gains")


def _relu(d):
    """ReLU keeps the positive half of a symmetric z: half its second moment, so the gain halves and He doubles v."""
    d.derive(sp.Integral(w ** 2 / (2 * a), (w, 0, a)), name="relu_uniform").then(a ** 2 / 6,
           r"$E[\operatorname{ReLU}(z)^2]$ for $z \sim U[-a, a]$: $\operatorname{ReLU}(z)^2 = z^2$ for $z > 0$, 0 "
           r"otherwise; half of $a^2/3$")
    # the density's constant outside the integral: the numeric route's quadrature is then ~3x cheaper
    half_moment = sp.Integral(t ** 2 * sp.exp(-t ** 2 / 2), (t, 0, sp.oo)) / sp.sqrt(2 * sp.pi)
    d.derive(half_moment, name="relu_gaussian").then(sp.Rational(1, 2),
           r"$E[\operatorname{ReLU}(t)^2]$ for $t \sim N(0, 1)$, density $e^{-t^2/2}/\sqrt{2\pi}$: "
           r"$\operatorname{ReLU}(t)^2 = t^2$ for $t > 0$, 0 otherwise, so only $t > 0$ counts: half of "
           r"$E[t^2] = 1$ (the standard normal's variance; the integrand is even)")
    d.derive(relu(s * t) ** 2, name="relu_scale").then(s ** 2 * relu(t) ** 2,
           r"$\operatorname{ReLU}$ is positively homogeneous, $\operatorname{ReLU}(s t) = s\operatorname{ReLU}(t)$ "
           r"for $s > 0$: for $z = s t \sim N(0, s^2)$, $E[\operatorname{ReLU}(z)^2] = s^2/2$, half of $E[z^2] = s^2$")
    d.derive(sp.Subs(Z / s, Z, q_in * v * (s / 2)), name="relu_gain").then(q_in * v / 2,
           r"assumption: pre-activations $z$ symmetric about 0 with variance $s$, so $E[\operatorname{ReLU}(z)^2] = "
           r"s/2$ (above); the next layer's pre-activation has variance $q_{\mathrm{in}} v\,s/2$ (forward variance "
           r"with second moment $s/2$ in place of $s$): a gain $q_{\mathrm{in}} v/2$")
    d.derive(1 / sp.Derivative(q_in * v / 2, v), name="he_variance").then(2 / q_in,
           r"the gain $q_{\mathrm{in}} v/2$ is linear in $v$ with slope $q_{\mathrm{in}}/2 > 0$: it equals 1 at "
           r"$v = 2/q_{\mathrm{in}}$ only (He et al. 2015)")
    d.derive(sp.Subs(q_in * v / 2, v, 2 / q_in), name="he_gain").then(1,
           r"check: at $v = 2/q_{\mathrm{in}}$ a ReLU layer's gain is 1")


RESULTS = ("standard_variance", "standard_gain", "lecun_variance", "glorot_variance", "glorot_bound", "he_variance")


@register("init-variance")
def build():
    d = Derivation("init-variance", "Initialisation: variances that keep activations and gradients constant",
                   source="R20",
                   statement=r"For a layer $z_j = \sum_{i=1}^{q_{\mathrm{in}}} W_{ij} x_i$ with $W$ of shape "
                             r"$(q_{\mathrm{in}}, q_{\mathrm{out}})$, assuming the $W_{ij}$ independent, zero mean, "
                             r"variance $v$, the $x_i$ independent, zero mean, variance $s$, and $W$ independent of "
                             r"$x$: $\operatorname{Var} z_j = q_{\mathrm{in}} v s$, a forward gain "
                             r"$q_{\mathrm{in}} v$, equal to 1 only at LeCun's $v = 1/q_{\mathrm{in}}$; backward, "
                             r"with the same assumptions on $\partial L/\partial z_j$, the gain is $q_{\mathrm{out}} v$ "
                             r"(1 at $v = 1/q_{\mathrm{out}}$). Glorot's compromise $v = 2/(q_{\mathrm{in}} + "
                             r"q_{\mathrm{out}})$ is $U[\pm\sqrt{6/(q_{\mathrm{in}} + q_{\mathrm{out}})}]$; the "
                             r"'standard' $U[\pm 1/\sqrt{q_{\mathrm{in}}}]$ has variance $1/(3q_{\mathrm{in}})$, a "
                             r"forward gain $1/3$. tanh is linear near 0 ($\tanh 0 = 0$, $\tanh'(0) = 1$), so "
                             r"these hold for a tanh layer to first order; ReLU halves the second moment of a "
                             r"symmetric pre-activation, a gain $q_{\mathrm{in}} v/2$, 1 at He's "
                             r"$v = 2/q_{\mathrm{in}}$.",
                   names={q_in: r"q_{\mathrm{in}}", q_out: r"q_{\mathrm{out}}"})
    _forward(d)
    _backward(d)
    _glorot(d)
    _tanh(d)
    _relu(d)
    for name in RESULTS:
        d.result(name)
    return d


describe("init", "Weight initialisation variances (R20): standard, LeCun, Glorot, He")
for _name, _summary in (
        ("standard_variance", "Variance 1/(3 q_in) of the 'standard' init U[-1/sqrt(q_in), 1/sqrt(q_in)] "
                              "(q_out unused)."),
        ("lecun_variance", "LeCun's variance 1/q_in: forward gain 1 for a linear (or tanh near 0) layer "
                           "(q_out unused)."),
        ("glorot_variance", "Glorot's variance 2/(q_in + q_out), between the forward 1/q_in and backward 1/q_out."),
        ("glorot_bound", "Half-width sqrt(6/(q_in + q_out)) of the uniform init with Glorot's variance."),
        ("he_variance", "He's variance 2/q_in: forward gain 1 for a ReLU layer (q_out unused).")):
    emit(Spec("init", _name, "init-variance", ("q_in", "q_out"), (("q_in", "q_in"), ("q_out", "q_out")),
              (Output("value", _name),), _summary))
