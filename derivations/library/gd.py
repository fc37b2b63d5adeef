"""Gradient descent (R10, R11): the step from a local model, the step-size law on a quadratic, the lecture's pictures."""
import sympy as sp

from ..core import Derivation
from ..matrices import Grad, hessian, scalar
from ..registry import register
from ..codegen.spec import Output, Spec, describe, emit


class sqnorm(scalar):
    r"""The squared norm :math:`\|w\|^2`, written ``sqnorm(w.T*w)``: the entry of the 1×1 matrix wᵀw, so every
    rule, route and printer treats it as ``scalar(w.T*w)``; it adds only its sign: a sum of squares of real
    entries (the engine's matrices are real) is nonnegative, which the inequality engine reads off."""

    def _eval_is_nonnegative(self):
        m = self.args[0]
        if isinstance(m, sp.MatMul) and len(m.args) == 2 and m.args[0] == m.args[1].T:
            return True
        return None

    def _latex(self, printer, exp=None):
        if not self._eval_is_nonnegative():
            return super()._latex(printer, exp)
        s = r"\left\|%s\right\|^{2}" % printer._print(self.args[0].args[1])
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


def norm2(w):
    """‖w‖² of a column vector w, as a signed entry (see sqnorm)."""
    return sqnorm(w.T * w)


# ---- R10: the local model ---------------------------------------------------------------------------------

p = sp.Symbol("p", integer=True, positive=True)
eps, g, theta0 = (sp.MatrixSymbol(n, p, 1) for n in ("epsilon", "g", "theta_0"))
eps_star, theta1 = sp.MatrixSymbol("epsilon_*", p, 1), sp.MatrixSymbol("theta_1", p, 1)
gamma = sp.Symbol("gamma", positive=True)
L0 = sp.Symbol("L_0", real=True)


def local_model(e):
    """L̂(θ₀ + e) = L(θ₀) + eᵀ∇L(θ₀) + ‖e‖²/(2γ), with g = ∇L(θ₀) and L0 = L(θ₀)."""
    return L0 + scalar(e.T * g) + scalar(e.T * e) / (2 * gamma)


LOCAL_STATEMENT = (
    r"Near $\theta_0 \in \mathbb{R}^p$ gradient descent trusts the local model "
    r"$\hat L(\theta_0 + \epsilon) = L(\theta_0) + \epsilon^T\nabla L(\theta_0) + \frac{1}{2\gamma}\|\epsilon\|^2$, "
    r"$\gamma > 0$: the first-order Taylor expansion of $L$ plus a proximity term. Below "
    r"$g = \nabla L(\theta_0)$ and $L_0 = L(\theta_0)$. Its gradient is $\nabla_\epsilon \hat L = g + \epsilon/\gamma$, "
    r"zero only at $\epsilon_* = -\gamma g$; its Hessian $\mathbb{I}/\gamma \succ 0$, and "
    r"$\hat L(\theta_0 + \epsilon) - \hat L(\theta_0 + \epsilon_*) = \|\epsilon - \epsilon_*\|^2/(2\gamma) \ge 0$, "
    r"so $\epsilon_*$ is the model's unique minimiser. Moving to it is the gradient step "
    r"$\theta_{t+1} = \theta_t - \gamma\nabla L(\theta_t)$.")


@register("gd-local-model")
def local():
    d = Derivation("gd-local-model", "Gradient descent: the step that minimises a local model", source="R10",
                   statement=LOCAL_STATEMENT, dims=(p,), names={L0: r"L(\theta_0)"})
    d.derive(Grad(local_model(eps), eps), name="model_grad").then(g + eps / gamma,
           r"$\nabla_\epsilon(\epsilon^T g) = g$ and $\nabla_\epsilon \|\epsilon\|^2 = 2\epsilon$")
    d.derive(eps + gamma * g, name="first_order").then(gamma * (g + eps / gamma),
           r"$\epsilon + \gamma g = \gamma\,\nabla_\epsilon\hat L$. Hence, as $\gamma > 0$, "
           r"$\nabla_\epsilon \hat L = 0$ exactly when $\epsilon = -\gamma g$: the model has one stationary point")
    d.define(eps_star, -gamma * g, r"the stationary point $\epsilon_* = -\gamma\nabla L(\theta_0)$ (step before)")
    d.derive(g + eps_star / gamma, name="stationary").then(sp.ZeroMatrix(p, 1),
           r"check: the model's gradient $g + \epsilon/\gamma$ vanishes at $\epsilon_*$")
    d.derive(hessian(local_model(eps), eps), name="model_hessian").then(sp.Identity(p) / gamma,
           r"the Hessian of the model is $\mathbb{I}/\gamma \succ 0$ ($\gamma > 0$): the model is strictly convex")
    d.derive(local_model(eps) - local_model(eps_star), name="model_gap").then(norm2(eps - eps_star) / (2 * gamma),
           r"completing the square: the model exceeds its value at $\epsilon_*$ by $\|\epsilon-\epsilon_*\|^2/(2\gamma)$")
    d.then(0, r"a squared norm over $2\gamma > 0$ is $\ge 0$, and $0$ only at $\epsilon = \epsilon_*$. Hence "
              r"$\epsilon_*$ is the model's unique minimiser", relation=">=")
    d.define(theta1, theta0 + eps_star,
             r"gradient descent moves to the model's minimiser: $\theta_{t+1} = \theta_t + \epsilon_* = "
             r"\theta_t - \gamma\nabla L(\theta_t)$")
    d.result("model_grad")
    d.result("step", eps_star)
    d.result("update", theta1)
    return d


# ---- R11: the step size on a quadratic ------------------------------------------------------------------

theta = sp.MatrixSymbol("theta", p, 1)
A, Q, Lam = sp.MatrixSymbol("A", p, p), sp.MatrixSymbol("Q", p, p), sp.MatrixSymbol("Lambda", p, p)
step = sp.Symbol("gamma", real=True)          # any real step size: the law says which converge
lam, lmax, lmin = sp.Symbol("lambda_i", positive=True), sp.Symbol("lambda_max", positive=True), \
    sp.Symbol("lambda_min", positive=True)
tau = sp.Symbol("tau", positive=True)         # a step below the bound: gamma = 2/((1 + tau) lambda_max)
# (not ρ and σ: in the lecture those are the LDA prior and the sigmoid)
ratio = sp.Symbol("r", nonnegative=True)      # an eigenvalue at most lambda_max: lambda_i = lambda_max/(1 + r)
nu = sp.Symbol("nu", nonnegative=True)        # a step at or beyond the bound, or a step <= 0: 2(1 + nu)/lambda_max, -nu
s = sp.Symbol("s", nonnegative=True)          # a distance from the optimal step
m = sp.Symbol("t", integer=True, positive=True)
z0 = sp.Symbol("z_0", real=True)
gamma_opt, kappa = sp.Symbol("gamma_*", positive=True), sp.Symbol("kappa", positive=True)


class iterate(sp.Function):
    r"""z_t of the scalar recursion z_{t+1} = c z_t from z_0: ``iterate(t, z0, c)``. It unfolds one step for an
    integer t and for t − 1 known positive, so z_{t+1} = c z_t is what the induction step sees."""

    nargs = 3

    @classmethod
    def definition(cls, t, start, c):
        """One step down for an integer t (the numeric route unrolls it to the sampled t)."""
        if not t.is_Integer or t < 0:
            return None
        return start if t == 0 else c * cls(t - 1, start, c, evaluate=False)

    @classmethod
    def eval(cls, t, start, c):
        if t.is_Integer:
            if t < 0:
                raise ValueError("an iterate before the start")
            return start if t == 0 else c * cls(t - 1, start, c)
        if (t - 1).is_positive:
            return c * cls(t - 1, start, c)
        return None

    def _eval_is_real(self):
        return self.args[1].is_real and self.args[2].is_real or None

    def _latex(self, printer, exp=None):
        s = r"z_{%s}" % printer._print(self.args[0])
        return s if exp is None else r"z_{%s}^{%s}" % (printer._print(self.args[0]), exp)


STEP_STATEMENT = (
    r"For $L(\theta) = \frac12\theta^T A\theta$ with $A$ symmetric positive definite, "
    r"$A = Q\Lambda Q^T$, $Q$ orthogonal ($Q^T = Q^{-1}$), $\Lambda = \operatorname{diag}(\lambda_i)$, "
    r"$0 < \lambda_{\min} \le \lambda_i \le \lambda_{\max}$: gradient descent is the linear map "
    r"$\theta_{t+1} = (\mathbb{I} - \gamma A)\theta_t$; in the eigen-coordinates $z_t = Q^T\theta_t$ it is "
    r"$z_{t+1} = (\mathbb{I} - \gamma\Lambda)z_t$, so each coordinate is $z_{t,i} = (1 - \gamma\lambda_i)^t z_{0,i}$. "
    r"$c^t z_0 \to 0$ for every $z_0$ iff $|c| < 1$, so GD converges from every start iff "
    r"$|1 - \gamma\lambda_i| < 1$ for all $i$, iff $0 < \gamma < 2/\lambda_{\max}$. Writing a step in that "
    r"interval as $\gamma = 2/((1+\tau)\lambda_{\max})$, $\tau > 0$, and an eigenvalue as "
    r"$\lambda_i = \lambda_{\max}/(1+r)$, $r \ge 0$, the steps below show $-1 < 1 - \gamma\lambda_i < 1$; "
    r"a step $\gamma = 2(1+\nu)/\lambda_{\max}$, $\nu \ge 0$, gives $1 - \gamma\lambda_{\max} \le -1$ and "
    r"a step $\gamma = -\nu \le 0$ gives $1 - \gamma\lambda_i \ge 1$: no convergence. At "
    r"$\gamma = 2/\lambda_{\max}$ the top coordinate is $(-1)^t z_{0}$, an oscillation of constant amplitude. "
    r"The step $\gamma_* = 2/(\lambda_{\min} + \lambda_{\max})$ balances $1 - \gamma\lambda_{\min} = "
    r"-(1 - \gamma\lambda_{\max})$ and gives the best worst-case rate $\max_i|1 - \gamma\lambda_i| = "
    r"(\kappa - 1)/(\kappa + 1)$, $\kappa = \lambda_{\max}/\lambda_{\min}$: any $\gamma = \gamma_* \mp s$, "
    r"$s \ge 0$, has $1 - \gamma\lambda_{\min}$ or $\gamma\lambda_{\max} - 1$ at least that rate.")


@register("gd-step-size")
def step_size():
    d = Derivation("gd-step-size", "Gradient descent on a quadratic: the step-size law 0 < γ < 2/λmax",
                   source="R11", statement=STEP_STATEMENT, dims=(p,), spd=(A,), sizes=(1, 2),
                   names={gamma_opt: r"\gamma_*", lam: r"\lambda_i", lmax: r"\lambda_{\max}", lmin: r"\lambda_{\min}"})
    loss = scalar(theta.T * A * theta) / 2
    d.derive(theta - step * Grad(loss, theta), name="gd_map").then(theta - step * A * theta,
           r"$\nabla_\theta \frac12\theta^T A\theta = \frac12(A + A^T)\theta = A\theta$ ($A$ symmetric)")
    d.then((sp.Identity(p) - step * A) * theta, r"factor out $\theta$: GD on a quadratic is a linear map")
    # A = QΛQ⁻¹ spelled out and kept unevaluated (the * operator would cancel Q⁻¹Q on the spot)
    d.derive(sp.MatAdd(Q, sp.MatMul(-step, Q, Lam, Q.I, Q)), name="eigen").then(Q * (sp.Identity(p) - step * Lam),
           r"$(\mathbb{I} - \gamma A)Q = Q - \gamma AQ$ with $A = Q\Lambda Q^{-1}$ ($Q^{-1} = Q^T$): the map sends "
           r"column $i$ of $Q$ to $(1-\gamma\lambda_i)$ "
           r"times itself. So in the eigen-coordinates $z_t = Q^{-1}\theta_t$, i.e. $\theta_t = Qz_t$: "
           r"$z_{t+1} = Q^{-1}(\mathbb{I} - \gamma A)Qz_t = (\mathbb{I} - \gamma\Lambda)z_t$. As $\Lambda$ is "
           r"diagonal, coordinate $i$ is $z_{t+1,i} = (1 - \gamma\lambda_i)z_{t,i}$, one scalar recursion per eigenvalue")
    d.derive(iterate(m, z0, 1 - step * lam), name="coordinate").then((1 - step * lam) ** m * z0,
           r"by induction on $t$: $z_1 = (1-\gamma\lambda_i)z_0$, and $z_{t+1} = (1-\gamma\lambda_i)z_t$", induction=m)
    inside, lam_i = 2 / ((1 + tau) * lmax), lmax / (1 + ratio)
    d.derive(1 - inside * lam_i, name="contraction_upper").then(1,
           r"a step $0 < \gamma < 2/\lambda_{\max}$ and an eigenvalue $0 < \lambda_i \le \lambda_{\max}$: "
           r"$\gamma\lambda_i > 0$", relation="<")
    d.derive(1 - inside * lam_i, name="contraction_lower").then(-1,
           r"and $\gamma\lambda_i = 2/((1+\tau)(1+r)) < 2$. Hence $|1 - \gamma\lambda_i| < 1$ for every $i$ and "
           r"$z_{t,i} \to 0$: GD converges", relation=">")
    d.derive(1 - 2 * (1 + nu) / lmax * lmax, name="too_large").then(-1,
           r"a step $\gamma \ge 2/\lambda_{\max}$: $1 - \gamma\lambda_{\max} \le -1$, so $|z_{t,\max}| \ge |z_{0,\max}|$ "
           r"for every $t$: no convergence from any start with $z_{0,\max} \ne 0$", relation="<=")
    d.derive(1 + nu * lam, name="not_positive").then(1,
           r"a step $\gamma = -\nu \le 0$: $1 - \gamma\lambda_i \ge 1$, no convergence either. With the steps "
           r"before: GD converges from every start iff $0 < \gamma < 2/\lambda_{\max}$", relation=">=")
    d.derive(sp.Subs((1 - step * lam) ** m * z0, (step, lam), (2 / lmax, lmax)), name="boundary").then(
           (-1) ** m * z0,
           r"at $\gamma = 2/\lambda_{\max}$ the top coordinate flips sign each step with constant amplitude "
           r"$|z_0|$: bounded oscillation, neither convergence nor divergence")
    d.define(gamma_opt, 2 / (lmin + lmax), r"the step that balances the extreme eigenvalues")
    d.define(kappa, lmax / lmin, r"the condition number")
    d.derive((1 - gamma_opt * lmin) + (1 - gamma_opt * lmax), name="balance").then(0,
           r"at $\gamma_*$: $1 - \gamma_*\lambda_{\min} = -(1 - \gamma_*\lambda_{\max})$, so both extreme "
           r"coordinates contract by the same factor; as $1 - \gamma\lambda$ decreases in $\lambda$, every "
           r"$|1 - \gamma_*\lambda_i|$ is at most that factor")
    d.derive(1 - gamma_opt * lmin, name="rate").then((lmax - lmin) / (lmax + lmin),
           r"the contraction factor at $\gamma_*$")
    d.then((kappa - 1) / (kappa + 1), r"divide by $\lambda_{\min}$: $(\kappa - 1)/(\kappa + 1)$")
    d.derive(1 - (gamma_opt - s) * lmin, name="smaller_step").then((kappa - 1) / (kappa + 1),
           r"a smaller step $\gamma = \gamma_* - s$ contracts the $\lambda_{\min}$ coordinate less", relation=">=")
    d.derive((gamma_opt + s) * lmax - 1, name="larger_step").then((kappa - 1) / (kappa + 1),
           r"a larger step $\gamma = \gamma_* + s$ overshoots the $\lambda_{\max}$ coordinate more. Hence no step "
           r"has a better worst-case rate than $\gamma_*$", relation=">=")
    d.result("gd_map")
    d.result("rate")
    d.result("gamma_opt", gamma_opt)
    return d


# ---- the lecture's pictures ------------------------------------------------------------------------------

x, x0, t = sp.Symbol("theta", real=True), sp.Symbol("theta_0", real=True), sp.Symbol("t", real=True)
phi = sp.Symbol("phi", real=True)
h = sp.Symbol("h", positive=True)             # L''(θ*) > 0 at a minimum θ*
a = sp.Rational(333, 1000)                    # the loss's shift, 0.333
c0 = 3 * a / (2 * sp.sqrt(5))                 # cos 3φ at the critical points


def picture_loss(u):
    """The lecture's loss L(u) = 0.02((u − 0.333)⁴ − 30u²), with exact rationals."""
    return sp.Rational(1, 50) * ((u - a) ** 4 - 30 * u ** 2)


def loss_horner(u):
    """L(u) in Horner form: no ∞ − ∞ at u = ±∞ (each partial result has the sign of its leading term there)."""
    return ((((u - 4 * a) * u + 6 * a ** 2 - 30) * u - 4 * a ** 3) * u + a ** 4) / 50


def grad_horner(u):
    """L′(u) = (2/25)((u − 0.333)³ − 15u) in Horner form."""
    return sp.Rational(2, 25) * (((u - 3 * a) * u + 3 * a ** 2 - 15) * u - a ** 3)


def curvature_form(u):
    """L″(u) = (6/25)((u − 0.333)² − 5)."""
    return sp.Rational(6, 25) * ((u - a) ** 2 - 5)


def critical_angle(k):
    """φ_k = arccos(c₀)/3 + 2πk/3: cos 3φ_k = c₀, so a + 2√5 cos φ_k is a root of L′ (Viète's trigonometric form)."""
    return sp.acos(c0) / 3 + 2 * sp.pi * k / 3


def critical_point(k):
    """θ_k = a + 2√5 cos φ_k, exact: k = 0 the global minimum, 1 the local one, 2 the local maximum."""
    return a + 2 * sp.sqrt(5) * sp.cos(critical_angle(k))


# name -> (k, LaTeX name, the sign of L″ there, what that makes it): the three critical points
CRITICAL = {"theta_global": (0, r"\theta_{\mathrm{global}}", ">", "a minimum"),
            "theta_local": (1, r"\theta_{\mathrm{local}}", ">", "a minimum"),
            "theta_max": (2, r"\theta_{\max}", "<", "a maximum")}
GLOBAL, LOCAL, MAX = (critical_point(k) for k in range(3))

PICTURES_STATEMENT = (
    r"The lecture's pictures use $L(\theta) = 0.02\,((\theta - 0.333)^4 - 30\theta^2)$, here with exact rationals "
    r"$a = 333/1000$. Then $L'(\theta) = \frac{2}{25}((\theta - a)^3 - 15\theta)$ and "
    r"$L''(\theta) = \frac{6}{25}((\theta - a)^2 - 5)$. With $\theta = a + 2\sqrt5\cos\varphi$ the cubic "
    r"$L' = 0$ becomes $\cos 3\varphi = c_0$, $c_0 = 3a/(2\sqrt5) \in (-1, 1)$ (Viète): its three real roots are "
    r"$\theta_k = a + 2\sqrt5\cos\varphi_k$, $\varphi_k = \frac13\arccos c_0 + \frac{2\pi k}{3}$, $k = 0, 1, 2$, "
    r"all the critical points a cubic can have: $\theta_{\mathrm{global}} \approx 4.3628$ ($k = 0$, $L'' > 0$), "
    r"$\theta_{\mathrm{local}} \approx -3.3613$ ($k = 1$, $L'' > 0$), a local maximum $\theta_{\max} \approx "
    r"-0.0025$ ($k = 2$, $L'' < 0$). As $L \to \infty$ for $|\theta| \to \infty$, the lower of the two minima, "
    r"$\theta_{\mathrm{global}}$, is the global one. Gradient descent is the map "
    r"$G(\theta) = \theta - \gamma L'(\theta)$, with $G'(\theta) = 1 - \gamma L''(\theta)$; at a minimum "
    r"$\theta^*$ with $h = L''(\theta^*) > 0$, $|G'(\theta^*)| < 1$ (the iterates near $\theta^*$ converge to it) "
    r"iff $0 < \gamma < 2/h$, and $|G'(\theta^*)| > 1$ (it repels them) for $\gamma > 2/h$. At the left minimum "
    r"$\gamma_{\mathrm{critical}} = 2/L''(\theta_{\mathrm{local}}) \approx 0.964$: the third picture's "
    r"$\gamma = 1.3$ exceeds it, so its iterates cannot settle there, while $\gamma = 0.5$ (pictures 1 and 2) "
    r"is below the critical step of both minima. The local model is $\hat L(\theta) = L(\theta_0) + "
    r"(\theta - \theta_0)L'(\theta_0) + (\theta - \theta_0)^2/(2\gamma)$, R10's model in one dimension.")


@register("gd-pictures")
def pictures():
    d = Derivation("gd-pictures", "The lecture's three pictures: critical points and critical step of its loss",
                   source="R11", statement=PICTURES_STATEMENT)
    d.derive(picture_loss(x), name="loss").then(loss_horner(x),
           r"expanded, in Horner form: $\frac{1}{50}((((\theta - 4a)\theta + 6a^2 - 30)\theta - 4a^3)\theta + a^4)$")
    d.derive(sp.Derivative(picture_loss(x), x), name="grad").then(
           sp.Rational(2, 25) * ((x - a) ** 3 - 15 * x), r"$L'(\theta) = 0.08(\theta - a)^3 - 1.2\theta$")
    d.then(grad_horner(x), r"in Horner form")
    d.derive(sp.Derivative(picture_loss(x), x, 2), name="curvature").then(curvature_form(x),
           r"$L''(\theta) = 0.24(\theta - a)^2 - 1.2$")
    # the critical points, by Viète's substitution: a polynomial identity in cos φ, then the triple angle
    d.derive(sp.Subs(sp.Derivative(picture_loss(t), t), t, a + 2 * sp.sqrt(5) * sp.cos(phi)), name="viete").then(
           4 * sp.sqrt(5) / 5 * (4 * sp.cos(phi) ** 3 - 3 * sp.cos(phi) - c0),
           r"$L'$ at $\theta = a + 2\sqrt5\cos\varphi$, for every real $\varphi$")
    d.then(4 * sp.sqrt(5) / 5 * (sp.cos(3 * phi) - c0), r"$4\cos^3\varphi - 3\cos\varphi = \cos 3\varphi$")
    for name, (k, tex, rel, word) in CRITICAL.items():
        d.derive(sp.Subs(a + 2 * sp.sqrt(5) * sp.cos(phi), phi, critical_angle(k)), name=name).then(critical_point(k),
               rf"${tex} = a + 2\sqrt5\cos\varphi_{k}$, $\varphi_{k} = \frac13\arccos c_0 + {k}\cdot\frac{{2\pi}}{{3}}$")
        d.derive(sp.Subs(4 * sp.sqrt(5) / 5 * (sp.cos(3 * phi) - c0), phi, critical_angle(k)),
                 name=f"critical_{k}").then(0,
               rf"at $\varphi_{k}$: $\cos 3\varphi_{k} = \cos(\arccos c_0 + 2\pi\cdot {k}) = c_0$. By the chain "
               rf"before (every real $\varphi$), $L'({tex}) = 0$")
    d.derive(LOCAL, name="order").then(MAX, r"the three roots are distinct, in this order", relation="<")
    d.then(GLOBAL, r"so they are all the critical points of $L$ (a cubic has at most three roots)", relation="<")
    for name, (k, tex, rel, word) in CRITICAL.items():
        d.derive(sp.Subs(curvature_form(t), t, critical_point(k)), name=f"curvature_{k}").then(
               sp.Rational(6, 5) * (4 * sp.cos(critical_angle(k)) ** 2 - 1),
               rf"$L''({tex})$: $(\theta - a)^2 = 20\cos^2\varphi_{k}$")
        d.then(0, rf"its sign: ${tex}$ is {word}", relation=rel)
    d.derive(sp.Subs(picture_loss(t), t, GLOBAL), name="global").then(sp.Subs(picture_loss(t), t, LOCAL),
           r"the right minimum is the lower one. As $L \to \infty$ when $|\theta| \to \infty$, $L$ has a global "
           r"minimum, at a critical point: at $\theta_{\mathrm{global}}$", relation="<")
    for name, value, lo, hi in (("theta_local", LOCAL, sp.Rational(-33614, 10000), sp.Rational(-33612, 10000)),
                                ("theta_global", GLOBAL, sp.Rational(43627, 10000), sp.Rational(43629, 10000))):
        tex = CRITICAL[name][1]
        d.derive(value, name=f"{name}_bracket").then(hi, rf"${tex} < {float(hi)}$", relation="<")
        d.derive(value, name=f"{name}_bracket_low").then(lo, rf"${tex} > {float(lo)}$", relation=">")
    # the critical step at the left minimum
    d.derive(2 / sp.Subs(curvature_form(t), t, LOCAL), name="gamma_critical").then(
           sp.Rational(5, 3) / (4 * sp.cos(critical_angle(1)) ** 2 - 1),
           r"$\gamma_{\mathrm{critical}} = 2/L''(\theta_{\mathrm{local}})$, with $L''$ as above")
    d.derive(sp.Rational(5, 3) / (4 * sp.cos(critical_angle(1)) ** 2 - 1), name="gamma_critical_bracket").then(
           sp.Rational(965, 1000), r"$\gamma_{\mathrm{critical}} < 0.965$", relation="<")
    d.derive(sp.Rational(5, 3) / (4 * sp.cos(critical_angle(1)) ** 2 - 1), name="gamma_critical_bracket_low").then(
           sp.Rational(963, 1000), r"$\gamma_{\mathrm{critical}} > 0.963$", relation=">")
    # gradient descent as a map, and its slope at a minimum
    d.derive(sp.Derivative(x - gamma * grad_horner(x), x), name="gd_slope").then(1 - gamma * curvature_form(x),
           r"$G'(\theta) = 1 - \gamma L''(\theta)$ for $G(\theta) = \theta - \gamma L'(\theta)$, $L'$ as above")
    below = 2 / ((1 + tau) * h)
    d.derive(1 - below * h, name="attracting_upper").then(1,
           r"at a minimum with $h = L''(\theta^*) > 0$, a step $0 < \gamma < 2/h$, $\gamma = 2/((1+\tau)h)$: "
           r"$G'(\theta^*) < 1$", relation="<")
    d.derive(1 - below * h, name="attracting_lower").then(-1,
           r"and $G'(\theta^*) > -1$: $|G'(\theta^*)| < 1$, so the iterates near $\theta^*$ converge to it "
           r"(the local-convergence criterion)", relation=">")
    d.derive(1 - 2 * (1 + tau) / h * h, name="repelling").then(-1,
           r"a step $\gamma > 2/h$, $\gamma = 2(1+\tau)/h$: $G'(\theta^*) < -1$, so $\theta^*$ repels the iterates "
           r"near it, which overshoot it by a growing amount", relation="<")
    d.derive(1 - sp.Rational(13, 10) * sp.Subs(curvature_form(t), t, LOCAL), name="picture_3").then(-1,
           r"the third picture, $\gamma = 1.3 > \gamma_{\mathrm{critical}}$: the left minimum repels; the iterates "
           r"cannot converge to it (except by landing on it exactly)", relation="<")
    for name in ("theta_local", "theta_global"):
        k, tex = CRITICAL[name][:2]
        slope = 1 - sp.Subs(curvature_form(t), t, critical_point(k)) / 2
        d.derive(slope, name=f"picture_{name}_upper").then(1,
               rf"pictures 1 and 2, $\gamma = 0.5$: at ${tex}$, $G' < 1$", relation="<")
        d.derive(slope, name=f"picture_{name}_lower").then(-1,
               rf"and $G' > -1$: ${tex}$ attracts the iterates near it", relation=">")
    # the local model in one dimension, in a form without ∞ − ∞
    model = sp.Subs(picture_loss(t), t, x0) + (x - x0) * sp.Subs(sp.Derivative(picture_loss(t), t), t, x0) \
        + (x - x0) ** 2 / (2 * gamma)
    d.derive(model, name="local_model").then(loss_horner(x0) + (x - x0) * (grad_horner(x0) + (x - x0) / (2 * gamma)),
           r"R10's model for $p = 1$; written $L(\theta_0) + \epsilon\,(L'(\theta_0) + \epsilon/(2\gamma))$, "
           r"$\epsilon = \theta - \theta_0$, so that no $\infty - \infty$ arises for $|\theta| \to \infty$")
    for name in ("theta_local", "theta_global", "theta_max", "gamma_critical", "loss", "grad", "curvature",
                 "local_model"):
        d.result(name)
    return d


describe("gd", "Gradient descent on the lecture's loss (R10, R11): the loss, its derivatives, the local model")
_ONE = "theta: any shape (elementwise)."
emit(Spec("gd", "picture_loss", "gd-pictures", ("theta",), (("theta", "theta"),), (Output("value", "loss"),),
          "The lecture's loss L(θ) = 0.02((θ − 0.333)⁴ − 30 θ²).", doc_extra=_ONE))
emit(Spec("gd", "picture_grad", "gd-pictures", ("theta",), (("theta", "theta"),), (Output("value", "grad"),),
          "Its derivative L′(θ) = 0.08(θ − 0.333)³ − 1.2 θ.", doc_extra=_ONE))
emit(Spec("gd", "picture_curvature", "gd-pictures", ("theta",), (("theta", "theta"),),
          (Output("value", "curvature"),), "Its second derivative L″(θ) = 0.24(θ − 0.333)² − 1.2.",
          doc_extra=_ONE))
emit(Spec("gd", "local_model", "gd-pictures", ("theta", "theta0", "gamma"),
          (("theta", "theta"), ("theta_0", "theta0"), ("gamma", "gamma")), (Output("value", "local_model"),),
          "GD's local model L(θ₀) + (θ − θ₀) L′(θ₀) + (θ − θ₀)²/(2 γ).",
          doc_extra="theta, theta0 (finite): broadcastable; gamma > 0. Minimised at theta0 - gamma L'(theta0)."))
