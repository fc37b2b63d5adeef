"""Gradient descent and SGD measured (R10–R13): the lecture's three pictures, the step-size boundary, SGD against batch GD.

Every function is deterministic (fixed seeds, fixed data) and returns plain data, cached: the figures of
deepderive.report.figures_optim and the checks of numeric.checks.optimisation read the same numbers. The loss of
the pictures, its gradient, curvature and GD's local model are the generated code's (numeric.generated.gd); the
logistic loss and its gradient are numeric.generated.logistic's.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .data import breast_cancer


def _one_blas_thread():
    """Tiny matrix products run faster on one BLAS thread than on threads fighting for 2 busy cores."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


# ---- the lecture's three pictures (R11) -------------------------------------------------------------------

#: (θ₀, γ) of the lecture's pictures: to the local minimum, to the global one, and the bouncing one.
PICTURES = {"local": (-0.5, 0.5), "global": (0.25, 0.5), "bounce": (-2.0, 1.3)}
#: GD steps drawn and judged per picture: the first two have converged to rounding long before.
PICTURE_STEPS = 200
#: An orbit with |θ| above this has escaped: from there every step at least doubles |θ| (the GD map's cubic term,
#: 0.08 γ |θ − 0.333|³ ≥ 0.104 · 99.7³ ≈ 10⁵ |θ|/100 for γ ≥ 1.3, dwarfs its linear part, (1 + 1.2γ)|θ| ≤ 3.2|θ| up to
#: γ = 1.8).
ESCAPE_RADIUS = 100.0
#: Steps of the bounded-orbit test. Just past the escape γ an orbit lingers near its old attractor for a time
#: that grows without bound as γ falls to the threshold (a crisis), so a finite test overestimates it slightly.
ESCAPE_STEPS = 5_000


def _gd():
    """The generated module of the pictures' loss (numeric.generated.gd)."""
    from .generated import gd

    return gd


def gd_map(theta, gamma):
    """One GD step on the pictures' loss: T(θ) = θ − γ L'(θ), elementwise (θ and γ broadcast)."""
    return theta - gamma * _gd().picture_grad(theta)


def _newton_root(f, fprime, x0, steps: int = 60) -> float:
    """A root of f by Newton's method from x0, run until the step stops shrinking (rounding level)."""
    x, last = float(x0), math.inf
    for _ in range(steps):
        dx = float(f(np.float64(x))) / float(fprime(np.float64(x)))
        x -= dx
        if abs(dx) >= last and abs(dx) <= 1e-12 * max(1.0, abs(x)):
            break
        last = abs(dx)
    return x


@dataclass(frozen=True)
class CriticalPoints:
    """The pictures' loss: its two minima and the maximum between (L' = 0, by Newton on the generated L'),
    L'' at each, and γ_crit = 2/L''(θ_local), the step beyond which GD cannot settle at the left minimum."""

    theta_local: float
    theta_max: float
    theta_global: float
    curv_local: float
    curv_max: float
    curv_global: float
    gamma_critical: float
    gamma_critical_global: float


@lru_cache(maxsize=1)
def critical_points() -> CriticalPoints:
    g = _gd()
    roots = [_newton_root(g.picture_grad, g.picture_curvature, x0) for x0 in (-3.0, 0.0, 4.0)]
    curv = [float(g.picture_curvature(np.float64(r))) for r in roots]
    return CriticalPoints(*roots, *curv, 2.0 / curv[0], 2.0 / curv[2])


@dataclass(frozen=True)
class Picture:
    """One of the lecture's pictures: GD from θ₀ with step γ on the pictures' loss (generated L').

    path: θ_0 .. θ_steps; end: θ_steps; target: the critical point it converges to, or None (bounce);
    end_err: |end − target| (NaN for the bounce)."""

    name: str
    theta0: float
    gamma: float
    path: np.ndarray
    end: float
    target: float | None
    end_err: float


@lru_cache(maxsize=3)
def picture(name: str, steps: int = PICTURE_STEPS) -> Picture:
    from .optim import gd_path

    if name not in PICTURES:
        raise ValueError(f"unknown picture {name!r}; known: {', '.join(PICTURES)}")
    theta0, gamma = PICTURES[name]
    path = gd_path(lambda t: _gd().picture_grad(t), np.float64(theta0), lr=gamma, steps=steps)
    cp = critical_points()
    target = {"local": cp.theta_local, "global": cp.theta_global}.get(name)
    end = float(path[-1])
    return Picture(name, theta0, gamma, np.asarray(path, dtype=float), end, target,
                   abs(end - target) if target is not None else math.nan)


# ---- the third picture: bounded, chaotic, and where escape begins ----------------------------------------

def map_critical_points(gamma: float) -> tuple:
    """(c, c_r): the GD map's critical points, T'(θ) = 1 − γ L''(θ) = 0. L'' < 0 at the maximum θ_max, so L'' = 1/γ has
    one root left of it (L'' falls from +∞ there: c, T's local minimum) and one right of it (L'' < 0 up to its own
    minimum at 0.333, then rising to +∞: c_r, T's local maximum); brentq finds each to rounding."""
    from scipy.optimize import brentq

    g = _gd()
    p = critical_points().theta_max

    def f(t):
        return float(g.picture_curvature(np.float64(t))) - 1.0 / gamma

    return tuple(float(brentq(f, a, b, xtol=1e-15, rtol=8.9e-16, maxiter=200)) for a, b in ((-50.0, p), (p, 50.0)))


def map_critical_point(gamma: float) -> float:
    """c, the GD map's critical point left of the maximum (see map_critical_points)."""
    return map_critical_points(gamma)[0]


def trapping_interval(gamma: float):
    """I = [T(c), T(T(c))] for the map's critical point c, and the image T(I) as (min, max) over I's ends and the
    critical points of T inside I (a cubic's extremes on an interval): T(I) ⊂ I means no orbit entering I ever
    leaves it."""
    crit = map_critical_points(gamma)
    c = crit[0]
    lo = float(gd_map(np.float64(c), gamma))
    hi = float(gd_map(np.float64(lo), gamma))
    cands = [lo, hi] + [x for x in crit if lo <= x <= hi]
    img = [float(gd_map(np.float64(x), gamma)) for x in cands]
    return c, (lo, hi), (min(img), max(img))


def orbits(gammas, theta0, steps: int, *, keep: int = 0, radius: float = ESCAPE_RADIUS):
    """GD on the pictures' loss for every γ in `gammas` at once (all from θ₀, or from the array θ₀).

    Returns (escaped_at, tail, log_slope): escaped_at[j] = the first step with |θ| > radius (−1: never; an
    escaped orbit is frozen there); tail[:, j] = its last `keep` iterates; log_slope[j] = mean of log|T'(θ_k)| =
    log|1 − γ L''(θ_k)| over the last `keep` steps (the Lyapunov exponent's estimate: < 0 on an attracting cycle,
    > 0 on a chaotic orbit)."""
    g = _gd()
    gammas = np.asarray(gammas, dtype=float)
    th = np.broadcast_to(np.asarray(theta0, dtype=float), gammas.shape).copy()
    when = np.full(gammas.shape, -1)
    alive = np.ones(gammas.shape, dtype=bool)
    tail = np.empty((keep,) + gammas.shape)
    slope = np.zeros(gammas.shape)
    for k in range(steps):
        if k >= steps - keep:
            with np.errstate(divide="ignore"):       # log 0 = −inf exactly at a superstable point: fine
                slope += np.log(np.abs(1.0 - gammas * g.picture_curvature(th)))
        th = np.where(alive, th - gammas * g.picture_grad(th), th)
        out = alive & (np.abs(th) > radius)
        if out.any():
            when[out] = k + 1
            alive &= ~out
        if k >= steps - keep:
            tail[k - (steps - keep)] = th
    return when, tail, slope / max(keep, 1)


@dataclass(frozen=True)
class Bounce:
    """The third picture, (θ₀, γ) = (−2, 1.3), measured.

    c: the GD map's critical point; interval = [T(c), T²(c)] and image = T(interval): image ⊂ interval and θ₀ in
    it prove the orbit bounded forever; orbit_range: min and max of θ_k over the run after `burn` steps;
    lyapunov: the orbit's mean log|T'| over `keep` steps; lyapunov_starts: the same from `starts` points spread
    over the interval (all > 0: no attracting cycle catches them); shortest_period: the smallest p ≤ max_period
    with |θ_(k+p) − θ_k| ≤ 1e-9 over the tail, or None; gamma_critical: 2/L''(θ_local) (< γ)."""

    theta0: float
    gamma: float
    c: float
    interval: tuple
    image: tuple
    orbit_range: tuple
    lyapunov: float
    lyapunov_starts: np.ndarray
    shortest_period: int | None
    max_period: int
    burn: int
    keep: int
    gamma_critical: float


@lru_cache(maxsize=1)
def bounce(burn: int = 1000, keep: int = 5000, starts: int = 64, max_period: int = 64) -> Bounce:
    theta0, gamma = PICTURES["bounce"]
    c, interval, image = trapping_interval(gamma)
    x0 = np.concatenate([[theta0], np.linspace(interval[0], interval[1], starts + 2)[1:-1]])
    when, tail, slope = orbits(np.full(len(x0), gamma), x0, burn + keep, keep=keep)   # θ₀ first, then the starts
    if np.any(when >= 0):
        raise RuntimeError(f"an orbit of the bounce escaped (at steps {when[when >= 0].tolist()})")
    t = tail[:, 0]
    period = next((p for p in range(1, max_period + 1) if np.max(np.abs(t[p:] - t[:-p])) <= 1e-9), None)
    return Bounce(theta0, gamma, c, interval, image, (float(t.min()), float(t.max())), float(slope[0]), slope[1:],
                  period, max_period, burn, keep, critical_points().gamma_critical)


@dataclass(frozen=True)
class Escape:
    """Where escape to infinity begins from θ₀ = −2.

    crisis: the γ at which T²(c) reaches θ_max, the maximum of L (a fixed point of T for every γ): below it
    [T(c), T²(c)] traps the orbit, above it the orbit can cross the maximum and is thrown out (brentq on
    T_γ²(c_γ) − θ_max). bisection: the first γ at which the bounded-orbit test (|θ_k| ≤ ESCAPE_RADIUS for `steps`
    steps) fails, refined in 16ths per round from a 0.02 grid over `bracket`; bracket: its final (bounded, escaping)
    pair; escape_step: when the orbit at the escaping end leaves; grid: the first round, ((γ, ...), (escaped_at,
    ...)) with -1 for bounded."""

    theta0: float
    crisis: float
    bisection: float
    bracket: tuple
    steps: int
    escape_step: int
    grid: tuple


@lru_cache(maxsize=1)
def escape(theta0: float = -2.0, bracket=(1.3, 1.8), steps: int = ESCAPE_STEPS, width: float = 1e-5) -> Escape:
    from scipy.optimize import brentq

    p = critical_points().theta_max

    def gap(gamma):
        c = map_critical_point(gamma)
        return float(gd_map(gd_map(np.float64(c), gamma), gamma)) - p

    crisis = float(brentq(gap, 1.4, 1.6, xtol=1e-14, rtol=8.9e-16))
    # the first round is a coarse grid over the bracket (kept for the report), then 16ths of the last interval
    grid = np.round(np.arange(bracket[0], bracket[1] + 1e-9, 0.02), 2)
    coarse = None
    while True:
        when, _, _ = orbits(grid, theta0, steps)
        if coarse is None:
            coarse = (tuple(grid.tolist()), tuple(int(x) for x in when))
            if when[0] >= 0 or when[-1] < 0:
                raise RuntimeError(f"escape bracket {bracket} does not bracket: escaped at {when.tolist()}")
        j = int(np.argmax(when >= 0))          # the first γ of the grid that escapes
        lo, hi, step = grid[j - 1], grid[j], int(when[j])
        if hi - lo <= width:
            break
        grid = np.linspace(lo, hi, 17)
    return Escape(theta0, crisis, float(hi), (float(lo), float(hi)), steps, step, coarse)


@dataclass(frozen=True)
class OrbitDiagram:
    """GD from θ₀ on the pictures' loss for each γ of a grid: the last `keep` iterates (NaN after escape) and the
    Lyapunov estimate per γ (NaN after escape)."""

    theta0: float
    gammas: np.ndarray
    tail: np.ndarray
    lyapunov: np.ndarray
    burn: int
    keep: int


@lru_cache(maxsize=1)
def orbit_diagram(theta0: float = -2.0, lo: float = 0.3, hi: float = 1.6, n: int = 1301, burn: int = 2000,
                  keep: int = 300) -> OrbitDiagram:
    gammas = np.linspace(lo, hi, n)
    when, tail, slope = orbits(gammas, theta0, burn + keep, keep=keep)
    esc = when >= 0
    tail[:, esc] = np.nan
    slope[esc] = np.nan
    return OrbitDiagram(theta0, gammas, tail, slope, burn, keep)


# ---- the step-size law on a real quadratic (R11) -----------------------------------------------------------

#: Breast-cancer columns of the sweep's quadratic: the five logistic regression trains on (numeric.checks.logistic's
#: TRAIN_FEATURES: mean texture, smoothness, concavity, concave points, symmetry), κ(XᵀX/N) ≈ 38.
QUAD_FEATURES = (1, 4, 6, 7, 8)


def quadratic_hessian(features=QUAD_FEATURES) -> np.ndarray:
    """A = XᵀX/N on standardised breast-cancer columns (all 30 for features=None): the Hessian of least squares
    ½‖Xθ − y‖²/N, so ½(θ − θ*)ᵀA(θ − θ*) is its loss up to a constant, here shifted so that θ* = 0."""
    X = breast_cancer().X
    if features is not None:
        X = X[:, list(features)]
    return X.T @ X / X.shape[0]


@dataclass(frozen=True)
class Sweep:
    """GD on ½θᵀAθ from one fixed θ₀ (seed) for each step γ = ratio/λ_max, all runs side by side.

    steps[j]: GD steps until ‖∇L‖∞ = ‖Aθ‖∞ ≤ tol, or -1 if not reached within max_steps; final[j]: L(θ)/L(θ₀) at the
    end (inf once |θ| passes 1e150: diverged); predicted[j]: the same count from the eigen-decomposition A = VΛVᵀ
    (numpy eigh), ∇L(θ_k) = V diag(λ_i (1 − γλ_i)^k) Vᵀθ₀ in closed form (-1 if not within max_steps);
    rho[j] = max_i |1 − γλ_i|, the asymptotic factor per step (< 1 iff γ < 2/λ_max)."""

    lam: np.ndarray
    ratios: np.ndarray
    steps: np.ndarray
    final: np.ndarray
    rho: np.ndarray
    predicted: np.ndarray
    tol: float
    max_steps: int


@lru_cache(maxsize=1)
def step_sweep(ratios=tuple(np.round(np.linspace(0.1, 2.3, 45), 4)), tol: float = 1e-8, max_steps: int = 3000,
               seed: int = 0) -> Sweep:
    A = quadratic_hessian()
    lam, V = np.linalg.eigh(A)                    # to set γ = ratio/λ_max, and for the closed-form prediction
    theta0 = np.random.default_rng(seed).standard_normal(A.shape[0])
    ratios = np.asarray(ratios, dtype=float)
    gammas = ratios / lam[-1]
    with _one_blas_thread():
        steps, final, big = _sweep_runs(A, theta0, gammas, tol, max_steps)
    rho = np.max(np.abs(1.0 - np.outer(gammas, lam)), axis=1)
    factors = 1.0 - np.outer(gammas, lam)                                       # (G, d)
    k = np.arange(max_steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        modes = np.sign(factors[:, None, :]) ** k[None, :, None] * np.abs(factors[:, None, :]) ** k[None, :, None]
        grads = (modes * (lam * (V.T @ theta0))) @ V.T                          # (G, K, d): ∇L(θ_k) per γ
        hit = np.max(np.abs(grads), axis=2) <= tol
    predicted = np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1)
    return Sweep(lam, ratios, steps, final, rho, predicted, tol, max_steps)


def _sweep_runs(A, theta0, gammas, tol, max_steps):
    """GD for every γ side by side: (steps to ‖Aθ‖∞ ≤ tol or -1, final loss ratio, diverged flags)."""
    Th = np.tile(theta0, (len(gammas), 1))        # one row per γ: θ ← θ − γ Aθ (A symmetric: rows times A)
    steps = np.full(len(gammas), -1)
    big = np.zeros(len(gammas), dtype=bool)
    for k in range(max_steps + 1):
        G = Th @ A
        done = (steps < 0) & (np.max(np.abs(G), axis=1) <= tol)
        steps[done] = k
        big |= np.max(np.abs(Th), axis=1) > 1e150   # diverged: frozen before it overflows
        if k == max_steps:
            break
        live = (steps < 0) & ~big
        Th[live] -= gammas[live, None] * G[live]
    loss0 = 0.5 * float(theta0 @ A @ theta0)
    final = np.where(big, np.inf, 0.5 * np.einsum("ij,jk,ik->i", Th, A, Th) / loss0)
    return steps, final, big


def grows(A, gamma: float, theta0, doublings: int = 50) -> bool:
    """Does GD on ½θᵀAθ with step γ end farther from 0 than θ₀ after K = 2^doublings steps? θ_K = (I − γA)^K θ₀
    exactly, evaluated by squaring the one-step map (normalised each time, its log scale carried apart)."""
    B = np.eye(A.shape[0]) - gamma * A
    log_scale = 0.0
    for _ in range(doublings):
        B = B @ B
        s = float(np.max(np.abs(B)))
        B /= s
        log_scale = 2.0 * log_scale + math.log(s)
    v = B @ theta0
    return log_scale + math.log(float(np.linalg.norm(v))) > math.log(float(np.linalg.norm(theta0)))


def boundary_bisection(A, seed: int = 0, iters: int = 60) -> float:
    """The step size where GD on ½θᵀAθ starts to grow (`grows`), by bisection from a bracket that needs no
    eigenvalues: 2/tr A (λ_max ≤ tr A: converges) and 2p/tr A (λ_max ≥ tr A/p: does not)."""
    theta0 = np.random.default_rng(seed).standard_normal(A.shape[0])
    lo, hi = 2.0 / np.trace(A), 2.0 * A.shape[0] / np.trace(A)
    if grows(A, lo, theta0) or not grows(A, hi, theta0):
        raise RuntimeError("the trace bracket does not bracket GD's step-size boundary")
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (lo, mid) if grows(A, mid, theta0) else (mid, hi)
    return 0.5 * (lo + hi)


# ---- SGD against batch GD on breast cancer (R12–R13) ---------------------------------------------------------

#: Logistic regression's columns (as numeric.checks.logistic trains on): on all 30 the classes are linearly
#: separable and the unpenalised optimum is at infinity; on these five it is finite and unique.
LOGIT_FEATURES = (1, 4, 6, 7, 8)
SPLIT_SEED, TRAIN_FRACTION = 0, 0.7
#: SGD: batch 1, step SGD_LR/(1 + t/SGD_T0), Polyak–Ruppert average after the first epoch, SGD_EPOCHS epochs.
SGD_LR, SGD_T0, SGD_EPOCHS, SGD_SEED = 0.5, 1000, 30, 0
#: Batch GD: step 1/L_σ with L_σ = λ_max(X̃ᵀX̃)/(4N) (σ' ≤ ¼: every step descends), GD_STEPS steps (= epochs).
GD_STEPS = 3000
#: Curves are sampled every RECORD_EVERY per-sample gradient evaluations (both optimisers).
RECORD_EVERY = 20


@dataclass(frozen=True)
class Split:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    description: str


@lru_cache(maxsize=4)
def split(n_train: int | None = None, seed: int = SPLIT_SEED) -> Split:
    """Standardised breast cancer on LOGIT_FEATURES, rows permuted by default_rng(seed): the first 70% train, the
    rest test (rows kept in their original order within each); n_train, if given, keeps only that many training
    rows (a small problem for tests)."""
    d = breast_cancer()
    X, y = d.X[:, list(LOGIT_FEATURES)], d.y
    perm = np.random.default_rng(seed).permutation(len(y))
    cut = int(TRAIN_FRACTION * len(y))
    tr, te = np.sort(perm[:cut]), np.sort(perm[cut:])
    if n_train is not None:
        tr = tr[:n_train]
    return Split(X[tr], y[tr], X[te], y[te],
                 f"breast cancer, standardised, features {list(LOGIT_FEATURES)}; train {len(tr)} / test {len(te)} "
                 f"rows (split seed {seed})")


def logistic_problem(X, y):
    """(loss, grad, grad_rows) of the mean cross-entropy over θ = [w, b], all by numeric.generated.logistic."""
    from .generated import logistic as L
    from .optim import pack, unpack

    def loss(th):
        return float(L.cross_entropy(*unpack(th), X, y))

    def grad(th):
        return pack(*L.cross_entropy_grad(*unpack(th), X, y))

    def grad_rows(th, idx):
        return pack(*L.cross_entropy_grad(*unpack(th), X[idx], y[idx]))

    return loss, grad, grad_rows


def per_sample_gradients(theta, X, y) -> np.ndarray:
    """(N, p+1): the generated gradient of each row's own loss ℓ_i, one call per row."""
    _, _, grad_rows = logistic_problem(X, y)
    return np.array([grad_rows(theta, [i]) for i in range(len(y))])


def gradient_mean_gap(theta, X, y):
    """The per-sample gradients' mean (exactly rounded, math.fsum per coordinate) against the generated batch
    gradient: (max |mean − batch| / max |batch|, the sum's condition Σ|g_i| / |Σ g_i| at its worst coordinate)."""
    G = per_sample_gradients(theta, X, y)
    mean = np.array([math.fsum(G[:, j]) for j in range(G.shape[1])]) / len(y)
    _, grad, _ = logistic_problem(X, y)
    batch = grad(theta)
    cond = float(np.max(np.abs(G).sum(axis=0) / np.maximum(np.abs(G.sum(axis=0)), np.finfo(float).tiny)))
    return float(np.max(np.abs(mean - batch)) / np.max(np.abs(batch))), cond


def sklearn_optimum(X, y) -> np.ndarray:
    """θ* = [w, b] of scikit-learn's LogisticRegression with the generated loss's objective: the unpenalised mean
    cross-entropy (C = ∞; scaling by N does not move the minimiser), newton-cg to tol 1e-10; warnings are errors."""
    from sklearn.linear_model import LogisticRegression

    from .optim import pack

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-10, max_iter=10_000).fit(X, y)
    return pack(m.coef_[0], m.intercept_[0])


@dataclass(frozen=True)
class Curve:
    """One optimiser's run: at evals[k] per-sample gradient evaluations, updates[k] parameter updates made, the
    training loss loss[k] and the test error (fraction misclassified) test_err[k]; theta: the final estimate."""

    evals: np.ndarray
    updates: np.ndarray
    loss: np.ndarray
    test_err: np.ndarray
    theta: np.ndarray


@dataclass(frozen=True)
class SgdVsGd:
    """Batch GD and SGD (generated gradient) on the same split, and scikit-learn's optimum θ*."""

    description: str
    n_train: int
    theta_star: np.ndarray
    loss_star: float
    test_err_star: float
    gd: Curve
    sgd: Curve
    gd_lr: float


def _test_error(theta, X, y) -> float:
    return float(np.mean(((X @ theta[:-1] + theta[-1]) > 0) != (y == 1)))


@lru_cache(maxsize=2)
def sgd_vs_gd(n_train: int | None = None, gd_steps: int = GD_STEPS, sgd_epochs: int = SGD_EPOCHS) -> SgdVsGd:
    from .optim import gd_path, inverse_time, sgd

    s = split(n_train)
    X, y = s.X_train, s.y_train
    N, p = X.shape
    loss, grad, grad_rows = logistic_problem(X, y)
    theta_star = sklearn_optimum(X, y)
    Xt = np.c_[X, np.ones(N)]
    lr_gd = 1.0 / (0.25 * float(np.linalg.eigvalsh(Xt.T @ Xt).max()) / N)

    rec = {"gd": [], "sgd": []}

    def record(key, evals, updates, th):
        rec[key].append((evals, updates, loss(th), _test_error(th, s.X_test, s.y_test)))

    theta0 = np.zeros(p + 1)
    path = gd_path(grad, theta0, lr=lr_gd, steps=gd_steps)      # one GD step = N per-sample gradients
    for k, th in enumerate(path):
        record("gd", k * N, k, th)
    record("sgd", 0, 0, theta0)

    def on_update(t, th):
        if t % RECORD_EVERY == 0:
            record("sgd", t, t, th)

    r_sgd = sgd(grad_rows, theta0, N, lr=SGD_LR, epochs=sgd_epochs, batch_size=1, seed=SGD_SEED,
                schedule=inverse_time(SGD_T0), average=True, average_from=N, on_update=on_update)

    def curve(key, theta):
        a = np.array(rec[key], dtype=float)
        return Curve(a[:, 0], a[:, 1], a[:, 2], a[:, 3], theta)

    return SgdVsGd(s.description, N, theta_star, loss(theta_star), _test_error(theta_star, s.X_test, s.y_test),
                   curve("gd", path[-1]), curve("sgd", r_sgd.theta), lr_gd)


@lru_cache(maxsize=1)
def polyak_juditsky() -> float:
    """Averaged SGD's expected excess loss after T updates is tr(H⁻¹Σ)/(2T) (Polyak and Juditsky 1992), Σ the
    covariance of the per-sample gradients at θ*, H the Hessian there (both generated). Returns tr(H⁻¹Σ)/2 relative
    to L(θ*): the relative excess times T."""
    from .generated import logistic as L

    r, s = sgd_vs_gd(), split()
    th = r.theta_star
    G = per_sample_gradients(th, s.X_train, s.y_train)
    H = L.cross_entropy_hessian(th[:-1], th[-1], s.X_train, s.y_train)
    return float(np.trace(np.linalg.solve(H, G.T @ G / len(G)))) / 2.0 / r.loss_star


def tradeoff(opt_level: float = 1e-6) -> dict:
    """Bottou's trade-off in per-sample gradient evaluations: until the test error stays at or below the optimum's
    plus one test point, and until the relative excess training loss stays at or below `opt_level` (SGD's second
    by its Polyak–Juditsky rate, one unaveraged epoch plus T = tr(H⁻¹Σ)/(2 ε L*) averaged updates: far beyond its
    run, so a prediction, stated as one)."""
    r, s = sgd_vs_gd(), split()
    level = r.test_err_star + 1.0 / len(s.y_test)
    gd_ex = (r.gd.loss - r.loss_star) / r.loss_star
    sgd_ex = (r.sgd.loss - r.loss_star) / r.loss_star
    pj = polyak_juditsky()
    return {"test_level": level, "opt_level": opt_level,
            "sgd_test": first_reaching(r.sgd.evals, r.sgd.test_err, level),
            "gd_test": first_reaching(r.gd.evals, r.gd.test_err, level),
            "gd_opt": first_reaching(r.gd.evals, gd_ex, opt_level),
            "sgd_opt_pj": r.n_train + pj / opt_level,
            "sgd_evals": float(r.sgd.evals[-1]), "sgd_final": float(sgd_ex[-1]), "pj": pj}


def first_reaching(evals, values, level: float) -> float:
    """The first evals[k] from which values stay ≤ level for the rest of the run (inf if the last one is above)."""
    above = np.flatnonzero(np.asarray(values) > level)
    if len(above) == 0:
        return float(evals[0])
    if above[-1] == len(values) - 1:
        return math.inf
    return float(evals[above[-1] + 1])


__all__ = ["PICTURES", "PICTURE_STEPS", "ESCAPE_RADIUS", "ESCAPE_STEPS", "gd_map", "CriticalPoints", "critical_points",
           "Picture", "picture", "map_critical_points", "map_critical_point", "trapping_interval", "orbits", "Bounce", "bounce", "Escape",
           "escape", "OrbitDiagram", "orbit_diagram", "QUAD_FEATURES", "quadratic_hessian", "Sweep", "step_sweep",
           "grows", "boundary_bisection", "LOGIT_FEATURES", "Split", "split", "logistic_problem",
           "per_sample_gradients", "gradient_mean_gap", "sklearn_optimum", "Curve", "SgdVsGd", "sgd_vs_gd",
           "first_reaching", "polyak_juditsky", "tradeoff"]
