"""Numeric checks of the generated logistic-regression loss, gradient, Hessian and training on breast cancer."""
from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from ..floats import EPS
from . import register
from .result import CheckResult, gradient_check_text, result as _result, tex_num
from ..data import breast_cancer

# The MLE of unpenalised logistic regression on all 30 standardised breast-cancer features does not
# exist (the classes are linearly separable: see `mle_existence`), and the 10 "mean" features, while
# not separable, are nearly collinear (radius/perimeter/area; kappa of the Hessian ~2.4e5, so GD with
# step 1/L would need millions of steps). These five are not separable and give kappa ~275.
TRAIN_FEATURES = (1, 4, 6, 7, 8)
TRAIN_NAMES = ("mean texture", "mean smoothness", "mean concavity", "mean concave points", "mean symmetry")


def _points(p):
    """Fixed parameter points on breast cancer: moderate (max |z| ~ 7) and saturating (max |z| ~ 73)."""
    rng = np.random.default_rng(0)
    w = 0.3 * rng.standard_normal(p)
    return [("moderate", w, np.float64(0.2)), ("saturating", 10 * w, np.float64(-1.5))]


def _pack(w, b):
    from numeric.optim import pack

    return pack(w, b)


# --- logistic-regression ------------------------------------------------------------------------

@register("logistic-regression")
def loss_vs_sklearn() -> list[CheckResult]:
    from scipy.special import expit
    from sklearn.metrics import log_loss

    from numeric.generated import logistic as L

    d = breast_cancer()
    X, y = d.X, d.y
    N, p = X.shape
    _, w, b = _points(p)[0]
    got = float(L.cross_entropy(w, b, X, y))
    prob = expit(X @ w + b)
    ref = float(log_loss(y, prob))
    # log_loss works from probabilities: 1 - p near 1 (or p near 0) loses eps/min(p, 1-p) absolutely
    # in each log; the generated side's z = Xw + b carries (p + 2) eps sum|w_j x_j| + |b|, passed on
    # with slope <= 1; the mean adds log2(N) eps relative.
    q = np.minimum(prob, 1 - prob)
    tol = float(np.mean(2 * EPS * (1 + 1 / q)) + np.mean((p + 2) * EPS * (np.abs(X) @ np.abs(w) + abs(b)))
                + math.log2(N) * EPS * ref)
    err = abs(got - ref)
    return [_result(
        "logistic-regression", "cross_entropy vs sklearn log_loss",
        "generated cross_entropy(w, b, X, y) vs sklearn.metrics.log_loss(y, expit(Xw + b))",
        f"{d.description}; fixed $w = 0.3 z$, $z \\sim N(0, I)$ (seed 0), $b = 0.2$; "
        f"$\\min(p, 1 - p) = {tex_num(q.min())}$",
        err, err / ref, tol / ref, err <= tol,
        f"loss {got:.17g} vs {ref:.17g}; absolute tolerance {tol:.3g} (relative {tol / ref:.3g}) from the "
        f"rounding of both sides (the $\\log(1 - p)$ of log_loss dominates)")]


def _separable(X, y):
    """Is there (w, b) with t_i (w.x_i + b) >= 1 for all i? An LP feasibility problem (HiGHS)."""
    from scipy.optimize import linprog

    t = 2 * y - 1
    A = -(t[:, None] * np.c_[X, np.ones(len(y))])
    r = linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(y)),
                bounds=[(None, None)] * (X.shape[1] + 1), method="highs")
    if r.status not in (0, 2):
        raise RuntimeError(f"separability LP inconclusive: {r.message}")
    return r.status == 0, (r.x if r.status == 0 else None)


@lru_cache(maxsize=1)
def _training():
    """The training problem and sklearn's reference optimum (newton-cg), plus lbfgs for comparison."""
    from sklearn.linear_model import LogisticRegression

    d = breast_cancer()
    X = d.X[:, list(TRAIN_FEATURES)]
    y = d.y
    fits = {}
    for solver in ("newton-cg", "lbfgs"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # a ConvergenceWarning would void the reference
            # C = inf is unpenalised (penalty=None is deprecated in scikit-learn >= 1.8).
            m = LogisticRegression(C=np.inf, solver=solver, tol=1e-10, max_iter=10000).fit(X, y)
        fits[solver] = _pack(m.coef_[0], m.intercept_[0])
    data = (f"breast cancer, N={len(y)}, standardised, features {list(TRAIN_FEATURES)} "
            f"({', '.join(TRAIN_NAMES)})")
    return X, y, fits["newton-cg"], fits["lbfgs"], data


def _problem(X, y):
    from numeric.generated import logistic as L
    from numeric.optim import pack, unpack

    def loss(th):
        return float(L.cross_entropy(*unpack(th), X, y))

    def grad(th):
        return pack(*L.cross_entropy_grad(*unpack(th), X, y))

    def grad_batch(th, idx):
        return pack(*L.cross_entropy_grad(*unpack(th), X[idx], y[idx]))

    def hess(th):
        return L.cross_entropy_hessian(*unpack(th), X, y)

    return loss, grad, grad_batch, hess


@register("logistic-regression")
def mle_existence() -> list[CheckResult]:
    from numeric.generated import logistic as L
    from numeric.optim import unpack

    d = breast_cancer()
    full_sep, v = _separable(d.X, d.y)
    X, y, th, _, data = _training()
    sub_sep, _ = _separable(X, y)
    loss, grad, _, hess = _problem(X, y)
    g = np.linalg.norm(grad(th))
    mu = float(np.linalg.eigvalsh(hess(th)).min())
    # On separable data the loss along the separating direction tends to 0: no finite minimiser.
    ray = ""
    if full_sep:
        ray = ", ".join(f"${s:g}$: ${tex_num(L.cross_entropy(*unpack(s * v), d.X, d.y))}$" for s in (1, 10, 100))
    # Convex loss + stationary point with positive-definite Hessian = unique finite minimiser.
    passed = full_sep and not sub_sep and mu > 0 and g <= 1e-8
    return [_result(
        "logistic-regression", "MLE existence (separability)",
        r"LP feasibility of $t_i (w \cdot x_i + b) \geq 1$ (scipy linprog/HiGHS); gradient and Hessian at sklearn's "
        "optimum",
        f"{d.description} (all 30 features) and {data}",
        g, g, 1e-8, passed,
        f"all 30 features: linearly separable = {full_sep} (so the unpenalised MLE is at infinity; "
        f"cross-entropy along the LP direction, at $s v$ for $s$ = {ray}); chosen 5 features: separable = "
        f"{sub_sep}; there $\\|\\nabla L\\| = {tex_num(g)}$ at the solution of sklearn and "
        f"$\\lambda_{{\\min}}(H) = {tex_num(mu, 4)} > 0$, so the finite minimiser exists and is unique")]


@register("logistic-regression")
def gradient_descent_reaches_sklearn() -> list[CheckResult]:
    from numeric.optim import gradient_descent

    X, y, th_sk, th_lb, data = _training()
    N, p = X.shape
    loss, grad, _, hess = _problem(X, y)
    Xt = np.c_[X, np.ones(N)]
    # sigma' <= 1/4, so the Hessian is bounded by X~^T X~ / (4N): step 1/L makes every GD step a descent step.
    Lip = 0.25 * float(np.linalg.eigvalsh(Xt.T @ Xt).max()) / N
    r = gradient_descent(grad, np.zeros(p + 1), lr=1 / Lip, steps=50_000, loss=loss, tol=1e-12)
    f_sk, f_gd = loss(th_sk), float(r.losses[-1])
    rel_loss = abs(f_gd - f_sk) / f_sk
    mu = float(np.linalg.eigvalsh(hess(th_sk)).min())
    g_gd, g_sk = float(np.linalg.norm(grad(r.theta))), float(np.linalg.norm(grad(th_sk)))
    # Strong convexity: ||theta - theta*|| <= ||grad(theta)|| / mu for each side (factor 2 for using
    # mu at theta* rather than its minimum over the segment); plus the gradient's rounding floor.
    g_floor = (math.log2(N) + p + 4) * EPS * float(np.mean(np.abs(Xt), axis=0).max())
    tol_theta = 2 * (g_gd + g_sk + 2 * g_floor) / mu
    d_theta = float(np.linalg.norm(r.theta - th_sk))
    steps_up = np.diff(r.losses) / r.losses[:-1]
    monotone = bool(np.all(steps_up <= 1e-15))
    tol_loss = 1e-6
    passed = r.converged and rel_loss <= tol_loss and d_theta <= tol_theta and monotone
    lb_gap = float(np.linalg.norm(th_lb - th_sk))
    return [_result(
        "logistic-regression", "gradient descent vs sklearn optimum",
        r"GD with the generated gradient, step $1/L$, $L = \lambda_{\max}(\tilde X^\top \tilde X)/(4N)$, from 0, vs "
        r"LogisticRegression(C=$\infty$, solver='newton-cg', tol=$10^{-10}$)",
        data, d_theta, rel_loss, tol_loss, passed,
        f"{r.steps} steps to $\\|\\nabla L\\|_\\infty \\leq 10^{{-12}}$ (converged {r.converged}); "
        f"$L = {tex_num(Lip, 4)}$, $\\lambda_{{\\min}}(H^*) = {tex_num(mu, 4)}$, $\\kappa \\approx {Lip / mu:.0f}$; "
        f"loss {f_gd:.17g} vs sklearn {f_sk:.17g} (relative {rel_loss:.3g}, tolerance 1e-6); "
        f"$\\|\\theta_{{\\mathrm{{GD}}}} - \\theta_{{\\mathrm{{sk}}}}\\| = {tex_num(d_theta)} \\leq "
        f"2(\\|g_{{\\mathrm{{GD}}}}\\| + \\|g_{{\\mathrm{{sk}}}}\\| + \\text{{rounding}})/\\mu = {tex_num(tol_theta)}$ "
        f"($\\|g_{{\\mathrm{{sk}}}}\\| = {tex_num(g_sk)}$ dominates: the tol=1e-10 of sklearn is the looser stop); "
        f"loss non-increasing at every step to 1e-15 relative: {monotone} (largest relative rise "
        f"{max(float(steps_up.max()), 0.0):.3g}); sklearn lbfgs vs newton-cg: {lb_gap:.3g}")]


@register("logistic-regression")
def sgd_reaches_sklearn() -> list[CheckResult]:
    from numeric.optim import inverse_time, sgd

    X, y, th_sk, _, data = _training()
    N, p = X.shape
    loss, grad, grad_batch, hess = _problem(X, y)
    epochs, lr, t0 = 30, 0.5, 1000
    r = sgd(grad_batch, np.zeros(p + 1), N, lr=lr, epochs=epochs, batch_size=1, seed=0, loss=loss,
            schedule=inverse_time(t0), average=True, average_from=N)
    f_sk, f_sgd = loss(th_sk), float(r.losses[-1])
    rel = (f_sgd - f_sk) / f_sk
    # Polyak-Juditsky: averaged one-pass SGD has expected excess loss tr(H^-1 S) / (2T), S the
    # covariance of per-sample gradients at the optimum; reshuffled passes over a finite sample do
    # no worse, so that value (~1e-3 relative here) is the stated tolerance's scale.
    Xt = np.c_[X, np.ones(N)]
    G = (1 / (1 + np.exp(-(Xt @ th_sk))) - y)[:, None] * Xt
    T = r.steps - N
    theory = float(np.trace(np.linalg.solve(hess(th_sk), G.T @ G / N))) / (2 * T) / f_sk
    tol = 1e-3
    passed = r.converged and -1e-12 <= rel <= tol
    return [_result(
        "logistic-regression", "averaged SGD vs sklearn optimum",
        "SGD (batch 1, without replacement per epoch, seed 0, step 0.5/(1 + t/1000), Polyak-Ruppert "
        "average after epoch 1) with the generated gradient vs sklearn newton-cg's loss",
        data, f_sgd - f_sk, rel, tol, passed,
        f"{epochs} epochs, {r.steps} updates, {T} averaged; loss {f_sgd:.10g} vs {f_sk:.10g}, relative "
        f"excess {rel:.3g} (tolerance 1e-3; one-pass theory $\\operatorname{{tr}}(H^{{-1}} S)/(2T f^*) = "
        f"{tex_num(theory)}$); $\\|\\theta_{{\\mathrm{{SGD}}}} - \\theta_{{\\mathrm{{sk}}}}\\| = "
        f"{tex_num(np.linalg.norm(r.theta - th_sk))}$")]


# --- logistic-loss-pm1 --------------------------------------------------------------------------

@register("logistic-loss-pm1")
def pm1_equals_cross_entropy() -> list[CheckResult]:
    from numeric.generated import logistic as L

    d = breast_cancer()
    X, y = d.X, d.y
    t = 2 * y - 1
    worst_abs, worst_rel, lines = 0.0, 0.0, []
    for label, w, b in _points(X.shape[1]) + [("zero", np.zeros(X.shape[1]), np.float64(0.0))]:
        a, c = float(L.logistic_loss(w, b, X, t)), float(L.cross_entropy(w, b, X, y))
        worst_abs = max(worst_abs, abs(a - c))
        worst_rel = max(worst_rel, abs(a - c) / abs(c))
        lines.append(f"{label}: {a:.17g} vs {c:.17g}")
    # Row by row both evaluate softplus(-t z) = softplus(-z) or softplus(z); only the mean's
    # rounding could differ, a few eps at most.
    tol = 1e-15
    return [_result(
        "logistic-loss-pm1", "logistic_loss(t = 2y - 1) vs cross_entropy (R8)",
        "generated logistic_loss(w, b, X, 2y - 1) vs generated cross_entropy(w, b, X, y)",
        f"{d.description}; points: moderate ($\\max|z| \\approx 7$), saturating ($\\max|z| \\approx 73$), $w = 0$",
        worst_abs, worst_rel, tol, worst_rel <= tol, "; ".join(lines))]


# --- logistic-gradient --------------------------------------------------------------------------

def _ag_loss_theta(X, y):
    from numeric.autodiff import under_autograd
    from numeric.generated import logistic as L

    ag = under_autograd(L)
    return lambda th: ag.cross_entropy(th[:-1], th[-1], X, y)


@register("logistic-gradient")
def gradient_vs_autograd_and_fd() -> list[CheckResult]:
    import autograd

    from numeric.generated import logistic as L
    from numeric.gradcheck import check_gradient

    d = breast_cancer()
    X, y = d.X, d.y
    N, p = X.shape
    f = _ag_loss_theta(X, y)
    out = []
    for label, w, b in _points(p):
        claim = _pack(*L.cross_entropy_grad(w, b, X, y))
        ref = np.asarray(autograd.grad(f)(_pack(w, b)))
        err = np.abs(claim - ref)
        rel = float(err.max() / np.abs(ref).max())
        # Condition of the sums mean(r_i x_i): how much cancellation rounding can be amplified by.
        Xt = np.c_[X, np.ones(N)]
        r = 1 / (1 + np.exp(-np.clip(Xt @ _pack(w, b), -700, 700))) - y
        cond = float((np.abs(r) @ np.abs(Xt)).max() / np.abs(r @ Xt).max())
        tol = 1e-12
        out.append(_result(
            "logistic-gradient", f"cross_entropy_grad vs autograd ({label} point)",
            "generated cross_entropy_grad vs autograd.grad of the generated cross_entropy (under_autograd), over (w, b)",
            f"{d.description}; {label} (w, b), seed 0",
            err.max(), rel, tol, rel <= tol,
            f"normwise relative error $\\max|\\Delta| / \\max|\\nabla L| = {tex_num(rel)}$; the sums' condition "
            f"$\\sum_i |r_i x_i| / |\\sum_i r_i x_i| \\leq {tex_num(cond)}$, so "
            f"$(\\log_2 N + p)\\,\\varepsilon \\cdot \\mathrm{{cond}} = {tex_num((math.log2(N) + p) * EPS * cond, 2)}$ "
            f"is the expected scale, well inside $10^{{-12}}$"))
        gc = check_gradient(L.cross_entropy, L.cross_entropy_grad, w, b, X, y, wrt=(0, 1),
                            oracles=("richardson",), name="cross_entropy")
        out.append(_result(
            "logistic-gradient", f"cross_entropy_grad vs finite differences ({label} point)",
            "generated cross_entropy_grad vs Richardson-extrapolated central differences of the generated "
            "cross_entropy (numeric.gradcheck.check_gradient)",
            f"{d.description}; {label} (w, b), seed 0; all {p + 1} coordinates",
            gc.max_abs_err, gc.max_rel_err, gc.tolerance, gc.passed, gradient_check_text(gc)))
    return out


@register("logistic-gradient")
def hessian_checks() -> list[CheckResult]:
    import autograd

    from numeric.generated import logistic as L

    d = breast_cancer()
    X, y = d.X, d.y
    N, p = X.shape
    f = _ag_loss_theta(X, y)
    Xt = np.c_[X, np.ones(N)]
    out = []
    for label, w, b in _points(p):
        th = _pack(w, b)
        H = L.cross_entropy_hessian(w, b, X, y)
        Ha = np.asarray(autograd.hessian(f)(th))
        err = float(np.abs(H - Ha).max())
        rel = err / float(np.abs(Ha).max())
        out.append(_result(
            "logistic-gradient", f"cross_entropy_hessian vs autograd ({label} point)",
            "generated cross_entropy_hessian vs autograd.hessian of the generated cross_entropy, over (w, b), b last",
            f"{d.description}; {label} (w, b), seed 0",
            err, rel, 1e-12, rel <= 1e-12,
            f"normwise relative error $\\max|\\Delta| / \\max|H| = {tex_num(rel)}$; symmetric to "
            f"${tex_num(np.abs(H - H.T).max(), 2)}$"))

        # Central differences of the generated gradient, column by column. Truncation: h^2/6 times
        # the third derivative, |mean(sigma'''(z) x_i x_j^3)| <= mean|x_i||x_j|^3 / 8 (|sigma'''| <= 1/8);
        # rounding: 2R/(2h) with R the gradient's rounding error (z's (p+2) eps sum|w x| through
        # sigma' <= 1/4, then log2 N + 4 roundings in the mean). h minimises their sum.
        grad = lambda t: _pack(*L.cross_entropy_grad(t[:-1], t[-1], X, y))
        A = np.abs(Xt)
        T = float((A.T @ A ** 3).max()) / N / 48
        zscale = (p + 2) * EPS * (A @ np.abs(th))
        R = float(((0.25 * zscale + (math.log2(N) + 4) * EPS) @ A).max()) / N
        h = (R / (2 * T)) ** (1 / 3)
        fd = np.empty_like(H)
        for j in range(p + 1):
            e = np.zeros(p + 1)
            e[j] = h
            fd[:, j] = (grad(th + e) - grad(th - e)) / (2 * h)
        tol = T * h ** 2 + R / h
        err = float(np.abs(H - fd).max())
        scale = float(np.abs(H).max())
        out.append(_result(
            "logistic-gradient", f"cross_entropy_hessian vs finite differences of the gradient ({label} point)",
            "generated cross_entropy_hessian vs central differences of generated cross_entropy_grad",
            f"{d.description}; {label} (w, b), seed 0; step h = {h:.3g}",
            err, err / scale, tol / scale, err <= tol,
            f"absolute tolerance $h^2 T + R/h = {tex_num(tol)}$ (truncation bound $T = {tex_num(T)}$, gradient "
            f"rounding $R = {tex_num(R)}$), relative to $\\max|H| = {tex_num(scale)}$: ${tex_num(tol / scale)}$"))
    return out


@register("logistic-gradient")
def hessian_is_psd() -> list[CheckResult]:
    from numeric.generated import logistic as L

    d = breast_cancer()
    X, y = d.X, d.y
    pts = _points(X.shape[1]) + [("zero", np.zeros(X.shape[1]), np.float64(0.0))]
    Xs, ys, th_sk, _, _ = _training()
    lines, lo, scale = [], np.inf, 0.0
    for label, w, b in pts:
        ev = np.linalg.eigvalsh(L.cross_entropy_hessian(w, b, X, y))
        lo, scale = min(lo, ev.min()), max(scale, ev.max())
        lines.append(f"{label}: lambda in [{ev.min():.3g}, {ev.max():.3g}]")
    ev = np.linalg.eigvalsh(L.cross_entropy_hessian(th_sk[:-1], th_sk[-1], Xs, ys))
    lo = min(lo, ev.min())
    lines.append(f"sklearn optimum on the 5-feature training set: [{ev.min():.3g}, {ev.max():.3g}]")
    # X~^T D X~ / N with D >= 0 is PSD exactly; eigvalsh perturbs eigenvalues by ~eps ||H||.
    tol = 1e-12
    return [_result(
        "logistic-gradient", "cross_entropy_hessian is positive semidefinite (R9)",
        "smallest eigenvalue (numpy eigvalsh) of the generated Hessian, must be $\\geq -10^{-12}$",
        f"{d.description}: moderate, saturating, w = 0; and the training optimum",
        max(0.0, -lo), max(0.0, -lo) / scale, tol, lo >= -tol, "; ".join(lines))]


@register("logistic-gradient")
def value_and_grad_consistent() -> list[CheckResult]:
    from numeric.generated import logistic as L

    d = breast_cancer()
    X, y = d.X, d.y
    worst_abs = worst_rel = 0.0
    for _, w, b in _points(X.shape[1]):
        v, gw, gb = L.cross_entropy_value_and_grad(w, b, X, y)
        a = np.concatenate([[v], gw, [gb]])
        gw2, gb2 = L.cross_entropy_grad(w, b, X, y)
        c = np.concatenate([[L.cross_entropy(w, b, X, y)], gw2, [gb2]])
        worst_abs = max(worst_abs, float(np.abs(a - c).max()))
        worst_rel = max(worst_rel, float(np.max(np.abs(a - c) / np.abs(c))))
    # Same expression trees up to the order of commutative operations, which IEEE arithmetic
    # evaluates identically: expect equality, allow a few eps for a reordered reduction.
    tol = 4 * EPS
    return [_result(
        "logistic-gradient", "cross_entropy_value_and_grad vs separate functions",
        "generated cross_entropy_value_and_grad vs (cross_entropy, cross_entropy_grad), elementwise",
        f"{d.description}; moderate and saturating (w, b)",
        worst_abs, worst_rel, tol, worst_rel <= tol,
        f"max elementwise relative difference {worst_rel:.3g} (tolerance $4\\varepsilon$)")]
